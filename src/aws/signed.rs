//! Signed requests sent without the SDK's orchestrator: the calls rolekit makes most often
//! (the role read, AssumeRole) and the three SageMaker calls.
//!
//! The SDK's orchestrator (interceptors, layered config bags, retry classifiers, identity and
//! endpoint resolution per request, tracing spans) cost about 130 µs of CPU per request on the
//! benchmark machine, more than a request's whole exchange on a kept connection; for the calls a
//! notebook makes in loops, rolekit does the same work once per client instead. What stays the
//! SDK's: the endpoint rules (each service's generated resolver, run once per client), the
//! credentials chain (cached here, refreshed before expiry). What is done here as the SDK does it,
//! and tested against it: SigV4 signing (`sigv4`, the signing key derived once a day),
//! standard-mode retries (throttling, 5xx, transient failures; exponential backoff with jitter,
//! capped at 20 s) and adaptive mode's rate limiting on top when configured (`adaptive`),
//! per-attempt timeouts, and clock-skew correction from the server's `Date`
//! header. Every other call goes through the SDK clients.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::Document;

use super::adaptive::RateLimiter;
use super::config::{
    ClientOptions, RetryMode, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_READ_TIMEOUT, FALLBACK_REGION,
};
use super::error::{ErrorKind, ServiceError};
use super::sigv4::Signer;
use super::transport::Connector;
use super::xml::Node;
use super::{Client, Error};

/// The services rolekit signs requests for itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Iam,
    Sts,
    SageMaker,
}

impl Service {
    fn api_version(self) -> &'static str {
        match self {
            Self::Iam => "2010-05-08",
            Self::Sts => "2011-06-15",
            Self::SageMaker => "2017-07-24",
        }
    }
}

/// Where one service's requests go and how they are signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub host: String,
    /// The URL's path, as sent (`/` for AWS's own endpoints).
    pub path: String,
    pub signing_region: String,
    pub signing_name: String,
}

impl Endpoint {
    fn new(url: &str, signing_region: &str, signing_name: &str) -> Self {
        let url = if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        };
        let rest = url.split("://").nth(1).unwrap_or_default();
        let (host, path) = rest.find('/').map_or((rest, "/"), |at| rest.split_at(at));
        let path = path.split(['?', '#']).next().unwrap_or("/").to_string();
        let host = host.to_string();
        Self {
            url,
            host,
            path,
            signing_region: signing_region.to_string(),
            signing_name: signing_name.to_string(),
        }
    }

    /// From a resolved SDK endpoint: its URL, and the SigV4 scheme's region and name if it says.
    fn from_resolved(resolved: &aws_smithy_types::endpoint::Endpoint, region: &str, name: &str) -> Self {
        let scheme = resolved.auth_schemes().iter().find(|s| s.name() == "sigv4");
        let field = |key: &str| match scheme.and_then(|s| s.get(key)) {
            Some(Document::String(s)) => Some(s.as_str()),
            _ => None,
        };
        Self::new(
            resolved.url(),
            field("signingRegion").unwrap_or(region),
            field("signingName").unwrap_or(name),
        )
    }
}

/// The endpoint override for one service, as the SDK's `Config::from(&SdkConfig)` decides it:
/// an explicit `endpoint_url` wins; then `AWS_ENDPOINT_URL_<SERVICE>` or the profile's
/// `services` section; then `AWS_ENDPOINT_URL`.
fn endpoint_override(sdk: &SdkConfig, service_id: &str, env: &str) -> Option<String> {
    if sdk.get_origin("endpoint_url").is_client_config() {
        return sdk.endpoint_url().map(str::to_string);
    }
    let key = aws_types::service_config::ServiceConfigKey::builder()
        .service_id(service_id)
        .env(env)
        .profile("endpoint_url")
        .build()
        .ok();
    key.and_then(|key| sdk.service_config().and_then(|c| c.load_config(key)))
        .or_else(|| sdk.endpoint_url().map(str::to_string))
}

