"""Reproduce published figures: a TOML spec of indicators, recomputed from the raw data.

A spec lists where the data are (files, a folder, or the synthetic generator), how the client's
columns map onto miroir's, and the indicators: each has a statistic, optional filters, the
published value and one check (``tolerance``, ``relative_tolerance``, ``within_ci``, ``above`` or
``below``; moments are checked by equality). The format is documented in README.md, "Reproducing
published figures". The Rust core parses, validates and computes; this module reads the file,
formats the table (text, markdown, JSON) and writes JUnit XML.

Examples
--------
>>> import miroir
>>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=4)
>>> spec = '''
... [[indicator]]
... id = "never_asked"
... statistic = "share"
... column = "asked_about_customers"
... equals = "never"
... published = 0.5
... above = true
... '''
>>> miroir.reproduce(spec, study).select("id", "check", "passed")
shape: (1, 3)
┌─────────────┬──────────────────────┬────────┐
│ id          ┆ check                ┆ passed │
│ ---         ┆ ---                  ┆ ---    │
│ str         ┆ str                  ┆ bool   │
╞═════════════╪══════════════════════╪════════╡
│ never_asked ┆ computed > published ┆ true   │
└─────────────┴──────────────────────┴────────┘
"""

from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from miroir import _core

if TYPE_CHECKING:
    from miroir.study import Study

__all__ = [
    "BUILTIN_SPECS",
    "Reproduction",
    "builtin_spec",
    "reproduce",
    "run",
    "statistics",
]

#: Specs shipped inside the package (``miroir reproduce --builtin NAME``).
BUILTIN_SPECS: tuple[str, ...] = ("seed-kpam",)


def builtin_spec(name: str) -> Path:
    """The path of a spec shipped with miroir (one of :data:`BUILTIN_SPECS`)."""
    if name not in BUILTIN_SPECS:
        raise _core.InvalidArgumentError(
            f"invalid argument 'builtin': unknown spec '{name}' (expected one of "
            f"{', '.join(BUILTIN_SPECS)})"
        )
    return Path(str(resources.files("miroir") / "specs" / f"{name}.toml"))


def statistics() -> list[str]:
    """Every statistic name a spec may use (the eight seed figures, then the generic ones)."""
    return list(_core.reproduce_statistics())


@dataclass(frozen=True)
class Reproduction:
    """A spec's table with its title and the name of the spec (for reports)."""

    title: str
    spec: str
    table: pl.DataFrame

    @property
    def passed(self) -> bool:
        return bool(self.table["passed"].all())

    @property
    def failed_ids(self) -> list[str]:
        return self.table.filter(~pl.col("passed"))["id"].to_list()

    def to_text(self) -> str:
        return _format_text(self)

    def to_markdown(self) -> str:
        return _format_markdown(self)

    def to_json(self) -> str:
        return _format_json(self)

    def to_junit(self) -> str:
        return _format_junit(self)


def _read_spec(spec: str | os.PathLike[str]) -> tuple[str, str, Path]:
    """(text, name shown in messages, folder relative data paths resolve against)."""
    if isinstance(spec, os.PathLike) or ("\n" not in spec and "=" not in spec):
        path = Path(spec)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise _core.SpecError(f"{path}: cannot read the spec: {e.strerror or e}") from None
        return text, str(path), path.parent
    return spec, "<spec>", Path.cwd()


def run(
    spec: str | os.PathLike[str],
    study: Study | None = None,
    *,
    data: str | os.PathLike[str] | None = None,
    name: str | None = None,
) -> Reproduction:
    """Like :func:`reproduce`, with the spec's title and name (used by the CLI). ``name``
    replaces the spec's path in messages and reports."""
    text, shown, base = _read_spec(spec)
    name = shown if name is None else name
    inner = None if study is None else study._inner
    data_dir = None if data is None else Path(data)
    title, table = _core.reproduce_spec(text, name, base, inner, data_dir)
    return Reproduction(title=title or Path(name).stem, spec=name, table=table)


def reproduce(
    spec: str | os.PathLike[str],
    study: Study | None = None,
    *,
    data: str | os.PathLike[str] | None = None,
) -> pl.DataFrame:
    """Recompute the indicators of a spec and check them against the published values.

    ``spec`` is a path to a TOML file or the TOML text itself. With ``study``, the spec's
    ``[data]`` and ``[schema]`` are ignored and the indicators are computed on that study; with
    ``data``, relative paths of ``[data]`` resolve against that folder (a synthetic spec then
    reads the folder's ``employees.*``, ``customers.*``, ``mentions.*``).

    Returns one row per indicator, in spec order: ``id, label, statistic, published,
    published_text, computed, computed_text, ci_low, ci_high, n, check, passed, source, note``
    (``*_text`` hold moments; numbers are null for them). Raises :class:`miroir.SpecError` when
    the spec is invalid (the message names the line and the key) and the data errors of
    :func:`miroir.load_study` when the data are.
    """
    return run(spec, study, data=data).table


