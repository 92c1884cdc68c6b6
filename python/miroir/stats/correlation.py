"""Correlations: Pearson, Spearman, Kendall and weighted Pearson (kernel: ``src/stats/correlation.rs``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series

__all__ = ["kendall", "pearson", "spearman", "weighted_pearson"]


def pearson(x: Any, y: Any, *, alternative: str = "two-sided", confidence: float = 0.95) -> pl.DataFrame:
    """Pearson's r with the exact p-value (t with n - 2 df) and a Fisher-z confidence interval.

    Same method as ``scipy.stats.pearsonr`` and its ``confidence_interval()``.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> r = ms.pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> r.select(pl.col("estimate", "p_value", "ci_low", "ci_high").round(4))
    shape: (1, 4)
    ┌──────────┬─────────┬─────────┬─────────┐
    │ estimate ┆ p_value ┆ ci_low  ┆ ci_high │
    │ ---      ┆ ---     ┆ ---     ┆ ---     │
    │ f64      ┆ f64     ┆ f64     ┆ f64     │
    ╞══════════╪═════════╪═════════╪═════════╡
    │ 0.8      ┆ 0.1041  ┆ -0.2796 ┆ 0.9862  │
    └──────────┴─────────┴─────────┴─────────┘
    """
    return _core.stats_pearson(to_float_series(x, "x"), to_float_series(y, "y"), alternative, confidence)


def spearman(x: Any, y: Any, *, alternative: str = "two-sided", confidence: float = 0.95) -> pl.DataFrame:
    """Spearman's rho on average ranks; p as ``scipy.stats.spearmanr`` (t approximation);
    CI by Fisher z with the Bonett-Wright (2000) variance (1 + rho^2/2) / (n - 3)."""
    return _core.stats_spearman(to_float_series(x, "x"), to_float_series(y, "y"), alternative, confidence)


def kendall(
    x: Any, y: Any, *, alternative: str = "two-sided", method: str = "auto", confidence: float = 0.95
) -> pl.DataFrame:
    """Kendall's tau-b (tie-corrected), as ``scipy.stats.kendalltau`` (``method="auto"``: exact
    for small samples without ties); CI by Fisher z with variance 0.437 / (n - 4)."""
    return _core.stats_kendall(
        to_float_series(x, "x"), to_float_series(y, "y"), alternative, method, confidence
    )


def weighted_pearson(
    x: Any, y: Any, w: Any, *, alternative: str = "two-sided", confidence: float = 0.95
) -> pl.DataFrame:
    """Weighted Pearson correlation; p and CI use Kish's effective sample size."""
    return _core.stats_weighted_pearson(
        to_float_series(x, "x"), to_float_series(y, "y"), to_float_series(w, "w"), alternative, confidence
    )
