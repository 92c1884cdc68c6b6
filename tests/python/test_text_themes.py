"""miroir.text.themes: theme discovery by spherical k-means on TF-IDF rows (Rust:
src/text/cluster.rs).

References: scikit-learn's ``KMeans`` on scikit-learn's TF-IDF of the same terms — on
well-separated themes both find the same partition (up to the numbering of clusters); the
keywords recomputed here by class-based TF-IDF from the assignments; the confidentiality rule
(no keyword, no verbatim for a cluster of fewer than ``min_text_group_size`` respondents,
counted by respondent, not by text); determinism across thread counts; typed errors.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

import miroir
from miroir.text import Codebook
from miroir.text.classifier import analyze
from miroir.text.themes import suggest_themes

GROUPS = {
    "wait": ["attente", "guichet", "patienter", "file", "interminable", "délai", "retard"],
    "staff": ["conseillère", "aimable", "souriant", "accueil", "écoute", "chaleureux", "poli"],
    "price": ["frais", "tarif", "cher", "facture", "commission", "augmentation", "coût"],
    "online": ["site", "application", "connexion", "identifiant", "page", "bug", "internet"],
}
GLUE = ["le", "la", "les", "un", "une", "des", "très", "vraiment", "et", "avec", "pour", "mais", "encore", "trop"]


def separated(n_per: int, seed: int, groups: dict[str, list[str]] | None = None) -> tuple[list[str], list[str]]:
    """Texts of a few words of one group's vocabulary and shared function words."""
    rng = random.Random(seed)
    groups = groups or GROUPS
    texts, truth = [], []
    for name, words in groups.items():
        for _ in range(n_per):
            picked = rng.sample(words, 3) + rng.sample(GLUE, 3)
            rng.shuffle(picked)
            texts.append(" ".join(picked))
            truth.append(name)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [truth[i] for i in order]


def sk_matrix(texts: list[str]) -> Any:
    terms = dict(zip(texts, analyze(texts, language="fr", stop_words=True)))
    return TfidfVectorizer(analyzer=lambda d: terms[d], min_df=2, max_df=0.95, sublinear_tf=True).fit_transform(texts)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partition_equals_sklearn_kmeans_on_well_separated_themes(seed: int) -> None:
    texts, truth = separated(40, seed)
    found = suggest_themes(texts, k=4, language="fr", seed=seed)
    ours = found.assignments["cluster"].to_numpy()
    theirs = KMeans(n_clusters=4, n_init=10, random_state=seed).fit_predict(sk_matrix(texts))
    assert adjusted_rand_score(ours, theirs) == 1.0
    assert adjusted_rand_score(ours, truth) == 1.0
    assert found.themes["size"].to_list() == [40, 40, 40, 40]
    assert found.converged and found.inertia > 0
    assert found.themes["share"].to_list() == [0.25] * 4
    # each theme's first keyword is a word of its group, shown with its accents
    for row in found.themes.iter_rows(named=True):
        members = [t for t, c in zip(truth, ours) if c == row["cluster"]]
        assert set(members) == {members[0]}
        assert row["keywords"][0] in GROUPS[members[0]], row


def test_keywords_are_class_based_tfidf_of_the_clusters() -> None:
    texts, _ = separated(30, 5)
    found = suggest_themes(texts, k=4, language="fr", n_keywords=6)
    terms = analyze(texts, language="fr", stop_words=True)
    vec = TfidfVectorizer(analyzer=lambda d: terms[texts.index(d)], min_df=2, max_df=0.95)
    vec.fit(texts)
    vocab = list(vec.get_feature_names_out())
    labels = found.assignments["cluster"].to_list()
    k = 4
    counts = np.zeros((len(vocab), k))
    index = {t: j for j, t in enumerate(vocab)}
    for doc, c in zip(terms, labels):
        for t in doc:
            if t in index:
                counts[index[t], c] += 1
    f = counts.sum(axis=1)
    a = counts.sum() / k
    for row in found.themes.iter_rows(named=True):
        c = row["cluster"]
        w = counts[:, c] / counts[:, c].sum() * np.log(1 + a / f)
        order = sorted((j for j in range(len(vocab)) if counts[j, c] > 0), key=lambda j: (-w[j], j))
        assert row["terms"] == [vocab[j] for j in order[:6]]
        assert len(row["keywords"]) == 6


def test_examples_are_the_closest_distinct_verbatims() -> None:
    texts, _ = separated(25, 6)
    found = suggest_themes(texts, k=4, language="fr", n_examples=4)
    a = found.assignments
    for row in found.themes.iter_rows(named=True):
        members = a.filter(pl.col("cluster") == row["cluster"]).sort("similarity", "row", descending=[True, False])
        assert len(row["examples"]) == 4 and len(set(row["examples"])) == 4
        assert set(row["examples"]) <= set(members["text"])
        # no member text strictly closer than the last example is left out (ties aside)
        last = members.filter(pl.col("text") == row["examples"][-1])["similarity"].max()
        closer = set(members.filter(pl.col("similarity") > last)["text"])
        assert closer <= set(row["examples"])
        assert 0 < row["cohesion"] <= 1
        assert row["cohesion"] == pytest.approx(members["similarity"].mean(), abs=1e-12)


