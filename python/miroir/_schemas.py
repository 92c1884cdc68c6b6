"""The schema a study's tables are read with: the argument ``schema=``, the ``schema.toml`` written
beside the tables, and the canonical schema of tables already in the data model's names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from miroir._args import _path_arg
from miroir._core import Schema
from miroir._frames import invalid_argument_type, InvalidArgumentTypeError


def _check_schema(schema: Any) -> None:
    if schema is not None and not isinstance(schema, Schema):
        raise invalid_argument_type(
            "schema", f"expected a miroir.Schema, got {type(schema).__name__}"
        )


SCHEMA_FILE = "schema.toml"
SCHEMA_HEADER = (
    "# Written by miroir (Study.write) beside the tables: the scales and limits they are read "
    "with.\n# load_study(folder) and the miroir commands read it; --schema FILE overrides it.\n"
)


def canonical_schema(schema: Schema) -> Schema:
    """The schema of tables already in the data model's names and values: the scales,
    threshold and suppression sizes of ``schema`` without its column mapping, constants,
    missing codes or engagement items (applied when the tables were validated)."""
    return Schema(
        satisfaction_scale=schema.satisfaction_scale,
        satisfied_threshold=schema.satisfied_threshold,
        min_group_size=schema.min_group_size,
        min_text_group_size=schema.min_text_group_size,
    )


def _schema_arg(schema: Any, folder: Path | None) -> Schema | None:
    """``schema=``: a Schema, a path to a schema TOML file, or None (then ``folder/schema.toml``
    when there is one)."""
    if isinstance(schema, (str, os.PathLike)):
        return Schema.from_toml(_path_arg(schema, "schema"))
    if isinstance(schema, Schema):
        return schema
    _check_schema(schema)
    if folder is not None and (folder / SCHEMA_FILE).is_file():
        return Schema.from_toml(folder / SCHEMA_FILE)
    return None
