"""Charts (issue 6): each chart renders offline to PNG of the requested size and to SVG that
parses and names what it draws; suppressed units are not drawn; a table without a needed column
is refused with the column named; ``import miroir`` does not import matplotlib."""

from __future__ import annotations

import struct
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import miroir

pytest.importorskip("matplotlib")

from miroir import charts  # noqa: E402
from miroir.i18n import moment_name  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        return miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)


@pytest.fixture(scope="module")
def tables(study: miroir.Study) -> dict[str, pl.DataFrame]:
    def plain(obj: Any) -> pl.DataFrame:
        table = getattr(obj, "table", obj)
        assert isinstance(table, pl.DataFrame)
        return table

    return {
        "moments": plain(miroir.moments(study)),
        "units": plain(miroir.linkage_units(study)),
        "linkage": plain(miroir.linkage(study)),
        "gap": plain(miroir.exposure_gap(study)),
    }


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def offsets(coll: Any) -> list[tuple[float, float]]:
    """The (x, y) points a scatter collection draws."""
    import numpy as np

    return [(float(x), float(y)) for x, y in np.asarray(coll.get_offsets()).reshape(-1, 2)]


def n_points(ax: Any) -> int:
    """How many scatter points an axes draws."""
    return sum(len(offsets(c)) for c in ax.collections)


def svg_text(svg: str) -> str:
    """All the text of an SVG document (it must parse as XML)."""
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))


# every chart function, drawn from the analysis tables at a given size
DRAW: dict[str, Callable[[dict[str, pl.DataFrame], dict[str, Any]], charts.Chart]] = {
    "mirror_matrix": lambda t, kw: charts.mirror_matrix(t["moments"], **kw),
    "linkage_scatter": lambda t, kw: charts.linkage_scatter(t["units"], t["linkage"], **kw),
    "forest_plot_linkage": lambda t, kw: charts.forest_plot(t["linkage"], **kw),
    "forest_plot_gap": lambda t, kw: charts.forest_plot(t["gap"], estimate="gap", **kw),
    "exposure_gap_chart": lambda t, kw: charts.exposure_gap_chart(t["gap"], **kw),
}


@pytest.mark.parametrize("name", list(DRAW))
@pytest.mark.parametrize(("width", "height", "dpi"), [(8.0, 5.0, 100.0), (6.5, 4.0, 60.0)])
def test_each_chart_renders_png_of_the_requested_size(
    tables: dict[str, pl.DataFrame], name: str, width: float, height: float, dpi: float
) -> None:
    chart = DRAW[name](tables, {"width": width, "height": height, "dpi": dpi})
    data = chart.to_png()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 5_000  # not an empty canvas
    assert png_size(data) == (round(width * dpi), round(height * dpi))
    assert chart.size == (round(width * dpi), round(height * dpi))
    # the pixels are not all one colour
    import io

    from matplotlib.image import imread

    pixels = imread(io.BytesIO(data))
    assert pixels.shape[:2] == (round(height * dpi), round(width * dpi))
    assert float(pixels.std()) > 0.01


@pytest.mark.parametrize("name", list(DRAW))
def test_each_chart_exports_svg_that_parses_and_names_the_studies(
    tables: dict[str, pl.DataFrame], name: str
) -> None:
    chart = DRAW[name](tables, {})
    svg = chart.to_svg()
    text = svg_text(svg)
    assert "https://" not in svg and "Date" not in svg  # no creator URL, no timestamp
    if name == "mirror_matrix":
        for moment in charts.MOMENTS:  # by their names in the message catalogue
            assert moment_name(moment, "en") in text
    else:
        for study in tables["gap"].filter(pl.col("level") == "study")["study"]:
            assert study in text, (name, study)


def test_mirror_matrix_names_every_theme_it_draws_and_colours_by_moment(
    tables: dict[str, pl.DataFrame],
) -> None:
    moments = tables["moments"]
    chart = charts.mirror_matrix(moments)
    text = svg_text(chart.to_svg())
    drawable = moments.filter(
        pl.col("customer_positive_share").is_not_nan()
        & ((pl.col("employee_axis") == "silent") | pl.col("employee_positive_share").is_not_nan())
    )
    for theme in drawable["theme"]:
        assert theme in text, theme
    ax = chart.figure.axes[0]
    assert n_points(ax) == drawable.height
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    for moment in charts.MOMENTS:  # all six in the legend, even a moment without a theme
        assert any(label.startswith(f"{moment_name(moment, 'en')} (") for label in labels), labels
    # each classified theme has its moment's colour
    from matplotlib.colors import to_hex

    for coll in ax.collections:
        moment = str(coll.get_gid())  # each moment's collection carries its key
        if moment in charts.MOMENTS and offsets(coll):
            import numpy as np

            r, g, b, _ = (float(v) for v in np.asarray(coll.get_facecolor()).reshape(-1, 4)[0])
            assert to_hex((r, g, b)) == charts.MOMENT_COLOURS[moment]


