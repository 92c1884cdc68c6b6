"""Confidentiality (DESIGN.md): every output grouped below the study suppresses groups under
``min_group_size`` respondents (default 5; verbatim text 10): the row stays, its statistics are
null, a ``suppressed`` column says so, and no published total lets a reader recover a suppressed
group by subtraction. Lowering the threshold is an explicit argument (``Schema``).

The subtraction tests play the reader: they take only what miroir publishes (unit table, study
summary, linkage table) and try to recover a suppressed unit's mean, then compare with the truth
computed here from the raw data.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import polars as pl
import pytest

import miroir


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        yield


def build(units: dict[str, tuple[int, int]], *, study: str = "s", seed: int = 0):
    """Employees and customers: ``units`` maps a unit to (employees, customers)."""
    rng = np.random.default_rng(seed)
    emp, cus = [], []
    for u, (ne, nc) in units.items():
        for i in range(ne):
            emp.append((study, u, f"{study}-{u}-e{i}", i % 2 == 0, float(rng.uniform(20, 90)), i % 3 == 0))
        for i in range(nc):
            cus.append((study, u, f"{study}-{u}-c{i}", float(rng.uniform(0, 10))))
    employees = pl.DataFrame(
        emp, schema=["study", "unit", "employee_id", "customer_facing", "engagement", "can_contribute"], orient="row"
    )
    customers = pl.DataFrame(cus, schema=["study", "unit", "customer_id", "satisfaction"], orient="row")
    return employees, customers


def truth(employees: pl.DataFrame, customers: pl.DataFrame) -> dict[str, dict[str, float]]:
    e = employees.group_by("unit").agg(pl.col("engagement").mean().alias("eng"))
    c = customers.group_by("unit").agg((pl.col("satisfaction") >= 7).sum().alias("n_sat"))
    out: dict[str, dict[str, float]] = {}
    for r in e.iter_rows(named=True):
        out.setdefault(r["unit"], {})["eng"] = r["eng"]
    for r in c.iter_rows(named=True):
        out.setdefault(r["unit"], {})["n_sat"] = r["n_sat"]
    return out


def hidden_per_side(units: pl.DataFrame) -> dict[str, int]:
    """Per side, the units with respondents on that side whose statistic is not published."""
    return {
        "employees": units.filter((pl.col("n_employees") > 0) & pl.col("mean_engagement").is_null()).height,
        "customers": units.filter((pl.col("n_customers") > 0) & pl.col("share_satisfied").is_null()).height,
    }


# --- unit table -------------------------------------------------------------------------------


def test_small_units_stay_with_null_statistics():
    employees, customers = build({"few_staff": (4, 30), "few_clients": (12, 4), "big1": (12, 30), "big2": (15, 30)})
    units = miroir.linkage_units(miroir.Study(employees, customers))
    rows = {r["unit"]: r for r in units.iter_rows(named=True)}
    assert set(rows) == {"few_staff", "few_clients", "big1", "big2"}  # no row dropped
    for name in ("few_staff", "few_clients"):
        r = rows[name]
        assert r["suppressed"] is True
        assert r["mean_engagement"] is None and r["share_satisfied"] is None and r["mean_satisfaction"] is None
        assert "fewer than 5" in r["suppression"]
    # counts stay visible
    assert (rows["few_staff"]["n_employees"], rows["few_clients"]["n_customers"]) == (4, 4)
    # two small units protect each other: no complementary suppression needed
    for name in ("big1", "big2"):
        assert rows[name]["suppressed"] is False and rows[name]["suppression"] is None
        assert rows[name]["mean_engagement"] is not None


def test_one_small_unit_gets_a_complementary_suppression():
    employees, customers = build({"tiny": (3, 20), "u1": (8, 20), "u2": (11, 20), "u3": (14, 20), "u4": (9, 20)})
    study = miroir.Study(employees, customers)
    units = miroir.linkage_units(study)
    hidden = units.filter(pl.col("suppressed"))
    assert hidden.height == 2
    partner = hidden.filter(pl.col("unit") != "tiny").row(0, named=True)
    assert partner["unit"] == "u1"  # the smallest other unit
    assert partner["suppression"].startswith("complementary")
    assert partner["mean_engagement"] is None and partner["share_satisfied"] is None
    assert hidden_per_side(units) == {"employees": 2, "customers": 2}


def recover_by_subtraction(study: miroir.Study, units: pl.DataFrame, small: str) -> float:
    """The reader's attempt at unit ``small``'s mean engagement, from published tables only.

    The study total (summary) minus the shown units leaves the hidden units; if the linkage used
    the other hidden unit next to shown units only, its aggregates (mean engagement of the top
    and other units) give that unit's mean back, and the small unit follows."""
    summary = study.summary().row(0, named=True)
    link = miroir.linkage(study, n_resamples=200).filter(pl.col("level") == "study").row(0, named=True)
    shown = units.filter(~pl.col("suppressed"))
    rest = summary["mean_engagement"] * summary["employees"] - (shown["n_employees"] * shown["mean_engagement"]).sum()
    link_sum = link["engagement_top"] * link["top_units"] + link["engagement_rest"] * (link["n_units"] - link["top_units"])
    linked_shown = shown.filter((pl.col("n_employees") > 0) & (pl.col("n_customers") > 0))
    for other in units.filter(pl.col("suppressed") & (pl.col("unit") != small)).iter_rows(named=True):
        rest -= other["n_employees"] * (link_sum - linked_shown["mean_engagement"].sum())
    return rest / units.filter(pl.col("unit") == small)["n_employees"][0]


