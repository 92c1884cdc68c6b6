//! Correlation of two paired samples: Pearson, Spearman, Kendall's tau-b ([`kendall`], in its own
//! module) and a weighted Pearson.
//!
//! Each returns one tidy [`TestResult`]: `estimate` is the coefficient, `statistic` the test
//! statistic (t, or z for Kendall), `df` its degrees of freedom, `p_value` for H0: no
//! association, `ci_low`/`ci_high` a Fisher-z interval. Inputs with NaN or infinity, unequal
//! lengths or fewer than 2 pairs are errors; a constant column gives NaN with a note (scipy
//! returns NaN with a warning).

use super::descriptive::{check_finite, rank_average, weighted_mean};
use super::dist::{beta_inc, norm_ppf, p_symmetric, t_sf};
use super::error::{StatsError, StatsResult};
use super::result::{check_confidence, clamp_p, Alternative, TestResult};

mod kendall;
pub use kendall::{kendall, KendallMethod};


/// Checks two paired samples: equal lengths, at least `min` pairs, finite values.
pub(super) fn check_pair(x: &[f64], y: &[f64], min: usize) -> StatsResult<()> {
    if x.len() != y.len() {
        return Err(StatsError::data(
            "y",
            format!("has {} values but x has {}; the samples must be paired", y.len(), x.len()),
        ));
    }
    if x.len() < min {
        return Err(StatsError::data("x", format!("needs at least {min} pairs, got {}", x.len())));
    }
    check_finite("x", x)?;
    check_finite("y", y)
}

/// Whether every value equals the first (an empty slice counts as constant).
pub(super) fn is_constant(x: &[f64]) -> bool {
    x.iter().all(|v| *v == x[0])
}

/// The (compensated) mean of `x` and the factor that divides the deviations from it by their
/// largest magnitude, so that the sums of squares below cannot overflow (scipy.stats.pearsonr
/// scales the same way). The largest |v - m| is reached at the minimum or the maximum (v - m
/// is monotone in v, rounding included), so no pass over the deviations is needed.
fn mean_and_scale(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mut sum, mut lo, mut hi) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
    for &v in x {
        sum += v;
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let m0 = sum / n;
    let m = m0 + x.iter().map(|v| v - m0).sum::<f64>() / n;
    let s = (hi - m).max(m - lo);
    (m, if s > 0.0 && s.is_finite() { 1.0 / s } else { 1.0 })
}

/// Pearson's r of two non-constant, finite, equally long samples (n >= 2), clamped to [-1, 1].
///
/// `r = Sxy / √(Sxx·Syy)` on scaled deviations from the mean, with the compensation term
/// `Sxy - Sx·Sy/n` of the corrected two-pass algorithm, so values around 1e9 with a spread of
/// 1e-3 keep full precision. Identical columns give exactly 1.
pub(super) fn pearson_r(x: &[f64], y: &[f64]) -> f64 {
    let (mx, kx) = mean_and_scale(x);
    let (my, ky) = mean_and_scale(y);
    let n = x.len() as f64;
    let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (a, b) = ((a - mx) * kx, (b - my) * ky);
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
    }
    let sxx = sxx - sx * sx / n;
    let syy = syy - sy * sy / n;
    let sxy = sxy - sx * sy / n;
    (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
}

/// `t = r·√(df/((1-r)(1+r)))`, ±inf at |r| = 1 (scipy.stats.spearmanr's form).
fn t_from_r(r: f64, df: f64) -> f64 {
    let q = (df / ((1.0 + r) * (1.0 - r))).max(0.0);
    r * q.sqrt()
}

/// Fisher-z confidence interval `tanh(atanh(r) ∓ h·se)`, `h` the normal quantile
/// (`0.5 + confidence/2` two-sided, `confidence` one-sided, the other bound ±1) — the
/// construction of scipy's `PearsonRResult.confidence_interval()`.
fn fisher_ci(r: f64, se: f64, confidence: f64, alternative: Alternative) -> (f64, f64) {
    let z = r.atanh();
    match alternative {
        Alternative::TwoSided => {
            let h = norm_ppf(0.5 + confidence / 2.0);
            ((z - h * se).tanh(), (z + h * se).tanh())
        }
        Alternative::Less => (-1.0, (z + norm_ppf(confidence) * se).tanh()),
        Alternative::Greater => ((z - norm_ppf(confidence) * se).tanh(), 1.0),
    }
}

