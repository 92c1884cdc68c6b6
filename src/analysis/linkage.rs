//! Engagement vs satisfaction at the unit level (linkage research), per study and pooled.
//!
//! For each study (and for all studies pooled):
//! - the correlation of unit mean engagement with the unit's customer outcome (share satisfied by
//!   default) over *linkable* units (both sides present, neither side below `min_group_size`);
//!   pooled across studies by a random-effects meta-analysis of Fisher-z correlations (REML, as
//!   metafor's `rma(measure = "ZCOR")`), with τ², I² and Q's p-value;
//! - ICC(1) and ICC(2) of engagement by unit (Bliese 2000; R `multilevel::ICC1/ICC2`), the
//!   aggregation check of linkage research;
//! - the high-engagement contrast: share of satisfied customers in the study's top-tercile units
//!   by mean engagement (the `ceil(k/3)` highest of its k linkable units, ties by unit name), or in
//!   units at or above `threshold`, against the other units, with a two-proportion z-test and the
//!   CI of the difference; pooled = the union of the per-study high units;
//! - the top-share uplift: linkable units ranked by mean satisfaction (ties by study then unit);
//!   the top `ceil(top_share · K)` against the others: mean over units of unit mean engagement,
//!   ratio minus 1, with a unit-bootstrap BCa CI (seeded; identical for any thread count).
//!
//! Weights: the unit means (engagement; share satisfied, mean satisfaction) are weighted by the
//! respondents' weights within each unit ([`super::units`]). The unit-level statistics then count
//! every unit equally, deliberately: the correlation (units are the observations of linkage
//! research), the top-share uplift (a mean of unit means) and the ranking of units. What stays
//! unweighted says so in the row's `note`: ICC(1)/ICC(2) (no standard weighted version), and the
//! high-engagement contrast, a two-proportion z-test on customer counts (a test on counts: with
//! customer weights its shares are the unweighted shares of the customers of the high units).

use super::frame::{floats, TableBuilder};
use super::units::{units, Unit};
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::correlation::{kendall, pearson, spearman, KendallMethod};
use crate::stats::meta::{meta_correlations, MetaMethod};
use crate::stats::proportions::two_proportions;
use crate::stats::reliability::{icc, GroupMoments, icc_from_groups};
use crate::stats::StatsResult;
use crate::stats::resample::{bootstrap_with_jackknife, BootstrapMethod, BootstrapOptions};
use crate::stats::{Alternative, TestResult};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// `FromStr` for an option enum through [`parse_name`], refused under the argument's name.
macro_rules! from_str_by_name {
    ($ty:ty, $argument:literal) => {
        impl std::str::FromStr for $ty {
            type Err = crate::error::MiroirError;
            fn from_str(s: &str) -> crate::error::Result<Self> {
                crate::analysis::linkage::parse_name(s, $argument)
            }
        }
    };
}
pub(crate) use from_str_by_name;

/// An option enum's variant by name ([`crate::stats::names::parse`]), refused as an invalid
/// `argument`.
pub(crate) fn parse_name<T>(s: &str, argument: &str) -> Result<T>
where
    T: strum::IntoEnumIterator + Into<&'static str> + Copy,
{
    crate::stats::names::parse(s).map_err(|detail| MiroirError::InvalidArgument { argument: argument.into(), detail })
}

/// Which correlation (names `pearson`, `spearman`, `kendall`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum CorrelationMethod {
    Pearson,
    Spearman,
    Kendall,
}

from_str_by_name!(CorrelationMethod, "method");

/// The unit-level customer outcome correlated with engagement (`share_satisfied`,
/// `mean_satisfaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    ShareSatisfied,
    MeanSatisfaction,
}

from_str_by_name!(Outcome, "outcome");

/// Grouping of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One row per study, then the pooled row.
    Study,
    /// The pooled row only.
    Pooled,
}