def test_study_totals_and_linkage_do_not_reveal_the_small_unit():
    employees, customers = build({"tiny": (3, 20), "u1": (8, 20), "u2": (11, 20), "u3": (14, 20), "u4": (9, 20)})
    study = miroir.Study(employees, customers)
    units = miroir.linkage_units(study)
    true = truth(employees, customers)
    guess = recover_by_subtraction(study, units, "tiny")
    assert not math.isclose(guess, true["tiny"]["eng"], rel_tol=1e-6), "small unit recovered by subtraction"
    # the linkage works on the shown units only: its totals add nothing about the hidden ones
    link = miroir.linkage(study, n_resamples=200).filter(pl.col("level") == "study").row(0, named=True)
    shown = units.filter(~pl.col("suppressed"))
    assert link["n_units"] == shown.height
    assert link["n_employees"] == shown["n_employees"].sum()
    assert link["n_customers"] == shown["n_customers"].sum()
    link_eng = link["engagement_top"] * link["top_units"] + link["engagement_rest"] * (link["n_units"] - link["top_units"])
    assert link_eng == pytest.approx(shown["mean_engagement"].sum(), rel=1e-12)
    # the two hidden units: one equation (the study total) for two unknowns
    summary = study.summary().row(0, named=True)
    rest = summary["mean_engagement"] * summary["employees"] - (shown["n_employees"] * shown["mean_engagement"]).sum()
    assert rest == pytest.approx(3 * true["tiny"]["eng"] + 8 * true["u1"]["eng"], rel=1e-9)


def test_complementary_partner_has_respondents_on_the_protected_side():
    # "clients_only" has no employees: suppressing it would not protect tiny's engagement
    employees, customers = build({"tiny": (3, 20), "clients_only": (0, 7), "u1": (8, 20), "u2": (11, 20)})
    study = miroir.Study(employees, customers)
    units = miroir.linkage_units(study)
    rows = {r["unit"]: r for r in units.iter_rows(named=True)}
    assert rows["u1"]["suppressed"] and rows["u1"]["suppression"].startswith("complementary")
    counts = hidden_per_side(units)
    assert counts["employees"] != 1 and counts["customers"] != 1, counts


def test_two_hidden_units_but_one_side_needs_a_partner():
    # few_clients hides satisfaction of a unit with customers; few_staff has no customers at all:
    # on the customer side only one unit is hidden, so a customer-side partner is needed
    employees, customers = build({"few_staff": (3, 0), "few_clients": (10, 2), "u1": (8, 20), "u2": (11, 25)})
    units = miroir.linkage_units(miroir.Study(employees, customers))
    counts = hidden_per_side(units)
    assert counts["employees"] != 1 and counts["customers"] != 1, (counts, units)


def test_every_study_of_the_synthetic_study_resists_subtraction():
    study = miroir.synthetic_study(studies=6, employees=3_000, customers=15_000, seed=4)
    units = miroir.linkage_units(study)
    assert units["suppressed"].any()
    for (name,), group in units.group_by("study"):
        counts = hidden_per_side(group)
        assert counts["employees"] != 1 and counts["customers"] != 1, (name, counts)


