"""The floors of the report benchmark: what reading the data and grouping it costs, no statistics.

    from floor_polars import bare_floor, validated_floor
    frames = validated_floor("benchmarks/data/s1m")      # list of small polars DataFrames

Two polars lazy queries on ``scan_parquet`` of exactly the columns ``miroir.report`` reads, each
collected with one ``pl.collect_all`` (one pass of the optimiser, shared scans, polars' thread
pool):

* ``bare_floor``: the group-bys and joins the analyses stand on —
  the unit aggregates of both sides (n, mean and variance of engagement for the ICC; n,
  satisfied, mean satisfaction); per study and customer-facing segment: n, mean and variance of
  engagement; per study the summary counts and the indicator shares (can_contribute,
  has_ideas, has_cost_ideas, asked_about_customers); mentions: counts by theme, side and
  valence, distinct respondents by theme and side, the most frequent text by theme and side;
  the join of mentions with the respondents' satisfaction / engagement and its means by theme
  (what moment effects aggregate);
* ``validated_floor``: the same plus every check ``load_study`` makes (required values present,
  ranges, categories, (study, id) unique on both sides, orphan mentions on both sides, units
  seen on one side only), each as a count: what polars needs to give the report with the same
  guarantees about its input. ``floor`` is this one (the name of the earlier tables).

Nothing here is a test, an interval or a suppression rule: a report cannot be faster than the
bare floor unless it reads less.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

EMPLOYEE_COLUMNS = ["study", "unit", "employee_id", "customer_facing", "engagement", "can_contribute",
                    "has_ideas", "has_cost_ideas", "asked_about_customers", "sector"]
CUSTOMER_COLUMNS = ["study", "unit", "customer_id", "satisfaction", "sector"]
MENTION_COLUMNS = ["study", "side", "respondent_id", "theme", "valence", "text"]


def _scan(folder: Path, name: str, columns: list[str]) -> pl.LazyFrame:
    lf = pl.scan_parquet(folder / f"{name}.parquet")
    present = lf.collect_schema().names()
    return lf.select([c for c in columns if c in present])


def _report_queries(emp: pl.LazyFrame, cus: pl.LazyFrame, men: pl.LazyFrame) -> list[pl.LazyFrame]:
    """The group-bys and joins the report's analyses stand on (no check of the data)."""
    unit = ["study", "unit"]
    return [
        # units, both sides (mean and variance for the ICC)
        emp.group_by(unit).agg(
            n_employees=pl.len(),
            mean_engagement=pl.col("engagement").mean(),
            var_engagement=pl.col("engagement").var(),
        ),
        cus.group_by(unit).agg(
            n_customers=pl.len(),
            n_satisfied=(pl.col("satisfaction") >= 7).sum(),
            mean_satisfaction=pl.col("satisfaction").mean(),
        ),
        # exposure gap segments; summary and indicator shares per study
        emp.group_by("study", "customer_facing").agg(
            n=pl.len(), mean=pl.col("engagement").mean(), var=pl.col("engagement").var()
        ),
        emp.group_by("study").agg(
            n=pl.len(),
            sector=pl.col("sector").first(),
            can_contribute=pl.col("can_contribute").sum(),
            has_ideas=pl.col("has_ideas").sum(),
            has_cost_ideas=pl.col("has_cost_ideas").sum(),
            never=(pl.col("asked_about_customers") == "never").sum(),
            yearly=(pl.col("asked_about_customers") == "yearly").sum(),
        ),
        cus.group_by("study").agg(n=pl.len(), sector=pl.col("sector").first()),
        # mentions: counts, distinct respondents, most frequent text
        men.group_by("study").len(),
        men.group_by("theme", "side", "valence").len(),
        men.group_by("theme", "side").agg(respondents=pl.struct("study", "respondent_id").n_unique()),
        men.group_by("theme", "side", "text").len()
        .sort(["len", "text"], descending=[True, False])
        .group_by("theme", "side").agg(pl.col("text").first()),
        # moment effects: the mentioning respondents' outcome by theme
        men.filter(pl.col("side") == "customer")
        .join(cus, left_on=["study", "respondent_id"], right_on=["study", "customer_id"])
        .group_by("theme").agg(n=pl.len(), mean=pl.col("satisfaction").mean()),
        men.filter(pl.col("side") == "employee")
        .join(emp, left_on=["study", "respondent_id"], right_on=["study", "employee_id"])
        .group_by("theme").agg(n=pl.len(), mean=pl.col("engagement").mean()),
    ]