impl By {
    pub fn parse(by: Option<&str>) -> Result<By> {
        match by {
            Some("study") => Ok(By::Study),
            None => Ok(By::Pooled),
            Some(other) => Err(MiroirError::InvalidArgument {
                argument: "by".into(),
                detail: format!("expected 'study' or None, got '{other}'"),
            }),
        }
    }
}

impl By {
    /// The rows of a table grouped this way: the per-study rows then the pooled row, or the
    /// pooled row alone.
    pub fn rows<T>(self, mut per_study: Vec<T>, pooled: T) -> Vec<T> {
        match self {
            By::Study => {
                per_study.push(pooled);
                per_study
            }
            By::Pooled => vec![pooled],
        }
    }
}

/// Options of [`linkage`], checked by [`LinkageOptions::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct LinkageOptions {
    pub method: CorrelationMethod,
    pub outcome: Outcome,
    pub by: By,
    /// Units with mean engagement at or above this are "high"; `None` = top tercile per study.
    pub threshold: Option<f64>,
    pub top_share: f64,
    pub n_resamples: usize,
    pub seed: u64,
    pub confidence: f64,
}

impl Default for LinkageOptions {
    fn default() -> Self {
        LinkageOptions {
            method: CorrelationMethod::Pearson,
            outcome: Outcome::ShareSatisfied,
            by: By::Study,
            threshold: None,
            top_share: 0.08,
            n_resamples: 1999,
            seed: 0,
            confidence: 0.95,
        }
    }
}

impl LinkageOptions {
    pub fn check(&self) -> Result<()> {
        let bad = |argument: &str, detail: String| {
            Err(MiroirError::InvalidArgument { argument: argument.into(), detail })
        };
        if !(self.top_share > 0.0 && self.top_share < 1.0) {
            return bad("top_share", format!("must lie strictly between 0 and 1, got {}", self.top_share));
        }
        if let Some(t) = self.threshold {
            if !(0.0..=100.0).contains(&t) {
                return bad("threshold", format!("must lie in [0, 100] (the engagement scale), got {t}"));
            }
        }
        let max = crate::stats::resample::MAX_RESAMPLES;
        if (self.n_resamples != 0 && self.n_resamples < 100) || self.n_resamples > max {
            return bad(
                "n_resamples",
                format!("must be 0 (no bootstrap) or between 100 and {max}, got {}", self.n_resamples),
            );
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return bad("confidence", format!("must lie strictly between 0 and 1, got {}", self.confidence));
        }
        Ok(())
    }
}

/// A row's level (`"study"`, `"pooled"`). Spelled through an alias so that serde does not take
/// the `&'static str` for a borrow of the input (which would tie the deserialiser to 'static).
pub type Level = &'static str;

/// One row of the linkage table.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LinkageRow {
    #[serde(with = "crate::partial::static_names::one")]
    pub level: Level,
    pub study: String,
    pub n_units: u64,
    pub n_employees: u64,
    pub n_customers: u64,
    pub correlation: TestResult,
    pub tau2: Option<f64>,
    pub i2: Option<f64>,
    pub q_p: Option<f64>,
    pub icc1: f64,
    pub icc2: f64,
    pub high_units: u64,
    /// Customers (and satisfied customers) of the high-engagement units.
    pub high_customers: u64,
    pub high_satisfied: u64,
    pub contrast: TestResult,
    pub share_high: f64,
    pub share_rest: f64,
    pub top_units: u64,
    pub engagement_top: f64,
    pub engagement_rest: f64,
    pub uplift: TestResult,
    pub notes: Vec<String>,
}

fn correlate(x: &[f64], y: &[f64], o: &LinkageOptions) -> TestResult {
    let r = match o.method {
        CorrelationMethod::Pearson => pearson(x, y, Alternative::TwoSided, o.confidence),
        CorrelationMethod::Spearman => spearman(x, y, Alternative::TwoSided, o.confidence),
        CorrelationMethod::Kendall => kendall(x, y, Alternative::TwoSided, KendallMethod::Auto, o.confidence),
    };
    r.unwrap_or_else(|e| nan_result("correlation", x.len(), e.to_string()))
}

