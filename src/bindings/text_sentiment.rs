//! Lexicon valence of a text, per clause (issue 14, part 2).
//! `miroir.text.sentiment`: conversion only; the scoring lives in `crate::text::sentiment`.

use super::frame::{PyDataFrame, PySeries};
use super::text::language_column;
use crate::text::sentiment::{self, Skip, TextSentiment, Thresholds};
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

/// One row per text: `score`, `valence`, `positive`, `negative`, `neutral` (VADER's shares,
/// English only), `language`, `skipped` (why a text has no score, else null).
#[pyfunction]
#[pyo3(signature = (texts, languages = None, threshold = None))]
fn text_sentiment(
    py: Python<'_>,
    texts: PySeries,
    languages: Option<PySeries>,
    threshold: Option<f64>,
) -> PyResult<PyDataFrame> {
    let thresholds = Thresholds::new(threshold)?;
    let ca = text_column(&texts)?;
    let values: Vec<Option<&str>> = ca.iter().collect();
    let langs = language_column(languages.as_ref(), values.len(), "language")?;
    let out: Vec<TextSentiment> = py.detach(|| sentiment::score_texts(&values, &langs));
    let ok = |t: &TextSentiment| t.outcome.as_ref().ok().copied();
    let share = |t: &TextSentiment, f: fn(&sentiment::Shares) -> f64| ok(t).and_then(|s| s.shares).map(|s| f(&s));
    let df = DataFrame::new_infer_height(vec![
        Column::new("score".into(), out.iter().map(|t| ok(t).map(|s| s.score)).collect::<Vec<Option<f64>>>()),
        Column::new(
            "valence".into(),
            out.iter()
                .map(|t| Some(thresholds.polarity(ok(t)?.score, t.language?).as_str()))
                .collect::<Vec<Option<&str>>>(),
        ),
        Column::new("positive".into(), out.iter().map(|t| share(t, |s| s.positive)).collect::<Vec<Option<f64>>>()),
        Column::new("negative".into(), out.iter().map(|t| share(t, |s| s.negative)).collect::<Vec<Option<f64>>>()),
        Column::new("neutral".into(), out.iter().map(|t| share(t, |s| s.neutral)).collect::<Vec<Option<f64>>>()),
        Column::new("language".into(), out.iter().map(|t| t.language.map(|l| l.as_str())).collect::<Vec<Option<&str>>>()),
        Column::new(
            "skipped".into(),
            out.iter().map(|t| t.outcome.err().map(Skip::as_str)).collect::<Vec<Option<&str>>>(),
        ),
    ])
    .map_err(MiroirError::from)?;
    Ok(PyDataFrame(df))
}

/// One row per clause: `row`, `clause`, `span_start`, `span_end`, `text`, `score`, `valence`,
/// `language`; skipped texts have none.
#[pyfunction]
#[pyo3(signature = (texts, languages = None, threshold = None))]
fn text_clauses(
    py: Python<'_>,
    texts: PySeries,
    languages: Option<PySeries>,
    threshold: Option<f64>,
) -> PyResult<PyDataFrame> {
    let thresholds = Thresholds::new(threshold)?;
    let ca = text_column(&texts)?;
    let values: Vec<Option<&str>> = ca.iter().collect();
    let langs = language_column(languages.as_ref(), values.len(), "language")?;
    let (found, pieces): (Vec<_>, Vec<String>) = py.detach(|| {
        let found = sentiment::clauses_of_texts(&values, &langs);
        // each text's character offsets computed once (its clauses are consecutive)
        let mut at: (usize, Vec<usize>) = (usize::MAX, Vec::new());
        let pieces = found
            .iter()
            .map(|(row, _, c)| {
                let text = values[*row].unwrap_or_default();
                if at.0 != *row {
                    at = (*row, text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect());
                }
                text[at.1[c.clause.start]..at.1[c.clause.end]].to_string()
            })
            .collect();
        (found, pieces)
    });
    let df = DataFrame::new_infer_height(vec![
        Column::new("row".into(), found.iter().map(|f| f.0 as u64).collect::<Vec<u64>>()),
        Column::new("clause".into(), found.iter().map(|f| f.2.clause.index as u32).collect::<Vec<u32>>()),
        Column::new("span_start".into(), found.iter().map(|f| f.2.clause.start as u64).collect::<Vec<u64>>()),
        Column::new("span_end".into(), found.iter().map(|f| f.2.clause.end as u64).collect::<Vec<u64>>()),
        Column::new("text".into(), pieces),
        Column::new("score".into(), found.iter().map(|f| f.2.score.score).collect::<Vec<f64>>()),
        Column::new(
            "valence".into(),
            found.iter().map(|f| thresholds.polarity(f.2.score.score, f.1).as_str()).collect::<Vec<&str>>(),
        ),
        Column::new("language".into(), found.iter().map(|f| f.1.as_str()).collect::<Vec<&str>>()),
    ])
    .map_err(MiroirError::from)?;
    Ok(PyDataFrame(df))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(text_sentiment, m)?)?;
    m.add_function(wrap_pyfunction!(text_clauses, m)?)?;
    Ok(())
}
