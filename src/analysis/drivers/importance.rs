//! Relative importance of the drivers: LMG from the (weighted) scatter of the centred columns,
//! and its stratified cluster bootstrap (per-unit sufficient statistics, seeded streams).

use super::design::Design;
use super::DriverOptions;
use crate::error::{MiroirError, Result};
use crate::interrupt::checkpoint;
use crate::stats::relimp;
use crate::stats::resample::{below, stream};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// The relative importance of the drivers in a design (its centred columns `cols`, outcome
/// first): LMG, R², shares of R², ranks, and with `n_resamples` the cluster-bootstrap
/// percentile intervals of the shares and `p_first` (NaN without).
pub(crate) struct Importance {
    pub lmg: Vec<f64>,
    pub r2: f64,
    pub share: Vec<f64>,
    pub rank: Vec<u64>,
    pub ci_low: Vec<f64>,
    pub ci_high: Vec<f64>,
    pub p_first: Vec<f64>,
}

pub(super) fn importance(
    d: &Design,
    cols: &[Vec<f64>],
    p: usize,
    controls: usize,
    o: &DriverOptions,
    notes: &mut Vec<String>,
) -> Result<Importance> {
    importance_from(&scatter_of(d, cols), &cluster_sums(d, cols), &d.cluster_study, d.n_studies, p, controls, o, notes)
}

/// The weighted scatter `Σ w·c cᵀ` of the centred columns `cols` of a design (outcome first),
/// row-major.
pub(crate) fn scatter_of(d: &Design, cols: &[Vec<f64>]) -> Vec<f64> {
    let (n, m) = (d.y.len(), cols.len());
    let mut sc = vec![0.0; m * m];
    for a in 0..m {
        for b in a..m {
            let v: f64 = (0..n).map(|i| d.w[i] * cols[a][i] * cols[b][i]).sum();
            sc[a * m + b] = v;
            sc[b * m + a] = v;
        }
    }
    sc
}

/// [`importance`] from the scatter of the centred columns and the per-cluster sums of the
/// design's rows (clusters of study `cluster_study[c]`, in the order of the units' codes).
#[allow(clippy::too_many_arguments)]
pub(crate) fn importance_from(
    sc: &[f64],
    cs: &ClusterSums,
    cluster_study: &[u32],
    n_studies: usize,
    p: usize,
    controls: usize,
    o: &DriverOptions,
    notes: &mut Vec<String>,
) -> Result<Importance> {
    let (l, r2) = lmg(sc, p, controls)?;
    let share: Vec<f64> = l.iter().map(|v| v / l.iter().sum::<f64>()).collect();
    let rank = ranks(&l);
    let (mut ci_low, mut ci_high, mut p_first) = (vec![f64::NAN; p], vec![f64::NAN; p], vec![f64::NAN; p]);
    if o.n_resamples > 0 {
        let (boot, first, skipped) = bootstrap_shares(cs, cluster_study, n_studies, p, controls, o)?;
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
    Ok(Importance { lmg: l, r2, share, rank, ci_low, ci_high, p_first })
}

/// Per-cluster sufficient statistics of the centred columns `v = (y, x)`: `Σw`, `Σw·v`,
/// `Σw·v vᵀ` (a full `(p+1)²` block of which the upper triangle is read), one entry per cluster.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ClusterSums {
    m: usize,
    w: Vec<f64>,
    s: Vec<f64>,
    ss: Vec<f64>,
}

impl ClusterSums {
    /// No cluster, `m` columns.
    pub(crate) fn new(m: usize) -> ClusterSums {
        ClusterSums { m, w: Vec::new(), s: Vec::new(), ss: Vec::new() }
    }

    /// Each cluster's `Σw` and `Σw·v` (row-major, `m` per cluster).
    pub(crate) fn sums(&self) -> (&[f64], &[f64]) {
        (&self.w, &self.s)
    }

    /// Appends one cluster: its `Σw`, `Σw·v` and `Σw·v vᵀ` (row-major `m × m`).
    pub(crate) fn push(&mut self, w: f64, s: &[f64], ss: &[f64]) {
        debug_assert!(s.len() == self.m && ss.len() == self.m * self.m);
        self.w.push(w);
        self.s.extend_from_slice(s);
        self.ss.extend_from_slice(ss);
    }
}

/// The per-cluster sums of the centred columns `cols` of a design (outcome first). A resample's
/// scatter centres them again within its strata, which are studies (or the whole sample when
/// the columns are centred overall): a shift common to a stratum does not change it, and the
/// centred values keep the sums free of the cancellation that large means would cause.
pub(crate) fn cluster_sums(d: &Design, cols: &[Vec<f64>]) -> ClusterSums {
    let m = cols.len();
    let k = d.cluster_study.len();
    let (mut w, mut s, mut ss) = (vec![0.0; k], vec![0.0; k * m], vec![0.0; k * m * m]);
    let mut v = vec![0.0; m];
    for i in 0..d.y.len() {
        let c = d.cluster[i];
        for (j, col) in cols.iter().enumerate() {
            v[j] = col[i];
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
fn bootstrap_shares(
    cs: &ClusterSums,
    cluster_study: &[u32],
    g: usize,
    p: usize,
    controls: usize,
    o: &DriverOptions,
) -> Result<(Vec<Vec<f64>>, Vec<u64>, usize)> {
    let mut strata: Vec<Vec<usize>> = vec![Vec::new(); if o.adjust_for_study { g } else { 1 }];
    for (c, &s) in cluster_study.iter().enumerate() {
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
            let sc = scatter(cs, draw, cluster_study, g, o.adjust_for_study);
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

