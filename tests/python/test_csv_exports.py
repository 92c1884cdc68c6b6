"""CSV as institutes have it (issue 15, item 1): semicolons, Windows code page, byte-order mark,
CRLF, decimal commas and quoted verbatims holding newlines, read back exactly; the bad files
refused with a typed error naming the file and the line (or the value and the row)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

import miroir

TABLES = ("employees", "customers", "mentions")
POLARS_ADVICE = ("truncate_ragged_lines", "Schema", "infer_schema_length")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, miroir.Study]:
    """The canonical study, with verbatims holding newlines, quotes, separators and accents
    (all in cp1252), written as plain UTF-8 comma CSV and loaded back from it."""
    study = miroir.synthetic_study(studies=2, employees=300, customers=900, seed=2)
    mentions = study.mentions
    if "text" not in mentions.columns:
        mentions = mentions.with_columns(pl.lit(None, dtype=pl.String).alias("text"))
    odd = [
        "très bien reçu\nmerci à l'équipe",
        'il a dit "c\'est réglé" ; puis rien',
        "délai, encore ; et encore\r\n– « 3 semaines »",
        "7,5",
    ]
    mentions = mentions.with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(pl.lit(pl.Series(odd)).get(pl.int_range(pl.len()) % len(odd)))
        .otherwise(pl.col("text"))
        .alias("text")
    )
    base = miroir.Study(study.employees, study.customers, mentions, schema=study.schema)
    folder = tmp_path_factory.mktemp("plain")
    base.write(folder, format="csv")
    return folder, miroir.load_study(folder)


def _export(plain: Path, out: Path, *, encoding: str, separator: str = ";", decimal_comma: bool = True,
            crlf: bool = True, edit=None) -> Path:
    """The plain CSV study re-written as an institute's export."""
    out.mkdir(parents=True, exist_ok=True)
    if (plain / "schema.toml").exists():
        shutil.copy(plain / "schema.toml", out / "schema.toml")
    for table in TABLES:
        df = pl.read_csv(plain / f"{table}.csv", infer_schema_length=0)  # every column as text
        source = pl.read_csv(plain / f"{table}.csv", infer_schema_length=None)
        df = df.with_columns(
            pl.col(c).str.replace(".", ",", literal=True)
            for c, t in source.schema.items()
            if t.is_float() and decimal_comma
        )
        text = df.write_csv(separator=separator, line_terminator="\r\n" if crlf else "\n")
        if edit is not None:
            text = edit(table, text)
        data = text.encode("cp1252") if encoding == "cp1252" else text.encode("utf-8")
        if encoding == "utf-8-sig":
            data = b"\xef\xbb\xbf" + data
        (out / f"{table}.csv").write_bytes(data)
    return out


def _same(a: miroir.Study, b: miroir.Study) -> None:
    for table in TABLES:
        x, y = getattr(a, table), getattr(b, table)
        assert x.schema == y.schema, (table, x.schema, y.schema)
        assert x.equals(y), table


def test_the_reference_holds_what_the_exports_test(reference):
    folder, study = reference
    text = study.mentions["text"].drop_nulls()
    assert text.str.contains("\n").any() and text.str.contains('"').any() and text.str.contains("é").any()
    assert study.customers["satisfaction"].dtype == pl.Float64
    raw = (folder / "customers.csv").read_text(encoding="utf-8")
    assert "." in raw.splitlines()[1]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_an_export_is_read_back_exactly(reference, tmp_path, encoding, separator):
    plain, study = reference
    # the decimal comma is detected with ';' only; with another separator the numbers keep points
    folder = _export(plain, tmp_path / "export", encoding=encoding, separator=separator,
                     decimal_comma=separator == ";")
    raw = (folder / "mentions.csv").read_bytes()
    assert b"\r\n" in raw
    if encoding == "cp1252":
        assert b"\xe9" in raw  # é as one byte: not UTF-8
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    _same(miroir.load_study(folder), study)


def test_declared_options_give_the_same_study(reference, tmp_path):
    plain, study = reference
    folder = _export(plain, tmp_path / "export", encoding="cp1252", separator="\t")
    schema = miroir.Schema(csv={"separator": "\t", "encoding": "cp1252", "decimal_comma": True})
    _same(miroir.load_study(folder, schema=schema), study)
    schema = miroir.Schema(csv={"separator": ";"})
    folder = _export(plain, tmp_path / "semicolons", encoding="utf-8")
    _same(miroir.load_study(folder, schema=schema), study)
    schema = miroir.Schema(csv={"encoding": "latin-1"})
    folder = _export(plain, tmp_path / "latin", encoding="cp1252", decimal_comma=False, separator=",")
    _same(miroir.load_study(folder, schema=schema), study)


