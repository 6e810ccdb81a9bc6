//! The IAM policy language, in pure Rust (no pyo3, no AWS SDK): a positioned JSON parser, the
//! policy model, validation (IAM parity, catalog lint, security warnings), the catalog and
//! evaluation. The crate's README follows (its example is run as a doctest).
#![doc = include_str!("../README.md")]

pub mod arn;
pub mod build;
pub mod catalog;
pub mod eval;
#[cfg(test)]
mod hostile;
pub mod jobs;
pub mod json;
pub mod model;
pub mod sagemaker;
pub mod validate;
pub mod wildcard;

pub use model::{Effect, Policy, Statement};
pub use validate::{Finding, PolicyKind, Severity};
