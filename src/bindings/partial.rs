//! Bindings of the distributed report's steps (`miroir.distributed`): list a file's studies,
//! compute a part, merge two parts, finish the report. Parts cross processes as bytes.

use super::analysis::report_dict;
use super::data::PySchema;
use super::stats::{arg, interruptible};
use crate::analysis::ReportOptions;
use crate::data::Table;
use crate::partial::load::{file_studies, load_part, PartFile, PartFiles};
use crate::partial::report::ReportPart;
use crate::partial::{from_bytes, to_bytes};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict};

/// A file as Python hands it over: `(name, bytes or None, [(column, value), ...])`.
type FileArg = (String, Option<PyBackedBytes>, Vec<(String, String)>);

fn part_file((name, bytes, constants): FileArg) -> PartFile {
    PartFile { name, bytes: bytes.map(|b| b.to_vec()), constants }
}

/// The studies of one file and their row counts (`None`: rows without a study).
#[pyfunction]
#[pyo3(signature = (name, table, schema, data, constants))]
fn partial_file_studies(
    py: Python<'_>, name: String, table: &str, schema: &PySchema, data: Option<PyBackedBytes>, constants: Vec<(String, String)>,
) -> PyResult<Vec<(Option<String>, u64)>> {
    let table = Table::parse(table)?;
    let file = part_file((name, data, constants));
    Ok(interruptible(py, || file_studies(&file, table, &schema.inner))??)
}

/// The report part of `studies`, read from the files that hold them, as bytes.
#[pyfunction]
#[pyo3(signature = (employees, customers, mentions, studies, schema, n_resamples, seed))]
#[allow(clippy::too_many_arguments)]
fn partial_report<'py>(
    py: Python<'py>, employees: Vec<FileArg>, customers: Vec<FileArg>, mentions: Vec<FileArg>, studies: Vec<String>,
    schema: &PySchema, #[pyo3(from_py_with = arg::analysis_resamples)] n_resamples: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
) -> PyResult<Bound<'py, PyBytes>> {
    let files = PartFiles {
        employees: employees.into_iter().map(part_file).collect(),
        customers: customers.into_iter().map(part_file).collect(),
        mentions: mentions.into_iter().map(part_file).collect(),
    };
    let o = ReportOptions::with_resamples(n_resamples, seed);
    o.linkage.check()?;
    let bytes = interruptible(py, || -> crate::error::Result<Vec<u8>> {
        let study = load_part(&files, &studies, &schema.inner)?;
        to_bytes(&ReportPart::of(&study, &o)?)
    })??;
    Ok(PyBytes::new(py, &bytes))
}

/// Two report parts merged (the union of their studies), as bytes.
#[pyfunction]
fn merge_partials<'py>(py: Python<'py>, a: PyBackedBytes, b: PyBackedBytes) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = interruptible(py, || -> crate::error::Result<Vec<u8>> {
        let (a, b): (ReportPart, ReportPart) = (from_bytes(&a)?, from_bytes(&b)?);
        to_bytes(&a.merge(b)?)
    })??;
    Ok(PyBytes::new(py, &bytes))
}

/// The report of merged parts, as the dict `_core.report` returns.
#[pyfunction]
#[pyo3(signature = (part, n_resamples, seed))]
fn finish_report<'py>(
    py: Python<'py>, part: PyBackedBytes, #[pyo3(from_py_with = arg::analysis_resamples)] n_resamples: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let o = ReportOptions::with_resamples(n_resamples, seed);
    let r = interruptible(py, || -> crate::error::Result<_> { from_bytes::<ReportPart>(&part)?.finish(&o) })??;
    report_dict(py, r)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(partial_file_studies, m)?)?;
    m.add_function(wrap_pyfunction!(partial_report, m)?)?;
    m.add_function(wrap_pyfunction!(merge_partials, m)?)?;
    m.add_function(wrap_pyfunction!(finish_report, m)?)?;
    Ok(())
}
