//! Proportions: confidence intervals for one binomial proportion, the exact binomial test, and
//! the z-test and interval for the difference of two independent proportions.
//!
//! The binomial tails and beta quantiles come from [`super::dist`] (`binom_cdf`, `binom_sf`,
//! `beta_quantile`), which evaluates them with the incomplete beta and Loader's binomial density
//! of [`super::special`]: no pmf is summed, so `n = 10^7` keeps about 14 significant digits and
//! Clopper–Pearson bounds of 1e-9 stay exact.

use super::dist::{beta_quantile, binom_cdf, binom_pmf, binom_sf, norm_ppf, norm_sf};
use super::error::{StatsError, StatsResult};
use super::result::{check_confidence, Alternative, TestResult};
use super::names::parse;
use std::str::FromStr;

/// The largest count (`k`, `n`) the proportion functions accept: 2^53, the largest n for which
/// every count up to n is exact in f64 (beyond it k/n and the binomial tails lose their meaning).
pub const MAX_COUNT: u64 = 1 << 53;

/// Method of a confidence interval for one binomial proportion (statsmodels' `proportion_confint`
/// method names in brackets). Names are read case-insensitively, `-` as `_`; `"beta"` and
/// `"exact"` mean Clopper–Pearson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum ProportionMethod {
    /// Wilson score interval (`"wilson"`), clipped to [0, 1]. The default: good coverage at
    /// every n (Brown, Cai & DasGupta 2001).
    #[default]
    Wilson,
    /// Clopper–Pearson exact interval from beta quantiles (`"beta"`); 0 / 1 at k = 0 / k = n.
    ClopperPearson,
    /// Agresti–Coull interval (`"agresti_coull"`): Wald interval around (k + z²/2)/(n + z²),
    /// clipped to [0, 1].
    AgrestiCoull,
    /// Jeffreys interval (`"jeffreys"`): equal-tailed Beta(k + ½, n − k + ½) quantiles, without
    /// the 0 / 1 edge rule of Brown et al. (statsmodels does not apply it either).
    Jeffreys,
}

impl ProportionMethod {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for ProportionMethod {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        let name = s.to_ascii_lowercase().replace('-', "_");
        let name = match name.as_str() {
            "beta" | "exact" => "clopper_pearson",
            other => other,
        };
        parse(name).map_err(|e| StatsError::argument("method", e))
    }
}

fn check_counts(k: u64, n: u64) -> StatsResult<()> {
    if n > MAX_COUNT {
        return Err(StatsError::argument(
            "n",
            format!("must be at most 2^53 = {MAX_COUNT} (counts beyond are not exact in f64), got {n}"),
        ));
    }
    if n == 0 {
        return Err(StatsError::data("n", "needs at least one trial, got n = 0"));
    }
    if k > n {
        return Err(StatsError::data(
            "k",
            format!("k = {k} successes exceed n = {n} trials"),
        ));
    }
    Ok(())
}

/// [`check_counts`], then [`check_confidence`] (in that order: the first error is the one reported).
fn check_counts_and_confidence(k: u64, n: u64, confidence: f64) -> StatsResult<f64> {
    check_counts(k, n)?;
    check_confidence(confidence)
}

