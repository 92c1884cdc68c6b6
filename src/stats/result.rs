//! The tidy result shared by every test of the kernel (broom's `estimate, statistic, p.value, ...`).

use super::error::{StatsError, StatsResult};
use std::fmt;
use std::str::FromStr;

/// Direction of the alternative hypothesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alternative {
    #[default]
    TwoSided,
    /// The true value is less than the null value (estimate - null < 0).
    Less,
    /// The true value is greater than the null value.
    Greater,
}

impl Alternative {
    pub fn as_str(self) -> &'static str {
        match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Less => "less",
            Alternative::Greater => "greater",
        }
    }
}

impl fmt::Display for Alternative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Alternative {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        match s {
            "two-sided" | "two_sided" | "two.sided" => Ok(Alternative::TwoSided),
            "less" => Ok(Alternative::Less),
            "greater" => Ok(Alternative::Greater),
            other => Err(StatsError::argument(
                "alternative",
                format!("expected 'two-sided', 'less' or 'greater', got '{other}'"),
            )),
        }
    }
}

/// How a rank test's p-value is computed (Kendall's tau, Mann–Whitney U): `Auto` follows
/// scipy's choice between the exact null distribution and the normal approximation; each test
/// documents its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PValueMethod {
    #[default]
    Auto,
    /// The exact null distribution (no ties allowed).
    Exact,
    /// The normal approximation (tie-corrected).
    Asymptotic,
}

impl PValueMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PValueMethod::Auto => "auto",
            PValueMethod::Exact => "exact",
            PValueMethod::Asymptotic => "asymptotic",
        }
    }
}

impl fmt::Display for PValueMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PValueMethod {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        match s {
            "auto" => Ok(PValueMethod::Auto),
            "exact" => Ok(PValueMethod::Exact),
            "asymptotic" => Ok(PValueMethod::Asymptotic),
            other => Err(StatsError::argument(
                "method",
                format!("expected 'auto', 'exact' or 'asymptotic', got '{other}'"),
            )),
        }
    }
}

/// One tidy row: the columns every test returns, plus method-specific extras (in order).
///
/// Undefined quantities are NaN and `note` says why; nothing undefined is reported as 0.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    pub estimate: f64,
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: u64,
    pub method: String,
    pub alternative: Alternative,
    /// Method-specific columns, e.g. `("rank_biserial", r)`; documented by each function.
    pub extra: Vec<(&'static str, f64)>,
    /// Why some value is NaN (or a caveat), when there is one.
    pub note: Option<String>,
}

impl TestResult {
    /// A result with every number NaN, to be filled in.
    pub fn new(method: impl Into<String>, alternative: Alternative, n: u64) -> Self {
        TestResult {
            estimate: f64::NAN,
            statistic: f64::NAN,
            df: f64::NAN,
            p_value: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            n,
            method: method.into(),
            alternative,
            extra: Vec::new(),
            note: None,
        }
    }

    /// Value of an extra column by name.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.extra.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }

    pub fn with_extra(mut self, name: &'static str, value: f64) -> Self {
        self.extra.push((name, value));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Adds a note after any already there.
    pub fn push_note(&mut self, note: &str) {
        self.note = Some(match self.note.take() {
            Some(prev) => format!("{prev}; {note}"),
            None => note.to_string(),
        });
    }

    /// Stores the p-value of a finite statistic: clamped to [0, 1], and a p-value that
    /// underflowed (below 2.2e-308) raised to [`super::dist::P_FLOOR`] with a note, so that no
    /// test reports p = 0 from underflow. (A p-value of 0 at an infinite statistic is exact: set
    /// it directly.)
    pub fn set_p(&mut self, p: f64) {
        let (p, floored) = super::dist::floor_p(clamp_p(p));
        self.p_value = p;
        if floored {
            self.push_note(super::dist::P_FLOOR_NOTE);
        }
    }
}

/// Checks a confidence level once, up front.
pub fn check_confidence(confidence: f64) -> StatsResult<f64> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(confidence)
    } else {
        Err(StatsError::argument(
            "confidence",
            format!("must lie strictly between 0 and 1, got {confidence}"),
        ))
    }
}

/// Clamps a probability into [0, 1] (rounding can push a sum of tails past 1).
pub fn clamp_p(p: f64) -> f64 {
    if p.is_nan() {
        p
    } else {
        p.clamp(0.0, 1.0)
    }
}
