"""Differential tests: miroir.stats resampling (``bootstrap_pearson``, ``permutation_pearson``)
against scipy 1.17.

Random procedures cannot agree bit for bit with scipy: miroir draws resample i from ChaCha8
seeded by (seed, i), scipy from numpy's generator. So:
- Exact permutation tests (n! <= n_resamples, e.g. n <= 7 with 9999) enumerate every pairing in
  both: the p-values must be equal (up to the null mass within 1e-12 of the observed r, where
  rounding may flip a tie; scipy uses the relative tolerance 100·eps·|r| and so do we). 1000+
  cases.
- Random permutation p-values: p = (b + 1)/(B + 1) in both (scipy.stats.permutation_test);
  compared with scipy's within Monte Carlo error (5 standard deviations of the difference).
- Bootstrap intervals (BCa, Efron & Tibshirani 1993 §14.3, as scipy.stats.bootstrap, and
  percentile): CI endpoints within 0.3 bootstrap SE of scipy's and SEs within 8% (the Monte
  Carlo error of an endpoint with 9999 resamples is ~0.04 SE). The BCa formula itself is checked
  exactly (1e-12) against scipy's ``_bca_interval`` in the Rust unit tests of resample.rs.
- Deliberate difference: a resample where x or y is constant has no correlation; miroir leaves
  it out, counts it (``n_degenerate``) and notes it, where scipy returns a NaN interval. When all
  jackknife values are equal the acceleration is 0 (scipy: NaN).
- Determinism: the same seed gives the same result for any RAYON_NUM_THREADS (checked in
  subprocesses with 1 and 2 threads).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import miroir.stats as ms
from _support import is_nan as _nan
from _support import row as _row

SEED = 20240609
ALTERNATIVES = ["two-sided", "less", "greater"]
OFFSET = 1e9

pytestmark = pytest.mark.filterwarnings("ignore")


def _pearson_stat(x):
    return lambda y, axis=-1: stats.pearsonr(x, y, axis=axis).statistic


def test_exact_permutation_matches_scipy():
    rng = np.random.default_rng(SEED)
    checked = 0
    for i in range(1100):
        n = int(rng.integers(3, 8))
        kind = i % 3
        x = rng.normal(size=n) if kind == 0 else rng.integers(1, 6, size=n).astype(float) if kind == 1 else np.round(rng.normal(size=n), 1)
        y = 0.5 * x + rng.normal(size=n) if kind == 0 else rng.integers(1, 6, size=n).astype(float) if kind == 1 else np.round(rng.normal(size=n), 1)
        alt = ALTERNATIVES[i % 3]
        r = _row(ms.permutation_pearson(x, y, n_resamples=9999, seed=i, alternative=alt))
        if np.all(x == x[0]) or np.all(y == y[0]):
            assert _nan(r["estimate"]) and "constant" in r["note"]
            continue
        ref = stats.permutation_test((y,), _pearson_stat(x), permutation_type="pairings", alternative=alt,
                                     vectorized=True, n_resamples=9999)
        near = np.mean(np.abs(ref.null_distribution - ref.statistic) < 1e-12)
        assert abs(r["p_value"] - ref.pvalue) <= 2 * near + 1e-14, (i, n, alt, r["p_value"], ref.pvalue)
        assert abs(r["estimate"] - ref.statistic) <= 1e-12
        assert r["n_resamples"] == math.factorial(n) and "exact" in r["method"]
        checked += 1
    assert checked >= 1000


def test_random_permutation_within_monte_carlo_error():
    rng = np.random.default_rng(SEED + 1)
    B = 9999
    for i in range(60):
        n = int(rng.integers(10, 80))
        x = rng.normal(size=n)
        y = float(rng.choice([0.0, 0.2, 0.4])) * x + rng.normal(size=n)
        alt = ALTERNATIVES[i % 3]
        r = _row(ms.permutation_pearson(x, y, n_resamples=B, seed=i, alternative=alt))
        ref = stats.pearsonr(x, y, alternative=alt, method=stats.PermutationMethod(n_resamples=B, rng=i)).pvalue
        # p = (b + 1)/(B + 1): a multiple of 1/(B + 1) (times 2 for two-sided), never 0
        k = r["p_value"] * (B + 1) / (2 if alt == "two-sided" else 1)
        assert r["p_value"] > 0 and abs(k - round(k)) < 1e-6 or r["p_value"] == 1.0
        q = min(ref, 1 - ref) if alt != "two-sided" else min(ref / 2, 1 - ref / 2)
        sd = (2 if alt == "two-sided" else 1) * math.sqrt(2 * max(q * (1 - q), 1e-3) / B)
        assert abs(r["p_value"] - ref) <= 5 * sd, (i, alt, r["p_value"], ref)


def _kind(rng, n, kind):
    if kind == "normal":
        return rng.normal(size=n)
    if kind == "likert":
        return rng.integers(1, 6, size=n).astype(float)
    if kind == "outlier":
        v = rng.normal(size=n)
        v[0] *= 30
        return v
    return OFFSET + rng.normal(scale=1e-3, size=n)


def test_bootstrap_within_monte_carlo_error_of_scipy():
    rng = np.random.default_rng(SEED + 2)
    for i in range(36):
        n = int(rng.integers(15, 200))
        kind = ["normal", "likert", "outlier", "offset"][i % 4]
        x = _kind(rng, n, kind)
        shift = OFFSET if kind == "offset" else 0.0
        y = 0.5 * (x - shift) + (_kind(rng, n, kind) - shift) + shift
        method = ["bca", "percentile"][i % 2]
        conf = [0.95, 0.9][i % 2 // 1 % 2]
        r = _row(ms.bootstrap_pearson(x, y, n_resamples=9999, method=method, seed=i, confidence=conf))
        ref = stats.bootstrap((x - shift, y - shift), lambda a, b, axis=-1: stats.pearsonr(a, b, axis=axis).statistic,
                              paired=True, vectorized=True, n_resamples=9999, method=method, confidence_level=conf, rng=i)
        se = ref.standard_error
        assert abs(r["estimate"] - stats.pearsonr(x - shift, y - shift).statistic) < 1e-12
        if r["n_degenerate"] > 0:  # scipy: NaN interval (likert resamples can be constant)
            continue
        assert abs(r["std_error"] / se - 1) < 0.08, (i, r["std_error"], se)
        assert abs(r["ci_low"] - ref.confidence_interval.low) < 0.3 * se, (i, method, r, ref.confidence_interval)
        assert abs(r["ci_high"] - ref.confidence_interval.high) < 0.3 * se, (i, method, r, ref.confidence_interval)
        assert r["n_resamples"] == 9999
        assert _nan(r["z0"]) == (method == "percentile")


def test_bootstrap_invariants_over_many_cases():
    rng = np.random.default_rng(SEED + 3)
    for i in range(1000):
        n = int(rng.integers(3, 60))
        kind = ["normal", "likert", "outlier", "offset"][i % 4]
        shift = OFFSET if kind == "offset" else 0.0
        x = _kind(rng, n, kind)
        y = x + (_kind(rng, n, kind) - shift)
        if i % 50 == 7:
            y = np.full(n, 2.0)
        method = ["bca", "percentile"][i % 2]
        r = _row(ms.bootstrap_pearson(x, y, n_resamples=199, method=method, seed=i))
        assert r["n"] == n and r["n_resamples"] == 199
        if np.all(x == x[0]) or np.all(y == y[0]):
            assert _nan(r["estimate"]) and "constant" in r["note"]
            continue
        assert abs(r["estimate"] - stats.pearsonr(x - shift, y - shift).statistic) < 1e-10
        if not (_nan(r["ci_low"]) or _nan(r["ci_high"])):
            assert -1 <= r["ci_low"] <= r["ci_high"] <= 1
        else:
            assert "undefined" in r["note"]
        if r["n_degenerate"] > 0:
            assert "left out" in r["note"]
        if i % 100 == 0:  # same seed, same result; another seed, another interval
            again = _row(ms.bootstrap_pearson(x, y, n_resamples=199, method=method, seed=i))
            assert repr(again) == repr(r)


def test_cluster_bootstrap_against_numpy():
    """A cluster bootstrap written with numpy (resample whole clusters) has the same SE and
    percentile interval within Monte Carlo error; resampling rows understates the SE."""
    rng = np.random.default_rng(SEED + 4)
    k, m = 40, 25
    cl = np.repeat(np.arange(k), m)
    u, v = rng.normal(size=k), rng.normal(size=k)
    x = 3 * u[cl] + rng.normal(size=k * m)
    y = 3 * v[cl] + x * 0.1 + rng.normal(size=k * m)
    labels = np.array([f"unit{c}" for c in cl])
    r = _row(ms.bootstrap_pearson(x, y, n_resamples=4000, method="percentile", seed=1, clusters=labels))
    rows = _row(ms.bootstrap_pearson(x, y, n_resamples=4000, method="percentile", seed=1))
    idx_by = [np.flatnonzero(cl == c) for c in range(k)]
    boot = []
    for _ in range(4000):
        idx = np.concatenate([idx_by[c] for c in rng.integers(0, k, size=k)])
        boot.append(np.corrcoef(x[idx], y[idx])[0, 1])
    boot = np.array(boot)
    se = boot.std(ddof=1)
    assert abs(r["std_error"] / se - 1) < 0.1, (r["std_error"], se)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    assert abs(r["ci_low"] - lo) < 0.3 * se and abs(r["ci_high"] - hi) < 0.3 * se
    assert r["n_clusters"] == k and rows["std_error"] < 0.6 * r["std_error"]
    r = _row(ms.bootstrap_pearson(x, y, n_resamples=999, method="bca", seed=1, clusters=labels))
    assert r["ci_low"] < r["estimate"] < r["ci_high"]


def test_degenerate_resamples_are_counted_not_nan():
    x = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 1.0])
    y = np.array([0.3, 0.1, 0.7, 0.2, 0.9, 0.4])
    r = _row(ms.bootstrap_pearson(x, y, n_resamples=3000, method="percentile", seed=0))
    assert 800 < r["n_degenerate"] < 1200 and "left out" in r["note"] and not _nan(r["ci_low"])
    r = _row(ms.bootstrap_pearson(x, y, n_resamples=3000, method="bca", seed=0))
    assert _nan(r["ci_low"]) and "BCa interval undefined" in r["note"]


_THREAD_SCRIPT = """
import numpy as np, miroir.stats as ms
rng = np.random.default_rng(5)
x = rng.normal(size=500); y = x + rng.normal(size=500); cl = np.arange(500) % 23
out = [ms.bootstrap_pearson(x, y, n_resamples=3000, seed=7),
       ms.bootstrap_pearson(x, y, n_resamples=3000, seed=7, method="percentile", clusters=cl),
       ms.permutation_pearson(x, y, n_resamples=5000, seed=7)]
