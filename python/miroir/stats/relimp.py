"""Relative importance of the predictors of a linear regression and dominance analysis, as R's
relaimpo and domir. Kernel: ``src/stats/relimp.rs`` (its module documentation has the formulas
and the references)."""

from __future__ import annotations

import dataclasses as _dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, to_float_series, to_polars_frame
from miroir.stats._inputs import _float_array

__all__ = ["DominanceResult", "MAX_EXACT_PREDICTORS", "RELIMP_METHODS", "dominance", "relative_importance",
           "relative_importance_matrix"]


RELIMP_METHODS: tuple[str, ...] = ("lmg", "pratt", "first", "last", "betasq", "johnson")
"""The metrics of :func:`relative_importance`, in their default order."""


MAX_EXACT_PREDICTORS: int = _core.RELIMP_MAX_EXACT_PREDICTORS
"""Most predictors (or groups) for exact all-subsets LMG and dominance (2**15 subsets)."""


_Groups = Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]] | None


def _names(value: Any, argument: str) -> list[str]:
    """A column name or a sequence of them as a list of str."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        raise invalid_argument(
            argument, f"expected column names, got {type(value).__name__}"
        ) from None
    for n in names:
        if not isinstance(n, str):
            raise invalid_argument(
                argument, f"expected column names, got {n!r} ({type(n).__name__})"
            )
    return names


def _groups(groups: _Groups) -> list[tuple[str, list[str]]]:
    if groups is None:
        return []
    items = groups.items() if isinstance(groups, Mapping) else groups
    out: list[tuple[str, list[str]]] = []
    try:
        for name, cols in items:
            if not isinstance(name, str):
                raise TypeError(f"group name {name!r}")
            out.append((name, _names(cols, "groups")))
    except (TypeError, ValueError) as e:
        raise invalid_argument(
            "groups", "expected a mapping {name: [columns]} or (name, [columns]) "
            f"pairs ({e})"
        ) from None
    return out


def _methods(methods: Any) -> list[str]:
    return _names(methods, "methods")


def _relimp_columns(y: Any, x: Any, always: Any, groups: _Groups) -> tuple[str, list[str], list[tuple[str, list[str]]], list[str]]:
    if not isinstance(y, str):
        raise invalid_argument("y", f"expected a column name, got {type(y).__name__}")
    return y, _names(x, "x"), _groups(groups), _names(always, "always")


def _data_covariance(
    df: Any, used: list[str], weights: Any, drop_missing: bool
) -> tuple[list[str], list[list[float]], int]:
    """The (weighted) covariance matrix of the columns ``used`` of ``df``, computed in Rust."""
    frame = to_polars_frame(df, "df")
    missing = [c for c in used if c not in frame.columns]
    if missing:
        raise invalid_argument("x", f"columns not in df: {', '.join(missing)}")
    for c in used:
        dtype = frame.schema[c]
        if not (dtype.is_numeric() or dtype == pl.Boolean or dtype == pl.Null):
            raise invalid_argument(
                "x", f"column '{c}' is {dtype}; the outcome and the predictors must be "
                "numbers or yes/no columns (code text first, e.g. as dummies in groups=)"
            )
    nan = float("nan")
    cols = frame.select([pl.col(c).cast(pl.Float64).fill_null(nan) for c in used])
    w: pl.Series | None = None
    if weights is not None:
        if isinstance(weights, str):
            if weights not in frame.columns:
                raise invalid_argument("weights", f"column '{weights}' not in df")
            w = frame[weights]
        else:
            w = to_float_series(weights, "weights")
        w = w.cast(pl.Float64).fill_null(nan).rename("weights")
        if w.len() != cols.height:
            raise invalid_argument(
                "weights", f"{w.len()} values for {cols.height} rows"
            )
    if drop_missing:
        keep = pl.all_horizontal([pl.col(c).is_finite() for c in used])
        if w is not None:
            cols = cols.with_columns(w.alias("__miroir_weights__"))
            keep = keep & pl.col("__miroir_weights__").is_finite()
        cols = cols.filter(keep)
        if w is not None:
            w = cols["__miroir_weights__"].rename("weights")
            cols = cols.drop("__miroir_weights__")
    names, matrix, n = _core.stats_relimp_covariance(cols, w)
    return names, matrix, n


def _matrix(cov: Any, names: Sequence[str] | None) -> tuple[list[str], list[list[float]]]:
    """A covariance / correlation matrix (numpy, nested lists, polars or pandas DataFrame) and its
    variable names (the frame's columns unless given)."""
    if isinstance(cov, pl.LazyFrame):
        cov = cov.collect()
    if isinstance(cov, pl.DataFrame) or type(cov).__module__.startswith("pandas"):
        frame = to_polars_frame(cov, "cov")
        if names is None:
            names = list(frame.columns)
        arr = _float_array(frame.to_numpy(), "cov", "a square matrix of numbers")
    else:
        arr = _float_array(cov, "cov", "a square matrix of numbers")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise invalid_argument("cov", f"expected a square matrix, got shape {arr.shape}")
    if names is None:
        raise invalid_argument(
            "names", "give the variables' names (one per row of the matrix)"
        )
    labels = _names(names, "names")
    if len(labels) != arr.shape[0]:
        raise invalid_argument(
            "names", f"{len(labels)} names for a {arr.shape[0]} x {arr.shape[0]} matrix"
        )
    rows: list[list[float]] = arr.tolist()
    return labels, rows


def _used(y: str, x: list[str], groups: list[tuple[str, list[str]]], always: list[str]) -> list[str]:
    """The distinct columns of the model, outcome first (duplicates are left to the kernel's
    checks, which name them)."""
    out: list[str] = []
    for c in [y, *x, *(c for _, cols in groups for c in cols), *always]:
        if c not in out:
            out.append(c)
    return out


def relative_importance(
    df: Any,
    y: str,
    x: Sequence[str] | str,
    *,
    methods: Sequence[str] = RELIMP_METHODS,
    weights: Any = None,
    always: Sequence[str] | str | None = None,
    groups: _Groups = None,
    exact: bool | None = None,
    n_permutations: int = 10_000,
    seed: int = 0,
    drop_missing: bool = False,
) -> pl.DataFrame:
    """Relative importance of the predictors ``x`` of the linear regression of ``y`` (with an
    intercept): one row per predictor (or group), a column per method, then ``share``, ``r2``
    (R² of the full model) and ``n``.

    Methods (R relaimpo's ``calc.relimp`` type names): ``lmg`` (Lindeman, Merenda & Gold: the
    Shapley value of R², averaged over all orders of entry; Budescu's general dominance),
    ``pratt`` (standardised coefficient times correlation), ``first`` (R² of the predictor
    alone), ``last`` (R² lost when it is removed from the full model), ``betasq`` (squared
    standardised coefficient), ``johnson`` (Johnson's 2000 relative weights, as R's ``rwa``).
    ``share = lmg / (r2 - r2_always)``: the LMG shares sum to 1. ``lmg``, ``pratt`` and
    ``johnson`` sum to the R² they apportion.

    The data are read once, in Rust, into the (weighted) covariance matrix of the columns; every
    method is computed from that matrix (:func:`relative_importance_matrix` takes one directly).
    LMG is exact (all 2**p subsets, each R² computed once) up to :data:`MAX_EXACT_PREDICTORS` (15)
    predictors; beyond (or with ``exact=False``) it is the mean increment over ``n_permutations``
    random orders, with its Monte-Carlo standard error ``lmg_se`` (and ``n_permutations``) in the
    output. The sampled estimate is identical for a ``seed`` whatever the number of threads;
    ``exact=True`` with more than 15 predictors is an :class:`miroir.InvalidArgumentError`.

    ``weights`` (a column name of ``df`` or values): weighted least squares, R² as statsmodels'
    ``WLS(...).rsquared`` (weighted centred). ``always``: columns kept in every submodel (e.g.
    study dummies; relaimpo's ``always=``): the other predictors share ``r2 - r2_always``, and
    every method is computed after partialling them out (``first`` is then the increment over
    them). ``groups``: ``{name: [columns]}`` treated as one predictor (a set of dummies); a group
    takes the place of its first column listed in ``x`` (groups none of whose columns is in ``x``
    come last). For a group, ``pratt`` is the sum over its columns (coding-invariant), ``betasq``
    the squared sheaf coefficient ``b'R b`` (coding-invariant) and ``johnson`` the sum of its
    columns' weights (this one depends on how the group is coded).

    Missing values: rows with null or NaN in a used column are refused
    (:class:`miroir.StatsError` naming the column and the count of rows) unless
    ``drop_missing=True``, which drops them first (listwise deletion, R's ``na.omit``). A constant
    column, perfectly collinear predictors, an outcome among the predictors are typed errors
    naming the columns.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> df = pl.DataFrame({
    ...     "engagement": [61.0, 70.0, 52.0, 89.0, 74.0, 91.0, 63.0, 80.0],
    ...     "informed": [40.0, 60.0, 40.0, 80.0, 60.0, 80.0, 40.0, 60.0],
    ...     "manager_support": [50.0, 10.0, 20.0, 90.0, 80.0, 70.0, 40.0, 30.0],
    ... })
    >>> ri = ms.relative_importance(df, "engagement", ["informed", "manager_support"],
    ...                             methods=["lmg", "first", "last"])
    >>> ri.with_columns(pl.col(pl.Float64).round(4))
    shape: (2, 7)
    ┌─────────────────┬────────┬────────┬────────┬────────┬────────┬─────┐
    │ predictor       ┆ lmg    ┆ first  ┆ last   ┆ share  ┆ r2     ┆ n   │
    │ ---             ┆ ---    ┆ ---    ┆ ---    ┆ ---    ┆ ---    ┆ --- │
    │ str             ┆ f64    ┆ f64    ┆ f64    ┆ f64    ┆ f64    ┆ u64 │
    ╞═════════════════╪════════╪════════╪════════╪════════╪════════╪═════╡
    │ informed        ┆ 0.718  ┆ 0.9081 ┆ 0.528  ┆ 0.7849 ┆ 0.9148 ┆ 8   │
    │ manager_support ┆ 0.1967 ┆ 0.3868 ┆ 0.0067 ┆ 0.2151 ┆ 0.9148 ┆ 8   │
    └─────────────────┴────────┴────────┴────────┴────────┴────────┴─────┘
    """
    yy, xs, gs, al = _relimp_columns(y, x, always, groups)
    names, matrix, n = _data_covariance(df, _used(yy, xs, gs, al), weights, drop_missing)
    return _core.stats_relative_importance(
        matrix, names, yy, xs, gs, al, _methods(methods), exact, n_permutations, seed, n
    )


def relative_importance_matrix(
    cov: Any,
    y: str,
    x: Sequence[str] | str,
    *,
    names: Sequence[str] | None = None,
    methods: Sequence[str] = RELIMP_METHODS,
    always: Sequence[str] | str | None = None,
    groups: _Groups = None,
    exact: bool | None = None,
    n_permutations: int = 10_000,
    seed: int = 0,
    n_obs: int | None = None,
) -> pl.DataFrame:
    """:func:`relative_importance` from a covariance or correlation matrix (numpy array or
    nested lists with ``names``, or a polars / pandas DataFrame whose columns name the
    variables), as relaimpo's ``calc.relimp(cov, ...)``. ``n_obs``, when known, adds the ``n``
    column and the check that there are more observations than coefficients.

    The matrix must be symmetric with positive variances on the variables used; one that is
    not positive semi-definite (no data could have these correlations) is a
    :class:`miroir.StatsError` giving its smallest eigenvalue.

    Examples
    --------
    Azen & Budescu (2003)'s correlation matrix of y and four predictors:

    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> r = [[1.0, 0.6, 0.3, 0.4, 0.5],
    ...      [0.6, 1.0, 0.8, 0.1, 0.3],
    ...      [0.3, 0.8, 1.0, 0.1, 0.1],
    ...      [0.4, 0.1, 0.1, 1.0, 0.5],
    ...      [0.5, 0.3, 0.1, 0.5, 1.0]]
    >>> ri = ms.relative_importance_matrix(r, "y", ["x1", "x2", "x3", "x4"],
    ...                                    names=["y", "x1", "x2", "x3", "x4"])
    >>> ri.select("predictor", pl.col("lmg", "pratt", "johnson", "share", "r2").round(4))
    shape: (4, 6)
    ┌───────────┬────────┬─────────┬─────────┬────────┬────────┐
    │ predictor ┆ lmg    ┆ pratt   ┆ johnson ┆ share  ┆ r2     │
    │ ---       ┆ ---    ┆ ---     ┆ ---     ┆ ---    ┆ ---    │
    │ str       ┆ f64    ┆ f64     ┆ f64     ┆ f64    ┆ f64    │
    ╞═══════════╪════════╪═════════╪═════════╪════════╪════════╡
    │ x1        ┆ 0.2922 ┆ 0.5428  ┆ 0.2908  ┆ 0.5    ┆ 0.5844 │
    │ x2        ┆ 0.0759 ┆ -0.1397 ┆ 0.0761  ┆ 0.1298 ┆ 0.5844 │
    │ x3        ┆ 0.0949 ┆ 0.1165  ┆ 0.0976  ┆ 0.1624 ┆ 0.5844 │
    │ x4        ┆ 0.1214 ┆ 0.0647  ┆ 0.1199  ┆ 0.2078 ┆ 0.5844 │
    └───────────┴────────┴─────────┴─────────┴────────┴────────┘
    """
    yy, xs, gs, al = _relimp_columns(y, x, always, groups)
    labels, rows = _matrix(cov, names)
    return _core.stats_relative_importance(
        rows, labels, yy, xs, gs, al, _methods(methods), exact, n_permutations, seed, n_obs
    )


@_dataclasses.dataclass(frozen=True)
class DominanceResult:
    """Dominance analysis (Budescu 1993; Azen & Budescu 2003), as R's ``domir``.

    ``general``: ``predictor, general, share`` (general dominance = LMG; shares sum to 1).
    ``conditional``: ``predictor, k1, ..., kp``: the mean R² increment of adding the predictor
    to the subsets of ``k - 1`` other predictors (``k1`` is its r², ``kp`` its increment last).
    ``complete``: one row per ordered pair, ``dominant, dominated, relation``, read
    "``dominant`` *relation* ``dominated``": ``dominates`` when its increment is at least the
    other's in every subset containing neither (and larger in one), ``dominated`` for the
    reverse, ``undetermined`` otherwise; ``complete.filter(pl.col("relation") == "dominates")``
    lists the complete dominances. ``r2``: R² of the full model; ``r2_always``: of the
    ``always`` columns alone.
    """

    general: pl.DataFrame
    conditional: pl.DataFrame
    complete: pl.DataFrame
    r2: float
    r2_always: float

    def __repr__(self) -> str:
        pairs = self.complete.filter(pl.col("relation") == "dominates")
        lines = [f"DominanceResult(r2={self.r2:.6g}, r2_always={self.r2_always:.6g})"]
        for row in self.general.iter_rows(named=True):
            lines.append(f"  {row['predictor']}: general {row['general']:.6g} (share {row['share']:.4f})")
        for a, b in zip(pairs["dominant"], pairs["dominated"]):
            lines.append(f"  {a} completely dominates {b}")
        return "\n".join(lines)


def dominance(
    data: Any,
    y: str,
    x: Sequence[str] | str,
    *,
    names: Sequence[str] | None = None,
    matrix: bool | None = None,
    weights: Any = None,
    always: Sequence[str] | str | None = None,
    groups: _Groups = None,
    drop_missing: bool = False,
    n_obs: int | None = None,
) -> DominanceResult:
    """General, conditional and complete dominance of the predictors ``x`` of ``y``
    (:class:`DominanceResult`), from raw data (a polars or pandas DataFrame) or from a
    covariance / correlation matrix (a numpy array or nested lists with ``names``; a DataFrame
    holding a matrix with ``matrix=True``). ``weights``, ``always``, ``groups`` and
    ``drop_missing`` as in :func:`relative_importance`. Needs all subsets: at most
    :data:`MAX_EXACT_PREDICTORS` predictors (or groups).

    Examples
    --------
    Azen & Budescu (2003)'s correlation matrix; their conditional dominance table, to 3
    decimals, is ``conditional``:

    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> r = [[1.0, 0.6, 0.3, 0.4, 0.5],
    ...      [0.6, 1.0, 0.8, 0.1, 0.3],
    ...      [0.3, 0.8, 1.0, 0.1, 0.1],
    ...      [0.4, 0.1, 0.1, 1.0, 0.5],
    ...      [0.5, 0.3, 0.1, 0.5, 1.0]]
    >>> d = ms.dominance(r, "y", ["x1", "x2", "x3", "x4"], names=["y", "x1", "x2", "x3", "x4"])
    >>> d
    DominanceResult(r2=0.584353, r2_always=0)
      x1: general 0.292176 (share 0.5000)
      x2: general 0.0758614 (share 0.1298)
      x3: general 0.0949109 (share 0.1624)
      x4: general 0.121404 (share 0.2078)
      x1 completely dominates x2
      x1 completely dominates x3
      x1 completely dominates x4
    >>> d.conditional.with_columns(pl.col(pl.Float64).round(3))
    shape: (4, 5)
    ┌───────────┬──────┬───────┬───────┬───────┐
    │ predictor ┆ k1   ┆ k2    ┆ k3    ┆ k4    │
    │ ---       ┆ ---  ┆ ---   ┆ ---   ┆ ---   │
    │ str       ┆ f64  ┆ f64   ┆ f64   ┆ f64   │
    ╞═══════════╪══════╪═══════╪═══════╪═══════╡
    │ x1        ┆ 0.36 ┆ 0.3   ┆ 0.263 ┆ 0.246 │
    │ x2        ┆ 0.09 ┆ 0.074 ┆ 0.069 ┆ 0.071 │
    │ x3        ┆ 0.16 ┆ 0.095 ┆ 0.063 ┆ 0.061 │
    │ x4        ┆ 0.25 ┆ 0.152 ┆ 0.073 ┆ 0.01  │
    └───────────┴──────┴───────┴───────┴───────┘
    """
    yy, xs, gs, al = _relimp_columns(y, x, always, groups)
    is_matrix = matrix
    if is_matrix is None:
        is_matrix = not (isinstance(data, (pl.DataFrame, pl.LazyFrame)) or type(data).__module__.startswith("pandas"))
    if is_matrix:
        if weights is not None:
            raise invalid_argument("weights", "weights apply to raw data, not to a matrix")
        labels, rows = _matrix(data, names)
        n = n_obs
    else:
        labels, rows, n = _data_covariance(data, _used(yy, xs, gs, al), weights, drop_missing)
    general, conditional, complete, r2, r2_always = _core.stats_dominance(rows, labels, yy, xs, gs, al, n)
    return DominanceResult(general, conditional, complete, r2, r2_always)
