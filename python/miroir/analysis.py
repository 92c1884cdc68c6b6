"""The mirror analyses: linkage, engagement gap by exposure, six moments, indicators, report.

Each function takes a :class:`miroir.Study` and returns a tidy polars DataFrame whose columns are
documented below; the same functions are available as ``Study`` methods. Outputs grouped below
the study (units, themes) suppress groups of fewer than ``schema.min_group_size`` respondents:
the row stays, its statistics are null and a ``suppressed`` column says so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from miroir import _core

if TYPE_CHECKING:
    from miroir.study import Study

__all__ = [
    "Report",
    "exposure_gap",
    "indicators",
    "linkage",
    "linkage_units",
    "moment_effects",
    "moments",
    "report",
]


def linkage(
    study: Study,
    *,
    method: str = "pearson",
    by: str | None = "study",
    threshold: float | None = None,
    top_share: float = 0.08,
    outcome: str = "share_satisfied",
    n_resamples: int = 1999,
    seed: int = 0,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Engagement vs customer satisfaction at the unit level, per study and pooled.

    Units enter when both sides are present and the unit is not suppressed (neither side has
    fewer than ``min_group_size`` respondents, and it is not a complementary suppression: the
    study's aggregates below would otherwise give a hidden unit back). Per study
    (``by="study"``) and for all studies pooled (``level == "pooled"``):

    - ``estimate, p_value, ci_low, ci_high, method``: correlation (``pearson``, ``spearman`` or
      ``kendall``) of unit mean engagement with the unit's ``outcome`` (``share_satisfied`` or
      ``mean_satisfaction``). The pooled correlation is a random-effects meta-analysis (REML,
      metafor's ``rma(measure="ZCOR")``) of the per-study correlations, with ``tau2, i2, q_p``.
    - ``icc1, icc2``: ICC(1) and ICC(2) of engagement by unit (R ``multilevel``).
    - ``share_satisfied_high`` vs ``share_satisfied_rest``: customers of the high-engagement
      units (top tercile per study, or mean engagement >= ``threshold``) against the others;
      ``satisfied_diff`` with CI and the two-proportion z-test p-value.
    - ``uplift``: mean engagement of the top ``top_share`` units ranked by mean satisfaction over
      that of the others, minus 1, with a unit-bootstrap BCa CI (``n_resamples``, ``seed``).

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    >>> table = miroir.linkage(study)
    >>> table.select("level", "study", "n_units").tail(1)
    shape: (1, 3)
    ┌────────┬───────┬─────────┐
    │ level  ┆ study ┆ n_units │
    │ ---    ┆ ---   ┆ ---     │
    │ str    ┆ str   ┆ u64     │
    ╞════════╪═══════╪═════════╡
    │ pooled ┆ all   ┆ 195     │
    └────────┴───────┴─────────┘
    """
    return _core.linkage(
        study._inner, method, by, threshold, top_share, outcome, n_resamples, seed, confidence
    )


def linkage_units(study: Study) -> pl.DataFrame:
    """The unit table: ``study, unit, n_employees, mean_engagement, n_customers,
    share_satisfied, mean_satisfaction, suppressed, suppression`` (statistics null when
    suppressed; a study with exactly one small unit gets a second, complementary suppression)."""
    return _core.linkage_units(study._inner)


