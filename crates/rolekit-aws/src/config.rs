//! Resolving an `SdkConfig`: aws-config's default chain (environment, shared config and credentials
//! files, SSO, web identity, container and instance metadata), with explicit overrides on top.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use super::{Credentials, Error};

/// IAM is global; STS answers everywhere. Used only when no region resolves at all.
pub const FALLBACK_REGION: &str = "us-east-1";
/// Connect timeout: a dead endpoint fails in seconds, not minutes.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Read timeout for one attempt: a hung server never hangs a notebook forever.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts per call, the first included (the SDK's standard mode default).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// How the SDK retries throttling and transient failures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RetryMode {
    #[default]
    Standard,
    Adaptive,
}

impl std::str::FromStr for RetryMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "standard" => Ok(Self::Standard),
            "adaptive" => Ok(Self::Adaptive),
            other => Err(Error::InvalidArgument(format!(
                "retry_mode must be 'standard' or 'adaptive', got {other:?}"
            ))),
        }
    }
}

/// Everything a caller may override; `None` means "as the AWS CLI would resolve it".
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub credentials: Option<Credentials>,
    /// A provider that renews credentials (e.g. assume_role's); wins over `credentials`.
    pub credentials_provider: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    /// Read timeout per attempt; the connect timeout is the smaller of this and 3 s.
    pub timeout: Option<Duration>,
    /// Maximum attempts per call, the first included (1 disables retries).
    pub max_attempts: Option<u32>,
    pub retry_mode: RetryMode,
    /// A PEM bundle of the CAs to trust, before `AWS_CA_BUNDLE` and the profile's `ca_bundle`.
    pub ca_bundle: Option<std::path::PathBuf>,
    /// A client-side rate limit shared with other clients (a fleet's), adaptive mode's.
    pub rate_limit: Option<std::sync::Arc<crate::direct::adaptive::Shared>>,
}

impl ClientOptions {
    /// A read timeout given in seconds: more than 0, at most an hour.
    pub fn timeout_from_secs(seconds: f64) -> Result<Duration, Error> {
        super::names::seconds("timeout", seconds, 0.0, true, 3600.0)
    }
}

/// How the client reaches the network: the certificates it trusts, in botocore's order (see
/// `tls`: the argument, `AWS_CA_BUNDLE`, the selected profile's `ca_bundle`, the system's store),
/// and the environment's proxies. A profile named explicitly must exist, as the AWS CLI insists:
/// a typo is an error naming it, never a silent fall back to other credentials.
pub async fn network(options: &ClientOptions) -> Result<crate::transport::Network, Error> {
    use aws_types::os_shim_internal::{Env, Fs};
    let env = std::env::var("AWS_CA_BUNDLE").ok();
    let ca_decided = options.ca_bundle.is_some() || env.as_deref().is_some_and(|v| !v.is_empty());
    let profiles = if options.profile.is_some() || !ca_decided {
        let selected = options.profile.clone().map(std::borrow::Cow::Owned);
        let files = aws_runtime::env_config::file::EnvConfigFiles::default();
        aws_config::profile::load(&Fs::real(), &Env::real(), &files, selected)
            .await
            .ok()
    } else {
        None
    };
    if let (Some(name), Some(set)) = (&options.profile, &profiles) {
        if set.get_profile(name).is_none() {
            return Err(Error::Config(format!(
                "the config profile ({name}) could not be found in the AWS config or credentials file"
            )));
        }
    }
    let profile_bundle = profiles
        .as_ref()
        .filter(|_| !ca_decided)
        .and_then(|set| set.get("ca_bundle"))
        .map(str::to_string);
    Ok(crate::transport::Network {
        trust: crate::tls::Trust::resolve(options.ca_bundle.as_deref(), env.as_deref(), profile_bundle.as_deref()),
        proxies: crate::proxy::Proxies::from_env().map_err(Error::Config)?,
    })
}

/// Resolve the configuration for `options`, its requests going out through `net`.
pub async fn load(options: &ClientOptions, net: std::sync::Arc<crate::transport::Network>) -> Result<SdkConfig, Error> {
    if let Some(url) = &options.endpoint_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::Config(format!(
                "endpoint_url must start with http:// or https://, got {url:?}"
            )));
        }
    }
    if options.max_attempts == Some(0) {
        return Err(Error::InvalidArgument("retries must allow at least one attempt".into()));
    }
    let http = super::transport::InlineHttp { net };
    let read = options.timeout.unwrap_or(DEFAULT_READ_TIMEOUT);
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(read.min(DEFAULT_CONNECT_TIMEOUT))
        .read_timeout(read)
        .operation_attempt_timeout(read + DEFAULT_CONNECT_TIMEOUT)
        .build();
    let attempts = options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    let retry = match options.retry_mode {
        RetryMode::Standard => RetryConfig::standard(),
        RetryMode::Adaptive => RetryConfig::adaptive(),
    }
    .with_max_attempts(attempts);

    // An answer that stalls is given the read timeout, as on rolekit's own requests (the SDK's
    // default grace of 5 s cut off a sandbox's first answer for a new account).
    let stalled = aws_smithy_runtime_api::client::stalled_stream_protection::StalledStreamProtectionConfig::enabled()
        .grace_period(read)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(timeouts)
        .retry_config(retry)
        .stalled_stream_protection(stalled);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(provider) = &options.credentials_provider {
        loader = loader.credentials_provider(provider.clone());
    } else if let Some(creds) = &options.credentials {
        loader = loader.credentials_provider(creds.to_sdk());
    }
    let config = loader.load().await;
    let config = match config.credentials_provider() {
        Some(provider) => config
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(Registering(provider)))
            .build(),
        None => config,
    };
    if config.region().is_some() {
        Ok(config)
    } else {
        Ok(config
            .into_builder()
            .region(Region::from_static(FALLBACK_REGION))
            .build())
    }
}

/// Every set of credentials resolved for signing (the environment's, a profile's, SSO's, a
/// container's or the instance's) becomes a known secret of the process (`crate::secrets`):
/// long-term keys pinned, temporary ones until they expire. An endpoint that echoes a request
/// can then never put the signing secret into an error message.
#[derive(Debug)]
struct Registering(SharedCredentialsProvider);

impl ProvideCredentials for Registering {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            let creds = self.0.provide_credentials().await?;
            let expiry = creds.expiry();
            crate::secrets::register(creds.secret_access_key(), expiry, expiry.is_none());
            if let Some(token) = creds.session_token() {
                crate::secrets::register(token, expiry, false);
            }
            Ok(creds)
        })
    }
}

/// A short description of where requests go, for error messages.
pub fn describe_endpoint(config: &SdkConfig) -> String {
    match config.endpoint_url() {
        Some(url) => url.to_string(),
        None => format!("AWS ({})", config.region().map_or(FALLBACK_REGION, Region::as_ref)),
    }
}
