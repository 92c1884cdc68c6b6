"""Result objects (issue 6, notebook experience): every analysis returns a result that holds its
polars table unchanged, behaves like it, and displays as a headline and a formatted table in
text (``repr``) and HTML (``_repr_html_``): numbers rounded, intervals as ``[low, high]``,
significant rows marked, suppressed groups written ``suppressed``, strings escaped.

The expected figures are computed here from ``.table`` and formatted independently.
"""

from __future__ import annotations

import copy
import html
import json
import math
import pickle
import warnings
from html.parser import HTMLParser

import pandas as pd
import polars as pl
import pytest

import miroir

SIX = ("win_win", "lucky_break", "pain", "wrong_fight", "blindness", "dead_end")
VOID = {"br", "hr", "img", "meta", "link", "input", "col", "wbr"}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        yield


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)


def small_study(study_name: str = "acme", kiosk: str = "kiosk", facing: int | None = None) -> miroir.Study:
    """One study, four units: ``kiosk`` has 2 employees (suppressed, plus a complementary one)."""
    units = ["north"] * 6 + ["south"] * 6 + ["east"] * 6 + [kiosk] * 2
    n = len(units)
    flags = [i % 2 == 0 for i in range(n)] if facing is None else [i < facing for i in range(n)]
    employees = pl.DataFrame({
        "study": [study_name] * n, "unit": units, "employee_id": [f"e{i}" for i in range(n)],
        "customer_facing": flags, "engagement": [float(30 + (i * 7) % 60) for i in range(n)],
    })
    cunits = ["north", "south", "east", kiosk] * 8
    customers = pl.DataFrame({
        "study": [study_name] * len(cunits), "unit": cunits,
        "customer_id": [f"c{i}" for i in range(len(cunits))],
        "satisfaction": [float((i * 3) % 11) for i in range(len(cunits))],
    })
    return miroir.Study(employees, customers)


# --- an HTML checker ----------------------------------------------------------------------------


