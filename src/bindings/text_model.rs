//! `miroir.text.Classifier`, `cross_validate`, `suggest_themes`: conversion only; the models live
//! in `crate::text::{tfidf, classifier, cluster}`. Long calls run without the GIL and stop on
//! Ctrl-C (`super::stats::interruptible`).

use super::frame::{PyDataFrame, PySeries};
use super::text::language_column;
use super::stats::{arg, int_arg, interruptible};
use crate::text::classifier::{cross_validate, stratified_folds, ClassifierParams, LabelSet, LogisticParams, Predictions, TextClassifier};
use crate::text::cluster::{suggest_themes, KMeansParams, ThemeParams};
use crate::text::tfidf::{analyze_lenient, DfBound, TermOptions, TfidfParams};
use crate::text::Language;
use crate::MiroirError;
use polars::prelude::*;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt};
use std::str::FromStr;

fn invalid(argument: &str, detail: String) -> PyErr {
    MiroirError::InvalidArgument { argument: argument.into(), detail }.into()
}

/// A column of texts as a String Series (text, categorical or all-null; numbers are refused).
fn text_series(s: &PySeries, argument: &str) -> PyResult<Series> {
    match s.0.dtype() {
        DataType::String | DataType::Null | DataType::Categorical(..) | DataType::Enum(..) => {
            Ok(s.0.cast(&DataType::String).map_err(MiroirError::from)?)
        }
        other => Err(invalid(argument, format!("expected text, got a column of {other}"))),
    }
}

fn str_values(s: &Series) -> PyResult<Vec<Option<&str>>> {
    Ok(s.str().map_err(MiroirError::from)?.iter().collect())
}

fn language_arg(language: Option<&str>) -> PyResult<Option<Language>> {
    language.map(|l| Language::from_str(l).map_err(|d| invalid("language", d))).transpose()
}

/// `min_df` / `max_df`: an int is a number of texts, a float a proportion (as scikit-learn).
fn df_bound(obj: &Bound<'_, PyAny>, argument: &str) -> PyResult<DfBound> {
    if obj.is_instance_of::<PyBool>() {
        return Err(invalid(argument, "expected an int (texts) or a float (proportion), got a bool".into()));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(DfBound::Count(int_arg(obj, argument, 0, i128::from(u64::MAX))? as u64));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(DfBound::Proportion(obj.extract::<f64>()?));
    }
    Err(invalid(argument, format!("expected an int (texts) or a float (proportion), got {}", obj.get_type().name()?)))
}

fn count(obj: &Bound<'_, PyAny>, argument: &str, lo: usize) -> PyResult<usize> {
    Ok(int_arg(obj, argument, lo as i128, u32::MAX as i128)? as usize)
}

#[allow(clippy::too_many_arguments)]
fn tfidf_params(
    ngram_range: (usize, usize),
    stop_words: bool,
    min_df: &Bound<'_, PyAny>,
    max_df: &Bound<'_, PyAny>,
    max_features: Option<&Bound<'_, PyAny>>,
    sublinear_tf: bool,
) -> PyResult<TfidfParams> {
    let max_features = match max_features {
        Some(m) if !m.is_none() => Some(count(m, "max_features", 1)?),
        _ => None,
    };
    Ok(TfidfParams {
        terms: TermOptions { ngram_range, stop_words },
        min_df: df_bound(min_df, "min_df")?,
        max_df: df_bound(max_df, "max_df")?,
        max_features,
        sublinear_tf,
    })
}

#[allow(clippy::too_many_arguments)]
fn classifier_params(
    language: Option<&str>,
    seed: u64,
    c: f64,
    tol: f64,
    max_iter: &Bound<'_, PyAny>,
    class_weight: Option<&str>,
    ngram_range: (usize, usize),
    min_df: &Bound<'_, PyAny>,
    max_df: &Bound<'_, PyAny>,
    max_features: Option<&Bound<'_, PyAny>>,
    sublinear_tf: bool,
) -> PyResult<ClassifierParams> {
    let balanced = match class_weight {
        None => false,
        Some("balanced") => true,
        Some(other) => return Err(invalid("class_weight", format!("expected None or 'balanced', got '{other}'"))),
    };
    let p = ClassifierParams {
        language: language_arg(language)?,
        seed,
        tfidf: tfidf_params(ngram_range, false, min_df, max_df, max_features, sublinear_tf)?,
        logistic: LogisticParams { c, tol, max_iter: count(max_iter, "max_iter", 1)? as u64, balanced, ..LogisticParams::default() },
    };
    p.check()?;
    Ok(p)
}

