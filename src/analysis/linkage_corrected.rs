//! Linkage corrected for the unreliability of unit means (true-score correlations), per study
//! and pooled three ways.
//!
//! **Per study**, over the study's *linkable* units — the units and the observed Pearson r of
//! [`super::linkage`] (both sides present, neither suppressed):
//! - `reliability_employees` = ICC(2) of engagement by unit over the employees of those units,
//!   `reliability_customers` = ICC(2) of the customer outcome by unit over their customers (the
//!   0/1 "satisfied" indicator, satisfaction at or above the schema's threshold, for
//!   `share_satisfied`; the satisfaction itself for `mean_satisfaction`). ICC(2) =
//!   `(MSB − MSW)/MSB` of the one-way ANOVA (Bliese 2000; R `multilevel::ICC2`) is the
//!   reliability of a unit mean, the Spearman–Brown step-up of ICC(1) to the mean group size;
//! - `r_corrected = r / sqrt(reliability_employees · reliability_customers)`, Spearman's (1904)
//!   correction for attenuation. A corrected r above 1 in absolute value is reported as
//!   computed, never clipped, with a note; a reliability ≤ 0 or undefined leaves it NaN with the
//!   reason.
//!
//! **Pooled** (`level = "pooled"`, `study = "all"`), one row per `method`:
//! - `random_effects`: linkage's pooled row itself (REML random-effects meta-analysis of the
//!   Fisher-z per-study r over studies with 4 or more linkable units; with fewer than 2 such
//!   studies, the correlation over all linkable units, as linkage does, with a note); `tau` is
//!   `sqrt(τ²)` on the Fisher-z scale;
//! - `hunter_schmidt_bare_bones`: [`meta_hunter_schmidt_with`] on the same studies' observed r
//!   with `n = n_units` (psychmeta `ma_r` defaults: sample-size weights, bias-corrected r,
//!   t intervals on k − 1 df, credibility interval at `credibility`);
//! - `hunter_schmidt_corrected`: its individually corrected analysis with `rxx` = the employees'
//!   and `ryy` = the customers' reliabilities; studies whose reliabilities are not in (0, 1] are
//!   left out, with a note counting them. `sd_res` is `sd_rho` there.
//!
//! With fewer than 2 studies to pool, the Hunter–Schmidt rows stay (NaN, with the reason), as
//! linkage keeps its pooled row for one study.

use super::frame::{floats, TableBuilder};
use super::linkage::{linkage_rows, By, CorrelationMethod, LinkageOptions, LinkageRow, Outcome};
use super::units::units;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::hunter_schmidt::{meta_hunter_schmidt_with, HsAnalysis, HunterSchmidtOptions};
use crate::stats::reliability::icc;
use polars::prelude::DataFrame;

/// The note of a corrected r above 1 in absolute value.
pub const ABOVE_ONE_NOTE: &str = "corrected r above 1: the reliabilities are underestimated or the sample is small";

/// Options of [`linkage_corrected`], checked by [`CorrectedLinkageOptions::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectedLinkageOptions {
    pub outcome: Outcome,
    /// Level of the confidence intervals (random effects and Hunter–Schmidt).
    pub confidence: f64,
    /// Level of the Hunter–Schmidt credibility intervals (psychmeta's default 0.80).
    pub credibility: f64,
}

impl Default for CorrectedLinkageOptions {
    fn default() -> Self {
        CorrectedLinkageOptions { outcome: Outcome::ShareSatisfied, confidence: 0.95, credibility: 0.80 }
    }
}

impl CorrectedLinkageOptions {
    pub fn check(&self) -> Result<()> {
        for (argument, v) in [("confidence", self.confidence), ("credibility", self.credibility)] {
            if !(v > 0.0 && v < 1.0) {
                return Err(MiroirError::InvalidArgument {
                    argument: argument.into(),
                    detail: format!("must lie strictly between 0 and 1, got {v}"),
                });
            }
        }
        Ok(())
    }
}

/// One row of the corrected-linkage table (`None` = not applicable to the row's level).
#[derive(Debug, Clone, Default)]
pub struct CorrectedRow {
    pub level: &'static str,
    pub study: String,
    pub method: Option<&'static str>,
    pub n_units: u64,
    pub n_employees: u64,
    pub n_customers: u64,
    pub r: Option<f64>,
    pub reliability_employees: Option<f64>,
    pub reliability_customers: Option<f64>,
    pub r_corrected: Option<f64>,
    pub estimate: Option<f64>,
    pub p_value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub cr_low: Option<f64>,
    pub cr_high: Option<f64>,
    pub k: Option<u64>,
    pub n_total: Option<u64>,
    pub sd_res: Option<f64>,
    pub tau: Option<f64>,
    pub percent_var_accounted: Option<f64>,
    pub notes: Vec<String>,
}

