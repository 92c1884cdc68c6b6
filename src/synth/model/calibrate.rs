//! The calibration: the linear predictors shared with the draws, the per-sector theme tables,
//! and the intercepts and thresholds solved so that the population-average probabilities equal
//! the published shares (Newton on the logit intercepts, bisection on the customer levels).

use rayon::prelude::*;
use statrs::function::erf::erfc;

use super::design::{StudyPlan, UnitPlan};
use super::{EmployeeCols, Params, WAVE_THEME};
use crate::synth::themes::{Sector, ThemeDef, THEMES};

/// Midpoint of the 0–100 scales (engagement, informed, manager_support).
const SCALE_MID: f64 = 50.0;
/// The spread `z = (engagement − 50)/20` standardises the 0–100 scales by.
const SCALE_SD: f64 = 20.0;
/// A customer is satisfied when the rounded satisfaction is at least 7, that is when the latent
/// score is at least 6.5.
const SATISFIED_CUT: f64 = 6.5;
/// Bracket of the bisection for the satisfaction centre μ.
const SAT_CENTRE_BRACKET: (f64, f64) = (-40.0, 40.0);
/// Bracket of the bisection for a sector's valence intercept α_s.
const VALENCE_BRACKET: (f64, f64) = (-30.0, 30.0);

pub(super) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Standard normal CDF.
pub(super) fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
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
fn bisect((mut lo, mut hi): (f64, f64), target: f64, f: impl Fn(f64) -> f64) -> f64 {
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
    (e - SCALE_MID) / SCALE_SD
}
pub(super) fn x_can(p: &Params, e: f64) -> f64 {
    p.can_engagement * zscore(e)
}
pub(super) fn x_ideas(p: &Params, e: f64, informed: f64) -> f64 {
    p.ideas_engagement * zscore(e) + p.ideas_informed * (informed - SCALE_MID) / SCALE_SD
}
pub(super) fn x_cost(p: &Params, e: f64, tenure: i64) -> f64 {
    p.cost_engagement * zscore(e) + if tenure >= p.cost_tenure_months { p.cost_tenure } else { 0.0 }
}
pub(super) fn x_asked(p: &Params, e: f64, informed: f64) -> f64 {
    p.asked_engagement * zscore(e) + p.asked_informed * (informed - SCALE_MID) / SCALE_SD
}
pub(super) fn x_best(p: &Params, e: f64, cf: bool) -> f64 {
    p.best_engagement * zscore(e) + if cf { p.answer_customer_facing } else { 0.0 }
}
pub(super) fn x_frust(p: &Params, e: f64, cf: bool) -> f64 {
    p.frustrating_engagement * zscore(e) + if cf { p.answer_customer_facing } else { 0.0 }
}

pub(super) fn mention_prob(p: &Params, sat: f64) -> f64 {
    sigmoid(p.mention_intercept + p.mention_extremity * (sat - p.mention_centre).abs())
}

/// A unit's customer level `m_u = μ + slope·(ē_u − 50) + c_u`.
pub(super) fn unit_level(p: &Params, centre: f64, mean_eng: f64, cx: f64) -> f64 {
    centre + p.satisfaction_slope * (mean_eng - SCALE_MID) + cx
}

// ------------------------------------------------------------------------------------------------
// theme tables