ASKED = ["never", "rarely", "yearly", "several_per_year"]


def _check_queries(emp: pl.LazyFrame, cus: pl.LazyFrame, men: pl.LazyFrame) -> list[pl.LazyFrame]:
    """The checks ``load_study`` makes, each as one count (0 when the data are valid): required
    values present, ranges, categories, ids unique within their study, every mention's
    respondent found, units seen on one side only (a warning). The first offending rows and the
    messages miroir gives are not computed: a floor, not a replacement."""
    required_emp = ["study", "unit", "employee_id", "customer_facing", "engagement"]
    required_cus = ["study", "unit", "customer_id", "satisfaction"]
    required_men = ["study", "side", "respondent_id", "theme", "valence"]
    units_emp = emp.select("study", "unit").unique()
    units_cus = cus.select("study", "unit").unique()
    return [
        emp.select(missing=pl.sum_horizontal(pl.col(c).null_count() for c in required_emp)),
        cus.select(missing=pl.sum_horizontal(pl.col(c).null_count() for c in required_cus)),
        men.select(missing=pl.sum_horizontal(pl.col(c).null_count() for c in required_men)),
        emp.select(
            bad_engagement=(~pl.col("engagement").is_between(0, 100)).sum(),
            bad_asked=(pl.col("asked_about_customers").is_not_null()
                       & ~pl.col("asked_about_customers").is_in(ASKED)).sum(),
        ),
        cus.select(bad_satisfaction=(~pl.col("satisfaction").is_between(0, 10)).sum()),
        men.select(
            bad_side=(~pl.col("side").is_in(["customer", "employee"])).sum(),
            bad_valence=(~pl.col("valence").is_in(["positive", "negative"])).sum(),
        ),
        emp.group_by("study", "employee_id").len().filter(pl.col("len") > 1).select(pl.len()),
        cus.group_by("study", "customer_id").len().filter(pl.col("len") > 1).select(pl.len()),
        men.filter(pl.col("side") == "customer")
        .join(cus, left_on=["study", "respondent_id"], right_on=["study", "customer_id"], how="anti")
        .select(pl.len()),
        men.filter(pl.col("side") == "employee")
        .join(emp, left_on=["study", "respondent_id"], right_on=["study", "employee_id"], how="anti")
        .select(pl.len()),
        units_emp.join(units_cus, on=["study", "unit"], how="anti").select(pl.len()),
        units_cus.join(units_emp, on=["study", "unit"], how="anti").select(pl.len()),
    ]


def _tables(folder: str | Path) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    folder = Path(folder)
    return (_scan(folder, "employees", EMPLOYEE_COLUMNS), _scan(folder, "customers", CUSTOMER_COLUMNS),
            _scan(folder, "mentions", MENTION_COLUMNS))


def bare_floor(folder: str | Path) -> list[pl.DataFrame]:
    """The report's group-bys and joins on the columns it reads, no check: what decoding and
    grouping the data costs."""
    return pl.collect_all(_report_queries(*_tables(folder)))


def validated_floor(folder: str | Path) -> list[pl.DataFrame]:
    """:func:`bare_floor` plus every check ``load_study`` makes, in one ``collect_all`` (shared
    scans): what polars needs to give the report with the same guarantees about the data."""
    emp, cus, men = _tables(folder)
    return pl.collect_all(_check_queries(emp, cus, men) + _report_queries(emp, cus, men))


floor = validated_floor  # the name earlier benchmark tables used


if __name__ == "__main__":
    import sys
    import time

    for f in (bare_floor, validated_floor):
        t0 = time.perf_counter()
        frames = f(sys.argv[1])
        print(f"{f.__name__} in {time.perf_counter() - t0:.3f} s: {len(frames)} tables")
