"""Conversions of user inputs (polars, pandas, numpy, lists) into polars objects."""

from __future__ import annotations

from typing import Any

import polars as pl


def to_polars_frame(obj: Any, name: str) -> pl.DataFrame:
    """Return ``obj`` as a polars DataFrame (pandas DataFrames are converted)."""
    if isinstance(obj, pl.DataFrame):
        return obj
    if isinstance(obj, pl.LazyFrame):
        return obj.collect()
    module = type(obj).__module__
    if module.startswith("pandas"):
        return pl.from_pandas(obj)
    raise TypeError(
        f"{name}: expected a polars or pandas DataFrame, got {type(obj).__name__}"
    )


def to_float_series(obj: Any, name: str) -> pl.Series:
    """Return numbers (list, numpy array, pandas or polars Series) as a Float64 polars Series."""
    if isinstance(obj, pl.Series):
        s = obj
    elif type(obj).__module__.startswith("pandas"):
        s = pl.from_pandas(obj)
    else:
        s = pl.Series(name, obj, strict=False)
    if not s.dtype.is_numeric() and s.dtype != pl.Boolean and s.dtype != pl.Null:
        raise TypeError(f"{name}: expected numbers, got {s.dtype}")
    return s.cast(pl.Float64).rename(name)


def to_label_series(obj: Any, name: str) -> pl.Series:
    """Return group labels of any type as a polars Series."""
    if isinstance(obj, pl.Series):
        return obj.rename(name)
    if type(obj).__module__.startswith("pandas"):
        return pl.from_pandas(obj).rename(name)
    return pl.Series(name, obj, strict=False)
