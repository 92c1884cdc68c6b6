"""Relative importance and the drivers' cluster bootstrap, against Python references.

    .venv/bin/python benchmarks/bench_drivers.py             # 2M rows x 12 predictors; 1,999 x 1,000 units
    .venv/bin/python benchmarks/bench_drivers.py --quick     # 200k rows; 499 resamples

Two timings (issue 16's targets), each one run after one untimed warm-up call:

1. Exact LMG of 12 predictors on 2M rows, from the raw columns: ``miroir.stats.relative_importance``
   (one pass for the covariance matrix in Rust, then the 4,096 subsets) against
   ``pingouin.linear_regression(X, y, relimp=True)`` when pingouin is importable (it is not a test
   dependency: ``pip install pingouin``, or put it on PYTHONPATH), and always against the
   idiomatic numpy/pandas computation (``DataFrame.cov()`` then one ``np.linalg.solve`` per
   subset). Before timing, the LMG values of all of them are checked to agree to 1e-9.
2. The drivers' stratified cluster bootstrap of the LMG shares (1,999 resamples, 12 drivers,
   1,000 units of 20 employees): ``miroir.drivers(..., n_resamples=1999)`` against the same
   bootstrap written with pandas (units drawn with replacement within the study, rows gathered,
   study-centred covariance, LMG by numpy as above). The reference is timed on ``--ref-resamples``
   resamples and scaled to 1,999 (it is linear in the number of resamples); the script says so.
3. The random-intercept model by REML (``miroir.stats.mixed_lm``, 1M rows, 1,000 groups, 10
   covariates) against statsmodels ``MixedLM(...).fit(reml=True)`` on the same data (timed once,
   no warm-up: it takes long enough).
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

import miroir
import miroir.stats as ms


def once(f: Callable[[], Any]) -> tuple[float, Any]:
    f()  # warm-up
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def predictors(n: int, p: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(p, p)) * 0.4 + np.eye(p)
    x = rng.normal(size=(n, p)) @ a
    beta = np.linspace(1.0, 0.1, p)
    y = x @ beta + rng.normal(scale=3.0, size=n)
    cols = {f"x{j + 1:02d}": x[:, j] for j in range(p)}
    return pd.DataFrame({"y": y, **cols})


def lmg_numpy(cov: np.ndarray) -> np.ndarray:
    """LMG of the predictors (rows 1..p) of a covariance matrix whose row 0 is the outcome: R² of
    every subset by one linear solve, then Shapley weights."""
    sd = np.sqrt(np.diag(cov))
    r = cov / np.outer(sd, sd)
    p = r.shape[0] - 1
    r2 = {0: 0.0}
    for mask in range(1, 1 << p):
        ix = [j + 1 for j in range(p) if mask >> j & 1]
        ry = r[0, ix]
        r2[mask] = float(ry @ np.linalg.solve(r[np.ix_(ix, ix)], ry))
    weight = [math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) for k in range(p)]
    out = np.zeros(p)
    for mask, v in r2.items():
        k = bin(mask).count("1")
        for j in range(p):
            if not mask >> j & 1:
                out[j] += weight[k] * (r2[mask | 1 << j] - v)
    return out


def bench_lmg(n: int, p: int) -> list[str]:
    pdf = predictors(n, p, 1)
    xs = [c for c in pdf.columns if c != "y"]
    frame = pl.from_pandas(pdf)
    t_ours, ours = once(lambda: ms.relative_importance(frame, "y", xs, methods=["lmg"]))
    t_np, ref = once(lambda: lmg_numpy(pdf[["y", *xs]].cov().to_numpy()))
    np.testing.assert_allclose(ours["lmg"].to_numpy(), ref, rtol=1e-9)
    lines = [f"| exact LMG, {p} predictors (miroir.stats.relative_importance) | {n:,} rows | "
             f"{t_ours:.2f} s | numpy/pandas all subsets {t_np:.2f} s | {t_np / t_ours:.1f}x |"]
    try:
        import pingouin as pg
    except ImportError:
        lines.append("| pingouin.linear_regression(relimp=True) | - | - | not installed | - |")
    else:
        t_pg, res = once(lambda: pg.linear_regression(pdf[xs], pdf["y"], relimp=True))
        pg_lmg = res.set_index("names").loc[xs, "relimp"].to_numpy()
        np.testing.assert_allclose(ours["lmg"].to_numpy(), pg_lmg, rtol=1e-9)
        lines.append(f"| exact LMG, {p} predictors | {n:,} rows | {t_ours:.2f} s | "
                     f"pingouin {pg.__version__} relimp {t_pg:.2f} s | {t_pg / t_ours:.1f}x |")
    return lines


def bootstrap_study(units: int, per_unit: int, p: int) -> tuple[miroir.Study, pd.DataFrame]:
    rng = np.random.default_rng(2)
    n = units * per_unit
    unit = np.repeat([f"U{u:04d}" for u in range(units)], per_unit)
    effect = np.repeat(rng.normal(size=units), per_unit)
    x = rng.normal(size=(n, p)) + effect[:, None] * 0.5
    eng = np.clip(60 + x @ np.linspace(3, 0.3, p) + 4 * effect + rng.normal(scale=8, size=n), 0, 100)
    emp = pl.DataFrame({
        "study": ["A"] * n, "unit": unit, "employee_id": [f"E{i}" for i in range(n)],
        "customer_facing": rng.random(n) < 0.5, "engagement": eng,
        **{f"d{j + 1:02d}": x[:, j] for j in range(p)},
    })
    cus = pl.DataFrame({
        "study": ["A"] * units * 5, "unit": np.repeat([f"U{u:04d}" for u in range(units)], 5),
        "customer_id": [f"C{i}" for i in range(units * 5)],
        "satisfaction": rng.integers(0, 11, units * 5),
    })
    return miroir.Study(emp, cus), emp.to_pandas()


def pandas_bootstrap(emp: pd.DataFrame, drivers: list[str], n_resamples: int, seed: int) -> np.ndarray:
    """The stratified cluster bootstrap of the LMG shares, idiomatically with pandas (one study:
    units drawn with replacement, their rows gathered, the covariance and the LMG)."""
    rng = np.random.default_rng(seed)
    groups = emp.groupby("unit").indices
    keys = list(groups)
    shares = []
    for _ in range(n_resamples):
        draw = rng.integers(0, len(keys), len(keys))
        rows = np.concatenate([groups[keys[i]] for i in draw])
        sample = emp.iloc[rows]
        lmg = lmg_numpy(sample[["engagement", *drivers]].cov().to_numpy())
        shares.append(lmg / lmg.sum())
    return np.array(shares)


def bench_bootstrap(units: int, per_unit: int, p: int, n_resamples: int, ref_resamples: int) -> list[str]:
    study, emp = bootstrap_study(units, per_unit, p)
    drivers = [f"d{j + 1:02d}" for j in range(p)]
    t_ours, res = once(lambda: miroir.drivers(study, drivers=drivers, n_resamples=n_resamples, seed=1))
    t0 = time.perf_counter()
    ref = pandas_bootstrap(emp, drivers, ref_resamples, 1)
    t_ref = (time.perf_counter() - t0) * n_resamples / ref_resamples
    # same model, different random draws: the spreads agree to Monte-Carlo error only
    width = (res.table["share_ci_high"] - res.table["share_ci_low"]).to_numpy()
    sd_ref = ref.std(axis=0, ddof=1)
    print(f"  interval widths (miroir) / (3.92 x sd of the reference shares): "
          f"{np.round(width / (3.92 * sd_ref), 2).tolist()}")
    return [f"| drivers cluster bootstrap, {p} drivers (miroir.drivers) | {n_resamples:,} x "
            f"{units:,} units ({units * per_unit:,} employees) | {t_ours:.2f} s | pandas + numpy "
            f"{t_ref:.0f} s (timed on {ref_resamples}, scaled) | {t_ref / t_ours:.0f}x |"]


def bench_mixed(n: int, groups: int, k: int) -> list[str]:
    """Random-intercept model by REML: miroir.stats.mixed_lm against statsmodels MixedLM (same
    data; statsmodels with its default optimiser)."""
    import warnings

    from statsmodels.regression.mixed_linear_model import MixedLM

    rng = np.random.default_rng(4)
    g = rng.integers(0, groups, n)
    x = rng.normal(size=(n, k))
    y = x @ np.linspace(0.1, 1.0, k) + 0.5 * rng.normal(size=groups)[g] + rng.normal(size=n)
    names = [f"x{j}" for j in range(k)]
    df = pl.DataFrame({"y": y, "g": g, **{c: x[:, j] for j, c in enumerate(names)}})
    t_ours, ours = once(lambda: ms.mixed_lm(df, "y", names, "g", method="reml"))
    X = np.column_stack([np.ones(n), x])

    def sm_fit() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return MixedLM(y, X, g).fit(reml=True)

    t0 = time.perf_counter()
    ref = sm_fit()
    t_sm = time.perf_counter() - t0
    slope = ours.filter(pl.col("term") == names[-1])["estimate"][0]
    assert abs(slope - ref.fe_params[-1]) < 1e-4, (slope, ref.fe_params[-1])
    return [f"| random intercept, REML, {k} covariates (miroir.stats.mixed_lm) | {n:,} rows, "
            f"{groups:,} groups | {t_ours:.2f} s | statsmodels MixedLM {t_sm:.2f} s | {t_sm / t_ours:.0f}x |"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--predictors", type=int, default=12)
    ap.add_argument("--ref-resamples", type=int, default=10)
    args = ap.parse_args()
    n = 200_000 if args.quick else 2_000_000
    resamples = 499 if args.quick else 1999
    print(f"miroir {miroir.__version__}")
    lines = ["| analysis | size | miroir | reference | reference / miroir |", "|---|---|---:|---|---:|"]
    lines += bench_lmg(n, args.predictors)
    lines += bench_bootstrap(1000, 20, args.predictors, resamples, args.ref_resamples)
    lines += bench_mixed(200_000 if args.quick else 1_000_000, 1000, 10)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
