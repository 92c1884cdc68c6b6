//! Percentile and BCa intervals from bootstrap (and jackknife) values.

use super::BootstrapMethod;
use crate::stats::descriptive::variance;
use crate::stats::dist::{norm_cdf, norm_ppf};


/// Linear-interpolation quantile of sorted values (Hyndman & Fan type 7, numpy's and
/// scipy.stats.quantile's default `linear`).
fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    if v.is_empty() || p.is_nan() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let j = h.floor() as usize;
    let g = h - j as f64;
    if j + 1 >= v.len() {
        v[v.len() - 1]
    } else {
        v[j] + g * (v[j + 1] - v[j])
    }
}

/// A bootstrap interval with its diagnostics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapInterval {
    pub low: f64,
    pub high: f64,
    /// Bias correction z0 (BCa; NaN for percentile).
    pub z0: f64,
    /// Acceleration a (BCa; NaN for percentile).
    pub acceleration: f64,
    /// Standard deviation (ddof = 1) of the defined bootstrap values.
    pub std_error: f64,
    /// Resamples whose statistic was NaN (left out).
    pub n_degenerate: usize,
}

/// Percentile or BCa interval from bootstrap values `boot` (and, for BCa, the jackknife values).
///
/// Percentile: the (1-c)/2 and (1+c)/2 quantiles (type 7). BCa (Efron & Tibshirani 1993, §14.3,
/// eq. 14.9–14.15, as scipy.stats.bootstrap): `z0 = Φ⁻¹(share of θ*_b < θ̂, ties counting
/// half)` — scipy's `_percentile_of_score` (`(#< + #<=)/(2B)`); `a = ΣU³/(6(ΣU²)^1.5)` with
/// `U_i = (n-1)(θ̄_(·) - θ_(i))` from the leave-one-unit-out jackknife; the interval is the
/// `Φ(z0 + (z0+z_α)/(1 - a(z0+z_α)))` and `Φ(z0 + (z0+z_{1-α})/(1 - a(z0+z_{1-α})))` quantiles.
///
/// Deliberate differences from scipy: NaN bootstrap values (degenerate resamples, e.g. a
/// constant resample for a correlation) are left out and counted in `n_degenerate`, where scipy
/// returns a NaN interval; when every jackknife value is equal (ΣU² = 0) the acceleration is 0
/// (no skewness to correct), where scipy's 0/0 gives NaN. A NaN jackknife value gives a NaN
/// BCa interval.
pub fn bootstrap_interval(
    theta_hat: f64,
    boot: &[f64],
    jackknife: Option<&[f64]>,
    method: BootstrapMethod,
    confidence: f64,
) -> BootstrapInterval {
    let mut v: Vec<f64> = boot.iter().copied().filter(|b| !b.is_nan()).collect();
    let n_degenerate = boot.len() - v.len();
    v.sort_by(f64::total_cmp);
    let std_error = variance(&v, 1).sqrt();
    let alpha = (1.0 - confidence) / 2.0;
    let mut out = BootstrapInterval {
        low: f64::NAN,
        high: f64::NAN,
        z0: f64::NAN,
        acceleration: f64::NAN,
        std_error,
        n_degenerate,
    };
    if v.is_empty() {
        return out;
    }
    match method {
        BootstrapMethod::Percentile => {
            out.low = quantile_sorted(&v, alpha);
            out.high = quantile_sorted(&v, 1.0 - alpha);
        }
        BootstrapMethod::Bca => {
            let below = v.partition_point(|b| *b < theta_hat);
            let at_or_below = v.partition_point(|b| *b <= theta_hat);
            let share = (below + at_or_below) as f64 / (2 * v.len()) as f64;
            let z0 = norm_ppf(share);
            let a = match jackknife {
                Some(j) if j.iter().all(|t| t.is_finite()) && !j.is_empty() => {
                    let nj = j.len() as f64;
                    let mean_j = j.iter().sum::<f64>() / nj;
                    let (mut s2, mut s3) = (0.0, 0.0);
                    for t in j {
                        let u = (nj - 1.0) * (mean_j - t);
                        s2 += u * u;
                        s3 += u * u * u;
                    }
                    if s2 == 0.0 {
                        0.0
                    } else {
                        (s3 / nj.powi(3)) / (s2 / nj.powi(2)).powf(1.5) / 6.0
                    }
                }
                _ => f64::NAN,
            };
            out.z0 = z0;
            out.acceleration = a;
            let z_alpha = norm_ppf(alpha);
            let adj = |zq: f64| {
                let num = z0 + zq;
                norm_cdf(z0 + num / (1.0 - a * num))
            };
            out.low = quantile_sorted(&v, adj(z_alpha));
            out.high = quantile_sorted(&v, adj(-z_alpha));
        }
    }
    out
}
