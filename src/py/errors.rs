//! The single conversion of rolekit's Rust errors into the Python exceptions of
//! `rolekit.exceptions`. Exceptions with attributes are defined in Python and built here.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;

use crate::aws::{self, ErrorKind};

pyo3::import_exception!(rolekit.exceptions, RolekitError);

/// The Python class name for an AWS error kind.
fn class_for(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::AccessDenied => "AccessDenied",
        ErrorKind::NoSuchEntity => "NoSuchEntity",
        ErrorKind::EntityAlreadyExists => "EntityAlreadyExists",
        ErrorKind::MalformedPolicy => "MalformedPolicy",
        ErrorKind::LimitExceeded => "LimitExceeded",
        ErrorKind::Throttled => "Throttled",
        ErrorKind::InvalidCredentials => "InvalidCredentials",
        ErrorKind::ExpiredToken => "ExpiredToken",
        ErrorKind::Other => "AwsError",
    }
}

/// Instantiate `rolekit.exceptions.<class>(message, **kwargs)` as a `PyErr`.
fn build(class: &str, message: String, kwargs: &[(&str, Option<Py<PyAny>>)]) -> PyErr {
    Python::attach(|py| {
        let made = (|| -> PyResult<PyErr> {
            let cls = py.import("rolekit.exceptions")?.getattr(class)?;
            let kw = PyDict::new(py);
            for (k, v) in kwargs {
                kw.set_item(k, v)?;
            }
            let instance = cls.call((message.clone(),), Some(&kw))?;
            Ok(PyErr::from_value(instance))
        })();
        made.unwrap_or_else(|e| e)
    })
}

fn opt<'py, T: IntoPyObjectExt<'py>>(py: Python<'py>, value: Option<T>) -> Option<Py<PyAny>> {
    value.and_then(|v| v.into_py_any(py).ok())
}

impl From<aws::Error> for PyErr {
    fn from(err: aws::Error) -> PyErr {
        let message = err.to_string();
        convert(err, message)
    }
}

/// Build the Python exception for `err`, with `message` as its text (a partial change keeps the
/// class of its cause and says what was applied).
fn convert(err: aws::Error, message: String) -> PyErr {
    match err {
        aws::Error::Service(e) => {
            let retry_safe = e.kind.retry_safe() || e.status.is_some_and(|s| s >= 500);
            let kwargs = Python::attach(|py| {
                vec![
                    ("code", opt(py, Some(e.code.clone()))),
                    ("aws_message", opt(py, Some(e.message.clone()))),
                    ("operation", opt(py, Some(e.operation.clone()))),
                    ("request_id", opt(py, e.request_id.clone())),
                    ("status", opt(py, e.status)),
                    ("retry_safe", opt(py, Some(retry_safe))),
                ]
            });
            build(class_for(e.kind), message, &kwargs)
        }
        aws::Error::Endpoint {
            endpoint,
            operation,
            cause,
        } => {
            let kwargs = Python::attach(|py| {
                vec![
                    ("endpoint", opt(py, Some(endpoint))),
                    ("operation", opt(py, Some(operation))),
                    ("cause", opt(py, Some(cause))),
                ]
            });
            build("EndpointError", message, &kwargs)
        }
        aws::Error::NoCredentials { operation, .. } => {
            let kwargs = Python::attach(|py| {
                vec![
                    ("code", opt(py, Some("NoCredentials"))),
                    ("aws_message", opt(py, Some(message.clone()))),
                    ("operation", opt(py, Some(operation))),
                ]
            });
            build("InvalidCredentials", message, &kwargs)
        }
        aws::Error::InvalidArgument(_) => pyo3::exceptions::PyValueError::new_err(message),
        aws::Error::Unsafe(_) => build("UnsafeOperation", message, &[]),
        aws::Error::NotAssumable(_) => build("NotAssumable", message, &[]),
        aws::Error::Partial { cause, .. } => convert(*cause, message),
        aws::Error::Policy { findings, .. } => policy_error(message, findings),
        aws::Error::Config(_) | aws::Error::Protocol(_) | aws::Error::Unavailable(_) => {
            build("RolekitError", message, &[])
        }
    }
}

/// A Rust panic, reported as a RolekitError that asks to be reported, never as a crash.
pub fn internal_error(panic: &Box<dyn std::any::Any + Send>) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    build(
        "RolekitError",
        format!("internal error in rolekit: {what}. This is a bug; please report it with the call that caused it."),
        &[],
    )
}

/// `rolekit.exceptions.PolicyError(message, findings=[Finding, ...])`.
pub fn policy_error(message: String, findings: Vec<crate::policy::validate::Finding>) -> PyErr {
    let list = Python::attach(|py| {
        let items: Vec<Py<PyAny>> = findings
            .into_iter()
            .filter_map(|f| Py::new(py, super::policy::PyFinding(f)).ok().map(Py::into_any))
            .collect();
        items.into_py_any(py).ok()
    });
    build("PolicyError", message, &[("findings", list)])
}
