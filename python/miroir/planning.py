"""Study planning and psychometric meta-analysis (Rust kernel: ``src/stats/power.rs``,
``planning.rs``, ``hunter_schmidt.rs``).

- :func:`power_correlation`: power of the test of a correlation, or the number of pairs (units)
  that reaches a power, as R's ``pwr::pwr.r.test``.
- :func:`plan_linkage`: how many units, with how many respondents each, to detect a linkage
  correlation once the unreliability of both sides' unit means (ICC(2)) attenuates it.
- :func:`meta_hunter_schmidt`: Hunter–Schmidt meta-analysis of correlations, bare-bones and
  individually corrected for unreliability, with psychmeta's ``ma_r`` defaults.

:func:`power_correlation` and :func:`meta_hunter_schmidt` are also in :mod:`miroir.stats`;
:func:`plan_linkage` is also ``miroir.plan_linkage``. Bad arguments raise
:class:`miroir.InvalidArgumentError` naming the argument; bad data (``r``, ``n``, reliabilities)
:class:`miroir.StatsError` naming it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument_type, InvalidArgumentTypeError, to_float_series

__all__ = ["LinkagePlan", "meta_hunter_schmidt", "plan_linkage", "power_correlation"]


def _number(value: Any, name: str) -> float:
    """A real number argument as a float; a bool, a string or None is refused by name."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        raise invalid_argument_type(name, f"expected a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise invalid_argument_type(name, f"expected a number ({e})") from None


def _optional_number(value: Any, name: str) -> float | None:
    return None if value is None else _number(value, name)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid_argument_type(name, f"expected a string, got {value!r}")
    return value


def power_correlation(
    r: float,
    *,
    n: float | None = None,
    alpha: float = 0.05,
    power: float | None = None,
    alternative: str = "two-sided",
) -> pl.DataFrame:
    """Power of the level-``alpha`` test of a correlation ``r`` with ``n`` pairs, or the ``n``
    that reaches ``power``: give exactly one of ``n`` and ``power``. Same formula as R's
    ``pwr::pwr.r.test`` (arctanh approximation with the ``r / (2(n - 1))`` bias term, critical
    value from the t distribution on ``n - 2`` df); ``n`` is solved continuously on
    ``[4, 1e9]`` (to 1e-10, where pwr's ``uniroot`` stops near 1e-4). Round it up to plan.

    Returns one row: ``r, n, alpha, power, alternative, method``. A power unreachable within
    1e9 pairs (``r = 0``, an alternative on the other side of ``r``, a tiny ``r``) or already
    reached with 4 pairs is a :class:`miroir.InvalidArgumentError` saying so.

    Examples
    --------
    >>> import polars as pl
    >>> from miroir.stats import power_correlation
    >>> power_correlation(0.3, power=0.8).select(pl.col("n", "power").round(5))
    shape: (1, 2)
    ┌──────────┬───────┐
    │ n        ┆ power │
    │ ---      ┆ ---   │
    │ f64      ┆ f64   │
    ╞══════════╪═══════╡
    │ 84.07364 ┆ 0.8   │
    └──────────┴───────┘
    >>> round(power_correlation(0.3, n=50)["power"].item(), 4)
    0.5716
    """
    return _core.stats_power_correlation(
        _number(r, "r"),
        _optional_number(n, "n"),
        _number(alpha, "alpha"),
        _optional_number(power, "power"),
        _text(alternative, "alternative"),
    )


