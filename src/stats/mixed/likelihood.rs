//! The pass over the data (centred cross-products, group sums pooled by group size) and the
//! profiled REML/ML likelihood, its score and β̂ at one variance ratio λ.

use super::dense::{chol_inverse, chol_solve, cholesky, quad};
use crate::stats::linalg::dot;
use super::MixedMethod;
use crate::stats::descriptive::mean;
use crate::stats::error::{StatsError, StatsResult};

/// `1 − R²` of a column on the intercept and the columns before it below which the design is
/// called rank deficient (the Cholesky of the cross-products cannot resolve much further).
const COLLINEAR_TOL: f64 = 1e-10;
/// Rows per block of the data pass (centred values of one block stay in cache).
const BLOCK: usize = 1024;
/// Everything the likelihood needs, after the pass over the data.
pub(super) struct Problem {
    pub(super) n: f64,
    /// Fixed effects (intercept included).
    pub(super) p: usize,
    pub(super) reml: bool,
    /// Means subtracted from y and the columns (0 without intercept).
    pub(super) y_mean: f64,
    pub(super) x_means: Vec<f64>,
    /// `r × r` cross-products of `[1?, x_c, y_c]`, `r = p + 1`, row-major.
    pub(super) gram: Vec<f64>,
    /// Pooled by group size: `(n_j, number of groups of that size, Σ z_j z_j')`.
    pub(super) sizes: Vec<(f64, f64, Vec<f64>)>,
}

/// The profiled likelihood and what comes with it at one λ.
#[derive(Clone)]
pub(super) struct Eval {
    pub(super) lam: f64,
    /// Profiled log-likelihood without constants: `−f/2 log Q − ½ log|H| (− ½ log|A|)`.
    pub(super) f: f64,
    /// `dℓ/dλ`.
    pub(super) score: f64,
    pub(super) beta: Vec<f64>,
    pub(super) q: f64,
    pub(super) logdet_a: f64,
    pub(super) logdet_h: f64,
    pub(super) a: Vec<f64>,
    pub(super) a_inv: Vec<f64>,
}

impl Problem {
    pub(super) fn build(
        y: &[f64],
        x: &[(&str, &[f64])],
        intercept: bool,
        gid: &[usize],
        n_groups: usize,
        method: MixedMethod,
    ) -> Self {
        let n = y.len();
        let k = x.len();
        let p = k + usize::from(intercept);
        let r = p + 1;
        let (y_mean, x_means): (f64, Vec<f64>) = if intercept {
            (mean(y), x.iter().map(|(_, c)| mean(c)).collect())
        } else {
            (0.0, vec![0.0; k])
        };
        // centred columns x_1..x_k, y  (q = k + 1 of them)
        let q = k + 1;
        let mut buf = vec![0.0; q * BLOCK];
        let mut cross = vec![0.0; q * q];
        let mut colsum = vec![0.0; q];
        let mut gsum = vec![0.0; n_groups * q];
        let mut counts = vec![0u64; n_groups];
        let mut start = 0;
        while start < n {
            let len = BLOCK.min(n - start);
            for a in 0..q {
                let (col, m) = if a < k {
                    (&x[a].1[start..start + len], x_means[a])
                } else {
                    (&y[start..start + len], y_mean)
                };
                for (dst, v) in buf[a * BLOCK..a * BLOCK + len].iter_mut().zip(col) {
                    *dst = v - m;
                }
            }
            for a in 0..q {
                let ba = &buf[a * BLOCK..a * BLOCK + len];
                colsum[a] += ba.iter().sum::<f64>();
                for b in a..q {
                    cross[a * q + b] += dot(ba, &buf[b * BLOCK..b * BLOCK + len]);
                }
            }
            for t in 0..len {
                let g = gid[start + t];
                counts[g] += 1;
                let row = &mut gsum[g * q..(g + 1) * q];
                for (a, cell) in row.iter_mut().enumerate() {
                    *cell += buf[a * BLOCK + t];
                }
            }
            start += len;
        }
        // augmented cross-products of [1?, x_c, y_c]
        let off = usize::from(intercept);
        let mut gram = vec![0.0; r * r];
        if intercept {
            gram[0] = n as f64;
            for a in 0..q {
                gram[a + 1] = colsum[a];
                gram[(a + 1) * r] = colsum[a];
            }
        }
        for a in 0..q {
            for b in a..q {
                gram[(a + off) * r + b + off] = cross[a * q + b];
                gram[(b + off) * r + a + off] = cross[a * q + b];
            }
        }
        // pool the groups by size
        let mut order: Vec<usize> = (0..n_groups).collect();
        order.sort_by_key(|&g| counts[g]);
        let mut sizes: Vec<(f64, f64, Vec<f64>)> = Vec::new();
        let mut z = vec![0.0; r];
        for g in order {
            let nj = counts[g] as f64;
            if sizes.last().is_none_or(|s| s.0 != nj) {
                sizes.push((nj, 0.0, vec![0.0; r * r]));
            }
            let last = sizes.last_mut().expect("pushed above");
            last.1 += 1.0;
            if intercept {
                z[0] = nj;
            }
            z[off..].copy_from_slice(&gsum[g * q..(g + 1) * q]);
            for i in 0..r {
                for j in i..r {
                    last.2[i * r + j] += z[i] * z[j];
                }
            }
        }
        for s in &mut sizes {
            for i in 0..r {
                for j in (i + 1)..r {
                    s.2[j * r + i] = s.2[i * r + j];
                }
            }
        }
        Problem {
            n: n as f64,
            p,
            reml: method == MixedMethod::Reml,
            y_mean,
            x_means,
            gram,
            sizes,
        }
    }

    pub(super) fn fac(&self) -> f64 {
        if self.reml {
            self.n - self.p as f64
        } else {
            self.n
        }
    }

