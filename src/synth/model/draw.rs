//! The respondents' draws, unit by unit, each unit from its own ChaCha8 streams: phase 1 the
//! employees' engagement and covariates, phase 2 (after the calibration) the employee items and
//! mentions, then the customers and their mentions.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, StandardNormal};
use rayon::prelude::*;

use super::calibrate::{mention_prob, sigmoid, unit_level, x_asked, x_best, x_can, x_cost, x_frust, x_ideas, Calibration, SectorTables};
use super::design::{respondent_phases, unit_rng, StudyPlan, UnitPlan};
use super::{Asked, CustomerCols, EmployeeCols, MentionCols, Params, SynthConfig, UnitInfo, REGIONS};
use crate::synth::themes::{text_id, variant_count, Sector};

pub(super) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
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

/// `$n` values `$out`, one per unit, each field the unit's rows of a column (`split_sizes` by `$sizes`).
macro_rules! per_unit {
    ($n:expr, $out:ident { $($field:ident: $col:expr, $sizes:expr;)* }) => {{
        $(let mut $field = split_sizes($col, $sizes).into_iter();)*
        (0..$n).map(|_| $out { $($field: $field.next().unwrap_or_default()),* }).collect::<Vec<$out<'_>>>()
    }};
}

/// Draws an index from cumulative weights for a uniform `u` in [0, total); `None` past the end.
fn pick(cum: &[f64], u: f64) -> Option<u16> {
    let i = cum.partition_point(|c| *c <= u);
    (i < cum.len()).then_some(i as u16)
}

// ------------------------------------------------------------------------------------------------
// phase 1: employees' engagement and covariates

struct EmpBase<'a> {
    cf: &'a mut [bool],
    eng: &'a mut [f64],
    tenure: &'a mut [i64],
    trained: &'a mut [bool],
    informed: &'a mut [f64],
    manager: &'a mut [f64],
}

/// `engagement` drawn from a normal around `pred`, redrawn until it lies in [0, 100] (a
/// truncated normal; after 200 misses, `pred` clamped).
fn truncated_engagement(pred: f64, sd: f64, rng: &mut ChaCha8Rng) -> f64 {
    for _ in 0..200 {
        let v = pred + sd * normal(rng);
        if (0.0..=100.0).contains(&v) {
            return v;
        }
    }
    pred.clamp(0.0, 100.0)
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
        let tenure = (exp.sample(rng).floor()).min(p.max_tenure_months) as i64;
        let informed = 100.0
            * sigmoid(p.informed_intercept + st.comms + p.informed_manager * u.manager + p.informed_noise * normal(rng));
        let manager = 100.0
            * sigmoid(p.manager_support_intercept + p.manager_support_unit * u.manager + p.manager_support_noise * normal(rng));
        let newcomer = tenure < p.newcomer_months;
        let p_tr = sigmoid(
            st.trained_logit + if cf { p.trained_customer_facing } else { 0.0 }
                - if newcomer { p.trained_newcomer } else { 0.0 },
        );
        let trained = rng.random::<f64>() < p_tr;
        let pred = st.centre
            + u.base
            + p.manager_effect * (manager - 50.0)
            + p.informed_effect * (informed - 50.0)
            + if trained { p.trained_effect } else { 0.0 }
            - p.newcomer_effect * (-(tenure as f64) / p.newcomer_months as f64).exp()
            - if cf { st.penalty } else { 0.0 };
        o.cf[j] = cf;
        o.eng[j] = truncated_engagement(pred, p.residual_sd, rng);
        o.tenure[j] = tenure;
        o.trained[j] = trained;
        o.informed[j] = informed;
        o.manager[j] = manager;
    }
}

/// Phase 1 for every unit (in parallel, one stream per unit): the employee table with its
/// engagement and covariates; the items are drawn in phase 2.
pub(super) fn employees(cfg: &SynthConfig, p: &Params, plans: &[StudyPlan], units: &[UnitPlan]) -> EmployeeCols {
    let n_emp = cfg.employees;
    let mut emp = EmployeeCols {
        unit: Vec::with_capacity(n_emp),
        customer_facing: vec![false; n_emp],
        engagement: vec![0.0; n_emp],
        can_contribute: vec![false; n_emp],
        has_ideas: vec![false; n_emp],
        has_cost_ideas: vec![false; n_emp],
        asked_about_customers: vec![Asked::Never; n_emp],
        tenure_months: vec![0; n_emp],
        trained_customer: vec![false; n_emp],
        informed: vec![0.0; n_emp],
        manager_support: vec![0.0; n_emp],
    };
    for (i, u) in units.iter().enumerate() {
        emp.unit.extend(std::iter::repeat_n(i as u32, u.emp_len));
    }
    let sizes: Vec<usize> = units.iter().map(|u| u.emp_len).collect();
    let outs = per_unit!(units.len(), EmpBase {
        cf: &mut emp.customer_facing, &sizes;
        eng: &mut emp.engagement, &sizes;
        tenure: &mut emp.tenure_months, &sizes;
        trained: &mut emp.trained_customer, &sizes;
        informed: &mut emp.informed, &sizes;
        manager: &mut emp.manager_support, &sizes;
    });
    outs.into_par_iter().enumerate().for_each(|(i, o)| {
        let u = &units[i];
        let mut rng = unit_rng(cfg.seed, respondent_phases(cfg.wave).0, i);
        gen_employees(p, &plans[u.study], u, &mut rng, o);
    });
    emp
}

