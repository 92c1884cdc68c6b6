"""Tables made JSON-safe: NaN and infinities as null, said in the row's note; dates, decimals and bytes written as JSON can hold them."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from miroir.results._format import Row


def json_rows(rows: Iterable[Row], *, nan_note: bool = True) -> list[Row]:
    """Rows made JSON-safe: NaN and infinities become None (JSON has no such numbers, and
    ``json.dumps`` would write the invalid ``NaN``/``Infinity``, or refuse them).

    An infinity is said in the row's ``note`` (``uplift is infinite: +inf, written as null ...``),
    and so is a NaN when the row has no note of its own (with ``nan_note``): a null alone would
    read as "not applicable". When a row gets such a note, every row gets the ``note`` key.
    """
    out: list[Row] = []
    noted = False
    for row in rows:
        clean: Row = {}
        notes: list[str] = []
        for key, value in row.items():
            clean[key], note = _json_value(key, value)
            if note is not None:
                notes.append(note)
        own = row.get("note")
        if own or not nan_note:  # the row's own note says why a value is undefined
            notes = [n for n in notes if not n.endswith(_NAN_NOTE)]
        if notes:
            clean["note"] = "; ".join([str(own), *notes] if own else notes)
            noted = True
        out.append(clean)
    if noted:
        for clean in out:
            clean.setdefault("note", None)
    return out


_NAN_NOTE = " (NaN), written as null"


def _json_value(key: str, value: Any) -> tuple[Any, str | None]:
    """A value made JSON-safe, with the note to add when a number was not finite."""
    if isinstance(value, float):
        if math.isnan(value):
            return None, f"{key} is undefined{_NAN_NOTE}"
        if math.isinf(value):
            sign = "+" if value > 0 else "-"
            return None, f"{key} is infinite: {sign}inf, written as null (JSON has no infinity)"
        return value, None
    if isinstance(value, dict):
        inner = {k: _json_value(f"{key}.{k}", v)[0] for k, v in value.items()}
        return inner, None
    if isinstance(value, (list, tuple)):
        return [_json_value(key, v)[0] for v in value], None
    return value, None


def _json_default(value: Any) -> Any:
    """What ``json.dumps`` cannot write by itself: dates as ISO text, decimals as numbers (or
    null when not finite), bytes as hex, anything else as its text."""
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        number = float(value)  # a finite Decimal beyond the float range becomes inf
        return number if math.isfinite(number) else None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return str(value)
