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

matplotlib is an optional dependency (``pip install miroir[charts]``); it is imported only when a
chart is drawn, never by ``import miroir``. Figures are built with ``matplotlib.figure.Figure``
(no pyplot state), so drawing works headless, in scripts, in CI and in notebooks alike.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from miroir import _core

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MOMENTS",
    "Chart",
    "exposure_gap_chart",
    "forest_plot",
    "linkage_scatter",
    "mirror_matrix",
]

#: The six moments of the mirror matrix, in the order of the matrix (customers enchanted, then
#: customers irritated; employees proud, silent, frustrated).
MOMENTS: tuple[str, ...] = (
    "win_win", "lucky_break", "pain", "wrong_fight", "blindness", "dead_end",
)

MOMENT_COLOURS: dict[str, str] = {
    "win_win": "#2e7d32",
    "lucky_break": "#1e88e5",
    "pain": "#ef6c00",
    "wrong_fight": "#8e24aa",
    "blindness": "#6d4c41",
    "dead_end": "#c62828",
}
_GREY = "#9e9e9e"

#: The seed's action for each moment, short form.
MOMENT_ACTIONS: dict[str, str] = {
    "win_win": "deploy it",
    "lucky_break": "re-sensitise employees",
    "pain": "relieve employees first",
    "wrong_fight": "re-sensitise employees",
    "blindness": "re-sensitise employees",
    "dead_end": "relieve employees first",
}

