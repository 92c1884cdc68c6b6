"""Hardening of the Python layer (issue 12): every hostile input to results.py, study.py, cli.py,
reproduce.py and _frames.py gives a typed miroir error naming what is wrong, or a correct
result; never an untyped exception, invalid JSON or a silently wrong value.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import miroir
from miroir import cli
from miroir.reproduce import Reproduction, run


def cli_run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            code: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m miroir.cli ARGS``, or ``python -c CODE``."""
    argv = [sys.executable, "-c", code] if code is not None else [sys.executable, "-m", "miroir.cli", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=dict(os.environ, **(env or {})))


def unit_study(top_engagement: float = 50.0, other_engagement: float = 0.0) -> miroir.Study:
    """One study of 13 units of 5 employees and 5 customers; unit u00 has the most satisfied
    customers (the top 8%, one unit), and the engagement of every other unit is
    ``other_engagement``."""
    units = [f"u{i:02d}" for i in range(13)]
    emp_units = [u for u in units for _ in range(5)]
    employees = pl.DataFrame({
        "study": "s",
        "unit": emp_units,
        "employee_id": [f"e{i}" for i in range(len(emp_units))],
        "customer_facing": [i % 2 == 0 for i in range(len(emp_units))],
        "engagement": [
            top_engagement + (i % 5) if u == "u00" else other_engagement
            for i, u in enumerate(emp_units)
        ],
    })
    customers = pl.DataFrame({
        "study": "s",
        "unit": emp_units,
        "customer_id": [f"c{i}" for i in range(len(emp_units))],
        "satisfaction": [10.0 if u == "u00" else float(3 + (i % 5)) for i, u in enumerate(emp_units)],
    })
    return miroir.Study(employees, customers)


# -- 1. JSON output is always valid ---------------------------------------------------------------


def strict_json(text: str) -> object:
    """Parse JSON refusing NaN and Infinity (which the json module accepts by default)."""
    def refuse(token: str) -> object:
        raise AssertionError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


def test_report_to_json_with_an_infinite_uplift():
    study = unit_study()
    report = study.report()
    uplifts = [v for v in report.linkage.table["uplift"].to_list() if v is not None]
    assert any(math.isinf(v) for v in uplifts), report.linkage.table  # the case is reproduced
    data = strict_json(report.to_json())
    for row in data["linkage"]:
        assert row["uplift"] is None
        assert "uplift is infinite: +inf, written as null (JSON has no infinity)" in row["note"]
    top = next(r for r in data["indicators"] if r["id"] == "top_cx_engagement_uplift")
    assert top["estimate"] is None and "estimate is infinite" in top["note"]
    # the in-memory values are unchanged
    assert math.isinf(report.to_dict()["linkage"][0]["uplift"])


def test_report_to_json_notes_every_infinity_even_without_a_note_column():
    report = miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1).report()
    tables = report.tables()
    tables["units"] = tables["units"].with_columns(mean_engagement=pl.lit(float("-inf")))
    assert "note" not in tables["units"].columns
    tables["indicators"] = tables["indicators"].with_columns(
        ci_high=pl.when(pl.int_range(pl.len()) == 0).then(float("inf")).otherwise(pl.col("ci_high")))
    altered = miroir.Report({**tables, "warnings": report.warnings})
    data = strict_json(altered.to_json())
    assert all(r["mean_engagement"] is None for r in data["units"])
    assert all(r["note"] == "mean_engagement is infinite: -inf, written as null (JSON has no infinity)" for r in data["units"])
    first, second = data["indicators"][:2]
    assert first["ci_high"] is None and first["note"].endswith("ci_high is infinite: +inf, written as null (JSON has no infinity)")
    assert second["ci_high"] is not None and "infinite" not in (second["note"] or "")
    # untouched tables are written as before
    assert data["linkage"] == strict_json(report.to_json())["linkage"]


def test_cli_report_json_with_an_infinite_uplift(tmp_path):
    folder = unit_study().write(tmp_path / "study")
    done = cli_run("report", str(folder), "--json", "-")
    assert done.returncode == 0, done.stderr
    data = strict_json(done.stdout)
    assert data["linkage"][0]["uplift"] is None


