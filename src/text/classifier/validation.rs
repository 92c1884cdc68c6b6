//! Stratified folds and cross-validation of a [`TextClassifier`]: accuracy / F1 and Cohen's
//! kappa per fold and their mean.

use super::{languages_for, ClassifierParams, LabelSet, Predictions, Targets, TextClassifier};
use crate::error::MiroirError;
use crate::interrupt::checkpoint;
use crate::text::tfidf::analyze;
use crate::stats::agreement::{cohen_kappa, KappaWeights};
use crate::stats::resample::below;
use crate::text::normalize::Language;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

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

