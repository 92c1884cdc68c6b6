"""miroir.text.classifier: TF-IDF + logistic regression on verbatims (Rust: src/text/tfidf.rs,
src/text/classifier.rs), against scikit-learn.

References: scikit-learn's ``TfidfVectorizer`` given miroir's analyzer as a callable (same terms
in, so vocabulary, IDF and matrix must be equal to 1e-12); ``LogisticRegression(C, l1_ratio=0)``
(lbfgs, the same objective) on that matrix — predictions agree on >= 98 % of a held-out split,
cross-validated macro-F1 within 0.01 on the same folds; ``OneVsRestClassifier`` for themes;
``accuracy_score``, ``f1_score(average="macro")`` and ``cohen_kappa_score`` for the columns of
``cross_validate``. Determinism: refits and 1 vs 2 threads give the same bytes. Bad input: typed
errors naming the argument and rows.

The corpus is generated here (seeded): French and English verbatims from templates per theme,
with random fillers, a clause of another theme in a third of them and 4 % of labels flipped, so
that neither model is perfect and agreement is a real test.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

import miroir
import miroir.stats as ms
from miroir.text.classifier import Classifier, NotFittedError, analyze, cross_validate, stratified_folds

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "wait": {
        "fr": ["l'attente au guichet était {adj}", "{adv} trop d'attente à l'agence", "j'ai attendu {dur} au téléphone",
               "une file d'attente {adj}", "le délai de traitement est {adj}", "il faut patienter {dur}"],
        "en": ["the wait at the counter was {adj}", "{adv} too much waiting in the branch", "I waited {dur} on the phone",
               "a {adj} queue", "the processing delay is {adj}", "you have to wait {dur}"],
    },
    "staff": {
        "fr": ["le conseiller était {adv} aimable", "une conseillère à l'écoute", "un accueil {adv} chaleureux",
               "le personnel est souriant", "mon interlocuteur connaît son métier", "un vendeur compétent et poli"],
        "en": ["the advisor was {adv} friendly", "a caring advisor who listens", "a {adv} warm welcome",
               "the staff are smiling", "my contact knows the job", "a competent and polite salesman"],
    },
    "price": {
        "fr": ["les frais sont {adv} élevés", "des frais cachés sur la facture", "le tarif a augmenté de {pct}",
               "beaucoup trop cher pour ce service", "une commission {adj} sur chaque opération", "le prix ne cesse de grimper"],
        "en": ["the fees are {adv} high", "hidden charges on the bill", "the rate went up by {pct}",
               "far too expensive for this service", "a {adj} commission on every transaction", "the price keeps climbing"],
    },
    "product": {
        "fr": ["le produit est arrivé cassé", "la qualité de l'article est {adj}", "l'appareil est tombé en panne après {dur}",
               "la carte ne fonctionne plus", "un modèle défectueux", "la pièce de rechange manque"],
        "en": ["the product arrived broken", "the quality of the item is {adj}", "the device broke down after {dur}",
               "the card no longer works", "a faulty model", "the spare part is missing"],
    },
    "online": {
        "fr": ["le site internet est {adv} lent", "l'application plante sans arrêt", "impossible de me connecter en ligne",
               "le mot de passe est refusé", "la page de paiement bugue", "l'espace client est {adj}"],
        "en": ["the website is {adv} slow", "the app keeps crashing", "impossible to log in online",
               "the password is rejected", "the payment page is buggy", "the customer area is {adj}"],
    },
}
FILL = {
    "fr": {"adj": ["interminable", "pénible", "normal", "correct", "inacceptable", "énorme", "raisonnable"],
           "adv": ["vraiment", "très", "franchement", "plutôt", "encore", "toujours"],
           "dur": ["vingt minutes", "une heure", "trois jours", "deux semaines"], "pct": ["dix pour cent", "5 %", "vingt pour cent"],
           "open": ["", "", "Bonjour,", "Franchement,", "Comme d'habitude,", "Encore une fois,"],
           "close": ["", "", "merci.", "dommage.", "à revoir !", "bref."]},
    "en": {"adj": ["endless", "painful", "normal", "fine", "unacceptable", "huge", "reasonable"],
           "adv": ["really", "very", "frankly", "rather", "again", "always"],
           "dur": ["twenty minutes", "an hour", "three days", "two weeks"], "pct": ["ten percent", "5 %", "twenty percent"],
           "open": ["", "", "Hello,", "Frankly,", "As usual,", "Once again,"],
           "close": ["", "", "thanks.", "shame.", "to be improved!", "anyway."]},
}
THEMES = sorted(TEMPLATES)


def sentence(rng: random.Random, theme: str, lang: str) -> str:
    t = rng.choice(TEMPLATES[theme][lang])
    return t.format(**{k: rng.choice(v) for k, v in FILL[lang].items() if k in ("adj", "adv", "dur", "pct")})


def corpus(n: int, seed: int, *, themes: list[str] | None = None, multi: bool = False,
           noise: float = 0.04) -> tuple[list[str], list[Any], list[str]]:
    """``n`` verbatims, their labels (a theme, or a list of themes with ``multi``) and languages."""
    rng = random.Random(seed)
    themes = themes or THEMES
    texts: list[str] = []
    labels: list[Any] = []
    langs: list[str] = []
    for _ in range(n):
        lang = rng.choice(["fr", "en"])
        main = rng.choice(themes)
        parts = [sentence(rng, main, lang)]
        got = {main}
        if rng.random() < 0.35:
            other = rng.choice(themes)
            parts.append(sentence(rng, other, lang))
            if multi:
                got.add(other)
        rng.shuffle(parts)
        text = " ".join(p for p in [rng.choice(FILL[lang]["open"]), ", ".join(parts), rng.choice(FILL[lang]["close"])] if p)
        label: Any = main if rng.random() >= noise else rng.choice(themes)
        texts.append(text)
        labels.append(sorted(got) if multi else label)
        langs.append(lang)
    return texts, labels, langs


@pytest.fixture(scope="module")
def data() -> tuple[list[str], list[Any], list[str]]:
    return corpus(3000, 1)


def sk_vectorizer(model: Classifier, texts: list[str] | None = None, langs: list[str] | None = None,
                  **settings: Any) -> TfidfVectorizer:
    """scikit-learn's vectoriser with miroir's terms (of this classifier's analyzer; ``texts``
    read in ``langs``, any other text in its detected language)."""
    cache: dict[str, list[str]] = {}
    if texts is not None:
        cache.update(zip(texts, model.terms(texts, languages=langs)))

    def terms(doc: str) -> list[str]:
        if doc not in cache:
            cache[doc] = model.terms([doc])[0]
        return cache[doc]

    return TfidfVectorizer(analyzer=terms, **settings)


def untied_limit(texts: list[str], langs: list[str], settings: dict[str, Any]) -> int:
    """A ``max_features`` near the one asked for where the terms kept are not decided by a tie
    of total counts: scikit-learn breaks such ties with numpy's (unstable) quicksort, miroir by
    term order, so only an untied cut is comparable."""
    from sklearn.feature_extraction.text import CountVectorizer

    terms = dict(zip(texts, analyze(texts, languages=langs)))
    cv = CountVectorizer(analyzer=lambda d: terms[d], min_df=settings["min_df"], max_df=settings.get("max_df", 1.0))
    totals = np.sort(np.asarray(cv.fit_transform(texts).sum(axis=0)).ravel())[::-1]
    limit = settings["max_features"]
    while totals[limit - 1] == totals[limit]:
        limit += 1
    return int(limit)


def as_csr(long: pl.DataFrame, shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix((long["weight"].to_numpy(), (long["row"].to_numpy(), long["column"].to_numpy())), shape=shape)


# -- the analyzer -------------------------------------------------------------------------------


def test_terms_are_stems_and_bigrams_within_a_clause() -> None:
    assert analyze(["Longue attente, mais conseillers aimables"], language="fr") == [
        ["longu", "attent", "mai", "conseil", "aimabl", "longu attent", "mai conseil", "conseil aimabl"]
    ]
    # elisions expanded, accents folded, English n't split; an empty text has no term
    assert analyze(["L'accueil n'était pas agréable", "", "   "], language="fr")[0][:5] == ["le", "accueil", "ne", "etait", "pas"]
    assert analyze(["", "   "]) == [[], []]
    assert analyze(["The advisor isn't friendly"], language="en")[0][:5] == ["the", "advisor", "is", "not", "friend"]
    # per-text languages: the same word stemmed by each language's Snowball stemmer
    assert analyze(["agences agencies"] * 2, languages=["fr", "en"], ngram_range=(1, 1)) == [["agenc", "agenc"], ["agenc", "agenc"]]


# -- TF-IDF against scikit-learn ----------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"min_df": 2},
        {"min_df": 1, "ngram_range": (1, 1), "sublinear_tf": False},
        {"min_df": 0.005, "max_df": 0.3, "max_features": 400},
        {"min_df": 3, "max_df": 200, "ngram_range": (2, 2)},
    ],
    ids=["default", "unigrams-raw-tf", "proportions-max-features", "bigrams-counts"],
)
def test_tfidf_matrix_and_idf_equal_sklearn(data: tuple[list[str], list[Any], list[str]], settings: dict[str, Any]) -> None:
    texts, labels, langs = data
    train, new = texts[:2000], texts[2000:]
    if "max_features" in settings:
        settings = dict(settings, max_features=untied_limit(train, langs[:2000], settings))
    model = Classifier(C=1.0, **settings).fit(train, labels[:2000], languages=langs[:2000])
    # the analyzer callable sees the same language decisions as the model: detection per text
    vec = sk_vectorizer(model, texts, langs, **{k: v for k, v in settings.items() if k != "ngram_range"},
                        **({"sublinear_tf": True} if "sublinear_tf" not in settings else {}))
    x_sk = vec.fit_transform(train)
    assert list(vec.get_feature_names_out()) == model.vocabulary
    idf_diff = np.abs(vec.idf_ - model.idf.to_numpy()).max()
    assert idf_diff <= 1e-12
    for docs, ref in ((train, x_sk), (new, vec.transform(new))):
        mine = as_csr(model.transform(docs), ref.shape)
        assert abs(mine - ref).max() <= 1e-12
        assert mine.nnz == ref.nnz


def test_model_reads_each_text_in_its_language(data: tuple[list[str], list[Any], list[str]]) -> None:
    texts, labels, langs = data
    model = Classifier().fit(texts[:500], labels[:500], languages=langs[:500])
    # detected languages give the same terms as the given ones on this corpus
    assert model.terms(texts[:50]) == model.terms(texts[:50], languages=langs[:50])
    # a verbatims table: its text and language columns
    table = pl.DataFrame({"text": texts[:500], "language": langs[:500]})
    assert Classifier().fit(table, labels[:500])._model().to_bytes() == model._model().to_bytes()
    assert model.predict(table).equals(model.predict(texts[:500], languages=langs[:500]))
    fr = Classifier(language="fr").fit(texts[:500], labels[:500])
    assert fr.terms(["waiting agencies"]) == [["waiting", "agenc", "waiting agenc"]]


# -- logistic regression against scikit-learn ---------------------------------------------------


@pytest.mark.parametrize(
    ("themes", "c", "class_weight"),
    [(THEMES, 1.0, None), (THEMES, 10.0, "balanced"), (["price", "wait"], 1.0, None)],
    ids=["multinomial", "multinomial-balanced", "binary"],
)
def test_predictions_agree_with_sklearn_logistic_regression(themes: list[str], c: float, class_weight: str | None) -> None:
    texts, labels, langs = corpus(3000, 2, themes=themes)
    train, test = slice(0, 2000), slice(2000, None)
    model = Classifier(C=c, class_weight=class_weight).fit(texts[train], labels[train], languages=langs[train])
    assert model.converged
    vec = sk_vectorizer(model, texts, langs, min_df=2, sublinear_tf=True)
    x_train = vec.fit_transform(texts[train])
    x_test = vec.transform(texts[test])
    ref = LogisticRegression(C=c, l1_ratio=0.0, class_weight=class_weight, max_iter=1000).fit(x_train, labels[train])
    assert list(ref.classes_) == model.labels
    mine = np.array(model.predict(texts[test], languages=langs[test]).to_list())
    theirs = ref.predict(x_test)
    agreement = float(np.mean(mine == theirs))
    assert agreement >= 0.98, agreement
    # the same optimum: probabilities close to a tightly converged scikit-learn fit
    tight = LogisticRegression(C=c, l1_ratio=0.0, class_weight=class_weight, max_iter=10_000, tol=1e-10).fit(x_train, labels[train])
    p_mine = model.predict_proba(texts[test], languages=langs[test]).to_numpy()
    assert np.abs(p_mine - tight.predict_proba(x_test)).max() < 1e-4
    assert np.isfinite(p_mine).all()
    assert np.allclose(p_mine.sum(axis=1), 1.0, atol=1e-12)
    # accuracy within a point of scikit-learn's
    truth = np.array(labels[test])
    assert abs(np.mean(mine == truth) - np.mean(theirs == truth)) <= 0.01


def test_cross_validation_matches_sklearn_on_the_same_folds(data: tuple[list[str], list[Any], list[str]]) -> None:
    texts, labels, langs = data
    texts, labels, langs = texts[:2000], labels[:2000], langs[:2000]
    folds = stratified_folds(labels, folds=5, seed=3)
    C = 10.0  # the default
    cv = cross_validate(texts, labels, folds=folds, languages=langs)
    assert cv["fold"].to_list() == ["0", "1", "2", "3", "4", "mean"]
    assert cv["n_test"].to_list()[:5] == [400] * 5
    f = folds.to_numpy()
    t, y = np.array(texts, dtype=object), np.array(labels)
    ours, sk = [], []
    for k in range(5):
        tr, te = f != k, f == k
        model = Classifier(C=C).fit(list(t[tr]), list(y[tr]), languages=list(np.array(langs)[tr]))
        pred = np.array(model.predict(list(t[te]), languages=list(np.array(langs)[te])).to_list())
        row = cv.row(k, named=True)
        # the columns, by scikit-learn's and miroir.stats' definitions, on miroir's predictions
        assert row["accuracy"] == pytest.approx(accuracy_score(y[te], pred), abs=1e-12)
        assert row["macro_f1"] == pytest.approx(f1_score(y[te], pred, average="macro"), abs=1e-12)
        assert row["kappa"] == pytest.approx(cohen_kappa_score(y[te], pred), abs=1e-12)
        assert row["kappa"] == pytest.approx(ms.cohen_kappa(list(y[te]), list(pred))["estimate"][0], abs=1e-12)
        ours.append(row["macro_f1"])
        # scikit-learn's pipeline on the same fold
        vec = sk_vectorizer(model, texts, langs, min_df=2, sublinear_tf=True)
        ref = LogisticRegression(C=C, l1_ratio=0.0, max_iter=1000).fit(vec.fit_transform(list(t[tr])), y[tr])
        sk.append(f1_score(y[te], ref.predict(vec.transform(list(t[te]))), average="macro"))
    mean = cv.row(5, named=True)
    assert mean["macro_f1"] == pytest.approx(np.mean(ours), abs=1e-12)
    assert abs(mean["macro_f1"] - np.mean(sk)) <= 0.01, (mean["macro_f1"], np.mean(sk))
    # folds=<int> is stratified_folds with the same seed
    again = cross_validate(texts, labels, folds=5, seed=3, languages=langs)
    assert again.equals(cv)


def test_themes_one_binary_model_each_agrees_with_one_vs_rest() -> None:
    texts, labels, langs = corpus(1600, 4, multi=True)
    model = Classifier(C=5.0, language=None).fit(texts[:1100], labels[:1100])
    assert model.multi_label and model.labels == THEMES and len(model.n_iter) == 5
    vec = sk_vectorizer(model, min_df=2, sublinear_tf=True)
    mlb = MultiLabelBinarizer(classes=THEMES)
    ref = OneVsRestClassifier(LogisticRegression(C=5.0, l1_ratio=0.0, max_iter=1000))
    ref.fit(vec.fit_transform(texts[:1100]), mlb.fit_transform(labels[:1100]))
    theirs = ref.predict(vec.transform(texts[1100:]))
    mine = mlb.transform(model.predict(texts[1100:]).to_list())
    rows_equal = float(np.mean((mine == theirs).all(axis=1)))
    assert rows_equal >= 0.98, rows_equal
    tight = OneVsRestClassifier(LogisticRegression(C=5.0, l1_ratio=0.0, max_iter=10_000, tol=1e-10))
    tight.fit(vec.fit_transform(texts[:1100]), mlb.fit_transform(labels[:1100]))
    p = model.predict_proba(texts[1100:]).to_numpy()
    assert np.abs(p - tight.predict_proba(vec.transform(texts[1100:]))).max() < 1e-4
    # cross-validated columns by scikit-learn's multi-label definitions
    folds = stratified_folds(labels[:600], folds=3, seed=0).to_numpy()
    cv = cross_validate(texts[:600], labels[:600], folds=list(folds), C=5.0)
    k = 0
    tr, te = folds != k, folds == k
    t = np.array(texts[:600], dtype=object)
    fold_model = Classifier(C=5.0).fit(list(t[tr]), [labels[i] for i in np.flatnonzero(tr)])
    pred = mlb.transform(fold_model.predict(list(t[te])).to_list())
    truth = mlb.transform([labels[i] for i in np.flatnonzero(te)])
    row = cv.row(0, named=True)
    assert row["accuracy"] == pytest.approx(accuracy_score(truth, pred), abs=1e-12)
    assert row["macro_f1"] == pytest.approx(f1_score(truth, pred, average="macro", zero_division=0), abs=1e-12)
    kappas = [cohen_kappa_score(truth[:, j], pred[:, j]) for j in range(5)]
    assert row["kappa"] == pytest.approx(np.mean(kappas), abs=1e-12)


def test_uncertain_lists_the_smallest_margins_first(data: tuple[list[str], list[Any], list[str]]) -> None:
    texts, labels, langs = data
    model = Classifier().fit(texts[:1000], labels[:1000], languages=langs[:1000])
    pool = texts[1000:1500]
    out = model.uncertain(pool, 10)
    assert out.columns == ["row", "text", "label", "confidence", "margin"]
    p = np.sort(model.predict_proba(pool).to_numpy(), axis=1)
    margins = p[:, -1] - p[:, -2]
    expected = np.lexsort((np.arange(len(pool)), margins))[:10]
    assert out["row"].to_list() == list(expected)
    assert out["margin"].to_numpy() == pytest.approx(margins[expected], abs=1e-15)
    assert out["text"].to_list() == [pool[i] for i in expected]
    assert out["confidence"].to_numpy() == pytest.approx(p[expected, -1], abs=1e-15)
    assert model.uncertain(pool, 0).height == 0
    top = model.top_terms(3)
    assert top.height == 15 and set(top["term"]) <= set(model.vocabulary)
    assert top.filter(pl.col("label") == "price")["weight"].is_sorted(descending=True)


# -- determinism ----------------------------------------------------------------------------------

FIT_SCRIPT = """
import hashlib, json, sys
from miroir.text.classifier import Classifier, cross_validate
data = json.load(open(sys.argv[1]))
texts, labels, langs, multi = data["texts"], data["labels"], data["langs"], data["multi"]
m = Classifier(C=3.0).fit(texts, labels, languages=langs)
p = m.predict_proba(texts[:500]).to_numpy()
cv = cross_validate(texts[:900], labels[:900], folds=3)
mt = Classifier().fit(texts[:800], multi[:800])
print(hashlib.sha256(m._core.to_bytes()).hexdigest(), hashlib.sha256(p.tobytes()).hexdigest(),
      hashlib.sha256(cv.write_csv().encode()).hexdigest(), hashlib.sha256(mt._core.to_bytes()).hexdigest())
