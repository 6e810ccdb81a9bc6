//! The one error type of the AWS layer, and its classification of service error codes.
//!
//! `Error::from_sdk` turns any `SdkError` into an `Error` once: service errors keep IAM's code,
//! message, request id and HTTP status (read from the body when the SDK could not, as with moto's
//! EC2-style `<Errors>` envelopes); connection failures and timeouts become `Endpoint` errors.

use std::error::Error as _;
use std::fmt;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What a service error means, independent of the exact code spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    AccessDenied,
    NoSuchEntity,
    EntityAlreadyExists,
    MalformedPolicy,
    LimitExceeded,
    Throttled,
    InvalidCredentials,
    ExpiredToken,
    Other,
}

impl ErrorKind {
    /// Classify an AWS error code.
    pub fn from_code(code: &str) -> Self {
        match code {
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => Self::AccessDenied,
            "NoSuchEntity" | "NoSuchEntityException" => Self::NoSuchEntity,
            "EntityAlreadyExists" | "EntityAlreadyExistsException" => Self::EntityAlreadyExists,
            "MalformedPolicyDocument" | "MalformedPolicyDocumentException" | "MalformedPolicy" => Self::MalformedPolicy,
            "LimitExceeded" | "LimitExceededException" => Self::LimitExceeded,
            "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException" | "SlowDown" => {
                Self::Throttled
            }
            "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "UnrecognizedClientException"
            | "AuthFailure"
            | "InvalidAccessKeyId"
            | "InvalidToken" => Self::InvalidCredentials,
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => Self::ExpiredToken,
            _ => Self::Other,
        }
    }

    /// Whether sending the same request again may succeed without changing anything.
    pub fn retry_safe(self) -> bool {
        matches!(self, Self::Throttled)
    }
}

/// An error answered by the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// rolekit's classification of `code`.
    pub kind: ErrorKind,
    /// AWS's error code, as AWS wrote it (`NoSuchEntity`, `AccessDenied`).
    pub code: String,
    /// AWS's own message, kept whole.
    pub message: String,
    /// The API operation that failed (`GetRole`).
    pub operation: String,
    /// AWS's request id, from the answer's body or header.
    pub request_id: Option<String>,
    /// The HTTP status of the answer.
    pub status: Option<u16>,
    /// rolekit's diagnosis of the refusal (read after it), summed up after AWS's text.
    pub diagnosis: Option<std::sync::Arc<crate::diagnose::Diagnosis>>,
}

/// Everything the AWS layer can fail with.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The service answered with an error.
    Service(ServiceError),
    /// The endpoint could not be reached or did not answer in time.
    Endpoint {
        endpoint: String,
        operation: String,
        cause: String,
    },
    /// The endpoint's TLS certificate was refused, or the CA bundle is unusable: not retried.
    Tls {
        endpoint: String,
        operation: String,
        problem: String,
    },
    /// The proxy could not be reached or refused the request; the text names it (never its password).
    Proxy {
        endpoint: String,
        operation: String,
        problem: String,
        retry_safe: bool,
    },
    /// No usable credentials could be resolved.
    NoCredentials { operation: String, cause: String },
    /// The configuration (profile, region, endpoint) is unusable.
    Config(String),
    /// The service answered something rolekit cannot read.
    Protocol(String),
    /// An argument is invalid; nothing was sent.
    InvalidArgument(String),
    /// rolekit refused a destructive operation; the text says why.
    Unsafe(String),
    /// A role could not be assumed before the wait ran out; the text says why, from the diagnosis.
    NotAssumable {
        message: String,
        diagnosis: Option<std::sync::Arc<crate::diagnose::Diagnosis>>,
    },
    /// Something rolekit looked for is not there (e.g. an execution role); the text says what to do.
    Unavailable(String),
    /// A multi-step change failed after some steps were applied.
    Partial { applied: Vec<String>, cause: Box<Error> },
    /// A spec file has problems, each with its file, line and column; nothing was sent.
    Spec(Vec<crate::spec::SpecProblem>),
    /// A policy document has errors; nothing was sent.
    Policy {
        message: String,
        findings: Vec<rolekit_policy::validate::Finding>,
    },
}

