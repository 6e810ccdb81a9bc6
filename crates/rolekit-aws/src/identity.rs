//! Who the caller is: the answer of `sts:GetCallerIdentity`, parsed.

use super::Error;

/// The kind of principal behind a set of credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    User,
    AssumedRole,
    Root,
    FederatedUser,
}

impl IdentityKind {
    /// The name used in the Python API and in ARNs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::AssumedRole => "assumed-role",
            Self::Root => "root",
            Self::FederatedUser => "federated-user",
        }
    }
}

/// The caller, as STS sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The 12-digit account id.
    pub account: String,
    /// The caller's ARN (an assumed role's is its `sts` session ARN).
    pub arn: String,
    /// STS's unique id (`AIDA...`, or `AROA...:session` for a role session).
    pub user_id: String,
    /// What kind of principal the caller is.
    pub kind: IdentityKind,
    /// The ARN's partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
    /// The user name, role name, or federated user name (None for root).
    pub name: Option<String>,
    /// For an assumed role: the role's name.
    pub role_name: Option<String>,
    /// For an assumed role: the IAM role ARN (with its path when it could be resolved).
    pub role_arn: Option<String>,
    /// For an assumed role: the session name.
    pub session_name: Option<String>,
}

impl Identity {
    /// Parse the caller ARN that GetCallerIdentity returns.
    pub fn from_parts(account: &str, arn: &str, user_id: &str) -> Result<Self, Error> {
        let bad = || {
            Error::Protocol(format!(
                "GetCallerIdentity returned an ARN rolekit cannot read: {arn:?}"
            ))
        };
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(_service), Some(_region), Some(arn_account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad());
        };
        let account = if account.is_empty() { arn_account } else { account };
        let mut identity = Self {
            account: account.to_string(),
            arn: arn.to_string(),
            user_id: user_id.to_string(),
            kind: IdentityKind::User,
            partition: partition.to_string(),
            name: None,
            role_name: None,
            role_arn: None,
            session_name: None,
        };
        if resource == "root" {
            identity.kind = IdentityKind::Root;
        } else if let Some(rest) = resource.strip_prefix("user/") {
            identity.name = Some(rest.rsplit('/').next().unwrap_or(rest).to_string());
        } else if let Some(rest) = resource.strip_prefix("assumed-role/") {
            let (role, session) = rest.split_once('/').ok_or_else(bad)?;
            identity.kind = IdentityKind::AssumedRole;
            identity.name = Some(role.to_string());
            identity.role_name = Some(role.to_string());
            identity.session_name = Some(session.to_string());
            identity.role_arn = Some(format!("arn:{partition}:iam::{account}:role/{role}"));
        } else if let Some(rest) = resource.strip_prefix("federated-user/") {
            identity.kind = IdentityKind::FederatedUser;
            identity.name = Some(rest.to_string());
        } else {
            return Err(bad());
        }
        Ok(identity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_with_path() {
        let i = Identity::from_parts("123456789012", "arn:aws:iam::123456789012:user/team/hongshan", "AIDA").unwrap();
        assert_eq!(i.kind, IdentityKind::User);
        assert_eq!(i.name.as_deref(), Some("hongshan"));
        assert_eq!(i.role_arn, None);
    }

    #[test]
    fn assumed_role() {
        let i = Identity::from_parts(
            "688520471316",
            "arn:aws:sts::688520471316:assumed-role/RL/botocore-session-1614303096",
            "AROA:botocore-session-1614303096",
        )
        .unwrap();
        assert_eq!(i.kind, IdentityKind::AssumedRole);
        assert_eq!(i.role_arn.as_deref(), Some("arn:aws:iam::688520471316:role/RL"));
        assert_eq!(i.session_name.as_deref(), Some("botocore-session-1614303096"));
    }

    #[test]
    fn root_and_federated_and_china() {
        let r = Identity::from_parts("1", "arn:aws-cn:iam::111122223333:root", "1").unwrap();
        assert_eq!((r.kind, r.partition.as_str()), (IdentityKind::Root, "aws-cn"));
        let f = Identity::from_parts("1", "arn:aws:sts::111122223333:federated-user/bob", "1").unwrap();
        assert_eq!(f.kind, IdentityKind::FederatedUser);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Identity::from_parts("1", "not-an-arn", "x").is_err());
        assert!(Identity::from_parts("1", "arn:aws:sts::1:assumed-role/NoSession", "x").is_err());
        assert!(Identity::from_parts("1", "arn:aws:iam::1:group/x", "x").is_err());
    }
}