"""


def test_fits_are_byte_identical_across_thread_counts(tmp_path: Path) -> None:
    texts, labels, langs = corpus(3000, 5)
    multi = corpus(800, 6, multi=True)[1]
    data = tmp_path / "corpus.json"
    data.write_text(json.dumps({"texts": texts, "labels": labels, "langs": langs, "multi": multi}))
    runs = []
    for threads in (1, 2):
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
        out = subprocess.run([sys.executable, "-c", FIT_SCRIPT, str(data)],
                             capture_output=True, text=True, env=env, timeout=600, check=True)
        runs.append(out.stdout.split())
    assert len(runs[0]) == 4
    assert runs[0] == runs[1]


def test_refit_gives_the_same_model(data: tuple[list[str], list[Any], list[str]]) -> None:
    texts, labels, _ = data
    a = Classifier().fit(texts[:800], labels[:800])
    b = Classifier().fit(texts[:800], labels[:800])
    assert a._model().to_bytes() == b._model().to_bytes()


# -- files --------------------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path, data: tuple[list[str], list[Any], list[str]]) -> None:
    texts, labels, langs = data
    model = Classifier("fr", seed=7, C=2.0, min_df=0.001, max_features=500, class_weight="balanced").fit(texts[:600], labels[:600])
    path = model.save(tmp_path / "model.miroir")
    assert path.read_bytes()[:8] == b"MIROIRTC"
    again = Classifier.load(path)
    assert again.settings == model.settings
    assert again.settings["C"] == 2.0 and again.settings["min_df"] == 0.001 and again.settings["seed"] == 7
    assert again.vocabulary == model.vocabulary and again.labels == model.labels
    assert again.predict_proba(texts[600:700]).equals(model.predict_proba(texts[600:700]))
    assert again._model().to_bytes() == model._model().to_bytes()
    assert repr(again) == repr(model)


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign", "newer", "empty"])
def test_corrupt_model_files_are_file_errors(tmp_path: Path, damage: str) -> None:
    texts, labels, _ = corpus(200, 8)
    good = Classifier(min_df=1).fit(texts, labels)._model().to_bytes()
    bad = {
        "flip": good[:100] + bytes([good[100] ^ 0x10]) + good[101:],
        "truncate": good[: len(good) // 2],
        "foreign": b"PK\x03\x04 this is a zip file, not a model",
        "newer": good[:8] + (2).to_bytes(4, "little") + good[12:],
        "empty": b"",
    }[damage]
    path = tmp_path / "model.miroir"
    path.write_bytes(bad)
    with pytest.raises(miroir.FileError) as e:
        Classifier.load(path)
    assert str(path) in str(e.value)
    message = {"flip": "checksum", "truncate": "checksum", "foreign": "MIROIRTC", "newer": "version 2", "empty": "MIROIRTC"}[damage]
    assert message in str(e.value)


def test_missing_model_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(miroir.FileError, match="cannot read"):
        Classifier.load(tmp_path / "nope.miroir")
    with pytest.raises(NotFittedError):
        Classifier().save(tmp_path / "x.miroir")


# -- bad input ------------------------------------------------------------------------------------


def test_bad_input_is_a_typed_error_naming_the_argument_and_rows() -> None:
    texts, labels, _ = corpus(60, 9)
    with pytest.raises(miroir.InvalidArgumentError, match=r"'texts'.*2 rows \(first at row index 3, 7\)"):
        Classifier().fit([*texts[:3], "", *texts[4:7], " \t", *texts[8:]], labels)
    with pytest.raises(miroir.InvalidArgumentError, match=r"'texts'.*1 row \(first at row index 1\)"):
        Classifier().fit([texts[0], None, *texts[2:]], labels)
    with pytest.raises(miroir.InvalidArgumentError, match=r"'texts'.*row index 0"):
        Classifier().fit(["?!", *texts[1:]], labels)
    with pytest.raises(miroir.InvalidArgumentError, match=r"'labels'.*59 labels for 60 texts"):
        Classifier().fit(texts, labels[:59])
    with pytest.raises(miroir.InvalidArgumentError, match=r"'labels'.*missing labels: 1 row \(first at row index 4\)"):
        Classifier().fit(texts, [*labels[:4], None, *labels[5:]])
    with pytest.raises(miroir.InsufficientDataError, match=r"labels: only one class \('wait'\)"):
        Classifier().fit(texts, ["wait"] * 60)
    with pytest.raises(miroir.InsufficientDataError, match="theme 'all' is on every one"):
        Classifier().fit(texts, [["all", x] for x in labels])
    with pytest.raises(miroir.EmptyTableError, match="texts"):
        Classifier().fit([], [])
    with pytest.raises(miroir.InvalidArgumentError, match="'language'.*unknown language 'de'"):
        Classifier(language="de")
    with pytest.raises(miroir.InvalidArgumentError, match=r"'languages'.*row 2: unknown language 'xx'"):
        Classifier().fit(texts, labels, languages=["fr", "en", "xx"] + ["fr"] * 57)
    with pytest.raises(miroir.InvalidArgumentError, match="'texts'.*expected text"):
        Classifier().fit(list(range(60)), labels)
    with pytest.raises(miroir.InvalidArgumentError, match="'C'"):
        Classifier(C=0.0).fit(texts, labels)
    with pytest.raises(miroir.InvalidArgumentError, match="'C'"):
        Classifier(C=float("nan")).fit(texts, labels)
    with pytest.raises(miroir.InvalidArgumentError, match="'min_df'.*proportion"):
        Classifier(min_df=1.5).fit(texts, labels)
    with pytest.raises(miroir.InvalidArgumentError, match="'min_df'.*bool"):
        Classifier(min_df=True).fit(texts, labels)
    with pytest.raises(miroir.InvalidArgumentError, match="'class_weight'"):
        Classifier(class_weight="auto").fit(texts, labels)
    with pytest.raises(miroir.InvalidArgumentError, match="'ngram_range'"):
        Classifier(ngram_range=(2, 1)).fit(texts, labels)
    with pytest.raises(miroir.InsufficientDataError, match="no term is left"):
        Classifier(min_df=59).fit(texts, labels)
    with pytest.raises(miroir.InvalidArgumentError, match="'max_df'.*fewer than min_df"):
        Classifier(min_df=61).fit(texts, labels)
    with pytest.raises(NotFittedError, match="not fitted"):
        Classifier().predict(texts)
    model = Classifier().fit(texts, labels)
    with pytest.raises(miroir.InvalidArgumentError, match=r"'texts'.*row index 1"):
        model.predict([texts[0], ""])
    # a text with words but none of the vocabulary is predicted from the intercepts: finite
    p = model.predict_proba(["zzz qqq"]).to_numpy()
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)


def test_bad_folds_are_typed_errors() -> None:
    texts, labels, _ = corpus(40, 10)
    with pytest.raises(miroir.InvalidArgumentError, match="'folds'.*2 to 40"):
        cross_validate(texts, labels, folds=1)
    with pytest.raises(miroir.InvalidArgumentError, match="'folds'.*2 to 40"):
        cross_validate(texts, labels, folds=41)
    with pytest.raises(miroir.InvalidArgumentError, match="'folds'.*39 fold numbers for 40 texts"):
        cross_validate(texts, labels, folds=[0, 1] * 19 + [0])
    with pytest.raises(miroir.InvalidArgumentError, match="'folds'.*fold 7 holds 1 text"):
        cross_validate(texts, labels, folds=[0, 1] * 19 + [0, 7])
    with pytest.raises(miroir.InsufficientDataError, match="fold 3: the other folds: labels: only one class"):
        cross_validate(texts, ["a"] * 20 + ["b"] * 20, folds=[3] * 20 + [8] * 20)


def test_a_fit_that_stops_early_warns() -> None:
    texts, labels, _ = corpus(300, 11)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = Classifier(max_iter=2).fit(texts, labels)
    assert not model.converged
    assert any(issubclass(w.category, miroir.DataQualityWarning) and "max_iter" in str(w.message) for w in caught)


def test_sha_of_the_corpus_is_stable() -> None:
    # the generator itself is deterministic (the tests above rely on it)
    a = hashlib.sha256("\n".join(corpus(100, 1)[0]).encode()).hexdigest()
    assert a == hashlib.sha256("\n".join(corpus(100, 1)[0]).encode()).hexdigest()
