//! Kernel results as tidy polars tables: the DataFrames the Python functions return, built here
//! from the core's own result types so that a Rust caller gets the same tables without Python
//! (the bindings only convert arguments, call the kernel, and hand these tables over).
//!
//! A test's [`TestResult`] follows broom's convention (`estimate, statistic, df, p_value, ci_low,
//! ci_high, n, method, alternative`, the test's extra columns, then `note`); a model fit is one
//! row per term with its fit statistics repeated as columns ([`ols_frame`],
//! [`mixed::mixed_frame`]). One submodule per family of results:
//! - [`mixed`]: the random-intercept model;
//! - [`planning`]: Hunter–Schmidt meta-analysis, power of a correlation, linkage-study plan;
//! - [`relimp`]: relative importance and dominance analysis;
//! - [`agreement`]: per-label agreement of two codings, rwg per group;
//! - [`text`]: codebook coding and lexicon sentiment;
//! - [`text_model`]: the text classifier, its cross-validation, and theme suggestions.

use crate::analysis::frame::dense_codes;
use crate::stats::regression::{OlsFit, OlsTerm};
use crate::stats::TestResult;
use crate::{MiroirError, Result};
use polars::prelude::*;

pub mod agreement;
pub mod mixed;
pub mod planning;
pub mod relimp;
pub mod text;
pub mod text_model;

/// The columns as one table (all of the same height).
pub(crate) fn frame(columns: Vec<Column>) -> Result<DataFrame> {
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Several [`TestResult`]s with the same extra columns as one tidy table, one row each: `estimate,
/// statistic, df, p_value, ci_low, ci_high` (Float64), `n` (UInt64), `method, alternative`
/// (String), the first result's extra columns (Float64; NaN where a result lacks one), `note`
/// (String, null when none).
///
/// ```
/// use miroir::stats::{correlation::pearson, Alternative};
/// let r = pearson(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], Alternative::TwoSided, 0.95).unwrap();
/// let table = miroir::tidy::results_frame(&[r]).unwrap();
/// assert_eq!(table.get_column_names()[..4], ["estimate", "statistic", "df", "p_value"]);
/// assert_eq!(table.height(), 1);
/// ```
pub fn results_frame(rs: &[TestResult]) -> Result<DataFrame> {
    let col = |name: &str, f: &dyn Fn(&TestResult) -> f64| -> Column {
        Column::new(name.into(), rs.iter().map(f).collect::<Vec<f64>>())
    };
    let mut cols = vec![
        col("estimate", &|r| r.estimate),
        col("statistic", &|r| r.statistic),
        col("df", &|r| r.df),
        col("p_value", &|r| r.p_value),
        col("ci_low", &|r| r.ci_low),
        col("ci_high", &|r| r.ci_high),
        Column::new("n".into(), rs.iter().map(|r| r.n).collect::<Vec<u64>>()),
        Column::new("method".into(), rs.iter().map(|r| r.method.as_str()).collect::<Vec<&str>>()),
        Column::new("alternative".into(), rs.iter().map(|r| r.alternative.as_str()).collect::<Vec<&str>>()),
    ];
    if let Some(first) = rs.first() {
        for (i, (name, _)) in first.extra.iter().enumerate() {
            let values: Vec<f64> = rs.iter().map(|r| r.extra.get(i).map_or(f64::NAN, |e| e.1)).collect();
            cols.push(Column::new((*name).into(), values));
        }
    }
    cols.push(Column::new("note".into(), rs.iter().map(|r| r.note.as_deref()).collect::<Vec<Option<&str>>>()));
    frame(cols)
}

/// An OLS fit as a tidy table: one row per term, `term, estimate, std_error, statistic, df,
/// p_value, ci_low, ci_high`, then the fit's `n, method, r2, adj_r2, sigma, df_resid,
/// n_clusters` (null without clusters) and `note` repeated on every row.
///
/// ```
/// use miroir::stats::regression::ols;
/// // slope = Sxy / Sxx = 4 / 5, intercept = 2.5 - 0.8 * 1.5
/// let (x, y) = ([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 2.0, 4.0]);
/// let fit = ols(&y, &[("x", &x[..])], true, None, 0.95).unwrap();
/// let table = miroir::tidy::ols_frame(&fit).unwrap();
/// assert_eq!(table.get_column_names()[..3], ["term", "estimate", "std_error"]);
/// let estimate = table.column("estimate").unwrap().f64().unwrap();
/// assert!((estimate.get(0).unwrap() - 1.3).abs() < 1e-12);
/// assert!((estimate.get(1).unwrap() - 0.8).abs() < 1e-12);
/// assert_eq!(table.column("n_clusters").unwrap().null_count(), 2);
/// ```
pub fn ols_frame(fit: &OlsFit) -> Result<DataFrame> {
    let t = &fit.terms;
    let k = t.len();
    let f = |g: &dyn Fn(&OlsTerm) -> f64| t.iter().map(g).collect::<Vec<f64>>();
    frame(vec![
        Column::new("term".into(), t.iter().map(|x| x.term.as_str()).collect::<Vec<&str>>()),
        Column::new("estimate".into(), f(&|x| x.estimate)),
        Column::new("std_error".into(), f(&|x| x.std_error)),
        Column::new("statistic".into(), f(&|x| x.statistic)),
        Column::new("df".into(), f(&|x| x.df)),
        Column::new("p_value".into(), f(&|x| x.p_value)),
        Column::new("ci_low".into(), f(&|x| x.ci_low)),
        Column::new("ci_high".into(), f(&|x| x.ci_high)),
        Column::new("n".into(), vec![fit.n; k]),
        Column::new("method".into(), vec![fit.method.as_str(); k]),
        Column::new("r2".into(), vec![fit.r2; k]),
        Column::new("adj_r2".into(), vec![fit.adj_r2; k]),
        Column::new("sigma".into(), vec![fit.sigma; k]),
        Column::new("df_resid".into(), vec![fit.df_resid; k]),
        Column::new("n_clusters".into(), vec![fit.n_clusters.map(|g| g as u64); k]),
        Column::new("note".into(), vec![fit.note.as_deref(); k]),
    ])
}

/// Group labels of any dtype as dense codes `0..k` in order of first appearance; missing labels
/// are refused under the argument's name.
pub fn group_codes(series: &Series, argument: &str) -> Result<Vec<usize>> {
    if series.null_count() > 0 {
        return Err(MiroirError::InvalidArgument {
            argument: argument.to_string(),
            detail: format!("{} missing group labels", series.null_count()),
        });
    }
    let as_str = series.cast(&DataType::String)?;
    Ok(dense_codes(as_str.str()?.iter().map(Option::unwrap_or_default)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_codes_follow_first_appearance_and_refuse_nulls() {
        let s = Series::new("g".into(), [Some("b"), Some("a"), Some("b"), Some("c")]);
        assert_eq!(group_codes(&s, "groups").unwrap(), vec![0, 1, 0, 2]);
        let s = Series::new("g".into(), [3i64, 1, 3]);
        assert_eq!(group_codes(&s, "groups").unwrap(), vec![0, 1, 0]);
        let s = Series::new("g".into(), [Some("b"), None]);
        let e = group_codes(&s, "groups").unwrap_err();
        assert_eq!(e.to_string(), "invalid argument 'groups': 1 missing group labels");
    }
}
