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
    if _is_pandas(obj):
        frame = pl.from_pandas(obj)
        if isinstance(frame, pl.DataFrame):
            return frame
    raise TypeError(
        f"{name}: expected a polars or pandas DataFrame, got {type(obj).__name__}"
    )


def to_float_series(obj: Any, name: str) -> pl.Series:
    """Return numbers (list, numpy array, pandas or polars Series) as a Float64 polars Series."""
    if isinstance(obj, pl.Series):
        s = obj
    elif _is_pandas(obj):
        s = _from_pandas_series(obj, name)
    else:
        s = pl.Series(name, obj, strict=False)
    if not s.dtype.is_numeric() and s.dtype != pl.Boolean and s.dtype != pl.Null:
        raise TypeError(f"{name}: expected numbers, got {s.dtype}")
    # annotated: polars types `cast` as returning `typing.Self`, which a Python 3.10 type check
    # cannot resolve (it is Any there)
    floats: pl.Series = s.cast(pl.Float64)
    return floats.rename(name)


def to_label_series(obj: Any, name: str) -> pl.Series:
    """Return group labels of any type as a polars Series."""
    if isinstance(obj, pl.Series):
        return obj.rename(name)
    if _is_pandas(obj):
        return _from_pandas_series(obj, name).rename(name)
    return pl.Series(name, obj, strict=False)


def _is_pandas(obj: object) -> bool:
    """Whether ``obj`` is a pandas object (checked by module: pandas is an optional import)."""
    return type(obj).__module__.startswith("pandas")


def _from_pandas_series(obj: Any, name: str) -> pl.Series:
    """A pandas Series or Index as a polars Series; a pandas DataFrame is refused."""
    s = pl.from_pandas(obj)
    if not isinstance(s, pl.Series):
        raise TypeError(f"{name}: expected a column of values, got a pandas {type(obj).__name__}")
    return s
