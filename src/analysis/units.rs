//! The unit table of linkage research: one row per (study, unit) with both sides aggregated,
//! and confidentiality suppression applied.
//!
//! Suppression (DESIGN.md, "Confidentiality"): a unit with fewer than `min_group_size` employees
//! or fewer than `min_group_size` customers (but at least one) is *suppressed*: its row stays,
//! its statistics are null, `suppressed` says why. When, on one side (employees or customers), a
//! study has exactly one suppressed unit with respondents, the published study totals would let a
//! reader recover it by subtraction, so the smallest other unit of that study with respondents on
//! that side is suppressed too (complementary suppression). Counts stay visible: with two means
//! hidden, the totals give one equation for two unknowns. Suppressed units (complementary ones
//! included) stay out of the linkage, whose per-study aggregates would otherwise give the missing
//! equation.
//!
//! Weights: with a `weight` column in the employees table, mean engagement is the weighted mean
//! `Σw·x / Σw` of the unit's employees; with one in the customers table, share satisfied and mean
//! satisfaction are weighted likewise over the unit's customers. The counts `n_employees` and
//! `n_customers` stay respondent counts, and suppression is by those counts (a weight does not
//! make a small group less identifiable). A missing weight is a `MissingValue` error.

use super::frame::{customer_weights, employee_weights, TableBuilder};
use crate::data::Study;
use crate::error::Result;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// Why a unit's statistics are hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Suppression {
    None,
    /// Fewer than `min_group_size` respondents on one side.
    Small,
    /// Hidden so that a small unit cannot be recovered from study totals.
    Complementary,
}

impl Suppression {
    pub fn is_suppressed(self) -> bool {
        self != Suppression::None
    }
    pub fn reason(self, k: usize) -> Option<String> {
        match self {
            Suppression::None => None,
            Suppression::Small => Some(format!("fewer than {k} respondents on one side")),
            Suppression::Complementary => {
                Some("complementary: protects a small unit of the same study from subtraction".into())
            }
        }
    }
}

/// One linkage unit, both sides aggregated (means NaN when the side has no respondent).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    pub study: String,
    pub unit: String,
    pub n_employees: u64,
    pub mean_engagement: f64,
    pub n_customers: u64,
    pub n_satisfied: u64,
    pub mean_satisfaction: f64,
    /// Sum of the customers' weights (`n_customers` without weights).
    pub w_customers: f64,
    /// Sum of the satisfied customers' weights (`n_satisfied` without weights).
    pub w_satisfied: f64,
    /// Whether the employee side (mean engagement) is weighted.
    pub weighted_employees: bool,
    /// Whether the customer side (share satisfied, mean satisfaction) is weighted.
    pub weighted_customers: bool,
    pub suppression: Suppression,
}

impl Unit {
    /// Share of satisfied customers: weighted (`Σw·[satisfied] / Σw`) when the customers have
    /// weights, else `n_satisfied / n_customers`.
    pub fn share_satisfied(&self) -> f64 {
        if self.n_customers == 0 {
            f64::NAN
        } else if self.weighted_customers {
            self.w_satisfied / self.w_customers
        } else {
            self.n_satisfied as f64 / self.n_customers as f64
        }
    }
    /// Enters the linkage: both sides present and not suppressed. A complementary unit stays out
    /// too: with every other linkable unit of its study shown, the study's linkage aggregates
    /// (mean engagement of the top and other units, share satisfied of the high units) would
    /// give its values back, and with them the small unit's by subtraction from study totals.
    pub fn is_linkable(&self) -> bool {
        self.n_employees > 0 && self.n_customers > 0 && self.suppression == Suppression::None
    }
}

