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
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import import_module, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, invalid_argument_type, InvalidArgumentTypeError
from miroir.i18n import format_count
from miroir.results import json_rows
from miroir.results._format import REPRODUCE_MISSING, format_significant, localize_decimal

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
        raise invalid_argument(
            "builtin", f"unknown spec '{name}' (expected one of "
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

    def to_text(self, lang: str = "en") -> str:
        """The table ``miroir reproduce`` prints, in ``lang`` (``"en"`` or ``"fr"``)."""
        return _format_text(self, lang)

    def to_markdown(self, lang: str = "en") -> str:
        """The Markdown ``miroir reproduce --format markdown`` prints (a CI job summary), in
        ``lang``."""
        return _format_markdown(self, lang)

    def to_json(self) -> str:
        return _format_json(self)

    def to_junit(self) -> str:
        return _format_junit(self)


#: The largest spec file read (a spec is a few kilobytes; this keeps ``/dev/zero`` out).
MAX_SPEC_BYTES = 16 * 1024 * 1024


def _read_spec(spec: str | os.PathLike[str]) -> tuple[str, str, Path]:
    """(text, name shown in messages, folder relative data paths resolve against).

    How ``spec`` is read: a ``Path`` (any ``os.PathLike``) is a path; a string is TOML text
    when it holds a line break; otherwise it is a path when it names an existing file or
    folder, TOML text when it parses as TOML, and a path again when it does not (so that
    ``wave=2024/figures.toml`` reads that file, or says that it is missing, and is never
    parsed as TOML).
    """
    if isinstance(spec, os.PathLike):
        raw = os.fspath(spec)
        if not isinstance(raw, str):
            raise invalid_argument_type(
                "spec", f"expected a str path, got {type(raw).__name__}"
            )
        return _read_spec_file(Path(raw))
    if not isinstance(spec, str):
        raise invalid_argument_type(
            "spec", "expected a path (str or pathlib.Path) or TOML text, "
            f"got {type(spec).__name__}"
        )
    if "\n" in spec or "\r" in spec:
        return spec, "<spec>", Path.cwd()
    if _exists(spec) or not _parses_as_toml(spec):
        return _read_spec_file(Path(spec))
    return spec, "<spec>", Path.cwd()


def _exists(text: str) -> bool:
    """Whether ``text`` names an existing file or folder (False for what no file system can
    name: a NUL character, a name too long)."""
    if not text or "\0" in text:
        return False
    try:
        return os.path.lexists(text)
    except (OSError, ValueError):
        return False


def _parses_as_toml(text: str) -> bool:
    """Whether one line of text parses as a TOML document (``tomllib``, or ``tomli`` on Python
    3.10; without either, whether it has a ``=`` or a ``[`` and does not end in ``.toml``)."""
    loads: Any = None
    for module in ("tomllib", "tomli"):
        try:
            loads = import_module(module).loads
            break
        except ImportError:
            continue
    if loads is None:
        return ("=" in text or "[" in text) and not text.strip().lower().endswith(".toml")
    try:
        loads(text)
    except Exception:  # TOMLDecodeError, and whatever a parser may raise on odd input
        return False
    return True


def _read_spec_file(path: Path) -> tuple[str, str, Path]:
    if "\0" in str(path):
        raise _core.SpecError(f"{path!r}: cannot read the spec: the path contains a NUL character")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SPEC_BYTES + 1)
    except OSError as e:
        raise _core.SpecError(f"{path}: cannot read the spec: {e.strerror or e}") from None
    if len(data) > MAX_SPEC_BYTES:
        raise _core.SpecError(
            f"{path}: cannot read the spec: larger than {MAX_SPEC_BYTES // (1024 * 1024)} MiB"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise _core.SpecError(
            f"{path}: the spec is not UTF-8 text (line {line}, byte {e.start}: "
            f"{data[e.start:e.start + 1]!r}); save it as UTF-8"
        ) from None
    return text, str(path), path.parent


def run(
    spec: str | os.PathLike[str],
    study: Study | None = None,
    *,
    data: str | os.PathLike[str] | None = None,
    name: str | None = None,
) -> Reproduction:
    """Like :func:`reproduce`, with the spec's title and name (used by the CLI). ``name``
    replaces the spec's path in messages and reports."""
    from miroir.study import Study

    if study is not None and not isinstance(study, Study):
        raise invalid_argument_type(
            "study", f"expected a miroir.Study, got {type(study).__name__}"
        )
    if name is not None and not isinstance(name, str):
        raise invalid_argument_type(
            "name", f"expected a str, got {type(name).__name__}"
        )
    if data is not None and not isinstance(data, (str, os.PathLike)):
        raise invalid_argument_type(
            "data", "expected a folder path (str or pathlib.Path), got "
            f"{type(data).__name__}"
        )
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

    ``spec`` is a path to a TOML file or the TOML text itself: a ``pathlib.Path`` is always a
    path; a string is TOML text when it holds a line break, a path when it names an existing
    file or folder, else TOML text if it parses as TOML and a path if it does not (a string
    such as ``"wave=2024/figures.toml"`` is a path, found or not). With ``study``, the spec's
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


def _t(key: str, lang: str, **values: Any) -> str:
    """The catalogue's message ``cli.<key>`` in ``lang``, its placeholders filled."""
    from miroir.i18n import text

    return text(f"cli.{key}", lang, **values)


def _note(message: str, lang: str) -> str:
    """A note of the core (in English) in the catalogue's wording in ``lang``."""
    from miroir.html_report import translate_note

    return message if lang == "en" else translate_note(message, lang)


# The checks as the Rust core words them (src/reproduce/mod.rs), to the catalogue's wording.
_CHECKS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k) for p, k in (
        (r"^\|computed - published\| <= (?P<tolerance>\S+) x \|published\|$", "relative"),
        (r"^\|computed - published\| <= (?P<tolerance>\S+)$", "tolerance"),
        (r"^published in (?P<confidence>\S+)% CI$", "within_ci"),
        (r"^computed > published$", "above"),
        (r"^computed < published$", "below"),
        (r"^computed == published$", "equals"),
        (r"^invalid$", "invalid"),
    )
)


