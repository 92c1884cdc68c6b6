//! Engagement gap by exposure to customers: customer-facing employees against the others.
//!
//! Per study and pooled: n and mean engagement of each group, the gap
//! `mean(other) - mean(customer-facing)` (positive = customer-facing staff less engaged), Welch's
//! t-test of that difference (df, p, CI; scipy's `ttest_ind(equal_var=False)`), Hedges' g with
//! its CI, and the Mann-Whitney test (scipy's `mannwhitneyu` defaults) with the rank-biserial r.
//! The pooled row adds the *adjusted* gap: OLS of engagement on customer_facing with study fixed
//! effects (and optional numeric covariates, rows with a missing covariate dropped), standard
//! errors cluster-robust by unit (CR1, as statsmodels `cov_type="cluster"`); adjusted gap =
//! minus the customer_facing coefficient. "Up to N points" is the largest per-study gap
//! (`largest = true`), reported with its own CI.
//!
//! Weights (a `weight` column in the employees table): the group means are weighted
//! (`Σw·x / Σw`); the Welch test is statsmodels'
//! `weightstats.ttest_ind(x1, x2, usevar="unequal", weights=(w1, w2))`, which treats the weights
//! as frequency weights (see [`weighted_welch`]: the variance of a mean is
//! `Σw(x - x̄)² / (W (W - 1))`, `W = Σw`, and Satterthwaite's df uses `W - 1`, so the result
//! depends on the scale of the weights — normalise them to sum to the sample size for survey
//! weights); the adjusted gap is WLS (every column and the outcome demeaned within study with the
//! weights, then multiplied by `√w`), with the CR1 sandwich of the weighted scores, as statsmodels
//! `WLS(y, X, weights=w).fit(cov_type="cluster", cov_kwds={"groups": unit}, use_t=True)` with
//! study dummies. Hedges' g and the Mann-Whitney test have no standard weighted version: they
//! stay unweighted and the row's `note` says so. The counts `n_facing`, `n_other` stay respondent
//! counts (suppression is by counts).

use super::frame::{bools, dense_codes, employee_weights, floats, TableBuilder};
use super::linkage::By;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::regression::{ols_absorbed, OlsFit};
use crate::stats::dist::{t_ppf, t_sf};
use crate::stats::two_sample::{hedges_g, mann_whitney_test, welch_t, MwMethod};
use crate::stats::{Alternative, TestResult};
use polars::prelude::{DataFrame, DataType};

#[derive(Debug, Clone, PartialEq)]
pub struct GapOptions {
    pub by: By,
    pub covariates: Vec<String>,
    pub confidence: f64,
}

impl Default for GapOptions {
    fn default() -> Self {
        GapOptions { by: By::Study, covariates: Vec::new(), confidence: 0.95 }
    }
}

/// `&'static str` under another name: serde's derive borrows every field written `&str` (so
/// `Deserialize<'de>` would need `'de: 'static`, and no part could be read from bytes); the
/// alias is the same type, read through [`crate::partial::static_names::one`].
type StaticStr = &'static str;

/// One row of the exposure-gap table. Serialisable: the per-study rows travel in the partial
/// results of [`crate::partial::gap`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct GapRow {
    #[serde(with = "crate::partial::static_names::one")]
    pub level: StaticStr,
    pub study: String,
    pub n_facing: u64,
    pub n_other: u64,
    pub mean_facing: f64,
    pub mean_other: f64,
    pub welch: TestResult,
    pub g: TestResult,
    pub mw: TestResult,
    pub adjusted: Option<TestResult>,
    pub largest: bool,
    /// Statistics hidden: a segment has fewer than `min_group_size` employees, or the row
    /// protects such a study from subtraction (complementary suppression).
    pub suppressed: bool,
    pub notes: Vec<String>,
}

/// A result of `method` with every number NaN and the reason in its note.
pub(crate) fn nan(method: &str, n: usize, note: String) -> TestResult {
    TestResult::new(method, Alternative::TwoSided, n as u64).with_note(note)
}

