//! Validation: `Finding`s in three layers, each with a code, a location and, where IAM's API would
//! refuse the document, IAM's own message.
//!
//! 1. `syntax`: what IAM rejects (MalformedPolicyDocument) — element names and types, Effect,
//!    Version, Sid rules, vendor and colon rules, ARN shape, partitions, IAM paths, principals,
//!    condition operators and dates, size limits.
//! 2. `semantic`: what IAM accepts but is wrong — unknown services and actions (with suggestions),
//!    wildcards matching nothing, resources no action can apply to, unknown condition keys,
//!    operator/type mismatches, trust-policy actions.
//! 3. `security`: security warnings — iam:PassRole on `*`, full access, Allow with NotAction or
//!    NotResource, ForAllValues on single-valued keys, trust open to everyone or a whole account.

mod security;
mod semantic;
mod syntax;

pub(crate) use syntax::{aws_principal_problem, service_principal_problem};

pub(crate) use syntax::action_format_problem;

use std::fmt;

use super::json::Pos;
use super::model::Policy;

/// How serious a finding is (Access Analyzer's scale).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    SecurityWarning,
    Warning,
    Suggestion,
}

impl Severity {
    /// The name used in the Python API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::SecurityWarning => "security_warning",
            Self::Warning => "warning",
            Self::Suggestion => "suggestion",
        }
    }
}

/// What a policy is for; the rules differ (principals, resources, size limits, allowed actions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An identity-based policy (managed: 6,144 characters; inline on a role: 10,240).
    Identity,
    /// A role trust policy (2,048 characters by default).
    Trust,
    /// A resource-based policy (bucket policy, key policy, ...).
    Resource,
    /// A permissions boundary (a managed policy).
    Boundary,
    /// A service control policy (5,120 characters).
    Scp,
    /// A session policy passed to AssumeRole (2,048 characters).
    Session,
    /// A resource control policy (5,120 characters): Deny statements with `"Principal": "*"`, for
    /// the services RCPs support.
    Rcp,
    /// A VPC endpoint policy (20,480 characters): a Principal in every statement.
    Endpoint,
}

impl PolicyKind {
    /// Every kind, in the order rolekit lists them.
    pub const ALL: [Self; 8] = [
        Self::Identity,
        Self::Trust,
        Self::Resource,
        Self::Boundary,
        Self::Scp,
        Self::Session,
        Self::Rcp,
        Self::Endpoint,
    ];

    /// The kind a document most likely is, from its own content: a statement with a principal
    /// that lets it assume a role (`sts:AssumeRole*`, `sts:TagSession`, `sts:SetSourceIdentity`,
    /// or `sts:*`) makes a trust policy; any other principal a resource policy; none an identity
    /// policy. (Boundaries, SCPs and session policies look like identity policies: ask for them.)
    pub fn detect(policy: &crate::Policy) -> Self {
        const ASSUMING: [&str; 4] = ["sts:assumerole", "sts:tagsession", "sts:setsourceidentity", "sts:*"];
        let mut kind = Self::Identity;
        for s in &policy.statements {
            if s.principal.is_none() && s.not_principal.is_none() {
                continue;
            }
            kind = Self::Resource;
            let assumes = s.action.iter().flat_map(|a| a.items.iter()).any(|item| {
                let action = item.value.to_ascii_lowercase();
                ASSUMING.iter().any(|a| action.starts_with(a)) || action == "*"
            });
            if assumes {
                return Self::Trust;
            }
        }
        kind
    }

    /// Parse the Python/CLI name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "identity" => Self::Identity,
            "trust" => Self::Trust,
            "resource" => Self::Resource,
            "boundary" => Self::Boundary,
            "scp" => Self::Scp,
            "session" => Self::Session,
            "rcp" => Self::Rcp,
            "endpoint" => Self::Endpoint,
            _ => return None,
        })
    }

    /// The Python/CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Trust => "trust",
            Self::Resource => "resource",
            Self::Boundary => "boundary",
            Self::Scp => "scp",
            Self::Session => "session",
            Self::Rcp => "rcp",
            Self::Endpoint => "endpoint",
        }
    }

    /// Whether statements name a Principal (trust, resource, RCP and endpoint policies do).
    pub fn has_principal(self) -> bool {
        matches!(self, Self::Trust | Self::Resource | Self::Rcp | Self::Endpoint)
    }
}

/// One step of a finding's path: an element name or a list index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathElem {
    Key(String),
    Index(usize),
}

impl fmt::Display for PathElem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Key(k) => f.write_str(k),
            Self::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A problem found in a policy, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Access Analyzer-style code, e.g. `INVALID_ACTION`.
    pub code: &'static str,
    pub message: String,
    pub path: Vec<PathElem>,
    /// Position in the source text (None for documents built in code).
    pub pos: Option<Pos>,
    pub suggestion: Option<String>,
    /// Whether IAM's API would refuse the document because of this.
    pub iam_rejects: bool,
    /// IAM's own MalformedPolicyDocument message, when it would refuse.
    pub iam_message: Option<String>,
}

