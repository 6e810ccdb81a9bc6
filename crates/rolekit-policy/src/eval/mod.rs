//! Policy evaluation: IAM's decision logic, offline, with an explanation for every decision.
//!
//! Policies are compiled once (`CompiledPolicy`): action patterns lowercased, resource and
//! condition patterns pre-processed, condition keys lowercased. `evaluate` allocates nothing on
//! the common path; `explain` re-runs the same checks and says why each statement did or did not
//! apply.
//!
//! The logic (IAM User Guide, "Policy evaluation logic"): an explicit Deny in any policy wins.
//! Otherwise an identity-based Allow is needed, and when present, the permissions boundary and
//! the session policy must also allow. A same-account resource-based policy that names the caller
//! (a user ARN, an assumed-role session ARN, a service) allows on its own; one naming the role, or
//! `*`, allows when the boundary and session policy do too; one naming only the account needs an
//! identity-based Allow as well; across accounts both sides must allow.

pub mod budget;
pub mod condition;
pub mod pattern;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

pub use self::budget::Limit;
use self::condition::Compiled as CCondition;
use self::pattern::Pattern;
use super::arn::Arn;
use super::model::{Effect, Items, Policy, Principal, VERSION_2012};

/// Request context: condition keys (case-insensitive) to one or more values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<(String, Vec<String>)>,
}

impl Context {
    /// Set `key` (any case) to `values`, replacing an earlier setting.
    pub fn insert(&mut self, key: &str, values: Vec<String>) {
        let lower = key.to_ascii_lowercase();
        if let Some(e) = self.entries.iter_mut().find(|(k, _)| *k == lower) {
            e.1 = values;
        } else {
            self.entries.push((lower, values));
        }
    }

    /// The values of a lowercased key.
    pub fn get(&self, lower: &str) -> Option<&[String]> {
        self.entries.iter().find(|(k, _)| k == lower).map(|(_, v)| v.as_slice())
    }

    /// The value of a single-valued lowercased key (for policy variables).
    pub fn single(&self, lower: &str) -> Option<&str> {
        match self.get(lower) {
            Some([one]) => Some(one.as_str()),
            _ => None,
        }
    }

    /// Whether the key is set.
    pub fn contains(&self, lower: &str) -> bool {
        self.get(lower).is_some()
    }
}

/// A request to decide.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// The caller: a user / role / assumed-role ARN, an account id, or a service principal.
    pub principal: Option<&'a str>,
    pub context: &'a Context,
}

/// Where a policy sits in the evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Identity(usize),
    Resource,
    Boundary,
    Session,
}

impl Role {
    /// How explanations name the policy.
    pub fn label(self) -> String {
        match self {
            Self::Identity(i) => format!("identity policy #{i}"),
            Self::Resource => "the resource-based policy".into(),
            Self::Boundary => "the permissions boundary".into(),
            Self::Session => "the session policy".into(),
        }
    }
}

#[derive(Clone, Debug)]
struct Matcher {
    patterns: Vec<Pattern>,
    raw: Vec<String>,
    not: bool,
}

impl Matcher {
    fn new(items: &Items, not: bool, variables: bool, ignore_case: bool) -> Self {
        Self {
            patterns: items
                .values()
                .map(|v| Pattern::new(v, variables, ignore_case))
                .collect(),
            raw: items.values().map(str::to_string).collect(),
            not,
        }
    }

    fn matches(&self, text: &str, ctx: &Context) -> bool {
        self.patterns.iter().any(|p| p.matches(text, ctx)) != self.not
    }
}

/// How a resource-based policy's principal named the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// Only the caller's account (root or account id): an identity Allow is needed too.
    Account,
    /// `*`, or the role behind an assumed-role session: boundary and session policy still apply.
    Broad,
    /// The exact user, session, service or provider: allows on its own.
    Exact,
}

#[derive(Clone, Debug)]
struct CPrincipal {
    star: bool,
    aws: Vec<String>,
    others: Vec<String>,
    not: bool,
}

/// What rolekit can tell about the caller from its principal string.
struct Caller<'a> {
    raw: &'a str,
    account: Option<&'a str>,
    /// `arn:...:iam::ACCOUNT:role/NAME` parts for an assumed-role session or a role.
    role_name: Option<&'a str>,
}

