"""``miroir.waves.compare_waves`` (issue 18, waves): respondent-level changes against scipy and
statsmodels, unit-level paired tests against scipy ``ttest_rel`` / ``wilcoxon`` on the matched
units (built here from ``linkage_units`` of each wave), confidentiality in the differences."""

from __future__ import annotations

import math
import warnings

import numpy as np
import polars as pl
import pytest
import scipy.stats as st
from statsmodels.stats.proportion import confint_proportions_2indep

import miroir
from miroir.waves import compare_waves, load_waves

RTOL = 1e-10


@pytest.fixture(scope="module")
def waves() -> dict[str, miroir.Study]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        a = miroir.synthetic_study(studies=3, employees=3_000, customers=9_000, seed=1)
        # the same companies surveyed again: other respondents, a few units fewer
        b = miroir.synthetic_study(studies=3, employees=2_600, customers=8_000, seed=1)
        # one unit of the current wave is small enough to be suppressed there
        emp = b.employees
        unit = emp["unit"][0]
        kept = emp.filter(pl.col("unit") == unit).head(2)["employee_id"]
        b = b.filter(employees=(pl.col("unit") != unit) | pl.col("employee_id").is_in(kept.implode()))
    return {"2023": a, "2024": b}


def test_respondent_changes_match_scipy_and_statsmodels(waves: dict[str, miroir.Study]) -> None:
    cmp = compare_waves(waves, "2023", "2024", design="independent")
    a, b = waves["2023"], waves["2024"]
    for row in cmp.changes.iter_rows(named=True):
        studies = a.summary()["study"].to_list() if row["level"] == "pooled" else [row["study"]]
        ea = a.employees.filter(pl.col("study").is_in(studies))
        eb = b.employees.filter(pl.col("study").is_in(studies))
        if row["metric"] == "mean_engagement":
            t = st.ttest_ind(eb["engagement"], ea["engagement"], equal_var=False)
            ci = t.confidence_interval(0.95)
            assert row["change"] == pytest.approx(eb["engagement"].mean() - ea["engagement"].mean(), rel=RTOL)
            assert row["p_value"] == pytest.approx(t.pvalue, rel=1e-8)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=RTOL)
        elif row["metric"] == "share_satisfied":
            ca = a.customers.filter(pl.col("study").is_in(studies))
            cb = b.customers.filter(pl.col("study").is_in(studies))
            ka, kb = int((ca["satisfaction"] >= 7).sum()), int((cb["satisfaction"] >= 7).sum())
            lo, hi = confint_proportions_2indep(kb, cb.height, ka, ca.height, method="newcomb", compare="diff")
            assert row["change"] == pytest.approx(kb / cb.height - ka / ca.height, rel=RTOL)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
        else:
            def welch(e: pl.DataFrame) -> tuple[float, float]:
                o = e.filter(~pl.col("customer_facing"))["engagement"].to_numpy()
                f = e.filter(pl.col("customer_facing"))["engagement"].to_numpy()
                se = math.sqrt(o.var(ddof=1) / len(o) + f.var(ddof=1) / len(f))
                return o.mean() - f.mean(), se
            (ga, sa), (gb, sb) = welch(ea), welch(eb)
            z = st.norm.ppf(0.975)
            se = math.sqrt(sa**2 + sb**2)
            assert row["change"] == pytest.approx(gb - ga, rel=RTOL)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((gb - ga - z * se, gb - ga + z * se), rel=1e-9)
            assert row["p_value"] == pytest.approx(2 * st.norm.sf(abs((gb - ga) / se)), rel=1e-8)


def matched(waves: dict[str, miroir.Study]) -> pl.DataFrame:
    ua, ub = (miroir.linkage_units(waves[w]).table for w in ("2023", "2024"))
    j = ua.join(ub, on=["study", "unit"], suffix="_c")
    return j.filter(~pl.col("suppressed") & ~pl.col("suppressed_c"))


