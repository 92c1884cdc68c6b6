"""Result objects of the mirror analyses: the polars table, plus a readable display.

Every analysis (:func:`miroir.linkage`, :func:`miroir.linkage_units`, :func:`miroir.exposure_gap`,
:func:`miroir.moments`, :func:`miroir.moment_effects`, :func:`miroir.indicators`) returns a
:class:`Result`. Its ``.table`` is the tidy polars DataFrame with the documented columns,
unchanged; the result adds

- ``repr(result)``: a one-line headline (the figure a reader looks for first) and a compact table
  of the key columns: numbers rounded, intervals written ``[low, high]``, p-values ``<0.001``,
  significant rows marked ``*``, suppressed groups written ``suppressed`` (never blank), and
  the notes of the table as numbered footnotes;
- ``result._repr_html_()``: the same content as a self-contained HTML table (inline style, no
  script), which Jupyter shows for a result left at the end of a cell;
- ``to_polars()``, ``to_pandas()``, ``to_dicts()``, ``significant_rows()``, ``suppressed_rows()``.

A result also behaves like its table: any attribute it does not define itself is looked up on
``.table`` (``result.filter(...)``, ``result.select(...)``, ``result.row(0, named=True)``,
``result.height``, ``result.columns``), and ``result["col"]``, ``len(result)``, ``"col" in result``
and ``for column in result`` work as on a polars DataFrame. What these return is plain polars.
Compare results through their tables: ``a.table.equals(b.table)``.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import polars as pl

from miroir import _core
from miroir._frames import InvalidArgumentTypeError, to_polars_frame

if TYPE_CHECKING:
    import pandas as pd

    from miroir.charts import Chart

__all__ = [
    "CorrectedLinkageResult",
    "DriversResult",
    "ExposureGapResult",
    "IndicatorsResult",
    "LinkageResult",
    "MultilevelGapResult",
    "MomentEffectsResult",
    "MomentsResult",
    "Report",
    "Result",
    "UnitsResult",
]

Row = dict[str, Any]
R = TypeVar("R", bound="Result")

# What a cell shows when a value is missing: null because the group is suppressed, null
# because the column does not apply to the row, or NaN (undefined, e.g. r with n < 3).
SUPPRESSED = "suppressed"
NOT_APPLICABLE = "–"
UNDEFINED = "n/a"
TEXT_MARK = "*"
HTML_MARK = "★"
#: The six moments in the seed's order (from the Rust core: ``_core.moment_taxonomy``).
MOMENT_ORDER: tuple[str, ...] = tuple(row[0] for row in _core.moment_taxonomy())


# --- number formatting ---------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> float | None:
    """``value`` as a float, or None when it is not a number (a table built by hand may hold
    text where a number is expected: the display shows it as it is rather than failing)."""
    if isinstance(value, (str, bytes)) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _fmt(value: Any, decimals: int, *, signed: bool = False) -> str:
    """A number rounded to ``decimals``; NaN as ``n/a``, null as ``–``."""
    if value is None:
        return NOT_APPLICABLE
    x = _number(value)
    if x is None:
        return str(value)
    if math.isnan(x):
        return UNDEFINED
    if math.isinf(x):
        return ("+" if x > 0 and signed else "-" if x < 0 else "") + "inf"
    text = f"{x:+.{decimals}f}" if signed else f"{x:.{decimals}f}"
    # "-0.00" reads as a sign where there is none
    if float(text) == 0.0:
        text = f"{0.0:.{decimals}f}"
    return text


def _auto_decimals(value: Any) -> int:
    """Decimals by magnitude: 1 from 10 up, 2 from 1 up, 3 below (0.729, 7.86, 43.6)."""
    number = _number(value)
    if number is None or math.isnan(number) or math.isinf(number):
        return 2
    x = abs(number)
    return 1 if x >= 10 else 2 if x >= 1 else 3


def _fmt_int(value: Any) -> str:
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, float):
        if math.isnan(value):
            return UNDEFINED
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError, OverflowError):
        return str(value)


def _column_total(table: pl.DataFrame, column: str) -> str:
    """The sum of a count column, formatted (``n/a`` when it does not hold numbers)."""
    series = table[column]
    if not series.dtype.is_numeric():
        return UNDEFINED
    return _fmt_int(series.sum())


def _fmt_pct(value: Any, decimals: int = 1, *, signed: bool = False) -> str:
    """A share as a percentage: 0.8925 -> ``89.3%``."""
    number = _number(value)
    if number is None or math.isnan(number):
        return _fmt(value, decimals)
    return _fmt(100.0 * number, decimals, signed=signed) + "%"


def _fmt_p(value: Any) -> str:
    """A p-value: ``<0.001`` below 0.001, else three decimals."""
    p = _number(value)
    if p is None or math.isnan(p):
        return _fmt(value, 3)
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _p_phrase(value: Any) -> str:
    """``p < 0.001`` or ``p = 0.042`` (for headlines)."""
    text = _fmt_p(value)
    return "p < 0.001" if text == "<0.001" else f"p = {text}"


def _with_ci(estimate: str, low: Any, high: Any, fmt: Callable[[Any], str]) -> str:
    """``estimate [low, high]``; the interval is left out when both bounds are null (not
    computed), or when the estimate and both bounds are undefined (NaN)."""
    if low is None and high is None:
        return estimate
    if estimate == UNDEFINED and _missing(low) and _missing(high):
        return estimate
    return f"{estimate} [{fmt(low)}, {fmt(high)}]"


def _ci_label(confidence: Any) -> str:
    """``95% CI`` for 0.95."""
    try:
        level = 100.0 * float(confidence)
    except (TypeError, ValueError):
        level = 95.0
    return f"{level:.1f}".rstrip("0").rstrip(".") + "% CI"


def _below(value: Any, alpha: float) -> bool:
    number = _number(value)
    return number is not None and number < alpha


def _short_action(value: Any) -> str:
    """The seed's action up to its colon: ``deploy it``, ``relieve employees first``."""
    if value is None:
        return NOT_APPLICABLE
    return str(value).split(":", 1)[0]


# --- display model ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One displayed column: ``key`` is the value whose absence makes the cell missing."""

    header: str
    key: str
    render: Callable[[Row], str]
    numeric: bool = True
    # None: the row's suppression applies; "customer"/"employee": that side's (moments);
    # "never": the value is published even for a suppressed group (counts, labels)
    side: str | None = None


@dataclass(frozen=True)
class _Cell:
    text: str
    css: str  # "num" or "text", plus "suppressed" or "na" for a missing value


@dataclass
class _Display:
    headline: str
    columns: list[_Column]
    rows: list[list[_Cell]]
    marked: list[bool]
    suppressed: list[bool]
    legend: list[str]
    notes: list[str]
    omitted: int = 0  # rows left out of the display
    split: int = 0  # where, among the shown rows, the left-out ones would be


