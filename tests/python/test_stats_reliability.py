"""Differential tests: reliability and agreement (Cronbach's alpha, ICC(1)/ICC(2), rwg, rwg(j)).

Assumed contract:
- ``ms.cronbach_alpha(items, confidence=0.95)``: items a 2-D array-like or DataFrame, one column per
  item; one-row result, ``estimate`` = alpha, Feldt interval, ``statistic`` = 1/(1 - alpha) (Feldt's
  F test of alpha = 0 on n-1 and (n-1)(k-1) df, upper tail), extras ``k_items``, ``df2``.
- ``ms.icc(values, groups)``: one-row result, ``estimate`` = ICC(1), ``statistic`` = F,
  ``df`` = G - 1, extras ``icc2, df_within, ms_between, ms_within, mean_group_size, n_groups``.
- ``ms.rwg(values, groups, scale_points)`` / ``ms.rwg_j(items, groups, scale_points)``: a polars
  DataFrame with columns ``group, rwg, group_size``, one row per group, ordered by group.

References: scipy.stats.f_oneway (the one-way ANOVA F and p), numpy for mean squares and the
closed forms (R multilevel's ICC1/ICC2 are these formulas on R's aov table), scipy.stats.f for
Feldt's interval. rwg: James, Demaree & Wolf (1984) with R multilevel's conventions (variance
above (A^2-1)/12 truncated, i.e. rwg = 0; a group of one gets NaN).
"""

from __future__ import annotations

from functools import partial
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import miroir
import miroir.stats as ms
from _support import close
from _support import row as _row, is_nan as _nan

SEED = 4242
# copies of ../shared/data/reference (R packages multilevel and metadat), kept in the repository
# so a clean clone tests against them (tests/fixtures/reference/README.md)
REF_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "reference"


_close = partial(close, rtol=1e-10, atol=1e-12)

def _frame_rows(res) -> list[dict]:
    if hasattr(res, "to_dicts"):
        return res.to_dicts()
    return res.to_dict(orient="records")


def test_cronbach_alpha_matches_formula_and_feldt():
    rng = np.random.default_rng(SEED)
    for i in range(1000):
        n = int(rng.choice([2, 3, 5, 10, 30, 100, 1000]))
        k = int(rng.choice([2, 3, 5, 10]))
        latent = rng.normal(size=(n, 1))
        items = latent * rng.uniform(0, 2) + rng.normal(size=(n, k))
        if rng.random() < 0.3:
            items = np.round(np.clip(items + 3, 1, 5))  # Likert 1-5 with ties
        conf = float(rng.choice([0.9, 0.95, 0.99]))
        total_var = items.sum(1).var(ddof=1)
        r = _row(ms.cronbach_alpha(items, confidence=conf))
        assert int(r["n"]) == n and r["k_items"] == k
        if total_var == 0:
            assert _nan(r["estimate"]) and r["note"]
            continue
        alpha = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total_var)
        d1, d2 = n - 1, (n - 1) * (k - 1)
        g = 1 - conf
        lo = 1 - (1 - alpha) * stats.f.ppf(1 - g / 2, d1, d2)
        hi = 1 - (1 - alpha) * stats.f.ppf(g / 2, d1, d2)
        assert _close(r["estimate"], alpha, rtol=1e-10, atol=1e-12), (i, r["estimate"], alpha)
        assert _close(r["ci_low"], lo, rtol=1e-9, atol=1e-11), (i, r["ci_low"], lo)
        assert _close(r["ci_high"], hi, rtol=1e-9, atol=1e-11), (i, r["ci_high"], hi)
        f = 1 / (1 - alpha) if alpha != 1 else math.inf
        if f > 0:
            assert _close(r["statistic"], f, atol=0)
            assert _close(r["p_value"], stats.f.sf(f, d1, d2), rtol=1e-9, atol=1e-300)
        assert r["df"] == d1 and r["df2"] == d2


def test_cronbach_alpha_rejects_bad_input():
    with pytest.raises(miroir.MiroirError):
        ms.cronbach_alpha(np.ones((5, 1)))
    with pytest.raises(miroir.MiroirError):
        ms.cronbach_alpha(np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 4.0]]))


def _anova(values, groups):
    labels = np.unique(groups)
    parts = [values[groups == g] for g in labels]
    n, G = len(values), len(labels)
    grand = values.mean()
    ssb = sum(len(p) * (p.mean() - grand) ** 2 for p in parts)
    ssw = sum(((p - p.mean()) ** 2).sum() for p in parts)
    return ssb / (G - 1), ssw / (n - G), n / G, G, parts


