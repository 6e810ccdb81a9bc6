//! What a SageMaker job needs from IAM before it starts: the one table of requests each job
//! kind makes (by the caller, by SageMaker assuming the role, and by the role), each row with
//! the AWS documentation page it comes from, and its expansion for a given job into concrete
//! requests (`Need`) that the evaluator decides. Pure: no AWS, no Python.

use serde_json::Value;

use crate::build::{document, statement};
use crate::model::VERSION_2012;
use crate::sagemaker::S3Location;

/// The job kinds `sagemaker_check` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Training,
    Processing,
    Transform,
    Endpoint,
}

impl JobKind {
    pub const NAMES: [&'static str; 4] = ["training", "processing", "transform", "endpoint"];

    /// `training`, `processing`, `transform` or `endpoint`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "training" => Ok(Self::Training),
            "processing" => Ok(Self::Processing),
            "transform" => Ok(Self::Transform),
            "endpoint" => Ok(Self::Endpoint),
            other => Err(format!("job {other:?} is not one of {}", Self::NAMES.join(", "))),
        }
    }

    /// Its name, as `parse` reads it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Training => "training",
            Self::Processing => "processing",
            Self::Transform => "transform",
            Self::Endpoint => "endpoint",
        }
    }

    /// The CloudWatch Logs group the job's containers write to.
    fn log_group(self) -> &'static str {
        match self {
            Self::Training => "/aws/sagemaker/TrainingJobs",
            Self::Processing => "/aws/sagemaker/ProcessingJobs",
            Self::Transform => "/aws/sagemaker/TransformJobs",
            Self::Endpoint => "/aws/sagemaker/Endpoints/",
        }
    }

    /// The section of the SageMaker roles page for this kind's execution role.
    fn role_doc(self) -> &'static str {
        match self {
            Self::Training => {
                "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createtrainingjob-perms"
            }
            Self::Processing => {
                "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createprocessingjob-perms"
            }
            Self::Transform => {
                "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createtransformjob-perms"
            }
            Self::Endpoint => {
                "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createmodel-perms"
            }
        }
    }

    /// The resources the caller creates: (action, ARN resource type), in the order SageMaker's
    /// SDK makes them. The role is passed with the first.
    fn creates(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Training => &[("sagemaker:CreateTrainingJob", "training-job")],
            Self::Processing => &[("sagemaker:CreateProcessingJob", "processing-job")],
            Self::Transform => &[
                ("sagemaker:CreateModel", "model"),
                ("sagemaker:CreateTransformJob", "transform-job"),
            ],
            Self::Endpoint => &[
                ("sagemaker:CreateModel", "model"),
                ("sagemaker:CreateEndpointConfig", "endpoint-config"),
                ("sagemaker:CreateEndpoint", "endpoint"),
            ],
        }
    }
}

/// Who makes a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// Whoever starts the job (the caller's identity policies, boundary, SCPs).
    Caller,
    /// SageMaker, assuming the execution role (the role's trust policy).
    Service,
    /// The execution role, while the job runs.
    Role,
}

/// What a row of the table is about; `needs` turns each into concrete resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Subject {
    Create,
    PassRole,
    Trust,
    InputList,
    InputRead,
    OutputWrite,
    EcrLogin,
    ImagePull,
    Logs,
    Metrics,
    KeyUse,
    Network,
}

/// One row of the table: for these job kinds, `party` needs `actions` on `subject`'s resources.
struct Row {
    jobs: &'static [JobKind],
    party: Party,
    subject: Subject,
    actions: &'static [&'static str],
    /// The page the row comes from (`None`: the job kind's SageMaker roles section).
    doc: Option<&'static str>,
}

/// What a job in a VPC does with its network interfaces (also granted by the execution policy).
pub const VPC_ACTIONS: [&str; 9] = [
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
];

/// What pulling a job's image from its ECR repository takes (also granted by the execution policy).
pub const IMAGE_PULL_ACTIONS: [&str; 3] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
];

const ALL: &[JobKind] = &[
    JobKind::Training,
    JobKind::Processing,
    JobKind::Transform,
    JobKind::Endpoint,
];
const BATCH: &[JobKind] = &[JobKind::Training, JobKind::Processing, JobKind::Transform];

