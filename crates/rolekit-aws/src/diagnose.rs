//! Why denied: rolekit reads what decides a request (the caller's own policies and boundary, the
//! role and its trust policy, bucket and key policies), concurrently and as far as the caller may
//! read, then decides each request a task makes with IAM's logic (`rolekit_policy::eval`) and
//! says, for each denial, which policy and statement decides it and what to change.
//!
//! Two tasks: assuming a role (`diagnose_assume`), and starting a SageMaker job
//! (`sagemaker_check`, the requests listed in `rolekit_policy::jobs`). What rolekit could not read
//! is a finding of its own (`Unread`), never a silent pass.

use std::fmt::Write as _;
use std::sync::Arc;

use futures_util::future::join_all;
use rolekit_policy::eval::{self, CompiledPolicy, Context, Decision, Policies, Request, Role, Verdict};
use rolekit_policy::jobs::{self, Job, Party};
use rolekit_policy::model::Principal as PolicyPrincipal;
use rolekit_policy::Policy;
use serde_json::{json, Value};

use super::direct::Service;
use super::identity::IdentityKind;
use super::roles::percent_decode;
use super::{Client, Error, ErrorKind, Identity};

/// A policy document that takes part in a decision, with the name a person knows it by.
#[derive(Clone, Debug)]
pub struct Named {
    /// "managed policy data-access (arn:...)", "inline policy logs of role r", ...
    pub label: String,
    /// The document as read (JSON).
    pub text: Arc<str>,
    pub compiled: Arc<CompiledPolicy>,
}

impl Named {
    /// `None` when the text is not a policy rolekit can read (then it is an `Unread`).
    fn new(label: String, text: &str) -> Option<Self> {
        let policy = Policy::parse(text).ok()?;
        Some(Self {
            label,
            text: text.into(),
            compiled: Arc::new(CompiledPolicy::new(&policy)),
        })
    }

    fn parsed(label: String, doc: &Value) -> Self {
        Self::new(label, &doc.to_string()).unwrap_or_else(unreachable_document)
    }
}

/// A document rolekit builds itself always parses; were it not to, an empty policy stands in.
fn unreachable_document() -> Named {
    Named {
        label: "(none)".into(),
        text: "{}".into(),
        compiled: Arc::new(CompiledPolicy::default()),
    }
}

/// What changes clear a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Add `statement` to the identity-based policies of the principal `to` (a user or role ARN).
    Identity { to: String, statement: Value },
    /// Add `statement` to the trust policy of the role `role` (ARN).
    Trust { role: String, statement: Value },
    /// A change rolekit cannot write as a statement; the text says what.
    Text(String),
}

/// One request a task makes, decided.
#[derive(Clone, Debug)]
pub struct Check {
    /// Who makes it: the caller, a service assuming the role, or the role.
    pub party: Party,
    /// The principal (ARN, or a service name such as `sagemaker.amazonaws.com`).
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// What the request is for ("read input s3://data/train/").
    pub purpose: String,
    /// The AWS documentation page that says the request is made.
    pub doc: Option<&'static str>,
    pub context: Arc<Context>,
    pub identity: Arc<[Named]>,
    pub resource_policy: Option<Named>,
    pub boundary: Option<Named>,
    pub scps: Arc<[Vec<Named>]>,
    pub management_account: bool,
    pub decision: Decision,
    /// One sentence a newcomer understands (None when allowed).
    pub cause: Option<String>,
    pub fix: Option<Fix>,
}

impl Check {
    pub fn allowed(&self) -> bool {
        self.decision.verdict == Verdict::Allow
    }

    /// Run `f` with the evaluator's view of this check's policies.
    pub fn with_policies<R>(&self, f: impl FnOnce(&Policies<'_>, &Request<'_>) -> R) -> R {
        let identity: Vec<&CompiledPolicy> = self.identity.iter().map(|n| n.compiled.as_ref()).collect();
        let levels: Vec<Vec<&CompiledPolicy>> = self
            .scps
            .iter()
            .map(|l| l.iter().map(|n| n.compiled.as_ref()).collect())
            .collect();
        let scps: Vec<&[&CompiledPolicy]> = levels.iter().map(Vec::as_slice).collect();
        let policies = Policies {
            identity: &identity,
            resource: self.resource_policy.as_ref().map(|n| n.compiled.as_ref()),
            boundary: self.boundary.as_ref().map(|n| n.compiled.as_ref()),
            session: None,
            scps: &scps,
            management_account: self.management_account,
            ..Policies::default()
        };
        let req = Request {
            action: &self.action,
            resource: &self.resource,
            principal: Some(&self.principal),
            context: &self.context,
        };
        f(&policies, &req)
    }

    /// The policy at `role` in this check.
    fn named(&self, role: Role) -> Option<&Named> {
        match role {
            Role::Identity(i) => self.identity.get(i),
            Role::Resource => self.resource_policy.as_ref(),
            Role::Boundary => self.boundary.as_ref(),
            Role::Scp { level, index } => self.scps.get(level).and_then(|l| l.get(index)),
            Role::Session | Role::Rcp { .. } | Role::Endpoint => None,
        }
    }

    /// The name of the policy at `role` in this check.
    fn label(&self, role: Role) -> String {
        self.named(role).map_or_else(|| role.label(), |n| n.label.clone())
    }

