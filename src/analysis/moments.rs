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

use super::frame::{floats, respondent_rows, strs, TableBuilder};
use super::linkage::By;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::dist::norm_cdf;
use crate::stats::multiple::{adjust_pvalues, PAdjust};
use crate::stats::proportions::{binom_test, proportion_ci, ProportionMethod};
use crate::stats::two_sample::{hedges_g, welch_t};
use crate::stats::{Alternative, TestResult};
use polars::prelude::DataFrame;
use std::collections::{BTreeMap, HashMap, HashSet};

pub const MOMENTS: [&str; 6] = ["win_win", "lucky_break", "pain", "wrong_fight", "blindness", "dead_end"];

/// The seed's action for each moment.
pub fn action(moment: &str) -> Option<&'static str> {
    Some(match moment {
        "win_win" => "deploy it: make this interaction the norm",
        "lucky_break" => "re-sensitise employees: they do not see that this enchants customers",
        "wrong_fight" => "re-sensitise employees: show them it irritates customers, redirect their energy",
        "blindness" => "re-sensitise employees: make them see this irritant",
        "pain" => "relieve employees first: the enchantment costs them too much",
        "dead_end" => "relieve employees first: give them a solution to offer",
        _ => return None,
    })
}

fn cell(customer: &str, employee: &str) -> &'static str {
    match (customer, employee) {
        ("enchanted", "proud") => "win_win",
        ("enchanted", "silent") => "lucky_break",
        ("enchanted", "frustrated") => "pain",
        ("irritated", "proud") => "wrong_fight",
        ("irritated", "silent") => "blindness",
        ("irritated", "frustrated") => "dead_end",
        _ => "undetermined",
    }
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
#[derive(Debug, Clone, Default)]
struct ThemeCounts {
    c_pos: u64,
    c_neg: u64,
    customers: HashSet<usize>,
    e_pos: u64,
    e_neg: u64,
    employees: HashSet<usize>,
    c_texts: BTreeMap<String, u64>,
    e_texts: BTreeMap<String, u64>,
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
    pub p_value: f64,
    pub q_value: f64,
    pub moment: &'static str,
    pub customer_example: Option<String>,
    pub employee_example: Option<String>,
    pub notes: Vec<String>,
}

fn most_common(texts: &BTreeMap<String, u64>) -> Option<String> {
    texts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(t, _)| t.clone())
}

/// Per group (a study, or `all`): the counts of every theme and the number of employees.
struct Indexed {
    groups: Vec<String>,
    per_group: BTreeMap<String, BTreeMap<String, ThemeCounts>>,
    employees_total: BTreeMap<String, u64>,
}

fn index(study: &Study, by: By) -> Result<Indexed> {
    let group_of = |s: &str| if by == By::Study { s.to_string() } else { "all".to_string() };
    let emp = study.employees();
    let cus = study.customers();
    let emp_row = respondent_rows(emp, "employee_id")?;
    let cus_row = respondent_rows(cus, "customer_id")?;
    let mut employees_total: BTreeMap<String, u64> = BTreeMap::new();
    for s in strs(emp, "study")? {
        *employees_total.entry(group_of(s)).or_default() += 1;
    }
    let mut per_group: BTreeMap<String, BTreeMap<String, ThemeCounts>> = BTreeMap::new();
    if let Some(m) = study.mentions() {
        let (st, side, resp, theme, val) = (
            strs(m, "study")?,
            strs(m, "side")?,
            strs(m, "respondent_id")?,
            strs(m, "theme")?,
            strs(m, "valence")?,
        );
        let text: Option<Vec<Option<&str>>> =
            m.column("text").ok().and_then(|c| c.str().ok().map(|ca| ca.iter().collect()));
        for i in 0..st.len() {
            let c = per_group.entry(group_of(st[i])).or_default().entry(theme[i].to_string()).or_default();
            let positive = val[i] == "positive";
            let t = text.as_ref().and_then(|t| t[i]).map(str::to_string);
            if side[i] == "customer" {
                if positive { c.c_pos += 1 } else { c.c_neg += 1 }
                if let Some(&r) = cus_row.get(&(st[i], resp[i])) {
                    c.customers.insert(r);
                }
                if let Some(t) = t {
                    *c.c_texts.entry(t).or_default() += 1;
                }
            } else {
                if positive { c.e_pos += 1 } else { c.e_neg += 1 }
                if let Some(&r) = emp_row.get(&(st[i], resp[i])) {
                    c.employees.insert(r);
                }
                if let Some(t) = t {
                    *c.e_texts.entry(t).or_default() += 1;
                }
            }
        }
    }
    let groups = employees_total.keys().cloned().collect();
    Ok(Indexed { groups, per_group, employees_total })
}

