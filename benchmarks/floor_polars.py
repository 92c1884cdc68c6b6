"""The floor of the report benchmark: what reading the data and grouping it costs, no statistics.

    from floor_polars import floor
    frames = floor("benchmarks/data/s1m")      # list of small polars DataFrames

A bare polars lazy query: ``scan_parquet`` of exactly the columns ``miroir.report`` reads, and
the group-bys its analyses stand on, all collected together with ``pl.collect_all`` (one pass
of the optimiser, shared scans, polars' thread pool):

* duplicate-id checks (study, id) on both sides, orphan mentions (anti-joins);
* the unit aggregates of both sides (n, mean, sum of squares of engagement for the ICC; n,
  satisfied, mean satisfaction);
* per study and customer-facing segment: n, mean and variance of engagement; per study the
  summary counts and the indicator shares (can_contribute, has_ideas, has_cost_ideas,
  asked_about_customers);
* mentions: counts by theme, side and valence, distinct respondents by theme and side, the
  most frequent text by theme and side;
* the join of mentions with the respondents' satisfaction / engagement and its means by theme
  (what moment effects aggregate).

Nothing here is a test, an interval or a suppression rule: a report cannot be faster than this
query unless it reads less.
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


def floor(folder: str | Path) -> list[pl.DataFrame]:
    folder = Path(folder)
    emp = _scan(folder, "employees", EMPLOYEE_COLUMNS)
    cus = _scan(folder, "customers", CUSTOMER_COLUMNS)
    men = _scan(folder, "mentions", MENTION_COLUMNS)
    unit = ["study", "unit"]
    queries = [
        # validation: duplicate ids within a study, ranges
        emp.group_by("study", "employee_id").len().filter(pl.col("len") > 1).head(1),
        cus.group_by("study", "customer_id").len().filter(pl.col("len") > 1).head(1),
        emp.select(
            bad_engagement=(~pl.col("engagement").is_between(0, 100)).sum(),
            missing=pl.col("engagement").null_count() + pl.col("customer_facing").null_count(),
        ),
        cus.select(bad_satisfaction=(~pl.col("satisfaction").is_between(0, 10)).sum()),
        # orphan mentions
        men.filter(pl.col("side") == "customer")
        .join(cus, left_on=["study", "respondent_id"], right_on=["study", "customer_id"], how="anti")
        .select(pl.len()),
        men.filter(pl.col("side") == "employee")
        .join(emp, left_on=["study", "respondent_id"], right_on=["study", "employee_id"], how="anti")
        .select(pl.len()),
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
    return pl.collect_all(queries)


if __name__ == "__main__":
    import sys
    import time

    t0 = time.perf_counter()
    frames = floor(sys.argv[1])
    print(f"floor in {time.perf_counter() - t0:.3f} s: {[f.shape for f in frames]}")
