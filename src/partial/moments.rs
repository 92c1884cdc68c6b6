//! Partial results of the moments and their effects ([`crate::analysis::moments`]): the
//! `moments` and `moment_effects` tables of the report, computed part by part.
//!
//! Per study, a part keeps:
//! - the **theme counts** of each theme its mentions name (positive / negative mentions and
//!   distinct respondents of each side, and with weights the sums of the weights behind them and
//!   of the employees mentioning the theme), the number of employees and the sum of their
//!   weights: the classification (binomial tests, Wilson bound, Benjamini-Hochberg q-values
//!   within a group) is on counts, so it is recomputed exactly in [`MomentPart::finish`] for each
//!   study (`by = Study`) and for the pooled group;
//! - the **distinct texts** of each theme and side with their numbers of mentions: the example
//!   verbatim of a group is the most frequent text of the counts added up (then the first in
//!   byte order);
//! - the **moments of the outcome by signature** for the effects: the respondents of a side who
//!   mention the same set of themes form a group, summarised by (n, mean, M2) and with weights
//!   (W, weighted mean, SS) around the study side's first value. A moment's mentioning group is
//!   known only once the pooled themes are classified, and a respondent may mention several of
//!   its themes: per-theme summaries would count them twice, the signatures do not. The groups
//!   are pooled by Chan's decomposition ([`crate::analysis::moments::summary`]).
//!
//! Weighted sums are kept in units of the study side's largest weight (with that weight), so a
//! study's entry does not depend on the other studies of its part; [`MomentPart::finish`]
//! brings them to the scale of the largest weight of all (as the single-machine code divides
//! the weights by their maximum).

use super::{by_study_max, union};
use crate::analysis::frame::{customer_weights, employee_weights, floats};
use crate::analysis::linkage::By;
use crate::analysis::moments::effects::{effects_table, n_themes, theme_bit};
use crate::analysis::moments::examples::{most_frequent, text_counts, TextCounts};
use crate::analysis::moments::summary::{effect_of, group_moments, pool, GroupMoments, Member};
use crate::analysis::moments::{count_cells, no_mentions, rows_of, table_of, Indexed, Moment, MomentOptions, Sizes, ThemeCounts, ThemeRow};
use crate::data::Study;
use crate::error::{MiroirError, Result};
use polars::prelude::{DataFrame, StringChunked};
use std::collections::{BTreeMap, HashMap};

/// The partial moments of some whole studies (see the module documentation).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MomentPart {
    studies: BTreeMap<String, StudyMoments>,
    sizes: Sizes,
}

/// One study's statistics.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct StudyMoments {
    /// Number of mentions of the study.
    mentions: u64,
    /// Themes the study's mentions name, sorted; their counts and their distinct texts
    /// (customers, employees), in the same order.
    themes: Vec<String>,
    counts: Vec<ThemeCounts>,
    texts: Vec<[TextCounts; 2]>,
    /// Sum of the employees' weights (in units of the largest).
    employees_wtotal: f64,
    customers: Side,
    employees: Side,
}

/// The outcome (satisfaction, engagement) of a study side by signature.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Side {
    /// Respondents of the side.
    n: u64,
    /// The first value of the side (the groups' shift; NaN without respondents).
    shift: f64,
    /// Smallest and largest raw weight (`(inf, 0)` without respondents); `None` unweighted.
    weights: Option<(f64, f64)>,
    /// (signature: indices into the study's `themes`, sorted; moments), by signature.
    groups: Vec<(Vec<u32>, GroupMoments)>,
}

