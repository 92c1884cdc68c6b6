"""The HTML report (issue 6): `miroir report DIR --html FILE` writes one self-contained page that
parses, names the six moments and every indicator id, embeds the charts, loads nothing from the
network, escapes what it prints and shows suppressed units as suppressed."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import miroir
from miroir import cli
from miroir.charts import MOMENTS
from miroir.headlines import indicator_label
from miroir.html_report import render_html, write_html
from miroir.i18n import moment_name, text

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Page(HTMLParser):
    """Collects the text, the tags with their attributes, and checks that tags nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(self.text)

    def count(self, tag: str, **attrs: str) -> int:
        return sum(1 for t, a in self.tags
                   if t == tag and all(a.get(k) == v for k, v in attrs.items()))


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    assert not page.errors, page.errors[:5]
    assert page.stack == [], page.stack
    return page


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        yield


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    return study.write(tmp_path_factory.mktemp("study"))


@pytest.fixture(scope="module")
def study(study_dir: Path) -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.load_study(study_dir)


@pytest.fixture(scope="module")
def report_file(study_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        assert cli.main(["report", str(study_dir), "--html", str(out)]) == 0
    return out


def table(obj: Any) -> pl.DataFrame:
    t = getattr(obj, "table", obj)
    assert isinstance(t, pl.DataFrame)
    return t


def test_cli_writes_a_report_that_parses(report_file: Path) -> None:
    text = report_file.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    page = parse(text)
    assert page.count("html") == 1 and page.count("body") == 1 and page.count("title") == 1
    assert page.count("table") >= 7


def test_cli_says_where_it_wrote_and_keeps_the_text_report(
    study_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert cli.main(["report", str(study_dir), "--html", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed
    assert "== Published figures, recomputed" in printed  # the usual text report is still there
    assert out.stat().st_size > 10_000


def test_report_names_the_six_moments_and_every_indicator(
    report_file: Path, study: miroir.Study
) -> None:
    page = parse(report_file.read_text(encoding="utf-8"))
    shown = page.all_text
    # issue 17: moments and indicators by their names in the catalogue, not their keys
    for moment in MOMENTS:
        assert moment_name(moment, "en") in shown, moment
    rows = table(miroir.indicators(study)).to_dicts()
    assert len(rows) == 8
    for row in rows:
        assert indicator_label(row, "en") in shown, row["id"]
        assert page.count("div", **{"class": "card", "data-indicator": row["id"]}) == 1
    for key in ("indicators", "exposure_gap", "linkage", "moments_detail", "units",
                "drivers", "key_figures", "mirror_matrix"):
        assert text(f"html.section.{key}", "en") in shown, key
    # no published figure to compare with unless asked
    assert "Published value" not in shown
    # the drivers section: each seed driver by its label, for both outcomes
    drivers = table(miroir.drivers(study, n_resamples=0))
    for label in drivers["label"]:
        assert label in shown, label


def test_report_needs_no_network(report_file: Path) -> None:
    raw = report_file.read_text(encoding="utf-8")
    page = parse(raw)
    for tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "action", "data", "poster"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
            if tag == "a" and name == "href":
                assert value.startswith("#"), value  # in-page links only
    assert page.count("script") == 0 and page.count("link") == 0 and page.count("iframe") == 0
    assert "@import" not in raw and "url(http" not in raw
    assert "http://" not in raw and "https://" not in raw


def test_report_embeds_the_charts(report_file: Path, study: miroir.Study) -> None:
    page = parse(report_file.read_text(encoding="utf-8"))
    inline_svg = page.count("svg")
    data_images = sum(1 for tag, a in page.tags
                      if tag == "img" and (a.get("src") or "").startswith("data:image/"))
    # exposure gap, scatter, forest plot, mirror matrix, the two drivers charts
    assert inline_svg + data_images >= 6
    text = page.all_text
    moments = table(miroir.moments(study))
    for theme in moments.filter(pl.col("moment") == "win_win")["theme"]:
        assert theme in text
    # several inline SVGs on one page: their ids must not clash
    ids = [a["id"] for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids))


def test_report_shows_suppressed_units_as_suppressed(
    report_file: Path, study: miroir.Study
) -> None:
    units = table(miroir.linkage_units(study))
    suppressed = units.filter(pl.col("suppressed"))
    assert suppressed.height > 0
    page = parse(report_file.read_text(encoding="utf-8"))
    assert page.count("tr", **{"class": "suppressed"}) == suppressed.height  # one table
    for unit in suppressed["unit"]:
        assert unit in page.all_text
    # their statistics are not printed: no unit row carries a mean for them
    raw = report_file.read_text(encoding="utf-8")
    for unit in suppressed["unit"]:
        row = raw.split(f"<td>{unit}</td>", 1)[1].split("</tr>", 1)[0]
        assert "suppressed" in row


def test_json_to_stdout_and_html_together(study_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "both.html"
    run = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "miroir.cli", "report", str(study_dir),
         "--json", "--html", str(out)],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(run.stdout)  # stdout stays pure JSON
    assert set(data) >= {"indicators", "linkage", "units"}
    assert f"wrote {out}" in run.stderr
    parse(out.read_text(encoding="utf-8"))


def test_demo_writes_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.html"
    argv = ["demo", "--studies", "2", "--employees", "1500", "--customers", "6000", "--html",
            str(out)]
    assert cli.main(argv) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    shown = parse(out.read_text(encoding="utf-8")).all_text
    assert all(moment_name(m, "en") in shown for m in MOMENTS)


def test_strings_are_escaped(study: miroir.Study) -> None:
    report = miroir.report(study)
    report.warnings = ['<script>alert("units")</script> & more']
    page_text = render_html(report, title="<img src=x onerror=alert(1)> Q&A", charts=False)
    page = parse(page_text)
    assert page.count("script") == 0 and page.count("img") == 0
    assert '<script>alert("units")</script> & more' in page.all_text
    assert "<img src=x onerror=alert(1)> Q&A" in page.all_text


def test_without_mentions_the_six_moments_are_still_explained(study: miroir.Study) -> None:
    bare = miroir.Study(study.employees, study.customers)
    report = miroir.report(bare)
    assert getattr(report, "moments", None) is None
    page = parse(render_html(report, charts=False))
    for moment in MOMENTS:  # named and with their action, on the first page
        assert moment_name(moment, "en") in page.all_text
        assert text(f"moment.{moment}.action", "en") in page.all_text
    assert "No coded mentions" in page.all_text
    # the sections of the moments are left out, with a sentence saying why
    assert text("html.omitted.moments", "en") in page.all_text
    assert page.count("section", id="mirror-matrix") == 0


def test_write_html_returns_the_path_and_can_skip_charts(
    study: miroir.Study, tmp_path: Path
) -> None:
    out = write_html(miroir.report(study), tmp_path / "plain.html", charts=False)
    assert out == tmp_path / "plain.html"
    page = parse(out.read_text(encoding="utf-8"))
    assert page.count("svg") == 0
    assert "[" in page.all_text and "]" in page.all_text  # CIs as [low, high]