def test_lowering_the_threshold_is_explicit():
    employees, customers = build({"three": (3, 12), "four": (4, 12), "big1": (12, 12), "big2": (12, 12)})
    default = miroir.linkage_units(miroir.Study(employees, customers))
    assert default.filter(pl.col("unit").is_in(["three", "four"]))["suppressed"].all()
    assert miroir.Schema().min_group_size == 5
    lowered = miroir.linkage_units(miroir.Study(employees, customers, schema=miroir.Schema(min_group_size=3)))
    rows = {r["unit"]: r for r in lowered.iter_rows(named=True)}
    assert not any(r["suppressed"] for r in rows.values())
    assert rows["three"]["mean_engagement"] == pytest.approx(truth(employees, customers)["three"]["eng"], rel=1e-12)
    # the lowered threshold still applies below itself
    lower = miroir.linkage_units(miroir.Study(employees, customers, schema=miroir.Schema(min_group_size=4)))
    assert {r["unit"]: r["suppressed"] for r in lower.iter_rows(named=True)}["three"] is True


# --- themes and verbatim ------------------------------------------------------------------------


def theme_study(schema: miroir.Schema | None = None) -> miroir.Study:
    """600 employees and 600 customers; themes mentioned by exactly k respondents of a side."""
    employees, customers = build({f"u{j}": (60, 60) for j in range(10)})
    eids, cids = employees["employee_id"].to_list(), customers["customer_id"].to_list()
    rows = []

    def mention(theme: str, side: str, ids: list[str], k: int, repeat: int = 1) -> None:
        for i in range(k):
            for r in range(repeat):
                valence = "negative" if (i + r) % 4 else "positive"
                rows.append(("s", side, ids[i], theme, valence, f"{theme} / {side} says {i % 2}"))

    for k in (4, 5, 9, 10):
        mention(f"employees {k}", "customer", cids, 30)
        mention(f"employees {k}", "employee", eids, k)
        mention(f"customers {k}", "customer", cids, k)
        mention(f"customers {k}", "employee", eids, 30)
    # 12 employee mentions by only 6 employees (each mentions it twice)
    mention("six employees, twelve mentions", "customer", cids, 30)
    mention("six employees, twelve mentions", "employee", eids, 6, repeat=2)
    mentions = pl.DataFrame(rows, schema=["study", "side", "respondent_id", "theme", "valence", "text"], orient="row")
    return miroir.Study(employees, customers, mentions, schema=schema)


EMPLOYEE_COLUMNS = [
    "employee_mentions", "employee_positive", "employee_negative", "employee_positive_share",
    "employees_mentioning", "employee_share", "employee_share_upper",
]
CUSTOMER_COLUMNS = ["customer_mentions", "customer_positive", "customer_negative", "customer_positive_share"]


def test_themes_mentioned_by_few_employees_are_suppressed():
    table = {r["theme"]: r for r in miroir.moments(theme_study()).iter_rows(named=True)}
    assert len(table) == 9  # every theme listed
    four = table["employees 4"]
    assert four["employee_suppressed"] is True
    assert all(four[c] is None for c in EMPLOYEE_COLUMNS), {c: four[c] for c in EMPLOYEE_COLUMNS}
    for k in (5, 9, 10):
        row = table[f"employees {k}"]
        assert row["employee_suppressed"] is False
        assert row["employees_mentioning"] == k and row["employee_mentions"] == k
    # customers: same rule on their side
    c4 = table["customers 4"]
    assert c4["customer_suppressed"] is True and all(c4[c] is None for c in CUSTOMER_COLUMNS)
    assert table["customers 5"]["customer_suppressed"] is False
    assert table["customers 5"]["customer_mentions"] == 5


def test_example_verbatim_needs_ten_respondents_on_its_side():
    table = {r["theme"]: r for r in miroir.moments(theme_study()).iter_rows(named=True)}
    for k in (4, 5, 9):
        assert table[f"employees {k}"]["employee_example"] is None, k
        assert table[f"customers {k}"]["customer_example"] is None, k
    assert table["employees 10"]["employee_example"].startswith("employees 10 / employee says")
    assert table["customers 10"]["customer_example"].startswith("customers 10 / customer says")
    # respondents, not mentions: 12 mentions by 6 employees show no verbatim
    six = table["six employees, twelve mentions"]
    assert six["employee_example"] is None and six["employees_mentioning"] == 6
    # the other side of each theme has 30 respondents: its verbatim is shown
    assert table["employees 4"]["customer_example"] is not None


