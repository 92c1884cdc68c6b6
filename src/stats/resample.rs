//! Seeded, parallel resampling: a generic bootstrap engine (percentile and BCa intervals, row or
//! cluster resampling) and, built on it, the bootstrap interval and the permutation test of
//! Pearson's r.
//!
//! Determinism: resample `i` draws from ChaCha8 seeded with `seed` on stream `i`
//! (`ChaCha8Rng::seed_from_u64(seed)` + `set_stream(i)`), resamples are computed with rayon and
//! collected in order, and every reduction runs sequentially on the collected values, so a
//! result depends only on (data, options, seed), never on the number of threads. Integers below
//! `n` are drawn with Lemire's (2019) multiply-shift method with rejection, implemented here, so
//! the streams do not change with the `rand` crate's sampling algorithms.
//!
//! Sizes: `n_resamples` is at most [`MAX_RESAMPLES`] (checked before anything is allocated).
//! Interruption: the resampling loops poll the calling thread's [`crate::interrupt`] checkpoint
//! once per resample (one atomic load) and return [`StatsError::Interrupted`] when it is
//! cancelled; a computation that is not cancelled is unaffected, bit for bit.

use super::correlation::{check_pair, is_constant, pearson_r};
use super::descriptive::variance;
use super::dist::{norm_cdf, norm_ppf};
use super::error::{StatsError, StatsResult};
use super::result::{check_confidence, clamp_p, Alternative, TestResult};
use crate::interrupt::{checkpoint, Checkpoint, POLL_EVERY};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::fmt;
use std::str::FromStr;

/// The largest `n_resamples` of a bootstrap or a permutation test (10 million): the bootstrap
/// keeps one f64 per resample (80 MB at this bound), and more resamples than this add nothing a
/// published interval or p-value could show.
pub const MAX_RESAMPLES: usize = 10_000_000;

/// `n_resamples` in `[min, MAX_RESAMPLES]`, else an invalid-argument error.
fn check_resamples(n_resamples: usize, min: usize) -> StatsResult<()> {
    if n_resamples < min {
        return Err(StatsError::argument(
            "n_resamples",
            format!("must be at least {min}, got {n_resamples}"),
        ));
    }
    if n_resamples > MAX_RESAMPLES {
        return Err(StatsError::argument(
            "n_resamples",
            format!("must be at most {MAX_RESAMPLES}, got {n_resamples}"),
        ));
    }
    Ok(())
}

/// Bootstrap confidence interval method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BootstrapMethod {
    /// Bias-corrected and accelerated (Efron & Tibshirani 1993, §14.3), scipy's default.
    #[default]
    Bca,
    /// Percentile interval.
    Percentile,
}

impl BootstrapMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            BootstrapMethod::Bca => "bca",
            BootstrapMethod::Percentile => "percentile",
        }
    }
}

impl fmt::Display for BootstrapMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BootstrapMethod {
    type Err = StatsError;
    fn from_str(s: &str) -> StatsResult<Self> {
        match s {
            "bca" | "BCa" => Ok(BootstrapMethod::Bca),
            "percentile" => Ok(BootstrapMethod::Percentile),
            other => Err(StatsError::argument(
                "method",
                format!("expected 'bca' or 'percentile', got '{other}'"),
            )),
        }
    }
}

/// Options of a bootstrap, checked once by [`BootstrapOptions::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapOptions {
    /// Number of bootstrap resamples, in `[2, MAX_RESAMPLES]`.
    pub n_resamples: usize,
    pub method: BootstrapMethod,
    /// Seed of the random streams: same seed, same result, whatever the number of threads.
    pub seed: u64,
    /// Two-sided confidence level in (0, 1).
    pub confidence: f64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            n_resamples: 9999,
            method: BootstrapMethod::Bca,
            seed: 0,
            confidence: 0.95,
        }
    }
}

impl BootstrapOptions {
    pub fn check(&self) -> StatsResult<()> {
        check_confidence(self.confidence)?;
        check_resamples(self.n_resamples, 2)
    }
}

/// The random stream of resample `i`: a clone of the seeded generator moved to stream `i`.
pub(crate) fn stream(base: &ChaCha8Rng, i: u64) -> ChaCha8Rng {
    let mut rng = base.clone();
    rng.set_stream(i);
    rng
}