def test_unit_changes_are_paired_tests_on_the_matched_units(waves: dict[str, miroir.Study]) -> None:
    cmp = compare_waves(waves, "2023", "2024")
    m = matched(waves)
    for row in cmp.paired.iter_rows(named=True):
        sub = m if row["level"] == "pooled" else m.filter(pl.col("study") == row["study"])
        col = row["metric"]
        b, c = sub[col].to_numpy(), sub[f"{col}_c"].to_numpy()
        assert row["n_units"] == len(b)
        t = st.ttest_rel(c, b)
        ci = t.confidence_interval(0.95)
        assert row["change"] == pytest.approx((c - b).mean(), rel=RTOL)
        assert row["p_value"] == pytest.approx(t.pvalue, rel=1e-8)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=RTOL)
        w = st.wilcoxon(c, b)
        assert row["wilcoxon_statistic"] == pytest.approx(w.statistic, rel=RTOL)
        assert row["wilcoxon_p_value"] == pytest.approx(w.pvalue, rel=1e-8)


def test_a_unit_suppressed_in_either_wave_is_suppressed_in_the_change(waves: dict[str, miroir.Study]) -> None:
    cmp = compare_waves(waves, "2023", "2024")
    ub = miroir.linkage_units(waves["2024"]).table
    gone = ub.filter(pl.col("suppressed")).select("study", "unit")
    assert gone.height >= 1
    rows = cmp.units.join(gone, on=["study", "unit"])
    assert rows["suppressed"].all()
    assert rows["mean_engagement_baseline"].is_null().all() and rows["engagement_change"].is_null().all()
    # and it is not in the paired tests
    assert cmp.paired.filter(pl.col("level") == "pooled")["n_units"][0] == matched(waves).height


def test_units_in_one_wave_only_are_listed(waves: dict[str, miroir.Study]) -> None:
    cmp = compare_waves(waves, "2023", "2024")
    ua = miroir.linkage_units(waves["2023"]).table.select("study", "unit")
    ub = miroir.linkage_units(waves["2024"]).table.select("study", "unit")
    only_a = ua.join(ub, on=["study", "unit"], how="anti").with_columns(wave=pl.lit("2023"))
    only_b = ub.join(ua, on=["study", "unit"], how="anti").with_columns(wave=pl.lit("2024"))
    expected = pl.concat([only_a, only_b]).sort("study", "unit")
    assert cmp.unmatched.sort("study", "unit").equals(expected)
    assert "matched units" in cmp.headline


def test_changes_stratified_by_unit(waves: dict[str, miroir.Study]) -> None:
    """``design="units"``: the difference of the respondent means with the variance of a
    sample stratified by unit in each wave, written here with numpy from the tables."""
    cmp = compare_waves(waves, "2023", "2024")
    a, b = waves["2023"], waves["2024"]

    def mean_var(df: pl.DataFrame, values: np.ndarray) -> tuple[float, float]:
        keys = [f"{s}/{u}" for s, u in zip(df["study"], df["unit"])]
        groups: dict[str, list[float]] = {}
        for key, x in zip(keys, values):
            groups.setdefault(key, []).append(float(x))
        several = [g for g in groups.values() if len(g) > 1]
        pooled = sum((len(g) - 1) * np.var(g, ddof=1) for g in several) / sum(len(g) - 1 for g in several)
        n = len(values)
        var = sum(len(g) * (np.var(g, ddof=1) if len(g) > 1 else pooled) for g in groups.values()) / n**2
        return float(np.mean(values)), var

    z = st.norm.ppf(0.975)
    for row in cmp.changes.filter(pl.col("metric") != "frontline_gap").iter_rows(named=True):
        studies = a.summary()["study"].to_list() if row["level"] == "pooled" else [row["study"]]
        table = "employees" if row["metric"] == "mean_engagement" else "customers"
        da = getattr(a, table).filter(pl.col("study").is_in(studies))
        db = getattr(b, table).filter(pl.col("study").is_in(studies))
        if table == "employees":
            va, vb = da["engagement"].to_numpy(), db["engagement"].to_numpy()
        else:
            va, vb = (da["satisfaction"] >= 7).to_numpy() * 1.0, (db["satisfaction"] >= 7).to_numpy() * 1.0
        (ma, sa), (mb, sb) = mean_var(da, va), mean_var(db, vb)
        se = math.sqrt(sa + sb)
        assert row["change"] == pytest.approx(mb - ma, rel=RTOL)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((mb - ma - z * se, mb - ma + z * se), rel=1e-9)
        assert row["p_value"] == pytest.approx(2 * st.norm.sf(abs((mb - ma) / se)), rel=1e-8)
        assert row["method"].endswith("variance stratified by unit, normal interval")
    with pytest.raises(miroir.InvalidArgumentError, match="'design'"):
        compare_waves(waves, "2023", "2024", design="paired")


