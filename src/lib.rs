//! The extension crate `rolekit._rolekit`, the only place that imports pyo3: conversions, the
//! runtimes (per-thread for blocking calls, shared for async ones), error mapping. No domain logic
//! lives here; every method converts its arguments, calls `rolekit_aws` or `rolekit_policy`, and
//! converts the result back.
//!
//! The domain lives in the pure crates: `rolekit_policy` (crates/rolekit-policy, the policy language)
//! and `rolekit_aws` (crates/rolekit-aws, the AWS operations). Neither knows Python exists.

/// Rust's own allocations go to mimalloc (Python's objects keep Python's allocator): validation
/// makes many small short-lived blocks, where the C library's malloc was a fifth of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod borrowed;
mod client;
mod diagnose;
mod errors;
mod eval;
mod html;
mod iam;
mod policy;
mod rules;
mod runtime;
mod sagemaker;
mod secrets;
mod spec;
mod types;

use pyo3::prelude::*;

/// The native module `rolekit._rolekit`.
#[pymodule]
pub mod _rolekit {
    #[pymodule_export]
    use super::client::{PyAsyncClient, PyClient};
    #[pymodule_export]
    use super::diagnose::{PyDiagnosis, PyProblem};
    #[pymodule_export]
    use super::eval::{simulate, simulate_many, PyDecision};
    #[pymodule_export]
    use super::iam::{aws_managed, PyAwsManaged, PyManagedPolicy, PyRole, PyRoleChange};
    #[pymodule_export]
    use super::policy::{
        catalog_action, catalog_actions, catalog_date, html_table, PyFinding, PyPolicy, PyReport, PyStatement,
    };
    #[pymodule_export]
    use super::rules::check_value;
    #[pymodule_export]
    use super::runtime::_panic_selftest;
    #[pymodule_export]
    use super::sagemaker::sagemaker_execution_policy;
    #[pymodule_export]
    use super::secrets::{known_secrets, mask_secrets, register_secret, secret_values, PySecretStream};
    #[pymodule_export]
    use super::spec::{PyFleet, PyFleetPlan, PyPlan, PyRoleSpec};
    #[pymodule_export]
    use super::types::{PyCredentials, PyIdentity};

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        // The policy kinds validate() takes, for the CLI's and the magic's choices.
        m.add(
            "POLICY_KINDS",
            rolekit_policy::PolicyKind::ALL
                .map(rolekit_policy::PolicyKind::as_str)
                .to_vec(),
        )?;
        // Panics already reach Python as RolekitError("internal error ..."); the default hook would
        // also print a Rust backtrace note into the notebook. ROLEKIT_DEBUG=1 keeps it.
        std::panic::set_hook(Box::new(|info| {
            if std::env::var_os("ROLEKIT_DEBUG").is_some() {
                eprintln!("rolekit: {info}");
            }
        }));
        Ok(())
    }
}
