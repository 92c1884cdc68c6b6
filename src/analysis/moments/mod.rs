//! The six moments (mirror matrix): each theme placed by customer polarity against employee
//! voice, with per-theme significance.
//!
//! Rules (DESIGN.md, "Six moments"; all parameters in [`MomentOptions`]):
//! - **customer axis**: exact two-sided binomial test (scipy's `binomtest`) of the theme's positive
//!   customer mentions against 0.5: `enchanted` (positive share > 0.5, p < alpha), `irritated`
//!   (< 0.5, p < alpha), else `undetermined`;
//! - **employee axis**: `silent` when the one-sided (1 - alpha) upper Wilson bound of the share of
//!   employees who mention the theme is below `silence_rate` — equivalently the one-sided score
//!   test of H0: share >= silence_rate has p < alpha (that p is the axis' p-value); otherwise an
//!   exact binomial test of the positive employee mentions against 0.5: `proud`, `frustrated` or
//!   `undetermined`;
//! - a theme's p-value is the larger of its two axes' (intersection-union test), q-values are
//!   Benjamini-Hochberg across the themes that have at least `min_mentions` customer mentions; a
//!   theme is placed in a moment when q < alpha (then both axes are determined), otherwise it is
//!   `undetermined`; themes under `min_mentions` are listed as `too_few_mentions`.
//!
//! Confidentiality: a side's counts and shares are null (and `*_suppressed` true) for themes
//! mentioned by fewer than `min_group_size` respondents of that side, and such a side's polarity
//! is not tested (axis `undetermined`, p NaN, with a note) since it would reveal their answers;
//! `silent` needs no valence and stays. The example verbatim of a side is shown only from
//! `min_text_group_size` respondents.
//!
//! Weights (a `weight` column in the customers and/or employees table): the published shares are
//! weighted by the weight of the respondent behind each mention — `customer_positive_share` =
//! Σw over positive customer mentions / Σw over customer mentions, `employee_positive_share`
//! likewise, `employee_share` = Σw of the employees who mention the theme / Σw of the group's
//! employees. The counts stay counts, and the classification stays on counts (exact binomial
//! tests, Wilson bound: tests of counts with no standard weighted version); the row's `note` says
//! so. In [`moment_effects`] the means and the Welch test are weighted as in
//! [`super::exposure_gap`] (statsmodels `ttest_ind(usevar="unequal", weights=...)`, frequency
//! weights); Hedges' g stays unweighted, as its note says.

pub(crate) mod effects;
pub(crate) mod examples;
pub(crate) mod summary;
mod taxonomy;

pub use effects::{moment_effects, moment_effects_from};
pub use taxonomy::{action, Moment, MomentText};

use super::frame::{customer_weights, employee_weights, TableBuilder};
use super::linkage::By;
use examples::example_texts;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::dist::norm_cdf;
use crate::stats::multiple::{adjust_pvalues, PAdjust};
use crate::stats::proportions::{binom_test, proportion_ci, ProportionMethod};
use crate::stats::Alternative;
use polars::prelude::{DataFrame, StringChunked};

fn cell(customer: &str, employee: &str) -> &'static str {
    Moment::from_axes(customer, employee).map_or(Moment::UNDETERMINED, Moment::key)
}

#[derive(Debug, Clone)]
pub struct MomentOptions {
    pub alpha: f64,
    pub silence_rate: f64,
    pub min_mentions: u64,
    pub by: By,
}

impl Default for MomentOptions {
    fn default() -> Self {
        MomentOptions { alpha: 0.05, silence_rate: 0.02, min_mentions: 10, by: By::Pooled }
    }
}

impl MomentOptions {
    pub fn check(&self) -> Result<()> {
        let bad = |argument: &str, detail: String| Err(MiroirError::InvalidArgument { argument: argument.into(), detail });
        if !(self.alpha > 0.0 && self.alpha < 0.5) {
            return bad("alpha", format!("must lie strictly between 0 and 0.5, got {}", self.alpha));
        }
        if !(self.silence_rate > 0.0 && self.silence_rate < 1.0) {
            return bad("silence_rate", format!("must lie strictly between 0 and 1, got {}", self.silence_rate));
        }
        if self.min_mentions < 1 {
            return bad("min_mentions", "must be at least 1".into());
        }
        Ok(())
    }
}

