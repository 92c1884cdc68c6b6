"""Conversions of user inputs (polars, pandas, numpy, lists) into polars objects.

Every refusal here is typed: a wrong type of argument is an :class:`InvalidArgumentTypeError`
(a :class:`miroir.InvalidArgumentError` that is also a ``TypeError``), a column that cannot
become a polars column is a :class:`miroir.DtypeError` naming the table, the column and an
example value with its row.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import sys
from typing import Any

import polars as pl

from miroir import _core


class InvalidArgumentTypeError(_core.InvalidArgumentError, TypeError):
    """An argument of the wrong type: a :class:`miroir.InvalidArgumentError` (so a
    :class:`miroir.MiroirError`) that is also a ``TypeError``, the exception Python code
    expects for a wrong type."""


InvalidArgumentTypeError.__module__ = "miroir"


def to_polars_frame(obj: Any, name: str) -> pl.DataFrame:
    """Return ``obj`` as a polars DataFrame (pandas DataFrames are converted column by column:
    a column that cannot be converted is a :class:`miroir.DtypeError` naming it)."""
    if isinstance(obj, pl.DataFrame):
        return obj
    if isinstance(obj, pl.LazyFrame):
        return obj.collect()
    if _is_pandas_frame(obj):
        return _from_pandas_frame(obj, name)
    raise InvalidArgumentTypeError(
        f"{name}: expected a polars or pandas DataFrame, got {type(obj).__name__}"
    )


def refuse_object_columns(frame: pl.DataFrame, table: str) -> None:
    """Refuse columns of Python objects (polars ``Object``, also nested in a list or struct):
    they can be neither validated nor written, and their bytes are pointers, not values."""
    for column, dtype in frame.schema.items():
        if _holds_objects(dtype):
            example = ""
            if dtype == pl.Object:
                row, value = _first_value(frame[column])
                if row is not None:
                    example = f" (row index {row}: {_show(value)})"
            raise _core.DtypeError(
                f"table '{table}', column '{column}': expected numbers, text, yes/no or dates, "
                f"found Python objects ({dtype}){example}; convert the column "
                "(e.g. to text) or drop it"
            )


def to_float_series(obj: Any, name: str) -> pl.Series:
    """Return numbers (list, numpy array, pandas or polars Series) as a Float64 polars Series."""
    s = _to_series(obj, name)
    if not s.dtype.is_numeric() and s.dtype != pl.Boolean and s.dtype != pl.Null:
        raise InvalidArgumentTypeError(f"{name}: expected numbers, got {s.dtype}")
    # annotated: polars types `cast` as returning `typing.Self`, which a Python 3.10 type check
    # cannot resolve (it is Any there)
    floats: pl.Series = s.cast(pl.Float64)
    return floats.rename(name)


def to_label_series(obj: Any, name: str) -> pl.Series:
    """Return group labels of any type as a polars Series."""
    return _to_series(obj, name).rename(name)


def _to_series(obj: Any, name: str) -> pl.Series:
    """A polars Series from a polars or pandas Series, a numpy array or a sequence; what polars
    cannot turn into a column is an :class:`InvalidArgumentTypeError` naming the argument."""
    if isinstance(obj, pl.Series):
        return obj
    if _is_pandas(obj):
        return _from_pandas_series(obj, name)
    if isinstance(obj, (str, bytes, dict, pl.DataFrame, pl.LazyFrame)) or obj is None:
        raise InvalidArgumentTypeError(
            f"{name}: expected a column of values (list, numpy array, polars or pandas Series), "
            f"got {type(obj).__name__}"
        )
    try:
        return pl.Series(name, obj, strict=False)
    except (TypeError, ValueError, OverflowError) as e:
        raise InvalidArgumentTypeError(
            f"{name}: expected a column of values, got {type(obj).__name__} ({_one_line(e)})"
        ) from None


def _is_pandas(obj: object) -> bool:
    """Whether ``obj`` is a pandas object (checked by module: pandas is an optional import)."""
    return type(obj).__module__.startswith("pandas")


def _is_pandas_frame(obj: object) -> bool:
    """Whether ``obj`` is a pandas DataFrame (or a subclass of it)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def _from_pandas_series(obj: Any, name: str) -> pl.Series:
    """A pandas Series or Index as a polars Series; a pandas DataFrame is refused."""
    if _is_pandas_frame(obj):
        raise InvalidArgumentTypeError(
            f"{name}: expected a column of values, got a pandas {type(obj).__name__}"
        )
    try:
        s = pl.from_pandas(obj)
    except ImportError:
        raise
    except Exception as e:  # pyarrow's errors name no argument
        raise InvalidArgumentTypeError(
            f"{name}: cannot convert the pandas {type(obj).__name__} (dtype "
            f"{getattr(obj, 'dtype', '?')}): {_one_line(e)}"
        ) from None
    if not isinstance(s, pl.Series):
        raise InvalidArgumentTypeError(
            f"{name}: expected a column of values, got a pandas {type(obj).__name__}"
        )
    return s