fn mean(x: &[f64]) -> f64 {
    crate::stats::descriptive::mean(x)
}

/// Note of the rows of a weighted study: what is and is not weighted.
pub(crate) const WEIGHTED_GAP_NOTE: &str = "weighted by employee weights: means, Welch t (statsmodels ttest_ind \
     on the weights rescaled to mean 1) and adjusted gap (WLS); Hedges' g and Mann-Whitney U are unweighted (no standard weighted version)";

/// Weighted sum `Σw`, mean `Σw·x / Σw` (with a compensating second pass) and weighted sum of
/// squared deviations `Σw(x - x̄)²` (statsmodels `DescrStatsW`: `sum_weights`, `mean`,
/// `sumsquares`).
pub(crate) fn weighted_moments(x: &[f64], w: &[f64]) -> (f64, f64, f64) {
    let sw: f64 = w.iter().sum();
    let m = crate::stats::descriptive::weighted_mean(x, w);
    let ss: f64 = x.iter().zip(w).map(|(v, w)| w * (v - m) * (v - m)).sum();
    (sw, m, ss)
}

/// Welch's test of mean(a) = mean(b) with weights, as statsmodels 0.14/0.15
/// `weightstats.ttest_ind(a, b, usevar="unequal", weights=(wa, wb))` and
/// `CompareMeans(DescrStatsW(a, wa), DescrStatsW(b, wb)).tconfint_diff(usevar="unequal")`.
///
/// statsmodels' `DescrStatsW` treats weights as frequency weights: `nobs = W = Σw`, the variance
/// without correction `v = Σw(x - x̄)²/W`, the squared standard error of a mean `v/(W - 1)`; so
/// `se² = va/(Wa - 1) + vb/(Wb - 1)`, Satterthwaite's
/// `df = 1 / ((sa/(sa+sb))²/(Wa-1) + (sb/(sa+sb))²/(Wb-1))`, `sa = va/(Wa-1)`, and the t
/// interval `x̄a - x̄b ± t_q·se`. With all weights 1 this is [`welch_t`]. Extras as `welch_t`:
/// `mean_a`, `mean_b`, `sd_a`, `sd_b` (weighted, `Σw(x - x̄)²/(W - 1)`), `se`, `n1`, `n2`
/// (respondent counts) and `w1`, `w2` (sums of weights). Errors (typed, via the result's note):
/// a group with fewer than 2 observations or a sum of weights at most 1.
pub(crate) fn weighted_welch(a: &[f64], wa: &[f64], b: &[f64], wb: &[f64], confidence: f64) -> TestResult {
    let enough = a.len() >= 2 && b.len() >= 2;
    let moments = |x: &[f64], w: &[f64]| if enough { weighted_moments(x, w) } else { (f64::NAN, f64::NAN, f64::NAN) };
    weighted_welch_moments((a.len(), moments(a, wa)), (b.len(), moments(b, wb)), confidence)
}

/// [`weighted_welch`] from each group's size and [`weighted_moments`] `(Σw, x̄_w, Σw(x - x̄_w)²)`
/// (read only when both groups have at least 2 observations).
pub(crate) fn weighted_welch_moments(
    (na, (sa, ma, ssa)): (usize, (f64, f64, f64)),
    (nb, (sb, mb, ssb)): (usize, (f64, f64, f64)),
    confidence: f64,
) -> TestResult {
    let n = na + nb;
    let mut res = TestResult::new("Welch two-sample t test (weighted, statsmodels ttest_ind usevar='unequal')", Alternative::TwoSided, n as u64);
    if na < 2 || nb < 2 {
        return res.with_note("each group needs at least 2 observations");
    }
    if !(sa > 1.0 && sb > 1.0) {
        return res.with_note("the weights of a group sum to 1 or less: the weighted (frequency) variance is undefined");
    }
    let (va, vb) = (ssa / sa, ssb / sb);
    let (sema, semb) = (va / (sa - 1.0), vb / (sb - 1.0));
    let sem = sema + semb;
    let d = ma - mb;
    res.estimate = d;
    res.extra.extend([("mean_a", ma), ("mean_b", mb), ("sd_a", (ssa / (sa - 1.0)).sqrt()), ("sd_b", (ssb / (sb - 1.0)).sqrt())]);
    let se = sem.sqrt();
    res.extra.push(("se", se));
    let df = 1.0 / ((sema / sem).powi(2) / (sa - 1.0) + (semb / sem).powi(2) / (sb - 1.0));
    if se.is_nan() || se <= 0.0 {
        res.push_note("both groups have zero variance: t is undefined");
    } else {
        res.df = df;
        let t = d / se;
        res.statistic = t;
        res.set_p(2.0 * t_sf(t.abs(), df));
        let tail = (1.0 - confidence) / 2.0;
        (res.ci_low, res.ci_high) = (d + t_ppf(tail, df) * se, d + t_ppf(1.0 - tail, df) * se);
    }
    res.extra.extend([("n1", na as f64), ("n2", nb as f64), ("w1", sa), ("w2", sb)]);
    res
}

