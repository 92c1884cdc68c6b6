"""The HTML report as a client deliverable (issue 17, parts 1-3): the language of every text and
number, p-values and missing values as a reader expects them, notes as numbered footnotes, the
comparison with published figures only when asked, content that follows the data (absent
indicators, empty moments, empty columns left out, each with a sentence), verbatims per moment
within the confidentiality rule, units on the columns."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

import miroir
from miroir.reproduce import builtin_spec, run
from miroir.headlines import indicator_label
from miroir.html_report import render_html, translate_note
from miroir.i18n import MISSING, format_percent, moment_action, moment_name, text

MOMENTS = miroir.charts.MOMENTS
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        yield


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        s = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    assert isinstance(s, miroir.Study)
    return s


@pytest.fixture(scope="module")
def report(study: miroir.Study) -> miroir.Report:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.report(study, n_resamples=0)


@pytest.fixture(scope="module")
def pages(report: miroir.Report) -> dict[str, str]:
    return {lang: render_html(report, lang=lang, charts=False) for lang in ("en", "fr")}


def visible(page: str) -> str:
    """The text a reader sees (tags, styles and charts left out)."""
    body = page.split("<body>", 1)[-1]
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def section(page: str, anchor: str) -> str:
    found = re.search(rf'<section id="{anchor}">(.*?)</section>\n', page, re.S)
    assert found, anchor
    return found.group(1)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_is_in_its_language(pages: dict[str, str], report: miroir.Report, lang: str) -> None:
    page = pages[lang]
    assert f'<html lang="{lang}">' in page
    shown = visible(page)
    for key in ("key_figures", "indicators", "exposure_gap", "linkage", "mirror_matrix",
                "moment_effects", "drivers", "units", "notes"):
        assert text(f"html.section.{key}", lang) in shown, key
    for moment in MOMENTS:
        assert moment_name(moment, lang) in shown
        assert text(f"moment.{moment}.action", lang) in shown
    for row in report.indicators.table.to_dicts():
        assert indicator_label(row, lang) in shown
    if lang == "fr":
        # French numbers: decimal comma, narrow no-break spaces in thousands and before %
        can = report.indicators.table.filter(pl.col("id") == "can_contribute").row(0, named=True)
        assert format_percent(can["estimate"], "fr") in shown
        assert f"4{NNBSP}000" in shown and f"20{NNBSP}000" in shown
        for english in ("Key figures", "Published", "suppressed", "pooled", "Units (n)",
                        "Wilson score interval", "p-value below"):
            assert english not in shown, english


def test_p_values_missing_values_and_notes(pages: dict[str, str], report: miroir.Report) -> None:
    for lang, page in pages.items():
        shown = visible(page)
        assert "NaN" not in shown and "nan" not in shown.split() and "inf" not in shown.split()
        assert not re.search(r"\d[eE]-\d", shown), re.search(r".{30}\d[eE]-\d.{10}", shown)
        assert ("< 0,001" if lang == "fr" else "< 0.001") in shown
        assert MISSING in shown
    # the linkage's p-value floor note: once in the page, as a numbered footnote
    page = pages["en"]
    notes = re.findall(r'<li id="note-(\d+)">(.*?)</li>', page)
    assert notes, "no footnotes"
    texts = [html.unescape(t) for _, t in notes]
    assert len(texts) == len(set(texts))
    assert [int(n) for n, _ in notes] == list(range(1, len(notes) + 1))
    floor = translate_note("p-value below 2.2e-308 (the smallest normal double)", "en")
    assert texts.count(floor) == 1
    # every mark in a table points to a footnote that exists
    marks = {int(m) for m in re.findall(r'<a href="#note-(\d+)">', page)}
    assert marks == set(range(1, len(notes) + 1))


def test_columns_carry_their_units(pages: dict[str, str]) -> None:
    gap = section(pages["en"], "exposure-gap")
    assert "Gap (points)" in gap and "CI (points)" in gap
    link = section(pages["en"], "linkage")
    assert "Correlation (r)" in link and "r, CI" in link and "I² (%)" in link
    assert "(%)" in section(pages["fr"], "linkage")
    # I² is already a percentage: shown as such, never as a share
    i2 = section(pages["en"], "linkage")
    assert "I²" in i2


def test_published_figures_only_when_asked(report: miroir.Report) -> None:
    header = text("column.published", "en")
    plain = render_html(report, charts=False)
    assert header not in visible(plain)
    assert text("html.section.indicators", "en") in visible(plain)
    assert text("html.outside_ci", "en") not in visible(plain)

    seed = render_html(report, charts=False, published=True)
    shown = visible(seed)
    assert header in shown and text("html.section.indicators_published", "en") in shown
    table = report.indicators.table
    outside = table.filter(pl.col("ci_low").is_finite() & pl.col("ci_high").is_finite()
                           & ((pl.col("published") < pl.col("ci_low"))
                              | (pl.col("published") > pl.col("ci_high"))))
    comparable = table.filter(pl.col("ci_low").is_finite() & pl.col("ci_high").is_finite())
    inside_cells = section(seed, "indicators").count(f">{text('html.inside_ci', 'en')}<")
    outside_cells = section(seed, "indicators").count(f">{text('html.outside_ci', 'en')}<")
    assert (inside_cells, outside_cells) == (comparable.height - outside.height, outside.height)
    # the key figures say it too, on each card
    assert section(seed, "key-figures").count(text("html.published_value", "en", value="")) == table.height

    mine = render_html(report, charts=False, published={"can_contribute": 0.5})
    indicators = section(mine, "indicators")
    assert indicators.count(f">{text('html.outside_ci', 'en')}<") == 1  # only the one given
    assert f">{text('html.inside_ci', 'en')}<" not in indicators

    with pytest.raises(miroir.InvalidArgumentError, match="published"):
        render_html(report, charts=False, published={"can_contribute": "72%"})
    with pytest.raises(miroir.InvalidArgumentError, match="published"):
        render_html(report, charts=False, published=[0.72])


def test_published_figures_of_a_reproduce_spec(study: miroir.Study, report: miroir.Report) -> None:
    spec = run(builtin_spec("seed-kpam"), study)
    page = render_html(report, charts=False, published=spec)
    ids = set(spec.table["id"].to_list()) & set(report.indicators.table["id"].to_list())
    assert ids
    assert section(page, "indicators").count(f">{text('column.published', 'en')}</th>") == 1
    for indicator in ids:
        assert f'data-indicator="{indicator}"' in page


def test_indicators_without_their_question_are_left_out_with_a_line(study: miroir.Study) -> None:
    bare = miroir.Study(study.employees.drop("has_cost_ideas"), study.customers, study.mentions)
    report = miroir.report(bare, n_resamples=0)
    row = report.indicators.table.filter(pl.col("id") == "has_cost_ideas").row(0, named=True)
    label = indicator_label(row, "en")
    page = render_html(report, charts=False)
    indicators = visible(section(page, "indicators"))
    assert 'data-indicator="has_cost_ideas"' not in page
    assert text("html.indicators_left_out", "en", labels=label) in " ".join(indicators.split())
    assert indicators.count(label) == 1  # the line, not a row


def test_empty_analyses_are_left_out_with_a_sentence(study: miroir.Study) -> None:
    plain = miroir.Study(study.employees.select("study", "unit", "employee_id", "customer_facing",
                                                "engagement"), study.customers)
    report = miroir.report(plain, n_resamples=0)
    assert report.moments is None and report.drivers is None
    for lang in ("en", "fr"):
        page = render_html(report, lang=lang, charts=False)
        shown = " ".join(visible(page).split())
        for anchor in ("mirror-matrix", "moments", "moment-effects", "drivers"):
            assert f'<section id="{anchor}">' not in page
        for key in ("moments", "drivers"):
            assert text(f"html.omitted.{key}", lang) in shown
        left_out = [r for r in report.indicators.table.to_dicts() if r["n"] == 0]
        assert left_out  # the seed's yes/no questions are absent
        for row in left_out:
            assert f'data-indicator="{row["id"]}"' not in page


def test_moments_without_a_theme_get_no_empty_rows(study: miroir.Study) -> None:
    mentions = study.mentions
    assert mentions is not None
    moments = miroir.moments(study).table
    keep = moments.filter(pl.col("moment").is_in(["win_win", "dead_end"]))["theme"]
    sparse = miroir.Study(study.employees, study.customers,
                          mentions.filter(pl.col("theme").is_in(keep.implode())))
    report = miroir.report(sparse, n_resamples=0)
    present = {m for m in report.moments.table["moment"].to_list() if m in MOMENTS}  # type: ignore[union-attr]
    empty = [m for m in MOMENTS if m not in present]
    assert empty
    page = render_html(report, charts=False)
    effects = section(page, "moment-effects")
    for moment in empty:
        assert moment_name(moment, "en") not in re.sub(r'<p class="note">.*?</p>', "", effects)
        detail = section(page, "moments").split(f'id="moment-{moment}"', 1)[1].split("</section>", 1)[0]
        assert text("html.no_theme_in_moment", "en") in html.unescape(detail)
    assert text("html.effects_left_out", "en", moments=", ".join(
        moment_name(m, "en") for m in MOMENTS if m in empty)) in html.unescape(effects)
    assert "NaN" not in visible(page)


def test_several_verbatims_per_moment_within_the_rule(report: miroir.Report, study: miroir.Study) -> None:
    page = render_html(report, charts=False)
    detail = section(page, "moments")
    table = report.moments.table  # type: ignore[union-attr]
    examples = set(table["customer_example"].drop_nulls()) | set(table["employee_example"].drop_nulls())
    for moment in MOMENTS:
        part = detail.split(f'id="moment-{moment}"', 1)[1].split("</section>", 1)[0]
        quotes = [html.unescape(q) for q in re.findall(r"<blockquote>“(.*?)”<span", part)]
        assert all(q in examples for q in quotes)
        assert len(quotes) <= 6
        mine = table.filter(pl.col("moment") == moment)
        available = mine["customer_example"].drop_nulls().len() + mine["employee_example"].drop_nulls().len()
        assert len(quotes) == min(6, available), moment
        assert html.escape(moment_action(moment, "en") or "", quote=True) in part
    win_win = detail.split('id="moment-win_win"', 1)[1].split("</section>", 1)[0]
    assert win_win.count("<blockquote>") >= 3
    two = section(render_html(report, charts=False, verbatims=2), "moments")
    assert max(len(re.findall("<blockquote>", p)) for p in two.split('class="moment"')) == 2

    # texts are withheld below min_text_group_size: with a threshold nobody reaches, none
    strict = miroir.Study(study.employees, study.customers, study.mentions,
                          miroir.Schema(min_text_group_size=1_000_000))
    page = render_html(miroir.report(strict, n_resamples=0), charts=False)
    assert "<blockquote>" not in page
    assert text("html.no_verbatim", "en") in html.unescape(page)


def test_a_column_without_any_value_is_left_out(report: miroir.Report) -> None:
    tables: dict[str, Any] = dict(report.tables())
    tables["summary"] = report.summary.with_columns(sector=pl.lit(None, dtype=pl.String))
    tables["warnings"] = []
    page = render_html(miroir.Report(tables), charts=False)
    assert "Sector" not in visible(section(page, "summary"))
    assert "Sector" in visible(section(render_html(report, charts=False), "summary"))


def test_wide_tables_are_split_with_the_row_names_repeated(pages: dict[str, str]) -> None:
    link = section(pages["en"], "linkage")
    parts = re.findall(r"<table>.*?</table>", link, re.S)
    assert len(parts) >= 2
    for part in parts:
        assert part.startswith("<table><thead><tr><th>Study</th>")
        assert "all studies" in part


def test_bad_arguments_are_typed_errors(report: miroir.Report, tmp_path: Any) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="'de'"):
        render_html(report, lang="de")
    with pytest.raises(miroir.InvalidArgumentError, match="verbatims"):
        render_html(report, verbatims=-1)
    with pytest.raises(miroir.InvalidArgumentError, match="'de'"):
        miroir.charts.forest_plot(report.linkage, lang="de")
    with pytest.raises(miroir.FileError):
        miroir.html_report.write_html(report, tmp_path / "no" / "such" / "dir.html", charts=False)


def test_report_to_html(report: miroir.Report, tmp_path: Any) -> None:
    out = tmp_path / "rapport.html"
    report.to_html(out, lang="fr", charts=False)
    page = out.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert text("html.section.key_figures", "fr") in html.unescape(page)