_STYLE = """<style>
.miroir-result{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;margin:0.5em 0}
.miroir-result .miroir-headline{font-weight:600;margin:0.2em 0 0.4em 0}
.miroir-result table.miroir-table{border-collapse:collapse;margin:0}
.miroir-result th,.miroir-result td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap;vertical-align:top}
.miroir-result th{border-bottom:2px solid #999;font-weight:600}
.miroir-result .num{text-align:right;font-variant-numeric:tabular-nums}
.miroir-result tr.miroir-significant td{font-weight:600}
.miroir-result td.miroir-mark{color:#b8860b;text-align:center}
.miroir-result td.suppressed{color:#888;font-style:italic}
.miroir-result tr.miroir-suppressed td{background:rgba(128,128,128,0.08)}
.miroir-result td.na{color:#888}
.miroir-result .miroir-legend,.miroir-result .miroir-notes{font-size:11px;color:#555;margin:0.3em 0}
.miroir-result ol.miroir-notes{padding-left:2em}
</style>"""


class Result:
    """An analysis result: the polars table with a headline and a formatted display.

    Parameters
    ----------
    table : polars or pandas DataFrame
        The analysis table, kept unchanged in ``.table`` (pandas is converted to polars).
    options : mapping, optional
        The options of the call that produced it (``alpha``, ``confidence``, ``method``, ...);
        they set the labels and the significance level of the display.

    Attributes
    ----------
    table : polars.DataFrame
        The tidy table, exactly as documented for the analysis.
    options : dict
        The options of the call.
    kind : str
        The analysis: ``"linkage"``, ``"units"``, ``"exposure_gap"``, ``"moments"``,
        ``"moment_effects"`` or ``"indicators"``.

    Notes
    -----
    Attributes a result does not define are looked up on ``.table``, and indexing, ``len``,
    ``in`` and iteration act on the table, so code written for the DataFrame keeps working
    (``result.filter(...)``, ``result["estimate"]``, ``result.row(0, named=True)``,
    ``result.height``); those calls return plain polars objects. ``==`` is identity: compare
    the tables, ``a.table.equals(b.table)`` (or ``a.equals(b)``, which takes a result or a
    DataFrame).

    Examples
    --------
    >>> import polars as pl
    >>> from miroir.results import Result
    >>> res = Result(pl.DataFrame({"study": ["a", "b"], "estimate": [0.5, 0.25]}))
    >>> res.height, res["estimate"].sum(), len(res)
    (2, 0.75, 2)
    >>> res.to_dicts()[1]
    {'study': 'b', 'estimate': 0.25}
    >>> print(res)
    Result: 2 rows
      study  estimate
      -----  --------
      a         0.500
      b         0.250
    """

    kind: ClassVar[str] = "result"
    title: ClassVar[str] = "Result"
    #: rows shown by ``repr`` before the middle ones are elided
    text_max_rows: ClassVar[int] = 20
    #: rows shown by ``_repr_html_`` before the middle ones are elided
    html_max_rows: ClassVar[int] = 500

    table: pl.DataFrame
    options: dict[str, Any]
    #: For a result cut by segments (``by="region"``): the published segment groups with their
    #: suppression (:func:`miroir.segments.protect_segments`); None otherwise.
    segment_groups: pl.DataFrame | None = None

    def __init__(self, table: Any, options: Mapping[str, Any] | None = None) -> None:
        if isinstance(table, Result):
            table = table.table
        self.table = to_polars_frame(table, "table")
        self.options = _options_dict(options)

    # -- data ----------------------------------------------------------------------------------

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame (the ``.table`` itself).

        Returns
        -------
        polars.DataFrame
        """
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (needs pandas and pyarrow).

        Returns
        -------
        pandas.DataFrame
        """
        return self.table.to_pandas()

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (JSON-ready apart from NaN).

        Returns
        -------
        list of dict
        """
        return self.table.to_dicts()

    def equals(self, other: Any, *, null_equal: bool = True) -> bool:
        """Whether ``other`` (a result or a DataFrame) holds the same table.

        Parameters
        ----------
        other : Result or polars DataFrame
        null_equal : bool
            Whether nulls compare equal (as :meth:`polars.DataFrame.equals`).

        Returns
        -------
        bool
        """
        table = other.table if isinstance(other, Result) else other
        if not isinstance(table, pl.DataFrame):
            return False
        return self.table.equals(table, null_equal=null_equal)

    def significant_rows(self) -> pl.Series:
        """Which rows the display marks (``*`` in text, ``★`` in HTML), one boolean per row.

        What "significant" means depends on the analysis; :attr:`legend` says it.

        Returns
        -------
        polars.Series
            Boolean, named ``significant``.
        """
        return pl.Series("significant", [self._is_significant(r) for r in self._rows()], pl.Boolean)

    def suppressed_rows(self) -> pl.Series:
        """Which rows hold a suppressed group (fewer than ``min_group_size`` respondents, or a
        complementary suppression), one boolean per row.

        Returns
        -------
        polars.Series
            Boolean, named ``suppressed``.
        """
        return pl.Series("suppressed", [self._is_suppressed(r) for r in self._rows()], pl.Boolean)

    @property
    def headline(self) -> str:
        """The one-line summary that opens ``repr`` and the HTML (for a result cut by segments,
        one clause per segment)."""
        if self.table.height == 0:
            return f"{self.title}: no rows"
        if "segment" not in self.table.columns:
            return self._headline()
        clauses = []
        for (column, value), part in self.table.group_by("segment_column", "segment", maintain_order=True):
            if part["segment_suppressed"].all():
                clauses.append(f"{column} = {value}: suppressed")
                continue
            one = type(self)(part.drop("segment_column", "segment", "segment_suppressed"), self.options)
            clauses.append(f"{column} = {value}: {one._headline().removeprefix(self.title + ': ')}")
        return f"{self.title} by segment — " + " | ".join(clauses)

    @property
    def legend(self) -> str:
        """What the row mark means (empty when this kind marks no rows)."""
        return self._legend()

    # -- per-kind hooks ------------------------------------------------------------------------

    def _headline(self) -> str:
        return f"{self.title}: {self.table.height:,} rows"

    def _legend(self) -> str:
        return ""

    def _columns(self) -> list[_Column]:
        """Generic display: every column, formatted by dtype."""
        out: list[_Column] = []
        for name, dtype in self.table.schema.items():
            if dtype.is_integer():
                out.append(_Column(name, name, _key_render(name, _fmt_int)))
            elif dtype.is_float():
                out.append(_Column(name, name, _key_render(name, _fmt_auto)))
            else:
                out.append(_Column(name, name, _key_render(name, _fmt_text), numeric=False))
        return out

    def _is_significant(self, row: Row) -> bool:
        return False

    def _is_suppressed(self, row: Row) -> bool:
        return bool(row.get("suppressed")) or bool(row.get("segment_suppressed"))

    def _side_suppressed(self, row: Row, side: str) -> bool:
        return self._is_suppressed(row)

    def _note(self, row: Row) -> str | None:
        note = row.get("note")
        return None if note is None else str(note)

    # -- display -------------------------------------------------------------------------------

    def _rows(self) -> list[Row]:
        return self.table.to_dicts()

    def _cell(self, column: _Column, row: Row, suppressed: bool) -> _Cell:
        value = row.get(column.key)
        if value is None:
            align = "num " if column.numeric else ""
            if column.side != "never" and (
                self._side_suppressed(row, column.side) if column.side else suppressed
            ):
                return _Cell(SUPPRESSED, align + "suppressed")
            return _Cell(NOT_APPLICABLE, align + "na")
        text = column.render(row)
        if text in (UNDEFINED, NOT_APPLICABLE):
            return _Cell(text, ("num " if column.numeric else "") + "na")
        return _Cell(text, "num" if column.numeric else "text")

    def _display(self, max_rows: int) -> _Display:
        """The formatted rows; the first and last ones only when there are more than
        ``max_rows``."""
        rows = self._rows()
        columns = self._columns()
        if "segment" in self.table.columns:
            columns = [_Column("segment", "segment",
                               lambda r: f"{r['segment_column']} = {r['segment']}", numeric=False, side="never"),
                       *columns]
        notes: list[str] = []
        note_index: dict[str, int] = {}
        cells: list[list[_Cell]] = []
        marked: list[bool] = []
        suppressed: list[bool] = []
        note_refs: list[str] = []
        for row in rows:
            hidden = self._is_suppressed(row)
            note = self._note(row)
            ref = ""
            if note:
                if note not in note_index:
                    notes.append(note)
                    note_index[note] = len(notes)
                ref = f"[{note_index[note]}]"
            cells.append([self._cell(c, row, hidden) for c in columns])
            marked.append(self._is_significant(row))
            suppressed.append(hidden)
            note_refs.append(ref)
        if notes:
            columns = [*columns, _Column("notes", "", lambda _row: "", numeric=False, side="never")]
            for line, ref in zip(cells, note_refs):
                line.append(_Cell(ref, "text"))
        legend = [self.legend] if self.legend and any(marked) else []
        omitted = head = 0
        if len(rows) > max_rows:
            head = max_rows - max_rows // 4
            tail = max_rows // 4
            omitted = len(rows) - head - tail
            keep = list(range(head)) + list(range(len(rows) - tail, len(rows)))
            cells = [cells[i] for i in keep]
            marked = [marked[i] for i in keep]
            suppressed = [suppressed[i] for i in keep]
        return _Display(
            self.headline, columns, cells, marked, suppressed, legend, notes, omitted, head
        )

    def __repr__(self) -> str:
        return _render_text(self._display(self.text_max_rows))

    def _html_body(self) -> str:
        """The result as an HTML fragment without the style block."""
        return _render_html(self._display(self.html_max_rows), self.kind)

    def _repr_html_(self) -> str:
        """The result as self-contained HTML (inline style, no script), for Jupyter."""
        return _STYLE + "\n" + self._html_body()

    # -- the table's interface -------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # only public names are forwarded: private and special ones (pickle, copy, IPython's
        # _repr_*_ probes) must not reach the table, and nothing here may touch self.table
        # before it exists
        # ("table" itself is looked up here only before __init__ set it: an object made by
        # __new__ alone; forwarding it would recurse)
        if name.startswith("_") or name in ("table", "options"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self.table, name)

    def __dir__(self) -> list[str]:
        own = set(super().__dir__())
        table = {n for n in dir(self.table) if not n.startswith("_")}
        return sorted(own | table)

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __len__(self) -> int:
        return self.table.height

    def __iter__(self) -> Iterator[pl.Series]:
        return iter(self.table)

    def __contains__(self, key: object) -> bool:
        return key in self.table.columns

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The table through the Arrow PyCapsule interface (``pl.DataFrame(result)``,
        ``pyarrow.table(result)``)."""
        return self.table.__arrow_c_stream__(requested_schema)

    def _ipython_key_completions_(self) -> list[str]:
        return list(self.table.columns)


