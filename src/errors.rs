//! The single conversion of rolekit's Rust errors into the Python exceptions of
//! `rolekit.exceptions`. Exceptions with attributes are defined in Python and built here.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};
use pyo3::IntoPyObjectExt;

use rolekit_aws::{self as aws, ErrorKind};

// Every class is imported once (its type object cached by pyo3), as cryptography does; they are
// defined in python/rolekit/exceptions.py, where their attributes and docs live.
pyo3::import_exception!(rolekit.exceptions, RolekitError);
pyo3::import_exception!(rolekit.exceptions, InvalidArgument);
pyo3::import_exception!(rolekit.exceptions, InvalidArgumentType);
pyo3::import_exception!(rolekit.exceptions, InputLimitExceeded);
pyo3::import_exception!(rolekit.exceptions, PolicyError);
pyo3::import_exception!(rolekit.exceptions, AwsError);
pyo3::import_exception!(rolekit.exceptions, AccessDenied);
pyo3::import_exception!(rolekit.exceptions, NoSuchEntity);
pyo3::import_exception!(rolekit.exceptions, EntityAlreadyExists);
pyo3::import_exception!(rolekit.exceptions, MalformedPolicy);
pyo3::import_exception!(rolekit.exceptions, LimitExceeded);
pyo3::import_exception!(rolekit.exceptions, Throttled);
pyo3::import_exception!(rolekit.exceptions, InvalidCredentials);
pyo3::import_exception!(rolekit.exceptions, ExpiredToken);
pyo3::import_exception!(rolekit.exceptions, EndpointError);
pyo3::import_exception!(rolekit.exceptions, TlsError);
pyo3::import_exception!(rolekit.exceptions, ProxyError);
pyo3::import_exception!(rolekit.exceptions, NotAssumable);
pyo3::import_exception!(rolekit.exceptions, SpecError);
pyo3::import_exception!(rolekit.exceptions, UnsafeOperation);

/// A bad argument value: `rolekit.InvalidArgument` (a `RolekitError` and a `ValueError`).
pub fn invalid(message: impl Into<String>) -> PyErr {
    InvalidArgument::new_err(message.into())
}

/// A bound on work met: `rolekit.InputLimitExceeded` (an `InvalidArgument`).
pub fn limit_met(limit: rolekit_policy::eval::Limit) -> PyErr {
    InputLimitExceeded::new_err(limit.describe())
}

/// An argument of the wrong type: `rolekit.InvalidArgumentType` (an `InvalidArgument` and a `TypeError`).
pub fn invalid_type(message: impl Into<String>) -> PyErr {
    InvalidArgumentType::new_err(message.into())
}

/// The Python class for an AWS error kind.
fn class_for(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    match kind {
        ErrorKind::AccessDenied => py.get_type::<AccessDenied>(),
        ErrorKind::NoSuchEntity => py.get_type::<NoSuchEntity>(),
        ErrorKind::EntityAlreadyExists => py.get_type::<EntityAlreadyExists>(),
        ErrorKind::MalformedPolicy => py.get_type::<MalformedPolicy>(),
        ErrorKind::LimitExceeded => py.get_type::<LimitExceeded>(),
        ErrorKind::Throttled => py.get_type::<Throttled>(),
        ErrorKind::InvalidCredentials => py.get_type::<InvalidCredentials>(),
        ErrorKind::ExpiredToken => py.get_type::<ExpiredToken>(),
        ErrorKind::Other => py.get_type::<AwsError>(),
    }
}

/// Instantiate `class(message, **kwargs)` as a `PyErr`.
fn build(class: Bound<'_, PyType>, message: String, kwargs: &[(&str, Option<Py<PyAny>>)]) -> PyErr {
    let py = class.py();
    let made = (|| -> PyResult<PyErr> {
        let kw = PyDict::new(py);
        for (k, v) in kwargs {
            kw.set_item(k, v)?;
        }
        Ok(PyErr::from_value(class.call((message,), Some(&kw))?))
    })();
    made.unwrap_or_else(|e| e)
}

fn opt<'py, T: IntoPyObjectExt<'py>>(py: Python<'py>, value: Option<T>) -> Option<Py<PyAny>> {
    value.and_then(|v| v.into_py_any(py).ok())
}

/// Every error a binding meets: a Python one (a conversion failed) or one of rolekit's own.
/// Bindings return `Result<T, Error>` and `?` both kinds; pyo3 turns it into the exception.
pub enum Error {
    Py(PyErr),
    Aws(aws::Error),
}

impl From<PyErr> for Error {
    fn from(err: PyErr) -> Self {
        Error::Py(err)
    }
}

impl From<aws::Error> for Error {
    fn from(err: aws::Error) -> Self {
        Error::Aws(err)
    }
}

impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        match err {
            Error::Py(e) => e,
            Error::Aws(e) => {
                let message = e.to_string();
                convert(e, message)
            }
        }
    }
}

