"""Issue 15, item 3: a customer without a satisfaction answer (null, NaN or a declared missing
code) is, by default (``missing_satisfaction="drop"``), left out of the study at validation with
their mentions, counted in a data-quality warning and in ``summary()["customers_dropped"]``;
``missing_satisfaction="refuse"`` keeps the old refusal (MissingValueError naming the rows).
The study must equal the one built from the tables with those customers removed by hand, in
memory and streamed."""

import re
import warnings
from pathlib import Path

import polars as pl
import pytest

import miroir

SCHEMA_ARGS = {"missing_codes": {"satisfaction": [99]}}


def _schema(**kw) -> miroir.Schema:
    return miroir.Schema(**SCHEMA_ARGS, **kw)


@pytest.fixture(scope="module")
def raw() -> dict:
    base = miroir.synthetic_study(studies=2, employees=400, customers=1500, seed=3)
    emp, cus, men = base.employees, base.customers, base.mentions
    assert men is not None
    cus = cus.with_row_index("_row")
    mentioned = (
        men.filter(pl.col("side") == "customer")
        .select("study", pl.col("respondent_id").alias("customer_id"))
        .unique(maintain_order=True)
        .head(12)
        .join(cus.select("study", "customer_id", "_row"), on=["study", "customer_id"])["_row"]
        .to_list()
    )
    assert len(mentioned) == 12
    # nulls: six mentioned customers, every 97th row, and a block of 130 consecutive rows (a
    # whole slice of the streamed scan below); the missing code 99: six mentioned customers
    # and every 89th row
    null_rows = set(mentioned[:6]) | set(range(5, cus.height, 97)) | set(range(300, 430))
    code_rows = (set(mentioned[6:]) | set(range(11, cus.height, 89))) - null_rows
    sat = cus["satisfaction"].to_list()
    for r in null_rows:
        sat[r] = None if r % 2 else float("nan")
    for r in code_rows:
        sat[r] = 99.0
    blanked = cus.with_columns(pl.Series("satisfaction", sat, dtype=pl.Float64)).drop("_row")
    dropped = cus.filter(pl.col("_row").is_in(sorted(null_rows | code_rows))).select("study", "customer_id")
    kept_cus = blanked.join(dropped, on=["study", "customer_id"], how="anti", maintain_order="left")
    keys = dropped.rename({"customer_id": "respondent_id"}).with_columns(side=pl.lit("customer"))
    kept_men = men.join(keys, on=["study", "side", "respondent_id"], how="anti", maintain_order="left")
    n_men = men.height - kept_men.height
    assert n_men > 0
    per_study = dropped.group_by("study").len()
    return {
        "emp": emp, "cus": blanked, "men": men, "kept_cus": kept_cus, "kept_men": kept_men,
        "n_dropped": dropped.height, "n_codes": len(code_rows), "n_men": n_men,
        "per_study": dict(per_study.iter_rows()),
    }


def _build(raw: dict) -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return miroir.Study(raw["emp"], raw["cus"], raw["men"], schema=_schema())


def _reference(raw: dict) -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return miroir.Study(raw["emp"], raw["kept_cus"], raw["kept_men"], schema=_schema())


def _same_tables(a: miroir.Study, b: miroir.Study) -> None:
    assert a.employees.equals(b.employees)
    assert a.customers.equals(b.customers)
    assert a.mentions is not None and b.mentions is not None
    assert a.mentions.equals(b.mentions)
    ta, tb = miroir.report(a, n_resamples=0).tables(), miroir.report(b, n_resamples=0).tables()
    assert ta.keys() == tb.keys()
    for name, table in ta.items():
        other = tb[name]
        if name == "summary":  # the one difference: what was left out
            table, other = table.drop("customers_dropped"), other.drop("customers_dropped")
        assert table.equals(other), name


def test_dropped_customers_and_mentions_equal_removal_by_hand(raw: dict) -> None:
    with pytest.warns(miroir.DataQualityWarning) as caught:
        s = miroir.Study(raw["emp"], raw["cus"], raw["men"], schema=_schema())
    ref = _reference(raw)
    _same_tables(s, ref)
    assert s.customers.height == raw["cus"].height - raw["n_dropped"]
    expected = (
        f"table 'customers', column 'satisfaction': {raw['n_dropped']} customer(s) without a "
        f"satisfaction answer left out, and their {raw['n_men']} mention(s) "
        '(missing_satisfaction = "drop")'
    )
    assert expected in s.warnings
    assert expected in [str(w.message) for w in caught]
    # the missing code is still reported as such
    assert any(f"{raw['n_codes']} answer(s) given as a missing code (99)" in w for w in s.warnings)
    summary = s.summary()
    got = dict(summary.select("study", "customers_dropped").iter_rows())
    assert got == raw["per_study"]
    assert sum(got.values()) == raw["n_dropped"]
    # the new column comes last; the reference has none dropped
    assert summary.columns[-1] == "customers_dropped"
    assert summary.columns[:-1] == ref.summary().columns[:-1]
    assert ref.summary()["customers_dropped"].to_list() == [0, 0]
    assert not any("left out" in w for w in ref.warnings)


def test_warning_without_mentions(raw: dict) -> None:
    one = raw["kept_cus"].with_columns(
        satisfaction=pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("satisfaction"))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = miroir.Study(raw["emp"], one, None)
    assert (
        "table 'customers', column 'satisfaction': 1 customer(s) without a satisfaction answer left out "
        '(missing_satisfaction = "drop")'
    ) in s.warnings
    assert s.summary()["customers_dropped"].sum() == 1


