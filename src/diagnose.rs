//! `Diagnosis` and `Problem`: `rolekit_aws::diagnose` results as Python objects (conversion only;
//! the causes and fixes are written in the pure crate).

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::{json, Value};

use crate::eval::PyDecision;
use crate::html::{self, escape, CELL};
use crate::policy::PyPolicy;
use rolekit_aws::diagnose::{Check, Diagnosis, Fix, Unread};
use rolekit_policy::jobs::{self, Party};

fn party(p: Party) -> &'static str {
    match p {
        Party::Caller => "caller",
        Party::Service => "service",
        Party::Role => "role",
    }
}

/// A fix as Python shows it: a policy holding the statement, or a sentence.
fn fix_object(py: Python<'_>, fix: &Fix) -> PyResult<Py<PyAny>> {
    match fix {
        Fix::Identity { statement, .. } | Fix::Trust { statement, .. } => {
            let doc = json!({ "Version": "2012-10-17", "Statement": [statement] });
            Ok(Py::new(py, PyPolicy::from_value(&doc))?.into_any())
        }
        Fix::Text(t) => Ok(pyo3::types::PyString::new(py, t).into_any().unbind()),
    }
}

/// Where a fix goes, in words.
fn fix_target(fix: &Fix) -> Option<String> {
    match fix {
        Fix::Identity { to, .. } => Some(format!("the identity-based policies of {to}")),
        Fix::Trust { role, .. } => Some(format!("the trust policy of {role}")),
        Fix::Text(_) => None,
    }
}

/// One finding of a diagnosis: a request that is denied (`kind == "denied"`), or something
/// rolekit could not read (`kind == "unread"`, with no decision).
#[pyclass(frozen, module = "rolekit._rolekit", name = "Problem")]
pub struct PyProblem {
    kind: &'static str,
    check: Option<Arc<Check>>,
    unread: Option<Unread>,
}

#[pymethods]
impl PyProblem {
    /// "denied" or "unread".
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }
    /// Who makes the request: "caller", "service" (SageMaker assuming the role) or "role"; None when unread.
    #[getter]
    fn party(&self) -> Option<&'static str> {
        self.check.as_ref().map(|c| party(c.party))
    }
    /// Who is denied (an ARN, or a service such as sagemaker.amazonaws.com); None when unread.
    #[getter]
    fn principal(&self) -> Option<&str> {
        self.check.as_ref().map(|c| c.principal.as_str())
    }
    #[getter]
    fn action(&self) -> Option<&str> {
        self.check.as_ref().map(|c| c.action.as_str())
    }
    #[getter]
    fn resource(&self) -> Option<&str> {
        self.check.as_ref().map(|c| c.resource.as_str())
    }
    /// What the request is for ("read input s3://data/train/").
    #[getter]
    fn purpose(&self) -> Option<&str> {
        self.check.as_ref().map(|c| c.purpose.as_str())
    }
    /// The AWS documentation page that says the request is needed.
    #[getter]
    fn doc(&self) -> Option<&str> {
        self.check.as_ref().and_then(|c| c.doc)
    }
    /// The `Decision`, with its explanation; None when unread.
    #[getter]
    fn decision(&self) -> Option<PyDecision> {
        self.check.as_deref().map(PyDecision::from_check)
    }
    /// One sentence: which policy and statement decides it (or what could not be read).
    #[getter]
    fn cause(&self) -> String {
        match (&self.check, &self.unread) {
            (Some(c), _) => c.cause.clone().unwrap_or_default(),
            (None, Some(u)) => format!("rolekit could not read {}: {}", u.what, u.why),
            (None, None) => String::new(),
        }
    }
    /// The statement to add (a `Policy`), or what to change (text), or None when rolekit cannot know.
    #[getter]
    fn fix(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.check
            .as_ref()
            .and_then(|c| c.fix.as_ref())
            .map(|f| fix_object(py, f))
            .transpose()
    }
    /// Where the fix goes ("the trust policy of arn:..."), when it is a statement.
    #[getter]
    fn fix_target(&self) -> Option<String> {
        self.check.as_ref().and_then(|c| c.fix.as_ref()).and_then(fix_target)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.kind)?;
        d.set_item("party", self.party())?;
        d.set_item("principal", self.principal())?;
        d.set_item("action", self.action())?;
        d.set_item("resource", self.resource())?;
        d.set_item("purpose", self.purpose())?;
        d.set_item("cause", self.cause())?;
        let fix: Option<Value> = self.check.as_ref().and_then(|c| c.fix.as_ref()).map(|f| match f {
            Fix::Identity { statement, .. } | Fix::Trust { statement, .. } => statement.clone(),
            Fix::Text(t) => Value::String(t.clone()),
        });
        d.set_item("fix", fix.map(|f| f.to_string()))?;
        d.set_item("fix_target", self.fix_target())?;
        d.set_item("decision", self.check.as_ref().map(|c| c.decision.verdict.as_str()))?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!("Problem({}, {})", html::pyrepr(self.kind), html::pyrepr(&self.cause()))
    }
    fn __str__(&self) -> String {
        self.cause()
    }
}

