//! The organization's guardrails and the per-service rules, each from the AWS page that states it.

use super::*;
use crate::model::Policy;

fn compile(text: &str) -> CompiledPolicy {
    CompiledPolicy::new(&Policy::parse(text).expect("valid JSON"))
}

fn doc(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
}

const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const ALLOW_ALL: &str = r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#;

/// One request in an organization.
#[derive(Default)]
struct Case<'a> {
    identity: Vec<String>,
    resource: Option<String>,
    scps: Vec<Vec<String>>,
    rcps: Vec<Vec<String>>,
    endpoint: Option<String>,
    management: bool,
    resource_account: Option<&'a str>,
    principal: Option<&'a str>,
    context: Vec<(&'a str, &'a str)>,
}

impl Case<'_> {
    fn decide(&self, action: &str, resource: &str) -> Decision {
        let identity: Vec<CompiledPolicy> = self.identity.iter().map(|t| compile(t)).collect();
        let identity_refs: Vec<&CompiledPolicy> = identity.iter().collect();
        let leveled = |levels: &[Vec<String>]| -> Vec<Vec<CompiledPolicy>> {
            levels.iter().map(|l| l.iter().map(|t| compile(t)).collect()).collect()
        };
        let (scps, rcps) = (leveled(&self.scps), leveled(&self.rcps));
        let scp_refs: Vec<Vec<&CompiledPolicy>> = scps.iter().map(|l| l.iter().collect()).collect();
        let rcp_refs: Vec<Vec<&CompiledPolicy>> = rcps.iter().map(|l| l.iter().collect()).collect();
        let scp_levels: Vec<&[&CompiledPolicy]> = scp_refs.iter().map(Vec::as_slice).collect();
        let rcp_levels: Vec<&[&CompiledPolicy]> = rcp_refs.iter().map(Vec::as_slice).collect();
        let resource_policy = self.resource.as_deref().map(compile);
        let endpoint = self.endpoint.as_deref().map(compile);
        let policies = Policies {
            identity: &identity_refs,
            resource: resource_policy.as_ref(),
            scps: &scp_levels,
            rcps: &rcp_levels,
            endpoint: endpoint.as_ref(),
            management_account: self.management,
            resource_account: self.resource_account,
            ..Policies::default()
        };
        let mut context = Context::default();
        for (k, v) in &self.context {
            context.insert(k, vec![(*v).to_string()]);
        }
        let req = Request {
            action,
            resource,
            principal: Some(self.principal.unwrap_or(ALICE)),
            context: &context,
        };
        evaluate(&policies, &req)
    }
}

fn allow(action: &str, resource: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Allow", "Action": "{action}", "Resource": "{resource}"}}"#
    ))
}

fn deny(action: &str, resource: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Deny", "Action": "{action}", "Resource": "{resource}"}}"#
    ))
}

/// orgs_manage_policies_scps_evaluation.html: "an explicit Deny in an SCP ... overrides any Allow";
/// an SCP never grants: the identity policy must still allow.
#[test]
fn an_scp_deny_overrides_every_allow_and_an_scp_allow_grants_nothing() {
    let mut case = Case {
        identity: vec![doc(ALLOW_ALL)],
        scps: vec![vec![doc(ALLOW_ALL), deny("ec2:*", "*")]],
        ..Case::default()
    };
    let denied = case.decide("ec2:RunInstances", "*");
    assert_eq!(denied.verdict, Verdict::ExplicitDeny);
    assert_eq!(denied.blocked_by, vec!["scp"]);
    assert_eq!(case.decide("s3:GetObject", "arn:aws:s3:::b/k").verdict, Verdict::Allow);
    case.identity = vec![];
    let nothing = case.decide("s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(
        (nothing.verdict, nothing.blocked_by.to_vec()),
        (Verdict::ImplicitDeny, vec!["identity"])
    );
}

