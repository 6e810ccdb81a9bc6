//! SageMaker: the execution role rolekit builds, and finding the role a job should run as.
//!
//! The three SageMaker calls rolekit makes (DescribeNotebookInstance, DescribeUserProfile,
//! DescribeDomain) go out as signed JSON requests of rolekit's own (`direct`): the generated
//! aws-sdk-sagemaker crate would triple the build for three calls.

use std::path::Path;

use serde_json::{json, Value};

use super::identity::IdentityKind;
use super::roles::RoleSpec;
use super::{Client, Error};
use rolekit_policy::build::trust_policy;
use rolekit_policy::sagemaker::{execution_policy, ExecutionOptions};

/// Where SageMaker notebook instances and Studio apps describe themselves.
pub const METADATA_PATH: &str = "/opt/ml/metadata/resource-metadata.json";
/// The inline policy `sagemaker_execution_role` puts on the role.
pub const INLINE_POLICY_NAME: &str = "rolekit-sagemaker-execution";
const SERVICE: &str = "sagemaker.amazonaws.com";

impl Client {
    /// The `RoleSpec` of a SageMaker execution role: trust for SageMaker (and `allow`), the
    /// execution policy inline. Account and region default to the caller's.
    pub async fn sagemaker_role_spec(
        &self,
        mut spec: RoleSpec,
        mut opts: ExecutionOptions,
        allow: &[String],
    ) -> Result<RoleSpec, Error> {
        if opts.account.is_none() {
            opts.account = Some(self.identity().await?.account);
        }
        if opts.region.is_none() {
            opts.region = self.region().map(str::to_string);
        }
        let doc = execution_policy(&opts).map_err(Error::InvalidArgument)?;
        spec.trust = trust_policy(&[SERVICE.to_string()], allow, &[], None, None);
        let mut inline = spec.inline_policies.take().unwrap_or_default();
        inline.retain(|(n, _)| n != INLINE_POLICY_NAME);
        inline.push((INLINE_POLICY_NAME.to_string(), doc));
        spec.inline_policies = Some(inline);
        if spec.description.is_none() {
            spec.description = Some("SageMaker execution role, least privilege (written by rolekit)".into());
        }
        Ok(spec)
    }

    /// The role ARN to hand to a SageMaker job: the one of the SageMaker resource this runs in
    /// (notebook instance or Studio, from `metadata`), else the caller's own role.
    pub async fn execution_role(&self, metadata: &Path) -> Result<String, Error> {
        let mut tried = Vec::new();
        match std::fs::read_to_string(metadata) {
            Ok(text) => match self.role_from_metadata(&text).await {
                Ok(Some(arn)) => return Ok(arn),
                Ok(None) => tried.push(format!(
                    "{} names no notebook instance or Studio user",
                    metadata.display()
                )),
                Err(e) => tried.push(format!("{}: {e}", metadata.display())),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tried.push(format!("{}: {e}", metadata.display())),
        }
        let me = self.whoami().await?; // the role ARN with its path
        if me.kind == IdentityKind::AssumedRole {
            if let Some(arn) = &me.role_arn {
                return Ok(service_role_path(arn));
            }
        }
        let mut message = format!(
            "no execution role: the caller is {} ({}), not a role",
            me.arn,
            me.kind.as_str()
        );
        for t in tried {
            message.push_str("; ");
            message.push_str(&t);
        }
        message.push_str(
            ". Outside SageMaker, create one with client.sagemaker_execution_role(s3=[\"s3://bucket/prefix\"]) \
             and pass its .role.arn to the job",
        );
        Err(Error::Unavailable(message))
    }

    async fn role_from_metadata(&self, text: &str) -> Result<Option<String>, Error> {
        let meta: Value = serde_json::from_str(text)
            .map_err(|e| Error::Protocol(format!("the resource metadata is not JSON: {e}")))?;
        let field = |k: &str| meta.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        if let Some(domain) = field("DomainId") {
            if let Some(user) = field("UserProfileName") {
                // A user without a role of its own uses the domain's default; a failed lookup
                // (e.g. no sagemaker:DescribeUserProfile) falls back to the domain too.
                let out = self
                    .sagemaker_call(
                        "DescribeUserProfile",
                        &json!({"DomainId": domain, "UserProfileName": user}),
                    )
                    .await;
                if let Some(arn) = out
                    .as_ref()
                    .ok()
                    .and_then(|o| o.pointer("/UserSettings/ExecutionRole"))
                    .and_then(Value::as_str)
                {
                    return Ok(Some(arn.to_string()));
                }
            }
            let out = self
                .sagemaker_call("DescribeDomain", &json!({"DomainId": domain}))
                .await?;
            let pointer = if field("SpaceName").is_some() && field("UserProfileName").is_none() {
                "/DefaultSpaceSettings/ExecutionRole"
            } else {
                "/DefaultUserSettings/ExecutionRole"
            };
            return Ok(out
                .pointer(pointer)
                .or_else(|| out.pointer("/DefaultUserSettings/ExecutionRole"))
                .and_then(Value::as_str)
                .map(str::to_string));
        }
        if let Some(name) = field("ResourceName") {
            let out = self
                .sagemaker_call("DescribeNotebookInstance", &json!({"NotebookInstanceName": name}))
                .await?;
            return Ok(out.get("RoleArn").and_then(Value::as_str).map(str::to_string));
        }
        Ok(None)
    }
}

/// `AmazonSageMaker-ExecutionRole-*` roles live under `service-role/`; STS does not say so, and a
/// caller that may not call GetRole gets the path-less ARN. SageMaker's own SDK adds it back too.
fn service_role_path(arn: &str) -> String {
    match arn.split_once(":role/") {
        Some((head, name)) if !name.contains('/') && name.starts_with("AmazonSageMaker-ExecutionRole") => {
            format!("{head}:role/service-role/{name}")
        }
        _ => arn.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_role_paths() {
        assert_eq!(
            service_role_path("arn:aws:iam::1:role/AmazonSageMaker-ExecutionRole-2024"),
            "arn:aws:iam::1:role/service-role/AmazonSageMaker-ExecutionRole-2024"
        );
        assert_eq!(service_role_path("arn:aws:iam::1:role/ds"), "arn:aws:iam::1:role/ds");
    }
}