def test_wave_column_in_one_table_set(waves: dict[str, miroir.Study], tmp_path) -> None:
    """A ``wave`` column: split_waves on frames (ids repeated across waves), load_waves on one
    folder, compare_waves on one study with a ``wave`` column; bad input named."""
    from miroir.waves import split_waves

    frames = {name: pl.concat([getattr(s, name).with_columns(wave=pl.lit(label)) for label, s in waves.items()],
                              how="diagonal_relaxed") for name in ("employees", "customers", "mentions")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        split = split_waves(frames["employees"], frames["customers"], frames["mentions"])
        assert sorted(split) == ["2023", "2024"]
        assert split["2024"].mentions.equals(waves["2024"].mentions)
        folder = tmp_path / "barometer"
        folder.mkdir()
        for name, df in frames.items():
            df.write_parquet(folder / f"{name}.parquet")
        loaded = load_waves(folder)
        assert compare_waves(loaded, "2023", "2024", n_resamples=0).changes.equals(
            compare_waves(waves, "2023", "2024", n_resamples=0).changes)
    with pytest.raises(miroir.MissingColumnError, match="table 'mentions': missing column 'wave'"):
        split_waves(frames["employees"], frames["customers"], frames["mentions"].drop("wave"))
    with pytest.raises(miroir.InsufficientDataError, match=r"table 'customers', column 'wave': no row for wave '2024'"):
        split_waves(frames["employees"], frames["customers"].filter(pl.col("wave") == "2023"))
    nulls = frames["employees"].with_columns(wave=pl.when(pl.int_range(pl.len()) == 4).then(None).otherwise(pl.col("wave")))
    with pytest.raises(miroir.MissingValueError, match=r"table 'employees', column 'wave': .* 1 row\(s\) \(first at row index 4\)"):
        split_waves(nulls, frames["customers"])
    # one study whose ids are unique across waves
    unique = {name: df.with_columns((pl.col("wave") + "-" + pl.col(key)).alias(key))
              for (name, df), key in zip(frames.items(), ("employee_id", "customer_id", "respondent_id"))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        one = miroir.Study(unique["employees"], unique["customers"], unique["mentions"])
        assert compare_waves(one, "2023", "2024", n_resamples=0).changes.equals(
            compare_waves(waves, "2023", "2024", n_resamples=0).changes)
    with pytest.raises(miroir.MissingColumnError, match="missing column 'wave'"):
        compare_waves(waves["2023"], "2023", "2024")


def test_load_waves_and_bad_inputs(waves: dict[str, miroir.Study], tmp_path) -> None:
    for label, s in waves.items():
        s.write(tmp_path / label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        loaded = load_waves({"2023": tmp_path / "2023", "2024": tmp_path / "2024"})
    assert compare_waves(loaded, "2023", "2024").changes.equals(compare_waves(waves, "2023", "2024").changes)
    with pytest.raises(miroir.InvalidArgumentError, match="no wave '2022'"):
        compare_waves(waves, "2022", "2024")
    with pytest.raises(miroir.InvalidArgumentError, match="the same wave"):
        compare_waves(waves, "2024", "2024")
    other = waves["2024"].filter(pl.col("study") == waves["2024"].summary()["study"][0])
    renamed = miroir.Study(other.employees.with_columns(study=pl.lit("x")), other.customers.with_columns(study=pl.lit("x")))
    with pytest.raises(miroir.InsufficientDataError, match="no study in common"):
        compare_waves({"a": waves["2023"], "b": renamed}, "a", "b")
    first = waves["2024"].filter(pl.col("study") == waves["2024"].summary()["study"][0])
    apart = miroir.Study(first.employees.with_columns(unit=pl.lit("elsewhere-") + pl.col("unit")),
                         first.customers.with_columns(unit=pl.lit("elsewhere-") + pl.col("unit")))
    with pytest.raises(miroir.InsufficientDataError, match="no unit in common"):
        compare_waves({"a": waves["2023"], "b": apart}, "a", "b")
    with pytest.raises(miroir.InvalidArgumentTypeError, match="expected a miroir.Study"):
        compare_waves({"a": waves["2023"], "b": 3}, "a", "b")
    assert np.isfinite(compare_waves(waves, "2023", "2024").changes["change"].to_numpy()).all()


def test_the_linkage_change_and_the_moments(waves: dict[str, miroir.Study]) -> None:
    cmp = compare_waves(waves, "2023", "2024", n_resamples=499, seed=3)
    m = matched(waves)
    for row in cmp.linkage.iter_rows(named=True):
        sub = m if row["level"] == "pooled" else m.filter(pl.col("study") == row["study"])
        rb = st.pearsonr(sub["mean_engagement"], sub["share_satisfied"]).statistic
        rc = st.pearsonr(sub["mean_engagement_c"], sub["share_satisfied_c"]).statistic
        assert row["n_units"] == sub.height
        assert (row["r_baseline"], row["r_current"]) == pytest.approx((rb, rc), rel=1e-12)
        assert row["change"] == pytest.approx(rc - rb, rel=1e-10)
        assert row["ci_low"] < row["ci_high"]
    again = compare_waves(waves, "2023", "2024", n_resamples=499, seed=3).linkage
    assert again.equals(cmp.linkage)
    assert not compare_waves(waves, "2023", "2024", n_resamples=499, seed=4).linkage["ci_low"].equals(cmp.linkage["ci_low"])
    assert compare_waves(waves, "2023", "2024", n_resamples=0).linkage["ci_low"].is_nan().all()
    # the moments of both waves, side by side
    ma = miroir.moments(waves["2023"]).table.select("theme", "moment")
    mb = miroir.moments(waves["2024"]).table.select("theme", "moment")
    j = ma.join(mb, on="theme", suffix="_c")
    got = cmp.moments
    assert got is not None
    moved = set(j.filter(pl.col("moment") != pl.col("moment_c"))["theme"])
    assert moved <= set(got.filter(pl.col("moved"))["theme"])
    assert set(got.filter(~pl.col("moved"))["theme"]) == set(j.filter(pl.col("moment") == pl.col("moment_c"))["theme"])


def test_indicators_side_by_side(waves: dict[str, miroir.Study]) -> None:
    cmp = compare_waves(waves, "2023", "2024", n_resamples=0)
    assert cmp.indicators is not None
    for label, suffix in (("2023", "baseline"), ("2024", "current")):
        alone = miroir.indicators(waves[label], n_resamples=0).table
        got = cmp.indicators.select("id", pl.col(f"estimate_{suffix}").alias("estimate"),
                                    pl.col(f"ci_low_{suffix}").alias("ci_low"), pl.col(f"n_{suffix}").alias("n"))
        assert got.equals(alone.select("id", "estimate", "ci_low", "n"))
    change = cmp.indicators["estimate_current"] - cmp.indicators["estimate_baseline"]
    assert (cmp.indicators["change"] - change).abs().max() == 0


def test_the_french_headline_follows_french_typography(waves: dict[str, miroir.Study]) -> None:
    cmp = compare_waves(waves, "2023", "2024", n_resamples=0)
    fr, en = cmp.headline_in("fr"), cmp.headline_in("en")
    assert fr.startswith("Vagues 2023 -> 2024 : ") and " ; engagement moyen " in fr, fr
    assert "; mean engagement " in en and " ;" not in en, en
