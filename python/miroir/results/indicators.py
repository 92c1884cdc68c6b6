"""The result object of :func:`miroir.indicators`: the published figures with their CI and n."""

from __future__ import annotations

from typing import Any

from miroir.results._display import TEXT_MARK, _Column, _key_render
from miroir.results._format import (
    Row,
    UNDEFINED,
    _auto_decimals,
    _ci_label,
    _dec,
    _fmt,
    _fmt_int,
    _fmt_text,
    _number,
    _with_ci,
)
from miroir.results.base import Result
from miroir import _core
from miroir._defaults import INDICATORS as _INDICATORS


class IndicatorsResult(Result):
    """Result of :func:`miroir.indicators`: the published figures with their CI and n.

    A row is marked when its ``published`` value lies outside the estimate's CI (the data do
    not support the published figure at that level); the ``published in CI`` column says it
    for every row.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.indicators(study)
    >>> res.headline
    'Indicators: 8 figures; 6 published values inside their 95% CI, 2 outside (has_cost_ideas, never_asked)'
    >>> res.filter(res["id"] == "can_contribute")["n"].item()
    1500
    """

    kind = "indicators"
    title = "Indicators"

    def _inside(self, row: Row) -> bool | None:
        """Whether the published value lies in the CI; None when it cannot be said."""
        published: Any = row.get("published")
        low: Any = row.get("ci_low")
        high: Any = row.get("ci_high")
        p, lo, hi = _number(published), _number(low), _number(high)
        if p is None or lo is None or hi is None:
            return None
        return _core.published_inside_ci(p, lo, hi)

    def _headline(self) -> str:
        rows = self._rows()
        text = f"{self.title}: {len(rows):,} figures"
        if "published" not in self.table.columns:
            return text
        inside = [r for r in rows if self._inside(r) is True]
        outside = [r for r in rows if self._inside(r) is False]
        ci = _ci_label(self.options.get("confidence", _INDICATORS["confidence"]))
        text += f"; {len(inside):,} published values inside their {ci}"
        text += f", {len(outside):,} outside"
        if outside:
            text += " (" + ", ".join(str(r.get("id")) for r in outside) + ")"
        unknown = len(rows) - len(inside) - len(outside)
        if unknown:
            text += f", {unknown:,} undefined"
        return text

    def _legend(self) -> str:
        return f"{TEXT_MARK} published value outside the {_ci_label(self.options.get('confidence', _INDICATORS['confidence']))}"

    def _is_significant(self, row: Row) -> bool:
        return self._inside(row) is False

    def _columns(self) -> list[_Column]:
        def estimate(row: Row) -> str:
            d = _auto_decimals(row["estimate"])
            return _with_ci(_fmt(row["estimate"], d), row.get("ci_low"), row.get("ci_high"), _dec(d))

        def published(row: Row) -> str:
            return _fmt(row["published"], _auto_decimals(row.get("estimate")))

        def inside(row: Row) -> str:
            flag = self._inside(row)
            return UNDEFINED if flag is None else "yes" if flag else "no"

        ci = _ci_label(self.options.get("confidence", _INDICATORS["confidence"]))
        columns = [
            _Column("id", "id", _key_render("id", _fmt_text), numeric=False, side="never"),
            _Column("label", "label", _key_render("label", _fmt_text), numeric=False, side="never"),
            _Column(f"estimate [{ci}]", "estimate", estimate),
            _Column("n", "n", _key_render("n", _fmt_int), side="never"),
        ]
        if "published" in self.table.columns:
            columns += [
                _Column("published", "published", published, side="never"),
                _Column("published in CI", "published", inside, numeric=False, side="never"),
            ]
        return columns
