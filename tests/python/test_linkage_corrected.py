"""``miroir.linkage_corrected``: linkage corrected for the unreliability of unit means, recomputed
independently with pandas + scipy, to 1e-10 relative.

References:
- linkable units, unit means and the observed Pearson r: pandas group-bys and
  ``scipy.stats.pearsonr`` (the definitions of ``miroir.linkage``'s docstring);
- reliability of a unit mean = ICC(2) of the one-way ANOVA by unit, written out here as in
  Bliese (2000), "Within-group agreement, non-independence, and reliability", in Klein &
  Kozlowski (eds.), *Multilevel Theory, Research, and Methods in Organizations*, and R
  ``multilevel::ICC1/ICC2``: ICC(1) = (MSB − MSW)/(MSB + (k̄ − 1)·MSW) with k̄ = N/G,
  ICC(2) = (MSB − MSW)/MSB (as tests/python/test_stats_reliability.py does);
- Spearman's (1904) correction for attenuation, r / sqrt(rxx·ryy);
- the Hunter–Schmidt rows: ``miroir.stats.meta_hunter_schmidt`` (itself checked against
  psychmeta's ``ma_r`` in its own tests) on the per-study r, n_units and reliabilities above;
  the random-effects row: ``miroir.linkage(study, by="study")``'s pooled row.
"""

from __future__ import annotations

from functools import partial
import math
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.stats as st

import miroir

import _support
from miroir.stats import meta_hunter_schmidt

RTOL = 1e-10
NOTE_ABOVE_ONE = "corrected r above 1: the reliabilities are underestimated or the sample is small"


close = partial(_support.close, rtol=RTOL, atol=1e-13)