/// Uniform integer in `[0, n)`, `n >= 1` (Lemire 2019, "Fast random integer generation in an
/// interval", ACM TOMACS 29(1)): multiply-shift, rejecting the biased low products.
#[inline]
pub(crate) fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    if n <= u64::from(u32::MAX) {
        let n = n as u32;
        let mut m = u64::from(rng.next_u32()) * u64::from(n);
        if (m as u32) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u32) < threshold {
                m = u64::from(rng.next_u32()) * u64::from(n);
            }
        }
        m >> 32
    } else {
        let mut m = u128::from(rng.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(rng.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }
}

/// Calls `f` with `count` uniform integers in `[0, n)` — the same values, in the same order, as
/// `count` calls of [`below`] — generating the words in blocks (faster than word by word).
#[inline]
fn for_each_below(rng: &mut ChaCha8Rng, n: u64, count: usize, mut f: impl FnMut(usize)) {
    if n > u64::from(u32::MAX) {
        (0..count).for_each(|_| f(below(rng, n) as usize));
        return;
    }
    let n32 = n as u32;
    // Lemire: a word w is accepted iff the low half of w·n is >= (2^32 - n) mod n
    let threshold = n32.wrapping_neg() % n32;
    let mut bytes = [0u8; 1024];
    let mut done = 0;
    while done < count {
        let want = 4 * (count - done).min(bytes.len() / 4);
        let chunk = &mut bytes[..want];
        rng.fill_bytes(chunk);
        // fill_bytes writes the words of next_u32 in little-endian order
        for c in chunk.chunks_exact(4) {
            let w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let m = u64::from(w) * n;
            if (m as u32) >= threshold {
                f((m >> 32) as usize);
                done += 1;
            }
        }
    }
}

/// Rows grouped by cluster code (compressed: rows of cluster c are `rows[starts[c]..starts[c+1]]`).
struct Clusters {
    starts: Vec<usize>,
    rows: Vec<usize>,
}

impl Clusters {
    fn build(n: usize, codes: &[usize]) -> StatsResult<Clusters> {
        if codes.len() != n {
            return Err(StatsError::data(
                "clusters",
                format!("has {} codes for {n} rows", codes.len()),
            ));
        }
        // every code used means k <= n: check before allocating k counters
        let k = codes.iter().max().map_or(0, |m| m + 1);
        if k > n {
            return Err(StatsError::data(
                "clusters",
                format!("codes must be 0..k-1 with every code used; code {} exceeds the {n} rows", k - 1),
            ));
        }
        let mut counts = vec![0usize; k];
        for &c in codes {
            counts[c] += 1;
        }
        if let Some(c) = counts.iter().position(|&m| m == 0) {
            return Err(StatsError::data(
                "clusters",
                format!("codes must be 0..k-1 with every code used; code {c} has no rows"),
            ));
        }
        if k < 2 {
            return Err(StatsError::data("clusters", "needs at least 2 clusters"));
        }
        let mut starts = vec![0usize; k + 1];
        for c in 0..k {
            starts[c + 1] = starts[c] + counts[c];
        }
        let mut fill = starts.clone();
        let mut rows = vec![0usize; n];
        for (i, &c) in codes.iter().enumerate() {
            rows[fill[c]] = i;
            fill[c] += 1;
        }
        Ok(Clusters { starts, rows })
    }

    fn k(&self) -> usize {
        self.starts.len() - 1
    }

    fn rows_of(&self, c: usize) -> &[usize] {
        &self.rows[self.starts[c]..self.starts[c + 1]]
    }
}

/// What is resampled: rows, or whole clusters of rows.
struct Design {
    n: usize,
    clusters: Option<Clusters>,
}

impl Design {
    fn new(n: usize, clusters: Option<&[usize]>) -> StatsResult<Design> {
        let clusters = clusters.map(|c| Clusters::build(n, c)).transpose()?;
        Ok(Design { n, clusters })
    }

    /// Resampling units: rows or clusters.
    fn units(&self) -> usize {
        self.clusters.as_ref().map_or(self.n, Clusters::k)
    }

    /// The row indices of one resample: n rows, or k clusters, drawn with replacement.
    fn draw(&self, rng: &mut ChaCha8Rng, buf: &mut Vec<usize>) {
        buf.clear();
        match &self.clusters {
            None => for_each_below(rng, self.n as u64, self.n, |i| buf.push(i)),
            Some(cl) => {
                let k = cl.k() as u64;
                for _ in 0..cl.k() {
                    buf.extend_from_slice(cl.rows_of(below(rng, k) as usize));
                }
            }
        }
    }

    /// All rows except those of unit `u` (a row or a cluster), in order.
    fn leave_out(&self, u: usize, buf: &mut Vec<usize>) {
        buf.clear();
        match &self.clusters {
            None => buf.extend((0..self.n).filter(|&i| i != u)),
            Some(cl) => {
                for c in (0..cl.k()).filter(|&c| c != u) {
                    buf.extend_from_slice(cl.rows_of(c));
                }
            }
        }
    }
}

/// The statistic on every resample, in resample order (parallel, thread-count independent).
/// Polls `cp` once per resample: once cancelled, the remaining resamples are skipped.
fn bootstrap_distribution<F>(
    design: &Design,
    statistic: &F,
    n_resamples: usize,
    seed: u64,
    cp: &Checkpoint,
) -> StatsResult<Vec<f64>>
where
    F: Fn(&[usize]) -> f64 + Sync,
{
    let base = ChaCha8Rng::seed_from_u64(seed);
    let boot = (0..n_resamples)
        .into_par_iter()
        .map_init(
            || Vec::with_capacity(design.n),
            |buf, i| {
                if cp.is_cancelled() {
                    return f64::NAN;
                }
                let mut rng = stream(&base, i as u64);
                design.draw(&mut rng, buf);
                statistic(buf)
            },
        )
        .collect();
    cp.check()?;
    Ok(boot)
}

/// Leave-one-unit-out values of a generic statistic (O(units × cost of the statistic)).
fn jackknife_generic<F>(design: &Design, statistic: &F, cp: &Checkpoint) -> StatsResult<Vec<f64>>
where
    F: Fn(&[usize]) -> f64 + Sync,
{
    let jack = (0..design.units())
        .into_par_iter()
        .map_init(Vec::new, |buf, u| {
            if cp.is_cancelled() {
                return f64::NAN;
            }
            design.leave_out(u, buf);
            statistic(buf)
        })
        .collect();
    cp.check()?;
    Ok(jack)
}

/// Linear-interpolation quantile of sorted values (Hyndman & Fan type 7, numpy's and
/// scipy.stats.quantile's default `linear`).
fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    if v.is_empty() || p.is_nan() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let j = h.floor() as usize;
    let g = h - j as f64;
    if j + 1 >= v.len() {
        v[v.len() - 1]
    } else {
        v[j] + g * (v[j + 1] - v[j])
    }
}

/// A bootstrap interval with its diagnostics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapInterval {
    pub low: f64,
    pub high: f64,
    /// Bias correction z0 (BCa; NaN for percentile).
    pub z0: f64,
    /// Acceleration a (BCa; NaN for percentile).
    pub acceleration: f64,
    /// Standard deviation (ddof = 1) of the defined bootstrap values.
    pub std_error: f64,
    /// Resamples whose statistic was NaN (left out).
    pub n_degenerate: usize,
}

/// Percentile or BCa interval from bootstrap values `boot` (and, for BCa, the jackknife values).
///
/// Percentile: the (1-c)/2 and (1+c)/2 quantiles (type 7). BCa (Efron & Tibshirani 1993, §14.3,
/// eq. 14.9–14.15, as scipy.stats.bootstrap): `z0 = Φ⁻¹(share of θ*_b < θ̂, ties counting
/// half)` — scipy's `_percentile_of_score` (`(#< + #<=)/(2B)`); `a = ΣU³/(6(ΣU²)^1.5)` with
/// `U_i = (n-1)(θ̄_(·) - θ_(i))` from the leave-one-unit-out jackknife; the interval is the
/// `Φ(z0 + (z0+z_α)/(1 - a(z0+z_α)))` and `Φ(z0 + (z0+z_{1-α})/(1 - a(z0+z_{1-α})))` quantiles.
///
/// Deliberate differences from scipy: NaN bootstrap values (degenerate resamples, e.g. a
/// constant resample for a correlation) are left out and counted in `n_degenerate`, where scipy
/// returns a NaN interval; when every jackknife value is equal (ΣU² = 0) the acceleration is 0
/// (no skewness to correct), where scipy's 0/0 gives NaN. A NaN jackknife value gives a NaN
/// BCa interval.
pub fn bootstrap_interval(
    theta_hat: f64,
    boot: &[f64],
    jackknife: Option<&[f64]>,
    method: BootstrapMethod,
    confidence: f64,
) -> BootstrapInterval {
    let mut v: Vec<f64> = boot.iter().copied().filter(|b| !b.is_nan()).collect();
    let n_degenerate = boot.len() - v.len();
    v.sort_by(f64::total_cmp);
    let std_error = variance(&v, 1).sqrt();
    let alpha = (1.0 - confidence) / 2.0;
    let mut out = BootstrapInterval {
        low: f64::NAN,
        high: f64::NAN,
        z0: f64::NAN,
        acceleration: f64::NAN,
        std_error,
        n_degenerate,
    };
    if v.is_empty() {
        return out;
    }
    match method {
        BootstrapMethod::Percentile => {
            out.low = quantile_sorted(&v, alpha);
            out.high = quantile_sorted(&v, 1.0 - alpha);
        }
        BootstrapMethod::Bca => {
            let below = v.partition_point(|b| *b < theta_hat);
            let at_or_below = v.partition_point(|b| *b <= theta_hat);
            let share = (below + at_or_below) as f64 / (2 * v.len()) as f64;
            let z0 = norm_ppf(share);
            let a = match jackknife {
                Some(j) if j.iter().all(|t| t.is_finite()) && !j.is_empty() => {
                    let nj = j.len() as f64;
                    let mean_j = j.iter().sum::<f64>() / nj;
                    let (mut s2, mut s3) = (0.0, 0.0);
                    for t in j {
                        let u = (nj - 1.0) * (mean_j - t);
                        s2 += u * u;
                        s3 += u * u * u;
                    }
                    if s2 == 0.0 {
                        0.0
                    } else {
                        (s3 / nj.powi(3)) / (s2 / nj.powi(2)).powf(1.5) / 6.0
                    }
                }
                _ => f64::NAN,
            };
            out.z0 = z0;
            out.acceleration = a;
            let z_alpha = norm_ppf(alpha);
            let adj = |zq: f64| {
                let num = z0 + zq;
                norm_cdf(z0 + num / (1.0 - a * num))
            };
            out.low = quantile_sorted(&v, adj(z_alpha));
            out.high = quantile_sorted(&v, adj(-z_alpha));
        }
    }
    out
}

