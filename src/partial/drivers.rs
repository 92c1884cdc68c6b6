//! The report's drivers section ([`crate::analysis::drivers`]) part by part: [`DriverPart::of`]
//! a study holding whole studies, [`DriverPart::merge`], and [`DriverPart::finish`], which gives
//! the section (and its warnings) of [`analysis::report`](crate::analysis::report) on the union
//! of the parts' studies.
//!
//! A part holds the employees' driver columns of its studies in summarised form, per study:
//! - the number of employees and, per driver and control column, the number of missing answers
//!   (the refusal of a driver missing for most employees, and the count of those left out, are
//!   decided on the union);
//! - **employee level** (engagement): the rows with every driver answered, centred within the
//!   study (the part holds the whole study, so this is the single-machine centring), with the
//!   weights divided by the study's largest weight: their weighted scatter matrix (the LMG
//!   importances and the standard deviations of the standardised effects), per unit the
//!   triangular factor of the unit's rows `√w·[drivers, controls | engagement]` ([`RowsFactor`]:
//!   the OLS fit and its cluster-robust errors, through [`ols_absorbed_factored`]) and the unit's
//!   sums `Σw, Σw·c, Σw·c cᵀ` of the centred rows (the stratified cluster bootstrap of the
//!   shares: the same draws, from the same seeded streams, over the same units in the same order
//!   as on one machine, whose units are numbered by their codes: study, then name);
//! - **unit level** (share satisfied): the rows of the unit-level design, one per linkable unit
//!   (the unit means of the drivers, its share satisfied), and the counts its notes report.
//!
//! `finish` rescales each study's weighted sums by its largest weight over the largest of all the
//! parts (as the single-machine code divides by the largest weight of the table), standardises
//! with the pooled standard deviations and fits. Its numbers agree with the single-machine ones
//! to rounding (1e-12 relative on the sample studies; a slope near zero to 1e-14 of the scale of
//! its column), its counts, ranks of the data and texts exactly.
//!
//! The drivers a part uses are the given ones or the seeds' drivers with at least one answer in
//! the part. When a seed driver is answered in some parts and not at all in another, the latter's
//! employees lack an answer to a driver of the union and are left out, as on one machine. A part
//! needs the study effects absorbed (`adjust_for_study`, the default): without them the centring
//! is over all studies, which no part knows.

use crate::analysis::drivers::design::{
    answered_columns, centred, check_missing, employee_rows, left_out_note, unit_notes, unit_rows,
    Design,
};
use crate::analysis::drivers::importance::{cluster_sums, importance_from, scatter_of, ClusterSums};
use crate::analysis::drivers::{
    check_sds, check_size, checked_names, design_table, invalid, report_section, DriverLevel, DriverOptions,
    DriverOutcome, Fitted, SEED_DRIVERS,
};
use crate::analysis::frame::{employee_weights, floats};
use crate::data::Study;
use crate::error::Result;
use crate::stats::regression::{ols_absorbed_factored, RowsFactor, RowsFacts};
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The drivers statistics of some whole studies, mergeable with those of other studies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriverPart {
    /// The candidate columns: the given drivers, or the seeds' drivers that are columns of the
    /// employees table; then the controls. Every part has the same.
    candidates: Vec<String>,
    /// Number of candidates that are drivers (the rest are controls).
    n_drivers: usize,
    explicit: bool,
    /// One per part merged in, in the order of their first study.
    groups: Vec<Group>,
}

/// The statistics of the studies of one part, computed with the same drivers.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Group {
    /// The drivers used (the given ones, or the candidates answered at least once in the part;
    /// none when no candidate is).
    drivers: Vec<String>,
    /// The customers have weights (the unit-level outcome is weighted).
    weighted_customers: bool,
    /// The part's units out of the linkage, linkable ones, and linkable ones without an
    /// employee answering every driver.
    excluded: u64,
    linkable: u64,
    without: u64,
    studies: BTreeMap<String, StudyDrivers>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StudyDrivers {
    n_employees: u64,
    /// Missing answers per candidate.
    missing: Vec<u64>,
    /// The largest raw weight of the study's employees (1 without weights, 0 without employees).
    weight_max: f64,
    employee: EmployeeStats,
    /// Unit-level rows: share satisfied, then the unit means of the drivers and controls.
    unit_y: Vec<f64>,
    unit_x: Vec<Vec<f64>>,
}

