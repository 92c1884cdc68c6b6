"""Study planning (power of a correlation, linkage plans) and the Hunter–Schmidt meta-analysis.

References
----------
- R ``pwr::pwr.r.test`` (Champely et al.): the published sample sizes quoted in issue 16,
  ``pwr.r.test(r = .3, power = .8, sig.level = .05)`` → n = 84.07364 and
  ``pwr.r.test(r = .1, power = .8, sig.level = .01, alternative = "greater")`` → n = 999.2054
  (printed to 7 significant digits). The power formula is re-implemented below with scipy
  (``stats.t.isf``, ``stats.norm.cdf``), independently of the Rust kernel.
- Hunter–Schmidt: no published psychmeta output (with its input data in text form) could be
  reached from this machine — psychmeta's own test expectations are binary ``.rda`` files and its
  vignettes are stored without their printed output. The oracle is therefore an independent
  numpy implementation, written here from Schmidt & Hunter (2015, *Methods of Meta-Analysis*,
  3rd ed., ch. 3) with the defaults documented by psychmeta's ``ma_r`` / ``control_psychmeta``
  (sample-size weights, error variance from the mean r, ``var_unbiased = TRUE``, t intervals on
  k - 1 df, ``cred_level = .8``, ``correct_bias = TRUE`` with ``correct_r_bias``'s
  ``r / ((2n - 2)/(2n - 1))``).
- The planning rule (ICC(2) by Spearman–Brown, attenuation by sqrt(ICC(2)_e·ICC(2)_c)) is
  checked by simulation: the planned power is achieved by simulated linkage studies.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

import miroir
import miroir.stats as ms
from miroir import planning

# -- power of a correlation -------------------------------------------------------------------


def pwr_power(r: float, n: float, alpha: float, alternative: str) -> float:
    """pwr.r.test's power formula, written with scipy."""
    if alternative == "two-sided":
        r, tail = abs(r), alpha / 2
    elif alternative == "greater":
        tail = alpha
    else:
        r, tail = -r, alpha
    t = stats.t.isf(tail, n - 2)
    rc = np.sqrt(t * t / (t * t + n - 2))
    zr = np.arctanh(r) + r / (2 * (n - 1))
    zrc = np.arctanh(rc)
    p = stats.norm.cdf((zr - zrc) * np.sqrt(n - 3))
    if alternative == "two-sided":
        p += stats.norm.cdf((-zr - zrc) * np.sqrt(n - 3))
    return float(p)


def test_pwr_published_sample_sizes() -> None:
    two = ms.power_correlation(0.3, power=0.8, alpha=0.05)
    assert two["n"].item() == pytest.approx(84.07364, rel=1e-6)
    assert two["alternative"].item() == "two-sided"
    one = ms.power_correlation(0.1, power=0.8, alpha=0.01, alternative="greater")
    assert one["n"].item() == pytest.approx(999.2054, rel=1e-6)
    # "less" mirrors "greater"
    less = ms.power_correlation(-0.1, power=0.8, alpha=0.01, alternative="less")
    assert less["n"].item() == pytest.approx(one["n"].item(), rel=1e-12)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_power_matches_an_independent_scipy_implementation(alternative: str) -> None:
    for r in (-0.45, -0.1, 0.05, 0.2, 0.3, 0.6, 0.9):
        for n in (4.0, 5.5, 10, 30, 84.07, 250, 1000, 1e5):
            for alpha in (0.001, 0.01, 0.05, 0.2):
                got = ms.power_correlation(r, n=n, alpha=alpha, alternative=alternative)["power"].item()
                want = pwr_power(r, n, alpha, alternative)
                assert got == pytest.approx(want, rel=1e-12, abs=1e-300), (r, n, alpha)


def test_solved_n_round_trips_and_is_the_scipy_root() -> None:
    from scipy.optimize import brentq

    for r, alpha, power, alt in [(0.3, 0.05, 0.8, "two-sided"), (0.12, 0.01, 0.9, "greater"), (-0.5, 0.05, 0.95, "less")]:
        n = ms.power_correlation(r, power=power, alpha=alpha, alternative=alt)["n"].item()
        back = ms.power_correlation(r, n=n, alpha=alpha, alternative=alt)["power"].item()
        assert back == pytest.approx(power, abs=1e-10)
        root = brentq(lambda m: pwr_power(r, m, alpha, alt) - power, 4 + 1e-10, 1e9, xtol=1e-12, rtol=1e-15)
        assert n == pytest.approx(root, rel=1e-10)


