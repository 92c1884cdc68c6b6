"""The report as a PowerPoint deck: one slide per finding, in English or French.

:func:`write_pptx` writes, with python-pptx (``pip install miroir[deliverables]``), a 16:9 deck:

1. a title slide (the report's title, its studies and respondents, the date);
2. the published figures (a table: figure, estimate, confidence interval, n);
3. one slide per analysis with its headline sentence and its chart: the linkage (units'
   engagement against their customers' satisfaction), the exposure gap, the mirror matrix,
   the moment effects (a table), the drivers (one slide per outcome);
4. the six moments with the seed's recommended action and their themes, then, per moment that
   has them, a slide of verbatim examples (customers' and employees' words, as the moments
   table gives them: withheld for groups under the confidentiality threshold).

Charts come from :mod:`miroir.charts` (matplotlib), drawn as PNG at 200 dpi in memory; without
matplotlib the slides keep their sentences and say that charts need it. Sections the report
does not have (no coded mentions, no driver columns) are left out.

>>> import tempfile, pathlib, miroir
>>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "report.pptx"
>>> write_pptx(miroir.report(study, n_resamples=0), path, lang="fr", charts=False)
>>> path.stat().st_size > 10_000
True
"""

from __future__ import annotations

import datetime as _dt
import inspect
import io
import os
import struct
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from miroir import _core
from miroir.excel_report import check_path
from miroir.headlines import (
    driver_headlines,
    headlines,
    indicator_label,
    indicator_value,
    moment_summary,
)
from miroir.i18n import (
    MISSING,
    check_lang,
    format_number,
    format_p,
    moment_name,
    text,
    value_label,
)
from miroir.results import MOMENT_ORDER as MOMENTS

if TYPE_CHECKING:
    from miroir.results import Report

__all__ = ["write_pptx"]

#: Verbatim examples per moment slide.
VERBATIMS_PER_MOMENT = 6

_EMU_PER_INCH = 914400
_SLIDE_W, _SLIDE_H = 13.333, 7.5
_MARGIN = 0.5


def _require_pptx() -> Any:
    try:
        import pptx
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("report.to_pptx() needs python-pptx: pip install 'miroir[deliverables]'") from err
    return pptx


def _emu(inches: float) -> int:
    return int(round(inches * _EMU_PER_INCH))


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