/// The employee-level statistics of a study (weights divided by the study's largest weight).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EmployeeStats {
    /// Employees with every driver answered, and the sum of their weights.
    n: u64,
    sw: f64,
    /// `Σ w·c cᵀ` of the centred rows `c = (engagement, drivers, controls)`.
    scatter: Vec<f64>,
    /// Of the rows `√w·c`, predictors first, engagement last.
    facts: RowsFacts,
    factors: Vec<RowsFactor>,
    /// Per unit, `Σw` and `Σw·c` of the centred rows (the bootstrap; `Σw·c cᵀ` is the factor's
    /// `RᵀR`).
    w: Vec<f64>,
    s: Vec<f64>,
}

/// The rows `rows` of a design, as a design of one study (code 0) whose units keep their order.
fn study_rows(d: &Design, rows: &[usize]) -> Design {
    let mut code: BTreeMap<usize, usize> = BTreeMap::new();
    for &i in rows {
        code.insert(d.cluster[i], 0);
    }
    for (k, c) in code.values_mut().enumerate() {
        *c = k;
    }
    Design {
        y: rows.iter().map(|&i| d.y[i]).collect(),
        x: d.x.iter().map(|c| rows.iter().map(|&i| c[i]).collect()).collect(),
        w: rows.iter().map(|&i| d.w[i]).collect(),
        study: vec![0; rows.len()],
        cluster: rows.iter().map(|&i| code[&d.cluster[i]]).collect(),
        cluster_study: vec![0; code.len()],
        n_studies: 1,
        notes: Vec::new(),
        excluded: 0,
        without: 0,
    }
}

impl EmployeeStats {
    fn of(d: &Design) -> EmployeeStats {
        let (cols, _) = centred(d, true);
        let k = d.x.len();
        let root: Vec<f64> = d.w.iter().map(|w| w.sqrt()).collect();
        let rooted: Vec<Vec<f64>> = cols.iter().map(|c| c.iter().zip(&root).map(|(v, r)| v * r).collect()).collect();
        let mut factors = vec![RowsFactor::new(k); d.cluster_study.len()];
        let mut x = vec![0.0; k];
        for i in 0..d.y.len() {
            for j in 0..k {
                x[j] = rooted[j + 1][i];
            }
            factors[d.cluster[i]].add_row(&x, rooted[0][i]);
        }
        let xs: Vec<&[f64]> = rooted[1..].iter().map(Vec::as_slice).collect();
        let sums = cluster_sums(d, &cols);
        let (w, s) = sums.sums();
        EmployeeStats {
            n: d.y.len() as u64,
            sw: d.w.iter().sum(),
            scatter: scatter_of(d, &cols),
            facts: RowsFacts::of(&xs, &rooted[0]),
            factors,
            w: w.to_vec(),
            s: s.to_vec(),
        }
    }

    /// Appends the study's units to the bootstrap's sums, their weights multiplied by `f`: the
    /// cross products from the factors, reordered outcome first.
    fn push_sums(&self, sums: &mut ClusterSums, f: f64) {
        if self.w.is_empty() {
            return;
        }
        let m = self.s.len() / self.w.len();
        let order: Vec<usize> = std::iter::once(m - 1).chain(0..m - 1).collect();
        for (c, r) in self.factors.iter().enumerate() {
            let rr = r.cross_products();
            let ss: Vec<f64> = (0..m * m).map(|k| f * rr[order[k / m] * m + order[k % m]]).collect();
            let s: Vec<f64> = self.s[c * m..(c + 1) * m].iter().map(|v| f * v).collect();
            sums.push(f * self.w[c], &s, &ss);
        }
    }
}

