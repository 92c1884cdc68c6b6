"""Result objects of the mirror analyses: the polars table, plus a readable display.

Every analysis (:func:`miroir.linkage`, :func:`miroir.linkage_units`, :func:`miroir.exposure_gap`,
:func:`miroir.moments`, :func:`miroir.moment_effects`, :func:`miroir.indicators`) returns a
:class:`Result`. Its ``.table`` is the tidy polars DataFrame with the documented columns,
unchanged; the result adds

- ``repr(result)``: a one-line headline (the figure a reader looks for first) and a compact table
  of the key columns: numbers rounded, intervals written ``[low, high]``, p-values ``<0.001``,
  significant rows marked ``*``, suppressed groups written ``suppressed`` (never blank), and
  the notes of the table as numbered footnotes;
- ``result._repr_html_()``: the same content as a self-contained HTML table (inline style, no
  script), which Jupyter shows for a result left at the end of a cell;
- ``to_polars()``, ``to_pandas()``, ``to_dicts()``, ``significant_rows()``, ``suppressed_rows()``.

A result also behaves like its table: any attribute it does not define itself is looked up on
``.table`` (``result.filter(...)``, ``result.select(...)``, ``result.row(0, named=True)``,
``result.height``, ``result.columns``), and ``result["col"]``, ``len(result)``, ``"col" in result``
and ``for column in result`` work as on a polars DataFrame. What these return is plain polars.
Compare results through their tables: ``a.table.equals(b.table)``.

The package holds one module per analysis (:mod:`~miroir.results.linkage`,
:mod:`~miroir.results.units`, :mod:`~miroir.results.exposure_gap`, :mod:`~miroir.results.moments`,
:mod:`~miroir.results.moment_effects`, :mod:`~miroir.results.indicators`,
:mod:`~miroir.results.drivers`), the base class (:mod:`~miroir.results.base`), the display model
(``_display``), the :class:`Report` (:mod:`~miroir.results.report`), the JSON writing (``_json``)
and the number formatters of every display and deliverable (``_format``); every name is
importable from ``miroir.results``.
"""

# the constants and helpers other modules (and tests) import from ``miroir.results``
from miroir.results._display import HTML_MARK as HTML_MARK
from miroir.results._display import TEXT_MARK as TEXT_MARK
from miroir.results._format import NOT_APPLICABLE as NOT_APPLICABLE
from miroir.results._format import SUPPRESSED as SUPPRESSED
from miroir.results._format import UNDEFINED as UNDEFINED
from miroir.results._format import Row as Row
from miroir.results._format import _fmt_int as _fmt_int
from miroir.results._json import json_rows as json_rows
from miroir.results.moments import MOMENT_ORDER as MOMENT_ORDER

from miroir.results.base import Result
from miroir.results.drivers import DriversResult
from miroir.results.exposure_gap import ExposureGapResult, MultilevelGapResult
from miroir.results.indicators import IndicatorsResult
from miroir.results.linkage import CorrectedLinkageResult, LinkageResult
from miroir.results.moment_effects import MomentEffectsResult
from miroir.results.moments import MomentsResult
from miroir.results.report import Report
from miroir.results.units import UnitsResult

__all__ = [
    "CorrectedLinkageResult",
    "DriversResult",
    "ExposureGapResult",
    "IndicatorsResult",
    "LinkageResult",
    "MultilevelGapResult",
    "MomentEffectsResult",
    "MomentsResult",
    "Report",
    "Result",
    "UnitsResult",
]
