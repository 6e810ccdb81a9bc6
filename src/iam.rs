//! Value classes for IAM operations (Role, RoleChange, ManagedPolicy, AwsManaged) and the
//! argument conversions `Client` / `AsyncClient` share.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString};

use crate::args::arg;
use crate::html::{pyrepr, pyrepr_list, table};
use crate::policy::PyPolicy;
use rolekit_aws::{
    self as aws,
    assume::AssumeOptions,
    policies::ManagedPolicy,
    roles::{RoleChange, RoleInfo, RoleSpec},
};

fn dt(t: Option<SystemTime>) -> Option<DateTime<Utc>> {
    t.map(DateTime::<Utc>::from)
}

fn policy_from_text(py: Python<'_>, text: &str) -> PyResult<PyPolicy> {
    PyPolicy::from_any(py, PyString::new(py, text).as_any())
}

/// A role as IAM describes it.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Role")]
pub struct PyRole(pub RoleInfo);

#[pymethods]
impl PyRole {
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    #[getter]
    fn arn(&self) -> &str {
        &self.0.arn
    }
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }
    #[getter]
    fn role_id(&self) -> &str {
        &self.0.role_id
    }
    #[getter]
    fn trust_policy(&self, py: Python<'_>) -> PyResult<PyPolicy> {
        policy_from_text(py, &self.0.trust_policy)
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    #[getter]
    fn max_session_duration(&self) -> i32 {
        self.0.max_session_duration
    }
    #[getter]
    fn permissions_boundary(&self) -> Option<&str> {
        self.0.permissions_boundary.as_deref()
    }
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.0.tags {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
    /// ARNs of the attached managed policies.
    #[getter]
    fn attached_policies(&self) -> Vec<String> {
        self.0.attached_policies.iter().map(|(_, a)| a.clone()).collect()
    }
    /// Inline policies by name.
    #[getter]
    fn inline_policies<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.0.inline_policies {
            d.set_item(k, policy_from_text(py, v)?)?;
        }
        Ok(d)
    }
    #[getter]
    fn created(&self) -> Option<DateTime<Utc>> {
        dt(self.0.created)
    }
    #[getter]
    fn last_used(&self) -> Option<DateTime<Utc>> {
        dt(self.0.last_used)
    }
    fn __repr__(&self) -> String {
        format!("Role(name={}, arn={})", pyrepr(&self.0.name), pyrepr(&self.0.arn))
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let attached = self
            .0
            .attached_policies
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let inline = self
            .0
            .inline_policies
            .iter()
            .map(|(n, _)| n.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let head = table(
            "Role",
            &[
                ("name", self.0.name.clone()),
                ("arn", self.0.arn.clone()),
                ("managed policies", attached),
                ("inline policies", inline),
                ("max session", format!("{} s", self.0.max_session_duration)),
            ],
        );
        // The trust policy as every policy shows itself: a line per statement, then the document.
        let trust = policy_from_text(py, &self.0.trust_policy)?.html()?;
        Ok(format!("{head}<div><b>trust policy</b></div>{trust}"))
    }
}

/// What `ensure_role` / `plan_role` did or would do.
#[pyclass(frozen, module = "rolekit._rolekit", name = "RoleChange")]
pub struct PyRoleChange(pub RoleChange);

#[pymethods]
impl PyRoleChange {
    #[getter]
    fn created(&self) -> bool {
        self.0.created
    }
    #[getter]
    fn changed(&self) -> bool {
        self.0.changed
    }
    /// Human-readable lines, one per write.
    #[getter]
    fn changes(&self) -> Vec<String> {
        self.0.changes.clone()
    }
    /// The role after the change (for a plan: as it is now; None when it does not exist yet).
    #[getter]
    fn role(&self) -> Option<PyRole> {
        self.0.role.clone().map(PyRole)
    }
    fn __repr__(&self) -> String {
        format!(
            "RoleChange(created={}, changed={}, changes={})",
            if self.0.created { "True" } else { "False" },
            if self.0.changed { "True" } else { "False" },
            pyrepr_list(&self.0.changes)
        )
    }
    fn _repr_html_(&self) -> String {
        let what = if self.0.changes.is_empty() {
            "no change".to_string()
        } else {
            self.0.changes.join("; ")
        };
        table(
            "RoleChange",
            &[("created", self.0.created.to_string()), ("changes", what)],
        )
    }
}

/// A customer managed policy and its default version.
#[pyclass(frozen, module = "rolekit._rolekit", name = "ManagedPolicy")]
pub struct PyManagedPolicy(pub ManagedPolicy);

#[pymethods]
impl PyManagedPolicy {
    #[getter]
    fn arn(&self) -> &str {
        &self.0.arn
    }
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    #[getter]
    fn version_id(&self) -> &str {
        &self.0.version_id
    }
    #[getter]
    fn changed(&self) -> bool {
        self.0.changed
    }
    #[getter]
    fn document(&self, py: Python<'_>) -> PyResult<PyPolicy> {
        policy_from_text(py, &self.0.document)
    }
    fn __repr__(&self) -> String {
        format!(
            "ManagedPolicy(arn={}, version_id={})",
            pyrepr(&self.0.arn),
            pyrepr(&self.0.version_id)
        )
    }
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let head = table(
            "ManagedPolicy",
            &[
                ("name", self.0.name.clone()),
                ("arn", self.0.arn.clone()),
                ("default version", self.0.version_id.clone()),
                ("changed by this call", self.0.changed.to_string()),
            ],
        );
        Ok(format!("{head}{}", self.document(py)?.html()?))
    }
}