/// Two-sided confidence interval for a binomial proportion; estimate `k/n`.
///
/// With `α = (1 - confidence)/2` and `z = Φ⁻¹(1 - α)`:
/// - Wilson: `(p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)`;
/// - Clopper–Pearson: `[B⁻¹(α; k, n-k+1), B⁻¹(1-α; k+1, n-k)]`, 0 at k = 0 and 1 at k = n;
/// - Agresti–Coull: `ñ = n + z²`, `p̃ = (k + z²/2)/ñ`, `p̃ ± z·sqrt(p̃(1-p̃)/ñ)`;
/// - Jeffreys: `[B⁻¹(α; k+½, n-k+½), B⁻¹(1-α; k+½, n-k+½)]`.
///
/// Follows statsmodels' `proportion_confint` (methods wilson, beta, agresti_coull, jeffreys),
/// including its clipping of Wilson and Agresti–Coull to [0, 1]. `statistic`, `df` and `p_value`
/// are NaN (an interval, not a test).
pub fn proportion_ci(
    k: u64,
    n: u64,
    method: ProportionMethod,
    confidence: f64,
) -> StatsResult<TestResult> {
    let confidence = check_counts_and_confidence(k, n, confidence)?;
    let alpha = (1.0 - confidence) / 2.0;
    let (kf, nf) = (k as f64, n as f64);
    let p_hat = kf / nf;
    let (lo, hi, name) = match method {
        ProportionMethod::Wilson => {
            let z = -norm_ppf(alpha);
            let z2 = z * z;
            let denom = 1.0 + z2 / nf;
            let center = (p_hat + z2 / (2.0 * nf)) / denom;
            let dist = z * (p_hat * (1.0 - p_hat) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
            (
                (center - dist).clamp(0.0, 1.0),
                (center + dist).clamp(0.0, 1.0),
                "Wilson score interval",
            )
        }
        ProportionMethod::AgrestiCoull => {
            let z = -norm_ppf(alpha);
            let nc = nf + z * z;
            let qc = (kf + z * z / 2.0) / nc;
            let dist = z * (qc * (1.0 - qc) / nc).sqrt();
            (
                (qc - dist).clamp(0.0, 1.0),
                (qc + dist).clamp(0.0, 1.0),
                "Agresti-Coull interval",
            )
        }
        ProportionMethod::ClopperPearson => {
            let (lo, hi) = clopper_pearson(k, n, alpha, alpha);
            (lo, hi, "Clopper-Pearson exact interval")
        }
        ProportionMethod::Jeffreys => {
            let (a, b) = (kf + 0.5, nf - kf + 0.5);
            (
                beta_quantile(a, b, alpha, true),
                beta_quantile(a, b, alpha, false),
                "Jeffreys interval",
            )
        }
    };
    let mut r = TestResult::new(name, Alternative::TwoSided, n);
    r.estimate = p_hat;
    r.ci_low = lo;
    r.ci_high = hi;
    Ok(r)
}

/// Confidence interval of a weighted proportion `p̂ = Σ w·hit / Σ w`, on Kish's effective sample
/// size `n_eff = (Σw)² / Σw²`.
///
/// The weights are divided by their largest value first: `p̂` and `n_eff` do not depend on the
/// scale of the weights, and weights in (0, 1] (1 at the maximum) can neither overflow nor
/// underflow Σw and Σw² — raw equal weights of 1e160 make Σw² infinite, 1e-170 make it 0, and
/// `n_eff` NaN either way. The interval is `method`'s interval ([`proportion_ci`]) for
/// `k = round(p̂·m)` successes in `m = max(1, round(n_eff))` trials, the count rounded as survey
/// software does; the estimate is the exact weighted share. Equal weights give exactly
/// [`proportion_ci`] of the unweighted counts.
///
/// `n` = the number of observations (weight 0 included); extra `n_eff`; method
/// `"weighted share, <interval> on Kish's effective n = <n_eff>"`.
/// Errors: lengths that differ, no observation, a weight negative, NaN or infinite, every
/// weight 0, more than [`MAX_COUNT`] observations.
pub fn weighted_proportion_ci(
    hits: &[bool],
    w: &[f64],
    method: ProportionMethod,
    confidence: f64,
) -> StatsResult<TestResult> {
    let confidence = check_confidence(confidence)?;
    if w.len() != hits.len() {
        return Err(StatsError::data(
            "w",
            format!("has {} weights for {} observations", w.len(), hits.len()),
        ));
    }
    if hits.is_empty() {
        return Err(StatsError::data("hits", "needs at least one observation"));
    }
    if hits.len() as u64 > MAX_COUNT {
        return Err(StatsError::data("hits", format!("more than {MAX_COUNT} observations")));
    }
    if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(StatsError::data(
            "w",
            format!("weight at position {i} is {}: weights must be finite and >= 0", w[i]),
        ));
    }
    let wmax = w.iter().fold(0.0_f64, |a, v| a.max(*v));
    if wmax == 0.0 {
        return Err(StatsError::data("w", "every weight is 0"));
    }
    let (mut sw, mut sw2, mut sk) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (&hit, &wi) in hits.iter().zip(w) {
        let u = wi / wmax;
        sw += u;
        sw2 += u * u;
        if hit {
            sk += u;
        }
    }
    weighted_proportion_of_sums(hits.len() as u64, sw, sw2, sk, method, confidence)
}

