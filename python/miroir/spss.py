"""Reading SPSS exports (``.sav``, ``.zsav``, ``.por``) with pyreadstat.

An institute's SPSS file is a survey table with its codebook: value labels (1 = "oui",
2 = "non") and *user-defined missing values* (9 = "ne sait pas", 99 = "refus") that are numbers
in the file but must not enter a mean. :func:`read_spss` reads the table as a polars DataFrame:

- user-defined missing values become nulls, and how many there were is counted per column
  (``SpssInfo.missing``): the file is read with the missing values as they are, then they are
  nulled, so the count is exact. SPSS' system-missing values are nulls too, not counted;
- blank text values (SPSS has no missing text, only blank strings) become nulls;
- the key columns (study, unit, the ids) are read as text: a numeric id 7 becomes ``"7"``,
  a text id ``"0001"`` stays ``"0001"``;
- the value labels are in ``SpssInfo.value_labels``; with ``value_labels=True`` labelled columns
  are returned as their labels (text).

pyreadstat is an optional dependency: ``pip install miroir[spss]``.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from miroir import _core

PathLike = str | os.PathLike[str]

#: The file extensions read as SPSS.
SPSS_EXTENSIONS = (".sav", ".zsav", ".por")

#: The key columns of each table, read as text (the canonical names; a schema adds the names a
#: client's export gives them).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "employees": ("study", "unit", "employee_id"),
    "customers": ("study", "unit", "customer_id"),
    "mentions": ("study", "respondent_id"),
}

_TABLES = ("employees", "customers", "mentions")


@dataclass(frozen=True)
class SpssInfo:
    """What an SPSS file said besides its values.

    Attributes
    ----------
    path : pathlib.Path
        The file read.
    missing : dict[str, int]
        Per column with user-defined missing values declared, how many cells held one (now
        nulls). Empty for a ``.por`` file, whose reader delivers them as nulls already.
    value_labels : dict[str, dict[int | float | str, str]]
        Per labelled column, its codes and their labels (whole-number codes as ``int``).
    column_labels : dict[str, str]
        Per column with a label, the question's wording.
    """

    path: Path
    missing: dict[str, int] = field(default_factory=dict)
    value_labels: dict[str, dict[int | float | str, str]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)


class SpssFrames(NamedTuple):
    """The tables of :func:`load_frames_with_spss`: SPSS files read into frames, other inputs
    as they were given, and the :class:`SpssInfo` of each table read from SPSS."""

    employees: pl.DataFrame | Path
    customers: pl.DataFrame | Path
    mentions: pl.DataFrame | Path | None
    info: dict[str, SpssInfo]


def is_spss(path: Any) -> bool:
    """Whether ``path`` (str or os.PathLike) names an SPSS file, by its extension."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    return isinstance(path, str) and Path(path).suffix.lower() in SPSS_EXTENSIONS


def _pyreadstat() -> Any:
    try:
        return importlib.import_module("pyreadstat")
    except ImportError:
        raise _core.FileError(
            "reading SPSS files (.sav, .zsav, .por) needs pyreadstat: pip install miroir[spss]"
        ) from None


