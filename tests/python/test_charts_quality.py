"""Charts at publication quality (issue 17, part 6): mirror-matrix labels that overlap nothing
(checked on the text boxes matplotlib's renderer measures), 200 dpi by default, forest plots
scaled to their intervals, legends outside the data, a palette told apart with colour-vision
deficiencies, and every chart in the report's language."""

from __future__ import annotations

import functools
import itertools
import math
import re
import types
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import miroir
from _support import moment_texts

pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.text import Annotation, Text  # noqa: E402

from miroir import charts  # noqa: E402
from miroir.i18n import keys, moment_name, text  # noqa: E402


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        s = miroir.synthetic_study(studies=4, employees=4_000, customers=20_000, seed=2)
    assert isinstance(s, miroir.Study)
    return s


@pytest.fixture(scope="module")
def tables(study: miroir.Study) -> dict[str, pl.DataFrame]:
    return {
        "moments": miroir.moments(study).table,
        "by_study": miroir.moments(study, by="study").table,
        "units": miroir.linkage_units(study).table,
        "linkage": miroir.linkage(study).table,
        "gap": miroir.exposure_gap(study).table,
        "drivers": miroir.drivers(study, n_resamples=100).table,
        "indicators": miroir.indicators(study).table.filter(pl.col("id") != "frontline_gap"),
    }


Box = tuple[float, float, float, float]


def boxes(chart: charts.Chart) -> tuple[list[tuple[str, Box]], list[tuple[str, Box]], Box]:
    """(theme labels, the other texts of the axes, the axes), as drawn: window extents."""
    fig = chart.figure
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    labels, others = [], []
    for t in ax.texts:
        e = Text.get_window_extent(t, renderer)  # the text alone (an annotation adds its line)
        (labels if isinstance(t, Annotation) else others).append((t.get_text(), (e.x0, e.y0, e.x1, e.y1)))
    a = ax.get_window_extent(renderer)
    return labels, others, (a.x0, a.y0, a.x1, a.y1)


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def overlapping_pairs(items: list[tuple[str, Box]]) -> list[tuple[str, str]]:
    return [(x, y) for (x, a), (y, b) in itertools.combinations(items, 2) if overlap(a, b)]


def unlabelled(chart: charts.Chart, lang: str = "en") -> int:
    foot = " ".join(t.get_text() for t in chart.figure.axes[0].texts)
    prefix = text("chart.matrix.foot_unlabelled", lang, n="")
    found = re.search(re.escape(prefix) + r"(\d+)", foot)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize(("table", "one_study", "lang", "size"), [
    ("moments", None, "en", (11.0, 7.5)),
    ("moments", None, "fr", (11.0, 7.5)),
    ("moments", None, "en", (7.0, 5.0)),        # a small chart: more labels compete for room
    ("by_study", None, "en", (11.0, 7.5)),      # four studies' themes in one matrix
    ("by_study", "hotel-01", "fr", (11.0, 7.5)),
])
def test_mirror_matrix_labels_overlap_nothing(
    tables: dict[str, pl.DataFrame], table: str, one_study: str | None, lang: str,
    size: tuple[float, float],
) -> None:
    chart = charts.mirror_matrix(tables[table], study=one_study, lang=lang, width=size[0],
                                 height=size[1])
    labels, others, axes = boxes(chart)
    names = {moment_name(m, lang) for m in charts.MOMENTS}
    regions = [(t, b) for t, b in others if t.split("\n")[0] in names]  # names with actions
    assert len(regions) == 6
    assert overlapping_pairs(labels) == []
    assert [(t, r) for t, b in labels for r, rb in regions if overlap(b, rb)] == []
    assert all(axes[0] <= b[0] and b[2] <= axes[2] and axes[1] <= b[1] and b[3] <= axes[3]
               for _, b in labels)
    # the labels do not cover the markers either
    ax = chart.figure.axes[0]
    scale = chart.figure.dpi / 72
    for coll in ax.collections:
        for (x, y), s in zip(coll.get_offsets(), itertools.cycle(coll.get_sizes())):
            cx, cy = ax.transData.transform((x, y))
            r = math.sqrt(s) / 2 * scale
            marker = (cx - r, cy - r, cx + r, cy + r)
            assert not [t for t, b in labels if overlap(b, marker)], (x, y)
    # every drawn theme is named, or counted among those left without a label
    drawn = sum(len(c.get_offsets()) for c in ax.collections)
    assert len(labels) + unlabelled(chart, lang) == drawn
    assert len(labels) >= 0.8 * drawn


def test_the_overlap_check_can_fail() -> None:
    assert overlapping_pairs([("a", (0, 0, 10, 10)), ("b", (5, 5, 15, 15))]) == [("a", "b")]
    assert overlapping_pairs([("a", (0, 0, 10, 10)), ("b", (10, 0, 20, 10))]) == []


