"""WIP (issue 16): miroir.charts.drivers_chart, to append to python/miroir/charts.py once
miroir.drivers is enabled."""


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