fn nan_result(method: &str, n: usize, note: String) -> TestResult {
    TestResult::new(method, Alternative::TwoSided, n as u64).with_note(note)
}

/// The units in the uplift's order: mean satisfaction descending, ties by (study, unit).
fn satisfaction_order(units: &[&Unit]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| {
        let (ua, ub) = (units[a], units[b]);
        ub.mean_satisfaction
            .total_cmp(&ua.mean_satisfaction)
            .then_with(|| (&ua.study, &ua.unit).cmp(&(&ub.study, &ub.unit)))
    });
    order
}

/// Number of top units out of `k`: `ceil(share·k)`, at most k.
fn top_count(k: usize, top_share: f64) -> usize {
    ((top_share * k as f64).ceil() as usize).min(k)
}

/// Mean of unit means of engagement over the top `ceil(share·K)` units by satisfaction, over
/// the mean for the other units, minus 1. `idx` lists the units (repeats allowed: bootstrap);
/// `rank[u]` is unit u's position in [`satisfaction_order`], so the resample is ordered by a
/// counting pass (O(K)) instead of a sort; the sums run in the same order as a sort would give.
fn uplift_of(units: &[&Unit], rank: &[usize], by_rank: &[usize], idx: &[usize], top_share: f64) -> (f64, f64, f64, usize) {
    let mut count = vec![0u32; units.len()];
    for &i in idx {
        count[rank[i]] += 1;
    }
    let k = idx.len();
    let m = top_count(k, top_share);
    if m == 0 || m == k {
        return (f64::NAN, f64::NAN, f64::NAN, m);
    }
    let (mut top, mut rest, mut taken) = (0.0, 0.0, 0usize);
    for (r, &c) in count.iter().enumerate() {
        let x = units[by_rank[r]].mean_engagement;
        for _ in 0..c {
            if taken < m { top += x } else { rest += x }
            taken += 1;
        }
    }
    let (top, rest) = (top / m as f64, rest / (k - m) as f64);
    (top / rest - 1.0, top, rest, m)
}

/// The uplift without unit `u` (the jackknife of the BCa interval) in O(1), from prefix sums of
/// engagement in satisfaction order.
fn uplift_without(units: &[&Unit], rank: &[usize], prefix: &[f64], u: usize, top_share: f64) -> f64 {
    let k = units.len() - 1;
    let m = top_count(k, top_share);
    if m == 0 || m == k {
        return f64::NAN;
    }
    let (p, x) = (rank[u], units[u].mean_engagement);
    let total = prefix[units.len()] - x;
    let top = if p < m { prefix[m + 1] - x } else { prefix[m] };
    (top / m as f64) / ((total - top) / (k - m) as f64) - 1.0
}

/// High units of one study: top tercile by mean engagement, or at/above the threshold.
pub(crate) fn high_units(units: &[&Unit], threshold: Option<f64>) -> Vec<bool> {
    match threshold {
        Some(t) => units.iter().map(|u| u.mean_engagement >= t).collect(),
        None => {
            let mut order: Vec<usize> = (0..units.len()).collect();
            order.sort_by(|&a, &b| {
                units[b]
                    .mean_engagement
                    .total_cmp(&units[a].mean_engagement)
                    .then_with(|| units[a].unit.cmp(&units[b].unit))
            });
            let m = (units.len() as f64 / 3.0).ceil() as usize;
            let mut high = vec![false; units.len()];
            for &i in &order[..m] {
                high[i] = true;
            }
            high
        }
    }
}

/// Engagement values with the study and unit codes of each employee (for the ICC).
struct EmployeeEngagement<'a> {
    study: &'a [u32],
    unit: &'a [u32],
    engagement: Vec<f64>,
    studies: &'a [String],
}

