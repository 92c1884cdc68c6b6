"""Charts of the mirror analyses, drawn offline with matplotlib.

Every function takes the table an analysis returns (a polars DataFrame, a result object with a
``.table`` attribute, or a pandas DataFrame) and returns a :class:`Chart`: it displays inline in
Jupyter and exports to PNG and SVG without a network.

- :func:`mirror_matrix`: each theme placed by customer polarity against employee voice, in the
  six moment regions (``miroir.moments``).
- :func:`linkage_scatter`: units, mean engagement against share of satisfied customers, one
  colour per study, with fitted OLS lines (``miroir.linkage_units``, ``miroir.linkage``).
- :func:`forest_plot`: per-study estimates with their confidence intervals and the pooled
  estimate as a diamond (``miroir.linkage`` or ``miroir.exposure_gap``).
- :func:`exposure_gap_chart`: mean engagement of customer-facing employees against the others,
  per study, with the gap and its confidence interval (``miroir.exposure_gap``).

Every chart takes ``lang="en" | "fr"``: its labels, legend, notes, moment names and actions come
from the message catalogue (:mod:`miroir.i18n`) and its numbers are formatted for the language
(``0,85`` and ``72 %`` in French). Every chart function also takes ``title`` (default: one that says what
is drawn), ``width`` and ``height`` (inches; a labelled chart's default height grows with its
rows) and ``dpi`` (pixels per inch of the PNG export, :data:`DEFAULT_DPI` by default); it returns
a :class:`Chart`, and raises ``InvalidArgumentError`` when a column it needs is missing (named in
the message) or a size is not positive. Charts are drawn for print: PNG at 200 dpi by default
(:data:`DEFAULT_DPI`; Jupyter shows them at 100 dpi, sharp on high-density screens), colours
from the Okabe-Ito palette (told apart with colour-vision deficiencies; studies beyond eight
change marker shape), legends outside the data, forest plots scaled to their intervals, and the
mirror matrix's theme names placed where they overlap no other text and no marker (measured with
matplotlib's renderer; see :func:`mirror_matrix`).

matplotlib is an optional dependency (``pip install miroir[charts]``); it is imported only when a
chart is drawn, never by ``import miroir``. Figures are built with ``matplotlib.figure.Figure``
(no pyplot state), so drawing works headless, in scripts, in CI and in notebooks alike.

The package holds one module per chart family (:mod:`~miroir.charts.matrix`,
:mod:`~miroir.charts.scatter`, :mod:`~miroir.charts.forest`, :mod:`~miroir.charts.gap`,
:mod:`~miroir.charts.drivers`), the :class:`Chart` itself (:mod:`~miroir.charts.figure`), the
deliverables' cache (:mod:`~miroir.charts.deliverable`) and the shared helpers (``_common``,
``_labels``); every name is importable from ``miroir.charts``.
"""

from miroir.charts._common import DEFAULT_DPI, MOMENT_COLOURS, MOMENTS, OKABE_ITO
from miroir.charts._common import DISPLAY_DPI as DISPLAY_DPI
from miroir.charts._common import MOMENT_AXES as MOMENT_AXES
from miroir.charts.deliverable import deliverable_png, deliverable_pngs
from miroir.charts.drivers import drivers_chart
from miroir.charts.figure import Chart
from miroir.charts.forest import forest_plot
from miroir.charts.gap import exposure_gap_chart
from miroir.charts.matrix import mirror_matrix
from miroir.charts.scatter import RASTER_POINTS as RASTER_POINTS
from miroir.charts.scatter import linkage_scatter
from miroir.results._format import fmt_ci as fmt_ci
from miroir.results._format import fmt_number as fmt_number

__all__ = [
    "DEFAULT_DPI",
    "MOMENTS",
    "MOMENT_COLOURS",
    "OKABE_ITO",
    "Chart",
    "deliverable_png",
    "deliverable_pngs",
    "drivers_chart",
    "exposure_gap_chart",
    "forest_plot",
    "linkage_scatter",
    "mirror_matrix",
]
