"""Differential tests: miroir.stats agreement between codings.

- ``cohen_kappa`` against scikit-learn 1.9's ``cohen_kappa_score`` (unweighted, linear,
  quadratic) and, for the standard errors and the test of kappa = 0, statsmodels 0.15's
  ``cohens_kappa(table, wt=...)`` (``std_kappa``, ``std_kappa0``, ``z_value``,
  ``pvalue_two_sided``, ``kappa_low``, ``kappa_upp``), all to 1e-12.
- ``krippendorff_alpha`` against the package ``krippendorff`` 0.9 (``alpha``, coders in rows,
  value domain from the data) at the four levels of measurement, with missing values, to 1e-12.
- ``agreement`` against scikit-learn's ``precision_recall_fscore_support`` on multi-label
  indicator matrices (``MultiLabelBinarizer``), ``zero_division=np.nan``, per theme and macro /
  micro averages, to 1e-12.

Random cases are seeded; bad input raises the typed errors named in the docstrings.
"""

from __future__ import annotations

from functools import partial
import math

import krippendorff
import numpy as np
import polars as pl
import pytest
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer
from statsmodels.stats.inter_rater import cohens_kappa

import miroir
import miroir.stats as ms
import _support
from _support import row

TOL = 1e-12


close = partial(_support.close, rtol=TOL, atol=TOL)


