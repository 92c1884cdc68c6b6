"""No test reports p = 0 from underflow (DESIGN.md: "p = 2e-24 must not print as 0"): every
p-value of a finite statistic that falls below the smallest normal double is reported as that
bound, 2.2e-308, with a note, where scipy and statsmodels return 0. Each case below is checked to
underflow in the reference first, so that the floor is what is being tested."""

from typing import Any

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

import miroir.stats as ms

TINY = np.finfo(float).tiny  # 2.2e-308


def floored(row: pl.DataFrame, column: str = "p_value") -> None:
    assert row[column][0] == TINY
    assert "below 2.2e-308" in row["note"][0]


def test_binomial_test() -> None:
    assert stats.binomtest(1100, 1100).pvalue == 0.0
    floored(ms.binom_test(1100, 1100))


def test_two_proportions() -> None:
    assert proportions_ztest([10_000, 0], [10_000, 10_000])[1] == 0.0
    floored(ms.two_proportions(10_000, 10_000, 0, 10_000))


def test_chi2_and_fisher() -> None:
    table = [[10_000, 0], [0, 10_000]]
    assert stats.chi2_contingency(table).pvalue == 0.0
    floored(ms.chi2_independence(table))
    small = [[1_000, 0], [0, 1_000]]
    assert stats.fisher_exact(small).pvalue == 0.0
    floored(ms.fisher_exact(small))


def test_meta_analysis_heterogeneity() -> None:
    yi, vi = np.array([0.0, 10.0, 20.0]), np.full(3, 1e-4)
    w = 1 / vi
    q = float(np.sum(w * (yi - np.sum(w * yi) / np.sum(w)) ** 2))
    assert stats.chi2.sf(q, 2) == 0.0
    row = ms.meta_random(yi, vi)
    assert row["q_p"][0] == TINY and "Q's p-value below 2.2e-308" in row["note"][0]
    assert row["p_value"][0] > 0.01  # the pooled estimate's own test is not affected


def test_ols_term() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=1_000)
    y = x + rng.normal(size=1_000) * 1e-3
    fit: Any = sm.OLS(y, sm.add_constant(x)).fit()
    assert fit.pvalues[1] == 0.0
    out = ms.ols(pl.DataFrame({"x": x, "y": y}), "y", ["x"])
    row = out.filter(pl.col("term") == "x")
    floored(row)
    assert "p-value of x below 2.2e-308" in row["note"][0]
    # the intercept keeps its own p-value, close to statsmodels'
    assert out.filter(pl.col("term") == "(Intercept)")["p_value"][0] == pytest.approx(fit.pvalues[0], rel=1e-6)


def test_reliability() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=2_000)
    items = pl.DataFrame({k: base + rng.normal(size=2_000) * 1e-3 for k in "abc"})
    alpha = ms.cronbach_alpha(items)
    f = alpha["statistic"][0]
    assert stats.f.sf(f, 1_999, 3_998) == 0.0
    floored(alpha)
    groups = np.repeat(np.arange(50), 40)
    values = groups * 10.0 + rng.normal(size=2_000) * 0.01
    icc = ms.icc(values, groups)
    assert stats.f.sf(icc["statistic"][0], 49, 1_950) == 0.0
    floored(icc)
