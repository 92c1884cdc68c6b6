"""Contingency tables: the chi-squared test of independence and Fisher's exact test
(kernel: ``src/stats/tables.rs``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from miroir import _core
from miroir.stats._inputs import _table
from miroir._frames import invalid_argument

__all__ = ["chi2_independence", "fisher_exact"]


def chi2_independence(table: Sequence[Sequence[float]] | Any, *, correction: bool = True) -> pl.DataFrame:
    """Chi-squared test of independence as ``scipy.stats.chi2_contingency`` (Yates' correction
    for 2x2 tables when ``correction``); Cramer's V as extra column ``cramers_v``."""
    rows = _table(table)
    return _core.stats_chi2_independence(rows, correction)


def fisher_exact(
    table: Sequence[Sequence[int]] | Any, *, alternative: str = "two-sided", confidence: float = 0.95
) -> pl.DataFrame:
    """Fisher's exact test on a 2x2 table, as ``scipy.stats.fisher_exact``.

    The counts are whole numbers >= 0 totalling at most :data:`MAX_FISHER_TOTAL` (10,000,000;
    use :func:`chi2_independence` for larger tables), else :class:`miroir.InvalidArgumentError`."""
    import math

    rows = _table(table)
    if len(rows) != 2 or len(rows[0]) != 2:
        raise invalid_argument(
            "table", f"expected a 2x2 table, got {len(rows)}x{len(rows[0])}"
        )
    if not all(math.isfinite(v) and v == math.floor(v) for row in rows for v in row):
        raise invalid_argument(
            "table", f"counts must be whole numbers, got {rows}"
        )
    counts = [[int(v) for v in row] for row in rows]
    return _core.stats_fisher_exact(counts, alternative, confidence)
