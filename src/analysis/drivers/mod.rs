//! What drives engagement and satisfaction: standardised effects and relative importance of the
//! seeds' drivers (DESIGN.md, "The analyses", 6).
//!
//! Two levels:
//! - **employee** (outcome `engagement`): one row per employee with every driver answered;
//!   engagement on the drivers (and the `controls`), study fixed effects absorbed, standard
//!   errors clustered by unit;
//! - **unit** (outcomes `share_satisfied`, `mean_satisfaction`, or `engagement` averaged per
//!   unit): one row per linkable unit (both sides present, not suppressed: the units of the
//!   linkage), the unit means of the drivers against the unit's customer outcome, study fixed
//!   effects absorbed, heteroskedasticity-robust standard errors (CR1 with one cluster per unit).
//!
//! With study fixed effects every column is centred within its study (weighted when there are
//! weights), so effects and importances are *within-study* ones: `r2` is the within R², the share
//! of within-study variance the drivers explain (Frisch–Waugh–Lovell: the slopes are those of the
//! regression with study dummies; relaimpo's `always = <study dummies>` gives the same LMG shares
//! of the drivers' R², its LMG values being ours times `1 − R²(studies)`).
//!
//! - **Standardised coefficients** `β* = β·sd(x)/sd(y)`: the OLS slopes of the centred columns
//!   divided by their (weighted, within-study) standard deviations, CR1 standard errors with
//!   `G − 1` degrees of freedom (statsmodels `cov_type="cluster"`, `use_t=True`), and the raw
//!   slope `estimate` in outcome points per driver unit.
//! - **Relative importance**: LMG (Lindeman, Merenda & Gold 1980; the Shapley value of R², Budescu's
//!   general dominance) computed exactly from the (weighted) covariance matrix of the centred
//!   columns; `share = lmg / r2`. Controls are kept in every submodel (relaimpo's `always`).
//! - **Cluster bootstrap** of the shares: units resampled with replacement within each study
//!   (stratified: each study keeps its number of units); each resample's covariance comes from
//!   per-unit sums, so a resample costs O(units·p²) plus the 2^p subsets. Percentile intervals;
//!   `rank` is the driver's rank by LMG on the data (1 = most important) and `p_first` the share of
//!   resamples in which it ranks first. Resample `i` draws from ChaCha8 seeded with `seed` on
//!   stream `i`, collected in order: identical for any number of threads.
//!
//! Weights: with a `weight` column on the employees, employee rows (and the employee means of a
//! unit) are weighted (WLS, weighted centring and standard deviations; the CR1 sandwich of the
//! weighted scores, as statsmodels `WLS(..., weights).fit(cov_type="cluster")`). At the unit level
//! units count equally and the customer outcome is the unit's share or mean, weighted by the
//! customers' weights when they have some (a note says so).

pub(crate) mod design;
pub(crate) mod importance;

use super::frame::TableBuilder;
use super::linkage::from_str_by_name;
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::stats::regression::{ols_absorbed, OlsFit};
use crate::stats::resample::MAX_RESAMPLES;
use design::{centred, employee_design, unit_design, Design};
use importance::{importance, Importance};
use polars::prelude::*;

/// One of the seeds' drivers: its column, labels and the article it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Driver {
    pub column: &'static str,
    pub label_en: &'static str,
    pub label_fr: &'static str,
    /// The seed article (`../shared/seeds/`) that names this driver.
    pub seed: &'static str,
}

/// The seeds' drivers, in the data model's order (DESIGN.md, employees table).
pub const SEED_DRIVERS: [Driver; 4] = [
    Driver {
        column: "trained_customer",
        label_en: "Trained on what the customer evaluation grids check",
        label_fr: "Formé sur ce que vérifient les grilles d'évaluation client",
        seed: "000",
    },
    Driver {
        column: "tenure_months",
        label_en: "Tenure (months)",
        label_fr: "Ancienneté (mois)",
        seed: "002",
    },
    Driver {
        column: "informed",
        label_en: "Informed about company life",
        label_fr: "Informé de la vie de l'entreprise",
        seed: "003",
    },
    Driver {
        column: "manager_support",
        label_en: "Manager support (vision, example, means, authority)",
        label_fr: "Soutien du manager (vision, exemple, moyens, autorité)",
        seed: "004",
    },
];