    /// "statement 2 (Sid "DenyPayroll", line 14)" for a hit.
    fn statement(&self, role: Role, index: usize) -> String {
        let Some(s) = self.named(role).and_then(|n| n.compiled.statements.get(index)) else {
            return format!("statement {}", index + 1);
        };
        let mut out = format!("statement {}", s.index + 1);
        match (&s.sid, s.line) {
            (Some(sid), 0) => {
                let _ = write!(out, " (Sid {sid:?})");
            }
            (Some(sid), line) => {
                let _ = write!(out, " (Sid {sid:?}, line {line})");
            }
            (None, 0) => {}
            (None, line) => {
                let _ = write!(out, " (line {line})");
            }
        }
        out
    }
}

/// Something rolekit needed and could not read: what, and AWS's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    pub what: String,
    pub why: String,
}

/// The outcome of a diagnosis: every request decided, what could not be read, and notes.
#[derive(Clone, Debug, Default)]
pub struct Diagnosis {
    /// What was diagnosed ("assume arn:aws:iam::...:role/r as arn:...").
    pub subject: String,
    pub checks: Vec<Check>,
    pub unread: Vec<Unread>,
    /// Things to know that are not problems (a repository policy in another account).
    pub notes: Vec<String>,
    /// How long the reads took (wall time, concurrent), and the offline decisions after them.
    pub read_time: std::time::Duration,
    pub decide_time: std::time::Duration,
}

impl Eq for Diagnosis {}

impl PartialEq for Diagnosis {
    fn eq(&self, other: &Self) -> bool {
        self.subject == other.subject && self.lines() == other.lines()
    }
}

impl Diagnosis {
    /// Nothing denied and nothing unread.
    pub fn ok(&self) -> bool {
        self.unread.is_empty() && self.checks.iter().all(Check::allowed)
    }

    /// The denied checks.
    pub fn problems(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.allowed())
    }

    /// One line per problem (its cause), then one per thing rolekit could not read.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .problems()
            .map(|c| {
                c.cause
                    .clone()
                    .unwrap_or_else(|| format!("{} on {} is denied", c.action, c.resource))
            })
            .collect();
        out.extend(
            self.unread
                .iter()
                .map(|u| format!("rolekit could not read {}: {}", u.what, u.why)),
        );
        out
    }

    /// The diagnosis in one line, for an error message: its problems, or, when rolekit's
    /// reading allows everything, what is left.
    pub fn headline(&self) -> String {
        let lines = self.lines();
        if lines.is_empty() {
            "rolekit's reading of the policies allows this: if the role or its policies were just changed, IAM \
             may still be propagating them (wait a few seconds: assume_role(wait=30)); otherwise something \
             rolekit cannot see refuses it (an SCP, a session policy, MFA)"
                .into()
        } else {
            lines.join("; ")
        }
    }

    /// The smallest policy that, added to the role's identity policies, clears the role's
    /// problems that an Allow can clear (not explicit denies, boundaries or SCPs): `None` when
    /// there are none.
    pub fn fix_policy(&self) -> Option<Value> {
        let needs: Vec<(&str, &str)> = self
            .problems()
            .filter(|c| c.party == Party::Role && matches!(c.fix, Some(Fix::Identity { .. })))
            .map(|c| (c.action.as_str(), c.resource.as_str()))
            .collect();
        jobs::policy_for(&needs)
    }
}

/// A principal and the policies that decide its requests.
#[derive(Clone, Debug)]
struct Subject {
    /// The ARN requests carry (a role session's for an assumed role).
    arn: String,
    identity: Arc<[Named]>,
    boundary: Option<Named>,
    context: Vec<(String, Vec<String>)>,
    /// Where a missing Allow goes (None for the root user and services).
    fix_to: Option<String>,
}

const ALLOW_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

impl Subject {
    fn service(name: &str) -> Self {
        Self {
            arn: name.to_string(),
            identity: Arc::from(Vec::new()),
            boundary: None,
            context: Vec::new(),
            fix_to: None,
        }
    }
}

/// The request context keys IAM sets from the principal that its ARN does not say: the role's ARN
/// with its path, the unique id, the session's tags. The evaluator derives the rest (account, type,
/// user name) from the request's principal: `rolekit_policy::eval::principal::principal_keys`.
fn principal_context(me: &Identity, named_as: &str, tags: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut out = vec![
        ("aws:PrincipalArn".to_string(), vec![named_as.to_string()]),
        ("aws:userid".to_string(), vec![me.user_id.clone()]),
        ("aws:SecureTransport".to_string(), vec!["true".to_string()]),
    ];
    for (k, v) in tags {
        out.push((format!("aws:PrincipalTag/{k}"), vec![v.clone()]));
    }
    out
}

/// A role read, and what it says for diagnosis.
struct RoleRead {
    arn: String,
    trust: Option<Named>,
    subject: Subject,
}

/// Whom a trust policy's Allow statements name, for messages.
fn trusted(trust: &Named) -> String {
    let Ok(policy) = Policy::parse(&trust.text) else {
        return "no one rolekit can read".into();
    };
    let named: Vec<String> = policy
        .statements
        .iter()
        .filter(|s| s.effect == Some(rolekit_policy::Effect::Allow))
        .filter_map(|s| s.principal.as_ref())
        .flat_map(|p| match p {
            PolicyPrincipal::Star(_) => vec!["everyone (*)".to_string()],
            PolicyPrincipal::Map(entries) => entries
                .iter()
                .flat_map(|(kind, items)| {
                    items.values().map(move |v| {
                        if kind == "AWS" {
                            v.to_string()
                        } else {
                            format!("{kind} {v}")
                        }
                    })
                })
                .collect(),
        })
        .collect();
    if named.is_empty() {
        "no principal".into()
    } else {
        named.join(", ")
    }
}

/// The principal a trust policy or a fix names `who` by.
fn principal_entry(who: &str) -> Value {
    if who.ends_with(".amazonaws.com") {
        json!({ "Service": who })
    } else {
        json!({ "AWS": who })
    }
}

