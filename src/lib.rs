//! miroir: statistical engine for mirror studies (employee survey and customer survey side by side).
//!
//! - [`stats`]: the statistical kernel (plain slices in, tidy results out; no polars, no Python).
//! - [`data`]: the canonical data model, schema, validation and loading.
//! - [`synth`]: the synthetic mirror-study generator.
//! - [`reproduce`]: published figures recomputed from a TOML spec.
//! - [`tidy`]: kernel results as tidy polars tables (what the Python functions return).
//! - `bindings` (feature `python`): the pyo3 layer, which only converts and delegates.

pub mod analysis;
pub mod data;
pub mod error;
pub mod interrupt;
pub mod partial;
pub mod reproduce;
pub mod stats;
pub mod synth;
pub mod text;
pub mod tidy;

#[cfg(feature = "python")]
mod bindings;

pub use error::{MiroirError, Result};

/// The crate version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
