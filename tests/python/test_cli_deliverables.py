"""``miroir report DATA --html --xlsx --pptx --lang fr`` and ``--by`` (issues 17 and 18): the
files are written, in the language asked for, and read back; ``miroir demo --waves`` finds the
planted changes."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import openpyxl
import pptx
import pytest

import miroir
from miroir import cli


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "study"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1).write(folder)
    return folder


def test_report_writes_the_three_deliverables_in_french(study_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    html, xlsx, deck = tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "r.pptx"
    argv = ["report", str(study_dir), "--html", str(html), "--xlsx", str(xlsx), "--pptx", str(deck), "--lang", "fr"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    for path in (html, xlsx, deck):
        assert miroir.i18n.text("cli.wrote", "fr", path=path) in out
        assert f"wrote {path}" not in out
    assert '<html lang="fr"' in html.read_text(encoding="utf-8")
    book = openpyxl.load_workbook(xlsx)
    sheets = book.sheetnames
    assert len(sheets) >= 5
    french = miroir.i18n.text("sheet.moments", "fr")
    assert french in sheets
    titles = [s.shapes.title.text for s in pptx.Presentation(str(deck)).slides if s.shapes.title is not None]
    assert titles and all(t for t in titles)


def test_report_json_to_stdout_keeps_stdout_pure(study_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "r.xlsx"
    assert cli.main(["report", str(study_dir), "--json", "--xlsx", str(xlsx)]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)
    assert f"wrote {xlsx}" in captured.err and xlsx.exists()


def test_report_by_segment(study_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", str(study_dir), "--by", "region", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    segments = {row["segment"] for row in data["linkage"]}
    assert segments == {"Est", "Nord", "Ouest", "Sud"}
    assert cli.main(["report", str(study_dir), "--by", "region", "--xlsx", "x.xlsx"]) == 2
    assert "the HTML, Excel and PowerPoint deliverables are written for the whole study" in capsys.readouterr().err
    assert cli.main(["report", str(study_dir), "--by", "nowhere"]) == 2
    assert "'nowhere' is a column of neither" in capsys.readouterr().err


def test_bad_language_is_a_usage_error(study_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["report", str(study_dir), "--lang", "de"])
    assert info.value.code == 2
    assert "invalid choice: 'de'" in capsys.readouterr().err


def test_demo_waves_finds_the_planted_changes(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["demo", "--waves", "--studies", "3", "--employees", "3000", "--customers", "9000", "--seed", "1"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "== Change W1 -> W2 by region" in out
    assert "commercial gesture confirmed by SMS and letter" in out
    nord = [line for line in out.splitlines() if line.startswith("│ Nord") and "mean_engagement" in line]
    assert len(nord) == 2  # respondents, then matched units
    change = float(nord[0].split("┆")[4])
    assert 5 < change < 11
