//! Python classes for the policy language: Policy, Statement, Report, Finding, and the catalog.

use std::sync::{Arc, OnceLock};

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyIterator, PyList, PyMapping, PyString, PyTuple};

use crate::args::{arg, opt_text, text};
use crate::errors::policy_error;
use crate::html::{self, pyrepr};
use rolekit_policy::eval::CompiledPolicy;
use rolekit_policy::json::{self, Node};
use rolekit_policy::validate::{self, Finding, Options, PathElem, PolicyKind, Severity};
use rolekit_policy::{build, catalog, Policy};

/// How deep a Python policy may nest (as for JSON text: IAM documents are shallow).
const MAX_DEPTH: usize = 64;

/// A Python value (dict/list/str/...) → serde_json value, walked in Rust: no recursion in Python,
/// a depth limit, and an error that names where the bad value is (`Statement.0.Resource`).
fn to_serde(obj: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    let mut path = Vec::new();
    convert(obj, &mut path)
}

/// Where a value sits, for messages: its path, or "the document" for the top.
fn place(path: &[PathElem]) -> String {
    if path.is_empty() {
        "the document".to_string()
    } else {
        validate::join_path(path)
    }
}

fn not_json(path: &[PathElem], why: String) -> PyErr {
    let at = place(path);
    let finding = Finding {
        severity: Severity::Error,
        code: "INVALID_JSON",
        message: format!("{at}: {why}"),
        path: path.to_vec(),
        pos: None,
        suggestion: None,
        iam_rejects: true,
        iam_message: Some("This policy contains invalid Json".into()),
    };
    policy_error(
        format!("the policy cannot be written as JSON: {at}: {why}"),
        vec![finding],
    )
}

fn convert(obj: &Bound<'_, PyAny>, path: &mut Vec<PathElem>) -> PyResult<serde_json::Value> {
    use pyo3::types::{PyBool, PyDict, PyFloat, PyInt};
    use serde_json::Value;
    if path.len() > MAX_DEPTH {
        return Err(not_json(path, format!("nested deeper than {MAX_DEPTH} levels")));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Value::from(v));
        }
        if let Ok(v) = i.extract::<u64>() {
            return Ok(Value::from(v));
        }
        return Err(not_json(path, "an integer too large for a policy".into()));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| not_json(path, format!("{v} is not a JSON number")));
    }
    if let Ok(st) = obj.cast::<PyStatement>() {
        return Ok(st.get().value.clone());
    }
    if let Ok(p) = obj.cast::<PyPolicy>() {
        return Ok(p.get().inner.root.to_serde());
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(not_json(
                    path,
                    format!("keys must be strings, found {} {}", k.get_type().name()?, k.repr()?),
                ));
            };
            let key = key.to_cow()?.into_owned();
            path.push(PathElem::Key(key.clone()));
            let value = convert(&v, path)?;
            path.pop();
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            path.push(PathElem::Index(i));
            items.push(convert(&item?, path)?);
            path.pop();
        }
        return Ok(Value::Array(items));
    }
    let kind = obj.get_type().name()?;
    Err(crate::errors::invalid_type(if path.is_empty() {
        format!("a policy is JSON text, bytes, a dict or a Policy, not {kind}")
    } else {
        format!(
            "a policy is made of dicts, lists, strings, numbers and booleans; {} is of type {kind}",
            place(path)
        )
    }))
}

/// serde_json value → Python objects via `json.loads`.
fn to_python<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (value.to_string(),))
}

/// A string or a list of strings.
pub(super) fn strings(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(vec![s.to_cow()?.into_owned()]);
    }
    let items: Vec<String> = obj
        .try_iter()
        .map_err(|_| crate::errors::invalid_type(format!("{what} must be a string or a list of strings")))?
        .map(|x| x.and_then(|x| x.extract::<String>()))
        .collect::<PyResult<_>>()
        .map_err(|_| crate::errors::invalid_type(format!("{what} must be a string or a list of strings")))?;
    if items.is_empty() {
        return Err(crate::errors::invalid(format!("{what} must not be empty")));
    }
    Ok(items)
}

