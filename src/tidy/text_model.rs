//! Tables of the text models (`miroir.text.Classifier`, `cross_validate`, `suggest_themes`):
//! the classifier's probabilities, least-sure texts, TF-IDF rows and top terms
//! ([`crate::text::classifier`], [`crate::text::tfidf`]), cross-validated scores, and suggested
//! themes ([`crate::text::cluster`]).

use super::frame;
use crate::text::classifier::{FoldScore, Predictions, TextClassifier};
use crate::text::cluster::ThemeSuggestions;
use crate::text::tfidf::Csr;
use crate::Result;
use polars::prelude::*;

/// A column of lists of text (`list[str]`), null where a row is `None`.
fn list_column(name: &str, rows: Vec<Option<Vec<String>>>) -> Result<Column> {
    let lists: Vec<Option<Series>> = rows.into_iter().map(|r| r.map(|v| Series::new("".into(), v))).collect();
    Ok(Series::new(name.into(), lists).cast(&DataType::List(Box::new(DataType::String)))?.into_column())
}

/// Predicted labels named by the classifier's labels: a String Series (one class per text) or a
/// `list[str]` Series (the themes of each text).
pub fn labels_series(m: &TextClassifier, name: &str, p: Predictions) -> Result<Series> {
    let names = &m.labels;
    Ok(match p {
        Predictions::Single(v) => Series::new(name.into(), v.iter().map(|&c| names[c as usize].as_str()).collect::<Vec<&str>>()),
        Predictions::Multi(v) => list_column(
            name,
            v.into_iter().map(|s| Some(s.into_iter().map(|t| names[t as usize].clone()).collect())).collect(),
        )?
        .take_materialized_series(),
    })
}

/// Probabilities of `n` texts (`proba`: row-major, one value per text and label, as
/// [`TextClassifier::predict_proba`] returns them): one Float64 column per label, named after it.
pub fn proba_frame(m: &TextClassifier, proba: &[f64], n: usize) -> Result<DataFrame> {
    let l = m.labels.len();
    let cols = (0..l)
        .map(|j| Column::new(m.labels[j].as_str().into(), (0..n).map(|i| proba[i * l + j]).collect::<Vec<f64>>()))
        .collect();
    frame(cols)
}

/// The `n` texts the model is least sure of ([`TextClassifier::least_sure`]), least sure
/// first: `row` (UInt32), `label` (as [`labels_series`]), `confidence` (the top probability;
/// multi-label: `(1 + margin)/2`), `margin` (Float64).
pub fn uncertain_frame(m: &TextClassifier, proba: &[f64], n: usize) -> Result<DataFrame> {
    let rows = m.least_sure(proba, n);
    let margins = m.margins(proba);
    let l = m.labels.len();
    let picked: Vec<f64> = rows.iter().flat_map(|&r| proba[r * l..(r + 1) * l].iter().copied()).collect();
    let labels = labels_series(m, "label", m.decide(&picked))?;
    let margin: Vec<f64> = rows.iter().map(|&r| margins[r]).collect();
    let confidence: Vec<f64> = if m.multi_label {
        margin.iter().map(|v| (1.0 + v) / 2.0).collect()
    } else {
        rows.iter().map(|&r| proba[r * l..(r + 1) * l].iter().copied().fold(f64::NEG_INFINITY, f64::max)).collect()
    };
    frame(vec![
        Column::new("row".into(), rows.iter().map(|&r| r as u32).collect::<Vec<u32>>()),
        labels.into_column(),
        Column::new("confidence".into(), confidence),
        Column::new("margin".into(), margin),
    ])
}

/// TF-IDF rows of texts (the classifier's `tfidf.transform`), long: `row` (UInt32), `column`
/// (UInt32, the term's index), `term` (from `vocabulary`), `weight` (Float64); non-zero entries
/// only, by row then column.
pub fn tfidf_frame(x: Csr, vocabulary: &[String]) -> Result<DataFrame> {
    let rows: Vec<u32> = (0..x.n_rows).flat_map(|i| std::iter::repeat_n(i as u32, x.indptr[i + 1] - x.indptr[i])).collect();
    frame(vec![
        Column::new("row".into(), rows),
        Column::new("column".into(), x.indices.clone()),
        Column::new("term".into(), x.indices.iter().map(|&j| vocabulary[j as usize].as_str()).collect::<Vec<&str>>()),
        Column::new("weight".into(), x.data),
    ])
}

