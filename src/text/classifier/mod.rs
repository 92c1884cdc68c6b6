//! Logistic regression on sparse TF-IDF rows: a verbatim classifier trained on a hand-coded
//! sample, to code the rest.
//!
//! **Features**: [`super::tfidf`] (its vocabulary and IDF fitted on the training texts only).
//!
//! **Model.** With `K ≥ 3` classes, multinomial: `P(k | x) = softmax(W x + b)_k`, one weight row
//! per class; with 2 classes, one binary model `P(class₁ | x) = σ(w·x + b)` (as scikit-learn:
//! a 2-class softmax with the same penalty is a different estimator); with several themes per
//! text (multi-label), one binary model per theme ("one-vs-rest"), a theme predicted where its
//! probability is at least 0.5.
//!
//! **Objective**, scikit-learn's `lbfgs` one exactly, so `C` means the same:
//! `(1/S) Σᵢ sᵢ ℓᵢ + ‖W‖² / (2 C S)`, i.e. `C Σ sᵢ ℓᵢ + ½‖W‖²` divided by `C S`, with `ℓᵢ` the
//! log-loss of row `i`, `sᵢ` its weight (1, or `n / (K nₖ)` with `class_weight = "balanced"`),
//! `S = Σ sᵢ`, and the intercepts not penalised. Minimised by argmin's L-BFGS (memory 10,
//! More–Thuente line search) from zero, stopping when the Euclidean norm of the gradient falls
//! below `tol` (default 1e-6; scikit-learn stops when the largest absolute component is below
//! its `tol` = 1e-4, a looser test), when an iteration lowers the objective by less than
//! `64 ε` (scipy's `ftol` as scikit-learn sets it, here absolute: the objective is a mean
//! log-loss, of order 1), or after `max_iter` iterations.
//!
//! **Determinism.** The gradient is `Xᵀ R + W / (C S)` with `R` the weighted residuals: `R` is
//! computed row by row (in parallel, each row on its own), the per-row losses are summed in
//! chunks of fixed size in a fixed order, and `Xᵀ R` is computed column by column from a copy of
//! `X` by columns, each column summed in row order. No sum depends on how rayon splits the work,
//! so a fit is identical, bit for bit, with any number of threads.
//!
//! **Saved models** ([`TextClassifier::to_bytes`]): a versioned little-endian binary layout
//! (magic `MIROIRTC`, format version, settings, vocabulary, IDF, labels, weights) closed by an
//! FNV-1a 64 checksum; [`TextClassifier::from_bytes`] refuses a file with another magic, a newer
//! version, a checksum that does not match, or parts that do not fit together.
//!
//! **Code.** [`logistic`] fits one linear model (the objective, its gradient and L-BFGS),
//! [`validation`] holds the folds and the cross-validation scores, [`saved`] the binary layout
//! of a saved model; this module the settings, the labels and [`TextClassifier`].

mod logistic;
mod saved;
mod validation;

use logistic::{fit_linear, sigmoid};
pub use logistic::LinearModel;
pub use saved::FORMAT_VERSION;
pub use validation::{cross_validate, scores, stratified_folds, FoldScore};

use super::normalize::Language;
use super::tfidf::{analyze, Tfidf, TfidfParams};
use crate::error::{MiroirError, Rows};
use crate::interrupt::{checkpoint, Checkpoint};
use rayon::prelude::*;

/// Settings of the logistic regression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogisticParams {
    /// Inverse of the penalty strength (scikit-learn's `C`; default 10, not scikit-learn's 1:
    /// on unit TF-IDF rows of short texts, `C = 1` leaves rare themes never predicted).
    pub c: f64,
    /// Stop when the gradient's Euclidean norm is below this.
    pub tol: f64,
    pub max_iter: u64,
    /// `class_weight = "balanced"`: row weights `n / (K nₖ)`.
    pub balanced: bool,
    /// L-BFGS memory (pairs of vectors kept).
    pub memory: usize,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams { c: 10.0, tol: 1e-6, max_iter: 1000, balanced: false, memory: 10 }
    }
}

