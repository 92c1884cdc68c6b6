//! `miroir.text`: a compiled [`Codebook`] as `_core.Codebook`, and `text_code`, which codes a
//! column of verbatims without the GIL. Conversion only; the matching lives in `crate::text`.

use super::frame::{PyDataFrame, PySeries};
use crate::text::sentiment::Thresholds;
use crate::text::{code_texts, Codebook, Coder, Language, Match, Theme};
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

/// The columns of matches (or of mentions' first matches): `row` (index of the verbatim),
/// `theme_id`, `theme`, `theme_valence`, `rule`, `span_start`, `span_end`, `negated`,
/// `language`.
fn match_columns<'a>(themes: &[Theme], matches: impl Iterator<Item = &'a Match> + Clone) -> Vec<Column> {
    let col = |name: &str, values: Series| values.with_name(name.into()).into_column();
    vec![
        col("row", matches.clone().map(|m| m.row as u64).collect()),
        col("theme_id", matches.clone().map(|m| themes[m.theme].id.as_str()).collect()),
        col("theme", matches.clone().map(|m| themes[m.theme].label.as_str()).collect()),
        col("theme_valence", matches.clone().map(|m| themes[m.theme].valence.map(|v| v.as_str())).collect()),
        col("rule", matches.clone().map(|m| &*m.rule).collect()),
        col("span_start", matches.clone().map(|m| m.span_start as u64).collect()),
        col("span_end", matches.clone().map(|m| m.span_end as u64).collect()),
        col("negated", matches.clone().map(|m| m.negated).collect()),
        col("language", matches.map(|m| m.language.as_str()).collect()),
    ]
}

/// Codes a column of verbatims (see `crate::text::code_texts`); `text_valence`: per verbatim,
/// whether its mentions take their valence from the text (null or absent: no). Returns the
/// mentions, one row per (verbatim, theme): the columns of its first match (`match_columns`),
/// `matches`, and the lexicon `score` and `valence` of its span (null where not asked or for a
/// text the scorer skips); and the skipped matches (negated themes with a valence), with the
/// match columns.
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
    let themes = &codebook.book.themes;
    let m = &coded.mentions;
    let mut columns = match_columns(themes, m.iter().map(|x| &x.first));
    columns.push(Column::new("matches".into(), m.iter().map(|x| x.matches as u32).collect::<Vec<u32>>()));
    columns.push(Column::new("score".into(), m.iter().map(|x| x.valence.map(|v| v.score)).collect::<Vec<Option<f64>>>()));
    columns.push(Column::new(
        "valence".into(),
        m.iter().map(|x| x.valence.map(|v| v.polarity.as_str())).collect::<Vec<Option<&str>>>(),
    ));
    let mentions = DataFrame::new_infer_height(columns).map_err(MiroirError::from)?;
    let skipped = DataFrame::new_infer_height(match_columns(themes, coded.skipped.iter())).map_err(MiroirError::from)?;
    Ok((PyDataFrame(mentions), PyDataFrame(skipped)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCodebook>()?;
    m.add_function(wrap_pyfunction!(text_code, m)?)?;
    Ok(())
}