/// Which requests each job kind makes. Sources: the SageMaker roles page (one section per API:
/// CreateTrainingJob, CreateProcessingJob, CreateTransformJob, CreateModel), the IAM page on
/// passing roles, SageMaker's confused-deputy page (the service principal and its
/// `aws:SourceAccount` / `aws:SourceArn`), the S3 page on SSE-KMS (what reading and writing
/// encrypted objects needs) and the SageMaker VPC pages (network interfaces).
const TABLE: &[Row] = &[
    Row {
        jobs: ALL,
        party: Party::Caller,
        subject: Subject::Create,
        actions: &[],
        doc: Some("https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemakerai.html"),
    },
    Row {
        jobs: ALL,
        party: Party::Caller,
        subject: Subject::PassRole,
        actions: &["iam:PassRole"],
        doc: Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"),
    },
    Row {
        jobs: ALL,
        party: Party::Service,
        subject: Subject::Trust,
        actions: &["sts:AssumeRole"],
        doc: Some("https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-pass-role"),
    },
    Row {
        jobs: BATCH,
        party: Party::Role,
        subject: Subject::InputList,
        actions: &["s3:ListBucket"],
        doc: None,
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::InputRead,
        actions: &["s3:GetObject"],
        doc: None,
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::OutputWrite,
        actions: &["s3:PutObject"],
        doc: None,
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::EcrLogin,
        actions: &["ecr:GetAuthorizationToken"],
        doc: None,
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::ImagePull,
        actions: &IMAGE_PULL_ACTIONS,
        doc: None,
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::Logs,
        actions: &["logs:CreateLogStream", "logs:PutLogEvents"],
        doc: None,
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::Metrics,
        actions: &["cloudwatch:PutMetricData"],
        doc: None,
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::KeyUse,
        actions: &["kms:Decrypt", "kms:GenerateDataKey"],
        doc: Some("https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms"),
    },
    Row {
        jobs: ALL,
        party: Party::Role,
        subject: Subject::Network,
        actions: &VPC_ACTIONS,
        doc: Some("https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html"),
    },
];

/// A container image in ECR: `ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPOSITORY[:TAG|@DIGEST]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub account: String,
    pub region: String,
    pub repository: String,
}

impl Image {
    /// Read an ECR image URI; anything else (Docker Hub, a bare name) is an error naming it.
    pub fn parse(uri: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "image {uri:?} is not an ECR image URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG): \
                 SageMaker pulls only from ECR"
            )
        };
        let (host, path) = uri.split_once('/').ok_or_else(bad)?;
        let mut parts = host.split('.');
        let (Some(account), Some("dkr"), Some("ecr"), Some(region)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let repository = path.split(['@', ':']).next().unwrap_or_default();
        if !crate::arn::is_account_id(account) || region.is_empty() || repository.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            account: account.to_string(),
            region: region.to_string(),
            repository: repository.to_string(),
        })
    }
}

/// The job a user is about to start.
#[derive(Clone, Debug)]
pub struct Job {
    pub kind: JobKind,
    /// The job's (or model's / endpoint's) name: the Create requests' resource and the
    /// `aws:SourceArn` SageMaker assumes the role with.
    pub name: String,
    pub inputs: Vec<S3Location>,
    pub output: Option<S3Location>,
    pub image: Option<Image>,
    /// KMS key ARNs.
    pub kms_keys: Vec<String>,
    pub vpc: bool,
}

/// Where a request is made: the execution role's ARN and the account and region the job runs in.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub role_arn: &'a str,
    pub partition: &'a str,
    pub region: &'a str,
    pub account: &'a str,
}

/// One request the job makes, to be decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    pub party: Party,
    pub action: String,
    pub resource: String,
    /// Context keys the request carries (beyond the principal's own).
    pub context: Vec<(String, Vec<String>)>,
    /// What it is for, in a few words ("read input s3://data/train/").
    pub purpose: String,
    /// The AWS documentation page that says it is needed.
    pub doc: &'static str,
}

