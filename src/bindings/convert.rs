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

/// Group labels of any dtype as dense codes 0..k in order of first appearance
/// ([`crate::tidy::group_codes`]).
pub fn group_codes(s: &PySeries, argument: &str) -> PyResult<Vec<usize>> {
    Ok(crate::tidy::group_codes(&s.0, argument)?)
}

/// A [`TestResult`] as a one-row tidy DataFrame ([`crate::tidy::results_frame`]).
pub fn result_df(r: &TestResult) -> PyResult<PyDataFrame> {
    Ok(PyDataFrame(crate::tidy::results_frame(std::slice::from_ref(r))?))
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