def test_power_bad_arguments_name_the_argument() -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="`n`"):
        ms.power_correlation(0.3)  # neither n nor power
    with pytest.raises(miroir.InvalidArgumentError, match="`n`"):
        ms.power_correlation(0.3, n=50, power=0.8)
    with pytest.raises(miroir.InvalidArgumentError, match="`n`"):
        ms.power_correlation(0.3, n=3)
    with pytest.raises(miroir.InvalidArgumentError, match="`r`"):
        ms.power_correlation(1.0, n=50)
    with pytest.raises(miroir.InvalidArgumentError, match="`alpha`"):
        ms.power_correlation(0.3, n=50, alpha=0)
    with pytest.raises(miroir.InvalidArgumentError, match="`power`"):
        ms.power_correlation(0.3, power=1.2)
    with pytest.raises(miroir.InvalidArgumentError, match="alternative"):
        ms.power_correlation(0.3, n=50, alternative="bigger")
    with pytest.raises(miroir.InvalidArgumentError, match="'r'"):
        ms.power_correlation("0.3", n=50)  # type: ignore[arg-type]
    # unreachable: zero, the wrong side, too small for 1e9 pairs
    for r, alt in [(0.0, "two-sided"), (0.3, "less"), (1e-6, "two-sided")]:
        with pytest.raises(miroir.InvalidArgumentError, match="unreachable"):
            ms.power_correlation(r, power=0.8, alternative=alt)
    with pytest.raises(miroir.InvalidArgumentError, match="already reached with n = 4"):
        ms.power_correlation(0.999, power=0.5)


# -- linkage plans ------------------------------------------------------------------------------


def icc2(icc1: float, k: float) -> float:
    return k * icc1 / (1 + (k - 1) * icc1)


def test_plan_linkage_follows_spearman_brown_and_pwr() -> None:
    plan = miroir.plan_linkage(r_true=0.5, icc1=0.1, respondents_per_unit=10, customer_icc1=0.05, customers_per_unit=30)
    assert isinstance(plan, planning.LinkagePlan)
    assert plan.icc2_employees == pytest.approx(icc2(0.1, 10), rel=1e-15)
    assert plan.icc2_customers == pytest.approx(icc2(0.05, 30), rel=1e-15)
    r_obs = 0.5 * np.sqrt(icc2(0.1, 10) * icc2(0.05, 30))
    assert plan.expected_r == pytest.approx(r_obs, rel=1e-15)
    n = ms.power_correlation(r_obs, power=0.8)["n"].item()
    assert plan.units_continuous == n
    assert plan.units_needed == int(np.ceil(n)) == 95
    t = plan.table
    assert t["respondents_per_unit"].to_list() == [5.0, 10.0, 15.0, 20.0, 30.0, 50.0]
    assert t.columns == [
        "respondents_per_unit", "customers_per_unit", "icc2_employees", "icc2_customers",
        "expected_r", "units_continuous", "units_needed",
    ]
    assert t.filter(pl.col("respondents_per_unit") == 10)["units_needed"].item() == plan.units_needed
    units = t["units_needed"].to_list()
    assert units == sorted(units, reverse=True)
    for row in t.iter_rows(named=True):
        assert row["icc2_employees"] == pytest.approx(icc2(0.1, row["respondents_per_unit"]), rel=1e-15)
    text = repr(plan)
    assert text.startswith("LinkagePlan: 95 units")
    assert "expected observed r 0.2838" in text


def test_plan_linkage_custom_table_and_one_sided() -> None:
    plan = miroir.plan_linkage(
        r_true=0.4, icc1=0.2, respondents_per_unit=8, customer_icc1=0.1, customers_per_unit=20,
        alpha=0.01, power=0.9, alternative="greater", table_sizes=np.array([2, 8, 100]),
    )
    assert plan.table["respondents_per_unit"].to_list() == [2.0, 8.0, 100.0]
    n = ms.power_correlation(plan.expected_r, power=0.9, alpha=0.01, alternative="greater")["n"].item()
    assert plan.units_needed == int(np.ceil(n))
    # a table row may be unreachable without failing the plan
    plan = miroir.plan_linkage(
        r_true=0.3, icc1=0.1, respondents_per_unit=10, customer_icc1=0.1, customers_per_unit=10,
        table_sizes=[1, 10],
    )
    assert plan.table["units_needed"].null_count() == 0


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"r_true": 0.0}, "r_true"),
        ({"r_true": 1.0}, "r_true"),
        ({"r_true": -1.5}, "r_true"),
        ({"icc1": 1.0}, "icc1"),
        ({"icc1": -0.01}, "icc1"),
        ({"customer_icc1": 1.2}, "customer_icc1"),
        ({"respondents_per_unit": 0.5}, "respondents_per_unit"),
        ({"customers_per_unit": 0}, "customers_per_unit"),
        ({"alpha": 1.0}, "alpha"),
        ({"power": 0.0}, "power"),
        ({"alternative": "sideways"}, "alternative"),
        ({"table_sizes": [5, 0]}, "table_sizes"),
        ({"icc1": "0.1"}, "icc1"),
        ({"respondents_per_unit": True}, "respondents_per_unit"),
    ],
)
def test_plan_linkage_bad_inputs_name_the_argument(kwargs: dict[str, object], argument: str) -> None:
    base: dict[str, object] = dict(r_true=0.5, icc1=0.1, respondents_per_unit=10, customer_icc1=0.05, customers_per_unit=30)
    base.update(kwargs)
    with pytest.raises(miroir.InvalidArgumentError, match=argument):
        miroir.plan_linkage(**base)  # type: ignore[arg-type]


