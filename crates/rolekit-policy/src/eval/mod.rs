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
#[cfg(test)]
mod org_tests;
pub mod pattern;
pub mod principal;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

pub use self::budget::Limit;
use self::condition::Compiled as CCondition;
use self::pattern::Pattern;
use super::arn::Arn;
use super::model::{BaseOp, Effect, Items, Policy, Principal, VERSION_2012};

/// Request context: condition keys (case-insensitive) to one or more values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// `(key_of(key), key lowercased, values)`: a lookup compares numbers before text.
    entries: Vec<(u64, String, Vec<String>)>,
}

impl Context {
    /// Set `key` (any case) to `values`, replacing an earlier setting.
    pub fn insert(&mut self, key: &str, values: Vec<String>) {
        let lower = key.to_ascii_lowercase();
        let hash = key_of(lower.as_bytes());
        if let Some(e) = self.entries.iter_mut().find(|(h, k, _)| *h == hash && *k == lower) {
            e.2 = values;
        } else {
            self.entries.push((hash, lower, values));
        }
    }

    /// The values of a lowercased key.
    pub fn get(&self, lower: &str) -> Option<&[String]> {
        self.get_keyed(key_of(lower.as_bytes()), lower)
    }

    /// The values of a lowercased key whose [`key_of`] is `hash`.
    pub(crate) fn get_keyed(&self, hash: u64, lower: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(h, k, _)| *h == hash && k == lower)
            .map(|(_, _, v)| v.as_slice())
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

    /// The length of its keys and values, in bytes.
    pub fn bytes(&self) -> usize {
        self.entries
            .iter()
            .map(|(_, k, v)| k.len() + v.iter().map(String::len).sum::<usize>())
            .sum()
    }
}

/// A request to decide.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// The caller: a user / role / assumed-role ARN, an account id, or a service principal.
    /// The context keys AWS derives from it (`aws:PrincipalArn`, `aws:username`, ...) are read from
    /// `context` only: [`Context::with_derived`] adds them (and the resource's account), for
    /// policies that [read them](CompiledPolicy::reads_principal).
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
    /// A service control policy: its level in the organization (0 = the root) and its index there.
    Scp {
        level: usize,
        index: usize,
    },
    /// A resource control policy, likewise.
    Rcp {
        level: usize,
        index: usize,
    },
    /// The VPC endpoint policy the request passes through.
    Endpoint,
}

impl Role {
    /// How explanations name the policy.
    pub fn label(self) -> String {
        match self {
            Self::Identity(i) => format!("identity policy #{i}"),
            Self::Resource => "the resource-based policy".into(),
            Self::Boundary => "the permissions boundary".into(),
            Self::Session => "the session policy".into(),
            Self::Scp { level, index } => format!("SCP #{index} at level {level} of the organization"),
            Self::Rcp { level, index } => format!("RCP #{index} at level {level} of the organization"),
            Self::Endpoint => "the VPC endpoint policy".into(),
        }
    }

    /// The policy type, as `Decision.blocked_by` names it.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Identity(_) => "identity",
            Self::Resource => "resource",
            Self::Boundary => "boundary",
            Self::Session => "session",
            Self::Scp { .. } => "scp",
            Self::Rcp { .. } => "rcp",
            Self::Endpoint => "endpoint",
        }
    }

    /// Whether the policy is a permissions policy, whose statements IAM refuses without a
    /// Resource or NotResource ("Policy statement must contain resources"): an identity-based
    /// policy, the permissions boundary, the session policy. (A trust policy has none; SCPs may
    /// leave it out.)
    fn needs_resource(self) -> bool {
        matches!(self, Self::Identity(_) | Self::Boundary | Self::Session)
    }

    /// Whether the policy's statements name principals (resource, RCP and endpoint policies).
    fn names_principals(self) -> bool {
        matches!(self, Self::Resource | Self::Rcp { .. } | Self::Endpoint)
    }
}

/// The order `Decision.blocked_by` lists policy types in.
pub const KINDS: [&str; 7] = ["identity", "resource", "boundary", "session", "scp", "rcp", "endpoint"];

#[derive(Clone, Debug)]
struct Matcher {
    patterns: Vec<Pattern>,
    raw: Vec<String>,
    not: bool,
    /// For an Action or NotAction list, each pattern's key (beside it in `patterns`): only a
    /// pattern whose key is the request's is compared, so most are passed over with an integer
    /// compare. `None` when a pattern has a wildcard in its service.
    keys: Option<Box<[PatternKey]>>,
    /// A pattern is `*` (and the list is not negated): everything matches.
    any: bool,
}

/// What an action must have for an action pattern to match it ([`key_of`]): the pattern's own
/// key, when it names one action (`s3:GetObject`); its service's, when a wildcard follows the
/// service (`s3:Get*`: a match starts with `s3:`, so the action's service is `s3`).
#[derive(Clone, Copy, Debug)]
enum PatternKey {
    Action(u64),
    Service(u64),
}

impl PatternKey {
    fn key(self) -> u64 {
        match self {
            Self::Action(k) | Self::Service(k) => k,
        }
    }

    /// Whether an action with `keys` may match the pattern (it may not when this says no).
    #[inline]
    fn admits(self, keys: Keys) -> bool {
        match self {
            Self::Action(k) => k == keys.action,
            Self::Service(k) => k == keys.service,
        }
    }
}

/// A text (an action, a service prefix, a condition key; any case) as a number, eight lowercased
/// bytes at a time: one multiply per word, not per byte as FNV would, on every decision's
/// action. Two texts may share a key (the full compare then decides); one text, in any case, has
/// one key.
#[inline]
pub(crate) const fn key_of(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    let mut rest = bytes;
    while let Some((word, more)) = rest.split_first_chunk::<8>() {
        h = mix(h, u64::from_le_bytes(*word));
        rest = more;
    }
    if !rest.is_empty() {
        let mut tail = [0u8; 8];
        let mut j = 0;
        while j < rest.len() {
            tail[j] = rest[j];
            j += 1;
        }
        h = mix(h, u64::from_le_bytes(tail));
    }
    finish(h)
}

/// The key of a text once its words are mixed in: the high bits folded into the low ones (which
/// index the [`ActionIndex`] table).
const fn finish(h: u64) -> u64 {
    h ^ (h >> 29)
}

/// One word into the key.
const fn mix(h: u64, word: u64) -> u64 {
    mix_lowercase(h, lowercase_word(word))
}

