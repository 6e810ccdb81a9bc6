//! The plain arguments of rolekit's functions and methods (text, numbers, flags, lists of text),
//! read with `#[pyo3(from_py_with = ...)]` so that a wrong type is `rolekit.InvalidArgumentType`
//! (an `InvalidArgument`, and still a `TypeError`) and a value out of range or text that is not
//! Unicode `rolekit.InvalidArgument`: never PyO3's bare TypeError, OverflowError or
//! UnicodeEncodeError. PyO3 adds the argument's name to the exception as a note ("while
//! processing 'name'"), which `RolekitError` puts in front of its message.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyIterator, PyList, PyString};

/// Read an argument as `T` reads itself; only the errors differ.
pub fn arg<'a, 'py, T: FromPyObject<'a, 'py>>(obj: &'a Bound<'py, PyAny>) -> PyResult<T> {
    obj.extract::<T>().map_err(|e| rolekit_error(obj.py(), e.into()))
}

/// Read a str argument without a copy (see `borrowed`).
pub fn text<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a str> {
    let s = obj.cast::<PyString>().map_err(|e| rolekit_error(obj.py(), e.into()))?;
    crate::borrowed::utf8(s).map_err(|e| rolekit_error(obj.py(), e))
}

/// Read an optional str argument (None is None) without a copy.
pub fn opt_text<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Option<&'a str>> {
    if obj.is_none() {
        Ok(None)
    } else {
        text(obj).map(Some)
    }
}

/// PyO3's error for a value it could not read, as rolekit's exception with the same message (one
/// of rolekit's own, raised by a conversion of rolekit's, stays as it is).
fn rolekit_error(py: Python<'_>, e: PyErr) -> PyErr {
    if e.is_instance_of::<crate::errors::RolekitError>(py) {
        return e;
    }
    let message = e.value(py).to_string();
    if e.is_instance_of::<PyTypeError>(py) {
        crate::errors::invalid_type(message)
    } else if e.is_instance_of::<PyOverflowError>(py) || e.is_instance_of::<PyValueError>(py) {
        crate::errors::invalid(message)
    } else {
        e
    }
}

/// The name of `obj`'s type, for a message that says what was given instead.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

/// Iterate over argument `what`; an object that is not iterable is `InvalidArgumentType`.
pub fn iterate<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyIterator>> {
    obj.try_iter().map_err(|e| {
        if e.is_instance_of::<PyTypeError>(obj.py()) {
            let kind = type_name(obj);
            crate::errors::invalid_type(format!("{what} must be a list (or another iterable), not {kind}"))
        } else {
            e
        }
    })
}

/// Name argument `what` in an error raised while reading it (`.map_err(named(py, "identity"))`),
/// as PyO3 names the arguments it reads itself: a note "while processing 'what'", which
/// `RolekitError` puts in front of its message.
pub fn named<'py, 'a>(py: Python<'py>, what: &'a str) -> impl Fn(PyErr) -> PyErr + use<'py, 'a> {
    move |e| {
        let value = e.value(py);
        let notes = value
            .getattr("__notes__")
            .ok()
            .and_then(|n| n.cast_into::<PyList>().ok())
            .unwrap_or_else(|| PyList::empty(py));
        if notes.append(format!("while processing '{what}'")).is_ok() {
            let _ = value.setattr("__notes__", notes);
        }
        e
    }
}
