"""Differential tests: miroir.stats two-sample tests against scipy 1.17.

Functions: ``welch_t``, ``student_t``, ``hedges_g``, ``mann_whitney``. Each test loops over 1000+
generated cases (numpy ``default_rng`` with a fixed seed): groups of 1..5, moderate and large
sizes (up to 100,000 vs 50,000), Likert ties, rounded-normal ties, an outlier, values at 1e9
with a spread of 1e-3, constant groups, huge separations (p far below 1e-30), all alternatives.

Contract: one-row polars DataFrame ``estimate, statistic, df, p_value, ci_low, ci_high, n,
method, alternative, <extras>, note``; ``estimate`` = mean(a) - mean(b) for the t tests.

How references are formed, and where we deliberately differ:
- Data at 1e9: the reference is scipy on the data minus 1e9 (an exact shift; the tests are
  shift-invariant). scipy on the unshifted data loses ~1e-7 absolute in each mean (5.6e-5
  relative in a difference of 1e-3); miroir means are taken around a[0] and keep full precision.
- Both groups constant: t, p and the interval are NaN with a note; scipy gives ±inf and p = 0
  (different constants) or NaN.
- ``welch_t`` needs 2 observations per group (error); scipy returns NaN. ``student_t`` accepts a
  group of 1, as scipy.
- ``hedges_g``: scipy has no Hedges' g. Reference computed here: pooled SD, exact
  J = Γ(df/2)/(√(df/2)·Γ((df-1)/2)), g = J·d, interval g ± z·√((n1+n2)/(n1·n2) + g²/(2(n1+n2)))
  (Hedges & Olkin 1985 large-sample variance). Needs n1 + n2 >= 4 (error otherwise).
- ``mann_whitney``: ``method="auto"`` is scipy 1.17's rule (exact when min(n1, n2) <= 8 and no
  ties). ``estimate`` is the Hodges-Lehmann shift, median of all a_i - b_j (numpy.median of
  the outer difference here); ``rank_biserial`` = 2·U1/(n1·n2) - 1. Forced ``exact`` with ties
  follows scipy (U truncated to an integer) and adds a note.
- An underflowed p-value is 2.2e-308 with a note (scipy: 0 or a subnormal).
"""

from __future__ import annotations

from functools import partial
import math

import numpy as np
import pytest
from scipy import special, stats

import miroir.stats as ms
from _support import close
from _support import row as _row, is_nan as _nan

RTOL = 1e-10
ATOL = 1e-12
SEED = 20240608
N_CASES = 1000
OFFSET = 1e9
ALTERNATIVES = ["two-sided", "less", "greater"]
KINDS = ["normal", "likert", "ties", "outlier", "offset", "offset_likert"]
TINY = np.finfo(float).tiny

pytestmark = pytest.mark.filterwarnings("ignore")


_close = partial(close, rtol=RTOL, atol=ATOL)

