"""Excel and SPSS exports in (issue 15, item 2).

Each file is built with the tool institutes export with (xlsxwriter for .xlsx, pyreadstat's
writer for .sav) from the same polars frames as a canonical study, read back, and compared with
that study exactly. Bad files give a FileError naming the file, the sheet, the column and the
cell.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import miroir
from miroir import _core
from miroir import spss

xlsxwriter = pytest.importorskip("xlsxwriter")
pyreadstat = pytest.importorskip("pyreadstat")


# -- the canonical study ---------------------------------------------------------------------------


def canonical_frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    employees = pl.DataFrame(
        {
            "study": ["acme"] * 4 + ["beta"] * 4,
            "unit": ["0001", "0001", "0002", "0002", "7", "7", "8", "8"],
            "employee_id": ["0001", "0002", "0003", "0004", "7", "8", "9", "10"],
            "customer_facing": [True, False, True, False, True, True, False, False],
            "engagement": [55.0, 70.0, 61.5, 48.0, 66.0, 72.25, 40.0, 90.0],
            "can_contribute": [True, None, False, True, True, False, None, True],
            "asked_about_customers": ["never", "yearly", None, "rarely", "never", "yearly", "several_per_year", "never"],
            "tenure_months": [12, 30, None, 5, 60, 1, 18, 240],
        },
        schema_overrides={"tenure_months": pl.Int64},
    )
    customers = pl.DataFrame(
        {
            "study": ["acme"] * 5 + ["beta"] * 4,
            "unit": ["0001", "0001", "0002", "0002", "0002", "7", "7", "8", "8"],
            "customer_id": ["c01", "c02", "c03", "c04", "c05", "101", "102", "103", "104"],
            "satisfaction": [8.0, 6.0, 9.0, 10.0, 3.0, 7.5, 8.0, 2.0, 9.0],
            "nps": [9, 5, None, 10, 2, 8, 9, 0, 10],
        },
        schema_overrides={"nps": pl.Int64},
    )
    mentions = pl.DataFrame(
        {
            "study": ["acme", "acme", "beta"],
            "side": ["customer", "employee", "customer"],
            "respondent_id": ["c01", "0002", "101"],
            "theme": ["same advisor", "same advisor", "waiting time"],
            "valence": ["positive", "negative", "negative"],
            "text": ["toujours le même conseiller", None, "trop d'attente"],
        }
    )
    return employees, customers, mentions


def canonical() -> miroir.Study:
    return miroir.Study(*canonical_frames())


def assert_same_study(got: miroir.Study, want: miroir.Study) -> None:
    for table in ("employees", "customers", "mentions"):
        a, b = getattr(got, table), getattr(want, table)
        assert a is not None and b is not None, table
        assert a.schema == b.schema, (table, a.schema, b.schema)
        assert a.equals(b), (table, a, b)


# -- writing workbooks as institutes do -----------------------------------------------------------

KEYS = {"study", "unit", "employee_id", "customer_id", "respondent_id"}


def write_sheet(ws: Any, frame: pl.DataFrame, *, numeric_ids: bool = True) -> None:
    """A frame as a sheet: header row, then each cell with the writer of its kind (a key that
    is a plain number, like 7, is written as a number cell, as a survey tool exports it)."""
    for c, name in enumerate(frame.columns):
        ws.write_string(0, c, name)
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, (name, v) in enumerate(zip(frame.columns, row)):
            if v is None:
                ws.write_blank(r, c, None)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            elif name in KEYS and numeric_ids and v.isdigit() and not v.startswith("0"):
                ws.write_number(r, c, int(v))
            else:
                ws.write_string(r, c, v)


def write_workbook(path: Path, sheets: dict[str, pl.DataFrame]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    for name, frame in sheets.items():
        write_sheet(wb.add_worksheet(name), frame)
    wb.close()
    return path


def write_ods(path: Path, name: str, frame: pl.DataFrame) -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves, without styles)."""
    from xml.sax.saxutils import escape

    def cell(v: Any) -> str:
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, bool):
            return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(v).lower()}">'
                    f"<text:p>{str(v).upper()}</text:p></table:table-cell>")
        if isinstance(v, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{v}">'
                    f"<text:p>{v}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'

    rows = ["<table:table-row>" + "".join(cell(c) for c in frame.columns) + "</table:table-row>"]
    rows += ["<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in frame.iter_rows()]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{name}">'
        + "".join(rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


# -- Excel -----------------------------------------------------------------------------------------


def test_xlsx_study_reads_back_as_the_canonical_one(tmp_path):
    employees, customers, mentions = canonical_frames()
    # employees.xlsx: a notes sheet first, the table on the sheet named like it
    notes = pl.DataFrame({"note": ["export of 2024-03-01"]})
    write_workbook(tmp_path / "employees.xlsx", {"Notes": notes, "Employees": employees})
    # customers.xlsx: one sheet of another name (the first sheet is read)
    write_workbook(tmp_path / "customers.xlsx", {"Feuil1": customers})
    write_workbook(tmp_path / "MENTIONS.XLSX", {"mentions": mentions})
    study = miroir.load_study(tmp_path)
    assert_same_study(study, canonical())
    # the keys stayed text, leading zeros included; a number cell 7 became "7"
    assert study.employees["employee_id"].to_list()[:5] == ["0001", "0002", "0003", "0004", "7"]


def test_xlsx_and_ods_files_given_explicitly(tmp_path):
    employees, customers, mentions = canonical_frames()
    book = write_workbook(
        tmp_path / "export.xlsm", {"customers": customers, "employees": employees, "mentions": mentions}
    )
    # one workbook, three sheets: each table reads the sheet named like it
    study = miroir.load_study(employees=book, customers=book, mentions=book)
    assert_same_study(study, canonical())
    ods = write_ods(tmp_path / "employees.ods", "employees", employees)
    study = miroir.load_study(employees=ods, customers=book, mentions=book)
    assert_same_study(study, canonical())


def test_cells_are_typed_from_their_kind(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("t")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for c, name in enumerate(["x", "flag", "mixed", "when", "at", "empty"]):
        ws.write_string(0, c, name)
    ws.write_number(1, 0, 1.5)
    ws.write_number(2, 0, 2)
    ws.write_boolean(1, 1, True)
    ws.write_number(1, 2, 3)
    ws.write_string(2, 2, "ne sait pas")
    ws.write_datetime(1, 3, dt.datetime(2024, 3, 1), date)
    ws.write_datetime(1, 4, dt.datetime(2024, 3, 1, 8, 30), stamp)
    ws.write_blank(2, 5, None, date)
    wb.close()
    df = _core.read_table(path)
    want = pl.DataFrame(
        {
            "x": [1.5, 2.0],
            "flag": [True, None],
            "mixed": ["3", "ne sait pas"],
            "when": ["2024-03-01", None],
            "at": ["2024-03-01T08:30:00", None],
            "empty": pl.Series([None, None], dtype=pl.String),
        }
    )
    assert df.equals(want), df


def test_a_column_mixing_numbers_and_text_is_named_by_validation(tmp_path):
    employees, customers, _ = canonical_frames()
    bad = employees.with_columns(engagement=pl.Series(["55", "70", "61.5", "NA", "66", "72.25", "40", "90"]))
    wb = xlsxwriter.Workbook(str(tmp_path / "employees.xlsx"))
    ws = wb.add_worksheet("employees")
    write_sheet(ws, bad.drop("engagement"))
    col = bad.width - 1
    ws.write_string(0, col, "engagement")
    for r, v in enumerate(bad["engagement"], start=1):
        ws.write_string(r, col, v) if v == "NA" else ws.write_number(r, col, float(v))
    wb.close()
    write_workbook(tmp_path / "customers.xlsx", {"customers": customers})
    with pytest.raises(miroir.DtypeError, match=r"column 'engagement'.*'NA' is not a number.*row index 3"):
        miroir.load_study(tmp_path)


def test_an_error_cell_is_named_with_file_sheet_column_and_cell(tmp_path):
    employees, customers, _ = canonical_frames()
    path = tmp_path / "employees.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("employees")
    write_sheet(ws, employees)
    # Excel stores a formula's last value: xlsxwriter writes the cached error (t="e"), which is
    # what calamine reads, like a file saved by Excel after computing 1/0.
    ws.write_formula(11, 4, "=1/0", None, "#DIV/0!")
    wb.close()
    write_workbook(tmp_path / "customers.xlsx", {"customers": customers})
    msg = f"{path}: sheet 'employees': column 'engagement', cell E12: the cell holds the error #DIV/0!"
    with pytest.raises(miroir.FileError, match=re.escape(msg)):
        miroir.load_study(tmp_path)


def test_bad_headers_are_refused(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("data")
    for c, name in enumerate(["study", "engagement", "engagement"]):
        ws.write_string(0, c, name)
    for c in range(3):
        ws.write_number(1, c, c)
    ws2 = wb.add_worksheet("other")
    ws2.write_string(0, 0, "a")
    ws2.write_number(1, 0, 1)
    ws2.write_number(1, 1, 2)
    wb.close()
    with pytest.raises(miroir.FileError, match=re.escape(
        f"{path}: sheet 'data': the header names column 'engagement' twice (cells B1 and C1)"
    )):
        _core.read_table(path)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("t")
    ws.write_string(0, 0, "a")
    ws.write_number(1, 0, 1)
    ws.write_number(1, 1, 2)
    wb.close()
    with pytest.raises(miroir.FileError, match=re.escape("sheet 't': the header cell B1 is empty above a column that holds values")):
        _core.read_table(path)
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("t")
    wb.close()
    with pytest.raises(miroir.FileError, match=re.escape("sheet 't': the sheet is empty")):
        _core.read_table(path)


@pytest.mark.parametrize("name", ["employees.xlsx", "employees.xls", "employees.ods", "employees.xlsm"])
def test_corrupt_workbooks_are_file_errors(tmp_path, name):
    _, customers, _ = canonical_frames()
    write_workbook(tmp_path / "customers.xlsx", {"customers": customers})
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 this is not a workbook" + bytes(range(256)))
    with pytest.raises(miroir.FileError, match=re.escape(f"{path}: cannot read ") + r".*the file is corrupt or not a"):
        miroir.load_study(tmp_path)
    # a real zip that is not a workbook, and a workbook cut short
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hello")
    with pytest.raises(miroir.FileError, match=re.escape(str(path))):
        miroir.load_study(tmp_path)
    good = write_workbook(tmp_path / "good.xlsx", {"employees": canonical_frames()[0]}).read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(miroir.FileError, match=re.escape(str(path))):
        miroir.load_study(tmp_path)


def test_two_files_for_one_table_and_unsupported_types(tmp_path):
    employees, customers, _ = canonical_frames()
    write_workbook(tmp_path / "employees.xlsx", {"employees": employees})
    employees.write_csv(tmp_path / "employees.csv")
    write_workbook(tmp_path / "customers.xlsx", {"customers": customers})
    with pytest.raises(miroir.FileError, match=re.escape("2 files for the employees table (employees.csv, employees.xlsx)")):
        miroir.load_study(tmp_path)
    (tmp_path / "employees.csv").unlink()
    assert miroir.load_study(tmp_path).employees.height == employees.height
    other = tmp_path / "t.xlsb"
    other.write_bytes(b"x")
    with pytest.raises(miroir.FileError, match=re.escape("unsupported file type '.xlsb' (use .csv, .parquet, or a spreadsheet: .xlsx, .xlsm, .xls, .ods)")):
        _core.read_table(other)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(miroir.FileError, match=re.escape("no employees.parquet or employees.csv (nor a workbook employees.xlsx")):
        miroir.load_study(empty)


# -- SPSS ------------------------------------------------------------------------------------------


def spss_frames() -> tuple[pl.DataFrame, dict[str, Any], pl.DataFrame, dict[str, Any]]:
    """The canonical employees and customers as an institute's SPSS files hold them: numeric
    codes with value labels, numeric ids, user-defined missing values (9 = "ne sait pas")."""
    employees, customers, _ = canonical_frames()
    asked = {"never": 1, "yearly": 2, "several_per_year": 3, "rarely": 4}
    emp = employees.with_columns(
        employee_id=pl.col("employee_id"),  # text ids, leading zeros
        customer_facing=pl.col("customer_facing").cast(pl.Float64),
        # "ne sait pas" coded 9, a refusal coded 8: both declared missing
        can_contribute=pl.Series([1.0, 9.0, 0.0, 1.0, 1.0, 0.0, 8.0, 1.0]),
        asked_about_customers=pl.col("asked_about_customers").replace_strict(asked, default=None).fill_null(99).cast(pl.Float64),
        tenure_months=pl.col("tenure_months").cast(pl.Float64),
    )
    emp_meta = {
        "missing_ranges": {"can_contribute": [8, 9], "asked_about_customers": [{"lo": 90, "hi": 99}]},
        "variable_value_labels": {
            "customer_facing": {0: "non", 1: "oui"},
            "can_contribute": {0: "no", 1: "yes", 8: "refus", 9: "ne sait pas"},
            "asked_about_customers": {v: k for k, v in asked.items()} | {99: "sans réponse"},
        },
    }
    cus = customers.with_columns(
        # numeric ids where the canonical study has them as digits: 101.0 must read "101"
        customer_id=pl.col("customer_id"),
        nps=pl.col("nps").cast(pl.Float64).fill_null(99.0),
    )
    cus_meta = {"missing_ranges": {"nps": [99]}, "variable_value_labels": {"nps": {0: "pas du tout", 10: "certainement"}}}
    return emp, emp_meta, cus, cus_meta


def test_spss_study_reads_back_as_the_canonical_one(tmp_path):
    emp, emp_meta, cus, cus_meta = spss_frames()
    # the beta study's customer ids are numbers in the file (101, 102, ...)
    beta = cus.filter(pl.col("study") == "beta")
    acme = cus.filter(pl.col("study") == "acme")
    pyreadstat.write_sav(emp, tmp_path / "employees.sav", **emp_meta)
    pyreadstat.write_sav(acme, tmp_path / "customers.zsav", compress=True, **cus_meta)
    numeric = beta.with_columns(pl.col("customer_id").cast(pl.Float64))
    pyreadstat.write_sav(numeric, tmp_path / "beta.sav", **cus_meta)
    _, _, mentions = canonical_frames()

    frames = spss.load_frames_with_spss(
        tmp_path / "employees.sav", tmp_path / "customers.zsav", mentions
    )
    assert set(frames.info) == {"employees", "customers"}
    beta_frame, beta_info = spss.read_spss(tmp_path / "beta.sav")
    assert beta_frame["customer_id"].to_list() == ["101", "102", "103", "104"]
    customers = pl.concat([frames.customers, beta_frame])
    assert isinstance(frames.employees, pl.DataFrame)

    # codes as codes: the study validates 0/1 as yes/no, whole numbers as integers
    asked = {1.0: "never", 2.0: "yearly", 3.0: "several_per_year", 4.0: "rarely"}
    employees = frames.employees.with_columns(
        pl.col("asked_about_customers").replace_strict(asked, default=None, return_dtype=pl.String)
    )
    study = miroir.Study(employees, customers, frames.mentions)
    assert_same_study(study, canonical())

    # the missing values were counted exactly, per column
    info = frames.info["employees"]
    assert info.missing == {"can_contribute": 2, "asked_about_customers": 1}
    assert frames.info["customers"].missing == {"nps": 1}
    assert beta_info.missing == {"nps": 0}
    assert info.value_labels["can_contribute"] == {0: "no", 1: "yes", 8: "refus", 9: "ne sait pas"}
    assert info.path == tmp_path / "employees.sav"

    # with value_labels=True the labelled columns come as their labels
    labelled = spss.load_frames_with_spss(
        tmp_path / "employees.sav", tmp_path / "customers.zsav", value_labels=True
    )
    assert isinstance(labelled.employees, pl.DataFrame)
    assert labelled.employees["asked_about_customers"].to_list() == canonical_frames()[0]["asked_about_customers"].to_list()
    assert labelled.employees["can_contribute"].to_list() == ["yes", None, "no", "yes"] + ["yes", "no", None, "yes"]
    assert labelled.employees["customer_facing"].to_list()[:2] == ["oui", "non"]
    # a code without a label is kept as its number, as text
    assert labelled.customers["nps"].to_list() == ["9", "5", None, "certainement", "2"]
    # labels the data model reads ("oui"/"non", "yes"/"no", the categories) validate as such
    study = miroir.Study(labelled.employees, pl.concat([frames.customers, beta_frame]), mentions)
    assert_same_study(study, canonical())


def test_spss_keys_follow_the_schema_mapping(tmp_path):
    emp, emp_meta, _, _ = spss_frames()
    renamed = emp.rename({"employee_id": "matricule"}).with_columns(
        pl.Series("matricule", [1.0, 2.0, 3.0, 4.0, 7.0, 8.0, 9.0, 10.0])
    )
    pyreadstat.write_sav(renamed, tmp_path / "employees.sav", **emp_meta)
    schema = miroir.Schema(employees={"matricule": "employee_id"})
    frames = spss.load_frames_with_spss(tmp_path / "employees.sav", tmp_path / "customers.csv", None, schema)
    assert isinstance(frames.employees, pl.DataFrame)
    assert frames.employees["matricule"].to_list() == ["1", "2", "3", "4", "7", "8", "9", "10"]
    assert frames.customers == tmp_path / "customers.csv"
    assert frames.mentions is None
    assert spss.key_columns("employees", schema) == ["study", "unit", "matricule"]


def test_spss_table_paths(tmp_path):
    emp, emp_meta, cus, cus_meta = spss_frames()
    pyreadstat.write_sav(emp, tmp_path / "EMPLOYEES.SAV", **emp_meta)
    pyreadstat.write_sav(cus, tmp_path / "customers.zsav", compress=True, **cus_meta)
    (tmp_path / "mentions.csv").write_text("x\n")
    assert spss.spss_table_paths(tmp_path) == {
        "employees": tmp_path / "EMPLOYEES.SAV",
        "customers": tmp_path / "customers.zsav",
    }
    pyreadstat.write_sav(cus, tmp_path / "customers.sav", **cus_meta)
    with pytest.raises(miroir.FileError, match=re.escape("2 files for the customers table (customers.sav, customers.zsav)")):
        spss.spss_table_paths(tmp_path)
    with pytest.raises(miroir.FileError, match="cannot list the folder"):
        spss.spss_table_paths(tmp_path / "none")


def test_bad_spss_files_are_file_errors(tmp_path, monkeypatch):
    path = tmp_path / "employees.sav"
    path.write_bytes(b"$FL2 not really an SPSS file" + bytes(200))
    with pytest.raises(miroir.FileError, match=re.escape(f"{path}: cannot read SPSS: the file is corrupt or not an SPSS .sav file")):
        spss.read_spss(path)
    with pytest.raises(miroir.FileError, match=re.escape(f"{tmp_path / 'none.sav'}: no such file")):
        spss.read_spss(tmp_path / "none.sav")
    with pytest.raises(miroir.FileError, match="not an SPSS file"):
        spss.read_spss(tmp_path / "employees.csv")
    # pyreadstat not installed
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    with pytest.raises(miroir.FileError, match=re.escape("needs pyreadstat: pip install miroir[spss]")):
        spss.read_spss(path)


def test_load_study_reads_a_folder_with_spss_files(tmp_path):
    # employees from SPSS (codes, 9 = "ne sait pas" declared missing), customers and mentions
    # as Parquet: load_study reads the folder as one study, and says what SPSS declared missing
    emp, emp_meta, _, _ = spss_frames()
    employees, customers, mentions = canonical_frames()
    emp = emp.drop("asked_about_customers")
    meta = {"missing_ranges": {"can_contribute": [8, 9]},
            "variable_value_labels": {"can_contribute": emp_meta["variable_value_labels"]["can_contribute"]}}
    pyreadstat.write_sav(emp, tmp_path / "employees.sav", **meta)
    customers.write_parquet(tmp_path / "customers.parquet")
    mentions.write_parquet(tmp_path / "mentions.parquet")
    with pytest.warns(miroir.DataQualityWarning, match=r"column 'can_contribute': 2 answer\(s\) declared missing in the SPSS file"):
        study = miroir.load_study(tmp_path)
    expected = miroir.Study(employees.drop("asked_about_customers"), customers, mentions)
    assert_same_study(study, expected)
    # two files for one table are refused, whatever their formats
    employees.write_csv(tmp_path / "employees.csv")
    with pytest.raises(miroir.FileError, match="2 files for the employees table"):
        miroir.load_study(tmp_path)


def test_the_schema_names_the_sheet(tmp_path):
    # an export whose data sheet is "Feuil1" behind a "Notes" sheet, in every workbook
    employees, customers, mentions = canonical_frames()
    notes = pl.DataFrame({"note": ["export du 3 décembre"]})
    for name, frame in (("employees", employees), ("customers", customers), ("mentions", mentions)):
        write_workbook(tmp_path / f"{name}.xlsx", {"Notes": notes, "Feuil1": frame})
    for sheet in ("Feuil1", 1):
        schema = miroir.Schema(excel={"sheet": sheet})
        assert schema.excel == {"sheet": sheet}
        assert_same_study(miroir.load_study(tmp_path, schema=schema), canonical())
        # the option travels in the schema's TOML
        assert miroir.Schema.from_toml(write_text(tmp_path / "s.toml", schema.to_toml())).excel == {"sheet": sheet}
    # without it, the first sheet ("Notes") is not a table
    with pytest.raises(miroir.MissingColumnError):
        miroir.load_study(tmp_path)
    with pytest.raises(miroir.InvalidArgumentError, match="unknown key 'tab'"):
        miroir.Schema(excel={"tab": 1})


def write_text(path, text):
    path.write_text(text, encoding="utf-8")
    return path
