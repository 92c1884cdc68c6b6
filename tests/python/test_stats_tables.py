"""Differential tests: miroir.stats contingency tables against scipy.

Functions: ``chi2_independence(table, correction=True)``, ``fisher_exact(table, alternative,
confidence)``; one-row results as in test_stats_proportions.py.

Conventions checked:
- ``chi2_independence``: statistic, p-value and dof of ``scipy.stats.chi2_contingency`` (Yates
  only when dof = 1); ``estimate`` = extra ``cramers_v`` = ``scipy.stats.contingency.association(
  table, method="cramer")`` (uncorrected statistic); ``min_expected``. A zero row or column
  raises (scipy raises too).
- ``fisher_exact``: ``estimate``/``statistic`` = scipy's sample odds ratio, p-value identical to
  ``scipy.stats.fisher_exact``; extra ``conditional_or`` and ``ci_low``/``ci_high`` = the
  conditional MLE and exact interval of R's ``fisher.test``, compared with
  ``scipy.stats.contingency.odds_ratio(table, kind="conditional")`` (same definition) at rtol 1e-7:
  scipy evaluates Fisher's noncentral hypergeometric through BiasedUrn, whose tails carry about
  1e-8 relative error (table [[18217, 0], [13066, 50847]], greater, 99 %: scipy's lower bound has
  P(X = 18217) = 0.0099999999346 instead of 0.01, ours 0.0100000000003 by an independent lgamma
  computation).
"""

from __future__ import annotations

from functools import partial
import math

import numpy as np
import pytest
from scipy import stats
from scipy.stats.contingency import association, odds_ratio

import miroir
import miroir.stats as ms
from _support import close
from _support import row as _row, is_nan as _nan

SEED = 7_011


_close = partial(close, rtol=1e-10, atol=1e-300)

def test_chi2_independence_matches_scipy():
    rng = np.random.default_rng(SEED)
    n_cases = 0
    while n_cases < 1500:
        r, c = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        if rng.random() < 0.4:
            r, c = 2, 2
        scale = int(rng.choice([3, 10, 100, 10_000, 1_000_000]))
        table = rng.integers(0, scale, (r, c))
        if (table.sum(0) == 0).any() or (table.sum(1) == 0).any():
            continue
        correction = bool(rng.random() < 0.5)
        res = _row(ms.chi2_independence(table.tolist(), correction=correction))
        ref = stats.chi2_contingency(table, correction=correction)
        assert _close(res["statistic"], ref.statistic, atol=1e-12), (table, res["statistic"], ref.statistic)
        assert _close(res["p_value"], ref.pvalue, atol=1e-300), (table, res["p_value"], ref.pvalue)
        assert res["df"] == ref.dof
        assert _close(res["min_expected"], ref.expected_freq.min())
        if min(r, c) > 1:
            v = association(table, method="cramer")
            assert _close(res["cramers_v"], v) and _close(res["estimate"], v)
        else:
            assert _nan(res["cramers_v"])
        assert int(res["n"]) == table.sum()
        n_cases += 1


def test_chi2_independence_rejects_empty_margins():
    with pytest.raises(miroir.MiroirError):
        ms.chi2_independence([[1, 0], [2, 0]])
    with pytest.raises(miroir.MiroirError):
        ms.chi2_independence([[1, 2], [3]])


def _tables(rng, count, scales=(1, 3, 10, 30, 100, 1000, 100_000)):
    out = [[[3, 1], [1, 3]], [[0, 5], [5, 0]], [[5, 0], [0, 5]], [[0, 0], [3, 4]], [[1, 0], [0, 0]]]
    while len(out) < count:
        s = int(rng.choice(scales))
        t = rng.integers(0, s + 1, 4)
        if rng.random() < 0.2:
            t[int(rng.integers(0, 4))] = 0
        out.append([[int(t[0]), int(t[1])], [int(t[2]), int(t[3])]])
    return out


def test_fisher_exact_matches_scipy():
    rng = np.random.default_rng(SEED + 1)
    for i, table in enumerate(_tables(rng, 2000)):
        alt = ["two-sided", "less", "greater"][i % 3]
        res = _row(ms.fisher_exact(table, alternative=alt))
        ref = stats.fisher_exact(table, alternative=alt)
        assert _close(res["p_value"], ref.pvalue), (table, alt, res["p_value"], ref.pvalue)
        assert _close(res["estimate"], ref.statistic, rtol=1e-15), (table, res["estimate"], ref.statistic)


def test_fisher_conditional_odds_ratio_matches_scipy():
    """Conditional MLE and exact CI (R's fisher.test) against scipy's odds_ratio(kind='conditional')."""
    rng = np.random.default_rng(SEED + 2)
    n = 0
    # scipy's odds_ratio costs ~20 ms a table (0.25 s at 1000 per cell): 450 tables up to 100 per
    # cell here; the p-value family above runs 2000 tables up to 1e5 per cell
    for i, table in enumerate(_tables(rng, 450, scales=(1, 3, 10, 30, 100))):
        a = np.asarray(table)
        if (a.sum(0) == 0).any() or (a.sum(1) == 0).any():
            continue
        alt = ["two-sided", "less", "greater"][i % 3]
        conf = float(rng.choice([0.9, 0.95, 0.99]))
        res = _row(ms.fisher_exact(table, alternative=alt, confidence=conf))
        ref = odds_ratio(table, kind="conditional")
        ci = ref.confidence_interval(confidence_level=conf, alternative=alt)
        assert _close(res["conditional_or"], ref.statistic, rtol=1e-7), (table, res["conditional_or"], ref.statistic)
        assert _close(res["ci_low"], ci.low, rtol=1e-7), (table, alt, res["ci_low"], ci.low)
        assert _close(res["ci_high"], ci.high, rtol=1e-7), (table, alt, res["ci_high"], ci.high)
        n += 1
    assert n > 350


def test_fisher_tea_tasting_published_r_output():
    """R fisher.test(matrix(c(3,1,1,3), 2)) as printed in Penn State STAT 504 (TeaLady.out):
    p = 0.4857, odds ratio 6.408309, CI 0.2117329 621.9337505; greater: p = 0.2429, CI 0.3135693 Inf.
    R's uniroot stops at 1.2e-4 on psi or 1/psi, so the bounds agree to R's accuracy only."""
    r = _row(ms.fisher_exact([[3, 1], [1, 3]]))
    assert round(r["p_value"], 4) == 0.4857
    assert abs(r["conditional_or"] / 6.408309 - 1) < 2e-6
    assert abs(r["ci_low"] / 0.2117329 - 1) < 2e-5
    assert abs(r["ci_high"] / 621.9337505 - 1) < 1e-2
    g = _row(ms.fisher_exact([[3, 1], [1, 3]], alternative="greater"))
    assert round(g["p_value"], 4) == 0.2429
    assert abs(g["ci_low"] / 0.3135693 - 1) < 2e-5 and math.isinf(g["ci_high"])
