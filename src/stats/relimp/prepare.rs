//! From the covariance matrix to the partial correlations of the model's variables given the
//! `always` columns, with the typed errors (constant, collinear, not positive semi-definite).

use super::weights::jacobi_eigen;
use super::{Covariance, Model};
use crate::stats::error::{StatsError, StatsResult};
use std::collections::HashMap;

/// `1 − R²` of a column on the columns before it below this: perfectly collinear.
const COLLINEAR_TOL: f64 = 1e-10;

/// Smallest eigenvalue of the correlation matrix below this: not positive semi-definite.
const NOT_PSD_TOL: f64 = 1e-8;

/// The partial correlation matrix of (X, y) given the `always` columns, with the units.
pub(super) struct Prepared {
    pub(super) predictors: Vec<String>,
    pub(super) columns: Vec<Vec<String>>,
    /// Indices of each unit's columns in the X block `0..q`.
    pub(super) unit_cols: Vec<Vec<usize>>,
    /// Names of the X block's columns.
    pub(super) col_names: Vec<String>,
    pub(super) q: usize,
    /// `(q + 1) × (q + 1)` partial correlations, `y` last.
    pub(super) p: Vec<f64>,
    /// `1 − R²(always)`.
    pub(super) s_a: f64,
    pub(super) r2_always: f64,
    pub(super) n_obs: Option<usize>,
}

impl Prepared {
    pub(super) fn m(&self) -> usize {
        self.unit_cols.len()
    }
    pub(super) fn stride(&self) -> usize {
        self.q + 1
    }
}

pub(super) fn prepare(cov: &Covariance, model: &Model) -> StatsResult<Prepared> {
    if model.predictors.is_empty() {
        return Err(StatsError::argument("x", "no predictor: give at least one column"));
    }
    let index: HashMap<&str, usize> = cov.names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let find = |name: &str, argument: &'static str| -> StatsResult<usize> {
        index.get(name).copied().ok_or_else(|| {
            StatsError::argument(argument, format!("column '{name}' is not among the matrix's variables ({})", cov.names.join(", ")))
        })
    };
    let mut order: Vec<usize> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for a in &model.always {
        order.push(find(a, "always")?);
        names.push(a.clone());
    }
    let n_a = order.len();
    let mut unit_cols = Vec::with_capacity(model.predictors.len());
    let mut q = 0;
    for p in &model.predictors {
        let mut cols = Vec::with_capacity(p.columns.len());
        for c in &p.columns {
            order.push(find(c, if p.columns.len() > 1 { "groups" } else { "x" })?);
            names.push(c.clone());
            cols.push(q);
            q += 1;
        }
        unit_cols.push(cols);
    }
    order.push(find(&model.y, "y")?);
    names.push(model.y.clone());
    let k = order.len();
    for (i, &oi) in order.iter().enumerate() {
        if order[..i].contains(&oi) {
            return Err(StatsError::argument("x", format!("column '{}' is used twice in the model", names[i])));
        }
    }
    if let Some(n) = cov.n_obs {
        if n <= k {
            return Err(StatsError::data(
                "y",
                format!("needs more observations ({n}) than coefficients ({k}: the intercept and {} columns)", k - 1),
            ));
        }
    }
    let d = cov.dim();
    let var: Vec<f64> = order.iter().map(|&o| cov.values[o * d + o]).collect();
    for (i, v) in var.iter().enumerate() {
        if *v <= 0.0 {
            let what = if i == k - 1 { format!("the outcome '{}'", names[i]) } else { format!("column '{}'", names[i]) };
            return Err(StatsError::data(
                if i == k - 1 { "y" } else { "x" },
                if *v == 0.0 {
                    format!("{what} is constant (variance 0): it explains nothing and cannot be explained")
                } else {
                    format!("{what} has a negative variance ({v}): not a covariance matrix")
                },
            ));
        }
    }
    let mut r = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            r[i * k + j] = if i == j { 1.0 } else { cov.values[order[i] * d + order[j]] / (var[i] * var[j]).sqrt() };
        }
    }
    let l = checked_cholesky(&r, k, &names)?;
    let q1 = q + 1;
    // partial covariance of (X, y) given A: L22 L22', L22 the trailing block of L
    let mut pc = vec![0.0; q1 * q1];
    if n_a == 0 {
        pc.copy_from_slice(&r);
    } else {
        for i in 0..q1 {
            for j in 0..=i {
                let (ri, rj) = ((n_a + i) * k, (n_a + j) * k);
                let s: f64 = (n_a..=n_a + j).map(|t| l[ri + t] * l[rj + t]).sum();
                pc[i * q1 + j] = s;
                pc[j * q1 + i] = s;
            }
        }
    }
    let yrow = (k - 1) * k;
    // (an empty f64 sum is -0.0: spell the no-`always` case)
    let r2_always: f64 = if n_a == 0 { 0.0 } else { (0..n_a).map(|t| l[yrow + t] * l[yrow + t]).sum() };
    let s_a: f64 = if n_a == 0 { 1.0 } else { (n_a..k).map(|t| l[yrow + t] * l[yrow + t]).sum() };
    let mut p = pc.clone();
    for i in 0..q1 {
        for j in 0..q1 {
            p[i * q1 + j] = if i == j { 1.0 } else { pc[i * q1 + j] / (pc[i * q1 + i] * pc[j * q1 + j]).sqrt() };
        }
    }
    Ok(Prepared {
        predictors: model.predictors.iter().map(|p| p.name.clone()).collect(),
        columns: model.predictors.iter().map(|p| p.columns.clone()).collect(),
        unit_cols,
        col_names: names[n_a..k - 1].to_vec(),
        q,
        p,
        s_a,
        r2_always,
        n_obs: cov.n_obs,
    })
}

