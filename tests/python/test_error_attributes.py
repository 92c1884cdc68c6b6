"""Exceptions carry what they are about (issue 13, "errors with data"): ``.table``, ``.column``,
``.rows`` (the first offending 0-based row indices), ``.total``, ``.argument``, ``.file``,
``.line``, ``.key``, ``.expected``, ``.found`` — ``None`` where they do not apply — so a caller
reads them instead of parsing the message; they survive pickling (errors cross process
boundaries on a cluster)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import miroir

ATTRIBUTES = ("table", "column", "rows", "total", "argument", "file", "line", "key", "expected", "found")


def attributes(err: BaseException) -> dict[str, Any]:
    return {name: getattr(err, name) for name in ATTRIBUTES}


def only(err: BaseException, **expected: Any) -> None:
    """The attributes named are as given, every other one is None."""
    assert attributes(err) == {name: expected.get(name) for name in ATTRIBUTES}, str(err)


def test_every_class_has_the_attributes_and_a_python_raised_one_has_none_set() -> None:
    for name in ("MiroirError", "SchemaError", "MissingColumnError", "DtypeError", "DataError",
                 "MissingValueError", "OutOfRangeError", "DuplicateIdError", "UnknownCategoryError",
                 "OrphanMentionError", "EmptyTableError", "InsufficientDataError",
                 "InvalidArgumentError", "StatsError", "FileError", "SpecError"):
        only(getattr(miroir, name)("a message"))


def test_missing_column(employees: pl.DataFrame, customers: pl.DataFrame) -> None:
    with pytest.raises(miroir.MissingColumnError) as info:
        miroir.Study(employees.drop("engagement"), customers)
    only(info.value, table="employees", column="engagement")


def test_wrong_type_names_what_was_expected_and_found(employees: pl.DataFrame, customers: pl.DataFrame) -> None:
    with pytest.raises(miroir.DtypeError) as info:
        miroir.Study(employees, customers.with_columns(satisfaction=pl.lit(True)))
    err = info.value
    assert (err.table, err.column) == ("customers", "satisfaction")
    assert err.expected is not None and err.found is not None
    assert err.expected in str(err) and err.found in str(err)


def test_value_errors_carry_the_rows_and_their_count(employees: pl.DataFrame, customers: pl.DataFrame,
                                                     mentions: pl.DataFrame) -> None:
    bad = customers.with_columns(satisfaction=pl.Series([8.0, 11.0, 9.0, -1.0, 3.0]))
    with pytest.raises(miroir.OutOfRangeError) as info:
        miroir.Study(employees, bad)
    only(info.value, table="customers", column="satisfaction", rows=[1, 3], total=2)

    bad = employees.with_columns(employee_id=pl.Series(["e1", "e2", "e3", "e4", "e2", "e6"]))
    with pytest.raises(miroir.DuplicateIdError) as info:
        miroir.Study(bad, customers)
    only(info.value, table="employees", column="employee_id", rows=[4], total=1)

    bad = employees.with_columns(engagement=pl.Series([55.0, None, 61.5, float("nan"), 66.0, 72.0]))
    with pytest.raises(miroir.MissingValueError) as info:
        miroir.Study(bad, customers)
    only(info.value, table="employees", column="engagement", rows=[1, 3], total=2)

    orphan = mentions.with_columns(respondent_id=pl.Series(["c1", "e9", "c4"]))
    with pytest.raises(miroir.OrphanMentionError) as info:
        miroir.Study(employees, customers, orphan)
    only(info.value, table="mentions", column="respondent_id", rows=[1], total=1)


def test_many_offending_rows_list_the_first_five_and_count_all(employees: pl.DataFrame) -> None:
    n = 40
    customers = pl.DataFrame({"study": ["acme"] * n, "unit": ["north"] * n,
                              "customer_id": [f"c{i}" for i in range(n)],
                              "satisfaction": [11.0 if i % 2 else 5.0 for i in range(n)]})
    with pytest.raises(miroir.OutOfRangeError) as info:
        miroir.Study(employees, customers)
    assert info.value.rows == [1, 3, 5, 7, 9]
    assert info.value.total == n // 2
    assert f"{n // 2} rows" in str(info.value)


def test_empty_table(employees: pl.DataFrame, customers: pl.DataFrame) -> None:
    with pytest.raises(miroir.EmptyTableError) as info:
        miroir.Study(employees, customers.clear())
    only(info.value, table="customers")


def test_invalid_arguments_name_the_argument_in_the_kernel_and_the_analyses(
        employees: pl.DataFrame, customers: pl.DataFrame) -> None:
    with pytest.raises(miroir.InvalidArgumentError) as info:
        miroir.stats.proportion_ci(3, 10, method="exact-ish")
    assert info.value.argument == "method"
    study = miroir.Study(employees, customers)
    with pytest.raises(miroir.InvalidArgumentError) as info:
        miroir.linkage(study, method="pearsonn")
    only(info.value, argument="method")
    with pytest.raises(miroir.InvalidArgumentError) as info:
        miroir.indicators(study, ci_method="wald-ish")
    only(info.value, argument="ci_method")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "employees.csv"
    with pytest.raises(miroir.FileError) as info:
        miroir.load_study(employees=missing, customers=tmp_path / "customers.csv")
    assert info.value.file is not None and info.value.file.endswith("employees.csv")
    assert info.value.file in str(info.value)


def test_spec_errors_name_the_file_the_line_and_the_key() -> None:
    with pytest.raises(miroir.SpecError) as info:
        miroir.reproduce('titl = "x"\n')
    err = info.value
    assert (err.file, err.line) == ("<spec>", 1)
    assert err.key is not None and err.key in str(err)
    assert str(err).startswith("<spec>:1: ")


def test_attributes_survive_pickling(employees: pl.DataFrame, customers: pl.DataFrame) -> None:
    bad = customers.with_columns(satisfaction=pl.Series([8.0, 11.0, 9.0, -1.0, 3.0]))
    with pytest.raises(miroir.OutOfRangeError) as info:
        miroir.Study(employees, bad)
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is miroir.OutOfRangeError
    assert str(back) == str(info.value)
    assert attributes(back) == attributes(info.value)


def test_refusals_of_the_python_layer_name_their_argument_too() -> None:
    cases = [
        (lambda: miroir.stats.relative_importance(pl.DataFrame({"a": [1.0]}), y=3, x=["a"]), "y",
         miroir.InvalidArgumentError),
        (lambda: miroir.text.sentiment(["fine"], language="de"), "language", miroir.InvalidArgumentError),
        (lambda: miroir.text.sentiment(["fine", 3]), "texts", miroir.InvalidArgumentTypeError),
        (lambda: miroir.stats.fisher_exact([[1, 2, 3], [4, 5, 6]]), "table", miroir.InvalidArgumentError),
    ]
    for call, argument, cls in cases:
        with pytest.raises(cls) as info:
            call()
        assert info.value.argument == argument, str(info.value)
        assert str(info.value).startswith(f"invalid argument '{argument}': ")


def test_the_bootstrap_options_of_indicators_and_report_are_checked_by_name(
        employees: pl.DataFrame, customers: pl.DataFrame) -> None:
    study = miroir.Study(employees, customers)
    for call, argument in [
        (lambda: miroir.indicators(study, n_resamples=50), "n_resamples"),
        (lambda: miroir.indicators(study, confidence=1.5), "confidence"),
        (lambda: miroir.report(study, n_resamples=50), "n_resamples"),
    ]:
        with pytest.raises(miroir.InvalidArgumentError) as info:
            call()
        only(info.value, argument=argument)