/// The `n` terms of largest weight per label ([`TextClassifier::top_terms`]): `label`, `rank`
/// (UInt32, from 1), `term`, `weight` (Float64).
pub fn top_terms_frame(m: &TextClassifier, n: usize) -> Result<DataFrame> {
    let top = m.top_terms(n);
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
    frame(vec![
        Column::new("label".into(), label),
        Column::new("rank".into(), rank),
        Column::new("term".into(), term),
        Column::new("weight".into(), weight),
    ])
}

/// Cross-validated scores ([`crate::text::classifier::cross_validate`]): `fold` (String: the
/// fold's number, or `mean`), `n_train` (UInt32, null on the mean row), `n_test` (UInt32),
/// `accuracy`, `macro_f1`, `kappa` (Float64).
pub fn cross_validation_frame(scores: &[FoldScore]) -> Result<DataFrame> {
    frame(vec![
        Column::new("fold".into(), scores.iter().map(|s| s.fold.map_or("mean".to_string(), |f| f.to_string())).collect::<Vec<String>>()),
        Column::new("n_train".into(), scores.iter().map(|s| s.fold.map(|_| s.n_train as u32)).collect::<Vec<Option<u32>>>()),
        Column::new("n_test".into(), scores.iter().map(|s| s.n_test as u32).collect::<Vec<u32>>()),
        Column::new("accuracy".into(), scores.iter().map(|s| s.accuracy).collect::<Vec<f64>>()),
        Column::new("macro_f1".into(), scores.iter().map(|s| s.macro_f1).collect::<Vec<f64>>()),
        Column::new("kappa".into(), scores.iter().map(|s| s.kappa).collect::<Vec<f64>>()),
    ])
}

