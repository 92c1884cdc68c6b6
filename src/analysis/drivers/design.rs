//! The observations of a drivers model: the employees (or the linkable units) with every driver
//! answered, their outcome, weights, study and resampling-unit codes, centred within study.

use super::{invalid, DriverOptions, DriverOutcome};
use crate::analysis::frame::{employee_weights, floats};
use crate::analysis::units::{units, Unit};
use crate::data::Study;
use crate::error::{MiroirError, Result};
use polars::prelude::*;

/// The observations of one drivers model: outcome, predictors (drivers then controls), weights,
/// study and resampling-unit codes (rows of a unit are contiguous within nothing in particular).
pub(crate) struct Design {
    pub y: Vec<f64>,
    /// One column per predictor, drivers first.
    pub x: Vec<Vec<f64>>,
    pub w: Vec<f64>,
    pub study: Vec<u32>,
    /// Resampling unit (the unit) of each row, 0..units, numbered in the order of the units'
    /// codes (study, then unit name): the order does not depend on the order of the rows.
    pub cluster: Vec<usize>,
    /// Study of each resampling unit (non-decreasing).
    pub cluster_study: Vec<u32>,
    pub n_studies: usize,
    pub notes: Vec<String>,
    /// Unit level: the units out of the linkage, and the linkable units without an employee
    /// answering every driver (left out; 0 at the employee level).
    pub excluded: u64,
    pub without: u64,
}

const BANNED: [&str; 4] = ["study", "unit", "employee_id", "engagement"];

/// A driver or control column of the employees table as f64 (booleans as 0/1, nulls as NaN).
fn employee_column(df: &DataFrame, name: &str, argument: &str) -> Result<Vec<f64>> {
    if BANNED.contains(&name) {
        return Err(invalid(
            argument,
            format!("'{name}' cannot be a driver or a control (the outcome, an identifier or the study's own effect)"),
        ));
    }
    let col = df
        .column(name)
        .map_err(|_| invalid(argument, format!("'{name}' is not a column of the employees table")))?;
    let dt = col.dtype();
    if !(dt.is_primitive_numeric() || dt.is_bool() || dt == &DataType::Null) {
        return Err(invalid(argument, format!("'{name}' is {dt}; drivers must be numbers or yes/no columns")));
    }
    floats(df, name)
}

/// The number of missing answers (null, NaN) of each column.
pub(crate) fn missing_counts(cols: &[Vec<f64>]) -> Vec<u64> {
    cols.iter().map(|c| c.iter().filter(|v| !v.is_finite()).count() as u64).collect()
}

/// Refuses a driver or control missing for most of the `n` employees (`missing` per column).
pub(crate) fn check_missing(missing: &[u64], names: &[&String], n: u64) -> Result<()> {
    for (&m, name) in missing.iter().zip(names) {
        if 2 * m > n {
            return Err(MiroirError::InsufficientData {
                detail: format!(
                    "drivers: '{name}' is missing for {m} of {n} employees; drop it from drivers= or fill it in"
                ),
            });
        }
    }
    Ok(())
}

/// The note counting the employees left out for a missing answer (none when none was).
pub(crate) fn left_out_note(left_out: u64) -> Option<String> {
    (left_out > 0).then(|| format!("{left_out} employees without every driver answered were left out"))
}

/// The driver and control columns (drivers first) and the employees with all of them answered
/// (the columns are not checked for missing answers: see [`check_missing`]).
pub(crate) fn answered_columns(study: &Study, names: &[String], o: &DriverOptions) -> Result<(Vec<Vec<f64>>, Vec<usize>)> {
    let df = study.employee_columns();
    let all: Vec<&String> = names.iter().chain(&o.controls).collect();
    let cols: Vec<Vec<f64>> = all
        .iter()
        .enumerate()
        .map(|(i, c)| employee_column(df, c, if i < names.len() { "drivers" } else { "controls" }))
        .collect::<Result<_>>()?;
    let keep: Vec<usize> = (0..df.height()).filter(|&i| cols.iter().all(|c| c[i].is_finite())).collect();
    Ok((cols, keep))
}

/// [`answered_columns`] checked for missing answers, with the note counting those left out.
fn checked_columns(study: &Study, names: &[String], o: &DriverOptions) -> Result<(Vec<Vec<f64>>, Vec<usize>, Vec<String>)> {
    let (cols, keep) = answered_columns(study, names, o)?;
    let all: Vec<&String> = names.iter().chain(&o.controls).collect();
    let n = study.employee_columns().height();
    check_missing(&missing_counts(&cols), &all, n as u64)?;
    let notes = left_out_note((n - keep.len()) as u64).into_iter().collect();
    Ok((cols, keep, notes))
}

/// The employee-level design: the employees with every driver answered, weighted by their
/// weights as the analyses read them ([`crate::analysis::frame::employee_weights`]).
pub(crate) fn employee_design(study: &Study, names: &[String], o: &DriverOptions) -> Result<Design> {
    let (cols, keep, notes) = checked_columns(study, names, o)?;
    let w = employee_weights(study, "drivers")?;
    employee_rows(study, &cols, &keep, w.as_deref(), notes)
}