def ratings(seed: int, n: int, k: int, agree: float) -> tuple[np.ndarray, np.ndarray]:
    """Two raters on k ordered categories; b copies a with probability ``agree``, else shifts
    it by -1, +1 or draws afresh."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, k, n)
    b = a.copy()
    redo = rng.random(n) > agree
    shift = rng.choice([-1, 1, 0], size=n)
    fresh = rng.integers(0, k, n)
    b[redo] = np.where(shift[redo] == 0, fresh[redo], np.clip(a[redo] + shift[redo], 0, k - 1))
    return a, b


CASES = [(0, 30, 2, 0.7), (1, 200, 3, 0.5), (2, 57, 5, 0.8), (3, 1000, 4, 0.3), (4, 12, 3, 0.9), (5, 400, 7, 0.6)]


@pytest.mark.parametrize("seed,n,k,agree", CASES)
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_matches_sklearn_and_statsmodels(seed: int, n: int, k: int, agree: float, weights: str | None) -> None:
    a, b = ratings(seed, n, k, agree)
    res = row(ms.cohen_kappa(a, b, weights=weights))
    assert close(res["estimate"], cohen_kappa_score(a, b, weights=weights))
    # statsmodels takes the contingency table over the categories that occur (in order)
    cats = np.unique(np.concatenate([a, b]))
    table = np.array([[np.sum((a == i) & (b == j)) for j in cats] for i in cats])
    sm = cohens_kappa(table, wt=weights)  # its interval is 95%
    assert close(res["estimate"], sm.kappa)
    assert close(res["se"], sm.std_kappa)
    assert close(res["se_null"], sm.std_kappa0)
    assert close(res["statistic"], sm.z_value)
    assert close(res["p_value"], sm.pvalue_two_sided)
    assert close(res["ci_low"], sm.kappa_low)
    assert close(res["ci_high"], sm.kappa_upp)
    assert res["n"] == n and res["n_categories"] == len(cats)


def test_cohen_kappa_text_labels_and_their_order() -> None:
    words = np.array(["low", "medium", "high"])
    a, b = ratings(11, 150, 3, 0.6)
    wa, wb = words[a], words[b]
    # default order is alphabetical (high, low, medium), as scikit-learn's
    got = row(ms.cohen_kappa(wa, wb, weights="linear"))["estimate"]
    assert close(got, cohen_kappa_score(wa, wb, weights="linear"))
    # an explicit order: the same as the integer codes
    ordered = row(ms.cohen_kappa(wa, wb, weights="linear", labels=["low", "medium", "high"]))["estimate"]
    assert close(ordered, cohen_kappa_score(a, b, weights="linear"))
    assert close(ordered, cohen_kappa_score(wa, wb, weights="linear", labels=["low", "medium", "high"]))
    assert not close(got, ordered)
    # unweighted kappa does not depend on the order
    assert close(row(ms.cohen_kappa(wa, wb))["estimate"], cohen_kappa_score(a, b))


def test_cohen_kappa_perfect_chance_and_undefined() -> None:
    a = [0, 1, 2, 2, 1, 0, 1]
    assert row(ms.cohen_kappa(a, a))["estimate"] == pytest.approx(1.0, abs=1e-15)
    # exactly chance agreement: p_o = p_e
    r = row(ms.cohen_kappa([0, 0, 1, 1], [0, 1, 0, 1]))
    assert r["estimate"] == pytest.approx(0.0, abs=1e-15)
    assert r["p_value"] == pytest.approx(1.0, abs=1e-12)
    same = row(ms.cohen_kappa(["x"] * 5, ["x"] * 5))
    assert math.isnan(same["estimate"]) and "undefined" in same["note"]


def test_cohen_kappa_bad_input_is_typed() -> None:
    with pytest.raises(miroir.StatsError, match="same units"):
        ms.cohen_kappa([0, 1, 1], [0, 1])
    with pytest.raises(miroir.StatsError, match="at least 2"):
        ms.cohen_kappa([1], [1])
    with pytest.raises(miroir.InvalidArgumentError, match="'b': 1 missing"):
        ms.cohen_kappa([0, 1, 1], [0, None, 1])
    with pytest.raises(miroir.InvalidArgumentError, match="not in 'labels'"):
        ms.cohen_kappa(["a", "b"], ["a", "c"], labels=["a", "b"])
    with pytest.raises(miroir.InvalidArgumentError, match="weights"):
        ms.cohen_kappa([0, 1], [0, 1], weights="cubic")
    with pytest.raises(miroir.InvalidArgumentError, match="confidence"):
        ms.cohen_kappa([0, 1], [0, 1], confidence=1.0)


def coders_table(seed: int, coders: int, units: int, k: int, missing: float, spread: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, k + 1, units).astype(float)
    data = truth + np.round(rng.normal(0, spread, (coders, units)))
    data = np.clip(data, 1, k)
    data[rng.random((coders, units)) < missing] = np.nan
    return data


ALPHA_CASES = [(0, 2, 20, 3, 0.0, 0.5), (1, 3, 50, 5, 0.2, 0.8), (2, 5, 200, 7, 0.4, 1.2), (3, 4, 12, 4, 0.3, 0.3), (4, 10, 300, 10, 0.6, 2.0)]


@pytest.mark.parametrize("case", ALPHA_CASES)
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_matches_the_package(case: tuple, level: str) -> None:
    data = coders_table(*case)
    want = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    res = row(ms.krippendorff_alpha(data, level=level))
    assert close(res["estimate"], want), (res["estimate"], want)
    # the same table given units x coders, and as a polars DataFrame with nulls
    assert close(row(ms.krippendorff_alpha(data.T, level=level, coders="columns"))["estimate"], want)
    frame = pl.DataFrame({f"coder{i}": data[i] for i in range(data.shape[0])}).fill_nan(None)
    assert close(row(ms.krippendorff_alpha(frame, level=level, coders="columns"))["estimate"], want)
    pairable = np.sum(~np.isnan(data), axis=0) >= 2
    assert res["n_units"] == pairable.sum()
    assert res["n"] == np.sum(~np.isnan(data[:, pairable]))


def test_krippendorff_alpha_published_example_and_text_categories() -> None:
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
    for level, value in published.items():
        assert round(row(ms.krippendorff_alpha(data, level=level))["estimate"], 3) == value
    # nominal categories written as words give the same alpha as their codes
    words = {1: "wait", 2: "price", 3: "staff", 4: "choice", 5: "parking"}
    text = [[None if v is None else words[v] for v in r] for r in data]
    assert close(row(ms.krippendorff_alpha(text))["estimate"], row(ms.krippendorff_alpha(data))["estimate"])
    with pytest.raises(miroir.InvalidArgumentError, match="needs numbers"):
        ms.krippendorff_alpha(text, level="interval")


def test_krippendorff_alpha_bad_input_is_typed() -> None:
    nan = float("nan")
    with pytest.raises(miroir.StatsError, match="every value is missing"):
        ms.krippendorff_alpha([[nan, nan], [nan, nan]])
    with pytest.raises(miroir.StatsError, match="at least 2 coders"):
        ms.krippendorff_alpha([[1.0, 2.0, 3.0]])
    with pytest.raises(miroir.StatsError, match="no unit was coded by at least 2"):
        ms.krippendorff_alpha([[1.0, nan], [nan, 2.0]])
    with pytest.raises(miroir.InvalidArgumentError, match="one value per unit"):
        ms.krippendorff_alpha([[1.0, 2.0], [1.0]])
    with pytest.raises(miroir.InvalidArgumentError, match="level"):
        ms.krippendorff_alpha([[1.0, 2.0], [1.0, 2.0]], level="circular")
    with pytest.raises(miroir.StatsError, match="ratio"):
        ms.krippendorff_alpha([[-1.0, 2.0], [1.0, 2.0]], level="ratio")
    const = row(ms.krippendorff_alpha([[2.0, 2.0, nan], [2.0, 2.0, 2.0]]))
    assert math.isnan(const["estimate"]) and const["note"]


def random_codings(seed: int, n: int, themes: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A reference coding with 0-3 themes per verbatim and a noisy copy of it."""
    rng = np.random.default_rng(seed)
    ref, cod = [], []
    for i in range(n):
        k = rng.integers(0, 4)
        chosen = list(rng.choice(themes, size=k, replace=False))
        ref += [(f"r{i}", t) for t in chosen]
        kept = [t for t in chosen if rng.random() > 0.2]
        extra = [t for t in themes if t not in chosen and rng.random() < 0.05]
        cod += [(f"r{i}", t) for t in kept + extra]
    frame = lambda rows: pl.DataFrame(rows, schema=["respondent_id", "theme"], orient="row")  # noqa: E731
    return frame(cod), frame(ref)


