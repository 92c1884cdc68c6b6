//! Tail probabilities and quantiles, from statrs. Upper tails always come from survival
//! functions (`sf`), never `1 - cdf`, so that p = 1e-24 stays 1e-24.

use super::result::{clamp_p, Alternative};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("standard normal")
}

/// P(Z > z) for a standard normal.
pub fn norm_sf(z: f64) -> f64 {
    std_normal().sf(z)
}

/// P(Z <= z) for a standard normal.
pub fn norm_cdf(z: f64) -> f64 {
    std_normal().cdf(z)
}

/// Quantile of the standard normal.
pub fn norm_ppf(p: f64) -> f64 {
    std_normal().inverse_cdf(p)
}

/// P(T > t) for Student's t with `df` degrees of freedom (df may be fractional; +inf = normal).
pub fn t_sf(t: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return norm_sf(t);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.sf(t),
        Err(_) => f64::NAN,
    }
}

/// Quantile of Student's t.
pub fn t_ppf(p: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return norm_ppf(p);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// P(X > x) for chi-squared with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    match ChiSquared::new(df) {
        Ok(d) => d.sf(x),
        Err(_) => f64::NAN,
    }
}

/// Quantile of chi-squared.
pub fn chi2_ppf(p: f64, df: f64) -> f64 {
    match ChiSquared::new(df) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// P(F > f) for Fisher–Snedecor F(d1, d2).
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    match FisherSnedecor::new(d1, d2) {
        Ok(d) => d.sf(f),
        Err(_) => f64::NAN,
    }
}

/// p-value of a statistic with a symmetric null distribution given its upper tail `sf`.
/// two-sided: 2·sf(|s|); greater: sf(s); less: sf(-s). Clamped to [0, 1].
pub fn p_symmetric(stat: f64, alternative: Alternative, sf: impl Fn(f64) -> f64) -> f64 {
    if stat.is_nan() {
        return f64::NAN;
    }
    clamp_p(match alternative {
        Alternative::TwoSided => 2.0 * sf(stat.abs()),
        Alternative::Greater => sf(stat),
        Alternative::Less => sf(-stat),
    })
}

/// Confidence interval `estimate ± q·se` for a symmetric pivot with quantile function `ppf`,
/// one-sided bounds infinite as scipy reports them.
pub fn ci_symmetric(
    estimate: f64,
    se: f64,
    confidence: f64,
    alternative: Alternative,
    ppf: impl Fn(f64) -> f64,
) -> (f64, f64) {
    match alternative {
        Alternative::TwoSided => {
            let q = ppf(0.5 + confidence / 2.0);
            (estimate - q * se, estimate + q * se)
        }
        Alternative::Greater => (estimate - ppf(confidence) * se, f64::INFINITY),
        Alternative::Less => (f64::NEG_INFINITY, estimate + ppf(confidence) * se),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_do_not_underflow() {
        // scipy.stats.norm.sf(10) = 7.619853024160527e-24
        let p = norm_sf(10.0);
        assert!((p / 7.619853024160527e-24 - 1.0).abs() < 1e-10, "{p}");
        // scipy.stats.t.sf(30, 10) = 1.9687541524722636e-11
        let p = t_sf(30.0, 10.0);
        assert!((p / 1.9687541524722636e-11 - 1.0).abs() < 1e-8, "{p}");
    }
}
