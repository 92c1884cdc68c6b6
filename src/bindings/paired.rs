//! `miroir.stats.paired_t` and `miroir.stats.wilcoxon`: matched pairs (the same units measured
//! twice). Conversion only; the tests live in `stats::paired`.

use super::convert::{f64_vec, result_df, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::stats::paired::{self, WilcoxonMethod};
use crate::stats::Alternative;
use pyo3::prelude::*;
use std::str::FromStr;

#[pyfunction]
fn stats_paired_t(py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b, alt) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?, Alternative::from_str(alternative).py()?);
    result_df(&py.detach(|| paired::paired_t(&a, &b, alt, confidence)).py()?)
}

#[pyfunction]
fn stats_wilcoxon(py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, method: &str) -> PyResult<PyDataFrame> {
    let (a, b) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?);
    let (alt, m) = (Alternative::from_str(alternative).py()?, WilcoxonMethod::from_str(method).py()?);
    result_df(&py.detach(|| paired::wilcoxon(&a, &b, alt, m)).py()?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stats_paired_t, m)?)?;
    m.add_function(wrap_pyfunction!(stats_wilcoxon, m)?)?;
    Ok(())
}
