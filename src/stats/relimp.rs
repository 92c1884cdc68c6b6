//! Relative importance of predictors in a linear model, and dominance analysis, computed from the
//! covariance (or correlation) matrix of the outcome and the predictors.
//!
//! # The core: R² of any subset
//!
//! Every method is a function of `R²(S)`, the coefficient of determination of the regression of
//! `y` on a subset `S` of the predictors (with an intercept). From the correlation matrix `R` of
//! `(S, y)`: `R²(S) = r_yS' R_SS⁻¹ r_Sy = ‖z‖²` with `L L' = R_SS` (Cholesky) and `L z = r_Sy`.
//! R² does not depend on the scale of the variables, so a covariance matrix is first turned into
//! a correlation matrix. The raw-data path ([`Covariance::from_columns`]) builds the (weighted,
//! centred) covariance matrix in one parallel pass over the rows after one pass for the means;
//! everything after that works on the small `(p+1) × (p+1)` matrix.
//!
//! Predictors are *units*: a single column, or a group of columns treated as one predictor (a
//! set of dummies: relaimpo's `groups=`). Columns in `always` are kept in every submodel
//! (relaimpo's `always=`): they are partialled out first — `P`, the correlation matrix of the
//! residuals of `(X, y)` on `A`, is the Schur complement of the `A` block — and
//! `v(S) = R²(A ∪ S) − R²(A) = (1 − R²(A))·R²_P(S)`. All values are on the scale of the total
//! variance of `y`: the LMG values sum to `r2 − r2_always`.
//!
//! # Methods (R relaimpo's `calc.relimp` type names)
//!
//! * `lmg` (Lindeman, Merenda & Gold 1980; the Shapley value of R², Budescu's general
//!   dominance): `lmg_i = Σ_{S ⊆ U∖i} |S|!(m−|S|−1)!/m! · [v(S ∪ i) − v(S)]`, from the table of
//!   the `2^m` subsets (`m ≤ 15` units: each subset's R² computed once, bitmask-indexed, by a
//!   depth-first walk that adds one Cholesky row per column; parallel over the first unit).
//!   Beyond 15 units, or with `exact = false`: the mean increment over `n_permutations` random
//!   orders (permutation-sampling Shapley estimate, Castro, Gómez & Tejada 2009) with its Monte-Carlo
//!   standard error `sd/√B`; order `b` is drawn (Fisher–Yates) from ChaCha8 seeded with `seed`
//!   on stream `b`, orders are summarised in fixed blocks combined in order, so the estimate
//!   depends only on (matrix, options, seed), never on the number of threads.
//! * `first`: `v({i})` (r² of the predictor alone; after `always`, its increment over them).
//! * `last`: `v(U) − v(U ∖ i)`, the R² lost when the predictor is removed from the full model.
//! * `pratt` (Pratt 1987): `β*_i · r_iy` (standardised coefficient times the correlation). For a
//!   group, the sum over its columns `β*_G' r_Gy`, which does not depend on how the group is coded.
//! * `betasq`: `β*_i²`. For a group, `β*_G' R_GG β*_G` (the squared sheaf coefficient, Heise
//!   1972: the variance of the group's part of the fitted values), which is `β*_i²` for one column
//!   and, unlike a sum of squared coefficients, does not depend on the coding of the group.
//! * `johnson` (Johnson 2000, relative weights; R package `rwa`): with `R_xx = V Λ V'`,
//!   `Λ½ = V Λ^{1/2} V'` and `β̃ = Λ½⁻¹ r_xy`, raw weight `ε_j = Σ_k (Λ½)_jk² β̃_k²`; they sum
//!   to R². For a group, the sum of its columns' weights (additive, but dependent on the coding).
//!   The eigen-decomposition is a cyclic Jacobi method, in this file.
//! * `share = lmg / (r2 − r2_always)` (`lmg / r2` without `always`): the shares sum to 1.
//!
//! With `always`, `pratt`, `betasq` and `johnson` are computed on the partial correlation matrix
//! `P` and multiplied by `1 − R²(A)`, so that they too sum (pratt, johnson) to `r2 − r2_always`.
//!
//! # Dominance (Budescu 1993; Azen & Budescu 2003; R's `domir`)
//!
//! General dominance = LMG. Conditional dominance at size `k = 1..m`: the mean increment
//! `v(S ∪ i) − v(S)` over the `C(m−1, k−1)` subsets `S` of size `k−1` without `i` (so `k = 1` is
//! `first`, `k = m` is `last`, and their mean is LMG). Complete dominance: `i` dominates `j` when
//! `v(S ∪ i) ≥ v(S ∪ j)` for every `S` containing neither, with at least one strict inequality;
//! increments within 1e-12 of each other count as ties; a pair tied in every subset, or ordered
//! differently in different subsets, is undetermined.
//!
//! # Errors
//!
//! Never a panic, never a silent NaN: a matrix that is not square, symmetric or finite; a
//! variance ≤ 0 (a constant column, named); perfectly collinear predictors (`1 − R²` of a column
//! on the columns before it below 1e-10, i.e. a variance inflation factor above 1e10: the error
//! names the column and the columns it is a combination of); an outcome that the predictors fit
//! exactly (R² = 1); a correlation matrix that is not positive semi-definite (smallest eigenvalue
//! below −1e-8, reported); no predictor; the outcome among the predictors; a column listed twice;
//! `exact = true` with more than 15 units; rows holding NaN (refused with the column and the count
//! of rows: drop them first).