/// orgs_manage_policies_scps_evaluation.html: "for a permission to be allowed for a specific
/// account, there must be an explicit Allow statement at every level from the root through each
/// OU in the direct path to the account (including the target account itself)".
#[test]
fn every_level_from_the_root_to_the_account_must_allow() {
    let case = Case {
        identity: vec![doc(ALLOW_ALL)],
        scps: vec![vec![doc(ALLOW_ALL)], vec![allow("s3:*", "*")], vec![doc(ALLOW_ALL)]],
        ..Case::default()
    };
    assert_eq!(case.decide("s3:PutObject", "arn:aws:s3:::b/k").verdict, Verdict::Allow);
    let ec2 = case.decide("ec2:RunInstances", "*");
    assert_eq!(
        (ec2.verdict, ec2.blocked_by.to_vec()),
        (Verdict::ImplicitDeny, vec!["scp"])
    );
    let empty_level = Case {
        identity: vec![doc(ALLOW_ALL)],
        scps: vec![vec![doc(ALLOW_ALL)], vec![]],
        ..Case::default()
    };
    assert_eq!(
        empty_level.decide("s3:GetObject", "*").blocked_by,
        vec!["scp"],
        "a level with no SCP allows nothing"
    );
}

/// Deeper than AWS allows (root, five OUs, the account: 7 levels), the rule is the same: every level
/// must allow, the ninth and tenth as much as the first (the per-level record spills past eight).
#[test]
fn every_level_of_a_deep_organization_counts() {
    let mut case = Case {
        identity: vec![doc(ALLOW_ALL)],
        scps: vec![vec![doc(ALLOW_ALL)]; 10],
        principal: Some(ALICE),
        ..Case::default()
    };
    let d = case.decide("ec2:RunInstances", "*");
    assert_eq!(d.verdict, Verdict::Allow);
    let levels: Vec<usize> = d
        .matched
        .iter()
        .filter_map(|h| match h.role {
            Role::Scp { level, .. } => Some(level),
            _ => None,
        })
        .collect();
    assert_eq!(levels, (0..10).collect::<Vec<_>>());
    for level in [2, 8, 9] {
        case.scps = vec![vec![doc(ALLOW_ALL)]; 10];
        case.scps[level] = vec![allow("s3:*", "*")];
        let d = case.decide("ec2:RunInstances", "*");
        assert_eq!(
            (level, d.verdict, d.blocked_by.to_vec()),
            (level, Verdict::ImplicitDeny, vec!["scp"])
        );
        assert_eq!(
            case.decide("s3:GetObject", "*").verdict,
            Verdict::Allow,
            "level {level}"
        );
    }
}

/// orgs_manage_policies_scps.html: "SCPs don't affect users or roles in the management account"
/// and "SCPs don't affect service-linked roles".
#[test]
fn scps_spare_the_management_account_and_service_linked_roles() {
    let mut case = Case {
        identity: vec![doc(ALLOW_ALL)],
        scps: vec![vec![deny("*", "*")]],
        management: true,
        ..Case::default()
    };
    assert_eq!(case.decide("ec2:RunInstances", "*").verdict, Verdict::Allow);
    case.management = false;
    assert_eq!(case.decide("ec2:RunInstances", "*").verdict, Verdict::ExplicitDeny);
    case.principal = Some(
        "arn:aws:iam::111111111111:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMRCleanup",
    );
    assert_eq!(case.decide("ec2:RunInstances", "*").verdict, Verdict::Allow);
    case.principal = Some("arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForEMRCleanup/session");
    assert_eq!(case.decide("ec2:RunInstances", "*").verdict, Verdict::Allow);
}

/// The same rule for every way an organization restricts: an SCP level that allows nothing, an
/// RCP's Deny ("RCPs don't affect service-linked roles", orgs_manage_policies_rcps.html), and an
/// SCP Deny beside an endpoint policy whose Allow must still be found (the caller is read only
/// once the organization restricted, and the request then read again without its policies).
#[test]
fn service_linked_roles_escape_every_organization_restriction() {
    let linked =
        "arn:aws:iam::111111111111:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMRCleanup";
    let perimeter = doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#);
    let cases = [
        Case {
            identity: vec![doc(ALLOW_ALL)],
            scps: vec![vec![doc(ALLOW_ALL)], vec![allow("s3:*", "*")]],
            ..Case::default()
        },
        Case {
            identity: vec![doc(ALLOW_ALL)],
            rcps: vec![vec![perimeter]],
            ..Case::default()
        },
        Case {
            identity: vec![doc(ALLOW_ALL)],
            scps: vec![vec![doc(&format!(
                r#"{ALLOW_ALL}, {{"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}}"#
            ))]],
            endpoint: Some(doc(
                r#"{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}"#,
            )),
            ..Case::default()
        },
    ];
    for (n, mut case) in cases.into_iter().enumerate() {
        let action = if n == 1 { "s3:GetObject" } else { "ec2:RunInstances" };
        case.principal = Some(ALICE);
        let d = case.decide(action, "*");
        assert_ne!(d.verdict, Verdict::Allow, "case {n}: the organization restricts a user");
        case.principal = Some(linked);
        let d = case.decide(action, "*");
        assert_eq!((n, d.verdict, d.blocked_by.to_vec()), (n, Verdict::Allow, vec![]));
        let kinds: Vec<&str> = d.matched.iter().map(|h| h.role.kind()).collect();
        assert!(
            !kinds.contains(&"scp") && !kinds.contains(&"rcp"),
            "case {n}: {kinds:?}"
        );
        assert_eq!(
            kinds.contains(&"endpoint"),
            case.endpoint.is_some(),
            "case {n}: {kinds:?}"
        );
    }
}

