"""Differential tests: miroir.stats.ols against statsmodels OLS and NIST StRD certified values.

Assumed contract: ``ms.ols(df, y="col", x=["a", "b"], cluster=None, intercept=True,
confidence=0.95)`` with ``df`` a polars (or pandas) DataFrame and ``cluster`` a column name;
returns a polars DataFrame with one row per term (``"(Intercept)"`` first) and columns
``term, estimate, std_error, statistic, df, p_value, ci_low, ci_high`` plus the fit statistics
``r2, adj_r2, n`` repeated on every row.

Conventions:
- classical SEs: statsmodels ``OLS(y, X).fit()``;
- cluster: CR1 as ``OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)`` —
  deliberate difference from statsmodels' default ``use_t=False`` (normal quantiles): we use t
  with G - 1 df (Stata, Cameron & Miller 2015), so the ``df`` column is G - 1;
- r2 centred with an intercept, uncentred without (statsmodels' rsquared).

Tolerances: statsmodels solves with a pseudo-inverse whose relative error on random designs is
about 1e-11 to 1e-10 (measured against exact rational arithmetic, where our fit is within 2e-11);
estimates and SEs are compared at rtol 1e-9, and p-values, whose relative error grows like t^2
times that of t, at rtol 1e-9 + 1e-10 * t^2. Ill-conditioned designs are checked against exact
rational arithmetic (fractions.Fraction) instead.
"""

from __future__ import annotations

from functools import partial
import math
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

import miroir
import miroir.stats as ms
from _support import close

SEED = 31337
NAMES = ["a", "b", "c", "d", "e"]


def _rows(res) -> list[dict]:
    if hasattr(res, "to_dicts"):
        return res.to_dicts()
    return res.to_dict(orient="records")


_close = partial(close, rtol=1e-9, atol=1e-12)


def _design(rng):
    n = int(rng.choice([5, 8, 20, 100, 500]))
    k = int(rng.integers(1, 5))
    scale = float(rng.choice([1.0, 1e3, 1e-3]))
    X = rng.normal(size=(n, k)) * scale
    if rng.random() < 0.3:
        X[:, 0] = rng.integers(0, 2, n)  # a dummy
        X[0, 0], X[1, 0] = 0.0, 1.0  # never constant (a constant column is a rank error)
    beta = rng.normal(size=k) / scale * float(rng.choice([0.01, 0.1, 0.5]))
    y = X @ beta + rng.normal(size=n) * float(rng.choice([0.5, 2.0, 10.0])) + 3.0
    return n, k, X, y


def test_classical_ols_matches_statsmodels():
    rng = np.random.default_rng(SEED)
    done = 0
    while done < 1000:
        n, k, X, y = _design(rng)
        intercept = bool(rng.random() < 0.8)
        p = k + intercept
        if n <= p + 1:
            continue
        cols = NAMES[:k]
        df = pl.DataFrame({"y": y, **{c: X[:, j] for j, c in enumerate(cols)}})
        res = _rows(ms.ols(df, y="y", x=cols, intercept=intercept))
        Xd = sm.add_constant(X, has_constant="add") if intercept else X
        ref = sm.OLS(y, Xd).fit()
        ci = ref.conf_int(0.05)
        assert [r["term"] for r in res] == (["(Intercept)"] if intercept else []) + cols
        for j, r in enumerate(res):
            t = ref.tvalues[j]
            assert _close(r["estimate"], ref.params[j], atol=1e-10 * abs(ref.bse[j])), (j, r, ref.params[j])
            assert _close(r["std_error"], ref.bse[j], rtol=1e-9 + 1e-10 * abs(t)), (j, r["std_error"], ref.bse[j])
            assert _close(r["statistic"], t, atol=1e-9)
            assert _close(r["p_value"], ref.pvalues[j], rtol=1e-9 + 1e-10 * t * t, atol=1e-300)
            tol_ci = (1e-9 + 1e-10 * abs(t)) * abs(ci[j, 1] - ref.params[j]) + 1e-10 * ref.bse[j]
            assert _close(r["ci_low"], ci[j, 0], atol=tol_ci)
            assert _close(r["ci_high"], ci[j, 1], atol=tol_ci)
            assert r["df"] == n - p
            assert _close(r["r2"], ref.rsquared, atol=1e-12) and _close(r["adj_r2"], ref.rsquared_adj, atol=1e-12)
            assert int(r["n"]) == n
        done += 1