/// An AWS managed policy by name, resolved to its ARN (and path) when used.
#[pyclass(frozen, module = "rolekit._rolekit", name = "AwsManaged")]
pub struct PyAwsManaged {
    #[pyo3(get)]
    name: String,
}

#[pymethods]
impl PyAwsManaged {
    fn __repr__(&self) -> String {
        format!("aws_managed({})", pyrepr(&self.name))
    }
}

/// `rolekit.aws_managed("AmazonSageMakerFullAccess")`.
#[pyfunction]
pub fn aws_managed(#[pyo3(from_py_with = arg)] name: String) -> Result<PyAwsManaged, crate::errors::Error> {
    aws::names::check_aws_managed_name(&name)?;
    Ok(PyAwsManaged { name })
}

/// How a policy argument names a managed policy.
pub enum PolicyRef {
    Arn(String),
    Customer(String),
    AwsManaged(String),
}

impl PolicyRef {
    pub fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(m) = obj.cast::<PyManagedPolicy>() {
            return Ok(Self::Arn(m.get().0.arn.clone()));
        }
        if let Ok(a) = obj.cast::<PyAwsManaged>() {
            return Ok(Self::AwsManaged(a.get().name.clone()));
        }
        let s: String = obj.extract().map_err(|_| {
            crate::errors::invalid_type(
                "a managed policy is a ManagedPolicy, an ARN, a policy name, or rolekit.aws_managed(name)",
            )
        })?;
        Ok(if s.starts_with("arn:") {
            Self::Arn(s)
        } else {
            Self::Customer(s)
        })
    }

    pub async fn resolve(self, client: &aws::Client) -> Result<String, aws::Error> {
        match self {
            Self::Arn(a) => Ok(a),
            Self::Customer(n) => client.customer_policy_arn(&n, "/").await,
            Self::AwsManaged(n) => client.aws_managed_arn(&n).await,
        }
    }
}

/// A policy document argument (Policy, JSON text, dict) as a JSON value.
/// Argument `what`, a policy in any form `Policy.from_json` takes, as JSON.
pub fn document(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<serde_json::Value> {
    let policy = PyPolicy::from_any(py, obj).map_err(crate::args::named(py, what))?;
    Ok(policy.inner.root.to_serde())
}

fn string_pairs(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Vec<(String, String)>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let map = obj
        .cast::<PyMapping>()
        .map_err(|_| crate::errors::invalid_type(format!("{what} must be a dict of str to str")))?;
    let mut out = Vec::new();
    for item in map.items()?.iter() {
        let (k, v): (String, String) = item
            .extract()
            .map_err(|_| crate::errors::invalid_type(format!("{what} must be a dict of str to str")))?;
        out.push((k, v));
    }
    Ok(Some(out))
}

/// Everything `ensure_role` / `plan_role` take, converted; policy names resolved later.
pub struct RoleArgs {
    pub spec: RoleSpec,
    pub managed: Option<Vec<PolicyRef>>,
}

impl RoleArgs {
    pub fn new(
        py: Python<'_>,
        name: String,
        trust: &Bound<'_, PyAny>,
        description: Option<String>,
        path: String,
        max_session_duration: Option<i32>,
        permissions_boundary: Option<&Bound<'_, PyAny>>,
        tags: Option<&Bound<'_, PyAny>>,
        managed_policies: Option<&Bound<'_, PyAny>>,
        inline_policies: Option<&Bound<'_, PyAny>>,
        exclusive: bool,
    ) -> PyResult<Self> {
        let boundary = match permissions_boundary.filter(|b| !b.is_none()) {
            Some(b) => Some(
                b.extract::<String>()
                    .map_err(|_| crate::errors::invalid_type("permissions_boundary is a policy ARN"))?,
            ),
            None => None,
        };
        let managed = match managed_policies.filter(|m| !m.is_none()) {
            Some(m) => Some(
                crate::args::iterate(m, "managed_policies")?
                    .map(|p| PolicyRef::extract(&p?))
                    .collect::<PyResult<Vec<_>>>()
                    .map_err(crate::args::named(py, "managed_policies"))?,
            ),
            None => None,
        };
        let inline = match inline_policies.filter(|m| !m.is_none()) {
            Some(m) => {
                let map = m
                    .cast::<PyMapping>()
                    .map_err(|_| crate::errors::invalid_type("inline_policies must be a dict of name to policy"))?;
                let mut out = Vec::new();
                for item in map.items()?.iter() {
                    let (k, v): (String, Bound<'_, PyAny>) = item.extract().map_err(|_| {
                        crate::errors::invalid_type("inline_policies must be a dict of name (a str) to policy")
                    })?;
                    out.push((k, document(py, &v, "inline_policies")?));
                }
                Some(out)
            }
            None => None,
        };
        Ok(Self {
            spec: RoleSpec {
                name,
                trust: document(py, trust, "trust")?,
                description,
                path,
                max_session_duration,
                permissions_boundary: boundary,
                tags: string_pairs(tags, "tags")?,
                managed_policies: None,
                inline_policies: inline,
                exclusive,
            },
            managed,
        })
    }

    /// Resolve managed policy names to ARNs.
    pub async fn resolve(self, client: &aws::Client) -> Result<RoleSpec, aws::Error> {
        let mut spec = self.spec;
        if let Some(refs) = self.managed {
            let mut arns = Vec::new();
            for r in refs {
                arns.push(r.resolve(client).await?);
            }
            spec.managed_policies = Some(arns);
        }
        Ok(spec)
    }
}

