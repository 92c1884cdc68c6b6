//! Lexicon valence of a text, per clause (issue 14, part 2).
//! `miroir.text.sentiment`: conversion only; the scoring lives in `crate::text::sentiment`.

use super::frame::{PyDataFrame, PySeries};
use super::text::language_column;
use crate::text::sentiment::{self, Thresholds};
use crate::text::Language;
use crate::tidy::text::{clauses_frame, sentiment_frame};
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;

fn invalid(argument: &str, detail: String) -> PyErr {
    MiroirError::InvalidArgument { argument: argument.into(), detail }.into()
}

/// The texts as a string column (null and string dtypes only).
fn text_column(texts: &PySeries) -> PyResult<StringChunked> {
    if !matches!(texts.0.dtype(), DataType::String | DataType::Null) {
        return Err(invalid("texts", format!("expected text, got a column of {}", texts.0.dtype())));
    }
    let cast = texts.0.cast(&DataType::String).map_err(MiroirError::from)?;
    Ok(cast.str().map_err(MiroirError::from)?.clone())
}

/// The texts (`text_column`), their languages (null or absent: detected) and the neutral band,
/// checked in that order; `table` builds the result from them without the GIL.
fn on_texts(
    py: Python<'_>,
    texts: &PySeries,
    languages: Option<&PySeries>,
    threshold: Option<f64>,
    table: impl FnOnce(&[Option<&str>], &[Option<Language>], &Thresholds) -> crate::Result<DataFrame> + Send,
) -> PyResult<PyDataFrame> {
    let thresholds = Thresholds::new(threshold)?;
    let ca = text_column(texts)?;
    let values: Vec<Option<&str>> = ca.iter().collect();
    let langs = language_column(languages, values.len(), "language")?;
    Ok(PyDataFrame(py.detach(|| table(&values, &langs, &thresholds))?))
}

/// One row per text: `score`, `valence`, `positive`, `negative`, `neutral` (VADER's shares,
/// English only), `language`, `skipped` (why a text has no score, else null); see
/// [`crate::tidy::text::sentiment_frame`].
#[pyfunction]
#[pyo3(signature = (texts, languages = None, threshold = None))]
fn text_sentiment(py: Python<'_>, texts: PySeries, languages: Option<PySeries>, threshold: Option<f64>) -> PyResult<PyDataFrame> {
    on_texts(py, &texts, languages.as_ref(), threshold, |values, langs, thresholds| {
        sentiment_frame(&sentiment::score_texts(values, langs), thresholds)
    })
}

/// One row per clause: `row`, `clause`, `span_start`, `span_end`, `text`, `score`, `valence`,
/// `language`; skipped texts have none (see [`crate::tidy::text::clauses_frame`]).
#[pyfunction]
#[pyo3(signature = (texts, languages = None, threshold = None))]
fn text_clauses(py: Python<'_>, texts: PySeries, languages: Option<PySeries>, threshold: Option<f64>) -> PyResult<PyDataFrame> {
    on_texts(py, &texts, languages.as_ref(), threshold, |values, langs, thresholds| {
        clauses_frame(values, &sentiment::clauses_of_texts(values, langs), thresholds)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(text_sentiment, m)?)?;
    m.add_function(wrap_pyfunction!(text_clauses, m)?)?;
    Ok(())
}