# -- pandas DataFrames -----------------------------------------------------------------------------


def _from_pandas_frame(obj: Any, table: str) -> pl.DataFrame:
    """A pandas DataFrame as a polars one; every refusal names the table and the column."""
    names = [str(c) for c in obj.columns]
    seen: set[str] = set()
    for column in names:
        if column in seen:
            raise _core.SchemaError(
                f"table '{table}': column '{column}' appears more than once; rename or drop "
                "the duplicates"
            )
        seen.add(column)
    for i, column in enumerate(names):
        series = obj.iloc[:, i]
        if str(series.dtype) == "object":
            _check_object_column(series, table, column)
    try:
        frame = pl.from_pandas(obj)
    except ImportError:
        raise
    except Exception as whole:  # pyarrow's and polars' errors: find the column responsible
        for i, column in enumerate(names):
            try:
                pl.from_pandas(obj.iloc[:, [i]])
            except ImportError:
                raise
            except Exception as e:
                raise _core.DtypeError(
                    f"table '{table}', column '{column}': cannot convert the pandas column "
                    f"(dtype {obj.iloc[:, i].dtype}): {_one_line(e)}"
                ) from None
        raise _core.DtypeError(
            f"table '{table}': cannot convert the pandas DataFrame: {_one_line(whole)}"
        ) from None
    if not isinstance(frame, pl.DataFrame):  # pragma: no cover - a DataFrame gives a DataFrame
        raise InvalidArgumentTypeError(f"{table}: expected a polars or pandas DataFrame")
    return frame


# what pandas.api.types.infer_dtype says of a column holding values of several types
_PANDAS_MIXED = ("mixed", "mixed-integer", "unknown-array")


def _check_object_column(series: Any, table: str, column: str) -> None:
    """Refuse a pandas ``object`` column whose values are of different kinds (numbers and
    text, yes/no and numbers, ...): pyarrow refuses some mixtures without naming the column and
    silently converts others (``True`` becomes 1.0 beside numbers)."""
    from pandas.api.types import infer_dtype  # a pandas object comes with pandas

    if infer_dtype(series, skipna=True) not in _PANDAS_MIXED:
        return  # one kind of value (pandas' own check, in C): no need to look at each
    first: tuple[int, Any, str] | None = None
    for row, value in enumerate(series.tolist()):
        kind = _kind(value)
        if kind is None:
            continue
        if first is None:
            first = (row, value, kind)
        elif kind != first[2]:
            raise _core.DtypeError(
                f"table '{table}', column '{column}': the pandas column mixes {first[2]} and "
                f"{kind} values (e.g. {_show(value)} at row index {row}, "
                f"{_show(first[1])} at row index {first[0]}); make it one type "
                "(e.g. .astype(str) for identifiers)"
            )


def _kind(value: Any) -> str | None:
    """What a value of a pandas object column is, for the purpose of converting the column
    (None for a missing value)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes/no"
    if isinstance(value, numbers.Number):
        if isinstance(value, numbers.Real) and math.isnan(float(value)):
            return None
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return "date/time"
    return type(value).__name__


def _holds_objects(dtype: Any) -> bool:
    if dtype == pl.Object:
        return True
    inner = getattr(dtype, "inner", None)
    if inner is not None and _holds_objects(inner):
        return True
    fields = getattr(dtype, "fields", None)
    if fields:
        return any(_holds_objects(f.dtype) for f in fields)
    return False


def _first_value(series: pl.Series) -> tuple[int | None, Any]:
    for row in range(min(series.len(), 10_000)):
        value = series[row]
        if value is not None:
            return row, value
    return None, None


def _show(value: Any, width: int = 40) -> str:
    """A value as the message shows it: its repr, clipped, with its type when it is not
    obvious from the repr."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    if len(text) > width:
        text = text[: width - 1] + "…"
    if isinstance(value, (str, bool, int, float)):
        return text
    return f"{text} ({type(value).__name__})"


def _one_line(error: BaseException) -> str:
    """An exception's message on one line."""
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:299] + "…"


def invalid_argument(argument: str, detail: str) -> _core.InvalidArgumentError:
    """An :class:`miroir.InvalidArgumentError` worded as the core words them (``invalid argument
    'x': detail``) that carries ``.argument``, as the core's do."""
    err = _core.InvalidArgumentError(f"invalid argument '{argument}': {detail}")
    err.argument = argument
    return err


def invalid_argument_type(argument: str, detail: str) -> InvalidArgumentTypeError:
    """:func:`invalid_argument` for an argument of the wrong type (also a ``TypeError``)."""
    err = InvalidArgumentTypeError(f"invalid argument '{argument}': {detail}")
    err.argument = argument
    return err