def read_spss(
    path: PathLike,
    *,
    value_labels: bool = False,
    text_columns: Iterable[str] | None = None,
) -> tuple[pl.DataFrame, SpssInfo]:
    """Read an SPSS file (``.sav``, ``.zsav`` or ``.por``) as a polars DataFrame.

    Parameters
    ----------
    path : str or path
    value_labels : bool
        Return the columns that have value labels as their labels (text); a code without a label
        is kept as its number written as text (``5``). By default the codes are returned.
    text_columns : iterable of str, optional
        Columns read as text (numbers written without decimals when whole: 7.0 → ``"7"``).
        Default: every key column of the data model (study, unit, employee_id, customer_id,
        respondent_id) present in the file.

    Returns
    -------
    (polars.DataFrame, SpssInfo)

    Raises
    ------
    FileError
        pyreadstat is not installed, the file is missing, is not an SPSS file or is corrupt.
    """
    file = Path(os.fspath(path))
    ext = file.suffix.lower()
    if ext not in SPSS_EXTENSIONS:
        raise _core.FileError(f"{file}: not an SPSS file (use .sav, .zsav or .por)")
    reader = _pyreadstat()
    if not file.exists():
        raise _core.FileError(f"{file}: no such file")
    if not file.is_file():
        raise _core.FileError(f"{file}: is a folder, not a file")
    try:
        if ext == ".por":
            frame, meta = reader.read_por(str(file), output_format="polars")
        else:
            frame, meta = reader.read_sav(str(file), user_missing=True, output_format="polars")
    except Exception as e:  # pyreadstat raises ReadstatError, PyreadstatError, OSError, ...
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise _core.FileError(
            f"{file}: cannot read SPSS: the file is corrupt or not an SPSS {ext} file ({reason})"
        ) from None
    if not isinstance(frame, pl.DataFrame):  # an older pyreadstat ignores output_format
        frame = pl.from_pandas(frame)

    missing: dict[str, int] = {}
    ranges: Mapping[str, list[dict[str, Any]]] = getattr(meta, "missing_ranges", None) or {}
    for column, spans in ranges.items():
        if column not in frame.columns or not spans:
            continue
        hit = _missing_mask(frame[column], spans)
        missing[column] = int(hit.sum())
        frame = frame.with_columns(
            pl.when(hit).then(None).otherwise(pl.col(column)).alias(column)
        )
    # SPSS has no missing text, only blank strings: a blank answer is a missing one.
    blank = [c for c, t in frame.schema.items() if t == pl.String]
    if blank:
        frame = frame.with_columns(
            pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
            for c in blank
        )

    labels = {
        column: {_code(code): str(label) for code, label in codes.items()}
        for column, codes in (getattr(meta, "variable_value_labels", None) or {}).items()
        if column in frame.columns
    }
    if value_labels:
        frame = frame.with_columns(
            _labelled(frame[column], codes).alias(column) for column, codes in labels.items()
        )

    keys = set(text_columns) if text_columns is not None else {
        k for ks in KEY_COLUMNS.values() for k in ks
    }
    frame = frame.with_columns(
        _as_text(frame[c]).alias(c) for c in frame.columns if c in keys
    )
    column_labels = {
        name: label
        for name, label in zip(meta.column_names, meta.column_labels or [])
        if label
    }
    info = SpssInfo(path=file, missing=missing, value_labels=labels, column_labels=column_labels)
    return frame, info


def _missing_mask(s: pl.Series, spans: list[dict[str, Any]]) -> pl.Series:
    """Where ``s`` holds one of the declared missing values (discrete values or lo–hi ranges)."""
    hit = pl.Series(s.name, [False] * s.len(), dtype=pl.Boolean)
    for span in spans:
        lo, hi = span.get("lo"), span.get("hi")
        if s.dtype == pl.String:
            values = {str(v) for v in (lo, hi) if v is not None}
            hit = hit | s.is_in(list(values)).fill_null(False)
        elif s.dtype.is_numeric():
            hit = hit | ((s >= lo) & (s <= hi)).fill_null(False)
    return hit


def _code(code: Any) -> int | float | str:
    """A value-label code, whole numbers as int (1.0 → 1)."""
    if isinstance(code, float) and math.isfinite(code) and code.is_integer():
        return int(code)
    return code  # type: ignore[no-any-return]


