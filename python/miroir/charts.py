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
(``0,85`` and ``72 %`` in French). Charts are drawn for print: PNG at 200 dpi by default
(:data:`DEFAULT_DPI`; Jupyter shows them at 100 dpi, sharp on high-density screens), colours
from the Okabe-Ito palette (told apart with colour-vision deficiencies; studies beyond eight
change marker shape), legends outside the data, forest plots scaled to their intervals, and the
mirror matrix's theme names placed where they overlap no other text and no marker (measured with
matplotlib's renderer; see :func:`mirror_matrix`).

matplotlib is an optional dependency (``pip install miroir[charts]``); it is imported only when a
chart is drawn, never by ``import miroir``. Figures are built with ``matplotlib.figure.Figure``
(no pyplot state), so drawing works headless, in scripts, in CI and in notebooks alike.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from miroir import _core
from miroir.i18n import check_lang, format_ci, format_number, format_percent, moment_action, moment_name, text
from miroir.results import MOMENT_ORDER

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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

#: The six moments of the mirror matrix, in the order of the matrix (customers enchanted, then
#: customers irritated; employees proud, silent, frustrated).
MOMENTS: tuple[str, ...] = MOMENT_ORDER

#: The Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"): eight colours told apart
#: with every common colour-vision deficiency. Charts use it for moments, studies and sides.
OKABE_ITO: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
)

#: One Okabe-Ito colour per moment (colour-blind safe; tests/python/test_charts_quality.py
#: checks they stay apart under simulated protanopia, deuteranopia and tritanopia).
MOMENT_COLOURS: dict[str, str] = {
    "win_win": "#009e73",
    "lucky_break": "#56b4e9",
    "pain": "#e69f00",
    "wrong_fight": "#cc79a7",
    "blindness": "#0072b2",
    "dead_end": "#d55e00",
}
_GREY = "#8c8c8c"
_BLUE, _VERMILLION = "#0072b2", "#d55e00"

#: Resolution (pixels per inch) of the PNG a chart exports by default: print quality.
DEFAULT_DPI = 200.0
#: Resolution a chart's size is announced at when displayed in Jupyter: the PNG keeps the
#: chart's own dpi (sharp on high-density screens) but shows at this density.
DISPLAY_DPI = 100.0

#: Where each moment sits: (customers, employees).
MOMENT_AXES: dict[str, tuple[str, str]] = {
    key: (customer, employee) for key, customer, employee, _ in _core.moment_taxonomy()
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORMATS = ("png", "svg", "pdf")

# y-coordinates of the mirror matrix: employee positive share in [0, 1], silent band below.
_BAND_LOW, _BAND_HIGH = -0.34, -0.08


def _fingerprint(table: pl.DataFrame) -> object:
    """What tells two tables apart for the chart cache: shape, columns and a hash of the rows
    (the same report's table, asked for twice, is a new frame with the same rows)."""
    try:
        rows = int(table.hash_rows(seed=0).sum()) if table.height else 0
    except Exception:  # noqa: BLE001 - a dtype polars cannot hash: the object itself
        return id(table)
    return (table.shape, tuple(table.columns), tuple(map(str, table.dtypes)), rows)


def _cache_key(name: str, lang: str, options: Mapping[str, Any], tables: Sequence[pl.DataFrame]) -> object:
    return (name, lang, tuple(sorted(options.items())), tuple(_fingerprint(t) for t in tables))


def _deliverable_chart(name: str, tables: Sequence[pl.DataFrame], lang: str,
                       options: Mapping[str, Any]) -> Chart:
    function = globals()[name]
    chart: Chart = function(*tables, title="", dpi=DEFAULT_DPI, lang=lang, **options)
    return chart


def deliverable_png(report: object, name: str, *tables: pl.DataFrame, lang: str, **options: Any) -> bytes:
    """PNG bytes of chart ``name`` of this module as the deliverables show it (no title of its
    own, the caption or slide title has it; :data:`DEFAULT_DPI`), drawn once per report,
    language, tables and options, then reused: the HTML page and the PowerPoint deck of one
    report show the same charts, and drawing them is most of the time either takes.

    Examples
    --------
    >>> import miroir
    >>> from miroir.charts import deliverable_png
    >>> report = miroir.report(miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1),
    ...                        n_resamples=0)
    >>> png = deliverable_png(report, "exposure_gap_chart", report.exposure_gap.table, lang="fr")
    >>> again = deliverable_png(report, "exposure_gap_chart", report.tables()["exposure_gap"], lang="fr")
    >>> png[1:4] == b"PNG", again is png
    (True, True)
    """
    cache: dict[object, bytes] = report.__dict__.setdefault("_deliverable_png", {})
    key = _cache_key(name, lang, options, tables)
    png = cache.get(key)
    if png is None:
        png = _deliverable_chart(name, tables, lang, options).to_png(dpi=DEFAULT_DPI)
        cache[key] = png
    return png


def deliverable_pngs(report: object, charts: Sequence[tuple[str, Sequence[pl.DataFrame], Mapping[str, Any]]],
                     *, lang: str) -> list[bytes]:
    """PNG bytes of several charts ``(name, tables, options)``, each as :func:`deliverable_png`
    gives it (and kept for it): those not drawn yet for this report are drawn one after the
    other, each compressed to PNG in a second thread while the next one is drawn (zlib runs
    without Python's lock, drawing needs it).

    Examples
    --------
    >>> import miroir
    >>> from miroir.charts import deliverable_png, deliverable_pngs
    >>> report = miroir.report(miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1),
    ...                        n_resamples=0)
    >>> gap, forest = deliverable_pngs(report, [("exposure_gap_chart", [report.exposure_gap.table], {}),
    ...                                         ("forest_plot", [report.linkage.table], {})], lang="fr")
    >>> gap[1:4], gap is deliverable_png(report, "exposure_gap_chart", report.exposure_gap.table, lang="fr")
    (b'PNG', True)
    """
    cache: dict[object, bytes] = report.__dict__.setdefault("_deliverable_png", {})
    keys = [_cache_key(name, lang, options, tables) for name, tables, options in charts]
    todo: dict[object, tuple[str, Sequence[pl.DataFrame], Mapping[str, Any]]] = {}
    for key, chart in zip(keys, charts):
        if key not in cache:
            todo.setdefault(key, chart)
    if len(todo) > 1:
        from concurrent.futures import Future, ThreadPoolExecutor

        futures: dict[object, Future[bytes]] = {}
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="miroir-png") as pool:
            for key, (name, tables, options) in todo.items():
                job = _deliverable_chart(name, tables, lang, options)._png_job(DEFAULT_DPI)
                futures[key] = pool.submit(job)
        for key, future in futures.items():
            cache[key] = future.result()
    else:
        for key, (name, tables, options) in todo.items():
            cache[key] = _deliverable_chart(name, tables, lang, options).to_png(dpi=DEFAULT_DPI)
    return [cache[key] for key in keys]