def test_labels_hold_at_any_resolution(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    # the placement is measured once; the PNG written at another dpi keeps the geometry
    chart = charts.mirror_matrix(tables["moments"])
    chart.save(tmp_path / "m.png", dpi=72)
    chart.save(tmp_path / "m.svg")
    labels, _, _ = boxes(chart)
    assert overlapping_pairs(labels) == []


def test_charts_default_to_200_dpi(tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    import struct

    assert charts.DEFAULT_DPI == 200
    chart = charts.exposure_gap_chart(tables["gap"], width=5, height=3)
    assert chart.dpi == 200
    png = chart.save(tmp_path / "gap.png").read_bytes()
    assert struct.unpack(">II", png[16:24]) == (1000, 600)
    # Jupyter shows it at 100 dpi (sharp on high-density screens, not twice as large)
    _, meta = chart._repr_mimebundle_()
    assert meta["image/png"] == {"width": 500, "height": 300}
    for make in (lambda: charts.mirror_matrix(tables["moments"]),
                 lambda: charts.forest_plot(tables["linkage"]),
                 lambda: charts.linkage_scatter(tables["units"]),
                 lambda: charts.drivers_chart(tables["drivers"])):
        assert make().dpi == 200


def test_forest_plots_are_scaled_to_their_intervals(tables: dict[str, pl.DataFrame]) -> None:
    link = tables["linkage"]
    ax = charts.forest_plot(link).figure.axes[0]
    lo, hi = ax.get_xlim()
    data_lo = float(link["ci_low"].min())  # type: ignore[arg-type]
    data_hi = float(link["ci_high"].max())  # type: ignore[arg-type]
    assert data_lo > 0.3  # the correlations are far from 0 ...
    assert lo > 0.3 and lo < data_lo and hi > data_hi  # ... so the axis does not start at 0
    assert (data_hi - data_lo) / (hi - lo) > 0.8
    # the reference it leaves out is said in a note
    assert any(text("chart.forest.left", "en") in t.get_text() for t in ax.texts)
    # near the intervals, the reference line stays
    near = link.with_columns(ci_low=pl.col("ci_low") - 0.7)
    ax = charts.forest_plot(near).figure.axes[0]
    assert ax.get_xlim()[0] <= 0 and any(ln.get_xdata()[0] == 0 for ln in ax.lines
                                         if ln.get_linestyle() == "--")


@pytest.mark.parametrize("make", [
    lambda t: charts.mirror_matrix(t["moments"]),
    lambda t: charts.linkage_scatter(t["units"], t["linkage"]),
    lambda t: charts.exposure_gap_chart(t["gap"]),
    lambda t: charts.forest_plot(t["indicators"], label="id", reference="published"),
])
def test_legends_sit_outside_the_data(
    tables: dict[str, pl.DataFrame], make: Callable[[dict[str, pl.DataFrame]], charts.Chart]
) -> None:
    chart = make(tables)
    fig = chart.figure
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    a, e = ax.get_window_extent(renderer), legend.get_window_extent(renderer)
    assert not overlap((a.x0, a.y0, a.x1, a.y1), (e.x0, e.y0, e.x1, e.y1))
    f = fig.bbox
    assert f.x0 - 1 <= e.x0 and e.x1 <= f.x1 + 1 and f.y0 - 1 <= e.y0 and e.y1 <= f.y1 + 1


def test_published_values_are_ticks_named_in_the_legend(tables: dict[str, pl.DataFrame]) -> None:
    shares = tables["indicators"]
    ax = charts.forest_plot(shares, label="id", null_value=None, reference="published",
                            lang="fr").figure.axes[0]
    ticks = [c for c in ax.collections if c.get_label() == text("chart.forest.reference", "fr")]
    assert len(ticks) == 1 and len(ticks[0].get_offsets()) == shares.height
    # a different mark from the estimates (squares): a vertical tick, not a data point
    xs = ticks[0].get_paths()[0].vertices[:, 0]
    assert float(xs.max() - xs.min()) == 0
    lo, hi = ax.get_xlim()
    assert all(lo < v < hi for v in shares["published"])
    with pytest.raises(miroir.InvalidArgumentError, match="no column 'nope'"):
        charts.forest_plot(shares, label="id", reference="nope")


# --- colour vision ------------------------------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), severity 1, applied to linear RGB; distances in CIELAB.
_CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _lab(colour: str, matrix: Any = None) -> tuple[float, float, float]:
    srgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    if matrix is not None:
        lin = [min(max(sum(m * c for m, c in zip(row, lin)), 0.0), 1.0) for row in matrix]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def closest_pair(colours: list[str]) -> float:
    """The smallest CIELAB distance between two colours, with normal vision or any of the
    three simulated dichromacies."""
    return min(math.dist(_lab(a, m), _lab(b, m)) for m in [None, *_CVD.values()]
               for a, b in itertools.combinations(colours, 2))


def test_the_palette_survives_colour_vision_deficiencies() -> None:
    assert closest_pair(list(charts.MOMENT_COLOURS.values())) > 15
    assert closest_pair(list(charts.OKABE_ITO)) > 15
    # the check discriminates: matplotlib's tab10 (the former study colours) fails it
    assert closest_pair(["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]) < 15


def test_more_studies_than_colours_change_marker(tables: dict[str, pl.DataFrame]) -> None:
    units = tables["units"]
    many = pl.concat([units.with_columns(study=pl.col("study") + f"-{i}") for i in range(3)])
    ax = charts.linkage_scatter(many, fit="none").figure.axes[0]
    styles = {(str(c.get_facecolor()[0][:3]), c.get_paths()[0].vertices.shape) for c in ax.collections}
    assert len(styles) == len(ax.collections) == 12


# --- language -----------------------------------------------------------------------------------

def svg_text(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))


ALL_CHARTS: dict[str, Callable[[dict[str, pl.DataFrame], str], charts.Chart]] = {
    "mirror_matrix": lambda t, lang: charts.mirror_matrix(t["moments"], lang=lang),
    "linkage_scatter": lambda t, lang: charts.linkage_scatter(t["units"], t["linkage"], lang=lang),
    "forest_linkage": lambda t, lang: charts.forest_plot(t["linkage"], lang=lang),
    "forest_gap": lambda t, lang: charts.forest_plot(t["gap"], estimate="gap", lang=lang),
    "exposure_gap": lambda t, lang: charts.exposure_gap_chart(t["gap"], lang=lang),
    "drivers": lambda t, lang: charts.drivers_chart(t["drivers"].filter(pl.col("level") == "employee"),
                                                   lang=lang),
}


@pytest.mark.parametrize("name", list(ALL_CHARTS))
def test_every_chart_speaks_french(tables: dict[str, pl.DataFrame], name: str) -> None:
    french = svg_text(ALL_CHARTS[name](tables, "fr").to_svg())
    english = svg_text(ALL_CHARTS[name](tables, "en").to_svg())
    assert french != english
    # no English sentence of the chart messages (long ones: short words are shared)
    for key in keys():
        if key.startswith(("chart.", "moment.")):
            en, fr = text_raw(key, "en"), text_raw(key, "fr")
            if en != fr and len(en) >= 12:
                assert en not in french, (name, key)
    # decimal commas, no decimal points in the numbers; French percentages
    assert not re.search(r"\d\.\d", french), re.findall(r".{20}\d\.\d.{5}", french)[:3]
    assert re.search(r"\d,\d", french) or re.search("\\d\u202f%", french)


def text_raw(key: str, lang: str) -> str:
    """The longest fixed piece of a message (between its placeholders)."""
    message = _catalogue()[key][lang]
    return max(re.split(r"\{[^}]*\}", message), key=len).strip()


def _catalogue() -> dict[str, dict[str, str]]:
    import tomllib

    raw = tomllib.loads((Path(miroir.__file__).parent / "catalogue.toml").read_text("utf-8"))
    out: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        if "en" in table:
            out[prefix] = table
            return
        for name, value in table.items():
            if isinstance(value, dict):
                walk(f"{prefix}.{name}" if prefix else name, value)

    walk("", raw)
    for key, fields in moment_texts().items():  # the six moments are stated by the Rust core
        for field, entry in fields.items():
            out[f"moment.{key}.{field}"] = entry
    return out


def test_unknown_language_is_refused_by_every_chart(tables: dict[str, pl.DataFrame]) -> None:
    for make in ALL_CHARTS.values():
        with pytest.raises(miroir.InvalidArgumentError, match="'es'"):
            make(tables, "es")


def test_the_deck_draws_its_charts_in_its_language(
    tables: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    from miroir import pptx_report

    seen: list[str] = []
    real = charts.forest_plot

    @functools.wraps(real)  # the deck reads the signature: spy keeps the real one
    def spy(*args: Any, **kwargs: Any) -> charts.Chart:
        seen.append(kwargs.get("lang", "en"))
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "forest_plot", spy)
    report = types.SimpleNamespace()  # the charts' cache lives on the report
    draw = pptx_report._chart_maker(report, "fr")  # type: ignore[arg-type]
    assert draw is not None
    png = draw("forest_plot", tables["linkage"])
    assert png is not None and png[:4] == b"\x89PNG"
    assert seen == ["fr"]
