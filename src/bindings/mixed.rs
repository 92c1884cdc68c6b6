//! `miroir.stats.mixed_lm`: converts the columns, calls [`crate::stats::mixed::random_intercept`]
//! without the GIL, and returns the fit as a tidy DataFrame ([`crate::tidy::mixed`]). Nothing
//! statistical happens here.

use super::convert::{f64_vec, group_codes, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::stats::mixed::{random_intercept, MixedMethod, MixedSe};
use pyo3::prelude::*;
use std::str::FromStr;

#[pyfunction]
#[pyo3(signature = (y, x, groups, intercept, method, confidence, se))]
#[allow(clippy::too_many_arguments)]
fn stats_mixed_lm(
    py: Python<'_>,
    y: PySeries,
    x: PyDataFrame,
    groups: PySeries,
    intercept: bool,
    method: &str,
    confidence: f64,
    se: &str,
) -> PyResult<PyDataFrame> {
    let method = MixedMethod::from_str(method).py()?;
    let se = MixedSe::from_str(se).py()?;
    let yv = f64_vec(&y, "y")?;
    let names: Vec<String> =
        x.0.get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
    // columns borrowed when they are contiguous Float64 (no copy of a large design)
    let series: Vec<PySeries> =
        x.0.columns()
            .iter()
            .map(|c| PySeries(c.as_materialized_series().clone()))
            .collect();
    let cols = series
        .iter()
        .zip(&names)
        .map(|(s, name)| f64_vec(s, name))
        .collect::<PyResult<Vec<_>>>()?;
    let g = group_codes(&groups, "groups")?;
    let fit = py
        .detach(|| {
            let design: Vec<(&str, &[f64])> = names
                .iter()
                .map(String::as_str)
                .zip(cols.iter().map(|c| &c[..]))
                .collect();
            random_intercept(&yv, &design, intercept, &g, confidence, method, se)
        })
        .py()?;
    Ok(PyDataFrame(crate::tidy::mixed::mixed_frame(&fit)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stats_mixed_lm, m)?)?;
    Ok(())
}