/// [`mix`] of a word without ASCII capitals.
const fn mix_lowercase(h: u64, word: u64) -> u64 {
    (h.rotate_left(23) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Eight bytes with their ASCII capitals lowercased (other bytes kept), without a branch.
const fn lowercase_word(w: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let seven = w & !HIGH;
    // Per byte, no carry out (at most 0x7f + 0x3f): the high bit says `byte >= b'A'`, then
    // `byte > b'Z'`; bytes of 0x80 and above are not ASCII and stay as they are.
    let from_a = seven + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = seven + 0x2525_2525_2525_2525;
    let capital = from_a & !past_z & !w & HIGH;
    w | (capital >> 2)
}

/// An action's keys: its service's (the text before `:`, or all of it) and its own.
#[derive(Clone, Copy)]
struct Keys {
    service: u64,
    action: u64,
}

impl Keys {
    /// Both keys, and the action lowercased into `lower`.
    fn of(action: &str, lower: &mut Lowered) -> Self {
        let bytes = action.as_bytes();
        lower.len = bytes.len();
        for (slot, b) in lower.bytes.iter_mut().zip(bytes) {
            *slot = b.to_ascii_lowercase();
        }
        let service = bytes.iter().position(|&b| b == b':').unwrap_or(bytes.len());
        match (lower.key(service), lower.key(bytes.len())) {
            (Some(service), Some(action)) => Self { service, action },
            _ => Self {
                service: key_of(bytes.get(..service).unwrap_or(bytes)),
                action: key_of(bytes),
            },
        }
    }
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
            keys: None,
            any: false,
        }
        .with_any()
    }

    fn with_any(mut self) -> Self {
        self.any = !self.not && self.patterns.iter().any(Pattern::is_any);
        self
    }

    /// An Action / NotAction list (case-insensitive), with its keys.
    fn actions(items: &Items, not: bool) -> Self {
        let mut m = Self::new(items, not, false, true);
        let wild = |t: &str| t.contains(['*', '?']);
        let mut keys = Vec::with_capacity(m.patterns.len());
        for v in items.values() {
            keys.push(match v.split_once(':') {
                _ if !wild(v) => PatternKey::Action(key_of(v.as_bytes())),
                Some((service, _)) if !wild(service) => PatternKey::Service(key_of(service.as_bytes())),
                _ => return m,
            });
        }
        m.keys = Some(keys.into_boxed_slice());
        m
    }

    fn matches(&self, text: &str, ctx: &Context) -> bool {
        self.any || self.patterns.iter().any(|p| p.matches(text, ctx)) != self.not
    }

    /// Match an action, given lowercased as `lower`, whose keys are `keys`.
    #[inline]
    fn matches_action(&self, action: &str, lower: Option<&[u8]>, keys: Keys, ctx: &Context) -> bool {
        if self.any {
            return true;
        }
        if let Some(k) = &self.keys {
            // Only the patterns the action's keys admit are compared; when none matches, an
            // Action list does not match and a NotAction list does.
            let hit = self.patterns.iter().zip(k.iter()).any(|(p, key)| {
                key.admits(keys)
                    && match lower {
                        Some(lower) => p.matches_folded(action, lower, ctx),
                        None => p.matches(action, ctx),
                    }
            });
            return hit != self.not;
        }
        match lower {
            Some(lower) => self.patterns.iter().any(|p| p.matches_folded(action, lower, ctx)) != self.not,
            None => self.matches(action, ctx),
        }
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
    /// `"*"` and nothing else.
    only_star: bool,
    aws: Vec<AwsPrincipal>,
    others: Vec<String>,
    not: bool,
}

/// An `AWS` principal entry, its parts read once when the policy is compiled.
#[derive(Clone, Debug)]
struct AwsPrincipal {
    raw: String,
    /// The account it names as a whole (`123456789012` or `arn:...:root`).
    root_of: Option<String>,
    /// `(account, role name)` of a role ARN (path-insensitive).
    role: Option<(String, String)>,
}

impl AwsPrincipal {
    fn new(raw: &str) -> Self {
        let arn = Arn::parse(raw);
        let root_of = if raw.len() == 12 {
            Some(raw.to_string())
        } else if raw.ends_with(":root") {
            arn.map(|a| a.account.to_string())
        } else {
            None
        };
        let role = arn.and_then(|a| role_name(a.resource).map(|name| (a.account.to_string(), name.to_string())));
        Self {
            raw: raw.to_string(),
            root_of,
            role,
        }
    }
}

/// The name of a role from its ARN's resource part (`role/PATH/NAME`): the path does not count.
fn role_name(resource: &str) -> Option<&str> {
    resource
        .strip_prefix("role/")
        .map(|r| r.rsplit('/').next().unwrap_or(r))
}

/// What rolekit can tell about the caller from its principal string.
#[derive(Clone, Copy)]
struct Caller<'a> {
    raw: &'a str,
    account: Option<&'a str>,
    /// `arn:...:iam::ACCOUNT:role/NAME` parts for an assumed-role session or a role.
    role_name: Option<&'a str>,
    /// An assumed-role session (`arn:...:sts::ACCOUNT:assumed-role/NAME/SESSION`).
    session: bool,
    /// A service-linked role or one of its sessions: SCPs and RCPs do not restrict it
    /// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
    /// "SCPs don't affect service-linked roles"; the same for RCPs in orgs_manage_policies_rcps.html).
    service_linked: bool,
}

fn caller(raw: &str) -> Caller<'_> {
    if crate::arn::is_account_id(raw) {
        return Caller {
            raw,
            account: Some(raw),
            role_name: None,
            session: false,
            service_linked: false,
        };
    }
    match Arn::parse(raw) {
        Some(a) => {
            let session = a.resource.starts_with("assumed-role/");
            let role_name = match a.resource.strip_prefix("assumed-role/") {
                Some(rest) => rest.split('/').next(),
                None => role_name(a.resource),
            };
            Caller {
                raw,
                account: Some(a.account),
                role_name,
                session,
                service_linked: a.resource.starts_with("role/aws-service-role/")
                    || role_name.is_some_and(|r| r.starts_with("AWSServiceRoleFor")),
            }
        }
        None => Caller {
            raw,
            account: None,
            role_name: None,
            session: false,
            service_linked: false,
        },
    }
}

/// An action lowercased, on the stack: IAM's longest action has 71 bytes (a longer one is
/// compared case-insensitively instead).
struct Lowered {
    bytes: [u8; 80],
    len: usize,
}

impl Lowered {
    fn get(&self) -> Option<&[u8]> {
        self.bytes.get(..self.len)
    }

    /// [`key_of`] the first `len` bytes, read a whole word at a time from the buffer (no byte
    /// copies into a last word: its bytes past `len` are masked off); `None` past the buffer.
    #[inline]
    fn key(&self, len: usize) -> Option<u64> {
        if len > self.len.min(self.bytes.len()) {
            return None;
        }
        let mut h = len as u64;
        let mut at = 0;
        while at < len {
            let mut word = [0u8; 8];
            word.copy_from_slice(self.bytes.get(at..at + 8)?);
            let mut word = u64::from_le_bytes(word);
            if len - at < 8 {
                word &= (1u64 << (8 * (len - at))) - 1;
            }
            // The copy is lowercased already.
            h = mix_lowercase(h, word);
            at += 8;
        }
        Some(finish(h))
    }
}

/// What one decision reads from its request more than once, worked out once.
struct Prepared<'a> {
    /// The action's keys.
    keys: Keys,
    /// The action lowercased: compared byte for byte with the (lowercased) action patterns.
    action_lower: Lowered,
    principal: Option<&'a str>,
    /// The caller's ARN parts, parsed on first use (most decisions never ask).
    caller: std::cell::OnceCell<Option<Caller<'a>>>,
    /// The resource's ARN parts, parsed on first use.
    resource_arn: std::cell::OnceCell<Option<Arn<'a>>>,
    resource: &'a str,
}

impl<'a> Prepared<'a> {
    fn new(req: &Request<'a>) -> Self {
        let mut action_lower = Lowered { bytes: [0; 80], len: 0 };
        Self {
            keys: Keys::of(req.action, &mut action_lower),
            action_lower,
            principal: req.principal,
            caller: std::cell::OnceCell::new(),
            resource_arn: std::cell::OnceCell::new(),
            resource: req.resource,
        }
    }

    fn resource_arn(&self) -> Option<Arn<'a>> {
        *self.resource_arn.get_or_init(|| Arn::parse(self.resource))
    }

    fn caller(&self) -> Option<&Caller<'a>> {
        self.caller.get_or_init(|| self.principal.map(caller)).as_ref()
    }
}

impl CPrincipal {
    fn new(p: &Principal, not: bool) -> Self {
        match p {
            Principal::Star(_) => Self {
                star: true,
                only_star: true,
                aws: Vec::new(),
                others: Vec::new(),
                not,
            },
            Principal::Map(entries) => {
                let mut aws = Vec::new();
                let mut others = Vec::new();
                for (ty, items) in entries {
                    if ty == "AWS" {
                        aws.extend(items.values().map(AwsPrincipal::new));
                    } else {
                        others.extend(items.values().map(str::to_string));
                    }
                }
                Self {
                    star: aws.iter().any(|a| a.raw == "*"),
                    only_star: others.is_empty() && !aws.is_empty() && aws.iter().all(|a| a.raw == "*"),
                    aws,
                    others,
                    not,
                }
            }
        }
    }

