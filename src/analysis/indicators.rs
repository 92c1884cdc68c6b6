//! The published figures of the seed article (DESIGN.md, "The published figures"), as estimates
//! with confidence intervals and their n.
//!
//! Shares use the Wilson interval by default (`clopper_pearson` on request); with a `weight`
//! column the share is weighted and the interval uses Kish's effective sample size
//! `(Σw)² / Σw²`. Missing answers are left out of a share's denominator. The two unit-level
//! figures come from [`super::linkage`] (pooled row) and the front-line gap from
//! [`super::exposure_gap`] (the largest per-study gap with its Welch CI).

use super::exposure_gap::{gap_rows, GapOptions, GapRow};
use super::frame::{bools, TableBuilder};
use super::linkage::{linkage_rows, By, LinkageOptions, LinkageRow};
use crate::data::Study;
use crate::error::Result;
use crate::stats::proportions::{proportion_ci, weighted_proportion_ci, ProportionMethod};
use polars::prelude::DataFrame;

/// One published figure, recomputed.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: &'static str,
    pub label: &'static str,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: u64,
    pub method: String,
    /// The value published in the seed article.
    pub published: f64,
    pub note: Option<String>,
}

/// The eight figures: id, label, published value.
pub const SEED_FIGURES: [(&str, &str, f64); 8] = [
    ("can_contribute", "employees who believe they can help improve the service to customers", 0.72),
    ("top_cx_engagement_uplift", "engagement uplift of the top 8% units by customer satisfaction", 0.60),
    ("satisfaction_high_engagement", "customer satisfaction where engagement is high (top-tercile units)", 0.89),
    ("has_ideas", "employees with concrete ideas to improve how the company works", 0.56),
    ("has_cost_ideas", "employees with ideas to reduce costs", 0.43),
    ("asked_yearly", "employees asked about their experience once a year", 1.0 / 3.0),
    ("never_asked", "employees never asked about their daily experiences with customers", 0.5),
    ("frontline_gap", "largest engagement gap of customer-facing employees (points, 0-100)", 20.0),
];

#[derive(Debug, Clone)]
pub struct IndicatorOptions {
    pub ci_method: ProportionMethod,
    pub confidence: f64,
    pub linkage: LinkageOptions,
}

impl Default for IndicatorOptions {
    fn default() -> Self {
        IndicatorOptions {
            ci_method: ProportionMethod::Wilson,
            confidence: 0.95,
            linkage: LinkageOptions { by: By::Pooled, ..LinkageOptions::default() },
        }
    }
}

/// Whether a published value lies inside its confidence interval: `ci_low ≤ p ≤ ci_high` up
/// to rounding, each bound widened by `s = 1e-12 · max(|p|, 1)` (`ci_low ≤ p + s` and
/// `p − s ≤ ci_high`), so that a figure published to the digits of the interval's bound counts
/// as inside. `None` when any of the three is NaN (nothing can be said). The one judgement of
/// "inside its CI": the reproduce check `within_ci` and the reports read it.
pub fn published_inside_ci(published: f64, ci_low: f64, ci_high: f64) -> Option<bool> {
    if published.is_nan() || ci_low.is_nan() || ci_high.is_nan() {
        return None;
    }
    let slack = 1e-12 * published.abs().max(1.0);
    Some(ci_low <= published + slack && published - slack <= ci_high)
}

pub(crate) fn blank(i: usize) -> Indicator {
    let (id, label, published) = SEED_FIGURES[i];
    Indicator {
        id,
        label,
        estimate: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        n: 0,
        method: String::new(),
        published,
        note: None,
    }
}

/// The figures that are shares of the employees' answers, in [`SEED_FIGURES`] order: (figure,
/// column, answer). A yes/no column when `answer` is `None`, else the share answering `answer`
/// to the `asked_about_customers` question.
pub(crate) const SHARES: [(usize, &str, Option<&str>); 5] = [
    (0, "can_contribute", None),
    (3, "has_ideas", None),
    (4, "has_cost_ideas", None),
    (5, "asked_about_customers", Some("yearly")),
    (6, "asked_about_customers", Some("never")),
];

/// The answers of a share of [`SHARES`], one per employee (`None` for a missing answer), or
/// `None` when the column is absent from the employees table.
pub(crate) fn answers(df: &DataFrame, column: &str, answer: Option<&str>) -> Result<Option<Vec<Option<bool>>>> {
    if df.get_column_index(column).is_none() {
        return Ok(None);
    }
    Ok(Some(match answer {
        None => bools(df, column)?,
        Some(a) => df.column(column)?.str()?.iter().map(|v| v.map(|s| s == a)).collect(),
    }))
}

/// The figure of an absent column.
pub(crate) fn absent(i: usize, column: &str) -> Indicator {
    let mut ind = blank(i);
    ind.note = Some(format!("column '{column}' is absent from the employees table"));
    ind
}

/// Figure `i`, a share of `n` answers (`"no answers"` when 0) with the interval `ci` computes.
pub(crate) fn share_figure(
    i: usize,
    n: u64,
    ci: impl FnOnce() -> crate::stats::StatsResult<crate::stats::TestResult>,
) -> Result<Indicator> {
    let mut ind = blank(i);
    ind.n = n;
    if n == 0 {
        ind.note = Some("no answers".into());
        return Ok(ind);
    }
    let r = ci()?;
    ind.estimate = r.estimate;
    ind.ci_low = r.ci_low;
    ind.ci_high = r.ci_high;
    ind.method = r.method;
    Ok(ind)
}

