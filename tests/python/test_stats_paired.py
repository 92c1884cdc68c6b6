"""Differential tests: miroir.stats paired tests against scipy 1.17.

Functions: ``paired_t`` (reference ``scipy.stats.ttest_rel`` and its ``confidence_interval``)
and ``wilcoxon`` (reference ``scipy.stats.wilcoxon(a, b, zero_method="wilcox",
correction=False, alternative=..., method=...)``), all to 1e-10 relative.

Cases: small samples without ties (n = 5..20, exact), ties and zeros (n <= 13: scipy's exact
sign-flip permutation test; 14..50: normal approximation), n = 60 (normal approximation), all
alternatives, the three ``method`` values; two published examples with their printed results;
typed errors on bad input.

``wilcoxon``'s ``estimate`` is the Hodges-Lehmann pseudo-median, checked against numpy's median
of the Walsh averages of the non-zero differences (scipy reports no estimate).
"""

from __future__ import annotations

from functools import partial
import numpy as np
import pytest
from scipy import stats

import miroir
import miroir.stats as ms
import _support
from _support import is_nan as _nan
from _support import row as _row

RTOL = 1e-10
ALTS = ["two-sided", "less", "greater"]


close = partial(_support.close, rtol=RTOL, atol=1e-300)


def walsh_median(d: np.ndarray) -> float:
    d = d[d != 0]
    i, j = np.triu_indices(len(d))
    return float(np.median((d[i] + d[j]) / 2))


def check_t(a: np.ndarray, b: np.ndarray, alt: str, conf: float) -> None:
    r = _row(ms.paired_t(a, b, alternative=alt, confidence=conf))
    ref = stats.ttest_rel(a, b, alternative=alt)
    ci = ref.confidence_interval(conf)
    d = a - b
    assert close(r["statistic"], float(ref.statistic)), (r["statistic"], ref.statistic)
    assert close(r["p_value"], float(ref.pvalue)), (alt, r["p_value"], ref.pvalue)
    assert r["df"] == len(a) - 1 and r["n"] == len(a)
    assert close(r["estimate"], float(np.mean(d)))
    assert close(r["ci_low"], float(ci.low)) and close(r["ci_high"], float(ci.high)), (alt, r, ci)
    assert close(r["sd_diff"], float(np.std(d, ddof=1)))
    assert close(r["mean_a"], float(np.mean(a))) and close(r["mean_b"], float(np.mean(b)))
    assert r["alternative"] == alt


def check_w(a: np.ndarray, b: np.ndarray, alt: str, method: str = "auto") -> dict:
    r = _row(ms.wilcoxon(a, b, alternative=alt, method=method))
    scipy_method = {"approx": "asymptotic"}.get(method, method)
    ref = stats.wilcoxon(a, b, zero_method="wilcox", correction=False, alternative=alt, method=scipy_method)
    assert close(r["statistic"], float(ref.statistic)), (alt, method, r["statistic"], ref.statistic)
    assert close(r["p_value"], float(ref.pvalue)), (alt, method, r["p_value"], ref.pvalue, r["method"])
    d = a - b
    assert close(r["estimate"], walsh_median(d))
    assert r["w_plus"] + r["w_minus"] == r["n_nonzero"] * (r["n_nonzero"] + 1) / 2
    assert r["n_nonzero"] == np.count_nonzero(d) and r["n"] == len(d)
    if scipy_method == "asymptotic":
        z = float(ref.zstatistic)
        assert close(-abs(r["z"]) if alt == "two-sided" else r["z"], z)
    return r


# ---- paired t ---------------------------------------------------------------------------------


def test_paired_t_matches_scipy() -> None:
    rng = np.random.default_rng(18)
    count = 0
    for n in [2, 3, 5, 8, 13, 20, 60, 500]:
        for _ in range(5):
            a = rng.normal(50, 10, n)
            b = a + rng.normal(1.5, 4, n)
            for alt in ALTS:
                for conf in (0.9, 0.95, 0.99):
                    check_t(a, b, alt, conf)
                    count += 1
    assert count == 360


def test_paired_t_student_sleep_data() -> None:
    # Student (1908)'s sleep data (Cushny & Peebles), R's `sleep`: extra hours of sleep under two
    # drugs for the same 10 patients. R documentation example
    # t.test(extra ~ group, data = sleep, paired = TRUE) prints t = -4.0621, df = 9,
    # p-value = 0.002833, 95 percent CI -2.4598858 -0.7001142, mean difference -1.58.
    g1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    g2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    r = _row(ms.paired_t(g1, g2))
    assert round(r["statistic"], 4) == -4.0621 and r["df"] == 9
    assert round(r["p_value"], 6) == 0.002833
    assert round(r["ci_low"], 7) == -2.4598858 and round(r["ci_high"], 7) == -0.7001142
    assert abs(r["estimate"] + 1.58) < 1e-12
    for alt in ALTS:
        check_t(g1, g2, alt, 0.95)


