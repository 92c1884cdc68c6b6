"""``n_resamples=0`` skips the uplift bootstrap and changes nothing else (issue 7's benchmark
runs the report that way)."""

import math

import pytest

import miroir


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=4)


def test_report_without_bootstrap_equals_the_report_but_the_uplift_interval(study: miroir.Study) -> None:
    full = miroir.report(study, n_resamples=199, seed=1)
    fast = miroir.report(study, n_resamples=0)
    for name in ("summary", "units", "exposure_gap", "moments", "moment_effects"):
        assert fast.tables()[name].equals(full.tables()[name]), name
    link_full, link_fast = full.tables()["linkage"], fast.tables()["linkage"]
    same = [c for c in link_full.columns if not c.startswith("uplift_ci") and c != "note"]
    assert link_fast.select(same).equals(link_full.select(same))
    for row in link_fast.iter_rows(named=True):
        assert math.isnan(row["uplift_ci_low"]) and math.isnan(row["uplift_ci_high"])
        assert math.isfinite(row["uplift"]) and "n_resamples = 0" in row["note"]
    ind = fast.tables()["indicators"].to_pandas().set_index("id")
    assert math.isnan(ind.loc["top_cx_engagement_uplift", "ci_low"])


@pytest.mark.parametrize("n", [1, 50, 99])
def test_too_few_resamples_are_refused(study: miroir.Study, n: int) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="0 \\(no bootstrap\\) or between 100 and 10000000"):
        miroir.linkage(study, n_resamples=n)
