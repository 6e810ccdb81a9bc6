//! Where each service's requests go and how they are signed, decided once per client with the
//! SDK's own rules: each service's generated endpoint resolver (IAM, STS), the same override order
//! as `Config::from(&SdkConfig)` (explicit endpoint_url, `AWS_ENDPOINT_URL_<SERVICE>` or the
//! profile's `services` section, `AWS_ENDPOINT_URL`), FIPS and dual-stack.

use aws_config::SdkConfig;
use aws_smithy_types::Document;

/// The services rolekit signs requests for itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Iam,
    Sts,
    SageMaker,
}

impl Service {
    pub(crate) fn api_version(self) -> &'static str {
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
    pub(crate) fn new(url: &str, signing_region: &str, signing_name: &str) -> Self {
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
            .map_err(|e| crate::error::describe(&*e))?;
        Ok(Endpoint::from_resolved(&resolved, region, $name))
    }};
}

pub(crate) async fn resolve_iam(sdk: &SdkConfig, region: &str) -> Result<Endpoint, String> {
    resolve_with!(aws_sdk_iam, sdk, region, "IAM", "AWS_ENDPOINT_URL_IAM", "iam")
}

pub(crate) async fn resolve_sts(sdk: &SdkConfig, region: &str) -> Result<Endpoint, String> {
    resolve_with!(aws_sdk_sts, sdk, region, "STS", "AWS_ENDPOINT_URL_STS", "sts")
}

/// SageMaker's endpoint (rolekit does not build the SageMaker SDK, so no generated resolver).
pub(crate) fn sagemaker_endpoint(sdk: &SdkConfig, region: &str) -> Endpoint {
    let url = match endpoint_override(sdk, "SageMaker", "AWS_ENDPOINT_URL_SAGEMAKER") {
        Some(url) if !url.is_empty() => url,
        _ if region.starts_with("cn-") => format!("https://api.sagemaker.{region}.amazonaws.com.cn/"),
        _ => format!("https://api.sagemaker.{region}.amazonaws.com/"),
    };
    Endpoint::new(&url, region, "sagemaker")
}

/// The public DNS suffix of a region's endpoints.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// Where S3 and KMS requests go: they depend on the bucket and on the key's region, so they are
/// built per request, from the endpoint override when there is one (path-style for S3, as local
/// endpoints serve it) or from AWS's public names (virtual-hosted S3).
#[derive(Clone, Debug)]
pub struct PerResource {
    s3: Option<String>,
    kms: Option<String>,
    organizations: Option<String>,
    region: String,
}

impl PerResource {
    pub(crate) fn new(sdk: &SdkConfig, region: &str) -> Self {
        Self {
            s3: endpoint_override(sdk, "S3", "AWS_ENDPOINT_URL_S3").filter(|u| !u.is_empty()),
            kms: endpoint_override(sdk, "KMS", "AWS_ENDPOINT_URL_KMS").filter(|u| !u.is_empty()),
            organizations: endpoint_override(sdk, "Organizations", "AWS_ENDPOINT_URL_ORGANIZATIONS")
                .filter(|u| !u.is_empty()),
            region: region.to_string(),
        }
    }

    /// The bucket's endpoint, and the path its requests use (`/` virtual-hosted, `/BUCKET` path-style).
    pub fn s3_bucket(&self, bucket: &str) -> (Endpoint, String) {
        if let Some(base) = &self.s3 {
            let e = Endpoint::new(base, &self.region, "s3");
            let path = format!("{}{bucket}", e.path);
            return (e, path);
        }
        let url = format!("https://{bucket}.s3.{}.{}/", self.region, dns_suffix(&self.region));
        (Endpoint::new(&url, &self.region, "s3"), "/".to_string())
    }

    /// Organizations: one endpoint per partition (us-east-1's for the commercial one).
    pub fn organizations(&self) -> Endpoint {
        let region = if self.region.starts_with("cn-") {
            "cn-northwest-1"
        } else if self.region.starts_with("us-gov-") {
            "us-gov-west-1"
        } else {
            "us-east-1"
        };
        match &self.organizations {
            Some(base) => Endpoint::new(base, region, "organizations"),
            None => Endpoint::new(
                &format!("https://organizations.{region}.{}/", dns_suffix(region)),
                region,
                "organizations",
            ),
        }
    }

    /// KMS in `region` (the key's), or the client's.
    pub fn kms(&self, region: Option<&str>) -> Endpoint {
        let region = region.filter(|r| !r.is_empty()).unwrap_or(&self.region);
        match &self.kms {
            Some(base) => Endpoint::new(base, region, "kms"),
            None => Endpoint::new(&format!("https://kms.{region}.{}/", dns_suffix(region)), region, "kms"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
