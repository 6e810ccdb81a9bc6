//! rolekit's HTTP/1.1 connector for the SDK clients: every request does its own I/O inside its
//! own future; no connection runs as a task of its own.
//!
//! hyper's pooled client drives each connection as a task on the runtime's worker threads, so a
//! blocking call paid two thread hand-offs per request (the caller parks, a worker writes and
//! reads, the caller is woken), which on loopback was most of the CPU a call cost. Here the
//! request's future connects, writes, reads the answer and puts the connection back in an idle
//! pool. A blocking call runs on a current-thread runtime on the caller's own thread
//! (`py/runtime.rs`), so nothing changes threads; concurrent requests (`tokio::join!`, the
//! AsyncClient) still overlap, each a future on one reactor.
//!
//! Idle connections are kept per thread and per runtime flavor: a socket belongs to the reactor
//! of the runtime that opened it, and a thread runs at most one runtime of each flavor (its own
//! current-thread runtime for blocking calls; the shared multi-thread one on worker threads).
//! A kept connection is checked before it is used (closed by the server while idle: dropped). A
//! request is never sent twice here: whether the server acted on a request whose answer was lost
//! is for the SDK's retry policy and rolekit's convergence logic to decide.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::RuntimeFlavor;

use crate::proxy::{Proxies, Proxy};
use crate::tls::Trust;

/// How long an idle connection is kept (AWS's front ends close idle ones after about a minute).
const IDLE_FOR: Duration = Duration::from_secs(20);
/// Idle connections kept per thread.
const MAX_IDLE: usize = 16;
/// Largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest response body accepted (IAM's largest answers are a few hundred kilobytes).
const MAX_BODY: usize = 64 << 20;

/// How one client reaches the network: the certificates it trusts and the proxies it uses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Network {
    pub trust: Trust,
    pub proxies: Proxies,
}

/// The SDK-facing client: hands out [`Connector`]s with the SDK's timeouts and the client's network.
#[derive(Clone, Debug, Default)]
pub struct InlineHttp {
    pub net: Arc<Network>,
}

impl HttpClient for InlineHttp {
    fn http_connector(&self, settings: &HttpConnectorSettings, _components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(Connector {
            connect_timeout: settings.connect_timeout(),
            read_timeout: settings.read_timeout(),
            net: self.net.clone(),
        })
    }
}

/// Sends one request per call, on a kept connection when one is idle.
#[derive(Clone, Debug)]
pub struct Connector {
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    net: Arc<Network>,
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let this = self.clone();
        HttpConnectorFuture::new(async move { this.send(&request).await })
    }
}

/// A failure with a message of rolekit's own, kept as the source of a `ConnectorError`.
#[derive(Debug)]
struct HttpFailure(String);

impl fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpFailure {}

fn io_error(message: String) -> ConnectorError {
    ConnectorError::io(Box::new(HttpFailure(message)))
}

fn user_error(message: String) -> ConnectorError {
    ConnectorError::user(Box::new(HttpFailure(message)))
}

/// `fut`, failing with a timeout error saying `what` when `limit` passes first.
async fn within<T>(
    limit: Option<Duration>,
    what: impl FnOnce(Duration) -> String,
    fut: impl std::future::Future<Output = Result<T, ConnectorError>>,
) -> Result<T, ConnectorError> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, fut)
            .await
            .map_err(|_| ConnectorError::timeout(Box::new(HttpFailure(what(limit)))))?,
        None => fut.await,
    }
}

/// What went wrong in one exchange on one connection.
enum Failure {
    Io(String),
    Protocol(String),
}

impl Failure {
    fn into_connector_error(self) -> ConnectorError {
        match self {
            Self::Io(m) => io_error(m),
            Self::Protocol(m) => ConnectorError::other(Box::new(HttpFailure(m)), None),
        }
    }
}

/// Where a request goes.
struct Target {
    tls: bool,
    host: String,
    port: u16,
    /// `host[:port]`, the port only when it is not the scheme's default.
    authority: String,
    /// Pool key: scheme and authority.
    key: String,
    path: String,
}

