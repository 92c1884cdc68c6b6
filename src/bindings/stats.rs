//! `miroir.stats`: each function converts its arguments, calls the kernel, and returns a tidy
//! DataFrame. Nothing statistical happens here.

use super::convert::{f64_vec, group_codes, result_df, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::stats::{self, Alternative};
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;
use std::str::FromStr;

/// Parses an option given as text into its kernel enum.
fn opt<T: FromStr<Err = stats::StatsError>>(s: &str) -> PyResult<T> {
    T::from_str(s).py()
}

fn alt(s: &str) -> PyResult<Alternative> {
    opt(s)
}

#[pyfunction]
fn stats_pearson(py: Python<'_>, x: PySeries, y: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (x, y, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?);
    result_df(&py.detach(|| stats::correlation::pearson(&x, &y, a, confidence)).py()?)
}

#[pyfunction]
fn stats_spearman(py: Python<'_>, x: PySeries, y: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (x, y, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?);
    result_df(&py.detach(|| stats::correlation::spearman(&x, &y, a, confidence)).py()?)
}

#[pyfunction]
fn stats_kendall(py: Python<'_>, x: PySeries, y: PySeries, alternative: &str, method: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (x, y, a, m) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?, opt(method)?);
    result_df(&py.detach(|| stats::correlation::kendall(&x, &y, a, m, confidence)).py()?)
}

#[pyfunction]
fn stats_weighted_pearson(
    py: Python<'_>, x: PySeries, y: PySeries, w: PySeries, alternative: &str, confidence: f64,
) -> PyResult<PyDataFrame> {
    let (x, y, w, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, f64_vec(&w, "w")?, alt(alternative)?);
    result_df(&py.detach(|| stats::correlation::weighted_pearson(&x, &y, &w, a, confidence)).py()?)
}

#[pyfunction]
fn stats_welch_t(py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b, alt) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?, alt(alternative)?);
    result_df(&py.detach(|| stats::two_sample::welch_t(&a, &b, alt, confidence)).py()?)
}

#[pyfunction]
fn stats_student_t(py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b, alt) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?, alt(alternative)?);
    result_df(&py.detach(|| stats::two_sample::student_t(&a, &b, alt, confidence)).py()?)
}

#[pyfunction]
fn stats_hedges_g(py: Python<'_>, a: PySeries, b: PySeries, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?);
    result_df(&py.detach(|| stats::two_sample::hedges_g(&a, &b, confidence)).py()?)
}

#[pyfunction]
fn stats_mann_whitney(
    py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, method: &str, use_continuity: bool,
) -> PyResult<PyDataFrame> {
    let (a, b, alt, m) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?, alt(alternative)?, opt(method)?);
    result_df(&py.detach(|| stats::two_sample::mann_whitney(&a, &b, alt, m, use_continuity)).py()?)
}

#[pyfunction]
#[pyo3(signature = (x, y, n_resamples, method, seed, confidence, clusters=None))]
#[allow(clippy::too_many_arguments)]
fn stats_bootstrap_pearson(
    py: Python<'_>, x: PySeries, y: PySeries, n_resamples: usize, method: &str, seed: u64, confidence: f64,
    clusters: Option<PySeries>,
) -> PyResult<PyDataFrame> {
    let (x, y, m) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, opt(method)?);
    let clusters = clusters.map(|c| group_codes(&c, "clusters")).transpose()?;
    result_df(
        &py.detach(|| {
            stats::resample::bootstrap_pearson(&x, &y, n_resamples, m, seed, confidence, clusters.as_deref())
        })
        .py()?,
    )
}

#[pyfunction]
fn stats_permutation_pearson(
    py: Python<'_>, x: PySeries, y: PySeries, n_resamples: usize, seed: u64, alternative: &str,
) -> PyResult<PyDataFrame> {
    let (x, y, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?);
    result_df(&py.detach(|| stats::resample::permutation_pearson(&x, &y, n_resamples, seed, a)).py()?)
}

#[pyfunction]
fn stats_proportion_ci(k: u64, n: u64, method: &str, confidence: f64) -> PyResult<PyDataFrame> {
    result_df(&stats::proportions::proportion_ci(k, n, opt(method)?, confidence).py()?)
}

#[pyfunction]
fn stats_binom_test(k: u64, n: u64, p: f64, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    result_df(&stats::proportions::binom_test(k, n, p, alt(alternative)?, confidence).py()?)
}

#[pyfunction]
fn stats_two_proportions(k1: u64, n1: u64, k2: u64, n2: u64, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    result_df(&stats::proportions::two_proportions(k1, n1, k2, n2, alt(alternative)?, confidence).py()?)
}

#[pyfunction]
fn stats_chi2_independence(table: Vec<Vec<f64>>, correction: bool) -> PyResult<PyDataFrame> {
    result_df(&stats::tables::chi2_independence(&table, correction).py()?)
}

#[pyfunction]
fn stats_fisher_exact(table: [[u64; 2]; 2], alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    result_df(&stats::tables::fisher_exact(table, alt(alternative)?, confidence).py()?)
}

