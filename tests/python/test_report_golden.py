"""The report of the default synthetic study is byte-identical to a stored copy
(tests/fixtures/golden/report_seed0.json.gz, written by make_report_seed0.py next to it).

This is a regression guard for refactors and speed work (issues 13 and 20: "every public
behaviour unchanged, the report JSON byte-identical"), not an oracle: the numbers themselves are
checked against scipy, statsmodels and R elsewhere. A change meant to alter the report
regenerates the copy in the same commit and says why.
"""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import miroir

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "report_seed0.json.gz"


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two JSON values first differ (a JSON path), or None when equal."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r:.80} vs {type(b).__name__} {b!r:.80}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: present on one side only"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def test_report_json_is_byte_identical_to_the_stored_copy() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        text = miroir.report(miroir.synthetic_study(seed=0)).to_json()
    stored = gzip.decompress(GOLDEN.read_bytes()).decode("utf-8")
    if text != stored:
        where = first_difference(json.loads(text), json.loads(stored))
        raise AssertionError(
            "the report of the default synthetic study changed "
            f"(first difference, computed vs stored: {where or 'formatting only'}); if the change "
            "is intended, regenerate tests/fixtures/golden/report_seed0.json.gz"
        )
    # the copy holds every section of the report
    assert set(json.loads(stored)) >= {"summary", "indicators", "linkage", "units", "exposure_gap",
                                       "moments", "moment_effects", "drivers", "warnings"}
