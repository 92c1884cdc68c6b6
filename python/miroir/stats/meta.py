"""Random-effects meta-analysis, as R metafor's ``rma`` (kernel: ``src/stats/meta.rs``); the
Hunter-Schmidt meta-analysis is :func:`miroir.planning.meta_hunter_schmidt`."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series

__all__ = ["meta_correlations", "meta_random"]


def meta_correlations(r: Any, n: Any, *, method: str = "REML", confidence: float = 0.95) -> pl.DataFrame:
    """Random-effects meta-analysis of correlations on Fisher's z, as R metafor's
    ``rma(measure="ZCOR", ri, ni, method=...)``: pooled r (estimate) with CI, and columns
    ``estimate_z, se, tau2, tau, i2, h2, q, q_df, q_p, pi_low, pi_high, k``."""
    return _core.stats_meta_correlations(to_float_series(r, "r"), to_float_series(n, "n"), method, confidence)


def meta_random(yi: Any, vi: Any, *, method: str = "REML", confidence: float = 0.95) -> pl.DataFrame:
    """Random-effects meta-analysis of effect sizes ``yi`` with sampling variances ``vi``
    (metafor's ``rma(yi, vi, method=...)``)."""
    return _core.stats_meta_random(to_float_series(yi, "yi"), to_float_series(vi, "vi"), method, confidence)