/// The sides of every study of the part: respondent i of the side (value `values[i]`, study
/// `study_of[i]`) has the signature of the themes of its mentions `pairs` (respondent, theme of
/// the part), renumbered by `local[study][theme]`.
fn sides(
    values: &[f64],
    weights: (Option<&[f64]>, Option<&[(f64, f64)]>),
    study_of: &[u32],
    n_studies: usize,
    mut pairs: Vec<(u32, u32)>,
    local: &[Vec<u32>],
) -> Vec<Side> {
    let mut shift = vec![f64::NAN; n_studies];
    let mut n = vec![0u64; n_studies];
    for (&v, &s) in values.iter().zip(study_of) {
        if n[s as usize] == 0 {
            shift[s as usize] = v;
        }
        n[s as usize] += 1;
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut keys: Vec<(u32, Vec<u32>)> = Vec::new();
    let mut ids: crate::data::columns::FastMap<(u32, Vec<u32>), u32> = Default::default();
    let mut id_of = |key: (u32, Vec<u32>)| -> u32 {
        *ids.entry(key).or_insert_with_key(|k| {
            keys.push(k.clone());
            (keys.len() - 1) as u32
        })
    };
    let mut group = vec![u32::MAX; values.len()];
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let r = run[0].0 as usize;
        let s = study_of[r];
        group[r] = id_of((s, run.iter().map(|&(_, t)| local[s as usize][t as usize]).collect()));
    }
    // respondents without a mention: one group per study (looked up once per study)
    let mut silent = vec![u32::MAX; n_studies];
    for (r, g) in group.iter_mut().enumerate() {
        if *g == u32::MAX {
            let s = study_of[r];
            if silent[s as usize] == u32::MAX {
                silent[s as usize] = id_of((s, Vec::new()));
            }
            *g = silent[s as usize];
        }
    }
    let shifts: Vec<f64> = keys.iter().map(|(s, _)| shift[*s as usize]).collect();
    let moments = group_moments(values, weights.0, &group, &shifts);
    let mut out: Vec<Side> = (0..n_studies)
        .map(|s| Side { n: n[s], shift: shift[s], weights: weights.1.map(|r| r[s]), groups: Vec::new() })
        .collect();
    for ((s, signature), m) in keys.into_iter().zip(moments) {
        out[s as usize].groups.push((signature, m));
    }
    for side in &mut out {
        side.groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }
    out
}

impl MomentPart {
    /// The part of `study` (which holds every row of its studies).
    pub fn of(study: &Study, o: &MomentOptions) -> Result<MomentPart> {
        o.check()?;
        // the single-machine refusals (a missing or non-positive weight)
        employee_weights(study, "moment shares")?;
        customer_weights(study, "moment shares")?;
        let ix = study.index();
        let n_studies = ix.studies.len();
        let raw_e = match study.employee_columns().get_column_index("weight") {
            Some(_) => Some(floats(study.employee_columns(), "weight")?),
            None => None,
        };
        let (ew, e_range) = by_study_max(raw_e.as_deref(), &ix.emp_study, n_studies);
        let (cw, c_range) = by_study_max(study.customer_weights(), &ix.cus_study, n_studies);
        let cells = count_cells(study, By::Study, ew.as_deref(), cw.as_deref());
        let n_themes = cells.themes.len();
        // themes of each study, renumbered among those it mentions
        let local: Vec<Vec<u32>> = (0..n_studies)
            .map(|s| {
                let mut next = 0;
                (0..n_themes)
                    .map(|t| {
                        let j = next;
                        next += u32::from(cells.mentioned[s * n_themes + t]);
                        j
                    })
                    .collect()
            })
            .collect();
        let n_cells = n_studies * n_themes;
        let (mut texts, mut mentions, mut c_pairs, mut e_pairs) = (Vec::new(), vec![0u64; n_studies], Vec::new(), Vec::new());
        if let Some(m) = ix.mentions.as_ref() {
            // cell of a mention: customers after employees, as `index` numbers them
            let cell: Vec<Option<usize>> = (0..m.theme.len())
                .map(|i| {
                    let k = m.study[i] as usize * n_themes + m.theme[i] as usize;
                    Some(if m.customer[i] { n_cells + k } else { k })
                })
                .collect();
            let visit = |each: &mut dyn FnMut(usize, &StringChunked) -> Result<()>| study.visit_mention_texts(each);
            texts = text_counts(&visit, &m.text, &cell, 2 * n_cells)?;
            for i in 0..m.theme.len() {
                mentions[m.study[i] as usize] += 1;
                let pairs = if m.customer[i] { &mut c_pairs } else { &mut e_pairs };
                pairs.push((m.respondent[i], m.theme[i]));
            }
        }
        let engagement = floats(study.employee_columns(), "engagement")?;
        let customers = sides(study.satisfaction(), (cw.as_deref(), c_range.as_deref()), &ix.cus_study, n_studies, c_pairs, &local);
        let employees = sides(&engagement, (ew.as_deref(), e_range.as_deref()), &ix.emp_study, n_studies, e_pairs, &local);
        let mut counts = cells.counts;
        let mut studies = BTreeMap::new();
        for (s, (customers, employees)) in customers.into_iter().zip(employees).enumerate() {
            let mentioned: Vec<usize> = (0..n_themes).filter(|&t| cells.mentioned[s * n_themes + t]).collect();
            let mut text = |k: usize| std::mem::take(&mut texts[k]);
            let entry = StudyMoments {
                mentions: mentions[s],
                themes: mentioned.iter().map(|&t| cells.themes[t].clone()).collect(),
                counts: mentioned.iter().map(|&t| std::mem::take(&mut counts[s * n_themes + t])).collect(),
                texts: mentioned.iter().map(|&t| [text(n_cells + s * n_themes + t), text(s * n_themes + t)]).collect(),
                employees_wtotal: cells.employees_wtotal[s],
                customers,
                employees,
            };
            studies.insert(cells.names[s].clone(), entry);
        }
        Ok(MomentPart { studies, sizes: Sizes::of(study) })
    }