#[pyfunction]
fn stats_adjust_pvalues(p: PySeries, method: &str) -> PyResult<PySeries> {
    // NaN p-values are kept in place (R's p.adjust with NA), so nulls become NaN here.
    let s = p.0.cast(&DataType::Float64).map_err(MiroirError::from)?;
    let values: Vec<f64> = s.f64().map_err(MiroirError::from)?.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let adjusted = stats::multiple::adjust_pvalues(&values, opt(method)?).py()?;
    Ok(PySeries(Series::new("p_adjusted".into(), adjusted)))
}

fn item_columns(items: &PyDataFrame) -> PyResult<Vec<Vec<f64>>> {
    items
        .0
        .columns()
        .iter()
        .map(|c| f64_vec(&PySeries(c.as_materialized_series().clone()), c.name().as_str()).map(|v| v.into_owned()))
        .collect()
}

#[pyfunction]
fn stats_cronbach_alpha(items: PyDataFrame, confidence: f64) -> PyResult<PyDataFrame> {
    let cols = item_columns(&items)?;
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    result_df(&stats::reliability::cronbach_alpha(&refs, confidence).py()?)
}

#[pyfunction]
fn stats_icc(values: PySeries, groups: PySeries) -> PyResult<PyDataFrame> {
    let (v, g) = (f64_vec(&values, "values")?, group_codes(&groups, "groups")?);
    result_df(&stats::reliability::icc(&v, &g).py()?)
}

/// Per-group agreement as a DataFrame with the original group labels.
fn agreement_df(groups: &PySeries, codes: &[usize], rows: Vec<stats::reliability::GroupAgreement>) -> PyResult<PyDataFrame> {
    // first row index of each code, to recover its label
    let mut first = vec![usize::MAX; codes.iter().max().map_or(0, |m| m + 1)];
    for (i, c) in codes.iter().enumerate() {
        if first[*c] == usize::MAX {
            first[*c] = i;
        }
    }
    let idx: Vec<IdxSize> = rows.iter().map(|r| first[r.group] as IdxSize).collect();
    let labels = groups.0.take(&IdxCa::from_vec("group".into(), idx)).map_err(MiroirError::from)?;
    let df = DataFrame::new_infer_height(vec![
        labels.with_name("group".into()).into_column(),
        Column::new("rwg".into(), rows.iter().map(|r| r.value).collect::<Vec<f64>>()),
        Column::new("group_size".into(), rows.iter().map(|r| r.size as u64).collect::<Vec<u64>>()),
    ])
    .map_err(MiroirError::from)?;
    Ok(PyDataFrame(df))
}

#[pyfunction]
fn stats_rwg(values: PySeries, groups: PySeries, scale_points: f64) -> PyResult<PyDataFrame> {
    let (v, g) = (f64_vec(&values, "values")?, group_codes(&groups, "groups")?);
    agreement_df(&groups, &g, stats::reliability::rwg(&v, &g, scale_points).py()?)
}

#[pyfunction]
fn stats_rwg_j(items: PyDataFrame, groups: PySeries, scale_points: f64) -> PyResult<PyDataFrame> {
    let cols = item_columns(&items)?;
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let g = group_codes(&groups, "groups")?;
    agreement_df(&groups, &g, stats::reliability::rwg_j(&refs, &g, scale_points).py()?)
}

#[pyfunction]
fn stats_meta_correlations(r: PySeries, n: PySeries, method: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (r, n) = (f64_vec(&r, "r")?, f64_vec(&n, "n")?);
    result_df(&stats::meta::meta_correlations(&r, &n, opt(method)?, confidence).py()?)
}

#[pyfunction]
fn stats_meta_random(yi: PySeries, vi: PySeries, method: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (y, v) = (f64_vec(&yi, "yi")?, f64_vec(&vi, "vi")?);
    result_df(&stats::meta::meta_random(&y, &v, opt(method)?, confidence).py()?)
}

#[pyfunction]
#[pyo3(signature = (y, x, intercept, confidence, cluster=None))]
fn stats_ols(
    py: Python<'_>, y: PySeries, x: PyDataFrame, intercept: bool, confidence: f64, cluster: Option<PySeries>,
) -> PyResult<PyDataFrame> {
    let yv = f64_vec(&y, "y")?;
    let names: Vec<String> = x.0.get_column_names().iter().map(|s| s.to_string()).collect();
    let cols = item_columns(&x)?;
    let cl = cluster.map(|c| group_codes(&c, "cluster")).transpose()?;
    let fit = py
        .detach(|| {
            let design: Vec<(&str, &[f64])> = names.iter().map(String::as_str).zip(cols.iter().map(Vec::as_slice)).collect();
            stats::regression::ols(&yv, &design, intercept, cl.as_deref(), confidence)
        })
        .py()?;
    Ok(PyDataFrame(super::convert::ols_df(&fit).map_err(MiroirError::from)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),*) => {$( m.add_function(wrap_pyfunction!($f, m)?)?; )*};
    }
    add!(
        stats_pearson, stats_spearman, stats_kendall, stats_weighted_pearson, stats_welch_t,
        stats_student_t, stats_hedges_g, stats_mann_whitney, stats_bootstrap_pearson,
        stats_permutation_pearson, stats_proportion_ci, stats_binom_test, stats_two_proportions,
        stats_chi2_independence, stats_fisher_exact, stats_adjust_pvalues, stats_cronbach_alpha,
        stats_icc, stats_rwg, stats_rwg_j, stats_meta_correlations, stats_meta_random, stats_ols
    );
    Ok(())
}