    /// Rank check on the cross-products of the design: Cholesky with each pivot compared to the
    /// column's own sum of squares.
    pub(super) fn check_rank(&self, x: &[(&str, &[f64])], intercept: bool) -> StatsResult<()> {
        let (p, r) = (self.p, self.p + 1);
        let off = usize::from(intercept);
        let mut l = vec![0.0; p * p];
        for j in 0..p {
            let ajj = self.gram[j * r + j];
            let d = ajj - (0..j).map(|k| l[j * p + k] * l[j * p + k]).sum::<f64>();
            if j >= off {
                let name = x[j - off].0;
                if ajj <= 0.0 {
                    return Err(StatsError::data(
                        "x",
                        format!("column '{name}' is all zeros"),
                    ));
                }
                if !(d > COLLINEAR_TOL * ajj) {
                    return Err(StatsError::data(
                        "x",
                        format!(
                            "column '{name}' is a linear combination of {}the columns before it: the design is rank deficient",
                            if intercept { "the intercept and " } else { "" }
                        ),
                    ));
                }
            }
            let djj = d.sqrt();
            l[j * p + j] = djj;
            for i in (j + 1)..p {
                let s =
                    self.gram[i * r + j] - (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum::<f64>();
                l[i * p + j] = s / djj;
            }
        }
        Ok(())
    }

    /// The profiled likelihood, β̂ and the score at λ >= 0; `None` where it is not defined
    /// (A not positive definite in floating point, Q <= 0).
    pub(super) fn eval(&self, lam: f64) -> Option<Eval> {
        let (p, r) = (self.p, self.p + 1);
        let fac = self.fac();
        let mut m = self.gram.clone();
        let mut w2 = vec![0.0; r * r];
        let mut logdet_h = 0.0;
        let mut nw = 0.0;
        for (nj, cnt, zz) in &self.sizes {
            let w = 1.0 / (1.0 + nj * lam);
            let gamma = lam * w;
            logdet_h += cnt * (nj * lam).ln_1p();
            nw += cnt * nj * w;
            let ww = w * w;
            for ((mv, wv), z) in m.iter_mut().zip(w2.iter_mut()).zip(zz) {
                *mv -= gamma * z;
                *wv += ww * z;
            }
        }
        let mut a = vec![0.0; p * p];
        let mut b = vec![0.0; p];
        for i in 0..p {
            a[i * p..(i + 1) * p].copy_from_slice(&m[i * r..i * r + p]);
            b[i] = m[i * r + p];
        }
        let c = m[p * r + p];
        let l = cholesky(&a, p)?;
        let beta = chol_solve(&l, p, &b);
        let q = c - b.iter().zip(&beta).map(|(u, v)| u * v).sum::<f64>();
        if !(q > 0.0 && q.is_finite()) {
            return None;
        }
        let logdet_a = 2.0 * (0..p).map(|i| l[i * p + i].ln()).sum::<f64>();
        let a_inv = chol_inverse(&l, p);
        // v = (−β, 1): Σ_j w_j² e_j² = v'W v,  e_j = 1'r_j
        let mut v = beta.iter().map(|b| -b).collect::<Vec<f64>>();
        v.push(1.0);
        let vwv = quad(&w2, &v, r);
        let mut score = 0.5 * fac * vwv / q - 0.5 * nw;
        let mut f = -0.5 * fac * q.ln() - 0.5 * logdet_h;
        if self.reml {
            // −½ d log|A|/dλ = ½ tr(A⁻¹ W_xx)
            let tr: f64 = (0..p)
                .map(|i| {
                    (0..p)
                        .map(|j| a_inv[i * p + j] * w2[j * r + i])
                        .sum::<f64>()
                })
                .sum();
            score += 0.5 * tr;
            f -= 0.5 * logdet_a;
        }
        Some(Eval {
            lam,
            f,
            score,
            beta,
            q,
            logdet_a,
            logdet_h,
            a,
            a_inv,
        })
    }


    /// `Q = Σ_j r_j'H_j⁻¹r_j = Σ_j [Σ_i (r_ij − r̄_j)² + n_j r̄_j²/(1 + n_jλ)]` from the residuals
    /// (per-group Welford), at the centred coefficients `beta`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn residual_q(
        &self,
        y: &[f64],
        x: &[(&str, &[f64])],
        intercept: bool,
        gid: &[usize],
        n_groups: usize,
        beta: &[f64],
        lam: f64,
    ) -> f64 {
        let off = usize::from(intercept);
        let mu = if intercept { beta[0] } else { 0.0 };
        let slopes = &beta[off..];
        let mut cnt = vec![0.0_f64; n_groups];
        let mut mean = vec![0.0_f64; n_groups];
        let mut m2 = vec![0.0_f64; n_groups];
        let mut r = vec![0.0; BLOCK];
        let n = y.len();
        let mut start = 0;
        while start < n {
            let len = BLOCK.min(n - start);
            for (dst, v) in r[..len].iter_mut().zip(&y[start..start + len]) {
                *dst = v - self.y_mean - mu;
            }
            for ((_, col), (b, m)) in x.iter().zip(slopes.iter().zip(&self.x_means)) {
                for (dst, v) in r[..len].iter_mut().zip(&col[start..start + len]) {
                    *dst -= b * (v - m);
                }
            }
            for t in 0..len {
                let g = gid[start + t];
                cnt[g] += 1.0;
                let d = r[t] - mean[g];
                mean[g] += d / cnt[g];
                m2[g] += d * (r[t] - mean[g]);
            }
            start += len;
        }
        (0..n_groups)
            .map(|g| m2[g] + cnt[g] * mean[g] * mean[g] / (1.0 + cnt[g] * lam))
            .sum()
    }
}
