//! `Client` (blocking, GIL released) and `AsyncClient` (awaitables) over one `aws::Client`.
//! Both classes are generated from one list of methods, so they cannot drift apart.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::args::{arg, text};
use crate::errors::Error;
use crate::iam::{self, PolicyRef, PyManagedPolicy, PyRole, PyRoleChange, Refresher, RoleArgs};
use crate::runtime::{awaitable, block_on};
use crate::types::{extract_credentials, PyCredentials, PyIdentity};
use rolekit_aws::{self as aws, roles::RoleChange, ClientOptions};

pub fn options(
    profile: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    credentials: Option<&Bound<'_, PyAny>>,
    timeout: Option<f64>,
    retries: Option<u32>,
    retry_mode: &str,
    ca_bundle: Option<std::path::PathBuf>,
) -> Result<ClientOptions, Error> {
    Ok(ClientOptions {
        profile,
        region,
        endpoint_url,
        credentials: credentials
            .filter(|c| !c.is_none())
            .map(extract_credentials)
            .transpose()?,
        credentials_provider: None,
        timeout: timeout.map(ClientOptions::timeout_from_secs).transpose()?,
        max_attempts: retries.map(|r| r.saturating_add(1)),
        retry_mode: retry_mode.parse()?,
        ca_bundle,
        rate_limit: None,
    })
}

pub fn connect(py: Python<'_>, opts: ClientOptions) -> PyResult<Arc<aws::Client>> {
    block_on(py, async move { Ok(Arc::new(aws::Client::new(opts).await?)) })
}

/// Blocking runner: the result as a Python object.
fn run_sync<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: std::future::Future<Output = Result<T, crate::errors::Error>> + Send,
    T: for<'a> IntoPyObject<'a> + Send,
{
    block_on(py, fut)?.into_bound_py_any(py)
}

fn change(c: RoleChange) -> PyRoleChange {
    PyRoleChange(c)
}

