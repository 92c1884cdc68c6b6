"""The page of the HTML report, its common part: the formatters of the cells in the report's
language, the tables (columns without a value left out, wide tables split to fit a page) and
the charts (drawn together once every section is written)."""

from __future__ import annotations

import base64
import html
import math
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from miroir.html_report.notes import _e, _Notes
from miroir.i18n import header, moment_action, moment_name, text, value_label
from miroir.results._format import MISSING, check_lang, format_ci, format_number, format_p, format_percent
from miroir.results import MOMENT_ORDER as MOMENTS
from miroir._frames import invalid_argument

# The widest a table may be, in characters of its cells (with 2 of padding per column): what
# fits an A4 page printed at the print font size (about 700 CSS pixels); wider tables are split.
_TABLE_BUDGET = 116


@dataclass(frozen=True)
class _Col:
    """A column of an HTML table: its header, how a row gives its cell (text already escaped),
    whether the cell is a number (right-aligned, no wrapping), and whether it names the row
    (repeated in each part of a split table)."""

    header: str
    cell: Callable[[dict[str, Any]], str]
    num: bool = True
    key: bool = False


def _table_of(report: object, name: str) -> pl.DataFrame | None:
    obj = getattr(report, name, None)
    if obj is None:
        return None
    table = obj if isinstance(obj, pl.DataFrame) else getattr(obj, "table", obj)
    if isinstance(table, pl.DataFrame):
        return table
    if (type(table).__module__ or "").startswith("pandas"):
        import pandas as pd

        if isinstance(table, pd.DataFrame):
            return pl.from_pandas(table)
    return None


