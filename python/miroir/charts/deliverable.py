"""The charts of the deliverables (HTML page, PowerPoint deck): drawn once per report, language,
tables and options, then reused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from miroir.charts._common import DEFAULT_DPI
from miroir.charts.figure import Chart


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
    import miroir.charts

    # looked up on the package, where a test (or a user) may have replaced it
    function = getattr(miroir.charts, name)
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