#: Where each moment sits: (customers, employees).
MOMENT_AXES: dict[str, tuple[str, str]] = {
    "win_win": ("enchanted", "proud"),
    "lucky_break": ("enchanted", "silent"),
    "pain": ("enchanted", "frustrated"),
    "wrong_fight": ("irritated", "proud"),
    "blindness": ("irritated", "silent"),
    "dead_end": ("irritated", "frustrated"),
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORMATS = ("png", "svg", "pdf")

# y-coordinates of the mirror matrix: employee positive share in [0, 1], silent band below.
_BAND_LOW, _BAND_HIGH = -0.34, -0.08


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
        Resolution of the PNG export (pixels per inch).
    """

    def __init__(self, figure: Figure, *, dpi: float = 100.0) -> None:
        self.figure = figure
        self.dpi = float(dpi)

    @property
    def size(self) -> tuple[int, int]:
        """Size of the PNG export in pixels, ``(width, height)``."""
        w, h = self.figure.get_size_inches()
        return int(round(w * self.dpi)), int(round(h * self.dpi))

    def to_png(self, *, dpi: float | None = None) -> bytes:
        """The chart as PNG bytes (``dpi`` defaults to the chart's)."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=self.dpi if dpi is None else dpi,
                            metadata={"Software": None})
        return buf.getvalue()

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
        # PNG only (not also SVG): one rendering per display, and the requested size on
        # high-density screens.
        w, h = self.size
        return {"image/png": self.to_png()}, {"image/png": {"width": w, "height": h}}

    def __repr__(self) -> str:
        w, h = self.size
        axes = self.figure.axes
        title = (axes[0].get_title("left") or axes[0].get_title()) if axes else ""
        return f"<miroir.charts.Chart {w}x{h} px: {title!r}>"


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


def _study_colours(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    size = 10 if n <= 10 else 20
    return [cmap(i % size) for i in range(n)]


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
    dpi: float = 100.0,
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
        Pixels per inch of the PNG export.

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
    _check_size(width, height, dpi)
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
    for moment, (x0, y0, w, h) in regions.items():
        ax.add_patch(Rectangle((x0, y0), w, h, facecolor=MOMENT_COLOURS[moment], alpha=0.07,
                               edgecolor="none", zorder=0))
        right = x0 >= 0.5
        ax.text(x0 + w - 0.01 if right else x0 + 0.01, y0 + h - 0.012,
                f"{moment}\n{MOMENT_ACTIONS[moment]}", ha="right" if right else "left",
                va="top", fontsize=8.5, color=MOMENT_COLOURS[moment], fontweight="bold",
                alpha=0.9, zorder=1, linespacing=1.15)
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
        label = f"{key} ({counts.get(key, 0)})"
        if not pts:
            # keep every moment in the legend, even without a theme
            if key in MOMENTS:
                ax.scatter([], [], s=60, color=MOMENT_COLOURS[key], label=label)
            continue
        xs, ys, ss, _ = zip(*pts)
        if key in MOMENTS:
            ax.scatter(xs, ys, s=ss, color=MOMENT_COLOURS[key], alpha=0.85,
                       edgecolors="white", linewidths=0.8, zorder=3, label=label)
        else:
            ax.scatter(xs, ys, s=ss, facecolors="none", edgecolors=_GREY, linewidths=1.2,
                       linestyle="--" if key == "too_few_mentions" else "-", zorder=2,
                       label=label)

    if label_themes:
        _label_points(ax, [p for pts in groups.values() for p in pts])

    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(_BAND_LOW - 0.02, 1.04)
    ax.xaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"])
    band_mid = (_BAND_LOW + _BAND_HIGH) / 2
    ax.yaxis.set_major_locator(FixedLocator([band_mid, 0, 0.25, 0.5, 0.75, 1.0]))
    ax.set_yticklabels(["silent", "0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("customers: share of positive mentions  (← irritated · enchanted →)")
    ax.set_ylabel("employees: share of positive mentions  (↓ frustrated · proud ↑)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    n_drawn = sum(counts.values())
    where = f" - {study}" if study is not None else ""
    ax.set_title(title if title is not None else
                 f"Mirror matrix{where}: {n_drawn} themes, customer polarity vs employee voice",
                 loc="left", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title="moment (marker area ∝ mentions)", title_fontsize=8, markerscale=0.7)
    foot = [f"silent: fewer than {silence_rate:.0%} of employees mention the theme"]
    if not_drawn:
        foot.append(f"{not_drawn} theme{'s' if not_drawn > 1 else ''} not drawn "
                    "(no share: suppressed or not mentioned)")
    ax.text(1.01, 0.0, "\n".join(foot), transform=ax.transAxes, fontsize=7, color="#616161",
            va="bottom", ha="left", wrap=True)
    return Chart(fig, dpi=dpi)


@dataclass
class _Label:
    x: float
    y: float
    ty: float  # where the label goes
    lo: float  # horizontal extent of the label, in data units (about)
    hi: float
    left: bool
    name: str
    floor: float
    ceiling: float


def _label_points(ax: Axes, points: Sequence[tuple[float, float, float, str]]) -> None:
    """Write names next to markers; labels whose boxes would overlap are pushed apart
    vertically (within the main area or the silent band) and joined to their marker."""
    fig_w, fig_h = ax.get_figure().get_size_inches()  # type: ignore[union-attr]
    x_per_pt = 1.04 / (fig_w * 0.72 * 72)  # data units per point, about
    y_per_pt = (1.04 - _BAND_LOW) / (fig_h * 0.85 * 72)
    step = 9.5 * y_per_pt
    items: list[_Label] = []
    for x, y, size, name in points:
        left = x > 0.72
        gap = (math.sqrt(size) / 2 + 2) * x_per_pt
        width = 4.1 * len(name) * x_per_pt
        lo, hi = (x - gap - width, x - gap) if left else (x + gap, x + gap + width)
        band = y < 0
        items.append(_Label(x=x, y=y, ty=y, lo=lo, hi=hi, left=left, name=name,
                            floor=(_BAND_LOW + 0.01) if band else 0.0,
                            ceiling=(_BAND_HIGH - 0.01) if band else 1.04))
    for _ in range(200):
        moved = False
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                if a.floor != b.floor or a.hi < b.lo or b.hi < a.lo:
                    continue
                d = abs(a.ty - b.ty)
                if d >= step:
                    continue
                push = (step - d) / 2 + 1e-4
                up, down = (a, b) if (a.ty, a.x) >= (b.ty, b.x) else (b, a)
                up.ty += push
                down.ty -= push
                moved = True
        for it in items:
            it.ty = min(max(it.ty, it.floor), it.ceiling)
        if not moved:
            break
    for it in items:
        ha = "right" if it.left else "left"
        tx = it.hi if it.left else it.lo
        if abs(it.ty - it.y) < 0.25 * step:
            ann = ax.annotate(it.name, (it.x, it.y), xytext=(tx, it.y), textcoords="data", ha=ha,
                              va="center", fontsize=7, color="#212121", zorder=4,
                              annotation_clip=False)
        else:
            ann = ax.annotate(it.name, (it.x, it.y), xytext=(tx, it.ty), textcoords="data",
                              ha=ha, va="center", fontsize=7, color="#212121", zorder=4,
                              annotation_clip=False,
                              arrowprops={"arrowstyle": "-", "color": "#9e9e9e", "lw": 0.5,
                                          "shrinkA": 0, "shrinkB": 2})
        ann.set_in_layout(False)


# ---------------------------------------------------------------------------------------------
# linkage scatter


def linkage_scatter(
    units: object,
    linkage: object | None = None,
    *,
    outcome: str = "share_satisfied",
    fit: Literal["study", "pooled", "none"] = "study",
    title: str | None = None,
    width: float = 10.0,
    height: float = 6.5,
    dpi: float = 100.0,
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
        Pixels per inch of the PNG export.

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
    _check_size(width, height, dpi)
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
            text = "r n/a" if est is None else f"r = {est:.2f} {fmt_ci(lo, hi, 2)}"
            if row.get("level", "study") == "pooled":
                pooled_text = f"; pooled {text}"
            else:
                by_study[str(row["study"])] = text

    from matplotlib.ticker import PercentFormatter

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    studies = list(dict.fromkeys(df["study"].cast(pl.String).to_list()))
    colours = _study_colours(len(studies))
    for study, colour in zip(studies, colours):
        part = shown.filter(pl.col("study").cast(pl.String) == study)
        xs = [float(v) for v in part["mean_engagement"].to_list()]
        ys = [float(v) for v in part[outcome].to_list()]
        extra = by_study.get(study, f"{len(xs)} units")
        ax.scatter(xs, ys, s=22, color=colour, alpha=0.75, edgecolors="white", linewidths=0.4,
                   label=f"{study} ({extra})", zorder=3)
        if fit == "study":
            _ols_line(ax, xs, ys, color=colour)
    if fit == "pooled":
        _ols_line(ax, [float(v) for v in shown["mean_engagement"].to_list()],
                  [float(v) for v in shown[outcome].to_list()], color="#212121",
                  label="OLS, all units")
    if shown.height:
        ys_all = [float(v) for v in shown[outcome].to_list()]
        lo_y, hi_y = min(ys_all), max(ys_all)
        pad = (hi_y - lo_y) * 0.05 or 0.05
        ax.set_ylim(lo_y - pad, hi_y + pad)
    ax.set_xlabel("unit mean engagement (0-100)")
    if outcome == "share_satisfied":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("unit share of satisfied customers")
    else:
        ax.set_ylabel(f"unit {outcome.replace('_', ' ')}")
    ax.grid(True, color="#eeeeee", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    lines = {"study": "OLS line per study", "pooled": "one OLS line for all units",
             "none": "no fitted line"}[fit]
    ax.set_title(title if title is not None else
                 f"Units: engagement vs {outcome.replace('_', ' ')} ({shown.height} units, "
                 f"{lines}{pooled_text})", loc="left", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title="study", title_fontsize=8)
    if hidden:
        ax.text(1.01, 0.0, f"{hidden} suppressed unit{'s' if hidden > 1 else ''} not shown",
                transform=ax.transAxes, fontsize=7, color="#616161", va="bottom", ha="left")
    return Chart(fig, dpi=dpi)


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
    xlabel: str | None = None,
    title: str | None = None,
    width: float = 9.0,
    height: float | None = None,
    dpi: float = 100.0,
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
        Where to draw the reference line (``None``: no line).
    xlabel, title : str, optional
        Axis label and title (defaults say what is drawn).
    width : float
        Width in inches.
    height : float, optional
        Height in inches (default: 1.4 + 0.35 per row).
    dpi : float
        Pixels per inch of the PNG export.

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
    _require(df, "table", [label, estimate, ci[0], ci[1]])
    rows = df.to_dicts()
    pooled_rows = [r for r in rows if _is_pooled(r, label)]
    study_rows = [r for r in rows if not _is_pooled(r, label)]
    entries: list[tuple[str, float | None, float | None, float | None, bool, str]] = []
    for r in study_rows:
        entries.append((str(r[label]), _float(r[estimate]), _float(r[ci[0]]), _float(r[ci[1]]),
                        False, _row_note(r, estimate)))
    for r in pooled_rows:
        name = "pooled" if str(r[label]) in ("all", "pooled") else f"pooled: {r[label]}"
        method = str(r.get("method") or "")
        if estimate == "estimate" and "random" in method.lower():
            name += " (random effects)"
        entries.append((name, _float(r[estimate]), _float(r[ci[0]]), _float(r[ci[1]]), True,
                        _row_note(r, estimate)))
        if estimate == "gap" and _float(r.get("adjusted_gap")) is not None:
            entries.append(("adjusted (OLS, study FE)", _float(r.get("adjusted_gap")),
                            _float(r.get("adjusted_ci_low")), _float(r.get("adjusted_ci_high")),
                            True, ""))
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
            values.append(note or "not estimable")
            continue
        finite.extend(v for v in (est, lo, hi) if v is not None)
        values.append(f"{fmt_number(est, 2)} {fmt_ci(lo, hi, 2)}")
        if pooled:
            lo_d = est if lo is None else lo
            hi_d = est if hi is None else hi
            ax.add_patch(Polygon([(lo_d, y), (est, y + 0.28), (hi_d, y), (est, y - 0.28)],
                                 closed=True, facecolor="#37474f", edgecolor="#37474f",
                                 zorder=3))
        else:
            if lo is not None and hi is not None:
                ax.plot([lo, hi], [y, y], color="#455a64", lw=1.4, zorder=2)
            ax.plot([est], [y], marker="s", markersize=7, color="#1565c0", zorder=3,
                    linestyle="none")
    if null_value is not None:
        ax.axvline(null_value, color="#9e9e9e", lw=0.9, ls="--", zorder=1)
        finite.append(null_value)
    for (name, est, lo, hi, pooled, note), y in zip(entries, ys):
        if est is None:
            ax.text(null_value if null_value is not None else 0.5, y, f" {note or 'n/a'}",
                    va="center", fontsize=8, color="#757575",
                    transform=ax.transData if null_value is not None else ax.get_yaxis_transform())
    if finite:
        lo_x, hi_x = min(finite), max(finite)
        pad = (hi_x - lo_x) * 0.06 or 0.1
        ax.set_xlim(lo_x - pad, hi_x + pad)
    ax.set_ylim(0.4, n + 0.6)
    ax.set_yticks(ys)
    ax.set_yticklabels([e[0] for e in entries])
    for tick, entry in zip(ax.get_yticklabels(), entries):
        if entry[4]:
            tick.set_fontweight("bold")
    right = ax.secondary_yaxis("right")
    right.set_yticks(ys)
    right.set_yticklabels(values, fontsize=8)
    right.tick_params(length=0)
    right.spines["right"].set_visible(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
    if xlabel is None:
        if estimate == "gap":
            xlabel = "engagement gap, points (other - customer-facing)"
        elif estimate == "estimate" and "method" in df.columns and df.height:
            methods = [str(m) for m in df["method"].to_list() if m is not None]
            xlabel = methods[0] if methods else estimate
        else:
            xlabel = estimate.replace("_", " ")
    ax.set_xlabel(xlabel)
    ax.set_title(title if title is not None else
                 f"{xlabel} per {label} with CI; pooled as a diamond", loc="left", fontsize=11)
    return Chart(fig, dpi=dpi)


def _descending(value: float | None) -> float:
    """Sort key: largest first, missing last."""
    return math.inf if value is None else -value


def _is_pooled(row: dict[str, Any], label: str) -> bool:
    if "level" in row:
        return str(row["level"]) == "pooled"
    return str(row.get(label)) in ("all", "pooled")


def _row_note(row: dict[str, Any], estimate: str) -> str:
    if row.get("suppressed") is True:
        return "suppressed"
    if _float(row.get(estimate)) is None:
        return "not estimable"
    return ""


# ---------------------------------------------------------------------------------------------
# exposure gap


def exposure_gap_chart(
    gap_table: object,
    *,
    title: str | None = None,
    width: float = 10.0,
    height: float | None = None,
    dpi: float = 100.0,
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
        Pixels per inch of the PNG export.

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
    (True, (1000, 400))
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
    _check_size(width, height, dpi)

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
        name = "all studies" if is_pooled else str(r["study"])
        if r.get("largest") is True:
            name += "  ◆ largest"
        names.append(name)
        mf, mo = _float(r["mean_facing"]), _float(r["mean_other"])
        gap = _float(r["gap"])
        if r.get("suppressed") is True or mf is None or mo is None:
            values.append("suppressed" if r.get("suppressed") is True else "not estimable")
            continue
        ax.plot([mf, mo], [y, y], color="#bdbdbd", lw=3, solid_capstyle="round", zorder=2)
        facing_pts.append((mf, y))
        other_pts.append((mo, y))
        text = f"gap {fmt_number(gap, 1)} {fmt_ci(r['ci_low'], r['ci_high'], 1)}"
        adj = _float(r.get("adjusted_gap"))
        if is_pooled and adj is not None:
            text += (f"; adjusted {fmt_number(adj, 1)} "
                     f"{fmt_ci(r.get('adjusted_ci_low'), r.get('adjusted_ci_high'), 1)}")
        values.append(text)
    for pts, colour, name in ((facing_pts, "#ef6c00", "customer-facing"),
                              (other_pts, "#1565c0", "other employees")):
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=55, color=colour, zorder=3,
                       label=name)
    for r, y in zip(ordered, ys):
        if r.get("suppressed") is True:
            ax.text(0.5, y, "suppressed", transform=ax.get_yaxis_transform(), ha="center",
                    va="center", fontsize=8, color="#757575")
    if pooled and studies:
        ax.axhline(len(pooled) + 0.5, color="#9e9e9e", lw=0.6)
    ax.set_ylim(0.4, n + 0.6)
    ax.set_yticks(ys)
    ax.set_yticklabels(names)
    for tick, r in zip(ax.get_yticklabels(), ordered):
        if _is_pooled(r, "study") or r.get("largest") is True:
            tick.set_fontweight("bold")
    right = ax.secondary_yaxis("right")
    right.set_yticks(ys)
    right.set_yticklabels(values, fontsize=8)
    right.tick_params(length=0)
    right.spines["right"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
    ax.set_xlabel("mean engagement (0-100)")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, fontsize=8, frameon=False)
    ax.set_title(title if title is not None else
                 "Engagement of customer-facing employees vs the others (gap with Welch CI)",
                 loc="left", fontsize=11, pad=22)
    return Chart(fig, dpi=dpi)


def drivers_chart(
    drivers_table: object,
    *,
    title: str | None = None,
    width: float = 10.0,
    height: float | None = None,
    dpi: float = 100.0,
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
        Pixels per inch of the PNG export.

    Returns
    -------
    Chart

    Examples
    --------
    >>> import miroir, miroir.charts
    >>> study = miroir.synthetic_study(studies=3, employees=3_000, customers=6_000, seed=1)
    >>> chart = miroir.charts.drivers_chart(miroir.drivers(study, n_resamples=200), height=3)
    >>> chart.to_png()[:8] == b'\\x89PNG\\r\\n\\x1a\\n', chart.size
    (True, (1000, 300))
    """
    df = _frame(drivers_table, "drivers_table")
    _require(df, "drivers_table",
             ["driver", "share", "share_ci_low", "share_ci_high", "beta_std", "ci_low", "ci_high"])
    rows = sorted(df.to_dicts(), key=lambda r: _descending(_float(r["share"])))
    if height is None:
        height = 1.6 + 0.45 * max(len(rows), 1)
    _check_size(width, height, dpi)
    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    ys = list(range(len(rows), 0, -1))
    shares = [100 * (_float(r["share"]) or 0.0) for r in rows]
    ax.barh(ys, shares, color="#1565c0", height=0.6, zorder=2)
    for r, y, s in zip(rows, ys, shares):
        lo, hi = _float(r["share_ci_low"]), _float(r["share_ci_high"])
        if lo is not None and hi is not None:
            ax.errorbar([s], [y], xerr=[[s - 100 * lo], [100 * hi - s]], fmt="none",
                        ecolor="#212121", capsize=3, lw=1, zorder=3)
    ax.set_yticks(ys)
    ax.set_yticklabels([str(r.get("label") or r["driver"]) for r in rows])
    right = ax.secondary_yaxis("right")
    right.set_yticks(ys)
    right.set_yticklabels(
        [f"β* {fmt_number(r['beta_std'], 2)} {fmt_ci(r['ci_low'], r['ci_high'], 2)}" for r in rows],
        fontsize=8)
    right.tick_params(length=0)
    right.spines["right"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
    ax.set_xlabel("share of the explained variance (LMG, %), with its bootstrap interval")
    top = max([100 * (_float(r["share_ci_high"]) or 0.0) for r in rows] + shares + [1.0])
    ax.set_xlim(0, top * 1.08)
    ax.set_ylim(0.4, len(rows) + 0.6)
    if title is None:
        outcome = str(rows[0].get("outcome", "the outcome")).replace("_", " ") if rows else "the outcome"
        r2 = _float(rows[0].get("r2")) if rows else None
        title = f"What drives {outcome}" + (f" (within-study R² = {fmt_number(r2, 2)})" if r2 is not None else "")
    ax.set_title(title, loc="left", fontsize=11)
    return Chart(fig, dpi=dpi)
