"""The result object of :func:`miroir.linkage_units`: one row per unit."""

from __future__ import annotations

from miroir.results._display import _Column, _key_render
from miroir.results._format import Row, _fmt_int, _fmt_pct, _fmt_text, _one, _two
from miroir.results.base import Result


class UnitsResult(Result):
    """Result of :func:`miroir.linkage_units`: one row per unit, both sides aggregated.

    Suppressed units keep their row and their respondent counts; their statistics show as
    ``suppressed`` and the reason (the ``suppression`` column) is a footnote. No row is marked.

    Examples
    --------
    A study whose kiosk has two employees: its statistics are withheld, and so are those of a
    second unit, or the study's totals would give the kiosk's back by subtraction.

    >>> import polars as pl
    >>> import miroir
    >>> employees = pl.DataFrame({
    ...     "study": "acme", "unit": ["north"] * 6 + ["south"] * 6 + ["east"] * 6 + ["kiosk"] * 2,
    ...     "employee_id": [f"e{i}" for i in range(20)],
    ...     "customer_facing": [i % 2 == 0 for i in range(20)],
    ...     "engagement": [float(30 + (i * 7) % 60) for i in range(20)],
    ... })
    >>> customers = pl.DataFrame({
    ...     "study": "acme", "unit": ["north", "south", "east", "kiosk"] * 8,
    ...     "customer_id": [f"c{i}" for i in range(32)],
    ...     "satisfaction": [float((i * 3) % 11) for i in range(32)],
    ... })
    >>> units = miroir.linkage_units(miroir.Study(employees, customers))
    >>> print(units)
    Units: 4 units in 1 study; 2 suppressed (statistics withheld)
      study  unit   employees  mean engagement  customers  share satisfied  mean satisfaction  notes
      -----  -----  ---------  ---------------  ---------  ---------------  -----------------  -----
      acme   east           6       suppressed          8       suppressed         suppressed  [1]
      acme   kiosk          2       suppressed          8       suppressed         suppressed  [2]
      acme   north          6             47.5          8            ...
      acme   south          6             59.5          8            ...
    [1] suppressed: complementary: protects a small unit of the same study from subtraction
    [2] suppressed: fewer than 5 respondents on one side
    >>> units.suppressed_rows().to_list()
    [True, True, False, False]
    >>> units.table["mean_engagement"].to_list()[:2]
    [None, None]
    """

    kind = "units"
    title = "Units"

    def _headline(self) -> str:
        rows = self._rows()
        studies = len({r.get("study") for r in rows})
        hidden = sum(1 for r in rows if self._is_suppressed(r))
        text = f"{self.title}: {len(rows):,} units in {studies} stud{'y' if studies == 1 else 'ies'}"
        if hidden:
            text += f"; {hidden:,} suppressed (statistics withheld)"
        else:
            text += "; none suppressed"
        return text

    def _note(self, row: Row) -> str | None:
        reason = row.get("suppression")
        return None if reason is None else f"suppressed: {reason}"

    def _columns(self) -> list[_Column]:
        return [
            _Column("study", "study", _key_render("study", _fmt_text), numeric=False, side="never"),
            _Column("unit", "unit", _key_render("unit", _fmt_text), numeric=False, side="never"),
            _Column("employees", "n_employees", _key_render("n_employees", _fmt_int), side="never"),
            _Column("mean engagement", "mean_engagement", _key_render("mean_engagement", _one)),
            _Column("customers", "n_customers", _key_render("n_customers", _fmt_int), side="never"),
            _Column("share satisfied", "share_satisfied", _key_render("share_satisfied", _fmt_pct)),
            _Column("mean satisfaction", "mean_satisfaction", _key_render("mean_satisfaction", _two)),
        ]
