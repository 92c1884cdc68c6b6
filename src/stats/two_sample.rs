//! Two independent samples `a` and `b`: Welch's and Student's t tests, Hedges' g and the
//! Mann–Whitney U test.
//!
//! For the t tests `estimate` = mean(a) - mean(b), with extras `mean_a`, `mean_b`, `se`, `n1`,
//! `n2`; `n` = n1 + n2. Means are computed on values shifted by `a[0]` (exact for data around
//! 1e9 with a small spread), so the difference keeps its precision where mean(a) and mean(b)
//! are each rounded to 1e-7. NaN or infinite values are errors.

use super::descriptive::check_finite;
use super::dist::{ln_gamma_ratio, norm_ppf, t_ppf, t_sf};
use super::error::{StatsError, StatsResult};
use super::result::{check_confidence, Alternative, TestResult};

pub(super) fn check_sample(name: &'static str, x: &[f64], min: usize) -> StatsResult<()> {
    check_size(name, x.len(), min)?;
    check_finite(name, x)
}

/// The size check of [`check_sample`], for a sample given by its summary.
pub(super) fn check_size(name: &'static str, n: usize, min: usize) -> StatsResult<()> {
    if n < min {
        return Err(StatsError::data(name, format!("needs at least {min} observations, got {n}")));
    }
    Ok(())
}

/// Neumaier's compensated running sum: exact to about one rounding of the total, whatever the
/// number of terms (a plain running sum over a million values drifts by ~1e-7 relative to the
/// deviations it adds, enough to move a t statistic in the 12th digit).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Compensated {
    sum: f64,
    carry: f64,
}

impl Compensated {
    #[inline]
    pub(crate) fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.carry += (self.sum - t) + v;
        } else {
            self.carry += (v - t) + self.sum;
        }
        self.sum = t;
    }
    pub(crate) fn value(self) -> f64 {
        self.sum + self.carry
    }
}

/// Summary of one sample around a common shift `c`: (mean - c, sum of squared deviations), by
/// the corrected two-pass algorithm (Chan, Golub & LeVeque 1983) on the fly, no shifted copy,
/// with compensated sums.
fn shifted_moments(x: &[f64], c: f64) -> (f64, f64) {
    let n = x.len() as f64;
    let mut s0 = Compensated::default();
    for v in x {
        s0.add(v - c);
    }
    let m0 = s0.value() / n;
    let (mut s1, mut s2) = (Compensated::default(), Compensated::default());
    for v in x {
        let d = (v - c) - m0;
        s1.add(d);
        s2.add(d * d);
    }
    let (s1, s2) = (s1.value(), s2.value());
    (m0 + s1 / n, s2 - s1 * s1 / n)
}

/// Summary of two samples for the t tests and Hedges' g: sizes, the common shift `c` (the first
/// value of `a`), the shifted means and the sums of squared deviations, as [`shifted_moments`]
/// computes them. Built from slices by the tests themselves, or by [`masked_moments`] for many
/// splits of one sample at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoMoments {
    pub na: usize,
    pub nb: usize,
    pub c: f64,
    /// mean(a) - c and mean(b) - c
    pub ma: f64,
    pub mb: f64,
    pub ssa: f64,
    pub ssb: f64,
}

impl TwoMoments {
    fn of(a: &[f64], b: &[f64]) -> TwoMoments {
        let c = a[0];
        let (ma, ssa) = shifted_moments(a, c);
        let (mb, ssb) = shifted_moments(b, c);
        TwoMoments { na: a.len(), nb: b.len(), c, ma, mb, ssa, ssb }
    }

    /// The moments of two samples each given by its [`Moments`] (pooled from parts by
    /// [`Moments::pooled`]), around the shift `c = 0`: the t tests and Hedges' g of the samples
    /// to rounding (the samples themselves shift by their first value, see [`welch_t`]).
    pub fn of_summaries(a: &Moments, b: &Moments) -> TwoMoments {
        TwoMoments { na: a.n as usize, nb: b.n as usize, c: 0.0, ma: a.mean, mb: b.mean, ssa: a.ss, ssb: b.ss }
    }
}

/// Size, mean and sum of squared deviations `Σ(x - x̄)²` of a sample: what the t tests and
/// Hedges' g need of it, and what a sample cut into parts merges exactly from its parts'
/// (Chan, Golub & LeVeque 1979's pairwise update, written for many parts at once).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    pub n: u64,
    /// NaN for an empty sample
    pub mean: f64,
    /// 0 for an empty sample
    pub ss: f64,
}

impl Moments {
    /// The moments of `x`, by the compensated corrected two-pass algorithm of the t tests
    /// (around the first value).
    pub fn of(x: &[f64]) -> Moments {
        match x.first() {
            None => Moments { n: 0, mean: f64::NAN, ss: 0.0 },
            Some(&c) => {
                let (m, ss) = shifted_moments(x, c);
                Moments { n: x.len() as u64, mean: c + m, ss }
            }
        }
    }

