//! Hunter–Schmidt (psychometric) meta-analysis of correlations: bare-bones and individually
//! corrected for unreliability, following the defaults of R psychmeta's `ma_r`
//! (Schmidt & Hunter 2015, *Methods of Meta-Analysis*, 3rd ed., ch. 3–4).
//!
//! This sits next to the random-effects meta-analysis of Fisher-z correlations in
//! [`super::meta`]: the two answer the same question with different weights and variance
//! estimators; the Hunter–Schmidt one also estimates the spread of *true-score* correlations.

use super::descriptive::{check_finite, weighted_mean};
use super::dist::t_ppf;
use super::error::{StatsError, StatsResult};
use super::result::check_confidence;

/// Options of [`meta_hunter_schmidt_with`]; the defaults are psychmeta's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HunterSchmidtOptions {
    /// Level of the confidence interval of the mean (psychmeta `conf_level`, default 0.95).
    pub confidence: f64,
    /// Level of the credibility interval (psychmeta `cred_level`, default 0.80).
    pub credibility: f64,
    /// Correct each r for its small-sample bias first (psychmeta `correct_bias`, default true).
    pub correct_bias: bool,
}

impl Default for HunterSchmidtOptions {
    fn default() -> Self {
        HunterSchmidtOptions { confidence: 0.95, credibility: 0.80, correct_bias: true }
    }
}

/// One analysis of a Hunter–Schmidt meta-analysis (psychmeta's `ma_table` columns): bare-bones
/// on the observed r, or corrected (true-score correlations ρ).
#[derive(Debug, Clone, PartialEq)]
pub struct HsAnalysis {
    pub k: usize,
    /// Total sample size `Σn`.
    pub n_total: f64,
    /// Weighted mean: `mean_r` (bare-bones) or `mean_rho` (corrected).
    pub mean: f64,
    /// Observed (weighted, unbiased) variance: `var_r` or `var_r_c`.
    pub var_obs: f64,
    /// Sampling-error variance: `var_e` or `var_e_c`.
    pub var_e: f64,
    /// Residual variance `var_obs - var_e`: `var_res` or `var_rho`; may be negative.
    pub var_res: f64,
    /// `sqrt(var_obs)`: `sd_r` or `sd_r_c`.
    pub sd_obs: f64,
    /// Standard error of the mean `sd_obs / sqrt(k)`: `se_r` or `se_r_c`.
    pub se: f64,
    /// `sqrt(var_e)`: `sd_e` or `sd_e_c`.
    pub sd_e: f64,
    /// `sqrt(var_res)`, 0 when `var_res < 0` (psychmeta): `sd_res` or `sd_rho`.
    pub sd_res: f64,
    /// `100 · var_e / var_obs`; NaN when the observed variance is 0.
    pub percent_var_accounted: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub cr_low: f64,
    pub cr_high: f64,
}

/// A Hunter–Schmidt meta-analysis ([`meta_hunter_schmidt`]). Not a [`super::TestResult`]: it
/// holds two analyses with a dozen statistics each (like [`super::regression::OlsFit`]).
#[derive(Debug, Clone, PartialEq)]
pub struct HunterSchmidtFit {
    pub bare_bones: HsAnalysis,
    /// Individually corrected for unreliability; `None` when neither `rxx` nor `ryy` is given.
    pub corrected: Option<HsAnalysis>,
    /// The correlations analysed: `r` corrected for small-sample bias when `correct_bias`.
    pub r_analysed: Vec<f64>,
    /// The correlations corrected for unreliability, `r_analysed / sqrt(rxx·ryy)`, when corrected.
    pub r_corrected: Option<Vec<f64>>,
    /// Positions (0-based) of corrected correlations above 1 in absolute value (kept as computed).
    pub corrected_above_one: Vec<usize>,
    pub options: HunterSchmidtOptions,
    pub method: String,
    /// Caveats: corrected r above 1, a negative residual variance, an undefined percentage.
    pub note: Option<String>,
}

fn push(note: &mut Option<String>, s: String) {
    *note = Some(match note.take() {
        Some(prev) => format!("{prev}; {s}"),
        None => s,
    });
}

/// Weighted mean, psychmeta's unbiased weighted variance `k/(k-1) · Σw(x - x̄_w)²/Σw`, and
/// the weighted mean of the sampling variances.
fn moments(x: &[f64], w: &[f64], var_e_i: &[f64]) -> (f64, f64, f64) {
    let k = x.len() as f64;
    let sw: f64 = w.iter().sum();
    let mean = weighted_mean(x, w);
    let ml: f64 = x.iter().zip(w).map(|(x, w)| w * (x - mean) * (x - mean)).sum::<f64>() / sw;
    let var_e = weighted_mean(var_e_i, w);
    (mean, ml * k / (k - 1.0), var_e)
}

