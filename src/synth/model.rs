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
//! # Determinism
//! Study and unit design are drawn sequentially from a ChaCha8 stream of the seed; each unit then
//! gets its own ChaCha8 streams (one per phase), and the calibration sums use fixed chunks, so the
//! output depends on the seed only, never on the number of threads.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, StandardNormal};
use rayon::prelude::*;
use statrs::function::erf::erfc;

pub use super::themes::{text, text_id, text_table, verbatim, Sector};
use super::themes::{variant_count, ThemeDef, THEMES};

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
    /// 0 never, 1 yearly, 2 several_per_year, 3 rarely.
    pub asked_about_customers: Vec<u8>,
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

/// Published figures of seed 001 the generator is calibrated to.
pub mod targets {
    pub const CAN_CONTRIBUTE: f64 = 0.72;
    pub const HAS_IDEAS: f64 = 0.56;
    pub const HAS_COST_IDEAS: f64 = 0.43;
    pub const ASKED_YEARLY: f64 = 1.0 / 3.0;
    /// "More than half are never asked"; our target.
    pub const ASKED_NEVER: f64 = 0.53;
    /// Share satisfied among customers of the top engagement tercile of units.
    pub const SATISFIED_TOP_TERCILE: f64 = 0.89;
    /// Engagement of the top 8% units by customer satisfaction over the others' (1.6 = "60% higher").
    pub const TOP_UPLIFT: f64 = 1.6;
    /// Largest per-study engagement gap of customer-facing employees, points.
    pub const FRONTLINE_GAP: f64 = 20.0;
}

/// Parameters of the model. `Params::default()` is what [`generate`] uses; every number is
/// documented here.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    // ---- structure ----
    /// Mean employees per unit (20).
    pub employees_per_unit: f64,
    /// Minimum units per study (3).
    pub min_units_per_study: usize,
    /// Range of the study size weights ([0.5, 1.5]).
    pub study_weight_range: (f64, f64),
    /// SD of log unit size (0.65): about 1% of units have fewer than 5 employees.
    pub unit_size_sd: f64,
    /// SD of log customer footfall per employee of a unit (0.3).
    pub footfall_sd: f64,
    // ---- engagement (points, 0-100) ----
    /// Centre of the study engagement centres (50).
    pub engagement_centre: f64,
    /// Study centres are spread evenly over centre ± spread/2 (16).
    pub study_spread: f64,
    /// SD of the unit random effect (13.2).
    pub unit_sd: f64,
    /// SD of the employee residual before truncation (10).
    pub residual_sd: f64,
    /// Engagement points per point of manager_support (0.15).
    pub manager_effect: f64,
    /// Engagement points per point of informed (0.10).
    pub informed_effect: f64,
    /// Engagement points for being trained on customer relations (3).
    pub trained_effect: f64,
    /// Engagement points lower at tenure 0, decaying as exp(−tenure/6 months) (8).
    pub newcomer_effect: f64,
    /// Front-line penalty of the largest study, the "up to 20 points" study (21.7: its observed
    /// gap is about 20 once training, more common among customer-facing staff, and the bounds of
    /// the scale have taken their share).
    pub frontline_gap_max: f64,
    /// Front-line penalties of the other studies are spread evenly over this range ([4, 14]).
    pub frontline_gap_range: (f64, f64),
    /// Customer-facing share of the other studies, uniform over this range ([0.4, 0.7]); the
    /// largest study has 0.55.
    pub customer_facing_range: (f64, f64),
    // ---- employee items: population shares ----
    pub can_contribute: f64,
    pub has_ideas: f64,
    pub has_cost_ideas: f64,
    pub asked_never: f64,
    pub asked_rarely: f64,
    pub asked_yearly: f64,
    /// Share of employees answering "your best interaction with a customer this year" (0.70).
    pub best_rate: f64,
    /// Share answering "your most frustrating one" (0.65).
    pub frustrating_rate: f64,
    // ---- customers ----
    /// Expected share satisfied among customers of top-tercile units (0.89).
    pub satisfied_top_tercile: f64,
    /// Satisfaction points per point of unit mean engagement (0.06).
    pub satisfaction_slope: f64,
    /// SD of the unit's customer-experience effect not due to engagement (0.3).
    pub unit_cx_sd: f64,
    /// SD of a customer's satisfaction around the unit level (1.8).
    pub satisfaction_sd: f64,
    /// NPS = satisfaction + shift + N(0, sd), rounded and clamped (−0.3, 1.2).
    pub nps_shift: f64,
    pub nps_sd: f64,
    // ---- customer mentions ----
    /// Mention probability σ(intercept + extremity·|sat − 7.5|) (−2.6, 0.35).
    pub mention_intercept: f64,
    pub mention_extremity: f64,
    /// Log-odds of a positive mention per satisfaction point (0.6).
    pub valence_slope: f64,
    // ---- changes planted from wave 1 on (see [`SynthConfig::wave`]) ----
    /// Engagement points gained per wave by the employees of region `REGIONS[0]` (8), added
    /// after the calibration (so the other regions do not move) and capped at 100.
    pub wave_region_gain: f64,
    /// Positive share of [`WAVE_THEME`]'s employee mentions from wave 1 on (0.90; 0.08 before).
    pub wave_theme_employee_positive: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            employees_per_unit: 20.0,
            min_units_per_study: 3,
            study_weight_range: (0.5, 1.5),
            unit_size_sd: 0.65,
            footfall_sd: 0.3,
            engagement_centre: 50.0,
            study_spread: 16.0,
            unit_sd: 13.2,
            residual_sd: 10.0,
            manager_effect: 0.15,
            informed_effect: 0.10,
            trained_effect: 3.0,
            newcomer_effect: 8.0,
            frontline_gap_max: 21.7,
            frontline_gap_range: (4.0, 14.0),
            customer_facing_range: (0.4, 0.7),
            can_contribute: targets::CAN_CONTRIBUTE,
            has_ideas: targets::HAS_IDEAS,
            has_cost_ideas: targets::HAS_COST_IDEAS,
            asked_never: targets::ASKED_NEVER,
            asked_rarely: 0.06,
            asked_yearly: targets::ASKED_YEARLY,
            best_rate: 0.70,
            frustrating_rate: 0.65,
            satisfied_top_tercile: targets::SATISFIED_TOP_TERCILE,
            satisfaction_slope: 0.06,
            unit_cx_sd: 0.3,
            satisfaction_sd: 1.8,
            nps_shift: -0.3,
            nps_sd: 1.2,
            mention_intercept: -2.6,
            mention_extremity: 0.35,
            valence_slope: 0.6,
            wave_region_gain: 8.0,
            wave_theme_employee_positive: 0.90,
        }
    }
}