/// Stores `p`, raising an underflowed p-value to [`super::dist::P_FLOOR`] (with a note) when
/// the statistic is finite; notes an exact 0 at an infinite statistic.
fn set_p(res: &mut TestResult, p: f64, statistic_finite: bool) {
    if statistic_finite {
        res.set_p(p);
    } else {
        res.p_value = clamp_p(p);
    }
}

/// The start shared by [`pearson`] and [`spearman`]: the checks (confidence, paired finite
/// samples, n >= 2) and the result with `df = n - 2`; `true` when a column is constant, the
/// result then noting that the `what` is undefined.
fn start_pair(
    x: &[f64],
    y: &[f64],
    method: &str,
    alternative: Alternative,
    confidence: f64,
    what: &str,
) -> StatsResult<(TestResult, bool)> {
    check_confidence(confidence)?;
    check_pair(x, y, 2)?;
    let n = x.len();
    let mut res = TestResult::new(method, alternative, n as u64);
    res.df = n as f64 - 2.0;
    let constant = is_constant(x) || is_constant(y);
    if constant {
        res.push_note(&format!("a column is constant: the {what} is undefined"));
    }
    Ok((res, constant))
}

/// Pearson's product-moment correlation with its exact test and a Fisher-z interval.
///
/// * `estimate` r = Sxy/√(Sxx·Syy) (see [`pearson_r`]); `statistic` t = r·√((n-2)/(1-r²));
///   `df` = n - 2.
/// * `p_value` exactly as scipy.stats.pearsonr (scipy 1.17): under H0 (bivariate normal),
///   (r+1)/2 ~ Beta(n/2 - 1, n/2 - 1), so two-sided p = 2·P(B > (|r|+1)/2), greater
///   P(B > (r+1)/2), less P(B < (r+1)/2) — the same as Student's t with n - 2 df. n = 2 gives
///   r = ±1 and p = 1, as in scipy.
/// * `ci_low`, `ci_high`: Fisher z, `tanh(atanh r ∓ z_q/√(n-3))` with z_q the normal quantile
///   at `0.5 + confidence/2` (two-sided) or `confidence` (one-sided, the other bound ±1) —
///   exactly `PearsonRResult.confidence_interval(confidence)`; (-1, 1) when n <= 3 (as scipy).
///
/// Errors: unequal lengths, fewer than 2 pairs, NaN/inf values, confidence outside (0, 1).
/// A constant column gives NaN with a note. An underflowed p-value (|t| huge, n large) is
/// reported as 2.2e-308 with a note, not 0; at |r| = 1 the p-value 0 is exact.
pub fn pearson(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    let (mut res, constant) = start_pair(x, y, "Pearson correlation", alternative, confidence, "correlation")?;
    if constant {
        return Ok(res);
    }
    let n = x.len();
    let r = pearson_r(x, y);
    res.estimate = r;
    if n == 2 {
        res.estimate = r.round();
        res.p_value = 1.0;
        res.ci_low = -1.0;
        res.ci_high = 1.0;
        res.push_note("n = 2: r is ±1 by construction, p = 1 and the interval is (-1, 1)");
        return Ok(res);
    }
    let df = res.df;
    res.statistic = t_from_r(r, df);
    let ab = n as f64 / 2.0 - 1.0;
    // (r+1)/2 ~ Beta(ab, ab), evaluated at u = (r+1)/2 exactly as scipy does (1 - u is exact
    // for u >= 1/2, so the small upper tail near r = 1 is not lost).
    let tail = |u: f64| beta_inc(ab, ab, u, 1.0 - u);
    let p = match alternative {
        Alternative::TwoSided => 2.0 * tail((r.abs() + 1.0) / 2.0).1,
        Alternative::Greater => tail((r + 1.0) / 2.0).1,
        Alternative::Less => tail((r + 1.0) / 2.0).0,
    };
    let finite = res.statistic.is_finite();
    set_p(&mut res, p, finite);
    if r.abs() == 1.0 {
        res.push_note("perfect linear relation (|r| = 1)");
    }
    if n <= 3 {
        (res.ci_low, res.ci_high) = (-1.0, 1.0);
        res.push_note("n <= 3: the Fisher-z interval is (-1, 1), as in scipy");
    } else {
        (res.ci_low, res.ci_high) =
            fisher_ci(r, 1.0 / (n as f64 - 3.0).sqrt(), confidence, alternative);
    }
    Ok(res)
}

