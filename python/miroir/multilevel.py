"""The multilevel analyses (issue 16): the linkage corrected for the unreliability of unit means
(:func:`linkage_corrected`) and the exposure gap in a random-intercept model
(:func:`multilevel_gap`). Both are available from :mod:`miroir.analysis` and as ``miroir.*``."""

from __future__ import annotations

from miroir import _core
from miroir._analysis_base import Cut, _by_segments, _inner, _is_cut, _opt_text, _real, _text
from miroir._study_base import StudyBase as Study  # what the analyses read of a miroir.Study
from miroir.results import CorrectedLinkageResult, MultilevelGapResult
from miroir._defaults import LINKAGE_CORRECTED as _CORRECTED, MULTILEVEL_GAP as _MULTILEVEL

__all__ = ["linkage_corrected", "multilevel_gap"]


def linkage_corrected(
    study: Study,
    *,
    outcome: str = _CORRECTED["outcome"],
    confidence: float = _CORRECTED["confidence"],
    credibility: float = _CORRECTED["credibility"],
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
    confidence: float = _MULTILEVEL["confidence"],
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
