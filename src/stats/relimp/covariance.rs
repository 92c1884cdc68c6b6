//! The named covariance (or correlation) matrix the methods start from: given, or computed from
//! raw (weighted) columns in one parallel pass.

use crate::stats::error::{StatsError, StatsResult};
use crate::stats::linalg::dot;
use rayon::prelude::*;

/// Rows of the covariance pass handled together.
const CHUNK: usize = 4096;

/// A named, symmetric covariance (or correlation) matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariance {
    pub names: Vec<String>,
    /// `dim × dim` values, row-major.
    pub values: Vec<f64>,
    /// Number of observations it was computed from (rows with a positive weight), when known:
    /// the model then needs more observations than coefficients.
    pub n_obs: Option<usize>,
}

impl Covariance {
    /// A matrix given by its values (row-major): checked square, finite and symmetric (to 1e-10
    /// relative; then symmetrised), names unique. Variances and definiteness are checked on the
    /// variables a model uses ([`relative_importance`](super::relative_importance)).
    pub fn new(names: Vec<String>, values: Vec<f64>) -> StatsResult<Self> {
        let k = names.len();
        if values.len() != k * k {
            return Err(StatsError::argument(
                "cov",
                format!("expected a {k} × {k} matrix for {k} names, got {} values", values.len()),
            ));
        }
        check_unique(&names, "names")?;
        let mut values = values;
        for i in 0..k {
            for j in 0..k {
                let v = values[i * k + j];
                if !v.is_finite() {
                    return Err(StatsError::data(
                        "cov",
                        format!("entry ['{}', '{}'] is {v}: the matrix must be finite", names[i], names[j]),
                    ));
                }
            }
        }
        for i in 0..k {
            for j in 0..i {
                let (a, b) = (values[i * k + j], values[j * k + i]);
                let scale = a.abs().max(b.abs()).max((values[i * k + i] * values[j * k + j]).abs().sqrt());
                if (a - b).abs() > 1e-10 * scale {
                    return Err(StatsError::argument(
                        "cov",
                        format!(
                            "the matrix is not symmetric: ['{}', '{}'] = {a}, ['{}', '{}'] = {b}",
                            names[i], names[j], names[j], names[i]
                        ),
                    ));
                }
                let m = 0.5 * (a + b);
                values[i * k + j] = m;
                values[j * k + i] = m;
            }
        }
        Ok(Covariance { names, values, n_obs: None })
    }

    /// The same matrix, computed from `n` observations.
    pub fn with_n_obs(mut self, n: usize) -> Self {
        self.n_obs = Some(n);
        self
    }

    pub fn dim(&self) -> usize {
        self.names.len()
    }

    /// The (weighted) covariance matrix of raw columns: `C_ab = Σ w_i (x_ia − m_a)(x_ib − m_b) /
    /// Σ w_i · n/(n − 1)`, with the weighted means `m` (compensated). Without weights it is the
    /// sample covariance; with weights, the R² computed from it is statsmodels' WLS `rsquared`
    /// (weighted centred total sum of squares). Two passes over the rows (means, then centred
    /// cross-products by chunks of 4096 rows, in parallel, combined in order with compensated
    /// sums): identical for any number of threads, accurate with large offsets.
    ///
    /// Errors: no column, lengths that differ, names listed twice, rows holding NaN or infinity
    /// (the first such column is named with its count of rows: drop those rows first), weights
    /// that are not finite or negative, or sum to 0, fewer than 2 rows of positive weight. A
    /// column constant over the rows of positive weight gets exactly zero variance and
    /// covariances, so that [`relative_importance`](super::relative_importance) names it.
    pub fn from_columns(columns: &[(&str, &[f64])], weights: Option<&[f64]>) -> StatsResult<Self> {
        let (names, n, positive) = check_columns(columns, weights)?;
        let k = columns.len();
        let sw = match weights {
            Some(w) => neumaier(w.iter().copied()),
            None => n as f64,
        };
        let stats = column_means(columns, weights, sw);
        let means: Vec<f64> = stats.iter().map(|s| s.0).collect();
        let partial = cross_products(columns, weights, &means, n);
        let scale = positive as f64 / ((positive - 1) as f64 * sw);
        let mut values = vec![0.0; k * k];
        let mut t = 0;
        for a in 0..k {
            for b in a..k {
                let v = if stats[a].1 || stats[b].1 { 0.0 } else { neumaier(partial.iter().map(|p| p[t])) * scale };
                values[a * k + b] = v;
                values[b * k + a] = v;
                t += 1;
            }
        }
        Ok(Covariance { names, values, n_obs: Some(positive) })
    }
}