/// orgs_manage_policies_rcps.html: RCPFullAWSAccess is attached at every level (so RCPs deny only
/// by their Deny statements), RCPs never grant, and they apply to the resource's account for
/// callers from anywhere; the usual data-perimeter example denies callers outside the organization.
#[test]
fn an_rcp_deny_restricts_callers_and_never_grants() {
    let perimeter = doc(
        r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}}"#,
    );
    let bucket = doc(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*"}"#,
    );
    let outsider = Case {
        identity: vec![doc(ALLOW_ALL)],
        resource: Some(bucket.clone()),
        rcps: vec![vec![perimeter.clone()]],
        resource_account: Some("111111111111"),
        principal: Some("arn:aws:iam::222222222222:user/bob"),
        context: vec![("aws:PrincipalOrgID", "o-other")],
        ..Case::default()
    };
    let d = outsider.decide("s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!((d.verdict, d.blocked_by.to_vec()), (Verdict::ExplicitDeny, vec!["rcp"]));
    let insider = Case {
        context: vec![("aws:PrincipalOrgID", "o-abc")],
        ..outsider
    };
    assert_eq!(
        insider.decide("s3:GetObject", "arn:aws:s3:::b/k").verdict,
        Verdict::Allow
    );
    let only_rcp_allow = Case {
        rcps: vec![vec![doc(
            r#"{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}"#,
        )]],
        ..Case::default()
    };
    let d = only_rcp_allow.decide("s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(
        (d.verdict, d.blocked_by.to_vec()),
        (Verdict::ImplicitDeny, vec!["identity"]),
        "an RCP allow grants nothing"
    );
}

