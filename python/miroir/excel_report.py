"""The report as an Excel workbook a client can open: a key-figures sheet, then one sheet per table.

:func:`write_excel` writes, with xlsxwriter (``pip install miroir[deliverables]``):

- a first sheet with the report's headlines, the published figures with their intervals, the
  six moments with the seed's action, the legend of the cell formats and the data-quality
  warnings;
- one sheet per table of :meth:`miroir.Report.tables` (``summary`` first), the header row
  frozen and filtered, headers and category values (moments, actions, levels, sides, axes) in
  the workbook's language, columns sized to their content.

Cells hold the table's values unrounded; the formats only change how they show: shares as
Excel percentages (``0.0%``), correlations and effect sizes to 3 decimals, engagement points to
1, p-values to 3 decimals and ``< 0.001`` below that. A cell withheld for confidentiality (a
null in a suppressed group) is left empty on a grey background; an undefined value (NaN) or an
infinity is left empty on a yellow background with a comment saying which it was. Notes
repeated within a cell (``a; a; b``) are written once (``a; b``).

>>> import tempfile, pathlib, miroir
>>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "report.xlsx"
>>> write_excel(miroir.report(study, n_resamples=0), path, lang="fr")
>>> path.stat().st_size > 10_000
True
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from miroir import _core
from miroir.headlines import (
    POINT_INDICATORS,
    headlines,
    indicator_label,
    moment_summary,
)
from miroir.i18n import (
    check_lang,
    format_number,
    has,
    header,
    moment_action,
    moment_name,
    text,
    value_label,
)
from miroir._frames import invalid_argument

if TYPE_CHECKING:
    from miroir.results import Report

__all__ = ["cell_kind", "display_value", "write_excel"]

EXTRA = "deliverables"

# Excel's limits and conventions.
_SHEET_NAME_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTH_MIN, _WIDTH_MAX, _TEXT_WIDTH_MAX = 8, 40, 60

# Number formats (codes are locale-independent in the file: Excel shows them in the reader's
# locale; only the literal text of the p-value floor is ours to translate).
_FORMATS = {
    "int": "#,##0",
    "share": "0.0%",
    "r": "0.000",
    "points": "0.0",
    "decimal": "0.00",
    "small": "0.0000",
}


def _require_xlsxwriter() -> Any:
    try:
        import xlsxwriter
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "report.to_excel() needs xlsxwriter: pip install 'miroir[deliverables]'"
        ) from err
    return xlsxwriter


def check_path(path: str | os.PathLike[str], suffix: str) -> Path:
    """``path`` as a Path whose folder exists, or a ``FileError`` / ``InvalidArgumentError``."""
    if not isinstance(path, (str, os.PathLike)):
        raise invalid_argument(
            "path", f"expected a file path, got {type(path).__name__}"
        )
    out = Path(path)
    if out.suffix.lower() != suffix:
        raise invalid_argument(
            "path", f"{str(out)!r} does not end with {suffix}"
        )
    if not out.parent.is_dir():
        raise _core.FileError(f"{out}: cannot write the file: the folder {out.parent} does not exist")
    if out.is_dir():
        raise _core.FileError(f"{out}: cannot write the file: it is a folder")
    return out


# --- what a cell is -------------------------------------------------------------------------


def cell_kind(table: str, column: str, dtype: pl.DataType) -> str:
    """How a column's numbers show: ``int``, ``share``, ``p``, ``r``, ``points``, ``decimal``,
    ``small``, or ``text`` / ``bool`` for the others."""
    if dtype == pl.Boolean:
        return "bool"
    if not dtype.is_numeric():
        return "text"
    if dtype.is_integer():
        return "int"
    if column in ("p_value", "q_value", "q_p") or column.endswith("_p") or column.endswith("_p_value"):
        return "p"
    if "share" in column or column.startswith(("uplift", "satisfied_diff")) or column == "p_first":
        return "share"
    if table == "indicators" and column in ("estimate", "ci_low", "ci_high", "published"):
        return "share"  # per row: see _row_kind
    if column in ("tau2", "lmg"):
        return "small"
    if column in ("estimate", "ci_low", "ci_high") and table in ("linkage", "drivers") or column in (
        "icc1", "icc2", "hedges_g", "g_ci_low", "g_ci_high", "rank_biserial", "beta_std", "r2",
    ):
        return "r"
    if "engagement" in column or column == "i2" or table == "exposure_gap" and column in (
        "mean_facing", "mean_other", "gap", "ci_low", "ci_high", "adjusted_gap", "adjusted_std_error",
        "adjusted_ci_low", "adjusted_ci_high",
    ):
        return "points"
    return "decimal"


def _row_kind(table: str, column: str, kind: str, row: dict[str, Any]) -> str:
    if table == "indicators" and kind == "share" and row.get("id") in POINT_INDICATORS:
        return "points"
    return kind


def _suppressed(table: str, column: str, row: dict[str, Any]) -> bool:
    """Whether a null in this cell is withheld for confidentiality (not merely not applicable)."""
    if table == "moments":
        sides = [s for s in ("customer", "employee") if column.startswith(s)]
        return any(bool(row.get(f"{s}_suppressed")) for s in (sides or ["customer", "employee"]))
    return bool(row.get("suppressed")) or bool(row.get("segment_suppressed"))


def _dedupe_note(note: str) -> str:
    return "; ".join(dict.fromkeys(part.strip() for part in note.split(";") if part.strip()))


_VOCABULARIES = {"level": "level", "side": "side", "outcome": "outcome",
                 "customer_axis": "axis", "employee_axis": "axis"}


def display_value(table: str, column: str, row: dict[str, Any], lang: str) -> Any:
    """The value a cell holds: the table's, with category values, moment names, actions and
    seed figure labels in ``lang``, and repeated notes written once."""
    value = row.get(column)
    if value is None or not isinstance(value, str):
        return value
    if column == "moment":
        return moment_name(value, lang)
    if column == "action":
        return moment_action(row.get("moment"), lang) or value
    if column in _VOCABULARIES:
        return value_label(_VOCABULARIES[column], value, lang)
    if table == "indicators" and column == "label":
        return indicator_label(row, lang)
    if column == "note":
        return _dedupe_note(value)
    return value


# --- the workbook ---------------------------------------------------------------------------


@dataclass
class _Formats:
    """The workbook's cell formats, made once."""

    book: Any
    lang: str

    def __post_init__(self) -> None:
        b = self.book
        self.title = b.add_format({"bold": True, "font_size": 16})
        self.subtitle = b.add_format({"italic": True, "font_color": "#424242"})
        self.bold = b.add_format({"bold": True})
        self.header = b.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                    "bg_color": "#eceff1", "bottom": 1})
        self.wrap = b.add_format({"text_wrap": True, "valign": "top"})
        self.note = b.add_format({"italic": True, "font_color": "#616161"})
        self.suppressed = b.add_format({"bg_color": "#d9d9d9"})
        self.undefined = b.add_format({"bg_color": "#fff2cc"})
        floor = format_number(0.001, self.lang, 3)
        codes = dict(_FORMATS, p=f'[<0.001]"< {floor}";0.000')
        self.number = {kind: b.add_format({"num_format": code}) for kind, code in codes.items()}

    def of(self, kind: str) -> Any:
        return self.number.get(kind)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _FORBIDDEN.sub(" ", name).strip("' ")[:_SHEET_NAME_MAX] or "Sheet"
    out, i = base, 2
    while out.lower() in taken:
        suffix = f" ({i})"
        out, i = base[: _SHEET_NAME_MAX - len(suffix)] + suffix, i + 1
    taken.add(out.lower())
    return out


