"""The result object of :func:`miroir.drivers`: one row per driver."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from miroir.results._format import _fmt, _fmt_pct, _missing, _with_ci
from miroir.results.base import Result

if TYPE_CHECKING:
    from miroir.charts import Chart


class DriversResult(Result):
    """Result of :func:`miroir.drivers`: one row per driver.

    A row is marked when its standardised coefficient's ``p_value`` is below 0.05. The headline
    names the outcome, the R² and the driver ranked first with its share (and its bootstrap
    interval when there is one); a table with several outcomes (the report's) gets one clause
    per outcome.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> print(miroir.drivers(study, n_resamples=0).headline)
    Drivers of engagement (employee level, 4 drivers, within-study R² = 0.04): first Informed about company life, 49% of the explained variance
    """

    kind = "drivers"
    title = "Drivers"

    def _headline(self) -> str:
        parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in self._rows():
            parts.setdefault((str(r["outcome"]), str(r["level"])), []).append(r)
        out = []
        for (outcome, level), rows in parts.items():
            first = min(rows, key=lambda r: r.get("rank") or math.inf)
            label = first.get("label") or first["driver"]
            share = _fmt_pct(first["share"], 0)
            if not (_missing(first.get("share_ci_low")) and _missing(first.get("share_ci_high"))):
                # no interval without the bootstrap (n_resamples=0)
                share = _with_ci(share, first.get("share_ci_low"), first.get("share_ci_high"),
                                 lambda v: _fmt_pct(v, 0))
            out.append(f"{outcome.replace('_', ' ')} ({level} level, {len(rows)} drivers, within-study "
                       f"R² = {_fmt(rows[0]['r2'], 2)}): first {label}, {share} of the explained variance")
        return "Drivers of " + "; of ".join(out)

    def _legend(self) -> str:
        return "* standardised coefficient p < 0.05"

    def _is_significant(self, row: dict[str, Any]) -> bool:
        p = row.get("p_value")
        return p is not None and not math.isnan(p) and p < 0.05

    def chart(self, **kwargs: Any) -> Chart:
        """The importance shares as bars with their bootstrap intervals
        (:func:`miroir.charts.drivers_chart`)."""
        from miroir.charts import drivers_chart

        return drivers_chart(self, **kwargs)
