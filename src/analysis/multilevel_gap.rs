//! Engagement gap by exposure to customers in a multilevel model: employees within units.
//!
//! Per study: `engagement ~ customer_facing` with a random intercept per unit; pooled:
//! `engagement ~ customer_facing + study dummies` (fixed, the first study the reference) with a
//! random intercept per unit (units are distinct across studies: a unit is a (study, unit)
//! pair). Fitted by REML with [`random_intercept`] (statsmodels `MixedLM(...).fit(reml=True)`,
//! nlme `lme(engagement ~ customer_facing, random = ~1|unit)`); standard errors model-based
//! (`σ̂²(Σ X_j'V̂_j⁻¹X_j)⁻¹`, nlme's and lme4's), z test and normal interval.
//!
//! `gap` = minus the customer_facing coefficient, the sign of [`super::exposure_gap`]'s gap:
//! positive when customer-facing staff are less engaged than the others of their unit.
//! `icc` = `τ̂²/(τ̂² + σ̂²)` of the model's residual structure (the share of the variance left
//! after customer_facing that lies between units). `ols_gap` is exposure_gap's fixed-effects
//! answer for the same row: on a study row the difference of means `mean(other) −
//! mean(customer-facing)` (the OLS coefficient with an intercept), on the pooled row its
//! `adjusted_gap` (OLS with study fixed effects, no covariates).
//!
//! Confidentiality: a study row is suppressed exactly when exposure_gap suppresses it (a segment
//! of fewer than `min_group_size` employees, or the complementary study that protects it): its
//! counts stay, its statistics are null and it is not fitted.

use super::exposure_gap::{gap_rows, GapOptions};
use super::frame::{bools, floats, TableBuilder};
use super::linkage::By;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::mixed::{random_intercept, MixedFit, MixedMethod, MixedSe};
use polars::prelude::{Column, DataFrame};

/// Options of [`multilevel_gap`], checked by [`MultilevelGapOptions::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct MultilevelGapOptions {
    pub by: By,
    pub confidence: f64,
}

impl Default for MultilevelGapOptions {
    /// The pooled row only (Python's `by=None`).
    fn default() -> Self {
        MultilevelGapOptions { by: By::Pooled, confidence: 0.95 }
    }
}

impl MultilevelGapOptions {
    pub fn check(&self) -> Result<()> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(MiroirError::InvalidArgument {
                argument: "confidence".into(),
                detail: format!("must lie strictly between 0 and 1, got {}", self.confidence),
            });
        }
        Ok(())
    }
}

/// The customer_facing term of a fit, sign flipped to a gap.
#[derive(Debug, Clone)]
pub struct GapFit {
    pub gap: f64,
    pub std_error: f64,
    pub statistic: f64,
    pub p_value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub icc: f64,
    pub group_var: f64,
    pub resid_var: f64,
    pub converged: bool,
}

/// One row of the multilevel-gap table.
#[derive(Debug, Clone)]
pub struct MultilevelGapRow {
    pub level: &'static str,
    pub study: String,
    pub n_employees: u64,
    pub n_units: u64,
    /// `None` when not fitted (suppressed, undefined, or the fit failed: see `notes`).
    pub fit: Option<GapFit>,
    pub ols_gap: Option<f64>,
    pub suppressed: bool,
    pub notes: Vec<String>,
}

fn gap_fit(fit: &MixedFit) -> Result<GapFit> {
    let t = fit
        .terms
        .iter()
        .find(|t| t.term == "customer_facing")
        .ok_or_else(|| MiroirError::Polars("customer_facing term missing from the fit".into()))?;
    Ok(GapFit {
        gap: -t.estimate,
        std_error: t.std_error,
        statistic: -t.statistic,
        p_value: t.p_value,
        ci_low: -t.ci_high,
        ci_high: -t.ci_low,
        icc: fit.icc,
        group_var: fit.group_var,
        resid_var: fit.resid_var,
        converged: fit.converged,
    })
}