fn s3_uri(l: &S3Location) -> String {
    if l.prefix.is_empty() {
        format!("s3://{}/", l.bucket)
    } else {
        format!("s3://{}/{}/", l.bucket, l.prefix)
    }
}

/// A request before it is tied to its row: action, resource, context, purpose.
type Request = (String, String, Vec<(String, Vec<String>)>, String);

/// Every request `job` makes, in the table's order.
pub fn needs(job: &Job, at: Place<'_>) -> Vec<Need> {
    let mut out = Vec::new();
    for row in TABLE.iter().filter(|r| r.jobs.contains(&job.kind)) {
        let doc = row.doc.unwrap_or_else(|| job.kind.role_doc());
        let requests = match row.subject {
            Subject::Create | Subject::PassRole | Subject::Trust => control_requests(row.subject, job, at),
            _ => role_requests(row, job, at),
        };
        out.extend(requests.into_iter().map(|(action, resource, context, purpose)| Need {
            party: row.party,
            action,
            resource,
            context,
            purpose,
            doc,
        }));
    }
    out
}

fn sagemaker_arn(job: &Job, at: Place<'_>, kind: &str) -> String {
    format!(
        "arn:{}:sagemaker:{}:{}:{kind}/{}",
        at.partition, at.region, at.account, job.name
    )
}

/// The caller's and SageMaker's requests: create, pass the role, assume it.
fn control_requests(subject: Subject, job: &Job, at: Place<'_>) -> Vec<Request> {
    match subject {
        Subject::Create => job
            .kind
            .creates()
            .iter()
            .map(|(action, kind)| {
                (
                    (*action).to_string(),
                    sagemaker_arn(job, at, kind),
                    Vec::new(),
                    format!("create the {kind}"),
                )
            })
            .collect(),
        Subject::PassRole => vec![(
            "iam:PassRole".into(),
            at.role_arn.to_string(),
            vec![("iam:PassedToService".into(), vec!["sagemaker.amazonaws.com".into()])],
            "pass the execution role to SageMaker".into(),
        )],
        _ => {
            let (_, kind) = job.kind.creates()[0];
            vec![(
                "sts:AssumeRole".into(),
                at.role_arn.to_string(),
                vec![
                    ("aws:SourceAccount".into(), vec![at.account.to_string()]),
                    ("aws:SourceArn".into(), vec![sagemaker_arn(job, at, kind)]),
                ],
                "SageMaker assumes the execution role".into(),
            )]
        }
    }
}

/// The execution role's requests while the job runs.
fn role_requests(row: &Row, job: &Job, at: Place<'_>) -> Vec<Request> {
    let (partition, region, account) = (at.partition, at.region, at.account);
    let each = |resource: &str, purpose: &str| -> Vec<Request> {
        row.actions
            .iter()
            .map(|a| ((*a).to_string(), resource.to_string(), Vec::new(), purpose.to_string()))
            .collect()
    };
    match row.subject {
        Subject::InputList => job
            .inputs
            .iter()
            .map(|l| {
                let prefix = if l.prefix.is_empty() {
                    String::new()
                } else {
                    format!("{}/", l.prefix)
                };
                (
                    "s3:ListBucket".to_string(),
                    format!("arn:{partition}:s3:::{}", l.bucket),
                    vec![("s3:prefix".to_string(), vec![prefix])],
                    format!("list input {}", s3_uri(l)),
                )
            })
            .collect(),
        Subject::InputRead => job
            .inputs
            .iter()
            .flat_map(|l| each(&l.objects_arn(partition), &format!("read input {}", s3_uri(l))))
            .collect(),
        Subject::OutputWrite => job
            .output
            .iter()
            .flat_map(|l| each(&l.objects_arn(partition), &format!("write output {}", s3_uri(l))))
            .collect(),
        Subject::EcrLogin if job.image.is_some() => each("*", "log in to ECR"),
        Subject::ImagePull => job
            .image
            .iter()
            .flat_map(|i| {
                let repo = format!(
                    "arn:{partition}:ecr:{}:{}:repository/{}",
                    i.region, i.account, i.repository
                );
                each(&repo, &format!("pull the image from {}", i.repository))
            })
            .collect(),
        Subject::Logs => {
            let group = job.kind.log_group();
            let group = if job.kind == JobKind::Endpoint {
                format!("{group}{}", job.name)
            } else {
                group.to_string()
            };
            let stream = format!(
                "arn:{partition}:logs:{region}:{account}:log-group:{group}:log-stream:{}/algo-1",
                job.name
            );
            each(&stream, &format!("write logs to {group}"))
        }
        Subject::Metrics => {
            let namespace = job.kind.log_group().trim_end_matches('/');
            vec![(
                "cloudwatch:PutMetricData".into(),
                "*".into(),
                vec![("cloudwatch:namespace".into(), vec![namespace.into()])],
                "publish the job's metrics".into(),
            )]
        }
        Subject::KeyUse => job
            .kms_keys
            .iter()
            .flat_map(|k| each(k, &format!("use KMS key {k}")))
            .collect(),
        Subject::Network if job.vpc => each("*", "manage network interfaces in the VPC"),
        _ => Vec::new(),
    }
}

