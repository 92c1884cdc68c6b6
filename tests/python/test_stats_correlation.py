"""Differential tests: miroir.stats correlations against scipy 1.17 and statsmodels 0.15.

Functions: ``pearson``, ``spearman``, ``kendall``, ``weighted_pearson``. Each test loops over
1000+ generated cases (numpy ``default_rng`` with a fixed seed): n = 3..5, moderate and large n
(up to 100,000), Likert ties, rounded-normal ties, an outlier, values at 1e9 with a spread of
1e-3, constant columns, near-perfect correlation (p ~ 1e-30 and beyond), all alternatives.

Contract: each returns a one-row polars DataFrame with columns ``estimate, statistic, df,
p_value, ci_low, ci_high, n, method, alternative, <extras>, note``.

How references are formed, and where we deliberately differ:
- Data at 1e9 (offset kinds): the reference is scipy on the data minus 1e9, an exact shift;
  correlations are shift-invariant and this is the accurate answer the kernel must give from the
  unshifted data.
- p-values are checked twice: at rtol 1e-10 against scipy's formula evaluated at *our* r
  (Pearson: ``betaincc(n/2-1, n/2-1, (|r|+1)/2)``; Spearman and weighted: Student t), which
  tests the p computation exactly; and against scipy's p-value at rtol 1e-10, widened to
  100·n·eps/(1-|r|) near |r| = 1 where p is ill-conditioned in r (the last bits of r, which
  scipy and we may round differently, move it; r itself is compared at 1e-10). A perfect
  relation gives r = 1 exactly and p = 0 here; scipy's corrcoef may give 0.9999999999999999
  and a p-value set by that rounding.
- A p-value that underflows is reported as 2.2e-308 (smallest normal double) with a note;
  scipy returns 0 or a subnormal. Compared as "both below 1e-300".
- Constant column: NaN estimate with a note (scipy: NaN with a warning).
- Spearman has no interval in scipy: ours is Fisher z with the Bonett-Wright variance
  (1 + rho²/2)/(n-3), recomputed here. Kendall: scipy gives none; ours is Fisher z with
  variance 0.437/(n-4) (Fieller, Hartley & Pearson 1957), recomputed here; (-1, 1) for n <= 4.
- Kendall ``method="exact"`` with ties raises (ValueError in both). A forced exact p-value whose
  recursion would exceed ~2e9 steps raises in miroir (scipy would run for hours); not exercised.
  With n = 2 forced asymptotic scipy returns NaN (0/0 in a variance term whose numerator is 0);
  miroir takes that term as 0. Not exercised below (n >= 3).
- Weighted Pearson has no scipy/statsmodels test: r is checked against statsmodels
  ``DescrStatsW(...).corrcoef``, the p-value against Student t with n_eff - 2 df (Kish
  n_eff = (Σw)²/Σw²) and the interval against Fisher z with se 1/√(n_eff - 3).
"""

from __future__ import annotations

from functools import partial
import math
import warnings

import numpy as np
import pytest
from scipy import special, stats
from statsmodels.stats.weightstats import DescrStatsW

import miroir.stats as ms
from _support import close
from _support import row as _row, is_nan as _nan

RTOL = 1e-10
ATOL = 1e-12
SEED = 20240607
N_CASES = 1000
OFFSET = 1e9
ALTERNATIVES = ["two-sided", "less", "greater"]
KINDS = ["normal", "likert", "ties", "outlier", "offset", "offset_likert"]

pytestmark = pytest.mark.filterwarnings("ignore")


TINY = np.finfo(float).tiny  # 2.2e-308, the floor of an underflowed p-value


_close = partial(close, rtol=RTOL, atol=ATOL)

def _p_close(ours, ref, rtol=RTOL) -> bool:
    """p-values at rtol; a reference below the normal doubles (0 or subnormal) must come back
    as the floor 2.2e-308."""
    if _nan(ours) or _nan(ref):
        return _nan(ours) and _nan(ref)
    if ref < TINY:
        return ours == TINY or ours == ref == 0.0
    return abs(ours - ref) <= rtol * ref


def _p_rtol(r, n) -> float:
    """Tolerance of a p-value against scipy's: 1e-10, widened where p is ill-conditioned in r
    (|r| -> 1, relative error ~ n·eps/(1 - |r|))."""
    gap = 1.0 - abs(r)
    return math.inf if gap <= 0 else max(RTOL, 100 * n * 2.2e-16 / gap)