/// vpc-endpoints-access.html: "an endpoint policy does not override or replace identity-based
/// policies or resource-based policies" — the request must be allowed by it as well.
#[test]
fn a_vpc_endpoint_policy_must_allow_and_never_grants() {
    let endpoint =
        doc(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#);
    let case = Case {
        identity: vec![doc(ALLOW_ALL)],
        endpoint: Some(endpoint.clone()),
        ..Case::default()
    };
    assert_eq!(case.decide("s3:GetObject", "arn:aws:s3:::b/k").verdict, Verdict::Allow);
    let put = case.decide("s3:PutObject", "arn:aws:s3:::b/k");
    assert_eq!(
        (put.verdict, put.blocked_by.to_vec()),
        (Verdict::ImplicitDeny, vec!["endpoint"])
    );
    let alone = Case {
        endpoint: Some(endpoint),
        ..Case::default()
    };
    assert_eq!(
        alone.decide("s3:GetObject", "arn:aws:s3:::b/k").blocked_by,
        vec!["identity"]
    );
}

/// API_GetCallerIdentity.html: "No permissions are required ... you can still perform this
/// operation" even under an explicit deny.
#[test]
fn get_caller_identity_is_always_allowed() {
    let case = Case {
        identity: vec![deny("*", "*")],
        scps: vec![vec![deny("*", "*")]],
        ..Case::default()
    };
    assert_eq!(case.decide("sts:GetCallerIdentity", "*").verdict, Verdict::Allow);
    assert_eq!(case.decide("sts:GetSessionToken", "*").verdict, Verdict::ExplicitDeny);
}

/// An anonymous caller (`principal="*"`) has no identity and no account: only a resource policy
/// whose Principal is `*` can allow it, and SCPs (which restrict an account's principals) do not
/// apply to it (reference_policies_evaluation-logic.html; orgs_manage_policies_scps.html).
#[test]
fn an_anonymous_caller_needs_a_public_resource_policy() {
    let public =
        doc(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#);
    let mut case = Case {
        identity: vec![doc(ALLOW_ALL)],
        principal: Some("*"),
        scps: vec![vec![deny("*", "*")]],
        ..Case::default()
    };
    let d = case.decide("s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(
        d.verdict,
        Verdict::ImplicitDeny,
        "identity policies do not speak for an anonymous caller"
    );
    case.resource = Some(public);
    assert_eq!(case.decide("s3:GetObject", "arn:aws:s3:::b/k").verdict, Verdict::Allow);
    assert_eq!(
        case.decide("s3:PutObject", "arn:aws:s3:::b/k").verdict,
        Verdict::ImplicitDeny
    );
}

/// S3 ARNs carry no account: `resource_account` says whose bucket it is, and a caller from
/// another account then needs the bucket policy too (reference_policies_evaluation-logic-cross-account.html).
#[test]
fn resource_account_makes_a_bucket_cross_account() {
    let mut case = Case {
        identity: vec![doc(ALLOW_ALL)],
        ..Case::default()
    };
    assert_eq!(case.decide("s3:GetObject", "arn:aws:s3:::b/k").verdict, Verdict::Allow);
    case.resource_account = Some("999999999999");
    let d = case.decide("s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(
        (d.verdict, d.blocked_by.to_vec()),
        (Verdict::ImplicitDeny, vec!["resource"])
    );
    case.resource = Some(doc(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    ));
    assert_eq!(case.decide("s3:GetObject", "arn:aws:s3:::b/k").verdict, Verdict::Allow);
}

#[test]
fn blocked_by_lists_every_policy_type_that_denied_in_order() {
    let case = Case {
        identity: vec![deny("s3:*", "*"), doc(ALLOW_ALL)],
        scps: vec![vec![deny("s3:*", "*")]],
        endpoint: Some(doc(
            r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#,
        )),
        ..Case::default()
    };
    assert_eq!(
        case.decide("s3:GetObject", "*").blocked_by,
        vec!["identity", "scp", "endpoint"]
    );
    assert!(case.decide("ec2:RunInstances", "*").blocked_by.contains(&"endpoint"));
}

/// The rule a role's trust policy and a KMS key policy share: the resource policy must allow even
/// in the same account; naming someone else denies, naming the account delegates to the caller's
/// identity policies (so the account alone is not enough), naming the caller allows by itself.
fn resource_policy_gates(action: &str, resource: &str, grant: &dyn Fn(&str) -> String) {
    let mut case = Case {
        identity: vec![doc(ALLOW_ALL)],
        resource: Some(grant("arn:aws:iam::111111111111:user/bob")),
        ..Case::default()
    };
    let d = case.decide(action, resource);
    assert_eq!(
        (d.verdict, d.blocked_by.to_vec()),
        (Verdict::ImplicitDeny, vec!["resource"]),
        "{action}: someone else"
    );
    case.resource = Some(grant("arn:aws:iam::111111111111:root"));
    assert_eq!(
        case.decide(action, resource).verdict,
        Verdict::Allow,
        "{action}: the account, and alice's policy"
    );
    case.identity = vec![];
    assert_eq!(
        case.decide(action, resource).blocked_by,
        vec!["identity"],
        "{action}: the account alone"
    );
    case.resource = Some(grant(ALICE));
    assert_eq!(
        case.decide(action, resource).verdict,
        Verdict::Allow,
        "{action}: naming alice"
    );
}

/// id_roles_manage-assume.html: a role's trust policy must allow the principal that assumes it,
/// in the same account as well.
#[test]
fn assume_role_needs_the_trust_policy_even_in_the_same_account() {
    let trust = |principal: &str| {
        doc(&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": "sts:AssumeRole"}}"#
        ))
    };
    resource_policy_gates("sts:AssumeRole", "arn:aws:iam::111111111111:role/r", &trust);
    // other actions on other resources keep the same-account rule: the identity policy suffices
    let case = Case {
        identity: vec![doc(ALLOW_ALL)],
        resource: Some(doc(
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/bob"}, "Action": "s3:*", "Resource": "*"}"#,
        )),
        ..Case::default()
    };
    assert_eq!(case.decide("s3:GetObject", "arn:aws:s3:::b/k").verdict, Verdict::Allow);
}

/// access_policies_managed-vs-inline.html: AWS managed policies are readable from any account
/// with an identity-based allow alone (their ARN's account is `aws`, not another customer's).
#[test]
fn aws_managed_policies_are_not_another_account() {
    let case = Case {
        identity: vec![allow("iam:GetPolicy*", "*")],
        ..Case::default()
    };
    assert_eq!(
        case.decide("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")
            .verdict,
        Verdict::Allow
    );
    let d = case.decide("iam:GetPolicy", "arn:aws:iam::999999999999:policy/theirs");
    assert_eq!(
        (d.verdict, d.blocked_by.to_vec()),
        (Verdict::ImplicitDeny, vec!["resource"])
    );
}

/// key-policies.html: the key policy decides access to a KMS key; naming the account delegates
/// to IAM policies, and without that an IAM policy alone grants nothing.
#[test]
fn a_kms_key_policy_must_allow_even_in_the_same_account() {
    let key_policy = |principal: &str| {
        doc(&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": "kms:*", "Resource": "*"}}"#
        ))
    };
    resource_policy_gates(
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        &key_policy,
    );
    // an alias is not a key: the identity policy decides as for other resources
    let case = Case {
        identity: vec![allow("kms:*", "*")],
        ..Case::default()
    };
    assert_eq!(
        case.decide("kms:DescribeKey", "arn:aws:kms:us-east-1:111111111111:alias/app")
            .verdict,
        Verdict::Allow
    );
}

