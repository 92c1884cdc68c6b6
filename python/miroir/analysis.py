"""The mirror analyses: linkage, engagement gap by exposure, six moments, indicators, report.

Each function takes a :class:`miroir.Study` and returns a result object (see
:mod:`miroir.results`) holding a tidy polars DataFrame in ``.table``, whose columns are
documented below; the result prints as a headline and a formatted table, shows as HTML in
Jupyter, and answers the DataFrame's own methods (``result.filter(...)``, ``result["col"]``).
The same functions are available as ``Study`` methods. Outputs grouped below the study (units,
segments, themes) suppress groups of fewer than ``schema.min_group_size`` respondents: the row
stays, its statistics are null and a ``suppressed`` column says so.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from miroir import _core
from miroir._frames import InvalidArgumentTypeError
from miroir.results import (
    ExposureGapResult,
    IndicatorsResult,
    LinkageResult,
    MomentEffectsResult,
    MomentsResult,
    Report,
    Result,
    UnitsResult,
)

if TYPE_CHECKING:
    from miroir.study import Study

def _inner(study: object) -> _core.Study:
    """The core study of ``study``, refusing anything that is not a :class:`miroir.Study`."""
    from miroir.study import Study

    if not isinstance(study, Study):
        raise InvalidArgumentTypeError(
            "invalid argument 'study': expected a miroir.Study (miroir.Study(...), "
            f"miroir.load_study(...) or miroir.synthetic_study(...)), got {type(study).__name__}"
        )
    return study._inner


def _real(name: str, value: object) -> float:
    """A numeric option as a float, refusing text, booleans and other objects by name."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentTypeError(f"invalid argument '{name}': expected a number, got {value!r}")
    return float(value)


def _text(name: str, value: object) -> str:
    """A text option, refusing other objects by name."""
    if not isinstance(value, str):
        raise InvalidArgumentTypeError(f"invalid argument '{name}': expected text, got {value!r}")
    return value


def _opt_text(name: str, value: object) -> str | None:
    """An optional text option (``None`` allowed), refusing other objects by name."""
    return None if value is None else _text(name, value)


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


Cut = str | Sequence[str] | None

_R = TypeVar("_R", bound=Result)


def _is_cut(by: object, own: tuple[str | None, ...]) -> bool:
    """Whether ``by`` asks for segments (a column, or several) rather than one of the
    analysis's own groupings ``own``."""
    return not (by is None or (isinstance(by, str) and by in own))


def _by_segments(cls: type[_R], study: Study, by: Cut, analysis: str, run: Callable[[Study], Any],
                 options: dict[str, Any]) -> _R:
    """The analysis ``run`` on every segment of ``by``, stacked into one ``cls`` result (see
    :func:`miroir.segments.segments`)."""
    from miroir.segments import segment_tables

    _inner(study)  # the typed error for a wrong argument
    tables, groups = segment_tables(study, by, analysis, run)
    table = tables["table"]
    if table is None:
        raise _core.InsufficientDataError(f"{analysis} by {by!r}: no segment gave a result")
    result = cls(table, {**options, "by": by})
    result.segment_groups = groups
    return result


