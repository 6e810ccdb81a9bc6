//! AWS operations over aws-sdk-iam and aws-sdk-sts. Pure Rust: nothing here knows Python exists.
//!
//! `Client` holds one IAM and one STS client built from one resolved `SdkConfig` (see `config`),
//! and, from the same configuration, the state of the requests it signs and sends itself: the
//! role read, AssumeRole and SageMaker's calls (see `direct`). Every fallible call returns
//! `error::Error`, which classifies the service error once.

pub mod assume;
pub mod config;
pub mod credentials;
pub mod diagnose;
pub mod direct;
pub mod error;
pub mod fleet;
pub mod identity;
pub mod names;
pub mod plan;
pub mod policies;
pub mod proxy;
pub mod roles;
pub mod sagemaker;
pub mod secrets;
pub mod spec;
#[cfg(test)]
pub(crate) mod testing;
pub mod tls;
pub mod transport;
pub mod wire;
pub mod xml;

pub use config::ClientOptions;
pub use credentials::Credentials;
pub use error::{Error, ErrorKind};
pub use identity::Identity;

/// Build SDK tags (IAM's or STS's `Tag`) from key/value pairs; a builder error is an argument error.
pub(crate) fn build_tags<T, E: std::fmt::Display>(
    pairs: &[(String, String)],
    build: impl Fn(&str, &str) -> Result<T, E>,
) -> Result<Vec<T>, Error> {
    pairs
        .iter()
        .map(|(k, v)| build(k, v).map_err(|e| Error::InvalidArgument(e.to_string())))
        .collect()
}

/// Refuse a document with error findings before AWS sees it.
pub fn check_policy(
    doc: &serde_json::Value,
    kind: rolekit_policy::PolicyKind,
    inline: bool,
    what: &str,
) -> Result<(), Error> {
    check_policy_with(
        doc,
        rolekit_policy::validate::Options {
            kind,
            inline,
            managed: false,
        },
        what,
    )
}

/// An inline policy of a role (PutRolePolicy): its name (1–128 of IAM's name characters) and its
/// document under IAM's inline rules. Every path that writes one (`put_inline_policy`, a role
/// spec's `inline_policies`) calls this.
pub fn check_inline_policy(name: &str, doc: &serde_json::Value) -> Result<(), Error> {
    names::check_name("inline policy", name, 128)?;
    check_policy(
        doc,
        rolekit_policy::PolicyKind::Identity,
        true,
        &format!("inline policy {name}"),
    )
}

/// [`check_policy`] with every validation option (a customer managed policy: `managed`).
pub fn check_policy_with(
    doc: &serde_json::Value,
    options: rolekit_policy::validate::Options,
    what: &str,
) -> Result<(), Error> {
    let policy = rolekit_policy::Policy::from_node(rolekit_policy::json::Node::from_serde(doc));
    let findings: Vec<_> = rolekit_policy::validate::validate(&policy, options)
        .into_iter()
        .filter(|f| f.severity == rolekit_policy::Severity::Error)
        .collect();
    if findings.is_empty() {
        return Ok(());
    }
    let first = &findings[0];
    Err(Error::Policy {
        message: format!(
            "{what} has {} error{} (nothing was sent to AWS); first: {} at {}: {}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            first.code,
            first.path_string(),
            first.message
        ),
        findings,
    })
}

/// An IAM + STS client pair sharing one configuration.
#[derive(Debug)]
pub struct Client {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    sdk: aws_config::SdkConfig,
    endpoint: String,
    sender: direct::RequestSender,
    /// The certificates this client's requests trust (also handed to boto3 sessions) and the
    /// proxies they go through.
    net: std::sync::Arc<transport::Network>,
    identity: tokio::sync::OnceCell<Identity>,
    /// What it was made from (a fleet's per-account clients start from it).
    options: ClientOptions,
}

impl Client {
    /// Resolve the configuration (default chain unless overridden) and build the clients.
    pub async fn new(options: ClientOptions) -> Result<Self, Error> {
        let net = std::sync::Arc::new(config::network(&options).await?);
        Self::with_network(options, net).await
    }

