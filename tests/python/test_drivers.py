"""``miroir.drivers``: standardised effects and LMG relative importance of the seeds' drivers
(issue 16, src/analysis/drivers.rs).

Oracles:
- statsmodels ``OLS`` / ``WLS`` of ``engagement ~ drivers + controls + C(study)`` with
  ``cov_type="cluster"`` (groups = unit) and ``use_t=True``: the raw slopes (``estimate``), the
  CR1 standard errors, t statistics, p-values (t on G - 1 df) and intervals, to 1e-9 relative;
  ``beta_std`` is the slope times the within-study standard deviation of the driver over that of
  the outcome (computed here with numpy);
- LMG by an independent all-subsets computation in this file: the R² of every statsmodels fit of
  ``engagement ~ C(study) + controls + S`` (relaimpo's ``always = <study dummies, controls>``),
  Shapley-averaged; relaimpo's values are ours times ``1 - R²(studies)`` (within-study R²);
- the synthetic study's planted effects (src/synth/model.rs: 0.15 engagement points per point of
  manager support, 0.10 per point of informed, +3 when trained, -8·exp(-tenure/6)).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.api as sm

import miroir

RTOL = 1e-9
DRIVERS = ["trained_customer", "tenure_months", "informed", "manager_support"]


@pytest.fixture(scope="module")
def small() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=2_400, customers=6_000, seed=7)


@pytest.fixture(scope="module")
def weighted(small: miroir.Study) -> miroir.Study:
    emp = small.employees
    rng = np.random.default_rng(3)
    emp = emp.with_columns(pl.Series("weight", rng.uniform(0.3, 2.5, emp.height)))
    return miroir.Study(emp, small.customers, small.mentions)


def employee_frame(study: miroir.Study, columns: list[str]) -> pd.DataFrame:
    df = study.employees.select(["study", "unit", "engagement", *columns,
                                 *(["weight"] if "weight" in study.employees.columns else [])]).to_pandas()
    for c in columns:
        df[c] = df[c].astype(float)
    df["unit_key"] = df.study + "/" + df.unit
    return df.reset_index(drop=True)


def design(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    dummies = pd.get_dummies(df.study, prefix="study", drop_first=True, dtype=float)
    return sm.add_constant(pd.concat([df[columns], dummies], axis=1))


def fit(df: pd.DataFrame, y: str, columns: list[str], weights: np.ndarray | None, cluster: str | None):
    X = design(df, columns)
    model = sm.OLS(df[y], X) if weights is None else sm.WLS(df[y], X, weights=weights)
    if cluster is None:
        return model.fit()
    groups = pd.factorize(df[cluster])[0]
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def within_sd(df: pd.DataFrame, column: str, w: np.ndarray) -> float:
    v = df[column].to_numpy(float)
    out = 0.0
    for s in df.study.unique():
        i = (df.study == s).to_numpy()
        m = np.average(v[i], weights=w[i])
        out += float(np.sum(w[i] * (v[i] - m) ** 2))
    return math.sqrt(out / w.sum())


def lmg_reference(df: pd.DataFrame, y: str, drivers: list[str], controls: list[str],
                  weights: np.ndarray | None) -> tuple[dict[str, float], float]:
    """Shapley values of R²(studies ∪ controls ∪ S) - R²(studies ∪ controls), on the scale of the
    within-study variance, and the within R² of the full model."""
    r2: dict[frozenset[str], float] = {}
    for k in range(len(drivers) + 1):
        for s in itertools.combinations(drivers, k):
            r2[frozenset(s)] = fit(df, y, [*controls, *s], weights, None).rsquared
    if df.study.nunique() > 1:
        X = design(df, [])
        base = (sm.OLS(df[y], X) if weights is None else sm.WLS(df[y], X, weights=weights)).fit().rsquared
    else:
        base = 0.0
    m = len(drivers)
    lmg = {}
    for d in drivers:
        others = [o for o in drivers if o != d]
        total = 0.0
        for k in range(m):
            for s in itertools.combinations(others, k):
                weight = math.factorial(k) * math.factorial(m - k - 1) / math.factorial(m)
                total += weight * (r2[frozenset(s) | {d}] - r2[frozenset(s)])
        lmg[d] = total / (1.0 - base)
    return lmg, (r2[frozenset(drivers)] - base) / (1.0 - base)


def by_driver(table: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {r["driver"]: r for r in table.to_dicts()}


@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("controls", [[], ["customer_facing"]])
def test_employee_level_matches_statsmodels(small: miroir.Study, weighted: miroir.Study,
                                            weights: bool, controls: list[str]) -> None:
    study = weighted if weights else small
    res = miroir.drivers(study, controls=controls, n_resamples=0)
    df = employee_frame(study, DRIVERS + controls)
    w = df["weight"].to_numpy(float) if weights else None
    sm_fit = fit(df, "engagement", DRIVERS + controls, w, "unit_key")
    ww = w if w is not None else np.ones(len(df))
    sd_y = within_sd(df, "engagement", ww)
    rows = by_driver(res.table)
    assert list(rows) == DRIVERS
    n_units = df.unit_key.nunique()
    for d in DRIVERS:
        r = rows[d]
        k = within_sd(df, d, ww) / sd_y
        assert r["estimate"] == pytest.approx(sm_fit.params[d], rel=RTOL)
        assert r["beta_std"] == pytest.approx(sm_fit.params[d] * k, rel=RTOL)
        assert r["std_error"] == pytest.approx(sm_fit.bse[d] * k, rel=RTOL)
        assert r["statistic"] == pytest.approx(sm_fit.tvalues[d], rel=RTOL)
        assert r["p_value"] == pytest.approx(sm_fit.pvalues[d], rel=1e-7, abs=1e-300)
        lo, hi = sm_fit.conf_int().loc[d]
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo * k, hi * k), rel=RTOL)
        assert r["df"] == n_units - 1
        assert (r["n"], r["n_units"], r["n_studies"]) == (len(df), n_units, 3)
    lmg, r2 = lmg_reference(df, "engagement", DRIVERS, controls, w)
    assert rows[DRIVERS[0]]["r2"] == pytest.approx(r2, rel=RTOL)
    total = sum(lmg.values())
    for d in DRIVERS:
        assert rows[d]["lmg"] == pytest.approx(lmg[d], rel=RTOL)
        assert rows[d]["share"] == pytest.approx(lmg[d] / total, rel=RTOL)
    assert sorted(res.table["rank"].to_list()) == [1, 2, 3, 4]
    assert res.table.sort("lmg", descending=True)["rank"].to_list() == [1, 2, 3, 4]


def test_without_study_effects_matches_plain_ols(small: miroir.Study) -> None:
    res = miroir.drivers(small, adjust_for_study=False, n_resamples=0)
    df = employee_frame(small, DRIVERS)
    X = sm.add_constant(df[DRIVERS])
    groups = pd.factorize(df.unit_key)[0]
    f = sm.OLS(df.engagement, X).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    rows = by_driver(res.table)
    for d in DRIVERS:
        k = df[d].std(ddof=0) / df.engagement.std(ddof=0)
        assert rows[d]["estimate"] == pytest.approx(f.params[d], rel=RTOL)
        assert rows[d]["std_error"] == pytest.approx(f.bse[d] * k, rel=RTOL)
    assert rows[DRIVERS[0]]["r2"] == pytest.approx(f.rsquared, rel=RTOL)


def unit_frame(study: miroir.Study, weights: bool) -> pd.DataFrame:
    """Unit means of the drivers (weighted by the employees' weights) and the unit's customer
    outcomes, over the linkable units of miroir.linkage_units (both sides, not suppressed)."""
    emp = study.employees.with_columns(
        pl.col(DRIVERS + ["engagement"]).cast(pl.Float64),
        (pl.col("weight") if weights else pl.lit(1.0)).alias("_w"),
    )
    w = pl.col("_w")
    means = emp.group_by("study", "unit").agg(
        [((pl.col(c) * w).sum() / w.sum()).alias(c) for c in DRIVERS + ["engagement"]]
    )
    units = miroir.linkage_units(study).table
    linkable = units.filter(~pl.col("suppressed") & (pl.col("n_customers") > 0) & (pl.col("n_employees") > 0))
    df = linkable.select("study", "unit", "share_satisfied", "mean_satisfaction").join(
        means, on=["study", "unit"], how="inner"
    ).sort("study", "unit").to_pandas()
    df["unit_key"] = df.study + "/" + df.unit
    return df


@pytest.mark.parametrize("outcome", ["share_satisfied", "mean_satisfaction", "engagement"])
def test_unit_level_matches_statsmodels(small: miroir.Study, weighted: miroir.Study, outcome: str) -> None:
    for study, weights in ((small, False), (weighted, True)):
        res = miroir.drivers(study, outcome=outcome, level="unit", n_resamples=0)
        df = unit_frame(study, weights)
        f = fit(df, outcome, DRIVERS, None, "unit_key")
        rows = by_driver(res.table)
        ones = np.ones(len(df))
        sd_y = within_sd(df, outcome, ones)
        for d in DRIVERS:
            k = within_sd(df, d, ones) / sd_y
            assert rows[d]["level"] == "unit"
            assert rows[d]["n"] == len(df)
            assert rows[d]["estimate"] == pytest.approx(f.params[d], rel=RTOL)
            assert rows[d]["std_error"] == pytest.approx(f.bse[d] * k, rel=RTOL)
            assert rows[d]["p_value"] == pytest.approx(f.pvalues[d], rel=1e-7)
        lmg, r2 = lmg_reference(df, outcome, DRIVERS, [], None)
        for d in DRIVERS:
            assert rows[d]["lmg"] == pytest.approx(lmg[d], rel=RTOL)
        assert rows[DRIVERS[0]]["r2"] == pytest.approx(r2, rel=RTOL)


def test_customer_outcomes_default_to_the_unit_level(small: miroir.Study) -> None:
    res = miroir.drivers(small, outcome="share_satisfied", n_resamples=0)
    assert set(res.table["level"]) == {"unit"}
    with pytest.raises(miroir.InvalidArgumentError, match="level='unit'"):
        miroir.drivers(small, outcome="share_satisfied", level="employee")


def test_planted_effects_are_recovered() -> None:
    # src/synth/model.rs: engagement = ... + 0.15 (manager - 50) + 0.10 (informed - 50)
    # + 3 trained - 8 exp(-tenure/6) - penalty_s * customer_facing + unit effect + noise.
    study = miroir.synthetic_study(studies=6, employees=30_000, customers=30_000, seed=11)
    emp = study.employees.with_columns(
        (-(-pl.col("tenure_months").cast(pl.Float64) / 6.0).exp()).alias("newcomer")
    )
    s = miroir.Study(emp, study.customers, study.mentions)
    planted = {"manager_support": 0.15, "informed": 0.10, "trained_customer": 3.0, "newcomer": 8.0}
    res = miroir.drivers(s, drivers=list(planted), controls=["customer_facing"], n_resamples=0)
    rows = by_driver(res.table)
    # Engagement is drawn from a normal truncated to [0, 100] (the residual is redrawn until it
    # falls inside), which attenuates every slope by about a tenth on this study: the estimates
    # lie within 4 standard errors of the planted values and between 80% and 102% of them.
    for d, value in planted.items():
        est, se_raw = rows[d]["estimate"], rows[d]["std_error"] * rows[d]["estimate"] / rows[d]["beta_std"]
        assert abs(est - value) < 4 * abs(se_raw), (d, est, value, se_raw)
        assert 0.8 < est / value < 1.02, (d, est, value)
    assert rows["manager_support"]["rank"] == 1


def test_bootstrap_is_seeded_and_brackets_the_share(small: miroir.Study) -> None:
    a = miroir.drivers(small, n_resamples=300, seed=5).table
    b = miroir.drivers(small, n_resamples=300, seed=5).table
    c = miroir.drivers(small, n_resamples=300, seed=6).table
    assert a.equals(b)
    assert not a["share_ci_low"].equals(c["share_ci_low"])
    for r in a.to_dicts():
        assert 0.0 <= r["share_ci_low"] <= r["share_ci_high"] <= 1.0
        # a share near 0 (LMG >= 0) is biased upwards in resamples, so its percentile interval
        # may lie above it (relaimpo's percentile intervals behave alike); away from 0 it
        # brackets the estimate
        if r["share"] > 0.05:
            assert r["share_ci_low"] <= r["share"] <= r["share_ci_high"]
        assert 0.0 <= r["p_first"] <= 1.0
    assert a["p_first"].sum() == pytest.approx(1.0, abs=1e-12)
    # the point estimates do not depend on the bootstrap
    z = miroir.drivers(small, n_resamples=0).table
    assert z["share"].to_list() == a["share"].to_list()
    assert z["share_ci_low"].is_nan().all()
    assert "n_resamples = 0" in z["note"][0]


def test_bootstrap_spread_matches_a_direct_cluster_bootstrap(small: miroir.Study) -> None:
    """The standard deviation of the bootstrap shares against a direct stratified cluster
    bootstrap of the unit-level model written here with numpy (different random draws, so the
    two spreads agree to Monte-Carlo error only: 2,000 resamples each, within 15%)."""
    res = miroir.drivers(small, outcome="share_satisfied", n_resamples=2000, seed=1).table
    df = unit_frame(small, False)
    rng = np.random.default_rng(2)
    studies = {s: df.index[df.study == s].to_numpy() for s in df.study.unique()}
    shares = []
    for _ in range(2000):
        idx = np.concatenate([rng.choice(ix, len(ix)) for ix in studies.values()])
        sample = df.iloc[idx].reset_index(drop=True)
        z = sample[DRIVERS + ["share_satisfied"]] - sample.groupby("study")[DRIVERS + ["share_satisfied"]].transform("mean")
        c = np.corrcoef(z.to_numpy(float).T)
        lmg = shapley_from_corr(c)
        shares.append(lmg / lmg.sum())
    sd_ref = np.std(np.array(shares), axis=0, ddof=1)
    # our interval's width against the reference's percentile interval width
    q = np.quantile(np.array(shares), [0.025, 0.975], axis=0)
    ours = (res["share_ci_high"] - res["share_ci_low"]).to_numpy()
    assert np.all(np.abs(ours / (q[1] - q[0]) - 1) < 0.15), (ours, q[1] - q[0], sd_ref)


def shapley_from_corr(c: np.ndarray) -> np.ndarray:
    """LMG of the predictors (all but the last row/column) of a correlation matrix, numpy."""
    p = c.shape[0] - 1

    def r2(s: tuple[int, ...]) -> float:
        if not s:
            return 0.0
        ix = list(s)
        return float(c[-1, ix] @ np.linalg.solve(c[np.ix_(ix, ix)], c[ix, -1]))

    out = np.zeros(p)
    for i in range(p):
        others = [j for j in range(p) if j != i]
        for k in range(p):
            for s in itertools.combinations(others, k):
                w = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
                out[i] += w * (r2(tuple(sorted((*s, i)))) - r2(s))
    return out


def test_result_display(small: miroir.Study) -> None:
    res = miroir.drivers(small, n_resamples=200)
    head = res._headline()
    assert "Drivers of engagement (employee level, 4 drivers" in head
    first = res.table.filter(pl.col("rank") == 1).row(0, named=True)
    assert first["label"] in head
    assert res.table["label_fr"].null_count() == 0
    assert set(res.table["seed"]) == {"000", "002", "003", "004"}
    assert miroir.drivers(small, n_resamples=0).table.columns == res.table.columns


def test_seed_drivers_catalogue() -> None:
    from miroir.drivers import SEED_DRIVERS

    assert list(SEED_DRIVERS) == DRIVERS
    for en, fr, seed in SEED_DRIVERS.values():
        assert en and fr and en != fr and seed in {"000", "002", "003", "004"}


def test_bad_inputs(small: miroir.Study) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="outcome"):
        miroir.drivers(small, outcome="loyalty")
    with pytest.raises(miroir.InvalidArgumentError, match="level"):
        miroir.drivers(small, level="region")
    with pytest.raises(miroir.InvalidArgumentError, match="'nope' is not a column of the employees table"):
        miroir.drivers(small, drivers=["nope"])
    with pytest.raises(miroir.InvalidArgumentError, match="'unit' cannot be a driver"):
        miroir.drivers(small, drivers=["unit"])
    with pytest.raises(miroir.InvalidArgumentError, match="listed twice"):
        miroir.drivers(small, drivers=["informed"], controls=["informed"])
    with pytest.raises(miroir.InvalidArgumentError, match="n_resamples"):
        miroir.drivers(small, n_resamples=50)
    with pytest.raises(miroir.InvalidArgumentError, match="confidence"):
        miroir.drivers(small, confidence=1.5)
    with pytest.raises(miroir.InvalidArgumentTypeError):
        miroir.drivers(small, drivers=[1, 2])  # type: ignore[list-item]
    emp = small.employees
    text = miroir.Study(emp.with_columns(pl.lit("x").alias("region")), small.customers, small.mentions)
    with pytest.raises(miroir.InvalidArgumentError, match="'region' is str; drivers must be numbers or yes/no columns"):
        miroir.drivers(text, drivers=["region"])
    const = miroir.Study(emp.with_columns(pl.lit(1.0).alias("flat")), small.customers, small.mentions)
    with pytest.raises(miroir.StatsError, match="'flat' does not vary within studies"):
        miroir.drivers(const, drivers=["flat", "informed"], n_resamples=0)
    twin = miroir.Study(emp.with_columns((pl.col("informed") * 2.0).alias("informed2")),
                        small.customers, small.mentions)
    with pytest.raises(miroir.StatsError, match="informed"):
        miroir.drivers(twin, drivers=["informed", "informed2"], n_resamples=0)
    mostly = miroir.Study(
        emp.with_columns(pl.when(pl.int_range(pl.len()) % 3 == 0).then(pl.col("informed")).alias("sparse")),
        small.customers, small.mentions)
    with pytest.raises(miroir.InsufficientDataError, match="'sparse' is missing for"):
        miroir.drivers(mostly, drivers=["sparse"], n_resamples=0)


def test_some_missing_drivers_are_left_out_with_a_note(small: miroir.Study) -> None:
    emp = small.employees.with_columns(
        pl.when(pl.int_range(pl.len()) % 10 == 0).then(None).otherwise(pl.col("informed")).alias("informed")
    )
    s = miroir.Study(emp, small.customers, small.mentions)
    res = miroir.drivers(s, n_resamples=0).table
    n_missing = emp["informed"].null_count()
    assert res["n"][0] == emp.height - n_missing
    assert f"{n_missing} employees without every driver answered were left out" in res["note"][0]
    df = employee_frame(s, DRIVERS).dropna()
    f = fit(df, "engagement", DRIVERS, None, "unit_key")
    assert by_driver(res)["informed"]["estimate"] == pytest.approx(f.params["informed"], rel=RTOL)


def test_chart(small: miroir.Study) -> None:
    chart = miroir.drivers(small, n_resamples=200).chart(height=3)
    assert chart.to_png()[:4] == b"\x89PNG"




def test_customer_weights_weight_the_unit_outcomes_in_memory_and_streamed(small: miroir.Study, tmp_path) -> None:
    rng = np.random.default_rng(8)
    cus = small.customers.with_columns(pl.Series("weight", rng.uniform(0.3, 3.0, small.customers.height)))
    weighted_customers = miroir.Study(small.employees, cus, small.mentions)
    note = "unit customer outcomes are weighted by the customers' weights (units count equally)"
    res = miroir.drivers(weighted_customers, outcome="share_satisfied", n_resamples=0).table
    assert note in res["note"][0]
    assert note not in (miroir.drivers(small, outcome="share_satisfied", n_resamples=0).table["note"][0] or "")
    # the outcome is the weighted unit share of miroir.linkage_units, against statsmodels
    units = miroir.linkage_units(weighted_customers).table
    df = unit_frame(small, False).drop(columns=["share_satisfied"]).merge(
        units.select("study", "unit", "share_satisfied").to_pandas(), on=["study", "unit"])
    f = fit(df, "share_satisfied", DRIVERS, None, "unit_key")
    for d in DRIVERS:
        assert by_driver(res)[d]["estimate"] == pytest.approx(f.params[d], rel=RTOL)
    folder = weighted_customers.write(tmp_path / "study")
    streamed = miroir.load_study(folder, streaming=True)
    assert streamed.streamed
    again = miroir.drivers(streamed, outcome="share_satisfied", n_resamples=0).table
    assert again.equals(res)