impl Target {
    fn parse(uri: &str) -> Result<Self, String> {
        let uri: http::Uri = uri.parse().map_err(|e| format!("invalid request URI {uri:?}: {e}"))?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            other => return Err(format!("unsupported URI scheme {other:?} (http or https)")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("request URI {uri} has no host"))?;
        let default_port = if tls { 443 } else { 80 };
        let port = authority.port_u16().unwrap_or(default_port);
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let authority = if port == default_port {
            authority.host().to_string()
        } else {
            format!("{}:{port}", authority.host())
        };
        Ok(Self {
            key: format!("{}://{authority}", if tls { "https" } else { "http" }),
            tls,
            host,
            port,
            authority,
            path: uri
                .path_and_query()
                .map_or_else(|| "/".to_string(), ToString::to_string),
        })
    }
}

/// A connection: a TCP stream, or TLS over one.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}
type Conn = Box<dyn Io>;

struct Idle {
    key: String,
    flavor: RuntimeFlavor,
    conn: Conn,
    since: Instant,
}

thread_local! {
    static IDLE: RefCell<Vec<Idle>> = const { RefCell::new(Vec::new()) };
}

fn current_flavor() -> Option<RuntimeFlavor> {
    tokio::runtime::Handle::try_current().ok().map(|h| h.runtime_flavor())
}

/// A kept connection for `key` on this thread and runtime that the server has not closed.
fn take_idle(key: &str) -> Option<Conn> {
    let flavor = current_flavor()?;
    IDLE.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        pool.retain(|c| c.since.elapsed() < IDLE_FOR);
        while let Some(i) = pool.iter().rposition(|c| c.key == key && c.flavor == flavor) {
            let mut conn = pool.swap_remove(i).conn;
            if still_open(&mut conn) {
                return Some(conn);
            }
        }
        None
    })
    .ok()
    .flatten()
}

/// Whether an idle connection is still open: nothing to read yet. End of stream (the server
/// closed it), an error, or unexpected bytes all mean it must not carry a request.
fn still_open(conn: &mut Conn) -> bool {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut byte = [0u8; 1];
    let mut buf = tokio::io::ReadBuf::new(&mut byte);
    std::pin::Pin::new(conn).poll_read(&mut cx, &mut buf).is_pending()
}

fn put_idle(key: String, conn: Conn) {
    let Some(flavor) = current_flavor() else { return };
    let _ = IDLE.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() >= MAX_IDLE {
            pool.remove(0);
        }
        pool.push(Idle {
            key,
            flavor,
            conn,
            since: Instant::now(),
        });
    });
}

impl Connector {
    /// A connector with these timeouts (`None`: none) and network; for requests made outside the SDK.
    pub fn new(connect_timeout: Option<Duration>, read_timeout: Option<Duration>, net: Arc<Network>) -> Self {
        Self {
            connect_timeout,
            read_timeout,
            net,
        }
    }

