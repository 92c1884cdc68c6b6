"""A verbatim classifier trained on a hand-coded sample, to code the rest (Rust:
src/text/tfidf.rs, src/text/classifier.rs).

An institute codes a few hundred verbatims by hand; :class:`Classifier` learns from them and
codes the others, :meth:`Classifier.uncertain` lists those it is least sure of (to code next by
hand), and :func:`cross_validate` says how well it does before anyone relies on it.

**Features.** TF-IDF on word 1–2-grams of miroir's own analyzer (:func:`analyze`, the one the
codebook matches with: case and accent folding, French elisions expanded, Snowball stems; a
bigram never spans a full stop, a comma or a ``mais`` / ``but``). The vocabulary and the IDF are
fitted on the training texts only and kept with the model; columns are the terms in sorted order.
``tf = 1 + ln(count)`` (``sublinear_tf``), ``idf = ln((1 + n) / (1 + df)) + 1``, rows divided by
their Euclidean norm: scikit-learn's ``TfidfVectorizer(analyzer=analyze, sublinear_tf=True,
min_df=..., max_df=..., max_features=...)`` gives the same matrix (the tests check it to 1e-12).
``min_df`` / ``max_df``: an ``int`` is a number of texts, a ``float`` a proportion, as in
scikit-learn; the default ``min_df=2`` (scikit-learn: 1) drops the words seen once, typos mostly.

**Model.** L2-penalised logistic regression, the objective of scikit-learn's
``LogisticRegression(C=C, l1_ratio=0, solver="lbfgs")`` exactly (``C Σ loss + ½‖W‖²``, the
intercept not penalised): multinomial for three classes or more, one binary model for two, and
one binary model per theme when a text can carry several themes (labels given as lists; a theme
is predicted where its probability is at least 0.5). Fitted by L-BFGS until the gradient's norm
is below ``tol``; results are identical, bit for bit, from one run to the next and whatever the
number of threads.

**Saved models** (:meth:`Classifier.save`, :meth:`Classifier.load`): one binary file, the
layout ``MIROIRTC`` version 1 — the 8 bytes ``MIROIRTC``, the format version (u32), the settings,
the vocabulary (UTF-8 terms), the IDF, the labels, the weights (f64), all little-endian, closed
by an FNV-1a 64-bit checksum of everything before it. Loading refuses (:class:`miroir.FileError`)
a file of another kind, of a newer version, with a wrong checksum (corrupt or truncated), or
whose parts do not fit together; a newer miroir keeps reading version 1.

Bad input raises a typed error naming the argument (and the rows where there are rows): empty,
blank or wordless texts, missing labels, labels and texts of different lengths, a single class,
an unknown language, a model used before :meth:`Classifier.fit` (:class:`NotFittedError`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from miroir import _core
from miroir._frames import invalid_argument, InvalidArgumentTypeError, to_label_series

__all__ = ["Classifier", "NotFittedError", "analyze", "cross_validate", "stratified_folds"]


class NotFittedError(_core.MiroirError):
    """A :class:`Classifier` used before :meth:`Classifier.fit` (or :meth:`Classifier.load`)."""


NotFittedError.__module__ = "miroir.text"


def _texts(texts: Any, name: str = "texts") -> pl.Series:
    if isinstance(texts, pl.DataFrame):
        if "text" not in texts.columns:
            raise _core.MissingColumnError(f"table '{name}': missing required column 'text'")
        return texts["text"]
    return to_label_series(texts, name)


def _inputs(texts: Any, languages: Any) -> tuple[pl.Series, pl.Series | None]:
    """The texts and their languages (``languages=``, else a table's ``language`` column)."""
    s = _texts(texts)
    if languages is None and isinstance(texts, pl.DataFrame) and "language" in texts.columns:
        languages = texts["language"]
    return s, _languages(languages, s.len())


def _languages(languages: Any, n: int) -> pl.Series | None:
    if languages is None:
        return None
    s = to_label_series(languages, "languages")
    if s.len() != n:
        raise invalid_argument("languages", f"{s.len()} languages for {n} texts")
    return s


def _labels(labels: Any) -> pl.Series:
    """One label per text, or a list (tuple, set) of themes per text."""
    if isinstance(labels, pl.Series) or type(labels).__module__.startswith(("pandas", "numpy")):
        return to_label_series(labels, "labels")
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise InvalidArgumentTypeError(
            f"labels: expected one label or one list of themes per text, got {type(labels).__name__}"
        )
    if any(isinstance(v, (list, tuple, set, frozenset)) for v in labels):
        rows: list[list[str] | None] = []
        for i, v in enumerate(labels):
            if v is None:
                rows.append(None)
            elif isinstance(v, (list, tuple, set, frozenset)):
                rows.append(sorted(str(t) for t in v) if isinstance(v, (set, frozenset)) else [str(t) for t in v])
            else:
                raise InvalidArgumentTypeError(
                    f"labels: row {i}: expected a list of themes like the other rows, got {type(v).__name__}"
                )
        return pl.Series("labels", rows, dtype=pl.List(pl.String))
    return to_label_series(list(labels), "labels")


def analyze(
    texts: Any,
    *,
    language: str | None = None,
    languages: Any = None,
    ngram_range: tuple[int, int] = (1, 2),
    stop_words: bool = False,
) -> list[list[str]]:
    """The terms miroir counts in each text: its Snowball stems (folded) and the n-grams of
    consecutive stems within a clause (``ngram_range``), in text order; ``[]`` for an empty text.
    Hand them to scikit-learn as ``TfidfVectorizer(analyzer=...)`` to compare like with like.

    ``language``: ``"fr"`` or ``"en"`` for every text; ``languages``: one per text; neither:
    detected per text from its function words (French when nothing tells). ``stop_words``:
    remove common function words first (theme discovery does).

    Examples
    --------
    >>> from miroir.text.classifier import analyze
    >>> analyze(["Longue attente, mais conseillers aimables"], language="fr")
    [['longu', 'attent', 'mai', 'conseil', 'aimabl', 'longu attent', 'mai conseil', 'conseil aimabl']]
    >>> analyze(["The advisors were friendly"], language="en")
    [['the', 'advisor', 'were', 'friend', 'the advisor', 'advisor were', 'were friend']]
    >>> analyze(["Le temps d'attente"], language="fr", ngram_range=(2, 2), stop_words=True)
    [['temp attent']]
    """
    s, langs = _inputs(texts, languages)
    return _core.text_terms(
        s, languages=langs, language=language,
        ngram_range=ngram_range, stop_words=stop_words,
    )


def _settings(
    language: str | None, seed: int, C: float, tol: float, max_iter: int, class_weight: str | None,
    ngram_range: tuple[int, int], min_df: int | float, max_df: int | float, max_features: int | None,
    sublinear_tf: bool,
) -> dict[str, Any]:
    return {
        "language": language, "seed": seed, "c": C, "tol": tol, "max_iter": max_iter,
        "class_weight": class_weight, "ngram_range": ngram_range, "min_df": min_df, "max_df": max_df,
        "max_features": max_features, "sublinear_tf": sublinear_tf,
    }


class Classifier:
    """TF-IDF + logistic regression on verbatims (see the module documentation).

    Parameters
    ----------
    language : ``"fr"``, ``"en"`` or None (each text's own: ``languages=`` of :meth:`fit`, or
        detected).
    seed : kept with the model; the fit itself is deterministic and draws nothing.
    C : inverse penalty strength, scikit-learn's ``C``; default 10 (scikit-learn's is 1): on
        unit-length TF-IDF rows of short verbatims, ``C = 1`` shrinks the models of the rarer
        themes until they are never predicted (trained on 20% of the synthetic verbatims,
        theme macro-F1 0.68 with ``C = 1``, 0.93 with ``C = 10``, 0.98 with ``C = 10`` and
        ``class_weight="balanced"``).
    class_weight : None, or ``"balanced"`` (rows weighted ``n / (K n_k)``, as scikit-learn).
    ngram_range, min_df, max_df, max_features, sublinear_tf : the TF-IDF settings (module
        documentation); defaults ``(1, 2)``, ``2``, ``1.0``, None, True.
    tol, max_iter : L-BFGS stops when the gradient's Euclidean norm is below ``tol`` (default
        1e-6) or after ``max_iter`` iterations (default 1000; a
        :class:`miroir.DataQualityWarning` says when that happened).

    Examples
    --------
    >>> from miroir.text.classifier import Classifier
    >>> texts = ["attente interminable", "longue attente au guichet", "trop d'attente",
    ...          "conseiller aimable", "conseillère très aimable", "accueil aimable",
    ...          "frais trop chers", "des frais cachés", "frais de dossier chers"]
    >>> labels = ["wait"] * 3 + ["staff"] * 3 + ["price"] * 3
    >>> model = Classifier(language="fr", C=10.0, min_df=1).fit(texts, labels)
    >>> model
    Classifier(language='fr', labels=['price', 'staff', 'wait'], 33 terms, fitted on 9 texts)
    >>> model.predict(["une attente énorme", "des frais abusifs"]).to_list()
    ['wait', 'price']
    >>> model.predict_proba(["une attente énorme"]).select(pl.all().round(3))
    shape: (1, 3)
    ┌───────┬───────┬───────┐
    │ price ┆ staff ┆ wait  │
    │ ---   ┆ ---   ┆ ---   │
    │ f64   ┆ f64   ┆ f64   │
    ╞═══════╪═══════╪═══════╡
    │ 0.072 ┆ 0.086 ┆ 0.843 │
    └───────┴───────┴───────┘
    >>> model.uncertain(["attente et frais", "frais cachés"], n=1).select("text", "label", "margin")
    shape: (1, 3)
    ┌──────────────────┬───────┬──────────┐
    │ text             ┆ label ┆ margin   │
    │ ---              ┆ ---   ┆ ---      │
    │ str              ┆ str   ┆ f64      │
    ╞══════════════════╪═══════╪══════════╡
    │ attente et frais ┆ wait  ┆ 0.105584 │
    └──────────────────┴───────┴──────────┘

    Several themes per text: give each text a list of themes.

    >>> multi = Classifier(language="fr", C=10.0, min_df=1).fit(
    ...     texts, [["wait"], ["wait"], ["wait", "price"], ["staff"], ["staff"], ["staff"],
    ...             ["price"], ["price"], ["price"]])
    >>> multi.multi_label, multi.predict(["longue attente", "frais cachés", "un bonjour"]).to_list()
    (True, [['wait'], ['price'], []])
    """

    def __init__(
        self,
        language: str | None = None,
        seed: int = 0,
        *,
        C: float = 10.0,
        class_weight: str | None = None,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int | float = 2,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        tol: float = 1e-6,
        max_iter: int = 1000,
    ) -> None:
        if language is not None:
            _core.text_terms(pl.Series([], dtype=pl.String), language=language)  # checks it
        self._settings = _settings(
            language, seed, C, tol, max_iter, class_weight, ngram_range, min_df, max_df,
            max_features, sublinear_tf,
        )
        self._core: _core.TextClassifier | None = None

    # -- fitting ------------------------------------------------------------------------------

    def fit(self, texts: Any, labels: Any, *, languages: Any = None) -> Classifier:
        """Fits on ``texts`` (a column of text, or a table with a ``text`` column) and
        ``labels`` (one per text, or one list of themes per text; labels that are not text are
        converted to text); returns the classifier. ``languages``: one language per text
        (``"fr"`` / ``"en"``; null: as ``language``), by default a table's ``language``
        column. The other methods take ``texts`` and ``languages`` the same way."""
        s, langs = _inputs(texts, languages)
        y = _labels(labels)
        self._core = _core.TextClassifier.fit(s, y, languages=langs, **self._settings)
        if not self._core.converged:
            warnings.warn(
                f"the logistic regression stopped after max_iter = {self._settings['max_iter']} "
                f"iterations before its gradient fell below tol = {self._settings['tol']}; "
                "raise max_iter or tol", _core.DataQualityWarning, stacklevel=2,
            )
        return self

    def _model(self) -> _core.TextClassifier:
        if self._core is None:
            raise NotFittedError("this Classifier is not fitted yet: call fit(texts, labels) or Classifier.load(path)")
        return self._core

    # -- predicting ---------------------------------------------------------------------------

    def predict_proba(self, texts: Any, *, languages: Any = None) -> pl.DataFrame:
        """One Float64 column per label (in :attr:`labels` order), one row per text: class
        probabilities (they sum to 1), or each theme's own probability (multi-label)."""
        m = self._model()
        s, langs = _inputs(texts, languages)
        return m.predict_proba(s, langs)

    def predict(self, texts: Any, *, languages: Any = None) -> pl.Series:
        """The most probable label of each text (ties: the first label), or for themes the list
        of those of probability at least 0.5."""
        m = self._model()
        s, langs = _inputs(texts, languages)
        return m.predict(s, langs)

    def uncertain(self, texts: Any, n: int = 20, *, languages: Any = None) -> pl.DataFrame:
        """The ``n`` texts the model is least sure of, least sure first: ``row`` (in ``texts``),
        ``text``, ``label`` (predicted), ``confidence`` and ``margin``. One label per text:
        ``confidence`` is the top probability and ``margin`` its lead over the second; themes:
        the theme closest to 0.5 decides, ``margin = |2p - 1|`` and ``confidence = max(p, 1 -
        p)``. Code these next by hand: they teach the model the most (uncertainty sampling,
        Lewis & Gale 1994)."""
        m = self._model()
        s, langs = _inputs(texts, languages)
        out = m.uncertain(s, n, langs)
        text = s.cast(pl.String).gather(out["row"]).alias("text")
        return out.insert_column(1, text)

    def transform(self, texts: Any, *, languages: Any = None) -> pl.DataFrame:
        """The TF-IDF rows of texts with the fitted vocabulary and IDF, long: ``row, column,
        term, weight`` (non-zero entries only; ``column`` indexes :attr:`vocabulary`)."""
        m = self._model()
        s, langs = _inputs(texts, languages)
        return m.transform(s, langs)

    def terms(self, texts: Any, *, languages: Any = None) -> list[list[str]]:
        """The terms of each text as this classifier reads them (see :func:`analyze`)."""
        m = self._model()
        s, langs = _inputs(texts, languages)
        return m.terms(s, langs)

    def top_terms(self, n: int = 10) -> pl.DataFrame:
        """``label, rank, term, weight``: the ``n`` terms that weigh most for each label (for two
        classes, the weights of the first are those of the second, negated)."""
        return self._model().top_terms(n)

    # -- state --------------------------------------------------------------------------------

    @property
    def fitted(self) -> bool:
        return self._core is not None

    @property
    def labels(self) -> list[str]:
        """Class names (or theme names), sorted."""
        return self._model().labels

    @property
    def multi_label(self) -> bool:
        return self._model().multi_label

    @property
    def vocabulary(self) -> list[str]:
        """The terms, in column order (sorted)."""
        return self._model().vocabulary

    @property
    def idf(self) -> pl.Series:
        """The IDF of each term of :attr:`vocabulary`."""
        return pl.Series("idf", self._model().idf, dtype=pl.Float64)

    @property
    def n_iter(self) -> list[int]:
        """L-BFGS iterations of each model (one per theme for multi-label)."""
        return self._model().n_iter

    @property
    def converged(self) -> bool:
        return self._model().converged

    @property
    def settings(self) -> dict[str, Any]:
        """The settings the classifier was built with."""
        if self._core is not None:
            return self._core.settings
        out = dict(self._settings)
        out["C"] = out.pop("c")
        return out

    def __repr__(self) -> str:
        if self._core is None:
            return f"Classifier(language={self._settings['language']!r}, not fitted)"
        m = self._core
        return (
            f"Classifier(language={m.language!r}, {'themes' if m.multi_label else 'labels'}={m.labels!r}, "
            f"{len(m.vocabulary)} terms, fitted on {m.n_docs} texts)"
        )

    # -- files --------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Writes the fitted model to ``path`` (layout ``MIROIRTC`` version 1, see the module
        documentation); returns the path. The file is written beside and renamed, so a failed
        save never leaves half a model."""
        data = self._model().to_bytes()
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except OSError as e:
            raise _core.FileError(f"{target}: cannot write the classifier: {e}") from None
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Classifier:
        """A classifier saved by :meth:`save`; a file that is not one, or is corrupt, is a
        :class:`miroir.FileError` naming it.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from miroir.text.classifier import Classifier
        >>> texts = ["longue attente", "attente au guichet", "conseiller aimable", "accueil aimable"]
        >>> model = Classifier(language="fr", min_df=1).fit(texts, ["wait", "wait", "staff", "staff"])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = model.save(pathlib.Path(d) / "model.miroir")
        ...     again = Classifier.load(path)
        >>> again.predict(["attente"]).to_list() == model.predict(["attente"]).to_list()
        True
        """
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise _core.FileError(f"{p}: cannot read the classifier: {e}") from None
        core = _core.TextClassifier.from_bytes(data, str(p))
        settings = core.settings
        out = cls(
            settings["language"], settings["seed"], C=settings["C"], class_weight=settings["class_weight"],
            ngram_range=tuple(settings["ngram_range"]), min_df=settings["min_df"], max_df=settings["max_df"],
            max_features=settings["max_features"], sublinear_tf=settings["sublinear_tf"],
            tol=settings["tol"], max_iter=settings["max_iter"],
        )
        out._core = core
        return out


def stratified_folds(labels: Any, folds: int = 5, seed: int = 0) -> pl.Series:
    """A fold number (0 to ``folds - 1``) per text, stratified: the texts of each label (of each
    set of themes, for multi-label), shuffled by a seeded ChaCha8 stream, are dealt to the folds
    in turn, so every fold holds the labels in the same proportions, and fold sizes differ by at
    most one. The folds :func:`cross_validate` uses with ``folds=<int>``.

    Examples
    --------
    >>> from miroir.text.classifier import stratified_folds
    >>> f = stratified_folds(["a"] * 6 + ["b"] * 4, folds=2, seed=1)
    >>> f.len(), f.value_counts().sort("fold")["count"].to_list()
    (10, [5, 5])
    """
    return _core.text_stratified_folds(_labels(labels), folds, seed)


def cross_validate(
    texts: Any,
    labels: Any,
    *,
    language: str | None = None,
    folds: int | Sequence[int] | pl.Series = 5,
    seed: int = 0,
    languages: Any = None,
    C: float = 10.0,
    class_weight: str | None = None,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int | float = 2,
    max_df: int | float = 1.0,
    max_features: int | None = None,
    sublinear_tf: bool = True,
    tol: float = 1e-6,
    max_iter: int = 1000,
) -> pl.DataFrame:
    """k-fold cross-validation of a :class:`Classifier` (same settings): for each fold, a
    classifier fitted on the other folds — its own vocabulary and IDF — codes the fold.

    ``folds``: a number of folds (:func:`stratified_folds` with ``seed``), or one fold number
    per text (any integers; each distinct value is a fold), to score on folds chosen elsewhere
    (scikit-learn's, for instance).

    One row per fold (``fold``: its number, as text: ``"0"``, ``"1"``, ...) then a row
    ``"mean"``: ``n_train``,
    ``n_test``, ``accuracy``, ``macro_f1`` and ``kappa``, with scikit-learn's definitions
    (``accuracy_score``; ``f1_score(average="macro")`` over the labels present in the fold's
    truth or predictions; ``cohen_kappa_score``, i.e. :func:`miroir.stats.cohen_kappa`). With
    themes: exact-match accuracy, macro-F1 over every theme (0 for a theme neither true nor
    predicted in the fold), and the mean of the per-theme kappas.

    Examples
    --------
    >>> from miroir.text.classifier import cross_validate
    >>> texts = ["attente interminable", "longue attente", "trop d'attente", "attente au guichet",
    ...          "conseiller aimable", "accueil aimable", "vendeur aimable", "conseillère aimable"]
    >>> labels = ["wait"] * 4 + ["staff"] * 4
    >>> cv = cross_validate(texts, labels, language="fr", folds=2, min_df=1, C=10.0)
    >>> cv.select("fold", "n_test", "accuracy", "macro_f1")
    shape: (3, 4)
    ┌──────┬────────┬──────────┬──────────┐
    │ fold ┆ n_test ┆ accuracy ┆ macro_f1 │
    │ ---  ┆ ---    ┆ ---      ┆ ---      │
    │ str  ┆ u32    ┆ f64      ┆ f64      │
    ╞══════╪════════╪══════════╪══════════╡
    │ 0    ┆ 4      ┆ 1.0      ┆ 1.0      │
    │ 1    ┆ 4      ┆ 1.0      ┆ 1.0      │
    │ mean ┆ 8      ┆ 1.0      ┆ 1.0      │
    └──────┴────────┴──────────┴──────────┘
    """
    s, langs = _inputs(texts, languages)
    y = _labels(labels)
    if isinstance(folds, bool):
        raise InvalidArgumentTypeError("folds: expected a number of folds or one fold number per text, got a bool")
    if isinstance(folds, int):
        assignment = _core.text_stratified_folds(y, folds, seed)
    else:
        assignment = to_label_series(folds, "folds")
        if assignment.len() != s.len():
            raise invalid_argument(
                "folds", f"{assignment.len()} fold numbers for {s.len()} texts"
            )
    settings = _settings(
        language, seed, C, tol, max_iter, class_weight, ngram_range, min_df, max_df, max_features,
        sublinear_tf,
    )
    return _core.text_cross_validate(s, y, assignment, languages=langs, **settings)
