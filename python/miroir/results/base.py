"""The base class of the result objects: the polars table, plus a headline and a readable display
(the per-analysis classes override its hooks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl

from miroir._frames import invalid_argument_type, InvalidArgumentTypeError, to_polars_frame
from miroir.results._display import (
    _STYLE,
    _Cell,
    _Column,
    _Display,
    _key_render,
    _render_html,
    _render_text,
)
from miroir.results._format import (
    NOT_APPLICABLE,
    SUPPRESSED,
    UNDEFINED,
    Row,
    _fmt_auto,
    _fmt_int,
    _fmt_text,
    _number,
)

if TYPE_CHECKING:
    import pandas as pd


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


def _options_dict(options: Any) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise invalid_argument_type(
            "options", f"expected a mapping, got {type(options).__name__}"
        )
    return dict(options)


def _below(value: Any, alpha: float) -> bool:
    number = _number(value)
    return number is not None and number < alpha
