//! Linear mixed model with one random intercept, fitted by REML or ML.
//!
//! Model, for observation i of group j (units within studies, employees within units):
//!
//! ```text
//! y_ij = x_ij'β + u_j + e_ij,    u_j ~ N(0, τ²),  e_ij ~ N(0, σ²), independent
//! ```
//!
//! so `Var(y_j) = σ²H_j` with `H_j = I + λ11'` and `λ = τ²/σ²`. The block structure gives closed
//! forms: `H_j⁻¹ = I − γ_j 11'` with `γ_j = λ/(1 + n_jλ)` and `|H_j| = 1 + n_jλ`. Hence, with
//! `z_j = (X_j'1, 1'y_j)` the group sums and `M = [X y]'[X y]` the overall cross-products,
//!
//! ```text
//! [A b; b' c](λ) = M − Σ_j γ_j z_j z_j'      (A = Σ X_j'H_j⁻¹X_j, b = Σ X_j'H_j⁻¹y_j)
//! β̂(λ) = A⁻¹b,   Q(λ) = c − b'β̂ = Σ_j r_j'H_j⁻¹r_j
//! ```
//!
//! and σ² profiles out in closed form, `σ̂² = Q/f` with `f = n − p` (REML) or `n` (ML). The
//! profiled log-likelihoods, exactly statsmodels' `MixedLM(...).fit().llf` (and R's `logLik` of
//! `nlme::lme` / `lme4::lmer`):
//!
//! ```text
//! ML:    ℓ(λ) = −n/2 (log 2π + log(Q/n) + 1) − ½ Σ_j log(1 + n_jλ)
//! REML:  ℓ(λ) = −(n−p)/2 (log 2π + log(Q/(n−p)) + 1) − ½ Σ_j log(1 + n_jλ) − ½ log|A|
//! ```
//!
//! The fit is one pass over the data (centred, so that large offsets do not cost digits) that
//! builds the cross-products and the group sums; groups of equal size are then pooled
//! (`Σ_j γ_j z_j z_j'` only depends on `n_j` through γ), so each evaluation of ℓ costs
//! `O(D p²)` for `D` distinct group sizes, whatever `n`. ℓ is maximised over `θ = log λ`: a grid
//! of unit steps from `λ = e⁻²⁵` to `e¹⁵` plus `λ = 0`, then Brent's root finder on the analytic
//! score `dℓ/dλ` to `|Δθ| ≤ 1e-14` (λ to about 1e-14 relative). A last pass over the data
//! recomputes `Q` from the residuals themselves (per-group Welford), for `σ̂²` and `ℓ`.
//!
//! When the score at `λ = 0` is not positive and no grid point beats it, the optimum is on the
//! boundary: τ² = 0, the fit is OLS (σ̂² = SSR/f) and the note says so (statsmodels warns "The MLE
//! may be on the boundary of the parameter space").
//!
//! Standard errors of β̂, two conventions (they differ by up to ~1% on unbalanced data):
//! - [`MixedSe::Model`] (default): `Cov(β̂) = σ̂²A⁻¹ = (Σ X_j'V̂_j⁻¹X_j)⁻¹`, the GLS covariance at
//!   the estimated variances — what `nlme::lme`, `lme4::lmer`, SAS `PROC MIXED` and Stata
//!   `mixed` report.
//! - [`MixedSe::Observed`]: the β block of the inverse observed information of the profiled
//!   likelihood in `(β, λ)`, cross term `∂²ℓ/∂β∂λ = −f/Q Σ_j (1+n_jλ)⁻² X_j'1 1'r_j` included:
//!   statsmodels' `MixedLM.fit().bse_fe`.
//!
//! Tests use the normal reference, as statsmodels' summary: `z = β̂/se`, `p = 2·P(Z > |z|)`,
//! interval `β̂ ± z_{(1+c)/2}·se`.

use super::descriptive::{check_finite, mean};
use super::dist::{floor_p, norm_ppf, norm_sf, P_FLOOR_NOTE};
use super::error::{StatsError, StatsResult};
use super::result::{check_confidence, clamp_p};
use std::str::FromStr;

const INTERCEPT: &str = "(Intercept)";
const LN_2PI: f64 = 1.837_877_066_409_345_5;
/// Grid of θ = log λ: `THETA_LO, THETA_LO + 1, ..., THETA_HI`.
const THETA_LO: f64 = -25.0;
const THETA_HI: f64 = 15.0;
/// The grid is extended upward to this θ before concluding that σ² → 0.
const THETA_MAX: f64 = 40.0;
/// Brent's tolerance on θ (absolute), i.e. λ to about this relative precision.
const THETA_TOL: f64 = 1e-14;
/// `1 − R²` of a column on the intercept and the columns before it below which the design is
/// called rank deficient (the Cholesky of the cross-products cannot resolve much further).
const COLLINEAR_TOL: f64 = 1e-10;
/// Rows per block of the data pass (centred values of one block stay in cache).
const BLOCK: usize = 1024;

/// Restricted (REML, the default of statsmodels, nlme and lme4) or full maximum likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MixedMethod {
    #[default]
    Reml,
    Ml,
}

impl MixedMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            MixedMethod::Reml => "REML",
            MixedMethod::Ml => "ML",
        }
    }
}