fn caller(raw: &str) -> Caller<'_> {
    if crate::arn::is_account_id(raw) {
        return Caller {
            raw,
            account: Some(raw),
            role_name: None,
        };
    }
    match Arn::parse(raw) {
        Some(a) => {
            let role_name = if let Some(rest) = a.resource.strip_prefix("assumed-role/") {
                rest.split('/').next()
            } else {
                a.resource
                    .strip_prefix("role/")
                    .map(|r| r.rsplit('/').next().unwrap_or(r))
            };
            Caller {
                raw,
                account: Some(a.account),
                role_name,
            }
        }
        None => Caller {
            raw,
            account: None,
            role_name: None,
        },
    }
}

impl CPrincipal {
    fn new(p: &Principal, not: bool) -> Self {
        match p {
            Principal::Star(_) => Self {
                star: true,
                aws: Vec::new(),
                others: Vec::new(),
                not,
            },
            Principal::Map(entries) => {
                let mut aws = Vec::new();
                let mut others = Vec::new();
                for (ty, items) in entries {
                    let target = if ty == "AWS" { &mut aws } else { &mut others };
                    target.extend(items.values().map(str::to_string));
                }
                Self {
                    star: aws.iter().any(|a| a == "*"),
                    aws,
                    others,
                    not,
                }
            }
        }
    }

    /// How (if at all) the principal names the caller.
    fn name(&self, who: Option<&str>) -> Option<PrincipalMatch> {
        let Some(who) = who else {
            return if self.not {
                None
            } else {
                self.star.then_some(PrincipalMatch::Broad)
            };
        };
        let c = caller(who);
        let mut best: Option<PrincipalMatch> = None;
        let mut bump = |m: PrincipalMatch| best = Some(best.map_or(m, |b| b.max(m)));
        if self.star {
            bump(PrincipalMatch::Broad);
        }
        if self.others.iter().any(|o| o == who) {
            bump(PrincipalMatch::Exact);
        }
        for entry in &self.aws {
            if entry == c.raw {
                bump(PrincipalMatch::Exact);
                continue;
            }
            let entry_account = if entry.len() == 12 {
                Some(entry.as_str())
            } else {
                Arn::parse(entry).map(|a| a.account)
            };
            let is_root = entry.len() == 12 || entry.ends_with(":root");
            if is_root && entry_account.is_some() && entry_account == c.account {
                bump(PrincipalMatch::Account);
                continue;
            }
            // A role ARN in the policy matches the role's sessions (path-insensitive).
            if let (Some(role), Some(a)) = (c.role_name, Arn::parse(entry)) {
                let entry_role = a
                    .resource
                    .strip_prefix("role/")
                    .map(|r| r.rsplit('/').next().unwrap_or(r));
                if entry_role == Some(role) && Some(a.account) == c.account {
                    bump(if c.raw.contains(":assumed-role/") {
                        PrincipalMatch::Broad
                    } else {
                        PrincipalMatch::Exact
                    });
                }
            }
        }
        if self.not {
            if best.is_some() {
                None
            } else {
                Some(PrincipalMatch::Broad)
            }
        } else {
            best
        }
    }
}

/// A statement compiled for evaluation.
#[derive(Clone, Debug)]
pub struct CStatement {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub line: u32,
    pub column: u32,
    actions: Option<Matcher>,
    resources: Option<Matcher>,
    principal: Option<CPrincipal>,
    conditions: Vec<CCondition>,
}

/// Why a statement did not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Miss {
    Action,
    Resource,
    Principal,
    Condition(usize),
}

impl CStatement {
    /// `Ok(principal match)` when the statement applies, or the first check that failed.
    fn check(&self, req: &Request<'_>, action: &str, resource_policy: bool) -> Result<Option<PrincipalMatch>, Miss> {
        match &self.actions {
            Some(a) if a.matches(action, req.context) => {}
            _ => return Err(Miss::Action),
        }
        if let Some(r) = &self.resources {
            if !r.matches(req.resource, req.context) {
                return Err(Miss::Resource);
            }
        }
        let named = if resource_policy {
            match &self.principal {
                Some(p) => Some(p.name(req.principal).ok_or(Miss::Principal)?),
                None => return Err(Miss::Principal),
            }
        } else {
            None
        };
        for (i, c) in self.conditions.iter().enumerate() {
            if !c.eval(req.context) {
                return Err(Miss::Condition(i));
            }
        }
        Ok(named)
    }

