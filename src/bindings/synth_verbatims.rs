//! `_core.synthetic_verbatims`: conversion only; the generator lives in `crate::synth::verbatims`.

use super::frame::PyDataFrame;
use crate::synth::verbatims::{self, Paraphrases, VerbatimParams, CODEBOOK_TOML};
use pyo3::prelude::*;

/// A `#[pyfunction]` whose leading arguments are the synthetic study's (`studies, employees,
/// customers, seed, wave`, each checked by its `arg` extractor), given to its body as one
/// [`SynthConfig`] named by the caller (`|cfg|`; macro hygiene hides the arguments' own names),
/// then `$arg: $ty` of its own. Written once for `synthetic_study` and the two verbatim
/// generators, whose pyo3 signatures (`#[pyo3(signature = ...)]`, in the attributes) keep
/// their defaults.
macro_rules! synth_fn {
    (
        $(#[$attr:meta])*
        fn $name:ident($py:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty, |$cfg:ident| $body:block
    ) => {
        #[pyfunction]
        $(#[$attr])*
        fn $name(
            $py: Python<'_>,
            #[pyo3(from_py_with = super::stats::arg::studies)] studies: usize,
            #[pyo3(from_py_with = super::stats::arg::employees)] employees: usize,
            #[pyo3(from_py_with = super::stats::arg::customers)] customers: usize,
            #[pyo3(from_py_with = super::stats::arg::seed)] seed: u64,
            wave: u32,
            $($arg: $ty,)*
        ) -> $ret {
            let $cfg = crate::synth::model::SynthConfig { studies, employees, customers, seed, wave };
            $body
        }
    };
}
pub(super) use synth_fn;

synth_fn! {
    /// The verbatims and truth tables of the synthetic study of the same arguments as
    /// `synthetic_study`; `paraphrases`: `"seen"`, `"unseen"` or `"all"`.
    #[pyo3(signature = (studies=20, employees=20_000, customers=100_000, seed=0, wave=0, paraphrases="seen"))]
    fn synthetic_verbatims(py, paraphrases: &str) -> PyResult<(PyDataFrame, PyDataFrame)>, |cfg| {
        let params = VerbatimParams { paraphrases: Paraphrases::parse(paraphrases)?, ..VerbatimParams::default() };
        let (v, truth) = super::stats::interruptible_owned(py, move || verbatims::synthetic_verbatims(&cfg, &params))??;
        Ok((PyDataFrame(v), PyDataFrame(truth)))
    }
}

synth_fn! {
    /// The synthetic study (as `synthetic_study`) with its verbatims and their truth, generated once.
    #[pyo3(signature = (studies=20, employees=20_000, customers=100_000, seed=0, wave=0))]
    fn synthetic_study_with_verbatims(py) -> PyResult<(super::data::PyStudy, PyDataFrame, PyDataFrame)>, |cfg| {
        let params = VerbatimParams::default();
        let (study, v, truth) =
            super::stats::interruptible_owned(py, move || crate::synth::synthetic_study_with_verbatims(&cfg, &params))??;
        Ok((super::data::PyStudy { inner: study }, PyDataFrame(v), PyDataFrame(truth)))
    }
}

/// The TOML text of the synthetic study's codebook.
#[pyfunction]
fn synthetic_codebook_toml() -> &'static str {
    CODEBOOK_TOML
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(synthetic_verbatims, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_codebook_toml, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_study_with_verbatims, m)?)?;
    Ok(())
}
