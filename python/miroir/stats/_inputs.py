"""Argument conversion shared by the test families: numbers, numeric arrays, item tables and
contingency tables, each refused by name when it is not what the test expects."""

from __future__ import annotations

from typing import Any

import polars as pl

from miroir._frames import invalid_argument, to_polars_frame


def _number(value: Any, name: str) -> float:
    """A real number argument as a float, or an InvalidArgumentError naming it."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise invalid_argument(name, f"expected a number ({e})") from None


def _float_array(value: Any, name: str, expected: str) -> Any:
    """``value`` as a numpy array of floats; anything that is not is refused by name."""
    import numpy as np

    try:
        return np.asarray(value, dtype=float)
    except (ValueError, TypeError, OverflowError) as e:
        raise invalid_argument(name, f"expected {expected} ({e})") from None


def _items(items: Any, name: str) -> pl.DataFrame:
    if isinstance(items, (pl.DataFrame, pl.LazyFrame)) or type(items).__module__.startswith("pandas"):
        return to_polars_frame(items, name)
    arr = _float_array(items, name, "a rectangular table of numbers")
    if arr.ndim != 2:
        raise invalid_argument(
            name, f"expected a 2-D table (rows = respondents, "
            f"columns = items), got {arr.ndim} dimension(s)"
        )
    return pl.DataFrame({f"item{j}": arr[:, j] for j in range(arr.shape[1])})


def _table(table: Any) -> list[list[float]]:
    """A contingency table as rows of floats; ragged or non-numeric tables are refused."""
    arr = _float_array(table, "table", "a rectangular table of counts")
    if arr.ndim != 2 or arr.size == 0:
        raise invalid_argument(
            "table", f"expected a 2-D table of counts, got shape {arr.shape}"
        )
    rows: list[list[float]] = arr.tolist()
    return rows