def _sample(rng, n, kind):
    if kind == "normal":
        return rng.normal(size=n)
    if kind == "likert":
        return rng.integers(1, 6, size=n).astype(float)
    if kind == "ties":
        return np.round(rng.normal(size=n), 1)
    if kind == "outlier":
        v = rng.normal(size=n)
        v[rng.integers(n)] *= 1e3
        return v
    if kind == "offset":
        return OFFSET + rng.normal(scale=1e-3, size=n)
    if kind == "offset_likert":
        return OFFSET + rng.integers(1, 6, size=n).astype(float)
    raise ValueError(kind)


def _cases(seed, count=N_CASES):
    """(x, y, shift, alternative, confidence, index): shift is subtracted for the reference."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        u = rng.random()
        n = int(rng.integers(3, 6)) if u < 0.3 else int(rng.integers(6, 60)) if u < 0.9 else int(rng.choice([200, 2000]))
        if i % 250 == 0:
            n = 100_000
        kind = KINDS[i % len(KINDS)]
        shift = OFFSET if kind.startswith("offset") else 0.0
        x = _sample(rng, n, kind)
        rho = float(rng.choice([0.0, 0.3, -0.7, 0.95]))
        noise = _sample(rng, n, kind) - shift
        y = rho * (x - shift) + math.sqrt(1 - rho**2) * noise
        if kind in ("likert", "offset_likert"):
            y = np.round(y)
        if kind == "ties":
            y = np.round(y, 1)
        y = y + shift
        if i % 50 == 7:  # constant column
            y = np.full(n, y[0])
        if i % 53 == 11:  # near-perfect correlation: extreme p-values
            y = x + rng.normal(scale=1e-3, size=n) * (np.std(x - shift) or 1.0)
        yield x, y, shift, ALTERNATIVES[i % 3], [0.95, 0.9, 0.99][(i // 3) % 3], i


def _fisher(r, se, conf, alt):
    z = math.atanh(r) if abs(r) < 1 else math.copysign(math.inf, r)
    if alt == "two-sided":
        h = special.ndtri(0.5 + conf / 2)
        return math.tanh(z - h * se), math.tanh(z + h * se)
    h = special.ndtri(conf)
    return (-1.0, math.tanh(z + h * se)) if alt == "less" else (math.tanh(z - h * se), 1.0)


def _t_p(t, df, alt):
    if alt == "two-sided":
        return 2 * stats.t.sf(abs(t), df)
    return stats.t.sf(t, df) if alt == "greater" else stats.t.cdf(t, df)


def _constant(x, y):
    return bool(np.all(x == x[0]) or np.all(y == y[0]))


def test_pearson_matches_scipy():
    checked = 0
    for x, y, shift, alt, conf, i in _cases(SEED):
        r = _row(ms.pearson(x, y, alternative=alt, confidence=conf))
        n = len(x)
        assert r["n"] == n and r["alternative"] == alt and r["df"] == n - 2
        if _constant(x, y):
            assert _nan(r["estimate"]) and "constant" in r["note"], i
            continue
        ref = stats.pearsonr(x - shift, y - shift, alternative=alt)
        ci = ref.confidence_interval(conf)
        assert _close(r["estimate"], ref.statistic), (i, r["estimate"], ref.statistic)
        assert _close(r["ci_low"], ci.low) and _close(r["ci_high"], ci.high), (i, r, ci)
        # scipy's formula at our r (exact check of the p computation), and scipy's p-value at
        # the tolerance its conditioning allows
        ab, rr = n / 2 - 1, r["estimate"]
        at_ours = {"two-sided": 2 * special.betaincc(ab, ab, (abs(rr) + 1) / 2),
                   "greater": special.betaincc(ab, ab, (rr + 1) / 2),
                   "less": special.betainc(ab, ab, (rr + 1) / 2)}[alt]
        assert _p_close(r["p_value"], at_ours), (i, r["p_value"], at_ours)
        assert _p_close(r["p_value"], ref.pvalue, _p_rtol(rr, n)), (i, r["p_value"], ref.pvalue)
        if n > 2 and abs(r["estimate"]) < 1:
            rr = r["estimate"]
            t = rr * math.sqrt((n - 2) / ((1 - rr) * (1 + rr)))  # not 1 - r², which cancels near |r| = 1
            assert _close(r["statistic"], t, rtol=1e-12), i
        checked += 1
    assert checked > 900


def test_pearson_extreme_and_tiny():
    # p ~ 1e-30 must not be 0: x = 0..99, y = x + 25 sin x (scipy: 9.813716742857139e-29)
    x = np.arange(100.0)
    r = _row(ms.pearson(x, x + 25 * np.sin(x)))
    assert _close(r["p_value"], stats.pearsonr(x, x + 25 * np.sin(x)).pvalue)
    assert 0 < r["p_value"] < 1e-28
    # underflow: reported as the smallest normal double with a note (scipy: 0.0)
    x = np.arange(2000.0)
    r = _row(ms.pearson(x, x + np.sin(7 * x)))
    assert r["p_value"] == np.finfo(float).tiny and "2.2e-308" in r["note"]
    # n = 2 and 3 as scipy
    r = _row(ms.pearson([1.0, 2.0], [3.0, 1.0]))
    assert r["estimate"] == -1.0 and r["p_value"] == 1.0
    r = _row(ms.pearson([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]))
    assert _close(r["p_value"], 2 / 3) and (r["ci_low"], r["ci_high"]) == (-1.0, 1.0)


@pytest.mark.parametrize(
    "x, y",
    [([1.0, np.nan, 3.0], [1.0, 2.0, 3.0]), ([1.0, 2.0, 3.0], [1.0, 2.0]), ([1.0], [2.0]), ([1.0, np.inf], [1.0, 2.0])],
)
def test_invalid_input_raises(x, y):
    for f in (ms.pearson, ms.spearman, ms.kendall):
        with pytest.raises(Exception):
            f(np.array(x), np.array(y))
    with pytest.raises(Exception):
        ms.pearson([1.0, 2.0, 3.0], [3.0, 1.0, 2.0], confidence=1.5)


def test_spearman_matches_scipy():
    for x, y, shift, alt, conf, i in _cases(SEED + 1):
        r = _row(ms.spearman(x, y, alternative=alt, confidence=conf))
        n = len(x)
        if _constant(x, y):
            assert _nan(r["estimate"]), i
            continue
        ref = stats.spearmanr(x - shift, y - shift, alternative=alt)
        rho = float(ref.statistic)
        assert _close(r["estimate"], rho), (i, r["estimate"], rho)
        rr = r["estimate"]
        if n > 3:  # n = 3 is all-or-nothing: checked through scipy below
            t = rr * math.sqrt((n - 2) / ((1 + rr) * (1 - rr))) if abs(rr) < 1 else math.copysign(math.inf, rr)
            assert _p_close(r["p_value"], _t_p(t, n - 2, alt)), (i, r["p_value"])
        assert _p_close(r["p_value"], ref.pvalue, _p_rtol(rr, n)), (i, r["p_value"], ref.pvalue)
        lo, hi = _fisher(rho, math.sqrt((1 + rho**2 / 2) / (n - 3)), conf, alt) if n > 3 else (-1.0, 1.0)
        assert _close(r["ci_low"], lo, rtol=1e-9) and _close(r["ci_high"], hi, rtol=1e-9), (i, r, lo, hi)


def test_spearman_perfect_monotone_relation():
    """rho is exactly 1 and p = 0 (t = inf). scipy's np.corrcoef may round rho to
    0.9999999999999999 and then reports a p-value set by that rounding (n = 10: 6.6e-64; n = 11:
    rho = 1 and p = 0)."""
    for n in (5, 10, 11):
        x = np.arange(1.0, n + 1)
        r = _row(ms.spearman(x, x**3))
        assert r["estimate"] == 1.0 and r["p_value"] == 0.0 and r["statistic"] == math.inf
        assert stats.spearmanr(x, x**3).pvalue < 1e-20


def test_kendall_matches_scipy():
    rng = np.random.default_rng(SEED + 2)
    for x, y, shift, alt, conf, i in _cases(SEED + 2):
        n = len(x)
        method = str(rng.choice(["auto", "asymptotic", "exact"])) if n <= 60 else str(rng.choice(["auto", "asymptotic"]))
        try:
            ref = stats.kendalltau(x - shift, y - shift, alternative=alt, method=method)
        except ValueError:  # exact with ties
            with pytest.raises(Exception):
                ms.kendall(x, y, alternative=alt, method=method, confidence=conf)
            continue
        r = _row(ms.kendall(x, y, alternative=alt, method=method, confidence=conf))
        if _constant(x, y):
            assert _nan(r["estimate"]), i
            continue
        assert _close(r["estimate"], ref.statistic), (i, r["estimate"], ref.statistic)
        assert _p_close(r["p_value"], ref.pvalue), (i, method, alt, r["p_value"], ref.pvalue)
        lo, hi = _fisher(ref.statistic, math.sqrt(0.437 / (n - 4)), conf, alt) if n > 4 else (-1.0, 1.0)
        assert _close(r["ci_low"], lo, rtol=1e-9) and _close(r["ci_high"], hi, rtol=1e-9), (i, r, lo, hi)
        assert "kendall_s" in r


def test_kendall_auto_rule_and_exact_extremes():
    # scipy's auto: exact without ties when n <= 33 or at most one discordant pair
    x = np.arange(50.0)
    y = x.copy()
    y[[0, 1]] = y[[1, 0]]
    r = _row(ms.kendall(x, y))
    assert "exact" in r["method"] and _close(r["p_value"], stats.kendalltau(x, y).pvalue)
    r = _row(ms.kendall(np.arange(40.0), np.arange(40.0)[::-1] + 3 * np.sin(np.arange(40.0))))
    assert "asymptotic" in r["method"]
    # 2/200! underflows: scipy 0.0, miroir 2.2e-308 with a note
    r = _row(ms.kendall(np.arange(200.0), np.arange(200.0)))
    assert r["p_value"] == np.finfo(float).tiny and stats.kendalltau(np.arange(200.0), np.arange(200.0)).pvalue == 0.0


def test_weighted_pearson_matches_statsmodels():
    rng = np.random.default_rng(SEED + 3)
    for x, y, shift, alt, conf, i in _cases(SEED + 3):
        n = len(x)
        w = np.ones(n) if i % 5 == 0 else rng.uniform(0.2, 3.0, size=n)
        r = _row(ms.weighted_pearson(x, y, w, alternative=alt, confidence=conf))
        neff = w.sum() ** 2 / (w**2).sum()
        assert _close(r["n_eff"], neff), i
        if _constant(x, y):
            assert _nan(r["estimate"]), i
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rw = float(DescrStatsW(np.c_[x - shift, y - shift], weights=w).corrcoef[0, 1])
        assert _close(r["estimate"], rw, rtol=1e-9), (i, r["estimate"], rw)  # statsmodels: cov/(sd·sd)
        rr = r["estimate"]
        if neff > 2 and abs(rr) < 1:
            t = rr * math.sqrt((neff - 2) / ((1 - rr) * (1 + rr)))
            assert _p_close(r["p_value"], _t_p(t, neff - 2, alt)), (i, r["p_value"])
            assert _close(r["statistic"], t, rtol=1e-9)
        elif neff <= 2:
            assert _nan(r["p_value"]) and "effective n" in r["note"]
        lo, hi = _fisher(rr, 1 / math.sqrt(neff - 3), conf, alt) if neff > 3 else (-1.0, 1.0)
        assert _close(r["ci_low"], lo, rtol=1e-9) and _close(r["ci_high"], hi, rtol=1e-9), i
        if i % 5 == 0:  # equal weights: exactly Pearson's test
            ref = stats.pearsonr(x - shift, y - shift, alternative=alt)
            assert _close(rr, ref.statistic)
            assert _p_close(r["p_value"], ref.pvalue, _p_rtol(rr, n)), (i, r["p_value"], ref.pvalue)


def test_weighted_pearson_rejects_bad_weights():
    x, y = np.arange(5.0), np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    with pytest.raises(Exception):
        ms.weighted_pearson(x, y, [1.0, -1.0, 1.0, 1.0, 1.0])
    with pytest.raises(Exception):
        ms.weighted_pearson(x, y, [1.0, 1.0])
    r = _row(ms.weighted_pearson(x, y, [0.0, 1.0, 1.0, 1.0, 1.0]))
    assert r["n"] == 4