    /// The union of two parts of different studies (a study in both is refused, as parts of
    /// different schemas are).
    pub fn merge(mut self, other: MomentPart) -> Result<MomentPart> {
        if self.sizes != other.sizes {
            return Err(MiroirError::InvalidArgument {
                argument: "partitions".into(),
                detail: format!(
                    "the parts were computed with different schemas (min_group_size {} and {}, min_text_group_size {} and {})",
                    self.sizes.min_group, other.sizes.min_group, self.sizes.min_text, other.sizes.min_text
                ),
            });
        }
        union(&mut self.studies, other.studies)?;
        Ok(self)
    }

    /// Whether the studies have mentions (the report has its moments sections).
    pub fn has_mentions(&self) -> bool {
        self.studies.values().any(|s| s.mentions > 0)
    }

    /// The report's `moments` table (grouped by `o.by`) and `moment_effects` table (from the
    /// pooled themes) of the union of the parts' studies; without mentions, the refusal of
    /// [`crate::analysis::moments::moments`].
    pub fn finish(&self, o: &MomentOptions) -> Result<(DataFrame, DataFrame)> {
        o.check()?;
        if !self.has_mentions() {
            return Err(no_mentions());
        }
        let pooled = MomentOptions { by: By::Pooled, ..o.clone() };
        let rows = rows_of(&self.indexed(By::Pooled), &pooled, self.sizes)?;
        let table = if o.by == By::Pooled {
            table_of(self.sizes, o, &rows)?
        } else {
            table_of(self.sizes, o, &rows_of(&self.indexed(o.by), o, self.sizes)?)?
        };
        Ok((table, self.effects(&rows)?))
    }

    /// The factor of each study that brings a side's weights to the scale of the largest of
    /// all (1 unweighted).
    fn factors(&self, side: impl Fn(&StudyMoments) -> &Side) -> Vec<f64> {
        let top = self.studies.values().filter_map(|s| side(s).weights).fold(0.0_f64, |m, (_, max)| m.max(max));
        self.studies.values().map(|s| side(s).weights.map_or(1.0, |(_, max)| if top > 0.0 { max / top } else { 0.0 })).collect()
    }

