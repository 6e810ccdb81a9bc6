//! Managed and inline policies: versioned updates (never delete and re-create), attachment,
//! and AWS managed policy names resolved to their real ARN and path.

use super::direct::Service;
use super::roles::percent_decode;
use super::{Client, Error, ErrorKind};
use rolekit_policy::build::normalize;

/// A customer managed policy and its default version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub version_id: String,
    /// The default version's document (JSON text).
    pub document: String,
    /// Whether this call wrote anything.
    pub changed: bool,
}

/// IAM keeps at most five versions of a managed policy.
const MAX_VERSIONS: usize = 5;

/// A delete that found nothing to delete: done (a retried delete whose first response was lost).
pub(crate) fn already_gone<T>(result: Result<T, Error>) -> Result<(), Error> {
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == Some(ErrorKind::NoSuchEntity) => Ok(()),
        Err(e) => Err(e),
    }
}

impl Client {
    /// The ARN of customer managed policy `name` (with `path`) in the caller's account.
    pub async fn customer_policy_arn(&self, name: &str, path: &str) -> Result<String, Error> {
        let me = self.identity().await?;
        Ok(format!("arn:{}:iam::{}:policy{}{name}", me.partition, me.account, path))
    }

    /// The default version of the policy at `arn`, or `None` when it does not exist. Sent by
    /// rolekit itself (`direct`): every plan, diagnosis and fleet account reads policies.
    pub async fn find_managed_policy(&self, arn: &str) -> Result<Option<ManagedPolicy>, Error> {
        let policy = match self.query(Service::Iam, "GetPolicy", &[("PolicyArn", arn)]).await {
            Ok(found) => found,
            Err(e) if e.kind() == Some(ErrorKind::NoSuchEntity) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(p) = policy.child("Policy") else {
            return Ok(None);
        };
        let version = p.text_of("DefaultVersionId").unwrap_or("v1").to_string();
        let v = self
            .query(
                Service::Iam,
                "GetPolicyVersion",
                &[("PolicyArn", arn), ("VersionId", &version)],
            )
            .await?;
        let document = percent_decode(
            v.child("PolicyVersion")
                .and_then(|p| p.text_of("Document"))
                .unwrap_or_default(),
        );
        Ok(Some(ManagedPolicy {
            arn: arn.to_string(),
            name: p.text_of("PolicyName").unwrap_or_default().to_string(),
            version_id: version,
            document,
            changed: false,
        }))
    }

    /// Create the policy, or make `document` its new default version when it differs
    /// semantically (deleting the oldest non-default version first when five exist).
    /// An identical document writes nothing.
    pub async fn put_policy(
        &self,
        name: &str,
        document: &serde_json::Value,
        description: Option<&str>,
        path: &str,
    ) -> Result<ManagedPolicy, Error> {
        // CreatePolicy's rules: a managed policy must be Version 2012-10-17.
        super::check_policy_with(
            document,
            rolekit_policy::validate::Options {
                kind: rolekit_policy::PolicyKind::Identity,
                inline: false,
                managed: true,
            },
            &format!("policy {name}"),
        )?;
        let arn = self.customer_policy_arn(name, path).await?;
        let text = document.to_string();
        match self.find_managed_policy(&arn).await? {
            None => {
                let created = self
                    .iam()
                    .create_policy()
                    .policy_name(name)
                    .path(path)
                    .policy_document(&text)
                    .set_description(description.map(str::to_string))
                    .send()
                    .await;
                match created {
                    Ok(out) => {
                        let p = out.policy();
                        Ok(ManagedPolicy {
                            arn: p.and_then(|p| p.arn()).unwrap_or(&arn).to_string(),
                            name: name.to_string(),
                            version_id: p.and_then(|p| p.default_version_id()).unwrap_or("v1").to_string(),
                            document: text,
                            changed: true,
                        })
                    }
                    Err(e) => {
                        let err = Error::from_sdk("CreatePolicy", self.endpoint(), e);
                        if err.kind() == Some(ErrorKind::EntityAlreadyExists) {
                            // Lost response on a retried create: converge on what is there.
                            Box::pin(self.put_policy(name, document, description, path)).await
                        } else {
                            Err(err)
                        }
                    }
                }
            }
            Some(current) => {
                let same = serde_json::from_str::<serde_json::Value>(&current.document)
                    .is_ok_and(|v| normalize(&v) == normalize(document));
                if same {
                    return Ok(current);
                }
                self.create_default_version(&arn, name, document, text).await
            }
        }
    }

    /// CreatePolicyVersion as the new default, making room first (five versions at most).
    ///
    /// The SDK's automatic retry is off for this one call: a retry after a lost response would
    /// add a duplicate version. Instead, after a transient failure the default version is read
    /// back; if it is already this document, the earlier attempt landed and we converge.
    async fn create_default_version(
        &self,
        arn: &str,
        name: &str,
        document: &serde_json::Value,
        text: String,
    ) -> Result<ManagedPolicy, Error> {
        let attempts = self
            .sdk()
            .retry_config()
            .map_or(3, aws_smithy_types::retry::RetryConfig::max_attempts)
            .max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.make_room_for_a_version(arn).await?;
            let sent = self
                .iam()
                .create_policy_version()
                .policy_arn(arn)
                .policy_document(&text)
                .set_as_default(true)
                .customize()
                .config_override(
                    aws_sdk_iam::config::Builder::default()
                        .retry_config(aws_smithy_types::retry::RetryConfig::disabled()),
                )
                .send()
                .await
                .map_err(|e| Error::from_sdk("CreatePolicyVersion", self.endpoint(), e));
            let err = match sent {
                Ok(out) => {
                    return Ok(ManagedPolicy {
                        arn: arn.to_string(),
                        name: name.to_string(),
                        version_id: out
                            .policy_version()
                            .and_then(|v| v.version_id())
                            .unwrap_or_default()
                            .to_string(),
                        document: text,
                        changed: true,
                    })
                }
                Err(e) => e,
            };
            let limit = err.kind() == Some(ErrorKind::LimitExceeded);
            if !(err.transient() || limit) || attempt >= attempts {
                return Err(err);
            }
            if err.transient() {
                if let Some(current) = self.find_managed_policy(arn).await? {
                    let landed = serde_json::from_str::<serde_json::Value>(&current.document)
                        .is_ok_and(|v| normalize(&v) == normalize(document));
                    if landed {
                        return Ok(ManagedPolicy {
                            changed: true,
                            ..current
                        });
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(100 << attempt.min(5))).await;
            }
        }
    }

    /// Delete the oldest non-default version when the policy has five.
    async fn make_room_for_a_version(&self, arn: &str) -> Result<(), Error> {
        let versions = self
            .call(
                "ListPolicyVersions",
                self.iam().list_policy_versions().policy_arn(arn).send(),
            )
            .await?;
        if versions.versions().len() < MAX_VERSIONS {
            return Ok(());
        }
        let mut old: Vec<_> = versions.versions().iter().filter(|v| !v.is_default_version()).collect();
        old.sort_by_key(|v| v.create_date().map(|d| (d.secs(), d.subsec_nanos())));
        if let Some(oldest) = old.first().and_then(|v| v.version_id()) {
            self.delete_version(arn, oldest).await?;
        }
        Ok(())
    }

    /// DeletePolicyVersion; a version already gone (a retry after a lost answer) counts as done.
    async fn delete_version(&self, arn: &str, id: &str) -> Result<(), Error> {
        let deleted = self
            .call(
                "DeletePolicyVersion",
                self.iam().delete_policy_version().policy_arn(arn).version_id(id).send(),
            )
            .await;
        already_gone(deleted)
    }

    /// The real ARN of an AWS managed policy: tried at the root path, then the paths AWS uses
    /// (service-role/, job-function/, aws-service-role/), then by listing AWS's policies.
    pub async fn aws_managed_arn(&self, name: &str) -> Result<String, Error> {
        let me = self.identity().await?;
        for path in ["", "service-role/", "job-function/", "aws-service-role/"] {
            let arn = format!("arn:{}:iam::aws:policy/{path}{name}", me.partition);
            if self.find_managed_policy(&arn).await?.is_some() {
                return Ok(arn);
            }
        }
        let mut pages = self
            .iam()
            .list_policies()
            .scope(aws_sdk_iam::types::PolicyScopeType::Aws)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| Error::from_sdk("ListPolicies", self.endpoint(), e))?;
            if let Some(p) = page.policies().iter().find(|p| p.policy_name() == Some(name)) {
                return Ok(p.arn().unwrap_or_default().to_string());
            }
        }
        Err(Error::InvalidArgument(format!(
            "there is no AWS managed policy named {name:?}"
        )))
    }

    /// AttachRolePolicy.
    pub async fn attach_role_policy(&self, role: &str, arn: &str) -> Result<(), Error> {
        self.call(
            "AttachRolePolicy",
            self.iam().attach_role_policy().role_name(role).policy_arn(arn).send(),
        )
        .await
        .map(drop)
    }

    /// DetachRolePolicy.
    pub async fn detach_role_policy(&self, role: &str, arn: &str) -> Result<(), Error> {
        self.call(
            "DetachRolePolicy",
            self.iam().detach_role_policy().role_name(role).policy_arn(arn).send(),
        )
        .await
        .map(drop)
    }

    /// Put an inline policy on a role, validated first (IAM's inline rules): nothing invalid is sent.
    pub async fn put_inline_policy(&self, role: &str, name: &str, document: &serde_json::Value) -> Result<(), Error> {
        super::check_inline_policy(name, document)?;
        self.put_role_policy(role, name, &document.to_string()).await
    }

    /// PutRolePolicy, as it is (the document already checked by the caller).
    pub(crate) async fn put_role_policy(&self, role: &str, name: &str, document: &str) -> Result<(), Error> {
        self.call(
            "PutRolePolicy",
            self.iam()
                .put_role_policy()
                .role_name(role)
                .policy_name(name)
                .policy_document(document)
                .send(),
        )
        .await
        .map(drop)
    }

    /// DeleteRolePolicy.
    pub async fn delete_role_policy(&self, role: &str, name: &str) -> Result<(), Error> {
        self.call(
            "DeleteRolePolicy",
            self.iam().delete_role_policy().role_name(role).policy_name(name).send(),
        )
        .await
        .map(drop)
    }
}

