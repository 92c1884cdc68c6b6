"""What the analyses share: the checks of their options (each refused by name) and the run of
an analysis on every segment of ``by``, stacked into one result."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from miroir import _core
from miroir._frames import invalid_argument_type, InvalidArgumentTypeError
from miroir._study_base import StudyBase, core_study
from miroir.results import Result
from miroir.segments import segment_tables

Cut = str | Sequence[str] | None

_R = TypeVar("_R", bound=Result)

_inner = core_study


def _real(name: str, value: object) -> float:
    """A numeric option as a float, refusing text, booleans and other objects by name."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid_argument_type(name, f"expected a number, got {value!r}")
    return float(value)


def _text(name: str, value: object) -> str:
    """A text option, refusing other objects by name."""
    if not isinstance(value, str):
        raise invalid_argument_type(name, f"expected text, got {value!r}")
    return value


def _opt_text(name: str, value: object) -> str | None:
    """An optional text option (``None`` allowed), refusing other objects by name."""
    return None if value is None else _text(name, value)


def _is_cut(by: object, own: tuple[str | None, ...]) -> bool:
    """Whether ``by`` asks for segments (a column, or several) rather than one of the
    analysis's own groupings ``own``."""
    return not (by is None or (isinstance(by, str) and by in own))


def _by_segments(cls: type[_R], study: StudyBase, by: Cut, analysis: str, run: Callable[[Any], Any],
                 options: dict[str, Any]) -> _R:
    """The analysis ``run`` on every segment of ``by``, stacked into one ``cls`` result (see
    :func:`miroir.segments.segments`)."""
    _inner(study)  # the typed error for a wrong argument
    tables, groups = segment_tables(study, by, analysis, run)
    table = tables["table"]
    if table is None:
        raise _core.InsufficientDataError(f"{analysis} by {by!r}: no segment gave a result")
    result = cls(table, {**options, "by": by})
    result.segment_groups = groups
    return result
