"""`miroir reproduce`: specs that pass, fail, or are malformed; JUnit XML; determinism.

Expected values come from polars / statsmodels / scipy on the raw files, never from miroir.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import miroir

ROOT = Path(__file__).resolve().parents[2]

# Client column names in the raw files, mapped back by the spec's [schema].
EMPLOYEE_NAMES = {"employee_id": "Matricule", "engagement": "Engagement", "has_ideas": "Idees"}
CUSTOMER_NAMES = {"satisfaction": "Note"}


def run_cli(*args: str, threads: int | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if threads is not None:
        env["RAYON_NUM_THREADS"] = str(threads)
        env["POLARS_MAX_THREADS"] = str(threads)
    return subprocess.run(
        [sys.executable, "-m", "miroir.cli", "reproduce", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small study written as CSV files with client column names, in `<tmp>/data/`."""
    root = tmp_path_factory.mktemp("reproduce")
    study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=4)
    data = root / "data"
    data.mkdir()
    study.employees.rename(EMPLOYEE_NAMES).write_csv(data / "employees.csv")
    study.customers.rename(CUSTOMER_NAMES).write_csv(data / "customers.csv")
    return root


@pytest.fixture(scope="module")
def expected(raw: Path) -> dict[str, float]:
    """Independent values, by hand with polars on the raw files."""
    emp = pl.read_csv(raw / "data" / "employees.csv")
    cus = pl.read_csv(raw / "data" / "customers.csv")
    first = sorted(emp["study"].unique().to_list())[0]
    facing = emp.filter(pl.col("customer_facing") & (pl.col("study") == first))
    sat = (cus["Note"] >= 7).cast(pl.Int64)
    return {
        "first_study": first,
        "can_contribute": emp["can_contribute"].cast(pl.Float64).mean(),
        "never": (emp["asked_about_customers"] == "never").cast(pl.Float64).mean(),
        "ideas_facing_first": facing["Idees"].cast(pl.Float64).mean(),
        "n_facing_first": facing.height,
        "engagement": emp["Engagement"].mean(),
        "engagement_sd": emp["Engagement"].std(),
        "n_employees": emp.height,
        "satisfied_k": int(sat.sum()),
        "n_customers": cus.height,
    }


def write_spec(root: Path, body: str, name: str = "spec.toml") -> Path:
    path = root / name
    path.write_text(body, encoding="utf-8")
    return path


HEADER = """\
title = "test figures"

[data]
employees = "data/employees.csv"
customers = "data/customers.csv"

[schema]
satisfied_threshold = 7

[schema.employees]
Matricule = "employee_id"
Engagement = "engagement"
Idees = "has_ideas"

[schema.customers]
Note = "satisfaction"
"""


def passing_body(e: dict[str, float]) -> str:
    return HEADER + f"""
[[indicator]]
id = "can_contribute"
statistic = "can_contribute"
published = {e["can_contribute"]!r}
tolerance = 1e-9
source = "test"

[[indicator]]
id = "never_asked"
statistic = "share"
column = "asked_about_customers"
equals = "never"
published = {e["never"]!r}
tolerance = 1e-9

[[indicator]]
id = "ideas_frontline_first"
label = "ideas, customer-facing, first study"
statistic = "share"
column = "has_ideas"
filter = {{ study = "{e["first_study"]}", customer_facing = true }}
published = {e["ideas_facing_first"]!r}
relative_tolerance = 1e-9

[[indicator]]
id = "engagement"
statistic = "mean"
column = "engagement"
published = {e["engagement"]!r}
within_ci = true

[[indicator]]
id = "satisfied"
statistic = "share_satisfied"
published = 0.01
above = true
"""


# -- passing and failing specs ---------------------------------------------------------------