impl LogisticParams {
    pub fn check(&self) -> Result<(), MiroirError> {
        let bad = |argument: &str, detail: String| Err(MiroirError::InvalidArgument { argument: argument.into(), detail });
        if !(self.c.is_finite() && self.c > 0.0) {
            return bad("C", format!("must be a positive finite number, got {}", self.c));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return bad("tol", format!("must be a positive finite number, got {}", self.tol));
        }
        if self.max_iter == 0 {
            return bad("max_iter", "must be at least 1".into());
        }
        if self.memory == 0 || self.memory > 100 {
            return bad("memory", format!("must lie in 1..=100, got {}", self.memory));
        }
        Ok(())
    }
}

/// Settings of a [`TextClassifier`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClassifierParams {
    /// Language of every text (None: each text's own, else detected).
    pub language: Option<Language>,
    /// Kept with the model and used for fold assignment; the fit itself draws nothing.
    pub seed: u64,
    pub tfidf: TfidfParams,
    pub logistic: LogisticParams,
}

impl ClassifierParams {
    pub fn check(&self) -> Result<(), MiroirError> {
        self.tfidf.check()?;
        self.logistic.check()
    }
}

/// What each training text is labelled with: indices into `names` (sorted, distinct).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSet {
    pub names: Vec<String>,
    pub targets: Targets,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// One class per text.
    Single(Vec<u32>),
    /// A set of themes per text (possibly empty), indices increasing.
    Multi(Vec<Vec<u32>>),
}

fn missing_labels(rows: Rows) -> MiroirError {
    MiroirError::InvalidArgument { argument: "labels".into(), detail: format!("missing labels: {rows}; drop those texts or label them") }
}

impl LabelSet {
    /// One label per text; a null label is an error naming the rows.
    pub fn single(labels: &[Option<&str>]) -> Result<LabelSet, MiroirError> {
        let missing = Rows::collect(labels.iter().enumerate().filter(|(_, l)| l.is_none()).map(|(i, _)| i));
        if !missing.is_empty() {
            return Err(missing_labels(missing));
        }
        let mut names: Vec<String> = labels.iter().flatten().map(|s| s.to_string()).collect();
        names.sort_unstable();
        names.dedup();
        let y = labels.iter().map(|l| names.binary_search_by(|n| n.as_str().cmp(l.unwrap_or_default())).unwrap_or(0) as u32).collect();
        Ok(LabelSet { names, targets: Targets::Single(y) })
    }