/// Aggregates both sides to the unit (from the study's unit codes), sorted by study then unit,
/// with suppression applied.
pub fn units(study: &Study) -> Result<Vec<Unit>> {
    let ix = study.index();
    let threshold = study.schema().satisfied_threshold();
    let k = ix.units.len();
    let ew = employee_weights(study, "unit means")?;
    let cw = customer_weights(study, "unit shares and means")?;
    let cw = cw.as_deref();
    let (mut n_emp, mut sum_eng, mut w_emp) = (vec![0u64; k], vec![0.0; k], vec![0.0; k]);
    for (i, (&u, e)) in ix.emp_unit.iter().zip(study.employee_columns().column("engagement")?.f64()?.iter()).enumerate() {
        n_emp[u as usize] += 1;
        match &ew {
            None => sum_eng[u as usize] += e.unwrap_or(f64::NAN),
            Some(w) => {
                sum_eng[u as usize] += w[i] * e.unwrap_or(f64::NAN);
                w_emp[u as usize] += w[i];
            }
        }
    }
    let (mut n_cus, mut n_sat, mut sum_sat) = (vec![0u64; k], vec![0u64; k], vec![0.0; k]);
    let (mut w_cus, mut w_sat) = (vec![0.0; k], vec![0.0; k]);
    for (i, (&u, &v)) in ix.cus_unit.iter().zip(study.satisfaction()).enumerate() {
        n_cus[u as usize] += 1;
        n_sat[u as usize] += u64::from(v >= threshold);
        match cw {
            None => sum_sat[u as usize] += v,
            Some(w) => {
                sum_sat[u as usize] += w[i] * v;
                w_cus[u as usize] += w[i];
                if v >= threshold {
                    w_sat[u as usize] += w[i];
                }
            }
        }
    }
    if cw.is_none() {
        for i in 0..k {
            (w_cus[i], w_sat[i]) = (n_cus[i] as f64, n_sat[i] as f64);
        }
    }
    if ew.is_none() {
        for i in 0..k {
            w_emp[i] = n_emp[i] as f64;
        }
    }
    // sum / total weight (the count without weights: the unweighted arithmetic unchanged)
    let mean = |s: f64, n: u64, w: f64| if n == 0 { f64::NAN } else { s / w };
    let mut out: Vec<Unit> = ix
        .units
        .iter()
        .enumerate()
        .map(|(i, key)| Unit {
            study: ix.studies[key.study as usize].clone(),
            unit: key.name.clone(),
            n_employees: n_emp[i],
            mean_engagement: mean(sum_eng[i], n_emp[i], w_emp[i]),
            n_customers: n_cus[i],
            n_satisfied: n_sat[i],
            mean_satisfaction: mean(sum_sat[i], n_cus[i], w_cus[i]),
            w_customers: w_cus[i],
            w_satisfied: w_sat[i],
            weighted_employees: ew.is_some(),
            weighted_customers: cw.is_some(),
            suppression: Suppression::None,
        })
        .collect();
    suppress(&mut out, study.schema().min_group_size() as u64);
    Ok(out)
}

/// Primary then complementary suppression, per study and per side (units sorted by study).
pub fn suppress(units: &mut [Unit], k: u64) {
    let small = |n: u64| n > 0 && n < k;
    for u in units.iter_mut() {
        if small(u.n_employees) || small(u.n_customers) {
            u.suppression = Suppression::Small;
        }
    }
    let mut by_study: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
        by_study.entry(u.study.clone()).or_default().push(i);
    }
    // Respondents of a unit on the employee side (0) and the customer side (1).
    let n_side = |u: &Unit, side: usize| if side == 0 { u.n_employees } else { u.n_customers };
    for idx in by_study.values() {
        for side in 0..2 {
            // On this side, one hidden unit with respondents is the difference between the study
            // total and the shown units: hide a second one that has respondents on this side.
            let hidden = idx
                .iter()
                .filter(|&&i| units[i].suppression.is_suppressed() && n_side(&units[i], side) > 0)
                .count();
            if hidden != 1 {
                continue;
            }
            let partner = idx
                .iter()
                .copied()
                .filter(|&i| !units[i].suppression.is_suppressed() && n_side(&units[i], side) > 0)
                .min_by(|&a, &b| (n_side(&units[a], side), &units[a].unit).cmp(&(n_side(&units[b], side), &units[b].unit)));
            if let Some(p) = partner {
                units[p].suppression = Suppression::Complementary;
            }
        }
    }
}

