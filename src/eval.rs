//! `simulate`, `simulate_many`, `Policy.allows` and the `Decision` class.

use std::cell::RefCell;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple};

use crate::args::{arg, named};
use crate::borrowed;
use crate::html::{self, pyrepr};
use crate::policy::PyPolicy;
use rolekit_policy::eval::{self, CompiledPolicy, Context, Decision, Policies, Request, Role, Verdict};

/// Everything one decision was made from, kept for `explain()`.
struct Inputs {
    identity: Vec<Arc<CompiledPolicy>>,
    resource_policy: Option<Arc<CompiledPolicy>>,
    boundary: Option<Arc<CompiledPolicy>>,
    session: Option<Arc<CompiledPolicy>>,
    org: Organization,
    /// The policies' patterns and condition values, all told (`CompiledPolicy::weight`).
    weight: usize,
    /// Whether any of them reads a context key AWS derives from the caller, or from the resource.
    reads_principal: bool,
    reads_resource: bool,
}

/// The organization a request is decided in (`scps=`, `rcps=`, `endpoint_policy=`, ...).
#[derive(Default)]
pub struct Organization {
    scps: Vec<Vec<Arc<CompiledPolicy>>>,
    rcps: Vec<Vec<Arc<CompiledPolicy>>>,
    endpoint: Option<Arc<CompiledPolicy>>,
    management_account: bool,
    resource_account: Option<String>,
}

impl Organization {
    /// Convert the keyword arguments of `simulate` / `simulate_many`.
    pub fn new(
        py: Python<'_>,
        scps: Option<&Bound<'_, PyAny>>,
        rcps: Option<&Bound<'_, PyAny>>,
        endpoint_policy: Option<&Bound<'_, PyAny>>,
        management_account: bool,
        resource_account: Option<String>,
    ) -> PyResult<Self> {
        if let Some(account) = &resource_account {
            if !rolekit_policy::arn::is_account_id(account) {
                return Err(crate::errors::invalid(format!(
                    "resource_account must be a 12-digit account id, got {account:?}"
                )));
            }
        }
        Ok(Self {
            scps: levels(py, scps, "scps")?,
            rcps: levels(py, rcps, "rcps")?,
            endpoint: optional(py, endpoint_policy).map_err(named(py, "endpoint_policy"))?,
            management_account,
            resource_account,
        })
    }
}

/// `[[p, ...], [p, ...]]`: one list of policies per level of the organization, root first.
fn levels(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Vec<Vec<Arc<CompiledPolicy>>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    let shape = || {
        crate::errors::invalid_type(format!(
            "{name} is a list of levels (root first), each a list of policies: [[root_scp], [ou_scp], [account_scp]]"
        ))
    };
    if obj.cast::<PyString>().is_ok() || obj.cast::<PyDict>().is_ok() || obj.cast::<PyPolicy>().is_ok() {
        return Err(shape());
    }
    let mut out = Vec::new();
    for level in obj.try_iter().map_err(|_| shape())? {
        let level = level?;
        if level.cast::<PyList>().is_err() && level.cast::<PyTuple>().is_err() {
            return Err(shape());
        }
        out.push(identity_list(py, Some(&level)).map_err(named(py, name))?);
    }
    Ok(out)
}

fn level_refs(levels: &[Vec<Arc<CompiledPolicy>>]) -> Vec<Vec<&CompiledPolicy>> {
    levels.iter().map(|l| l.iter().map(AsRef::as_ref).collect()).collect()
}

impl Inputs {
    /// The policies of a `simulate` call, converted once and shared by its requests.
    fn new(
        py: Python<'_>,
        identity: Option<&Bound<'_, PyAny>>,
        resource_policy: Option<&Bound<'_, PyAny>>,
        boundary: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
        org: Organization,
    ) -> PyResult<Arc<Self>> {
        Ok(Arc::new(Self::from_parts(
            identity_list(py, identity).map_err(named(py, "identity"))?,
            optional(py, resource_policy).map_err(named(py, "resource_policy"))?,
            optional(py, boundary).map_err(named(py, "boundary"))?,
            optional(py, session).map_err(named(py, "session"))?,
            org,
        )))
    }

