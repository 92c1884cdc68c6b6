"""Streaming validation of Parquet files (issue 7): ``load_study(..., streaming=True)`` scans the
customers, employees and mentions files slice by slice, keeps only what the analyses need and
must give exactly the report of the in-memory path, and refuse bad files with the same typed
errors, rows numbered in the file."""

from pathlib import Path

import polars as pl
import pytest

import miroir


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    study = miroir.synthetic_study(studies=4, employees=3_000, customers=15_000, seed=5)
    return study.write(tmp_path_factory.mktemp("stream") / "study")


def test_streamed_report_equals_the_in_memory_report(folder: Path) -> None:
    whole = miroir.load_study(folder, streaming=False)
    # small slices so that units, ids and mentions span several of them
    streamed = miroir.load_study(folder, streaming=True, batch_rows=1_234)
    assert streamed.streamed and not whole.streamed
    a, b = miroir.report(whole, n_resamples=199), miroir.report(streamed, n_resamples=199)
    for name, table in a.tables().items():
        assert b.tables()[name].equals(table), name
    assert a.warnings == b.warnings
    # the example verbatims (counted on hashes of the texts, read back from the file) are there
    assert a.moments.table["customer_example"].drop_nulls().len() > 0
    # the tables are read back on request, identical
    assert streamed.customers.equals(whole.customers)
    assert streamed.employees.equals(whole.employees)
    assert streamed.mentions is not None and whole.mentions is not None
    assert streamed.mentions.equals(whole.mentions)


def test_engagement_items_and_renamed_columns_stream(folder: Path, tmp_path: Path) -> None:
    emp = pl.read_parquet(folder / "employees.parquet")
    # engagement given as three 1-5 items, the mentions' text under a client name
    q = ((emp["engagement"] / 25).round() + 1).cast(pl.Int64)
    items = emp.drop("engagement").with_columns(q1=q, q2=(6 - q), q3=q.clip(2, 4))
    men = pl.read_parquet(folder / "mentions.parquet").rename({"text": "verbatim"})
    out = write_with(folder, tmp_path / "items", employees=items, mentions=men)
    schema = miroir.Schema(engagement_items=["q1", "q2", "q3"], item_scale=(1, 5), mentions={"verbatim": "text"})
    whole = miroir.load_study(out, schema=schema, streaming=False)
    streamed = miroir.load_study(out, schema=schema, streaming=True, batch_rows=777)
    a, b = miroir.report(whole, n_resamples=0), miroir.report(streamed, n_resamples=0)
    for name, table in a.tables().items():
        assert b.tables()[name].equals(table), name
    assert a.moments.table["customer_example"].drop_nulls().len() > 0


def write_with(folder: Path, out: Path, **tables: pl.DataFrame) -> Path:
    """The study of ``folder`` written to ``out`` with some tables replaced."""
    out.mkdir()
    for name in ("employees", "customers", "mentions"):
        table = tables.get(name)
        if table is None:
            table = pl.read_parquet(folder / f"{name}.parquet")
        table.write_parquet(out / f"{name}.parquet")
    return out


def same_error(bad: Path, error: type[Exception], batch_rows: int) -> str:
    """The message of the error both paths raise (asserted equal)."""
    with pytest.raises(error) as e:
        miroir.load_study(bad, streaming=True, batch_rows=batch_rows)
    with pytest.raises(error) as f:
        miroir.load_study(bad, streaming=False)
    assert str(e.value) == str(f.value)
    return str(e.value)


@pytest.mark.parametrize(("table", "column", "row", "beyond", "batch_rows"), [
    ("customers", "customer_id", 10, 2_000, 1_000),
    ("employees", "employee_id", 3, 500, 250),
])
def test_duplicate_ids_in_different_slices_are_found(
    folder: Path, tmp_path: Path, table: str, column: str, row: int, beyond: int, batch_rows: int
) -> None:
    df = pl.read_parquet(folder / f"{table}.parquet")
    ids = df[column].to_list()
    # the last respondent of `row`'s study, several slices later, takes its id
    same = df.with_row_index("row").filter(pl.col("study") == df["study"][row])
    last = int(same["row"][-1])
    assert last >= beyond
    ids[last] = ids[row]
    bad = write_with(folder, tmp_path / "bad", **{table: df.with_columns(pl.Series(column, ids))})
    message = same_error(bad, miroir.DuplicateIdError, batch_rows)
    assert f"table '{table}', column '{column}'" in message
    assert f"1 row (first at row index {last})" in message


def test_out_of_range_rows_are_numbered_in_the_file(folder: Path, tmp_path: Path) -> None:
    cus = pl.read_parquet(folder / "customers.parquet")
    sat = cus["satisfaction"].to_list()
    sat[7_777] = 12.0
    bad = write_with(folder, tmp_path / "bad", customers=cus.with_columns(satisfaction=pl.Series(sat)))
    with pytest.raises(miroir.OutOfRangeError) as e:
        miroir.load_study(bad, streaming=True, batch_rows=1_000)
    message = str(e.value)
    assert "table 'customers', column 'satisfaction'" in message and "row index 7777" in message
    assert "counted in the first 8000 of 15000 rows" in message


