"""Reliability and aggregation: Cronbach's alpha, ICC(1)/ICC(2), rwg and rwg(j)
(kernel: ``src/stats/reliability.rs``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series, to_label_series
from miroir.stats._inputs import _items, _number

__all__ = ["cronbach_alpha", "icc", "rwg", "rwg_j"]


def cronbach_alpha(items: Any, *, confidence: float = 0.95) -> pl.DataFrame:
    """Cronbach's alpha of item columns (rows = respondents), with Feldt's F-based CI."""
    return _core.stats_cronbach_alpha(_items(items, "items"), confidence)


def icc(values: Any, groups: Any) -> pl.DataFrame:
    """ICC(1) (estimate) and ICC(2) (column ``icc2``) from a one-way ANOVA, as R's
    ``multilevel::ICC1`` and ``ICC2``."""
    return _core.stats_icc(to_float_series(values, "values"), to_label_series(groups, "groups"))


def rwg(values: Any, groups: Any, scale_points: int) -> pl.DataFrame:
    """Within-group agreement rwg (James, Demaree & Wolf 1984) per group: ``group, rwg,
    group_size``."""
    return _core.stats_rwg(
        to_float_series(values, "values"), to_label_series(groups, "groups"), _number(scale_points, "scale_points")
    )


def rwg_j(items: Any, groups: Any, scale_points: int) -> pl.DataFrame:
    """Multi-item agreement rwg(j) per group: ``group, rwg, group_size``."""
    return _core.stats_rwg_j(
        _items(items, "items"), to_label_series(groups, "groups"), _number(scale_points, "scale_points")
    )
