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

//!
//! Parts: `likelihood` (the pass over the data and the profiled likelihood at one λ),
//! `optimise` (the search over λ), `se` (the two covariances of β̂ and the tidy terms),
//! `dense` (the small matrix routines they share).

mod dense;
mod likelihood;
mod optimise;
mod se;

use super::descriptive::check_finite;
use super::error::{StatsError, StatsResult};
use super::linalg::dense_codes;
use super::names;
use super::result::check_confidence;
use likelihood::Problem;
use std::str::FromStr;

const INTERCEPT: &str = "(Intercept)";
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Restricted (REML, the default of statsmodels, nlme and lme4) or full maximum likelihood; its
/// names (`"reml"`, `"ml"`, read in any case) are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum MixedMethod {
    #[default]
    Reml,
    Ml,
}

impl MixedMethod {
    /// The label in [`MixedFit::method`]: the name in capitals, `"REML"` or `"ML"`.
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
        parse_any_case(s, "method")
    }
}

/// Which covariance of the fixed effects the standard errors come from (see the module doc); its
/// names (`"model"`, `"observed"`, read in any case) are derived.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "lowercase")]
pub enum MixedSe {
    /// `σ̂²(Σ X_j'H_j⁻¹X_j)⁻¹`: nlme, lme4, SAS, Stata.
    #[default]
    Model,
    /// Inverse observed information of the profiled likelihood in (β, λ): statsmodels `bse_fe`.
    Observed,
}

impl MixedSe {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for MixedSe {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        parse_any_case(s, "se")
    }
}

/// The variant named `s` in any case, or the refusal of `argument` (the lowercased `s` quoted).
fn parse_any_case<T>(s: &str, argument: &'static str) -> StatsResult<T>
where
    T: strum::IntoEnumIterator + Into<&'static str> + Copy,
{
    names::parse(&s.to_ascii_lowercase()).map_err(|e| StatsError::argument(argument, e))
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
    let (gid, n_groups) = check_design(y, x, intercept, groups)?;
    let prob = Problem::build(y, x, intercept, &gid, n_groups, method);
    prob.check_rank(x, intercept)?;
    let opt = prob.maximise_checked(y)?;
    let ev = &opt.eval;
    let lam = ev.lam;

    // residual quadratic form from the residuals themselves
    let q = prob.residual_q(y, x, intercept, &gid, n_groups, &ev.beta, lam);
    let fac = prob.fac();
    let sigma2 = q / fac;
    let tau2 = lam * sigma2;
    let loglik = -0.5 * fac * (LN_2PI + (q / fac).ln() + 1.0)
        - 0.5 * ev.logdet_h
        - if prob.reml { 0.5 * ev.logdet_a } else { 0.0 };

    let mut note_parts: Vec<String> = Vec::new();
    let (est, cov) = prob.fixed_effects(ev, q, sigma2, se, intercept, &mut note_parts);
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
    let terms = se::tidy_terms(x, intercept, &est, &cov, confidence, &mut note_parts);

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

/// The checks of the arguments that need no pass over the data ([`check_inputs`], then the
/// counts of fixed effects, observations and groups, and constant columns), and the dense group
/// ids with their number.
fn check_design(
    y: &[f64],
    x: &[(&str, &[f64])],
    intercept: bool,
    groups: &[usize],
) -> StatsResult<(Vec<usize>, usize)> {
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
    let (gid, n_groups) = dense_codes(groups);
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
    Ok((gid, n_groups))
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
        assert_eq!(
            "REML2".parse::<MixedMethod>().unwrap_err(),
            StatsError::argument("method", "expected 'reml' or 'ml', got 'reml2'")
        );
        assert_eq!(
            "Hessian".parse::<MixedSe>().unwrap_err(),
            StatsError::argument("se", "expected 'model' or 'observed', got 'hessian'")
        );
        assert_eq!(("Ml".parse::<MixedMethod>().unwrap().as_str(), MixedSe::Observed.as_str()), ("ML", "observed"));
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