/// Generates a set of mirror studies with the default [`Params`].
///
/// Errors (as a message) when `studies` is 0, `employees` < 3 × `studies` (every study has at
/// least 3 units with at least one employee each), `customers` < the number of units (every unit
/// has at least one customer), or a count exceeds `u32::MAX`.
pub fn generate(cfg: &SynthConfig) -> Result<Synthetic, String> {
    generate_with(cfg, &Params::default())
}

// ------------------------------------------------------------------------------------------------
// small numeric helpers

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Standard normal CDF.
fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// The respondent phases' stream numbers of a wave (1 and 2 for wave 0; the design stream 0 is
/// shared by every wave).
fn respondent_phases(wave: u32) -> (u64, u64) {
    (1 + 2 * wave as u64, 2 + 2 * wave as u64)
}

fn unit_rng(seed: u64, phase: u64, unit: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((phase << 48) | unit as u64);
    rng
}

/// Splits `total` into `weights.len()` parts of at least `min`, the rest in proportion to the
/// weights (largest remainders; ties to the lower index).
fn allocate(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
    let k = weights.len();
    let rest = total - min * k;
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| rest as f64 * w / sum).collect();
    let mut out: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut left = rest.saturating_sub(out.iter().sum::<usize>());
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out.iter_mut().for_each(|x| *x += min);
    out
}

fn split_sizes<'a, T>(mut s: &'a mut [T], sizes: &[usize]) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(sizes.len());
    for &n in sizes {
        let (a, b) = std::mem::take(&mut s).split_at_mut(n);
        out.push(a);
        s = b;
    }
    out
}

/// Solves `a` such that the mean over `i < n` of σ(a + x(i)) equals `target` (Newton; sums over
/// fixed chunks, so the result does not depend on the number of threads).
fn solve_intercept(n: usize, target: f64, x: impl Fn(usize) -> f64 + Sync) -> f64 {
    const CHUNK: usize = 1 << 14;
    let chunks = n.div_ceil(CHUNK);
    let mut a = logit(target);
    for _ in 0..100 {
        let parts: Vec<(f64, f64)> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let (mut s, mut d) = (0.0, 0.0);
                for i in c * CHUNK..n.min((c + 1) * CHUNK) {
                    let p = sigmoid(a + x(i));
                    s += p;
                    d += p * (1.0 - p);
                }
                (s, d)
            })
            .collect();
        let (s, d) = parts
            .iter()
            .fold((0.0, 0.0), |acc, p| (acc.0 + p.0, acc.1 + p.1));
        let step = ((s - target * n as f64) / d.max(1e-300)).clamp(-2.0, 2.0);
        a -= step;
        if step.abs() < 1e-12 {
            break;
        }
    }
    a
}