/// A service's endpoint through its generated resolver (the crates' `Params` types differ, hence
/// a macro): the same rules the SDK client applies at every request, applied once.
macro_rules! resolve_with {
    ($krate:ident, $sdk:expr, $region:expr, $service_id:literal, $env:literal, $name:literal) => {{
        use $krate::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
        let (sdk, region): (&SdkConfig, &str) = ($sdk, $region);
        let params = Params::builder()
            .region(region)
            .set_use_fips(sdk.use_fips())
            .set_use_dual_stack(sdk.use_dual_stack())
            .set_endpoint(endpoint_override(sdk, $service_id, $env))
            .build()
            .map_err(|e| e.to_string())?;
        let resolved = DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .map_err(|e| super::error::describe(&*e))?;
        Ok(Endpoint::from_resolved(&resolved, region, $name))
    }};
}

async fn resolve_iam(sdk: &SdkConfig, region: &str) -> Result<Endpoint, String> {
    resolve_with!(aws_sdk_iam, sdk, region, "IAM", "AWS_ENDPOINT_URL_IAM", "iam")
}

async fn resolve_sts(sdk: &SdkConfig, region: &str) -> Result<Endpoint, String> {
    resolve_with!(aws_sdk_sts, sdk, region, "STS", "AWS_ENDPOINT_URL_STS", "sts")
}

/// SageMaker's endpoint (rolekit does not build the SageMaker SDK, so no generated resolver).
fn sagemaker_endpoint(sdk: &SdkConfig, region: &str) -> Endpoint {
    let url = match endpoint_override(sdk, "SageMaker", "AWS_ENDPOINT_URL_SAGEMAKER") {
        Some(url) if !url.is_empty() => url,
        _ if region.starts_with("cn-") => format!("https://api.sagemaker.{region}.amazonaws.com.cn/"),
        _ => format!("https://api.sagemaker.{region}.amazonaws.com/"),
    };
    Endpoint::new(&url, region, "sagemaker")
}

/// Credentials from the configured provider, kept until a minute before they expire (an hour
/// for credentials without an expiry, as long-term keys are).
#[derive(Debug)]
struct CredentialsCache {
    provider: SharedCredentialsProvider,
    cached: tokio::sync::Mutex<Option<(aws_credential_types::Credentials, SystemTime)>>,
}

impl CredentialsCache {
    async fn get(&self, operation: &str) -> Result<aws_credential_types::Credentials, Error> {
        let mut cached = self.cached.lock().await;
        let now = SystemTime::now();
        if let Some((creds, until)) = &*cached {
            if now < *until {
                return Ok(creds.clone());
            }
        }
        let creds = self
            .provider
            .provide_credentials()
            .await
            .map_err(|e| Error::NoCredentials {
                operation: operation.into(),
                cause: super::error::describe(&e),
            })?;
        let until = match creds.expiry() {
            Some(expiry) => expiry
                .checked_sub(Duration::from_secs(60))
                .filter(|t| *t > now)
                .unwrap_or(expiry),
            None => now + Duration::from_secs(3600),
        };
        *cached = Some((creds.clone(), until));
        Ok(creds)
    }
}

/// An answer from the service (any status).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub request_id: Option<String>,
    pub content_type: String,
    pub body: String,
}

/// The per-client state of direct requests: endpoints, credentials, retry and timeout settings.
#[derive(Debug)]
pub struct Direct {
    iam: Result<Endpoint, String>,
    sts: Result<Endpoint, String>,
    sagemaker: Endpoint,
    credentials: Option<CredentialsCache>,
    max_attempts: u32,
    attempt_timeout: Duration,
    connector: Connector,
    signer: Signer,
    /// Adaptive retry mode's client-side rate limiter (`None` in standard mode).
    limiter: Option<RateLimiter>,
    /// The limiter's clock.
    started: Instant,
    /// Where requests go, for messages: the endpoint override, or `AWS (REGION)`.
    label: String,
    /// The server's clock minus ours, in seconds, when they differ by more than a minute.
    skew: AtomicI64,
}