/// Spearman's rank correlation rho with the t approximation and a Fisher-z interval.
///
/// * `estimate` rho = Pearson's r of the average ranks (ties share their mean rank, scipy's
///   `rankdata(method="average")`).
/// * `statistic` t = rho·√((n-2)/((1+rho)(1-rho))), `df` = n - 2, `p_value` from Student's t —
///   exactly scipy.stats.spearmanr (scipy 1.17), which has no exact small-sample option.
///   |rho| = 1 gives t = ±inf and p = 0 (exact under the t reference); n = 2 gives p = NaN.
/// * `ci_low`, `ci_high`: Fisher z with the Bonett & Wright (2000) variance
///   `(1 + rho²/2)/(n - 3)` (Psychometrika 65, 23–28), which keeps close to nominal coverage
///   where the Pearson variance 1/(n-3) is too small for rho; (-1, 1) when n <= 3. scipy gives
///   no interval for Spearman; R's cor.test neither.
///
/// Errors and constant columns as [`pearson`].
pub fn spearman(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    let (mut res, constant) = start_pair(x, y, "Spearman rank correlation", alternative, confidence, "rank correlation")?;
    if constant {
        return Ok(res);
    }
    let n = x.len();
    let rho = pearson_r(&rank_average(x), &rank_average(y));
    res.estimate = rho;
    if n == 2 {
        (res.ci_low, res.ci_high) = (-1.0, 1.0);
        res.push_note("n = 2: the t approximation has 0 degrees of freedom (p = NaN)");
        return Ok(res);
    }
    let df = res.df;
    let t = t_from_r(rho, df);
    res.statistic = t;
    let p = p_symmetric(t, alternative, |v| t_sf(v, df));
    set_p(&mut res, p, t.is_finite());
    if rho.abs() == 1.0 {
        res.push_note("perfect monotone relation (|rho| = 1): t is infinite");
    }
    if n <= 3 {
        (res.ci_low, res.ci_high) = (-1.0, 1.0);
        res.push_note("n <= 3: the Fisher-z interval is (-1, 1)");
    } else {
        let se = ((1.0 + rho * rho / 2.0) / (n as f64 - 3.0)).sqrt();
        (res.ci_low, res.ci_high) = fisher_ci(rho, se, confidence, alternative);
    }
    Ok(res)
}