    /// The groups the single-machine `index` builds: each study with employees (`by = Study`),
    /// or all studies together.
    fn indexed(&self, by: By) -> Indexed {
        let min_text = self.sizes.min_text;
        let customers_weighted = self.studies.values().any(|s| s.customers.weights.is_some());
        let employees_weighted = self.studies.values().any(|s| s.employees.weights.is_some());
        let example = |counts: &ThemeCounts, texts: &[&[TextCounts; 2]]| {
            let mut c = counts.clone();
            let of_side = |side: usize| most_frequent(texts.iter().flat_map(|t| t[side].iter().map(|(s, n)| (s.as_str(), *n))));
            c.c_example = if c.customers >= min_text { of_side(0) } else { None };
            c.e_example = if c.employees >= min_text { of_side(1) } else { None };
            c
        };
        let mut idx = Indexed { groups: Vec::new(), per_group: Vec::new(), employees_total: Vec::new(), employees_wtotal: None, customers_weighted };
        let mut wtotal = Vec::new();
        if by == By::Study {
            for (name, s) in self.studies.iter().filter(|(_, s)| s.employees.n > 0) {
                idx.groups.push(name.clone());
                idx.per_group.push(s.themes.iter().zip(&s.counts).zip(&s.texts).map(|((t, c), x)| (t.clone(), example(c, &[x]))).collect());
                idx.employees_total.push(s.employees.n);
                wtotal.push(s.employees_wtotal);
            }
        } else {
            let (fc, fe) = (self.factors(|s| &s.customers), self.factors(|s| &s.employees));
            let mut themes: BTreeMap<&str, (ThemeCounts, Vec<&[TextCounts; 2]>)> = BTreeMap::new();
            let (mut n_emp, mut w_emp) = (0u64, 0.0);
            for (i, s) in self.studies.values().enumerate() {
                n_emp += s.employees.n;
                w_emp += fe[i] * s.employees_wtotal;
                for ((t, c), x) in s.themes.iter().zip(&s.counts).zip(&s.texts) {
                    let (acc, texts) = themes.entry(t.as_str()).or_default();
                    add_counts(acc, c, fc[i], fe[i]);
                    texts.push(x);
                }
            }
            if n_emp > 0 {
                idx.groups.push("all".to_string());
                idx.per_group.push(themes.into_iter().map(|(t, (c, x))| (t.to_string(), example(&c, &x))).collect());
                idx.employees_total.push(n_emp);
                wtotal.push(w_emp);
            }
        }
        idx.employees_wtotal = employees_weighted.then_some(wtotal);
        idx
    }