impl Finding {
    /// `Statement.0.Action.1`-style rendering of the path.
    pub fn path_string(&self) -> String {
        join_path(&self.path)
    }
}

/// A path as Access Analyzer writes it: `Statement.0.Action.1`.
pub fn join_path(path: &[PathElem]) -> String {
    path.iter().map(ToString::to_string).collect::<Vec<_>>().join(".")
}

/// Options for `validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub kind: PolicyKind,
    /// An inline policy on a role (10,240 characters) rather than a managed policy (6,144).
    pub inline: bool,
    /// A customer managed policy as CreatePolicy / CreatePolicyVersion take it: those reject a
    /// document without `"Version": "2012-10-17"` (inline policies accept 2008-10-17).
    pub managed: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            kind: PolicyKind::Identity,
            inline: false,
            managed: false,
        }
    }
}

/// Validate `policy` as a `kind` policy; findings sorted by position.
pub fn validate(policy: &Policy, options: Options) -> Vec<Finding> {
    let mut out = Vec::new();
    syntax::check(policy, options, &mut out);
    semantic::check(policy, options, &mut out);
    security::check(policy, options, &mut out);
    let has_pos = |f: &Finding| f.pos.is_some_and(|p| p.line > 0);
    out.sort_by(|a, b| {
        let ka = (a.pos.filter(|_| has_pos(a)).map(|p| p.offset), a.severity);
        let kb = (b.pos.filter(|_| has_pos(b)).map(|p| p.offset), b.severity);
        ka.cmp(&kb)
    });
    iam_first(&mut out);
    out
}

/// IAM answers a malformed document with one message, its first problem in the order it checks:
/// syntax, the version (managed policies), its legacy parser, unique Sids, actions present, then
/// the rest (resources, ...). That finding goes first, so that the first error carries IAM's own
/// answer; the others keep their order by position.
fn iam_first(findings: &mut Vec<Finding>) {
    let phase = |f: &Finding| match f.iam_message.as_deref() {
        Some(syntax::SYNTAX) => 0,
        Some(syntax::MANAGED_VERSION) => 1,
        Some(syntax::LEGACY) => 2,
        Some(syntax::DUPLICATE_SIDS) => 3,
        Some(syntax::NO_ACTIONS) => 4,
        _ => 5,
    };
    let first = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.iam_rejects && f.severity == Severity::Error)
        .min_by_key(|(i, f)| (phase(f), *i))
        .map(|(i, _)| i);
    if let Some(i) = first {
        let f = findings.remove(i);
        findings.insert(0, f);
    }
}

/// Path helper: `path!["Statement", 0, "Action"]`.
macro_rules! path_of {
    ($($e:expr),* $(,)?) => { vec![$($crate::validate::IntoPathElem::into_elem($e)),*] };
}
pub(crate) use path_of;

/// Conversion into a path element.
pub(crate) trait IntoPathElem {
    fn into_elem(self) -> PathElem;
}
impl IntoPathElem for &str {
    fn into_elem(self) -> PathElem {
        PathElem::Key(self.to_string())
    }
}
impl IntoPathElem for String {
    fn into_elem(self) -> PathElem {
        PathElem::Key(self)
    }
}
impl IntoPathElem for usize {
    fn into_elem(self) -> PathElem {
        PathElem::Index(self)
    }
}

/// Push a finding.
pub(crate) fn push<'a>(
    out: &'a mut Vec<Finding>,
    severity: Severity,
    code: &'static str,
    message: String,
    path: Vec<PathElem>,
    pos: Pos,
) -> &'a mut Finding {
    out.push(Finding {
        severity,
        code,
        message,
        path,
        pos: Some(pos),
        suggestion: None,
        iam_rejects: false,
        iam_message: None,
    });
    let last = out.len() - 1;
    &mut out[last]
}

/// Push an error that IAM's API rejects with `iam_message`.
pub(crate) fn reject(
    out: &mut Vec<Finding>,
    code: &'static str,
    message: String,
    iam_message: &str,
    path: Vec<PathElem>,
    pos: Pos,
) {
    let f = push(out, Severity::Error, code, message, path, pos);
    f.iam_rejects = true;
    f.iam_message = Some(iam_message.to_string());
}

/// The path of a statement element: `Statement[.i].Elem`.
pub(crate) fn stmt_path(policy: &Policy, index: usize, elem: &str) -> Vec<PathElem> {
    let mut p = vec![PathElem::Key("Statement".into())];
    if policy.statement_is_list {
        p.push(PathElem::Index(index));
    }
    if !elem.is_empty() {
        p.push(PathElem::Key(elem.into()));
    }
    p
}

/// The path of one item of a string-or-list statement element.
pub(crate) fn item_path(policy: &Policy, index: usize, elem: &str, item: Option<usize>) -> Vec<PathElem> {
    let mut p = stmt_path(policy, index, elem);
    if let Some(i) = item {
        p.push(PathElem::Index(i));
    }
    p
}

#[cfg(test)]
mod tests;