impl FromStr for MixedMethod {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        match s.to_ascii_lowercase().as_str() {
            "reml" => Ok(MixedMethod::Reml),
            "ml" => Ok(MixedMethod::Ml),
            other => Err(StatsError::argument(
                "method",
                format!("expected 'reml' or 'ml', got '{other}'"),
            )),
        }
    }
}

/// Which covariance of the fixed effects the standard errors come from (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MixedSe {
    /// `σ̂²(Σ X_j'H_j⁻¹X_j)⁻¹`: nlme, lme4, SAS, Stata.
    #[default]
    Model,
    /// Inverse observed information of the profiled likelihood in (β, λ): statsmodels `bse_fe`.
    Observed,
}

impl MixedSe {
    pub fn as_str(self) -> &'static str {
        match self {
            MixedSe::Model => "model",
            MixedSe::Observed => "observed",
        }
    }
}

impl FromStr for MixedSe {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        match s.to_ascii_lowercase().as_str() {
            "model" => Ok(MixedSe::Model),
            "observed" => Ok(MixedSe::Observed),
            other => Err(StatsError::argument(
                "se",
                format!("expected 'model' or 'observed', got '{other}'"),
            )),
        }
    }
}

/// One fixed effect (broom.mixed's `tidy` columns, normal reference).
#[derive(Debug, Clone, PartialEq)]
pub struct MixedTerm {
    /// Column name, or `"(Intercept)"`.
    pub term: String,
    pub estimate: f64,
    pub std_error: f64,
    /// z statistic `estimate / std_error`.
    pub statistic: f64,
    /// Two-sided, from the standard normal (statsmodels' `pvalues`).
    pub p_value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// A random-intercept fit: fixed effects plus the variance components.
#[derive(Debug, Clone, PartialEq)]
pub struct MixedFit {
    /// Intercept first (when fitted), then the columns in the order given.
    pub terms: Vec<MixedTerm>,
    /// τ̂², the variance of the random intercepts (0 on the boundary).
    pub group_var: f64,
    /// σ̂², the residual variance.
    pub resid_var: f64,
    /// `τ̂²/(τ̂² + σ̂²)`, the intraclass correlation conditional on x.
    pub icc: f64,
    /// Maximised REML or ML log-likelihood, as statsmodels' `llf`.
    pub loglik: f64,
    pub n: u64,
    pub n_groups: usize,
    /// Whether the optimiser reached its tolerance (a boundary optimum counts as converged).
    pub converged: bool,
    /// Evaluations of the profiled likelihood (grid and root finding).
    pub iterations: usize,
    /// e.g. `"REML random-intercept LMM (model-based standard errors)"`.
    pub method: String,
    pub note: Option<String>,
}

/// Random-intercept linear mixed model of `y` on the named columns `x` (plus an intercept when
/// `intercept`), one random intercept per value of `groups`, by REML or ML (module doc: model,
/// algorithm, the two standard-error conventions). Agrees with statsmodels
/// `MixedLM(y, X, groups).fit(reml=...)` (estimates, `cov_re`, `scale`, `llf`; `bse_fe` with
/// `se = Observed`) and with `nlme::lme(y ~ x, random = ~1|g)` (`se = Model`).
///
/// Cost: O(n·p²) for one pass over the data, then O(D·p² + p³) per likelihood evaluation, D the
/// number of distinct group sizes.
///
/// Errors (typed, naming the argument or column): lengths that differ, NaN or infinity in `y` or
/// in a column, a column listed twice or identical to `y`, nothing to estimate, fewer than 2
/// groups, every group of size 1 (τ² and σ² are then not separately identified), `n <= p`, a
/// constant column (with the intercept), a column that is (to `1 − R² <= 1e-10`) a linear
/// combination of the intercept and the columns before it, `y` fitted exactly by `x`, and data
/// whose likelihood keeps growing as σ² → 0 (no residual variation within groups).
pub fn random_intercept(
    y: &[f64],
    x: &[(&str, &[f64])],
    intercept: bool,
    groups: &[usize],
    confidence: f64,
    method: MixedMethod,
    se: MixedSe,
) -> StatsResult<MixedFit> {
    let confidence = check_confidence(confidence)?;
    let n = y.len();
    check_inputs(y, x, groups)?;
    let k = x.len();
    let p = k + usize::from(intercept);
    if p == 0 {
        return Err(StatsError::argument(
            "x",
            "no columns and no intercept: nothing to estimate",
        ));
    }
    if n <= p {
        return Err(StatsError::data(
            "y",
            format!("needs more observations ({n}) than fixed effects ({p})"),
        ));
    }
    let (gid, n_groups) = dense_groups(groups);
    if n_groups < 2 {
        return Err(StatsError::data(
            "groups",
            format!("needs at least 2 groups, got {n_groups}"),
        ));
    }
    if n_groups == n {
        return Err(StatsError::data(
            "groups",
            "every group has a single observation: the group and residual variances are not separately identified",
        ));
    }
    if intercept {
        if let Some((name, _)) = x.iter().find(|(_, c)| c.iter().all(|v| *v == c[0])) {
            return Err(StatsError::data(
                "x",
                format!("column '{name}' is constant: it duplicates the intercept"),
            ));
        }
    }

    let prob = Problem::build(y, x, intercept, &gid, n_groups, method);
    prob.check_rank(x, intercept)?;
    // an exact fit leaves nothing to split into variances
    let ols = prob.eval(0.0).ok_or_else(exact_fit_error)?;
    let y_scale = y
        .iter()
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    if ols.q <= (n as f64) * (64.0 * f64::EPSILON * y_scale).powi(2) {
        return Err(exact_fit_error());
    }

    let ols_q = ols.q;
    let opt = prob.maximise(ols)?;
    let ev = &opt.eval;
    let lam = ev.lam;
    if ev.q <= 1e-12 * ols_q {
        return Err(no_within_variation());
    }

    // residual quadratic form from the residuals themselves
    let q = prob.residual_q(y, x, intercept, &gid, n_groups, &ev.beta, lam);
    let fac = prob.fac();
    let sigma2 = q / fac;
    let tau2 = lam * sigma2;
    let loglik = -0.5 * fac * (LN_2PI + (q / fac).ln() + 1.0)
        - 0.5 * ev.logdet_h
        - if prob.reml { 0.5 * ev.logdet_a } else { 0.0 };

    // covariance of the centred parametrisation, then of the original one
    let mut note_parts: Vec<String> = Vec::new();
    let cov_c: Vec<f64> = match se {
        MixedSe::Model => ev.a_inv.iter().map(|v| v * sigma2).collect(),
        MixedSe::Observed => match prob.observed_cov(ev, q) {
            Some(c) => c,
            None => {
                note_parts.push(
                    "the observed information is singular at the optimum: standard errors undefined".to_string(),
                );
                vec![f64::NAN; p * p]
            }
        },
    };
    let mut est = ev.beta.clone();
    let cov = if intercept {
        // β0 = μ_c + ȳ − m'β: T = [[1, −m'], [0, I]], Cov = T C T'
        let m = &prob.x_means;
        est[0] += prob.y_mean - m.iter().zip(&ev.beta[1..]).map(|(a, b)| a * b).sum::<f64>();
        let mut t = vec![0.0; p * p];
        for i in 0..p {
            t[i * p + i] = 1.0;
        }
        for (a, ma) in m.iter().enumerate() {
            t[a + 1] = -ma;
        }
        congruence(&t, &cov_c, p)
    } else {
        cov_c
    };

    if opt.boundary {
        note_parts.push(format!(
            "τ² = 0: the {} maximum is on the boundary of the parameter space (statsmodels warns \
             \"The MLE may be on the boundary\"); the fixed effects are those of OLS and icc = 0",
            if prob.reml { "REML" } else { "ML" }
        ));
    }
    if !opt.converged {
        note_parts.push(
            "the optimiser did not reach its tolerance: the variance ratio is approximate"
                .to_string(),
        );
    }

    let zq = norm_ppf(0.5 + confidence / 2.0);
    let mut names: Vec<String> = Vec::with_capacity(p);
    if intercept {
        names.push(INTERCEPT.to_string());
    }
    names.extend(x.iter().map(|(name, _)| name.to_string()));
    let mut floored = false;
    let terms = names
        .into_iter()
        .enumerate()
        .map(|(i, term)| {
            let estimate = est[i];
            let std_error = cov[i * p + i].max(0.0).sqrt();
            let z = estimate / std_error;
            let mut p_value = clamp_p(2.0 * norm_sf(z.abs()));
            if z.is_finite() {
                let (pv, low) = floor_p(p_value);
                p_value = pv;
                floored |= low;
            }
            MixedTerm {
                term,
                estimate,
                std_error,
                statistic: z,
                p_value,
                ci_low: estimate - zq * std_error,
                ci_high: estimate + zq * std_error,
            }
        })
        .collect();
    if floored {
        note_parts.push(P_FLOOR_NOTE.to_string());
    }

    Ok(MixedFit {
        terms,
        group_var: tau2,
        resid_var: sigma2,
        icc: lam / (1.0 + lam),
        loglik,
        n: n as u64,
        n_groups,
        converged: opt.converged,
        iterations: opt.iterations,
        method: format!(
            "{} random-intercept LMM ({} standard errors)",
            method.as_str(),
            match se {
                MixedSe::Model => "model-based",
                MixedSe::Observed => "observed-information",
            }
        ),
        note: if note_parts.is_empty() {
            None
        } else {
            Some(note_parts.join("; "))
        },
    })
}

fn no_within_variation() -> StatsError {
    StatsError::data(
        "y",
        "the likelihood keeps growing as the residual variance goes to 0: y does not vary within \
         groups once x is accounted for, so the random intercept absorbs everything",
    )
}

fn exact_fit_error() -> StatsError {
    StatsError::data("y", "is fitted exactly by x: there is no residual variance to split between groups and residuals")
}

fn check_inputs(y: &[f64], x: &[(&str, &[f64])], groups: &[usize]) -> StatsResult<()> {
    let n = y.len();
    check_finite("y", y)?;
    if groups.len() != n {
        return Err(StatsError::data(
            "groups",
            format!("has {} codes, y has {n} values", groups.len()),
        ));
    }
    for (name, col) in x {
        if col.len() != n {
            return Err(StatsError::data(
                "x",
                format!("column '{name}' has {} values, y has {n}", col.len()),
            ));
        }
        if let Some(i) = col.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::data(
                "x",
                format!(
                    "column '{name}' holds {} at position {i} (drop or impute first)",
                    col[i]
                ),
            ));
        }
    }
    let y_varies = y.iter().any(|v| *v != y[0]);
    for (i, (name, col)) in x.iter().enumerate() {
        if x[..i].iter().any(|(other, _)| other == name) {
            return Err(StatsError::argument(
                "x",
                format!("column '{name}' is listed twice"),
            ));
        }
        if y_varies && col.iter().zip(y).all(|(a, b)| a == b) {
            return Err(StatsError::data(
                "x",
                format!("column '{name}' is identical to the outcome y: the outcome cannot be its own predictor"),
            ));
        }
    }
    Ok(())
}