    /// The effects table of the pooled theme `rows`.
    fn effects(&self, rows: &[ThemeRow]) -> Result<DataFrame> {
        let k = self.sizes.min_group as usize;
        let bits: HashMap<&str, Option<usize>> =
            self.studies.values().flat_map(|s| s.themes.iter()).map(|t| (t.as_str(), theme_bit(rows, t))).collect();
        let view = |side: &dyn Fn(&StudyMoments) -> &Side| {
            let reference = self.studies.values().map(side).find(|s| s.n > 0).map_or(0.0, |s| s.shift);
            let factors = self.factors(side);
            let weighted = self.studies.values().any(|s| side(s).weights.is_some());
            let (lo, hi) = self.studies.values().filter_map(|s| side(s).weights).fold((f64::INFINITY, 0.0_f64), |(a, b), (lo, hi)| (a.min(lo), b.max(hi)));
            let mut members: Vec<(u8, Member<'_>)> = Vec::new();
            for (s, f) in self.studies.values().zip(factors) {
                let side = side(s);
                for (signature, g) in &side.groups {
                    let mask = signature.iter().filter_map(|&j| bits[s.themes[j as usize].as_str()]).fold(0u8, |m, b| m | (1 << b));
                    members.push((mask, (side.shift - reference, f, g)));
                }
            }
            (members, reference, weighted.then_some(lo == hi), weighted)
        };
        let sides = [("customer", view(&|s: &StudyMoments| &s.customers)), ("employee", view(&|s: &StudyMoments| &s.employees))];
        let mut effects = Vec::new();
        for (bit, moment) in Moment::ALL.into_iter().map(Moment::key).enumerate() {
            let n_themes = n_themes(rows, moment);
            for (side, (members, reference, weights, weighted)) in &sides {
                let (mut a, mut b): (Vec<Member<'_>>, Vec<Member<'_>>) = (Vec::new(), Vec::new());
                for &(mask, m) in members {
                    if mask & (1 << bit) != 0 { a.push(m) } else { b.push(m) }
                }
                let (a, b) = (pool(&a, *weighted), pool(&b, *weighted));
                effects.push(effect_of(moment, side, n_themes, k, &a, &b, *reference, *weights));
            }
        }
        effects_table(&effects)
    }
}

/// Adds a study's counts of a theme to the pooled ones, its customers' (employees') weighted
/// sums multiplied by `fc` (`fe`).
fn add_counts(acc: &mut ThemeCounts, c: &ThemeCounts, fc: f64, fe: f64) {
    acc.c_pos += c.c_pos;
    acc.c_neg += c.c_neg;
    acc.customers += c.customers;
    acc.e_pos += c.e_pos;
    acc.e_neg += c.e_neg;
    acc.employees += c.employees;
    acc.c_wpos += fc * c.c_wpos;
    acc.c_wneg += fc * c.c_wneg;
    acc.e_wpos += fe * c.e_wpos;
    acc.e_wneg += fe * c.e_wneg;
    acc.e_wmentioning += fe * c.e_wmentioning;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::moments::{moment_effects_from, moments, moments_table, theme_rows};
    use crate::partial::testing::{close, cut, merge_randomly, round_trip, sample_study, sample_weighted_study};
    use crate::partial::{studies_of, to_bytes};
    use polars::prelude::*;

    /// The report's two moments tables, as `analysis::report` computes them.
    fn single(study: &Study, o: &MomentOptions) -> (DataFrame, DataFrame) {
        let pooled = MomentOptions { by: By::Pooled, ..o.clone() };
        let rows = theme_rows(study, &pooled).unwrap();
        let table = if o.by == By::Pooled { moments_table(study, o, &rows).unwrap() } else { moments(study, o).unwrap() };
        (table, moment_effects_from(study, &rows).unwrap())
    }

    /// The parts of `study` cut in `k` (each through bytes), merged at random, finished.
    fn parted(study: &Study, k: usize, seed: u64, o: &MomentOptions) -> Result<(DataFrame, DataFrame)> {
        let parts: Vec<MomentPart> =
            cut(study, k, seed)?.iter().map(|s| round_trip(&MomentPart::of(s, o)?)).collect::<Result<_>>()?;
        merge_randomly(parts, seed ^ 0x77, MomentPart::merge)?.finish(o)
    }

    /// Equal frames: same columns, dtypes and values; floats within `rel` (NaN = NaN, null =
    /// null), everything else exactly. Returns the first difference.
    fn differ(a: &DataFrame, b: &DataFrame, rel: f64) -> Option<String> {
        if a.get_column_names() != b.get_column_names() || a.height() != b.height() {
            return Some(format!("shapes: {:?} {} vs {:?} {}", a.get_column_names(), a.height(), b.get_column_names(), b.height()));
        }
        for (x, y) in a.columns().iter().zip(b.columns()) {
            let (x, y) = (x.as_materialized_series(), y.as_materialized_series());
            if x.dtype() != y.dtype() {
                return Some(format!("{}: {} vs {}", x.name(), x.dtype(), y.dtype()));
            }
            if x.dtype() == &DataType::Float64 {
                for (i, (u, v)) in x.f64().unwrap().iter().zip(y.f64().unwrap().iter()).enumerate() {
                    let same = match (u, v) {
                        (None, None) => true,
                        (Some(u), Some(v)) => close(u, v, rel),
                        _ => false,
                    };
                    if !same {
                        return Some(format!("{} row {i}: {u:?} vs {v:?}", x.name()));
                    }
                }
            } else if !x.equals_missing(y) {
                return Some(format!("{}: {x} vs {y}", x.name()));
            }
        }
        None
    }

    fn options() -> Vec<MomentOptions> {
        let other = MomentOptions { alpha: 0.1, silence_rate: 0.05, min_mentions: 40, by: By::Pooled };
        vec![
            MomentOptions::default(),
            MomentOptions { by: By::Study, ..Default::default() },
            other.clone(),
            MomentOptions { by: By::Study, ..other },
        ]
    }

    /// `finish` on every cut equals the single-machine tables: exactly (every bit) without
    /// weights for the moments (counts and tests of counts), within `rel` otherwise.
    fn check(study: &Study, weighted: bool) {
        for o in options() {
            let (table, effects) = single(study, &o);
            assert!(effects.height() == 12 && table.height() > 0);
            // the comparisons see examples, moments and tests, not only empty cells
            for (column, frame) in [("customer_example", &table), ("employee_example", &table), ("p_value", &effects)] {
                assert!(frame.column(column).unwrap().null_count() < frame.height(), "{column} all null");
            }
            assert!(table.column("moment").unwrap().str().unwrap().iter().any(|m| m.is_some_and(|m| Moment::parse(m).is_some())));
            for k in [1, 2, 3, 7] {
                for seed in [1, 2] {
                    let (t, e) = parted(study, k, seed, &o).unwrap();
                    let what = format!("{o:?}, k = {k}, seed {seed}");
                    let exact = if weighted { 1e-12 } else { 0.0 };
                    assert_eq!(differ(&t, &table, exact), None, "moments, {what}");
                    assert_eq!(differ(&e, &effects, 1e-12), None, "effects, {what}");
                }
            }
        }
    }

    #[test]
    fn parts_give_the_single_machine_tables() {
        for seed in [3, 11] {
            check(&sample_study(seed).unwrap(), false);
        }
    }

    #[test]
    fn weighted_parts_give_the_single_machine_tables() {
        for seed in [5, 13] {
            check(&sample_weighted_study(seed).unwrap(), true);
        }
    }

    #[test]
    fn the_report_uses_the_same_tables() {
        let study = sample_weighted_study(7).unwrap();
        for o in options() {
            let report = crate::analysis::report(&study, &crate::analysis::ReportOptions { moments: o.clone(), ..Default::default() }).unwrap();
            let (t, e) = parted(&study, 3, 4, &o).unwrap();
            assert_eq!(differ(&t, report.moments.as_ref().unwrap(), 1e-12), None);
            assert_eq!(differ(&e, report.moment_effects.as_ref().unwrap(), 1e-12), None);
        }
    }

    /// `study` with the mentions of the studies `keep` only.
    fn mentions_of(study: &Study, keep: &[String]) -> Study {
        let m = study.mentions().unwrap().unwrap();
        let mask: BooleanChunked = m.column("study").unwrap().str().unwrap().iter().map(|s| Some(keep.iter().any(|k| Some(k.as_str()) == s))).collect();
        let m = m.filter(&mask).unwrap();
        let m = (m.height() > 0).then_some(m);
        Study::new(study.employees().unwrap().clone(), study.customers().unwrap().clone(), m, study.schema().clone()).unwrap()
    }

    #[test]
    fn studies_without_mentions() {
        let study = sample_weighted_study(9).unwrap();
        let names = study.study_names().unwrap();
        // no mentions at all: no moments, the single-machine refusal
        let none = mentions_of(&study, &[]);
        assert!(!none.has_mentions());
        for k in [1, 3] {
            let parts: Vec<MomentPart> = cut(&none, k, 1).unwrap().iter().map(|s| MomentPart::of(s, &MomentOptions::default()).unwrap()).collect();
            let part = merge_randomly(parts, 2, MomentPart::merge).unwrap();
            assert!(!part.has_mentions());
            let want = moments(&none, &MomentOptions::default()).unwrap_err().to_string();
            assert_eq!(part.finish(&MomentOptions::default()).unwrap_err().to_string(), want);
        }
        // mentions in some studies only: the tables of the union
        let some = mentions_of(&study, &names[2..5]);
        for o in options() {
            let (table, effects) = single(&some, &o);
            for (k, seed) in [(1, 1), (3, 2), (7, 3), (4, 4)] {
                let (t, e) = parted(&some, k, seed, &o).unwrap();
                assert_eq!(differ(&t, &table, 1e-12), None, "{o:?} {k}");
                assert_eq!(differ(&e, &effects, 1e-12), None, "{o:?} {k}");
            }
        }
    }

    #[test]
    fn a_study_in_two_parts_is_refused() {
        let study = sample_study(1).unwrap();
        let names = study.study_names().unwrap();
        let o = MomentOptions::default();
        let a = MomentPart::of(&studies_of(&study, &names[..3]).unwrap(), &o).unwrap();
        let b = MomentPart::of(&studies_of(&study, &names[2..]).unwrap(), &o).unwrap();
        let e = a.merge(b).unwrap_err().to_string();
        assert!(e.contains(&format!("study '{}' is in two partitions", names[2])), "{e}");
    }

    #[test]
    fn a_wrong_merge_fails_the_comparison() {
        // the check can fail: a merge that loses a study's statistics is caught
        let study = sample_study(3).unwrap();
        let o = MomentOptions::default();
        let (table, effects) = single(&study, &o);
        let parts: Vec<MomentPart> = cut(&study, 3, 1).unwrap().iter().map(|s| MomentPart::of(s, &o).unwrap()).collect();
        let lossy = merge_randomly(parts, 1, |mut a: MomentPart, b: MomentPart| {
            // keeps b's studies, loses their signature groups
            let mut b = b;
            for s in b.studies.values_mut() {
                s.customers.groups.truncate(1);
            }
            union(&mut a.studies, b.studies)?;
            Ok(a)
        })
        .unwrap();
        let (t, e) = lossy.finish(&o).unwrap();
        assert_eq!(differ(&t, &table, 0.0), None, "the themes' counts are kept");
        assert!(differ(&e, &effects, 1e-12).is_some(), "lost groups must change the effects");
    }

    #[test]
    fn sizes_of_the_parts() {
        for (name, study) in [("unweighted", sample_study(3).unwrap()), ("weighted", sample_weighted_study(3).unwrap())] {
            let part = MomentPart::of(&study, &MomentOptions::default()).unwrap();
            let bytes = to_bytes(&part).unwrap().len();
            let rows = study.employees().unwrap().height() + study.customers().unwrap().height();
            let mentions = study.mentions().unwrap().unwrap().height();
            let groups: usize = part.studies.values().map(|s| s.customers.groups.len() + s.employees.groups.len()).sum();
            let texts: usize = part.studies.values().flat_map(|s| s.texts.iter()).map(|t| t[0].len() + t[1].len()).sum();
            let text_bytes: usize = part.studies.values().flat_map(|s| s.texts.iter()).flat_map(|t| t.iter().flatten()).map(|(s, _)| s.len()).sum();
            let mention_bytes: usize = study.mentions().unwrap().unwrap().column("text").unwrap().str().unwrap().iter().map(|t| t.map_or(0, str::len)).sum();
            println!(
                "{name}: {bytes} bytes for {rows} respondents and {mentions} mentions in {} studies; {groups} signature groups; \
                 {texts} distinct texts ({text_bytes} bytes of text against {mention_bytes} in the mentions)",
                part.studies.len()
            );
            assert!(bytes < rows * 8, "a part is smaller than one number per respondent");
        }
    }
}