/// Each unit's mean employee engagement.
pub(super) fn unit_means(emp: &EmployeeCols, units: &[UnitPlan]) -> Vec<f64> {
    units
        .par_iter()
        .map(|u| {
            let s = &emp.engagement[u.emp_start..u.emp_start + u.emp_len];
            s.iter().sum::<f64>() / s.len() as f64
        })
        .collect()
}

/// The planted region change of `wave` (after the calibration, which stays the baseline's):
/// the employees of region [`REGIONS`]`[0]` gain `wave_region_gain` points per wave, capped at
/// 100, and their units' means follow.
pub(super) fn plant_region_gain(p: &Params, wave: u32, units: &[UnitPlan], infos: &[UnitInfo], emp: &mut EmployeeCols, unit_mean: &mut [f64]) {
    let gain = p.wave_region_gain * wave as f64;
    if gain != 0.0 {
        for (i, u) in units.iter().enumerate() {
            if infos[i].region != REGIONS[0] {
                continue;
            }
            let s = &mut emp.engagement[u.emp_start..u.emp_start + u.emp_len];
            s.iter_mut().for_each(|x| *x = (*x + gain).min(100.0));
            unit_mean[i] = s.iter().sum::<f64>() / s.len() as f64;
        }
    }
}

// ------------------------------------------------------------------------------------------------
// phase 2: employee items and mentions, customers

struct Phase2Out<'a> {
    can: &'a mut [bool],
    ideas: &'a mut [bool],
    cost: &'a mut [bool],
    asked: &'a mut [Asked],
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

fn mention(rng: &mut ChaCha8Rng, side: u8, respondent: usize, theme: u16, positive: bool) -> Mention {
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

/// What a unit's phase 2 reads besides its rows: the calibration, its sector's tables, its plan
/// and its mean engagement.
struct UnitContext<'a> {
    p: &'a Params,
    cal: &'a Calibration,
    tables: &'a SectorTables,
    sector: Sector,
    u: &'a UnitPlan,
    mean_eng: f64,
}

/// The answer to `asked_about_customers` from the ordered logit (never < rarely < yearly <
/// several per year) for a uniform `ua`.
fn asked(cal: &Calibration, xa: f64, ua: f64) -> Asked {
    if ua < sigmoid(cal.asked[0] - xa) {
        Asked::Never
    } else if ua < sigmoid(cal.asked[1] - xa) {
        Asked::Rarely
    } else if ua < sigmoid(cal.asked[2] - xa) {
        Asked::Yearly
    } else {
        Asked::SeveralPerYear
    }
}

/// The unit's employee items and their "best" / "most frustrating" mentions.
fn employee_items(c: &UnitContext<'_>, emp: &EmpView<'_>, o: &mut Phase2Out<'_>, rng: &mut ChaCha8Rng) -> Vec<Mention> {
    let (p, cal, si) = (c.p, c.cal, c.sector.index());
    let mut em = Vec::new();
    for j in 0..emp.eng.len() {
        let (e, cf) = (emp.eng[j], emp.cf[j]);
        o.can[j] = rng.random::<f64>() < sigmoid(cal.can + x_can(p, e));
        o.ideas[j] = rng.random::<f64>() < sigmoid(cal.ideas + x_ideas(p, e, emp.informed[j]));
        o.cost[j] = rng.random::<f64>() < sigmoid(cal.cost + x_cost(p, e, emp.tenure[j]));
        let xa = x_asked(p, e, emp.informed[j]);
        o.asked[j] = asked(cal, xa, rng.random());
        let row = c.u.emp_start + j;
        if rng.random::<f64>() < sigmoid(cal.best[si] + x_best(p, e, cf)) {
            if let Some(t) = pick(&c.tables.emp_pos, rng.random()) {
                em.push(mention(rng, 1, row, t, true));
            }
        }
        if rng.random::<f64>() < sigmoid(cal.frust[si] + x_frust(p, e, cf)) {
            if let Some(t) = pick(&c.tables.emp_neg, rng.random()) {
                em.push(mention(rng, 1, row, t, false));
            }
        }
    }
    em
}