#: Rows whose cells the column widths are fitted to.
_WIDTH_ROWS = 500


def _shown_width(value: Any, kind: str, lang: str) -> int:
    if value is None or isinstance(value, bool):
        return 5
    if isinstance(value, str):
        return min(len(value), _TEXT_WIDTH_MAX)
    if kind == "share":
        return 7
    return len(format_number(value, lang, 0 if kind == "int" else 3))


def _write_table(sheet: Any, fmt: _Formats, name: str, table: pl.DataFrame, lang: str,
                 comment: Callable[[int, int, str], None]) -> dict[str, bool]:
    """One table from A1: the header row, then one row per table row. Returns which special
    cells it wrote (``suppressed``, ``undefined``) for the legend."""
    kinds = [cell_kind(name, c, dt) for c, dt in table.schema.items()]
    widths = [min(max(len(w) for w in header(name, c, lang).split()) + 2, _WIDTH_MAX) for c in table.columns]
    seen = {"suppressed": False, "undefined": False}
    for j, column in enumerate(table.columns):
        sheet.write_string(0, j, header(name, column, lang), fmt.header)
    # the innermost loop of a workbook (a 10,000-unit table is 90,000 cells): what does not
    # change from row to row is looked up once
    columns = list(enumerate(table.columns))
    formats = [fmt.of(kind) for kind in kinds]
    by_row = name == "indicators"  # the only table whose number formats change per row
    write_number, write_string, write_blank = sheet.write_number, sheet.write_string, sheet.write_blank
    for i, row in enumerate(table.iter_rows(named=True), start=1):
        fitting = i <= _WIDTH_ROWS  # column widths fitted on the first rows (a 10,000-unit table is long)
        for j, column in columns:
            value = row[column]
            if isinstance(value, str):
                value = display_value(name, column, row, lang)
            if fitting:
                kind = _row_kind(name, column, kinds[j], row)
                widths[j] = max(widths[j], min(_shown_width(value, kind, lang) + 2, _WIDTH_MAX))
            if value is None:
                if _suppressed(name, column, row):
                    write_blank(i, j, None, fmt.suppressed)
                    seen["suppressed"] = True
            elif isinstance(value, bool):
                sheet.write_boolean(i, j, value)
            elif isinstance(value, (int, float)):
                x = float(value)
                if math.isnan(x):
                    write_blank(i, j, None, fmt.undefined)
                    comment(i, j, text("note.undefined_cell", lang))
                    seen["undefined"] = True
                elif math.isinf(x):
                    write_blank(i, j, None, fmt.undefined)
                    comment(i, j, text("note.infinite_cell", lang, sign="+" if x > 0 else "-"))
                    seen["undefined"] = True
                else:
                    write_number(i, j, value, fmt.of(_row_kind(name, column, kinds[j], row))
                                 if by_row else formats[j])
            else:
                value = str(value)
                write_string(i, j, value, fmt.wrap if len(value) > _TEXT_WIDTH_MAX else None)
    for j, width in enumerate(widths):
        sheet.set_column(j, j, max(width, _WIDTH_MIN))
    sheet.set_row(0, 15 * max(1, max(math.ceil(len(header(name, c, lang)) / w) for c, w in
                                      zip(table.columns, widths))))
    sheet.freeze_panes(1, 0)
    if table.width:
        sheet.autofilter(0, 0, max(table.height, 1), table.width - 1)
    return seen


