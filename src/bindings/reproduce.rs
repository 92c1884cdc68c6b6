//! Reproduce published figures from a TOML spec.

use super::data::PyStudy;
use super::frame::PyDataFrame;
use super::stats::interruptible;
use crate::reproduce;
use pyo3::prelude::*;
use std::path::{Path, PathBuf};

/// Parses the spec `text` (`path` names it in messages; relative data paths resolve against
/// `base_dir`), recomputes its indicators on `study` (or on the spec's data, read from
/// `data_dir` when given) and returns `(title, table)`. Interruptible (Ctrl-C).
#[pyfunction]
#[pyo3(signature = (text, path, base_dir, study=None, data_dir=None))]
fn reproduce_spec(
    py: Python<'_>, text: &str, path: &str, base_dir: PathBuf, study: Option<&PyStudy>, data_dir: Option<PathBuf>,
) -> PyResult<(Option<String>, PyDataFrame)> {
    let spec = reproduce::parse_spec(text, path, base_dir)?;
    // the spec's linkage figures run the uplift bootstrap: Ctrl-C must stop it
    let df = interruptible(py, || {
        reproduce::reproduce(&spec, study.map(|s| &s.inner), data_dir.as_deref().map(Path::new))
    })??;
    Ok((spec.title.clone(), PyDataFrame(df)))
}

/// The statistic names a spec may use.
#[pyfunction]
fn reproduce_statistics() -> Vec<&'static str> {
    reproduce::spec::statistic_names()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(reproduce_spec, m)?)?;
    m.add_function(wrap_pyfunction!(reproduce_statistics, m)?)?;
    Ok(())
}