fn employee_engagement(study: &Study) -> Result<EmployeeEngagement<'_>> {
    let ix = study.index();
    Ok(EmployeeEngagement {
        study: &ix.emp_study,
        unit: &ix.emp_unit,
        engagement: floats(study.employee_columns(), "engagement")?,
        studies: &ix.studies,
    })
}

/// ICC(1), ICC(2) and the note of a group's row.
pub(crate) type Icc = (f64, f64, Option<String>);

fn icc_of(emp: &EmployeeEngagement, study: Option<&str>) -> Icc {
    let code = study.map(|s| emp.studies.iter().position(|n| n == s).map_or(u32::MAX, |c| c as u32));
    let (values, groups): (Vec<f64>, Vec<usize>) = (0..emp.engagement.len())
        .filter(|&i| code.is_none_or(|c| emp.study[i] == c))
        .map(|i| (emp.engagement[i], emp.unit[i] as usize))
        .unzip();
    icc_row(icc(&values, &groups))
}

/// The row's ICC figures of an ICC result (NaN with the reason when it cannot be computed).
fn icc_row(r: StatsResult<TestResult>) -> Icc {
    match r {
        Ok(r) => (r.estimate, r.get("icc2").unwrap_or(f64::NAN), r.note),
        Err(e) => (f64::NAN, f64::NAN, Some(format!("ICC: {e}"))),
    }
}

/// The employee-level ICC pooled over studies from each unit's engagement moments (the units
/// with employees, in study then unit order; see [`icc_from_groups`]): the pooled row's ICC of
/// a study computed by parts. The grand mean is `Σ n·mean / N`.
pub(crate) fn icc_of_groups(groups: &[GroupMoments]) -> Icc {
    icc_row(icc_from_groups(groups, || {
        let n: u64 = groups.iter().map(|g| g.n).sum();
        groups.iter().map(|g| g.n as f64 * g.mean).sum::<f64>() / n as f64
    }))
}

/// What the notes say about the weights of a group's units.
fn weight_notes(linkable: &[&Unit]) -> Vec<String> {
    let mut notes = Vec::new();
    let (we, wc) = linkable.first().map_or((false, false), |u| (u.weighted_employees, u.weighted_customers));
    if we || wc {
        let sides = match (we, wc) {
            (true, true) => "employee and customer",
            (true, false) => "employee",
            _ => "customer",
        };
        notes.push(format!(
            "unit means weighted by {sides} weights; units count equally in the correlation and the uplift"
        ));
    }
    if we {
        notes.push("ICC(1) and ICC(2) are unweighted (no standard weighted version)".into());
    }
    if wc {
        notes.push("high-engagement contrast is unweighted (two-proportion z-test on customer counts)".into());
    }
    notes
}

/// The top-share uplift of a group's units with its unit-bootstrap BCa interval (NaN with the
/// reason when undefined), the mean engagement of the top and of the other units, and the
/// number of top units.
fn uplift_result(linkable: &[&Unit], o: &LinkageOptions) -> (TestResult, f64, f64, usize) {
    let all: Vec<usize> = (0..linkable.len()).collect();
    let by_rank = satisfaction_order(linkable);
    let mut rank = vec![0; linkable.len()];
    for (r, &u) in by_rank.iter().enumerate() {
        rank[u] = r;
    }
    let (up, top, rest, m) = uplift_of(linkable, &rank, &by_rank, &all, o.top_share);
    let uplift = if up.is_nan() {
        nan_result(
            "top-share uplift",
            linkable.len(),
            format!("top-share uplift needs units both in and out of the top {}", o.top_share),
        )
    } else if o.n_resamples == 0 {
        let mut r = nan_result("top-share uplift", linkable.len(), "uplift CI not computed (n_resamples = 0)".into());
        r.estimate = up;
        r
    } else {
        let opts = BootstrapOptions {
            n_resamples: o.n_resamples,
            method: BootstrapMethod::Bca,
            seed: o.seed,
            confidence: o.confidence,
        };
        let mut prefix = vec![0.0; linkable.len() + 1];
        for (r, &u) in by_rank.iter().enumerate() {
            prefix[r + 1] = prefix[r] + linkable[u].mean_engagement;
        }
        bootstrap_with_jackknife(
            linkable.len(),
            |idx| uplift_of(linkable, &rank, &by_rank, idx, o.top_share).0,
            |u| uplift_without(linkable, &rank, &prefix, u, o.top_share),
            &opts,
        )
            .map(|mut r| {
                r.estimate = up;
                r.method = "top-share uplift, unit bootstrap (BCa)".into();
                r
            })
            .unwrap_or_else(|e| {
                let mut r = nan_result("top-share uplift", linkable.len(), format!("uplift CI: {e}"));
                r.estimate = up;
                r
            })
    };
    (uplift, top, rest, m)
}

