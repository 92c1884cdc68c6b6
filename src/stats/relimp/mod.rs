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
//!   The eigen-decomposition is a cyclic Jacobi method, in `weights`.
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

//!
//! # Parts
//!
//! `covariance` (the matrix, given or from raw columns), `model` (outcome, units, `always`),
//! `prepare` (partial correlations and the typed errors), `shapley` (subset R², LMG exact or
//! sampled, conditional dominance), `weights` (pratt, betasq, Johnson); this module holds the
//! options, the results and the entry points.

mod covariance;
mod model;
mod prepare;
mod shapley;
mod weights;

pub use covariance::Covariance;
pub use model::{Model, Predictor};

use super::error::{StatsError, StatsResult};
use super::names;
use super::resample::MAX_RESAMPLES;
use prepare::prepare;
use shapley::{conditional, sampled_lmg, subset_table, subset_value};
use std::str::FromStr;
use strum::IntoEnumIterator;
use weights::{johnson_weights, std_coefficients};

/// The largest number of predictors (units) for exact all-subsets enumeration (2^15 subsets).
pub const MAX_EXACT_PREDICTORS: usize = 15;

/// Default number of random orders of the sampled LMG.
pub const DEFAULT_PERMUTATIONS: usize = 10_000;

/// Increments closer than this count as ties in complete dominance.
const TIE_TOL: f64 = 1e-12;

// ---- methods ----------------------------------------------------------------------------------

/// A relative-importance metric (relaimpo's `type` names, plus Johnson's relative weights); its
/// names (`"lmg"`, `"pratt"`, ...) are derived.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "lowercase")]
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
        self.into()
    }
}

impl FromStr for Method {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        names::parse(s).map_err(|_| {
            let all: Vec<&str> = Method::iter().map(Method::as_str).collect();
            StatsError::argument("methods", format!("unknown method '{s}' (expected one of {})", all.join(", ")))
        })
    }
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

/// Complete dominance of one predictor over another; its names (`"dominates"`, ...) are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
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
        self.into()
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
    use super::weights::jacobi_eigen;
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

    #[test]
    fn method_and_relation_names() {
        let names: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(names, ["lmg", "pratt", "first", "last", "betasq", "johnson"]);
        assert_eq!(Method::ALL.to_vec(), Method::iter().collect::<Vec<_>>());
        assert_eq!("betasq".parse::<Method>().unwrap(), Method::Betasq);
        assert_eq!(Method::Johnson.to_string(), "johnson");
        assert_eq!(
            "LMG".parse::<Method>().unwrap_err(),
            StatsError::argument(
                "methods",
                "unknown method 'LMG' (expected one of lmg, pratt, first, last, betasq, johnson)"
            )
        );
        assert_eq!(
            [Relation::Dominates, Relation::Dominated, Relation::Undetermined].map(Relation::as_str),
            ["dominates", "dominated", "undetermined"]
        );
    }
}