/// Group codes as dense ids `0..G` in order of first appearance.
fn dense_groups(codes: &[usize]) -> (Vec<u32>, usize) {
    let max = codes.iter().copied().max().unwrap_or(0);
    let mut next: usize = 0;
    let mut code = |slot: &mut u32| {
        if *slot == u32::MAX {
            *slot = next as u32;
            next += 1;
        }
        *slot
    };
    let dense: Vec<u32> = if max < 4 * codes.len() + 16 {
        let mut map = vec![u32::MAX; max + 1];
        codes.iter().map(|&c| code(&mut map[c])).collect()
    } else {
        let mut map = std::collections::HashMap::new();
        codes
            .iter()
            .map(|&c| code(map.entry(c).or_insert(u32::MAX)))
            .collect()
    };
    (dense, next)
}

/// `Σ a_i b_i` with four accumulators (vectorises, and sums in a tree-like order).
fn dot(a: &[f64], b: &[f64]) -> f64 {
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

/// `T C T'` for square `p × p` row-major matrices.
fn congruence(t: &[f64], c: &[f64], p: usize) -> Vec<f64> {
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
fn cholesky(a: &[f64], p: usize) -> Option<Vec<f64>> {
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
fn chol_solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
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
fn chol_inverse(l: &[f64], p: usize) -> Vec<f64> {
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

/// Everything the likelihood needs, after the pass over the data.
struct Problem {
    n: f64,
    /// Fixed effects (intercept included).
    p: usize,
    reml: bool,
    /// Means subtracted from y and the columns (0 without intercept).
    y_mean: f64,
    x_means: Vec<f64>,
    /// `r × r` cross-products of `[1?, x_c, y_c]`, `r = p + 1`, row-major.
    gram: Vec<f64>,
    /// Pooled by group size: `(n_j, number of groups of that size, Σ z_j z_j')`.
    sizes: Vec<(f64, f64, Vec<f64>)>,
}

/// The profiled likelihood and what comes with it at one λ.
#[derive(Clone)]
struct Eval {
    lam: f64,
    /// Profiled log-likelihood without constants: `−f/2 log Q − ½ log|H| (− ½ log|A|)`.
    f: f64,
    /// `dℓ/dλ`.
    score: f64,
    beta: Vec<f64>,
    q: f64,
    logdet_a: f64,
    logdet_h: f64,
    a: Vec<f64>,
    a_inv: Vec<f64>,
}

struct Optimum {
    eval: Eval,
    boundary: bool,
    converged: bool,
    iterations: usize,
}

impl Problem {
    fn build(
        y: &[f64],
        x: &[(&str, &[f64])],
        intercept: bool,
        gid: &[u32],
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
                let g = gid[start + t] as usize;
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

    fn fac(&self) -> f64 {
        if self.reml {
            self.n - self.p as f64
        } else {
            self.n
        }
    }

    /// Rank check on the cross-products of the design: Cholesky with each pivot compared to the
    /// column's own sum of squares.
    fn check_rank(&self, x: &[(&str, &[f64])], intercept: bool) -> StatsResult<()> {
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
    fn eval(&self, lam: f64) -> Option<Eval> {
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

    /// Maximises the profiled likelihood over λ >= 0 (grid on log λ, then Brent on the score).
    fn maximise(&self, at_zero: Eval) -> StatsResult<Optimum> {
        let mut iterations = 1;
        let mut grid: Vec<(f64, Option<Eval>)> = Vec::new();
        let mut theta = THETA_LO;
        while theta <= THETA_HI {
            grid.push((theta, self.eval(theta.exp())));
            iterations += 1;
            theta += 1.0;
        }
        let value = |e: &Option<Eval>| e.as_ref().map_or(f64::NEG_INFINITY, |e| e.f);
        let mut best = (0..grid.len()).fold(0, |bi, i| {
            if value(&grid[i].1) > value(&grid[bi].1) {
                i
            } else {
                bi
            }
        });
        // extend upward while the top of the grid is best
        while best == grid.len() - 1 {
            let theta = grid[best].0 + 1.0;
            if theta > THETA_MAX {
                return Err(no_within_variation());
            }
            let e = self.eval(theta.exp());
            iterations += 1;
            let better = value(&e) > value(&grid[best].1);
            grid.push((theta, e));
            if better {
                best = grid.len() - 1;
            }
        }
        let best_f = value(&grid[best].1);
        // boundary: λ = 0 at least as good as the grid and not increasing there
        if at_zero.f >= best_f && at_zero.score <= 0.0 {
            return Ok(Optimum {
                eval: at_zero,
                boundary: true,
                converged: true,
                iterations,
            });
        }
        // the score changes sign around the best grid point (in θ: g = λ·score)
        let g = |e: &Option<Eval>| e.as_ref().map_or(f64::NAN, |e| e.lam * e.score);
        let bracket = if best == 0 {
            None
        } else if g(&grid[best - 1].1) > 0.0 && g(&grid[best].1) <= 0.0 {
            Some((best - 1, best))
        } else if best + 1 < grid.len() && g(&grid[best].1) >= 0.0 && g(&grid[best + 1].1) < 0.0 {
            Some((best, best + 1))
        } else {
            None
        };
        let result = match bracket {
            Some((lo, hi)) => {
                let (a, b) = (grid[lo].0, grid[hi].0);
                let (fa, fb) = (g(&grid[lo].1), g(&grid[hi].1));
                let mut fun = |t: f64| {
                    iterations += 1;
                    self.eval(t.exp()).map_or(f64::NAN, |e| e.lam * e.score)
                };
                brent_root(&mut fun, a, b, fa, fb, THETA_TOL, 200).map(|(t, ok)| (t.exp(), ok))
            }
            None if best == 0 && at_zero.score > 0.0 => {
                // the optimum lies between λ = 0 and the second grid point: root of the score in λ
                let hi = grid[1].0.exp();
                let shi = grid[1].1.as_ref().map_or(f64::NAN, |e| e.score);
                if shi < 0.0 {
                    let mut fun = |l: f64| {
                        iterations += 1;
                        self.eval(l).map_or(f64::NAN, |e| e.score)
                    };
                    brent_root(&mut fun, 0.0, hi, at_zero.score, shi, THETA_TOL * hi, 200)
                } else {
                    None
                }
            }
            None => None,
        };
        let (lam, converged) = match result {
            Some(v) => v,
            None => {
                // fallback: golden-section search on ℓ around the best grid point
                let lo = grid[best.saturating_sub(1)].0;
                let hi = grid[(best + 1).min(grid.len() - 1)].0;
                let mut fun = |t: f64| {
                    iterations += 1;
                    self.eval(t.exp()).map_or(f64::NEG_INFINITY, |e| e.f)
                };
                let (t, ok) = golden_max(&mut fun, lo, hi, 1e-10);
                (t.exp(), ok)
            }
        };
        let eval = self.eval(lam).ok_or_else(|| {
            StatsError::data(
                "y",
                "the likelihood is not defined at its optimum (numerically singular design)",
            )
        })?;
        iterations += 1;
        // a grid point (or λ = 0) better than the refined optimum means the search went astray
        if at_zero.f > eval.f && at_zero.score <= 0.0 {
            return Ok(Optimum {
                eval: at_zero,
                boundary: true,
                converged: true,
                iterations,
            });
        }
        Ok(Optimum {
            eval,
            boundary: false,
            converged,
            iterations,
        })
    }

    /// `Q = Σ_j r_j'H_j⁻¹r_j = Σ_j [Σ_i (r_ij − r̄_j)² + n_j r̄_j²/(1 + n_jλ)]` from the residuals
    /// (per-group Welford), at the centred coefficients `beta`.
    #[allow(clippy::too_many_arguments)]
    fn residual_q(
        &self,
        y: &[f64],
        x: &[(&str, &[f64])],
        intercept: bool,
        gid: &[u32],
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
                let g = gid[start + t] as usize;
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

    /// β block of the inverse observed information `−∂²ℓ/∂(β, λ)²` of the profiled likelihood
    /// (statsmodels' `MixedLM.hessian` in its unscaled covariance parametrisation), centred
    /// parametrisation.
    fn observed_cov(&self, ev: &Eval, q: f64) -> Option<Vec<f64>> {
        let (p, r) = (self.p, self.p + 1);
        let fac = self.fac();
        let lam = ev.lam;
        let mut w2 = vec![0.0; r * r]; // Σ w² Z
        let mut w3 = vec![0.0; r * r]; // Σ 2 n w³ Z
        let mut hll = 0.0;
        for (nj, cnt, zz) in &self.sizes {
            let w = 1.0 / (1.0 + nj * lam);
            hll += 0.5 * cnt * nj * nj * w * w;
            for ((a, b), z) in w2.iter_mut().zip(w3.iter_mut()).zip(zz) {
                *a += w * w * z;
                *b += 2.0 * nj * w * w * w * z;
            }
        }
        let mut v: Vec<f64> = ev.beta.iter().map(|b| -b).collect();
        v.push(1.0);
        let ql = -quad(&w2, &v, r);
        let qll = quad(&w3, &v, r);
        hll += -0.5 * fac * (qll / q - (ql / q) * (ql / q));
        if self.reml {
            let sub = |mat: &[f64]| -> Vec<f64> {
                let mut s = vec![0.0; p * p];
                for i in 0..p {
                    s[i * p..(i + 1) * p].copy_from_slice(&mat[i * r..i * r + p]);
                }
                s
            };
            let (wx, w3x) = (sub(&w2), sub(&w3));
            let ai = &ev.a_inv;
            let tr = |m1: &[f64], m2: &[f64]| -> f64 {
                (0..p)
                    .map(|i| (0..p).map(|j| m1[i * p + j] * m2[j * p + i]).sum::<f64>())
                    .sum()
            };
            // A' = −W_xx, A'' = W3_xx: −½[tr(A⁻¹A'') − tr(A⁻¹A'A⁻¹A')]
            let aw: Vec<f64> = (0..p * p)
                .map(|ij| {
                    (0..p)
                        .map(|l| ai[(ij / p) * p + l] * wx[l * p + ij % p])
                        .sum()
                })
                .collect();
            hll += -0.5 * (tr(ai, &w3x) - tr(&aw, &aw));
        }
        // −H, (p+1) × (p+1)
        let d = p + 1;
        let mut neg_h = vec![0.0; d * d];
        for i in 0..p {
            for j in 0..p {
                neg_h[i * d + j] = fac * ev.a[i * p + j] / q;
            }
            let hbl: f64 = -fac / q * (0..r).map(|l| w2[i * r + l] * v[l]).sum::<f64>();
            neg_h[i * d + p] = -hbl;
            neg_h[p * d + i] = -hbl;
        }
        neg_h[p * d + p] = -hll;
        let inv = invert(&neg_h, d)?;
        let mut out = vec![0.0; p * p];
        for i in 0..p {
            out[i * p..(i + 1) * p].copy_from_slice(&inv[i * d..i * d + p]);
        }
        Some(out)
    }
}

/// `v'Mv` for a row-major `r × r` matrix.
fn quad(m: &[f64], v: &[f64], r: usize) -> f64 {
    (0..r)
        .map(|i| v[i] * (0..r).map(|j| m[i * r + j] * v[j]).sum::<f64>())
        .sum()
}

/// Inverse of a small square matrix by Gauss–Jordan elimination with partial pivoting.
fn invert(a: &[f64], d: usize) -> Option<Vec<f64>> {
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

/// Brent's root finder on `[a, b]` with `f(a)·f(b) <= 0`: `(root, reached tolerance)`, or
/// `None` when the function is undefined (NaN) on the way.
fn brent_root(
    f: &mut impl FnMut(f64) -> f64,
    a: f64,
    b: f64,
    fa: f64,
    fb: f64,
    tol: f64,
    max_iter: usize,
) -> Option<(f64, bool)> {
    let (mut a, mut b, mut fa, mut fb) = (a, b, fa, fb);
    if fa.is_nan() || fb.is_nan() || fa * fb > 0.0 {
        return None;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..max_iter {
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Some((b, true));
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            // inverse quadratic interpolation, or the secant when only two points differ
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let rr = fb / fc;
                p = s * (2.0 * xm * qq * (qq - rr) - (b - a) * (rr - 1.0));
                q = (qq - 1.0) * (rr - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b);
        if fb.is_nan() {
            return None;
        }
    }
    Some((b, false))
}

/// Golden-section search for the maximum of `f` on `[a, b]`: `(argmax, reached tolerance)`.
fn golden_max(f: &mut impl FnMut(f64) -> f64, a: f64, b: f64, tol: f64) -> (f64, bool) {
    let ratio = 0.5 * (5.0_f64.sqrt() - 1.0);
    let (mut a, mut b) = (a, b);
    let mut x1 = b - ratio * (b - a);
    let mut x2 = a + ratio * (b - a);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..200 {
        if (b - a).abs() <= tol {
            return (0.5 * (a + b), true);
        }
        if f1 >= f2 {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - ratio * (b - a);
            f1 = f(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + ratio * (b - a);
            f2 = f(x2);
        }
    }
    (0.5 * (a + b), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(1e-300)
    }

    /// Deterministic pseudo-normal noise (sum of uniforms from an LCG), for reproducible data.
    pub(super) fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                let mut acc = 0.0;
                for _ in 0..12 {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    acc += (s >> 11) as f64 / (1u64 << 53) as f64;
                }
                acc - 6.0
            })
            .collect()
    }

    /// Balanced one-way layout: REML gives the ANOVA estimators σ̂² = MSW, τ̂² = (MSB − MSW)/m,
    /// ML gives τ̂² = (SSB/G − MSW)/m; the intercept is the grand mean with SE √(MSB/(G m)).
    #[test]
    fn balanced_one_way_matches_the_anova_estimators() {
        let (g, m) = (12usize, 7usize);
        let e = noise(3, g * m);
        let u = noise(4, g);
        let groups: Vec<usize> = (0..g * m).map(|i| i / m).collect();
        let y: Vec<f64> = (0..g * m).map(|i| 10.0 + 0.8 * u[i / m] + e[i]).collect();
        let grand = y.iter().sum::<f64>() / (g * m) as f64;
        let means: Vec<f64> = (0..g)
            .map(|j| y[j * m..(j + 1) * m].iter().sum::<f64>() / m as f64)
            .collect();
        let ssw: f64 = (0..g * m).map(|i| (y[i] - means[i / m]).powi(2)).sum();
        let ssb: f64 = means.iter().map(|v| m as f64 * (v - grand).powi(2)).sum();
        let msw = ssw / (g * (m - 1)) as f64;
        let msb = ssb / (g - 1) as f64;
        assert!(msb > msw, "test data should have a positive τ²");

        let fit = random_intercept(
            &y,
            &[],
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        assert!(
            rel(fit.resid_var, msw) < 1e-10,
            "{} vs {msw}",
            fit.resid_var
        );
        assert!(rel(fit.group_var, (msb - msw) / m as f64) < 1e-9);
        assert!(rel(fit.terms[0].estimate, grand) < 1e-13);
        assert!(rel(fit.terms[0].std_error, (msb / (g * m) as f64).sqrt()) < 1e-9);
        assert!(fit.converged && !fit.note.unwrap_or_default().contains("boundary"));

        let ml = random_intercept(
            &y,
            &[],
            true,
            &groups,
            0.95,
            MixedMethod::Ml,
            MixedSe::Model,
        )
        .unwrap();
        assert!(rel(ml.resid_var, msw) < 1e-10);
        assert!(rel(ml.group_var, (ssb / g as f64 - msw) / m as f64) < 1e-9);
        assert!(ml.loglik > fit.loglik);
    }

    #[test]
    fn negative_anova_tau_is_the_boundary() {
        // group means closer together than sampling allows: MSB < MSW → τ̂² = 0, OLS fit
        let (g, m) = (6usize, 5usize);
        let e = noise(11, g * m);
        let groups: Vec<usize> = (0..g * m).map(|i| i / m).collect();
        // remove the group means, then add tiny group offsets
        let mut y = e.clone();
        for j in 0..g {
            let mj = y[j * m..(j + 1) * m].iter().sum::<f64>() / m as f64;
            for v in &mut y[j * m..(j + 1) * m] {
                *v += 0.01 * j as f64 - mj;
            }
        }
        let fit = random_intercept(
            &y,
            &[],
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        assert_eq!(fit.group_var, 0.0);
        assert_eq!(fit.icc, 0.0);
        assert!(fit.note.as_deref().unwrap().contains("boundary"));
        let n = (g * m) as f64;
        let mean = y.iter().sum::<f64>() / n;
        let ss: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
        assert!(rel(fit.resid_var, ss / (n - 1.0)) < 1e-12);
        // REML log-likelihood of OLS: −(n−1)/2 (log 2π σ̂² + 1) − ½ log n
        let ll = -0.5 * (n - 1.0) * (LN_2PI + (ss / (n - 1.0)).ln() + 1.0) - 0.5 * n.ln();
        assert!(rel(fit.loglik, ll) < 1e-12);
    }

    /// Reference: statsmodels 0.15 `MixedLM(y, X, groups).fit(reml=..., method="bfgs",
    /// gtol=1e-12)` on this data (generated by the formula below, printed with repr, `y, x1,
    /// x2, group` per row, and read into `MixedLM(y, add_constant([x1, x2]), group)`).
    #[test]
    fn unbalanced_two_covariates_match_statsmodels() {
        let (y, x1, x2, groups) = unbalanced();
        let x = [("x1", &x1[..]), ("x2", &x2[..])];
        let fit = random_intercept(
            &y,
            &x,
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Observed,
        )
        .unwrap();
        let obs_se: Vec<f64> = fit.terms.iter().map(|t| t.std_error).collect();
        let model = random_intercept(
            &y,
            &x,
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        // same estimates whatever the standard errors
        for (a, b) in fit.terms.iter().zip(&model.terms) {
            assert_eq!(a.estimate, b.estimate);
        }
        let sm = STATSMODELS_REML;
        for i in 0..3 {
            assert!(
                rel(fit.terms[i].estimate, sm.0[i]) < 1e-8,
                "{i}: {} vs {}",
                fit.terms[i].estimate,
                sm.0[i]
            );
            assert!(
                rel(obs_se[i], sm.1[i]) < 1e-7,
                "{i}: {} vs {}",
                obs_se[i],
                sm.1[i]
            );
        }
        assert!(rel(fit.group_var, sm.2) < 1e-7);
        assert!(rel(fit.resid_var, sm.3) < 1e-8);
        assert!((fit.loglik - sm.4).abs() < 1e-8 * sm.4.abs());
        let ml = random_intercept(
            &y,
            &x,
            true,
            &groups,
            0.95,
            MixedMethod::Ml,
            MixedSe::Observed,
        )
        .unwrap();
        let sm = STATSMODELS_ML;
        for i in 0..3 {
            assert!(rel(ml.terms[i].estimate, sm.0[i]) < 1e-8);
            assert!(rel(ml.terms[i].std_error, sm.1[i]) < 1e-7);
        }
        assert!(rel(ml.group_var, sm.2) < 1e-7);
        assert!(rel(ml.resid_var, sm.3) < 1e-8);
        assert!((ml.loglik - sm.4).abs() < 1e-8 * sm.4.abs());
    }

    pub(super) fn unbalanced() -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<usize>) {
        let sizes = [2usize, 9, 4, 15, 1, 7, 3, 11, 5, 6, 8, 2, 13, 4];
        let groups: Vec<usize> = sizes
            .iter()
            .enumerate()
            .flat_map(|(j, &s)| std::iter::repeat_n(j, s))
            .collect();
        let n = groups.len();
        let (e, u) = (noise(21, n), noise(22, sizes.len()));
        let x1: Vec<f64> = (0..n).map(|i| ((i * 37) % 23) as f64 / 4.0).collect();
        let x2: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from((i * 11) % 7 < 3)))
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| 2.0 + 0.3 * x1[i] - 1.5 * x2[i] + 0.9 * u[groups[i]] + e[i])
            .collect();
        (y, x1, x2, groups)
    }

    // (fe_params, bse_fe, cov_re, scale, llf) of statsmodels 0.15 with bfgs, gtol=1e-12
    const STATSMODELS_REML: ([f64; 3], [f64; 3], f64, f64, f64) = (
        [2.1154007636206096, 0.342823381119166, -1.6443392974861888],
        [0.3758544310603393, 0.0789147689880898, 0.26366558406952934],
        0.6970746009607338,
        1.4780837599553922,
        -155.13933875697043,
    );
    const STATSMODELS_ML: ([f64; 3], [f64; 3], f64, f64, f64) = (
        [2.1150582530090807, 0.34257590036504604, -1.643564980678443],
        [0.3664058287265434, 0.07782286189269068, 0.2600463937640811],
        0.6361395185670211,
        1.4382864893189256,
        -152.66835573891268,
    );

    #[test]
    fn large_offsets_do_not_move_the_slopes() {
        let (y, x1, x2, groups) = unbalanced();
        let x = [("x1", &x1[..]), ("x2", &x2[..])];
        let base = random_intercept(
            &y,
            &x,
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        let ys: Vec<f64> = y.iter().map(|v| v + 1e8).collect();
        let x1s: Vec<f64> = x1.iter().map(|v| v + 1e7).collect();
        let xs = [("x1", &x1s[..]), ("x2", &x2[..])];
        let shifted = random_intercept(
            &ys,
            &xs,
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        for i in 1..3 {
            assert!(rel(shifted.terms[i].estimate, base.terms[i].estimate) < 1e-7);
            assert!(rel(shifted.terms[i].std_error, base.terms[i].std_error) < 1e-7);
        }
        assert!(rel(shifted.group_var, base.group_var) < 1e-7);
        assert!(rel(shifted.resid_var, base.resid_var) < 1e-9);
    }

    #[test]
    fn group_codes_need_not_be_dense() {
        let (y, x1, x2, groups) = unbalanced();
        let x = [("x1", &x1[..]), ("x2", &x2[..])];
        let sparse: Vec<usize> = groups.iter().map(|g| g * 1_000_003 + 17).collect();
        let a = random_intercept(
            &y,
            &x,
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        let b = random_intercept(
            &y,
            &x,
            true,
            &sparse,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.n_groups, 14);
    }

    #[test]
    fn bad_inputs_are_typed_errors_naming_the_column() {
        let (y, x1, x2, groups) = unbalanced();
        let fit = |y: &[f64], x: &[(&str, &[f64])], g: &[usize]| {
            random_intercept(y, x, true, g, 0.95, MixedMethod::Reml, MixedSe::Model)
                .unwrap_err()
                .to_string()
        };
        let mut bad = x1.clone();
        bad[5] = f64::NAN;
        assert!(fit(&y, &[("x1", &bad), ("x2", &x2)], &groups).contains("'x1'"));
        let mut by = y.clone();
        by[3] = f64::INFINITY;
        assert!(fit(&by, &[("x1", &x1)], &groups).contains("`y`"));
        let twice: Vec<f64> = x1.iter().map(|v| 2.0 * v - 1.0).collect();
        let msg = fit(&y, &[("x1", &x1), ("x2", &x2), ("x1b", &twice)], &groups);
        assert!(
            msg.contains("'x1b'") && msg.contains("linear combination"),
            "{msg}"
        );
        let constant = vec![3.0; y.len()];
        assert!(fit(&y, &[("c", &constant)], &groups).contains("'c' is constant"));
        assert!(fit(&y, &[("x1", &x1[1..])], &groups).contains("'x1'"));
        assert!(fit(&y, &[("x1", &x1)], &groups[1..]).contains("groups"));
        let one = vec![0usize; y.len()];
        assert!(fit(&y, &[("x1", &x1)], &one).contains("at least 2 groups"));
        let singletons: Vec<usize> = (0..y.len()).collect();
        assert!(fit(&y, &[("x1", &x1)], &singletons).contains("single observation"));
        assert!(fit(&y, &[("x1", &x1), ("x1", &x1)], &groups).contains("listed twice"));
        assert!(fit(&y, &[("y", &y)], &groups).contains("identical to the outcome"));
        let err = random_intercept(
            &y,
            &[("x1", &x1)],
            true,
            &groups,
            1.5,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            StatsError::InvalidArgument {
                argument: "confidence",
                ..
            }
        ));
        assert!("REML".parse::<MixedMethod>().is_ok() && "reml2".parse::<MixedMethod>().is_err());
        assert!("observed".parse::<MixedSe>().is_ok() && "hessian".parse::<MixedSe>().is_err());
        // an exact fit, and no variation within groups
        let exact: Vec<f64> = x1.iter().map(|v| 1.0 + 2.0 * v).collect();
        assert!(fit(&exact, &[("x1", &x1)], &groups).contains("fitted exactly"));
        let between: Vec<f64> = groups.iter().map(|&g| (g * g) as f64 * 0.37).collect();
        assert!(fit(&between, &[], &groups).contains("within"));
    }

    #[test]
    fn dummies_with_the_intercept_are_rank_deficient() {
        let (y, _, _, groups) = unbalanced();
        let d: Vec<Vec<f64>> = (0..3)
            .map(|s| {
                groups
                    .iter()
                    .map(|g| f64::from(u8::from(g % 3 == s)))
                    .collect()
            })
            .collect();
        let x = [("s0", &d[0][..]), ("s1", &d[1][..]), ("s2", &d[2][..])];
        let msg = random_intercept(
            &y,
            &x,
            true,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("'s2'") && msg.contains("rank deficient"),
            "{msg}"
        );
        // without the intercept the three dummies are the design
        let fit = random_intercept(
            &y,
            &x,
            false,
            &groups,
            0.95,
            MixedMethod::Reml,
            MixedSe::Model,
        )
        .unwrap();
        assert_eq!(fit.terms.len(), 3);
        assert_eq!(fit.terms[0].term, "s0");
    }
}