/// The design of the employees `keep` (rows of `cols`, weights `w`).
pub(crate) fn employee_rows(study: &Study, cols: &[Vec<f64>], keep: &[usize], w: Option<&[f64]>, notes: Vec<String>) -> Result<Design> {
    let df = study.employee_columns();
    let ix = study.index();
    let y = floats(df, "engagement")?;
    // resampling units: the employees' units, numbered in the order of the unit codes
    let mut used = vec![false; ix.units.len()];
    for &i in keep {
        used[ix.emp_unit[i] as usize] = true;
    }
    let (mut code, mut cluster_study) = (vec![usize::MAX; used.len()], Vec::new());
    for u in (0..used.len()).filter(|&u| used[u]) {
        code[u] = cluster_study.len();
        cluster_study.push(ix.units[u].study);
    }
    Ok(Design {
        y: keep.iter().map(|&i| y[i]).collect(),
        x: cols.iter().map(|c| keep.iter().map(|&i| c[i]).collect()).collect(),
        w: keep.iter().map(|&i| w.map_or(1.0, |w| w[i])).collect(),
        study: keep.iter().map(|&i| ix.emp_study[i]).collect(),
        cluster: keep.iter().map(|&i| code[ix.emp_unit[i] as usize]).collect(),
        cluster_study,
        n_studies: ix.studies.len(),
        notes,
        excluded: 0,
        without: 0,
    })
}

pub(crate) fn unit_design(study: &Study, names: &[String], o: &DriverOptions) -> Result<Design> {
    let (cols, keep, notes) = checked_columns(study, names, o)?;
    unit_rows(study, &cols, &keep, o, notes)
}

/// The unit-level design of the employees `keep` (rows of `cols`).
pub(crate) fn unit_rows(study: &Study, cols: &[Vec<f64>], keep: &[usize], o: &DriverOptions, mut notes: Vec<String>) -> Result<Design> {
    let df = study.employee_columns();
    let ix = study.index();
    let w = employee_weights(study, "drivers")?;
    let engagement = floats(df, "engagement")?;
    // (weighted) unit means of the drivers and of engagement over the answered employees
    let k = ix.units.len();
    let p = cols.len();
    let mut sw = vec![0.0; k];
    let mut sums = vec![0.0; k * (p + 1)];
    for &i in keep {
        let u = ix.emp_unit[i] as usize;
        let wi = w.as_ref().map_or(1.0, |w| w[i]);
        sw[u] += wi;
        for (j, c) in cols.iter().enumerate() {
            sums[u * (p + 1) + j] += wi * c[i];
        }
        sums[u * (p + 1) + p] += wi * engagement[i];
    }
    // the linkage's units, in the order of `units()` (study, unit); their codes by key
    let unit_rows = units(study)?;
    let mut code_of: std::collections::HashMap<(&str, &str), usize> = Default::default();
    for (c, key) in ix.units.iter().enumerate() {
        code_of.insert((ix.studies[key.study as usize].as_str(), key.name.as_str()), c);
    }
    let linkable: Vec<&Unit> = unit_rows.iter().filter(|u| u.is_linkable()).collect();
    let mut d = Design {
        y: Vec::new(),
        x: vec![Vec::new(); p],
        w: Vec::new(),
        study: Vec::new(),
        cluster: Vec::new(),
        cluster_study: Vec::new(),
        n_studies: ix.studies.len(),
        notes: Vec::new(),
        excluded: (unit_rows.len() - linkable.len()) as u64,
        without: 0,
    };
    for u in &linkable {
        let c = code_of[&(u.study.as_str(), u.unit.as_str())];
        if sw[c] <= 0.0 {
            d.without += 1;
            continue;
        }
        let st = ix.units[c].study;
        for j in 0..p {
            d.x[j].push(sums[c * (p + 1) + j] / sw[c]);
        }
        d.y.push(match o.outcome {
            DriverOutcome::Engagement => sums[c * (p + 1) + p] / sw[c],
            DriverOutcome::ShareSatisfied => u.share_satisfied(),
            DriverOutcome::MeanSatisfaction => u.mean_satisfaction,
        });
        d.w.push(1.0);
        d.study.push(st);
        d.cluster.push(d.cluster_study.len());
        d.cluster_study.push(st);
    }
    notes.extend(unit_notes(d.excluded, d.without, o.outcome != DriverOutcome::Engagement && study.customer_weights().is_some()));
    d.notes = notes;
    Ok(d)
}

/// The notes of a unit-level design: units out of the linkage, linkable units without an
/// answering employee, customer outcomes weighted.
pub(crate) fn unit_notes(excluded: u64, without: u64, weighted_customers: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if excluded > 0 {
        notes.push(format!(
            "{excluded} units left out (a side without respondents, or suppressed for confidentiality)"
        ));
    }
    if without > 0 {
        notes.push(format!("{without} linkable units without an employee answering every driver were left out"));
    }
    if weighted_customers {
        notes.push("unit customer outcomes are weighted by the customers' weights (units count equally)".into());
    }
    notes
}

/// Per-study weighted centring of every column of a design (or overall when `by_study` is false);
/// returns the centred columns (outcome first) and the number of absorbed means.
pub(crate) fn centred(d: &Design, by_study: bool) -> (Vec<Vec<f64>>, usize) {
    let g = if by_study { d.n_studies } else { 1 };
    let group = |i: usize| if by_study { d.study[i] as usize } else { 0 };
    let mut sw = vec![0.0; g];
    for (i, &w) in d.w.iter().enumerate() {
        sw[group(i)] += w;
    }
    let centre = |v: &[f64]| -> Vec<f64> {
        let mut s = vec![0.0; g];
        for (i, x) in v.iter().enumerate() {
            s[group(i)] += d.w[i] * x;
        }
        let m: Vec<f64> = s.iter().zip(&sw).map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 }).collect();
        v.iter().enumerate().map(|(i, x)| x - m[group(i)]).collect()
    };
    let mut out = vec![centre(&d.y)];
    out.extend(d.x.iter().map(|c| centre(c)));
    (out, sw.iter().filter(|w| **w > 0.0).count())
}