/// ICC(2) of `values` by `groups`, or NaN with the reason.
fn reliability(values: &[f64], groups: &[usize]) -> (f64, Option<String>) {
    match icc(values, groups) {
        Ok(r) => {
            let icc2 = r.get("icc2").unwrap_or(f64::NAN);
            (icc2, if icc2.is_nan() { r.note } else { None })
        }
        Err(e) => (f64::NAN, Some(e.to_string())),
    }
}

/// Why a reliability cannot correct r (`None` when it can).
fn unusable(side: &str, rel: f64, reason: Option<String>) -> Option<String> {
    if rel.is_nan() {
        Some(format!(
            "{side}' reliability (ICC(2)) is undefined ({}): r cannot be corrected",
            reason.unwrap_or_else(|| "no variance".into())
        ))
    } else if rel <= 0.0 {
        Some(format!(
            "{side}' reliability (ICC(2)) is {rel:.4} <= 0 (no more variance between units than within): \
             r cannot be corrected"
        ))
    } else {
        None
    }
}

/// Values and unit codes of the respondents of each study's linkable units (study codes index).
struct Side {
    values: Vec<Vec<f64>>,
    groups: Vec<Vec<usize>>,
}

fn side(n_studies: usize, study: &[u32], unit: &[u32], value: impl Fn(usize) -> f64, linkable: &[bool]) -> Side {
    let mut s = Side { values: vec![Vec::new(); n_studies], groups: vec![Vec::new(); n_studies] };
    for (i, (&st, &u)) in study.iter().zip(unit).enumerate() {
        if linkable[u as usize] {
            s.values[st as usize].push(value(i));
            s.groups[st as usize].push(u as usize);
        }
    }
    s
}

fn hs_row(method: &'static str, a: &HsAnalysis, notes: Vec<String>) -> CorrectedRow {
    CorrectedRow {
        level: "pooled",
        study: "all".into(),
        method: Some(method),
        n_units: a.n_total as u64,
        estimate: Some(a.mean),
        ci_low: Some(a.ci_low),
        ci_high: Some(a.ci_high),
        cr_low: Some(a.cr_low),
        cr_high: Some(a.cr_high),
        k: Some(a.k as u64),
        n_total: Some(a.n_total as u64),
        sd_res: Some(a.sd_res),
        percent_var_accounted: Some(a.percent_var_accounted),
        notes,
        ..Default::default()
    }
}

fn hs_nan(method: &'static str, k: usize, n_total: u64, note: String) -> CorrectedRow {
    let nan = Some(f64::NAN);
    CorrectedRow {
        level: "pooled",
        study: "all".into(),
        method: Some(method),
        n_units: n_total,
        estimate: nan,
        ci_low: nan,
        ci_high: nan,
        cr_low: nan,
        cr_high: nan,
        k: Some(k as u64),
        n_total: Some(n_total),
        sd_res: nan,
        percent_var_accounted: nan,
        notes: vec![note],
        ..Default::default()
    }
}

/// The kernel's caveats for one analysis (those naming the other analysis left out), with the
/// kernel's `positions [i, j]` (0-based, among the studies pooled) written as study names.
fn hs_notes(note: &Option<String>, corrected: bool, names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for part in note.iter().flat_map(|n| n.split("; ")) {
        let names_corrected = part.starts_with("corrected") || part.starts_with("the mean corrected");
        let names_bare = part.starts_with("bare-bones");
        if (corrected && !names_bare) || (!corrected && !names_corrected) {
            out.push(format!("Hunter-Schmidt: {}", with_study_names(part, names)));
        }
    }
    out
}

fn with_study_names(part: &str, names: &[&str]) -> String {
    const KEY: &str = "at positions [";
    let Some(start) = part.find(KEY) else { return part.to_string() };
    let open = start + KEY.len();
    let Some(len) = part[open..].find(']') else { return part.to_string() };
    let listed: Option<Vec<&str>> = part[open..open + len]
        .split(',')
        .map(|i| i.trim().parse::<usize>().ok().and_then(|i| names.get(i).copied()))
        .collect();
    match listed {
        Some(l) => format!("{}in {}{}", &part[..start], l.join(", "), &part[open + len + 1..]),
        None => part.to_string(),
    }
}