/// The outcome whose drivers are sought (`engagement`, `share_satisfied`, `mean_satisfaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum DriverOutcome {
    Engagement,
    ShareSatisfied,
    MeanSatisfaction,
}

/// Employees or units as the observations (`employee`, `unit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum DriverLevel {
    Employee,
    Unit,
}

impl DriverOutcome {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl DriverLevel {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

from_str_by_name!(DriverOutcome, "outcome");

from_str_by_name!(DriverLevel, "level");

/// Options of [`drivers`].
#[derive(Debug, Clone, PartialEq)]
pub struct DriverOptions {
    pub outcome: DriverOutcome,
    /// Driver columns of the employees table; `None` = the seeds' drivers present in the data.
    pub drivers: Option<Vec<String>>,
    /// Columns kept in every model (e.g. `customer_facing`), not ranked.
    pub controls: Vec<String>,
    /// `None` = employee for engagement, unit for the customer outcomes.
    pub level: Option<DriverLevel>,
    pub adjust_for_study: bool,
    /// 0 = no bootstrap (no share intervals, ranks or `p_first`).
    pub n_resamples: usize,
    pub seed: u64,
    pub confidence: f64,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            outcome: DriverOutcome::Engagement,
            drivers: None,
            controls: Vec::new(),
            level: None,
            adjust_for_study: true,
            n_resamples: 1999,
            seed: 0,
            confidence: 0.95,
        }
    }
}

pub(crate) fn invalid(argument: &str, detail: String) -> MiroirError {
    MiroirError::InvalidArgument { argument: argument.into(), detail }
}

impl DriverOptions {
    /// The level, checked against the outcome.
    pub fn level(&self) -> Result<DriverLevel> {
        let level = self.level.unwrap_or(match self.outcome {
            DriverOutcome::Engagement => DriverLevel::Employee,
            _ => DriverLevel::Unit,
        });
        if level == DriverLevel::Employee && self.outcome != DriverOutcome::Engagement {
            return Err(invalid(
                "level",
                format!(
                    "'{}' is measured on customers, who are linked to units, not to employees: use level='unit'",
                    self.outcome.as_str()
                ),
            ));
        }
        Ok(level)
    }

    pub fn check(&self) -> Result<()> {
        self.level()?;
        if (self.n_resamples != 0 && self.n_resamples < 100) || self.n_resamples > MAX_RESAMPLES {
            return Err(invalid(
                "n_resamples",
                format!("must be 0 (no bootstrap) or between 100 and {MAX_RESAMPLES}, got {}", self.n_resamples),
            ));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(invalid("confidence", format!("must lie strictly between 0 and 1, got {}", self.confidence)));
        }
        Ok(())
    }
}

/// The seeds' drivers that the employees table has, with at least one answer.
pub fn available_drivers(study: &Study) -> Vec<String> {
    let df = study.employee_columns();
    SEED_DRIVERS
        .iter()
        .filter(|d| df.column(d.column).is_ok_and(|c| c.null_count() < c.len()))
        .map(|d| d.column.to_string())
        .collect()
}

/// The drivers to use: given, or the seeds' drivers present with at least one answer.
fn driver_names(study: &Study, o: &DriverOptions) -> Result<Vec<String>> {
    checked_names(match &o.drivers {
        Some(d) => d.clone(),
        None => available_drivers(study),
    }, o)
}

/// The drivers `names`, refused when there are none or when a driver or control is listed twice.
pub(crate) fn checked_names(names: Vec<String>, o: &DriverOptions) -> Result<Vec<String>> {
    if names.is_empty() {
        return Err(MiroirError::InsufficientData {
            detail: "drivers: no driver column in the employees table (the seeds' drivers are trained_customer, \
                     tenure_months, informed, manager_support; or pass drivers=[...])"
                .into(),
        });
    }
    let all: Vec<&String> = names.iter().chain(&o.controls).collect();
    if let Some((i, c)) = all.iter().enumerate().find(|(i, c)| all[..*i].contains(c)) {
        let first = all.iter().position(|x| x == c).unwrap_or(0);
        return Err(invalid(
            if i < names.len() { "drivers" } else { "controls" },
            format!("'{c}' is listed twice (positions {} and {} of drivers + controls)", first + 1, i + 1),
        ));
    }
    Ok(names)
}

