"""The display model of the result objects: the columns a result shows, its formatted cells,
and their rendering as text (``repr``) and as self-contained HTML (``_repr_html_``)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from miroir.results._format import Row


TEXT_MARK = "*"
HTML_MARK = "★"


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


def _key_render(key: str, fmt: Callable[[Any], str]) -> Callable[[Row], str]:
    def render(row: Row) -> str:
        return fmt(row.get(key))

    return render


def _study_label(row: Row) -> str:
    return "pooled" if row.get("level") == "pooled" else str(row.get("study"))


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
        out.extend(_html_list("ol", "miroir-notes", display.notes))
    out.append("</div>")
    return "\n".join(out)


def _html_list(tag: str, css: str, items: Iterable[str]) -> list[str]:
    """The lines of an HTML list (``ol`` or ``ul``) of ``items``, escaped."""
    return [f'<{tag} class="{css}">', *(f"<li>{html.escape(item)}</li>" for item in items), f"</{tag}>"]