/// The rules AWS applies before any policy: a service-linked role belongs to its service
/// (using-service-linked-roles.html), a role under /aws-reserved/ to IAM Identity Center
/// (permissionsetsconcept.html; AWSSSOServiceRolePolicy grants the service those changes), an AWS
/// managed policy to AWS (access_policies_managed-vs-inline.html), and KMS's alias/aws/ prefix to
/// AWS managed keys (API_CreateAlias.html). Each refuses even an administrator.
#[test]
fn service_rules_refuse_what_no_policy_can_grant() {
    let admin = Case {
        identity: vec![allow("*", "*")],
        ..Case::default()
    };
    let linked =
        "arn:aws:iam::111111111111:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMaker";
    let reserved =
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef";
    let refused = |action: &str, resource: &str| {
        let d = admin.decide(action, resource);
        assert_eq!(d.verdict, Verdict::ExplicitDeny, "{action} on {resource}");
        assert!(d.blocked_by.is_empty() && d.matched.is_empty(), "no policy decided");
        d.rule.expect("a rule decided")
    };
    for action in [
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole",
    ] {
        assert!(refused(action, linked).doc.ends_with("using-service-linked-roles.html"));
        assert!(refused(action, reserved).says.contains("/aws-reserved/"));
    }
    // A service-linked role's description stays editable; a reserved role's does not.
    assert_eq!(
        admin.decide("iam:UpdateRoleDescription", linked).verdict,
        Verdict::Allow
    );
    refused("iam:UpdateRoleDescription", reserved);
    // Reading them is an ordinary request, and the owning service changes its roles itself.
    assert_eq!(admin.decide("iam:GetRole", reserved).verdict, Verdict::Allow);
    let sso = Case {
        identity: vec![allow("iam:*", "*")],
        principal: Some("arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForSSO/sso"),
        ..Case::default()
    };
    assert_eq!(sso.decide("iam:PutRolePolicy", reserved).verdict, Verdict::Allow);

    let managed = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess";
    refused("iam:CreatePolicyVersion", managed);
    refused("iam:DeletePolicy", managed);
    assert_eq!(admin.decide("iam:GetPolicyVersion", managed).verdict, Verdict::Allow);
    assert_eq!(
        admin
            .decide("iam:CreatePolicyVersion", "arn:aws:iam::111111111111:policy/mine")
            .verdict,
        Verdict::Allow
    );

    for action in ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"] {
        refused(action, "arn:aws:kms:us-east-1:111111111111:alias/aws/s3");
        assert_eq!(
            admin
                .decide(action, "arn:aws:kms:us-east-1:111111111111:alias/team-key")
                .verdict,
            Verdict::Allow
        );
    }
    assert_eq!(
        admin
            .decide("kms:DescribeKey", "arn:aws:kms:us-east-1:111111111111:alias/aws/s3")
            .verdict,
        Verdict::Allow
    );

    // GetCallerIdentity is the allowing rule, and explain() cites each rule's page.
    let d = Case {
        identity: vec![deny("*", "*")],
        ..Case::default()
    }
    .decide("sts:GetCallerIdentity", "*");
    assert_eq!(
        (d.verdict, d.rule.map(|r| r.verdict)),
        (Verdict::Allow, Some(Verdict::Allow))
    );
    let identity = [compile(&allow("*", "*"))];
    let refs: Vec<&CompiledPolicy> = identity.iter().collect();
    let policies = Policies {
        identity: &refs,
        ..Policies::default()
    };
    let ctx = Context::default();
    let req = Request {
        action: "kms:DeleteAlias",
        resource: "arn:aws:kms:us-east-1:111111111111:alias/aws/ebs",
        principal: Some(ALICE),
        context: &ctx,
    };
    let lines = explain(&policies, &req, &evaluate(&policies, &req));
    assert!(lines[0].starts_with("DENIED by a rule of AWS's own"), "{lines:?}");
    assert!(
        lines[1].contains("alias/aws/") && lines[1].contains("API_CreateAlias.html"),
        "{lines:?}"
    );
}