def linkage(
    study: Study,
    *,
    method: str = "pearson",
    by: Cut = "study",
    threshold: float | None = None,
    top_share: float = 0.08,
    outcome: str = "share_satisfied",
    n_resamples: int = 1999,
    seed: int = 0,
    confidence: float = 0.95,
) -> LinkageResult:
    """Engagement vs customer satisfaction at the unit level, per study and pooled.

    Units enter when both sides are present and the unit is not suppressed (neither side has
    fewer than ``min_group_size`` respondents, and it is not a complementary suppression: the
    study's aggregates below would otherwise give a hidden unit back).

    Weights: with a ``weight`` column, the unit means come from the respondents' weights within
    each unit (see :func:`linkage_units`); the unit-level statistics count every unit equally
    (the correlation, the ranking and the uplift: units are the observations). ICC(1)/ICC(2) and
    the high-engagement contrast (a two-proportion z-test on customer counts) stay unweighted, and
    ``note`` says so.

    Parameters
    ----------
    study : Study
        The validated study.
    method : {"pearson", "spearman", "kendall"}
        The correlation of unit mean engagement with the unit's ``outcome``.
    by : {"study", None} or segment column(s)
        ``"study"``: one row per study, then the pooled row; None: the pooled row only. A
        column of both respondent tables (a unit attribute: ``"region"``, ``"sector"``), or a
        list of them published together: the analysis of each segment (per study and pooled),
        stacked with ``segment_column`` and ``segment`` first, a segment group too small to
        publish (or one that would let a small group be recovered by subtraction across the
        cuts) blanked with ``segment_suppressed`` (:func:`miroir.segments.protect_segments`).
    threshold : float, optional
        High-engagement units are those with mean engagement >= ``threshold``; by default the
        top tercile of each study.
    top_share : float
        The share of units, ranked by mean satisfaction, whose engagement uplift is measured.
    outcome : {"share_satisfied", "mean_satisfaction"}
        The customer side of the correlation.
    n_resamples : int
        Bootstrap resamples of the uplift's BCa interval (0, or 100 to 10,000,000; 0 skips the
        bootstrap: the uplift is reported without an interval, with a note).
    seed : int
        Seed of the bootstrap (same seed, same interval, whatever the number of threads).
    confidence : float
        Level of every interval.

    Returns
    -------
    LinkageResult
        ``.table`` has one row per study (``level == "study"``) and a pooled row
        (``level == "pooled"``, ``study == "all"``) with the columns

        - ``n_units, n_employees, n_customers``: what entered;
        - ``estimate, p_value, ci_low, ci_high, method``: the correlation. The pooled one is a
          random-effects meta-analysis (REML, metafor's ``rma(measure="ZCOR")``) of the
          per-study correlations, with ``tau2, i2`` (percent) ``, q_p``;
        - ``icc1, icc2``: ICC(1) and ICC(2) of engagement by unit (R ``multilevel``);
        - ``high_units, share_satisfied_high, share_satisfied_rest``: customers of the
          high-engagement units against the others; ``satisfied_diff`` with
          ``satisfied_diff_ci_low, satisfied_diff_ci_high`` and the two-proportion z-test
          ``satisfied_diff_p``;
        - ``top_units, engagement_top, engagement_rest, uplift``: mean engagement of the top
          ``top_share`` units over that of the others, minus 1, with a unit-bootstrap BCa
          ``uplift_ci_low, uplift_ci_high``;
        - ``note``: why a value is undefined or how it was computed.

    Raises
    ------
    InvalidArgumentError
        An option out of its domain (unknown ``method``, ``outcome`` or ``by``, ``confidence``
        outside (0, 1), ...).

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.linkage(study)
    >>> print(res.headline)
    Linkage: unit engagement vs share satisfied, 3 studies, 76 units; pooled r = 0.85 [0.76, 0.90] (95% CI), p < 0.001
    >>> res.select("level", "study", "n_units").tail(1)
    shape: (1, 3)
    ┌────────┬───────┬─────────┐
    │ level  ┆ study ┆ n_units │
    │ ---    ┆ ---   ┆ ---     │
    │ str    ┆ str   ┆ u64     │
    ╞════════╪═══════╪═════════╡
    │ pooled ┆ all   ┆ 76      │
    └────────┴───────┴─────────┘

    Spearman's rho on the mean satisfaction, pooled only:

    >>> rho = miroir.linkage(study, method="spearman", outcome="mean_satisfaction", by=None)
    >>> print(rho.headline)
    Linkage: unit engagement vs mean satisfaction, 76 units; pooled ρ = 0.86 [0.66, 0.94] (95% CI), p < 0.001
    >>> rho.height, rho["method"][0]
    (1, 'random-effects meta-analysis (REML) of 3 per-study correlations')
    """
    if _is_cut(by, ("study",)):
        return _by_segments(LinkageResult, study, by, "linkage", lambda sub: linkage(
            sub, method=method, threshold=threshold, top_share=top_share, outcome=outcome,
            n_resamples=n_resamples, seed=seed, confidence=confidence).table, {
            "method": method, "threshold": threshold, "top_share": top_share, "outcome": outcome,
            "n_resamples": n_resamples, "seed": seed, "confidence": confidence})
    table = _core.linkage(
        _inner(study), _text("method", method), _opt_text("by", by),
        None if threshold is None else _real("threshold", threshold), _real("top_share", top_share),
        _text("outcome", outcome), n_resamples, seed, _real("confidence", confidence),
    )
    options = {
        "method": method, "by": by, "threshold": threshold, "top_share": top_share,
        "outcome": outcome, "n_resamples": n_resamples, "seed": seed, "confidence": confidence,
    }
    return LinkageResult(table, options)