/// Counts of one theme in one group.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ThemeCounts {
    pub(crate) c_pos: u64,
    pub(crate) c_neg: u64,
    /// Distinct customers (employees) who mention the theme.
    pub(crate) customers: u64,
    pub(crate) e_pos: u64,
    pub(crate) e_neg: u64,
    pub(crate) employees: u64,
    /// Sums of the respondents' weights behind positive / negative mentions of each side, and of
    /// the distinct employees who mention the theme (only with weights on that side).
    pub(crate) c_wpos: f64,
    pub(crate) c_wneg: f64,
    pub(crate) e_wpos: f64,
    pub(crate) e_wneg: f64,
    pub(crate) e_wmentioning: f64,
    /// The most frequent verbatim of each side (ties: the first in text order).
    pub(crate) c_example: Option<String>,
    pub(crate) e_example: Option<String>,
}

/// One classified theme.
#[derive(Debug, Clone)]
pub struct ThemeRow {
    pub group: String,
    pub theme: String,
    pub customer_mentions: u64,
    pub customer_positive: u64,
    pub customer_negative: u64,
    pub customer_respondents: u64,
    pub customer_axis: &'static str,
    pub customer_p: f64,
    pub employee_mentions: u64,
    pub employee_positive: u64,
    pub employee_negative: u64,
    pub employees_mentioning: u64,
    pub employees_total: u64,
    pub employee_share_upper: f64,
    pub employee_axis: &'static str,
    pub employee_p: f64,
    /// Weighted shares (None without weights on that side): positive customer mentions,
    /// positive employee mentions, employees mentioning the theme.
    pub customer_positive_share_w: Option<f64>,
    pub employee_positive_share_w: Option<f64>,
    pub employee_share_w: Option<f64>,
    pub p_value: f64,
    pub q_value: f64,
    pub moment: &'static str,
    pub customer_example: Option<String>,
    pub employee_example: Option<String>,
    pub notes: Vec<String>,
}

/// Per group (a study, or `all`): the counts of every theme and the number of employees.
pub(crate) struct Indexed {
    pub(crate) groups: Vec<String>,
    /// `per_group[g]`: (theme name, counts) of the themes mentioned in group g, by theme name.
    pub(crate) per_group: Vec<Vec<(String, ThemeCounts)>>,
    pub(crate) employees_total: Vec<u64>,
    /// Sum of the employees' weights per group (None without employee weights).
    pub(crate) employees_wtotal: Option<Vec<f64>>,
    /// Whether the customer side is weighted.
    pub(crate) customers_weighted: bool,
}

/// The counts of every (group, theme) cell, before the example verbatims: `counts[g * n + t]`
/// for group g (a study, or the one group `all`) and theme t of `themes` (n of them), every
/// group of the study, with employees or not.
pub(crate) struct Cells {
    pub(crate) names: Vec<String>,
    /// Theme names, sorted (none without mentions).
    pub(crate) themes: Vec<String>,
    pub(crate) counts: Vec<ThemeCounts>,
    /// Whether the cell has a mention.
    pub(crate) mentioned: Vec<bool>,
    pub(crate) employees_total: Vec<u64>,
    /// Sums of the employees' weights (0 without weights).
    pub(crate) employees_wtotal: Vec<f64>,
}

/// The group of respondents of study `s`.
fn group_of(by: By, s: u32) -> usize {
    if by == By::Study { s as usize } else { 0 }
}