def icc_anova(values: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """ICC(1), ICC(2) from the one-way ANOVA (Bliese 2000; k̄ = N/G as R multilevel)."""
    df = pd.DataFrame({"v": values, "g": groups})
    n, g = len(df), df.g.nunique()
    grand = df.v.mean()
    stats_ = df.groupby("g").v.agg(["mean", "size"])
    ssb = float((stats_["size"] * (stats_["mean"] - grand) ** 2).sum())
    ssw = float(((df.v - df.groupby("g").v.transform("mean")) ** 2).sum())
    msb, msw = ssb / (g - 1), ssw / (n - g)
    kbar = n / g
    return (msb - msw) / (msb + (kbar - 1) * msw), (msb - msw) / msb


def linkable_units(emp: pd.DataFrame, cus: pd.DataFrame, k: int = 5) -> set[tuple[str, str]]:
    """Units entering the linkage, by the rule of ``miroir.linkage_units``' docstring: both sides
    present, no side with 1..k-1 respondents, and not the complementary unit that protects a
    study's only small unit on a side (the smallest other unit with respondents on that side,
    ties by name; sides in the order employees, customers)."""
    n_e = emp.groupby(["study", "unit"]).size().rename("n_e")
    n_c = cus.groupby(["study", "unit"]).size().rename("n_c")
    u = pd.concat([n_e, n_c], axis=1).fillna(0).astype(int).reset_index().sort_values(["study", "unit"])
    u["hidden"] = ((u.n_e > 0) & (u.n_e < k)) | ((u.n_c > 0) & (u.n_c < k))
    for _, g in u.groupby("study"):
        for side in ["n_e", "n_c"]:
            cur = u.loc[g.index]
            if ((cur.hidden) & (cur[side] > 0)).sum() != 1:
                continue
            cand = cur[~cur.hidden & (cur[side] > 0)]
            if len(cand):
                u.loc[cand.sort_values([side, "unit"]).index[0], "hidden"] = True
    ok = u[~u.hidden & (u.n_e > 0) & (u.n_c > 0)]
    return set(zip(ok.study, ok.unit))


def reference(study: miroir.Study, outcome: str = "share_satisfied", threshold: float = 7.0) -> pd.DataFrame:
    """Per-study r, reliabilities and r_corrected recomputed from the raw tables."""
    emp = study.employees.to_pandas()
    cus = study.customers.to_pandas()
    keys = linkable_units(emp, cus)
    # the same units as the published unit table's unsuppressed ones
    shown = miroir.linkage_units(study).table.filter(
        ~pl.col("suppressed") & (pl.col("n_employees") > 0) & (pl.col("n_customers") > 0))
    assert keys == set(zip(shown["study"], shown["unit"]))
    emp = emp[[k in keys for k in zip(emp.study, emp.unit)]]
    cus = cus[[k in keys for k in zip(cus.study, cus.unit)]].copy()
    cus["sat"] = (cus.satisfaction >= threshold).astype(float)
    y_col = "sat" if outcome == "share_satisfied" else "satisfaction"
    e = emp.groupby(["study", "unit"]).agg(eng=("engagement", "mean"))
    c = cus.groupby(["study", "unit"]).agg(out=(y_col, "mean"))
    u = e.join(c, how="inner").reset_index()
    rows = []
    for name, g in u.groupby("study", sort=True):
        ee, cc = emp[emp.study == name], cus[cus.study == name]
        r = st.pearsonr(g.eng, g.out).statistic if len(g) >= 3 else math.nan
        _, rel_e = icc_anova(ee.engagement.to_numpy(), ee.unit.to_numpy())
        _, rel_c = icc_anova(cc[y_col].to_numpy(), cc.unit.to_numpy())
        rc = r / math.sqrt(rel_e * rel_c) if rel_e > 0 and rel_c > 0 else math.nan
        rows.append(dict(study=name, n_units=len(g), n_employees=len(ee), n_customers=len(cc),
                         r=r, rel_e=rel_e, rel_c=rel_c, r_corrected=rc))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def synthetic() -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.synthetic_study(studies=4, employees=1_600, customers=6_000, seed=5)


def check_study_rows(res: pl.DataFrame, ref: pd.DataFrame) -> float:
    """Asserts the study rows equal the reference; returns the largest relative difference."""
    rows = res.filter(pl.col("level") == "study")
    assert rows["study"].to_list() == ref.study.to_list()
    worst = 0.0
    for got, want in zip(rows.iter_rows(named=True), ref.itertuples()):
        assert got["method"] is None
        assert (got["n_units"], got["n_employees"], got["n_customers"]) == (
            want.n_units, want.n_employees, want.n_customers)
        for col, w in [("r", want.r), ("reliability_employees", want.rel_e),
                       ("reliability_customers", want.rel_c), ("r_corrected", want.r_corrected)]:
            assert close(got[col], w), (got["study"], col, got[col], w)
            if math.isfinite(w):
                worst = max(worst, abs(got[col] - w) / abs(w))
        note = got["note"] or ""
        assert (NOTE_ABOVE_ONE in note) == (abs(want.r_corrected) > 1), (got["study"], note)
    return worst


def check_pooled_rows(study: miroir.Study, res: pl.DataFrame, ref: pd.DataFrame, outcome: str,
                      confidence: float = 0.95, credibility: float = 0.80) -> None:
    pooled = res.filter(pl.col("level") == "pooled")
    assert pooled["method"].to_list() == ["random_effects", "hunter_schmidt_bare_bones", "hunter_schmidt_corrected"]
    assert (pooled["study"] == "all").all()
    re, bb, co = pooled.iter_rows(named=True)

    link = miroir.linkage(study, by="study", outcome=outcome, n_resamples=0, confidence=confidence).table
    lp = link.row(-1, named=True)
    for col in ["estimate", "p_value", "ci_low", "ci_high"]:
        assert close(re[col], lp[col]), (col, re[col], lp[col])
    assert close(re["tau"], math.sqrt(lp["tau2"]))
    assert re["cr_low"] is None and re["percent_var_accounted"] is None

    # Hunter-Schmidt on the studies of the meta-analysis (4 or more units, a defined r)
    m = ref[(ref.n_units >= 4) & np.isfinite(ref.r)]
    hs = meta_hunter_schmidt(m.r.to_list(), m.n_units.to_list(), confidence=confidence,
                             credibility=credibility).row(0, named=True)
    usable = m[(m.rel_e > 0) & (m.rel_c > 0)]
    hc = meta_hunter_schmidt(usable.r.to_list(), usable.n_units.to_list(), rxx=usable.rel_e.to_list(),
                             ryy=usable.rel_c.to_list(), confidence=confidence,
                             credibility=credibility).filter(pl.col("analysis") == "corrected").row(0, named=True)
    for got, want, sd, sub in [(bb, hs, "sd_res", m), (co, hc, "sd_rho", usable)]:
        for col in ["estimate", "ci_low", "ci_high", "cr_low", "cr_high", "percent_var_accounted"]:
            assert close(got[col], want[col]), (got["method"], col, got[col], want[col])
        assert close(got["sd_res"], want[sd])
        assert got["k"] == len(sub) and got["n_total"] == int(sub.n_units.sum()) == got["n_units"]
        assert got["p_value"] is None and got["tau"] is None
    left = len(m) - len(usable)
    assert ((co["note"] or "").count("left out") == 1) == (left > 0)


def test_synthetic_study_matches_pandas_scipy_and_the_kernels(synthetic):
    res = miroir.linkage_corrected(synthetic).table
    ref = reference(synthetic)
    assert check_study_rows(res, ref) < RTOL
    check_pooled_rows(synthetic, res, ref, "share_satisfied")
    # the observed r is linkage's own
    link = miroir.linkage(synthetic, by="study", n_resamples=0).table.filter(pl.col("level") == "study")
    assert res.filter(pl.col("level") == "study")["r"].to_list() == link["estimate"].to_list()


def test_mean_satisfaction_outcome_and_levels(synthetic):
    res = miroir.linkage_corrected(synthetic, outcome="mean_satisfaction", confidence=0.9, credibility=0.7).table
    ref = reference(synthetic, outcome="mean_satisfaction")
    check_study_rows(res, ref)
    check_pooled_rows(synthetic, res, ref, "mean_satisfaction", confidence=0.9, credibility=0.7)


def constructed_study() -> miroir.Study:
    """Three studies of 6 units, 10 employees and 10 customers each (deviations within a unit
    sum to zero, so the unit means are exactly the ones set):
    - "a": ordinary, reliable unit means;
    - "b": strongly related unit means but large spread within units (low reliabilities):
      the corrected r is above 1;
    - "c": customers' unit means nearly equal, spread within units large: ICC(2) < 0."""
    dev_e = np.array([-9, -7, -5, -3, -1, 1, 3, 5, 7, 9], float)
    dev_c = np.array([-2, -1.5, -1, -0.5, -0.25, 0.25, 0.5, 1, 1.5, 2])
    spec = {
        "a": ([40, 48, 52, 60, 66, 71], [5.1, 6.3, 6.6, 7.4, 7.9, 8.8], 0.3, 0.3),
        "b": ([50, 52, 54, 56, 58, 60], [6.0, 6.3, 6.5, 6.9, 7.1, 7.5], 1.2, 1.0),
        "c": ([40, 45, 50, 55, 60, 65], [7.0, 7.02, 6.99, 7.03, 7.01, 7.04], 0.5, 1.2),
    }
    emp, cus = [], []
    for s, (me, mc, ke, kc) in spec.items():
        for j, (e, c) in enumerate(zip(me, mc)):
            for i in range(10):
                emp.append(dict(study=s, unit=f"u{j}", employee_id=f"{s}e{j}_{i}", customer_facing=i % 2 == 0,
                                engagement=e + ke * dev_e[i]))
                cus.append(dict(study=s, unit=f"u{j}", customer_id=f"{s}c{j}_{i}",
                                satisfaction=min(10.0, max(0.0, c + kc * dev_c[(i * 3) % 10]))))
    return miroir.Study(pl.DataFrame(emp), pl.DataFrame(cus))


def test_constructed_case_above_one_and_undefined_reliability():
    study = constructed_study()
    res = miroir.linkage_corrected(study, outcome="mean_satisfaction").table
    ref = reference(study, outcome="mean_satisfaction")
    check_study_rows(res, ref)
    b = res.filter(pl.col("study") == "b").row(0, named=True)
    assert b["r_corrected"] > 1, b  # reported as computed, not clipped
    assert close(b["r_corrected"], b["r"] / math.sqrt(b["reliability_employees"] * b["reliability_customers"]))
    assert NOTE_ABOVE_ONE in b["note"]
    c = res.filter(pl.col("study") == "c").row(0, named=True)
    assert c["reliability_customers"] < 0 and math.isnan(c["r_corrected"])
    assert "customers' reliability (ICC(2))" in c["note"] and "cannot be corrected" in c["note"]
    check_pooled_rows(study, res, ref, "mean_satisfaction")
    co = res.filter(pl.col("method") == "hunter_schmidt_corrected").row(0, named=True)
    assert co["k"] == 2 and "1 of 3 studies left out" in co["note"] and "not positive: c" in co["note"]


def test_one_study_keeps_the_pooled_rows_as_linkage_does():
    study = constructed_study()
    one = miroir.Study(study.employees.filter(pl.col("study") == "a"), study.customers.filter(pl.col("study") == "a"))
    res = miroir.linkage_corrected(one).table
    ref = reference(one)
    check_study_rows(res, ref)
    re, bb, co = res.filter(pl.col("level") == "pooled").iter_rows(named=True)
    link = miroir.linkage(one, n_resamples=0).table.row(-1, named=True)
    assert close(re["estimate"], link["estimate"]) and "not a meta-analysis" in re["note"]
    for row in (bb, co):
        assert math.isnan(row["estimate"]) and "at least 2 studies" in row["note"]


def test_bad_arguments():
    study = constructed_study()
    with pytest.raises(miroir.InvalidArgumentError, match="outcome"):
        miroir.linkage_corrected(study, outcome="nps")
    with pytest.raises(miroir.InvalidArgumentError, match="credibility"):
        miroir.linkage_corrected(study, credibility=1.0)
    with pytest.raises(miroir.InvalidArgumentError, match="confidence"):
        miroir.linkage_corrected(study, confidence=0.0)
    with pytest.raises(miroir.InvalidArgumentTypeError):
        miroir.linkage_corrected(study.employees)
    with pytest.raises(miroir.InvalidArgumentTypeError):
        miroir.linkage_corrected(study, outcome=3)