/// The first `T` in `err`'s chain of causes.
pub fn cause<'e, T: std::error::Error + 'static>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e T> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        cur = e.source();
    }
    None
}

impl fmt::Display for Error {
    /// The message, with every known secret masked (`crate::secrets`): text from a server's
    /// answer, a proxy's page or a cause chain can echo what was sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.unmasked().to_string();
        f.write_str(&crate::secrets::mask(&text))
    }
}

struct Unmasked<'e>(&'e Error);

impl Error {
    fn unmasked(&self) -> Unmasked<'_> {
        Unmasked(self)
    }
}

impl fmt::Display for Unmasked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::Service(e) => {
                write!(
                    f,
                    "An error occurred ({}) when calling the {} operation: {}",
                    e.code, e.operation, e.message
                )?;
                match &e.diagnosis {
                    Some(d) => write!(f, " [rolekit: {}]", d.headline()),
                    None => Ok(()),
                }
            }
            Error::Endpoint {
                endpoint,
                operation,
                cause,
            } => {
                write!(f, "could not reach {endpoint} for {operation}: {cause}")
            }
            Error::Tls {
                endpoint,
                operation,
                problem,
            } => write!(f, "TLS: {endpoint} for {operation}: {problem}. {}", crate::tls::HINT),
            Error::Proxy {
                endpoint,
                operation,
                problem,
                ..
            } => write!(f, "proxy: {endpoint} for {operation}: {problem}"),
            Error::NoCredentials { operation, cause } => write!(
                f,
                "no AWS credentials for {operation}: {cause}. Set AWS_PROFILE, run `aws configure`, \
                 or pass credentials=..."
            ),
            Error::Config(m) => write!(f, "invalid AWS configuration: {m}"),
            Error::Protocol(m) => write!(f, "unexpected answer from AWS: {m}"),
            Error::InvalidArgument(m)
            | Error::Unsafe(m)
            | Error::NotAssumable { message: m, .. }
            | Error::Unavailable(m) => f.write_str(m),
            Error::Partial { applied, cause } => {
                write!(f, "{cause} — after these changes were applied: {}", applied.join("; "))
            }
            Error::Policy { message, .. } => f.write_str(message),
            Error::Spec(problems) => {
                let n = problems.len();
                write!(
                    f,
                    "the spec has {n} problem{} (nothing was sent to AWS): ",
                    if n == 1 { "" } else { "s" }
                )?;
                let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("; "))
            }
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Convert an SDK error from `operation` sent to `endpoint`.
    /// The network's refusal in `err`'s chain of causes, as its own error: a TLS certificate
    /// (`Tls`, never retried) or a proxy (`Proxy`); `None` for any other failure.
    pub fn from_connection_refusal(
        endpoint: &str,
        operation: &str,
        err: &(dyn std::error::Error + 'static),
    ) -> Option<Self> {
        if let Some(t) = cause::<crate::tls::TlsRefused>(err) {
            return Some(Self::Tls {
                endpoint: endpoint.to_string(),
                operation: operation.to_string(),
                problem: t.0.clone(),
            });
        }
        cause::<crate::proxy::ProxyFailure>(err).map(|p| Self::Proxy {
            endpoint: endpoint.to_string(),
            operation: operation.to_string(),
            problem: p.message.clone(),
            retry_safe: p.retry_safe,
        })
    }

    pub fn from_sdk<E>(operation: &str, endpoint: &str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let status = err.raw_response().map(|r| r.status().as_u16());
        let header_request_id = err.raw_response().and_then(|r| {
            r.headers()
                .get("x-amzn-requestid")
                .or_else(|| r.headers().get("x-amz-request-id"))
                .map(str::to_string)
        });
        let body = err
            .raw_response()
            .and_then(|r| r.body().bytes())
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        match &err {
            SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
                let code = err.code().map(str::to_string).or_else(|| xml_field(&body, "Code"));
                let message = err
                    .message()
                    .map(str::to_string)
                    .or_else(|| xml_field(&body, "Message"));
                let content_type = err
                    .raw_response()
                    .and_then(|r| r.headers().get("content-type"))
                    .unwrap_or("no content type");
                answer_error(
                    operation,
                    endpoint,
                    status,
                    header_request_id.or_else(|| xml_field(&body, "RequestId")),
                    content_type,
                    &body,
                    code,
                    message,
                )
            }
            SdkError::TimeoutError(_) => Self::Endpoint {
                endpoint: endpoint.to_string(),
                operation: operation.to_string(),
                cause: "timed out".to_string(),
            },
            SdkError::DispatchFailure(d) => {
                if let Some(refused) = Self::from_connection_refusal(endpoint, operation, &err) {
                    return refused;
                }
                let cause = error_chain(&err);
                if (d.is_user() || d.is_other()) && cause.to_ascii_lowercase().contains("credential") {
                    Self::NoCredentials {
                        operation: operation.to_string(),
                        cause: short_cause(&cause),
                    }
                } else {
                    Self::Endpoint {
                        endpoint: endpoint.to_string(),
                        operation: operation.to_string(),
                        cause: short_cause(&cause),
                    }
                }
            }
            _ => {
                let cause = error_chain(&err);
                if cause.to_ascii_lowercase().contains("credential") {
                    Self::NoCredentials {
                        operation: operation.to_string(),
                        cause: short_cause(&cause),
                    }
                } else {
                    Self::Config(format!("{operation}: {}", short_cause(&cause)))
                }
            }
        }
    }

    /// Whether the failure may pass by itself, so that sending the same request again is the
    /// right move: throttling, a 5xx answer, an unreachable or silent endpoint.
    pub fn transient(&self) -> bool {
        match self {
            Self::Service(e) => e.kind.retry_safe() || e.status.is_some_and(|s| s >= 500),
            Self::Endpoint { .. } => true,
            Self::Partial { cause, .. } => cause.transient(),
            _ => false,
        }
    }

    /// The classification of a service error, `None` for other errors.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Self::Service(e) => Some(e.kind),
            Self::Partial { cause, .. } => cause.kind(),
            _ => None,
        }
    }
}

