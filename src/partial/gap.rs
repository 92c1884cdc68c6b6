//! The exposure gap ([`crate::analysis::exposure_gap`]) part by part: [`GapPart::of`] a study
//! holding whole studies, [`GapPart::merge`], and [`GapPart::finish`], which gives the rows of
//! [`gap_rows`] on the union of the parts' studies.
//!
//! Per study a part keeps:
//! - the study's **row**, computed in `of` by the single-machine [`gap_row`] on the same values
//!   in the same order (so bit-equal); without weights. With weights the single-machine row
//!   reads the weights divided by the largest weight of the *whole* table (`frame::by_max`),
//!   which a part does not know: a weighted study keeps its employees' engagement and raw
//!   weights in row order instead, and `finish` divides them by the largest weight of all the
//!   parts and runs `gap_row` on them (bit-equal too);
//! - per group (customer-facing or not): the size, mean and sum of squared deviations of
//!   engagement ([`Moments`]), for Welch's test and Hedges' g of the pooled row; the sorted runs
//!   `(value, count)` of engagement, for its Mann-Whitney test (the ranks of the union come from
//!   the merged runs: U, the tie correction and the exact-or-asymptotic choice are those of the
//!   pooled sample, bit for bit); with weights, `(Σw, x̄_w, Σw(x - x̄_w)²)` with the weights
//!   divided by the study's largest one, and the smallest and largest raw weight (the
//!   equal-weights shortcut of `survey_welch`);
//! - for the adjusted gap, the study's rows demeaned within the study (the part holds them all,
//!   so this is the single-machine demeaning): per unit the triangular factor of its rows of
//!   `[customer_facing, covariates | engagement]` ([`RowsFactor`], the unit's cross-product
//!   matrix in factored form), and the [`RowsFacts`] the checks of the fit read. `finish` fits
//!   the stacked factors ([`ols_absorbed_factored`]): the same estimate, CR1 errors with
//!   `G - 1` df, notes and errors as `ols_absorbed` on the rows, to rounding.
//!
//! The pooled numbers agree with the single-machine ones to rounding (well within 1e-12
//! relative on the sample studies), the counts, flags and texts exactly.

