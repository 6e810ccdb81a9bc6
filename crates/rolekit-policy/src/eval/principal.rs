//! The request context keys AWS sets from the caller itself, and the resource's account. A real
//! request always carries them
//! (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
//! "Properties of the principal", "Properties of the resource"), so a policy reading
//! `${aws:username}`, `aws:PrincipalAccount` or `aws:ResourceAccount` decides the same offline when
//! only the principal and the resource are given: what the caller's context does not set is
//! derived from their ARNs.

use super::Context;
use crate::arn::{is_account_id, Arn};
use crate::model::Policy;

/// The keys derived from the resource, lowercased.
const RESOURCE_KEYS: [&str; 1] = ["aws:resourceaccount"];

/// The keys derived from the caller, lowercased. `aws:userid` only where the ARN says it (the root
/// user, a federated user): a user's or role's unique id is IAM's to know.
const PRINCIPAL_KEYS: [&str; 7] = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:username",
    "aws:userid",
    "aws:principalisawsservice",
    "aws:principalservicename",
];

/// What AWS puts in the request context for a caller (a user, role, assumed-role session,
/// federated user or root ARN; an account id; a service principal; `*` for anonymous), as
/// `(key, value)`. The keys and values of reference_policies_variables.html ("Information that
/// you can use for policy variables"):
/// - `aws:PrincipalArn`: the caller's ARN; for a role session, its role's
///   (`arn:aws:iam::ACCOUNT:role/NAME`: a session ARN does not carry the role's path).
/// - `aws:PrincipalAccount`, `aws:PrincipalType` (`User`, `AssumedRole`, `FederatedUser`,
///   `Account`, `Anonymous`), `aws:username` for an IAM user, `aws:userid` for the root user
///   (the account id) and a federated user (`ACCOUNT:NAME`).
/// - `aws:PrincipalIsAWSService` (`true` only for a service principal), and
///   `aws:PrincipalServiceName` for one.
///
/// An account id alone says only its account; an unrecognised principal says nothing.
pub fn principal_keys(principal: &str) -> Vec<(&'static str, String)> {
    let not_service = ("aws:PrincipalIsAWSService", "false".to_string());
    if principal == "*" {
        return vec![("aws:PrincipalType", "Anonymous".into())];
    }
    if is_account_id(principal) {
        return vec![("aws:PrincipalAccount", principal.into()), not_service];
    }
    if is_service_principal(principal) {
        return vec![
            ("aws:PrincipalIsAWSService", "true".into()),
            ("aws:PrincipalServiceName", principal.into()),
        ];
    }
    let Some(arn) = Arn::parse(principal) else {
        return Vec::new();
    };
    let account = arn.account;
    let (kind, principal_arn) = match (arn.service, arn.resource) {
        ("iam", "root") => ("Account", principal.to_string()),
        ("iam", r) if r.starts_with("user/") => ("User", principal.to_string()),
        ("iam", r) if r.starts_with("role/") => ("AssumedRole", principal.to_string()),
        ("sts", r) if r.starts_with("assumed-role/") => {
            let role = r
                .trim_start_matches("assumed-role/")
                .split('/')
                .next()
                .unwrap_or_default();
            (
                "AssumedRole",
                format!("arn:{}:iam::{account}:role/{role}", arn.partition),
            )
        }
        ("sts", r) if r.starts_with("federated-user/") => ("FederatedUser", principal.to_string()),
        _ => return Vec::new(),
    };
    let mut keys = vec![
        ("aws:PrincipalArn", principal_arn),
        ("aws:PrincipalAccount", account.to_string()),
        ("aws:PrincipalType", kind.to_string()),
        not_service,
    ];
    match kind {
        "User" => {
            let name = arn.resource.rsplit('/').next().unwrap_or_default();
            keys.push(("aws:username", name.to_string()));
        }
        "Account" => keys.push(("aws:userid", account.to_string())),
        "FederatedUser" => {
            let name = arn.resource.trim_start_matches("federated-user/");
            keys.push(("aws:userid", format!("{account}:{name}")));
        }
        _ => {}
    }
    keys
}

/// `sagemaker.amazonaws.com`, `states.us-east-1.amazonaws.com`, `ec2.amazonaws.com.cn`.
pub(crate) fn is_service_principal(p: &str) -> bool {
    // Most callers are ARNs: one compare says so.
    if p.starts_with("arn:") {
        return false;
    }
    let host = p
        .strip_suffix(".amazonaws.com")
        .or_else(|| p.strip_suffix(".amazonaws.com.cn"));
    host.is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
}

