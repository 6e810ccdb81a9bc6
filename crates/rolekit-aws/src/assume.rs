//! AssumeRole: names resolved to ARNs, role-chaining rules checked before calling AWS, and an
//! optional wait that absorbs IAM's propagation delay for a just-created role or trust policy.

use std::time::{Duration, Instant, SystemTime};

use super::diagnose::{AssumeRequest, Diagnosis, Unread};
use super::direct::Service;
use super::identity::IdentityKind;
use super::xml::Node;
use super::{Client, Credentials, Error, ErrorKind};

/// Role chaining (an assumed role assuming another) caps sessions at one hour.
pub const CHAINED_MAX_SECONDS: i32 = 3600;

/// Everything AssumeRole takes besides the role.
#[derive(Clone, Debug, Default)]
pub struct AssumeOptions {
    /// `RoleSessionName`; rolekit derives one from the caller's name when absent.
    pub session_name: Option<String>,
    /// `DurationSeconds`, 900..=43200 (the role's maximum and chaining's hour are AWS's to apply).
    pub duration: i32,
    /// `ExternalId`, when the trust policy asks for one.
    pub external_id: Option<String>,
    /// `SerialNumber` of the MFA device.
    pub mfa_serial: Option<String>,
    /// `TokenCode`, the MFA device's current code.
    pub mfa_token: Option<String>,
    /// A session policy (JSON text), validated before it is sent.
    pub policy: Option<String>,
    /// `PolicyArns`: managed policies that further limit the session.
    pub policy_arns: Vec<String>,
    /// Session tags.
    pub tags: Vec<(String, String)>,
    /// Session tags that pass on to chained sessions.
    pub transitive_tag_keys: Vec<String>,
    /// `SourceIdentity`.
    pub source_identity: Option<String>,
    /// Retry AccessDenied for up to this long (IAM propagation).
    pub wait: Option<Duration>,
    /// Told of each retry while waiting (`Some(line)`), and `None` once when the wait ends.
    pub progress: Option<Progress>,
}

/// A callback for `wait=`'s progress: a line per retry, then `None` when done.
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(Option<&str>) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// A session name STS accepts (`[\w+=,.@-]{2,64}`) derived from `seed`.
pub fn session_name_from(seed: &str) -> String {
    let cleaned: String = seed
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if cleaned.len() < 2 {
        "rolekit-session".to_string()
    } else {
        cleaned
    }
}

impl Client {
    /// The caller's identity (GetCallerIdentity only: account, ARN, partition), fetched once per client.
    pub async fn identity(&self) -> Result<super::Identity, Error> {
        if let Some(known) = self.identity_cell().get() {
            return Ok(known.clone());
        }
        self.caller_identity().await
    }

    /// `name` (optionally with a path, `service-role/x`) → its ARN in the caller's account; ARNs pass.
    pub async fn role_arn(&self, role: &str) -> Result<String, Error> {
        super::names::check_role_ref(role)?;
        if role.starts_with("arn:") {
            return Ok(role.to_string());
        }
        let me = self.identity().await?;
        Ok(format!(
            "arn:{}:iam::{}:role/{}",
            me.partition,
            me.account,
            role.trim_start_matches('/')
        ))
    }