fn classify_theme(group: &str, theme: &str, c: &ThemeCounts, n_emp: u64, o: &MomentOptions, study: &Study) -> ThemeRow {
    let mut notes = Vec::new();
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
    let mentioning = c.employees.len() as u64;
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
    let k = study.schema().min_group_size() as u64;
    let (employee_axis, employee_p) = if employee_axis != "silent" && mentioning > 0 && mentioning < k {
        notes.push(format!("employee side suppressed: fewer than {k} employees mention the theme"));
        ("undetermined", f64::NAN)
    } else {
        (employee_axis, employee_p)
    };
    let n_resp = c.customers.len() as u64;
    let (customer_axis, customer_p) = if n_resp > 0 && n_resp < k {
        notes.push(format!("customer side suppressed: fewer than {k} customers mention the theme"));
        ("undetermined", f64::NAN)
    } else {
        (customer_axis, customer_p)
    };
    let p_value = if customer_p.is_nan() || employee_p.is_nan() { f64::NAN } else { customer_p.max(employee_p) };
    let min_text = study.schema().min_text_group_size() as u64;
    ThemeRow {
        group: group.to_string(),
        theme: theme.to_string(),
        customer_mentions: n_c,
        customer_positive: c.c_pos,
        customer_negative: c.c_neg,
        customer_respondents: c.customers.len() as u64,
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
        p_value,
        q_value: f64::NAN,
        moment: if n_c < o.min_mentions { "too_few_mentions" } else { "undetermined" },
        customer_example: (c.customers.len() as u64 >= min_text).then(|| most_common(&c.c_texts)).flatten(),
        employee_example: (mentioning >= min_text).then(|| most_common(&c.e_texts)).flatten(),
        notes,
    }
}

/// Classifies every theme (per group), with q-values within each group.
pub fn theme_rows(study: &Study, o: &MomentOptions) -> Result<Vec<ThemeRow>> {
    o.check()?;
    let idx = index(study, o.by)?;
    let mut out = Vec::new();
    for group in &idx.groups {
        let n_emp = idx.employees_total.get(group).copied().unwrap_or(0);
        let Some(themes) = idx.per_group.get(group) else { continue };
        let mut rows: Vec<ThemeRow> =
            themes.iter().map(|(t, c)| classify_theme(group, t, c, n_emp, o, study)).collect();
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
    if study.mentions().is_none() {
        return Err(MiroirError::InvalidArgument {
            argument: "study".into(),
            detail: "the study has no mentions table: moments need coded verbatim mentions".into(),
        });
    }
    let rows = theme_rows(study, o)?;
    let k = study.schema().min_group_size() as u64;
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
            rows.iter().map(|r| if c_sup(r) { None } else { share(r.customer_positive, r.customer_mentions) }),
        )
        .str("customer_axis", rows.iter().map(|r| r.customer_axis))
        .f64("customer_p", rows.iter().map(|r| r.customer_p))
        .opt_u64("employee_mentions", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_mentions)))
        .opt_u64("employee_positive", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_positive)))
        .opt_u64("employee_negative", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_negative)))
        .opt_f64(
            "employee_positive_share",
            rows.iter().map(|r| if e_sup(r) { None } else { share(r.employee_positive, r.employee_mentions) }),
        )
        .opt_u64("employees_mentioning", rows.iter().map(|r| (!e_sup(r)).then_some(r.employees_mentioning)))
        .opt_f64(
            "employee_share",
            rows.iter().map(|r| if e_sup(r) { None } else { share(r.employees_mentioning, r.employees_total) }),
        )
        .opt_f64("employee_share_upper", rows.iter().map(|r| (!e_sup(r)).then_some(r.employee_share_upper)))
        .str("employee_axis", rows.iter().map(|r| r.employee_axis))
        .f64("employee_p", rows.iter().map(|r| r.employee_p))
        .bool("customer_suppressed", rows.iter().map(c_sup))
        .bool("employee_suppressed", rows.iter().map(e_sup))
        .opt_str("customer_example", rows.iter().map(|r| r.customer_example.clone()))
        .opt_str("employee_example", rows.iter().map(|r| r.employee_example.clone()))
        .opt_str(
            "note",
            rows.iter().map(|r| if r.notes.is_empty() { None } else { Some(r.notes.join("; ")) }),
        )
        .build()
}

