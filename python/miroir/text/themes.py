"""Theme discovery: clusters of verbatims, to extend a codebook (Rust: src/text/cluster.rs).

:func:`suggest_themes` reads the verbatims no codebook theme covers (give ``codebook=``, or the
``uncoded`` table of :func:`miroir.text.code`), groups them by what they say, and describes each
group so a coder can decide whether it is a new theme: its size, its keywords, and the verbatims
most typical of it.

**Method.** TF-IDF rows of word 1–2-grams (miroir's analyzer, common function words removed,
``min_df=2``, ``max_df=0.95``, sublinear tf), each of unit length; spherical k-means (cosine
similarity; Dhillon & Modha 2001) from greedy k-means++ starts drawn from a seeded ChaCha8
stream, ``n_init`` starts (default 10), the lowest total ``Σ (1 − cos)`` kept. Keywords rank the terms of a
cluster by class-based TF-IDF (the count of the term in the cluster over all the cluster's term
counts, times ``ln(1 + A / f)``, ``f`` the term's count in all the texts and ``A`` the mean count
per cluster; Grootendorst 2022, BERTopic) and show each by its most frequent written form. The
representative verbatims are those of largest cosine with their cluster's centre (distinct
texts). Same data, settings and seed: the same themes, whatever the number of threads.

**Confidentiality** (DESIGN.md): a cluster of fewer than ``min_text_group_size`` respondents
(default: the schema's, 10) is listed with its size and ``suppressed = true``, without keywords
or verbatims. Respondents are counted by ``respondent_id`` (within ``study``) when the input is a
verbatims table, one per text otherwise.

The sparse k-means is miroir's own: linfa's takes a dense matrix, and a TF-IDF of 10,000
verbatims by 20,000 n-grams would not fit in memory as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, to_label_series, to_polars_frame

__all__ = ["ThemeSuggestions", "suggest_themes"]

_KEYS = ("study", "side", "respondent_id", "question")


@dataclass(frozen=True)
class ThemeSuggestions:
    """What :func:`suggest_themes` returns.

    ``themes``: one row per cluster, largest first: ``cluster`` (0, 1, ...), ``size`` (texts),
    ``share`` (of the clustered texts), ``respondents``, ``cohesion`` (mean cosine of its texts
    with its centre, 0 to 1), ``suppressed``, ``keywords`` (as written), ``terms`` (the model's
    stems and bigrams), ``examples`` (representative verbatims); the last three null when
    suppressed. ``assignments``: one row per input text (the key columns of a verbatims table,
    or ``row``), with ``text``, ``cluster``, ``similarity`` (cosine with the cluster's centre)
    and ``reason`` when not clustered (``empty``: no word; ``no term``: none of its words is in
    the vocabulary). ``inertia``: ``Σ (1 − cos)`` of the partition; ``n_iter``, ``converged``:
    of the k-means run kept.
    """

    themes: pl.DataFrame
    assignments: pl.DataFrame
    inertia: float
    n_iter: int
    converged: bool

    def __repr__(self) -> str:
        shown = self.themes.filter(~pl.col("suppressed")).height
        return (
            f"ThemeSuggestions({self.themes.height} themes, {shown} shown, "
            f"{self.assignments['cluster'].is_not_null().sum()} of {self.assignments.height} texts clustered)"
        )


def suggest_themes(
    texts: Any,
    k: int = 8,
    *,
    language: str | None = None,
    seed: int = 0,
    codebook: Any = None,
    min_text_group_size: int | None = None,
    n_keywords: int = 8,
    n_examples: int = 3,
    n_init: int = 10,
    max_iter: int = 300,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int | float = 2,
    max_df: int | float = 0.95,
    stop_words: bool = True,
) -> ThemeSuggestions:
    """Groups verbatims into ``k`` candidate themes (see the module documentation).

    Parameters
    ----------
    texts : a column of verbatims, or a verbatims table (``text``; optionally ``language``,
        ``respondent_id`` and ``study`` for the confidentiality count, and the key columns,
        kept in ``assignments``).
    k : number of themes (at most the number of texts with terms).
    language : ``"fr"`` / ``"en"`` for every text; default each text's ``language`` column,
        else detected per text.
    codebook : a :class:`miroir.text.Codebook`: only the verbatims it leaves uncoded (reason
        ``no theme``) are clustered; ``texts`` must then be a verbatims table.
    min_text_group_size : clusters of fewer respondents are suppressed (default: the
        schema's, 10).
    n_keywords, n_examples : keywords and verbatims shown per theme (8 and 3).
    n_init, max_iter : k-means starts (10; one start often misses a small theme) and
        iterations per start (300).
    ngram_range, min_df, max_df, stop_words : the TF-IDF settings (module documentation).

    Examples
    --------
    >>> from miroir.text.themes import suggest_themes
    >>> texts = (["attente interminable au guichet", "longue attente à l'agence",
    ...           "trop d'attente au téléphone"] * 4
    ...          + ["frais bancaires trop chers", "des frais cachés", "les frais augmentent"] * 4)
    >>> found = suggest_themes(texts, k=2, language="fr", seed=1)
    >>> found
    ThemeSuggestions(2 themes, 2 shown, 24 of 24 texts clustered)
    >>> found.themes.select("cluster", "size", "keywords").with_columns(pl.col("keywords").list.head(2))
    shape: (2, 3)
    ┌─────────┬──────┬─────────────────────────┐
    │ cluster ┆ size ┆ keywords                │
    │ ---     ┆ ---  ┆ ---                     │
    │ u32     ┆ u32  ┆ list[str]               │
    ╞═════════╪══════╪═════════════════════════╡
    │ 0       ┆ 12   ┆ ["attente", "agence"]   │
    │ 1       ┆ 12   ┆ ["frais", "augmentent"] │
    └─────────┴──────┴─────────────────────────┘

    A cluster of fewer than ``min_text_group_size`` respondents shows no verbatim:

    >>> suggest_themes(texts[:6], k=2, language="fr").themes["suppressed"].to_list()
    [True, True]
    """
    if min_text_group_size is None:
        min_text_group_size = _core.Schema().min_text_group_size
    table: pl.DataFrame | None = None
    if isinstance(texts, pl.DataFrame) or type(texts).__name__ == "DataFrame":
        table = to_polars_frame(texts, "verbatims")
        if "text" not in table.columns:
            raise _core.MissingColumnError("table 'verbatims': missing required column 'text'")
    if codebook is not None:
        if table is None:
            raise invalid_argument(
                "codebook", "give texts as a verbatims table "
                "(study, side, respondent_id, question, text) to cluster what the codebook leaves uncoded"
            )
        from miroir.text.codebook import code

        uncoded = code(table, codebook, language=language).uncoded
        table = uncoded.filter(pl.col("reason") == "no theme").drop("reason")
    if table is not None:
        series = table["text"]
        languages = table["language"].cast(pl.String) if "language" in table.columns and language is None else None
        respondents = None
        if "respondent_id" in table.columns:
            who = pl.col("respondent_id").cast(pl.String)
            if "study" in table.columns:
                who = pl.col("study").cast(pl.String) + "\x1f" + who
            respondents = table.select(who.alias("respondent"))["respondent"]
        keys = table.select([c for c in _KEYS if c in table.columns])
        if keys.width == 0:
            keys = pl.DataFrame({"row": pl.arange(0, table.height, dtype=pl.UInt32, eager=True)})
    else:
        series = to_label_series(texts, "texts")
        languages = None
        respondents = None
        keys = pl.DataFrame({"row": pl.arange(0, series.len(), dtype=pl.UInt32, eager=True)})
    themes, assigned, inertia, n_iter, converged = _core.text_suggest_themes(
        series, k, languages=languages, respondents=respondents, language=language, seed=seed,
        n_init=n_init, max_iter=max_iter, n_keywords=n_keywords, n_examples=n_examples,
        min_text_group_size=min_text_group_size, ngram_range=ngram_range, min_df=min_df,
        max_df=max_df, stop_words=stop_words,
    )
    assignments = pl.concat(
        [keys, pl.DataFrame({"text": series.cast(pl.String)}), assigned.drop("row")], how="horizontal"
    )
    return ThemeSuggestions(themes=themes, assignments=assignments, inertia=inertia, n_iter=n_iter, converged=converged)