impl Client {
    /// Delete a customer managed policy: its non-default versions, then the policy. Refuses
    /// (`Unsafe`) while it is attached to any user, group or role, saying how many.
    pub async fn delete_policy(&self, arn: &str) -> Result<Vec<String>, Error> {
        let out = self
            .call("GetPolicy", self.iam().get_policy().policy_arn(arn).send())
            .await?;
        let attached = out
            .policy()
            .and_then(aws_sdk_iam::types::Policy::attachment_count)
            .unwrap_or(0);
        if attached > 0 {
            return Err(Error::Unsafe(format!(
                "policy {arn} is attached to {attached} user(s), group(s) or role(s); detach it first"
            )));
        }
        let mut done = Vec::new();
        let versions = self
            .call(
                "ListPolicyVersions",
                self.iam().list_policy_versions().policy_arn(arn).send(),
            )
            .await?;
        for v in versions.versions().iter().filter(|v| !v.is_default_version()) {
            let id = v.version_id().unwrap_or_default();
            self.delete_version(arn, id).await?;
            done.push(format!("deleted version {id}"));
        }
        let deleted = self
            .call("DeletePolicy", self.iam().delete_policy().policy_arn(arn).send())
            .await;
        already_gone(deleted)?;
        done.push(format!("deleted policy {arn}"));
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{answer, caller, error, Recorded, Recorder};
    use serde_json::{json, Value};

    const ARN: &str = "arn:aws:iam::123456789012:policy/basic_s3";

    fn doc(action: &str) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", "Action": action, "Resource": "*"}]})
    }