def _key_render(key: str, fmt: Callable[[Any], str]) -> Callable[[Row], str]:
    def render(row: Row) -> str:
        return fmt(row.get(key))

    return render


def _fmt_auto(value: Any) -> str:
    return _fmt(value, _auto_decimals(value))


def _fmt_text(value: Any) -> str:
    return NOT_APPLICABLE if value is None else str(value)


def _dec(decimals: int, *, signed: bool = False) -> Callable[[Any], str]:
    """A formatter with fixed decimals."""

    def fmt(value: Any) -> str:
        return _fmt(value, decimals, signed=signed)

    return fmt


def _pp(value: Any) -> str:
    """A difference of shares in percentage points, signed: 0.135 -> ``+13.5``."""
    number = _number(value)
    if number is None or math.isnan(number):
        return _fmt(value, 1)
    return _fmt(100.0 * number, 1, signed=True)


def _pct_signed(value: Any) -> str:
    return _fmt_pct(value, 1, signed=True)


def _pct0(value: Any) -> str:
    return _fmt_pct(value, 0)


_one = _dec(1)
_two = _dec(2)


def _study_label(row: Row) -> str:
    return "pooled" if row.get("level") == "pooled" else str(row.get("study"))


# --- the analyses ----------------------------------------------------------------------------------


