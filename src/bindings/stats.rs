//! `miroir.stats`: each function converts its arguments, calls the kernel, and returns a tidy
//! DataFrame. Nothing statistical happens here.
//!
//! Also home of two helpers every binding module uses: [`arg`] (integer arguments checked, with
//! an `InvalidArgumentError` naming the argument, instead of pyo3's `OverflowError`) and
//! [`interruptible`] (a long call that Ctrl-C stops within a fraction of a second).

use super::convert::{f64_vec, group_codes, result_df, MapErr};
use super::frame::{PyDataFrame, PySeries};
use crate::interrupt::CancelToken;
use crate::stats::{self, Alternative};
use crate::tidy::agreement::group_agreement_frame;
use crate::MiroirError;
use polars::prelude::*;
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::PyBool;
use std::str::FromStr;

// ---- integer arguments ------------------------------------------------------------------------

/// A Python integer argument (an `int`, or anything with `__index__` such as a numpy integer)
/// as an i128 in `[lo, hi]`. Anything else — a negative count, 2**70, 2**200, a float, a bool,
/// a string — is an `InvalidArgumentError` naming the argument and the accepted range; pyo3's
/// own conversion would give `OverflowError: can't convert negative int to unsigned`.
pub(super) fn int_arg(obj: &Bound<'_, PyAny>, argument: &str, lo: i128, hi: i128) -> PyResult<i128> {
    let shown = || -> String {
        // str() of an int of more than 4300 digits raises ValueError: say what it is instead
        match obj.str() {
            Ok(s) => {
                let s = s.to_string_lossy().into_owned();
                if s.chars().count() > 60 {
                    format!("{}... ({} characters)", s.chars().take(40).collect::<String>(), s.chars().count())
                } else {
                    s
                }
            }
            Err(_) => "a very large number".to_string(),
        }
    };
    let bad = |detail: String| -> PyErr { MiroirError::InvalidArgument { argument: argument.to_string(), detail }.into() };
    let type_name = || obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    if obj.is_instance_of::<PyBool>() {
        return Err(bad(format!("expected an integer, got {} (bool)", shown())));
    }
    let value = match obj.extract::<i64>() {
        Ok(v) => i128::from(v),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => match obj.extract::<u64>() {
            Ok(v) => i128::from(v),
            // beyond 64 bits: only the sign matters for the range check
            Err(_) => {
                if obj.lt(0i64).unwrap_or(false) {
                    i128::MIN
                } else {
                    i128::MAX
                }
            }
        },
        Err(_) => return Err(bad(format!("expected an integer, got {} ({})", shown(), type_name()))),
    };
    if value < lo || value > hi {
        return Err(bad(format!("must be an integer between {lo} and {hi}, got {}", shown())));
    }
    Ok(value)
}

/// Extractors for `#[pyo3(from_py_with = ...)]`: one per integer argument of the bindings, with
/// its accepted range. The target type stays a plain integer, so the signatures' defaults (and
/// the stubs in `_core.pyi`) are unchanged.
pub(super) mod arg {
    use super::int_arg;
    use crate::stats::proportions::MAX_COUNT;
    use crate::stats::resample::MAX_RESAMPLES;
    use pyo3::prelude::*;

