//! `_core.synthetic_verbatims`: conversion only; the generator lives in `crate::synth::verbatims`.

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