/// Suggested themes of `texts` ([`crate::text::cluster::suggest_themes`]) as (themes,
/// assignments). Themes, one row per cluster: `cluster, size` (UInt32), `share` (of the
/// clustered texts), `respondents` (UInt32), `cohesion` (Float64), `suppressed` (Boolean),
/// `keywords, terms, examples` (`list[str]`, null when suppressed; examples as texts).
/// Assignments, one row per text: `row` (UInt32), `cluster` (UInt32), `similarity` (Float64),
/// `reason` (String: why a text has no cluster, else null).
pub fn theme_frames(s: &ThemeSuggestions, texts: &[Option<&str>]) -> Result<(DataFrame, DataFrame)> {
    let t = &s.themes;
    let clustered: usize = t.iter().map(|x| x.size).sum();
    let text_of = |rows: &[usize]| -> Vec<String> { rows.iter().map(|&r| texts[r].unwrap_or_default().to_string()).collect() };
    let themes = frame(vec![
        Column::new("cluster".into(), t.iter().map(|x| x.cluster).collect::<Vec<u32>>()),
        Column::new("size".into(), t.iter().map(|x| x.size as u32).collect::<Vec<u32>>()),
        Column::new("share".into(), t.iter().map(|x| x.size as f64 / clustered as f64).collect::<Vec<f64>>()),
        Column::new("respondents".into(), t.iter().map(|x| x.respondents as u32).collect::<Vec<u32>>()),
        Column::new("cohesion".into(), t.iter().map(|x| x.cohesion).collect::<Vec<f64>>()),
        Column::new("suppressed".into(), t.iter().map(|x| x.suppressed).collect::<Vec<bool>>()),
        list_column("keywords", t.iter().map(|x| (!x.suppressed).then(|| x.keywords.clone())).collect())?,
        list_column("terms", t.iter().map(|x| (!x.suppressed).then(|| x.terms.clone())).collect())?,
        list_column("examples", t.iter().map(|x| (!x.suppressed).then(|| text_of(&x.examples))).collect())?,
    ])?;
    let a = &s.assignments;
    let assignments = frame(vec![
        Column::new("row".into(), (0..a.len() as u32).collect::<Vec<u32>>()),
        Column::new("cluster".into(), a.iter().map(|x| x.cluster).collect::<Vec<Option<u32>>>()),
        Column::new("similarity".into(), a.iter().map(|x| x.similarity).collect::<Vec<Option<f64>>>()),
        Column::new("reason".into(), a.iter().map(|x| x.reason).collect::<Vec<Option<&str>>>()),
    ])?;
    Ok((themes, assignments))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::classifier::{cross_validate, ClassifierParams, LabelSet};
    use crate::text::cluster::{suggest_themes, KMeansParams, ThemeParams};
    use crate::text::Language;

    /// Twelve French texts of two classes with disjoint words.
    fn corpus() -> (Vec<Option<&'static str>>, LabelSet) {
        let wait = ["attente longue au guichet", "trop d'attente", "longue file d'attente", "attente interminable", "encore de l'attente", "attente au téléphone"];
        let price = ["frais trop chers", "des frais cachés", "les frais augmentent", "tarif trop cher", "frais de compte chers", "prix et frais élevés"];
        let texts: Vec<Option<&str>> = wait.iter().zip(&price).flat_map(|(a, b)| [Some(*a), Some(*b)]).collect();
        let labels: Vec<Option<&str>> = (0..12).map(|i| Some(if i % 2 == 0 { "wait" } else { "price" })).collect();
        (texts, LabelSet::single(&labels).unwrap())
    }

    #[test]
    fn classifier_tables_name_their_columns_after_the_labels() {
        let (texts, labels) = corpus();
        let langs = vec![Some(Language::Fr); texts.len()];
        let m = TextClassifier::fit(&texts, &langs, &labels, &ClassifierParams::default()).unwrap();
        let p = m.predict_proba(&texts, &langs).unwrap();
        let proba = proba_frame(&m, &p, texts.len()).unwrap();
        assert_eq!(proba.get_column_names(), ["price", "wait"]);
        let wait = proba.column("wait").unwrap().f64().unwrap();
        assert!(wait.get(0).unwrap() > 0.5 && wait.get(1).unwrap() < 0.5);
        let unsure = uncertain_frame(&m, &p, 3).unwrap();
        assert_eq!(unsure.get_column_names(), ["row", "label", "confidence", "margin"]);
        assert_eq!(unsure.height(), 3);
        let top = top_terms_frame(&m, 2).unwrap();
        assert_eq!(top.get_column_names(), ["label", "rank", "term", "weight"]);
        assert_eq!(top.column("rank").unwrap().u32().unwrap().get(0), Some(1));
        let docs = m.analyze(&texts[..1], &langs[..1]).unwrap();
        let refs: Vec<&[String]> = docs.iter().map(Vec::as_slice).collect();
        let x = tfidf_frame(m.tfidf.transform(&refs), &m.tfidf.vocabulary).unwrap();
        assert_eq!(x.get_column_names(), ["row", "column", "term", "weight"]);
        assert!(x.column("row").unwrap().u32().unwrap().into_no_null_iter().all(|r| r == 0));
        let folds: Vec<i64> = (0..12).map(|i| (i / 2) % 2).collect();
        let cv = cross_validation_frame(&cross_validate(&texts, &langs, &labels, &folds, &ClassifierParams::default()).unwrap()).unwrap();
        assert_eq!(cv.get_column_names(), ["fold", "n_train", "n_test", "accuracy", "macro_f1", "kappa"]);
        assert_eq!(cv.column("fold").unwrap().str().unwrap().get(2), Some("mean"));
        assert_eq!(cv.column("n_test").unwrap().u32().unwrap().get(0), Some(6));
    }

    #[test]
    fn theme_frames_give_one_row_per_cluster_and_per_text() {
        let (texts, _) = corpus();
        let params = ThemeParams { kmeans: KMeansParams { k: 2, ..KMeansParams::default() }, language: Some(Language::Fr), min_text_group_size: 1, ..ThemeParams::default() };
        let s = suggest_themes(&texts, &[None; 12], None, &params).unwrap();
        let (themes, assignments) = theme_frames(&s, &texts).unwrap();
        assert_eq!(
            themes.get_column_names(),
            ["cluster", "size", "share", "respondents", "cohesion", "suppressed", "keywords", "terms", "examples"]
        );
        assert_eq!(themes.height(), 2);
        let share: f64 = themes.column("share").unwrap().f64().unwrap().into_no_null_iter().sum();
        assert!((share - 1.0).abs() < 1e-12);
        assert_eq!(assignments.get_column_names(), ["row", "cluster", "similarity", "reason"]);
        assert_eq!(assignments.height(), 12);
    }
}
