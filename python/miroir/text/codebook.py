"""Verbatim coding: raw answers to open questions turned into theme mentions (Rust: src/text).

A :class:`Codebook` lists themes with French and English patterns; :func:`code` finds them in a
**verbatims** table (``study, side, respondent_id, question, text`` and optionally ``language``)
and returns the **mentions** table that :func:`miroir.moments` reads, with an audit trail, plus
the coverage of the coding and the verbatims it left uncoded (listed, never dropped).

Matching is on normalised text: case and accent folding, French elisions split (``l'``, ``d'``,
``j'``, ``qu'``, ``n'``, ``s'``, ``c'``), Snowball stems (French, English), word boundaries,
longest match first. A pattern is a word or a phrase (matched on stems: ``conseiller`` finds
``conseillers``) or a glob (one word ending in ``*``: ``conseill*`` finds ``conseillère``);
``exclude_fr`` / ``exclude_en`` phrases are not the theme where they match. Negation (``ne ...
pas``, ``sans``, ``jamais``, ``aucun``, ``not``, ``never``, ``no``, ``without``...) in the three
words before a match, in its clause, is recorded (``negated``); a negated match of a theme that
declares a ``valence`` is not coded as that theme (it goes to ``Coding.skipped``).

Valence: employees' comes from the question (``best`` -> positive, ``most_frustrating`` ->
negative), never from the text; customers' ``liked`` / ``disliked`` likewise. A customer
``comment`` takes the valence of the **clause** its match is in (``valence_source = "text"``,
``valence_score`` its score; see :mod:`miroir.text.sentiment`: clauses end at ``.`` ``;``
``!`` ``?`` and before ``mais`` / ``but``-like words, and the comma-separated part of the
clause holding the match is used when it is positive or negative on its own), so "accueil
très agréable mais attente interminable" gives a positive mention of the welcome and a negative
one of the wait. Where that clause is neutral, the mention takes the valence its theme
declares, or none (null) when the theme declares none.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, to_polars_frame

__all__ = ["Codebook", "Coding", "code"]

_THEME_KEYS = ("id", "label", "valence", "fr", "en", "exclude_fr", "exclude_en", "examples")
_LIST_KEYS = ("fr", "en", "exclude_fr", "exclude_en", "examples")

#: The questions of each side and the valence the question gives (None: from the text).
QUESTIONS: dict[str, dict[str, str | None]] = {
    "employee": {"best": "positive", "most_frustrating": "negative"},
    "customer": {"comment": None, "liked": "positive", "disliked": "negative"},
}


def _toml_string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _core.SpecError(f"<dict>: {where}: expected text, got {type(value).__name__}")
    # a JSON string literal is a valid TOML basic string (same escapes)
    return json.dumps(value, ensure_ascii=False)


def _dict_to_toml(themes: Sequence[Mapping[str, Any]]) -> str:
    out: list[str] = []
    for n, theme in enumerate(themes):
        if not isinstance(theme, Mapping):
            raise _core.SpecError(f"<dict>: theme #{n + 1}: expected a mapping, got {type(theme).__name__}")
        name = theme.get("id", f"#{n + 1}")
        unknown = [k for k in theme if k not in _THEME_KEYS]
        if unknown:
            raise _core.SpecError(
                f"<dict>: theme '{name}': unknown key '{unknown[0]}' (expected one of {', '.join(_THEME_KEYS)})"
            )
        out.append("[[theme]]")
        for key in _THEME_KEYS:
            if key not in theme or theme[key] is None:
                continue
            value = theme[key]
            if key in _LIST_KEYS:
                if isinstance(value, str):
                    value = [value]
                items = ", ".join(_toml_string(v, f"theme '{name}', key '{key}'") for v in value)
                out.append(f"{key} = [{items}]")
            else:
                out.append(f"{key} = {_toml_string(value, f'theme {name!r}, key {key!r}')}")
        out.append("")
    return "\n".join(out)


class Codebook:
    """Themes and their patterns, checked once when built (a :class:`miroir.SpecError` names the
    file, the line and the key of the first problem: unknown key, missing, empty or duplicate id,
    empty pattern, misplaced ``*``, a glob that matches no word of the codebook's ``examples``).

    Build one with :meth:`from_toml` (a file or TOML text), :meth:`from_dict` or
    :meth:`from_table`.

    Examples
    --------
    >>> from miroir.text import Codebook
    >>> book = Codebook.from_dict([
    ...     {"id": "wait", "label": "Waiting time", "fr": ["attente", "temps d'attente"], "en": ["wait"]},
    ...     {"id": "advisor", "fr": ["conseill*"], "en": ["advisor"]},
    ... ])
    >>> len(book), book.themes["id"].to_list()
    (2, ['wait', 'advisor'])
    """

    def __init__(self, core: _core.Codebook) -> None:
        self._core = core

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Codebook:
        """A codebook from a TOML file (a path) or TOML text (a string holding ``[[theme]]``)."""
        if isinstance(source, str) and "[[theme]]" in source:
            return cls(_core.Codebook.from_toml(source, "<codebook>"))
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise _core.FileError(f"{path}: cannot read the codebook: {e}") from None
        return cls(_core.Codebook.from_toml(text, str(path)))

    @classmethod
    def from_dict(cls, themes: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> Codebook:
        """A codebook from a list of themes (mappings with the keys of a TOML ``[[theme]]``), or
        a mapping ``{"theme": [...]}``; lines in messages refer to the equivalent TOML."""
        if isinstance(themes, Mapping):
            extra = [k for k in themes if k != "theme"]
            if extra:
                raise _core.SpecError(f"<dict>: unknown key '{extra[0]}' (expected 'theme')")
            listed: Sequence[Mapping[str, Any]] = themes.get("theme", [])
        else:
            listed = themes
        return cls(_core.Codebook.from_toml(_dict_to_toml(list(listed)), "<dict>"))

    @classmethod
    def from_table(cls, table: Any) -> Codebook:
        """A codebook from a table with one row per pattern: ``theme`` (the id), ``language``
        (``fr`` / ``en``), ``pattern``, and optionally ``label``, ``valence`` and ``exclude``
        (bool)."""
        frame = to_polars_frame(table, "codebook")
        for col in ("theme", "language", "pattern"):
            if col not in frame.columns:
                raise _core.MissingColumnError(f"table 'codebook': missing required column '{col}'")
        themes: dict[str, dict[str, Any]] = {}
        for i, r in enumerate(frame.iter_rows(named=True)):
            tid, lang = r["theme"], r["language"]
            if lang not in ("fr", "en"):
                raise _core.SpecError(f"<table>: row {i}: language must be 'fr' or 'en', got {lang!r}")
            t = themes.setdefault(str(tid), {"id": str(tid)})
            for key in ("label", "valence"):
                if r.get(key) is not None:
                    t[key] = r[key]
            key = f"exclude_{lang}" if r.get("exclude") else lang
            t.setdefault(key, []).append(r["pattern"] if r["pattern"] is not None else "")
        return cls.from_dict(list(themes.values()))

    def __len__(self) -> int:
        return len(self._core)

    def __repr__(self) -> str:
        return f"Codebook({len(self)} themes from {self._core.source})"

    @property
    def themes(self) -> pl.DataFrame:
        """``id, label, valence`` per theme."""
        return pl.DataFrame(self._core.themes, schema=["id", "label", "valence"], orient="row")

    @property
    def patterns(self) -> pl.DataFrame:
        """``theme, language, pattern, exclude, line`` per pattern."""
        return pl.DataFrame(
            self._core.patterns, schema=["theme", "language", "pattern", "exclude", "line"], orient="row"
        )


@dataclass(frozen=True)
class Coding:
    """What :func:`code` returns.

    ``mentions``: one row per theme found in a verbatim (``study, side, respondent_id, theme,
    valence, text`` as the mentions table, then ``question, theme_id, method, rule, span_start,
    span_end, confidence, valence_source, valence_score, negated, language, matches``; spans
    are character offsets in ``text``, ``matches`` how many times the theme matched, the span
    being the first; ``valence_score`` is the lexicon score of the clause that gave a customer
    comment its valence, null where the question gave it).
    ``coverage``: per ``study, side, question``: ``verbatims``, ``coded`` (with at least one
    theme), ``share_coded``, ``empty`` (null or blank text). ``uncoded``: the verbatims no theme
    covers, with ``reason`` (``empty`` or ``no theme``). ``skipped``: negated matches of themes
    with a declared valence, not coded.
    """

    mentions: pl.DataFrame
    coverage: pl.DataFrame
    uncoded: pl.DataFrame
    skipped: pl.DataFrame


_KEYS = ["study", "side", "respondent_id", "question"]

#: Answers of each valence a learned valence model needs (``code(valence="learned")``).
MIN_VALENCE_ANSWERS = 20


def _valence_model(v: pl.DataFrame, texts: pl.Series, langs: pl.Series | None) -> Any:
    """A positive / negative classifier trained on the answers whose question gives the valence."""
    from miroir.text.classifier import Classifier

    valences = {f"{s}:{q}": val for s, qs in QUESTIONS.items() for q, val in qs.items() if val is not None}
    label = (pl.col("side").cast(pl.String) + ":" + pl.col("question").cast(pl.String)).replace_strict(
        valences, default=None, return_dtype=pl.String)
    frame = pl.DataFrame({"text": texts, "language": langs}) if langs is not None else pl.DataFrame({"text": texts})
    train = v.select(label.alias("label")).hstack(frame).filter(
        pl.col("label").is_not_null() & pl.col("text").str.contains(r"\w{2}"))
    counts = {k: train.filter(pl.col("label") == k).height for k in ("positive", "negative")}
    if min(counts.values()) < MIN_VALENCE_ANSWERS:
        raise _core.InsufficientDataError(
            f"table 'verbatims', column 'question': valence='learned' needs {MIN_VALENCE_ANSWERS} answers of each "
            f"valence to learn from (liked / disliked, best / most_frustrating); there are {counts['positive']} "
            f"positive and {counts['negative']} negative: use valence='lexicon' or give a fitted Classifier"
        )
    return Classifier(seed=0).fit(train["text"], train["label"],
                                  languages=train["language"] if "language" in train.columns else None)


def _model_valence(model: Any, v: pl.DataFrame, texts: pl.Series, langs: pl.Series | None,
                   mentions: pl.DataFrame) -> pl.DataFrame:
    """``valence, score`` of each mention (``_row``, ``span_start``) from a positive / negative
    classifier applied to the clause the mention starts in."""
    from miroir.text.classifier import Classifier
    from miroir.text.sentiment import clauses

    if isinstance(model, str) and model == "learned":
        model = _valence_model(v, texts, langs)
    elif not isinstance(model, Classifier):
        raise invalid_argument(
            "valence", f"expected 'lexicon', 'learned' or a fitted miroir.text.Classifier, "
            f"got {model!r}")
    if not model.fitted or sorted(model.labels) != ["negative", "positive"] or model.multi_label:
        raise invalid_argument(
            "valence", "the classifier must be fitted with the labels 'positive' and 'negative'")
    if mentions.height == 0:
        return pl.DataFrame({"valence": pl.Series([], dtype=pl.String), "score": pl.Series([], dtype=pl.Float64)})
    rows = mentions["_row"].cast(pl.UInt64).unique().sort()
    # the clauses of the texts with a mention, renumbered to the rows of the table
    parts = clauses(texts.gather(rows), None if langs is None else langs.gather(rows))
    parts = parts.with_columns(rows.gather(parts["row"].cast(pl.Int64)).alias("row")).rename(
        {"span_start": "c_start", "span_end": "c_end", "text": "c_text"})
    at = mentions.select("_m", pl.col("_row").cast(pl.UInt64).alias("row"), pl.col("span_start").cast(pl.UInt64))
    inside = at.join(parts.select("row", "c_start", "c_end", "c_text", "language"), on="row").filter(
        (pl.col("span_start") >= pl.col("c_start")) & (pl.col("span_start") < pl.col("c_end")))
    found = at.select("_m").join(inside.unique("_m", keep="first"), on="_m", how="left", maintain_order="left")
    score = 2.0 * model.predict_proba(found["c_text"].fill_null(""), languages=found["language"])["positive"] - 1.0
    label = pl.when(score > 0).then(pl.lit("positive")).when(score < 0).then(pl.lit("negative"))
    return pl.DataFrame({"score": score}).select(label.otherwise(pl.lit(None, pl.String)).alias("valence"), "score")


def _check_verbatims(v: pl.DataFrame) -> None:
    for col in [*_KEYS, "text"]:
        if col not in v.columns:
            raise _core.MissingColumnError(f"table 'verbatims': missing required column '{col}'")
    for col in _KEYS:
        if v[col].null_count():
            rows = v.with_row_index("_r").filter(pl.col(col).is_null())["_r"].head(5).to_list()
            raise _core.MissingValueError(
                f"table 'verbatims', column '{col}': missing values: {v[col].null_count()} rows (first at row index {', '.join(map(str, rows))})"
            )
    allowed = [(side, q) for side, qs in QUESTIONS.items() for q in qs]
    ok = pl.lit(False)
    for side, q in allowed:
        ok = ok | ((pl.col("side") == side) & (pl.col("question") == q))
    bad = v.with_row_index("_r").filter(~ok)
    if bad.height:
        col = "side" if not bad["side"].is_in(list(QUESTIONS)).all() else "question"
        first = ", ".join(map(str, bad["_r"].head(5).to_list()))
        raise _core.UnknownCategoryError(
            f"table 'verbatims', column '{col}': expected employee questions best / most_frustrating and "
            f"customer questions comment / liked / disliked: {bad.height} rows (first at row index {first})"
        )


def code(verbatims: Any, codebook: Codebook, *, language: str | None = None, valence: Any = "lexicon") -> Coding:
    """Codes a verbatims table with a codebook (see the module documentation for the rules).

    ``language``: ``"fr"`` or ``"en"`` for every verbatim; by default the table's ``language``
    column where given, else detected per verbatim from its function words (French when nothing
    tells).

    ``valence``: how a customer ``comment``'s mention gets its valence from the text.
    ``"lexicon"`` (default): the lexicon score of its clause (:mod:`miroir.text.sentiment`).
    ``"learned"``: a :class:`miroir.text.classifier.Classifier` trained on the table's own
    answers whose question gives the valence (customers' ``liked`` / ``disliked``, employees'
    ``best`` / ``most_frustrating``), applied to the mention's clause: the study's own words for
    good and bad, where a lexicon reads "pas de rendez-vous avant un mois" as neutral (on the
    synthetic verbatims, 0.95 of the comments' valences right against 0.48 for the lexicon);
    it needs at least 20 answers of each valence. Or a fitted ``Classifier`` whose labels are
    ``positive`` and ``negative``. With a model, ``valence_score`` is ``2 P(positive) - 1``.

    Examples
    --------
    >>> import polars as pl
    >>> from miroir.text import Codebook, code
    >>> book = Codebook.from_dict([
    ...     {"id": "wait", "label": "Waiting time", "fr": ["attente"], "en": ["wait"]},
    ...     {"id": "friendly", "label": "Friendly staff", "valence": "positive",
    ...      "fr": ["aimable"], "en": ["friendly"]},
    ... ])
    >>> v = pl.DataFrame({
    ...     "study": ["s"] * 3, "side": ["customer", "customer", "employee"],
    ...     "respondent_id": ["c1", "c2", "e1"], "question": ["comment", "comment", "most_frustrating"],
    ...     "text": ["Conseiller très AIMABLE, mais attente interminable", "Le vendeur n'était pas aimable",
    ...              "L'attente des clients"]})
    >>> c = code(v, book)
    >>> c.mentions.select("respondent_id", "theme", "valence", "valence_source", "span_start", "span_end", "negated")
    shape: (3, 7)
    ┌───────────────┬────────────────┬──────────┬────────────────┬────────────┬──────────┬─────────┐
    │ respondent_id ┆ theme          ┆ valence  ┆ valence_source ┆ span_start ┆ span_end ┆ negated │
    │ ---           ┆ ---            ┆ ---      ┆ ---            ┆ ---        ┆ ---      ┆ ---     │
    │ str           ┆ str            ┆ str      ┆ str            ┆ u64        ┆ u64      ┆ bool    │
    ╞═══════════════╪════════════════╪══════════╪════════════════╪════════════╪══════════╪═════════╡
    │ c1            ┆ Friendly staff ┆ positive ┆ text           ┆ 16         ┆ 23       ┆ false   │
    │ c1            ┆ Waiting time   ┆ negative ┆ text           ┆ 30         ┆ 37       ┆ false   │
    │ e1            ┆ Waiting time   ┆ negative ┆ question       ┆ 2          ┆ 9        ┆ false   │
    └───────────────┴────────────────┴──────────┴────────────────┴────────────┴──────────┴─────────┘
    >>> c.uncoded.select("respondent_id", "reason").rows()
    [('c2', 'no theme')]
    """
    if not isinstance(codebook, Codebook):
        raise invalid_argument(
            "codebook", f"expected a miroir.text.Codebook, got {type(codebook).__name__}"
        )
    v = to_polars_frame(verbatims, "verbatims")
    _check_verbatims(v)
    v = v.with_row_index("_row")
    if language is not None:
        langs: pl.Series | None = pl.Series("language", [language] * v.height, dtype=pl.String)
    elif "language" in v.columns:
        langs = v["language"].cast(pl.String)
    else:
        langs = None
    texts = v["text"].cast(pl.String)
    base = v.select("_row", *_KEYS, pl.col("text").cast(pl.String))
    from_question = pl.col("side").cast(pl.String) + ":" + pl.col("question").cast(pl.String)
    question_valence = {f"{s}:{q}": val for s, qs in QUESTIONS.items() for q, val in qs.items() if val is not None}
    row_qv = base.select(from_question.replace_strict(question_valence, default=None, return_dtype=pl.String)).to_series()
    # one row per (verbatim, theme), its first match, in verbatim then text order; a customer
    # comment's mention comes with the lexicon valence of the clause its first match is in
    first, skipped = _core.text_code(codebook._core, texts, langs, text_valence=row_qv.is_null())
    # `_row` is the verbatim's position, so its columns are gathered, not joined
    first = first.rename({"row": "_row", "score": "_ts", "valence": "_tv"}).with_columns(
        pl.col("_row").cast(base["_row"].dtype)).with_row_index("_m")
    rows = first["_row"]
    first = pl.concat(
        [first.with_columns(row_qv.gather(rows).alias("_qv")), base.drop("_row").select(pl.all().gather(rows))],
        how="horizontal",
    )
    if not (isinstance(valence, str) and valence == "lexicon"):
        from_text = first.filter(pl.col("_qv").is_null())
        span = _model_valence(valence, v, texts, langs, from_text)
        first = first.drop("_tv", "_ts").join(
            pl.DataFrame({"_m": from_text["_m"], "_tv": span["valence"], "_ts": span["score"]}),
            on="_m", how="left", maintain_order="left",
        )
    mentions = (
        first.with_columns(
            pl.when(pl.col("_qv").is_not_null())
            .then(pl.col("_qv"))
            .when(pl.col("_tv").is_in(["positive", "negative"]))
            .then(pl.col("_tv"))
            .otherwise(pl.col("theme_valence"))
            .alias("valence"),
        )
        .with_columns(
            pl.when(pl.col("_qv").is_not_null())
            .then(pl.lit("question"))
            .when(pl.col("valence").is_not_null())
            .then(pl.lit("text"))
            .otherwise(pl.lit(None, pl.String))
            .alias("valence_source"),
        )
        .select(
            "study", "side", "respondent_id", "theme", "valence", "text", "question", "theme_id",
            pl.lit("codebook").alias("method"), "rule", "span_start", "span_end",
            pl.lit(1.0).alias("confidence"), "valence_source", pl.col("_ts").alias("valence_score"),
            "negated", "language", "matches",
        )
    )
    coded_rows = rows.unique()
    status = base.with_columns(
        (pl.col("text").is_null() | (pl.col("text").str.strip_chars() == "")).alias("_empty"),
        pl.col("_row").is_in(coded_rows.implode()).alias("_coded"),
    )
    coverage = (
        status.group_by("study", "side", "question", maintain_order=True)
        .agg(
            pl.len().alias("verbatims"),
            pl.col("_coded").sum().alias("coded"),
            pl.col("_empty").sum().alias("empty"),
        )
        .with_columns((pl.col("coded") / pl.col("verbatims")).alias("share_coded"))
        .select("study", "side", "question", "verbatims", "coded", "share_coded", "empty")
        .sort("study", "side", "question")
    )
    uncoded = (
        status.filter(~pl.col("_coded"))
        .with_columns(pl.when(pl.col("_empty")).then(pl.lit("empty")).otherwise(pl.lit("no theme")).alias("reason"))
        .select(*_KEYS, "text", "reason")
    )
    skipped = pl.concat([skipped, base.drop("_row").select(pl.all().gather(skipped["row"]))], how="horizontal").select(
        *_KEYS, "theme_id", "theme", "rule", "span_start", "span_end", "text")
    return Coding(mentions=mentions, coverage=coverage, uncoded=uncoded, skipped=skipped)