/// Weighted Pearson correlation, tested with Kish's effective sample size.
///
/// * `estimate` r_w = Σw(x-x̄_w)(y-ȳ_w)/√(Σw(x-x̄_w)²·Σw(y-ȳ_w)²), x̄_w = Σwx/Σw (the
///   correlation of statsmodels' `DescrStatsW(...).corrcoef`, numpy's `cov(aweights=w)`);
///   invariant to rescaling the weights.
/// * `n_eff` = (Σw)²/Σw² (Kish 1965), extra column `n_eff`. `statistic`
///   t = r_w·√((n_eff-2)/(1-r_w²)), `df` = n_eff - 2 (fractional), `p_value` from Student's
///   t; with equal weights this is exactly [`pearson`]'s test. NaN with a note when
///   n_eff <= 2.
/// * `ci_low`, `ci_high`: Fisher z with se = 1/√(n_eff - 3); (-1, 1) when n_eff <= 3.
/// * `n` counts the observations with positive weight.
///
/// The effective-n test treats the weights as precision (survey) weights of independent
/// observations; it is an approximation (no reference implementation defines a weighted
/// correlation test), documented as such. Errors: weights negative, NaN, or all zero; fewer
/// than 2 positive weights; the errors of [`pearson`].
pub fn weighted_pearson(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    check_pair(x, y, 2)?;
    if w.len() != x.len() {
        return Err(StatsError::data(
            "w",
            format!("has {} weights but x has {} values", w.len(), x.len()),
        ));
    }
    check_finite("w", w)?;
    if let Some(i) = w.iter().position(|v| *v < 0.0) {
        return Err(StatsError::data("w", format!("weight at position {i} is negative ({})", w[i])));
    }
    let keep: Vec<usize> = (0..w.len()).filter(|&i| w[i] > 0.0).collect();
    if keep.len() < 2 {
        return Err(StatsError::data(
            "w",
            format!("needs at least 2 positive weights, got {}", keep.len()),
        ));
    }
    let xs: Vec<f64> = keep.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = keep.iter().map(|&i| y[i]).collect();
    // weights scaled by their maximum: no overflow in Σw², and r and n_eff are scale-free
    let wmax = keep.iter().fold(0.0_f64, |a, &i| a.max(w[i]));
    let ws: Vec<f64> = keep.iter().map(|&i| w[i] / wmax).collect();
    let n = keep.len();
    let mut res = TestResult::new("Weighted Pearson correlation (Kish effective n)", alternative, n as u64);
    let sw: f64 = ws.iter().sum();
    let sw2: f64 = ws.iter().map(|v| v * v).sum();
    let n_eff = sw * sw / sw2;
    res.extra.push(("n_eff", n_eff));
    let df = n_eff - 2.0;
    res.df = df;
    if is_constant(&xs) || is_constant(&ys) {
        res.push_note("a column is constant (among positive weights): r is undefined");
        return Ok(res);
    }
    let dev = |v: &[f64]| -> Vec<f64> {
        let m = weighted_mean(v, &ws);
        let mut d: Vec<f64> = v.iter().map(|a| a - m).collect();
        let s = d.iter().fold(0.0_f64, |acc, a| acc.max(a.abs()));
        d.iter_mut().for_each(|a| *a /= s);
        d
    };
    let (dx, dy) = (dev(&xs), dev(&ys));
    let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for ((a, b), wi) in dx.iter().zip(&dy).zip(&ws) {
        sx += wi * a;
        sy += wi * b;
        sxx += wi * a * a;
        syy += wi * b * b;
        sxy += wi * a * b;
    }
    let sxx = sxx - sx * sx / sw;
    let syy = syy - sy * sy / sw;
    let sxy = sxy - sx * sy / sw;
    let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    res.estimate = r;
    if df <= 0.0 {
        res.push_note("effective n <= 2: no test (p = NaN)");
    } else {
        let t = t_from_r(r, df);
        res.statistic = t;
        let p = p_symmetric(t, alternative, |v| t_sf(v, df));
        set_p(&mut res, p, t.is_finite());
    }
    if n_eff <= 3.0 {
        (res.ci_low, res.ci_high) = (-1.0, 1.0);
        res.push_note("effective n <= 3: the Fisher-z interval is (-1, 1)");
    } else {
        (res.ci_low, res.ci_high) =
            fisher_ci(r, 1.0 / (n_eff - 3.0).sqrt(), confidence, alternative);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::excessive_precision)] // reference values quoted with all the digits their source gave
    use super::*;
    use crate::stats::testing::close;
    use Alternative::{Greater, Less, TwoSided};

    fn check(res: &TestResult, est: f64, p: f64, lo: f64, hi: f64) {
        assert!(close(res.estimate, est, 1e-12), "estimate {} vs {est}", res.estimate);
        assert!(close(res.p_value, p, 1e-10), "p {} vs {p}", res.p_value);
        assert!(close(res.ci_low, lo, 1e-10), "ci_low {} vs {lo}", res.ci_low);
        assert!(close(res.ci_high, hi, 1e-10), "ci_high {} vs {hi}", res.ci_high);
    }

    const X10: [f64; 10] = [1., 2., 3., 4., 5., 6., 7., 8., 9., 10.];
    const Y10: [f64; 10] = [2.3, 1.9, 4.4, 3.1, 6.0, 5.2, 8.8, 7.1, 9.9, 8.4];

    #[test]
    fn pearson_matches_scipy() {
        // scipy.stats.pearsonr(X10, Y10, alternative=alt) and .confidence_interval(0.95),
        // scipy 1.17.1
        let r = pearson(&X10, &Y10, TwoSided, 0.95).unwrap();
        check(&r, 0.9173305690249693, 0.00018476069971093515, 0.6810784796406595, 0.980591366994034);
        assert_eq!(r.df, 8.0);
        let r = pearson(&X10, &Y10, Less, 0.95).unwrap();
        check(&r, 0.9173305690249693, 0.9999076196501445, -1.0, 0.9754352547821266);
        let r = pearson(&X10, &Y10, Greater, 0.95).unwrap();
        check(&r, 0.9173305690249693, 9.238034985546757e-05, 0.7398841734033494, 1.0);
        // t = r·√(df/(1-r²))
        assert!(close(r.statistic, 0.9173305690249693 * (8.0 / (1.0 - 0.9173305690249693f64.powi(2))).sqrt(), 1e-12));
    }

    #[test]
    fn pearson_tiny_samples() {
        // scipy.stats.pearsonr([1,2,3],[1,3,2]) = (0.5, 0.6666666666666666); CI (-1, 1) for n = 3
        let r = pearson(&[1., 2., 3.], &[1., 3., 2.], TwoSided, 0.95).unwrap();
        check(&r, 0.5, 0.6666666666666666, -1.0, 1.0);
        // scipy.stats.pearsonr([1,2,3,4],[2,1,4,3]) = (0.6, 0.4);
        // .confidence_interval(0.9) = (-0.7405546206758125, 0.9815396021041629)
        let r = pearson(&[1., 2., 3., 4.], &[2., 1., 4., 3.], TwoSided, 0.9).unwrap();
        check(&r, 0.6, 0.4, -0.7405546206758125, 0.9815396021041629);
        // n = 2: r = ±1, p = 1 (scipy)
        let r = pearson(&[1., 2.], &[5., 3.], TwoSided, 0.95).unwrap();
        assert_eq!((r.estimate, r.p_value), (-1.0, 1.0));
        assert!(pearson(&[1.], &[2.], TwoSided, 0.95).is_err());
    }

    #[test]
    fn pearson_extreme_p_is_not_zero() {
        // x = 0..99, y = x + 25·sin(x): scipy.stats.pearsonr -> r = 0.8477054031545652,
        // p = 9.813716742857139e-29; alternative="greater": 4.9068583714285694e-29
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v + 25.0 * v.sin()).collect();
        let r = pearson(&x, &y, TwoSided, 0.95).unwrap();
        assert!(close(r.estimate, 0.8477054031545652, 1e-12));
        assert!(close(r.p_value, 9.813716742857139e-29, 1e-10), "{}", r.p_value);
        let r = pearson(&x, &y, Greater, 0.95).unwrap();
        assert!(close(r.p_value, 4.9068583714285694e-29, 1e-10));
        // a p-value below the doubles is reported as 2.2e-308 with a note, not 0
        let x: Vec<f64> = (0..2000).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v + (v * 7.0).sin()).collect();
        let r = pearson(&x, &y, TwoSided, 0.95).unwrap();
        assert_eq!(r.p_value, f64::MIN_POSITIVE);
        assert!(r.note.as_deref().unwrap().contains("2.2e-308"));
    }

    #[test]
    fn pearson_offset_and_constant_and_bad_input() {
        // 1e9 + small values: scipy.stats.pearsonr on the exactly shifted data
        // xo = [0.1, 0.2, 0.35, 0.4, 0.55], yo = [0.3, 0.1, 0.5, 0.45, 0.6] gives
        // r = 0.8117992188704453, p = 0.09519392091171688, CI (-0.24831912144534868,
        // 0.9870893537001413). The data 1e9 + xo are the doubles nearest, so compare to 1e-7.
        let xo = [0.1, 0.2, 0.35, 0.4, 0.55];
        let yo = [0.3, 0.1, 0.5, 0.45, 0.6];
        let x: Vec<f64> = xo.iter().map(|v| 1e9 + v).collect();
        let y: Vec<f64> = yo.iter().map(|v| 1e9 + v).collect();
        let r = pearson(&x, &y, TwoSided, 0.95).unwrap();
        assert!((r.estimate - 0.8117992188704453).abs() < 1e-6, "{}", r.estimate);
        // the same data shifted back exactly (x - 1e9 is exact here) give the same r bit for bit
        let xs: Vec<f64> = x.iter().map(|v| v - 1e9).collect();
        let ys: Vec<f64> = y.iter().map(|v| v - 1e9).collect();
        let s = pearson(&xs, &ys, TwoSided, 0.95).unwrap();
        assert!(close(r.estimate, s.estimate, 1e-13) && close(r.p_value, s.p_value, 1e-12));
        let r = pearson(&xo, &yo, TwoSided, 0.95).unwrap();
        check(&r, 0.8117992188704453, 0.09519392091171688, -0.24831912144534868, 0.9870893537001413);

        let r = pearson(&[1., 2., 3.], &[4., 4., 4.], TwoSided, 0.95).unwrap();
        assert!(r.estimate.is_nan() && r.p_value.is_nan());
        assert!(r.note.unwrap().contains("constant"));
        assert!(matches!(pearson(&[1., f64::NAN, 3.], &[1., 2., 3.], TwoSided, 0.95), Err(StatsError::InvalidData { .. })));
        assert!(matches!(pearson(&[1., 2., 3.], &[1., 2.], TwoSided, 0.95), Err(StatsError::InvalidData { argument: "y", .. })));
        assert!(matches!(pearson(&X10, &Y10, TwoSided, 1.0), Err(StatsError::InvalidArgument { .. })));
    }

    #[test]
    fn spearman_with_ties_matches_scipy() {
        let x = [1., 2., 2., 3., 4., 4., 4., 5., 6., 7.];
        let y = [2., 1., 3., 3., 5., 4., 6., 6., 8., 7.];
        // scipy.stats.spearmanr(x, y, alternative=alt) (scipy 1.17.1); interval by the
        // Bonett–Wright formula tanh(atanh(rho) ∓ 1.959963984540054·√((1 + rho²/2)/7))
        let r = spearman(&x, &y, TwoSided, 0.95).unwrap();
        check(&r, 0.93812095999547, 5.950220707696844e-05, 0.6821794445241512, 0.9892673031669499);
        let r = spearman(&x, &y, Less, 0.95).unwrap();
        assert!(close(r.p_value, 0.9999702488964615, 1e-10));
        let r = spearman(&x, &y, Greater, 0.95).unwrap();
        assert!(close(r.p_value, 2.975110353848422e-05, 1e-10));
        // scipy.stats.spearmanr([1,2,3,4],[1,3,2,4]) = (0.8, 0.2)
        let r = spearman(&[1., 2., 3., 4.], &[1., 3., 2., 4.], TwoSided, 0.95).unwrap();
        assert!(close(r.estimate, 0.8, 1e-12) && close(r.p_value, 0.2, 1e-10));
        // perfect monotone relation: rho = 1, t = inf, p = 0 (scipy: 0 as well)
        let r = spearman(&[1., 2., 3., 4., 5.], &[1., 4., 9., 16., 25.], TwoSided, 0.95).unwrap();
        assert_eq!((r.estimate, r.statistic, r.p_value), (1.0, f64::INFINITY, 0.0));
        let r = spearman(&[1., 2., 3.], &[7., 7., 7.], TwoSided, 0.95).unwrap();
        assert!(r.estimate.is_nan());
    }

    #[test]
    fn weighted_pearson_matches_statsmodels() {
        let w = [1., 2., 1., 3., 1., 2., 1., 0.5, 2., 1.];
        // statsmodels DescrStatsW(np.c_[X10, Y10], weights=w).corrcoef[0, 1] = 0.9273391526849117;
        // n_eff = (Σw)²/Σw² = 8.00952380952381; p = 2·scipy.stats.t.sf(|t|, n_eff - 2) =
        // 0.000898456062724733; CI tanh(atanh r ∓ 1.959963984540054/√(n_eff - 3)) =
        // (0.6430503623613015, 0.9870005033825721)
        let r = weighted_pearson(&X10, &Y10, &w, TwoSided, 0.95).unwrap();
        check(&r, 0.9273391526849117, 0.000898456062724733, 0.6430503623613015, 0.9870005033825721);
        assert!(close(r.get("n_eff").unwrap(), 8.00952380952381, 1e-13));
        // equal weights: exactly Pearson's test; weights are scale-free
        let ones = [1.0; 10];
        let a = weighted_pearson(&X10, &Y10, &ones, TwoSided, 0.95).unwrap();
        let b = pearson(&X10, &Y10, TwoSided, 0.95).unwrap();
        assert!(close(a.estimate, b.estimate, 1e-14) && close(a.p_value, b.p_value, 1e-12));
        let w7: Vec<f64> = w.iter().map(|v| v * 7.5).collect();
        let c = weighted_pearson(&X10, &Y10, &w7, TwoSided, 0.95).unwrap();
        assert!(close(c.estimate, 0.9273391526849117, 1e-12));
        // zero weights drop rows; negative weights are errors
        let mut wz = w;
        wz[0] = 0.0;
        assert_eq!(weighted_pearson(&X10, &Y10, &wz, TwoSided, 0.95).unwrap().n, 9);
        wz[0] = -1.0;
        assert!(weighted_pearson(&X10, &Y10, &wz, TwoSided, 0.95).is_err());
        assert!(weighted_pearson(&X10, &Y10, &w[..9], TwoSided, 0.95).is_err());
    }
}
