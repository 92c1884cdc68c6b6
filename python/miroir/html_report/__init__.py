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

import os
from collections.abc import Mapping
from pathlib import Path

from miroir import _core
from miroir.html_report._base import _published_values, _table_of
from miroir.html_report.notes import translate_note
from miroir.html_report.page import _Page
from miroir.i18n import text
from miroir.results._format import check_lang
from miroir._frames import invalid_argument

__all__ = ["VERBATIMS_PER_MOMENT", "render_html", "translate_note", "write_html"]

#: Verbatim examples shown per moment (customers' and employees' in turn).
VERBATIMS_PER_MOMENT = 6


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
        raise invalid_argument(
            "verbatims", f"must be a whole number >= 0, got {verbatims!r}")
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