def test_paired_t_constant_difference_and_errors() -> None:
    r = _row(ms.paired_t([2.0, 3.0, 4.0], [1.0, 2.0, 3.0]))
    assert r["estimate"] == 1.0 and _nan(r["statistic"]) and _nan(r["p_value"]) and r["note"]
    with pytest.raises(miroir.StatsError, match="same length"):
        ms.paired_t([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(miroir.StatsError, match="at least 2 pairs"):
        ms.paired_t([1.0], [2.0])
    with pytest.raises(miroir.StatsError):
        ms.paired_t([1.0, float("nan"), 3.0], [1.0, 2.0, 2.0])
    with pytest.raises(miroir.StatsError):
        ms.paired_t([1.0, float("inf"), 3.0], [1.0, 2.0, 2.0])
    with pytest.raises(miroir.InvalidArgumentError):
        ms.paired_t([1.0, 2.0, 3.0], [1.0, 2.0, 2.0], confidence=1.5)
    with pytest.raises(miroir.InvalidArgumentError):
        ms.paired_t([1.0, 2.0, 3.0], [1.0, 2.0, 2.0], alternative="bigger")


# ---- Wilcoxon ---------------------------------------------------------------------------------


def test_wilcoxon_exact_small_no_ties() -> None:
    rng = np.random.default_rng(1945)
    count = 0
    for n in range(5, 21):
        for _ in range(4):
            a = rng.normal(0, 1, n)
            b = a - rng.normal(0.4, 1, n)
            for alt in ALTS:
                for method in ("auto", "exact", "approx"):
                    r = check_w(a, b, alt, method)
                    if method == "auto":
                        assert "exact" in r["method"] and _nan(r["z"])
                    count += 1
    assert count == 16 * 4 * 9


def test_wilcoxon_ties_and_zeros() -> None:
    # integer scores (Likert-like waves): many ties and zero differences
    rng = np.random.default_rng(7)
    count = 0
    for n in [6, 9, 13, 14, 20, 35, 50]:
        for _ in range(6):
            a = rng.integers(1, 6, n).astype(float)
            b = np.clip(a + rng.integers(-2, 3, n), 1, 5).astype(float)
            if np.count_nonzero(a - b) == 0:
                continue
            for alt in ALTS:
                r = check_w(a, b, alt, "auto")
                check_w(a, b, alt, "approx")
                if np.count_nonzero(a - b) < n:
                    assert "zero difference" in r["note"]
                count += 1
    assert count >= 100


def test_wilcoxon_forced_exact_with_ties_rounds_like_scipy() -> None:
    a = np.array([3.0, 5, 1, 4, 6, 2, 7, 5, 4, 3, 8])
    b = np.array([1.0, 2, 3, 1, 2, 4, 1, 2, 4, 2, 6])
    for alt in ALTS:
        r = check_w(a, b, alt, "exact")
        assert "approximate" in r["note"]


def test_wilcoxon_large_n_approx() -> None:
    rng = np.random.default_rng(60)
    for n in [51, 60, 200]:
        a = rng.normal(10, 2, n)
        b = a - rng.normal(0.3, 1, n)
        for alt in ALTS:
            r = check_w(a, b, alt, "auto")
            assert "approximation" in r["method"]
    # rounded data at n = 60: ties and zeros
    a = np.round(rng.normal(10, 2, 60))
    b = np.round(a - rng.normal(0.3, 1, 60))
    for alt in ALTS:
        check_w(a, b, alt, "auto")


def test_wilcoxon_hollander_wolfe_depression() -> None:
    # Hollander & Wolfe (1973, p. 29), Hamilton depression scale before (x) and after (y) a
    # tranquilizer, 9 patients; R documentation example
    # wilcox.test(x, y, paired = TRUE, alternative = "greater") prints V = 40, p-value = 0.01953.
    x = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
    y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
    r = _row(ms.wilcoxon(x, y, alternative="greater"))
    assert r["statistic"] == 40 and round(r["p_value"], 5) == 0.01953
    assert r["p_value"] == 10 / 512
    for alt in ALTS:
        for method in ("auto", "exact", "approx"):
            check_w(x, y, alt, method)


def test_wilcoxon_edge_cases_and_errors() -> None:
    r = _row(ms.wilcoxon([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]))
    assert _nan(r["p_value"]) and "zero" in r["note"]
    with pytest.raises(miroir.StatsError, match="same length"):
        ms.wilcoxon([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(miroir.StatsError):
        ms.wilcoxon([], [])
    with pytest.raises(miroir.StatsError):
        ms.wilcoxon([1.0, float("nan")], [1.0, 2.0])
    with pytest.raises(miroir.InvalidArgumentError):
        ms.wilcoxon([1.0, 2.0], [0.0, 1.0], method="permutation")
    with pytest.raises(miroir.InvalidArgumentError):
        ms.wilcoxon([1.0, 2.0], [0.0, 1.0], alternative="bigger")
