"""The style sheet of the HTML report (inline in the page: no external file)."""

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
