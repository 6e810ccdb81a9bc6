//! `Client` (blocking, GIL released) and `AsyncClient` (awaitables) over one `aws::Client`.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::runtime::{awaitable, block_on};
use super::types::{extract_credentials, PyIdentity};
use crate::aws::{self, config::RetryMode, ClientOptions};

fn options(
    profile: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    credentials: Option<&Bound<'_, PyAny>>,
    timeout: Option<f64>,
    retries: Option<u32>,
    retry_mode: &str,
) -> PyResult<ClientOptions> {
    let timeout = match timeout {
        Some(t) if !(t.is_finite() && t > 0.0 && t <= 3600.0) => {
            return Err(PyValueError::new_err(format!(
                "timeout must be between 0 and 3600 seconds, got {t}"
            )))
        }
        Some(t) => Some(Duration::from_secs_f64(t)),
        None => None,
    };
    let retry_mode = match retry_mode {
        "standard" => RetryMode::Standard,
        "adaptive" => RetryMode::Adaptive,
        other => {
            return Err(PyValueError::new_err(format!(
                "retry_mode must be 'standard' or 'adaptive', got {other:?}"
            )))
        }
    };
    Ok(ClientOptions {
        profile,
        region,
        endpoint_url,
        credentials: credentials
            .filter(|c| !c.is_none())
            .map(extract_credentials)
            .transpose()?,
        timeout,
        max_attempts: retries.map(|r| r.saturating_add(1)),
        retry_mode,
    })
}

fn connect(py: Python<'_>, opts: ClientOptions) -> PyResult<Arc<aws::Client>> {
    block_on(py, async move { Ok(Arc::new(aws::Client::new(opts).await?)) })
}

/// A blocking rolekit client. Every call releases the GIL while it waits on the network.
#[pyclass(frozen, module = "rolekit._rolekit", name = "Client")]
pub struct PyClient {
    inner: Arc<aws::Client>,
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (profile=None, region=None, endpoint_url=None, credentials=None, timeout=None, retries=None, retry_mode="standard"))]
    fn new(
        py: Python<'_>,
        profile: Option<String>,
        region: Option<String>,
        endpoint_url: Option<String>,
        credentials: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        retries: Option<u32>,
        retry_mode: &str,
    ) -> PyResult<Self> {
        let opts = options(profile, region, endpoint_url, credentials, timeout, retries, retry_mode)?;
        Ok(Self {
            inner: connect(py, opts)?,
        })
    }

    /// Where requests go.
    #[getter]
    fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }

    /// Who the credentials belong to (`sts:GetCallerIdentity`).
    fn whoami(&self, py: Python<'_>) -> PyResult<PyIdentity> {
        let inner = self.inner.clone();
        block_on(py, async move { Ok(PyIdentity(inner.whoami().await?)) })
    }

    fn __repr__(&self) -> String {
        format!("Client(endpoint={:?})", self.inner.endpoint())
    }
}

/// The asyncio twin of `Client`: the same methods, returning awaitables.
#[pyclass(frozen, module = "rolekit._rolekit", name = "AsyncClient")]
pub struct PyAsyncClient {
    inner: Arc<aws::Client>,
}

#[pymethods]
impl PyAsyncClient {
    #[new]
    #[pyo3(signature = (profile=None, region=None, endpoint_url=None, credentials=None, timeout=None, retries=None, retry_mode="standard"))]
    fn new(
        py: Python<'_>,
        profile: Option<String>,
        region: Option<String>,
        endpoint_url: Option<String>,
        credentials: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        retries: Option<u32>,
        retry_mode: &str,
    ) -> PyResult<Self> {
        let opts = options(profile, region, endpoint_url, credentials, timeout, retries, retry_mode)?;
        Ok(Self {
            inner: connect(py, opts)?,
        })
    }

    /// Where requests go.
    #[getter]
    fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }

    /// Who the credentials belong to (`sts:GetCallerIdentity`).
    fn whoami<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        awaitable(py, async move { Ok(PyIdentity(inner.whoami().await?)) })
    }

    fn __repr__(&self) -> String {
        format!("AsyncClient(endpoint={:?})", self.inner.endpoint())
    }
}