print([d.row(0) for d in out])
"""


def test_same_result_for_any_number_of_threads():
    outs = []
    for threads in ("1", "2"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        res = subprocess.run([sys.executable, "-c", _THREAD_SCRIPT], env=env, capture_output=True, text=True, check=True)
        outs.append(res.stdout)
    assert outs[0] == outs[1] and outs[0].count("Pearson") == 3


def test_bootstrap_pearson_at_full_size():
    """9,999 BCa resamples of 1,000 pairs (the size ``benchmarks/bench_kernel.py`` times, ~10 ms
    on two cores): the interval brackets r, is the same again for the same seed, and moves with
    the seed only by Monte Carlo error."""
    rng = np.random.default_rng(SEED + 5)
    x = rng.normal(size=1000)
    y = x + rng.normal(size=1000)
    r = _row(ms.bootstrap_pearson(x, y, n_resamples=9999, method="bca", seed=0))
    assert r["ci_low"] < r["estimate"] < r["ci_high"]
    again = _row(ms.bootstrap_pearson(x, y, n_resamples=9999, method="bca", seed=0))
    assert (again["ci_low"], again["ci_high"]) == (r["ci_low"], r["ci_high"])
    other = _row(ms.bootstrap_pearson(x, y, n_resamples=9999, method="bca", seed=1))
    assert abs(other["ci_low"] - r["ci_low"]) < 0.01 and abs(other["ci_high"] - r["ci_high"]) < 0.01


def test_invalid_arguments_raise():
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    for kwargs in ({"n_resamples": 1}, {"method": "basic"}, {"confidence": 1.0}, {"clusters": [0, 1]}):
        with pytest.raises(Exception):
            ms.bootstrap_pearson(x, y, **kwargs)
    with pytest.raises(Exception):
        ms.permutation_pearson(x, y, n_resamples=0)
    with pytest.raises(Exception):
        ms.bootstrap_pearson(x[:2], y[:2])