    /// Send one request and read its whole answer.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, ConnectorError> {
        let mut target = Target::parse(request.uri()).map_err(user_error)?;
        let proxy = self.net.proxies.for_target(target.tls, &target.host, target.port);
        if let (true, Some(bundle)) = (target.tls, self.net.trust.path()) {
            // A connection checked against one bundle never carries a request of another's.
            target.key = format!("{}#{}", target.key, bundle.display());
        }
        if let Some(proxy) = proxy {
            target.key = format!("{}@{}", target.key, proxy.shown);
        }
        let body = request
            .body()
            .bytes()
            .ok_or_else(|| user_error("streaming request bodies are not supported".into()))?;
        // Head and body in one buffer, one write: one segment on the wire for a small request.
        let mut wire = request_head(request, &target, body.len(), proxy.filter(|_| !target.tls));
        wire.extend_from_slice(body);
        let mut conn = match take_idle(&target.key) {
            Some(conn) => conn,
            None => self.connect(&target, proxy).await?,
        };
        let (response, keep) = within(
            self.read_timeout,
            |limit| format!("no answer from {} within {} s", target.authority, limit.as_secs_f64()),
            async { exchange(&mut conn, &wire).await.map_err(Failure::into_connector_error) },
        )
        .await?;
        if keep {
            put_idle(target.key, conn);
        }
        if let Some(p) = proxy.filter(|_| response.status().as_u16() == 407) {
            let hint = if p.authorization.is_some() {
                "check the user and password in it"
            } else {
                "it wants a user and password: http://user:pass@host:port"
            };
            return Err(proxy_error(
                format!(
                    "the proxy {} (from {}) refused the request: HTTP 407 ({hint})",
                    p.shown, p.from
                ),
                false,
            ));
        }
        Ok(response)
    }

    async fn connect(&self, target: &Target, proxy: Option<&Proxy>) -> Result<Conn, ConnectorError> {
        let connect = async {
            let tcp = match proxy {
                None => TcpStream::connect((target.host.as_str(), target.port))
                    .await
                    .map_err(|e| io_error(format!("tcp connect error: {e}")))?,
                Some(p) => TcpStream::connect((p.host.as_str(), p.port)).await.map_err(|e| {
                    proxy_error(
                        format!("could not reach the proxy {} (from {}): {e}", p.shown, p.from),
                        true,
                    )
                })?,
            };
            tcp.set_nodelay(true)
                .map_err(|e| io_error(format!("tcp connect error: {e}")))?;
            // An https:// proxy: TLS to the proxy first, trusting the same CAs as endpoints.
            let stream: Conn = match proxy {
                Some(p) if p.tls => {
                    let tls = self.handshake(&p.host, tcp).await.map_err(|e| match e {
                        Handshake::Refused(refused) => ConnectorError::user(Box::new(crate::tls::TlsRefused(refused))),
                        Handshake::Failed(e) => proxy_error(
                            format!("TLS with the proxy {} (from {}) failed: {e}", p.shown, p.from),
                            true,
                        ),
                        Handshake::Other(e) => e,
                    })?;
                    Box::new(tls)
                }
                _ => Box::new(tcp),
            };
            if !target.tls {
                return Ok(stream);
            }
            let stream = match proxy {
                Some(p) => tunnel(stream, p, target).await?,
                None => stream,
            };
            let tls = self.handshake(&target.host, stream).await.map_err(|e| match e {
                Handshake::Refused(refused) => ConnectorError::user(Box::new(crate::tls::TlsRefused(refused))),
                Handshake::Failed(e) => io_error(format!("TLS handshake with {} failed: {e}", target.host)),
                Handshake::Other(e) => e,
            })?;
            Ok(Box::new(tls) as Conn)
        };
        within(
            self.connect_timeout,
            |limit| {
                format!(
                    "could not connect to {} within {} s",
                    target.authority,
                    limit.as_secs_f64()
                )
            },
            connect,
        )
        .await
    }
}

fn proxy_error(message: String, retry_safe: bool) -> ConnectorError {
    let failure = Box::new(crate::proxy::ProxyFailure { message, retry_safe });
    if retry_safe {
        ConnectorError::io(failure)
    } else {
        ConnectorError::user(failure)
    }
}

/// How a TLS handshake failed.
enum Handshake {
    /// The certificate was refused (or the bundle is unusable): a `TlsError`, never retried.
    Refused(String),
    /// The handshake itself failed (the connection dropped, a protocol error).
    Failed(std::io::Error),
    /// Any other error, already classified.
    Other(ConnectorError),
}

impl Connector {
    /// TLS over `io` to `host`, trusting this client's CAs.
    async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        host: &str,
        io: S,
    ) -> Result<tokio_rustls::client::TlsStream<S>, Handshake> {
        let name = rustls::pki_types::ServerName::try_from(host.to_string())
            .map_err(|e| Handshake::Other(user_error(format!("invalid host name {host:?}: {e}"))))?;
        let config = self.net.trust.config().map_err(Handshake::Refused)?;
        tokio_rustls::TlsConnector::from(config)
            .connect(name, io)
            .await
            .map_err(|e| match crate::tls::name_refusal(&e, host, &self.net.trust) {
                Some(refused) => Handshake::Refused(refused),
                None => Handshake::Failed(e),
            })
    }
}

