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

use super::frame::{employee_weights, floats, TableBuilder};
use super::units::{units, Unit};
use crate::data::Study;
use crate::error::{MiroirError, Result};
use crate::interrupt::checkpoint;
use crate::stats::regression::ols_absorbed;
use crate::stats::relimp;
use crate::stats::resample::{below, stream, MAX_RESAMPLES};
use polars::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::str::FromStr;

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

/// The outcome whose drivers are sought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverOutcome {
    Engagement,
    ShareSatisfied,
    MeanSatisfaction,
}

impl DriverOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Engagement => "engagement",
            Self::ShareSatisfied => "share_satisfied",
            Self::MeanSatisfaction => "mean_satisfaction",
        }
    }
}

impl FromStr for DriverOutcome {
    type Err = MiroirError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "engagement" => Ok(Self::Engagement),
            "share_satisfied" => Ok(Self::ShareSatisfied),
            "mean_satisfaction" => Ok(Self::MeanSatisfaction),
            other => Err(invalid(
                "outcome",
                format!("expected 'engagement', 'share_satisfied' or 'mean_satisfaction', got '{other}'"),
            )),
        }
    }
}

/// Employees or units as the observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverLevel {
    Employee,
    Unit,
}

impl DriverLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employee => "employee",
            Self::Unit => "unit",
        }
    }
}

impl FromStr for DriverLevel {
    type Err = MiroirError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "employee" => Ok(Self::Employee),
            "unit" => Ok(Self::Unit),
            other => Err(invalid("level", format!("expected 'employee' or 'unit', got '{other}'"))),
        }
    }
}

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

