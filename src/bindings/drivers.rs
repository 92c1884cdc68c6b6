//! `miroir.drivers`: options in, the drivers table out.

use super::data::PyStudy;
use super::frame::PyDataFrame;
use super::stats::{arg, interruptible};
use crate::analysis::drivers::{drivers as run, DriverOptions, SEED_DRIVERS};
use pyo3::prelude::*;
use std::str::FromStr;

#[pyfunction]
// no defaults here: the Python layer passes every option (`analysis_defaults()["drivers"]`)
#[pyo3(signature = (study, outcome, drivers, controls, level, adjust_for_study, n_resamples, seed, confidence))]
#[allow(clippy::too_many_arguments)]
fn drivers(
    py: Python<'_>, study: &PyStudy, outcome: &str, drivers: Option<Vec<String>>, controls: Vec<String>,
    level: Option<&str>, adjust_for_study: bool,
    #[pyo3(from_py_with = arg::analysis_resamples)] n_resamples: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64, confidence: f64,
) -> PyResult<PyDataFrame> {
    let o = DriverOptions {
        outcome: FromStr::from_str(outcome)?,
        drivers,
        controls,
        level: level.map(FromStr::from_str).transpose()?,
        adjust_for_study,
        n_resamples,
        seed,
        confidence,
    };
    o.check()?;
    Ok(PyDataFrame(interruptible(py, || run(&study.inner, &o))??))
}

/// The seeds' drivers: `(column, label_en, label_fr, seed)`.
#[pyfunction]
fn seed_drivers() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    SEED_DRIVERS.iter().map(|d| (d.column, d.label_en, d.label_fr, d.seed)).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(drivers, m)?)?;
    m.add_function(wrap_pyfunction!(seed_drivers, m)?)?;
    Ok(())
}