    macro_rules! extractors {
        ($($(#[$doc:meta])* $f:ident($name:literal) -> $t:ty, $lo:expr, $hi:expr;)*) => {$(
            $(#[$doc])*
            pub fn $f(obj: &Bound<'_, PyAny>) -> PyResult<$t> {
                // the bounds fit the target type, so the cast is exact
                Ok(int_arg(obj, $name, ($lo) as i128, ($hi) as i128)? as $t)
            }
        )*};
    }

    /// The synthetic generator's own limit on its counts.
    const SYNTH_MAX: u64 = u32::MAX as u64;

    extractors! {
        /// `seed` of every random procedure: any 64-bit unsigned integer.
        seed("seed") -> u64, 0, u64::MAX;
        /// `n_resamples` of the bootstrap: 2 to `MAX_RESAMPLES` (10 million).
        bootstrap_resamples("n_resamples") -> usize, 2, MAX_RESAMPLES;
        /// `n_resamples` of the permutation test: 1 to `MAX_RESAMPLES`.
        permutation_resamples("n_resamples") -> usize, 1, MAX_RESAMPLES;
        /// `n_resamples` of the analyses: 0 (no bootstrap) to `MAX_RESAMPLES`; 1 to 99 are
        /// refused by the analyses' own check.
        analysis_resamples("n_resamples") -> usize, 0, MAX_RESAMPLES;
        /// Counts of the proportion functions: 0 to 2^53.
        k("k") -> u64, 0, MAX_COUNT;
        n("n") -> u64, 0, MAX_COUNT;
        k1("k1") -> u64, 0, MAX_COUNT;
        n1("n1") -> u64, 0, MAX_COUNT;
        k2("k2") -> u64, 0, MAX_COUNT;
        n2("n2") -> u64, 0, MAX_COUNT;
        /// `min_mentions` of the moments: any non-negative 64-bit integer (0 is refused by the
        /// options' check).
        min_mentions("min_mentions") -> u64, 0, u64::MAX;
        /// Suppression thresholds of the Schema (0 is refused by the Schema's check).
        min_group_size("min_group_size") -> usize, 0, usize::MAX;
        min_text_group_size("min_text_group_size") -> usize, 0, usize::MAX;
        /// Sizes of the synthetic study: at most 2^32 - 1 each (the generator's limit).
        studies("studies") -> usize, 0, SYNTH_MAX;
        employees("employees") -> usize, 0, SYNTH_MAX;
        customers("customers") -> usize, 0, SYNTH_MAX;
    }

    /// `batch_rows` of `load_study`: None (the default) or a non-negative integer (0 is refused
    /// by the loader's check).
    pub fn batch_rows(obj: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        if obj.is_none() {
            return Ok(None);
        }
        Ok(Some(int_arg(obj, "batch_rows", 0, usize::MAX as i128)? as usize))
    }

    pub use crate::stats::tables::MAX_FISHER_TOTAL;

    /// `table` of `fisher_exact`: 2x2 non-negative integer counts, totalling at most
    /// [`MAX_FISHER_TOTAL`].
    pub fn table_2x2(obj: &Bound<'_, PyAny>) -> PyResult<[[u64; 2]; 2]> {
        let bad = |detail: String| -> PyErr {
            crate::MiroirError::InvalidArgument { argument: "table".into(), detail }.into()
        };
        let rows: Vec<Bound<'_, PyAny>> = obj
            .try_iter()
            .and_then(|it| it.collect::<PyResult<Vec<_>>>())
            .map_err(|_| bad("expected a 2x2 table of counts".into()))?;
        let mut out = [[0u64; 2]; 2];
        if rows.len() != 2 {
            return Err(bad(format!("expected a 2x2 table, got {} rows", rows.len())));
        }
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<Bound<'_, PyAny>> = row
                .try_iter()
                .and_then(|it| it.collect::<PyResult<Vec<_>>>())
                .map_err(|_| bad("expected a 2x2 table of counts".into()))?;
            if cells.len() != 2 {
                return Err(bad(format!("expected a 2x2 table, row {i} has {} cells", cells.len())));
            }
            for (j, cell) in cells.iter().enumerate() {
                out[i][j] = int_arg(cell, "table", 0, MAX_FISHER_TOTAL as i128)
                    .map_err(|_| bad(format!("counts must be integers between 0 and {MAX_FISHER_TOTAL}, got {cell} at [{i}][{j}]")))?
                    as u64;
            }
        }
        let total: u64 = out.iter().flatten().sum();
        if total > MAX_FISHER_TOTAL {
            return Err(bad(format!("the counts total {total}, more than {MAX_FISHER_TOTAL} (use chi2_independence)")));
        }
        Ok(out)
    }
}

// ---- interruptible calls ----------------------------------------------------------------------

/// How long the calling thread waits, without the GIL, between two checks for signals.
const SIGNAL_SLICE: std::time::Duration = std::time::Duration::from_millis(50);

/// Runs `f` (pure Rust, no Python object) on a scoped worker thread, with the GIL released,
/// under its own [`CancelToken`]; the calling thread waits in slices of 50 ms and calls
/// `py.check_signals()` between them. When a signal handler raises (Ctrl-C: KeyboardInterrupt),
/// the token is cancelled, the worker — whose resampling loops poll the token once per
/// resample — is joined, and the handler's exception is returned: a bootstrap of 10 million
/// resamples stops within a fraction of a second of SIGINT. The token is per call, so calls on
/// two Python threads never cancel each other (Python runs signal handlers on the main thread
/// only). A panic in `f` is resumed on the calling thread (pyo3 turns it into PanicException);
/// if no thread can be spawned, `f` runs on the calling thread without the GIL, uninterruptible.
pub(super) fn interruptible<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    use std::sync::{Condvar, Mutex, PoisonError};
    let token = CancelToken::new();
    let done = (Mutex::new(false), Condvar::new());
    let slot = Mutex::new(Some(f));
    let take = || slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new().name("miroir-worker".into()).spawn_scoped(s, || {
            // set "done" and wake the caller however the worker ends (a panic included)
            struct Done<'a>(&'a (Mutex<bool>, Condvar));
            impl Drop for Done<'_> {
                fn drop(&mut self) {
                    *self.0 .0.lock().unwrap_or_else(PoisonError::into_inner) = true;
                    self.0 .1.notify_all();
                }
            }
            let _done = Done(&done);
            take().map(|f| token.run(f))
        });
        let worker = match spawned {
            Ok(w) => w,
            Err(_) => return Ok(py.detach(|| take().map(|f| f()))
                .expect("the call runs once: the worker that would have taken it was never spawned")),
        };
        loop {
            let finished = py.detach(|| {
                let guard = done.0.lock().unwrap_or_else(PoisonError::into_inner);
                let (guard, _) = done
                    .1
                    .wait_timeout_while(guard, SIGNAL_SLICE, |d| !*d)
                    .unwrap_or_else(PoisonError::into_inner);
                *guard
            });
            if finished {
                break;
            }
            if let Err(e) = py.check_signals() {
                token.cancel();
                // whatever the worker returns (an interrupted error, or a result that finished
                // meanwhile) is dropped: the signal wins
                let _ = py.detach(|| worker.join());
                return Err(e);
            }
        }
        match py.detach(|| worker.join()) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => unreachable!("the worker always finds the call in its slot"),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Runs `f` like [`interruptible`], for a call that owns its inputs (a load, a generation): on