def test_cluster_robust_cr1_matches_statsmodels_use_t():
    rng = np.random.default_rng(SEED + 1)
    done = 0
    while done < 1000:
        n, k, X, y = _design(rng)
        G = int(rng.integers(2, min(n, 40) + 1))
        g = rng.integers(0, G, n)
        intercept = bool(rng.random() < 0.8)
        p = k + intercept
        if n <= p + 1 or len(np.unique(g)) < 2:
            continue
        cols = NAMES[:k]
        df = pl.DataFrame({"y": y, "g": g, **{c: X[:, j] for j, c in enumerate(cols)}})
        res = _rows(ms.ols(df, y="y", x=cols, cluster="g", intercept=intercept))
        Xd = sm.add_constant(X, has_constant="add") if intercept else X
        ref = sm.OLS(y, Xd).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
        ci = ref.conf_int(0.05)
        n_groups = len(np.unique(g))
        if not np.all(np.isfinite(ref.bse)):
            continue  # degenerate meat (statsmodels takes the sqrt of a rounding-negative variance)
        for j, r in enumerate(res):
            t = ref.tvalues[j]
            assert _close(r["estimate"], ref.params[j], atol=1e-10 * abs(ref.bse[j]))
            if ref.bse[j] <= 1e-6 * abs(ref.params[j]):
                # degenerate cluster scores (e.g. a dummy equal to a 2-cluster indicator): the SE
                # is 0 up to rounding in both implementations
                assert r["std_error"] <= 1e-6 * abs(ref.params[j])
            else:
                # statsmodels' residuals carry its solver error times |X b| / |e| (about |t|)
                assert _close(r["std_error"], ref.bse[j], rtol=1e-9 + 1e-10 * abs(t)), (r, ref.bse[j])
                assert _close(r["p_value"], ref.pvalues[j], rtol=1e-9 + 1e-10 * t * t, atol=1e-300)
                tol_ci = (1e-9 + 1e-10 * abs(t)) * abs(ci[j, 1] - ref.params[j]) + 1e-10 * ref.bse[j]
                assert _close(r["ci_low"], ci[j, 0], atol=tol_ci)
                assert _close(r["ci_high"], ci[j, 1], atol=tol_ci)
            assert r["df"] == n_groups - 1
        done += 1


def _exact_ols(X, y):
    """Exact least squares in rational arithmetic (normal equations, Gauss-Jordan)."""
    n, p = X.shape
    Xf = [[Fraction(float(v)) for v in row] for row in X]
    yf = [Fraction(float(v)) for v in y]
    A = [[sum(Xf[i][a] * Xf[i][b] for i in range(n)) for b in range(p)] + [sum(Xf[i][a] * yf[i] for i in range(n))] for a in range(p)]
    for i in range(p):
        piv = next(r for r in range(i, p) if A[r][i] != 0)
        A[i], A[piv] = A[piv], A[i]
        for r in range(p):
            if r != i and A[r][i] != 0:
                f = A[r][i] / A[i][i]
                A[r] = [x - f * z for x, z in zip(A[r], A[i])]
    return [float(A[i][p] / A[i][i]) for i in range(p)]


def test_ill_conditioned_designs_against_exact_arithmetic():
    """Large offsets (years, GNP-like magnitudes) where pseudo-inverse solvers lose digits."""
    rng = np.random.default_rng(SEED + 2)
    for _ in range(25):
        n, k = int(rng.integers(8, 30)), int(rng.integers(1, 4))
        X = 1e4 + rng.normal(size=(n, k)) * rng.choice([1.0, 0.1])
        y = X @ rng.normal(size=k) + rng.normal(size=n)
        cols = NAMES[:k]
        df = pl.DataFrame({"y": y, **{c: X[:, j] for j, c in enumerate(cols)}})
        res = _rows(ms.ols(df, y="y", x=cols))
        exact = _exact_ols(np.c_[np.ones(n), X], y)
        for r, b in zip(res, exact):
            assert _close(r["estimate"], b, rtol=1e-10, atol=0), (r["estimate"], b)


