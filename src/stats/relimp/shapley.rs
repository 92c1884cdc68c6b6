//! R² of the subsets of the units (an incremental Cholesky), the all-subsets table, the
//! conditional (dominance) means of the increments and the permutation-sampled LMG.

use super::prepare::{quoted, Prepared};
use crate::interrupt::checkpoint;
use crate::stats::error::{StatsError, StatsResult};
use crate::stats::resample::{below, stream};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Orders of the sampled LMG summarised together (fixed, so results do not depend on threads).
const BLOCK: usize = 64;

/// The Cholesky factor of the partial correlations of a growing set of columns, with the
/// cumulative R² of `y` on the first `t` columns.
struct Chol<'a> {
    p: &'a [f64],
    stride: usize,
    y: usize,
    l: Vec<f64>,
    cols: Vec<usize>,
    z: Vec<f64>,
    r2: Vec<f64>,
}

impl<'a> Chol<'a> {
    fn new(prep: &'a Prepared) -> Self {
        let q = prep.q;
        Chol {
            p: &prep.p,
            stride: prep.stride(),
            y: q,
            l: vec![0.0; q * q],
            cols: Vec::with_capacity(q),
            z: vec![0.0; q],
            r2: {
                let mut v = Vec::with_capacity(q + 1);
                v.push(0.0);
                v
            },
        }
    }

    /// Adds column `c`; false when it is (numerically) a combination of the columns in.
    fn push(&mut self, c: usize) -> bool {
        let k = self.cols.len();
        let q = self.y;
        let (p, st) = (self.p, self.stride);
        let row = k * q;
        for t in 0..k {
            let mut s = p[c * st + self.cols[t]];
            for u in 0..t {
                s -= self.l[row + u] * self.l[t * q + u];
            }
            self.l[row + t] = s / self.l[t * q + t];
        }
        let d = p[c * st + c] - (0..k).map(|t| self.l[row + t] * self.l[row + t]).sum::<f64>();
        if !(d > 1e-14) {
            return false;
        }
        let lkk = d.sqrt();
        self.l[row + k] = lkk;
        let mut s = p[c * st + self.y];
        for t in 0..k {
            s -= self.l[row + t] * self.z[t];
        }
        let zk = s / lkk;
        self.z[k] = zk;
        self.cols.push(c);
        let last = self.r2[k];
        self.r2.push(last + zk * zk);
        true
    }

    fn pop(&mut self) {
        self.cols.pop();
        self.r2.pop();
    }

    fn r2(&self) -> f64 {
        self.r2[self.cols.len()]
    }