    /// AssumeRole, with the checks and the wait described on `AssumeOptions`.
    pub async fn assume_role(&self, role: &str, opts: &AssumeOptions) -> Result<Credentials, Error> {
        super::names::check_session_duration(opts.duration)?;
        if let Some(text) = &opts.policy {
            let doc = serde_json::from_str(text)
                .map_err(|e| Error::InvalidArgument(format!("the session policy is not JSON: {e}")))?;
            super::check_policy(&doc, rolekit_policy::PolicyKind::Session, false, "the session policy")?;
        }
        // The caller is read only when the role is given by name (its ARN needs the account). The
        // chained-session check and the default session name use the caller only when it is known
        // already: nothing is sent before AssumeRole that AssumeRole does not need, and AWS's own
        // answer decides the rest (IAM's control-plane reads are rate-limited).
        let arn = self.role_arn(role).await?;
        let me = self.identity_cell().get().cloned();
        if let Some(me) = me.as_ref().filter(|m| m.kind == IdentityKind::AssumedRole) {
            if opts.duration > CHAINED_MAX_SECONDS {
                return Err(Error::InvalidArgument(format!(
                    "the caller ({}) is itself an assumed role, and IAM limits a chained role session to 1 hour \
                     (3600 s); asked for {} s",
                    me.arn, opts.duration
                )));
            }
        }
        let caller = me.as_ref().map_or("this caller", |m| m.arn.as_str());
        let session = opts.session_name.clone().unwrap_or_else(|| {
            session_name_from(&format!(
                "rolekit-{}",
                me.as_ref().and_then(|m| m.name.as_deref()).unwrap_or("session")
            ))
        });
        let started = Instant::now();
        let mut delay = Duration::from_millis(250);
        let mut told = false;
        let done = |told: bool| {
            if let (true, Some(p)) = (told, &opts.progress) {
                (p.0)(None);
            }
        };
        loop {
            match self.assume_once(&arn, &session, opts).await {
                Ok(c) => {
                    done(told);
                    return Ok(c);
                }
                Err(e) if e.kind() == Some(ErrorKind::AccessDenied) && opts.wait.is_some() => {
                    let wait = opts.wait.unwrap_or_default();
                    if started.elapsed() + delay > wait {
                        done(told);
                        let diagnosis = Box::pin(self.why_not_assumable(&arn, &session, opts)).await;
                        return Err(Error::NotAssumable {
                            message: format!(
                                "could not assume {arn} within {} s as {}: {}. Why: {}",
                                wait.as_secs(),
                                caller,
                                e,
                                diagnosis.headline()
                            ),
                            diagnosis: Some(diagnosis),
                        });
                    }
                    if let Some(p) = &opts.progress {
                        (p.0)(Some(&format!(
                            "AssumeRole {arn}: AccessDenied (a new role or trust policy takes a few seconds to \
                             propagate); trying again in {:.1} s ({:.0} s of {} s waited)",
                            delay.as_secs_f64(),
                            started.elapsed().as_secs_f64(),
                            wait.as_secs()
                        )));
                        told = true;
                    }
                    tokio::time::sleep(delay).await;
                    delay = (delay * 3 / 2).min(Duration::from_secs(4));
                }
                Err(Error::Service(mut refused)) if refused.kind == ErrorKind::AccessDenied => {
                    // No wait asked: say at once why, as far as the caller may read.
                    done(told);
                    refused.diagnosis = Some(Box::pin(self.why_not_assumable(&arn, &session, opts)).await);
                    return Err(Error::Service(refused));
                }
                Err(e) => {
                    done(told);
                    return Err(e);
                }
            }
        }
    }

    /// Why AssumeRole of `arn` was refused, as far as the caller can read: `diagnose_assume`
    /// with the request's own session name, external id, source identity and tags. On the
    /// failure path only.
    async fn why_not_assumable(&self, arn: &str, session: &str, opts: &AssumeOptions) -> std::sync::Arc<Diagnosis> {
        let request = AssumeRequest {
            session_name: Some(session.to_string()),
            external_id: opts.external_id.clone(),
            source_identity: opts.source_identity.clone(),
            tags: opts.tags.clone(),
        };
        let diagnosis = Box::pin(self.diagnose_assume(arn, &request))
            .await
            .unwrap_or_else(|e| Diagnosis {
                subject: format!("assume {arn}"),
                unread: vec![Unread {
                    what: "who the caller is".into(),
                    why: e.to_string(),
                }],
                ..Diagnosis::default()
            });
        std::sync::Arc::new(diagnosis)
    }

    async fn assume_once(&self, arn: &str, session: &str, opts: &AssumeOptions) -> Result<Credentials, Error> {
        let duration = opts.duration.to_string();
        let numbered = |list: &str, i: usize, field: &str| format!("{list}.member.{}{field}", i + 1);
        let mut owned: Vec<(String, &str)> = Vec::new();
        for (i, a) in opts.policy_arns.iter().enumerate() {
            owned.push((numbered("PolicyArns", i, ".arn"), a));
        }
        for (i, (k, v)) in opts.tags.iter().enumerate() {
            owned.push((numbered("Tags", i, ".Key"), k));
            owned.push((numbered("Tags", i, ".Value"), v));
        }
        for (i, k) in opts.transitive_tag_keys.iter().enumerate() {
            owned.push((numbered("TransitiveTagKeys", i, ""), k));
        }
        let mut params: Vec<(&str, &str)> = vec![
            ("RoleArn", arn),
            ("RoleSessionName", session),
            ("DurationSeconds", &duration),
        ];
        let optional = [
            ("ExternalId", &opts.external_id),
            ("SerialNumber", &opts.mfa_serial),
            ("TokenCode", &opts.mfa_token),
            ("Policy", &opts.policy),
            ("SourceIdentity", &opts.source_identity),
        ];
        params.extend(optional.iter().filter_map(|(k, v)| v.as_deref().map(|v| (*k, v))));
        params.extend(owned.iter().map(|(k, v)| (k.as_str(), *v)));
        let out = self.query(Service::Sts, "AssumeRole", &params).await?;
        credentials_from_xml(&out, arn)
    }
}