def linkage_units(study: Study, *, by: Cut = None) -> UnitsResult:
    """The unit table behind the linkage: both sides aggregated per unit.

    Parameters
    ----------
    study : Study
        The validated study.
    by : segment column(s), optional
        A unit attribute (``"region"``) or a list of them published together: the analysis of
        each segment, stacked; see ``by`` in :func:`linkage`.

    Returns
    -------
    UnitsResult
        ``.table`` has one row per unit present on either side: ``study, unit, n_employees,
        mean_engagement, n_customers, share_satisfied, mean_satisfaction, suppressed,
        suppression``. A unit with fewer than ``min_group_size`` respondents on a side keeps its
        row and its counts, its statistics are null and ``suppression`` gives the reason; a
        study with exactly one such unit gets a second, complementary suppression.

        With a ``weight`` column in the employees table, ``mean_engagement`` is the weighted
        mean ``sum(w * x) / sum(w)`` of the unit's employees; with one in the customers table,
        ``share_satisfied`` and ``mean_satisfaction`` are weighted likewise. ``n_employees`` and
        ``n_customers`` stay respondent counts and suppression is by those counts. A missing
        weight raises :class:`miroir.MissingValueError` naming the table, column and rows.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> units = miroir.linkage_units(study)
    >>> print(units.headline)
    Units: 76 units in 3 studies; none suppressed
    >>> shown = units.filter(~units["suppressed"])
    >>> shown["mean_engagement"].null_count(), round(shown["share_satisfied"].mean(), 2)
    (0, 0.76)

    :class:`miroir.UnitsResult` shows a study with suppressed units.
    """
    if _is_cut(by, ()):
        return _by_segments(UnitsResult, study, by, "linkage_units", lambda sub: linkage_units(sub).table, {})
    return UnitsResult(_core.linkage_units(_inner(study)))


