"""Two independent samples, ``estimate = a - b``: Welch's and Student's t, Hedges' g, Mann-Whitney U
(kernel: ``src/stats/two_sample.rs``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series

__all__ = ["hedges_g", "mann_whitney", "student_t", "welch_t"]


def welch_t(a: Any, b: Any, *, alternative: str = "two-sided", confidence: float = 0.95) -> pl.DataFrame:
    """Welch's t-test of mean(a) - mean(b) (Welch-Satterthwaite df), with the CI of the
    difference; as ``scipy.stats.ttest_ind(a, b, equal_var=False)``.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> t = ms.welch_t([61, 58, 70, 66, 72], [50, 47, 55, 58])
    >>> t.select(pl.col("estimate", "df", "p_value").round(4))
    shape: (1, 3)
    ┌──────────┬────────┬─────────┐
    │ estimate ┆ df     ┆ p_value │
    │ ---      ┆ ---    ┆ ---     │
    │ f64      ┆ f64    ┆ f64     │
    ╞══════════╪════════╪═════════╡
    │ 12.9     ┆ 6.9593 ┆ 0.0092  │
    └──────────┴────────┴─────────┘
    """
    return _core.stats_welch_t(to_float_series(a, "a"), to_float_series(b, "b"), alternative, confidence)


def student_t(a: Any, b: Any, *, alternative: str = "two-sided", confidence: float = 0.95) -> pl.DataFrame:
    """Student's two-sample t-test (pooled variance), as ``scipy.stats.ttest_ind``."""
    return _core.stats_student_t(to_float_series(a, "a"), to_float_series(b, "b"), alternative, confidence)


def hedges_g(a: Any, b: Any, *, confidence: float = 0.95) -> pl.DataFrame:
    """Hedges' g (bias-corrected standardised mean difference of a - b) with its CI."""
    return _core.stats_hedges_g(to_float_series(a, "a"), to_float_series(b, "b"), confidence)


def mann_whitney(
    a: Any, b: Any, *, alternative: str = "two-sided", method: str = "auto", use_continuity: bool = True
) -> pl.DataFrame:
    """Mann-Whitney U test as ``scipy.stats.mannwhitneyu`` (statistic = U of ``a``), with the
    rank-biserial correlation as extra column ``rank_biserial``."""
    return _core.stats_mann_whitney(
        to_float_series(a, "a"), to_float_series(b, "b"), alternative, method, use_continuity
    )
