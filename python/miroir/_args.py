"""Argument checks shared by the study's constructors and loaders: tables, paths and integers,
 each refused by name with the type or the value expected."""

from __future__ import annotations

import inspect
import operator
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from miroir._frames import (
    invalid_argument,
    invalid_argument_type,
    InvalidArgumentTypeError,
    refuse_object_columns,
    to_polars_frame,
)

PathLike = str | os.PathLike[str]


def _table(obj: Any, name: str) -> pl.DataFrame:
    """A study table as a polars DataFrame, refusing columns of Python objects."""
    frame = to_polars_frame(obj, name)
    refuse_object_columns(frame, name)
    return frame


def _path_arg(value: Any, name: str) -> Path:
    """A path argument (str or os.PathLike) as a Path; anything else is refused by name."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise invalid_argument_type(
            name, f"expected a path (str or os.PathLike), got "
            f"{type(value).__name__}"
        )
    if value == "":
        raise invalid_argument(name, f"the path is empty")
    if "\0" in value:
        raise invalid_argument(
            name, f"the path contains a NUL character: {value!r}"
        )
    return Path(value)


def _int_arg(value: Any, name: str, *, minimum: int = 0, maximum: int = 2**64 - 1) -> int:
    """An integer argument (int or numpy integer, not bool) within [minimum, maximum]."""
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise invalid_argument_type(
            name, f"expected an integer, got {type(value).__name__}"
        )
    number = operator.index(value)
    if number < minimum:
        raise invalid_argument(
            name, f"must be at least {minimum}, got {number}"
        )
    if number > maximum:
        raise invalid_argument(
            name, f"must be at most {maximum}, got {number}"
        )
    return number


def _options(func: Callable[..., Any], options: dict[str, Any]) -> dict[str, Any]:
    """``options`` if ``func`` takes them all as keywords; an unknown one is refused by name
    with the list of those it takes."""
    params = inspect.signature(func).parameters
    known = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    for key in options:
        if key not in known:
            raise invalid_argument_type(
                key, f"{func.__name__}() takes "
                f"{', '.join(known) if known else 'no options'}"
            )
    return options