def test_icc_matches_oneway_anova():
    rng = np.random.default_rng(SEED + 1)
    done = 0
    while done < 1000:
        G = int(rng.choice([2, 3, 5, 10, 50]))
        sizes = rng.integers(1, int(rng.choice([3, 10, 40])) + 1, G)
        groups = np.repeat(np.arange(G), sizes)
        if len(groups) <= G:
            continue
        effects = rng.normal(size=G) * rng.choice([0, 0.3, 1])
        values = effects[groups] + rng.normal(size=len(groups))
        if rng.random() < 0.3:
            values = np.round(values * 2)  # ties
        msb, msw, kbar, G_, parts = _anova(values, groups)
        r = _row(ms.icc(values, groups))
        if msw == 0 or msb == 0:
            continue
        F, p = stats.f_oneway(*parts)
        assert _close(r["statistic"], F, rtol=1e-10), (r["statistic"], F)
        assert _close(r["p_value"], p, rtol=1e-9, atol=1e-300), (r["p_value"], p)
        assert _close(r["estimate"], (msb - msw) / (msb + (kbar - 1) * msw), rtol=1e-10, atol=1e-13)
        assert _close(r["icc2"], (msb - msw) / msb, rtol=1e-10, atol=1e-13)
        assert _close(r["ms_between"], msb) and _close(r["ms_within"], msw)
        assert r["df"] == G - 1 and r["df_within"] == len(values) - G and r["n_groups"] == G
        assert _close(r["mean_group_size"], kbar)
        done += 1


def test_icc_rejects_single_group():
    with pytest.raises(miroir.MiroirError):
        ms.icc([1.0, 2.0, 3.0], [0, 0, 0])


def _rwg_ref(values_2d, groups, A):
    sigma2 = (A * A - 1) / 12
    out = {}
    for g in np.unique(groups):
        block = values_2d[groups == g]
        if len(block) < 2:
            out[g] = (float("nan"), len(block))
            continue
        s2 = block.var(axis=0, ddof=1).mean()
        ratio = min(s2 / sigma2, 1.0)
        J = values_2d.shape[1]
        out[g] = (J * (1 - ratio) / (J * (1 - ratio) + ratio), len(block))
    return out


def test_rwg_and_rwg_j_match_formula():
    rng = np.random.default_rng(SEED + 2)
    for i in range(1000):
        A = int(rng.choice([4, 5, 7, 11]))
        G = int(rng.integers(1, 12))
        sizes = rng.integers(1, 15, G)
        groups = np.repeat(np.arange(G), sizes)
        J = int(rng.choice([1, 2, 5]))
        centre = rng.integers(1, A + 1, G)
        spread = rng.choice([0, 0.5, 2, 5])
        vals = np.clip(np.round(centre[groups][:, None] + rng.normal(size=(len(groups), J)) * spread), 1, A)
        ref = _rwg_ref(vals, groups, A)
        res = ms.rwg(vals[:, 0], groups, A) if J == 1 and i % 2 == 0 else ms.rwg_j(vals, groups, A)
        rows = _frame_rows(res)
        assert [r["group"] for r in rows] == list(np.unique(groups))
        for r in rows:
            want, size = ref[r["group"]]
            assert r["group_size"] == size
            assert _close(r["rwg"], want, rtol=1e-12, atol=1e-14), (r, want)


def test_rwg_rejects_bad_scale():
    with pytest.raises(miroir.MiroirError):
        ms.rwg([1.0, 2.0], [0, 0], 1)


def test_bh1996_published_icc1():
    """R multilevel: ICC1(aov(WBEING ~ as.factor(GRP), data = bh1996)) prints 0.04336905
    (J. Marshall's companion to Bliese's tutorial; 0.04337922 printed there is the lme ICC).
    ICC2 reference: statsmodels anova_lm -> (MSB - MSW)/MSB = 0.7717128755404288."""
    import pandas as pd

    d = pd.read_csv(REF_DIR / "bh1996.csv")
    r = _row(ms.icc(d["WBEING"].to_numpy(), d["GRP"].to_numpy()))
    assert round(r["estimate"], 8) == 0.04336905
    assert _close(r["icc2"], 0.7717128755404288, rtol=1e-12)


def test_lq2002_rwg_j():
    """rwg.j(lq2002[, 3:13], lq2002$COMPID, ranvar = 2): no published print found; reference is
    the formula above on the same data (first group COMPID 2: 0.8075272583964619)."""
    import pandas as pd

    d = pd.read_csv(REF_DIR / "lq2002.csv")
    items = d[[f"LEAD{i:02d}" for i in range(1, 12)]].to_numpy(float)
    rows = _frame_rows(ms.rwg_j(items, d["COMPID"].to_numpy(), 5))
    ref = _rwg_ref(items, d["COMPID"].to_numpy(), 5)
    assert len(rows) == 49
    assert _close(rows[0]["rwg"], 0.8075272583964619, rtol=1e-12)
    for r in rows:
        assert _close(r["rwg"], ref[r["group"]][0], rtol=1e-12)