class Checker(HTMLParser):
    """Parses the HTML, checks that every element is closed in order, counts rows and cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.rows: list[dict[str, object]] = []  # one per <tr>: its classes and cell texts
        self.scripts = 0
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.scripts += 1
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name}={value}"
            if name in ("src", "href") and value:
                assert not value.startswith(("http", "//")), value
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "tr":
            classes = (dict(attrs).get("class") or "").split()
            self.rows.append({"classes": classes, "cells": []})
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            cells = self.rows[-1]["cells"]
            assert isinstance(cells, list)
            cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(markup: str) -> Checker:
    checker = Checker()
    checker.feed(markup)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    assert checker.scripts == 0
    return checker


def body_rows(checker: Checker) -> list[dict[str, object]]:
    return [r for r in checker.rows if "miroir-row" in r["classes"]]  # type: ignore[operator]


def marked_text_rows(text: str, n_rows: int) -> int:
    """Marked rows of a text display (headline, header and rule first; legend after)."""
    return sum(1 for line in text.splitlines()[3 : 3 + n_rows] if line.startswith("* "))


# --- independent formatting -----------------------------------------------------------------------


def f(x: float, d: int) -> str:
    return f"{x:.{d}f}"


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def pooled(table: pl.DataFrame) -> dict:
    return table.filter(pl.col("level") == "pooled").row(0, named=True)


# --- every kind -----------------------------------------------------------------------------------

ANALYSES = {
    "linkage": (miroir.linkage, miroir.LinkageResult),
    "units": (miroir.linkage_units, miroir.UnitsResult),
    "exposure_gap": (miroir.exposure_gap, miroir.ExposureGapResult),
    "moments": (miroir.moments, miroir.MomentsResult),
    "moment_effects": (miroir.moment_effects, miroir.MomentEffectsResult),
    "indicators": (miroir.indicators, miroir.IndicatorsResult),
}


@pytest.mark.parametrize("kind", list(ANALYSES))
def test_result_holds_the_table_and_behaves_like_it(study, kind):
    func, cls = ANALYSES[kind]
    res = func(study)
    assert isinstance(res, cls) and isinstance(res, miroir.Result) and res.kind == kind
    assert isinstance(res.table, pl.DataFrame)
    assert res.to_polars() is res.table
    # the DataFrame's interface is forwarded, and returns plain polars
    first = res.columns[0]
    assert res.height == len(res) == res.table.height
    assert res.shape == res.table.shape
    assert isinstance(res[first], pl.Series) and res[first].equals(res.table[first])
    assert res.row(0, named=True) == res.table.row(0, named=True)
    assert isinstance(res.select(first), pl.DataFrame)
    assert res.filter(pl.col(first).is_not_null()).height <= res.height
    assert [s.name for s in res] == res.table.columns
    assert first in res and "no such column" not in res
    assert pl.DataFrame(res.to_dicts(), schema=res.table.schema).equals(res.table)
    assert res.equals(res.table) and res.equals(func(study))
    # the Arrow stream makes it a DataFrame source
    assert pl.DataFrame(res).equals(res.table)
    # pandas
    frame = res.to_pandas()
    assert isinstance(frame, pd.DataFrame) and frame.shape == res.table.shape
    assert list(frame.columns) == res.table.columns
    # no private name reaches the table (IPython probes _repr_*_ and _ipython_*_)
    assert getattr(res, "_repr_latex_", None) is None
    assert getattr(res, "_repr_mimebundle_", None) is None
    with pytest.raises(AttributeError):
        res.no_such_attribute  # noqa: B018
    # copies and pickles keep the table
    assert copy.deepcopy(res).table.equals(res.table)
    again = pickle.loads(pickle.dumps(res))
    assert type(again) is cls and again.table.equals(res.table) and repr(again) == repr(res)
    # tab completion offers the table's methods
    assert "filter" in dir(res) and "headline" in dir(res)


@pytest.mark.parametrize("kind", list(ANALYSES))
def test_html_is_well_formed_with_one_row_per_table_row(study, kind):
    res = ANALYSES[kind][0](study)
    markup = res._repr_html_()
    assert markup.startswith("<style>")
    checker = parse(markup)
    header = [r for r in checker.rows if "miroir-row" not in r["classes"]]
    assert len(header) == 1
    assert len(checker.rows) == res.height + 1
    # the headline opens both displays
    assert html.escape(res.headline) in markup
    assert repr(res).splitlines()[0] == res.headline
    # every body row has the same cells as the header
    widths = {len(r["cells"]) for r in checker.rows}  # type: ignore[arg-type]
    assert len(widths) == 1
    # marked rows: the same in text and HTML, and as significant_rows() says
    n_marked = int(res.significant_rows().sum())
    assert sum("miroir-significant" in r["classes"] for r in checker.rows) == n_marked  # type: ignore[operator]
    assert markup.count("★") == n_marked + (1 if n_marked else 0)  # rows + legend
    if res.height <= res.text_max_rows:
        assert marked_text_rows(repr(res), res.height) == n_marked
    # no raw float noise or Python reprs
    text = "".join(checker.text)
    assert "nan" not in text.replace("n/a", "").lower().split() and "None" not in text


def test_linkage_headline_and_table(study):
    res = miroir.linkage(study)
    row = pooled(res.table)
    studies = res.table.filter(pl.col("level") == "study").height
    expected = (
        f"Linkage: unit engagement vs share satisfied, {studies} studies, {row['n_units']} units; "
        f"pooled r = {f(row['estimate'], 2)} [{f(row['ci_low'], 2)}, {f(row['ci_high'], 2)}] (95% CI), "
        f"{p_text(row['p_value'])}"
    )
    assert res.headline == expected
    text = repr(res)
    assert text.startswith(expected + "\n")
    # each study's r with its interval, and its ICC(1), appear on its line
    for r in res.table.iter_rows(named=True):
        label = "pooled" if r["level"] == "pooled" else r["study"]
        line = next(li for li in text.splitlines() if li[2:].startswith(label))
        assert f"{f(r['estimate'], 2)} [{f(r['ci_low'], 2)}, {f(r['ci_high'], 2)}]" in line
        assert f(r["icc1"], 2) in line
        assert f"{100 * r['share_satisfied_high']:.1f}% / {100 * r['share_satisfied_rest']:.1f}%" in line
        assert line.startswith("* ") == (r["p_value"] < 0.05)
    assert "* correlation p < 0.05" in text
    markup = res._repr_html_()
    assert html.escape(f"{f(row['estimate'], 2)} [{f(row['ci_low'], 2)}, {f(row['ci_high'], 2)}]") in markup
    # the call's options set the labels
    rho = miroir.linkage(study, method="spearman", outcome="mean_satisfaction", by=None, confidence=0.9)
    assert rho.headline.startswith("Linkage: unit engagement vs mean satisfaction, ")
    assert " pooled ρ = " in rho.headline and "(90% CI)" in rho.headline
    assert "ρ [90% CI]" in repr(rho) and rho.options["method"] == "spearman"


def test_non_significant_rows_are_not_marked():
    res = miroir.linkage(small_study())  # two units: r = ±1 by construction, p = 1
    assert res.table["p_value"].to_list() == [1.0, 1.0]
    assert not res.significant_rows().any()
    assert marked_text_rows(repr(res), res.height) == 0
    assert "★" not in res._repr_html_() and 'class="miroir-row miroir-significant' not in res._repr_html_()
    assert "p < 0.05" not in repr(res)  # no legend without marks
    # an undefined interval bound is written n/a, not nan
    assert "n/a" in repr(res) and "nan" not in repr(res)


def test_exposure_gap_headline(study):
    res = miroir.exposure_gap(study)
    row = pooled(res.table)
    largest = res.table.filter(pl.col("largest")).row(0, named=True)
    expected = (
        f"Exposure gap: customer-facing employees {f(row['gap'], 1)} points less engaged than the "
        f"others (pooled, 95% CI [{f(row['ci_low'], 1)}, {f(row['ci_high'], 1)}], "
        f"{p_text(row['p_value'])}); adjusted {f(row['adjusted_gap'], 1)} "
        f"[{f(row['adjusted_ci_low'], 1)}, {f(row['adjusted_ci_high'], 1)}]; "
        f"up to {f(largest['gap'], 1)} points ({largest['study']})"
    )
    assert res.headline == expected
    text = repr(res)
    for r in res.table.iter_rows(named=True):
        label = "pooled" if r["level"] == "pooled" else r["study"]
        line = next(li for li in text.splitlines() if li[2:].startswith(label))
        assert f"{r['n_facing']} / {r['n_other']}" in line
        assert f"{f(r['gap'], 1)} [{f(r['ci_low'], 1)}, {f(r['ci_high'], 1)}]" in line
        assert f"{f(r['hedges_g'], 2)} [{f(r['g_ci_low'], 2)}, {f(r['g_ci_high'], 2)}]" in line
        assert ("largest" in line) == r["largest"]


def test_exposure_gap_suppressed_segment():
    res = miroir.exposure_gap(small_study(facing=3))  # 3 customer-facing employees
    assert res.table["suppressed"].all()
    assert "gap not shown (suppressed: a segment has fewer than 5 employees)" in res.headline
    assert res.suppressed_rows().all()
    checker = parse(res._repr_html_())
    for r in body_rows(checker):
        assert "miroir-suppressed" in r["classes"]  # type: ignore[operator]
        cells = r["cells"]
        assert isinstance(cells, list)
        assert "suppressed" in cells and "3 / 17" in cells
    assert "[1] suppressed: a segment has fewer than 5 employees" in repr(res)


def test_units_suppressed_in_text_and_html():
    res = miroir.linkage_units(small_study())
    hidden = res.table.filter(pl.col("suppressed"))
    assert hidden.height == 2
    assert res.headline == "Units: 4 units in 1 study; 2 suppressed (statistics withheld)"
    checker = parse(res._repr_html_())
    rows = body_rows(checker)
    assert len(rows) == 4
    by_unit = {r["cells"][2]: r for r in rows}  # type: ignore[index]
    for unit in hidden["unit"]:
        r = by_unit[unit]
        assert "miroir-suppressed" in r["classes"]  # type: ignore[operator]
        # mean engagement, share satisfied, mean satisfaction: suppressed, never blank
        assert [r["cells"][i] for i in (4, 6, 7)] == ["suppressed"] * 3  # type: ignore[index]
        # the counts stay
        n = hidden.filter(pl.col("unit") == unit).row(0, named=True)
        assert r["cells"][3] == str(n["n_employees"]) and r["cells"][5] == str(n["n_customers"])  # type: ignore[index]
    markup = res._repr_html_()
    assert "fewer than 5 respondents on one side" in markup and "complementary" in markup
    assert 'class="num suppressed"' in markup
    text = repr(res)
    for unit in hidden["unit"]:
        line = next(li for li in text.splitlines() if f" {unit} " in li)
        assert line.count("suppressed") == 3
    shown = res.table.filter(~pl.col("suppressed")).row(0, named=True)
    assert f(shown["mean_engagement"], 1) in text and f"{100 * shown['share_satisfied']:.1f}%" in text


def test_strings_are_escaped():
    study = small_study(study_name="<b>&co", kiosk="<b>&kiosk")
    for res in (miroir.linkage_units(study), miroir.linkage(study), miroir.exposure_gap(study)):
        markup = res._repr_html_()
        parse(markup)
        assert "<b>" not in markup
        assert "&lt;b&gt;&amp;co" in markup
        assert "<b>&co" in repr(res)  # the text display shows the name as it is
    units = miroir.linkage_units(study)
    assert "&lt;b&gt;&amp;kiosk" in units._repr_html_()
    # the report escapes the summary and the section headlines too
    markup = miroir.report(study)._repr_html_()
    parse(markup)
    assert "<b>" not in markup and "&lt;b&gt;&amp;co" in markup


def test_moments_headline_marks_and_suppressed_sides(study):
    res = miroir.moments(study)
    t = res.table
    classified = t.filter(pl.col("moment").is_in(SIX) & (pl.col("q_value") < 0.05))
    counts = ", ".join(
        f"{m} {n}" for m in SIX if (n := classified.filter(pl.col("moment") == m).height)
    )
    few = t.filter(pl.col("moment") == "too_few_mentions").height
    expected = (
        f"Moments: {t.height} themes; {classified.height} classified at q < 0.05 ({counts}); "
        f"{t.height - classified.height - few} undetermined"
    )
    if few:
        expected += f"; {few} with too few mentions"
    assert res.headline == expected
    assert res.significant_rows().to_list() == [
        r["moment"] in SIX and r["q_value"] < 0.05 for r in t.iter_rows(named=True)
    ]
    # a theme whose employee side is suppressed shows it as suppressed, in text and HTML
    side = t.filter(pl.col("employee_suppressed"))
    assert side.height > 0
    theme = side["theme"][0]
    rows = {r["cells"][1]: r for r in body_rows(parse(res._repr_html_()))}  # type: ignore[index]
    cells = rows[theme]["cells"]
    assert isinstance(cells, list) and cells.count("suppressed") == 2
    assert "miroir-suppressed" in rows[theme]["classes"]  # type: ignore[operator]
    # the mark follows alpha
    strict = miroir.moments(study, alpha=0.001)
    assert "q < 0.001" in strict.headline
    assert int(strict.significant_rows().sum()) == strict.table.filter(
        pl.col("moment").is_in(SIX)
    ).height


def test_moments_by_study_shows_the_study(study):
    res = miroir.moments(study, by="study")
    assert f"in 3 studies ({res.height} rows)" in res.headline
    checker = parse(res._repr_html_())
    assert checker.rows[0]["cells"][1] == "study"  # type: ignore[index]
    assert len(checker.rows) == res.height + 1


def test_moment_effects(study):
    res = miroir.moment_effects(study)
    t = res.table
    n_sig = t.filter(pl.col("q_value") < 0.05).height
    assert 0 < n_sig < t.height
    assert res.headline == (
        f"Moment effects: {t.height} comparisons (6 moments, customers and employees); "
        f"{n_sig} with q < 0.05; none suppressed"
    )
    text = repr(res)
    for r in t.iter_rows(named=True):
        d = 1 if r["outcome"] == "engagement" else 2
        line = next(
            li for li in text.splitlines() if li[2:].split()[:2] == [r["moment"], r["side"]]
        )
        assert f"{r['estimate']:+.{d}f} [{r['ci_low']:+.{d}f}, {r['ci_high']:+.{d}f}]" in line
        assert line.startswith("* ") == (r["q_value"] < 0.05)


def test_moment_effects_suppressed_group():
    employees = pl.DataFrame({
        "study": "s", "unit": [f"u{i % 5}" for i in range(1000)],
        "employee_id": [f"e{i}" for i in range(1000)], "customer_facing": [i % 2 == 0 for i in range(1000)],
        "engagement": [float(20 + (i * 13) % 70) for i in range(1000)],
    })
    customers = pl.DataFrame({
        "study": "s", "unit": [f"u{i % 5}" for i in range(200)],
        "customer_id": [f"c{i}" for i in range(200)], "satisfaction": [float((i * 7) % 11) for i in range(200)],
    })
    # customers enchanted, 3 proud employees: silent, lucky_break, and the 3 are not published
    rows = [("s", "customer", f"c{i}", "same advisor", "positive") for i in range(60)]
    rows += [("s", "employee", f"e{i}", "same advisor", "positive") for i in range(3)]
    mentions = pl.DataFrame(rows, schema=["study", "side", "respondent_id", "theme", "valence"], orient="row")
    res = miroir.moment_effects(miroir.Study(employees, customers, mentions))
    assert "1 suppressed" in res.headline
    row = res.table.filter(pl.col("suppressed")).row(0, named=True)
    assert (row["moment"], row["side"]) == ("lucky_break", "employee")
    html_rows = body_rows(parse(res._repr_html_()))
    cells = next(r["cells"] for r in html_rows if r["cells"][1:3] == ["lucky_break", "employee"])  # type: ignore[index]
    assert isinstance(cells, list) and "3 / 997" in cells and cells.count("suppressed") >= 4
    line = next(li for li in repr(res).splitlines() if "lucky_break  employee" in li)
    assert "suppressed" in line and "[" in line  # with its footnote reference


def test_indicators_mark_published_values_outside_the_ci(study):
    res = miroir.indicators(study)
    t = res.table
    outside = t.filter((pl.col("published") < pl.col("ci_low")) | (pl.col("published") > pl.col("ci_high")))
    assert outside.height > 0
    assert res.headline == (
        f"Indicators: {t.height} figures; {t.height - outside.height} published values inside their "
        f"95% CI, {outside.height} outside ({', '.join(outside['id'])})"
    )
    assert res.significant_rows().to_list() == [i in outside["id"].to_list() for i in t["id"]]
    text = repr(res)
    for r in t.iter_rows(named=True):
        line = next(li for li in text.splitlines() if li[2:].startswith(r["id"] + " "))
        d = 1 if abs(r["estimate"]) >= 10 else 2 if abs(r["estimate"]) >= 1 else 3
        assert f"{f(r['estimate'], d)} [{f(r['ci_low'], d)}, {f(r['ci_high'], d)}]" in line
        assert f"{r['n']:,}" in line
        inside = r["ci_low"] <= r["published"] <= r["ci_high"]
        assert line.rstrip().split()[-1 if r["note"] is None else -2] == ("yes" if inside else "no")
        assert line.startswith("* ") == (not inside)
    assert "* published value outside the 95% CI" in text
    assert "★ published value outside the 95% CI" in res._repr_html_()


def test_long_tables_are_elided_in_text_only(study):
    res = miroir.linkage_units(study)
    assert res.height > res.text_max_rows
    text = repr(res)
    assert f"… {res.height - res.text_max_rows} more rows (see .table) …" in text
    assert len(text.splitlines()) == 3 + res.text_max_rows + 1
    assert len(parse(res._repr_html_()).rows) == res.height + 1


def test_report_display_and_tables(study):
    rep = miroir.report(study)
    assert isinstance(rep.summary, pl.DataFrame)
    assert isinstance(rep.indicators, miroir.IndicatorsResult) and isinstance(rep.units, miroir.UnitsResult)
    tables = rep.tables()
    assert list(tables) == list(rep.TABLES)
    assert all(isinstance(df, pl.DataFrame) for df in tables.values())
    assert set(rep.results()) == set(rep.TABLES) - {"summary"}
    # the DataFrame idioms of the report sections keep working
    assert rep.indicators.select("id", "estimate").height == 8
    data = json.loads(rep.to_json())
    assert data["linkage"] == json.loads(json.dumps(rep.to_dict()["linkage"], default=str).replace("NaN", "null"))
    text = repr(rep)
    lines = text.splitlines()
    assert lines[0] == f"miroir report: 3 studies, {rep.units.height} units, 1,500 employees, 6,000 customers"
    for res in rep.results().values():
        assert f"  {res.headline}" in lines
    markup = rep._repr_html_()
    checker = parse(markup)
    assert markup.count("<style>") == 1
    n_rows = rep.summary.height + sum(r.height for r in rep.results().values())
    # one header per section (and the summary) plus one row per table row
    assert len(checker.rows) == n_rows + len(rep.results()) + 1
    for res in rep.results().values():
        assert html.escape(res.headline) in markup


def test_report_without_mentions():
    rep = miroir.report(small_study())
    assert rep.moments is None and rep.moment_effects is None
    assert "moments" not in rep.tables()
    assert "  Moments: no coded mentions" in repr(rep).splitlines()
    parse(rep._repr_html_())


def test_pandas_tables_are_accepted(study):
    employees = study.employees.to_pandas()
    customers = study.customers.to_pandas()
    mentions = study.mentions.to_pandas()
    assert isinstance(employees, pd.DataFrame)
    from_pandas = miroir.Study(employees, customers, mentions)
    for kind, (func, _) in ANALYSES.items():
        a, b = func(from_pandas), func(study)
        assert a.table.equals(b.table), kind
        assert a.headline == b.headline
    # a result can be built on a pandas table too
    res = miroir.IndicatorsResult(miroir.indicators(study).to_pandas())
    assert isinstance(res.table, pl.DataFrame) and res.headline == miroir.indicators(study).headline


def test_generic_result_display():
    table = pl.DataFrame({"group": ["a", "b"], "n": [1200, 3], "share": [0.5, math.nan], "x": [None, 2.0]})
    res = miroir.Result(table)
    text = repr(res)
    assert text.splitlines()[0] == "Result: 2 rows"
    assert "1,200" in text and "0.500" in text and "n/a" in text and "–" in text
    checker = parse(res._repr_html_())
    assert len(checker.rows) == 3
    assert miroir.Result(table.head(0)).headline == "Result: no rows"
