"""Weights honoured everywhere or refused loudly (issue 15, item 6).

A study with ``weight`` columns (employees and customers) is checked against independent
references computed here: statsmodels ``DescrStatsW`` and ``weightstats.ttest_ind(...,
usevar="unequal", weights=...)`` (statsmodels treats the weights as frequency weights: nobs =
sum(w), ddof on sum(w) - 1), ``WLS(...).fit(cov_type="cluster", use_t=True)`` with study
dummies, and polars group-bys for the weighted unit means and shares.
"""

from functools import partial
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps
from statsmodels.regression.linear_model import WLS
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind

import miroir
import _support

RTOL = 1e-10
THRESHOLD = 7.0  # default "satisfied" threshold of the 0-10 scale


close = partial(_support.close, rtol=RTOL, atol=0.0)


@pytest.fixture(scope="module")
def base() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=2_000, customers=8_000, seed=5)


def with_weights(study: miroir.Study, emp_w, cus_w) -> miroir.Study:
    emp, cus = study.employees, study.customers
    if emp_w is not None:
        emp = emp.with_columns(weight=pl.Series(emp_w, dtype=pl.Float64))
    if cus_w is not None:
        cus = cus.with_columns(weight=pl.Series(cus_w, dtype=pl.Float64))
    return miroir.Study(emp, cus, study.mentions)


@pytest.fixture(scope="module")
def weighted(base: miroir.Study) -> miroir.Study:
    rng = np.random.default_rng(2024)
    return with_weights(
        base,
        rng.uniform(0.3, 3.0, base.employees.height),
        rng.uniform(0.3, 3.0, base.customers.height),
    )


def reference_units(study: miroir.Study) -> pl.DataFrame:
    emp = study.employees.group_by("study", "unit").agg(
        n_e=pl.len(), eng=(pl.col("engagement") * pl.col("weight")).sum() / pl.col("weight").sum()
    )
    cus = study.customers.group_by("study", "unit").agg(
        n_c=pl.len(),
        share=((pl.col("satisfaction") >= THRESHOLD).cast(pl.Float64) * pl.col("weight")).sum()
        / pl.col("weight").sum(),
        sat=(pl.col("satisfaction") * pl.col("weight")).sum() / pl.col("weight").sum(),
    )
    return emp.join(cus, on=["study", "unit"], how="full", coalesce=True)


def test_unit_table_is_weighted_counts_stay_counts(weighted: miroir.Study, base: miroir.Study) -> None:
    got = miroir.linkage_units(weighted).table
    unw = miroir.linkage_units(base).table
    ref = reference_units(weighted)
    joined = got.join(ref, on=["study", "unit"], how="left")
    assert joined.height == got.height
    # counts and suppression are those of the unweighted study
    assert got.select("study", "unit", "n_employees", "n_customers", "suppressed").equals(
        unw.select("study", "unit", "n_employees", "n_customers", "suppressed")
    )
    shown = joined.filter(~pl.col("suppressed"))
    assert shown.height > 50
    for ours, theirs in [("mean_engagement", "eng"), ("share_satisfied", "share"), ("mean_satisfaction", "sat")]:
        a, b = shown[ours].to_numpy(), shown[theirs].to_numpy()
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=0)
    # and weighting changes them (the test would be void otherwise)
    assert not np.allclose(shown["share_satisfied"].to_numpy(), unw.filter(~pl.col("suppressed"))["share_satisfied"].to_numpy())


