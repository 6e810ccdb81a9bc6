//! Decisions taken from the IAM User Guide's own examples, and the invariants of the logic.

use super::*;
use crate::model::Policy;

fn compile(text: &str) -> CompiledPolicy {
    CompiledPolicy::new(&Policy::parse(text).expect("valid JSON"))
}

fn doc(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
}

/// The explanation of a request against identity policies alone.
fn explained(identity: &[&CompiledPolicy], action: &str, resource: &str, context: &Context) -> Vec<String> {
    identity_only(identity, (action, resource), context, |p, req| {
        explain(p, req, &evaluate(p, req))
    })
}

/// Whether a policy allowing `action` on any resource under `condition` allows the request.
fn decide_under(condition: &str, action: &str, resource: &str, ctx: &[(&str, &[&str])]) -> Verdict {
    let policy = doc(&format!(
        r#"{{"Effect": "Allow", "Action": "{action}", "Resource": "*", "Condition": {condition}}}"#
    ));
    decide(&[&policy], action, resource, ctx)
}

fn decide(identity: &[&str], action: &str, resource: &str, ctx: &[(&str, &[&str])]) -> Verdict {
    let compiled: Vec<CompiledPolicy> = identity.iter().map(|t| compile(t)).collect();
    let refs: Vec<&CompiledPolicy> = compiled.iter().collect();
    let mut context = Context::default();
    for (k, v) in ctx {
        context.insert(k, v.iter().map(|s| (*s).to_string()).collect());
    }
    let p = Policies {
        identity: &refs,
        ..Policies::default()
    };
    evaluate(
        &p,
        &Request {
            action,
            resource,
            principal: None,
            context: &context,
        },
    )
    .verdict
}

const S3_READ: &str = r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}"#;

#[test]
fn allow_needs_a_matching_statement() {
    let p = doc(S3_READ);
    assert_eq!(decide(&[&p], "s3:GetObject", "arn:aws:s3:::b/k", &[]), Verdict::Allow);
    assert_eq!(
        decide(&[&p], "S3:GETOBJECT", "arn:aws:s3:::b/k", &[]),
        Verdict::Allow,
        "actions ignore case"
    );
    assert_eq!(
        decide(&[&p], "s3:GetObject", "arn:aws:s3:::B/k", &[]),
        Verdict::ImplicitDeny,
        "ARNs do not"
    );
    assert_eq!(
        decide(&[&p], "s3:PutObject", "arn:aws:s3:::b/k", &[]),
        Verdict::ImplicitDeny
    );
    assert_eq!(
        decide(&[], "s3:GetObject", "arn:aws:s3:::b/k", &[]),
        Verdict::ImplicitDeny
    );
}

#[test]
fn the_tutorial_role() {
    // The seed: a role allowed s3:ListAllMyBuckets lists buckets and is denied ListObjects (ListBucket).
    let p = doc(r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}"#);
    assert_eq!(decide(&[&p], "s3:ListAllMyBuckets", "*", &[]), Verdict::Allow);
    assert_eq!(
        decide(&[&p], "s3:ListBucket", "arn:aws:s3:::aws-use-case-churn", &[]),
        Verdict::ImplicitDeny
    );
}