def _min_group_size(report: Report) -> Any:
    return report.units.options.get("min_group_size", 5)


def _legend(report: Report, lang: str, seen: dict[str, bool]) -> list[str]:
    lines = [text("note.shares", lang), text("note.p_floor", lang)]
    if seen.get("suppressed"):
        lines.append(text("note.suppressed", lang, n=_min_group_size(report)))
    if seen.get("undefined"):
        lines.append(text("note.undefined", lang))
    return lines


def _write_overview(sheet: Any, fmt: _Formats, report: Report, lang: str, legend: list[str],
                    published: bool) -> None:
    lines = headlines(report, lang)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 100)
    sheet.set_column(2, 5, 14)
    sheet.write_string(0, 0, text("report.title", lang), fmt.title)
    sheet.write_string(1, 0, lines["report"], fmt.subtitle)
    r = 3
    for key, sentence in lines.items():
        if key == "report":
            continue
        sheet.write_string(r, 0, text(f"section.{key}", lang), fmt.bold)
        sheet.write_string(r, 1, sentence, fmt.wrap)
        r += 1
    r += 1
    table = report.indicators.table
    columns = [c for c in ("estimate", "ci_low", "ci_high", "n", "published") if c in table.columns
               and (published or c != "published")]
    sheet.write_string(r, 0, text("label.figure", lang), fmt.header)
    sheet.write_string(r, 1, header("indicators", "label", lang), fmt.header)
    for j, column in enumerate(columns, start=2):
        sheet.write_string(r, j, header("indicators", column, lang), fmt.header)
    for row in table.iter_rows(named=True):
        r += 1
        sheet.write_string(r, 0, str(row.get("id")))
        sheet.write_string(r, 1, indicator_label(row, lang), fmt.wrap)
        for j, column in enumerate(columns, start=2):
            value = row.get(column)
            kind = "int" if column == "n" else "points" if row.get("id") in POINT_INDICATORS else "share"
            if isinstance(value, (int, float)) and math.isfinite(value):
                sheet.write_number(r, j, value, fmt.of(kind))
            elif value is not None:
                sheet.write_blank(r, j, None, fmt.undefined)
    r += 2
    sheet.write_string(r, 0, header("moments", "moment", lang), fmt.header)
    sheet.write_string(r, 1, header("moments", "action", lang), fmt.header)
    sheet.write_string(r, 2, text("label.themes", lang), fmt.header)
    for name, action, themes in moment_summary(report, lang):
        r += 1
        sheet.write_string(r, 0, name, fmt.bold)
        sheet.write_string(r, 1, action, fmt.wrap)
        sheet.write_number(r, 2, len(themes))
    for missing, note in ((report.moments, "note.no_moments"), (report.drivers, "note.no_drivers")):
        if missing is None:
            r += 1
            sheet.write_string(r, 0, text(note, lang), fmt.note)
    r += 2
    sheet.write_string(r, 0, text("label.notes", lang), fmt.bold)
    for line in legend:
        r += 1
        sheet.write_string(r, 0, line, fmt.note)
    if report.warnings:
        r += 2
        sheet.write_string(r, 0, text("section.warnings", lang), fmt.bold)
        for warning in report.warnings:
            r += 1
            sheet.write_string(r, 0, warning)