    /// A set of themes per text (an empty set: no theme); a null is an error naming the rows.
    pub fn multi(labels: &[Option<Vec<&str>>]) -> Result<LabelSet, MiroirError> {
        let missing = Rows::collect(labels.iter().enumerate().filter(|(_, l)| l.is_none()).map(|(i, _)| i));
        if !missing.is_empty() {
            return Err(missing_labels(missing));
        }
        let mut names: Vec<String> = labels.iter().flatten().flatten().map(|s| s.to_string()).collect();
        names.sort_unstable();
        names.dedup();
        let y = labels
            .iter()
            .map(|l| {
                let mut v: Vec<u32> = l.iter().flatten().filter_map(|s| names.binary_search_by(|n| n.as_str().cmp(s)).ok()).map(|i| i as u32).collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        Ok(LabelSet { names, targets: Targets::Multi(y) })
    }

    pub fn len(&self) -> usize {
        match &self.targets {
            Targets::Single(y) => y.len(),
            Targets::Multi(y) => y.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_multi(&self) -> bool {
        matches!(self.targets, Targets::Multi(_))
    }

    /// The labels of `rows`, with the names those rows use.
    fn subset(&self, rows: &[usize]) -> LabelSet {
        match &self.targets {
            Targets::Single(y) => {
                let labels: Vec<Option<&str>> = rows.iter().map(|&r| Some(self.names[y[r] as usize].as_str())).collect();
                LabelSet::single(&labels).expect("no missing label in a subset")
            }
            Targets::Multi(y) => {
                let labels: Vec<Option<Vec<&str>>> =
                    rows.iter().map(|&r| Some(y[r].iter().map(|&t| self.names[t as usize].as_str()).collect())).collect();
                LabelSet::multi(&labels).expect("no missing label in a subset")
            }
        }
    }

    /// The stratification key of each row: its class, or its set of themes.
    fn keys(&self) -> Vec<Vec<u32>> {
        match &self.targets {
            Targets::Single(y) => y.iter().map(|&c| vec![c]).collect(),
            Targets::Multi(y) => y.clone(),
        }
    }
}

/// A fitted verbatim classifier: vectoriser, label names, one model (or one per theme).
#[derive(Debug, Clone, PartialEq)]
pub struct TextClassifier {
    pub params: ClassifierParams,
    pub tfidf: Tfidf,
    /// Class names (single label) or theme names (multi-label), sorted.
    pub labels: Vec<String>,
    pub multi_label: bool,
    pub models: Vec<LinearModel>,
}

/// Predicted labels: one class per text, or a set of themes per text.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictions {
    Single(Vec<u32>),
    Multi(Vec<Vec<u32>>),
}

/// Per-text languages: the text's own where given, else the classifier's.
fn languages_for(languages: &[Option<Language>], default: Option<Language>) -> Vec<Option<Language>> {
    languages.iter().map(|l| l.or(default)).collect()
}

impl TextClassifier {
    /// Fits the vectoriser and the model(s) on labelled texts.
    pub fn fit(texts: &[Option<&str>], languages: &[Option<Language>], labels: &LabelSet, params: &ClassifierParams) -> Result<TextClassifier, MiroirError> {
        params.check()?;
        if texts.is_empty() {
            return Err(MiroirError::EmptyTable { table: "texts".into(), detail: "no labelled text to fit the classifier on".into() });
        }
        if labels.len() != texts.len() {
            return Err(MiroirError::InvalidArgument {
                argument: "labels".into(),
                detail: format!("{} labels for {} texts (one label, or one list of themes, per text)", labels.len(), texts.len()),
            });
        }
        let docs = analyze(texts, &languages_for(languages, params.language), &params.tfidf.terms, false, "texts")?;
        let terms: Vec<&[String]> = docs.iter().map(|d| d.terms.as_slice()).collect();
        Self::fit_terms(&terms, labels, params, &checkpoint())
    }

    /// Fits on texts given by their terms ([`super::tfidf::analyze`]).
    pub fn fit_terms(docs: &[&[String]], labels: &LabelSet, params: &ClassifierParams, cp: &Checkpoint) -> Result<TextClassifier, MiroirError> {
        params.check()?;
        if docs.is_empty() {
            return Err(MiroirError::EmptyTable { table: "texts".into(), detail: "no labelled text to fit the classifier on".into() });
        }
        if labels.len() != docs.len() {
            return Err(MiroirError::InvalidArgument { argument: "labels".into(), detail: format!("{} labels for {} texts", labels.len(), docs.len()) });
        }
        let n = docs.len();
        match &labels.targets {
            Targets::Single(_) if labels.names.len() < 2 => {
                return Err(MiroirError::InsufficientData {
                    detail: format!(
                        "labels: only one class ({}) among the {n} labelled texts; a classifier needs at least 2",
                        labels.names.first().map_or("none".to_string(), |c| format!("'{c}'"))
                    ),
                })
            }
            Targets::Multi(_) if labels.names.is_empty() => {
                return Err(MiroirError::InsufficientData { detail: format!("labels: none of the {n} texts carries a theme") })
            }
            Targets::Multi(y) => {
                let mut counts = vec![0usize; labels.names.len()];
                y.iter().flatten().for_each(|&t| counts[t as usize] += 1);
                if let Some(t) = counts.iter().position(|&c| c == n) {
                    return Err(MiroirError::InsufficientData {
                        detail: format!("labels: theme '{}' is on every one of the {n} texts; a theme needs texts without it too", labels.names[t]),
                    });
                }
            }
            _ => {}
        }
        let (tfidf, x) = Tfidf::fit_transform(docs, &params.tfidf)?;
        let xt = x.to_csc();
        let models = match &labels.targets {
            Targets::Single(y) => vec![fit_linear(&x, &xt, y, labels.names.len(), &params.logistic, cp)?],
            Targets::Multi(y) => {
                let mut models = Vec::with_capacity(labels.names.len());
                for t in 0..labels.names.len() as u32 {
                    let yt: Vec<u32> = y.iter().map(|s| u32::from(s.binary_search(&t).is_ok())).collect();
                    models.push(fit_linear(&x, &xt, &yt, 2, &params.logistic, cp)?);
                }
                models
            }
        };
        Ok(TextClassifier { params: *params, tfidf, labels: labels.names.clone(), multi_label: labels.is_multi(), models })
    }

    /// The terms of texts read as this classifier reads them (null / blank / wordless: an error
    /// naming the rows).
    pub fn analyze(&self, texts: &[Option<&str>], languages: &[Option<Language>]) -> Result<Vec<Vec<String>>, MiroirError> {
        Ok(analyze(texts, &languages_for(languages, self.params.language), &self.params.tfidf.terms, false, "texts")?
            .into_iter()
            .map(|d| d.terms)
            .collect())
    }

    /// Probabilities, row-major `n × L` (`L` = number of labels): per class (they sum to 1), or
    /// per theme (each its own binary model).
    pub fn predict_proba_terms(&self, docs: &[&[String]]) -> Vec<f64> {
        let x = self.tfidf.transform(docs);
        let l = self.labels.len();
        let mut out = vec![0.0; x.n_rows * l];
        if self.multi_label {
            for (t, m) in self.models.iter().enumerate() {
                for (i, z) in m.scores(&x).into_iter().enumerate() {
                    out[i * l + t] = sigmoid(z);
                }
            }
            return out;
        }
        let m = &self.models[0];
        let z = m.scores(&x);
        out.par_chunks_mut(l).enumerate().for_each(|(i, p)| {
            if m.softmax {
                let zi = &z[i * l..(i + 1) * l];
                let mx = zi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut s = 0.0;
                for (a, &v) in p.iter_mut().zip(zi) {
                    *a = (v - mx).exp();
                    s += *a;
                }
                p.iter_mut().for_each(|a| *a /= s);
            } else {
                p[1] = sigmoid(z[i]);
                p[0] = 1.0 - p[1];
            }
        });
        out
    }

    /// Probabilities of texts (see [`TextClassifier::predict_proba_terms`]).
    pub fn predict_proba(&self, texts: &[Option<&str>], languages: &[Option<Language>]) -> Result<Vec<f64>, MiroirError> {
        let docs = self.analyze(texts, languages)?;
        let refs: Vec<&[String]> = docs.iter().map(Vec::as_slice).collect();
        Ok(self.predict_proba_terms(&refs))
    }

    /// Labels from probabilities: the most probable class (ties: the first in sorted order),
    /// or every theme of probability ≥ 0.5.
    pub fn decide(&self, proba: &[f64]) -> Predictions {
        let l = self.labels.len();
        if self.multi_label {
            return Predictions::Multi(
                proba.chunks(l).map(|p| (0..l as u32).filter(|&t| p[t as usize] >= 0.5).collect()).collect(),
            );
        }
        Predictions::Single(
            proba
                .chunks(l)
                .map(|p| {
                    let mut best = 0;
                    for (k, &v) in p.iter().enumerate() {
                        if v > p[best] {
                            best = k;
                        }
                    }
                    best as u32
                })
                .collect(),
        )
    }

    /// How sure the model is of each text, from its probabilities: for one label per text the
    /// margin between the two most probable classes; for themes, the smallest `|2p − 1|` over
    /// themes (0: a probability of exactly 0.5). Both lie in [0, 1]; 0 is the least sure.
    pub fn margins(&self, proba: &[f64]) -> Vec<f64> {
        let l = self.labels.len();
        proba
            .chunks(l)
            .map(|p| {
                if self.multi_label {
                    p.iter().map(|v| (2.0 * v - 1.0).abs()).fold(f64::INFINITY, f64::min)
                } else {
                    let (mut a, mut b) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
                    for &v in p {
                        if v > a {
                            b = a;
                            a = v;
                        } else if v > b {
                            b = v;
                        }
                    }
                    a - b
                }
            })
            .collect()
    }

    /// The `n` rows the model is least sure of (smallest margin first, ties by row).
    pub fn least_sure(&self, proba: &[f64], n: usize) -> Vec<usize> {
        let m = self.margins(proba);
        let mut order: Vec<usize> = (0..m.len()).collect();
        order.sort_by(|&a, &b| m[a].total_cmp(&m[b]).then(a.cmp(&b)));
        order.truncate(n);
        order
    }

    /// The `n` terms of largest weight for each label, `(label, [(term, weight)])`: a class's
    /// row of the multinomial model, a theme's binary model, or for two classes `w` for the
    /// second and `−w` for the first (ties: the earlier term).
    pub fn top_terms(&self, n: usize) -> Vec<(String, Vec<(String, f64)>)> {
        let nf = self.tfidf.vocabulary.len();
        (0..self.labels.len())
            .map(|l| {
                let weight = |j: usize| -> f64 {
                    if self.multi_label {
                        self.models[l].coef[j]
                    } else if self.models[0].softmax {
                        self.models[0].coef[j * self.models[0].n_out + l]
                    } else if l == 1 {
                        self.models[0].coef[j]
                    } else {
                        -self.models[0].coef[j]
                    }
                };
                let mut order: Vec<(f64, usize)> = (0..nf).map(|j| (weight(j), j)).collect();
                order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let top = order.into_iter().take(n).map(|(w, j)| (self.tfidf.vocabulary[j].clone(), w)).collect();
                (self.labels[l].clone(), top)
            })
            .collect()
    }

    /// Iterations of each model's fit.
    pub fn n_iter(&self) -> Vec<u64> {
        self.models.iter().map(|m| m.n_iter).collect()
    }

    pub fn converged(&self) -> bool {
        self.models.iter().all(|m| m.converged)
    }
}

#[cfg(test)]
mod tests {
    use super::logistic::{row_weights, Objective};
    use super::*;
    use crate::stats::resample::below;
    use crate::text::tfidf::TermOptions;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::sync::Mutex;

    /// Texts of three themes from small vocabularies, with shared filler words.
    fn corpus(n: usize, seed: u64) -> (Vec<String>, Vec<&'static str>) {
        let themes: [(&str, &[&str]); 3] = [
            ("wait", &["attente", "longue", "queue", "patienter", "guichet"]),
            ("staff", &["conseiller", "aimable", "souriant", "accueil", "écoute"]),
            ("price", &["prix", "tarif", "cher", "frais", "facture"]),
        ];
        let fillers = ["vraiment", "très", "le", "la", "agence", "service", "hier", "encore"];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for i in 0..n {
            let (label, words) = themes[i % 3];
            let mut t = Vec::new();
            for _ in 0..6 {
                if below(&mut rng, 3) == 0 {
                    t.push(fillers[below(&mut rng, fillers.len() as u64) as usize]);
                } else {
                    t.push(words[below(&mut rng, words.len() as u64) as usize]);
                }
            }
            texts.push(t.join(" "));
            labels.push(label);
        }
        (texts, labels)
    }

    fn fit(texts: &[String], labels: &LabelSet, params: &ClassifierParams) -> TextClassifier {
        let t: Vec<Option<&str>> = texts.iter().map(|s| Some(s.as_str())).collect();
        TextClassifier::fit(&t, &vec![Some(Language::Fr); t.len()], labels, params).unwrap()
    }

    fn single(labels: &[&str]) -> LabelSet {
        LabelSet::single(&labels.iter().map(|s| Some(*s)).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (texts, labels) = corpus(30, 1);
        let t: Vec<Option<&str>> = texts.iter().map(|s| Some(s.as_str())).collect();
        let docs = analyze(&t, &[Some(Language::Fr); 30], &TermOptions::default(), false, "texts").unwrap();
        let refs: Vec<&[String]> = docs.iter().map(|d| d.terms.as_slice()).collect();
        let (_, x) = Tfidf::fit_transform(&refs, &TfidfParams::default()).unwrap();
        let xt = x.to_csc();
        let ls = single(&labels);
        let Targets::Single(y) = &ls.targets else { unreachable!() };
        for (k, softmax, yy) in [(3usize, true, y.clone()), (1, false, y.iter().map(|&c| u32::from(c == 1)).collect::<Vec<_>>())] {
            let (w, s) = row_weights(&yy, if softmax { 3 } else { 2 }, true);
            let obj = Objective { x: &x, xt: &xt, k, softmax, y: &yy, w: &w, alpha: 1.0 / (2.0 * s), cache: Mutex::new(None), checkpoint: Checkpoint::never() };
            let dim = x.n_cols * k + k;
            let theta: Vec<f64> = (0..dim).map(|i| ((i * 7919) % 13) as f64 / 13.0 - 0.5).collect();
            let (_, g) = obj.evaluate(&theta).unwrap();
            for i in [0, 1, dim / 2, dim - 2, dim - 1] {
                let h = 1e-6;
                let mut a = theta.clone();
                a[i] += h;
                let mut b = theta.clone();
                b[i] -= h;
                let fd = (obj.evaluate(&a).unwrap().0 - obj.evaluate(&b).unwrap().0) / (2.0 * h);
                assert!((fd - g[i]).abs() < 1e-7, "softmax={softmax} i={i}: {fd} vs {}", g[i]);
            }
        }
    }

    #[test]
    fn fits_and_predicts_three_themes() {
        let (texts, labels) = corpus(150, 2);
        let ls = single(&labels);
        let model = fit(&texts, &ls, &ClassifierParams { logistic: LogisticParams { c: 10.0, ..LogisticParams::default() }, ..ClassifierParams::default() });
        assert!(model.converged(), "{:?}", model.n_iter());
        assert_eq!(model.labels, ["price", "staff", "wait"]);
        let (test, truth) = corpus(60, 3);
        let t: Vec<Option<&str>> = test.iter().map(|s| Some(s.as_str())).collect();
        let proba = model.predict_proba(&t, &[None; 60]).unwrap();
        assert!(proba.chunks(3).all(|p| (p.iter().sum::<f64>() - 1.0).abs() < 1e-12));
        let Predictions::Single(pred) = model.decide(&proba) else { unreachable!() };
        let correct = pred.iter().zip(&truth).filter(|(p, t)| model.labels[**p as usize] == **t).count();
        assert!(correct >= 57, "{correct} of 60");
        // the least sure first
        let m = model.margins(&proba);
        let order = model.least_sure(&proba, 5);
        assert!(order.windows(2).all(|w| m[w[0]] <= m[w[1]]));
    }

    #[test]
    fn optimum_has_zero_gradient_and_two_classes_are_binary() {
        let (texts, labels) = corpus(90, 4);
        let two: Vec<&str> = labels.iter().map(|l| if *l == "wait" { "wait" } else { "other" }).collect();
        let model = fit(&texts, &single(&two), &ClassifierParams::default());
        assert_eq!(model.models[0].n_out, 1);
        assert!(!model.models[0].softmax);
        assert!(model.converged());
    }

    #[test]
    fn multi_label_fits_one_model_per_theme() {
        let (texts, labels) = corpus(90, 5);
        let sets: Vec<Option<Vec<&str>>> =
            labels.iter().enumerate().map(|(i, l)| Some(if i % 5 == 0 { vec![*l, "extra"] } else { vec![*l] })).collect();
        let ls = LabelSet::multi(&sets).unwrap();
        let model = fit(&texts, &ls, &ClassifierParams::default());
        assert!(model.multi_label);
        assert_eq!(model.models.len(), 4);
        let every: Vec<Option<Vec<&str>>> = labels.iter().map(|l| Some(vec![*l, "all"])).collect();
        let t: Vec<Option<&str>> = texts.iter().map(|s| Some(s.as_str())).collect();
        let err = TextClassifier::fit(&t, &[None; 90], &LabelSet::multi(&every).unwrap(), &ClassifierParams::default()).unwrap_err();
        assert!(err.to_string().contains("theme 'all' is on every one"), "{err}");
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let (texts, labels) = corpus(20, 6);
        let t: Vec<Option<&str>> = texts.iter().map(|s| Some(s.as_str())).collect();
        let p = ClassifierParams::default();
        let one = single(&["a"; 20]);
        assert!(matches!(TextClassifier::fit(&t, &[None; 20], &one, &p), Err(MiroirError::InsufficientData { .. })));
        let short = single(&labels[..10]);
        assert!(matches!(TextClassifier::fit(&t, &[None; 20], &short, &p), Err(MiroirError::InvalidArgument { argument, .. }) if argument == "labels"));
        assert!(matches!(TextClassifier::fit(&[], &[], &single(&[]), &p), Err(MiroirError::EmptyTable { .. })));
        let missing = LabelSet::single(&[Some("a"), None]).unwrap_err();
        assert!(missing.to_string().contains("1 row (first at row index 1)"), "{missing}");
        let bad = ClassifierParams { logistic: LogisticParams { c: f64::NAN, ..LogisticParams::default() }, ..p };
        assert!(matches!(bad.check(), Err(MiroirError::InvalidArgument { argument, .. }) if argument == "C"));
    }

    #[test]
    fn fit_is_identical_with_one_and_two_threads() {
        let (texts, labels) = corpus(300, 7);
        let ls = single(&labels);
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| fit(&texts, &ls, &ClassifierParams::default()).to_bytes())
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn saved_models_round_trip_and_corruption_is_refused() {
        let (texts, labels) = corpus(60, 8);
        let model = fit(&texts, &single(&labels), &ClassifierParams::default());
        let bytes = model.to_bytes();
        assert_eq!(TextClassifier::from_bytes(&bytes, "m.bin").unwrap(), model);
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 1;
        let err = TextClassifier::from_bytes(&flipped, "m.bin").unwrap_err();
        assert!(matches!(&err, MiroirError::Io { path, detail } if path == "m.bin" && detail.contains("checksum")), "{err}");
        assert!(TextClassifier::from_bytes(&bytes[..bytes.len() - 3], "m.bin").is_err());
        assert!(TextClassifier::from_bytes(b"hello", "m.bin").unwrap_err().to_string().contains("MIROIRTC"));
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert!(TextClassifier::from_bytes(&newer, "m.bin").unwrap_err().to_string().contains("version 9"));
    }

    #[test]
    fn folds_are_stratified_and_cross_validation_scores() {
        let (texts, labels) = corpus(90, 9);
        let ls = single(&labels);
        let folds = stratified_folds(&ls, 5, 0).unwrap();
        for f in 0..5u32 {
            assert_eq!(folds.iter().filter(|&&v| v == f).count(), 18);
        }
        assert_eq!(folds, stratified_folds(&ls, 5, 0).unwrap());
        assert_ne!(folds, stratified_folds(&ls, 5, 1).unwrap());
        let t: Vec<Option<&str>> = texts.iter().map(|s| Some(s.as_str())).collect();
        let f64s: Vec<i64> = folds.iter().map(|&f| i64::from(f)).collect();
        let cv = cross_validate(&t, &[None; 90], &ls, &f64s, &ClassifierParams::default()).unwrap();
        assert_eq!(cv.len(), 6);
        assert!(cv[5].fold.is_none() && cv[5].macro_f1 > 0.8, "{cv:?}");
        // scores by their definitions
        let (acc, mf1, _) = scores(&Predictions::Single(vec![0, 0, 1, 1]), &Predictions::Single(vec![0, 1, 1, 2]), 3);
        assert_eq!(acc, 0.5);
        // F1: class 0 = 2/3, class 1 = 1/2, class 2 = 0 -> mean 7/18
        assert!((mf1 - 7.0 / 18.0).abs() < 1e-15);
        assert!(stratified_folds(&ls, 1, 0).is_err());
    }
}