/// Per moment: satisfaction of customers who mention its themes against the others, and
/// engagement of employees likewise (Welch t of mentioning - not mentioning, Hedges' g), with
/// Benjamini-Hochberg q-values across all the tests. A row whose mentioning or other group has
/// fewer than `min_group_size` respondents (but at least one) is suppressed (statistics null):
/// either mean, with the study total, would give the other back.
pub fn moment_effects(study: &Study, o: &MomentOptions) -> Result<DataFrame> {
    if study.mentions().is_none() {
        return Err(MiroirError::InvalidArgument {
            argument: "study".into(),
            detail: "the study has no mentions table: moment effects need coded verbatim mentions".into(),
        });
    }
    let pooled = MomentOptions { by: By::Pooled, ..o.clone() };
    let rows = theme_rows(study, &pooled)?;
    let emp = study.employees();
    let cus = study.customers();
    let satisfaction = floats(cus, "satisfaction")?;
    let engagement = floats(emp, "engagement")?;
    let emp_row = respondent_rows(emp, "employee_id")?;
    let cus_row = respondent_rows(cus, "customer_id")?;
    let moment_of: HashMap<&str, &str> = rows.iter().map(|r| (r.theme.as_str(), r.moment)).collect();
    let mut c_in: BTreeMap<&str, HashSet<usize>> = BTreeMap::new();
    let mut e_in: BTreeMap<&str, HashSet<usize>> = BTreeMap::new();
    if let Some(m) = study.mentions() {
        let (st, side, resp, theme) = (strs(m, "study")?, strs(m, "side")?, strs(m, "respondent_id")?, strs(m, "theme")?);
        for i in 0..st.len() {
            let Some(&mo) = moment_of.get(theme[i]) else { continue };
            if side[i] == "customer" {
                if let Some(&r) = cus_row.get(&(st[i], resp[i])) {
                    c_in.entry(mo).or_default().insert(r);
                }
            } else if let Some(&r) = emp_row.get(&(st[i], resp[i])) {
                e_in.entry(mo).or_default().insert(r);
            }
        }
    }
    let k = study.schema().min_group_size();
    struct Effect {
        moment: &'static str,
        side: &'static str,
        n_themes: u64,
        n_in: u64,
        n_out: u64,
        welch: TestResult,
        g: TestResult,
        suppressed: bool,
    }
    let mut effects = Vec::new();
    for moment in MOMENTS {
        let n_themes = rows.iter().filter(|r| r.moment == moment).count() as u64;
        for (side, values, members) in [
            ("customer", &satisfaction, c_in.get(moment)),
            ("employee", &engagement, e_in.get(moment)),
        ] {
            let empty = HashSet::new();
            let members = members.unwrap_or(&empty);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for (i, v) in values.iter().enumerate() {
                if members.contains(&i) { a.push(*v) } else { b.push(*v) }
            }
            let suppressed = (!a.is_empty() && a.len() < k) || (!b.is_empty() && b.len() < k);
            let n = a.len() + b.len();
            let nan = |m: &str, e: String| TestResult::new(m, Alternative::TwoSided, n as u64).with_note(e);
            let (welch, g) = if suppressed {
                (nan("Welch t-test", format!("suppressed: a group has fewer than {k} respondents")), nan("Hedges' g", String::new()))
            } else if a.is_empty() {
                let why = if n_themes == 0 { format!("no theme classified as {moment}") } else { "no respondent mentions its themes".into() };
                (nan("Welch t-test", why), nan("Hedges' g", String::new()))
            } else {
                (
                    welch_t(&a, &b, Alternative::TwoSided, 0.95).unwrap_or_else(|e| nan("Welch t-test", e.to_string())),
                    hedges_g(&a, &b, 0.95).unwrap_or_else(|e| nan("Hedges' g", e.to_string())),
                )
            };
            effects.push(Effect { moment, side, n_themes, n_in: a.len() as u64, n_out: b.len() as u64, welch, g, suppressed });
        }
    }
    let finite: Vec<usize> = (0..effects.len()).filter(|&i| effects[i].welch.p_value.is_finite()).collect();
    let p: Vec<f64> = finite.iter().map(|&i| effects[i].welch.p_value).collect();
    let mut q = vec![f64::NAN; effects.len()];
    if !p.is_empty() {
        for (&i, v) in finite.iter().zip(adjust_pvalues(&p, PAdjust::BH)?) {
            q[i] = v;
        }
    }
    let hide = |e: &Effect, v: f64| if e.suppressed { None } else { Some(v) };
    TableBuilder::new()
        .str("moment", effects.iter().map(|e| e.moment))
        .str("side", effects.iter().map(|e| e.side))
        .str("outcome", effects.iter().map(|e| if e.side == "customer" { "satisfaction" } else { "engagement" }))
        .u64("n_themes", effects.iter().map(|e| e.n_themes))
        .u64("n_mentioning", effects.iter().map(|e| e.n_in))
        .u64("n_other", effects.iter().map(|e| e.n_out))
        .opt_f64("mean_mentioning", effects.iter().map(|e| hide(e, e.welch.get("mean_a").unwrap_or(f64::NAN))))
        .opt_f64("mean_other", effects.iter().map(|e| hide(e, e.welch.get("mean_b").unwrap_or(f64::NAN))))
        .opt_f64("estimate", effects.iter().map(|e| hide(e, e.welch.estimate)))
        .opt_f64("statistic", effects.iter().map(|e| hide(e, e.welch.statistic)))
        .opt_f64("df", effects.iter().map(|e| hide(e, e.welch.df)))
        .opt_f64("p_value", effects.iter().map(|e| hide(e, e.welch.p_value)))
        .opt_f64("ci_low", effects.iter().map(|e| hide(e, e.welch.ci_low)))
        .opt_f64("ci_high", effects.iter().map(|e| hide(e, e.welch.ci_high)))
        .opt_f64("hedges_g", effects.iter().map(|e| hide(e, e.g.estimate)))
        .opt_f64("q_value", effects.iter().zip(&q).map(|(e, q)| hide(e, *q)))
        .bool("suppressed", effects.iter().map(|e| e.suppressed))
        .opt_str("note", effects.iter().map(|e| e.welch.note.clone()))
        .build()
}
