"""Valence of customer comments from their text: lexicon scores per text and per clause
(Rust: src/text/sentiment.rs).

Customers answer an open ``comment`` question, and its valence (enchantment or irritation) has
to come from the words; employees' valence never does, it comes from the question they answered
(see :mod:`miroir.text.codebook`). Two published lexicon scorers are reimplemented in Rust and
agree with their reference packages to 1e-12:

- **English**: VADER (Hutto & Gilbert 2014; package ``vaderSentiment`` 3.3.2, MIT lexicon):
  lexicon valences raised by boosters (``very``, ``extremely``; ``slightly`` lowers), by
  capitals and by ``!`` / ``?``, multiplied by -0.74 after a negation within three words
  (``not``, ``never``, ``n't``, ``no``...), by 0.5 before the first ``but`` and 1.5 after it;
  ``score`` is the compound ``s / sqrt(s² + 15)`` of their sum ``s``; ``positive``,
  ``negative``, ``neutral`` are VADER's shares of the text (they sum to 1). Emojis count
  through their descriptions.
- **French**: pattern (De Smedt & Daelemans 2012; the ``PatternAnalyzer`` of ``textblob-fr``
  0.2.0, PDDL lexicon of 5,000 adjectives): the mean polarity of the lexicon words, an adverb
  (``très``, ``trop``, ``vraiment``) multiplying the next one's by its intensity, a negation
  (``ne``, ``pas``, ``sans``, ``jamais``...) turning ``p`` into ``-0.5 p``, ``!`` into
  ``1.25 p``. miroir adds VADER's contrast rule: before the first ``mais`` (``cependant``,
  ``pourtant``, ``toutefois``, ``néanmoins``) a word weighs 0.5, after it 1.5. The shares are
  null: pattern has none.

``valence`` is ``positive`` when ``score >= threshold``, ``negative`` when ``score <=
-threshold``, ``neutral`` in between; the default threshold is 0.05 in English (the VADER
authors' recommended cut) and 0.1 in French (pattern's threshold for a positive text).

:func:`clauses` cuts each text into clauses, where a sentence ends (``.`` ``;`` ``!`` ``?``
``…``, a line break) and before a contrast word (``mais``, ``cependant``, ``pourtant``,
``toutefois``, ``néanmoins``, ``sinon``, ``but``, ``however``, ``although``, ``though``,
``yet``, ``whereas``), and scores each clause on its own: "accueil très agréable mais attente
interminable" is a positive clause and a negative one. Spans are character offsets
``[span_start, span_end)`` into the raw text, the clauses of a text partition it (trailing
punctuation belongs to the clause it ends), and :func:`miroir.text.code` gives each customer
comment's mention the valence of the clause its match is in.

Bad input: a missing, empty or blank text, or one holding control characters (other than tabs
and line breaks: the mark of a mis-decoded export), is not scored: its ``score`` and ``valence``
are null and ``skipped`` says why (``"empty"``, ``"control characters"``); every text keeps
its row. A language other than ``fr`` / ``en`` or a text that is not a string is an
:class:`miroir.InvalidArgumentError` naming the argument and the row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, invalid_argument_type, InvalidArgumentTypeError, to_label_series

__all__ = ["clauses", "sentiment"]

_LANGUAGES = ("fr", "en")


def _texts(texts: Any) -> pl.Series:
    """The texts as a String series; anything else is a typed error naming the row."""
    if isinstance(texts, (str, bytes)):
        raise invalid_argument_type(
            "texts", f"expected a sequence of texts (a list, a polars or pandas "
            f"Series), got {type(texts).__name__}; wrap a single text in a list"
        )
    if isinstance(texts, (list, tuple)):
        values: list[str | None] = []
        for row, t in enumerate(texts):
            if t is None or (isinstance(t, float) and math.isnan(t)):
                values.append(None)
            elif isinstance(t, str):
                values.append(t)
            else:
                raise invalid_argument_type(
                    "texts", f"row {row}: expected a text or None, got {type(t).__name__}"
                )
        s = _series(values)
    elif isinstance(texts, Sequence) and not isinstance(texts, pl.Series):
        return _texts(list(texts))
    else:
        s = to_label_series(texts, "texts")
    if s.dtype in (pl.Categorical, pl.Enum):
        s = s.cast(pl.String)
    if s.dtype == pl.Null:
        s = s.cast(pl.String)
    if s.dtype != pl.String:
        raise invalid_argument_type("texts", f"expected text, got a column of {s.dtype}")
    return s.rename("text")


def _series(values: list[str | None]) -> pl.Series:
    try:
        return pl.Series("text", values, dtype=pl.String)
    except UnicodeEncodeError:
        for row, t in enumerate(values):
            try:
                (t or "").encode("utf-8")
            except UnicodeEncodeError as e:
                raise invalid_argument(
                    "texts", f"row {row}: not valid Unicode text ({e.reason} at "
                    f"character {e.start})"
                ) from None
        raise  # pragma: no cover - the loop finds the row


def _languages(language: Any, n: int) -> pl.Series | None:
    """None (detect each), one language for all, or one per text (null: detected)."""
    if language is None:
        return None
    if isinstance(language, str):
        code = language.strip().lower()
        if code not in _LANGUAGES:
            raise invalid_argument(
                "language", f"expected 'fr', 'en' or None, got {language!r}"
            )
        return pl.Series("language", [code] * n, dtype=pl.String)
    s = to_label_series(language, "language")
    if s.dtype not in (pl.String, pl.Null, pl.Categorical, pl.Enum):
        raise invalid_argument_type(
            "language", f"expected 'fr', 'en' or None per text, got a column of {s.dtype}"
        )
    if s.len() != n:
        raise invalid_argument("language", f"{s.len()} languages for {n} texts")
    # annotated: polars types `cast` as returning `typing.Self` (Any on Python 3.10)
    codes: pl.Series = s.cast(pl.String)
    return codes


def _threshold(threshold: Any) -> float | None:
    if threshold is None:
        return None
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise invalid_argument_type(
            "threshold", f"expected a number in [0, 1), got {type(threshold).__name__}"
        )
    return float(threshold)


def sentiment(texts: Any, language: Any = None, *, threshold: float | None = None) -> pl.DataFrame:
    """The valence of each text, one row per text in input order (see the module documentation
    for the scorers).

    Parameters
    ----------
    texts
        A list of strings (None for a missing text), a polars or pandas Series.
    language
        ``"fr"`` or ``"en"`` for every text; a sequence (or Series) of them, one per text; or
        None (the default): detected per text from its function words, French when nothing
        tells (as :func:`miroir.text.code` does).
    threshold
        Half-width of the neutral band, in [0, 1); None: 0.05 in English, 0.1 in French.

    Returns
    -------
    polars.DataFrame
        ``text``, ``score`` (in [-1, 1]), ``valence`` (``positive`` / ``negative`` /
        ``neutral``), ``positive``, ``negative``, ``neutral`` (VADER's shares, English only),
        ``language``, ``skipped`` (null, or why the text has no score: ``"empty"``,
        ``"control characters"``).

    Raises
    ------
    InvalidArgumentError
        A text that is not a string, an unknown language, a threshold outside [0, 1) (the
        message names the argument and the row).

    Examples
    --------
    >>> import polars as pl
    >>> from miroir.text.sentiment import sentiment
    >>> s = sentiment([
    ...     "Accueil très agréable, conseillère parfaite !",
    ...     "Attente interminable, personnel désagréable.",
    ...     "The staff were friendly but the wait was awful",
    ...     "   ",
    ... ])
    >>> s.select("score", "valence", "language", "skipped").with_columns(pl.col("score").round(4))
    shape: (4, 4)
    ┌─────────┬──────────┬──────────┬─────────┐
    │ score   ┆ valence  ┆ language ┆ skipped │
    │ ---     ┆ ---      ┆ ---      ┆ ---     │
    │ f64     ┆ str      ┆ str      ┆ str     │
    ╞═════════╪══════════╪══════════╪═════════╡
    │ 1.0     ┆ positive ┆ fr       ┆ null    │
    │ -0.3167 ┆ negative ┆ fr       ┆ null    │
    │ -0.4404 ┆ negative ┆ en       ┆ null    │
    │ null    ┆ null     ┆ null     ┆ empty   │
    └─────────┴──────────┴──────────┴─────────┘
    """
    s = _texts(texts)
    out = _core.text_sentiment(s, _languages(language, s.len()), _threshold(threshold))
    return out.insert_column(0, s)


def clauses(texts: Any, language: Any = None, *, threshold: float | None = None) -> pl.DataFrame:
    """The clauses of each text, scored one by one (arguments as :func:`sentiment`).

    A clause ends where a sentence ends (``.`` ``;`` ``!`` ``?`` ``…``, a line break) and before
    a contrast word (``mais``, ``cependant``, ``pourtant``, ``toutefois``, ``néanmoins``,
    ``sinon``, ``but``, ``however``, ``although``, ``though``, ``yet``, ``whereas``); it runs
    from its first word to the next clause's, so the clauses of a text partition it.

    Returns
    -------
    polars.DataFrame
        One row per clause: ``row`` (index of the text), ``clause`` (0, 1, ... within the
        text), ``span_start``, ``span_end`` (character offsets in the text: ``text[span_start:
        span_end]``), ``text`` (the clause), ``score``, ``valence``, ``language``. Texts that
        :func:`sentiment` skips have no clause.

    Examples
    --------
    >>> from miroir.text.sentiment import clauses
    >>> c = clauses(["accueil très agréable mais attente interminable"])
    >>> c.select("clause", "span_start", "span_end", "text", "score", "valence")
    shape: (2, 6)
    ┌────────┬────────────┬──────────┬───────────────────────────┬───────┬──────────┐
    │ clause ┆ span_start ┆ span_end ┆ text                      ┆ score ┆ valence  │
    │ ---    ┆ ---        ┆ ---      ┆ ---                       ┆ ---   ┆ ---      │
    │ u32    ┆ u64        ┆ u64      ┆ str                       ┆ f64   ┆ str      │
    ╞════════╪════════════╪══════════╪═══════════════════════════╪═══════╪══════════╡
    │ 0      ┆ 0          ┆ 22       ┆ accueil très agréable     ┆ 1.0   ┆ positive │
    │ 1      ┆ 22         ┆ 47       ┆ mais attente interminable ┆ -0.5  ┆ negative │
    └────────┴────────────┴──────────┴───────────────────────────┴───────┴──────────┘
    """
    s = _texts(texts)
    return _core.text_clauses(s, _languages(language, s.len()), _threshold(threshold))
