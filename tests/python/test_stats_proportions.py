"""Differential tests: miroir.stats proportions against scipy and statsmodels.

Functions: ``proportion_ci``, ``binom_test``, ``two_proportions``.

Assumed contract: each returns a one-row result (a polars DataFrame with one row, or a mapping)
with columns ``estimate, statistic, df, p_value, ci_low, ci_high, n, method, alternative,
<extras>, note``; NaN may come back as NaN or null.

Deliberate differences, checked explicitly below:
- Clopper-Pearson bounds are exact beta quantiles. ``scipy.stats.beta.ppf/isf`` (statsmodels
  "beta") misses by up to 4e-8 relative for n near 1e7 (e.g. ``beta.isf(0.025, 1000, 9999001)``,
  whose own ``beta.sf`` is 0.02500008, not 0.025); ``binomtest(...).proportion_ci`` solves with
  ``brentq(xtol=2e-12)``. A bound is accepted when it matches the scipy value to rtol 1e-10, or
  when it solves its defining equation ``binom.sf(k-1, n, lo) = a`` / ``binom.cdf(k, n, hi) = a``
  to 1e-9 relative (scipy's binomial tails are accurate); ``binom_test`` bounds are compared with
  ``binomtest(...).proportion_ci`` at atol 5e-12 (brentq's tolerance).
- ``two_proportions``: the z statistic is NaN (with a note) when the pooled proportion is 0 or 1;
  statsmodels returns nan or inf there.
"""

from __future__ import annotations

from functools import partial
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

import miroir
import miroir.stats as ms
from _support import close
from _support import row as _row, is_nan as _nan

RTOL = 1e-10
ATOL = 1e-12
SEED = 20240611


NS = [1, 2, 3, 5, 10, 20, 50, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000]
CONFIDENCES = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]


_close = partial(close, rtol=RTOL, atol=ATOL)

def _cases(rng, count):
    """(k, n) pairs with the edge cases k = 0, k = n, k = 1, k = n - 1, n = 1 and tiny/huge n."""
    out = [(0, 1), (1, 1), (0, 10_000_000), (10_000_000, 10_000_000), (1, 10_000_000), (999, 10_000_000)]
    while len(out) < count:
        n = int(rng.choice(NS))
        u = rng.random()
        if u < 0.15:
            k = int(rng.choice([0, n, min(1, n), max(n - 1, 0)]))
        else:
            p = rng.choice([rng.random(), 1e-4, 0.5, 0.9999])
            k = int(rng.binomial(n, p))
        out.append((k, n))
    return out


def _cp_bound_ok(value, k, n, a, lower, ref) -> bool:
    """Clopper-Pearson bound: equal to scipy's, or solving its defining equation."""
    if _close(value, ref):
        return True
    tail = stats.binom.sf(k - 1, n, value) if lower else stats.binom.cdf(k, n, value)
    return abs(tail - a) <= 1e-9 * a


@pytest.mark.parametrize("method", ["wilson", "clopper_pearson", "agresti_coull", "jeffreys"])
def test_proportion_ci_matches_statsmodels(method):
    rng = np.random.default_rng(SEED)
    sm_method = {"clopper_pearson": "beta"}.get(method, method)
    for k, n in _cases(rng, 1000):
        conf = float(rng.choice(CONFIDENCES))
        r = _row(ms.proportion_ci(k, n, method=method, confidence=conf))
        lo, hi = proportion_confint(k, n, alpha=1 - conf, method=sm_method)
        assert _close(r["estimate"], k / n)
        assert int(r["n"]) == n
        if method == "clopper_pearson":
            a = (1 - conf) / 2
            assert (k == 0 and r["ci_low"] == 0.0) or _cp_bound_ok(r["ci_low"], k, n, a, True, lo), (k, n, conf)
            assert (k == n and r["ci_high"] == 1.0) or _cp_bound_ok(r["ci_high"], k, n, a, False, hi), (k, n, conf)
        else:
            assert _close(r["ci_low"], lo), (method, k, n, conf, r["ci_low"], lo)
            assert _close(r["ci_high"], hi), (method, k, n, conf, r["ci_high"], hi)
        assert _nan(r["p_value"]) and _nan(r["statistic"])


def test_binom_test_matches_scipy():
    rng = np.random.default_rng(SEED + 1)
    cases = _cases(rng, 1500)
    for i, (k, n) in enumerate(cases):
        p = float(rng.choice([0.5, rng.random(), 1e-3, 0.999, k / n, 1e-6, 0.3]))
        alt = ["two-sided", "less", "greater"][i % 3]
        conf = float(rng.choice(CONFIDENCES))
        r = _row(ms.binom_test(k, n, p=p, alternative=alt, confidence=conf))
        ref = stats.binomtest(k, n, p=p, alternative=alt)
        # below 1e-250 scipy's (Boost's) binomial cdf drifts by up to 1e-5 relative: see
        # test_extreme_tail_against_exact_arithmetic
        rtol = RTOL if ref.pvalue > 1e-250 else 1e-4
        assert _close(r["p_value"], ref.pvalue, rtol=rtol, atol=1e-300), (k, n, p, alt, r["p_value"], ref.pvalue)
        assert r["estimate"] == k / n
        assert r["statistic"] == k
        ci = ref.proportion_ci(confidence_level=conf, method="exact")
        # brentq inside scipy stops at xtol = 2e-12
        assert _close(r["ci_low"], ci.low, atol=5e-12), (k, n, alt, conf, r["ci_low"], ci.low)
        assert _close(r["ci_high"], ci.high, atol=5e-12), (k, n, alt, conf, r["ci_high"], ci.high)
        assert r["alternative"] == alt