use super::union;
use crate::analysis::exposure_gap::{
    adjusted_result, assemble_row, check_confidence, demeaned_design, gap_row, nan, not_identified,
    rows_across_studies, weighted_moments, weighted_welch_moments, GapOptions, GapRow,
};
use crate::analysis::frame::{bools, employee_weights, floats};
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::regression::{ols_absorbed_factored, RowsFactor, RowsFacts};
use crate::stats::two_sample::{
    hedges_g_summary, mann_whitney_ranks, pooled_weighted, welch_t_summary, Moments, MwMethod, RankSums, TwoMoments,
};
use crate::stats::{Alternative, TestResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The exposure-gap statistics of some whole studies, mergeable with those of other studies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GapPart {
    /// The options the part was computed with (`by` aside): `finish` refuses others.
    covariates: Vec<String>,
    confidence: f64,
    /// The schema's `min_group_size` (segment suppression).
    min_group_size: u64,
    /// Whether the employees table has weights.
    weighted: bool,
    studies: BTreeMap<String, StudyGap>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StudyGap {
    /// The study's row before the steps across studies (unweighted studies with employees).
    row: Option<GapRow>,
    /// Not customer-facing, customer-facing.
    groups: [Group; 2],
    /// The largest raw weight of the study's employees (0 unweighted or without employees).
    weight_max: f64,
    design: DesignPart,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Group {
    moments: Moments,
    /// Sorted runs `(value, count)` of engagement (unweighted; see `values` otherwise).
    runs: Vec<(f64, u64)>,
    weighted: Option<WeightedGroup>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct WeightedGroup {
    /// [`weighted_moments`] with the weights divided by the study's largest weight.
    moments: (f64, f64, f64),
    /// Smallest and largest raw weight (NaN without employees).
    min: f64,
    max: f64,
    /// Engagement and raw weights in row order (the study's row is computed in `finish`).
    values: Vec<f64>,
    weights: Vec<f64>,
}

/// The adjusted-gap design of a study, or why it could not be built.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum DesignPart {
    /// A covariate refused ([`MiroirError::InvalidArgument`]): `gap_rows` fails with it.
    Refused { argument: String, detail: String },
    /// Another error: the pooled row's note reports it.
    Failed(String),
    Built(StudyDesign),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StudyDesign {
    kept: u64,
    dropped: u64,
    /// The demeaned customer_facing column is 0 on every row kept.
    cf_zero: bool,
    facts: RowsFacts,
    /// One factor per unit with rows kept, in order of first appearance.
    units: Vec<RowsFactor>,
}

/// The weight `w` as the single-machine code reads it when the largest weight of the table is
/// `max` (`frame::by_max`: divided by the maximum unless it is 1).
fn by_max(w: f64, max: f64) -> f64 {
    if max > 0.0 && max != 1.0 {
        w / max
    } else {
        w
    }
}

/// Sorted runs `(value, count)` of `x` (values equal as numbers share a run, as the ranks do).
fn runs_of(x: &[f64]) -> Vec<(f64, u64)> {
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    let mut out: Vec<(f64, u64)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some(r) if r.0 == x => r.1 += 1,
            _ => out.push((x, 1)),
        }
    }
    out
}

impl Group {
    /// The group of engagement values `x`, with their raw weights and the study's largest weight.
    fn of(x: Vec<f64>, weights: Option<(Vec<f64>, f64)>) -> Group {
        let moments = Moments::of(&x);
        match weights {
            None => Group { moments, runs: runs_of(&x), weighted: None },
            Some((w, study_max)) => {
                let scaled: Vec<f64> = w.iter().map(|v| v / study_max).collect();
                let wm = if x.is_empty() { (0.0, f64::NAN, 0.0) } else { weighted_moments(&x, &scaled) };
                let (min, max) = w.iter().fold((f64::NAN, f64::NAN), |(lo, hi), v| (v.min(lo), v.max(hi)));
                Group { moments, runs: Vec::new(), weighted: Some(WeightedGroup { moments: wm, min, max, values: x, weights: w }) }
            }
        }
    }

    fn runs(&self) -> std::borrow::Cow<'_, [(f64, u64)]> {
        match &self.weighted {
            Some(w) => runs_of(&w.values).into(),
            None => (&self.runs[..]).into(),
        }
    }
}

impl GapPart {
    /// The part of `study`, which holds every row of its studies (see [`super::studies_of`]).
    /// Errors: those of [`gap_rows`] on the study's tables (confidence, weights); an error of the
    /// adjusted gap's design (a covariate refused) is kept and raised by `finish` when
    /// `gap_rows` would raise it.
    pub fn of(study: &Study, o: &GapOptions) -> Result<GapPart> {
        check_confidence(o.confidence)?;
        let df = study.employee_columns();
        let ix = study.index();
        let cf = bools(df, "customer_facing")?;
        let en = floats(df, "engagement")?;
        let raw = match employee_weights(study, "exposure gap")? {
            Some(_) => Some(floats(df, "weight")?),
            None => None,
        };
        let n_studies = ix.studies.len();
        let mut members: Vec<[Vec<usize>; 2]> = vec![[Vec::new(), Vec::new()]; n_studies];
        for i in 0..en.len() {
            members[ix.emp_study[i] as usize][usize::from(cf[i] == Some(true))].push(i);
        }
        let (scaled, range) = super::by_study_max(raw.as_deref(), &ix.emp_study, n_studies);
        let weight_max: Vec<f64> = range.map_or(vec![0.0; n_studies], |r| r.iter().map(|r| r.1).collect());
        let mut designs = design_parts(study, &o.covariates, scaled.as_deref(), &members)?.into_iter();
        let mut studies = BTreeMap::new();
        for (s, name) in ix.studies.iter().enumerate() {
            let values = |rows: &[usize]| rows.iter().map(|&i| en[i]).collect::<Vec<f64>>();
            let (other, facing) = (values(&members[s][0]), values(&members[s][1]));
            let row = (raw.is_none() && !(other.is_empty() && facing.is_empty()))
                .then(|| gap_row("study", name, (&other, None), (&facing, None), o.confidence));
            let group = |x: Vec<f64>, rows: &[usize]| {
                Group::of(x, raw.as_ref().map(|w| (rows.iter().map(|&i| w[i]).collect(), weight_max[s])))
            };
            let groups = [group(other, &members[s][0]), group(facing, &members[s][1])];
            let design = designs.next().expect("one design per study");
            studies.insert(name.clone(), StudyGap { row, groups, weight_max: weight_max[s], design });
        }
        Ok(GapPart {
            covariates: o.covariates.clone(),
            confidence: o.confidence,
            min_group_size: study.schema().min_group_size() as u64,
            weighted: raw.is_some(),
            studies,
        })
    }

    /// The part of the studies of both parts (a study in both is refused: it was split).
    pub fn merge(mut self, other: GapPart) -> Result<GapPart> {
        self.same_options(&other.covariates, other.confidence)?;
        if self.min_group_size != other.min_group_size || self.weighted != other.weighted {
            return Err(MiroirError::InvalidArgument {
                argument: "partitions".into(),
                detail: format!(
                    "the exposure-gap parts differ in their schema (min_group_size {} and {}, employee weights {} and {})",
                    self.min_group_size, other.min_group_size, self.weighted, other.weighted
                ),
            });
        }
        union(&mut self.studies, other.studies)?;
        Ok(self)
    }

    fn same_options(&self, covariates: &[String], confidence: f64) -> Result<()> {
        if self.covariates != covariates || self.confidence.to_bits() != confidence.to_bits() {
            return Err(MiroirError::InvalidArgument {
                argument: "options".into(),
                detail: format!(
                    "the exposure-gap parts were computed with covariates {:?} and confidence {}, not {:?} and {}",
                    self.covariates, self.confidence, covariates, confidence
                ),
            });
        }
        Ok(())
    }

    /// The rows [`gap_rows`] gives on the union of the parts' studies with options `o` (those
    /// of `of`, `by` aside).
    pub fn finish(&self, o: &GapOptions) -> Result<Vec<GapRow>> {
        check_confidence(o.confidence)?;
        self.same_options(&o.covariates, o.confidence)?;
        let max = self.studies.values().fold(0.0_f64, |m, s| m.max(s.weight_max));
        let mut rows = Vec::new();
        for (name, s) in &self.studies {
            match (&s.row, &s.groups[0].weighted, &s.groups[1].weighted) {
                (Some(row), _, _) => rows.push(row.clone()),
                (None, Some(o), Some(f)) if !(o.values.is_empty() && f.values.is_empty()) => {
                    let scale = |w: &[f64]| w.iter().map(|v| by_max(*v, max)).collect::<Vec<f64>>();
                    let (wo, wf) = (scale(&o.weights), scale(&f.weights));
                    rows.push(gap_row("study", name, (&o.values, Some(&wo)), (&f.values, Some(&wf)), self.confidence));
                }
                _ => {}
            }
        }
        let pooled = self.pooled_row(max);
        rows_across_studies(rows, pooled, self.min_group_size, o.by, || self.adjusted(max))
    }

    /// The pooled row from the groups' summaries (`max`: the largest weight of all the parts).
    fn pooled_row(&self, max: f64) -> GapRow {
        let moments = |k: usize| Moments::pooled(&self.studies.values().map(|s| s.groups[k].moments).collect::<Vec<_>>());
        let (other, facing) = (moments(0), moments(1));
        let (n_other, n_facing) = (other.n as usize, facing.n as usize);
        let n = n_other + n_facing;
        let two = TwoMoments::of_summaries(&other, &facing);
        let unweighted_welch = || {
            welch_t_summary(&two, Alternative::TwoSided, self.confidence).unwrap_or_else(|e| nan("Welch t-test", n, e.to_string()))
        };
        let (welch, means) = if self.weighted {
            let [wo, wf] = [0, 1].map(|k| self.weighted_group(k, max));
            let (lo, hi) = self.weight_range();
            let welch = if n == 0 || by_max(lo, max) == by_max(hi, max) {
                unweighted_welch()
            } else {
                // survey_welch: the weights w/max rescaled to sum to n
                let k = n as f64 / (wo.0 + wf.0);
                let rescale = |(w, m, ss): (f64, f64, f64)| (w * k, m, ss * k);
                weighted_welch_moments((n_other, rescale(wo)), (n_facing, rescale(wf)), self.confidence)
            };
            (welch, (wf.1, wo.1))
        } else {
            (unweighted_welch(), (facing.mean, other.mean))
        };
        let g = hedges_g_summary(&two, self.confidence).unwrap_or_else(|e| nan("Hedges' g", n, e.to_string()));
        let mw = mann_whitney_ranks(&RankSums::of_runs(&self.merged_runs()), Alternative::TwoSided, MwMethod::Auto, true)
            .unwrap_or_else(|e| nan("Mann-Whitney U", n, e.to_string()));
        assemble_row(("pooled", "all"), (n_other, n_facing), [welch, g, mw], self.weighted, means)
    }

    /// `(Σw, x̄_w, Σw(x - x̄_w)²)` of group `k` of all the studies, the weights as the
    /// single-machine code reads them (divided by `max`).
    fn weighted_group(&self, k: usize, max: f64) -> (f64, f64, f64) {
        let parts: Vec<(f64, f64, f64)> = self
            .studies
            .values()
            .filter_map(|s| {
                let f = by_max(s.weight_max, max);
                s.groups[k].weighted.as_ref().map(|w| (w.moments.0 * f, w.moments.1, w.moments.2 * f))
            })
            .collect();
        pooled_weighted(&parts)
    }

    /// The smallest and largest raw weight of all the employees.
    fn weight_range(&self) -> (f64, f64) {
        let groups = self.studies.values().flat_map(|s| s.groups.iter().filter_map(|g| g.weighted.as_ref()));
        groups.fold((f64::NAN, f64::NAN), |(lo, hi), w| (w.min.min(lo), w.max.max(hi)))
    }

    /// The sorted runs `(value, count not customer-facing, count customer-facing)` of all the
    /// studies.
    fn merged_runs(&self) -> Vec<(f64, u64, u64)> {
        let mut all: Vec<(f64, u64, u64)> = Vec::new();
        for s in self.studies.values() {
            all.extend(s.groups[0].runs().iter().map(|&(v, c)| (v, c, 0)));
            all.extend(s.groups[1].runs().iter().map(|&(v, c)| (v, 0, c)));
        }
        all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut out: Vec<(f64, u64, u64)> = Vec::with_capacity(all.len());
        for (v, a, b) in all {
            match out.last_mut() {
                Some(r) if r.0 == v => (r.1, r.2) = (r.1 + a, r.2 + b),
                _ => out.push((v, a, b)),
            }
        }
        out
    }

    /// The adjusted gap from the studies' designs (`max`: the largest weight of all the parts).
    fn adjusted(&self, max: f64) -> Result<(TestResult, Option<String>)> {
        let mut designs = Vec::new();
        for s in self.studies.values() {
            match &s.design {
                DesignPart::Refused { argument, detail } => {
                    return Err(MiroirError::InvalidArgument { argument: argument.clone(), detail: detail.clone() })
                }
                DesignPart::Failed(detail) => return Err(MiroirError::InsufficientData { detail: detail.clone() }),
                DesignPart::Built(d) => designs.push((s, d)),
            }
        }
        if designs.iter().all(|(_, d)| d.cf_zero) {
            return Err(not_identified());
        }
        let k = 1 + self.covariates.len();
        let mut facts = RowsFacts::of(&vec![&[][..]; k], &[]);
        let (mut units, mut dropped, mut absorbed) = (Vec::new(), 0, 0);
        for (s, d) in designs {
            // the rows were multiplied by √(w / study max); the single-machine ones by √(w / max)
            let f = if self.weighted { by_max(s.weight_max, max).sqrt() } else { 1.0 };
            facts.merge(&d.facts.scaled(f));
            units.extend(d.units.iter().map(|u| u.scaled(f)));
            dropped += d.dropped as usize;
            absorbed += usize::from(d.kept > 0);
        }
        let names: Vec<&str> = ["customer_facing"].into_iter().chain(self.covariates.iter().map(String::as_str)).collect();
        let fit = ols_absorbed_factored(&names, &units, &facts, absorbed, self.confidence)?;
        adjusted_result(&fit, self.weighted, dropped)
    }
}

/// The adjusted-gap design of each study of `study` (by study code): demeaned within the study
/// by the single-machine [`demeaned_design`] (with `weights` divided by each study's largest
/// weight), then factored per unit.
fn design_parts(
    study: &Study,
    covariates: &[String],
    weights: Option<&[f64]>,
    members: &[[Vec<usize>; 2]],
) -> Result<Vec<DesignPart>> {
    let n_studies = members.len();
    let d = match demeaned_design(study, covariates, weights) {
        Ok(d) => d,
        Err(MiroirError::InvalidArgument { argument, detail }) => {
            return Ok(vec![DesignPart::Refused { argument, detail }; n_studies])
        }
        Err(e) => return Ok(vec![DesignPart::Failed(e.to_string()); n_studies]),
    };
    let ix = study.index();
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); n_studies];
    for (j, &i) in d.rows.iter().enumerate() {
        at[ix.emp_study[i] as usize].push(j);
    }
    let k = d.cols.len();
    let parts = at
        .iter()
        .enumerate()
        .map(|(s, at)| {
            let mut unit_of: BTreeMap<u32, usize> = BTreeMap::new();
            let mut units: Vec<RowsFactor> = Vec::new();
            for &j in at {
                let next = units.len();
                let u = *unit_of.entry(ix.emp_unit[d.rows[j]]).or_insert(next);
                if u == next {
                    units.push(RowsFactor::new(k));
                }
                let x: Vec<f64> = d.cols.iter().map(|c| c[j]).collect();
                units[u].add_row(&x, d.y[j]);
            }
            let cols: Vec<Vec<f64>> = d.cols.iter().map(|c| at.iter().map(|&j| c[j]).collect()).collect();
            let y: Vec<f64> = at.iter().map(|&j| d.y[j]).collect();
            let col_refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            let employees = members[s][0].len() + members[s][1].len();
            DesignPart::Built(StudyDesign {
                kept: at.len() as u64,
                dropped: (employees - at.len()) as u64,
                cf_zero: cols[0].iter().all(|v| *v == 0.0),
                facts: RowsFacts::of(&col_refs, &y),
                units,
            })
        })
        .collect();
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::exposure_gap::gap_rows;
    use crate::analysis::By;
    use crate::partial::testing::{close, cut, merge_randomly, round_trip, sample_study, sample_weighted_study};

    /// Where `got` differs from `want`: per-study rows bit for bit (NaN = NaN), the pooled row's
    /// numbers within `rel` relative, counts, flags and texts exactly. Empty when they agree.
    fn differences(got: &[GapRow], want: &[GapRow], rel: f64) -> Vec<String> {
        if got.len() != want.len() {
            return vec![format!("{} rows, expected {}", got.len(), want.len())];
        }
        let mut out = Vec::new();
        for (g, w) in got.iter().zip(want) {
            if w.level == "study" {
                if format!("{g:?}") != format!("{w:?}") {
                    out.push(format!("study row {}: {g:?}\n  expected {w:?}", w.study));
                }
                continue;
            }
            let texts = |r: &GapRow| (r.level, r.study.clone(), r.n_facing, r.n_other, r.largest, r.suppressed, r.notes.clone());
            if texts(g) != texts(w) {
                out.push(format!("pooled row: {:?}\n  expected {:?}", texts(g), texts(w)));
            }
            for (name, a, b) in [("mean_facing", g.mean_facing, w.mean_facing), ("mean_other", g.mean_other, w.mean_other)] {
                if !close(a, b, rel) {
                    out.push(format!("pooled {name}: {a} vs {b}"));
                }
            }
            let pairs = [("welch", Some(&g.welch), Some(&w.welch)), ("g", Some(&g.g), Some(&w.g)), ("mw", Some(&g.mw), Some(&w.mw))];
            for (name, a, b) in pairs.into_iter().chain([("adjusted", g.adjusted.as_ref(), w.adjusted.as_ref())]) {
                match (a, b) {
                    (Some(a), Some(b)) => out.extend(result_differences(name, a, b, rel)),
                    (None, None) => {}
                    _ => out.push(format!("pooled {name}: {a:?} vs {b:?}")),
                }
            }
        }
        out
    }

    fn result_differences(name: &str, a: &TestResult, b: &TestResult, rel: f64) -> Vec<String> {
        let mut out = Vec::new();
        if (a.n, &a.method, a.alternative, &a.note) != (b.n, &b.method, b.alternative, &b.note) {
            out.push(format!("pooled {name}: {a:?}\n  expected {b:?}"));
        }
        let numbers = |r: &TestResult| {
            let mut v = vec![("estimate", r.estimate), ("statistic", r.statistic), ("df", r.df), ("p_value", r.p_value)];
            v.extend([("ci_low", r.ci_low), ("ci_high", r.ci_high)]);
            v.extend(r.extra.iter().copied());
            v
        };
        let (x, y) = (numbers(a), numbers(b));
        if x.iter().map(|p| p.0).ne(y.iter().map(|p| p.0)) {
            out.push(format!("pooled {name}: extras {x:?} vs {y:?}"));
        }
        for ((k, u), (_, v)) in x.iter().zip(&y) {
            let rel = if *k == "p_value" { rel * p_condition(b) } else { rel };
            if !close(*u, *v, rel) {
                out.push(format!("pooled {name}.{k}: {u} vs {v} ({:e} relative)", (u - v).abs() / v.abs()));
            }
        }
        out
    }

    fn p_condition(r: &TestResult) -> f64 {
        crate::partial::testing::p_condition(r.statistic, r.df)
    }

    /// The rows of `finish` on `study` cut into `k` parts (each part through bytes) merged in a
    /// random order.
    fn finished(study: &Study, o: &GapOptions, k: usize, seed: u64) -> Result<Vec<GapRow>> {
        let parts: Vec<GapPart> =
            cut(study, k, seed)?.iter().map(|s| round_trip(&GapPart::of(s, o)?)).collect::<Result<_>>()?;
        merge_randomly(parts, seed.wrapping_mul(31) + 7, GapPart::merge)?.finish(o)
    }

    fn options(by: By, covariates: &[&str]) -> GapOptions {
        GapOptions { by, covariates: covariates.iter().map(|c| c.to_string()).collect(), confidence: 0.95 }
    }

    fn check(study: &Study, o: &GapOptions, seeds: &[u64]) {
        let want = gap_rows(study, o).unwrap();
        for k in [1, 2, 3, 7] {
            for &seed in seeds {
                let got = finished(study, o, k, seed).unwrap();
                let diff = differences(&got, &want, 1e-12);
                assert!(diff.is_empty(), "k = {k}, seed {seed}, {o:?}:\n{}", diff.join("\n"));
            }
        }
    }

    #[test]
    fn finish_is_gap_rows_on_the_union() {
        let study = sample_study(3).unwrap();
        for o in [options(By::Study, &[]), options(By::Pooled, &[]), options(By::Study, &["tenure_months"])] {
            check(&study, &o, &[1, 2]);
        }
        let o = GapOptions { confidence: 0.9, ..options(By::Pooled, &["tenure_months", "informed"]) };
        check(&sample_study(11).unwrap(), &o, &[5]);
    }

    #[test]
    fn finish_is_gap_rows_with_weights() {
        let study = sample_weighted_study(4).unwrap();
        for o in [options(By::Study, &[]), options(By::Pooled, &["tenure_months"])] {
            check(&study, &o, &[1, 2]);
        }
    }

    #[test]
    fn a_wrong_merge_is_caught() {
        // dropping a study's statistics (a lossy merge) changes the pooled row and is reported
        let study = sample_study(3).unwrap();
        let o = options(By::Study, &["tenure_months"]);
        let want = gap_rows(&study, &o).unwrap();
        let mut part = GapPart::of(&study, &o).unwrap();
        let first = part.studies.keys().next().unwrap().clone();
        let mut lost = part.studies.remove(&first).unwrap();
        lost.groups[1].runs.truncate(1);
        lost.groups[1].moments.n -= 1;
        part.studies.insert(first, lost);
        assert!(!differences(&part.finish(&o).unwrap(), &want, 1e-12).is_empty());
    }

    #[test]
    fn a_study_in_two_parts_and_other_options_are_refused() {
        let study = sample_study(3).unwrap();
        let o = GapOptions::default();
        let part = GapPart::of(&study, &o).unwrap();
        let e = part.clone().merge(part.clone()).unwrap_err().to_string();
        assert!(e.contains("is in two partitions"), "{e}");
        let e = part.finish(&options(By::Study, &["tenure_months"])).unwrap_err().to_string();
        assert!(e.contains("computed with covariates"), "{e}");
        let weighted = GapPart::of(&sample_weighted_study(3).unwrap(), &o).unwrap();
        let mut one = part.clone();
        let first = study.study_names().unwrap()[0].clone();
        one.studies.retain(|k, _| *k == first);
        assert!(one.merge(weighted).is_err());
    }

    #[test]
    fn refused_covariates_and_degenerate_studies_behave_as_gap_rows() {
        let study = sample_study(5).unwrap();
        for covs in [&["nope"][..], &["sector"], &["tenure_months", "tenure_months"], &["engagement"]] {
            let o = options(By::Study, covs);
            let want = gap_rows(&study, &o).unwrap_err().to_string();
            for k in [1, 3] {
                assert_eq!(finished(&study, &o, k, 1).unwrap_err().to_string(), want);
            }
        }
        let e = GapPart::of(&study, &GapOptions { confidence: 1.5, ..GapOptions::default() }).unwrap_err().to_string();
        assert_eq!(e, gap_rows(&study, &GapOptions { confidence: 1.5, ..GapOptions::default() }).unwrap_err().to_string());
        // every study with one group only (the adjusted gap is not identified), a covariate
        // missing for some employees, a large min_group_size (suppression)
        let e = study.employees().unwrap().clone();
        let ix = study.index();
        let cf: Vec<bool> = ix.emp_study.iter().map(|s| s % 2 == 0).collect();
        let tenure: Vec<Option<f64>> = (0..e.height()).map(|i| (i % 13 != 0).then_some((i % 97) as f64)).collect();
        let mut one_sided = e.clone();
        one_sided.with_column(polars::prelude::Column::new("customer_facing".into(), cf)).unwrap();
        one_sided.with_column(polars::prelude::Column::new("tenure_months".into(), tenure)).unwrap();
        let (c, m) = (study.customers().unwrap().clone(), study.mentions().unwrap().cloned());
        let s1 = Study::new(one_sided.clone(), c.clone(), m.clone(), study.schema().clone()).unwrap();
        let mut partial_tenure = e.clone();
        partial_tenure.with_column(one_sided.column("tenure_months").unwrap().clone()).unwrap();
        let s2 = Study::new(partial_tenure, c.clone(), m.clone(), study.schema().clone()).unwrap();
        let strict = crate::data::Schema::builder().min_group_size(150).build().unwrap();
        let s3 = Study::new(e.clone(), c.clone(), m.clone(), strict).unwrap();
        // ties within and across studies (engagement in whole points: the asymptotic test with
        // its tie correction), and 5 customer-facing employees in all (the exact test)
        let en = e.column("engagement").unwrap().f64().unwrap().clone();
        let mut tied = e.clone();
        let whole: Vec<f64> = en.into_no_null_iter().map(f64::round).collect();
        tied.with_column(polars::prelude::Column::new("engagement".into(), whole)).unwrap();
        let s4 = Study::new(tied, c.clone(), m.clone(), study.schema().clone()).unwrap();
        let mut few = e.clone();
        let five: Vec<bool> = (0..e.height()).map(|i| i % 700 == 3 || i == 10).collect();
        few.with_column(polars::prelude::Column::new("customer_facing".into(), five)).unwrap();
        let s5 = Study::new(few, c.clone(), m.clone(), study.schema().clone()).unwrap();
        let cases = [(&s1, &[][..], "not identified"), (&s1, &["tenure_months"], "not identified"), (&s2, &["tenure_months"], "dropped for missing")];
        let cases = cases.into_iter().chain([(&s3, &[][..], "suppressed"), (&s4, &[], ""), (&s5, &[], "")]);
        for (s, covs, note) in cases {
            let o = options(By::Study, covs);
            let want = gap_rows(s, &o).unwrap();
            assert!(note.is_empty() || want.iter().any(|r| r.notes.iter().any(|n| n.contains(note))), "{note}: {want:?}");
            check(s, &o, &[9]);
        }
        let pooled = |s: &Study| gap_rows(s, &GapOptions::default()).unwrap().pop().unwrap();
        let (ties, exact) = (pooled(&s4), pooled(&s5));
        assert!(ties.mw.method.contains("asymptotic") && ties.n_facing > 8, "{ties:?}");
        assert!(exact.mw.method.contains("exact") && exact.n_facing == 5, "{exact:?}");
        // a single study
        let single = crate::partial::studies_of(&study, &study.study_names().unwrap()[1..2]).unwrap();
        check(&single, &GapOptions::default(), &[1]);
    }

    #[test]
    fn sizes() {
        // bytes of the part of the whole sample study, and of its sorted runs
        for (name, study) in [("unweighted", sample_study(3).unwrap()), ("weighted", sample_weighted_study(3).unwrap())] {
            for covs in [&[][..], &["tenure_months"]] {
                let part = GapPart::of(&study, &options(By::Study, covs)).unwrap();
                let total = crate::partial::to_bytes(&part).unwrap().len();
                let mut runs_only = part.clone();
                for s in runs_only.studies.values_mut() {
                    for g in &mut s.groups {
                        g.runs.clear();
                        if let Some(w) = &mut g.weighted {
                            (w.values, w.weights) = (Vec::new(), Vec::new());
                        }
                    }
                }
                let rest = crate::partial::to_bytes(&runs_only).unwrap().len();
                let n = study.employees().unwrap().height();
                eprintln!(
                    "{name} {covs:?}: {total} bytes for {n} employees; per-row data {} bytes ({:.1} per employee), the rest {rest} ({} studies)",
                    total - rest,
                    (total - rest) as f64 / n as f64,
                    part.studies.len()
                );
                assert!(rest < 60_000, "{rest}");
            }
        }
    }
}
