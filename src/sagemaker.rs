//! `sagemaker_execution_policy`: Python arguments to `policy::sagemaker::ExecutionOptions`.

use pyo3::prelude::*;

use crate::args::arg;
use crate::policy::{strings, PyPolicy};
use rolekit_policy::sagemaker::{execution_policy, ExecutionOptions};

/// A string or a list of strings, or nothing (`None` or absent) as an empty list.
pub fn optional(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<String>> {
    match obj.filter(|o| !o.is_none()) {
        Some(o) => strings(o, what),
        None => Ok(Vec::new()),
    }
}

/// Convert the keyword arguments shared by `execution_policy` and `Client.sagemaker_execution_role`.
pub fn options(
    s3: &Bound<'_, PyAny>,
    ecr_repositories: Option<&Bound<'_, PyAny>>,
    kms_keys: Option<&Bound<'_, PyAny>>,
    vpc: bool,
    region: Option<String>,
    account: Option<String>,
) -> PyResult<ExecutionOptions> {
    Ok(ExecutionOptions {
        s3: strings(s3, "s3")?,
        ecr_repositories: optional(ecr_repositories, "ecr_repositories")?,
        kms_keys: optional(kms_keys, "kms_keys")?,
        vpc,
        region,
        account,
    })
}

/// The permission policy of a SageMaker execution role, scoped to what the job uses
/// (`rolekit.sagemaker.execution_policy`).
///
/// ``s3`` takes ``s3://bucket/prefix`` locations; ``region`` and ``account`` narrow the log, ECR
/// and KMS ARNs (any, ``*``, when not given). Raises InvalidArgument naming a bad location,
/// account, region, repository or key.
#[pyfunction]
#[pyo3(signature = (*, s3, ecr_repositories=None, kms_keys=None, vpc=false, region=None, account=None))]
pub fn sagemaker_execution_policy(
    s3: &Bound<'_, PyAny>,
    ecr_repositories: Option<&Bound<'_, PyAny>>,
    kms_keys: Option<&Bound<'_, PyAny>>,
    #[pyo3(from_py_with = arg)] vpc: bool,
    #[pyo3(from_py_with = arg)] region: Option<String>,
    #[pyo3(from_py_with = arg)] account: Option<String>,
) -> PyResult<PyPolicy> {
    let opts = options(s3, ecr_repositories, kms_keys, vpc, region, account)?;
    let doc = execution_policy(&opts).map_err(crate::errors::invalid)?;
    Ok(PyPolicy::from_value(&doc))
}
