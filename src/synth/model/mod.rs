//! Generative model of synthetic mirror studies (pure Rust: no polars, no Python).
//!
//! [`generate`] draws `studies` companies, their linkage units (branches, stores, hotels, ...),
//! employee respondents, customer respondents and coded verbatim mentions, calibrated so that the
//! published figures of seed 001 come out of the tables (see the tests at the bottom of this file).
//!
//! # The model in brief (parameters in [`Params`])
//! - **Studies.** Sectors cycle bank, insurance, retail, hotel, car_repair, utility from a
//!   seed-chosen offset. Size weights lie evenly spread (with jitter) over [0.5, 1.5] and are dealt
//!   to the sectors in snake order, so every sector gets a similar share of respondents. Each study
//!   has an engagement centre (evenly spread over `engagement_centre ± study_spread/2`), a
//!   customer-facing share in [0.4, 0.7], a front-line penalty (the largest study gets
//!   `frontline_gap_max`, the others are spread over `frontline_gap_range`), an internal
//!   communication level, a training propensity and a sector turnover (mean tenure).
//! - **Units.** About `employees_per_unit` employees per unit (at least 3 units per study), sizes
//!   lognormal (a few units have fewer than 5 employees); customers spread over units in
//!   proportion to staff × a lognormal footfall. Unit latents: base engagement `b_u ~ N(0, unit_sd)`,
//!   manager quality `q_u ~ N(0, 1)`, customer-experience effect `c_u ~ N(0, unit_cx_sd)`.
//! - **Employees.** `tenure ~ Exp(sector mean)`, `manager_support = 100·σ(0.35 + 0.8 q_u + 0.7 ε)`,
//!   `informed = 100·σ(0.25 + comms_s + 0.35 q_u + 0.9 ε)`, `trained ~ Bern(σ(t_s + 1.2 cf − 1.5 new))`,
//!   `engagement = centre_s + b_u + β_m (manager − 50) + β_i (informed − 50) + β_t trained
//!   − β_n exp(−tenure/6) − penalty_s · cf + N(0, residual_sd)`, the residual redrawn until the
//!   result lies in [0, 100] (a truncated normal: no mass piles at the bounds).
//!   With `z = (engagement − 50)/20`: can_contribute, has_ideas, has_cost_ideas are logistic in
//!   `z` (has_ideas also in informed, has_cost_ideas also in tenure ≥ 24 months);
//!   asked_about_customers is an ordered logit (never < rarely < yearly < several_per_year) in `z`
//!   and informed. Intercepts and thresholds are solved (Newton) so that the population-average
//!   probabilities equal the published shares.
//! - **Customers.** Unit level `m_u = μ + slope·(ē_u − 50) + c_u` where `ē_u` is the unit's mean
//!   employee engagement; `satisfaction = clamp(round(m_u + N(0, satisfaction_sd)), 0, 10)`;
//!   `nps = clamp(round(satisfaction + nps_shift + N(0, nps_sd)), 0, 10)`. μ is solved so that the
//!   expected share satisfied (≥ 7) among customers of each study's top-tercile units is 0.89.
//! - **Mentions.** A customer mentions something with probability
//!   `σ(mention_intercept + mention_extremity·|sat − 7.5|)` (extreme customers write more), 1–3
//!   distinct themes; each mention is positive with probability `σ(α_s + valence_slope·(sat − 7))`
//!   and its theme is drawn given its valence from the sector's weights
//!   `volume·positive·relevance` or `volume·(1 − positive)·relevance`. α_s is solved per sector so
//!   each theme's expected positive share is its `customer_positive`. Employees answer "best
//!   interaction" with probability `σ(a_b + 0.5 z + cf)` (mean `best_rate`) and "most frustrating
//!   one" with probability `σ(a_f − 0.6 z + cf)` (mean `frustrating_rate`), so frustrated
//!   employees are less engaged; an answer is coded to theme t with probability
//!   `rate_t·positive_t·relevance/best_rate` (resp. `rate_t·(1 − positive_t)·relevance/frustrating_rate`),
//!   otherwise it is left uncoded (no mention).
//!
//! # Code
//! [`design`] draws the studies and units, [`calibrate`] holds the linear predictors and solves
//! the intercepts, [`draw`] draws the respondents and their mentions; [`generate_with`] runs them
//! in that order.
//!
//! # Determinism
//! Study and unit design are drawn sequentially from a ChaCha8 stream of the seed; each unit then
//! gets its own ChaCha8 streams (one per phase), and the calibration sums use fixed chunks, so the
//! output depends on the seed only, never on the number of threads.

mod calibrate;
mod design;
mod draw;
mod params;

pub use params::{targets, Params};
pub use super::themes::{text, text_id, text_table, verbatim, Sector};
use super::themes::THEMES;
use crate::error::{MiroirError, Result};
use crate::stats::StatsError;