class LinkageResult(Result):
    """Result of :func:`miroir.linkage`: engagement vs satisfaction per study and pooled.

    A row is marked when its correlation's ``p_value`` is below 0.05. The headline gives the
    pooled correlation with its CI and p-value.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.linkage(study)
    >>> res.headline
    'Linkage: unit engagement vs share satisfied, 3 studies, 76 units; pooled r = 0.85 [0.76, 0.90] (95% CI), p < 0.001'
    >>> pooled = res.filter(res["level"] == "pooled").row(0, named=True)
    >>> round(pooled["estimate"], 2), pooled["n_units"]
    (0.85, 76)
    >>> res.significant_rows().to_list()
    [True, True, True, True]
    """

    kind = "linkage"
    title = "Linkage"

    def _symbol(self) -> str:
        method = str(self.options.get("method", "pearson")).lower()
        return {"spearman": "ρ", "kendall": "τ"}.get(method, "r")

    def _outcome(self) -> str:
        return str(self.options.get("outcome", "share_satisfied")).replace("_", " ")

    def _headline(self) -> str:
        rows = self._rows()
        studies = sum(1 for r in rows if r.get("level") == "study")
        pooled = next((r for r in rows if r.get("level") == "pooled"), rows[-1])
        parts = [f"{self.title}: unit engagement vs {self._outcome()}"]
        if studies:
            parts.append(f", {studies} stud{'y' if studies == 1 else 'ies'}")
        if pooled.get("n_units") is not None:
            parts.append(f", {_fmt_int(pooled['n_units'])} units")
        symbol = self._symbol()
        estimate = _with_ci(
            _fmt(pooled.get("estimate"), 2), pooled.get("ci_low"), pooled.get("ci_high"),
            _two,
        )
        label = "pooled" if pooled.get("level") == "pooled" else str(pooled.get("study"))
        parts.append(
            f"; {label} {symbol} = {estimate} ({_ci_label(self.options.get('confidence', 0.95))})"
        )
        if not _missing(pooled.get("p_value")):
            parts.append(f", {_p_phrase(pooled.get('p_value'))}")
        return "".join(parts)

    def _legend(self) -> str:
        return f"{TEXT_MARK} correlation p < 0.05"

    def _is_significant(self, row: Row) -> bool:
        return _below(row.get("p_value"), 0.05)

    def _columns(self) -> list[_Column]:
        top = self.options.get("top_share", 0.08)
        top_label = f"top {_fmt_pct(top, 0)}" if not _missing(top) else "top"
        ci = _ci_label(self.options.get("confidence", 0.95))
        return [
            _Column("study", "study", _study_label, numeric=False, side="never"),
            _Column("units", "n_units", _key_render("n_units", _fmt_int), side="never"),
            _Column("employees", "n_employees", _key_render("n_employees", _fmt_int), side="never"),
            _Column("customers", "n_customers", _key_render("n_customers", _fmt_int), side="never"),
            _Column(
                f"{self._symbol()} [{ci}]", "estimate",
                lambda r: _with_ci(_two(r["estimate"]), r.get("ci_low"), r.get("ci_high"), _two),
            ),
            _Column("p", "p_value", _key_render("p_value", _fmt_p)),
            _Column("ICC(1)", "icc1", _key_render("icc1", _two)),
            _Column("ICC(2)", "icc2", _key_render("icc2", _two)),
            _Column("I²", "i2", lambda r: _fmt(r["i2"], 1) + ("%" if not _missing(r["i2"]) else "")),
            _Column(
                "satisfied: high / rest", "share_satisfied_high",
                lambda r: f"{_fmt_pct(r['share_satisfied_high'])} / {_fmt_pct(r.get('share_satisfied_rest'))}",
            ),
            _Column(
                "difference, pp [CI]", "satisfied_diff",
                lambda r: _with_ci(
                    _pp(r["satisfied_diff"]), r.get("satisfied_diff_ci_low"),
                    r.get("satisfied_diff_ci_high"), _pp,
                ),
            ),
            _Column(
                f"uplift {top_label} [CI]", "uplift",
                lambda r: _with_ci(
                    _pct_signed(r["uplift"]), r.get("uplift_ci_low"), r.get("uplift_ci_high"), _pct_signed
                ),
            ),
        ]


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


class ExposureGapResult(Result):
    """Result of :func:`miroir.exposure_gap`: customer-facing employees against the others.

    A row is marked when Welch's ``p_value`` is below 0.05. The headline gives the pooled gap
    (positive: customer-facing employees less engaged), the adjusted gap and the largest
    per-study gap ("up to N points").

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> gap = miroir.exposure_gap(study)
    >>> print(gap.headline)
    Exposure gap: customer-facing employees 12.5 points less engaged than the others (pooled, 95% CI [10.7, 14.3], p < 0.001); adjusted 12.8 [10.7, 14.9]; up to 20.8 points (hotel-01)
    >>> round(gap.filter(gap["largest"])["gap"][0], 1)
    20.8
    """

    kind = "exposure_gap"
    title = "Exposure gap"

    def _headline(self) -> str:
        rows = self._rows()
        pooled = next((r for r in rows if r.get("level") == "pooled"), rows[-1])
        label = "pooled" if pooled.get("level") == "pooled" else str(pooled.get("study"))
        ci = _ci_label(self.options.get("confidence", 0.95))
        gap_value = _number(pooled.get("gap"))
        if gap_value is None or math.isnan(gap_value):
            reason = self._note(pooled) or ("suppressed" if self._is_suppressed(pooled) else "undefined")
            text = f"{self.title}: {label} gap not shown ({reason})"
        else:
            gap = gap_value
            direction = "less" if gap >= 0 else "more"
            interval = f"[{_one(pooled.get('ci_low'))}, {_one(pooled.get('ci_high'))}]"
            text = (
                f"{self.title}: customer-facing employees {_one(abs(gap))} points {direction} engaged "
                f"than the others ({label}, {ci} {interval}, {_p_phrase(pooled.get('p_value'))})"
            )
        if not _missing(pooled.get("adjusted_gap")):
            text += "; adjusted " + _with_ci(
                _fmt(pooled["adjusted_gap"], 1), pooled.get("adjusted_ci_low"),
                pooled.get("adjusted_ci_high"), _one,
            )
        largest = next((r for r in rows if r.get("largest")), None)
        if largest is not None and not _missing(largest.get("gap")):
            text += f"; up to {_fmt(largest['gap'], 1)} points ({largest.get('study')})"
        return text

    def _legend(self) -> str:
        return f"{TEXT_MARK} p < 0.05 (Welch t)"

    def _is_significant(self, row: Row) -> bool:
        return _below(row.get("p_value"), 0.05)

    def _columns(self) -> list[_Column]:
        ci = _ci_label(self.options.get("confidence", 0.95))
        return [
            _Column("study", "study", _study_label, numeric=False, side="never"),
            _Column(
                "n facing / other", "n_facing",
                lambda r: f"{_fmt_int(r['n_facing'])} / {_fmt_int(r.get('n_other'))}", side="never",
            ),
            _Column(
                "mean facing / other", "mean_facing",
                lambda r: f"{_one(r['mean_facing'])} / {_one(r.get('mean_other'))}",
            ),
            _Column(f"gap [{ci}]", "gap", lambda r: _with_ci(_one(r["gap"]), r.get("ci_low"), r.get("ci_high"), _one)),
            _Column("p", "p_value", _key_render("p_value", _fmt_p)),
            _Column(
                "Hedges g [CI]", "hedges_g",
                lambda r: _with_ci(_two(r["hedges_g"]), r.get("g_ci_low"), r.get("g_ci_high"), _two),
            ),
            _Column("rank-biserial", "rank_biserial", _key_render("rank_biserial", _two)),
            _Column("MW p", "mw_p_value", _key_render("mw_p_value", _fmt_p)),
            _Column(
                "adjusted gap [CI]", "adjusted_gap",
                lambda r: _with_ci(
                    _one(r["adjusted_gap"]), r.get("adjusted_ci_low"), r.get("adjusted_ci_high"), _one
                ),
                side="never",
            ),
            _Column("adjusted p", "adjusted_p_value", _key_render("adjusted_p_value", _fmt_p), side="never"),
            _Column(
                "largest", "largest", lambda r: "largest" if r.get("largest") else "",
                numeric=False, side="never",
            ),
        ]


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