class _Deck:
    """A python-pptx presentation with the few slide shapes the report needs."""

    def __init__(self, lang: str) -> None:
        pptx = _require_pptx()
        from pptx.util import Pt

        self.lang = lang
        self.pt = Pt
        self.prs = pptx.Presentation()
        self.prs.slide_width, self.prs.slide_height = _emu(_SLIDE_W), _emu(_SLIDE_H)
        self.notes: list[str] = []

    def title_slide(self, title: str, subtitle: str) -> None:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[0])
        slide.shapes.title.text = title
        slide.placeholders[1].text = subtitle

    def slide(self, title: str, headline: str | None = None) -> Any:
        """A "title only" slide, the headline sentence under the title; returns the slide."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = (
            _emu(_MARGIN), _emu(0.3), _emu(_SLIDE_W - 2 * _MARGIN), _emu(1.0))
        shape.text = title
        shape.text_frame.paragraphs[0].runs[0].font.size = self.pt(30)
        if headline:
            self.text_box(slide, [headline], top=1.3, height=0.9, size=18)
        return slide

    def text_box(self, slide: Any, lines: Sequence[str], *, top: float, height: float,
                 size: int = 16, left: float = _MARGIN, width: float | None = None) -> None:
        box = slide.shapes.add_textbox(_emu(left), _emu(top), _emu(width or _SLIDE_W - 2 * _MARGIN),
                                       _emu(height))
        frame = box.text_frame
        frame.word_wrap = True
        for i, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = self.pt(size)
            paragraph.space_after = self.pt(6)

    def picture(self, slide: Any, png: bytes, *, top: float = 2.3) -> None:
        """The PNG fitted (aspect kept) in the slide below the headline, centred."""
        box_w, box_h = _SLIDE_W - 2 * _MARGIN, _SLIDE_H - top - 0.2
        w, h = _png_size(png)
        scale = min(box_w / w, box_h / h)
        width, height = w * scale, h * scale
        slide.shapes.add_picture(io.BytesIO(png), _emu((_SLIDE_W - width) / 2), _emu(top),
                                 _emu(width), _emu(height))

    def table(self, slide: Any, headers: Sequence[str], rows: Sequence[Sequence[str]], *,
              top: float = 2.3, widths: Sequence[float] | None = None, size: int = 12) -> None:
        total = _SLIDE_W - 2 * _MARGIN
        height = min(0.4 * (len(rows) + 1), _SLIDE_H - top - 0.2)
        shape = slide.shapes.add_table(len(rows) + 1, len(headers), _emu(_MARGIN), _emu(top),
                                       _emu(total), _emu(height))
        grid = shape.table
        shares = widths or [1.0] * len(headers)
        for j, share in enumerate(shares):
            grid.columns[j].width = _emu(total * share / sum(shares))
        for i, line in enumerate([list(headers), *[list(r) for r in rows]]):
            for j, value in enumerate(line):
                cell = grid.cell(i, j)
                cell.text = value
                for paragraph in cell.text_frame.paragraphs:
                    paragraph.font.size = self.pt(size)
                    paragraph.font.bold = i == 0

    def save(self, path: os.PathLike[str] | str) -> None:
        try:
            self.prs.save(str(path))
        except OSError as err:
            raise _core.FileError(f"{path}: cannot write the file: {err.strerror or err}") from None


# --- charts ----------------------------------------------------------------------------------


def _chart_maker(report: Report, lang: str) -> Callable[..., bytes | None] | None:
    """A function giving a chart of :mod:`miroir.charts` as PNG bytes (None without
    matplotlib): :func:`miroir.charts.deliverable_png`, drawn once per report and shared
    with the HTML page."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    from miroir.charts import deliverable_png

    def draw(name: str, *tables: Any, **kwargs: Any) -> bytes | None:
        return deliverable_png(report, name, *tables, lang=lang, **kwargs)

    return draw


# --- the slides ------------------------------------------------------------------------------


def _indicator_rows(table: pl.DataFrame, lang: str) -> list[list[str]]:
    rows = []
    separator = " ; " if lang == "fr" else ", "  # the French comma is the decimal mark
    for row in table.iter_rows(named=True):
        low, high = indicator_value(row, lang, "ci_low"), indicator_value(row, lang, "ci_high")
        interval = "" if low == high == MISSING else f"[{low}{separator}{high}]"
        rows.append([indicator_label(row, lang), indicator_value(row, lang), interval,
                     format_number(row.get("n"), lang, 0)])
    return rows


def _effect_rows(table: pl.DataFrame, lang: str) -> list[list[str]]:
    rows = []
    for row in table.iter_rows(named=True):
        decimals = 1 if row.get("outcome") == "engagement" else 2
        rows.append([
            moment_name(row.get("moment"), lang), value_label("side", row.get("side"), lang),
            value_label("outcome", row.get("outcome"), lang),
            format_number(row.get("estimate"), lang, decimals, signed=True),
            format_p(row.get("q_value"), lang),
        ])
    return rows


def _verbatims(report: Report, moment: str, lang: str) -> list[str]:
    """Up to :data:`VERBATIMS_PER_MOMENT` examples of the moment's themes, customers' then
    employees' in turn, never from a suppressed side."""
    if report.moments is None:
        return []
    rows = [r for r in report.moments.table.iter_rows(named=True) if r.get("moment") == moment]
    customers = [r["customer_example"] for r in rows
                 if r.get("customer_example") and not r.get("customer_suppressed")]
    employees = [r["employee_example"] for r in rows
                 if r.get("employee_example") and not r.get("employee_suppressed")]
    out: list[str] = []
    for i in range(max(len(customers), len(employees))):
        if i < len(customers):
            out.append(text("label.customer_says", lang, text=customers[i]))
        if i < len(employees):
            out.append(text("label.employee_says", lang, text=employees[i]))
    return out[:VERBATIMS_PER_MOMENT]


