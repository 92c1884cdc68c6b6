//! Errors of the statistical kernel.
//!
//! The kernel works on plain slices and knows nothing of tables; its errors say which argument is
//! wrong and why. The crate-level [`crate::MiroirError`] wraps them (`MiroirError::Stats`).

use std::fmt;

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum StatsError {
    /// An argument is invalid whatever the data (a confidence outside (0, 1), an unknown method).
    InvalidArgument { argument: &'static str, reason: String },
    /// The data cannot give this statistic: too few observations, lengths that differ, NaN in input.
    InvalidData { argument: &'static str, reason: String },
    /// The computation was cancelled through its [`crate::interrupt::CancelToken`] (Ctrl-C in
    /// Python): no result.
    Interrupted,
}

impl StatsError {
    pub fn argument(argument: &'static str, reason: impl Into<String>) -> Self {
        StatsError::InvalidArgument { argument, reason: reason.into() }
    }
    pub fn data(argument: &'static str, reason: impl Into<String>) -> Self {
        StatsError::InvalidData { argument, reason: reason.into() }
    }
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsError::InvalidArgument { argument, reason } => {
                write!(f, "invalid argument `{argument}`: {reason}")
            }
            StatsError::InvalidData { argument, reason } => {
                write!(f, "invalid data in `{argument}`: {reason}")
            }
            StatsError::Interrupted => write!(f, "{}", crate::interrupt::Interrupted),
        }
    }
}

impl std::error::Error for StatsError {}

impl From<crate::interrupt::Interrupted> for StatsError {
    fn from(_: crate::interrupt::Interrupted) -> Self {
        StatsError::Interrupted
    }
}

pub type StatsResult<T> = Result<T, StatsError>;
