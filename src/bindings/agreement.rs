//! `miroir.stats.cohen_kappa`, `krippendorff_alpha` and `agreement`: conversion only (the Python
//! layer turns labels into dense codes); the formulas and their tests live in `stats::agreement`.

use super::convert::{f64_vec, result_df, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::stats::agreement::{self, AlphaLevel, KappaWeights};
use crate::tidy::agreement::label_agreement_frame;
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;
use std::str::FromStr;

/// Non-negative integer codes (any integer dtype, no nulls) as usize.
fn codes(s: &PySeries, argument: &str) -> PyResult<Vec<usize>> {
    let bad = |detail: String| -> PyErr { MiroirError::InvalidArgument { argument: argument.to_string(), detail }.into() };
    if s.0.null_count() > 0 {
        return Err(bad(format!("{} missing values", s.0.null_count())));
    }
    let cast = s.0.strict_cast(&DataType::UInt64).map_err(|_| bad(format!("expected category codes, got {}", s.0.dtype())))?;
    let ca = cast.u64().map_err(MiroirError::from)?;
    Ok(ca.into_no_null_iter().map(|v| v as usize).collect())
}

#[pyfunction]
fn stats_cohen_kappa(py: Python<'_>, a: PySeries, b: PySeries, n_categories: usize, weights: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b, w) = (codes(&a, "a")?, codes(&b, "b")?, KappaWeights::from_str(weights).py()?);
    result_df(&py.detach(|| agreement::cohen_kappa(&a, &b, n_categories, w, confidence)).py()?)
}

/// `coders`: one Float64 column per coder, one row per unit, NaN where the unit was not coded.
#[pyfunction]
fn stats_krippendorff_alpha(py: Python<'_>, coders: PyDataFrame, level: &str) -> PyResult<PyDataFrame> {
    let level = AlphaLevel::from_str(level).py()?;
    let series: Vec<PySeries> = coders.0.columns().iter().map(|c| PySeries(c.as_materialized_series().clone())).collect();
    let cols = series.iter().map(|s| f64_vec(s, "data")).collect::<PyResult<Vec<_>>>()?;
    let r = py.detach(|| {
        let rows: Vec<&[f64]> = cols.iter().map(|c| &c[..]).collect();
        agreement::krippendorff_alpha(&rows, level)
    });
    result_df(&r.py()?)
}

/// Per-label table (`label` from `labels`), then one `macro` and one `micro` row (`label` null,
/// `average` says which): [`crate::tidy::agreement::label_agreement_frame`].
#[pyfunction]
fn stats_agreement(
    py: Python<'_>,
    coded_items: PySeries,
    coded_labels: PySeries,
    reference_items: PySeries,
    reference_labels: PySeries,
    labels: Vec<String>,
) -> PyResult<PyDataFrame> {
    let pairs = |items: &PySeries, labels: &PySeries, argument: &str| -> PyResult<Vec<(usize, usize)>> {
        Ok(codes(items, argument)?.into_iter().zip(codes(labels, argument)?).collect())
    };
    let coded = pairs(&coded_items, &coded_labels, "coded")?;
    let reference = pairs(&reference_items, &reference_labels, "reference")?;
    let m = py.detach(|| agreement::multilabel_agreement(&coded, &reference, labels.len())).py()?;
    Ok(PyDataFrame(label_agreement_frame(&m, &labels)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stats_cohen_kappa, m)?)?;
    m.add_function(wrap_pyfunction!(stats_krippendorff_alpha, m)?)?;
    m.add_function(wrap_pyfunction!(stats_agreement, m)?)?;
    Ok(())
}