def test_extreme_tail_against_exact_arithmetic():
    """binomtest(1000, 1000, p=0.5216191880034005): scipy prints 2.9014218885241794e-283, but its
    binom.cdf(17, 1000, p) is 6.4428062e-284 where exact rational arithmetic gives
    6.442845687907709e-284; the exact two-sided p-value (scipy's rule) is checked here."""
    from fractions import Fraction

    p = 0.5216191880034005
    num, den = Fraction(p).as_integer_ratio()  # p = num / den exactly, den a power of 2
    # pmf(i) * den^1000 as exact integers
    w = [math.comb(1000, i) * num**i * (den - num) ** (1000 - i) for i in range(522)]
    top = num**1000
    d = Fraction(top) * Fraction(1 + 1e-7)
    exact = Fraction(top + sum(v for v in w if v <= d), den**1000)
    r = _row(ms.binom_test(1000, 1000, p=p))
    assert _close(r["p_value"], float(exact), rtol=1e-12, atol=0)


def test_binom_test_degenerate_null_and_rule_edges():
    # p = 0 and p = 1: degenerate null distributions, as scipy
    for k, n, p in [(0, 10, 0.0), (3, 10, 0.0), (10, 10, 1.0), (7, 10, 1.0), (5, 10, 0.5), (3, 6, 0.5)]:
        for alt in ["two-sided", "less", "greater"]:
            r = _row(ms.binom_test(k, n, p=p, alternative=alt))
            assert _close(r["p_value"], stats.binomtest(k, n, p, alternative=alt).pvalue), (k, n, p, alt)


def test_binom_test_large_n_is_accurate():
    # n = 10 million (timed by benchmarks/bench_sizes.py)
    for k in [4_990_000, 5_000_000, 5_003_000, 5_010_000]:
        r = _row(ms.binom_test(k, 10_000_000, p=0.5))
        assert _close(r["p_value"], stats.binomtest(k, 10_000_000, 0.5).pvalue)


def test_two_proportions_matches_statsmodels():
    rng = np.random.default_rng(SEED + 2)
    alt_sm = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}
    checked = 0
    for i in range(1200):
        n1, n2 = (int(rng.choice(NS[:11])) for _ in range(2))
        k1 = int(rng.binomial(n1, rng.random())) if rng.random() > 0.1 else int(rng.choice([0, n1]))
        k2 = int(rng.binomial(n2, rng.random())) if rng.random() > 0.1 else int(rng.choice([0, n2]))
        alt = ["two-sided", "greater", "less"][i % 3]
        conf = float(rng.choice([0.9, 0.95, 0.99]))
        r = _row(ms.two_proportions(k1, n1, k2, n2, alternative=alt, confidence=conf))
        assert _close(r["estimate"], k1 / n1 - k2 / n2, atol=1e-15)
        assert int(r["n"]) == n1 + n2
        pooled = (k1 + k2) / (n1 + n2)
        if pooled in (0.0, 1.0):
            assert _nan(r["statistic"]) and _nan(r["p_value"]) and r["note"]
        else:
            with np.errstate(all="ignore"):
                z, pv = proportions_ztest([k1, k2], [n1, n2], alternative=alt_sm[alt])
            assert _close(r["statistic"], z), (k1, n1, k2, n2, r["statistic"], z)
            assert _close(r["p_value"], pv, atol=1e-300), (k1, n1, k2, n2, alt, r["p_value"], pv)
        if alt == "two-sided":
            lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=1 - conf)
            assert _close(r["ci_low"], lo) and _close(r["ci_high"], hi), (k1, n1, k2, n2, r["ci_low"], lo)
            checked += 1
        else:
            # one-sided: the matching bound of the two-sided Newcombe interval at 2*conf - 1
            lo, hi = confint_proportions_2indep(
                k1, n1, k2, n2, method="newcomb", compare="diff", alpha=2 * (1 - conf)
            )
            if alt == "greater":
                assert _close(r["ci_low"], lo) and r["ci_high"] == 1.0
            else:
                assert _close(r["ci_high"], hi) and r["ci_low"] == -1.0
    assert checked > 300


def test_invalid_arguments_raise():
    with pytest.raises(miroir.MiroirError):
        ms.proportion_ci(3, 0)
    with pytest.raises(miroir.MiroirError):
        ms.proportion_ci(5, 3)
    with pytest.raises(miroir.MiroirError):
        ms.proportion_ci(1, 3, method="nope")
    with pytest.raises(miroir.MiroirError):
        ms.binom_test(1, 3, p=1.5)
    with pytest.raises(miroir.MiroirError):
        ms.proportion_ci(1, 3, confidence=1.0)