def test_small_clusters_show_no_keyword_and_no_verbatim() -> None:
    texts, truth = separated(30, 7, {k: v for k, v in GROUPS.items() if k != "online"})
    few, _ = separated(6, 8, {"online": GROUPS["online"]})
    found = suggest_themes(texts + few, k=4, language="fr")
    small = found.themes.filter(pl.col("size") == 6)
    assert small.height == 1
    assert small["suppressed"].to_list() == [True]
    assert small["keywords"].to_list() == [None] and small["examples"].to_list() == [None]
    assert small["terms"].to_list() == [None]
    # the others are shown; the small one is listed, never dropped
    assert found.themes.height == 4 and found.themes.filter(~pl.col("suppressed")).height == 3
    # lowering the threshold is an explicit argument
    shown = suggest_themes(texts + few, k=4, language="fr", min_text_group_size=5)
    assert not shown.themes["suppressed"].any()
    # respondents, not texts: one employee who wrote 12 verbatims of a cluster is one respondent
    many, _ = separated(12, 9, {"online": GROUPS["online"]})
    table = pl.DataFrame({
        "study": ["s"] * (len(texts) + 12),
        "respondent_id": [f"r{i}" for i in range(len(texts))] + ["same"] * 12,
        "text": texts + many,
    })
    found = suggest_themes(table, k=4, language="fr")
    one = found.themes.filter(pl.col("size") == 12)
    assert one["respondents"].to_list() == [1] and one["suppressed"].to_list() == [True]
    assert found.assignments.columns == ["study", "respondent_id", "text", "cluster", "similarity", "reason"]


def test_only_what_the_codebook_leaves_uncoded_is_clustered() -> None:
    texts, truth = separated(20, 10)
    book = Codebook.from_dict([{"id": "wait", "fr": ["attente", "guichet", "patienter", "file", "interminable", "délai", "retard"]}])
    v = pl.DataFrame({
        "study": ["s"] * len(texts), "side": ["customer"] * len(texts),
        "respondent_id": [f"c{i}" for i in range(len(texts))], "question": ["comment"] * len(texts),
        "text": texts,
    })
    found = suggest_themes(v, k=3, language="fr", codebook=book, min_text_group_size=5)
    assert found.assignments.height == 60
    assert set(found.assignments["respondent_id"]) == {f"c{i}" for i, t in enumerate(truth) if t != "wait"}
    assert found.assignments.columns[:4] == ["study", "side", "respondent_id", "question"]
    assert sorted(found.themes["size"].to_list()) == [20, 20, 20]


def test_empty_texts_are_reported_not_dropped() -> None:
    texts, _ = separated(12, 11)
    found = suggest_themes([*texts, "", None, "le la les et", "zzzz"], k=4, language="fr")
    tail = found.assignments.tail(4)
    assert tail["cluster"].to_list() == [None] * 4
    assert tail["reason"].to_list() == ["empty", "empty", "no term", "no term"]
    assert found.assignments.height == len(texts) + 4
    assert repr(found) == f"ThemeSuggestions(4 themes, 4 shown, {len(texts)} of {len(texts) + 4} texts clustered)"


THEMES_SCRIPT = """
import json, sys
from miroir.text.themes import suggest_themes
noisy = json.load(open(sys.argv[1]))
f = suggest_themes(noisy, k=6, language="fr", seed=4, n_init=3)
print(f.themes.write_json())
print(f.assignments.write_json())
print(repr(f.inertia), f.n_iter)
"""


def test_identical_with_one_and_two_threads(tmp_path: Path) -> None:
    texts, _ = separated(200, 3)
    noisy = [t + " " + u.split()[0] for t, u in zip(texts, texts[1:] + texts[:1])]
    data = tmp_path / "texts.json"
    data.write_text(json.dumps(noisy))
    runs = []
    for threads in (1, 2):
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads), POLARS_MAX_THREADS=str(threads))
        out = subprocess.run([sys.executable, "-c", THEMES_SCRIPT, str(data)],
                             capture_output=True, text=True, env=env, timeout=600, check=True)
        runs.append(out.stdout)
    assert runs[0] == runs[1]
    themes = json.loads(runs[0].splitlines()[0])
    assert len(themes) == 6 and math.isfinite(float(runs[0].splitlines()[2].split()[0]))


def test_bad_input_is_a_typed_error() -> None:
    texts, _ = separated(3, 12)
    with pytest.raises(miroir.InvalidArgumentError, match=r"'k'.*k = 13 themes but only 12 of the 12 texts"):
        suggest_themes(texts, k=13, language="fr")
    with pytest.raises(miroir.InvalidArgumentError, match="'k'"):
        suggest_themes(texts, k=0)
    with pytest.raises(miroir.InvalidArgumentError, match="'n_init'"):
        suggest_themes(texts, k=2, n_init=0)
    with pytest.raises(miroir.EmptyTableError):
        suggest_themes([], k=2)
    with pytest.raises(miroir.InsufficientDataError, match="none of the 2 texts has a word"):
        suggest_themes(["", "  "], k=1)
    with pytest.raises(miroir.InvalidArgumentError, match="'language'"):
        suggest_themes(texts, k=2, language="de")
    with pytest.raises(miroir.InvalidArgumentError, match="'codebook'"):
        suggest_themes(texts, k=2, codebook=Codebook.from_dict([{"id": "x", "fr": ["x"]}]))
    with pytest.raises(miroir.InvalidArgumentError, match="'k'.*distinct"):
        suggest_themes(["attente guichet"] * 4 + ["frais tarif"] * 4, k=3, language="fr", max_df=1.0)
    with pytest.raises(miroir.InvalidArgumentError, match="'min_text_group_size'"):
        suggest_themes(texts, k=2, min_text_group_size=0)
