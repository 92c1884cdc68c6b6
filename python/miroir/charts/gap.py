"""The exposure gap chart: mean engagement of customer-facing employees against the others, per
study."""

from __future__ import annotations

from miroir.charts._common import (
    _BLUE,
    _VERMILLION,
    DEFAULT_DPI,
    _descending,
    _frame,
    _is_pooled,
    _label_rows,
    _lang_and_size,
    _new_figure,
    _num,
    _require,
    _ticks,
)
from miroir.charts.figure import Chart
from miroir.i18n import format_ci, text
from miroir.results._format import _float


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
    title, width, height, dpi, lang
        As for every chart (:mod:`miroir.charts`); the default height is 1.6 + 0.38 per row.

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
    _label_rows(ax, ys, names, values,
                [_is_pooled(r, "study") or r.get("largest") is True for r in ordered])
    ax.set_xlabel(text("chart.gap.xlabel", lang))
    _ticks(ax.xaxis, lang)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, fontsize=8, frameon=False)
    ax.set_title(title if title is not None else text("chart.gap.title", lang),
                 loc="left", fontsize=11, pad=22)
    return Chart(fig, dpi=dpi)