impl Direct {
    /// Resolve endpoints and settings once, from the same configuration as the SDK clients.
    pub async fn new(sdk: &SdkConfig, options: &ClientOptions) -> Self {
        let region = sdk.region().map_or(FALLBACK_REGION, aws_config::Region::as_ref);
        let read = options.timeout.unwrap_or(DEFAULT_READ_TIMEOUT);
        let connect = read.min(DEFAULT_CONNECT_TIMEOUT);
        Self {
            iam: resolve_iam(sdk, region).await,
            sts: resolve_sts(sdk, region).await,
            sagemaker: sagemaker_endpoint(sdk, region),
            credentials: sdk.credentials_provider().map(|provider| CredentialsCache {
                provider,
                cached: tokio::sync::Mutex::new(None),
            }),
            max_attempts: options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1),
            attempt_timeout: read + connect,
            connector: Connector::new(Some(connect), Some(read)),
            signer: Signer::default(),
            limiter: (options.retry_mode == RetryMode::Adaptive).then(|| RateLimiter::new(0.0)),
            started: Instant::now(),
            label: super::config::describe_endpoint(sdk),
            skew: AtomicI64::new(0),
        }
    }

    /// Where `service`'s requests go.
    pub fn endpoint(&self, service: Service) -> Result<&Endpoint, Error> {
        match service {
            Service::Iam => self.iam.as_ref(),
            Service::Sts => self.sts.as_ref(),
            Service::SageMaker => Ok(&self.sagemaker),
        }
        .map_err(|e| Error::Config(format!("no endpoint for {service:?}: {e}")))
    }

    /// Sign and send one request, retrying throttling, 5xx answers and failed exchanges;
    /// the answer with status 200, or the error (`service_error` reads the service's error body).
    pub async fn send(
        &self,
        service: Service,
        operation: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        service_error: impl Fn(&str, &Answer) -> Error,
    ) -> Result<Answer, Error> {
        let endpoint = self.endpoint(service)?;
        let credentials = self.credentials.as_ref().ok_or_else(|| Error::NoCredentials {
            operation: operation.into(),
            cause: "no credentials provider".into(),
        })?;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(limiter) = &self.limiter {
                let wait = limiter.acquire(self.started.elapsed().as_secs_f64());
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
            }
            let creds = credentials.get(operation).await?;
            let now = skewed(SystemTime::now(), self.skew.load(Ordering::Relaxed));
            let request = signed_request(endpoint, &self.signer, operation, headers, body, &creds, now)?;
            let outcome = tokio::time::timeout(self.attempt_timeout, self.connector.send(&request))
                .await
                .unwrap_or_else(|_| {
                    Err(aws_smithy_runtime_api::client::result::ConnectorError::timeout(
                        format!("no answer within {} s", self.attempt_timeout.as_secs_f64()).into(),
                    ))
                });
            let error = match outcome {
                Ok(response) => {
                    let headers = response.headers();
                    if let Some(date) = headers.get("date") {
                        self.note_clock(date);
                    }
                    let answer = Answer {
                        status: response.status().as_u16(),
                        request_id: headers
                            .get("x-amzn-requestid")
                            .or_else(|| headers.get("x-amz-request-id"))
                            .map(str::to_string),
                        content_type: headers.get("content-type").unwrap_or("no content type").to_string(),
                        body: String::from_utf8_lossy(response.body().bytes().unwrap_or_default()).into_owned(),
                    };
                    let error = (answer.status != 200).then(|| service_error(&self.label, &answer));
                    if let Some(limiter) = &self.limiter {
                        let throttled = error.as_ref().is_some_and(|e| e.kind() == Some(ErrorKind::Throttled));
                        limiter.update(self.started.elapsed().as_secs_f64(), throttled);
                    }
                    match error {
                        None => return Ok(answer),
                        Some(error) => error,
                    }
                }
                Err(e) => Error::Endpoint {
                    endpoint: self.label.clone(),
                    operation: operation.into(),
                    cause: super::error::describe(&e),
                },
            };
            if attempt >= self.max_attempts || !retryable(&error) {
                return Err(error);
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// Record the server's clock from a `Date` header when it differs from ours by over a minute.
    fn note_clock(&self, date: &str) {
        let Ok(server) = aws_smithy_types::DateTime::from_str(date, aws_smithy_types::date_time::Format::HttpDate)
        else {
            return;
        };
        let Ok(local) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) else {
            return;
        };
        let diff = server.secs() - i64::try_from(local.as_secs()).unwrap_or(i64::MAX);
        self.skew
            .store(if diff.abs() > 60 { diff } else { 0 }, Ordering::Relaxed);
    }
}