use super::error::{StatsError, StatsResult};
use super::resample::{below, stream, MAX_RESAMPLES};
use crate::interrupt::checkpoint;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// The largest number of predictors (units) for exact all-subsets enumeration (2^15 subsets).
pub const MAX_EXACT_PREDICTORS: usize = 15;

/// Default number of random orders of the sampled LMG.
pub const DEFAULT_PERMUTATIONS: usize = 10_000;

/// `1 − R²` of a column on the columns before it below this: perfectly collinear.
const COLLINEAR_TOL: f64 = 1e-10;

/// Smallest eigenvalue of the correlation matrix below this: not positive semi-definite.
const NOT_PSD_TOL: f64 = 1e-8;

/// Increments closer than this count as ties in complete dominance.
const TIE_TOL: f64 = 1e-12;

/// Orders of the sampled LMG summarised together (fixed, so results do not depend on threads).
const BLOCK: usize = 64;

/// Rows of the covariance pass handled together.
const CHUNK: usize = 4096;

// ---- methods ----------------------------------------------------------------------------------

/// A relative-importance metric (relaimpo's `type` names, plus Johnson's relative weights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Lmg,
    Pratt,
    First,
    Last,
    Betasq,
    Johnson,
}

impl Method {
    /// Every method, in the default output order.
    pub const ALL: [Method; 6] = [Method::Lmg, Method::Pratt, Method::First, Method::Last, Method::Betasq, Method::Johnson];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Lmg => "lmg",
            Method::Pratt => "pratt",
            Method::First => "first",
            Method::Last => "last",
            Method::Betasq => "betasq",
            Method::Johnson => "johnson",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        Method::ALL.iter().copied().find(|m| m.as_str() == s).ok_or_else(|| {
            StatsError::argument(
                "methods",
                format!("unknown method '{s}' (expected one of lmg, pratt, first, last, betasq, johnson)"),
            )
        })
    }
}

// ---- the covariance matrix --------------------------------------------------------------------

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
    /// variables a model uses ([`relative_importance`]).
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
    /// covariances, so that [`relative_importance`] names it.
    pub fn from_columns(columns: &[(&str, &[f64])], weights: Option<&[f64]>) -> StatsResult<Self> {
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
        let sw = match weights {
            Some(w) => neumaier(w.iter().copied()),
            None => n as f64,
        };
        // weighted compensated means, and whether each column is constant (over positive weights)
        let stats: Vec<(f64, bool)> = columns
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
            .collect();
        let means: Vec<f64> = stats.iter().map(|s| s.0).collect();
        let tri = k * (k + 1) / 2;
        let chunks = n.div_ceil(CHUNK);
        let partial: Vec<Vec<f64>> = (0..chunks)
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
            .collect();
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

/// Dot product with four accumulators (vectorises).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            s[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (s[0] + s[1]) + (s[2] + s[3]) + tail
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

fn check_unique(names: &[String], argument: &'static str) -> StatsResult<()> {
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(StatsError::argument(argument, format!("'{n}' is listed twice")));
        }
    }
    Ok(())
}

// ---- the model --------------------------------------------------------------------------------

/// A predictor: one column, or a group of columns treated as one (a set of dummies).
#[derive(Debug, Clone, PartialEq)]
pub struct Predictor {
    pub name: String,
    pub columns: Vec<String>,
}

/// Outcome, predictors (units) and the columns kept in every submodel.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub y: String,
    pub predictors: Vec<Predictor>,
    pub always: Vec<String>,
}