/// Counts of every theme in every group, the weighted sums with the employees' (`ew`) and the
/// customers' (`cw`) weights when given (by row of their table).
pub(crate) fn count_cells(study: &Study, by: By, ew: Option<&[f64]>, cw: Option<&[f64]>) -> Cells {
    let ix = study.index();
    let by_study = by == By::Study;
    let n_groups = if by_study { ix.studies.len() } else { 1 };
    let mut employees_total = vec![0u64; n_groups];
    let mut employees_wtotal = vec![0.0; n_groups];
    for (i, &s) in ix.emp_study.iter().enumerate() {
        let g = group_of(by, s);
        employees_total[g] += 1;
        if let Some(w) = ew {
            employees_wtotal[g] += w[i];
        }
    }
    let names: Vec<String> = if by_study { ix.studies.clone() } else { vec!["all".to_string()] };
    let Some(m) = ix.mentions.as_ref() else {
        return Cells { names, themes: Vec::new(), counts: Vec::new(), mentioned: Vec::new(), employees_total, employees_wtotal };
    };
    let n_themes = m.themes.len();
    let cell_of = |i: usize| group_of(by, m.study[i]) * n_themes + m.theme[i] as usize;
    let mut counts = vec![ThemeCounts::default(); n_groups * n_themes];
    let mut mentioned = vec![false; n_groups * n_themes];
    // (cell, respondent) of each mention, customers and employees
    let mut c_pairs: Vec<(u32, u32)> = Vec::new();
    let mut e_pairs: Vec<(u32, u32)> = Vec::new();
    for i in 0..m.theme.len() {
        let k = cell_of(i);
        mentioned[k] = true;
        let c = &mut counts[k];
        let positive = m.positive[i];
        if m.customer[i] {
            if positive { c.c_pos += 1 } else { c.c_neg += 1 }
            if let Some(w) = cw {
                let w = w[m.respondent[i] as usize];
                if positive { c.c_wpos += w } else { c.c_wneg += w }
            }
            c_pairs.push((k as u32, m.respondent[i]));
        } else {
            if positive { c.e_pos += 1 } else { c.e_neg += 1 }
            if let Some(w) = ew {
                let w = w[m.respondent[i] as usize];
                if positive { c.e_wpos += w } else { c.e_wneg += w }
            }
            e_pairs.push((k as u32, m.respondent[i]));
        }
    }
    for (pairs, customers) in [(&mut c_pairs, true), (&mut e_pairs, false)] {
        pairs.sort_unstable();
        pairs.dedup();
        for &(k, r) in pairs.iter() {
            let c = &mut counts[k as usize];
            if customers {
                c.customers += 1
            } else {
                c.employees += 1;
                if let Some(w) = ew {
                    c.e_wmentioning += w[r as usize];
                }
            }
        }
    }
    Cells { names, themes: m.themes.clone(), counts, mentioned, employees_total, employees_wtotal }
}

fn index(study: &Study, by: By) -> Result<Indexed> {
    let ew = employee_weights(study, "moment shares")?;
    let cw = customer_weights(study, "moment shares")?;
    let Cells { names, themes, mut counts, mentioned, employees_total, employees_wtotal } =
        count_cells(study, by, ew.as_deref(), cw.as_deref());
    let n_groups = names.len();
    // groups are those with employees, as names
    let keep: Vec<usize> = (0..n_groups).filter(|&g| employees_total[g] > 0).collect();
    let n_themes = themes.len();
    if let Some(m) = study.index().mentions.as_ref() {
        // Example verbatim, only where enough respondents of the side mention the theme.
        let cell_of = |i: usize| group_of(by, m.study[i]) * n_themes + m.theme[i] as usize;
        let min_text = study.schema().min_text_group_size() as u64;
        let cells = n_groups * n_themes;
        let cell_side = |i: usize| -> Option<usize> {
            let k = cell_of(i);
            let enough = if m.customer[i] { counts[k].customers } else { counts[k].employees } >= min_text;
            enough.then(|| if m.customer[i] { cells + k } else { k })
        };
        let side_of: Vec<Option<usize>> = (0..m.theme.len()).map(cell_side).collect();
        let visit = |each: &mut dyn FnMut(usize, &StringChunked) -> Result<()>| study.visit_mention_texts(each);
        for (k, text) in example_texts(&visit, &m.text, &side_of, 2 * cells)?.into_iter().enumerate() {
            if let Some(t) = text {
                let c = &mut counts[k % cells];
                if k >= cells { c.c_example = Some(t) } else { c.e_example = Some(t) }
            }
        }
    }
    let mut per_group = Vec::with_capacity(keep.len());
    for &g in &keep {
        per_group.push(
            (0..n_themes)
                .filter(|&t| mentioned[g * n_themes + t])
                .map(|t| (themes[t].clone(), std::mem::take(&mut counts[g * n_themes + t])))
                .collect(),
        );
    }
    Ok(Indexed {
        groups: keep.iter().map(|&g| names[g].clone()).collect(),
        per_group,
        employees_total: keep.iter().map(|&g| employees_total[g]).collect(),
        employees_wtotal: ew.as_ref().map(|_| keep.iter().map(|&g| employees_wtotal[g]).collect()),
        customers_weighted: cw.is_some(),
    })
}

