//! Dense linear algebra for the kernel's least-squares fits, without LAPACK: a Householder QR
//! of a column-major design (solve, `(AᵀA)⁻¹ = R⁻¹R⁻ᵀ`), small matrix helpers, the kernels' one dot
//! product, and the group codes of a design renumbered densely (OLS clusters, mixed-model groups).

/// Householder QR of a column-major `n × k` matrix: `R` (upper triangle, by columns) and the
/// reflectors, to solve least-squares problems `min ‖A b - r‖`.
pub(super) struct Qr {
    n: usize,
    /// `r[j][i]` = R(i, j) for i <= j.
    r: Vec<Vec<f64>>,
    /// Reflector j acts on rows j..n: `v` and `‖v‖²`.
    reflectors: Vec<(Vec<f64>, f64)>,
}

impl Qr {
    pub(super) fn new(cols: &[Vec<f64>]) -> Self {
        let n = cols.first().map_or(0, |c| c.len());
        let k = cols.len();
        let mut a: Vec<Vec<f64>> = cols.to_vec();
        let mut r = vec![Vec::new(); k];
        let mut reflectors = Vec::with_capacity(k);
        for j in 0..k {
            let norm = a[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
            let alpha = if a[j][j] > 0.0 { -norm } else { norm };
            let mut v: Vec<f64> = a[j][j..].to_vec();
            v[0] -= alpha;
            let vv: f64 = v.iter().map(|x| x * x).sum();
            if vv > 0.0 {
                for col in a.iter_mut().skip(j + 1) {
                    let s: f64 = v.iter().zip(&col[j..]).map(|(p, q)| p * q).sum();
                    let f = 2.0 * s / vv;
                    for (c, p) in col[j..].iter_mut().zip(&v) {
                        *c -= f * p;
                    }
                }
            }
            let mut rj: Vec<f64> = (0..j).map(|i| a[j][i]).collect();
            rj.push(if vv > 0.0 { alpha } else { a[j][j] });
            r[j] = rj;
            reflectors.push((v, vv));
        }
        Qr { n, r, reflectors }
    }

    pub(super) fn diag(&self, j: usize) -> f64 {
        self.r[j][j]
    }

    /// Least-squares solution of `A b = rhs`: `R b = (Qᵀ rhs)[..k]`.
    pub(super) fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let mut z = rhs.to_vec();
        for (j, (v, vv)) in self.reflectors.iter().enumerate() {
            if *vv > 0.0 {
                let s: f64 = v.iter().zip(&z[j..]).map(|(p, q)| p * q).sum();
                let f = 2.0 * s / vv;
                for (c, p) in z[j..].iter_mut().zip(v) {
                    *c -= f * p;
                }
            }
        }
        let k = self.r.len();
        let mut b = vec![0.0; k];
        for i in (0..k).rev() {
            let s: f64 = ((i + 1)..k).map(|j| self.r[j][i] * b[j]).sum();
            b[i] = (z[i] - s) / self.r[i][i];
        }
        debug_assert_eq!(self.n, rhs.len());
        b
    }

    /// `(AᵀA)⁻¹ = R⁻¹R⁻ᵀ`, dense `k × k`, with `R⁻¹` by back substitution.
    pub(super) fn inverse_gram(&self) -> Vec<Vec<f64>> {
        let k = self.r.len();
        // rinv[i][j] = (R⁻¹)(i, j), upper triangular
        let mut rinv = vec![vec![0.0; k]; k];
        #[allow(clippy::needless_range_loop)]
        for j in 0..k {
            rinv[j][j] = 1.0 / self.r[j][j];
            for i in (0..j).rev() {
                let s: f64 = ((i + 1)..=j).map(|l| self.r[l][i] * rinv[l][j]).sum();
                rinv[i][j] = -s / self.r[i][i];
            }
        }
        let mut g = vec![vec![0.0; k]; k];
        for i in 0..k {
            for j in i..k {
                let s: f64 = (j..k).map(|l| rinv[i][l] * rinv[j][l]).sum();
                g[i][j] = s;
                g[j][i] = s;
            }
        }
        g
    }
}

/// `s·M` for a dense matrix given by rows.
pub(super) fn scale_matrix(m: &[Vec<f64>], s: f64) -> Vec<Vec<f64>> {
    m.iter()
        .map(|row| row.iter().map(|v| v * s).collect())
        .collect()
}

/// `Σ a_i b_i` with four accumulators (vectorises, and sums in a tree-like order).
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (u, v) in ca.zip(cb) {
        for l in 0..4 {
            s[l] += u[l] * v[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(u, v)| u * v).sum();
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

/// Group codes renumbered `0..G` in order of first appearance, and `G` (a table indexed by code
/// when the codes are small, a hash map otherwise).
pub(crate) fn dense_codes(codes: &[usize]) -> (Vec<usize>, usize) {
    let max = codes.iter().copied().max().unwrap_or(0);
    let mut next = 0;
    let mut code = |slot: &mut usize| {
        if *slot == usize::MAX {
            *slot = next;
            next += 1;
        }
        *slot
    };
    let dense: Vec<usize> = if max < 4 * codes.len() + 16 {
        let mut map = vec![usize::MAX; max + 1];
        codes.iter().map(|&c| code(&mut map[c])).collect()
    } else {
        let mut map = std::collections::HashMap::new();
        codes.iter().map(|&c| code(map.entry(c).or_insert(usize::MAX))).collect()
    };
    (dense, next)
}