/// Bisection for an increasing function: `x` in [lo, hi] with f(x) = target.
fn bisect(mut lo: f64, mut hi: f64, target: f64, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

// ------------------------------------------------------------------------------------------------
// linear predictors shared by the calibration and the draws

fn zscore(e: f64) -> f64 {
    (e - 50.0) / 20.0
}
fn x_can(e: f64) -> f64 {
    0.9 * zscore(e)
}
fn x_ideas(e: f64, informed: f64) -> f64 {
    0.7 * zscore(e) + 0.3 * (informed - 50.0) / 20.0
}
fn x_cost(e: f64, tenure: i64) -> f64 {
    0.5 * zscore(e) + if tenure >= 24 { 0.5 } else { 0.0 }
}
fn x_asked(e: f64, informed: f64) -> f64 {
    0.6 * zscore(e) + 0.4 * (informed - 50.0) / 20.0
}
fn x_best(e: f64, cf: bool) -> f64 {
    0.5 * zscore(e) + if cf { 1.0 } else { 0.0 }
}
fn x_frust(e: f64, cf: bool) -> f64 {
    -0.6 * zscore(e) + if cf { 1.0 } else { 0.0 }
}

/// Mean tenure (months) by sector: turnover is high in hotels and retail (seed 002).
fn tenure_mean(s: Sector) -> f64 {
    match s {
        Sector::Bank => 110.0,
        Sector::Insurance => 120.0,
        Sector::Retail => 40.0,
        Sector::Hotel => 30.0,
        Sector::CarRepair => 70.0,
        Sector::Utility => 130.0,
    }
}

fn mention_prob(p: &Params, sat: f64) -> f64 {
    sigmoid(p.mention_intercept + p.mention_extremity * (sat - 7.5).abs())
}

// ------------------------------------------------------------------------------------------------
// design (sequential)

struct StudyPlan {
    sector: Sector,
    weight: f64,
    centre: f64,
    penalty: f64,
    cf_share: f64,
    comms: f64,
    trained_logit: f64,
    tenure_mean: f64,
}

struct UnitPlan {
    study: usize,
    emp_start: usize,
    emp_len: usize,
    cust_start: usize,
    cust_len: usize,
    base: f64,
    manager: f64,
    cx: f64,
}

/// Per-sector cumulative theme weights.
struct SectorTables {
    /// Normalised cumulative weights of customer themes given valence.
    cust_pos: Vec<f64>,
    cust_neg: Vec<f64>,
    /// Cumulative probabilities that an answer is coded to each theme (total ≤ 1; the rest is
    /// left uncoded).
    emp_pos: Vec<f64>,
    emp_neg: Vec<f64>,
    /// Expected positive share of customer mentions in the sector.
    cust_positive_share: f64,
}

fn cumulative(w: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    w.map(|x| {
        acc += x;
        acc
    })
    .collect()
}

/// The employee positive share of each theme in `wave` (the catalogue's, but [`WAVE_THEME`]'s
/// from wave 1 on).
fn employee_positive(p: &Params, wave: u32) -> Vec<f64> {
    THEMES
        .iter()
        .map(|t| if wave > 0 && t.name == WAVE_THEME { p.wave_theme_employee_positive } else { t.employee_positive })
        .collect()
}

fn sector_tables(p: &Params, s: Sector, emp_positive: &[f64]) -> SectorTables {
    let r = |t: &ThemeDef| t.relevance[s.index()];
    let cp: Vec<f64> = THEMES
        .iter()
        .map(|t| t.customer_volume * t.customer_positive * r(t))
        .collect();
    let cn: Vec<f64> = THEMES
        .iter()
        .map(|t| t.customer_volume * (1.0 - t.customer_positive) * r(t))
        .collect();
    let (a, b): (f64, f64) = (cp.iter().sum(), cn.iter().sum());
    let norm = |v: Vec<f64>, tot: f64| {
        let tot = if tot > 0.0 { tot } else { 1.0 };
        cumulative(v.into_iter().map(|x| x / tot))
    };
    let ep = cumulative(
        THEMES
            .iter()
            .zip(emp_positive)
            .map(|(t, pos)| t.employee_rate * pos * r(t) / p.best_rate),
    );
    let en = cumulative(
        THEMES
            .iter()
            .zip(emp_positive)
            .map(|(t, pos)| t.employee_rate * (1.0 - pos) * r(t) / p.frustrating_rate),
    );
    // Should the catalogue ask for more coded answers than there are answers, scale down.
    let cap = |mut v: Vec<f64>| {
        let last = v.last().copied().unwrap_or(0.0);
        if last > 1.0 {
            v.iter_mut().for_each(|x| *x /= last);
        }
        v
    };
    SectorTables {
        cust_pos: norm(cp, a),
        cust_neg: norm(cn, b),
        emp_pos: cap(ep),
        emp_neg: cap(en),
        cust_positive_share: if a + b > 0.0 { a / (a + b) } else { 0.5 },
    }
}

/// Draws an index from cumulative weights for a uniform `u` in [0, total); `None` past the end.
fn pick(cum: &[f64], u: f64) -> Option<u16> {
    let i = cum.partition_point(|c| *c <= u);
    (i < cum.len()).then_some(i as u16)
}

/// Calibrated intercepts.
struct Calibration {
    can: f64,
    ideas: f64,
    cost: f64,
    /// Thresholds of P(asked ≤ never), P(≤ rarely), P(≤ yearly).
    asked: [f64; 3],
    /// Answer-rate intercepts of the two employee questions, by sector.
    best: [f64; 6],
    frust: [f64; 6],
    sat_centre: f64,
    /// Valence intercept by sector.
    valence: [f64; 6],
}

// ------------------------------------------------------------------------------------------------
// per-unit generation

struct EmpBase<'a> {
    cf: &'a mut [bool],
    eng: &'a mut [f64],
    tenure: &'a mut [i64],
    trained: &'a mut [bool],
    informed: &'a mut [f64],
    manager: &'a mut [f64],
}

