//! Requests rolekit signs and sends itself, without the SDK's orchestrator: the calls rolekit makes
//! most often (the role read, AssumeRole) and SageMaker's three calls.
//!
//! The SDK's orchestrator (interceptors, layered config bags, retry classifiers, identity and
//! endpoint resolution per request, tracing spans) cost about 130 µs of CPU per request on the
//! benchmark machine, more than a request's whole exchange on a kept connection; for the calls a
//! notebook makes in loops, rolekit does that work once per client instead. One file per concern:
//! - `endpoint`: where each service's requests go (the SDK's generated resolvers, run once);
//! - `sigv4`: SigV4 over aws-sigv4's key derivation and signature, the signing key cached a day;
//! - `retry`: standard mode (classification, backoff, retry quota); `adaptive`: adaptive mode's
//!   client-side rate limiter;
//! - `protocol`: AWS Query (IAM, STS) and JSON 1.1 (SageMaker) bodies, answers and errors;
//! - here: [`RequestSender`], the per-client state that ties them together (credentials cached
//!   until a minute before expiry, per-attempt timeouts, clock-skew correction from `Date`).
//!
//! Every other call goes through the SDK clients; both use the one connector in `transport`.

pub mod adaptive;
pub mod endpoint;
pub mod protocol;
pub mod retry;
pub mod sigv4;

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;

use crate::config::{
    ClientOptions, RetryMode, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_READ_TIMEOUT, FALLBACK_REGION,
};
use crate::error::ErrorKind;
use crate::transport::Connector;
use crate::Error;
pub use endpoint::{Endpoint, Service};
pub use protocol::Answer;
use retry::{backoff, retryable, RetryQuota};
use sigv4::Signer;

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
        let creds = match self.provider.provide_credentials().await {
            Ok(creds) => creds,
            Err(e) => {
                let missing = Error::NoCredentials {
                    operation: operation.into(),
                    cause: crate::error::describe(&e),
                };
                return Err(crate::error::with_profile_detail(missing).await);
            }
        };
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

/// What one client needs to sign and send its own requests: the resolved endpoints, the
/// credentials cache, the signer with its cached key, retry settings and quota, timeouts, the
/// connector, and the server's clock offset.
#[derive(Debug)]
pub struct RequestSender {
    iam: Result<Endpoint, String>,
    sts: Result<Endpoint, String>,
    sagemaker: Endpoint,
    /// S3 and KMS, per bucket and per key region.
    pub per_resource: endpoint::PerResource,
    credentials: Option<CredentialsCache>,
    max_attempts: u32,
    attempt_timeout: Duration,
    connector: Connector,
    signer: Signer,
    /// Standard mode's retry quota, shared by every request of the client.
    quota: RetryQuota,
    /// Adaptive retry mode's client-side rate limiter (`None` in standard mode), or the one
    /// this client shares with others (`ClientOptions.rate_limit`).
    limiter: Option<std::sync::Arc<adaptive::Shared>>,
    /// Where requests go, for messages: the endpoint override, or `AWS (REGION)`.
    label: String,
    /// The server's clock minus ours, in seconds, when they differ by more than a minute.
    skew: AtomicI64,
}