/// A JSON syntax error as a finding.
fn parse_finding(err: &json::ParseError) -> Finding {
    Finding {
        severity: Severity::Error,
        code: "INVALID_JSON",
        message: err.message.clone(),
        path: Vec::new(),
        pos: Some(err.pos),
        suggestion: None,
        iam_rejects: true,
        iam_message: Some("This policy contains invalid Json".into()),
    }
}

/// One statement of a policy.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Statement")]
pub struct PyStatement {
    value: serde_json::Value,
}

impl PyStatement {
    fn make(
        effect: &str,
        actions: &Bound<'_, PyAny>,
        resources: Option<&Bound<'_, PyAny>>,
        sid: Option<&str>,
        conditions: Option<&Bound<'_, PyAny>>,
        principal: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let py = actions.py();
        let actions = strings(actions, "actions")?;
        let resources = match resources {
            Some(r) if !r.is_none() => strings(r, "resources")?,
            _ => Vec::new(),
        };
        let conditions = conditions.filter(|c| !c.is_none()).map(|c| to_serde(c)).transpose();
        let conditions = conditions.map_err(crate::args::named(py, "conditions"))?;
        let principal = principal.filter(|p| !p.is_none()).map(|p| to_serde(p)).transpose();
        let principal = principal.map_err(crate::args::named(py, "principal"))?;
        Ok(Self {
            value: build::statement(effect, &actions, &resources, sid, principal, conditions),
        })
    }
}

#[pymethods]
impl PyStatement {
    /// An Allow statement. `resources` is what a permissions policy's statement must name (`"*"`
    /// for every resource): IAM refuses one without, and simulate leaves it out. A trust policy's
    /// statement names a `principal` and no resources.
    #[staticmethod]
    #[pyo3(signature = (actions, resources=None, *, sid=None, conditions=None, principal=None))]
    fn allow(
        actions: &Bound<'_, PyAny>,
        resources: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = opt_text)] sid: Option<&str>,
        conditions: Option<&Bound<'_, PyAny>>,
        principal: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Self::make("Allow", actions, resources, sid, conditions, principal)
    }

    /// A Deny statement; `resources` as for `allow`.
    #[staticmethod]
    #[pyo3(signature = (actions, resources=None, *, sid=None, conditions=None, principal=None))]
    fn deny(
        actions: &Bound<'_, PyAny>,
        resources: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = opt_text)] sid: Option<&str>,
        conditions: Option<&Bound<'_, PyAny>>,
        principal: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Self::make("Deny", actions, resources, sid, conditions, principal)
    }

    #[getter]
    fn effect(&self) -> Option<&str> {
        self.value.get("Effect").and_then(|v| v.as_str())
    }
    #[getter]
    fn sid(&self) -> Option<&str> {
        self.value.get("Sid").and_then(|v| v.as_str())
    }
    /// The statement as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.value)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyStatement>().is_ok_and(|o| {
            let wrap = |v: &serde_json::Value| build::normalize(&serde_json::json!({"Statement": [v]}));
            wrap(&o.get().value) == wrap(&self.value)
        })
    }
    fn __repr__(&self) -> String {
        format!("Statement({})", self.value)
    }
}

/// What a text that is no JSON at all was probably meant as, said after the parse error: a
/// file's name (Policy.from_json takes the text, not the path) or an ARN (a policy's name, not
/// its document). Empty for anything else.
fn not_a_document(text: &str) -> String {
    let t = text.trim();
    if t.starts_with(['{', '[']) || t.contains('\n') || t.len() > 300 {
        return String::new();
    }
    if t.starts_with("arn:") {
        return format!(
            " ({t:?} is an ARN, which names a policy or a resource; the policy is its JSON document, \
             {{\"Version\": \"2012-10-17\", \"Statement\": [...]}})"
        );
    }
    if t.to_ascii_lowercase().ends_with(".json") || t.contains(['/', '\\']) {
        return format!(
            " ({t:?} looks like a file's name: pass the file's text, e.g. pathlib.Path({t:?}).read_text())"
        );
    }
    String::new()
}

