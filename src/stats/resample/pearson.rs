//! The bootstrap interval of Pearson's r, from five running sums per resample.

use super::engine::{bootstrap_extras, fill_bootstrap, method_label, Clusters, Design};
use super::interval::bootstrap_interval;
use super::rng::{below, for_each_below, stream};
use super::{BootstrapMethod, BootstrapOptions};
use crate::interrupt::{checkpoint, Checkpoint};
use crate::stats::correlation::{check_pair, is_constant, pearson_r};
use crate::stats::error::StatsResult;
use crate::stats::result::{Alternative, TestResult};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;


/// Scaled deviations from the mean (the resample sums below stay well conditioned for data
/// around 1e9 with a small spread).
pub(super) fn centered(x: &[f64]) -> Vec<f64> {
    let m = crate::stats::descriptive::mean(x);
    let d: Vec<f64> = x.iter().map(|v| v - m).collect();
    let s = d.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    d.into_iter().map(|v| v / s).collect()
}

/// Pearson's r from the five sums of a (multi)set of m rows; NaN when a column is constant.
pub(super) fn r_from_sums(m: f64, sx: f64, sy: f64, sxx: f64, syy: f64, sxy: f64) -> f64 {
    let vx = sxx - sx * sx / m;
    let vy = syy - sy * sy / m;
    ((sxy - sx * sy / m) / (vx * vy).sqrt()).clamp(-1.0, 1.0)
}

/// Per unit, whether the rows outside it share a single value (so leaving it out makes the
/// column constant): prefix and suffix minima and maxima over units, O(n).
fn outside_constant(v: &[f64], design: &Design) -> Vec<bool> {
    let units = design.units();
    let mut lo = vec![f64::INFINITY; units];
    let mut hi = vec![f64::NEG_INFINITY; units];
    for u in 0..units {
        let rows: &[usize] = match &design.clusters {
            None => std::slice::from_ref(&u),
            Some(cl) => cl.rows_of(u),
        };
        for &i in rows {
            lo[u] = lo[u].min(v[i]);
            hi[u] = hi[u].max(v[i]);
        }
    }
    let mut pre = vec![(f64::INFINITY, f64::NEG_INFINITY); units + 1];
    for u in 0..units {
        pre[u + 1] = (pre[u].0.min(lo[u]), pre[u].1.max(hi[u]));
    }
    let mut suf = vec![(f64::INFINITY, f64::NEG_INFINITY); units + 1];
    for u in (0..units).rev() {
        suf[u] = (suf[u + 1].0.min(lo[u]), suf[u + 1].1.max(hi[u]));
    }
    (0..units)
        .map(|u| {
            let (l, h) = (pre[u].0.min(suf[u + 1].0), pre[u].1.max(suf[u + 1].1));
            l >= h // no row outside (l = inf, h = -inf) or a single value
        })
        .collect()
}

/// Pearson's r on every resample, drawing exactly the rows [`Design::draw`] would (same
/// streams, same order) but accumulating the five sums on the fly instead of storing indices.
/// A resample is degenerate (NaN) when x or y is constant on it; that is checked exactly, by
/// replaying the stream, only when a centered sum of squares is suspiciously small.
fn pearson_boot_distribution(
    design: &Design,
    xc: &[f64],
    yc: &[f64],
    n_resamples: usize,
    seed: u64,
    cp: &Checkpoint,
) -> StatsResult<Vec<f64>> {
    let base = ChaCha8Rng::seed_from_u64(seed);
    let sums = |rng: &mut ChaCha8Rng| -> [f64; 6] {
        let mut s = [0.0f64; 6];
        match &design.clusters {
            None => {
                let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
                for_each_below(rng, design.n as u64, design.n, |i| {
                    let (a, b) = (xc[i], yc[i]);
                    sx += a;
                    sy += b;
                    sxx += a * a;
                    syy += b * b;
                    sxy += a * b;
                });
                s = [design.n as f64, sx, sy, sxx, syy, sxy];
            }
            Some(cl) => {
                let k = cl.k() as u64;
                for _ in 0..cl.k() {
                    for &i in cl.rows_of(below(rng, k) as usize) {
                        add_pair(&mut s, xc[i], yc[i]);
                    }
                }
            }
        }
        s
    };
    let boot = (0..n_resamples)
        .into_par_iter()
        .map_init(Vec::new, |buf, i| {
            if cp.is_cancelled() {
                return f64::NAN;
            }
            let mut rng = stream(&base, i as u64);
            let [m, sx, sy, sxx, syy, sxy] = sums(&mut rng);
            let (vx, vy) = (sxx - sx * sx / m, syy - sy * sy / m);
            if vx <= 1e-9 * sxx || vy <= 1e-9 * syy {
                // replay the stream and check constancy exactly
                let mut rng = stream(&base, i as u64);
                design.draw(&mut rng, buf);
                let (x0, y0) = (xc[buf[0]], yc[buf[0]]);
                if buf.iter().all(|&j| xc[j] == x0) || buf.iter().all(|&j| yc[j] == y0) {
                    return f64::NAN;
                }
            }
            r_from_sums(m, sx, sy, sxx, syy, sxy)
        })
        .collect();
    cp.check()?;
    Ok(boot)
}