class Chart:
    """A drawn chart: a matplotlib ``Figure`` with PNG and SVG export.

    Displays inline in Jupyter (as PNG, at the requested size); ``to_png``, ``to_svg`` and
    ``save`` export without a display or a network. SVG text stays text (searchable, and
    smaller), and carries no creator URL or date.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure, for further changes with the matplotlib API.
    dpi : float
        Resolution of the PNG export (pixels per inch; :data:`DEFAULT_DPI`, 200, by default:
        ``save("chart.png")`` is fit for print).
    """

    def __init__(self, figure: Figure, *, dpi: float = DEFAULT_DPI) -> None:
        self.figure = figure
        self.dpi = float(dpi)

    @property
    def size(self) -> tuple[int, int]:
        """Size of the PNG export in pixels, ``(width, height)``."""
        w, h = self.figure.get_size_inches()
        return int(round(w * self.dpi)), int(round(h * self.dpi))

    def to_png(self, *, dpi: float | None = None) -> bytes:
        """The chart as PNG bytes (``dpi`` defaults to the chart's)."""
        return self._png_job(self.dpi if dpi is None else dpi)()

    def _png_job(self, dpi: float) -> Callable[[], bytes]:
        """Draw the chart at ``dpi`` now; returns what turns the drawing into PNG bytes (the
        compression needs no Python lock: it may run in another thread, see
        :func:`deliverable_pngs`).

        The figure is laid out once and drawn once (``savefig`` on a figure with a layout
        engine draws it twice, the first time to lay it out); an opaque chart is written as
        RGB (the same pixels as RGBA, a quarter less to compress), at zlib level 3 (as small
        as matplotlib's level 6 on RGBA, in a third of the time)."""
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        dpi = float(dpi)
        fig = self.figure
        canvas = fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)  # the layout is measured on the canvas savefig draws on
        engine = fig.get_layout_engine()
        before = fig.dpi
        buf = io.BytesIO()
        try:
            # no layout engine while drawing: None, not the one rcParams would give a figure
            with matplotlib.rc_context({"figure.autolayout": False,
                                        "figure.constrained_layout.use": False}):
                fig.dpi = dpi
                if engine is not None and fig.axes:
                    # what savefig's first, not rendered, draw is for: the layout at this dpi
                    try:
                        engine.execute(fig)
                    except ValueError:  # as Figure.draw: a layout that cannot be made is skipped
                        pass
                    fig.set_layout_engine(None)
                width, height = int(fig.bbox.width), int(fig.bbox.height)
                fig.savefig(buf, format="rgba", dpi=dpi)
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)
            fig.dpi = before
            if fig.canvas is not canvas:
                fig.set_canvas(canvas)
        raw = buf.getvalue()
        if len(raw) != 4 * width * height:  # not the canvas expected: matplotlib's own PNG
            out = io.BytesIO()
            fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
            png = out.getvalue()
            return lambda: png
        return partial(_png_bytes, raw, width, height, dpi)

    def to_svg(self) -> str:
        """The chart as an SVG document (text kept as text)."""
        buf = io.BytesIO()
        with _svg_settings():
            self.figure.savefig(buf, format="svg", metadata={"Creator": None, "Date": None})
        return buf.getvalue().decode("utf-8")

    def save(
        self, path: str | os.PathLike[str], format: str | None = None, *, dpi: float | None = None
    ) -> Path:
        """Write the chart to ``path``; the format is ``format`` or the file's suffix
        (``png``, ``svg`` or ``pdf``). Returns the path written."""
        out = Path(path)
        fmt = (format or out.suffix.lstrip(".")).lower()
        if fmt not in _FORMATS:
            raise _core.InvalidArgumentError(
                f"invalid argument 'format': {fmt or 'none'!r} is not one of png, svg, pdf "
                "(give format= or a file name ending in .png, .svg or .pdf)"
            )
        if fmt == "png":
            out.write_bytes(self.to_png(dpi=dpi))
        elif fmt == "svg":
            out.write_text(self.to_svg(), encoding="utf-8")
        else:
            self.figure.savefig(out, format="pdf", metadata={"Creator": None, "Producer": None})
        return out

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # PNG only (not also SVG): one rendering per display, at the chart's dpi, shown at
        # DISPLAY_DPI at most (a 200-dpi chart is sharp on a high-density screen, not huge)
        w, h = self.figure.get_size_inches()
        shown = min(self.dpi, DISPLAY_DPI)
        return {"image/png": self.to_png()}, {"image/png": {"width": int(round(w * shown)),
                                                            "height": int(round(h * shown))}}

    def __repr__(self) -> str:
        w, h = self.size
        axes = self.figure.axes
        title = (axes[0].get_title("left") or axes[0].get_title()) if axes else ""
        return f"<miroir.charts.Chart {w}x{h} px: {title!r}>"


def _png_bytes(raw: bytes, width: int, height: int, dpi: float) -> bytes:
    """PNG of an RGBA canvas (RGB when it is opaque), its resolution recorded, no text chunk."""
    from PIL import Image

    image = Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1)
    if image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", dpi=(dpi, dpi), compress_level=3)
    return out.getvalue()


@contextmanager
def _svg_settings() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "miroir"}):
        yield


# ---------------------------------------------------------------------------------------------
# input handling


def _frame(obj: object, name: str) -> pl.DataFrame:
    """A polars DataFrame from a DataFrame, a result object's ``.table`` or a pandas frame."""
    if isinstance(obj, pl.DataFrame):
        return obj
    module = type(obj).__module__ or ""
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(obj, pd.DataFrame):
            return pl.from_pandas(obj)
    table = getattr(obj, "table", None)
    if table is not None and table is not obj:
        return _frame(table, name)
    raise _core.InvalidArgumentError(
        f"invalid argument '{name}': expected a table (polars or pandas DataFrame, or an "
        f"analysis result with a .table), got {type(obj).__name__}"
    )


def _require(df: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        listed = ", ".join(f"'{c}'" for c in missing)
        raise _core.InvalidArgumentError(
            f"invalid argument '{name}': the table has no column {listed} "
            f"(needs {', '.join(columns)}; it has {', '.join(df.columns) or 'no columns'})"
        )


def _check_size(width: float, height: float | None, dpi: float) -> None:
    for arg, value in (("width", width), ("height", height), ("dpi", dpi)):
        if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value)
                                      and value > 0):
            raise _core.InvalidArgumentError(
                f"invalid argument '{arg}': must be a positive number, got {value!r}"
            )


def _float(value: object) -> float | None:
    """A finite float, or None for null, NaN and non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    return None


def _new_figure(width: float, height: float, dpi: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi, layout="constrained")


def fmt_number(value: object, digits: int | None = None) -> str:
    """A number for display: ``–`` for null, ``NaN`` for not-a-number, otherwise ``digits``
    decimals (default: 3 below 10 in absolute value, 2 below 100, else 1)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if digits is None:
            a = abs(value)
            if a != 0 and a < 1e-3:
                return f"{value:.2e}"
            digits = 3 if a < 10 else 2 if a < 100 else 1
        return f"{value:.{digits}f}"
    return str(value)


def fmt_ci(low: object, high: object, digits: int | None = None) -> str:
    """A confidence interval as ``[low, high]`` (``–`` when both bounds are missing)."""
    if _float(low) is None and _float(high) is None:
        return "–"
    return f"[{fmt_number(low, digits)}, {fmt_number(high, digits)}]"


