//! Relative importance and dominance analysis ([`crate::stats::relimp`]) as tidy tables
//! (`miroir.stats.relative_importance` and `dominance`).

use super::frame;
use crate::stats::relimp::{Dominance, Method, Model, Relimp};
use crate::Result;
use polars::prelude::*;

/// One row per predictor: `predictor`, one Float64 column per method asked for, in order and
/// named after it (`lmg`, followed by `lmg_se` when sampled; `pratt`, `first`, `last`,
/// `betasq`, `johnson`), `share` (with LMG), `r2`, `r2_always` (when `model` has `always`
/// columns), `n_permutations` (UInt64, sampled LMG only) and `n` (UInt64, when the number of
/// observations is known).
///
/// ```
/// use miroir::stats::relimp::{relative_importance, Covariance, Method, Model, RelimpOptions};
/// // x1 and x2 uncorrelated: each predictor's LMG is its squared correlation with y
/// let names: Vec<String> = ["y", "x1", "x2"].map(String::from).to_vec();
/// let cov = Covariance::new(names, vec![1.0, 0.3, 0.4, 0.3, 1.0, 0.0, 0.4, 0.0, 1.0]).unwrap();
/// let model = Model::new("y", &["x1", "x2"], &[], &[]).unwrap();
/// let opts = RelimpOptions { methods: vec![Method::Lmg, Method::First], ..RelimpOptions::default() };
/// let r = relative_importance(&cov, &model, &opts).unwrap();
/// let table = miroir::tidy::relimp::relative_importance_frame(&r, &model).unwrap();
/// assert_eq!(table.get_column_names(), ["predictor", "lmg", "first", "share", "r2"]);
/// let lmg = table.column("lmg").unwrap().f64().unwrap();
/// assert!((lmg.get(1).unwrap() - 0.16).abs() < 1e-12);
/// ```
pub fn relative_importance_frame(r: &Relimp, model: &Model) -> Result<DataFrame> {
    let k = r.predictors.len();
    let mut cols = vec![Column::new("predictor".into(), r.predictors.clone())];
    for method in &r.methods {
        if let Some(v) = r.values(*method) {
            cols.push(Column::new(method.as_str().into(), v.to_vec()));
        }
        if *method == Method::Lmg {
            if let Some(se) = &r.lmg_se {
                cols.push(Column::new("lmg_se".into(), se.clone()));
            }
        }
    }
    if let Some(s) = &r.share {
        cols.push(Column::new("share".into(), s.clone()));
    }
    cols.push(Column::new("r2".into(), vec![r.r2; k]));
    if !model.always.is_empty() {
        cols.push(Column::new("r2_always".into(), vec![r.r2_always; k]));
    }
    if let Some(b) = r.n_permutations {
        cols.push(Column::new("n_permutations".into(), vec![b as u64; k]));
    }
    if let Some(n) = r.n_obs {
        cols.push(Column::new("n".into(), vec![n as u64; k]));
    }
    frame(cols)
}

/// Dominance analysis as three tables: general (`predictor, general, share`, the share of
/// `r2 - r2_always`), conditional (`predictor, k1, ..., kK`: the mean increment over the
/// subsets of each size) and complete (`dominant, dominated, relation`, one row per ordered
/// pair of distinct predictors).
pub fn dominance_frames(d: &Dominance) -> Result<(DataFrame, DataFrame, DataFrame)> {
    let k = d.predictors.len();
    let explained = d.r2 - d.r2_always;
    let general = frame(vec![
        Column::new("predictor".into(), d.predictors.clone()),
        Column::new("general".into(), d.general.clone()),
        Column::new("share".into(), d.general.iter().map(|g| g / explained).collect::<Vec<f64>>()),
    ])?;
    let mut cond = vec![Column::new("predictor".into(), d.predictors.clone())];
    for level in 0..k {
        cond.push(Column::new(format!("k{}", level + 1).into(), d.conditional.iter().map(|c| c[level]).collect::<Vec<f64>>()));
    }
    let conditional = frame(cond)?;
    let (mut a, mut b, mut rel) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..k {
        for j in 0..k {
            if i != j {
                a.push(d.predictors[i].as_str());
                b.push(d.predictors[j].as_str());
                rel.push(d.complete[i][j].as_str());
            }
        }
    }
    let complete = frame(vec![
        Column::new("dominant".into(), a),
        Column::new("dominated".into(), b),
        Column::new("relation".into(), rel),
    ])?;
    Ok((general, conditional, complete))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::relimp::{dominance, Covariance};

    #[test]
    fn dominance_frames_of_two_uncorrelated_predictors() {
        let names: Vec<String> = ["y", "x1", "x2"].map(String::from).to_vec();
        let cov = Covariance::new(names, vec![1.0, 0.3, 0.4, 0.3, 1.0, 0.0, 0.4, 0.0, 1.0]).unwrap();
        let model = Model::new("y", &["x1", "x2"], &[], &[]).unwrap();
        let (general, conditional, complete) = dominance_frames(&dominance(&cov, &model).unwrap()).unwrap();
        assert_eq!(general.get_column_names(), ["predictor", "general", "share"]);
        let share = general.column("share").unwrap().f64().unwrap();
        assert!((share.get(0).unwrap() - 0.09 / 0.25).abs() < 1e-12);
        assert_eq!(conditional.get_column_names(), ["predictor", "k1", "k2"]);
        assert_eq!(complete.get_column_names(), ["dominant", "dominated", "relation"]);
        let relation = complete.column("relation").unwrap().str().unwrap();
        assert_eq!((relation.get(0), relation.get(1)), (Some("dominated"), Some("dominates")));
    }
}
