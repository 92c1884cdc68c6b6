"""The Excel workbook of a report (issue 17), read back with openpyxl and compared cell by cell
to ``report.tables()``."""

from __future__ import annotations

from functools import partial
import math
import sys
from importlib import resources

import polars as pl
import pytest

import miroir
import _support
from _support import moment_texts
from miroir.results import Report

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")
tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

GREY, YELLOW = "FFD9D9D9", "FFFFF2CC"


def catalogue() -> dict:
    """The catalogue read directly (the expected words, not miroir's lookup of them)."""
    return tomllib.loads(resources.files("miroir").joinpath("catalogue.toml").read_text("utf-8"))


CAT = catalogue()
CAT["moment"].update(moment_texts())  # the six moments are stated by the Rust core


def header(table: str, column: str, lang: str) -> str:
    own = CAT["column"].get(table, {}).get(column)
    if isinstance(own, dict) and "en" in own:
        return own[lang]
    return CAT["column"][column][lang]


def expected_text(table: str, column: str, row: dict, lang: str) -> str:
    value = row[column]
    if column == "moment":
        return CAT["moment"][value]["name"][lang]
    if column == "action":
        return CAT["moment"][row["moment"]]["action"][lang]
    vocab = {"level": "level", "side": "side", "outcome": "outcome", "customer_axis": "axis",
             "employee_axis": "axis"}.get(column)
    if vocab and value in CAT["value"][vocab]:
        return CAT["value"][vocab][value][lang]
    if table == "indicators" and column == "label" and row["id"] in CAT["indicator"]:
        return CAT["indicator"][row["id"]][lang]
    if column == "note":
        parts = [p.strip() for p in value.split(";")]
        return "; ".join(p for i, p in enumerate(parts) if p and p not in parts[:i])
    return value


@pytest.fixture(scope="module")
def report() -> Report:
    """The default synthetic study: suppressed units, every moment, the drivers."""
    return miroir.report(miroir.synthetic_study(), n_resamples=0)


@pytest.fixture(scope="module")
def odd_report(report) -> Report:
    """The same tables with an undefined r, an infinite uplift and a suppressed exposure-gap row."""
    tables = dict(report.tables())
    linkage = tables["linkage"]
    tables["linkage"] = linkage.with_columns(
        estimate=pl.when(pl.int_range(pl.len()) == 0).then(float("nan")).otherwise(pl.col("estimate")),
        uplift=pl.when(pl.int_range(pl.len()) == 1).then(float("inf")).otherwise(pl.col("uplift")),
    )
    gap = tables["exposure_gap"]
    tables["exposure_gap"] = gap.with_columns(
        suppressed=pl.int_range(pl.len()) == 0,
        hedges_g=pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col("hedges_g")),
    )
    return Report({**tables, "warnings": ["units present on one side only: acme/kiosk"]})


def written(report: Report, tmp_path, lang: str):
    path = tmp_path / f"report-{lang}.xlsx"
    report.to_excel(path, lang=lang, published=True)
    return openpyxl.load_workbook(path)


def test_published_figures_only_when_asked(report: Report, tmp_path) -> None:
    """A client's workbook leaves the seed article's published figures out unless asked."""
    published, estimate = header("indicators", "published", "en"), header("indicators", "estimate", "en")
    for asked in (False, True):
        path = tmp_path / f"client-{asked}.xlsx"
        report.to_excel(path, published=asked)
        book = openpyxl.load_workbook(path)
        cells = {c.value for ws in book.worksheets for row in ws.iter_rows(max_row=60) for c in row}
        assert estimate in cells
        assert (published in cells) is asked


close = partial(_support.close, rtol=1e-12, atol=1e-12)


def check_sheet(ws, name: str, table: pl.DataFrame, lang: str) -> dict[str, int]:
    """Every header and cell of ``ws`` against ``table``; counts of the special cells."""
    counts = {"suppressed": 0, "undefined": 0}
    assert [c.value for c in ws[1]][: table.width] == [header(name, c, lang) for c in table.columns]
    assert ws.freeze_panes == "A2"
    for i, row in enumerate(table.iter_rows(named=True), start=2):
        for j, column in enumerate(table.columns, start=1):
            cell, value = ws.cell(i, j), row[column]
            where = (name, i, column, value, cell.value)
            if value is None:
                assert cell.value is None, where
                row_hidden = row.get("suppressed") or (
                    name == "moments" and (row["customer_suppressed"] or row["employee_suppressed"]))
                if cell.fill.fgColor.rgb == GREY:
                    counts["suppressed"] += 1
                    assert row_hidden, where
            elif isinstance(value, bool):
                assert cell.value is value, where
            elif isinstance(value, float) and not math.isfinite(value):
                assert cell.value is None, where
                assert cell.fill.fgColor.rgb == YELLOW, where
                assert cell.comment is not None and ("NaN" in cell.comment.text or "inf" in cell.comment.text)
                counts["undefined"] += 1
            elif isinstance(value, (int, float)):
                assert isinstance(cell.value, (int, float)) and close(cell.value, value), where
            else:
                assert cell.value == expected_text(name, column, row, lang), where
    # nothing else in the table's rectangle, the rows below it are the legend
    assert ws.cell(table.height + 2, 1).value is None
    return counts


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_table_round_trips_cell_by_cell(report, tmp_path, lang):
    book = written(report, tmp_path, lang)
    tables = report.tables()
    names = [CAT["sheet"]["overview"][lang]] + [CAT["sheet"][name][lang] for name in tables]
    assert book.sheetnames == names
    assert all(len(n) <= 31 for n in book.sheetnames)
    suppressed = 0
    for name, table in tables.items():
        suppressed += check_sheet(book[CAT["sheet"][name][lang]], name, table, lang)["suppressed"]
    # the default study has suppressed units: their statistics are grey and empty
    hidden_units = report.units.table.filter(pl.col("suppressed")).height
    assert hidden_units > 0
    assert suppressed >= 3 * hidden_units


