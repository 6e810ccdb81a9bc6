//! A least-privilege SageMaker execution policy: what a training or processing job needs, scoped
//! to the data it is given, instead of `AmazonSageMakerFullAccess`.

use serde_json::{json, Value};

use super::build::{document, statement};
use super::model::VERSION_2012;

/// What the job may reach. Empty `region` / `account` scope the ARNs to any (`*`).
#[derive(Clone, Debug, Default)]
pub struct ExecutionOptions {
    /// `s3://bucket/prefix` (or `bucket/prefix`); the job reads and writes under these only.
    pub s3: Vec<String>,
    /// ECR repository names or ARNs the job pulls its image from.
    pub ecr_repositories: Vec<String>,
    /// KMS key ARNs (or ids, with `region` and `account`) for encrypted data and volumes.
    pub kms_keys: Vec<String>,
    /// Whether the job runs in a VPC (it then manages its network interfaces).
    pub vpc: bool,
    pub region: Option<String>,
    pub account: Option<String>,
}

/// An S3 location: bucket and prefix (without slashes at either end; empty for the whole bucket).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
}

impl S3Location {
    /// Read `s3://bucket/prefix`, `bucket/prefix` or `arn:aws:s3:::bucket/prefix`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = text
            .strip_prefix("s3://")
            .or_else(|| text.strip_prefix("arn:aws:s3:::"))
            .unwrap_or(text);
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && bucket.as_bytes()[0].is_ascii_alphanumeric()
            && bucket.as_bytes()[bucket.len() - 1].is_ascii_alphanumeric()
            && !bucket.contains("..");
        if !valid_bucket {
            return Err(format!(
                "{text:?}: {bucket:?} is not an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens); \
                 write s3://bucket/prefix"
            ));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.contains(['*', '?']) {
            return Err(format!(
                "{text:?}: give a plain prefix; rolekit adds the wildcards it needs"
            ));
        }
        Ok(Self {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// The objects under the prefix, as a resource ARN.
    pub fn objects_arn(&self, partition: &str) -> String {
        if self.prefix.is_empty() {
            format!("arn:{partition}:s3:::{}/*", self.bucket)
        } else {
            format!("arn:{partition}:s3:::{}/{}/*", self.bucket, self.prefix)
        }
    }
}

/// The partition a region belongs to (`aws` when unknown).
pub fn partition_of(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        Some(r) if r.starts_with("us-iso-") => "aws-iso",
        Some(r) if r.starts_with("us-isob-") => "aws-iso-b",
        _ => "aws",
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

/// Each item as an ARN: one that starts with `arn:` as written, any other made one by `from_name`.
fn arns(items: &[String], from_name: impl Fn(&str) -> Result<String, String>) -> Result<Vec<String>, String> {
    items
        .iter()
        .map(|i| {
            if i.starts_with("arn:") {
                Ok(i.clone())
            } else {
                from_name(i)
            }
        })
        .collect()
}

/// An Allow statement of the execution policy: its Sid, actions, resources and condition.
fn allow(sid: &str, actions: &[&str], resources: &[String], condition: Option<Value>) -> Value {
    statement("Allow", &strings(actions), resources, Some(sid), None, condition)
}

/// The execution policy document for `opts`; an unusable input is an error that names it.
pub fn execution_policy(opts: &ExecutionOptions) -> Result<Value, String> {
    if opts.s3.is_empty() {
        return Err("give at least one S3 location (s3=[\"s3://bucket/prefix\"]) for the job's data".into());
    }
    if let Some(a) = &opts.account {
        if !crate::arn::is_account_id(a) {
            return Err(format!("account {a:?} is not a 12-digit account id"));
        }
    }
    if let Some(r) = &opts.region {
        let ok = r.split('-').count() >= 3
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(format!("region {r:?} is not a region name like us-east-1"));
        }
    }
    let partition = partition_of(opts.region.as_deref());
    let region = opts.region.as_deref().unwrap_or("*");
    let account = opts.account.as_deref().unwrap_or("*");
    let locations = opts
        .s3
        .iter()
        .map(|s| S3Location::parse(s))
        .collect::<Result<Vec<_>, _>>()?;

    let mut statements = Vec::new();
    // ListBucket per bucket, limited to the prefixes asked for in that bucket.
    let mut buckets: Vec<&str> = locations.iter().map(|l| l.bucket.as_str()).collect();
    buckets.dedup();
    buckets.sort_unstable();
    buckets.dedup();
    for (i, bucket) in buckets.iter().enumerate() {
        let prefixes: Vec<&S3Location> = locations.iter().filter(|l| l.bucket == *bucket).collect();
        let whole = prefixes.iter().any(|l| l.prefix.is_empty());
        let condition = (!whole).then(|| {
            let mut values: Vec<String> = Vec::new();
            for l in &prefixes {
                values.push(l.prefix.clone());
                values.push(format!("{}/*", l.prefix));
            }
            json!({ "StringLike": { "s3:prefix": values } })
        });
        statements.push(allow(
            &format!("ListDataPrefixes{}", i + 1),
            &["s3:ListBucket"],
            &[format!("arn:{partition}:s3:::{bucket}")],
            condition,
        ));
    }
    statements.push(allow(
        "LocateDataBuckets",
        &["s3:GetBucketLocation"],
        &buckets
            .iter()
            .map(|b| format!("arn:{partition}:s3:::{b}"))
            .collect::<Vec<_>>(),
        None,
    ));
    statements.push(allow(
        "ReadWriteData",
        &[
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        ],
        &locations.iter().map(|l| l.objects_arn(partition)).collect::<Vec<_>>(),
        None,
    ));
    statements.push(allow(
        "JobLogs",
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "logs:DescribeLogStreams",
        ],
        &[
            format!("arn:{partition}:logs:{region}:{account}:log-group:/aws/sagemaker/*"),
            format!("arn:{partition}:logs:{region}:{account}:log-group:/aws/sagemaker/*:log-stream:*"),
        ],
        None,
    ));
    statements.push(allow(
        "JobMetrics",
        &["cloudwatch:PutMetricData"],
        &strings(&["*"]),
        Some(json!({ "StringLike": { "cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"] } })),
    ));
    if !opts.ecr_repositories.is_empty() {
        statements.push(allow(
            "EcrLogin",
            &["ecr:GetAuthorizationToken"],
            &strings(&["*"]),
            None,
        ));
        let repos = arns(&opts.ecr_repositories, |r| {
            if !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b))
            {
                Ok(format!("arn:{partition}:ecr:{region}:{account}:repository/{r}"))
            } else {
                Err(format!("{r:?} is not an ECR repository name or ARN"))
            }
        })?;
        statements.push(allow("PullJobImage", &crate::jobs::IMAGE_PULL_ACTIONS, &repos, None));
    }
    if !opts.kms_keys.is_empty() {
        let keys = arns(&opts.kms_keys, |k| {
            if opts.region.is_some() && opts.account.is_some() {
                Ok(format!("arn:{partition}:kms:{region}:{account}:key/{k}"))
            } else {
                Err(format!(
                    "KMS key {k:?}: give its ARN, or region and account with the key id"
                ))
            }
        })?;
        statements.push(allow(
            "UseDataKeys",
            &[
                "kms:Decrypt",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:DescribeKey",
                "kms:CreateGrant",
            ],
            &keys,
            None,
        ));
    }
    if opts.vpc {
        statements.push(allow(
            "JobNetworkInterfaces",
            &crate::jobs::VPC_ACTIONS,
            &strings(&["*"]),
            None,
        ));
    }
    Ok(document(statements, VERSION_2012, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{identity_allows, CompiledPolicy, Context};
    use crate::json::Node;
    use crate::validate::{validate, Options, PolicyKind, Severity};
    use crate::Policy;

    fn opts(s3: &[&str]) -> ExecutionOptions {
        ExecutionOptions {
            s3: strings(s3),
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
            ..Default::default()
        }
    }

    fn policy(o: &ExecutionOptions) -> Policy {
        Policy::from_node(Node::from_serde(&execution_policy(o).unwrap()))
    }

    #[test]
    fn validates_clean_with_every_option() {
        let mut o = opts(&["s3://data-bkt/train", "s3://data-bkt/output/", "out-bkt"]);
        o.ecr_repositories = strings(&["my/trainer"]);
        o.kms_keys = strings(&["1234abcd-12ab-34cd-56ef-1234567890ab"]);
        o.vpc = true;
        let p = policy(&o);
        let bad: Vec<_> = validate(
            &p,
            Options {
                kind: PolicyKind::Identity,
                inline: true,
                managed: false,
            },
        )
        .into_iter()
        .filter(|f| matches!(f.severity, Severity::Error | Severity::SecurityWarning))
        .collect();
        assert!(bad.is_empty(), "{bad:?}");
        let text = execution_policy(&o).unwrap().to_string();
        assert!(!text.contains("iam:") && !text.contains("\"*\"]") && !text.contains("\"Action\":\"*\""));
    }

    #[test]
    fn reaches_its_prefixes_and_nothing_else() {
        let p = CompiledPolicy::new(&policy(&opts(&["s3://data-bkt/train", "s3://data-bkt/output"])));
        let refs = [&p];
        let allowed = |action: &str, resource: &str, prefix: Option<&str>| {
            let mut context = Context::default();
            if let Some(pfx) = prefix {
                context.insert("s3:prefix", vec![pfx.to_string()]);
            }
            identity_allows(&refs, action, resource, &context)
        };
        assert!(allowed("s3:GetObject", "arn:aws:s3:::data-bkt/train/part-0.csv", None));
        assert!(allowed(
            "s3:PutObject",
            "arn:aws:s3:::data-bkt/output/model.tar.gz",
            None
        ));
        assert!(!allowed("s3:GetObject", "arn:aws:s3:::data-bkt/secret/x", None));
        assert!(!allowed("s3:GetObject", "arn:aws:s3:::other-bkt/train/x", None));
        assert!(allowed("s3:ListBucket", "arn:aws:s3:::data-bkt", Some("train/")));
        assert!(!allowed("s3:ListBucket", "arn:aws:s3:::data-bkt", Some("secret/")));
        assert!(!allowed("iam:PassRole", "*", None));
        assert!(!allowed("s3:ListAllMyBuckets", "*", None));
    }

    #[test]
    fn bad_inputs_are_named() {
        let err = |o: ExecutionOptions| execution_policy(&o).unwrap_err();
        assert!(err(opts(&[])).contains("at least one S3 location"));
        assert!(err(opts(&["s3://Bad_Bucket/x"])).contains("not an S3 bucket name"));
        assert!(err(opts(&["s3://bkt/x*"])).contains("plain prefix"));
        let mut o = opts(&["s3://bkt/x"]);
        o.account = Some("12".into());
        assert!(err(o).contains("12-digit"));
        let mut o = opts(&["s3://bkt/x"]);
        o.region = None;
        o.kms_keys = strings(&["abcd"]);
        assert!(err(o).contains("give its ARN"));
    }
}
