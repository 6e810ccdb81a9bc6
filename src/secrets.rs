//! rolekit-aws's secret registry and matcher (`rolekit_aws::secrets`), for `rolekit._secrets`
//! and the Jupyter kernel: conversions only.

use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

use pyo3::prelude::*;
use rolekit_aws::secrets;

use crate::args::{arg, text};

/// `text` with every run of a known secret masked.
#[pyfunction]
#[pyo3(name = "_mask_secrets")]
pub fn mask_secrets(py: Python<'_>, #[pyo3(from_py_with = text)] text: &str) -> String {
    if text.len() > 64 * 1024 {
        py.detach(|| secrets::mask(text).into_owned())
    } else {
        secrets::mask(text).into_owned()
    }
}

/// Remember a secret: `expires` (seconds since the epoch) keeps it at least until then, `pin`
/// for good. True when it was new to the registry.
#[pyfunction]
#[pyo3(name = "_register_secret", signature = (value, expires=None, pin=false))]
pub fn register_secret(
    #[pyo3(from_py_with = text)] value: &str,
    #[pyo3(from_py_with = arg)] expires: Option<f64>,
    #[pyo3(from_py_with = arg)] pin: bool,
) -> bool {
    let expires = expires
        .filter(|t| t.is_finite() && *t >= 0.0 && *t < 1e12)
        .map(|t| UNIX_EPOCH + Duration::from_secs_f64(t));
    secrets::register(value, expires, pin)
}

/// The known secrets, each masked (`****` and its last four characters).
#[pyfunction]
#[pyo3(name = "_known_secrets")]
pub fn known_secrets() -> Vec<String> {
    secrets::shown()
}

/// The known secrets themselves, for rolekit's tests, which scan outputs for them (code in the
/// process can read them from its credentials anyway).
#[pyfunction]
#[pyo3(name = "_secret_values")]
pub fn secret_values() -> Vec<String> {
    secrets::values()
}

/// A stream (a cell's stdout) masked across the chunks it arrives in.
#[pyclass(frozen, module = "rolekit._rolekit", name = "_SecretStream")]
pub struct PySecretStream(Mutex<secrets::Stream>);

#[pymethods]
impl PySecretStream {
    #[new]
    fn new() -> Self {
        Self(Mutex::new(secrets::Stream::new()))
    }

    /// The chunk as it may be shown.
    fn push(&self, #[pyo3(from_py_with = text)] chunk: &str) -> String {
        let mut stream = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        stream.push(chunk)
    }
}