impl Model {
    /// The model of `y` on the columns `x`, with `groups` (name, columns) treated as single
    /// predictors and `always` kept in every submodel.
    ///
    /// Order of the predictors: as in `x`, a group taking the place of its first column listed
    /// in `x` (the other columns of the group listed in `x` are absorbed into it); groups none of
    /// whose columns is in `x` come after, in the order given.
    ///
    /// Errors (invalid argument): no predictor, the outcome among the predictors (or in `always`),
    /// a column listed twice (in `x`, in two groups, in a group and `always`, in `x` and
    /// `always`), an empty group, a group named like another predictor.
    pub fn new(y: &str, x: &[&str], groups: &[(&str, &[&str])], always: &[&str]) -> StatsResult<Model> {
        let mut member: HashMap<&str, usize> = HashMap::new();
        for (g, (gname, cols)) in groups.iter().enumerate() {
            if cols.is_empty() {
                return Err(StatsError::argument("groups", format!("group '{gname}' has no column")));
            }
            for c in cols.iter() {
                if *c == y {
                    return Err(StatsError::argument(
                        "groups",
                        format!("the outcome '{y}' is also listed as a predictor (in group '{gname}')"),
                    ));
                }
                if let Some(other) = member.insert(c, g) {
                    return Err(StatsError::argument(
                        "groups",
                        format!("column '{c}' is listed twice (in groups '{}' and '{gname}')", groups[other].0),
                    ));
                }
            }
        }
        let mut predictors: Vec<Predictor> = Vec::new();
        let mut placed = vec![false; groups.len()];
        let mut seen: Vec<&str> = Vec::new();
        for c in x {
            if *c == y {
                return Err(StatsError::argument("x", format!("the outcome '{y}' is also listed as a predictor")));
            }
            if seen.contains(c) {
                return Err(StatsError::argument("x", format!("column '{c}' is listed twice")));
            }
            seen.push(c);
            match member.get(c) {
                Some(&g) => {
                    if !placed[g] {
                        placed[g] = true;
                        predictors.push(group_predictor(groups[g]));
                    }
                }
                None => predictors.push(Predictor { name: c.to_string(), columns: vec![c.to_string()] }),
            }
        }
        for (g, done) in placed.iter().enumerate() {
            if !done {
                predictors.push(group_predictor(groups[g]));
            }
        }
        if predictors.is_empty() {
            return Err(StatsError::argument("x", "no predictor: give at least one column"));
        }
        let names: Vec<String> = predictors.iter().map(|p| p.name.clone()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(StatsError::argument("groups", format!("the name '{n}' is used by two predictors")));
            }
        }
        let all: Vec<&str> = predictors.iter().flat_map(|p| p.columns.iter().map(String::as_str)).collect();
        let mut kept: Vec<String> = Vec::new();
        for a in always {
            if *a == y {
                return Err(StatsError::argument("always", format!("the outcome '{y}' is also listed in always")));
            }
            if all.contains(a) {
                return Err(StatsError::argument(
                    "always",
                    format!("column '{a}' is both a predictor and a column kept in every submodel"),
                ));
            }
            if kept.iter().any(|k| k == a) {
                return Err(StatsError::argument("always", format!("column '{a}' is listed twice")));
            }
            kept.push(a.to_string());
        }
        Ok(Model { y: y.to_string(), predictors, always: kept })
    }

    /// Number of predictors (units).
    pub fn len(&self) -> usize {
        self.predictors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.predictors.is_empty()
    }
}

fn group_predictor((name, cols): (&str, &[&str])) -> Predictor {
    Predictor { name: name.to_string(), columns: cols.iter().map(|c| c.to_string()).collect() }
}

// ---- options and results ----------------------------------------------------------------------

/// Options of [`relative_importance`], checked once by [`RelimpOptions::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct RelimpOptions {
    /// The metrics to compute, in output order (at least one, none twice).
    pub methods: Vec<Method>,
    /// `None`: exact when there are at most [`MAX_EXACT_PREDICTORS`] predictors, sampled beyond;
    /// `Some(true)` with more is an invalid argument.
    pub exact: Option<bool>,
    /// Random orders of the sampled LMG, in `[2, MAX_RESAMPLES]`.
    pub n_permutations: usize,
    pub seed: u64,
}

impl Default for RelimpOptions {
    fn default() -> Self {
        RelimpOptions { methods: Method::ALL.to_vec(), exact: None, n_permutations: DEFAULT_PERMUTATIONS, seed: 0 }
    }
}

impl RelimpOptions {
    pub fn check(&self) -> StatsResult<()> {
        if self.methods.is_empty() {
            return Err(StatsError::argument("methods", "no method"));
        }
        for (i, m) in self.methods.iter().enumerate() {
            if self.methods[..i].contains(m) {
                return Err(StatsError::argument("methods", format!("'{m}' is listed twice")));
            }
        }
        if self.n_permutations < 2 || self.n_permutations > MAX_RESAMPLES {
            return Err(StatsError::argument(
                "n_permutations",
                format!("must be between 2 and {MAX_RESAMPLES}, got {}", self.n_permutations),
            ));
        }
        Ok(())
    }
}

/// Relative importance of each predictor (unit), in the model's order. A method's vector is
/// `Some` when it was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Relimp {
    pub predictors: Vec<String>,
    /// The columns of each predictor (one, or a group's).
    pub columns: Vec<Vec<String>>,
    /// The methods asked for, in order.
    pub methods: Vec<Method>,
    pub lmg: Option<Vec<f64>>,
    /// Monte-Carlo standard error of the sampled LMG (`None` when exact).
    pub lmg_se: Option<Vec<f64>>,
    pub pratt: Option<Vec<f64>>,
    pub first: Option<Vec<f64>>,
    pub last: Option<Vec<f64>>,
    pub betasq: Option<Vec<f64>>,
    pub johnson: Option<Vec<f64>>,
    /// `lmg / (r2 − r2_always)` (with `lmg`).
    pub share: Option<Vec<f64>>,
    /// R² of the full model (the `always` columns included).
    pub r2: f64,
    /// R² of the `always` columns alone (0 without them).
    pub r2_always: f64,
    /// Whether LMG was computed from all subsets (else sampled).
    pub exact: bool,
    /// The number of random orders of a sampled LMG.
    pub n_permutations: Option<usize>,
    pub n_obs: Option<usize>,
}