def test_unreachable_plans_say_so() -> None:
    base = dict(r_true=0.3, icc1=0.1, respondents_per_unit=10, customer_icc1=0.05, customers_per_unit=30)
    with pytest.raises(miroir.InvalidArgumentError, match="unreachable"):
        miroir.plan_linkage(**{**base, "icc1": 0.0})  # type: ignore[arg-type]
    with pytest.raises(miroir.InvalidArgumentError, match="other side"):
        miroir.plan_linkage(**{**base, "alternative": "less"})  # type: ignore[arg-type]
    with pytest.raises(miroir.InvalidArgumentError, match="unreachable.*1e9"):
        miroir.plan_linkage(**{**base, "r_true": 1e-5})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("r_true", "icc1", "k", "customer_icc1", "m", "alternative"),
    [(0.5, 0.1, 10, 0.05, 30, "two-sided"), (0.6, 0.2, 5, 0.1, 12, "greater")],
)
def test_simulated_linkage_studies_reach_the_planned_power(
    r_true: float, icc1: float, k: int, customer_icc1: float, m: int, alternative: str
) -> None:
    """2,000 simulated studies with the planned number of units: true unit scores correlated at
    r_true, respondents scattered around them with the given ICC(1)s; the test of the correlation
    of the observed unit means at alpha rejects at the planned power (within 3 points)."""
    alpha = 0.05
    plan = miroir.plan_linkage(
        r_true=r_true, icc1=icc1, respondents_per_unit=k, customer_icc1=customer_icc1,
        customers_per_unit=m, alpha=alpha, power=0.8, alternative=alternative,
    )
    units = plan.units_needed
    planned = ms.power_correlation(plan.expected_r, n=units, alpha=alpha, alternative=alternative)["power"].item()
    assert 0.8 <= planned < 0.83
    rng = np.random.default_rng(16)
    studies = 2000
    z1 = rng.standard_normal((studies, units))
    z2 = rng.standard_normal((studies, units))
    true_e = z1
    true_c = r_true * z1 + np.sqrt(1 - r_true**2) * z2
    emp = np.sqrt(icc1) * true_e[..., None] + np.sqrt(1 - icc1) * rng.standard_normal((studies, units, k))
    cust = np.sqrt(customer_icc1) * true_c[..., None] + np.sqrt(1 - customer_icc1) * rng.standard_normal(
        (studies, units, m)
    )
    x = emp.mean(axis=2)
    y = cust.mean(axis=2)
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    r = (x * y).sum(axis=1) / np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))
    t = r * np.sqrt(units - 2) / np.sqrt(1 - r * r)
    if alternative == "two-sided":
        p = 2 * stats.t.sf(np.abs(t), units - 2)
    else:
        p = stats.t.sf(t, units - 2)
    rate = float(np.mean(p < alpha))
    print(f"simulated rejection rate {rate:.4f}, planned power {planned:.4f}, {units} units")
    assert abs(rate - planned) <= 0.03, (rate, planned, units)
    # the unit means' correlation is attenuated as planned (mean over studies)
    assert float(np.mean(r)) == pytest.approx(plan.expected_r, abs=0.01)


# -- Hunter–Schmidt -----------------------------------------------------------------------------


