//! `simulate`, `simulate_many`, `Policy.allows` and the `Decision` class.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::html::{self, pyrepr};
use crate::policy::PyPolicy;
use rolekit_policy::eval::{self, CompiledPolicy, Context, Decision, Policies, Request, Role, Verdict};

/// Everything one decision was made from, kept for `explain()`.
struct Inputs {
    identity: Vec<Arc<CompiledPolicy>>,
    resource_policy: Option<Arc<CompiledPolicy>>,
    boundary: Option<Arc<CompiledPolicy>>,
    session: Option<Arc<CompiledPolicy>>,
}

impl Inputs {
    /// The policies of a `simulate` call, converted once and shared by its requests.
    fn new(
        py: Python<'_>,
        identity: Option<&Bound<'_, PyAny>>,
        resource_policy: Option<&Bound<'_, PyAny>>,
        boundary: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Arc<Self>> {
        Ok(Arc::new(Self {
            identity: identity_list(py, identity)?,
            resource_policy: optional(py, resource_policy)?,
            boundary: optional(py, boundary)?,
            session: optional(py, session)?,
        }))
    }

    fn with<R>(&self, f: impl FnOnce(&Policies<'_>) -> R) -> R {
        let refs: Vec<&CompiledPolicy> = self.identity.iter().map(AsRef::as_ref).collect();
        let p = Policies {
            identity: &refs,
            resource: self.resource_policy.as_deref(),
            boundary: self.boundary.as_deref(),
            session: self.session.as_deref(),
        };
        f(&p)
    }
}

fn compiled(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Arc<CompiledPolicy>> {
    if let Ok(p) = obj.cast::<PyPolicy>() {
        return Ok(p.get().compiled());
    }
    Ok(PyPolicy::from_any(py, obj)?.compiled())
}

fn optional(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Arc<CompiledPolicy>>> {
    obj.filter(|o| !o.is_none()).map(|o| compiled(py, o)).transpose()
}

fn identity_list(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Arc<CompiledPolicy>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if let Ok(list) = obj.cast::<PyList>() {
        return list.iter().map(|p| compiled(py, &p)).collect();
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t.iter().map(|p| compiled(py, &p)).collect();
    }
    Ok(vec![compiled(py, obj)?])
}

/// A context mapping: condition key → string, or list of strings.
fn context(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Context> {
    let mut ctx = Context::default();
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(ctx);
    };
    let dict = obj
        .cast::<PyDict>()
        .map_err(|_| crate::errors::invalid_type("context must be a dict of key -> str or list of str"))?;
    for (k, v) in dict.iter() {
        let key: String = k
            .extract()
            .map_err(|_| crate::errors::invalid_type("context keys must be strings"))?;
        let values = if let Ok(s) = v.cast::<PyString>() {
            vec![s.to_cow()?.into_owned()]
        } else if let Ok(b) = v.extract::<bool>() {
            vec![b.to_string()]
        } else if let Ok(list) = v.extract::<Vec<String>>() {
            list
        } else {
            vec![v.str()?.to_cow()?.into_owned()]
        };
        ctx.insert(&key, values);
    }
    Ok(ctx)
}

/// The outcome of `simulate()`.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Decision")]
pub struct PyDecision {
    decision: Decision,
    inputs: Arc<Inputs>,
    action: String,
    resource: String,
    principal: Option<String>,
    context: Arc<Context>,
}

impl PyDecision {
    fn statement(&self, role: Role, index: usize) -> Option<eval::CStatement> {
        let p = match role {
            Role::Identity(i) => self.inputs.identity.get(i),
            Role::Resource => self.inputs.resource_policy.as_ref(),
            Role::Boundary => self.inputs.boundary.as_ref(),
            Role::Session => self.inputs.session.as_ref(),
        }?;
        p.statements.get(index).cloned()
    }

    fn lines(&self) -> Vec<String> {
        let req = Request {
            action: &self.action,
            resource: &self.resource,
            principal: self.principal.as_deref(),
            context: &self.context,
        };
        self.inputs.with(|p| eval::explain(p, &req, &self.decision))
    }
}

fn role_name(role: Role) -> String {
    match role {
        Role::Identity(i) => format!("identity[{i}]"),
        Role::Resource => "resource_policy".into(),
        Role::Boundary => "boundary".into(),
        Role::Session => "session".into(),
    }
}

#[pymethods]
impl PyDecision {
    /// "allow", "explicit_deny" or "implicit_deny".
    #[getter]
    fn decision(&self) -> &'static str {
        self.decision.verdict.as_str()
    }
    #[getter]
    fn allowed(&self) -> bool {
        self.decision.verdict == Verdict::Allow
    }
    #[getter]
    fn action(&self) -> &str {
        &self.action
    }
    #[getter]
    fn resource(&self) -> &str {
        &self.resource
    }
    /// The statements that decided: dicts with policy, statement (index), sid, effect, line, column.
    #[getter]
    fn matched<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for h in &self.decision.matched {
            let d = PyDict::new(py);
            d.set_item("policy", role_name(h.role))?;
            if let Some(s) = self.statement(h.role, h.statement) {
                d.set_item("statement", s.index)?;
                d.set_item("sid", s.sid.clone())?;
                d.set_item(
                    "effect",
                    if s.effect == rolekit_policy::Effect::Allow {
                        "Allow"
                    } else {
                        "Deny"
                    },
                )?;
                d.set_item("line", (s.line > 0).then_some(s.line))?;
                d.set_item("column", (s.line > 0).then_some(s.column))?;
            }
            list.append(d)?;
        }
        Ok(list)
    }
    /// A few lines saying why.
    fn explain(&self) -> String {
        self.lines().join("\n")
    }
    fn __bool__(&self) -> bool {
        self.allowed()
    }
    fn __repr__(&self) -> String {
        format!(
            "Decision({}, action={}, resource={})",
            pyrepr(self.decision()),
            pyrepr(&self.action),
            pyrepr(&self.resource)
        )
    }
    fn __str__(&self) -> String {
        self.explain()
    }
    fn _repr_html_(&self) -> String {
        let (colour, word) = match self.decision.verdict {
            Verdict::Allow => ("#2e7d32", "ALLOWED"),
            Verdict::ExplicitDeny => ("#c62828", "DENIED (explicit)"),
            Verdict::ImplicitDeny => ("#c62828", "DENIED (implicit)"),
        };
        let lines: Vec<String> = self
            .lines()
            .into_iter()
            .skip(1)
            .map(|l| format!("<li>{}</li>", html::escape(&l)))
            .collect();
        format!(
            "<div class=\"rolekit\"><b style=\"color:{colour}\">{word}</b> <code>{}</code> on <code>{}</code><ul>{}</ul></div>",
            html::escape(&self.action),
            html::escape(&self.resource),
            lines.join("")
        )
    }
}

fn decide(
    inputs: &Arc<Inputs>,
    action: String,
    resource: String,
    principal: Option<String>,
    ctx: Arc<Context>,
) -> PyResult<PyDecision> {
    let req = Request {
        action: &action,
        resource: &resource,
        principal: principal.as_deref(),
        context: &ctx,
    };
    let decision = inputs.with(|p| eval::evaluate(p, &req));
    if let Some(limit) = decision.limit {
        return Err(crate::errors::limit_met(limit));
    }
    Ok(PyDecision {
        decision,
        inputs: inputs.clone(),
        action,
        resource,
        principal,
        context: ctx,
    })
}

/// Decide one request offline with IAM's evaluation logic.
#[pyfunction]
#[pyo3(signature = (action, resource="*", *, identity=None, resource_policy=None, boundary=None, session=None, principal=None, context=None))]
pub fn simulate(
    py: Python<'_>,
    action: String,
    resource: &str,
    identity: Option<&Bound<'_, PyAny>>,
    resource_policy: Option<&Bound<'_, PyAny>>,
    boundary: Option<&Bound<'_, PyAny>>,
    session: Option<&Bound<'_, PyAny>>,
    principal: Option<String>,
    context: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyDecision> {
    let inputs = Inputs::new(py, identity, resource_policy, boundary, session)?;
    let ctx = Arc::new(self::context(context)?);
    let resource = resource.to_string();
    crate::runtime::compute(py, || decide(&inputs, action, resource, principal, ctx))?
}

/// Decide many requests against the same policies in one call. Each request is an
/// `(action, resource)` tuple or a dict with action, resource, and optional principal and context.
#[pyfunction]
#[pyo3(signature = (requests, *, identity=None, resource_policy=None, boundary=None, session=None, principal=None, context=None))]
pub fn simulate_many(
    py: Python<'_>,
    requests: &Bound<'_, PyAny>,
    identity: Option<&Bound<'_, PyAny>>,
    resource_policy: Option<&Bound<'_, PyAny>>,
    boundary: Option<&Bound<'_, PyAny>>,
    session: Option<&Bound<'_, PyAny>>,
    principal: Option<String>,
    context: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyDecision>> {
    let inputs = Inputs::new(py, identity, resource_policy, boundary, session)?;
    let shared_ctx = Arc::new(self::context(context)?);
    let mut parsed = Vec::new();
    for item in requests.try_iter()? {
        let item = item?;
        if let Ok(d) = item.cast::<PyDict>() {
            let get = |k: &str| d.get_item(k);
            let action: String = get("action")?
                .ok_or_else(|| crate::errors::invalid("each request dict needs 'action'"))?
                .extract()?;
            let resource: String = match get("resource")? {
                Some(r) => r.extract()?,
                None => "*".to_string(),
            };
            let who: Option<String> = match get("principal")? {
                Some(p) if !p.is_none() => Some(p.extract()?),
                _ => principal.clone(),
            };
            let ctx = match get("context")? {
                Some(c) if !c.is_none() => Arc::new(self::context(Some(&c))?),
                _ => shared_ctx.clone(),
            };
            parsed.push((action, resource, who, ctx));
        } else {
            let (action, resource): (String, String) = item
                .extract()
                .map_err(|_| crate::errors::invalid_type("each request is an (action, resource) tuple or a dict"))?;
            parsed.push((action, resource, principal.clone(), shared_ctx.clone()));
        }
    }
    crate::runtime::compute(py, || {
        parsed
            .into_iter()
            .map(|(a, r, p, c)| decide(&inputs, a, r, p, c))
            .collect::<PyResult<Vec<_>>>()
    })?
}

/// `Policy.allows(...)`: the policy as the only identity policy.
pub fn allows(
    py: Python<'_>,
    policy: &PyPolicy,
    action: &str,
    resource: &str,
    ctx: Option<&Bound<'_, PyAny>>,
) -> PyResult<bool> {
    let ctx = context(ctx)?;
    let compiled = crate::runtime::compute(py, || policy.compiled())?;
    let refs = [compiled.as_ref()];
    let policies = Policies {
        identity: &refs,
        ..Policies::default()
    };
    let req = Request {
        action,
        resource,
        principal: None,
        context: &ctx,
    };
    let decision = crate::runtime::compute(py, || eval::evaluate(&policies, &req))?;
    match decision.limit {
        Some(limit) => Err(crate::errors::limit_met(limit)),
        None => Ok(decision.verdict == Verdict::Allow),
    }
}