def write_pptx(report: Report, path: str | os.PathLike[str], lang: str = "en", *,
               charts: bool = True) -> None:
    """Write ``report`` as a ``.pptx`` deck in ``lang`` (``"en"`` or ``"fr"``).

    Parameters
    ----------
    report : miroir.Report
    path : str or path-like
        The ``.pptx`` file to write (replaced if it exists); its folder must exist.
    lang : {"en", "fr"}
        The language of every title, sentence, table and label.
    charts : bool
        Draw the charts (needs matplotlib); ``False`` writes the slides without them.

    Raises
    ------
    miroir.InvalidArgumentError, miroir.FileError
        As :func:`miroir.excel_report.write_excel` does (an unknown language, a path not ending
        in ``.pptx``, a folder that does not exist or a file that cannot be written).
    ImportError
        Without python-pptx (``pip install 'miroir[deliverables]'``).
    """
    check_lang(lang)
    out = check_path(path, ".pptx")
    deck = _Deck(lang)
    draw = _chart_maker(report, lang) if charts else None
    lines = headlines(report, lang)
    # the chart slides, their pictures added once every slide is made: the charts are then
    # drawn together (those the HTML page has not drawn yet), each compressed while the
    # next is drawn; the pictures are added in the same order, the deck is the same
    waiting: list[tuple[Any, str, tuple[Any, ...]]] = []

    def chart_slide(section: str, headline: str, name: str, *tables: Any) -> None:
        slide = deck.slide(text(f"section.{section}", lang), headline)
        if draw is not None:
            waiting.append((slide, name, tables))
        elif charts:
            deck.text_box(slide, [text("note.charts_missing", lang)], top=2.4, height=0.6, size=12)

    deck.title_slide(text("report.title", lang), "\n".join([
        lines["report"], text("report.generated", lang, date=_dt.date.today().isoformat())]))

    slide = deck.slide(text("section.indicators", lang), lines["indicators"])
    deck.table(slide, [text("label.figure", lang), text("column.estimate", lang),
                       f"{text('column.ci_low', lang)} – {text('column.ci_high', lang)}",
                       text("column.n", lang)],
               _indicator_rows(report.indicators.table, lang), widths=[6, 1.6, 2.6, 1.2])

    chart_slide("linkage", lines["linkage"], "linkage_scatter", report.units.table, report.linkage.table)
    chart_slide("exposure_gap", lines["exposure_gap"], "exposure_gap_chart", report.exposure_gap.table)

    if report.moments is not None:
        chart_slide("mirror_matrix", lines["moments"], "mirror_matrix", report.moments.table)
        slide = deck.slide(text("section.moments", lang))
        deck.table(slide, [text("column.moment", lang), text("column.action", lang), text("label.themes", lang)],
                   [[name, action, ", ".join(themes[:3]) + (" …" if len(themes) > 3 else "")
                     if themes else text("note.no_themes", lang)]
                    for name, action, themes in moment_summary(report, lang)],
                   top=1.4, widths=[2.2, 5.5, 4.6], size=12)
        for moment in MOMENTS:
            quotes = _verbatims(report, moment, lang)
            if quotes:
                slide = deck.slide(text("section.verbatims", lang, moment=moment_name(moment, lang)))
                deck.text_box(slide, quotes, top=1.4, height=5.6, size=16)
    if report.moment_effects is not None:
        slide = deck.slide(text("section.moment_effects", lang), lines["moment_effects"])
        effects = report.moment_effects.table
        deck.table(slide, [text("column.moment", lang), text("column.side", lang), text("column.outcome", lang),
                           text("column.moment_effects.estimate", lang), text("column.q_value", lang)],
                   _effect_rows(effects, lang), widths=[2.4, 2, 2.4, 3, 2], size=11)
    if report.drivers is not None:
        drivers = report.drivers.table
        for outcome, sentence in driver_headlines(report, lang).items():
            chart_slide("drivers", sentence, "drivers_chart", drivers.filter(pl.col("outcome") == outcome))
    if report.warnings:
        slide = deck.slide(text("section.warnings", lang))
        deck.text_box(slide, report.warnings[:12], top=1.4, height=5.6, size=12)
    if waiting:
        from miroir.charts import deliverable_pngs

        pngs = deliverable_pngs(report, [(name, tables, {}) for _, name, tables in waiting], lang=lang)
        for (slide, _, _), png in zip(waiting, pngs):
            deck.picture(slide, png)
    deck.save(out)
