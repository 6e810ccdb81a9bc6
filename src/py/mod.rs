//! The only place that imports pyo3: conversions, the runtimes (per-thread for blocking calls, shared for async ones), error mapping.
//! No domain logic lives here; every method converts its arguments, calls `aws` or `policy`, and
//! converts the result back.

mod client;
mod errors;
mod eval;
mod html;
mod ops;
mod policy;
mod runtime;
mod sagemaker;
mod types;

use pyo3::prelude::*;

/// The native module `rolekit._rolekit`.
#[pymodule]
pub mod _rolekit {
    #[pymodule_export]
    use super::client::{PyAsyncClient, PyClient};
    #[pymodule_export]
    use super::eval::{simulate, simulate_many, PyDecision};
    #[pymodule_export]
    use super::ops::{aws_managed, PyAwsManaged, PyManagedPolicy, PyRole, PyRoleChange};
    #[pymodule_export]
    use super::policy::{catalog_action, catalog_actions, catalog_date, PyFinding, PyPolicy, PyReport, PyStatement};
    #[pymodule_export]
    use super::runtime::_panic_selftest;
    #[pymodule_export]
    use super::sagemaker::sagemaker_execution_policy;
    #[pymodule_export]
    use super::types::{issued_secrets, PyCredentials, PyIdentity};

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
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
