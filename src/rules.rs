//! `_rolekit.check_value(rule, value)`: the Python face's one door to the request-shape rules of
//! `rolekit_aws::names`, so that profiles.py, the CLI and the notebooks ask Rust instead of
//! re-writing IAM's and STS's syntax as regexes. Raises `InvalidArgument` naming the rule.

use pyo3::prelude::*;

use crate::args::text;
use crate::errors::Error;
use rolekit_aws::names;

/// Check `value` against one of rolekit's rules; `InvalidArgument` when it fails.
///
/// Rules: `profile_name`, `role_arn`, `role` (a name, path/name or ARN), `session_name`,
/// `external_id`, `mfa_serial`, `region`, `session_duration`, `max_session_duration`.
#[pyfunction]
pub fn check_value(#[pyo3(from_py_with = text)] rule: &str, value: &Bound<'_, PyAny>) -> Result<(), Error> {
    let int = || -> Result<i32, Error> {
        if value.is_instance_of::<pyo3::types::PyBool>() {
            return Err(crate::errors::invalid_type(format!("{rule} must be an integer, got bool")).into());
        }
        value
            .extract::<i32>()
            .map_err(|_| crate::errors::invalid_type(format!("{rule} must be an integer")).into())
    };
    let text = || -> Result<String, Error> {
        value
            .extract::<String>()
            .map_err(|_| crate::errors::invalid_type(format!("{rule} must be a string")).into())
    };
    match rule {
        "profile_name" => names::check_profile_name(&text()?)?,
        "role_arn" => names::check_role_arn(&text()?)?,
        "role" => names::check_role_ref(&text()?)?,
        "session_name" => names::check_session_name(&text()?)?,
        "external_id" => names::check_external_id(&text()?)?,
        "mfa_serial" => names::check_mfa_serial(&text()?)?,
        "region" => names::check_region(&text()?)?,
        "session_duration" => names::check_session_duration(int()?)?,
        "max_session_duration" => names::check_max_session_duration(int()?)?,
        other => return Err(crate::errors::invalid(format!("no rule named {other:?}")).into()),
    }
    Ok(())
}
