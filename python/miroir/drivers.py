"""What drives engagement and satisfaction: :func:`drivers` and its result.

The analysis itself is in Rust (``src/analysis/drivers.rs``); this module checks the arguments,
wraps the table in :class:`DriversResult` and draws its chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from miroir import _core
from miroir._frames import invalid_argument_type, InvalidArgumentTypeError
from miroir._analysis_base import _by_segments, _inner, _opt_text, _real, _text
from miroir.results import DriversResult
from miroir._defaults import DRIVERS as _DRIVERS

if TYPE_CHECKING:
    from miroir.study import Study

#: The seeds' drivers: column -> (English label, French label, seed article).
SEED_DRIVERS: dict[str, tuple[str, str, str]] = {
    column: (en, fr, seed) for column, en, fr, seed in _core.seed_drivers()
}


def _names(name: str, value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise invalid_argument_type(
            name, f"expected a column name or a list of column names, got {value!r}"
        )
    return list(value)


def drivers(
    study: Study,
    *,
    outcome: str = _DRIVERS["outcome"],
    drivers: Sequence[str] | str | None = None,
    controls: Sequence[str] | str = (),
    level: str | None = None,
    adjust_for_study: bool = _DRIVERS["adjust_for_study"],
    n_resamples: int = _DRIVERS["n_resamples"],
    seed: int = _DRIVERS["seed"],
    confidence: float = _DRIVERS["confidence"],
    by: str | Sequence[str] | None = None,
) -> DriversResult:
    """Which drivers explain engagement, or customer satisfaction, most.

    Parameters
    ----------
    study : Study
        The validated study.
    outcome : {"engagement", "share_satisfied", "mean_satisfaction"}
        What is explained. Engagement is explained per employee by default; the customer
        outcomes per unit (the unit means of the drivers against the unit's customers).
    drivers : list of str, optional
        Columns of the employees table (numbers or yes/no). By default the seeds' drivers that
        the data has: ``trained_customer`` (seed 000), ``tenure_months`` (002), ``informed``
        (003), ``manager_support`` (004).
    controls : list of str
        Columns kept in every model and not ranked (e.g. ``customer_facing``).
    level : {"employee", "unit"}, optional
        Employees or units as the observations (``"employee"`` only for engagement).
    adjust_for_study : bool
        Study fixed effects: effects and importances within studies.
    n_resamples : int
        Cluster-bootstrap resamples (units within studies) of the importance shares; 0 skips
        the bootstrap.
    seed : int
        Seed of the bootstrap (same seed, same intervals, whatever the number of threads).
    confidence : float
        Level of every interval.
    by : segment column(s), optional
        A unit attribute (``"region"``) or a list of them published together: the analysis of
        each segment, stacked; see ``by`` in :func:`linkage`.

    Returns
    -------
    DriversResult
        ``.table`` has one row per driver: ``outcome, level, driver, label, label_fr, seed, n,
        n_units, n_studies, r2`` (within-study R² of the full model), ``estimate`` (outcome
        points per driver unit), ``beta_std`` (standardised coefficient) with ``std_error,
        statistic, df, p_value, ci_low, ci_high`` (cluster-robust CR1, t on G - 1 df), ``lmg``
        (the driver's share of R² by Lindeman-Merenda-Gold averaging, relaimpo's ``lmg``),
        ``share`` (lmg over the drivers' total) with the percentile bootstrap ``share_ci_low,
        share_ci_high``, ``rank`` (1 = most important), ``p_first`` (share of resamples in
        which it ranks first), ``n_resamples, note``.

    Raises
    ------
    InvalidArgumentError
        An unknown outcome or level, a column that is not in the employees table or is text, a
        column listed twice, an identifier as a driver.
    InsufficientDataError
        No driver column, a driver missing for most employees, too few observations.
    StatsError
        A driver that does not vary (within studies), or drivers that are collinear.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=3_000, customers=6_000, seed=1)
    >>> res = miroir.drivers(study, n_resamples=200)
    >>> res.select("driver", "rank").sort("rank").row(0)
    ('manager_support', 1)
    >>> round(res["share"].sum(), 12)
    1.0
    """
    if by is not None:
        return _by_segments(DriversResult, study, by, "drivers", lambda sub: _drivers(
            sub, outcome=outcome, drivers=drivers, controls=controls, level=level,
            adjust_for_study=adjust_for_study, n_resamples=n_resamples, seed=seed,
            confidence=confidence).table, {"outcome": outcome, "drivers": drivers, "level": level})
    table = _core.drivers(
        _inner(study), _text("outcome", outcome), _names("drivers", drivers),
        _names("controls", controls) or [], _opt_text("level", level), bool(adjust_for_study),
        n_resamples, seed, _real("confidence", confidence),
    )
    options = {
        "outcome": outcome, "drivers": drivers, "controls": list(_names("controls", controls) or []),
        "level": level, "adjust_for_study": adjust_for_study, "n_resamples": n_resamples,
        "seed": seed, "confidence": confidence,
    }
    return DriversResult(table, options)


_drivers = drivers  # the function, where its ``drivers`` argument hides the name

__all__ = ["SEED_DRIVERS", "DriversResult", "drivers"]
