"""Differential tests: miroir.stats.mixed_lm (random-intercept LMM, REML / ML) against statsmodels
``MixedLM`` and against published nlme output.

Contract: ``ms.mixed_lm(df, y, x, groups, *, intercept=True, method="reml", confidence=0.95,
se="model")`` → one row per fixed effect (``"(Intercept)"`` first): ``term, estimate, std_error,
statistic, p_value, ci_low, ci_high`` plus ``group_var, resid_var, icc, loglik, n, n_groups,
converged, iterations, method, note`` repeated on every row.

References and tolerances:
- statsmodels 0.15 ``MixedLM(y, X, groups).fit(reml=...)``. Its default fit (L-BFGS, gtol 1e-5)
  stops early: on bh1996 its ``cov_re`` is 7e-5 (REML) and 3e-5 (ML) relative away from the
  optimum (its own ``llf`` is lower than ours). We refit statsmodels with
  ``method="bfgs", gtol=1e-12`` (:func:`sm_fit`), which reaches the optimum, and compare
  estimates, ``group_var`` (``cov_re``), ``resid_var`` (``scale``) and ``llf`` at rtol 1e-6 (the
  differences seen are below 1e-11: 7e-12 on bh1996's cov_re, 1e-12 or less elsewhere).
- Standard errors: ``se="observed"`` is statsmodels' ``bse_fe`` (inverse observed information in
  (β, τ²/σ²)), compared at rtol 1e-6. ``se="model"`` (default) is ``σ²(Σ X_j'V_j⁻¹X_j)⁻¹`` as nlme
  / lme4 report; statsmodels does not print it, so it is checked against statsmodels ``OLS`` on
  the data whitened by ``V̂_j^(-1/2)`` at statsmodels' own variance estimates (GLS), and shown to
  differ from ``bse_fe`` by 0.3-1% on the unbalanced bh1996 companies.
- Published: nlme ``lme(WBEING ~ 1, random = ~1|GRP, data = bh1996)``, ``VarCorr``: intercept
  variance 0.03580079, residual 0.78949727 (ICC(1) 0.04337922), printed in J. D. Marshall,
  "Multilevel Modeling – Bliese's Steps", R Markdown companion to Bliese (2016) "Multilevel
  Modeling in R", https://jasondmarshall.com/multilevel-steps. nlme's own optimiser stops within
  ~5e-7 of the optimum, so the comparison is at rtol 1e-6.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm
from statsmodels.regression.mixed_linear_model import MixedLM

import miroir
import miroir.stats as ms

REF_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
RTOL = 1e-6


def sm_fit(y, X, groups, reml: bool):
    """statsmodels MixedLM fitted to its optimum (see the module doc for why the options)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MixedLM(np.asarray(y, float), np.asarray(X, float), groups=np.asarray(groups)).fit(
            reml=reml, method="bfgs", gtol=1e-12
        )


def gls_se(y, X, groups, lam: float, scale_factor: float) -> np.ndarray:
    """Standard errors of statsmodels OLS on the data whitened by H_j^(-1/2) = I - c_j 11',
    c_j = (1 - (1 + n_j λ)^(-1/2)) / n_j: the GLS (model-based) standard errors."""
    y, X, groups = np.asarray(y, float), np.asarray(X, float), np.asarray(groups)
    yw, Xw = y.copy(), X.copy()
    for g in np.unique(groups):
        i = groups == g
        nj = i.sum()
        c = (1 - 1 / np.sqrt(1 + nj * lam)) / nj
        yw[i] -= c * y[i].sum()
        Xw[i] -= c * X[i].sum(axis=0)
    return sm.OLS(yw, Xw).fit().bse * np.sqrt(scale_factor)


def rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def compare(fit: pl.DataFrame, y, X, groups, reml: bool, observed: pl.DataFrame | None = None) -> dict:
    """Checks a fit against statsmodels; returns the relative differences seen."""
    r = sm_fit(y, X, groups, reml)
    n, p = np.asarray(X).shape
    cov_re = float(np.asarray(r.cov_re)[0, 0])
    diffs = {
        "estimate": rel(fit["estimate"], r.fe_params),
        "group_var": rel(fit["group_var"][0], cov_re),
        "resid_var": rel(fit["resid_var"][0], r.scale),
        "loglik": rel(fit["loglik"][0], r.llf),
        "se_model": rel(
            fit["std_error"], gls_se(y, X, groups, cov_re / r.scale, 1.0 if reml else (n - p) / n)
        ),
    }
    if observed is not None:
        diffs["se_observed"] = rel(observed["std_error"], r.bse_fe)
        assert observed["estimate"].to_list() == fit["estimate"].to_list()
    for k, v in diffs.items():
        assert v < RTOL, (k, v, diffs)
    assert fit["converged"].all()
    assert fit["n"][0] == n
    return diffs


