//! Wall-clock benchmark of the statistical kernel, from Rust directly (no Python, no polars).
//!
//!     cargo bench --bench kernel              # full sizes: 1M values, 9,999 x 1,000 bootstrap
//!     cargo bench --bench kernel -- --quick   # 100k values, 1,999 x 1,000 bootstrap
//!     cargo bench --bench kernel -- --rounds 3  # time everything 3 times, keep each best
//!     cargo bench --bench kernel -- --bootstrap-loop 50   # only the BCa bootstrap, 50 times
//!                                             # (a steady workload for perf / callgrind)
//!
//! No benchmark framework (criterion would add compile time to every CI run): each figure is
//! the best (minimum) of a few repetitions, measured with `std::time::Instant` and
//! `std::hint::black_box`, which is what matters on a shared 2-core machine where other jobs
//! only ever make a run slower. The Python counterpart, comparing with scipy on the same
//! sizes, is `benchmarks/bench_kernel.py`.

use miroir::stats::correlation::{kendall, pearson, spearman, KendallMethod};
use miroir::stats::descriptive::{rank_average, tie_sizes};
use miroir::stats::resample::{bootstrap_pearson, BootstrapMethod};
use miroir::stats::two_sample::{mann_whitney, welch_t, MwMethod};
use miroir::stats::Alternative;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Best (minimum) wall time of `reps` calls of `f`, after one untimed warm-up call.
fn best<T>(reps: usize, mut f: impl FnMut() -> T) -> Duration {
    black_box(f());
    (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            black_box(f());
            t0.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn normals(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.sample::<f64, _>(StandardNormal)).collect()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(k) = args.iter().position(|a| a == "--bootstrap-loop") {
        let times: usize = args.get(k + 1).and_then(|v| v.parse().ok()).unwrap_or(50);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let x = normals(&mut rng, 1_000);
        let y: Vec<f64> = x.iter().map(|v| 0.3 * v + rng.sample::<f64, _>(StandardNormal)).collect();
        let t0 = Instant::now();
        for _ in 0..times {
            black_box(bootstrap_pearson(&x, &y, 9_999, BootstrapMethod::Bca, 0, 0.95, None).unwrap());
        }
        println!("{times} x bootstrap_pearson(9,999 x 1,000, BCa): {:.2} ms each", t0.elapsed().as_secs_f64() * 1e3 / times as f64);
        return;
    }
    let (n, n_boot, n_resamples, reps) = if quick {
        (100_000, 1_000, 1_999, 3)
    } else {
        (1_000_000, 1_000, 9_999, 5)
    };
    // Same shapes as benchmarks/bench_kernel.py (not the same numbers: numpy's generator there):
    // x ~ N(0, 1), y = 0.3x + N(0, 1); two samples a ~ N(0, 1), b ~ N(0.01, 1).
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let x = normals(&mut rng, n);
    let y: Vec<f64> = x.iter().map(|v| 0.3 * v + rng.sample::<f64, _>(StandardNormal)).collect();
    let a = normals(&mut rng, n);
    let b: Vec<f64> = normals(&mut rng, n).into_iter().map(|v| v + 0.01).collect();
    let (xb, yb) = (&x[..n_boot], &y[..n_boot]);
    let pooled: Vec<f64> = a.iter().chain(&b).copied().collect();
    // many ties in y (the shape of a Likert item): Kendall's tie counts on a large input
    let y_tied: Vec<f64> = x.iter().map(|v| (v * 10.0).floor()).collect();

    let two = Alternative::TwoSided;
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|k| args.get(k + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mw_reps = reps.min(3);
    let nn = format!("{n}");
    let size = format!("{n_resamples} x {n_boot}");
    let boot = |m: BootstrapMethod| bootstrap_pearson(xb, yb, n_resamples, m, 0, 0.95, None).unwrap();
    // the same bootstrap on one thread (a local pool; the result must not change)
    let pool1 = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    // (label, size, repetitions, the timed call)
    type Case<'a> = (&'static str, String, usize, Box<dyn Fn() + 'a>);
    let cases: Vec<Case> = vec![
        ("pearson", nn.clone(), reps, Box::new(|| drop(black_box(pearson(&x, &y, two, 0.95).unwrap())))),
        ("welch_t", nn.clone(), reps, Box::new(|| drop(black_box(welch_t(&a, &b, two, 0.95).unwrap())))),
        (
            "mann_whitney",
            format!("{n} + {n}"),
            mw_reps,
            Box::new(|| drop(black_box(mann_whitney(&a, &b, two, MwMethod::Auto, true).unwrap()))),
        ),
        (
            "  of which rank_average (pooled)",
            format!("{}", 2 * n),
            mw_reps,
            Box::new(|| drop(black_box(rank_average(&pooled)))),
        ),
        (
            "  of which tie_sizes (pooled)",
            format!("{}", 2 * n),
            mw_reps,
            Box::new(|| drop(black_box(tie_sizes(&pooled)))),
        ),
        ("spearman", nn.clone(), mw_reps, Box::new(|| drop(black_box(spearman(&x, &y, two, 0.95).unwrap())))),
        (
            "kendall",
            nn.clone(),
            mw_reps,
            Box::new(|| drop(black_box(kendall(&x, &y, two, KendallMethod::Auto, 0.95).unwrap()))),
        ),
        (
            "kendall (y in tie groups of 10)",
            nn.clone(),
            mw_reps,
            Box::new(|| drop(black_box(kendall(&x, &y_tied, two, KendallMethod::Auto, 0.95).unwrap()))),
        ),
        ("bootstrap_pearson (BCa)", size.clone(), reps, Box::new(|| drop(black_box(boot(BootstrapMethod::Bca))))),
        (
            "bootstrap_pearson (percentile)",
            size.clone(),
            reps,
            Box::new(|| drop(black_box(boot(BootstrapMethod::Percentile)))),
        ),
        (
            "bootstrap_pearson (BCa, 1 thread)",
            size.clone(),
            reps,
            Box::new(|| pool1.install(|| drop(black_box(boot(BootstrapMethod::Bca))))),
        ),
    ];
    // rounds: the whole list is timed `rounds` times, interleaved, keeping each row's best
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut times = vec![Duration::MAX; cases.len()];
    for round in 0..rounds {
        eprintln!("round {} of {rounds} (best of {reps}) ...", round + 1);
        for ((name, size, k, f), t) in cases.iter().zip(times.iter_mut()) {
            *t = (*t).min(best(*k, f));
            eprintln!("  {name:<38} {size:>14} {:>10.2} ms", ms(*t));
        }
    }
    let rows: Vec<(String, String, f64)> =
        cases.iter().zip(&times).map(|((name, size, _, _), t)| (name.to_string(), size.clone(), ms(*t))).collect();
    let one = times[cases.len() - 1];
    let r_all = boot(BootstrapMethod::Bca);
    let r_one = pool1.install(|| boot(BootstrapMethod::Bca));
    assert_eq!(
        (r_all.ci_low.to_bits(), r_all.ci_high.to_bits()),
        (r_one.ci_low.to_bits(), r_one.ci_high.to_bits()),
        "the bootstrap interval depends on the thread count"
    );

    println!();
    println!(
        "miroir kernel (Rust, release), {} rayon threads, {} logical CPUs, {}",
        rayon::current_num_threads(),
        std::thread::available_parallelism().map_or(0, |p| p.get()),
        cpu_model()
    );
    println!("each figure: best of {reps} runs ({mw_reps} for the rank-based tests) x {rounds} round(s)");
    println!();
    println!("| function | n | time (ms) |");
    println!("|---|---:|---:|");
    for (name, size, t) in &rows {
        println!("| {} | {size} | {t:.2} |", name.trim_start().replace("of which", "↳"));
    }
    println!();
    println!(
        "bootstrap BCa interval: [{:.6}, {:.6}] (r = {:.6}), identical on 1 and {} threads; \
         parallel speed-up {:.2}x",
        r_all.ci_low,
        r_all.ci_high,
        r_all.estimate,
        rayon::current_num_threads(),
        ms(one) / rows.iter().find(|r| r.0 == "bootstrap_pearson (BCa)").map_or(f64::NAN, |r| r.2)
    );
}