/// The outcome of `Client.diagnose_assume` / `Client.sagemaker_check`.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Diagnosis")]
pub struct PyDiagnosis {
    pub inner: Arc<Diagnosis>,
    checks: Vec<Arc<Check>>,
}

impl PyDiagnosis {
    pub fn new(inner: Arc<Diagnosis>) -> Self {
        let checks = inner.checks.iter().cloned().map(Arc::new).collect();
        Self { inner, checks }
    }

    fn problem_list(&self) -> Vec<PyProblem> {
        let mut out: Vec<PyProblem> = self
            .checks
            .iter()
            .filter(|c| !c.allowed())
            .map(|c| PyProblem {
                kind: "denied",
                check: Some(c.clone()),
                unread: None,
            })
            .collect();
        out.extend(self.inner.unread.iter().map(|u| PyProblem {
            kind: "unread",
            check: None,
            unread: Some(u.clone()),
        }));
        out
    }

    fn fix_document(&self) -> Option<Value> {
        self.inner.fix_policy()
    }
}

#[pymethods]
impl PyDiagnosis {
    /// True when every request is allowed and everything needed was read.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.ok()
    }
    /// What was diagnosed.
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }
    /// The denied requests and what could not be read (`Problem`s).
    #[getter]
    fn problems(&self) -> Vec<PyProblem> {
        self.problem_list()
    }
    /// The requests that are allowed: dicts with principal, action, resource, purpose.
    #[getter]
    fn passed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for c in self.checks.iter().filter(|c| c.allowed()) {
            let d = PyDict::new(py);
            d.set_item("principal", &c.principal)?;
            d.set_item("action", &c.action)?;
            d.set_item("resource", &c.resource)?;
            d.set_item("purpose", &c.purpose)?;
            list.append(d)?;
        }
        Ok(list)
    }
    /// Seconds the reads took (concurrent, wall time) and the offline decisions after them
    /// (`sagemaker_check`; zero elsewhere): {"read": s, "decide": s}.
    #[getter]
    fn timings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("read", self.inner.read_time.as_secs_f64())?;
        d.set_item("decide", self.inner.decide_time.as_secs_f64())?;
        Ok(d)
    }
    /// Things to know that are not problems.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.inner.notes.clone()
    }
    /// The smallest `Policy` that, added to the role, clears the role's problems an Allow can
    /// clear; None when there are none.
    fn fix_policy(&self) -> Option<PyPolicy> {
        self.fix_document().map(|d| PyPolicy::from_value(&d))
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("subject", &self.inner.subject)?;
        d.set_item("ok", self.inner.ok())?;
        let problems = PyList::empty(py);
        for p in self.problem_list() {
            problems.append(p.to_dict(py)?)?;
        }
        d.set_item("problems", problems)?;
        d.set_item("passed", self.passed(py)?)?;
        d.set_item("notes", self.inner.notes.clone())?;
        d.set_item("fix_policy", self.fix_document().map(|v| v.to_string()))?;
        Ok(d)
    }
    fn __bool__(&self) -> bool {
        self.inner.ok()
    }
    fn __repr__(&self) -> String {
        format!(
            "Diagnosis(ok={}, problems={}, subject={})",
            if self.inner.ok() { "True" } else { "False" },
            self.problem_list().len(),
            html::pyrepr(&self.inner.subject)
        )
    }
    /// Plain text: the subject, then one problem a line (or that all is well).
    fn __str__(&self) -> String {
        let mut out = format!("{}: ", self.inner.subject);
        let lines = self.inner.lines();
        if lines.is_empty() {
            out.push_str(&format!("ok ({} checks passed)", self.checks.len()));
        } else {
            out.push_str(&format!(
                "{} problem{}",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" }
            ));
            for l in lines {
                out.push_str("\n- ");
                out.push_str(&l);
            }
        }
        for n in &self.inner.notes {
            out.push_str("\nnote: ");
            out.push_str(n);
        }
        out
    }
    fn _repr_html_(&self) -> String {
        let mut out = format!(
            "<div class=\"rolekit\"><b>{}</b> <span style=\"color:{}\">{}</span>",
            escape(&self.inner.subject),
            if self.inner.ok() { "#2e7d32" } else { "#c62828" },
            if self.inner.ok() { "OK" } else { "PROBLEMS" }
        );
        out.push_str(&format!(
            "<table class=\"rolekit\"><tr><th style=\"{CELL}\"></th><th style=\"{CELL}\">who</th>\
             <th style=\"{CELL}\">request</th><th style=\"{CELL}\">for</th><th style=\"{CELL}\">why</th></tr>"
        ));
        for c in &self.checks {
            let (mark, colour) = if c.allowed() {
                ("✔", "#2e7d32")
            } else {
                ("✘", "#c62828")
            };
            out.push_str(&format!(
                "<tr style=\"color:{colour}\"><td style=\"{CELL}\">{mark}</td><td style=\"{CELL}\"><code>{}</code></td>\
                 <td style=\"{CELL}\"><code>{}</code> on <code>{}</code></td><td style=\"{CELL}\">{}</td>\
                 <td style=\"{CELL}\">{}</td></tr>",
                escape(&c.principal),
                escape(&c.action),
                escape(&c.resource),
                escape(&c.purpose),
                escape(c.cause.as_deref().unwrap_or("allowed"))
            ));
        }
        for u in &self.inner.unread {
            out.push_str(&format!(
                "<tr style=\"color:#ef6c00\"><td style=\"{CELL}\">?</td><td style=\"{CELL}\" colspan=\"4\">rolekit could \
                 not read {}: {}</td></tr>",
                escape(&u.what),
                escape(&u.why)
            ));
        }
        out.push_str("</table>");
        for n in &self.inner.notes {
            out.push_str(&format!("<p><i>note: {}</i></p>", escape(n)));
        }
        if let Some(doc) = self.fix_document() {
            let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default();
            out.push_str("<p><b>fix_policy()</b>: add to the role</p>");
            out.push_str(&html::json(&pretty));
        }
        out.push_str("</div>");
        out
    }
}

