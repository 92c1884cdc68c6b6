"""Streaming validation of a Parquet customers file (issue 7): ``load_study(..., streaming=True)``
keeps only what the analyses need and must give exactly the report of the in-memory path, and
refuse bad files with the same typed errors, rows numbered in the file."""

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
    # the customers are read back on request, identical
    assert streamed.customers.equals(whole.customers)


def write_with(folder: Path, tmp: Path, customers: pl.DataFrame) -> Path:
    out = tmp / "bad"
    out.mkdir()
    for name in ("employees", "mentions"):
        pl.read_parquet(folder / f"{name}.parquet").write_parquet(out / f"{name}.parquet")
    customers.write_parquet(out / "customers.parquet")
    return out


def test_duplicate_ids_in_different_slices_are_found(folder: Path, tmp_path: Path) -> None:
    cus = pl.read_parquet(folder / "customers.parquet")
    ids = cus["customer_id"].to_list()
    # the last customer of row 10's study, several slices of 1,000 rows later, takes its id
    same = cus.with_row_index("row").filter(pl.col("study") == cus["study"][10])
    last = int(same["row"][-1])
    assert last >= 2_000
    ids[last] = ids[10]
    bad = write_with(folder, tmp_path, cus.with_columns(customer_id=pl.Series(ids)))
    with pytest.raises(miroir.DuplicateIdError) as e:
        miroir.load_study(bad, streaming=True, batch_rows=1_000)
    assert "table 'customers', column 'customer_id'" in str(e.value)
    assert f"1 row (first at row index {last})" in str(e.value)
    with pytest.raises(miroir.DuplicateIdError) as f:
        miroir.load_study(bad, streaming=False)
    assert str(f.value) == str(e.value)


def test_out_of_range_rows_are_numbered_in_the_file(folder: Path, tmp_path: Path) -> None:
    cus = pl.read_parquet(folder / "customers.parquet")
    sat = cus["satisfaction"].to_list()
    sat[7_777] = 12.0
    bad = write_with(folder, tmp_path, cus.with_columns(satisfaction=pl.Series(sat)))
    with pytest.raises(miroir.OutOfRangeError) as e:
        miroir.load_study(bad, streaming=True, batch_rows=1_000)
    message = str(e.value)
    assert "table 'customers', column 'satisfaction'" in message and "row index 7777" in message
    assert "counted in the first 8000 of 15000 rows" in message


def test_orphan_mentions_are_refused(folder: Path, tmp_path: Path) -> None:
    cus = pl.read_parquet(folder / "customers.parquet")
    men = pl.read_parquet(folder / "mentions.parquet")
    mentioned = men.filter(pl.col("side") == "customer")["respondent_id"][0]
    bad = write_with(folder, tmp_path, cus.filter(pl.col("customer_id") != mentioned))
    with pytest.raises(miroir.OrphanMentionError) as e:
        miroir.load_study(bad, streaming=True, batch_rows=2_000)
    with pytest.raises(miroir.OrphanMentionError) as f:
        miroir.load_study(bad, streaming=False)
    assert str(e.value) == str(f.value)


def test_batch_rows_must_be_positive(folder: Path) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="batch_rows"):
        miroir.load_study(folder, streaming=True, batch_rows=0)
