"""Every number of `miroir.report` re-computed independently with pandas + scipy + statsmodels
on a small synthetic study, following the definitions in the docstrings, to 1e-9 relative.

Bootstrap intervals (seeded Rust streams) cannot be reproduced draw for draw by numpy; for them we
check the point estimate exactly and that the interval is a proper interval around it.
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
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

import miroir

import _support

RTOL = 1e-9


close = partial(_support.close, rtol=RTOL, atol=1e-12)


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.synthetic_study(studies=3, employees=1_800, customers=9_000, seed=11)


@pytest.fixture(scope="module")
def frames(study):
    return study.employees.to_pandas(), study.customers.to_pandas(), study.mentions.to_pandas()


@pytest.fixture(scope="module")
def units(frames) -> pd.DataFrame:
    emp, cus, _ = frames
    e = emp.groupby(["study", "unit"]).agg(n_employees=("engagement", "size"), mean_engagement=("engagement", "mean"))
    c = cus.assign(sat=cus.satisfaction >= 7).groupby(["study", "unit"]).agg(
        n_customers=("satisfaction", "size"), n_satisfied=("sat", "sum"), mean_satisfaction=("satisfaction", "mean")
    )
    u = e.join(c, how="outer").reset_index().fillna({"n_employees": 0, "n_customers": 0, "n_satisfied": 0})
    u["share_satisfied"] = u.n_satisfied / u.n_customers
    k = 5
    u["small"] = ((u.n_employees > 0) & (u.n_employees < k)) | ((u.n_customers > 0) & (u.n_customers < k))
    return u.sort_values(["study", "unit"]).reset_index(drop=True)


def test_unit_table(study, units):
    t = miroir.linkage_units(study).to_pandas()
    assert list(t.study) == list(units.study) and list(t.unit) == list(units.unit)
    assert (t.n_employees.to_numpy() == units.n_employees.to_numpy()).all()
    shown = ~t.suppressed
    assert close(list(t.mean_engagement[shown]), list(units.mean_engagement[shown]))
    assert close(list(t.share_satisfied[shown]), list(units.share_satisfied[shown]))
    assert t.mean_engagement[t.suppressed].isna().all()
    # every small unit is suppressed; a study with one small unit has a complementary partner
    assert t.suppressed[units.small].all()
    for s, g in t.groupby("study"):
        small = units[units.study == s].small.sum()
        if small == 1:
            assert g.suppressed.sum() == 2


def linkable(units):
    return units[(units.n_employees > 0) & (units.n_customers > 0) & ~units.small]


def icc_anova(values: pd.Series, groups: pd.Series) -> tuple[float, float]:
    df = pd.DataFrame({"y": values.to_numpy(), "g": groups.to_numpy()})
    fit = sm.OLS.from_formula("y ~ C(g)", df).fit()
    table = sm.stats.anova_lm(fit)
    msb, msw = table["mean_sq"].iloc[0], table["mean_sq"].iloc[1]
    kbar = df.groupby("g").size().mean()
    return (msb - msw) / (msb + (kbar - 1) * msw), (msb - msw) / msb


def test_linkage_per_study(study, units, frames):
    emp = frames[0]
    t = miroir.linkage(study).to_pandas()
    for s, g in linkable(units).groupby("study"):
        row = t[(t.level == "study") & (t.study == s)].iloc[0]
        r = st.pearsonr(g.mean_engagement, g.share_satisfied)
        ci = r.confidence_interval(0.95)
        assert close(row.estimate, r.statistic) and close(row.p_value, r.pvalue)
        assert close(row.ci_low, ci.low) and close(row.ci_high, ci.high)
        assert row.n_units == len(g)
        e = emp[emp.study == s]
        icc1, icc2 = icc_anova(e.engagement, e.unit)
        assert close(row.icc1, icc1) and close(row.icc2, icc2)
        # high-engagement contrast: top ceil(k/3) units by engagement (ties by unit name)
        order = g.sort_values(["mean_engagement", "unit"], ascending=[False, True])
        top = order.head(math.ceil(len(g) / 3))
        rest = g[~g.unit.isin(top.unit)]
        k1, n1, k2, n2 = top.n_satisfied.sum(), top.n_customers.sum(), rest.n_satisfied.sum(), rest.n_customers.sum()
        assert close(row.share_satisfied_high, k1 / n1) and close(row.share_satisfied_rest, k2 / n2)
        z, p = proportions_ztest([k1, k2], [n1, n2])
        lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
        assert close(row.satisfied_diff_p, p)
        assert close(row.satisfied_diff_ci_low, lo) and close(row.satisfied_diff_ci_high, hi)
        # top-8% uplift
        ranked = g.sort_values(["mean_satisfaction", "study", "unit"], ascending=[False, True, True])
        m = math.ceil(0.08 * len(g))
        uplift = ranked.head(m).mean_engagement.mean() / ranked.iloc[m:].mean_engagement.mean() - 1
        assert close(row.uplift, uplift)
        assert row.uplift_ci_low < row.uplift < row.uplift_ci_high


def test_linkage_pooled_meta_analysis(study, units):
    t = miroir.linkage(study).to_pandas()
    pooled = t[t.level == "pooled"].iloc[0]
    per = t[t.level == "study"]
    z = np.arctanh(per.estimate.to_numpy())
    v = 1 / (per.n_units.to_numpy() - 3)
    tau2 = pooled.tau2
    w = 1 / (v + tau2)
    mu = (w * z).sum() / w.sum()
    se = math.sqrt(1 / w.sum())
    assert close(pooled.estimate, math.tanh(mu))
    assert close(pooled.ci_low, math.tanh(mu - st.norm.ppf(0.975) * se))
    # tau2 solves the REML estimating equation (or is 0 at the boundary)
    if tau2 > 0:
        score = (w**2 * ((z - mu) ** 2 - v)).sum() / (w**2).sum() + 1 / w.sum() - tau2
        assert abs(score) < 1e-5 * max(tau2, 1e-3)
    q = (1 / v * (z - (z / v).sum() / (1 / v).sum()) ** 2).sum()
    assert close(pooled.q_p, st.chi2.sf(q, len(z) - 1))
    # pooled contrast: union of the per-study top terciles
    lk = linkable(units)
    tops = [g.sort_values(["mean_engagement", "unit"], ascending=[False, True]).head(math.ceil(len(g) / 3)) for _, g in lk.groupby("study")]
    top = pd.concat(tops)
    assert close(pooled.share_satisfied_high, top.n_satisfied.sum() / top.n_customers.sum())


def test_exposure_gap(study, frames):
    emp = frames[0]
    t = miroir.exposure_gap(study, covariates=["tenure_months"]).to_pandas()
    for s, e in emp.groupby("study"):
        row = t[(t.level == "study") & (t.study == s)].iloc[0]
        other, facing = e.engagement[~e.customer_facing], e.engagement[e.customer_facing]
        r = st.ttest_ind(other, facing, equal_var=False)
        ci = r.confidence_interval(0.95)
        assert close(row.gap, other.mean() - facing.mean())
        assert close(row.statistic, r.statistic) and close(row.df, r.df) and close(row.p_value, r.pvalue)
        assert close(row.ci_low, ci.low) and close(row.ci_high, ci.high)
        mw = st.mannwhitneyu(other, facing)
        assert close(row.mw_statistic, mw.statistic) and close(row.mw_p_value, mw.pvalue)
        assert close(row.rank_biserial, 2 * mw.statistic / (len(other) * len(facing)) - 1)
        n1, n2 = len(other), len(facing)
        sp = math.sqrt(((n1 - 1) * other.var() + (n2 - 1) * facing.var()) / (n1 + n2 - 2))
        df = n1 + n2 - 2
        j = math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))
        assert close(row.hedges_g, j * (other.mean() - facing.mean()) / sp)
    largest = t[t.largest]
    assert len(largest) == 1 and largest.gap.iloc[0] == t[t.level == "study"].gap.max()
    # adjusted gap: OLS with study fixed effects + covariate, clustered by unit (statsmodels CR1)
    X = pd.get_dummies(emp.study, drop_first=True, dtype=float)
    X.insert(0, "customer_facing", emp.customer_facing.astype(float))
    X["tenure_months"] = emp.tenure_months.astype(float)
    X = sm.add_constant(X)
    groups = pd.factorize(emp.study + "/" + emp.unit)[0]
    # t with G - 1 df, as Stata and statsmodels use_t=True (the kernel's documented choice)
    fit = sm.OLS(emp.engagement, X).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    pooled = t[t.level == "pooled"].iloc[0]
    assert close(pooled.adjusted_gap, -fit.params["customer_facing"])
    assert close(pooled.adjusted_std_error, fit.bse["customer_facing"])
    assert close(pooled.adjusted_p_value, fit.pvalues["customer_facing"])
    lo, hi = fit.conf_int().loc["customer_facing"]
    assert close(pooled.adjusted_ci_low, -hi) and close(pooled.adjusted_ci_high, -lo)


def reference_moments(frames, alpha=0.05, silence=0.02, min_mentions=10):
    emp, _, men = frames
    n_emp = len(emp)
    rows = []
    for theme, m in men.groupby("theme"):
        c, e = m[m.side == "customer"], m[m.side == "employee"]
        cp, cn = int((c.valence == "positive").sum()), len(c)
        if cn:
            pc = st.binomtest(cp, cn, 0.5).pvalue
            c_axis = ("enchanted" if 2 * cp > cn else "irritated") if pc < alpha else "undetermined"
        else:
            pc, c_axis = math.nan, "undetermined"
        mentioning = e.respondent_id.nunique()
        upper = proportion_confint(mentioning, n_emp, alpha=2 * alpha, method="wilson")[1]
        ep, en = int((e.valence == "positive").sum()), len(e)
        if upper < silence:
            share = mentioning / n_emp
            pe = st.norm.cdf((share - silence) / math.sqrt(silence * (1 - silence) / n_emp))
            e_axis = "silent"
        elif en:
            pe = st.binomtest(ep, en, 0.5).pvalue
            e_axis = ("proud" if 2 * ep > en else "frustrated") if pe < alpha else "undetermined"
        else:
            pe, e_axis = math.nan, "undetermined"
        rows.append(dict(theme=theme, cn=cn, c_axis=c_axis, pc=pc, e_axis=e_axis, pe=pe, p=max(pc, pe)))
    ref = pd.DataFrame(rows)
    ok = (ref.cn >= min_mentions) & ref.p.notna()
    ref["q"] = np.nan
    ref.loc[ok, "q"] = multipletests(ref.p[ok], method="fdr_bh")[1]
    cells = {("enchanted", "proud"): "win_win", ("enchanted", "silent"): "lucky_break",
             ("enchanted", "frustrated"): "pain", ("irritated", "proud"): "wrong_fight",
             ("irritated", "silent"): "blindness", ("irritated", "frustrated"): "dead_end"}
    ref["moment"] = [
        "too_few_mentions" if cn < min_mentions else (cells.get((ca, ea), "undetermined") if q < alpha else "undetermined")
        for cn, ca, ea, q in zip(ref.cn, ref.c_axis, ref.e_axis, ref.q)
    ]
    return ref.set_index("theme")


def test_moments(study, frames):
    ref = reference_moments(frames)
    t = miroir.moments(study).to_pandas().set_index("theme")
    assert sorted(t.index) == sorted(ref.index)
    for theme, r in ref.iterrows():
        row = t.loc[theme]
        assert row.moment == r.moment, theme
        assert row.customer_axis == r.c_axis and row.employee_axis == r.e_axis, theme
        assert close(row.customer_p, r.pc) and close(row.employee_p, r.pe) and close(row.q_value, r.q), theme


def test_moment_effects(study, frames):
    emp, cus, men = frames
    themes = miroir.moments(study).to_pandas()
    t = miroir.moment_effects(study).to_pandas()
    for _, row in t.iterrows():
        names = set(themes.theme[themes.moment == row.moment])
        m = men[men.theme.isin(names) & (men.side == row.side)]
        table, col, id_col = (cus, "satisfaction", "customer_id") if row.side == "customer" else (emp, "engagement", "employee_id")
        key = table.study + "\x00" + table[id_col]
        inside = key.isin(set(m.study + "\x00" + m.respondent_id))
        assert row.n_mentioning == inside.sum()
        if inside.sum() >= 5:
            r = st.ttest_ind(table[col][inside], table[col][~inside], equal_var=False)
            assert close(row.estimate, table[col][inside].mean() - table[col][~inside].mean())
            assert close(row.p_value, r.pvalue)
        elif inside.sum() > 0:
            assert row.suppressed and pd.isna(row.estimate)


def test_indicators(study, frames, units):
    emp, cus, _ = frames
    t = miroir.indicators(study).to_pandas().set_index("id")
    for ident, x in [
        ("can_contribute", emp.can_contribute), ("has_ideas", emp.has_ideas), ("has_cost_ideas", emp.has_cost_ideas),
        ("asked_yearly", emp.asked_about_customers == "yearly"), ("never_asked", emp.asked_about_customers == "never"),
    ]:
        k, n = int(x.sum()), len(x)
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        row = t.loc[ident]
        assert close(row.estimate, k / n) and close(row.ci_low, lo) and close(row.ci_high, hi) and row.n == n
    gaps = miroir.exposure_gap(study).to_pandas()
    assert close(t.loc["frontline_gap"].estimate, gaps[gaps.level == "study"].gap.max())
    link = miroir.linkage(study, by=None).to_pandas().iloc[0]
    assert close(t.loc["top_cx_engagement_uplift"].estimate, link.uplift)
    assert close(t.loc["satisfaction_high_engagement"].estimate, link.share_satisfied_high)


def test_report_gathers_the_same_tables(study):
    rep = miroir.report(study)
    assert rep.indicators.table.equals(miroir.indicators(study).table)
    assert rep.exposure_gap.table.equals(miroir.exposure_gap(study).table)
    assert rep.moments is not None and rep.moments.table.equals(miroir.moments(study).table)
    assert rep.linkage.table.equals(miroir.linkage(study).table)
    assert rep.units.table.equals(miroir.linkage_units(study).table)
    assert set(rep.tables()) == set(rep.TABLES)
    assert all(isinstance(df, pl.DataFrame) for df in rep.tables().values())
    assert '"indicators"' in rep.to_json()