def test_mirror_matrix_silent_themes_sit_in_the_bottom_band(
    tables: dict[str, pl.DataFrame],
) -> None:
    moments = tables["moments"]
    chart = charts.mirror_matrix(moments, label_themes=False)
    ax = chart.figure.axes[0]
    ys = [y for c in ax.collections for _, y in offsets(c)]
    n_silent = moments.filter(
        (pl.col("employee_axis") == "silent") & pl.col("customer_positive_share").is_not_nan()
    ).height
    assert n_silent > 0
    assert len([y for y in ys if y < 0]) == n_silent
    assert all(0 <= y <= 1 for y in ys if y >= 0)


def test_mirror_matrix_one_study_of_a_by_study_table(study: miroir.Study) -> None:
    by_study = getattr(miroir.moments(study, by="study"), "table", None)
    table = by_study if by_study is not None else miroir.moments(study, by="study")
    chart = charts.mirror_matrix(table, study="hotel-01", dpi=40)
    assert "hotel-01" in chart.figure.axes[0].get_title("left")
    with pytest.raises(miroir.InvalidArgumentError, match="no-such-study"):
        charts.mirror_matrix(table, study="no-such-study")


def test_linkage_scatter_leaves_suppressed_units_out(tables: dict[str, pl.DataFrame]) -> None:
    units = tables["units"]
    n_suppressed = int(units["suppressed"].sum())
    assert n_suppressed > 0  # the synthetic study has small units

    def drawn(chart: charts.Chart) -> int:
        return n_points(chart.figure.axes[0])

    assert drawn(charts.linkage_scatter(units)) == units.height - n_suppressed
    # the flag alone hides a unit, even with its statistics still there
    flagged = units.with_columns(
        suppressed=pl.when(pl.int_range(pl.len()) < 5).then(True).otherwise(pl.col("suppressed"))
    )
    extra = units.head(5).filter(~pl.col("suppressed")).height
    assert drawn(charts.linkage_scatter(flagged)) == units.height - n_suppressed - extra
    # a null statistic without the flag is not drawn either
    nulled = units.with_columns(
        mean_engagement=pl.when(pl.int_range(pl.len()) == units.height - 1)
        .then(None).otherwise(pl.col("mean_engagement"))
    )
    last_hidden = bool(units["suppressed"][-1])
    assert drawn(charts.linkage_scatter(nulled)) == units.height - n_suppressed - (not last_hidden)
    text = svg_text(charts.linkage_scatter(units).to_svg())
    assert f"{n_suppressed} suppressed units not shown" in text


@pytest.mark.parametrize("fit", ["study", "pooled", "none"])
def test_linkage_scatter_lines_and_title_say_which_fit(
    tables: dict[str, pl.DataFrame], fit: str
) -> None:
    chart = charts.linkage_scatter(
        tables["units"], tables["linkage"], fit=fit  # type: ignore[arg-type]
    )
    ax = chart.figure.axes[0]
    n_studies = tables["units"]["study"].n_unique()
    assert len(ax.lines) == {"study": n_studies, "pooled": 1, "none": 0}[fit]
    title = ax.get_title("left")
    assert {"study": "OLS line per study", "pooled": "one OLS line for all units",
            "none": "no fitted line"}[fit] in title
    assert "pooled r = " in title


def test_forest_plot_draws_studies_as_squares_and_pooled_as_diamond(
    tables: dict[str, pl.DataFrame],
) -> None:
    from matplotlib.patches import Polygon

    linkage = tables["linkage"]
    ax = charts.forest_plot(linkage).figure.axes[0]
    squares = [ln for ln in ax.lines if ln.get_marker() == "s"]
    assert len(squares) == linkage.filter(pl.col("level") == "study").height
    diamonds = [p for p in ax.patches if isinstance(p, Polygon)]
    assert len(diamonds) == 1
    pooled = linkage.filter(pl.col("level") == "pooled").row(0, named=True)
    xs = [x for x, _ in diamonds[0].get_xy()]
    assert min(xs) == pytest.approx(pooled["ci_low"])
    assert max(xs) == pytest.approx(pooled["ci_high"])
    # exposure gap: pooled gap and adjusted gap, two diamonds
    gap_ax = charts.forest_plot(tables["gap"], estimate="gap").figure.axes[0]
    assert len([p for p in gap_ax.patches if isinstance(p, Polygon)]) == 2


def test_exposure_gap_chart_marks_the_largest_gap(tables: dict[str, pl.DataFrame]) -> None:
    gap = tables["gap"]
    ax = charts.exposure_gap_chart(gap).figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    largest = gap.filter(pl.col("largest"))["study"][0]
    assert labels[0].startswith(largest) and "largest" in labels[0]
    assert labels[-1] == "all studies"
    facing = [c for c in ax.collections if c.get_label() == "customer-facing"][0]
    assert len(offsets(facing)) == gap.height


