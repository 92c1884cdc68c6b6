//! `miroir.planning` (re-exported by `miroir.stats` and `miroir`): the Hunter–Schmidt
//! meta-analysis, the power of the test of a correlation, and the linkage-study plan. Each
//! function converts its arguments, calls the kernel, and returns its tidy DataFrames
//! ([`crate::tidy::planning`]).

use super::convert::{f64_vec, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::stats::hunter_schmidt::{self, HunterSchmidtOptions};
use crate::stats::planning;
use crate::stats::power;
use crate::stats::Alternative;
use crate::tidy::planning::{hunter_schmidt_frame, linkage_plan_frames, power_frame};
use pyo3::prelude::*;
use std::str::FromStr;

fn alternative(s: &str) -> PyResult<Alternative> {
    Alternative::from_str(s).py()
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
    Ok(PyDataFrame(hunter_schmidt_frame(&fit)?))
}

#[pyfunction]
#[pyo3(signature = (r, n, alpha, power, alternative))]
fn stats_power_correlation(r: f64, n: Option<f64>, alpha: f64, power: Option<f64>, alternative: &str) -> PyResult<PyDataFrame> {
    let p = power::power_correlation(r, n, alpha, power, self::alternative(alternative)?).py()?;
    Ok(PyDataFrame(power_frame(&p)?))
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
    let (summary, table) = linkage_plan_frames(&plan)?;
    Ok((PyDataFrame(summary), PyDataFrame(table)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stats_meta_hunter_schmidt, m)?)?;
    m.add_function(wrap_pyfunction!(stats_power_correlation, m)?)?;
    m.add_function(wrap_pyfunction!(plan_linkage, m)?)?;
    Ok(())
}
