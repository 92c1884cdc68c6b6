//! Planning a linkage study: how many units, with how many respondents each, to detect a
//! correlation between employees' and customers' unit means.
//!
//! A unit mean of `k` respondents is an unreliable measure of the unit's true score: its
//! reliability is ICC(2), the Spearman–Brown step-up of ICC(1) to `k` respondents (Bliese 2000;
//! Schmidt & Hunter 2015, ch. 3):
//!
//! `ICC(2) = k·ICC(1) / (1 + (k - 1)·ICC(1))`.
//!
//! Unreliability on both sides attenuates the correlation between unit means (Spearman 1904):
//! the correlation expected between the observed unit means is
//!
//! `r_obs = r_true · sqrt(ICC(2)_employees · ICC(2)_customers)`,
//!
//! and the number of units needed is the `n` of [`super::power::power_correlation`] at `r_obs`
//! (pwr's `pwr.r.test`), rounded up for the recommendation.

use super::error::{StatsError, StatsResult};
use super::power::{check_correlation, check_probability, solve_n, SolvedN, N_MAX};
use super::result::Alternative;

/// Respondents per unit of the default table of [`plan_linkage`].
pub const DEFAULT_TABLE_SIZES: [f64; 6] = [5.0, 10.0, 15.0, 20.0, 30.0, 50.0];

/// One row of the planning table: the plan for a given number of employee respondents per unit
/// (customers per unit held at the plan's value).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkagePlanRow {
    pub respondents_per_unit: f64,
    pub customers_per_unit: f64,
    /// Reliability of the employees' unit mean, ICC(2).
    pub icc2_employees: f64,
    /// Reliability of the customers' unit mean, ICC(2).
    pub icc2_customers: f64,
    /// Expected correlation between the observed unit means.
    pub expected_r: f64,
    /// Units needed, continuous (the root of pwr's power equation); NaN when unreachable.
    pub units_continuous: f64,
    /// Units needed, rounded up; `None` when no `n <= 1e9` reaches the power.
    pub units_needed: Option<u64>,
}

/// A linkage-study plan ([`plan_linkage`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkagePlan {
    pub r_true: f64,
    pub icc1: f64,
    pub respondents_per_unit: f64,
    pub customer_icc1: f64,
    pub customers_per_unit: f64,
    pub alpha: f64,
    pub power: f64,
    pub alternative: Alternative,
    pub icc2_employees: f64,
    pub icc2_customers: f64,
    /// `r_true · sqrt(icc2_employees · icc2_customers)`.
    pub expected_r: f64,
    /// Units needed, continuous.
    pub units_continuous: f64,
    /// Units needed: `ceil(units_continuous)`.
    pub units_needed: u64,
    /// The plan over [`DEFAULT_TABLE_SIZES`] (or the sizes given) respondents per unit.
    pub table: Vec<LinkagePlanRow>,
    pub method: String,
    pub note: Option<String>,
}

/// Spearman–Brown reliability of a mean of `k` respondents with intraclass correlation `icc1`:
/// `k·ICC(1) / (1 + (k - 1)·ICC(1))` (ICC(2) of Bliese 2000).
pub fn icc2_from_icc1(icc1: f64, k: f64) -> f64 {
    k * icc1 / (1.0 + (k - 1.0) * icc1)
}

fn check_icc1(argument: &'static str, v: f64) -> StatsResult<f64> {
    if v.is_finite() && (0.0..1.0).contains(&v) {
        Ok(v)
    } else {
        Err(StatsError::argument(argument, format!("an ICC(1) must lie in [0, 1), got {v}")))
    }
}

fn check_group_size(argument: &'static str, v: f64) -> StatsResult<f64> {
    if v.is_finite() && v >= 1.0 {
        Ok(v)
    } else {
        Err(StatsError::argument(argument, format!("must be a finite number of at least 1, got {v}")))
    }
}

/// `(units_continuous, units_needed, note)` for an expected correlation.
fn units_for(r_obs: f64, alpha: f64, power: f64, alternative: Alternative) -> (f64, Option<u64>, Option<String>) {
    if r_obs == 0.0 {
        return (f64::NAN, None, Some("expected r is 0 (an ICC(1) of 0 on one side): no number of units detects it".into()));
    }
    match solve_n(r_obs, alpha, power, alternative) {
        SolvedN::Root(n) => (n, Some(n.ceil() as u64), None),
        SolvedN::AtMinimum(p) => (
            4.0,
            Some(4),
            Some(format!("power {p:.4} already with 4 units, the smallest number of the approximation")),
        ),
        SolvedN::Unreachable(p) => (
            f64::NAN,
            None,
            Some(format!("unreachable: even {N_MAX:e} units give power {p:.4}")),
        ),
    }
}