def _repro_check(check: str, lang: str) -> str:
    for pattern, key in _CHECKS:
        found = pattern.match(check)
        if found is not None:
            values = {k: localize_decimal(v, lang) for k, v in found.groupdict().items()}
            return _t(f"reproduce.checks.{key}", lang, **values)
    return check


def _repro_summary(rep: Reproduction, lang: str) -> str:
    total = format_count(rep.table.height, lang)
    failed = rep.failed_ids
    if not failed:
        return _t("reproduce.passed", lang, passed=total, total=total)
    return _t("reproduce.failed", lang, failed=format_count(len(failed), lang), total=total, ids=", ".join(failed))


def _given(row: dict[str, Any], column: str, lang: str) -> str:
    """The ``published`` or ``computed`` value of a row as the spec or the core wrote it, else
    the number."""
    shown = row[f"{column}_text"]
    return str(shown) if shown is not None else format_significant(row[column], lang)


def _interval(row: dict[str, Any], lang: str) -> str:
    lo, hi = row["ci_low"], row["ci_high"]
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return REPRODUCE_MISSING
    return _t("reproduce.interval", lang, low=format_significant(lo, lang), high=format_significant(hi, lang))


def _repro_cells(rep: Reproduction, lang: str) -> list[list[str]]:
    return [
        [
            _t("reproduce.pass" if row["passed"] else "reproduce.fail", lang),
            str(row["id"]),
            _given(row, "published", lang),
            _given(row, "computed", lang),
            _interval(row, lang),
            format_count(row["n"], lang),
            _repro_check(str(row["check"]), lang),
        ]
        for row in rep.table.iter_rows(named=True)
    ]


