//! `miroir.text.Classifier`, `suggest_themes`: conversion only; the models live in
//! `crate::text::{tfidf, classifier, cluster}`.

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