/// The extras of a bootstrap result, always in this order (NaN until filled):
/// `std_error`, `n_resamples`, `n_degenerate`, `z0`, `acceleration`, `n_clusters`.
fn bootstrap_extras(res: &mut TestResult, n_resamples: usize, n_clusters: Option<usize>) {
    res.extra.extend([
        ("std_error", f64::NAN),
        ("n_resamples", n_resamples as f64),
        ("n_degenerate", f64::NAN),
        ("z0", f64::NAN),
        ("acceleration", f64::NAN),
        ("n_clusters", n_clusters.map_or(f64::NAN, |k| k as f64)),
    ]);
}

/// Fills a result (with [`bootstrap_extras`]) from an interval, and notes.
fn fill_bootstrap(res: &mut TestResult, iv: &BootstrapInterval, n_resamples: usize, method: BootstrapMethod) {
    res.ci_low = iv.low;
    res.ci_high = iv.high;
    for (name, value) in res.extra.iter_mut() {
        match *name {
            "std_error" => *value = iv.std_error,
            "n_degenerate" => *value = iv.n_degenerate as f64,
            "z0" => *value = iv.z0,
            "acceleration" => *value = iv.acceleration,
            _ => {}
        }
    }
    if iv.n_degenerate > 0 {
        res.push_note(&format!(
                "{} of {n_resamples} resamples gave an undefined statistic (e.g. a constant resample) and were left out",
                iv.n_degenerate
            ),
        );
    }
    if res.ci_low.is_nan() || res.ci_high.is_nan() {
        res.push_note(if method == BootstrapMethod::Bca {
                "BCa interval undefined (degenerate bootstrap or jackknife distribution)"
            } else {
                "percentile interval undefined (no defined bootstrap value)"
            },
        );
    }
    res.push_note("bootstrap interval only: no test statistic or p-value");
}

fn method_label(what: &str, method: BootstrapMethod, clustered: bool) -> String {
    let m = match method {
        BootstrapMethod::Bca => "BCa",
        BootstrapMethod::Percentile => "percentile",
    };
    if clustered {
        format!("{what} (cluster bootstrap, {m})")
    } else {
        format!("{what} (bootstrap, {m})")
    }
}

/// Generic seeded bootstrap of a statistic of `n` rows.
///
/// `statistic` receives the row indices of one resample (with repetitions) and returns the
/// statistic, NaN when it is undefined on that resample. Without `clusters` each resample draws
/// n rows with replacement; with `clusters` (one code per row, codes 0..k-1, every code used,
/// k >= 2) it draws k whole clusters with replacement (the cluster bootstrap, Davison & Hinkley
/// 1997 §3.8), and the BCa jackknife leaves one cluster out at a time. The generic jackknife
/// calls `statistic` once per unit on the other rows: O(n) statistic evaluations (statistics
/// with a cheap leave-one-out, like [`bootstrap_pearson`], bring their own).
///
/// Result: `estimate` = statistic on all rows (0..n), `ci_low`/`ci_high` from
/// [`bootstrap_interval`], extras `std_error` (bootstrap SD, ddof 1, as scipy's
/// `standard_error`), `n_resamples`, `n_degenerate`, `z0`, `acceleration` (NaN for the
/// percentile method), `n_clusters` (NaN without clusters); `statistic`, `p_value`, `df` NaN.
/// Errors: invalid options (`n_resamples` outside `[2, MAX_RESAMPLES]`), n < 2, invalid cluster
/// codes, [`StatsError::Interrupted`] when the calling thread's token is cancelled.
pub fn bootstrap<F>(n: usize, statistic: F, clusters: Option<&[usize]>, opts: &BootstrapOptions) -> StatsResult<TestResult>
where
    F: Fn(&[usize]) -> f64 + Sync,
{
    bootstrap_impl(n, statistic, clusters, None, opts)
}

/// [`bootstrap`] of rows (no clusters) with the jackknife values supplied by the caller:
/// `jackknife(i)` is the statistic without row `i`. For statistics whose leave-one-out values
/// have a closed form, this turns the BCa acceleration from n evaluations of the statistic into
/// n cheap updates (the generic jackknife costs O(n²) and more).
pub fn bootstrap_with_jackknife<F, J>(n: usize, statistic: F, jackknife: J, opts: &BootstrapOptions) -> StatsResult<TestResult>
where
    F: Fn(&[usize]) -> f64 + Sync,
    J: Fn(usize) -> f64 + Sync,
{
    opts.check()?;
    let cp = checkpoint();
    let jack: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| if cp.is_cancelled() { f64::NAN } else { jackknife(i) })
        .collect();
    cp.check()?;
    bootstrap_impl(n, statistic, None, Some(jack), opts)
}

