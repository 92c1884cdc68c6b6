"""The hostile-input campaign (issue 12): every case of ``cases/`` in its own subprocess with a
timeout; a case fails unless its outcome is the expected one (a typed error with the right
message, or a correct result). See harness.py for the outcomes, run.py to run it by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness  # noqa: E402

CASES = harness.campaign()


def test_campaign_is_large_and_covers_every_category() -> None:
    assert len(CASES) >= 150
    assert {c.category for c in CASES.values()} == set(harness.CATEGORIES)


def test_harness_classifies_every_outcome(hostile_data: Path, tmp_path: Path) -> None:
    """The harness itself: a case that aborts is a crash, one that sleeps a hang, a panic on
    stderr a panic, a failed setup never the expected error... (cases/selftest.py)."""
    from cases.selftest import EXPECTED

    selftests = [c for c in harness.load_cases().values() if c.category == harness.SELFTEST]
    assert {c.name for c in selftests} == set(EXPECTED)
    results = harness.run_cases(selftests, hostile_data, workers=2, scratch=tmp_path)
    got = {r.case.name: r.outcome for r in results}
    assert got == EXPECTED, "\n".join(r.explain() for r in results if got[r.case.name] != EXPECTED[r.case.name])
    assert set(EXPECTED.values()) == set(harness.OUTCOMES)


@pytest.mark.parametrize("name", list(CASES))
def test_hostile(name: str, hostile_results: dict[str, harness.Result]) -> None:
    result = hostile_results[name]
    if not result.passed:
        pytest.fail(result.explain(), pytrace=False)