@pytest.fixture(scope="module")
def bh1996() -> pl.DataFrame:
    return pl.read_csv(REF_DIR / "bh1996.csv")


# -- (a) bh1996: 7,382 soldiers in 99 companies -----------------------------------------------------


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_bh1996_wbeing_on_hours_and_leadership_matches_statsmodels(bh1996, method):
    reml = method == "reml"
    fit = ms.mixed_lm(bh1996, "WBEING", ["HRS", "LEAD"], "GRP", method=method)
    obs = ms.mixed_lm(bh1996, "WBEING", ["HRS", "LEAD"], "GRP", method=method, se="observed")
    X = sm.add_constant(bh1996.select("HRS", "LEAD").to_numpy())
    compare(fit, bh1996["WBEING"].to_numpy(), X, bh1996["GRP"].to_numpy(), reml, obs)
    assert fit["term"].to_list() == ["(Intercept)", "HRS", "LEAD"]
    assert fit["n_groups"][0] == 99 and fit["n"][0] == 7382
    assert "boundary" not in (fit["note"][0] or "")
    # the two standard-error conventions differ by 0.3-1% on these unbalanced companies
    ratio = (obs["std_error"] / fit["std_error"]).to_numpy()
    assert np.all(ratio > 1.002) and np.all(ratio < 1.02), ratio
    # z tests and normal intervals, as statsmodels' summary
    z = fit["estimate"] / fit["std_error"]
    assert np.allclose(fit["statistic"], z, rtol=1e-14)
    half = 1.959963984540054 * fit["std_error"]
    assert np.allclose(fit["ci_high"] - fit["estimate"], half, rtol=1e-12)
    assert np.allclose(fit["estimate"] - fit["ci_low"], half, rtol=1e-12)
    r = sm_fit(bh1996["WBEING"].to_numpy(), X, bh1996["GRP"].to_numpy(), reml)
    assert np.allclose(obs["p_value"], r.pvalues[:3], rtol=1e-5, atol=1e-300)
    icc = fit["group_var"][0] / (fit["group_var"][0] + fit["resid_var"][0])
    assert fit["icc"][0] == pytest.approx(icc, rel=1e-14)


def test_statsmodels_default_fit_stops_short_of_the_optimum(bh1996):
    """Why the tests refit statsmodels with tight options: its default fit is ~1e-5 away."""
    y = bh1996["WBEING"].to_numpy()
    X = sm.add_constant(bh1996.select("HRS", "LEAD").to_numpy())
    g = bh1996["GRP"].to_numpy()
    default = MixedLM(y, X, groups=g).fit(reml=True)
    fit = ms.mixed_lm(bh1996, "WBEING", ["HRS", "LEAD"], "GRP")
    assert fit["loglik"][0] >= default.llf
    assert 1e-7 < rel(fit["group_var"][0], np.asarray(default.cov_re)[0, 0]) < 1e-3
    assert rel(fit["estimate"], default.fe_params) < 1e-5


def test_bh1996_null_model_matches_published_nlme(bh1996):
    """nlme lme(WBEING ~ 1, random = ~1|GRP): VarCorr 0.03580079 / 0.78949727 (module doc)."""
    fit = ms.mixed_lm(bh1996, "WBEING", [], "GRP")
    assert fit["term"].to_list() == ["(Intercept)"]
    assert fit["group_var"][0] == pytest.approx(0.03580079, rel=1e-6)
    assert fit["resid_var"][0] == pytest.approx(0.78949727, rel=1e-6)
    assert fit["icc"][0] == pytest.approx(0.04337922, rel=1e-6)
    X = np.ones((bh1996.height, 1))
    compare(fit, bh1996["WBEING"].to_numpy(), X, bh1996["GRP"].to_numpy(), True)


def test_bh1996_contextual_model_with_group_means(bh1996):
    """Bliese's model: within-company predictors and their company means (G.HRS, G.LEAD)."""
    x = ["HRS", "LEAD", "G.HRS", "G.LEAD"]
    fit = ms.mixed_lm(bh1996, "WBEING", x, "GRP")
    obs = ms.mixed_lm(bh1996, "WBEING", x, "GRP", se="observed")
    X = sm.add_constant(bh1996.select(x).to_numpy())
    compare(fit, bh1996["WBEING"].to_numpy(), X, bh1996["GRP"].to_numpy(), True, obs)