def _p_close(ours, ref, rtol=RTOL) -> bool:
    if _nan(ours) or _nan(ref):
        return _nan(ours) and _nan(ref)
    if ref < TINY:
        return ours == TINY or ours == ref == 0.0
    return abs(ours - ref) <= rtol * ref


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
    """(a, b, shift, alternative, confidence, index)."""
    rng = np.random.default_rng(seed)

    def size():
        u = rng.random()
        return int(rng.integers(1, 6)) if u < 0.3 else int(rng.integers(6, 60)) if u < 0.9 else int(rng.choice([200, 2000]))

    for i in range(count):
        n1, n2 = size(), size()
        if i % 250 == 0:
            n1, n2 = 100_000, 50_000
        kind = KINDS[i % len(KINDS)]
        shift = OFFSET if kind.startswith("offset") else 0.0
        a = _sample(rng, n1, kind)
        scale = float(np.std(a - shift)) or 1.0
        b = _sample(rng, n2, kind) + float(rng.choice([0.0, 0.3, 1.0])) * scale
        if i % 53 == 11:  # far apart: extreme p-values
            b = b + 40 * scale
        if i % 50 == 7:  # both groups constant
            a, b = np.full(n1, a[0]), np.full(n2, a[0] + 1.0)
        yield a, b, shift, ALTERNATIVES[i % 3], [0.95, 0.9, 0.99][(i // 3) % 3], i


def _both_constant(a, b):
    return bool(np.all(a == a[0]) and np.all(b == b[0]))


@pytest.mark.parametrize("name", ["welch_t", "student_t"])
def test_t_tests_match_scipy(name):
    f = getattr(ms, name)
    equal_var = name == "student_t"
    checked = 0
    for a, b, shift, alt, conf, i in _cases(SEED + equal_var):
        n1, n2 = len(a), len(b)
        if (not equal_var and min(n1, n2) < 2) or (equal_var and n1 + n2 < 3):
            with pytest.raises(Exception):
                f(a, b, alternative=alt, confidence=conf)
            continue
        r = _row(f(a, b, alternative=alt, confidence=conf))
        A, B = a - shift, b - shift
        assert r["n"] == n1 + n2 and r["n1"] == n1 and r["n2"] == n2
        if _both_constant(A, B):
            assert _nan(r["statistic"]) and _nan(r["p_value"]) and "zero variance" in r["note"], i
            assert _close(r["estimate"], A.mean() - B.mean())
            continue
        ref = stats.ttest_ind(A, B, equal_var=equal_var, alternative=alt)
        ci = ref.confidence_interval(conf)
        se = float(ref._standard_error)
        assert _close(r["estimate"], ref._estimate, atol=1e-12 * se), (i, r["estimate"], ref._estimate)
        assert _close(r["statistic"], ref.statistic), (i, r["statistic"], ref.statistic)
        assert _close(r["df"], ref.df), i
        assert _close(r["se"], se), i
        assert _p_close(r["p_value"], ref.pvalue), (i, alt, r["p_value"], ref.pvalue)
        assert _close(r["ci_low"], ci.low, atol=1e-12 * se) and _close(r["ci_high"], ci.high, atol=1e-12 * se), (i, r, ci)
        assert _close(r["mean_a"], a.mean(), rtol=1e-12) and _close(r["mean_b"], b.mean(), rtol=1e-12)
        checked += 1
    assert checked > 800


def test_t_test_precision_at_large_offsets():
    a = OFFSET + np.array([0.001, 0.002, 0.0015, 0.0012])
    b = OFFSET + np.array([0.0001, 0.0003, 0.0002, 0.0004, 0.00025])
    r = _row(ms.welch_t(a, b))
    ref = stats.ttest_ind(a - OFFSET, b - OFFSET, equal_var=False)
    assert _close(r["estimate"], ref._estimate) and _close(r["p_value"], ref.pvalue)
    # scipy on the unshifted data: the difference of two means each rounded to ~1e-7
    naive = stats.ttest_ind(a, b, equal_var=False)
    assert abs(naive._estimate / ref._estimate - 1) > 1e-6


def test_hedges_g_formula():
    for a, b, shift, alt, conf, i in _cases(SEED + 2):
        n1, n2 = len(a), len(b)
        if n1 + n2 < 4:
            with pytest.raises(Exception):
                ms.hedges_g(a, b, confidence=conf)
            continue
        r = _row(ms.hedges_g(a, b, confidence=conf))
        A, B = a - shift, b - shift
        if _both_constant(A, B):
            assert _nan(r["estimate"]) and "undefined" in r["note"], i
            continue
        df = n1 + n2 - 2
        sp = math.sqrt((((A - A.mean()) ** 2).sum() + ((B - B.mean()) ** 2).sum()) / df)
        d = (A.mean() - B.mean()) / sp
        j = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
        g = j * d
        se = math.sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2)))
        h = special.ndtri(0.5 + conf / 2)
        # gammaln differences lose ~1e-16·lnΓ(df/2) for large df: J at 1e-10
        assert _close(r["j"], j, rtol=1e-10), (i, r["j"], j)
        assert _close(r["cohen_d"], d, rtol=1e-9), (i, r["cohen_d"], d)
        assert _close(r["estimate"], g, rtol=1e-9), (i, r["estimate"], g)
        assert _close(r["ci_low"], g - h * se, rtol=1e-9) and _close(r["ci_high"], g + h * se, rtol=1e-9), i
        assert _nan(r["p_value"]) and _nan(r["statistic"])
        assert abs(r["j"] - (1 - 3 / (4 * df - 1))) < 0.02


def test_mann_whitney_matches_scipy():
    rng = np.random.default_rng(SEED + 3)
    for a, b, shift, alt, conf, i in _cases(SEED + 3):
        n1, n2 = len(a), len(b)
        small = min(n1, n2) <= 40 and n1 * n2 <= 20_000
        method = str(rng.choice(["auto", "asymptotic", "exact"])) if small else str(rng.choice(["auto", "asymptotic"]))
        cont = bool(i % 4)
        A, B = a - shift, b - shift
        ref = stats.mannwhitneyu(A, B, use_continuity=cont, alternative=alt, method=method)
        r = _row(ms.mann_whitney(a, b, alternative=alt, method=method, use_continuity=cont))
        assert r["statistic"] == ref.statistic, (i, r["statistic"], ref.statistic)
        assert _p_close(r["p_value"], ref.pvalue), (i, method, alt, cont, r["p_value"], ref.pvalue)
        assert _close(r["rank_biserial"], 2 * ref.statistic / (n1 * n2) - 1)
        assert (r["n1"], r["n2"], r["n"]) == (n1, n2, n1 + n2)
        if n1 * n2 <= 4_000_000:
            assert _close(r["estimate"], float(np.median(np.subtract.outer(A, B))), atol=1e-12 * (np.ptp(A) + 1)), i
        is_exact = method == "exact" or (method == "auto" and min(n1, n2) <= 8 and len(np.unique(np.r_[A, B])) == n1 + n2)
        assert ("exact" in r["method"]) == is_exact, (i, method, r["method"])


def test_mann_whitney_extremes():
    # separated groups of 200: scipy 4.830856390397399e-67; of 2000: far below the doubles
    a, b = np.arange(200.0), np.arange(200.0) + 1000
    assert _close(_row(ms.mann_whitney(a, b))["p_value"], stats.mannwhitneyu(a, b).pvalue)
    a, b = np.arange(20000.0), np.arange(20000.0) + 1e6
    r = _row(ms.mann_whitney(a, b))
    assert r["p_value"] == TINY and "2.2e-308" in r["note"] and stats.mannwhitneyu(a, b).pvalue == 0.0
    assert r["rank_biserial"] == -1.0 and r["estimate"] == -1e6
    # exact with ties: scipy's behaviour (U truncated), with a note
    a, b = np.array([1.0, 2.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0, 5.0, 5.0])
    r = _row(ms.mann_whitney(a, b, method="exact"))
    assert _close(r["p_value"], stats.mannwhitneyu(a, b, method="exact").pvalue) and "ties" in r["note"]
    with pytest.raises(Exception):
        ms.mann_whitney([], [1.0, 2.0])
    with pytest.raises(Exception):
        ms.mann_whitney([1.0, np.nan], [1.0, 2.0])
