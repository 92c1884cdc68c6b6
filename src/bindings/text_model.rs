//! `miroir.text.Classifier`, `cross_validate`, `suggest_themes`: conversion only; the models live
//! in `crate::text::{tfidf, classifier, cluster}`, their tables in [`crate::tidy::text_model`].
//! Long calls run without the GIL and stop on Ctrl-C (`super::stats::interruptible`).

use super::frame::{PyDataFrame, PySeries};
use super::text::language_column;
use super::stats::{arg, int_arg, interruptible};
use crate::text::classifier::{cross_validate, stratified_folds, ClassifierParams, LabelSet, LogisticParams, TextClassifier};
use crate::text::cluster::{suggest_themes, KMeansParams, ThemeParams};
use crate::text::tfidf::{analyze_lenient, DfBound, TermOptions, TfidfParams};
use crate::text::Language;
use crate::tidy::text_model as tidy;
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

/// `class_weight`: None or `'balanced'`.
fn balanced(class_weight: Option<&str>) -> PyResult<bool> {
    match class_weight {
        None => Ok(false),
        Some("balanced") => Ok(true),
        Some(other) => Err(invalid("class_weight", format!("expected None or 'balanced', got '{other}'"))),
    }
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

/// A function taking a classifier's settings (the keyword arguments of `miroir.text.Classifier`:
/// `languages, language, seed, c, tol, max_iter, class_weight, ngram_range, min_df, max_df,
/// max_features, sublinear_tf`) after `texts, labels` and its own arguments: one parameter list
/// for `TextClassifier.fit` and `text_cross_validate`, whose pyo3 signatures (in the
/// attributes) are unchanged. Its body gets, under the caller's names (macro hygiene hides the
/// macro's own), the settings checked as [`ClassifierParams`], the texts' values, their
/// [`LabelSet`] and languages, read and checked in that order:
/// `fn NAME(py, texts, labels, ARG: TYPE...) -> RET, |params, values, labels, langs| BODY`.
/// Given `impl TYPE { fn ... } METHODS`, it writes the `#[pymethods]` block of TYPE with that
/// function first (pyo3 reads a `#[pymethods]` block before expanding the macros inside it).
macro_rules! classifier_fn {
    (impl $ty:ident { $($f:tt)* } $($methods:tt)*) => {
        classifier_fn!(@fn [impl $ty [$($methods)*]] $($f)*);
    };
    (@fn [$($into:tt)*]
        $(#[$attr:meta])*
        fn $name:ident($py:ident, $texts:ident, $labels:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty,
        |$params:ident, $values:ident, $set:ident, $langs:ident| $body:block
    ) => {
        classifier_fn!(@emit [$($into)*]
            $(#[$attr])*
            #[allow(clippy::too_many_arguments)]
            fn $name(
                $py: Python<'_>,
                $texts: PySeries,
                $labels: PySeries,
                $($arg: $ty,)*
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
            ) -> $ret {
                let balanced = balanced(class_weight)?;
                let $params = ClassifierParams {
                    language: language_arg(language)?,
                    seed,
                    tfidf: tfidf_params(ngram_range, false, min_df, max_df, max_features, sublinear_tf)?,
                    logistic: LogisticParams { c, tol, max_iter: count(max_iter, "max_iter", 1)? as u64, balanced, ..LogisticParams::default() },
                };
                $params.check()?;
                let cast = text_series(&$texts, "texts")?;
                let $values = str_values(&cast)?;
                let ($set, $langs) = labels_and_languages(&$labels, languages.as_ref(), $values.len())?;
                $body
            }
        );
    };
    (@emit [item] $($f:tt)*) => { $($f)* };
    (@emit [impl $ty:ident [$($methods:tt)*]] $($f:tt)*) => {
        #[pymethods]
        impl $ty {
            $($f)*
            $($methods)*
        }
    };
    ($($f:tt)*) => { classifier_fn!(@fn [item] $($f)*); };
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

}

classifier_fn! {
    impl PyTextClassifier {
        /// Fits a classifier on labelled texts (see `miroir.text.Classifier`).
        #[staticmethod]
        #[pyo3(signature = (texts, labels, *, languages, language, seed, c, tol, max_iter, class_weight, ngram_range, min_df, max_df, max_features, sublinear_tf))]
        fn fit(py, texts, labels) -> PyResult<PyTextClassifier>, |params, values, labels, langs| {
            let inner = interruptible(py, || TextClassifier::fit(&values, &langs, &labels, &params))??;
            Ok(PyTextClassifier { inner })
        }
    }
    // the other methods of the `#[pymethods]` block:

    /// Probabilities: one Float64 column per label.
    #[pyo3(signature = (texts, languages = None))]
    fn predict_proba(&self, py: Python<'_>, texts: PySeries, languages: Option<PySeries>) -> PyResult<PyDataFrame> {
        let (p, n) = self.proba(py, &texts, languages.as_ref())?;
        Ok(PyDataFrame(tidy::proba_frame(&self.inner, &p, n)?))
    }

    /// Predicted labels: a text column, or a column of lists of themes.
    #[pyo3(signature = (texts, languages = None))]
    fn predict(&self, py: Python<'_>, texts: PySeries, languages: Option<PySeries>) -> PyResult<PySeries> {
        let (p, _) = self.proba(py, &texts, languages.as_ref())?;
        Ok(PySeries(tidy::labels_series(&self.inner, "label", self.inner.decide(&p))?))
    }

    /// The `n` texts the model is least sure of: `row, label, confidence, margin`.
    #[pyo3(signature = (texts, n, languages = None))]
    fn uncertain(&self, py: Python<'_>, texts: PySeries, n: &Bound<'_, PyAny>, languages: Option<PySeries>) -> PyResult<PyDataFrame> {
        let n = count(n, "n", 0)?;
        let (p, _) = self.proba(py, &texts, languages.as_ref())?;
        Ok(PyDataFrame(tidy::uncertain_frame(&self.inner, &p, n)?))
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
        Ok(PyDataFrame(tidy::tfidf_frame(x, &m.tfidf.vocabulary)?))
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
        Ok(PyDataFrame(tidy::top_terms_frame(&self.inner, n)?))
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

classifier_fn! {
    /// Cross-validated scores: `fold, n_train, n_test, accuracy, macro_f1, kappa`, then a mean row.
    #[pyfunction]
    #[pyo3(signature = (texts, labels, folds, *, languages, language, seed, c, tol, max_iter, class_weight, ngram_range, min_df, max_df, max_features, sublinear_tf))]
    fn text_cross_validate(py, texts, labels, folds: PySeries) -> PyResult<PyDataFrame>, |params, values, labels, langs| {
        if folds.0.null_count() > 0 || !folds.0.dtype().is_integer() {
            return Err(invalid("folds", format!("expected one integer fold number per text, got {} ({} missing)", folds.0.dtype(), folds.0.null_count())));
        }
        let f = folds.0.cast(&DataType::Int64).map_err(MiroirError::from)?;
        let f: Vec<i64> = f.i64().map_err(MiroirError::from)?.into_no_null_iter().collect();
        let scores = interruptible(py, || cross_validate(&values, &langs, &labels, &f, &params))??;
        Ok(PyDataFrame(tidy::cross_validation_frame(&scores)?))
    }
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
    let (themes, assignments) = tidy::theme_frames(&s, &values)?;
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
