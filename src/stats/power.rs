//! Power of the test of a correlation, and the sample size that reaches a given power, as R's
//! `pwr::pwr.r.test` (Champely et al.; Cohen 1988, ch. 3).
//!
//! The approximation (pwr's, an arctanh transformation with the bias term of the sample z):
//! with `df = n - 2` and the critical t `t* = t_{1-α/2}(df)` (two-sided) or `t_{1-α}(df)`
//! (one-sided, upper quantile taken on the survival side, so `α` is exact),
//!
//! - critical correlation `r* = sqrt(t*² / (t*² + n - 2))`,
//! - `z_r = atanh(r) + r / (2(n - 1))`, `z* = atanh(r*)`,
//! - two-sided (|r| is used): `power = Φ((z_r - z*)·sqrt(n-3)) + Φ((-z_r - z*)·sqrt(n-3))`,
//! - `greater`: `power = Φ((z_r - z*)·sqrt(n-3))`; `less`: the same with `-r` in place of `r`.
//!
//! Solving for `n` is continuous: the root of `power(n) - target` on `[4 + 1e-10, 1e9]` (pwr's
//! `uniroot` bracket), found here by bisection down to 1e-10 (pwr's `uniroot` stops at its default
//! tolerance, about 1.2e-4, so its printed n can differ from the exact root in the fifth decimal).

use super::dist::{norm_cdf, t_ppf};
use super::error::{StatsError, StatsResult};
use super::result::Alternative;

/// Lower end of the bracket for `n` (pwr: `4 + 1e-10`; the approximation needs `n > 3`).
pub const N_MIN: f64 = 4.0 + 1e-10;
/// Upper end of the bracket for `n` (pwr: `1e9`).
pub const N_MAX: f64 = 1e9;
/// Width of the bracket at which the bisection for `n` stops.
const N_TOL: f64 = 1e-10;

/// Power of the test of a correlation, or the `n` that reaches a power: the four quantities of
/// pwr's `power.htest`.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationPower {
    /// The correlation under the alternative.
    pub r: f64,
    /// Number of observations (pairs; units in a linkage study), continuous when solved for.
    pub n: f64,
    /// Significance level.
    pub alpha: f64,
    pub power: f64,
    pub alternative: Alternative,
    /// pwr's method label.
    pub method: String,
}

const METHOD: &str = "approximate correlation power calculation (arctanh transformation), as pwr::pwr.r.test";

/// Power of the level-`alpha` test of `rho = 0` at correlation `r` with `n` pairs (pwr's formula,
/// see the module documentation). No argument check: see [`power_correlation`].
pub(crate) fn power_at(r: f64, n: f64, alpha: f64, alternative: Alternative) -> f64 {
    let df = n - 2.0;
    let (r, tail) = match alternative {
        Alternative::TwoSided => (r.abs(), alpha / 2.0),
        Alternative::Greater => (r, alpha),
        Alternative::Less => (-r, alpha),
    };
    // upper quantile from the lower tail: t_{1-q} = -t_q, exact in q
    let t_crit = -t_ppf(tail, df);
    let t2 = t_crit * t_crit;
    let r_crit = (t2 / (t2 + df)).sqrt();
    let z_r = r.atanh() + r / (2.0 * (n - 1.0));
    let z_crit = r_crit.atanh();
    let s = (n - 3.0).sqrt();
    let upper = norm_cdf((z_r - z_crit) * s);
    match alternative {
        Alternative::TwoSided => upper + norm_cdf((-z_r - z_crit) * s),
        _ => upper,
    }
}

/// Outcome of the search for `n`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SolvedN {
    /// The root of `power(n) = target` in `(4, 1e9)`.
    Root(f64),
    /// The power at the smallest `n` of the approximation (4) already reaches the target.
    AtMinimum(f64),
    /// Even `n = 1e9` does not reach the target (the power there is given).
    Unreachable(f64),
}

/// `n` such that `power_at(r, n, alpha, alternative) = power`, by bisection on `[N_MIN, N_MAX]`.
pub(crate) fn solve_n(r: f64, alpha: f64, power: f64, alternative: Alternative) -> SolvedN {
    let f = |n: f64| power_at(r, n, alpha, alternative) - power;
    let (mut lo, mut hi) = (N_MIN, N_MAX);
    let f_lo = f(lo);
    if f_lo >= 0.0 {
        return SolvedN::AtMinimum(f_lo + power);
    }
    let f_hi = f(hi);
    if !(f_hi >= 0.0) {
        return SolvedN::Unreachable(f_hi + power);
    }
    // invariant: f(lo) < 0 <= f(hi)
    while hi - lo > N_TOL {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) >= 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    SolvedN::Root(0.5 * (lo + hi))
}

pub(crate) fn check_probability(argument: &'static str, value: f64) -> StatsResult<f64> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(StatsError::argument(argument, format!("must lie strictly between 0 and 1, got {value}")))
    }
}

pub(crate) fn check_correlation(argument: &'static str, r: f64) -> StatsResult<f64> {
    if r.is_finite() && r.abs() < 1.0 {
        Ok(r)
    } else {
        Err(StatsError::argument(argument, format!("must lie strictly between -1 and 1, got {r}")))
    }
}