/// The facts of rows whose columns (predictors, then `y`) are multiplied by `s`.
fn scaled_facts(f: &RowsFacts, s: &[f64]) -> RowsFacts {
    let sy = s[s.len() - 1];
    RowsFacts {
        n: f.n,
        y_max_abs: f.y_max_abs * sy,
        y_sum: f.y_sum * sy,
        constant: f.constant.iter().zip(s).map(|(c, s)| c.map(|v| v * s)).collect(),
        is_y: f.is_y.clone(),
    }
}

impl DriverPart {
    /// The part of a study holding every row of its studies, with the report's drivers options.
    pub fn of(study: &Study, o: &DriverOptions) -> Result<DriverPart> {
        if !o.adjust_for_study {
            return Err(invalid(
                "adjust_for_study",
                "the drivers of a partitioned dataset are within-study effects (adjust_for_study=True): without the \
                 study effects the columns are centred over all the studies, which no partition holds"
                    .into(),
            ));
        }
        let df = study.employee_columns();
        let explicit = o.drivers.is_some();
        let drivers: Vec<String> = match &o.drivers {
            Some(d) => d.clone(),
            None => SEED_DRIVERS.iter().filter(|d| df.column(d.column).is_ok()).map(|d| d.column.to_string()).collect(),
        };
        let n_drivers = drivers.len();
        let candidates: Vec<String> = drivers.iter().chain(&o.controls).cloned().collect();
        let mut part = DriverPart { candidates, n_drivers, explicit, groups: Vec::new() };
        if n_drivers == 0 && !explicit {
            return Ok(part);
        }
        let ix = study.index();
        let (cols, _) = answered_columns(study, &drivers, o)?;
        // the drivers answered at least once in the part (all of them when given)
        let used: Vec<usize> =
            (0..cols.len()).filter(|&j| explicit || j >= n_drivers || cols[j].iter().any(|v| v.is_finite())).collect();
        let used_drivers: Vec<String> = used.iter().filter(|&&j| j < n_drivers).map(|&j| drivers[j].clone()).collect();
        let used_cols: Vec<Vec<f64>> = used.iter().map(|&j| cols[j].clone()).collect();
        let keep: Vec<usize> = (0..df.height()).filter(|&i| used_cols.iter().all(|c| c[i].is_finite())).collect();
        // weights divided by the largest of their study
        let raw = match employee_weights(study, "drivers")? {
            Some(_) => Some(floats(df, "weight")?),
            None => None,
        };
        let n_studies = ix.studies.len();
        let (scaled, range) = super::by_study_max(raw.as_deref(), &ix.emp_study, n_studies);
        let weight_max: Vec<f64> = range.map_or(vec![1.0; n_studies], |r| r.iter().map(|r| r.1).collect());
        let mut n_employees = vec![0u64; n_studies];
        let mut missing = vec![vec![0u64; cols.len()]; n_studies];
        for i in 0..df.height() {
            let s = ix.emp_study[i] as usize;
            n_employees[s] += 1;
            for (j, c) in cols.iter().enumerate() {
                missing[s][j] += u64::from(!c[i].is_finite());
            }
        }
        let emp = employee_rows(study, &used_cols, &keep, scaled.as_deref(), Vec::new())?;
        let share = DriverOptions { outcome: DriverOutcome::ShareSatisfied, level: Some(DriverLevel::Unit), ..o.clone() };
        let unit = unit_rows(study, &used_cols, &keep, &share, Vec::new())?;
        let by_study = |study_of: &[u32]| {
            let mut rows = vec![Vec::new(); n_studies];
            for (i, &s) in study_of.iter().enumerate() {
                rows[s as usize].push(i);
            }
            rows
        };
        let (emp_rows, unit_rows_of) = (by_study(&emp.study), by_study(&unit.study));
        let mut studies = BTreeMap::new();
        for (s, name) in ix.studies.iter().enumerate() {
            let rows = &unit_rows_of[s];
            studies.insert(
                name.clone(),
                StudyDrivers {
                    n_employees: n_employees[s],
                    missing: missing[s].clone(),
                    weight_max: weight_max[s],
                    employee: EmployeeStats::of(&study_rows(&emp, &emp_rows[s])),
                    unit_y: rows.iter().map(|&i| unit.y[i]).collect(),
                    unit_x: unit.x.iter().map(|c| rows.iter().map(|&i| c[i]).collect()).collect(),
                },
            );
        }
        let linkable = unit.y.len() as u64 + unit.without;
        part.groups.push(Group {
            drivers: used_drivers,
            weighted_customers: study.customer_weights().is_some(),
            excluded: unit.excluded,
            linkable,
            without: unit.without,
            studies,
        });
        Ok(part)
    }