fn invalid(argument: &str, detail: String) -> MiroirError {
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

/// The observations of one drivers model: outcome, predictors (drivers then controls), weights,
/// study and resampling-unit codes (rows of a unit are contiguous within nothing in particular).
struct Design {
    y: Vec<f64>,
    /// One column per predictor, drivers first.
    x: Vec<Vec<f64>>,
    w: Vec<f64>,
    study: Vec<u32>,
    /// Resampling unit (the unit) of each row, 0..units.
    cluster: Vec<usize>,
    /// Study of each resampling unit.
    cluster_study: Vec<u32>,
    n_studies: usize,
    notes: Vec<String>,
}

const BANNED: [&str; 4] = ["study", "unit", "employee_id", "engagement"];

/// A driver or control column of the employees table as f64 (booleans as 0/1, nulls as NaN).
fn employee_column(df: &DataFrame, name: &str, argument: &str) -> Result<Vec<f64>> {
    if BANNED.contains(&name) {
        return Err(invalid(
            argument,
            format!("'{name}' cannot be a driver or a control (the outcome, an identifier or the study's own effect)"),
        ));
    }
    let col = df
        .column(name)
        .map_err(|_| invalid(argument, format!("'{name}' is not a column of the employees table")))?;
    let dt = col.dtype();
    if !(dt.is_primitive_numeric() || dt.is_bool() || dt == &DataType::Null) {
        return Err(invalid(argument, format!("'{name}' is {dt}; drivers must be numbers or yes/no columns")));
    }
    floats(df, name)
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
    let names: Vec<String> = match &o.drivers {
        Some(d) => d.clone(),
        None => available_drivers(study),
    };
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

/// Rows with every driver and control answered; a column missing for most employees is refused.
fn answered_rows(cols: &[Vec<f64>], names: &[&String], n: usize) -> Result<(Vec<usize>, Vec<String>)> {
    for (c, name) in cols.iter().zip(names) {
        let missing = c.iter().filter(|v| !v.is_finite()).count();
        if 2 * missing > n {
            return Err(MiroirError::InsufficientData {
                detail: format!(
                    "drivers: '{name}' is missing for {missing} of {n} employees; drop it from drivers= or fill it in"
                ),
            });
        }
    }
    let keep: Vec<usize> = (0..n).filter(|&i| cols.iter().all(|c| c[i].is_finite())).collect();
    let mut notes = Vec::new();
    if keep.len() < n {
        notes.push(format!("{} employees without every driver answered were left out", n - keep.len()));
    }
    Ok((keep, notes))
}

fn employee_design(study: &Study, names: &[String], o: &DriverOptions) -> Result<Design> {
    let df = study.employee_columns();
    let ix = study.index();
    let all: Vec<&String> = names.iter().chain(&o.controls).collect();
    let cols: Vec<Vec<f64>> = all
        .iter()
        .enumerate()
        .map(|(i, c)| employee_column(df, c, if i < names.len() { "drivers" } else { "controls" }))
        .collect::<Result<_>>()?;
    let (keep, notes) = answered_rows(&cols, &all, df.height())?;
    let y = floats(df, "engagement")?;
    let w = employee_weights(study, "drivers")?;
    // resampling units: the employees' units, in code order
    let mut code = vec![usize::MAX; ix.units.len()];
    let mut cluster_study = Vec::new();
    let cluster: Vec<usize> = keep
        .iter()
        .map(|&i| {
            let u = ix.emp_unit[i] as usize;
            if code[u] == usize::MAX {
                code[u] = cluster_study.len();
                cluster_study.push(ix.emp_study[i]);
            }
            code[u]
        })
        .collect();
    Ok(Design {
        y: keep.iter().map(|&i| y[i]).collect(),
        x: cols.iter().map(|c| keep.iter().map(|&i| c[i]).collect()).collect(),
        w: keep.iter().map(|&i| w.as_ref().map_or(1.0, |w| w[i])).collect(),
        study: keep.iter().map(|&i| ix.emp_study[i]).collect(),
        cluster,
        cluster_study,
        n_studies: ix.studies.len(),
        notes,
    })
}

fn unit_design(study: &Study, names: &[String], o: &DriverOptions) -> Result<Design> {
    let df = study.employee_columns();
    let ix = study.index();
    let all: Vec<&String> = names.iter().chain(&o.controls).collect();
    let cols: Vec<Vec<f64>> = all
        .iter()
        .enumerate()
        .map(|(i, c)| employee_column(df, c, if i < names.len() { "drivers" } else { "controls" }))
        .collect::<Result<_>>()?;
    let (keep, mut notes) = answered_rows(&cols, &all, df.height())?;
    let w = employee_weights(study, "drivers")?;
    let engagement = floats(df, "engagement")?;
    // (weighted) unit means of the drivers and of engagement over the answered employees
    let k = ix.units.len();
    let p = cols.len();
    let mut sw = vec![0.0; k];
    let mut sums = vec![0.0; k * (p + 1)];
    for &i in &keep {
        let u = ix.emp_unit[i] as usize;
        let wi = w.as_ref().map_or(1.0, |w| w[i]);
        sw[u] += wi;
        for (j, c) in cols.iter().enumerate() {
            sums[u * (p + 1) + j] += wi * c[i];
        }
        sums[u * (p + 1) + p] += wi * engagement[i];
    }
    // the linkage's units, in the order of `units()` (study, unit); their codes by key
    let unit_rows = units(study)?;
    let mut code_of: std::collections::HashMap<(&str, &str), usize> = Default::default();
    for (c, key) in ix.units.iter().enumerate() {
        code_of.insert((ix.studies[key.study as usize].as_str(), key.name.as_str()), c);
    }
    let linkable: Vec<&Unit> = unit_rows.iter().filter(|u| u.is_linkable()).collect();
    let mut d = Design {
        y: Vec::new(),
        x: vec![Vec::new(); p],
        w: Vec::new(),
        study: Vec::new(),
        cluster: Vec::new(),
        cluster_study: Vec::new(),
        n_studies: ix.studies.len(),
        notes: Vec::new(),
    };
    let mut without = 0usize;
    for u in &linkable {
        let c = code_of[&(u.study.as_str(), u.unit.as_str())];
        if sw[c] <= 0.0 {
            without += 1;
            continue;
        }
        let st = ix.units[c].study;
        for j in 0..p {
            d.x[j].push(sums[c * (p + 1) + j] / sw[c]);
        }
        d.y.push(match o.outcome {
            DriverOutcome::Engagement => sums[c * (p + 1) + p] / sw[c],
            DriverOutcome::ShareSatisfied => u.share_satisfied(),
            DriverOutcome::MeanSatisfaction => u.mean_satisfaction,
        });
        d.w.push(1.0);
        d.study.push(st);
        d.cluster.push(d.cluster_study.len());
        d.cluster_study.push(st);
    }
    let excluded = unit_rows.len() - linkable.len();
    if excluded > 0 {
        notes.push(format!(
            "{excluded} units left out (a side without respondents, or suppressed for confidentiality)"
        ));
    }
    if without > 0 {
        notes.push(format!("{without} linkable units without an employee answering every driver were left out"));
    }
    if o.outcome != DriverOutcome::Engagement && study.customer_weights().is_some() {
        notes.push("unit customer outcomes are weighted by the customers' weights (units count equally)".into());
    }
    d.notes = notes;
    Ok(d)
}

/// Per-study weighted centring of every column of a design (or overall when `by_study` is false);
/// returns the centred columns (outcome first) and the number of absorbed means.
fn centred(d: &Design, by_study: bool) -> (Vec<Vec<f64>>, usize) {
    let g = if by_study { d.n_studies } else { 1 };
    let group = |i: usize| if by_study { d.study[i] as usize } else { 0 };
    let mut sw = vec![0.0; g];
    for (i, &w) in d.w.iter().enumerate() {
        sw[group(i)] += w;
    }
    let centre = |v: &[f64]| -> Vec<f64> {
        let mut s = vec![0.0; g];
        for (i, x) in v.iter().enumerate() {
            s[group(i)] += d.w[i] * x;
        }
        let m: Vec<f64> = s.iter().zip(&sw).map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 }).collect();
        v.iter().enumerate().map(|(i, x)| x - m[group(i)]).collect()
    };
    let mut out = vec![centre(&d.y)];
    out.extend(d.x.iter().map(|c| centre(c)));
    (out, sw.iter().filter(|w| **w > 0.0).count())
}

