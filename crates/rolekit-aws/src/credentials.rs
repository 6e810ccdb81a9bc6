//! Temporary or long-term AWS credentials, with secrets that never print.

use std::fmt;
use std::time::SystemTime;

/// A secret string: `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value; from now on it is a known secret of the process (see
    /// `crate::secrets`), masked wherever rolekit's outputs could show it.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        crate::secrets::register(&value, None, false);
        Self(value)
    }

    /// The secret itself, for the few places that must send it (signing, boto3, env).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(**redacted**)")
    }
}

/// An access key pair, an optional session token and, for temporary credentials, their expiry
/// and the role they came from.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (`AKIA...` long-term, `ASIA...` temporary); not a secret.
    pub access_key_id: String,
    /// The secret access key: never shown by `Debug` or any message.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials: never shown either.
    pub session_token: Option<Secret>,
    /// When temporary credentials stop working; `None` for long-term keys.
    pub expiration: Option<SystemTime>,
    /// The IAM role these credentials act as (temporary credentials from AssumeRole).
    pub role_arn: Option<String>,
    /// The STS assumed-role session ARN.
    pub assumed_role_arn: Option<String>,
}

impl Credentials {
    /// Long-term or temporary credentials with no role information.
    pub fn new(access_key_id: String, secret_access_key: String, session_token: Option<String>) -> Self {
        Self {
            access_key_id,
            secret_access_key: Secret::new(secret_access_key),
            session_token: session_token.map(Secret::new),
            expiration: None,
            role_arn: None,
            assumed_role_arn: None,
        }
    }

    /// Make both secrets known to `crate::secrets` for as long as they work: until they expire,
    /// or for good (pinned) when they never do.
    pub fn remember(&self) {
        let pinned = self.expiration.is_none();
        crate::secrets::register(self.secret_access_key.expose(), self.expiration, pinned);
        if let Some(token) = &self.session_token {
            crate::secrets::register(token.expose(), self.expiration, pinned);
        }
    }

    /// The access key id with all but its last four characters masked: `AKIA…MPLE` → `****MPLE`.
    pub fn masked_key_id(&self) -> String {
        mask(&self.access_key_id)
    }

    /// The form aws-config's providers consume.
    pub fn to_sdk(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose().to_string(),
            self.session_token.as_ref().map(|t| t.expose().to_string()),
            self.expiration,
            "rolekit",
        )
    }
}

/// Keep the last four characters of a secret-ish value, mask the rest.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = chars.len().min(4);
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("****{tail}")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.masked_key_id())
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &self.expiration)
            .field("role_arn", &self.role_arn)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE".into(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            Some("FwoGZXIvYXdzEXAMPLETOKEN".into()),
        );
        let text = format!("{c:?}");
        assert!(!text.contains("wJalrXUtnFEMI"), "{text}");
        assert!(!text.contains("FwoGZXIvYXdz"), "{text}");
        assert!(!text.contains("AKIAIOSFODNN7"), "{text}");
        assert!(text.contains("****MPLE"), "{text}");
    }

    #[test]
    fn mask_short_values() {
        assert_eq!(mask("ab"), "****ab");
        assert_eq!(mask(""), "****");
    }
}
