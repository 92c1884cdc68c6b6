"""The HTML report in a real browser (issue 17): headless Chromium, Debian's package, renders
the report of the default synthetic study and of a study with suppressed units and empty
moments, in English and in French, on a 1,280-pixel screen and as printed on A4; no element
may stick out of the page on the right, and every chart must be drawn with a size.

The browser is driven through the DevTools protocol over a pipe (``_browser.py``); one browser
serves the whole module. When Chromium is missing, the setup installs it with apt; when it
cannot, the tests fail (a report nobody checked in a browser is not tested). Screenshots and
PDFs are kept in ``target/test-artefacts/html/`` (``MIROIR_ARTEFACTS`` to put them elsewhere).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import miroir
from miroir.html_report import write_html
from miroir.i18n import moment_name

from _browser import Browser, find_or_install_chromium

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("MIROIR_ARTEFACTS", ROOT / "target" / "test-artefacts")) / "html"

#: A4 printed with the report's 12 mm margins: 186 mm at 96 CSS pixels per inch.
A4_CONTENT_PX = round(186 / 25.4 * 96)

# Run in the page: every element's box against the page width (the units table opened), and
# every chart's drawn size. Children of an SVG are the chart's own (clipped by it) and skipped.
CHECK = """
(() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const width = document.documentElement.clientWidth;
  const over = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      over.push({tag: el.tagName.toLowerCase(), cls: el.className && el.className.baseVal === undefined
                 ? el.className : '', left: Math.round(r.left), right: Math.round(r.right),
                 text: (el.textContent || '').trim().slice(0, 80)});
    }
  }
  const charts = [...document.querySelectorAll('figure svg, figure img')].map(e => {
    const r = e.getBoundingClientRect();
    const loaded = e.tagName.toLowerCase() === 'img' ? (e.complete && e.naturalWidth > 0)
                                                     : e.querySelectorAll('path, use').length > 0;
    return {width: r.width, height: r.height, loaded};
  });
  return JSON.stringify({width, scrollWidth: document.documentElement.scrollWidth,
                         over: over.slice(0, 15), n_over: over.length, charts,
                         lang: document.documentElement.lang});
})()
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    started = time.monotonic()
    executable = find_or_install_chromium()  # raises (the test fails) when it cannot
    chromium = Browser(executable)
    print(f"chromium ready in {time.monotonic() - started:.1f} s: {executable}")
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="module")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


def _quiet_study(**kwargs: Any) -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(**kwargs)
    assert isinstance(study, miroir.Study)
    return study


@pytest.fixture(scope="module")
def reports() -> dict[str, miroir.Report]:
    default = _quiet_study(studies=4, employees=4_000, customers=20_000, seed=2)
    # small units (suppressed ones) and few coded mentions: moments without a theme
    small = _quiet_study(studies=2, employees=400, customers=1_200, seed=7)
    mentions = small.mentions
    assert mentions is not None
    # three units keep 3 employees each: under the confidentiality threshold (5)
    thin = small.employees["unit"].unique(maintain_order=True).head(3)
    employees = small.employees.filter(
        ~pl.col("unit").is_in(thin.implode())
        | (pl.int_range(pl.len()).over("study", "unit") < 3))
    kept = mentions["theme"].unique(maintain_order=True).head(4)
    mentions = mentions.filter(pl.col("theme").is_in(kept.implode())
                               & (pl.col("side") == "customer")
                               | pl.col("respondent_id").is_in(employees["employee_id"].implode())
                               & pl.col("theme").is_in(kept.implode()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        sparse = miroir.Study(employees, small.customers, mentions)
        return {"default": miroir.report(default, n_resamples=200),
                "sparse": miroir.report(sparse, n_resamples=0)}


def test_the_sparse_study_has_what_it_is_for(reports: dict[str, miroir.Report]) -> None:
    sparse = reports["sparse"]
    assert int(sparse.units.table["suppressed"].sum()) > 0
    assert sparse.moments is not None
    present = set(sparse.moments.table["moment"].to_list())
    assert any(m not in present for m in miroir.charts.MOMENTS)  # empty moments


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", ["default", "sparse"])
def test_report_fits_the_screen_and_the_a4_page(
    browser: Browser, reports: dict[str, miroir.Report], artefacts: Path, name: str, lang: str
) -> None:
    page = write_html(reports[name], artefacts / f"{name}-{lang}.html", lang=lang)
    started = time.monotonic()
    browser.open(page, width=1280)
    screen = json.loads(browser.evaluate(CHECK))
    browser.screenshot(artefacts / f"{name}-{lang}-1280.png")
    browser.open(page, width=A4_CONTENT_PX, height=1100, media="print")
    printed = json.loads(browser.evaluate(CHECK))
    browser.screenshot(artefacts / f"{name}-{lang}-a4.png")
    browser.open(page, width=1280)
    browser.print_pdf(artefacts / f"{name}-{lang}.pdf")
    print(f"{name}-{lang}: rendered and checked in {time.monotonic() - started:.1f} s")

    assert screen["lang"] == lang
    for media, found in (("screen at 1280 px", screen), (f"A4 print ({A4_CONTENT_PX} px)", printed)):
        assert found["n_over"] == 0, (media, found["over"])
        assert found["scrollWidth"] <= found["width"], (media, found["scrollWidth"])
        charts = found["charts"]
        assert len(charts) >= (5 if name == "default" else 4), (media, charts)
        for chart in charts:
            assert chart["loaded"] and chart["width"] > 100 and chart["height"] > 50, (media, chart)
    assert (artefacts / f"{name}-{lang}-1280.png").stat().st_size > 10_000
    assert (artefacts / f"{name}-{lang}.pdf").read_bytes()[:5] == b"%PDF-"


def test_the_check_catches_an_overflowing_table(browser: Browser, tmp_path: Path) -> None:
    # the check itself can fail: a page with a table wider than the screen
    wide = "<tr>" + "".join(f"<td>{'x' * 30}{i}</td>" for i in range(40)) + "</tr>"
    page = tmp_path / "wide.html"
    page.write_text(f'<!DOCTYPE html><html lang="en"><body><table>{wide}</table>'
                    f'<figure><svg width="0" height="0"></svg></figure></body></html>',
                    encoding="utf-8")
    browser.open(page, width=1280)
    found = json.loads(browser.evaluate(CHECK))
    assert found["n_over"] > 0 and found["scrollWidth"] > found["width"]
    assert found["charts"] and not found["charts"][0]["loaded"]


def test_the_first_screen_shows_the_six_moments(
    browser: Browser, reports: dict[str, miroir.Report], tmp_path: Path
) -> None:
    page = write_html(reports["default"], tmp_path / "r.html", lang="fr", charts=False)
    browser.open(page, width=1280, height=2400)
    # the key figures and the matrix of the six moments come before any analysis table
    first = browser.evaluate(
        "(() => { const k = document.getElementById('key-figures'); "
        "return {top: k.getBoundingClientRect().top, text: k.innerText}; })()")
    assert first["top"] < 400
    for moment in miroir.charts.MOMENTS:
        assert moment_name(moment, "fr") in first["text"]
