"""The drivers chart: each driver's share of the explained variance, with its bootstrap interval."""

from __future__ import annotations

from miroir.charts._common import (
    _BLUE,
    DEFAULT_DPI,
    _descending,
    _frame,
    _label_rows,
    _lang_and_size,
    _new_figure,
    _num,
    _outcome_name,
    _require,
    _ticks,
)
from miroir.charts.figure import Chart
from miroir.i18n import format_ci, text
from miroir.results._format import _float


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
    title, width, height, dpi, lang
        As for every chart (:mod:`miroir.charts`); the default height is 1.6 + 0.45 per driver.

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
    _label_rows(ax, ys,
                [str((r.get("label_fr") if lang == "fr" else None) or r.get("label") or r["driver"])
                 for r in rows],
                [text("chart.drivers.beta", lang, beta=_num(r["beta_std"], lang, 2),
                      ci=format_ci(r["ci_low"], r["ci_high"], lang, 2)) for r in rows])
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