/// [`weighted_welch`] with survey weights: the weights of both groups are first rescaled to
/// mean 1 (`w·n/Σw` over the two groups; divided by their maximum first, so that equal weights
/// become exactly 1). statsmodels' frequency-weight formulas then count `n` observations in all,
/// and the result does not depend on the scale of the weights (1e-170 or 1e160 give the same
/// numbers as 1, as the indicators' Kish intervals do). Equal weights give [`welch_t`] itself.
/// statsmodels' `ttest_ind(..., weights=(wa·c, wb·c))` with the same rescaling gives the same.
pub(crate) fn survey_welch(a: &[f64], wa: &[f64], b: &[f64], wb: &[f64], confidence: f64) -> TestResult {
    let first = wa.first().or(wb.first()).copied().unwrap_or(1.0);
    if wa.iter().chain(wb).all(|w| *w == first) {
        let n = a.len() + b.len();
        return welch_t(a, b, Alternative::TwoSided, confidence).unwrap_or_else(|e| nan("Welch t-test", n, e.to_string()));
    }
    let max = wa.iter().chain(wb).fold(0.0_f64, |m, w| m.max(*w));
    let (ua, ub): (Vec<f64>, Vec<f64>) = (wa.iter().map(|w| w / max).collect(), wb.iter().map(|w| w / max).collect());
    let k = (a.len() + b.len()) as f64 / ua.iter().chain(&ub).sum::<f64>();
    let (ua, ub): (Vec<f64>, Vec<f64>) = (ua.iter().map(|w| w * k).collect(), ub.iter().map(|w| w * k).collect());
    weighted_welch(a, &ua, b, &ub, confidence)
}

/// One group's engagement values, with their weights when the study is weighted.
type Sample<'a> = (&'a [f64], Option<&'a [f64]>);

pub(crate) fn gap_row(level: &'static str, name: &str, other: Sample<'_>, facing: Sample<'_>, confidence: f64) -> GapRow {
    let ((other, w_other), (facing, w_facing)) = (other, facing);
    let n = other.len() + facing.len();
    let welch = match (w_other, w_facing) {
        (Some(wo), Some(wf)) => survey_welch(other, wo, facing, wf, confidence),
        _ => welch_t(other, facing, Alternative::TwoSided, confidence)
            .unwrap_or_else(|e| nan("Welch t-test", n, e.to_string())),
    };
    let g = hedges_g(other, facing, confidence).unwrap_or_else(|e| nan("Hedges' g", n, e.to_string()));
    let mw = mann_whitney_test(other, facing, Alternative::TwoSided, MwMethod::Auto, true)
        .unwrap_or_else(|e| nan("Mann-Whitney U", n, e.to_string()));
    let means = match (w_other, w_facing) {
        (Some(wo), Some(wf)) => {
            let wmean = |x: &[f64], w: &[f64]| if x.is_empty() { f64::NAN } else { crate::stats::descriptive::weighted_mean(x, w) };
            (wmean(facing, wf), wmean(other, wo))
        }
        _ => (mean(facing), mean(other)),
    };
    let weighted = w_other.is_some() && w_facing.is_some();
    assemble_row((level, name), (other.len(), facing.len()), [welch, g, mw], weighted, means)
}