/// orgs_manage_policies_rcps.html, "List of AWS services that support RCPs": an RCP restricts the
/// actions of those services only, and never kms:RetireGrant.
#[test]
fn rcps_restrict_the_services_they_support_only() {
    let deny_all = doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}"#);
    let case = Case {
        identity: vec![doc(ALLOW_ALL)],
        rcps: vec![vec![deny_all]],
        resource_account: Some("111111111111"),
        ..Case::default()
    };
    for (action, resource) in [
        ("s3:GetObject", "arn:aws:s3:::b/k"),
        ("S3:GetObject", "arn:aws:s3:::b/k"),
        ("sts:AssumeRole", "arn:aws:iam::111111111111:role/r"),
        ("kms:Decrypt", "arn:aws:kms:us-east-1:111111111111:alias/a"),
        ("sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:q"),
        ("secretsmanager:GetSecretValue", "*"),
        ("ecr-public:GetAuthorizationToken", "*"),
        ("xray:PutTraceSegments", "*"),
        ("aoss:APIAccessAll", "*"),
    ] {
        let d = case.decide(action, resource);
        assert_eq!(
            (d.verdict, d.blocked_by.to_vec()),
            (Verdict::ExplicitDeny, vec!["rcp"]),
            "{action}"
        );
    }
    for (action, resource) in [
        ("ec2:RunInstances", "arn:aws:ec2:us-east-1:111111111111:instance/i-1"),
        ("iam:GetRole", "arn:aws:iam::111111111111:role/r"),
        ("sagemaker:CreateTrainingJob", "*"),
        ("lambda:InvokeFunction", "*"),
        ("kms:RetireGrant", "arn:aws:kms:us-east-1:111111111111:alias/a"),
        ("ecrx:GetAuthorizationToken", "*"),
        ("s:GetObject", "*"),
    ] {
        assert_eq!(case.decide(action, resource).verdict, Verdict::Allow, "{action}");
    }
    assert!(
        RCP_SERVICES.windows(2).all(|w| w[0] < w[1]),
        "sorted, each once: binary_search relies on it"
    );
}

/// orgs_manage_policies_scps.html: "SCPs affect only IAM users and roles that are managed by
/// accounts that are part of the organization": a service principal acting on its own is not one,
/// while the role it then acts as is.
#[test]
fn scps_do_not_restrict_a_service_principal() {
    let trust =
        doc(r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}"#);
    let mut case = Case {
        resource: Some(trust),
        scps: vec![vec![deny("*", "*")]],
        principal: Some("sagemaker.amazonaws.com"),
        ..Case::default()
    };
    let assume = case.decide("sts:AssumeRole", "arn:aws:iam::111111111111:role/ds");
    assert_eq!(assume.verdict, Verdict::Allow);
    case.principal = Some("arn:aws:sts::111111111111:assumed-role/ds/SageMaker");
    case.identity = vec![doc(ALLOW_ALL)];
    case.resource = None;
    let then = case.decide("s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(
        (then.verdict, then.blocked_by.to_vec()),
        (Verdict::ExplicitDeny, vec!["scp"])
    );
}
