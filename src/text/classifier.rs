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

use super::normalize::Language;
use super::tfidf::{analyze, Csc, Csr, DfBound, TermOptions, Tfidf, TfidfParams};
use crate::error::{MiroirError, Rows};
use crate::interrupt::{checkpoint, Checkpoint};
use crate::stats::agreement::{cohen_kappa, KappaWeights};
use crate::stats::resample::below;
use crate::stats::StatsError;
use argmin::core::{CostFunction, Executor, Gradient, State, TerminationReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Mutex;

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

/// One fitted linear model: `K` outputs (softmax over classes, or one sigmoid).
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub softmax: bool,
    pub n_out: usize,
    /// Feature-major: `coef[j * n_out + k]` is the weight of feature `j` for output `k`.
    pub coef: Vec<f64>,
    pub intercept: Vec<f64>,
    pub n_iter: u64,
    pub converged: bool,
}

impl LinearModel {
    /// `K` scores per row (`X W + b`), row-major.
    fn scores(&self, x: &Csr) -> Vec<f64> {
        let k = self.n_out;
        let mut z = vec![0.0; x.n_rows * k];
        z.par_chunks_mut(k).enumerate().for_each(|(i, zi)| {
            zi.copy_from_slice(&self.intercept);
            let (idx, val) = x.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let w = &self.coef[j as usize * k..(j as usize + 1) * k];
                zi.iter_mut().zip(w).for_each(|(a, b)| *a += v * b);
            }
        });
        z
    }
}

/// Rows per chunk of the loss sums (fixed: the sums never depend on the number of threads).
const CHUNK: usize = 256;
/// Features per chunk of the gradient.
const FEATURE_CHUNK: usize = 64;