# -- (b) unbalanced simulated mirror data: study fixed effects, unit random intercepts -------------


def simulated(seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    unit = 0
    for study, n_units in enumerate([6, 11, 4, 9]):
        for _ in range(n_units):
            size = int(rng.choice([1, 2, 3, 5, 8, 13, 21, 34]))
            u = rng.normal(0, 4.0)
            for _ in range(size):
                facing = bool(rng.random() < 0.6)
                tenure = rng.gamma(2.0, 18.0)
                y = 60 + 3 * study - 6 * facing + 0.05 * tenure + u + rng.normal(0, 9.0)
                rows.append((f"s{study}", f"s{study}-u{unit}", facing, tenure, y))
            unit += 1
    df = pl.DataFrame(rows, schema=["study", "unit", "customer_facing", "tenure", "engagement"], orient="row")
    return df.with_columns(
        [pl.col("study").eq(f"s{s}").alias(f"study_s{s}") for s in (1, 2, 3)]
    )


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_unbalanced_units_with_study_fixed_effects_match_statsmodels(method):
    df = simulated()
    x = ["customer_facing", "tenure", "study_s1", "study_s2", "study_s3"]
    fit = ms.mixed_lm(df, "engagement", x, "unit", method=method)
    obs = ms.mixed_lm(df, "engagement", x, "unit", method=method, se="observed")
    X = sm.add_constant(df.select(pl.col(x).cast(pl.Float64)).to_numpy())
    codes = df["unit"].rank("dense").to_numpy()
    compare(fit, df["engagement"].to_numpy(), X, codes, method == "reml", obs)
    assert fit["n_groups"][0] == 30
    assert fit["group_var"][0] > 0


def test_pandas_input_and_label_types_give_the_same_fit():
    df = simulated(3)
    x = ["customer_facing", "tenure"]
    a = ms.mixed_lm(df, "engagement", x, "unit")
    b = ms.mixed_lm(df.to_pandas(), "engagement", x, "unit")
    c = ms.mixed_lm(df.with_columns(pl.col("unit").rank("dense").alias("unit")), "engagement", x, "unit")
    assert a.equals(b) and a.equals(c)


def test_without_intercept_matches_statsmodels():
    df = simulated(5)
    x = ["study_s1", "study_s2", "study_s3", "customer_facing"]
    df = df.with_columns(pl.col("study").eq("s0").alias("study_s0"))
    x = ["study_s0", *x]
    fit = ms.mixed_lm(df, "engagement", x, "unit", intercept=False)
    X = df.select(pl.col(x).cast(pl.Float64)).to_numpy()
    compare(fit, df["engagement"].to_numpy(), X, df["unit"].rank("dense").to_numpy(), True)
    assert fit["term"][0] == "study_s0"


# -- (c) τ² on the boundary ------------------------------------------------------------------------


def boundary_data() -> pl.DataFrame:
    # no group effect; with this seed the REML and ML maxima are at τ² = 0
    rng = np.random.default_rng(8)
    sizes = rng.integers(2, 12, 30)
    g = np.repeat(np.arange(30), sizes)
    x = rng.normal(size=len(g))
    return pl.DataFrame({"y": 1 + 0.5 * x + rng.normal(size=len(g)), "x": x, "g": g})


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_boundary_gives_ols_with_a_note(method):
    df = boundary_data()
    fit = ms.mixed_lm(df, "y", ["x"], "g", method=method)
    assert fit["group_var"][0] == 0.0 and fit["icc"][0] == 0.0
    assert "boundary" in fit["note"][0]
    assert fit["converged"][0]
    y, X = df["y"].to_numpy(), sm.add_constant(df["x"].to_numpy())
    ols = sm.OLS(y, X).fit()
    n, p = X.shape
    assert np.allclose(fit["estimate"], ols.params, rtol=1e-12)
    scale = ols.ssr / (n - p if method == "reml" else n)
    assert fit["resid_var"][0] == pytest.approx(scale, rel=1e-12)
    assert np.allclose(fit["std_error"], ols.bse * np.sqrt(scale / ols.scale), rtol=1e-12)
    # statsmodels creeps towards 0 (cov_re ~ 1e-10) and warns; its llf is not above ours
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = MixedLM(y, X, groups=df["g"].to_numpy()).fit(reml=method == "reml")
    assert any("boundary" in str(w.message) for w in caught)
    assert float(np.asarray(r.cov_re)[0, 0]) < 1e-6 * r.scale
    assert rel(fit["estimate"], r.fe_params) < RTOL
    assert rel(fit["resid_var"][0], r.scale) < RTOL
    assert rel(fit["loglik"][0], r.llf) < 1e-9
    assert fit["loglik"][0] >= r.llf - 1e-9


# -- bad inputs ------------------------------------------------------------------------------------


def test_bad_inputs_are_typed_errors_naming_the_column():
    df = simulated(2)
    fit = ms.mixed_lm
    with pytest.raises(miroir.InvalidArgumentError, match="'nope'|nope"):
        fit(df, "engagement", ["nope"], "unit")
    with pytest.raises(miroir.InvalidArgumentError, match="groups.*missing_col"):
        fit(df, "engagement", ["tenure"], "missing_col")
    with pytest.raises(miroir.InvalidArgumentError, match="'study' is String|study"):
        fit(df, "engagement", ["study"], "unit")
    with pytest.raises(miroir.InvalidArgumentError, match="outcome 'engagement'"):
        fit(df, "engagement", ["engagement", "tenure"], "unit")
    with pytest.raises(miroir.InvalidArgumentError, match="more than once"):
        fit(df, "engagement", ["tenure", "tenure"], "unit")
    with pytest.raises(miroir.InvalidArgumentError, match="groups"):
        fit(df, "engagement", ["tenure"], "tenure")
    with pytest.raises(miroir.InvalidArgumentError, match="method"):
        fit(df, "engagement", ["tenure"], "unit", method="bayes")
    with pytest.raises(miroir.InvalidArgumentError, match="se"):
        fit(df, "engagement", ["tenure"], "unit", se="robust")
    with pytest.raises(miroir.InvalidArgumentError, match="confidence"):
        fit(df, "engagement", ["tenure"], "unit", confidence=1.0)
    # values
    nan = df.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(float("nan")).otherwise(pl.col("tenure")).alias("tenure"))
    with pytest.raises(miroir.StatsError, match="'tenure'"):
        fit(nan, "engagement", ["tenure"], "unit")
    inf = df.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(float("inf")).otherwise(pl.col("engagement")).alias("engagement"))
    with pytest.raises(miroir.StatsError, match="`y`"):
        fit(inf, "engagement", ["tenure"], "unit")
    null = df.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("tenure")).alias("tenure"))
    with pytest.raises(miroir.InvalidArgumentError, match="tenure.*missing"):
        fit(null, "engagement", ["tenure"], "unit")
    with pytest.raises(miroir.InvalidArgumentError, match="groups.*missing"):
        fit(df.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col("unit")).alias("unit")),
            "engagement", ["tenure"], "unit")
    # design and groups
    dummies = [f"study_s{s}" for s in (1, 2, 3)]
    all_studies = df.with_columns(pl.col("study").eq("s0").alias("study_s0"))
    with pytest.raises(miroir.StatsError, match="'study_s0'.*rank deficient"):
        fit(all_studies, "engagement", [*dummies, "study_s0"], "unit")
    with pytest.raises(miroir.StatsError, match="'one' is constant"):
        fit(df.with_columns(pl.lit(1.0).alias("one")), "engagement", ["tenure", "one"], "unit")
    with pytest.raises(miroir.StatsError, match="at least 2 groups"):
        fit(df.with_columns(pl.lit("only").alias("g")), "engagement", ["tenure"], "g")
    with pytest.raises(miroir.StatsError, match="single observation"):
        fit(df.with_row_index("rid"), "engagement", ["tenure"], "rid")


# -- at scale (the timing is in benchmarks/, not here) -------------------------------------------


def test_large_study_recovers_the_planted_effects():
    rng = np.random.default_rng(1)
    n, G, k = 400_000, 1000, 10
    g = rng.integers(0, G, n)
    X = rng.normal(size=(n, k))
    beta = np.linspace(0.1, 1.0, k)
    y = X @ beta + 0.5 * rng.normal(size=G)[g] + rng.normal(size=n)
    df = pl.DataFrame({**{f"x{i}": X[:, i] for i in range(k)}, "y": y, "g": g})
    fit = ms.mixed_lm(df, "y", [f"x{i}" for i in range(k)], "g")
    assert fit["group_var"][0] == pytest.approx(0.25, rel=0.15)
    slopes = fit.filter(pl.col("term") != "(Intercept)")
    assert np.all(np.abs(slopes["estimate"].to_numpy() - beta) < 5 * slopes["std_error"].to_numpy())
    assert fit["n_groups"][0] == G