/// An IAM policy document.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Policy")]
pub struct PyPolicy {
    pub inner: Arc<Policy>,
    /// Whether positions refer to text the user wrote (not a dict we serialised).
    positions: bool,
    /// The policy compiled for evaluation, on first use.
    compiled: OnceLock<Arc<CompiledPolicy>>,
}

impl PyPolicy {
    pub(super) fn from_value(value: &serde_json::Value) -> Self {
        Self::wrap(Arc::new(Policy::from_node(Node::from_serde(value))), false)
    }

    /// Parse text (with positions) or a Python object (without).
    pub fn from_any(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(p) = source.cast::<PyPolicy>() {
            let p = p.get();
            return Ok(Self {
                inner: p.inner.clone(),
                positions: p.positions,
                compiled: p.compiled.clone(),
            });
        }
        let (text, positions) = if let Ok(s) = source.cast::<PyString>() {
            (s.to_cow()?.into_owned(), true)
        } else if let Ok(b) = source.cast::<PyBytes>() {
            match json::text(b.as_bytes()) {
                Ok(s) => (s.to_string(), true),
                Err(err) => {
                    return Err(policy_error(
                        format!("the policy is not UTF-8 text: {err}"),
                        vec![parse_finding(&err)],
                    ));
                }
            }
        } else if source.is_none() {
            return Err(crate::errors::invalid_type(
                "a policy is JSON text, bytes, a dict or a Policy, not None",
            ));
        } else {
            let value = to_serde(source)?;
            let node = Node::from_serde(&value);
            return Ok(Self::wrap(Arc::new(Policy::from_node(node)), false));
        };
        let parsed = crate::runtime::compute(py, || Policy::parse(&text))?;
        match parsed {
            Ok(p) => Ok(Self::wrap(Arc::new(p), positions)),
            Err(e) => Err(policy_error(
                format!("the policy is not valid JSON: {e}{}", not_a_document(&text)),
                vec![parse_finding(&e)],
            )),
        }
    }

    fn wrap(inner: Arc<Policy>, positions: bool) -> Self {
        Self {
            inner,
            positions,
            compiled: OnceLock::new(),
        }
    }

    /// How a notebook shows the policy: a summary per statement, then the document (folded when long).
    pub fn html(&self) -> PyResult<String> {
        Ok(html::policy(&self.inner, &self.to_json(Some(2))?))
    }

    /// The compiled form, built once.
    pub fn compiled(&self) -> Arc<CompiledPolicy> {
        self.compiled
            .get_or_init(|| Arc::new(CompiledPolicy::new(&self.inner)))
            .clone()
    }

    fn findings(&self, options: Options) -> Vec<Finding> {
        let mut f = validate::validate(&self.inner, options);
        if !self.positions {
            for x in &mut f {
                x.pos = None;
            }
        }
        f
    }
}

fn parse_kind(kind: &str) -> PyResult<PolicyKind> {
    PolicyKind::parse(kind).ok_or_else(|| {
        crate::errors::invalid(format!(
            "kind must be one of {}, not {kind:?}",
            PolicyKind::ALL.map(PolicyKind::as_str).join(", ")
        ))
    })
}