/// [`weighted_proportion_ci`] from the sums of the weights divided by their largest value
/// `u = w / max w`: `sw = Σu`, `sw2 = Σu²`, `sk = Σu·hit`, over `n` observations (the same
/// interval from the sums of parts of the data, each rescaled to the overall maximum).
pub fn weighted_proportion_of_sums(
    n: u64,
    sw: f64,
    sw2: f64,
    sk: f64,
    method: ProportionMethod,
    confidence: f64,
) -> StatsResult<TestResult> {
    let confidence = check_confidence(confidence)?;
    if n == 0 {
        return Err(StatsError::data("hits", "needs at least one observation"));
    }
    if n > MAX_COUNT {
        return Err(StatsError::data("hits", format!("more than {MAX_COUNT} observations")));
    }
    let p = (sk / sw).clamp(0.0, 1.0);
    let n_eff = sw * sw / sw2;
    if !(p.is_finite() && n_eff.is_finite() && n_eff >= 1.0 - 1e-9) {
        // unreachable with normalised finite weights (sw >= 1, sw2 >= 1); refuse rather than
        // put an interval around an undefined value
        return Err(StatsError::data(
            "w",
            format!("the weighted share ({p}) or Kish's effective n ({n_eff}) is not finite"),
        ));
    }
    let m = n_eff.round().max(1.0) as u64;
    let k = ((p * m as f64).round() as u64).min(m);
    let r = proportion_ci(k, m, method, confidence)?;
    let mut out = TestResult::new(
        format!("weighted share, {} on Kish's effective n = {n_eff:.1}", r.method),
        Alternative::TwoSided,
        n,
    );
    out.estimate = p;
    out.ci_low = r.ci_low;
    out.ci_high = r.ci_high;
    Ok(out.with_extra("n_eff", n_eff))
}

/// Clopper–Pearson bounds with lower-tail level `a_lo` and upper-tail level `a_hi`
/// (a level of 0 gives the trivial bound).
fn clopper_pearson(k: u64, n: u64, a_lo: f64, a_hi: f64) -> (f64, f64) {
    let (kf, nf) = (k as f64, n as f64);
    let lo = if k == 0 || a_lo <= 0.0 {
        0.0
    } else {
        beta_quantile(kf, nf - kf + 1.0, a_lo, true)
    };
    let hi = if k == n || a_hi <= 0.0 {
        1.0
    } else {
        beta_quantile(kf + 1.0, nf - kf, a_hi, false)
    };
    (lo, hi)
}

/// Exact binomial test of `H0: π = p` with `k` successes in `n` trials.
///
/// - less: `P(X <= k)`; greater: `P(X >= k)`;
/// - two-sided: scipy's rule (`scipy.stats.binomtest`): the probability of all outcomes whose
///   pmf is at most `pmf(k)·(1 + 1e-7)`, found by binary search on the other side of the mode,
///   clamped to 1; p = 1 when `k == n·p` exactly.
///
/// `estimate` = k/n, `statistic` = k (the number of successes, as R's `binom.test`), `df` NaN.
/// The interval is Clopper–Pearson, as `binomtest(...).proportion_ci(method="exact")`: two-sided
/// at `confidence`, or one-sided (`[0, u]` for less, `[l, 1]` for greater). scipy finds the bounds
/// with `brentq` (absolute tolerance 2e-12); we invert the beta distribution to full precision,
/// so bounds below 1e-9 can differ from scipy's in the third digit but agree with
/// `scipy.stats.beta.ppf` to 1e-12 relative.
pub fn binom_test(
    k: u64,
    n: u64,
    p: f64,
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    let confidence = check_counts_and_confidence(k, n, confidence)?;
    if !(0.0..=1.0).contains(&p) {
        return Err(StatsError::argument(
            "p",
            format!("must lie in [0, 1], got {p}"),
        ));
    }
    let (kf, nf) = (k as f64, n as f64);
    let pval = match alternative {
        Alternative::Less => binom_cdf(kf, nf, p),
        Alternative::Greater => binom_sf(kf - 1.0, nf, p),
        Alternative::TwoSided => binom_two_sided_p(k as i64, n as i64, p),
    };
    let (lo, hi) = match alternative {
        Alternative::TwoSided => {
            let a = (1.0 - confidence) / 2.0;
            clopper_pearson(k, n, a, a)
        }
        Alternative::Less => clopper_pearson(k, n, 0.0, 1.0 - confidence),
        Alternative::Greater => clopper_pearson(k, n, 1.0 - confidence, 0.0),
    };
    let mut r = TestResult::new("Exact binomial test", alternative, n);
    r.estimate = kf / nf;
    r.statistic = kf;
    r.set_p(pval);
    r.ci_low = lo;
    r.ci_high = hi;
    Ok(r.with_extra("null_value", p))
}

