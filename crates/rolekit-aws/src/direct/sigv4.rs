//! SigV4 for the requests rolekit signs itself (`direct`): a POST (or a GET with a query string
//! already in canonical order, as S3's `?policy`), its body hashed whole, `user-agent` left unsigned (as aws-sigv4 leaves it). The key derivation and
//! the signature are aws-sigv4's own (`generate_signing_key`, `calculate_signature`); what this
//! file adds is what the library lacks: the canonical request of this one request shape built
//! without its generic request model, and the signing key kept per key id, day, region and
//! service instead of derived at every request (four HMACs saved each time). aws-sigv4's full
//! signer is the oracle in the tests.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::SystemTime;

use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use ring::digest;

/// What one request's signature depends on besides its own content.
pub struct Context<'a> {
    pub key_id: &'a str,
    pub secret: &'a str,
    pub session_token: Option<&'a str>,
    pub region: &'a str,
    pub service: &'a str,
    pub time: SystemTime,
}

struct Cached {
    key_id: String,
    day: String,
    region: String,
    service: String,
    key: Vec<u8>,
}

/// Signs requests, keeping the last signing key it derived.
#[derive(Default)]
pub struct Signer {
    cached: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer")
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// SigV4's URI encoding: unreserved characters kept, everything else `%XX`; `/` kept when asked.
fn uri_encode(out: &mut String, text: &str, keep_slash: bool) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b'/' if keep_slash => out.push('/'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

/// A header value as SigV4 canonicalizes it: trimmed, inner runs of spaces made one.
fn canonical_value(out: &mut String, value: &str) {
    let mut space = false;
    for c in value.trim().chars() {
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
}

impl Signer {
    /// The headers that sign a `method` request of `body` to `path?query` with `headers`
    /// (lower-case names, `host` among them; `query` canonical already): `x-amz-date`,
    /// `x-amz-security-token` with a session token, `authorization`.
    pub fn sign(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        cx: &Context<'_>,
    ) -> Vec<(&'static str, String)> {
        let time = chrono::DateTime::<chrono::Utc>::from(cx.time);
        let amz_date = time.format("%Y%m%dT%H%M%SZ").to_string();
        let day = &amz_date[..8];

        let mut signed: Vec<(&str, &str)> = headers
            .iter()
            .copied()
            .filter(|(name, _)| *name != "user-agent")
            .collect();
        signed.push(("x-amz-date", &amz_date));
        if let Some(token) = cx.session_token {
            signed.push(("x-amz-security-token", token));
        }
        signed.sort_by(|a, b| a.0.cmp(b.0));

        let mut canonical = String::with_capacity(512);
        canonical.push_str(method);
        canonical.push('\n');
        if path.is_empty() {
            canonical.push('/');
        } else {
            uri_encode(&mut canonical, path, true);
        }
        canonical.push('\n');
        canonical.push_str(query);
        canonical.push('\n');
        for (name, value) in &signed {
            canonical.push_str(name);
            canonical.push(':');
            canonical_value(&mut canonical, value);
            canonical.push('\n');
        }
        canonical.push('\n');
        let names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
        let names = names.join(";");
        canonical.push_str(&names);
        canonical.push('\n');
        canonical.push_str(&hex(digest::digest(&digest::SHA256, body).as_ref()));

        let scope = format!("{day}/{}/{}/aws4_request", cx.region, cx.service);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
        );
        let signature = {
            let mut cached = self.cached.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let fresh = cached.as_ref().is_some_and(|c| {
                c.key_id == cx.key_id && c.day == day && c.region == cx.region && c.service == cx.service
            });
            if !fresh {
                let key = generate_signing_key(cx.secret, cx.time, cx.region, cx.service);
                *cached = Some(Cached {
                    key_id: cx.key_id.to_string(),
                    day: day.to_string(),
                    region: cx.region.to_string(),
                    service: cx.service.to_string(),
                    key: key.as_ref().to_vec(),
                });
            }
            match cached.as_ref() {
                Some(c) => calculate_signature(&c.key, to_sign.as_bytes()),
                None => String::new(),
            }
        };
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={names}, Signature={signature}",
            cx.key_id
        );
        let mut out = vec![("x-amz-date", amz_date.clone())];
        if let Some(token) = cx.session_token {
            out.push(("x-amz-security-token", token.to_string()));
        }
        out.push(("authorization", authorization));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;
    use std::time::Duration;

    /// aws-sigv4's headers for the same request.
    fn oracle(url: &str, headers: &[(&str, &str)], body: &[u8], cx: &Context<'_>) -> Vec<(String, String)> {
        oracle_for("POST", url, headers, body, cx)
    }

    fn oracle_for(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        cx: &Context<'_>,
    ) -> Vec<(String, String)> {
        let creds = aws_credential_types::Credentials::new(
            cx.key_id,
            cx.secret,
            cx.session_token.map(str::to_string),
            None,
            "test",
        );
        let identity = creds.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(cx.region)
            .name(cx.service)
            .time(cx.time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new(method, url, headers.iter().copied(), SignableBody::Bytes(body)).unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut out: Vec<(String, String)> = instructions
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn signatures_match_aws_sigv4() {
        let signer = Signer::default();
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_878_000);
        let cases: [(&str, &str, Option<&str>, &str, &str, &[u8]); 4] = [
            (
                "https://iam.amazonaws.com/",
                "/",
                None,
                "us-east-1",
                "iam",
                b"Action=GetRole&Version=2010-05-08&RoleName=x",
            ),
            (
                "https://sts.eu-west-1.amazonaws.com/",
                "/",
                Some("FQoGZXIvYXdzEXAMPLETOKEN"),
                "eu-west-1",
                "sts",
                b"Action=AssumeRole&RoleSessionName=a+b",
            ),
            (
                "http://127.0.0.1:5000/",
                "/",
                Some("token"),
                "us-east-1",
                "sagemaker",
                b"{\"DomainId\": \"d-1\"}",
            ),
            (
                "http://localhost:4566/a%20b/c-d_e.f~g",
                "/a%20b/c-d_e.f~g",
                None,
                "us-east-1",
                "iam",
                b"",
            ),
        ];
        for (hour, (url, path, token, region, service, body)) in cases.into_iter().enumerate() {
            // The same signer across cases and days: the cached key must follow each change.
            for day in [0u64, 0, 1] {
                let cx = Context {
                    key_id: "AKIDEXAMPLE",
                    secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    session_token: token,
                    region,
                    service,
                    time: start + Duration::from_secs(day * 86_400 + hour as u64 * 3_600),
                };
                let host = url.split("://").nth(1).unwrap().split('/').next().unwrap();
                let headers = [
                    ("host", host),
                    ("content-type", "application/x-www-form-urlencoded;  charset=utf-8 "),
                    ("x-amz-target", "SageMaker.DescribeDomain"),
                    ("user-agent", "rolekit/test"),
                ];
                let mut ours: Vec<(String, String)> = signer
                    .sign("POST", path, "", &headers, body, &cx)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                ours.sort();
                assert_eq!(ours, oracle(url, &headers, body, &cx), "{url} {service} day {day}");
            }
        }
    }

    #[test]
    fn a_get_with_a_query_is_signed_as_aws_sigv4_signs_it() {
        let signer = Signer::default();
        let empty = hex(digest::digest(&digest::SHA256, b"").as_ref());
        for (url, path, query) in [
            ("https://data.s3.us-east-1.amazonaws.com/?policy", "/", "policy="),
            ("http://127.0.0.1:5000/data?policy", "/data", "policy="),
        ] {
            let cx = Context {
                key_id: "AKIDEXAMPLE",
                secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                session_token: Some("token"),
                region: "us-east-1",
                service: "s3",
                time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            };
            let host = url.split("://").nth(1).unwrap().split('/').next().unwrap();
            let headers = [("host", host), ("x-amz-content-sha256", empty.as_str())];
            let mut ours: Vec<(String, String)> = signer
                .sign("GET", path, query, &headers, b"", &cx)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            ours.sort();
            assert_eq!(ours, oracle_for("GET", url, &headers, b"", &cx), "{url}");
        }
    }
}
