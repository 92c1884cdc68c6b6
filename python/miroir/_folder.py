"""A study's folder: the files :meth:`miroir.Study.write` writes (each through a temporary file
renamed over its target) and :func:`miroir.load_study` reads back, and ``schema.toml``, the scales
and limits the tables are read with."""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from miroir import _core
from miroir._args import _path_arg
from miroir._core import Schema
from miroir._frames import invalid_argument, invalid_argument_type, InvalidArgumentTypeError
from miroir._schemas import SCHEMA_FILE, SCHEMA_HEADER, canonical_schema
from miroir._study_base import StudyBase, summary_total

#: How a refusal to overwrite tells the caller to insist: the argument of `Study.write` by default;
#: the CLI sets its flag (`--overwrite`) while it writes, so the message needs no rewriting.
OVERWRITE: contextvars.ContextVar[str] = contextvars.ContextVar("overwrite", default="overwrite=True")

_TABLES = ("employees", "customers", "mentions", "verbatims")
_FORMATS = ("parquet", "csv")


def _optional_file(folder: Path, table: str) -> Path | None:
    """The folder's ``units.*`` or ``verbatims.*`` table, if any (one only)."""
    found = sorted(p for p in folder.glob(f"{table}.*")
                   if p.suffix.lower() in (".parquet", ".csv", ".txt", ".tsv", ".xlsx", ".xls", ".sav", ".zsav", ".por"))
    if len(found) > 1:
        raise _core.FileError(
            f"{folder}: several {table} tables ({', '.join(p.name for p in found)}): keep one"
        )
    return found[0] if found else None


def _read_verbatims(path: Path, schema: Schema | None) -> pl.DataFrame:
    """A verbatims table with its keys as text, the answers as written (the schema's mapping,
    constants and recodes are applied at validation)."""
    from miroir import spss

    if spss.is_spss(path):
        return spss.read_spss(path, value_labels=True, text_columns=("study", "respondent_id"))[0]
    return _core.read_table_for(path, "verbatims", schema)


def _read_units(path: Path) -> pl.DataFrame:
    """A units table with its keys as text (``"007"`` stays ``"007"``), read like a respondent
    table (the employees' key columns ``study`` and ``unit`` are its keys too)."""
    from miroir import spss

    if spss.is_spss(path):
        return spss.read_spss(path, value_labels=True, text_columns=("study", "unit"))[0]
    return _core.read_table_for(path, "employees")