fn group_row(
    level: &'static str,
    name: &str,
    linkable: &[&Unit],
    high: &[bool],
    (icc1, icc2, icc_note): Icc,
    o: &LinkageOptions,
) -> LinkageRow {
    let mut notes = Vec::new();
    let x: Vec<f64> = linkable.iter().map(|u| u.mean_engagement).collect();
    let y: Vec<f64> = linkable
        .iter()
        .map(|u| match o.outcome {
            Outcome::ShareSatisfied => u.share_satisfied(),
            Outcome::MeanSatisfaction => u.mean_satisfaction,
        })
        .collect();
    let correlation = correlate(&x, &y, o);
    notes.extend(icc_note);
    notes.extend(weight_notes(linkable));

    let sum = |pred: &dyn Fn(usize) -> bool, f: &dyn Fn(&Unit) -> u64| -> u64 {
        (0..linkable.len()).filter(|&i| pred(i)).map(|i| f(linkable[i])).sum()
    };
    let (k1, n1) = (sum(&|i| high[i], &|u| u.n_satisfied), sum(&|i| high[i], &|u| u.n_customers));
    let (k2, n2) = (sum(&|i| !high[i], &|u| u.n_satisfied), sum(&|i| !high[i], &|u| u.n_customers));
    let contrast = two_proportions(k1, n1, k2, n2, Alternative::TwoSided, o.confidence)
        .unwrap_or_else(|e| nan_result("two proportions", (n1 + n2) as usize, format!("contrast: {e}")));
    let ratio = |k: u64, n: u64| if n == 0 { f64::NAN } else { k as f64 / n as f64 };

    let (uplift, top, rest, m) = uplift_result(linkable, o);
    for r in [&correlation, &contrast, &uplift] {
        if let Some(n) = &r.note {
            notes.push(n.clone());
        }
    }
    LinkageRow {
        level,
        study: name.to_string(),
        n_units: linkable.len() as u64,
        n_employees: linkable.iter().map(|u| u.n_employees).sum(),
        n_customers: linkable.iter().map(|u| u.n_customers).sum(),
        correlation,
        tau2: None,
        i2: None,
        q_p: None,
        icc1,
        icc2,
        high_units: high.iter().filter(|h| **h).count() as u64,
        high_customers: n1,
        high_satisfied: k1,
        contrast,
        share_high: ratio(k1, n1),
        share_rest: ratio(k2, n2),
        top_units: m as u64,
        engagement_top: top,
        engagement_rest: rest,
        uplift,
        notes,
    }
}

/// Rows per study (when `by = Study`) and the pooled row.
pub fn linkage_rows(study: &Study, o: &LinkageOptions) -> Result<Vec<LinkageRow>> {
    o.check()?;
    let all_units = units(study)?;
    let emp = employee_engagement(study)?;
    let rows = rows_of_studies(&emp, &all_units, o);
    let mut pooled_units = Vec::new();
    let mut pooled_high = Vec::new();
    for us in linkable_by_study(&all_units).values() {
        pooled_high.extend(high_units(us, o.threshold));
        pooled_units.extend(us.iter().copied());
    }
    let pooled = pooled_row(&rows, &pooled_units, &pooled_high, icc_of(&emp, None), study.schema().min_group_size(), o)?;
    Ok(o.by.rows(rows, pooled))
}

