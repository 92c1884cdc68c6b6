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
//!
//! Parts: `rng` (the streams and Lemire's integers), `engine` (the generic bootstrap: rows or
//! clusters, bootstrap and jackknife distributions), `interval` (percentile and BCa),
//! `pearson` (the bootstrap of Pearson's r from running sums), `permutation` (the
//! permutation test of Pearson's r).

mod engine;
mod interval;
mod pearson;
mod permutation;
mod rng;

pub use engine::{bootstrap, bootstrap_with_jackknife};
pub use interval::{bootstrap_interval, BootstrapInterval};
pub use pearson::bootstrap_pearson;
pub use permutation::permutation_pearson;
pub(crate) use rng::{below, stream};

use super::error::{StatsError, StatsResult};
use super::names;
use super::result::check_confidence;
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

/// Bootstrap confidence interval method; its names (`"bca"`, `"percentile"`) are derived.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "lowercase")]
pub enum BootstrapMethod {
    /// Bias-corrected and accelerated (Efron & Tibshirani 1993, §14.3), scipy's default.
    #[default]
    Bca,
    /// Percentile interval.
    Percentile,
}

impl BootstrapMethod {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for BootstrapMethod {
    type Err = StatsError;
    /// A name, or the alias `"BCa"` (scipy's spelling).
    fn from_str(s: &str) -> StatsResult<Self> {
        let name = if s == "BCa" { "bca" } else { s };
        names::parse(name).map_err(|e| StatsError::argument("method", e))
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

#[cfg(test)]
#[allow(clippy::excessive_precision)] // reference values quoted with all the digits their source gave
mod tests {
    use super::pearson::{centered, r_from_sums};
    use super::*;
    use crate::stats::result::{Alternative, TestResult};
    use crate::stats::testing::close;
    use Alternative::{Greater, Less, TwoSided};

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
    fn a_bca_bootstrap_of_a_thousand_pairs_brackets_its_estimate() {
        // the size benches/kernel.rs times (9,999 BCa resamples of 1,000 pairs)
        let (x, y) = data(1000, 1);
        let r = bootstrap_pearson(&x, &y, 9999, BootstrapMethod::Bca, 1, 0.95, None).unwrap();
        assert!(r.ci_low < r.estimate && r.estimate < r.ci_high);
        assert_eq!((r.get("n_resamples"), r.get("n_degenerate")), (Some(9999.0), Some(0.0)));
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
    fn a_token_cancelled_mid_run_stops_the_resamples_that_have_not_started() {
        use crate::interrupt::CancelToken;
        use std::sync::atomic::{AtomicUsize, Ordering};
        // the statistic (or the jackknife) cancels the token at its 100th call; every resample
        // polls the checkpoint before calling it, so of a million resamples only those already
        // under way on the other threads still call it
        let (x, _) = data(50, 6);
        let run = |bca: bool| {
            let token = CancelToken::new();
            let calls = AtomicUsize::new(0);
            let count = || {
                if calls.fetch_add(1, Ordering::Relaxed) + 1 == 100 {
                    token.cancel();
                }
            };
            let stat = |idx: &[usize]| {
                count();
                idx.iter().map(|&i| x[i]).sum::<f64>()
            };
            let jack = |i: usize| {
                count();
                x[i % 50]
            };
            let opts = BootstrapOptions { n_resamples: 1_000_000, method: BootstrapMethod::Percentile, seed: 1, confidence: 0.95 };
            let r = if bca {
                let jack_opts = BootstrapOptions { method: BootstrapMethod::Bca, ..opts };
                token.run(|| bootstrap_with_jackknife(1_000_000, |_: &[usize]| 0.0, jack, &jack_opts))
            } else {
                token.run(|| bootstrap(50, stat, None, &opts))
            };
            (r, calls.load(Ordering::Relaxed))
        };
        for bca in [false, true] {
            let (r, calls) = run(bca);
            assert_eq!(r.unwrap_err(), StatsError::Interrupted);
            assert!((100..1100).contains(&calls), "{calls} calls");
        }
        // a cancel from another thread reaches a permutation test running under the token (10M
        // pairings of 2,000 pairs would take minutes): the result says so, whenever it lands
        let (x, y) = data(2000, 5);
        let token = CancelToken::new();
        let r = std::thread::scope(|s| {
            let worker = s.spawn(|| token.run(|| permutation_pearson(&x, &y, MAX_RESAMPLES, 1, TwoSided)));
            token.cancel();
            worker.join().unwrap()
        });
        assert_eq!(r.unwrap_err(), StatsError::Interrupted);
    }

    #[test]
    fn options_and_method_names() {
        assert_eq!("bca".parse::<BootstrapMethod>().unwrap(), BootstrapMethod::Bca);
        assert_eq!("percentile".parse::<BootstrapMethod>().unwrap(), BootstrapMethod::Percentile);
        assert_eq!("BCa".parse::<BootstrapMethod>().unwrap(), BootstrapMethod::Bca);
        assert_eq!(
            "basic".parse::<BootstrapMethod>().unwrap_err(),
            StatsError::argument("method", "expected 'bca' or 'percentile', got 'basic'")
        );
        assert_eq!((BootstrapMethod::Bca.to_string(), BootstrapMethod::Percentile.as_str()), ("bca".to_string(), "percentile"));
        assert!(BootstrapOptions { confidence: 1.5, ..Default::default() }.check().is_err());
        assert!(bootstrap(1, |_: &[usize]| 0.0, None, &BootstrapOptions::default()).is_err());
    }
}