def test_passing_spec_exit_0_and_values_match(raw: Path, expected: dict[str, float]) -> None:
    spec = write_spec(raw, passing_body(expected))
    out = run_cli(str(spec), "--format", "json")
    assert out.returncode == 0, out.stderr + out.stdout
    doc = json.loads(out.stdout)
    assert doc["passed"] is True and doc["tests"] == 5 and doc["failures"] == 0
    rows = {r["id"]: r for r in doc["indicators"]}
    assert rows["can_contribute"]["computed"] == pytest.approx(expected["can_contribute"], abs=1e-12)
    assert rows["never_asked"]["computed"] == pytest.approx(expected["never"], abs=1e-12)
    ideas = rows["ideas_frontline_first"]
    assert ideas["n"] == expected["n_facing_first"]
    assert ideas["computed"] == pytest.approx(expected["ideas_facing_first"], abs=1e-12)
    assert ideas["label"] == "ideas, customer-facing, first study"
    # Wilson interval as statsmodels computes it.
    k = round(expected["ideas_facing_first"] * expected["n_facing_first"])
    lo, hi = proportion_confint(k, expected["n_facing_first"], alpha=0.05, method="wilson")
    assert (ideas["ci_low"], ideas["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    # Mean with its t interval (scipy).
    eng = rows["engagement"]
    n = expected["n_employees"]
    half = stats.t.ppf(0.975, n - 1) * expected["engagement_sd"] / n**0.5
    assert eng["computed"] == pytest.approx(expected["engagement"], rel=1e-12)
    assert (eng["ci_low"], eng["ci_high"]) == pytest.approx(
        (expected["engagement"] - half, expected["engagement"] + half), rel=1e-10
    )
    sat = rows["satisfied"]
    assert sat["computed"] == pytest.approx(expected["satisfied_k"] / expected["n_customers"], abs=1e-12)
    assert sat["check"] == "computed > published"
    assert rows["can_contribute"]["check"] == "|computed - published| <= 1e-9"
    assert eng["check"] == "published in 95% CI"


def test_failing_spec_exit_1_names_the_row(raw: Path, expected: dict[str, float]) -> None:
    body = passing_body(expected).replace(
        f'published = {expected["never"]!r}\ntolerance = 1e-9',
        f'published = {expected["never"] + 0.1!r}\ntolerance = 0.05',
    )
    spec = write_spec(raw, body, "failing.toml")
    junit = raw / "failing.xml"
    out = run_cli(str(spec), "--junit", str(junit))
    assert out.returncode == 1, out.stderr + out.stdout
    fail_lines = [line for line in out.stdout.splitlines() if line.startswith("FAIL")]
    assert len(fail_lines) == 1 and "never_asked" in fail_lines[0]
    assert "1 of 5 indicators FAILED: never_asked" in out.stdout

    # JUnit XML, read with a real XML parser, with the fields of the JUnit schema.
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "test figures"
    assert int(suite.get("tests", "-1")) == 5
    assert int(suite.get("failures", "-1")) == 1
    assert int(suite.get("errors", "-1")) == 0
    assert set(suite.attrib) <= {"name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname", "id", "package"}
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "can_contribute", "never_asked", "ideas_frontline_first", "engagement", "satisfied"
    ]
    for case in cases:
        assert set(case.attrib) <= {"name", "classname", "time", "assertions", "file", "line"}
        assert case.get("classname") == "miroir.reproduce.failing"
        failures = case.findall("failure")
        if case.get("name") == "never_asked":
            assert len(failures) == 1
            assert failures[0].get("message", "").startswith("never_asked: computed ")
            assert "check failed: |computed - published| <= 0.05" in failures[0].get("message", "")
        else:
            assert failures == []


def test_markdown_output_for_job_summary(raw: Path, expected: dict[str, float]) -> None:
    spec = write_spec(raw, passing_body(expected), "md.toml")
    out = run_cli(str(spec), "--format", "markdown")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("### ") and "test figures" in lines[0]
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 5
    # The check text contains pipes: escaped so the table keeps its columns.
    assert all(line.replace("\\|", "").count("|") == 9 for line in table)


def test_data_override(raw: Path, expected: dict[str, float], tmp_path: Path) -> None:
    body = passing_body(expected).replace('"data/employees.csv"', '"employees.csv"').replace(
        '"data/customers.csv"', '"customers.csv"'
    )
    spec = write_spec(tmp_path, body)
    assert run_cli(str(spec)).returncode == 2  # no such file next to the spec
    out = run_cli(str(spec), "--data", str(raw / "data"))
    assert out.returncode == 0, out.stderr + out.stdout


# -- malformed specs -------------------------------------------------------------------------

MALFORMED = {
    "unknown_key": ("tolerance = 1e-9\nsource", "tolerence = 1e-9\nsource", "tolerence"),
    "wrong_type": ("tolerance = 1e-9\nsource", 'tolerance = "small"\nsource', "tolerance"),
    "unknown_statistic": ('statistic = "can_contribute"', 'statistic = "can_contribut"', "statistic"),
    "missing_data_file": ('"data/customers.csv"', '"data/clients.csv"', "customers"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_spec_exit_2_names_line_and_key(raw: Path, expected: dict[str, float], case: str) -> None:
    old, new, key = MALFORMED[case]
    body = passing_body(expected)
    assert body.count(old) == 1
    body = body.replace(old, new)
    spec = write_spec(raw, body, f"bad_{case}.toml")
    line = next(i for i, text in enumerate(body.splitlines(), start=1) if new.split("\n")[0] in text)
    out = run_cli(str(spec))
    assert out.returncode == 2, out.stdout + out.stderr
    assert f"{spec}:{line}:" in out.stderr, out.stderr
    assert f"'{key}'" in out.stderr, out.stderr
    assert out.stdout == ""
    with pytest.raises(miroir.SpecError, match=f":{line}: .*'{key}'"):
        miroir.reproduce(spec)


def test_spec_errors_from_python_are_spec_errors(raw: Path) -> None:
    assert issubclass(miroir.SpecError, miroir.MiroirError)
    assert issubclass(miroir.SpecError, ValueError)
    text = HEADER + '\n[[indicator]]\nid = "x"\nstatistic = "share"\ncolumn = "has_ideas"\n' \
        'filter = { study = "atlantis" }\npublished = 0.5\ntolerance = 0.1\n'
    spec = write_spec(raw, text, "atlantis.toml")
    line = text.splitlines().index('filter = { study = "atlantis" }') + 1
    with pytest.raises(miroir.SpecError, match=rf"atlantis.toml:{line}: indicator 'x': key 'filter': unknown study 'atlantis'"):
        miroir.reproduce(spec)
    with pytest.raises(miroir.SpecError, match=r"<spec>:1: .*unknown key 'titl'"):
        miroir.reproduce('titl = "x"\n')


def test_python_api_with_a_study(expected: dict[str, float]) -> None:
    study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=4)
    text = f"""
[data]
dir = "does/not/matter"   # replaced by the study

[[indicator]]
id = "never"
statistic = "share"
column = "asked_about_customers"
equals = "never"
published = {expected["never"]!r}
tolerance = 1e-12

[[indicator]]
id = "wrong_moment"
statistic = "moment"
theme = "no such theme"
published = "pain"
"""
    table = miroir.reproduce(text, study)
    assert isinstance(table, pl.DataFrame)
    assert table.columns == [
        "id", "label", "statistic", "published", "published_text", "computed", "computed_text",
        "ci_low", "ci_high", "n", "check", "passed", "source", "note",
    ]
    assert table["passed"].to_list() == [True, False]
    moment = table.row(1, named=True)
    assert moment["published_text"] == "pain" and moment["computed"] is None
    assert "not among" in moment["note"]


# -- the builtin spec and determinism --------------------------------------------------------


def test_builtin_seed_spec_passes_and_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for threads in (1, 2, 2):
        junit = tmp_path / f"junit-{threads}-{len(outputs)}.xml"
        out = run_cli("--builtin", "seed-kpam", "--format", "json", "--junit", str(junit), threads=threads)
        assert out.returncode == 0, out.stderr + out.stdout
        outputs.append((out.stdout, junit.read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]
    doc = json.loads(outputs[0][0])
    assert [r["id"] for r in doc["indicators"]] == [
        "can_contribute", "top_cx_engagement_uplift", "satisfaction_high_engagement", "has_ideas",
        "has_cost_ideas", "asked_yearly", "never_asked", "frontline_gap",
    ]
    assert all(r["passed"] for r in doc["indicators"])
    # The table format too.
    out = run_cli("--builtin", "seed-kpam")
    assert out.returncode == 0 and "8 of 8 indicators reproduced" in out.stdout


def test_builtin_spec_is_package_data() -> None:
    from miroir.reproduce import builtin_spec

    path = builtin_spec("seed-kpam")
    assert path.is_file()
    with pytest.raises(miroir.InvalidArgumentError):
        builtin_spec("nope")
    assert run_cli().returncode == 2  # neither a spec nor --builtin


def test_readme_spec_example() -> None:
    """The README's complete spec parses and runs, and its error example is what miroir says."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reproducing published figures", 1)[1]
    text = section.split("```toml\n", 1)[1].split("```", 1)[0]
    study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=4)
    table = miroir.reproduce(text, study)
    assert table["id"].to_list() == [
        "can_contribute", "never_asked", "frontline_ideas_bank", "frontline_gap", "advisor_callback"
    ]
    shown = next(line for line in section.splitlines() if "SpecError: figures.toml:" in line)
    message = shown.split("SpecError: figures.toml", 1)[1].split(" (expected", 1)[0]
    with pytest.raises(miroir.SpecError) as info:
        miroir.reproduce(text.replace("tolerance = 0.02", "tolerence = 0.02"), study)
    assert str(info.value).startswith("<spec>" + message)