class MomentEffectsResult(Result):
    """Result of :func:`miroir.moment_effects`: per moment and side, those who mention its
    themes against the others (difference = mentioning - other).

    A row is marked when its Benjamini-Hochberg ``q_value`` is below the call's ``alpha``.
    Groups under ``min_group_size`` show as ``suppressed``.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> effects = miroir.moment_effects(study)
    >>> effects.headline
    'Moment effects: 12 comparisons (6 moments, customers and employees); 7 with q < 0.05; none suppressed'
    >>> effects.significant_rows().sum() == effects.filter(effects["q_value"] < 0.05).height
    True
    """

    kind = "moment_effects"
    title = "Moment effects"

    def _alpha(self) -> float:
        alpha = _number(self.options.get("alpha", 0.05))
        return 0.05 if alpha is None else alpha

    def _headline(self) -> str:
        rows = self._rows()
        moments = len({r.get("moment") for r in rows})
        marked = sum(1 for r in rows if self._is_significant(r))
        hidden = sum(1 for r in rows if self._is_suppressed(r))
        return (
            f"{self.title}: {len(rows):,} comparisons ({moments} moments, customers and employees); "
            f"{marked:,} with q < {self._alpha():g}; "
            + (f"{hidden:,} suppressed" if hidden else "none suppressed")
        )

    def _legend(self) -> str:
        return f"{TEXT_MARK} q < {self._alpha():g} (Welch t, Benjamini-Hochberg)"

    def _is_significant(self, row: Row) -> bool:
        return _below(row.get("q_value"), self._alpha())

    def _columns(self) -> list[_Column]:
        def decimals(row: Row) -> int:
            return 1 if row.get("outcome") == "engagement" else 2

        def mean(row: Row) -> str:
            d = decimals(row)
            return f"{_fmt(row['mean_mentioning'], d)} / {_fmt(row.get('mean_other'), d)}"

        def difference(row: Row) -> str:
            d = decimals(row)
            return _with_ci(
                _fmt(row["estimate"], d, signed=True), row.get("ci_low"), row.get("ci_high"),
                _dec(d, signed=True),
            )

        return [
            _Column("moment", "moment", _key_render("moment", _fmt_text), numeric=False, side="never"),
            _Column("side", "side", _key_render("side", _fmt_text), numeric=False, side="never"),
            _Column("outcome", "outcome", _key_render("outcome", _fmt_text), numeric=False, side="never"),
            _Column(
                "n mentioning / other", "n_mentioning",
                lambda r: f"{_fmt_int(r['n_mentioning'])} / {_fmt_int(r.get('n_other'))}", side="never",
            ),
            _Column("mean mentioning / other", "mean_mentioning", mean),
            _Column("difference [95% CI]", "estimate", difference),
            _Column("Hedges g", "hedges_g", _key_render("hedges_g", _two)),
            _Column("p", "p_value", _key_render("p_value", _fmt_p)),
            _Column("q", "q_value", _key_render("q_value", _fmt_p)),
        ]


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
        if p is None or lo is None or hi is None or math.isnan(p) or math.isnan(lo) or math.isnan(hi):
            return None
        return lo <= p <= hi

    def _headline(self) -> str:
        rows = self._rows()
        text = f"{self.title}: {len(rows):,} figures"
        if "published" not in self.table.columns:
            return text
        inside = [r for r in rows if self._inside(r) is True]
        outside = [r for r in rows if self._inside(r) is False]
        ci = _ci_label(self.options.get("confidence", 0.95))
        text += f"; {len(inside):,} published values inside their {ci}"
        text += f", {len(outside):,} outside"
        if outside:
            text += " (" + ", ".join(str(r.get("id")) for r in outside) + ")"
        unknown = len(rows) - len(inside) - len(outside)
        if unknown:
            text += f", {unknown:,} undefined"
        return text

    def _legend(self) -> str:
        return f"{TEXT_MARK} published value outside the {_ci_label(self.options.get('confidence', 0.95))}"

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

        ci = _ci_label(self.options.get("confidence", 0.95))
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


class _SummaryView(Result):
    """The study summary (a plain DataFrame in :class:`Report`), displayed like the results."""

    kind = "summary"
    title = "Studies"

    def _headline(self) -> str:
        t = self.table
        parts = [f"{self.title}: {t.height:,}"]
        for column, label in (("units", "units"), ("employees", "employees"), ("customers", "customers")):
            if column in t.columns:
                parts.append(f"{_column_total(t, column)} {label}")
        return ", ".join(parts)

    def _columns(self) -> list[_Column]:
        columns = super()._columns()
        out: list[_Column] = []
        for c in columns:
            if "share" in c.key:
                out.append(_Column(c.header.replace("_", " "), c.key, _key_render(c.key, _fmt_pct), side="never"))
            else:
                out.append(_Column(c.header.replace("_", " "), c.key, c.render, c.numeric, side="never"))
        return out


# --- rendering -------------------------------------------------------------------------------------

_TEXT_CELL_WIDTH = 40


def _clip(text: str, width: int = _TEXT_CELL_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _render_text(display: _Display) -> str:
    headers = [c.header for c in display.columns]
    body = [[_clip(cell.text) for cell in row] for row in display.rows]
    widths = [len(h) for h in headers]
    for row in body:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))

    def line(cells: list[str], mark: str) -> str:
        parts = [
            text.rjust(widths[i]) if display.columns[i].numeric else text.ljust(widths[i])
            for i, text in enumerate(cells)
        ]
        return (mark.ljust(2) + "  ".join(parts)).rstrip()

    lines = [display.headline, line(headers, ""), line(["-" * w for w in widths], "")]
    for i, row in enumerate(body):
        if display.omitted and i == display.split:
            lines.append(f"  … {display.omitted:,} more rows (see .table) …")
        lines.append(line(row, TEXT_MARK if display.marked[i] else ""))
    lines.extend(display.legend)
    lines.extend(f"[{i}] {note}" for i, note in enumerate(display.notes, start=1))
    return "\n".join(lines)