def mean_one(wa: np.ndarray, wb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Survey weights rescaled to mean 1 over both groups (sum = n), as miroir does before
    statsmodels' frequency-weight formulas, so that the test does not depend on their scale."""
    c = (len(wa) + len(wb)) / (wa.sum() + wb.sum())
    return wa * c, wb * c


def test_exposure_gap_weighted_welch_matches_statsmodels(weighted: miroir.Study, base: miroir.Study) -> None:
    gap = miroir.exposure_gap(weighted).table
    unw = miroir.exposure_gap(base).table
    emp = weighted.employees
    for row in gap.iter_rows(named=True):
        sub = emp if row["level"] == "pooled" else emp.filter(pl.col("study") == row["study"])
        other = sub.filter(~pl.col("customer_facing"))
        facing = sub.filter(pl.col("customer_facing"))
        x1, w1 = other["engagement"].to_numpy(), other["weight"].to_numpy()
        x2, w2 = facing["engagement"].to_numpy(), facing["weight"].to_numpy()
        w1, w2 = mean_one(w1, w2)
        d1, d2 = DescrStatsW(x1, weights=w1), DescrStatsW(x2, weights=w2)
        t, p, df = ttest_ind(x1, x2, usevar="unequal", weights=(w1, w2))
        lo, hi = CompareMeans(d1, d2).tconfint_diff(alpha=0.05, usevar="unequal")
        assert row["n_other"] == len(x1) and row["n_facing"] == len(x2)
        assert close(row["mean_other"], d1.mean) and close(row["mean_facing"], d2.mean)
        assert close(row["gap"], d1.mean - d2.mean)
        assert close(row["statistic"], t) and close(row["df"], df) and close(row["p_value"], p)
        assert close(row["ci_low"], lo) and close(row["ci_high"], hi)
        # Hedges' g and Mann-Whitney stay unweighted, and the note says so
        u = unw.filter(pl.col("study") == row["study"]).row(0, named=True)
        assert row["hedges_g"] == u["hedges_g"] and row["mw_statistic"] == u["mw_statistic"]
        assert row["rank_biserial"] == u["rank_biserial"]
        assert "Hedges' g and Mann-Whitney U are unweighted" in row["note"]


def test_adjusted_gap_is_wls_with_cluster_robust_errors(weighted: miroir.Study) -> None:
    pooled = miroir.exposure_gap(weighted).table.filter(pl.col("level") == "pooled").row(0, named=True)
    emp = weighted.employees
    studies = sorted(emp["study"].unique().to_list())
    dummies = np.column_stack([(emp["study"] == s).to_numpy().astype(float) for s in studies])
    X = np.column_stack([emp["customer_facing"].to_numpy().astype(float), dummies])
    clusters = (emp["study"] + "/" + emp["unit"]).to_numpy()
    _, groups = np.unique(clusters, return_inverse=True)
    fit = WLS(emp["engagement"].to_numpy(), X, weights=emp["weight"].to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    ci = fit.conf_int(alpha=0.05)[0]
    assert close(pooled["adjusted_gap"], -fit.params[0])
    assert close(pooled["adjusted_std_error"], fit.bse[0])
    assert close(pooled["adjusted_p_value"], fit.pvalues[0])
    assert close(pooled["adjusted_ci_low"], -ci[1]) and close(pooled["adjusted_ci_high"], -ci[0])


def test_linkage_uses_weighted_unit_means_and_says_what_is_unweighted(weighted: miroir.Study) -> None:
    link = miroir.linkage(weighted, n_resamples=0).table
    units = miroir.linkage_units(weighted).table
    linkable = units.filter(~pl.col("suppressed") & (pl.col("n_employees") > 0) & (pl.col("n_customers") > 0))
    ref = reference_units(weighted)
    linkable = linkable.join(ref, on=["study", "unit"])
    for row in link.filter(pl.col("level") == "study").iter_rows(named=True):
        u = linkable.filter(pl.col("study") == row["study"])
        # units count equally: the plain Pearson r of the weighted unit means (polars reference)
        r = sps.pearsonr(u["eng"].to_numpy(), u["share"].to_numpy())
        assert row["n_units"] == u.height
        assert close(row["estimate"], r.statistic) and close(row["p_value"], r.pvalue, rtol=1e-8)
    for note in link["note"].to_list():
        assert "units count equally in the correlation" in note
        assert "ICC(1) and ICC(2) are unweighted" in note
        assert "high-engagement contrast is unweighted" in note


def test_moment_shares_are_weighted(weighted: miroir.Study) -> None:
    res = miroir.moments(weighted).table
    men = weighted.mentions
    assert men is not None
    cw = weighted.customers.select("study", pl.col("customer_id").alias("respondent_id"), "weight")
    ew = weighted.employees.select("study", pl.col("employee_id").alias("respondent_id"), "weight")
    c = men.filter(pl.col("side") == "customer").join(cw, on=["study", "respondent_id"])
    e = men.filter(pl.col("side") == "employee").join(ew, on=["study", "respondent_id"])
    pos = lambda df: df.group_by("theme").agg(  # noqa: E731
        share=((pl.col("valence") == "positive").cast(pl.Float64) * pl.col("weight")).sum() / pl.col("weight").sum()
    )
    total_w = weighted.employees["weight"].sum()
    mentioning = e.unique(["study", "respondent_id", "theme"]).group_by("theme").agg(
        emp_share=pl.col("weight").sum() / total_w
    )
    ref = res.join(pos(c).rename({"share": "c_share"}), on="theme", how="left").join(
        pos(e).rename({"share": "e_share"}), on="theme", how="left"
    ).join(mentioning, on="theme", how="left")
    shown_c = ref.filter(~pl.col("customer_suppressed") & pl.col("customer_positive_share").is_not_null())
    shown_e = ref.filter(~pl.col("employee_suppressed") & pl.col("employee_positive_share").is_not_null())
    assert shown_c.height > 10 and shown_e.height > 10
    np.testing.assert_allclose(shown_c["customer_positive_share"], shown_c["c_share"], rtol=RTOL, atol=0)
    np.testing.assert_allclose(shown_e["employee_positive_share"], shown_e["e_share"], rtol=RTOL, atol=0)
    np.testing.assert_allclose(shown_e["employee_share"], shown_e["emp_share"], rtol=RTOL, atol=0)
    assert all("classification tests (binomial, Wilson) use counts, unweighted" in n for n in res["note"])


def test_moment_effects_weighted_welch_matches_statsmodels(weighted: miroir.Study) -> None:
    eff = miroir.moment_effects(weighted).table
    themes = miroir.moments(weighted).table.select("theme", "moment")
    men = weighted.mentions
    assert men is not None
    checked = 0
    for row in eff.filter(~pl.col("suppressed") & pl.col("p_value").is_not_null()).iter_rows(named=True):
        side = row["side"]
        table = weighted.customers if side == "customer" else weighted.employees
        ids = "customer_id" if side == "customer" else "employee_id"
        value = "satisfaction" if side == "customer" else "engagement"
        moment_themes = themes.filter(pl.col("moment") == row["moment"])["theme"]
        who = men.filter((pl.col("side") == side) & pl.col("theme").is_in(moment_themes.implode())).select(
            "study", pl.col("respondent_id").alias(ids)
        ).unique()
        flagged = table.join(who.with_columns(hit=pl.lit(True)), on=["study", ids], how="left")
        a = flagged.filter(pl.col("hit").is_not_null())
        b = flagged.filter(pl.col("hit").is_null())
        xa, wa, xb, wb = a[value].to_numpy(), a["weight"].to_numpy(), b[value].to_numpy(), b["weight"].to_numpy()
        wa, wb = mean_one(wa, wb)
        t, p, df = ttest_ind(xa, xb, usevar="unequal", weights=(wa, wb))
        lo, hi = CompareMeans(DescrStatsW(xa, weights=wa), DescrStatsW(xb, weights=wb)).tconfint_diff(usevar="unequal")
        assert row["n_mentioning"] == len(xa) and row["n_other"] == len(xb)
        assert close(row["mean_mentioning"], DescrStatsW(xa, weights=wa).mean)
        assert close(row["statistic"], t) and close(row["df"], df) and close(row["p_value"], p)
        assert close(row["ci_low"], lo) and close(row["ci_high"], hi)
        assert "Hedges' g unweighted" in row["note"]
        checked += 1
    assert checked >= 4


def drop_notes(df: pl.DataFrame) -> pl.DataFrame:
    return df.drop([c for c in ("note", "method") if c in df.columns])


def test_unit_weights_give_the_unweighted_results(base: miroir.Study) -> None:
    ones = with_weights(base, np.ones(base.employees.height), np.ones(base.customers.height))
    # the unit table: the same arithmetic, exactly
    assert miroir.linkage_units(ones).table.equals(miroir.linkage_units(base).table)
    link_a, link_b = miroir.linkage(ones, n_resamples=199).table, miroir.linkage(base, n_resamples=199).table
    assert drop_notes(link_a).equals(drop_notes(link_b))
    # weighted Welch / WLS with unit weights: Welch / OLS up to rounding
    for fa, fb in [
        (miroir.exposure_gap(ones).table, miroir.exposure_gap(base).table),
        (miroir.moments(ones).table, miroir.moments(base).table),
        (miroir.moment_effects(ones).table, miroir.moment_effects(base).table),
    ]:
        a, b = drop_notes(fa), drop_notes(fb)
        assert a.columns == b.columns and a.height == b.height
        for col in a.columns:
            if a[col].dtype == pl.Float64:
                np.testing.assert_allclose(a[col].to_numpy(), b[col].to_numpy(), rtol=1e-11, atol=1e-12, err_msg=col)
            else:
                assert a[col].equals(b[col]), col


def test_a_missing_weight_is_a_typed_error(base: miroir.Study) -> None:
    emp_w = np.ones(base.employees.height)
    cus_w = pl.Series(np.ones(base.customers.height)).scatter([3, 17], None)
    study = with_weights(base, emp_w, cus_w)
    # (the exposure gap reads only employees: customer weights do not enter it)
    for call in (miroir.linkage_units, miroir.moments, miroir.moment_effects):
        with pytest.raises(miroir.MissingValueError) as err:
            call(study)
        msg = str(err.value)
        assert "'customers'" in msg and "'weight'" in msg and "2 rows" in msg and "3, 17" in msg
    emp_null = pl.Series(emp_w).scatter([5], None)
    study = with_weights(base, emp_null, None)
    for call in (miroir.linkage_units, miroir.exposure_gap, miroir.moment_effects):
        with pytest.raises(miroir.MissingValueError, match=r"'employees'.*'weight'.*1 row .*5"):
            call(study)
    # a NaN weight is refused like a missing one
    study = with_weights(base, None, pl.Series(np.ones(base.customers.height)).scatter([4], float("nan")))
    with pytest.raises(miroir.MissingValueError, match=r"'customers'.*'weight'.*1 row .*4"):
        miroir.linkage_units(study)
    assert miroir.exposure_gap(study).table.height == 4  # employees only: unaffected


def test_streamed_weighted_study_equals_in_memory(weighted: miroir.Study, tmp_path: Path) -> None:
    folder = weighted.write(tmp_path / "weighted")
    streamed = miroir.load_study(folder, streaming=True)
    whole = miroir.load_study(folder, streaming=False)
    assert streamed.streamed
    for call in (
        miroir.linkage_units,
        lambda s: miroir.linkage(s, n_resamples=199),
        miroir.exposure_gap,
        miroir.moments,
        miroir.moment_effects,
    ):
        a, b = call(streamed).table, call(whole).table
        assert a.equals(b)
        assert call(weighted).table.equals(a)
    # the weights were read by the scan: the streamed unit table is the weighted one
    ref = reference_units(weighted)
    got = miroir.linkage_units(streamed).table.filter(~pl.col("suppressed")).join(ref, on=["study", "unit"])
    np.testing.assert_allclose(got["share_satisfied"], got["share"], rtol=RTOL, atol=0)


def test_what_stays_unweighted_says_so(weighted: miroir.Study, base: miroir.Study) -> None:
    # the multilevel gap: the REML fit is unweighted, its ols_gap is exposure_gap's weighted gap
    ml = miroir.multilevel_gap(weighted).table
    unw = miroir.multilevel_gap(base).table
    assert ml["gap"].to_list() == unw["gap"].to_list()
    assert all("random-intercept model does not use the employee weights" in n for n in ml["note"])
    pooled = miroir.exposure_gap(weighted).table.filter(pl.col("level") == "pooled")
    assert ml.filter(pl.col("level") == "pooled")["ols_gap"][0] == pooled["adjusted_gap"][0]
    # the corrected linkage: r from the weighted unit means, reliabilities unweighted
    lc = miroir.linkage_corrected(weighted).table.filter(pl.col("level") == "study")
    lc0 = miroir.linkage_corrected(base).table.filter(pl.col("level") == "study")
    assert lc["reliability_employees"].to_list() == lc0["reliability_employees"].to_list()
    link = miroir.linkage(weighted).table.filter(pl.col("level") == "study")
    assert lc["r"].to_list() == link["estimate"].to_list()
    assert all("reliabilities (ICC(2)) are unweighted" in n for n in lc["note"])


def test_the_high_engagement_indicator_says_it_is_unweighted(weighted: miroir.Study, base: miroir.Study) -> None:
    ind = miroir.indicators(weighted, n_resamples=0).table.filter(pl.col("id") == "satisfaction_high_engagement")
    ind0 = miroir.indicators(base, n_resamples=0).table.filter(pl.col("id") == "satisfaction_high_engagement")
    assert "unweighted: customers counted equally" in ind["note"][0]
    assert "unweighted" not in ind0["note"][0]
