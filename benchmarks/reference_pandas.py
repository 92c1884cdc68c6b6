"""A reference implementation of ``miroir.report``'s numbers with pandas + scipy + statsmodels.

    from reference_pandas import report
    tables = report("benchmarks/data/s1m")        # {"summary": DataFrame, "units": ..., ...}

Written the way an analyst fluent in the PyData stack would write it: Parquet read with pandas
(pyarrow), vectorised group-bys for every aggregate, scipy.stats / statsmodels for every test.
There is no Python loop over rows; the loops run over studies (about 20), themes (about 30) or
the six moments. The tables have miroir's names and columns (those ``--check`` compares), and
the definitions are read off miroir's Rust sources (``src/analysis/*.rs``):

* **units** (``units.rs``): per (study, unit) both sides aggregated; a unit with fewer than
  ``MIN_GROUP_SIZE`` respondents on a side (but at least one) is suppressed; per study and per
  side (employees, then customers), when exactly one suppressed unit has respondents on that
  side, the smallest other unit with respondents there (ties by unit name) is suppressed too.
* **linkage** (``linkage.rs``): linkable units (both sides, not suppressed); per study
  ``scipy.stats.pearsonr`` of unit mean engagement with the share satisfied, its
  ``confidence_interval()`` (Fisher z); ICC(1)/ICC(2) of engagement by unit from the one-way ANOVA
  over *all* employees of the study; top-tercile contrast (``ceil(k/3)`` units by mean engagement,
  ties by unit name) with statsmodels' pooled two-proportion z-test and Newcombe interval; top-8 %
  uplift (``ceil(0.08 K)`` units by mean satisfaction, ties by study then unit). Pooled row: the
  random-effects REML meta-analysis of the per-study Fisher z (studies with >= 4 units), metafor's
  Fisher scoring (statsmodels' ``combine_effects`` has DL and Paule-Mandel but no REML, see
  ``reml_meta``). The uplift's bootstrap CI is not computed (the benchmark runs without bootstrap).
* **exposure_gap** (``exposure_gap.rs``): other minus customer-facing engagement per study and
  pooled: ``ttest_ind(equal_var=False)``, Hedges' g (exact J) with the Hedges-Olkin interval,
  ``mannwhitneyu`` (scipy defaults); pooled adjusted gap from
  ``smf.ols("engagement ~ customer_facing + C(study)")`` with ``cov_type="cluster"`` by unit and
  ``use_t=True`` (t on G - 1 df, as miroir).
* **moments** (``moments.rs``, pooled over studies): per theme ``binomtest`` of the customers'
  positive mentions; employees silent when the (1 - 2 alpha) Wilson upper bound of the share of
  employees mentioning the theme is below 2 % (p of the one-sided score test), else
  ``binomtest`` of their positive mentions; p = max of the axes, ``multipletests(fdr_bh)`` over
  themes with >= 10 customer mentions; a side mentioned by 1-4 respondents is not tested.
* **moment_effects**: Welch t (and Hedges' g) of the satisfaction of customers who mention a
  moment's themes against all other customers, and of employees' engagement likewise; BH
  across the twelve tests.
* **indicators** (``indicators.rs``): the eight seed figures, shares with statsmodels' Wilson
  interval (Kish's effective n when a ``weight`` column exists).

The validation is the cheap part of miroir's: required columns and values present, ranges
(engagement 0-100, satisfaction on the scale, weights > 0), categories, duplicate ids within a
study, mentions whose respondent does not exist. It reads only the columns the report uses;
miroir also validates the optional columns the report does not use (tenure, informed, ...).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import scipy.special as sp
import scipy.stats as ss
import statsmodels.formula.api as smf
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

# miroir.Schema() defaults and the analyses' default options.
SATISFACTION_SCALE = (0.0, 10.0)
SATISFIED_THRESHOLD = 7.0
MIN_GROUP_SIZE = 5
MIN_TEXT_GROUP_SIZE = 10
CONFIDENCE = 0.95
TOP_SHARE = 0.08
ALPHA = 0.05
SILENCE_RATE = 0.02
MIN_MENTIONS = 10
ASKED = ("never", "yearly", "several_per_year", "rarely")
MOMENTS = ("win_win", "lucky_break", "pain", "wrong_fight", "blindness", "dead_end")
CELLS = {
    ("enchanted", "proud"): "win_win",
    ("enchanted", "silent"): "lucky_break",
    ("enchanted", "frustrated"): "pain",
    ("irritated", "proud"): "wrong_fight",
    ("irritated", "silent"): "blindness",
    ("irritated", "frustrated"): "dead_end",
}
ACTIONS = {
    "win_win": "deploy it: make this interaction the norm",
    "lucky_break": "re-sensitise employees: they do not see that this enchants customers",
    "wrong_fight": "re-sensitise employees: show them it irritates customers, redirect their energy",
    "blindness": "re-sensitise employees: make them see this irritant",
    "pain": "relieve employees first: the enchantment costs them too much",
    "dead_end": "relieve employees first: give them a solution to offer",
}

EMPLOYEE_COLUMNS = ["study", "unit", "employee_id", "customer_facing", "engagement"]
EMPLOYEE_OPTIONAL = [
    "can_contribute", "has_ideas", "has_cost_ideas", "asked_about_customers", "weight", "sector",
]
CUSTOMER_COLUMNS = ["study", "unit", "customer_id", "satisfaction"]
CUSTOMER_OPTIONAL = ["sector"]
MENTION_COLUMNS = ["study", "side", "respondent_id", "theme", "valence"]
MENTION_OPTIONAL = ["text"]

NAN = float("nan")


# ---------------------------------------------------------------------------------------------
# Reading and validation
# ---------------------------------------------------------------------------------------------


def _read(folder: Path, table: str, required: list[str], optional: list[str]) -> pd.DataFrame:
    path = folder / f"{table}.parquet"
    present = set(pq.read_schema(path).names)
    missing = [c for c in required if c not in present]
    if missing:
        raise ValueError(f"table '{table}': missing column(s) {missing}")
    df = pd.read_parquet(path, columns=required + [c for c in optional if c in present])
    nulls = df[required].isna().sum()
    if nulls.any():
        col = nulls[nulls > 0].index[0]
        rows = np.flatnonzero(df[col].isna().to_numpy())[:5].tolist()
        raise ValueError(f"table '{table}', column '{col}': missing values (rows {rows})")
    return df


def _check_range(df: pd.DataFrame, table: str, col: str, ok: pd.Series) -> None:
    bad = ~ok & df[col].notna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:5].tolist()
        raise ValueError(f"table '{table}', column '{col}': values out of range (rows {rows})")


def _check_unique(df: pd.DataFrame, table: str, id_col: str) -> None:
    dup = df.duplicated(["study", id_col])
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())[:5].tolist()
        raise ValueError(f"table '{table}', column '{id_col}': duplicate ids within a study (rows {rows})")


def load(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The three tables, validated; mentions carry ``row``, the index of their respondent."""
    folder = Path(folder)
    emp = _read(folder, "employees", EMPLOYEE_COLUMNS, EMPLOYEE_OPTIONAL)
    cus = _read(folder, "customers", CUSTOMER_COLUMNS, CUSTOMER_OPTIONAL)
    if emp["customer_facing"].dtype != bool:
        raise ValueError("table 'employees', column 'customer_facing': expected booleans")
    _check_range(emp, "employees", "engagement", emp["engagement"].between(0.0, 100.0))
    lo, hi = SATISFACTION_SCALE
    _check_range(cus, "customers", "satisfaction", cus["satisfaction"].between(lo, hi))
    if "weight" in emp:
        _check_range(emp, "employees", "weight", (emp["weight"] > 0) & np.isfinite(emp["weight"]))
    if "asked_about_customers" in emp:
        _check_range(emp, "employees", "asked_about_customers", emp["asked_about_customers"].isin(ASKED))
    _check_unique(emp, "employees", "employee_id")
    _check_unique(cus, "customers", "customer_id")

    mentions = None
    if (folder / "mentions.parquet").is_file():
        m = _read(folder, "mentions", MENTION_COLUMNS, MENTION_OPTIONAL)
        _check_range(m, "mentions", "side", m["side"].isin(["customer", "employee"]))
        _check_range(m, "mentions", "valence", m["valence"].isin(["positive", "negative"]))
        # the respondent of every mention, as a row index of its side's table (orphans refused)
        keys = {
            "customer": cus[["study", "customer_id"]].rename(columns={"customer_id": "respondent_id"}),
            "employee": emp[["study", "employee_id"]].rename(columns={"employee_id": "respondent_id"}),
        }
        parts = []
        for side, table in keys.items():
            part = m[m["side"] == side].merge(
                table.assign(row=np.arange(len(table))), on=["study", "respondent_id"], how="left"
            )
            if part["row"].isna().any():
                raise ValueError(f"table 'mentions': {side} respondents not found in the {side}s table")
            parts.append(part)
        mentions = pd.concat(parts, ignore_index=True)
        mentions["row"] = mentions["row"].astype(np.int64)
    return emp, cus, mentions


