//! `miroir.stats.relative_importance` / `dominance`: converts the arguments, calls
//! [`crate::stats::relimp`], returns its tidy DataFrames ([`crate::tidy::relimp`]). Nothing
//! statistical happens here.

use super::convert::{f64_vec, MapErr};
use super::frame::{PyDataFrame, PySeries};
use super::stats::{arg, int_arg, interruptible};
use crate::stats::relimp::{self, Covariance, Method, Model, RelimpOptions};
use crate::stats::resample::MAX_RESAMPLES;
use crate::tidy::relimp::{dominance_frames, relative_importance_frame};
use crate::MiroirError;
use pyo3::prelude::*;
use std::str::FromStr;

/// `n_permutations` of the sampled LMG: 2 to `MAX_RESAMPLES`.
fn n_permutations(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    Ok(int_arg(obj, "n_permutations", 2, MAX_RESAMPLES as i128)? as usize)
}

/// `n_obs`: None or a non-negative integer.
fn n_obs(obj: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
    if obj.is_none() {
        return Ok(None);
    }
    Ok(Some(int_arg(obj, "n_obs", 0, usize::MAX as i128)? as usize))
}

fn bad(argument: &str, detail: String) -> PyErr {
    MiroirError::InvalidArgument { argument: argument.to_string(), detail }.into()
}

/// The matrix as a [`Covariance`] (rows of equal length, one per name).
fn covariance(matrix: Vec<Vec<f64>>, names: Vec<String>, n: Option<usize>) -> PyResult<Covariance> {
    let k = names.len();
    if matrix.len() != k || matrix.iter().any(|r| r.len() != k) {
        return Err(bad("cov", format!("expected a square {k} × {k} matrix (one row and column per name)")));
    }
    let cov = Covariance::new(names, matrix.into_iter().flatten().collect()).py()?;
    Ok(match n {
        Some(n) => cov.with_n_obs(n),
        None => cov,
    })
}

fn model(y: &str, x: &[String], groups: &[(String, Vec<String>)], always: &[String]) -> PyResult<Model> {
    let x: Vec<&str> = x.iter().map(String::as_str).collect();
    let members: Vec<Vec<&str>> = groups.iter().map(|(_, c)| c.iter().map(String::as_str).collect()).collect();
    let groups: Vec<(&str, &[&str])> = groups.iter().zip(&members).map(|((n, _), c)| (n.as_str(), c.as_slice())).collect();
    let always: Vec<&str> = always.iter().map(String::as_str).collect();
    Model::new(y, &x, &groups, &always).py()
}

/// The (weighted) covariance matrix of the columns of `columns`: (names, rows, n).
#[pyfunction]
#[pyo3(signature = (columns, weights=None))]
fn stats_relimp_covariance(
    py: Python<'_>, columns: PyDataFrame, weights: Option<PySeries>,
) -> PyResult<(Vec<String>, Vec<Vec<f64>>, usize)> {
    let names: Vec<String> = columns.0.get_column_names().iter().map(|s| s.to_string()).collect();
    let series: Vec<PySeries> = columns.0.columns().iter().map(|c| PySeries(c.as_materialized_series().clone())).collect();
    let cols = series.iter().zip(&names).map(|(s, n)| f64_vec(s, n)).collect::<PyResult<Vec<_>>>()?;
    let w = weights.as_ref().map(|w| f64_vec(w, "weights")).transpose()?;
    let cov = py
        .detach(|| {
            let design: Vec<(&str, &[f64])> = names.iter().map(String::as_str).zip(cols.iter().map(|c| &**c)).collect();
            Covariance::from_columns(&design, w.as_deref())
        })
        .py()?;
    let k = cov.dim();
    let rows = cov.values.chunks(k).map(<[f64]>::to_vec).collect();
    Ok((cov.names, rows, cov.n_obs.unwrap_or(0)))
}

#[pyfunction]
#[pyo3(signature = (matrix, names, y, x, groups, always, methods, exact, n_permutations, seed, n_obs=None))]
#[allow(clippy::too_many_arguments)]
fn stats_relative_importance(
    py: Python<'_>, matrix: Vec<Vec<f64>>, names: Vec<String>, y: &str, x: Vec<String>,
    groups: Vec<(String, Vec<String>)>, always: Vec<String>, methods: Vec<String>, exact: Option<bool>,
    #[pyo3(from_py_with = n_permutations)] n_permutations: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
    #[pyo3(from_py_with = n_obs)] n_obs: Option<usize>,
) -> PyResult<PyDataFrame> {
    let cov = covariance(matrix, names, n_obs)?;
    let m = model(y, &x, &groups, &always)?;
    let methods = methods.iter().map(|s| Method::from_str(s)).collect::<Result<Vec<_>, _>>().py()?;
    let opts = RelimpOptions { methods, exact, n_permutations, seed };
    let r = interruptible(py, || relimp::relative_importance(&cov, &m, &opts))?.py()?;
    Ok(PyDataFrame(relative_importance_frame(&r, &m)?))
}

/// Dominance analysis: (general, conditional, complete, r2, r2_always).
#[pyfunction]
#[pyo3(signature = (matrix, names, y, x, groups, always, n_obs=None))]
#[allow(clippy::too_many_arguments)]
fn stats_dominance(
    py: Python<'_>, matrix: Vec<Vec<f64>>, names: Vec<String>, y: &str, x: Vec<String>,
    groups: Vec<(String, Vec<String>)>, always: Vec<String>,
    #[pyo3(from_py_with = n_obs)] n_obs: Option<usize>,
) -> PyResult<(PyDataFrame, PyDataFrame, PyDataFrame, f64, f64)> {
    let cov = covariance(matrix, names, n_obs)?;
    let m = model(y, &x, &groups, &always)?;
    let d = py.detach(|| relimp::dominance(&cov, &m)).py()?;
    let (general, conditional, complete) = dominance_frames(&d)?;
    Ok((PyDataFrame(general), PyDataFrame(conditional), PyDataFrame(complete), d.r2, d.r2_always))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RELIMP_MAX_EXACT_PREDICTORS", relimp::MAX_EXACT_PREDICTORS)?;
    m.add("RELIMP_DEFAULT_PERMUTATIONS", relimp::DEFAULT_PERMUTATIONS)?;
    m.add_function(wrap_pyfunction!(stats_relimp_covariance, m)?)?;
    m.add_function(wrap_pyfunction!(stats_relative_importance, m)?)?;
    m.add_function(wrap_pyfunction!(stats_dominance, m)?)?;
    Ok(())
}