def exposure_gap(
    study: Study,
    *,
    by: Cut = "study",
    covariates: Sequence[str] = (),
    confidence: float = 0.95,
) -> ExposureGapResult:
    """Engagement of customer-facing employees against the others, per study and pooled.

    Parameters
    ----------
    study : Study
        The validated study.
    by : {"study", None} or segment column(s)
        ``"study"``: one row per study, then the pooled row; None: the pooled row only.
        Or a segment column (a unit attribute; for this employee-side analysis also an
        employee column, e.g. a tenure band), or a list of them published together: see
        ``by`` in :func:`linkage`.
    covariates : sequence of str
        Employee columns added to the adjusted OLS (e.g. ``["tenure_months"]``).
    confidence : float
        Level of every interval.

    Returns
    -------
    ExposureGapResult
        ``.table`` columns: ``level, study, n_facing, n_other, mean_facing, mean_other, gap``
        (= mean_other - mean_facing; positive when customer-facing staff are less engaged),
        Welch's ``statistic, df, p_value, ci_low, ci_high`` (scipy
        ``ttest_ind(equal_var=False)``), ``hedges_g, g_ci_low, g_ci_high``, ``mw_statistic,
        mw_p_value, rank_biserial`` (scipy ``mannwhitneyu``), and on the pooled row the
        ``adjusted_gap`` from OLS with study fixed effects and ``covariates``, cluster-robust by
        unit (CR1), with ``adjusted_std_error, adjusted_ci_low, adjusted_ci_high,
        adjusted_p_value``. ``largest`` marks the study behind "up to N points"; ``suppressed``
        a segment under ``min_group_size``; ``note`` the reason.

        With a ``weight`` column in the employees table: weighted means; Welch's test as
        statsmodels ``weightstats.ttest_ind(x1, x2, usevar="unequal", weights=(w1, w2))``, which
        treats the weights as frequency weights (``nobs = sum(w)``, variance of a mean
        ``sum(w (x - mean)^2) / (W (W - 1))``, Satterthwaite df on ``W - 1``: the result depends on
        the scale of the weights); the adjusted gap by WLS with the same cluster-robust CR1
        errors, as statsmodels ``WLS(...).fit(cov_type="cluster", use_t=True)`` with study
        dummies. Hedges' g and Mann-Whitney U have no standard weighted version: they stay
        unweighted and ``note`` says so. ``n_facing, n_other`` stay respondent counts.

    Raises
    ------
    InvalidArgumentError
        Unknown ``by``, a covariate that is not an employee column, ``confidence`` outside
        (0, 1).

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> gap = miroir.exposure_gap(study)
    >>> print(gap.headline)
    Exposure gap: customer-facing employees 12.5 points less engaged than the others (pooled, 95% CI [10.7, 14.3], p < 0.001); adjusted 12.8 [10.7, 14.9]; up to 20.8 points (hotel-01)
    >>> gap.filter(gap["largest"])["study"].to_list()
    ['hotel-01']
    >>> pooled = gap.row(-1, named=True)
    >>> round(pooled["mean_other"] - pooled["mean_facing"], 1) == round(pooled["gap"], 1)
    True
    """
    if isinstance(covariates, str):
        covariates = [covariates]
    if _is_cut(by, ("study",)):
        return _by_segments(ExposureGapResult, study, by, "exposure_gap", lambda sub: exposure_gap(
            sub, covariates=covariates, confidence=confidence).table,
            {"covariates": list(covariates), "confidence": confidence})
    names = [_text("covariates", c) for c in covariates]
    table = _core.exposure_gap(_inner(study), _opt_text("by", by), names, _real("confidence", confidence))
    options = {"by": by, "covariates": list(covariates), "confidence": confidence}
    return ExposureGapResult(table, options)


def moments(
    study: Study,
    *,
    alpha: float = 0.05,
    silence_rate: float = 0.02,
    min_mentions: int = 10,
    by: Cut = None,
) -> MomentsResult:
    """The mirror matrix: one row per theme with its moment.

    Customer axis: exact binomial test of the positive share against 0.5 (``enchanted`` /
    ``irritated`` / ``undetermined``). Employee axis: ``silent`` when the one-sided upper Wilson
    bound of the share of employees mentioning the theme is below ``silence_rate``, else
    binomial test of their positive share (``proud`` / ``frustrated`` / ``undetermined``). The
    theme's p-value is the larger of the two (intersection-union); ``q_value`` is
    Benjamini-Hochberg across themes.

    Parameters
    ----------
    study : Study
        The validated study, with coded mentions.
    alpha : float
        A theme gets its moment when ``q_value < alpha``, else ``undetermined``.
    silence_rate : float
        Employees are silent on a theme when the upper Wilson bound of the share of employees
        mentioning it is below this rate.
    min_mentions : int
        Themes with fewer customer mentions are listed as ``too_few_mentions``.
    by : {None, "study"} or segment column(s)
        ``"study"``: one row per study and theme (a ``study`` column comes first).
        Or a unit attribute (``"region"``), or a list of them published together: see
        ``by`` in :func:`linkage`.

    Returns
    -------
    MomentsResult
        ``.table`` columns: ``theme, moment`` (``win_win, lucky_break, pain, wrong_fight,
        blindness, dead_end``, ``undetermined`` or ``too_few_mentions``), ``action`` (the seed's
        recommendation), ``p_value, q_value``; per side the mention counts, positive share, axis
        and its p-value (``customer_*``, ``employee_*``, ``employees_mentioning,
        employee_share, employee_share_upper``); ``customer_suppressed, employee_suppressed``
        (a side with fewer than ``min_group_size`` respondents: its counts are null); example
        verbatims (``customer_example, employee_example``, from ``min_text_group_size``
        respondents) and ``note``.

        With ``weight`` columns, ``customer_positive_share``, ``employee_positive_share`` and
        ``employee_share`` are weighted by the weight of the respondent behind each mention; the
        counts stay counts and the classification tests (binomial, Wilson) stay on counts,
        unweighted, as ``note`` says.

    Raises
    ------
    InvalidArgumentError
        The study has no mentions table, or an option is out of its domain.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.moments(study)
    >>> print(res.headline)
    Moments: 27 themes; 13 classified at q < 0.05 (win_win 3, lucky_break 1, pain 1, wrong_fight 2, blindness 2, dead_end 4); 10 undetermined; 4 with too few mentions
    >>> res.filter(res["moment"] == "win_win")["action"].unique().to_list()
    ['deploy it: make this interaction the norm']
    """
    if _is_cut(by, ("study",)):
        return _by_segments(MomentsResult, study, by, "moments", lambda sub: moments(
            sub, alpha=alpha, silence_rate=silence_rate, min_mentions=min_mentions).table,
            {"alpha": alpha, "silence_rate": silence_rate, "min_mentions": min_mentions})
    table = _core.moments(
        _inner(study), _real("alpha", alpha), _real("silence_rate", silence_rate), min_mentions,
        _opt_text("by", by),
    )
    options = {"alpha": alpha, "silence_rate": silence_rate, "min_mentions": min_mentions, "by": by}
    return MomentsResult(table, options)