/// Fits `engagement ~ customer_facing [+ study dummies] + (1 | unit)` on the employees `rows`.
fn fit_rows(
    rows: &[usize],
    y: &[f64],
    cf: &[f64],
    unit: &[u32],
    study: &[u32],
    confidence: f64,
) -> (Option<GapFit>, Vec<String>) {
    let yv: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
    let cfv: Vec<f64> = rows.iter().map(|&i| cf[i]).collect();
    let groups: Vec<usize> = rows.iter().map(|&i| unit[i] as usize).collect();
    // study dummies, the first study present the reference
    let mut codes: Vec<u32> = rows.iter().map(|&i| study[i]).collect();
    codes.sort_unstable();
    codes.dedup();
    let dummies: Vec<(String, Vec<f64>)> = codes
        .iter()
        .skip(1)
        .map(|&c| (format!("study_{c}"), rows.iter().map(|&i| f64::from(u8::from(study[i] == c))).collect()))
        .collect();
    let mut x: Vec<(&str, &[f64])> = vec![("customer_facing", &cfv)];
    x.extend(dummies.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
    match random_intercept(&yv, &x, true, &groups, confidence, MixedMethod::Reml, MixedSe::Model) {
        Ok(fit) => match gap_fit(&fit) {
            Ok(g) => (Some(g), fit.note.iter().map(|n| format!("multilevel model: {n}")).collect()),
            Err(e) => (None, vec![format!("multilevel model: {e}")]),
        },
        Err(e) => (None, vec![format!("multilevel model: {e}")]),
    }
}

/// Rows per study (when `by = Study`) and the pooled row.
pub fn multilevel_gap_rows(study: &Study, o: &MultilevelGapOptions) -> Result<Vec<MultilevelGapRow>> {
    o.check()?;
    // exposure_gap's rows: the same studies, the same suppression, and the OLS gaps
    let gaps = gap_rows(study, &GapOptions { by: By::Study, covariates: Vec::new(), confidence: o.confidence })?;
    let (pooled_gap, study_gaps) = gaps.split_last().expect("exposure_gap gives a pooled row");
    let df = study.employee_columns();
    let ix = study.index();
    let y = floats(df, "engagement")?;
    let cf: Vec<f64> = bools(df, "customer_facing")?.iter().map(|b| f64::from(u8::from(b.unwrap_or(false)))).collect();
    let (st, un) = (&ix.emp_study, &ix.emp_unit);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ix.studies.len()];
    for (i, &s) in st.iter().enumerate() {
        members[s as usize].push(i);
    }
    let n_units = |rows: &[usize]| -> u64 {
        let mut u: Vec<u32> = rows.iter().map(|&i| un[i]).collect();
        u.sort_unstable();
        u.dedup();
        u.len() as u64
    };
    let weighted = df.get_column_index("weight").is_some();
    let row_of = |level: &'static str, name: &str, rows: &[usize], g: &super::exposure_gap::GapRow, ols: Option<f64>| {
        let mut notes = Vec::new();
        if weighted && !g.suppressed {
            notes.push(
                "unweighted: the random-intercept model does not use the employee weights (no standard weighted REML); \
                 ols_gap beside it is the weighted gap of exposure_gap"
                    .to_string(),
            );
        }
        let fit = if g.suppressed {
            notes.extend(g.notes.iter().filter(|n| n.starts_with("suppressed")).cloned());
            None
        } else if g.n_facing == 0 || g.n_other == 0 {
            notes.extend(g.notes.iter().filter(|n| n.starts_with("no ")).cloned());
            None
        } else {
            let (fit, n) = fit_rows(rows, &y, &cf, un, st, o.confidence);
            notes.extend(n);
            fit
        };
        MultilevelGapRow {
            level,
            study: name.to_string(),
            n_employees: rows.len() as u64,
            n_units: n_units(rows),
            fit,
            ols_gap: if g.suppressed { None } else { ols },
            suppressed: g.suppressed,
            notes,
        }
    };
    let mut out = Vec::new();
    if o.by == By::Study {
        for g in study_gaps {
            let code = ix.studies.iter().position(|s| *s == g.study).expect("exposure_gap studies are index studies");
            out.push(row_of("study", &g.study, &members[code], g, Some(g.welch.estimate)));
        }
    }
    let all: Vec<usize> = (0..y.len()).collect();
    let mut pooled = row_of("pooled", "all", &all, pooled_gap, pooled_gap.adjusted.as_ref().map(|a| a.estimate));
    if pooled_gap.adjusted.is_none() && !pooled_gap.suppressed {
        pooled.notes.extend(pooled_gap.notes.iter().filter(|n| n.starts_with("adjusted gap")).cloned());
    }
    out.push(pooled);
    Ok(out)
}