fn bootstrap_impl<F>(
    n: usize,
    statistic: F,
    clusters: Option<&[usize]>,
    jackknife: Option<Vec<f64>>,
    opts: &BootstrapOptions,
) -> StatsResult<TestResult>
where
    F: Fn(&[usize]) -> f64 + Sync,
{
    opts.check()?;
    if n < 2 {
        return Err(StatsError::data("n", format!("needs at least 2 rows, got {n}")));
    }
    let design = Design::new(n, clusters)?;
    let cp = checkpoint();
    let all: Vec<usize> = (0..n).collect();
    let theta_hat = statistic(&all);
    let boot = bootstrap_distribution(&design, &statistic, opts.n_resamples, opts.seed, &cp)?;
    let jack = match (opts.method, jackknife) {
        (BootstrapMethod::Bca, Some(j)) => Some(j),
        (BootstrapMethod::Bca, None) => Some(jackknife_generic(&design, &statistic, &cp)?),
        (BootstrapMethod::Percentile, _) => None,
    };
    let mut res = TestResult::new(
        method_label("statistic", opts.method, design.clusters.is_some()),
        Alternative::TwoSided,
        n as u64,
    );
    res.estimate = theta_hat;
    bootstrap_extras(&mut res, opts.n_resamples, design.clusters.as_ref().map(Clusters::k));
    let iv = bootstrap_interval(theta_hat, &boot, jack.as_deref(), opts.method, opts.confidence);
    fill_bootstrap(&mut res, &iv, opts.n_resamples, opts.method);
    Ok(res)
}

/// Scaled deviations from the mean (the resample sums below stay well conditioned for data
/// around 1e9 with a small spread).
fn centered(x: &[f64]) -> Vec<f64> {
    let m = super::descriptive::mean(x);
    let d: Vec<f64> = x.iter().map(|v| v - m).collect();
    let s = d.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    d.into_iter().map(|v| v / s).collect()
}

/// Pearson's r from the five sums of a (multi)set of m rows; NaN when a column is constant.
fn r_from_sums(m: f64, sx: f64, sy: f64, sxx: f64, syy: f64, sxy: f64) -> f64 {
    let vx = sxx - sx * sx / m;
    let vy = syy - sy * sy / m;
    ((sxy - sx * sy / m) / (vx * vy).sqrt()).clamp(-1.0, 1.0)
}

/// Per unit, whether the rows outside it share a single value (so leaving it out makes the
/// column constant): prefix and suffix minima and maxima over units, O(n).
fn outside_constant(v: &[f64], design: &Design) -> Vec<bool> {
    let units = design.units();
    let mut lo = vec![f64::INFINITY; units];
    let mut hi = vec![f64::NEG_INFINITY; units];
    for u in 0..units {
        let rows: &[usize] = match &design.clusters {
            None => std::slice::from_ref(&u),
            Some(cl) => cl.rows_of(u),
        };
        for &i in rows {
            lo[u] = lo[u].min(v[i]);
            hi[u] = hi[u].max(v[i]);
        }
    }
    let mut pre = vec![(f64::INFINITY, f64::NEG_INFINITY); units + 1];
    for u in 0..units {
        pre[u + 1] = (pre[u].0.min(lo[u]), pre[u].1.max(hi[u]));
    }
    let mut suf = vec![(f64::INFINITY, f64::NEG_INFINITY); units + 1];
    for u in (0..units).rev() {
        suf[u] = (suf[u + 1].0.min(lo[u]), suf[u + 1].1.max(hi[u]));
    }
    (0..units)
        .map(|u| {
            let (l, h) = (pre[u].0.min(suf[u + 1].0), pre[u].1.max(suf[u + 1].1));
            l >= h // no row outside (l = inf, h = -inf) or a single value
        })
        .collect()
}

/// Pearson's r on every resample, drawing exactly the rows [`Design::draw`] would (same
/// streams, same order) but accumulating the five sums on the fly instead of storing indices.
/// A resample is degenerate (NaN) when x or y is constant on it; that is checked exactly, by
/// replaying the stream, only when a centered sum of squares is suspiciously small.
fn pearson_boot_distribution(
    design: &Design,
    xc: &[f64],
    yc: &[f64],
    n_resamples: usize,
    seed: u64,
    cp: &Checkpoint,
) -> StatsResult<Vec<f64>> {
    let base = ChaCha8Rng::seed_from_u64(seed);
    let sums = |rng: &mut ChaCha8Rng| -> [f64; 6] {
        let mut s = [0.0f64; 6];
        match &design.clusters {
            None => {
                let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
                for_each_below(rng, design.n as u64, design.n, |i| {
                    let (a, b) = (xc[i], yc[i]);
                    sx += a;
                    sy += b;
                    sxx += a * a;
                    syy += b * b;
                    sxy += a * b;
                });
                s = [design.n as f64, sx, sy, sxx, syy, sxy];
            }
            Some(cl) => {
                let k = cl.k() as u64;
                for _ in 0..cl.k() {
                    for &i in cl.rows_of(below(rng, k) as usize) {
                        let (a, b) = (xc[i], yc[i]);
                        s[0] += 1.0;
                        s[1] += a;
                        s[2] += b;
                        s[3] += a * a;
                        s[4] += b * b;
                        s[5] += a * b;
                    }
                }
            }
        }
        s
    };
    let boot = (0..n_resamples)
        .into_par_iter()
        .map_init(Vec::new, |buf, i| {
            if cp.is_cancelled() {
                return f64::NAN;
            }
            let mut rng = stream(&base, i as u64);
            let [m, sx, sy, sxx, syy, sxy] = sums(&mut rng);
            let (vx, vy) = (sxx - sx * sx / m, syy - sy * sy / m);
            if vx <= 1e-9 * sxx || vy <= 1e-9 * syy {
                // replay the stream and check constancy exactly
                let mut rng = stream(&base, i as u64);
                design.draw(&mut rng, buf);
                let (x0, y0) = (xc[buf[0]], yc[buf[0]]);
                if buf.iter().all(|&j| xc[j] == x0) || buf.iter().all(|&j| yc[j] == y0) {
                    return f64::NAN;
                }
            }
            r_from_sums(m, sx, sy, sxx, syy, sxy)
        })
        .collect();
    cp.check()?;
    Ok(boot)
}

