"""The default synthetic study against the figures published in the seed article (DESIGN.md):
the eight indicators land near the published values with their 95% CIs, the six seed themes are
classified into their moments, the largest per-study gap is about 20 points; and the ``miroir``
command writes them as JSON or fails cleanly on a broken file.

The expected values are the article's, typed here, never values produced by miroir.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from pathlib import Path

import polars as pl
import pytest

import miroir

# id -> (published value, how close the estimate must be)
PUBLISHED = {
    "can_contribute": 0.72,
    "top_cx_engagement_uplift": 0.60,
    "satisfaction_high_engagement": 0.89,
    "has_ideas": 0.56,
    "has_cost_ideas": 0.43,
    "asked_yearly": 1 / 3,
    "never_asked": 0.50,  # "more than half"
    "frontline_gap": 20.0,  # "up to 20 points"
}
TOLERANCE = {"top_cx_engagement_uplift": 0.10, "frontline_gap": 2.0}

SEED_THEMES = {
    "same advisor throughout the project": "win_win",
    "taken at my word on a product return": "lucky_break",
    "commercial gesture confirmed by SMS and letter": "pain",
    "suspicion of fraud on a claim": "wrong_fight",
    "no help carrying purchases to the car": "blindness",
    "booking for twin beds not honoured": "dead_end",
}


@pytest.fixture(scope="module", params=[0, 1], ids=["seed0", "seed1"])
def study(request) -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.synthetic_study(seed=request.param)


@pytest.fixture(scope="module")
def indicators(study) -> dict[str, dict]:
    return {r["id"]: r for r in miroir.indicators(study).iter_rows(named=True)}


def test_eight_indicators_are_reported(indicators):
    assert list(indicators) == list(PUBLISHED)
    for ident, row in indicators.items():
        assert row["published"] == pytest.approx(PUBLISHED[ident], abs=1e-12), ident
        assert row["n"] > 0 and row["method"], ident


@pytest.mark.parametrize("ident", [k for k in PUBLISHED if k != "never_asked"])
def test_indicator_lands_near_the_published_value(indicators, ident):
    row = indicators[ident]
    tol = TOLERANCE.get(ident, 0.02)
    assert abs(row["estimate"] - PUBLISHED[ident]) <= tol, (ident, row["estimate"])


def test_more_than_half_are_never_asked(indicators):
    row = indicators["never_asked"]
    assert row["estimate"] > 0.5
    assert row["estimate"] < 0.6  # "more than half", not nearly all


@pytest.mark.parametrize("ident", list(PUBLISHED))
def test_indicator_has_a_95_ci_around_it(indicators, ident):
    row = indicators[ident]
    assert math.isfinite(row["ci_low"]) and math.isfinite(row["ci_high"]), ident
    assert row["ci_low"] < row["estimate"] < row["ci_high"], ident


def test_share_intervals_have_the_width_of_a_95_wilson_interval(indicators):
    # n = 20,000 employees: a 95% interval of a share p is ~ 2 * 1.96 * sqrt(p(1-p)/n) wide
    for ident in ("can_contribute", "has_ideas", "has_cost_ideas", "asked_yearly", "never_asked"):
        row = indicators[ident]
        p, n = row["estimate"], row["n"]
        assert n == 20_000
        width = 2 * 1.959964 * math.sqrt(p * (1 - p) / n)
        assert row["ci_high"] - row["ci_low"] == pytest.approx(width, rel=0.01), ident


@pytest.fixture(scope="module")
def moments(study) -> dict[str, dict]:
    return {r["theme"]: r for r in miroir.moments(study).iter_rows(named=True)}


@pytest.mark.parametrize("theme", list(SEED_THEMES))
def test_seed_theme_in_its_moment(moments, theme):
    row = moments[theme]
    assert row["moment"] == SEED_THEMES[theme], (theme, row["customer_axis"], row["employee_axis"])
    assert row["q_value"] < 0.05


def test_largest_per_study_gap_is_about_20_points(study):
    gaps = miroir.exposure_gap(study)
    per_study = gaps.filter(pl.col("level") == "study")
    assert per_study.height == 20
    largest = per_study.filter(pl.col("largest"))
    assert largest.height == 1
    row = largest.row(0, named=True)
    assert abs(row["gap"] - 20.0) <= 2.0
    assert row["gap"] == per_study["gap"].max()
    assert row["ci_low"] < row["gap"] < row["ci_high"]
    # "up to": the other studies' gaps are smaller, and customer-facing staff are less engaged
    pooled = gaps.filter(pl.col("level") == "pooled").row(0, named=True)
    assert 0 < pooled["gap"] < row["gap"] and pooled["adjusted_ci_low"] > 0


# --- the command ------------------------------------------------------------------------------


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "miroir.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    folder = out / "study"
    done = cli("synth", "--studies", "4", "--employees", "2000", "--customers", "10000", "--seed", "3",
               "--out", str(folder), cwd=out)
    assert done.returncode == 0, done.stderr
    assert (folder / "employees.parquet").exists() and (folder / "mentions.parquet").exists()
    return folder


def test_cli_report_writes_json_with_every_indicator(synth_dir, tmp_path):
    target = tmp_path / "report.json"
    done = cli("report", str(synth_dir), "--json", str(target), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(target.read_text(encoding="utf-8"))  # valid JSON (NaN written as null)
    assert [r["id"] for r in data["indicators"]] == list(PUBLISHED)
    for name in ("summary", "linkage", "units", "exposure_gap", "moments", "moment_effects"):
        assert data[name], name
    assert len(data["summary"]) == 4


def test_cli_report_on_a_broken_file_exits_2(synth_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("customers", "mentions"):
        (broken / f"{name}.parquet").write_bytes((synth_dir / f"{name}.parquet").read_bytes())
    employees = pl.read_parquet(synth_dir / "employees.parquet")
    employees.with_columns(engagement=pl.when(pl.int_range(pl.len()) == 7).then(170.0).otherwise(pl.col("engagement"))) \
        .write_parquet(broken / "employees.parquet")
    done = cli("report", str(broken), "--json", str(tmp_path / "out.json"), cwd=tmp_path)
    assert done.returncode == 2
    assert "OutOfRangeError" in done.stderr and "engagement" in done.stderr and "170" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_cli_report_on_an_unreadable_file_exits_2(synth_dir, tmp_path):
    broken = tmp_path / "garbled"
    broken.mkdir()
    (broken / "customers.parquet").write_bytes((synth_dir / "customers.parquet").read_bytes())
    (broken / "employees.parquet").write_bytes(b"this is not a parquet file")
    done = cli("report", str(broken), cwd=tmp_path)
    assert done.returncode == 2
    assert "employees" in done.stderr and "Traceback" not in done.stderr