/// What to generate. `Default`: 20 studies, 20,000 employees, 100,000 customers, seed 0, wave 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthConfig {
    pub studies: usize,
    pub employees: usize,
    pub customers: usize,
    pub seed: u64,
    /// Barometer wave (0: the baseline). The waves of one seed share the companies, their units
    /// and the units' latents (drawn from the seed's design stream); each wave draws its own
    /// respondents, and from wave 1 on the changes of [`Params`] are planted: the units of
    /// region [`REGIONS`]`[0]` gain `wave_region_gain` engagement points per wave, and the theme
    /// [`WAVE_THEME`] moves from `pain` to `win_win` (its employees' positive share becomes
    /// `wave_theme_employee_positive`).
    pub wave: u32,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            studies: 20,
            employees: 20_000,
            customers: 100_000,
            seed: 0,
            wave: 0,
        }
    }
}

/// The regions units are dealt to, in turn within each study (unit j of a study is in region
/// `REGIONS[j % 4]`): a unit attribute for segments; no effect in wave 0.
pub const REGIONS: [&str; 4] = ["Nord", "Sud", "Est", "Ouest"];

/// The theme whose moment moves from `pain` to `win_win` from wave 1 on.
pub const WAVE_THEME: &str = "commercial gesture confirmed by SMS and letter";

/// One study (a company).
#[derive(Clone, Debug, PartialEq)]
pub struct StudyInfo {
    /// `"{sector}-{nn}"`, numbered within the sector from 1, e.g. `"bank-01"`.
    pub name: String,
    pub sector: Sector,
    /// Relative size weight in [0.5, 1.5] (ground truth, for documentation and tests).
    pub weight: f64,
    /// True engagement penalty (points) of customer-facing employees in this study, before the
    /// covariates (customer-facing staff are more often trained, which narrows the observed gap).
    pub frontline_penalty: f64,
    /// Expected share of customer-facing employees.
    pub customer_facing_share: f64,
}

/// One linkage unit. Units are ordered by study, then by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitInfo {
    /// `"{prefix}-{nnn}"`, unique within the study, prefix by sector (`agence`, `magasin`, `hotel`,
    /// `garage`, `centre`).
    pub name: String,
    /// Index into [`Synthetic::studies`].
    pub study: u32,
    /// One of [`REGIONS`] (dealt in turn within the study).
    pub region: &'static str,
    /// Number of employee rows of this unit (they are contiguous, in unit order).
    pub employees: u32,
    /// Number of customer rows of this unit (contiguous, in unit order).
    pub customers: u32,
}

/// One theme of the catalogue (see [`super::themes::THEMES`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThemeInfo {
    /// English name, e.g. "same advisor throughout the project".
    pub name: String,
    /// Moment the theme is designed to land in: `win_win`, `lucky_break`, `pain`, `wrong_fight`,
    /// `blindness`, `dead_end`, or `neutral` / `mixed` (designed to come out undetermined).
    pub intended: &'static str,
}

/// The answer to "how often are you asked about customers?", in the order of the scale (the
/// ordered logit of the model): never < rarely < yearly < several times a year. [`Asked::as_str`]
/// is the value written in the employees table (the schema's categories).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, strum::EnumIter, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Asked {
    Never,
    Rarely,
    Yearly,
    SeveralPerYear,
}

impl Asked {
    /// `"never"`, `"rarely"`, `"yearly"` or `"several_per_year"`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Employee respondents, one entry per employee, rows in unit order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmployeeCols {
    /// Index into [`Synthetic::units`].
    pub unit: Vec<u32>,
    pub customer_facing: Vec<bool>,
    /// Engagement index, 0–100.
    pub engagement: Vec<f64>,
    pub can_contribute: Vec<bool>,
    pub has_ideas: Vec<bool>,
    pub has_cost_ideas: Vec<bool>,
    pub asked_about_customers: Vec<Asked>,
    pub tenure_months: Vec<i64>,
    pub trained_customer: Vec<bool>,
    /// 0–100.
    pub informed: Vec<f64>,
    /// 0–100.
    pub manager_support: Vec<f64>,
}

/// Customer respondents, one entry per customer, rows in unit order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerCols {
    /// Index into [`Synthetic::units`].
    pub unit: Vec<u32>,
    /// Integer values 0..=10.
    pub satisfaction: Vec<f64>,
    /// 0..=10.
    pub nps: Vec<i64>,
}