/// The unit's customers (satisfaction, NPS) and their mentions: 1–3 distinct themes.
fn customers(c: &UnitContext<'_>, o: &mut Phase2Out<'_>, rng: &mut ChaCha8Rng) -> Vec<Mention> {
    let p = c.p;
    let level = unit_level(p, c.cal.sat_centre, c.mean_eng, c.u.cx);
    let alpha = c.cal.valence[c.sector.index()];
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
            let k = if uk < p.mention_counts[0] {
                1
            } else if uk < p.mention_counts[1] {
                2
            } else {
                3
            };
            seen.clear();
            let p_pos = sigmoid(alpha + p.valence_slope * (sat - p.valence_centre));
            for _ in 0..k {
                let positive = rng.random::<f64>() < p_pos;
                let cum = if positive {
                    &c.tables.cust_pos
                } else {
                    &c.tables.cust_neg
                };
                let total = cum.last().copied().unwrap_or(0.0);
                let Some(t) = pick(cum, rng.random::<f64>() * total) else {
                    continue;
                };
                if seen.contains(&t) {
                    continue;
                }
                seen.push(t);
                cm.push(mention(rng, 0, c.u.cust_start + j, t, positive));
            }
        }
    }
    cm
}

/// What phase 2 reads: the design, the calibration and the units' mean engagement.
pub(super) struct Phase2<'a> {
    pub cfg: &'a SynthConfig,
    pub p: &'a Params,
    pub plans: &'a [StudyPlan],
    pub units: &'a [UnitPlan],
    pub cal: &'a Calibration,
    pub tables: &'a [SectorTables],
    pub unit_mean: &'a [f64],
}

/// Phase 2 for every unit (in parallel, one stream per unit): fills the employee items, draws
/// the customer table, and returns the mentions (customers' then employees', in row order).
pub(super) fn respondents(d: &Phase2<'_>, emp: &mut EmployeeCols) -> (CustomerCols, MentionCols) {
    let n_cust = d.cfg.customers;
    let mut cust = CustomerCols {
        unit: Vec::with_capacity(n_cust),
        satisfaction: vec![0.0; n_cust],
        nps: vec![0; n_cust],
    };
    for (i, u) in d.units.iter().enumerate() {
        cust.unit.extend(std::iter::repeat_n(i as u32, u.cust_len));
    }
    let emp_sizes: Vec<usize> = d.units.iter().map(|u| u.emp_len).collect();
    let cust_sizes: Vec<usize> = d.units.iter().map(|u| u.cust_len).collect();
    let outs = per_unit!(d.units.len(), Phase2Out {
        can: &mut emp.can_contribute, &emp_sizes;
        ideas: &mut emp.has_ideas, &emp_sizes;
        cost: &mut emp.has_cost_ideas, &emp_sizes;
        asked: &mut emp.asked_about_customers, &emp_sizes;
        sat: &mut cust.satisfaction, &cust_sizes;
        nps: &mut cust.nps, &cust_sizes;
    });
    let (eng, cfs, tens, infs) = (&emp.engagement, &emp.customer_facing, &emp.tenure_months, &emp.informed);
    let per_unit: Vec<(Vec<Mention>, Vec<Mention>)> = outs
        .into_par_iter()
        .enumerate()
        .map(|(i, mut o)| {
            let u = &d.units[i];
            let r = u.emp_start..u.emp_start + u.emp_len;
            let view = EmpView {
                cf: &cfs[r.clone()],
                eng: &eng[r.clone()],
                tenure: &tens[r.clone()],
                informed: &infs[r],
            };
            let sector = d.plans[u.study].sector;
            let c = UnitContext { p: d.p, cal: d.cal, tables: &d.tables[sector.index()], sector, u, mean_eng: d.unit_mean[i] };
            let mut rng = unit_rng(d.cfg.seed, respondent_phases(d.cfg.wave).1, i);
            let em = employee_items(&c, &view, &mut o, &mut rng);
            (customers(&c, &mut o, &mut rng), em)
        })
        .collect();
    (cust, mention_cols(&per_unit))
}

/// The mentions of every unit as columns: all customer mentions, then all employee mentions.
fn mention_cols(per_unit: &[(Vec<Mention>, Vec<Mention>)]) -> MentionCols {
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
    mentions
}