/// The (weighted) standard deviations of the centred columns and the columns standardised and
/// multiplied by `√w` (the WLS design); a column that does not vary is refused.
fn standardised(d: &Design, cols: &[Vec<f64>], all: &[String], o: &DriverOptions) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
    let sw: f64 = d.w.iter().sum();
    let sd = |c: &[f64]| -> f64 { (c.iter().zip(&d.w).map(|(v, w)| w * v * v).sum::<f64>() / sw).sqrt() };
    let sds: Vec<f64> = cols.iter().map(|c| sd(c)).collect();
    let root: Vec<f64> = d.w.iter().map(|w| w.sqrt()).collect();
    let z: Vec<Vec<f64>> = cols
        .iter()
        .zip(&sds)
        .map(|(c, s)| c.iter().zip(&root).map(|(v, r)| r * v / s).collect())
        .collect();
    check_sds(&sds, all, o)?;
    Ok((sds, z))
}

/// Refuses a driver (or the outcome) whose standard deviation `sds[j]` (outcome first) is 0.
pub(crate) fn check_sds(sds: &[f64], all: &[String], o: &DriverOptions) -> Result<()> {
    if let Some(j) = (1..sds.len()).find(|&j| !(sds[j] > 0.0)) {
        return Err(MiroirError::Stats(crate::stats::StatsError::data(
            "x",
            format!(
                "driver '{}' does not vary{}: its effect is not identified",
                all[j - 1],
                if o.adjust_for_study { " within studies" } else { "" }
            ),
        )));
    }
    if !(sds[0] > 0.0) {
        return Err(MiroirError::Stats(crate::stats::StatsError::data(
            "y",
            format!("the outcome '{}' does not vary: nothing to explain", o.outcome.as_str()),
        )));
    }
    Ok(())
}

/// Refuses a model with no more observations than parameters.
pub(crate) fn check_size(n: usize, predictors: usize, absorbed: usize, level: DriverLevel) -> Result<()> {
    if n <= predictors + absorbed + 1 {
        return Err(MiroirError::InsufficientData {
            detail: format!(
                "drivers: {n} {}s for {predictors} predictors and {absorbed} study means: too few to fit",
                level.as_str(),
            ),
        });
    }
    Ok(())
}

/// The drivers table: one row per driver (see the module documentation).
///
/// Columns: `outcome, level, driver, label, label_fr, seed, n, n_units, n_studies, r2, estimate,
/// beta_std, std_error, statistic, df, p_value, ci_low, ci_high` (the last five for `beta_std`),
/// `lmg, share, share_ci_low, share_ci_high, rank, p_first, n_resamples, note`.
pub fn drivers(study: &Study, o: &DriverOptions) -> Result<DataFrame> {
    o.check()?;
    let level = o.level()?;
    let names = driver_names(study, o)?;
    let d = match level {
        DriverLevel::Employee => employee_design(study, &names, o)?,
        DriverLevel::Unit => unit_design(study, &names, o)?,
    };
    design_table(&d, &names, o, level)
}

/// The drivers table of the observations of a design.
pub(crate) fn design_table(d: &Design, names: &[String], o: &DriverOptions, level: DriverLevel) -> Result<DataFrame> {
    let (p, controls) = (names.len(), o.controls.len());
    let mut notes = d.notes.clone();
    let (cols, absorbed) = centred(d, o.adjust_for_study);
    let n = d.y.len();
    check_size(n, p + controls, absorbed, level)?;
    let all: Vec<String> = names.iter().chain(&o.controls).cloned().collect();
    let (sds, z) = standardised(d, &cols, &all, o)?;
    let design: Vec<(&str, &[f64])> = all.iter().map(String::as_str).zip(z[1..].iter().map(Vec::as_slice)).collect();
    let fit = ols_absorbed(&z[0], &design, absorbed, Some(&d.cluster), o.confidence)?;
    notes.extend(fit.note.clone());
    let importance = importance(d, &cols, p, controls, o, &mut notes)?;
    Fitted { level, n: n as u64, cluster_study: &d.cluster_study, sds, fit, importance, notes }.table(names, o)
}