/// The schema's confidentiality thresholds the moments apply: `min_group_size` (a side's
/// counts and polarity) and `min_text_group_size` (its example verbatim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Sizes {
    pub(crate) min_group: u64,
    pub(crate) min_text: u64,
}

impl Sizes {
    pub(crate) fn of(study: &Study) -> Sizes {
        let s = study.schema();
        Sizes { min_group: s.min_group_size() as u64, min_text: s.min_text_group_size() as u64 }
    }
}

/// Weights of a group for [`classify_theme`]: the sum of its employees' weights (None without
/// employee weights) and whether the customers are weighted.
#[derive(Clone, Copy)]
struct GroupWeights {
    employees: Option<f64>,
    customers: bool,
}

fn classify_theme(group: &str, theme: &str, c: &ThemeCounts, n_emp: u64, gw: GroupWeights, o: &MomentOptions, sizes: Sizes) -> ThemeRow {
    let mut notes = Vec::new();
    let ratio = |a: f64, b: f64| if b > 0.0 { Some(a / b) } else { None };
    let customer_positive_share_w = if gw.customers { ratio(c.c_wpos, c.c_wpos + c.c_wneg) } else { None };
    let (employee_positive_share_w, employee_share_w) = match gw.employees {
        Some(total) => (ratio(c.e_wpos, c.e_wpos + c.e_wneg), ratio(c.e_wmentioning, total)),
        None => (None, None),
    };
    if gw.customers || gw.employees.is_some() {
        notes.push(
            "shares weighted by respondent weights; the classification tests (binomial, Wilson) use counts, unweighted"
                .to_string(),
        );
    }
    let n_c = c.c_pos + c.c_neg;
    let (customer_axis, customer_p) = if n_c == 0 {
        notes.push("no customer mentions".to_string());
        ("undetermined", f64::NAN)
    } else {
        let t = binom_test(c.c_pos, n_c, 0.5, Alternative::TwoSided, 0.95).expect("valid counts");
        let state = if t.p_value < o.alpha {
            if 2 * c.c_pos > n_c { "enchanted" } else { "irritated" }
        } else {
            "undetermined"
        };
        (state, t.p_value)
    };
    let n_e = c.e_pos + c.e_neg;
    let mentioning = c.employees;
    let upper = proportion_ci(mentioning, n_emp.max(1), ProportionMethod::Wilson, 1.0 - 2.0 * o.alpha)
        .map(|r| r.ci_high)
        .unwrap_or(f64::NAN);
    let (employee_axis, employee_p) = if n_emp == 0 {
        notes.push("no employees in this group".to_string());
        ("undetermined", f64::NAN)
    } else if upper < o.silence_rate {
        let pi0 = o.silence_rate;
        let share = mentioning as f64 / n_emp as f64;
        let z = (share - pi0) / (pi0 * (1.0 - pi0) / n_emp as f64).sqrt();
        ("silent", norm_cdf(z))
    } else if n_e == 0 {
        notes.push("no employee mentions, yet too few employees to call the theme silent".to_string());
        ("undetermined", f64::NAN)
    } else {
        let t = binom_test(c.e_pos, n_e, 0.5, Alternative::TwoSided, 0.95).expect("valid counts");
        let state = if t.p_value < o.alpha {
            if 2 * c.e_pos > n_e { "proud" } else { "frustrated" }
        } else {
            "undetermined"
        };
        (state, t.p_value)
    };
    // A polarity read from fewer than `min_group_size` respondents would publish their answers:
    // such an axis is not classified (silence needs no valence, so it stays).
    let k = sizes.min_group;
    let (employee_axis, employee_p) = if employee_axis != "silent" && mentioning > 0 && mentioning < k {
        notes.push(format!("employee side suppressed: fewer than {k} employees mention the theme"));
        ("undetermined", f64::NAN)
    } else {
        (employee_axis, employee_p)
    };
    let n_resp = c.customers;
    let (customer_axis, customer_p) = if n_resp > 0 && n_resp < k {
        notes.push(format!("customer side suppressed: fewer than {k} customers mention the theme"));
        ("undetermined", f64::NAN)
    } else {
        (customer_axis, customer_p)
    };
    let p_value = if customer_p.is_nan() || employee_p.is_nan() { f64::NAN } else { customer_p.max(employee_p) };
    let min_text = sizes.min_text;
    ThemeRow {
        group: group.to_string(),
        theme: theme.to_string(),
        customer_mentions: n_c,
        customer_positive: c.c_pos,
        customer_negative: c.c_neg,
        customer_respondents: c.customers,
        customer_axis,
        customer_p,
        employee_mentions: n_e,
        employee_positive: c.e_pos,
        employee_negative: c.e_neg,
        employees_mentioning: mentioning,
        employees_total: n_emp,
        employee_share_upper: upper,
        employee_axis,
        employee_p,
        customer_positive_share_w,
        employee_positive_share_w,
        employee_share_w,
        p_value,
        q_value: f64::NAN,
        moment: if n_c < o.min_mentions { Moment::TOO_FEW_MENTIONS } else { Moment::UNDETERMINED },
        customer_example: c.c_example.clone().filter(|_| c.customers >= min_text),
        employee_example: c.e_example.clone().filter(|_| mentioning >= min_text),
        notes,
    }
}