/// The causes and the fix of an explicit deny: each denying statement, by policy.
fn explicit_causes(check: &Check, what: &str) -> (Vec<String>, Option<Fix>) {
    let causes = check
        .decision
        .matched
        .iter()
        .map(|h| {
            format!(
                "{} denies {what} to {}: {}",
                check.label(h.role),
                check.principal,
                check.statement(h.role, h.statement)
            )
        })
        .collect();
    let fix = Fix::Text(
        "an explicit Deny overrides every Allow: narrow or remove that statement (or its conditions), or do this \
         as another principal"
            .into(),
    );
    (causes, Some(fix))
}

/// The cause of a missing identity-based Allow, and the statement that adds it.
fn identity_cause(check: &Check, what: &str, trust: bool, fix_to: Option<&str>) -> (String, Option<Fix>) {
    let who = &check.principal;
    let names: Vec<&str> = check.identity.iter().map(|n| n.label.as_str()).collect();
    let mut cause = if names.is_empty() {
        format!("{who} has no identity-based policy, so nothing allows {what}")
    } else {
        format!(
            "no statement in {who}'s identity-based policies ({}) allows {what}",
            names.join("; ")
        )
    };
    if trust {
        let trusted = check.resource_policy.as_ref().map_or_else(String::new, trusted);
        cause = format!(
            "the role's trust policy trusts the account ({trusted}), so {who}'s own policies must allow \
             sts:AssumeRole, and {cause}"
        );
    }
    let fix = fix_to.map(|to| {
        let mut statement = json!({ "Effect": "Allow", "Action": check.action, "Resource": check.resource });
        if check.action == "iam:PassRole" {
            statement["Condition"] = json!({ "StringEquals": { "iam:PassedToService": "sagemaker.amazonaws.com" } });
        }
        Fix::Identity {
            to: to.to_string(),
            statement,
        }
    });
    (cause, fix)
}

/// The cause of each policy type that did not allow (`blocked_by`), and the first fix.
fn implicit_causes(check: &Check, what: &str, fix_to: Option<&str>) -> (Vec<String>, Option<Fix>) {
    let who = &check.principal;
    let trust = check.action == "sts:AssumeRole" && check.resource_policy.is_some();
    let mut causes = Vec::new();
    let mut fixes = Vec::new();
    for kind in check.decision.blocked_by {
        match *kind {
            "resource" if trust => {
                let trusted = check.resource_policy.as_ref().map_or_else(String::new, trusted);
                let session = if who.contains(":assumed-role/") {
                    " (a role session is named in a trust policy by its role's ARN)"
                } else {
                    ""
                };
                causes.push(format!(
                    "the role's trust policy allows {trusted}; {who} is not among them{session}"
                ));
                fixes.push(Fix::Trust {
                    role: check.resource.clone(),
                    statement: json!({
                        "Effect": "Allow",
                        "Principal": principal_entry(fix_to.unwrap_or(who)),
                        "Action": check.action,
                    }),
                });
            }
            "resource" => {
                let label = check
                    .resource_policy
                    .as_ref()
                    .map_or_else(|| "the resource's policy".to_string(), |n| n.label.clone());
                causes.push(format!(
                    "{label} does not allow {what} to {who}, and across accounts it must"
                ));
                fixes.push(Fix::Text(format!(
                    "add a statement allowing {} to {label}",
                    check.action
                )));
            }
            "identity" => {
                let (cause, fix) = identity_cause(check, what, trust, fix_to);
                causes.push(cause);
                fixes.extend(fix);
            }
            "boundary" => {
                let label = check.label(Role::Boundary);
                causes.push(format!(
                    "{label} (the permissions boundary of {who}) does not allow {what}; a boundary only limits, so \
                     an identity policy's Allow does not help"
                ));
                fixes.push(Fix::Text(format!("the boundary {label} must allow {}", check.action)));
            }
            "scp" => {
                causes.push(format!(
                    "the service control policies of the organization do not allow {what} for {who}"
                ));
                fixes.push(Fix::Text(
                    "ask the organization's administrators: an SCP must allow it at every level".into(),
                ));
            }
            other => causes.push(format!("the {other} policy does not allow {what}")),
        }
    }
    // A trust policy that names the caller allows it on its own in the same account: that fix first.
    let first = fixes.iter().position(|f| matches!(f, Fix::Trust { .. })).unwrap_or(0);
    (causes, (!fixes.is_empty()).then(|| fixes.swap_remove(first)))
}

/// The statement that came closest to allowing, when one did (a condition that did not hold),
/// with policies called by their names.
fn closest(check: &Check) -> Option<String> {
    let lines = check.with_policies(|p, r| eval::explain(p, r, &check.decision));
    let line = lines.iter().find(|l| l.starts_with("Closest:"))?;
    let mut line = line.trim_start_matches("Closest: ").trim_end_matches('.').to_string();
    for (i, n) in check.identity.iter().enumerate() {
        line = line.replace(&Role::Identity(i).label(), &n.label);
    }
    if let Some(n) = &check.resource_policy {
        line = line.replace(&Role::Resource.label(), &n.label);
    }
    Some(format!("closest: {line}"))
}

/// Say why `check` is denied, and what to change.
fn explain(check: &mut Check, fix_to: Option<&str>) {
    let what = format!("{} on {}", check.action, check.resource);
    let (mut causes, fix) = if check.decision.verdict == Verdict::ExplicitDeny {
        explicit_causes(check, &what)
    } else {
        let (mut causes, fix) = implicit_causes(check, &what, fix_to);
        causes.extend(closest(check));
        (causes, fix)
    };
    if causes.is_empty() {
        causes.push(format!("nothing allows {what} for {}", check.principal));
    }
    check.cause = Some(causes.join("; "));
    check.fix = fix;
}

