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
float (``2.675`` to two decimals is ``2.68``), as CLDR formatters do.

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

import math
import string
import sys
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import cache
from importlib import resources
from typing import Any

from miroir import _core

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

#: The languages of the catalogue.
LANGS: tuple[str, ...] = ("en", "fr")
#: What a missing value (None, NaN, an infinity) is written as.
MISSING = "—"

_NNBSP = "\u202f"
# (thousands separator, decimal mark, space before %)
_SYMBOLS: dict[str, tuple[str, str, str]] = {"en": (",", ".", ""), "fr": (_NNBSP, ",", _NNBSP)}
#: p-values below this are written ``< 0.001``: the display keeps three decimals.
P_FLOOR = 0.001


def check_lang(lang: object) -> str:
    """``lang`` if it is one of :data:`LANGS`, else an ``InvalidArgumentError`` naming it."""
    if not isinstance(lang, str) or lang not in LANGS:
        raise _core.InvalidArgumentError(
            f"invalid argument 'lang': {lang!r} is not a supported language (expected one of "
            f"{', '.join(repr(x) for x in LANGS)})"
        )
    return lang


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
        raise _core.InvalidArgumentError(
            f"invalid argument 'key': {key!r} is not in the message catalogue (miroir/catalogue.toml)"
        )
    message = entry[lang]
    try:
        return message.format(**values) if values or "{" in message else message
    except (KeyError, IndexError) as err:
        raise _core.InvalidArgumentError(
            f"message {key!r} needs the value {err.args[0]!r} (it has {sorted(placeholders(message))})"
        ) from None


# --- numbers -------------------------------------------------------------------------------


def _finite(x: object) -> Decimal | None:
    """``x`` as an exact decimal of its shortest repr (as Babel reads a float), None when it is
    missing or not finite."""
    if x is None or isinstance(x, (str, bytes, bool)):
        return None
    try:
        number = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return Decimal(repr(number)) if math.isfinite(number) else None


def _auto_decimals(x: Decimal) -> int:
    """1 decimal from 10 up, 2 from 1 up, 3 below (43.6, 7.86, 0.729)."""
    a = abs(x)
    return 1 if a >= 10 else 2 if a >= 1 else 3


# Rounding half to even on the decimal digits, as CLDR formatters (Babel, ICU) do.
_CONTEXT = Context(prec=1_000, rounding=ROUND_HALF_EVEN)


def _digits(x: Decimal, decimals: int, lang: str, signed: bool) -> str:
    group, point, _ = _SYMBOLS[lang]
    rounded = x.quantize(Decimal(1).scaleb(-max(decimals, 0)), context=_CONTEXT)
    body = format(abs(rounded), ",f").replace(",", "\x00").replace(".", point).replace("\x00", group)
    # "-0.0" reads as a sign where there is none
    sign = "" if rounded == 0 else "-" if rounded < 0 else "+" if signed else ""
    return sign + body


def format_count(n: object, lang: str = "en") -> str:
    """A count as the terminal output writes it: ungrouped in English (``20000``), grouped in
    French (``20 000``); anything but an int as ``str`` gives it.

    >>> format_count(20000, "en"), format_count(20000, "fr") == "20" + _NNBSP + "000"
    ('20000', True)
    """
    if lang == "en" or not isinstance(n, int):
        return str(n)
    return format_number(n, lang, 0)


def format_number(x: object, lang: str = "en", decimals: int | None = None, *,
                  signed: bool = False) -> str:
    """A number in ``lang``: ``1,234.57`` / ``1 234,57`` (missing: ``—``).

    ``decimals=None`` picks them by magnitude (1 from 10 up, 2 from 1 up, 3 below); ``signed``
    writes ``+`` before a positive number.
    """
    check_lang(lang)
    number = _finite(x)
    if number is None:
        return MISSING
    return _digits(number, _auto_decimals(number) if decimals is None else decimals, lang, signed)


def format_percent(share: object, lang: str = "en", decimals: int = 1, *, signed: bool = False) -> str:
    """A share as a percentage: 0.7214 -> ``72.1%`` / ``72,1 %`` (missing: ``—``)."""
    check_lang(lang)
    number = _finite(share)
    if number is None:
        return MISSING
    return _digits(_CONTEXT.multiply(number, Decimal(100)), decimals, lang, signed) + _SYMBOLS[lang][2] + "%"


def format_p(p: object, lang: str = "en") -> str:
    """A p-value to three decimals, ``< 0.001`` / ``< 0,001`` below that (missing: ``—``)."""
    check_lang(lang)
    number = _finite(p)
    if number is None:
        return MISSING
    if number < Decimal(repr(P_FLOOR)):
        return "< " + _digits(Decimal(repr(P_FLOOR)), 3, lang, False)
    return _digits(min(number, Decimal(1)), 3, lang, False)


def p_phrase(p: object, lang: str = "en") -> str:
    """``p < 0.001`` or ``p = 0.042`` (for sentences)."""
    shown = format_p(p, lang)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


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


def format_ci(low: object, high: object, lang: str = "en", decimals: int | None = None, *,
              percent: bool = False) -> str:
    """A confidence interval: ``[0.76, 0.90]`` / ``[0,76 ; 0,90]`` (the French comma is the
    decimal mark, so the bounds are separated by `` ; ``); ``—`` when both bounds are missing.

    >>> format_ci(0.7612, 0.9034, "fr", 2), format_ci(None, float("nan"), "en")
    ('[0,76 ; 0,90]', '—')
    >>> format_ci(0.7, 0.75, "en", percent=True)
    '[70.0%, 75.0%]'
    """
    check_lang(lang)
    if _finite(low) is None and _finite(high) is None:
        return MISSING
    if percent:
        lo, hi = (format_percent(v, lang, 1 if decimals is None else decimals) for v in (low, high))
    else:
        lo, hi = (format_number(v, lang, decimals) for v in (low, high))
    return f"[{lo}{' ; ' if lang == 'fr' else ', '}{hi}]"