/// Plans a linkage study ([module documentation](self)): the reliabilities of both sides' unit
/// means (ICC(2) from ICC(1) and the group size, Spearman–Brown), the expected observed
/// correlation `r_obs = r_true·sqrt(ICC(2)_e·ICC(2)_c)` between unit means, and the number of
/// units for the level-`alpha` test of that correlation to have power `power` (pwr's
/// `pwr.r.test`, see [`super::power`]): continuous, and rounded up.
///
/// `table_sizes` (default [`DEFAULT_TABLE_SIZES`]: 5, 10, 15, 20, 30, 50) gives the rows of the
/// table of the same plan over employee respondents per unit, customers per unit held fixed; a
/// row whose power is unreachable has `units_needed = None` (and NaN continuous units).
///
/// Errors (typed `InvalidArgument`, naming the argument): `r_true` outside (-1, 1) or 0; `icc1`
/// or `customer_icc1` outside [0, 1); `respondents_per_unit`, `customers_per_unit` or a table
/// size below 1 or not finite; `alpha` or `power` outside (0, 1); and an unreachable plan: an
/// expected r of 0 (an ICC(1) of 0), an alternative on the wrong side of `r_true`, or an expected
/// r too small for 1e9 units — the error says so and gives the expected r. When 4 units (the
/// smallest `n` of pwr's approximation) already reach the power, the plan is 4 units with a note.
#[allow(clippy::too_many_arguments)]
pub fn plan_linkage(
    r_true: f64,
    icc1: f64,
    respondents_per_unit: f64,
    customer_icc1: f64,
    customers_per_unit: f64,
    alpha: f64,
    power: f64,
    alternative: Alternative,
    table_sizes: Option<&[f64]>,
) -> StatsResult<LinkagePlan> {
    let r_true = check_correlation("r_true", r_true)?;
    if r_true == 0.0 {
        return Err(StatsError::argument("r_true", "must not be 0: there is no correlation to detect"));
    }
    let icc1 = check_icc1("icc1", icc1)?;
    let customer_icc1 = check_icc1("customer_icc1", customer_icc1)?;
    let k_e = check_group_size("respondents_per_unit", respondents_per_unit)?;
    let k_c = check_group_size("customers_per_unit", customers_per_unit)?;
    let alpha = check_probability("alpha", alpha)?;
    let power = check_probability("power", power)?;
    let sizes = table_sizes.unwrap_or(&DEFAULT_TABLE_SIZES);
    if sizes.is_empty() {
        return Err(StatsError::argument("table_sizes", "needs at least one number of respondents per unit"));
    }
    for &k in sizes {
        check_group_size("table_sizes", k)?;
    }

    let icc2_c = icc2_from_icc1(customer_icc1, k_c);
    let row = |k: f64| {
        let icc2_e = icc2_from_icc1(icc1, k);
        let expected_r = r_true * (icc2_e * icc2_c).sqrt();
        let (units_continuous, units_needed, note) = units_for(expected_r, alpha, power, alternative);
        (
            LinkagePlanRow {
                respondents_per_unit: k,
                customers_per_unit: k_c,
                icc2_employees: icc2_e,
                icc2_customers: icc2_c,
                expected_r,
                units_continuous,
                units_needed,
            },
            note,
        )
    };
    let (main, main_note) = row(k_e);
    let Some(units_needed) = main.units_needed else {
        return Err(StatsError::argument(
            "r_true",
            format!(
                "the plan is unreachable: r_true = {r_true} with ICC(2) {:.4} (employees, {k_e} per unit) and {:.4} \
                 (customers, {k_c} per unit) gives an expected observed r of {:.6}, and {}{}",
                main.icc2_employees,
                main.icc2_customers,
                main.expected_r,
                main_note.unwrap_or_default(),
                if main.expected_r != 0.0 && alternative != Alternative::TwoSided
                    && (main.expected_r > 0.0) != (alternative == Alternative::Greater)
                {
                    format!(" (the '{}' alternative is on the other side of r_true)", alternative.as_str())
                } else {
                    String::new()
                }
            ),
        ));
    };
    let table = sizes.iter().map(|&k| row(k).0).collect();
    Ok(LinkagePlan {
        r_true,
        icc1,
        respondents_per_unit: k_e,
        customer_icc1,
        customers_per_unit: k_c,
        alpha,
        power,
        alternative,
        icc2_employees: main.icc2_employees,
        icc2_customers: main.icc2_customers,
        expected_r: main.expected_r,
        units_continuous: main.units_continuous,
        units_needed,
        table,
        method: "Linkage plan: Spearman-Brown ICC(2) on both sides, attenuated r, pwr::pwr.r.test for the units"
            .to_string(),
        note: main_note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::power::power_correlation;

    #[test]
    fn spearman_brown() {
        assert_eq!(icc2_from_icc1(0.2, 1.0), 0.2);
        assert!((icc2_from_icc1(0.1, 10.0) - 1.0 / 1.9).abs() < 1e-15);
        assert_eq!(icc2_from_icc1(0.0, 30.0), 0.0);
    }

    #[test]
    fn plan_attenuates_and_uses_pwr() {
        let p = plan_linkage(0.5, 0.1, 10.0, 0.05, 30.0, 0.05, 0.8, Alternative::TwoSided, None).unwrap();
        let icc2_e = 1.0 / 1.9;
        let icc2_c = 1.5 / 2.45;
        assert!((p.icc2_employees - icc2_e).abs() < 1e-15);
        assert!((p.icc2_customers - icc2_c).abs() < 1e-15);
        let r_obs = 0.5 * (icc2_e * icc2_c).sqrt();
        assert!((p.expected_r - r_obs).abs() < 1e-15);
        let direct = power_correlation(r_obs, None, 0.05, Some(0.8), Alternative::TwoSided).unwrap();
        assert_eq!(p.units_continuous, direct.n);
        assert_eq!(p.units_needed, direct.n.ceil() as u64);
        assert_eq!(p.table.len(), 6);
        // more respondents per unit: more reliable means, fewer units
        let units: Vec<u64> = p.table.iter().map(|r| r.units_needed.unwrap()).collect();
        assert!(units.windows(2).all(|w| w[0] >= w[1]), "{units:?}");
        assert_eq!(p.table[1].units_needed, Some(p.units_needed));
    }

    #[test]
    fn bad_and_unreachable_plans_are_typed() {
        let arg = |e: StatsError| match e {
            StatsError::InvalidArgument { argument, reason } => (argument, reason),
            other => panic!("{other:?}"),
        };
        let plan = |r: f64, icc1: f64, k: f64, alt: Alternative| {
            plan_linkage(r, icc1, k, 0.05, 30.0, 0.05, 0.8, alt, None)
        };
        assert_eq!(arg(plan(0.0, 0.1, 10.0, Alternative::TwoSided).unwrap_err()).0, "r_true");
        assert_eq!(arg(plan(1.0, 0.1, 10.0, Alternative::TwoSided).unwrap_err()).0, "r_true");
        assert_eq!(arg(plan(0.3, 1.0, 10.0, Alternative::TwoSided).unwrap_err()).0, "icc1");
        assert_eq!(arg(plan(0.3, -0.1, 10.0, Alternative::TwoSided).unwrap_err()).0, "icc1");
        assert_eq!(arg(plan(0.3, 0.1, 0.5, Alternative::TwoSided).unwrap_err()).0, "respondents_per_unit");
        let (a, reason) = arg(plan(0.3, 0.0, 10.0, Alternative::TwoSided).unwrap_err());
        assert_eq!(a, "r_true");
        assert!(reason.contains("unreachable"), "{reason}");
        let (_, reason) = arg(plan(0.3, 0.1, 10.0, Alternative::Less).unwrap_err());
        assert!(reason.contains("unreachable") && reason.contains("other side"), "{reason}");
        let (_, reason) = arg(plan(1e-5, 0.1, 10.0, Alternative::TwoSided).unwrap_err());
        assert!(reason.contains("1e9"), "{reason}");
        assert_eq!(
            arg(plan_linkage(0.3, 0.1, 10.0, 0.05, 30.0, 0.05, 1.0, Alternative::TwoSided, None).unwrap_err()).0,
            "power"
        );
        assert_eq!(
            arg(plan_linkage(0.3, 0.1, 10.0, 0.05, 30.0, 0.05, 0.8, Alternative::TwoSided, Some(&[5.0, 0.0])).unwrap_err()).0,
            "table_sizes"
        );
    }
}
