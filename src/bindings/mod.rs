//! The pyo3 layer (`miroir._core`): converts arguments, calls the core, converts results and
//! errors. A binding function is a few lines; anything longer belongs in the core.

mod agreement;
mod analysis;
mod convert;
mod data;
mod drivers;
mod errors;
mod frame;
mod mixed;
mod paired;
mod partial;
mod planning;
mod relimp;
mod reproduce;
mod stats;
mod synth_verbatims;
mod text;
mod text_model;
mod text_sentiment;

use pyo3::prelude::*;

#[pyfunction]
fn version() -> &'static str {
    crate::version()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    data::register(m)?;
    stats::register(m)?;
    agreement::register(m)?;
    text::register(m)?;
    text_sentiment::register(m)?;
    text_model::register(m)?;
    synth_verbatims::register(m)?;
    paired::register(m)?;
    relimp::register(m)?;
    mixed::register(m)?;
    planning::register(m)?;
    analysis::register(m)?;
    drivers::register(m)?;
    reproduce::register(m)?;
    partial::register(m)?;
    Ok(())
}