/// Open a `CONNECT` tunnel to `target` through `proxy` on `tcp`; the same stream, now a tunnel.
async fn tunnel<S: AsyncRead + AsyncWrite + Unpin>(
    mut tcp: S,
    proxy: &Proxy,
    target: &Target,
) -> Result<S, ConnectorError> {
    let hostport = format!("{}:{}", bracketed(&target.host), target.port);
    let mut head = format!("CONNECT {hostport} HTTP/1.1\r\nhost: {hostport}\r\n");
    if let Some(auth) = &proxy.authorization {
        head.push_str(&format!("proxy-authorization: {auth}\r\n"));
    }
    head.push_str("\r\n");
    let named = |what: String, retry_safe: bool| {
        proxy_error(
            format!("the proxy {} (from {}) {what}", proxy.shown, proxy.from),
            retry_safe,
        )
    };
    tcp.write_all(head.as_bytes())
        .await
        .map_err(|e| named(format!("closed the connection: {e}"), true))?;
    let mut buf = Vec::with_capacity(1024);
    loop {
        let mut chunk = [0u8; 1024];
        let n = tcp
            .read(&mut chunk)
            .await
            .map_err(|e| named(format!("closed the connection: {e}"), true))?;
        if n == 0 {
            return Err(named("closed the connection before answering CONNECT".into(), true));
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
        if buf.len() > 16 * 1024 {
            return Err(named("answered CONNECT with an oversized head".into(), false));
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut answer = httparse::Response::new(&mut headers);
    let code = match answer.parse(&buf) {
        Ok(_) => answer.code.unwrap_or(0),
        Err(e) => {
            return Err(named(
                format!("answered CONNECT with something that is not HTTP: {e}"),
                false,
            ))
        }
    };
    if (200..300).contains(&code) {
        return Ok(tcp);
    }
    let reason = answer.reason.unwrap_or("");
    let hint = match code {
        407 if proxy.authorization.is_some() => format!(" (check the user and password in {})", proxy.from),
        407 => format!(
            " (it wants a user and password: http://user:pass@host:port in {})",
            proxy.from
        ),
        _ => String::new(),
    };
    Err(named(
        format!("refused the tunnel to {hostport}: HTTP {code} {reason}{hint}"),
        code >= 500,
    ))
}

fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// `content-length` as `Content-Length`.
fn title_case(out: &mut Vec<u8>, name: &str) {
    let mut upper = true;
    for b in name.bytes() {
        out.push(if upper { b.to_ascii_uppercase() } else { b });
        upper = b == b'-';
    }
}

/// Request line and headers; `Host` and `Content-Length` added when the SDK did not set them.
/// Through an http proxy (`proxy`), the request line names the whole URL and the proxy's
/// credentials go in `Proxy-Authorization`.
fn request_head(request: &HttpRequest, target: &Target, body_len: usize, proxy: Option<&Proxy>) -> Vec<u8> {
    let mut head = Vec::with_capacity(512);
    head.extend_from_slice(request.method().as_bytes());
    head.push(b' ');
    if proxy.is_some() {
        head.extend_from_slice(b"http://");
        head.extend_from_slice(target.authority.as_bytes());
    }
    head.extend_from_slice(target.path.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\n");
    if let Some(auth) = proxy.and_then(|p| p.authorization.as_deref()) {
        head.extend_from_slice(b"proxy-authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    let headers = request.headers();
    if !headers.contains_key("host") {
        head.extend_from_slice(b"Host: ");
        head.extend_from_slice(target.authority.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    for (name, value) in headers {
        if proxy.is_some() {
            // Header names as botocore writes them (Content-Length): a proxy parses this request,
            // and some match names case-sensitively (proxy.py then adds a second Content-Length).
            title_case(&mut head, name);
        } else {
            head.extend_from_slice(name.as_bytes());
        }
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    let needs_length = body_len > 0 || !matches!(request.method(), "GET" | "HEAD" | "DELETE" | "OPTIONS");
    if needs_length && !headers.contains_key("content-length") {
        head.extend_from_slice(format!("Content-Length: {body_len}\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// Read more into `buf`; the number of bytes read (0 at end of stream).
async fn read_more(conn: &mut Conn, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    if buf.capacity() - buf.len() < 4096 {
        buf.reserve(16 * 1024);
    }
    conn.read_buf(buf).await
}

/// Read more of an answer that is not complete yet: the end of the stream is an error.
async fn read_rest(conn: &mut Conn, buf: &mut Vec<u8>) -> Result<(), Failure> {
    match read_more(conn, buf).await {
        Ok(0) => Err(Failure::Io("connection closed in the middle of the answer".into())),
        Ok(_) => Ok(()),
        Err(e) => Err(Failure::Io(format!("reading the answer failed: {e}"))),
    }
}

/// How the answer's body ends.
enum Framing {
    Length(usize),
    Chunked,
    Close,
}

/// Write the request (head and body), read the answer: the response, and whether the
/// connection can be kept.
async fn exchange(conn: &mut Conn, wire: &[u8]) -> Result<(HttpResponse, bool), Failure> {
    let nothing = |e: std::io::Error| Failure::Io(format!("connection closed before an answer: {e}"));
    conn.write_all(wire).await.map_err(nothing)?;
    conn.flush().await.map_err(nothing)?;

    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let (builder, head_len, framing, keep) = loop {
        match read_more(conn, &mut buf).await {
            Ok(0) if buf.is_empty() => return Err(Failure::Io("connection closed before an answer".into())),
            Ok(0) => return Err(Failure::Io("connection closed in the middle of the answer".into())),
            Ok(_) => {}
            Err(e) if buf.is_empty() => return Err(nothing(e)),
            Err(e) => return Err(Failure::Io(format!("reading the answer failed: {e}"))),
        }
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Response::new(&mut headers);
        let head_len = match parsed.parse(&buf) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
                return Err(Failure::Protocol("the answer's headers are too large".into()))
            }
            Ok(httparse::Status::Partial) => continue,
            Err(e) => return Err(Failure::Protocol(format!("malformed HTTP answer: {e}"))),
        };
        let status = parsed.code.unwrap_or(0);
        if (100..200).contains(&status) && status != 101 {
            // An interim answer (100 Continue): the real one follows.
            buf.drain(..head_len);
            continue;
        }
        let mut builder = http::Response::builder().status(status);
        let mut length = None;
        let mut chunked = false;
        let mut close = parsed.version != Some(1);
        for h in parsed.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                let text = std::str::from_utf8(h.value).unwrap_or("").trim();
                length = Some(
                    text.parse::<usize>()
                        .map_err(|_| Failure::Protocol(format!("invalid Content-Length {text:?}")))?,
                );
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = h.value.to_ascii_lowercase().ends_with(b"chunked");
            } else if h.name.eq_ignore_ascii_case("connection") {
                let value = h.value.to_ascii_lowercase();
                if value.windows(5).any(|w| w == b"close") {
                    close = true;
                } else if value.windows(10).any(|w| w == b"keep-alive") {
                    close = false;
                }
            }
            builder = builder.header(h.name, h.value);
        }
        let framing = if chunked {
            Framing::Chunked
        } else if status == 204 || status == 304 {
            Framing::Length(0)
        } else if let Some(n) = length {
            Framing::Length(n)
        } else {
            Framing::Close
        };
        let keep = !close && !matches!(framing, Framing::Close);
        break (builder, head_len, framing, keep);
    };

    buf.drain(..head_len);
    let body = match framing {
        Framing::Length(n) => {
            if n > MAX_BODY {
                return Err(Failure::Protocol(format!("the answer's body is too large ({n} bytes)")));
            }
            while buf.len() < n {
                read_rest(conn, &mut buf).await?;
            }
            buf.truncate(n);
            buf
        }
        Framing::Close => loop {
            if buf.len() > MAX_BODY {
                return Err(Failure::Protocol("the answer's body is too large".into()));
            }
            if read_more(conn, &mut buf)
                .await
                .map_err(|e| Failure::Io(format!("reading the answer failed: {e}")))?
                == 0
            {
                break buf;
            }
        },
        Framing::Chunked => read_chunked(conn, buf).await?,
    };
    let response = builder
        .body(SdkBody::from(body))
        .map_err(|e| Failure::Protocol(format!("malformed HTTP answer: {e}")))?;
    let response =
        HttpResponse::try_from(response).map_err(|e| Failure::Protocol(format!("malformed HTTP answer: {e}")))?;
    Ok((response, keep))
}

/// Decode a chunked body; `buf` holds what was read past the head.
async fn read_chunked(conn: &mut Conn, mut buf: Vec<u8>) -> Result<Vec<u8>, Failure> {
    async fn line_end(conn: &mut Conn, buf: &mut Vec<u8>, from: usize) -> Result<usize, Failure> {
        loop {
            if let Some(i) = buf[from..].windows(2).position(|w| w == b"\r\n") {
                return Ok(from + i);
            }
            if buf.len() - from > MAX_HEAD {
                return Err(Failure::Protocol("malformed chunked answer: line too long".into()));
            }
            read_rest(conn, buf).await?;
        }
    }
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let end = line_end(conn, &mut buf, pos).await?;
        let line = std::str::from_utf8(&buf[pos..end]).unwrap_or("");
        let digits = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(digits, 16)
            .map_err(|_| Failure::Protocol(format!("malformed chunked answer: chunk size {digits:?}")))?;
        pos = end + 2;
        if size == 0 {
            // Trailers, if any, up to an empty line.
            loop {
                let end = line_end(conn, &mut buf, pos).await?;
                let empty = end == pos;
                pos = end + 2;
                if empty {
                    return Ok(out);
                }
            }
        }
        if out.len() + size > MAX_BODY {
            return Err(Failure::Protocol("the answer's body is too large".into()));
        }
        while buf.len() < pos + size + 2 {
            read_rest(conn, &mut buf).await?;
        }
        if &buf[pos + size..pos + size + 2] != b"\r\n" {
            return Err(Failure::Protocol(
                "malformed chunked answer: chunk not followed by CRLF".into(),
            ));
        }
        out.extend_from_slice(&buf[pos..pos + size]);
        pos += size + 2;
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    /// A loopback server answering each request with the next of `answers` (raw bytes); one
    /// connection serves requests until its answer list says `None` (close). Counts accepts.
    fn serve(answers: Vec<Option<&'static [u8]>>) -> (String, Arc<AtomicUsize>, std::thread::JoinHandle<Vec<Vec<u8>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        let accepts = Arc::new(AtomicUsize::new(0));
        let counter = accepts.clone();
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut answers = answers.into_iter().peekable();
            'outer: loop {
                let Ok((mut sock, _)) = listener.accept() else { break };
                counter.fetch_add(1, Ordering::SeqCst);
                loop {
                    let mut request = Vec::new();
                    let mut byte = [0u8; 4096];
                    // Read one request: head up to CRLFCRLF, then Content-Length bytes.
                    let complete = loop {
                        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                            let len = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length: "))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            if request.len() >= end + 4 + len {
                                break true;
                            }
                        }
                        match sock.read(&mut byte) {
                            Ok(0) | Err(_) => break false,
                            Ok(n) => request.extend_from_slice(&byte[..n]),
                        }
                    };
                    if !complete {
                        continue 'outer;
                    }
                    seen.push(request);
                    match answers.next() {
                        Some(Some(answer)) => {
                            let _ = sock.write_all(answer);
                            if answers.peek().is_none() {
                                break 'outer;
                            }
                        }
                        Some(None) => continue 'outer, // close without answering
                        None => break 'outer,
                    }
                }
            }
            seen
        });
        (url, accepts, handle)
    }

    fn request(url: &str, body: &str) -> HttpRequest {
        let mut req = HttpRequest::new(SdkBody::from(body.to_string()));
        req.set_uri(url).expect("uri");
        req.set_method("POST").expect("method");
        req.headers_mut()
            .insert("content-type", "application/x-www-form-urlencoded");
        req
    }

    fn connector() -> Connector {
        Connector {
            net: Arc::default(),
            connect_timeout: Some(Duration::from_secs(2)),
            read_timeout: Some(Duration::from_secs(5)),
        }
    }

    fn body(r: &HttpResponse) -> String {
        String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned()
    }

    #[tokio::test]
    async fn keeps_connections_and_decodes_lengths_and_chunks() {
        let (url, accepts, server) = serve(vec![
            Some(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Amzn-RequestId: r1\r\n\r\nhello"),
            Some(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: t\r\n\r\n"),
            Some(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"),
        ]);
        let c = connector();
        let first = c
            .send(&request(&url, "Action=GetRole&RoleName=a"))
            .await
            .expect("first");
        assert_eq!(first.status().as_u16(), 200);
        assert_eq!(body(&first), "hello");
        assert_eq!(first.headers().get("x-amzn-requestid"), Some("r1"));
        let second = c.send(&request(&url, "b")).await.expect("second");
        assert_eq!(body(&second), "abcdefg");
        let third = c.send(&request(&url, "c")).await.expect("third");
        assert_eq!(third.status().as_u16(), 404);
        assert_eq!(body(&third), "no");
        assert_eq!(
            accepts.load(Ordering::SeqCst),
            1,
            "one kept connection served all three"
        );
        let seen = server.join().expect("server");
        let text = String::from_utf8_lossy(&seen[0]).into_owned();
        assert!(text.starts_with("POST / HTTP/1.1\r\n"), "{text}");
        let host = format!("Host: {}\r\n", url.trim_start_matches("http://").trim_end_matches('/'));
        assert!(text.contains(&host), "{text}");
        assert!(text.contains("Content-Length: 25\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\nAction=GetRole&RoleName=a"), "{text}");
    }

    #[tokio::test]
    async fn a_closed_kept_connection_is_replaced_and_a_lost_answer_is_not_resent() {
        let (url, accepts, server) = serve(vec![
            Some(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            // The server reads the second request and closes without answering.
            None,
            Some(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nagain"),
        ]);
        let c = connector();
        assert_eq!(body(&c.send(&request(&url, "a")).await.expect("first")), "ok");
        let err = c.send(&request(&url, "b")).await.expect_err("answer lost");
        assert!(err.is_io(), "{err:?}");
        assert_eq!(accepts.load(Ordering::SeqCst), 1, "the lost request was not sent again");
        // The closed connection was not kept: the next request opens a new one.
        assert_eq!(body(&c.send(&request(&url, "c")).await.expect("fresh")), "again");
        assert_eq!(accepts.load(Ordering::SeqCst), 2);
        let seen = server.join().expect("server");
        assert_eq!(seen.len(), 3);
    }

    #[tokio::test]
    async fn a_connection_closed_while_idle_is_not_used() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        let server = std::thread::spawn(move || {
            let mut answered = 0;
            for _ in 0..2 {
                let Ok((mut sock, _)) = listener.accept() else { break };
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf);
                let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                answered += 1;
                // Keep-alive promised, then closed while idle.
                drop(sock);
            }
            answered
        });
        let c = connector();
        assert_eq!(body(&c.send(&request(&url, "a")).await.expect("first")), "ok");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            body(&c.send(&request(&url, "b")).await.expect("second, on a new connection")),
            "ok"
        );
        assert_eq!(server.join().expect("server"), 2);
    }

    #[tokio::test]
    async fn a_truncated_or_malformed_answer_is_an_error_not_a_hang() {
        let (url, _accepts, server) = serve(vec![Some(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")]);
        let c = Connector {
            net: Arc::default(),
            connect_timeout: Some(Duration::from_secs(2)),
            read_timeout: Some(Duration::from_millis(500)),
        };
        let err = c.send(&request(&url, "a")).await.expect_err("truncated");
        assert!(err.is_timeout() || err.is_io(), "{err:?}");
        drop(server);

        let (url, _accepts, server) = serve(vec![Some(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n")]);
        let err = c.send(&request(&url, "a")).await.expect_err("bad length");
        assert!(format!("{err:?}").contains("invalid Content-Length"), "{err:?}");
        drop(server);
    }

    #[tokio::test]
    async fn a_refused_connection_says_so() {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let err = connector()
            .send(&request(&format!("http://127.0.0.1:{port}/"), "a"))
            .await
            .expect_err("refused");
        assert!(err.is_io(), "{err:?}");
        assert!(format!("{err:?}").contains("tcp connect error"), "{err:?}");
    }

    #[test]
    fn targets_strip_default_ports_and_keep_others() {
        let t = Target::parse("https://iam.amazonaws.com:443/?Action=x").expect("parse");
        assert!(t.tls);
        assert_eq!(
            (t.host.as_str(), t.port, t.authority.as_str()),
            ("iam.amazonaws.com", 443, "iam.amazonaws.com")
        );
        assert_eq!(t.path, "/?Action=x");
        let t = Target::parse("http://[::1]:5000").expect("parse");
        assert_eq!(
            (t.host.as_str(), t.port, t.authority.as_str(), t.path.as_str()),
            ("::1", 5000, "[::1]:5000", "/")
        );
        assert!(Target::parse("ftp://x/").is_err());
    }
}
