//! `miroir.stats.mixed_lm`: converts the columns, calls [`crate::stats::mixed::random_intercept`]
//! without the GIL, and returns the fit as a tidy DataFrame. Nothing statistical happens here.

use super::convert::{f64_vec, group_codes, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::stats::mixed::{random_intercept, MixedFit, MixedMethod, MixedSe, MixedTerm};
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;
use std::str::FromStr;

/// A random-intercept fit as a tidy DataFrame: one row per fixed effect, the variance components
/// and fit statistics repeated as columns (as [`super::convert::ols_df`] does for OLS).
pub fn mixed_df(fit: &MixedFit) -> PolarsResult<DataFrame> {
    let t = &fit.terms;
    let k = t.len();
    let f = |g: &dyn Fn(&MixedTerm) -> f64| t.iter().map(g).collect::<Vec<f64>>();
    DataFrame::new_infer_height(vec![
        Column::new(
            "term".into(),
            t.iter().map(|x| x.term.as_str()).collect::<Vec<&str>>(),
        ),
        Column::new("estimate".into(), f(&|x| x.estimate)),
        Column::new("std_error".into(), f(&|x| x.std_error)),
        Column::new("statistic".into(), f(&|x| x.statistic)),
        Column::new("p_value".into(), f(&|x| x.p_value)),
        Column::new("ci_low".into(), f(&|x| x.ci_low)),
        Column::new("ci_high".into(), f(&|x| x.ci_high)),
        Column::new("group_var".into(), vec![fit.group_var; k]),
        Column::new("resid_var".into(), vec![fit.resid_var; k]),
        Column::new("icc".into(), vec![fit.icc; k]),
        Column::new("loglik".into(), vec![fit.loglik; k]),
        Column::new("n".into(), vec![fit.n; k]),
        Column::new("n_groups".into(), vec![fit.n_groups as u64; k]),
        Column::new("converged".into(), vec![fit.converged; k]),
        Column::new("iterations".into(), vec![fit.iterations as u64; k]),
        Column::new("method".into(), vec![fit.method.as_str(); k]),
        Column::new("note".into(), vec![fit.note.as_deref(); k]),
    ])
}

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
    Ok(PyDataFrame(mixed_df(&fit).map_err(MiroirError::from)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stats_mixed_lm, m)?)?;
    Ok(())
}
