"""Placing the mirror matrix's theme names where they overlap no other text and no marker,
measured with matplotlib's renderer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _leader(cx: float, cy: float, radius: float,
            label: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The segment a leader line covers: from the marker's edge towards the label's centre,
    stopping at the label's box."""
    lx, ly = (label[0] + label[2]) / 2, (label[1] + label[3]) / 2
    dx, dy = lx - cx, ly - cy
    length = math.hypot(dx, dy) or 1.0
    # where the segment leaves the label box (clipped to its edge)
    half_w, half_h = (label[2] - label[0]) / 2, (label[3] - label[1]) / 2
    t_box = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    end = max(0.0, 1.0 - min(t_box, 1.0))
    return (cx + dx * radius / length, cy + dy * radius / length, cx + dx * end, cy + dy * end)


def _crosses(segment: tuple[float, float, float, float],
             rect: tuple[float, float, float, float]) -> bool:
    """Whether a segment passes through a rectangle (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = segment
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - rect[0]), (dx, rect[2] - x0), (-dy, y0 - rect[1]), (dy, rect[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


# How far (display pixels) a candidate label box may be from an edge and still be tried with
# the exact test (the vectorised screen of _place_labels rules out only clear overlaps).
_EPS = 1e-6

# Where a label may go around its marker, tried in this order (unit directions).
_DIRECTIONS: tuple[tuple[float, float], ...] = tuple(
    (math.cos(math.radians(a)), math.sin(math.radians(a)))
    for a in (0, 180, 20, 160, -20, -160, 45, 135, -45, -135, 90, -90, 70, 110, -70, -110,
              10, 170, -10, -170, 32, 148, -32, -148, 58, 122, -58, -122, 80, 100, -80, -100)
)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels
#: A label's place: its centre (display pixels), its box, and the ring it is on (0 and 1: next
#: to its marker; farther, joined to it by a leader line).
Spot = tuple[float, float, Box, int]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass
class _Geometry:
    """What the labels are placed among, measured once in display pixels: the axes' frame,
    the boxes taken (texts and markers), the texts alone, each marker's centre and radius and
    each name's size."""

    frame: Any
    scale: float  # display pixels per point
    pad: float
    step: float
    taken: list[Box]
    texts: list[Box]
    centres: list[tuple[float, float, float]]
    sizes: list[tuple[float, float]]
    to_data: Any
    directions: Any = field(default=None)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        pad = self.pad
        return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _measure(fig: Figure, ax: Axes, points: Sequence[tuple[float, float, float, str]],
             fixed: Sequence[Any]) -> _Geometry:
    """Lay the figure out once and freeze it, then measure the region labels, the markers and
    the size of each name (a probe text, removed)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
    scale = fig.dpi / 72.0  # display pixels per point
    frame = ax.get_window_extent(renderer)
    geo = _Geometry(frame=frame, scale=scale, pad=1.5 * scale, step=4.0 * scale, taken=[],
                    texts=[], centres=[], sizes=[], to_data=None)
    for artist in fixed:
        e = artist.get_window_extent(renderer)
        geo.texts.append(geo.box(e.x0, e.y0, e.x1, e.y1))
    geo.taken.extend(geo.texts)
    for x, y, size, _ in points:
        cx, cy = ax.transData.transform((x, y))
        radius = math.sqrt(size) / 2 * scale
        geo.centres.append((cx, cy, radius))
        geo.taken.append(geo.box(cx - radius, cy - radius, cx + radius, cy + radius))

    geo.to_data = ax.transData.inverted()
    for x, y, _, name in points:
        probe = ax.text(x, y, name, fontsize=7)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        geo.sizes.append((extent.width, extent.height))
    geo.directions = np.array(_DIRECTIONS)
    return geo


class _Attempt:
    """One greedy placement: the boxes and leader lines taken so far, and the labels placed."""

    def __init__(self, geo: _Geometry) -> None:
        self.geo = geo
        self.taken_now, self.texts_now = list(geo.taken), list(geo.texts)
        self.lines: list[Box] = []
        self.placed: list[tuple[int, Spot]] = []

    def find(self, i: int, reach: int, cross: bool = False) -> Spot | None:
        """The first free spot for label ``i`` within ``reach`` rings (a leader line may
        cross a text only with ``cross``)."""
        import numpy as np

        geo = self.geo
        frame, scale, pad, step, directions = geo.frame, geo.scale, geo.pad, geo.step, geo.directions
        taken_now, texts_now, lines = self.taken_now, self.texts_now, self.lines
        cx, cy, radius = geo.centres[i]
        w, h = geo.sizes[i]
        # every candidate at once (rings of growing distance, the directions in order):
        # those outside the frame or on a box already taken are ruled out together; the
        # margin keeps any candidate at the very edge for the exact test, which the
        # remaining ones pass or not, in order, as one by one
        gaps = radius + 2 * scale + np.arange(reach)[:, None] * step
        mx_all = cx + directions[:, 0] * (gaps + w / 2)
        my_all = cy + directions[:, 1] * (gaps + h / 2)
        x0, x1 = mx_all - w / 2 - pad, mx_all + w / 2 + pad
        y0, y1 = my_all - h / 2 - pad, my_all + h / 2 + pad
        free = ((x0 >= frame.x0 - _EPS) & (x1 <= frame.x1 + _EPS)
                & (y0 >= frame.y0 - _EPS) & (y1 <= frame.y1 + _EPS))
        if taken_now:
            b = np.asarray(taken_now, dtype=float)
            free &= ~((x0[..., None] < b[:, 2] - _EPS) & (b[:, 0] + _EPS < x1[..., None])
                      & (y0[..., None] < b[:, 3] - _EPS)
                      & (b[:, 1] + _EPS < y1[..., None])).any(axis=-1)
        for index in np.flatnonzero(free).tolist():
            k, d = divmod(index, len(_DIRECTIONS))
            dx, dy = _DIRECTIONS[d]
            gap = radius + 2 * scale + k * step
            mx = cx + dx * (gap + w / 2)
            my = cy + dy * (gap + h / 2)
            candidate = geo.box(mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)
            if (candidate[0] < frame.x0 or candidate[2] > frame.x1
                    or candidate[1] < frame.y0 or candidate[3] > frame.y1):
                continue
            if any(_crosses(line, candidate) for line in lines):
                continue
            if k > 1 and not cross and any(
                    _crosses(_leader(cx, cy, radius, candidate), t) for t in texts_now):
                continue  # a leader line must not cross a text
            if any(_overlaps(candidate, t) for t in taken_now):
                continue  # (the screen above lets only a candidate at an edge get here)
            return mx, my, candidate, k
        return None

    def keep(self, i: int, spot: Spot) -> None:
        self.placed.append((i, spot))
        self.taken_now.append(spot[2])
        self.texts_now.append(spot[2])
        if spot[3] > 1:
            cx, cy, radius = self.geo.centres[i]
            self.lines.append(_leader(cx, cy, radius, spot[2]))


def _attempt(geo: _Geometry, order: Sequence[int], near_first: bool) -> tuple[int, int, list[tuple[int, Spot]]]:
    """Labels placed greedily in ``order``: (left out, total distance, placements)."""
    run = _Attempt(geo)
    waiting = []
    for i in order:
        spot = run.find(i, 2 if near_first else 60)
        if spot is None:
            waiting.append(i)
        else:
            run.keep(i, spot)
    last = []
    for i in waiting:
        spot = run.find(i, 60)
        if spot is None:
            last.append(i)
        else:
            run.keep(i, spot)
    left = 0
    for i in last:  # rather a leader line across a text than a theme without its name
        spot = run.find(i, 60, cross=True)
        if spot is None:
            left += 1
        else:
            run.keep(i, spot)
    return left, sum(spot[3] for _, spot in run.placed), run.placed


def _place_labels(fig: Figure, ax: Axes, points: Sequence[tuple[float, float, float, str]],
                  fixed: Sequence[Any]) -> int:
    """Write each theme's name near its marker where it overlaps nothing; returns how many
    names found no room (left out, and counted in the chart's footnote).

    The layout is computed first and then frozen, so that the geometry measured here (in
    display units, with matplotlib's renderer) is the geometry drawn at any dpi: text sizes
    are in points, the figure in inches. For each marker, largest first, candidate boxes are
    tried around it (to the right, left, diagonals, above, below), at growing distances; the
    first box inside the axes that overlaps no marker, no region label, no label and no leader
    line already placed wins; a label away from its marker is joined to it by a thin line,
    which crosses no text (it may pass over a marker).
    """
    if not points:
        return 0
    geo = _measure(fig, ax, points, fixed)
    # two greedy orders (every label next to its marker first, or wherever it fits; the
    # largest markers first): the one that leaves out fewest labels, then moves them least
    by_size = sorted(range(len(points)), key=lambda i: -points[i][2])
    left_out, _, placed = min((_attempt(geo, by_size, True), _attempt(geo, by_size, False)),
                              key=lambda a: (a[0], a[1]))
    for i, (mx, my, _, k) in placed:
        x, y, _, name = points[i]
        radius = geo.centres[i][2]
        # away from its marker, a thin line says whose name it is
        line = None if k <= 1 else {"arrowstyle": "-", "color": "#9e9e9e", "lw": 0.5,
                                    "shrinkA": 1, "shrinkB": radius / geo.scale + 1}
        label = ax.annotate(name, (x, y), xytext=tuple(geo.to_data.transform((mx, my))),
                            textcoords="data", ha="center", va="center", fontsize=7,
                            color="#212121", zorder=4, annotation_clip=False, arrowprops=line)
        label.set_in_layout(False)
    return left_out
