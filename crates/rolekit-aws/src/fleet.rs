//! One spec across many accounts: each account reached by assuming a role in it (the caller's
//! own account with its own credentials), planned or applied with bounded concurrency, every
//! request of every account drawing on one shared client-side rate limit, one account's failure
//! never stopping the others' work in flight.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::assume::{AssumeOptions, Progress};
use super::direct::adaptive::Shared;
use super::plan::{failure_status, AccountPlan, Status};
use super::spec::SpecFile;
use super::{Client, Error};

/// Which accounts, and how each is reached.
#[derive(Clone, Default)]
pub struct FleetOptions {
    /// Account ids; with `organization`, the organization's active accounts instead.
    pub accounts: Vec<String>,
    pub organization: bool,
    /// With `organization`: only the accounts under this OU (and its OUs).
    pub ou: Option<String>,
    /// The role assumed in each account (not in the caller's own).
    pub role: String,
    pub external_id: Option<String>,
    /// Accounts worked on at once.
    pub concurrency: usize,
    /// Told "N/M accounts, F failed" as accounts finish, and `None` at the end.
    pub progress: Option<Progress>,
}

/// One account's outcome, as the fleet records it.
fn unreachable(account: &str, error: &Error) -> AccountPlan {
    AccountPlan::failed(account.to_string(), Status::Unreachable, error, Vec::new())
}

impl Client {
    /// One Organizations call (JSON 1.1), every page (`NextToken`): the list `field`'s items.
    async fn organizations_all(&self, operation: &str, body: &Value, field: &str) -> Result<Vec<Value>, Error> {
        let endpoint = self.sender().per_resource.organizations();
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = body.clone();
            if let Some(t) = &token {
                request["NextToken"] = Value::String(t.clone());
            }
            let answer = self
                .json_call(&endpoint, "AWSOrganizationsV20161128", operation, &request)
                .await?;
            if let Some(items) = answer.get(field).and_then(Value::as_array) {
                out.extend(items.iter().cloned());
            }
            match answer.get("NextToken").and_then(Value::as_str) {
                Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    /// The active accounts under `parent` and the OUs below it.
    async fn accounts_under(&self, parent: &str) -> Result<Vec<Value>, Error> {
        let mut out = Vec::new();
        let mut parents = vec![parent.to_string()];
        while let Some(p) = parents.pop() {
            let body = json!({ "ParentId": p });
            out.extend(
                self.organizations_all("ListAccountsForParent", &body, "Accounts")
                    .await?,
            );
            let ous = self
                .organizations_all("ListOrganizationalUnitsForParent", &body, "OrganizationalUnits")
                .await?;
            parents.extend(
                ous.iter()
                    .filter_map(|o| o.get("Id").and_then(Value::as_str).map(str::to_string)),
            );
        }
        Ok(out)
    }

    /// The fleet's accounts: those given, or the organization's active ones (from its
    /// management account), sorted, each once.
    pub async fn fleet_accounts(&self, o: &FleetOptions) -> Result<Vec<String>, Error> {
        let mut ids: Vec<String> = if o.organization {
            let accounts = match &o.ou {
                Some(ou) => self.accounts_under(ou).await?,
                None => self.organizations_all("ListAccounts", &json!({}), "Accounts").await?,
            };
            accounts
                .iter()
                .filter(|a| a.get("Status").and_then(Value::as_str).is_none_or(|s| s == "ACTIVE"))
                .filter_map(|a| a.get("Id").and_then(Value::as_str).map(str::to_string))
                .collect()
        } else {
            o.accounts.clone()
        };
        if let Some(bad) = ids.iter().find(|a| !rolekit_policy::arn::is_account_id(a)) {
            return Err(Error::InvalidArgument(format!(
                "{bad:?} is not an account id (12 digits)"
            )));
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// A client in `account`: this one for the caller's own account, else one signed with the
    /// credentials of `role` assumed there.
    async fn reach(&self, account: &str, o: &FleetOptions, limit: &Arc<Shared>) -> Result<Option<Client>, Error> {
        let me = self.identity().await?;
        if me.account == account {
            return Ok(None);
        }
        let arn = format!(
            "arn:{}:iam::{account}:role/{}",
            me.partition,
            o.role.trim_start_matches('/')
        );
        let opts = AssumeOptions {
            session_name: Some("rolekit-fleet".into()),
            duration: 3600,
            external_id: o.external_id.clone(),
            ..AssumeOptions::default()
        };
        let credentials = self.assume_role(&arn, &opts).await?;
        Ok(Some(self.with_credentials(credentials, Some(limit.clone())).await?))
    }

    /// Plan (or, with `apply`, apply) `spec` in every account of the fleet. Applying starts no new
    /// account once more than `max_failures` have failed (those not started say so); accounts
    /// already started finish. One entry per account, in account order.
    pub async fn fleet_run(
        &self,
        spec: &SpecFile,
        o: &FleetOptions,
        apply: bool,
        max_failures: usize,
    ) -> Result<Vec<AccountPlan>, Error> {
        let accounts = self.fleet_accounts(o).await?;
        let limit = Arc::new(Shared::default());
        let permits = Arc::new(tokio::sync::Semaphore::new(o.concurrency.max(1)));
        let (done, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let total = accounts.len();
        let tell = |line: Option<&str>| {
            if let Some(p) = &o.progress {
                (p.0)(line);
            }
        };
        let work = accounts.iter().map(|account| {
            let (permits, limit, done, failed) = (permits.clone(), limit.clone(), &done, &failed);
            async move {
                let _permit = permits.acquire().await;
                let outcome = if apply && failed.load(Ordering::SeqCst) > max_failures {
                    AccountPlan::failed(
                        account.clone(),
                        Status::Skipped,
                        &Error::Unavailable(format!("not started: more than {max_failures} accounts had failed")),
                        Vec::new(),
                    )
                } else {
                    Box::pin(self.run_one(account, spec, o, &limit, apply)).await
                };
                if matches!(outcome.status, Status::Unreachable | Status::Denied | Status::Failed) {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                tell(Some(&format!(
                    "{} {n}/{total} accounts, {} failed",
                    if apply { "apply" } else { "plan" },
                    failed.load(Ordering::SeqCst)
                )));
                outcome
            }
        });
        let out = join_all(work).await;
        tell(None);
        Ok(out)
    }

    async fn run_one(
        &self,
        account: &str,
        spec: &SpecFile,
        o: &FleetOptions,
        limit: &Arc<Shared>,
        apply: bool,
    ) -> AccountPlan {
        let there = match self.reach(account, o, limit).await {
            Ok(c) => c,
            Err(e) => return unreachable(account, &e),
        };
        let client = there.as_ref().unwrap_or(self);
        let result = if apply {
            Box::pin(client.apply_spec(spec)).await
        } else {
            Box::pin(client.plan_spec(spec)).await
        };
        match result {
            Ok(mut plan) => {
                plan.account = account.to_string();
                plan
            }
            Err(Error::Partial { applied, cause }) => {
                AccountPlan::failed(account.to_string(), failure_status(&cause), &cause, applied)
            }
            Err(e) if !apply && failure_status(&e) != Status::Denied => unreachable(account, &e),
            Err(e) => AccountPlan::failed(account.to_string(), failure_status(&e), &e, Vec::new()),
        }
    }
}