def test_orphan_mentions_are_refused(folder: Path, tmp_path: Path) -> None:
    cus = pl.read_parquet(folder / "customers.parquet")
    men = pl.read_parquet(folder / "mentions.parquet")
    mentioned = men.filter(pl.col("side") == "customer")["respondent_id"][0]
    bad = write_with(folder, tmp_path / "bad", customers=cus.filter(pl.col("customer_id") != mentioned))
    message = same_error(bad, miroir.OrphanMentionError, 2_000)
    assert f"customer '{mentioned}'" in message


def test_bad_employee_and_mention_rows_are_numbered_in_the_file(folder: Path, tmp_path: Path) -> None:
    emp = pl.read_parquet(folder / "employees.parquet")
    engagement = emp["engagement"].to_list()
    engagement[2_345] = 140.0
    bad = write_with(folder, tmp_path / "bad", employees=emp.with_columns(engagement=pl.Series(engagement)))
    with pytest.raises(miroir.OutOfRangeError) as e:
        miroir.load_study(bad, streaming=True, batch_rows=1_000)
    assert "table 'employees', column 'engagement'" in str(e.value) and "row index 2345" in str(e.value)
    assert "counted in the first 3000 of 3000 rows" not in str(e.value)

    men = pl.read_parquet(folder / "mentions.parquet")
    valence = men["valence"].to_list()
    row = men.height - 3
    valence[row] = "neutral"
    bad2 = write_with(folder, tmp_path / "bad2", mentions=men.with_columns(valence=pl.Series(valence)))
    with pytest.raises(miroir.UnknownCategoryError) as f:
        miroir.load_study(bad2, streaming=True, batch_rows=1_000)
    assert "table 'mentions', column 'valence'" in str(f.value) and f"row index {row}" in str(f.value)


def test_orphan_employee_mentions_are_refused(folder: Path, tmp_path: Path) -> None:
    emp = pl.read_parquet(folder / "employees.parquet")
    men = pl.read_parquet(folder / "mentions.parquet")
    mentioned = men.filter(pl.col("side") == "employee")["respondent_id"][-1]
    bad = write_with(folder, tmp_path / "bad", employees=emp.filter(pl.col("employee_id") != mentioned))
    message = same_error(bad, miroir.OrphanMentionError, 400)
    assert f"employee '{mentioned}'" in message


def test_an_empty_mentions_file_streams(folder: Path, tmp_path: Path) -> None:
    men = pl.read_parquet(folder / "mentions.parquet").head(0)
    bad = write_with(folder, tmp_path / "bad", mentions=men)
    with pytest.warns(miroir.DataQualityWarning, match="mentions table is empty"):
        streamed = miroir.load_study(bad, streaming=True, batch_rows=1_000)
    assert streamed.mentions is None
    assert miroir.report(streamed, n_resamples=0).moments is None


def test_batch_rows_must_be_positive(folder: Path) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="batch_rows"):
        miroir.load_study(folder, streaming=True, batch_rows=0)


def test_a_file_changed_after_loading_is_refused(folder: Path, tmp_path: Path) -> None:
    out = write_with(folder, tmp_path / "copy")
    study = miroir.load_study(out, streaming=True, batch_rows=1_000)
    # the mentions' texts are read back for the example verbatims, the customers on request
    men = pl.read_parquet(out / "mentions.parquet")
    men.head(men.height - 1).write_parquet(out / "mentions.parquet")
    with pytest.raises(miroir.FileError, match="changed since the study was loaded"):
        miroir.moments(study)
    cus = pl.read_parquet(out / "customers.parquet")
    pl.concat([cus, cus.head(1)]).write_parquet(out / "customers.parquet")
    with pytest.raises(miroir.FileError, match=r"changed since the study was loaded \(\d+ bytes then, \d+ now\)"):
        study.customers
    # same length, other content: refused too (a hash of the bytes, not the row count, is kept)
    fresh = miroir.load_study(write_with(folder, tmp_path / "copy2"), streaming=True, batch_rows=1_000)
    (tmp_path / "copy2" / "customers.parquet").write_bytes(
        _same_size_other_bytes((tmp_path / "copy2" / "customers.parquet").read_bytes())
    )
    with pytest.raises(miroir.FileError, match=r"other content"):
        fresh.customers
    # the analyses that need no table read back still run on what was validated
    assert miroir.linkage(study).table.height > 0


def _same_size_other_bytes(data: bytes) -> bytes:
    """The file with one byte of its data pages changed: same length, other content."""
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
