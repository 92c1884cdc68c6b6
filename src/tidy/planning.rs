//! Planning and synthesis tables (`miroir.planning`): the Hunter–Schmidt meta-analysis
//! ([`crate::stats::hunter_schmidt`]), the power of the test of a correlation
//! ([`crate::stats::power`]) and the linkage-study plan ([`crate::stats::planning`]).

use super::frame;
use crate::stats::hunter_schmidt::{HsAnalysis, HunterSchmidtFit};
use crate::stats::planning::{LinkagePlan, LinkagePlanRow};
use crate::stats::power::CorrelationPower;
use crate::Result;
use polars::prelude::*;

/// One row per analysis (`analysis`: `bare_bones`, then `corrected` when corrected), with
/// psychmeta's column names: `estimate, k, n_total, mean_r, var_r, var_e, var_res, sd_r, se_r,
/// sd_e, sd_res` (the bare-bones analysis, repeated on the corrected row, as psychmeta's
/// individual-correction table does), `mean_rho, var_r_c, var_e_c, var_rho, sd_r_c, se_r_c,
/// sd_e_c, sd_rho` (the corrected analysis; null on the bare-bones row), then each row's own
/// `percent_var_accounted, ci_low, ci_high, cr_low, cr_high`, and `confidence, credibility,
/// corrected_above_one` (UInt64), `method, note`.
///
/// ```
/// use miroir::stats::hunter_schmidt::{meta_hunter_schmidt_with, HunterSchmidtOptions};
/// let options = HunterSchmidtOptions { confidence: 0.95, credibility: 0.8, correct_bias: false };
/// let fit = meta_hunter_schmidt_with(&[0.2, 0.4], &[100.0, 300.0], None, None, &options).unwrap();
/// let table = miroir::tidy::planning::hunter_schmidt_frame(&fit).unwrap();
/// assert_eq!(table.get_column_names()[..3], ["analysis", "estimate", "k"]);
/// // the sample-size-weighted mean correlation: (100·0.2 + 300·0.4) / 400
/// let mean_r = table.column("mean_r").unwrap().f64().unwrap().get(0).unwrap();
/// assert!((mean_r - 0.35).abs() < 1e-12);
/// assert_eq!(table.height(), 1);
/// ```
pub fn hunter_schmidt_frame(f: &HunterSchmidtFit) -> Result<DataFrame> {
    let bb = &f.bare_bones;
    let rows: Vec<(&str, &HsAnalysis, Option<&HsAnalysis>)> = std::iter::once(("bare_bones", bb, None))
        .chain(f.corrected.as_ref().map(|c| ("corrected", c, Some(c))))
        .collect();
    let own = |g: &dyn Fn(&HsAnalysis) -> f64| rows.iter().map(|(_, a, _)| g(a)).collect::<Vec<f64>>();
    let base = |g: &dyn Fn(&HsAnalysis) -> f64| vec![g(bb); rows.len()];
    let corr = |g: &dyn Fn(&HsAnalysis) -> f64| rows.iter().map(|(_, _, c)| c.map(g)).collect::<Vec<Option<f64>>>();
    let k = rows.len();
    frame(vec![
        Column::new("analysis".into(), rows.iter().map(|r| r.0).collect::<Vec<&str>>()),
        Column::new("estimate".into(), own(&|a| a.mean)),
        Column::new("k".into(), vec![bb.k as u64; k]),
        Column::new("n_total".into(), base(&|a| a.n_total)),
        Column::new("mean_r".into(), base(&|a| a.mean)),
        Column::new("var_r".into(), base(&|a| a.var_obs)),
        Column::new("var_e".into(), base(&|a| a.var_e)),
        Column::new("var_res".into(), base(&|a| a.var_res)),
        Column::new("sd_r".into(), base(&|a| a.sd_obs)),
        Column::new("se_r".into(), base(&|a| a.se)),
        Column::new("sd_e".into(), base(&|a| a.sd_e)),
        Column::new("sd_res".into(), base(&|a| a.sd_res)),
        Column::new("mean_rho".into(), corr(&|a| a.mean)),
        Column::new("var_r_c".into(), corr(&|a| a.var_obs)),
        Column::new("var_e_c".into(), corr(&|a| a.var_e)),
        Column::new("var_rho".into(), corr(&|a| a.var_res)),
        Column::new("sd_r_c".into(), corr(&|a| a.sd_obs)),
        Column::new("se_r_c".into(), corr(&|a| a.se)),
        Column::new("sd_e_c".into(), corr(&|a| a.sd_e)),
        Column::new("sd_rho".into(), corr(&|a| a.sd_res)),
        Column::new("percent_var_accounted".into(), own(&|a| a.percent_var_accounted)),
        Column::new("ci_low".into(), own(&|a| a.ci_low)),
        Column::new("ci_high".into(), own(&|a| a.ci_high)),
        Column::new("cr_low".into(), own(&|a| a.cr_low)),
        Column::new("cr_high".into(), own(&|a| a.cr_high)),
        Column::new("confidence".into(), vec![f.options.confidence; k]),
        Column::new("credibility".into(), vec![f.options.credibility; k]),
        Column::new("corrected_above_one".into(), vec![f.corrected_above_one.len() as u64; k]),
        Column::new("method".into(), vec![f.method.as_str(); k]),
        Column::new("note".into(), vec![f.note.as_deref(); k]),
    ])
}

