"""Helpers shared by the differential tests of ``miroir.stats`` (imported through conftest's
path entry)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl


def row(res: Any) -> dict:
    """The one-row tidy result of a ``miroir.stats`` test as a dict."""
    assert isinstance(res, pl.DataFrame), type(res)
    assert res.height == 1
    return res.row(0, named=True)


def is_nan(x: Any) -> bool:
    """None (a null in the result table) or a float NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def close(a: Any, b: Any, rtol: float = 1e-10, atol: float = 0.0) -> bool:
    """|a - b| <= atol + rtol |b|; NaN matches only NaN, an infinity only itself; two sequences
    (lists, tuples, numpy arrays) of the same length element by element. The one tolerance check
    of the tests: each file passes its own ``rtol`` and ``atol``
    (``functools.partial(close, rtol=..., atol=...)``)."""
    if isinstance(a, (list, tuple, np.ndarray)) or isinstance(b, (list, tuple, np.ndarray)):
        a, b = list(a), list(b)
        return len(a) == len(b) and all(close(x, y, rtol, atol) for x, y in zip(a, b))
    if is_nan(a) or is_nan(b):
        return is_nan(a) and is_nan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def moment_texts() -> dict[str, dict[str, dict[str, str]]]:
    """The six moments' ``name``, ``action`` and ``short_action`` per language, as the Rust core
    states them (``_core.moment_taxonomy``), shaped like the catalogue's ``[moment.*]`` tables:
    the tests that read the catalogue's TOML directly add them, since the TOML leaves them to
    the core."""
    from miroir import _core

    out: dict[str, dict[str, dict[str, str]]] = {}
    for key, _customer, _employee, texts in _core.moment_taxonomy():
        out[key] = {field: {t[0]: t[i] for t in texts} for field, i in (("name", 1), ("action", 2), ("short_action", 3))}
    return out


def p_condition(p: float) -> float:
    """A bound on the relative condition number of a test's p-value in its statistic: far in the
    tail a relative change ``d`` of t moves p by about ``t² d`` (p = 1e-32 at t = 15), and
    ``-2 ln p`` is ``t²`` for a normal tail and bounds it for a t tail. At least 1."""
    return max(1.0, -2.0 * math.log(p)) if 0.0 < p < 1.0 else 1.0


def assert_frames_close(a: pl.DataFrame, b: pl.DataFrame, what: str, rel: float = 1e-12) -> None:
    """Same columns, dtypes and rows; float columns to ``rel`` relative or ``rel / 100`` of the
    column's largest magnitude (a slope near zero; NaN = NaN, null = null), a p-value column
    (``*p_value``) to ``rel`` times its :func:`p_condition`; every other column exactly."""
    assert a.columns == b.columns, what
    assert a.dtypes == b.dtypes, what
    assert a.height == b.height, what
    for name in a.columns:
        x, y = a[name], b[name]
        if x.dtype.is_float():
            values = [v for v in y.to_list() if v is not None and math.isfinite(v)]
            floor = rel / 100 * max((abs(v) for v in values), default=0.0)
            for i, (u, v) in enumerate(zip(x.to_list(), y.to_list())):
                tol = rel * (p_condition(v) if name.endswith("p_value") and v is not None else 1.0)
                ok = (u is None and v is None) or (
                    u is not None and v is not None
                    and ((math.isnan(u) and math.isnan(v)) or u == v
                         or abs(u - v) <= max(tol * max(abs(u), abs(v)), floor))
                )
                assert ok, f"{what}.{name}[{i}]: {u!r} != {v!r}"
        else:
            assert x.to_list() == y.to_list(), f"{what}.{name}"


def assert_reports_equal(got: Any, want: Any) -> None:
    """Two :class:`miroir.Report` with the same tables (:func:`assert_frames_close`) and warnings:
    the distributed report against the single-machine one."""
    g, w = got.tables(), want.tables()
    assert sorted(g) == sorted(w)
    for name in w:
        assert_frames_close(g[name], w[name], name)
    assert got.warnings == want.warnings
