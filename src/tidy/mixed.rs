//! The random-intercept model ([`crate::stats::mixed`]) as a tidy table (`miroir.stats.mixed_lm`).

use super::frame;
use crate::stats::mixed::{MixedFit, MixedTerm};
use crate::Result;
use polars::prelude::*;

/// A random-intercept fit as a tidy table: one row per fixed effect, `term, estimate,
/// std_error, statistic, p_value, ci_low, ci_high`, then the variance components and fit
/// statistics repeated on every row: `group_var, resid_var, icc, loglik` (Float64), `n,
/// n_groups` (UInt64), `converged` (Boolean), `iterations` (UInt64), `method, note` (String) —
/// as [`super::ols_frame`] does for OLS.
///
/// ```
/// use miroir::stats::mixed::{random_intercept, MixedMethod, MixedSe};
/// // three balanced groups: the intercept's GLS estimate is the grand mean, 11/3
/// let y = [1.0, 2.0, 3.0, 3.0, 4.0, 6.0, 4.0, 4.0, 6.0];
/// let groups = [0, 0, 0, 1, 1, 1, 2, 2, 2];
/// let fit = random_intercept(&y, &[], true, &groups, 0.95, MixedMethod::Reml, MixedSe::Model).unwrap();
/// let table = miroir::tidy::mixed::mixed_frame(&fit).unwrap();
/// assert_eq!(table.get_column_names()[..2], ["term", "estimate"]);
/// assert_eq!(table.get_column_names().last().unwrap().as_str(), "note");
/// let intercept = table.column("estimate").unwrap().f64().unwrap().get(0).unwrap();
/// assert!((intercept - 11.0 / 3.0).abs() < 1e-9);
/// assert_eq!(table.column("n_groups").unwrap().u64().unwrap().get(0), Some(3));
/// ```
pub fn mixed_frame(fit: &MixedFit) -> Result<DataFrame> {
    let t = &fit.terms;
    let k = t.len();
    let f = |g: &dyn Fn(&MixedTerm) -> f64| t.iter().map(g).collect::<Vec<f64>>();
    frame(vec![
        Column::new("term".into(), t.iter().map(|x| x.term.as_str()).collect::<Vec<&str>>()),
        Column::new("estimate".into(), f(&|x| x.estimate)),
        Column::new("std_error".into(), f(&|x| x.std_error)),
        Column::new("statistic".into(), f(&|x| x.statistic)),
        Column::new("p_value".into(), f(&|x| x.p_value)),
        Column::new("ci_low".into(), f(&|x| x.ci_low)),
        Column::new("ci_high".into(), f(&|x| x.ci_high)),
        Column::new("group_var".into(), vec![fit.group_var; k]),
        Column::new("resid_var".into(), vec![fit.resid_var; k]),
        Column::new("icc".into(), vec![fit.icc; k]),
        Column::new("loglik".into(), vec![fit.loglik; k]),
        Column::new("n".into(), vec![fit.n; k]),
        Column::new("n_groups".into(), vec![fit.n_groups as u64; k]),
        Column::new("converged".into(), vec![fit.converged; k]),
        Column::new("iterations".into(), vec![fit.iterations as u64; k]),
        Column::new("method".into(), vec![fit.method.as_str(); k]),
        Column::new("note".into(), vec![fit.note.as_deref(); k]),
    ])
}