def test_suppressed_gap_rows_are_shown_as_suppressed(tables: dict[str, pl.DataFrame]) -> None:
    gap = tables["gap"].with_columns(
        suppressed=pl.col("study") == "hotel-01",
        mean_facing=pl.when(pl.col("study") == "hotel-01").then(None).otherwise("mean_facing"),
        gap=pl.when(pl.col("study") == "hotel-01").then(None).otherwise("gap"),
    )
    chart = charts.exposure_gap_chart(gap)
    ax = chart.figure.axes[0]
    facing = [c for c in ax.collections if c.get_label() == "customer-facing"][0]
    assert len(offsets(facing)) == gap.height - 1
    assert "suppressed" in svg_text(chart.to_svg())
    assert "suppressed" in svg_text(charts.forest_plot(gap, estimate="gap").to_svg())


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda t: charts.mirror_matrix(t["moments"].drop("employee_axis")), "employee_axis"),
        (lambda t: charts.mirror_matrix(t["moments"].drop("theme")), "theme"),
        (lambda t: charts.linkage_scatter(t["units"].drop("mean_engagement")), "mean_engagement"),
        (lambda t: charts.linkage_scatter(t["units"], outcome="nps"), "nps"),
        (lambda t: charts.linkage_scatter(t["units"], t["linkage"].drop("estimate")), "estimate"),
        (lambda t: charts.forest_plot(t["linkage"].drop("ci_high")), "ci_high"),
        (lambda t: charts.forest_plot(t["gap"]), "estimate"),
        (lambda t: charts.exposure_gap_chart(t["gap"].drop("mean_other")), "mean_other"),
    ],
)
def test_a_missing_column_is_refused_and_named(
    tables: dict[str, pl.DataFrame], call: Callable[[dict[str, pl.DataFrame]], Any], column: str
) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match=f"no column '{column}'"):
        call(tables)
    assert issubclass(miroir.InvalidArgumentError, ValueError)


def test_bad_arguments_are_refused(tables: dict[str, pl.DataFrame]) -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="'width'"):
        charts.mirror_matrix(tables["moments"], width=0)
    with pytest.raises(miroir.InvalidArgumentError, match="'dpi'"):
        charts.forest_plot(tables["linkage"], dpi=-5)
    with pytest.raises(miroir.InvalidArgumentError, match="'fit'"):
        charts.linkage_scatter(tables["units"], fit="lowess")  # type: ignore[arg-type]
    with pytest.raises(miroir.InvalidArgumentError, match="expected a table"):
        charts.forest_plot([1, 2, 3])


def test_accepts_pandas_and_result_objects(tables: dict[str, pl.DataFrame]) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")

    class Result:  # what the analysis functions return once they return result objects
        def __init__(self, table: pl.DataFrame) -> None:
            self.table = table

    from_pandas = charts.forest_plot(tables["linkage"].to_pandas(), dpi=30)
    from_result = charts.forest_plot(Result(tables["linkage"]), dpi=30)
    labels = [t.get_text() for t in from_pandas.figure.axes[0].get_yticklabels()]
    assert labels == [t.get_text() for t in from_result.figure.axes[0].get_yticklabels()]
    charts.linkage_scatter(Result(tables["units"]), Result(tables["linkage"]), dpi=30).to_png()
    charts.mirror_matrix(tables["moments"].to_pandas(), dpi=30).to_png()


def test_save_writes_png_and_svg_by_suffix(
    tables: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    chart = charts.exposure_gap_chart(tables["gap"], width=5, height=3, dpi=80)
    png = chart.save(tmp_path / "gap.png")
    assert png_size(png.read_bytes()) == (400, 240)
    svg = chart.save(tmp_path / "gap.svg")
    ET.fromstring(svg.read_text(encoding="utf-8"))
    hi = chart.save(tmp_path / "gap-hi.png", dpi=160)
    assert png_size(hi.read_bytes()) == (800, 480)
    chart.save(tmp_path / "figure", format="svg")
    assert (tmp_path / "figure").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(miroir.InvalidArgumentError, match="format"):
        chart.save(tmp_path / "gap.gif")


def test_chart_displays_inline_in_jupyter_as_png(tables: dict[str, pl.DataFrame]) -> None:
    chart = charts.forest_plot(tables["linkage"], width=6, height=3, dpi=50)
    data, metadata = chart._repr_mimebundle_()
    assert data["image/png"][:8] == PNG_SIGNATURE
    assert metadata["image/png"] == {"width": 300, "height": 150}
    assert chart._repr_png_()[:8] == PNG_SIGNATURE
    formatters = pytest.importorskip("IPython.core.formatters")
    shown, _ = formatters.DisplayFormatter().format(chart)
    assert shown["image/png"][:8] == PNG_SIGNATURE
    assert "image/svg+xml" not in shown  # one rendering per display
    assert "300x150" in repr(chart)


def test_submodules_are_attributes_of_the_package() -> None:
    # ``import miroir`` alone gives miroir.stats, miroir.charts and miroir.html_report
    code = ("import miroir; print(round(miroir.stats.pearson([1, 2, 3, 4], [1, 3, 2, 4])['estimate'][0], 12), "
            "callable(miroir.charts.forest_plot), callable(miroir.html_report.write_html), "
            "{'stats', 'charts', 'html_report'} <= set(dir(miroir)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0.8", "True", "True", "True"]


def test_import_miroir_does_not_import_matplotlib() -> None:
    code = ("import sys, miroir, miroir.charts, miroir.html_report, miroir.cli; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