/// Per-cluster sufficient statistics of `(y, x)`: `Σw`, `Σw·v`, `Σw·v v'` (upper triangle
/// packed as a full (p+1)² block for simplicity).
struct ClusterSums {
    m: usize,
    w: Vec<f64>,
    s: Vec<f64>,
    ss: Vec<f64>,
}

fn cluster_sums(d: &Design) -> ClusterSums {
    let m = d.x.len() + 1;
    let k = d.cluster_study.len();
    let (mut w, mut s, mut ss) = (vec![0.0; k], vec![0.0; k * m], vec![0.0; k * m * m]);
    let mut v = vec![0.0; m];
    for i in 0..d.y.len() {
        let c = d.cluster[i];
        v[0] = d.y[i];
        for (j, col) in d.x.iter().enumerate() {
            v[j + 1] = col[i];
        }
        let wi = d.w[i];
        w[c] += wi;
        for a in 0..m {
            s[c * m + a] += wi * v[a];
            for b in a..m {
                ss[(c * m + a) * m + b] += wi * v[a] * v[b];
            }
        }
    }
    ClusterSums { m, w, s, ss }
}

/// The scatter matrix (row-major `m × m`) of a multiset of clusters, centred within strata
/// (`strata[c]` of each cluster) when `by_study`, else overall.
fn scatter(cs: &ClusterSums, draw: &[usize], strata: &[u32], n_strata: usize, by_study: bool) -> Vec<f64> {
    let m = cs.m;
    let g = if by_study { n_strata } else { 1 };
    let (mut w, mut s) = (vec![0.0; g], vec![0.0; g * m]);
    let mut out = vec![0.0; m * m];
    for &c in draw {
        let gi = if by_study { strata[c] as usize } else { 0 };
        w[gi] += cs.w[c];
        for a in 0..m {
            s[gi * m + a] += cs.s[c * m + a];
            for b in a..m {
                out[a * m + b] += cs.ss[(c * m + a) * m + b];
            }
        }
    }
    for gi in 0..g {
        if w[gi] <= 0.0 {
            continue;
        }
        for a in 0..m {
            for b in a..m {
                out[a * m + b] -= s[gi * m + a] * s[gi * m + b] / w[gi];
            }
        }
    }
    for a in 0..m {
        for b in 0..a {
            out[a * m + b] = out[b * m + a];
        }
    }
    out
}