/// Per-sector cumulative theme weights.
pub(super) struct SectorTables {
    /// Normalised cumulative weights of customer themes given valence.
    pub cust_pos: Vec<f64>,
    pub cust_neg: Vec<f64>,
    /// Cumulative probabilities that an answer is coded to each theme (total ≤ 1; the rest is
    /// left uncoded).
    pub emp_pos: Vec<f64>,
    pub emp_neg: Vec<f64>,
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

fn sector_table(p: &Params, s: Sector, emp_positive: &[f64]) -> SectorTables {
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

/// The theme tables of every sector in `wave`, in [`Sector::ALL`] order.
pub(super) fn sector_tables(p: &Params, wave: u32) -> Vec<SectorTables> {
    let emp_positive = employee_positive(p, wave);
    Sector::ALL.iter().map(|&s| sector_table(p, s, &emp_positive)).collect()
}

// ------------------------------------------------------------------------------------------------
// calibration

/// Calibrated intercepts.
pub(super) struct Calibration {
    pub can: f64,
    pub ideas: f64,
    pub cost: f64,
    /// Thresholds of P(asked ≤ never), P(≤ rarely), P(≤ yearly).
    pub asked: [f64; 3],
    /// Answer-rate intercepts of the two employee questions, by sector.
    pub best: [f64; 6],
    pub frust: [f64; 6],
    pub sat_centre: f64,
    /// Valence intercept by sector.
    pub valence: [f64; 6],
}

/// What the calibration reads: the design and the employees' engagement (phase 1).
pub(super) struct Drawn<'a> {
    pub plans: &'a [StudyPlan],
    pub units: &'a [UnitPlan],
    pub emp: &'a EmployeeCols,
    pub unit_mean: &'a [f64],
}

/// Solves every intercept of the model on the employees drawn in phase 1.
pub(super) fn calibrate(p: &Params, d: &Drawn<'_>, tables: &[SectorTables]) -> Calibration {
    let n_emp = d.emp.engagement.len();
    let (e, inf, ten) = (&d.emp.engagement, &d.emp.informed, &d.emp.tenure_months);
    let asked_cum = [
        p.asked_never,
        p.asked_never + p.asked_rarely,
        p.asked_never + p.asked_rarely + p.asked_yearly,
    ];
    let mut cal = Calibration {
        can: solve_intercept(n_emp, p.can_contribute, |i| x_can(p, e[i])),
        ideas: solve_intercept(n_emp, p.has_ideas, |i| x_ideas(p, e[i], inf[i])),
        cost: solve_intercept(n_emp, p.has_cost_ideas, |i| x_cost(p, e[i], ten[i])),
        asked: asked_cum.map(|c| solve_intercept(n_emp, c, |i| -x_asked(p, e[i], inf[i]))),
        best: [0.0; 6],
        frust: [0.0; 6],
        sat_centre: 0.0,
        valence: [0.0; 6],
    };
    answer_rates(p, d, &mut cal);
    cal.sat_centre = satisfaction_centre(p, d);
    for s in Sector::ALL {
        if let Some(a) = valence_intercept(p, d, cal.sat_centre, s, tables[s.index()].cust_positive_share) {
            cal.valence[s.index()] = a;
        }
    }
    cal
}

/// Answer rates of the two employee questions, per sector (so that each theme's employee
/// positive share is its `employee_positive`).
fn answer_rates(p: &Params, d: &Drawn<'_>, cal: &mut Calibration) {
    let (e, cfv) = (&d.emp.engagement, &d.emp.customer_facing);
    for s in Sector::ALL {
        let rows: Vec<usize> = d
            .units
            .iter()
            .filter(|u| d.plans[u.study].sector == s)
            .flat_map(|u| u.emp_start..u.emp_start + u.emp_len)
            .collect();
        if !rows.is_empty() {
            cal.best[s.index()] = solve_intercept(rows.len(), p.best_rate, |i| {
                x_best(p, e[rows[i]], cfv[rows[i]])
            });
            cal.frust[s.index()] = solve_intercept(rows.len(), p.frustrating_rate, |i| {
                x_frust(p, e[rows[i]], cfv[rows[i]])
            });
        }
    }
}

/// Satisfaction level μ: the share satisfied among customers of each study's top-tercile units
/// is `satisfied_top_tercile`.
fn satisfaction_centre(p: &Params, d: &Drawn<'_>) -> f64 {
    let (units, unit_mean) = (d.units, d.unit_mean);
    let n_units = units.len();
    let mut top: Vec<usize> = Vec::new();
    let mut first = 0;
    for s in 0..d.plans.len() {
        let mut idx: Vec<usize> = (first..)
            .take_while(|&u| u < n_units && units[u].study == s)
            .collect();
        first += idx.len();
        idx.sort_by(|&a, &b| unit_mean[b].total_cmp(&unit_mean[a]).then(a.cmp(&b)));
        top.extend(idx.iter().take(idx.len().div_ceil(3)));
    }
    let top_n: f64 = top.iter().map(|&u| units[u].cust_len as f64).sum();
    let sd = p.satisfaction_sd;
    bisect(SAT_CENTRE_BRACKET, p.satisfied_top_tercile, |mu| {
        top.iter()
            .map(|&u| {
                let m = unit_level(p, mu, unit_mean[u], units[u].cx);
                units[u].cust_len as f64 * norm_cdf((m - SATISFIED_CUT) / sd)
            })
            .sum::<f64>()
            / top_n
    })
}

/// Valence intercept α_s of sector `s`: its expected positive share of customer mentions is
/// `positive_share`. `None` for a sector without customers.
fn valence_intercept(p: &Params, d: &Drawn<'_>, sat_centre: f64, s: Sector, positive_share: f64) -> Option<f64> {
    let sd = p.satisfaction_sd;
    // w[k]: expected number of customers at satisfaction k who write
    let mut w = [0.0f64; 11];
    for (u, plan) in d.units.iter().enumerate() {
        if d.plans[plan.study].sector != s {
            continue;
        }
        let m = unit_level(p, sat_centre, d.unit_mean[u], plan.cx);
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
    (tot > 0.0).then(|| {
        bisect(VALENCE_BRACKET, positive_share, |a| {
            w.iter()
                .enumerate()
                .map(|(k, wk)| wk * sigmoid(a + p.valence_slope * (k as f64 - p.valence_centre)))
                .sum::<f64>()
                / tot
        })
    })
}