impl RequestSender {
    /// Resolve endpoints and settings once, from the same configuration as the SDK clients.
    pub async fn new(sdk: &SdkConfig, options: &ClientOptions, net: std::sync::Arc<crate::transport::Network>) -> Self {
        let region = sdk.region().map_or(FALLBACK_REGION, aws_config::Region::as_ref);
        let read = options.timeout.unwrap_or(DEFAULT_READ_TIMEOUT);
        let connect = read.min(DEFAULT_CONNECT_TIMEOUT);
        Self {
            iam: endpoint::resolve_iam(sdk, region).await,
            sts: endpoint::resolve_sts(sdk, region).await,
            sagemaker: endpoint::sagemaker_endpoint(sdk, region),
            per_resource: endpoint::PerResource::new(sdk, region),
            credentials: sdk.credentials_provider().map(|provider| CredentialsCache {
                provider,
                cached: tokio::sync::Mutex::new(None),
            }),
            max_attempts: options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1),
            attempt_timeout: read + connect,
            connector: Connector::new(Some(connect), Some(read), net),
            signer: Signer::default(),
            quota: RetryQuota::default(),
            limiter: options.rate_limit.clone().or_else(|| {
                (options.retry_mode == RetryMode::Adaptive).then(|| std::sync::Arc::new(adaptive::Shared::default()))
            }),
            label: crate::config::describe_endpoint(sdk),
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

    /// Sign and send one POST to `service`, retrying throttling, 5xx answers and failed
    /// exchanges; the answer with status 200, or the error (`service_error` reads the service's
    /// error body).
    pub async fn send(
        &self,
        service: Service,
        operation: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        service_error: impl Fn(&str, &Answer) -> Error,
    ) -> Result<Answer, Error> {
        let endpoint = self.endpoint(service)?;
        let request = Outgoing {
            endpoint,
            method: "POST",
            url: &endpoint.url,
            path: &endpoint.path,
            query: "",
            headers,
            body,
        };
        self.send_to(&request, operation, service_error).await
    }

    /// [`send`](Self::send) for any request shape (S3's GET with a query string).
    pub async fn send_to(
        &self,
        out: &Outgoing<'_>,
        operation: &str,
        service_error: impl Fn(&str, &Answer) -> Error,
    ) -> Result<Answer, Error> {
        let credentials = self.credentials.as_ref().ok_or_else(|| Error::NoCredentials {
            operation: operation.into(),
            cause: "no credentials provider".into(),
        })?;
        let mut attempt = 0u32;
        let mut taken = 0u32;
        loop {
            attempt += 1;
            if let Some(limiter) = &self.limiter {
                let wait = limiter.acquire();
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
            }
            let creds = credentials.get(operation).await?;
            let now = skewed(SystemTime::now(), self.skew.load(Ordering::Relaxed));
            let request = signed_request(out, &self.signer, operation, &creds, now)?;
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
                        limiter.update(throttled);
                    }
                    match error {
                        None => {
                            self.quota.release(taken);
                            return Ok(answer);
                        }
                        Some(error) => error,
                    }
                }
                Err(e) => {
                    Error::from_connection_refusal(&self.label, operation, &e).unwrap_or_else(|| Error::Endpoint {
                        endpoint: self.label.clone(),
                        operation: operation.into(),
                        cause: crate::error::describe(&e),
                    })
                }
            };
            if attempt >= self.max_attempts || !retryable(&error) {
                return Err(error);
            }
            match self.quota.acquire(&error) {
                Some(cost) => taken += cost,
                None => return Err(error),
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

/// One request rolekit signs itself: where it goes (`url`, with `path` and the canonical `query`
/// it has), how it is signed (`endpoint`: host, region, service), and what it carries.
pub struct Outgoing<'a> {
    pub endpoint: &'a Endpoint,
    pub method: &'a str,
    pub url: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

fn signed_request(
    out: &Outgoing<'_>,
    signer: &Signer,
    operation: &str,
    creds: &aws_credential_types::Credentials,
    time: SystemTime,
) -> Result<HttpRequest, Error> {
    let (endpoint, extra, body) = (out.endpoint, out.headers, out.body);
    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(extra.len() + 2);
    headers.push(("host", endpoint.host.as_str()));
    headers.push(("user-agent", concat!("rolekit/", env!("CARGO_PKG_VERSION"))));
    headers.extend_from_slice(extra);
    let cx = sigv4::Context {
        key_id: creds.access_key_id(),
        secret: creds.secret_access_key(),
        session_token: creds.session_token(),
        region: &endpoint.signing_region,
        service: &endpoint.signing_name,
        time,
    };
    let signature = signer.sign(out.method, out.path, out.query, &headers, body, &cx);
    let mut builder = http::Request::builder().method(out.method).uri(out.url);
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn skew_applies() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        assert_eq!(skewed(t, 300), t + Duration::from_secs(300));
        assert_eq!(skewed(t, -300), t - Duration::from_secs(300));
    }

    #[tokio::test]
    async fn the_servers_clock_is_followed_when_it_is_far_off() {
        let direct = RequestSender::new(
            &SdkConfig::builder().build(),
            &ClientOptions::default(),
            std::sync::Arc::default(),
        )
        .await;
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
}
