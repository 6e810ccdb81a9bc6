//! rolekit's Rust core.
//!
//! - [`policy`]: the IAM policy language: parsing with positions, validation, evaluation. Pure Rust.
//! - [`aws`]: IAM and STS operations over the AWS SDK. Pure Rust.
//! - `py`: the pyo3 bindings that make up the `rolekit._rolekit` extension module.

pub mod aws;

/// Rust's own allocations go to mimalloc (Python's objects keep Python's allocator): validation
/// makes many small short-lived blocks, where the C library's malloc was a fifth of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub mod policy;
mod py;
