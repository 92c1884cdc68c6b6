"""Bad input and edge cases of the mirror analyses: each gives a clear result (NaN with a note
saying why) or a typed ``miroir.MiroirError`` with a readable message. Never a Rust panic
(``pyo3_runtime.PanicException``, a BaseException), never a silent 0.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import polars as pl
import pytest

import miroir

ANALYSES = ("linkage_units", "linkage", "exposure_gap", "indicators", "moments", "moment_effects", "report")
FAST = {"linkage": {"n_resamples": 200}, "indicators": {"n_resamples": 200}, "report": {"n_resamples": 200}}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        yield


def run(name: str, study: miroir.Study, **options):
    """Call ``miroir.<name>(study)``; a Rust panic fails the test whatever else happens."""
    try:
        return getattr(miroir, name)(study, **{**FAST.get(name, {}), **options})
    except miroir.MiroirError:
        raise
    except BaseException as e:  # PanicException derives from BaseException
        if type(e).__name__ == "PanicException":
            pytest.fail(f"miroir.{name} panicked: {e}")
        raise


def outcome(name: str, study: miroir.Study, **options):
    """The result, or the MiroirError raised (anything else fails the test)."""
    try:
        return run(name, study, **options)
    except miroir.MiroirError as e:
        return e


def build(
    units: dict[str, tuple[int, int]],
    *,
    study: str = "s",
    facing=lambda i: i % 2 == 0,
    engagement=None,
    satisfaction=None,
    seed: int = 0,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Employees and customers of one study: ``units`` maps a unit to (employees, customers)."""
    rng = np.random.default_rng(seed)
    emp, cus = [], []
    for u, (ne, nc) in units.items():
        for i in range(ne):
            e = float(rng.uniform(20, 90)) if engagement is None else engagement(u, i)
            emp.append((study, u, f"{study}-{u}-e{i}", bool(facing(i)), e))
        for i in range(nc):
            s = float(rng.uniform(0, 10)) if satisfaction is None else satisfaction(u, i)
            cus.append((study, u, f"{study}-{u}-c{i}", s))
    employees = pl.DataFrame(emp, schema=["study", "unit", "employee_id", "customer_facing", "engagement"], orient="row")
    customers = pl.DataFrame(cus, schema=["study", "unit", "customer_id", "satisfaction"], orient="row")
    return employees, customers


def note_of(row: dict) -> str:
    return row["note"] or ""


# --- a study with one unit -------------------------------------------------------------------------


def test_one_unit_gives_nan_correlations_with_reasons():
    study = miroir.Study(*build({"only": (12, 20)}))
    results = {name: outcome(name, study) for name in ANALYSES if name not in ("moments", "moment_effects")}
    assert not any(isinstance(r, miroir.MiroirError) for r in results.values()), results
    link = results["linkage"].to_dicts()
    assert [r["level"] for r in link] == ["study", "pooled"]
    for row in link:
        assert row["n_units"] == 1
        assert math.isnan(row["estimate"]) and math.isnan(row["p_value"]) and math.isnan(row["ci_low"])
        assert math.isnan(row["icc1"]) and math.isnan(row["uplift"])
        assert "at least 2 pairs" in note_of(row) and "ICC" in note_of(row)
        assert "uplift" in note_of(row)
    gap = {r["level"]: r for r in results["exposure_gap"].to_dicts()}
    # the per-study gap is defined (6 facing, 6 other) ...
    assert math.isfinite(gap["study"]["gap"]) and math.isfinite(gap["study"]["ci_low"])
    # ... the cluster-robust adjusted gap is not: one cluster
    assert gap["pooled"]["adjusted_gap"] is None
    assert "adjusted gap" in note_of(gap["pooled"]) and "2 clusters" in note_of(gap["pooled"])
    ind = results["indicators"].to_pandas().set_index("id")
    assert math.isnan(ind.loc["top_cx_engagement_uplift", "estimate"])
    assert "uplift" in ind.loc["top_cx_engagement_uplift", "note"]
    report = results["report"]
    assert report.moments is None and report.units.height == 1
    json.loads(report.to_json())