def exposure_gap(
    study: Study,
    *,
    by: str | None = "study",
    covariates: Sequence[str] = (),
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Engagement of customer-facing employees against the others, per study and pooled.

    Columns: ``n_facing, n_other, mean_facing, mean_other, gap`` (= mean_other - mean_facing;
    positive when customer-facing staff are less engaged), Welch's ``statistic, df, p_value,
    ci_low, ci_high`` (scipy ``ttest_ind(equal_var=False)``), ``hedges_g, g_ci_low, g_ci_high``,
    ``mw_statistic, mw_p_value, rank_biserial`` (scipy ``mannwhitneyu``), and on the pooled row
    the ``adjusted_gap`` from OLS with study fixed effects and ``covariates``, cluster-robust by
    unit (CR1) with its standard error, CI and p. ``largest`` marks the study behind
    "up to N points".
    """
    return _core.exposure_gap(study._inner, by, list(covariates), confidence)


def moments(
    study: Study,
    *,
    alpha: float = 0.05,
    silence_rate: float = 0.02,
    min_mentions: int = 10,
    by: str | None = None,
) -> pl.DataFrame:
    """The mirror matrix: one row per theme with its moment.

    Customer axis: exact binomial test of the positive share against 0.5 (``enchanted`` /
    ``irritated`` / ``undetermined``). Employee axis: ``silent`` when the one-sided upper Wilson
    bound of the share of employees mentioning the theme is below ``silence_rate``, else binomial
    test of their positive share (``proud`` / ``frustrated`` / ``undetermined``). The theme's
    p-value is the larger of the two; ``q_value`` is Benjamini-Hochberg across themes; the moment
    (``win_win, lucky_break, pain, wrong_fight, blindness, dead_end``) is given when q < alpha,
    else ``undetermined``; themes under ``min_mentions`` customer mentions are
    ``too_few_mentions``. ``action`` is the seed's recommendation.
    """
    return _core.moments(study._inner, alpha, silence_rate, min_mentions, by)


def moment_effects(
    study: Study, *, alpha: float = 0.05, silence_rate: float = 0.02, min_mentions: int = 10
) -> pl.DataFrame:
    """Per moment: satisfaction of customers who mention its themes against the others, and
    engagement of employees likewise (Welch t of mentioning - other, Hedges' g, BH q-value)."""
    return _core.moment_effects(study._inner, alpha, silence_rate, min_mentions)


def indicators(
    study: Study,
    *,
    ci_method: str = "wilson",
    confidence: float = 0.95,
    n_resamples: int = 1999,
    seed: int = 0,
) -> pl.DataFrame:
    """The eight published figures of the seed article: ``id, label, estimate, ci_low, ci_high,
    n, method, published, note``. Shares use Wilson intervals (``ci_method="clopper_pearson"``
    on request), weighted with Kish's effective n when a ``weight`` column exists."""
    try:
        # the kernel's own parser (aliases included) decides which names are valid
        _core.stats_proportion_ci(1, 2, ci_method, 0.95)
    except _core.StatsError as e:
        # a wrong name is an invalid argument, named as the caller named it
        detail = str(e).split("`: ", 1)[-1]
        raise _core.InvalidArgumentError(f"invalid argument 'ci_method': {detail}") from None
    return _core.indicators(study._inner, ci_method, confidence, n_resamples, seed)


class Report:
    """All the analyses of a study: ``summary, indicators, linkage, units, exposure_gap,
    moments, moment_effects`` (polars DataFrames) and ``warnings``."""

    TABLES = ("summary", "indicators", "linkage", "units", "exposure_gap", "moments", "moment_effects")

    def __init__(self, tables: dict[str, Any]) -> None:
        self.summary: pl.DataFrame = tables["summary"]
        self.indicators: pl.DataFrame = tables["indicators"]
        self.linkage: pl.DataFrame = tables["linkage"]
        self.units: pl.DataFrame = tables["units"]
        self.exposure_gap: pl.DataFrame = tables["exposure_gap"]
        self.moments: pl.DataFrame | None = tables["moments"]
        self.moment_effects: pl.DataFrame | None = tables["moment_effects"]
        self.warnings: list[str] = list(tables["warnings"])

    def tables(self) -> dict[str, pl.DataFrame]:
        """The non-empty tables by name."""
        out = {name: getattr(self, name) for name in self.TABLES}
        return {k: v for k, v in out.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        """Plain Python data (lists of row dicts), for JSON."""
        data: dict[str, Any] = {name: df.to_dicts() for name, df in self.tables().items()}
        data["warnings"] = self.warnings
        return data

    def to_json(self) -> str:
        """The report as JSON (NaN written as null)."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and value != value:
                return None
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v) for v in value]
            return value

        return json.dumps(clean(self.to_dict()), indent=1, ensure_ascii=False, allow_nan=False)

    def __repr__(self) -> str:
        n_moments = 0 if self.moments is None else self.moments.height
        return (
            f"<miroir.Report: {self.summary.height} studies, {self.indicators.height} indicators, "
            f"{self.units.height} units, {n_moments} themes>"
        )


def report(study: Study, *, n_resamples: int = 1999, seed: int = 0) -> Report:
    """Run every analysis (default options) and gather the tables."""
    return Report(_core.report(study._inner, n_resamples, seed))
