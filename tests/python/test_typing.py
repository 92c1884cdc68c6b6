"""The typed Python API: ``mypy --strict`` passes on the package, and the stub of the compiled
extension (``python/miroir/_core.pyi``) matches what ``miroir._core`` exports (``stubtest``).

Both run as subprocesses with this interpreter, from the repository root (so ``pyproject.toml``'s
``[tool.mypy]`` applies and the cache lands in the git-ignored ``.mypy_cache``), whatever the
directory pytest was started from.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "miroir"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # Check (and import) the package of this tree, not another installed copy.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(ROOT / "python"), env.get("PYTHONPATH", "")] if p
    )
    env.pop("MYPYPATH", None)
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def report(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit code {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def test_stub_and_marker_are_in_the_package() -> None:
    assert (PACKAGE / "py.typed").is_file()
    assert (PACKAGE / "_core.pyi").is_file()


def test_mypy_strict_passes_on_the_package() -> None:
    proc = run(
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--strict",
        str(PACKAGE),
    )
    assert proc.returncode == 0, report(proc)
    assert "Success: no issues found" in proc.stdout, report(proc)


def test_stubtest_core_matches_the_extension() -> None:
    proc = run(
        "mypy.stubtest",
        "--mypy-config-file",
        str(ROOT / "pyproject.toml"),
        "miroir._core",
    )
    assert proc.returncode == 0, report(proc)
    assert "Success: no issues found" in proc.stdout, report(proc)
