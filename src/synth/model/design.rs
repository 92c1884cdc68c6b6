//! The design of a generation, drawn sequentially from the seed's design stream: the studies
//! (sector, size weight, engagement centre, front-line penalty, ...), their units (sizes,
//! latents, customer counts) and the names of both.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::draw::normal;
use super::{Params, StudyInfo, UnitInfo, REGIONS};
use crate::synth::themes::Sector;

/// The seed's stream `phase` for `unit` (phase 0, unit 0: the design stream).
pub(super) fn unit_rng(seed: u64, phase: u64, unit: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((phase << 48) | unit as u64);
    rng
}

/// The respondent phases' stream numbers of a wave (1 and 2 for wave 0; the design stream 0 is
/// shared by every wave).
pub(super) fn respondent_phases(wave: u32) -> (u64, u64) {
    (1 + 2 * wave as u64, 2 + 2 * wave as u64)
}

/// Splits `total` into `weights.len()` parts of at least `min`, the rest in proportion to the
/// weights (largest remainders; ties to the lower index).
pub(super) fn allocate(total: usize, weights: &[f64], min: usize) -> Vec<usize> {
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

/// One study's design.
pub(super) struct StudyPlan {
    pub sector: Sector,
    pub weight: f64,
    pub centre: f64,
    pub penalty: f64,
    pub cf_share: f64,
    pub comms: f64,
    pub trained_logit: f64,
    pub tenure_mean: f64,
}

/// One unit's design: its rows and latents.
pub(super) struct UnitPlan {
    pub study: usize,
    pub emp_start: usize,
    pub emp_len: usize,
    pub cust_start: usize,
    pub cust_len: usize,
    pub base: f64,
    pub manager: f64,
    pub cx: f64,
}

/// The sectors of `n_st` studies: the six sectors in turn from a seed-chosen offset.
fn sectors(n_st: usize, master: &mut ChaCha8Rng) -> Vec<Sector> {
    let offset = master.random_range(0..6usize);
    (0..n_st).map(|i| Sector::ALL[(i % 6 + offset) % 6]).collect()
}

/// Size weights: an evenly spread, jittered grid dealt in snake order over the sector slots.
fn weights(n_st: usize, p: &Params, master: &mut ChaCha8Rng) -> Vec<f64> {
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
    weights
}

/// The studies' designs (see the module documentation of [`super`]).
pub(super) fn studies(n_st: usize, p: &Params, master: &mut ChaCha8Rng) -> Vec<StudyPlan> {
    let sectors = sectors(n_st, master);
    let weights = weights(n_st, p, master);
    let biggest = (0..n_st).fold(0, |b, i| if weights[i] > weights[b] { i } else { b });
    let mut perm: Vec<usize> = (0..n_st).collect();
    perm.shuffle(master);
    let mut gap_rank: Vec<usize> = (0..n_st.saturating_sub(1)).collect();
    gap_rank.shuffle(master);
    let mut plans = Vec::with_capacity(n_st);
    let mut gi = 0;
    for i in 0..n_st {
        let centre = p.engagement_centre
            + p.study_spread * ((perm[i] as f64 + master.random::<f64>()) / n_st as f64 - 0.5);
        let (penalty, cf_share) = if i == biggest {
            (p.frontline_gap_max, p.largest_customer_facing)
        } else {
            let (lo, hi) = p.frontline_gap_range;
            let m = (n_st - 1) as f64;
            let pen = lo + (hi - lo) * (gap_rank[gi] as f64 + master.random::<f64>()) / m;
            gi += 1;
            let (clo, chi) = p.customer_facing_range;
            (pen, master.random_range(clo..chi))
        };
        let comms = p.comms_sd * normal(master);
        let mut trained_logit = p.trained_centre + p.trained_sd * normal(master);
        let mut centre = centre;
        if i == biggest {
            // The "up to 20 points" study has median features, so its observed gap (attenuated by
            // training and by the bounds of the scale) is about the same whatever the seed.
            centre = p.engagement_centre;
            trained_logit = p.trained_centre;
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
    plans
}

/// The units of every study with their employee rows and latents (customer rows come with
/// [`customers`]).
pub(super) fn units(
    employees: usize,
    plans: &[StudyPlan],
    p: &Params,
    min_units: usize,
    master: &mut ChaCha8Rng,
) -> (Vec<UnitPlan>, Vec<UnitInfo>) {
    let weights: Vec<f64> = plans.iter().map(|pl| pl.weight).collect();
    let emp_per_study = allocate(employees, &weights, min_units);
    let mut units: Vec<UnitPlan> = Vec::new();
    let mut unit_infos: Vec<UnitInfo> = Vec::new();
    let mut emp_start = 0;
    for (s, &e_s) in emp_per_study.iter().enumerate() {
        let k = ((e_s as f64 / p.employees_per_unit).round() as usize)
            .max(min_units)
            .min(e_s);
        let w: Vec<f64> = (0..k)
            .map(|_| (p.unit_size_sd * normal(master)).exp())
            .collect();
        let sizes = allocate(e_s, &w, 1);
        let width = k.to_string().len().max(3);
        for (j, &n) in sizes.iter().enumerate() {
            let base = p.unit_sd * normal(master);
            let manager = normal(master);
            let cx = p.unit_cx_sd * normal(master);
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
    (units, unit_infos)
}

/// Deals `customers` over the units in proportion to staff × a lognormal footfall.
pub(super) fn customers(
    customers: usize,
    units: &mut [UnitPlan],
    unit_infos: &mut [UnitInfo],
    p: &Params,
    master: &mut ChaCha8Rng,
) {
    let footfall: Vec<f64> = units
        .iter()
        .map(|u| u.emp_len as f64 * (p.footfall_sd * normal(master)).exp())
        .collect();
    let cust_sizes = allocate(customers, &footfall, 1);
    let mut cust_start = 0;
    for (u, &n) in cust_sizes.iter().enumerate() {
        units[u].cust_start = cust_start;
        units[u].cust_len = n;
        unit_infos[u].customers = n as u32;
        cust_start += n;
    }
}

/// The studies' names (`"{sector}-{nn}"`, numbered within the sector) and ground truth.
pub(super) fn study_infos(plans: &[StudyPlan]) -> Vec<StudyInfo> {
    let mut count = [0usize; 6];
    let per_sector: Vec<usize> = Sector::ALL
        .iter()
        .map(|s| plans.iter().filter(|x| x.sector == *s).count())
        .collect();
    plans
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
        .collect()
}