def test_number_formats(report, tmp_path):
    for lang, floor in (("en", '"< 0.001"'), ("fr", '"< 0,001"')):
        book = written(report, tmp_path, lang)
        ws = book[CAT["sheet"]["linkage"][lang]]
        col = {c.value: c.column for c in ws[1]}
        pooled = report.linkage.table["level"].to_list().index("pooled") + 2  # i2 is pooled only
        fmt = {key: ws.cell(pooled, col[header("linkage", key, lang)]).number_format
               for key in ("estimate", "p_value", "share_satisfied_high", "uplift", "n_units", "i2")}
        assert fmt["estimate"] == "0.000"
        assert floor in fmt["p_value"] and fmt["p_value"].startswith("[<0.001]")
        assert fmt["share_satisfied_high"] == "0.0%" and fmt["uplift"] == "0.0%"
        assert fmt["n_units"] == "#,##0"
        assert fmt["i2"] == "0.0"  # I² is already in percent
    ws = book[CAT["sheet"]["indicators"]["fr"]]
    col = {c.value: c.column for c in ws[1]}
    ids = [ws.cell(i, 1).value for i in range(2, ws.max_row + 1)]
    gap_row = ids.index("frontline_gap") + 2
    assert ws.cell(gap_row, col[header("indicators", "estimate", "fr")]).number_format == "0.0"  # points
    assert ws.cell(2, col[header("indicators", "estimate", "fr")]).number_format == "0.0%"


def test_column_widths_fit_and_headers_wrap(report, tmp_path):
    ws = written(report, tmp_path, "en")[CAT["sheet"]["moments"]["en"]]
    widths = {ws.cell(1, j).value: ws.column_dimensions[ws.cell(1, j).column_letter].width
              for j in range(1, ws.max_column + 1)}
    assert all(8 <= w <= 41 for w in widths.values()), widths
    longest_theme = report.moments.table["theme"].str.len_chars().max()
    assert widths["Theme"] >= min(longest_theme, 38)
    assert ws.cell(1, 1).alignment.wrap_text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_nan_inf_and_suppressed_cells_are_marked(odd_report, tmp_path, lang):
    book = written(odd_report, tmp_path, lang)
    tables = odd_report.tables()
    counts = check_sheet(book[CAT["sheet"]["linkage"][lang]], "linkage", tables["linkage"], lang)
    assert counts["undefined"] >= 2
    ws = book[CAT["sheet"]["linkage"][lang]]
    col = {c.value: c.column for c in ws[1]}
    assert "inf" in ws.cell(3, col[header("linkage", "uplift", lang)]).comment.text
    legend = [ws.cell(r, 1).value for r in range(tables["linkage"].height + 3, ws.max_row + 1)]
    assert CAT["note"]["undefined"][lang] in legend
    gap = book[CAT["sheet"]["exposure_gap"][lang]]
    counts = check_sheet(gap, "exposure_gap", tables["exposure_gap"], lang)
    assert counts["suppressed"] >= 1
    col = {c.value: c.column for c in gap[1]}
    assert gap.cell(2, col[header("exposure_gap", "hedges_g", lang)]).fill.fgColor.rgb == GREY


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_key_figures_sheet(odd_report, report, tmp_path, lang):
    ws = written(odd_report, tmp_path, lang).worksheets[0]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert values[0] == CAT["report"]["title"][lang]
    for name in ("win_win", "lucky_break", "pain", "wrong_fight", "blindness", "dead_end"):
        assert CAT["moment"][name]["name"][lang] in values
        assert CAT["moment"][name]["action"][lang] in values
    assert CAT["section"]["linkage"][lang] in values
    assert "units present on one side only: acme/kiosk" in values
    # the published figures with their values unrounded
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0] in set(report.indicators["id"])}
    for ind in report.indicators.table.iter_rows(named=True):
        assert rows[ind["id"]][1] == CAT["indicator"][ind["id"]][lang]
        assert close(rows[ind["id"]][2], ind["estimate"])
        assert rows[ind["id"]][5] == ind["n"]
    pooled = report.linkage.filter(pl.col("level") == "pooled").row(0, named=True)
    r = f"{pooled['estimate']:.2f}"
    sentence = next(v for v in values if isinstance(v, str) and "r = " in v)
    assert (r if lang == "en" else r.replace(".", ",")) in sentence


def test_bad_arguments_are_typed_errors(report, tmp_path):
    with pytest.raises(miroir.InvalidArgumentError, match="'de'"):
        report.to_excel(tmp_path / "r.xlsx", lang="de")
    with pytest.raises(miroir.FileError, match="does not exist"):
        report.to_excel(tmp_path / "no" / "such" / "r.xlsx")
    with pytest.raises(miroir.InvalidArgumentError, match=r"\.xlsx"):
        report.to_excel(tmp_path / "r.csv")
    with pytest.raises(miroir.InvalidArgumentError, match="path"):
        report.to_excel(42)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_a_report_without_moments_or_drivers(report, tmp_path):
    tables = {k: v for k, v in report.tables().items() if k not in ("moments", "moment_effects", "drivers")}
    small = Report(tables)
    book = written(small, tmp_path, "fr")
    assert CAT["sheet"]["moments"]["fr"] not in book.sheetnames
    values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None]
    assert CAT["note"]["no_moments"]["fr"] in values


def test_a_missing_optional_dependency_names_the_extra(report, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    with pytest.raises(ImportError, match=r"pip install 'miroir\[deliverables\]'"):
        report.to_excel(tmp_path / "r.xlsx")
