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

use super::frame::{bools, dense_codes, floats, TableBuilder};
use super::linkage::By;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::regression::ols_absorbed;
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

#[derive(Debug, Clone)]
pub struct GapRow {
    pub level: &'static str,
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

fn nan(method: &str, n: usize, note: String) -> TestResult {
    TestResult::new(method, Alternative::TwoSided, n as u64).with_note(note)
}

fn mean(x: &[f64]) -> f64 {
    crate::stats::descriptive::mean(x)
}

fn gap_row(level: &'static str, name: &str, other: &[f64], facing: &[f64], confidence: f64) -> GapRow {
    let n = other.len() + facing.len();
    let mut notes = Vec::new();
    if facing.is_empty() {
        notes.push("no customer-facing employees: the gap is undefined".to_string());
    }
    if other.is_empty() {
        notes.push("no employees away from customers: the gap is undefined".to_string());
    }
    let welch = welch_t(other, facing, Alternative::TwoSided, confidence)
        .unwrap_or_else(|e| nan("Welch t-test", n, e.to_string()));
    let g = hedges_g(other, facing, confidence).unwrap_or_else(|e| nan("Hedges' g", n, e.to_string()));
    let mw = mann_whitney_test(other, facing, Alternative::TwoSided, MwMethod::Auto, true)
        .unwrap_or_else(|e| nan("Mann-Whitney U", n, e.to_string()));
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
    GapRow {
        level,
        study: name.to_string(),
        n_facing: facing.len() as u64,
        n_other: other.len() as u64,
        mean_facing: mean(facing),
        mean_other: mean(other),
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
    let df = study.employee_columns();
    let y = floats(df, "engagement")?;
    let cf: Vec<f64> = bools(df, "customer_facing")?.iter().map(|b| f64::from(u8::from(b.unwrap_or(false)))).collect();
    let ix = study.index();
    let (st, un) = (&ix.emp_study, &ix.emp_unit);
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
    let n_studies = ix.studies.len();
    let mut size = vec![0.0; n_studies];
    for &i in &keep {
        size[st[i] as usize] += 1.0;
    }
    let absorbed = size.iter().filter(|&&n| n > 0.0).count();
    let demean = |v: &[f64]| -> Vec<f64> {
        let mut sum = vec![0.0; n_studies];
        for &i in &keep {
            sum[st[i] as usize] += v[i];
        }
        let means: Vec<f64> = sum.iter().zip(&size).map(|(s, n)| s / n).collect();
        keep.iter().map(|&i| v[i] - means[st[i] as usize]).collect()
    };
    let mut names: Vec<String> = vec!["customer_facing".into()];
    let mut cols: Vec<Vec<f64>> = vec![demean(&cf)];
    if cols[0].iter().all(|v| *v == 0.0) {
        return Err(MiroirError::Stats(crate::stats::StatsError::data(
            "x",
            "no study has both customer-facing and other employees: the gap within studies is not identified",
        )));
    }
    for (name, c) in covariates.iter().zip(&covs) {
        names.push(name.clone());
        cols.push(demean(c));
    }
    let clusters = dense_codes(keep.iter().map(|&i| un[i]));
    let design: Vec<(&str, &[f64])> = names.iter().map(String::as_str).zip(cols.iter().map(Vec::as_slice)).collect();
    let fit = ols_absorbed(&demean(&y), &design, absorbed, Some(&clusters), confidence)?;
    let term = fit
        .terms
        .iter()
        .find(|t| t.term == "customer_facing")
        .ok_or_else(|| MiroirError::Polars("customer_facing term missing from the fit".into()))?;
    let mut r = TestResult::new(fit.method.clone(), Alternative::TwoSided, fit.n);
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

pub fn gap_rows(study: &Study, o: &GapOptions) -> Result<Vec<GapRow>> {
    if !(o.confidence > 0.0 && o.confidence < 1.0) {
        return Err(MiroirError::InvalidArgument {
            argument: "confidence".into(),
            detail: format!("must lie strictly between 0 and 1, got {}", o.confidence),
        });
    }
    let df = study.employee_columns();
    let ix = study.index();
    let cf = bools(df, "customer_facing")?;
    let en = floats(df, "engagement")?;
    // (other, facing) engagement per study code
    let mut groups: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); ix.studies.len()];
    let (mut all_other, mut all_facing) = (Vec::new(), Vec::new());
    for i in 0..en.len() {
        let g = &mut groups[ix.emp_study[i] as usize];
        if cf[i] == Some(true) {
            g.1.push(en[i]);
            all_facing.push(en[i]);
        } else {
            g.0.push(en[i]);
            all_other.push(en[i]);
        }
    }
    // studies with employees only (a study may have customers alone)
    type Groups<'a> = Vec<(&'a str, (Vec<f64>, Vec<f64>))>;
    let groups: Groups<'_> = ix
        .studies
        .iter()
        .map(String::as_str)
        .zip(groups)
        .filter(|(_, (o, f))| !o.is_empty() || !f.is_empty())
        .collect();
    let mut rows: Vec<GapRow> = groups
        .iter()
        .map(|(name, (other, facing))| gap_row("study", name, other, facing, o.confidence))
        .collect();
    suppress_segments(&mut rows, study.schema().min_group_size() as u64);
    if let Some(best) = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.suppressed && r.welch.estimate.is_finite())
        .max_by(|a, b| a.1.welch.estimate.total_cmp(&b.1.welch.estimate))
        .map(|(i, _)| i)
    {
        rows[best].largest = true;
    }
    let mut pooled = gap_row("pooled", "all", &all_other, &all_facing, o.confidence);
    if rows.len() == 1 && rows[0].suppressed {
        // with one study the pooled row is that study's row
        pooled.suppressed = true;
        pooled.notes = rows[0].notes.clone();
    }
    if !all_facing.is_empty() && !all_other.is_empty() {
        match adjusted_gap(study, &o.covariates, o.confidence) {
            Ok((r, note)) => {
                pooled.notes.extend(note);
                pooled.adjusted = Some(r);
            }
            Err(e @ MiroirError::InvalidArgument { .. }) => return Err(e),
            Err(e) => pooled.notes.push(format!("adjusted gap: {e}")),
        }
    }
    if o.by == By::Study {
        rows.push(pooled);
        Ok(rows)
    } else {
        Ok(vec![pooled])
    }
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
        .opt_str(
            "note",
            rows.iter().map(|r| if r.notes.is_empty() { None } else { Some(r.notes.join("; ")) }),
        )
        .build()
}