macro_rules! client_class {
    ($cls:ident, $pyname:literal, $run:ident, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, module = "rolekit._rolekit", name = $pyname)]
        pub struct $cls {
            pub inner: Arc<aws::Client>,
        }

        #[pymethods]
        impl $cls {
            #[new]
            #[pyo3(signature = (profile=None, region=None, endpoint_url=None, credentials=None, timeout=None, retries=None, retry_mode="standard", ca_bundle=None))]
            fn new(
                py: Python<'_>,
                #[pyo3(from_py_with = arg)] profile: Option<String>,
                #[pyo3(from_py_with = arg)] region: Option<String>,
                #[pyo3(from_py_with = arg)] endpoint_url: Option<String>,
                credentials: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] timeout: Option<f64>,
                #[pyo3(from_py_with = arg)] retries: Option<u32>,
                #[pyo3(from_py_with = text)] retry_mode: &str,
                #[pyo3(from_py_with = arg)] ca_bundle: Option<std::path::PathBuf>,
            ) -> PyResult<Self> {
                let opts = options(profile, region, endpoint_url, credentials, timeout, retries, retry_mode, ca_bundle)?;
                Ok(Self { inner: connect(py, opts)? })
            }

            /// Where requests go.
            #[getter]
            fn endpoint(&self) -> &str {
                self.inner.endpoint()
            }

            /// The CA bundle this client trusts (the argument, AWS_CA_BUNDLE or the profile's
            /// ca_bundle), or None for the system's store.
            #[getter]
            fn ca_bundle(&self) -> Option<std::path::PathBuf> {
                self.inner.ca_bundle().map(std::path::Path::to_path_buf)
            }

            /// Who the credentials belong to (`sts:GetCallerIdentity`).
            fn whoami<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let inner = self.inner.clone();
                $run(py, async move { Ok(PyIdentity(inner.whoami().await?)) })
            }

            /// A role with its policies and tags.
            fn get_role<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] name: String) -> PyResult<Bound<'py, PyAny>> {
                let inner = self.inner.clone();
                $run(py, async move { Ok(PyRole(inner.get_role(&name).await?)) })
            }

            /// Role names, ARNs and paths, all pages.
            #[pyo3(signature = (path_prefix=None))]
            fn list_roles<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] path_prefix: Option<String>) -> PyResult<Bound<'py, PyAny>> {
                let inner = self.inner.clone();
                $run(py, async move { Ok(inner.list_roles(path_prefix.as_deref()).await?) })
            }

            /// The changes `ensure_role` would make; nothing is applied.
            #[pyo3(signature = (name, trust, *, description=None, path="/", max_session_duration=None, permissions_boundary=None, tags=None, managed_policies=None, inline_policies=None, exclusive=false))]
            fn plan_role<'py>(
                &self,
                py: Python<'py>,
                #[pyo3(from_py_with = arg)] name: String,
                trust: &Bound<'_, PyAny>,
                #[pyo3(from_py_with = arg)] description: Option<String>,
                #[pyo3(from_py_with = text)] path: &str,
                #[pyo3(from_py_with = arg)] max_session_duration: Option<i32>,
                permissions_boundary: Option<&Bound<'_, PyAny>>,
                tags: Option<&Bound<'_, PyAny>>,
                managed_policies: Option<&Bound<'_, PyAny>>,
                inline_policies: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] exclusive: bool,
            ) -> PyResult<Bound<'py, PyAny>> {
                let args = RoleArgs::new(py, name, trust, description, path.to_string(), max_session_duration, permissions_boundary, tags, managed_policies, inline_policies, exclusive)?;
                let inner = self.inner.clone();
                $run(py, async move {
                    let spec = args.resolve(&inner).await?;
                    Ok(change(inner.plan_role(&spec).await?))
                })
            }

            /// Create the role, or update only what differs. Policies are validated first.
            #[pyo3(signature = (name, trust, *, description=None, path="/", max_session_duration=None, permissions_boundary=None, tags=None, managed_policies=None, inline_policies=None, exclusive=false))]
            fn ensure_role<'py>(
                &self,
                py: Python<'py>,
                #[pyo3(from_py_with = arg)] name: String,
                trust: &Bound<'_, PyAny>,
                #[pyo3(from_py_with = arg)] description: Option<String>,
                #[pyo3(from_py_with = text)] path: &str,
                #[pyo3(from_py_with = arg)] max_session_duration: Option<i32>,
                permissions_boundary: Option<&Bound<'_, PyAny>>,
                tags: Option<&Bound<'_, PyAny>>,
                managed_policies: Option<&Bound<'_, PyAny>>,
                inline_policies: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] exclusive: bool,
            ) -> PyResult<Bound<'py, PyAny>> {
                let args = RoleArgs::new(py, name, trust, description, path.to_string(), max_session_duration, permissions_boundary, tags, managed_policies, inline_policies, exclusive)?;
                let inner = self.inner.clone();
                $run(py, async move {
                    let spec = args.resolve(&inner).await?;
                    Ok(change(inner.ensure_role(&spec).await?))
                })
            }

            /// Empty and delete a role; refuses a recently used or protected role without force.
            #[pyo3(signature = (name, *, force=false))]
            fn delete_role<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] name: String, #[pyo3(from_py_with = arg)] force: bool) -> PyResult<Bound<'py, PyAny>> {
                let inner = self.inner.clone();
                $run(py, async move { Ok(inner.delete_role(&name, force).await?) })
            }

            /// Create a customer managed policy, or a new default version when it differs.
            #[pyo3(signature = (name, policy, *, description=None, path="/"))]
            fn put_policy<'py>(
                &self,
                py: Python<'py>,
                #[pyo3(from_py_with = arg)] name: String,
                policy: &Bound<'_, PyAny>,
                #[pyo3(from_py_with = arg)] description: Option<String>,
                #[pyo3(from_py_with = text)] path: &str,
            ) -> PyResult<Bound<'py, PyAny>> {
                let doc = iam::document(py, policy, "policy")?;
                let path = path.to_string();
                let inner = self.inner.clone();
                $run(py, async move {
                    Ok(PyManagedPolicy(inner.put_policy(&name, &doc, description.as_deref(), &path).await?))
                })
            }

            /// Delete a customer managed policy (its old versions first); refuses while attached.
            fn delete_policy<'py>(&self, py: Python<'py>, policy: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                let r = PolicyRef::extract(policy)?;
                let inner = self.inner.clone();
                $run(py, async move {
                    let arn = r.resolve(&inner).await?;
                    Ok(inner.delete_policy(&arn).await?)
                })
            }

            /// Attach a managed policy (ManagedPolicy, ARN, name, or aws_managed(name)) to a role.
            fn attach_policy<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] role: String, policy: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                let r = PolicyRef::extract(policy)?;
                let inner = self.inner.clone();
                $run(py, async move {
                    let arn = r.resolve(&inner).await?;
                    inner.attach_role_policy(&role, &arn).await?;
                    Ok(arn)
                })
            }

            /// Detach a managed policy from a role.
            fn detach_policy<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] role: String, policy: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                let r = PolicyRef::extract(policy)?;
                let inner = self.inner.clone();
                $run(py, async move {
                    let arn = r.resolve(&inner).await?;
                    inner.detach_role_policy(&role, &arn).await?;
                    Ok(arn)
                })
            }

            /// Put an inline policy on a role (validated first).
            fn put_inline_policy<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] role: String, #[pyo3(from_py_with = arg)] name: String, policy: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                let doc = iam::document(py, policy, "policy")?;
                let inner = self.inner.clone();
                $run(py, async move {
                    inner.put_inline_policy(&role, &name, &doc).await?;
                    Ok(())
                })
            }

            /// Delete an inline policy from a role.
            fn delete_inline_policy<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] role: String, #[pyo3(from_py_with = arg)] name: String) -> PyResult<Bound<'py, PyAny>> {
                let inner = self.inner.clone();
                $run(py, async move {
                    inner.delete_role_policy(&role, &name).await?;
                    Ok(())
                })
            }

            /// Assume a role (name or ARN); `wait` absorbs IAM propagation for up to N seconds.
            #[pyo3(signature = (role, *, session_name=None, duration=3600, external_id=None, mfa_serial=None, mfa_token=None, policy=None, policy_arns=None, tags=None, transitive_tag_keys=None, source_identity=None, wait=None))]
            fn assume_role<'py>(
                &self,
                py: Python<'py>,
                #[pyo3(from_py_with = arg)] role: String,
                #[pyo3(from_py_with = arg)] session_name: Option<String>,
                #[pyo3(from_py_with = arg)] duration: i32,
                #[pyo3(from_py_with = arg)] external_id: Option<String>,
                #[pyo3(from_py_with = arg)] mfa_serial: Option<String>,
                mfa_token: Option<Py<PyAny>>,
                policy: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] policy_arns: Option<Vec<String>>,
                tags: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] transitive_tag_keys: Option<Vec<String>>,
                #[pyo3(from_py_with = arg)] source_identity: Option<String>,
                #[pyo3(from_py_with = arg)] wait: Option<f64>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let policy = policy.filter(|p| !p.is_none()).map(|p| iam::document(py, p, "policy")).transpose()?;
                let opts = iam::assume_options(session_name, duration, external_id, mfa_serial, policy, policy_arns, tags, transitive_tag_keys, source_identity, wait)?;
                let refresher = Arc::new(Refresher { client: self.inner.clone(), role, opts, mfa_token: mfa_token.filter(|m| !m.is_none(py)) });
                let opts = refresher.options(py)?;
                $run(py, async move {
                    let creds = refresher.client.assume_role(&refresher.role, &opts).await?;
                    Ok(PyCredentials::refreshing(creds, refresher))
                })
            }

            /// Wait until the role can be assumed (absorbs IAM propagation); NotAssumable after timeout.
            #[pyo3(signature = (role, timeout=60.0))]
            fn wait_until_assumable<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] role: String, #[pyo3(from_py_with = arg)] timeout: f64) -> PyResult<Bound<'py, PyAny>> {
                let opts = iam::assume_options(None, 900, None, None, None, None, None, None, None, Some(timeout))?;
                let inner = self.inner.clone();
                $run(py, async move {
                    inner.assume_role(&role, &opts).await?;
                    Ok(true)
                })
            }

            /// Why this caller can or cannot assume `role`: the caller's own policies and boundary
            /// and the role's trust policy, read concurrently (as far as the caller may read them)
            /// and decided with IAM's logic. Returns a `Diagnosis`.
            #[pyo3(signature = (role, *, session_name=None, external_id=None, source_identity=None, tags=None))]
            fn diagnose_assume<'py>(
                &self,
                py: Python<'py>,
                #[pyo3(from_py_with = arg)] role: String,
                #[pyo3(from_py_with = arg)] session_name: Option<String>,
                #[pyo3(from_py_with = arg)] external_id: Option<String>,
                #[pyo3(from_py_with = arg)] source_identity: Option<String>,
                tags: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let opts = iam::assume_options(session_name, 3600, external_id, None, None, None, tags, None, source_identity, None)?;
                let request = aws::diagnose::AssumeRequest {
                    session_name: opts.session_name,
                    external_id: opts.external_id,
                    source_identity: opts.source_identity,
                    tags: opts.tags,
                };
                let inner = self.inner.clone();
                $run(py, async move {
                    let d = inner.diagnose_assume(&role, &request).await?;
                    Ok(crate::diagnose::PyDiagnosis::new(Arc::new(d)))
                })
            }

            /// Why one request (`action` on `resource`) by this caller is or is not allowed: its own
            /// policies, and the bucket's or key's policy for S3 and KMS, as far as it may read them.
            fn diagnose_request<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] action: String, #[pyo3(from_py_with = arg)] resource: String) -> PyResult<Bound<'py, PyAny>> {
                let inner = self.inner.clone();
                $run(py, async move {
                    let d = inner.diagnose_request(&action, &resource).await?;
                    Ok(crate::diagnose::PyDiagnosis::new(Arc::new(d)))
                })
            }

            /// What applying `spec` (a RoleSpec) would write in this account, and what drifted
            /// since the last apply; nothing is written. Returns a `Plan`.
            fn plan<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] spec: PyRef<'_, crate::spec::PyRoleSpec>) -> PyResult<Bound<'py, PyAny>> {
                let (inner, spec) = (self.inner.clone(), spec.inner.clone());
                $run(py, async move { Ok(crate::spec::PyPlan(Box::pin(inner.plan_spec(&spec)).await?)) })
            }

            /// Apply `spec` in this account: its policies, then each role with changes (and each
            /// exclusive role that drifted). Re-applying changes nothing. Returns the `Plan` applied.
            fn apply<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] spec: PyRef<'_, crate::spec::PyRoleSpec>) -> PyResult<Bound<'py, PyAny>> {
                let (inner, spec) = (self.inner.clone(), spec.inner.clone());
                $run(py, async move { Ok(crate::spec::PyPlan(Box::pin(inner.apply_spec(&spec)).await?)) })
            }

            /// Check a SageMaker job before it starts (`job`: training, processing, transform or
            /// endpoint): the caller may create it and pass `role`, SageMaker may assume the role,
            /// and the role may do what the job does on the exact resources (each input prefix, the
            /// output prefix, the image's repository, the logs, each KMS key, the VPC's network
            /// interfaces). Bucket and key policies are read where the caller may. `scps`: the
            /// SCPs in force, one list per level, root first. Returns a `Diagnosis`.
            #[pyo3(signature = (role, *, inputs=None, output=None, image=None, kms_keys=None, vpc=None, job="training", job_name=None, scps=None, management_account=false))]
            fn sagemaker_check<'py>(
                &self,
                py: Python<'py>,
                #[pyo3(from_py_with = arg)] role: String,
                inputs: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] output: Option<String>,
                #[pyo3(from_py_with = arg)] image: Option<String>,
                kms_keys: Option<&Bound<'_, PyAny>>,
                vpc: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = text)] job: &str,
                #[pyo3(from_py_with = arg)] job_name: Option<String>,
                scps: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] management_account: bool,
            ) -> PyResult<Bound<'py, PyAny>> {
                let spec = crate::diagnose::job_check(py, inputs, output, image, kms_keys, vpc, job, job_name, scps, management_account)?;
                let inner = self.inner.clone();
                $run(py, async move {
                    let d = inner.sagemaker_check(&role, &spec).await?;
                    Ok(crate::diagnose::PyDiagnosis::new(Arc::new(d)))
                })
            }

            /// A least-privilege SageMaker execution role: trust for sagemaker.amazonaws.com (and the
            /// ARNs in `allow`), `rolekit.sagemaker.execution_policy(...)` inline; idempotent.
            #[pyo3(signature = (name="rolekit-sagemaker-execution", *, s3, ecr_repositories=None, kms_keys=None, vpc=false, allow=None, region=None, account=None, description=None, path="/", max_session_duration=None, permissions_boundary=None, tags=None, managed_policies=None))]
            fn sagemaker_execution_role<'py>(
                &self,
                py: Python<'py>,
                #[pyo3(from_py_with = text)] name: &str,
                s3: &Bound<'_, PyAny>,
                ecr_repositories: Option<&Bound<'_, PyAny>>,
                kms_keys: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] vpc: bool,
                allow: Option<&Bound<'_, PyAny>>,
                #[pyo3(from_py_with = arg)] region: Option<String>,
                #[pyo3(from_py_with = arg)] account: Option<String>,
                #[pyo3(from_py_with = arg)] description: Option<String>,
                #[pyo3(from_py_with = text)] path: &str,
                #[pyo3(from_py_with = arg)] max_session_duration: Option<i32>,
                permissions_boundary: Option<&Bound<'_, PyAny>>,
                tags: Option<&Bound<'_, PyAny>>,
                managed_policies: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let opts = crate::sagemaker::options(s3, ecr_repositories, kms_keys, vpc, region, account)?;
                let allow = crate::sagemaker::optional(allow, "allow")?;
                let trust = pyo3::types::PyString::new(py, "{}");
                let args = RoleArgs::new(py, name.to_string(), trust.as_any(), description, path.to_string(), max_session_duration, permissions_boundary, tags, managed_policies, None, false)?;
                let inner = self.inner.clone();
                $run(py, async move {
                    let spec = args.resolve(&inner).await?;
                    let spec = inner.sagemaker_role_spec(spec, opts, &allow).await?;
                    Ok(change(inner.ensure_role(&spec).await?))
                })
            }

            /// The role ARN to give a SageMaker job: the notebook instance's or Studio user's role
            /// when running in SageMaker, else the caller's role; a clear error otherwise.
            #[pyo3(signature = (*, metadata_path=None))]
            fn execution_role<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = arg)] metadata_path: Option<std::path::PathBuf>) -> PyResult<Bound<'py, PyAny>> {
                let path = metadata_path.unwrap_or_else(|| aws::sagemaker::METADATA_PATH.into());
                let inner = self.inner.clone();
                $run(py, async move { Ok(inner.execution_role(&path).await?) })
            }

            fn __repr__(&self) -> String {
                format!("{}(endpoint={})", $pyname, crate::html::pyrepr(self.inner.endpoint()))
            }
        }
    };
}

client_class!(
    PyClient,
    "Client",
    run_sync,
    "A blocking rolekit client. Every call releases the GIL while it waits on the network."
);
client_class!(
    PyAsyncClient,
    "AsyncClient",
    awaitable,
    "The asyncio twin of `Client`: the same methods, returning awaitables."
);
