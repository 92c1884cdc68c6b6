"""Schema options for real exports (issue 15): constants, missing codes, Likert items with blanks,
reverse-coded items and per-item scales, the schema written beside the tables and read back
(``schema.toml``, ``--schema``), and a warning when the satisfaction scale looks wrong.

References: the engagement index is recomputed here with numpy from its definition (each answered
item rescaled to 0–100 on its own scale, reverse-coded items as low + high − x, the mean over the
answered items); round trips compare the study read back with the canonical one exactly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import miroir


@pytest.fixture(scope="module")
def base() -> miroir.Study:
    return miroir.synthetic_study(studies=2, employees=400, customers=1_200, seed=4)


def quiet_study(*args: object, **kwargs: object) -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.Study(*args, **kwargs)  # type: ignore[arg-type]


# -- constants ---------------------------------------------------------------------------------


def test_a_constant_study_column_for_a_one_company_export(base: miroir.Study) -> None:
    one = base.employees.filter(pl.col("study") == base.employees["study"][0])
    name = one["study"][0]
    cus = base.customers.filter(pl.col("study") == name)
    men = base.mentions.filter(pl.col("study") == name)
    canonical = quiet_study(one, cus, men)
    schema = miroir.Schema(constants={"study": name})
    study = quiet_study(one.drop("study"), cus.drop("study"), men.drop("study"), schema=schema)
    assert study.employees.equals(canonical.employees)
    assert study.customers.equals(canonical.customers)
    assert study.mentions is not None and canonical.mentions is not None
    assert study.mentions.equals(canonical.mentions)
    assert miroir.linkage(study).table.equals(miroir.linkage(canonical).table)


def test_a_constant_for_a_column_the_file_has_is_refused(base: miroir.Study) -> None:
    with pytest.raises(miroir.SchemaError, match="constant value 'x' but the file has a 'study' column"):
        miroir.Study(base.employees, base.customers, schema=miroir.Schema(constants={"study": "x"}))
    with pytest.raises(miroir.SchemaError, match="'region' is not a column of the data model"):
        miroir.Schema(constants={"region": "Nord"})


# -- missing codes -----------------------------------------------------------------------------


def test_missing_codes_become_missing_and_are_counted(base: miroir.Study) -> None:
    emp = base.employees.with_columns(
        pl.when(pl.int_range(pl.len()) % 7 == 0).then(pl.lit(99.0)).otherwise(pl.col("informed")).alias("informed"),
        pl.when(pl.int_range(pl.len()) % 5 == 0).then(pl.lit("NSP"))
        .otherwise(pl.col("asked_about_customers")).alias("asked_about_customers"),
    )
    n_informed = emp.height // 7 + (1 if emp.height % 7 else 0)
    n_asked = (emp["asked_about_customers"] == "NSP").sum()
    schema = miroir.Schema(missing_codes={"informed": [99], "*": ["NSP", "ne sait pas"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", miroir.DataQualityWarning)
        study = miroir.Study(emp, base.customers, base.mentions, schema=schema)
    got = study.employees
    assert got["informed"].null_count() == n_informed
    assert got["asked_about_customers"].null_count() == n_asked
    # the other answers are untouched
    keep = pl.int_range(pl.len()) % 7 != 0
    assert got.filter(keep)["informed"].equals(base.employees.filter(keep)["informed"])
    texts = [str(w.message) for w in caught]
    assert any(f"column 'informed': {n_informed} answer(s) given as a missing code (99, 'NSP', 'ne sait pas')" in t
               for t in texts), texts
    assert any(f"column 'asked_about_customers': {n_asked} answer(s) given as a missing code ('NSP', 'ne sait pas')"
               in t for t in texts), texts
    assert sorted(study.warnings) == sorted(t for t in texts if "given as a missing code" in t)


def test_missing_codes_cannot_touch_keys_and_must_be_real_codes() -> None:
    with pytest.raises(miroir.SchemaError, match="'unit' is a key column"):
        miroir.Schema(missing_codes={"unit": ["?"]})
    with pytest.raises(miroir.SchemaError, match="an empty cell is already a missing answer"):
        miroir.Schema(missing_codes=[""])
    with pytest.raises(miroir.InvalidArgumentError, match="numbers or texts"):
        miroir.Schema(missing_codes=[True])


# -- Likert items --------------------------------------------------------------------------------


def items_frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    q = {f"q{i}": rng.integers(1, 6, n).astype(float) for i in range(1, 5)}
    q["q4"] = rng.integers(0, 11, n).astype(float)  # a 0-10 item
    for i, name in enumerate(q):
        q[name][rng.random(n) < 0.08 + 0.02 * i] = np.nan  # blank answers
    units = [f"U{u % 12:02d}" for u in range(n)]
    return pl.DataFrame({
        "study": ["s"] * n, "unit": units, "employee_id": [f"e{i}" for i in range(n)],
        "customer_facing": rng.random(n) < 0.5, **q,
    }).with_columns(pl.col("^q.$").fill_nan(None))


def reference_index(df: pl.DataFrame, k: int) -> tuple[np.ndarray, np.ndarray]:
    scales = {"q1": (1, 5), "q2": (1, 5), "q3": (1, 5), "q4": (0, 10)}
    cols = []
    for name, (lo, hi) in scales.items():
        x = df[name].to_numpy().astype(float)
        if name == "q2":
            x = lo + hi - x  # reverse-coded
        cols.append((x - lo) / (hi - lo) * 100)
    m = np.column_stack(cols)
    answered = (~np.isnan(m)).sum(axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows with too few answers: NaN
        return np.nanmean(np.where(answered[:, None] >= k, m, np.nan), axis=1), answered


def customers_for(df: pl.DataFrame) -> pl.DataFrame:
    units = sorted(set(df["unit"]))
    return pl.DataFrame({
        "study": ["s"] * (3 * len(units)), "unit": units * 3,
        "customer_id": [f"c{i}" for i in range(3 * len(units))],
        "satisfaction": [float(i % 11) for i in range(3 * len(units))],
    })


def test_items_with_blanks_reverse_coding_and_their_own_scales() -> None:
    df = items_frame(600, 1)
    ref, answered = reference_index(df, 3)
    keep = answered >= 3
    df = df.filter(pl.Series(keep))
    schema = miroir.Schema(engagement_items=["q1", "q2", "q3", "q4"], item_scale=(1, 5),
                           item_scales={"q4": (0, 10)}, reverse_items=["q2"], min_items_answered=3)
    study = quiet_study(df, customers_for(df), schema=schema)
    np.testing.assert_allclose(study.employees["engagement"].to_numpy(), ref[keep], rtol=1e-12)
    assert schema.reverse_items == ["q2"] and schema.min_items_answered == 3
    assert schema.item_scales == {"q4": (0.0, 10.0)}


def test_too_few_items_answered_names_the_rows() -> None:
    df = items_frame(300, 2)
    _, answered = reference_index(df, 4)
    rows = np.flatnonzero(answered < 4)
    schema = miroir.Schema(engagement_items=["q1", "q2", "q3", "q4"], item_scale=(1, 5),
                           item_scales={"q4": (0, 10)}, min_items_answered=4)
    with pytest.raises(miroir.MissingValueError, match=rf"min_items_answered = 4 .*{len(rows)} rows? \(first at row index {rows[0]}"):
        miroir.Study(df, customers_for(df), schema=schema)
    # without min_items_answered a blank item is refused, saying how to accept it
    with pytest.raises(miroir.MissingValueError, match="set min_items_answered in the Schema"):
        miroir.Study(df, customers_for(df), schema=miroir.Schema(
            engagement_items=["q1", "q2", "q3"], item_scale=(1, 5)))


def test_item_options_are_checked() -> None:
    with pytest.raises(miroir.SchemaError, match="need engagement_items"):
        miroir.Schema(reverse_items=["q1"])
    with pytest.raises(miroir.SchemaError, match="'q9', which is not one of the engagement_items"):
        miroir.Schema(engagement_items=["q1", "q2"], reverse_items=["q9"])
    with pytest.raises(miroir.SchemaError, match="min_items_answered must lie between 1 and the number of items"):
        miroir.Schema(engagement_items=["q1", "q2"], min_items_answered=3)
    with pytest.raises(miroir.SchemaError, match=r"item_scales\['q1'\] must be \(low, high\)"):
        miroir.Schema(engagement_items=["q1", "q2"], item_scales={"q1": (5, 1)})


# -- the schema travels with the data -------------------------------------------------------------


def test_schema_toml_round_trip() -> None:
    schema = miroir.Schema(
        employees={"Agence": "unit"}, satisfaction_scale=(1, 5), satisfied_threshold=4,
        engagement_items=["q1", "q2"], item_scale=(1, 5), reverse_items=["q2"], min_items_answered=1,
        missing_codes={"*": [9, "NSP"], "satisfaction": [99]}, constants={"study": "banque"},
        csv={"separator": ";", "encoding": "cp1252", "decimal_comma": True}, min_group_size=3,
    )
    text = schema.to_toml()
    assert text.startswith("[schema]")
    back = miroir.Schema.from_toml(write(text))
    assert back.to_toml() == text
    for attr in ("columns", "satisfaction_scale", "satisfied_threshold", "engagement_items", "item_scale",
                 "reverse_items", "min_items_answered", "missing_codes", "constants", "csv", "min_group_size"):
        assert getattr(back, attr) == getattr(schema, attr), attr


_TMP: list[Path] = []


def write(text: str, name: str = "schema.toml") -> Path:
    import tempfile

    d = Path(tempfile.mkdtemp())
    _TMP.append(d)
    (d / name).write_text(text, encoding="utf-8")
    return d / name


def test_schema_file_errors_name_the_line_and_key() -> None:
    with pytest.raises(miroir.SpecError, match=r"schema.toml:3.*satisfied_treshold"):
        miroir.Schema.from_toml(write("[schema]\nsatisfaction_scale = [1, 5]\nsatisfied_treshold = 4\n"))
    with pytest.raises(miroir.SpecError, match=r"needs a \[schema\] table"):
        miroir.Schema.from_toml(write("# nothing here\n"))
    with pytest.raises(miroir.FileError, match="cannot read the schema file"):
        miroir.Schema.from_toml(Path("/nonexistent/schema.toml"))


def five_point(base: miroir.Study) -> tuple[miroir.Study, miroir.Schema]:
    cus = base.customers.with_columns((pl.col("satisfaction") / 2.5 + 1).round(0).clip(1, 5).alias("satisfaction"))
    schema = miroir.Schema(satisfaction_scale=(1, 5), satisfied_threshold=4)
    return quiet_study(base.employees, cus, base.mentions, schema=schema), schema


def test_write_then_load_keeps_the_scale(base: miroir.Study, tmp_path: Path) -> None:
    study, schema = five_point(base)
    folder = study.write(tmp_path / "five")
    assert (folder / "schema.toml").is_file()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        back = miroir.load_study(folder)
    assert back.schema.satisfaction_scale == (1.0, 5.0) and back.schema.satisfied_threshold == 4.0
    assert miroir.linkage(back).table.equals(miroir.linkage(study).table)
    assert miroir.indicators(back).table.equals(miroir.indicators(study).table)
    # writing again needs overwrite=True, for the schema file too
    with pytest.raises(miroir.FileError, match="the file exists"):
        study.write(folder)
    for name in ("employees", "customers", "mentions"):
        (folder / f"{name}.parquet").unlink()
    with pytest.raises(miroir.FileError, match="schema.toml: the file exists"):
        study.write(folder)
    study.write(folder, overwrite=True)
    # an explicit schema (or a schema file) overrides the folder's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        other = miroir.load_study(folder, schema=write(schema.to_toml().replace("4.0", "5.0")))
    assert other.schema.satisfied_threshold == 5.0


def cli_json(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-m", "miroir.cli", "report", *args, "--json", "-"],
                         capture_output=True, text=True, timeout=600, check=True)
    data: dict[str, object] = json.loads(out.stdout)
    return data


def test_the_cli_reads_the_schema_file(base: miroir.Study, tmp_path: Path) -> None:
    study, schema = five_point(base)
    folder = study.write(tmp_path / "five")
    expected = json.loads(miroir.report(study).to_json())
    assert cli_json(str(folder))["indicators"] == expected["indicators"]
    # the same files without their schema.toml, given it with --schema
    moved = tmp_path / "elsewhere.toml"
    (folder / "schema.toml").rename(moved)
    assert cli_json(str(folder), "--schema", str(moved))["linkage"] == expected["linkage"]


def test_a_scale_that_looks_wrong_is_a_warning(base: miroir.Study) -> None:
    study, _ = five_point(base)
    with pytest.warns(miroir.DataQualityWarning, match=r"every answer lies within \[\d, 5\] on the declared scale \[0, 10\]"):
        miroir.Study(study.employees, study.customers, study.mentions)  # the default 0-10 scale
    with warnings.catch_warnings():
        warnings.simplefilter("error", miroir.DataQualityWarning)
        miroir.Study(base.employees, base.customers, base.mentions)  # a 0-10 study: no such warning


def test_csv_and_type_errors_of_the_schema_arguments() -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="'separator' must be one character"):
        miroir.Schema(csv={"separator": ";;"})
    with pytest.raises(miroir.InvalidArgumentError, match="unknown key 'sep'"):
        miroir.Schema(csv={"sep": ";"})
    with pytest.raises(miroir.SchemaError, match="csv separator must be one of"):
        miroir.Schema(csv={"separator": "x"})
    assert miroir.Schema(csv={"separator": "\t"}).csv["separator"] == "\t"
    assert miroir.Schema().csv == {"separator": None, "encoding": None, "decimal_comma": None}


# -- answers recoded by their labels -------------------------------------------------------------

LIKERT = {"Pas du tout d'accord": 1, "Plutôt pas d'accord": 2, "Ni l'un ni l'autre": 3,
          "Plutôt d'accord": 4, "Tout à fait d'accord": 5}


def test_likert_labels_and_codes_are_recoded() -> None:
    df = items_frame(200, 5).drop("q4")
    labels = {v: k for k, v in LIKERT.items()}
    as_text = df.with_columns(
        pl.col(q).cast(pl.Int64).replace_strict(labels, return_dtype=pl.String) for q in ("q1", "q2", "q3")
    ).with_columns(
        # yes/no exported as 1/2 codes by the survey tool
        can_contribute=pl.Series([1.0 if i % 3 else 2.0 for i in range(200)]),
    )
    schema = miroir.Schema(
        engagement_items=["q1", "q2", "q3"], item_scale=(1, 5), min_items_answered=1,
        recode={**{q: LIKERT for q in ("q1", "q2", "q3")}, "can_contribute": {1: "oui", 2: "non"}},
    )
    got = quiet_study(as_text, customers_for(df), schema=schema)
    numeric = quiet_study(
        df.with_columns(can_contribute=pl.Series([bool(i % 3) for i in range(200)])), customers_for(df),
        schema=miroir.Schema(engagement_items=["q1", "q2", "q3"], item_scale=(1, 5), min_items_answered=1))
    assert got.employees["engagement"].equals(numeric.employees["engagement"])
    assert got.employees["can_contribute"].equals(numeric.employees["can_contribute"])
    # case and surrounding spaces do not matter; a label nobody declared is named by validation
    odd = as_text.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(pl.lit(" TOUT À FAIT D'ACCORD "))
                               .otherwise(pl.col("q1")).alias("q1"))
    assert quiet_study(odd, customers_for(df), schema=schema).employees["engagement"].equals(
        quiet_study(as_text.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("Tout à fait d'accord"))
                                         .otherwise(pl.col("q1")).alias("q1")),
                    customers_for(df), schema=schema).employees["engagement"])
    bad = as_text.with_columns(pl.when(pl.int_range(pl.len()) == 9).then(pl.lit("D'accord")).otherwise(pl.col("q2")).alias("q2"))
    with pytest.raises(miroir.DtypeError, match=r"column 'q2'.*'D'accord' is not a number.*row index 9"):
        miroir.Study(bad, customers_for(df), schema=schema)
    # the recoding travels in the schema's TOML
    assert miroir.Schema.from_toml(write(schema.to_toml())).recode == schema.recode
    with pytest.raises(miroir.SchemaError, match="'unit' is a key column"):
        miroir.Schema(recode={"unit": {"A": "B"}})


def test_alpha_of_the_items_on_complete_cases_in_the_summary() -> None:
    df = items_frame(600, 3)
    df = df.filter(pl.any_horizontal(pl.col("q1", "q2", "q3", "q4").is_not_null()))
    schema = miroir.Schema(engagement_items=["q1", "q2", "q3", "q4"], item_scale=(1, 5),
                           item_scales={"q4": (0, 10)}, reverse_items=["q2"], min_items_answered=1)
    study = quiet_study(df, customers_for(df), schema=schema)
    summary = study.summary()
    m = np.column_stack([df[q].to_numpy().astype(float) for q in ("q1", "q2", "q3", "q4")])
    m[:, 1] = 6 - m[:, 1]  # reverse-coded
    complete = m[~np.isnan(m).any(axis=1)]
    k = m.shape[1]
    # Cronbach (1951): k/(k-1) (1 - sum of the item variances / variance of the total)
    alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / complete.sum(axis=1).var(ddof=1))
    assert summary["alpha_complete_cases"][0] == len(complete) < len(m)
    assert summary["engagement_alpha"][0] == pytest.approx(alpha, rel=1e-12)
    # a study without items has no such columns
    assert "engagement_alpha" not in miroir.synthetic_study(studies=2, employees=200, customers=400).summary().columns
