"""The result object of :func:`miroir.moments` (the mirror matrix), and the six moments' order."""

from __future__ import annotations

from typing import Any

from miroir import _core
from miroir.results._display import TEXT_MARK, _Column, _key_render
from miroir.results._format import (
    NOT_APPLICABLE,
    Row,
    _fmt_int,
    _fmt_p,
    _fmt_pct,
    _fmt_text,
    _number,
    _pct0,
)
from miroir.results.base import Result, _below


#: The six moments in the seed's order (from the Rust core: ``_core.moment_taxonomy``).
MOMENT_ORDER: tuple[str, ...] = tuple(row[0] for row in _core.moment_taxonomy())


class MomentsResult(Result):
    """Result of :func:`miroir.moments`: the mirror matrix, one row per theme.

    A row is marked when its theme is classified into a moment (``q_value`` below the call's
    ``alpha``). A side with fewer than ``min_group_size`` respondents shows its counts and
    shares as ``suppressed``.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.moments(study)
    >>> res.headline
    'Moments: 27 themes; 13 classified at q < 0.05 (win_win 3, lucky_break 1, pain 1, wrong_fight 2, blindness 2, dead_end 4); 10 undetermined; 4 with too few mentions'
    >>> int(res.significant_rows().sum())
    13
    >>> print(repr(res).splitlines()[3])
    * advisor called back as promised  win_win  52  75%  enchanted  79 (5.3%)  85%  proud  <0.001  <0.001  deploy it
    """

    kind = "moments"
    title = "Moments"

    def _alpha(self) -> float:
        alpha = _number(self.options.get("alpha", 0.05))
        return 0.05 if alpha is None else alpha

    def _headline(self) -> str:
        rows = self._rows()
        alpha = self._alpha()
        counts = {m: 0 for m in MOMENT_ORDER}
        undetermined = few = 0
        for r in rows:
            moment = r.get("moment")
            if moment in counts and self._is_significant(r):
                counts[str(moment)] += 1
            elif moment == "too_few_mentions":
                few += 1
            else:
                undetermined += 1
        classified = sum(counts.values())
        themes = len({r.get("theme") for r in rows})
        text = f"{self.title}: {themes:,} themes"
        if "study" in self.table.columns:
            studies = len({r.get("study") for r in rows})
            text += f" in {studies} stud{'y' if studies == 1 else 'ies'} ({len(rows):,} rows)"
        text += f"; {classified:,} classified at q < {alpha:g}"
        if classified:
            text += " (" + ", ".join(f"{m} {n}" for m, n in counts.items() if n) + ")"
        text += f"; {undetermined:,} undetermined"
        if few:
            text += f"; {few:,} with too few mentions"
        return text

    def _legend(self) -> str:
        return f"{TEXT_MARK} moment determined (q < {self._alpha():g})"

    def _is_significant(self, row: Row) -> bool:
        return row.get("moment") in MOMENT_ORDER and _below(row.get("q_value"), self._alpha())

    def _is_suppressed(self, row: Row) -> bool:
        return bool(row.get("customer_suppressed")) or bool(row.get("employee_suppressed"))

    def _side_suppressed(self, row: Row, side: str) -> bool:
        return bool(row.get(f"{side}_suppressed"))

    def _columns(self) -> list[_Column]:
        columns: list[_Column] = []
        if "study" in self.table.columns:
            columns.append(_Column("study", "study", _key_render("study", _fmt_text), numeric=False, side="never"))
        return columns + [
            _Column("theme", "theme", _key_render("theme", _fmt_text), numeric=False, side="never"),
            _Column("moment", "moment", _key_render("moment", _fmt_text), numeric=False, side="never"),
            _Column(
                "customer mentions", "customer_mentions", _key_render("customer_mentions", _fmt_int),
                side="customer",
            ),
            _Column(
                "customers positive", "customer_positive_share",
                _key_render("customer_positive_share", _pct0), side="customer",
            ),
            _Column(
                "customer axis", "customer_axis", _key_render("customer_axis", _fmt_text),
                numeric=False, side="never",
            ),
            _Column(
                "employees mentioning", "employees_mentioning",
                lambda r: f"{_fmt_int(r['employees_mentioning'])} ({_fmt_pct(r.get('employee_share'))})",
                side="employee",
            ),
            _Column(
                "employees positive", "employee_positive_share",
                _key_render("employee_positive_share", _pct0), side="employee",
            ),
            _Column(
                "employee axis", "employee_axis", _key_render("employee_axis", _fmt_text),
                numeric=False, side="never",
            ),
            _Column("p", "p_value", _key_render("p_value", _fmt_p), side="never"),
            _Column("q", "q_value", _key_render("q_value", _fmt_p), side="never"),
            _Column(
                "action", "action", _key_render("action", _short_action), numeric=False, side="never"
            ),
        ]


def _short_action(value: Any) -> str:
    """The seed's action up to its colon: ``deploy it``, ``relieve employees first``."""
    if value is None:
        return NOT_APPLICABLE
    return str(value).split(":", 1)[0]
