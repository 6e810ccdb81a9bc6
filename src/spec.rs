//! `RoleSpec`, `Plan`, `Fleet` and `FleetPlan`: `rolekit_aws::spec` / `plan` / `fleet` as Python
//! objects (conversion only).

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::args::{arg, text};
use crate::html::{self, escape, CELL};
use crate::policy::PyPolicy;
use rolekit_aws::fleet::FleetOptions;
use rolekit_aws::plan::{AccountPlan, Status};
use rolekit_aws::spec::SpecFile;
use rolekit_aws::{self as aws};

/// Roles and customer managed policies as code: a TOML spec, loaded and checked.
#[pyclass(frozen, module = "rolekit._rolekit", name = "RoleSpec")]
pub struct PyRoleSpec {
    pub inner: Arc<SpecFile>,
}

#[pymethods]
impl PyRoleSpec {
    /// Read and check the spec file at `path`; every problem at once, each with its
    /// file:line:column, in one SpecError.
    #[staticmethod]
    fn load(py: Python<'_>, #[pyo3(from_py_with = arg)] path: PathBuf) -> PyResult<Self> {
        let spec = crate::runtime::compute(py, || SpecFile::load(&path))?.map_err(crate::errors::Error::from)?;
        Ok(Self { inner: Arc::new(spec) })
    }

    /// Check a spec given as text; JSON files it names are found under `base` (a file's folder,
    /// or a folder), else the current folder.
    #[staticmethod]
    #[pyo3(signature = (text, base=None))]
    fn from_toml(
        py: Python<'_>,
        #[pyo3(from_py_with = text)] text: &str,
        #[pyo3(from_py_with = arg)] base: Option<PathBuf>,
    ) -> PyResult<Self> {
        let (source, folder) = match &base {
            Some(b) if b.is_file() => (
                b.display().to_string(),
                b.parent().map(PathBuf::from).unwrap_or_default(),
            ),
            Some(b) => ("<spec>".to_string(), b.clone()),
            None => ("<spec>".to_string(), PathBuf::from(".")),
        };
        let spec = crate::runtime::compute(py, || SpecFile::parse(text, &source, &folder))?
            .map_err(crate::errors::Error::from)?;
        Ok(Self { inner: Arc::new(spec) })
    }

    /// Where the spec was read from.
    #[getter]
    fn source(&self) -> &str {
        &self.inner.source
    }

    /// The roles: dicts with ensure_role's keyword names (documents as Policy objects).
    #[getter]
    fn roles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for r in &self.inner.roles {
            let s = &r.spec;
            let d = PyDict::new(py);
            d.set_item("name", &s.name)?;
            d.set_item("trust", PyPolicy::from_value(&s.trust))?;
            d.set_item("description", &s.description)?;
            d.set_item("path", &s.path)?;
            d.set_item("max_session_duration", s.max_session_duration)?;
            d.set_item("permissions_boundary", &s.permissions_boundary)?;
            let tags = s
                .tags
                .as_ref()
                .map(|t| t.iter().cloned().collect::<std::collections::BTreeMap<_, _>>());
            d.set_item("tags", tags)?;
            d.set_item("managed_policies", &s.managed_policies)?;
            let inline = PyDict::new(py);
            for (n, doc) in s.inline_policies.iter().flatten() {
                inline.set_item(n, PyPolicy::from_value(doc))?;
            }
            d.set_item("inline_policies", inline)?;
            d.set_item("exclusive", s.exclusive)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The customer managed policies: dicts with put_policy's names.
    #[getter]
    fn policies<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for p in &self.inner.policies {
            let d = PyDict::new(py);
            d.set_item("name", &p.name)?;
            d.set_item("policy", PyPolicy::from_value(&p.document))?;
            d.set_item("description", &p.description)?;
            d.set_item("path", &p.path)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The spec as a CloudFormation template (YAML): AWS::IAM::Role and AWS::IAM::ManagedPolicy.
    fn to_cloudformation(&self) -> String {
        self.inner.to_cloudformation()
    }

    fn __repr__(&self) -> String {
        format!(
            "RoleSpec({}, roles={}, policies={})",
            html::pyrepr(&self.inner.source),
            html::pyrepr_list(&self.inner.roles.iter().map(|r| r.spec.name.clone()).collect::<Vec<_>>()),
            html::pyrepr_list(&self.inner.policies.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
        )
    }
}

/// A spec against one account: `Client.plan` / `Client.apply`, or one entry of a `FleetPlan`.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Plan")]
pub struct PyPlan(pub AccountPlan);

#[pymethods]
impl PyPlan {
    #[getter]
    fn account(&self) -> &str {
        &self.0.account
    }
    /// "in sync", "changes", "drift", "unreachable", "denied", "applied", "failed" or "skipped".
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }
    #[getter]
    fn in_sync(&self) -> bool {
        self.0.status == Status::InSync
    }
    /// What applying writes (or, after apply, what was due).
    #[getter]
    fn changes(&self) -> Vec<String> {
        self.0.items.iter().flat_map(|i| i.changes.iter().cloned()).collect()
    }
    /// What was changed by hand since the last apply (reverted by apply only for exclusive roles).
    #[getter]
    fn drift(&self) -> Vec<String> {
        self.0.items.iter().flat_map(|i| i.drift.iter().cloned()).collect()
    }
    /// What an apply wrote (also when it failed part way).
    #[getter]
    fn applied(&self) -> Vec<String> {
        self.0.applied.clone()
    }
    /// Why the account is unreachable, denied, failed or skipped.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Per role and policy: dicts with kind, name, changes, drift, reverts_drift.
    #[getter]
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for i in &self.0.items {
            let d = PyDict::new(py);
            d.set_item("kind", i.kind)?;
            d.set_item("name", &i.name)?;
            d.set_item("changes", i.changes.clone())?;
            d.set_item("drift", i.drift.clone())?;
            d.set_item("reverts_drift", i.reverts_drift)?;
            list.append(d)?;
        }
        Ok(list)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("account", &self.0.account)?;
        d.set_item("status", self.status())?;
        d.set_item("changes", self.changes())?;
        d.set_item("drift", self.drift())?;
        d.set_item("applied", self.applied())?;
        d.set_item("reason", self.reason())?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "Plan(account={}, status={}, changes={}, drift={})",
            html::pyrepr(&self.0.account),
            html::pyrepr(self.status()),
            self.changes().len(),
            self.drift().len()
        )
    }
    fn __str__(&self) -> String {
        plan_text(&self.0)
    }
    fn _repr_html_(&self) -> String {
        plans_html(std::slice::from_ref(&self.0))
    }
}