/// A fitted drivers model, as the table reports it.
pub(crate) struct Fitted<'a> {
    pub level: DriverLevel,
    pub n: u64,
    /// The study of each resampling unit.
    pub cluster_study: &'a [u32],
    /// Standard deviations of the centred outcome then predictors.
    pub sds: Vec<f64>,
    /// The OLS fit of the standardised columns.
    pub fit: OlsFit,
    pub importance: Importance,
    pub notes: Vec<String>,
}

impl Fitted<'_> {
    /// The drivers table (see [`drivers`]).
    pub(crate) fn table(self, names: &[String], o: &DriverOptions) -> Result<DataFrame> {
        let Fitted { level, n, cluster_study, sds, fit, importance, notes } = self;
        let p = names.len();
        let Importance { lmg: l, r2, share, rank, ci_low, ci_high, p_first } = importance;
        let term = |j: usize| &fit.terms[j];
        let label = |c: &str, fr: bool| -> Option<String> {
            SEED_DRIVERS.iter().find(|d| d.column == c).map(|d| (if fr { d.label_fr } else { d.label_en }).to_string())
        };
        let seed_of = |c: &str| SEED_DRIVERS.iter().find(|d| d.column == c).map(|d| d.seed.to_string());
        let n_units = cluster_study.len() as u64;
        let n_studies = {
            let mut s: Vec<u32> = cluster_study.to_vec();
            s.sort_unstable();
            s.dedup();
            s.len() as u64
        };
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        TableBuilder::new()
            .str("outcome", vec![o.outcome.as_str(); p])
            .str("level", vec![level.as_str(); p])
            .str("driver", names)
            .opt_str("label", names.iter().map(|c| label(c, false)))
            .opt_str("label_fr", names.iter().map(|c| label(c, true)))
            .opt_str("seed", names.iter().map(|c| seed_of(c)))
            .u64("n", vec![n; p])
            .u64("n_units", vec![n_units; p])
            .u64("n_studies", vec![n_studies; p])
            .f64("r2", vec![r2; p])
            .f64("estimate", (0..p).map(|j| term(j).estimate * sds[0] / sds[j + 1]))
            .f64("beta_std", (0..p).map(|j| term(j).estimate))
            .f64("std_error", (0..p).map(|j| term(j).std_error))
            .f64("statistic", (0..p).map(|j| term(j).statistic))
            .f64("df", (0..p).map(|j| term(j).df))
            .f64("p_value", (0..p).map(|j| term(j).p_value))
            .f64("ci_low", (0..p).map(|j| term(j).ci_low))
            .f64("ci_high", (0..p).map(|j| term(j).ci_high))
            .f64("lmg", l)
            .f64("share", share)
            .f64("share_ci_low", ci_low)
            .f64("share_ci_high", ci_high)
            .u64("rank", rank)
            .f64("p_first", p_first)
            .u64("n_resamples", vec![o.n_resamples as u64; p])
            .opt_str("note", vec![note; p])
            .build()
    }
}

/// The report's drivers section: engagement at the employee level, then the share satisfied at
/// the unit level (`run` fits one of them), stacked (same columns). A part that cannot be fitted
/// (too few units, a driver that does not vary) is left out with a warning saying why, the rest
/// of the report stands; none when neither could.
pub fn report_section(
    o: &DriverOptions,
    warnings: &mut Vec<String>,
    mut run: impl FnMut(&DriverOptions) -> Result<DataFrame>,
) -> Result<Option<DataFrame>> {
    let parts = [(DriverOutcome::Engagement, DriverLevel::Employee), (DriverOutcome::ShareSatisfied, DriverLevel::Unit)];
    let mut out: Option<DataFrame> = None;
    for (outcome, level) in parts {
        let opts = DriverOptions { outcome, level: Some(level), ..o.clone() };
        match run(&opts) {
            Ok(t) => match out.as_mut() {
                Some(acc) => {
                    acc.vstack_mut(&t)?;
                }
                None => out = Some(t),
            },
            Err(e @ (MiroirError::InsufficientData { .. } | MiroirError::Stats(_))) => {
                if matches!(e, MiroirError::Stats(crate::stats::StatsError::Interrupted)) {
                    return Err(e);
                }
                warnings.push(format!("drivers of {} left out of the report: {e}", outcome.as_str()));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
