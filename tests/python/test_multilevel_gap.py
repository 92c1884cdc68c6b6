"""``miroir.multilevel_gap``: the exposure gap in a random-intercept model (employees within
units), against statsmodels.

References and tolerances:
- statsmodels ``MixedLM.from_formula("engagement ~ customer_facing + C(study)",
  groups="unit_key", data=...)`` (pooled; per study without ``C(study)``) fitted by REML with
  ``method="bfgs", gtol=1e-12`` — its default L-BFGS stops ~1e-5 short of the optimum, see
  tests/python/test_stats_mixed.py — for the gap (minus the customer_facing coefficient),
  ``group_var`` (``cov_re``), ``resid_var`` (``scale``) and the ICC τ²/(τ² + σ²), to 1e-6
  relative.
- Standard errors: ours are model-based, ``σ²(Σ X_j'V_j⁻¹X_j)⁻¹`` (nlme / lme4, Pinheiro & Bates
  2000, *Mixed-Effects Models in S and S-PLUS*, §2.2); statsmodels' ``bse`` is the inverse
  observed information, ~1% larger on unbalanced units. So the SE is checked against statsmodels
  ``OLS`` on the data whitened by V̂_j^(-1/2) at statsmodels' own variance estimates (GLS), as
  tests/python/test_stats_mixed.py does, to 1e-6 relative; z, p (normal) and the interval follow.
- ``ols_gap`` equals ``miroir.exposure_gap``'s ``gap`` (study rows) and ``adjusted_gap`` (pooled);
  suppression equals exposure_gap's.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.stats as st
import statsmodels.api as sm
from statsmodels.regression.mixed_linear_model import MixedLM

import miroir

RTOL = 1e-6


def frame(study: miroir.Study) -> pd.DataFrame:
    df = study.employees.select("study", "unit", "customer_facing", "engagement").to_pandas()
    df["customer_facing"] = df.customer_facing.astype(float)
    df["unit_key"] = df.study + "/" + df.unit
    return df


def sm_fit(df: pd.DataFrame, pooled: bool):
    formula = "engagement ~ customer_facing" + (" + C(study)" if pooled and df.study.nunique() > 1 else "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixedLM.from_formula(formula, groups="unit_key", data=df)
        return model, model.fit(reml=True, method="bfgs", gtol=1e-12)


def gls_se(model, groups: np.ndarray, lam: float) -> pd.Series:
    """Standard errors of statsmodels OLS on the data whitened by H_j^(-1/2) = I - c_j 11',
    c_j = (1 - (1 + n_j λ)^(-1/2)) / n_j (H_j = V_j/σ²): the model-based (GLS) errors."""
    y, X = np.asarray(model.endog, float), np.asarray(model.exog, float)
    yw, Xw = y.copy(), X.copy()
    for g in np.unique(groups):
        i = groups == g
        nj = i.sum()
        c = (1 - 1 / np.sqrt(1 + nj * lam)) / nj
        yw[i] -= c * y[i].sum()
        Xw[i] -= c * X[i].sum(axis=0)
    return pd.Series(sm.OLS(yw, Xw).fit().bse, index=model.exog_names)


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def check_row(row: dict, df: pd.DataFrame, pooled: bool, confidence: float = 0.95) -> dict:
    model, r = sm_fit(df, pooled)
    tau2, sigma2 = float(np.asarray(r.cov_re)[0, 0]), float(r.scale)
    se = gls_se(model, df.unit_key.to_numpy(), tau2 / sigma2)["customer_facing"]
    gap = -float(r.fe_params["customer_facing"])
    diffs = {
        "gap": rel(row["gap"], gap),
        "group_var": rel(row["group_var"], tau2),
        "resid_var": rel(row["resid_var"], sigma2),
        "icc": rel(row["icc"], tau2 / (tau2 + sigma2)),
        "std_error": rel(row["std_error"], se),
    }
    for k, v in diffs.items():
        assert v < RTOL, (row["study"], k, v, diffs)
    # z test and normal interval on the model-based SE
    assert row["statistic"] == pytest.approx(row["gap"] / row["std_error"], rel=1e-13)
    assert row["p_value"] == pytest.approx(2 * st.norm.sf(abs(row["statistic"])), rel=1e-9)
    half = st.norm.ppf(0.5 + confidence / 2) * row["std_error"]
    assert row["ci_low"] == pytest.approx(row["gap"] - half, rel=1e-12)
    assert row["ci_high"] == pytest.approx(row["gap"] + half, rel=1e-12)
    # statsmodels' observed-information SE differs, but only slightly
    assert 0.9 < float(r.bse_fe["customer_facing"]) / row["std_error"] < 1.1
    assert row["converged"] is True and row["suppressed"] is False
    assert row["n_employees"] == len(df) and row["n_units"] == df.unit_key.nunique()
    return diffs


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.synthetic_study(studies=3, employees=1_200, customers=3_000, seed=21)


def test_pooled_and_per_study_fits_match_statsmodels(study):
    res = miroir.multilevel_gap(study, by="study").table
    df = frame(study)
    names = sorted(df.study.unique())
    assert res["level"].to_list() == ["study"] * len(names) + ["pooled"]
    assert res["study"].to_list() == names + ["all"]
    worst: dict[str, float] = {}
    for row in res.iter_rows(named=True):
        sub = df if row["level"] == "pooled" else df[df.study == row["study"]]
        d = check_row(row, sub, pooled=row["level"] == "pooled")
        worst = {k: max(worst.get(k, 0.0), v) for k, v in d.items()}
    assert max(worst.values()) < RTOL, worst
    # by=None (the default): the pooled row alone, identical
    only = miroir.multilevel_gap(study).table
    assert only.height == 1 and only.row(0) == res.row(-1)


def test_ols_gap_is_exposure_gaps(study):
    res = miroir.multilevel_gap(study, by="study", confidence=0.9).table
    gap = miroir.exposure_gap(study, by="study", confidence=0.9).table
    assert res.filter(pl.col("level") == "study")["ols_gap"].to_list() == gap.filter(pl.col("level") == "study")["gap"].to_list()
    assert res["ols_gap"][-1] == gap["adjusted_gap"][-1]
    # the sign convention is exposure_gap's: both positive when customer-facing staff are less engaged
    assert (res["gap"] > 0).all() and (res["ols_gap"] > 0).all()
    check_row(res.row(-1, named=True), frame(study), pooled=True, confidence=0.9)


def test_small_segment_is_suppressed_as_exposure_gap_does(study):
    emp = study.employees
    names = sorted(emp["study"].unique().to_list())
    first = names[0]
    # keep only 3 customer-facing employees in the first study
    facing = emp.filter((pl.col("study") == first) & pl.col("customer_facing"))["employee_id"].to_list()[3:]
    emp2 = emp.with_columns(
        pl.when(pl.col("employee_id").is_in(facing) & (pl.col("study") == first))
        .then(False).otherwise(pl.col("customer_facing")).alias("customer_facing")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        small = miroir.Study(emp2, study.customers)
    res = miroir.multilevel_gap(small, by="study").table
    gap = miroir.exposure_gap(small, by="study").table
    assert res["suppressed"].to_list() == gap["suppressed"].to_list()
    assert res["suppressed"].sum() == 2  # the small study and its complementary partner
    stats_cols = ["gap", "std_error", "statistic", "p_value", "ci_low", "ci_high", "icc", "group_var",
                  "resid_var", "ols_gap", "converged"]
    for row in res.filter(pl.col("suppressed")).iter_rows(named=True):
        assert all(row[c] is None for c in stats_cols), row
        assert row["note"].startswith("suppressed")
        assert row["n_employees"] > 0
    assert res.filter(pl.col("study") == first)["note"][0] == "suppressed: a segment has fewer than 5 employees"
    # the pooled row keeps every employee and still matches statsmodels
    check_row(res.row(-1, named=True), frame(small), pooled=True)


def test_study_without_customer_facing_employees(study):
    emp = study.employees
    first = sorted(emp["study"].unique().to_list())[0]
    emp2 = emp.with_columns(
        pl.when(pl.col("study") == first).then(False).otherwise(pl.col("customer_facing")).alias("customer_facing")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        s = miroir.Study(emp2, study.customers)
    res = miroir.multilevel_gap(s, by="study").table
    row = res.filter(pl.col("study") == first).row(0, named=True)
    # undefined, not suppressed: NaN (as exposure_gap's statistics), not null
    assert math.isnan(row["gap"]) and math.isnan(row["std_error"]) and math.isnan(row["icc"])
    assert row["converged"] is None and row["suppressed"] is False
    assert "no customer-facing employees" in row["note"]
    gap = miroir.exposure_gap(s, by="study").table.filter(pl.col("study") == first)
    assert "no customer-facing employees" in gap["note"][0]
    # the other studies and the pooled model are unaffected by the lack of contrast in one study
    check_row(res.row(-1, named=True), frame(s), pooled=True)
    for other in res.filter((pl.col("level") == "study") & (pl.col("study") != first)).iter_rows(named=True):
        assert other["gap"] is not None and math.isfinite(other["gap"])


def test_a_study_with_one_unit_gives_a_note_not_an_error():
    rng = np.random.default_rng(3)
    emp = pl.DataFrame({
        "study": ["a"] * 40 + ["b"] * 40,
        "unit": ["only"] * 40 + [f"u{i % 4}" for i in range(40)],
        "employee_id": [f"e{i}" for i in range(80)],
        "customer_facing": [i % 2 == 0 for i in range(80)],
        "engagement": np.clip(60 + rng.normal(0, 10, 80), 0, 100),
    })
    cus = pl.DataFrame({
        "study": ["a"] * 10 + ["b"] * 40,
        "unit": ["only"] * 10 + [f"u{i % 4}" for i in range(40)],
        "customer_id": [f"c{i}" for i in range(50)],
        "satisfaction": rng.integers(0, 11, 50).astype(float),
    })
    res = miroir.multilevel_gap(miroir.Study(emp, cus), by="study").table
    a = res.filter(pl.col("study") == "a").row(0, named=True)
    assert math.isnan(a["gap"]) and "multilevel model" in a["note"] and "2 groups" in a["note"]
    assert math.isfinite(res.filter(pl.col("study") == "b")["gap"][0])


def test_bad_arguments(study):
    with pytest.raises(miroir.InvalidArgumentError, match="by"):
        miroir.multilevel_gap(study, by="nowhere")
    with pytest.raises(miroir.InvalidArgumentError, match="confidence"):
        miroir.multilevel_gap(study, confidence=1.5)
    with pytest.raises(miroir.InvalidArgumentTypeError):
        miroir.multilevel_gap(study.employees)
    with pytest.raises(miroir.InvalidArgumentTypeError):
        miroir.multilevel_gap(study, confidence="high")
