//! `Schema` and the validated `Study` (the Python `miroir.Study` wraps this one).

use crate::data::{self, Schema, Study, StudyPaths, Table};
use pyo3::prelude::*;
use super::frame::PyDataFrame;
use std::collections::HashMap;
use std::path::PathBuf;

/// How a client's export maps onto miroir's data model, with scales and limits.
#[pyclass(name = "Schema", module = "miroir._core", frozen, from_py_object)]
#[derive(Clone)]
pub struct PySchema {
    pub inner: Schema,
}

/// The `Schema` arguments, each refused by name when it has the wrong type.
mod schema_arg {
    use crate::MiroirError;
    use pyo3::prelude::*;
    use std::collections::HashMap;

    fn refuse(name: &str, expected: &str, obj: &Bound<'_, PyAny>) -> PyErr {
        let got = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        MiroirError::InvalidArgument { argument: name.into(), detail: format!("expected {expected}, got {got}") }.into()
    }
    fn mapping(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<HashMap<String, String>>> {
        if obj.is_none() {
            return Ok(None);
        }
        obj.extract().map(Some).map_err(|_| refuse(name, "a dict of client column name -> canonical column name (text -> text)", obj))
    }
    fn pair(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<(f64, f64)> {
        if obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(refuse(name, "a pair of numbers (low, high)", obj));
        }
        obj.extract().map_err(|_| refuse(name, "a pair of numbers (low, high)", obj))
    }
    fn real(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<f64> {
        if obj.is_instance_of::<pyo3::types::PyBool>() || obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(refuse(name, "a number", obj));
        }
        obj.extract().map_err(|_| refuse(name, "a number", obj))
    }
    pub fn employees(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "employees")
    }
    pub fn customers(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "customers")
    }
    pub fn mentions(obj: &Bound<'_, PyAny>) -> PyResult<Option<HashMap<String, String>>> {
        mapping(obj, "mentions")
    }
    pub fn satisfaction_scale(obj: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
        pair(obj, "satisfaction_scale")
    }
    pub fn item_scale(obj: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
        pair(obj, "item_scale")
    }
    pub fn satisfied_threshold(obj: &Bound<'_, PyAny>) -> PyResult<f64> {
        real(obj, "satisfied_threshold")
    }
    pub fn engagement_items(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<String>>> {
        if obj.is_none() {
            return Ok(None);
        }
        if obj.is_instance_of::<pyo3::types::PyString>() {
            return Err(refuse("engagement_items", "a list of column names", obj));
        }
        obj.extract().map(Some).map_err(|_| refuse("engagement_items", "a list of column names", obj))
    }
}

#[pymethods]
impl PySchema {
    #[new]
    #[pyo3(signature = (
        *, employees=None, customers=None, mentions=None, satisfaction_scale=(0.0, 10.0),
        satisfied_threshold=7.0, engagement_items=None, item_scale=(1.0, 5.0),
        min_group_size=5, min_text_group_size=10
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        #[pyo3(from_py_with = schema_arg::employees)] employees: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::customers)] customers: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::mentions)] mentions: Option<HashMap<String, String>>,
        #[pyo3(from_py_with = schema_arg::satisfaction_scale)] satisfaction_scale: (f64, f64),
        #[pyo3(from_py_with = schema_arg::satisfied_threshold)] satisfied_threshold: f64,
        #[pyo3(from_py_with = schema_arg::engagement_items)] engagement_items: Option<Vec<String>>,
        #[pyo3(from_py_with = schema_arg::item_scale)] item_scale: (f64, f64),
        #[pyo3(from_py_with = super::stats::arg::min_group_size)] min_group_size: usize,
        #[pyo3(from_py_with = super::stats::arg::min_text_group_size)] min_text_group_size: usize,
    ) -> PyResult<Self> {
        let mut b = Schema::builder();
        for (table, map) in [(Table::Employees, employees), (Table::Customers, customers), (Table::Mentions, mentions)] {
            let mut pairs: Vec<(String, String)> = map.unwrap_or_default().into_iter().collect();
            pairs.sort();
            for (source, target) in pairs {
                b = b.map_column(table, &source, &target);
            }
        }
        b = b
            .satisfaction_scale(satisfaction_scale.0, satisfaction_scale.1)
            .satisfied_threshold(satisfied_threshold)
            .min_group_size(min_group_size)
            .min_text_group_size(min_text_group_size);
        if let Some(items) = engagement_items {
            b = b.engagement_items(items, item_scale.0, item_scale.1);
        }
        Ok(PySchema { inner: b.build()? })
    }

    /// Client column -> canonical column, per table.
    #[getter]
    fn columns(&self) -> HashMap<String, HashMap<String, String>> {
        Table::ALL
            .iter()
            .map(|t| {
                let m = self.inner.rename(*t).map(|(a, b)| (a.to_string(), b.to_string())).collect();
                (t.as_str().to_string(), m)
            })
            .collect()
    }
    #[getter]
    fn satisfaction_scale(&self) -> (f64, f64) {
        self.inner.satisfaction_scale()
    }
    #[getter]
    fn satisfied_threshold(&self) -> f64 {
        self.inner.satisfied_threshold()
    }
    #[getter]
    fn engagement_items(&self) -> Option<Vec<String>> {
        self.inner.engagement_items().map(|i| i.columns.clone())
    }
    #[getter]
    fn item_scale(&self) -> Option<(f64, f64)> {
        self.inner.engagement_items().map(|i| i.scale)
    }
    #[getter]
    fn min_group_size(&self) -> usize {
        self.inner.min_group_size()
    }
    #[getter]
    fn min_text_group_size(&self) -> usize {
        self.inner.min_text_group_size()
    }

    fn __repr__(&self) -> String {
        format!(
            "Schema(satisfaction_scale={:?}, satisfied_threshold={}, engagement_items={:?}, \
             min_group_size={}, min_text_group_size={}, columns={:?})",
            self.inner.satisfaction_scale(),
            self.inner.satisfied_threshold(),
            self.engagement_items(),
            self.inner.min_group_size(),
            self.inner.min_text_group_size(),
            Table::ALL
                .iter()
                .map(|t| (t.as_str(), self.inner.rename(*t).collect::<Vec<_>>()))
                .filter(|(_, m)| !m.is_empty())
                .collect::<Vec<_>>()
        )
    }
}