/// Build the Python exception for `err`, with `message` as its text (a partial change keeps the
/// class of its cause and says what was applied).
fn convert(err: aws::Error, message: String) -> PyErr {
    let diagnosis = match &err {
        aws::Error::Service(e) => e.diagnosis.clone(),
        aws::Error::NotAssumable { diagnosis, .. } => diagnosis.clone(),
        _ => None,
    };
    let made = convert_plain(err, message);
    if let Some(d) = diagnosis {
        Python::attach(|py| {
            let value = made.value(py);
            if let Ok(d) = Py::new(py, crate::diagnose::PyDiagnosis::new(d)) {
                let _ = value.setattr("diagnosis", d);
            }
        });
    }
    made
}

fn convert_plain(err: aws::Error, message: String) -> PyErr {
    Python::attach(|py| match err {
        aws::Error::Service(e) => {
            let retry_safe = e.kind.retry_safe() || e.status.is_some_and(|s| s >= 500);
            let kwargs = [
                ("code", opt(py, Some(e.code))),
                ("aws_message", opt(py, Some(e.message))),
                ("operation", opt(py, Some(e.operation))),
                ("request_id", opt(py, e.request_id)),
                ("status", opt(py, e.status)),
                ("retry_safe", opt(py, Some(retry_safe))),
            ];
            build(class_for(py, e.kind), message, &kwargs)
        }
        aws::Error::Endpoint {
            endpoint,
            operation,
            cause,
        } => {
            let kwargs = [
                ("endpoint", opt(py, Some(endpoint))),
                ("operation", opt(py, Some(operation))),
                ("cause", opt(py, Some(cause))),
            ];
            build(py.get_type::<EndpointError>(), message, &kwargs)
        }
        aws::Error::Tls {
            endpoint,
            operation,
            problem,
        } => {
            let kwargs = connection_kwargs(py, endpoint, operation, problem, false);
            build(py.get_type::<TlsError>(), message, &kwargs)
        }
        aws::Error::Proxy {
            endpoint,
            operation,
            problem,
            retry_safe,
        } => {
            let kwargs = connection_kwargs(py, endpoint, operation, problem, retry_safe);
            build(py.get_type::<ProxyError>(), message, &kwargs)
        }
        aws::Error::NoCredentials { operation, .. } => {
            let kwargs = [
                ("code", opt(py, Some("NoCredentials"))),
                ("aws_message", opt(py, Some(message.clone()))),
                ("operation", opt(py, Some(operation))),
            ];
            build(py.get_type::<InvalidCredentials>(), message, &kwargs)
        }
        aws::Error::InvalidArgument(_) => invalid(message),
        aws::Error::Unsafe(_) => UnsafeOperation::new_err(message),
        aws::Error::NotAssumable { .. } => NotAssumable::new_err(message),
        aws::Error::Partial { cause, .. } => convert_plain(*cause, message),
        aws::Error::Policy { findings, .. } => policy_error(message, findings),
        aws::Error::Spec(problems) => {
            let items: Vec<(String, usize, usize, String)> = problems
                .into_iter()
                .map(|p| (p.file, p.line, p.column, p.message))
                .collect();
            let list = items.into_py_any(py).ok();
            build(py.get_type::<SpecError>(), message, &[("problems", list)])
        }
        aws::Error::Config(_) | aws::Error::Protocol(_) | aws::Error::Unavailable(_) => RolekitError::new_err(message),
    })
}

/// The keyword arguments of `ConnectionProblem` (TlsError, ProxyError).
fn connection_kwargs(
    py: Python<'_>,
    endpoint: String,
    operation: String,
    problem: String,
    retry_safe: bool,
) -> [(&'static str, Option<Py<PyAny>>); 4] {
    [
        ("endpoint", opt(py, Some(endpoint))),
        ("operation", opt(py, Some(operation))),
        ("problem", opt(py, Some(problem))),
        ("retry_safe", opt(py, Some(retry_safe))),
    ]
}

/// A Rust panic, reported as a RolekitError that asks to be reported, never as a crash.
pub fn internal_error(panic: &Box<dyn std::any::Any + Send>) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    RolekitError::new_err(format!(
        "internal error in rolekit: {what}. This is a bug; please report it with the call that caused it."
    ))
}

/// `rolekit.exceptions.PolicyError(message, findings=[Finding, ...])`.
pub fn policy_error(message: String, findings: Vec<rolekit_policy::validate::Finding>) -> PyErr {
    Python::attach(|py| {
        let items: Vec<Py<PyAny>> = findings
            .into_iter()
            .filter_map(|f| Py::new(py, crate::policy::PyFinding(f)).ok().map(Py::into_any))
            .collect();
        let list = items.into_py_any(py).ok();
        build(py.get_type::<PolicyError>(), message, &[("findings", list)])
    })
}
