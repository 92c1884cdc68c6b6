//! `miroir.text`: a compiled [`Codebook`] as `_core.Codebook`, and `text_code`, which codes a
//! column of verbatims without the GIL. Conversion only; the matching lives in `crate::text`.

use super::frame::{PyDataFrame, PySeries};
use crate::text::sentiment::Thresholds;
use crate::text::{code_texts, Codebook, Coder, Language};
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;
use std::str::FromStr;

#[pyclass(name = "Codebook", module = "miroir._core", frozen)]
pub struct PyCodebook {
    book: Codebook,
    coder: Coder,
}

#[pymethods]
impl PyCodebook {
    /// Parses a TOML codebook; `path` names it in error messages.
    #[staticmethod]
    #[pyo3(signature = (text, path = "<codebook>"))]
    fn from_toml(text: &str, path: &str) -> PyResult<PyCodebook> {
        let book = Codebook::from_toml(text, path)?;
        let coder = Coder::new(&book);
        Ok(PyCodebook { book, coder })
    }
    /// Where the codebook came from.
    #[getter]
    fn source(&self) -> &str {
        &self.book.source
    }
    /// `(id, label, valence or None)` per theme, in codebook order.
    #[getter]
    fn themes(&self) -> Vec<(String, String, Option<&'static str>)> {
        self.book.themes.iter().map(|t| (t.id.clone(), t.label.clone(), t.valence.map(|v| v.as_str()))).collect()
    }
    /// `(theme id, language, pattern, exclude, line)` per pattern.
    #[getter]
    fn patterns(&self) -> Vec<(String, &'static str, String, bool, usize)> {
        self.book
            .themes
            .iter()
            .flat_map(|t| t.patterns.iter().map(move |p| (t.id.clone(), p.language.as_str(), p.text.clone(), p.exclude, p.line)))
            .collect()
    }
    fn __len__(&self) -> usize {
        self.book.themes.len()
    }
}

/// One language per text for the text functions of `_core` (null or blank: detected); a value
/// other than fr / en, or a column of another length than the `n` texts, is an invalid
/// `argument` naming its row.
pub(super) fn language_column(s: Option<&PySeries>, n: usize, argument: &str) -> PyResult<Vec<Option<Language>>> {
    let invalid = |detail: String| -> PyErr { MiroirError::InvalidArgument { argument: argument.into(), detail }.into() };
    let Some(s) = s else { return Ok(vec![None; n]) };
    if s.0.len() != n {
        return Err(invalid(format!("{} languages for {n} texts", s.0.len())));
    }
    let cast = s.0.cast(&DataType::String).map_err(MiroirError::from)?;
    let ca = cast.str().map_err(MiroirError::from)?;
    ca.iter()
        .enumerate()
        .map(|(i, v)| match v {
            Some(v) if !v.trim().is_empty() => Language::from_str(v).map(Some).map_err(|d| invalid(format!("row {i}: {d}"))),
            _ => Ok(None),
        })
        .collect()
}

/// Codes a column of verbatims (see `crate::text::code_texts`); `text_valence`: per verbatim,
/// whether its mentions take their valence from the text (null or absent: no). Returns the
/// mentions, one row per (verbatim, theme), and the skipped matches (negated themes with a
/// valence): the tables of [`crate::tidy::text::coded_frames`].
#[pyfunction]
#[pyo3(signature = (codebook, texts, languages = None, text_valence = None, threshold = None))]
fn text_code(
    py: Python<'_>,
    codebook: &PyCodebook,
    texts: PySeries,
    languages: Option<PySeries>,
    text_valence: Option<PySeries>,
    threshold: Option<f64>,
) -> PyResult<(PyDataFrame, PyDataFrame)> {
    let n = texts.0.len();
    let thresholds = Thresholds::new(threshold)?;
    let langs = language_column(languages.as_ref(), n, "language")?;
    let from_text: Vec<bool> = match &text_valence {
        None => vec![false; n],
        Some(s) if s.0.len() != n => {
            return Err(MiroirError::InvalidArgument {
                argument: "text_valence".into(),
                detail: format!("{} flags for {n} texts", s.0.len()),
            }
            .into())
        }
        Some(s) => s.0.bool().map_err(MiroirError::from)?.iter().map(|b| b.unwrap_or(false)).collect(),
    };
    let cast = texts.0.cast(&DataType::String).map_err(MiroirError::from)?;
    let ca = cast.str().map_err(MiroirError::from)?;
    let values: Vec<Option<&str>> = ca.iter().collect();
    let coded = py.detach(|| code_texts(&codebook.coder, &values, &langs, &from_text, &thresholds));
    let (mentions, skipped) = crate::tidy::text::coded_frames(&codebook.book.themes, &coded)?;
    Ok((PyDataFrame(mentions), PyDataFrame(skipped)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCodebook>()?;
    m.add_function(wrap_pyfunction!(text_code, m)?)?;
    Ok(())
}