/// Binary search of scipy's `_binary_search_for_binom_tst`: the index `i` in `[lo, hi]` with
/// `a(i) <= d < a(i+1)` for `a` ascending on the range (also used by the Fisher test, as scipy
/// does).
pub(super) fn binary_search(a: impl Fn(i64) -> f64, d: f64, mut lo: i64, mut hi: i64) -> i64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let v = a(mid);
        if v < d {
            lo = mid + 1;
        } else if v > d {
            hi = mid - 1;
        } else {
            return mid;
        }
    }
    if a(lo) <= d {
        lo
    } else {
        lo - 1
    }
}

fn binom_two_sided_p(k: i64, n: i64, p: f64) -> f64 {
    let (kf, nf) = (k as f64, n as f64);
    let pmf = |x: i64| binom_pmf(x as f64, nf, p);
    let d = pmf(k);
    let rerr = 1.0 + 1e-7;
    let pn = p * nf;
    let pval = if kf == pn {
        1.0
    } else if kf < pn {
        let ix = binary_search(|x| -pmf(x), -d * rerr, pn.ceil() as i64, n);
        let y = n - ix + i64::from(d * rerr == pmf(ix));
        binom_cdf(kf, nf, p) + binom_sf((n - y) as f64, nf, p)
    } else {
        let ix = binary_search(pmf, d * rerr, 0, pn.floor() as i64);
        let y = ix + 1;
        binom_cdf((y - 1) as f64, nf, p) + binom_sf(kf - 1.0, nf, p)
    };
    pval.min(1.0)
}