/// The labels of `n` texts (one label, or one list of themes, per text) and their languages,
/// checked.
fn labels_and_languages(labels: &PySeries, languages: Option<&PySeries>, n: usize) -> PyResult<(LabelSet, Vec<Option<Language>>)> {
    if labels.0.len() != n {
        return Err(invalid("labels", format!("{} labels for {n} texts (one label, or one list of themes, per text)", labels.0.len())));
    }
    Ok((label_set(labels)?, language_column(languages, n, "languages")?))
}

/// Labels: a column of text (one class per text) or of lists of text (themes per text).
fn label_set(labels: &PySeries) -> PyResult<LabelSet> {
    let s = &labels.0;
    if let DataType::List(_) = s.dtype() {
        let ca = s.list().map_err(MiroirError::from)?;
        let mut owned: Vec<Option<Series>> = Vec::with_capacity(ca.len());
        for i in 0..ca.len() {
            owned.push(ca.get_as_series(i).map(|x| x.cast(&DataType::String)).transpose().map_err(MiroirError::from)?);
        }
        let values: Vec<Option<Vec<Option<&str>>>> =
            owned.iter().map(|o| o.as_ref().map(|x| x.str().map(|c| c.iter().collect())).transpose()).collect::<PolarsResult<_>>().map_err(MiroirError::from)?;
        let nulls = crate::error::Rows::collect(
            values.iter().enumerate().filter(|(_, v)| v.as_ref().is_some_and(|l| l.iter().any(Option::is_none))).map(|(i, _)| i),
        );
        if !nulls.is_empty() {
            return Err(invalid("labels", format!("missing themes inside lists: {nulls}")));
        }
        let sets: Vec<Option<Vec<&str>>> = values.into_iter().map(|v| v.map(|l| l.into_iter().flatten().collect())).collect();
        return Ok(LabelSet::multi(&sets)?);
    }
    let cast = s.cast(&DataType::String).map_err(|_| invalid("labels", format!("expected labels as text or lists of text, got {}", s.dtype())))?;
    Ok(LabelSet::single(&str_values(&cast)?)?)
}

fn list_column(name: &str, rows: Vec<Option<Vec<String>>>) -> Column {
    let lists: Vec<Option<Series>> = rows.into_iter().map(|r| r.map(|v| Series::new("".into(), v))).collect();
    Series::new(name.into(), lists)
        .cast(&DataType::List(Box::new(DataType::String)))
        .expect("lists of text cast to list[str]")
        .into_column()
}

/// A fitted classifier (`miroir.text.Classifier` wraps it).
#[pyclass(name = "TextClassifier", module = "miroir._core", frozen)]
pub struct PyTextClassifier {
    inner: TextClassifier,
}

impl PyTextClassifier {
    fn proba(&self, py: Python<'_>, texts: &PySeries, languages: Option<&PySeries>) -> PyResult<(Vec<f64>, usize)> {
        let cast = text_series(texts, "texts")?;
        let values = str_values(&cast)?;
        let langs = language_column(languages, values.len(), "languages")?;
        let m = &self.inner;
        Ok((interruptible(py, || m.predict_proba(&values, &langs))??, values.len()))
    }

    fn labels_series(&self, name: &str, p: Predictions) -> Series {
        let names = &self.inner.labels;
        match p {
            Predictions::Single(v) => Series::new(name.into(), v.iter().map(|&c| names[c as usize].as_str()).collect::<Vec<&str>>()),
            Predictions::Multi(v) => list_column(
                name,
                v.into_iter().map(|s| Some(s.into_iter().map(|t| names[t as usize].clone()).collect())).collect(),
            )
            .take_materialized_series(),
        }
    }
}