def write_study(study: StudyBase, folder: Any, format: str, overwrite: bool) -> Path:
    """The work of :meth:`miroir.Study.write` (see there): ``study``'s tables and ``schema.toml``
    written to ``folder``."""
    if not isinstance(format, str) or format not in ("parquet", "csv"):
        raise invalid_argument(
            "format", f"expected 'parquet' or 'csv', got {format!r}"
        )
    if not isinstance(overwrite, bool):
        raise invalid_argument_type(
            "overwrite", f"expected True or False, got "
            f"{type(overwrite).__name__}"
        )
    out = _path_arg(folder, "folder")
    if out.exists() and not out.is_dir():
        raise _core.FileError(f"{out}: not a folder (a file of that name exists)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _core.FileError(f"{out}: cannot create the folder: {_os_reason(e)}") from None
    # from the summary: `study.mentions` would read a streamed study's file back twice
    summary = study.summary()
    if "mentions" in summary.columns:
        has_mentions = summary_total(summary, "mentions") > 0
    else:  # pragma: no cover - the summary has the column
        has_mentions = study.mentions is not None
    names = ["employees", "customers"] + (["mentions"] if has_mentions else [])
    if study._verbatims is not None:
        names.append("verbatims")
    if format == "csv" and not study.streamed:  # before any file is written
        for name in names:
            df = getattr(study, name)
            if df is not None:
                _check_csv_columns(df, name)
    stale = _check_targets(out, format, names, overwrite)
    schema_file = out / SCHEMA_FILE
    if schema_file.exists() and not overwrite:
        raise _core.FileError(
            f"{schema_file}: the file exists; pass {OVERWRITE.get()} to replace it, or write to "
            "another folder"
        )
    for path in stale:
        try:
            path.unlink()
        except OSError as e:
            raise _core.FileError(f"{path}: cannot remove it: {_os_reason(e)}") from None
    for name in names:
        df = getattr(study, name)
        if df is None:  # a streamed study without mentions
            continue
        _write_table(df, out / f"{name}.{format}", name, format)
    _write_text(canonical_schema(study.schema).to_toml(), schema_file, SCHEMA_HEADER)
    return out


def _write_text(text: str, target: Path, header: str = "") -> None:
    """Write a small text file through a temporary file renamed over ``target``."""
    with _replacing(target) as tmp:
        try:
            tmp.write_text(header + text, encoding="utf-8")
        except OSError as e:
            raise _core.FileError(f"{target}: cannot write the file: {_os_reason(e)}") from None


@contextlib.contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed over it when the block succeeds and removed
    in any case, so that a reader never sees a half-written file."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except OSError as e:
            raise _core.FileError(f"{target}: cannot write the file: {_os_reason(e)}") from None
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


def _os_reason(e: OSError) -> str:
    return e.strerror or str(e)


def _check_targets(out: Path, format: str, names: list[str], overwrite: bool) -> list[Path]:
    """Refuse to write into ``out`` when that would leave it ambiguous or replace files without
    ``overwrite``; return the files to remove first (with ``overwrite``: a stale ``mentions``
    file, or a target spelt with other capitals, which a case-insensitive file system or
    reader would take for the target)."""
    try:
        entries = {entry.name.lower(): entry for entry in out.iterdir()}
    except OSError as e:
        raise _core.FileError(f"{out}: cannot list the folder: {_os_reason(e)}") from None
    remove: list[Path] = []
    for table in _TABLES:
        for other in _FORMATS:
            if other == format:
                continue
            clash = entries.get(f"{table}.{other}")
            if clash is not None:
                raise _core.FileError(
                    f"{clash}: a {other} file of table '{table}' is in the folder, where "
                    f"{table}.{format} would be written: the folder would hold two versions "
                    "of the table; remove it or write to another folder"
                )
        target = out / f"{table}.{format}"
        existing = entries.get(target.name)
        if existing is None:
            continue
        if existing.is_dir():
            raise _core.FileError(f"{existing}: a folder is in the way of {target.name}")
        if not overwrite:
            if table not in names:
                raise _core.FileError(
                    f"{existing}: the study has no {table}, but load_study would read this "
                    f"file with it (pass {OVERWRITE.get()} to remove it)"
                )
            raise _core.FileError(
                f"{existing}: the file exists (pass {OVERWRITE.get()} to replace it)"
            )
        if table not in names or existing.name != target.name:
            remove.append(existing)
    return remove


def _check_csv_columns(df: pl.DataFrame, name: str) -> None:
    """Refuse columns CSV cannot hold (lists, arrays, structs), naming the first."""
    for column, dtype in df.schema.items():
        if dtype.is_nested():
            raise _core.DtypeError(
                f"table '{name}', column '{column}': nested values ({dtype}) cannot be written "
                "as CSV; write Parquet, or convert or drop the column"
            )


def _write_table(df: pl.DataFrame, target: Path, name: str, format: str) -> None:
    """Write ``df`` to a temporary file beside ``target``, then rename it over ``target``."""
    if format == "csv":
        _check_csv_columns(df, name)
    with _replacing(target) as tmp:
        try:
            if format == "parquet":
                df.write_parquet(tmp)
            else:
                df.write_csv(tmp)
        except OSError as e:
            raise _core.FileError(f"{target}: cannot write the file: {_os_reason(e)}") from None
        except pl.exceptions.PolarsError as e:
            raise _core.DtypeError(
                f"table '{name}': cannot be written as {format}: {' '.join(str(e).split())}"
            ) from None