fn skewed(now: SystemTime, skew: i64) -> SystemTime {
    let by = Duration::from_secs(skew.unsigned_abs());
    if skew >= 0 {
        now + by
    } else {
        now.checked_sub(by).unwrap_or(now)
    }
}

/// Standard mode's classification: throttling, 5xx and failed exchanges are worth another try.
fn retryable(error: &Error) -> bool {
    match error {
        Error::Service(e) => {
            e.kind == ErrorKind::Throttled
                || e.status.is_some_and(|s| s >= 500)
                || matches!(
                    e.code.as_str(),
                    "RequestTimeout" | "RequestTimeoutException" | "PriorRequestNotComplete"
                )
        }
        Error::Endpoint { .. } => true,
        _ => false,
    }
}

/// Standard mode's backoff: a random fraction of 2^(attempt-1) seconds, at most 20 s.
fn backoff(attempt: u32) -> Duration {
    let cap = 2f64
        .powi(i32::try_from(attempt.saturating_sub(1)).unwrap_or(8).min(8))
        .min(20.0);
    Duration::from_secs_f64(fastrand::f64() * cap)
}

fn signed_request(
    endpoint: &Endpoint,
    signer: &Signer,
    operation: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    creds: &aws_credential_types::Credentials,
    time: SystemTime,
) -> Result<HttpRequest, Error> {
    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(extra.len() + 2);
    headers.push(("host", endpoint.host.as_str()));
    headers.push(("user-agent", concat!("rolekit/", env!("CARGO_PKG_VERSION"))));
    headers.extend_from_slice(extra);
    let cx = super::sigv4::Context {
        key_id: creds.access_key_id(),
        secret: creds.secret_access_key(),
        session_token: creds.session_token(),
        region: &endpoint.signing_region,
        service: &endpoint.signing_name,
        time,
    };
    let signature = signer.sign(&endpoint.path, &headers, body, &cx);
    let mut builder = http::Request::builder().method("POST").uri(&endpoint.url);
    for (k, v) in &headers {
        builder = builder.header(*k, *v);
    }
    for (k, v) in signature {
        builder = builder.header(k, v);
    }
    let request = builder
        .body(SdkBody::from(body.to_vec()))
        .map_err(|e| Error::Config(format!("cannot build the {operation} request: {e}")))?;
    HttpRequest::try_from(request).map_err(|e| Error::Config(format!("cannot build the {operation} request: {e}")))
}

/// Form encoding (`application/x-www-form-urlencoded`) with spaces as `+`, as botocore writes it.
fn form_encode(out: &mut String, text: &str) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

/// The body of a Query-protocol request.
pub fn query_body(service: Service, action: &str, params: &[(&str, &str)]) -> String {
    let mut body = String::with_capacity(64 + params.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>());
    body.push_str("Action=");
    form_encode(&mut body, action);
    body.push_str("&Version=");
    body.push_str(service.api_version());
    for (k, v) in params {
        body.push('&');
        form_encode(&mut body, k);
        body.push('=');
        form_encode(&mut body, v);
    }
    body
}

/// A Query-protocol error answer (`<ErrorResponse><Error><Code>…`) as an error.
fn query_error(operation: &str, endpoint: &str, answer: &Answer) -> Error {
    let field = |name| super::error::xml_field(&answer.body, name);
    super::error::answer_error(
        operation,
        endpoint,
        Some(answer.status),
        answer.request_id.clone().or_else(|| field("RequestId")),
        &answer.content_type,
        &answer.body,
        field("Code"),
        field("Message"),
    )
}

