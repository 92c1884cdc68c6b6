//! polars Series and DataFrames across the Python boundary, through polars' C data interface
//! (`polars-ffi`): Python polars exports a Series into a `SeriesExport` we own, and imports one we
//! export. No copy of the data, no pickling.

use polars::prelude::*;
use polars_ffi::version_0::{export_series, import_series, SeriesExport};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyList;
use std::mem::ManuallyDrop;

/// A polars Series received from or sent to Python.
pub struct PySeries(pub Series);

/// A polars DataFrame received from or sent to Python.
pub struct PyDataFrame(pub DataFrame);

fn polars_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static POLARS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    Ok(POLARS.get_or_try_init(py, || py.import("polars").map(Bound::unbind))?.bind(py))
}

fn polars_error(e: PolarsError) -> PyErr {
    crate::MiroirError::from(e).into()
}

impl<'a, 'py> FromPyObject<'a, 'py> for PySeries {
    type Error = PyErr;

    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let mut export = SeriesExport::empty();
        // Python polars writes the Series' arrow arrays and schema into `export`.
        ob.getattr("_s")?.call_method1("_export", ((&raw mut export).addr(),))?;
        // SAFETY: `export` was just filled by polars' own exporter for this polars version.
        let series = unsafe { import_series(export) }.map_err(polars_error)?;
        Ok(PySeries(series))
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for PyDataFrame {
    type Error = PyErr;

    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let columns = ob
            .call_method0("get_columns")?
            .try_iter()?
            .map(|s| Ok(s?.extract::<PySeries>()?.0.into_column()))
            .collect::<PyResult<Vec<Column>>>()?;
        let df = DataFrame::new_infer_height(columns).map_err(polars_error)?;
        Ok(PyDataFrame(df))
    }
}

impl<'py> IntoPyObject<'py> for PySeries {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // Python polars takes ownership of the exported arrays (it calls their release callback).
        let export = ManuallyDrop::new(export_series(&self.0));
        let series = polars_module(py)?.getattr("Series")?;
        series.call_method1("_import", ((&raw const *export).addr(),))
    }
}

impl<'py> IntoPyObject<'py> for PyDataFrame {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let series = self
            .0
            .columns()
            .iter()
            .map(|c| PySeries(c.as_materialized_series().clone()).into_pyobject(py))
            .collect::<PyResult<Vec<_>>>()?;
        polars_module(py)?.getattr("DataFrame")?.call1((PyList::new(py, series)?,))
    }
}