def test_one_study_with_two_units():
    study = miroir.Study(*build({"a": (10, 10), "b": (10, 10)}))
    link = run("linkage", study).to_dicts()
    for row in link:
        # r of two points is +-1 by construction: said so, with p = 1 and the whole interval
        assert abs(row["estimate"]) == 1.0 and row["p_value"] == 1.0
        assert (row["ci_low"], row["ci_high"]) == (-1.0, 1.0)
        assert "n = 2" in note_of(row)
    pooled = link[-1]
    # one study: no meta-analysis, and the note says so
    assert pooled["tau2"] is None and "not a meta-analysis" in note_of(pooled)
    gap = run("exposure_gap", study).filter(pl.col("level") == "pooled").row(0, named=True)
    assert gap["adjusted_gap"] is not None and math.isfinite(gap["adjusted_std_error"])
    run("report", study)


def test_a_small_only_unit_is_a_clear_error_for_the_linkage():
    # 3 employees, 3 customers: nothing can enter the linkage (and nothing must be shown)
    study = miroir.Study(*build({"tiny": (3, 3)}))
    for name in ("linkage", "indicators", "report"):
        with pytest.raises(miroir.InsufficientDataError, match="no linkable unit"):
            run(name, study)
    units = run("linkage_units", study)
    assert units["suppressed"].to_list() == [True] and units["mean_engagement"].to_list() == [None]
    # segments of 1-2 employees are below min_group_size: shown as suppressed, not computed
    gap = run("exposure_gap", study).to_dicts()
    for row in gap:
        assert row["suppressed"] is True and row["ci_low"] is None and row["mean_facing"] is None
        assert "suppressed" in note_of(row)


# --- themes mentioned by nobody on one side, studies without mentions -------------------------------