/// What AWS puts in the request context for the resource: `aws:ResourceAccount`, the account in
/// its ARN, else `resource_account` (an S3 ARN names no account); nothing when neither says.
pub fn resource_keys(resource: &str, resource_account: Option<&str>) -> Vec<(&'static str, String)> {
    let in_arn = Arn::parse(resource).map(|a| a.account).filter(|a| is_account_id(a));
    in_arn
        .or(resource_account)
        .map(|account| vec![("aws:ResourceAccount", account.to_string())])
        .unwrap_or_default()
}

impl Context {
    /// This context with the keys [`principal_keys`] derives from `principal` that it does not
    /// set itself (what the caller gives wins); `None` when it lacks none of them.
    pub fn with_principal(&self, principal: &str) -> Option<Context> {
        self.with_derived(Some(principal), None)
    }

    /// This context with the keys AWS derives from the caller ([`principal_keys`]) and from the
    /// resource and the account owning it ([`resource_keys`]), each when given, that it does not
    /// set itself (what the caller gives wins); `None` when it lacks none of them.
    pub fn with_derived(&self, principal: Option<&str>, resource: Option<(&str, Option<&str>)>) -> Option<Context> {
        let mut missing = principal
            .map(principal_keys)
            .unwrap_or_default()
            .into_iter()
            .chain(
                resource
                    .map(|(r, account)| resource_keys(r, account))
                    .unwrap_or_default(),
            )
            .filter(|(k, _)| !self.contains(&k.to_ascii_lowercase()))
            .peekable();
        missing.peek()?;
        let mut ctx = self.clone();
        for (k, v) in missing {
            ctx.insert(k, vec![v]);
        }
        Some(ctx)
    }
}

/// Whether a policy reads any key [`principal_keys`] can set: as a condition key, or as a policy
/// variable in any of its strings.
pub(super) fn reads_principal_keys(policy: &Policy) -> bool {
    reads_keys(policy, &PRINCIPAL_KEYS)
}

/// Whether a policy reads any key [`resource_keys`] can set, likewise.
pub(super) fn reads_resource_keys(policy: &Policy) -> bool {
    reads_keys(policy, &RESOURCE_KEYS)
}

