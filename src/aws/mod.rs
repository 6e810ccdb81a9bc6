//! AWS operations over aws-sdk-iam and aws-sdk-sts. Pure Rust: nothing here knows Python exists.
//!
//! `Client` holds one IAM and one STS client built from one resolved `SdkConfig` (see `config`).
//! Every fallible call returns `error::Error`, which classifies the service error once.

pub mod config;
pub mod credentials;
pub mod error;
pub mod identity;

pub use config::ClientOptions;
pub use credentials::Credentials;
pub use error::{Error, ErrorKind};
pub use identity::Identity;

/// An IAM + STS client pair sharing one configuration.
#[derive(Clone, Debug)]
pub struct Client {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    endpoint: String,
}

impl Client {
    /// Resolve the configuration (default chain unless overridden) and build the clients.
    pub async fn new(options: ClientOptions) -> Result<Self, Error> {
        let sdk = config::load(&options).await?;
        let endpoint = config::describe_endpoint(&sdk);
        Ok(Self {
            iam: aws_sdk_iam::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            endpoint,
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

    /// Where requests go: the endpoint override, or `aws (REGION)` for the real service.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `sts:GetCallerIdentity`, parsed into an [`Identity`].
    pub async fn whoami(&self) -> Result<Identity, Error> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetCallerIdentity", &self.endpoint, e))?;
        let arn = out.arn().unwrap_or_default();
        let mut identity = Identity::from_parts(
            out.account().unwrap_or_default(),
            arn,
            out.user_id().unwrap_or_default(),
        )?;
        if identity.kind == identity::IdentityKind::AssumedRole {
            identity.role_arn = self.resolve_role_arn(&identity).await;
        }
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