#[pymethods]
impl PyPolicy {
    #[new]
    #[pyo3(signature = (statements, version="2012-10-17", id=None))]
    fn new(
        statements: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = text)] version: &str,
        #[pyo3(from_py_with = opt_text)] id: Option<&str>,
    ) -> PyResult<Self> {
        // Text, bytes and dicts iterate too (characters, keys): a whole document given here by
        // mistake would become a policy of nonsense statements.
        if statements.is_instance_of::<PyString>()
            || statements.is_instance_of::<PyBytes>()
            || statements.is_instance_of::<PyByteArray>()
            || statements.cast::<PyMapping>().is_ok()
        {
            return Err(crate::errors::invalid_type(format!(
                "Policy(statements) takes a list of Statement or dict, not {}; for a whole policy \
                 document (JSON text, bytes or a dict) use Policy.from_json(...)",
                statements.get_type().name()?
            )));
        }
        let mut list = Vec::new();
        let iter = statements
            .try_iter()
            .map_err(|_| crate::errors::invalid_type("statements must be a list of Statement"))?;
        for s in iter {
            let s = s?;
            if let Ok(st) = s.cast::<PyStatement>() {
                list.push(st.get().value.clone());
            } else {
                list.push(to_serde(&s)?);
            }
        }
        Ok(Self::from_value(&build::document(list, version, id)))
    }

    /// Parse JSON text (str or bytes) or a dict. Only invalid JSON raises (PolicyError, with a
    /// finding that says where); everything else is for `validate()`.
    #[staticmethod]
    fn from_json(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Self> {
        Self::from_any(py, source)
    }

    /// A role trust policy for AWS services, AWS principals and federated providers.
    #[staticmethod]
    #[pyo3(signature = (services=None, aws=None, federated=None, external_id=None, conditions=None))]
    fn trust(
        py: Python<'_>,
        services: Option<&Bound<'_, PyAny>>,
        aws: Option<&Bound<'_, PyAny>>,
        federated: Option<&Bound<'_, PyAny>>,
        #[pyo3(from_py_with = opt_text)] external_id: Option<&str>,
        conditions: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let list = |o: Option<&Bound<'_, PyAny>>, w: &str| -> PyResult<Vec<String>> {
            match o {
                Some(o) if !o.is_none() => strings(o, w),
                _ => Ok(Vec::new()),
            }
        };
        let (services, aws, federated) = (
            list(services, "services")?,
            list(aws, "aws")?,
            list(federated, "federated")?,
        );
        let conditions = conditions.filter(|c| !c.is_none()).map(|c| to_serde(c)).transpose();
        let conditions = conditions.map_err(crate::args::named(py, "conditions"))?;
        if services.is_empty() && aws.is_empty() && federated.is_empty() {
            return Err(crate::errors::invalid(
                "a trust policy needs at least one of services, aws or federated",
            ));
        }
        if let Some(problem) = build::trust_principals_problem(&services, &aws) {
            return Err(crate::errors::invalid(problem));
        }
        Ok(Self::from_value(&build::trust_policy(
            &services,
            &aws,
            &federated,
            external_id,
            conditions,
        )))
    }

    #[getter]
    fn version(&self) -> Option<&str> {
        self.inner.version.as_deref()
    }
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }
    /// The statements, in order.
    #[getter]
    fn statements(&self) -> Vec<PyStatement> {
        match self.inner.root.get("Statement").map(|m| m.value.to_serde()) {
            Some(serde_json::Value::Array(items)) => items.into_iter().map(|value| PyStatement { value }).collect(),
            Some(value @ serde_json::Value::Object(_)) => vec![PyStatement { value }],
            _ => Vec::new(),
        }
    }

    /// Check the policy: IAM's own rules, catalog lint and security warnings.
    ///
    /// ``inline``: an inline policy on a role (10,240 characters); ``managed``: a customer managed
    /// policy as CreatePolicy takes it (6,144 characters, Version 2012-10-17 required).
    #[pyo3(signature = (kind="identity", *, inline=false, managed=false))]
    fn validate(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = text)] kind: &str,
        #[pyo3(from_py_with = arg)] inline: bool,
        #[pyo3(from_py_with = arg)] managed: bool,
    ) -> PyResult<PyReport> {
        let kind = parse_kind(kind)?;
        if inline && managed {
            return Err(crate::errors::invalid("a policy is inline or managed, not both"));
        }
        let options = Options { kind, inline, managed };
        let findings = crate::runtime::compute(py, || self.findings(options))?;
        Ok(PyReport {
            findings: Arc::new(findings),
            kind,
        })
    }

    /// The kind this document most likely is, from its content: "trust" (a principal that may
    /// assume a role), "resource" (another principal) or "identity".
    fn detect_kind(&self) -> &'static str {
        PolicyKind::detect(&self.inner).as_str()
    }

    /// The document as JSON text: compact, or indented by `indent` spaces.
    #[pyo3(signature = (indent=None))]
    fn to_json(&self, #[pyo3(from_py_with = arg)] indent: Option<usize>) -> PyResult<String> {
        let v = self.inner.root.to_serde();
        match indent {
            None => Ok(v.to_string()),
            Some(n) => {
                let pad = vec![b' '; n];
                let mut buf = Vec::new();
                let fmt = serde_json::ser::PrettyFormatter::with_indent(&pad);
                let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
                serde::Serialize::serialize(&v, &mut ser).map_err(|e| crate::errors::invalid(e.to_string()))?;
                String::from_utf8(buf).map_err(|e| crate::errors::invalid(e.to_string()))
            }
        }
    }

    /// Whether this policy alone, as an identity policy, allows `action` on `resource`.
    #[pyo3(signature = (action, resource="*", context=None))]
    fn allows(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = text)] action: &str,
        #[pyo3(from_py_with = text)] resource: &str,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        crate::eval::allows(py, self, action, resource, context)
    }

    /// The document as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.root.to_serde())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyPolicy>().is_ok_and(|o| {
            build::normalize(&o.get().inner.root.to_serde()) == build::normalize(&self.inner.root.to_serde())
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        build::normalize(&self.inner.root.to_serde()).to_string().hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        let n = self.inner.statements.len();
        let text = self.inner.to_json();
        let preview: String = text.chars().take(120).collect();
        let more = if text.chars().count() > 120 { "…" } else { "" };
        format!(
            "Policy({n} statement{}: {preview}{more})",
            if n == 1 { "" } else { "s" }
        )
    }

    fn _repr_html_(&self) -> PyResult<String> {
        self.html()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let cls = py.import("rolekit._rolekit")?.getattr("Policy")?.getattr("from_json")?;
        Ok((cls, PyTuple::new(py, [self.inner.to_json()])?))
    }
}

