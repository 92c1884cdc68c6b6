//! Least squares from per-block triangular factors instead of rows: [`RowsFactor`] (a block's
//! `R` of `[X | y]`, by Givens rotations), [`RowsFacts`] (what the checks of the fit read) and
//! [`ols_absorbed_factored`], the fit of [`ols_absorbed`](super::regression::ols_absorbed) with
//! cluster-robust errors from the factors of the clusters (the partial results of
//! [`crate::partial`], whose clusters are held in different places).

use super::descriptive::check_finite;
use super::error::{StatsError, StatsResult};
use super::regression::{fit_rows, OlsFit, Sample};
use super::result::check_confidence;

/// The triangular factor `R` of a block of rows `Z = [X | y]` (`Z = QR`, so `RᵀR = ZᵀZ`: the
/// block's cross-product matrix in factored form), built one row at a time by Givens rotations
/// (Golub & Van Loan, *Matrix Computations*, 4th ed., §5.1.8 and §6.5 on updating a QR). Least
/// squares on the rows of the stacked factors of several blocks has the normal equations, the
/// residual sum of squares (the last diagonal entries, squared, sit in the `y` column) and the
/// per-block scores `X_gᵀe_g = R_xᵀ(r_y - R_x b)` of least squares on all their rows, without the
/// rows and without squaring the condition number as the cross products `ZᵀZ` themselves would.
/// See [`ols_absorbed_factored`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowsFactor {
    /// Columns of `Z`: those of `X`, then `y`.
    m: usize,
    /// The upper triangle of `R` by rows, packed (`m(m+1)/2` values).
    r: Vec<f64>,
}

impl RowsFactor {
    /// The factor of no rows, for `k` columns of `X` (and `y`).
    pub fn new(k: usize) -> RowsFactor {
        let m = k + 1;
        RowsFactor { m, r: vec![0.0; m * (m + 1) / 2] }
    }

    /// Adds the row `(x, y)`: `[R; z] = Q [R'; 0]`, one rotation per non-zero entry of `z`
    /// (`c = r_jj/h`, `s = z_j/h`, `h = hypot(r_jj, z_j)`, so the diagonal stays non-negative).
    pub fn add_row(&mut self, x: &[f64], y: f64) {
        debug_assert_eq!(x.len() + 1, self.m);
        let m = self.m;
        // the row on the stack for up to 16 columns (no allocation per row)
        let (mut small, mut large) = ([0.0; 16], Vec::new());
        let z: &mut [f64] = if m <= small.len() {
            &mut small[..m]
        } else {
            large.resize(m, 0.0);
            &mut large
        };
        z[..m - 1].copy_from_slice(x);
        z[m - 1] = y;
        let mut row = 0;
        for j in 0..m {
            // `row` = index of R(j, j) in the packed triangle; R(j, l) = r[row + l - j]
            if z[j] != 0.0 {
                let a = self.r[row];
                let h = a.hypot(z[j]);
                let (c, s) = (a / h, z[j] / h);
                self.r[row] = h;
                for l in (j + 1)..m {
                    let (rl, zl) = (self.r[row + l - j], z[l]);
                    self.r[row + l - j] = c * rl + s * zl;
                    z[l] = c * zl - s * rl;
                }
                z[j] = 0.0;
            }
            row += m - j;
        }
    }

    /// The factor of the rows whose column `j` (those of `X`, then `y`) is multiplied by
    /// `s[j] > 0` (`R·diag(s)`: still upper triangular with a non-negative diagonal).
    pub fn scaled_columns(&self, s: &[f64]) -> RowsFactor {
        debug_assert_eq!(s.len(), self.m);
        let m = self.m;
        let mut r = self.r.clone();
        let mut row = 0;
        for i in 0..m {
            for (l, v) in r[row..row + m - i].iter_mut().enumerate() {
                *v *= s[i + l];
            }
            row += m - i;
        }
        RowsFactor { m, r }
    }

    /// The factor of the rows multiplied by `s` (`R` times `s`).
    pub fn scaled(&self, s: f64) -> RowsFactor {
        RowsFactor { m: self.m, r: self.r.iter().map(|v| v * s).collect() }
    }

    /// `RᵀR`: the cross products `ZᵀZ` of the rows, row-major `m × m` (columns of `X`, then `y`).
    pub fn cross_products(&self) -> Vec<f64> {
        let m = self.m;
        let mut starts = Vec::with_capacity(m);
        let mut row = 0;
        for i in 0..m {
            starts.push(row);
            row += m - i;
        }
        let r = |i: usize, l: usize| self.r[starts[i] + l - i];
        let mut out = vec![0.0; m * m];
        for a in 0..m {
            for b in a..m {
                let v: f64 = (0..=a).map(|i| r(i, a) * r(i, b)).sum();
                out[a * m + b] = v;
                out[b * m + a] = v;
            }
        }
        out
    }

    /// The rows of `R` as `(x, y)` (rows of zeros included: every block keeps its rows, so that
    /// a cluster whose observations are all zero still counts as a cluster).
    fn rows(&self) -> Vec<(Vec<f64>, f64)> {
        let m = self.m;
        let mut out = Vec::with_capacity(m);
        let mut row = 0;
        for i in 0..m {
            let mut full = vec![0.0; m];
            full[i..].copy_from_slice(&self.r[row..row + m - i]);
            row += m - i;
            let y = full.pop().unwrap_or(0.0);
            out.push((full, y));
        }
        out
    }
}