    fn encoded(v: &Value) -> String {
        v.to_string()
            .replace('"', "%22")
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace(':', "%3A")
    }

    /// An existing policy whose default version (v5 of five) holds `current`.
    fn existing(current: Value) -> impl Fn(&Recorded) -> (u16, String) + Send + Sync + 'static {
        move |r: &Recorded| {
            match r.action.as_str() {
            "GetCallerIdentity" => caller(),
            "GetPolicy" => answer(
                "GetPolicy",
                &format!("<Policy><PolicyName>basic_s3</PolicyName><Arn>{ARN}</Arn><DefaultVersionId>v5</DefaultVersionId></Policy>"),
            ),
            "GetPolicyVersion" => answer(
                "GetPolicyVersion",
                &format!(
                    "<PolicyVersion><Document>{}</Document><VersionId>v5</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>",
                    encoded(&current)
                ),
            ),
            // v3 is the oldest by date, though not by name: the one to delete.
            "ListPolicyVersions" => answer(
                "ListPolicyVersions",
                "<Versions>\
                 <member><VersionId>v5</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2026-05-01T00:00:00Z</CreateDate></member>\
                 <member><VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion><CreateDate>2026-03-01T00:00:00Z</CreateDate></member>\
                 <member><VersionId>v2</VersionId><IsDefaultVersion>false</IsDefaultVersion><CreateDate>2026-04-01T00:00:00Z</CreateDate></member>\
                 <member><VersionId>v3</VersionId><IsDefaultVersion>false</IsDefaultVersion><CreateDate>2026-01-01T00:00:00Z</CreateDate></member>\
                 <member><VersionId>v4</VersionId><IsDefaultVersion>false</IsDefaultVersion><CreateDate>2026-02-01T00:00:00Z</CreateDate></member>\
                 </Versions><IsTruncated>false</IsTruncated>",
            ),
            "DeletePolicyVersion" => answer("DeletePolicyVersion", ""),
            "CreatePolicyVersion" => answer(
                "CreatePolicyVersion",
                "<PolicyVersion><VersionId>v6</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>",
            ),
            _ => error(400, "Unexpected", &r.action),
        }
        }
    }

    #[tokio::test]
    async fn a_new_policy_is_created_with_its_document() {
        let server = Recorder::start(|r| {
            match r.action.as_str() {
            "GetCallerIdentity" => caller(),
            "GetPolicy" => error(404, "NoSuchEntity", "Policy basic_s3 was not found."),
            "CreatePolicy" => answer(
                "CreatePolicy",
                &format!("<Policy><PolicyName>basic_s3</PolicyName><Arn>{ARN}</Arn><DefaultVersionId>v1</DefaultVersionId></Policy>"),
            ),
            _ => error(400, "Unexpected", &r.action),
        }
        });
        let client = server.client().await;
        let made = client
            .put_policy("basic_s3", &doc("s3:ListAllMyBuckets"), Some("tutorial"), "/")
            .await
            .expect("created");
        assert_eq!(
            (made.arn.as_str(), made.version_id.as_str(), made.changed),
            (ARN, "v1", true)
        );
        assert_eq!(server.actions(), ["GetCallerIdentity", "GetPolicy", "CreatePolicy"]);
        let create = &server.requests()[2];
        assert_eq!(
            [
                create.param("PolicyName"),
                create.param("Path"),
                create.param("Description")
            ],
            ["basic_s3", "/", "tutorial"]
        );
        let sent: Value = serde_json::from_str(create.param("PolicyDocument")).expect("JSON");
        assert_eq!(sent, doc("s3:ListAllMyBuckets"));
    }

    #[tokio::test]
    async fn a_changed_document_is_a_new_default_version_after_the_oldest_goes() {
        let server = Recorder::start(existing(doc("s3:ListAllMyBuckets")));
        let client = server.client().await;
        let made = client
            .put_policy("basic_s3", &doc("s3:GetBucketLocation"), None, "/")
            .await
            .expect("versioned");
        assert_eq!((made.version_id.as_str(), made.changed), ("v6", true));
        let writes: Vec<Recorded> = server
            .requests()
            .into_iter()
            .filter(|r| r.action.starts_with("Create") || r.action.starts_with("Delete"))
            .collect();
        assert_eq!(writes.len(), 2, "{writes:?}");
        assert_eq!(
            (writes[0].action.as_str(), writes[0].param("VersionId")),
            ("DeletePolicyVersion", "v3")
        );
        assert_eq!(
            (
                writes[1].action.as_str(),
                writes[1].param("SetAsDefault"),
                writes[1].param("PolicyArn")
            ),
            ("CreatePolicyVersion", "true", ARN)
        );
    }

    #[tokio::test]
    async fn the_same_document_writes_nothing_and_a_bad_one_sends_nothing() {
        let server = Recorder::start(existing(doc("s3:ListAllMyBuckets")));
        let client = server.client().await;
        // The same statement written differently (a list of one, keys in another order).
        let same = json!({"Statement": [{"Resource": ["*"], "Action": ["s3:ListAllMyBuckets"], "Effect": "Allow", "Sid": "S"}],
            "Version": "2012-10-17"});
        let kept = client.put_policy("basic_s3", &same, None, "/").await.expect("read");
        assert_eq!((kept.version_id.as_str(), kept.changed), ("v5", false));
        assert_eq!(server.actions(), ["GetCallerIdentity", "GetPolicy", "GetPolicyVersion"]);

        let before = server.actions().len();
        let bad = client.put_policy("basic_s3", &doc("s3:ListBuckets"), None, "/").await;
        assert!(matches!(bad, Err(crate::Error::Policy { .. })), "{bad:?}");
        let inline = client
            .put_inline_policy("basic-role", "x", &doc("s3:ListBuckets"))
            .await;
        assert!(matches!(inline, Err(crate::Error::Policy { .. })), "{inline:?}");
        let name = client
            .put_inline_policy("basic-role", "bad name", &doc("s3:GetObject"))
            .await;
        assert!(matches!(name, Err(crate::Error::InvalidArgument(_))), "{name:?}");
        assert_eq!(server.actions().len(), before, "nothing invalid reaches AWS");
    }

    #[tokio::test]
    async fn an_inline_policy_is_put_as_given() {
        let server = Recorder::start(|r| answer(&r.action, ""));
        let client = server.client().await;
        client
            .put_inline_policy("basic-role", "logs", &doc("logs:PutLogEvents"))
            .await
            .expect("put");
        let put = &server.requests()[0];
        assert_eq!(
            [put.action.as_str(), put.param("RoleName"), put.param("PolicyName")],
            ["PutRolePolicy", "basic-role", "logs"]
        );
        let sent: Value = serde_json::from_str(put.param("PolicyDocument")).expect("JSON");
        assert_eq!(sent, doc("logs:PutLogEvents"));
    }
}