/// Rows per study, then the three pooled rows.
pub fn corrected_rows(study: &Study, o: &CorrectedLinkageOptions) -> Result<Vec<CorrectedRow>> {
    o.check()?;
    // The observed r, units and pooled random-effects row of the linkage itself.
    let lo = LinkageOptions {
        method: CorrelationMethod::Pearson,
        outcome: o.outcome,
        by: By::Study,
        n_resamples: 0,
        confidence: o.confidence,
        ..LinkageOptions::default()
    };
    let link = linkage_rows(study, &lo)?;
    let (pooled_link, study_link) = link.split_last().expect("linkage gives a pooled row");

    let ix = study.index();
    let all_units = units(study)?;
    let linkable: Vec<bool> = all_units.iter().map(|u| u.is_linkable()).collect();
    let ns = ix.studies.len();
    let engagement = floats(study.employee_columns(), "engagement")?;
    let emp = side(ns, &ix.emp_study, &ix.emp_unit, |i| engagement[i], &linkable);
    let sat = study.satisfaction();
    let threshold = study.schema().satisfied_threshold();
    let cus = match o.outcome {
        Outcome::ShareSatisfied => side(ns, &ix.cus_study, &ix.cus_unit, |i| f64::from(u8::from(sat[i] >= threshold)), &linkable),
        Outcome::MeanSatisfaction => side(ns, &ix.cus_study, &ix.cus_unit, |i| sat[i], &linkable),
    };

    let weighted = study.employee_columns().get_column_index("weight").is_some() || study.customer_weights().is_some();
    let mut rows: Vec<CorrectedRow> =
        study_link.iter().map(|lr| study_row(&ix.studies, lr, &emp, &cus, weighted)).collect();

    // Random effects: linkage's pooled row.
    let c = &pooled_link.correlation;
    let meta = pooled_link.tau2.is_some();
    let mut re_notes = Vec::new();
    if !meta {
        re_notes.push(
            "fewer than 2 studies with 4 or more linkable units: the correlation over all linkable units, \
             not a meta-analysis (as linkage's pooled row)"
                .to_string(),
        );
    }
    if !c.estimate.is_finite() {
        re_notes.extend(c.note.iter().cloned());
    }
    // The studies pooled: those of the random-effects meta-analysis (4 or more units, finite r).
    let pooled: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].n_units >= 4 && rows[i].r.is_some_and(f64::is_finite))
        .collect();
    let n_pooled: u64 = pooled.iter().map(|&i| rows[i].n_units).sum();
    rows_push_re(&mut rows, pooled_link, meta, &pooled, re_notes);

    push_hunter_schmidt(&mut rows, &pooled, n_pooled, o);
    Ok(rows)
}

/// The row of one study: its observed r, the two reliabilities and the corrected r.
fn study_row(studies: &[String], lr: &LinkageRow, emp: &Side, cus: &Side, weighted: bool) -> CorrectedRow {
    let code = studies.iter().position(|s| *s == lr.study).expect("linkage studies are index studies");
    let mut notes = Vec::new();
    if weighted {
        notes.push("r from the weighted unit means; the reliabilities (ICC(2)) are unweighted (no standard weighted version)".to_string());
    }
    let r = lr.correlation.estimate;
    if !r.is_finite() {
        notes.extend(lr.correlation.note.iter().cloned());
    }
    let (rel_e, why_e) = reliability(&emp.values[code], &emp.groups[code]);
    let (rel_c, why_c) = reliability(&cus.values[code], &cus.groups[code]);
    let bad_e = unusable("employees", rel_e, why_e);
    let bad_c = unusable("customers", rel_c, why_c);
    let r_corrected = if bad_e.is_some() || bad_c.is_some() {
        notes.extend(bad_e);
        notes.extend(bad_c);
        f64::NAN
    } else {
        r / (rel_e * rel_c).sqrt()
    };
    if r_corrected.abs() > 1.0 {
        notes.push(ABOVE_ONE_NOTE.into());
    }
    CorrectedRow {
        level: "study",
        study: lr.study.clone(),
        n_units: lr.n_units,
        n_employees: lr.n_employees,
        n_customers: lr.n_customers,
        r: Some(r),
        reliability_employees: Some(rel_e),
        reliability_customers: Some(rel_c),
        r_corrected: Some(r_corrected),
        notes,
        ..Default::default()
    }
}