#[test]
fn explicit_deny_wins_everywhere() {
    let allow = doc(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#);
    let deny = doc(r#"{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}"#);
    assert_eq!(
        decide(&[&allow, &deny], "s3:DeleteObject", "arn:aws:s3:::b/x", &[]),
        Verdict::ExplicitDeny
    );
    assert_eq!(
        decide(&[&allow, &deny], "s3:DeleteObject", "arn:aws:s3:::c/x", &[]),
        Verdict::Allow
    );
}

#[test]
fn not_action_and_not_resource() {
    // User Guide: NotAction with Allow — everything except IAM.
    let p = doc(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#);
    assert_eq!(decide(&[&p], "s3:GetObject", "arn:aws:s3:::b/k", &[]), Verdict::Allow);
    assert_eq!(decide(&[&p], "iam:CreateUser", "*", &[]), Verdict::ImplicitDeny);
    // Deny with NotResource: deny everything but one bucket.
    let a = doc(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::ok", "arn:aws:s3:::ok/*"]}"#,
    );
    assert_eq!(decide(&[&a], "s3:GetObject", "arn:aws:s3:::ok/x", &[]), Verdict::Allow);
    assert_eq!(
        decide(&[&a], "s3:GetObject", "arn:aws:s3:::other/x", &[]),
        Verdict::ExplicitDeny
    );
}

#[test]
fn wildcards_in_actions_and_resources() {
    let p = doc(r#"{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "arn:aws:s3:::b/2026-??/*"}"#);
    assert_eq!(
        decide(&[&p], "ec2:DescribeInstances", "arn:aws:s3:::b/2026-01/x", &[]),
        Verdict::Allow
    );
    assert_eq!(
        decide(&[&p], "ec2:DescribeInstances", "arn:aws:s3:::b/2026-1/x", &[]),
        Verdict::ImplicitDeny
    );
}

#[test]
fn condition_operators() {
    let d = |c: &str, ctx: &[(&str, &[&str])]| decide_under(c, "s3:GetObject", "arn:aws:s3:::b/k", ctx);
    // IP addresses (User Guide: aws:SourceIp example).
    let ip = r#"{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}"#;
    assert_eq!(d(ip, &[("aws:SourceIp", &["203.0.113.9"])]), Verdict::Allow);
    assert_eq!(d(ip, &[("aws:SourceIp", &["198.51.100.1"])]), Verdict::ImplicitDeny);
    assert_eq!(
        d(ip, &[]),
        Verdict::ImplicitDeny,
        "absent key: a positive operator is false"
    );
    let not_ip = r#"{"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}"#;
    assert_eq!(
        d(not_ip, &[]),
        Verdict::Allow,
        "negated operators are true when the key is absent"
    );
    assert_eq!(d(not_ip, &[("aws:SourceIp", &["192.0.2.1"])]), Verdict::ImplicitDeny);
    // IfExists.
    let ie = r#"{"StringEqualsIfExists": {"ec2:InstanceType": ["t3.micro"]}}"#;
    assert_eq!(d(ie, &[]), Verdict::Allow);
    assert_eq!(d(ie, &[("ec2:InstanceType", &["m5.24xlarge"])]), Verdict::ImplicitDeny);
    // Keys are case-insensitive; values of one key are OR; keys are AND.
    let two = r#"{"StringEquals": {"AWS:PrincipalTag/Team": ["ml", "data"], "aws:RequestedRegion": "eu-west-1"}}"#;
    assert_eq!(
        d(
            two,
            &[
                ("aws:principaltag/team", &["data"]),
                ("aws:RequestedRegion", &["eu-west-1"])
            ]
        ),
        Verdict::Allow
    );
    assert_eq!(
        d(
            two,
            &[
                ("aws:principaltag/team", &["data"]),
                ("aws:RequestedRegion", &["us-east-1"])
            ]
        ),
        Verdict::ImplicitDeny
    );
    // Numbers, dates, booleans.
    assert_eq!(
        d(
            r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}}"#,
            &[("s3:max-keys", &["10"])]
        ),
        Verdict::Allow
    );
    assert_eq!(
        d(
            r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#,
            &[("s3:max-keys", &["10"])]
        ),
        Verdict::ImplicitDeny
    );
    assert_eq!(
        d(
            r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#,
            &[("s3:max-keys", &["ten"])]
        ),
        Verdict::ImplicitDeny
    );
    let time = r#"{"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#;
    assert_eq!(
        d(time, &[("aws:CurrentTime", &["2026-06-01T12:00:00Z"])]),
        Verdict::Allow
    );
    assert_eq!(
        d(time, &[("aws:CurrentTime", &["2025-06-01T12:00:00Z"])]),
        Verdict::ImplicitDeny
    );
    let mfa = r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#;
    assert_eq!(d(mfa, &[("aws:MultiFactorAuthPresent", &["TRUE"])]), Verdict::Allow);
    assert_eq!(d(mfa, &[]), Verdict::ImplicitDeny);
    // Null: true means "the key is absent".
    assert_eq!(d(r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, &[]), Verdict::Allow);
    assert_eq!(
        d(r#"{"Null": {"aws:TokenIssueTime": "false"}}"#, &[]),
        Verdict::ImplicitDeny
    );
    // StringLike / StringNotLike / IgnoreCase / Arn.
    assert_eq!(
        d(
            r#"{"StringLike": {"s3:prefix": ["home/*"]}}"#,
            &[("s3:prefix", &["home/bob/"])]
        ),
        Verdict::Allow
    );
    assert_eq!(
        d(
            r#"{"StringNotLike": {"s3:prefix": ["home/*"]}}"#,
            &[("s3:prefix", &["home/bob/"])]
        ),
        Verdict::ImplicitDeny
    );
    assert_eq!(
        d(
            r#"{"StringEqualsIgnoreCase": {"aws:username": "BOB"}}"#,
            &[("aws:username", &["bob"])]
        ),
        Verdict::Allow
    );
    let arn = r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:*:123456789012:training-job/*"}}"#;
    assert_eq!(
        d(
            arn,
            &[(
                "aws:SourceArn",
                &["arn:aws:sagemaker:us-east-1:123456789012:training-job/j1"]
            )]
        ),
        Verdict::Allow
    );
    assert_eq!(
        d(
            arn,
            &[(
                "aws:SourceArn",
                &["arn:aws:sagemaker:us-east-1:999999999999:training-job/j1"]
            )]
        ),
        Verdict::ImplicitDeny
    );
}

#[test]
fn set_operators_and_their_empty_set_rules() {
    let d = |c: &str, ctx: &[(&str, &[&str])]| decide_under(c, "ec2:CreateTags", "*", ctx);
    let all = r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#;
    assert_eq!(d(all, &[("aws:TagKeys", &["env"])]), Verdict::Allow);
    assert_eq!(d(all, &[("aws:TagKeys", &["env", "cost"])]), Verdict::ImplicitDeny);
    assert_eq!(d(all, &[]), Verdict::Allow, "ForAllValues is true for an absent key");
    assert_eq!(
        d(all, &[("aws:TagKeys", &[])]),
        Verdict::Allow,
        "... and for an empty set"
    );
    let any = r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#;
    assert_eq!(d(any, &[("aws:TagKeys", &["cost", "env"])]), Verdict::Allow);
    assert_eq!(d(any, &[("aws:TagKeys", &["cost"])]), Verdict::ImplicitDeny);
    assert_eq!(
        d(any, &[]),
        Verdict::ImplicitDeny,
        "ForAnyValue is false for an absent key"
    );
    let none = r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#;
    assert_eq!(d(none, &[("aws:TagKeys", &["a", "b"])]), Verdict::Allow);
    assert_eq!(d(none, &[("aws:TagKeys", &["a", "secret"])]), Verdict::ImplicitDeny);
}

#[test]
fn policy_variables() {
    // User Guide: each user gets a home folder.
    let p = doc(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}"#);
    assert_eq!(
        decide(
            &[&p],
            "s3:GetObject",
            "arn:aws:s3:::home/bob/x",
            &[("aws:username", &["bob"])]
        ),
        Verdict::Allow
    );
    assert_eq!(
        decide(
            &[&p],
            "s3:GetObject",
            "arn:aws:s3:::home/alice/x",
            &[("aws:username", &["bob"])]
        ),
        Verdict::ImplicitDeny
    );
    assert_eq!(
        decide(&[&p], "s3:GetObject", "arn:aws:s3:::home/bob/x", &[]),
        Verdict::ImplicitDeny,
        "unresolvable"
    );
    let old = r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}"#;
    assert_eq!(
        decide(
            &[old],
            "s3:GetObject",
            "arn:aws:s3:::home/bob/x",
            &[("aws:username", &["bob"])]
        ),
        Verdict::ImplicitDeny,
        "2008: literal text"
    );
    let tag = doc(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}}}"#,
    );
    for (caller, verdict) in [("ml", Verdict::Allow), ("bi", Verdict::ImplicitDeny)] {
        let context: &[(&str, &[&str])] = &[
            ("s3:ExistingObjectTag/team", &["ml"]),
            ("aws:PrincipalTag/team", &[caller]),
        ];
        assert_eq!(
            decide(&[&tag], "s3:GetObject", "x", context),
            verdict,
            "caller's team {caller}"
        );
    }
}

fn full(
    identity: &[&str],
    resource: Option<&str>,
    boundary: Option<&str>,
    session: Option<&str>,
    action: &str,
    res: &str,
    principal: Option<&str>,
) -> Decision {
    let compiled: Vec<CompiledPolicy> = identity.iter().map(|t| compile(t)).collect();
    let refs: Vec<&CompiledPolicy> = compiled.iter().collect();
    let (r, b, s) = (resource.map(compile), boundary.map(compile), session.map(compile));
    let p = Policies {
        identity: &refs,
        resource: r.as_ref(),
        boundary: b.as_ref(),
        session: s.as_ref(),
        ..Policies::default()
    };
    let ctx = Context::default();
    evaluate(
        &p,
        &Request {
            action,
            resource: res,
            principal,
            context: &ctx,
        },
    )
}

const ALL_S3: &str = r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#;

#[test]
fn boundaries_and_session_policies_limit() {
    let identity = doc(ALL_S3);
    let boundary = doc(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#);
    let v = |action: &str| {
        full(
            &[&identity],
            None,
            Some(&boundary),
            None,
            action,
            "arn:aws:s3:::b/k",
            None,
        )
        .verdict
    };
    assert_eq!(v("s3:GetObject"), Verdict::Allow);
    assert_eq!(
        v("s3:PutObject"),
        Verdict::ImplicitDeny,
        "the boundary does not allow it"
    );
    let session = doc(r#"{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}"#);
    let d = full(
        &[&identity],
        None,
        None,
        Some(&session),
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        None,
    );
    assert_eq!(d.verdict, Verdict::ImplicitDeny);
    let only_boundary = full(
        &[],
        None,
        Some(&boundary),
        None,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        None,
    );
    assert_eq!(
        only_boundary.verdict,
        Verdict::ImplicitDeny,
        "a boundary grants nothing by itself"
    );
}

#[test]
fn resource_policies() {
    let user = "arn:aws:iam::111122223333:user/bob";
    let named = doc(&format!(
        r#"{{"Effect": "Allow", "Principal": {{"AWS": "{user}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#
    ));
    let account = doc(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    let v = |id: &[&str], rp: &str, who: &str| {
        full(id, Some(rp), None, None, "s3:GetObject", "arn:aws:s3:::b/k", Some(who)).verdict
    };
    assert_eq!(v(&[], &named, user), Verdict::Allow, "names the user: allows alone");
    assert_eq!(
        v(&[], &named, "arn:aws:iam::111122223333:user/alice"),
        Verdict::ImplicitDeny
    );
    assert_eq!(
        v(&[], &account, user),
        Verdict::ImplicitDeny,
        "names only the account: needs identity allow"
    );
    let id = doc(ALL_S3);
    assert_eq!(v(&[&id], &account, user), Verdict::Allow);
    let deny_rp = doc(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#);
    assert_eq!(v(&[&id], &deny_rp, user), Verdict::ExplicitDeny);
    let not_principal = doc(&format!(
        r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": "{user}"}}, "Action": "s3:*", "Resource": "*"}}"#
    ));
    assert_eq!(v(&[&id], &not_principal, user), Verdict::Allow);
    assert_eq!(
        v(&[&id], &not_principal, "arn:aws:iam::111122223333:user/alice"),
        Verdict::ExplicitDeny
    );
}

#[test]
fn trust_policies_are_resource_policies_of_assume_role() {
    let role = "arn:aws:iam::111122223333:role/basic-role";
    let user = "arn:aws:iam::111122223333:user/hongshan";
    let trust = doc(&format!(
        r#"{{"Effect": "Allow", "Principal": {{"AWS": "{user}", "Service": "sagemaker.amazonaws.com"}}, "Action": "sts:AssumeRole"}}"#
    ));
    let v = |who: &str| full(&[], Some(&trust), None, None, "sts:AssumeRole", role, Some(who)).verdict;
    assert_eq!(v(user), Verdict::Allow);
    assert_eq!(v("sagemaker.amazonaws.com"), Verdict::Allow);
    assert_eq!(v("arn:aws:iam::111122223333:user/mallory"), Verdict::ImplicitDeny);
    assert_eq!(v("ec2.amazonaws.com"), Verdict::ImplicitDeny);
    // Cross-account: the trust names the other account; the caller's own policy must allow too.
    let xacct = doc(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}"#,
    );
    let caller = "arn:aws:iam::444455556666:user/carol";
    assert_eq!(
        full(&[], Some(&xacct), None, None, "sts:AssumeRole", role, Some(caller)).verdict,
        Verdict::ImplicitDeny
    );
    let may_assume = doc(&format!(
        r#"{{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "{role}"}}"#
    ));
    assert_eq!(
        full(
            &[&may_assume],
            Some(&xacct),
            None,
            None,
            "sts:AssumeRole",
            role,
            Some(caller)
        )
        .verdict,
        Verdict::Allow
    );
    assert_eq!(
        full(&[&may_assume], None, None, None, "sts:AssumeRole", role, Some(caller)).verdict,
        Verdict::ImplicitDeny
    );
    // A role ARN in a resource policy matches that role's sessions.
    let session = "arn:aws:sts::111122223333:assumed-role/basic-role/xyz";
    let by_role = doc(&format!(
        r#"{{"Effect": "Allow", "Principal": {{"AWS": "{role}"}}, "Action": "s3:GetObject", "Resource": "*"}}"#
    ));
    assert_eq!(
        full(
            &[],
            Some(&by_role),
            None,
            None,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Some(session)
        )
        .verdict,
        Verdict::Allow
    );
}

#[test]
fn explanations_say_why() {
    let p = doc(r#"{"Sid": "ListAll", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}"#);
    let c = compile(&p);
    let refs = [&c];
    let pol = Policies {
        identity: &refs,
        ..Policies::default()
    };
    let ctx = Context::default();
    let req = Request {
        action: "s3:ListBucket",
        resource: "arn:aws:s3:::churn",
        principal: None,
        context: &ctx,
    };
    let d = evaluate(&pol, &req);
    let text = explain(&pol, &req, &d).join("\n");
    assert!(text.contains("implicit deny"), "{text}");
    assert!(text.contains("\"ListAll\""), "{text}");
    assert!(text.contains("do not include s3:ListBucket"), "{text}");
    let ok = Request {
        action: "s3:ListAllMyBuckets",
        resource: "*",
        principal: None,
        context: &ctx,
    };
    let d = evaluate(&pol, &ok);
    assert_eq!(
        d.matched,
        vec![Hit {
            role: Role::Identity(0),
            statement: 0
        }]
    );
    assert!(explain(&pol, &ok, &d)
        .join("\n")
        .contains("Allowed by identity policy #0, statement \"ListAll\""));
    let cond = compile(&doc(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#,
    ));
    let refs = [&cond];
    let pol = Policies {
        identity: &refs,
        ..Policies::default()
    };
    let req = Request {
        action: "s3:GetObject",
        resource: "x",
        principal: None,
        context: &ctx,
    };
    let text = explain(&pol, &req, &evaluate(&pol, &req)).join("\n");
    assert!(
        text.contains("aws:SecureTransport") && text.contains("absent"),
        "{text}"
    );
    // A statement that applied says why its conditions held; one without conditions says nothing more.
    let mut secure = Context::default();
    secure.insert("aws:SecureTransport", vec!["true".into()]);
    let req = Request {
        context: &secure,
        ..req
    };
    let text = explain(&pol, &req, &evaluate(&pol, &req)).join("\n");
    assert!(
        text.contains(r#"Allow s3:GetObject on *; its condition Bool aws:SecureTransport ["true"] holds: the request has ["true"]."#),
        "{text}"
    );
    let list_all = [&c];
    let list_all = Policies {
        identity: &list_all,
        ..Policies::default()
    };
    let plain = explain(&list_all, &ok, &d).join("\n");
    assert!(
        plain.contains("Allow s3:ListAllMyBuckets on *.") && !plain.contains("holds"),
        "{plain}"
    );
}

/// A statement that missed because of a policy variable says what the variable stood for.
#[test]
fn explanations_say_what_a_variable_stood_for() {
    let home = compile(&doc(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::team/${aws:PrincipalTag/team, 'none'}/*"]},
           {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::home", "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}"#,
    ));
    let refs = [&home];
    let pol = Policies {
        identity: &refs,
        ..Policies::default()
    };
    let why = |action: &str, resource: &str, pairs: &[(&str, &[&str])]| {
        let mut ctx = Context::default();
        for (k, v) in pairs {
            ctx.insert(k, v.iter().map(|s| (*s).to_string()).collect());
        }
        let req = Request {
            action,
            resource,
            principal: None,
            context: &ctx,
        };
        explain(&pol, &req, &evaluate(&pol, &req)).join("\n")
    };
    let bo = why("s3:GetObject", "arn:aws:s3:::home/bo/x", &[("aws:username", &["ana"])]);
    assert!(
        bo.contains(r#"(${aws:username} is "ana"; ${aws:principaltag/team} is not in the request, so its default "none" stands)"#),
        "{bo}"
    );
    let session = why(
        "s3:GetObject",
        "arn:aws:s3:::home/ana/x",
        &[("aws:principaltag/team", &["a", "b"])],
    );
    assert!(
        session.contains("${aws:username} is not in the request, so the pattern matches nothing")
            && session.contains(r#"${aws:principaltag/team} has 2 values, so its default "none" stands"#),
        "{session}"
    );
    let listing = why(
        "s3:ListBucket",
        "arn:aws:s3:::home",
        &[("aws:username", &["ana"]), ("s3:prefix", &["bo/"])],
    );
    assert!(
        listing.contains(r#"the request has ["bo/"] (${aws:username} is "ana")"#),
        "{listing}"
    );
    // A statement that missed on its action: nothing to say of its variables.
    let plain = why("ec2:RunInstances", "*", &[]);
    assert!(!plain.contains("} is ") && !plain.contains("stands"), "{plain}");
}

mod properties {
    use super::*;

    /// A tiny deterministic generator (no extra dependency): xorshift.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[usize::try_from(self.next() % xs.len() as u64).unwrap_or(0)]
        }
    }

    const ACTIONS: &[&str] = &[
        "s3:GetObject",
        "s3:PutObject",
        "s3:*",
        "s3:Get*",
        "ec2:*",
        "*",
        "iam:PassRole",
    ];
    const RESOURCES: &[&str] = &[
        "*",
        "arn:aws:s3:::b/*",
        "arn:aws:s3:::b/k",
        "arn:aws:s3:::c/*",
        "arn:aws:iam::1:role/r",
    ];
    const CONDS: &[&str] = &[
        "",
        r#", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}"#,
        r#", "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#,
    ];

    fn statement(rng: &mut Rng, effect: &str) -> String {
        format!(
            r#"{{"Effect": "{effect}", "Action": "{}", "Resource": "{}"{}}}"#,
            rng.pick(ACTIONS),
            rng.pick(RESOURCES),
            rng.pick(CONDS)
        )
    }

    fn random_policy(rng: &mut Rng) -> String {
        let n = 1 + rng.next() % 4;
        let stmts: Vec<String> = (0..n)
            .map(|_| {
                let e = if rng.next() % 3 == 0 { "Deny" } else { "Allow" };
                statement(rng, e)
            })
            .collect();
        doc(&stmts.join(","))
    }

    #[test]
    fn adding_statements_moves_decisions_only_one_way() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut ctx = Context::default();
        ctx.insert("aws:RequestedRegion", vec!["eu-west-1".into()]);
        ctx.insert("aws:SecureTransport", vec!["true".into()]);
        for _ in 0..500 {
            let base = random_policy(&mut rng);
            let deny = doc(&statement(&mut rng, "Deny"));
            let allow = doc(&statement(&mut rng, "Allow"));
            let limit = random_policy(&mut rng);
            let (action, resource) = (
                rng.pick(&["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:PassRole"]),
                rng.pick(&["arn:aws:s3:::b/k", "arn:aws:s3:::c/x", "arn:aws:iam::1:role/r"]),
            );
            let run = |ids: &[&str], boundary: Option<&str>, session: Option<&str>| {
                let compiled: Vec<CompiledPolicy> = ids.iter().map(|t| compile(t)).collect();
                let refs: Vec<&CompiledPolicy> = compiled.iter().collect();
                let (b, s) = (boundary.map(compile), session.map(compile));
                let p = Policies {
                    identity: &refs,
                    resource: None,
                    boundary: b.as_ref(),
                    session: s.as_ref(),
                    ..Policies::default()
                };
                evaluate(
                    &p,
                    &Request {
                        action,
                        resource,
                        principal: None,
                        context: &ctx,
                    },
                )
                .verdict
            };
            let before = run(&[&base], None, None);
            let with_deny = run(&[&base, &deny], None, None);
            let with_allow = run(&[&base, &allow], None, None);
            if before != Verdict::Allow {
                assert_ne!(
                    with_deny,
                    Verdict::Allow,
                    "a Deny turned a deny into allow: {base} + {deny}"
                );
            }
            if before == Verdict::Allow {
                assert_eq!(
                    with_allow,
                    Verdict::Allow,
                    "an Allow turned an allow into deny: {base} + {allow}"
                );
            }
            if before != Verdict::Allow {
                assert_ne!(
                    run(&[&base], Some(&limit), None),
                    Verdict::Allow,
                    "a boundary widened access"
                );
                assert_ne!(
                    run(&[&base], None, Some(&limit)),
                    Verdict::Allow,
                    "a session policy widened access"
                );
            }
        }
    }
}

/// benkehoe/permissions-boundary-test recorded AWS's answers for a role session with a
/// permissions boundary (B), a role policy (P) and a bucket policy naming the role's ARN (R): a
/// resource policy naming the role does not get past the boundary. Naming the session's own ARN
/// (or a user's ARN) it does, and past a session policy too (reference_policies_evaluation-logic.html,
/// "resource-based policies"; access_policies.html#policies_session).
#[test]
fn the_permissions_boundary_test_table() {
    let role = "arn:aws:iam::111122223333:role/pb-test";
    let session = "arn:aws:sts::111122223333:assumed-role/pb-test/run";
    let object = "arn:aws:s3:::pb-bucket/key";
    let put = r#"{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pb-bucket/key"}"#;
    let other = r#"{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pb-bucket/other"}"#;
    let bucket_policy = |principal: &str, grants: bool| {
        doc(&format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pb-bucket/{}"}}"#,
            if grants { "key" } else { "other" }
        ))
    };
    let decide = |named: &str, b: bool, p: bool, r: bool, session_policy: Option<&str>| {
        let boundary = doc(if b { put } else { other });
        let identity = doc(if p { put } else { other });
        full(
            &[&identity],
            Some(&bucket_policy(named, r)),
            Some(&boundary),
            session_policy,
            "s3:PutObject",
            object,
            Some(session),
        )
        .verdict
    };
    let (allow, deny) = (Verdict::Allow, Verdict::ImplicitDeny);
    // (B, P, R) -> recorded answer with the role's ARN in the bucket policy
    let recorded = [
        ((false, false, true), deny),
        ((true, true, false), allow),
        ((true, false, true), allow),
        ((true, true, true), allow),
        ((true, false, false), deny),
        ((false, true, false), deny),
        ((false, true, true), deny),
    ];
    for ((b, p, r), expected) in recorded {
        assert_eq!(
            decide(role, b, p, r, None),
            expected,
            "role ARN named: B={b} P={p} R={r}"
        );
    }
    // The session's ARN in the bucket policy allows on its own.
    assert_eq!(decide(session, false, false, true, None), allow);
    assert_eq!(decide(session, false, true, true, None), allow);
    assert_eq!(decide(session, false, true, false, None), deny);
    let session_policy = doc(other);
    assert_eq!(decide(session, false, false, true, Some(&session_policy)), allow);
    assert_eq!(
        decide(role, true, false, true, Some(&session_policy)),
        deny,
        "the role's ARN: limited by the session policy too"
    );
}

/// access_policies_boundaries.html ("Important"): a resource policy's Deny with NotPrincipal
/// denies every IAM principal that has a permissions boundary, whatever NotPrincipal names.
#[test]
fn not_principal_deny_catches_every_bounded_principal() {
    let user = "arn:aws:iam::111122223333:user/bob";
    let policy = doc(&format!(
        r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": "{user}"}}, "Action": "s3:*", "Resource": "*"}},
           {{"Effect": "Allow", "Principal": {{"AWS": "{user}"}}, "Action": "s3:GetObject", "Resource": "*"}}"#
    ));
    let identity = doc(ALL_S3);
    let v = |boundary: Option<&str>| {
        full(
            &[&identity],
            Some(&policy),
            boundary,
            None,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Some(user),
        )
        .verdict
    };
    assert_eq!(v(None), Verdict::Allow, "bob is exempt from the Deny");
    assert_eq!(v(Some(&identity)), Verdict::ExplicitDeny, "with a boundary he is not");
}

/// The action index, the key filters and the allow-everything shortcut only skip statements that
/// cannot change the decision: every decision is the one a full read of every statement gives,
/// for actions in any case, actions that share a service, wildcards in and after the service,
/// NotAction, and keys of unknown actions.
#[test]
fn the_action_index_decides_as_reading_every_statement() {
    let patterns = [
        "s3:GetObject",
        "s3:Get*",
        "S3:PUTOBJECT",
        "s3*:List*",
        "*",
        "ec2:*",
        "iam:PassRole",
        "kms:?ncrypt",
        "sts:AssumeRole",
        "logs:*Events",
        "noservice",
    ];
    let actions = [
        "s3:getobject",
        "S3:GetObjectAcl",
        "s3:PutObject",
        "s3express:ListAllMyDirectoryBuckets",
        "ec2:RunInstances",
        "iam:passrole",
        "kms:Encrypt",
        "kms:Decrypt",
        "sts:AssumeRole",
        "logs:PutLogEvents",
        "noservice",
        "unknown:Action",
        "s3",
    ];
    let mut shortcuts = 0;
    for start in 0..patterns.len() {
        let mut statements = Vec::new();
        for (n, p) in patterns.iter().cycle().skip(start).take(9).enumerate() {
            let (effect, key) = if n % 4 == 3 {
                ("Deny", "NotAction")
            } else {
                ("Allow", "Action")
            };
            let second = patterns[(start + n * 5) % patterns.len()];
            let resource = if (n + start) % 2 == 0 {
                "*".to_string()
            } else {
                format!("arn:aws:s3:::b{n}/*")
            };
            statements.push(format!(
                r#"{{"Effect": "{effect}", "{key}": ["{p}", "{second}"], "Resource": "{resource}"}}"#
            ));
        }
        let indexed = compile(&doc(&statements.join(",")));
        assert!(indexed.index.is_some(), "9 statements are indexed");
        shortcuts += usize::from(indexed.allows_all.is_some());
        let mut plain = indexed.clone();
        plain.index = None;
        plain.allows_all = None;
        for s in &mut plain.statements {
            if let Some(a) = &mut s.actions {
                a.keys = None;
                a.any = false;
            }
        }
        let ctx = Context::default();
        let full = compile(&doc(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#));
        for action in actions {
            for n in 0..9 {
                let resource = format!("arn:aws:s3:::b{n}/k");
                // As the identity policy, and as an endpoint policy (which names principals:
                // these statements have none, so it never allows) beside an identity allow.
                let decide = |p: &CompiledPolicy| {
                    let refs = [p];
                    let alone = Policies {
                        identity: &refs,
                        ..Policies::default()
                    };
                    let everything = [&full];
                    let through = Policies {
                        identity: &everything,
                        endpoint: Some(p),
                        ..Policies::default()
                    };
                    let req = Request {
                        action,
                        resource: &resource,
                        principal: Some("arn:aws:iam::111122223333:user/u"),
                        context: &ctx,
                    };
                    let (a, b) = (evaluate(&alone, &req), evaluate(&through, &req));
                    (a.verdict, a.matched, b.verdict, b.matched, b.blocked_by)
                };
                assert_eq!(
                    decide(&indexed),
                    decide(&plain),
                    "{action} on {resource} with {statements:?}"
                );
            }
        }
    }
    assert!(shortcuts > 0, "some policies allow everything in their first Allow");
}

/// An action longer than the lowercased copy kept on the stack (80 bytes) is still compared
/// case-insensitively, through the index and without it.
#[test]
fn actions_longer_than_the_stack_copy_match_in_any_case() {
    let long = format!("svc:{}", "Ab".repeat(60));
    for pattern in [
        long.to_uppercase(),
        "SVC:ab*".to_string(),
        "svc:*".to_string(),
        long.to_lowercase(),
    ] {
        for filler in [0, 5] {
            let mut statements: Vec<String> = (0..filler)
                .map(|i| format!(r#"{{"Effect": "Allow", "Action": "other{i}:Get", "Resource": "*"}}"#))
                .collect();
            statements.push(format!(
                r#"{{"Effect": "Allow", "Action": "{pattern}", "Resource": "*"}}"#
            ));
            let text = doc(&statements.join(","));
            assert_eq!(
                decide(&[&text], &long, "*", &[]),
                Verdict::Allow,
                "{pattern} with {filler} other statements"
            );
            assert_eq!(
                decide(&[&text], "svc:Other", "*", &[]) == Verdict::Allow,
                pattern == "svc:*"
            );
        }
    }
}

/// The word-at-a-time lowercasing agrees with `u8::to_ascii_lowercase` on every byte value in
/// every position, and a text's key does not depend on its case (its length counts, its
/// non-ASCII bytes are kept).
#[test]
fn keys_ignore_ascii_case_and_nothing_else() {
    for b in 0..=255u8 {
        for at in 0..8 {
            let mut bytes = *b"aZ@[`{\x7f\x80";
            bytes[at] = b;
            let word = u64::from_le_bytes(bytes);
            let expected = u64::from_le_bytes(bytes.map(|x| x.to_ascii_lowercase()));
            assert_eq!(lowercase_word(word), expected, "byte {b:#x} at {at}");
        }
    }
    let texts = [
        "s3:GetObject",
        "S3:GETOBJECT",
        "kms",
        "KMS",
        "aws:SecureTransport",
        "AWS:securetransport",
        "ec2:DescribeInstanceAttributes",
    ];
    for a in texts {
        for b in texts {
            assert_eq!(
                key_of(a.as_bytes()) == key_of(b.as_bytes()),
                a.eq_ignore_ascii_case(b),
                "{a} {b}"
            );
        }
    }
    assert_ne!(key_of(b"s3"), key_of(b"s3\0"), "the length counts");
    assert_ne!(key_of("é".as_bytes()), key_of("É".as_bytes()), "only ASCII folds");
    assert_eq!(STS, key_of(b"STS"));
}

/// A request's keys, read word by word from its lowercased copy, are the keys the policies'
/// patterns were given ([`key_of`]), at every length and case, past the copy's end too.
#[test]
fn request_keys_are_the_pattern_keys() {
    for n in 0usize..100 {
        for colon in [None, Some(0), Some(2), Some(n / 2), Some(n.saturating_sub(1))] {
            let mut action: Vec<u8> = b"sAgEmAkEr-GeOsPaTiAl".iter().copied().cycle().take(n).collect();
            if let Some(slot) = colon.and_then(|c| action.get_mut(c)) {
                *slot = b':';
            }
            let action = String::from_utf8(action).expect("ASCII");
            let mut lower = Lowered { bytes: [0; 80], len: 0 };
            let keys = Keys::of(&action, &mut lower);
            let service = action.split(':').next().unwrap_or(&action);
            assert_eq!(keys.action, key_of(action.as_bytes()), "{action}");
            assert_eq!(keys.service, key_of(service.as_bytes()), "{action}");
            assert_eq!(keys.action, key_of(action.to_ascii_uppercase().as_bytes()), "{action}");
        }
    }
}

/// Policies past 64 statements (read 64 at a time, not indexed): every statement counts, the
/// first and last of each block of 64 as much as the others.
#[test]
fn long_policies_read_every_statement() {
    for n in [1usize, 63, 64, 65, 128, 130] {
        for target in [0, n / 2, n - 1, n.saturating_sub(2)] {
            let statements: Vec<String> = (0..n)
                .map(|i| {
                    format!(r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b{i}/*"}}"#)
                })
                .collect();
            let allow = doc(&statements.join(","));
            let resource = format!("arn:aws:s3:::b{target}/k");
            assert_eq!(
                decide(&[&allow], "s3:GetObject", &resource, &[]),
                Verdict::Allow,
                "{n} {target}"
            );
            assert_eq!(
                decide(&[&allow], "s3:GetObject", "arn:aws:s3:::elsewhere/k", &[]),
                Verdict::ImplicitDeny
            );
            let mut with_deny = statements.clone();
            with_deny[target] =
                format!(r#"{{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b{target}/*"}}"#);
            with_deny.push(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#.to_string());
            let deny = doc(&with_deny.join(","));
            assert_eq!(
                decide(&[&deny], "s3:GetObject", &resource, &[]),
                Verdict::ExplicitDeny,
                "{n} {target}"
            );
        }
    }
}

#[test]
fn a_request_action_is_service_colon_action() {
    for ok in [
        "s3:GetObject",
        "S3:getobject",
        "*",
        "s3:*",
        "execute-api:Invoke",
        "a.b:c",
    ] {
        assert_eq!(request_action_problem(ok), None, "{ok}");
    }
    for (bad, says) in [
        ("", "no service prefix"),
        ("s3", "no service prefix"),
        ("s3GetObject", "no service prefix"),
        ("s3:Get:Object", "more than one colon"),
        ("s 3:GetObject", "contains characters"),
        ("s3:", "both parts"),
        (":GetObject", "both parts"),
    ] {
        let message = request_action_problem(bad).unwrap_or_default();
        assert!(message.contains(says), "{bad:?}: {message}");
    }
}

/// An explanation says first when the request's action is one AWS never receives: the seed
/// tutorial's `s3:ListBuckets` (with the action meant), an unknown service, a pattern; a real
/// action gets no such note, whatever the verdict.
#[test]
fn explanations_say_when_the_action_is_no_action() {
    let any = compile(&doc(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#));
    let ctx = Context::default();
    let lines = |action: &str| explained(&[&any], action, "*", &ctx);
    let typo = lines("s3:ListBuckets");
    assert!(typo[0].starts_with("ALLOWED"), "{typo:?}");
    assert_eq!(
        typo[1],
        "Note: no request to AWS has this action: s3:ListBuckets is not an action of Amazon S3; did you mean \
         s3:ListAllMyBuckets?"
    );
    let service = lines("s4:GetObject").join("\n");
    assert!(
        service.contains(r#"there is no AWS service with the prefix "s4"; did you mean s3:GetObject?"#),
        "{service}"
    );
    let pattern = lines("s3:Get*").join("\n");
    assert!(pattern.contains("s3:Get* is a pattern, not an action"), "{pattern}");
    for real in ["s3:GetObject", "S3:getobject", "ec2:RunInstances"] {
        let text = lines(real).join("\n");
        assert!(!text.contains("Note:"), "{real}: {text}");
    }
}

/// A KMS key request or an AssumeRole decided without the resource policy that AWS also reads
/// (the key policy, the trust policy) says what was assumed; with it, or for other requests, nothing.
#[test]
fn explanations_say_when_the_deciding_resource_policy_is_missing() {
    let any = compile(&doc(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#));
    let refs = [&any];
    let ctx = Context::default();
    let text = |action: &str, resource: &str, resource_policy: Option<&CompiledPolicy>| {
        let pol = Policies {
            identity: &refs,
            resource: resource_policy,
            ..Policies::default()
        };
        let req = Request {
            action,
            resource,
            principal: Some("arn:aws:iam::123456789012:role/ana"),
            context: &ctx,
        };
        explain(&pol, &req, &evaluate(&pol, &req)).join("\n")
    };
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert!(text("kms:Decrypt", key, None).contains("default key policy"));
    let role = "arn:aws:iam::123456789012:role/target";
    assert!(text("sts:AssumeRole", role, None).contains("trust policy was not given"));
    let key_policy = compile(&doc(
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}"#,
    ));
    assert!(!text("kms:Decrypt", key, Some(&key_policy)).contains("was not given"));
    assert!(!text("s3:GetObject", "arn:aws:s3:::b/k", None).contains("was not given"));
    assert!(!text("kms:ListKeys", "*", None).contains("was not given"));
}

/// The keys a request lacks that applying statements read (IAM's MissingContextValues), in the
/// order read, once each; Null conditions and statements for other actions do not count, and the
/// explanation names them.
#[test]
fn missing_context_lists_the_keys_that_applying_statements_read() {
    let p = compile(&doc(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}, "Bool": {"aws:SecureTransport": "true"}}},
           {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NotIpAddress": {"AWS:SourceIp": "10.0.0.0/8"}, "Null": {"aws:TokenIssueTime": "true"}}},
           {"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"StringEquals": {"ec2:Region": "eu-west-1"}}},
           {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:securetransport": "true"}}}"#,
    ));
    let refs = [&p];
    let pol = Policies {
        identity: &refs,
        ..Policies::default()
    };
    let single = |pairs: &[(&str, &str)]| {
        let mut ctx = Context::default();
        for (k, v) in pairs {
            ctx.insert(k, vec![(*v).to_string()]);
        }
        ctx
    };
    let ctx = single(&[("aws:SecureTransport", "true")]);
    let req = Request {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::b/k",
        principal: None,
        context: &ctx,
    };
    assert_eq!(missing_context(&pol, &req), ["aws:CurrentTime", "AWS:SourceIp"]);
    let text = explain(&pol, &req, &evaluate(&pol, &req)).join("\n");
    assert!(
        text.contains("The request's context lacks aws:CurrentTime, AWS:SourceIp,"),
        "{text}"
    );
    let full = single(&[
        ("aws:CurrentTime", "2026-12-03T00:00:00Z"),
        ("aws:SecureTransport", "true"),
        ("aws:SourceIp", "10.1.2.3"),
    ]);
    let whole = Request { context: &full, ..req };
    assert!(missing_context(&pol, &whole).is_empty());
    assert!(!explain(&pol, &whole, &evaluate(&pol, &whole))
        .join("\n")
        .contains("lacks"));
}

/// The seed tutorial's policy lists s3:ListBuckets; asked about s3:ListAllMyBuckets, the closest
/// statement's miss says the listed name is no action and which one was meant.
#[test]
fn a_miss_on_a_listed_name_that_is_no_action_says_so() {
    let seed = compile(&doc(
        r#"{"Effect": "Allow", "Action": ["s3:ListBuckets", "s3:GetObject"], "Resource": "*"}"#,
    ));
    let ctx = Context::default();
    let why = |action: &str| explained(&[&seed], action, "*", &ctx).join("\n");
    let meant = why("s3:ListAllMyBuckets");
    assert!(
        meant.contains(
            "do not include s3:ListAllMyBuckets (it lists s3:ListBuckets, which is not an action of Amazon S3: \
             s3:ListAllMyBuckets is the one meant)"
        ),
        "{meant}"
    );
    let other = why("s3:PutObject");
    assert!(
        other.contains("(it lists s3:ListBuckets, which is not an action of Amazon S3)"),
        "{other}"
    );
    let clean = compile(&doc(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    ));
    assert!(!explained(&[&clean], "s3:PutObject", "*", &ctx)
        .join("\n")
        .contains("it lists"));
}

/// A request resource that names nothing AWS has (an S3 URI, a part missing) is said under the
/// verdict with the validator's words and suggestion; an ARN or "*" gets no note.
#[test]
fn explanations_say_when_the_resource_is_no_arn() {
    let data = compile(&doc(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ml-data/*"}"#,
    ));
    let ctx = Context::default();
    let uri = explained(&[&data], "s3:GetObject", "s3://ml-data/train.csv", &ctx);
    assert_eq!(
        uri[1],
        r#"Note: no AWS resource has this name: resource "s3://ml-data/train.csv" is an S3 URI, not an ARN (suggestion: arn:aws:s3:::ml-data/train.csv)."#
    );
    let short = explained(&[&data], "s3:GetObject", "arn:aws:s3", &ctx).join("\n");
    assert!(short.contains("Note: no AWS resource has this name"), "{short}");
    for fine in ["arn:aws:s3:::ml-data/train.csv", "*"] {
        let text = explained(&[&data], "s3:GetObject", fine, &ctx).join("\n");
        assert!(!text.contains("Note:"), "{fine}: {text}");
    }
}

/// A statement IAM refuses (no valid Effect, no Action, an operator IAM does not have; no
/// Resource in a permissions policy) decides nothing: a typo'd condition operator no longer
/// leaves an unconditional Allow, and the explanation names the statement and why.
#[test]
fn statements_iam_refuses_take_no_part() {
    let ctx = Context::default();
    let cases = [
        (
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqual": {"aws:PrincipalTag/team": "ml"}}}"#,
            "(\"StringEqual\" is not a condition operator)",
        ),
        (
            r#"{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}"#,
            "(its Effect is not \"Allow\" or \"Deny\")",
        ),
        (
            r#"{"Effect": "Allow", "Resource": "*"}"#,
            "(it has neither Action nor NotAction)",
        ),
        (
            r#"{"Sid": "NoResource", "Effect": "Allow", "Action": "s3:GetObject"}"#,
            "(it has neither Resource nor NotResource)",
        ),
    ];
    for (statement, why) in cases {
        let refused = compile(&doc(statement));
        let lines = explained(&[&refused], "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
        assert!(lines[0].starts_with("DENIED (implicit deny)"), "{statement}: {lines:?}");
        let note = lines
            .iter()
            .find(|l| l.starts_with("Note: identity policy #0, statement"));
        assert!(
            note.is_some_and(|n| n.contains(why) && n.contains("(line 1) took no part")),
            "{lines:?}"
        );
        // The same statement beside a valid one: the valid one decides, the note stays.
        let both = compile(&doc(&format!("{statement}, {S3_READ}")));
        let lines = explained(&[&both], "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
        assert_eq!(lines[0], "ALLOWED: s3:GetObject on arn:aws:s3:::b/k.");
        assert!(lines.iter().any(|l| l.contains(why)), "{lines:?}");
    }
    // Past the first 64 statements (the decision reads them 64 at a time) likewise.
    let filler = r#"{"Effect": "Allow", "Action": "ec2:DescribeImages", "Resource": "*"}"#;
    let mut many = vec![filler; 66];
    many.push(r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#);
    let many = compile(&doc(&many.join(", ")));
    let lines = explained(&[&many], "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
    assert!(
        lines[0].starts_with("DENIED") && lines.iter().any(|l| l.contains("statement #66")),
        "{lines:?}"
    );
    // Nor are the keys of a refused statement's conditions asked for.
    let keyed = compile(&doc(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#,
    ));
    let missing = identity_only(&[&keyed], ("s3:GetObject", "arn:aws:s3:::b/k"), &ctx, |p, req| {
        missing_context(p, req)
    });
    assert!(missing.is_empty(), "{missing:?}");
    // A Deny IAM refuses denies nothing either.
    let deny = compile(&doc(&format!(
        r#"{S3_READ}, {{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {{"Bool ": {{"aws:SecureTransport": "false"}}}}}}"#
    )));
    assert_eq!(
        explained(&[&deny], "s3:GetObject", "arn:aws:s3:::b/k", &ctx)[0],
        "ALLOWED: s3:GetObject on arn:aws:s3:::b/k."
    );
    // A trust policy has no Resource, and is not refused for it.
    let trust =
        doc(r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}"#);
    let d = full(
        &[],
        Some(&trust),
        None,
        None,
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/r",
        Some("sagemaker.amazonaws.com"),
    );
    assert_eq!(d.verdict, Verdict::Allow);
    assert!(compile(&trust).refused.is_empty());
}

/// Across accounts, an explanation says whether the resource-based policy was given and did not
/// allow, or was not given at all.
#[test]
fn cross_account_denials_say_whether_the_resource_policy_was_given() {
    let caller = "arn:aws:sts::111122223333:assumed-role/ds/s";
    let object = "arn:aws:s3:::b/k";
    let identity = compile(&doc(ALL_S3));
    let bucket = compile(&doc(
        r#"{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": "*"}"#,
    ));
    let ctx = Context::default();
    let said = |resource: Option<&CompiledPolicy>| {
        let refs = [&identity];
        let p = Policies {
            identity: &refs,
            resource,
            resource_account: Some("999988887777"),
            ..Policies::default()
        };
        let req = Request {
            action: "s3:GetObject",
            resource: object,
            principal: Some(caller),
            context: &ctx,
        };
        explain(&p, &req, &evaluate(&p, &req)).join("\n")
    };
    let none = said(None);
    assert!(none.contains("must allow it too, and none was given"), "{none}");
    let given = said(Some(&bucket));
    assert!(given.contains("must allow it too, and it does not."), "{given}");
}