/// Bootstrap confidence interval of Pearson's r (rows or whole clusters resampled).
///
/// Each resample's r comes from five sums accumulated while its rows are drawn (no
/// per-resample allocation): 9,999 BCa resamples of 1,000 pairs take ~10 ms on two idle cores
/// (~20 ms on one), release build. A resample in which x or
/// y is constant has no correlation: it is left out and counted (extra `n_degenerate`, with a
/// note) — scipy.stats.bootstrap would return a NaN interval. The BCa jackknife (leave one row,
/// or one cluster, out) is computed in O(n) from the totals. Method and extras as
/// [`bootstrap`] / [`bootstrap_interval`]; `estimate` is [`super::correlation::pearson`]'s r.
///
/// Compare with `scipy.stats.bootstrap((x, y), statistic=lambda x, y: pearsonr(x, y).statistic,
/// paired=True, method="BCa")`: same estimator and interval construction, different random
/// streams, so intervals agree within Monte Carlo error (not bit for bit).
///
/// Errors: unequal lengths, fewer than 3 pairs, NaN/inf, invalid options (`n_resamples`
/// outside `[2, MAX_RESAMPLES]`) or cluster codes, [`StatsError::Interrupted`] when cancelled. A
/// constant column gives NaN with a note.
pub fn bootstrap_pearson(
    x: &[f64],
    y: &[f64],
    n_resamples: usize,
    method: BootstrapMethod,
    seed: u64,
    confidence: f64,
    clusters: Option<&[usize]>,
) -> StatsResult<TestResult> {
    let opts = BootstrapOptions { n_resamples, method, seed, confidence };
    opts.check()?;
    check_pair(x, y, 3)?;
    let n = x.len();
    let design = Design::new(n, clusters)?;
    let mut res = TestResult::new(
        method_label("Pearson correlation", method, design.clusters.is_some()),
        Alternative::TwoSided,
        n as u64,
    );
    bootstrap_extras(&mut res, n_resamples, design.clusters.as_ref().map(Clusters::k));
    if is_constant(x) || is_constant(y) {
        res.push_note("a column is constant: the correlation is undefined");
        return Ok(res);
    }
    let theta_hat = pearson_r(x, y);
    res.estimate = theta_hat;
    let (xc, yc) = (centered(x), centered(y));
    let boot = pearson_boot_distribution(&design, &xc, &yc, n_resamples, seed, &checkpoint())?;
    let jack = match method {
        BootstrapMethod::Percentile => None,
        BootstrapMethod::Bca => {
            // leave-one-unit-out sums from the totals
            let units = design.units();
            let mut unit_sums = vec![[0.0f64; 6]; units];
            for (u, s) in unit_sums.iter_mut().enumerate() {
                let rows: &[usize] = match &design.clusters {
                    None => std::slice::from_ref(&u),
                    Some(cl) => cl.rows_of(u),
                };
                for &i in rows {
                    let (a, b) = (xc[i], yc[i]);
                    s[0] += 1.0;
                    s[1] += a;
                    s[2] += b;
                    s[3] += a * a;
                    s[4] += b * b;
                    s[5] += a * b;
                }
            }
            let mut tot = [0.0f64; 6];
            for s in &unit_sums {
                for k in 0..6 {
                    tot[k] += s[k];
                }
            }
            let const_x = outside_constant(x, &design);
            let const_y = outside_constant(y, &design);
            Some(
                (0..units)
                    .map(|u| {
                        if const_x[u] || const_y[u] {
                            return f64::NAN;
                        }
                        let s = &unit_sums[u];
                        r_from_sums(
                            tot[0] - s[0],
                            tot[1] - s[1],
                            tot[2] - s[2],
                            tot[3] - s[3],
                            tot[4] - s[4],
                            tot[5] - s[5],
                        )
                    })
                    .collect::<Vec<f64>>(),
            )
        }
    };
    let iv = bootstrap_interval(theta_hat, &boot, jack.as_deref(), method, confidence);
    fill_bootstrap(&mut res, &iv, n_resamples, method);
    Ok(res)
}