/// Difference of two independent proportions `p1 - p2`.
///
/// Test: z-test with pooled variance, as statsmodels' `proportions_ztest([k1, k2], [n1, n2])`:
/// `z = (p̂1 - p̂2) / sqrt(p̄(1-p̄)(1/n1 + 1/n2))`, `p̄ = (k1+k2)/(n1+n2)`; greater means
/// `p1 > p2` (statsmodels' "larger"). z is NaN (with a note) when `p̄` is 0 or 1.
///
/// Interval: Newcombe's hybrid score interval (Newcombe 1998, method 10), as statsmodels'
/// `confint_proportions_2indep(..., compare="diff", method="newcomb")`: with Wilson bounds
/// `(l_i, u_i)` of each proportion, `[d - sqrt((p̂1-l1)² + (u2-p̂2)²), d + sqrt((p̂2-l2)² + (u1-p̂1)²)]`.
/// Newcombe rather than Wald because Wald collapses to a point at 0 or 100 % and undercovers for
/// the small units typical of employee surveys. For a one-sided alternative the finite bound is
/// the one of the two-sided interval at level `2·confidence - 1` and the other bound is -1 or 1
/// (statsmodels has no one-sided Newcombe interval).
///
/// `n` = n1 + n2; extras `p1`, `p2`, `p_pooled`.
pub fn two_proportions(
    k1: u64,
    n1: u64,
    k2: u64,
    n2: u64,
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    check_counts(k1, n1).map_err(|e| rename(e, "k1", "n1"))?;
    check_counts(k2, n2).map_err(|e| rename(e, "k2", "n2"))?;
    let confidence = check_confidence(confidence)?;
    let (k1f, n1f, k2f, n2f) = (k1 as f64, n1 as f64, k2 as f64, n2 as f64);
    let (p1, p2) = (k1f / n1f, k2f / n2f);
    let diff = p1 - p2;
    let pooled = (k1f + k2f) / (n1f + n2f);
    let mut r = TestResult::new(
        "Two-proportion z-test (pooled); Newcombe hybrid score interval",
        alternative,
        n1 + n2,
    );
    r.estimate = diff;
    let var = pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f);
    if var > 0.0 {
        let z = diff / var.sqrt();
        r.statistic = z;
        r.set_p(match alternative {
            Alternative::TwoSided => 2.0 * norm_sf(z.abs()),
            Alternative::Greater => norm_sf(z),
            Alternative::Less => norm_sf(-z),
        });
    } else {
        r.note = Some(format!(
            "pooled proportion is {pooled}: no variance under the null, the z-test is undefined"
        ));
    }
    let level = match alternative {
        Alternative::TwoSided => confidence,
        _ => 2.0 * confidence - 1.0,
    };
    let (lo, hi) = if level > 0.0 {
        let w1 = proportion_ci(k1, n1, ProportionMethod::Wilson, level)?;
        let w2 = proportion_ci(k2, n2, ProportionMethod::Wilson, level)?;
        let d_lo = ((p1 - w1.ci_low).powi(2) + (w2.ci_high - p2).powi(2)).sqrt();
        let d_hi = ((p2 - w2.ci_low).powi(2) + (w1.ci_high - p1).powi(2)).sqrt();
        (diff - d_lo, diff + d_hi)
    } else {
        (-1.0, 1.0)
    };
    (r.ci_low, r.ci_high) = match alternative {
        Alternative::TwoSided => (lo, hi),
        Alternative::Greater => (lo, 1.0),
        Alternative::Less => (-1.0, hi),
    };
    Ok(r.with_extra("p1", p1)
        .with_extra("p2", p2)
        .with_extra("p_pooled", pooled))
}