/// What `assume_role` needs to run again (refresh), with the MFA callable if one was given.
pub struct Refresher {
    pub client: Arc<aws::Client>,
    pub role: String,
    pub opts: AssumeOptions,
    pub mfa_token: Option<Py<PyAny>>,
}

impl Refresher {
    /// Options for the next call: a callable `mfa_token` is asked again.
    pub fn options(&self, py: Python<'_>) -> PyResult<AssumeOptions> {
        let mut opts = self.opts.clone();
        if let Some(cb) = &self.mfa_token {
            let cb = cb.bind(py);
            let code = if cb.is_callable() { cb.call0()? } else { cb.clone() };
            opts.mfa_token = Some(code.extract().map_err(|_| {
                crate::errors::invalid_type("mfa_token must be the MFA code (a str), or a callable that returns it")
            })?);
        }
        Ok(opts)
    }
}

/// Parse assume_role's keyword arguments.
pub fn assume_options(
    session_name: Option<String>,
    duration: i32,
    external_id: Option<String>,
    mfa_serial: Option<String>,
    policy: Option<serde_json::Value>,
    policy_arns: Option<Vec<String>>,
    tags: Option<&Bound<'_, PyAny>>,
    transitive_tag_keys: Option<Vec<String>>,
    source_identity: Option<String>,
    wait: Option<f64>,
) -> Result<AssumeOptions, crate::errors::Error> {
    let wait = wait
        .map(|w| aws::names::seconds("wait", w, 0.0, false, 3600.0))
        .transpose()?;
    Ok(AssumeOptions {
        session_name,
        duration,
        external_id,
        mfa_serial,
        mfa_token: None,
        policy: policy.map(|p| p.to_string()),
        policy_arns: policy_arns.unwrap_or_default(),
        tags: string_pairs(tags, "tags")?.unwrap_or_default(),
        transitive_tag_keys: transitive_tag_keys.unwrap_or_default(),
        source_identity,
        progress: wait.map(|_| progress_on_stderr()),
        wait,
    })
}

/// `wait=`'s progress on Python's `sys.stderr`: in a notebook (ipykernel's stream) one live line,
/// rewritten in place and ended when the wait ends; elsewhere (a terminal, a log file, a pipe) a
/// line per update, so a log reads as one.
pub(crate) fn progress_on_stderr() -> aws::assume::Progress {
    aws::assume::Progress(std::sync::Arc::new(|line: Option<&str>| {
        Python::attach(|py| {
            let Ok(stderr) = py.import("sys").and_then(|sys| sys.getattr("stderr")) else {
                return;
            };
            let notebook = stderr
                .get_type()
                .module()
                .is_ok_and(|m| m.to_string().starts_with("ipykernel"));
            let text = match (line, notebook) {
                (Some(l), false) => format!("rolekit: {l}\n"),
                (Some(l), true) => format!("\rrolekit: {l}"),
                (None, false) => return,
                (None, true) => "\n".to_string(),
            };
            // Progress is a courtesy: a closed or odd stderr must not fail the call.
            let _ = stderr.call_method1("write", (text,));
            let _ = stderr.call_method0("flush");
        });
    }))
}
