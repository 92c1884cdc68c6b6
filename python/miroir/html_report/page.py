"""The page of the HTML report: the document (header, contents, sections, footer) and its first
page (headlines, key figures, the six moments), then the moments in detail with their
verbatims."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from miroir.charts import MOMENT_AXES as _AXES
from miroir.charts import MOMENT_COLOURS as _COLOURS
from miroir.html_report._css import _CSS
from miroir.html_report.notes import _e
from miroir.html_report.sections import _Sections
from miroir.i18n import header, moment_action, moment_name, text, value_label
from miroir.results._format import MISSING, check_lang, format_ci, format_number, format_p, format_percent
from miroir.results import MOMENT_ORDER as MOMENTS


class _Page(_Sections):
    """The whole document of :func:`miroir.html_report.render_html`."""

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