def test_reproduce_json_with_an_infinite_value():
    table = pl.DataFrame({
        "id": ["a", "b"], "computed": [float("inf"), 0.5], "ci_low": [float("nan"), 0.4],
        "passed": [False, True], "note": [None, "fine"],
    })
    data = strict_json(Reproduction("t", "<spec>", table).to_json())
    a, b = data["indicators"]
    assert a["computed"] is None and a["note"] == "computed is infinite: +inf, written as null (JSON has no infinity)"
    assert a["ci_low"] is None
    assert b["computed"] == 0.5 and b["note"] == "fine"


# -- 2. tables that pyarrow or polars cannot hold -------------------------------------------------


def test_pandas_column_mixing_ints_and_text_names_table_column_and_row(employees, customers):
    emp = employees.to_pandas()
    emp["unit"] = pd.Series([1, 1, 1, "south", "south", "south"], dtype=object)
    with pytest.raises(miroir.DtypeError) as info:
        miroir.Study(emp, customers)
    message = str(info.value)
    assert "table 'employees', column 'unit'" in message
    assert "'south' at row index 3" in message and "1 at row index 0" in message


def test_pandas_column_mixing_yes_no_and_numbers_is_refused(employees, customers):
    # pyarrow would convert True to 1.0 without a word
    cus = customers.to_pandas()
    cus["satisfaction"] = pd.Series([8.0, True, 9.0, 10.0, 3.0], dtype=object)
    with pytest.raises(miroir.DtypeError, match=r"table 'customers', column 'satisfaction': .*mixes number and yes/no"):
        miroir.Study(employees, cus)


def test_pandas_column_of_python_objects(employees, customers):
    cus = customers.to_pandas()
    cus["blob"] = [object() for _ in range(len(cus))]
    with pytest.raises(miroir.DtypeError, match=r"table 'customers', column 'blob': cannot convert"):
        miroir.Study(employees, cus)


def test_pandas_duplicate_column_names(employees, customers):
    emp = employees.to_pandas()
    emp.columns = [*emp.columns[:-1], "engagement"]
    with pytest.raises(miroir.SchemaError, match="table 'employees': column 'engagement' appears more than once"):
        miroir.Study(emp, customers)


def test_pandas_mentions_column_error_names_mentions(employees, customers, mentions):
    men = mentions.to_pandas()
    men["theme"] = pd.Series(["a", 2, "c"], dtype=object)
    with pytest.raises(miroir.DtypeError, match="table 'mentions', column 'theme'"):
        miroir.Study(employees, customers, men)


def test_valid_pandas_tables_still_convert(employees, customers, mentions):
    study = miroir.Study(employees.to_pandas(), customers.to_pandas(), mentions.to_pandas())
    assert study.employees["engagement"].to_list() == employees["engagement"].to_list()
    assert study.mentions is not None and study.mentions.height == 3


@pytest.mark.parametrize("table", ["employees", "customers", "mentions"])
def test_polars_object_column_is_refused(employees, customers, mentions, table):
    frames = {"employees": employees, "customers": customers, "mentions": mentions}
    n = frames[table].height
    frames[table] = frames[table].with_columns(pl.Series("thing", [object()] * n, dtype=pl.Object))
    with pytest.raises(miroir.DtypeError, match=rf"table '{table}', column 'thing': .*Python objects"):
        miroir.Study(frames["employees"], frames["customers"], frames["mentions"])


def test_not_a_dataframe_is_an_invalid_argument_and_a_type_error(customers):
    with pytest.raises(miroir.InvalidArgumentError, match="employees: expected a polars or pandas DataFrame, got list"):
        miroir.Study([1, 2], customers)
    with pytest.raises(TypeError):
        miroir.Study(customers, pd.Series([1, 2]))
    assert issubclass(miroir.InvalidArgumentTypeError, miroir.MiroirError)


def test_stats_series_conversion_errors_are_typed():
    import miroir.stats as ms

    with pytest.raises(miroir.InvalidArgumentError, match="x: "):
        ms.pearson(pd.Series([1, "a", 2.0], dtype=object), [1.0, 2.0, 3.0])
    with pytest.raises(miroir.InvalidArgumentError, match="x: expected a column of values"):
        ms.pearson("123", [1.0, 2.0, 3.0])


