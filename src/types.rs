//! Value objects handed to Python: Identity and Credentials. Frozen; reprs never show secrets.

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use std::sync::Arc;

use crate::args::{arg, text};
use crate::html::{pyrepr, table};
use crate::iam::Refresher;
use crate::runtime::block_on;
use rolekit_aws as aws;

/// The caller's identity (`sts:GetCallerIdentity`).
#[pyclass(frozen, module = "rolekit._rolekit", name = "Identity")]
pub struct PyIdentity(pub aws::Identity);

#[pymethods]
impl PyIdentity {
    #[getter]
    fn account(&self) -> &str {
        &self.0.account
    }
    #[getter]
    fn arn(&self) -> &str {
        &self.0.arn
    }
    #[getter]
    fn user_id(&self) -> &str {
        &self.0.user_id
    }
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }
    #[getter]
    fn partition(&self) -> &str {
        &self.0.partition
    }
    #[getter]
    fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    #[getter]
    fn role_arn(&self) -> Option<&str> {
        self.0.role_arn.as_deref()
    }
    #[getter]
    fn session_name(&self) -> Option<&str> {
        self.0.session_name.as_deref()
    }
    fn __repr__(&self) -> String {
        match &self.0.role_arn {
            Some(role) => format!(
                "Identity(kind={}, arn={}, role_arn={})",
                pyrepr(self.kind()),
                pyrepr(&self.0.arn),
                pyrepr(role)
            ),
            None => format!("Identity(kind={}, arn={})", pyrepr(self.kind()), pyrepr(&self.0.arn)),
        }
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyIdentity>().is_ok_and(|o| o.get().0 == self.0)
    }
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.arn.hash(&mut h);
        h.finish()
    }
    fn _repr_html_(&self) -> String {
        let mut rows = vec![
            ("kind", self.kind().to_string()),
            ("arn", self.0.arn.clone()),
            ("account", self.0.account.clone()),
        ];
        if let Some(r) = &self.0.role_arn {
            rows.push(("role_arn", r.clone()));
        }
        if let Some(s) = &self.0.session_name {
            rows.push(("session", s.clone()));
        }
        table("Identity", &rows)
    }
}

/// AWS credentials; the secret key and the session token are never shown.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Credentials")]
pub struct PyCredentials(pub aws::Credentials, Option<Arc<Refresher>>);

impl PyCredentials {
    /// Credentials from AssumeRole that can be refreshed by assuming the role again.
    pub fn refreshing(creds: aws::Credentials, refresher: Arc<Refresher>) -> Self {
        Self(creds, Some(refresher))
    }
}