def write_excel(report: Report, path: str | os.PathLike[str], lang: str = "en", *, published: bool = False) -> None:
    """Write ``report`` as an ``.xlsx`` workbook in ``lang`` (``"en"`` or ``"fr"``).

    Parameters
    ----------
    report : miroir.Report
    path : str or path-like
        The ``.xlsx`` file to write (replaced if it exists); its folder must exist.
    lang : {"en", "fr"}
        The language of the sheet names, headers, category values and notes.
    published : bool
        Keep the indicators' ``published`` column (the seed article's figures): only for a
        report that reproduces them; a client's workbook leaves them out (the default), as the
        HTML report does.

    Raises
    ------
    miroir.InvalidArgumentError
        For an unknown language or a path not ending in ``.xlsx``.
    miroir.FileError
        When the folder does not exist or the file cannot be written.
    ImportError
        Without xlsxwriter (``pip install 'miroir[deliverables]'``).
    """
    check_lang(lang)
    out = check_path(path, ".xlsx")
    xlsxwriter = _require_xlsxwriter()
    book = xlsxwriter.Workbook(str(out))
    fmt = _Formats(book, lang)
    taken: set[str] = set()
    overview = book.add_worksheet(_sheet_name(text("sheet.overview", lang), taken))
    seen = {"suppressed": False, "undefined": False}
    for name, table in report.tables().items():
        if name == "indicators" and not published and "published" in table.columns:
            table = table.drop("published")
        label = text(f"sheet.{name}", lang) if has(f"sheet.{name}") else name
        sheet = book.add_worksheet(_sheet_name(label, taken))

        def comment(i: int, j: int, note: str, sheet: Any = sheet) -> None:
            sheet.write_comment(i, j, note)

        marked = _write_table(sheet, fmt, name, table, lang, comment)
        notes = [text("note.suppressed", lang, n=_min_group_size(report))] if marked["suppressed"] else []
        notes += [text("note.undefined", lang)] if marked["undefined"] else []
        for i, note in enumerate(notes, start=table.height + 2):
            sheet.write_string(i, 0, note, fmt.note)
        for key, flag in marked.items():
            seen[key] = seen[key] or flag
    _write_overview(overview, fmt, report, lang, _legend(report, lang, seen), published)
    from xlsxwriter.exceptions import FileCreateError

    try:
        book.close()
    except (OSError, FileCreateError) as err:
        reason = getattr(err, "strerror", None) or getattr(err.args[0] if err.args else err, "strerror", None)
        raise _core.FileError(f"{out}: cannot write the file: {reason or err}") from None