/// The unit table as published: statistics null for suppressed units.
pub fn unit_table(study: &Study) -> Result<DataFrame> {
    unit_table_from(&units(study)?, study.schema().min_group_size())
}

/// The unit table of computed units (from [`units`], or merged from the parts of a partitioned
/// study): statistics null for suppressed units, `k` = `min_group_size` (named in the reason).
pub fn unit_table_from(us: &[Unit], k: usize) -> Result<DataFrame> {
    let shown = |u: &Unit, v: f64| if u.suppression.is_suppressed() || v.is_nan() { None } else { Some(v) };
    TableBuilder::new()
        .str("study", us.iter().map(|u| &u.study))
        .str("unit", us.iter().map(|u| &u.unit))
        .u64("n_employees", us.iter().map(|u| u.n_employees))
        .opt_f64("mean_engagement", us.iter().map(|u| shown(u, u.mean_engagement)))
        .u64("n_customers", us.iter().map(|u| u.n_customers))
        .opt_f64("share_satisfied", us.iter().map(|u| shown(u, u.share_satisfied())))
        .opt_f64("mean_satisfaction", us.iter().map(|u| shown(u, u.mean_satisfaction)))
        .bool("suppressed", us.iter().map(|u| u.suppression.is_suppressed()))
        .opt_str("suppression", us.iter().map(|u| u.suppression.reason(k)))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(study: &str, name: &str, ne: u64, nc: u64) -> Unit {
        Unit {
            study: study.into(),
            unit: name.into(),
            n_employees: ne,
            mean_engagement: 50.0,
            n_customers: nc,
            n_satisfied: 0,
            mean_satisfaction: 7.0,
            w_customers: nc as f64,
            w_satisfied: 0.0,
            weighted_employees: false,
            weighted_customers: false,
            suppression: Suppression::None,
        }
    }

    #[test]
    fn one_small_unit_gets_a_complementary_partner() {
        let mut us = vec![unit("a", "u1", 3, 40), unit("a", "u2", 12, 40), unit("a", "u3", 8, 40), unit("b", "v1", 9, 9)];
        suppress(&mut us, 5);
        let s: Vec<Suppression> = us.iter().map(|u| u.suppression).collect();
        assert_eq!(
            s,
            vec![Suppression::Small, Suppression::None, Suppression::Complementary, Suppression::None]
        );
    }

    #[test]
    fn the_partner_has_respondents_on_the_side_it_protects() {
        // u2 has no employees: hiding it would leave u1's engagement = study total - u3 - u4.
        let mut us = vec![unit("a", "u1", 3, 40), unit("a", "u2", 0, 40), unit("a", "u3", 8, 40), unit("a", "u4", 9, 40)];
        suppress(&mut us, 5);
        let s: Vec<Suppression> = us.iter().map(|u| u.suppression).collect();
        assert_eq!(s, vec![Suppression::Small, Suppression::None, Suppression::Complementary, Suppression::None]);
        // Two hidden units, but only one of them has customers: a customer-side partner is added.
        let mut us = vec![unit("a", "u1", 3, 0), unit("a", "u2", 2, 40), unit("a", "u3", 8, 30), unit("a", "u4", 9, 40)];
        suppress(&mut us, 5);
        let s: Vec<Suppression> = us.iter().map(|u| u.suppression).collect();
        assert_eq!(s, vec![Suppression::Small, Suppression::Small, Suppression::Complementary, Suppression::None]);
    }

    #[test]
    fn two_small_units_need_no_partner() {
        let mut us = vec![unit("a", "u1", 3, 40), unit("a", "u2", 12, 2), unit("a", "u3", 8, 40)];
        suppress(&mut us, 5);
        assert_eq!(us[2].suppression, Suppression::None);
    }
}
