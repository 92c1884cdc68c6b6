"""Differential tests: miroir.stats.adjust_pvalues against statsmodels' multipletests.

Assumed contract: ``ms.adjust_pvalues(p, method)`` returns a polars Series named ``p_adjusted``
in the order of ``p`` (a numpy array is accepted too). Methods: holm, bonferroni, hochberg, bh,
by = statsmodels' holm, bonferroni, simes-hochberg, fdr_bh, fdr_by = R's p.adjust names.

NaN (deliberate difference: statsmodels rejects NaN): a NaN stays NaN in place and the other
values are adjusted as a family of the non-NaN count, as R's ``p.adjust`` (its default
``n = length(p[!is.na(p)])``) — checked by adjusting the non-NaN subset with statsmodels.
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

import miroir
import miroir.stats as ms

METHODS = {"holm": "holm", "bonferroni": "bonferroni", "hochberg": "simes-hochberg", "bh": "fdr_bh", "by": "fdr_by"}
SEED = 99


def _values(res) -> np.ndarray:
    if hasattr(res, "to_numpy"):
        if hasattr(res, "name"):
            assert res.name == "p_adjusted"
        return np.asarray(res.to_numpy(), dtype=float)
    return np.asarray(res, dtype=float)


def _families(rng, count):
    fams = [np.array([0.5]), np.array([0.0, 1.0]), np.array([0.01, 0.01, 0.01]), np.array([1.0] * 4)]
    while len(fams) < count:
        m = int(rng.choice([1, 2, 3, 5, 10, 50, 200]))
        kind = rng.random()
        if kind < 0.3:
            p = rng.random(m)
        elif kind < 0.6:
            p = rng.random(m) ** 6  # many small p-values
        elif kind < 0.8:
            p = rng.choice([0.001, 0.01, 0.04, 0.05, 0.2, 1.0], m)  # ties
        else:
            p = np.concatenate([rng.random(m // 2) * 1e-8, rng.random(m - m // 2)])
        fams.append(p)
    return fams


@pytest.fixture(autouse=True)
def _no_gc_collect(monkeypatch):
    """statsmodels' holm branch calls gc.collect() on every call (about 80 ms inside a pytest
    session); it frees nothing the comparison needs, so it is stubbed out here."""
    import gc

    monkeypatch.setattr(gc, "collect", lambda *args, **kwargs: 0)


@pytest.mark.parametrize("method", list(METHODS))
def test_matches_statsmodels(method):
    rng = np.random.default_rng(SEED)
    for p in _families(rng, 1000):
        ours = _values(ms.adjust_pvalues(p, method=method))
        ref = multipletests(p, method=METHODS[method])[1]
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-15, err_msg=f"{method} {p}")


@pytest.mark.parametrize("method", list(METHODS))
def test_nan_kept_in_place_family_of_non_nan(method):
    rng = np.random.default_rng(SEED + 1)
    for _ in range(300):
        m = int(rng.integers(1, 40))
        p = rng.random(m)
        mask = rng.random(m) < 0.3
        p[mask] = np.nan
        ours = _values(ms.adjust_pvalues(p, method=method))
        assert np.array_equal(np.isnan(ours), mask)
        if (~mask).any():
            ref = multipletests(p[~mask], method=METHODS[method])[1]
            np.testing.assert_allclose(ours[~mask], ref, rtol=1e-12, atol=1e-15)


def test_r_reference_values():
    # R 4.x: p.adjust(c(0.01, NA, 0.04, 0.03), "holm") -> 0.03 NA 0.06 0.06
    ours = _values(ms.adjust_pvalues([0.01, float("nan"), 0.04, 0.03], method="holm"))
    np.testing.assert_allclose(ours[[0, 2, 3]], [0.03, 0.06, 0.06], rtol=1e-14)
    assert np.isnan(ours[1])


def test_edge_cases():
    assert len(_values(ms.adjust_pvalues([], method="bh"))) == 0
    assert np.isnan(_values(ms.adjust_pvalues([float("nan")], method="bh"))[0])
    with pytest.raises(miroir.MiroirError):
        ms.adjust_pvalues([0.5, 1.5], method="holm")
    with pytest.raises(miroir.MiroirError):
        ms.adjust_pvalues([0.5], method="sidak")