/// Classifies every theme (per group), with q-values within each group.
pub fn theme_rows(study: &Study, o: &MomentOptions) -> Result<Vec<ThemeRow>> {
    o.check()?;
    rows_of(&index(study, o.by)?, o, Sizes::of(study))
}

/// The classified themes of indexed groups (with q-values within each group).
pub(crate) fn rows_of(idx: &Indexed, o: &MomentOptions, sizes: Sizes) -> Result<Vec<ThemeRow>> {
    let mut out = Vec::new();
    for (g, ((group, themes), &n_emp)) in idx.groups.iter().zip(&idx.per_group).zip(&idx.employees_total).enumerate() {
        if themes.is_empty() {
            continue;
        }
        let gw = GroupWeights { employees: idx.employees_wtotal.as_ref().map(|w| w[g]), customers: idx.customers_weighted };
        let mut rows: Vec<ThemeRow> =
            themes.iter().map(|(t, c)| classify_theme(group, t, c, n_emp, gw, o, sizes)).collect();
        let eligible: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].moment != "too_few_mentions" && rows[i].p_value.is_finite())
            .collect();
        let p: Vec<f64> = eligible.iter().map(|&i| rows[i].p_value).collect();
        let q = if p.is_empty() { Vec::new() } else { adjust_pvalues(&p, PAdjust::BH)? };
        for (&i, qv) in eligible.iter().zip(q) {
            rows[i].q_value = qv;
            if qv < o.alpha {
                rows[i].moment = cell(rows[i].customer_axis, rows[i].employee_axis);
            }
        }
        out.extend(rows);
    }
    Ok(out)
}