    /// `Sid` or `#index`.
    pub fn label(&self) -> String {
        self.sid
            .as_ref()
            .map_or_else(|| format!("#{}", self.index), |s| format!("{s:?}"))
    }
}

/// A policy compiled for evaluation.
#[derive(Clone, Debug, Default)]
pub struct CompiledPolicy {
    pub statements: Vec<CStatement>,
}

impl CompiledPolicy {
    /// Compile a policy. Statements without a valid Effect, or with no Action / NotAction, are
    /// skipped: IAM would have rejected them (validate reports why).
    pub fn new(policy: &Policy) -> Self {
        let variables = policy.version.as_deref() == Some(VERSION_2012);
        let statements = policy
            .statements
            .iter()
            .filter_map(|s| {
                let effect = s.effect?;
                let actions = match (&s.action, &s.not_action) {
                    (Some(a), _) => Matcher::new(a, false, false, true),
                    (None, Some(n)) => Matcher::new(n, true, false, true),
                    _ => return None,
                };
                let resources = match (&s.resource, &s.not_resource) {
                    (Some(r), _) => Some(Matcher::new(r, false, variables, false)),
                    (None, Some(n)) => Some(Matcher::new(n, true, variables, false)),
                    _ => None,
                };
                let principal = match (&s.principal, &s.not_principal) {
                    (Some(p), _) => Some(CPrincipal::new(p, false)),
                    (None, Some(n)) => Some(CPrincipal::new(n, true)),
                    _ => None,
                };
                Some(CStatement {
                    index: s.index,
                    sid: s.sid.clone(),
                    effect,
                    line: s.pos.line,
                    column: s.pos.column,
                    actions: Some(actions),
                    resources,
                    principal,
                    conditions: s
                        .conditions
                        .iter()
                        .filter_map(|c| CCondition::new(c, variables))
                        .collect(),
                })
            })
            .collect();
        Self { statements }
    }
}

/// The policies that take part in a decision.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policies<'a> {
    pub identity: &'a [&'a CompiledPolicy],
    pub resource: Option<&'a CompiledPolicy>,
    pub boundary: Option<&'a CompiledPolicy>,
    pub session: Option<&'a CompiledPolicy>,
}

impl<'a> Policies<'a> {
    fn each(&self) -> impl Iterator<Item = (Role, &'a CompiledPolicy)> + '_ {
        self.identity
            .iter()
            .enumerate()
            .map(|(i, p)| (Role::Identity(i), *p))
            .chain(self.resource.map(|p| (Role::Resource, p)))
            .chain(self.boundary.map(|p| (Role::Boundary, p)))
            .chain(self.session.map(|p| (Role::Session, p)))
    }
}

/// The three outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Verdict {
    /// The Python/CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::ExplicitDeny => "explicit_deny",
            Self::ImplicitDeny => "implicit_deny",
        }
    }
}

/// A statement that decided (or helped decide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub role: Role,
    /// Index into the compiled policy's statements.
    pub statement: usize,
}

/// The outcome of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    /// The statements that decided: the denying ones, or the allowing ones on each needed side.
    pub matched: Vec<Hit>,
    /// A limit the evaluation met (the verdict is then not to be trusted): see `budget`.
    pub limit: Option<Limit>,
}

fn cross_account(req: &Request<'_>) -> bool {
    let resource_account = Arn::parse(req.resource).map(|a| a.account).filter(|a| !a.is_empty());
    let caller_account = req.principal.and_then(|p| caller(p).account);
    matches!((resource_account, caller_account), (Some(r), Some(c)) if r != c && r != "*")
}

/// Whether `identity` alone (no resource policy, boundary or session policy) allows `action` on
/// `resource` with `context`: the question a policy answers about itself (`Policy.allows`).
pub fn identity_allows(identity: &[&CompiledPolicy], action: &str, resource: &str, context: &Context) -> bool {
    let policies = Policies {
        identity,
        ..Policies::default()
    };
    let req = Request {
        action,
        resource,
        principal: None,
        context,
    };
    evaluate(&policies, &req).verdict == Verdict::Allow
}