# --------------------------------------------------------------------------------------------
# Formatting (deterministic: the same table always gives the same bytes).


def _num(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.4g}"


def _published(row: dict[str, Any]) -> str:
    text = row["published_text"]
    return str(text) if text is not None else _num(row["published"])


def _computed(row: dict[str, Any]) -> str:
    text = row["computed_text"]
    if text is not None:
        return str(text)
    return _num(row["computed"])


def _ci(row: dict[str, Any]) -> str:
    lo, hi = row["ci_low"], row["ci_high"]
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return "-"
    return f"[{_num(lo)}, {_num(hi)}]"


def _summary(rep: Reproduction) -> str:
    total = rep.table.height
    failed = rep.failed_ids
    if not failed:
        return f"{total} of {total} indicators reproduced"
    return f"{len(failed)} of {total} indicators FAILED: {', '.join(failed)}"


def _cells(rep: Reproduction) -> list[list[str]]:
    return [
        [
            "PASS" if row["passed"] else "FAIL",
            row["id"],
            _published(row),
            _computed(row),
            _ci(row),
            str(row["n"]),
            row["check"],
        ]
        for row in rep.table.iter_rows(named=True)
    ]


_HEADER = ["", "id", "published", "computed", "CI", "n", "check"]


def _format_text(rep: Reproduction) -> str:
    rows = [_HEADER, *_cells(rep)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADER))]
    right = {2, 3, 5}

    def line(r: list[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        return "  ".join(parts).rstrip()

    out = [f"miroir reproduce: {rep.title} ({rep.spec})", "", line(rows[0])]
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in rows[1:])
    notes = [
        f"  {row['id']}: {row['note']}"
        for row in rep.table.iter_rows(named=True)
        if not row["passed"] and row["note"]
    ]
    if notes:
        out += ["", "Notes on failing indicators:", *notes]
    out += ["", _summary(rep)]
    return "\n".join(out) + "\n"


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def _format_markdown(rep: Reproduction) -> str:
    status = "✅" if rep.passed else "❌"
    out = [
        f"### {status} miroir reproduce: {_md(rep.title)}",
        "",
        f"**{_summary(rep)}** (spec `{rep.spec}`)",
        "",
        "| | id | published | computed | CI | n | check | source |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for row, cells in zip(rep.table.iter_rows(named=True), _cells(rep)):
        mark = "✅ pass" if row["passed"] else "❌ **FAIL**"
        source = row["source"] or ""
        body = [mark, f"`{cells[1]}`", *cells[2:], source]
        out.append("| " + " | ".join(_md(c) for c in body) + " |")
    notes = [
        f"- `{row['id']}`: {_md(row['note'])}"
        for row in rep.table.iter_rows(named=True)
        if not row["passed"] and row["note"]
    ]
    if notes:
        out += ["", "Notes on failing indicators:", "", *notes]
    return "\n".join(out) + "\n"


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _format_json(rep: Reproduction) -> str:
    rows = [{k: _clean(v) for k, v in row.items()} for row in rep.table.iter_rows(named=True)]
    doc = {
        "title": rep.title,
        "spec": rep.spec,
        "passed": rep.passed,
        "tests": rep.table.height,
        "failures": len(rep.failed_ids),
        "indicators": rows,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _format_junit(rep: Reproduction) -> str:
    """JUnit XML: one ``<testsuite>`` for the spec, one ``<testcase>`` per indicator, a
    ``<failure>`` on each failing one (no timings, so the file is reproducible)."""
    failures = len(rep.failed_ids)
    tests = str(rep.table.height)
    suites = ET.Element(
        "testsuites", name="miroir reproduce", tests=tests, failures=str(failures), errors="0"
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=rep.title,
        tests=tests,
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="spec", value=rep.spec)
    classname = f"miroir.reproduce.{Path(rep.spec).stem.rsplit(':', 1)[-1]}"
    for row in rep.table.iter_rows(named=True):
        case = ET.SubElement(suite, "testcase", classname=classname, name=row["id"])
        details = (
            f"{row['label']}\n"
            f"statistic: {row['statistic']}\n"
            f"published: {_published(row)}\n"
            f"computed: {_computed(row)}\n"
            f"CI: {_ci(row)}\n"
            f"n: {row['n']}\n"
            f"check: {row['check']}\n"
            f"source: {row['source'] or '-'}\n"
            f"note: {row['note'] or '-'}\n"
        )
        if not row["passed"]:
            message = (
                f"{row['id']}: computed {_computed(row)} (CI {_ci(row)}), published "
                f"{_published(row)}; check failed: {row['check']}"
            )
            failure = ET.SubElement(case, "failure", message=message, type="ReproduceFailure")
            failure.text = details
        else:
            out = ET.SubElement(case, "system-out")
            out.text = details
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