/// Options of `diagnose_assume`.
#[derive(Clone, Debug, Default)]
pub struct AssumeRequest {
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub source_identity: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// A SageMaker job to check (`sagemaker_check`).
#[derive(Clone, Debug)]
pub struct JobCheck {
    pub job: Job,
    /// SCPs in force for the account, one list (of JSON documents) per level, root first.
    pub scps: Vec<Vec<String>>,
    pub management_account: bool,
}

/// The context an AssumeRole request carries, and the actions it needs (`sts:TagSession` with
/// tags, `sts:SetSourceIdentity` with a source identity).
fn assume_request(req: &AssumeRequest) -> (Vec<(String, Vec<String>)>, Vec<(&'static str, &'static str)>) {
    let session = req
        .session_name
        .clone()
        .unwrap_or_else(|| super::assume::session_name_from("rolekit-session"));
    let mut extra = vec![("sts:RoleSessionName".to_string(), vec![session])];
    let mut actions = vec![("sts:AssumeRole", "assume the role")];
    if let Some(x) = &req.external_id {
        extra.push(("sts:ExternalId".into(), vec![x.clone()]));
    }
    if let Some(s) = &req.source_identity {
        extra.push(("sts:SourceIdentity".into(), vec![s.clone()]));
        actions.push(("sts:SetSourceIdentity", "set the source identity"));
    }
    if !req.tags.is_empty() {
        for (k, v) in &req.tags {
            extra.push((format!("aws:RequestTag/{k}"), vec![v.clone()]));
        }
        extra.push(("aws:TagKeys".into(), req.tags.iter().map(|(k, _)| k.clone()).collect()));
        actions.push(("sts:TagSession", "tag the session"));
    }
    (extra, actions)
}

/// A role's name from its ARN (the path dropped).
fn role_name(arn: &str) -> String {
    arn.split_once(":role/")
        .map_or(arn, |(_, n)| n.rsplit('/').next().unwrap_or(n))
        .to_string()
}

/// A bucket's policy as read: `(bucket, policy)` when read (None: it has none), else an `Unread`.
fn named_buckets(
    buckets: &[&str],
    read: Vec<Result<Option<String>, Error>>,
    unread: &mut Vec<Unread>,
) -> Vec<(String, Option<Named>)> {
    let mut out = Vec::new();
    for (bucket, policy) in buckets.iter().zip(read) {
        let label = format!("the bucket policy of {bucket}");
        match policy {
            Ok(Some(text)) => match Named::new(label.clone(), &text) {
                Some(n) => out.push(((*bucket).to_string(), Some(n))),
                None => unread.push(Unread {
                    what: label,
                    why: "it is not a policy rolekit can read".into(),
                }),
            },
            Ok(None) => out.push(((*bucket).to_string(), None)),
            Err(e) => unread.push(Unread {
                what: label,
                why: e.to_string(),
            }),
        }
    }
    out
}

/// Each key's policy as read; an unread one is an `Unread`, and the default key policy (the
/// account's IAM policies decide) stands in for it.
fn named_keys(
    keys: &[String],
    read: Vec<Result<String, Error>>,
    me: &Identity,
    unread: &mut Vec<Unread>,
) -> Vec<(String, Named)> {
    let mut out = Vec::new();
    for (key, policy) in keys.iter().zip(read) {
        let label = format!("the key policy of {key}");
        match policy.map(|t| Named::new(label.clone(), &t)) {
            Ok(Some(n)) => out.push((key.clone(), n)),
            Ok(None) => unread.push(Unread {
                what: label,
                why: "it is not a policy rolekit can read".into(),
            }),
            Err(e) => {
                unread.push(Unread {
                    what: label.clone(),
                    why: e.to_string(),
                });
                let stand_in = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"AWS": format!("arn:{}:iam::{}:root", me.partition, me.account)},
                    "Action": "kms:*", "Resource": "*"}]});
                out.push((
                    key.clone(),
                    Named::parsed(format!("{label} (unread: taken as the default)"), &stand_in),
                ));
            }
        }
    }
    out
}

/// The SCPs given, as labelled documents (one list per level, root first).
fn named_scps(levels: &[Vec<String>]) -> Arc<[Vec<Named>]> {
    levels
        .iter()
        .enumerate()
        .map(|(level, docs)| {
            docs.iter()
                .enumerate()
                .filter_map(|(i, t)| Named::new(format!("SCP #{} at level {level}", i + 1), t))
                .collect()
        })
        .collect::<Vec<_>>()
        .into()
}

/// The resource-based policy a role's request meets: its bucket's, or its key's.
fn resource_policy_of(
    need: &jobs::Need,
    buckets: &[(String, Option<Named>)],
    keys: &[(String, Named)],
) -> Option<Named> {
    if need.action.starts_with("s3:") {
        let bucket = need
            .resource
            .split(":::")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_default();
        buckets.iter().find(|(b, _)| b == bucket).and_then(|(_, p)| p.clone())
    } else if need.action.starts_with("kms:") {
        keys.iter().find(|(k, _)| *k == need.resource).map(|(_, p)| p.clone())
    } else {
        None
    }
}