#[pymethods]
impl PyCredentials {
    #[new]
    #[pyo3(signature = (access_key_id, secret_access_key, session_token=None, expiration=None))]
    fn new(
        #[pyo3(from_py_with = arg)] access_key_id: String,
        #[pyo3(from_py_with = arg)] secret_access_key: String,
        #[pyo3(from_py_with = arg)] session_token: Option<String>,
        #[pyo3(from_py_with = arg)] expiration: Option<DateTime<Utc>>,
    ) -> PyResult<Self> {
        if access_key_id.trim().is_empty() || secret_access_key.trim().is_empty() {
            return Err(crate::errors::invalid(
                "access_key_id and secret_access_key must not be empty",
            ));
        }
        let mut c = aws::Credentials::new(access_key_id, secret_access_key, session_token);
        c.expiration = expiration.map(SystemTime::from);
        c.remember();
        Ok(Self(c, None))
    }
    #[getter]
    fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }
    #[getter]
    fn secret_access_key(&self) -> &str {
        self.0.secret_access_key.expose()
    }
    #[getter]
    fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_ref().map(aws::credentials::Secret::expose)
    }
    #[getter]
    fn expiration(&self) -> Option<DateTime<Utc>> {
        self.0.expiration.map(DateTime::<Utc>::from)
    }
    #[getter]
    fn role_arn(&self) -> Option<&str> {
        self.0.role_arn.as_deref()
    }
    #[getter]
    fn assumed_role_arn(&self) -> Option<&str> {
        self.0.assumed_role_arn.as_deref()
    }
    /// The variables a process needs: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
    fn to_env<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = PyDict::new(py);
        d.set_item("AWS_ACCESS_KEY_ID", &self.0.access_key_id)?;
        d.set_item("AWS_SECRET_ACCESS_KEY", self.0.secret_access_key.expose())?;
        if let Some(t) = &self.0.session_token {
            d.set_item("AWS_SESSION_TOKEN", t.expose())?;
        }
        // A dict whose repr masks its values (rolekit._secrets.SecretEnv).
        py.import("rolekit._secrets")?.getattr("SecretEnv")?.call1((d,))
    }
    /// Whether `refresh()` can renew these credentials (they came from assume_role).
    #[getter]
    fn refreshable(&self) -> bool {
        self.1.is_some()
    }

    /// New credentials from assuming the same role again (asking a callable mfa_token again).
    fn refresh(&self, py: Python<'_>) -> PyResult<PyCredentials> {
        let Some(r) = self.1.clone() else {
            return Err(crate::errors::invalid(
                "these credentials did not come from assume_role and cannot be refreshed",
            ));
        };
        let opts = r.options(py)?;
        block_on(py, async move {
            let creds = r.client.assume_role(&r.role, &opts).await?;
            Ok(PyCredentials::refreshing(creds, r))
        })
    }

    /// What the AWS CLI's `credential_process` expects (Version 1).
    fn credential_process_json(&self) -> String {
        let mut v = serde_json::json!({
            "Version": 1,
            "AccessKeyId": self.0.access_key_id,
            "SecretAccessKey": self.0.secret_access_key.expose(),
        });
        if let Some(t) = &self.0.session_token {
            v["SessionToken"] = serde_json::Value::String(t.expose().to_string());
        }
        if let Some(exp) = self.expiration() {
            v["Expiration"] = serde_json::Value::String(exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        v.to_string()
    }

    /// A rolekit `Client` signed with these credentials. Credentials from `assume_role` renew
    /// themselves (the role is assumed again before they expire) and default to the endpoint and
    /// region of the client that assumed the role.
    #[pyo3(signature = (region=None, endpoint_url=None, timeout=None, retries=None, retry_mode="standard"))]
    fn client(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arg)] region: Option<String>,
        #[pyo3(from_py_with = arg)] endpoint_url: Option<String>,
        #[pyo3(from_py_with = arg)] timeout: Option<f64>,
        #[pyo3(from_py_with = arg)] retries: Option<u32>,
        #[pyo3(from_py_with = text)] retry_mode: &str,
    ) -> PyResult<crate::client::PyClient> {
        let mut opts = crate::client::options(None, region, endpoint_url, None, timeout, retries, retry_mode, None)?;
        opts.credentials = Some(self.0.clone());
        if let Some(r) = &self.1 {
            opts.ca_bundle = r.client.ca_bundle().map(std::path::Path::to_path_buf);
            let sdk = r.client.sdk();
            if opts.endpoint_url.is_none() {
                opts.endpoint_url = sdk.endpoint_url().map(str::to_string);
            }
            if opts.region.is_none() {
                opts.region = r.client.region().map(str::to_string);
            }
            let source = r.clone();
            let options: aws::assume::OptionsSource = Arc::new(move || {
                Python::attach(|py| source.options(py))
                    .map_err(|e| aws::Error::InvalidArgument(format!("refreshing the credentials: {e}")))
            });
            let provider =
                aws::assume::AssumeRoleProvider::new(r.client.clone(), r.role.clone(), options, self.0.clone());
            opts.credentials_provider = Some(aws_credential_types::provider::SharedCredentialsProvider::new(provider));
        }
        Ok(crate::client::PyClient {
            inner: crate::client::connect(py, opts)?,
        })
    }

    /// The CA bundle of the client that assumed these credentials (None: the system's store);
    /// `boto3_session()` hands it to boto3, so both trust the same servers.
    #[getter]
    fn ca_bundle(&self) -> Option<std::path::PathBuf> {
        self.1
            .as_ref()
            .and_then(|r| r.client.ca_bundle().map(std::path::Path::to_path_buf))
    }

    /// A boto3 Session using these credentials; refreshed through rolekit before they expire.
    #[pyo3(signature = (region=None))]
    fn boto3_session<'py>(
        slf: &Bound<'py, Self>,
        #[pyo3(from_py_with = arg)] region: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        py.import("rolekit._boto3")?.call_method1("session", (slf, region))
    }

    fn __repr__(&self) -> String {
        let mut s = format!("Credentials(access_key_id={}", pyrepr(&self.0.masked_key_id()));
        if let Some(role) = &self.0.role_arn {
            s.push_str(&format!(", role_arn={}", pyrepr(role)));
        }
        if let Some(exp) = self.expiration() {
            s.push_str(&format!(
                ", expiration={}",
                pyrepr(&exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            ));
        }
        s.push(')');
        s
    }
    fn __str__(&self) -> String {
        self.__repr__()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyCredentials>().is_ok_and(|o| o.get().0 == self.0)
    }
    fn _repr_html_(&self) -> String {
        let mut rows = vec![
            ("access key id", self.0.masked_key_id()),
            ("secret access key", "****".to_string()),
        ];
        if self.0.session_token.is_some() {
            rows.push(("session token", "****".to_string()));
        }
        if let Some(role) = &self.0.role_arn {
            rows.push(("role", role.clone()));
        }
        if let Some(exp) = self.expiration() {
            rows.push(("expires", exp.to_rfc3339()));
        }
        table("Credentials", &rows)
    }
    #[allow(clippy::unused_self)]
    fn __reduce__(&self) -> PyResult<()> {
        Err(crate::errors::invalid_type(
            "Credentials cannot be pickled: that would write the secret key to disk",
        ))
    }
}