def hs_numpy(
    r: np.ndarray,
    n: np.ndarray,
    rxx: np.ndarray | None,
    ryy: np.ndarray | None,
    confidence: float = 0.95,
    credibility: float = 0.80,
    correct_bias: bool = True,
) -> dict[str, dict[str, float]]:
    """Schmidt & Hunter (2015) bare-bones and individually corrected meta-analysis, with
    psychmeta's ma_r defaults, written independently of the kernel."""
    r = np.asarray(r, float)
    n = np.asarray(n, float)
    k = len(r)
    if correct_bias:
        r = r / ((2 * n - 2) / (2 * n - 1))
    q_conf = stats.t.ppf((1 + confidence) / 2, k - 1)
    q_cred = stats.t.ppf((1 + credibility) / 2, k - 1)

    def one(x: np.ndarray, w: np.ndarray, ve: np.ndarray) -> dict[str, float]:
        mean = np.sum(w * x) / np.sum(w)
        var = np.sum(w * (x - mean) ** 2) / np.sum(w) * k / (k - 1)
        var_e = np.sum(w * ve) / np.sum(w)
        var_res = var - var_e
        sd_res = np.sqrt(var_res) if var_res > 0 else 0.0
        se = np.sqrt(var) / np.sqrt(k)
        return dict(
            mean=mean, var=var, var_e=var_e, var_res=var_res, sd=np.sqrt(var), se=se, sd_e=np.sqrt(var_e),
            sd_res=sd_res, pct=100 * var_e / var, ci_low=mean - q_conf * se, ci_high=mean + q_conf * se,
            cr_low=mean - q_cred * sd_res, cr_high=mean + q_cred * sd_res,
        )

    mean_r = np.sum(n * r) / np.sum(n)
    ve = (1 - mean_r**2) ** 2 / (n - 1)
    out = {"bare_bones": one(r, n, ve)}
    if rxx is not None or ryy is not None:
        a = np.sqrt((np.ones(k) if rxx is None else np.asarray(rxx)) * (np.ones(k) if ryy is None else np.asarray(ryy)))
        out["corrected"] = one(r / a, n * a**2, ve / a**2)
    return out


BB_COLUMNS = {
    "mean_r": "mean", "var_r": "var", "var_e": "var_e", "var_res": "var_res", "sd_r": "sd", "se_r": "se",
    "sd_e": "sd_e", "sd_res": "sd_res",
}
C_COLUMNS = {
    "mean_rho": "mean", "var_r_c": "var", "var_e_c": "var_e", "var_rho": "var_res", "sd_r_c": "sd",
    "se_r_c": "se", "sd_e_c": "sd_e", "sd_rho": "sd_res",
}
OWN = {"estimate": "mean", "percent_var_accounted": "pct", "ci_low": "ci_low", "ci_high": "ci_high",
       "cr_low": "cr_low", "cr_high": "cr_high"}

# A heterogeneous set of validity-like studies (k = 12) with reliabilities on both sides.
R = np.array([0.21, 0.35, 0.12, 0.40, 0.28, 0.05, 0.33, 0.18, 0.45, 0.26, 0.30, 0.15])
N = np.array([120, 85, 210, 64, 150, 95, 300, 48, 72, 180, 110, 260])
RXX = np.array([0.82, 0.88, 0.75, 0.90, 0.80, 0.70, 0.85, 0.78, 0.92, 0.83, 0.86, 0.79])
RYY = np.array([0.60, 0.52, 0.75, 0.66, 0.58, 0.70, 0.62, 0.55, 0.64, 0.71, 0.57, 0.68])


@pytest.mark.parametrize("correct_bias", [True, False])
@pytest.mark.parametrize("sides", ["both", "x", "y", "none"])
def test_hunter_schmidt_matches_the_independent_implementation(correct_bias: bool, sides: str) -> None:
    rxx = RXX if sides in ("both", "x") else None
    ryy = RYY if sides in ("both", "y") else None
    got = ms.meta_hunter_schmidt(R, N, rxx, ryy, confidence=0.9, credibility=0.8, correct_bias=correct_bias)
    want = hs_numpy(R, N, rxx, ryy, confidence=0.9, credibility=0.8, correct_bias=correct_bias)
    assert got["analysis"].to_list() == list(want)
    assert got["k"].to_list() == [12] * len(want)
    assert got["n_total"].to_list() == [float(N.sum())] * len(want)
    for i, (name, res) in enumerate(want.items()):
        row = got.row(i, named=True)
        for col, key in OWN.items():
            assert row[col] == pytest.approx(res[key], rel=1e-12), (name, col)
        for col, key in BB_COLUMNS.items():
            assert row[col] == pytest.approx(want["bare_bones"][key], rel=1e-12), (name, col)
        for col, key in C_COLUMNS.items():
            if name == "corrected":
                assert row[col] == pytest.approx(res[key], rel=1e-12), (name, col)
            else:
                assert row[col] is None
    assert got["confidence"].to_list() == [0.9] * len(want)
    assert got["note"].null_count() == len(want)