impl Client {
    /// Read the managed policies `arns` (concurrently) as labelled documents.
    async fn managed(&self, arns: &[(String, String)], unread: &mut Vec<Unread>) -> Vec<Named> {
        let docs = join_all(arns.iter().map(|(_, arn)| self.find_managed_policy(arn))).await;
        let mut out = Vec::new();
        for ((name, arn), doc) in arns.iter().zip(docs) {
            let label = format!("managed policy {name} ({arn})");
            match doc {
                Ok(None) => unread.push(Unread {
                    what: label,
                    why: "it does not exist (GetPolicy: NoSuchEntity)".into(),
                }),
                Ok(Some(m)) => match Named::new(label.clone(), &m.document) {
                    Some(n) => out.push(n),
                    None => unread.push(Unread {
                        what: label,
                        why: "its document is not a policy rolekit can read".into(),
                    }),
                },
                Err(e) => unread.push(Unread {
                    what: label,
                    why: e.to_string(),
                }),
            }
        }
        out
    }

    /// (name, ARN) of the managed policies a List*AttachedPolicies call lists for `owner`.
    async fn attached_list(&self, action: &str, key: &str, owner: String) -> Result<Vec<(String, String)>, Error> {
        let members = self
            .query_all(action, &[(key, owner.as_str())], "AttachedPolicies")
            .await?;
        Ok(members
            .iter()
            .map(|m| {
                (
                    m.text_of("PolicyName").unwrap_or_default().to_string(),
                    m.text_of("PolicyArn").unwrap_or_default().to_string(),
                )
            })
            .collect())
    }

    /// (name, document) of `owner`'s inline policies: the `list` call, then `get` for each, concurrently.
    async fn inline_docs(
        &self,
        list: &str,
        get: &str,
        key: &str,
        owner: String,
    ) -> Result<Vec<(String, String)>, Error> {
        let names = self.query_all(list, &[(key, owner.as_str())], "PolicyNames").await?;
        let docs = join_all(names.iter().map(|n| {
            let owner = owner.as_str();
            async move {
                let pname = n.text.trim().to_string();
                let doc = self
                    .query(Service::Iam, get, &[(key, owner), ("PolicyName", pname.as_str())])
                    .await?;
                Ok::<_, Error>((pname, percent_decode(doc.text_of("PolicyDocument").unwrap_or("{}"))))
            }
        }))
        .await;
        docs.into_iter().collect()
    }