#[pymethods]
impl PyTextClassifier {
    /// Fits a classifier on labelled texts (see `miroir.text.Classifier`).
    #[staticmethod]
    #[pyo3(signature = (texts, labels, *, languages, language, seed, c, tol, max_iter, class_weight, ngram_range, min_df, max_df, max_features, sublinear_tf))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        texts: PySeries,
        labels: PySeries,
        languages: Option<PySeries>,
        language: Option<&str>,
        #[pyo3(from_py_with = arg::seed)] seed: u64,
        c: f64,
        tol: f64,
        max_iter: &Bound<'_, PyAny>,
        class_weight: Option<&str>,
        ngram_range: (usize, usize),
        min_df: &Bound<'_, PyAny>,
        max_df: &Bound<'_, PyAny>,
        max_features: Option<&Bound<'_, PyAny>>,
        sublinear_tf: bool,
    ) -> PyResult<PyTextClassifier> {
        let params = classifier_params(language, seed, c, tol, max_iter, class_weight, ngram_range, min_df, max_df, max_features, sublinear_tf)?;
        let cast = text_series(&texts, "texts")?;
        let values = str_values(&cast)?;
        let (labels, langs) = labels_and_languages(&labels, languages.as_ref(), values.len())?;
        let inner = interruptible(py, || TextClassifier::fit(&values, &langs, &labels, &params))??;
        Ok(PyTextClassifier { inner })
    }

    /// Probabilities: one Float64 column per label.
    #[pyo3(signature = (texts, languages = None))]
    fn predict_proba(&self, py: Python<'_>, texts: PySeries, languages: Option<PySeries>) -> PyResult<PyDataFrame> {
        let (p, n) = self.proba(py, &texts, languages.as_ref())?;
        let l = self.inner.labels.len();
        let cols = (0..l)
            .map(|j| Column::new(self.inner.labels[j].as_str().into(), (0..n).map(|i| p[i * l + j]).collect::<Vec<f64>>()))
            .collect();
        Ok(PyDataFrame(DataFrame::new_infer_height(cols).map_err(MiroirError::from)?))
    }

    /// Predicted labels: a text column, or a column of lists of themes.
    #[pyo3(signature = (texts, languages = None))]
    fn predict(&self, py: Python<'_>, texts: PySeries, languages: Option<PySeries>) -> PyResult<PySeries> {
        let (p, _) = self.proba(py, &texts, languages.as_ref())?;
        Ok(PySeries(self.labels_series("label", self.inner.decide(&p))))
    }

    /// The `n` texts the model is least sure of: `row, label, confidence, margin`.
    #[pyo3(signature = (texts, n, languages = None))]
    fn uncertain(&self, py: Python<'_>, texts: PySeries, n: &Bound<'_, PyAny>, languages: Option<PySeries>) -> PyResult<PyDataFrame> {
        let n = count(n, "n", 0)?;
        let (p, _) = self.proba(py, &texts, languages.as_ref())?;
        let m = &self.inner;
        let rows = m.least_sure(&p, n);
        let margins = m.margins(&p);
        let l = m.labels.len();
        let picked: Vec<f64> = rows.iter().flat_map(|&r| p[r * l..(r + 1) * l].iter().copied()).collect();
        let labels = self.labels_series("label", m.decide(&picked));
        let margin: Vec<f64> = rows.iter().map(|&r| margins[r]).collect();
        let confidence: Vec<f64> = if m.multi_label {
            margin.iter().map(|v| (1.0 + v) / 2.0).collect()
        } else {
            rows.iter().map(|&r| p[r * l..(r + 1) * l].iter().copied().fold(f64::NEG_INFINITY, f64::max)).collect()
        };
        let df = DataFrame::new_infer_height(vec![
            Column::new("row".into(), rows.iter().map(|&r| r as u32).collect::<Vec<u32>>()),
            labels.into_column(),
            Column::new("confidence".into(), confidence),
            Column::new("margin".into(), margin),
        ])
        .map_err(MiroirError::from)?;
        Ok(PyDataFrame(df))
    }

    /// The TF-IDF rows of texts, long: `row, column, term, weight` (non-zero entries).
    #[pyo3(signature = (texts, languages = None))]
    fn transform(&self, py: Python<'_>, texts: PySeries, languages: Option<PySeries>) -> PyResult<PyDataFrame> {
        let cast = text_series(&texts, "texts")?;
        let values = str_values(&cast)?;
        let langs = language_column(languages.as_ref(), values.len(), "languages")?;
        let m = &self.inner;
        let x = interruptible(py, || -> Result<_, MiroirError> {
            let docs = m.analyze(&values, &langs)?;
            let refs: Vec<&[String]> = docs.iter().map(Vec::as_slice).collect();
            Ok(m.tfidf.transform(&refs))
        })??;
        let rows: Vec<u32> = (0..x.n_rows).flat_map(|i| std::iter::repeat_n(i as u32, x.indptr[i + 1] - x.indptr[i])).collect();
        let df = DataFrame::new_infer_height(vec![
            Column::new("row".into(), rows),
            Column::new("column".into(), x.indices.clone()),
            Column::new("term".into(), x.indices.iter().map(|&j| m.tfidf.vocabulary[j as usize].as_str()).collect::<Vec<&str>>()),
            Column::new("weight".into(), x.data),
        ])
        .map_err(MiroirError::from)?;
        Ok(PyDataFrame(df))
    }

    /// The terms of texts as this classifier reads them.
    #[pyo3(signature = (texts, languages = None))]
    fn terms(&self, py: Python<'_>, texts: PySeries, languages: Option<PySeries>) -> PyResult<Vec<Vec<String>>> {
        let cast = text_series(&texts, "texts")?;
        let values = str_values(&cast)?;
        let langs = language_column(languages.as_ref(), values.len(), "languages")?;
        let m = &self.inner;
        Ok(interruptible(py, || m.analyze(&values, &langs))??)
    }

    /// `label, rank, term, weight`: the `n` terms of largest weight per label.
    fn top_terms(&self, n: &Bound<'_, PyAny>) -> PyResult<PyDataFrame> {
        let n = count(n, "n", 1)?;
        let top = self.inner.top_terms(n);
        let mut label = Vec::new();
        let mut rank = Vec::new();
        let mut term = Vec::new();
        let mut weight = Vec::new();
        for (l, terms) in &top {
            for (r, (t, w)) in terms.iter().enumerate() {
                label.push(l.as_str());
                rank.push(r as u32 + 1);
                term.push(t.as_str());
                weight.push(*w);
            }
        }
        let df = DataFrame::new_infer_height(vec![
            Column::new("label".into(), label),
            Column::new("rank".into(), rank),
            Column::new("term".into(), term),
            Column::new("weight".into(), weight),
        ])
        .map_err(MiroirError::from)?;
        Ok(PyDataFrame(df))
    }

    /// The model in miroir's saved layout (`MIROIRTC`, versioned, checksummed).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// A model read back from `to_bytes`; `path` names the file in errors.
    #[staticmethod]
    #[pyo3(signature = (data, path = "<bytes>"))]
    fn from_bytes(data: &[u8], path: &str) -> PyResult<PyTextClassifier> {
        Ok(PyTextClassifier { inner: TextClassifier::from_bytes(data, path)? })
    }

    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.labels.clone()
    }
    #[getter]
    fn multi_label(&self) -> bool {
        self.inner.multi_label
    }
    #[getter]
    fn vocabulary(&self) -> Vec<String> {
        self.inner.tfidf.vocabulary.clone()
    }
    #[getter]
    fn idf(&self) -> Vec<f64> {
        self.inner.tfidf.idf.clone()
    }
    #[getter]
    fn n_docs(&self) -> usize {
        self.inner.tfidf.n_docs
    }
    #[getter]
    fn n_iter(&self) -> Vec<u64> {
        self.inner.n_iter()
    }
    #[getter]
    fn converged(&self) -> bool {
        self.inner.converged()
    }
    #[getter]
    fn language(&self) -> Option<&'static str> {
        self.inner.params.language.map(Language::as_str)
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.params.seed
    }
    /// The settings, as the keyword arguments of `fit`.
    #[getter]
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let p = &self.inner.params;
        let d = pyo3::types::PyDict::new(py);
        d.set_item("language", p.language.map(Language::as_str))?;
        d.set_item("seed", p.seed)?;
        d.set_item("C", p.logistic.c)?;
        d.set_item("tol", p.logistic.tol)?;
        d.set_item("max_iter", p.logistic.max_iter)?;
        d.set_item("class_weight", p.logistic.balanced.then_some("balanced"))?;
        d.set_item("ngram_range", p.tfidf.terms.ngram_range)?;
        let bound = |b: DfBound| -> PyResult<Bound<'py, PyAny>> {
            Ok(match b {
                DfBound::Count(c) => c.into_pyobject(py)?.into_any(),
                DfBound::Proportion(f) => f.into_pyobject(py)?.into_any(),
            })
        };
        d.set_item("min_df", bound(p.tfidf.min_df)?)?;
        d.set_item("max_df", bound(p.tfidf.max_df)?)?;
        d.set_item("max_features", p.tfidf.max_features)?;
        d.set_item("sublinear_tf", p.tfidf.sublinear_tf)?;
        Ok(d)
    }
}