def moment_effects(
    study: Study, *, alpha: float = 0.05, silence_rate: float = 0.02, min_mentions: int = 10, by: Cut = None
) -> MomentEffectsResult:
    """Per moment: satisfaction of customers who mention its themes against the others, and
    engagement of employees likewise.

    Parameters
    ----------
    study : Study
        The validated study, with coded mentions.
    alpha, silence_rate, min_mentions
        The classification of the themes, as in :func:`moments`; ``alpha`` is also the level at
        which the display marks a difference.
    by : segment column(s), optional
        A unit attribute (``"region"``) or a list of them published together: the analysis of
        each segment, stacked; see ``by`` in :func:`linkage`.

    Returns
    -------
    MomentEffectsResult
        ``.table`` has two rows per moment (``side`` customer / employee, ``outcome``
        satisfaction / engagement): ``n_themes, n_mentioning, n_other, mean_mentioning,
        mean_other``, Welch's ``estimate`` (mentioning - other) ``, statistic, df, p_value,
        ci_low, ci_high``, ``hedges_g``, the Benjamini-Hochberg ``q_value``, ``suppressed``
        (a group under ``min_group_size``: statistics null) and ``note``. With a ``weight``
        column on a side, that side's means and Welch test are weighted as in
        :func:`exposure_gap` (statsmodels ``ttest_ind(usevar="unequal", weights=...)``);
        ``hedges_g`` stays unweighted, as ``note`` says.

    Raises
    ------
    InvalidArgumentError
        The study has no mentions table, or an option is out of its domain.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> effects = miroir.moment_effects(study)
    >>> effects.shape
    (12, 18)
    >>> row = effects.filter((effects["moment"] == "pain") & (effects["side"] == "employee")).row(0, named=True)
    >>> row["outcome"], round(row["estimate"], 1)
    ('engagement', -4.9)
    """
    if _is_cut(by, ()):
        return _by_segments(MomentEffectsResult, study, by, "moment_effects", lambda sub: moment_effects(
            sub, alpha=alpha, silence_rate=silence_rate, min_mentions=min_mentions).table,
            {"alpha": alpha, "silence_rate": silence_rate, "min_mentions": min_mentions})
    table = _core.moment_effects(_inner(study), _real("alpha", alpha), _real("silence_rate", silence_rate), min_mentions)
    options = {"alpha": alpha, "silence_rate": silence_rate, "min_mentions": min_mentions}
    return MomentEffectsResult(table, options)