/// AssumeRole's result: the session's credentials, with the role and the session's ARN.
fn credentials_from_xml(out: &Node, role_arn: &str) -> Result<Credentials, Error> {
    let c = out
        .child("Credentials")
        .ok_or_else(|| Error::Protocol("AssumeRole returned no credentials".into()))?;
    let field = |name: &str| {
        c.text_of(name)
            .map(str::to_string)
            .ok_or_else(|| Error::Protocol(format!("AssumeRole returned credentials without {name}")))
    };
    let mut creds = Credentials::new(
        field("AccessKeyId")?,
        field("SecretAccessKey")?,
        Some(field("SessionToken")?),
    );
    creds.expiration = Some(c.time_of("Expiration").ok_or_else(|| {
        Error::Protocol(format!(
            "AssumeRole returned an unreadable expiry {:?}",
            c.text_of("Expiration").unwrap_or_default()
        ))
    })?);
    creds.role_arn = Some(role_arn.to_string());
    creds.assumed_role_arn = out.path(&["AssumedRoleUser", "Arn"]).map(|a| a.text.trim().to_string());
    creds.remember();
    Ok(creds)
}

/// Fresh options for each refresh (a callable MFA token is asked again); supplied by the caller.
pub type OptionsSource = std::sync::Arc<dyn Fn() -> Result<AssumeOptions, Error> + Send + Sync>;

/// A credentials provider that assumes a role again whenever the SDK's identity cache asks (it
/// asks before the current credentials expire). It starts from credentials already obtained.
pub struct AssumeRoleProvider {
    client: std::sync::Arc<Client>,
    role: String,
    options: OptionsSource,
    first: std::sync::Mutex<Option<Credentials>>,
}

impl AssumeRoleProvider {
    pub fn new(client: std::sync::Arc<Client>, role: String, options: OptionsSource, first: Credentials) -> Self {
        Self {
            client,
            role,
            options,
            first: std::sync::Mutex::new(Some(first)),
        }
    }
}

impl std::fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl aws_credential_types::provider::ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        use aws_credential_types::provider::error::CredentialsError;
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            let first = self.first.lock().ok().and_then(|mut f| f.take());
            if let Some(c) = first {
                let fresh = c
                    .expiration
                    .is_none_or(|e| e > SystemTime::now() + Duration::from_secs(300));
                if fresh {
                    return Ok(c.to_sdk());
                }
            }
            let opts = (self.options)().map_err(CredentialsError::provider_error)?;
            let creds = self
                .client
                .assume_role(&self.role, &opts)
                .await
                .map_err(CredentialsError::provider_error)?;
            Ok(creds.to_sdk())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_assume_role_answers() {
        let body = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX1234</AccessKeyId>\
                    <SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
                    <Expiration>2026-11-28T15:00:00Z</Expiration></Credentials><AssumedRoleUser>\
                    <Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>";
        let root = Node::parse(body).unwrap();
        let c = credentials_from_xml(root.child("AssumeRoleResult").unwrap(), "arn:aws:iam::1:role/r").unwrap();
        assert_eq!(c.access_key_id, "ASIAX1234");
        assert_eq!(c.assumed_role_arn.as_deref(), Some("arn:aws:sts::1:assumed-role/r/s"));
        assert_eq!(
            c.expiration,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_878_000))
        );
        let bad = Node::parse("<R><Credentials><AccessKeyId>A</AccessKeyId></Credentials></R>").unwrap();
        let err = credentials_from_xml(&bad, "x").unwrap_err().to_string();
        assert!(err.contains("without SecretAccessKey"), "{err}");
    }

    #[test]
    fn session_names() {
        assert_eq!(session_name_from("rolekit-hong shan"), "rolekit-hong-shan");
        assert_eq!(session_name_from("x"), "rolekit-session");
        assert_eq!(session_name_from(&"a".repeat(100)).len(), 64);
    }

    #[tokio::test]
    async fn assume_role_sends_only_what_it_needs() {
        use crate::testing::{answer, caller, error, Recorder};
        let server = Recorder::start(|r| match r.action.as_str() {
            "GetCallerIdentity" => caller(),
            "AssumeRole" => answer(
                "AssumeRole",
                "<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>\
                 <SessionToken>t0ken</SessionToken><Expiration>2026-12-01T05:00:00Z</Expiration></Credentials>\
                 <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>\
                 <AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>",
            ),
            _ => error(400, "Unexpected", &r.action),
        });
        let client = server.client().await;
        let opts = AssumeOptions {
            duration: 3600,
            ..AssumeOptions::default()
        };
        // By ARN: AssumeRole alone (no caller read, no role read).
        client
            .assume_role("arn:aws:iam::123456789012:role/r", &opts)
            .await
            .expect("assumed");
        assert_eq!(server.actions(), ["AssumeRole"]);
        assert_eq!(server.requests()[0].param("RoleSessionName"), "rolekit-session");
        // By name: the caller once (for the account), then AssumeRole; the caller is remembered.
        client.assume_role("r", &opts).await.expect("assumed");
        client.assume_role("r", &opts).await.expect("assumed");
        assert_eq!(
            server.actions(),
            ["AssumeRole", "GetCallerIdentity", "AssumeRole", "AssumeRole"]
        );
        let last = server.requests().pop().expect("a request");
        assert_eq!(
            (last.param("RoleArn"), last.param("RoleSessionName")),
            ("arn:aws:iam::123456789012:role/r", "rolekit-admin")
        );
    }
}