fn gen_employees(p: &Params, st: &StudyPlan, u: &UnitPlan, rng: &mut ChaCha8Rng, o: EmpBase<'_>) {
    let n = o.cf.len();
    let x = st.cf_share * n as f64;
    let mut k = x.floor() as usize;
    if rng.random::<f64>() < x - x.floor() {
        k += 1;
    }
    let k = k.min(n);
    o.cf[..k].fill(true);
    o.cf[k..].fill(false);
    o.cf.shuffle(rng);
    let exp = Exp::new(1.0 / st.tenure_mean).expect("positive rate");
    for j in 0..n {
        let cf = o.cf[j];
        let tenure = (exp.sample(rng).floor()).min(480.0) as i64;
        let informed = 100.0 * sigmoid(0.25 + st.comms + 0.35 * u.manager + 0.9 * normal(rng));
        let manager = 100.0 * sigmoid(0.35 + 0.8 * u.manager + 0.7 * normal(rng));
        let newcomer = tenure < 6;
        let p_tr = sigmoid(
            st.trained_logit + if cf { 1.2 } else { 0.0 } - if newcomer { 1.5 } else { 0.0 },
        );
        let trained = rng.random::<f64>() < p_tr;
        let pred = st.centre
            + u.base
            + p.manager_effect * (manager - 50.0)
            + p.informed_effect * (informed - 50.0)
            + if trained { p.trained_effect } else { 0.0 }
            - p.newcomer_effect * (-(tenure as f64) / 6.0).exp()
            - if cf { st.penalty } else { 0.0 };
        let mut e = f64::NAN;
        for _ in 0..200 {
            let v = pred + p.residual_sd * normal(rng);
            if (0.0..=100.0).contains(&v) {
                e = v;
                break;
            }
        }
        if e.is_nan() {
            e = pred.clamp(0.0, 100.0);
        }
        o.cf[j] = cf;
        o.eng[j] = e;
        o.tenure[j] = tenure;
        o.trained[j] = trained;
        o.informed[j] = informed;
        o.manager[j] = manager;
    }
}

struct Phase2Out<'a> {
    can: &'a mut [bool],
    ideas: &'a mut [bool],
    cost: &'a mut [bool],
    asked: &'a mut [u8],
    sat: &'a mut [f64],
    nps: &'a mut [i64],
}

#[derive(Clone, Copy)]
struct Mention {
    respondent: u32,
    theme: u16,
    positive: bool,
    text: u32,
}

fn mention(
    rng: &mut ChaCha8Rng,
    side: u8,
    respondent: usize,
    theme: u16,
    positive: bool,
) -> Mention {
    let n = variant_count(theme, side, positive).max(1);
    let v = rng.random_range(0..n);
    Mention {
        respondent: respondent as u32,
        theme,
        positive,
        text: text_id(theme, side, positive, v).unwrap_or(0),
    }
}

struct EmpView<'a> {
    cf: &'a [bool],
    eng: &'a [f64],
    tenure: &'a [i64],
    informed: &'a [f64],
}

