"""The synthetic study: calibration to the seed's published figures, computed by hand with
polars from the tables (not with miroir's analyses), and determinism."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
import warnings

import polars as pl
import pytest

import miroir


@pytest.fixture(scope="module", params=[0, 1])
def default_study(request) -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.synthetic_study(seed=request.param)


def unit_table(study: miroir.Study) -> pl.DataFrame:
    eng = study.employees.group_by("study", "unit").agg(engagement=pl.col("engagement").mean())
    sat = study.customers.group_by("study", "unit").agg(
        satisfaction=pl.col("satisfaction").mean(), n_customers=pl.len()
    )
    return eng.join(sat, on=["study", "unit"], how="inner")


def test_default_size(default_study):
    s = default_study.summary()
    assert s.height == 20
    assert default_study.employees.height == 20_000
    assert default_study.customers.height == 100_000
    assert set(s["sector"]) == {"bank", "insurance", "retail", "hotel", "car_repair", "utility"}


def test_employee_shares(default_study):
    e = default_study.employees
    assert e["can_contribute"].mean() == pytest.approx(0.72, abs=0.02)
    assert e["has_ideas"].mean() == pytest.approx(0.56, abs=0.02)
    assert e["has_cost_ideas"].mean() == pytest.approx(0.43, abs=0.02)
    asked = e["asked_about_customers"]
    assert (asked == "yearly").mean() == pytest.approx(1 / 3, abs=0.02)
    never = (asked == "never").mean()
    assert never > 0.5
    assert never == pytest.approx(0.53, abs=0.02)


def test_satisfaction_where_engagement_is_high(default_study):
    units = unit_table(default_study).with_columns(
        rank=pl.col("engagement").rank("ordinal", descending=True).over("study"),
        k=pl.len().over("study"),
    )
    top = units.filter(pl.col("rank") <= (pl.col("k") / 3).ceil()).select("study", "unit")
    satisfied = default_study.customers.join(top, on=["study", "unit"], how="semi").select(
        (pl.col("satisfaction") >= 7).mean()
    ).item()
    assert satisfied == pytest.approx(0.89, abs=0.02)


def test_top_cx_engagement_uplift(default_study):
    units = unit_table(default_study).sort(["satisfaction", "study", "unit"], descending=[True, False, False])
    n_top = math.ceil(0.08 * units.height)
    ratio = units.head(n_top)["engagement"].mean() / units.tail(units.height - n_top)["engagement"].mean()
    assert ratio == pytest.approx(1.6, abs=0.1)


def test_frontline_gap_up_to_20_points(default_study):
    gaps = (
        default_study.employees.group_by("study")
        .agg(
            gap=pl.col("engagement").filter(~pl.col("customer_facing")).mean()
            - pl.col("engagement").filter(pl.col("customer_facing")).mean()
        )
        .sort("gap", descending=True)
    )
    assert gaps["gap"][0] == pytest.approx(20, abs=2)
    assert (gaps["gap"] > 0).all(), "customer-facing staff are less engaged in every study"


def test_mentions_and_seed_themes(default_study):
    m = default_study.mentions
    assert m is not None
    themes = set(m["theme"])
    seed_themes = {
        "same advisor throughout the project",
        "taken at my word on a product return",
        "commercial gesture confirmed by SMS and letter",
        "suspicion of fraud on a claim",
        "no help carrying purchases to the car",
        "booking for twin beds not honoured",
    }
    assert seed_themes <= themes
    assert len(themes) >= 26
    assert m["text"].null_count() == 0
    # French verbatim
    assert m.filter(pl.col("theme") == "same advisor throughout the project", pl.col("side") == "customer")[
        "text"
    ].str.contains("interlocuteur").any()


def test_covariates_relate_to_engagement(default_study):
    e = default_study.employees
    for col in ["informed", "manager_support"]:
        r = e.select(pl.corr(col, "engagement")).item()
        assert r > 0.1, col
    trained = e.group_by("trained_customer").agg(pl.col("engagement").mean()).sort("trained_customer")
    assert trained["engagement"][1] > trained["engagement"][0]


def test_same_seed_same_tables_other_seed_differs():
    a = miroir.synthetic_study(studies=4, employees=2_000, customers=8_000, seed=7)
    b = miroir.synthetic_study(studies=4, employees=2_000, customers=8_000, seed=7)
    c = miroir.synthetic_study(studies=4, employees=2_000, customers=8_000, seed=8)
    assert a.employees.equals(b.employees) and a.customers.equals(b.customers)
    assert a.mentions is not None and a.mentions.equals(b.mentions)
    assert not a.employees.equals(c.employees)


def _digest_in_subprocess(threads: int, tmp_path) -> str:
    out = tmp_path / f"t{threads}"
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
    subprocess.run(
        [sys.executable, "-m", "miroir.cli", "synth", "--studies", "5", "--employees", "3000",
         "--customers", "15000", "--seed", "3", "--out", str(out), "--format", "csv"],
        check=True, env=env, capture_output=True,
    )
    h = hashlib.sha256()
    for name in ["employees.csv", "customers.csv", "mentions.csv"]:
        h.update((out / name).read_bytes())
    return h.hexdigest()


def test_same_bytes_whatever_the_thread_count(tmp_path):
    assert _digest_in_subprocess(1, tmp_path) == _digest_in_subprocess(2, tmp_path)


def test_invalid_sizes_are_refused():
    with pytest.raises(miroir.InvalidArgumentError):
        miroir.synthetic_study(studies=0)
    with pytest.raises((miroir.InvalidArgumentError, OverflowError)):
        miroir.synthetic_study(employees=-5)
