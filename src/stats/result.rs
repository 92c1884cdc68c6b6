//! The tidy result shared by every test of the kernel (broom's `estimate, statistic, p.value, ...`).

use super::error::{StatsError, StatsResult};
use super::names::parse;
use std::str::FromStr;

/// Direction of the alternative hypothesis: `"two-sided"` (also read as `"two_sided"`, R's
/// `"two.sided"`), `"less"`, `"greater"`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display,
    serde::Serialize, serde::Deserialize,
)]
#[strum(serialize_all = "lowercase")]
pub enum Alternative {
    #[default]
    #[strum(serialize = "two-sided")]
    TwoSided,
    /// The true value is less than the null value (estimate - null < 0).
    Less,
    /// The true value is greater than the null value.
    Greater,
}

impl Alternative {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for Alternative {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        let name = match s {
            "two_sided" | "two.sided" => "two-sided",
            other => other,
        };
        parse(name).map_err(|e| StatsError::argument("alternative", e))
    }
}

/// How a rank test's p-value is computed (Kendall's tau, Mann–Whitney U): `Auto` follows
/// scipy's choice between the exact null distribution and the normal approximation; each test
/// documents its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "lowercase")]
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
        self.into()
    }
}

impl FromStr for PValueMethod {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        parse(s).map_err(|e| StatsError::argument("method", e))
    }
}

/// One tidy row: the columns every test returns, plus method-specific extras (in order).
///
/// Undefined quantities are NaN and `note` says why; nothing undefined is reported as 0.
/// Serialisable (the partial results of a distributed report carry them, [`crate::partial`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    #[serde(with = "crate::partial::static_names")]
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
    /// underflowed (below 2.2e-308) raised to [`P_FLOOR`] with a note, so that no test reports
    /// p = 0 from underflow. (A p-value of 0 at an infinite statistic is exact: set it directly.)
    pub fn set_p(&mut self, p: f64) {
        let (p, floored) = floor_p(clamp_p(p));
        self.p_value = p;
        if floored {
            self.push_note(P_FLOOR_NOTE);
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

/// The smallest p-value reported: the smallest positive normal double (2.2e-308).
///
/// A tail probability below it underflows (to a subnormal or to 0). A p-value of exactly 0 would
/// claim impossibility, so such p-values are reported as this bound and the note says so;
/// scipy reports the underflowed 0.
pub const P_FLOOR: f64 = f64::MIN_POSITIVE;

/// Note attached when [`floor_p`] raised a p-value.
pub const P_FLOOR_NOTE: &str =
    "p-value below 2.2e-308 (the smallest normal double): reported as that bound, not 0";

/// Raises an underflowed p-value (`0 <= p < 2.2e-308`) to [`P_FLOOR`]; returns whether it did.
/// Use only when the statistic is finite (a p-value of 0 at an infinite statistic is exact).
pub fn floor_p(p: f64) -> (f64, bool) {
    if p < P_FLOOR {
        (P_FLOOR, true)
    } else {
        (p, false)
    }
}

#[cfg(test)]
mod tests {
    use crate::stats::agreement::{AlphaLevel, KappaWeights};
    use crate::stats::meta::MetaMethod;
    use crate::stats::multiple::PAdjust;
    use crate::stats::paired::WilcoxonMethod;
    use crate::stats::proportions::ProportionMethod;
    use crate::stats::{Alternative, StatsError};
    use std::str::FromStr;

    fn refusal<T: FromStr<Err = StatsError> + std::fmt::Debug>(s: &str) -> String {
        T::from_str(s).unwrap_err().to_string()
    }

    #[test]
    fn option_names_read_back_with_their_aliases_and_refusals() {
        use super::PValueMethod;
        for a in [Alternative::TwoSided, Alternative::Less, Alternative::Greater] {
            assert_eq!(Alternative::from_str(a.as_str()), Ok(a));
            assert_eq!(a.to_string(), a.as_str());
        }
        assert_eq!(Alternative::TwoSided.as_str(), "two-sided");
        assert_eq!("two.sided".parse(), Ok(Alternative::TwoSided));
        assert_eq!("two_sided".parse(), Ok(Alternative::TwoSided));
        assert_eq!(
            refusal::<Alternative>("Less"),
            "invalid argument `alternative`: expected 'two-sided', 'less' or 'greater', got 'Less'"
        );
        assert_eq!(PValueMethod::Asymptotic.to_string(), "asymptotic");
        assert_eq!(
            refusal::<PValueMethod>("approx"),
            "invalid argument `method`: expected 'auto', 'exact' or 'asymptotic', got 'approx'"
        );
        assert_eq!("Clopper-Pearson".parse(), Ok(ProportionMethod::ClopperPearson));
        assert_eq!("BETA".parse(), Ok(ProportionMethod::ClopperPearson));
        assert_eq!("exact".parse(), Ok(ProportionMethod::ClopperPearson));
        assert_eq!(ProportionMethod::AgrestiCoull.as_str(), "agresti_coull");
        assert_eq!(
            refusal::<ProportionMethod>("Wald-X"),
            "invalid argument `method`: expected 'wilson', 'clopper_pearson', 'agresti_coull' or 'jeffreys', got 'wald_x'"
        );
        assert_eq!("FDR".parse(), Ok(PAdjust::BH));
        assert_eq!("fdr_by".parse(), Ok(PAdjust::BY));
        assert_eq!("Simes-Hochberg".parse(), Ok(PAdjust::Hochberg));
        assert_eq!((PAdjust::BH.as_str(), PAdjust::BY.to_string()), ("bh", "by".to_string()));
        assert_eq!(
            refusal::<PAdjust>("Sidak"),
            "invalid argument `method`: expected 'holm', 'bonferroni', 'hochberg', 'bh' or 'by', got 'sidak'"
        );
        assert_eq!("reml".parse(), Ok(MetaMethod::Reml));
        assert_eq!((MetaMethod::Reml.as_str(), MetaMethod::Dl.to_string()), ("REML", "DL".to_string()));
        assert_eq!(refusal::<MetaMethod>("pm"), "invalid argument `method`: expected 'REML' or 'DL', got 'PM'");
        assert_eq!("asymptotic".parse(), Ok(WilcoxonMethod::Approx));
        assert_eq!(WilcoxonMethod::Approx.as_str(), "approx");
        assert_eq!(
            refusal::<WilcoxonMethod>("Exact"),
            "invalid argument `method`: expected 'auto', 'exact' or 'approx', got 'Exact'"
        );
        assert_eq!("unweighted".parse(), Ok(KappaWeights::Unweighted));
        assert_eq!((KappaWeights::Unweighted.as_str(), KappaWeights::Quadratic.to_string()), ("none", "quadratic".to_string()));
        assert_eq!(
            refusal::<KappaWeights>("Linear"),
            "invalid argument `weights`: expected None, 'linear' or 'quadratic', got 'Linear'"
        );
        assert_eq!(AlphaLevel::Interval.as_str(), "interval");
        assert_eq!(
            refusal::<AlphaLevel>("metric"),
            "invalid argument `level`: expected 'nominal', 'ordinal', 'interval' or 'ratio', got 'metric'"
        );
    }
}