/// The results of a group pair: its results `[welch, g, mw]` (computed from the samples, or
/// from their summaries for the pooled row of [`crate::partial::gap`]), the sizes
/// `(n_other, n_facing)`, the means `(facing, other)` and the notes that explain them.
pub(crate) fn assemble_row(
    (level, name): (&'static str, &str),
    (n_other, n_facing): (usize, usize),
    [welch, g, mw]: [TestResult; 3],
    weighted: bool,
    (mean_facing, mean_other): (f64, f64),
) -> GapRow {
    let mut notes = Vec::new();
    if n_facing == 0 {
        notes.push("no customer-facing employees: the gap is undefined".to_string());
    }
    if n_other == 0 {
        notes.push("no employees away from customers: the gap is undefined".to_string());
    }
    // A result's note is kept when it explains an undefined value of that result (a NaN estimate,
    // or a NaN p-value of a test); the kernel's standing remarks (Hedges' g has no p-value, the
    // Mann-Whitney test no Hodges-Lehmann interval) would only repeat on every row.
    const STANDING: [&str; 2] = ["effect size only:", "no interval for the Hodges-Lehmann"];
    // (the Mann-Whitney test is run without its Hodges-Lehmann estimate: its value is U)
    for (r, value, is_test) in [(&welch, welch.estimate, true), (&g, g.estimate, false), (&mw, mw.statistic, true)] {
        if value.is_finite() && (!is_test || r.p_value.is_finite()) {
            continue;
        }
        for part in r.note.iter().flat_map(|n| n.split("; ")) {
            if !STANDING.iter().any(|s| part.starts_with(s)) && !notes.iter().any(|n| n == part) {
                notes.push(part.to_string());
            }
        }
    }
    if weighted {
        notes.push(WEIGHTED_GAP_NOTE.to_string());
    }
    GapRow {
        level,
        study: name.to_string(),
        n_facing: n_facing as u64,
        n_other: n_other as u64,
        mean_facing,
        mean_other,
        welch,
        g,
        mw,
        adjusted: None,
        largest: false,
        suppressed: false,
        notes,
    }
}

/// Covariate columns as f64 (booleans as 0/1); text columns are refused.
fn covariate(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    if matches!(name, "engagement" | "customer_facing" | "study" | "unit") {
        return Err(MiroirError::InvalidArgument {
            argument: "covariates".into(),
            detail: format!(
                "'{name}' is already in the model (the outcome is engagement, the gap is customer_facing, \
                 study effects are absorbed): list only other columns"
            ),
        });
    }
    let col = df.column(name).map_err(|_| MiroirError::InvalidArgument {
        argument: "covariates".into(),
        detail: format!("'{name}' is not a column of the employees table"),
    })?;
    let dt = col.dtype();
    if !(dt.is_primitive_numeric() || dt.is_bool()) {
        return Err(MiroirError::InvalidArgument {
            argument: "covariates".into(),
            detail: format!("'{name}' is {dt}; covariates must be numbers or yes/no columns"),
        });
    }
    let s = col.cast(&DataType::Float64)?;
    Ok(s.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// OLS of engagement on customer_facing + study fixed effects + covariates, clustered by unit.
fn adjusted_gap(study: &Study, covariates: &[String], confidence: f64) -> Result<(TestResult, Option<String>)> {
    let weights = employee_weights(study, "exposure gap")?;
    let d = demeaned_design(study, covariates, weights.as_deref())?;
    if d.cols[0].iter().all(|v| *v == 0.0) {
        return Err(not_identified());
    }
    let un = &study.index().emp_unit;
    let clusters = dense_codes(d.rows.iter().map(|&i| un[i]));
    let design: Vec<(&str, &[f64])> = d.names.iter().map(String::as_str).zip(d.cols.iter().map(Vec::as_slice)).collect();
    let fit = ols_absorbed(&d.y, &design, d.absorbed, Some(&clusters), confidence)?;
    adjusted_result(&fit, weights.is_some(), d.dropped)
}

/// The error of a design where no study has both groups.
pub(crate) fn not_identified() -> MiroirError {
    MiroirError::Stats(crate::stats::StatsError::data(
        "x",
        "no study has both customer-facing and other employees: the gap within studies is not identified",
    ))
}

/// The design of the adjusted gap, every column demeaned within its study (with the weights,
/// then multiplied by `√w`, when weighted): the rows kept (every covariate finite), their
/// columns (`customer_facing`, then the covariates) and outcome, and how many studies the
/// demeaning absorbed.
pub(crate) struct Design {
    pub names: Vec<String>,
    pub cols: Vec<Vec<f64>>,
    pub y: Vec<f64>,
    /// The employees' rows kept, in order (one per value of `y` and of each column).
    pub rows: Vec<usize>,
    /// Employees dropped for a missing covariate.
    pub dropped: usize,
    /// Studies with rows kept.
    pub absorbed: usize,
}

/// The [`Design`] of `study` with `weights` (one per employee; `None` unweighted). Errors: a
/// covariate listed twice, unknown, or not a number ([`MiroirError::InvalidArgument`]).
pub(crate) fn demeaned_design(study: &Study, covariates: &[String], weights: Option<&[f64]>) -> Result<Design> {
    let df = study.employee_columns();
    let y = floats(df, "engagement")?;
    let cf: Vec<f64> = bools(df, "customer_facing")?.iter().map(|b| f64::from(u8::from(b.unwrap_or(false)))).collect();
    let ix = study.index();
    let st = &ix.emp_study;
    if let Some((i, c)) = covariates.iter().enumerate().find(|(i, c)| covariates[..*i].contains(c)) {
        return Err(MiroirError::InvalidArgument {
            argument: "covariates".into(),
            detail: format!("'{c}' is listed twice (positions {} and {})", covariates.iter().position(|x| x == c).unwrap_or(0) + 1, i + 1),
        });
    }
    let covs: Vec<Vec<f64>> = covariates.iter().map(|c| covariate(df, c)).collect::<Result<_>>()?;
    let keep: Vec<usize> = (0..y.len()).filter(|&i| covs.iter().all(|c| c[i].is_finite())).collect();
    let dropped = y.len() - keep.len();
    // Study fixed effects absorbed: every column demeaned within its study (Frisch-Waugh-Lovell;
    // the same estimate and CR1 errors as the dummy-variable fit, see `ols_absorbed`).
    // Weighted: WLS = OLS of the rows multiplied by √w; the study dummies times √w project onto
    // the weighted study means, so the columns are demeaned with the weights and then scaled.
    let n_studies = ix.studies.len();
    let mut size = vec![0.0; n_studies];
    let mut count = vec![0usize; n_studies];
    for &i in &keep {
        size[st[i] as usize] += weights.map_or(1.0, |w| w[i]);
        count[st[i] as usize] += 1;
    }
    let absorbed = count.iter().filter(|&&n| n > 0).count();
    let demean = |v: &[f64]| -> Vec<f64> {
        let mut sum = vec![0.0; n_studies];
        for &i in &keep {
            sum[st[i] as usize] += weights.map_or(v[i], |w| w[i] * v[i]);
        }
        let means: Vec<f64> = sum.iter().zip(&size).map(|(s, n)| s / n).collect();
        match weights {
            None => keep.iter().map(|&i| v[i] - means[st[i] as usize]).collect(),
            Some(w) => keep.iter().map(|&i| (v[i] - means[st[i] as usize]) * w[i].sqrt()).collect(),
        }
    };
    let mut names: Vec<String> = vec!["customer_facing".into()];
    let mut cols: Vec<Vec<f64>> = vec![demean(&cf)];
    for (name, c) in covariates.iter().zip(&covs) {
        names.push(name.clone());
        cols.push(demean(c));
    }
    let y = demean(&y);
    Ok(Design { names, cols, y, rows: keep, dropped, absorbed })
}

/// The adjusted gap of a fit of the [`Design`]: minus the customer_facing term, and the note
/// on the employees dropped and on the fit.
pub(crate) fn adjusted_result(fit: &OlsFit, weighted: bool, dropped: usize) -> Result<(TestResult, Option<String>)> {
    let term = fit
        .terms
        .iter()
        .find(|t| t.term == "customer_facing")
        .ok_or_else(|| MiroirError::Polars("customer_facing term missing from the fit".into()))?;
    let method = if weighted { fit.method.replacen("OLS", "WLS (employee weights)", 1) } else { fit.method.clone() };
    let mut r = TestResult::new(method, Alternative::TwoSided, fit.n);
    r.estimate = -term.estimate;
    r.statistic = -term.statistic;
    r.df = term.df;
    r.p_value = term.p_value;
    r.ci_low = -term.ci_high;
    r.ci_high = -term.ci_low;
    r = r.with_extra("std_error", term.std_error);
    let notes: Vec<String> = [
        (dropped > 0).then(|| format!("{dropped} employees dropped for missing covariates")),
        fit.note.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let note = (!notes.is_empty()).then(|| format!("adjusted gap: {}", notes.join("; ")));
    Ok((r, note))
}

/// Segments (customer-facing or not) of fewer than `k` employees are below the study: their
/// study's row is suppressed. With exactly one such study among several, the pooled row minus the
/// shown studies would give it back, so the study with the smallest segment among the others is
/// suppressed too.
fn suppress_segments(rows: &mut [GapRow], k: u64) {
    let small = |n: u64| n > 0 && n < k;
    let mut n_small = 0;
    for r in rows.iter_mut() {
        if small(r.n_facing) || small(r.n_other) {
            r.suppressed = true;
            r.notes.push(format!("suppressed: a segment has fewer than {k} employees"));
            n_small += 1;
        }
    }
    if n_small == 1 && rows.len() > 1 {
        let partner = (0..rows.len())
            .filter(|&i| !rows[i].suppressed)
            .min_by_key(|&i| (rows[i].n_facing.min(rows[i].n_other), rows[i].study.clone()));
        if let Some(p) = partner {
            rows[p].suppressed = true;
            rows[p].notes.push("suppressed: complementary, protects a small segment from subtraction".into());
        }
    }
}

/// Refuses a confidence level outside (0, 1).
pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(MiroirError::InvalidArgument {
            argument: "confidence".into(),
            detail: format!("must lie strictly between 0 and 1, got {confidence}"),
        });
    }
    Ok(())
}

pub fn gap_rows(study: &Study, o: &GapOptions) -> Result<Vec<GapRow>> {
    check_confidence(o.confidence)?;
    let df = study.employee_columns();
    let ix = study.index();
    let cf = bools(df, "customer_facing")?;
    let en = floats(df, "engagement")?;
    let weights = employee_weights(study, "exposure gap")?;
    // (other, facing) engagement per study code, and their weights (empty without weights)
    let mut groups: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); ix.studies.len()];
    let mut wgroups: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); ix.studies.len()];
    let (mut all_other, mut all_facing) = (Vec::new(), Vec::new());
    let (mut wall_other, mut wall_facing) = (Vec::new(), Vec::new());
    for i in 0..en.len() {
        let s = ix.emp_study[i] as usize;
        let g = &mut groups[s];
        if cf[i] == Some(true) {
            g.1.push(en[i]);
            all_facing.push(en[i]);
        } else {
            g.0.push(en[i]);
            all_other.push(en[i]);
        }
        if let Some(w) = &weights {
            let wg = &mut wgroups[s];
            if cf[i] == Some(true) {
                wg.1.push(w[i]);
                wall_facing.push(w[i]);
            } else {
                wg.0.push(w[i]);
                wall_other.push(w[i]);
            }
        }
    }
    let weighted = weights.is_some();
    fn with_w(weighted: bool, w: &[f64]) -> Option<&[f64]> {
        weighted.then_some(w)
    }
    // studies with employees only (a study may have customers alone)
    type Groups<'a> = Vec<(&'a str, ((Vec<f64>, Vec<f64>), (Vec<f64>, Vec<f64>)))>;
    let groups: Groups<'_> = ix
        .studies
        .iter()
        .map(String::as_str)
        .zip(groups.into_iter().zip(wgroups))
        .filter(|(_, ((o, f), _))| !o.is_empty() || !f.is_empty())
        .collect();
    let rows: Vec<GapRow> = groups
        .iter()
        .map(|(name, ((other, facing), (wo, wf)))| {
            gap_row("study", name, (other, with_w(weighted, wo)), (facing, with_w(weighted, wf)), o.confidence)
        })
        .collect();
    let pooled =
        gap_row("pooled", "all", (&all_other, with_w(weighted, &wall_other)), (&all_facing, with_w(weighted, &wall_facing)), o.confidence);
    rows_across_studies(rows, pooled, study.schema().min_group_size() as u64, o.by, || {
        adjusted_gap(study, &o.covariates, o.confidence)
    })
}