/// One finding of `Policy.validate()`.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Finding")]
pub struct PyFinding(pub Finding);

#[pymethods]
impl PyFinding {
    #[getter]
    fn severity(&self) -> &'static str {
        self.0.severity.as_str()
    }
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code
    }
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }
    /// Path elements as Access Analyzer gives them: ("Statement", 0, "Action", 1).
    #[getter]
    fn path<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items: Vec<Bound<'py, PyAny>> = self
            .0
            .path
            .iter()
            .map(|p| match p {
                PathElem::Key(k) => PyString::new(py, k).into_any(),
                PathElem::Index(i) => i.into_pyobject(py).map_or_else(|e| match e {}, pyo3::Bound::into_any),
            })
            .collect();
        PyTuple::new(py, items)
    }
    #[getter]
    fn line(&self) -> Option<u32> {
        self.0.pos.filter(|p| p.line > 0).map(|p| p.line)
    }
    #[getter]
    fn column(&self) -> Option<u32> {
        self.0.pos.filter(|p| p.line > 0).map(|p| p.column)
    }
    #[getter]
    fn suggestion(&self) -> Option<&str> {
        self.0.suggestion.as_deref()
    }
    #[getter]
    fn iam_rejects(&self) -> bool {
        self.0.iam_rejects
    }
    #[getter]
    fn iam_message(&self) -> Option<&str> {
        self.0.iam_message.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "Finding({}, {}, {}, path={})",
            self.0.severity.as_str(),
            self.0.code,
            pyrepr(&self.0.message),
            pyrepr(&self.0.path_string())
        )
    }
    fn __str__(&self) -> String {
        let place = match (self.line(), self.column()) {
            (Some(l), Some(c)) => format!("{l}:{c}: "),
            _ if !self.0.path.is_empty() => format!("{}: ", self.0.path_string()),
            _ => String::new(),
        };
        let sug = self
            .0
            .suggestion
            .as_ref()
            .map(|s| format!(" (suggestion: {s})"))
            .unwrap_or_default();
        format!(
            "{place}{} {}: {}{sug}",
            self.0.severity.as_str(),
            self.0.code,
            self.0.message
        )
    }
    fn _repr_html_(&self) -> String {
        html::findings("Finding", std::slice::from_ref(&self.0))
    }
}