/// `sagemaker_check`'s keyword arguments as a job.
#[allow(clippy::too_many_arguments)]
pub fn job_check(
    py: Python<'_>,
    inputs: Option<&Bound<'_, PyAny>>,
    output: Option<String>,
    image: Option<String>,
    kms_keys: Option<&Bound<'_, PyAny>>,
    vpc: Option<&Bound<'_, PyAny>>,
    job: &str,
    job_name: Option<String>,
    scps: Option<&Bound<'_, PyAny>>,
    management_account: bool,
) -> PyResult<rolekit_aws::diagnose::JobCheck> {
    use rolekit_policy::sagemaker::S3Location;
    let invalid = crate::errors::invalid;
    let kind = jobs::JobKind::parse(job).map_err(invalid)?;
    // `inputs=()` and `kms_keys=[]` mean none (the keyword defaults of the signature users read).
    let listed = |obj: Option<&Bound<'_, PyAny>>, what: &str| -> PyResult<Vec<String>> {
        match obj {
            Some(o) if !o.is_none() && !o.is_instance_of::<pyo3::types::PyString>() && o.len().ok() == Some(0) => {
                Ok(Vec::new())
            }
            other => crate::sagemaker::optional(other, what),
        }
    };
    let inputs = listed(inputs, "inputs")?
        .iter()
        .map(|s| S3Location::parse(s).map_err(|e| invalid(format!("inputs: {e}"))))
        .collect::<PyResult<Vec<_>>>()?;
    let output = output
        .map(|o| S3Location::parse(&o).map_err(|e| invalid(format!("output: {e}"))))
        .transpose()?;
    let image = image.map(|i| jobs::Image::parse(&i).map_err(invalid)).transpose()?;
    let kms_keys = listed(kms_keys, "kms_keys")?;
    if let Some(bad) = kms_keys.iter().find(|k| !k.starts_with("arn:")) {
        return Err(invalid(format!(
            "kms_keys: give each key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got {bad:?}"
        )));
    }
    let vpc = match vpc {
        Some(v) => v.is_truthy()?,
        None => false,
    };
    let name = job_name.unwrap_or_else(|| "rolekit-check".to_string());
    let name_ok = (1..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-');
    if !name_ok {
        return Err(invalid(format!(
            "job_name {name:?}: SageMaker names are 1-63 letters, digits and hyphens, not starting with a hyphen"
        )));
    }
    let levels = match scps.filter(|s| !s.is_none()) {
        Some(obj) => {
            let mut out = Vec::new();
            for level in crate::args::iterate(obj, "scps")? {
                let mut docs = Vec::new();
                for p in crate::args::iterate(&level?, "each level of scps")? {
                    docs.push(crate::iam::document(py, &p?, "scps")?.to_string());
                }
                out.push(docs);
            }
            out
        }
        None => Vec::new(),
    };
    Ok(rolekit_aws::diagnose::JobCheck {
        job: jobs::Job {
            kind,
            name,
            inputs,
            output,
            image,
            kms_keys,
            vpc,
        },
        scps: levels,
        management_account,
    })
}