    /// How (if at all) the principal names the caller (read from `prep` only when the
    /// principal names someone in particular).
    fn name(&self, prep: &Prepared<'_>) -> Option<PrincipalMatch> {
        if self.only_star && !self.not {
            // `"*"` alone (the data perimeter's and the endpoint policy's principal).
            return Some(PrincipalMatch::Broad);
        }
        let Some(c) = prep.caller() else {
            return if self.not {
                None
            } else {
                self.star.then_some(PrincipalMatch::Broad)
            };
        };
        let mut best: Option<PrincipalMatch> = None;
        let mut bump = |m: PrincipalMatch| best = Some(best.map_or(m, |b| b.max(m)));
        if self.star {
            bump(PrincipalMatch::Broad);
        }
        if self.others.iter().any(|o| o == c.raw) {
            bump(PrincipalMatch::Exact);
        }
        for entry in &self.aws {
            if entry.raw == c.raw {
                bump(PrincipalMatch::Exact);
                continue;
            }
            if entry.root_of.is_some() && entry.root_of.as_deref() == c.account {
                bump(PrincipalMatch::Account);
                continue;
            }
            // A role ARN in the policy matches the role's sessions (path-insensitive).
            if let (Some(role), Some((account, name))) = (c.role_name, &entry.role) {
                if name == role && Some(account.as_str()) == c.account {
                    bump(if c.session {
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
    fn check(
        &self,
        req: &Request<'_>,
        prep: &Prepared<'_>,
        resource_policy: bool,
    ) -> Result<Option<PrincipalMatch>, Miss> {
        self.covers(req, prep)?;
        let named = if resource_policy {
            match &self.principal {
                Some(p) => Some(p.name(prep).ok_or(Miss::Principal)?),
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

    /// Whether the statement's Action and Resource (or their Not forms) take in the request.
    fn covers(&self, req: &Request<'_>, prep: &Prepared<'_>) -> Result<(), Miss> {
        match &self.actions {
            Some(a) if a.matches_action(req.action, prep.action_lower.get(), prep.keys, req.context) => {}
            _ => return Err(Miss::Action),
        }
        match &self.resources {
            Some(r) if !r.matches(req.resource, req.context) => Err(Miss::Resource),
            _ => Ok(()),
        }
    }

    /// `Some(names every principal)` when the statement matches every action and resource
    /// whatever the context.
    fn allows_all(&self) -> Option<bool> {
        let everything = |m: &Option<Matcher>| m.as_ref().is_some_and(|m| m.any);
        (everything(&self.actions) && everything(&self.resources) && self.conditions.is_empty())
            .then(|| self.principal.as_ref().is_some_and(|p| p.only_star && !p.not))
    }

    /// Whether IAM refuses the statement in a policy of `role`: one with neither Resource nor
    /// NotResource in a permissions policy. It takes no part in a decision, as the statements
    /// refused whatever the policy ([`CompiledPolicy::refused`]).
    fn refused_in(&self, role: Role) -> bool {
        self.resources.is_none() && role.needs_resource()
    }

    /// Whether the statement names its principals with NotPrincipal.
    fn not_principal(&self) -> bool {
        self.principal.as_ref().is_some_and(|p| p.not)
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
    /// How many patterns and condition values the statements hold: what one decision's work grows
    /// with (with the request's context, through policy variables).
    pub weight: usize,
    /// Whether any statement denies: a policy whose allows no longer matter is then skipped.
    has_deny: bool,
    /// The statements with neither Resource nor NotResource (refused in a permissions policy,
    /// [`CStatement::refused_in`]), bit `i % 64` of block `i / 64`; empty when there are none.
    resourceless: Vec<u64>,
    /// Which statements a request's action can match, by its keys: the others are not read.
    index: Option<ActionIndex>,
    /// The first Allow statement, when it allows every action on every resource without a
    /// condition (`FullAWSAccess`, `RCPFullAWSAccess`, the default endpoint policy), and whether
    /// it names every principal (`"*"`): it is then known to apply without being read.
    allows_all: Option<(usize, bool)>,
    /// Whether it reads a key AWS derives from the caller ([`principal::principal_keys`]).
    pub reads_principal: bool,
    /// Whether it reads a key AWS derives from the resource ([`principal::resource_keys`]).
    pub reads_resource: bool,
    /// The statements IAM refuses whatever the policy's kind, left out of every decision (an
    /// explanation says so: a policy with one cannot be in force as written).
    pub refused: Vec<Refused>,
}

/// A statement left out of every decision because IAM refuses it (`validate` says how to fix it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// `Sid` or `#index`.
    pub label: String,
    pub line: u32,
    pub why: RefusedWhy,
}

/// What IAM refuses in a [`Refused`] statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefusedWhy {
    /// No Effect, or one that is not `Allow` or `Deny` (case-sensitive).
    Effect,
    /// Neither Action nor NotAction.
    NoAction,
    /// A condition operator IAM does not have, as written (a condition on it could hold for no
    /// request, or for all: neither is IAM's, which refuses the policy).
    Operator(String),
    /// Neither Resource nor NotResource, in a permissions policy ([`CStatement::refused_in`]; not
    /// in [`CompiledPolicy::refused`], which is the same whatever the policy's kind).
    NoResource,
}

impl RefusedWhy {
    /// Why, in a few words.
    pub fn says(&self) -> String {
        match self {
            Self::Effect => "its Effect is not \"Allow\" or \"Deny\"".into(),
            Self::NoAction => "it has neither Action nor NotAction".into(),
            Self::Operator(op) => format!("{op:?} is not a condition operator"),
            Self::NoResource => "it has neither Resource nor NotResource".into(),
        }
    }
}

impl Refused {
    fn new(s: &crate::model::Statement, why: RefusedWhy) -> Self {
        Self {
            label: s.label(),
            line: s.pos.line,
            why,
        }
    }
}

/// For a policy of 4 to 64 statements: the statements (bit `i` for statement `i`) each action
/// key and service key can match, and those any action can (NotAction, `*`, a wildcard in the
/// service). A request reads only the statements its keys select.
#[derive(Clone, Debug, Default)]
struct ActionIndex {
    always: u64,
    /// `(key, statements)`, one entry per key, open-addressed by the key's low bits (a slot with
    /// no statements is empty): one or two probes per lookup.
    by_key: Vec<(u64, u64)>,
    /// How many statements it was built for.
    statements: usize,
}

impl ActionIndex {
    fn new(statements: &[CStatement]) -> Option<Self> {
        // Below a few statements, reading them costs less than the lookups.
        if statements.len() > 64 || statements.len() < 4 {
            return None;
        }
        let mut index = Self {
            statements: statements.len(),
            ..Self::default()
        };
        let mut keyed: Vec<(u64, u64)> = Vec::new();
        for (i, s) in statements.iter().enumerate() {
            let bit = 1u64 << i;
            // A NotAction list's keys say which actions it leaves out, not which it selects.
            match s
                .actions
                .as_ref()
                .and_then(|a| a.keys.as_ref().filter(|_| !a.any && !a.not))
            {
                Some(keys) => keyed.extend(keys.iter().map(|k| (k.key(), bit))),
                None => index.always |= bit,
            }
        }
        index.by_key = vec![(0, 0); (keyed.len() * 2).next_power_of_two().max(8)];
        let mask = index.by_key.len() - 1;
        for (key, bit) in keyed {
            let mut at = Self::slot(key, mask);
            // The table is at least twice the keys: a free or matching slot is always found.
            while index.by_key[at].1 != 0 && index.by_key[at].0 != key {
                at = (at + 1) & mask;
            }
            index.by_key[at] = (key, index.by_key[at].1 | bit);
        }
        Some(index)
    }

    fn slot(key: u64, mask: usize) -> usize {
        // The key folds its high bits into its low ones: they index a table of a few dozen slots.
        usize::try_from(key & 0xffff_ffff).unwrap_or(0) & mask
    }

    /// The statements a request with `keys` can match.
    #[inline]
    fn candidates(&self, keys: Keys) -> u64 {
        let mask = self.by_key.len().wrapping_sub(1);
        let of = |key: u64| {
            let mut at = Self::slot(key, mask);
            loop {
                match self.by_key.get(at) {
                    Some(&(k, statements)) if statements != 0 && k != key => at = (at + 1) & mask,
                    Some(&(k, statements)) if k == key => return statements,
                    _ => return 0,
                }
            }
        };
        self.always | of(keys.action) | of(keys.service)
    }
}

impl CompiledPolicy {
    /// Compile a policy. Statements without a valid Effect, with no Action / NotAction, or with a
    /// condition operator IAM does not have are left out ([`CompiledPolicy::refused`]): IAM
    /// would have rejected them (validate reports why).
    pub fn new(policy: &Policy) -> Self {
        let variables = policy.version.as_deref() == Some(VERSION_2012);
        let mut refused = Vec::new();
        let statements: Vec<CStatement> = policy
            .statements
            .iter()
            .filter_map(|s| {
                let mut refuse = |why| {
                    refused.push(Refused::new(s, why));
                    None
                };
                let Some(effect) = s.effect else {
                    return refuse(RefusedWhy::Effect);
                };
                let actions = match (&s.action, &s.not_action) {
                    (Some(a), _) => Matcher::actions(a, false),
                    (None, Some(n)) => Matcher::actions(n, true),
                    _ => return refuse(RefusedWhy::NoAction),
                };
                if let Some(c) = s.conditions.iter().find(|c| c.operator.base.is_none()) {
                    return refuse(RefusedWhy::Operator(c.operator.raw.clone()));
                }
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
        let weight = policy.statements.iter().map(weight).sum();
        let has_deny = statements.iter().any(|s| s.effect == Effect::Deny);
        let mut resourceless = Vec::new();
        for (i, _) in statements.iter().enumerate().filter(|(_, s)| s.resources.is_none()) {
            resourceless.resize(resourceless.len().max(i / 64 + 1), 0u64);
            resourceless[i / 64] |= 1 << (i % 64);
        }
        let index = ActionIndex::new(&statements);
        let allows_all = statements
            .iter()
            .position(|s| s.effect == Effect::Allow)
            .and_then(|i| Some((i, statements[i].allows_all()?)));
        Self {
            statements,
            weight,
            has_deny,
            resourceless,
            index,
            allows_all,
            reads_principal: principal::reads_principal_keys(policy),
            reads_resource: principal::reads_resource_keys(policy),
            refused,
        }
    }
}

/// The patterns and condition values of one statement.
fn weight(s: &crate::model::Statement) -> usize {
    let items = |i: &Option<crate::model::Items>| i.as_ref().map_or(0, |i| i.items.len());
    let principals = |p: &Option<crate::model::Principal>| match p {
        Some(crate::model::Principal::Map(m)) => m.iter().map(|(_, i)| i.items.len()).sum(),
        Some(crate::model::Principal::Star(_)) => 1,
        None => 0,
    };
    items(&s.action)
        + items(&s.not_action)
        + items(&s.resource)
        + items(&s.not_resource)
        + principals(&s.principal)
        + principals(&s.not_principal)
        + s.conditions.iter().map(|c| c.values.items.len()).sum::<usize>()
}

/// The policies that take part in a decision, and the organization it is made in.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policies<'a> {
    pub identity: &'a [&'a CompiledPolicy],
    pub resource: Option<&'a CompiledPolicy>,
    pub boundary: Option<&'a CompiledPolicy>,
    pub session: Option<&'a CompiledPolicy>,
    /// The service control policies in force, one slice per level of the organization, from the
    /// root down to the caller's account. Empty: the caller is in no organization.
    pub scps: &'a [&'a [&'a CompiledPolicy]],
    /// The resource control policies in force for the resource's account, same shape. AWS
    /// attaches `RCPFullAWSAccess` (allow everything) at every level and it cannot be detached,
    /// so levels never deny by omission: only the statements given here that deny matter.
    pub rcps: &'a [&'a [&'a CompiledPolicy]],
    /// The VPC endpoint policy the request passes through: it must allow, and never grants.
    pub endpoint: Option<&'a CompiledPolicy>,
    /// The caller is in the organization's management account, where SCPs do not apply.
    pub management_account: bool,
    /// The account that owns the resource when its ARN does not say (S3 buckets and objects).
    pub resource_account: Option<&'a str>,
}

impl<'a> Policies<'a> {
    fn each(&self) -> impl Iterator<Item = (Role, &'a CompiledPolicy)> + '_ {
        let leveled = |list: &'a [&'a [&'a CompiledPolicy]], scp: bool| {
            list.iter().enumerate().flat_map(move |(level, policies)| {
                policies.iter().enumerate().map(move |(index, p)| {
                    let role = if scp {
                        Role::Scp { level, index }
                    } else {
                        Role::Rcp { level, index }
                    };
                    (role, *p)
                })
            })
        };
        self.identity
            .iter()
            .enumerate()
            .map(|(i, p)| (Role::Identity(i), *p))
            .chain(self.resource.map(|p| (Role::Resource, p)))
            .chain(self.boundary.map(|p| (Role::Boundary, p)))
            .chain(self.session.map(|p| (Role::Session, p)))
            .chain(leveled(self.scps, true))
            .chain(leveled(self.rcps, false))
            .chain(self.endpoint.map(|p| (Role::Endpoint, p)))
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
    /// The policy types that denied (explicitly, or by not allowing where an allow was needed),
    /// in the order of [`KINDS`]; empty when allowed, and when a rule of AWS's own decided.
    pub blocked_by: &'static [&'static str],
    /// The rule of AWS's own that decided before any policy was read, if one did.
    pub rule: Option<ServiceRule>,
}

/// A rule AWS applies whatever the policies say: it decides a request before they are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceRule {
    /// Allowed (`Allow`) or refused whatever any policy says (`ExplicitDeny`).
    pub verdict: Verdict,
    /// The rule, in a sentence.
    pub says: &'static str,
    /// The AWS page that states it.
    pub doc: &'static str,
}

/// "No permissions are required to perform this operation. If an administrator attaches a policy
/// to your identity that explicitly denies access to the sts:GetCallerIdentity action, you can
/// still perform this operation."
const GET_CALLER_IDENTITY: ServiceRule = ServiceRule {
    verdict: Verdict::Allow,
    says: "sts:GetCallerIdentity needs no permission: no policy can deny it",
    doc: "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
};

/// A service-linked role's trust and permissions are the service's: "you can't edit the
/// permissions for a service-linked role", and it is deleted through the service
/// (iam:DeleteServiceLinkedRole), not iam:DeleteRole. Its description stays editable.
const SERVICE_LINKED_ROLE: ServiceRule = ServiceRule {
    verdict: Verdict::ExplicitDeny,
    says: "a service-linked role (path /aws-service-role/) belongs to its service: its policies, trust and \
           boundary cannot be changed, and it is deleted with iam:DeleteServiceLinkedRole",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html",
};

/// Roles under `/aws-reserved/` (IAM Identity Center's permission-set roles) are provisioned and
/// changed by the service through its service-linked role (AWSSSOServiceRolePolicy grants it the
/// changes on `role/aws-reserved/sso.amazonaws.com/*`); customers' principals cannot change them.
const RESERVED_ROLE: ServiceRule = ServiceRule {
    verdict: Verdict::ExplicitDeny,
    says: "a role under /aws-reserved/ is managed by its AWS service (IAM Identity Center's permission sets): \
           change the permission set, not the role",
    doc: "https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html",
};

/// "You cannot change the permissions defined in AWS managed policies."
const AWS_MANAGED_POLICY: ServiceRule = ServiceRule {
    verdict: Verdict::ExplicitDeny,
    says: "an AWS managed policy (arn:aws:iam::aws:policy/...) cannot be changed or deleted: copy it into a \
           customer managed policy",
    doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
};

/// "The alias name cannot begin with alias/aws/. The alias/aws/ prefix is reserved for AWS
/// managed keys." (CreateAlias; UpdateAlias and DeleteAlias likewise refuse them.)
const AWS_KMS_ALIAS: ServiceRule = ServiceRule {
    verdict: Verdict::ExplicitDeny,
    says: "KMS aliases that begin with alias/aws/ are reserved for AWS managed keys: they cannot be created, \
           changed or deleted",
    doc: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
};

/// The IAM actions that change a role.
const ROLE_CHANGES: [&str; 12] = [
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRole",
    // Also editable on a service-linked role (its description), never on a reserved one.
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:TagRole",
    "iam:UntagRole",
];
/// How many of `ROLE_CHANGES`, from the start, a service-linked role refuses.
const SERVICE_LINKED_REFUSES: usize = 8;

/// The IAM actions that change a managed policy.
const POLICY_CHANGES: [&str; 6] = [
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeletePolicy",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

/// The rule of AWS's own that decides `req` whatever the policies say, if one does.
pub fn service_rule(req: &Request<'_>) -> Option<ServiceRule> {
    rule_for(req, &Prepared::new(req))
}

/// Keys of the services whose actions the rules below name.
const STS: u64 = key_of(b"sts");
const IAM: u64 = key_of(b"iam");
const KMS: u64 = key_of(b"kms");

fn rule_for(req: &Request<'_>, prep: &Prepared<'_>) -> Option<ServiceRule> {
    // Only STS, IAM and KMS actions have rules: one integer compare for every other request.
    if prep.keys.service != STS && prep.keys.service != IAM && prep.keys.service != KMS {
        return None;
    }
    let action = req.action;
    if action.eq_ignore_ascii_case("sts:GetCallerIdentity") {
        return Some(GET_CALLER_IDENTITY);
    }
    let one_of = |list: &[&str]| list.iter().any(|a| a.eq_ignore_ascii_case(action));
    // Only IAM and KMS actions have rules on their resources: read the ARN for those alone.
    let service = action.split_once(':').map(|(s, _)| s)?;
    if !service.eq_ignore_ascii_case("iam") && !service.eq_ignore_ascii_case("kms") {
        return None;
    }
    let arn = prep.resource_arn()?;
    // The services that own these resources change them themselves.
    let by_a_service = req.principal.is_some_and(|p| p.ends_with(".amazonaws.com")) || service_linked(prep);
    match arn.service {
        "iam" if !by_a_service => {
            if let Some(path) = arn.resource.strip_prefix("role/") {
                if path.starts_with("aws-reserved/") && one_of(&ROLE_CHANGES) {
                    return Some(RESERVED_ROLE);
                }
                if path.starts_with("aws-service-role/") && one_of(&ROLE_CHANGES[..SERVICE_LINKED_REFUSES]) {
                    return Some(SERVICE_LINKED_ROLE);
                }
            }
            (arn.account == "aws" && arn.resource.starts_with("policy/") && one_of(&POLICY_CHANGES))
                .then_some(AWS_MANAGED_POLICY)
        }
        "kms" => (arn.resource.starts_with("alias/aws/")
            && one_of(&["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]))
        .then_some(AWS_KMS_ALIAS),
        _ => None,
    }
}

/// Every set of policy types (bit `i` for `KINDS[i]`) listed in the order of [`KINDS`], and
/// how many each holds: a decision's `blocked_by` is one of these, without an allocation.
const KIND_SETS: ([[&str; 7]; 128], [usize; 128]) = {
    let mut sets = [[""; 7]; 128];
    let mut lens = [0; 128];
    let mut mask = 0;
    while mask < 128 {
        let mut i = 0;
        while i < 7 {
            if mask & (1 << i) != 0 {
                sets[mask][lens[mask]] = KINDS[i];
                lens[mask] += 1;
            }
            i += 1;
        }
        mask += 1;
    }
    (sets, lens)
};
static KIND_LISTS: [[&str; 7]; 128] = KIND_SETS.0;

/// The policy types in `mask` (bit `i` for `KINDS[i]`), in the order of [`KINDS`].
fn kinds_in_order(mask: u8) -> &'static [&'static str] {
    let mask = usize::from(mask & 0x7f);
    &KIND_LISTS[mask][..KIND_SETS.1[mask]]
}

/// The bit of a policy type in a `kinds_in_order` mask.
fn kind_bit(kind: &str) -> u8 {
    KINDS.iter().position(|k| *k == kind).map_or(0, |i| 1 << i)
}

/// The account a request's resource belongs to: its ARN's, else the one given.
fn resource_account<'s>(prep: &'s Prepared<'_>, policies: &'s Policies<'_>) -> Option<&'s str> {
    prep.resource_arn()
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
        .or(policies.resource_account)
}

/// Whether the caller is a service-linked role or one of its sessions ([`Caller::service_linked`]).
fn service_linked(prep: &Prepared<'_>) -> bool {
    prep.caller().is_some_and(|c| c.service_linked)
}

/// Whether the resource belongs to another account than the caller's. AWS managed policies
/// (`arn:aws:iam::aws:policy/...`) belong to no customer account: any account reads them with an
/// identity-based allow alone (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies).
fn cross_account(prep: &Prepared<'_>, policies: &Policies<'_>) -> bool {
    // The resource's account first: an S3 ARN has none, and the caller is then not read.
    if prep.principal.is_none() {
        return false;
    }
    let Some(resource) = resource_account(prep, policies).filter(|r| *r != "*" && *r != "aws") else {
        return false;
    };
    prep.caller()
        .and_then(|c| c.account)
        .is_some_and(|caller| caller != resource)
}

/// Why `action` cannot be the action of a request (`service:Action`, as IAM's simulator and every
/// AWS request name it): the validator's rule for a policy's actions, and neither part may be
/// empty. None when it can; `*` and wildcards are let through (they match as patterns do).
pub fn request_action_problem(action: &str) -> Option<String> {
    // Every request asks this: a name of one colon with both parts there and a service prefix of
    // letters, digits, `-` and `.` is read in one pass (the rule's common case, never a problem).
    if let Some((service, name)) = action.split_once(':') {
        let plain = !service.is_empty()
            && !name.is_empty()
            && service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !name.contains(':');
        if plain {
            return None;
        }
    }
    if let Some((_, message, _)) = crate::validate::action_format_problem(action) {
        return Some(message);
    }
    match action.split_once(':') {
        Some((service, name)) if service.is_empty() || name.is_empty() => Some(format!(
            "action {action:?} needs both parts of service:Action, e.g. s3:GetObject"
        )),
        _ => None,
    }
}

/// Whether `identity` alone (no resource policy, boundary or session policy) allows `action` on
/// `resource` with `context`: the question a policy answers about itself (`Policy.allows`).
pub fn identity_allows(identity: &[&CompiledPolicy], action: &str, resource: &str, context: &Context) -> bool {
    identity_only(identity, (action, resource), context, |p, req| {
        evaluate(p, req).verdict == Verdict::Allow
    })
}

/// `then` of the request for `action` on `resource` with `context`, by no named principal,
/// against `identity` alone.
pub(crate) fn identity_only<T>(
    identity: &[&CompiledPolicy],
    (action, resource): (&str, &str),
    context: &Context,
    then: impl FnOnce(&Policies<'_>, &Request<'_>) -> T,
) -> T {
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
    then(&policies, &req)
}

/// Decide `req` against `policies`, within the work budget (`budget`): a decision that met a
/// limit says so in `limit`.
pub fn evaluate(policies: &Policies<'_>, req: &Request<'_>) -> Decision {
    budget::start();
    let mut decision = decide(policies, req, &Prepared::new(req));
    decision.limit = budget::finish();
    decision
}

/// Requests whose resource policy must allow even in the same account: the STS actions a role's
/// trust policy decides, and every KMS action on a key, whose key policy decides ("unless the key
/// policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key"; the
/// account principal in the key policy delegates to IAM policies:
/// https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
fn resource_policy_decides(action: &str, prep: &Prepared<'_>) -> bool {
    let sts = prep.keys.service == STS
        && [
            "sts:AssumeRole",
            "sts:AssumeRoleWithSAML",
            "sts:AssumeRoleWithWebIdentity",
            "sts:TagSession",
            "sts:SetSourceIdentity",
        ]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action));
    let kms_key = prep.keys.service == KMS
        && action.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:"))
        && prep
            .resource_arn()
            .is_some_and(|a| a.service == "kms" && a.resource.starts_with("key/"));
    sts || kms_key
}

/// IAM's evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
/// an explicit Deny in any policy denies; then the organization's SCPs must allow (every level,
/// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html),
/// its RCPs must not deny, the VPC endpoint policy must allow
/// (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html), and the
/// identity, resource, boundary and session policies must allow as the User Guide says.
fn decide(policies: &Policies<'_>, req: &Request<'_>, prep: &Prepared<'_>) -> Decision {
    if let Some(rule) = rule_for(req, prep) {
        return Decision {
            verdict: rule.verdict,
            matched: Vec::new(),
            limit: None,
            blocked_by: &[],
            rule: Some(rule),
        };
    }
    let mut found = Found::default();
    gather(&mut found, policies, req, prep, false);
    // SCPs and RCPs do not restrict service-linked roles. Whether the caller is one is read only
    // when they restricted this request; it is then gathered again without them.
    if found.organization_restricts() && service_linked(prep) {
        found = gather_for_service_linked(policies, req, prep);
    }
    if !found.denies.is_empty() {
        let mask = found.denies.iter().fold(0, |m, h| m | kind_bit(h.role.kind()));
        return Decision {
            verdict: Verdict::ExplicitDeny,
            matched: found.denies,
            limit: None,
            blocked_by: kinds_in_order(mask),
            rule: None,
        };
    }
    conclude(policies, req, prep, &found)
}

/// Per level of an organization, the first SCP statement that allows (`(index of the policy at
/// the level, statement)`), held without an allocation for the root, five levels of OUs and the
/// account (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html);
/// deeper (made-up) organizations spill into a list.
#[derive(Default)]
struct PerLevel {
    first: [Option<(u32, u32)>; 8],
    more: Vec<Option<(u32, u32)>>,
    levels: usize,
    /// How many levels have no allow yet.
    missing: usize,
}

impl PerLevel {
    fn new(levels: usize) -> Self {
        Self {
            first: [None; 8],
            more: vec![None; levels.saturating_sub(8)],
            levels,
            missing: levels,
        }
    }

    /// Record `allow` as `level`'s, unless the level has one already.
    fn record(&mut self, level: usize, allow: (u32, u32)) {
        if let Some(slot @ None) = self.get_mut(level) {
            *slot = Some(allow);
            self.missing -= 1;
        }
    }

    /// Whether every level has an allow.
    fn complete(&self) -> bool {
        self.missing == 0
    }

    fn get(&self, level: usize) -> Option<&Option<(u32, u32)>> {
        if level < 8 {
            self.first.get(level).filter(|_| level < self.levels)
        } else {
            self.more.get(level - 8)
        }
    }

    fn get_mut(&mut self, level: usize) -> Option<&mut Option<(u32, u32)>> {
        if level < 8 {
            self.first.get_mut(level).filter(|_| level < self.levels)
        } else {
            self.more.get_mut(level - 8)
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Option<(u32, u32)>> {
        self.first.iter().take(self.levels).chain(&self.more)
    }

    fn len(&self) -> usize {
        self.levels
    }
}

/// A level's allow as the `Hit` it stands for.
fn scp_hit(level: usize, allow: Option<(u32, u32)>) -> Option<Hit> {
    allow.map(|(index, statement)| Hit {
        role: Role::Scp {
            level,
            index: index as usize,
        },
        statement: statement as usize,
    })
}

/// What the statements of every applicable policy say about a request.
#[derive(Default)]
struct Found {
    /// An anonymous (unsigned) caller: no identity, so only resource policies and RCPs apply.
    anonymous: bool,
    scps_apply: bool,
    /// The statements that deny (allocated only when one does: it becomes `Decision.matched`).
    denies: Vec<Hit>,
    identity_allow: Option<Hit>,
    boundary_allow: Option<Hit>,
    session_allow: Option<Hit>,
    endpoint_allow: Option<Hit>,
    scp_allows: PerLevel,
    resource_allow: Option<(Hit, PrincipalMatch)>,
}

impl Found {
    /// Whether an SCP or RCP denied, or a level of SCPs did not allow: what a service-linked
    /// caller would change.
    fn organization_restricts(&self) -> bool {
        self.denies
            .iter()
            .any(|h| matches!(h.role, Role::Scp { .. } | Role::Rcp { .. }))
            || (self.scps_apply && !self.scp_allows.complete())
    }

    /// Whether an Allow of `role` still matters (the first one is kept for `matched`).
    fn wants_allow(&self, role: Role) -> bool {
        self.denies.is_empty()
            && match role {
                Role::Identity(_) => self.identity_allow.is_none(),
                Role::Boundary => self.boundary_allow.is_none(),
                Role::Session => self.session_allow.is_none(),
                Role::Resource => self.resource_allow.is_none_or(|(_, m)| m != PrincipalMatch::Exact),
                Role::Scp { level, .. } => self.scp_allows.get(level).is_some_and(Option::is_none),
                // RCPFullAWSAccess allows everything at every level: an RCP's Allow adds nothing.
                Role::Rcp { .. } => false,
                Role::Endpoint => self.endpoint_allow.is_none(),
            }
    }

    fn allow(&mut self, hit: Hit, named: Option<PrincipalMatch>) {
        match hit.role {
            Role::Identity(_) => {
                self.identity_allow.get_or_insert(hit);
            }
            Role::Boundary => {
                self.boundary_allow.get_or_insert(hit);
            }
            Role::Session => {
                self.session_allow.get_or_insert(hit);
            }
            Role::Scp { level, index } => {
                if let (Ok(index), Ok(statement)) = (u32::try_from(index), u32::try_from(hit.statement)) {
                    self.scp_allows.record(level, (index, statement));
                }
            }
            Role::Endpoint => {
                self.endpoint_allow.get_or_insert(hit);
            }
            Role::Rcp { .. } => {}
            Role::Resource => {
                let m = named.unwrap_or(PrincipalMatch::Account);
                if self.resource_allow.is_none_or(|(_, best)| m > best) {
                    self.resource_allow = Some((hit, m));
                }
            }
        }
    }

    /// Read one policy's statements into what was found.
    // Inlined into `gather`'s six calls: the call itself cost more than a policy that allows
    // everything (measured: 3,513 -> 3,339 instructions per decision in an organization).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn scan(&mut self, role: Role, policy: &CompiledPolicy, req: &Request<'_>, prep: &Prepared<'_>, bounded: bool) {
        // A policy whose allows no longer matter and that denies nothing has nothing to add.
        if !policy.has_deny && !self.wants_allow(role) {
            return;
        }
        let names = role.names_principals();
        // The statements of the 64-statement block at `base` that can take part in the decision.
        let takes_part = |base: usize| {
            let block = policy.resourceless.get(base / 64).copied().unwrap_or(0);
            if role.needs_resource() {
                !block
            } else {
                u64::MAX
            }
        };
        // A policy that allows everything (the resource-based policy aside, whose allow depends
        // on how it names the caller) needs only its denies read.
        if let Some((i, star)) = policy.allows_all {
            if role != Role::Resource && (star || !names) && self.wants_allow(role) {
                self.allow(Hit { role, statement: i }, None);
                if !policy.has_deny {
                    return;
                }
            }
        }
        // The statements to read, 64 at a time (bit `i` for statement `base + i`): those the
        // action's keys select where the policy is indexed, else all of them. One loop, so the
        // per-statement work below is written (and inlined) once.
        let indexed = policy
            .index
            .as_ref()
            .filter(|index| index.statements == policy.statements.len());
        for base in (0..policy.statements.len()).step_by(64) {
            let mut pending = match indexed {
                Some(index) => index.candidates(prep.keys),
                None => u64::MAX >> 64usize.saturating_sub(policy.statements.len() - base),
            } & takes_part(base);
            while pending != 0 {
                let i = base + pending.trailing_zeros() as usize;
                pending &= pending - 1;
                let Some(s) = policy.statements.get(i) else {
                    break;
                };
                if s.effect == Effect::Allow && !self.wants_allow(role) {
                    continue;
                }
                // "The NotPrincipal element with a Deny effect will always deny any IAM principal
                // that has a permissions boundary policy attached, regardless of the values
                // specified in the NotPrincipal element." (access_policies_boundaries.html)
                let blind = role == Role::Resource && bounded && s.effect == Effect::Deny && s.not_principal();
                let Ok(named) = s.check(req, prep, names && !blind) else {
                    continue;
                };
                let hit = Hit { role, statement: i };
                if s.effect == Effect::Deny {
                    self.denies.push(hit);
                } else {
                    self.allow(hit, named);
                }
            }
        }
    }
}

/// Whether RCPs restrict the request's action: they apply to the actions of a list of services
/// (orgs_manage_policies_rcps.html, "List of AWS services that support RCPs"), and never to
/// `kms:RetireGrant` ("Resources and entities not restricted by RCPs").
fn rcps_govern(prep: &Prepared<'_>) -> bool {
    let Ok(at) = RCP_KEYS.binary_search_by_key(&prep.keys.service, |&(key, _)| key) else {
        return false;
    };
    // The key found: make sure of the name (a made-up service could share a key).
    let (Some(listed), Some(action)) = (
        RCP_KEYS.get(at).and_then(|&(_, i)| RCP_SERVICES.get(i)),
        prep.action_lower.get(),
    ) else {
        return false;
    };
    action.get(..listed.len()) == Some(*listed)
        && action.get(listed.len()) == Some(&b':')
        && prep.keys.action != KMS_RETIRE_GRANT
}

const KMS_RETIRE_GRANT: u64 = key_of(b"kms:retiregrant");

/// [`RCP_SERVICES`]' keys ([`key_of`]) with their index there, sorted by key: a request's service
/// key is looked up among integers.
const RCP_KEYS: [(u64, usize); RCP_SERVICES.len()] = {
    let mut out = [(0u64, 0usize); RCP_SERVICES.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = (key_of(RCP_SERVICES[i]), i);
        let mut j = i;
        while j > 0 && out[j - 1].0 > out[j].0 {
            let moved = out[j - 1];
            out[j - 1] = out[j];
            out[j] = moved;
            j -= 1;
        }
        i += 1;
    }
    out
};

/// The service prefixes RCPs apply to (orgs_manage_policies_rcps.html#rcp-supported-services).
const RCP_SERVICES: [&[u8]; 62] = [
    b"aoss",
    b"appconfig",
    b"appstream",
    b"autoscaling",
    b"autoscaling-plans",
    b"budgets",
    b"clouddirectory",
    b"cloudfront",
    b"cloudsearch",
    b"cloudtrail-data",
    b"codeartifact",
    b"codebuild",
    b"codecommit",
    b"codepipeline",
    b"cognito-identity",
    b"cognito-idp",
    b"comprehend",
    b"comprehendmedical",
    b"compute-optimizer",
    b"cost-optimization-hub",
    b"dax",
    b"dsql",
    b"dynamodb",
    b"ecr",
    b"ecr-public",
    b"events",
    b"firehose",
    b"fis",
    b"fms",
    b"gamelift",
    b"health",
    b"inspector-scan",
    b"kendra",
    b"kinesisvideo",
    b"kms",
    b"logs",
    b"memorydb",
    b"networkmonitor",
    b"notifications",
    b"opensearch",
    b"pca-connector-ad",
    b"personalize",
    b"polly",
    b"pricing",
    b"resource-groups",
    b"rolesanywhere",
    b"s3",
    b"secretsmanager",
    b"servicediscovery",
    b"signin",
    b"sqs",
    b"sts",
    b"support",
    b"swf",
    b"textract",
    b"timestream-influxdb",
    b"transcribe",
    b"transfer",
    b"translate",
    b"wafv2",
    b"workspaces",
    b"xray",
];

/// [`gather`] for a service-linked caller (rare: kept out of the common path).
#[cold]
#[inline(never)]
fn gather_for_service_linked(policies: &Policies<'_>, req: &Request<'_>, prep: &Prepared<'_>) -> Found {
    let mut found = Found::default();
    gather(&mut found, policies, req, prep, true);
    found
}

/// Every applicable policy's statements, in the order of [`Policies::each`], read into `found`
/// (filled in place: returning it would copy it); `linked`: the caller is a service-linked role,
/// which the organization's SCPs and RCPs leave alone.
fn gather(found: &mut Found, policies: &Policies<'_>, req: &Request<'_>, prep: &Prepared<'_>, linked: bool) {
    let anonymous = req.principal == Some("*");
    let bounded = policies.boundary.is_some() && !anonymous;
    found.anonymous = anonymous;
    // SCPs limit the IAM users and roles of member accounts; a service principal acting on its
    // own is neither (orgs_manage_policies_scps.html, "SCPs affect only IAM users and roles that
    // are managed by accounts that are part of the organization").
    found.scps_apply = !policies.scps.is_empty()
        && !policies.management_account
        && !linked
        && !anonymous
        && !req.principal.is_some_and(principal::is_service_principal);
    found.scp_allows = PerLevel::new(policies.scps.len());
    if !anonymous {
        for (i, p) in policies.identity.iter().enumerate() {
            found.scan(Role::Identity(i), p, req, prep, bounded);
        }
    }
    if let Some(p) = policies.resource {
        found.scan(Role::Resource, p, req, prep, bounded);
    }
    if !anonymous {
        if let Some(p) = policies.boundary {
            found.scan(Role::Boundary, p, req, prep, bounded);
        }
        if let Some(p) = policies.session {
            found.scan(Role::Session, p, req, prep, bounded);
        }
    }
    if found.scps_apply {
        for (level, list) in policies.scps.iter().enumerate() {
            for (index, p) in list.iter().enumerate() {
                found.scan(Role::Scp { level, index }, p, req, prep, bounded);
            }
        }
    }
    if !linked && !policies.rcps.is_empty() && rcps_govern(prep) {
        for (level, list) in policies.rcps.iter().enumerate() {
            for (index, p) in list.iter().enumerate() {
                found.scan(Role::Rcp { level, index }, p, req, prep, bounded);
            }
        }
    }
    if let Some(p) = policies.endpoint {
        found.scan(Role::Endpoint, p, req, prep, bounded);
    }
}

/// No explicit deny: whether the guardrails (SCPs, the endpoint policy) and the principal's and
/// resource's policies allow, and if not, which did not.
fn conclude(policies: &Policies<'_>, req: &Request<'_>, prep: &Prepared<'_>, f: &Found) -> Decision {
    let mut blocked: u8 = 0;
    if f.scps_apply && !f.scp_allows.complete() {
        blocked |= kind_bit("scp");
    }
    if policies.endpoint.is_some() && f.endpoint_allow.is_none() {
        blocked |= kind_bit("endpoint");
    }
    let boundary_ok = f.anonymous || policies.boundary.is_none() || f.boundary_allow.is_some();
    let session_ok = f.anonymous || policies.session.is_none() || f.session_allow.is_some();
    let limits = f.boundary_allow.into_iter().chain(f.session_allow);
    let cross = cross_account(prep, policies);
    // A role's trust policy must allow whoever assumes it, in the same account too: it is the
    // role's resource-based policy, and unlike other resource policies its silence denies
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html, "the role's
    // trust policy must ... allow the principal"; the simulator takes the trust policy given as
    // the resource policy).
    let needs_resource = cross || (policies.resource.is_some() && resource_policy_decides(req.action, prep));
    // The statements that grant, when the principal's and the resource's policies allow.
    let mut granted: Option<Vec<Hit>> = None;
    if let Some(id) = f.identity_allow {
        if boundary_ok && session_ok && (!needs_resource || f.resource_allow.is_some()) {
            let mut matched = Vec::with_capacity(4 + f.scp_allows.len());
            matched.push(id);
            matched.extend(limits.clone());
            if cross {
                matched.extend(f.resource_allow.map(|(h, _)| h));
            }
            granted = Some(matched);
        }
    }
    if let (None, Some((hit, how))) = (&granted, f.resource_allow) {
        let alone = !cross
            && match how {
                PrincipalMatch::Exact => true,
                PrincipalMatch::Broad => boundary_ok && session_ok,
                PrincipalMatch::Account => false,
            };
        if alone {
            let mut matched = Vec::with_capacity(4 + f.scp_allows.len());
            matched.push(hit);
            if how == PrincipalMatch::Broad {
                matched.extend(limits);
            }
            granted = Some(matched);
        }
    }
    match granted {
        Some(mut matched) if blocked == 0 => {
            for (level, allow) in f.scp_allows.iter().enumerate() {
                matched.extend(scp_hit(level, *allow));
            }
            matched.extend(f.endpoint_allow);
            return Decision {
                verdict: Verdict::Allow,
                matched,
                limit: None,
                blocked_by: &[],
                rule: None,
            };
        }
        Some(_) => {}
        None => {
            // Which of the principal's and the resource's policies did not allow.
            if f.identity_allow.is_some() || f.resource_allow.is_some_and(|(_, m)| m == PrincipalMatch::Broad) {
                if !boundary_ok {
                    blocked |= kind_bit("boundary");
                }
                if !session_ok {
                    blocked |= kind_bit("session");
                }
            }
            if f.identity_allow.is_none() {
                blocked |= kind_bit("identity");
            }
            let resource_missing = f.resource_allow.is_none()
                && ((policies.resource.is_some() && (needs_resource || f.identity_allow.is_none()))
                    || (cross && f.identity_allow.is_some()));
            if resource_missing {
                blocked |= kind_bit("resource");
            }
        }
    }
    Decision {
        verdict: Verdict::ImplicitDeny,
        matched: Vec::new(),
        limit: None,
        blocked_by: kinds_in_order(blocked),
        rule: None,
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
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

/// Why a statement's Action list missed when it lists a name that is no action: the seed's
/// `s3:ListBuckets` written for `s3:ListAllMyBuckets` (the catalog's own rule and suggestion).
fn no_action_listed(s: &CStatement, req: &Request<'_>) -> String {
    let Some(actions) = s.actions.as_ref().filter(|a| !a.not) else {
        return String::new();
    };
    let cat = crate::catalog::catalog();
    let listed = actions.raw.iter().filter(|a| !a.contains(['*', '?'])).find_map(|a| {
        let (prefix, name) = a.split_once(':')?;
        let service = cat.service(prefix)?;
        let no = cat.not_an_action(Some(service), prefix, name, &[req.resource])?;
        Some((a, service, no.suggestion))
    });
    match listed {
        Some((a, service, Some(meant))) if meant.eq_ignore_ascii_case(req.action) => format!(
            " (it lists {a}, which is not an action of {}: {meant} is the one meant)",
            service.name
        ),
        Some((a, service, _)) => format!(" (it lists {a}, which is not an action of {})", service.name),
        None => String::new(),
    }
}

fn describe_miss(s: &CStatement, miss: Miss, req: &Request<'_>) -> String {
    match miss {
        Miss::Action => format!("its actions do not include {}{}", req.action, no_action_listed(s, req)),
        Miss::Resource => format!(
            "its resources do not include {}{}",
            req.resource,
            variables_note(s.resources.iter().flat_map(|m| &m.patterns), req.context)
        ),
        Miss::Principal => match req.principal {
            Some(p) => format!("its Principal does not name {p}"),
            None => "its Principal names specific callers and no principal was given".into(),
        },
        Miss::Condition(i) => condition_against(&s.conditions[i], req, "is false"),
    }
}

/// `its condition OP KEY VALUES <verdict>: the request has ...`, with what the variables stood for.
fn condition_against(c: &CCondition, req: &Request<'_>, verdict: &str) -> String {
    let got = req.context.get(&c.key_lower).map_or_else(
        || "the key is absent from the request".to_string(),
        |v| format!("the request has {v:?}"),
    );
    let vars = variables_note(c.patterns(), req.context);
    format!(
        "its condition {} {} {:?} {verdict}: {got}{vars}",
        c.operator, c.key, c.values
    )
}

/// `Allowed by` / `Denied by` the policy in `role` and its statement `s`, with each of the
/// statement's conditions and what the request had: why it applied.
fn decided_by(verb: &str, role: Role, s: &CStatement, req: &Request<'_>) -> String {
    let mut line = format!("{verb} by {}, {}", role.label(), describe_statement(s));
    for c in &s.conditions {
        line.push_str("; ");
        line.push_str(&condition_against(c, req, "holds"));
    }
    line.push('.');
    line
}

/// What the policy variables of `patterns` stood for in the request (` (${aws:username} is
/// "ana")`), or nothing when they have none: a pattern with a variable the request lacks matches
/// nothing (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
fn variables_note<'a>(patterns: impl IntoIterator<Item = &'a Pattern>, ctx: &Context) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    for (key, default) in patterns.into_iter().flat_map(Pattern::variables) {
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let why = match ctx.get(key) {
            Some([one]) => {
                parts.push(format!("${{{key}}} is {one:?}"));
                continue;
            }
            Some(many) if !many.is_empty() => format!("has {} values", many.len()),
            _ => "is not in the request".to_string(),
        };
        parts.push(match default {
            Some(d) => format!("${{{key}}} {why}, so its default {d:?} stands"),
            None => format!("${{{key}}} {why}, so the pattern matches nothing"),
        });
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// Why the organization's guardrails (SCPs, the VPC endpoint policy) did not allow a request.
fn guardrail_lines(policies: &Policies<'_>, req: &Request<'_>, decision: &Decision) -> Vec<String> {
    let prep = Prepared::new(req);
    let mut lines = Vec::new();
    if decision.blocked_by.contains(&"scp") {
        let open: Vec<String> = policies
            .scps
            .iter()
            .enumerate()
            .filter(|(_, level)| {
                !level.iter().any(|p| {
                    p.statements
                        .iter()
                        .any(|s| s.effect == Effect::Allow && s.check(req, &prep, false).is_ok())
                })
            })
            .map(|(i, _)| i.to_string())
            .collect();
        lines.push(format!(
            "The organization's SCPs do not allow it: no SCP at level {} (0 = the root) allows it, and every level \
             from the root to the account must.",
            open.join(", ")
        ));
    }
    if decision.blocked_by.contains(&"endpoint") {
        lines.push(
            "The VPC endpoint policy does not allow it: a request through the endpoint needs its allow (it grants \
             nothing by itself)."
                .into(),
        );
    }
    lines
}

/// The condition keys that statements taking in the request's action and resource read and its
/// context lacks, in the order the policies read them: what IAM's policy simulator reports as
/// `MissingContextValues`. A condition on a key the request lacks does not hold (`...IfExists`
/// ones do); `Null` conditions, which ask whether the key is there, are left out.
pub fn missing_context(policies: &Policies<'_>, req: &Request<'_>) -> Vec<String> {
    missing_keys(policies, req, &Prepared::new(req))
}

fn missing_keys(policies: &Policies<'_>, req: &Request<'_>, prep: &Prepared<'_>) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for (role, policy) in policies.each() {
        let taken_in = |s: &&CStatement| !s.refused_in(role) && s.covers(req, prep).is_ok();
        for s in policy.statements.iter().filter(taken_in) {
            for c in &s.conditions {
                if c.op != BaseOp::Null
                    && !req.context.contains(&c.key_lower)
                    && !missing.iter().any(|k| k.eq_ignore_ascii_case(&c.key))
                {
                    missing.push(c.key.clone());
                }
            }
        }
    }
    missing
}

/// What an explanation adds of the request itself: under the verdict, an action AWS never
/// receives ([`action_note`]) and a resource no ARN names ([`resource_note`]); last, the context
/// keys it lacked ([`missing_context`]) and a resource policy AWS would read that was not given.
fn request_notes(policies: &Policies<'_>, req: &Request<'_>, lines: &mut Vec<String>) {
    let notes = action_note(req.action, req.resource)
        .into_iter()
        .chain(resource_note(req.resource));
    for (i, note) in notes.enumerate() {
        lines.insert((1 + i).min(lines.len()), note);
    }
    for (role, policy) in policies.each() {
        let in_role = policy.statements.iter().filter(|s| s.refused_in(role));
        let in_role = in_role.map(|s| (s.label(), s.line, RefusedWhy::NoResource.says()));
        let refused = policy.refused.iter().map(|r| (r.label.clone(), r.line, r.why.says()));
        for (label, line, why) in refused.chain(in_role) {
            lines.push(format!(
                "Note: {}, statement {label} (line {line}) took no part: IAM refuses it ({why}), so AWS never \
                 decides with this policy as written; validating it (Policy.validate(), rolekit lint) says how to fix it.",
                role.label(),
            ));
        }
    }
    let prep = Prepared::new(req);
    let missing = missing_keys(policies, req, &prep);
    if !missing.is_empty() {
        lines.push(format!(
            "The request's context lacks {}, which conditions of statements that take in the request read: a \
             condition on a key the request lacks does not hold (an ...IfExists one does). AWS sets some keys in \
             every request (aws:CurrentTime, aws:SecureTransport, aws:SourceIp...): give them in the context to \
             decide as AWS would.",
            missing.join(", ")
        ));
    }
    if policies.resource.is_none() && resource_policy_decides(req.action, &prep) {
        lines.push(if req.action.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:")) {
            "The key policy was not given: this is decided as if the key had its default key policy, which lets \
             the account's IAM policies decide; give the key policy as the resource policy to decide as KMS does."
                .into()
        } else {
            "The role's trust policy was not given: AWS also needs it to allow this; give it as the resource policy \
             to decide as STS does."
                .into()
        });
    }
}

/// What an explanation says first of a request resource that names nothing AWS has: an S3 URI
/// where an ARN goes, an unknown partition, a part missing. The validator's own finding for the
/// same text in a statement's Resource, with its suggestion.
fn resource_note(resource: &str) -> Option<String> {
    if resource == "*" {
        return None;
    }
    let probe = serde_json::json!({
        "Version": VERSION_2012,
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": resource}],
    });
    let probe = Policy::from_node(crate::json::Node::from_serde(&probe));
    let findings = crate::validate::validate(&probe, crate::validate::Options::default());
    let f = findings.into_iter().find(|f| {
        f.severity <= crate::validate::Severity::Warning
            && f.path.last() == Some(&crate::validate::PathElem::Key("Resource".into()))
    })?;
    let meant = f.suggestion.map(|s| format!(" (suggestion: {s})")).unwrap_or_default();
    Some(format!("Note: no AWS resource has this name: {}{meant}.", f.message))
}

/// What an explanation says first of a request action that AWS never receives: a pattern (a
/// request names one action) or a name the catalog does not have, with the one likely meant (the
/// validator's own sentence: `s3:ListBuckets` is the seed tutorial's mistake).
fn action_note(action: &str, resource: &str) -> Option<String> {
    if action.contains(['*', '?']) {
        return Some(format!(
            "Note: {action} is a pattern, not an action: a request to AWS names one action, and this decided the \
             text {action} as if it were one."
        ));
    }
    let (prefix, name) = action.split_once(':')?;
    let cat = crate::catalog::catalog();
    let no = cat.not_an_action(cat.service(prefix), prefix, name, &[resource])?;
    let meant = match (&no.suggestion, no.code) {
        (Some(s), "INVALID_SERVICE") => format!("; did you mean {s}?"),
        _ => String::new(),
    };
    Some(format!(
        "Note: no request to AWS has this action: {}{meant}",
        no.message
    ))
}

/// Which allow an implicit deny lacked, when some policy allowed (`allowed`: the kinds of the
/// policies with an Allow statement that applies): the boundary, the session policy, the
/// resource-based policy across accounts, or the identity-based policy.
fn missing_allows(policies: &Policies<'_>, prep: &Prepared<'_>, allowed: &[Role]) -> Vec<String> {
    let mut out = Vec::new();
    if allowed.iter().any(|r| matches!(r, Role::Identity(_))) {
        if policies.boundary.is_some() && !allowed.contains(&Role::Boundary) {
            out.push("An identity-based policy allows it, but the permissions boundary does not.".into());
        }
        if policies.session.is_some() && !allowed.contains(&Role::Session) {
            out.push("An identity-based policy allows it, but the session policy does not.".into());
        }
        if cross_account(prep, policies) {
            out.push(if policies.resource.is_some() {
                "Across accounts the resource-based policy must allow it too, and it does not.".into()
            } else {
                "Across accounts the resource-based policy (a bucket policy, a key policy...) must allow it \
                 too, and none was given: give it as the resource policy to decide as AWS does."
                    .into()
            });
        }
    } else if allowed.contains(&Role::Resource) {
        out.push(
            "The resource-based policy allows it for the caller's account only; an identity-based policy must \
             allow it too."
                .into(),
        );
    }
    out
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
    if let Some(rule) = decision.rule {
        let word = if rule.verdict == Verdict::Allow {
            "ALLOWED"
        } else {
            "DENIED"
        };
        lines.push(format!(
            "{word} by a rule of AWS's own, whatever the policies say: {what}."
        ));
        lines.push(format!("{} ({}).", capitalized(rule.says), rule.doc));
        return lines;
    }
    match decision.verdict {
        Verdict::Allow => {
            lines.push(format!("ALLOWED: {what}."));
            for h in &decision.matched {
                if let Some(s) = stmt(h) {
                    lines.push(decided_by("Allowed", h.role, s, req));
                }
            }
        }
        Verdict::ExplicitDeny => {
            lines.push(format!("DENIED (explicit deny): {what}."));
            for h in &decision.matched {
                if let Some(s) = stmt(h) {
                    lines.push(decided_by("Denied", h.role, s, req));
                }
            }
            lines.push("An explicit Deny overrides every Allow.".into());
        }
        Verdict::ImplicitDeny => {
            lines.push(format!("DENIED (implicit deny): nothing allows {what}."));
            let prep = Prepared::new(req);
            lines.extend(guardrail_lines(policies, req, decision));
            let mut closest: Option<(Miss, Role, &CStatement)> = None;
            let mut allowed_roles = Vec::new();
            for (role, policy) in policies.each() {
                for s in policy
                    .statements
                    .iter()
                    .filter(|s| s.effect == Effect::Allow && !s.refused_in(role))
                {
                    match s.check(req, &prep, role.names_principals()) {
                        Ok(_) => allowed_roles.push(role),
                        Err(m) => {
                            if closest.as_ref().is_none_or(|(best, _, _)| m > *best) {
                                closest = Some((m, role, s));
                            }
                        }
                    }
                }
            }
            lines.extend(missing_allows(policies, &prep, &allowed_roles));
            match closest {
                Some((miss, role, s)) => {
                    let mut l = String::new();
                    let _ = write!(
                        l,
                        "Closest: {}, {}; it does not apply because {}.",
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
    request_notes(policies, req, &mut lines);
    lines
}
