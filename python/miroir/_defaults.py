"""The analyses' default options, stated once: in the Rust core, each analysis' options struct
has one ``Default`` (``LinkageOptions``, ``IndicatorOptions``, ...), read here through
``_core.analysis_defaults()``. The Python signatures, the result objects and the report take
their defaults from these tables, so a default cannot differ between Rust and Python.

>>> from miroir._defaults import LINKAGE
>>> LINKAGE["top_share"], LINKAGE["n_resamples"], LINKAGE["method"]
(0.08, 1999, 'pearson')
"""

from __future__ import annotations

from typing import Any, Final

from miroir import _core

DEFAULTS: Final[dict[str, dict[str, Any]]] = _core.analysis_defaults()
LINKAGE: Final = DEFAULTS["linkage"]
INDICATORS: Final = DEFAULTS["indicators"]
EXPOSURE_GAP: Final = DEFAULTS["exposure_gap"]
MOMENTS: Final = DEFAULTS["moments"]
DRIVERS: Final = DEFAULTS["drivers"]
LINKAGE_CORRECTED: Final = DEFAULTS["linkage_corrected"]
MULTILEVEL_GAP: Final = DEFAULTS["multilevel_gap"]
REPORT: Final = DEFAULTS["report"]