    /// The moments of the union of samples given by theirs:
    /// `N = Σ n_s`, `x̄ = Σ n_s x̄_s / N` (with a correcting second pass, as [`shifted_moments`]),
    /// `SS = Σ SS_s + Σ n_s (x̄_s - x̄)² - (Σ n_s (x̄_s - x̄))²/N`; sums compensated (Neumaier).
    /// Empty parts are skipped. The result depends on the order of the parts only through
    /// rounding (a few ulps).
    pub fn pooled(parts: &[Moments]) -> Moments {
        let n: u64 = parts.iter().map(|m| m.n).sum();
        let summaries: Vec<(f64, f64, f64)> = parts.iter().map(|m| (m.n as f64, m.mean, m.ss)).collect();
        let (_, mean, ss) = pooled_weighted(&summaries);
        Moments { n, mean, ss }
    }
}

/// [`Moments::pooled`] for weighted samples: parts `(W_s, x̄_s, SS_s)` (sum of weights,
/// weighted mean, `Σw(x - x̄_s)²`) give `(W, x̄, SS)` of their union, `W = Σ W_s`,
/// `x̄ = Σ W_s x̄_s / W` (corrected by a second pass), `SS = Σ SS_s + Σ W_s (x̄_s - x̄)² -
/// (Σ W_s (x̄_s - x̄))²/W`, with compensated sums. Parts of weight 0 are skipped; no parts (or
/// weight 0) give `(0, NaN, 0)`.
pub fn pooled_weighted(parts: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let parts: Vec<&(f64, f64, f64)> = parts.iter().filter(|p| p.0 > 0.0).collect();
    let mut w = Compensated::default();
    for p in &parts {
        w.add(p.0);
    }
    let w = w.value();
    if parts.is_empty() || !(w > 0.0) {
        return (0.0, f64::NAN, 0.0);
    }
    let mut s0 = Compensated::default();
    for &&(ws, m, _) in &parts {
        s0.add(ws * m);
    }
    let m0 = s0.value() / w;
    let mut c = Compensated::default();
    for &&(ws, m, _) in &parts {
        c.add(ws * (m - m0));
    }
    let mean = m0 + c.value() / w;
    let (mut s1, mut s2) = (Compensated::default(), Compensated::default());
    for &&(ws, m, ss) in &parts {
        let d = m - mean;
        s1.add(ws * d);
        s2.add(ss);
        s2.add(ws * d * d);
    }
    let s1 = s1.value();
    (w, mean, s2.value() - s1 * s1 / w)
}

/// Moments of both samples: (mean_a, mean_b, mean_a - mean_b, ss_a, ss_b).
fn two_moments(a: &[f64], b: &[f64]) -> (f64, f64, f64, f64, f64) {
    unpack(&TwoMoments::of(a, b))
}

fn unpack(m: &TwoMoments) -> (f64, f64, f64, f64, f64) {
    (m.c + m.ma, m.c + m.mb, m.ma - m.mb, m.ssa, m.ssb)
}

/// For each bit `k < bits` of `masks[i]`: the [`TwoMoments`] of (values with the bit set,
/// values without it), in two passes over the data for all bits together, with the same
/// arithmetic (and order) as [`welch_t`] on the two slices. `None` for a bit no value has.
pub fn masked_moments(values: &[f64], masks: &[u8], bits: usize) -> Vec<Option<TwoMoments>> {
    let bits = bits.min(8);
    let mut first = vec![f64::NAN; bits];
    let mut seen = vec![false; bits];
    for (v, &m) in values.iter().zip(masks) {
        for k in 0..bits {
            if !seen[k] && m & (1 << k) != 0 {
                seen[k] = true;
                first[k] = *v;
            }
        }
        if seen.iter().all(|s| *s) {
            break;
        }
    }
    // pass 1: counts and shifted sums; pass 2: deviations from the first-pass means
    let zero = [Compensated::default(); 2];
    let (mut n, mut sum) = (vec![[0usize; 2]; bits], vec![zero; bits]);
    for (v, &m) in values.iter().zip(masks) {
        for k in 0..bits {
            let g = usize::from(m & (1 << k) == 0);
            n[k][g] += 1;
            sum[k][g].add(v - first[k]);
        }
    }
    let m0: Vec<[f64; 2]> =
        (0..bits).map(|k| [sum[k][0].value() / n[k][0] as f64, sum[k][1].value() / n[k][1] as f64]).collect();
    let (mut c1, mut c2) = (vec![zero; bits], vec![zero; bits]);
    for (v, &m) in values.iter().zip(masks) {
        for k in 0..bits {
            let g = usize::from(m & (1 << k) == 0);
            let d = (v - first[k]) - m0[k][g];
            c1[k][g].add(d);
            c2[k][g].add(d * d);
        }
    }
    let s1: Vec<[f64; 2]> = c1.iter().map(|c| [c[0].value(), c[1].value()]).collect();
    let s2: Vec<[f64; 2]> = c2.iter().map(|c| [c[0].value(), c[1].value()]).collect();
    (0..bits)
        .map(|k| {
            seen[k].then(|| {
                let moment = |g: usize| {
                    let nf = n[k][g] as f64;
                    (m0[k][g] + s1[k][g] / nf, s2[k][g] - s1[k][g] * s1[k][g] / nf)
                };
                let ((ma, ssa), (mb, ssb)) = (moment(0), moment(1));
                TwoMoments { na: n[k][0], nb: n[k][1], c: first[k], ma, mb, ssa, ssb }
            })
        })
        .collect()
}

