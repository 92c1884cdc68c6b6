//! `miroir.planning` (re-exported by `miroir.stats` and `miroir`): the Hunter–Schmidt
//! meta-analysis, the power of the test of a correlation, and the linkage-study plan. Each
//! function converts its arguments, calls the kernel, and returns tidy DataFrames.

use super::convert::{f64_vec, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::stats::hunter_schmidt::{self, HsAnalysis, HunterSchmidtFit, HunterSchmidtOptions};
use crate::stats::planning::{self, LinkagePlan};
use crate::stats::power;
use crate::stats::Alternative;
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;
use std::str::FromStr;

fn alternative(s: &str) -> PyResult<Alternative> {
    Alternative::from_str(s).py()
}

fn frame(cols: Vec<Column>) -> PyResult<PyDataFrame> {
    Ok(PyDataFrame(DataFrame::new_infer_height(cols).map_err(MiroirError::from)?))
}

/// One row per analysis (bare-bones, then corrected): psychmeta's column names; the corrected
/// row repeats the bare-bones columns, as psychmeta's individual-correction table does.
fn hunter_schmidt_df(f: &HunterSchmidtFit) -> PyResult<PyDataFrame> {
    let bb = &f.bare_bones;
    let rows: Vec<(&str, &HsAnalysis, Option<&HsAnalysis>)> = std::iter::once(("bare_bones", bb, None))
        .chain(f.corrected.as_ref().map(|c| ("corrected", c, Some(c))))
        .collect();
    let own = |g: &dyn Fn(&HsAnalysis) -> f64| rows.iter().map(|(_, a, _)| g(a)).collect::<Vec<f64>>();
    let base = |g: &dyn Fn(&HsAnalysis) -> f64| vec![g(bb); rows.len()];
    let corr = |g: &dyn Fn(&HsAnalysis) -> f64| rows.iter().map(|(_, _, c)| c.map(g)).collect::<Vec<Option<f64>>>();
    let k = rows.len();
    frame(vec![
        Column::new("analysis".into(), rows.iter().map(|r| r.0).collect::<Vec<&str>>()),
        Column::new("estimate".into(), own(&|a| a.mean)),
        Column::new("k".into(), vec![bb.k as u64; k]),
        Column::new("n_total".into(), base(&|a| a.n_total)),
        Column::new("mean_r".into(), base(&|a| a.mean)),
        Column::new("var_r".into(), base(&|a| a.var_obs)),
        Column::new("var_e".into(), base(&|a| a.var_e)),
        Column::new("var_res".into(), base(&|a| a.var_res)),
        Column::new("sd_r".into(), base(&|a| a.sd_obs)),
        Column::new("se_r".into(), base(&|a| a.se)),
        Column::new("sd_e".into(), base(&|a| a.sd_e)),
        Column::new("sd_res".into(), base(&|a| a.sd_res)),
        Column::new("mean_rho".into(), corr(&|a| a.mean)),
        Column::new("var_r_c".into(), corr(&|a| a.var_obs)),
        Column::new("var_e_c".into(), corr(&|a| a.var_e)),
        Column::new("var_rho".into(), corr(&|a| a.var_res)),
        Column::new("sd_r_c".into(), corr(&|a| a.sd_obs)),
        Column::new("se_r_c".into(), corr(&|a| a.se)),
        Column::new("sd_e_c".into(), corr(&|a| a.sd_e)),
        Column::new("sd_rho".into(), corr(&|a| a.sd_res)),
        Column::new("percent_var_accounted".into(), own(&|a| a.percent_var_accounted)),
        Column::new("ci_low".into(), own(&|a| a.ci_low)),
        Column::new("ci_high".into(), own(&|a| a.ci_high)),
        Column::new("cr_low".into(), own(&|a| a.cr_low)),
        Column::new("cr_high".into(), own(&|a| a.cr_high)),
        Column::new("confidence".into(), vec![f.options.confidence; k]),
        Column::new("credibility".into(), vec![f.options.credibility; k]),
        Column::new("corrected_above_one".into(), vec![f.corrected_above_one.len() as u64; k]),
        Column::new("method".into(), vec![f.method.as_str(); k]),
        Column::new("note".into(), vec![f.note.as_deref(); k]),
    ])
}

#[pyfunction]
#[pyo3(signature = (r, n, rxx, ryy, confidence, credibility, correct_bias))]
#[allow(clippy::too_many_arguments)]
fn stats_meta_hunter_schmidt(
    r: PySeries, n: PySeries, rxx: Option<PySeries>, ryy: Option<PySeries>, confidence: f64, credibility: f64,
    correct_bias: bool,
) -> PyResult<PyDataFrame> {
    let (r, n) = (f64_vec(&r, "r")?, f64_vec(&n, "n")?);
    let rxx = rxx.as_ref().map(|s| f64_vec(s, "rxx")).transpose()?;
    let ryy = ryy.as_ref().map(|s| f64_vec(s, "ryy")).transpose()?;
    let options = HunterSchmidtOptions { confidence, credibility, correct_bias };
    let fit = hunter_schmidt::meta_hunter_schmidt_with(&r, &n, rxx.as_deref(), ryy.as_deref(), &options).py()?;
    hunter_schmidt_df(&fit)
}

#[pyfunction]
#[pyo3(signature = (r, n, alpha, power, alternative))]
fn stats_power_correlation(r: f64, n: Option<f64>, alpha: f64, power: Option<f64>, alternative: &str) -> PyResult<PyDataFrame> {
    let p = power::power_correlation(r, n, alpha, power, self::alternative(alternative)?).py()?;
    frame(vec![
        Column::new("r".into(), [p.r]),
        Column::new("n".into(), [p.n]),
        Column::new("alpha".into(), [p.alpha]),
        Column::new("power".into(), [p.power]),
        Column::new("alternative".into(), [p.alternative.as_str()]),
        Column::new("method".into(), [p.method.as_str()]),
    ])
}

fn plan_frames(p: &LinkagePlan) -> PyResult<(PyDataFrame, PyDataFrame)> {
    let summary = frame(vec![
        Column::new("r_true".into(), [p.r_true]),
        Column::new("icc1".into(), [p.icc1]),
        Column::new("respondents_per_unit".into(), [p.respondents_per_unit]),
        Column::new("customer_icc1".into(), [p.customer_icc1]),
        Column::new("customers_per_unit".into(), [p.customers_per_unit]),
        Column::new("alpha".into(), [p.alpha]),
        Column::new("power".into(), [p.power]),
        Column::new("alternative".into(), [p.alternative.as_str()]),
        Column::new("icc2_employees".into(), [p.icc2_employees]),
        Column::new("icc2_customers".into(), [p.icc2_customers]),
        Column::new("expected_r".into(), [p.expected_r]),
        Column::new("units_continuous".into(), [p.units_continuous]),
        Column::new("units_needed".into(), [p.units_needed]),
        Column::new("method".into(), [p.method.as_str()]),
        Column::new("note".into(), [p.note.as_deref()]),
    ])?;
    let t = &p.table;
    let f = |g: &dyn Fn(&planning::LinkagePlanRow) -> f64| t.iter().map(g).collect::<Vec<f64>>();
    let table = frame(vec![
        Column::new("respondents_per_unit".into(), f(&|r| r.respondents_per_unit)),
        Column::new("customers_per_unit".into(), f(&|r| r.customers_per_unit)),
        Column::new("icc2_employees".into(), f(&|r| r.icc2_employees)),
        Column::new("icc2_customers".into(), f(&|r| r.icc2_customers)),
        Column::new("expected_r".into(), f(&|r| r.expected_r)),
        Column::new("units_continuous".into(), f(&|r| r.units_continuous)),
        Column::new("units_needed".into(), t.iter().map(|r| r.units_needed).collect::<Vec<Option<u64>>>()),
    ])?;
    Ok((summary, table))
}

#[pyfunction]
#[pyo3(signature = (r_true, icc1, respondents_per_unit, customer_icc1, customers_per_unit, alpha, power, alternative, table_sizes=None))]
#[allow(clippy::too_many_arguments)]
fn plan_linkage(
    r_true: f64, icc1: f64, respondents_per_unit: f64, customer_icc1: f64, customers_per_unit: f64, alpha: f64,
    power: f64, alternative: &str, table_sizes: Option<Vec<f64>>,
) -> PyResult<(PyDataFrame, PyDataFrame)> {
    let plan = planning::plan_linkage(
        r_true, icc1, respondents_per_unit, customer_icc1, customers_per_unit, alpha, power,
        self::alternative(alternative)?, table_sizes.as_deref(),
    )
    .py()?;
    plan_frames(&plan)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stats_meta_hunter_schmidt, m)?)?;
    m.add_function(wrap_pyfunction!(stats_power_correlation, m)?)?;
    m.add_function(wrap_pyfunction!(plan_linkage, m)?)?;
    Ok(())
}