def _study_colours(n: int) -> list[tuple[str, str]]:
    """(colour, marker) per study: the Okabe-Ito colours (black last), then the same colours
    again with another marker shape, so that studies stay apart without relying on hue."""
    markers = ("o", "s", "^", "D", "v", "P", "X")
    return [(OKABE_ITO[i % len(OKABE_ITO)], markers[(i // len(OKABE_ITO)) % len(markers)])
            for i in range(n)]


def _lang_and_size(lang: object, width: float, height: float | None, dpi: float) -> str:
    """Check ``lang`` then the sizes, once, before any drawing."""
    checked = check_lang(lang)
    _check_size(width, height, dpi)
    return checked


def _num(value: object, lang: str, digits: int | None = None) -> str:
    """A number in a chart: the report's formatting (``—`` when missing)."""
    return format_number(value, lang, digits)


def _ticks(axis: Any, lang: str, *, percent: bool = False) -> None:
    """Tick labels of ``axis`` in ``lang`` (decimal comma in French), with as many decimals as
    the spacing of the ticks needs (0.70, 0.75 rather than 0.700, 0.750)."""
    from matplotlib.ticker import Formatter

    def decimals(locs: Sequence[float]) -> int:
        locs = [float(v) for v in locs]
        step = min((abs(b - a) for a, b in zip(locs, locs[1:]) if b != a), default=1.0)
        if percent:
            step *= 100
        for d in range(7):
            if abs(round(step * 10**d) - step * 10**d) < 1e-6 * max(1.0, step * 10**d):
                return d
        return 6

    def label(value: float, digits: int) -> str:
        if percent:
            return format_percent(value, lang, digits)
        return format_number(value, lang, digits)

    class _Labels(Formatter):
        # matplotlib labels the ticks through format_ticks, with the axis' major tick
        # locations: the decimals are worked out once for them, not once per label
        def __call__(self, value: float, pos: object = None) -> str:
            return label(value, decimals(axis.get_majorticklocs()))

        def format_ticks(self, values: list[float]) -> list[str]:
            self.set_locs(values)
            digits = decimals(values)
            return [label(value, digits) for value in values]

    axis.set_major_formatter(_Labels())


# ---------------------------------------------------------------------------------------------
# mirror matrix


def mirror_matrix(
    moments: object,
    *,
    study: str | None = None,
    silence_rate: float = 0.02,
    show_undetermined: bool = True,
    label_themes: bool = True,
    title: str | None = None,
    width: float = 11.0,
    height: float = 7.5,
    dpi: float = DEFAULT_DPI,
    lang: str = "en",
) -> Chart:
    """The mirror matrix: each theme placed by customer polarity against employee voice.

    x is the customers' positive share among the theme's customer mentions (enchantment on the
    right, irritation on the left); y is the employees' positive share among their mentions
    (proud at the top, frustrated below 50%). Themes whose employees are ``silent`` sit in a
    band at the bottom, ordered by the share of employees who mention them (relative to
    ``silence_rate``). The six moment regions are shaded and labelled with the seed's action;
    markers are coloured by moment (grey: undetermined or too few mentions) and their area
    grows with the number of mentions (customers + employees). A theme is coloured by its
    classification (a significance test), so a grey marker can sit inside a region.

    Each theme's name is placed next to its marker where it overlaps no other name, no region
    label and no marker (tried around the marker at growing distances, joined to it by a thin
    line when away from it); a name that finds no room is left out and counted in the footnote
    (the table of the moments lists every theme).

    Parameters
    ----------
    moments : DataFrame or result
        The table of :func:`miroir.moments`; needs ``theme, moment,
        customer_positive_share, employee_positive_share, employee_axis`` (and uses
        ``customer_mentions, employee_mentions, employee_share`` when present).
    study : str, optional
        With a table from ``moments(by="study")``, draw this study only (otherwise each label
        carries its study).
    silence_rate : float
        The ``silence_rate`` used by the analysis; places silent themes in their band.
    show_undetermined : bool
        Draw the themes that are undetermined or have too few mentions (in grey).
    label_themes : bool
        Write each theme's name next to its marker.
    title : str, optional
        Title of the chart (a default says what is drawn).
    width, height : float
        Size in inches.
    dpi : float
        Pixels per inch of the PNG export (200 by default).
    lang : {"en", "fr"}
        Language of the moment names, actions, axes, legend and notes.

    Returns
    -------
    Chart
        Themes with no customer share, or a suppressed employee side that is not silent, are
        not drawn; a footnote counts them.

    Raises
    ------
    InvalidArgumentError
        A required column is missing (named in the message), or a size is not positive.

    Examples
    --------
    >>> import miroir, miroir.charts
    >>> study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    >>> chart = miroir.charts.mirror_matrix(miroir.moments(study), width=8, height=6, dpi=50)
    >>> chart.to_png()[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
    True
    >>> chart.size
    (400, 300)
    """
    df = _frame(moments, "moments")
    _require(df, "moments", ["theme", "moment", "customer_positive_share",
                             "employee_positive_share", "employee_axis"])
    lang = _lang_and_size(lang, width, height, dpi)
    if not (isinstance(silence_rate, (int, float)) and 0 < silence_rate <= 1):
        raise _core.InvalidArgumentError(
            f"invalid argument 'silence_rate': must be in (0, 1], got {silence_rate!r}"
        )
    multi_study = False
    if "study" in df.columns:
        if study is not None:
            df = df.filter(pl.col("study") == study)
            if df.height == 0:
                raise _core.InvalidArgumentError(
                    f"invalid argument 'study': no theme of study {study!r} in the table"
                )
        else:
            multi_study = df["study"].n_unique() > 1

    from matplotlib.patches import Rectangle
    from matplotlib.ticker import FixedLocator

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()

    # regions
    regions = {
        "win_win": (0.5, 0.5, 0.5, 0.5), "pain": (0.5, 0.0, 0.5, 0.5),
        "lucky_break": (0.5, _BAND_LOW, 0.5, _BAND_HIGH - _BAND_LOW),
        "wrong_fight": (0.0, 0.5, 0.5, 0.5), "dead_end": (0.0, 0.0, 0.5, 0.5),
        "blindness": (0.0, _BAND_LOW, 0.5, _BAND_HIGH - _BAND_LOW),
    }
    region_labels = []
    for moment, (x0, y0, w, h) in regions.items():
        ax.add_patch(Rectangle((x0, y0), w, h, facecolor=MOMENT_COLOURS[moment], alpha=0.08,
                               edgecolor="none", zorder=0))
        right = x0 >= 0.5
        region_labels.append(ax.text(
            x0 + w - 0.01 if right else x0 + 0.01, y0 + h - 0.012,
            f"{moment_name(moment, lang)}\n{moment_action(moment, lang, short=True)}",
            ha="right" if right else "left", va="top", fontsize=8.5,
            color=_darker(MOMENT_COLOURS[moment]), fontweight="bold", zorder=1,
            linespacing=1.15))
    ax.axvline(0.5, color="#616161", lw=0.8, zorder=1)
    ax.axhline(0.5, xmin=0, xmax=1, color="#616161", lw=0.8, zorder=1)
    ax.axhline(0.0, color="#bdbdbd", lw=0.6, ls=":", zorder=1)
    ax.axhspan(_BAND_HIGH, 0.0, color="white", zorder=0.5)

    # points
    rows = df.to_dicts()
    groups: dict[str, list[tuple[float, float, float, str]]] = {}
    not_drawn = 0
    max_mentions = 1.0
    for row in rows:
        total = (_float(row.get("customer_mentions")) or 0.0) + (
            _float(row.get("employee_mentions")) or 0.0)
        max_mentions = max(max_mentions, total)
    for row in rows:
        moment = str(row["moment"])
        if moment not in MOMENTS and not show_undetermined:
            continue
        x = _float(row["customer_positive_share"])
        y: float | None
        if row["employee_axis"] == "silent":
            share = _float(row.get("employee_share"))
            frac = 0.0 if share is None else min(max(share / silence_rate, 0.0), 1.0)
            y = _BAND_LOW + 0.03 + frac * (_BAND_HIGH - _BAND_LOW - 0.10)
        else:
            y = _float(row["employee_positive_share"])
        if x is None or y is None:
            not_drawn += 1
            continue
        total = (_float(row.get("customer_mentions")) or 0.0) + (
            _float(row.get("employee_mentions")) or 0.0)
        size = 30.0 + 470.0 * total / max_mentions
        name = str(row["theme"])
        if multi_study:
            name = f"{name} ({row['study']})"
        key = moment if moment in MOMENTS else (
            "too_few_mentions" if moment == "too_few_mentions" else "undetermined")
        groups.setdefault(key, []).append((x, y, size, name))

    counts = {k: len(v) for k, v in groups.items()}
    for key in [*MOMENTS, "undetermined", "too_few_mentions"]:
        pts = groups.get(key)
        label = f"{moment_name(key, lang)} ({counts.get(key, 0)})"
        if not pts:
            # keep every moment in the legend, even without a theme
            if key in MOMENTS:
                ax.scatter([], [], s=60, color=MOMENT_COLOURS[key], label=label, gid=key)
            continue
        xs, ys, ss, _ = zip(*pts)
        if key in MOMENTS:
            ax.scatter(xs, ys, s=ss, color=MOMENT_COLOURS[key], alpha=0.9,
                       edgecolors="white", linewidths=0.8, zorder=3, label=label, gid=key)
        else:
            ax.scatter(xs, ys, s=ss, facecolors="none", edgecolors=_GREY, linewidths=1.2,
                       linestyle="--" if key == "too_few_mentions" else "-", zorder=2,
                       label=label, gid=key)

    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(_BAND_LOW - 0.02, 1.04)
    ax.xaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    ax.set_xticklabels([format_percent(v, lang, 0) for v in (0, 0.25, 0.5, 0.75, 1.0)])
    band_mid = (_BAND_LOW + _BAND_HIGH) / 2
    ax.yaxis.set_major_locator(FixedLocator([band_mid, 0, 0.25, 0.5, 0.75, 1.0]))
    ax.set_yticklabels([text("value.axis.silent", lang)]
                       + [format_percent(v, lang, 0) for v in (0, 0.25, 0.5, 0.75, 1.0)])
    ax.set_xlabel(text("chart.matrix.xlabel", lang))
    ax.set_ylabel(text("chart.matrix.ylabel", lang))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    n_drawn = sum(counts.values())
    where = f" - {study}" if study is not None else ""
    ax.set_title(title if title is not None else
                 text("chart.matrix.title", lang, where=where, n=n_drawn),
                 loc="left", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title=text("chart.matrix.legend_title", lang), title_fontsize=8, markerscale=0.7)
    foot = [text("chart.matrix.foot_silent", lang, rate=format_percent(silence_rate, lang, 0))]
    if not_drawn:
        foot.append(text("chart.matrix.foot_not_drawn", lang, n=not_drawn))
    note = ax.text(1.01, 0.0, "\n".join(foot), transform=ax.transAxes, fontsize=7,
                   color="#616161", va="bottom", ha="left", wrap=True)
    if label_themes:
        unlabelled = _place_labels(fig, ax, [p for pts in groups.values() for p in pts],
                                   region_labels)
        if unlabelled:
            foot.append(text("chart.matrix.foot_unlabelled", lang, n=unlabelled))
            note.set_text("\n".join(foot))
    return Chart(fig, dpi=dpi)


def _darker(colour: str, factor: float = 0.7) -> tuple[float, float, float]:
    """``colour`` darkened (text on a light tint of the same hue stays readable)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return r * factor, g * factor, b * factor


def _leader(cx: float, cy: float, radius: float,
            label: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The segment a leader line covers: from the marker's edge towards the label's centre,
    stopping at the label's box."""
    lx, ly = (label[0] + label[2]) / 2, (label[1] + label[3]) / 2
    dx, dy = lx - cx, ly - cy
    length = math.hypot(dx, dy) or 1.0
    # where the segment leaves the label box (clipped to its edge)
    half_w, half_h = (label[2] - label[0]) / 2, (label[3] - label[1]) / 2
    t_box = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    end = max(0.0, 1.0 - min(t_box, 1.0))
    return (cx + dx * radius / length, cy + dy * radius / length, cx + dx * end, cy + dy * end)


def _crosses(segment: tuple[float, float, float, float],
             rect: tuple[float, float, float, float]) -> bool:
    """Whether a segment passes through a rectangle (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = segment
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - rect[0]), (dx, rect[2] - x0), (-dy, y0 - rect[1]), (dy, rect[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


# How far (display pixels) a candidate label box may be from an edge and still be tried with
# the exact test (the vectorised screen of _place_labels rules out only clear overlaps).
_EPS = 1e-6

# Where a label may go around its marker, tried in this order (unit directions).
_DIRECTIONS: tuple[tuple[float, float], ...] = tuple(
    (math.cos(math.radians(a)), math.sin(math.radians(a)))
    for a in (0, 180, 20, 160, -20, -160, 45, 135, -45, -135, 90, -90, 70, 110, -70, -110,
              10, 170, -10, -170, 32, 148, -32, -148, 58, 122, -58, -122, 80, 100, -80, -100)
)


def _place_labels(fig: Figure, ax: Axes, points: Sequence[tuple[float, float, float, str]],
                  fixed: Sequence[Any]) -> int:
    """Write each theme's name near its marker where it overlaps nothing; returns how many
    names found no room (left out, and counted in the chart's footnote).

    The layout is computed first and then frozen, so that the geometry measured here (in
    display units, with matplotlib's renderer) is the geometry drawn at any dpi: text sizes
    are in points, the figure in inches. For each marker, largest first, candidate boxes are
    tried around it (to the right, left, diagonals, above, below), at growing distances; the
    first box inside the axes that overlaps no marker, no region label, no label and no leader
    line already placed wins; a label away from its marker is joined to it by a thin line,
    which crosses no text (it may pass over a marker).
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not points:
        return 0
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
    scale = fig.dpi / 72.0  # display pixels per point
    frame = ax.get_window_extent(renderer)
    pad = 1.5 * scale

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)

    def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    taken: list[tuple[float, float, float, float]] = []  # texts and markers
    texts: list[tuple[float, float, float, float]] = []  # texts only
    for artist in fixed:
        e = artist.get_window_extent(renderer)
        texts.append(box(e.x0, e.y0, e.x1, e.y1))
    taken.extend(texts)
    centres = []
    for x, y, size, _ in points:
        cx, cy = ax.transData.transform((x, y))
        radius = math.sqrt(size) / 2 * scale
        centres.append((cx, cy, radius))
        taken.append(box(cx - radius, cy - radius, cx + radius, cy + radius))

    to_data = ax.transData.inverted()
    step = 4.0 * scale
    sizes = []
    for x, y, _, name in points:
        probe = ax.text(x, y, name, fontsize=7)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        sizes.append((extent.width, extent.height))

    Spot = tuple[float, float, tuple[float, float, float, float], int]
    fixed_texts = list(texts)
    directions = np.array(_DIRECTIONS)

    def attempt(order: Sequence[int], near_first: bool) -> tuple[int, int, list[tuple[int, Spot]]]:
        """Labels placed greedily in ``order``: (left out, total distance, placements)."""
        taken_now, texts_now = list(taken), list(fixed_texts)
        lines: list[tuple[float, float, float, float]] = []

        def find(i: int, reach: int, cross: bool = False) -> Spot | None:
            cx, cy, radius = centres[i]
            w, h = sizes[i]
            # every candidate at once (rings of growing distance, the directions in order):
            # those outside the frame or on a box already taken are ruled out together; the
            # margin keeps any candidate at the very edge for the exact test, which the
            # remaining ones pass or not, in order, as one by one
            gaps = radius + 2 * scale + np.arange(reach)[:, None] * step
            mx_all = cx + directions[:, 0] * (gaps + w / 2)
            my_all = cy + directions[:, 1] * (gaps + h / 2)
            x0, x1 = mx_all - w / 2 - pad, mx_all + w / 2 + pad
            y0, y1 = my_all - h / 2 - pad, my_all + h / 2 + pad
            free = ((x0 >= frame.x0 - _EPS) & (x1 <= frame.x1 + _EPS)
                    & (y0 >= frame.y0 - _EPS) & (y1 <= frame.y1 + _EPS))
            if taken_now:
                b = np.asarray(taken_now, dtype=float)
                free &= ~((x0[..., None] < b[:, 2] - _EPS) & (b[:, 0] + _EPS < x1[..., None])
                          & (y0[..., None] < b[:, 3] - _EPS)
                          & (b[:, 1] + _EPS < y1[..., None])).any(axis=-1)
            for index in np.flatnonzero(free).tolist():
                k, d = divmod(index, len(_DIRECTIONS))
                dx, dy = _DIRECTIONS[d]
                gap = radius + 2 * scale + k * step
                mx = cx + dx * (gap + w / 2)
                my = cy + dy * (gap + h / 2)
                candidate = box(mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)
                if (candidate[0] < frame.x0 or candidate[2] > frame.x1
                        or candidate[1] < frame.y0 or candidate[3] > frame.y1):
                    continue
                if any(_crosses(line, candidate) for line in lines):
                    continue
                if k > 1 and not cross and any(
                        _crosses(_leader(cx, cy, radius, candidate), t) for t in texts_now):
                    continue  # a leader line must not cross a text
                if any(overlaps(candidate, t) for t in taken_now):
                    continue  # (the screen above lets only a candidate at an edge get here)
                return mx, my, candidate, k
            return None

        placed: list[tuple[int, Spot]] = []

        def keep(i: int, spot: Spot) -> None:
            placed.append((i, spot))
            taken_now.append(spot[2])
            texts_now.append(spot[2])
            if spot[3] > 1:
                cx, cy, radius = centres[i]
                lines.append(_leader(cx, cy, radius, spot[2]))

        waiting = []
        for i in order:
            spot = find(i, 2 if near_first else 60)
            if spot is None:
                waiting.append(i)
            else:
                keep(i, spot)
        last = []
        for i in waiting:
            spot = find(i, 60)
            if spot is None:
                last.append(i)
            else:
                keep(i, spot)
        left = 0
        for i in last:  # rather a leader line across a text than a theme without its name
            spot = find(i, 60, cross=True)
            if spot is None:
                left += 1
            else:
                keep(i, spot)
        return left, sum(spot[3] for _, spot in placed), placed

    # two greedy orders (every label next to its marker first, or wherever it fits; the
    # largest markers first): the one that leaves out fewest labels, then moves them least
    by_size = sorted(range(len(points)), key=lambda i: -points[i][2])
    left_out, _, placed = min((attempt(by_size, True), attempt(by_size, False)),
                              key=lambda a: (a[0], a[1]))
    for i, (mx, my, _, k) in placed:
        x, y, _, name = points[i]
        radius = centres[i][2]
        # away from its marker, a thin line says whose name it is
        line = None if k <= 1 else {"arrowstyle": "-", "color": "#9e9e9e", "lw": 0.5,
                                    "shrinkA": 1, "shrinkB": radius / scale + 1}
        label = ax.annotate(name, (x, y), xytext=tuple(to_data.transform((mx, my))),
                            textcoords="data", ha="center", va="center", fontsize=7,
                            color="#212121", zorder=4, annotation_clip=False, arrowprops=line)
        label.set_in_layout(False)
    return left_out


# ---------------------------------------------------------------------------------------------
# linkage scatter


#: Above this many points a scatter's markers are rasterized in vector output (SVG, PDF).
RASTER_POINTS = 2_000


def linkage_scatter(
    units: object,
    linkage: object | None = None,
    *,
    outcome: str = "share_satisfied",
    fit: Literal["study", "pooled", "none"] = "study",
    title: str | None = None,
    width: float = 10.0,
    height: float = 6.5,
    dpi: float = DEFAULT_DPI,
    lang: str = "en",
) -> Chart:
    """Units: mean engagement against the customers' outcome, one colour per study.

    Suppressed units (``suppressed`` true) and units with a null statistic are left out, as in
    the linkage itself; a footnote counts them. The fitted lines are ordinary least squares of
    the outcome on mean engagement: one per study (``fit="study"``, over each study's range),
    one through all units (``fit="pooled"``), or none. The legend gives each study's
    correlation from ``linkage`` (or, without it, the number of units), and the title the
    pooled estimate with its CI when ``linkage`` has a pooled row.

    Parameters
    ----------
    units : DataFrame or result
        The unit table of :func:`miroir.linkage_units` (``report.units``); needs ``study,
        mean_engagement`` and the ``outcome`` column.
    linkage : DataFrame or result, optional
        The table of :func:`miroir.linkage`, for the correlations in the legend and title.
    outcome : str
        ``share_satisfied`` (default) or ``mean_satisfaction``.
    fit : {"study", "pooled", "none"}
        Which OLS lines to draw.
    title : str, optional
        Title of the chart (a default says what is drawn and which lines).
    width, height : float
        Size in inches.
    dpi : float
        Pixels per inch of the PNG export (200 by default).
    lang : {"en", "fr"}
        Language of the labels, legend and notes, and of the numbers (``0,85`` in French).

    Returns
    -------
    Chart

    Raises
    ------
    InvalidArgumentError
        A required column is missing (named in the message), ``fit`` is unknown, or a size is
        not positive.

    Examples
    --------
    >>> import miroir, miroir.charts
    >>> study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    >>> chart = miroir.charts.linkage_scatter(miroir.linkage_units(study), miroir.linkage(study))
    >>> chart.to_png()[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
    True
    >>> chart.to_svg().count("hotel-01") >= 1
    True
    """
    df = _frame(units, "units")
    _require(df, "units", ["study", "mean_engagement", outcome])
    lang = _lang_and_size(lang, width, height, dpi)
    if fit not in ("study", "pooled", "none"):
        raise _core.InvalidArgumentError(
            f"invalid argument 'fit': must be 'study', 'pooled' or 'none', got {fit!r}"
        )
    link = None if linkage is None else _frame(linkage, "linkage")
    if link is not None:
        _require(link, "linkage", ["study", "estimate"])

    keep = pl.col("mean_engagement").is_not_null() & pl.col("mean_engagement").is_not_nan() & \
        pl.col(outcome).is_not_null() & pl.col(outcome).is_not_nan()
    if "suppressed" in df.columns:
        keep = keep & ~pl.col("suppressed").fill_null(False)
    shown = df.filter(keep)
    hidden = df.height - shown.height

    by_study: dict[str, str] = {}
    pooled_text = ""
    if link is not None:
        for row in link.to_dicts():
            est = _float(row.get("estimate"))
            lo, hi = row.get("ci_low"), row.get("ci_high")
            r_text = (text("chart.scatter.r_missing", lang) if est is None else
                      text("chart.scatter.r", lang, r=_num(est, lang, 2),
                           ci=format_ci(lo, hi, lang, 2)))
            if row.get("level", "study") == "pooled":
                pooled_text = text("chart.scatter.pooled", lang, r=r_text)
            else:
                by_study[str(row["study"])] = r_text

    import numpy as np

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    studies = list(dict.fromkeys(df["study"].cast(pl.String).to_list()))
    colours = _study_colours(len(studies))
    # thousands of units: the points are drawn as one image inside an SVG (axes, labels and
    # legend stay vector text); an SVG of 10,000 markers takes seconds to write and to display
    raster = shown.height > RASTER_POINTS
    for study, (colour, marker) in zip(studies, colours):
        part = shown.filter(pl.col("study").cast(pl.String) == study)
        xs = [float(v) for v in part["mean_engagement"].to_list()]
        ys = [float(v) for v in part[outcome].to_list()]
        extra = by_study.get(study, text("chart.scatter.n_units", lang, n=len(xs)))
        # as arrays: matplotlib masks the coordinates, milliseconds for a list of floats
        ax.scatter(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), s=22, color=colour,
                   marker=marker, alpha=0.8, edgecolors="white", linewidths=0.4,
                   label=f"{study} ({extra})", zorder=3, rasterized=raster)
        if fit == "study":
            _ols_line(ax, xs, ys, color=colour)
    if fit == "pooled":
        _ols_line(ax, [float(v) for v in shown["mean_engagement"].to_list()],
                  [float(v) for v in shown[outcome].to_list()], color="#212121",
                  label=text("chart.scatter.ols_all", lang))
    if shown.height:
        ys_all = [float(v) for v in shown[outcome].to_list()]
        lo_y, hi_y = min(ys_all), max(ys_all)
        pad = (hi_y - lo_y) * 0.05 or 0.05
        ax.set_ylim(lo_y - pad, hi_y + pad)
    ax.set_xlabel(text("chart.scatter.xlabel", lang))
    _ticks(ax.xaxis, lang)
    if outcome == "share_satisfied":
        _ticks(ax.yaxis, lang, percent=True)
        ax.set_ylabel(text("chart.scatter.ylabel_share", lang))
    else:
        _ticks(ax.yaxis, lang)
        ax.set_ylabel(text("chart.scatter.ylabel_mean", lang) if outcome == "mean_satisfaction"
                      else outcome.replace("_", " "))
    ax.grid(True, color="#eeeeee", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    lines = text(f"chart.scatter.lines_{fit}", lang)
    ax.set_title(title if title is not None else
                 text("chart.scatter.title", lang, outcome=_outcome_name(outcome, lang),
                      n=shown.height, lines=lines, pooled=pooled_text), loc="left", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title=text("chart.scatter.legend_title", lang), title_fontsize=8)
    if hidden:
        ax.text(1.01, 0.0, text("chart.scatter.hidden_one", lang) if hidden == 1 else
                text("chart.scatter.hidden_many", lang, n=hidden),
                transform=ax.transAxes, fontsize=7, color="#616161", va="bottom", ha="left")
    return Chart(fig, dpi=dpi)


def _outcome_name(outcome: str, lang: str) -> str:
    """``share_satisfied`` -> ``share satisfied`` / ``part de clients satisfaits``."""
    key = f"value.outcome.{outcome}"
    from miroir.i18n import has

    return text(key, lang) if has(key) else outcome.replace("_", " ")


def _ols_line(ax: Axes, xs: Sequence[float], ys: Sequence[float], *, color: Any,
              label: str | None = None) -> None:
    """Draw the least-squares line of ys on xs over the range of xs (two distinct xs at least)."""
    n = len(xs)
    if n < 2:
        return
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if not sxx > 0:
        return
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    lo, hi = min(xs), max(xs)
    ax.plot([lo, hi], [my + slope * (lo - mx), my + slope * (hi - mx)], color=color, lw=1.6,
            zorder=4, label=label)


# ---------------------------------------------------------------------------------------------
# forest plot


def forest_plot(
    table: object,
    estimate: str = "estimate",
    *,
    ci: tuple[str, str] = ("ci_low", "ci_high"),
    label: str = "study",
    null_value: float | None = 0.0,
    reference: str | None = None,
    reference_label: str | None = None,
    xlabel: str | None = None,
    title: str | None = None,
    width: float = 9.0,
    height: float | None = None,
    dpi: float = DEFAULT_DPI,
    lang: str = "en",
) -> Chart:
    """Per-study estimates with their confidence intervals, and the pooled estimate as a diamond.

    Works on :func:`miroir.linkage` (``estimate``: the correlation; the pooled row is the
    random-effects meta-analysis) and on :func:`miroir.exposure_gap` (``estimate="gap"``;
    the pooled adjusted gap, OLS with study fixed effects, is drawn as a second diamond when
    the table has ``adjusted_gap``). Rows whose ``level`` is ``pooled`` are diamonds; the
    others are squares with a horizontal CI. Suppressed rows and rows without an estimate stay
    in the plot with a note. The value and CI of each row are written on the right.

    Parameters
    ----------
    table : DataFrame or result
        Needs the ``label`` column, ``estimate`` and the two ``ci`` columns (``level`` tells
        pooled rows apart; without it, rows labelled ``all`` or ``pooled`` are pooled).
    estimate : str
        The column to draw.
    ci : (str, str)
        The columns of the CI bounds.
    label : str
        The column naming each row.
    null_value : float or None
        Where to draw the reference line (``None``: no line); left out, with a note, when
        it lies far from the intervals (the axis is scaled to them).
    reference : str, optional
        A column of values to compare each row with (``published``): drawn as a vermillion
        tick on the row, named in a legend above the plot (outside the data).
    reference_label : str, optional
        The legend's name for ``reference`` (default: the catalogue's "published value").
    xlabel, title : str, optional
        Axis label and title (defaults say what is drawn).
    width : float
        Width in inches.
    height : float, optional
        Height in inches (default: 1.4 + 0.35 per row).
    dpi : float
        Pixels per inch of the PNG export (200 by default).
    lang : {"en", "fr"}
        Language of the labels, legend and notes, and of the numbers (``0,85`` in French).

    Returns
    -------
    Chart

    Raises
    ------
    InvalidArgumentError
        A required column is missing (named in the message), or a size is not positive.

    Examples
    --------
    >>> import miroir, miroir.charts
    >>> study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    >>> chart = miroir.charts.forest_plot(miroir.linkage(study), width=8, height=4, dpi=50)
    >>> chart.to_png()[:8] == b'\\x89PNG\\r\\n\\x1a\\n', chart.size
    (True, (400, 200))
    >>> gap = miroir.charts.forest_plot(miroir.exposure_gap(study), estimate="gap")
    """
    df = _frame(table, "table")
    _require(df, "table", [label, estimate, ci[0], ci[1], *([reference] if reference else [])])
    lang = check_lang(lang)
    rows = df.to_dicts()
    refs: list[float | None] = []
    pooled_rows = [r for r in rows if _is_pooled(r, label)]
    study_rows = [r for r in rows if not _is_pooled(r, label)]
    entries: list[tuple[str, float | None, float | None, float | None, bool, str]] = []
    for r in study_rows:
        entries.append((str(r[label]), _float(r[estimate]), _float(r[ci[0]]), _float(r[ci[1]]),
                        False, _row_note(r, estimate, lang)))
        refs.append(_float(r.get(reference)) if reference else None)
    for r in pooled_rows:
        name = (text("chart.forest.pooled", lang) if str(r[label]) in ("all", "pooled")
                else text("chart.forest.pooled_of", lang, label=r[label]))
        method = str(r.get("method") or "")
        if estimate == "estimate" and "random" in method.lower():
            name += text("chart.forest.random_effects", lang)
        entries.append((name, _float(r[estimate]), _float(r[ci[0]]), _float(r[ci[1]]), True,
                        _row_note(r, estimate, lang)))
        refs.append(_float(r.get(reference)) if reference else None)
        if estimate == "gap" and _float(r.get("adjusted_gap")) is not None:
            entries.append((text("chart.forest.adjusted", lang), _float(r.get("adjusted_gap")),
                            _float(r.get("adjusted_ci_low")), _float(r.get("adjusted_ci_high")),
                            True, ""))
            refs.append(None)
    if height is None:
        height = 1.4 + 0.35 * max(len(entries), 1)
    _check_size(width, height, dpi)

    from matplotlib.patches import Polygon

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    n = len(entries)
    ys = list(range(n, 0, -1))  # first row at the top
    values: list[str] = []
    finite: list[float] = []
    for (name, est, lo, hi, pooled, note), y in zip(entries, ys):
        if est is None:
            values.append(note or text("chart.forest.not_estimable", lang))
            continue
        finite.extend(v for v in (est, lo, hi) if v is not None)
        values.append(f"{_num(est, lang, 2)} {format_ci(lo, hi, lang, 2)}")
        if pooled:
            lo_d = est if lo is None else lo
            hi_d = est if hi is None else hi
            ax.add_patch(Polygon([(lo_d, y), (est, y + 0.28), (hi_d, y), (est, y - 0.28)],
                                 closed=True, facecolor="#37474f", edgecolor="#37474f",
                                 zorder=3))
        else:
            if lo is not None and hi is not None:
                ax.plot([lo, hi], [y, y], color="#455a64", lw=1.4, zorder=2)
            ax.plot([est], [y], marker="s", markersize=7, color=_BLUE, zorder=3,
                    linestyle="none")
    marked = [(v, y) for v, y in zip(refs, ys) if v is not None]
    if marked:
        finite.extend(v for v, _ in marked)
        ax.scatter([v for v, _ in marked], [y for _, y in marked], marker="|", s=260,
                   linewidths=2.2, color=_VERMILLION, zorder=4,
                   label=reference_label or text("chart.forest.reference", lang))
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize=8,
                  borderaxespad=0.2, markerscale=0.6)
    lo_x, hi_x = _forest_range(finite, null_value)
    if null_value is not None and lo_x <= null_value <= hi_x:
        ax.axvline(null_value, color="#9e9e9e", lw=0.9, ls="--", zorder=1)
    elif null_value is not None and finite:
        side = text("chart.forest.left" if null_value < lo_x else "chart.forest.right", lang)
        ax.text(1.0, 1.0,
                text("chart.forest.null_off", lang, side=side,
                     value=_num(null_value, lang, 0 if float(null_value).is_integer() else None)),
                transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="#616161")
    for (name, est, lo, hi, pooled, note), y in zip(entries, ys):
        if est is None:
            ax.text(0.02, y, note or text("chart.forest.not_estimable", lang), va="center",
                    fontsize=8, color="#757575", transform=ax.get_yaxis_transform())
    ax.set_xlim(lo_x, hi_x)
    _ticks(ax.xaxis, lang)
    ax.set_ylim(0.4, n + 0.6)
    ax.tick_params(axis="y", length=0)  # before the ticks are made: set once, not on each
    ax.set_yticks(ys)
    ax.set_yticklabels([e[0] for e in entries])
    for tick, entry in zip(ax.get_yticklabels(), entries):
        if entry[4]:
            tick.set_fontweight("bold")
    right = ax.secondary_yaxis("right")
    right.tick_params(length=0)
    right.set_yticks(ys)
    right.set_yticklabels(values, fontsize=8)
    right.spines["right"].set_visible(False)
    for side_name in ("top", "right"):
        ax.spines[side_name].set_visible(False)
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
    xlabel_given = xlabel
    if xlabel is None:
        if estimate == "gap":
            xlabel = text("chart.forest.xlabel_gap", lang)
        elif estimate == "estimate" and label == "study":
            xlabel = text("chart.forest.xlabel_r", lang)
        else:
            xlabel = estimate.replace("_", " ")
    ax.set_xlabel(xlabel)
    short = (text("chart.forest.short_gap", lang) if estimate == "gap" and xlabel_given is None
             else text("chart.forest.short_r", lang) if estimate == "estimate" and label == "study"
             and xlabel_given is None else xlabel)
    above = bool(marked) or (null_value is not None and not lo_x <= null_value <= hi_x)
    ax.set_title(title if title is not None else
                 text("chart.forest.title", lang, xlabel=short,
                      label=_value("level", label, lang)), loc="left", fontsize=11,
                 pad=22 if above else 6)  # room for the note or the legend above the plot
    return Chart(fig, dpi=dpi)


def _forest_range(values: Sequence[float], null_value: float | None) -> tuple[float, float]:
    """The x range of a forest plot: its intervals with a 6% margin; the reference value is
    included only when it is near them (within half their span), so that intervals far from
    it are not squeezed into a corner of the axis."""
    if not values:
        return (-1.0, 1.0) if null_value is None else (null_value - 1.0, null_value + 1.0)
    lo, hi = min(values), max(values)
    if null_value is not None and lo - 0.5 * (hi - lo) <= null_value <= hi + 0.5 * (hi - lo):
        lo, hi = min(lo, null_value), max(hi, null_value)
    pad = (hi - lo) * 0.06 or max(abs(hi) * 0.1, 0.1)
    return lo - pad, hi + pad


def _value(vocabulary: str, value: str, lang: str) -> str:
    from miroir.i18n import value_label

    return value_label(vocabulary, value, lang)


def _descending(value: float | None) -> float:
    """Sort key: largest first, missing last."""
    return math.inf if value is None else -value


def _is_pooled(row: dict[str, Any], label: str) -> bool:
    if "level" in row:
        return str(row["level"]) == "pooled"
    return str(row.get(label)) in ("all", "pooled")


def _row_note(row: dict[str, Any], estimate: str, lang: str = "en") -> str:
    if row.get("suppressed") is True:
        return text("chart.forest.suppressed", lang)
    if _float(row.get(estimate)) is None:
        return text("chart.forest.not_estimable", lang)
    return ""


# ---------------------------------------------------------------------------------------------
# exposure gap


def exposure_gap_chart(
    gap_table: object,
    *,
    title: str | None = None,
    width: float = 10.0,
    height: float | None = None,
    dpi: float = DEFAULT_DPI,
    lang: str = "en",
) -> Chart:
    """Mean engagement of customer-facing employees against the others, per study.

    One line per study (sorted by gap, largest first) joins the two means; the gap
    (other - customer-facing) and its Welch CI are written on the right, and the study behind
    "up to N points" (``largest``) is marked. The pooled row comes last, with the adjusted
    gap (OLS, study fixed effects) when the table has it. Suppressed segments are shown as
    suppressed, not drawn.

    Parameters
    ----------
    gap_table : DataFrame or result
        The table of :func:`miroir.exposure_gap`; needs ``study, mean_facing, mean_other,
        gap, ci_low, ci_high`` (and uses ``level, largest, suppressed, n_facing, n_other,
        adjusted_gap, adjusted_ci_low, adjusted_ci_high`` when present).
    title : str, optional
        Title of the chart.
    width : float
        Width in inches.
    height : float, optional
        Height in inches (default: 1.6 + 0.38 per row).
    dpi : float
        Pixels per inch of the PNG export (200 by default).
    lang : {"en", "fr"}
        Language of the labels, legend and notes, and of the numbers (``0,85`` in French).

    Returns
    -------
    Chart

    Raises
    ------
    InvalidArgumentError
        A required column is missing (named in the message), or a size is not positive.

    Examples
    --------
    >>> import miroir, miroir.charts
    >>> study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    >>> chart = miroir.charts.exposure_gap_chart(miroir.exposure_gap(study), height=4)
    >>> chart.to_png()[:8] == b'\\x89PNG\\r\\n\\x1a\\n', chart.size
    (True, (2000, 800))
    """
    df = _frame(gap_table, "gap_table")
    _require(df, "gap_table", ["study", "mean_facing", "mean_other", "gap", "ci_low", "ci_high"])
    rows = df.to_dicts()
    pooled = [r for r in rows if _is_pooled(r, "study")]
    studies = sorted((r for r in rows if not _is_pooled(r, "study")),
                     key=lambda r: _descending(_float(r["gap"])))
    ordered = studies + pooled
    if height is None:
        height = 1.6 + 0.38 * max(len(ordered), 1)
    lang = _lang_and_size(lang, width, height, dpi)

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    n = len(ordered)
    ys = list(range(n, 0, -1))
    names: list[str] = []
    values: list[str] = []
    facing_pts: list[tuple[float, float]] = []
    other_pts: list[tuple[float, float]] = []
    for r, y in zip(ordered, ys):
        is_pooled = _is_pooled(r, "study")
        name = text("chart.gap.all_studies", lang) if is_pooled else str(r["study"])
        if r.get("largest") is True:
            name += "  " + text("chart.gap.largest", lang)
        names.append(name)
        mf, mo = _float(r["mean_facing"]), _float(r["mean_other"])
        gap = _float(r["gap"])
        if r.get("suppressed") is True or mf is None or mo is None:
            values.append(text("chart.forest.suppressed" if r.get("suppressed") is True
                               else "chart.forest.not_estimable", lang))
            continue
        ax.plot([mf, mo], [y, y], color="#bdbdbd", lw=3, solid_capstyle="round", zorder=2)
        facing_pts.append((mf, y))
        other_pts.append((mo, y))
        value = text("chart.gap.value", lang, gap=_num(gap, lang, 1),
                     ci=format_ci(r["ci_low"], r["ci_high"], lang, 1))
        adj = _float(r.get("adjusted_gap"))
        if is_pooled and adj is not None:
            value += text("chart.gap.adjusted", lang, gap=_num(adj, lang, 1),
                          ci=format_ci(r.get("adjusted_ci_low"), r.get("adjusted_ci_high"), lang, 1))
        values.append(value)
    for pts, colour, name in ((facing_pts, _VERMILLION, text("chart.gap.facing", lang)),
                              (other_pts, _BLUE, text("chart.gap.other", lang))):
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=55, color=colour, zorder=3,
                       label=name)
    for r, y in zip(ordered, ys):
        if r.get("suppressed") is True:
            ax.text(0.5, y, text("chart.forest.suppressed", lang),
                    transform=ax.get_yaxis_transform(), ha="center",
                    va="center", fontsize=8, color="#757575")
    if pooled and studies:
        ax.axhline(len(pooled) + 0.5, color="#9e9e9e", lw=0.6)
    ax.set_ylim(0.4, n + 0.6)
    ax.tick_params(axis="y", length=0)  # before the ticks are made: set once, not on each
    ax.set_yticks(ys)
    ax.set_yticklabels(names)
    for tick, r in zip(ax.get_yticklabels(), ordered):
        if _is_pooled(r, "study") or r.get("largest") is True:
            tick.set_fontweight("bold")
    right = ax.secondary_yaxis("right")
    right.tick_params(length=0)
    right.set_yticks(ys)
    right.set_yticklabels(values, fontsize=8)
    right.spines["right"].set_visible(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
    ax.set_xlabel(text("chart.gap.xlabel", lang))
    _ticks(ax.xaxis, lang)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, fontsize=8, frameon=False)
    ax.set_title(title if title is not None else text("chart.gap.title", lang),
                 loc="left", fontsize=11, pad=22)
    return Chart(fig, dpi=dpi)


def drivers_chart(
    drivers_table: object,
    *,
    title: str | None = None,
    width: float = 10.0,
    height: float | None = None,
    dpi: float = DEFAULT_DPI,
    lang: str = "en",
) -> Chart:
    """Relative importance of the drivers: each driver's share of the explained variance (LMG)
    as a bar with its cluster-bootstrap interval, largest first; the standardised coefficient
    and its CI are written on the right.

    Parameters
    ----------
    drivers_table : DataFrame or result
        The table of :func:`miroir.drivers`; needs ``driver, share, share_ci_low,
        share_ci_high, beta_std, ci_low, ci_high`` (and uses ``label, outcome, r2``).
    title : str, optional
        Title of the chart.
    width : float
        Width in inches.
    height : float, optional
        Height in inches (default: 1.6 + 0.45 per driver).
    dpi : float
        Pixels per inch of the PNG export (200 by default).
    lang : {"en", "fr"}
        Language of the labels, legend and notes, and of the numbers (``0,85`` in French).

    Returns
    -------
    Chart

    Examples
    --------
    >>> import miroir, miroir.charts
    >>> study = miroir.synthetic_study(studies=3, employees=3_000, customers=6_000, seed=1)
    >>> chart = miroir.charts.drivers_chart(miroir.drivers(study, n_resamples=200), height=3)
    >>> chart.to_png()[:8] == b'\\x89PNG\\r\\n\\x1a\\n', chart.size
    (True, (2000, 600))
    """
    df = _frame(drivers_table, "drivers_table")
    _require(df, "drivers_table",
             ["driver", "share", "share_ci_low", "share_ci_high", "beta_std", "ci_low", "ci_high"])
    rows = sorted(df.to_dicts(), key=lambda r: _descending(_float(r["share"])))
    if height is None:
        height = 1.6 + 0.45 * max(len(rows), 1)
    lang = _lang_and_size(lang, width, height, dpi)
    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    ys = list(range(len(rows), 0, -1))
    shares = [100 * (_float(r["share"]) or 0.0) for r in rows]
    ax.barh(ys, shares, color=_BLUE, height=0.6, zorder=2)
    for r, y, s in zip(rows, ys, shares):
        lo, hi = _float(r["share_ci_low"]), _float(r["share_ci_high"])
        if lo is not None and hi is not None:
            ax.errorbar([s], [y], xerr=[[s - 100 * lo], [100 * hi - s]], fmt="none",
                        ecolor="#212121", capsize=3, lw=1, zorder=3)
    ax.tick_params(axis="y", length=0)  # before the ticks are made: set once, not on each
    ax.set_yticks(ys)
    ax.set_yticklabels([str((r.get("label_fr") if lang == "fr" else None) or r.get("label")
                            or r["driver"]) for r in rows])
    right = ax.secondary_yaxis("right")
    right.tick_params(length=0)
    right.set_yticks(ys)
    right.set_yticklabels(
        [text("chart.drivers.beta", lang, beta=_num(r["beta_std"], lang, 2),
              ci=format_ci(r["ci_low"], r["ci_high"], lang, 2)) for r in rows],
        fontsize=8)
    right.spines["right"].set_visible(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
    ax.set_xlabel(text("chart.drivers.xlabel", lang))
    _ticks(ax.xaxis, lang)
    top = max([100 * (_float(r["share_ci_high"]) or 0.0) for r in rows] + shares + [1.0])
    ax.set_xlim(0, top * 1.08)
    ax.set_ylim(0.4, len(rows) + 0.6)
    if title is None:
        outcome = _outcome_name(str(rows[0].get("outcome", "")), lang) if rows else ""
        r2 = _float(rows[0].get("r2")) if rows else None
        title = text("chart.drivers.title", lang, outcome=outcome) + (
            text("chart.drivers.r2", lang, r2=_num(r2, lang, 2)) if r2 is not None else "")
    ax.set_title(title, loc="left", fontsize=11)
    return Chart(fig, dpi=dpi)