/// Coded verbatim mentions: all customer mentions (in customer row order), then all employee
/// mentions (in employee row order; an employee's "best" mention before their "frustrating" one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MentionCols {
    /// 0 customer, 1 employee.
    pub side: Vec<u8>,
    /// Row index into [`Synthetic::customers`] (side 0) or [`Synthetic::employees`] (side 1).
    pub respondent: Vec<u32>,
    /// Index into [`Synthetic::themes`].
    pub theme: Vec<u16>,
    /// Customer: enchantment (true) / irritation; employee: "best interaction" (true) / "most
    /// frustrating one".
    pub positive: Vec<bool>,
    /// Text id: index into [`text_table`] (use [`text`]`(id)` to get the verbatim).
    pub text: Vec<u32>,
}

/// A generated set of mirror studies.
#[derive(Clone, Debug, PartialEq)]
pub struct Synthetic {
    pub studies: Vec<StudyInfo>,
    pub units: Vec<UnitInfo>,
    pub themes: Vec<ThemeInfo>,
    pub employees: EmployeeCols,
    pub customers: CustomerCols,
    pub mentions: MentionCols,
}

/// Generates a set of mirror studies with the default [`Params`].
///
/// Errors ([`MiroirError::InvalidArgument`], argument `synthetic_study`) when `studies` is 0,
/// `employees` < 3 × `studies` (every study has at least 3 units with at least one employee
/// each), `customers` < the number of units (every unit has at least one customer), or a count
/// exceeds its maximum ([`MAX_STUDIES`], [`MAX_EMPLOYEES`], [`MAX_CUSTOMERS`]); cancelled
/// ([`crate::interrupt::checkpoint`]), [`StatsError::Interrupted`].
pub fn generate(cfg: &SynthConfig) -> Result<Synthetic> {
    generate_with(cfg, &Params::default())
}

/// [`generate`] for the call named `argument` (`synthetic_study`, `synthetic_verbatims`): a
/// refusal names that argument, and once the call is cancelled any refusal is
/// [`StatsError::Interrupted`].
pub(crate) fn generate_for(cfg: &SynthConfig, argument: &str) -> Result<Synthetic> {
    let checkpoint = crate::interrupt::checkpoint();
    generate(cfg).map_err(|e| match e {
        _ if checkpoint.is_cancelled() => MiroirError::Stats(StatsError::Interrupted),
        MiroirError::InvalidArgument { detail, .. } => MiroirError::InvalidArgument { argument: argument.into(), detail },
        e => e,
    })
}

/// The largest synthetic study [`generate`] makes: studies, employees, customers.
pub const MAX_STUDIES: usize = 100_000;
pub const MAX_EMPLOYEES: usize = 10_000_000;
pub const MAX_CUSTOMERS: usize = 50_000_000;

fn invalid(detail: String) -> MiroirError {
    MiroirError::InvalidArgument { argument: "synthetic_study".into(), detail }
}

/// The configuration checks that need no draw; the minimum number of units per study.
fn check(cfg: &SynthConfig, p: &Params) -> Result<usize> {
    let n_st = cfg.studies;
    if n_st == 0 {
        return Err(invalid("synthetic study: `studies` must be at least 1".into()));
    }
    let min_units = p.min_units_per_study.max(1);
    if cfg.employees < min_units * n_st {
        return Err(invalid(format!(
            "synthetic study: `employees` ({}) must be at least {} × `studies` ({}): every study has at least {} units with at least one employee each",
            cfg.employees, min_units, n_st, min_units
        )));
    }
    // Bounds that keep a generation within this class of machine (about 100 bytes a
    // respondent while generating): a larger study is made by stacking generated files
    // (benchmarks/stream_large.py), never by an allocation that aborts the process.
    for (name, value, max) in [("studies", n_st, MAX_STUDIES), ("employees", cfg.employees, MAX_EMPLOYEES), ("customers", cfg.customers, MAX_CUSTOMERS)] {
        if value > max {
            return Err(invalid(format!("synthetic study: `{name}` ({value}) must not exceed {max}")));
        }
    }
    Ok(min_units)
}

/// Generates with explicit parameters (see [`generate`] for the errors).
pub fn generate_with(cfg: &SynthConfig, p: &Params) -> Result<Synthetic> {
    let min_units = check(cfg, p)?;
    let mut master = design::unit_rng(cfg.seed, 0, 0);
    let plans = design::studies(cfg.studies, p, &mut master);
    let (mut units, mut unit_infos) = design::units(cfg.employees, &plans, p, min_units, &mut master);
    let n_units = units.len();
    if cfg.customers < n_units {
        return Err(invalid(format!(
            "synthetic study: `customers` ({}) must be at least the number of units ({n_units}): every unit has at least one customer",
            cfg.customers
        )));
    }
    design::customers(cfg.customers, &mut units, &mut unit_infos, p, &mut master);

    let checkpoint = crate::interrupt::checkpoint();
    let stop = || checkpoint.check().map_err(|_| MiroirError::Stats(StatsError::Interrupted));
    stop()?;
    let mut emp = draw::employees(cfg, p, &plans, &units);
    let mut unit_mean = draw::unit_means(&emp, &units);

    stop()?;
    let tables = calibrate::sector_tables(p, cfg.wave);
    let drawn = calibrate::Drawn { plans: &plans, units: &units, emp: &emp, unit_mean: &unit_mean };
    let cal = calibrate::calibrate(p, &drawn, &tables);
    draw::plant_region_gain(p, cfg.wave, &units, &unit_infos, &mut emp, &mut unit_mean);

    stop()?;
    let phase2 = draw::Phase2 { cfg, p, plans: &plans, units: &units, cal: &cal, tables: &tables, unit_mean: &unit_mean };
    let (customers, mentions) = draw::respondents(&phase2, &mut emp);

    stop()?;
    let themes = THEMES
        .iter()
        .map(|t| ThemeInfo {
            name: t.name.to_string(),
            intended: t.intended,
        })
        .collect();
    Ok(Synthetic {
        studies: design::study_infos(&plans),
        units: unit_infos,
        themes,
        employees: emp,
        customers,
        mentions,
    })
}


