"""The mirror matrix: each theme placed by customer polarity against employee voice, in the six
moment regions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from miroir.charts._common import (
    _GREY,
    DEFAULT_DPI,
    MOMENT_COLOURS,
    MOMENTS,
    _frame,
    _lang_and_size,
    _new_figure,
    _require,
)
from miroir.charts._labels import _place_labels
from miroir.charts.figure import Chart
from miroir.i18n import format_percent, moment_action, moment_name, text
from miroir.results._format import _float
from miroir._frames import invalid_argument

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# y-coordinates of the mirror matrix: employee positive share in [0, 1], silent band below.
_BAND_LOW, _BAND_HIGH = -0.34, -0.08


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
    title, width, height, dpi, lang
        As for every chart (:mod:`miroir.charts`); ``lang`` also names the moments and their
        actions.

    Returns
    -------
    Chart
        Themes with no customer share, or a suppressed employee side that is not silent, are
        not drawn; a footnote counts them.

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
        raise invalid_argument(
            "silence_rate", f"must be in (0, 1], got {silence_rate!r}"
        )
    multi_study = False
    if "study" in df.columns:
        if study is not None:
            df = df.filter(pl.col("study") == study)
            if df.height == 0:
                raise invalid_argument(
                    "study", f"no theme of study {study!r} in the table"
                )
        else:
            multi_study = df["study"].n_unique() > 1

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    region_labels = _draw_regions(ax, lang)
    groups, not_drawn = _theme_points(df.to_dicts(), silence_rate, show_undetermined, multi_study)
    counts = _draw_points(ax, groups, lang)
    _matrix_axes(ax, lang)
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


Point = tuple[float, float, float, str]  # x, y, marker area, theme name


def _draw_regions(ax: Axes, lang: str) -> list[Any]:
    """The six moment regions, shaded, each labelled with its name and short action, and the
    lines between them; returns the labels (the theme names must not cover them)."""
    from matplotlib.patches import Rectangle

    regions = {
        "win_win": (0.5, 0.5, 0.5, 0.5), "pain": (0.5, 0.0, 0.5, 0.5),
        "lucky_break": (0.5, _BAND_LOW, 0.5, _BAND_HIGH - _BAND_LOW),
        "wrong_fight": (0.0, 0.5, 0.5, 0.5), "dead_end": (0.0, 0.0, 0.5, 0.5),
        "blindness": (0.0, _BAND_LOW, 0.5, _BAND_HIGH - _BAND_LOW),
    }
    region_labels: list[Any] = []
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
    return region_labels


def _theme_points(rows: list[dict[str, Any]], silence_rate: float, show_undetermined: bool,
                  multi_study: bool) -> tuple[dict[str, list[Point]], int]:
    """Each theme's point by moment (grey groups: ``undetermined``, ``too_few_mentions``), and
    how many themes could not be placed (no customer share, or a suppressed employee side)."""
    groups: dict[str, list[Point]] = {}
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
    return groups, not_drawn


def _draw_points(ax: Axes, groups: dict[str, list[Point]], lang: str) -> dict[str, int]:
    """The markers, one scatter per moment (every moment in the legend, even without a theme);
    returns the number of themes drawn per group."""
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
    return counts


def _matrix_axes(ax: Axes, lang: str) -> None:
    """The axes of the matrix: shares in percent, the silent band named on the y axis."""
    from matplotlib.ticker import FixedLocator

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


def _darker(colour: str, factor: float = 0.7) -> tuple[float, float, float]:
    """``colour`` darkened (text on a light tint of the same hue stays readable)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return r * factor, g * factor, b * factor