    /// The union of two parts (a study in both is refused, as parts of different columns).
    pub fn merge(mut self, other: DriverPart) -> Result<DriverPart> {
        if (&self.candidates, self.n_drivers, self.explicit) != (&other.candidates, other.n_drivers, other.explicit) {
            let names = |p: &DriverPart| p.candidates.join(", ");
            return Err(invalid(
                "partitions",
                format!(
                    "the partitions' employees tables have different driver columns ([{}] and [{}]): every file of a \
                     dataset has the same columns",
                    names(&self),
                    names(&other)
                ),
            ));
        }
        let mut seen: BTreeSet<&String> = self.groups.iter().flat_map(|g| g.studies.keys()).collect();
        for name in other.groups.iter().flat_map(|g| g.studies.keys()) {
            if !seen.insert(name) {
                return Err(super::split_study(name));
            }
        }
        self.groups.extend(other.groups);
        self.groups.sort_by(|a, b| a.studies.keys().next().cmp(&b.studies.keys().next()));
        Ok(self)
    }

    /// The report's drivers section on the union of the parts' studies, and the warnings of the
    /// models that could not be fitted (none without a driver column, as on one machine).
    pub fn finish(&self, o: &DriverOptions) -> Result<(Option<DataFrame>, Vec<String>)> {
        let mut warnings = Vec::new();
        if !self.explicit && self.available().is_empty() {
            return Ok((None, warnings));
        }
        let table = report_section(o, &mut warnings, |opts| self.table(opts))?;
        Ok((table, warnings))
    }

    /// The drivers answered at least once (all of them when given).
    fn available(&self) -> Vec<String> {
        let drivers = &self.candidates[..self.n_drivers];
        if self.explicit {
            return drivers.to_vec();
        }
        let studies = || self.groups.iter().flat_map(|g| g.studies.values());
        (0..self.n_drivers)
            .filter(|&j| studies().any(|s| s.missing[j] < s.n_employees))
            .map(|j| drivers[j].clone())
            .collect()
    }