    fn from_parts(
        identity: Vec<Arc<CompiledPolicy>>,
        resource_policy: Option<Arc<CompiledPolicy>>,
        boundary: Option<Arc<CompiledPolicy>>,
        session: Option<Arc<CompiledPolicy>>,
        org: Organization,
    ) -> Self {
        let org_policies = org.scps.iter().chain(&org.rcps).flatten().chain(&org.endpoint);
        let all = || {
            identity
                .iter()
                .chain(&resource_policy)
                .chain(&boundary)
                .chain(&session)
                .chain(org_policies.clone())
        };
        let weight = all().map(|p| p.weight).sum();
        let reads_principal = all().any(|p| p.reads_principal);
        let reads_resource = all().any(|p| p.reads_resource);
        Self {
            identity,
            resource_policy,
            boundary,
            session,
            org,
            weight,
            reads_principal,
            reads_resource,
        }
    }

    /// Whether a decision against these policies, with a context of `context_bytes`, is a matter of
    /// microseconds: few patterns and condition values, and a small context for policy variables to
    /// expand (each of them can at most repeat the context's longest value).
    fn light(&self, context_bytes: usize) -> bool {
        light(self.weight, context_bytes)
    }

    fn with<R>(&self, f: impl FnOnce(&Policies<'_>) -> R) -> R {
        let refs: Vec<&CompiledPolicy> = self.identity.iter().map(AsRef::as_ref).collect();
        let (scps, rcps) = (level_refs(&self.org.scps), level_refs(&self.org.rcps));
        let scp_levels: Vec<&[&CompiledPolicy]> = scps.iter().map(Vec::as_slice).collect();
        let rcp_levels: Vec<&[&CompiledPolicy]> = rcps.iter().map(Vec::as_slice).collect();
        let p = Policies {
            identity: &refs,
            resource: self.resource_policy.as_deref(),
            boundary: self.boundary.as_deref(),
            session: self.session.as_deref(),
            scps: &scp_levels,
            rcps: &rcp_levels,
            endpoint: self.org.endpoint.as_deref(),
            management_account: self.org.management_account,
            resource_account: self.org.resource_account.as_deref(),
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

/// Whether a decision against policies of `weight` (`CompiledPolicy::weight`, all told), with a
/// request of `request_bytes` (context, resource, principal), is a matter of microseconds: few
/// patterns and condition values, and little for policy variables to expand.
fn light(weight: usize, request_bytes: usize) -> bool {
    const LIGHT_WEIGHT: usize = 256;
    const LIGHT_REQUEST: usize = 4096;
    request_bytes <= LIGHT_REQUEST && weight <= LIGHT_WEIGHT
}

/// The context of the last call on this thread and the Python keys and values it came from. A
/// notebook or a loop passes the same dict call after call; str keys and values cannot change in
/// place (nor can True and False), so the same objects in the same order are the same context, and
/// holding them keeps their addresses from being reused.
struct LastContext {
    objects: Vec<(Py<PyAny>, Py<PyAny>)>,
    context: Arc<Context>,
}

thread_local! {
    static LAST_CONTEXT: RefCell<Option<LastContext>> = const { RefCell::new(None) };
    static EMPTY_CONTEXT: Arc<Context> = Arc::new(Context::default());
}

/// [`context`], converted once for a dict passed again unchanged.
fn shared_context(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Arc<Context>> {
    const CACHED_KEYS: usize = 64;
    let Some(dict) = obj.and_then(|o| o.cast::<PyDict>().ok()) else {
        if obj.is_none_or(pyo3::types::PyAnyMethods::is_none) {
            // One empty context per thread: a principal's keys are then derived once for it.
            return Ok(EMPTY_CONTEXT.with(Arc::clone));
        }
        return Ok(Arc::new(context(obj)?));
    };
    let known = LAST_CONTEXT.with_borrow(|last| {
        let last = last.as_ref()?;
        borrowed::same_items(dict, &last.objects).then(|| last.context.clone())
    });
    if let Some(ctx) = known {
        return Ok(ctx);
    }
    let ctx = Arc::new(context(obj)?);
    let immutable = |o: &Bound<'_, PyAny>| o.is_exact_instance_of::<PyString>() || o.is_exact_instance_of::<PyBool>();
    if dict.len() <= CACHED_KEYS && dict.iter().all(|(k, v)| immutable(&k) && immutable(&v)) {
        let objects = dict.iter().map(|(k, v)| (k.unbind(), v.unbind())).collect();
        let previous = LAST_CONTEXT.replace(Some(LastContext {
            objects,
            context: ctx.clone(),
        }));
        drop(previous);
    }
    Ok(ctx)
}

/// The last context completed with the keys AWS derives on this thread: the context it came
/// from, the principal and resource it was completed for, and the result (a loop asks for the
/// same one call after call).
struct LastDerived {
    from: Arc<Context>,
    principal: Option<String>,
    resource: Option<(String, Option<String>)>,
    derived: Arc<Context>,
}

thread_local! {
    static LAST_DERIVED: RefCell<Option<LastDerived>> = const { RefCell::new(None) };
}

/// `ctx` with the keys AWS derives from the principal and from the resource (with the account
/// owning it), each when given, that it lacks (`Context::with_derived`).
fn with_derived(ctx: Arc<Context>, principal: Option<&str>, resource: Option<(&str, Option<&str>)>) -> Arc<Context> {
    let known = LAST_DERIVED.with_borrow(|last| {
        let last = last.as_ref()?;
        let last_resource = last.resource.as_ref().map(|(r, a)| (r.as_str(), a.as_deref()));
        let same = Arc::ptr_eq(&last.from, &ctx) && last.principal.as_deref() == principal && last_resource == resource;
        same.then(|| last.derived.clone())
    });
    if let Some(derived) = known {
        return derived;
    }
    let Some(derived) = ctx.with_derived(principal, resource).map(Arc::new) else {
        return ctx;
    };
    let previous = LAST_DERIVED.replace(Some(LastDerived {
        from: ctx,
        principal: principal.map(str::to_owned),
        resource: resource.map(|(r, a)| (r.to_owned(), a.map(str::to_owned))),
        derived: derived.clone(),
    }));
    drop(previous);
    derived
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
        let key = borrowed::text(&k, "each key of context")?;
        let values = if v.cast::<PyString>().is_ok() {
            vec![borrowed::text(&v, key)?.to_owned()]
        } else if let Ok(b) = v.extract::<bool>() {
            vec![b.to_string()]
        } else if let Ok(list) = v.extract::<Vec<String>>() {
            list
        } else {
            vec![v.str()?.to_cow()?.into_owned()]
        };
        ctx.insert(key, values);
    }
    Ok(ctx)
}

/// The outcome of `simulate()`.
#[pyclass(frozen, freelist = 64, module = "rolekit._rolekit", name = "Decision")]
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
            Role::Scp { level, index } => self.inputs.org.scps.get(level).and_then(|l| l.get(index)),
            Role::Rcp { level, index } => self.inputs.org.rcps.get(level).and_then(|l| l.get(index)),
            Role::Endpoint => self.inputs.org.endpoint.as_ref(),
        }?;
        p.statements.get(index).cloned()
    }

    fn lines(&self) -> Vec<String> {
        self.inputs.with(|p| eval::explain(p, &self.request(), &self.decision))
    }

    /// The request that was decided (its context as completed with the keys AWS derives).
    fn request(&self) -> Request<'_> {
        Request {
            action: &self.action,
            resource: &self.resource,
            principal: self.principal.as_deref(),
            context: &self.context,
        }
    }
}