/// Cholesky factor (row-major lower) of the correlation matrix `r` of the variables `names`
/// (outcome last), or the typed error that explains why it does not exist.
fn checked_cholesky(r: &[f64], k: usize, names: &[String]) -> StatsResult<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        for c in 0..j {
            let mut s = r[j * k + c];
            for t in 0..c {
                s -= l[j * k + t] * l[c * k + t];
            }
            l[j * k + c] = s / l[c * k + c];
        }
        let d = r[j * k + j] - (0..j).map(|t| l[j * k + t] * l[j * k + t]).sum::<f64>();
        if d > COLLINEAR_TOL {
            l[j * k + j] = d.sqrt();
            continue;
        }
        // why: not PSD, or the variable is a combination of the ones before it
        let lead: Vec<f64> = (0..=j).flat_map(|a| (0..=j).map(move |b| (a, b))).map(|(a, b)| r[a * k + b]).collect();
        let (eig, _) = jacobi_eigen(&lead, j + 1);
        let min = eig.iter().copied().fold(f64::INFINITY, f64::min);
        if min < -NOT_PSD_TOL || d < -NOT_PSD_TOL {
            let (all, _) = jacobi_eigen(r, k);
            let min_all = all.iter().copied().fold(f64::INFINITY, f64::min);
            return Err(StatsError::data(
                "cov",
                format!(
                    "the correlation matrix of {} is not positive semi-definite (smallest eigenvalue {:.6e}): \
                     no data could have these correlations",
                    quoted(names),
                    min_all.min(min)
                ),
            ));
        }
        // coefficients of variable j on the ones before it: R_prev b = r_prev,j
        let b = solve_lower_upper(&l, k, j, &(0..j).map(|t| r[t * k + j]).collect::<Vec<_>>());
        let bmax = b.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let partners: Vec<String> = (0..j).filter(|&t| b[t].abs() > 1e-6 * bmax).map(|t| names[t].clone()).collect();
        if j == k - 1 {
            return Err(StatsError::data(
                "y",
                format!(
                    "the outcome '{}' is an exact linear combination of {} (R² = 1): a perfect fit leaves nothing to apportion",
                    names[j],
                    quoted(&partners)
                ),
            ));
        }
        return Err(StatsError::data(
            "x",
            format!(
                "perfectly collinear predictors: column '{}' is a linear combination of {} (1 − R² = {:.3e}); drop one of them",
                names[j],
                quoted(&partners),
                d.max(0.0)
            ),
        ));
    }
    Ok(l)
}

/// Solves `(L L') b = rhs` with the leading `j × j` block of the row-major lower factor `l`
/// (stride `k`).
pub(super) fn solve_lower_upper(l: &[f64], k: usize, j: usize, rhs: &[f64]) -> Vec<f64> {
    let mut z = rhs.to_vec();
    for i in 0..j {
        let mut s = z[i];
        for t in 0..i {
            s -= l[i * k + t] * z[t];
        }
        z[i] = s / l[i * k + i];
    }
    for i in (0..j).rev() {
        let mut s = z[i];
        for t in i + 1..j {
            s -= l[t * k + i] * z[t];
        }
        z[i] = s / l[i * k + i];
    }
    z
}

pub(super) fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}