    /// An IAM user's policies: attached, inline, its groups' (attached and inline), boundary, tags.
    async fn user_subject(&self, me: &Identity, unread: &mut Vec<Unread>) -> Result<Subject, Error> {
        let name = me.name.clone().unwrap_or_default();
        let p = [("UserName", name.as_str())];
        let attached_of = |action, key, owner| self.attached_list(action, key, owner);
        let inline_of = |list, get, key, owner| self.inline_docs(list, get, key, owner);
        let user = self.query(Service::Iam, "GetUser", &p);
        let attached = attached_of("ListAttachedUserPolicies", "UserName", name.clone());
        let inline = inline_of("ListUserPolicies", "GetUserPolicy", "UserName", name.clone());
        let groups = self.query_all("ListGroupsForUser", &p, "Groups");
        let (user, attached, inline, groups) = tokio::join!(user, attached, inline, groups);
        let user = user?;
        let user = user.child("User");
        let mut attached = attached?;
        let mut inline: Vec<(String, String)> = inline?
            .into_iter()
            .map(|(n, d)| (format!("inline policy {n} of user {name}"), d))
            .collect();
        let groups: Vec<String> = groups?
            .iter()
            .filter_map(|g| g.text_of("GroupName").map(str::to_string))
            .collect();
        let per_group = join_all(groups.iter().map(|g| async move {
            let a = attached_of("ListAttachedGroupPolicies", "GroupName", g.clone());
            let i = inline_of("ListGroupPolicies", "GetGroupPolicy", "GroupName", g.clone());
            let (a, i) = tokio::join!(a, i);
            (g.clone(), a, i)
        }))
        .await;
        for (g, a, i) in per_group {
            attached.extend(a?.into_iter().map(|(n, arn)| (format!("{n} (through group {g})"), arn)));
            inline.extend(
                i?.into_iter()
                    .map(|(n, d)| (format!("inline policy {n} of group {g}"), d)),
            );
        }
        attached.sort();
        attached.dedup_by(|a, b| a.1 == b.1);
        let boundary_arn = user
            .and_then(|u| u.child("PermissionsBoundary"))
            .and_then(|b| b.text_of("PermissionsBoundaryArn"))
            .map(str::to_string);
        let tags: Vec<(String, String)> = user
            .map(|u| {
                u.members("Tags")
                    .map(|t| {
                        (
                            t.text_of("Key").unwrap_or_default().into(),
                            t.text_of("Value").unwrap_or_default().into(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut identity: Vec<Named> = inline
            .into_iter()
            .filter_map(|(label, doc)| Named::new(label, &doc))
            .collect();
        identity.extend(self.managed(&attached, unread).await);
        let boundary = match boundary_arn {
            Some(arn) => self
                .managed(&[(format!("boundary of user {name}"), arn)], unread)
                .await
                .pop(),
            None => None,
        };
        Ok(Subject {
            arn: me.arn.clone(),
            identity: identity.into(),
            boundary,
            context: principal_context(me, &me.arn, &tags),
            fix_to: Some(me.arn.clone()),
        })
    }

    /// A role: its trust policy, and the subject its sessions are (`session`: the ARN its
    /// requests carry; the role's own when None).
    async fn read_role(&self, name: &str, me: &Identity, unread: &mut Vec<Unread>) -> Result<RoleRead, Error> {
        let info = self.get_role(name).await?;
        let trust = Named::new(format!("the trust policy of role {}", info.name), &info.trust_policy);
        if trust.is_none() {
            unread.push(Unread {
                what: format!("the trust policy of role {}", info.name),
                why: "it is not a policy rolekit can read".into(),
            });
        }
        let mut identity: Vec<Named> = info
            .inline_policies
            .iter()
            .filter_map(|(n, d)| Named::new(format!("inline policy {n} of role {}", info.name), d))
            .collect();
        identity.extend(self.managed(&info.attached_policies, unread).await);
        let boundary = match &info.permissions_boundary {
            Some(arn) => self
                .managed(&[(format!("boundary of role {}", info.name), arn.clone())], unread)
                .await
                .pop(),
            None => None,
        };
        let role_identity = Identity {
            kind: IdentityKind::AssumedRole,
            arn: info.arn.clone(),
            name: Some(info.name.clone()),
            ..me.clone()
        };
        let mut context = principal_context(&role_identity, &info.arn, &info.tags);
        context.retain(|(k, _)| k != "aws:userid");
        context.push(("aws:userid".into(), vec![format!("{}:session", info.role_id)]));
        Ok(RoleRead {
            arn: info.arn.clone(),
            trust,
            subject: Subject {
                arn: info.arn.clone(),
                identity: identity.into(),
                boundary,
                context,
                fix_to: Some(info.arn),
            },
        })
    }

    /// The caller with its own policies, as far as it may read them. What it may not read is an
    /// `Unread`, and an Allow-everything stand-in takes its policies' place so that the other
    /// sides (trust, resource policies) are still decided.
    async fn caller_subject(&self, me: &Identity, unread: &mut Vec<Unread>) -> Subject {
        let stand_in = |label: &str| Subject {
            arn: me.arn.clone(),
            identity: Arc::from(vec![
                Named::new(label.to_string(), ALLOW_ALL).unwrap_or_else(unreachable_document)
            ]),
            boundary: None,
            context: principal_context(me, me.role_arn.as_deref().unwrap_or(&me.arn), &[]),
            fix_to: None,
        };
        match me.kind {
            IdentityKind::Root => stand_in("the root user (every action in its own account)"),
            IdentityKind::User => match Box::pin(self.user_subject(me, unread)).await {
                Ok(s) => s,
                Err(e) => {
                    unread.push(Unread {
                        what: format!("the policies of {}", me.arn),
                        why: e.to_string(),
                    });
                    let mut s = stand_in("(your policies, unread: taken as allowing)");
                    s.fix_to = Some(me.arn.clone());
                    s
                }
            },
            IdentityKind::AssumedRole => {
                let name = me.role_name.clone().unwrap_or_default();
                match self.read_role(&name, me, unread).await {
                    Ok(r) => Subject {
                        arn: me.arn.clone(),
                        context: principal_context(me, &r.arn, &[]),
                        ..r.subject
                    },
                    Err(e) => {
                        unread.push(Unread {
                            what: format!("the policies of role {name}"),
                            why: e.to_string(),
                        });
                        let mut s = stand_in("(your role's policies, unread: taken as allowing)");
                        s.fix_to.clone_from(&me.role_arn);
                        s
                    }
                }
            }
            IdentityKind::FederatedUser => {
                unread.push(Unread {
                    what: format!("the policies of {}", me.arn),
                    why: "a federated user's permissions are its IAM user's and its session policy; rolekit does not \
                          read them"
                        .into(),
                });
                stand_in("(federated session, unread: taken as allowing)")
            }
        }
    }

    /// Decide one request and explain it when denied.
    #[allow(clippy::too_many_arguments)]
    fn check(
        party: Party,
        subject: &Subject,
        action: &str,
        resource: &str,
        extra: &[(String, Vec<String>)],
        resource_policy: Option<Named>,
        org: (&Arc<[Vec<Named>]>, bool),
        purpose: String,
        doc: Option<&'static str>,
    ) -> Check {
        let mut context = Context::default();
        for (k, v) in subject.context.iter().chain(extra) {
            context.insert(k, v.clone());
        }
        // What the caller's ARN says (account, type, user name) and the resource's account are
        // AWS's in every request.
        let context = context
            .with_derived(Some(&subject.arn), Some((resource, None)))
            .unwrap_or(context);
        let mut check = Check {
            party,
            principal: subject.arn.clone(),
            action: action.to_string(),
            resource: resource.to_string(),
            purpose,
            doc,
            context: Arc::new(context),
            identity: subject.identity.clone(),
            resource_policy,
            boundary: subject.boundary.clone(),
            // The evaluator leaves a service principal out of the SCPs' reach itself.
            scps: org.0.clone(),
            management_account: org.1,
            decision: Decision {
                verdict: Verdict::ImplicitDeny,
                matched: Vec::new(),
                limit: None,
                blocked_by: &[],
                rule: None,
            },
            cause: None,
            fix: None,
        };
        check.decision = check.with_policies(eval::evaluate);
        if !check.allowed() {
            explain(&mut check, subject.fix_to.as_deref());
        }
        check
    }

    /// Why `role` can or cannot be assumed by this client's caller: the caller's identity
    /// policies and boundary and the role's trust policy, read concurrently and decided for
    /// `sts:AssumeRole` (and `sts:TagSession` / `sts:SetSourceIdentity` when asked).
    pub async fn diagnose_assume(&self, role: &str, req: &AssumeRequest) -> Result<Diagnosis, Error> {
        let arn = self.role_arn(role).await?;
        let me = self.identity().await?;
        let role_account = rolekit_policy::arn::Arn::parse(&arn).map(|a| a.account.to_string());
        let name = role_name(&arn);
        let same_account = role_account.as_deref() == Some(me.account.as_str());
        let mut unread_caller = Vec::new();
        let mut unread_role = Vec::new();
        let caller = self.caller_subject(&me, &mut unread_caller);
        let target = async {
            if same_account {
                Some(self.read_role(&name, &me, &mut unread_role).await)
            } else {
                None
            }
        };
        let (caller, target) = tokio::join!(caller, target);
        let mut d = Diagnosis {
            subject: format!("assume {arn} as {}", me.arn),
            ..Diagnosis::default()
        };
        d.unread.extend(unread_caller);
        d.unread.extend(unread_role);
        let no_org: Arc<[Vec<Named>]> = Arc::from(Vec::new());
        let trust = match target {
            Some(Ok(r)) => r.trust,
            Some(Err(e)) if e.kind() == Some(ErrorKind::NoSuchEntity) => {
                let mut check = Self::check(
                    Party::Caller,
                    &caller,
                    "sts:AssumeRole",
                    &arn,
                    &[],
                    None,
                    (&no_org, false),
                    "assume the role".into(),
                    None,
                );
                check.decision.verdict = Verdict::ImplicitDeny;
                check.decision.blocked_by = &["resource"];
                check.cause = Some(format!(
                    "the role {name} does not exist in account {} (GetRole: NoSuchEntity)",
                    me.account
                ));
                check.fix = Some(Fix::Text(
                    "create it (rolekit: Client.ensure_role), or check the name and the account".into(),
                ));
                d.checks.push(check);
                return Ok(d);
            }
            Some(Err(e)) => {
                d.unread.push(Unread {
                    what: format!("the trust policy of {arn}"),
                    why: e.to_string(),
                });
                None
            }
            None => {
                d.unread.push(Unread {
                    what: format!("the trust policy of {arn}"),
                    why: format!(
                        "the role is in account {}, and rolekit reads a role only with its own account's credentials",
                        role_account.as_deref().unwrap_or("?")
                    ),
                });
                None
            }
        };
        // An unread trust policy stands in as trusting the caller's account: the caller's own
        // policies are then what is decided.
        let trust = trust.or_else(|| {
            Named::new(
                "(the trust policy, unread: taken as trusting your account)".into(),
                &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Principal": {"AWS": format!("arn:{}:iam::{}:root", me.partition, me.account)},
                    "Action": "*"}]})
                .to_string(),
            )
        });
        let (extra, actions) = assume_request(req);
        for (action, purpose) in actions {
            d.checks.push(Self::check(
                Party::Caller,
                &caller,
                action,
                &arn,
                &extra,
                trust.clone(),
                (&no_org, false),
                purpose.into(),
                Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"),
            ));
        }
        Ok(d)
    }

    /// Why one request by this client's caller is (or is not) allowed: the caller's own policies
    /// and boundary, and the bucket's or key's policy for S3 and KMS resources, read as far as the
    /// caller may; `sts:AssumeRole` on a role is `diagnose_assume`. What a notebook shows after an
    /// AccessDenied.
    pub async fn diagnose_request(&self, action: &str, resource: &str) -> Result<Diagnosis, Error> {
        if action.eq_ignore_ascii_case("sts:AssumeRole") && resource.contains(":role/") {
            return Box::pin(self.diagnose_assume(resource, &AssumeRequest::default())).await;
        }
        let me = self.identity().await?;
        let mut d = Diagnosis {
            subject: format!("{action} on {resource} as {}", me.arn),
            ..Diagnosis::default()
        };
        let caller = Box::pin(self.caller_subject(&me, &mut d.unread)).await;
        let policy = if action.starts_with("s3:") {
            let bucket = resource
                .split(":::")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .unwrap_or_default();
            let read = vec![self.bucket_policy(bucket).await];
            named_buckets(&[bucket], read, &mut d.unread).pop().and_then(|(_, p)| p)
        } else if action.starts_with("kms:") && resource.starts_with("arn:") {
            let keys = [resource.to_string()];
            let read = vec![self.key_policy(resource).await];
            named_keys(&keys, read, &me, &mut d.unread).pop().map(|(_, p)| p)
        } else {
            None
        };
        let no_org: Arc<[Vec<Named>]> = Arc::from(Vec::new());
        d.checks.push(Self::check(
            Party::Caller,
            &caller,
            action,
            resource,
            &[],
            policy,
            (&no_org, false),
            "the request that was refused".into(),
            None,
        ));
        Ok(d)
    }

    /// Check, before it starts, everything a SageMaker job needs (`rolekit_policy::jobs`): the
    /// caller may create it and pass the role, SageMaker may assume the role, and the role may do
    /// what the job does on its exact resources, with bucket and key policies read where the
    /// caller may read them.
    pub async fn sagemaker_check(&self, role: &str, spec: &JobCheck) -> Result<Diagnosis, Error> {
        let started = std::time::Instant::now();
        let arn = self.role_arn(role).await?;
        let me = self.identity().await?;
        let region = self.region().unwrap_or(crate::config::FALLBACK_REGION).to_string();
        let name = role_name(&arn);
        let job = &spec.job;
        let mut buckets: Vec<&str> = job
            .inputs
            .iter()
            .chain(job.output.as_ref())
            .map(|l| l.bucket.as_str())
            .collect();
        buckets.sort_unstable();
        buckets.dedup();

        let (mut unread_caller, mut unread_role) = (Vec::new(), Vec::new());
        let caller = self.caller_subject(&me, &mut unread_caller);
        let execution = self.read_role(&name, &me, &mut unread_role);
        let bucket_policies = join_all(buckets.iter().map(|b| self.bucket_policy(b)));
        let key_policies = join_all(job.kms_keys.iter().map(|k| self.key_policy(k)));
        let (caller, execution, bucket_policies, key_policies) =
            tokio::join!(caller, execution, bucket_policies, key_policies);

        let mut d = Diagnosis {
            subject: format!(
                "a SageMaker {} job {:?} with role {arn}, started by {}",
                job.kind.name(),
                job.name,
                me.arn
            ),
            ..Diagnosis::default()
        };
        d.unread.extend(unread_caller);
        d.unread.extend(unread_role);
        let execution = match execution {
            Ok(r) => r,
            Err(e) if e.kind() == Some(ErrorKind::NoSuchEntity) => {
                return Err(Error::InvalidArgument(format!(
                    "the execution role {name} does not exist in account {} (GetRole: NoSuchEntity)",
                    me.account
                )))
            }
            Err(e) => {
                d.unread.push(Unread {
                    what: format!("the execution role {name}"),
                    why: e.to_string(),
                });
                return Ok(d);
            }
        };
        d.read_time = started.elapsed();
        let deciding = std::time::Instant::now();
        let buckets_read = named_buckets(&buckets, bucket_policies, &mut d.unread);
        let keys_read = named_keys(&job.kms_keys, key_policies, &me, &mut d.unread);
        let scps = named_scps(&spec.scps);
        let place = jobs::Place {
            role_arn: &execution.arn,
            partition: &me.partition,
            region: &region,
            account: &me.account,
        };
        let service = Subject::service("sagemaker.amazonaws.com");
        let mut role_subject = execution.subject.clone();
        // The job's requests carry the role session SageMaker opened.
        role_subject.arn = format!("arn:{}:sts::{}:assumed-role/{name}/SageMaker", me.partition, me.account);
        for need in jobs::needs(job, place) {
            let (subject, resource_policy) = match need.party {
                Party::Caller => (&caller, None),
                Party::Service => (&service, execution.trust.clone()),
                Party::Role => (&role_subject, resource_policy_of(&need, &buckets_read, &keys_read)),
            };
            d.checks.push(Self::check(
                need.party,
                subject,
                &need.action,
                &need.resource,
                &need.context,
                resource_policy,
                (&scps, spec.management_account),
                need.purpose,
                Some(need.doc),
            ));
        }
        if let Some(image) = &job.image {
            if image.account != me.account {
                d.notes.push(format!(
                    "the image is in account {}: its repository policy must allow account {} too (AWS's own \
                     SageMaker images do); rolekit cannot read it",
                    image.account, me.account
                ));
            }
        }
        d.decide_time = deciding.elapsed();
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::111111111111:role/r";
    const ME: &str = "arn:aws:iam::111111111111:user/alice";

    fn trust(principal: &str) -> Named {
        Named::parsed(
            "the trust policy of role r".into(),
            &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]}),
        )
    }