NORRIS = [
    (0.1, 0.2), (338.8, 337.4), (118.1, 118.2), (888.0, 884.6), (9.2, 10.1), (228.1, 226.5),
    (668.5, 666.3), (998.5, 996.3), (449.1, 448.6), (778.9, 777.0), (559.2, 558.2), (0.3, 0.4),
    (0.1, 0.6), (778.1, 775.5), (668.8, 666.9), (339.3, 338.0), (448.9, 447.5), (10.8, 11.6),
    (557.7, 556.0), (228.3, 228.1), (998.0, 995.8), (888.8, 887.6), (119.6, 120.2), (0.3, 0.3),
    (0.6, 0.3), (557.6, 556.8), (339.3, 339.1), (888.0, 887.2), (998.5, 999.0), (778.9, 779.0),
    (10.2, 11.1), (117.6, 118.3), (228.9, 229.2), (668.4, 669.1), (449.2, 448.9), (0.2, 0.5),
]


def test_nist_norris_certified_values():
    """NIST StRD Norris (lower difficulty): certified B0, B1, their SDs, residual SD and R^2."""
    df = pl.DataFrame({"y": [r[0] for r in NORRIS], "x": [r[1] for r in NORRIS]})
    res = _rows(ms.ols(df, y="y", x=["x"]))
    assert _close(res[0]["estimate"], -0.262323073774029, rtol=1e-12, atol=0)
    assert _close(res[1]["estimate"], 1.00211681802045, rtol=1e-12, atol=0)
    assert _close(res[0]["std_error"], 0.232818234301152, rtol=1e-12, atol=0)
    assert _close(res[1]["std_error"], 0.429796848199937e-3, rtol=1e-12, atol=0)
    assert _close(res[0]["r2"], 0.999993745883712, rtol=1e-12, atol=0)


def test_nist_longley_certified_values():
    """NIST StRD Longley (higher difficulty), data as statsmodels.datasets.longley."""
    data = sm.datasets.longley.load_pandas().data
    df = pl.from_pandas(data)
    x = ["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]
    res = _rows(ms.ols(df, y="TOTEMP", x=x))
    cert_b = [-3482258.63459582, 15.0618722713733, -0.358191792925910e-01, -2.02022980381683,
              -1.03322686717359, -0.511041056535807e-01, 1829.15146461355]
    cert_se = [890420.383607373, 84.9149257747669, 0.334910077722432e-01, 0.488399681651699,
               0.214274163161675, 0.226073200069370, 455.478499142212]
    for r, b, se in zip(res, cert_b, cert_se):
        assert _close(r["estimate"], b, rtol=1e-11, atol=0), (r["term"], r["estimate"], b)
        assert _close(r["std_error"], se, rtol=1e-10, atol=0), (r["term"], r["std_error"], se)
    assert _close(res[0]["r2"], 0.995479004577296, rtol=1e-12, atol=0)


def test_rank_deficient_design_names_the_column():
    df = pl.DataFrame({"y": [1.0, 2.0, 3.0, 5.0, 4.0], "a": [1.0, 2.0, 3.0, 4.0, 5.0],
                       "b": [2.0, 4.0, 6.0, 8.0, 10.0], "c": [7.0] * 5})
    with pytest.raises(miroir.MiroirError, match="'b'"):
        ms.ols(df, y="y", x=["a", "b"])
    with pytest.raises(miroir.MiroirError, match="'c'"):
        ms.ols(df, y="y", x=["a", "c"])
    with pytest.raises(miroir.MiroirError):
        ms.ols(df.head(2), y="y", x=["a"])