fn role_name(role: Role) -> String {
    match role {
        Role::Identity(i) => format!("identity[{i}]"),
        Role::Resource => "resource_policy".into(),
        Role::Boundary => "boundary".into(),
        Role::Session => "session".into(),
        Role::Scp { level, index } => format!("scps[{level}][{index}]"),
        Role::Rcp { level, index } => format!("rcps[{level}][{index}]"),
        Role::Endpoint => "endpoint_policy".into(),
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
    /// The policy types that denied, from ("identity", "resource", "boundary", "session", "scp",
    /// "rcp", "endpoint"): explicitly, or by not allowing where an allow was needed. Empty when allowed.
    #[getter]
    fn blocked_by<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.decision.blocked_by)
    }
    /// The rule of AWS's own that decided whatever the policies say ("sts:GetCallerIdentity needs no
    /// permission ...", a service-linked role that customers cannot change ...), with the AWS page that
    /// states it; None when the policies decided.
    #[getter]
    fn rule(&self) -> Option<String> {
        self.decision.rule.map(|r| format!("{} ({})", r.says, r.doc))
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
    /// The condition keys that statements taking in this action and resource read and the
    /// request's context lacked (IAM's simulator calls them MissingContextValues): a condition on
    /// a missing key does not hold, so the decision may differ from AWS's, which sets keys such
    /// as aws:CurrentTime and aws:SourceIp in every request. Empty when the context had them all.
    #[getter]
    fn missing_context(&self) -> Vec<String> {
        self.inputs.with(|p| eval::missing_context(p, &self.request()))
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

impl PyDecision {
    /// The decision of one request of a diagnosis, with the policies it was made from.
    pub fn from_check(check: &rolekit_aws::diagnose::Check) -> Self {
        let compiled = |n: &rolekit_aws::diagnose::Named| n.compiled.clone();
        let inputs = Inputs::from_parts(
            check.identity.iter().map(compiled).collect(),
            check.resource_policy.as_ref().map(compiled),
            check.boundary.as_ref().map(compiled),
            None,
            Organization {
                scps: check.scps.iter().map(|l| l.iter().map(compiled).collect()).collect(),
                management_account: check.management_account,
                ..Organization::default()
            },
        );
        Self {
            decision: check.decision.clone(),
            inputs: Arc::new(inputs),
            action: check.action.clone(),
            resource: check.resource.clone(),
            principal: Some(check.principal.clone()),
            context: check.context.clone(),
        }
    }
}

fn decide(
    inputs: &Arc<Inputs>,
    action: String,
    resource: String,
    principal: Option<String>,
    ctx: Arc<Context>,
) -> PyResult<PyDecision> {
    request_action(&action)?;
    let from_principal = principal.as_deref().filter(|_| inputs.reads_principal);
    let from_resource = inputs
        .reads_resource
        .then(|| (resource.as_str(), inputs.org.resource_account.as_deref()));
    let ctx = if from_principal.is_some() || from_resource.is_some() {
        with_derived(ctx, from_principal, from_resource)
    } else {
        ctx
    };
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
///
/// ``scps``: the service control policies in force, one list per level of the organization from
/// the root down to the account (every level must allow; they never grant; they do not apply to
/// the management account, ``management_account=True``, nor to service-linked roles or a service
/// principal acting on its own). ``rcps``: resource control policies, same shape; AWS attaches
/// ``RCPFullAWSAccess`` at every level, so only their Deny statements matter (pass your own RCPs
/// only); they apply to the services AWS lists (S3, STS, KMS, SQS, Secrets Manager, ECR, DynamoDB,
/// CloudWatch Logs, ...; not EC2, IAM, Lambda or SageMaker). ``endpoint_policy``: a
/// VPC endpoint policy the request passes through (it must allow; it never grants).
/// ``resource_account``: the account owning the resource when its ARN does not say (S3).
/// ``principal="*"``: an anonymous caller. ``sts:GetCallerIdentity`` is always allowed.
/// An action that is not ``service:Action`` (``"s3"``, ``"s3:"``) raises InvalidArgument.
/// The context keys AWS derives from the caller (``aws:username``, ``aws:PrincipalArn``,
/// ``aws:PrincipalAccount``, ``aws:PrincipalType``, ...) come from ``principal``, and
/// ``aws:ResourceAccount`` from the resource's ARN (or ``resource_account``), where ``context``
/// does not set them.
#[pyfunction]
#[pyo3(
    signature = (action, resource=None, *, identity=None, resource_policy=None, boundary=None, session=None, principal=None, context=None, scps=None, rcps=None, endpoint_policy=None, resource_account=None, management_account=false),
    text_signature = "(action, resource='*', *, identity=None, resource_policy=None, boundary=None, session=None, principal=None, context=None, scps=None, rcps=None, endpoint_policy=None, resource_account=None, management_account=False)"
)]
pub fn simulate(
    py: Python<'_>,
    action: &Bound<'_, PyAny>,
    resource: Option<&Bound<'_, PyAny>>,
    identity: Option<&Bound<'_, PyAny>>,
    resource_policy: Option<&Bound<'_, PyAny>>,
    boundary: Option<&Bound<'_, PyAny>>,
    session: Option<&Bound<'_, PyAny>>,
    principal: Option<&Bound<'_, PyAny>>,
    context: Option<&Bound<'_, PyAny>>,
    scps: Option<&Bound<'_, PyAny>>,
    rcps: Option<&Bound<'_, PyAny>>,
    endpoint_policy: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = arg)] resource_account: Option<String>,
    #[pyo3(from_py_with = arg)] management_account: bool,
) -> PyResult<PyDecision> {
    let others = [resource_policy, boundary, session, scps, rcps, endpoint_policy];
    let inputs = match identity {
        Some(identity) if others.iter().all(Option::is_none) && resource_account.is_none() && !management_account => {
            identity_only(py, identity)?
        }
        _ => {
            let org = Organization::new(py, scps, rcps, endpoint_policy, management_account, resource_account)?;
            Inputs::new(py, identity, resource_policy, boundary, session, org)?
        }
    };
    let ctx = shared_context(context)?;
    let action = borrowed::text(action, "action")?.to_owned();
    let resource = resource.map_or(Ok("*"), |r| borrowed::text(r, "resource"))?.to_owned();
    let principal = principal.filter(|p| !p.is_none());
    let principal = principal
        .map(|p| borrowed::text(p, "principal"))
        .transpose()?
        .map(str::to_owned);
    let light = inputs.light(ctx.bytes() + resource.len() + principal.as_ref().map_or(0, String::len));
    crate::runtime::compute_sized(py, light, || decide(&inputs, action, resource, principal, ctx))?
}

