//! Reads without copies or new references, for `simulate`'s per-call conversion: called once per
//! request, it would otherwise spend more on its arguments than on the decision.
//!
//! A str's text: under the stable ABI of Python 3.9 that the wheel targets, pyo3 reads a str
//! through a new bytes object (`PyUnicode_AsUTF8String`); CPython keeps a str's UTF-8 form inside
//! the object, and `PyUnicode_AsUTF8AndSize` hands it out. A dict's items: compared by address.

use std::os::raw::c_char;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

extern "C" {
    /// Part of the stable ABI since Python 3.10, and exported with this same signature by every
    /// CPython since 3.3 (an abi3 wheel loads only into CPython); pyo3 declares it for 3.10+ only.
    fn PyUnicode_AsUTF8AndSize(unicode: *mut ffi::PyObject, size: *mut ffi::Py_ssize_t) -> *const c_char;
}

/// The text of argument `name`, which must be a str, without a copy.
pub fn text<'a>(obj: &'a Bound<'_, PyAny>, name: &str) -> PyResult<&'a str> {
    let s = obj.cast::<PyString>().map_err(|_| {
        let kind = crate::args::type_name(obj);
        crate::errors::invalid_type(format!("{name} must be a str, not {kind}"))
    })?;
    utf8(s).map_err(|e| crate::errors::invalid(format!("{name} is not text that can be sent to AWS: {e}")))
}

/// The text of `s`, without a copy; valid as long as `s` is borrowed.
pub fn utf8<'a>(s: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live str and the GIL is held (it is a `Bound`). CPython returns a pointer
    // to the UTF-8 form it caches in the object, valid while the object lives, which the lifetime
    // of the borrow of `s` guarantees; or NULL with an exception set (a lone surrogate).
    let data = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &raw mut size) };
    if data.is_null() {
        return Err(PyErr::fetch(s.py()));
    }
    let len = usize::try_from(size).unwrap_or(0);
    // SAFETY: CPython guarantees `size` readable bytes at `data` (see above).
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| crate::errors::invalid(format!("a string is not valid UTF-8: {e}")))
}

/// Whether `dict`'s items are, in order, the very objects of `items` (not equal ones: the same).
pub fn same_items(dict: &Bound<'_, PyDict>, items: &[(Py<PyAny>, Py<PyAny>)]) -> bool {
    if dict.len() != items.len() {
        return false;
    }
    let mut pos: ffi::Py_ssize_t = 0;
    let (mut key, mut value) = (std::ptr::null_mut(), std::ptr::null_mut());
    items.iter().all(|(k, v)| {
        // SAFETY: the GIL is held (`dict` is a `Bound`); PyDict_Next only reads the dict and
        // hands out borrowed pointers, which are compared here and never dereferenced.
        let more = unsafe { ffi::PyDict_Next(dict.as_ptr(), &raw mut pos, &raw mut key, &raw mut value) };
        more != 0 && key == k.as_ptr() && value == v.as_ptr()
    })
}