def test_the_reader_alone_reads_an_export(reference, tmp_path):
    plain, study = reference
    folder = _export(plain, tmp_path / "export", encoding="cp1252")
    customers = miroir._core.read_table(str(folder / "customers.csv"))
    assert customers["satisfaction"].dtype == pl.Float64
    assert customers.height == study.customers.height


def _no_polars_advice(message: str) -> None:
    for word in POLARS_ADVICE:
        assert word not in message, message


def test_a_wrong_declared_encoding_is_named(reference, tmp_path):
    plain, _ = reference
    folder = _export(plain, tmp_path / "export", encoding="cp1252")
    with pytest.raises(miroir.FileError) as e:
        miroir.load_study(folder, schema=miroir.Schema(csv={"encoding": "utf-8"}))
    message = str(e.value)
    assert ".csv" in message and "is not valid UTF-8" in message and "line " in message, message
    _no_polars_advice(message)
    # a UTF-8 export declared cp1252 would be mojibake: refused too
    folder = _export(plain, tmp_path / "utf8", encoding="utf-8")
    with pytest.raises(miroir.FileError, match="mentions.csv: .*declared windows-1252 but is UTF-8 text"):
        miroir.load_study(folder, schema=miroir.Schema(csv={"encoding": "cp1252"}))


def test_an_unknown_encoding_label_is_a_schema_error(reference, tmp_path):
    plain, _ = reference
    folder = _export(plain, tmp_path / "export", encoding="cp1252")
    with pytest.raises(miroir.SchemaError, match="csv encoding 'klingon' is not a known encoding"):
        miroir.load_study(folder, schema=miroir.Schema(csv={"encoding": "klingon"}))


def test_a_ragged_line_is_named(reference, tmp_path):
    plain, _ = reference

    def extra_field(table, text):
        if table != "customers":
            return text
        lines = text.split("\r\n")
        lines[100] += ";surplus"  # line 101 of the file
        return "\r\n".join(lines)

    folder = _export(plain, tmp_path / "export", encoding="cp1252", edit=extra_field)
    with pytest.raises(miroir.FileError) as e:
        miroir.load_study(folder)
    message = str(e.value)
    assert "customers.csv" in message and "line 101 has" in message, message
    _no_polars_advice(message)


@pytest.mark.parametrize("odd", ["8/10", "75 %", "NA"])
def test_text_in_a_decimal_comma_column_is_named_with_its_row(reference, tmp_path, odd):
    plain, _ = reference

    def score(table, text):
        if table != "customers":
            return text
        lines = text.split("\r\n")
        header = lines[0].split(";")
        j = header.index("satisfaction")
        fields = lines[41].split(";")  # row index 40
        fields[j] = odd
        lines[41] = ";".join(fields)
        return "\r\n".join(lines)

    folder = _export(plain, tmp_path / "export", encoding="cp1252", edit=score)
    with pytest.raises(miroir.DtypeError) as e:
        miroir.load_study(folder)
    message = str(e.value)
    assert "satisfaction" in message and f"'{odd}'" in message and "row index 40" in message, message
    # the CSV layer made it neither a number nor a null
    customers = miroir._core.read_table(str(folder / "customers.csv"))
    assert customers["satisfaction"].dtype == pl.String
    assert customers["satisfaction"][40] == odd
    assert customers["satisfaction"][0].count(",") == 0  # the numbers are in decimal-point form


def test_an_unclosed_quote_is_named(reference, tmp_path):
    plain, _ = reference

    def open_quote(table, text):
        if table != "mentions":
            return text
        lines = text.split("\r\n")
        lines[3] = lines[3] + ';"'
        return "\r\n".join(lines)

    folder = _export(plain, tmp_path / "export", encoding="utf-8", edit=open_quote)
    with pytest.raises(miroir.FileError) as e:
        miroir.load_study(folder)
    assert "mentions.csv" in str(e.value) and "line " in str(e.value), str(e.value)
    _no_polars_advice(str(e.value))