/// The mirror matrix: one row per theme (and group when `by = Study`).
pub fn moments(study: &Study, o: &MomentOptions) -> Result<DataFrame> {
    if !study.has_mentions() {
        return Err(no_mentions());
    }
    moments_table(study, o, &theme_rows(study, o)?)
}

/// The refusal of [`moments`] for a study without mentions.
pub(crate) fn no_mentions() -> MiroirError {
    MiroirError::InvalidArgument {
        argument: "study".into(),
        detail: "the study has no mentions table: moments need coded verbatim mentions".into(),
    }
}

/// The mirror matrix of classified theme rows (computed with the same options).
pub fn moments_table(study: &Study, o: &MomentOptions, rows: &[ThemeRow]) -> Result<DataFrame> {
    table_of(Sizes::of(study), o, rows)
}

/// [`moments_table`] with the study's thresholds.
pub(crate) fn table_of(sizes: Sizes, o: &MomentOptions, rows: &[ThemeRow]) -> Result<DataFrame> {
    let k = sizes.min_group;
    let c_sup = |r: &ThemeRow| r.customer_respondents > 0 && r.customer_respondents < k;
    let e_sup = |r: &ThemeRow| r.employees_mentioning > 0 && r.employees_mentioning < k;
    let share = |a: u64, b: u64| if b == 0 { None } else { Some(a as f64 / b as f64) };
    let mut t = TableBuilder::new();
    if o.by == By::Study {
        t = t.str("study", rows.iter().map(|r| &r.group));
    }
    t.str("theme", rows.iter().map(|r| &r.theme))
        .str("moment", rows.iter().map(|r| r.moment))
        .opt_str("action", rows.iter().map(|r| action(r.moment).map(str::to_string)))
        .f64("p_value", rows.iter().map(|r| r.p_value))
        .f64("q_value", rows.iter().map(|r| r.q_value))
        .opt_u64("customer_mentions", rows.iter().map(|r| (!c_sup(r)).then_some(r.customer_mentions)))
        .opt_u64("customer_positive", rows.iter().map(|r| (!c_sup(r)).then_some(r.customer_positive)))
        .opt_u64("customer_negative", rows.iter().map(|r| (!c_sup(r)).then_some(r.customer_negative)))
        .opt_f64(
            "customer_positive_share",
            rows.iter().map(|r| {
                if c_sup(r) { None } else { r.customer_positive_share_w.or_else(|| share(r.customer_positive, r.customer_mentions)) }
            }),
        )
        .str("customer_axis", rows.iter().map(|r| r.customer_axis))
        .f64("customer_p", rows.iter().map(|r| r.customer_p))
        .opt_u64("employee_mentions", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_mentions)))
        .opt_u64("employee_positive", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_positive)))
        .opt_u64("employee_negative", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_negative)))
        .opt_f64(
            "employee_positive_share",
            rows.iter().map(|r| {
                if e_sup(r) { None } else { r.employee_positive_share_w.or_else(|| share(r.employee_positive, r.employee_mentions)) }
            }),
        )
        .opt_u64("employees_mentioning", rows.iter().map(|r| (!e_sup(r)).then_some(r.employees_mentioning)))
        .opt_f64(
            "employee_share",
            rows.iter().map(|r| {
                if e_sup(r) { None } else { r.employee_share_w.or_else(|| share(r.employees_mentioning, r.employees_total)) }
            }),
        )
        .opt_f64("employee_share_upper", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_share_upper)))
        .str("employee_axis", rows.iter().map(|r| r.employee_axis))
        .f64("employee_p", rows.iter().map(|r| r.employee_p))
        .bool("customer_suppressed", rows.iter().map(c_sup))
        .bool("employee_suppressed", rows.iter().map(e_sup))
        .opt_str("customer_example", rows.iter().map(|r| r.customer_example.clone()))
        .opt_str("employee_example", rows.iter().map(|r| r.employee_example.clone()))
        .notes("note", rows.iter().map(|r| &r.notes))
        .build()
}
