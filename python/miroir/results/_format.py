"""The number formatters of miroir, in one place: the result objects' display, the deliverables'
localized numbers, and the reproduce table.

Three styles remain, each kept byte for byte where it is shown (docstring examples, tests and
the golden report check them):

- **display** (``repr`` and ``_repr_html_`` of :mod:`miroir.results`; English only): ``0.85``,
  ``89.3%``, ``<0.001``, ``1,500``; a null reads ``–`` (:data:`NOT_APPLICABLE`, an en dash: the
  value does not apply to the row) and a NaN ``n/a`` (:data:`UNDEFINED`); an infinity ``+inf`` /
  ``-inf``; text where a number is expected is shown as it is. Rounding is Python's, on the
  binary float (``f"{x:.2f}"``).
- **localized** (the HTML, Excel and PowerPoint deliverables, the charts, the headlines and the
  command's output, in English or French: :func:`format_number`, :func:`format_percent`,
  :func:`format_p`, :func:`format_ci`): ``0,85`` and ``72,1 %`` in French; anything missing
  (null, NaN, an infinity) reads ``—`` (:data:`MISSING`, an em dash). Rounding is half to even on
  the shortest decimal form of the float, as CLDR formatters do (``2.675`` to two decimals is
  ``2.68``, where the display style gives ``2.67``).
- **reproduce** (``miroir reproduce``'s table and Markdown: :func:`format_significant`): four
  significant digits as Python writes them (``0.7215``, ``1e-09``), in the language's decimal
  mark; a missing value reads ``-`` (:data:`REPRODUCE_MISSING`).

and one legacy helper, :func:`fmt_number` (re-exported by :mod:`miroir.charts`), whose NaN
reads ``NaN``. Where a formatter serves several places, the text of a missing value is its
parameter (``nan=`` of :func:`_fmt`, :func:`_fmt_int` and :func:`fmt_number`, ``missing=`` of
:func:`format_significant`), defaulting to its style's.

>>> _fmt(float("nan"), 2), format_number(float("nan"), "en"), format_significant(None, "en")
('n/a', '—', '-')
>>> _fmt(2.675, 2), format_number(2.675, "en", 2)
('2.67', '2.68')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import polars as pl

from miroir._frames import invalid_argument


Row = dict[str, Any]

# --- what a missing value reads ----------------------------------------------------------------

# The display (result objects): null because the group is suppressed, null because the column
# does not apply to the row, or NaN (undefined, e.g. r with n < 3).
SUPPRESSED = "suppressed"
NOT_APPLICABLE = "–"
UNDEFINED = "n/a"
#: The deliverables: what a missing value (None, NaN, an infinity) is written as.
MISSING = "—"
#: The reproduce table: a missing number or interval.
REPRODUCE_MISSING = "-"


#: The languages numbers (and the catalogue's messages) are written in.
LANGS: tuple[str, ...] = ("en", "fr")


_NNBSP = "\u202f"
# (thousands separator, decimal mark, space before %)
_SYMBOLS: dict[str, tuple[str, str, str]] = {"en": (",", ".", ""), "fr": (_NNBSP, ",", _NNBSP)}
#: p-values below this are written ``< 0.001``: the display keeps three decimals.
P_FLOOR = 0.001


def check_lang(lang: object) -> str:
    """``lang`` if it is one of :data:`LANGS`, else an ``InvalidArgumentError`` naming it."""
    if not isinstance(lang, str) or lang not in LANGS:
        raise invalid_argument(
            "lang", f"{lang!r} is not a supported language (expected one of "
            f"{', '.join(repr(x) for x in LANGS)})"
        )
    return lang


# --- display style (result objects; English) ------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> float | None:
    """``value`` as a float, or None when it is not a number (a table built by hand may hold
    text where a number is expected: the display shows it as it is rather than failing)."""
    if isinstance(value, (str, bytes)) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _fmt(value: Any, decimals: int, *, signed: bool = False, nan: str = UNDEFINED) -> str:
    """A number rounded to ``decimals``; NaN as ``nan`` (``n/a``), null as ``–``."""
    if value is None:
        return NOT_APPLICABLE
    x = _number(value)
    if x is None:
        return str(value)
    if math.isnan(x):
        return nan
    if math.isinf(x):
        return ("+" if x > 0 and signed else "-" if x < 0 else "") + "inf"
    text = f"{x:+.{decimals}f}" if signed else f"{x:.{decimals}f}"
    # "-0.00" reads as a sign where there is none
    if float(text) == 0.0:
        text = f"{0.0:.{decimals}f}"
    return text


def _auto_decimals(value: Any) -> int:
    """Decimals by magnitude: 1 from 10 up, 2 from 1 up, 3 below (0.729, 7.86, 43.6)."""
    number = _number(value)
    if number is None or math.isnan(number) or math.isinf(number):
        return 2
    x = abs(number)
    return 1 if x >= 10 else 2 if x >= 1 else 3


def _fmt_int(value: Any, *, nan: str = UNDEFINED) -> str:
    """A count with thousands separators (``1,500``); NaN as ``nan`` (``n/a``), null as ``–``."""
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, float):
        if math.isnan(value):
            return nan
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError, OverflowError):
        return str(value)


def _column_total(table: pl.DataFrame, column: str) -> str:
    """The sum of a count column, formatted (``n/a`` when it does not hold numbers)."""
    series = table[column]
    if not series.dtype.is_numeric():
        return UNDEFINED
    return _fmt_int(series.sum())


def _fmt_pct(value: Any, decimals: int = 1, *, signed: bool = False) -> str:
    """A share as a percentage: 0.8925 -> ``89.3%``."""
    number = _number(value)
    if number is None or math.isnan(number):
        return _fmt(value, decimals)
    return _fmt(100.0 * number, decimals, signed=signed) + "%"


def _fmt_p(value: Any) -> str:
    """A p-value: ``<0.001`` below 0.001, else three decimals."""
    p = _number(value)
    if p is None or math.isnan(p):
        return _fmt(value, 3)
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _p_phrase(value: Any) -> str:
    """``p < 0.001`` or ``p = 0.042`` (for headlines)."""
    text = _fmt_p(value)
    return "p < 0.001" if text == "<0.001" else f"p = {text}"


def _with_ci(estimate: str, low: Any, high: Any, fmt: Callable[[Any], str]) -> str:
    """``estimate [low, high]``; the interval is left out when both bounds are null (not
    computed), or when the estimate and both bounds are undefined (NaN)."""
    if low is None and high is None:
        return estimate
    if estimate == UNDEFINED and _missing(low) and _missing(high):
        return estimate
    return f"{estimate} [{fmt(low)}, {fmt(high)}]"


def _ci_label(confidence: Any) -> str:
    """``95% CI`` for 0.95."""
    try:
        level = 100.0 * float(confidence)
    except (TypeError, ValueError):
        level = 95.0
    return f"{level:.1f}".rstrip("0").rstrip(".") + "% CI"


def _fmt_auto(value: Any) -> str:
    return _fmt(value, _auto_decimals(value))


def _fmt_text(value: Any) -> str:
    return NOT_APPLICABLE if value is None else str(value)


def _dec(decimals: int, *, signed: bool = False) -> Callable[[Any], str]:
    """A formatter with fixed decimals."""

    def fmt(value: Any) -> str:
        return _fmt(value, decimals, signed=signed)

    return fmt


def _pp(value: Any) -> str:
    """A difference of shares in percentage points, signed: 0.135 -> ``+13.5``."""
    number = _number(value)
    if number is None or math.isnan(number):
        return _fmt(value, 1)
    return _fmt(100.0 * number, 1, signed=True)


def _pct_signed(value: Any) -> str:
    return _fmt_pct(value, 1, signed=True)


def _pct0(value: Any) -> str:
    return _fmt_pct(value, 0)


_one = _dec(1)
_two = _dec(2)


# --- localized style (deliverables; English or French) ---------------------------------------


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


def _exact_auto_decimals(x: Decimal) -> int:
    """1 decimal from 10 up, 2 from 1 up, 3 below (43.6, 7.86, 0.729); as :func:`_auto_decimals`
    for an exact decimal."""
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
    return _digits(number, _exact_auto_decimals(number) if decimals is None else decimals, lang, signed)


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


# --- reproduce style (miroir reproduce's table and Markdown) -----------------------------------


def localize_decimal(shown: str, lang: str) -> str:
    """A number as Python or the core writes it in English (``0.7215``, ``20``, ``1e-09``) with
    ``lang``'s decimal mark and grouping, its digits kept; as written when it is not a number.

    >>> localize_decimal("0.7215", "fr"), localize_decimal("1e-09", "fr"), localize_decimal("x", "fr")
    ('0,7215', '1e-09', 'x')
    """
    if lang == "en":
        return shown
    mantissa, e, exponent = shown.partition("e")
    try:
        value = float(mantissa)
    except ValueError:
        return shown
    if not math.isfinite(value):
        return shown
    return format_number(value, lang, len(mantissa.partition(".")[2])) + e + exponent


def format_significant(x: Any, lang: str, *, missing: str = REPRODUCE_MISSING) -> str:
    """A number to four significant digits (``f"{x:.4g}"``) in ``lang``; ``missing`` for null
    and NaN.

    >>> format_significant(0.721538, "fr"), format_significant(float("nan"), "en")
    ('0,7215', '-')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    return localize_decimal(f"{x:.4g}", lang)


# --- legacy: miroir.charts.fmt_number ------------------------------------------------------------


def _float(value: object) -> float | None:
    """A finite float, or None for null, NaN and non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    return None


def fmt_number(value: object, digits: int | None = None, *, nan: str = "NaN") -> str:
    """A number for display: ``–`` for null, ``nan`` (``NaN``) for not-a-number, otherwise
    ``digits`` decimals (default: 3 below 10 in absolute value, 2 below 100, else 1)."""
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        if math.isnan(value):
            return nan
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if digits is None:
            a = abs(value)
            if a != 0 and a < 1e-3:
                return f"{value:.2e}"
            digits = 3 if a < 10 else 2 if a < 100 else 1
        return f"{value:.{digits}f}"
    return str(value)


def fmt_ci(low: object, high: object, digits: int | None = None) -> str:
    """A confidence interval as ``[low, high]`` (``–`` when both bounds are missing)."""
    if _float(low) is None and _float(high) is None:
        return NOT_APPLICABLE
    return f"[{fmt_number(low, digits)}, {fmt_number(high, digits)}]"