@pytest.mark.parametrize("seed,n", [(0, 40), (1, 300), (2, 7)])
def test_agreement_matches_sklearn_multilabel(seed: int, n: int) -> None:
    themes = ["accueil", "attente", "conseil", "prix", "propreté", "suivi"]
    coded, reference = random_codings(seed, n, themes)
    # one theme only the coding uses: its recall is defined, precision 0 or defined, etc.
    coded = pl.concat([coded, pl.DataFrame({"respondent_id": ["r0"], "theme": ["parking"]})])
    got = ms.agreement(coded, reference)
    ids = sorted(set(coded["respondent_id"]) | set(reference["respondent_id"]))
    sets = lambda f: [set(f.filter(pl.col("respondent_id") == i)["theme"]) for i in ids]  # noqa: E731
    mlb = MultiLabelBinarizer(classes=sorted(set(coded["theme"]) | set(reference["theme"])))
    mlb.fit([])
    y_true, y_pred = mlb.transform(sets(reference)), mlb.transform(sets(coded))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, zero_division=np.nan)
    per = got.filter(pl.col("average").is_null())
    assert per["label"].to_list() == list(mlb.classes_)
    for j in range(len(mlb.classes_)):
        assert close(per["precision"][j], p[j]) and close(per["recall"][j], r[j]) and close(per["f1"][j], f[j])
        assert per["support"][j] == s[j]
    for avg in ["macro", "micro"]:
        pa, ra, fa, _ = precision_recall_fscore_support(y_true, y_pred, average=avg, zero_division=np.nan)
        one = got.filter(pl.col("average") == avg).row(0, named=True)
        assert close(one["precision"], pa) and close(one["recall"], ra) and close(one["f1"], fa), avg
    assert got["n_items"][0] == len(ids)


def test_agreement_theme_and_valence_keys_and_errors() -> None:
    human = pl.DataFrame(
        {"study": ["s"] * 3, "respondent_id": ["c1", "c1", "c2"], "theme": ["wait", "staff", "wait"], "valence": ["negative", "positive", "negative"]}
    )
    model = human.with_columns(pl.when(pl.col("theme") == "staff").then(pl.lit("negative")).otherwise("valence").alias("valence"))
    by_theme = ms.agreement(model, human)
    assert by_theme.filter(pl.col("average") == "macro")["f1"][0] == 1.0
    both = ms.agreement(model, human, label=["theme", "valence"])
    assert set(both["label"].drop_nulls()) == {"staff / negative", "staff / positive", "wait / negative"}
    assert both.filter(pl.col("average") == "micro")["f1"][0] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1), abs=1e-15)
    # a duplicated mention (two spans of one theme) counts once
    assert ms.agreement(pl.concat([model, model]), human).equals(by_theme)
    with pytest.raises(miroir.MissingColumnError, match="'theme'"):
        ms.agreement(model.drop("theme"), human)
    with pytest.raises(miroir.MissingValueError, match="respondent_id"):
        ms.agreement(model.with_columns(pl.lit(None, pl.String).alias("respondent_id")), human)
    with pytest.raises(miroir.InvalidArgumentError, match="'on'"):
        ms.agreement(pl.DataFrame({"id": ["a"], "theme": ["t"]}), pl.DataFrame({"id": ["a"], "theme": ["t"]}))
    assert ms.agreement(pl.DataFrame({"id": ["a"], "theme": ["t"]}), pl.DataFrame({"id": ["a"], "theme": ["t"]}), on="id")["f1"][0] == 1.0