#[cfg(test)]
mod tests {
    use super::calibrate::norm_cdf;
    use super::*;
    use crate::synth::themes::ThemeDef;
    use statrs::function::factorial::ln_binomial;

    /// The published figures, recomputed from the tables the way the analysis does.
    #[derive(Debug)]
    struct Figures {
        can_contribute: f64,
        has_ideas: f64,
        has_cost_ideas: f64,
        asked_yearly: f64,
        asked_never: f64,
        satisfied_top_tercile: f64,
        top8_uplift: f64,
        frontline_gap_max: f64,
        small_units: usize,
        customer_mention_rate: f64,
        mean_engagement: f64,
        satisfied: f64,
    }

    fn share(v: &[bool]) -> f64 {
        v.iter().filter(|x| **x).count() as f64 / v.len() as f64
    }

    fn figures(s: &Synthetic) -> Figures {
        let e = &s.employees;
        let c = &s.customers;
        let k = s.units.len();
        let mut esum = vec![0.0; k];
        let mut en = vec![0usize; k];
        for (u, x) in e.unit.iter().zip(&e.engagement) {
            esum[*u as usize] += x;
            en[*u as usize] += 1;
        }
        let emean: Vec<f64> = (0..k).map(|u| esum[u] / en[u] as f64).collect();
        let mut ssum = vec![0.0; k];
        let mut sn = vec![0usize; k];
        for (u, x) in c.unit.iter().zip(&c.satisfaction) {
            ssum[*u as usize] += x;
            sn[*u as usize] += 1;
        }
        let smean: Vec<f64> = (0..k).map(|u| ssum[u] / sn[u] as f64).collect();
        // top tercile per study
        let mut is_top = vec![false; k];
        for st in 0..s.studies.len() {
            let mut idx: Vec<usize> = (0..k)
                .filter(|&u| s.units[u].study as usize == st)
                .collect();
            idx.sort_by(|&a, &b| emean[b].total_cmp(&emean[a]));
            for &u in idx.iter().take(idx.len().div_ceil(3)) {
                is_top[u] = true;
            }
        }
        let (mut sat_top, mut n_top) = (0usize, 0usize);
        for (u, x) in c.unit.iter().zip(&c.satisfaction) {
            if is_top[*u as usize] {
                n_top += 1;
                sat_top += (*x >= 7.0) as usize;
            }
        }
        // top 8% units by mean satisfaction
        let mut idx: Vec<usize> = (0..k).collect();
        idx.sort_by(|&a, &b| smean[b].total_cmp(&smean[a]).then(a.cmp(&b)));
        let ntop = (0.08 * k as f64).ceil() as usize;
        let top_mean = idx[..ntop].iter().map(|&u| emean[u]).sum::<f64>() / ntop as f64;
        let rest_mean = idx[ntop..].iter().map(|&u| emean[u]).sum::<f64>() / (k - ntop) as f64;
        // front-line gap
        let ns = s.studies.len();
        let mut acc = vec![[0.0f64; 4]; ns];
        for i in 0..e.unit.len() {
            let st = s.units[e.unit[i] as usize].study as usize;
            let j = if e.customer_facing[i] { 0 } else { 2 };
            acc[st][j] += e.engagement[i];
            acc[st][j + 1] += 1.0;
        }
        let gap = acc
            .iter()
            .map(|a| a[2] / a[3] - a[0] / a[1])
            .fold(f64::NEG_INFINITY, f64::max);
        let asked = |v: Asked| {
            e.asked_about_customers.iter().filter(|x| **x == v).count() as f64 / e.unit.len() as f64
        };
        let mut mentioning = vec![false; c.unit.len()];
        for i in 0..s.mentions.side.len() {
            if s.mentions.side[i] == 0 {
                mentioning[s.mentions.respondent[i] as usize] = true;
            }
        }
        Figures {
            can_contribute: share(&e.can_contribute),
            has_ideas: share(&e.has_ideas),
            has_cost_ideas: share(&e.has_cost_ideas),
            asked_yearly: asked(Asked::Yearly),
            asked_never: asked(Asked::Never),
            satisfied_top_tercile: sat_top as f64 / n_top as f64,
            top8_uplift: top_mean / rest_mean,
            frontline_gap_max: gap,
            small_units: en.iter().filter(|n| **n < 5).count(),
            customer_mention_rate: share(&mentioning),
            mean_engagement: e.engagement.iter().sum::<f64>() / e.unit.len() as f64,
            satisfied: c.satisfaction.iter().filter(|x| **x >= 7.0).count() as f64
                / c.unit.len() as f64,
        }
    }