/// Decide `req` against `policies`, within the work budget (`budget`): a decision that met a
/// limit says so in `limit`.
pub fn evaluate(policies: &Policies<'_>, req: &Request<'_>) -> Decision {
    budget::start();
    let mut decision = decide(policies, req);
    decision.limit = budget::finish();
    decision
}

fn decide(policies: &Policies<'_>, req: &Request<'_>) -> Decision {
    let action = req.action;
    let mut denies = Vec::new();
    let mut identity_allow: Option<Hit> = None;
    let mut boundary_allow: Option<Hit> = None;
    let mut session_allow: Option<Hit> = None;
    let mut resource_allow: Option<(Hit, PrincipalMatch)> = None;
    for (role, policy) in policies.each() {
        let is_resource = role == Role::Resource;
        for (i, s) in policy.statements.iter().enumerate() {
            if s.effect == Effect::Allow {
                // An Allow matters only until its side has one (the first is kept for `matched`).
                let settled = !denies.is_empty()
                    || match role {
                        Role::Identity(_) => identity_allow.is_some(),
                        Role::Boundary => boundary_allow.is_some(),
                        Role::Session => session_allow.is_some(),
                        Role::Resource => resource_allow.is_some_and(|(_, m)| m == PrincipalMatch::Exact),
                    };
                if settled {
                    continue;
                }
            }
            let Ok(named) = s.check(req, action, is_resource) else {
                continue;
            };
            let hit = Hit { role, statement: i };
            match (s.effect, role) {
                (Effect::Deny, _) => denies.push(hit),
                (Effect::Allow, Role::Identity(_)) => {
                    identity_allow.get_or_insert(hit);
                }
                (Effect::Allow, Role::Boundary) => {
                    boundary_allow.get_or_insert(hit);
                }
                (Effect::Allow, Role::Session) => {
                    session_allow.get_or_insert(hit);
                }
                (Effect::Allow, Role::Resource) => {
                    let m = named.unwrap_or(PrincipalMatch::Account);
                    if resource_allow.is_none_or(|(_, best)| m > best) {
                        resource_allow = Some((hit, m));
                    }
                }
            }
        }
    }
    if !denies.is_empty() {
        return Decision {
            verdict: Verdict::ExplicitDeny,
            matched: denies,
            limit: None,
        };
    }
    let boundary_ok = policies.boundary.is_none() || boundary_allow.is_some();
    let session_ok = policies.session.is_none() || session_allow.is_some();
    let limits: Vec<Hit> = boundary_allow.into_iter().chain(session_allow).collect();
    let cross = cross_account(req);
    if let Some(id) = identity_allow {
        if boundary_ok && session_ok && (!cross || resource_allow.is_some()) {
            let mut matched = vec![id];
            matched.extend(limits);
            if cross {
                matched.extend(resource_allow.map(|(h, _)| h));
            }
            return Decision {
                verdict: Verdict::Allow,
                matched,
                limit: None,
            };
        }
    }
    if let Some((hit, how)) = resource_allow {
        let alone = !cross
            && match how {
                PrincipalMatch::Exact => true,
                PrincipalMatch::Broad => boundary_ok && session_ok,
                PrincipalMatch::Account => false,
            };
        if alone {
            let mut matched = vec![hit];
            if how == PrincipalMatch::Broad {
                matched.extend(limits);
            }
            return Decision {
                verdict: Verdict::Allow,
                matched,
                limit: None,
            };
        }
    }
    Decision {
        verdict: Verdict::ImplicitDeny,
        matched: Vec::new(),
        limit: None,
    }
}

fn describe_statement(s: &CStatement) -> String {
    let effect = if s.effect == Effect::Allow { "Allow" } else { "Deny" };
    let actions = s.actions.as_ref().map_or_else(String::new, |a| {
        format!("{}{}", if a.not { "everything but " } else { "" }, a.raw.join(", "))
    });
    let resources = s.resources.as_ref().map_or_else(String::new, |r| {
        format!(" on {}{}", if r.not { "everything but " } else { "" }, r.raw.join(", "))
    });
    let line = if s.line > 0 {
        format!(" (line {})", s.line)
    } else {
        String::new()
    };
    format!("statement {}{line}: {effect} {actions}{resources}", s.label())
}