def test_theme_thresholds_follow_the_schema():
    schema = miroir.Schema(min_group_size=3, min_text_group_size=4)
    table = {r["theme"]: r for r in miroir.moments(theme_study(schema)).iter_rows(named=True)}
    four = table["employees 4"]
    assert four["employee_suppressed"] is False and four["employees_mentioning"] == 4
    assert four["employee_example"] is not None


def test_suppressed_employee_side_publishes_no_valence():
    employees, customers = build({f"u{j}": (20, 60) for j in range(10)})  # 200 employees
    eids, cids = employees["employee_id"].to_list(), customers["customer_id"].to_list()
    rows = [("s", "customer", c, "gesture", "positive") for c in cids[:40]]
    # 4 employees, each twice frustrated: 8 negative mentions, p = 0.008
    rows += [("s", "employee", e, "gesture", "negative") for e in eids[:4] for _ in range(2)]
    mentions = pl.DataFrame(rows, schema=["study", "side", "respondent_id", "theme", "valence"], orient="row")
    row = miroir.moments(miroir.Study(employees, customers, mentions)).row(0, named=True)
    assert row["employee_suppressed"] is True
    assert row["employee_axis"] not in ("proud", "frustrated") and row["moment"] not in ("pain", "dead_end")


# --- moment effects -----------------------------------------------------------------------------


def effects_study(n_mentioning_employees: int, n_employees_per_unit: int = 20) -> miroir.Study:
    employees, customers = build({f"u{j}": (n_employees_per_unit, 40) for j in range(5)})
    eids, cids = employees["employee_id"].to_list(), customers["customer_id"].to_list()
    # customers enchanted; employees proud (win_win) or, when very few mention it, silent
    rows = [("s", "customer", c, "same advisor", "positive") for c in cids[:60]]
    rows += [("s", "employee", e, "same advisor", "positive") for e in eids[:n_mentioning_employees]]
    mentions = pl.DataFrame(rows, schema=["study", "side", "respondent_id", "theme", "valence"], orient="row")
    return miroir.Study(employees, customers, mentions)


def effect_row(study: miroir.Study, moment: str, side: str) -> dict:
    table = miroir.moment_effects(study)
    return table.filter((pl.col("moment") == moment) & (pl.col("side") == side)).row(0, named=True)


STAT_COLUMNS = ["mean_mentioning", "mean_other", "estimate", "statistic", "df", "p_value", "ci_low", "ci_high", "hedges_g", "q_value"]


def test_moment_effects_with_few_respondents_are_suppressed():
    # 1000 employees, 3 mention the theme: employees are silent, the moment is lucky_break, and
    # the engagement of those 3 must not be published
    small = effects_study(n_mentioning_employees=3, n_employees_per_unit=200)
    assert miroir.moments(small)["moment"][0] == "lucky_break"
    row = effect_row(small, "lucky_break", "employee")
    assert row["n_mentioning"] == 3 and row["suppressed"] is True
    assert all(row[c] is None for c in STAT_COLUMNS), {c: row[c] for c in STAT_COLUMNS}
    assert "suppressed" in row["note"]
    # the customer side of the same moment (60 customers) is shown
    cust = effect_row(small, "lucky_break", "customer")
    assert cust["suppressed"] is False and cust["n_mentioning"] == 60 and cust["estimate"] is not None


def test_moment_effects_shown_from_five_respondents():
    study = effects_study(n_mentioning_employees=12)
    row = effect_row(study, "win_win", "employee")
    assert row["suppressed"] is False and row["n_mentioning"] == 12
    assert row["mean_mentioning"] is not None and math.isfinite(row["estimate"])


def test_moment_effects_suppress_a_small_other_group_too():
    # 100 employees, 97 mention the theme: the 3 others' mean engagement must not be shown
    study = effects_study(n_mentioning_employees=97)
    row = effect_row(study, "win_win", "employee")
    assert row["n_other"] == 3 and row["suppressed"] is True
    assert row["mean_other"] is None and row["estimate"] is None


def test_exposure_gap_suppresses_small_segments():
    employees, customers = build({f"u{j}": (10, 10) for j in range(4)})
    # only 3 customer-facing employees in the study
    facing = [i < 3 for i in range(employees.height)]
    employees = employees.with_columns(customer_facing=pl.Series(facing))
    rows = miroir.exposure_gap(miroir.Study(employees, customers)).filter(pl.col("level") == "study")
    value = rows["mean_facing"][0]
    assert value is None or math.isnan(value)
