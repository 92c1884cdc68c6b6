"""Each bad-input class of DESIGN.md raises its own exception naming table, column and rows."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import polars as pl
import pytest

import miroir


def test_valid_tables_load(employees, customers, mentions):
    study = miroir.Study(employees, customers, mentions)
    assert study.employees.height == 6
    assert study.mentions is not None and study.mentions.height == 3
    assert study.employees.schema["customer_facing"] == pl.Boolean
    assert study.warnings == []


def test_every_error_is_a_miroir_error_and_a_value_error():
    for name in [
        "SchemaError", "MissingColumnError", "DtypeError", "DataError", "MissingValueError",
        "OutOfRangeError", "DuplicateIdError", "UnknownCategoryError", "OrphanMentionError",
        "EmptyTableError", "InvalidArgumentError", "StatsError", "FileError",
    ]:
        cls = getattr(miroir, name)
        assert issubclass(cls, miroir.MiroirError), name
        assert issubclass(cls, ValueError), name
    assert issubclass(miroir.MissingColumnError, miroir.SchemaError)
    assert issubclass(miroir.OutOfRangeError, miroir.DataError)


def test_missing_column(employees, customers):
    with pytest.raises(miroir.MissingColumnError, match=r"table 'employees': missing required column 'engagement'"):
        miroir.Study(employees.drop("engagement"), customers)


def test_wrong_dtype(employees, customers):
    # numbers written as text are read as numbers (a CSV read as text gives them) ...
    as_text = employees.with_columns(pl.col("engagement").cast(pl.String))
    assert miroir.Study(as_text, customers).employees["engagement"].equals(miroir.Study(employees, customers).employees["engagement"])
    # ... and text that is not a number is refused with the value and the row
    bad = as_text.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("NA")).otherwise("engagement").alias("engagement"))
    with pytest.raises(miroir.DtypeError, match=r"table 'employees', column 'engagement': expected a number \(f64\), "
                       r"found text \(str\): 'NA' is not a number \(a missing answer must be an empty cell\): "
                       r"1 row \(first at row index 2\)"):
        miroir.Study(bad, customers)
    bad = customers.with_columns(satisfaction=pl.lit(True))
    with pytest.raises(miroir.DtypeError, match=r"column 'satisfaction'"):
        miroir.Study(employees, bad)


def test_out_of_range_names_rows(employees, customers):
    bad = customers.with_columns(satisfaction=pl.Series([8.0, 11.0, 9.0, -1.0, 3.0]))
    with pytest.raises(miroir.OutOfRangeError) as info:
        miroir.Study(employees, bad)
    msg = str(info.value)
    assert "table 'customers', column 'satisfaction'" in msg
    assert "2 rows (first at row index 1, 3)" in msg


def test_out_of_range_respects_the_schema_scale(employees, customers):
    schema = miroir.Schema(satisfaction_scale=(0, 20), satisfied_threshold=14)
    bad = customers.with_columns(satisfaction=pl.Series([8.0, 11.0, 9.0, 19.0, 3.0]))
    study = miroir.Study(employees, bad, schema=schema)
    assert study.schema.satisfaction_scale == (0, 20)


def test_missing_required_value(employees, customers):
    bad = employees.with_columns(engagement=pl.Series([55.0, None, 61.5, float("nan"), 66.0, 72.0]))
    with pytest.raises(miroir.MissingValueError, match=r"column 'engagement'.*2 rows \(first at row index 1, 3\)"):
        miroir.Study(bad, customers)


def test_duplicate_id(employees, customers):
    bad = employees.with_columns(employee_id=pl.Series(["e1", "e2", "e3", "e4", "e2", "e6"]))
    with pytest.raises(miroir.DuplicateIdError, match=r"column 'employee_id'.*'e2' repeats in study 'acme'.*row index 4"):
        miroir.Study(bad, customers)


def test_same_id_in_two_studies_is_fine(employees, customers):
    other = employees.with_columns(study=pl.lit("globex"))
    cus = pl.concat([customers, customers.with_columns(study=pl.lit("globex"))])
    study = miroir.Study(pl.concat([employees, other]), cus)
    assert study.summary()["study"].to_list() == ["acme", "globex"]


def test_unknown_category(employees, customers):
    bad = employees.with_columns(asked_about_customers=pl.Series(["never", "sometimes", "never", "rarely", "never", "yearly"]))
    with pytest.raises(miroir.UnknownCategoryError, match=r"column 'asked_about_customers': 'sometimes' is not one of never, yearly"):
        miroir.Study(bad, customers)


def test_unknown_yes_no_word(employees, customers):
    bad = employees.with_columns(customer_facing=pl.Series(["oui", "non", "peut-être", "oui", "non", "oui"]))
    with pytest.raises(miroir.UnknownCategoryError, match=r"column 'customer_facing': 'peut-être' is not a yes/no answer.*row index 2"):
        miroir.Study(bad, customers)


def test_yes_no_words_and_zero_one_are_accepted(employees, customers):
    words = employees.with_columns(customer_facing=pl.Series(["Oui", "non", "YES", "no", "true", "0"]))
    assert miroir.Study(words, customers).employees["customer_facing"].to_list() == [True, False, True, False, True, False]
    ints = employees.with_columns(customer_facing=pl.Series([1, 0, 1, 0, 1, 0]))
    assert miroir.Study(ints, customers).employees["customer_facing"].sum() == 3
    bad = employees.with_columns(customer_facing=pl.Series([1, 0, 2, 0, 1, 0]))
    with pytest.raises(miroir.OutOfRangeError, match="only 0 and 1"):
        miroir.Study(bad, customers)


def test_orphan_mention(employees, customers, mentions):
    bad = mentions.with_columns(respondent_id=pl.Series(["c1", "e9", "c4"]))
    with pytest.raises(miroir.OrphanMentionError, match=r"table 'mentions', column 'respondent_id'.*employee 'e9' of study 'acme'.*row index 1"):
        miroir.Study(employees, customers, bad)
    # a customer id used as an employee is an orphan too
    bad = mentions.with_columns(side=pl.Series(["employee", "employee", "customer"]))
    with pytest.raises(miroir.OrphanMentionError):
        miroir.Study(employees, customers, bad)


def test_empty_table(employees, customers):
    with pytest.raises(miroir.EmptyTableError, match="table 'customers' is empty"):
        miroir.Study(employees, customers.clear())


def test_bad_valence_and_side(employees, customers, mentions):
    with pytest.raises(miroir.UnknownCategoryError, match="column 'valence'"):
        miroir.Study(employees, customers, mentions.with_columns(valence=pl.lit("neutral")))
    with pytest.raises(miroir.UnknownCategoryError, match="column 'side'"):
        miroir.Study(employees, customers, mentions.with_columns(side=pl.lit("client")))


def test_one_sided_units_warn(employees, customers):
    extra = pl.DataFrame({"study": ["acme"], "unit": ["east"], "customer_id": ["c9"], "satisfaction": [7.0]})
    with pytest.warns(miroir.DataQualityWarning, match=r"customers but no employees.*acme/east"):
        study = miroir.Study(employees, pl.concat([customers, extra]))
    assert any("acme/east" in w for w in study.warnings)


def test_column_mapping(employees, customers):
    client = employees.rename({"employee_id": "Matricule", "engagement": "ENG_SCORE", "unit": "Agence"})
    schema = miroir.Schema(employees={"Matricule": "employee_id", "ENG_SCORE": "engagement", "Agence": "unit"})
    study = miroir.Study(client, customers, schema=schema)
    assert study.employees.columns[:5] == ["study", "unit", "employee_id", "customer_facing", "engagement"]
    assert study.employees["engagement"].to_list() == employees["engagement"].to_list()


def test_mapping_to_an_unknown_column_is_refused():
    with pytest.raises(miroir.SchemaError, match="'engagment', which is not a column of the data model"):
        miroir.Schema(employees={"ENG": "engagment"})


def test_mapped_source_missing(employees, customers):
    schema = miroir.Schema(employees={"ENG_SCORE": "engagement"})
    with pytest.raises(miroir.MissingColumnError, match="missing required column 'ENG_SCORE'.*maps it to 'engagement'"):
        miroir.Study(employees, customers, schema=schema)


def test_a_missing_column_lists_the_columns_as_the_client_named_them(employees, customers):
    # the client's export: "score" mapped onto engagement, "front" (customer_facing) absent
    export = employees.rename({"engagement": "score"}).drop("customer_facing")
    schema = miroir.Schema(employees={"score": "engagement"})
    with pytest.raises(miroir.MissingColumnError, match="missing required column 'customer_facing'") as e:
        miroir.Study(export, customers, schema=schema)
    present = str(e.value).split("columns present: ")[1].split(";")[0].split(", ")
    assert present == export.columns


def test_engagement_from_items(employees, customers):
    items = employees.drop("engagement").with_columns(
        q1=pl.Series([1, 5, 3, 4, 2, 5]), q2=pl.Series([2, 5, 3, 4, 1, 4]), q3=pl.Series([1, 4, 3, 5, 2, 5])
    )
    schema = miroir.Schema(engagement_items=["q1", "q2", "q3"], item_scale=(1, 5))
    study = miroir.Study(items, customers, schema=schema)
    expected = [((a + b + c) / 3 - 1) / 4 * 100 for a, b, c in zip([1, 5, 3, 4, 2, 5], [2, 5, 3, 4, 1, 4], [1, 4, 3, 5, 2, 5])]
    assert study.employees["engagement"].to_list() == pytest.approx(expected, rel=1e-15)
    bad = items.with_columns(q2=pl.Series([2, 5, 3, 7, 1, 4]))
    with pytest.raises(miroir.OutOfRangeError, match=r"column 'q2': item values outside the item scale \[1, 5\].*row index 3"):
        miroir.Study(bad, customers, schema=schema)


def test_pandas_input(employees, customers, mentions):
    study = miroir.Study(employees.to_pandas(), customers.to_pandas(), mentions.to_pandas())
    assert study.customers["satisfaction"].to_list() == customers["satisfaction"].to_list()
    assert isinstance(study.employees, pl.DataFrame)


def test_integer_ids_become_text(employees, customers):
    emp = employees.with_columns(employee_id=pl.Series([101, 102, 103, 104, 105, 106]))
    study = miroir.Study(emp, customers)
    assert study.employees["employee_id"].dtype == pl.String


def test_not_a_dataframe():
    with pytest.raises(TypeError, match="employees: expected a polars or pandas DataFrame"):
        miroir.Study({"a": [1]}, pd.DataFrame())


def test_load_study_folder_csv_and_parquet(tmp_path, employees, customers, mentions):
    study = miroir.Study(employees, customers, mentions)
    for fmt in ["csv", "parquet"]:
        folder = study.write(tmp_path / fmt, format=fmt)
        again = miroir.load_study(folder)
        assert again.employees.equals(study.employees)
        assert again.mentions is not None and again.mentions.equals(study.mentions)
    explicit = miroir.load_study(employees=tmp_path / "csv" / "employees.csv", customers=tmp_path / "csv" / "customers.csv")
    assert explicit.mentions is None


def test_load_study_errors(tmp_path, employees):
    with pytest.raises(miroir.FileError, match="no such folder"):
        miroir.load_study(tmp_path / "nope")
    tmp_path.joinpath("x").mkdir()
    employees.write_csv(tmp_path / "x" / "employees.csv")
    with pytest.raises(miroir.FileError, match=re.escape("no customers.parquet or customers.csv")):
        miroir.load_study(tmp_path / "x")
    with pytest.raises(miroir.InvalidArgumentError):
        miroir.load_study(employees=tmp_path / "x" / "employees.csv")


def test_schema_checks_itself():
    with pytest.raises(miroir.SchemaError, match="satisfied_threshold"):
        miroir.Schema(satisfaction_scale=(1, 5))
    with pytest.raises(miroir.SchemaError, match="at least 2 item columns"):
        miroir.Schema(engagement_items=["q1"])
    with pytest.raises(miroir.SchemaError, match="min_group_size"):
        miroir.Schema(min_group_size=0)