impl Client {
    /// One Query-protocol (IAM, STS) call: its `<{action}Result>` element.
    pub(crate) async fn query(&self, service: Service, action: &str, params: &[(&str, &str)]) -> Result<Node, Error> {
        let body = query_body(service, action, params);
        let headers = [("content-type", "application/x-www-form-urlencoded; charset=utf-8")];
        let answer = self
            .direct()
            .send(service, action, &headers, body.as_bytes(), |endpoint, answer| {
                query_error(action, endpoint, answer)
            })
            .await?;
        let root = Node::parse(&answer.body)
            .map_err(|e| Error::Protocol(format!("{action}: the answer is not AWS's XML ({e})")))?;
        let result = format!("{action}Result");
        root.children
            .into_iter()
            .find(|c| c.name == result)
            .ok_or_else(|| Error::Protocol(format!("{action}: the answer has no <{result}>")))
    }

    /// Every page of an IAM list call (`Marker` / `IsTruncated`): each page's list `field`'s
    /// members, in order.
    pub(crate) async fn query_all(
        &self,
        action: &str,
        params: &[(&str, &str)],
        field: &str,
    ) -> Result<Vec<Node>, Error> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut all: Vec<(&str, &str)> = params.to_vec();
            if let Some(m) = &marker {
                all.push(("Marker", m));
            }
            let mut page = self.query(Service::Iam, action, &all).await?;
            let truncated = page.text_of("IsTruncated") == Some("true");
            let next = page.text_of("Marker").map(str::to_string);
            if let Some(list) = page.children.iter_mut().find(|c| c.name == field) {
                out.extend(
                    std::mem::take(&mut list.children)
                        .into_iter()
                        .filter(|c| c.name == "member"),
                );
            }
            match next {
                Some(next) if truncated && marker.as_deref() != Some(next.as_str()) => marker = Some(next),
                _ => return Ok(out),
            }
        }
    }

    /// One SageMaker JSON API call, signed with the client's credentials.
    pub async fn sagemaker_call(&self, operation: &str, body: &serde_json::Value) -> Result<serde_json::Value, Error> {
        let target = format!("SageMaker.{operation}");
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target.as_str()),
        ];
        let answer = self
            .direct()
            .send(
                Service::SageMaker,
                operation,
                &headers,
                body.to_string().as_bytes(),
                |_, answer| Error::Service(json_error(operation, answer)),
            )
            .await?;
        serde_json::from_str(&answer.body)
            .map_err(|e| Error::Protocol(format!("{operation}: the answer is not JSON: {e}")))
    }
}