/// a signal the token is cancelled and the handler's exception returned at once, without
/// waiting for the worker, which stops at its next checkpoint (phases of the generator, slices
/// of a scan) and whose result is dropped. Python answers Ctrl-C within 50 ms even when the
/// work between two checkpoints takes seconds.
pub(super) fn interruptible_owned<T: Send + 'static>(
    py: Python<'_>,
    f: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let token = CancelToken::new();
    let worker_token = token.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("miroir-worker".into()).spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker_token.run(f)));
        let _ = tx.send(out);
    });
    if spawned.is_err() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err("miroir: cannot start a worker thread"));
    }
    let rx = std::sync::Mutex::new(rx); // shared with the detached wait (a Receiver is not Sync)
    loop {
        let received = py.detach(|| match rx.lock() {
            Ok(rx) => rx.recv_timeout(SIGNAL_SLICE),
            Err(_) => Err(std::sync::mpsc::RecvTimeoutError::Disconnected),
        });
        match received {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err("miroir: the worker thread ended without a result"));
            }
        }
        if let Err(e) = py.check_signals() {
            token.cancel();
            return Err(e);
        }
    }
}

/// Parses an option given as text into its kernel enum.
fn opt<T: FromStr<Err = stats::StatsError>>(s: &str) -> PyResult<T> {
    T::from_str(s).py()
}

fn alt(s: &str) -> PyResult<Alternative> {
    opt(s)
}

#[pyfunction]
fn stats_pearson(py: Python<'_>, x: PySeries, y: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (x, y, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?);
    result_df(&py.detach(|| stats::correlation::pearson(&x, &y, a, confidence)).py()?)
}

#[pyfunction]
fn stats_spearman(py: Python<'_>, x: PySeries, y: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (x, y, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?);
    result_df(&py.detach(|| stats::correlation::spearman(&x, &y, a, confidence)).py()?)
}

#[pyfunction]
fn stats_kendall(py: Python<'_>, x: PySeries, y: PySeries, alternative: &str, method: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (x, y, a, m) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?, opt(method)?);
    result_df(&py.detach(|| stats::correlation::kendall(&x, &y, a, m, confidence)).py()?)
}

#[pyfunction]
fn stats_weighted_pearson(
    py: Python<'_>, x: PySeries, y: PySeries, w: PySeries, alternative: &str, confidence: f64,
) -> PyResult<PyDataFrame> {
    let (x, y, w, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, f64_vec(&w, "w")?, alt(alternative)?);
    result_df(&py.detach(|| stats::correlation::weighted_pearson(&x, &y, &w, a, confidence)).py()?)
}

#[pyfunction]
fn stats_welch_t(py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b, alt) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?, alt(alternative)?);
    result_df(&py.detach(|| stats::two_sample::welch_t(&a, &b, alt, confidence)).py()?)
}