fn rename(e: StatsError, k: &'static str, n: &'static str) -> StatsError {
    match e {
        StatsError::InvalidData {
            argument: "k",
            reason,
        } => StatsError::data(k, reason),
        StatsError::InvalidData {
            argument: "n",
            reason,
        } => StatsError::data(n, reason),
        StatsError::InvalidArgument {
            argument: "n",
            reason,
        } => StatsError::argument(n, reason),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::close;

    macro_rules! assert_close {
        ($a:expr, $b:expr, $rtol:expr) => {{
            let (a, b) = ($a, $b);
            assert!(
                close(a, b, $rtol),
                "{} = {a:e}, expected {b:e} (rtol {})",
                stringify!($a),
                $rtol
            );
        }};
    }

    #[test]
    fn binomial_tails_match_scipy_for_large_n() {
        // scipy.stats.binom.cdf(4_990_000, 10**7, 0.5) = 1.2724002455775383e-10 (scipy 1.17.1)
        assert_close!(
            binom_cdf(4_990_000.0, 1e7, 0.5),
            1.2724002455775383e-10,
            1e-10
        );
        // scipy.stats.binom.sf(5_001_000, 10**7, 0.5) = 0.2634413514856491
        assert_close!(binom_sf(5_001_000.0, 1e7, 0.5), 0.2634413514856491, 1e-10);
        // scipy.stats.binom.cdf(120, 10**7, 1e-5) = 0.977331227026894
        assert_close!(binom_cdf(120.0, 1e7, 1e-5), 0.977331227026894, 1e-10);
        // scipy.stats.binom.sf(150, 10**7, 1e-5) = 1.2329316490249483e-06
        assert_close!(binom_sf(150.0, 1e7, 1e-5), 1.2329316490249483e-06, 1e-10);
        // scipy.stats.binom.pmf(3, 20, 0.3) = 0.0716036722052621
        assert_close!(binom_pmf(3.0, 20.0, 0.3), 0.0716036722052621, 1e-13);
        // scipy.stats.binom.cdf(3, 20, 0.3) = 0.10708680450373087
        assert_close!(binom_cdf(3.0, 20.0, 0.3), 0.10708680450373087, 1e-12);
    }

    #[test]
    fn beta_quantiles_match_scipy() {
        // scipy.stats.beta.ppf(0.025, 1, 10**7) = 2.5317807952240303e-09
        assert_close!(
            beta_quantile(1.0, 1e7, 0.025, true),
            2.5317807952240303e-09,
            1e-12
        );
        // scipy.stats.beta.isf(0.025, 8, 13) = 0.5921885345328282 ; ppf(0.025, 7, 14) = 0.15390920478454118
        assert_close!(
            beta_quantile(8.0, 13.0, 0.025, false),
            0.5921885345328282,
            1e-12
        );
        assert_close!(
            beta_quantile(7.0, 14.0, 0.025, true),
            0.15390920478454118,
            1e-12
        );
        // scipy.stats.beta.ppf(0.025, 0.5, 10.5) = 4.7890433157581876e-05 (Jeffreys, k = 0, n = 10)
        assert_close!(
            beta_quantile(0.5, 10.5, 0.025, true),
            4.7890433157581876e-05,
            1e-12
        );
    }

    #[test]
    fn intervals_match_statsmodels() {
        // statsmodels.stats.proportion.proportion_confint(7, 20, alpha=0.05, method=...)
        let w = proportion_ci(7, 20, ProportionMethod::Wilson, 0.95).unwrap();
        assert_close!(w.ci_low, 0.18119182410108203, 1e-12);
        assert_close!(w.ci_high, 0.5671457233147638, 1e-12);
        let cp = proportion_ci(7, 20, ProportionMethod::ClopperPearson, 0.95).unwrap();
        assert_close!(cp.ci_low, 0.15390920478454118, 1e-12);
        assert_close!(cp.ci_high, 0.5921885345328282, 1e-12);
        let ac = proportion_ci(7, 20, ProportionMethod::AgrestiCoull, 0.95).unwrap();
        assert_close!(ac.ci_low, 0.179926361438228, 1e-12);
        assert_close!(ac.ci_high, 0.5684111859776177, 1e-12);
        let j = proportion_ci(7, 20, ProportionMethod::Jeffreys, 0.95).unwrap();
        assert_close!(j.ci_low, 0.172276213631912, 1e-12);
        assert_close!(j.ci_high, 0.5677660938414961, 1e-12);
        let edge = proportion_ci(0, 10, ProportionMethod::ClopperPearson, 0.95).unwrap();
        assert_eq!(edge.ci_low, 0.0);
    }

    #[test]
    fn binom_test_matches_scipy() {
        // scipy.stats.binomtest(3, 20, 0.5).pvalue = 0.0025768280029296875
        let r = binom_test(3, 20, 0.5, Alternative::TwoSided, 0.95).unwrap();
        assert_close!(r.p_value, 0.0025768280029296875, 1e-12);
        // scipy.stats.binomtest(7, 20, 0.3).pvalue = 0.6294979666766769 (asymmetric rule)
        let r = binom_test(7, 20, 0.3, Alternative::TwoSided, 0.95).unwrap();
        assert_close!(r.p_value, 0.6294979666766769, 1e-12);
        // scipy.stats.binomtest(2, 20, 0.3).pvalue = 0.05262794872972706
        let r = binom_test(2, 20, 0.3, Alternative::TwoSided, 0.95).unwrap();
        assert_close!(r.p_value, 0.05262794872972706, 1e-12);
        // binomtest(7, 20, 0.3, alternative="greater").pvalue = 0.3919901877990756
        let r = binom_test(7, 20, 0.3, Alternative::Greater, 0.95).unwrap();
        assert_close!(r.p_value, 0.3919901877990756, 1e-12);
    }

    #[test]
    fn two_proportions_match_statsmodels() {
        // statsmodels proportions_ztest([15, 25], [50, 60]) = (-1.2665570127975554, 0.20531373142318132)
        let r = two_proportions(15, 50, 25, 60, Alternative::TwoSided, 0.95).unwrap();
        assert_close!(r.statistic, -1.2665570127975554, 1e-12);
        assert_close!(r.p_value, 0.20531373142318132, 1e-12);
        // confint_proportions_2indep(15, 50, 25, 60, method="newcomb")
        //   = (-0.28328747332789994, 0.06324652009614301)
        assert_close!(r.ci_low, -0.28328747332789994, 1e-12);
        assert_close!(r.ci_high, 0.06324652009614301, 1e-12);
        let z = two_proportions(0, 5, 0, 7, Alternative::TwoSided, 0.95).unwrap();
        assert!(z.statistic.is_nan() && z.note.is_some());
    }

    #[test]
    fn invalid_arguments_are_errors() {
        assert!(proportion_ci(3, 0, ProportionMethod::Wilson, 0.95).is_err());
        assert!(proportion_ci(5, 3, ProportionMethod::Wilson, 0.95).is_err());
        assert!(binom_test(1, 3, 1.5, Alternative::TwoSided, 0.95).is_err());
        assert!(proportion_ci(1, 3, ProportionMethod::Wilson, 1.0).is_err());
        // counts beyond 2^53 are refused, naming the argument
        let e = proportion_ci(1, MAX_COUNT + 1, ProportionMethod::Wilson, 0.95).unwrap_err();
        assert!(matches!(e, StatsError::InvalidArgument { argument: "n", .. }), "{e}");
        assert!(proportion_ci(1, MAX_COUNT, ProportionMethod::Wilson, 0.95).is_ok());
        let e = two_proportions(1, 3, 1, u64::MAX, Alternative::TwoSided, 0.95).unwrap_err();
        assert!(matches!(e, StatsError::InvalidArgument { argument: "n2", .. }), "{e}");
        assert!(binom_test(1, u64::MAX, 0.5, Alternative::TwoSided, 0.95).is_err());
    }

    #[test]
    fn weighted_share_is_scale_free_and_never_undefined() {
        // 1000 observations, 720 hits: equal weights give exactly the unweighted interval
        let hits: Vec<bool> = (0..1000).map(|i| i % 25 < 18).collect();
        let plain = proportion_ci(720, 1000, ProportionMethod::Wilson, 0.95).unwrap();
        for scale in [1.0, 1e160, 1e-170, 1e308, 5e-324] {
            let w = vec![scale; hits.len()];
            let r = weighted_proportion_ci(&hits, &w, ProportionMethod::Wilson, 0.95).unwrap();
            assert_eq!((r.estimate, r.ci_low, r.ci_high), (0.72, plain.ci_low, plain.ci_high), "{scale}");
            assert_eq!((r.n, r.get("n_eff")), (1000, Some(1000.0)), "{scale}");
        }
        // unequal weights: the same at any scale (to rounding), n_eff = (Σw)²/Σw²
        let w: Vec<f64> = (0..1000).map(|i| 1.0 + (i % 7) as f64).collect();
        let a = weighted_proportion_ci(&hits, &w, ProportionMethod::ClopperPearson, 0.9).unwrap();
        let big: Vec<f64> = w.iter().map(|v| v * 1e300).collect();
        let b = weighted_proportion_ci(&hits, &big, ProportionMethod::ClopperPearson, 0.9).unwrap();
        assert_close!(a.estimate, b.estimate, 1e-14);
        assert_eq!((a.ci_low, a.ci_high), (b.ci_low, b.ci_high));
        let (sw, sw2) = (w.iter().sum::<f64>(), w.iter().map(|v| v * v).sum::<f64>());
        assert_close!(a.get("n_eff").unwrap(), sw * sw / sw2, 1e-12);
        assert!(a.method.starts_with("weighted share, Clopper-Pearson"), "{}", a.method);
        // refused: bad weights, lengths, nothing to weigh
        let m = ProportionMethod::Wilson;
        assert!(weighted_proportion_ci(&hits, &w[..10], m, 0.95).is_err());
        assert!(weighted_proportion_ci(&[], &[], m, 0.95).is_err());
        assert!(weighted_proportion_ci(&[true, false], &[0.0, 0.0], m, 0.95).is_err());
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            assert!(weighted_proportion_ci(&[true, false], &[1.0, bad], m, 0.95).is_err(), "{bad}");
        }
    }
}
