//! The statistical kernel: plain slices in, tidy [`TestResult`]s out.
//!
//! Usable from Rust without Python or polars. Conventions (DESIGN.md, "Statistical kernel"):
//! upper tails from survival functions, p-values clamped to [0, 1], stable moments, undefined
//! results NaN with a note or a typed [`StatsError`], never a panic; random procedures seeded and
//! identical for any number of threads.

pub mod descriptive;
pub mod dist;
pub mod error;
pub mod result;

pub use error::{StatsError, StatsResult};
pub use result::{Alternative, TestResult};