/// LMG of the first `p` predictors of a scatter matrix (outcome first), with the `controls`
/// after them kept in every submodel; also the R² of the full model.
fn lmg(scatter: &[f64], p: usize, controls: usize) -> crate::stats::StatsResult<(Vec<f64>, f64)> {
    let m = p + controls + 1;
    let always: Vec<usize> = (p..p + controls).collect();
    let fit = relimp::lmg_from_covariance(scatter, m, &always)?;
    Ok((fit.lmg[..p].to_vec(), fit.r2))
}

/// Ranks 1..p by decreasing value (ties by position).
fn ranks(v: &[f64]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[b].total_cmp(&v[a]).then(a.cmp(&b)));
    let mut r = vec![0u64; v.len()];
    for (k, &i) in order.iter().enumerate() {
        r[i] = k as u64 + 1;
    }
    r
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // type 7 (numpy's default linear interpolation)
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Stratified cluster bootstrap of the LMG shares: per driver the sorted shares of the valid
/// resamples, how often it ranked first, and how many resamples were skipped.
fn bootstrap_shares(d: &Design, p: usize, controls: usize, o: &DriverOptions) -> Result<(Vec<Vec<f64>>, Vec<u64>, usize)> {
    let cs = cluster_sums(d);
    let g = d.n_studies;
    let mut strata: Vec<Vec<usize>> = vec![Vec::new(); if o.adjust_for_study { g } else { 1 }];
    for (c, &s) in d.cluster_study.iter().enumerate() {
        strata[if o.adjust_for_study { s as usize } else { 0 }].push(c);
    }
    let base = ChaCha8Rng::seed_from_u64(o.seed);
    let cp = checkpoint();
    let reps: Vec<Option<Vec<f64>>> = (0..o.n_resamples)
        .into_par_iter()
        .map_init(Vec::new, |draw: &mut Vec<usize>, i| {
            if cp.is_cancelled() {
                return None;
            }
            let mut rng = stream(&base, i as u64);
            draw.clear();
            for st in &strata {
                for _ in 0..st.len() {
                    draw.push(st[below(&mut rng, st.len() as u64) as usize]);
                }
            }
            let sc = scatter(&cs, draw, &d.cluster_study, g, o.adjust_for_study);
            let (l, r2) = lmg(&sc, p, controls).ok()?;
            (r2 > 0.0 && l.iter().all(|v| v.is_finite())).then(|| {
                let total: f64 = l.iter().sum();
                l.iter().map(|v| v / total).collect()
            })
        })
        .collect();
    cp.check().map_err(|_| MiroirError::Stats(crate::stats::StatsError::Interrupted))?;
    let mut shares = vec![Vec::with_capacity(reps.len()); p];
    let mut first = vec![0u64; p];
    let mut skipped = 0;
    for r in &reps {
        match r {
            Some(s) => {
                let top = ranks(s).iter().position(|&k| k == 1).unwrap_or(0);
                first[top] += 1;
                for j in 0..p {
                    shares[j].push(s[j]);
                }
            }
            None => skipped += 1,
        }
    }
    for s in &mut shares {
        s.sort_by(f64::total_cmp);
    }
    Ok((shares, first, skipped))
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
    let (p, controls) = (names.len(), o.controls.len());
    let mut notes = d.notes.clone();
    let (cols, absorbed) = centred(&d, o.adjust_for_study);
    let n = d.y.len();
    if n <= p + controls + absorbed + 1 {
        return Err(MiroirError::InsufficientData {
            detail: format!(
                "drivers: {n} {}s for {} predictors and {absorbed} study means: too few to fit",
                level.as_str(),
                p + controls
            ),
        });
    }
    let sw: f64 = d.w.iter().sum();
    let sd = |c: &[f64]| -> f64 { (c.iter().zip(&d.w).map(|(v, w)| w * v * v).sum::<f64>() / sw).sqrt() };
    let sds: Vec<f64> = cols.iter().map(|c| sd(c)).collect();
    let root: Vec<f64> = d.w.iter().map(|w| w.sqrt()).collect();
    let z: Vec<Vec<f64>> = cols
        .iter()
        .zip(&sds)
        .map(|(c, s)| c.iter().zip(&root).map(|(v, r)| r * v / s).collect())
        .collect();
    let all: Vec<String> = names.iter().chain(&o.controls).cloned().collect();
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
    let design: Vec<(&str, &[f64])> = all.iter().map(String::as_str).zip(z[1..].iter().map(Vec::as_slice)).collect();
    let fit = ols_absorbed(&z[0], &design, absorbed, Some(&d.cluster), o.confidence)?;
    notes.extend(fit.note.clone());
    // the weighted scatter of the centred columns (outcome first)
    let m = p + controls + 1;
    let mut sc = vec![0.0; m * m];
    for a in 0..m {
        for b in a..m {
            let v: f64 = (0..n).map(|i| d.w[i] * cols[a][i] * cols[b][i]).sum();
            sc[a * m + b] = v;
            sc[b * m + a] = v;
        }
    }
    let (l, r2) = lmg(&sc, p, controls)?;
    let share: Vec<f64> = l.iter().map(|v| v / l.iter().sum::<f64>()).collect();
    let rank = ranks(&l);
    let (mut ci_low, mut ci_high, mut p_first) = (vec![f64::NAN; p], vec![f64::NAN; p], vec![f64::NAN; p]);
    if o.n_resamples > 0 {
        let (boot, first, skipped) = bootstrap_shares(&d, p, controls, o)?;
        let valid = o.n_resamples - skipped;
        if skipped > 0 {
            notes.push(format!(
                "{skipped} of {} resamples skipped (a driver did not vary in them)",
                o.n_resamples
            ));
        }
        if valid > 0 {
            let a = (1.0 - o.confidence) / 2.0;
            for j in 0..p {
                ci_low[j] = percentile(&boot[j], a);
                ci_high[j] = percentile(&boot[j], 1.0 - a);
                p_first[j] = first[j] as f64 / valid as f64;
            }
        }
    } else {
        notes.push("share intervals and p_first not computed (n_resamples = 0)".into());
    }
    let term = |j: usize| &fit.terms[j];
    let label = |c: &str, fr: bool| -> Option<String> {
        SEED_DRIVERS.iter().find(|d| d.column == c).map(|d| (if fr { d.label_fr } else { d.label_en }).to_string())
    };
    let seed_of = |c: &str| SEED_DRIVERS.iter().find(|d| d.column == c).map(|d| d.seed.to_string());
    let n_units = d.cluster_study.len() as u64;
    let n_studies = {
        let mut s: Vec<u32> = d.cluster_study.clone();
        s.sort_unstable();
        s.dedup();
        s.len() as u64
    };
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    TableBuilder::new()
        .str("outcome", vec![o.outcome.as_str(); p])
        .str("level", vec![level.as_str(); p])
        .str("driver", &names)
        .opt_str("label", names.iter().map(|c| label(c, false)))
        .opt_str("label_fr", names.iter().map(|c| label(c, true)))
        .opt_str("seed", names.iter().map(|c| seed_of(c)))
        .u64("n", vec![n as u64; p])
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
        .f64("lmg", l.clone())
        .f64("share", share)
        .f64("share_ci_low", ci_low)
        .f64("share_ci_high", ci_high)
        .u64("rank", rank)
        .f64("p_first", p_first)
        .u64("n_resamples", vec![o.n_resamples as u64; p])
        .opt_str("note", vec![note; p])
        .build()
}
