//! Managed and inline policies: versioned updates (never delete and re-create), attachment,
//! and AWS managed policy names resolved to their real ARN and path.

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

    /// The default version of the policy at `arn`, or `None` when it does not exist.
    pub async fn find_managed_policy(&self, arn: &str) -> Result<Option<ManagedPolicy>, Error> {
        let out = match self.iam().get_policy().policy_arn(arn).send().await {
            Ok(o) => o,
            Err(e) => {
                let err = Error::from_sdk("GetPolicy", self.endpoint(), e);
                return if err.kind() == Some(ErrorKind::NoSuchEntity) {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
        };
        let Some(p) = out.policy() else { return Ok(None) };
        let version = p.default_version_id().unwrap_or("v1").to_string();
        let v = self
            .call(
                "GetPolicyVersion",
                self.iam()
                    .get_policy_version()
                    .policy_arn(arn)
                    .version_id(&version)
                    .send(),
            )
            .await?;
        let document = v
            .policy_version()
            .and_then(|v| v.document())
            .map(percent_decode)
            .unwrap_or_default();
        Ok(Some(ManagedPolicy {
            arn: arn.to_string(),
            name: p.policy_name().unwrap_or_default().to_string(),
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
        super::check_policy(
            document,
            rolekit_policy::PolicyKind::Identity,
            false,
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
        super::names::check_name("inline policy", name, 128)?;
        super::check_policy(
            document,
            rolekit_policy::PolicyKind::Identity,
            true,
            &format!("inline policy {name}"),
        )?;
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
