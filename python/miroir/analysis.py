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

from collections.abc import Sequence
from typing import Any

from miroir import _core
from miroir._analysis_base import Cut, _by_segments, _inner, _is_cut, _opt_text, _real, _text
from miroir._study_base import StudyBase as Study  # what the analyses read of a miroir.Study
from miroir.multilevel import linkage_corrected, multilevel_gap
from miroir.results import (
    ExposureGapResult,
    IndicatorsResult,
    LinkageResult,
    MomentEffectsResult,
    MomentsResult,
    Report,
    UnitsResult,
)
from miroir.segments import segment_tables
from miroir._defaults import (
    EXPOSURE_GAP as _GAP,
    INDICATORS as _INDICATORS,
    LINKAGE as _LINKAGE,
    MOMENTS as _MOMENTS,
    REPORT as _REPORT,
)

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
__all__ += ["linkage_corrected", "multilevel_gap"]  # from miroir.multilevel


def linkage(
    study: Study,
    *,
    method: str = _LINKAGE["method"],
    by: Cut = _LINKAGE["by"],
    threshold: float | None = _LINKAGE["threshold"],
    top_share: float = _LINKAGE["top_share"],
    outcome: str = _LINKAGE["outcome"],
    n_resamples: int = _LINKAGE["n_resamples"],
    seed: int = _LINKAGE["seed"],
    confidence: float = _LINKAGE["confidence"],
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
    by: Cut = _GAP["by"],
    covariates: Sequence[str] = (),
    confidence: float = _GAP["confidence"],
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
    alpha: float = _MOMENTS["alpha"],
    silence_rate: float = _MOMENTS["silence_rate"],
    min_mentions: int = _MOMENTS["min_mentions"],
    by: Cut = _MOMENTS["by"],
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
    study: Study,
    *,
    alpha: float = _MOMENTS["alpha"],
    silence_rate: float = _MOMENTS["silence_rate"],
    min_mentions: int = _MOMENTS["min_mentions"],
    by: Cut = None,
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
        As :func:`moments`: no mentions table, or an option out of its domain.

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
    ci_method: str = _INDICATORS["ci_method"],
    confidence: float = _INDICATORS["confidence"],
    n_resamples: int = _INDICATORS["n_resamples"],
    seed: int = _INDICATORS["seed"],
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


def report(
    study: Study,
    *,
    n_resamples: int = _REPORT["n_resamples"],
    seed: int = _REPORT["seed"],
    by: Cut = None,
    lang: str = "en",
) -> Report:
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
        _inner(study)
        tables, groups = segment_tables(study, by, "report",
                                        lambda sub: report(sub, n_resamples=n_resamples, seed=seed).tables())
        result = Report(tables, {**options, "by": by})
        result.segment_groups = groups
        return result
    return Report(_core.report(_inner(study), n_resamples, seed), options)
