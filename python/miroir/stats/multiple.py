"""Multiple testing: adjusted p-values, as R's ``p.adjust`` (kernel: ``src/stats/multiple.rs``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series

__all__ = ["adjust_pvalues"]


def adjust_pvalues(p: Any, *, method: str = "holm") -> pl.Series:
    """Adjusted p-values, equal to R's ``p.adjust``: ``holm``, ``bonferroni``, ``hochberg``,
    ``bh`` (Benjamini-Hochberg) or ``by`` (Benjamini-Yekutieli). Returns a Series
    ``p_adjusted`` in the input order; NaN stays NaN and is left out of the family.

    Examples
    --------
    >>> import miroir.stats as ms
    >>> ms.adjust_pvalues([0.01, 0.04, 0.03, 0.2], method="bh").to_list()
    [0.04, 0.05333333333333333, 0.05333333333333333, 0.2]
    """
    return _core.stats_adjust_pvalues(to_float_series(p, "p"), method)