#[pyfunction]
fn stats_student_t(py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b, alt) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?, alt(alternative)?);
    result_df(&py.detach(|| stats::two_sample::student_t(&a, &b, alt, confidence)).py()?)
}

#[pyfunction]
fn stats_hedges_g(py: Python<'_>, a: PySeries, b: PySeries, confidence: f64) -> PyResult<PyDataFrame> {
    let (a, b) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?);
    result_df(&py.detach(|| stats::two_sample::hedges_g(&a, &b, confidence)).py()?)
}

#[pyfunction]
fn stats_mann_whitney(
    py: Python<'_>, a: PySeries, b: PySeries, alternative: &str, method: &str, use_continuity: bool,
) -> PyResult<PyDataFrame> {
    let (a, b, alt, m) = (f64_vec(&a, "a")?, f64_vec(&b, "b")?, alt(alternative)?, opt(method)?);
    result_df(&py.detach(|| stats::two_sample::mann_whitney(&a, &b, alt, m, use_continuity)).py()?)
}

#[pyfunction]
#[pyo3(signature = (x, y, n_resamples, method, seed, confidence, clusters=None))]
#[allow(clippy::too_many_arguments)]
fn stats_bootstrap_pearson(
    py: Python<'_>, x: PySeries, y: PySeries,
    #[pyo3(from_py_with = arg::bootstrap_resamples)] n_resamples: usize, method: &str,
    #[pyo3(from_py_with = arg::seed)] seed: u64, confidence: f64, clusters: Option<PySeries>,
) -> PyResult<PyDataFrame> {
    let (x, y, m) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, opt(method)?);
    let clusters = clusters.map(|c| group_codes(&c, "clusters")).transpose()?;
    result_df(
        &interruptible(py, || {
            stats::resample::bootstrap_pearson(&x, &y, n_resamples, m, seed, confidence, clusters.as_deref())
        })?
        .py()?,
    )
}

#[pyfunction]
fn stats_permutation_pearson(
    py: Python<'_>, x: PySeries, y: PySeries,
    #[pyo3(from_py_with = arg::permutation_resamples)] n_resamples: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64, alternative: &str,
) -> PyResult<PyDataFrame> {
    let (x, y, a) = (f64_vec(&x, "x")?, f64_vec(&y, "y")?, alt(alternative)?);
    result_df(&interruptible(py, || stats::resample::permutation_pearson(&x, &y, n_resamples, seed, a))?.py()?)
}

#[pyfunction]
fn stats_proportion_ci(
    #[pyo3(from_py_with = arg::k)] k: u64, #[pyo3(from_py_with = arg::n)] n: u64, method: &str, confidence: f64,
) -> PyResult<PyDataFrame> {
    result_df(&stats::proportions::proportion_ci(k, n, opt(method)?, confidence).py()?)
}

#[pyfunction]
fn stats_binom_test(
    #[pyo3(from_py_with = arg::k)] k: u64, #[pyo3(from_py_with = arg::n)] n: u64, p: f64, alternative: &str,
    confidence: f64,
) -> PyResult<PyDataFrame> {
    result_df(&stats::proportions::binom_test(k, n, p, alt(alternative)?, confidence).py()?)
}

#[pyfunction]
fn stats_two_proportions(
    #[pyo3(from_py_with = arg::k1)] k1: u64, #[pyo3(from_py_with = arg::n1)] n1: u64,
    #[pyo3(from_py_with = arg::k2)] k2: u64, #[pyo3(from_py_with = arg::n2)] n2: u64, alternative: &str,
    confidence: f64,
) -> PyResult<PyDataFrame> {
    result_df(&stats::proportions::two_proportions(k1, n1, k2, n2, alt(alternative)?, confidence).py()?)
}

#[pyfunction]
fn stats_chi2_independence(table: Vec<Vec<f64>>, correction: bool) -> PyResult<PyDataFrame> {
    result_df(&stats::tables::chi2_independence(&table, correction).py()?)
}

#[pyfunction]
fn stats_fisher_exact(
    #[pyo3(from_py_with = arg::table_2x2)] table: [[u64; 2]; 2], alternative: &str, confidence: f64,
) -> PyResult<PyDataFrame> {
    result_df(&stats::tables::fisher_exact(table, alt(alternative)?, confidence).py()?)
}

