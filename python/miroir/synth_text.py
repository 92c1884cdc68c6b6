"""Raw verbatims of the synthetic study, with their true codes, and the codebook written for them
(Rust: src/synth/verbatims.rs, src/synth/verbatims.txt, src/synth/codebook.toml).

:func:`synthetic_verbatims` writes back, as a survey export would hold them, the open answers
behind the coded mentions of :func:`miroir.synthetic_study` (same arguments, same mentions): one
row per answer in the **verbatims** table (``study, side, respondent_id, question, text,
language``), and the **truth**, one row per (answer, theme) it was written from (``study, side,
respondent_id, question, theme, valence``): the reference a coding is scored against with
:func:`miroir.stats.agreement`. :func:`synthetic_codebook` is a :class:`miroir.text.Codebook`
of the synthetic themes (labels = the mentions' theme names, so coded verbatims feed
:func:`miroir.moments` unchanged).

What the answers look like:

- 20% of respondents write in English, the others in French (``language`` ``en`` / ``fr``).
- Employees answer ``best`` (their positive mention) and ``most_frustrating`` (their negative
  one), one theme each. Customers with mentions write one ``comment`` holding their 1 to 3
  themes (valences mixed with "mais" / "but": "accueil très agréable mais attente
  interminable"), or, one in four, a ``liked`` and a ``disliked`` answer.
- Several phrasings per theme, valence, side and language, with intensifiers and negations that
  keep the meaning ("pas du tout attendu en caisse" praises the waiting time), and noise: an
  8% rate of character typos, French accents dropped in 15% of French answers, some answers all
  in lower case or in capitals.
- Answers carrying no theme ("RAS", "rien à signaler", "nothing to add": 4% of customers without
  a mention, 5% of employees per question) and a few empty ones (0.4% and 1%).

``paraphrases``: ``"seen"`` (the default) uses the phrasings the synthetic codebook was written
from; ``"unseen"`` only the phrasings held out from its writing (about a third of them: a test
of how a codebook, or a classifier trained on the seen ones, generalises to new wordings);
``"all"`` both. The same arguments give the same tables, whatever the number of threads; the
verbatims have their own random stream, so the study's other tables are unchanged by them.
"""

from __future__ import annotations

import polars as pl

from miroir import _core
from miroir._args import _int_arg
from miroir.text.codebook import Codebook

__all__ = ["synthetic_codebook", "synthetic_verbatims"]

_CODEBOOK_PATH = "<synthetic codebook>"


def synthetic_verbatims(
    studies: int = 20,
    employees: int = 20_000,
    customers: int = 100_000,
    seed: int = 0,
    *,
    wave: int = 0,
    paraphrases: str = "seen",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The raw verbatims of the synthetic study and their truth (see the module documentation).

    ``studies``, ``employees``, ``customers``, ``seed``: as :func:`miroir.synthetic_study`, whose
    mentions the truth reproduces (the same multiset of respondent, theme and valence). ``wave``:
    the barometer wave (0 for the study ``W1`` of ``synthetic_study(waves=...)``, 1 for ``W2``,
    ...). Returns ``(verbatims, truth)``; a verbatim without a theme (off-topic or empty) has no
    truth row.

    Examples
    --------
    >>> from miroir.synth_text import synthetic_verbatims
    >>> verbatims, truth = synthetic_verbatims(studies=2, employees=400, customers=2_000, seed=0)
    >>> verbatims.columns
    ['study', 'side', 'respondent_id', 'question', 'text', 'language']
    >>> truth.columns
    ['study', 'side', 'respondent_id', 'question', 'theme', 'valence']
    >>> sorted(verbatims["question"].unique())
    ['best', 'comment', 'disliked', 'liked', 'most_frustrating']
    >>> sorted(verbatims["language"].unique())
    ['en', 'fr']
    >>> again, _ = synthetic_verbatims(studies=2, employees=400, customers=2_000, seed=0)
    >>> again.equals(verbatims)
    True
    """
    verbatims, truth = _core.synthetic_verbatims(
        studies,
        employees,
        customers,
        seed,
        _int_arg(wave, "wave", maximum=2**32 - 1),
        paraphrases,
    )
    return verbatims, truth


def synthetic_codebook() -> Codebook:
    """The codebook of the synthetic study's themes (30 themes, French and English patterns, no
    declared valence: every theme is both praised and criticised, so valence comes from the
    question or from the text).

    On the synthetic verbatims its theme macro-F1 against the truth is about 0.99 (French and
    English alike, typos included); on the phrasings held out from its writing
    (``paraphrases="unseen"``) about 0.73: what a keyword codebook loses on wordings its author
    did not see.

    Examples
    --------
    >>> import polars as pl
    >>> import miroir.stats as ms
    >>> from miroir.text import code
    >>> from miroir.synth_text import synthetic_codebook, synthetic_verbatims
    >>> book = synthetic_codebook()
    >>> len(book), book.themes["label"][0]
    (30, 'same advisor throughout the project')
    >>> verbatims, truth = synthetic_verbatims(studies=6, employees=1_200, customers=6_000, seed=1)
    >>> coded = code(verbatims, book)
    >>> scores = ms.agreement(coded.mentions, truth)
    >>> scores.filter(pl.col("average") == "macro")["f1"].item() >= 0.95
    True
    """
    return Codebook(_core.Codebook.from_toml(_core.synthetic_codebook_toml(), _CODEBOOK_PATH))