    fn push_unit(&mut self, prep: &Prepared, u: usize) -> StatsResult<()> {
        for &c in &prep.unit_cols[u] {
            if !self.push(c) {
                let names: Vec<String> = self.cols.iter().map(|&i| prep.col_names[i].clone()).collect();
                return Err(StatsError::data(
                    "x",
                    format!(
                        "column '{}' is numerically a linear combination of {}: the predictors are too collinear",
                        prep.col_names[c],
                        quoted(&names)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn pop_unit(&mut self, prep: &Prepared, u: usize) {
        for _ in 0..prep.unit_cols[u].len() {
            self.pop();
        }
    }
}

/// `v(S)` of the units in `units` (in that order): `(1 − R²(A))·R²_P`.
pub(super) fn subset_value(prep: &Prepared, units: impl Iterator<Item = usize>) -> StatsResult<f64> {
    let mut ch = Chol::new(prep);
    for u in units {
        ch.push_unit(prep, u)?;
    }
    Ok(prep.s_a * ch.r2())
}

/// `v(S)` of every subset of the units, indexed by bitmask (bit `u` = unit `u`).
pub(super) fn subset_table(prep: &Prepared) -> StatsResult<Vec<f64>> {
    let m = prep.m();
    fn walk(prep: &Prepared, ch: &mut Chol<'_>, next: usize, rest: usize, shift: usize, out: &mut [f64]) -> StatsResult<()> {
        for w in next..prep.m() {
            ch.push_unit(prep, w)?;
            let r = rest | (1 << (w - shift));
            out[r] = prep.s_a * ch.r2();
            walk(prep, ch, w + 1, r, shift, out)?;
            ch.pop_unit(prep, w);
        }
        Ok(())
    }
    // task u: the subsets whose lowest unit is u, indexed by their other units' bits above u
    let parts: Vec<StatsResult<Vec<f64>>> = (0..m)
        .into_par_iter()
        .map(|u| {
            let mut out = vec![0.0; 1usize << (m - 1 - u)];
            let mut ch = Chol::new(prep);
            ch.push_unit(prep, u)?;
            out[0] = prep.s_a * ch.r2();
            walk(prep, &mut ch, u + 1, 0, u + 1, &mut out)?;
            Ok(out)
        })
        .collect();
    let mut table = vec![0.0; 1usize << m];
    for (u, part) in parts.into_iter().enumerate() {
        for (rest, v) in part?.into_iter().enumerate() {
            table[(1 << u) | (rest << (u + 1))] = v;
        }
    }
    Ok(table)
}

/// `cond[i][s]`: mean increment of unit `i` over the subsets of size `s` without it.
pub(super) fn conditional(table: &[f64], m: usize) -> Vec<Vec<f64>> {
    let mut binom = vec![vec![0.0f64; m]; m];
    for n in 0..m {
        binom[n][0] = 1.0;
        for k in 1..=n {
            binom[n][k] = binom[n - 1][k - 1] + if k <= n - 1 { binom[n - 1][k] } else { 0.0 };
        }
    }
    (0..m)
        .map(|i| {
            let bit = 1usize << i;
            let mut sums = vec![(0.0f64, 0.0f64); m];
            for mask in 0..(1usize << m) {
                if mask & bit != 0 {
                    continue;
                }
                let s = mask.count_ones() as usize;
                let inc = table[mask | bit] - table[mask];
                // Neumaier, per size
                let (sum, c) = &mut sums[s];
                let t = *sum + inc;
                *c += if sum.abs() >= inc.abs() { (*sum - t) + inc } else { (inc - t) + *sum };
                *sum = t;
            }
            sums.iter().enumerate().map(|(s, (sum, c))| (sum + c) / binom[m - 1][s]).collect()
        })
        .collect()
}

// ---- permutation sampling ---------------------------------------------------------------------

/// Mean, M2 and count of the increments of each unit over a block of orders.
struct Moments {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

/// Sampled LMG: mean increment over `n_perm` random orders and its standard error.
pub(super) fn sampled_lmg(prep: &Prepared, n_perm: usize, seed: u64) -> StatsResult<(Vec<f64>, Vec<f64>)> {
    let m = prep.m();
    let base = ChaCha8Rng::seed_from_u64(seed);
    let cp = checkpoint();
    let blocks = n_perm.div_ceil(BLOCK);
    let parts: Vec<Option<StatsResult<Moments>>> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            if cp.is_cancelled() {
                return None;
            }
            let mut ch = Chol::new(prep);
            let mut order: Vec<usize> = Vec::with_capacity(m);
            let mut inc = vec![0.0; m];
            let mut mo = Moments { n: 0.0, mean: vec![0.0; m], m2: vec![0.0; m] };
            for i in b * BLOCK..((b + 1) * BLOCK).min(n_perm) {
                let mut rng = stream(&base, i as u64);
                order.clear();
                order.extend(0..m);
                for t in (1..m).rev() {
                    let s = below(&mut rng, t as u64 + 1) as usize;
                    order.swap(t, s);
                }
                while !ch.cols.is_empty() {
                    ch.pop();
                }
                let mut before = 0.0;
                for &u in &order {
                    if let Err(e) = ch.push_unit(prep, u) {
                        return Some(Err(e));
                    }
                    let now = prep.s_a * ch.r2();
                    inc[u] = now - before;
                    before = now;
                }
                mo.n += 1.0;
                for u in 0..m {
                    let delta = inc[u] - mo.mean[u];
                    mo.mean[u] += delta / mo.n;
                    mo.m2[u] += delta * (inc[u] - mo.mean[u]);
                }
            }
            Some(Ok(mo))
        })
        .collect();
    cp.check()?;
    let mut total = Moments { n: 0.0, mean: vec![0.0; m], m2: vec![0.0; m] };
    for part in parts {
        let part = part.ok_or(StatsError::Interrupted)??;
        let n = total.n + part.n;
        for u in 0..m {
            let delta = part.mean[u] - total.mean[u];
            total.mean[u] += delta * part.n / n;
            total.m2[u] += part.m2[u] + delta * delta * total.n * part.n / n;
        }
        total.n = n;
    }
    let se = total.m2.iter().map(|m2| (m2 / (total.n - 1.0) / total.n).sqrt()).collect();
    Ok((total.mean, se))
}
