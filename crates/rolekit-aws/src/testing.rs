//! A recording AWS stand-in for the unit tests of the operations: a real HTTP/1.1 server on
//! 127.0.0.1 that records every request (its Query action and form parameters) and answers each
//! with what the test scripts for that action. The SDK clients and rolekit's own requests reach
//! it through the real connector, so the tests check the request shapes rolekit sends, not mocks.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::{Client, ClientOptions, Credentials};

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub action: String,
    pub params: BTreeMap<String, String>,
}

impl Recorded {
    /// A form parameter, or "" when absent.
    pub fn param(&self, key: &str) -> &str {
        self.params.get(key).map_or("", String::as_str)
    }
}

type Script = dyn Fn(&Recorded) -> (u16, String) + Send + Sync;

/// The running server.
pub struct Recorder {
    pub url: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

fn form_decode(text: &str) -> String {
    crate::roles::percent_decode(&text.replace('+', " "))
}

fn serve(stream: TcpStream, script: &Script, seen: &Mutex<Vec<Recorded>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let params: BTreeMap<String, String> = String::from_utf8_lossy(&body)
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (form_decode(k), form_decode(v)))
            .collect();
        let request = Recorded {
            action: params.get("Action").cloned().unwrap_or_default(),
            params,
        };
        let (status, answer) = script(&request);
        seen.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(request);
        write!(
            writer,
            "HTTP/1.1 {status} X\r\ncontent-type: text/xml\r\nx-amzn-requestid: req-{n}\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len(),
            n = seen.lock().map(|s| s.len()).unwrap_or_default(),
        )?;
        writer.flush()?;
    }
}

impl Recorder {
    /// Serve `script`'s answers until the test process ends.
    pub fn start(script: impl Fn(&Recorded) -> (u16, String) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let shared = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (script, seen) = (script.clone(), shared.clone());
                std::thread::spawn(move || serve(stream, &*script, &seen));
            }
        });
        Self { url, seen }
    }

    /// A client of this server, signed with example keys, one attempt per call.
    pub async fn client(&self) -> Client {
        Client::new(ClientOptions {
            endpoint_url: Some(self.url.clone()),
            region: Some("us-east-1".into()),
            credentials: Some(Credentials::new(
                "AKIAIOSFODNN7EXAMPLE".into(),
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
                None,
            )),
            max_attempts: Some(1),
            ..ClientOptions::default()
        })
        .await
        .expect("a client")
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The actions of every request so far, in order.
    pub fn actions(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.action).collect()
    }
}

/// `<{action}Response><{action}Result>{result}</…Result></…Response>`, as IAM and STS answer.
pub fn answer(action: &str, result: &str) -> (u16, String) {
    (
        200,
        format!(
            "<{action}Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><{action}Result>{result}</{action}Result>\
             <ResponseMetadata><RequestId>r-{action}</RequestId></ResponseMetadata></{action}Response>"
        ),
    )
}

/// An IAM error answer.
pub fn error(status: u16, code: &str, message: &str) -> (u16, String) {
    (
        status,
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>r-err</RequestId></ErrorResponse>"
        ),
    )
}

/// GetCallerIdentity for the example admin user of account 123456789012.
pub fn caller() -> (u16, String) {
    answer(
        "GetCallerIdentity",
        "<Arn>arn:aws:iam::123456789012:user/admin</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>",
    )
}