/// A JSON-protocol error body (`{"__type": "...#Code", "message": "..."}`) as a service error.
pub fn json_error(operation: &str, answer: &Answer) -> ServiceError {
    let parsed: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or(serde_json::Value::Null);
    let text = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| parsed.get(*k).and_then(serde_json::Value::as_str))
            .map(str::to_string)
    };
    let code = text(["__type", "code"]).map_or_else(
        || format!("HTTP{}", answer.status),
        |t| t.rsplit('#').next().unwrap_or(&t).to_string(),
    );
    let message = text(["message", "Message"]).unwrap_or_else(|| answer.body.chars().take(300).collect());
    ServiceError {
        kind: ErrorKind::from_code(&code),
        code,
        message,
        operation: operation.into(),
        request_id: answer.request_id.clone(),
        status: Some(answer.status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            request_id: None,
            content_type: "text/xml".into(),
            body: body.into(),
        }
    }

    #[test]
    fn query_bodies_are_form_encoded() {
        assert_eq!(
            query_body(
                Service::Sts,
                "AssumeRole",
                &[("RoleSessionName", "a b"), ("Policy", "{\"x\":\"é/*\"}")]
            ),
            "Action=AssumeRole&Version=2011-06-15&RoleSessionName=a+b&Policy=%7B%22x%22%3A%22%C3%A9%2F%2A%22%7D"
        );
    }

    #[test]
    fn query_errors_are_typed() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>\
                    <Message>The role with name x cannot be found.</Message></Error>\
                    <RequestId>r-9</RequestId></ErrorResponse>";
        let Error::Service(e) = query_error("GetRole", "http://h", &answer(404, body)) else {
            panic!("not a service error");
        };
        assert_eq!(
            (e.kind, e.code.as_str(), e.request_id.as_deref(), e.status),
            (ErrorKind::NoSuchEntity, "NoSuchEntity", Some("r-9"), Some(404))
        );
        assert!(retryable(&query_error(
            "GetRole",
            "h",
            &answer(400, "<Error><Code>Throttling</Code></Error>")
        )));
        let html = query_error("GetRole", "http://h", &answer(502, "<html>Bad gateway</html>"));
        assert!(retryable(&html));
        assert!(
            html.to_string().contains("http://h did not answer like AWS (HTTP 502"),
            "{html}"
        );
        assert!(!retryable(&query_error(
            "GetRole",
            "h",
            &answer(403, "<Code>AccessDenied</Code>")
        )));
    }

    #[test]
    fn json_errors_are_typed() {
        let e = json_error(
            "DescribeDomain",
            &answer(
                400,
                r#"{"__type": "com.amazon.coral#AccessDeniedException", "message": "no"}"#,
            ),
        );
        assert_eq!(
            (e.kind, e.code.as_str(), e.message.as_str()),
            (ErrorKind::AccessDenied, "AccessDeniedException", "no")
        );
        assert_eq!(json_error("X", &answer(502, "<html>")).code, "HTTP502");
    }

    #[test]
    fn backoff_is_capped_and_skew_applies() {
        for attempt in 1..40 {
            assert!(backoff(attempt) <= Duration::from_secs(20));
        }
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        assert_eq!(skewed(t, 300), t + Duration::from_secs(300));
        assert_eq!(skewed(t, -300), t - Duration::from_secs(300));
    }

    #[tokio::test]
    async fn the_servers_clock_is_followed_when_it_is_far_off() {
        let direct = Direct::new(&SdkConfig::builder().build(), &ClientOptions::default()).await;
        let http_date = |t: SystemTime| {
            aws_smithy_types::DateTime::from(t)
                .fmt(aws_smithy_types::date_time::Format::HttpDate)
                .unwrap()
        };
        direct.note_clock(&http_date(SystemTime::now() + Duration::from_secs(600)));
        let skew = direct.skew.load(Ordering::Relaxed);
        assert!((598..=602).contains(&skew), "{skew}");
        direct.note_clock(&http_date(SystemTime::now() + Duration::from_secs(20)));
        assert_eq!(direct.skew.load(Ordering::Relaxed), 0);
        direct.note_clock("not a date");
        assert_eq!(direct.skew.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn endpoints_keep_their_host() {
        let e = Endpoint::new("http://127.0.0.1:5000", "us-east-1", "iam");
        assert_eq!(
            (e.url.as_str(), e.host.as_str()),
            ("http://127.0.0.1:5000/", "127.0.0.1:5000")
        );
    }

    #[tokio::test]
    async fn endpoints_follow_the_sdk_rules() {
        let sdk = SdkConfig::builder()
            .region(aws_config::Region::new("eu-west-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let iam = resolve_iam(&sdk, "eu-west-1").await.unwrap();
        assert_eq!(
            (iam.url.as_str(), iam.signing_region.as_str()),
            ("https://iam.amazonaws.com/", "us-east-1")
        );
        let sts = resolve_sts(&sdk, "eu-west-1").await.unwrap();
        assert_eq!(
            (sts.url.as_str(), sts.signing_region.as_str()),
            ("https://sts.eu-west-1.amazonaws.com/", "eu-west-1")
        );
        let cn = resolve_iam(&sdk, "cn-north-1").await.unwrap();
        assert_eq!(cn.url, "https://iam.cn-north-1.amazonaws.com.cn/");
        assert_eq!(
            sagemaker_endpoint(&sdk, "eu-west-1").url,
            "https://api.sagemaker.eu-west-1.amazonaws.com/"
        );
    }
}