def _repro_header(lang: str, *extra: str) -> list[str]:
    return ["", *(_t(f"reproduce.{k}", lang) for k in ("id", "published", "computed", "ci", "n", "check", *extra))]


def _format_text(rep: Reproduction, lang: str) -> str:
    """``miroir reproduce --format table`` in ``lang``."""
    header = _repro_header(lang)
    rows = [header, *_repro_cells(rep, lang)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    right = {2, 3, 5}

    def line(r: list[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        return "  ".join(parts).rstrip()

    out = [_t("reproduce.title", lang, title=rep.title, spec=rep.spec), "", line(rows[0])]
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in rows[1:])
    notes = [
        "  " + _t("reproduce.note", lang, id=row["id"], note=_note(str(row["note"]), lang))
        for row in rep.table.iter_rows(named=True)
        if not row["passed"] and row["note"]
    ]
    if notes:
        out += ["", _t("reproduce.notes", lang), *notes]
    out += ["", _repro_summary(rep, lang)]
    return "\n".join(out) + "\n"


def _md(cell: str) -> str:
    """A Markdown table cell: its pipes escaped, on one line."""
    return cell.replace("|", "\\|").replace("\n", " ")


def _format_markdown(rep: Reproduction, lang: str) -> str:
    """``miroir reproduce --format markdown`` in ``lang``."""
    status = "✅" if rep.passed else "❌"
    out = [
        f"### {status} " + _t("reproduce.md_title", lang, title=_md(rep.title)),
        "",
        _t("reproduce.md_summary", lang, summary=_repro_summary(rep, lang), spec=rep.spec),
        "",
        "| | " + " | ".join(_repro_header(lang, "source")[1:]) + " |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for row, cells in zip(rep.table.iter_rows(named=True), _repro_cells(rep, lang)):
        mark = f"✅ {_t('reproduce.md_pass', lang)}" if row["passed"] else f"❌ **{_t('reproduce.md_fail', lang)}**"
        source = row["source"] or ""
        body = [mark, f"`{cells[1]}`", *cells[2:], source]
        out.append("| " + " | ".join(_md(c) for c in body) + " |")
    notes = [
        _t("reproduce.md_note", lang, id=row["id"], note=_md(_note(str(row["note"]), lang)))
        for row in rep.table.iter_rows(named=True)
        if not row["passed"] and row["note"]
    ]
    if notes:
        out += ["", _t("reproduce.notes", lang), "", *notes]
    return "\n".join(out) + "\n"


def _format_json(rep: Reproduction) -> str:
    # NaN and infinities as null; an infinity is said in the row's note
    rows = json_rows(rep.table.iter_rows(named=True), nan_note=False)
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
            f"published: {_given(row, 'published', 'en')}\n"
            f"computed: {_given(row, 'computed', 'en')}\n"
            f"CI: {_interval(row, 'en')}\n"
            f"n: {row['n']}\n"
            f"check: {row['check']}\n"
            f"source: {row['source'] or '-'}\n"
            f"note: {row['note'] or '-'}\n"
        )
        if not row["passed"]:
            message = (
                f"{row['id']}: computed {_given(row, 'computed', 'en')} (CI {_interval(row, 'en')}), published "
                f"{_given(row, 'published', 'en')}; check failed: {row['check']}"
            )
            failure = ET.SubElement(case, "failure", message=message, type="ReproduceFailure")
            failure.text = details
        else:
            out = ET.SubElement(case, "system-out")
            out.text = details
    ET.indent(suites)
    xml = ET.tostring(suites, encoding="unicode")
    # ElementTree writes control characters (a "\u0001" in a spec's label, a NUL in a note)
    # as they are, which no XML parser reads: replace them
    xml = _XML_ILLEGAL.sub("\ufffd", xml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n"


# characters XML 1.0 does not allow, even escaped
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