/// The checks of [`Covariance::from_columns`]' arguments: the names (unique), the number of rows
/// and the number of rows of positive weight.
fn check_columns(columns: &[(&str, &[f64])], weights: Option<&[f64]>) -> StatsResult<(Vec<String>, usize, usize)> {
    let k = columns.len();
    if k == 0 {
        return Err(StatsError::argument("columns", "no column"));
    }
    let names: Vec<String> = columns.iter().map(|(n, _)| n.to_string()).collect();
    check_unique(&names, "columns")?;
    let n = columns[0].1.len();
    for (name, col) in columns {
        if col.len() != n {
            return Err(StatsError::data(
                "columns",
                format!("column '{name}' has {} rows, column '{}' has {n}", col.len(), columns[0].0),
            ));
        }
    }
    if let Some(w) = weights {
        if w.len() != n {
            return Err(StatsError::data("weights", format!("has {} values for {n} rows", w.len())));
        }
        let bad = w.iter().filter(|v| !v.is_finite()).count();
        if bad > 0 {
            return Err(StatsError::data(
                "weights",
                format!("{bad} of {n} rows hold NaN or infinity (drop those rows first)"),
            ));
        }
        let negative = w.iter().filter(|v| **v < 0.0).count();
        if negative > 0 {
            return Err(StatsError::data("weights", format!("{negative} of {n} weights are negative")));
        }
    }
    // NaN / infinity per column, in the columns' order
    let bad: Vec<usize> = columns.par_iter().map(|(_, c)| c.iter().filter(|v| !v.is_finite()).count()).collect();
    if let Some(j) = bad.iter().position(|b| *b > 0) {
        return Err(StatsError::data(
            "columns",
            format!(
                "column '{}': {} of {n} rows hold NaN or infinity (missing values: drop those rows first)",
                names[j], bad[j]
            ),
        ));
    }
    let positive = match weights {
        Some(w) => w.iter().filter(|v| **v > 0.0).count(),
        None => n,
    };
    if positive < 2 {
        return Err(StatsError::data(
            "columns",
            format!("needs at least 2 rows{}, got {positive}", if weights.is_some() { " of positive weight" } else { "" }),
        ));
    }
    Ok((names, n, positive))
}

/// Weighted compensated means (two passes, Neumaier sums) of the columns, and whether each column
/// is constant over the rows of positive weight (its mean is then that value exactly).
fn column_means(columns: &[(&str, &[f64])], weights: Option<&[f64]>, sw: f64) -> Vec<(f64, bool)> {
    columns
        .par_iter()
        .map(|(_, c)| {
            let first = match weights {
                Some(w) => c.iter().zip(w).find(|(_, w)| **w > 0.0).map_or(c[0], |(v, _)| *v),
                None => c[0],
            };
            let constant = match weights {
                Some(w) => c.iter().zip(w).all(|(v, w)| *w == 0.0 || *v == first),
                None => c.iter().all(|v| *v == first),
            };
            let m0 = match weights {
                Some(w) => neumaier(c.iter().zip(w).map(|(v, w)| v * w)) / sw,
                None => neumaier(c.iter().copied()) / sw,
            };
            let m = m0
                + match weights {
                    Some(w) => neumaier(c.iter().zip(w).map(|(v, w)| (v - m0) * w)) / sw,
                    None => neumaier(c.iter().map(|v| v - m0)) / sw,
                };
            (if constant { first } else { m }, constant)
        })
        .collect()
}

/// Per chunk of [`CHUNK`] rows, in order, the upper triangle (row by row) of the cross-products
/// of the centred (and √weight-scaled) columns: combined by the caller with compensated sums.
fn cross_products(columns: &[(&str, &[f64])], weights: Option<&[f64]>, means: &[f64], n: usize) -> Vec<Vec<f64>> {
    let k = columns.len();
    let tri = k * (k + 1) / 2;
    let chunks = n.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .map_init(
            || vec![0.0; k * CHUNK],
            |buf, c| {
                let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
                let len = hi - lo;
                for (a, (_, col)) in columns.iter().enumerate() {
                    let d = &mut buf[a * CHUNK..a * CHUNK + len];
                    let m = means[a];
                    match weights {
                        Some(w) => {
                            for ((di, v), wi) in d.iter_mut().zip(&col[lo..hi]).zip(&w[lo..hi]) {
                                *di = (v - m) * wi.sqrt();
                            }
                        }
                        None => {
                            for (di, v) in d.iter_mut().zip(&col[lo..hi]) {
                                *di = v - m;
                            }
                        }
                    }
                }
                let mut out = Vec::with_capacity(tri);
                for a in 0..k {
                    let da = &buf[a * CHUNK..a * CHUNK + len];
                    for b in a..k {
                        out.push(dot(da, &buf[b * CHUNK..b * CHUNK + len]));
                    }
                }
                out
            },
        )
        .collect()
}


/// Neumaier's compensated sum.
fn neumaier(values: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for v in values {
        let t = s + v;
        c += if s.abs() >= v.abs() { (s - t) + v } else { (v - t) + s };
        s = t;
    }
    s + c
}

pub(super) fn check_unique(names: &[String], argument: &'static str) -> StatsResult<()> {
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(StatsError::argument(argument, format!("'{n}' is listed twice")));
        }
    }
    Ok(())
}
