"""The units' attributes (region, network, format): the columns both respondent tables hold one
value of per unit, and a ``units`` table joined to both sides (``Study(units=...)``)."""

from __future__ import annotations

import warnings

import polars as pl

from miroir import _core
from miroir._core import DataQualityWarning
from miroir._schemas import canonical_schema

_NOT_ATTRIBUTES = ("study", "unit", "weight", "employee_id", "customer_id")


def unit_attributes(employees: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """One row per (study, unit) of either side with the columns both tables have that take one
    value per unit (nulls count as a value), sorted by study and unit."""
    shared = [c for c in employees.columns if c in customers.columns and c not in _NOT_ATTRIBUTES]
    both = pl.concat([employees.select("study", "unit", *shared), customers.select("study", "unit", *shared)],
                     how="vertical_relaxed").unique(maintain_order=True)
    if shared:
        counts = both.group_by("study", "unit").agg(pl.col(c).n_unique() for c in shared)
        shared = [c for c in shared if counts[c].max() == 1]
    return both.select("study", "unit", *shared).unique(["study", "unit"], maintain_order=True).sort("study", "unit")


def _with_unit_attributes(inner: _core.Study, units: pl.DataFrame) -> _core.Study:
    """``inner`` rebuilt with the attribute columns of ``units`` joined to both sides."""
    from miroir._core import DuplicateIdError, MissingColumnError, MissingValueError

    if "study" not in units.columns and "unit" in units.columns:
        names = inner.summary()["study"]
        if names.len() == 1:  # a one-company export: its units table needs no study column
            units = units.with_columns(pl.lit(names[0]).alias("study"))
    for key in ("study", "unit"):
        if key not in units.columns:
            raise MissingColumnError(
                f"table 'units': missing column '{key}' (has: {', '.join(units.columns)}); the units "
                "table has one row per unit: study, unit and the attribute columns"
            )
    attributes = [c for c in units.columns if c not in ("study", "unit")]
    if not attributes:
        raise _core.InvalidArgumentError("table 'units': no attribute column besides 'study' and 'unit'")
    emp, cus = inner.employees, inner.customers
    for column in attributes:
        for name, df in (("employees", emp), ("customers", cus)):
            if column in df.columns:
                raise _core.InvalidArgumentError(
                    f"table 'units', column '{column}': the {name} table has a column of that name already; "
                    "rename or drop one of them"
                )
    keys = units.with_row_index("row").with_columns(pl.col("study", "unit").cast(pl.String).str.strip_chars())
    null_rows = keys.filter(pl.col("study").is_null() | pl.col("unit").is_null())["row"]
    if null_rows.len():
        raise MissingValueError(
            f"table 'units', column 'study'/'unit': missing for {null_rows.len()} row(s) (first at row index "
            f"{', '.join(map(str, null_rows.head(5).to_list()))})"
        )
    dup = keys.filter(pl.struct("study", "unit").is_duplicated())
    if dup.height:
        first = dup.row(0, named=True)
        raise DuplicateIdError(
            f"table 'units', column 'unit': unit '{first['unit']}' of study '{first['study']}' has "
            f"{dup.filter((pl.col('study') == first['study']) & (pl.col('unit') == first['unit'])).height} rows "
            f"(row index {', '.join(map(str, dup['row'].head(5).to_list()))}): one row per unit"
        )
    table = keys.drop("row")
    seen = unit_attributes(emp.select("study", "unit"), cus.select("study", "unit"))
    missing = seen.join(table, on=["study", "unit"], how="anti")
    if missing.height:
        listed = ", ".join(f"{r[0]}/{r[1]}" for r in missing.head(5).iter_rows())
        warnings.warn(
            f"table 'units': no row for {missing.height} unit(s) of the respondents ({listed}"
            f"{', ...' if missing.height > 5 else ''}): their attributes are missing", DataQualityWarning, stacklevel=3)
    join = dict(on=["study", "unit"], how="left", maintain_order="left")
    return _core.Study(emp.join(table, **join), cus.join(table, **join),  # type: ignore[arg-type]
                       inner.mentions, canonical_schema(inner.schema))