/// t test from the difference `d`, its standard error and df: statistic, p-value and the
/// interval `d + t_q·se` with scipy's quantiles (`TtestResult.confidence_interval`): two-sided
/// t_q at (1-confidence)/2 and 1-(1-confidence)/2, `less` (-inf, d + t_{confidence}·se),
/// `greater` (d + t_{1-confidence}·se, inf).
fn finish_t(res: &mut TestResult, d: f64, se: f64, df: f64, confidence: f64) {
    res.df = df;
    res.extra.push(("se", se));
    if se.is_nan() || se <= 0.0 {
        res.push_note("both groups have zero variance: t is undefined (scipy reports ±inf or NaN)",
        );
        return;
    }
    let t = d / se;
    res.statistic = t;
    let p = match res.alternative {
        Alternative::TwoSided => 2.0 * t_sf(t.abs(), df),
        Alternative::Greater => t_sf(t, df),
        Alternative::Less => t_sf(-t, df),
    };
    res.set_p(p);
    (res.ci_low, res.ci_high) = match res.alternative {
        Alternative::TwoSided => {
            let tail = (1.0 - confidence) / 2.0;
            (d + t_ppf(tail, df) * se, d + t_ppf(1.0 - tail, df) * se)
        }
        Alternative::Less => (f64::NEG_INFINITY, d + t_ppf(confidence, df) * se),
        Alternative::Greater => (d + t_ppf(1.0 - confidence, df) * se, f64::INFINITY),
    };
}

/// Welch's unequal-variance t test of mean(a) = mean(b).
///
/// `t = (ā - b̄)/√(s²a/na + s²b/nb)` with the Welch–Satterthwaite
/// `df = (s²a/na + s²b/nb)² / ((s²a/na)²/(na-1) + (s²b/nb)²/(nb-1))`; p-value from Student's t
/// and the interval of the difference `ā - b̄ ± t_q·se` — equal to
/// scipy.stats.ttest_ind(a, b, equal_var=False) and its `.confidence_interval(confidence)`
/// (scipy 1.17). This is the default two-sample test of the kernel: Welch keeps its level when
/// the variances and sizes differ (Delacre, Lakens & Leys 2017), Student's test does not; R's
/// t.test also defaults to Welch, scipy's ttest_ind to Student.
///
/// Extras: `mean_a`, `mean_b`, `sd_a`, `sd_b`, `se`, `n1`, `n2`. Errors: fewer than 2
/// observations in a group, NaN/inf, confidence outside (0, 1). Both groups constant: t, p and
/// the interval are NaN with a note (scipy gives ±inf and p = 0, or NaN).
pub fn welch_t(
    a: &[f64],
    b: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    check_sample("a", a, 2)?;
    check_sample("b", b, 2)?;
    welch_t_moments(&TwoMoments::of(a, b), alternative, confidence)
}

/// [`welch_t`] of two samples given by their [`TwoMoments`] (e.g. from
/// [`TwoMoments::of_summaries`]), with the errors `welch_t` gives for their sizes (the values are
/// taken to be finite).
pub fn welch_t_summary(m: &TwoMoments, alternative: Alternative, confidence: f64) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    check_size("a", m.na, 2)?;
    check_size("b", m.nb, 2)?;
    welch_t_moments(m, alternative, confidence)
}

/// [`welch_t`] from the samples' [`TwoMoments`] (each group of at least 2, finite values).
pub fn welch_t_moments(m: &TwoMoments, alternative: Alternative, confidence: f64) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    if m.na < 2 || m.nb < 2 {
        return Err(StatsError::data("b", "each group needs at least 2 observations"));
    }
    let (na, nb) = (m.na as f64, m.nb as f64);
    let (ma, mb, d, ssa, ssb) = unpack(m);
    let (va, vb) = (ssa / (na - 1.0), ssb / (nb - 1.0));
    let mut res = TestResult::new("Welch two-sample t test", alternative, (m.na + m.nb) as u64);
    res.estimate = d;
    let (vn1, vn2) = (va / na, vb / nb);
    let df = (vn1 + vn2).powi(2) / (vn1 * vn1 / (na - 1.0) + vn2 * vn2 / (nb - 1.0));
    let se = (vn1 + vn2).sqrt();
    res.extra.extend([("mean_a", ma), ("mean_b", mb), ("sd_a", va.sqrt()), ("sd_b", vb.sqrt())]);
    finish_t(&mut res, d, se, df, confidence);
    res.extra.extend([("n1", na), ("n2", nb)]);
    Ok(res)
}