/// The power of the test of a correlation as one row: `r, n, alpha, power` (Float64),
/// `alternative, method` (String).
pub fn power_frame(p: &CorrelationPower) -> Result<DataFrame> {
    frame(vec![
        Column::new("r".into(), [p.r]),
        Column::new("n".into(), [p.n]),
        Column::new("alpha".into(), [p.alpha]),
        Column::new("power".into(), [p.power]),
        Column::new("alternative".into(), [p.alternative.as_str()]),
        Column::new("method".into(), [p.method.as_str()]),
    ])
}

/// A linkage-study plan as (summary, table). The summary, one row: `r_true, icc1,
/// respondents_per_unit, customer_icc1, customers_per_unit, alpha, power, alternative,
/// icc2_employees, icc2_customers, expected_r, units_continuous, units_needed` (UInt64),
/// `method, note`. The table, one row per size: `respondents_per_unit, customers_per_unit,
/// icc2_employees, icc2_customers, expected_r, units_continuous, units_needed` (UInt64, null
/// when unreachable).
///
/// ```
/// use miroir::stats::{planning::plan_linkage, Alternative};
/// let plan = plan_linkage(0.5, 0.1, 20.0, 0.05, 50.0, 0.05, 0.8, Alternative::TwoSided, Some(&[10.0, 20.0])).unwrap();
/// let (summary, table) = miroir::tidy::planning::linkage_plan_frames(&plan).unwrap();
/// assert_eq!(summary.get_column_names()[..2], ["r_true", "icc1"]);
/// assert_eq!(summary.column("units_needed").unwrap().u64().unwrap().get(0), Some(plan.units_needed));
/// assert_eq!(table.get_column_names()[0].as_str(), "respondents_per_unit");
/// assert_eq!(table.height(), 2);
/// ```
pub fn linkage_plan_frames(p: &LinkagePlan) -> Result<(DataFrame, DataFrame)> {
    let summary = frame(vec![
        Column::new("r_true".into(), [p.r_true]),
        Column::new("icc1".into(), [p.icc1]),
        Column::new("respondents_per_unit".into(), [p.respondents_per_unit]),
        Column::new("customer_icc1".into(), [p.customer_icc1]),
        Column::new("customers_per_unit".into(), [p.customers_per_unit]),
        Column::new("alpha".into(), [p.alpha]),
        Column::new("power".into(), [p.power]),
        Column::new("alternative".into(), [p.alternative.as_str()]),
        Column::new("icc2_employees".into(), [p.icc2_employees]),
        Column::new("icc2_customers".into(), [p.icc2_customers]),
        Column::new("expected_r".into(), [p.expected_r]),
        Column::new("units_continuous".into(), [p.units_continuous]),
        Column::new("units_needed".into(), [p.units_needed]),
        Column::new("method".into(), [p.method.as_str()]),
        Column::new("note".into(), [p.note.as_deref()]),
    ])?;
    let t = &p.table;
    let f = |g: &dyn Fn(&LinkagePlanRow) -> f64| t.iter().map(g).collect::<Vec<f64>>();
    let table = frame(vec![
        Column::new("respondents_per_unit".into(), f(&|r| r.respondents_per_unit)),
        Column::new("customers_per_unit".into(), f(&|r| r.customers_per_unit)),
        Column::new("icc2_employees".into(), f(&|r| r.icc2_employees)),
        Column::new("icc2_customers".into(), f(&|r| r.icc2_customers)),
        Column::new("expected_r".into(), f(&|r| r.expected_r)),
        Column::new("units_continuous".into(), f(&|r| r.units_continuous)),
        Column::new("units_needed".into(), t.iter().map(|r| r.units_needed).collect::<Vec<Option<u64>>>()),
    ])?;
    Ok((summary, table))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{power::power_correlation, Alternative};

    #[test]
    fn power_frame_is_one_row_of_pwr_quantities() {
        let p = power_correlation(0.3, Some(50.0), 0.05, None, Alternative::TwoSided).unwrap();
        let t = power_frame(&p).unwrap();
        assert_eq!(t.get_column_names(), ["r", "n", "alpha", "power", "alternative", "method"]);
        assert_eq!(t.column("n").unwrap().f64().unwrap().get(0), Some(50.0));
        assert_eq!(t.column("power").unwrap().f64().unwrap().get(0), Some(p.power));
    }
}
