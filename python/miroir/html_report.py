"""One self-contained HTML report of a mirror study: tables and charts in a single file.

The document needs no network to open: CSS is inline, charts are inline SVG (text kept as
text), there is no script and no external URL. Every string from the data is escaped.
Charts need matplotlib (``pip install miroir[charts]``); without it the report is written with
the tables only and says so.

>>> import miroir
>>> from miroir.html_report import render_html
>>> study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
>>> page = render_html(miroir.report(study), title="Demo")
>>> page.startswith("<!DOCTYPE html>"), "dead_end" in page, "https://" in page
(True, True, False)
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from miroir.charts import MOMENT_AXES, MOMENT_COLOURS, MOMENTS, fmt_ci, fmt_number

__all__ = ["render_html", "write_html"]

#: The seed's names (French) and actions for the six moments.
MOMENT_TEXT: dict[str, tuple[str, str]] = {
    "win_win": ("Le win win",
                "deploy it: make this interaction the norm"),
    "lucky_break": ("Le coup de chance",
                    "re-sensitise employees: they no longer see what delights customers here"),
    "pain": ("La douleur",
             "relieve employees first: they delight customers at a cost they will stop paying"),
    "wrong_fight": ("Le mauvais combat",
                    "re-sensitise employees: they are proud of what irritates customers"),
    "blindness": ("La cécité",
                  "re-sensitise employees: they do not see a strong customer irritant"),
    "dead_end": ("L'impasse",
                 "relieve employees first: define what they can say, do and offer"),
}

_CSS = """
:root { --ink: #212121; --muted: #616161; --line: #e0e0e0; --band: #f5f5f5; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px 28px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 8px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.meta, p.note, figcaption, .muted { color: var(--muted); }
nav ol { columns: 2; margin: 8px 0 0; padding-left: 20px; }
a { color: #1565c0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 12.5px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top;
  text-align: left; }
th { background: var(--band); position: sticky; top: 0; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.pooled td { font-weight: 600; background: #fafafa; }
tr.suppressed td { color: #9e9e9e; font-style: italic; }
td.fail { color: #c62828; font-weight: 600; }
code { font-size: 12px; background: var(--band); padding: 0 3px; border-radius: 3px; }
figure { margin: 12px 0 18px; }
figure svg { max-width: 100%; height: auto; display: block; }
.matrix { border-collapse: separate; border-spacing: 6px; font-size: 13px; }
.matrix th { background: none; text-align: center; }
.matrix td.moment { border: 0; border-left: 6px solid; padding: 6px 10px; background: var(--band);
  width: 30%; }
.matrix td.moment b { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
details > summary { cursor: pointer; color: #1565c0; margin: 6px 0; }
ul.warnings li { margin: 2px 0; }
"""

# (header, cell) where cell(row) -> (text already escaped, css class)
Cell = Callable[[dict[str, Any]], tuple[str, str]]
Column = tuple[str, Cell]


def render_html(report: object, *, title: str = "miroir report", charts: bool = True) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    report : miroir.Report
        From :func:`miroir.report` (its tables may be DataFrames or result objects with a
        ``.table``).
    title : str
        The page title and heading.
    charts : bool
        Draw the charts (inline SVG; needs matplotlib). Without matplotlib the tables are
        written alone, with a note.

    Returns
    -------
    str
        The HTML text: the study summary, the published figures (every indicator id), the
        exposure gap, the linkage, the six moments (all six named and explained, even
        without a theme), the moment effects, the units (suppressed ones shown as suppressed)
        and the data-quality warnings.
    """
    summary = _table_of(report, "summary")
    indicators = _table_of(report, "indicators")
    linkage = _table_of(report, "linkage")
    units = _table_of(report, "units")
    gap = _table_of(report, "exposure_gap")
    moments = _table_of(report, "moments")
    effects = _table_of(report, "moment_effects")
    drivers = _table_of(report, "drivers")
    warnings = [str(w) for w in (getattr(report, "warnings", None) or [])]

    draw = charts
    chart_note = ""
    if draw:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            draw = False
            chart_note = ("Charts are not included: they need matplotlib "
                          "(<code>pip install miroir[charts]</code>).")
    figures = _Figures(draw)

    import miroir

    parts: list[str] = []
    add = parts.append
    add("<!DOCTYPE html>")
    add('<html lang="en"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f'<meta name="generator" content="miroir {_e(miroir.__version__)}">')
    add(f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>")
    add(f"<header><h1>{_e(title)}</h1>")
    add(f'<p class="meta">{_e(_totals(summary, units, moments))} Computed by miroir '
        f"{_e(miroir.__version__)}; intervals are 95% unless stated otherwise.</p>")
    if chart_note:
        add(f'<p class="note">{chart_note}</p>')
    sections = [("summary", "Studies"), ("indicators", "Published figures, recomputed"),
                ("exposure-gap", "Engagement gap by exposure to customers"),
                ("linkage", "Linkage: engagement and customer satisfaction"),
                ("moments", "The six moments (mirror matrix)"),
                ("moment-effects", "Who mentions each moment"),
                ("drivers", "What drives engagement and satisfaction"), ("units", "Units"),
                ("warnings", "Data-quality warnings")]
    add("<nav><ol>" + "".join(f'<li><a href="#{i}">{_e(t)}</a></li>' for i, t in sections)
        + "</ol></nav></header>")

    def section(anchor: str) -> None:
        add(f'<section id="{anchor}"><h2>{_e(dict(sections)[anchor])}</h2>')

    # studies
    section("summary")
    if summary is not None:
        add(_render(summary, [_col(c.replace("_", " "), c,
                                   pct=c.startswith("share_") or c.endswith("_share"))
                              for c in summary.columns]))
    add("</section>")

    # indicators
    section("indicators")
    if indicators is not None:
        add('<p class="note">Each published figure of the seed article, recomputed from the '
            "raw data with its confidence interval and n.</p>")
        add(_render(indicators, [
            ("id", lambda r: (f"<code>{_e(r.get('id'))}</code>", "")),
            _col("figure", "label"),
            _col("estimate", "estimate"),
            ("CI", lambda r: (_e(fmt_ci(r.get("ci_low"), r.get("ci_high"))), "num")),
            _col("n", "n"),
            _col("published", "published"),
            ("published in CI", _published_inside),
            _col("method", "method"),
            _col("note", "note"),
        ]))
    add("</section>")

    # exposure gap
    section("exposure-gap")
    if gap is not None:
        add('<p class="note">Mean engagement (0-100) of customer-facing employees and of the '
            "others; gap = other - customer-facing (positive: customer-facing staff are less "
            "engaged), Welch CI and p; Hedges' g; on the pooled row, the gap adjusted by OLS "
            "with study fixed effects, cluster-robust by unit.</p>")
        add(figures.draw("exposure_gap_chart", gap))
        add(_render(gap, [
            _col("study", "study"), _col("customer-facing n", "n_facing"),
            _col("other n", "n_other"), _col("mean customer-facing", "mean_facing"),
            _col("mean other", "mean_other"), _col("gap", "gap"),
            ("gap CI", lambda r: (_e(fmt_ci(r.get("ci_low"), r.get("ci_high"))), "num")),
            _col("p", "p_value"), _col("Hedges g", "hedges_g"),
            ("g CI", lambda r: (_e(fmt_ci(r.get("g_ci_low"), r.get("g_ci_high"))), "num")),
            _col("adjusted gap", "adjusted_gap"),
            ("adjusted CI", lambda r: (_e(fmt_ci(r.get("adjusted_ci_low"),
                                                 r.get("adjusted_ci_high"))), "num")),
            ("largest", lambda r: ("up to N points" if r.get("largest") is True else "", "")),
            _col("note", "note"),
        ]))
    add("</section>")

    # linkage
    section("linkage")
    if linkage is not None:
        add('<p class="note">Units aggregated on both sides: correlation of unit mean '
            "engagement with the unit share of satisfied customers, per study and pooled "
            "(random-effects meta-analysis); ICC(1), ICC(2) of engagement by unit; share "
            "satisfied among customers of high-engagement units vs the rest; engagement uplift "
            "of the top units by satisfaction.</p>")
        if units is not None:
            add(figures.draw("linkage_scatter", units, linkage))
        add(figures.draw("forest_plot", linkage))
        add(_render(linkage, [
            _col("study", "study"), _col("units", "n_units"), _col("employees", "n_employees"),
            _col("customers", "n_customers"), _col("r", "estimate"),
            ("r CI", lambda r: (_e(fmt_ci(r.get("ci_low"), r.get("ci_high"))), "num")),
            _col("p", "p_value"), _col("method", "method"), _col("τ²", "tau2"),
            _col("I²", "i2"), _col("ICC(1)", "icc1"), _col("ICC(2)", "icc2"),
            _col("satisfied, high units", "share_satisfied_high", pct=True),
            _col("satisfied, rest", "share_satisfied_rest", pct=True),
            ("difference CI", lambda r: (_e(fmt_ci(r.get("satisfied_diff_ci_low"),
                                                   r.get("satisfied_diff_ci_high"))), "num")),
            _col("uplift", "uplift"),
            ("uplift CI", lambda r: (_e(fmt_ci(r.get("uplift_ci_low"),
                                               r.get("uplift_ci_high"))), "num")),
            _col("note", "note"),
        ]))
    add("</section>")

    # moments
    section("moments")
    add(_moment_legend(moments))
    if moments is None:
        add('<p class="note">No coded mentions in this study: the themes cannot be placed in '
            "the mirror matrix.</p>")
    else:
        add(figures.draw("mirror_matrix", moments))
        ordered = moments.with_columns(
            pl.col("moment").replace_strict(
                {m: i for i, m in enumerate(MOMENTS)}, default=len(MOMENTS),
                return_dtype=pl.Int64).alias("_order")
        ).sort("_order", "theme").drop("_order") if "moment" in moments.columns else moments
        add(_render(ordered, [
            _col("theme", "theme"),
            ("moment", lambda r: (f"<b>{_e(r.get('moment'))}</b>", "")),
            _col("q", "q_value"),
            ("customer mentions", lambda r: _side(r, "customer", "customer_mentions")),
            ("customers positive", lambda r: _side(r, "customer", "customer_positive_share",
                                                   pct=True)),
            _col("customer axis", "customer_axis"),
            ("employees mentioning", lambda r: _side(r, "employee", "employee_share",
                                                     pct=True)),
            ("employees positive", lambda r: _side(r, "employee", "employee_positive_share",
                                                   pct=True)),
            _col("employee axis", "employee_axis"),
            _col("action", "action"),
            _col("note", "note"),
        ]))
    add("</section>")

    # moment effects
    section("moment-effects")
    if effects is None:
        add('<p class="note">No coded mentions: no moment effects.</p>')
    else:
        add('<p class="note">Satisfaction of customers who mention a moment\'s themes against '
            "the other customers, and engagement of employees likewise: difference "
            "(mentioning - other) with Welch CI, Hedges' g, Benjamini-Hochberg q.</p>")
        add(_render(effects, [
            ("moment", lambda r: (f"<b>{_e(r.get('moment'))}</b>", "")),
            _col("side", "side"), _col("outcome", "outcome"), _col("themes", "n_themes"),
            _col("mentioning", "n_mentioning"), _col("other", "n_other"),
            _col("mean mentioning", "mean_mentioning"), _col("mean other", "mean_other"),
            _col("difference", "estimate"),
            ("CI", lambda r: (_e(fmt_ci(r.get("ci_low"), r.get("ci_high"))), "num")),
            _col("Hedges g", "hedges_g"), _col("q", "q_value"), _col("note", "note"),
        ]))
    add("</section>")

    # drivers
    section("drivers")
    if drivers is None:
        add('<p class="note">The employees table has none of the drivers (training, tenure, '
            "information, manager support): no drivers analysis.</p>")
    else:
        add('<p class="note">Engagement explained per employee, and the share of satisfied '
            "customers per unit by the unit means of the drivers, within studies (study fixed "
            "effects): standardised coefficient β* with its cluster-robust CI (units), and each "
            "driver's share of the explained variance (LMG, the average increase in R² over "
            "all orders of entry) with its cluster-bootstrap interval (units resampled within "
            "studies); rank 1 = most important, P(first) = share of resamples where it ranks "
            "first.</p>")
        for outcome in drivers["outcome"].unique(maintain_order=True).to_list():
            add(figures.draw("drivers_chart", drivers.filter(pl.col("outcome") == outcome)))
        add(_render(drivers, [
            _col("outcome", "outcome"), _col("level", "level"),
            ("driver", lambda r: (_e(r.get("label") or r.get("driver")), "")),
            _col("seed", "seed"), _col("n", "n"), _col("units", "n_units"), _col("R²", "r2"),
            _col("per unit of driver", "estimate"), _col("β*", "beta_std"),
            ("β* CI", lambda r: (_e(fmt_ci(r.get("ci_low"), r.get("ci_high"))), "num")),
            _col("p", "p_value"), _col("share", "share", pct=True),
            ("share CI", lambda r: (_e(fmt_ci(
                None if r.get("share_ci_low") is None else 100 * r["share_ci_low"],
                None if r.get("share_ci_high") is None else 100 * r["share_ci_high"], 0)), "num")),
            _col("rank", "rank"), _col("P(first)", "p_first", pct=True), _col("note", "note"),
        ]))
    add("</section>")

    # units
    section("units")
    if units is not None:
        n_sup = _count_true(units, "suppressed")
        add(f'<p class="note">{units.height} units; {n_sup} suppressed (fewer respondents '
            "than the confidentiality threshold on a side, or complementary suppression so "
            "that totals cannot give a small unit back): their statistics are not shown and "
            "they stay out of the linkage.</p>")
        add("<details><summary>Show the unit table</summary>")
        add(_render(units, [
            _col("study", "study"), _col("unit", "unit"),
            _col("employees", "n_employees"), _col("mean engagement", "mean_engagement"),
            _col("customers", "n_customers"),
            _col("share satisfied", "share_satisfied", pct=True),
            _col("mean satisfaction", "mean_satisfaction"),
            ("status", lambda r: (_e("suppressed: " + str(r.get("suppression") or ""))
                                  if r.get("suppressed") is True else "", "")),
        ]))
        add("</details>")
    add("</section>")

    # warnings
    section("warnings")
    if warnings:
        add('<ul class="warnings">' + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul>")
    else:
        add('<p class="note">No data-quality warnings.</p>')
    add("</section>")
    add('<footer><p class="muted">Self-contained report: no script, no external resource. '
        f"Generated by miroir {_e(miroir.__version__)}.</p></footer>")
    add("</body></html>")
    return "\n".join(parts) + "\n"


def write_html(
    report: object,
    path: str | os.PathLike[str],
    *,
    title: str = "miroir report",
    charts: bool = True,
) -> Path:
    """Write :func:`render_html` of ``report`` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(render_html(report, title=title, charts=charts), encoding="utf-8")
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


def _totals(summary: pl.DataFrame | None, units: pl.DataFrame | None,
            moments: pl.DataFrame | None) -> str:
    if summary is None:
        return ""
    bits = [f"{summary.height} stud{'y' if summary.height == 1 else 'ies'}"]
    for col, word in (("units", "units"), ("employees", "employees"),
                      ("customers", "customers"), ("mentions", "mentions")):
        if col in summary.columns:
            bits.append(f"{fmt_number(int(summary[col].sum()))} {word}")
    if moments is not None:
        bits.append(f"{moments.height} themes")
    return ", ".join(bits) + "."


def _fmt(value: object, pct: bool = False) -> str:
    if pct and isinstance(value, float) and math.isfinite(value):
        return f"{value * 100:.1f}%"
    return fmt_number(value)


def _col(header: str, name: str, *, pct: bool = False) -> Column:
    def cell(row: dict[str, Any]) -> tuple[str, str]:
        value = row.get(name)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        return _e(_fmt(value, pct)), "num" if numeric else ""

    return header, cell


def _side(row: dict[str, Any], side: str, name: str, *, pct: bool = False) -> tuple[str, str]:
    if row.get(f"{side}_suppressed") is True:
        return "suppressed", "muted"
    value = row.get(name)
    return _e(_fmt(value, pct)), "num"


def _published_inside(row: dict[str, Any]) -> tuple[str, str]:
    pub, lo, hi = row.get("published"), row.get("ci_low"), row.get("ci_high")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (pub, lo, hi)):
        return "–", ""
    inside = lo <= pub <= hi  # type: ignore[operator]
    return ("yes", "") if inside else ("no", "fail")


def _count_true(df: pl.DataFrame, name: str) -> int:
    if name not in df.columns:
        return 0
    return int(df[name].fill_null(False).sum())


def _render(df: pl.DataFrame, columns: Sequence[Column]) -> str:
    """An HTML table. In a suppressed row (``suppressed`` true) the hidden statistics read
    "suppressed" rather than a blank."""
    out = ['<div class="scroll"><table><thead><tr>']
    out.extend(f"<th>{_e(h)}</th>" for h, _ in columns)
    out.append("</tr></thead><tbody>")
    for row in df.iter_rows(named=True):
        hidden = row.get("suppressed") is True
        classes = [c for c, on in (("pooled", row.get("level") == "pooled"),
                                   ("suppressed", hidden)) if on]
        out.append(f'<tr class="{" ".join(classes)}">' if classes else "<tr>")
        for _, cell in columns:
            text, css = cell(row)
            if hidden and text == "–":
                text, css = "suppressed", ""
            out.append(f'<td class="{css}">{text}</td>' if css else f"<td>{text}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def _moment_legend(moments: pl.DataFrame | None) -> str:
    counts: dict[str, int] = {}
    if moments is not None and "moment" in moments.columns:
        for m in moments["moment"].to_list():
            counts[str(m)] = counts.get(str(m), 0) + 1
    cells: dict[tuple[str, str], str] = {}
    for m in MOMENTS:
        french, action = MOMENT_TEXT[m]
        n = counts.get(m, 0)
        cells[MOMENT_AXES[m]] = (
            f'<td class="moment" style="border-left-color:{MOMENT_COLOURS[m]}"><b>{_e(m)}</b>'
            f' <span class="muted">({_e(french)})</span><br>{_e(action)}<br>'
            f'<span class="muted">{n} theme{"" if n == 1 else "s"}</span></td>')
    rows = ['<div class="scroll"><table class="matrix"><thead><tr><th></th>'
            "<th>employees proud</th><th>employees silent</th><th>employees frustrated</th>"
            "</tr></thead><tbody>"]
    for customers in ("enchanted", "irritated"):
        rows.append(f"<tr><th>customers {customers}</th>")
        rows.extend(cells[(customers, e)] for e in ("proud", "silent", "frustrated"))
        rows.append("</tr>")
    rows.append("</tbody></table></div>")
    other = {k: v for k, v in counts.items() if k not in MOMENTS}
    if other:
        rows.append('<p class="note">Not classified: ' + ", ".join(
            f"{v} {_e(k.replace('_', ' '))}" for k, v in sorted(other.items()))
            + " (a theme that fails a test at alpha is undetermined, never forced into a "
            "cell; themes under the minimum number of mentions are listed, not classified)."
            "</p>")
    return "".join(rows)


class _Figures:
    """Draws charts as inline SVG, each with its own id prefix (ids stay unique in the page)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0

    def draw(self, name: str, *tables: pl.DataFrame) -> str:
        if not self.enabled:
            return ""
        from miroir import charts

        chart = getattr(charts, name)(*tables)
        self.count += 1
        svg = _inline_svg(chart.to_svg(), f"c{self.count}-")
        caption = _e(chart.figure.axes[0].get_title("left")) if chart.figure.axes else ""
        return f'<figure>{svg}<figcaption>{caption}</figcaption></figure>'


_ID = re.compile(r'\bid="([^"]+)"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def _inline_svg(svg: str, prefix: str) -> str:
    """An SVG document as an element for HTML: no XML prolog, DOCTYPE, namespace declarations
    or metadata; ids prefixed so that several charts can share a page."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    # namespace declarations and RDF metadata are for standalone files; the HTML parser puts
    # <svg> in its namespace (and knows xlink:href) by itself
    body = _METADATA.sub("", body)
    body = _XMLNS.sub("", body)
    ids = set(_ID.findall(body))
    body = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = _REF.sub(lambda m: m.group(1) + (prefix + m.group(2) if m.group(2) in ids
                                            else m.group(2)), body)
    return body.strip()