/// One account's plan as text: a status line, then a line per change, drift or reason.
fn plan_text(p: &AccountPlan) -> String {
    let mut out = format!("{}: {}", p.account, p.status.as_str());
    for l in p.lines() {
        out.push_str("\n  ");
        out.push_str(&l);
    }
    for l in &p.applied {
        out.push_str("\n  applied: ");
        out.push_str(l);
    }
    if let Some(r) = &p.reason {
        out.push_str("\n  ");
        out.push_str(r);
    }
    out
}

fn colour(s: Status) -> &'static str {
    match s {
        Status::InSync | Status::Applied => "#2e7d32",
        Status::Changes => "#1565c0",
        Status::Drift | Status::Skipped => "#ef6c00",
        Status::Unreachable | Status::Denied | Status::Failed => "#c62828",
    }
}

fn plans_html(plans: &[AccountPlan]) -> String {
    let mut out = format!(
        "<table class=\"rolekit\"><tr><th style=\"{CELL}\">account</th><th style=\"{CELL}\">status</th>\
         <th style=\"{CELL}\">details</th></tr>"
    );
    for p in plans {
        let mut details: Vec<String> = p.lines();
        details.extend(p.applied.iter().map(|a| format!("applied: {a}")));
        details.extend(p.reason.iter().cloned());
        out.push_str(&format!(
            "<tr><td style=\"{CELL}\"><code>{}</code></td><td style=\"{CELL};color:{}\"><b>{}</b></td>\
             <td style=\"{CELL}\">{}</td></tr>",
            escape(&p.account),
            colour(p.status),
            p.status.as_str(),
            details.iter().map(|d| escape(d)).collect::<Vec<_>>().join("<br>")
        ));
    }
    out.push_str("</table>");
    out
}

/// A spec across accounts: one `Plan` per account, in account order.
#[pyclass(frozen, module = "rolekit._rolekit", name = "FleetPlan")]
pub struct PyFleetPlan(pub Vec<AccountPlan>);

#[pymethods]
impl PyFleetPlan {
    /// Every account in sync.
    #[getter]
    fn in_sync(&self) -> bool {
        self.0.iter().all(|p| p.status == Status::InSync)
    }
    /// How many accounts are in each status.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for p in &self.0 {
            let k = p.status.as_str();
            let n: usize = d.get_item(k)?.map_or(Ok(0), |v| v.extract())?;
            d.set_item(k, n + 1)?;
        }
        Ok(d)
    }
    fn __len__(&self) -> usize {
        self.0.len()
    }
    fn __getitem__(&self, index: isize) -> PyResult<PyPlan> {
        let n = isize::try_from(self.0.len()).unwrap_or(isize::MAX);
        let i = if index < 0 { index + n } else { index };
        usize::try_from(i)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|p| PyPlan(p.clone()))
            .ok_or_else(|| pyo3::exceptions::PyIndexError::new_err("FleetPlan index out of range"))
    }
    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items: Vec<PyPlan> = self.0.iter().cloned().map(PyPlan).collect();
        Ok(PyList::new(py, items)?.call_method0("__iter__")?.unbind())
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("in_sync", self.in_sync())?;
        let list = PyList::empty(py);
        for p in &self.0 {
            list.append(PyPlan(p.clone()).to_dict(py)?)?;
        }
        d.set_item("accounts", list)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "FleetPlan({} accounts, {})",
            self.0.len(),
            self.counts(py)?.repr()?
        ))
    }
    fn __str__(&self) -> String {
        self.0.iter().map(plan_text).collect::<Vec<_>>().join("\n")
    }
    fn _repr_html_(&self) -> String {
        plans_html(&self.0)
    }
}