/// The linkable units of each study ([`Unit::is_linkable`]), in study then unit order.
pub(crate) fn linkable_by_study(all_units: &[Unit]) -> BTreeMap<&str, Vec<&Unit>> {
    let mut by_study: BTreeMap<&str, Vec<&Unit>> = BTreeMap::new();
    for u in all_units.iter().filter(|u| u.is_linkable()) {
        by_study.entry(&u.study).or_default().push(u);
    }
    by_study
}

/// The per-study rows (studies with a linkable unit, in study order) of `study`, whose units
/// are `all_units` ([`units`]). Each row depends on its study alone, so the rows of a part
/// holding whole studies are those of the whole.
pub(crate) fn study_rows(study: &Study, all_units: &[Unit], o: &LinkageOptions) -> Result<Vec<LinkageRow>> {
    Ok(rows_of_studies(&employee_engagement(study)?, all_units, o))
}

fn rows_of_studies(emp: &EmployeeEngagement, all_units: &[Unit], o: &LinkageOptions) -> Vec<LinkageRow> {
    linkable_by_study(all_units)
        .iter()
        .map(|(name, us)| {
            let high = high_units(us, o.threshold);
            group_row("study", name, us, &high, icc_of(emp, Some(name)), o)
        })
        .collect()
}

/// The pooled row: over the linkable units of every study (`units`, in study then unit order,
/// `high` their per-study high flags), with the employee-level ICC `icc`, and the correlation
/// replaced by the random-effects meta-analysis of the per-study `rows`' correlations. No
/// linkable unit at all is an `InsufficientData` error naming `min_group_size`.
pub(crate) fn pooled_row(
    rows: &[LinkageRow],
    units: &[&Unit],
    high: &[bool],
    icc: Icc,
    min_group_size: usize,
    o: &LinkageOptions,
) -> Result<LinkageRow> {
    if units.is_empty() {
        return Err(MiroirError::InsufficientData {
            detail: format!(
                "no linkable unit: a unit needs at least {min_group_size} employees and {min_group_size} customers \
                 (Schema(min_group_size=...) sets the threshold)"
            ),
        });
    }
    let mut pooled = group_row("pooled", "all", units, high, icc, o);
    // The pooled correlation is the random-effects mean of the studies' correlations.
    let (r, n): (Vec<f64>, Vec<f64>) = rows
        .iter()
        .filter(|row| row.n_units >= 4 && row.correlation.estimate.is_finite())
        .map(|row| (row.correlation.estimate, row.n_units as f64))
        .unzip();
    match meta_correlations(&r, &n, MetaMethod::Reml, o.confidence) {
        Ok(mut m) => {
            pooled.tau2 = m.get("tau2");
            pooled.i2 = m.get("i2");
            pooled.q_p = m.get("q_p");
            m.method = format!("random-effects meta-analysis (REML) of {} per-study correlations", r.len());
            if o.method != CorrelationMethod::Pearson {
                pooled.notes.push("rank correlations pooled on Fisher's z with variance 1/(n-3)".into());
            }
            pooled.correlation = m;
        }
        Err(e) => {
            pooled.notes.push(format!(
                "pooled correlation is over all units, not a meta-analysis ({e})"
            ));
        }
    }
    Ok(pooled)
}

/// The linkage table (one row per study, then the pooled row).
pub fn linkage(study: &Study, o: &LinkageOptions) -> Result<DataFrame> {
    linkage_table(&linkage_rows(study, o)?)
}