/// The two Hunter–Schmidt rows (bare-bones, then corrected) over the studies pooled.
fn push_hunter_schmidt(rows: &mut Vec<CorrectedRow>, pooled: &[usize], n_pooled: u64, o: &CorrectedLinkageOptions) {
    let hs = HunterSchmidtOptions { confidence: o.confidence, credibility: o.credibility, correct_bias: true };
    let r: Vec<f64> = pooled.iter().map(|&i| rows[i].r.unwrap_or(f64::NAN)).collect();
    let n: Vec<f64> = pooled.iter().map(|&i| rows[i].n_units as f64).collect();
    let few = |k: usize| format!("needs at least 2 studies with 4 or more linkable units and a defined r, got {k}");
    match meta_hunter_schmidt_with(&r, &n, None, None, &hs) {
        Ok(fit) => {
            let names: Vec<&str> = pooled.iter().map(|&i| rows[i].study.as_str()).collect();
            let notes = hs_notes(&fit.note, false, &names);
            rows.push(hs_row("hunter_schmidt_bare_bones", &fit.bare_bones, notes));
        }
        Err(e) => {
            let why = if pooled.len() < 2 { few(pooled.len()) } else { e.to_string() };
            rows.push(hs_nan("hunter_schmidt_bare_bones", pooled.len(), n_pooled, why));
        }
    }
    let usable: Vec<usize> = pooled
        .iter()
        .copied()
        .filter(|&i| {
            let ok = |v: Option<f64>| v.is_some_and(|v| v > 0.0 && v <= 1.0);
            ok(rows[i].reliability_employees) && ok(rows[i].reliability_customers)
        })
        .collect();
    let left_out: Vec<&str> =
        pooled.iter().filter(|i| !usable.contains(i)).map(|&i| rows[i].study.as_str()).collect();
    let mut left_note = Vec::new();
    if !left_out.is_empty() {
        left_note.push(format!(
            "{} of {} studies left out, a reliability undefined or not positive: {}",
            left_out.len(),
            pooled.len(),
            left_out.join(", ")
        ));
    }
    let pick = |f: &dyn Fn(&CorrectedRow) -> Option<f64>| -> Vec<f64> {
        usable.iter().map(|&i| f(&rows[i]).unwrap_or(f64::NAN)).collect()
    };
    let (r, n) = (pick(&|x| x.r), pick(&|x| Some(x.n_units as f64)));
    let (rxx, ryy) = (pick(&|x| x.reliability_employees), pick(&|x| x.reliability_customers));
    let n_usable: u64 = usable.iter().map(|&i| rows[i].n_units).sum();
    match meta_hunter_schmidt_with(&r, &n, Some(&rxx), Some(&ryy), &hs) {
        Ok(fit) => {
            let a = fit.corrected.as_ref().expect("reliabilities given: a corrected analysis");
            let names: Vec<&str> = usable.iter().map(|&i| rows[i].study.as_str()).collect();
            let mut notes = left_note;
            notes.extend(hs_notes(&fit.note, true, &names));
            rows.push(hs_row("hunter_schmidt_corrected", a, notes));
        }
        Err(e) => {
            let why = if usable.len() < 2 {
                format!(
                    "needs at least 2 studies with 4 or more linkable units, a defined r and reliabilities in (0, 1], got {}",
                    usable.len()
                )
            } else {
                e.to_string()
            };
            let mut row = hs_nan("hunter_schmidt_corrected", usable.len(), n_usable, why);
            row.notes.extend(left_note);
            rows.push(row);
        }
    }
}

fn rows_push_re(
    rows: &mut Vec<CorrectedRow>,
    pooled_link: &LinkageRow,
    meta: bool,
    pooled: &[usize],
    notes: Vec<String>,
) {
    let c = &pooled_link.correlation;
    let (k, n_total) = if meta {
        (c.get("k").map_or(pooled.len() as u64, |k| k as u64), pooled.iter().map(|&i| rows[i].n_units).sum())
    } else {
        (rows.len() as u64, pooled_link.n_units)
    };
    rows.push(CorrectedRow {
        level: "pooled",
        study: "all".into(),
        method: Some("random_effects"),
        n_units: n_total,
        estimate: Some(c.estimate),
        p_value: Some(c.p_value),
        ci_low: Some(c.ci_low),
        ci_high: Some(c.ci_high),
        k: Some(k),
        n_total: Some(n_total),
        tau: pooled_link.tau2.map(f64::sqrt),
        notes,
        ..Default::default()
    });
}

/// The corrected-linkage table: one row per study, then the pooled rows (see the module doc).
pub fn linkage_corrected(study: &Study, o: &CorrectedLinkageOptions) -> Result<DataFrame> {
    corrected_table(&corrected_rows(study, o)?)
}