/// The smallest identity policy that allows every request in `needs`: one statement per set of
/// resources that shares its actions (conditions, where a request carries one the policy must
/// check, are not added: the statement allows the request whatever its context). `None` when
/// there is nothing to allow. No statement has a `*` action.
pub fn policy_for(needs: &[(&str, &str)]) -> Option<Value> {
    use std::collections::BTreeMap;
    // resource → actions, then group resources with equal action sets.
    let mut by_resource: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (action, resource) in needs {
        let actions = by_resource.entry(resource).or_default();
        if !actions.contains(action) {
            actions.push(action);
        }
    }
    let mut groups: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    for (resource, mut actions) in by_resource {
        actions.sort_unstable();
        match groups.iter_mut().find(|(a, _)| *a == actions) {
            Some((_, resources)) => resources.push(resource),
            None => groups.push((actions, vec![resource])),
        }
    }
    if groups.is_empty() {
        return None;
    }
    let statements = groups
        .into_iter()
        .map(|(actions, resources)| {
            let actions: Vec<String> = actions.into_iter().map(str::to_string).collect();
            let resources: Vec<String> = resources.into_iter().map(str::to_string).collect();
            statement("Allow", &actions, &resources, None, None, None)
        })
        .collect();
    Some(document(statements, VERSION_2012, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{evaluate, CompiledPolicy, Context, Policies, Request, Verdict};
    use crate::sagemaker::{execution_policy, ExecutionOptions};
    use crate::Policy;

    const ROLE: &str = "arn:aws:iam::123456789012:role/exec";

    fn job(kind: JobKind) -> Job {
        Job {
            kind,
            name: "churn".into(),
            inputs: vec![
                S3Location::parse("s3://data/train").expect("location"),
                S3Location::parse("s3://data/test/").expect("location"),
            ],
            output: Some(S3Location::parse("s3://models/churn").expect("location")),
            image: Some(Image::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:latest").expect("image")),
            kms_keys: vec!["arn:aws:kms:eu-west-1:123456789012:key/k1".into()],
            vpc: true,
        }
    }

    fn place() -> Place<'static> {
        Place {
            role_arn: ROLE,
            partition: "aws",
            region: "eu-west-1",
            account: "123456789012",
        }
    }

    fn decide(policy: &Value, need: &Need) -> Verdict {
        let compiled = CompiledPolicy::new(&Policy::parse(&policy.to_string()).expect("policy"));
        let mut context = Context::default();
        for (k, v) in &need.context {
            context.insert(k, v.clone());
        }
        let refs = [&compiled];
        let policies = Policies {
            identity: &refs,
            ..Policies::default()
        };
        let req = Request {
            action: &need.action,
            resource: &need.resource,
            principal: Some(ROLE),
            context: &context,
        };
        evaluate(&policies, &req).verdict
    }

    #[test]
    fn every_row_names_its_source_and_every_kind_is_covered() {
        for kind in JobKind::NAMES.map(|n| JobKind::parse(n).expect("kind")) {
            let needs = needs(&job(kind), place());
            assert!(needs.iter().all(|n| n.doc.starts_with("https://docs.aws.amazon.com/")));
            for party in [Party::Caller, Party::Service, Party::Role] {
                assert!(needs.iter().any(|n| n.party == party), "{kind:?} {party:?}");
            }
        }
        assert!(JobKind::parse("notebook").is_err());
    }

    #[test]
    fn the_requests_are_the_jobs_exact_resources() {
        let needs = needs(&job(JobKind::Training), place());
        let find = |action: &str| {
            needs
                .iter()
                .filter(|n| n.action == action)
                .map(|n| n.resource.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            find("s3:GetObject"),
            ["arn:aws:s3:::data/train/*", "arn:aws:s3:::data/test/*"]
        );
        assert_eq!(find("s3:PutObject"), ["arn:aws:s3:::models/churn/*"]);
        assert_eq!(
            find("sagemaker:CreateTrainingJob"),
            ["arn:aws:sagemaker:eu-west-1:123456789012:training-job/churn"]
        );
        assert_eq!(
            find("ecr:BatchGetImage"),
            ["arn:aws:ecr:eu-west-1:123456789012:repository/churn"]
        );
        let list = needs.iter().find(|n| n.action == "s3:ListBucket").expect("list");
        assert_eq!(list.context, [("s3:prefix".to_string(), vec!["train/".to_string()])]);
        let pass = needs.iter().find(|n| n.action == "iam:PassRole").expect("pass");
        assert_eq!(pass.resource, ROLE);
        let endpoint = super::needs(&job(JobKind::Endpoint), place());
        assert!(endpoint.iter().any(|n| n.action == "sagemaker:CreateEndpoint"));
        assert!(!endpoint.iter().any(|n| n.action == "s3:ListBucket"));
    }

    #[test]
    fn rolekits_own_execution_policy_allows_everything_the_job_needs() {
        let preset = execution_policy(&ExecutionOptions {
            s3: vec![
                "s3://data/train".into(),
                "s3://data/test".into(),
                "s3://models/churn".into(),
            ],
            ecr_repositories: vec!["churn".into()],
            kms_keys: vec!["arn:aws:kms:eu-west-1:123456789012:key/k1".into()],
            vpc: true,
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
        })
        .expect("preset");
        for need in needs(&job(JobKind::Training), place())
            .iter()
            .filter(|n| n.party == Party::Role)
        {
            assert_eq!(decide(&preset, need), Verdict::Allow, "{need:?}");
        }
    }

    #[test]
    fn the_smallest_policy_allows_exactly_what_was_asked() {
        let all = needs(&job(JobKind::Processing), place());
        let role: Vec<(&str, &str)> = all
            .iter()
            .filter(|n| n.party == Party::Role)
            .map(|n| (n.action.as_str(), n.resource.as_str()))
            .collect();
        let policy = policy_for(&role).expect("a policy");
        for need in all.iter().filter(|n| n.party == Party::Role) {
            assert_eq!(decide(&policy, need), Verdict::Allow, "{need:?}");
        }
        let text = policy.to_string();
        assert!(!text.contains(r#""Action":"*""#) && !text.contains(r#""*:"#), "{text}");
        let other = Need {
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::data/payroll/x".into(),
            ..all[0].clone()
        };
        assert_eq!(decide(&policy, &other), Verdict::ImplicitDeny);
        assert!(policy_for(&[]).is_none());
        let parsed = Policy::parse(&text).expect("policy");
        let report = crate::validate::validate(&parsed, crate::validate::Options::default());
        assert!(
            report.iter().all(|f| f.severity != crate::Severity::Error),
            "{report:?}"
        );
    }

    #[test]
    fn image_uris_are_read_or_refused() {
        let i =
            Image::parse("763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training@sha256:abc").expect("image");
        assert_eq!(
            (i.account.as_str(), i.region.as_str(), i.repository.as_str()),
            ("763104351884", "us-west-2", "pytorch-training")
        );
        for bad in [
            "pytorch:latest",
            "docker.io/library/python:3",
            "1.dkr.ecr.x.amazonaws.com/r",
        ] {
            assert!(Image::parse(bad).is_err(), "{bad}");
        }
    }
}