def _finite(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _published_values(indicators: pl.DataFrame | None,
                      published: object) -> dict[str, float] | None:
    """The published value of each indicator id to compare with, or None for no comparison."""
    if published is None or published is False:
        return None
    if published is True:
        if indicators is None or "published" not in indicators.columns:
            return {}
        return {str(r["id"]): v for r in indicators.iter_rows(named=True)
                if (v := _finite(r.get("published"))) is not None}
    table = getattr(published, "table", None)
    if isinstance(table, pl.DataFrame) and {"id", "published"} <= set(table.columns):
        return {str(r["id"]): v for r in table.iter_rows(named=True)
                if (v := _finite(r.get("published"))) is not None}
    if isinstance(published, Mapping):
        out: dict[str, float] = {}
        for key, value in published.items():
            number = _finite(value)
            if not isinstance(key, str) or number is None:
                raise invalid_argument(
                    "published", f"expected indicator ids mapped to finite "
                    f"numbers, got {key!r}: {value!r}")
            out[key] = number
        return out
    raise invalid_argument(
        "published", "expected None, True/False, a mapping of indicator id to "
        f"published value or a reproduce result, got {type(published).__name__}")


def _all_missing(cells: Iterable[str]) -> bool:
    return all(c in ("", MISSING) for c in cells)


_TAG = re.compile(r"<[^>]+>")


def _width(cell_html: str, num: bool) -> int:
    """About how many characters wide a cell renders (text cells wrap at about 18)."""
    plain = cell_html
    if "<" in plain:
        plain = _TAG.sub("", plain)
    if "&" in plain:
        plain = html.unescape(plain)
    return len(plain) if num else min(len(plain), 18)


def _header_width(title: str) -> int:
    """Headers wrap between words: their longest word, at least 6 characters."""
    return max([6, *(len(w) for w in title.split())])


def _split(columns: Sequence[_Col], widths: Sequence[int]) -> list[list[int]]:
    """Column indices grouped into parts that fit :data:`_TABLE_BUDGET`, the key columns
    repeated at the start of each part."""
    keys = [i for i, c in enumerate(columns) if c.key]
    key_width = sum(widths[i] + 2 for i in keys)
    parts: list[list[int]] = []
    current: list[int] = []
    used = key_width
    for i, col in enumerate(columns):
        if col.key:
            continue
        if current and used + widths[i] + 2 > _TABLE_BUDGET:
            parts.append(current)
            current, used = [], key_width
        current.append(i)
        used += widths[i] + 2
    if current or not parts:
        parts.append(current)
    return [keys + part for part in parts]


def _moment_rank(moment: object) -> int:
    return MOMENTS.index(str(moment)) if moment in MOMENTS else len(MOMENTS)


class _PageBase:
    def __init__(self, report: object, tables: Mapping[str, pl.DataFrame | None], lang: str,
                 title: str, charts: bool, published: dict[str, float] | None,
                 verbatims: int) -> None:
        self.report = report
        self.t = tables
        self.lang = lang
        self.title = title
        self.published = published
        self.verbatims = verbatims
        self.notes = _Notes(lang)
        self.figures = 0
        # the charts asked for while the sections are written: (placeholder, chart, tables,
        # label, caption)
        self.pending: list[tuple[str, str, tuple[pl.DataFrame, ...], str, str]] = []
        self.draw = charts
        self.chart_note = ""
        if charts:
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                self.draw = False
                self.chart_note = text("html.charts_missing", lang)
        self.alpha = 0.05
        moments = getattr(report, "moments", None)
        alpha = getattr(moments, "options", {}).get("alpha", 0.05) if moments is not None else 0.05
        if _finite(alpha) is not None:
            self.alpha = float(alpha)

    # --- small formatters ---------------------------------------------------------------------

    def tx(self, key: str, **values: Any) -> str:
        return _e(text(key, self.lang, **values))

    def num(self, value: object, decimals: int | None = None) -> str:
        return _e(format_number(value, self.lang, decimals))

    def count(self, value: object) -> str:
        return _e(format_number(value, self.lang, 0))

    def pct(self, value: object, decimals: int = 1) -> str:
        return _e(format_percent(value, self.lang, decimals))

    def ci(self, low: object, high: object, decimals: int | None = None, *,
           scale: float = 1.0) -> str:
        lo, hi = _finite(low), _finite(high)
        return _e(format_ci(None if lo is None else lo * scale, None if hi is None else hi * scale,
                            self.lang, decimals))

    def col(self, table: str, name: str, kind: str = "num", *, key: bool = False,
            title: str | None = None) -> _Col:
        """A column of ``table`` read from ``name``, formatted by ``kind``: ``count``, ``r``
        (2 decimals), ``points`` (1), ``pct`` (a share as %), ``p`` (p or q value), ``num``
        (by magnitude), ``text``, ``level`` / ``side`` / ``outcome`` / ``axis`` (category
        values in the language), ``moment`` (its name)."""
        heading = title if title is not None else header(table, name, self.lang)
        # a column's cells repeat (counts, categories): each value is formatted once; keyed by
        # type too, as 1, 1.0 and True are equal keys that format differently (and a zero
        # never, as 0.0 and -0.0 are equal keys too)
        seen: dict[tuple[type, Any], str] = {}

        def cell(row: dict[str, Any]) -> str:
            value = row.get(name)
            if isinstance(value, float) and value == 0.0:
                return shown(value)
            key = (value.__class__, value)
            try:
                return seen[key]
            except KeyError:
                pass
            except TypeError:  # a value that cannot be a key
                return shown(value)
            out = seen[key] = shown(value)
            return out

        def shown(value: Any) -> str:
            if kind == "count":
                return self.count(value)
            if kind == "r":
                return self.num(value, 2)
            if kind == "points":
                return self.num(value, 1)
            if kind == "pct":
                return self.pct(value)
            if kind == "p":
                return _e(format_p(value, self.lang))
            if kind in ("level", "side", "outcome", "axis"):
                return MISSING if value is None else _e(value_label(kind, value, self.lang))
            if kind == "moment":
                return f"<b>{_e(moment_name(value, self.lang))}</b>" if value else MISSING
            if kind == "text":
                return MISSING if value is None or value == "" else _e(value)
            return self.num(value)

        return _Col(heading, cell, num=kind not in ("text", "level", "side", "outcome", "axis",
                                                    "moment"), key=key)

    def ci_col(self, title_key: str, low: str, high: str, decimals: int | None = None, *,
               scale: float = 1.0) -> _Col:
        return _Col(text(title_key, self.lang),
                    lambda r: self.ci(r.get(low), r.get(high), decimals, scale=scale))

    def notes_col(self) -> _Col:
        return _Col(text("column.note", self.lang), lambda r: self.notes.refs(r.get("note")),
                    num=False)

    # --- tables -------------------------------------------------------------------------------

    def table(self, rows: Sequence[dict[str, Any]], columns: Sequence[_Col], *,
              row_class: Callable[[dict[str, Any]], str] | None = None) -> str:
        """HTML tables of ``rows``: columns without a value in any row left out, split into
        parts when wider than a page. A suppressed row (``suppressed`` true) reads
        "suppressed" in its empty cells."""
        suppressed_word = self.tx("html.suppressed")
        grid: list[list[str]] = []
        for row in rows:
            hidden = row.get("suppressed") is True
            cells = []
            for c in columns:
                value = c.cell(row)
                if hidden and value == MISSING and not c.key:
                    value = suppressed_word
                cells.append(value)
            grid.append(cells)
        keep = [j for j, c in enumerate(columns)
                if c.key or not _all_missing(cells[j] for cells in grid)
                and not all(cells[j] == suppressed_word for cells in grid)]
        if not grid:
            keep = list(range(len(columns)))
        cols = [columns[j] for j in keep]
        grid = [[cells[j] for j in keep] for cells in grid]
        widths = [max([_header_width(c.header), *(_width(cells[k], c.num) for cells in grid)])
                  for k, c in enumerate(cols)]
        out = []
        for part in _split(cols, widths):
            out.append("<table><thead><tr>")
            out.extend(f'<th class="num">{_e(cols[k].header)}</th>' if cols[k].num
                       else f"<th>{_e(cols[k].header)}</th>" for k in part)
            out.append("</tr></thead><tbody>")
            for row, cells in zip(rows, grid):
                classes = [c for c, on in (("pooled", row.get("level") == "pooled"),
                                           ("suppressed", row.get("suppressed") is True)) if on]
                if row_class is not None and row_class(row):
                    classes.append(row_class(row))
                out.append(f'<tr class="{" ".join(classes)}">' if classes else "<tr>")
                for k in part:
                    out.append(f'<td class="num">{cells[k]}</td>' if cols[k].num
                               else f"<td>{cells[k]}</td>")
                out.append("</tr>")
            out.append("</tbody></table>")
        return "".join(out)

    # --- charts -------------------------------------------------------------------------------

    def chart(self, name: str, caption_key: str, *tables: pl.DataFrame, **values: Any) -> str:
        """The figure of chart ``name``: a placeholder, replaced by :meth:`figures_drawn` once
        every section is written (the charts are then drawn together, each compressed while
        the next is drawn)."""
        if not self.draw:
            return ""
        self.figures += 1
        label = self.tx("html.figure", n=self.figures)
        caption = self.tx(caption_key, **values)
        token = f"\x00figure-{id(self)}-{self.figures}\x00"
        self.pending.append((token, name, tables, label, caption))
        return token

    def figures_drawn(self, sections: list[str]) -> list[str]:
        """``sections`` with each chart's placeholder replaced by its figure: an inline PNG at
        print resolution, drawn once per report and shared with the PowerPoint deck."""
        if not self.pending:
            return sections
        from miroir.charts import DEFAULT_DPI, deliverable_pngs

        pngs = deliverable_pngs(self.report, [(name, tables, {}) for _, name, tables, _, _ in self.pending],
                                lang=self.lang)
        css = 96.0 / DEFAULT_DPI  # CSS pixels per image pixel at the chart's size in inches
        figures = {}
        for n, ((token, _, _, label, caption), png) in enumerate(zip(self.pending, pngs), start=1):
            width, height = struct.unpack(">II", png[16:24])
            img = (f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
                   f'width="{round(width * css)}" height="{round(height * css)}" alt="{_e(label)}: {_e(caption)}">')
            figures[token] = (f'<figure id="figure-{n}">{img}<figcaption><b>{label}.</b> '
                              f"{caption}</figcaption></figure>")
        out = []
        for section in sections:
            if "\x00figure-" in section:
                for token, figure in figures.items():
                    section = section.replace(token, figure)
            out.append(section)
        return out
