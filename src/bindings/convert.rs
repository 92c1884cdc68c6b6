//! Conversions between Python objects and the core's types. Nothing statistical happens here.

use crate::stats::TestResult;
use crate::MiroirError;
use polars::prelude::*;
use std::borrow::Cow;
use pyo3::prelude::*;
use super::frame::{PyDataFrame, PySeries};

/// A numeric polars Series (the Python layer turns lists / numpy / pandas into one) as f64 values.
/// Nulls are refused with the argument's name: the kernel never guesses how to treat them.
///
/// A Float64 Series in one chunk (what `to_float_series` makes of a numpy array, zero-copy) is
/// borrowed, not copied: copying 1M values into a fresh Vec costs more than most kernels.
pub fn f64_vec<'a>(s: &'a PySeries, argument: &str) -> PyResult<Cow<'a, [f64]>> {
    let series = &s.0;
    if series.null_count() > 0 {
        return Err(MiroirError::InvalidArgument {
            argument: argument.to_string(),
            detail: format!("{} missing values (drop or impute them first)", series.null_count()),
        }
        .into());
    }
    if let Ok(slice) = series.f64().and_then(|ca| ca.cont_slice()) {
        return Ok(Cow::Borrowed(slice));
    }
    let cast = series.cast(&DataType::Float64).map_err(|_| MiroirError::InvalidArgument {
        argument: argument.to_string(),
        detail: format!("expected numbers, got {}", series.dtype()),
    })?;
    let ca = cast.f64().map_err(MiroirError::from)?;
    Ok(Cow::Owned(ca.into_no_null_iter().collect()))
}

/// Group labels of any dtype as dense codes 0..k in order of first appearance.
pub fn group_codes(s: &PySeries, argument: &str) -> PyResult<Vec<usize>> {
    let series = &s.0;
    if series.null_count() > 0 {
        return Err(MiroirError::InvalidArgument {
            argument: argument.to_string(),
            detail: format!("{} missing group labels", series.null_count()),
        }
        .into());
    }
    let as_str = series.cast(&DataType::String).map_err(MiroirError::from)?;
    let ca = as_str.str().map_err(MiroirError::from)?;
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(ca.len());
    for v in ca.iter().map(Option::unwrap_or_default) {
        let next = seen.len();
        out.push(*seen.entry(v).or_insert(next));
    }
    Ok(out)
}

/// A [`TestResult`] as a one-row DataFrame with the tidy columns, extras, then `note`.
pub fn result_df(r: &TestResult) -> PyResult<PyDataFrame> {
    results_df(std::slice::from_ref(r))
}

/// Several [`TestResult`]s with the same extra columns as one tidy DataFrame.
pub fn results_df(rs: &[TestResult]) -> PyResult<PyDataFrame> {
    let col = |name: &str, f: &dyn Fn(&TestResult) -> f64| -> Column {
        Column::new(name.into(), rs.iter().map(f).collect::<Vec<f64>>())
    };
    let mut cols = vec![
        col("estimate", &|r| r.estimate),
        col("statistic", &|r| r.statistic),
        col("df", &|r| r.df),
        col("p_value", &|r| r.p_value),
        col("ci_low", &|r| r.ci_low),
        col("ci_high", &|r| r.ci_high),
        Column::new("n".into(), rs.iter().map(|r| r.n).collect::<Vec<u64>>()),
        Column::new("method".into(), rs.iter().map(|r| r.method.as_str()).collect::<Vec<&str>>()),
        Column::new(
            "alternative".into(),
            rs.iter().map(|r| r.alternative.as_str()).collect::<Vec<&str>>(),
        ),
    ];
    if let Some(first) = rs.first() {
        for (i, (name, _)) in first.extra.iter().enumerate() {
            let values: Vec<f64> = rs.iter().map(|r| r.extra.get(i).map_or(f64::NAN, |e| e.1)).collect();
            cols.push(Column::new((*name).into(), values));
        }
    }
    cols.push(Column::new(
        "note".into(),
        rs.iter().map(|r| r.note.as_deref()).collect::<Vec<Option<&str>>>(),
    ));
    let df = DataFrame::new_infer_height(cols).map_err(MiroirError::from)?;
    Ok(PyDataFrame(df))
}

/// Converts a core error (kernel or crate) into the matching Python exception.
pub trait MapErr<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> MapErr<T> for std::result::Result<T, crate::stats::StatsError> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| MiroirError::Stats(e).into())
    }
}

/// An OLS fit as a tidy DataFrame: one row per term, fit statistics repeated as columns.
pub fn ols_df(fit: &crate::stats::regression::OlsFit) -> PolarsResult<DataFrame> {
    let t = &fit.terms;
    let k = t.len();
    let f = |g: &dyn Fn(&crate::stats::regression::OlsTerm) -> f64| t.iter().map(g).collect::<Vec<f64>>();
    DataFrame::new_infer_height(vec![
        Column::new("term".into(), t.iter().map(|x| x.term.as_str()).collect::<Vec<&str>>()),
        Column::new("estimate".into(), f(&|x| x.estimate)),
        Column::new("std_error".into(), f(&|x| x.std_error)),
        Column::new("statistic".into(), f(&|x| x.statistic)),
        Column::new("df".into(), f(&|x| x.df)),
        Column::new("p_value".into(), f(&|x| x.p_value)),
        Column::new("ci_low".into(), f(&|x| x.ci_low)),
        Column::new("ci_high".into(), f(&|x| x.ci_high)),
        Column::new("n".into(), vec![fit.n; k]),
        Column::new("method".into(), vec![fit.method.as_str(); k]),
        Column::new("r2".into(), vec![fit.r2; k]),
        Column::new("adj_r2".into(), vec![fit.adj_r2; k]),
        Column::new("sigma".into(), vec![fit.sigma; k]),
        Column::new("df_resid".into(), vec![fit.df_resid; k]),
        Column::new("n_clusters".into(), vec![fit.n_clusters.map(|g| g as u64); k]),
        Column::new("note".into(), vec![fit.note.as_deref(); k]),
    ])
}