def test_hunter_schmidt_defaults_are_psychmeta_s() -> None:
    got = ms.meta_hunter_schmidt(R, N, RXX, RYY)
    want = hs_numpy(R, N, RXX, RYY)
    assert got["cr_low"].to_list() == pytest.approx([want["bare_bones"]["cr_low"], want["corrected"]["cr_low"]], rel=1e-12)
    assert got["credibility"].to_list() == [0.8, 0.8]
    assert "psychmeta" in got["method"][0]
    # sub-unit reliabilities raise the mean and the spread
    bb, c = got.row(0, named=True), got.row(1, named=True)
    assert c["mean_rho"] > bb["mean_r"] and c["sd_rho"] > bb["sd_res"]


def test_hunter_schmidt_accepts_polars_and_pandas_like_inputs() -> None:
    a = ms.meta_hunter_schmidt(pl.Series(R), pl.Series(N), pl.Series(RXX), pl.Series(RYY))
    b = ms.meta_hunter_schmidt(R.tolist(), N.tolist(), RXX.tolist(), RYY.tolist())
    assert a.equals(b)


def test_corrected_r_above_one_is_noted_not_clipped() -> None:
    r = [0.62, 0.30, 0.41, 0.25]
    n = [60, 90, 120, 75]
    rxx = [0.55, 0.85, 0.9, 0.8]
    ryy = [0.6, 0.8, 0.85, 0.75]
    got = ms.meta_hunter_schmidt(r, n, rxx, ryy)
    corrected = np.array(r) / ((2 * np.array(n) - 2) / (2 * np.array(n) - 1)) / np.sqrt(np.array(rxx) * np.array(ryy))
    assert corrected[0] > 1
    assert got["corrected_above_one"].to_list() == [1, 1]
    note = got["note"][1]
    assert "not clipped" in note and "positions [0]" in note
    want = hs_numpy(np.array(r), np.array(n), np.array(rxx), np.array(ryy))
    assert got["mean_rho"][1] == pytest.approx(want["corrected"]["mean"], rel=1e-12)


def test_negative_residual_variance_gives_sd_zero_with_a_note() -> None:
    got = ms.meta_hunter_schmidt([0.30, 0.31, 0.29, 0.30], [100, 120, 90, 110])
    row = got.row(0, named=True)
    assert row["var_res"] < 0 and row["sd_res"] == 0
    assert row["cr_low"] == row["cr_high"] == row["mean_r"]
    assert row["percent_var_accounted"] > 100
    assert "negative" in row["note"]
    assert got.height == 1


@pytest.mark.parametrize(
    ("kwargs", "exc", "argument"),
    [
        ({"r": [0.3], "n": [50]}, miroir.StatsError, "`r`"),
        ({"n": [50, 60]}, miroir.StatsError, "`n`"),
        ({"r": [0.3, 1.0, 0.2]}, miroir.StatsError, "`r`"),
        ({"n": [50, 1, 80]}, miroir.StatsError, "`n`"),
        ({"rxx": [0.8, 0.0, 0.9]}, miroir.StatsError, "`rxx`"),
        ({"ryy": [0.8, 1.1, 0.9]}, miroir.StatsError, "`ryy`"),
        ({"ryy": [0.8, 0.9]}, miroir.StatsError, "`ryy`"),
        ({"r": [0.3, float("nan"), 0.2]}, miroir.StatsError, "`r`"),
        ({"r": [0.3, None, 0.2]}, miroir.InvalidArgumentError, "'r'|r"),
        ({"confidence": 1.0}, miroir.InvalidArgumentError, "`confidence`"),
        ({"credibility": 0.0}, miroir.InvalidArgumentError, "`credibility`"),
        ({"correct_bias": 1}, miroir.InvalidArgumentError, "correct_bias"),
        ({"r": ["a", "b", "c"]}, miroir.InvalidArgumentError, "r"),
    ],
)
def test_hunter_schmidt_bad_inputs_are_typed(kwargs: dict[str, object], exc: type[Exception], argument: str) -> None:
    base: dict[str, object] = {"r": [0.3, 0.2, 0.25], "n": [50, 60, 80]}
    base.update(kwargs)
    with pytest.raises(exc, match=argument):
        ms.meta_hunter_schmidt(**base)  # type: ignore[arg-type]


def test_exports() -> None:
    assert ms.meta_hunter_schmidt is planning.meta_hunter_schmidt
    assert ms.power_correlation is planning.power_correlation
    assert miroir.plan_linkage is planning.plan_linkage
    assert {"meta_hunter_schmidt", "power_correlation"} <= set(ms.__all__)
    assert "plan_linkage" in miroir.__all__