    fn alice(identity: Vec<Named>) -> Subject {
        Subject {
            arn: ME.into(),
            identity: identity.into(),
            boundary: None,
            context: vec![("aws:PrincipalAccount".into(), vec!["111111111111".into()])],
            fix_to: Some(ME.into()),
        }
    }

    fn assume(subject: &Subject, trust: Named) -> Check {
        let no_org: Arc<[Vec<Named>]> = Arc::from(Vec::new());
        Client::check(
            Party::Caller,
            subject,
            "sts:AssumeRole",
            ROLE,
            &[],
            Some(trust),
            (&no_org, false),
            "assume the role".into(),
            None,
        )
    }

    #[test]
    fn a_trust_naming_someone_else_is_the_cause_and_the_fix_names_the_caller() {
        let check = assume(&alice(Vec::new()), trust("arn:aws:iam::111111111111:user/ana"));
        assert!(!check.allowed());
        let cause = check.cause.clone().unwrap_or_default();
        assert!(
            cause.contains("trust policy allows arn:aws:iam::111111111111:user/ana") && cause.contains(ME),
            "{cause}"
        );
        let Some(Fix::Trust { role, statement }) = &check.fix else {
            panic!("{:?}", check.fix)
        };
        assert_eq!(role, ROLE);
        assert_eq!(statement["Principal"]["AWS"], ME);
        // The fix, added to the trust policy, allows it.
        let fixed = Named::parsed(
            "fixed".into(),
            &json!({"Version": "2012-10-17", "Statement": [statement.clone()]}),
        );
        assert!(assume(&alice(Vec::new()), fixed).allowed());
    }