/// The terms of texts (`[]` for an empty one): what the classifier and theme discovery count.
#[pyfunction]
#[pyo3(signature = (texts, *, languages = None, language = None, ngram_range = (1, 2), stop_words = false))]
fn text_terms(
    py: Python<'_>,
    texts: PySeries,
    languages: Option<PySeries>,
    language: Option<&str>,
    ngram_range: (usize, usize),
    stop_words: bool,
) -> PyResult<Vec<Vec<String>>> {
    let cast = text_series(&texts, "texts")?;
    let values = str_values(&cast)?;
    let default = language_arg(language)?;
    let langs: Vec<Option<Language>> = language_column(languages.as_ref(), values.len(), "languages")?.into_iter().map(|l| l.or(default)).collect();
    let opts = TermOptions { ngram_range, stop_words };
    let out = interruptible(py, || analyze_lenient(&values, &langs, &opts, false, "texts"))??;
    Ok(out.into_iter().map(|t| t.map(|t| t.terms).unwrap_or_default()).collect())
}

/// Stratified fold numbers (0..folds) for labelled texts.
#[pyfunction]
#[pyo3(signature = (labels, folds, seed))]
fn text_stratified_folds(labels: PySeries, folds: &Bound<'_, PyAny>, #[pyo3(from_py_with = arg::seed)] seed: u64) -> PyResult<PySeries> {
    let folds = count(folds, "folds", 0)?;
    let f = stratified_folds(&label_set(&labels)?, folds, seed)?;
    Ok(PySeries(Series::new("fold".into(), f)))
}

