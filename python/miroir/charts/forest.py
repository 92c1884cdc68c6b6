"""The forest plot: per-study estimates with their confidence intervals, and the pooled estimate
as a diamond."""

from __future__ import annotations

from collections.abc import Sequence

from miroir.charts._common import (
    _BLUE,
    _VERMILLION,
    DEFAULT_DPI,
    _check_size,
    _frame,
    _is_pooled,
    _label_rows,
    _new_figure,
    _num,
    _require,
    _row_note,
    _ticks,
    _value,
)
from miroir.charts.figure import Chart
from miroir.i18n import check_lang, format_ci, text
from miroir.results._format import _float


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
    xlabel : str, optional
        Axis label (a default says what is drawn).
    title, width, height, dpi, lang
        As for every chart (:mod:`miroir.charts`); the default height is 1.4 + 0.35 per row.

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
    _label_rows(ax, ys, [e[0] for e in entries], values, [e[4] for e in entries])
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
