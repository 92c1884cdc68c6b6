"""Proportions: the interval of one, the exact binomial test, the difference of two
(kernel: ``src/stats/proportions.rs``)."""

from __future__ import annotations

import polars as pl

from miroir import _core

__all__ = ["binom_test", "proportion_ci", "two_proportions"]


def proportion_ci(k: int, n: int, *, method: str = "wilson", confidence: float = 0.95) -> pl.DataFrame:
    """Confidence interval of a proportion k/n: ``wilson`` (default), ``clopper_pearson``,
    ``agresti_coull`` or ``jeffreys`` (as statsmodels ``proportion_confint``).

    ``k`` and ``n`` are integers from 0 to :data:`MAX_COUNT` (2**53), else
    :class:`miroir.InvalidArgumentError`; ``k > n`` or ``n = 0`` is a :class:`miroir.StatsError`.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> ms.proportion_ci(72, 100).select(pl.col("estimate", "ci_low", "ci_high").round(4))
    shape: (1, 3)
    ┌──────────┬────────┬─────────┐
    │ estimate ┆ ci_low ┆ ci_high │
    │ ---      ┆ ---    ┆ ---     │
    │ f64      ┆ f64    ┆ f64     │
    ╞══════════╪════════╪═════════╡
    │ 0.72     ┆ 0.6251 ┆ 0.7986  │
    └──────────┴────────┴─────────┘
    """
    return _core.stats_proportion_ci(k, n, method, confidence)


def binom_test(
    k: int, n: int, p: float = 0.5, *, alternative: str = "two-sided", confidence: float = 0.95
) -> pl.DataFrame:
    """Exact binomial test, p-value as ``scipy.stats.binomtest``; Clopper-Pearson CI.

    ``k`` and ``n`` are integers from 0 to :data:`MAX_COUNT` (2**53), else
    :class:`miroir.InvalidArgumentError`."""
    return _core.stats_binom_test(k, n, p, alternative, confidence)


def two_proportions(
    k1: int, n1: int, k2: int, n2: int, *, alternative: str = "two-sided", confidence: float = 0.95
) -> pl.DataFrame:
    """Difference of two proportions p1 - p2: pooled z-test, with a CI for the difference.

    The counts are integers from 0 to :data:`MAX_COUNT` (2**53), else
    :class:`miroir.InvalidArgumentError`."""
    return _core.stats_two_proportions(k1, n1, k2, n2, alternative, confidence)