/// Cross-validated scores: `fold, n_train, n_test, accuracy, macro_f1, kappa`, then a mean row.
#[pyfunction]
#[pyo3(signature = (texts, labels, folds, *, languages, language, seed, c, tol, max_iter, class_weight, ngram_range, min_df, max_df, max_features, sublinear_tf))]
#[allow(clippy::too_many_arguments)]
fn text_cross_validate(
    py: Python<'_>,
    texts: PySeries,
    labels: PySeries,
    folds: PySeries,
    languages: Option<PySeries>,
    language: Option<&str>,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
    c: f64,
    tol: f64,
    max_iter: &Bound<'_, PyAny>,
    class_weight: Option<&str>,
    ngram_range: (usize, usize),
    min_df: &Bound<'_, PyAny>,
    max_df: &Bound<'_, PyAny>,
    max_features: Option<&Bound<'_, PyAny>>,
    sublinear_tf: bool,
) -> PyResult<PyDataFrame> {
    let params = classifier_params(language, seed, c, tol, max_iter, class_weight, ngram_range, min_df, max_df, max_features, sublinear_tf)?;
    let cast = text_series(&texts, "texts")?;
    let values = str_values(&cast)?;
    let (labels, langs) = labels_and_languages(&labels, languages.as_ref(), values.len())?;
    if folds.0.null_count() > 0 || !folds.0.dtype().is_integer() {
        return Err(invalid("folds", format!("expected one integer fold number per text, got {} ({} missing)", folds.0.dtype(), folds.0.null_count())));
    }
    let f = folds.0.cast(&DataType::Int64).map_err(MiroirError::from)?;
    let f: Vec<i64> = f.i64().map_err(MiroirError::from)?.into_no_null_iter().collect();
    let scores = interruptible(py, || cross_validate(&values, &langs, &labels, &f, &params))??;
    let df = DataFrame::new_infer_height(vec![
        Column::new("fold".into(), scores.iter().map(|s| s.fold.map_or("mean".to_string(), |f| f.to_string())).collect::<Vec<String>>()),
        Column::new("n_train".into(), scores.iter().map(|s| s.fold.map(|_| s.n_train as u32)).collect::<Vec<Option<u32>>>()),
        Column::new("n_test".into(), scores.iter().map(|s| s.n_test as u32).collect::<Vec<u32>>()),
        Column::new("accuracy".into(), scores.iter().map(|s| s.accuracy).collect::<Vec<f64>>()),
        Column::new("macro_f1".into(), scores.iter().map(|s| s.macro_f1).collect::<Vec<f64>>()),
        Column::new("kappa".into(), scores.iter().map(|s| s.kappa).collect::<Vec<f64>>()),
    ])
    .map_err(MiroirError::from)?;
    Ok(PyDataFrame(df))
}