impl Relimp {
    /// The values of one method, when computed.
    pub fn values(&self, m: Method) -> Option<&[f64]> {
        match m {
            Method::Lmg => self.lmg.as_deref(),
            Method::Pratt => self.pratt.as_deref(),
            Method::First => self.first.as_deref(),
            Method::Last => self.last.as_deref(),
            Method::Betasq => self.betasq.as_deref(),
            Method::Johnson => self.johnson.as_deref(),
        }
    }
}

/// Complete dominance of one predictor over another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Its increment is at least the other's in every subset containing neither (strictly
    /// greater in one at least).
    Dominates,
    /// The other dominates it.
    Dominated,
    /// Neither (orders differ between subsets, or ties everywhere; also a predictor with itself).
    Undetermined,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Dominates => "dominates",
            Relation::Dominated => "dominated",
            Relation::Undetermined => "undetermined",
        }
    }
}

/// Dominance analysis of the predictors (units), in the model's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dominance {
    pub predictors: Vec<String>,
    pub r2: f64,
    pub r2_always: f64,
    /// General dominance (= LMG).
    pub general: Vec<f64>,
    /// `conditional[i][k − 1]`: mean increment of predictor `i` over the subsets of size `k − 1`.
    pub conditional: Vec<Vec<f64>>,
    /// `complete[i][j]`: how `i` relates to `j` (diagonal: undetermined).
    pub complete: Vec<Vec<Relation>>,
    pub n_obs: Option<usize>,
}

// ---- preparation: correlation, checks, partialling out ---------------------------------------

/// The partial correlation matrix of (X, y) given the `always` columns, with the units.
struct Prepared {
    predictors: Vec<String>,
    columns: Vec<Vec<String>>,
    /// Indices of each unit's columns in the X block `0..q`.
    unit_cols: Vec<Vec<usize>>,
    /// Names of the X block's columns.
    col_names: Vec<String>,
    q: usize,
    /// `(q + 1) × (q + 1)` partial correlations, `y` last.
    p: Vec<f64>,
    /// `1 − R²(always)`.
    s_a: f64,
    r2_always: f64,
    n_obs: Option<usize>,
}

impl Prepared {
    fn m(&self) -> usize {
        self.unit_cols.len()
    }
    fn stride(&self) -> usize {
        self.q + 1
    }
}