    fn check_figures(f: &Figures) {
        assert!((f.can_contribute - 0.72).abs() <= 0.02, "{f:?}");
        assert!((f.has_ideas - 0.56).abs() <= 0.02, "{f:?}");
        assert!((f.has_cost_ideas - 0.43).abs() <= 0.02, "{f:?}");
        assert!((f.asked_yearly - 1.0 / 3.0).abs() <= 0.02, "{f:?}");
        assert!(
            f.asked_never > 0.5 && (f.asked_never - 0.53).abs() <= 0.02,
            "{f:?}"
        );
        assert!((f.satisfied_top_tercile - 0.89).abs() <= 0.02, "{f:?}");
        assert!((f.top8_uplift - 1.6).abs() <= 0.1, "{f:?}");
        assert!((f.frontline_gap_max - 20.0).abs() <= 2.0, "{f:?}");
        assert!(f.small_units > 0, "{f:?}");
        assert!((0.10..=0.15).contains(&f.customer_mention_rate), "{f:?}");
        assert!((35.0..=55.0).contains(&f.mean_engagement), "{f:?}");
        assert!((0.6..=0.85).contains(&f.satisfied), "{f:?}");
    }

    /// log10 of the exact two-sided binomial p-value against 0.5 (symmetric: 2·P(X ≤ min(k, n−k))).
    fn binom_log10_p(k: u64, n: u64) -> f64 {
        if n == 0 {
            return 0.0;
        }
        let m = k.min(n - k);
        if 2 * m == n {
            return 0.0;
        }
        let terms: Vec<f64> = (0..=m)
            .map(|i| ln_binomial(n, i) - n as f64 * std::f64::consts::LN_2)
            .collect();
        let mx = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let ln_cdf = mx + terms.iter().map(|t| (t - mx).exp()).sum::<f64>().ln();
        ((ln_cdf + std::f64::consts::LN_2) / std::f64::consts::LN_10).min(0.0)
    }

    fn wilson_upper(x: f64, n: f64) -> f64 {
        let z = 1.959963984540054;
        let ph = x / n;
        (ph + z * z / (2.0 * n) + z * (ph * (1.0 - ph) / n + z * z / (4.0 * n * n)).sqrt())
            / (1.0 + z * z / n)
    }

    #[derive(Debug)]
    struct ThemeResult {
        name: String,
        intended: &'static str,
        cust_n: u64,
        cust_share_pos: f64,
        cust_log10_p: f64,
        emp_share: f64,
        emp_wilson_upper: f64,
        emp_n: u64,
        emp_share_pos: f64,
        emp_log10_p: f64,
        moment: &'static str,
        log10_q: f64,
    }