/// One role spec across accounts: each reached by assuming `role` in it (the caller's own account
/// with its own credentials), `concurrency` at a time, every request drawing on one shared rate
/// limit. `accounts=[...]`, or `organization=True` (the organization's active accounts, under
/// `ou` when given) from the management account.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Fleet")]
pub struct PyFleet {
    client: Arc<aws::Client>,
    options: FleetOptions,
}

#[pymethods]
impl PyFleet {
    #[new]
    #[pyo3(signature = (*, accounts=None, organization=false, ou=None, role="OrganizationAccountAccessRole", external_id=None, concurrency=16, client=None))]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = arg)] accounts: Option<Vec<String>>,
        #[pyo3(from_py_with = arg)] organization: bool,
        #[pyo3(from_py_with = arg)] ou: Option<String>,
        #[pyo3(from_py_with = text)] role: &str,
        #[pyo3(from_py_with = arg)] external_id: Option<String>,
        #[pyo3(from_py_with = arg)] concurrency: usize,
        #[pyo3(from_py_with = arg)] client: Option<Bound<'_, crate::client::PyClient>>,
    ) -> PyResult<Self> {
        if organization == accounts.is_some() {
            return Err(crate::errors::invalid(
                "give accounts=[...] or organization=True (one of them)",
            ));
        }
        if ou.is_some() && !organization {
            return Err(crate::errors::invalid("ou= needs organization=True"));
        }
        if !(1..=256).contains(&concurrency) {
            return Err(crate::errors::invalid("concurrency must be 1..256"));
        }
        aws::names::check_role_ref(role).map_err(crate::errors::Error::from)?;
        let client = match client {
            Some(c) => c.get().inner.clone(),
            None => crate::client::connect(py, aws::ClientOptions::default())?,
        };
        Ok(Self {
            client,
            options: FleetOptions {
                accounts: accounts.unwrap_or_default(),
                organization,
                ou,
                role: role.to_string(),
                external_id,
                concurrency,
                progress: Some(crate::iam::progress_on_stderr()),
            },
        })
    }

    /// The fleet's account ids (listing the organization when asked).
    fn accounts(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let (client, options) = (self.client.clone(), self.options.clone());
        crate::runtime::block_on(py, async move { Ok(client.fleet_accounts(&options).await?) })
    }

    /// What applying `spec` would do in each account, and what drifted; nothing is written.
    fn plan(&self, py: Python<'_>, #[pyo3(from_py_with = arg)] spec: PyRef<'_, PyRoleSpec>) -> PyResult<PyFleetPlan> {
        let (client, options, spec) = (self.client.clone(), self.options.clone(), spec.inner.clone());
        crate::runtime::block_on(py, async move {
            Ok(PyFleetPlan(
                Box::pin(client.fleet_run(&spec, &options, false, 0)).await?,
            ))
        })
    }

    /// Apply `spec` where the plan has changes (and revert drift on exclusive roles); no new
    /// account starts once more than `max_failures` have failed. A failed account says what was
    /// applied there; a re-run converges.
    #[pyo3(signature = (spec, max_failures=0))]
    fn apply(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = arg)] spec: PyRef<'_, PyRoleSpec>,
        #[pyo3(from_py_with = arg)] max_failures: usize,
    ) -> PyResult<PyFleetPlan> {
        let (client, options, spec) = (self.client.clone(), self.options.clone(), spec.inner.clone());
        crate::runtime::block_on(py, async move {
            Ok(PyFleetPlan(
                Box::pin(client.fleet_run(&spec, &options, true, max_failures)).await?,
            ))
        })
    }

    fn __repr__(&self) -> String {
        if self.options.organization {
            format!(
                "Fleet(organization=True, ou={}, role={})",
                self.options.ou.as_deref().map_or("None".into(), html::pyrepr),
                html::pyrepr(&self.options.role)
            )
        } else {
            format!(
                "Fleet(accounts={}, role={})",
                html::pyrepr_list(&self.options.accounts),
                html::pyrepr(&self.options.role)
            )
        }
    }
}
