//! The moments' effects: satisfaction (engagement) of the customers (employees) who mention a
//! moment's themes against the others, Welch t and Hedges' g, Benjamini–Hochberg q-values.

use super::{theme_rows, Moment, MomentOptions, ThemeRow};
use crate::analysis::exposure_gap::survey_welch;
use crate::analysis::frame::{customer_weights, employee_weights, floats, TableBuilder};
use crate::analysis::linkage::By;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::multiple::{adjust_pvalues, PAdjust};
use crate::stats::two_sample::{hedges_g, hedges_g_moments, masked_moments, welch_t, welch_t_moments};
use crate::stats::{Alternative, TestResult};
use polars::prelude::DataFrame;

/// Per moment: satisfaction of customers who mention its themes against the others, and
/// engagement of employees likewise (Welch t of mentioning - not mentioning, Hedges' g), with
/// Benjamini-Hochberg q-values across all the tests. A row whose mentioning or other group has
/// fewer than `min_group_size` respondents (but at least one) is suppressed (statistics null):
/// either mean, with the study total, would give the other back.
pub fn moment_effects(study: &Study, o: &MomentOptions) -> Result<DataFrame> {
    if !study.has_mentions() {
        return Err(MiroirError::InvalidArgument {
            argument: "study".into(),
            detail: "the study has no mentions table: moment effects need coded verbatim mentions".into(),
        });
    }
    let pooled = MomentOptions { by: By::Pooled, ..o.clone() };
    moment_effects_from(study, &theme_rows(study, &pooled)?)
}

