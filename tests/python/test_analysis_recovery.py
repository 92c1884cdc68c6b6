"""Recovery tests: studies simulated here with numpy (not with miroir's generator), so that the
true parameters are known independently of miroir, then analysed with miroir.

- (a) a known engagement gap per study: coverage of the Welch CI of ``exposure_gap``; and a known
  average gap under unit-level heterogeneity: coverage of the cluster-robust adjusted-gap CI;
- (b) a known unit-level correlation: coverage of ``linkage``'s per-study Pearson CI;
- (c) themes built to be ``pain`` and ``blindness`` (and a neutral one): classification rates;
- (d) known shares: coverage of the Wilson CIs of ``indicators``.

Coverage is checked over 1000 simulated studies (intervals), so that the binomial standard error
of a 95% coverage is 0.007 and the band [0.93, 0.97] is about +-2.9 SE wide: a correct interval
passes, an interval that covers 90% or 99% fails. Seeds are fixed, so the test is deterministic.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

import miroir

COVERAGE_BAND = (0.93, 0.97)


@pytest.fixture(autouse=True)
def _quiet():
    # Simulated studies have units on one side only now and then; that is not what we test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        yield


def bounded_noise(rng: np.random.Generator, half_width: float, size) -> np.ndarray:
    """Symmetric, bounded, mean-zero noise: ``half_width * (2 Beta(2, 2) - 1)``.

    Bounded so that engagement stays on its 0-100 scale without clipping (clipping would move the
    group means away from the truth); not normal, so the tests also exercise robustness."""
    return half_width * (2.0 * rng.beta(2.0, 2.0, size) - 1.0)


def antithetic(rng: np.random.Generator, rows: int, per_row: int, half_width: float) -> np.ndarray:
    """Residuals in +-pairs: each row of ``per_row`` (even) values sums to exactly zero."""
    h = rng.uniform(0.0, half_width, (rows, per_row // 2))
    return np.concatenate([h, -h], axis=1)


def ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def covered(low: np.ndarray, high: np.ndarray, truth: np.ndarray) -> np.ndarray:
    assert np.isfinite(low).all() and np.isfinite(high).all()
    return (low < truth) & (truth < high)


def assert_coverage(hits: np.ndarray, what: str, band: tuple[float, float] = COVERAGE_BAND) -> float:
    rate = float(np.mean(hits))
    lo, hi = band
    print(f"{what}: coverage {rate:.3f} over {hits.size} intervals")
    assert lo <= rate <= hi, f"{what}: coverage {rate:.3f} over {hits.size} intervals, outside [{lo}, {hi}]"
    return rate


# --- (a) engagement gap by exposure -------------------------------------------------------------


def simulate_gap_studies(rng: np.random.Generator, n_studies: int, per_study: int = 60, n_units: int = 4):
    """Independent studies, each with its own true gap ``mean(other) - mean(facing)`` in [0, 20].

    Employees are independent within a study (no unit effect), as Welch's test assumes; the two
    groups have different spreads (half-widths 30 and 15) and unequal, random sizes."""
    gaps = rng.uniform(0.0, 20.0, n_studies)
    base = rng.uniform(45.0, 60.0, n_studies)
    n = n_studies * per_study
    s = np.repeat(np.arange(n_studies), per_study)
    facing = rng.random(n) < rng.uniform(0.3, 0.7, n_studies)[s]
    engagement = np.where(
        facing,
        base[s] - gaps[s] + bounded_noise(rng, 15.0, n),
        base[s] + bounded_noise(rng, 30.0, n),
    )
    names = np.array([f"g{i:03d}" for i in range(n_studies)])
    units = np.array([f"u{j}" for j in range(n_units)])
    employees = pl.DataFrame(
        {
            "study": names[s],
            "unit": units[rng.integers(0, n_units, n)],
            "employee_id": ids("e", n),
            "customer_facing": facing,
            "engagement": engagement,
        }
    )
    customers = pl.DataFrame(
        {
            "study": np.repeat(names, n_units),
            "unit": np.tile(units, n_studies),
            "customer_id": ids("c", n_studies * n_units),
            "satisfaction": rng.uniform(0.0, 10.0, n_studies * n_units),
        }
    )
    truth = pl.DataFrame({"study": names, "true_gap": gaps})
    return miroir.Study(employees, customers), truth


@pytest.mark.parametrize("confidence, band", [(0.95, COVERAGE_BAND), (0.90, (0.875, 0.925))])
def test_welch_gap_ci_covers_the_true_gap(confidence, band):
    # At 90% the same check must see ~90%: the band discriminates between confidence levels.
    rng = np.random.default_rng(20240601)
    hits, errors = [], []
    # 20 studies of 50: one Study with a thousand studies would also fit a 1000-dummy OLS for the
    # adjusted gap, which is slow and not what this test is about.
    for _ in range(20):
        study, truth = simulate_gap_studies(rng, 50)
        gap = miroir.exposure_gap(study, confidence=confidence).filter(pl.col("level") == "study").join(truth, on="study")
        assert gap.height == 50
        errors.append((gap["gap"] - gap["true_gap"]).to_numpy())
        hits.append(covered(gap["ci_low"].to_numpy(), gap["ci_high"].to_numpy(), gap["true_gap"].to_numpy()))
    hits = np.concatenate(hits)
    assert hits.size == 1000
    # unbiased: the mean error over 1000 studies is ~0 (its SE is ~0.09 points)
    assert abs(np.concatenate(errors).mean()) < 0.3
    assert_coverage(hits, f"Welch {confidence:.0%} CI of the per-study gap", band)


def simulate_clustered_gap(rng: np.random.Generator, delta: float, n_studies=3, units_per_study=30, per_unit=10):
    """Engagement = 55 + study effect + unit effect - (delta + unit deviation) * customer_facing
    + noise; customer_facing drawn within units with a unit-specific rate.

    The true (average) gap is ``delta``: the unit deviations of the gap have mean zero and are
    independent of the facing rates, so OLS with study fixed effects is unbiased for it, and the
    unit effects and gap deviations make the errors correlated within units (naive standard errors
    would be too small; CR1 by unit is the right one). 90 clusters: CR1 with t(G - 1) undercovers
    with few clusters (0.93-0.94 with 48 clusters here), not with 90."""
    n_units = n_studies * units_per_study
    rate = rng.uniform(0.2, 0.8, n_units)
    unit_effect = rng.uniform(-10.0, 10.0, n_units)
    unit_gap = delta + rng.uniform(-8.0, 8.0, n_units)
    study_effect = rng.uniform(-5.0, 5.0, n_studies)
    u = np.repeat(np.arange(n_units), per_unit)
    s = u // units_per_study
    n = n_units * per_unit
    facing = rng.random(n) < rate[u]
    engagement = 55.0 + study_effect[s] + unit_effect[u] - unit_gap[u] * facing + bounded_noise(rng, 20.0, n)
    studies = np.array([f"s{i}" for i in range(n_studies)])
    units = np.array([f"u{j:03d}" for j in range(n_units)])
    employees = pl.DataFrame(
        {"study": studies[s], "unit": units[u], "employee_id": ids("e", n), "customer_facing": facing, "engagement": engagement}
    )
    customers = pl.DataFrame(
        {
            "study": studies[np.arange(n_units) // units_per_study],
            "unit": units,
            "customer_id": ids("c", n_units),
            "satisfaction": rng.uniform(0.0, 10.0, n_units),
        }
    )
    return miroir.Study(employees, customers)


def test_adjusted_gap_ci_covers_the_true_average_gap():
    rng = np.random.default_rng(7)
    delta = 8.0
    low, high, est = [], [], []
    for _ in range(1000):
        row = miroir.exposure_gap(simulate_clustered_gap(rng, delta), by=None).row(0, named=True)
        low.append(row["adjusted_ci_low"])
        high.append(row["adjusted_ci_high"])
        est.append(row["adjusted_gap"])
    assert abs(np.mean(est) - delta) < 0.1  # unbiased (SE of the mean ~0.03)
    assert_coverage(covered(np.array(low), np.array(high), np.full(len(low), delta)), "CR1 CI of the adjusted gap")


# --- (b) unit-level correlation -----------------------------------------------------------------


def simulate_linkage_studies(rng: np.random.Generator, n_studies: int, n_units: int = 10, per_unit: int = 6, tag: str = ""):
    """Studies with a known correlation rho_s (uniform in [-0.3, 0.8]) between unit engagement and
    unit mean satisfaction.

    Each unit has latent values (a, b), bivariate normal with correlation rho_s. Its respondents'
    answers are the latent value plus residuals in +-pairs that sum to zero within the unit, so the
    observed unit means *are* the latent values (no sampling noise, hence no attenuation of the
    correlation): the per-study Pearson r is that of n_units draws from a bivariate normal with
    correlation rho_s, for which the Fisher-z interval is the textbook one."""
    rho = rng.uniform(-0.3, 0.8, n_studies)
    k = n_studies * n_units
    r = np.repeat(rho, n_units)
    z1, z2 = rng.standard_normal(k), rng.standard_normal(k)
    a, b = z1, r * z1 + np.sqrt(1.0 - r**2) * z2
    engagement = (50.0 + 6.0 * a)[:, None] + antithetic(rng, k, per_unit, 15.0)
    satisfaction = (5.0 + 0.6 * b)[:, None] + antithetic(rng, k, per_unit, 1.5)
    names = np.array([f"r{tag}-{i:04d}" for i in range(n_studies)])
    study = np.repeat(names, n_units)
    unit = np.tile([f"u{j:02d}" for j in range(n_units)], n_studies)
    employees = pl.DataFrame(
        {
            "study": np.repeat(study, per_unit),
            "unit": np.repeat(unit, per_unit),
            "employee_id": ids("e", k * per_unit),
            "customer_facing": rng.random(k * per_unit) < 0.5,
            "engagement": engagement.ravel(),
        }
    )
    customers = pl.DataFrame(
        {
            "study": np.repeat(study, per_unit),
            "unit": np.repeat(unit, per_unit),
            "customer_id": ids("c", k * per_unit),
            "satisfaction": satisfaction.ravel(),
        }
    )
    units = pl.DataFrame({"study": study, "unit": unit, "a": 50.0 + 6.0 * a, "b": 5.0 + 0.6 * b})
    return miroir.Study(employees, customers), pl.DataFrame({"study": names, "rho": rho}), units


def test_unit_level_correlation_ci_covers_the_true_correlation():
    rng = np.random.default_rng(314)
    hits = []
    for chunk in range(5):  # 5 x 200 studies (the pooled uplift's jackknife is quadratic in units)
        study, truth, latent = simulate_linkage_studies(rng, 200, tag=str(chunk))
        # the design claim: observed unit means equal the latent values
        table = miroir.linkage_units(study).join(latent, on=["study", "unit"])
        assert (table["mean_engagement"] - table["a"]).abs().max() < 1e-9
        assert (table["mean_satisfaction"] - table["b"]).abs().max() < 1e-9
        link = miroir.linkage(study, outcome="mean_satisfaction", n_resamples=200)
        per = link.filter(pl.col("level") == "study").join(truth, on="study")
        assert per.height == 200 and (per["n_units"] == 10).all()
        hits.append(covered(per["ci_low"].to_numpy(), per["ci_high"].to_numpy(), per["rho"].to_numpy()))
    assert_coverage(np.concatenate(hits), "Fisher-z CI of the per-study Pearson r")


# --- (c) six moments ----------------------------------------------------------------------------


def simulate_themes(rng: np.random.Generator, n_units=10, employees_per_unit=200, customers_per_unit=100):
    """One study, 2000 employees and 1000 customers, three themes:

    - ``built pain``: 8% of customers mention it, 80% positively; 15% of employees, 80% negatively;
    - ``built blindness``: 8% of customers, 80% negatively; 0.3% of employees (silent: well under
      the 2% silence rate), either valence;
    - ``neutral``: 8% of customers and 15% of employees, 50/50 on both sides."""
    n_e, n_c = n_units * employees_per_unit, n_units * customers_per_unit
    units = np.array([f"u{j}" for j in range(n_units)])
    eids, cids = np.array(ids("e", n_e)), np.array(ids("c", n_c))
    employees = pl.DataFrame(
        {
            "study": ["s"] * n_e,
            "unit": np.repeat(units, employees_per_unit),
            "employee_id": eids,
            "customer_facing": rng.random(n_e) < 0.5,
            "engagement": rng.uniform(20.0, 90.0, n_e),
        }
    )
    customers = pl.DataFrame(
        {
            "study": ["s"] * n_c,
            "unit": np.repeat(units, customers_per_unit),
            "customer_id": cids,
            "satisfaction": rng.uniform(0.0, 10.0, n_c),
        }
    )
    rows: list[tuple[str, str, str, str, str]] = []

    def mention(theme: str, side: str, who: np.ndarray, rate: float, p_positive: float) -> None:
        chosen = who[rng.random(who.size) < rate]
        positive = rng.random(chosen.size) < p_positive
        rows.extend(("s", side, r, theme, "positive" if p else "negative") for r, p in zip(chosen, positive))

    mention("built pain", "customer", cids, 0.08, 0.8)
    mention("built pain", "employee", eids, 0.15, 0.2)
    mention("built blindness", "customer", cids, 0.08, 0.2)
    mention("built blindness", "employee", eids, 0.003, 0.5)
    mention("neutral", "customer", cids, 0.08, 0.5)
    mention("neutral", "employee", eids, 0.15, 0.5)
    mentions = pl.DataFrame(rows, schema=["study", "side", "respondent_id", "theme", "valence"], orient="row")
    return miroir.Study(employees, customers, mentions)


def test_built_themes_are_classified_into_their_moments():
    n_seeds = 60
    got: dict[str, list[str]] = {"built pain": [], "built blindness": [], "neutral": []}
    for seed in range(n_seeds):
        table = miroir.moments(simulate_themes(np.random.default_rng(1000 + seed)))
        moment = dict(zip(table["theme"], table["moment"]))
        for theme in got:
            got[theme].append(moment[theme])
    rate = {theme: np.mean([m == want for m in got[theme]]) for theme, want in
            [("built pain", "pain"), ("built blindness", "blindness"), ("neutral", "undetermined")]}
    assert rate["built pain"] >= 0.95, got["built pain"]
    assert rate["built blindness"] >= 0.95, got["built blindness"]
    assert rate["neutral"] >= 0.90, got["neutral"]


def test_built_pain_axes_and_significance():
    table = miroir.moments(simulate_themes(np.random.default_rng(5)))
    row = {r["theme"]: r for r in table.iter_rows(named=True)}
    pain = row["built pain"]
    assert pain["customer_axis"] == "enchanted" and pain["employee_axis"] == "frustrated"
    assert pain["q_value"] < 0.05 and pain["action"].startswith("relieve employees")
    assert 0.7 < pain["customer_positive_share"] < 0.9 and 0.1 < pain["employee_positive_share"] < 0.3
    blind = row["built blindness"]
    assert blind["customer_axis"] == "irritated" and blind["employee_axis"] == "silent"
    assert blind["q_value"] < 0.05 and blind["action"].startswith("re-sensitise")
    neutral = row["neutral"]
    assert neutral["moment"] == "undetermined" and neutral["action"] is None


# --- (d) Wilson intervals of the indicators -----------------------------------------------------

TRUE_SHARES = {"can_contribute": 0.72, "has_ideas": 0.56, "has_cost_ideas": 0.43}
ASKED = {"never": 0.52, "yearly": 1.0 / 3.0, "several_per_year": 0.10, "rarely": 1.0 - 0.52 - 1.0 / 3.0 - 0.10}


def simulate_indicator_study(rng: np.random.Generator) -> miroir.Study:
    """One small study (60-399 employees, 4 units) with yes/no answers drawn with known shares."""
    n = int(rng.integers(60, 400))
    units = np.array([f"u{j}" for j in range(4)])
    columns: dict[str, object] = {
        "study": ["s"] * n,
        "unit": units[np.arange(n) % 4],
        "employee_id": ids("e", n),
        "customer_facing": np.arange(n) % 2 == 0,
        "engagement": rng.uniform(20.0, 90.0, n),
    }
    for name, p in TRUE_SHARES.items():
        columns[name] = rng.random(n) < p
    columns["asked_about_customers"] = rng.choice(list(ASKED), size=n, p=list(ASKED.values()))
    customers = pl.DataFrame(
        {"study": ["s"] * 20, "unit": np.repeat(units, 5), "customer_id": ids("c", 20), "satisfaction": rng.uniform(0.0, 10.0, 20)}
    )
    return miroir.Study(pl.DataFrame(columns), customers)


def test_indicator_wilson_intervals_cover_the_true_shares():
    rng = np.random.default_rng(99)
    truth = dict(TRUE_SHARES, asked_yearly=ASKED["yearly"], never_asked=ASKED["never"])
    hits, hits_cp = [], []
    for _ in range(200):
        study = simulate_indicator_study(rng)
        table = miroir.indicators(study, n_resamples=100).to_pandas().set_index("id")
        assert (table.loc[list(truth)].method.str.contains("Wilson")).all()
        hits.extend(table.ci_low[k] < p < table.ci_high[k] for k, p in truth.items())
        cp = miroir.indicators(study, ci_method="clopper_pearson", n_resamples=100).to_pandas().set_index("id")
        hits_cp.extend(cp.ci_low[k] < p < cp.ci_high[k] for k, p in truth.items())
    assert len(hits) == 1000
    assert_coverage(np.array(hits), "Wilson CI of the shares")
    # Clopper-Pearson is conservative: at least nominal coverage
    print(f"Clopper-Pearson CI of the shares: coverage {np.mean(hits_cp):.3f}")
    assert 0.95 <= np.mean(hits_cp) <= 0.985, np.mean(hits_cp)
