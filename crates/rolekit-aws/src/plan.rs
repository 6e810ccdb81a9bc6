//! A spec against one account: what would change (`plan_spec`), and making it so (`apply_spec`).
//!
//! Changes and drift are told apart by the tag `spec::SPEC_TAG` that `apply_spec` writes on each
//! role (a digest of the role's definition): a role whose tag matches the spec but whose settings
//! differ from it was changed by hand since (drift); a role without the tag, or with another
//! digest, has changes to apply. Drift is reverted only for roles marked `exclusive`; elsewhere it
//! is reported.

use std::collections::HashMap;

use futures_util::future::join_all;

use super::roles::{RoleSpec, Step};

use super::spec::{RoleDef, SpecFile, SPEC_TAG};
use super::{Client, Error, ErrorKind};
use rolekit_policy::build::normalize;

/// Where an account stands against a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    InSync,
    Changes,
    Drift,
    /// The account could not be reached (its role could not be assumed, or no answer).
    Unreachable,
    /// The account was reached but refused what the plan or the apply needed.
    Denied,
    /// An apply wrote what it had to.
    Applied,
    /// An apply failed for another reason (the reason says).
    Failed,
    /// An apply did not start in this account: too many others had failed.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InSync => "in sync",
            Self::Changes => "changes",
            Self::Drift => "drift",
            Self::Unreachable => "unreachable",
            Self::Denied => "denied",
            Self::Applied => "applied",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// One role or policy of the spec in one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemPlan {
    /// "role" or "policy".
    pub kind: &'static str,
    pub name: String,
    /// What applying writes.
    pub changes: Vec<String>,
    /// What was changed by hand since the last apply (reverted only for exclusive roles).
    pub drift: Vec<String>,
    /// Whether `apply` reverts the drift.
    pub reverts_drift: bool,
}

/// A spec against one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountPlan {
    pub account: String,
    pub status: Status,
    pub items: Vec<ItemPlan>,
    /// Why an account is unreachable, denied or failed.
    pub reason: Option<String>,
    /// What an apply wrote (also when it failed part way).
    pub applied: Vec<String>,
}

impl AccountPlan {
    fn from_items(account: String, items: Vec<ItemPlan>) -> Self {
        let status = if items.iter().any(|i| !i.changes.is_empty()) {
            Status::Changes
        } else if items.iter().any(|i| !i.drift.is_empty()) {
            Status::Drift
        } else {
            Status::InSync
        };
        Self {
            account,
            status,
            items,
            reason: None,
            applied: Vec::new(),
        }
    }

    /// An account that could not be planned or applied: unreachable, denied or failed.
    pub fn failed(account: String, status: Status, error: &Error, applied: Vec<String>) -> Self {
        Self {
            account,
            status,
            items: Vec::new(),
            reason: Some(error.to_string()),
            applied,
        }
    }

    /// Every change line, then every drift line, for messages.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.items.iter().flat_map(|i| i.changes.iter().cloned()).collect();
        out.extend(
            self.items
                .iter()
                .flat_map(|i| i.drift.iter().map(move |d| format!("drift: {d}"))),
        );
        out
    }
}

/// How an error classifies an account: refused (denied) or anything else.
pub fn failure_status(error: &Error) -> Status {
    match error.kind() {
        Some(ErrorKind::AccessDenied) => Status::Denied,
        _ => Status::Failed,
    }
}

/// Managed policy references resolved once per plan (AWS managed names cost reads).
type Resolved = HashMap<String, String>;

impl Client {
    /// A role reference of the spec (a spec policy's name, an AWS managed name, or an ARN) as an ARN.
    async fn managed_arn(&self, spec: &SpecFile, name: &str, cache: &mut Resolved) -> Result<String, Error> {
        if let Some(arn) = cache.get(name) {
            return Ok(arn.clone());
        }
        let arn = if name.starts_with("arn:") {
            name.to_string()
        } else if let Some(p) = spec.policy(name) {
            self.customer_policy_arn(&p.name, &p.path).await?
        } else {
            self.aws_managed_arn(name).await?
        };
        cache.insert(name.to_string(), arn.clone());
        Ok(arn)
    }

    /// The role as `ensure_role` takes it: managed policies as ARNs, the spec tag added.
    async fn wanted(&self, spec: &SpecFile, role: &RoleDef, cache: &mut Resolved) -> Result<RoleSpec, Error> {
        let mut want = role.spec.clone();
        if let Some(names) = &role.spec.managed_policies {
            let mut arns = Vec::with_capacity(names.len());
            for n in names {
                arns.push(self.managed_arn(spec, n, cache).await?);
            }
            want.managed_policies = Some(arns);
        }
        if let Some(b) = &role.spec.permissions_boundary {
            want.permissions_boundary = Some(self.managed_arn(spec, b, cache).await?);
        }
        let mut tags = want.tags.take().unwrap_or_default();
        tags.retain(|(k, _)| k != SPEC_TAG);
        tags.push((SPEC_TAG.to_string(), role.digest()));
        want.tags = Some(tags);
        Ok(want)
    }