def mentions_on_one_side(employees: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    rows = [("s", "customer", cid, "only customers", "positive") for cid in customers["customer_id"][:30]]
    rows += [("s", "employee", eid, "only employees", "negative") for eid in employees["employee_id"][:30]]
    return pl.DataFrame(rows, schema=["study", "side", "respondent_id", "theme", "valence"], orient="row")


def test_theme_mentioned_only_by_customers_or_only_by_employees():
    employees, customers = build({"a": (40, 60), "b": (40, 60), "c": (40, 60)})
    study = miroir.Study(employees, customers, mentions_on_one_side(employees, customers))
    table = {r["theme"]: r for r in run("moments", study).iter_rows(named=True)}

    only_c = table["only customers"]
    assert only_c["customer_axis"] == "enchanted" and only_c["customer_mentions"] == 30
    # 0 of 120 employees: the Wilson upper bound (2.2%) does not exclude the 2% silence rate
    assert only_c["employee_mentions"] == 0 and only_c["employee_share_upper"] > 0.02
    assert only_c["employee_axis"] == "undetermined" and only_c["moment"] == "undetermined"
    assert math.isnan(only_c["p_value"]) and math.isnan(only_c["q_value"])
    assert "no employee mentions" in note_of(only_c)

    only_e = table["only employees"]
    assert only_e["customer_mentions"] == 0 and only_e["moment"] == "too_few_mentions"
    assert math.isnan(only_e["customer_p"]) and math.isnan(only_e["q_value"])
    assert "no customer mentions" in note_of(only_e)
    assert only_e["action"] is None

    effects = run("moment_effects", study)
    assert effects.height == 12 and effects["n_themes"].sum() == 0
    assert effects["estimate"].is_nan().all()
    assert all("no theme classified" in n for n in effects["note"])
    report = run("report", study)
    assert report.moments is not None and report.moments.height == 2


def test_theme_never_mentioned_by_many_employees_is_silent():
    # 2000 employees, none mentions the theme: the upper bound is far below 2% -> silent
    employees, customers = build({f"u{j}": (200, 20) for j in range(10)})
    rows = [("s", "customer", cid, "irritant", "negative") for cid in customers["customer_id"][:40]]
    mentions = pl.DataFrame(rows, schema=["study", "side", "respondent_id", "theme", "valence"], orient="row")
    row = run("moments", miroir.Study(employees, customers, mentions)).row(0, named=True)
    assert row["employee_axis"] == "silent" and row["employee_share"] == 0.0
    assert row["moment"] == "blindness" and row["q_value"] < 0.05


def test_study_without_mentions():
    study = miroir.Study(*build({"a": (10, 10), "b": (10, 10), "c": (10, 10)}))
    assert study.mentions is None
    for name in ("moments", "moment_effects"):
        with pytest.raises(miroir.InvalidArgumentError, match="no mentions table") as info:
            run(name, study)
        assert "'study'" in str(info.value)
    report = run("report", study)
    assert report.moments is None and report.moment_effects is None
    assert "moments" not in report.tables()
    data = json.loads(report.to_json())
    assert "moments" not in data and len(data["indicators"]) == 8


def test_empty_mentions_table_is_a_study_without_mentions():
    employees, customers = build({"a": (10, 10), "b": (10, 10)})
    empty = pl.DataFrame(schema={c: pl.String for c in ["study", "side", "respondent_id", "theme", "valence"]})
    study = miroir.Study(employees, customers, empty)
    with pytest.raises(miroir.InvalidArgumentError, match="no mentions"):
        run("moments", study)
    assert run("report", study).moments is None


# --- no customer-facing employees ---------------------------------------------------------------


def test_study_without_customer_facing_employees():
    study = miroir.Study(*build({u: (10, 10) for u in "abcd"}, facing=lambda i: False))
    rows = run("exposure_gap", study).to_dicts()
    assert [r["level"] for r in rows] == ["study", "pooled"]
    for row in rows:
        assert row["n_facing"] == 0 and row["n_other"] == 40
        assert math.isnan(row["gap"]) and math.isnan(row["mean_facing"]) and math.isnan(row["p_value"])
        assert math.isnan(row["hedges_g"]) and math.isnan(row["mw_p_value"])
        assert "no customer-facing employees" in note_of(row)
        assert row["adjusted_gap"] is None and not row["largest"]
    ind = run("indicators", study).to_pandas().set_index("id").loc["frontline_gap"]
    assert math.isnan(ind.estimate) and ind.n == 0
    assert "customer-facing" in ind.note
    run("report", study)


def test_one_study_without_customer_facing_among_others():
    e1, c1 = build({u: (10, 10) for u in "abcd"}, study="flat", facing=lambda i: False)
    e2, c2 = build({u: (10, 10) for u in "abcd"}, study="mixed", seed=1)
    study = miroir.Study(pl.concat([e1, e2]), pl.concat([c1, c2]))
    rows = {r["study"]: r for r in run("exposure_gap", study).iter_rows(named=True)}
    assert math.isnan(rows["flat"]["gap"]) and not rows["flat"]["largest"]
    assert rows["mixed"]["largest"] and math.isfinite(rows["mixed"]["gap"])
    # the adjusted gap exists (identified by the mixed study) and is that study's gap: with
    # study fixed effects, the flat study only fixes its own intercept
    pooled = rows["all"]
    assert pooled["adjusted_gap"] == pytest.approx(rows["mixed"]["gap"], rel=1e-9)


def test_only_customer_facing_employees():
    study = miroir.Study(*build({u: (10, 10) for u in "abc"}, facing=lambda i: True))
    for row in run("exposure_gap", study).to_dicts():
        assert math.isnan(row["gap"]) and "no employees away from customers" in note_of(row)


# --- degenerate values ----------------------------------------------------------------------------


def test_all_customers_satisfied_gives_nan_correlation_not_zero():
    study = miroir.Study(*build({u: (10, 10) for u in "abcdef"}, satisfaction=lambda u, i: 7.0 + "abcdef".index(u) * 0.3 + (i % 3) * 0.2))
    for row in run("linkage", study).to_dicts():
        assert math.isnan(row["estimate"]) and math.isnan(row["p_value"])
        assert "constant" in note_of(row)
        assert row["share_satisfied_high"] == 1.0 and row["share_satisfied_rest"] == 1.0
        # the difference of two shares of 1 is 0, but its z-test is undefined (said so)
        assert row["satisfied_diff"] == 0.0 and math.isnan(row["satisfied_diff_p"])
        assert "z-test is undefined" in note_of(row)
    # satisfaction itself still varies: the mean-satisfaction correlation is defined
    mean_sat = run("linkage", study, outcome="mean_satisfaction").to_dicts()[0]
    assert math.isfinite(mean_sat["estimate"]) and -1 < mean_sat["estimate"] < 1


def test_constant_engagement_gives_undefined_tests_with_reasons():
    study = miroir.Study(*build({u: (6, 6) for u in "abcd"}, engagement=lambda u, i: 60.0 if i % 2 == 0 else 70.0))
    row = run("exposure_gap", study).filter(pl.col("level") == "study").row(0, named=True)
    # each group is constant: the gap is 10 exactly, its t-test is undefined and says why
    assert row["gap"] == 10.0
    assert math.isnan(row["statistic"]) and math.isnan(row["p_value"]) and math.isnan(row["ci_low"])
    assert "zero variance" in note_of(row) and "g is undefined" in note_of(row)


def test_constant_engagement_adjusted_gap_is_not_rounding_noise():
    study = miroir.Study(*build({u: (6, 6) for u in "abcd"}, engagement=lambda u, i: 60.0))
    pooled = run("exposure_gap", study).filter(pl.col("level") == "pooled").row(0, named=True)
    # an exact fit: no test, no interval (not p = 0.19 from rounding residuals), and a note
    assert pooled["adjusted_p_value"] is None or math.isnan(pooled["adjusted_p_value"])
    assert pooled["adjusted_ci_low"] is None or math.isnan(pooled["adjusted_ci_low"])
    assert abs(pooled["adjusted_gap"]) < 1e-9
    assert "exact fit" in pooled["note"]


def test_routine_rows_carry_no_boilerplate_notes():
    study = miroir.Study(*build({u: (20, 10) for u in "abcd"}))
    for row in run("exposure_gap", study).to_dicts():
        assert row["note"] is None, row["note"]


# --- invalid options ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_study() -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.synthetic_study(studies=2, employees=400, customers=2_000, seed=3)


@pytest.mark.parametrize(
    "name, options, argument",
    [
        ("moments", {"alpha": 0.0}, "alpha"),
        ("moments", {"alpha": 0.7}, "alpha"),
        ("moments", {"alpha": math.nan}, "alpha"),
        ("moment_effects", {"alpha": -0.1}, "alpha"),
        ("moments", {"silence_rate": 0.0}, "silence_rate"),
        ("moments", {"min_mentions": 0}, "min_mentions"),
        ("moments", {"by": "no_such_column"}, "by"),
        ("linkage", {"top_share": 0.0}, "top_share"),
        ("linkage", {"top_share": 1.0}, "top_share"),
        ("linkage", {"top_share": math.nan}, "top_share"),
        ("linkage", {"by": "no_such_column"}, "by"),
        ("linkage", {"method": "pearsn"}, "method"),
        ("linkage", {"outcome": "nps"}, "outcome"),
        ("linkage", {"threshold": 150.0}, "threshold"),
        ("linkage", {"n_resamples": 10}, "n_resamples"),
        ("linkage", {"confidence": 1.5}, "confidence"),
        ("exposure_gap", {"by": ["region", "region"]}, "by"),
        ("exposure_gap", {"covariates": ["no_such_column"]}, "covariates"),
        ("exposure_gap", {"covariates": ["asked_about_customers"]}, "covariates"),
        ("exposure_gap", {"confidence": 0.0}, "confidence"),
        ("indicators", {"ci_method": "exactish"}, "ci_method"),
        ("indicators", {"confidence": 1.5}, "confidence"),
    ],
)
def test_invalid_options_name_the_argument(small_study, name, options, argument):
    with pytest.raises(miroir.InvalidArgumentError) as info:
        run(name, small_study, **options)
    message = str(info.value)
    assert f"invalid argument '{argument}'" in message
    assert isinstance(info.value, ValueError)
    bad = next(iter(options.values()))
    if isinstance(bad, list):
        assert bad[0] in message
    elif isinstance(bad, str):
        assert bad in message


def test_covariate_errors_say_what_is_wrong(small_study):
    with pytest.raises(miroir.InvalidArgumentError, match="not a column of the employees table"):
        run("exposure_gap", small_study, covariates=["no_such_column"])
    with pytest.raises(miroir.InvalidArgumentError, match="must be numbers or yes/no"):
        run("exposure_gap", small_study, covariates=["asked_about_customers"])
    # a yes/no covariate is accepted, and a numeric one too
    for cov in (["can_contribute"], ["tenure_months"]):
        pooled = run("exposure_gap", small_study, covariates=cov).filter(pl.col("level") == "pooled")
        assert math.isfinite(pooled["adjusted_gap"][0])


def test_indicator_ci_method_aliases_are_still_accepted(small_study):
    table = run("indicators", small_study, ci_method="exact")
    assert table["method"][0].startswith("Clopper-Pearson")