fn analysis(
    k: usize,
    n_total: f64,
    (mean, var_obs, var_e): (f64, f64, f64),
    q_conf: f64,
    q_cred: f64,
) -> HsAnalysis {
    let var_res = var_obs - var_e;
    let sd_obs = var_obs.sqrt();
    let se = sd_obs / (k as f64).sqrt();
    let sd_res = if var_res > 0.0 { var_res.sqrt() } else { 0.0 };
    HsAnalysis {
        k,
        n_total,
        mean,
        var_obs,
        var_e,
        var_res,
        sd_obs,
        se,
        sd_e: var_e.sqrt(),
        sd_res,
        percent_var_accounted: if var_obs > 0.0 { 100.0 * var_e / var_obs } else { f64::NAN },
        ci_low: mean - q_conf * se,
        ci_high: mean + q_conf * se,
        cr_low: mean - q_cred * sd_res,
        cr_high: mean + q_cred * sd_res,
    }
}

fn check_reliabilities<'a>(argument: &'static str, x: Option<&'a [f64]>, k: usize) -> StatsResult<Option<&'a [f64]>> {
    let Some(x) = x else { return Ok(None) };
    if x.len() != k {
        return Err(StatsError::data(argument, format!("has {} reliabilities for {k} correlations", x.len())));
    }
    check_finite(argument, x)?;
    if let Some(i) = x.iter().position(|&v| !(v > 0.0 && v <= 1.0)) {
        return Err(StatsError::data(
            argument,
            format!("reliability at position {i} is {}; a reliability must lie in (0, 1]", x[i]),
        ));
    }
    Ok(Some(x))
}

/// Hunter–Schmidt meta-analysis of correlations `r` from samples of sizes `n`, bare-bones and,
/// when reliabilities are given, individually corrected for unreliability; psychmeta's `ma_r`
/// defaults (credibility 0.80, bias correction on). See [`meta_hunter_schmidt_with`].
pub fn meta_hunter_schmidt(
    r: &[f64],
    n: &[f64],
    rxx: Option<&[f64]>,
    ryy: Option<&[f64]>,
    confidence: f64,
) -> StatsResult<HunterSchmidtFit> {
    meta_hunter_schmidt_with(r, n, rxx, ryy, &HunterSchmidtOptions { confidence, ..Default::default() })
}