/// The linkage table of computed rows.
pub fn linkage_table(rows: &[LinkageRow]) -> Result<DataFrame> {
    let f = |g: &dyn Fn(&LinkageRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    TableBuilder::new()
        .str("level", rows.iter().map(|r| r.level))
        .str("study", rows.iter().map(|r| &r.study))
        .u64("n_units", rows.iter().map(|r| r.n_units))
        .u64("n_employees", rows.iter().map(|r| r.n_employees))
        .u64("n_customers", rows.iter().map(|r| r.n_customers))
        .f64("estimate", f(&|r| r.correlation.estimate))
        .f64("p_value", f(&|r| r.correlation.p_value))
        .f64("ci_low", f(&|r| r.correlation.ci_low))
        .f64("ci_high", f(&|r| r.correlation.ci_high))
        .str("method", rows.iter().map(|r| &r.correlation.method))
        .opt_f64("tau2", rows.iter().map(|r| r.tau2))
        .opt_f64("i2", rows.iter().map(|r| r.i2))
        .opt_f64("q_p", rows.iter().map(|r| r.q_p))
        .f64("icc1", f(&|r| r.icc1))
        .f64("icc2", f(&|r| r.icc2))
        .u64("high_units", rows.iter().map(|r| r.high_units))
        .f64("share_satisfied_high", f(&|r| r.share_high))
        .f64("share_satisfied_rest", f(&|r| r.share_rest))
        .f64("satisfied_diff", f(&|r| r.contrast.estimate))
        .f64("satisfied_diff_ci_low", f(&|r| r.contrast.ci_low))
        .f64("satisfied_diff_ci_high", f(&|r| r.contrast.ci_high))
        .f64("satisfied_diff_p", f(&|r| r.contrast.p_value))
        .u64("top_units", rows.iter().map(|r| r.top_units))
        .f64("engagement_top", f(&|r| r.engagement_top))
        .f64("engagement_rest", f(&|r| r.engagement_rest))
        .f64("uplift", f(&|r| r.uplift.estimate))
        .f64("uplift_ci_low", f(&|r| r.uplift.ci_low))
        .f64("uplift_ci_high", f(&|r| r.uplift.ci_high))
        .notes("note", rows.iter().map(|r| &r.notes))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::units::Suppression;

    #[test]
    fn closed_form_jackknife_equals_the_uplift_without_each_unit() {
        // 23 units with tied satisfactions: the jackknife's O(1) update must equal the
        // statistic recomputed on the 22 remaining units, for every unit left out.
        let owned: Vec<Unit> = (0..23)
            .map(|i| Unit {
                study: format!("s{}", i % 3),
                unit: format!("u{i:02}"),
                n_employees: 10,
                mean_engagement: 40.0 + ((i * 37) % 23) as f64,
                n_customers: 10,
                n_satisfied: 5,
                mean_satisfaction: f64::from(i as u32 % 7),
                w_customers: 10.0,
                w_satisfied: 5.0,
                weighted_employees: false,
                weighted_customers: false,
                suppression: Suppression::None,
            })
            .collect();
        let units: Vec<&Unit> = owned.iter().collect();
        let by_rank = satisfaction_order(&units);
        let mut rank = vec![0; units.len()];
        for (r, &u) in by_rank.iter().enumerate() {
            rank[u] = r;
        }
        let mut prefix = vec![0.0; units.len() + 1];
        for (r, &u) in by_rank.iter().enumerate() {
            prefix[r + 1] = prefix[r] + units[u].mean_engagement;
        }
        for share in [0.08, 0.3, 0.5] {
            for u in 0..units.len() {
                let rest: Vec<usize> = (0..units.len()).filter(|&i| i != u).collect();
                let direct = uplift_of(&units, &rank, &by_rank, &rest, share).0;
                let fast = uplift_without(&units, &rank, &prefix, u, share);
                assert!((direct - fast).abs() <= 1e-13 * direct.abs().max(1.0), "share {share}, unit {u}: {direct} vs {fast}");
            }
        }
    }
}