/// The result of `Policy.validate()`: an iterable of findings.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Report", sequence)]
pub struct PyReport {
    findings: Arc<Vec<Finding>>,
    kind: PolicyKind,
}

impl PyReport {
    fn filtered(&self, keep: impl Fn(&Finding) -> bool) -> Vec<PyFinding> {
        self.findings
            .iter()
            .filter(|f| keep(f))
            .cloned()
            .map(PyFinding)
            .collect()
    }
}

#[pymethods]
impl PyReport {
    /// True when there is no error (warnings and suggestions may remain).
    #[getter]
    fn ok(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }
    /// Findings of severity "error".
    #[getter]
    fn errors(&self) -> Vec<PyFinding> {
        self.filtered(|f| f.severity == Severity::Error)
    }
    /// Security warnings and warnings.
    #[getter]
    fn warnings(&self) -> Vec<PyFinding> {
        self.filtered(|f| matches!(f.severity, Severity::SecurityWarning | Severity::Warning))
    }
    /// Whether IAM's API would refuse the document.
    #[getter]
    fn iam_rejects(&self) -> bool {
        self.findings.iter().any(|f| f.iam_rejects)
    }
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }
    fn __len__(&self) -> usize {
        self.findings.len()
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        let items: Vec<PyFinding> = self.findings.iter().cloned().map(PyFinding).collect();
        PyList::new(py, items)?.as_any().try_iter()
    }
    fn __getitem__(&self, index: isize) -> PyResult<PyFinding> {
        let n = isize::try_from(self.findings.len()).unwrap_or(isize::MAX);
        let i = if index < 0 { index + n } else { index };
        usize::try_from(i)
            .ok()
            .and_then(|i| self.findings.get(i))
            .cloned()
            .map(PyFinding)
            .ok_or_else(|| PyIndexError::new_err("finding index out of range"))
    }
    fn __repr__(&self) -> String {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        format!(
            "Report({} policy: {} errors, {} security warnings, {} warnings, {} suggestions)",
            self.kind.as_str(),
            count(Severity::Error),
            count(Severity::SecurityWarning),
            count(Severity::Warning),
            count(Severity::Suggestion)
        )
    }
    fn __str__(&self) -> String {
        if self.findings.is_empty() {
            return format!("{} policy: no findings", self.kind.as_str());
        }
        self.findings
            .iter()
            .map(|f| PyFinding(f.clone()).__str__())
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn _repr_html_(&self) -> String {
        html::findings(&format!("{} policy", self.kind.as_str()), &self.findings)
    }
}

/// A small two-column table as rolekit's objects show themselves in a notebook (for the Python
/// side's own objects, so that every table has the same look).
#[pyfunction]
#[pyo3(name = "_html_table")]
pub fn html_table(#[pyo3(from_py_with = text)] caption: &str, rows: Vec<(String, String)>) -> String {
    let rows: Vec<(&str, String)> = rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    html::table(caption, &rows)
}

/// The catalog's date (YYYY-MM-DD): when AWS's service reference was read.
#[pyfunction]
pub fn catalog_date() -> &'static str {
    &catalog::catalog().date
}

/// Every `service:Action` that `pattern` (e.g. `s3:Get*`) names.
#[pyfunction]
pub fn catalog_actions(py: Python<'_>, #[pyo3(from_py_with = text)] pattern: &str) -> Vec<String> {
    py.detach(|| catalog::catalog().expand(pattern))
}

/// One action's access level and resource types, or None.
#[pyfunction]
pub fn catalog_action<'py>(
    py: Python<'py>,
    #[pyo3(from_py_with = text)] name: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some((service, action)) = catalog::catalog().action(name) else {
        return Ok(None);
    };
    let rts: Vec<serde_json::Value> = service
        .resource_types_of(action)
        .map(|(rt, required)| serde_json::json!({"name": rt.name, "required": required, "arn": rt.arn_format}))
        .collect();
    let v = serde_json::json!({
        "name": format!("{}:{}", service.prefix, action.name),
        "service": service.name,
        "access": action.access.as_str(),
        "resource_types": rts,
    });
    to_python(py, &v).map(Some)
}