/// The steps of [`gap_rows`] across studies, from the per-study rows (in study order) and the
/// pooled row: segment suppression, the largest gap, the pooled row's suppression with a single
/// study, the adjusted gap (computed by `adjusted` when both groups have employees) and the
/// grouping `by`.
pub(crate) fn rows_across_studies(
    mut rows: Vec<GapRow>,
    mut pooled: GapRow,
    min_group_size: u64,
    by: By,
    adjusted: impl FnOnce() -> Result<(TestResult, Option<String>)>,
) -> Result<Vec<GapRow>> {
    suppress_segments(&mut rows, min_group_size);
    if let Some(best) = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.suppressed && r.welch.estimate.is_finite())
        .max_by(|a, b| a.1.welch.estimate.total_cmp(&b.1.welch.estimate))
        .map(|(i, _)| i)
    {
        rows[best].largest = true;
    }
    if rows.len() == 1 && rows[0].suppressed {
        // with one study the pooled row is that study's row
        pooled.suppressed = true;
        pooled.notes = rows[0].notes.clone();
    }
    if pooled.n_facing > 0 && pooled.n_other > 0 {
        match adjusted() {
            Ok((r, note)) => {
                pooled.notes.extend(note);
                pooled.adjusted = Some(r);
            }
            Err(e @ MiroirError::InvalidArgument { .. }) => return Err(e),
            Err(e) => pooled.notes.push(format!("adjusted gap: {e}")),
        }
    }
    Ok(by.rows(rows, pooled))
}

