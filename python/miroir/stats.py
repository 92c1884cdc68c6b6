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

from collections.abc import Sequence
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import to_float_series, to_label_series, to_polars_frame

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


def _number(value: Any, name: str) -> float:
    """A real number argument as a float, or an InvalidArgumentError naming it."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise _core.InvalidArgumentError(f"invalid argument '{name}': expected a number ({e})") from None


def _float_array(value: Any, name: str, expected: str) -> Any:
    """``value`` as a numpy array of floats; anything that is not is refused by name."""
    import numpy as np

    try:
        return np.asarray(value, dtype=float)
    except (ValueError, TypeError, OverflowError) as e:
        raise _core.InvalidArgumentError(f"invalid argument '{name}': expected {expected} ({e})") from None


def _items(items: Any, name: str) -> pl.DataFrame:
    if isinstance(items, (pl.DataFrame, pl.LazyFrame)) or type(items).__module__.startswith("pandas"):
        return to_polars_frame(items, name)
    arr = _float_array(items, name, "a rectangular table of numbers")
    if arr.ndim != 2:
        raise _core.InvalidArgumentError(
            f"invalid argument '{name}': expected a 2-D table (rows = respondents, "
            f"columns = items), got {arr.ndim} dimension(s)"
        )
    return pl.DataFrame({f"item{j}": arr[:, j] for j in range(arr.shape[1])})


def _table(table: Any) -> list[list[float]]:
    """A contingency table as rows of floats; ragged or non-numeric tables are refused."""
    arr = _float_array(table, "table", "a rectangular table of counts")
    if arr.ndim != 2 or arr.size == 0:
        raise _core.InvalidArgumentError(
            f"invalid argument 'table': expected a 2-D table of counts, got shape {arr.shape}"
        )
    rows: list[list[float]] = arr.tolist()
    return rows


# -- correlation ----------------------------------------------------------------------------


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


# -- two samples (estimate = a - b) ------------------------------------------------------------


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


# -- resampling ---------------------------------------------------------------------------------


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


# -- proportions and tables -----------------------------------------------------------------------


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
        raise _core.InvalidArgumentError(
            f"invalid argument 'table': expected a 2x2 table, got {len(rows)}x{len(rows[0])}"
        )
    if not all(math.isfinite(v) and v == math.floor(v) for row in rows for v in row):
        raise _core.InvalidArgumentError(
            f"invalid argument 'table': counts must be whole numbers, got {rows}"
        )
    counts = [[int(v) for v in row] for row in rows]
    return _core.stats_fisher_exact(counts, alternative, confidence)


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


# -- reliability and aggregation ---------------------------------------------------------------


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


# -- meta-analysis and regression --------------------------------------------------------------


def meta_correlations(r: Any, n: Any, *, method: str = "REML", confidence: float = 0.95) -> pl.DataFrame:
    """Random-effects meta-analysis of correlations on Fisher's z, as R metafor's
    ``rma(measure="ZCOR", ri, ni, method=...)``: pooled r (estimate) with CI, and columns
    ``estimate_z, se, tau2, tau, i2, h2, q, q_df, q_p, pi_low, pi_high, k``."""
    return _core.stats_meta_correlations(to_float_series(r, "r"), to_float_series(n, "n"), method, confidence)


def meta_random(yi: Any, vi: Any, *, method: str = "REML", confidence: float = 0.95) -> pl.DataFrame:
    """Random-effects meta-analysis of effect sizes ``yi`` with sampling variances ``vi``
    (metafor's ``rma(yi, vi, method=...)``)."""
    return _core.stats_meta_random(to_float_series(yi, "yi"), to_float_series(vi, "vi"), method, confidence)


def ols(
    df: Any,
    y: str,
    x: Sequence[str],
    *,
    cluster: str | None = None,
    intercept: bool = True,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Ordinary least squares of ``y`` on the columns ``x`` of ``df``: one row per term
    (``term, estimate, std_error, statistic, df, p_value, ci_low, ci_high``) plus fit columns
    (``n, r2, adj_r2, sigma, df_resid, n_clusters``). With ``cluster``, cluster-robust CR1
    standard errors as statsmodels ``cov_type="cluster"``.

    The outcome ``y`` among the predictors ``x``, or a predictor listed twice, is an
    :class:`miroir.InvalidArgumentError` (either would give a meaningless perfect fit or a
    rank-deficient design)."""
    if isinstance(x, str):
        x = [x]
    x = list(x)
    if y in x:
        raise _core.InvalidArgumentError(
            f"invalid argument 'x': the outcome '{y}' is also listed as a predictor"
        )
    repeated = sorted({c for c in x if x.count(c) > 1})
    if repeated:
        raise _core.InvalidArgumentError(
            f"invalid argument 'x': {', '.join(repr(c) for c in repeated)} listed more than once"
        )
    frame = to_polars_frame(df, "df")
    missing = [c for c in [y, *x, *([cluster] if cluster else [])] if c not in frame.columns]
    if missing:
        raise _core.InvalidArgumentError(f"invalid argument 'x': columns not in df: {', '.join(missing)}")
    for c in [y, *x]:
        dtype = frame.schema[c]
        if not (dtype.is_numeric() or dtype == pl.Boolean or dtype == pl.Null):
            raise _core.InvalidArgumentError(
                f"invalid argument '{'y' if c == y else 'x'}': column '{c}' is {dtype}; "
                "the outcome and the predictors must be numbers or yes/no columns (code text first)"
            )
    design = frame.select([pl.col(c).cast(pl.Float64) for c in x])
    cl = None if cluster is None else frame[cluster]
    return _core.stats_ols(frame[y].cast(pl.Float64), design, intercept, confidence, cl)


# Hunter-Schmidt meta-analysis and power of a correlation live in miroir.planning (imported last:
# miroir.planning does not import this module).
from miroir.planning import meta_hunter_schmidt, power_correlation  # noqa: E402


# -- mixed models ---------------------------------------------------------------------------------


def mixed_lm(
    df: Any,
    y: str,
    x: Sequence[str],
    groups: str,
    *,
    intercept: bool = True,
    method: str = "reml",
    confidence: float = 0.95,
    se: str = "model",
) -> pl.DataFrame:
    """Linear mixed model with a random intercept per value of ``groups`` (employees within
    units, units within studies), fitted by REML (``method="reml"``, the default of statsmodels,
    nlme and lme4) or ML (``"ml"``):

    ``y_ij = x_ij'β + u_j + e_ij``, ``u_j ~ N(0, τ²)``, ``e_ij ~ N(0, σ²)``.

    One row per fixed effect (``term, estimate, std_error, statistic, p_value, ci_low,
    ci_high``; intercept first, named ``(Intercept)``), then ``group_var`` (τ²), ``resid_var``
    (σ²), ``icc`` = τ²/(τ² + σ²), ``loglik`` (the REML or ML log-likelihood, as statsmodels'
    ``llf`` and R's ``logLik``), ``n``, ``n_groups``, ``converged``, ``iterations``, ``method``
    and ``note``.

    The fit is one pass over the data (per-group sums; cost linear in the rows), then a 1-D
    maximisation of the likelihood over τ²/σ² with σ² profiled out, to 1e-14 relative. Estimates,
    ``group_var``, ``resid_var`` and ``loglik`` agree with statsmodels
    ``MixedLM(y, X, groups).fit(reml=...)`` (``cov_re``, ``scale``, ``llf``). When the maximum
    is at τ² = 0 (statsmodels warns "The MLE may be on the boundary"), ``group_var`` is 0, the
    fixed effects are those of OLS and ``note`` says so.

    Standard errors (``se``): ``"model"`` (default) is the GLS covariance
    ``σ²(Σ_j X_j'V_j⁻¹X_j)⁻¹`` at the estimated variances, as R's ``nlme::lme`` and
    ``lme4::lmer`` (and SAS, Stata) report; ``"observed"`` inverts the observed information of
    the profiled likelihood in (β, τ²/σ²), as statsmodels' ``bse_fe``. They coincide on balanced
    groups and differ by up to about 1% otherwise (0.3–1% on the Bliese–Halverson 1996 soldiers).
    Tests use the normal reference, as statsmodels: ``statistic`` = z, two-sided p-value and
    interval ``estimate ± z·std_error``.

    ``y`` among the predictors, a predictor listed twice, a column not in ``df`` or not numeric
    (nor yes/no) is an :class:`miroir.InvalidArgumentError` naming it; missing values, NaN or
    infinity, fewer than 2 groups, every group of size 1, a constant or collinear predictor are
    typed errors naming the column.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> df = pl.DataFrame({
    ...     "unit": ["a"] * 4 + ["b"] * 4 + ["c"] * 4 + ["d"] * 4,
    ...     "customer_facing": [True, False] * 8,
    ...     "engagement": [62, 71, 60, 75, 55, 66, 58, 64, 70, 78, 67, 80, 52, 63, 57, 61],
    ... })
    >>> fit = ms.mixed_lm(df, "engagement", ["customer_facing"], "unit")
    >>> fit.select("term", pl.col("estimate", "std_error", "statistic").round(3))
    shape: (2, 4)
    ┌─────────────────┬──────────┬───────────┬───────────┐
    │ term            ┆ estimate ┆ std_error ┆ statistic │
    │ ---             ┆ ---      ┆ ---       ┆ ---       │
    │ str             ┆ f64      ┆ f64       ┆ f64       │
    ╞═════════════════╪══════════╪═══════════╪═══════════╡
    │ (Intercept)     ┆ 69.75    ┆ 3.507     ┆ 19.891    │
    │ customer_facing ┆ -9.625   ┆ 1.063     ┆ -9.057    │
    └─────────────────┴──────────┴───────────┴───────────┘
    >>> fit.select(pl.col("group_var", "resid_var", "icc", "loglik").round(3)).row(0)
    (46.928, 4.517, 0.912, -38.126)
    """
    if isinstance(x, str):
        x = [x]
    x = list(x)
    if y in x:
        raise _core.InvalidArgumentError(
            f"invalid argument 'x': the outcome '{y}' is also listed as a predictor"
        )
    repeated = sorted({c for c in x if x.count(c) > 1})
    if repeated:
        raise _core.InvalidArgumentError(
            f"invalid argument 'x': {', '.join(repr(c) for c in repeated)} listed more than once"
        )
    if not isinstance(groups, str):
        raise _core.InvalidArgumentError(
            f"invalid argument 'groups': expected a column name, got {type(groups).__name__}"
        )
    if groups == y or groups in x:
        raise _core.InvalidArgumentError(
            f"invalid argument 'groups': '{groups}' is also the outcome or a predictor"
        )
    frame = to_polars_frame(df, "df")
    for argument, names in (("y", [y]), ("x", x), ("groups", [groups])):
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise _core.InvalidArgumentError(
                f"invalid argument '{argument}': columns not in df: {', '.join(missing)}"
            )
    for c in [y, *x]:
        dtype = frame.schema[c]
        if not (dtype.is_numeric() or dtype == pl.Boolean or dtype == pl.Null):
            raise _core.InvalidArgumentError(
                f"invalid argument '{'y' if c == y else 'x'}': column '{c}' is {dtype}; "
                "the outcome and the predictors must be numbers or yes/no columns (code text first)"
            )
    design = frame.select([pl.col(c).cast(pl.Float64) for c in x])
    return _core.stats_mixed_lm(
        frame[y].cast(pl.Float64), design, frame[groups], intercept, method, confidence, se
    )


# -- relative importance ----------------------------------------------------------------------
# Kernel: src/stats/relimp.rs (its module documentation has the formulas and the references).

import dataclasses as _dataclasses  # noqa: E402
from collections.abc import Mapping  # noqa: E402

__all__ += [
    "MAX_EXACT_PREDICTORS",
    "RELIMP_METHODS",
    "DominanceResult",
    "dominance",
    "relative_importance",
    "relative_importance_matrix",
]

RELIMP_METHODS: tuple[str, ...] = ("lmg", "pratt", "first", "last", "betasq", "johnson")
"""The metrics of :func:`relative_importance`, in their default order."""

MAX_EXACT_PREDICTORS: int = _core.RELIMP_MAX_EXACT_PREDICTORS
"""Most predictors (or groups) for exact all-subsets LMG and dominance (2**15 subsets)."""

_Groups = Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]] | None


def _names(value: Any, argument: str) -> list[str]:
    """A column name or a sequence of them as a list of str."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        raise _core.InvalidArgumentError(
            f"invalid argument '{argument}': expected column names, got {type(value).__name__}"
        ) from None
    for n in names:
        if not isinstance(n, str):
            raise _core.InvalidArgumentError(
                f"invalid argument '{argument}': expected column names, got {n!r} ({type(n).__name__})"
            )
    return names


def _groups(groups: _Groups) -> list[tuple[str, list[str]]]:
    if groups is None:
        return []
    items = groups.items() if isinstance(groups, Mapping) else groups
    out: list[tuple[str, list[str]]] = []
    try:
        for name, cols in items:
            if not isinstance(name, str):
                raise TypeError(f"group name {name!r}")
            out.append((name, _names(cols, "groups")))
    except (TypeError, ValueError) as e:
        raise _core.InvalidArgumentError(
            "invalid argument 'groups': expected a mapping {name: [columns]} or (name, [columns]) "
            f"pairs ({e})"
        ) from None
    return out


def _methods(methods: Any) -> list[str]:
    return _names(methods, "methods")


def _relimp_columns(y: Any, x: Any, always: Any, groups: _Groups) -> tuple[str, list[str], list[tuple[str, list[str]]], list[str]]:
    if not isinstance(y, str):
        raise _core.InvalidArgumentError(f"invalid argument 'y': expected a column name, got {type(y).__name__}")
    return y, _names(x, "x"), _groups(groups), _names(always, "always")


def _data_covariance(
    df: Any, used: list[str], weights: Any, drop_missing: bool
) -> tuple[list[str], list[list[float]], int]:
    """The (weighted) covariance matrix of the columns ``used`` of ``df``, computed in Rust."""
    frame = to_polars_frame(df, "df")
    missing = [c for c in used if c not in frame.columns]
    if missing:
        raise _core.InvalidArgumentError(f"invalid argument 'x': columns not in df: {', '.join(missing)}")
    for c in used:
        dtype = frame.schema[c]
        if not (dtype.is_numeric() or dtype == pl.Boolean or dtype == pl.Null):
            raise _core.InvalidArgumentError(
                f"invalid argument 'x': column '{c}' is {dtype}; the outcome and the predictors must be "
                "numbers or yes/no columns (code text first, e.g. as dummies in groups=)"
            )
    nan = float("nan")
    cols = frame.select([pl.col(c).cast(pl.Float64).fill_null(nan) for c in used])
    w: pl.Series | None = None
    if weights is not None:
        if isinstance(weights, str):
            if weights not in frame.columns:
                raise _core.InvalidArgumentError(f"invalid argument 'weights': column '{weights}' not in df")
            w = frame[weights]
        else:
            w = to_float_series(weights, "weights")
        w = w.cast(pl.Float64).fill_null(nan).rename("weights")
        if w.len() != cols.height:
            raise _core.InvalidArgumentError(
                f"invalid argument 'weights': {w.len()} values for {cols.height} rows"
            )
    if drop_missing:
        keep = pl.all_horizontal([pl.col(c).is_finite() for c in used])
        if w is not None:
            cols = cols.with_columns(w.alias("__miroir_weights__"))
            keep = keep & pl.col("__miroir_weights__").is_finite()
        cols = cols.filter(keep)
        if w is not None:
            w = cols["__miroir_weights__"].rename("weights")
            cols = cols.drop("__miroir_weights__")
    names, matrix, n = _core.stats_relimp_covariance(cols, w)
    return names, matrix, n


def _matrix(cov: Any, names: Sequence[str] | None) -> tuple[list[str], list[list[float]]]:
    """A covariance / correlation matrix (numpy, nested lists, polars or pandas DataFrame) and its
    variable names (the frame's columns unless given)."""
    if isinstance(cov, pl.LazyFrame):
        cov = cov.collect()
    if isinstance(cov, pl.DataFrame) or type(cov).__module__.startswith("pandas"):
        frame = to_polars_frame(cov, "cov")
        if names is None:
            names = list(frame.columns)
        arr = _float_array(frame.to_numpy(), "cov", "a square matrix of numbers")
    else:
        arr = _float_array(cov, "cov", "a square matrix of numbers")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise _core.InvalidArgumentError(f"invalid argument 'cov': expected a square matrix, got shape {arr.shape}")
    if names is None:
        raise _core.InvalidArgumentError(
            "invalid argument 'names': give the variables' names (one per row of the matrix)"
        )
    labels = _names(names, "names")
    if len(labels) != arr.shape[0]:
        raise _core.InvalidArgumentError(
            f"invalid argument 'names': {len(labels)} names for a {arr.shape[0]} x {arr.shape[0]} matrix"
        )
    rows: list[list[float]] = arr.tolist()
    return labels, rows


def _used(y: str, x: list[str], groups: list[tuple[str, list[str]]], always: list[str]) -> list[str]:
    """The distinct columns of the model, outcome first (duplicates are left to the kernel's
    checks, which name them)."""
    out: list[str] = []
    for c in [y, *x, *(c for _, cols in groups for c in cols), *always]:
        if c not in out:
            out.append(c)
    return out


def relative_importance(
    df: Any,
    y: str,
    x: Sequence[str] | str,
    *,
    methods: Sequence[str] = RELIMP_METHODS,
    weights: Any = None,
    always: Sequence[str] | str | None = None,
    groups: _Groups = None,
    exact: bool | None = None,
    n_permutations: int = 10_000,
    seed: int = 0,
    drop_missing: bool = False,
) -> pl.DataFrame:
    """Relative importance of the predictors ``x`` of the linear regression of ``y`` (with an
    intercept): one row per predictor (or group), a column per method, then ``share``, ``r2``
    (R² of the full model) and ``n``.

    Methods (R relaimpo's ``calc.relimp`` type names): ``lmg`` (Lindeman, Merenda & Gold: the
    Shapley value of R², averaged over all orders of entry; Budescu's general dominance),
    ``pratt`` (standardised coefficient times correlation), ``first`` (R² of the predictor
    alone), ``last`` (R² lost when it is removed from the full model), ``betasq`` (squared
    standardised coefficient), ``johnson`` (Johnson's 2000 relative weights, as R's ``rwa``).
    ``share = lmg / (r2 - r2_always)``: the LMG shares sum to 1. ``lmg``, ``pratt`` and
    ``johnson`` sum to the R² they apportion.

    The data are read once, in Rust, into the (weighted) covariance matrix of the columns; every
    method is computed from that matrix (:func:`relative_importance_matrix` takes one directly).
    LMG is exact (all 2**p subsets, each R² computed once) up to :data:`MAX_EXACT_PREDICTORS` (15)
    predictors; beyond (or with ``exact=False``) it is the mean increment over ``n_permutations``
    random orders, with its Monte-Carlo standard error ``lmg_se`` (and ``n_permutations``) in the
    output. The sampled estimate is identical for a ``seed`` whatever the number of threads;
    ``exact=True`` with more than 15 predictors is an :class:`miroir.InvalidArgumentError`.

    ``weights`` (a column name of ``df`` or values): weighted least squares, R² as statsmodels'
    ``WLS(...).rsquared`` (weighted centred). ``always``: columns kept in every submodel (e.g.
    study dummies; relaimpo's ``always=``): the other predictors share ``r2 - r2_always``, and
    every method is computed after partialling them out (``first`` is then the increment over
    them). ``groups``: ``{name: [columns]}`` treated as one predictor (a set of dummies); a group
    takes the place of its first column listed in ``x`` (groups none of whose columns is in ``x``
    come last). For a group, ``pratt`` is the sum over its columns (coding-invariant), ``betasq``
    the squared sheaf coefficient ``b'R b`` (coding-invariant) and ``johnson`` the sum of its
    columns' weights (this one depends on how the group is coded).

    Missing values: rows with null or NaN in a used column are refused
    (:class:`miroir.StatsError` naming the column and the count of rows) unless
    ``drop_missing=True``, which drops them first (listwise deletion, R's ``na.omit``). A constant
    column, perfectly collinear predictors, an outcome among the predictors are typed errors
    naming the columns.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> df = pl.DataFrame({
    ...     "engagement": [61.0, 70.0, 52.0, 89.0, 74.0, 91.0, 63.0, 80.0],
    ...     "informed": [40.0, 60.0, 40.0, 80.0, 60.0, 80.0, 40.0, 60.0],
    ...     "manager_support": [50.0, 10.0, 20.0, 90.0, 80.0, 70.0, 40.0, 30.0],
    ... })
    >>> ri = ms.relative_importance(df, "engagement", ["informed", "manager_support"],
    ...                             methods=["lmg", "first", "last"])
    >>> ri.with_columns(pl.col(pl.Float64).round(4))
    shape: (2, 7)
    ┌─────────────────┬────────┬────────┬────────┬────────┬────────┬─────┐
    │ predictor       ┆ lmg    ┆ first  ┆ last   ┆ share  ┆ r2     ┆ n   │
    │ ---             ┆ ---    ┆ ---    ┆ ---    ┆ ---    ┆ ---    ┆ --- │
    │ str             ┆ f64    ┆ f64    ┆ f64    ┆ f64    ┆ f64    ┆ u64 │
    ╞═════════════════╪════════╪════════╪════════╪════════╪════════╪═════╡
    │ informed        ┆ 0.718  ┆ 0.9081 ┆ 0.528  ┆ 0.7849 ┆ 0.9148 ┆ 8   │
    │ manager_support ┆ 0.1967 ┆ 0.3868 ┆ 0.0067 ┆ 0.2151 ┆ 0.9148 ┆ 8   │
    └─────────────────┴────────┴────────┴────────┴────────┴────────┴─────┘
    """
    yy, xs, gs, al = _relimp_columns(y, x, always, groups)
    names, matrix, n = _data_covariance(df, _used(yy, xs, gs, al), weights, drop_missing)
    return _core.stats_relative_importance(
        matrix, names, yy, xs, gs, al, _methods(methods), exact, n_permutations, seed, n
    )


def relative_importance_matrix(
    cov: Any,
    y: str,
    x: Sequence[str] | str,
    *,
    names: Sequence[str] | None = None,
    methods: Sequence[str] = RELIMP_METHODS,
    always: Sequence[str] | str | None = None,
    groups: _Groups = None,
    exact: bool | None = None,
    n_permutations: int = 10_000,
    seed: int = 0,
    n_obs: int | None = None,
) -> pl.DataFrame:
    """:func:`relative_importance` from a covariance or correlation matrix (numpy array or
    nested lists with ``names``, or a polars / pandas DataFrame whose columns name the
    variables), as relaimpo's ``calc.relimp(cov, ...)``. ``n_obs``, when known, adds the ``n``
    column and the check that there are more observations than coefficients.

    The matrix must be symmetric with positive variances on the variables used; one that is
    not positive semi-definite (no data could have these correlations) is a
    :class:`miroir.StatsError` giving its smallest eigenvalue.

    Examples
    --------
    Azen & Budescu (2003)'s correlation matrix of y and four predictors:

    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> r = [[1.0, 0.6, 0.3, 0.4, 0.5],
    ...      [0.6, 1.0, 0.8, 0.1, 0.3],
    ...      [0.3, 0.8, 1.0, 0.1, 0.1],
    ...      [0.4, 0.1, 0.1, 1.0, 0.5],
    ...      [0.5, 0.3, 0.1, 0.5, 1.0]]
    >>> ri = ms.relative_importance_matrix(r, "y", ["x1", "x2", "x3", "x4"],
    ...                                    names=["y", "x1", "x2", "x3", "x4"])
    >>> ri.select("predictor", pl.col("lmg", "pratt", "johnson", "share", "r2").round(4))
    shape: (4, 6)
    ┌───────────┬────────┬─────────┬─────────┬────────┬────────┐
    │ predictor ┆ lmg    ┆ pratt   ┆ johnson ┆ share  ┆ r2     │
    │ ---       ┆ ---    ┆ ---     ┆ ---     ┆ ---    ┆ ---    │
    │ str       ┆ f64    ┆ f64     ┆ f64     ┆ f64    ┆ f64    │
    ╞═══════════╪════════╪═════════╪═════════╪════════╪════════╡
    │ x1        ┆ 0.2922 ┆ 0.5428  ┆ 0.2908  ┆ 0.5    ┆ 0.5844 │
    │ x2        ┆ 0.0759 ┆ -0.1397 ┆ 0.0761  ┆ 0.1298 ┆ 0.5844 │
    │ x3        ┆ 0.0949 ┆ 0.1165  ┆ 0.0976  ┆ 0.1624 ┆ 0.5844 │
    │ x4        ┆ 0.1214 ┆ 0.0647  ┆ 0.1199  ┆ 0.2078 ┆ 0.5844 │
    └───────────┴────────┴─────────┴─────────┴────────┴────────┘
    """
    yy, xs, gs, al = _relimp_columns(y, x, always, groups)
    labels, rows = _matrix(cov, names)
    return _core.stats_relative_importance(
        rows, labels, yy, xs, gs, al, _methods(methods), exact, n_permutations, seed, n_obs
    )


@_dataclasses.dataclass(frozen=True)
class DominanceResult:
    """Dominance analysis (Budescu 1993; Azen & Budescu 2003), as R's ``domir``.

    ``general``: ``predictor, general, share`` (general dominance = LMG; shares sum to 1).
    ``conditional``: ``predictor, k1, ..., kp``: the mean R² increment of adding the predictor
    to the subsets of ``k - 1`` other predictors (``k1`` is its r², ``kp`` its increment last).
    ``complete``: one row per ordered pair, ``dominant, dominated, relation``, read
    "``dominant`` *relation* ``dominated``": ``dominates`` when its increment is at least the
    other's in every subset containing neither (and larger in one), ``dominated`` for the
    reverse, ``undetermined`` otherwise; ``complete.filter(pl.col("relation") == "dominates")``
    lists the complete dominances. ``r2``: R² of the full model; ``r2_always``: of the
    ``always`` columns alone.
    """

    general: pl.DataFrame
    conditional: pl.DataFrame
    complete: pl.DataFrame
    r2: float
    r2_always: float

    def __repr__(self) -> str:
        pairs = self.complete.filter(pl.col("relation") == "dominates")
        lines = [f"DominanceResult(r2={self.r2:.6g}, r2_always={self.r2_always:.6g})"]
        for row in self.general.iter_rows(named=True):
            lines.append(f"  {row['predictor']}: general {row['general']:.6g} (share {row['share']:.4f})")
        for a, b in zip(pairs["dominant"], pairs["dominated"]):
            lines.append(f"  {a} completely dominates {b}")
        return "\n".join(lines)


def dominance(
    data: Any,
    y: str,
    x: Sequence[str] | str,
    *,
    names: Sequence[str] | None = None,
    matrix: bool | None = None,
    weights: Any = None,
    always: Sequence[str] | str | None = None,
    groups: _Groups = None,
    drop_missing: bool = False,
    n_obs: int | None = None,
) -> DominanceResult:
    """General, conditional and complete dominance of the predictors ``x`` of ``y``
    (:class:`DominanceResult`), from raw data (a polars or pandas DataFrame) or from a
    covariance / correlation matrix (a numpy array or nested lists with ``names``; a DataFrame
    holding a matrix with ``matrix=True``). ``weights``, ``always``, ``groups`` and
    ``drop_missing`` as in :func:`relative_importance`. Needs all subsets: at most
    :data:`MAX_EXACT_PREDICTORS` predictors (or groups).

    Examples
    --------
    Azen & Budescu (2003)'s correlation matrix; their conditional dominance table, to 3
    decimals, is ``conditional``:

    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> r = [[1.0, 0.6, 0.3, 0.4, 0.5],
    ...      [0.6, 1.0, 0.8, 0.1, 0.3],
    ...      [0.3, 0.8, 1.0, 0.1, 0.1],
    ...      [0.4, 0.1, 0.1, 1.0, 0.5],
    ...      [0.5, 0.3, 0.1, 0.5, 1.0]]
    >>> d = ms.dominance(r, "y", ["x1", "x2", "x3", "x4"], names=["y", "x1", "x2", "x3", "x4"])
    >>> d
    DominanceResult(r2=0.584353, r2_always=0)
      x1: general 0.292176 (share 0.5000)
      x2: general 0.0758614 (share 0.1298)
      x3: general 0.0949109 (share 0.1624)
      x4: general 0.121404 (share 0.2078)
      x1 completely dominates x2
      x1 completely dominates x3
      x1 completely dominates x4
    >>> d.conditional.with_columns(pl.col(pl.Float64).round(3))
    shape: (4, 5)
    ┌───────────┬──────┬───────┬───────┬───────┐
    │ predictor ┆ k1   ┆ k2    ┆ k3    ┆ k4    │
    │ ---       ┆ ---  ┆ ---   ┆ ---   ┆ ---   │
    │ str       ┆ f64  ┆ f64   ┆ f64   ┆ f64   │
    ╞═══════════╪══════╪═══════╪═══════╪═══════╡
    │ x1        ┆ 0.36 ┆ 0.3   ┆ 0.263 ┆ 0.246 │
    │ x2        ┆ 0.09 ┆ 0.074 ┆ 0.069 ┆ 0.071 │
    │ x3        ┆ 0.16 ┆ 0.095 ┆ 0.063 ┆ 0.061 │
    │ x4        ┆ 0.25 ┆ 0.152 ┆ 0.073 ┆ 0.01  │
    └───────────┴──────┴───────┴───────┴───────┘
    """
    yy, xs, gs, al = _relimp_columns(y, x, always, groups)
    is_matrix = matrix
    if is_matrix is None:
        is_matrix = not (isinstance(data, (pl.DataFrame, pl.LazyFrame)) or type(data).__module__.startswith("pandas"))
    if is_matrix:
        if weights is not None:
            raise _core.InvalidArgumentError("invalid argument 'weights': weights apply to raw data, not to a matrix")
        labels, rows = _matrix(data, names)
        n = n_obs
    else:
        labels, rows, n = _data_covariance(data, _used(yy, xs, gs, al), weights, drop_missing)
    general, conditional, complete, r2, r2_always = _core.stats_dominance(rows, labels, yy, xs, gs, al, n)
    return DominanceResult(general, conditional, complete, r2, r2_always)


# -- paired samples -----------------------------------------------------------------------------
# Kernel: src/stats/paired.rs (formulas, references and scipy's rules in its documentation).

__all__ += ["paired_t", "wilcoxon"]


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


# -- agreement between codings ------------------------------------------------------------------
# Kernel: src/stats/agreement.rs (formulas and references in its documentation).

__all__ += ["agreement", "cohen_kappa", "krippendorff_alpha"]


def _categories(values: list[pl.Series], labels: Sequence[Any] | None) -> pl.Series:
    """The categories of ``values`` in their order: ``labels`` when given (each once), otherwise
    the distinct values sorted (numbers numerically, anything else as text)."""
    if labels is not None:
        cats = to_label_series(list(labels), "labels")
        if cats.null_count() or cats.n_unique() != cats.len():
            raise _core.InvalidArgumentError("invalid argument 'labels': each category must be given once, not null")
        return cats
    if all(s.dtype.is_numeric() or s.dtype == pl.Boolean for s in values):
        both = pl.concat([s.cast(pl.Float64) for s in values])
    else:
        both = pl.concat([s.cast(pl.String) for s in values])
    distinct: pl.Series = both.drop_nulls().unique().sort()
    return distinct


def _codes(s: pl.Series, cats: pl.Series, name: str) -> pl.Series:
    """``s`` as codes 0..k-1 of ``cats``; a missing value or one outside ``cats`` is refused."""
    if s.null_count():
        raise _core.InvalidArgumentError(
            f"invalid argument '{name}': {s.null_count()} missing values (drop the units either rater left out)"
        )
    if s.dtype.is_float() and s.is_nan().any():
        raise _core.InvalidArgumentError(
            f"invalid argument '{name}': {int(s.is_nan().sum())} NaN values (drop the units either rater left out)"
        )
    same: pl.Series = s.cast(cats.dtype, strict=False) if cats.dtype != s.dtype else s
    unknown = ~same.is_in(cats.implode()) | same.is_null()
    if unknown.any():
        first = s.filter(unknown)[0]
        raise _core.InvalidArgumentError(
            f"invalid argument '{name}': {int(unknown.sum())} values are not in 'labels' (first: {first!r})"
        )
    codes: pl.Series = same.replace_strict(cats, pl.Series(range(cats.len()), dtype=pl.UInt32), return_dtype=pl.UInt32)
    return codes


def cohen_kappa(
    a: Any,
    b: Any,
    *,
    weights: str | None = None,
    labels: Sequence[Any] | None = None,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Cohen's kappa between two raters who gave one category to each of the same units (``a[i]``
    and ``b[i]`` for unit ``i``), as scikit-learn's ``cohen_kappa_score(a, b, weights=weights)``.

    ``weights``: ``None`` (every disagreement counts the same), ``"linear"`` or ``"quadratic"``
    (disagreement ``|i - j|`` or ``(i - j)**2`` between the positions of the two categories in
    their order). The order is ``labels`` when given (every value must be in it), otherwise the
    distinct values sorted — numerically for numbers, alphabetically for text, as scikit-learn:
    pass ``labels=["low", "medium", "high"]`` for an ordinal scale written in words.

    Standard error (column ``se``) and the interval ``estimate ± z·se``: the large-sample variance
    of Fleiss, Cohen & Everitt (1969), statsmodels' ``cohens_kappa(table, wt=...).std_kappa``
    and SAS's ASE. ``statistic`` and ``p_value`` test kappa = 0 with the variance under
    independence (``se_null``, statsmodels' ``std_kappa0``; two-sided normal). Extras ``se``,
    ``se_null``, ``p_observed``, ``p_expected``, ``n_categories``. ``n`` = units.

    Lengths that differ or fewer than 2 units raise :class:`miroir.StatsError`; missing values
    raise :class:`miroir.InvalidArgumentError`. Both raters giving every unit one same category
    leaves kappa undefined: NaN with a ``note``.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> human = ["wait", "price", "staff", "staff", "wait", "price", "wait", "staff",
    ...          "wait", "price", "staff", "wait", "price", "staff", "wait", "wait"]
    >>> model = ["wait", "price", "staff", "wait", "wait", "price", "price", "staff",
    ...          "wait", "price", "staff", "wait", "staff", "staff", "wait", "price"]
    >>> k = ms.cohen_kappa(human, model)
    >>> k.select(pl.col("estimate", "se", "ci_low", "ci_high", "p_value").round(4))
    shape: (1, 5)
    ┌──────────┬────────┬────────┬─────────┬─────────┐
    │ estimate ┆ se     ┆ ci_low ┆ ci_high ┆ p_value │
    │ ---      ┆ ---    ┆ ---    ┆ ---     ┆ ---     │
    │ f64      ┆ f64    ┆ f64    ┆ f64     ┆ f64     │
    ╞══════════╪════════╪════════╪═════════╪═════════╡
    │ 0.6213   ┆ 0.1626 ┆ 0.3025 ┆ 0.9401  ┆ 0.0004  │
    └──────────┴────────┴────────┴─────────┴─────────┘
    """
    sa, sb = to_label_series(a, "a"), to_label_series(b, "b")
    cats = _categories([sa, sb], labels)
    return _core.stats_cohen_kappa(
        _codes(sa, cats, "a"), _codes(sb, cats, "b"), cats.len(), "none" if weights is None else weights, confidence
    )


def krippendorff_alpha(data: Any, *, level: str = "nominal", coders: str = "rows") -> pl.DataFrame:
    """Krippendorff's alpha of a coders x units table with missing values (None / NaN: the unit
    was not coded by that coder), as the package ``krippendorff``'s
    ``alpha(reliability_data=data, level_of_measurement=level)``.

    ``data``: a 2-D list, numpy array, polars or pandas DataFrame; by default one row per coder
    and one column per unit (``coders="rows"``, the package's layout); ``coders="columns"`` for a
    table with one row per unit and one column per coder. ``level``: ``"nominal"`` (categories,
    which may then be text), ``"ordinal"``, ``"interval"`` or ``"ratio"`` (numbers).

    Computed from the coincidence matrix of the values that occur (Krippendorff 2011); units
    coded by fewer than two coders are not pairable and left out. ``n`` = pairable values; extras
    ``n_units`` (pairable units), ``n_coders``, ``d_observed``, ``d_expected``; no interval.
    Fewer than 2 coders, every value missing, or no unit coded twice raise
    :class:`miroir.StatsError`; one single value in all the data gives NaN with a ``note``.

    Examples
    --------
    Krippendorff's (2011) worked example: 4 coders, 12 units, published alpha 0.743 (nominal)
    and 0.849 (interval).

    >>> import miroir.stats as ms
    >>> n = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
    ...         [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    >>> round(ms.krippendorff_alpha(data)["estimate"][0], 3)
    0.743
    >>> round(ms.krippendorff_alpha(data, level="interval")["estimate"][0], 3)
    0.849
    """
    if coders not in ("rows", "columns"):
        raise _core.InvalidArgumentError(f"invalid argument 'coders': expected 'rows' or 'columns', got {coders!r}")
    if isinstance(data, (pl.DataFrame, pl.LazyFrame)) or type(data).__module__.startswith("pandas"):
        frame = to_polars_frame(data, "data")
        columns = [frame[c] for c in frame.columns]
        if coders == "rows":
            # one Series per unit: regroup as one list of values per coder
            rows = list(zip(*(c.to_list() for c in columns))) if columns else []
            columns = [pl.Series(f"coder{i}", list(r), strict=False) for i, r in enumerate(rows)]
    else:
        if isinstance(data, (str, bytes)) or not hasattr(data, "__len__"):
            raise _core.InvalidArgumentError("invalid argument 'data': expected a 2-D table (coders x units)")
        table = [list(r) for r in data]
        if not table:
            raise _core.InvalidArgumentError("invalid argument 'data': no coder (expected a 2-D table, coders x units)")
        if any(len(r) != len(table[0]) for r in table):
            raise _core.InvalidArgumentError("invalid argument 'data': every coder needs one value per unit")
        if coders == "columns":
            table = [list(r) for r in zip(*table)]
        columns = [pl.Series(f"coder{i}", r, strict=False) for i, r in enumerate(table)]
    numeric = all(c.dtype.is_numeric() or c.dtype == pl.Null for c in columns)
    if not numeric:
        if level != "nominal":
            raise _core.InvalidArgumentError(
                f"invalid argument 'data': level '{level}' needs numbers; text categories are nominal"
            )
        cats = pl.concat([c.cast(pl.String) for c in columns]).drop_nulls().unique().sort()
        columns = [c.cast(pl.String).replace_strict(cats, range(cats.len()), default=None, return_dtype=pl.Float64) for c in columns]
    frame = pl.DataFrame({f"coder{i}": c.cast(pl.Float64).fill_null(float("nan")) for i, c in enumerate(columns)})
    return _core.stats_krippendorff_alpha(frame, level)


def _key_columns(coded: pl.DataFrame, reference: pl.DataFrame, on: str | Sequence[str] | None) -> list[str]:
    if on is None:
        keys: list[str] = [c for c in ("study", "side", "respondent_id", "question") if c in coded.columns and c in reference.columns]
        if not keys:
            raise _core.InvalidArgumentError(
                "invalid argument 'on': the tables share none of study, side, respondent_id, question; "
                "name the columns that identify a verbatim"
            )
        return keys
    keys = [on] if isinstance(on, str) else [str(k) for k in on]
    for table, frame in (("coded", coded), ("reference", reference)):
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise _core.MissingColumnError(f"table '{table}': missing required column '{missing[0]}'")
    return keys


def agreement(
    coded: Any,
    reference: Any,
    *,
    on: str | Sequence[str] | None = None,
    label: str | Sequence[str] = "theme",
) -> pl.DataFrame:
    """Per-theme precision, recall, F1 and support of a coding against a reference coding of the
    same verbatims (a model against a human coder, or two human coders): the multi-label scores
    of scikit-learn's ``precision_recall_fscore_support`` on the two theme-indicator matrices,
    with ``zero_division=np.nan``.

    ``coded`` and ``reference`` are mention tables (one row per theme found in a verbatim, a
    verbatim may carry several). ``on``: the columns that identify a verbatim (default: those of
    ``study, side, respondent_id, question`` present in both). ``label``: the column(s) compared,
    ``"theme"`` by default; ``["theme", "valence"]`` scores theme and valence together.

    One row per label (``label``, ``average`` null) with ``precision = tp/(tp+fp)``,
    ``recall = tp/(tp+fn)``, ``f1 = 2tp/(2tp+fp+fn)``, ``support = tp+fn`` (verbatims of the
    reference with that theme), ``tp, fp, fn``; then a row ``average = "macro"`` (unweighted mean
    over themes, macro-F1) and a row ``"micro"`` (pooled counts). An undefined ratio (a theme the
    coding never gave has no precision) is NaN and left out of the macro mean, never a 0.
    ``n_items`` = verbatims with a theme in either coding; verbatims neither coded change nothing.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> human = pl.DataFrame({"respondent_id": ["c1", "c1", "c2", "c3"],
    ...                       "theme": ["wait", "staff", "wait", "price"]})
    >>> model = pl.DataFrame({"respondent_id": ["c1", "c2", "c3", "c3"],
    ...                       "theme": ["wait", "wait", "price", "staff"]})
    >>> ms.agreement(model, human).select("label", "average", "precision", "recall", "f1", "support")
    shape: (5, 6)
    ┌───────┬─────────┬───────────┬──────────┬──────────┬─────────┐
    │ label ┆ average ┆ precision ┆ recall   ┆ f1       ┆ support │
    │ ---   ┆ ---     ┆ ---       ┆ ---      ┆ ---      ┆ ---     │
    │ str   ┆ str     ┆ f64       ┆ f64      ┆ f64      ┆ u64     │
    ╞═══════╪═════════╪═══════════╪══════════╪══════════╪═════════╡
    │ price ┆ null    ┆ 1.0       ┆ 1.0      ┆ 1.0      ┆ 1       │
    │ staff ┆ null    ┆ 0.0       ┆ 0.0      ┆ 0.0      ┆ 1       │
    │ wait  ┆ null    ┆ 1.0       ┆ 1.0      ┆ 1.0      ┆ 2       │
    │ null  ┆ macro   ┆ 0.666667  ┆ 0.666667 ┆ 0.666667 ┆ 4       │
    │ null  ┆ micro   ┆ 0.75      ┆ 0.75     ┆ 0.75     ┆ 4       │
    └───────┴─────────┴───────────┴──────────┴──────────┴─────────┘
    """
    c, r = to_polars_frame(coded, "coded"), to_polars_frame(reference, "reference")
    keys = _key_columns(c, r, on)
    labels = [label] if isinstance(label, str) else list(label)
    for table, frame in (("coded", c), ("reference", r)):
        for col in labels:
            if col not in frame.columns:
                raise _core.MissingColumnError(f"table '{table}': missing required column '{col}'")
        for col in keys + labels:
            if frame[col].null_count():
                raise _core.MissingValueError(
                    f"table '{table}', column '{col}': {frame[col].null_count()} missing values"
                )

    def text(frame: pl.DataFrame, cols: list[str]) -> pl.Series:
        # one string per row; the unit separator cannot occur in an id or a theme typed by a person
        return frame.select(pl.concat_str([pl.col(x).cast(pl.String) for x in cols], separator="\x1f")).to_series()

    ck, rk, cl, rl = text(c, keys), text(r, keys), text(c, labels), text(r, labels)
    items = pl.concat([ck, rk]).unique().sort()
    names = pl.concat([cl, rl]).unique().sort()
    def code(s: pl.Series, cats: pl.Series) -> pl.Series:
        codes: pl.Series = s.replace_strict(cats, pl.Series(range(cats.len()), dtype=pl.UInt64), return_dtype=pl.UInt64)
        return codes

    return _core.stats_agreement(
        code(ck, items), code(cl, names), code(rk, items), code(rl, names),
        [n.replace("\x1f", " / ") for n in names.to_list()],
    )