def _render_html(display: _Display, kind: str) -> str:
    esc = html.escape
    out = [f'<div class="miroir-result miroir-{esc(kind)}">']
    out.append(f'<p class="miroir-headline">{esc(display.headline)}</p>')
    out.append('<table class="miroir-table">')
    header = ['<th class="miroir-mark"></th>']
    header += [f'<th class="{"num" if c.numeric else "text"}">{esc(c.header)}</th>' for c in display.columns]
    out.append("<thead><tr>" + "".join(header) + "</tr></thead>")
    out.append("<tbody>")
    for i, row in enumerate(display.rows):
        if display.omitted and i == display.split:
            out.append(
                f'<tr class="miroir-omitted"><td colspan="{len(display.columns) + 1}">'
                f"… {display.omitted:,} more rows (see .table) …</td></tr>"
            )
        classes = ["miroir-row"]
        if display.marked[i]:
            classes.append("miroir-significant")
        if display.suppressed[i]:
            classes.append("miroir-suppressed")
        cells = [f'<td class="miroir-mark">{HTML_MARK if display.marked[i] else ""}</td>']
        cells += [f'<td class="{cell.css}">{esc(cell.text)}</td>' for cell in row]
        out.append(f'<tr class="{" ".join(classes)}">' + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    for legend in display.legend:
        text = HTML_MARK + legend[len(TEXT_MARK):] if legend.startswith(TEXT_MARK) else legend
        out.append(f'<p class="miroir-legend">{esc(text)}</p>')
    if display.notes:
        out.append('<ol class="miroir-notes">')
        out.extend(f"<li>{esc(note)}</li>" for note in display.notes)
        out.append("</ol>")
    out.append("</div>")
    return "\n".join(out)


# --- the report --------------------------------------------------------------------------------


class CorrectedLinkageResult(Result):
    """Result of :func:`miroir.linkage_corrected`: the linkage per study, observed and
    disattenuated, and its pools (random effects, Hunter–Schmidt bare-bones and corrected).

    A study row is marked when its corrected r exceeds 1 in absolute value (reported as
    computed, with a note). The headline gives the pooled observed r and the corrected
    Hunter–Schmidt mean with its credibility interval.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> print(miroir.linkage_corrected(study).headline)  # doctest: +ELLIPSIS
    Corrected linkage: 3 studies; observed r = 0.85 (random effects), true-score ρ = ... (Hunter-Schmidt corrected, 80% credibility [...])
    """

    kind = "linkage_corrected"
    title = "Corrected linkage"

    def _headline(self) -> str:
        rows = self._rows()
        by = {r.get("method"): r for r in rows if r.get("level") == "pooled"}
        n_studies = sum(1 for r in rows if r.get("level") == "study")
        text = f"{self.title}: {n_studies} stud{'y' if n_studies == 1 else 'ies'}"
        re_row, hs = by.get("random_effects"), by.get("hunter_schmidt_corrected")
        if re_row is not None and not _missing(re_row.get("estimate")):
            text += f"; observed r = {_fmt(re_row['estimate'], 2)} (random effects)"
        if hs is not None and not _missing(hs.get("estimate")):
            cred = self.options.get("credibility", 0.80)
            text += (f", true-score ρ = {_fmt(hs['estimate'], 2)} (Hunter-Schmidt corrected, "
                     f"{_fmt_pct(cred, 0)} credibility [{_fmt(hs.get('cr_low'), 2)}, "
                     f"{_fmt(hs.get('cr_high'), 2)}])")
        elif hs is not None:
            text += f"; corrected pool not computed ({self._note(hs) or 'undefined'})"
        return text

    def _is_significant(self, row: Row) -> bool:
        v = _number(row.get("r_corrected"))
        return v is not None and not math.isnan(v) and abs(v) > 1.0

    def _legend(self) -> str:
        return "* corrected r above 1 in absolute value (see the note)"


class MultilevelGapResult(Result):
    """Result of :func:`miroir.multilevel_gap`: the exposure gap with a random intercept per
    unit (REML), next to the OLS gap.

    A row is marked when its ``p_value`` is below 0.05. The headline gives the pooled gap with
    its CI, the ICC of the units and the OLS gap.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> print(miroir.multilevel_gap(study).headline)  # doctest: +ELLIPSIS
    Multilevel exposure gap: customer-facing employees ... points less engaged (random intercept per unit, REML; 95% CI [...], p < 0.001); ICC ...; OLS gap ...
    """

    kind = "multilevel_gap"
    title = "Multilevel exposure gap"

    def _headline(self) -> str:
        rows = self._rows()
        row = next((r for r in rows if r.get("level") == "pooled"), rows[-1])
        gap = _number(row.get("gap"))
        if gap is None or math.isnan(gap):
            reason = self._note(row) or ("suppressed" if self._is_suppressed(row) else "undefined")
            return f"{self.title}: gap not shown ({reason})"
        ci = _ci_label(self.options.get("confidence", 0.95))
        direction = "less" if gap >= 0 else "more"
        return (f"{self.title}: customer-facing employees {_fmt(abs(gap), 1)} points {direction} "
                f"engaged (random intercept per unit, REML; {ci} [{_fmt(row.get('ci_low'), 1)}, "
                f"{_fmt(row.get('ci_high'), 1)}], {_p_phrase(row.get('p_value'))}); ICC "
                f"{_fmt(row.get('icc'), 2)}; OLS gap {_fmt(row.get('ols_gap'), 1)}")

    def _is_significant(self, row: Row) -> bool:
        p = _number(row.get("p_value"))
        return p is not None and not math.isnan(p) and p < 0.05


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


class Report:
    """All the analyses of a study, as returned by :func:`miroir.report`.

    Parameters
    ----------
    tables : mapping
        ``summary, indicators, linkage, units, exposure_gap, moments, moment_effects, drivers``
        (polars or pandas DataFrames, or result objects; ``moments``, ``moment_effects`` and
        ``drivers`` may be None) and ``warnings`` (a list of strings).

    Attributes
    ----------
    summary : polars.DataFrame
        One row per study (:meth:`miroir.Study.summary`).
    indicators : IndicatorsResult
    linkage : LinkageResult
    units : UnitsResult
    exposure_gap : ExposureGapResult
    moments : MomentsResult or None
        None when the study has no coded mentions.
    moment_effects : MomentEffectsResult or None
        None when the study has no coded mentions.
    drivers : DriversResult or None
        The drivers of engagement (employee level) then of the share satisfied (unit level),
        in one table (:func:`miroir.drivers`); None when the employees table has none of the
        seeds' driver columns.
    warnings : list of str
        The data-quality warnings of the study.

    Notes
    -----
    Each result behaves like its polars table (``report.indicators.select(...)``) and holds it in
    ``.table``; :meth:`tables` gives all the tables as polars DataFrames. ``repr`` lists every
    section's headline; in Jupyter the report shows as HTML, section by section.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> report = miroir.report(study)
    >>> sorted(report.tables())
    ['drivers', 'exposure_gap', 'indicators', 'linkage', 'moment_effects', 'moments', 'summary', 'units']
    >>> report.linkage.table.equals(report.tables()["linkage"])
    True
    >>> print(report)
    miroir report: 3 studies, 76 units, 1,500 employees, 6,000 customers
      Indicators: 8 figures; 6 published values inside their 95% CI, 2 outside ...
      Linkage: unit engagement vs share satisfied, 3 studies, 76 units; pooled r = 0.85 ...
      Units: 76 units in 3 studies; none suppressed
      Exposure gap: customer-facing employees 12.5 points less engaged than the others ...
      Moments: 27 themes; 13 classified at q < 0.05 ...
      Moment effects: 12 comparisons (6 moments, customers and employees); 7 with q < 0.05; ...
      Drivers of engagement (employee level, 4 drivers, within-study R² = 0.04): first ...
    Tables: report.tables() (polars), report.to_json(); each section's .table
    """

    TABLES = ("summary", "indicators", "linkage", "units", "exposure_gap", "moments", "moment_effects",
              "drivers")
    #: For a report cut by segments (``report(study, by="region")``): the published segment
    #: groups with their suppression (:func:`miroir.segments.protect_segments`); None otherwise.
    segment_groups: pl.DataFrame | None = None
    RESULTS: ClassVar[dict[str, type[Result]]] = {
        "indicators": IndicatorsResult,
        "linkage": LinkageResult,
        "units": UnitsResult,
        "exposure_gap": ExposureGapResult,
        "moments": MomentsResult,
        "moment_effects": MomentEffectsResult,
        "drivers": DriversResult,
    }

    summary: pl.DataFrame
    indicators: IndicatorsResult
    linkage: LinkageResult
    units: UnitsResult
    exposure_gap: ExposureGapResult
    moments: MomentsResult | None
    moment_effects: MomentEffectsResult | None
    drivers: DriversResult | None
    warnings: list[str]

    def __init__(self, tables: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> None:
        opts = _options_dict(options)
        if not isinstance(tables, Mapping):
            raise InvalidArgumentTypeError(
                f"invalid argument 'tables': expected a mapping of table names to tables, got "
                f"{type(tables).__name__}"
            )
        missing = [
            name for name in ("summary", "indicators", "linkage", "units", "exposure_gap")
            if tables.get(name) is None
        ]
        if missing:
            raise _core.InvalidArgumentError(
                f"invalid argument 'tables': no {', '.join(repr(m) for m in missing)} "
                f"(a report needs {', '.join(self.TABLES)}; moments, moment_effects and "
                "drivers may be None)"
            )
        warnings = tables.get("warnings") or []
        if isinstance(warnings, (str, bytes)) or not isinstance(warnings, Iterable):
            raise InvalidArgumentTypeError(
                "invalid argument 'tables': 'warnings' must be a list of strings, got "
                f"{type(warnings).__name__}"
            )
        summary = tables["summary"]
        self.summary = summary.table if isinstance(summary, Result) else to_polars_frame(summary, "summary")
        self.indicators = _wrap(IndicatorsResult, tables["indicators"], opts)
        self.linkage = _wrap(LinkageResult, tables["linkage"], opts)
        self.units = _wrap(UnitsResult, tables["units"], opts)
        self.exposure_gap = _wrap(ExposureGapResult, tables["exposure_gap"], opts)
        moments = tables.get("moments")
        effects = tables.get("moment_effects")
        self.moments = None if moments is None else _wrap(MomentsResult, moments, opts)
        self.moment_effects = None if effects is None else _wrap(MomentEffectsResult, effects, opts)
        drivers = tables.get("drivers")
        self.drivers = None if drivers is None else _wrap(DriversResult, drivers, opts)
        self.warnings = [str(w) for w in warnings]

    def results(self) -> dict[str, Result]:
        """The result objects by name (``moments``, ``moment_effects`` and ``drivers`` left out
        when None).

        Returns
        -------
        dict of str to Result
        """
        out: dict[str, Result | None] = {
            "indicators": self.indicators,
            "linkage": self.linkage,
            "units": self.units,
            "exposure_gap": self.exposure_gap,
            "moments": self.moments,
            "moment_effects": self.moment_effects,
            "drivers": self.drivers,
        }
        return {k: v for k, v in out.items() if v is not None}

    def tables(self) -> dict[str, pl.DataFrame]:
        """The non-empty tables by name, as polars DataFrames (``summary`` first).

        Returns
        -------
        dict of str to polars.DataFrame
        """
        out = {"summary": self.summary}
        out.update({name: res.table for name, res in self.results().items()})
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain Python data (lists of row dicts per table, and ``warnings``), the values as
        computed (NaN and infinities included; :meth:`to_json` writes them as null).

        Returns
        -------
        dict
        """
        data: dict[str, Any] = {name: df.to_dicts() for name, df in self.tables().items()}
        data["warnings"] = list(self.warnings)
        return data

    def to_json(self) -> str:
        """The report as JSON: always valid JSON (RFC 8259), whatever the values.

        A number that is not finite is written as null: NaN (undefined; the row's ``note``
        says why), and an infinity (``uplift`` when the others' mean engagement is 0), which
        the row's ``note`` then reports (``uplift is infinite: +inf, written as null (JSON has
        no infinity)``); a table without a ``note`` column gets one in that case.

        Returns
        -------
        str
        """
        data: dict[str, Any] = {
            name: json_rows(df.iter_rows(named=True)) for name, df in self.tables().items()
        }
        data["warnings"] = list(self.warnings)
        return json.dumps(
            data, indent=1, ensure_ascii=False, allow_nan=False, default=_json_default
        )

    @property
    def lang(self) -> str:
        """The language of the deliverables by default: ``report(study, lang=...)`` ("en")."""
        return str(self.indicators.options.get("lang", "en"))

    def to_excel(self, path: str | os.PathLike[str], lang: str | None = None, *, published: bool = False) -> None:
        """Write the report as an Excel workbook (:func:`miroir.excel_report.write_excel`).

        A key-figures sheet first (headlines, published figures, the six moments with their
        action), then one sheet per table of :meth:`tables`, headers in ``lang``. Needs
        xlsxwriter (``pip install 'miroir[deliverables]'``).

        Parameters
        ----------
        path : str or path-like
            The ``.xlsx`` file (replaced if it exists; its folder must exist).
        lang : {"en", "fr"}, optional
            Default: the report's :attr:`lang`.

        Examples
        --------
        >>> import pathlib, tempfile, openpyxl, miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "rapport.xlsx"
        >>> miroir.report(study, n_resamples=0).to_excel(path, lang="fr")
        >>> openpyxl.load_workbook(path).sheetnames[:4]
        ['Chiffres clés', 'Études', 'Indicateurs', 'Lien engagement-satisfaction']
        """
        from miroir.excel_report import write_excel

        write_excel(self, path, lang=self.lang if lang is None else lang, published=published)

    def to_pptx(self, path: str | os.PathLike[str], lang: str | None = None) -> None:
        """Write the report as a PowerPoint deck (:func:`miroir.pptx_report.write_pptx`).

        A title slide, the published figures, one slide per analysis with its headline and
        chart (200 dpi), the mirror matrix, the six moments with their actions and verbatims.
        Needs python-pptx and matplotlib (``pip install 'miroir[deliverables]'``).

        Parameters
        ----------
        path : str or path-like
            The ``.pptx`` file (replaced if it exists; its folder must exist).
        lang : {"en", "fr"}, optional
            Default: the report's :attr:`lang`.

        Examples
        --------
        >>> import pathlib, tempfile, pptx, miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "report.pptx"
        >>> miroir.report(study, n_resamples=0).to_pptx(path)
        >>> [s.shapes.title.text for s in pptx.Presentation(str(path)).slides][:4]
        ['Mirror study report', 'Published figures', 'Employee engagement and customer satisfaction', 'Engagement of customer-facing employees']
        """
        from miroir.pptx_report import write_pptx

        write_pptx(self, path, lang=self.lang if lang is None else lang)

    def to_html(self, path: str | os.PathLike[str], lang: str | None = None, *, title: str | None = None,
                published: Any = None, charts: bool = True) -> None:
        """Write the report as one self-contained HTML page (:func:`miroir.html_report.write_html`).

        The key figures and the six moments with their actions first, the verbatims per
        moment, then each analysis with its chart and table, in ``lang``. The recomputed
        indicators are compared with published figures only when ``published`` is given
        (``True``: the seed article's, as in the indicators table; a mapping of indicator id to
        value; a :func:`miroir.reproduce.run` result). Charts need matplotlib.

        Parameters
        ----------
        path : str or path-like
            The ``.html`` file (replaced if it exists).
        lang : {"en", "fr"}, optional
            Default: the report's :attr:`lang`.
        title : str, optional
        published : None, bool, mapping or Reproduction
        charts : bool

        Examples
        --------
        >>> import pathlib, tempfile, miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "rapport.html"
        >>> miroir.report(study, n_resamples=0).to_html(path, lang="fr", charts=False)
        >>> '<html lang="fr">' in path.read_text(encoding="utf-8")
        True
        """
        from miroir.html_report import write_html

        write_html(self, path, lang=self.lang if lang is None else lang, title=title, published=published,
                   charts=charts)

    @property
    def headline(self) -> str:
        """One line: studies, units and respondents (and the cuts of a report by segment)."""
        s = self.summary
        if "segment" in s.columns:
            cuts = s.select("segment_column", "segment").unique(maintain_order=True)
            by = ", ".join(f"{c} ({n} segments)" for c, n in
                           cuts.group_by("segment_column", maintain_order=True).len().iter_rows())
            n = s["study"].n_unique()
            return f"miroir report by segment: {by}; {n:,} stud{'y' if n == 1 else 'ies'}"
        parts = [f"{s.height:,} stud{'y' if s.height == 1 else 'ies'}", f"{self.units.table.height:,} units"]
        for column in ("employees", "customers"):
            if column in s.columns:
                parts.append(f"{_column_total(s, column)} {column}")
        return "miroir report: " + ", ".join(parts)

    def __repr__(self) -> str:
        lines = [self.headline]
        lines.extend(f"  {res.headline}" for res in self.results().values())
        if self.moments is None:
            lines.append("  Moments: no coded mentions")
        if self.warnings:
            n = len(self.warnings)
            lines.append(f"  {n} data-quality warning{'s' if n > 1 else ''} (report.warnings)")
        lines.append("Tables: report.tables() (polars), report.to_json(); each section's .table")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The report as self-contained HTML: headline, studies, then each section."""
        esc = html.escape
        out = [_STYLE, '<div class="miroir-report">', f"<h3>{esc(self.headline)}</h3>"]
        out.append(_SummaryView(self.summary)._html_body())
        for name, res in self.results().items():
            out.append(f'<h4 id="miroir-{esc(name)}">{esc(res.title)}</h4>')
            out.append(res._html_body())
        if self.warnings:
            out.append('<h4>Data-quality warnings</h4><ul class="miroir-warnings">')
            out.extend(f"<li>{esc(w)}</li>" for w in self.warnings)
            out.append("</ul>")
        out.append("</div>")
        return "\n".join(out)


def _options_dict(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise InvalidArgumentTypeError(
            f"invalid argument 'options': expected a mapping, got {type(options).__name__}"
        )
    return dict(options)


def _wrap(cls: type[R], value: Any, options: Mapping[str, Any]) -> R:
    if isinstance(value, cls):
        return value
    if isinstance(value, Result):
        return cls(value.table, value.options)
    return cls(value, options)


# --- JSON --------------------------------------------------------------------------------------


def json_rows(rows: Iterable[Row], *, nan_note: bool = True) -> list[Row]:
    """Rows made JSON-safe: NaN and infinities become None (JSON has no such numbers, and
    ``json.dumps`` would write the invalid ``NaN``/``Infinity``, or refuse them).

    An infinity is said in the row's ``note`` (``uplift is infinite: +inf, written as null ...``),
    and so is a NaN when the row has no note of its own (with ``nan_note``): a null alone would
    read as "not applicable". When a row gets such a note, every row gets the ``note`` key.
    """
    out: list[Row] = []
    noted = False
    for row in rows:
        clean: Row = {}
        notes: list[str] = []
        for key, value in row.items():
            clean[key], note = _json_value(key, value)
            if note is not None:
                notes.append(note)
        own = row.get("note")
        if own or not nan_note:  # the row's own note says why a value is undefined
            notes = [n for n in notes if not n.endswith(_NAN_NOTE)]
        if notes:
            clean["note"] = "; ".join([str(own), *notes] if own else notes)
            noted = True
        out.append(clean)
    if noted:
        for clean in out:
            clean.setdefault("note", None)
    return out


_NAN_NOTE = " (NaN), written as null"


def _json_value(key: str, value: Any) -> tuple[Any, str | None]:
    """A value made JSON-safe, with the note to add when a number was not finite."""
    if isinstance(value, float):
        if math.isnan(value):
            return None, f"{key} is undefined{_NAN_NOTE}"
        if math.isinf(value):
            sign = "+" if value > 0 else "-"
            return None, f"{key} is infinite: {sign}inf, written as null (JSON has no infinity)"
        return value, None
    if isinstance(value, dict):
        inner = {k: _json_value(f"{key}.{k}", v)[0] for k, v in value.items()}
        return inner, None
    if isinstance(value, (list, tuple)):
        return [_json_value(key, v)[0] for v in value], None
    return value, None


def _json_default(value: Any) -> Any:
    """What ``json.dumps`` cannot write by itself: dates as ISO text, decimals as numbers (or
    null when not finite), bytes as hex, anything else as its text."""
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        number = float(value)  # a finite Decimal beyond the float range becomes inf
        return number if math.isfinite(number) else None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return str(value)
