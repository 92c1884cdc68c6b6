//! Small dense row-major matrices: dot product, congruence `T C T'`, Cholesky (factor, solve,
//! inverse), quadratic form and Gauss–Jordan inverse.


/// `T C T'` for square `p × p` row-major matrices.
pub(super) fn congruence(t: &[f64], c: &[f64], p: usize) -> Vec<f64> {
    let mut tc = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            tc[i * p + j] = (0..p).map(|l| t[i * p + l] * c[l * p + j]).sum();
        }
    }
    let mut out = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            out[i * p + j] = (0..p).map(|l| tc[i * p + l] * t[j * p + l]).sum();
        }
    }
    out
}

/// Lower Cholesky factor (row-major) of a symmetric positive definite `p × p` matrix, or `None`.
pub(super) fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let d = a[j * p + j] - (0..j).map(|k| l[j * p + k] * l[j * p + k]).sum::<f64>();
        if !(d > 0.0 && d.is_finite()) {
            return None;
        }
        let djj = d.sqrt();
        l[j * p + j] = djj;
        for i in (j + 1)..p {
            let s = a[i * p + j] - (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum::<f64>();
            l[i * p + j] = s / djj;
        }
    }
    Some(l)
}

/// Solves `L L' x = b`.
pub(super) fn chol_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut z = b.to_vec();
    for i in 0..p {
        let s: f64 = (0..i).map(|k| l[i * p + k] * z[k]).sum();
        z[i] = (z[i] - s) / l[i * p + i];
    }
    for i in (0..p).rev() {
        let s: f64 = ((i + 1)..p).map(|k| l[k * p + i] * z[k]).sum();
        z[i] = (z[i] - s) / l[i * p + i];
    }
    z
}

/// `(L L')⁻¹`, row-major.
pub(super) fn chol_inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    let mut e = vec![0.0; p];
    for j in 0..p {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[j] = 1.0;
        let col = chol_solve(l, p, &e);
        for i in 0..p {
            inv[i * p + j] = col[i];
        }
    }
    // exact symmetry
    for i in 0..p {
        for j in (i + 1)..p {
            let s = 0.5 * (inv[i * p + j] + inv[j * p + i]);
            inv[i * p + j] = s;
            inv[j * p + i] = s;
        }
    }
    inv
}

/// `v'Mv` for a row-major `r × r` matrix.
pub(super) fn quad(m: &[f64], v: &[f64], r: usize) -> f64 {
    (0..r)
        .map(|i| v[i] * (0..r).map(|j| m[i * r + j] * v[j]).sum::<f64>())
        .sum()
}

/// Inverse of a small square matrix by Gauss–Jordan elimination with partial pivoting.
pub(super) fn invert(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut inv = vec![0.0; d * d];
    for i in 0..d {
        inv[i * d + i] = 1.0;
    }
    let scale = a.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
    for col in 0..d {
        let piv =
            (col..d).max_by(|&i, &j| m[i * d + col].abs().total_cmp(&m[j * d + col].abs()))?;
        if !(m[piv * d + col].abs() > 1e-300 * scale.max(1e-300)) {
            return None;
        }
        if piv != col {
            for j in 0..d {
                m.swap(piv * d + j, col * d + j);
                inv.swap(piv * d + j, col * d + j);
            }
        }
        let pv = m[col * d + col];
        for j in 0..d {
            m[col * d + j] /= pv;
            inv[col * d + j] /= pv;
        }
        for i in 0..d {
            if i != col {
                let f = m[i * d + col];
                if f != 0.0 {
                    for j in 0..d {
                        m[i * d + j] -= f * m[col * d + j];
                        inv[i * d + j] -= f * inv[col * d + j];
                    }
                }
            }
        }
    }
    inv.iter().all(|v| v.is_finite()).then_some(inv)
}