    #[test]
    fn a_trust_naming_the_account_needs_the_callers_own_allow() {
        let root = trust("arn:aws:iam::111111111111:root");
        let check = assume(&alice(Vec::new()), root.clone());
        let cause = check.cause.clone().unwrap_or_default();
        assert!(
            cause.contains("trusts the account") && cause.contains("no identity-based policy"),
            "{cause}"
        );
        let Some(Fix::Identity { to, statement }) = &check.fix else {
            panic!("{:?}", check.fix)
        };
        assert_eq!((to.as_str(), statement["Resource"].as_str()), (ME, Some(ROLE)));
        let granted = Named::parsed(
            "inline policy assume of user alice".into(),
            &json!({"Version": "2012-10-17", "Statement": [statement.clone()]}),
        );
        assert!(assume(&alice(vec![granted]), root).allowed());
    }

    #[test]
    fn an_explicit_deny_is_named_by_policy_and_statement() {
        let deny = Named::parsed(
            "managed policy no-roles (arn:aws:iam::111111111111:policy/no-roles)".into(),
            &json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "NoAssume", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}),
        );
        let check = assume(&alice(vec![deny]), trust(ME));
        let cause = check.cause.clone().unwrap_or_default();
        assert!(
            cause.contains("managed policy no-roles") && cause.contains("statement 1 (Sid \"NoAssume\""),
            "{cause}"
        );
        assert!(matches!(check.fix, Some(Fix::Text(_))));
    }
}
