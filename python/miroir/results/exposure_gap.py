"""The result objects of the exposure gap: :func:`miroir.exposure_gap` and :func:`miroir.multilevel_gap`."""

from __future__ import annotations

import math

from miroir.results._display import TEXT_MARK, _Column, _key_render, _study_label
from miroir.results._format import (
    Row,
    _ci_label,
    _fmt,
    _fmt_int,
    _fmt_p,
    _missing,
    _number,
    _one,
    _p_phrase,
    _two,
    _with_ci,
)
from miroir.results.base import Result, _below
from miroir._defaults import EXPOSURE_GAP as _GAP


class ExposureGapResult(Result):
    """Result of :func:`miroir.exposure_gap`: customer-facing employees against the others.

    A row is marked when Welch's ``p_value`` is below 0.05. The headline gives the pooled gap
    (positive: customer-facing employees less engaged), the adjusted gap and the largest
    per-study gap ("up to N points").

    Examples
    --------
    The headline of the seed-like synthetic study is in :func:`miroir.exposure_gap`'s example;
    its last clause names the study with the largest gap:

    >>> import miroir
    >>> gap = miroir.exposure_gap(miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1))
    >>> gap.headline.split("; ")[-1], round(gap.filter(gap["largest"])["gap"][0], 1)
    ('up to 20.8 points (hotel-01)', 20.8)
    >>> gap.legend, gap.significant_rows().to_list()
    ('* p < 0.05 (Welch t)', [True, True, True, True])
    """

    kind = "exposure_gap"
    title = "Exposure gap"

    def _headline(self) -> str:
        rows = self._rows()
        pooled = next((r for r in rows if r.get("level") == "pooled"), rows[-1])
        label = "pooled" if pooled.get("level") == "pooled" else str(pooled.get("study"))
        ci = _ci_label(self.options.get("confidence", _GAP["confidence"]))
        gap_value = _number(pooled.get("gap"))
        if gap_value is None or math.isnan(gap_value):
            reason = self._note(pooled) or ("suppressed" if self._is_suppressed(pooled) else "undefined")
            text = f"{self.title}: {label} gap not shown ({reason})"
        else:
            gap = gap_value
            direction = "less" if gap >= 0 else "more"
            interval = f"[{_one(pooled.get('ci_low'))}, {_one(pooled.get('ci_high'))}]"
            text = (
                f"{self.title}: customer-facing employees {_one(abs(gap))} points {direction} engaged "
                f"than the others ({label}, {ci} {interval}, {_p_phrase(pooled.get('p_value'))})"
            )
        if not _missing(pooled.get("adjusted_gap")):
            text += "; adjusted " + _with_ci(
                _fmt(pooled["adjusted_gap"], 1), pooled.get("adjusted_ci_low"),
                pooled.get("adjusted_ci_high"), _one,
            )
        largest = next((r for r in rows if r.get("largest")), None)
        if largest is not None and not _missing(largest.get("gap")):
            text += f"; up to {_fmt(largest['gap'], 1)} points ({largest.get('study')})"
        return text

    def _legend(self) -> str:
        return f"{TEXT_MARK} p < 0.05 (Welch t)"

    def _is_significant(self, row: Row) -> bool:
        return _below(row.get("p_value"), 0.05)

    def _columns(self) -> list[_Column]:
        ci = _ci_label(self.options.get("confidence", _GAP["confidence"]))
        return [
            _Column("study", "study", _study_label, numeric=False, side="never"),
            _Column(
                "n facing / other", "n_facing",
                lambda r: f"{_fmt_int(r['n_facing'])} / {_fmt_int(r.get('n_other'))}", side="never",
            ),
            _Column(
                "mean facing / other", "mean_facing",
                lambda r: f"{_one(r['mean_facing'])} / {_one(r.get('mean_other'))}",
            ),
            _Column(f"gap [{ci}]", "gap", lambda r: _with_ci(_one(r["gap"]), r.get("ci_low"), r.get("ci_high"), _one)),
            _Column("p", "p_value", _key_render("p_value", _fmt_p)),
            _Column(
                "Hedges g [CI]", "hedges_g",
                lambda r: _with_ci(_two(r["hedges_g"]), r.get("g_ci_low"), r.get("g_ci_high"), _two),
            ),
            _Column("rank-biserial", "rank_biserial", _key_render("rank_biserial", _two)),
            _Column("MW p", "mw_p_value", _key_render("mw_p_value", _fmt_p)),
            _Column(
                "adjusted gap [CI]", "adjusted_gap",
                lambda r: _with_ci(
                    _one(r["adjusted_gap"]), r.get("adjusted_ci_low"), r.get("adjusted_ci_high"), _one
                ),
                side="never",
            ),
            _Column("adjusted p", "adjusted_p_value", _key_render("adjusted_p_value", _fmt_p), side="never"),
            _Column(
                "largest", "largest", lambda r: "largest" if r.get("largest") else "",
                numeric=False, side="never",
            ),
        ]


class MultilevelGapResult(Result):
    """Result of :func:`miroir.multilevel_gap`: the exposure gap with a random intercept per
    unit (REML), next to the OLS gap.

    A row is marked when its ``p_value`` is below 0.05. The headline gives the pooled gap with
    its CI, the ICC of the units and the OLS gap.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> print(miroir.multilevel_gap(study).headline)  # doctest: +ELLIPSIS
    Multilevel exposure gap: customer-facing employees ... points less engaged (random intercept per unit, REML; 95% CI [...], p < 0.001); ICC ...; OLS gap ...
    """

    kind = "multilevel_gap"
    title = "Multilevel exposure gap"

    def _headline(self) -> str:
        rows = self._rows()
        row = next((r for r in rows if r.get("level") == "pooled"), rows[-1])
        gap = _number(row.get("gap"))
        if gap is None or math.isnan(gap):
            reason = self._note(row) or ("suppressed" if self._is_suppressed(row) else "undefined")
            return f"{self.title}: gap not shown ({reason})"
        ci = _ci_label(self.options.get("confidence", _GAP["confidence"]))
        direction = "less" if gap >= 0 else "more"
        return (f"{self.title}: customer-facing employees {_fmt(abs(gap), 1)} points {direction} "
                f"engaged (random intercept per unit, REML; {ci} [{_fmt(row.get('ci_low'), 1)}, "
                f"{_fmt(row.get('ci_high'), 1)}], {_p_phrase(row.get('p_value'))}); ICC "
                f"{_fmt(row.get('icc'), 2)}; OLS gap {_fmt(row.get('ols_gap'), 1)}")

    def _is_significant(self, row: Row) -> bool:
        p = _number(row.get("p_value"))
        return p is not None and not math.isnan(p) and p < 0.05