/// The multilevel exposure-gap table (see the module doc).
pub fn multilevel_gap(study: &Study, o: &MultilevelGapOptions) -> Result<DataFrame> {
    multilevel_gap_table(&multilevel_gap_rows(study, o)?)
}

/// The multilevel exposure-gap table of computed rows: statistics null when suppressed, NaN
/// (with the note) when undefined or when the fit failed; `converged` null when not fitted.
pub fn multilevel_gap_table(rows: &[MultilevelGapRow]) -> Result<DataFrame> {
    let f = |g: &dyn Fn(&GapFit) -> f64| {
        rows.iter()
            .map(|r| match &r.fit {
                Some(fit) => Some(g(fit)),
                None => (!r.suppressed).then_some(f64::NAN),
            })
            .collect::<Vec<Option<f64>>>()
    };
    let mut df = TableBuilder::new()
        .str("level", rows.iter().map(|r| r.level))
        .str("study", rows.iter().map(|r| &r.study))
        .u64("n_employees", rows.iter().map(|r| r.n_employees))
        .u64("n_units", rows.iter().map(|r| r.n_units))
        .opt_f64("gap", f(&|g| g.gap))
        .opt_f64("std_error", f(&|g| g.std_error))
        .opt_f64("statistic", f(&|g| g.statistic))
        .opt_f64("p_value", f(&|g| g.p_value))
        .opt_f64("ci_low", f(&|g| g.ci_low))
        .opt_f64("ci_high", f(&|g| g.ci_high))
        .opt_f64("icc", f(&|g| g.icc))
        .opt_f64("group_var", f(&|g| g.group_var))
        .opt_f64("resid_var", f(&|g| g.resid_var))
        .opt_f64("ols_gap", rows.iter().map(|r| r.ols_gap))
        .build()?;
    let converged: Vec<Option<bool>> = rows.iter().map(|r| r.fit.as_ref().map(|g| g.converged)).collect();
    df.with_column(Column::new("converged".into(), converged))?;
    df.with_column(Column::new("suppressed".into(), rows.iter().map(|r| r.suppressed).collect::<Vec<bool>>()))?;
    let notes: Vec<Option<String>> = rows.iter().map(|r| super::frame::joined(&r.notes)).collect();
    df.with_column(Column::new("note".into(), notes))?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{model::SynthConfig, synthetic_study};

    #[test]
    fn rows_per_study_then_pooled_next_to_exposure_gap() {
        let study = synthetic_study(&SynthConfig { studies: 3, employees: 900, customers: 3000, seed: 4, wave: 0 }).unwrap();
        let rows = multilevel_gap_rows(&study, &MultilevelGapOptions { by: By::Study, confidence: 0.95 }).unwrap();
        let gaps = gap_rows(&study, &GapOptions::default()).unwrap();
        assert_eq!(rows.len(), gaps.len());
        for (r, g) in rows.iter().zip(&gaps) {
            assert_eq!((r.level, &r.study, r.suppressed), (g.level, &g.study, g.suppressed));
            assert_eq!(r.n_employees, g.n_facing + g.n_other);
            let fit = r.fit.as_ref().expect("fitted");
            assert!(fit.converged && fit.std_error > 0.0 && fit.icc > 0.0 && fit.icc < 1.0);
            assert!(fit.ci_low < fit.gap && fit.gap < fit.ci_high);
            // the random intercept moves the estimate, but not far from the fixed-effects one
            let ols = r.ols_gap.unwrap();
            assert!((fit.gap - ols).abs() < 3.0 * fit.std_error, "{} vs {ols}", fit.gap);
        }
        assert_eq!(rows.last().unwrap().ols_gap, gaps.last().unwrap().adjusted.as_ref().map(|a| a.estimate));
        let pooled = multilevel_gap_rows(&study, &MultilevelGapOptions::default()).unwrap();
        assert_eq!(pooled.len(), 1);
        assert_eq!(pooled[0].fit.as_ref().unwrap().gap, rows.last().unwrap().fit.as_ref().unwrap().gap);
        assert_eq!(multilevel_gap_table(&rows).unwrap().width(), 17);
        assert!(MultilevelGapOptions { by: By::Study, confidence: 1.0 }.check().is_err());
    }
}