/// Accept a `Credentials` or a mapping with access_key_id / secret_access_key / session_token
/// (AWS's `AccessKeyId` / `SecretAccessKey` / `SessionToken` spelling too).
pub fn extract_credentials(obj: &Bound<'_, PyAny>) -> PyResult<aws::Credentials> {
    if let Ok(c) = obj.cast::<PyCredentials>() {
        return Ok(c.get().0.clone());
    }
    let Ok(map) = obj.cast::<PyMapping>() else {
        return Err(crate::errors::invalid_type(format!(
            "credentials must be rolekit.Credentials or a mapping, not {}",
            obj.get_type().name()?
        )));
    };
    let get = |names: &[&str]| -> PyResult<Option<String>> {
        for n in names {
            if map.contains(*n)? {
                let v = map.get_item(*n)?;
                if v.is_none() {
                    return Ok(None);
                }
                return Ok(Some(v.extract::<String>().map_err(|_| {
                    crate::errors::invalid_type(format!("credentials[{n:?}] must be a string"))
                })?));
            }
        }
        Ok(None)
    };
    let key = get(&["access_key_id", "AccessKeyId", "aws_access_key_id"])?;
    let secret = get(&["secret_access_key", "SecretAccessKey", "aws_secret_access_key"])?;
    let token = get(&["session_token", "SessionToken", "aws_session_token"])?;
    match (key, secret) {
        (Some(k), Some(s)) if !k.is_empty() && !s.is_empty() => Ok(aws::Credentials::new(k, s, token)),
        _ => Err(crate::errors::invalid(
            "credentials mapping needs non-empty 'access_key_id' and 'secret_access_key'",
        )),
    }
}