    fn classify(s: &Synthetic) -> Vec<ThemeResult> {
        let nt = s.themes.len();
        let m = &s.mentions;
        let (mut cn, mut cp, mut en, mut ep) = (
            vec![0u64; nt],
            vec![0u64; nt],
            vec![0u64; nt],
            vec![0u64; nt],
        );
        let mut emp_seen = vec![std::collections::HashSet::new(); nt];
        for i in 0..m.side.len() {
            let t = m.theme[i] as usize;
            if m.side[i] == 0 {
                cn[t] += 1;
                cp[t] += m.positive[i] as u64;
            } else {
                en[t] += 1;
                ep[t] += m.positive[i] as u64;
                emp_seen[t].insert(m.respondent[i]);
            }
        }
        let n_emp = s.employees.unit.len() as f64;
        let mut out: Vec<ThemeResult> = (0..nt)
            .map(|t| {
                let cl = binom_log10_p(cp[t], cn[t]);
                let cust = if cn[t] < 10 {
                    None
                } else if cl < (0.05f64).log10() {
                    Some(if 2 * cp[t] > cn[t] {
                        "enchanted"
                    } else {
                        "irritated"
                    })
                } else {
                    Some("undetermined")
                };
                let x = emp_seen[t].len() as f64;
                let wu = wilson_upper(x, n_emp);
                let el = binom_log10_p(ep[t], en[t]);
                let (empax, el_used) = if wu < 0.02 {
                    // silence: one-sided p of seeing ≤ x employees at a 2% rate (normal approx.)
                    let zz = (x - 0.02 * n_emp) / (0.02 * 0.98 * n_emp).sqrt();
                    ("silent", (norm_cdf(zz).max(1e-300)).log10())
                } else if el < (0.05f64).log10() {
                    (
                        if 2 * ep[t] > en[t] {
                            "proud"
                        } else {
                            "frustrated"
                        },
                        el,
                    )
                } else {
                    ("undetermined", el)
                };
                let moment = match cust {
                    None => "unclassified",
                    Some(c) => crate::analysis::moments::Moment::from_axes(c, empax)
                        .map_or(crate::analysis::moments::Moment::UNDETERMINED, |m| m.key()),
                };
                ThemeResult {
                    name: s.themes[t].name.clone(),
                    intended: s.themes[t].intended,
                    cust_n: cn[t],
                    cust_share_pos: cp[t] as f64 / cn[t].max(1) as f64,
                    cust_log10_p: cl,
                    emp_share: x / n_emp,
                    emp_wilson_upper: wu,
                    emp_n: en[t],
                    emp_share_pos: ep[t] as f64 / en[t].max(1) as f64,
                    emp_log10_p: el_used,
                    moment,
                    log10_q: cl.max(el_used),
                }
            })
            .collect();
        // Benjamini–Hochberg on log10 p (theme p = max of the axes)
        let mut order: Vec<usize> = (0..nt).collect();
        order.sort_by(|&a, &b| out[a].log10_q.total_cmp(&out[b].log10_q));
        let mut run = 0.0f64;
        for (r, &i) in order.iter().enumerate().rev() {
            let q = (out[i].log10_q + (nt as f64 / (r + 1) as f64).log10()).min(0.0);
            run = if r == nt - 1 { q } else { run.min(q) };
            out[i].log10_q = run;
        }
        out
    }

    fn small() -> SynthConfig {
        SynthConfig {
            studies: 7,
            employees: 3_000,
            customers: 15_000,
            seed: 11,
            wave: 0,
        }
    }

    #[test]
    fn calibration_default_size_seeds_0_1_2() {
        for seed in 0..3 {
            let s = generate(&SynthConfig {
                seed,
                wave: 0,
                ..SynthConfig::default()
            })
            .unwrap();
            let f = figures(&s);
            println!("seed {seed}: {f:?}");
            check_figures(&f);
        }
    }