#[allow(clippy::too_many_arguments)]
fn gen_phase2(
    p: &Params,
    cal: &Calibration,
    tables: &SectorTables,
    sector: Sector,
    u: &UnitPlan,
    mean_eng: f64,
    emp: EmpView<'_>,
    o: Phase2Out<'_>,
    rng: &mut ChaCha8Rng,
) -> (Vec<Mention>, Vec<Mention>) {
    let mut em = Vec::new();
    for j in 0..emp.eng.len() {
        let (e, cf) = (emp.eng[j], emp.cf[j]);
        o.can[j] = rng.random::<f64>() < sigmoid(cal.can + x_can(e));
        o.ideas[j] = rng.random::<f64>() < sigmoid(cal.ideas + x_ideas(e, emp.informed[j]));
        o.cost[j] = rng.random::<f64>() < sigmoid(cal.cost + x_cost(e, emp.tenure[j]));
        let xa = x_asked(e, emp.informed[j]);
        let ua: f64 = rng.random();
        o.asked[j] = if ua < sigmoid(cal.asked[0] - xa) {
            0 // never
        } else if ua < sigmoid(cal.asked[1] - xa) {
            3 // rarely
        } else if ua < sigmoid(cal.asked[2] - xa) {
            1 // yearly
        } else {
            2 // several per year
        };
        let row = u.emp_start + j;
        if rng.random::<f64>() < sigmoid(cal.best[sector.index()] + x_best(e, cf)) {
            if let Some(t) = pick(&tables.emp_pos, rng.random()) {
                em.push(mention(rng, 1, row, t, true));
            }
        }
        if rng.random::<f64>() < sigmoid(cal.frust[sector.index()] + x_frust(e, cf)) {
            if let Some(t) = pick(&tables.emp_neg, rng.random()) {
                em.push(mention(rng, 1, row, t, false));
            }
        }
    }
    let level = cal.sat_centre + p.satisfaction_slope * (mean_eng - 50.0) + u.cx;
    let alpha = cal.valence[sector.index()];
    let mut cm = Vec::new();
    let mut seen: Vec<u16> = Vec::with_capacity(3);
    for j in 0..o.sat.len() {
        let sat = (level + p.satisfaction_sd * normal(rng))
            .round()
            .clamp(0.0, 10.0);
        o.sat[j] = sat;
        o.nps[j] = (sat + p.nps_shift + p.nps_sd * normal(rng))
            .round()
            .clamp(0.0, 10.0) as i64;
        if rng.random::<f64>() < mention_prob(p, sat) {
            let uk: f64 = rng.random();
            let k = if uk < 0.70 {
                1
            } else if uk < 0.92 {
                2
            } else {
                3
            };
            seen.clear();
            let p_pos = sigmoid(alpha + p.valence_slope * (sat - 7.0));
            for _ in 0..k {
                let positive = rng.random::<f64>() < p_pos;
                let cum = if positive {
                    &tables.cust_pos
                } else {
                    &tables.cust_neg
                };
                let total = cum.last().copied().unwrap_or(0.0);
                let Some(t) = pick(cum, rng.random::<f64>() * total) else {
                    continue;
                };
                if seen.contains(&t) {
                    continue;
                }
                seen.push(t);
                cm.push(mention(rng, 0, u.cust_start + j, t, positive));
            }
        }
    }
    (cm, em)
}

// ------------------------------------------------------------------------------------------------

/// The largest synthetic study [`generate`] makes: studies, employees, customers.
pub const MAX_STUDIES: usize = 100_000;
pub const MAX_EMPLOYEES: usize = 10_000_000;
pub const MAX_CUSTOMERS: usize = 50_000_000;

