"""``Study.filter`` (issue 18, subsets): a subset is the study built from the filtered tables,
its mentions following their respondents; every analysis of it equals the same analysis of
that study exactly (the reference is the study built by hand from polars-filtered tables)."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest

import miroir


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)


def quiet(f):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return f()


def by_hand(study: miroir.Study, emp: pl.Expr | None, cus: pl.Expr | None) -> miroir.Study:
    e = study.employees if emp is None else study.employees.filter(emp)
    c = study.customers if cus is None else study.customers.filter(cus)
    m = study.mentions
    assert m is not None
    keep = m.filter(
        ((pl.col("side") == "employee") & pl.col("respondent_id").is_in(e["employee_id"].implode()))
        | ((pl.col("side") == "customer") & pl.col("respondent_id").is_in(c["customer_id"].implode()))
    )
    return quiet(lambda: miroir.Study(e, c, keep))


def same(a: miroir.Study, b: miroir.Study) -> None:
    assert a.employees.equals(b.employees) and a.customers.equals(b.customers)
    assert a.mentions is not None and b.mentions is not None and a.mentions.equals(b.mentions)
    ra, rb = miroir.report(a, n_resamples=0).tables(), miroir.report(b, n_resamples=0).tables()
    assert list(ra) == list(rb)
    for name in ra:
        assert ra[name].equals(rb[name]), name


def test_a_study_of_the_subset_equals_the_filtered_tables(study: miroir.Study) -> None:
    expr = pl.col("study") == "hotel-01"
    sub = quiet(lambda: study.filter(expr))
    same(sub, by_hand(study, expr, expr))
    assert sub.summary()["study"].to_list() == ["hotel-01"]
    assert quiet(lambda: study[expr]).summary().equals(sub.summary())


def test_some_units_and_one_side_only(study: miroir.Study) -> None:
    units = study.employees["unit"].unique().sort()[:10]
    expr = pl.col("unit").is_in(units.implode())
    same(quiet(lambda: study.filter(expr)), by_hand(study, expr, expr))
    senior = pl.col("tenure_months") >= 24
    sub = quiet(lambda: study.filter(employees=senior))
    assert sub.customers.equals(study.customers)
    same(sub, by_hand(study, senior, None))
    # mentions of the employees left out went with them
    gone = study.employees.filter(~senior)["employee_id"]
    assert sub.mentions is not None
    assert not sub.mentions.filter(pl.col("side") == "employee")["respondent_id"].is_in(gone.implode()).any()


def test_the_scales_and_limits_are_kept(study: miroir.Study) -> None:
    cus = study.customers.with_columns((pl.col("satisfaction") / 2.5 + 1).round(0).clip(1, 5).alias("satisfaction"))
    schema = miroir.Schema(satisfaction_scale=(1, 5), satisfied_threshold=4, min_group_size=8)
    five = quiet(lambda: miroir.Study(study.employees, cus, study.mentions, schema=schema))
    sub = quiet(lambda: five.filter(pl.col("study") != "utility-01"))
    assert sub.schema.satisfaction_scale == (1.0, 5.0) and sub.schema.min_group_size == 8
    assert miroir.linkage_units(sub).table.equals(
        miroir.linkage_units(five).table.filter(pl.col("study") != "utility-01"))


def test_a_streamed_study_filters_like_the_same_in_memory(study: miroir.Study, tmp_path: Path) -> None:
    folder = study.write(tmp_path / "s")
    streamed = quiet(lambda: miroir.load_study(folder, streaming=True))
    assert streamed.streamed
    expr = pl.col("study") == "car_repair-01"
    same(quiet(lambda: streamed.filter(expr)), quiet(lambda: study.filter(expr)))


def test_bad_filters_are_typed_errors(study: miroir.Study) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match=r"table 'employees' has no such column \(unable to find column \"nowhere\"\)"):
        study.filter(pl.col("nowhere") == "Nord")
    with pytest.raises(miroir.InvalidArgumentError, match="a filter must be a yes/no expression"):
        study.filter(pl.col("study").str.len_chars())
    with pytest.raises(miroir.InvalidArgumentTypeError, match="expected a polars expression"):
        study.filter("study == 'x'")  # type: ignore[arg-type]
    with pytest.raises(miroir.InvalidArgumentTypeError, match="'customers'"):
        study.filter(customers=True)  # type: ignore[arg-type]
    with pytest.raises(miroir.EmptyTableError, match="the filter leaves no employee"):
        study.filter(pl.col("study") == "nowhere")