@dataclass(frozen=True, repr=False)
class LinkagePlan:
    """A linkage-study plan (:func:`plan_linkage`): the reliabilities of the unit means, the
    expected observed correlation, the units needed (``units_needed`` rounded up,
    ``units_continuous`` as solved) and ``table``, the same plan over respondents per unit."""

    r_true: float
    icc1: float
    respondents_per_unit: float
    customer_icc1: float
    customers_per_unit: float
    alpha: float
    power: float
    alternative: str
    icc2_employees: float
    icc2_customers: float
    expected_r: float
    units_continuous: float
    units_needed: int
    method: str
    note: str | None
    table: pl.DataFrame

    def __repr__(self) -> str:
        lines = [
            f"LinkagePlan: {self.units_needed} units ({self.units_continuous:.2f} before rounding up) "
            f"for power {self.power:g} at alpha {self.alpha:g} ({self.alternative})",
            f"  true-score r {self.r_true:g} -> expected observed r {self.expected_r:.4f}",
            f"  ICC(2) employees {self.icc2_employees:.4f} (ICC(1) {self.icc1:g}, "
            f"{self.respondents_per_unit:g} respondents per unit)",
            f"  ICC(2) customers {self.icc2_customers:.4f} (ICC(1) {self.customer_icc1:g}, "
            f"{self.customers_per_unit:g} customers per unit)",
        ]
        if self.note:
            lines.append(f"  note: {self.note}")
        lines.append("Units needed by respondents per unit:")
        for row in self.table.iter_rows(named=True):
            units = "unreachable" if row["units_needed"] is None else str(row["units_needed"])
            lines.append(
                f"  {row['respondents_per_unit']:>6g} per unit: ICC(2) {row['icc2_employees']:.3f}, "
                f"expected r {row['expected_r']:.4f}, {units} units"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = repr(self).split("\nUnits needed")[0].replace("\n", "<br>")
        table_html: str = self.table._repr_html_()
        return f"<p>{head}</p>{table_html}"


def plan_linkage(
    *,
    r_true: float,
    icc1: float,
    respondents_per_unit: float,
    customer_icc1: float,
    customers_per_unit: float,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: str = "two-sided",
    table_sizes: Sequence[float] | None = None,
) -> LinkagePlan:
    """Plan a linkage study: units needed to detect a true-score correlation ``r_true`` between
    employees' and customers' unit means.

    Each side's unit mean is an unreliable measure of the unit's true score; its reliability is
    ICC(2), the Spearman–Brown step-up of ICC(1) to the group size ``k``:
    ``ICC(2) = k·ICC(1) / (1 + (k - 1)·ICC(1))``. Unreliability attenuates the correlation to
    ``expected_r = r_true · sqrt(ICC(2)_employees · ICC(2)_customers)``, and the units needed
    are :func:`power_correlation`'s ``n`` at ``expected_r`` (pwr's ``pwr.r.test``), rounded up.
    ``table`` repeats the plan for ``table_sizes`` respondents per unit (default 5, 10, 15, 20,
    30, 50; customers per unit held fixed), with ``units_needed`` null where unreachable.

    Bad inputs (``r_true`` outside (-1, 1) or 0, an ICC(1) outside [0, 1), a group size below
    1, ``alpha`` or ``power`` outside (0, 1)) and an unreachable plan (expected r too small for
    1e9 units, an ICC(1) of 0, the alternative on the other side of ``r_true``) are
    :class:`miroir.InvalidArgumentError` naming the argument.

    Examples
    --------
    >>> import miroir
    >>> plan = miroir.plan_linkage(r_true=0.5, icc1=0.1, respondents_per_unit=10,
    ...                            customer_icc1=0.05, customers_per_unit=30)
    >>> plan.units_needed, round(plan.expected_r, 4)
    (95, 0.2838)
    >>> plan.table.select("respondents_per_unit", "units_needed")
    shape: (6, 2)
    ┌──────────────────────┬──────────────┐
    │ respondents_per_unit ┆ units_needed │
    │ ---                  ┆ ---          │
    │ f64                  ┆ u64          │
    ╞══════════════════════╪══════════════╡
    │ 5.0                  ┆ 141          │
    │ 10.0                 ┆ 95           │
    │ 15.0                 ┆ 79           │
    │ 20.0                 ┆ 72           │
    │ 30.0                 ┆ 64           │
    │ 50.0                 ┆ 58           │
    └──────────────────────┴──────────────┘
    """
    sizes = None
    if table_sizes is not None:
        if isinstance(table_sizes, (str, bytes)) or not isinstance(table_sizes, Sequence):
            try:
                table_sizes = list(table_sizes)
            except TypeError:
                raise invalid_argument_type(
                    "table_sizes", f"expected a sequence of numbers, got {table_sizes!r}"
                ) from None
        sizes = [_number(k, "table_sizes") for k in table_sizes]
    summary, table = _core.plan_linkage(
        _number(r_true, "r_true"),
        _number(icc1, "icc1"),
        _number(respondents_per_unit, "respondents_per_unit"),
        _number(customer_icc1, "customer_icc1"),
        _number(customers_per_unit, "customers_per_unit"),
        _number(alpha, "alpha"),
        _number(power, "power"),
        _text(alternative, "alternative"),
        sizes,
    )
    row = summary.row(0, named=True)
    # every field but the table is a column of the summary row, named alike
    fields = {f.name: row[f.name] for f in dataclasses.fields(LinkagePlan) if f.name != "table"}
    fields["units_needed"] = int(row["units_needed"])
    return LinkagePlan(**fields, table=table)


def meta_hunter_schmidt(
    r: Any,
    n: Any,
    rxx: Any = None,
    ryy: Any = None,
    *,
    confidence: float = 0.95,
    credibility: float = 0.80,
    correct_bias: bool = True,
) -> pl.DataFrame:
    """Hunter–Schmidt meta-analysis of correlations ``r`` from samples of sizes ``n``: one row
    per analysis, ``bare_bones`` and, when reliabilities ``rxx`` and/or ``ryy`` are given (a
    missing side counts as perfectly reliable), ``corrected`` (individual corrections for
    unreliability, the true-score correlations ρ). Defaults as R psychmeta's ``ma_r``
    (Schmidt & Hunter 2015, *Methods of Meta-Analysis*, 3rd ed.): sample-size weights, error
    variance from the mean r, unbiased observed variance, t intervals on k - 1 df, 80%
    credibility, each r first corrected for small-sample bias (``r / ((2n - 2)/(2n - 1))``;
    ``correct_bias=False`` for the textbook's uncorrected r).

    Bare-bones: ``mean_r = Σn·r/Σn``; ``var_r = k/(k-1)·Σn(r - mean_r)²/Σn``;
    ``var_e = Σn·(1 - mean_r²)²/(n - 1) / Σn``; ``var_res = var_r - var_e`` (may be negative;
    ``sd_res`` is then 0); ``percent_var_accounted = 100·var_e/var_r``;
    CI ``mean_r ± t·sd_r/sqrt(k)``; credibility ``mean_r ± t·sd_res``.
    Corrected: ``A = sqrt(rxx·ryy)``, ``r_c = r/A``, weights ``n·A²``, error variances
    ``var_e_i/A²``; ``mean_rho, var_r_c, var_e_c, var_rho, sd_rho`` likewise, CI and credibility
    around ``mean_rho``.

    Columns: ``analysis, estimate`` (mean_r or mean_rho), ``k, n_total``, the bare-bones
    ``mean_r, var_r, var_e, var_res, sd_r, se_r, sd_e, sd_res`` (repeated on the corrected row, as
    psychmeta's individual-correction table), the corrected ``mean_rho, var_r_c, var_e_c,
    var_rho, sd_r_c, se_r_c, sd_e_c, sd_rho`` (null on the bare-bones row), then for the row's
    analysis ``percent_var_accounted, ci_low, ci_high, cr_low, cr_high``, and ``confidence,
    credibility, corrected_above_one`` (how many corrected r exceed 1 in absolute value: kept as
    computed, never clipped, and named in ``note``), ``method, note``.

    Examples
    --------
    >>> import polars as pl
    >>> from miroir.stats import meta_hunter_schmidt
    >>> res = meta_hunter_schmidt([0.20, 0.35, 0.10, 0.42, 0.28], [120, 85, 200, 60, 150],
    ...                           rxx=[0.8, 0.85, 0.75, 0.9, 0.8], ryy=[0.7, 0.6, 0.8, 0.7, 0.75])
    >>> res.select("analysis", pl.col("estimate", "sd_res", "sd_rho", "cr_low", "cr_high").round(4))
    shape: (2, 6)
    ┌────────────┬──────────┬────────┬────────┬────────┬─────────┐
    │ analysis   ┆ estimate ┆ sd_res ┆ sd_rho ┆ cr_low ┆ cr_high │
    │ ---        ┆ ---      ┆ ---    ┆ ---    ┆ ---    ┆ ---     │
    │ str        ┆ f64      ┆ f64    ┆ f64    ┆ f64    ┆ f64     │
    ╞════════════╪══════════╪════════╪════════╪════════╪═════════╡
    │ bare_bones ┆ 0.2303   ┆ 0.0873 ┆ null   ┆ 0.0964 ┆ 0.3642  │
    │ corrected  ┆ 0.3007   ┆ 0.0873 ┆ 0.1177 ┆ 0.1203 ┆ 0.4811  │
    └────────────┴──────────┴────────┴────────┴────────┴─────────┘
    """
    if not isinstance(correct_bias, bool):
        raise invalid_argument_type(
            "correct_bias", f"expected True or False, got {correct_bias!r}"
        )
    return _core.stats_meta_hunter_schmidt(
        to_float_series(r, "r"),
        to_float_series(n, "n"),
        None if rxx is None else to_float_series(rxx, "rxx"),
        None if ryy is None else to_float_series(ryy, "ryy"),
        _number(confidence, "confidence"),
        _number(credibility, "credibility"),
        correct_bias,
    )

