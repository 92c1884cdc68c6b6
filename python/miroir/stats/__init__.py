"""The statistical kernel (Rust), verified against scipy, statsmodels and R.

Every test returns a one-row polars DataFrame with the same core columns, so results stack,
filter and plot without special cases:

``estimate, statistic, df, p_value, ci_low, ci_high, n, method, alternative``, then
method-specific columns (documented per function), then ``note`` (why a value is NaN, or null).

Inputs are numbers as lists, numpy arrays, pandas or polars Series; missing values are refused
(drop or impute them first). ``alternative`` is ``"two-sided"``, ``"less"`` or ``"greater"``;
``confidence`` defaults to 0.95. Tail probabilities come from survival functions, so tiny
p-values do not underflow to 0. Undefined results (a constant column, too few observations) are
NaN with a ``note``, or a :class:`miroir.StatsError`; never a silent 0.

Integer arguments have documented bounds (``n_resamples`` at most :data:`MAX_RESAMPLES` = 10
million, counts at most :data:`MAX_COUNT` = 2**53, ``seed`` in [0, 2**64 - 1]); a value outside
them, a negative count, a float or a bool where an integer is expected raises
:class:`miroir.InvalidArgumentError` naming the argument, before anything is allocated. The
resampling functions run without the GIL and stop on Ctrl-C: ``KeyboardInterrupt`` within a
fraction of a second, whatever ``n_resamples``.
"""

from __future__ import annotations

from miroir.planning import meta_hunter_schmidt, power_correlation
from miroir.stats.correlation import kendall, pearson, spearman, weighted_pearson
from miroir.stats.intercoder import agreement, cohen_kappa, krippendorff_alpha
from miroir.stats.meta import meta_correlations, meta_random
from miroir.stats.multiple import adjust_pvalues
from miroir.stats.paired import paired_t, wilcoxon
from miroir.stats.proportions import binom_test, proportion_ci, two_proportions
from miroir.stats.regression import mixed_lm, ols
from miroir.stats.reliability import cronbach_alpha, icc, rwg, rwg_j
from miroir.stats.relimp import (
    MAX_EXACT_PREDICTORS,
    RELIMP_METHODS,
    DominanceResult,
    dominance,
    relative_importance,
    relative_importance_matrix,
)
from miroir.stats.resample import bootstrap_pearson, permutation_pearson
from miroir.stats.tables import chi2_independence, fisher_exact
from miroir.stats.two_sample import hedges_g, mann_whitney, student_t, welch_t

__all__ = [
    "MAX_COUNT",
    "MAX_FISHER_TOTAL",
    "MAX_RESAMPLES",
    "adjust_pvalues",
    "binom_test",
    "bootstrap_pearson",
    "chi2_independence",
    "cronbach_alpha",
    "fisher_exact",
    "hedges_g",
    "icc",
    "kendall",
    "mann_whitney",
    "meta_correlations",
    "meta_hunter_schmidt",
    "meta_random",
    "mixed_lm",
    "ols",
    "pearson",
    "permutation_pearson",
    "power_correlation",
    "proportion_ci",
    "rwg",
    "rwg_j",
    "spearman",
    "student_t",
    "two_proportions",
    "weighted_pearson",
    "welch_t",
    "MAX_EXACT_PREDICTORS",
    "RELIMP_METHODS",
    "DominanceResult",
    "dominance",
    "relative_importance",
    "relative_importance_matrix",
    "paired_t",
    "wilcoxon",
    "agreement",
    "cohen_kappa",
    "krippendorff_alpha",
]


MAX_RESAMPLES: int = 10_000_000
"""Largest ``n_resamples`` of :func:`bootstrap_pearson` and :func:`permutation_pearson` (and of the
analyses' uplift bootstrap)."""

MAX_COUNT: int = 2**53
"""Largest count ``k``, ``n`` of :func:`proportion_ci`, :func:`binom_test` and
:func:`two_proportions` (counts beyond are not exact in floating point)."""

MAX_FISHER_TOTAL: int = 10_000_000
"""Largest total of the 2x2 table of :func:`fisher_exact` (its conditional distribution is held in
memory; use :func:`chi2_independence` beyond)."""
