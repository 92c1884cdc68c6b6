"""miroir: statistical engine for mirror studies.

An employee survey and a customer survey analysed side by side: how employee engagement and
customer satisfaction move together, where customer-facing staff are less engaged, and which key
interactions enchant customers while exhausting employees.
"""

from importlib import import_module as _import_module
from types import ModuleType as _ModuleType

from miroir._core import (
    DataError,
    DataQualityWarning,
    DtypeError,
    DuplicateIdError,
    EmptyTableError,
    FileError,
    InsufficientDataError,
    InvalidArgumentError,
    MiroirError,
    MissingColumnError,
    MissingValueError,
    OrphanMentionError,
    OutOfRangeError,
    SchemaError,
    SpecError,
    StatsError,
    UnknownCategoryError,
)
from miroir._core import Schema
from miroir._frames import InvalidArgumentTypeError
from miroir._core import version as _version
from miroir.analysis import (
    Report,
    exposure_gap,
    indicators,
    linkage,
    linkage_corrected,
    linkage_units,
    moment_effects,
    moments,
    multilevel_gap,
    report,
)
from miroir.drivers import DriversResult, drivers
from miroir.planning import LinkagePlan, plan_linkage
from miroir.reproduce import reproduce
from miroir.results import (
    CorrectedLinkageResult,
    ExposureGapResult,
    IndicatorsResult,
    LinkageResult,
    MomentEffectsResult,
    MultilevelGapResult,
    MomentsResult,
    Result,
    UnitsResult,
)
from miroir.study import Study, load_study, synthetic_study
from miroir.synth_text import synthetic_codebook, synthetic_verbatims
from miroir.segments import protect_segments, segments
from miroir.waves import WavesComparison, compare_waves, load_waves

__version__: str = _version()

# Submodules reachable as attributes without an explicit import (``miroir.charts.forest_plot``,
# ``miroir.stats.pearson``), imported on first access: ``import miroir`` stays light and never
# imports matplotlib.
_LAZY_SUBMODULES: tuple[str, ...] = ("charts", "html_report", "stats")


def __getattr__(name: str) -> _ModuleType:
    if name in _LAZY_SUBMODULES:
        return _import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))


__all__ = [
    "CorrectedLinkageResult",
    "DataError",
    "DataQualityWarning",
    "DriversResult",
    "DtypeError",
    "DuplicateIdError",
    "EmptyTableError",
    "ExposureGapResult",
    "FileError",
    "IndicatorsResult",
    "LinkagePlan",
    "InsufficientDataError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "LinkageResult",
    "MiroirError",
    "MissingColumnError",
    "MissingValueError",
    "MomentEffectsResult",
    "MomentsResult",
    "MultilevelGapResult",
    "OrphanMentionError",
    "OutOfRangeError",
    "Report",
    "Result",
    "Schema",
    "SchemaError",
    "SpecError",
    "Study",
    "StatsError",
    "UnitsResult",
    "UnknownCategoryError",
    "WavesComparison",
    "__version__",
    "drivers",
    "compare_waves",
    "exposure_gap",
    "indicators",
    "linkage",
    "linkage_corrected",
    "linkage_units",
    "moment_effects",
    "moments",
    "multilevel_gap",
    "plan_linkage",
    "report",
    "reproduce",
    "protect_segments",
    "segments",
    "load_study",
    "load_waves",
    "synthetic_study",
    "synthetic_codebook",
    "synthetic_verbatims",
]