#[inline]
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^z)` without overflow.
#[inline]
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// The last point evaluated: parameters, cost, gradient.
type Evaluated = (Vec<f64>, f64, Vec<f64>);

/// The penalised log-loss of one model and its gradient, with a one-entry cache: argmin asks for
/// the cost and then the gradient at the same point, and both come from one pass.
struct Objective<'a> {
    x: &'a Csr,
    xt: &'a Csc,
    k: usize,
    softmax: bool,
    /// Class of each row (softmax) or 0/1 (sigmoid).
    y: &'a [u32],
    /// Row weights divided by their sum.
    w: &'a [f64],
    /// `1 / (C S)`.
    alpha: f64,
    cache: Mutex<Option<Evaluated>>,
    checkpoint: Checkpoint,
}

impl Objective<'_> {
    fn evaluate(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), argmin::core::Error> {
        if let Some((p, f, g)) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if p.as_slice() == theta {
                return Ok((*f, g.clone()));
            }
        }
        if self.checkpoint.is_cancelled() {
            return Err(argmin::core::Error::msg("interrupted"));
        }
        let (k, nf) = (self.k, self.x.n_cols);
        let (coef, b) = theta.split_at(nf * k);
        let n = self.x.n_rows;
        let mut resid = vec![0.0; n * k];
        let losses: Vec<f64> = resid
            .par_chunks_mut(CHUNK * k)
            .enumerate()
            .map(|(c, block)| {
                let mut loss = 0.0;
                for (local, r) in block.chunks_mut(k).enumerate() {
                    let i = c * CHUNK + local;
                    r.copy_from_slice(b);
                    let (idx, val) = self.x.row(i);
                    for (&j, &v) in idx.iter().zip(val) {
                        let wj = &coef[j as usize * k..(j as usize + 1) * k];
                        r.iter_mut().zip(wj).for_each(|(a, w)| *a += v * w);
                    }
                    let yi = self.y[i] as usize;
                    let wi = self.w[i];
                    if self.softmax {
                        let zy = r[yi];
                        let m = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let mut s = 0.0;
                        for a in r.iter_mut() {
                            *a = (*a - m).exp();
                            s += *a;
                        }
                        loss += wi * (m + s.ln() - zy);
                        for (kk, a) in r.iter_mut().enumerate() {
                            *a = wi * (*a / s - if kk == yi { 1.0 } else { 0.0 });
                        }
                    } else {
                        let z = r[0];
                        let t = yi as f64;
                        loss += wi * (softplus(z) - t * z);
                        r[0] = wi * (sigmoid(z) - t);
                    }
                }
                loss
            })
            .collect();
        let data_loss: f64 = losses.iter().sum();
        let penalty: f64 = coef.iter().map(|w| w * w).sum::<f64>();
        let f = data_loss + 0.5 * self.alpha * penalty;
        let mut grad = vec![0.0; theta.len()];
        let (gw, gb) = grad.split_at_mut(nf * k);
        gw.par_chunks_mut(FEATURE_CHUNK * k).enumerate().for_each(|(c, block)| {
            for (local, g) in block.chunks_mut(k).enumerate() {
                let j = c * FEATURE_CHUNK + local;
                for p in self.xt.colptr[j]..self.xt.colptr[j + 1] {
                    let i = self.xt.rows[p] as usize;
                    let v = self.xt.values[p];
                    let r = &resid[i * k..(i + 1) * k];
                    g.iter_mut().zip(r).for_each(|(a, b)| *a += v * b);
                }
                let wj = &coef[j * k..(j + 1) * k];
                g.iter_mut().zip(wj).for_each(|(a, w)| *a += self.alpha * w);
            }
        });
        for r in resid.chunks(k) {
            gb.iter_mut().zip(r).for_each(|(a, b)| *a += b);
        }
        if !f.is_finite() {
            return Err(argmin::core::Error::msg("the loss is not finite"));
        }
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((theta.to_vec(), f, grad.clone()));
        Ok((f, grad))
    }
}

impl CostFunction for Objective<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(self.evaluate(p)?.0)
    }
}

impl Gradient for Objective<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluate(p)?.1)
    }
}

/// Row weights `n / (K nₖ)` (balanced) or 1, divided by their sum `S`; returns them and `S`.
fn row_weights(y: &[u32], n_classes: usize, balanced: bool) -> (Vec<f64>, f64) {
    let n = y.len() as f64;
    let raw: Vec<f64> = if balanced {
        let mut counts = vec![0usize; n_classes];
        y.iter().for_each(|&c| counts[c as usize] += 1);
        y.iter().map(|&c| n / (n_classes as f64 * counts[c as usize] as f64)).collect()
    } else {
        vec![1.0; y.len()]
    };
    let s: f64 = raw.iter().sum();
    (raw.iter().map(|w| w / s).collect(), s)
}

/// Fits one model (softmax over `n_classes ≥ 3`, or sigmoid with `y` in {0, 1}).
fn fit_linear(x: &Csr, xt: &Csc, y: &[u32], n_classes: usize, params: &LogisticParams, cp: &Checkpoint) -> Result<LinearModel, MiroirError> {
    let softmax = n_classes > 2;
    let k = if softmax { n_classes } else { 1 };
    let (w, s) = row_weights(y, n_classes, params.balanced);
    let objective = Objective {
        x,
        xt,
        k,
        softmax,
        y,
        w: &w,
        alpha: 1.0 / (params.c * s),
        cache: Mutex::new(None),
        checkpoint: cp.clone(),
    };
    let dim = x.n_cols * k + k;
    let failed = |e: argmin::core::Error| -> MiroirError {
        if cp.is_cancelled() {
            MiroirError::Stats(StatsError::Interrupted)
        } else {
            MiroirError::Stats(StatsError::data("texts", format!("the logistic regression could not be fitted: {e}")))
        }
    };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), params.memory)
        .with_tolerance_grad(params.tol)
        .and_then(|s| s.with_tolerance_cost(64.0 * f64::EPSILON))
        .map_err(failed)?;
    let res = Executor::new(objective, solver)
        .configure(|state| state.param(vec![0.0; dim]).max_iters(params.max_iter))
        .timer(false)
        .run()
        .map_err(failed)?;
    if cp.is_cancelled() {
        return Err(MiroirError::Stats(StatsError::Interrupted));
    }
    let state = res.state();
    let theta = state.get_best_param().or(state.get_param()).cloned().unwrap_or_else(|| vec![0.0; dim]);
    if theta.iter().any(|v| !v.is_finite()) {
        return Err(MiroirError::Stats(StatsError::data("texts", "the logistic regression diverged (non-finite weights)")));
    }
    let converged = match state.get_termination_reason() {
        Some(TerminationReason::SolverConverged) => true,
        // a line search that cannot improve further at a tiny gradient has converged too
        Some(TerminationReason::SolverExit(_)) => state.get_gradient().is_some_and(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt() < 10.0 * params.tol),
        _ => false,
    };
    let (coef, intercept) = theta.split_at(x.n_cols * k);
    Ok(LinearModel { softmax, n_out: k, coef: coef.to_vec(), intercept: intercept.to_vec(), n_iter: state.get_iter(), converged })
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

// ---- cross-validation -------------------------------------------------------------------------

/// Scores of one fold (`fold`: its number as given; None: the mean over folds).
#[derive(Debug, Clone, PartialEq)]
pub struct FoldScore {
    pub fold: Option<i64>,
    pub n_train: usize,
    pub n_test: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub kappa: f64,
}

/// A fold (0..`folds`) per text, stratified: the rows of each class (or of each set of themes),
/// shuffled by a ChaCha8 stream seeded with `seed`, are dealt round-robin to the folds, the deal
/// continuing from one class to the next so that fold sizes differ by at most one.
pub fn stratified_folds(labels: &LabelSet, folds: usize, seed: u64) -> Result<Vec<u32>, MiroirError> {
    let n = labels.len();
    if folds < 2 || folds > n {
        return Err(MiroirError::InvalidArgument { argument: "folds".into(), detail: format!("expected 2 to {n} (the number of texts), got {folds}") });
    }
    let mut groups: BTreeMap<Vec<u32>, Vec<usize>> = BTreeMap::new();
    for (i, key) in labels.keys().into_iter().enumerate() {
        groups.entry(key).or_default().push(i);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = vec![0u32; n];
    let mut next = 0usize;
    for rows in groups.values_mut() {
        for i in (1..rows.len()).rev() {
            let j = below(&mut rng, i as u64 + 1) as usize;
            rows.swap(i, j);
        }
        for &r in rows.iter() {
            out[r] = (next % folds) as u32;
            next += 1;
        }
    }
    Ok(out)
}

/// F1 = 2tp / (2tp + fp + fn), 0 when the label is neither true nor predicted.
fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    let d = 2 * tp + fp + fn_;
    if d == 0 {
        0.0
    } else {
        2.0 * tp as f64 / d as f64
    }
}

fn kappa_of(a: &[usize], b: &[usize], k: usize) -> f64 {
    cohen_kappa(a, b, k, KappaWeights::Unweighted, 0.95).map_or(f64::NAN, |r| r.estimate)
}

/// Scores of predictions against the truth, by the definitions of scikit-learn's
/// `accuracy_score`, `f1_score(average="macro")` and `cohen_kappa_score`: one label per text —
/// accuracy, macro-F1 over the labels present in the truth or the predictions, Cohen's kappa;
/// themes — exact-match accuracy, macro-F1 over every theme of `n_labels` (0 for a theme
/// neither true nor predicted), and the mean of the defined per-theme kappas.
pub fn scores(truth: &Predictions, predicted: &Predictions, n_labels: usize) -> (f64, f64, f64) {
    match (truth, predicted) {
        (Predictions::Single(t), Predictions::Single(p)) => {
            let n = t.len();
            let acc = t.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / n as f64;
            let mut tp = vec![0usize; n_labels];
            let mut fp = vec![0usize; n_labels];
            let mut fn_ = vec![0usize; n_labels];
            for (&a, &b) in t.iter().zip(p) {
                if a == b {
                    tp[a as usize] += 1;
                } else {
                    fn_[a as usize] += 1;
                    fp[b as usize] += 1;
                }
            }
            let present: Vec<usize> = (0..n_labels).filter(|&c| tp[c] + fp[c] + fn_[c] > 0).collect();
            let mf1 = present.iter().map(|&c| f1(tp[c], fp[c], fn_[c])).sum::<f64>() / present.len() as f64;
            let a: Vec<usize> = t.iter().map(|&v| v as usize).collect();
            let b: Vec<usize> = p.iter().map(|&v| v as usize).collect();
            (acc, mf1, kappa_of(&a, &b, n_labels))
        }
        (Predictions::Multi(t), Predictions::Multi(p)) => {
            let n = t.len();
            let acc = t.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / n as f64;
            let (mut f1s, mut kappas) = (0.0, Vec::new());
            for l in 0..n_labels as u32 {
                let a: Vec<usize> = t.iter().map(|s| usize::from(s.contains(&l))).collect();
                let b: Vec<usize> = p.iter().map(|s| usize::from(s.contains(&l))).collect();
                let tp = a.iter().zip(&b).filter(|(x, y)| **x == 1 && **y == 1).count();
                let fp = a.iter().zip(&b).filter(|(x, y)| **x == 0 && **y == 1).count();
                let fn_ = a.iter().zip(&b).filter(|(x, y)| **x == 1 && **y == 0).count();
                f1s += f1(tp, fp, fn_);
                let k = kappa_of(&a, &b, 2);
                if k.is_finite() {
                    kappas.push(k);
                }
            }
            let kappa = if kappas.is_empty() { f64::NAN } else { kappas.iter().sum::<f64>() / kappas.len() as f64 };
            (acc, f1s / n_labels as f64, kappa)
        }
        _ => (f64::NAN, f64::NAN, f64::NAN),
    }
}

/// Cross-validation on the folds given (`folds[i]` the fold of text `i`, any integers: each
/// distinct value is one fold, in increasing order): for each fold, a classifier fitted on the
/// other folds (its own vocabulary and IDF) predicts the fold. Returns one score per fold, then
/// their mean (`fold = None`).
pub fn cross_validate(
    texts: &[Option<&str>],
    languages: &[Option<Language>],
    labels: &LabelSet,
    folds: &[i64],
    params: &ClassifierParams,
) -> Result<Vec<FoldScore>, MiroirError> {
    params.check()?;
    let n = texts.len();
    if n == 0 {
        return Err(MiroirError::EmptyTable { table: "texts".into(), detail: "no labelled text to cross-validate on".into() });
    }
    if labels.len() != n {
        return Err(MiroirError::InvalidArgument { argument: "labels".into(), detail: format!("{} labels for {n} texts", labels.len()) });
    }
    if folds.len() != n {
        return Err(MiroirError::InvalidArgument { argument: "folds".into(), detail: format!("{} fold numbers for {n} texts", folds.len()) });
    }
    let mut ids: Vec<i64> = folds.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() < 2 {
        return Err(MiroirError::InvalidArgument { argument: "folds".into(), detail: "at least 2 distinct folds are needed".into() });
    }
    for &f in &ids {
        let size = folds.iter().filter(|&&v| v == f).count();
        if size < 2 {
            return Err(MiroirError::InvalidArgument { argument: "folds".into(), detail: format!("fold {f} holds {size} text; each fold needs at least 2") });
        }
    }
    let docs = analyze(texts, &languages_for(languages, params.language), &params.tfidf.terms, false, "texts")?;
    let cp = checkpoint();
    let truth_all = match &labels.targets {
        Targets::Single(y) => Predictions::Single(y.clone()),
        Targets::Multi(y) => Predictions::Multi(y.clone()),
    };
    let mut out = Vec::with_capacity(ids.len() + 1);
    for &f in &ids {
        let train: Vec<usize> = (0..n).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..n).filter(|&i| folds[i] == f).collect();
        let train_docs: Vec<&[String]> = train.iter().map(|&i| docs[i].terms.as_slice()).collect();
        let test_docs: Vec<&[String]> = test.iter().map(|&i| docs[i].terms.as_slice()).collect();
        let sub = labels.subset(&train);
        let model = TextClassifier::fit_terms(&train_docs, &sub, params, &cp).map_err(|e| match e {
            MiroirError::InsufficientData { detail } => {
                MiroirError::InsufficientData { detail: format!("fold {f}: the other folds: {detail}") }
            }
            other => other,
        })?;
        // model label indices back to the global ones
        let to_global: Vec<u32> = model.labels.iter().map(|l| labels.names.binary_search(l).unwrap_or(0) as u32).collect();
        let pred = match model.decide(&model.predict_proba_terms(&test_docs)) {
            Predictions::Single(p) => Predictions::Single(p.into_iter().map(|c| to_global[c as usize]).collect()),
            Predictions::Multi(p) => Predictions::Multi(p.into_iter().map(|s| s.into_iter().map(|t| to_global[t as usize]).collect()).collect()),
        };
        let truth = match &truth_all {
            Predictions::Single(y) => Predictions::Single(test.iter().map(|&i| y[i]).collect()),
            Predictions::Multi(y) => Predictions::Multi(test.iter().map(|&i| y[i].clone()).collect()),
        };
        let (accuracy, macro_f1, kappa) = scores(&truth, &pred, labels.names.len());
        out.push(FoldScore { fold: Some(f), n_train: train.len(), n_test: test.len(), accuracy, macro_f1, kappa });
    }
    let k = out.len() as f64;
    let mean = |g: fn(&FoldScore) -> f64| out.iter().map(g).sum::<f64>() / k;
    let row = FoldScore {
        fold: None,
        n_train: 0,
        n_test: n,
        accuracy: mean(|s| s.accuracy),
        macro_f1: mean(|s| s.macro_f1),
        kappa: mean(|s| s.kappa),
    };
    out.push(row);
    Ok(out)
}

// ---- saved models -----------------------------------------------------------------------------

const MAGIC: &[u8; 8] = b"MIROIRTC";
/// Version of the saved layout this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn bound(&mut self, b: DfBound) {
        match b {
            DfBound::Count(c) => {
                self.u8(0);
                self.u64(c);
            }
            DfBound::Proportion(p) => {
                self.u8(1);
                self.f64(p);
            }
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.buf.len() - self.pos < n {
            return Err(format!("truncated at byte {}", self.pos));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn flag(&mut self) -> Result<bool, String> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(format!("invalid flag {v} at byte {}", self.pos - 1)),
        }
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn usize(&mut self) -> Result<usize, String> {
        let v = self.u64()?;
        usize::try_from(v).map_err(|_| format!("count {v} too large"))
    }
    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    /// `n` f64 values, checked to fit in what is left before allocating.
    fn f64s(&mut self, n: usize) -> Result<Vec<f64>, String> {
        let bytes = self.take(n.checked_mul(8).ok_or("count too large")?)?;
        Ok(bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        let at = self.pos;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| format!("invalid UTF-8 text at byte {at}"))
    }
    fn bound(&mut self) -> Result<DfBound, String> {
        match self.u8()? {
            0 => Ok(DfBound::Count(self.u64()?)),
            1 => Ok(DfBound::Proportion(self.f64()?)),
            t => Err(format!("invalid document-frequency bound tag {t}")),
        }
    }
}

impl TextClassifier {
    /// The model in the saved layout (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(FORMAT_VERSION);
        let p = &self.params;
        w.u8(match p.language {
            None => 0,
            Some(Language::Fr) => 1,
            Some(Language::En) => 2,
        });
        w.u64(p.seed);
        let t = &p.tfidf;
        w.u32(t.terms.ngram_range.0 as u32);
        w.u32(t.terms.ngram_range.1 as u32);
        w.u8(u8::from(t.terms.stop_words));
        w.bound(t.min_df);
        w.bound(t.max_df);
        w.u64(t.max_features.map_or(0, |m| m as u64));
        w.u8(u8::from(t.sublinear_tf));
        let l = &p.logistic;
        w.f64(l.c);
        w.f64(l.tol);
        w.u64(l.max_iter);
        w.u8(u8::from(l.balanced));
        w.u64(l.memory as u64);
        w.u64(self.tfidf.n_docs as u64);
        w.u64(self.tfidf.vocabulary.len() as u64);
        self.tfidf.vocabulary.iter().for_each(|s| w.str(s));
        self.tfidf.idf.iter().for_each(|&v| w.f64(v));
        w.u8(u8::from(self.multi_label));
        w.u64(self.labels.len() as u64);
        self.labels.iter().for_each(|s| w.str(s));
        w.u64(self.models.len() as u64);
        for m in &self.models {
            w.u8(u8::from(m.softmax));
            w.u64(m.n_out as u64);
            w.u64(m.n_iter);
            w.u8(u8::from(m.converged));
            m.coef.iter().for_each(|&v| w.f64(v));
            m.intercept.iter().for_each(|&v| w.f64(v));
        }
        let sum = fnv1a(&w.0);
        w.u64(sum);
        w.0
    }

    /// A model read back from [`TextClassifier::to_bytes`]; anything else is a file error
    /// naming `path` and what is wrong.
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<TextClassifier, MiroirError> {
        Self::parse(bytes).map_err(|detail| MiroirError::Io { path: path.into(), detail: format!("not a usable miroir classifier: {detail}") })
    }

    fn parse(bytes: &[u8]) -> Result<TextClassifier, String> {
        if bytes.len() < 20 || &bytes[..8] != MAGIC {
            return Err("not a miroir classifier file (no MIROIRTC header)".into());
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let mut r = Reader { buf: body, pos: 8 };
        let version = r.u32()?;
        if version == 0 || version > FORMAT_VERSION {
            return Err(format!("format version {version}, this miroir reads versions 1 to {FORMAT_VERSION}"));
        }
        if u64::from_le_bytes(tail.try_into().expect("8 bytes")) != fnv1a(body) {
            return Err("checksum mismatch (the file is corrupt or truncated)".into());
        }
        let language = match r.u8()? {
            0 => None,
            1 => Some(Language::Fr),
            2 => Some(Language::En),
            v => return Err(format!("invalid language code {v}")),
        };
        let seed = r.u64()?;
        let ngram_range = (r.u32()? as usize, r.u32()? as usize);
        let stop_words = r.flag()?;
        let min_df = r.bound()?;
        let max_df = r.bound()?;
        let max_features = match r.usize()? {
            0 => None,
            m => Some(m),
        };
        let sublinear_tf = r.flag()?;
        let logistic = LogisticParams { c: r.f64()?, tol: r.f64()?, max_iter: r.u64()?, balanced: r.flag()?, memory: r.usize()? };
        let params = ClassifierParams {
            language,
            seed,
            tfidf: TfidfParams { terms: TermOptions { ngram_range, stop_words }, min_df, max_df, max_features, sublinear_tf },
            logistic,
        };
        params.check().map_err(|e| format!("invalid settings: {e}"))?;
        let n_docs = r.usize()?;
        let n_terms = r.usize()?;
        if n_terms > body.len() {
            return Err(format!("{n_terms} terms cannot fit in {} bytes", body.len()));
        }
        let vocabulary = (0..n_terms).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        let idf = r.f64s(n_terms)?;
        let tfidf = Tfidf::from_parts(params.tfidf, vocabulary, idf, n_docs)?;
        let multi_label = r.flag()?;
        let n_labels = r.usize()?;
        if n_labels > body.len() {
            return Err(format!("{n_labels} labels cannot fit in {} bytes", body.len()));
        }
        let labels = (0..n_labels).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        if labels.windows(2).any(|w| w[0] >= w[1]) || labels.len() < if multi_label { 1 } else { 2 } {
            return Err("labels not sorted, duplicated or too few".into());
        }
        let n_models = r.usize()?;
        let expected = if multi_label { labels.len() } else { 1 };
        if n_models != expected {
            return Err(format!("{n_models} models for {expected} expected"));
        }
        let mut models = Vec::with_capacity(n_models);
        for _ in 0..n_models {
            let softmax = r.flag()?;
            let n_out = r.usize()?;
            let want = if multi_label || labels.len() == 2 { (false, 1) } else { (true, labels.len()) };
            if (softmax, n_out) != want {
                return Err(format!("a model with {n_out} outputs where {} are expected", want.1));
            }
            let n_iter = r.u64()?;
            let converged = r.flag()?;
            let coef = r.f64s(n_terms.checked_mul(n_out).ok_or("size overflow")?)?;
            let intercept = r.f64s(n_out)?;
            if coef.iter().chain(&intercept).any(|v| !v.is_finite()) {
                return Err("non-finite weights".into());
            }
            models.push(LinearModel { softmax, n_out, coef, intercept, n_iter, converged });
        }
        if r.pos != body.len() {
            return Err(format!("{} unexpected bytes after the model", body.len() - r.pos));
        }
        Ok(TextClassifier { params, tfidf, labels, multi_label, models })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