    /// Wave 1 of a seed: the same studies and units (names, sizes, regions), other respondents,
    /// the region `REGIONS[0]` about `wave_region_gain` points more engaged while the other
    /// regions stay where they were, and `WAVE_THEME` moved from `pain` to `win_win`.
    #[test]
    fn waves_share_the_units_and_carry_the_planted_changes() {
        let cfg = |wave| SynthConfig { seed: 5, wave, ..SynthConfig::default() };
        let (a, b) = (generate(&cfg(0)).unwrap(), generate(&cfg(1)).unwrap());
        assert_eq!(a.units, b.units);
        assert_eq!(a.studies, b.studies);
        assert_ne!(a.employees.engagement, b.employees.engagement);
        let region_mean = |s: &Synthetic, north: bool| {
            let v: Vec<f64> = (0..s.employees.engagement.len())
                .filter(|&i| (s.units[s.employees.unit[i] as usize].region == REGIONS[0]) == north)
                .map(|i| s.employees.engagement[i])
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let gain = region_mean(&b, true) - region_mean(&a, true);
        let other = region_mean(&b, false) - region_mean(&a, false);
        assert!((6.5..8.0).contains(&gain), "gain {gain}");
        assert!(other.abs() < 0.5, "others moved by {other}");
        let moment_of = |s: &Synthetic| classify(s).into_iter().find(|r| r.name == WAVE_THEME).unwrap().moment;
        assert_eq!(moment_of(&a), "pain");
        assert_eq!(moment_of(&b), "win_win");
    }

    #[test]
    fn seed_themes_classified_with_wide_margin() {
        for seed in 0..3 {
            let s = generate(&SynthConfig {
                seed,
                wave: 0,
                ..SynthConfig::default()
            })
            .unwrap();
            let res = classify(&s);
            for r in &res {
                println!(
                    "seed {seed} {:<48} {:<11} -> {:<12} cust n={:<5} pos={:.2} log10p={:>7.1} | emp share={:.4} (wilson up {:.4}) n={:<5} pos={:.2} log10p={:>7.1} | log10q={:>7.1}",
                    r.name, r.intended, r.moment, r.cust_n, r.cust_share_pos, r.cust_log10_p, r.emp_share,
                    r.emp_wilson_upper, r.emp_n, r.emp_share_pos, r.emp_log10_p, r.log10_q
                );
            }
            for r in &res[..super::super::themes::SEED_THEMES] {
                assert_eq!(r.moment, r.intended, "seed {seed}: {r:?}");
                assert!(r.log10_q < -3.0, "seed {seed}: {r:?}");
            }
            let moments: std::collections::HashSet<&str> = res.iter().map(|r| r.moment).collect();
            assert!(moments.contains("undetermined"), "seed {seed}");
        }
    }

    #[test]
    fn same_output_whatever_the_thread_count() {
        let run = |threads: usize, cfg: &SynthConfig| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| generate(cfg).unwrap())
        };
        for cfg in [
            small(),
            SynthConfig {
                seed: 3,
                wave: 0,
                ..SynthConfig::default()
            },
        ] {
            let a = run(1, &cfg);
            let b = run(2, &cfg);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a.employees.engagement), bits(&b.employees.engagement));
            assert_eq!(
                bits(&a.customers.satisfaction),
                bits(&b.customers.satisfaction)
            );
            assert_eq!(bits(&a.employees.informed), bits(&b.employees.informed));
            assert_eq!(a, b);
        }
        let a = generate(&small()).unwrap();
        let c = generate(&SynthConfig {
            seed: 12,
            wave: 0,
            ..small()
        })
        .unwrap();
        assert_ne!(a.employees.engagement, c.employees.engagement);
    }

    #[test]
    fn tables_are_consistent() {
        for cfg in [
            small(),
            SynthConfig::default(),
            SynthConfig {
                studies: 1,
                employees: 3,
                customers: 3,
                seed: 5,
                wave: 0,
            },
        ] {
            let s = generate(&cfg).unwrap();
            let (e, c, m) = (&s.employees, &s.customers, &s.mentions);
            assert_eq!(s.studies.len(), cfg.studies);
            assert_eq!(e.unit.len(), cfg.employees);
            assert_eq!(c.unit.len(), cfg.customers);
            for v in [
                e.customer_facing.len(),
                e.engagement.len(),
                e.can_contribute.len(),
                e.has_ideas.len(),
                e.has_cost_ideas.len(),
                e.asked_about_customers.len(),
                e.tenure_months.len(),
                e.trained_customer.len(),
                e.informed.len(),
                e.manager_support.len(),
            ] {
                assert_eq!(v, cfg.employees);
            }
            assert_eq!(c.satisfaction.len(), cfg.customers);
            assert_eq!(c.nps.len(), cfg.customers);
            assert!(
                e.unit.windows(2).all(|w| w[0] <= w[1]) && c.unit.windows(2).all(|w| w[0] <= w[1])
            );
            assert!(s.units.windows(2).all(|w| w[0].study <= w[1].study));
            let mut names = std::collections::HashSet::new();
            for (i, u) in s.units.iter().enumerate() {
                assert!(u.employees >= 1 && u.customers >= 1);
                assert!(names.insert((u.study, u.name.clone())));
                assert_eq!(
                    e.unit.iter().filter(|x| **x as usize == i).count(),
                    u.employees as usize
                );
            }
            let snames: std::collections::HashSet<&str> =
                s.studies.iter().map(|x| x.name.as_str()).collect();
            assert_eq!(snames.len(), s.studies.len());
            assert!(e.engagement.iter().all(|x| (0.0..=100.0).contains(x)));
            assert!(e
                .informed
                .iter()
                .chain(&e.manager_support)
                .all(|x| (0.0..=100.0).contains(x)));
            assert!(e.tenure_months.iter().all(|x| (0..=480).contains(x)));
            assert!(c
                .satisfaction
                .iter()
                .all(|x| (0.0..=10.0).contains(x) && x.fract() == 0.0));
            assert!(c.nps.iter().all(|x| (0..=10).contains(x)));
            let n = m.side.len();
            for v in [
                m.respondent.len(),
                m.theme.len(),
                m.positive.len(),
                m.text.len(),
            ] {
                assert_eq!(v, n);
            }
            let table = text_table();
            for i in 0..n {
                let lim = if m.side[i] == 0 {
                    cfg.customers
                } else {
                    cfg.employees
                };
                assert!((m.respondent[i] as usize) < lim);
                assert!((m.theme[i] as usize) < s.themes.len());
                let t = table[m.text[i] as usize];
                let variants = THEMES[m.theme[i] as usize]
                    .verbatims
                    .get(m.side[i], m.positive[i]);
                assert!(variants.contains(&t));
            }
            assert!(m.side.windows(2).all(|w| w[0] <= w[1]));
        }
        let s = generate(&SynthConfig::default()).unwrap();
        for st in &s.studies {
            let (sec, num) = st.name.rsplit_once('-').unwrap();
            assert!(
                sec == st.sector.as_str() && num.len() == 2 && num.parse::<u32>().unwrap() >= 1,
                "{}",
                st.name
            );
        }
        assert!(s.units.iter().any(|u| u.name.ends_with("-001")));
    }

    #[test]
    fn employee_coding_needs_no_rescaling() {
        // Coded answers must stay clearly below the answers, or the positive shares get biased.
        let p = Params::default();
        for s in Sector::ALL {
            let r = |t: &ThemeDef| t.employee_rate * t.relevance[s.index()];
            let best: f64 = THEMES.iter().map(|t| r(t) * t.employee_positive).sum();
            let frust: f64 = THEMES
                .iter()
                .map(|t| r(t) * (1.0 - t.employee_positive))
                .sum();
            println!(
                "{s:?}: coded best {:.3} of {}, coded frustrating {:.3} of {}",
                best, p.best_rate, frust, p.frustrating_rate
            );
            assert!(
                best <= 0.9 * p.best_rate && frust <= 0.9 * p.frustrating_rate,
                "{s:?}"
            );
        }
    }

    #[test]
    fn invalid_configs_are_errors() {
        for cfg in [
            SynthConfig {
                studies: 0,
                ..SynthConfig::default()
            },
            SynthConfig {
                studies: 20,
                employees: 59,
                ..SynthConfig::default()
            },
            SynthConfig {
                studies: 20,
                customers: 19,
                ..SynthConfig::default()
            },
            SynthConfig {
                studies: 2,
                employees: 200,
                customers: 9,
                seed: 0,
                wave: 0,
            },
        ] {
            assert!(generate(&cfg).is_err(), "{cfg:?}");
        }
    }

    #[test]
    fn covariates_relate_to_engagement() {
        let s = generate(&SynthConfig::default()).unwrap();
        let e = &s.employees;
        let mean_by = |f: &dyn Fn(usize) -> bool| {
            let v: Vec<f64> = (0..e.unit.len())
                .filter(|&i| f(i))
                .map(|i| e.engagement[i])
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(mean_by(&|i| e.tenure_months[i] < 6) < mean_by(&|i| e.tenure_months[i] >= 24));
        assert!(mean_by(&|i| e.trained_customer[i]) > mean_by(&|i| !e.trained_customer[i]) - 5.0);
        assert!(mean_by(&|i| e.informed[i] > 60.0) > mean_by(&|i| e.informed[i] < 40.0));
        assert!(
            mean_by(&|i| e.manager_support[i] > 60.0) > mean_by(&|i| e.manager_support[i] < 40.0)
        );
        assert!(mean_by(&|i| e.can_contribute[i]) > mean_by(&|i| !e.can_contribute[i]));
        // frustrated-mention employees are less engaged
        let mut frus = vec![false; e.unit.len()];
        for i in 0..s.mentions.side.len() {
            if s.mentions.side[i] == 1 && !s.mentions.positive[i] {
                frus[s.mentions.respondent[i] as usize] = true;
            }
        }
        assert!(mean_by(&|i| frus[i]) < mean_by(&|i| !frus[i]));
        // satisfied customers mention positively more often
        let c = &s.customers;
        let m = &s.mentions;
        let pos_share = |sat: bool| {
            let (mut p, mut n) = (0, 0);
            for i in 0..m.side.len() {
                if m.side[i] == 0 && (c.satisfaction[m.respondent[i] as usize] >= 7.0) == sat {
                    n += 1;
                    p += m.positive[i] as usize;
                }
            }
            p as f64 / n as f64
        };
        assert!(pos_share(true) > pos_share(false) + 0.2);
        // per-theme satisfaction differences: enchanting themes' customers are more satisfied
        let mean_sat = |theme: u16| {
            let v: Vec<f64> = (0..m.side.len())
                .filter(|&i| m.side[i] == 0 && m.theme[i] == theme)
                .map(|i| c.satisfaction[m.respondent[i] as usize])
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(
            mean_sat(0) > mean_sat(5) + 1.0,
            "{} vs {}",
            mean_sat(0),
            mean_sat(5)
        );
    }

    /// The calibration holds beyond seed 0: over 30 seeds the seed figures stay in their bands
    /// and every seed theme lands in its intended moment at q < 1e-3.
    #[test]
    fn calibration_many_seeds() {
        for seed in 0..30 {
            let s = generate(&SynthConfig {
                seed,
                wave: 0,
                ..SynthConfig::default()
            })
            .unwrap();
            check_figures(&figures(&s));
            let res = classify(&s);
            for r in &res[..super::super::themes::SEED_THEMES] {
                assert_eq!(r.moment, r.intended, "seed {seed}: {r:?}");
                assert!(r.log10_q < -3.0, "seed {seed}: {r:?}");
            }
        }
    }
}