/// The corrected-linkage table of computed rows.
pub fn corrected_table(rows: &[CorrectedRow]) -> Result<DataFrame> {
    let f = |g: &dyn Fn(&CorrectedRow) -> Option<f64>| rows.iter().map(g).collect::<Vec<Option<f64>>>();
    TableBuilder::new()
        .str("level", rows.iter().map(|r| r.level))
        .str("study", rows.iter().map(|r| &r.study))
        .opt_str("method", rows.iter().map(|r| r.method.map(str::to_string)))
        .u64("n_units", rows.iter().map(|r| r.n_units))
        .opt_u64("n_employees", rows.iter().map(|r| (r.level == "study").then_some(r.n_employees)))
        .opt_u64("n_customers", rows.iter().map(|r| (r.level == "study").then_some(r.n_customers)))
        .opt_f64("r", f(&|r| r.r))
        .opt_f64("reliability_employees", f(&|r| r.reliability_employees))
        .opt_f64("reliability_customers", f(&|r| r.reliability_customers))
        .opt_f64("r_corrected", f(&|r| r.r_corrected))
        .opt_f64("estimate", f(&|r| r.estimate))
        .opt_f64("p_value", f(&|r| r.p_value))
        .opt_f64("ci_low", f(&|r| r.ci_low))
        .opt_f64("ci_high", f(&|r| r.ci_high))
        .opt_f64("cr_low", f(&|r| r.cr_low))
        .opt_f64("cr_high", f(&|r| r.cr_high))
        .opt_u64("k", rows.iter().map(|r| r.k))
        .opt_u64("n_total", rows.iter().map(|r| r.n_total))
        .opt_f64("sd_res", f(&|r| r.sd_res))
        .opt_f64("tau", f(&|r| r.tau))
        .opt_f64("percent_var_accounted", f(&|r| r.percent_var_accounted))
        .notes("note", rows.iter().map(|r| &r.notes))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{model::SynthConfig, synthetic_study};

    #[test]
    fn kernel_positions_become_study_names() {
        let names = ["a", "b", "c"];
        assert_eq!(
            with_study_names("corrected r above 1 in absolute value at positions [0, 2] (1.1, 1.2): kept", &names),
            "corrected r above 1 in absolute value in a, c (1.1, 1.2): kept"
        );
        assert_eq!(with_study_names("no positions here", &names), "no positions here");
        // an index out of range leaves the kernel's text as it is
        assert_eq!(with_study_names("at positions [5]", &names), "at positions [5]");
        let note = Some("bare-bones: x; corrected: y; the mean corrected z; the small-sample w".to_string());
        assert_eq!(hs_notes(&note, false, &names), vec!["Hunter-Schmidt: bare-bones: x", "Hunter-Schmidt: the small-sample w"]);
        assert_eq!(
            hs_notes(&note, true, &names),
            vec!["Hunter-Schmidt: corrected: y", "Hunter-Schmidt: the mean corrected z", "Hunter-Schmidt: the small-sample w"]
        );
    }

    #[test]
    fn study_rows_reuse_linkage_and_correct_by_the_reliabilities() {
        let study = synthetic_study(&SynthConfig { studies: 3, employees: 900, customers: 3000, seed: 4, wave: 0 }).unwrap();
        let o = CorrectedLinkageOptions::default();
        let rows = corrected_rows(&study, &o).unwrap();
        let lo = LinkageOptions { n_resamples: 0, ..LinkageOptions::default() };
        let link = linkage_rows(&study, &lo).unwrap();
        assert_eq!(rows.len(), 3 + 3);
        for (r, l) in rows.iter().zip(&link[..3]) {
            assert_eq!((r.level, &r.study, r.n_units), ("study", &l.study, l.n_units));
            assert_eq!(r.r, Some(l.correlation.estimate));
            let (e, c) = (r.reliability_employees.unwrap(), r.reliability_customers.unwrap());
            assert!(e > 0.0 && e < 1.0 && c > 0.0 && c < 1.0);
            assert_eq!(r.r_corrected, Some(l.correlation.estimate / (e * c).sqrt()));
        }
        let methods: Vec<_> = rows[3..].iter().map(|r| r.method.unwrap()).collect();
        assert_eq!(methods, ["random_effects", "hunter_schmidt_bare_bones", "hunter_schmidt_corrected"]);
        assert_eq!(rows[3].estimate, Some(link[3].correlation.estimate));
        assert!(rows[5].estimate.unwrap() > rows[4].estimate.unwrap());
        let df = corrected_table(&rows).unwrap();
        assert_eq!(df.height(), 6);
        assert!(CorrectedLinkageOptions { credibility: 1.0, ..o }.check().is_err());
    }
}