/// The Policy objects of the last call on this thread that passed identity policies alone, and
/// the inputs made of them: Policy is frozen, so the same objects are the same policies.
struct LastInputs {
    policies: Vec<Py<PyAny>>,
    inputs: Arc<Inputs>,
}

thread_local! {
    static LAST_INPUTS: RefCell<Option<LastInputs>> = const { RefCell::new(None) };
}

/// [`Inputs::new`] for identity policies alone, made once for Policy objects passed again.
fn identity_only(py: Python<'_>, identity: &Bound<'_, PyAny>) -> PyResult<Arc<Inputs>> {
    const CACHED_POLICIES: usize = 16;
    let one = std::slice::from_ref(identity);
    let (list, tuple) = (identity.cast::<PyList>().ok(), identity.cast::<PyTuple>().ok());
    let count = match (list, tuple) {
        (Some(l), _) => l.len(),
        (_, Some(t)) => t.len(),
        _ => 1,
    };
    let item = |i: usize| -> Option<Bound<'_, PyAny>> {
        match (list, tuple) {
            (Some(l), _) => l.get_item(i).ok(),
            (_, Some(t)) => t.get_item(i).ok(),
            _ => one.get(i).cloned(),
        }
    };
    let known = LAST_INPUTS.with_borrow(|last| {
        let last = last.as_ref()?;
        let same = last.policies.len() == count
            && last
                .policies
                .iter()
                .enumerate()
                .all(|(i, p)| item(i).is_some_and(|o| o.is(p)));
        same.then(|| last.inputs.clone())
    });
    if let Some(inputs) = known {
        return Ok(inputs);
    }
    let inputs = Inputs::new(py, Some(identity), None, None, None, Organization::default())?;
    let policies: Vec<Py<PyAny>> = (0..count).filter_map(item).map(Bound::unbind).collect();
    if count <= CACHED_POLICIES
        && policies.len() == count
        && policies.iter().all(|p| p.bind(py).cast::<PyPolicy>().is_ok())
    {
        let previous = LAST_INPUTS.replace(Some(LastInputs {
            policies,
            inputs: inputs.clone(),
        }));
        drop(previous);
    }
    Ok(inputs)
}