/// A validated mirror study (the core object behind `miroir.Study`).
#[pyclass(name = "Study", module = "miroir._core", frozen)]
pub struct PyStudy {
    pub inner: Study,
}

#[pymethods]
impl PyStudy {
    #[new]
    #[pyo3(signature = (employees, customers, mentions=None, schema=None))]
    fn new(
        py: Python<'_>,
        employees: PyDataFrame,
        customers: PyDataFrame,
        mentions: Option<PyDataFrame>,
        schema: Option<PySchema>,
    ) -> PyResult<Self> {
        let schema = schema.map(|s| s.inner).unwrap_or_default();
        let inner = py.detach(|| Study::new(employees.0, customers.0, mentions.map(|m| m.0), schema))?;
        Ok(PyStudy { inner })
    }

    #[getter]
    fn employees(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        Ok(PyDataFrame(py.detach(|| self.inner.employees().cloned())?))
    }
    /// Whether the customers were validated by a streaming scan (not held in memory).
    #[getter]
    fn streamed(&self) -> bool {
        self.inner.is_scanned()
    }
    #[getter]
    fn customers(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        Ok(PyDataFrame(py.detach(|| self.inner.customers().cloned())?))
    }
    #[getter]
    fn mentions(&self, py: Python<'_>) -> PyResult<Option<PyDataFrame>> {
        Ok(py.detach(|| self.inner.mentions().map(|m| m.cloned()))?.map(PyDataFrame))
    }
    #[getter]
    fn schema(&self) -> PySchema {
        PySchema { inner: self.inner.schema().clone() }
    }
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }
    fn summary(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        Ok(PyDataFrame(py.detach(|| self.inner.summary())?))
    }
}

/// Reads and validates a study from files (`streaming`: None = auto, see `data::Streaming`).
#[pyfunction]
#[pyo3(signature = (employees, customers, mentions=None, schema=None, streaming=None, batch_rows=None))]
fn load_study(
    py: Python<'_>,
    employees: PathBuf,
    customers: PathBuf,
    mentions: Option<PathBuf>,
    schema: Option<PySchema>,
    streaming: Option<bool>,
    #[pyo3(from_py_with = super::stats::arg::batch_rows)] batch_rows: Option<usize>,
) -> PyResult<PyStudy> {
    let schema = schema.map(|s| s.inner).unwrap_or_default();
    let paths = StudyPaths { employees, customers, mentions };
    let mut o = data::LoadOptions::default();
    o.streaming = match streaming {
        None => data::Streaming::Auto,
        Some(true) => data::Streaming::Always,
        Some(false) => data::Streaming::Never,
    };
    if let Some(b) = batch_rows {
        o.batch_rows = b;
    }
    let inner = super::stats::interruptible_owned(py, move || data::load_study_with(&paths, schema, &o))??;
    Ok(PyStudy { inner })
}

/// `employees.*`, `customers.*`, `mentions.*` (optional) in a folder, as paths.
#[pyfunction]
fn study_paths(dir: PathBuf) -> PyResult<(PathBuf, PathBuf, Option<PathBuf>)> {
    let p = StudyPaths::from_dir(&dir)?;
    Ok((p.employees, p.customers, p.mentions))
}

/// Reads one table (CSV or Parquet) without validating it.
#[pyfunction]
fn read_table(py: Python<'_>, path: PathBuf) -> PyResult<PyDataFrame> {
    Ok(PyDataFrame(py.detach(|| data::read_table(&path))?))
}

/// Generates and validates the synthetic mirror study.
#[pyfunction]
#[pyo3(signature = (studies=20, employees=20_000, customers=100_000, seed=0))]
fn synthetic_study(
    py: Python<'_>,
    #[pyo3(from_py_with = super::stats::arg::studies)] studies: usize,
    #[pyo3(from_py_with = super::stats::arg::employees)] employees: usize,
    #[pyo3(from_py_with = super::stats::arg::customers)] customers: usize,
    #[pyo3(from_py_with = super::stats::arg::seed)] seed: u64,
) -> PyResult<PyStudy> {
    let cfg = crate::synth::model::SynthConfig { studies, employees, customers, seed };
    let inner = super::stats::interruptible_owned(py, move || crate::synth::synthetic_study(&cfg))??;
    Ok(PyStudy { inner })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySchema>()?;
    m.add_class::<PyStudy>()?;
    m.add_function(wrap_pyfunction!(load_study, m)?)?;
    m.add_function(wrap_pyfunction!(study_paths, m)?)?;
    m.add_function(wrap_pyfunction!(read_table, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_study, m)?)?;
    Ok(())
}
