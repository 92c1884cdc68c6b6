//! The statistical kernel: plain slices in, tidy [`TestResult`]s out.
//!
//! Usable from Rust without Python or polars. Conventions (DESIGN.md, "Statistical kernel"):
//! upper tails from survival functions, p-values clamped to [0, 1], stable moments, undefined
//! results NaN with a note or a typed [`StatsError`], never a panic; random procedures seeded and
//! identical for any number of threads.

pub mod agreement;
pub mod correlation;
pub mod descriptive;
pub mod dist;
pub mod error;
pub mod hunter_schmidt;
pub mod mann_whitney;
pub(crate) mod linalg;
pub mod meta;
pub mod mixed;
pub mod multiple;
pub mod names;
pub mod paired;
pub mod planning;
pub mod power;
pub mod proportions;
pub mod regression;
pub mod relimp;
pub mod reliability;
pub mod resample;
pub mod result;
pub mod rows_factor;
pub mod special;
#[cfg(test)]
pub(crate) mod testing;
pub mod tables;
pub mod two_sample;

pub use error::{StatsError, StatsResult};
pub use result::{Alternative, TestResult};