# ---------------------------------------------------------------------------------------------
# Small statistics helpers (scipy / statsmodels underneath)
# ---------------------------------------------------------------------------------------------


def hedges_g(na, nb, mean_a, mean_b, var_a, var_b, confidence=CONFIDENCE):
    """Hedges' g of a - b with the exact J and the Hedges-Olkin normal interval (vectorised)."""
    na, nb = np.asarray(na, float), np.asarray(nb, float)
    df = na + nb - 2.0
    sp_ = np.sqrt(((na - 1.0) * var_a + (nb - 1.0) * var_b) / df)
    j = sp.poch((df - 1.0) / 2.0, 0.5) / np.sqrt(df / 2.0)
    g = j * (np.asarray(mean_a) - np.asarray(mean_b)) / sp_
    se = np.sqrt((na + nb) / (na * nb) + g * g / (2.0 * (na + nb)))
    z = ss.norm.ppf(0.5 + confidence / 2.0)
    return g, g - z * se, g + z * se


def welch(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Welch's t of a - b (scipy), the two means and Hedges' g."""
    if len(a) < 2 or len(b) < 2:
        return {k: NAN for k in ("estimate", "statistic", "df", "p_value", "ci_low", "ci_high",
                                 "mean_a", "mean_b", "hedges_g", "g_ci_low", "g_ci_high")}
    t = ss.ttest_ind(a, b, equal_var=False)
    ci = t.confidence_interval(CONFIDENCE)
    ma, mb = a.mean(), b.mean()
    g, g_lo, g_hi = hedges_g(len(a), len(b), ma, mb, a.var(ddof=1), b.var(ddof=1))
    return {
        "estimate": ma - mb, "statistic": t.statistic, "df": t.df, "p_value": t.pvalue,
        "ci_low": ci.low, "ci_high": ci.high, "mean_a": ma, "mean_b": mb,
        "hedges_g": float(g), "g_ci_low": float(g_lo), "g_ci_high": float(g_hi),
    }


def wilson(k, n, confidence=CONFIDENCE):
    """Wilson interval (statsmodels), arrays or scalars."""
    return proportion_confint(k, n, alpha=1.0 - confidence, method="wilson")


def reml_meta(r: np.ndarray, n: np.ndarray, confidence=CONFIDENCE) -> dict[str, float]:
    """Random-effects meta-analysis of correlations on Fisher's z, REML, as metafor's
    ``rma(measure="ZCOR", method="REML")`` (and miroir): Fisher scoring from Hedges' estimate,
    step (y'PPy - tr P)/tr(PP) halved while tau2 would go negative, stop when the change is at
    most 1e-5, then metafor's check that tau2 = 0 is not more likely. statsmodels'
    ``combine_effects`` offers DerSimonian-Laird ("chi2") and Paule-Mandel ("iterated") but not
    REML, so the scoring is written out (a loop over iterations, vectorised over studies)."""
    y, v = np.arctanh(r), 1.0 / (n - 3.0)
    k = len(y)

    def weights(tau2):
        w = 1.0 / (v + tau2)
        return w, w.sum(), (w * y).sum() / w.sum()

    def loglik(tau2):
        w, sw, mu = weights(tau2)
        return (-0.5 * (k - 1) * math.log(2 * math.pi) - 0.5 * np.log(v + tau2).sum()
                - 0.5 * math.log(sw) - 0.5 * (w * (y - mu) ** 2).sum())

    w0, sw0, mu0 = weights(0.0)
    q = (w0 * (y - mu0) ** 2).sum()
    s2 = (k - 1) / (sw0 - (w0 ** 2).sum() / sw0)
    tau2 = max(0.0, ((y - y.mean()) ** 2).sum() / (k - 1) - v.mean())
    change, it = np.inf, 0
    while change > 1e-5 and it <= 100:
        it += 1
        old = tau2
        w, sw, mu = weights(tau2)
        sw2, sw3 = (w ** 2).sum(), (w ** 3).sum()
        adj = ((w * w * (y - mu) ** 2).sum() - (sw - sw2 / sw)) / (
            sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2)
        if np.isnan(adj):
            adj = 0.0
        while tau2 + adj < 0.0:
            adj /= 2.0
        tau2 += adj
        change = abs(old - tau2)
    note = None
    if change > 1e-5:  # metafor gives up here; maximise the restricted likelihood instead
        from scipy.optimize import minimize_scalar

        upper = 100.0 * max(1.0, y.var(ddof=1))
        tau2 = minimize_scalar(lambda t: -loglik(t), bounds=(0.0, upper), method="bounded",
                               options={"xatol": 1e-12}).x
        note = "REML Fisher scoring did not converge"
    if tau2 > 1e-5 and loglik(0.0) - loglik(tau2) > 1e-7:
        tau2 = 0.0
    tau2 = max(tau2, 0.0)
    w, sw, mu = weights(tau2)
    se = math.sqrt(1.0 / sw)
    zc = ss.norm.ppf(1.0 - (1.0 - confidence) / 2.0)
    return {
        "estimate": math.tanh(mu), "p_value": 2.0 * ss.norm.sf(abs(mu / se)),
        "ci_low": math.tanh(mu - zc * se), "ci_high": math.tanh(mu + zc * se),
        "tau2": tau2, "i2": 100.0 * tau2 / (tau2 + s2), "q_p": ss.chi2.sf(q, k - 1), "note": note,
    }


# ---------------------------------------------------------------------------------------------
# Units and linkage
# ---------------------------------------------------------------------------------------------


def unit_frame(emp: pd.DataFrame, cus: pd.DataFrame) -> pd.DataFrame:
    """Both sides aggregated per (study, unit), sorted, with miroir's suppression."""
    e = emp.groupby(["study", "unit"], sort=False).agg(
        n_employees=("engagement", "size"),
        mean_engagement=("engagement", "mean"),
    )
    c = (
        cus.assign(satisfied=cus["satisfaction"] >= SATISFIED_THRESHOLD)
        .groupby(["study", "unit"], sort=False)
        .agg(
            n_customers=("satisfaction", "size"),
            n_satisfied=("satisfied", "sum"),
            mean_satisfaction=("satisfaction", "mean"),
        )
    )
    u = e.join(c, how="outer").sort_index().reset_index()
    for col in ("n_employees", "n_customers", "n_satisfied"):
        u[col] = u[col].fillna(0).astype(np.int64)
    k = MIN_GROUP_SIZE
    small = lambda n: (n > 0) & (n < k)  # noqa: E731
    u["suppression"] = np.where(small(u["n_employees"]) | small(u["n_customers"]), "small", "none")
    for side in ("n_employees", "n_customers"):  # sequential, as miroir: side 1 sees side 0's partner
        has = u[side] > 0
        hidden = (u["suppression"] != "none") & has
        one_hidden = hidden.groupby(u["study"]).transform("sum") == 1
        candidates = u[one_hidden & (u["suppression"] == "none") & has]
        partners = candidates.sort_values(["study", side, "unit"]).drop_duplicates("study").index
        u.loc[partners, "suppression"] = "complementary"
    u["share_satisfied"] = u["n_satisfied"] / u["n_customers"].where(u["n_customers"] > 0)
    u["linkable"] = (u["n_employees"] > 0) & (u["n_customers"] > 0) & (u["suppression"] == "none")
    return u


def unit_table(u: pd.DataFrame) -> pd.DataFrame:
    out = u[["study", "unit", "n_employees", "mean_engagement", "n_customers", "share_satisfied",
             "mean_satisfaction"]].copy()
    suppressed = u["suppression"] != "none"
    for col in ("mean_engagement", "share_satisfied", "mean_satisfaction"):
        out[col] = out[col].mask(suppressed)
    out["suppressed"] = suppressed
    out["suppression"] = u["suppression"].map({
        "none": None,
        "small": f"fewer than {MIN_GROUP_SIZE} respondents on one side",
        "complementary": "complementary: protects a small unit of the same study from subtraction",
    })
    return out


def icc_by(emp: pd.DataFrame, level: list[str]) -> pd.DataFrame:
    """ICC(1), ICC(2) of engagement by unit from the one-way ANOVA within each ``level`` group
    (``["study"]``; ``[]`` for all employees pooled)."""
    g = emp.groupby(["study", "unit"], sort=False)["engagement"].agg(["size", "mean", "var"])
    g["ss"] = g["var"].fillna(0.0) * (g["size"] - 1)
    g = g.reset_index()
    key = level[0] if level else np.zeros(len(g))
    grand = emp.groupby(level)["engagement"].mean() if level else pd.Series([emp["engagement"].mean()])
    g["grand"] = g[level[0]].map(grand) if level else grand.iloc[0]
    g["ssb"] = g["size"] * (g["mean"] - g["grand"]) ** 2
    a = g.groupby(key).agg(n=("size", "sum"), groups=("size", "size"), ssb=("ssb", "sum"), ssw=("ss", "sum"))
    msb = a["ssb"] / (a["groups"] - 1)
    msw = a["ssw"] / (a["n"] - a["groups"])
    kbar = a["n"] / a["groups"]
    ok = (a["groups"] >= 2) & (a["n"] > a["groups"]) & (msb > 0)
    a["icc1"] = ((msb - msw) / (msb + (kbar - 1.0) * msw)).where(ok)
    a["icc2"] = ((msb - msw) / msb).where(ok)
    return a[["icc1", "icc2"]]


def high_units(link: pd.DataFrame) -> pd.Series:
    """Top tercile per study by mean engagement (ceil(k/3) units, ties by unit name)."""
    order = link.sort_values(["study", "mean_engagement", "unit"], ascending=[True, False, True])
    rank = order.groupby("study").cumcount()
    size = order.groupby("study")["unit"].transform("size")
    return (rank < np.ceil(size / 3.0)).reindex(link.index)


def uplift(link: pd.DataFrame) -> tuple[float, float, float, int]:
    """Top ceil(top_share K) units by mean satisfaction (ties by study, unit) vs the rest."""
    order = link.sort_values(["mean_satisfaction", "study", "unit"], ascending=[False, True, True])
    k = len(order)
    m = min(math.ceil(TOP_SHARE * k), k)
    if m == 0 or m == k:
        return NAN, NAN, NAN, m
    eng = order["mean_engagement"].to_numpy()
    top, rest = eng[:m].mean(), eng[m:].mean()
    return top / rest - 1.0, top, rest, m


def contrast(k1: int, n1: int, k2: int, n2: int) -> dict[str, float]:
    if n1 == 0 or n2 == 0:
        return dict(satisfied_diff=NAN, satisfied_diff_ci_low=NAN, satisfied_diff_ci_high=NAN,
                    satisfied_diff_p=NAN)
    _, p = proportions_ztest([k1, k2], [n1, n2])
    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", alpha=1 - CONFIDENCE)
    return dict(satisfied_diff=k1 / n1 - k2 / n2, satisfied_diff_ci_low=lo,
                satisfied_diff_ci_high=hi, satisfied_diff_p=p)


def linkage_row(level: str, name: str, link: pd.DataFrame, icc: pd.Series) -> dict:
    x = link["mean_engagement"].to_numpy()
    y = link["share_satisfied"].to_numpy()
    row = {"level": level, "study": name, "n_units": len(link),
           "n_employees": int(link["n_employees"].sum()), "n_customers": int(link["n_customers"].sum())}
    if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        res = ss.pearsonr(x, y)
        ci = res.confidence_interval(CONFIDENCE)
        row.update(estimate=res.statistic, p_value=res.pvalue, ci_low=ci.low, ci_high=ci.high)
    else:
        row.update(estimate=NAN, p_value=NAN, ci_low=NAN, ci_high=NAN)
    row.update(tau2=NAN, i2=NAN, q_p=NAN, icc1=icc["icc1"], icc2=icc["icc2"])
    hi = link["high"]
    k1, n1 = int(link.loc[hi, "n_satisfied"].sum()), int(link.loc[hi, "n_customers"].sum())
    k2, n2 = int(link.loc[~hi, "n_satisfied"].sum()), int(link.loc[~hi, "n_customers"].sum())
    up, top, rest, m = uplift(link)
    row.update(
        high_units=int(hi.sum()),
        share_satisfied_high=k1 / n1 if n1 else NAN,
        share_satisfied_rest=k2 / n2 if n2 else NAN,
        **contrast(k1, n1, k2, n2),
        top_units=m, engagement_top=top, engagement_rest=rest, uplift=up,
        uplift_ci_low=NAN, uplift_ci_high=NAN,  # bootstrap not run (n_resamples = 0)
        high_customers=n1, high_satisfied=k1,
    )
    return row


def linkage_table(u: pd.DataFrame, emp: pd.DataFrame) -> pd.DataFrame:
    link = u[u["linkable"]].copy()
    link["high"] = high_units(link)
    icc_study = icc_by(emp, ["study"])
    rows = [linkage_row("study", s, g, icc_study.loc[s]) for s, g in link.groupby("study", sort=True)]
    pooled = linkage_row("pooled", "all", link, icc_by(emp, []).iloc[0])
    per = pd.DataFrame(rows)
    use = per[(per["n_units"] >= 4) & np.isfinite(per["estimate"])]
    if len(use) >= 2:
        meta = reml_meta(use["estimate"].to_numpy(), use["n_units"].to_numpy(float))
        meta.pop("note")
        pooled.update(meta)
    return pd.DataFrame(rows + [pooled])


# ---------------------------------------------------------------------------------------------
# Exposure gap
# ---------------------------------------------------------------------------------------------


def gap_row(level: str, name: str, other: np.ndarray, facing: np.ndarray) -> dict:
    w = welch(other, facing)
    row = {"level": level, "study": name, "n_facing": len(facing), "n_other": len(other),
           "mean_facing": facing.mean() if len(facing) else NAN,
           "mean_other": other.mean() if len(other) else NAN,
           "gap": w["estimate"], "statistic": w["statistic"], "df": w["df"], "p_value": w["p_value"],
           "ci_low": w["ci_low"], "ci_high": w["ci_high"], "hedges_g": w["hedges_g"],
           "g_ci_low": w["g_ci_low"], "g_ci_high": w["g_ci_high"]}
    if len(other) and len(facing):
        mw = ss.mannwhitneyu(other, facing)
        row.update(mw_statistic=mw.statistic, mw_p_value=mw.pvalue,
                   rank_biserial=2.0 * mw.statistic / (len(other) * len(facing)) - 1.0)
    else:
        row.update(mw_statistic=NAN, mw_p_value=NAN, rank_biserial=NAN)
    return row


def adjusted_gap(emp: pd.DataFrame) -> dict:
    """OLS of engagement on customer_facing + study fixed effects, CR1 by unit, t on G-1 df."""
    data = pd.DataFrame({
        "engagement": emp["engagement"],
        "customer_facing": emp["customer_facing"].astype(np.float64),
        "study": emp["study"].astype("category"),  # patsy sniffs str columns row by row
    })
    clusters = emp.groupby(["study", "unit"], sort=False).ngroup().to_numpy()
    fit = smf.ols("engagement ~ customer_facing + C(study)", data).fit(
        cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
    lo, hi = fit.conf_int(alpha=1 - CONFIDENCE).loc["customer_facing"]
    return {"adjusted_gap": -fit.params["customer_facing"],
            "adjusted_std_error": fit.bse["customer_facing"],
            "adjusted_ci_low": -hi, "adjusted_ci_high": -lo,
            "adjusted_p_value": fit.pvalues["customer_facing"]}


def exposure_gap_table(emp: pd.DataFrame) -> pd.DataFrame:
    eng, cf = emp["engagement"].to_numpy(), emp["customer_facing"].to_numpy()
    rows = []
    for study, idx in emp.groupby("study", sort=True).indices.items():
        e, f = eng[idx], cf[idx]
        rows.append(gap_row("study", str(study), e[~f], e[f]))
    per = pd.DataFrame(rows)
    stats = [c for c in per.columns if c not in ("level", "study", "n_facing", "n_other")]
    # a segment of 1-4 employees hides its study; one such study among several hides another
    k = MIN_GROUP_SIZE
    small = lambda n: (n > 0) & (n < k)  # noqa: E731
    per["suppressed"] = small(per["n_facing"]) | small(per["n_other"])
    if per["suppressed"].sum() == 1 and len(per) > 1:
        cand = per[~per["suppressed"]].assign(seg=lambda d: d[["n_facing", "n_other"]].min(axis=1))
        per.loc[cand.sort_values(["seg", "study"]).index[0], "suppressed"] = True
    per[stats] = per[stats].mask(per["suppressed"])
    ok = per[~per["suppressed"] & np.isfinite(per["gap"])]
    per["largest"] = False
    if len(ok):
        per.loc[ok["gap"][::-1].idxmax(), "largest"] = True  # the last of tied maxima, as Rust's max_by
    pooled = gap_row("pooled", "all", eng[~cf], eng[cf])
    pooled.update(largest=False, suppressed=bool(len(per) == 1 and per["suppressed"].iloc[0]))
    if cf.any() and (~cf).any():
        pooled.update(adjusted_gap(emp))
    return pd.concat([per, pd.DataFrame([pooled])], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Moments
# ---------------------------------------------------------------------------------------------


def most_common_text(m: pd.DataFrame) -> pd.DataFrame:
    """Per (theme, side) the most frequent text, ties to the smallest (miroir's rule)."""
    counts = m.groupby(["theme", "side", "text"], sort=False).size().rename("count").reset_index()
    best = counts.sort_values(["theme", "side", "count", "text"], ascending=[True, True, False, True])
    return best.drop_duplicates(["theme", "side"]).set_index(["theme", "side"])["text"].unstack("side")


def theme_table(m: pd.DataFrame, n_emp: int) -> pd.DataFrame:
    """The mirror matrix, all studies pooled (``moments(by=None)``)."""
    k = MIN_GROUP_SIZE
    counts = m.groupby(["theme", "side", "valence"], sort=False).size().unstack(["side", "valence"], fill_value=0)
    counts = counts.reindex(columns=pd.MultiIndex.from_product(
        [["customer", "employee"], ["positive", "negative"]]), fill_value=0)
    t = pd.DataFrame({
        "c_pos": counts[("customer", "positive")], "c_neg": counts[("customer", "negative")],
        "e_pos": counts[("employee", "positive")], "e_neg": counts[("employee", "negative")],
    }).sort_index()
    resp = m.groupby(["theme", "side"], sort=False)["row"].nunique().unstack("side")
    resp = resp.reindex(index=t.index, columns=["customer", "employee"]).fillna(0).astype(np.int64)
    t["c_resp"], t["e_resp"] = resp["customer"], resp["employee"]
    t["n_c"], t["n_e"] = t["c_pos"] + t["c_neg"], t["e_pos"] + t["e_neg"]

    # employee silence: one-sided (1 - alpha) Wilson upper bound = two-sided (1 - 2 alpha)
    t["upper"] = proportion_confint(t["e_resp"], max(n_emp, 1), alpha=2 * ALPHA, method="wilson")[1]
    share = t["e_resp"] / n_emp if n_emp else np.nan
    pi0 = SILENCE_RATE
    silent_p = pd.Series(ss.norm.cdf((share - pi0) / np.sqrt(pi0 * (1 - pi0) / max(n_emp, 1))), index=t.index)

    axes = []
    for theme, r in t.iterrows():  # one iteration per theme (about 30)
        note = []
        if r.n_c == 0:
            ca, cp = "undetermined", NAN
            note.append("no customer mentions")
        else:
            cp = ss.binomtest(int(r.c_pos), int(r.n_c), 0.5).pvalue
            ca = ("enchanted" if 2 * r.c_pos > r.n_c else "irritated") if cp < ALPHA else "undetermined"
        if n_emp == 0:
            ea, ep = "undetermined", NAN
            note.append("no employees in this group")
        elif r.upper < SILENCE_RATE:
            ea, ep = "silent", float(silent_p[theme])
        elif r.n_e == 0:
            ea, ep = "undetermined", NAN
            note.append("no employee mentions, yet too few employees to call the theme silent")
        else:
            ep = ss.binomtest(int(r.e_pos), int(r.n_e), 0.5).pvalue
            ea = ("proud" if 2 * r.e_pos > r.n_e else "frustrated") if ep < ALPHA else "undetermined"
        if ea != "silent" and 0 < r.e_resp < k:
            ea, ep = "undetermined", NAN
            note.append(f"employee side suppressed: fewer than {k} employees mention the theme")
        if 0 < r.c_resp < k:
            ca, cp = "undetermined", NAN
            note.append(f"customer side suppressed: fewer than {k} customers mention the theme")
        axes.append((ca, cp, ea, ep, "; ".join(note) if note else None))
    cols = ["customer_axis", "customer_p", "employee_axis", "employee_p", "note"]
    t[cols] = pd.DataFrame(axes, index=t.index, columns=cols)
    t["p_value"] = np.fmax(t["customer_p"], t["employee_p"]).where(
        t["customer_p"].notna() & t["employee_p"].notna())
    t["moment"] = np.where(t["n_c"] < MIN_MENTIONS, "too_few_mentions", "undetermined")
    eligible = (t["moment"] != "too_few_mentions") & np.isfinite(t["p_value"])
    t["q_value"] = NAN
    if eligible.any():
        t.loc[eligible, "q_value"] = multipletests(t.loc[eligible, "p_value"], method="fdr_bh")[1]
    placed = eligible & (t["q_value"] < ALPHA)
    t.loc[placed, "moment"] = [CELLS.get(c, "undetermined") for c in
                               zip(t.loc[placed, "customer_axis"], t.loc[placed, "employee_axis"])]
    t["employees_total"] = n_emp
    return t


def moments_table(t: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame:
    k = MIN_GROUP_SIZE
    c_sup = (t["c_resp"] > 0) & (t["c_resp"] < k)
    e_sup = (t["e_resp"] > 0) & (t["e_resp"] < k)
    out = pd.DataFrame({
        "theme": t.index,
        "moment": t["moment"],
        "action": t["moment"].map(ACTIONS),
        "p_value": t["p_value"],
        "q_value": t["q_value"],
        "customer_mentions": t["n_c"].mask(c_sup),
        "customer_positive": t["c_pos"].mask(c_sup),
        "customer_negative": t["c_neg"].mask(c_sup),
        "customer_positive_share": (t["c_pos"] / t["n_c"].where(t["n_c"] > 0)).mask(c_sup),
        "customer_axis": t["customer_axis"],
        "customer_p": t["customer_p"],
        "employee_mentions": t["n_e"].mask(e_sup),
        "employee_positive": t["e_pos"].mask(e_sup),
        "employee_negative": t["e_neg"].mask(e_sup),
        "employee_positive_share": (t["e_pos"] / t["n_e"].where(t["n_e"] > 0)).mask(e_sup),
        "employees_mentioning": t["e_resp"].mask(e_sup),
        "employee_share": (t["e_resp"] / t["employees_total"] if t["employees_total"].iloc[0] else np.nan),
        "employee_share_upper": t["upper"].mask(e_sup),
        "employee_axis": t["employee_axis"],
        "employee_p": t["employee_p"],
        "customer_suppressed": c_sup,
        "employee_suppressed": e_sup,
    }).reset_index(drop=True)
    out["employee_share"] = out["employee_share"].mask(e_sup.to_numpy())
    if "text" in m:
        ex = most_common_text(m[m["text"].notna()]).reindex(index=t.index, columns=["customer", "employee"])
        out["customer_example"] = ex["customer"].where(t["c_resp"] >= MIN_TEXT_GROUP_SIZE).to_numpy()
        out["employee_example"] = ex["employee"].where(t["e_resp"] >= MIN_TEXT_GROUP_SIZE).to_numpy()
    else:
        out["customer_example"] = out["employee_example"] = None
    out["note"] = t["note"].to_numpy()
    return out


def moment_effects_table(t: pd.DataFrame, m: pd.DataFrame, emp: pd.DataFrame, cus: pd.DataFrame) -> pd.DataFrame:
    k = MIN_GROUP_SIZE
    moment_of = m["theme"].map(t["moment"])
    n_themes = t["moment"].value_counts()
    rows = []
    for moment in MOMENTS:
        for side, values, outcome in (("customer", cus["satisfaction"].to_numpy(), "satisfaction"),
                                      ("employee", emp["engagement"].to_numpy(), "engagement")):
            members = np.unique(m.loc[(m["side"] == side) & (moment_of == moment), "row"].to_numpy())
            mask = np.zeros(len(values), dtype=bool)
            mask[members] = True
            a, b = values[mask], values[~mask]
            suppressed = (0 < len(a) < k) or (0 < len(b) < k)
            row = {"moment": moment, "side": side, "outcome": outcome,
                   "n_themes": int(n_themes.get(moment, 0)), "n_mentioning": len(a), "n_other": len(b)}
            if suppressed or len(a) == 0:
                w = welch(a[:0], b[:0])
            else:
                w = welch(a, b)
            row.update(mean_mentioning=w["mean_a"], mean_other=w["mean_b"], estimate=w["estimate"],
                       statistic=w["statistic"], df=w["df"], p_value=w["p_value"], ci_low=w["ci_low"],
                       ci_high=w["ci_high"], hedges_g=w["hedges_g"], suppressed=suppressed)
            rows.append(row)
    out = pd.DataFrame(rows)
    finite = np.isfinite(out["p_value"])
    out["q_value"] = NAN
    if finite.any():
        out.loc[finite, "q_value"] = multipletests(out.loc[finite, "p_value"], method="fdr_bh")[1]
    return out


# ---------------------------------------------------------------------------------------------
# Indicators and summary
# ---------------------------------------------------------------------------------------------


def share_indicator(ident: str, x: pd.Series, w: pd.Series | None) -> dict:
    answered = x.notna()
    n = int(answered.sum())
    if n == 0:
        return {"id": ident, "estimate": NAN, "ci_low": NAN, "ci_high": NAN, "n": 0}
    hit = x[answered].astype(bool).to_numpy()
    if w is None:
        k = int(hit.sum())
        lo, hi = wilson(k, n)
        return {"id": ident, "estimate": k / n, "ci_low": lo, "ci_high": hi, "n": n}
    ww = w[answered].to_numpy()
    p = (ww * hit).sum() / ww.sum()
    half_up = lambda x: math.floor(x + 0.5)  # noqa: E731  (Rust's f64::round, not banker's)
    n_eff = max(half_up(ww.sum() ** 2 / (ww ** 2).sum()), 1)
    lo, hi = wilson(min(half_up(p * n_eff), n_eff), n_eff)
    return {"id": ident, "estimate": p, "ci_low": lo, "ci_high": hi, "n": n}


def indicators_table(emp: pd.DataFrame, linkage: pd.DataFrame, gap: pd.DataFrame) -> pd.DataFrame:
    w = emp["weight"] if "weight" in emp else None

    def share(ident: str, col: str, equals: str | None = None) -> dict:
        if col not in emp:
            return {"id": ident, "estimate": NAN, "ci_low": NAN, "ci_high": NAN, "n": 0}
        x = emp[col]
        if equals is not None:
            x = (x == equals).where(x.notna())
        return share_indicator(ident, x, w)

    pooled = linkage.iloc[-1]
    rows = [share("can_contribute", "can_contribute")]
    rows.append({"id": "top_cx_engagement_uplift", "estimate": pooled["uplift"],
                 "ci_low": pooled["uplift_ci_low"], "ci_high": pooled["uplift_ci_high"],
                 "n": int(pooled["n_units"])})
    k1, n1 = int(pooled["high_satisfied"]), int(pooled["high_customers"])
    lo, hi = wilson(k1, n1) if n1 else (NAN, NAN)
    rows.append({"id": "satisfaction_high_engagement", "estimate": k1 / n1 if n1 else NAN,
                 "ci_low": lo, "ci_high": hi, "n": n1})
    rows.append(share("has_ideas", "has_ideas"))
    rows.append(share("has_cost_ideas", "has_cost_ideas"))
    rows.append(share("asked_yearly", "asked_about_customers", "yearly"))
    rows.append(share("never_asked", "asked_about_customers", "never"))
    largest = gap[(gap["level"] == "study") & gap["largest"]]
    if len(largest):
        g = largest.iloc[0]
        rows.append({"id": "frontline_gap", "estimate": g["gap"], "ci_low": g["ci_low"],
                     "ci_high": g["ci_high"], "n": int(g["n_facing"] + g["n_other"])})
    else:
        rows.append({"id": "frontline_gap", "estimate": NAN, "ci_low": NAN, "ci_high": NAN, "n": 0})
    return pd.DataFrame(rows)


def summary_table(emp: pd.DataFrame, cus: pd.DataFrame, m: pd.DataFrame | None, u: pd.DataFrame) -> pd.DataFrame:
    e = emp.groupby("study").agg(employees=("engagement", "size"),
                                 customer_facing_share=("customer_facing", "mean"),
                                 mean_engagement=("engagement", "mean"))
    c = cus.assign(satisfied=cus["satisfaction"] >= SATISFIED_THRESHOLD).groupby("study").agg(
        customers=("satisfaction", "size"), share_satisfied=("satisfied", "mean"))
    out = pd.DataFrame({"units": u.groupby("study").size()})
    sector = pd.Series(dtype=object)
    if "sector" in cus:
        sector = cus.groupby("study")["sector"].first()
    if "sector" in emp:  # employees' sector first, as miroir
        sector = emp.groupby("study")["sector"].first().combine_first(sector)
    out["sector"] = sector
    out = out.join(e).join(c)
    out["mentions"] = m.groupby("study").size() if m is not None else 0
    for col in ("employees", "customers", "mentions"):
        out[col] = out[col].fillna(0).astype(np.int64)
    out = out.sort_index().rename_axis("study").reset_index()
    return out[["study", "sector", "units", "employees", "customers", "mentions",
                "customer_facing_share", "mean_engagement", "share_satisfied"]]


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def report(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Every table of ``miroir.report(load_study(folder), n_resamples=0)``, recomputed."""
    emp, cus, m = load(folder)
    u = unit_frame(emp, cus)
    linkage = linkage_table(u, emp)
    gap = exposure_gap_table(emp)
    tables = {
        "summary": summary_table(emp, cus, m, u),
        "indicators": indicators_table(emp, linkage, gap),
        "linkage": linkage.drop(columns=["high_customers", "high_satisfied"]),
        "units": unit_table(u),
        "exposure_gap": gap,
    }
    if m is not None:
        themes = theme_table(m, len(emp))
        tables["moments"] = moments_table(themes, m)
        tables["moment_effects"] = moment_effects_table(themes, m, emp, cus)
    return tables


if __name__ == "__main__":
    import sys
    import time

    t0 = time.perf_counter()
    out = report(sys.argv[1])
    print(f"report in {time.perf_counter() - t0:.2f} s")
    with pd.option_context("display.width", 200, "display.max_columns", 12):
        for name, df in out.items():
            print(f"== {name} {df.shape}")
            print(df.head(4))