def test_streamed_equals_in_memory(raw: dict, tmp_path: Path) -> None:
    folder = tmp_path / "blank"
    folder.mkdir()
    raw["emp"].write_parquet(folder / "employees.parquet")
    raw["cus"].write_parquet(folder / "customers.parquet")
    raw["men"].write_parquet(folder / "mentions.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = miroir.load_study(folder, schema=_schema(), streaming=False)
        # slices of 100 rows: the block of 130 blank rows empties a whole slice
        streamed = miroir.load_study(folder, schema=_schema(), streaming=True, batch_rows=100)
    assert streamed.streamed and not whole.streamed
    assert whole.warnings == streamed.warnings
    assert whole.summary().equals(streamed.summary())
    _same_tables(streamed, whole)
    _same_tables(streamed, _reference(raw))
    # customers in memory, mentions streamed (and the other way round)
    mixed = miroir.load_study(
        employees=folder / "employees.parquet", customers=folder / "customers.parquet",
        mentions=folder / "mentions.parquet", schema=_schema(), streaming=True, batch_rows=333,
    )
    _same_tables(mixed, whole)


def test_refuse_names_the_rows(raw: dict) -> None:
    with pytest.raises(miroir.MissingValueError) as err:
        miroir.Study(raw["emp"], raw["cus"], raw["men"], schema=_schema(missing_satisfaction="refuse"))
    text = str(err.value)
    assert "'customers'" in text and "'satisfaction'" in text
    assert re.search(rf"{raw['n_dropped']} rows \(first at row index \d+", text), text
    assert 'missing_satisfaction="drop"' in text


def test_refuse_streamed(raw: dict, tmp_path: Path) -> None:
    folder = tmp_path / "refuse"
    folder.mkdir()
    raw["emp"].write_parquet(folder / "employees.parquet")
    raw["cus"].write_parquet(folder / "customers.parquet")
    with pytest.raises(miroir.MissingValueError, match="'satisfaction'"):
        miroir.load_study(folder, schema=_schema(missing_satisfaction="refuse"), streaming=True, batch_rows=100)


def test_every_customer_dropped_is_a_typed_error(raw: dict, tmp_path: Path) -> None:
    cus = raw["cus"].with_columns(satisfaction=pl.lit(None, dtype=pl.Float64))
    with pytest.raises((miroir.EmptyTableError, miroir.InsufficientDataError), match="customers"):
        miroir.Study(raw["emp"], cus, raw["men"])
    folder = tmp_path / "none"
    folder.mkdir()
    raw["emp"].write_parquet(folder / "employees.parquet")
    cus.write_parquet(folder / "customers.parquet")
    raw["men"].write_parquet(folder / "mentions.parquet")
    with pytest.raises((miroir.EmptyTableError, miroir.InsufficientDataError), match="customers"):
        miroir.load_study(folder, streaming=True, batch_rows=100)


def test_only_satisfaction_is_dropped(raw: dict) -> None:
    emp = raw["emp"].with_columns(
        engagement=pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("engagement"))
    )
    with pytest.raises(miroir.MissingValueError, match="'engagement'"):
        miroir.Study(emp, raw["kept_cus"], raw["kept_men"])
    cus = raw["kept_cus"].with_columns(
        customer_id=pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("customer_id"))
    )
    with pytest.raises(miroir.MissingValueError, match="'customer_id'"):
        miroir.Study(raw["emp"], cus, raw["kept_men"])


def test_every_mention_dropped(raw: dict) -> None:
    # the only mentions are those of dropped customers: a study without mentions
    keys = raw["cus"].filter(pl.col("satisfaction").is_null() | pl.col("satisfaction").is_nan()
                             | (pl.col("satisfaction") == 99)).select("study", "customer_id")
    men = raw["men"].join(
        keys.rename({"customer_id": "respondent_id"}).with_columns(side=pl.lit("customer")),
        on=["study", "side", "respondent_id"], how="semi", maintain_order="left",
    )
    assert men.height > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = miroir.Study(raw["emp"], raw["cus"], men, schema=_schema())
    assert s.mentions is None or s.mentions.height == 0
    assert any(f"and their {men.height} mention(s)" in w for w in s.warnings)


def test_duplicate_id_rows_are_numbered_in_the_table_given(raw: dict, tmp_path: Path) -> None:
    # customers left out before a repeated id: the error still names the row of the table given
    cus = raw["cus"]
    sat = cus["satisfaction"]
    ok = [i for i in range(450, cus.height - 1)
          if all(sat[j] is not None and sat[j] == sat[j] and sat[j] != 99 for j in (i, i + 1))
          and cus["study"][i] == cus["study"][i + 1]]
    r = ok[0]
    ids = cus["customer_id"].to_list()
    ids[r + 1] = ids[r]
    dup = cus.with_columns(pl.Series("customer_id", ids))
    with pytest.raises(miroir.DuplicateIdError, match=rf"row index {r + 1}\b"):
        miroir.Study(raw["emp"], dup, None, schema=_schema())
    folder = tmp_path / "dup"
    folder.mkdir()
    raw["emp"].write_parquet(folder / "employees.parquet")
    dup.write_parquet(folder / "customers.parquet")
    with pytest.raises(miroir.DuplicateIdError, match=rf"row index {r + 1}\b"):
        miroir.load_study(folder, schema=_schema(), streaming=True, batch_rows=100)