    /// A client like this one (region, endpoint, CA bundle, proxies, timeouts) signed with
    /// `credentials` instead, its requests drawing on `rate_limit` when given.
    pub async fn with_credentials(
        &self,
        credentials: Credentials,
        rate_limit: Option<std::sync::Arc<direct::adaptive::Shared>>,
    ) -> Result<Self, Error> {
        // Credentials from AssumeRole say whose they are: no GetCallerIdentity needed.
        let known = credentials.assumed_role_arn.as_deref().and_then(|arn| {
            let account = rolekit_policy::arn::Arn::parse(arn)?.account.to_string();
            let mut identity = Identity::from_parts(&account, arn, "").ok()?;
            if credentials.role_arn.is_some() {
                identity.role_arn.clone_from(&credentials.role_arn);
            }
            Some(identity)
        });
        let options = ClientOptions {
            profile: None,
            region: self
                .region()
                .map(str::to_string)
                .or_else(|| self.options.region.clone()),
            credentials: Some(credentials),
            credentials_provider: None,
            rate_limit,
            ..self.options.clone()
        };
        let client = Self::with_network(options, self.net.clone()).await?;
        if let Some(identity) = known {
            let _ = client.identity.set(identity);
        }
        Ok(client)
    }

    async fn with_network(options: ClientOptions, net: std::sync::Arc<transport::Network>) -> Result<Self, Error> {
        let sdk = config::load(&options, net.clone()).await?;
        let endpoint = config::describe_endpoint(&sdk);
        let sender = direct::RequestSender::new(&sdk, &options, net.clone()).await;
        Ok(Self {
            iam: aws_sdk_iam::Client::from_conf(
                aws_sdk_iam::config::Builder::from(&sdk)
                    .interceptor(wire::FormSpaces)
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(&sdk)
                    .interceptor(wire::FormSpaces)
                    .build(),
            ),
            sdk,
            endpoint,
            sender,
            net,
            identity: tokio::sync::OnceCell::new(),
            options,
        })
    }

    /// The IAM client underneath, for operations modules.
    pub fn iam(&self) -> &aws_sdk_iam::Client {
        &self.iam
    }

    /// The STS client underneath, for operations modules.
    pub fn sts(&self) -> &aws_sdk_sts::Client {
        &self.sts
    }

    /// Await an SDK request and classify its error once, with the operation's name and this
    /// client's endpoint (`Error::from_sdk`).
    pub(crate) async fn call<T, E>(
        &self,
        operation: &str,
        request: impl std::future::Future<
            Output = Result<
                T,
                aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
            >,
        >,
    ) -> Result<T, Error>
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match request.await {
            Ok(out) => Ok(out),
            Err(e) => Err(error::with_profile_detail(Error::from_sdk(operation, self.endpoint(), e)).await),
        }
    }

    /// The CA bundle this client trusts, when one replaces the system's store.
    pub fn ca_bundle(&self) -> Option<&std::path::Path> {
        self.net.trust.path()
    }

    /// Requests rolekit signs and sends itself (see `direct`).
    pub(crate) fn sender(&self) -> &direct::RequestSender {
        &self.sender
    }

    /// The resolved configuration (region, credentials, endpoint, timeouts).
    pub fn sdk(&self) -> &aws_config::SdkConfig {
        &self.sdk
    }

    /// The region requests are signed for.
    pub fn region(&self) -> Option<&str> {
        self.sdk.region().map(aws_config::Region::as_ref)
    }

    /// The cached caller identity (see `identity()`).
    pub(crate) fn identity_cell(&self) -> &tokio::sync::OnceCell<Identity> {
        &self.identity
    }

    /// Where requests go: the endpoint override, or `aws (REGION)` for the real service.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `sts:GetCallerIdentity`, parsed into an [`Identity`].
    pub async fn whoami(&self) -> Result<Identity, Error> {
        let mut identity = self.caller_identity().await?;
        if identity.kind == identity::IdentityKind::AssumedRole {
            identity.role_arn = self.resolve_role_arn(&identity).await;
        }
        Ok(identity)
    }

    /// GetCallerIdentity alone (no role read), remembered for `identity()`.
    pub(crate) async fn caller_identity(&self) -> Result<Identity, Error> {
        let out = self.sts.get_caller_identity().send().await;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                return Err(error::with_profile_detail(Error::from_sdk("GetCallerIdentity", &self.endpoint, e)).await)
            }
        };
        let identity = Identity::from_parts(
            out.account().unwrap_or_default(),
            out.arn().unwrap_or_default(),
            out.user_id().unwrap_or_default(),
        )?;
        let _ = self.identity.set(identity.clone());
        Ok(identity)
    }

    /// For an assumed-role session, the ARN of the IAM role behind it, with its path when the
    /// caller may read the role (GetRole); otherwise the path-less ARN that STS implies.
    async fn resolve_role_arn(&self, identity: &Identity) -> Option<String> {
        let name = identity.role_name.as_deref()?;
        let fallback = format!("arn:{}:iam::{}:role/{}", identity.partition, identity.account, name);
        match self.iam.get_role().role_name(name).send().await {
            Ok(out) => out.role().map(|r| r.arn().to_string()).or(Some(fallback)),
            Err(_) => Some(fallback),
        }
    }
}