/// Suggested themes: `(themes, assignments, inertia, n_iter, converged)`; examples as rows.
#[pyfunction]
#[pyo3(signature = (texts, k, *, languages, respondents, language, seed, n_init, max_iter, n_keywords, n_examples, min_text_group_size, ngram_range, min_df, max_df, stop_words))]
#[allow(clippy::too_many_arguments)]
fn text_suggest_themes(
    py: Python<'_>,
    texts: PySeries,
    k: &Bound<'_, PyAny>,
    languages: Option<PySeries>,
    respondents: Option<PySeries>,
    language: Option<&str>,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
    n_init: &Bound<'_, PyAny>,
    max_iter: &Bound<'_, PyAny>,
    n_keywords: &Bound<'_, PyAny>,
    n_examples: &Bound<'_, PyAny>,
    min_text_group_size: &Bound<'_, PyAny>,
    ngram_range: (usize, usize),
    min_df: &Bound<'_, PyAny>,
    max_df: &Bound<'_, PyAny>,
    stop_words: bool,
) -> PyResult<(PyDataFrame, PyDataFrame, f64, usize, bool)> {
    let params = ThemeParams {
        kmeans: KMeansParams { k: count(k, "k", 1)?, n_init: count(n_init, "n_init", 1)?, max_iter: count(max_iter, "max_iter", 1)?, seed },
        language: language_arg(language)?,
        tfidf: tfidf_params(ngram_range, stop_words, min_df, max_df, None, true)?,
        n_keywords: count(n_keywords, "n_keywords", 1)?,
        n_examples: count(n_examples, "n_examples", 0)?,
        min_text_group_size: count(min_text_group_size, "min_text_group_size", 1)?,
    };
    params.check()?;
    let cast = text_series(&texts, "texts")?;
    let values = str_values(&cast)?;
    let langs = language_column(languages.as_ref(), values.len(), "languages")?;
    let who_cast = match &respondents {
        Some(r) => Some(r.0.cast(&DataType::String).map_err(MiroirError::from)?),
        None => None,
    };
    let who: Option<Vec<Option<&str>>> = who_cast.as_ref().map(str_values).transpose()?;
    let s = interruptible(py, || suggest_themes(&values, &langs, who.as_deref(), &params))??;
    let t = &s.themes;
    let clustered: usize = t.iter().map(|x| x.size).sum();
    let text_of = |rows: &[usize]| -> Vec<String> { rows.iter().map(|&r| values[r].unwrap_or_default().to_string()).collect() };
    let themes = DataFrame::new_infer_height(vec![
        Column::new("cluster".into(), t.iter().map(|x| x.cluster).collect::<Vec<u32>>()),
        Column::new("size".into(), t.iter().map(|x| x.size as u32).collect::<Vec<u32>>()),
        Column::new("share".into(), t.iter().map(|x| x.size as f64 / clustered as f64).collect::<Vec<f64>>()),
        Column::new("respondents".into(), t.iter().map(|x| x.respondents as u32).collect::<Vec<u32>>()),
        Column::new("cohesion".into(), t.iter().map(|x| x.cohesion).collect::<Vec<f64>>()),
        Column::new("suppressed".into(), t.iter().map(|x| x.suppressed).collect::<Vec<bool>>()),
        list_column("keywords", t.iter().map(|x| (!x.suppressed).then(|| x.keywords.clone())).collect()),
        list_column("terms", t.iter().map(|x| (!x.suppressed).then(|| x.terms.clone())).collect()),
        list_column("examples", t.iter().map(|x| (!x.suppressed).then(|| text_of(&x.examples))).collect()),
    ])
    .map_err(MiroirError::from)?;
    let a = &s.assignments;
    let assignments = DataFrame::new_infer_height(vec![
        Column::new("row".into(), (0..a.len() as u32).collect::<Vec<u32>>()),
        Column::new("cluster".into(), a.iter().map(|x| x.cluster).collect::<Vec<Option<u32>>>()),
        Column::new("similarity".into(), a.iter().map(|x| x.similarity).collect::<Vec<Option<f64>>>()),
        Column::new("reason".into(), a.iter().map(|x| x.reason).collect::<Vec<Option<&str>>>()),
    ])
    .map_err(MiroirError::from)?;
    Ok((PyDataFrame(themes), PyDataFrame(assignments), s.inertia, s.n_iter, s.converged))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTextClassifier>()?;
    m.add_function(wrap_pyfunction!(text_terms, m)?)?;
    m.add_function(wrap_pyfunction!(text_stratified_folds, m)?)?;
    m.add_function(wrap_pyfunction!(text_cross_validate, m)?)?;
    m.add_function(wrap_pyfunction!(text_suggest_themes, m)?)?;
    Ok(())
}