/// [`moment_effects`] from the pooled theme rows (`theme_rows` with `by = Pooled`).
pub fn moment_effects_from(study: &Study, rows: &[ThemeRow]) -> Result<DataFrame> {
    let satisfaction = study.satisfaction();
    let engagement = floats(study.employee_columns(), "engagement")?;
    let cw = customer_weights(study, "moment effects")?;
    let cw = cw.as_deref();
    let ew = employee_weights(study, "moment effects")?;
    // A bit per moment for each respondent who mentions one of its themes.
    let (mut c_in, mut e_in) = (vec![0u8; satisfaction.len()], vec![0u8; engagement.len()]);
    if let Some(m) = study.index().mentions.as_ref() {
        let theme_bit: Vec<Option<usize>> = m
            .themes
            .iter()
            .map(|t| theme_bit(rows, t))
            .collect();
        for i in 0..m.theme.len() {
            let Some(bit) = theme_bit[m.theme[i] as usize] else { continue };
            let members = if m.customer[i] { &mut c_in } else { &mut e_in };
            members[m.respondent[i] as usize] |= 1 << bit;
        }
    }
    let k = study.schema().min_group_size();
    let mut effects = Vec::new();
    let c_moments = masked_moments(satisfaction, &c_in, Moment::ALL.len());
    let e_moments = masked_moments(&engagement, &e_in, Moment::ALL.len());
    for (bit, moment) in Moment::ALL.into_iter().map(Moment::key).enumerate() {
        let n_themes = n_themes(rows, moment);
        for (side, values, members, summary, weights) in [
            ("customer", satisfaction, &c_in, c_moments[bit], cw),
            ("employee", &engagement[..], &e_in, e_moments[bit], ew.as_deref()),
        ] {
            let (n_a, n_b) = summary.map_or((0, values.len()), |m| (m.na, m.nb));
            let suppressed = is_suppressed(k, n_a, n_b);
            let n = n_a + n_b;
            let nan = |m: &str, e: String| nan(m, n, e);
            let (welch, g) = if let Some(undefined) = undefined(moment, n_themes, k, n_a, n_b) {
                undefined
            } else if let Some(w) = weights {
                // weighted: statsmodels' weighted Welch; Hedges' g has no weighted version
                let (mut a, mut b, mut wa, mut wb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for ((v, &mask), &wi) in values.iter().zip(members.iter()).zip(w) {
                    if mask & (1 << bit) != 0 {
                        a.push(*v);
                        wa.push(wi);
                    } else {
                        b.push(*v);
                        wb.push(wi);
                    }
                }
                let mut welch = survey_welch(&a, &wa, &b, &wb, 0.95);
                welch.push_note(&weighted_note(side));
                (welch, hedges_g(&a, &b, 0.95).unwrap_or_else(|e| nan("Hedges' g", e.to_string())))
            } else if let Some(m) = summary.filter(|m| m.na >= 2 && m.nb >= 2) {
                // the usual case: both groups large, from the two-pass summaries
                (
                    welch_t_moments(&m, Alternative::TwoSided, 0.95).unwrap_or_else(|e| nan("Welch t-test", e.to_string())),
                    hedges_g_moments(&m, 0.95).unwrap_or_else(|e| nan("Hedges' g", e.to_string())),
                )
            } else {
                // a tiny group (k < 2): the tests on the samples, with their own messages
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for (v, &mask) in values.iter().zip(members.iter()) {
                    if mask & (1 << bit) != 0 { a.push(*v) } else { b.push(*v) }
                }
                (
                    welch_t(&a, &b, Alternative::TwoSided, 0.95).unwrap_or_else(|e| nan("Welch t-test", e.to_string())),
                    hedges_g(&a, &b, 0.95).unwrap_or_else(|e| nan("Hedges' g", e.to_string())),
                )
            };
            effects.push(Effect { moment, side, n_themes, n_in: n_a as u64, n_out: n_b as u64, welch, g, suppressed });
        }
    }
    effects_table(&effects)
}

/// One row of the effects table, before the q-values.
pub(crate) struct Effect {
    pub(crate) moment: &'static str,
    pub(crate) side: &'static str,
    pub(crate) n_themes: u64,
    pub(crate) n_in: u64,
    pub(crate) n_out: u64,
    pub(crate) welch: TestResult,
    pub(crate) g: TestResult,
    pub(crate) suppressed: bool,
}

/// The bit of the moment of `theme` among the classified `rows` (its position in
/// [`Moment::ALL`]), `None` for a theme in no moment.
pub(crate) fn theme_bit(rows: &[ThemeRow], theme: &str) -> Option<usize> {
    let moment_bit = |moment: &str| Moment::ALL.iter().position(|m| m.key() == moment);
    rows.iter().find(|r| r.theme == theme).and_then(|r| moment_bit(r.moment))
}

/// The number of themes classified as `moment`.
pub(crate) fn n_themes(rows: &[ThemeRow], moment: &str) -> u64 {
    rows.iter().filter(|r| r.moment == moment).count() as u64
}

/// Whether the mentioning (`n_a`) or the other group (`n_b`) has fewer than `k` respondents,
/// but at least one.
pub(crate) fn is_suppressed(k: usize, n_a: usize, n_b: usize) -> bool {
    (n_a > 0 && n_a < k) || (n_b > 0 && n_b < k)
}

/// An undefined result with its note.
pub(crate) fn nan(method: &str, n: usize, note: String) -> TestResult {
    TestResult::new(method, Alternative::TwoSided, n as u64).with_note(note)
}

/// The (Welch, Hedges' g) of a row that is not tested: suppressed, or nobody mentions the
/// moment's themes; `None` for a row to test.
pub(crate) fn undefined(moment: &str, n_themes: u64, k: usize, n_a: usize, n_b: usize) -> Option<(TestResult, TestResult)> {
    let n = n_a + n_b;
    if is_suppressed(k, n_a, n_b) {
        Some((nan("Welch t-test", n, format!("suppressed: a group has fewer than {k} respondents")), nan("Hedges' g", n, String::new())))
    } else if n_a == 0 {
        let why = if n_themes == 0 { format!("no theme classified as {moment}") } else { "no respondent mentions its themes".into() };
        Some((nan("Welch t-test", n, why), nan("Hedges' g", n, String::new())))
    } else {
        None
    }
}

/// The note of a weighted row's Welch test.
pub(crate) fn weighted_note(side: &str) -> String {
    format!("weighted by {side} weights (Welch t as statsmodels ttest_ind on the weights rescaled to mean 1); Hedges' g unweighted")
}

/// The effects table: Benjamini-Hochberg q-values across the rows with a finite p-value, the
/// statistics of suppressed rows hidden.
pub(crate) fn effects_table(effects: &[Effect]) -> Result<DataFrame> {
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

