//! `miroir.text`: a compiled [`Codebook`] as `_core.Codebook`, and `text_code`, which codes a
//! column of verbatims without the GIL. Conversion only; the matching lives in `crate::text`.

use super::frame::{PyDataFrame, PySeries};
use crate::text::{Codebook, Coder, Language, Match};
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;
use rayon::prelude::*;
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

/// One row per match: `row` (index of the verbatim), `theme_id`, `theme`, `theme_valence`,
/// `rule`, `span_start`, `span_end`, `negated`, `language`, `skipped`.
#[pyfunction]
#[pyo3(signature = (codebook, texts, languages = None))]
fn text_code(py: Python<'_>, codebook: &PyCodebook, texts: PySeries, languages: Option<PySeries>) -> PyResult<PyDataFrame> {
    let langs = language_column(languages.as_ref(), texts.0.len(), "language")?;
    let cast = texts.0.cast(&DataType::String).map_err(MiroirError::from)?;
    let ca = cast.str().map_err(MiroirError::from)?;
    let values: Vec<Option<&str>> = ca.iter().collect();
    let coder = &codebook.coder;
    let matches: Vec<Match> = py.detach(|| {
        values
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, t)| match t {
                Some(t) => coder.code_one(i, t, langs[i]),
                None => Vec::new(),
            })
            .collect()
    });
    let themes = &codebook.book.themes;
    let df = DataFrame::new_infer_height(vec![
        Column::new("row".into(), matches.iter().map(|m| m.row as u64).collect::<Vec<u64>>()),
        Column::new("theme_id".into(), matches.iter().map(|m| themes[m.theme].id.as_str()).collect::<Vec<&str>>()),
        Column::new("theme".into(), matches.iter().map(|m| themes[m.theme].label.as_str()).collect::<Vec<&str>>()),
        Column::new(
            "theme_valence".into(),
            matches.iter().map(|m| themes[m.theme].valence.map(|v| v.as_str())).collect::<Vec<Option<&str>>>(),
        ),
        Column::new("rule".into(), matches.iter().map(|m| m.rule.as_str()).collect::<Vec<&str>>()),
        Column::new("span_start".into(), matches.iter().map(|m| m.span_start as u64).collect::<Vec<u64>>()),
        Column::new("span_end".into(), matches.iter().map(|m| m.span_end as u64).collect::<Vec<u64>>()),
        Column::new("negated".into(), matches.iter().map(|m| m.negated).collect::<Vec<bool>>()),
        Column::new("language".into(), matches.iter().map(|m| m.language.as_str()).collect::<Vec<&str>>()),
        Column::new("skipped".into(), matches.iter().map(|m| m.skipped).collect::<Vec<bool>>()),
    ])
    .map_err(MiroirError::from)?;
    Ok(PyDataFrame(df))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCodebook>()?;
    m.add_function(wrap_pyfunction!(text_code, m)?)?;
    Ok(())
}
