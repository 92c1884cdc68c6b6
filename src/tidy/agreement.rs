//! Agreement tables: precision, recall and F1 per label of two codings
//! ([`crate::stats::agreement`], `miroir.stats.agreement`) and within-group agreement per group
//! ([`crate::stats::reliability`], `miroir.stats.rwg` and `rwg_j`).

use super::frame;
use crate::stats::agreement::{LabelAgreement, MultiLabelAgreement};
use crate::stats::reliability::GroupAgreement;
use crate::Result;
use polars::prelude::*;

/// The per-label table of two multi-label codings: one row per label (`label` from `labels`,
/// one name per label code), then a `macro` and a `micro` row (`label` null, `average` says
/// which); columns `label, average` (String), `precision, recall, f1` (Float64), `support, tp,
/// fp, fn, n_items` (UInt64). The macro row repeats the micro row's counts.
///
/// ```
/// use miroir::stats::agreement::multilabel_agreement;
/// // (item, label): label 0 agreed on item 0; label 1 coded on item 1, the reference says item 2
/// let m = multilabel_agreement(&[(0, 0), (1, 1)], &[(0, 0), (2, 1)], 2).unwrap();
/// let labels = ["price".to_string(), "staff".to_string()];
/// let table = miroir::tidy::agreement::label_agreement_frame(&m, &labels).unwrap();
/// assert_eq!(table.get_column_names()[..5], ["label", "average", "precision", "recall", "f1"]);
/// assert_eq!(table.height(), 4);
/// let f1 = table.column("f1").unwrap().f64().unwrap();
/// assert_eq!((f1.get(0), f1.get(1), f1.get(2)), (Some(1.0), Some(0.0), Some(0.5)));
/// ```
pub fn label_agreement_frame(m: &MultiLabelAgreement, labels: &[String]) -> Result<DataFrame> {
    let mut rows: Vec<&LabelAgreement> = m.labels.iter().collect();
    rows.push(&m.micro);
    rows.push(&m.micro);
    let k = m.labels.len();
    let mut precision: Vec<f64> = rows.iter().map(|r| r.precision).collect();
    let mut recall: Vec<f64> = rows.iter().map(|r| r.recall).collect();
    let mut f1: Vec<f64> = rows.iter().map(|r| r.f1).collect();
    (precision[k], recall[k], f1[k]) = (m.macro_precision, m.macro_recall, m.macro_f1);
    let u = |f: &dyn Fn(&LabelAgreement) -> u64| rows.iter().map(|r| f(r)).collect::<Vec<u64>>();
    let mut label: Vec<Option<&str>> = labels.iter().map(|s| Some(s.as_str())).collect();
    label.extend([None, None]);
    let mut average: Vec<Option<&str>> = vec![None; k];
    average.extend([Some("macro"), Some("micro")]);
    frame(vec![
        Column::new("label".into(), label),
        Column::new("average".into(), average),
        Column::new("precision".into(), precision),
        Column::new("recall".into(), recall),
        Column::new("f1".into(), f1),
        Column::new("support".into(), u(&|r| r.support)),
        Column::new("tp".into(), u(&|r| r.tp)),
        Column::new("fp".into(), u(&|r| r.fp)),
        Column::new("fn".into(), u(&|r| r.fn_)),
        Column::new("n_items".into(), vec![m.n_items; k + 2]),
    ])
}

/// Per-group agreement with the original group labels: `group` (the labels' dtype, each
/// group's label taken from `groups` at its first row), `rwg` (Float64), `group_size` (UInt64).
/// `codes` are the dense codes of `groups` the rows were computed on ([`super::group_codes`]).
///
/// ```
/// use miroir::stats::reliability::rwg;
/// use polars::prelude::*;
/// let groups = Series::new("team".into(), ["b", "b", "a", "a"]);
/// let codes = miroir::tidy::group_codes(&groups, "groups").unwrap();
/// let rows = rwg(&[3.0, 3.0, 2.0, 4.0], &codes, 5.0).unwrap();
/// let table = miroir::tidy::agreement::group_agreement_frame(&groups, &codes, &rows).unwrap();
/// assert_eq!(table.get_column_names(), ["group", "rwg", "group_size"]);
/// assert_eq!(table.column("group").unwrap().str().unwrap().get(0), Some("b"));
/// // no spread within team b: full agreement
/// assert_eq!(table.column("rwg").unwrap().f64().unwrap().get(0), Some(1.0));
/// ```
pub fn group_agreement_frame(groups: &Series, codes: &[usize], rows: &[GroupAgreement]) -> Result<DataFrame> {
    // first row index of each code, to recover its label
    let mut first = vec![usize::MAX; codes.iter().max().map_or(0, |m| m + 1)];
    for (i, c) in codes.iter().enumerate() {
        if first[*c] == usize::MAX {
            first[*c] = i;
        }
    }
    let idx: Vec<IdxSize> = rows.iter().map(|r| first[r.group] as IdxSize).collect();
    let labels = groups.take(&IdxCa::from_vec("group".into(), idx))?;
    frame(vec![
        labels.with_name("group".into()).into_column(),
        Column::new("rwg".into(), rows.iter().map(|r| r.value).collect::<Vec<f64>>()),
        Column::new("group_size".into(), rows.iter().map(|r| r.size as u64).collect::<Vec<u64>>()),
    ])
}
