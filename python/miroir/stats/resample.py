"""Resampling tests of a correlation: the bootstrap interval and the permutation test, seeded and
parallel (kernel: ``src/stats/resample.rs``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series, to_label_series

__all__ = ["bootstrap_pearson", "permutation_pearson"]


def bootstrap_pearson(
    x: Any,
    y: Any,
    *,
    n_resamples: int = 9999,
    method: str = "bca",
    seed: int = 0,
    confidence: float = 0.95,
    clusters: Any | None = None,
) -> pl.DataFrame:
    """Bootstrap CI of Pearson's r (BCa or percentile), seeded and parallel; the result is the
    same whatever the number of threads. ``clusters`` resamples whole clusters.

    Bounds: ``n_resamples`` from 2 to :data:`MAX_RESAMPLES` (10,000,000; one float is kept per
    resample, 80 MB at the bound), ``seed`` from 0 to 2**64 - 1; outside them
    :class:`miroir.InvalidArgumentError`. Runs without the GIL; Ctrl-C raises
    ``KeyboardInterrupt`` within a fraction of a second."""
    cl = None if clusters is None else to_label_series(clusters, "clusters")
    return _core.stats_bootstrap_pearson(
        to_float_series(x, "x"), to_float_series(y, "y"), n_resamples, method, seed, confidence, cl
    )


def permutation_pearson(
    x: Any, y: Any, *, n_resamples: int = 9999, seed: int = 0, alternative: str = "two-sided"
) -> pl.DataFrame:
    """Permutation test of Pearson's r; p = (b + 1) / (n_resamples + 1) (all n! pairings, exact,
    when n! <= ``n_resamples``).

    Bounds: ``n_resamples`` from 1 to :data:`MAX_RESAMPLES` (10,000,000), ``seed`` from 0 to
    2**64 - 1; outside them :class:`miroir.InvalidArgumentError`. Runs without the GIL; Ctrl-C
    raises ``KeyboardInterrupt`` within a fraction of a second."""
    return _core.stats_permutation_pearson(
        to_float_series(x, "x"), to_float_series(y, "y"), n_resamples, seed, alternative
    )