fn prepare(cov: &Covariance, model: &Model) -> StatsResult<Prepared> {
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
fn solve_lower_upper(l: &[f64], k: usize, j: usize, rhs: &[f64]) -> Vec<f64> {
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

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}

// ---- incremental Cholesky of a subset ---------------------------------------------------------

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
fn subset_value(prep: &Prepared, units: impl Iterator<Item = usize>) -> StatsResult<f64> {
    let mut ch = Chol::new(prep);
    for u in units {
        ch.push_unit(prep, u)?;
    }
    Ok(prep.s_a * ch.r2())
}

/// `v(S)` of every subset of the units, indexed by bitmask (bit `u` = unit `u`).
fn subset_table(prep: &Prepared) -> StatsResult<Vec<f64>> {
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
fn conditional(table: &[f64], m: usize) -> Vec<Vec<f64>> {
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
fn sampled_lmg(prep: &Prepared, n_perm: usize, seed: u64) -> StatsResult<(Vec<f64>, Vec<f64>)> {
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

// ---- coefficient-based methods ----------------------------------------------------------------

/// Standardised coefficients of the X block on the partial correlations (full model).
fn std_coefficients(prep: &Prepared) -> StatsResult<Vec<f64>> {
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
fn johnson_weights(prep: &Prepared) -> StatsResult<Vec<f64>> {
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
fn jacobi_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
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

// ---- the public entry points ------------------------------------------------------------------

/// Relative importance of the predictors of `model`, from the covariance (or correlation)
/// matrix `cov` (see the module documentation for the methods and the errors).
pub fn relative_importance(cov: &Covariance, model: &Model, opts: &RelimpOptions) -> StatsResult<Relimp> {
    opts.check()?;
    let m = model.len();
    let exact = match opts.exact {
        Some(true) if m > MAX_EXACT_PREDICTORS => {
            return Err(StatsError::argument(
                "exact",
                format!(
                    "exact all-subsets LMG takes at most {MAX_EXACT_PREDICTORS} predictors (2^{MAX_EXACT_PREDICTORS} subsets), got {m}: \
                     use exact=False for the sampled estimate"
                ),
            ))
        }
        Some(e) => e,
        None => m <= MAX_EXACT_PREDICTORS,
    };
    let prep = prepare(cov, model)?;
    let want = |x: Method| opts.methods.contains(&x);
    let all = || 0..m;
    let table = if exact && (want(Method::Lmg) || want(Method::First) || want(Method::Last)) { Some(subset_table(&prep)?) } else { None };
    let full_mask = (1usize << m.min(63)).wrapping_sub(1);
    let v_full = match &table {
        Some(t) => t[full_mask],
        None => subset_value(&prep, all())?,
    };
    let r2 = prep.r2_always + v_full;
    let (mut lmg, mut lmg_se) = (None, None);
    if want(Method::Lmg) {
        if let Some(t) = &table {
            let cond = conditional(t, m);
            lmg = Some(cond.iter().map(|c| c.iter().sum::<f64>() / m as f64).collect::<Vec<f64>>());
        } else {
            let (est, se) = sampled_lmg(&prep, opts.n_permutations, opts.seed)?;
            lmg = Some(est);
            lmg_se = Some(se);
        }
    }
    let first = if want(Method::First) {
        Some(match &table {
            Some(t) => all().map(|u| t[1 << u]).collect(),
            None => all().map(|u| subset_value(&prep, std::iter::once(u))).collect::<StatsResult<Vec<f64>>>()?,
        })
    } else {
        None
    };
    let last = if want(Method::Last) {
        Some(match &table {
            Some(t) => all().map(|u| v_full - t[full_mask ^ (1 << u)]).collect(),
            None => all()
                .map(|u| Ok(v_full - subset_value(&prep, all().filter(|w| *w != u))?))
                .collect::<StatsResult<Vec<f64>>>()?,
        })
    } else {
        None
    };
    let (mut pratt, mut betasq) = (None, None);
    if want(Method::Pratt) || want(Method::Betasq) {
        let beta = std_coefficients(&prep)?;
        let (q, st) = (prep.q, prep.stride());
        if want(Method::Pratt) {
            pratt = Some(
                prep.unit_cols.iter().map(|cols| prep.s_a * cols.iter().map(|&j| beta[j] * prep.p[j * st + q]).sum::<f64>()).collect(),
            );
        }
        if want(Method::Betasq) {
            betasq = Some(
                prep.unit_cols
                    .iter()
                    .map(|cols| {
                        prep.s_a
                            * cols.iter().map(|&a| cols.iter().map(|&b| beta[a] * prep.p[a * st + b] * beta[b]).sum::<f64>()).sum::<f64>()
                    })
                    .collect(),
            );
        }
    }
    let johnson = if want(Method::Johnson) {
        let w = johnson_weights(&prep)?;
        Some(prep.unit_cols.iter().map(|cols| prep.s_a * cols.iter().map(|&j| w[j]).sum::<f64>()).collect())
    } else {
        None
    };
    let share: Option<Vec<f64>> = lmg.as_ref().map(|l: &Vec<f64>| {
        let total: f64 = if v_full > 0.0 { v_full } else { f64::NAN };
        l.iter().map(|v| v / total).collect()
    });
    if let Some(s) = &share {
        if s.iter().any(|v: &f64| !v.is_finite()) {
            return Err(StatsError::data(
                "y",
                "the predictors explain no variance of the outcome (R² increment 0): shares are undefined",
            ));
        }
    }
    Ok(Relimp {
        predictors: prep.predictors,
        columns: prep.columns,
        methods: opts.methods.clone(),
        lmg,
        lmg_se,
        pratt,
        first,
        last,
        betasq,
        johnson,
        share,
        r2,
        r2_always: prep.r2_always,
        exact,
        n_permutations: (!exact && want(Method::Lmg)).then_some(opts.n_permutations),
        n_obs: prep.n_obs,
    })
}

/// Dominance analysis (general, conditional, complete) of the predictors of `model`; needs all
/// subsets, so at most [`MAX_EXACT_PREDICTORS`] predictors.
pub fn dominance(cov: &Covariance, model: &Model) -> StatsResult<Dominance> {
    let m = model.len();
    if m > MAX_EXACT_PREDICTORS {
        return Err(StatsError::argument(
            "x",
            format!("dominance analysis needs all subsets: at most {MAX_EXACT_PREDICTORS} predictors, got {m}"),
        ));
    }
    let prep = prepare(cov, model)?;
    let table = subset_table(&prep)?;
    let cond = conditional(&table, m);
    let general = cond.iter().map(|c| c.iter().sum::<f64>() / m as f64).collect();
    let mut complete = vec![vec![Relation::Undetermined; m]; m];
    for i in 0..m {
        for j in i + 1..m {
            let (bi, bj) = (1usize << i, 1usize << j);
            let (mut greater, mut less) = (false, false);
            for mask in 0..(1usize << m) {
                if mask & (bi | bj) != 0 {
                    continue;
                }
                let diff = table[mask | bi] - table[mask | bj];
                if diff > TIE_TOL {
                    greater = true;
                } else if diff < -TIE_TOL {
                    less = true;
                }
                if greater && less {
                    break;
                }
            }
            let (rij, rji) = match (greater, less) {
                (true, false) => (Relation::Dominates, Relation::Dominated),
                (false, true) => (Relation::Dominated, Relation::Dominates),
                _ => (Relation::Undetermined, Relation::Undetermined),
            };
            complete[i][j] = rij;
            complete[j][i] = rji;
        }
    }
    let full = (1usize << m) - 1;
    Ok(Dominance {
        predictors: prep.predictors,
        r2: prep.r2_always + table[full],
        r2_always: prep.r2_always,
        general,
        conditional: cond,
        complete,
        n_obs: prep.n_obs,
    })
}

/// LMG and R² of a row-major `dim × dim` covariance matrix with the outcome at index 0 and the
/// predictors at 1..dim; `always` lists predictors (0-based among the predictors, i.e. matrix
/// index − 1) kept in every submodel. For callers that build their own scatter matrices (the
/// drivers' cluster bootstrap); errors name the predictors `x1, x2, ...` by position.
#[derive(Debug, Clone, PartialEq)]
pub struct LmgFit {
    /// LMG of the predictors not in `always`, in order.
    pub lmg: Vec<f64>,
    pub r2: f64,
    pub r2_always: f64,
}

/// See [`LmgFit`].
pub fn lmg_from_covariance(cov: &[f64], dim: usize, always: &[usize]) -> StatsResult<LmgFit> {
    if dim < 2 {
        return Err(StatsError::argument("cov", "needs the outcome and at least one predictor"));
    }
    let names: Vec<String> = std::iter::once("y".to_string()).chain((1..dim).map(|j| format!("x{j}"))).collect();
    let c = Covariance::new(names.clone(), cov.to_vec())?;
    for &a in always {
        if a + 1 >= dim {
            return Err(StatsError::argument("always", format!("predictor index {a} is out of range (0..{})", dim - 1)));
        }
    }
    let x: Vec<&str> = (0..dim - 1).filter(|j| !always.contains(j)).map(|j| names[j + 1].as_str()).collect();
    let a: Vec<&str> = always.iter().map(|&j| names[j + 1].as_str()).collect();
    let model = Model::new("y", &x, &[], &a)?;
    let opts = RelimpOptions { methods: vec![Method::Lmg], exact: None, ..RelimpOptions::default() };
    let r = relative_importance(&c, &model, &opts)?;
    Ok(LmgFit { lmg: r.lmg.unwrap_or_default(), r2: r.r2, r2_always: r.r2_always })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    /// Azen & Budescu (2003, Psychological Methods 8(2), Table 2): y, x1..x4.
    fn azen_budescu() -> Covariance {
        let r = [
            [1.0, 0.6, 0.3, 0.4, 0.5],
            [0.6, 1.0, 0.8, 0.1, 0.3],
            [0.3, 0.8, 1.0, 0.1, 0.1],
            [0.4, 0.1, 0.1, 1.0, 0.5],
            [0.5, 0.3, 0.1, 0.5, 1.0],
        ];
        let names = ["y", "x1", "x2", "x3", "x4"].map(String::from).to_vec();
        Covariance::new(names, r.iter().flatten().copied().collect()).unwrap()
    }

    fn ab_model() -> Model {
        Model::new("y", &["x1", "x2", "x3", "x4"], &[], &[]).unwrap()
    }

    #[test]
    fn azen_budescu_conditional_dominance() {
        let d = dominance(&azen_budescu(), &ab_model()).unwrap();
        // published to 3 decimals, levels 0..3
        let published = [
            [0.360, 0.300, 0.263, 0.246],
            [0.090, 0.074, 0.069, 0.071],
            [0.160, 0.095, 0.063, 0.061],
            [0.250, 0.152, 0.073, 0.010],
        ];
        for (i, row) in published.iter().enumerate() {
            for (k, v) in row.iter().enumerate() {
                assert_abs_diff_eq!(d.conditional[i][k], *v, epsilon = 5e-4 + 1e-12);
            }
        }
        // general dominance sums to R²
        assert_abs_diff_eq!(d.general.iter().sum::<f64>(), d.r2, epsilon = 1e-14);
        // x1 dominates x2 completely (.360/.300/.263/.246 vs .090/...)
        assert_eq!(d.complete[0][1], Relation::Dominates);
        assert_eq!(d.complete[1][0], Relation::Dominated);
    }

    #[test]
    fn lmg_equals_general_dominance_and_sampling_agrees() {
        let cov = azen_budescu();
        let r = relative_importance(&cov, &ab_model(), &RelimpOptions::default()).unwrap();
        let d = dominance(&cov, &ab_model()).unwrap();
        let lmg = r.lmg.clone().unwrap();
        for i in 0..4 {
            assert_abs_diff_eq!(lmg[i], d.general[i], epsilon = 1e-15);
        }
        assert_abs_diff_eq!(r.share.unwrap().iter().sum::<f64>(), 1.0, epsilon = 1e-14);
        // pratt and johnson sum to R²
        assert_abs_diff_eq!(r.pratt.unwrap().iter().sum::<f64>(), r.r2, epsilon = 1e-14);
        assert_abs_diff_eq!(r.johnson.unwrap().iter().sum::<f64>(), r.r2, epsilon = 1e-13);
        let opts = RelimpOptions { exact: Some(false), n_permutations: 4000, seed: 7, ..RelimpOptions::default() };
        let s = relative_importance(&cov, &ab_model(), &opts).unwrap();
        let (est, se) = (s.lmg.unwrap(), s.lmg_se.unwrap());
        for i in 0..4 {
            assert!((est[i] - lmg[i]).abs() < 4.0 * se[i] + 1e-12, "{i}: {} vs {} (se {})", est[i], lmg[i], se[i]);
        }
        assert_abs_diff_eq!(est.iter().sum::<f64>(), r.r2, epsilon = 1e-12);
    }

    #[test]
    fn always_and_groups_are_consistent() {
        let cov = azen_budescu();
        // always: increments over x4; the lmg of the rest sums to R² − R²(x4)
        let m = Model::new("y", &["x1", "x2", "x3"], &[], &["x4"]).unwrap();
        let r = relative_importance(&cov, &m, &RelimpOptions::default()).unwrap();
        assert_abs_diff_eq!(r.r2_always, 0.25, epsilon = 1e-15);
        assert_abs_diff_eq!(r.lmg.as_ref().unwrap().iter().sum::<f64>(), r.r2 - 0.25, epsilon = 1e-14);
        assert_abs_diff_eq!(r.pratt.as_ref().unwrap().iter().sum::<f64>(), r.r2 - 0.25, epsilon = 1e-14);
        assert_abs_diff_eq!(r.johnson.as_ref().unwrap().iter().sum::<f64>(), r.r2 - 0.25, epsilon = 1e-13);
        // first with always = R²(x4, xi) − R²(x4)
        let full = relative_importance(&cov, &ab_model(), &RelimpOptions::default()).unwrap();
        let d = dominance(&cov, &ab_model()).unwrap();
        // R²(x4, x1) - R²(x4) equals the increment of x1 at level 1 averaged... check directly
        let pair = Model::new("y", &["x1", "x4"], &[], &[]).unwrap();
        let r14 = relative_importance(&cov, &pair, &RelimpOptions { methods: vec![Method::First], ..Default::default() }).unwrap().r2;
        assert_abs_diff_eq!(r.first.as_ref().unwrap()[0], r14 - 0.25, epsilon = 1e-14);
        assert_abs_diff_eq!(r.r2, full.r2, epsilon = 1e-14);
        assert_abs_diff_eq!(d.r2, full.r2, epsilon = 1e-15);
        // a group of one column is the column
        let g = Model::new("y", &["x2", "x3", "x4"], &[("g1", &["x1"][..])], &[]).unwrap();
        let rg = relative_importance(&cov, &g, &RelimpOptions::default()).unwrap();
        assert_eq!(rg.predictors, vec!["x2", "x3", "x4", "g1"]);
        assert_abs_diff_eq!(rg.lmg.as_ref().unwrap()[3], full.lmg.as_ref().unwrap()[0], epsilon = 1e-15);
        assert_abs_diff_eq!(rg.betasq.as_ref().unwrap()[3], full.betasq.as_ref().unwrap()[0], epsilon = 1e-15);
        // a group of two: lmg over three units sums to R²
        let g2 = Model::new("y", &["x1", "x2", "x3", "x4"], &[("x12", &["x1", "x2"][..])], &[]).unwrap();
        let r2g = relative_importance(&cov, &g2, &RelimpOptions::default()).unwrap();
        assert_eq!(r2g.predictors, vec!["x12", "x3", "x4"]);
        assert_abs_diff_eq!(r2g.lmg.as_ref().unwrap().iter().sum::<f64>(), full.r2, epsilon = 1e-14);
        assert_abs_diff_eq!(r2g.pratt.as_ref().unwrap().iter().sum::<f64>(), full.r2, epsilon = 1e-14);
    }

    #[test]
    fn jacobi_reconstructs_the_matrix() {
        let c = azen_budescu();
        let (lam, v) = jacobi_eigen(&c.values, 5);
        for i in 0..5 {
            for j in 0..5 {
                let a: f64 = (0..5).map(|t| v[i * 5 + t] * lam[t] * v[j * 5 + t]).sum();
                assert_abs_diff_eq!(a, c.values[i * 5 + j], epsilon = 1e-14);
            }
        }
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let cov = azen_budescu();
        let e = Model::new("y", &["x1", "y"], &[], &[]).unwrap_err();
        assert!(matches!(e, StatsError::InvalidArgument { argument: "x", .. }) && e.to_string().contains("'y'"), "{e}");
        let e = Model::new("y", &[], &[], &[]).unwrap_err();
        assert!(matches!(e, StatsError::InvalidArgument { .. }), "{e}");
        // not PSD: r(x1,x2) = .8, r(x1,x3) = .8, r(x2,x3) = -.8
        let mut v = cov.values.clone();
        v[2 * 5 + 3] = -0.8;
        v[3 * 5 + 2] = -0.8;
        v[5 + 3] = 0.8;
        v[3 * 5 + 1] = 0.8;
        let bad = Covariance::new(cov.names.clone(), v).unwrap();
        let e = relative_importance(&bad, &ab_model(), &RelimpOptions::default()).unwrap_err();
        assert!(e.to_string().contains("not positive semi-definite"), "{e}");
        // collinear columns from data
        let x1 = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let x2 = [2.0, 1.0, 0.0, 3.0, 5.0, 1.0];
        let x3: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| a + 2.0 * b).collect();
        let y = [1.0, 3.0, 2.0, 5.0, 4.0, 7.0];
        let c = Covariance::from_columns(&[("y", &y), ("a", &x1), ("b", &x2), ("c", &x3)], None).unwrap();
        let m = Model::new("y", &["a", "b", "c"], &[], &[]).unwrap();
        let e = relative_importance(&c, &m, &RelimpOptions::default()).unwrap_err();
        assert!(matches!(e, StatsError::InvalidData { .. }) && e.to_string().contains("'c' is a linear combination of 'a', 'b'"), "{e}");
        // constant column
        let k = [3.0; 6];
        let c = Covariance::from_columns(&[("y", &y), ("a", &x1), ("k", &k)], None).unwrap();
        let e = relative_importance(&c, &Model::new("y", &["a", "k"], &[], &[]).unwrap(), &RelimpOptions::default()).unwrap_err();
        assert!(e.to_string().contains("'k' is constant"), "{e}");
        // NaN rows
        let xn = [1.0, f64::NAN, 3.0, f64::NAN, 5.0, 6.0];
        let e = Covariance::from_columns(&[("y", &y), ("xn", &xn)], None).unwrap_err();
        assert!(e.to_string().contains("'xn': 2 of 6 rows"), "{e}");
        // exact with too many predictors
        let names: Vec<String> = (0..17).map(|i| format!("v{i}")).collect();
        let mut id = vec![0.0; 17 * 17];
        for i in 0..17 {
            id[i * 17 + i] = 1.0;
        }
        id[1] = 0.3;
        id[17] = 0.3;
        let c = Covariance::new(names.clone(), id).unwrap();
        let x: Vec<&str> = names[1..].iter().map(String::as_str).collect();
        let m = Model::new("v0", &x, &[], &[]).unwrap();
        let e = relative_importance(&c, &m, &RelimpOptions { exact: Some(true), ..Default::default() }).unwrap_err();
        assert!(matches!(e, StatsError::InvalidArgument { argument: "exact", .. }), "{e}");
        let ok = relative_importance(&c, &m, &RelimpOptions { n_permutations: 50, ..Default::default() }).unwrap();
        assert!(!ok.exact);
        assert_abs_diff_eq!(ok.lmg.unwrap()[0], 0.09, epsilon = 1e-12); // the only correlated predictor
    }

    #[test]
    fn weighted_covariance_matches_the_definition() {
        let x = [1.0e9 + 1.0, 1.0e9 + 2.0, 1.0e9 + 4.0, 1.0e9 + 7.0, 1.0e9 + 11.0];
        let y = [2.0, 1.0, 5.0, 4.0, 9.0];
        let w = [1.0, 2.0, 0.5, 1.5, 1.0];
        let c = Covariance::from_columns(&[("x", &x), ("y", &y)], Some(&w)).unwrap();
        let sw: f64 = w.iter().sum();
        let mx = x.iter().zip(&w).map(|(a, b)| (a - 1.0e9) * b).sum::<f64>() / sw;
        let my = y.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / sw;
        let sxy: f64 = x.iter().zip(&y).zip(&w).map(|((a, b), c)| c * (a - 1.0e9 - mx) * (b - my)).sum();
        assert_abs_diff_eq!(c.values[1], sxy / sw * 5.0 / 4.0, epsilon = 1e-12);
    }

    #[test]
    fn lmg_from_covariance_for_the_drivers() {
        let cov = azen_budescu();
        let fit = lmg_from_covariance(&cov.values, 5, &[3]).unwrap();
        let m = Model::new("y", &["x1", "x2", "x3"], &[], &["x4"]).unwrap();
        let r = relative_importance(&cov, &m, &RelimpOptions::default()).unwrap();
        assert_eq!(fit.lmg, r.lmg.unwrap());
        assert_eq!(fit.r2, r.r2);
    }
}
