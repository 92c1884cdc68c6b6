"""The linkage scatter: units, mean engagement against the customers' outcome, one colour per
study, with fitted OLS lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from miroir.charts._common import (
    DEFAULT_DPI,
    _frame,
    _lang_and_size,
    _new_figure,
    _num,
    _outcome_name,
    _require,
    _study_colours,
    _ticks,
)
from miroir.charts.figure import Chart
from miroir.i18n import format_ci, text
from miroir.results._format import _float
from miroir._frames import invalid_argument

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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
    title, width, height, dpi, lang
        As for every chart (:mod:`miroir.charts`); the default title also says which lines are
        drawn.

    Raises
    ------
    InvalidArgumentError
        As every chart does, and for an unknown ``fit``.

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
        raise invalid_argument(
            "fit", f"must be 'study', 'pooled' or 'none', got {fit!r}"
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