/// Power of the test of a correlation given `n`, or the `n` that reaches `power`: exactly one of
/// `n` and `power` is `None`, as in pwr's `pwr.r.test(r, n, sig.level, power, alternative)`.
///
/// Formula in the module documentation. `alternative`: `TwoSided` uses `|r|`; `Greater` tests
/// `rho > 0`; `Less` tests `rho < 0`.
///
/// Errors (typed, naming the argument): both or neither of `n` and `power` given; `|r| >= 1`;
/// `alpha` or `power` outside (0, 1); `n < 4` (pwr's minimum) or not finite. Solving for `n`:
/// `r = 0` or an alternative on the wrong side of `r`, or any `r` too small to reach `power`
/// within `n <= 1e9`, is an `InvalidArgument` on `r` saying the power is unreachable; a
/// `power` already reached at `n = 4` is an `InvalidArgument` on `power` (pwr's `uniroot` stops
/// with "f() values at end points not of opposite sign" in both cases).
pub fn power_correlation(
    r: f64,
    n: Option<f64>,
    alpha: f64,
    power: Option<f64>,
    alternative: Alternative,
) -> StatsResult<CorrelationPower> {
    let r = check_correlation("r", r)?;
    let alpha = check_probability("alpha", alpha)?;
    let done = |n: f64, power: f64| CorrelationPower {
        r,
        n,
        alpha,
        power,
        alternative,
        method: METHOD.to_string(),
    };
    match (n, power) {
        (Some(_), Some(_)) | (None, None) => Err(StatsError::argument(
            "n",
            "give exactly one of `n` (to compute the power) and `power` (to solve for n)",
        )),
        (Some(n), None) => {
            if !(n.is_finite() && n >= 4.0) {
                return Err(StatsError::argument(
                    "n",
                    format!("must be a finite number of at least 4 (the approximation needs n > 3), got {n}"),
                ));
            }
            Ok(done(n, power_at(r, n, alpha, alternative)))
        }
        (None, Some(power)) => {
            let power = check_probability("power", power)?;
            match solve_n(r, alpha, power, alternative) {
                SolvedN::Root(n) => Ok(done(n, power)),
                SolvedN::AtMinimum(p) => Err(StatsError::argument(
                    "power",
                    format!(
                        "power {power} is already reached with n = 4, the smallest n of the approximation \
                         (power there {p:.6}): no n to solve for"
                    ),
                )),
                SolvedN::Unreachable(p) => Err(StatsError::argument(
                    "r",
                    format!(
                        "power {power} is unreachable for r = {r} ({} alternative): even n = 1e9 gives power {p:.6}",
                        alternative.as_str()
                    ),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn pwr_published_sample_sizes() {
        // pwr.r.test(r = .3, power = .8, sig.level = .05): n = 84.07364 (pwr documentation)
        let p = power_correlation(0.3, None, 0.05, Some(0.8), Alternative::TwoSided).unwrap();
        assert!(rel(p.n, 84.07364) < 1e-6, "{}", p.n);
        // pwr.r.test(r = .1, power = .8, sig.level = .01, alternative = "greater"): 999.2054
        let p = power_correlation(0.1, None, 0.01, Some(0.8), Alternative::Greater).unwrap();
        assert!(rel(p.n, 999.2054) < 1e-6, "{}", p.n);
        // "less" mirrors "greater"
        let q = power_correlation(-0.1, None, 0.01, Some(0.8), Alternative::Less).unwrap();
        assert!(rel(q.n, p.n) < 1e-12);
    }

    #[test]
    fn round_trip_power_and_n() {
        for &(r, alt) in &[(0.3, Alternative::TwoSided), (0.15, Alternative::Greater), (-0.4, Alternative::Less)] {
            let s = power_correlation(r, None, 0.05, Some(0.9), alt).unwrap();
            let back = power_correlation(r, Some(s.n), 0.05, None, alt).unwrap();
            assert!((back.power - 0.9).abs() < 1e-10, "{r}: {}", back.power);
        }
    }

    #[test]
    fn power_is_alpha_at_r_zero_one_sided() {
        // z_r = 0 and the critical z of the t critical value: close to alpha, not exactly
        let p = power_correlation(0.0, Some(50.0), 0.05, None, Alternative::Greater).unwrap();
        assert!((p.power - 0.05).abs() < 2e-3, "{}", p.power);
    }

    #[test]
    fn bad_arguments_are_typed() {
        let arg = |e: StatsError| match e {
            StatsError::InvalidArgument { argument, .. } => argument,
            other => panic!("{other:?}"),
        };
        assert_eq!(arg(power_correlation(1.0, Some(10.0), 0.05, None, Alternative::TwoSided).unwrap_err()), "r");
        assert_eq!(arg(power_correlation(0.3, Some(3.0), 0.05, None, Alternative::TwoSided).unwrap_err()), "n");
        assert_eq!(arg(power_correlation(0.3, None, 0.05, None, Alternative::TwoSided).unwrap_err()), "n");
        assert_eq!(arg(power_correlation(0.3, Some(10.0), 0.05, Some(0.8), Alternative::TwoSided).unwrap_err()), "n");
        assert_eq!(arg(power_correlation(0.3, Some(10.0), 1.0, None, Alternative::TwoSided).unwrap_err()), "alpha");
        assert_eq!(arg(power_correlation(0.3, None, 0.05, Some(0.0), Alternative::TwoSided).unwrap_err()), "power");
        // wrong side, zero, and a correlation too small for 1e9 pairs
        assert_eq!(arg(power_correlation(0.3, None, 0.05, Some(0.8), Alternative::Less).unwrap_err()), "r");
        assert_eq!(arg(power_correlation(0.0, None, 0.05, Some(0.8), Alternative::TwoSided).unwrap_err()), "r");
        assert_eq!(arg(power_correlation(1e-6, None, 0.05, Some(0.8), Alternative::TwoSided).unwrap_err()), "r");
        // already reached at n = 4
        assert_eq!(arg(power_correlation(0.999, None, 0.05, Some(0.5), Alternative::TwoSided).unwrap_err()), "power");
    }
}