/// Generates with explicit parameters (see [`generate`] for the errors).
pub fn generate_with(cfg: &SynthConfig, p: &Params) -> Result<Synthetic, String> {
    let n_st = cfg.studies;
    if n_st == 0 {
        return Err("synthetic study: `studies` must be at least 1".into());
    }
    let min_units = p.min_units_per_study.max(1);
    if cfg.employees < min_units * n_st {
        return Err(format!(
            "synthetic study: `employees` ({}) must be at least {} × `studies` ({}): every study has at least {} units with at least one employee each",
            cfg.employees, min_units, n_st, min_units
        ));
    }
    // Bounds that keep a generation within this class of machine (about 100 bytes a
    // respondent while generating): a larger study is made by stacking generated files
    // (benchmarks/stream_large.py), never by an allocation that aborts the process.
    for (name, value, max) in [("studies", n_st, MAX_STUDIES), ("employees", cfg.employees, MAX_EMPLOYEES), ("customers", cfg.customers, MAX_CUSTOMERS)] {
        if value > max {
            return Err(format!("synthetic study: `{name}` ({value}) must not exceed {max}"));
        }
    }

    // ---- studies ------------------------------------------------------------------------------
    let mut master = unit_rng(cfg.seed, 0, 0);
    let offset = master.random_range(0..6usize);
    let sectors: Vec<Sector> = (0..n_st)
        .map(|i| Sector::ALL[(i % 6 + offset) % 6])
        .collect();
    // Size weights: an evenly spread, jittered grid dealt in snake order over the sector slots.
    let (wlo, whi) = p.study_weight_range;
    let mut order: Vec<usize> = (0..n_st).collect();
    order.sort_by_key(|&i| {
        let (r, q) = (i / 6, i % 6);
        (r, if r % 2 == 0 { q } else { 5 - q })
    });
    let mut weights = vec![0.0; n_st];
    for (j, &i) in order.iter().enumerate() {
        weights[i] = whi - (whi - wlo) * (j as f64 + master.random::<f64>()) / n_st as f64;
    }
    let biggest = (0..n_st).fold(0, |b, i| if weights[i] > weights[b] { i } else { b });
    let mut perm: Vec<usize> = (0..n_st).collect();
    perm.shuffle(&mut master);
    let mut gap_rank: Vec<usize> = (0..n_st.saturating_sub(1)).collect();
    gap_rank.shuffle(&mut master);
    let mut plans = Vec::with_capacity(n_st);
    let mut gi = 0;
    for i in 0..n_st {
        let centre = p.engagement_centre
            + p.study_spread * ((perm[i] as f64 + master.random::<f64>()) / n_st as f64 - 0.5);
        let (penalty, cf_share) = if i == biggest {
            (p.frontline_gap_max, 0.55)
        } else {
            let (lo, hi) = p.frontline_gap_range;
            let m = (n_st - 1) as f64;
            let pen = lo + (hi - lo) * (gap_rank[gi] as f64 + master.random::<f64>()) / m;
            gi += 1;
            let (clo, chi) = p.customer_facing_range;
            (pen, master.random_range(clo..chi))
        };
        let comms = 0.35 * normal(&mut master);
        let mut trained_logit = -1.2 + 0.4 * normal(&mut master);
        let mut centre = centre;
        if i == biggest {
            // The "up to 20 points" study has median features, so its observed gap (attenuated by
            // training and by the bounds of the scale) is about the same whatever the seed.
            centre = p.engagement_centre;
            trained_logit = -1.2;
        }
        plans.push(StudyPlan {
            sector: sectors[i],
            weight: weights[i],
            centre,
            penalty,
            cf_share,
            comms,
            trained_logit,
            tenure_mean: tenure_mean(sectors[i]),
        });
    }

    // ---- units --------------------------------------------------------------------------------
    let emp_per_study = allocate(cfg.employees, &weights, min_units);
    let mut units: Vec<UnitPlan> = Vec::new();
    let mut unit_infos: Vec<UnitInfo> = Vec::new();
    let mut emp_start = 0;
    for (s, &e_s) in emp_per_study.iter().enumerate() {
        let k = ((e_s as f64 / p.employees_per_unit).round() as usize)
            .max(min_units)
            .min(e_s);
        let w: Vec<f64> = (0..k)
            .map(|_| (p.unit_size_sd * normal(&mut master)).exp())
            .collect();
        let sizes = allocate(e_s, &w, 1);
        let width = k.to_string().len().max(3);
        for (j, &n) in sizes.iter().enumerate() {
            let base = p.unit_sd * normal(&mut master);
            let manager = normal(&mut master);
            let cx = p.unit_cx_sd * normal(&mut master);
            units.push(UnitPlan {
                study: s,
                emp_start,
                emp_len: n,
                cust_start: 0,
                cust_len: 0,
                base,
                manager,
                cx,
            });
            unit_infos.push(UnitInfo {
                name: format!("{}-{:0width$}", plans[s].sector.unit_prefix(), j + 1),
                study: s as u32,
                region: REGIONS[j % REGIONS.len()],
                employees: n as u32,
                customers: 0,
            });
            emp_start += n;
        }
    }
    let n_units = units.len();
    if cfg.customers < n_units {
        return Err(format!(
            "synthetic study: `customers` ({}) must be at least the number of units ({n_units}): every unit has at least one customer",
            cfg.customers
        ));
    }
    let footfall: Vec<f64> = units
        .iter()
        .map(|u| u.emp_len as f64 * (p.footfall_sd * normal(&mut master)).exp())
        .collect();
    let cust_sizes = allocate(cfg.customers, &footfall, 1);
    let mut cust_start = 0;
    for (u, &n) in cust_sizes.iter().enumerate() {
        units[u].cust_start = cust_start;
        units[u].cust_len = n;
        unit_infos[u].customers = n as u32;
        cust_start += n;
    }

    let checkpoint = crate::interrupt::checkpoint();
    let stop = || checkpoint.check().map_err(|e| e.to_string());
    stop()?;
    // ---- phase 1: employees' engagement and covariates ------------------------------------------
    let n_emp = cfg.employees;
    let mut emp = EmployeeCols {
        unit: Vec::with_capacity(n_emp),
        customer_facing: vec![false; n_emp],
        engagement: vec![0.0; n_emp],
        can_contribute: vec![false; n_emp],
        has_ideas: vec![false; n_emp],
        has_cost_ideas: vec![false; n_emp],
        asked_about_customers: vec![0; n_emp],
        tenure_months: vec![0; n_emp],
        trained_customer: vec![false; n_emp],
        informed: vec![0.0; n_emp],
        manager_support: vec![0.0; n_emp],
    };
    for (i, u) in units.iter().enumerate() {
        emp.unit.extend(std::iter::repeat_n(i as u32, u.emp_len));
    }
    let emp_sizes: Vec<usize> = units.iter().map(|u| u.emp_len).collect();
    {
        let mut cf = split_sizes(&mut emp.customer_facing, &emp_sizes).into_iter();
        let mut eng = split_sizes(&mut emp.engagement, &emp_sizes).into_iter();
        let mut ten = split_sizes(&mut emp.tenure_months, &emp_sizes).into_iter();
        let mut tr = split_sizes(&mut emp.trained_customer, &emp_sizes).into_iter();
        let mut inf = split_sizes(&mut emp.informed, &emp_sizes).into_iter();
        let mut mgr = split_sizes(&mut emp.manager_support, &emp_sizes).into_iter();
        let outs: Vec<EmpBase<'_>> = (0..n_units)
            .map(|_| EmpBase {
                cf: cf.next().unwrap_or_default(),
                eng: eng.next().unwrap_or_default(),
                tenure: ten.next().unwrap_or_default(),
                trained: tr.next().unwrap_or_default(),
                informed: inf.next().unwrap_or_default(),
                manager: mgr.next().unwrap_or_default(),
            })
            .collect();
        outs.into_par_iter().enumerate().for_each(|(i, o)| {
            let u = &units[i];
            let mut rng = unit_rng(cfg.seed, respondent_phases(cfg.wave).0, i);
            gen_employees(p, &plans[u.study], u, &mut rng, o);
        });
    }
    let mut unit_mean: Vec<f64> = units
        .par_iter()
        .map(|u| {
            let s = &emp.engagement[u.emp_start..u.emp_start + u.emp_len];
            s.iter().sum::<f64>() / s.len() as f64
        })
        .collect();

    stop()?;
    // ---- calibration ----------------------------------------------------------------------------
    let (e, inf, ten, cfv) = (
        &emp.engagement,
        &emp.informed,
        &emp.tenure_months,
        &emp.customer_facing,
    );
    let asked_cum = [
        p.asked_never,
        p.asked_never + p.asked_rarely,
        p.asked_never + p.asked_rarely + p.asked_yearly,
    ];
    let mut cal = Calibration {
        can: solve_intercept(n_emp, p.can_contribute, |i| x_can(e[i])),
        ideas: solve_intercept(n_emp, p.has_ideas, |i| x_ideas(e[i], inf[i])),
        cost: solve_intercept(n_emp, p.has_cost_ideas, |i| x_cost(e[i], ten[i])),
        asked: asked_cum.map(|c| solve_intercept(n_emp, c, |i| -x_asked(e[i], inf[i]))),
        best: [0.0; 6],
        frust: [0.0; 6],
        sat_centre: 0.0,
        valence: [0.0; 6],
    };
    // Answer rates of the two employee questions, per sector (so that each theme's employee
    // positive share is its `employee_positive`).
    for s in Sector::ALL {
        let rows: Vec<usize> = units
            .iter()
            .filter(|u| plans[u.study].sector == s)
            .flat_map(|u| u.emp_start..u.emp_start + u.emp_len)
            .collect();
        if !rows.is_empty() {
            cal.best[s.index()] = solve_intercept(rows.len(), p.best_rate, |i| {
                x_best(e[rows[i]], cfv[rows[i]])
            });
            cal.frust[s.index()] = solve_intercept(rows.len(), p.frustrating_rate, |i| {
                x_frust(e[rows[i]], cfv[rows[i]])
            });
        }
    }
    // Satisfaction level: share satisfied among customers of each study's top-tercile units.
    let mut top: Vec<usize> = Vec::new();
    let mut first = 0;
    for s in 0..n_st {
        let mut idx: Vec<usize> = (first..)
            .take_while(|&u| u < n_units && units[u].study == s)
            .collect();
        first += idx.len();
        idx.sort_by(|&a, &b| unit_mean[b].total_cmp(&unit_mean[a]).then(a.cmp(&b)));
        top.extend(idx.iter().take(idx.len().div_ceil(3)));
    }
    let top_n: f64 = top.iter().map(|&u| units[u].cust_len as f64).sum();
    let sd = p.satisfaction_sd;
    cal.sat_centre = bisect(-40.0, 40.0, p.satisfied_top_tercile, |mu| {
        top.iter()
            .map(|&u| {
                let m = mu + p.satisfaction_slope * (unit_mean[u] - 50.0) + units[u].cx;
                units[u].cust_len as f64 * norm_cdf((m - 6.5) / sd)
            })
            .sum::<f64>()
            / top_n
    });
    // Valence intercepts: each sector's expected positive share of customer mentions.
    let emp_positive = employee_positive(p, cfg.wave);
    let tables: Vec<SectorTables> = Sector::ALL.iter().map(|&s| sector_tables(p, s, &emp_positive)).collect();
    for s in Sector::ALL {
        let mut w = [0.0f64; 11];
        for (u, plan) in units.iter().enumerate() {
            if plans[plan.study].sector != s {
                continue;
            }
            let m = cal.sat_centre + p.satisfaction_slope * (unit_mean[u] - 50.0) + plan.cx;
            for (k, wk) in w.iter_mut().enumerate() {
                let hi = if k == 10 {
                    1.0
                } else {
                    norm_cdf((k as f64 + 0.5 - m) / sd)
                };
                let lo = if k == 0 {
                    0.0
                } else {
                    norm_cdf((k as f64 - 0.5 - m) / sd)
                };
                *wk += plan.cust_len as f64 * (hi - lo) * mention_prob(p, k as f64);
            }
        }
        let tot: f64 = w.iter().sum();
        if tot > 0.0 {
            cal.valence[s.index()] =
                bisect(-30.0, 30.0, tables[s.index()].cust_positive_share, |a| {
                    w.iter()
                        .enumerate()
                        .map(|(k, wk)| wk * sigmoid(a + p.valence_slope * (k as f64 - 7.0)))
                        .sum::<f64>()
                        / tot
                });
        }
    }

    // ---- the planted region change (after the calibration, which stays the baseline's) ----------
    let gain = p.wave_region_gain * cfg.wave as f64;
    if gain != 0.0 {
        for (i, u) in units.iter().enumerate() {
            if unit_infos[i].region != REGIONS[0] {
                continue;
            }
            let s = &mut emp.engagement[u.emp_start..u.emp_start + u.emp_len];
            s.iter_mut().for_each(|x| *x = (*x + gain).min(100.0));
            unit_mean[i] = s.iter().sum::<f64>() / s.len() as f64;
        }
    }

    stop()?;
    // ---- phase 2: employee items and mentions, customers ----------------------------------------
    let n_cust = cfg.customers;
    let mut cust = CustomerCols {
        unit: Vec::with_capacity(n_cust),
        satisfaction: vec![0.0; n_cust],
        nps: vec![0; n_cust],
    };
    for (i, u) in units.iter().enumerate() {
        cust.unit.extend(std::iter::repeat_n(i as u32, u.cust_len));
    }
    let cust_sizes: Vec<usize> = units.iter().map(|u| u.cust_len).collect();
    let per_unit: Vec<(Vec<Mention>, Vec<Mention>)> = {
        let mut can = split_sizes(&mut emp.can_contribute, &emp_sizes).into_iter();
        let mut ideas = split_sizes(&mut emp.has_ideas, &emp_sizes).into_iter();
        let mut cost = split_sizes(&mut emp.has_cost_ideas, &emp_sizes).into_iter();
        let mut asked = split_sizes(&mut emp.asked_about_customers, &emp_sizes).into_iter();
        let mut sat = split_sizes(&mut cust.satisfaction, &cust_sizes).into_iter();
        let mut nps = split_sizes(&mut cust.nps, &cust_sizes).into_iter();
        let outs: Vec<Phase2Out<'_>> = (0..n_units)
            .map(|_| Phase2Out {
                can: can.next().unwrap_or_default(),
                ideas: ideas.next().unwrap_or_default(),
                cost: cost.next().unwrap_or_default(),
                asked: asked.next().unwrap_or_default(),
                sat: sat.next().unwrap_or_default(),
                nps: nps.next().unwrap_or_default(),
            })
            .collect();
        let (eng, cfs, tens, infs) = (
            &emp.engagement,
            &emp.customer_facing,
            &emp.tenure_months,
            &emp.informed,
        );
        outs.into_par_iter()
            .enumerate()
            .map(|(i, o)| {
                let u = &units[i];
                let r = u.emp_start..u.emp_start + u.emp_len;
                let view = EmpView {
                    cf: &cfs[r.clone()],
                    eng: &eng[r.clone()],
                    tenure: &tens[r.clone()],
                    informed: &infs[r],
                };
                let sector = plans[u.study].sector;
                let mut rng = unit_rng(cfg.seed, respondent_phases(cfg.wave).1, i);
                gen_phase2(
                    p,
                    &cal,
                    &tables[sector.index()],
                    sector,
                    u,
                    unit_mean[i],
                    view,
                    o,
                    &mut rng,
                )
            })
            .collect()
    };
    let n_c: usize = per_unit.iter().map(|m| m.0.len()).sum();
    let n_m = n_c + per_unit.iter().map(|m| m.1.len()).sum::<usize>();
    let mut mentions = MentionCols {
        side: Vec::with_capacity(n_m),
        respondent: Vec::with_capacity(n_m),
        theme: Vec::with_capacity(n_m),
        positive: Vec::with_capacity(n_m),
        text: Vec::with_capacity(n_m),
    };
    mentions.side.resize(n_c, 0);
    mentions.side.resize(n_m, 1);
    for m in per_unit
        .iter()
        .flat_map(|m| m.0.iter())
        .chain(per_unit.iter().flat_map(|m| m.1.iter()))
    {
        mentions.respondent.push(m.respondent);
        mentions.theme.push(m.theme);
        mentions.positive.push(m.positive);
        mentions.text.push(m.text);
    }

    stop()?;
    // ---- names ------------------------------------------------------------------------------------
    let mut count = [0usize; 6];
    let per_sector: Vec<usize> = Sector::ALL
        .iter()
        .map(|s| sectors.iter().filter(|x| *x == s).count())
        .collect();
    let studies = plans
        .iter()
        .map(|pl| {
            let si = pl.sector.index();
            count[si] += 1;
            let width = per_sector[si].to_string().len().max(2);
            StudyInfo {
                name: format!("{}-{:0width$}", pl.sector.as_str(), count[si]),
                sector: pl.sector,
                weight: pl.weight,
                frontline_penalty: pl.penalty,
                customer_facing_share: pl.cf_share,
            }
        })
        .collect();
    let themes = THEMES
        .iter()
        .map(|t| ThemeInfo {
            name: t.name.to_string(),
            intended: t.intended,
        })
        .collect();
    Ok(Synthetic {
        studies,
        units: unit_infos,
        themes,
        employees: emp,
        customers: cust,
        mentions,
    })
}

// ------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
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
        let asked = |v: u8| {
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
            asked_yearly: asked(1),
            asked_never: asked(0),
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
            assert!(e.asked_about_customers.iter().all(|x| *x <= 3));
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