/// Student's pooled-variance t test of mean(a) = mean(b).
///
/// `s²p = (Σ(a-ā)² + Σ(b-b̄)²)/(na+nb-2)`, `t = (ā - b̄)/(sp·√(1/na + 1/nb))`,
/// `df = na + nb - 2` — scipy.stats.ttest_ind(a, b, equal_var=True) and its
/// `.confidence_interval(confidence)` (scipy 1.17). A group of one observation is allowed
/// (it adds nothing to the pooled variance), as in scipy. Prefer [`welch_t`] unless the
/// variances are known to be equal.
///
/// Extras: `mean_a`, `mean_b`, `sd_pooled`, `se`, `n1`, `n2`. Errors: an empty group,
/// na + nb < 3, NaN/inf. Zero pooled variance: t, p and the interval NaN with a note.
pub fn student_t(
    a: &[f64],
    b: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    check_sample("a", a, 1)?;
    check_sample("b", b, 1)?;
    if a.len() + b.len() < 3 {
        return Err(StatsError::data("b", "the two groups need at least 3 observations together"));
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (ma, mb, d, ssa, ssb) = two_moments(a, b);
    let df = na + nb - 2.0;
    let sp2 = (ssa + ssb) / df;
    let se = (sp2 * (1.0 / na + 1.0 / nb)).sqrt();
    let mut res = TestResult::new("Student two-sample t test (pooled variance)", alternative, (a.len() + b.len()) as u64);
    res.estimate = d;
    res.extra.extend([("mean_a", ma), ("mean_b", mb), ("sd_pooled", sp2.sqrt())]);
    finish_t(&mut res, d, se, df, confidence);
    res.extra.extend([("n1", na), ("n2", nb)]);
    Ok(res)
}

/// Hedges' g: the standardized mean difference with the exact small-sample correction.
///
/// `d = (ā - b̄)/sp` with the pooled SD `sp` (df = na + nb - 2), `g = J·d` with the exact
/// `J = Γ(df/2)/(√(df/2)·Γ((df-1)/2))` (Hedges 1981; ≈ 1 - 3/(4df - 1)), computed through a
/// log-gamma difference that keeps full precision for large df.
///
/// Interval: `g ± z·se`, z the normal quantile at `0.5 + confidence/2`, with the large-sample
/// variance of Hedges & Olkin (1985, Statistical Methods for Meta-Analysis, ch. 5)
/// `var(g) = (na+nb)/(na·nb) + g²/(2(na+nb))`, g plugged in for δ. (The exact noncentral-t
/// interval is narrower for tiny samples; this one is what meta-analyses pool.) `statistic`
/// and `p_value` are NaN: g is an effect size, test it with [`welch_t`] or [`student_t`].
///
/// Extras: `cohen_d`, `j`, `se`, `mean_a`, `mean_b`, `sd_pooled`, `n1`, `n2`. Errors: an empty
/// group, na + nb < 4 (J needs df >= 2), NaN/inf. Zero pooled SD: g NaN with a note.
pub fn hedges_g(a: &[f64], b: &[f64], confidence: f64) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    check_sample("a", a, 1)?;
    check_sample("b", b, 1)?;
    hedges_g_summary(&TwoMoments::of(a, b), confidence)
}

/// [`hedges_g`] of two samples given by their [`TwoMoments`], with the errors `hedges_g` gives
/// for their sizes (the values are taken to be finite).
pub fn hedges_g_summary(m: &TwoMoments, confidence: f64) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    check_size("a", m.na, 1)?;
    check_size("b", m.nb, 1)?;
    if m.na + m.nb < 4 {
        return Err(StatsError::data(
            "b",
            "Hedges' correction needs at least 4 observations in the two groups together",
        ));
    }
    hedges_g_moments(m, confidence)
}

/// [`hedges_g`] from the samples' [`TwoMoments`] (each group non-empty, 4 values together).
pub fn hedges_g_moments(m: &TwoMoments, confidence: f64) -> StatsResult<TestResult> {
    check_confidence(confidence)?;
    if m.na < 1 || m.nb < 1 || m.na + m.nb < 4 {
        return Err(StatsError::data("b", "Hedges' g needs both groups non-empty and 4 observations together"));
    }
    let (na, nb) = (m.na as f64, m.nb as f64);
    let (ma, mb, diff, ssa, ssb) = unpack(m);
    let df = na + nb - 2.0;
    let sp = ((ssa + ssb) / df).sqrt();
    let mut res = TestResult::new("Hedges' g (bias-corrected standardized mean difference)", Alternative::TwoSided, (m.na + m.nb) as u64);
    res.df = df;
    let j = ln_gamma_ratio((df - 1.0) / 2.0, 0.5).exp() / (df / 2.0).sqrt();
    res.push_note("effect size only: no test statistic or p-value (see welch_t)");
    if sp.is_nan() || sp <= 0.0 {
        res.push_note("pooled standard deviation is 0: g is undefined");
        res.extra.extend([("cohen_d", f64::NAN), ("j", j), ("se", f64::NAN)]);
    } else {
        let d = diff / sp;
        let g = j * d;
        let se = ((na + nb) / (na * nb) + g * g / (2.0 * (na + nb))).sqrt();
        let z = norm_ppf(0.5 + confidence / 2.0);
        res.estimate = g;
        (res.ci_low, res.ci_high) = (g - z * se, g + z * se);
        res.extra.extend([("cohen_d", d), ("j", j), ("se", se)]);
    }
    res.extra.extend([("mean_a", ma), ("mean_b", mb), ("sd_pooled", sp), ("n1", na), ("n2", nb)]);
    Ok(res)
}

