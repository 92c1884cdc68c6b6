"""Verbatim coding: raw answers to open questions turned into theme mentions (Rust: src/text).

- :mod:`miroir.text.codebook`: a :class:`Codebook` of themes with French and English patterns,
  and :func:`code`, which finds them in a **verbatims** table and returns the **mentions** table
  that :func:`miroir.moments` reads, with an audit trail and the coverage of the coding.
- :mod:`miroir.text.sentiment`: valence of a customer's comment from its text (lexicons).
- :mod:`miroir.text.classifier`: a TF-IDF + logistic-regression :class:`Classifier` trained on a
  hand-coded sample, and :func:`cross_validate`.
- :mod:`miroir.text.themes`: :func:`suggest_themes`, clusters of the verbatims no theme covers.
"""

from __future__ import annotations

from miroir.text.classifier import Classifier, NotFittedError, analyze, cross_validate, stratified_folds
from miroir.text.codebook import QUESTIONS, Codebook, Coding, code
from miroir.text.sentiment import clauses, sentiment
from miroir.text.themes import ThemeSuggestions, suggest_themes

__all__ = [
    "QUESTIONS",
    "Classifier",
    "Codebook",
    "Coding",
    "NotFittedError",
    "ThemeSuggestions",
    "analyze",
    "clauses",
    "code",
    "cross_validate",
    "sentiment",
    "stratified_folds",
    "suggest_themes",
]