def _number_text(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and x.is_integer() and abs(x) < 1e15 else repr(x)


def _labelled(s: pl.Series, codes: Mapping[int | float | str, str]) -> pl.Series:
    """A coded column as its labels; a code without a label as its number written as text."""
    out: list[str | None] = []
    for v in s.to_list():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            key = _code(v)
            label = codes.get(key)
            out.append(label if label is not None else (_number_text(v) if isinstance(v, float) else str(v)))
    return pl.Series(s.name, out, dtype=pl.String)


def _as_text(s: pl.Series) -> pl.Series:
    """A key column as text: numbers without decimals when whole (7.0 → "7"), NaN as null."""
    if s.dtype == pl.String:
        return s
    if s.dtype.is_float():
        return pl.Series(
            s.name,
            [None if v is None or math.isnan(v) else _number_text(v) for v in s.to_list()],
            dtype=pl.String,
        )
    text: pl.Series = s.cast(pl.String)
    return text


def key_columns(table: str, schema: Any = None) -> list[str]:
    """The names a file gives the key columns of ``table`` under ``schema``: the canonical names
    (unless the schema maps another column onto them) and the client names mapped onto them."""
    keys = KEY_COLUMNS[table]
    mapping: dict[str, str] = {} if schema is None else dict(schema.columns.get(table, {}))
    names = [k for k in keys if not any(t == k and s != k for s, t in mapping.items())]
    names += [s for s, t in mapping.items() if t in keys and s not in names]
    return names


def spss_table_paths(folder: PathLike) -> dict[str, Path]:
    """The SPSS files of a study folder: ``employees.sav`` (or ``.zsav``, ``.por``, whatever the
    case of the name), ``customers.*``, ``mentions.*``, by table; tables without one are absent.

    Raises
    ------
    FileError
        The folder cannot be listed, or it holds two SPSS files for one table.
    """
    root = Path(os.fspath(folder))
    try:
        entries = sorted(p for p in root.iterdir() if p.is_file())
    except OSError as e:
        raise _core.FileError(f"{root}: cannot list the folder: {e.strerror or e}") from None
    found: dict[str, Path] = {}
    for table in _TABLES:
        hits = [
            p for p in entries
            if p.stem.lower() == table and p.suffix.lower() in SPSS_EXTENSIONS
        ]
        if len(hits) > 1:
            names = ", ".join(p.name for p in hits)
            raise _core.FileError(
                f"{root}: {len(hits)} files for the {table} table ({names}): keep one, miroir "
                "will not guess which to read"
            )
        if hits:
            found[table] = hits[0]
    return found


def load_frames_with_spss(
    employees: Any,
    customers: Any,
    mentions: Any = None,
    schema: Any = None,
    *,
    value_labels: bool = False,
) -> SpssFrames:
    """Read the SPSS files among a study's inputs into frames, the others left as they are.

    Each of ``employees``, ``customers``, ``mentions`` may be a path or a DataFrame: a path to
    an SPSS file (``.sav``, ``.zsav``, ``.por``) is read with :func:`read_spss`, its key columns
    (by the names the file gives them under ``schema``) as text; anything else is returned
    unchanged (a non-SPSS path as a :class:`pathlib.Path`). Pass the frames to
    :class:`miroir.Study` with the same ``schema``; a non-SPSS path can be read with
    ``miroir._core.read_table(path)``: ``frames = load_frames_with_spss("employees.sav",
    "customers.sav", None, schema)``, then ``miroir.Study(frames.employees, frames.customers,
    frames.mentions, schema)``; ``frames.info["employees"].missing`` counts the user-defined
    missing values nulled.
    """
    info: dict[str, SpssInfo] = {}
    out: list[Any] = []
    for table, given in zip(_TABLES, (employees, customers, mentions)):
        if given is not None and is_spss(given):
            frame, about = read_spss(
                given, value_labels=value_labels, text_columns=key_columns(table, schema)
            )
            info[table] = about
            out.append(frame)
        elif isinstance(given, (str, os.PathLike)):
            out.append(Path(os.fspath(given)))
        else:
            out.append(given)
    return SpssFrames(out[0], out[1], out[2], info)


__all__ = [
    "SPSS_EXTENSIONS",
    "SpssFrames",
    "SpssInfo",
    "is_spss",
    "key_columns",
    "load_frames_with_spss",
    "read_spss",
    "spss_table_paths",
]
