"""What every chart shares: the palettes, the resolutions, the checks of a chart's arguments,
the figure, the tick labels in the report's language, and the rows of labelled charts (forest
plot, exposure gap, drivers)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from miroir import _core
from miroir.i18n import check_lang, format_number, format_percent, text
from miroir.results import MOMENT_ORDER
from miroir.results._format import _float
from miroir._frames import invalid_argument

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


#: The six moments of the mirror matrix, in the order of the matrix (customers enchanted, then
#: customers irritated; employees proud, silent, frustrated).
MOMENTS: tuple[str, ...] = MOMENT_ORDER

#: The Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"): eight colours told apart
#: with every common colour-vision deficiency. Charts use it for moments, studies and sides.
OKABE_ITO: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
)

#: One Okabe-Ito colour per moment (colour-blind safe; tests/python/test_charts_quality.py
#: checks they stay apart under simulated protanopia, deuteranopia and tritanopia).
MOMENT_COLOURS: dict[str, str] = {
    "win_win": "#009e73",
    "lucky_break": "#56b4e9",
    "pain": "#e69f00",
    "wrong_fight": "#cc79a7",
    "blindness": "#0072b2",
    "dead_end": "#d55e00",
}
_GREY = "#8c8c8c"
_BLUE, _VERMILLION = "#0072b2", "#d55e00"

#: Resolution (pixels per inch) of the PNG a chart exports by default: print quality.
DEFAULT_DPI = 200.0
#: Resolution a chart's size is announced at when displayed in Jupyter: the PNG keeps the
#: chart's own dpi (sharp on high-density screens) but shows at this density.
DISPLAY_DPI = 100.0

#: Where each moment sits: (customers, employees).
MOMENT_AXES: dict[str, tuple[str, str]] = {
    key: (customer, employee) for key, customer, employee, _ in _core.moment_taxonomy()
}


# ---------------------------------------------------------------------------------------------
# input handling


def _frame(obj: object, name: str) -> pl.DataFrame:
    """A polars DataFrame from a DataFrame, a result object's ``.table`` or a pandas frame."""
    if isinstance(obj, pl.DataFrame):
        return obj
    module = type(obj).__module__ or ""
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(obj, pd.DataFrame):
            return pl.from_pandas(obj)
    table = getattr(obj, "table", None)
    if table is not None and table is not obj:
        return _frame(table, name)
    raise invalid_argument(
        name, f"expected a table (polars or pandas DataFrame, or an "
        f"analysis result with a .table), got {type(obj).__name__}"
    )


def _require(df: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        listed = ", ".join(f"'{c}'" for c in missing)
        raise invalid_argument(
            name, f"the table has no column {listed} "
            f"(needs {', '.join(columns)}; it has {', '.join(df.columns) or 'no columns'})"
        )


def _check_size(width: float, height: float | None, dpi: float) -> None:
    for arg, value in (("width", width), ("height", height), ("dpi", dpi)):
        if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value)
                                      and value > 0):
            raise invalid_argument(
                arg, f"must be a positive number, got {value!r}"
            )


def _new_figure(width: float, height: float, dpi: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi, layout="constrained")


def _study_colours(n: int) -> list[tuple[str, str]]:
    """(colour, marker) per study: the Okabe-Ito colours (black last), then the same colours
    again with another marker shape, so that studies stay apart without relying on hue."""
    markers = ("o", "s", "^", "D", "v", "P", "X")
    return [(OKABE_ITO[i % len(OKABE_ITO)], markers[(i // len(OKABE_ITO)) % len(markers)])
            for i in range(n)]


def _lang_and_size(lang: object, width: float, height: float | None, dpi: float) -> str:
    """Check ``lang`` then the sizes, once, before any drawing."""
    checked = check_lang(lang)
    _check_size(width, height, dpi)
    return checked


def _num(value: object, lang: str, digits: int | None = None) -> str:
    """A number in a chart: the report's formatting (``—`` when missing)."""
    return format_number(value, lang, digits)


def _ticks(axis: Any, lang: str, *, percent: bool = False) -> None:
    """Tick labels of ``axis`` in ``lang`` (decimal comma in French), with as many decimals as
    the spacing of the ticks needs (0.70, 0.75 rather than 0.700, 0.750)."""
    from matplotlib.ticker import Formatter

    def decimals(locs: Sequence[float]) -> int:
        locs = [float(v) for v in locs]
        step = min((abs(b - a) for a, b in zip(locs, locs[1:]) if b != a), default=1.0)
        if percent:
            step *= 100
        for d in range(7):
            if abs(round(step * 10**d) - step * 10**d) < 1e-6 * max(1.0, step * 10**d):
                return d
        return 6

    def label(value: float, digits: int) -> str:
        if percent:
            return format_percent(value, lang, digits)
        return format_number(value, lang, digits)

    class _Labels(Formatter):
        # matplotlib labels the ticks through format_ticks, with the axis' major tick
        # locations: the decimals are worked out once for them, not once per label
        def __call__(self, value: float, pos: object = None) -> str:
            return label(value, decimals(axis.get_majorticklocs()))

        def format_ticks(self, values: list[float]) -> list[str]:
            self.set_locs(values)
            digits = decimals(values)
            return [label(value, digits) for value in values]

    axis.set_major_formatter(_Labels())


def _outcome_name(outcome: str, lang: str) -> str:
    """``share_satisfied`` -> ``share satisfied`` / ``part de clients satisfaits``."""
    key = f"value.outcome.{outcome}"
    from miroir.i18n import has

    return text(key, lang) if has(key) else outcome.replace("_", " ")


def _value(vocabulary: str, value: str, lang: str) -> str:
    from miroir.i18n import value_label

    return value_label(vocabulary, value, lang)


def _descending(value: float | None) -> float:
    """Sort key: largest first, missing last."""
    return math.inf if value is None else -value


def _is_pooled(row: dict[str, Any], label: str) -> bool:
    if "level" in row:
        return str(row["level"]) == "pooled"
    return str(row.get(label)) in ("all", "pooled")


def _row_note(row: dict[str, Any], estimate: str, lang: str = "en") -> str:
    if row.get("suppressed") is True:
        return text("chart.forest.suppressed", lang)
    if _float(row.get(estimate)) is None:
        return text("chart.forest.not_estimable", lang)
    return ""


def _label_rows(ax: Axes, ys: Sequence[float], names: Sequence[str], values: Sequence[str],
                bold: Sequence[bool] | None = None) -> None:
    """The rows of a labelled chart (forest plot, exposure gap, drivers): each row's name on
    the left (in bold where ``bold``), its value on the right, no frame on the top and right, a
    light vertical grid."""
    ax.tick_params(axis="y", length=0)  # before the ticks are made: set once, not on each
    ax.set_yticks(ys)
    ax.set_yticklabels(names)
    if bold is not None:
        for tick, strong in zip(ax.get_yticklabels(), bold):
            if strong:
                tick.set_fontweight("bold")
    right = ax.secondary_yaxis("right")
    right.tick_params(length=0)
    right.set_yticks(ys)
    right.set_yticklabels(values, fontsize=8)
    right.spines["right"].set_visible(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
