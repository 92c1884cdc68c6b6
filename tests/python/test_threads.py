"""The whole report is identical with 1 and 2 threads (issue 7): the index is built per study
in parallel, the bootstrap draws one seeded stream per resample, and every sum runs in a fixed
order. Checked through the CLI so that each run gets its own thread pools."""

import json
import os
import subprocess
import sys
from pathlib import Path

import miroir


def report_json(folder: Path, threads: int) -> dict[str, object]:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
    out = subprocess.run(
        [sys.executable, "-m", "miroir.cli", "report", str(folder), "--json", "-", "--seed", "3"],
        capture_output=True, text=True, env=env, timeout=600, check=True,
    )
    data: dict[str, object] = json.loads(out.stdout)
    return data


def test_report_is_identical_with_one_and_two_threads(tmp_path: Path) -> None:
    study = miroir.synthetic_study(studies=6, employees=6_000, customers=30_000, seed=9)
    folder = study.write(tmp_path / "study")
    one, two = report_json(folder, 1), report_json(folder, 2)
    assert set(one) >= {"indicators", "linkage", "units", "exposure_gap", "moments", "moment_effects",
                        "drivers"}
    assert one == two


STREAMED_REPORT = """
import sys, miroir
study = miroir.load_study(sys.argv[1], streaming=True, batch_rows=4_096)
assert study.streamed
print(miroir.report(study, seed=3).to_json())
"""


def test_streamed_report_is_identical_with_one_and_two_threads(tmp_path: Path) -> None:
    # the streaming scans of the employees and customers files run side by side
    study = miroir.synthetic_study(studies=6, employees=6_000, customers=30_000, seed=9)
    folder = study.write(tmp_path / "study")
    runs = []
    for threads in (1, 2):
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
        out = subprocess.run([sys.executable, "-c", STREAMED_REPORT, str(folder)],
                             capture_output=True, text=True, env=env, timeout=600, check=True)
        runs.append(json.loads(out.stdout))
    assert runs[0] == runs[1]
    assert runs[0] == report_json(folder, 2)  # and equal to the in-memory report