fn reads_keys(policy: &Policy, keys: &[&str]) -> bool {
    let named = |text: &str| {
        let lower = text.to_ascii_lowercase();
        keys.iter().any(|k| lower.contains(k))
    };
    let variable = |text: &str| text.contains("${") && named(text);
    policy.statements.iter().any(|s| {
        s.conditions
            .iter()
            .any(|c| named(&c.key) || c.values.values().any(variable))
            || [&s.resource, &s.not_resource]
                .into_iter()
                .flatten()
                .any(|items| items.values().any(variable))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: &str) -> Vec<(&'static str, String)> {
        let mut k = principal_keys(p);
        k.sort();
        k
    }

    fn pairs(list: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        let mut v: Vec<_> = list.iter().map(|(k, v)| (*k, v.to_string())).collect();
        v.sort();
        v
    }

    #[test]
    fn each_kind_of_caller() {
        assert_eq!(
            keys("arn:aws:iam::111122223333:user/team/ana"),
            pairs(&[
                ("aws:PrincipalArn", "arn:aws:iam::111122223333:user/team/ana"),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "User"),
                ("aws:PrincipalIsAWSService", "false"),
                ("aws:username", "ana"),
            ])
        );
        assert_eq!(
            keys("arn:aws-cn:sts::111122223333:assumed-role/ds/botocore-session-1"),
            pairs(&[
                ("aws:PrincipalArn", "arn:aws-cn:iam::111122223333:role/ds"),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "AssumedRole"),
                ("aws:PrincipalIsAWSService", "false"),
            ])
        );
        assert_eq!(
            keys("arn:aws:iam::111122223333:role/service-role/ds"),
            pairs(&[
                ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/service-role/ds"),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "AssumedRole"),
                ("aws:PrincipalIsAWSService", "false"),
            ])
        );
        assert_eq!(
            keys("arn:aws:iam::111122223333:root"),
            pairs(&[
                ("aws:PrincipalArn", "arn:aws:iam::111122223333:root"),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "Account"),
                ("aws:PrincipalIsAWSService", "false"),
                ("aws:userid", "111122223333"),
            ])
        );
        assert_eq!(
            keys("arn:aws:sts::111122223333:federated-user/bo"),
            pairs(&[
                ("aws:PrincipalArn", "arn:aws:sts::111122223333:federated-user/bo"),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "FederatedUser"),
                ("aws:PrincipalIsAWSService", "false"),
                ("aws:userid", "111122223333:bo"),
            ])
        );
        assert_eq!(
            keys("sagemaker.amazonaws.com"),
            pairs(&[
                ("aws:PrincipalIsAWSService", "true"),
                ("aws:PrincipalServiceName", "sagemaker.amazonaws.com"),
            ])
        );
        assert_eq!(keys("*"), pairs(&[("aws:PrincipalType", "Anonymous")]));
        assert_eq!(
            keys("111122223333"),
            pairs(&[
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalIsAWSService", "false")
            ])
        );
        for nothing in [
            "",
            "bob",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111122223333:group/g",
            ".amazonaws.com",
        ] {
            assert_eq!(keys(nothing), vec![], "{nothing}");
        }
    }

    #[test]
    fn the_resource_account() {
        let account = |r: &str, given: Option<&str>| resource_keys(r, given);
        let of = |a: &str| vec![("aws:ResourceAccount", a.to_string())];
        assert_eq!(account("arn:aws:iam::111122223333:role/x", None), of("111122223333"));
        assert_eq!(
            account("arn:aws:kms:eu-west-1:111122223333:key/k", Some("444455556666")),
            of("111122223333"),
            "the ARN says it"
        );
        assert_eq!(
            account("arn:aws:s3:::bucket/key", Some("444455556666")),
            of("444455556666")
        );
        assert_eq!(account("arn:aws:s3:::bucket/key", None), vec![]);
        assert_eq!(account("*", None), vec![]);
        let mut ctx = Context::default();
        ctx.insert("aws:ResourceAccount", vec!["999999999999".into()]);
        let role = Some(("arn:aws:iam::111122223333:role/x", None));
        assert!(ctx.with_derived(None, role).is_none());
        let with = Context::default().with_derived(None, role).expect("a key to add");
        assert_eq!(with.single("aws:resourceaccount"), Some("111122223333"));
    }

    #[test]
    fn what_the_context_sets_wins() {
        let mut ctx = Context::default();
        ctx.insert(
            "AWS:PrincipalArn",
            vec!["arn:aws:iam::111122223333:role/path/ds".into()],
        );
        let with = ctx
            .with_principal("arn:aws:sts::111122223333:assumed-role/ds/s")
            .expect("keys to add");
        assert_eq!(
            with.single("aws:principalarn"),
            Some("arn:aws:iam::111122223333:role/path/ds")
        );
        assert_eq!(with.single("aws:principalaccount"), Some("111122223333"));
        let full = with.clone();
        assert!(full
            .with_principal("arn:aws:sts::111122223333:assumed-role/ds/s")
            .is_none());
        assert!(Context::default().with_principal("bob").is_none());
    }

    #[test]
    fn which_policies_read_them() {
        let reads = |text: &str| reads_principal_keys(&Policy::parse(text).expect("JSON"));
        let statement = |body: &str| {
            format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:*", {body}}}]}}"#)
        };
        assert!(reads(&statement(
            r#""Resource": "arn:aws:s3:::home/${aws:username}/*""#
        )));
        assert!(reads(&statement(
            r#""Resource": ["x", "arn:aws:s3:::${AWS:UserName}"]"#
        )));
        assert!(reads(&statement(
            r#""NotResource": "arn:aws:s3:::${aws:PrincipalAccount}-logs""#
        )));
        assert!(reads(&statement(
            r#""Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "1"}}"#
        )));
        assert!(reads(&statement(
            r#""Resource": "*", "Condition": {"StringLike": {"s3:prefix": "${aws:userid}/*"}}"#
        )));
        let account = statement(r#""Resource": "*", "Condition": {"StringEquals": {"aws:ResourceAccount": "1"}}"#);
        assert!(!reads(&account));
        assert!(reads_resource_keys(&Policy::parse(&account).expect("JSON")));
        assert!(!reads(&statement(r#""Resource": "arn:aws:s3:::aws:username/*""#)));
        assert!(!reads(&statement(
            r#""Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ml"}}"#
        )));
    }
}
