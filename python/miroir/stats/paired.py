"""Paired samples: the paired t-test and the Wilcoxon signed-rank test. Kernel:
``src/stats/paired.rs`` (formulas, references and scipy's rules in its documentation)."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series

__all__ = ["paired_t", "wilcoxon"]


def paired_t(a: Any, b: Any, *, alternative: str = "two-sided", confidence: float = 0.95) -> pl.DataFrame:
    """Paired t-test of mean(a - b) = 0 for matched units (the same respondents in two waves),
    with the CI of the mean difference; as ``scipy.stats.ttest_rel(a, b)`` and its
    ``confidence_interval(confidence)``.

    ``estimate`` is the mean difference, ``df`` = pairs - 1; extras ``mean_a``, ``mean_b``,
    ``sd_diff``, ``se``. Lengths that differ, fewer than 2 pairs or missing values raise
    :class:`miroir.StatsError`; all differences equal gives NaN with a ``note``.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> t = ms.paired_t([72, 65, 80, 58, 69, 74], [68, 66, 75, 55, 64, 70])
    >>> t.select(pl.col("estimate", "statistic", "df", "p_value", "ci_low", "ci_high").round(4))
    shape: (1, 6)
    ┌──────────┬───────────┬─────┬─────────┬────────┬─────────┐
    │ estimate ┆ statistic ┆ df  ┆ p_value ┆ ci_low ┆ ci_high │
    │ ---      ┆ ---       ┆ --- ┆ ---     ┆ ---    ┆ ---     │
    │ f64      ┆ f64       ┆ f64 ┆ f64     ┆ f64    ┆ f64     │
    ╞══════════╪═══════════╪═════╪═════════╪════════╪═════════╡
    │ 3.3333   ┆ 3.6274    ┆ 5.0 ┆ 0.0151  ┆ 0.9711 ┆ 5.6955  │
    └──────────┴───────────┴─────┴─────────┴────────┴─────────┘
    """
    return _core.stats_paired_t(to_float_series(a, "a"), to_float_series(b, "b"), alternative, confidence)


def wilcoxon(a: Any, b: Any, *, alternative: str = "two-sided", method: str = "auto") -> pl.DataFrame:
    """Wilcoxon signed-rank test of the paired differences a - b, as
    ``scipy.stats.wilcoxon(a, b, zero_method="wilcox", correction=False, method=...)``
    (scipy 1.17).

    Zero differences are dropped (counted in ``note``). ``statistic`` is min(W+, W-) for
    two-sided, W+ for one-sided alternatives. ``method``: ``"auto"`` (scipy's rule: more than 50
    pairs -> normal approximation; otherwise exact without ties or zeros; with ties or zeros the
    exact sign-flip distribution up to 13 pairs, else the approximation), ``"exact"`` or
    ``"approx"`` (normal, tie-corrected variance, no continuity correction). ``estimate`` is the
    Hodges-Lehmann pseudo-median (median of the Walsh averages of the non-zero differences).
    Extras ``w_plus``, ``w_minus``, ``n_nonzero``, ``z`` (approximation only).

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> w = ms.wilcoxon([14, 17, 12, 19, 15, 18, 13, 16], [12, 18, 9, 13, 11, 11, 5, 21])
    >>> w.select("estimate", "statistic", pl.col("p_value").round(4), "w_plus", "w_minus")
    shape: (1, 5)
    ┌──────────┬───────────┬─────────┬────────┬─────────┐
    │ estimate ┆ statistic ┆ p_value ┆ w_plus ┆ w_minus │
    │ ---      ┆ ---       ┆ ---     ┆ ---    ┆ ---     │
    │ f64      ┆ f64       ┆ f64     ┆ f64    ┆ f64     │
    ╞══════════╪═══════════╪═════════╪════════╪═════════╡
    │ 3.25     ┆ 6.0       ┆ 0.1094  ┆ 30.0   ┆ 6.0     │
    └──────────┴───────────┴─────────┴────────┴─────────┘
    >>> w["method"][0]
    'Wilcoxon signed-rank test (exact)'
    """
    return _core.stats_wilcoxon(to_float_series(a, "a"), to_float_series(b, "b"), alternative, method)