/// A service's error answer as an error: typed by its code, or, when it has none (not an AWS
/// error document), described by where it came from and what it was.
pub(crate) fn answer_error(
    operation: &str,
    endpoint: &str,
    status: Option<u16>,
    request_id: Option<String>,
    content_type: &str,
    body: &str,
    code: Option<String>,
    message: Option<String>,
) -> Error {
    let (kind, message, code) = match code {
        Some(code) => (
            ErrorKind::from_code(&code),
            message.unwrap_or_else(|| code.clone()),
            code,
        ),
        None => (
            ErrorKind::Other,
            unrecognised_answer(endpoint, status, content_type, body),
            match status {
                Some(s) if s >= 500 => "InternalFailure".to_string(),
                _ => "Unknown".to_string(),
            },
        ),
    };
    Error::Service(ServiceError {
        kind,
        code,
        message: crate::secrets::mask(&message).into_owned(),
        operation: operation.to_string(),
        request_id,
        status,
        diagnosis: None,
    })
}

/// An answer that is not an AWS error document (a proxy's or web server's page, an empty body):
/// where it came from, its status and type, and the start of its text on one line.
fn unrecognised_answer(endpoint: &str, status: Option<u16>, content_type: &str, body: &str) -> String {
    let text: String = crate::secrets::mask(body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    let status = status.map_or_else(|| "no status".to_string(), |s| format!("HTTP {s}"));
    let shown = if text.is_empty() {
        "an empty body".to_string()
    } else {
        format!("{text:?}")
    };
    format!("{endpoint} did not answer like AWS ({status}, {content_type}): {shown}")
}

/// `err`, and when it is missing credentials because a shared config or credentials file does
/// not parse (the SDK says only "could not parse profile file"), which file, which line and why:
/// the files are read again to ask. The parser's messages never quote the line.
pub(crate) async fn with_profile_detail(err: Error) -> Error {
    match err {
        Error::NoCredentials { operation, cause } if cause.ends_with("could not parse profile file") => {
            let fs = aws_types::os_shim_internal::Fs::real();
            let env = aws_types::os_shim_internal::Env::real();
            let files = aws_runtime::env_config::file::EnvConfigFiles::default();
            let cause = match aws_config::profile::load(&fs, &env, &files, None).await {
                // "could not parse profile file: error parsing PATH on line N:\n  WHY"
                Err(e) => match e.source() {
                    Some(parse) => format!(
                        "a shared AWS file does not parse: {}",
                        parse.to_string().replace(":\n  ", ": ")
                    ),
                    None => format!("{cause}: {e}"),
                },
                Ok(_) => cause,
            };
            Error::NoCredentials { operation, cause }
        }
        other => other,
    }
}

/// The informative part of an error and its sources, on one line (for transport failures).
pub(crate) fn describe(err: &dyn std::error::Error) -> String {
    short_cause(&error_chain(err))
}

/// Each error in the source chain, displayed and joined with `: ` (no Debug dumps).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// The informative part of an error chain: generic layers dropped, first line only.
fn short_cause(chain: &str) -> String {
    const GENERIC: [&str; 6] = [
        "dispatch failure",
        "io error",
        "other",
        "client error (Connect)",
        "timeout",
        "unhandled error",
    ];
    let first_line = chain.lines().next().unwrap_or(chain);
    let kept: Vec<&str> = first_line
        .split(": ")
        .map(str::trim)
        .filter(|p| !p.is_empty() && !GENERIC.contains(p))
        .collect();
    let joined = if kept.is_empty() {
        first_line.to_string()
    } else {
        kept.join(": ")
    };
    joined
        .trim_end_matches("Attempted:")
        .trim_end_matches([' ', '.', ':'])
        .to_string()
}

/// The text of the first `<name>…</name>` element in an XML body, entities decoded.
pub(crate) fn xml_field(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&close)? + start;
    let text = body[start..end].trim();
    if text.is_empty() {
        return None;
    }
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unrecognised_answer_says_where_and_what() {
        let m = super::unrecognised_answer(
            "https://pypi.org",
            Some(404),
            "text/html",
            "<html>\n  <body>Not   Found</body>",
        );
        assert_eq!(
            m,
            "https://pypi.org did not answer like AWS (HTTP 404, text/html): \"<html> <body>Not Found</body>\""
        );
        assert!(super::unrecognised_answer("x", None, "no content type", "").ends_with(": an empty body"));
    }

    #[test]
    fn classifies_codes() {
        assert_eq!(ErrorKind::from_code("NoSuchEntity"), ErrorKind::NoSuchEntity);
        assert_eq!(
            ErrorKind::from_code("InvalidClientTokenId"),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(ErrorKind::from_code("Throttling"), ErrorKind::Throttled);
        assert_eq!(ErrorKind::from_code("ExpiredToken"), ErrorKind::ExpiredToken);
        assert_eq!(ErrorKind::from_code("Whatever"), ErrorKind::Other);
        assert!(ErrorKind::Throttled.retry_safe());
        assert!(!ErrorKind::EntityAlreadyExists.retry_safe());
    }

    #[test]
    fn reads_ec2_style_error_envelopes() {
        let body = "<?xml version=\"1.0\"?><Response><Errors><Error><Code>InvalidClientTokenId</Code>\
                    <Message>The security token &amp; &lt;x&gt;</Message></Error></Errors>\
                    <RequestId>abc-123</RequestId></Response>";
        assert_eq!(xml_field(body, "Code").as_deref(), Some("InvalidClientTokenId"));
        assert_eq!(xml_field(body, "Message").as_deref(), Some("The security token & <x>"));
        assert_eq!(xml_field(body, "RequestId").as_deref(), Some("abc-123"));
        assert_eq!(xml_field(body, "Missing"), None);
        assert_eq!(xml_field("<Code>", "Code"), None);
    }

    #[test]
    fn short_cause_keeps_the_root() {
        let s = short_cause(
            "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111)",
        );
        assert_eq!(s, "tcp connect error: Connection refused (os error 111)");
        let s = short_cause("dispatch failure: other: no credentials found in chain. Attempted:\n  Environment: x");
        assert_eq!(s, "no credentials found in chain");
    }
}