    async fn plan_role_def(&self, spec: &SpecFile, role: &RoleDef, cache: &mut Resolved) -> Result<ItemPlan, Error> {
        let want = self.wanted(spec, role, cache).await?;
        let name = want.name.clone();
        let (steps, current) = self.plan_steps(&want).await?;
        let mut item = ItemPlan {
            kind: "role",
            name: name.clone(),
            changes: Vec::new(),
            drift: Vec::new(),
            reverts_drift: role.spec.exclusive,
        };
        let Some(current) = current else {
            item.changes = steps.iter().map(|s| s.describe(&name)).collect();
            return Ok(item);
        };
        let digest = role.digest();
        let applied = current.tags.iter().any(|(k, v)| k == SPEC_TAG && *v == digest);
        if !applied {
            item.changes = steps.iter().map(|s| s.describe(&name)).collect();
            return Ok(item);
        }
        // Applied from this very definition: whatever differs now was changed by hand. Seen as
        // if the role were exclusive, so that additions (a policy attached) show too; tags the
        // spec does not manage are not its business.
        let full = RoleSpec {
            exclusive: true,
            ..want
        };
        item.drift = super::roles::steps_for(&full, Some(&current))
            .iter()
            .filter(|s| role.spec.tags.is_some() || !matches!(s, Step::Untag(_)))
            .map(|s| s.describe(&name))
            .collect();
        Ok(item)
    }

    /// A customer managed policy of the spec against the account.
    async fn plan_policy(&self, p: &super::spec::PolicyDef) -> Result<ItemPlan, Error> {
        let arn = self.customer_policy_arn(&p.name, &p.path).await?;
        let changes = match self.find_managed_policy(&arn).await? {
            None => vec![format!("create policy {}", p.name)],
            Some(have) => {
                let same = serde_json::from_str::<serde_json::Value>(&have.document)
                    .is_ok_and(|d| normalize(&d) == normalize(&p.document));
                if same {
                    Vec::new()
                } else {
                    vec![format!("update policy {} (a new default version)", p.name)]
                }
            }
        };
        Ok(ItemPlan {
            kind: "policy",
            name: p.name.clone(),
            changes,
            drift: Vec::new(),
            reverts_drift: false,
        })
    }

    /// What applying `spec` would write in this account, and what drifted; nothing is written.
    /// Every policy and role is read at once (a plan's time is its slowest read, not their sum).
    pub async fn plan_spec(&self, spec: &SpecFile) -> Result<AccountPlan, Error> {
        let me = self.identity().await?;
        let policies = join_all(spec.policies.iter().map(|p| self.plan_policy(p)));
        let roles = join_all(spec.roles.iter().map(|role| async move {
            let mut cache = Resolved::new();
            self.plan_role_def(spec, role, &mut cache).await
        }));
        let (policies, roles) = tokio::join!(policies, roles);
        let items = policies.into_iter().chain(roles).collect::<Result<Vec<_>, Error>>()?;
        Ok(AccountPlan::from_items(me.account, items))
    }

    /// Apply `spec` in this account: policies first, then each role with changes (and each
    /// exclusive role with drift). Returns the plan it applied, with `applied` filled; a failure
    /// part way is `Error::Partial` with what was applied.
    pub async fn apply_spec(&self, spec: &SpecFile) -> Result<AccountPlan, Error> {
        let mut plan = self.plan_spec(spec).await?;
        let mut applied: Vec<String> = Vec::new();
        let fail = |applied: &Vec<String>, e: Error| {
            if applied.is_empty() {
                e
            } else {
                Error::Partial {
                    applied: applied.clone(),
                    cause: Box::new(e),
                }
            }
        };
        for p in &spec.policies {
            let item = plan.items.iter().find(|i| i.kind == "policy" && i.name == p.name);
            if item.is_none_or(|i| i.changes.is_empty()) {
                continue;
            }
            match self
                .put_policy(&p.name, &p.document, p.description.as_deref(), &p.path)
                .await
            {
                Ok(m) if m.changed => applied.extend(item.map(|i| i.changes.clone()).unwrap_or_default()),
                Ok(_) => {}
                Err(e) => return Err(fail(&applied, e)),
            }
        }
        let mut cache = Resolved::new();
        for role in &spec.roles {
            let item = plan.items.iter().find(|i| i.kind == "role" && i.name == role.spec.name);
            let due = item.is_some_and(|i| !i.changes.is_empty() || (i.reverts_drift && !i.drift.is_empty()));
            if !due {
                continue;
            }
            let want = match self.wanted(spec, role, &mut cache).await {
                Ok(w) => w,
                Err(e) => return Err(fail(&applied, e)),
            };
            match self.ensure_role(&want).await {
                Ok(change) => applied.extend(change.changes),
                Err(Error::Partial { applied: some, cause }) => {
                    applied.extend(some);
                    return Err(fail(&applied, *cause));
                }
                Err(e) => return Err(fail(&applied, e)),
            }
        }
        plan.status = if applied.is_empty() {
            plan.status
        } else {
            Status::Applied
        };
        plan.applied = applied;
        Ok(plan)
    }
}
