//! `miroir.text.sentiment`: conversion only; the scoring lives in `crate::text::sentiment`.

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
