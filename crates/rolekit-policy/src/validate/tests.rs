//! Every rule with a failing and a passing document.

use super::*;
use crate::model::Policy;

fn run(text: &str, kind: PolicyKind) -> Vec<Finding> {
    validate(
        &Policy::parse(text).expect("valid JSON"),
        Options {
            kind,
            inline: false,
            managed: false,
        },
    )
}

fn codes(text: &str, kind: PolicyKind) -> Vec<&'static str> {
    run(text, kind).iter().map(|f| f.code).collect()
}

fn identity(statement: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#)
}

fn trust(statement: &str) -> String {
    identity(statement)
}

const OK_S3: &str =
    r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket/*"}"#;
const OK_TRUST: &str =
    r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}"#;

#[test]
fn clean_documents_have_no_findings() {
    assert_eq!(codes(&identity(OK_S3), PolicyKind::Identity), Vec::<&str>::new());
    assert_eq!(codes(&trust(OK_TRUST), PolicyKind::Trust), Vec::<&str>::new());
    let listing = r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}"#;
    assert_eq!(codes(&identity(listing), PolicyKind::Identity), Vec::<&str>::new());
}

#[test]
fn the_seed_tutorial_policy() {
    let seed = identity(r#"{"Effect": "Allow", "Action": ["s3:ListBuckets"], "Resource": ["arn:aws:s3:::"]}"#);
    let findings = run(&seed, PolicyKind::Identity);
    let invalid = findings
        .iter()
        .find(|f| f.code == "INVALID_ACTION")
        .expect("INVALID_ACTION");
    assert_eq!(invalid.suggestion.as_deref(), Some("s3:ListAllMyBuckets"));
    assert_eq!(invalid.path_string(), "Statement.0.Action.0");
    assert_eq!(invalid.pos.map(|p| p.line), Some(1));
    assert!(!invalid.iam_rejects);
    let resource = findings
        .iter()
        .find(|f| f.code == "RESOURCE_MATCHES_NO_TYPE")
        .expect("resource finding");
    assert_eq!(resource.path_string(), "Statement.0.Resource.0");
    // With the action fixed, the resource still grants nothing.
    let fixed = identity(r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::"}"#);
    let c = codes(&fixed, PolicyKind::Identity);
    assert!(c.contains(&"RESOURCE_TYPE_MISMATCH"), "{c:?}");
    let lb = identity(r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::"}"#);
    assert!(codes(&lb, PolicyKind::Identity).contains(&"RESOURCE_TYPE_MISMATCH"));
    let lb_ok = identity(r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket"}"#);
    assert!(codes(&lb_ok, PolicyKind::Identity).is_empty());
}

#[test]
fn version_rules() {
    let no_version = format!(r#"{{"Statement": [{OK_S3}]}}"#);
    assert_eq!(codes(&no_version, PolicyKind::Identity), vec!["MISSING_VERSION"]);
    let bad = format!(r#"{{"Version": "2012-10-18", "Statement": [{OK_S3}]}}"#);
    let f = run(&bad, PolicyKind::Identity);
    assert_eq!(f[0].code, "INVALID_VERSION");
    assert!(f[0].iam_rejects);
    assert_eq!(f[0].iam_message.as_deref(), Some("Syntax errors in policy."));
    let vars = r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#;
    assert!(codes(vars, PolicyKind::Identity).contains(&"VARIABLES_NEED_2012_VERSION"));
}

#[test]
fn element_and_type_rules() {
    assert!(codes(
        r#"{"Version": "2012-10-17", "Statement": [], "Foo": 1}"#,
        PolicyKind::Identity
    )
    .contains(&"INVALID_ELEMENT"));
    assert!(codes(r#"{"Version": "2012-10-17"}"#, PolicyKind::Identity).contains(&"MISSING_STATEMENT"));
    assert!(codes(r#"{"Version": "2012-10-17", "Statement": []}"#, PolicyKind::Identity).contains(&"EMPTY_STATEMENT"));
    assert!(codes(r#"{"Version": "2012-10-17", "Statement": "x"}"#, PolicyKind::Identity).contains(&"INVALID_TYPE"));
    assert!(codes(r#"["not", "an", "object"]"#, PolicyKind::Identity).contains(&"INVALID_TYPE"));
    let f = run(
        &identity(r#"{"Effect": "Allow", "action": "s3:GetObject", "Resource": "*"}"#),
        PolicyKind::Identity,
    );
    let el = f.iter().find(|f| f.code == "INVALID_ELEMENT").unwrap();
    assert_eq!(el.suggestion.as_deref(), Some("Action"));
    assert!(codes(
        &identity(r#"{"Effect": "Allow", "Action": [], "Resource": "*"}"#),
        PolicyKind::Identity
    )
    .contains(&"EMPTY_ARRAY"));
    assert!(codes(
        &identity(r#"{"Effect": "Allow", "Action": [3], "Resource": "*"}"#),
        PolicyKind::Identity
    )
    .contains(&"INVALID_TYPE"));
    assert!(codes(
        &identity(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"a": 1}}"#),
        PolicyKind::Identity
    )
    .contains(&"INVALID_TYPE"));
}

#[test]
fn duplicate_keys_are_rejected() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let f = run(text, PolicyKind::Identity);
    let d = f.iter().find(|f| f.code == "DUPLICATE_KEY").unwrap();
    assert_eq!(d.path_string(), "Statement.0.Effect");
    assert!(d.iam_rejects);
}

#[test]
fn effect_rules() {
    let lower = identity(r#"{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}"#);
    let f = run(&lower, PolicyKind::Identity);
    assert_eq!(f[0].code, "INVALID_EFFECT");
    assert_eq!(f[0].suggestion.as_deref(), Some("Allow"));
    assert!(codes(
        &identity(r#"{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}"#),
        PolicyKind::Identity
    )
    .contains(&"INVALID_EFFECT"));
    assert!(codes(
        &identity(r#"{"Action": "s3:GetObject", "Resource": "*"}"#),
        PolicyKind::Identity
    )
    .contains(&"MISSING_EFFECT"));
}

#[test]
fn action_rules() {
    let c = |a: &str| {
        codes(
            &identity(&format!(r#"{{"Effect": "Allow", "Action": "{a}", "Resource": "*"}}"#)),
            PolicyKind::Identity,
        )
    };
    assert_eq!(c("GetObject"), vec!["INVALID_ACTION_FORMAT"]);
    assert_eq!(c("s3:Get:Object"), vec!["INVALID_ACTION_FORMAT"]);
    assert_eq!(c("s 3:GetObject"), vec!["INVALID_VENDOR"]);
    assert_eq!(c("s4:GetObject"), vec!["INVALID_SERVICE"]);
    assert_eq!(c("s3:GetNothing*"), vec!["NO_ACTION_MATCHES"]);
    assert!(c("s3:Get*").is_empty());
    assert!(c("S3:getobject").is_empty(), "actions are case-insensitive");
    assert_eq!(c("s3:GetObjekt"), vec!["INVALID_ACTION"]);
    let f = run(
        &identity(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#),
        PolicyKind::Identity,
    );
    assert!(f.is_empty());
    assert!(codes(
        &identity(r#"{"Effect": "Allow", "Resource": "*"}"#),
        PolicyKind::Identity
    )
    .contains(&"MISSING_ACTION"));
    assert!(codes(
        &identity(r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}"#),
        PolicyKind::Identity
    )
    .contains(&"CONFLICTING_ELEMENTS"));
    // Each element and its Not twin: the finding names both and points at the Not element's key.
    for (kind, statement, not_name) in [
        (
            PolicyKind::Identity,
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "NotResource": "x"}"#,
            "NotResource",
        ),
        (
            PolicyKind::Resource,
            r#"{"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "s3:GetObject", "Resource": "*"}"#,
            "NotPrincipal",
        ),
    ] {
        let text = identity(statement);
        let found = run(&text, kind);
        let conflict: Vec<_> = found.iter().filter(|f| f.code == "CONFLICTING_ELEMENTS").collect();
        assert_eq!(conflict.len(), 1, "{found:?}");
        let name = not_name.trim_start_matches("Not");
        assert_eq!(
            conflict[0].message,
            format!("a statement has {name} or {not_name}, not both")
        );
        assert_eq!(conflict[0].path_string(), format!("Statement.0.{not_name}"));
        let key_at = text.find(&format!("\"{not_name}\"")).expect("in the text") + 1;
        let pos = conflict[0].pos.expect("a position");
        assert_eq!((pos.line as usize, pos.column as usize), (1, key_at));
    }
    let dup = identity(r#"{"Effect": "Allow", "Action": ["s3:GetObject", "S3:GETOBJECT"], "Resource": "*"}"#);
    assert_eq!(codes(&dup, PolicyKind::Identity), vec!["DUPLICATE_ACTION"]);
    let many = identity(
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "S3:getobject", "s3:PutObject", "s3:GETOBJECT"], "Resource": "*"}"#,
    );
    let paths: Vec<String> = run(&many, PolicyKind::Identity)
        .iter()
        .filter(|f| f.code == "DUPLICATE_ACTION")
        .map(Finding::path_string)
        .collect();
    assert_eq!(
        paths,
        ["Statement.0.Action.2", "Statement.0.Action.3", "Statement.0.Action.4"]
    );
}

#[test]
fn resource_rules() {
    let c = |r: &str| {
        codes(
            &identity(&format!(
                r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{r}"}}"#
            )),
            PolicyKind::Identity,
        )
    };
    assert!(c("arn:aws:s3:::b/*").is_empty());
    assert_eq!(c("bucket/key"), vec!["INVALID_ARN"]);
    assert_eq!(
        c("arn:aws:s3"),
        vec!["INCOMPLETE_ARN"],
        "IAM accepts it; it names nothing"
    );
    assert_eq!(
        c("arn:aws:fdsasf"),
        vec!["INCOMPLETE_ARN"],
        "IAM accepts a bare arn:aws:fdsasf"
    );
    assert_eq!(c("arn:aws"), vec!["INVALID_ARN"]);
    // IAM reads the parts and ignores the first: its own messages, as CreatePolicy answers them.
    let message = |r: &str| {
        run(
            &identity(&format!(
                r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{r}"}}"#
            )),
            PolicyKind::Identity,
        )
        .into_iter()
        .find(|f| f.iam_rejects)
        .and_then(|f| f.iam_message)
    };
    assert_eq!(
        message("a:b:c:d:e:f:g:h").as_deref(),
        Some(r#"Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h"."#)
    );
    assert_eq!(
        message("aws:s3:::example_bucket").as_deref(),
        Some(r#"Partition "s3" is not valid for resource "arn:s3:::example_bucket:*"."#)
    );
    assert_eq!(
        message("arn:aws").as_deref(),
        Some("Resource vendor must be fully qualified and cannot contain regexes.")
    );
    assert_eq!(message("arn:aws:s3:::b/*"), None);
    assert_eq!(c("arn:amazon:s3:::b/*"), vec!["INVALID_PARTITION"]);
    assert!(c("arn:aws:s3:us-east-1::b/*").contains(&"REGION_NOT_ALLOWED"));
    let f = run(
        &identity(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "s3://bucket/key"}"#),
        PolicyKind::Identity,
    );
    assert_eq!(f[0].suggestion.as_deref(), Some("arn:aws:s3:::bucket/key"));
    assert_eq!(
        f[0].iam_message.as_deref(),
        Some(r#"Partition "//bucket/key" is not valid for resource "arn://bucket/key:*:*:*:*"."#),
        "IAM reads s3:// as a partition"
    );
    assert_eq!(c("bucket"), vec!["INVALID_ARN"]);
    let iam = |r: &str| {
        codes(
            &identity(&format!(
                r#"{{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "{r}"}}"#
            )),
            PolicyKind::Identity,
        )
    };
    assert!(iam("arn:aws:iam::123456789012:role/x").is_empty());
    assert!(iam("arn:aws:iam:us-east-1:123456789012:role/x").contains(&"REGION_NOT_ALLOWED"));
    assert!(iam("arn:aws:iam::123456789012:robot/x").contains(&"INVALID_IAM_PATH"));
    assert!(codes(
        &identity(r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#),
        PolicyKind::Identity
    )
    .contains(&"MISSING_RESOURCE"));
    assert_eq!(
        c("arn:aws:s3:::b"),
        vec!["RESOURCE_TYPE_MISMATCH"],
        "GetObject needs an object ARN"
    );
}

#[test]
fn sid_rules() {
    let two = identity(&format!(
        r#"{{"Sid": "A", {0}}}, {{"Sid": "A", {0}}}"#,
        r#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "*""#
    ));
    assert_eq!(codes(&two, PolicyKind::Identity), vec!["DUPLICATE_SID"]);
    let spaced = identity(r#"{"Sid": "read data", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#);
    assert_eq!(codes(&spaced, PolicyKind::Identity), vec!["INVALID_SID"]);
    let bucket = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "read data", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/r"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;
    assert!(
        codes(bucket, PolicyKind::Resource).is_empty(),
        "resource policies allow spaces in Sid"
    );
}

#[test]
fn principal_rules() {
    let with_principal =
        identity(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#);
    let f = run(&with_principal, PolicyKind::Identity);
    assert_eq!(f[0].code, "PRINCIPAL_NOT_ALLOWED");
    assert_eq!(
        f[0].iam_message.as_deref(),
        Some("Policy document should not specify a principal.")
    );
    assert_eq!(
        codes(
            &trust(r#"{"Effect": "Allow", "Action": "sts:AssumeRole"}"#),
            PolicyKind::Trust
        ),
        vec!["MISSING_PRINCIPAL"]
    );
    let p = |pr: &str| {
        codes(
            &trust(&format!(
                r#"{{"Effect": "Allow", "Principal": {pr}, "Action": "sts:AssumeRole"}}"#
            )),
            PolicyKind::Trust,
        )
    };
    assert!(p(r#"{"AWS": "arn:aws:iam::123456789012:user/hongshan"}"#).is_empty());
    assert!(
        p(r#"{"AWS": "arn:aws:iam::123456789012:role/path/r", "Service": ["sagemaker.amazonaws.com"]}"#).is_empty()
    );
    assert_eq!(p(r#"{"AWS": "hongshan"}"#), vec!["INVALID_PRINCIPAL"]);
    assert_eq!(
        p(r#"{"AWS": "arn:aws:iam::123456789012:group/g"}"#),
        vec!["INVALID_PRINCIPAL"]
    );
    assert_eq!(p(r#"{"Service": "sagemaker"}"#), vec!["INVALID_PRINCIPAL"]);
    assert_eq!(p(r#"{"Servce": "sagemaker.amazonaws.com"}"#), vec!["INVALID_PRINCIPAL"]);
    assert_eq!(p(r#""someone""#), vec!["INVALID_PRINCIPAL"]);
    let f = run(
        &trust(r#"{"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "sts:AssumeRole"}"#),
        PolicyKind::Trust,
    );
    assert_eq!(
        f[0].iam_message.as_deref(),
        Some(r#"Invalid principal in policy: "AWS":"bob""#)
    );
    // "You cannot use a wildcard to match part of a principal name or ARN."
    for partial in [
        "arn:aws:iam::123456789012:user/*",
        "arn:aws:iam::*:root",
        "arn:aws:iam::123456789012:role/ds-?",
    ] {
        assert_eq!(
            p(&format!(r#"{{"AWS": "{partial}"}}"#))[0],
            "INVALID_PRINCIPAL",
            "{partial}"
        );
    }
    assert!(!p(r#"{"AWS": "*"}"#).contains(&"INVALID_PRINCIPAL"));
    // IAM's own words name the type in capitals; the bare domain names no service.
    let bare = run(
        &trust(r#"{"Effect": "Allow", "Principal": {"Service": "amazonaws.com"}, "Action": "sts:AssumeRole"}"#),
        PolicyKind::Trust,
    );
    assert_eq!(bare[0].code, "INVALID_PRINCIPAL");
    assert_eq!(
        bare[0].iam_message.as_deref(),
        Some(r#"Invalid principal in policy: "SERVICE":"amazonaws.com""#)
    );
    // A service outside AWS's domains: a warning naming the likely one.
    let typo = run(
        &trust(
            r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.con"}, "Action": "sts:AssumeRole"}"#,
        ),
        PolicyKind::Trust,
    );
    assert_eq!(typo.len(), 1, "{typo:?}");
    assert_eq!(
        (typo[0].code, typo[0].severity),
        ("UNKNOWN_SERVICE_PRINCIPAL", Severity::Warning)
    );
    assert_eq!(typo[0].suggestion.as_deref(), Some("sagemaker.amazonaws.com"));
    assert_eq!(typo[0].path_string(), "Statement.0.Principal.Service");
    for known in [
        "states.us-east-1.amazonaws.com",
        "ec2.amazonaws.com.cn",
        "ec2.c2s.ic.gov",
        "delivery.logs.amazonaws.com",
        "alexa-appkit.amazon.com",
    ] {
        assert!(p(&format!(r#"{{"Service": "{known}"}}"#)).is_empty(), "{known}");
    }
}

#[test]
fn trust_rules() {
    let with_resource = trust(
        r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}"#,
    );
    assert_eq!(
        codes(&with_resource, PolicyKind::Trust),
        vec!["RESOURCE_IN_TRUST_POLICY"]
    );
    let s3 =
        trust(r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "s3:GetObject"}"#);
    let f = run(&s3, PolicyKind::Trust);
    assert_eq!(f[0].code, "TRUST_POLICY_ACTION");
    assert!(f[0].iam_rejects);
    let tag = trust(
        r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}"#,
    );
    assert!(codes(&tag, PolicyKind::Trust).is_empty());
    let gci = trust(
        r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:GetCallerIdentity"}"#,
    );
    assert_eq!(codes(&gci, PolicyKind::Trust), vec!["TRUST_POLICY_ACTION"]);
    // NotPrincipal: never in a trust policy; with Allow, not supported anywhere.
    let not = trust(
        r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}"#,
    );
    let f = run(&not, PolicyKind::Trust);
    assert_eq!(codes(&not, PolicyKind::Trust), vec!["NOT_PRINCIPAL_IN_TRUST_POLICY"]);
    assert!(f[0].iam_rejects && f[0].severity == Severity::Error);
    assert_eq!(f[0].path_string(), "Statement.0.NotPrincipal");
    let open = identity(
        r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    assert_eq!(codes(&open, PolicyKind::Resource), vec!["ALLOW_WITH_NOT_PRINCIPAL"]);
    let deny = identity(
        r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    assert!(codes(&deny, PolicyKind::Resource).is_empty());
}

#[test]
fn condition_rules() {
    let c = |cond: &str| {
        codes(
            &identity(&format!(
                r#"{{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", "Condition": {cond}}}"#
            )),
            PolicyKind::Identity,
        )
    };
    assert!(c(r#"{"StringLike": {"s3:prefix": ["data/*"]}}"#).is_empty());
    assert!(c(r#"{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}"#).is_empty());
    assert!(c(r#"{"Bool": {"aws:SecureTransport": "true"}}"#).is_empty());
    assert!(c(r#"{"Null": {"aws:PrincipalTag/team": true}}"#).is_empty());
    assert!(c(r#"{"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#).is_empty());
    assert!(c(r#"{"NumericLessThan": {"s3:max-keys": 10}}"#).is_empty());
    assert_eq!(
        c(r#"{"StringEqual": {"s3:prefix": "x"}}"#),
        vec!["INVALID_CONDITION_OPERATOR"]
    );
    assert_eq!(
        c(r#"{"StringLike": {"s3:prefixes": "x"}}"#),
        vec!["UNKNOWN_CONDITION_KEY"]
    );
    assert_eq!(
        c(r#"{"StringLike": {"aws:SourceIP4": "x"}}"#),
        vec!["UNKNOWN_CONDITION_KEY"]
    );
    assert_eq!(c(r#"{"StringLike": {"prefix": "x"}}"#), vec!["UNKNOWN_CONDITION_KEY"]);
    assert_eq!(
        c(r#"{"NumericLessThan": {"aws:SourceIp": "10"}}"#),
        vec!["CONDITION_TYPE_MISMATCH"]
    );
    assert_eq!(
        c(r#"{"IpAddress": {"aws:SourceIp": "10.0.0.300"}}"#),
        vec!["INVALID_CONDITION_VALUE"]
    );
    assert_eq!(
        c(r#"{"Bool": {"aws:SecureTransport": "yes"}}"#),
        vec!["INVALID_CONDITION_VALUE"]
    );
    assert_eq!(
        c(r#"{"DateGreaterThan": {"aws:CurrentTime": "tomorrow"}}"#),
        vec!["INVALID_DATE"]
    );
    assert_eq!(c(r#"{"StringLike": {"s3:prefix": {"a": 1}}}"#), vec!["INVALID_TYPE"]);
    assert_eq!(c(r#""nope""#), vec!["INVALID_TYPE"]);
    let f = run(
        &identity(
            r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", "Condition": {"StringEqual": {"s3:prefix": "x"}}}"#,
        ),
        PolicyKind::Identity,
    );
    assert_eq!(f[0].suggestion.as_deref(), Some("StringEquals"));
    assert_eq!(f[0].path_string(), "Statement.0.Condition.StringEqual");
}

#[test]
fn security_warnings() {
    let s = |st: &str| codes(&identity(st), PolicyKind::Identity);
    assert_eq!(
        s(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#),
        vec!["PASS_ROLE_WITH_STAR_IN_RESOURCE"]
    );
    assert!(
        s(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/sm"}"#)
            .is_empty()
    );
    assert_eq!(
        s(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#),
        vec!["FULL_ACCESS"]
    );
    assert!(s(r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#).is_empty());
    assert_eq!(
        s(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#),
        vec!["ALLOW_WITH_NOT_ACTION"]
    );
    assert_eq!(
        s(r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}"#),
        vec!["ALLOW_WITH_NOT_RESOURCE"]
    );
    assert_eq!(
        s(
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}}}"#
        ),
        vec!["FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY"]
    );
    assert!(s(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}}"#).is_empty());
    let t = |pr: &str, cond: &str| {
        codes(
            &trust(&format!(
                r#"{{"Effect": "Allow", "Principal": {pr}, "Action": "sts:AssumeRole"{cond}}}"#
            )),
            PolicyKind::Trust,
        )
    };
    assert_eq!(t(r#""*""#, ""), vec!["OPEN_PRINCIPAL"]);
    assert_eq!(t(r#"{"AWS": "*"}"#, ""), vec!["OPEN_PRINCIPAL"]);
    assert_eq!(
        t(r#"{"AWS": "arn:aws:iam::123456789012:root"}"#, ""),
        vec!["TRUST_TO_WHOLE_ACCOUNT"]
    );
    assert_eq!(t(r#"{"AWS": "123456789012"}"#, ""), vec!["TRUST_TO_WHOLE_ACCOUNT"]);
    assert!(t(
        r#"{"AWS": "123456789012"}"#,
        r#", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}"#
    )
    .is_empty());
}

#[test]
fn size_limits() {
    let many: Vec<String> = (0..250).map(|i| format!("\"arn:aws:s3:::bucket-{i:04}/*\"")).collect();
    let doc = identity(&format!(
        r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [{}]}}"#,
        many.join(",")
    ));
    let p = Policy::parse(&doc).unwrap();
    let managed = validate(
        &p,
        Options {
            kind: PolicyKind::Identity,
            inline: false,
            managed: false,
        },
    );
    assert!(managed
        .iter()
        .any(|f| f.code == "POLICY_SIZE_EXCEEDED" && f.iam_rejects));
    let inline = validate(
        &p,
        Options {
            kind: PolicyKind::Identity,
            inline: true,
            managed: false,
        },
    );
    assert!(
        !inline.iter().any(|f| f.code == "POLICY_SIZE_EXCEEDED"),
        "fits the 10,240 inline limit"
    );
    let trust_big = trust(&format!(
        r#"{{"Effect": "Allow", "Principal": {{"AWS": [{}]}}, "Action": "sts:AssumeRole"}}"#,
        (0..60)
            .map(|i| format!("\"arn:aws:iam::123456789012:role/role-number-{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    ));
    assert!(codes(&trust_big, PolicyKind::Trust).contains(&"POLICY_SIZE_EXCEEDED"));
}

#[test]
fn findings_carry_line_and_column() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Action\": [\"s3:GetObject\", \"s3:ListBuckets\"],\n    \"Resource\": \"*\"\n  }]\n}";
    let f = run(text, PolicyKind::Identity);
    assert_eq!(f.len(), 1);
    let p = f[0].pos.unwrap();
    assert_eq!((p.line, p.column), (5, 32));
    assert_eq!(
        f[0].path,
        vec![
            PathElem::Key("Statement".into()),
            PathElem::Index(0),
            PathElem::Key("Action".into()),
            PathElem::Index(1)
        ]
    );
}

#[test]
fn a_documents_kind_is_detected_from_its_content() {
    let kind = |stmts: &str| {
        PolicyKind::detect(
            &Policy::parse(&format!(r#"{{"Version": "2012-10-17", "Statement": [{stmts}]}}"#)).expect("JSON"),
        )
    };
    let trust =
        r#"{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}"#;
    assert_eq!(kind(trust), PolicyKind::Trust);
    let web = r#"{"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": ["sts:AssumeRoleWithWebIdentity"]}"#;
    assert_eq!(kind(web), PolicyKind::Trust);
    let bucket = r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#;
    assert_eq!(kind(bucket), PolicyKind::Resource);
    let identity = r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#;
    assert_eq!(kind(identity), PolicyKind::Identity);
    assert_eq!(kind(&format!("{identity}, {trust}")), PolicyKind::Trust);
}

/// CreatePolicy / CreatePolicyVersion reject a document without Version 2012-10-17 ("Policy
/// document must be version 2012-10-17 or greater."); PutRolePolicy accepts 2008-10-17 and none.
#[test]
fn managed_policies_need_the_2012_version() {
    let body = r#""Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]"#;
    for doc in [format!("{{{body}}}"), format!(r#"{{"Version": "2008-10-17", {body}}}"#)] {
        let policy = Policy::parse(&doc).expect("valid JSON");
        let managed = validate(
            &policy,
            Options {
                managed: true,
                ..Options::default()
            },
        );
        let first = managed
            .iter()
            .find(|f| f.severity == Severity::Error)
            .expect("an error");
        assert_eq!(
            first.iam_message.as_deref(),
            Some("Policy document must be version 2012-10-17 or greater.")
        );
        assert!(first.iam_rejects);
        let inline = validate(
            &policy,
            Options {
                inline: true,
                managed: false,
                ..Options::default()
            },
        );
        assert!(
            inline.iter().all(|f| f.severity != Severity::Error),
            "inline accepts it: {inline:?}"
        );
    }
    let current = Policy::parse(&format!(r#"{{"Version": "2012-10-17", {body}}}"#)).expect("valid JSON");
    assert!(validate(
        &current,
        Options {
            managed: true,
            ..Options::default()
        }
    )
    .iter()
    .all(|f| f.severity != Severity::Error));
}

/// IAM's legacy parser: a NotResource ARN with no service, an epoch date beyond i64.
#[test]
fn legacy_parsing_rejections() {
    let legacy = |statement: &str| {
        run(&identity(statement), PolicyKind::Identity)
            .into_iter()
            .filter(|f| f.iam_rejects)
            .map(|f| f.iam_message.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        legacy(r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws::::b"}"#),
        ["The policy failed legacy parsing"]
    );
    assert!(legacy(r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b"}"#).is_empty());
    let date = |v: &str| {
        legacy(&format!(
            r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {{"DateLessThan": {{"aws:CurrentTime": "{v}"}}}}}}"#
        ))
    };
    assert_eq!(date("9223372036854775808"), ["The policy failed legacy parsing"]);
    assert!(date("9223372036854775807").is_empty());
    assert!(date("2026-01-31T12:00:00Z").is_empty());
}

/// RCPs (orgs_manage_policies_rcps_syntax.html) and VPC endpoint policies
/// (vpc-endpoints-access.html): their own kinds.
#[test]
fn rcp_and_endpoint_kinds() {
    let perimeter = r#"{"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}}"#;
    assert!(
        codes(&identity(perimeter), PolicyKind::Rcp).is_empty(),
        "the data perimeter RCP is clean"
    );
    let allow = r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#;
    assert!(codes(&identity(allow), PolicyKind::Rcp).contains(&"RCP_ALLOW"));
    let named = r#"{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:*", "Resource": "*"}"#;
    assert!(codes(&identity(named), PolicyKind::Rcp).contains(&"RCP_PRINCIPAL"));
    let ec2 = r#"{"Effect": "Deny", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "*"}"#;
    assert_eq!(codes(&identity(ec2), PolicyKind::Rcp), vec!["RCP_UNSUPPORTED_SERVICE"]);
    let no_principal = r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}"#;
    assert!(codes(&identity(no_principal), PolicyKind::Rcp).contains(&"MISSING_PRINCIPAL"));
    // endpoint policies: a Principal in every statement; "*" is not an open grant there
    let endpoint = r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#;
    assert!(codes(&identity(endpoint), PolicyKind::Endpoint).is_empty());
    let endpoint_without = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#;
    assert_eq!(
        codes(&identity(endpoint_without), PolicyKind::Endpoint),
        vec!["MISSING_PRINCIPAL"]
    );
    assert_eq!(PolicyKind::parse("rcp"), Some(PolicyKind::Rcp));
    assert_eq!(PolicyKind::parse("endpoint").map(PolicyKind::as_str), Some("endpoint"));
}

/// IAM answers with its first problem in its own order of checks: that one leads the findings.
#[test]
fn the_first_error_is_the_one_iam_answers_with() {
    // a resource error on line 3, a duplicate Sid on line 4: IAM checks Sids first
    let doc = r#"{"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "a:b:c:d:e:f"},
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let findings = validate(&Policy::parse(doc).expect("valid JSON"), Options::default());
    assert_eq!(
        findings[0].iam_message.as_deref(),
        Some("Statement IDs (SID) in a single policy must be unique.")
    );
    assert!(
        findings.iter().any(|f| f.code == "INVALID_PARTITION"),
        "the other error is still there"
    );
}