/// Hunter–Schmidt meta-analysis with explicit options, as R psychmeta's
/// `ma_r(rxyi = r, n = n, rxx = rxx, ryy = ryy, ma_method = "ic")` with its defaults
/// (`wt_type = "sample_size"`, `error_type = "mean"`, `var_unbiased = TRUE`,
/// `conf_method = cred_method = "t"`, `correct_bias = TRUE`; no range restriction).
///
/// **Bare-bones** (Schmidt & Hunter 2015, ch. 3), on the `k` correlations `r_i` — first corrected
/// for small-sample bias when `correct_bias` (psychmeta's `correct_r_bias`, Schmidt & Hunter
/// 2015, pp. 140–141): `r_i ← r_i / ((2n_i - 2)/(2n_i - 1))`:
/// - weights `w_i = n_i`; mean `r̄ = Σw r / Σw`;
/// - observed variance, unbiased (psychmeta's `wt_var(unbiased = TRUE)`):
///   `var_r = k/(k-1) · Σw(r - r̄)² / Σw`;
/// - sampling-error variance from the mean r (`error_type = "mean"`, p. 99):
///   `var_e_i = (1 - r̄²)² / (n_i - 1)`, `var_e = Σw var_e_i / Σw`;
/// - residual variance `var_res = var_r - var_e` (reported even when negative), `sd_res =
///   sqrt(var_res)`, or 0 when `var_res < 0` (psychmeta);
/// - percent variance accounted for by sampling error `100·var_e/var_r`;
/// - confidence interval of the mean `r̄ ± t_{(1+confidence)/2, k-1} · sd_r/sqrt(k)`;
/// - credibility interval `r̄ ± t_{(1+credibility)/2, k-1} · sd_res` (psychmeta's
///   `cred_method = "t"`; Schmidt & Hunter's normal quantile is `hs_override`'s choice).
///
/// **Individually corrected for unreliability** (ch. 3, "individual corrections"; psychmeta's
/// true-score analysis), with attenuation factors `A_i = sqrt(rxx_i · ryy_i)` (a missing side
/// counts as perfectly reliable, `1`):
/// - `r_c,i = r_i / A_i` (with `r_i` the bias-corrected r when `correct_bias`);
/// - weights `w_i = n_i · A_i²`; `ρ̄ = Σw r_c / Σw`;
/// - `var_r_c = k/(k-1) · Σw(r_c - ρ̄)² / Σw`;
/// - error variance of each corrected r `var_e_i / A_i²` (with `var_e_i` of the bare-bones step),
///   `var_e_c = Σw (var_e_i/A_i²) / Σw`;
/// - `var_rho = var_r_c - var_e_c`, `sd_rho` (0 when negative), percent `100·var_e_c/var_r_c`,
///   CI `ρ̄ ± t · sd_r_c/sqrt(k)` and credibility `ρ̄ ± t · sd_rho`, as above.
///
/// psychmeta computes `A_i` as `r_i / r_c,i`, which is undefined at `r_i = 0` and then falls back
/// to 1; we use `sqrt(rxx_i·ryy_i)` throughout (Schmidt & Hunter 2015, p. 144), so the two differ
/// only for a correlation of exactly 0.
///
/// A corrected correlation above 1 in absolute value is kept as computed, listed in
/// `corrected_above_one` and named in `note`: never clipped silently.
///
/// Errors (typed): `confidence` or `credibility` outside (0, 1) (`InvalidArgument`); fewer than 2
/// correlations, lengths that differ, a non-finite value, `|r| >= 1`, `n < 2`, a reliability
/// outside (0, 1] (`InvalidData`, naming the argument).
pub fn meta_hunter_schmidt_with(
    r: &[f64],
    n: &[f64],
    rxx: Option<&[f64]>,
    ryy: Option<&[f64]>,
    options: &HunterSchmidtOptions,
) -> StatsResult<HunterSchmidtFit> {
    let confidence = check_confidence(options.confidence)?;
    let credibility = check_confidence(options.credibility).map_err(|_| {
        StatsError::argument(
            "credibility",
            format!("must lie strictly between 0 and 1, got {}", options.credibility),
        )
    })?;
    let k = r.len();
    if n.len() != k {
        return Err(StatsError::data("n", format!("has {} sample sizes for {k} correlations", n.len())));
    }
    if k < 2 {
        return Err(StatsError::data("r", format!("needs at least 2 correlations, got {k}")));
    }
    check_finite("r", r)?;
    check_finite("n", n)?;
    if let Some(i) = r.iter().position(|v| v.abs() >= 1.0) {
        return Err(StatsError::data("r", format!("correlation at position {i} is {}; |r| must be < 1", r[i])));
    }
    if let Some(i) = n.iter().position(|&v| v < 2.0) {
        return Err(StatsError::data("n", format!("sample size at position {i} is {}; n must be at least 2", n[i])));
    }
    let rxx = check_reliabilities("rxx", rxx, k)?;
    let ryy = check_reliabilities("ryy", ryy, k)?;

    let mut note = None;
    let df = (k - 1) as f64;
    let q_conf = -t_ppf((1.0 - confidence) / 2.0, df);
    let q_cred = -t_ppf((1.0 - credibility) / 2.0, df);
    let n_total: f64 = n.iter().sum();

    let r_a: Vec<f64> = if options.correct_bias {
        r.iter().zip(n).map(|(r, n)| r / ((2.0 * n - 2.0) / (2.0 * n - 1.0))).collect()
    } else {
        r.to_vec()
    };
    let big: Vec<usize> = (0..k).filter(|&i| r_a[i].abs() > 1.0).collect();
    if !big.is_empty() {
        push(
            &mut note,
            format!(
                "the small-sample bias correction takes r above 1 in absolute value at positions {big:?} \
                 (tiny samples): kept as computed"
            ),
        );
    }

    let mean_r = weighted_mean(&r_a, n);
    let var_e_i: Vec<f64> = n.iter().map(|n| (1.0 - mean_r * mean_r).powi(2) / (n - 1.0)).collect();
    let bb = analysis(k, n_total, moments(&r_a, n, &var_e_i), q_conf, q_cred);
    let describe = |note: &mut Option<String>, a: &HsAnalysis, which: &str, res: &str, sd: &str| {
        if a.var_res < 0.0 {
            push(
                note,
                format!(
                    "{which}: the residual variance {res} = {:.6} is negative (sampling error accounts for more than \
                     the observed variance); {sd} set to 0 as psychmeta",
                    a.var_res
                ),
            );
        }
        if a.percent_var_accounted.is_nan() {
            push(note, format!("{which}: the observed variance is 0, so the percent variance accounted for is undefined"));
        }
    };
    describe(&mut note, &bb, "bare-bones", "var_res", "sd_res");

    let (corrected, r_corrected, corrected_above_one) = if rxx.is_some() || ryy.is_some() {
        let a: Vec<f64> = (0..k)
            .map(|i| (rxx.map_or(1.0, |x| x[i]) * ryy.map_or(1.0, |y| y[i])).sqrt())
            .collect();
        let rc: Vec<f64> = r_a.iter().zip(&a).map(|(r, a)| r / a).collect();
        let w: Vec<f64> = n.iter().zip(&a).map(|(n, a)| n * a * a).collect();
        let ve: Vec<f64> = var_e_i.iter().zip(&a).map(|(v, a)| v / (a * a)).collect();
        let c = analysis(k, n_total, moments(&rc, &w, &ve), q_conf, q_cred);
        let above: Vec<usize> = (0..k).filter(|&i| rc[i].abs() > 1.0).collect();
        if !above.is_empty() {
            let shown: Vec<String> = above.iter().map(|&i| format!("{:.4}", rc[i])).collect();
            push(
                &mut note,
                format!(
                    "corrected r above 1 in absolute value at positions {above:?} ({}): reported as computed, \
                     not clipped (check the reliabilities)",
                    shown.join(", ")
                ),
            );
        }
        if c.mean.abs() > 1.0 {
            push(&mut note, format!("the mean corrected correlation {:.4} is above 1 in absolute value", c.mean));
        }
        describe(&mut note, &c, "corrected", "var_rho", "sd_rho");
        (Some(c), Some(rc), above)
    } else {
        (None, None, Vec::new())
    };

    Ok(HunterSchmidtFit {
        bare_bones: bb,
        corrected,
        r_analysed: r_a,
        r_corrected,
        corrected_above_one,
        options: HunterSchmidtOptions { confidence, credibility, correct_bias: options.correct_bias },
        method: format!(
            "Hunter-Schmidt meta-analysis (psychmeta ma_r defaults: sample-size weights, error variance from the \
             mean r, unbiased variance, t intervals{})",
            if options.correct_bias { ", r corrected for small-sample bias" } else { "" }
        ),
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::close;

    const R: [f64; 5] = [0.20, 0.35, 0.10, 0.42, 0.28];
    const N: [f64; 5] = [120.0, 85.0, 200.0, 60.0, 150.0];

    #[test]
    fn bare_bones_by_hand() {
        // Schmidt & Hunter's formulas, written out without the bias correction
        let opts = HunterSchmidtOptions { correct_bias: false, ..Default::default() };
        let f = meta_hunter_schmidt_with(&R, &N, None, None, &opts).unwrap();
        let sn: f64 = N.iter().sum();
        let mean = R.iter().zip(&N).map(|(r, n)| r * n).sum::<f64>() / sn;
        let var_r = R.iter().zip(&N).map(|(r, n)| n * (r - mean).powi(2)).sum::<f64>() / sn * 5.0 / 4.0;
        let var_e = N.iter().map(|n| n * (1.0 - mean * mean).powi(2) / (n - 1.0)).sum::<f64>() / sn;
        let b = &f.bare_bones;
        assert!(close(b.mean, mean, 1e-14));
        assert!(close(b.var_obs, var_r, 1e-13));
        assert!(close(b.var_e, var_e, 1e-13));
        assert!(close(b.var_res, var_r - var_e, 1e-12));
        assert!(close(b.percent_var_accounted, 100.0 * var_e / var_r, 1e-13));
        // t quantiles on 4 df: 2.7764451051977943 (95%), 1.5332062740589436 (80%)
        let se = var_r.sqrt() / 5f64.sqrt();
        assert!(close(b.ci_low, mean - 2.7764451051977943 * se, 1e-13));
        let sd_res = (var_r - var_e).max(0.0).sqrt();
        assert!(close(b.cr_high, mean + 1.5332062740589436 * sd_res, 1e-13));
        assert!(f.corrected.is_none());
        assert_eq!(b.n_total, sn);
    }

    #[test]
    fn bias_correction_is_psychmeta_s() {
        let f = meta_hunter_schmidt(&R, &N, None, None, 0.95).unwrap();
        for i in 0..5 {
            assert!(close(f.r_analysed[i], R[i] * (2.0 * N[i] - 1.0) / (2.0 * N[i] - 2.0), 1e-15));
        }
    }

    #[test]
    fn perfect_reliabilities_change_nothing() {
        let ones = [1.0; 5];
        let f = meta_hunter_schmidt(&R, &N, Some(&ones), Some(&ones), 0.95).unwrap();
        let c = f.corrected.as_ref().unwrap();
        let b = &f.bare_bones;
        assert!(close(c.mean, b.mean, 1e-15) && close(c.var_obs, b.var_obs, 1e-14));
        assert!(close(c.var_e, b.var_e, 1e-14) && close(c.cr_low, b.cr_low, 1e-14));
    }

    #[test]
    fn constant_reliabilities_scale_everything() {
        // A constant A: ρ̄ = r̄/A, variances / A², percent unchanged
        let rxx = [0.8; 5];
        let ryy = [0.7; 5];
        let f = meta_hunter_schmidt(&R, &N, Some(&rxx), Some(&ryy), 0.95).unwrap();
        let a2: f64 = 0.8 * 0.7;
        let (b, c) = (&f.bare_bones, f.corrected.as_ref().unwrap());
        assert!(close(c.mean, b.mean / a2.sqrt(), 1e-14));
        assert!(close(c.var_obs, b.var_obs / a2, 1e-13));
        assert!(close(c.var_e, b.var_e / a2, 1e-13));
        assert!(close(c.percent_var_accounted, b.percent_var_accounted, 1e-13));
        assert!(close(c.ci_high, b.ci_high / a2.sqrt(), 1e-13));
    }

    #[test]
    fn corrected_above_one_is_noted_not_clipped() {
        let r = [0.6, 0.3, 0.4];
        let n = [50.0, 80.0, 100.0];
        let rxx = [0.5, 0.8, 0.9];
        let ryy = [0.6, 0.8, 0.9];
        let f = meta_hunter_schmidt(&r, &n, Some(&rxx), Some(&ryy), 0.95).unwrap();
        let rc = f.r_corrected.as_ref().unwrap();
        assert!(rc[0] > 1.0);
        assert_eq!(f.corrected_above_one, vec![0]);
        assert!(f.note.as_deref().unwrap().contains("not clipped"));
    }

    #[test]
    fn bad_inputs_are_typed() {
        let data_arg = |e: StatsError| match e {
            StatsError::InvalidData { argument, .. } => argument,
            other => panic!("{other:?}"),
        };
        assert_eq!(data_arg(meta_hunter_schmidt(&[0.1], &[50.0], None, None, 0.95).unwrap_err()), "r");
        assert_eq!(data_arg(meta_hunter_schmidt(&[0.1, 0.2], &[50.0], None, None, 0.95).unwrap_err()), "n");
        assert_eq!(data_arg(meta_hunter_schmidt(&[0.1, 1.0], &[50.0, 60.0], None, None, 0.95).unwrap_err()), "r");
        assert_eq!(data_arg(meta_hunter_schmidt(&[0.1, 0.2], &[50.0, 1.0], None, None, 0.95).unwrap_err()), "n");
        assert_eq!(
            data_arg(meta_hunter_schmidt(&[0.1, 0.2], &[50.0, 60.0], Some(&[0.8, 0.0]), None, 0.95).unwrap_err()),
            "rxx"
        );
        assert_eq!(
            data_arg(meta_hunter_schmidt(&[0.1, 0.2], &[50.0, 60.0], None, Some(&[0.8, 1.2]), 0.95).unwrap_err()),
            "ryy"
        );
        assert_eq!(
            data_arg(meta_hunter_schmidt(&[0.1, 0.2], &[50.0, 60.0], None, Some(&[0.8]), 0.95).unwrap_err()),
            "ryy"
        );
        assert!(matches!(
            meta_hunter_schmidt(&[0.1, 0.2], &[50.0, 60.0], None, None, 1.0),
            Err(StatsError::InvalidArgument { argument: "confidence", .. })
        ));
        let opts = HunterSchmidtOptions { credibility: 0.0, ..Default::default() };
        assert!(matches!(
            meta_hunter_schmidt_with(&[0.1, 0.2], &[50.0, 60.0], None, None, &opts),
            Err(StatsError::InvalidArgument { argument: "credibility", .. })
        ));
    }

    #[test]
    fn homogeneous_studies_note_negative_residual_variance() {
        let f = meta_hunter_schmidt(&[0.30, 0.31, 0.30], &[100.0, 100.0, 100.0], None, None, 0.95).unwrap();
        assert!(f.bare_bones.var_res < 0.0);
        assert_eq!(f.bare_bones.sd_res, 0.0);
        assert_eq!(f.bare_bones.cr_low, f.bare_bones.mean);
        assert!(f.note.as_deref().unwrap().contains("negative"));
    }
}