/// What the checks of [`ols`] need of some observations `(X, y)` beyond the [`RowsFactor`] of
/// their rows: their number, `max |y|`, `Σy`, for each column of `[X | y]` the value every row
/// holds (when they all hold the same), and for each column of `X` whether it equals `y` on every
/// row. Observations cut into parts merge exactly ([`RowsFacts::merge`], up to the rounding of
/// `Σy`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowsFacts {
    pub n: u64,
    pub y_max_abs: f64,
    pub y_sum: f64,
    /// One per column of `[X | y]`: `Some(v)` when every row holds `v`.
    pub constant: Vec<Option<f64>>,
    /// One per column of `X`: the column equals `y` on every row.
    pub is_y: Vec<bool>,
}

impl RowsFacts {
    /// The facts of the observations `(x, y)` (`x` by columns).
    pub fn of(x: &[&[f64]], y: &[f64]) -> RowsFacts {
        let constant_at = |c: &[f64]| c.first().filter(|v| c.iter().all(|w| w == *v)).copied();
        RowsFacts {
            n: y.len() as u64,
            y_max_abs: y.iter().fold(0.0_f64, |m, v| m.max(v.abs())),
            y_sum: y.iter().sum(),
            constant: x.iter().map(|c| constant_at(c)).chain([constant_at(y)]).collect(),
            is_y: x.iter().map(|c| c.iter().zip(y).all(|(a, b)| a == b)).collect(),
        }
    }

    /// The facts of the union of two sets of observations.
    pub fn merge(&mut self, other: &RowsFacts) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        self.n += other.n;
        self.y_max_abs = self.y_max_abs.max(other.y_max_abs);
        self.y_sum += other.y_sum;
        for (a, b) in self.constant.iter_mut().zip(&other.constant) {
            if *a != *b {
                *a = None;
            }
        }
        for (a, b) in self.is_y.iter_mut().zip(&other.is_y) {
            *a &= *b;
        }
    }

    /// The facts of the observations multiplied by `s > 0`.
    pub fn scaled(&self, s: f64) -> RowsFacts {
        RowsFacts {
            n: self.n,
            y_max_abs: self.y_max_abs * s,
            y_sum: self.y_sum * s,
            constant: self.constant.iter().map(|c| c.map(|v| v * s)).collect(),
            is_y: self.is_y.clone(),
        }
    }
}

/// [`ols_absorbed`] with cluster-robust (CR1) errors, from the [`RowsFactor`] of each cluster's
/// rows of `[X | y]` (columns named `names`; one factor per cluster of at least one observation,
/// in any order) and the [`RowsFacts`] of all the observations,
/// instead of the rows: least squares on the stacked rows of the factors has the same normal
/// equations, residual sum of squares and cluster scores (see [`RowsFactor`]), so the fit, the
/// CR1 covariance (with the factor `G/(G-1)·(n-1)/(n-p-absorbed)` of the `n` observations), the
/// tests and the notes are those of `ols_absorbed` on the rows, to rounding, with the same
/// errors and notes (the rank check reads the same `R`; the one difference: a NaN or infinity is
/// reported at its position among the stacked rows). For clusters of observations held in
/// different places (the partial results of [`crate::partial`]).
pub fn ols_absorbed_factored(
    names: &[&str],
    clusters: &[RowsFactor],
    facts: &RowsFacts,
    absorbed: usize,
    confidence: f64,
) -> StatsResult<OlsFit> {
    let confidence = check_confidence(confidence)?;
    let k = names.len();
    if clusters.iter().any(|c| c.m != k + 1) || facts.constant.len() != k + 1 || facts.is_y.len() != k {
        return Err(StatsError::argument("x", "the factors and facts do not have one column per name (and y)"));
    }
    let (mut y, mut cols, mut codes) = (Vec::new(), vec![Vec::new(); k], Vec::new());
    for (g, c) in clusters.iter().enumerate() {
        for (row, v) in c.rows() {
            y.push(v);
            for (col, x) in cols.iter_mut().zip(row) {
                col.push(x);
            }
            codes.push(g);
        }
    }
    check_finite("y", &y)?;
    let x: Vec<(&str, &[f64])> = names.iter().copied().zip(cols.iter().map(Vec::as_slice)).collect();
    for (name, col) in &x {
        check_finite("x", col).map_err(|_| {
            StatsError::data("x", format!("column '{name}' holds NaN or infinity (drop or impute first)"))
        })?;
    }
    let y_varies = facts.n > 0 && facts.constant[k].is_none();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(StatsError::argument("x", format!("column '{name}' is listed twice")));
        }
        if y_varies && facts.is_y[i] {
            return Err(StatsError::data(
                "x",
                format!("column '{name}' is identical to the outcome y: the outcome cannot be its own predictor"),
            ));
        }
    }
    if k == 0 {
        return Err(StatsError::argument("x", "no columns and no intercept: nothing to estimate"));
    }
    let (n, p_full) = (facts.n as usize, k + absorbed);
    if n <= p_full {
        return Err(StatsError::data("y", format!("needs more observations ({n}) than coefficients ({p_full})")));
    }
    let has_const = facts.constant[..k].iter().any(|c| c.is_some_and(|v| v != 0.0));
    let ssy: f64 = y.iter().map(|v| v * v).sum();
    let tss = if has_const { ssy - facts.y_sum * facts.y_sum / n as f64 } else { ssy };
    let sample = Sample { n, y_scale: facts.y_max_abs.max(f64::MIN_POSITIVE), has_const, tss };
    fit_rows(&y, &x, false, (k, p_full), Some(&codes), confidence, &sample)
}
