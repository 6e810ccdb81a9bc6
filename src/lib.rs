//! rolekit's Rust core.
//!
//! - [`policy`]: the IAM policy language: parsing with positions, validation, evaluation. Pure Rust.
//! - [`aws`]: IAM and STS operations over the AWS SDK. Pure Rust.
//! - `py`: the pyo3 bindings that make up the `rolekit._rolekit` extension module.

pub mod aws;
pub mod policy;
mod py;
