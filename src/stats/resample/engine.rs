//! The generic bootstrap engine: what is resampled (rows or clusters), the bootstrap and
//! jackknife distributions of a statistic, and the tidy result built from them.

use super::interval::{bootstrap_interval, BootstrapInterval};
use super::rng::{below, for_each_below, stream};
use super::{BootstrapMethod, BootstrapOptions};
use crate::interrupt::{checkpoint, Checkpoint};
use crate::stats::error::{StatsError, StatsResult};
use crate::stats::result::{Alternative, TestResult};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Rows grouped by cluster code (compressed: rows of cluster c are `rows[starts[c]..starts[c+1]]`).
pub(super) struct Clusters {
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

    pub(super) fn k(&self) -> usize {
        self.starts.len() - 1
    }

    pub(super) fn rows_of(&self, c: usize) -> &[usize] {
        &self.rows[self.starts[c]..self.starts[c + 1]]
    }
}

/// What is resampled: rows, or whole clusters of rows.
pub(super) struct Design {
    pub(super) n: usize,
    pub(super) clusters: Option<Clusters>,
}

impl Design {
    pub(super) fn new(n: usize, clusters: Option<&[usize]>) -> StatsResult<Design> {
        let clusters = clusters.map(|c| Clusters::build(n, c)).transpose()?;
        Ok(Design { n, clusters })
    }

    /// Resampling units: rows or clusters.
    pub(super) fn units(&self) -> usize {
        self.clusters.as_ref().map_or(self.n, Clusters::k)
    }

    /// The row indices of one resample: n rows, or k clusters, drawn with replacement.
    pub(super) fn draw(&self, rng: &mut ChaCha8Rng, buf: &mut Vec<usize>) {
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

/// The extras of a bootstrap result, always in this order (NaN until filled):
/// `std_error`, `n_resamples`, `n_degenerate`, `z0`, `acceleration`, `n_clusters`.
pub(super) fn bootstrap_extras(res: &mut TestResult, n_resamples: usize, n_clusters: Option<usize>) {
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
pub(super) fn fill_bootstrap(res: &mut TestResult, iv: &BootstrapInterval, n_resamples: usize, method: BootstrapMethod) {
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

pub(super) fn method_label(what: &str, method: BootstrapMethod, clustered: bool) -> String {
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
/// with a cheap leave-one-out, like [`super::bootstrap_pearson`], bring their own).
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