pub use super::mann_whitney::{mann_whitney, mann_whitney_ranks, mann_whitney_test, MwMethod, RankSums};

#[cfg(test)]
mod tests {
    #![allow(clippy::excessive_precision)] // reference values quoted with all the digits their source gave
    use super::super::mann_whitney::*;
    use super::*;
    use crate::stats::testing::close;
    use Alternative::{Greater, Less, TwoSided};

    const A: [f64; 7] = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 5.3];
    const B: [f64; 9] = [4.1, 4.5, 4.9, 5.0, 3.9, 4.4, 4.8, 4.6, 5.2];

    /// Runs the t test `test` on A, B for each alternative of `refs` — `(alternative, p-value,
    /// ci_low, ci_high)` from scipy — and checks those and `(statistic, df)`.
    fn check_t(
        test: fn(&[f64], &[f64], Alternative, f64) -> StatsResult<TestResult>,
        confidence: f64,
        (t, df): (f64, f64),
        refs: [(Alternative, f64, f64, f64); 3],
    ) -> Vec<TestResult> {
        let mut out = Vec::new();
        for (alt, p, lo, hi) in refs {
            let r = test(&A, &B, alt, confidence).unwrap();
            assert!(close(r.statistic, t, 1e-12) && close(r.df, df, 1e-12), "{alt}: {} {}", r.statistic, r.df);
            assert!(close(r.p_value, p, 1e-10), "{alt}: {}", r.p_value);
            assert!(close(r.ci_low, lo, 1e-10) && close(r.ci_high, hi, 1e-10), "{alt}: {} {}", r.ci_low, r.ci_high);
            out.push(r);
        }
        out
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind(A, B, equal_var=False, alternative=alt) and
        // .confidence_interval(0.95), scipy 1.17.1: t, df and (alt, p, ci_low, ci_high)
        let refs = [
            (TwoSided, 0.0014241003313746976, 0.44298070607168144, 1.4427335796426028),
            (Less, 0.9992879498343127, f64::NEG_INFINITY, 1.3519077482727235),
            (Greater, 0.0007120501656873488, 0.5338065374415608, f64::INFINITY),
        ];
        for r in check_t(welch_t, 0.95, (4.103682027833903, 12.158989873835191), refs) {
            assert!(close(r.estimate, 5.542857142857143 - 4.6, 1e-12));
            assert_eq!((r.get("n1"), r.get("n2"), r.n), (Some(7.0), Some(9.0), 16));
        }
    }

    #[test]
    fn student_matches_scipy() {
        // scipy.stats.ttest_ind(A, B, equal_var=True, alternative=alt), .confidence_interval(0.9)
        let refs = [
            (TwoSided, 0.0009426599249898179, 0.544689496097087, 1.341024789617197),
            (Less, 0.9995286700375051, f64::NEG_INFINITY, 1.2469191976535219),
            (Greater, 0.00047132996249490896, 0.6387950880607625, f64::INFINITY),
        ];
        for r in check_t(student_t, 0.9, (4.170765394464091, 14.0), refs) {
            assert_eq!(r.df, 14.0);
        }
        // one observation in a group: scipy.stats.ttest_ind([3.0], [1, 2, 2.5]) ->
        // t = 1.3228756555322956, p = 0.3168699489360267, CI (-2.6279163669300925,
        // 4.9612497002634255)
        let r = student_t(&[3.0], &[1., 2., 2.5], TwoSided, 0.95).unwrap();
        assert!(close(r.statistic, 1.3228756555322956, 1e-12) && close(r.p_value, 0.3168699489360267, 1e-10));
        assert!(close(r.ci_low, -2.6279163669300925, 1e-10) && close(r.ci_high, 4.9612497002634255, 1e-10));
        assert!(welch_t(&[3.0], &[1., 2., 2.5], TwoSided, 0.95).is_err());
        assert!(student_t(&[3.0], &[1.], TwoSided, 0.95).is_err());
    }

    #[test]
    fn t_tests_at_large_offsets_and_extremes() {
        // a = 1e9 + [0.001, 0.002, 0.0015, 0.0012], b = 1e9 + [0.0001, 0.0003, 0.0002, 0.0004,
        // 0.00025]. Reference: scipy.stats.ttest_ind(a - 1e9, b - 1e9, equal_var=False) (the
        // shift is exact): estimate 0.0011749923229217528, t 5.265978415322123, df
        // 3.318514525716134, p 0.010304154349260724, CI (0.0005019388171652644,
        // 0.0018480458286782412). scipy on the unshifted data gives estimate 0.0011749267578125
        // (mean(a) - mean(b) each rounded to 1.2e-7): 5.6e-5 relative error.
        let a: Vec<f64> = [0.001, 0.002, 0.0015, 0.0012].iter().map(|v| 1e9 + v).collect();
        let b: Vec<f64> = [0.0001, 0.0003, 0.0002, 0.0004, 0.00025].iter().map(|v| 1e9 + v).collect();
        let r = welch_t(&a, &b, TwoSided, 0.95).unwrap();
        assert!(close(r.estimate, 0.0011749923229217528, 1e-10), "{}", r.estimate);
        assert!(close(r.statistic, 5.265978415322123, 1e-10) && close(r.df, 3.318514525716134, 1e-10));
        assert!(close(r.p_value, 0.010304154349260724, 1e-10));
        assert!(close(r.ci_low, 0.0005019388171652644, 1e-9) && close(r.ci_high, 0.0018480458286782412, 1e-9));
        // scipy.stats.ttest_ind(range(20), range(40, 60), equal_var=False):
        // t = -21.38089935299395, df = 38, p = 8.742608512176017e-23
        let a: Vec<f64> = (0..20).map(f64::from).collect();
        let b: Vec<f64> = (40..60).map(f64::from).collect();
        let r = welch_t(&a, &b, TwoSided, 0.95).unwrap();
        assert!(close(r.statistic, -21.38089935299395, 1e-12) && close(r.p_value, 8.742608512176017e-23, 1e-10));
        // constant groups: undefined t with a note (scipy: t = -inf, p = 0)
        let r = welch_t(&[1., 1., 1.], &[2., 2.], TwoSided, 0.95).unwrap();
        assert!(r.statistic.is_nan() && r.p_value.is_nan() && r.estimate == -1.0);
        assert!(r.note.unwrap().contains("zero variance"));
        assert!(welch_t(&[1., f64::INFINITY], &[2., 3.], TwoSided, 0.95).is_err());
    }

    #[test]
    fn hedges_g_formula() {
        // numpy: sp = √((Σ(A-Ā)² + Σ(B-B̄)²)/14), d = (Ā - B̄)/sp = 2.101868192484989,
        // J = exp(gammaln(7) - gammaln(6.5))/√7 = 0.9452877293068114 (scipy.special.gammaln),
        // g = 1.9868702109763472, se = √(16/63 + g²/32) = 0.6142738945863574,
        // CI g ∓ 1.959963984540054·se = (0.782915500943933, 3.1908249210087614)
        let r = hedges_g(&A, &B, 0.95).unwrap();
        assert!(close(r.get("cohen_d").unwrap(), 2.101868192484989, 1e-12));
        assert!(close(r.get("j").unwrap(), 0.9452877293068114, 1e-13));
        assert!(close(r.estimate, 1.9868702109763472, 1e-12));
        assert!(close(r.get("se").unwrap(), 0.6142738945863574, 1e-12));
        assert!(close(r.ci_low, 0.782915500943933, 1e-10) && close(r.ci_high, 3.1908249210087614, 1e-10));
        // J ≈ 1 - 3/(4df - 1) for large df, computed without cancellation
        let a: Vec<f64> = (0..500_000).map(|i| f64::from(i % 7)).collect();
        let b: Vec<f64> = (0..500_000).map(|i| f64::from(i % 5)).collect();
        let j = hedges_g(&a, &b, 0.95).unwrap().get("j").unwrap();
        let df = 999_998.0;
        assert!((j - (1.0 - 3.0 / (4.0 * df - 1.0))).abs() < 1e-12);
        assert!(hedges_g(&[1.], &[2., 3.], 0.95).is_err());
        assert!(hedges_g(&[1., 1.], &[1., 1.], 0.95).unwrap().estimate.is_nan());
    }

    #[test]
    fn mann_whitney_exact_matches_scipy() {
        let a = [1.83, 0.50, 1.62, 2.48, 1.68];
        let b = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.07];
        // scipy.stats.mannwhitneyu(a, b, alternative=alt) (exact: n1 <= 8, no ties):
        // U1 = 25, p two-sided 0.26767676767676774, less 0.898989898989899, greater
        // 0.13383838383838387; numpy.median(np.subtract.outer(a, b)) = 0.6199999999999999
        for (alt, p) in [(TwoSided, 0.26767676767676774), (Less, 0.898989898989899), (Greater, 0.13383838383838387)] {
            let r = mann_whitney(&a, &b, alt, MwMethod::Auto, true).unwrap();
            assert_eq!(r.statistic, 25.0);
            assert!(close(r.p_value, p, 1e-10), "{alt}: {}", r.p_value);
            assert!(close(r.estimate, 0.6199999999999999, 1e-14));
            assert!(close(r.get("rank_biserial").unwrap(), 2.0 * 25.0 / 35.0 - 1.0, 1e-14));
        }
        // scipy.stats.mannwhitneyu(range(4), range(10, 14), method="exact") = (0, 0.02857142857142857)
        let r = mann_whitney(&[0., 1., 2., 3.], &[10., 11., 12., 13.], TwoSided, MwMethod::Exact, true).unwrap();
        assert!(close(r.p_value, 0.02857142857142857, 1e-12));
        // auto is exact when one group has <= 8 values: scipy.stats.mannwhitneyu(range(3),
        // np.arange(300)*0.01 + 0.005) = (300.0, 0.338314943021001)
        let b: Vec<f64> = (0..300).map(|i| f64::from(i) * 0.01 + 0.005).collect();
        let r = mann_whitney(&[0., 1., 2.], &b, TwoSided, MwMethod::Auto, true).unwrap();
        assert!(r.statistic == 300.0 && close(r.p_value, 0.338314943021001, 1e-10) && r.method.contains("exact"));
    }

    #[test]
    fn mann_whitney_asymptotic_with_ties() {
        let a = [1., 2., 2., 3., 3., 3., 4., 5., 5., 6., 7.];
        let b = [2., 3., 4., 4., 5., 6., 6., 7., 8., 8., 9., 9.];
        // scipy.stats.mannwhitneyu(a, b, alternative=alt, use_continuity=cont): U1 = 31
        let refs = [
            (TwoSided, true, 0.03245954709414112),
            (TwoSided, false, 0.03002950583274686),
            (Less, true, 0.01622977354707056),
            (Less, false, 0.01501475291637343),
            (Greater, true, 0.9861212489671362),
            (Greater, false, 0.9849852470836266),
        ];
        for (alt, cont, p) in refs {
            let r = mann_whitney(&a, &b, alt, MwMethod::Auto, cont).unwrap();
            assert_eq!(r.statistic, 31.0);
            assert!(close(r.p_value, p, 1e-10), "{alt} {cont}: {}", r.p_value);
            assert_eq!(r.estimate, -2.0); // numpy.median(np.subtract.outer(a, b))
        }
        // forced exact with ties: scipy truncates U and so do we (with a note)
        let r = mann_whitney(&a, &b, TwoSided, MwMethod::Exact, true).unwrap();
        assert!(r.note.unwrap().contains("ties"));
        // scipy.stats.mannwhitneyu(range(200), range(1000, 1200)) = (0.0, 4.830856390397399e-67)
        let a: Vec<f64> = (0..200).map(f64::from).collect();
        let b: Vec<f64> = (1000..1200).map(f64::from).collect();
        let r = mann_whitney(&a, &b, TwoSided, MwMethod::Auto, true).unwrap();
        assert!(close(r.p_value, 4.830856390397399e-67, 1e-10), "{}", r.p_value);
        assert_eq!(r.get("rank_biserial"), Some(-1.0));
        assert_eq!(r.estimate, -1000.0);
        assert!(mann_whitney(&[], &[1.], TwoSided, MwMethod::Auto, true).is_err());
    }

    #[test]
    fn hodges_lehmann_selection_is_exact() {
        // against the sorted list of all differences, even (30) and odd (25) counts, with ties
        let a = [3.0, -1.0, 2.5, 2.5, 7.0, 0.0];
        let b = [1.0, 1.0, -2.0, 4.5, 0.25];
        let sorted_diffs = |a: &[f64]| {
            let mut d: Vec<f64> = a.iter().flat_map(|x| b.iter().map(move |y| x - y)).collect();
            d.sort_by(f64::total_cmp);
            d
        };
        let d = sorted_diffs(&a);
        assert_eq!(hodges_lehmann(&a, &b), (d[14] + d[15]) / 2.0);
        let d = sorted_diffs(&a[..5]);
        assert_eq!(hodges_lehmann(&a[..5], &b), d[12]);
    }

    #[test]
    fn summaries_give_the_tests_of_the_samples() {
        // a sample cut in three parts: pooled moments, Welch, Hedges' g to rounding
        let a: Vec<f64> = (0..40).map(|i| 50.0 + f64::from((i * 37) % 23) / 3.0).collect();
        let b: Vec<f64> = (0..25).map(|i| 47.0 + f64::from((i * 11) % 19) / 2.0).collect();
        let parts = |x: &[f64]| vec![Moments::of(&x[..7]), Moments::of(&[]), Moments::of(&x[7..20]), Moments::of(&x[20..])];
        let (pa, pb) = (Moments::pooled(&parts(&a)), Moments::pooled(&parts(&b)));
        let (ma, mb) = (Moments::of(&a), Moments::of(&b));
        assert_eq!((pa.n, pb.n), (40, 25));
        assert!(close(pa.mean, ma.mean, 1e-15) && close(pa.ss, ma.ss, 1e-14), "{pa:?} {ma:?}");
        assert!(close(pb.mean, mb.mean, 1e-15) && close(pb.ss, mb.ss, 1e-14), "{pb:?} {mb:?}");
        let m = TwoMoments::of_summaries(&pa, &pb);
        let (w, ws) = (welch_t(&a, &b, TwoSided, 0.9).unwrap(), welch_t_summary(&m, TwoSided, 0.9).unwrap());
        let (g, gs) = (hedges_g(&a, &b, 0.9).unwrap(), hedges_g_summary(&m, 0.9).unwrap());
        for (x, y) in [(w.estimate, ws.estimate), (w.statistic, ws.statistic), (w.df, ws.df), (w.p_value, ws.p_value), (w.ci_low, ws.ci_low), (g.estimate, gs.estimate), (g.ci_high, gs.ci_high)] {
            assert!(close(x, y, 1e-13), "{x} vs {y}");
        }
        assert_eq!((w.method, w.note, w.n), (ws.method, ws.note, ws.n));
        // the same size errors as the tests on slices
        let one = TwoMoments::of_summaries(&Moments::of(&a[..1]), &pb);
        assert_eq!(welch_t_summary(&one, TwoSided, 0.95).unwrap_err().to_string(), welch_t(&a[..1], &b, TwoSided, 0.95).unwrap_err().to_string());
        let tiny = TwoMoments::of_summaries(&Moments::of(&a[..1]), &Moments::of(&b[..2]));
        assert_eq!(hedges_g_summary(&tiny, 0.95).unwrap_err().to_string(), hedges_g(&a[..1], &b[..2], 0.95).unwrap_err().to_string());
        let none = TwoMoments::of_summaries(&Moments::of(&[]), &pb);
        assert_eq!(hedges_g_summary(&none, 0.95).unwrap_err().to_string(), hedges_g(&[], &b, 0.95).unwrap_err().to_string());
    }

    /// Sorted runs `(value, count in a, count in b)` of two samples.
    fn runs(a: &[f64], b: &[f64]) -> Vec<(f64, u64, u64)> {
        let mut all: Vec<(f64, bool)> = a.iter().map(|v| (*v, true)).chain(b.iter().map(|v| (*v, false))).collect();
        all.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut out: Vec<(f64, u64, u64)> = Vec::new();
        for (v, in_a) in all {
            match out.last_mut() {
                Some(r) if r.0 == v => {
                    if in_a { r.1 += 1 } else { r.2 += 1 }
                }
                _ => out.push((v, u64::from(in_a), u64::from(!in_a))),
            }
        }
        out
    }

    #[test]
    fn mann_whitney_from_runs_is_the_test_on_the_samples() {
        // with ties (asymptotic), without ties and small (exact), all alternatives: bit for bit
        let a = [1., 2., 2., 3., 3., 3., 4., 5., 5., 6., 7.];
        let b = [2., 3., 4., 4., 5., 6., 6., 7., 8., 8., 9., 9.];
        let c = [1.83, 0.50, 1.62, 2.48, 1.68];
        let d = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.07];
        for (x, y) in [(&a[..], &b[..]), (&c[..], &d[..]), (&b[..], &a[..3])] {
            for alt in [TwoSided, Less, Greater] {
                for cont in [true, false] {
                    let direct = mann_whitney_test(x, y, alt, MwMethod::Auto, cont).unwrap();
                    let from_runs = mann_whitney_ranks(&RankSums::of_runs(&runs(x, y)), alt, MwMethod::Auto, cont).unwrap();
                    assert_eq!(format!("{direct:?}"), format!("{from_runs:?}")); // (NaN = NaN)
                }
            }
        }
        let e = mann_whitney_ranks(&RankSums::of_runs(&runs(&[], &b)), TwoSided, MwMethod::Auto, true).unwrap_err();
        assert_eq!(e.to_string(), mann_whitney_test(&[], &b, TwoSided, MwMethod::Auto, true).unwrap_err().to_string());
    }

    #[test]
    fn exact_distribution_paths_agree() {
        // the 128-bit Gaussian-binomial counts and the floating-point DP give the same pmf
        let a = mw_pmf_counts(6, 9, 27).unwrap();
        let b = mw_pmf_dp(6, 9, 27);
        for (x, y) in a.iter().zip(&b) {
            assert!(close(*x, *y, 1e-13), "{x} {y}");
        }
        // P(U = 0) = 1/C(15, 6); the whole pmf (to mn = 54) sums to 1
        assert!(close(a[0], 1.0 / 5005.0, 1e-15));
        assert!(close(mw_pmf_counts(6, 9, 54).unwrap().iter().sum::<f64>(), 1.0, 1e-15));
        // C(300, 150) > 2^125: the DP path, still exact where it matters (lower tail)
        assert!(mw_pmf_counts(150, 150, 10).is_none());
        let p = mw_pmf(150, 150, 10).unwrap();
        assert!(close(p[1], p[0], 1e-12)); // one arrangement each for U = 0 and U = 1
    }
}