# -- 3. Study.write -------------------------------------------------------------------------------


@pytest.fixture
def small(employees, customers, mentions) -> miroir.Study:
    return miroir.Study(employees, customers, mentions)


def test_write_refuses_existing_files_unless_overwrite(small, tmp_path):
    folder = small.write(tmp_path / "d")
    before = (folder / "customers.parquet").read_bytes()
    with pytest.raises(miroir.FileError, match=r"employees\.parquet: the file exists \(pass overwrite=True"):
        small.write(folder)
    assert (folder / "customers.parquet").read_bytes() == before  # nothing written
    assert small.write(folder, overwrite=True) == folder
    again = miroir.load_study(folder)
    assert again.employees.equals(small.employees) and again.mentions is not None
    assert sorted(p.name for p in folder.iterdir()) == ["customers.parquet", "employees.parquet", "mentions.parquet",
                                                         "schema.toml"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_write_refuses_a_file_of_the_other_format(small, tmp_path, overwrite):
    folder = small.write(tmp_path / "d", format="csv")
    with pytest.raises(miroir.FileError, match=r"employees\.csv: a csv file of table 'employees' is in the folder"):
        small.write(folder, format="parquet", overwrite=overwrite)
    assert not (folder / "employees.parquet").exists()


def test_write_without_mentions_over_a_study_with_mentions(employees, customers, small, tmp_path):
    folder = small.write(tmp_path / "d")
    bare = miroir.Study(employees, customers)
    with pytest.raises(miroir.FileError, match="the file exists"):
        bare.write(folder)
    for name in ("employees", "customers"):
        (folder / f"{name}.parquet").unlink()
    # only the stale mentions file is in the way: load_study would read it with this study
    with pytest.raises(miroir.FileError, match=r"mentions\.parquet: the study has no mentions"):
        bare.write(folder)
    bare.write(folder, overwrite=True)
    assert not (folder / "mentions.parquet").exists()
    assert miroir.load_study(folder).mentions is None


def test_write_into_a_path_that_is_a_file(small, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(miroir.FileError, match="not a folder"):
        small.write(target)
    with pytest.raises(miroir.FileError):
        small.write(target / "sub")


def test_write_case_variant_of_a_target(small, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "EMPLOYEES.PARQUET").write_bytes(b"old")
    with pytest.raises(miroir.FileError, match="the file exists"):
        small.write(folder)
    small.write(folder, overwrite=True)
    assert not (folder / "EMPLOYEES.PARQUET").exists() or (folder / "employees.parquet").samefile(folder / "EMPLOYEES.PARQUET")
    assert miroir.load_study(folder).employees.equals(small.employees)


def test_write_a_folder_in_the_way_of_a_file(small, tmp_path):
    (tmp_path / "d" / "employees.parquet").mkdir(parents=True)
    with pytest.raises(miroir.FileError, match="a folder is in the way"):
        small.write(tmp_path / "d", overwrite=True)


@pytest.mark.parametrize("kwargs, match", [
    ({"format": "xlsx"}, "'format'"),
    ({"format": None}, "'format'"),
    ({"overwrite": "yes"}, "'overwrite'"),
])
def test_write_bad_arguments(small, tmp_path, kwargs, match):
    with pytest.raises(miroir.InvalidArgumentError, match=match):
        small.write(tmp_path / "d", **kwargs)


@pytest.mark.parametrize("folder", [None, 3, ""])
def test_write_bad_folder(small, folder):
    with pytest.raises(miroir.InvalidArgumentError, match="'folder'"):
        small.write(folder)


def test_write_leaves_no_temporary_file(small, tmp_path):
    folder = small.write(tmp_path / "d", format="csv")
    assert sorted(p.name for p in folder.iterdir()) == ["customers.csv", "employees.csv", "mentions.csv",
                                                         "schema.toml"]


# -- 4. the command's exit status -----------------------------------------------------------------


def panic_exception() -> type[BaseException]:
    found = [c for c in BaseException.__subclasses__() if c.__name__ == "PanicException"]
    assert found, "pyo3's PanicException is defined once the extension is imported"
    return found[0]


@pytest.mark.parametrize("error", [RuntimeError("boom\nsecond line"), KeyError("x"), "panic"])
def test_cli_internal_error_exit_3_one_line(monkeypatch, capsys, error):
    exc = panic_exception()("called `Option::unwrap()` on a `None` value") if error == "panic" else error

    def crash(args):
        raise exc

    monkeypatch.delenv("MIROIR_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_cmd_validate", crash)
    assert cli.main(["validate", "somewhere"]) == cli.EXIT_INTERNAL == 3
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"miroir: internal error: {type(exc).__name__}: ")
    assert err[1] == "miroir: run with MIROIR_DEBUG=1 for the traceback"
    assert len(err) == 2 and "Traceback" not in "\n".join(err)


def test_cli_internal_error_traceback_with_miroir_debug(monkeypatch, capsys):
    def crash(args):
        raise RuntimeError("boom")

    monkeypatch.setenv("MIROIR_DEBUG", "1")
    monkeypatch.setattr(cli, "_cmd_validate", crash)
    assert cli.main(["validate", "x"]) == 3
    err = capsys.readouterr().err
    assert "miroir: internal error: RuntimeError: boom" in err and "Traceback" in err


def test_cli_keyboard_interrupt_exits_130_quietly(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_validate", interrupted)
    assert cli.main(["validate", "x"]) == 130
    assert capsys.readouterr().err == ""


def test_cli_invalid_input_exit_2_and_failed_indicator_exit_1(tmp_path):
    done = cli_run("validate", str(tmp_path / "missing"))
    assert done.returncode == 2 and done.stderr.startswith("miroir: error: FileError")
    spec = tmp_path / "fail.toml"
    spec.write_text(
        '[data]\nsynthetic = { studies = 3, employees = 600, customers = 3000, seed = 1 }\n'
        '[[indicator]]\nid = "x"\nstatistic = "share"\ncolumn = "has_ideas"\npublished = 0.0\nbelow = true\n',
        encoding="utf-8")
    done = cli_run("reproduce", str(spec))
    assert done.returncode == 1, done.stderr


def test_cli_real_crash_in_a_subprocess():
    # a crash inside the command (here: a patched function raising), through `python -m`
    code = (
        "import sys; from miroir import cli\n"
        "def crash(args): raise ZeroDivisionError('x')\n"
        "cli._cmd_validate = crash\n"
        "sys.exit(cli.main(['validate', 'x']))\n"
    )
    done = cli_run(code=code, env={"MIROIR_DEBUG": ""})
    assert done.returncode == 3
    assert done.stderr == (
        "miroir: internal error: ZeroDivisionError: x\n"
        "miroir: run with MIROIR_DEBUG=1 for the traceback\n"
    )


def test_cli_help_documents_exit_status():
    text = cli.build_parser().format_help()
    assert "exit status:" in text and "3    internal error" in text and "MIROIR_DEBUG=1" in text
    assert "130" in text
    assert "3: internal error" in (cli.__doc__ or "")


def test_cli_unwritable_json_target_is_invalid_input(tmp_path):
    folder = unit_study().write(tmp_path / "study")
    done = cli_run("report", str(folder), "--json", str(tmp_path / "no" / "such" / "dir" / "r.json"))
    assert done.returncode == 2 and "FileError" in done.stderr and "Traceback" not in done.stderr


def test_cli_negative_seed_is_a_usage_error():
    done = cli_run("synth", "--seed", "-1", "--out", "x")
    assert done.returncode == 2 and "--seed" in done.stderr and "Traceback" not in done.stderr


def test_cli_synth_into_an_existing_folder(tmp_path):
    args = ["synth", "--studies", "2", "--employees", "400", "--customers", "1000", "--out", str(tmp_path / "d")]
    assert cli_run(*args).returncode == 0
    done = cli_run(*args)
    assert done.returncode == 2 and "pass --overwrite" in done.stderr
    assert cli_run(*args, "--overwrite").returncode == 0


def test_cli_broken_pipe_is_quiet(tmp_path):
    folder = unit_study().write(tmp_path / "study")
    code = (
        "import subprocess, sys\n"
        f"p = subprocess.Popen([sys.executable, '-m', 'miroir.cli', 'report', {str(folder)!r}, '--json', '-'],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.read(10); p.stdout.close(); err = p.stderr.read().decode(); p.wait()\n"
        "print(p.returncode); print(err, file=sys.stderr)\n"
    )
    done = cli_run(code=code)
    assert done.stdout.strip() in ("0", "141"), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


# -- 5. a spec path holding '=' -------------------------------------------------------------------

SPEC = """
[[indicator]]
id = "never_asked"
statistic = "share"
column = "asked_about_customers"
equals = "never"
published = 0.5
tolerance = 1.0
"""


@pytest.fixture(scope="module")
def synth() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=600, customers=3_000, seed=1)


def test_spec_path_with_an_equals_sign(tmp_path, monkeypatch, synth):
    folder = tmp_path / "wave=2024"
    folder.mkdir()
    (folder / "figures.toml").write_text(SPEC, encoding="utf-8")
    for spec in (str(folder / "figures.toml"), folder / "figures.toml"):
        assert miroir.reproduce(spec, synth)["passed"].to_list() == [True]
    monkeypatch.chdir(tmp_path)
    assert miroir.reproduce("wave=2024/figures.toml", synth)["passed"].to_list() == [True]
    rep = run("wave=2024/figures.toml", synth)
    assert rep.spec == "wave=2024/figures.toml"
    # missing: said to be missing, not parsed as TOML
    with pytest.raises(miroir.SpecError, match=r"wave=2024/missing\.toml: cannot read the spec"):
        miroir.reproduce("wave=2024/missing.toml", synth)
    # a folder named like a TOML key-value is a folder
    with pytest.raises(miroir.SpecError, match=r"wave=2024: cannot read the spec"):
        miroir.reproduce("wave=2024", synth)


def test_spec_from_the_cli_with_an_equals_sign(tmp_path):
    folder = tmp_path / "wave=2024"
    folder.mkdir()
    (folder / "figures.toml").write_text(
        '[data]\nsynthetic = { studies = 3, employees = 600, customers = 3000, seed = 1 }\n' + SPEC,
        encoding="utf-8")
    done = cli_run("reproduce", "wave=2024/figures.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_spec_text_still_accepted(synth):
    assert miroir.reproduce(SPEC, synth)["passed"].to_list() == [True]
    one_line = ('indicator = [{ id = "n", statistic = "share", column = "asked_about_customers", '
                'equals = "never", published = 0.5, tolerance = 1.0 }]')
    assert miroir.reproduce(one_line, synth)["passed"].to_list() == [True]


def test_spec_not_utf8_and_wrong_types(tmp_path, synth):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(SPEC.replace("never_asked", "jamais_demandé").encode("latin-1"))
    with pytest.raises(miroir.SpecError, match=r"latin1\.toml: the spec is not UTF-8 text \(line 3"):
        miroir.reproduce(bad, synth)
    with pytest.raises(miroir.InvalidArgumentError, match="'spec'"):
        miroir.reproduce(42, synth)  # type: ignore[arg-type]
    with pytest.raises(miroir.InvalidArgumentError, match="'study'"):
        miroir.reproduce(SPEC, synth.employees)  # type: ignore[arg-type]
    with pytest.raises(miroir.InvalidArgumentError, match="'data'"):
        miroir.reproduce(SPEC, data=3)  # type: ignore[arg-type]


def test_spec_bom_is_accepted(tmp_path, synth):
    spec = tmp_path / "bom.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + SPEC.encode())
    assert miroir.reproduce(spec, synth)["passed"].to_list() == [True]


def test_junit_xml_with_control_characters(synth):
    spec = SPEC.replace('id = "never_asked"', 'id = "never_asked"\nlabel = "bell \\u0007 nul \\u0000"')
    rep = run(spec, synth)
    root = ET.fromstring(rep.to_junit())  # parses: the characters are replaced
    assert root.find(".//testcase") is not None


# -- 6. counts from the summary -------------------------------------------------------------------


def test_repr_and_cli_summary_do_not_read_the_tables(monkeypatch, capsys, small):
    def boom(self):
        raise AssertionError("a table was read")

    for name in ("employees", "customers", "mentions"):
        monkeypatch.setattr(miroir.Study, name, property(boom))
    assert repr(small) == "<miroir.Study: 1 studies, 2 units, 6 employees, 5 customers, 3 mentions>"
    cli._print_summary(small, "t")
    assert "1 studies, 2 units, 6 employees, 5 customers, 3 mentions" in capsys.readouterr().out


def test_repr_of_a_study_loaded_streaming_after_its_file_changed(tmp_path, small):
    folder = small.write(tmp_path / "d")
    streamed = miroir.load_study(folder, streaming=True)
    assert streamed.streamed
    pl.DataFrame({"x": [1]}).write_parquet(folder / "customers.parquet")
    assert repr(streamed).startswith("<miroir.Study: 1 studies, 2 units, 6 employees, 5 customers")


# -- other hostile arguments ----------------------------------------------------------------------


@pytest.mark.parametrize("call, match", [
    (lambda e, c: miroir.Study(e, c, schema={"a": 1}), "'schema'"),
    (lambda e, c: miroir.load_study(5), "'path'"),
    (lambda e, c: miroir.load_study(employees=b"e.csv", customers="c.csv"), "'employees'"),
    (lambda e, c: miroir.load_study("x", schema=3), "'schema'"),
    (lambda e, c: miroir.load_study("x", streaming="yes"), "'streaming'"),
    (lambda e, c: miroir.load_study("x", batch_rows=-1), "'batch_rows': must be at least 1"),
    (lambda e, c: miroir.load_study("x", batch_rows=2.5), "'batch_rows': expected an integer"),
    (lambda e, c: miroir.synthetic_study(seed=-1), "'seed': must be at least 0"),
    (lambda e, c: miroir.synthetic_study(studies=-3), "'studies'"),
    (lambda e, c: miroir.synthetic_study(employees="many"), "'employees'"),
    (lambda e, c: miroir.Study(e, c).linkage(methd="kendall"), "'methd': linkage\\(\\) takes method"),
    (lambda e, c: miroir.Study(e, c).report(seeds=1), "'seeds'"),
    (lambda e, c: miroir.Report({"summary": e}), "no 'indicators'"),
    (lambda e, c: miroir.Report([e]), "'tables'"),
    (lambda e, c: miroir.Result(e, options=[1]), "'options'"),
], ids=["study-schema", "load-path", "load-bytes-path", "load-schema", "load-stream-flag", "load-batch-negative",
        "load-batch-float", "synth-seed", "synth-studies", "synth-employees", "unknown-option",
        "unknown-report-option", "report-missing-table", "report-not-a-mapping", "result-options"])
def test_wrong_arguments_are_invalid_argument_errors(employees, customers, call, match):
    with pytest.raises(miroir.InvalidArgumentError, match=match):
        call(employees, customers)


def test_report_warnings_must_be_a_list(synth):
    tables = synth.report().tables()
    with pytest.raises(miroir.InvalidArgumentError, match="'warnings'"):
        miroir.Report({**tables, "warnings": "one warning"})
    assert miroir.Report({**tables, "warnings": ["one warning"]}).warnings == ["one warning"]


def test_result_made_without_init_does_not_recurse():
    res = miroir.Result.__new__(miroir.Result)
    with pytest.raises(AttributeError):
        res.height  # noqa: B018


def test_result_of_a_result_and_infinite_counts():
    res = miroir.Result(pl.DataFrame({"n": [float("inf")], "x": [1.0]}))
    again = miroir.Result(res)
    assert again.table.equals(res.table)
    from miroir.results import _fmt_int

    assert _fmt_int(float("inf")) == "inf"


@pytest.mark.parametrize("cls", [miroir.LinkageResult, miroir.ExposureGapResult, miroir.IndicatorsResult,
                                 miroir.MomentsResult, miroir.MomentEffectsResult, miroir.UnitsResult])
def test_results_display_text_where_numbers_are_expected(cls):
    # e.g. a table read back from a CSV export in which "NaN" made a column text
    table = pl.DataFrame({
        "level": ["pooled"], "study": ["s"], "estimate": ["NaN"], "p_value": ["x"], "q_value": ["0.01"],
        "n_units": ["3"], "gap": ["n/a"], "published": ["0.5"], "ci_low": ["0.1"], "ci_high": ["0.9"],
        "n_facing": ["4"], "mean_facing": ["?"], "moment": ["win_win"], "n_mentioning": ["2"],
        "employees_mentioning": ["1"], "mean_mentioning": ["?"], "uplift": ["inf"], "n": ["7"],
    })
    res = cls(table, {"alpha": "high"})
    assert res.headline and repr(res) and res._repr_html_()
    assert res.significant_rows().to_list() == [False]


def test_report_headline_with_a_text_count_column(synth):
    tables = synth.report().tables()
    tables["summary"] = tables["summary"].with_columns(pl.col("employees").cast(pl.String))
    rep = miroir.Report({**tables, "warnings": []})
    assert "n/a employees" in rep.headline and repr(rep)


def test_load_study_of_a_file_says_it_is_not_a_folder(small, tmp_path):
    folder = small.write(tmp_path / "d")
    with pytest.raises(miroir.FileError, match=r"customers\.parquet: not a folder"):
        miroir.load_study(folder / "customers.parquet")


# -- Ctrl-C during a long call into the extension ----------------------------------------------


def test_cli_ctrl_c_during_a_long_rust_call_exits_130_promptly():
    import signal
    import time

    # the synthetic generator on 2M customers takes several seconds: whether the extension
    # raises KeyboardInterrupt itself or the CLI's watchdog ends the process, Ctrl-C ends the
    # command within 2 s, with 130 and nothing on stderr
    code = (
        "import sys, miroir; from miroir import cli\n"
        "def long(args):\n"
        "    print('started', flush=True)\n"
        "    miroir.synthetic_study(20, 400_000, 2_000_000)\n"
        "    return 0\n"
        "cli._cmd_validate = long\n"
        "sys.exit(cli.main(['validate', 'x']))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "started\n"
        time.sleep(0.3)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert time.monotonic() - sent < 2.0
    assert proc.returncode == 130 and err == ""


def test_interrupt_watchdog_ends_the_process_after_its_grace(monkeypatch):
    import signal
    import time

    exits: list[int] = []
    monkeypatch.setattr(os, "_exit", exits.append)
    with cli._InterruptWatchdog(grace=0.1) as dog:
        assert dog._fds is not None, "set up in the main thread"
        os.write(dog._fds[1], bytes([signal.SIGINT]))  # what the C-level handler writes
        time.sleep(0.5)
    assert exits == [130]
    # a command that stops in time is left alone
    with cli._InterruptWatchdog(grace=5.0) as dog:
        assert dog._fds is not None
        os.write(dog._fds[1], bytes([signal.SIGINT]))
    time.sleep(0.2)
    assert exits == [130]
    # the previous wakeup fd (none) is restored
    assert signal.set_wakeup_fd(-1) == -1


def test_write_csv_of_a_nested_column_names_it_and_writes_nothing(employees, customers, tmp_path):
    study = miroir.Study(employees.with_columns(tags=pl.lit([1, 2])), customers)
    with pytest.raises(miroir.DtypeError, match="table 'employees', column 'tags': nested values"):
        study.write(tmp_path / "d", format="csv")
    assert list((tmp_path / "d").iterdir()) == []
    assert miroir.load_study(study.write(tmp_path / "p")).employees["tags"].to_list() == [[1, 2]] * 6


def test_report_json_with_dates_and_decimals(synth):
    import datetime as dt
    from decimal import Decimal

    tables = synth.report().tables()
    n = tables["summary"].height
    tables["summary"] = tables["summary"].with_columns(
        fielded=pl.lit(dt.date(2024, 5, 1)),
        budget=pl.Series([Decimal("1.50")] * n, dtype=pl.Decimal(10, 2)),
    )
    data = strict_json(miroir.Report({**tables, "warnings": []}).to_json())
    assert data["summary"][0]["fielded"] == "2024-05-01" and data["summary"][0]["budget"] == 1.5