/// The exposure-gap table.
pub fn exposure_gap(study: &Study, o: &GapOptions) -> Result<DataFrame> {
    gap_table(&gap_rows(study, o)?)
}

/// The exposure-gap table of computed rows.
pub fn gap_table(rows: &[GapRow]) -> Result<DataFrame> {
    // Suppressed rows keep their counts; every statistic is null.
    let f = |g: &dyn Fn(&GapRow) -> f64| {
        rows.iter().map(|r| (!r.suppressed).then(|| g(r))).collect::<Vec<Option<f64>>>()
    };
    let adj = |g: &dyn Fn(&TestResult) -> f64| rows.iter().map(|r| r.adjusted.as_ref().map(g)).collect::<Vec<Option<f64>>>();
    TableBuilder::new()
        .str("level", rows.iter().map(|r| r.level))
        .str("study", rows.iter().map(|r| &r.study))
        .u64("n_facing", rows.iter().map(|r| r.n_facing))
        .u64("n_other", rows.iter().map(|r| r.n_other))
        .opt_f64("mean_facing", f(&|r| r.mean_facing))
        .opt_f64("mean_other", f(&|r| r.mean_other))
        .opt_f64("gap", f(&|r| r.welch.estimate))
        .opt_f64("statistic", f(&|r| r.welch.statistic))
        .opt_f64("df", f(&|r| r.welch.df))
        .opt_f64("p_value", f(&|r| r.welch.p_value))
        .opt_f64("ci_low", f(&|r| r.welch.ci_low))
        .opt_f64("ci_high", f(&|r| r.welch.ci_high))
        .opt_f64("hedges_g", f(&|r| r.g.estimate))
        .opt_f64("g_ci_low", f(&|r| r.g.ci_low))
        .opt_f64("g_ci_high", f(&|r| r.g.ci_high))
        .opt_f64("mw_statistic", f(&|r| r.mw.statistic))
        .opt_f64("mw_p_value", f(&|r| r.mw.p_value))
        .opt_f64("rank_biserial", f(&|r| r.mw.get("rank_biserial").unwrap_or(f64::NAN)))
        .opt_f64("adjusted_gap", adj(&|t| t.estimate))
        .opt_f64("adjusted_std_error", adj(&|t| t.get("std_error").unwrap_or(f64::NAN)))
        .opt_f64("adjusted_ci_low", adj(&|t| t.ci_low))
        .opt_f64("adjusted_ci_high", adj(&|t| t.ci_high))
        .opt_f64("adjusted_p_value", adj(&|t| t.p_value))
        .bool("largest", rows.iter().map(|r| r.largest))
        .bool("suppressed", rows.iter().map(|r| r.suppressed))
        .notes("note", rows.iter().map(|r| &r.notes))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs()
    }

    #[test]
    fn weighted_welch_matches_statsmodels() {
        // statsmodels 0.15: weightstats.ttest_ind(a, b, usevar="unequal", weights=(wa, wb)) =
        // (2.262349552939227, 0.04191000235404139, 12.691305279152441);
        // CompareMeans(DescrStatsW(a, wa), DescrStatsW(b, wb)).tconfint_diff(usevar="unequal") =
        // (0.467958539754628, 21.444849342018777); mean difference 10.956403940886702.
        let a = [52.0, 61.5, 47.25, 70.0, 58.0, 66.5];
        let wa = [1.5, 0.4, 2.2, 1.0, 0.7, 2.9];
        let b = [41.0, 55.5, 38.0, 49.75, 60.0];
        let wb = [0.9, 1.8, 2.5, 0.6, 1.2];
        let r = weighted_welch(&a, &wa, &b, &wb, 0.95);
        for (got, want) in [
            (r.estimate, 10.956403940886702),
            (r.statistic, 2.262349552939227),
            (r.p_value, 0.04191000235404139),
            (r.df, 12.691305279152441),
            (r.ci_low, 0.467958539754628),
            (r.ci_high, 21.444849342018777),
        ] {
            assert!(rel(got, want) < 1e-10, "{got} vs {want}");
        }
        // unit weights: the unweighted Welch test
        let ones_a = [1.0; 6];
        let ones_b = [1.0; 5];
        let w = weighted_welch(&a, &ones_a, &b, &ones_b, 0.95);
        let u = welch_t(&a, &b, Alternative::TwoSided, 0.95).unwrap();
        for (x, y) in [(w.statistic, u.statistic), (w.df, u.df), (w.p_value, u.p_value), (w.ci_low, u.ci_low)] {
            assert!(rel(x, y) < 1e-12, "{x} vs {y}");
        }
    }

    #[test]
    fn weighted_welch_undefined_is_nan_with_a_reason() {
        let r = weighted_welch(&[1.0], &[1.0], &[2.0, 3.0], &[1.0, 1.0], 0.95);
        assert!(r.estimate.is_nan() && r.note.is_some());
        // frequency weights summing to 1 or less: the variance is undefined
        let r = weighted_welch(&[1.0, 2.0], &[0.2, 0.3], &[2.0, 3.0], &[1.0, 1.0], 0.95);
        assert!(r.p_value.is_nan() && r.note.as_deref().unwrap().contains("sum to 1 or less"));
    }
}