    /// The studies in name order, with their group (whose statistics count when it used the
    /// drivers `drivers`).
    fn studies(&self) -> Vec<(&String, &StudyDrivers, &Group)> {
        let mut all: Vec<(&String, &StudyDrivers, &Group)> =
            self.groups.iter().flat_map(|g| g.studies.iter().map(move |(n, s)| (n, s, g))).collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// One model of the report's section: engagement at the employee level or the share
    /// satisfied at the unit level.
    fn table(&self, o: &DriverOptions) -> Result<DataFrame> {
        o.check()?;
        let level = o.level()?;
        let names = checked_names(self.available(), o)?;
        let all: Vec<String> = names.iter().chain(&o.controls).cloned().collect();
        // the union's missing answers of the columns used, and the employees left out
        let index: Vec<usize> = all
            .iter()
            .map(|c| {
                self.candidates.iter().position(|x| x == c).ok_or_else(|| {
                    invalid("controls", format!("'{c}' is not among the columns the parts were computed with"))
                })
            })
            .collect::<Result<_>>()?;
        let studies = self.studies();
        let n: u64 = studies.iter().map(|(_, s, _)| s.n_employees).sum();
        let missing: Vec<u64> = index.iter().map(|&j| studies.iter().map(|(_, s, _)| s.missing[j]).sum()).collect();
        check_missing(&missing, &all.iter().collect::<Vec<_>>(), n)?;
        let counts = |g: &Group| g.drivers == names;
        let kept: u64 = studies.iter().filter(|(_, _, g)| counts(g)).map(|(_, s, _)| s.employee.n).sum();
        let notes: Vec<String> = left_out_note(n - kept).into_iter().collect();
        match (o.outcome, level) {
            (DriverOutcome::Engagement, DriverLevel::Employee) => self.employee_table(&names, &studies, o, notes),
            (DriverOutcome::ShareSatisfied, DriverLevel::Unit) => {
                let mut d = Design {
                    y: Vec::new(),
                    x: vec![Vec::new(); all.len()],
                    w: Vec::new(),
                    study: Vec::new(),
                    cluster: Vec::new(),
                    cluster_study: Vec::new(),
                    n_studies: studies.len(),
                    notes,
                    excluded: 0,
                    without: 0,
                };
                for (k, (_, s, g)) in studies.iter().enumerate() {
                    if !counts(g) {
                        continue;
                    }
                    for (i, &y) in s.unit_y.iter().enumerate() {
                        d.y.push(y);
                        for (col, src) in d.x.iter_mut().zip(&s.unit_x) {
                            col.push(src[i]);
                        }
                        d.w.push(1.0);
                        d.study.push(k as u32);
                        d.cluster.push(d.cluster_study.len());
                        d.cluster_study.push(k as u32);
                    }
                }
                let (excluded, without) = self.groups.iter().fold((0, 0), |(e, w), g| {
                    (e + g.excluded, w + if counts(g) { g.without } else { g.linkable })
                });
                let weighted = self.groups.iter().any(|g| g.weighted_customers);
                d.notes.extend(unit_notes(excluded, without, weighted));
                design_table(&d, &names, o, level)
            }
            (outcome, level) => Err(invalid(
                "drivers",
                format!(
                    "the parts hold the report's drivers models only, not {} at the {} level",
                    outcome.as_str(),
                    level.as_str()
                ),
            )),
        }
    }

    /// The employee-level model from the studies' statistics.
    fn employee_table(
        &self,
        names: &[String],
        studies: &[(&String, &StudyDrivers, &Group)],
        o: &DriverOptions,
        mut notes: Vec<String>,
    ) -> Result<DataFrame> {
        let (p, controls) = (names.len(), o.controls.len());
        let m = p + controls + 1;
        let all: Vec<String> = names.iter().chain(&o.controls).cloned().collect();
        let max = studies.iter().fold(0.0_f64, |a, (_, s, _)| a.max(s.weight_max));
        let used: Vec<(u32, &EmployeeStats, f64)> = studies
            .iter()
            .enumerate()
            .filter(|(_, (_, _, g))| g.drivers == names)
            .map(|(k, (_, s, _))| (k as u32, &s.employee, if max > 0.0 { s.weight_max / max } else { 1.0 }))
            .collect();
        let n: u64 = used.iter().map(|(_, e, _)| e.n).sum();
        let absorbed = used.iter().filter(|(_, e, f)| e.sw * f > 0.0).count();
        check_size(n as usize, p + controls, absorbed, DriverLevel::Employee)?;
        let sw: f64 = used.iter().map(|(_, e, f)| e.sw * f).sum();
        let mut scatter = vec![0.0; m * m];
        for (_, e, f) in &used {
            for (a, b) in scatter.iter_mut().zip(&e.scatter) {
                *a += f * b;
            }
        }
        let sds: Vec<f64> = (0..m).map(|j| (scatter[j * m + j] / sw).sqrt()).collect();
        check_sds(&sds, &all, o)?;
        // the factors of the standardised rows √(f·w)·c / sd (predictors, then engagement)
        let mut factors = Vec::new();
        let mut facts = RowsFacts::of(&vec![&[][..]; m - 1], &[]);
        let mut sums = ClusterSums::new(m);
        let mut cluster_study = Vec::new();
        for (k, e, f) in &used {
            let root = f.sqrt();
            let s: Vec<f64> = (1..m).chain([0]).map(|j| root / sds[j]).collect();
            factors.extend(e.factors.iter().map(|r| r.scaled_columns(&s)));
            facts.merge(&scaled_facts(&e.facts, &s));
            e.push_sums(&mut sums, *f);
            cluster_study.extend(std::iter::repeat_n(*k, e.w.len()));
        }
        let names_str: Vec<&str> = all.iter().map(String::as_str).collect();
        let fit = ols_absorbed_factored(&names_str, &factors, &facts, absorbed, o.confidence)?;
        notes.extend(fit.note.clone());
        let importance = importance_from(&scatter, &sums, &cluster_study, studies.len(), p, controls, o, &mut notes)?;
        Fitted { level: DriverLevel::Employee, n, cluster_study: &cluster_study, sds, fit, importance, notes }
            .table(names, o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::drivers::drivers;
    use crate::partial::testing::{assert_frames_close as assert_tables_close, cut, merge_randomly, round_trip, sample_study, sample_weighted_study};
    use polars::prelude::*;

    /// The section of the parts of `study` cut into `k`, merged in a random order after a round
    /// trip through bytes.
    fn finished(study: &Study, o: &DriverOptions, k: usize, seed: u64) -> Result<(Option<DataFrame>, Vec<String>)> {
        let parts: Vec<DriverPart> =
            cut(study, k, seed)?.iter().map(|s| round_trip(&DriverPart::of(s, o)?)).collect::<Result<_>>()?;
        merge_randomly(parts, seed + 1, DriverPart::merge)?.finish(o)
    }

    fn single(study: &Study, o: &DriverOptions) -> (Option<DataFrame>, Vec<String>) {
        let mut warnings = Vec::new();
        let t = report_section(o, &mut warnings, |opts| drivers(study, opts)).unwrap();
        (t, warnings)
    }

    fn options(n_resamples: usize, seed: u64) -> DriverOptions {
        DriverOptions { n_resamples, seed, ..Default::default() }
    }

    #[test]
    fn any_cut_any_order_gives_the_single_machine_section() {
        for (name, study) in [("unweighted", sample_study(5).unwrap()), ("weighted", sample_weighted_study(5).unwrap())] {
            for o in [options(0, 0), options(199, 7)] {
                let (want, want_w) = single(&study, &o);
                let want = want.expect("the sample study has drivers");
                assert_eq!(want.height(), 8, "{name}: both models");
                for (k, seed) in [(1, 1), (3, 2), (7, 3)] {
                    let (got, got_w) = finished(&study, &o, k, seed).unwrap();
                    assert_tables_close(&got.unwrap(), &want, &format!("{name} k={k} n_resamples={}", o.n_resamples));
                    assert_eq!(got_w, want_w, "{name} k={k}");
                }
            }
        }
    }

    /// `study` with the employees' column `column` set to null where `hole(row, study)`.
    fn with_holes(study: &Study, column: &str, hole: impl Fn(usize, &str) -> bool) -> Study {
        let mut e = study.employees().unwrap().clone();
        let st = e.column("study").unwrap().str().unwrap().clone();
        let keep: BooleanChunked = st.iter().enumerate().map(|(i, s)| Some(!hole(i, s.unwrap_or("")))).collect();
        let col = e.column(column).unwrap().as_materialized_series().clone();
        let nulls = Series::full_null(column.into(), col.len(), col.dtype());
        e.with_column(Column::from(col.zip_with(&keep, &nulls).unwrap())).unwrap();
        Study::new(e, study.customers().unwrap().clone(), study.mentions().unwrap().cloned(), study.schema().clone()).unwrap()
    }

    #[test]
    fn given_drivers_controls_and_missing_answers() {
        let study = sample_study(6).unwrap();
        let names = study.study_names().unwrap();
        // a driver unanswered by every employee of two studies, and by a few elsewhere
        let holed = with_holes(&study, "informed", |i, s| s == names[0] || s == names[3] || i % 97 == 5);
        let given = DriverOptions {
            drivers: Some(vec!["manager_support".into(), "informed".into()]),
            controls: vec!["customer_facing".into()],
            ..options(149, 3)
        };
        for (s, o) in [(&holed, options(0, 0)), (&holed, given.clone()), (&study, given)] {
            let (want, want_w) = single(s, &o);
            let want = want.unwrap();
            for k in [2, 5] {
                let (got, got_w) = finished(s, &o, k, k as u64).unwrap();
                assert_tables_close(&got.unwrap(), &want, &format!("k={k} {:?}", o.drivers));
                assert_eq!(got_w, want_w);
            }
        }
        let note = single(&holed, &options(0, 0)).0.unwrap().column("note").unwrap().str().unwrap().get(0).unwrap().to_string();
        assert!(note.contains("employees without every driver answered were left out"), "{note}");
        // missing for most employees: refused by both, as a warning of the report
        let most = with_holes(&study, "informed", |i, _| i % 3 != 0);
        let (want, want_w) = single(&most, &options(0, 0));
        let (got, got_w) = finished(&most, &options(0, 0), 4, 9).unwrap();
        assert!(want.is_none() && got.is_none(), "{want:?}");
        assert!(want_w.iter().any(|w| w.contains("'informed' is missing for")), "{want_w:?}");
        assert_eq!(got_w, want_w);
    }

    #[test]
    fn no_driver_column_no_section_and_refusals() {
        let study = sample_study(7).unwrap();
        let mut e = study.employees().unwrap().clone();
        for d in SEED_DRIVERS {
            e = e.drop(d.column).unwrap();
        }
        let bare = Study::new(e, study.customers().unwrap().clone(), study.mentions().unwrap().cloned(), study.schema().clone())
            .unwrap();
        let o = options(0, 0);
        assert_eq!(single(&bare, &o).0, None);
        assert_eq!(finished(&bare, &o, 3, 1).unwrap().0, None);
        // parts of different columns, a study in two parts, no study effects
        let a = DriverPart::of(&bare, &o).unwrap();
        let b = DriverPart::of(&study, &o).unwrap();
        let e = a.merge(b.clone()).unwrap_err().to_string();
        assert!(e.contains("different driver columns"), "{e}");
        let e = b.clone().merge(b).unwrap_err().to_string();
        assert!(e.contains("is in two partitions"), "{e}");
        let e = DriverPart::of(&study, &DriverOptions { adjust_for_study: false, ..o.clone() }).unwrap_err().to_string();
        assert!(e.contains("adjust_for_study"), "{e}");
        // finished with a control the parts were not computed with: refused, not another column
        let other = DriverOptions { controls: vec!["customer_facing".into()], ..o };
        let e = DriverPart::of(&study, &options(0, 0)).unwrap().finish(&other).unwrap_err().to_string();
        assert!(e.contains("'customer_facing' is not among the columns"), "{e}");
    }

    #[test]
    fn a_model_that_cannot_be_fitted_is_a_warning_on_both_paths() {
        // a driver that does not vary within studies: neither model is identified
        let study = sample_study(8).unwrap();
        let mut e = study.employees().unwrap().clone();
        let n = e.height();
        e.with_column(Column::new("manager_support".into(), vec![3.0; n])).unwrap();
        let flat = Study::new(e, study.customers().unwrap().clone(), study.mentions().unwrap().cloned(), study.schema().clone())
            .unwrap();
        let o = options(0, 0);
        let (want, want_w) = single(&flat, &o);
        let (got, got_w) = finished(&flat, &o, 3, 1).unwrap();
        assert!(want.is_none() && got.is_none());
        assert_eq!(want_w.len(), 2, "{want_w:?}");
        assert!(want_w[0].contains("does not vary"), "{want_w:?}");
        assert_eq!(got_w, want_w);
    }

    #[test]
    fn the_part_holds_a_few_numbers_per_unit() {
        // per unit: the factor of its rows (15 numbers for 4 drivers), Σw and Σw·c (6), its
        // unit-level row (5); per study a 5 × 5 scatter and counts
        let study = sample_study(9).unwrap();
        let part = DriverPart::of(&study, &options(0, 0)).unwrap();
        let bytes = crate::partial::to_bytes(&part).unwrap().len();
        let units = study.index().units.len();
        let per_unit = bytes as f64 / units as f64;
        assert!(per_unit < 8.0 * 30.0, "{bytes} bytes for {units} units: {per_unit:.0} per unit");
        assert!(per_unit > 8.0 * 21.0, "{per_unit}");
    }
}
