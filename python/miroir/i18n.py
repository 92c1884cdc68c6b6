r"""The words and numbers of the client deliverables, in English and French.

Every user-visible text of the Excel workbook and the PowerPoint deck (sheet names, column
headers, section titles, moment names and actions, notes) comes from one message catalogue,
``catalogue.toml`` beside this module: one table per key with an ``en`` and an ``fr`` string,
placeholders in :meth:`str.format` style (``{n}``). Nested tables give dotted keys
(``[moment.win_win.name]`` is the key ``moment.win_win.name``).

Numbers follow the language: English ``1,234.5`` and ``72.1%``; French ``1 234,5`` and
``72,1 %`` with a narrow no-break space (U+202F) as the thousands separator and before the
percent sign (CLDR, and so Babel, puts a plain no-break space U+00A0 before ``%``; we use the
narrow one in both places: one kind of space within a figure). A missing value (None, NaN or an
infinity) is written ``—``. Rounding is half to even on the shortest decimal form of the
float (``2.675`` to two decimals is ``2.68``), as CLDR formatters do. These formatters live with
miroir's other number formatters in ``miroir.results._format`` and are re-exported here.

>>> from miroir.i18n import text, format_number, format_percent, format_p
>>> text("sheet.moments", "fr")
'Moments'
>>> text("note.suppressed", "en", n=5)
'Grey cells: suppressed (fewer than 5 respondents in the group); the value is withheld.'
>>> format_percent(0.7214, "en"), format_percent(0.7214, "fr")
('72.1%', '72,1\u202f%')
>>> format_number(1234567.891, "fr", decimals=2)
'1\u202f234\u202f567,89'
>>> format_p(2e-24, "fr"), format_p(0.0421, "en"), format_number(float("nan"), "en")
('< 0,001', '0.042', '—')
"""

from __future__ import annotations

import string
import sys
from functools import cache
from importlib import resources
from typing import Any

from miroir import _core

# the numbers of every deliverable are formatted by the one module of number formatters
from miroir.results._format import (
    LANGS,
    MISSING,
    P_FLOOR,
    check_lang,
    format_ci,
    format_count,
    format_number,
    format_p,
    format_percent,
    p_phrase,
)
from miroir._frames import invalid_argument

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "format_count",
    "LANGS",
    "MISSING",
    "P_FLOOR",
    "check_lang",
    "format_ci",
    "format_number",
    "format_p",
    "format_percent",
    "has",
    "header",
    "keys",
    "moment_action",
    "moment_name",
    "p_phrase",
    "placeholders",
    "text",
    "value_label",
]

@cache
def _catalogue() -> dict[str, dict[str, str]]:
    raw = tomllib.loads(resources.files("miroir").joinpath("catalogue.toml").read_text("utf-8"))
    out: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        if "en" in table or "fr" in table:
            out[prefix] = {k: str(v) for k, v in table.items()}
            return
        for name, value in table.items():
            if isinstance(value, dict):
                walk(f"{prefix}.{name}" if prefix else name, value)

    walk("", raw)
    # the six moments' names and actions live in the Rust core (analysis/moments.rs), once
    for key, _customer, _employee, texts in _core.moment_taxonomy():
        for field, index in (("name", 1), ("action", 2), ("short_action", 3)):
            out[f"moment.{key}.{field}"] = {t[0]: t[index] for t in texts}
    return out


def keys() -> list[str]:
    """Every key of the catalogue, sorted."""
    return sorted(_catalogue())


def has(key: str) -> bool:
    """Whether the catalogue has ``key``."""
    return key in _catalogue()


def placeholders(message: str) -> set[str]:
    """The ``{name}`` placeholders of a message."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def text(key: str, lang: str = "en", **values: Any) -> str:
    """The message ``key`` in ``lang``, its placeholders filled from ``values``.

    Raises
    ------
    miroir.InvalidArgumentError
        For a language other than ``en``/``fr``, a key not in the catalogue, or a placeholder
        without its value.
    """
    check_lang(lang)
    entry = _catalogue().get(key)
    if entry is None:
        raise invalid_argument(
            "key", f"{key!r} is not in the message catalogue (miroir/catalogue.toml)"
        )
    message = entry[lang]
    try:
        return message.format(**values) if values or "{" in message else message
    except (KeyError, IndexError) as err:
        raise _core.InvalidArgumentError(
            f"message {key!r} needs the value {err.args[0]!r} (it has {sorted(placeholders(message))})"
        ) from None


# --- names of the tables' columns and values ---------------------------------------------------


def header(table: str, column: str, lang: str = "en") -> str:
    """The header of ``column`` in ``table``: ``column.<table>.<column>``, else
    ``column.<column>``, else the column name itself (a column the catalogue does not know)."""
    for key in (f"column.{table}.{column}", f"column.{column}"):
        if has(key):
            return text(key, lang)
    check_lang(lang)
    return column


def value_label(vocabulary: str, value: object, lang: str = "en") -> str:
    """A category value in ``lang`` (``value.<vocabulary>.<value>``: ``pooled`` -> ``ensemble``),
    or the value unchanged when the catalogue does not name it."""
    key = f"value.{vocabulary}.{value}"
    return text(key, lang) if has(key) else str(value)


def moment_name(moment: object, lang: str = "en") -> str:
    """The name of a moment (``win_win`` -> ``Win-win`` / ``Le win win``), or the key itself."""
    key = f"moment.{moment}.name"
    return text(key, lang) if has(key) else str(moment)


def moment_action(moment: object, lang: str = "en", *, short: bool = False) -> str | None:
    """The seed's recommended action for a moment (None for undetermined themes)."""
    key = f"moment.{moment}.{'short_action' if short else 'action'}"
    return text(key, lang) if has(key) else None