fn describe_miss(s: &CStatement, miss: Miss, req: &Request<'_>) -> String {
    match miss {
        Miss::Action => format!("its actions do not include {}", req.action),
        Miss::Resource => format!("its resources do not include {}", req.resource),
        Miss::Principal => match req.principal {
            Some(p) => format!("its Principal does not name {p}"),
            None => "its Principal names specific callers and no principal was given".into(),
        },
        Miss::Condition(i) => {
            let c = &s.conditions[i];
            let got = req.context.get(&c.key_lower).map_or_else(
                || "the key is absent from the request".to_string(),
                |v| format!("the request has {v:?}"),
            );
            format!("its condition {} {} {:?} is false: {got}", c.operator, c.key, c.values)
        }
    }
}

/// A few human lines: why allowed, or what denied, or that nothing allowed and which statement
/// came closest and why it did not apply.
pub fn explain(policies: &Policies<'_>, req: &Request<'_>, decision: &Decision) -> Vec<String> {
    let stmt = |h: &Hit| -> Option<&CStatement> {
        policies
            .each()
            .find(|(r, _)| *r == h.role)
            .and_then(|(_, p)| p.statements.get(h.statement))
    };
    let mut lines = Vec::new();
    let what = format!("{} on {}", req.action, req.resource);
    match decision.verdict {
        Verdict::Allow => {
            lines.push(format!("ALLOWED: {what}."));
            for h in &decision.matched {
                if let Some(s) = stmt(h) {
                    lines.push(format!("Allowed by {} {}.", h.role.label(), describe_statement(s)));
                }
            }
        }
        Verdict::ExplicitDeny => {
            lines.push(format!("DENIED (explicit deny): {what}."));
            for h in &decision.matched {
                if let Some(s) = stmt(h) {
                    lines.push(format!("Denied by {} {}.", h.role.label(), describe_statement(s)));
                }
            }
            lines.push("An explicit Deny overrides every Allow.".into());
        }
        Verdict::ImplicitDeny => {
            lines.push(format!("DENIED (implicit deny): nothing allows {what}."));
            let action = req.action;
            let mut closest: Option<(Miss, Role, &CStatement)> = None;
            let mut allowed_roles = Vec::new();
            for (role, policy) in policies.each() {
                for s in policy.statements.iter().filter(|s| s.effect == Effect::Allow) {
                    match s.check(req, action, role == Role::Resource) {
                        Ok(_) => allowed_roles.push(role),
                        Err(m) => {
                            if closest.as_ref().is_none_or(|(best, _, _)| m > *best) {
                                closest = Some((m, role, s));
                            }
                        }
                    }
                }
            }
            if allowed_roles.iter().any(|r| matches!(r, Role::Identity(_))) {
                if policies.boundary.is_some() && !allowed_roles.contains(&Role::Boundary) {
                    lines.push("An identity-based policy allows it, but the permissions boundary does not.".into());
                }
                if policies.session.is_some() && !allowed_roles.contains(&Role::Session) {
                    lines.push("An identity-based policy allows it, but the session policy does not.".into());
                }
                if cross_account(req) {
                    lines.push("Across accounts the resource-based policy must allow it too, and it does not.".into());
                }
            } else if allowed_roles.contains(&Role::Resource) {
                lines.push(
                    "The resource-based policy allows it for the caller's account only; an identity-based policy must \
                     allow it too."
                        .into(),
                );
            }
            match closest {
                Some((miss, role, s)) => {
                    let mut l = String::new();
                    let _ = write!(
                        l,
                        "Closest: {} {}; it does not apply because {}.",
                        role.label(),
                        describe_statement(s),
                        describe_miss(s, miss, req)
                    );
                    lines.push(l);
                }
                None if policies.identity.is_empty() && policies.resource.is_none() => {
                    lines.push("No policy was given.".into());
                }
                None => {}
            }
        }
    }
    lines
}
