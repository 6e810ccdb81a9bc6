//! SageMaker: the execution role rolekit builds, and finding the role a job should run as.
//!
//! The three SageMaker calls rolekit makes (DescribeNotebookInstance, DescribeUserProfile,
//! DescribeDomain) go out as SigV4-signed JSON requests (aws-sigv4) over rolekit's HTTP connector
//! (`transport`): the generated aws-sdk-sagemaker crate would triple the build for three calls.

use std::path::Path;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use serde_json::{json, Value};

use super::error::{ErrorKind, ServiceError};
use super::identity::IdentityKind;
use super::roles::RoleSpec;
use super::{Client, Error};
use crate::policy::build::trust_policy;
use crate::policy::sagemaker::{execution_policy, ExecutionOptions};

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
        let me = self.identity().await?;
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

    /// One SageMaker JSON API call, signed with the client's credentials; retried on 5xx,
    /// throttling and dropped connections.
    pub async fn sagemaker_call(&self, operation: &str, body: &Value) -> Result<Value, Error> {
        let region = self.region().unwrap_or(super::config::FALLBACK_REGION).to_string();
        let url = sagemaker_url(self.sdk().endpoint_url(), &region);
        let provider = self.sdk().credentials_provider().ok_or_else(|| Error::NoCredentials {
            operation: operation.into(),
            cause: "no credentials provider".into(),
        })?;
        let body = body.to_string().into_bytes();
        let timeout = self
            .sdk()
            .timeout_config()
            .and_then(aws_smithy_types::timeout::TimeoutConfig::operation_attempt_timeout)
            .unwrap_or(Duration::from_secs(33));
        let http = super::transport::Connector::new(Some(super::config::DEFAULT_CONNECT_TIMEOUT.min(timeout)), None);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let creds = provider.provide_credentials().await.map_err(|e| Error::NoCredentials {
                operation: operation.into(),
                cause: e.to_string(),
            })?;
            let request = signed_request(&url, &region, operation, &body, creds)?;
            let outcome = tokio::time::timeout(timeout, async {
                let response = http.send(&request).await.map_err(|e| super::error::describe(&e))?;
                let status = response.status().as_u16();
                let request_id = response.headers().get("x-amzn-requestid").map(str::to_string);
                let bytes = response.body().bytes().unwrap_or_default().to_vec();
                Ok::<_, String>((status, request_id, bytes))
            })
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", timeout.as_secs_f64())));
            let retry = match outcome {
                Ok((200, _, bytes)) => {
                    return serde_json::from_slice(&bytes)
                        .map_err(|e| Error::Protocol(format!("{operation}: the answer is not JSON: {e}")))
                }
                Ok((status, request_id, bytes)) => {
                    let err = service_error(operation, status, request_id, &bytes);
                    if !(status >= 500 || err.kind == ErrorKind::Throttled) || attempt >= 3 {
                        return Err(Error::Service(err));
                    }
                    Error::Service(err)
                }
                Err(cause) => {
                    let err = Error::Endpoint {
                        endpoint: url.clone(),
                        operation: operation.into(),
                        cause,
                    };
                    if attempt >= 3 {
                        return Err(err);
                    }
                    err
                }
            };
            drop(retry);
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
        }
    }
}

fn sagemaker_url(endpoint_override: Option<&str>, region: &str) -> String {
    if let Ok(url) = std::env::var("AWS_ENDPOINT_URL_SAGEMAKER") {
        if !url.is_empty() {
            return format!("{}/", url.trim_end_matches('/'));
        }
    }
    match endpoint_override {
        Some(url) => format!("{}/", url.trim_end_matches('/')),
        None if region.starts_with("cn-") => format!("https://api.sagemaker.{region}.amazonaws.com.cn/"),
        None => format!("https://api.sagemaker.{region}.amazonaws.com/"),
    }
}

fn signed_request(
    url: &str,
    region: &str,
    operation: &str,
    body: &[u8],
    creds: aws_credential_types::Credentials,
) -> Result<HttpRequest, Error> {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    let target = format!("SageMaker.{operation}");
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target.as_str()),
        ("host", host.as_str()),
    ];
    let identity = creds.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sagemaker")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| Error::Config(format!("cannot sign {operation}: {e}")))?
        .into();
    let signable = SignableRequest::new("POST", url, headers.iter().copied(), SignableBody::Bytes(body))
        .map_err(|e| Error::Config(format!("cannot sign {operation}: {e}")))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| Error::Config(format!("cannot sign {operation}: {e}")))?
        .into_parts();
    let mut builder = http::Request::builder().method("POST").uri(url);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let mut request = builder
        .body(SdkBody::from(body.to_vec()))
        .map_err(|e| Error::Config(format!("cannot build the {operation} request: {e}")))?;
    instructions.apply_to_request_http1x(&mut request);
    HttpRequest::try_from(request).map_err(|e| Error::Config(format!("cannot build the {operation} request: {e}")))
}

/// A JSON-protocol error body (`{"__type": "...#Code", "message": "..."}`) as a service error.
fn service_error(operation: &str, status: u16, request_id: Option<String>, body: &[u8]) -> ServiceError {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = parsed
        .get("__type")
        .or_else(|| parsed.get("code"))
        .and_then(Value::as_str)
        .map_or_else(
            || format!("HTTP{status}"),
            |t| t.rsplit('#').next().unwrap_or(t).to_string(),
        );
    let message = parsed
        .get("message")
        .or_else(|| parsed.get("Message"))
        .and_then(Value::as_str)
        .map_or_else(
            || String::from_utf8_lossy(body).chars().take(300).collect(),
            str::to_string,
        );
    ServiceError {
        kind: ErrorKind::from_code(&code),
        code,
        message,
        operation: operation.into(),
        request_id,
        status: Some(status),
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
    fn urls_errors_and_paths() {
        assert_eq!(
            sagemaker_url(Some("http://127.0.0.1:5000"), "x"),
            "http://127.0.0.1:5000/"
        );
        assert_eq!(
            sagemaker_url(None, "eu-west-1"),
            "https://api.sagemaker.eu-west-1.amazonaws.com/"
        );
        let e = service_error(
            "DescribeDomain",
            400,
            None,
            br#"{"__type": "com.amazon.coral#AccessDeniedException", "message": "no"}"#,
        );
        assert_eq!(
            (e.kind, e.code.as_str(), e.message.as_str()),
            (ErrorKind::AccessDenied, "AccessDeniedException", "no")
        );
        assert_eq!(service_error("X", 502, None, b"<html>").code, "HTTP502");
        assert_eq!(
            service_role_path("arn:aws:iam::1:role/AmazonSageMaker-ExecutionRole-2024"),
            "arn:aws:iam::1:role/service-role/AmazonSageMaker-ExecutionRole-2024"
        );
        assert_eq!(service_role_path("arn:aws:iam::1:role/ds"), "arn:aws:iam::1:role/ds");
    }
}