/// Bootstrap confidence interval of Pearson's r (rows or whole clusters resampled).
///
/// Each resample's r comes from five sums accumulated while its rows are drawn (no
/// per-resample allocation): 9,999 BCa resamples of 1,000 pairs take ~10 ms on two idle cores
/// (~20 ms on one), release build. A resample in which x or
/// y is constant has no correlation: it is left out and counted (extra `n_degenerate`, with a
/// note) — scipy.stats.bootstrap would return a NaN interval. The BCa jackknife (leave one row,
/// or one cluster, out) is computed in O(n) from the totals. Method and extras as
/// [`super::bootstrap`] / [`bootstrap_interval`]; `estimate` is
/// [`crate::stats::correlation::pearson`]'s r.
///
/// Compare with `scipy.stats.bootstrap((x, y), statistic=lambda x, y: pearsonr(x, y).statistic,
/// paired=True, method="BCa")`: same estimator and interval construction, different random
/// streams, so intervals agree within Monte Carlo error (not bit for bit).
///
/// Errors: unequal lengths, fewer than 3 pairs, NaN/inf, invalid options (`n_resamples`
/// outside `[2, MAX_RESAMPLES]`) or cluster codes, [`StatsError::Interrupted`](crate::stats::StatsError::Interrupted) when cancelled. A
/// constant column gives NaN with a note.
pub fn bootstrap_pearson(
    x: &[f64],
    y: &[f64],
    n_resamples: usize,
    method: BootstrapMethod,
    seed: u64,
    confidence: f64,
    clusters: Option<&[usize]>,
) -> StatsResult<TestResult> {
    let opts = BootstrapOptions { n_resamples, method, seed, confidence };
    opts.check()?;
    check_pair(x, y, 3)?;
    let n = x.len();
    let design = Design::new(n, clusters)?;
    let mut res = TestResult::new(
        method_label("Pearson correlation", method, design.clusters.is_some()),
        Alternative::TwoSided,
        n as u64,
    );
    bootstrap_extras(&mut res, n_resamples, design.clusters.as_ref().map(Clusters::k));
    if is_constant(x) || is_constant(y) {
        res.push_note("a column is constant: the correlation is undefined");
        return Ok(res);
    }
    let theta_hat = pearson_r(x, y);
    res.estimate = theta_hat;
    let (xc, yc) = (centered(x), centered(y));
    let boot = pearson_boot_distribution(&design, &xc, &yc, n_resamples, seed, &checkpoint())?;
    let jack = match method {
        BootstrapMethod::Percentile => None,
        BootstrapMethod::Bca => Some(pearson_jackknife(x, y, &xc, &yc, &design)),
    };
    let iv = bootstrap_interval(theta_hat, &boot, jack.as_deref(), method, confidence);
    fill_bootstrap(&mut res, &iv, n_resamples, method);
    Ok(res)
}

/// `(count, Σx, Σy, Σx², Σy², Σxy)` += the pair `(a, b)`.
#[inline]
fn add_pair(s: &mut [f64; 6], a: f64, b: f64) {
    s[0] += 1.0;
    s[1] += a;
    s[2] += b;
    s[3] += a * a;
    s[4] += b * b;
    s[5] += a * b;
}

/// Leave-one-unit-out values of Pearson's r (a row, or a cluster, out), in O(n) from the
/// totals of the centred sums; NaN where leaving the unit out makes x or y constant.
fn pearson_jackknife(x: &[f64], y: &[f64], xc: &[f64], yc: &[f64], design: &Design) -> Vec<f64> {
    let units = design.units();
    let mut unit_sums = vec![[0.0f64; 6]; units];
    for (u, s) in unit_sums.iter_mut().enumerate() {
        let rows: &[usize] = match &design.clusters {
            None => std::slice::from_ref(&u),
            Some(cl) => cl.rows_of(u),
        };
        for &i in rows {
            add_pair(s, xc[i], yc[i]);
        }
    }
    let mut tot = [0.0f64; 6];
    for s in &unit_sums {
        for k in 0..6 {
            tot[k] += s[k];
        }
    }
    let const_x = outside_constant(x, design);
    let const_y = outside_constant(y, design);
    (0..units)
        .map(|u| {
            if const_x[u] || const_y[u] {
                return f64::NAN;
            }
            let s = &unit_sums[u];
            r_from_sums(
                tot[0] - s[0],
                tot[1] - s[1],
                tot[2] - s[2],
                tot[3] - s[3],
                tot[4] - s[4],
                tot[5] - s[5],
            )
        })
        .collect()
}