/// Decide many requests against the same policies in one call. Each request is an
/// `(action, resource)` tuple or a dict with action, resource, and optional principal and context.
#[pyfunction]
#[pyo3(signature = (requests, *, identity=None, resource_policy=None, boundary=None, session=None, principal=None, context=None, scps=None, rcps=None, endpoint_policy=None, resource_account=None, management_account=false))]
pub fn simulate_many(
    py: Python<'_>,
    requests: &Bound<'_, PyAny>,
    identity: Option<&Bound<'_, PyAny>>,
    resource_policy: Option<&Bound<'_, PyAny>>,
    boundary: Option<&Bound<'_, PyAny>>,
    session: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = arg)] principal: Option<String>,
    context: Option<&Bound<'_, PyAny>>,
    scps: Option<&Bound<'_, PyAny>>,
    rcps: Option<&Bound<'_, PyAny>>,
    endpoint_policy: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = arg)] resource_account: Option<String>,
    #[pyo3(from_py_with = arg)] management_account: bool,
) -> PyResult<Vec<PyDecision>> {
    let org = Organization::new(py, scps, rcps, endpoint_policy, management_account, resource_account)?;
    let inputs = Inputs::new(py, identity, resource_policy, boundary, session, org)?;
    let shared_ctx = shared_context(context)?;
    let mut parsed = Vec::new();
    for item in crate::args::iterate(requests, "requests")? {
        let item = item?;
        if let Ok(d) = item.cast::<PyDict>() {
            let get = |k: &str| d.get_item(k);
            let action = get("action")?.ok_or_else(|| crate::errors::invalid("each request dict needs 'action'"))?;
            let action = borrowed::text(&action, "a request's action")?.to_owned();
            let resource = match get("resource")? {
                Some(r) => borrowed::text(&r, "a request's resource")?.to_owned(),
                None => "*".to_string(),
            };
            let who = match get("principal")? {
                Some(p) if !p.is_none() => Some(borrowed::text(&p, "a request's principal")?.to_owned()),
                _ => principal.clone(),
            };
            let ctx = match get("context")? {
                Some(c) if !c.is_none() => Arc::new(self::context(Some(&c))?),
                _ => shared_ctx.clone(),
            };
            parsed.push((action, resource, who, ctx));
        } else {
            let shape = || crate::errors::invalid_type("each request is an (action, resource) tuple or a dict");
            let pair = item.cast::<PyTuple>().map_err(|_| shape())?;
            if pair.len() != 2 {
                return Err(shape());
            }
            let (action, resource) = (pair.get_item(0)?, pair.get_item(1)?);
            let action = borrowed::text(&action, "a request's action")?.to_owned();
            let resource = borrowed::text(&resource, "a request's resource")?.to_owned();
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
/// A request's action must be `service:Action` (`rolekit_policy::eval::request_action_problem`).
fn request_action(action: &str) -> PyResult<()> {
    match eval::request_action_problem(action) {
        Some(problem) => Err(crate::errors::invalid(problem)),
        None => Ok(()),
    }
}

pub fn allows(
    py: Python<'_>,
    policy: &PyPolicy,
    action: &str,
    resource: &str,
    ctx: Option<&Bound<'_, PyAny>>,
) -> PyResult<bool> {
    request_action(action)?;
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
    let quick = light(compiled.weight, ctx.bytes() + resource.len());
    let decision = crate::runtime::compute_sized(py, quick, || eval::evaluate(&policies, &req))?;
    match decision.limit {
        Some(limit) => Err(crate::errors::limit_met(limit)),
        None => Ok(decision.verdict == Verdict::Allow),
    }
}
