//! Blocking calls run on a current-thread runtime of the calling thread's own, with the GIL
//! released: the request's I/O (rolekit-aws's transport.rs) then never leaves that thread. Async calls
//! return awaitables driven by pyo3-async-runtimes' shared multi-thread runtime.
//! A panic inside Rust becomes `RolekitError("internal error …")`, never a crash of the interpreter.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::args::text;
use crate::errors::{internal_error, Error};

thread_local! {
    /// This thread's runtime for blocking calls (timers and sockets; no worker threads).
    static LOCAL: Result<tokio::runtime::Runtime, String> = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string());
}

/// Run `fut` to completion on this thread's runtime with the GIL released.
pub fn block_on<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T, Error>> + Send,
    T: Send,
{
    py.detach(|| {
        let run = |local: &Result<tokio::runtime::Runtime, String>| match local {
            Ok(rt) => match std::panic::catch_unwind(AssertUnwindSafe(|| rt.block_on(fut))) {
                Ok(result) => result.map_err(PyErr::from),
                Err(panic) => Err(internal_error(&panic)),
            },
            Err(e) => Err(crate::errors::RolekitError::new_err(format!(
                "rolekit could not start its I/O runtime on this thread: {e}"
            ))),
        };
        LOCAL.with(run)
    })
}

/// Run pure Rust work with the GIL released; a panic becomes an internal-error `RolekitError`.
pub fn compute<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| internal_error(&panic)))
}

/// [`compute`], holding the GIL when the work is `light` (a few microseconds at most): releasing
/// and taking it back would cost more than the work, and other threads would gain nothing.
pub fn compute_sized<T: Send>(py: Python<'_>, light: bool, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    if light {
        std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| internal_error(&panic))
    } else {
        compute(py, work)
    }
}

/// Hand `fut` to the shared runtime and return a Python awaitable for its result.
pub fn awaitable<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let guarded = CatchUnwind(Box::pin(fut));
        guarded.await
    })
    .map_err(|e| {
        if e.is_instance_of::<pyo3::exceptions::PyRuntimeError>(py) && e.to_string().contains("no running event loop") {
            pyo3::exceptions::PyRuntimeError::new_err(
                "AsyncClient methods must be awaited inside a running event loop (`await client.whoami()` in an \
                 `async def`); for blocking calls use rolekit.Client",
            )
        } else {
            e
        }
    })
}

/// A future adapter that turns a panic while polling into an internal-error `PyErr`.
struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<T, F: Future<Output = Result<T, Error>>> Future for CatchUnwind<F> {
    type Output = PyResult<T>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(poll) => poll.map(|r| r.map_err(PyErr::from)),
            Err(panic) => std::task::Poll::Ready(Err(internal_error(&panic))),
        }
    }
}

/// Panic on purpose inside each guarded path, so that the tests can check that a Rust panic
/// reaches Python as `RolekitError("internal error …")` ("compute", "blocking" or "async").
#[pyfunction]
pub fn _panic_selftest<'py>(py: Python<'py>, #[pyo3(from_py_with = text)] path: &str) -> PyResult<Bound<'py, PyAny>> {
    fn boom() -> Result<u8, Error> {
        panic!("deliberate panic (rolekit self-test)")
    }
    match path {
        "compute" => compute(py, boom)?
            .map_err(PyErr::from)
            .and_then(|v| v.into_bound_py_any(py)),
        "blocking" => block_on(py, async { boom() })?.into_bound_py_any(py),
        "async" => awaitable(py, async { boom() }),
        other => Err(crate::errors::invalid(format!("unknown path {other:?}"))),
    }
}