/// Permutation test of Pearson's r: the pairing of y with x is permuted.
///
/// Follows scipy.stats.permutation_test(..., permutation_type="pairings") as used by
/// `scipy.stats.pearsonr(x, y, method=PermutationMethod(n_resamples))` (scipy 1.17):
/// * if n! <= `n_resamples`, all n! pairings are enumerated (exact test) and
///   p = #{r_π as or more extreme}/n!;
/// * otherwise `n_resamples` random pairings (resample i permuted by Fisher–Yates from stream i)
///   and p = (b + 1)/(n_resamples + 1) (Phipson & Smyth 2010), b the number of random pairings
///   as or more extreme — the observed pairing counts as one of the null draws, so p > 0;
/// * "as extreme" uses scipy's relative tolerance: r_π >= r - γ (greater), r_π <= r + γ
///   (less), γ = 100·ε·|r|; two-sided p = 2·min(p_less, p_greater), clipped to 1.
///
/// `estimate` and `statistic` are r; `ci_low`/`ci_high` NaN; extra `n_resamples` (the number
/// of pairings used: n! when exact). Errors: unequal lengths, fewer than 2 pairs, NaN/inf,
/// `n_resamples` = 0 or above [`MAX_RESAMPLES`], [`StatsError::Interrupted`] when cancelled. A
/// constant column gives NaN with a note.
pub fn permutation_pearson(
    x: &[f64],
    y: &[f64],
    n_resamples: usize,
    seed: u64,
    alternative: Alternative,
) -> StatsResult<TestResult> {
    check_resamples(n_resamples, 1)?;
    check_pair(x, y, 2)?;
    let cp = checkpoint();
    let n = x.len();
    let mut res = TestResult::new("Pearson correlation (permutation test)", alternative, n as u64);
    res.extra.push(("n_resamples", f64::NAN));
    if is_constant(x) || is_constant(y) {
        res.push_note("a column is constant: the correlation is undefined");
        return Ok(res);
    }
    // r of the pairing (x_i, y_perm(i)), with the same arithmetic as pearson_r so that the
    // identity pairing reproduces the estimate bit for bit
    let dx = centered(x);
    let dy = centered(y);
    let nf = n as f64;
    let (sx, sy) = (dx.iter().sum::<f64>(), dy.iter().sum::<f64>());
    let sxx = dx.iter().map(|v| v * v).sum::<f64>() - sx * sx / nf;
    let syy = dy.iter().map(|v| v * v).sum::<f64>() - sy * sy / nf;
    let den = (sxx * syy).sqrt();
    let r_of = |perm: &[usize]| -> f64 {
        let mut sxy = 0.0;
        for (i, &p) in perm.iter().enumerate() {
            sxy += dx[i] * dy[p];
        }
        ((sxy - sx * sy / nf) / den).clamp(-1.0, 1.0)
    };
    let identity: Vec<usize> = (0..n).collect();
    let r_obs = r_of(&identity);
    res.estimate = pearson_r(x, y);
    res.statistic = r_obs;
    let gamma = (100.0 * f64::EPSILON * r_obs).abs();
    let n_perm: Option<u128> = (1..=n as u128).try_fold(1u128, |acc, k| acc.checked_mul(k));
    let exact = n_perm.is_some_and(|m| m <= n_resamples as u128);
    let (count_le, count_ge, used, adjustment) = if exact {
        // Heap's algorithm over all n! pairings
        let mut perm = identity.clone();
        let mut c = vec![0usize; n];
        let tally = |r: f64, le: &mut u64, ge: &mut u64| {
            *le += u64::from(r <= r_obs + gamma);
            *ge += u64::from(r >= r_obs - gamma);
        };
        let (mut le, mut ge) = (0u64, 0u64);
        tally(r_of(&perm), &mut le, &mut ge);
        let mut i = 0;
        let mut steps = 0usize;
        while i < n {
            steps += 1;
            if steps % POLL_EVERY == 0 {
                cp.check()?;
            }
            if c[i] < i {
                if i % 2 == 0 {
                    perm.swap(0, i);
                } else {
                    perm.swap(c[i], i);
                }
                tally(r_of(&perm), &mut le, &mut ge);
                c[i] += 1;
                i = 0;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        (le, ge, n_perm.unwrap_or(0) as usize, 0u64)
    } else {
        let base = ChaCha8Rng::seed_from_u64(seed);
        let (le, ge) = (0..n_resamples)
            .into_par_iter()
            .map_init(
                || vec![0usize; n],
                |perm, i| {
                    if cp.is_cancelled() {
                        return (0, 0);
                    }
                    for (k, p) in perm.iter_mut().enumerate() {
                        *p = k;
                    }
                    let mut rng = stream(&base, i as u64);
                    for j in (1..n).rev() {
                        let k = below(&mut rng, j as u64 + 1) as usize;
                        perm.swap(j, k);
                    }
                    let r = r_of(perm);
                    (u64::from(r <= r_obs + gamma), u64::from(r >= r_obs - gamma))
                },
            )
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        cp.check()?;
        (le, ge, n_resamples, 1u64)
    };
    let denom = (used as u64 + adjustment) as f64;
    let p_less = (count_le + adjustment) as f64 / denom;
    let p_greater = (count_ge + adjustment) as f64 / denom;
    res.p_value = clamp_p(match alternative {
        Alternative::TwoSided => 2.0 * p_less.min(p_greater),
        Alternative::Less => p_less,
        Alternative::Greater => p_greater,
    });
    res.method = if exact {
        format!("Pearson correlation (exact permutation test, all {used} pairings)")
    } else {
        format!("Pearson correlation (permutation test, {used} random pairings)")
    };
    res.extra[0].1 = used as f64;
    res.push_note("no confidence interval from a permutation test");
    Ok(res)
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // reference values quoted with all the digits their source gave
mod tests {
    use super::*;
    use Alternative::{Greater, Less, TwoSided};

    fn close(a: f64, b: f64, rtol: f64) -> bool {
        (a - b).abs() <= 1e-12 + rtol * b.abs()
    }

    /// Every field equal bit for bit (NaN included).
    fn same(a: &TestResult, b: &TestResult) -> bool {
        let bits = |r: &TestResult| {
            let mut v = vec![r.estimate, r.statistic, r.df, r.p_value, r.ci_low, r.ci_high];
            v.extend(r.extra.iter().map(|e| e.1));
            v.into_iter().map(f64::to_bits).collect::<Vec<u64>>()
        };
        bits(a) == bits(b) && a.note == b.note && a.method == b.method && a.n == b.n
    }

    fn data(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut s = seed;
        let mut u = move || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let x: Vec<f64> = (0..n).map(|_| u()).collect();
        let y: Vec<f64> = x.iter().map(|v| v + u()).collect();
        (x, y)
    }

    // x = [2, 3.5, 1, 4, 2.5, 8, 3, 2, 5.5, 1.5, 3, 9], statistic = mean (θ̂ = 3.75); 40 bootstrap
    // means (numpy default_rng(3), rounded to 2 decimals, two set equal to θ̂); jackknife =
    // leave-one-out means.
    const BOOT: [f64; 40] = [
        2.75, 4.21, 4.04, 3.75, 3.33, 3.58, 3.33, 3.71, 3.21, 3.25, 3.88, 4.67, 2.88, 3.88, 4.67, 3.38, 4.83, 3.75, 3.62,
        4.71, 4.0, 4.25, 4.21, 2.5, 3.75, 3.71, 3.58, 2.83, 3.29, 4.21, 3.92, 3.83, 3.75, 2.79, 3.29, 4.0, 2.96, 4.79,
        4.21, 2.96,
    ];
    const X12: [f64; 12] = [2.0, 3.5, 1.0, 4.0, 2.5, 8.0, 3.0, 2.0, 5.5, 1.5, 3.0, 9.0];

    #[test]
    fn bca_interval_matches_scipy() {
        let jack: Vec<f64> = (0..12)
            .map(|i| X12.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, v)| v).sum::<f64>() / 11.0)
            .collect();
        // scipy.stats._resampling._bca_interval((x,), mean, alpha=(1-c)/2, theta_hat_b=BOOT) then
        // scipy.stats.quantile(BOOT, [alpha_1, alpha_2]) (scipy 1.17.1): a_hat =
        // 0.051269331560377995; c = 0.95: (2.7846002422527616, 4.81410872608398);
        // c = 0.8: (2.96, 4.687081286940556). Values equal to θ̂ count half in z0.
        let iv = bootstrap_interval(3.75, &BOOT, Some(&jack), BootstrapMethod::Bca, 0.95);
        assert!(close(iv.acceleration, 0.051269331560377995, 1e-12), "{}", iv.acceleration);
        assert!(close(iv.low, 2.7846002422527616, 1e-12) && close(iv.high, 4.81410872608398, 1e-12), "{iv:?}");
        let iv = bootstrap_interval(3.75, &BOOT, Some(&jack), BootstrapMethod::Bca, 0.8);
        assert!(close(iv.low, 2.96, 1e-12) && close(iv.high, 4.687081286940556, 1e-12), "{iv:?}");
        // scipy.stats.quantile(BOOT, [0.025, 0.975]) = (2.7437500000000004, 4.7909999999999995);
        // numpy.std(BOOT, ddof=1) = 0.5997715377007293
        let iv = bootstrap_interval(3.75, &BOOT, None, BootstrapMethod::Percentile, 0.95);
        assert!(close(iv.low, 2.7437500000000004, 1e-12) && close(iv.high, 4.7909999999999995, 1e-12));
        assert!(close(iv.std_error, 0.5997715377007293, 1e-12));
        assert!(iv.z0.is_nan() && iv.n_degenerate == 0);
        // NaN values are left out and counted; equal jackknife values give a = 0
        let mut with_nan = BOOT.to_vec();
        with_nan.push(f64::NAN);
        let iv = bootstrap_interval(3.75, &with_nan, Some(&[1.0, 1.0, 1.0]), BootstrapMethod::Bca, 0.95);
        assert_eq!((iv.n_degenerate, iv.acceleration), (1, 0.0));
    }

    #[test]
    fn same_result_for_any_number_of_threads() {
        let (x, y) = data(300, 7);
        let clusters: Vec<usize> = (0..300).map(|i| i % 37).collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                (
                    bootstrap_pearson(&x, &y, 2000, BootstrapMethod::Bca, 42, 0.95, None).unwrap(),
                    bootstrap_pearson(&x, &y, 2000, BootstrapMethod::Bca, 42, 0.9, Some(&clusters)).unwrap(),
                    permutation_pearson(&x, &y, 3000, 42, TwoSided).unwrap(),
                    bootstrap(300, |idx: &[usize]| idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64, None, &BootstrapOptions { n_resamples: 500, method: BootstrapMethod::Bca, seed: 9, confidence: 0.95 }).unwrap(),
                )
            })
        };
        let (a, b) = (run(1), run(2));
        assert!(same(&a.0, &b.0) && same(&a.1, &b.1) && same(&a.2, &b.2) && same(&a.3, &b.3));
        let c = run(3);
        assert!(same(&a.0, &c.0) && same(&a.1, &c.1) && same(&a.2, &c.2) && same(&a.3, &c.3));
        // and a different seed gives a different interval
        let d = bootstrap_pearson(&x, &y, 2000, BootstrapMethod::Bca, 43, 0.95, None).unwrap();
        assert_ne!(d.ci_low, a.0.ci_low);
    }

    #[test]
    fn generic_engine_and_specialized_pearson_agree() {
        let (x, y) = data(200, 11);
        let xc = centered(&x);
        let yc = centered(&y);
        let stat = |idx: &[usize]| {
            let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for &i in idx {
                let (a, b) = (xc[i], yc[i]);
                sx += a;
                sy += b;
                sxx += a * a;
                syy += b * b;
                sxy += a * b;
            }
            r_from_sums(idx.len() as f64, sx, sy, sxx, syy, sxy)
        };
        let opts = BootstrapOptions { n_resamples: 999, method: BootstrapMethod::Percentile, seed: 5, confidence: 0.95 };
        let g = bootstrap(200, stat, None, &opts).unwrap();
        let s = bootstrap_pearson(&x, &y, 999, BootstrapMethod::Percentile, 5, 0.95, None).unwrap();
        // the same resamples, the same sums: bit-identical bootstrap distributions
        assert_eq!((g.ci_low.to_bits(), g.ci_high.to_bits()), (s.ci_low.to_bits(), s.ci_high.to_bits()));
        assert_eq!(g.get("std_error"), s.get("std_error"));
        // BCa: the O(n) jackknife of the specialized path vs the generic leave-one-out
        let opts = BootstrapOptions { method: BootstrapMethod::Bca, ..opts };
        let g = bootstrap(200, stat, None, &opts).unwrap();
        let s = bootstrap_pearson(&x, &y, 999, BootstrapMethod::Bca, 5, 0.95, None).unwrap();
        assert!(close(g.get("acceleration").unwrap(), s.get("acceleration").unwrap(), 1e-9));
        assert!(close(g.ci_low, s.ci_low, 1e-12) && close(g.ci_high, s.ci_high, 1e-12));
        // singleton clusters 0..n in row order draw exactly the row bootstrap
        let ids: Vec<usize> = (0..200).collect();
        let c = bootstrap_pearson(&x, &y, 999, BootstrapMethod::Bca, 5, 0.95, Some(&ids)).unwrap();
        assert!(close(c.ci_low, s.ci_low, 1e-12) && close(c.ci_high, s.ci_high, 1e-12));
        assert_eq!(c.get("n_clusters"), Some(200.0));
    }

    #[test]
    fn cluster_bootstrap_is_wider_for_clustered_data() {
        // 40 clusters of 25 rows sharing a cluster effect in x and y: resampling rows ignores the
        // dependence and understates the uncertainty
        let (u, v) = data(1040, 3);
        let clusters: Vec<usize> = (0..1000).map(|i| i / 25).collect();
        let x: Vec<f64> = (0..1000).map(|i| u[1000 + clusters[i]] * 4.0 + u[i]).collect();
        let y: Vec<f64> = (0..1000).map(|i| v[1000 + clusters[i]] * 4.0 + v[i] - u[i]).collect();
        let rows = bootstrap_pearson(&x, &y, 2000, BootstrapMethod::Percentile, 1, 0.95, None).unwrap();
        let cl = bootstrap_pearson(&x, &y, 2000, BootstrapMethod::Percentile, 1, 0.95, Some(&clusters)).unwrap();
        assert!(cl.get("std_error").unwrap() > 2.0 * rows.get("std_error").unwrap());
        assert!(cl.method.contains("cluster"));
        let bad: Vec<usize> = (0..1000).map(|i| if i < 500 { 0 } else { 2 }).collect();
        assert!(bootstrap_pearson(&x, &y, 100, BootstrapMethod::Bca, 1, 0.95, Some(&bad)).is_err());
        assert!(bootstrap_pearson(&x, &y, 100, BootstrapMethod::Bca, 1, 0.95, Some(&bad[..10])).is_err());
    }

    #[test]
    fn degenerate_resamples_are_counted() {
        let x = [1.0, 1.0, 1.0, 1.0, 2.0, 1.0];
        let y = [0.3, 0.1, 0.7, 0.2, 0.9, 0.4];
        // a resample without the row x = 2 has constant x: about (5/6)^6 = 33% of them
        let r = bootstrap_pearson(&x, &y, 3000, BootstrapMethod::Percentile, 1, 0.95, None).unwrap();
        let k = r.get("n_degenerate").unwrap();
        assert!((800.0..1200.0).contains(&k), "{k}");
        assert!(r.ci_low.is_finite() && r.note.as_deref().unwrap().contains("left out"));
        // BCa needs the jackknife, and leaving out x = 2 makes x constant: undefined, with a note
        let r = bootstrap_pearson(&x, &y, 3000, BootstrapMethod::Bca, 1, 0.95, None).unwrap();
        assert!(r.ci_low.is_nan() && r.note.as_deref().unwrap().contains("BCa interval undefined"));
        let r = bootstrap_pearson(&[1., 1., 1.], &[1., 2., 3.], 100, BootstrapMethod::Bca, 1, 0.95, None).unwrap();
        assert!(r.estimate.is_nan() && r.get("n_resamples") == Some(100.0));
        assert!(bootstrap_pearson(&x, &y, 1, BootstrapMethod::Bca, 1, 0.95, None).is_err());
        assert!(bootstrap_pearson(&x[..2], &y[..2], 100, BootstrapMethod::Bca, 1, 0.95, None).is_err());
    }

    #[test]
    fn exact_permutation_matches_scipy() {
        // scipy.stats.pearsonr(x, y, alternative=alt, method=PermutationMethod(n_resamples=9999))
        // with x = [1..5], y = [2, 1, 4, 3, 5.5]: 5! = 120 <= 9999, so all pairings (scipy
        // 1.17.1): r = 0.8148217143826667, p two-sided 0.1, less 0.9583333333333334, greater 0.05
        let x = [1., 2., 3., 4., 5.];
        let y = [2., 1., 4., 3., 5.5];
        for (alt, p) in [(TwoSided, 0.1), (Less, 0.9583333333333334), (Greater, 0.05)] {
            let r = permutation_pearson(&x, &y, 9999, 0, alt).unwrap();
            assert!(close(r.estimate, 0.8148217143826667, 1e-14) && close(r.p_value, p, 1e-14), "{alt}");
            assert_eq!(r.get("n_resamples"), Some(120.0));
            assert!(r.method.contains("exact"));
        }
        // n = 6, x = [1..6], y = [1, 2, 3, 4, 6, 5]: scipy p = 0.016666666666666666 (12/720)
        let r = permutation_pearson(&[1., 2., 3., 4., 5., 6.], &[1., 2., 3., 4., 6., 5.], 9999, 0, TwoSided).unwrap();
        assert!(close(r.p_value, 12.0 / 720.0, 1e-14));
    }

    #[test]
    fn random_permutation_p_is_never_zero() {
        let (x, y) = data(50, 1);
        let r = permutation_pearson(&x, &y, 999, 3, Greater).unwrap();
        // (0 + 1)/(999 + 1): the observed pairing counts as one null draw
        assert_eq!(r.p_value, 0.001);
        let r = permutation_pearson(&x, &y, 999, 3, TwoSided).unwrap();
        assert_eq!(r.p_value, 0.002);
        // unrelated data: p is a multiple of 1/(B+1) and not extreme
        let (u, _) = data(50, 2);
        let r = permutation_pearson(&x, &u, 999, 3, TwoSided).unwrap();
        assert!(r.p_value > 0.01 && ((r.p_value * 1000.0).round() - r.p_value * 1000.0).abs() < 1e-9);
        assert!(permutation_pearson(&x, &y, 0, 3, TwoSided).is_err());
    }

    #[test]
    fn bootstrap_speed() {
        // 9,999 BCa resamples of 1,000 pairs: ~10 ms on 2 idle cores in release; the bound here
        // only guards against a regression by an order of magnitude on a loaded machine
        let (x, y) = data(1000, 1);
        let t = std::time::Instant::now();
        let r = bootstrap_pearson(&x, &y, 9999, BootstrapMethod::Bca, 1, 0.95, None).unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert!(r.ci_low < r.estimate && r.estimate < r.ci_high);
        assert!(secs < 2.0, "{secs}");
    }

    #[test]
    fn sizes_are_bounded_before_anything_is_allocated() {
        let (x, y) = data(20, 1);
        let too_many = MAX_RESAMPLES + 1;
        let e = bootstrap_pearson(&x, &y, too_many, BootstrapMethod::Bca, 0, 0.95, None).unwrap_err();
        assert!(matches!(e, StatsError::InvalidArgument { argument: "n_resamples", .. }), "{e}");
        assert!(e.to_string().contains("at most 10000000"), "{e}");
        assert!(bootstrap_pearson(&x, &y, usize::MAX, BootstrapMethod::Percentile, 0, 0.95, None).is_err());
        let e = permutation_pearson(&x, &y, usize::MAX, 0, TwoSided).unwrap_err();
        assert!(matches!(e, StatsError::InvalidArgument { argument: "n_resamples", .. }), "{e}");
        let opts = BootstrapOptions { n_resamples: too_many, ..Default::default() };
        assert!(bootstrap(20, |_: &[usize]| 0.0, None, &opts).is_err());
        assert!(bootstrap_with_jackknife(20, |_: &[usize]| 0.0, |_| 0.0, &opts).is_err());
        // the bound itself is accepted by the check
        assert!(BootstrapOptions { n_resamples: MAX_RESAMPLES, ..Default::default() }.check().is_ok());
        // a cluster code beyond the number of rows is refused before k counters are allocated
        let mut codes: Vec<usize> = (0..20).map(|i| i % 4).collect();
        codes[3] = usize::MAX - 1;
        let e = bootstrap_pearson(&x, &y, 100, BootstrapMethod::Bca, 0, 0.95, Some(&codes)).unwrap_err();
        assert!(matches!(e, StatsError::InvalidData { argument: "clusters", .. }), "{e}");
    }

    #[test]
    fn a_cancelled_token_interrupts_and_an_active_one_changes_nothing() {
        use crate::interrupt::CancelToken;
        let (x, y) = data(200, 4);
        let clusters: Vec<usize> = (0..200).map(|i| i % 13).collect();
        let stat = |idx: &[usize]| idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64;
        let opts = BootstrapOptions { n_resamples: 500, method: BootstrapMethod::Bca, seed: 2, confidence: 0.95 };
        let run = || {
            (
                bootstrap_pearson(&x, &y, 1000, BootstrapMethod::Bca, 3, 0.95, None),
                bootstrap_pearson(&x, &y, 1000, BootstrapMethod::Percentile, 3, 0.95, Some(&clusters)),
                permutation_pearson(&x, &y, 1000, 3, TwoSided),
                permutation_pearson(&x[..8], &y[..8], 50_000, 3, TwoSided), // exact: 8! = 40320
                bootstrap(200, stat, Some(&clusters), &opts),
                bootstrap_with_jackknife(200, stat, |i| x[i], &opts),
            )
        };
        let plain = run();
        let live = CancelToken::new().run(run);
        let ok = |r: &StatsResult<TestResult>| r.clone().unwrap();
        assert!(same(&ok(&plain.0), &ok(&live.0)) && same(&ok(&plain.1), &ok(&live.1)));
        assert!(same(&ok(&plain.2), &ok(&live.2)) && same(&ok(&plain.3), &ok(&live.3)));
        assert!(same(&ok(&plain.4), &ok(&live.4)) && same(&ok(&plain.5), &ok(&live.5)));
        let cancelled = CancelToken::new();
        cancelled.cancel();
        let r = cancelled.run(run);
        for e in [r.0, r.1, r.2, r.3, r.4, r.5] {
            assert_eq!(e.unwrap_err(), StatsError::Interrupted);
        }
    }

    #[test]
    fn cancelling_from_another_thread_stops_a_long_run_quickly() {
        use crate::interrupt::CancelToken;
        let (x, y) = data(2000, 5);
        let token = CancelToken::new();
        let t0 = std::time::Instant::now();
        let r = std::thread::scope(|s| {
            let worker = s.spawn(|| token.run(|| permutation_pearson(&x, &y, MAX_RESAMPLES, 1, TwoSided)));
            std::thread::sleep(std::time::Duration::from_millis(100));
            token.cancel();
            worker.join().unwrap()
        });
        // 10M permutations of 2,000 pairs take minutes; the cancelled run stops within a second
        assert_eq!(r.unwrap_err(), StatsError::Interrupted);
        assert!(t0.elapsed().as_secs_f64() < 2.0, "{:?}", t0.elapsed());
    }

    #[test]
    fn options_and_method_names() {
        assert_eq!("bca".parse::<BootstrapMethod>().unwrap(), BootstrapMethod::Bca);
        assert_eq!("percentile".parse::<BootstrapMethod>().unwrap(), BootstrapMethod::Percentile);
        assert!("basic".parse::<BootstrapMethod>().is_err());
        assert!(BootstrapOptions { confidence: 1.5, ..Default::default() }.check().is_err());
        assert!(bootstrap(1, |_: &[usize]| 0.0, None, &BootstrapOptions::default()).is_err());
    }
}
