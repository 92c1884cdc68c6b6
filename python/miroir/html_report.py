"""One self-contained HTML report of a mirror study, in English or French: what a research
institute hands its client.

The document needs no network to open: CSS is inline, charts are inline 200-dpi PNG images
(drawn once per report and shared with the PowerPoint deck: :func:`miroir.charts.deliverable_png`;
each has its caption as alternative text), there is no script and no external URL; every string from the data is escaped. Every
label, heading, sentence, moment name, action, column header and note comes from the message
catalogue (:mod:`miroir.i18n`) in the report's language, numbers are formatted for it (``72,1 %``
and decimal commas in French), p-values below display precision read ``< 0.001``, a missing
value reads ``—``, and the notes of the analyses are gathered once into numbered footnotes.

What the client reads first comes first: the headline sentences, the key figures and the six
moments with the seed's recommended action; then, per moment, its themes and verbatims; then
each analysis with its chart and its table. The content follows the data:

- indicators whose questions are absent from the data are left out, with one line naming them;
- a section whose analysis is empty (no coded mentions, no driver columns, no warnings) is left
  out, and the key-figures page says why in one sentence; moments without a theme keep their
  place in the matrix (they are part of the method) but get no all-empty rows;
- a column with no value in any row is left out; wide tables are split into several tables
  (the row's name repeated), so that nothing is cut at 1,280 pixels nor on A4 paper;
- published figures are compared with the recomputed ones **only when asked**: ``published=True``
  compares with the indicators table's ``published`` column (the seed article's figures, which
  a client's study never published), a mapping ``{indicator id: value}`` with the client's own
  figures, a :class:`miroir.reproduce.Reproduction` with its spec's published values. By
  default (``None``) the report shows the recomputed figures alone.

Charts need matplotlib (``pip install miroir[charts]``); without it the report is written with
the tables only and says so.

>>> import miroir
>>> from miroir.html_report import render_html
>>> study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
>>> page = render_html(miroir.report(study, n_resamples=0), title="Demo", lang="fr")
>>> page.startswith("<!DOCTYPE html>"), '<html lang="fr">' in page, "https://" in page
(True, True, False)
>>> "<h3>L&#x27;impasse</h3>" in page, "Valeur publiée" in page
(True, False)
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import math
import os
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from miroir import _core
from miroir.charts import MOMENT_AXES as _AXES
from miroir.charts import MOMENT_COLOURS as _COLOURS
from miroir.i18n import (
    MISSING,
    check_lang,
    format_ci,
    format_number,
    format_p,
    format_percent,
    header,
    moment_action,
    moment_name,
    text,
    value_label,
)
from miroir.results import MOMENT_ORDER as MOMENTS

__all__ = ["VERBATIMS_PER_MOMENT", "render_html", "translate_note", "write_html"]

#: Verbatim examples shown per moment (customers' and employees' in turn).
VERBATIMS_PER_MOMENT = 6

# The widest a table may be, in characters of its cells (with 2 of padding per column): what
# fits an A4 page printed at the print font size (about 700 CSS pixels); wider tables are split.
_TABLE_BUDGET = 116

_CSS = """
:root { --ink: #212121; --muted: #5f5f5f; --line: #dddddd; --band: #f4f4f4; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px 28px 60px;
  overflow-wrap: break-word; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 8px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.meta, p.note, figcaption, .muted { color: var(--muted); }
nav ol { columns: 2; margin: 8px 0 0; padding-left: 20px; }
a { color: #0b5aa2; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 12.5px; max-width: 100%; }
th, td { padding: 3px 7px; border-bottom: 1px solid var(--line); vertical-align: top;
  text-align: left; }
th { background: var(--band); font-weight: 600; overflow-wrap: normal; hyphens: auto; }
td { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.pooled td { font-weight: 600; background: #fafafa; }
tr.suppressed td { color: #8a8a8a; font-style: italic; }
td.fail { color: #b3261e; font-weight: 600; }
sup.fn { font-size: 10px; }
sup.fn a { text-decoration: none; }
figure { margin: 12px 0 18px; break-inside: avoid; }
figure svg, figure img { max-width: 100%; height: auto; display: block; }
ul.headlines { font-size: 15px; padding-left: 20px; }
ul.headlines li { margin: 4px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px;
  margin: 10px 0 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; break-inside: avoid; }
.card .value { font-size: 24px; font-weight: 700; }
.card .label { font-size: 12.5px; }
.card .small { font-size: 11.5px; color: var(--muted); }
.card .fail { color: #b3261e; font-weight: 600; }
table.matrix { border-collapse: separate; border-spacing: 6px; width: 100%; table-layout: fixed; }
table.matrix th { background: none; text-align: center; border: 0; }
table.matrix th.row { width: 13%; text-align: right; }
table.matrix td.moment { border: 0; border-left: 6px solid; background: var(--band);
  padding: 6px 9px; font-size: 12.5px; }
table.matrix td.moment b { font-size: 13.5px; }
section.moment { border-left: 5px solid; padding: 2px 0 2px 12px; margin: 14px 0; break-inside: avoid-page; }
blockquote { margin: 6px 0; padding: 4px 10px; background: var(--band); border-radius: 4px; }
blockquote .who { font-size: 11.5px; color: var(--muted); display: block; }
details > summary { cursor: pointer; color: #0b5aa2; margin: 6px 0; }
ol.footnotes li { margin: 2px 0; font-size: 12.5px; }
ul.omitted li { margin: 2px 0; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5px; }
  h1 { font-size: 20px; } h2 { font-size: 15px; margin-top: 18px; } h3 { font-size: 12px; }
  nav { display: none; }
  table { font-size: 9px; } th, td { padding: 2px 4px; }
  ul.headlines { font-size: 11.5px; }
  .card .value { font-size: 18px; } .card .label { font-size: 10px; }
  table.matrix td.moment { font-size: 9.5px; }
  #key-figures { break-after: page; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  details > summary { display: none; }
}
"""


@dataclass(frozen=True)
class _Col:
    """A column of an HTML table: its header, how a row gives its cell (text already escaped),
    whether the cell is a number (right-aligned, no wrapping), and whether it names the row
    (repeated in each part of a split table)."""

    header: str
    cell: Callable[[dict[str, Any]], str]
    num: bool = True
    key: bool = False


class _Notes:
    """The notes of the analyses, each once, numbered in order of first use."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.items: list[str] = []

    def refs(self, raw: object) -> str:
        """Footnote marks for a row's ``note`` (several notes joined by ``; ``)."""
        if raw is None or not str(raw).strip():
            return ""
        marks = []
        for part in dict.fromkeys(p.strip() for p in str(raw).split("; ") if p.strip()):
            note = translate_note(part, self.lang)
            if note not in self.items:
                self.items.append(note)
            n = self.items.index(note) + 1
            marks.append(f'<sup class="fn"><a href="#note-{n}">{n}</a></sup>')
        return " ".join(marks)

    def render(self) -> str:
        if not self.items:
            return ""
        out = ['<ol class="footnotes">']
        out.extend(f'<li id="note-{i}">{_e(note)}</li>' for i, note in enumerate(self.items, 1))
        out.append("</ol>")
        return "".join(out)


# The notes the Rust core writes (in English), matched to catalogue messages; a note that
# matches none is shown as written.
_NOTE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k) for p, k in (
        (r"^p-value below 2\.2e-308", "note.html.p_floor"),
        (r"^column '(?P<column>[^']+)' is absent from the (?P<table>\w+) table$",
         "note.html.column_absent"),
        (r"^interval treats customers as independent", "note.html.independent_customers"),
        (r"^uplift CI not computed \(n_resamples = 0\)$", "note.html.uplift_no_bootstrap"),
        (r"^share intervals and p_first not computed \(n_resamples = 0\)$",
         "note.html.shares_no_bootstrap"),
        (r"^pooled correlation is over all units, not a meta-analysis", "note.html.not_meta"),
        (r"^no theme classified as (?P<moment>\w+)$", "note.html.no_theme"),
        (r"^(?P<side>customer|employee) side suppressed: fewer than (?P<n>\d+) \w+ mention the "
         r"theme$", "note.html.side_suppressed"),
        (r"^no (?P<side>customer|employee) mentions$", "note.html.no_mentions"),
        (r"^(?P<n>\d+) units? left out \(a side without respondents, or suppressed for "
         r"confidentiality\)$", "note.html.units_left_out"),
        (r"^bootstrap interval only: no test statistic or p-value$", "note.html.bootstrap_only"),
        (r"^fewer than (?P<n>\d+) respondents on one side$", "note.html.fewer_respondents"),
        (r"^complementary: protects a small unit", "note.html.complementary"),
        (r"^Wilson score interval$", "method.html.wilson"),
        (r"^Clopper-Pearson exact interval$", "method.html.clopper_pearson"),
        (r"^mean engagement of the top (?P<k>\d+) of (?P<n>\d+) units by mean satisfaction / "
         r"the others - 1$", "method.html.uplift"),
        (r"^top-share uplift, unit bootstrap \(BCa\)$", "method.html.uplift_bootstrap"),
        (r"^top-share uplift$", "method.html.uplift_plain"),
        (r"^share satisfied among customers of top-tercile engagement units$",
         "method.html.satisfied_high"),
        (r"^largest per-study gap \(study (?P<study>'[^']+')\), Welch t interval$",
         "method.html.largest_gap"),
        (r"^Pearson correlation$", "method.html.pearson"),
        (r"^random-effects meta-analysis \(REML\) of (?P<k>\d+) per-study correlations$", "method.html.meta_reml"),
        (r"^suppressed: a group has fewer than (?P<n>\d+) respondents$", "note.html.group_suppressed"),
        (r"^(?P<k>\d+) of (?P<n>\d+) resamples skipped \(a driver did not vary in them\)$",
         "note.html.driver_resamples_skipped"),
        # the waves' notes (miroir.waves)
        (r"^unweighted \(the waves' weights are not used\)$", "note.html.waves_unweighted"),
        (r"^(?P<n>\d+) matched unit\(s\) not suppressed: no paired test$", "note.html.waves_no_paired_test"),
        (r"^(?P<n>\d+) matched units: too few for a correlation's change \(4 or more\)$",
         "note.html.waves_too_few_for_correlation"),
        (r"^(?P<n>\d+) resamples with a constant unit column skipped$", "note.html.waves_constant_resamples"),
        (r"^no interval \(n_resamples = 0\)$", "note.html.no_interval"),
        (r"^difference of means, variance stratified by unit, normal interval$", "method.html.waves_means_stratified"),
        (r"^difference of shares, variance stratified by unit, normal interval$",
         "method.html.waves_shares_stratified"),
        (r"^difference of Welch gaps, normal interval$", "method.html.waves_welch_gaps"),
        (r"^Welch t$", "method.html.welch_t"),
        (r"^Two-proportion z-test \(pooled\)$", "method.html.two_proportion_z"),
        (r"^Newcombe hybrid score interval$", "method.html.newcombe"),
    )
)


def translate_note(note: str, lang: str) -> str:
    """A text of the analyses (a note, a method, a reason for suppression; the Rust core
    writes them in English) in ``lang``, in the catalogue's wording; as written when the
    catalogue does not know it. Texts joined by ``; `` are translated part by part.

    >>> translate_note("no theme classified as dead_end", "fr")
    "aucun thème classé en L'impasse"
    >>> translate_note("something new", "fr")
    'something new'
    """
    if "; " in note:
        return "; ".join(translate_note(part, lang) for part in note.split("; "))
    for pattern, key in _NOTE_PATTERNS:
        found = pattern.match(note)
        if found is None:
            continue
        values = dict(found.groupdict())
        if "moment" in values:
            values["moment"] = moment_name(values["moment"], lang)
        if "side" in values:
            values["side"] = value_label("side", values["side"], lang)
        return text(key, lang, **values)
    return note


# ---------------------------------------------------------------------------------------------
# the entry points


def render_html(
    report: object,
    *,
    lang: str = "en",
    title: str | None = None,
    charts: bool = True,
    published: bool | Mapping[str, float] | object | None = None,
    verbatims: int = VERBATIMS_PER_MOMENT,
) -> str:
    """The report as one self-contained HTML document in ``lang``.

    Parameters
    ----------
    report : miroir.Report
        From :func:`miroir.report`.
    lang : {"en", "fr"}
        The language of every text and the formatting of every number.
    title : str, optional
        The page title and heading (default: the catalogue's report title).
    charts : bool
        Draw the charts (inline PNG; needs matplotlib). Without matplotlib the tables are
        written alone, with a note.
    published : None, bool, mapping or Reproduction
        Whether and against what to compare the recomputed indicators: None or False, no
        comparison (the default: a client's study has no published figures); True, the
        indicators table's ``published`` column (the seed article's figures); a mapping of
        indicator id to published value; a :class:`miroir.reproduce.Reproduction` (its spec's
        published values, by id).
    verbatims : int
        How many verbatim examples per moment, at most (each theme of the moment gives its
        customers' and its employees' example, when the group that mentions it reaches the
        schema's ``min_text_group_size``; the moments table withholds the others).

    Returns
    -------
    str

    Raises
    ------
    miroir.InvalidArgumentError
        For an unknown language, a negative ``verbatims`` or a ``published`` of another kind.
    """
    lang = check_lang(lang)
    if isinstance(verbatims, bool) or not isinstance(verbatims, int) or verbatims < 0:
        raise _core.InvalidArgumentError(
            f"invalid argument 'verbatims': must be a whole number >= 0, got {verbatims!r}")
    tables = {name: _table_of(report, name) for name in (
        "summary", "indicators", "linkage", "units", "exposure_gap", "moments",
        "moment_effects", "drivers")}
    published_values = _published_values(tables["indicators"], published)
    return _Page(report, tables, lang, title or text("report.title", lang), charts,
                 published_values, verbatims).render()


def write_html(
    report: object,
    path: str | os.PathLike[str],
    *,
    lang: str = "en",
    title: str | None = None,
    charts: bool = True,
    published: bool | Mapping[str, float] | object | None = None,
    verbatims: int = VERBATIMS_PER_MOMENT,
) -> Path:
    """Write :func:`render_html` of ``report`` to ``path`` (UTF-8) and return the path."""
    page = render_html(report, lang=lang, title=title, charts=charts, published=published,
                       verbatims=verbatims)
    out = Path(path)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as err:
        raise _core.FileError(f"{out}: cannot write the file: {err.strerror or err}") from None
    return out


# ---------------------------------------------------------------------------------------------
# helpers


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


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
                raise _core.InvalidArgumentError(
                    f"invalid argument 'published': expected indicator ids mapped to finite "
                    f"numbers, got {key!r}: {value!r}")
            out[key] = number
        return out
    raise _core.InvalidArgumentError(
        "invalid argument 'published': expected None, True/False, a mapping of indicator id to "
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


# ---------------------------------------------------------------------------------------------
# the page


class _Page:
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

    # --- the document ---------------------------------------------------------------------------

    def render(self) -> str:
        import miroir

        lang = self.lang
        body: list[tuple[str, str, str]] = []  # (anchor, heading, html)
        omitted: list[str] = []
        moments = self.t["moments"]
        effects = self.t["moment_effects"]
        drivers = self.t["drivers"]
        warnings = [str(w) for w in (getattr(self.report, "warnings", None) or [])]

        if moments is not None:
            body.append(("moments", text("html.section.moments_detail", lang),
                         self.moments_detail(moments)))
        indicators_title = text("html.section.indicators_published" if self.published is not None
                                else "html.section.indicators", lang)
        body.append(("indicators", indicators_title, self.indicators()))
        body.append(("exposure-gap", text("html.section.exposure_gap", lang), self.exposure_gap()))
        body.append(("linkage", text("html.section.linkage", lang), self.linkage()))
        if moments is None:
            omitted.append(text("html.omitted.moments", lang))
        else:
            body.append(("mirror-matrix", text("html.section.mirror_matrix", lang),
                         self.mirror_matrix(moments)))
            shown = self.effects_rows(effects)
            if shown:
                body.append(("moment-effects", text("html.section.moment_effects", lang),
                             self.moment_effects(effects, shown)))
            else:
                omitted.append(text("html.omitted.moment_effects", lang))
        if drivers is None or drivers.height == 0:
            omitted.append(text("html.omitted.drivers", lang))
        else:
            body.append(("drivers", text("html.section.drivers", lang), self.drivers(drivers)))
        body.append(("summary", text("html.section.summary", lang), self.summary()))
        if self.t["units"] is not None:
            body.append(("units", text("html.section.units", lang), self.units()))
        if warnings:
            body.append(("warnings", text("html.section.warnings", lang),
                         '<ul class="warnings">' + "".join(f"<li>{_e(w)}</li>" for w in warnings)
                         + "</ul>"))
        else:
            omitted.append(text("html.omitted.warnings", lang))
        first = self.key_figures(omitted)
        notes = self.notes.render()  # after every table: the notes are numbered as used
        if notes:
            body.append(("notes", text("html.section.notes", lang), notes))
        first, *contents = self.figures_drawn([first] + [content for _, _, content in body])
        body = [(anchor, heading, content) for (anchor, heading, _), content in zip(body, contents)]

        out: list[str] = []
        add = out.append
        add("<!DOCTYPE html>")
        add(f'<html lang="{lang}"><head><meta charset="utf-8">')
        add('<meta name="viewport" content="width=device-width, initial-scale=1">')
        add(f'<meta name="generator" content="miroir {_e(miroir.__version__)}">')
        add(f"<title>{_e(self.title)}</title><style>{_CSS}</style></head><body>")
        add(f"<header><h1>{_e(self.title)}</h1>")
        line = self.report_line()
        if line:
            add(f'<p class="meta">{line}</p>')
        add('<p class="meta">' + self.tx("html.meta", version=miroir.__version__,
                                          date=_dt.date.today().isoformat()) + "</p>")
        if self.chart_note:
            add(f'<p class="note">{_e(self.chart_note)}</p>')
        toc = [("key-figures", text("html.section.key_figures", lang))] + [(a, h) for a, h, _ in body]
        add(f'<nav><b>{self.tx("html.contents")}</b><ol>'
            + "".join(f'<li><a href="#{a}">{_e(h)}</a></li>' for a, h in toc) + "</ol></nav></header>")
        add(f'<section id="key-figures"><h2>{self.tx("html.section.key_figures")}</h2>{first}</section>')
        for anchor, heading, content in body:
            add(f'<section id="{anchor}"><h2>{_e(heading)}</h2>{content}</section>')
        add('<footer><p class="muted">' + self.tx("html.footer", version=miroir.__version__)
            + "</p></footer>")
        add("</body></html>")
        return "\n".join(out) + "\n"

    def report_line(self) -> str:
        summary, units = self.t["summary"], self.t["units"]
        if summary is None:
            return ""
        n = summary.height
        studies = (text("report.studies_one", self.lang) if n == 1
                   else text("report.studies_many", self.lang, n=format_number(n, self.lang, 0)))

        def total(column: str) -> str:
            if column not in summary.columns or not summary[column].dtype.is_numeric():
                return MISSING
            return format_number(summary[column].sum(), self.lang, 0)

        return self.tx("headline.report", studies=studies,
                       units=format_number(units.height if units is not None else None, self.lang, 0),
                       employees=total("employees"), customers=total("customers"))

    # --- first page -----------------------------------------------------------------------------

    def headlines(self) -> list[str]:
        try:
            from miroir.headlines import headlines
            from miroir.results import Report
        except ImportError:  # pragma: no cover
            return []
        if not isinstance(self.report, Report):
            return []
        lines = headlines(self.report, self.lang)
        return [lines[k] for k in ("linkage", "exposure_gap", "moments", "moment_effects",
                                   "drivers") if k in lines]

    def key_figures(self, omitted: Sequence[str]) -> str:
        out = []
        lines = self.headlines()
        if lines:
            out.append(f"<h3>{self.tx('html.headlines')}</h3>")
            out.append('<ul class="headlines">' + "".join(f"<li>{_e(s)}.</li>" for s in lines)
                       + "</ul>")
        rows = self.indicator_rows()[0]
        if rows:
            out.append('<div class="cards">')
            for r in rows:
                out.append(self.card(r))
            out.append("</div>")
        out.append(f"<h3>{self.tx('html.moments_grid')}</h3>")
        out.append(self.moment_grid())
        if omitted:
            out.append(f"<h3>{self.tx('html.omitted_title')}</h3><ul class=\"omitted\">"
                       + "".join(f"<li>{_e(s)}</li>" for s in omitted) + "</ul>")
        return "".join(out)

    def indicator_value(self, row: dict[str, Any], column: str = "estimate") -> str:
        from miroir.headlines import indicator_value

        return _e(indicator_value(row, self.lang, column))

    def indicator_ci(self, row: dict[str, Any]) -> str:
        from miroir.headlines import POINT_INDICATORS

        if row.get("id") in POINT_INDICATORS:
            return self.ci(row.get("ci_low"), row.get("ci_high"), 1)
        return _e(format_ci(row.get("ci_low"), row.get("ci_high"), self.lang, 1, percent=True))

    def card(self, row: dict[str, Any]) -> str:
        from miroir.headlines import indicator_label

        parts = [f'<div class="card" data-indicator="{_e(row.get("id"))}">',
                 f'<div class="value">{self.indicator_value(row)}</div>',
                 f'<div class="label">{_e(indicator_label(row, self.lang))}</div>',
                 f'<div class="small">{self.tx("html.ci")} {self.indicator_ci(row)} · n = '
                 f'{self.count(row.get("n"))}</div>']
        if self.published is not None and str(row.get("id")) in self.published:
            value = self.published[str(row.get("id"))]
            inside = self.inside(row, value)
            shown = self.indicator_value({**row, "published": value}, "published")
            verdict = ("" if inside is None else
                       f' · <span class="{"" if inside else "fail"}">'
                       f'{self.tx("html.inside_ci" if inside else "html.outside_ci")}</span>')
            parts.append(f'<div class="small">{self.tx("html.published_value", value=shown)}'
                         f"{verdict}</div>")
        parts.append("</div>")
        return "".join(parts)

    @staticmethod
    def inside(row: dict[str, Any], value: float) -> bool | None:
        lo, hi = _finite(row.get("ci_low")), _finite(row.get("ci_high"))
        if lo is None or hi is None:
            return None
        return lo <= value <= hi

    def moment_grid(self) -> str:
        moments = self.t["moments"]
        themes: dict[str, list[str]] = {m: [] for m in MOMENTS}
        other: dict[str, int] = {}
        if moments is not None and "moment" in moments.columns:
            for r in moments.iter_rows(named=True):
                m = str(r.get("moment"))
                if m in themes:
                    themes[m].append(str(r.get("theme")))
                else:
                    other[m] = other.get(m, 0) + 1
        cells: dict[tuple[str, str], str] = {}
        colon = " : " if self.lang == "fr" else ": "  # French typography: a space before
        for m in MOMENTS:
            n = len(themes[m])
            listed = ", ".join(_e(t) for t in themes[m][:3]) + (" …" if n > 3 else "")
            count = self.tx("html.themes_one") if n == 1 else self.tx("html.themes_many", n=n)
            cells[_AXES[m]] = (
                f'<td class="moment" style="border-left-color:{_COLOURS[m]}">'
                f"<b>{_e(moment_name(m, self.lang))}</b><br>{_e(moment_action(m, self.lang))}"
                f'<br><span class="muted">{count}{colon + listed if listed else ""}</span></td>')
        out = ['<table class="matrix"><thead><tr><th class="row"></th>']
        out.extend(f"<th>{self.tx('html.employees_axis', axis=value_label('axis', e, self.lang))}</th>"
                   for e in ("proud", "silent", "frustrated"))
        out.append("</tr></thead><tbody>")
        for c in ("enchanted", "irritated"):
            out.append(f'<tr><th class="row">'
                       f"{self.tx('html.customers_axis', axis=value_label('axis', c, self.lang))}</th>")
            out.extend(cells[(c, e)] for e in ("proud", "silent", "frustrated"))
            out.append("</tr>")
        out.append("</tbody></table>")
        if moments is None:
            out.append(f'<p class="note">{self.tx("note.no_moments")}</p>')
        elif other:
            counts = ", ".join(f"{format_number(v, self.lang, 0)} {moment_name(k, self.lang).lower()}"
                               for k, v in sorted(other.items()))
            out.append(f'<p class="note">{self.tx("html.unclassified", counts=counts)}</p>')
        return "".join(out)

    # --- moments in detail ------------------------------------------------------------------------

    def moments_detail(self, moments: pl.DataFrame) -> str:
        out = [f'<p class="note">{self.tx("html.verbatims_rule", n=self.verbatims)}</p>']
        rows = moments.to_dicts()
        for m in MOMENTS:
            mine = [r for r in rows if r.get("moment") == m]
            out.append(f'<section class="moment" id="moment-{m}" style="border-left-color:'
                       f'{_COLOURS[m]}"><h3>{_e(moment_name(m, self.lang))}</h3>')
            out.append(f"<p>{self.tx('html.action', action=moment_action(m, self.lang) or '')}</p>")
            if not mine:
                out.append(f'<p class="note">{self.tx("html.no_theme_in_moment")}</p></section>')
                continue
            out.append(f"<p><b>{self.tx('label.themes')}</b> : " if self.lang == "fr"
                       else f"<p><b>{self.tx('label.themes')}</b>: ")
            out.append(", ".join(_e(r.get("theme")) for r in mine) + "</p>")
            quotes = self.quotes(mine)
            if quotes:
                out.extend(quotes)
            else:
                out.append(f'<p class="note">{self.tx("html.no_verbatim")}</p>')
            out.append("</section>")
        return "".join(out)

    def quotes(self, rows: Sequence[dict[str, Any]]) -> list[str]:
        """Up to ``verbatims`` examples of a moment's themes, customers' and employees' in
        turn, never from a suppressed side (the moments table already withholds the examples of
        groups under ``min_text_group_size``)."""
        customers = [(r["customer_example"], r.get("theme")) for r in rows
                     if r.get("customer_example") and r.get("customer_suppressed") is not True]
        employees = [(r["employee_example"], r.get("theme")) for r in rows
                     if r.get("employee_example") and r.get("employee_suppressed") is not True]
        picked: list[tuple[str, str, object]] = []
        for i in range(max(len(customers), len(employees))):
            if i < len(customers):
                picked.append(("html.customer", *customers[i]))
            if i < len(employees):
                picked.append(("html.employee", *employees[i]))
        out = []
        for who, quote, theme in picked[: self.verbatims]:
            mark = ("« ", " »") if self.lang == "fr" else ("“", "”")
            out.append(f"<blockquote>{mark[0]}{_e(quote)}{mark[1]}<span class=\"who\">"
                       f"{self.tx(who)} · {self.tx('html.theme_of', theme=theme)}</span></blockquote>")
        return out

    # --- indicators -------------------------------------------------------------------------------

    def indicator_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(computed indicators, indicators left out because their inputs are absent)."""
        table = self.t["indicators"]
        if table is None:
            return [], []
        shown, absent = [], []
        for r in table.iter_rows(named=True):
            note = str(r.get("note") or "")
            if _finite(r.get("estimate")) is None and (r.get("n") in (0, None) or "absent" in note):
                absent.append(r)
            else:
                shown.append(r)
        return shown, absent

    def indicators(self) -> str:
        from miroir.headlines import indicator_label

        shown, absent = self.indicator_rows()
        out = [f'<p class="note">{self.tx("html.indicators_intro")}'
               + (" " + self.tx("html.published_source") if self.published is not None else "")
               + "</p>"]
        columns = [
            _Col(text("column.id", self.lang), lambda r: _e(indicator_label(r, self.lang)),
                 num=False, key=True),
            _Col(text("column.html.estimate", self.lang), self.indicator_value),
            _Col(text("html.ci", self.lang), self.indicator_ci),
            self.col("indicators", "n", "count"),
        ]
        if self.published is not None:
            values = self.published

            def published(r: dict[str, Any]) -> str:
                value = values.get(str(r.get("id")))
                return MISSING if value is None else self.indicator_value({**r, "published": value},
                                                                          "published")

            def inside(r: dict[str, Any]) -> str:
                value = values.get(str(r.get("id")))
                verdict = None if value is None else self.inside(r, value)
                if verdict is None:
                    return MISSING
                return self.tx("html.inside_ci") if verdict else (
                    f'<span class="fail">{self.tx("html.outside_ci")}</span>')

            columns += [_Col(text("column.published", self.lang), published),
                        _Col(text("column.html.inside", self.lang), inside, num=False)]
        columns += [_Col(text("column.method", self.lang),
                         lambda r: _e(translate_note(str(r.get("method") or MISSING), self.lang)),
                         num=False), self.notes_col()]
        out.append(self.table(shown, columns))
        if absent:
            labels = "; ".join(indicator_label(r, self.lang) for r in absent)
            out.append(f'<p class="note">{self.tx("html.indicators_left_out", labels=labels)}</p>')
        return "".join(out)

    # --- analyses --------------------------------------------------------------------------------

    def headline(self, key: str) -> str:
        try:
            from miroir.headlines import headlines
            from miroir.results import Report
        except ImportError:  # pragma: no cover
            return ""
        if not isinstance(self.report, Report):
            return ""
        line = headlines(self.report, self.lang).get(key)
        return f"<p><b>{_e(line)}.</b></p>" if line else ""

    def study_col(self) -> _Col:
        pooled = text("chart.gap.all_studies", self.lang)
        return _Col(text("column.study", self.lang),
                    lambda r: _e(pooled if r.get("level") == "pooled" else r.get("study")),
                    num=False, key=True)

    def exposure_gap(self) -> str:
        gap = self.t["exposure_gap"]
        if gap is None:
            return ""
        largest = self.tx("html.largest")
        columns = [
            self.study_col(),
            self.col("exposure_gap", "n_facing", "count"), self.col("exposure_gap", "n_other", "count"),
            self.col("exposure_gap", "mean_facing", "points"),
            self.col("exposure_gap", "mean_other", "points"),
            self.col("exposure_gap", "gap", "points"),
            self.ci_col("column.html.ci_points", "ci_low", "ci_high", 1),
            self.col("exposure_gap", "p_value", "p"),
            self.col("exposure_gap", "hedges_g", "r"),
            self.ci_col("column.html.ci_g", "g_ci_low", "g_ci_high", 2),
            self.col("exposure_gap", "adjusted_gap", "points"),
            self.ci_col("column.html.ci_adjusted", "adjusted_ci_low", "adjusted_ci_high", 1),
            _Col(text("column.largest", self.lang),
                 lambda r: largest if r.get("largest") is True else "", num=False),
            self.notes_col(),
        ]
        return "".join([self.headline("exposure_gap"), f'<p class="note">{self.tx("html.gap_intro")}</p>',
                        self.chart("exposure_gap_chart", "html.caption.exposure_gap", gap),
                        self.table(gap.to_dicts(), columns)])

    def linkage(self) -> str:
        link, units = self.t["linkage"], self.t["units"]
        if link is None:
            return ""
        columns = [
            self.study_col(),
            self.col("linkage", "n_units", "count"), self.col("linkage", "n_employees", "count"),
            self.col("linkage", "n_customers", "count"), self.col("linkage", "estimate", "r"),
            self.ci_col("column.html.ci_r", "ci_low", "ci_high", 2),
            self.col("linkage", "p_value", "p"),
            self.col("linkage", "tau2", "num"), self.col("linkage", "i2", "points"),
            self.col("linkage", "icc1", "r"), self.col("linkage", "icc2", "r"),
            self.col("linkage", "share_satisfied_high", "pct"),
            self.col("linkage", "share_satisfied_rest", "pct"),
            self.ci_col("column.html.ci_diff", "satisfied_diff_ci_low", "satisfied_diff_ci_high",
                        1, scale=100.0),
            self.col("linkage", "uplift", "pct"),
            _Col(text("column.html.ci_uplift", self.lang),
                 lambda r: _e(format_ci(r.get("uplift_ci_low"), r.get("uplift_ci_high"), self.lang,
                                        1, percent=True))),
            self.notes_col(),
        ]
        out = [self.headline("linkage"), f'<p class="note">{self.tx("html.linkage_intro")}</p>']
        if units is not None:
            out.append(self.chart("linkage_scatter", "html.caption.scatter", units, link))
        out.append(self.chart("forest_plot", "html.caption.forest", link))
        out.append(self.table(link.to_dicts(), columns))
        return "".join(out)

    def mirror_matrix(self, moments: pl.DataFrame) -> str:
        rows = sorted(moments.to_dicts(), key=lambda r: (_moment_rank(r.get("moment")),
                                                          str(r.get("theme"))))

        def side(name: str, flag: str, kind: str) -> Callable[[dict[str, Any]], str]:
            def cell(r: dict[str, Any]) -> str:
                if r.get(flag) is True:
                    return self.tx("html.suppressed")
                return self.pct(r.get(name)) if kind == "pct" else self.count(r.get(name))
            return cell

        columns = [
            self.col("moments", "theme", "text", key=True),
            self.col("moments", "moment", "moment"),
            self.col("moments", "q_value", "p"),
            _Col(text("column.customer_mentions", self.lang),
                 side("customer_mentions", "customer_suppressed", "count")),
            _Col(text("column.html.customers_positive", self.lang),
                 side("customer_positive_share", "customer_suppressed", "pct")),
            self.col("moments", "customer_axis", "axis"),
            _Col(text("column.employee_share", self.lang),
                 side("employee_share", "employee_suppressed", "pct")),
            _Col(text("column.html.employees_positive", self.lang),
                 side("employee_positive_share", "employee_suppressed", "pct")),
            self.col("moments", "employee_axis", "axis"),
            _Col(text("column.html.short_action", self.lang),
                 lambda r: _e(moment_action(r.get("moment"), self.lang, short=True) or MISSING),
                 num=False),
            self.notes_col(),
        ]
        return "".join([self.headline("moments"),
                        self.chart("mirror_matrix", "html.caption.matrix", moments),
                        self.table(rows, columns)])

    @staticmethod
    def effects_rows(effects: pl.DataFrame | None) -> list[dict[str, Any]]:
        if effects is None:
            return []
        return [r for r in effects.iter_rows(named=True)
                if (r.get("n_themes") or 0) > 0
                and not str(r.get("note") or "").startswith("no theme classified")]

    def moment_effects(self, effects: pl.DataFrame | None, rows: list[dict[str, Any]]) -> str:
        assert effects is not None
        empty = [m for m in MOMENTS if m in set(effects["moment"].to_list())
                 and not any(r.get("moment") == m for r in rows)]
        columns = [
            self.col("moment_effects", "moment", "moment", key=True),
            self.col("moment_effects", "side", "side", key=True),
            self.col("moment_effects", "outcome", "outcome"),
            self.col("moment_effects", "n_themes", "count"),
            self.col("moment_effects", "n_mentioning", "count"),
            self.col("moment_effects", "n_other", "count"),
            self.col("moment_effects", "mean_mentioning", "r"),
            self.col("moment_effects", "mean_other", "r"),
            self.col("moment_effects", "estimate", "r"),
            self.ci_col("column.html.ci_difference", "ci_low", "ci_high", 2),
            self.col("moment_effects", "hedges_g", "r"),
            self.col("moment_effects", "q_value", "p"),
            self.notes_col(),
        ]
        out = [self.headline("moment_effects"), f'<p class="note">{self.tx("html.effects_intro")}</p>',
               self.table(rows, columns)]
        if empty:
            names = ", ".join(moment_name(m, self.lang) for m in empty)
            out.append(f'<p class="note">{self.tx("html.effects_left_out", moments=names)}</p>')
        return "".join(out)

    def drivers(self, drivers: pl.DataFrame) -> str:
        out = [self.headline("drivers"), f'<p class="note">{self.tx("html.drivers_intro")}</p>']
        for outcome in drivers["outcome"].unique(maintain_order=True).to_list():
            out.append(self.chart("drivers_chart", "html.caption.drivers",
                                  drivers.filter(pl.col("outcome") == outcome),
                                  outcome=value_label("outcome", outcome, self.lang).capitalize()))

        def label(r: dict[str, Any]) -> str:
            name = r.get("label_fr") if self.lang == "fr" and r.get("label_fr") else r.get("label")
            return _e(name or r.get("driver"))

        columns = [
            self.col("drivers", "outcome", "outcome", key=True),
            _Col(text("column.driver", self.lang), label, num=False, key=True),
            self.col("drivers", "level", "level"),
            self.col("drivers", "n", "count"), self.col("drivers", "n_units", "count"),
            self.col("drivers", "r2", "r"), self.col("drivers", "beta_std", "r"),
            self.ci_col("column.html.ci_beta", "ci_low", "ci_high", 2),
            self.col("drivers", "p_value", "p"), self.col("drivers", "share", "pct"),
            _Col(text("column.html.ci_percent", self.lang),
                 lambda r: _e(format_ci(r.get("share_ci_low"), r.get("share_ci_high"), self.lang,
                                        0, percent=True))),
            self.col("drivers", "rank", "count"), self.col("drivers", "p_first", "pct"),
            self.notes_col(),
        ]
        out.append(self.table(drivers.to_dicts(), columns))
        return "".join(out)

    def summary(self) -> str:
        summary = self.t["summary"]
        if summary is None:
            return ""
        kinds = {"study": "text", "sector": "text", "units": "count", "employees": "count",
                 "customers": "count", "mentions": "count", "customer_facing_share": "pct",
                 "mean_engagement": "points", "share_satisfied": "pct",
                 "customers_dropped": "count"}
        columns = []
        for name in summary.columns:
            if name == "customers_dropped" and not (summary[name].fill_null(0) != 0).any():
                continue  # nobody dropped: a column of zeros says nothing
            kind = kinds.get(name)
            if kind is None:
                dtype = summary[name].dtype
                kind = "num" if dtype.is_numeric() else "text"
            columns.append(self.col("summary", name, kind, key=name == "study"))
        return self.table(summary.to_dicts(), columns)

    def units(self) -> str:
        units = self.t["units"]
        assert units is not None
        n_sup = int(units["suppressed"].fill_null(False).sum()) if "suppressed" in units.columns else 0
        columns = [
            self.col("units", "study", "text", key=True), self.col("units", "unit", "text", key=True),
            self.col("units", "n_employees", "count"),
            self.col("units", "mean_engagement", "points"),
            self.col("units", "n_customers", "count"),
            self.col("units", "share_satisfied", "pct"),
            self.col("units", "mean_satisfaction", "r"),
            _Col(text("column.html.status", self.lang),
                 lambda r: self.tx("html.suppressed_reason",
                                   reason=translate_note(str(r.get("suppression") or ""), self.lang))
                 if r.get("suppressed") is True else "", num=False),
        ]
        return "".join([
            f'<p class="note">{self.tx("html.units_intro", n=format_number(units.height, self.lang, 0), suppressed=format_number(n_sup, self.lang, 0))}</p>',
            f"<details><summary>{self.tx('html.show_units')}</summary>",
            self.table(units.to_dicts(), columns), "</details>"])
