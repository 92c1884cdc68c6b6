"""The :class:`Chart` every chart function returns: a matplotlib ``Figure`` with PNG, SVG and PDF
export and its Jupyter display."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miroir.charts._common import DEFAULT_DPI, DISPLAY_DPI
from miroir._frames import invalid_argument

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORMATS = ("png", "svg", "pdf")


class Chart:
    """A drawn chart: a matplotlib ``Figure`` with PNG and SVG export.

    Displays inline in Jupyter (as PNG, at the requested size); ``to_png``, ``to_svg`` and
    ``save`` export without a display or a network. SVG text stays text (searchable, and
    smaller), and carries no creator URL or date.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure, for further changes with the matplotlib API.
    dpi : float
        Resolution of the PNG export (pixels per inch; :data:`DEFAULT_DPI`, 200, by default:
        ``save("chart.png")`` is fit for print).
    """

    def __init__(self, figure: Figure, *, dpi: float = DEFAULT_DPI) -> None:
        self.figure = figure
        self.dpi = float(dpi)

    @property
    def size(self) -> tuple[int, int]:
        """Size of the PNG export in pixels, ``(width, height)``."""
        w, h = self.figure.get_size_inches()
        return int(round(w * self.dpi)), int(round(h * self.dpi))

    def to_png(self, *, dpi: float | None = None) -> bytes:
        """The chart as PNG bytes (``dpi`` defaults to the chart's)."""
        return self._png_job(self.dpi if dpi is None else dpi)()

    def _png_job(self, dpi: float) -> Callable[[], bytes]:
        """Draw the chart at ``dpi`` now; returns what turns the drawing into PNG bytes (the
        compression needs no Python lock: it may run in another thread, see
        :func:`deliverable_pngs`).

        The figure is laid out once and drawn once (``savefig`` on a figure with a layout
        engine draws it twice, the first time to lay it out); an opaque chart is written as
        RGB (the same pixels as RGBA, a quarter less to compress), at zlib level 3 (as small
        as matplotlib's level 6 on RGBA, in a third of the time)."""
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        dpi = float(dpi)
        fig = self.figure
        canvas = fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)  # the layout is measured on the canvas savefig draws on
        engine = fig.get_layout_engine()
        before = fig.dpi
        buf = io.BytesIO()
        try:
            # no layout engine while drawing: None, not the one rcParams would give a figure
            with matplotlib.rc_context({"figure.autolayout": False,
                                        "figure.constrained_layout.use": False}):
                fig.dpi = dpi
                if engine is not None and fig.axes:
                    # what savefig's first, not rendered, draw is for: the layout at this dpi
                    try:
                        engine.execute(fig)
                    except ValueError:  # as Figure.draw: a layout that cannot be made is skipped
                        pass
                    fig.set_layout_engine(None)
                width, height = int(fig.bbox.width), int(fig.bbox.height)
                fig.savefig(buf, format="rgba", dpi=dpi)
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)
            fig.dpi = before
            if fig.canvas is not canvas:
                fig.set_canvas(canvas)
        raw = buf.getvalue()
        if len(raw) != 4 * width * height:  # not the canvas expected: matplotlib's own PNG
            out = io.BytesIO()
            fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
            png = out.getvalue()
            return lambda: png
        return partial(_png_bytes, raw, width, height, dpi)

    def to_svg(self) -> str:
        """The chart as an SVG document (text kept as text)."""
        buf = io.BytesIO()
        with _svg_settings():
            self.figure.savefig(buf, format="svg", metadata={"Creator": None, "Date": None})
        return buf.getvalue().decode("utf-8")

    def save(
        self, path: str | os.PathLike[str], format: str | None = None, *, dpi: float | None = None
    ) -> Path:
        """Write the chart to ``path``; the format is ``format`` or the file's suffix
        (``png``, ``svg`` or ``pdf``). Returns the path written."""
        out = Path(path)
        fmt = (format or out.suffix.lstrip(".")).lower()
        if fmt not in _FORMATS:
            raise invalid_argument(
                "format", f"{fmt or 'none'!r} is not one of png, svg, pdf "
                "(give format= or a file name ending in .png, .svg or .pdf)"
            )
        if fmt == "png":
            out.write_bytes(self.to_png(dpi=dpi))
        elif fmt == "svg":
            out.write_text(self.to_svg(), encoding="utf-8")
        else:
            self.figure.savefig(out, format="pdf", metadata={"Creator": None, "Producer": None})
        return out

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # PNG only (not also SVG): one rendering per display, at the chart's dpi, shown at
        # DISPLAY_DPI at most (a 200-dpi chart is sharp on a high-density screen, not huge)
        w, h = self.figure.get_size_inches()
        shown = min(self.dpi, DISPLAY_DPI)
        return {"image/png": self.to_png()}, {"image/png": {"width": int(round(w * shown)),
                                                            "height": int(round(h * shown))}}

    def __repr__(self) -> str:
        w, h = self.size
        axes = self.figure.axes
        title = (axes[0].get_title("left") or axes[0].get_title()) if axes else ""
        return f"<miroir.charts.Chart {w}x{h} px: {title!r}>"


def _png_bytes(raw: bytes, width: int, height: int, dpi: float) -> bytes:
    """PNG of an RGBA canvas (RGB when it is opaque), its resolution recorded, no text chunk."""
    from PIL import Image

    image = Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1)
    if image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="png", dpi=(dpi, dpi), compress_level=3)
    return out.getvalue()


@contextmanager
def _svg_settings() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "miroir"}):
        yield
