"""pytest wiring of the hostile campaign: the shared study, written once per session, and
every selected case run in its own subprocess, two at a time, before the first test reports."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import harness  # noqa: E402

# the machinery and the case modules are not test modules (nor doctests): the cases run only in
# their subprocesses, and importing them twice would register them twice
collect_ignore = ["harness.py", "child.py", "run.py", "cases"]

_RESULTS: list[harness.Result] = []
_ELAPSED: list[float] = []
_CPU: list[float] = []


@pytest.fixture(scope="session")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared study (miroir.synthetic_study(studies=3, employees=600, customers=3000,
    seed=1)) written as Parquet and as CSV."""
    return harness.prepare_data(tmp_path_factory.mktemp("hostile-data"))


@pytest.fixture(scope="session")
def hostile_results(request: pytest.FixtureRequest, hostile_data: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> dict[str, harness.Result]:
    """Run every hostile case selected in this session (``-k`` is honoured) and return their
    results by name."""
    cases = harness.load_cases()
    wanted = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and Path(item.path).resolve() == HERE / "test_hostile.py" \
                and "name" in callspec.params:
            wanted.append(cases[callspec.params["name"]])
    workers = int(os.environ.get("HOSTILE_WORKERS", "2"))
    start = time.monotonic()
    results = harness.run_cases(wanted, hostile_data, workers=workers,
                                scratch=tmp_path_factory.mktemp("hostile-runs"))
    _ELAPSED.append(time.monotonic() - start)
    _CPU.append(harness.LAST_CPU_SECONDS or 0.0)
    _RESULTS.extend(results)
    return {r.case.name: r for r in results}


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if _RESULTS:
        terminalreporter.section("hostile campaign")
        terminalreporter.write_line(harness.summary(_RESULTS, _ELAPSED[0] if _ELAPSED else None,
                                                    _CPU[0] if _CPU else None))