def indicators(
    study: Study,
    *,
    ci_method: str = "wilson",
    confidence: float = 0.95,
    n_resamples: int = 1999,
    seed: int = 0,
    by: Cut = None,
) -> IndicatorsResult:
    """The eight published figures of the seed article, recomputed with their CI and n.

    Parameters
    ----------
    study : Study
        The validated study.
    ci_method : {"wilson", "clopper_pearson", "agresti_coull", "jeffreys"}
        Interval of the shares; weighted with Kish's effective n when a ``weight`` column
        exists.
    confidence : float
        Level of every interval.
    n_resamples, seed : int
        Bootstrap of the engagement uplift's interval (``n_resamples=0``: no interval).
    by : segment column(s), optional
        A unit attribute (``"region"``) or a list of them published together: the analysis of
        each segment, stacked; see ``by`` in :func:`linkage`.

    Returns
    -------
    IndicatorsResult
        ``.table`` columns: ``id, label, estimate, ci_low, ci_high, n, method, published,
        note``; one row per figure, in the article's order.

    Raises
    ------
    InvalidArgumentError
        Unknown ``ci_method``, ``confidence`` outside (0, 1).

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.indicators(study)
    >>> res["id"].to_list()[:3]
    ['can_contribute', 'top_cx_engagement_uplift', 'satisfaction_high_engagement']
    >>> row = res.row(0, named=True)
    >>> round(row["estimate"], 3), round(row["ci_low"], 3), round(row["ci_high"], 3), row["n"]
    (0.719, 0.696, 0.741, 1500)
    >>> print(res.headline)
    Indicators: 8 figures; 6 published values inside their 95% CI, 2 outside (has_cost_ideas, never_asked)
    """
    if _is_cut(by, ()):
        return _by_segments(IndicatorsResult, study, by, "indicators", lambda sub: indicators(
            sub, ci_method=ci_method, confidence=confidence, n_resamples=n_resamples, seed=seed).table,
            {"ci_method": ci_method, "confidence": confidence, "n_resamples": n_resamples, "seed": seed})
    table = _core.indicators(
        _inner(study), _text("ci_method", ci_method), _real("confidence", confidence), n_resamples, seed
    )
    options = {"ci_method": ci_method, "confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    return IndicatorsResult(table, options)


def report(study: Study, *, n_resamples: int = 1999, seed: int = 0, by: Cut = None, lang: str = "en") -> Report:
    """Run every analysis with its default options and gather the results.

    Parameters
    ----------
    study : Study
        The validated study; without mentions, ``moments`` and ``moment_effects`` are None.
    n_resamples, seed : int
        The bootstrap of the linkage uplift (and of the indicator that reports it);
        ``n_resamples=0`` skips it (no uplift interval), the fast path for large studies.
    by : segment column(s), optional
        A unit attribute (``"region"``) or a list of them published together: the analysis of
        each segment, stacked; see ``by`` in :func:`linkage`.
    lang : {"en", "fr"}
        The language of the report's deliverables (:meth:`Report.to_html`, ``to_excel``,
        ``to_pptx``) unless they are given another.

    Returns
    -------
    Report
        ``summary`` (polars DataFrame), ``indicators, linkage, units, exposure_gap, moments,
        moment_effects, drivers`` (result objects; ``drivers`` holds :func:`miroir.drivers` of
        engagement per employee then of the share satisfied per unit, with the report's
        ``n_resamples`` and ``seed``; ``.table`` or ``report.tables()`` for the polars
        DataFrames) and ``warnings``; ``to_dict()`` and ``to_json()`` for machine-readable
        output.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> rep = miroir.report(study)
    >>> rep.indicators.table.equals(miroir.indicators(study).table)
    True
    >>> rep.units.height, rep.summary.height
    (76, 3)
    >>> import json
    >>> sorted(json.loads(rep.to_json()))[:3]
    ['drivers', 'exposure_gap', 'indicators']
    """
    from miroir.i18n import check_lang

    options: dict[str, Any] = {"n_resamples": n_resamples, "seed": seed, "lang": check_lang(lang)}
    if _is_cut(by, ()):
        from miroir.segments import segment_tables

        _inner(study)
        tables, groups = segment_tables(study, by, "report",
                                        lambda sub: report(sub, n_resamples=n_resamples, seed=seed).tables())
        result = Report(tables, {**options, "by": by})
        result.segment_groups = groups
        return result
    return Report(_core.report(_inner(study), n_resamples, seed), options)


# --- corrected linkage and multilevel exposure gap (issue 16) ----------------------------------

from miroir.results import CorrectedLinkageResult, MultilevelGapResult  # noqa: E402

__all__ += ["linkage_corrected", "multilevel_gap"]


def linkage_corrected(
    study: Study,
    *,
    outcome: str = "share_satisfied",
    confidence: float = 0.95,
    credibility: float = 0.80,
    by: Cut = None,
) -> CorrectedLinkageResult:
    """Linkage corrected for the unreliability of unit means: true-score correlations per study,
    pooled by random effects and by Hunter–Schmidt.

    Per study, over the linkable units of :func:`linkage` (the same units, the same observed
    Pearson ``r``): the reliability of the unit means on each side is their ICC(2) (Bliese 2000,
    R ``multilevel::ICC2``: ``(MSB - MSW)/MSB`` of the one-way ANOVA by unit) — of engagement over
    the employees of those units, and of the customer outcome over their customers (the 0/1
    "satisfied" indicator, satisfaction at or above the schema's threshold, for
    ``share_satisfied``; the satisfaction for ``mean_satisfaction``) — and ``r_corrected = r /
    sqrt(reliability_employees · reliability_customers)`` (Spearman's correction for
    attenuation). A corrected r above 1 in absolute value is reported as computed, never clipped,
    with the note "corrected r above 1: the reliabilities are underestimated or the sample is
    small"; a reliability ≤ 0 or undefined leaves ``r_corrected`` NaN with the reason.

    Parameters
    ----------
    study : Study
        The validated study.
    outcome : {"share_satisfied", "mean_satisfaction"}
        The customer side of the correlation.
    confidence : float
        Level of the confidence intervals.
    credibility : float
        Level of the Hunter–Schmidt credibility intervals (psychmeta's default 0.80).
    by : segment column(s), optional
        A unit attribute (``"region"``) or a list of them published together: the analysis of
        each segment, stacked; see ``by`` in :func:`linkage`.

    Returns
    -------
    CorrectedLinkageResult
        ``.table`` columns: ``level, study, method, n_units, n_employees, n_customers, r,
        reliability_employees, reliability_customers, r_corrected`` (study rows), ``estimate,
        p_value, ci_low, ci_high, cr_low, cr_high, k, n_total, sd_res, tau,
        percent_var_accounted`` (pooled rows), ``note``. The pooled rows (``level == "pooled"``,
        ``study == "all"``) are, by ``method``:

        - ``random_effects``: the pooled row of :func:`linkage` (REML random-effects
          meta-analysis of the Fisher-z per-study r over studies with 4 or more linkable units;
          ``tau`` on the z scale);
        - ``hunter_schmidt_bare_bones``: :func:`miroir.stats.meta_hunter_schmidt` of the same
          studies' ``r`` with ``n = n_units`` (psychmeta ``ma_r`` defaults), with the
          credibility interval ``cr_low, cr_high``, ``sd_res`` and ``percent_var_accounted``;
        - ``hunter_schmidt_corrected``: its individually corrected analysis with ``rxx`` and
          ``ryy`` the two reliabilities (``sd_res`` is then ``sd_rho``); studies with a
          reliability undefined or ≤ 0 are left out, with a note naming them.

        With fewer than 2 studies to pool the random-effects row is, as in :func:`linkage`, the
        correlation over all linkable units, and the Hunter–Schmidt rows are NaN with the
        reason.

    Raises
    ------
    InvalidArgumentError
        Unknown ``outcome``, ``confidence`` or ``credibility`` outside (0, 1).
    InsufficientDataError
        No linkable unit.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.linkage_corrected(study)
    >>> res.select("level", "method", "n_units", "k").tail(3).rows()
    [('pooled', 'random_effects', 76, 3), ('pooled', 'hunter_schmidt_bare_bones', 76, 3), ('pooled', 'hunter_schmidt_corrected', 76, 3)]
    >>> row = res.row(0, named=True)
    >>> corrected = row["r"] / (row["reliability_employees"] * row["reliability_customers"]) ** 0.5
    >>> abs(row["r_corrected"] - corrected) < 1e-12
    True
    """
    if _is_cut(by, ()):
        return _by_segments(CorrectedLinkageResult, study, by, "linkage_corrected", lambda sub: linkage_corrected(
            sub, outcome=outcome, confidence=confidence, credibility=credibility).table,
            {"outcome": outcome, "confidence": confidence, "credibility": credibility})
    table = _core.linkage_corrected(
        _inner(study), _text("outcome", outcome), _real("confidence", confidence),
        _real("credibility", credibility),
    )
    options = {"outcome": outcome, "confidence": confidence, "credibility": credibility}
    return CorrectedLinkageResult(table, options)


def multilevel_gap(
    study: Study,
    *,
    by: Cut = None,
    confidence: float = 0.95,
) -> MultilevelGapResult:
    """Engagement gap of customer-facing employees in a random-intercept model (employees
    within units), next to the OLS fixed-effects gap of :func:`exposure_gap`.

    Per study: ``engagement ~ customer_facing`` with a random intercept per unit; pooled:
    ``engagement ~ customer_facing + study`` (study dummies, fixed) with a random intercept per
    unit. REML, as statsmodels ``MixedLM.from_formula(..., groups=unit).fit(reml=True)`` and nlme
    ``lme(..., random = ~1|unit)``; standard errors model-based (``σ²(Σ X'V⁻¹X)⁻¹``, nlme's and
    lme4's, 0.3-1% below statsmodels' ``bse`` on unbalanced units; see
    :func:`miroir.stats.mixed_lm`), z test and normal interval.

    Parameters
    ----------
    study : Study
        The validated study.
    by : {"study", None} or segment column(s)
        ``"study"``: one row per study, then the pooled row; None (default): the pooled row.
        Or a segment column (a unit attribute; for this employee-side analysis also an
        employee column, e.g. a tenure band), or a list of them published together: see
        ``by`` in :func:`linkage`.
    confidence : float
        Level of the interval.

    Returns
    -------
    MultilevelGapResult
        ``.table`` columns: ``level, study, n_employees, n_units, gap`` (minus the
        customer_facing coefficient: positive when customer-facing staff are less engaged, the
        sign of :func:`exposure_gap`) ``, std_error, statistic, p_value, ci_low, ci_high, icc``
        (``group_var / (group_var + resid_var)``, the share of the residual variance between
        units) ``, group_var, resid_var, ols_gap`` (:func:`exposure_gap`'s answer for the row:
        the difference of means on a study row, ``adjusted_gap`` on the pooled row) ``,
        converged, suppressed, note``. A study row is suppressed exactly when
        :func:`exposure_gap` suppresses it (a segment under ``min_group_size`` employees, or
        the complementary study protecting it): counts kept, statistics null. A study without
        customer-facing employees (or without others) has NaN statistics and a note, as
        :func:`exposure_gap`; so has a fit that fails (e.g. a single unit), with the reason.

    Raises
    ------
    InvalidArgumentError
        Unknown ``by``, ``confidence`` outside (0, 1).

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.multilevel_gap(study, by="study")
    >>> res["level"].to_list()
    ['study', 'study', 'study', 'pooled']
    >>> pooled = res.row(-1, named=True)
    >>> pooled["converged"], pooled["gap"] > 0, 0 < pooled["icc"] < 1
    (True, True, True)
    """
    if _is_cut(by, ("study",)):
        return _by_segments(MultilevelGapResult, study, by, "multilevel_gap", lambda sub: multilevel_gap(
            sub, confidence=confidence).table, {"confidence": confidence})
    table = _core.multilevel_gap(_inner(study), _opt_text("by", by), _real("confidence", confidence))
    options = {"by": by, "confidence": confidence}
    return MultilevelGapResult(table, options)
