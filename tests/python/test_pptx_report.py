"""The PowerPoint deck of a report (issue 17), opened with python-pptx: slide titles, charts
(pictures at 200 dpi), headline sentences, moments with their actions and verbatims."""

from __future__ import annotations

import sys
from importlib import resources

import polars as pl
import pytest

import miroir
from _support import moment_texts
from miroir.results import MOMENT_ORDER, Report

pptx = pytest.importorskip("pptx")
pytest.importorskip("matplotlib")
from pptx.enum.shapes import MSO_SHAPE_TYPE  # noqa: E402
tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

CAT = tomllib.loads(resources.files("miroir").joinpath("catalogue.toml").read_text("utf-8"))
CAT["moment"].update(moment_texts())  # the six moments are stated by the Rust core


def section(key: str, lang: str) -> str:
    return CAT["section"][key][lang]


@pytest.fixture(scope="module")
def report() -> Report:
    return miroir.report(miroir.synthetic_study(studies=4, employees=3_000, customers=12_000, seed=3),
                         n_resamples=0)


@pytest.fixture(scope="module")
def decks(report, tmp_path_factory) -> dict:
    out = {}
    for lang in ("en", "fr"):
        path = tmp_path_factory.mktemp("deck") / f"report-{lang}.pptx"
        report.to_pptx(path, lang=lang)
        out[lang] = pptx.Presentation(str(path))
    return out


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def by_title(deck) -> dict:
    return {slide.shapes.title.text: slide for slide in deck.slides}


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_slide_titles_in_order(decks, lang):
    titles = [s.shapes.title.text for s in decks[lang].slides]
    assert titles[0] == CAT["report"]["title"][lang]
    expected = ["indicators", "linkage", "exposure_gap", "mirror_matrix", "moments", "moment_effects", "drivers"]
    positions = [titles.index(section(k, lang)) for k in expected]
    assert positions == sorted(positions)
    assert titles.count(section("drivers", lang)) == 2  # engagement, then share satisfied
    other = "fr" if lang == "en" else "en"
    assert not {section(k, other) for k in expected} & set(titles) - {section(k, lang) for k in expected}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_analysis_slide_has_its_chart_at_200_dpi(decks, lang):
    slides = by_title(decks[lang])
    for key in ("linkage", "exposure_gap", "mirror_matrix"):
        images = pictures(slides[section(key, lang)])
        assert len(images) == 1, key
        width_px, _ = images[0].image.size
        inches = images[0].width / 914400
        assert width_px >= 1600  # a 8-inch chart or wider, drawn at 200 dpi
        assert images[0].image.content_type == "image/png"
        assert inches <= 13.34 and images[0].left >= 0
    for slide in decks[lang].slides:
        for image in pictures(slide):
            assert image.left + image.width <= decks[lang].slide_width
            assert image.top + image.height <= decks[lang].slide_height


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_headlines_carry_the_tables_figures(report, decks, lang):
    slides = by_title(decks[lang])
    pooled = report.linkage.filter(pl.col("level") == "pooled").row(0, named=True)
    r = f"{pooled['estimate']:.2f}"
    units = f"{pooled['n_units']:,}".replace(",", "\u202f" if lang == "fr" else ",")
    text = slide_text(slides[section("linkage", lang)])
    assert f"r = {r if lang == 'en' else r.replace('.', ',')}" in text
    assert units in text
    gap = report.exposure_gap.filter(pl.col("level") == "pooled").row(0, named=True)["gap"]
    shown = f"{abs(gap):.1f}"
    assert (shown if lang == "en" else shown.replace(".", ",")) in slide_text(slides[section("exposure_gap", lang)])
    figures = slide_text(slides[section("indicators", lang)])
    for ind in report.indicators.table.iter_rows(named=True):
        assert CAT["indicator"][ind["id"]][lang] in figures


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_moments_with_their_actions_and_verbatims(report, decks, lang):
    slides = by_title(decks[lang])
    table = slide_text(slides[section("moments", lang)])
    for moment in MOMENT_ORDER:
        assert CAT["moment"][moment]["name"][lang] in table
        assert CAT["moment"][moment]["action"][lang] in table
    moments = report.moments.table
    verbatim_slides = 0
    for moment in MOMENT_ORDER:
        title = section("verbatims", lang).format(moment=CAT["moment"][moment]["name"][lang])
        rows = moments.filter((pl.col("moment") == moment) & ~pl.col("customer_suppressed"))
        examples = [e for e in rows["customer_example"].to_list() if e]
        if not examples:
            assert title not in slides
            continue
        verbatim_slides += 1
        assert examples[0] in slide_text(slides[title])
    assert verbatim_slides >= 3


def test_french_deck_has_french_numbers_and_no_english_sentence(decks):
    text = "\n".join(slide_text(s) for s in decks["fr"].slides)
    assert "\u202f%" in text and "Le win win" in text and "L'impasse" in text
    assert "Customer-facing employees are" not in text and "deploy it" not in text


def test_a_report_without_moments_or_drivers(report, tmp_path):
    tables = {k: v for k, v in report.tables().items() if k not in ("moments", "moment_effects", "drivers")}
    path = tmp_path / "small.pptx"
    Report(tables).to_pptx(path, lang="fr")
    titles = [s.shapes.title.text for s in pptx.Presentation(str(path)).slides]
    assert section("mirror_matrix", "fr") not in titles and section("drivers", "fr") not in titles
    assert section("linkage", "fr") in titles


def test_bad_arguments_are_typed_errors(report, tmp_path):
    with pytest.raises(miroir.InvalidArgumentError, match="'es'"):
        report.to_pptx(tmp_path / "r.pptx", lang="es")
    with pytest.raises(miroir.FileError, match="does not exist"):
        report.to_pptx(tmp_path / "missing" / "r.pptx")
    with pytest.raises(miroir.InvalidArgumentError, match=r"\.pptx"):
        report.to_pptx(tmp_path / "r.xlsx")
    assert not list(tmp_path.iterdir())


def test_a_missing_optional_dependency_names_the_extra(report, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)
    with pytest.raises(ImportError, match=r"pip install 'miroir\[deliverables\]'"):
        report.to_pptx(tmp_path / "r.pptx")