/// A (possibly weighted) share with its interval. `x` holds `None` for missing answers.
///
/// Weighted: [`weighted_proportion_ci`] (weights normalised by their maximum, so that their scale
/// — 1e160 or 1e-170 — changes nothing; the interval is on Kish's effective n).
fn share(i: usize, x: &[Option<bool>], w: Option<&[f64]>, o: &IndicatorOptions) -> Result<Indicator> {
    let rows: Vec<usize> = (0..x.len()).filter(|&r| x[r].is_some()).collect();
    share_figure(i, rows.len() as u64, || match w {
        None => {
            let k = rows.iter().filter(|&&r| x[r] == Some(true)).count() as u64;
            proportion_ci(k, rows.len() as u64, o.ci_method, o.confidence)
        }
        Some(w) => {
            let hits: Vec<bool> = rows.iter().map(|&r| x[r] == Some(true)).collect();
            let ws: Vec<f64> = rows.iter().map(|&r| w[r]).collect();
            weighted_proportion_ci(&hits, &ws, o.ci_method, o.confidence)
        }
    })
}

/// The linkage and gap options the indicators are computed with.
pub fn inputs_of(o: &IndicatorOptions) -> (LinkageOptions, GapOptions) {
    (
        LinkageOptions { by: By::Pooled, ..o.linkage.clone() },
        GapOptions { by: By::Study, covariates: Vec::new(), confidence: o.confidence },
    )
}

/// The eight figures, in the order of [`SEED_FIGURES`].
pub fn indicator_rows(study: &Study, o: &IndicatorOptions) -> Result<Vec<Indicator>> {
    let (lo, go) = inputs_of(o);
    let link = linkage_rows(study, &lo)?;
    let gaps = gap_rows(study, &go)?;
    indicator_rows_from(study, o, &link[link.len() - 1], &gaps)
}

/// The eight figures from the pooled linkage row and the per-study gap rows computed with the
/// options of [`inputs_of`] (so that a report computes them once).
pub fn indicator_rows_from(
    study: &Study,
    o: &IndicatorOptions,
    pooled: &LinkageRow,
    gaps: &[GapRow],
) -> Result<Vec<Indicator>> {
    let df = study.employee_columns();
    let w = super::frame::employee_weights(study, "indicators")?;
    let share_of = |j: usize| -> Result<Indicator> {
        let (i, column, answer) = SHARES[j];
        match answers(df, column, answer)? {
            None => Ok(absent(i, column)),
            Some(x) => share(i, &x, w.as_deref(), o),
        }
    };
    figures(share_of, o, pooled, gaps, study.customer_weights().is_some())
}

/// The eight figures, `share_of(j)` giving the share `SHARES[j]` (called in figure order), the
/// two unit-level figures from the pooled linkage row, the front-line gap from the per-study gap
/// rows; `customer_weighted` = the customers table has weights (said in a note).
pub(crate) fn figures(
    mut share_of: impl FnMut(usize) -> Result<Indicator>,
    o: &IndicatorOptions,
    pooled: &LinkageRow,
    gaps: &[GapRow],
    customer_weighted: bool,
) -> Result<Vec<Indicator>> {
    let mut out = Vec::new();
    out.push(share_of(0)?);

    let mut up = blank(1);
    up.estimate = pooled.uplift.estimate;
    up.ci_low = pooled.uplift.ci_low;
    up.ci_high = pooled.uplift.ci_high;
    up.n = pooled.n_units;
    up.method = format!(
        "mean engagement of the top {} of {} units by mean satisfaction / the others - 1; {}",
        pooled.top_units, pooled.n_units, pooled.uplift.method
    );
    up.note = pooled.uplift.note.clone();
    out.push(up);

    let mut sat = blank(2);
    let (k1, n1) = (pooled.high_satisfied, pooled.high_customers);
    if n1 > 0 {
        let r = proportion_ci(k1, n1, o.ci_method, o.confidence)?;
        sat.estimate = pooled.share_high;
        sat.ci_low = r.ci_low;
        sat.ci_high = r.ci_high;
        sat.n = n1;
        sat.method = format!("share satisfied among customers of top-tercile engagement units; {}", r.method);
        let mut note = String::from("interval treats customers as independent (no unit clustering)");
        if customer_weighted {
            note.push_str("; unweighted: customers counted equally (the linkage's high-engagement contrast has no weighted version)");
        }
        sat.note = Some(note);
    } else {
        sat.note = Some("no customer in high-engagement units".into());
    }
    out.push(sat);

    for j in 1..SHARES.len() {
        out.push(share_of(j)?);
    }

    let mut gap = blank(7);
    match gaps.iter().find(|g| g.largest) {
        Some(g) => {
            gap.estimate = g.welch.estimate;
            gap.ci_low = g.welch.ci_low;
            gap.ci_high = g.welch.ci_high;
            gap.n = g.n_facing + g.n_other;
            gap.method = format!("largest per-study gap (study '{}'), Welch t interval", g.study);
        }
        None => gap.note = Some("no study has both customer-facing and other employees".into()),
    }
    out.push(gap);
    Ok(out)
}

pub fn indicators(study: &Study, o: &IndicatorOptions) -> Result<DataFrame> {
    indicator_table(&indicator_rows(study, o)?)
}

/// The indicators table of computed rows.
pub fn indicator_table(rows: &[Indicator]) -> Result<DataFrame> {
    TableBuilder::new()
        .str("id", rows.iter().map(|r| r.id))
        .str("label", rows.iter().map(|r| r.label))
        .f64("estimate", rows.iter().map(|r| r.estimate))
        .f64("ci_low", rows.iter().map(|r| r.ci_low))
        .f64("ci_high", rows.iter().map(|r| r.ci_high))
        .u64("n", rows.iter().map(|r| r.n))
        .str("method", rows.iter().map(|r| &r.method))
        .f64("published", rows.iter().map(|r| r.published))
        .opt_str("note", rows.iter().map(|r| r.note.clone()))
        .build()
}