#[pyfunction]
fn stats_adjust_pvalues(p: PySeries, method: &str) -> PyResult<PySeries> {
    // NaN p-values are kept in place (R's p.adjust with NA), so nulls become NaN here.
    let s = p.0.cast(&DataType::Float64).map_err(MiroirError::from)?;
    let values: Vec<f64> = s.f64().map_err(MiroirError::from)?.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let adjusted = stats::multiple::adjust_pvalues(&values, opt(method)?).py()?;
    Ok(PySeries(Series::new("p_adjusted".into(), adjusted)))
}

fn item_columns(items: &PyDataFrame) -> PyResult<Vec<Vec<f64>>> {
    items
        .0
        .columns()
        .iter()
        .map(|c| f64_vec(&PySeries(c.as_materialized_series().clone()), c.name().as_str()).map(|v| v.into_owned()))
        .collect()
}

#[pyfunction]
fn stats_cronbach_alpha(items: PyDataFrame, confidence: f64) -> PyResult<PyDataFrame> {
    let cols = item_columns(&items)?;
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    result_df(&stats::reliability::cronbach_alpha(&refs, confidence).py()?)
}

#[pyfunction]
fn stats_icc(values: PySeries, groups: PySeries) -> PyResult<PyDataFrame> {
    let (v, g) = (f64_vec(&values, "values")?, group_codes(&groups, "groups")?);
    result_df(&stats::reliability::icc(&v, &g).py()?)
}

#[pyfunction]
fn stats_rwg(values: PySeries, groups: PySeries, scale_points: f64) -> PyResult<PyDataFrame> {
    let (v, g) = (f64_vec(&values, "values")?, group_codes(&groups, "groups")?);
    let rows = stats::reliability::rwg(&v, &g, scale_points).py()?;
    Ok(PyDataFrame(group_agreement_frame(&groups.0, &g, &rows)?))
}

#[pyfunction]
fn stats_rwg_j(items: PyDataFrame, groups: PySeries, scale_points: f64) -> PyResult<PyDataFrame> {
    let cols = item_columns(&items)?;
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let g = group_codes(&groups, "groups")?;
    let rows = stats::reliability::rwg_j(&refs, &g, scale_points).py()?;
    Ok(PyDataFrame(group_agreement_frame(&groups.0, &g, &rows)?))
}

#[pyfunction]
fn stats_meta_correlations(r: PySeries, n: PySeries, method: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (r, n) = (f64_vec(&r, "r")?, f64_vec(&n, "n")?);
    result_df(&stats::meta::meta_correlations(&r, &n, opt(method)?, confidence).py()?)
}

#[pyfunction]
fn stats_meta_random(yi: PySeries, vi: PySeries, method: &str, confidence: f64) -> PyResult<PyDataFrame> {
    let (y, v) = (f64_vec(&yi, "yi")?, f64_vec(&vi, "vi")?);
    result_df(&stats::meta::meta_random(&y, &v, opt(method)?, confidence).py()?)
}

#[pyfunction]
#[pyo3(signature = (y, x, intercept, confidence, cluster=None))]
fn stats_ols(
    py: Python<'_>, y: PySeries, x: PyDataFrame, intercept: bool, confidence: f64, cluster: Option<PySeries>,
) -> PyResult<PyDataFrame> {
    let yv = f64_vec(&y, "y")?;
    let names: Vec<String> = x.0.get_column_names().iter().map(|s| s.to_string()).collect();
    let cols = item_columns(&x)?;
    let cl = cluster.map(|c| group_codes(&c, "cluster")).transpose()?;
    let fit = py
        .detach(|| {
            let design: Vec<(&str, &[f64])> = names.iter().map(String::as_str).zip(cols.iter().map(Vec::as_slice)).collect();
            stats::regression::ols(&yv, &design, intercept, cl.as_deref(), confidence)
        })
        .py()?;
    Ok(PyDataFrame(crate::tidy::ols_frame(&fit)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),*) => {$( m.add_function(wrap_pyfunction!($f, m)?)?; )*};
    }
    add!(
        stats_pearson, stats_spearman, stats_kendall, stats_weighted_pearson, stats_welch_t,
        stats_student_t, stats_hedges_g, stats_mann_whitney, stats_bootstrap_pearson,
        stats_permutation_pearson, stats_proportion_ci, stats_binom_test, stats_two_proportions,
        stats_chi2_independence, stats_fisher_exact, stats_adjust_pvalues, stats_cronbach_alpha,
        stats_icc, stats_rwg, stats_rwg_j, stats_meta_correlations, stats_meta_random, stats_ols
    );
    Ok(())
}
