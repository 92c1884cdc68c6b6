//! The coefficient-based methods: standardised coefficients (pratt, betasq) and Johnson's
//! relative weights, with the Jacobi eigen-decomposition they use.

use super::prepare::{solve_lower_upper, Prepared};
use crate::stats::error::{StatsError, StatsResult};

/// Standardised coefficients of the X block on the partial correlations (full model).
pub(super) fn std_coefficients(prep: &Prepared) -> StatsResult<Vec<f64>> {
    let (q, st) = (prep.q, prep.stride());
    let mut l = vec![0.0; q * q];
    for j in 0..q {
        for c in 0..j {
            let mut s = prep.p[j * st + c];
            for t in 0..c {
                s -= l[j * q + t] * l[c * q + t];
            }
            l[j * q + c] = s / l[c * q + c];
        }
        let d = 1.0 - (0..j).map(|t| l[j * q + t] * l[j * q + t]).sum::<f64>();
        if !(d > 1e-14) {
            return Err(StatsError::data(
                "x",
                format!("column '{}' is numerically a linear combination of the other predictors", prep.col_names[j]),
            ));
        }
        l[j * q + j] = d.sqrt();
    }
    let rhs: Vec<f64> = (0..q).map(|j| prep.p[j * st + q]).collect();
    Ok(solve_lower_upper(&l, q, q, &rhs))
}

/// Johnson's (2000) raw relative weights of the X block's columns (on the partial scale).
pub(super) fn johnson_weights(prep: &Prepared) -> StatsResult<Vec<f64>> {
    let (q, st) = (prep.q, prep.stride());
    let rxx: Vec<f64> = (0..q).flat_map(|i| (0..q).map(move |j| (i, j))).map(|(i, j)| prep.p[i * st + j]).collect();
    let rxy: Vec<f64> = (0..q).map(|j| prep.p[j * st + q]).collect();
    let (lam, v) = jacobi_eigen(&rxx, q);
    if let Some(bad) = lam.iter().find(|l| !(**l > 0.0)) {
        return Err(StatsError::data(
            "x",
            format!("the predictors' correlation matrix has an eigenvalue {bad:e}: the predictors are collinear"),
        ));
    }
    // Λ½ = V diag(√λ) V', β̃ = V diag(1/√λ) V' r_xy
    let mut half = vec![0.0; q * q];
    for i in 0..q {
        for j in 0..q {
            half[i * q + j] = (0..q).map(|t| v[i * q + t] * lam[t].sqrt() * v[j * q + t]).sum();
        }
    }
    let vt_r: Vec<f64> = (0..q).map(|t| (0..q).map(|i| v[i * q + t] * rxy[i]).sum::<f64>() / lam[t].sqrt()).collect();
    let beta: Vec<f64> = (0..q).map(|i| (0..q).map(|t| v[i * q + t] * vt_r[t]).sum()).collect();
    Ok((0..q).map(|j| (0..q).map(|k| half[j * q + k] * half[j * q + k] * beta[k] * beta[k]).sum()).collect())
}

/// Eigenvalues and eigenvectors (columns of the row-major `n × n` matrix returned) of a symmetric
/// matrix, by the cyclic Jacobi method (Golub & Van Loan, §8.5): rotations that zero one
/// off-diagonal entry at a time, swept until the off-diagonal mass is below 1e-30 of the total.
/// Converges quadratically; accurate to a few ulps of the largest eigenvalue.
pub(super) fn jacobi_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let total: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|i| (0..n).map(move |j| (i, j))).filter(|(i, j)| i != j).map(|(i, j)| a[i * n + j] * a[i * n + j]).sum();
        if off <= 1e-30 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = if theta.abs() > 1e150 {
                    0.5 / theta
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}
