"""The result objects of the linkage: :func:`miroir.linkage` and :func:`miroir.linkage_corrected`."""

from __future__ import annotations

import math

from miroir.results._display import TEXT_MARK, _Column, _key_render, _study_label
from miroir.results._format import (
    Row,
    _ci_label,
    _fmt,
    _fmt_int,
    _fmt_p,
    _fmt_pct,
    _missing,
    _number,
    _p_phrase,
    _pct_signed,
    _pp,
    _two,
    _with_ci,
)
from miroir.results.base import Result, _below
from miroir._defaults import LINKAGE as _LINKAGE


class LinkageResult(Result):
    """Result of :func:`miroir.linkage`: engagement vs satisfaction per study and pooled.

    A row is marked when its correlation's ``p_value`` is below 0.05. The headline gives the
    pooled correlation with its CI and p-value.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> res = miroir.linkage(study)
    >>> res.headline
    'Linkage: unit engagement vs share satisfied, 3 studies, 76 units; pooled r = 0.85 [0.76, 0.90] (95% CI), p < 0.001'
    >>> pooled = res.filter(res["level"] == "pooled").row(0, named=True)
    >>> round(pooled["estimate"], 2), pooled["n_units"]
    (0.85, 76)
    >>> res.significant_rows().to_list()
    [True, True, True, True]
    """

    kind = "linkage"
    title = "Linkage"

    def _symbol(self) -> str:
        method = str(self.options.get("method", "pearson")).lower()
        return {"spearman": "ρ", "kendall": "τ"}.get(method, "r")

    def _outcome(self) -> str:
        return str(self.options.get("outcome", "share_satisfied")).replace("_", " ")

    def _headline(self) -> str:
        rows = self._rows()
        studies = sum(1 for r in rows if r.get("level") == "study")
        pooled = next((r for r in rows if r.get("level") == "pooled"), rows[-1])
        parts = [f"{self.title}: unit engagement vs {self._outcome()}"]
        if studies:
            parts.append(f", {studies} stud{'y' if studies == 1 else 'ies'}")
        if pooled.get("n_units") is not None:
            parts.append(f", {_fmt_int(pooled['n_units'])} units")
        symbol = self._symbol()
        estimate = _with_ci(
            _fmt(pooled.get("estimate"), 2), pooled.get("ci_low"), pooled.get("ci_high"),
            _two,
        )
        label = "pooled" if pooled.get("level") == "pooled" else str(pooled.get("study"))
        parts.append(
            f"; {label} {symbol} = {estimate} ({_ci_label(self.options.get('confidence', _LINKAGE['confidence']))})"
        )
        if not _missing(pooled.get("p_value")):
            parts.append(f", {_p_phrase(pooled.get('p_value'))}")
        return "".join(parts)

    def _legend(self) -> str:
        return f"{TEXT_MARK} correlation p < 0.05"

    def _is_significant(self, row: Row) -> bool:
        return _below(row.get("p_value"), 0.05)

    def _columns(self) -> list[_Column]:
        top = self.options.get("top_share", _LINKAGE["top_share"])
        top_label = f"top {_fmt_pct(top, 0)}" if not _missing(top) else "top"
        ci = _ci_label(self.options.get("confidence", _LINKAGE["confidence"]))
        return [
            _Column("study", "study", _study_label, numeric=False, side="never"),
            _Column("units", "n_units", _key_render("n_units", _fmt_int), side="never"),
            _Column("employees", "n_employees", _key_render("n_employees", _fmt_int), side="never"),
            _Column("customers", "n_customers", _key_render("n_customers", _fmt_int), side="never"),
            _Column(
                f"{self._symbol()} [{ci}]", "estimate",
                lambda r: _with_ci(_two(r["estimate"]), r.get("ci_low"), r.get("ci_high"), _two),
            ),
            _Column("p", "p_value", _key_render("p_value", _fmt_p)),
            _Column("ICC(1)", "icc1", _key_render("icc1", _two)),
            _Column("ICC(2)", "icc2", _key_render("icc2", _two)),
            _Column("I²", "i2", lambda r: _fmt(r["i2"], 1) + ("%" if not _missing(r["i2"]) else "")),
            _Column(
                "satisfied: high / rest", "share_satisfied_high",
                lambda r: f"{_fmt_pct(r['share_satisfied_high'])} / {_fmt_pct(r.get('share_satisfied_rest'))}",
            ),
            _Column(
                "difference, pp [CI]", "satisfied_diff",
                lambda r: _with_ci(
                    _pp(r["satisfied_diff"]), r.get("satisfied_diff_ci_low"),
                    r.get("satisfied_diff_ci_high"), _pp,
                ),
            ),
            _Column(
                f"uplift {top_label} [CI]", "uplift",
                lambda r: _with_ci(
                    _pct_signed(r["uplift"]), r.get("uplift_ci_low"), r.get("uplift_ci_high"), _pct_signed
                ),
            ),
        ]


class CorrectedLinkageResult(Result):
    """Result of :func:`miroir.linkage_corrected`: the linkage per study, observed and
    disattenuated, and its pools (random effects, Hunter–Schmidt bare-bones and corrected).

    A study row is marked when its corrected r exceeds 1 in absolute value (reported as
    computed, with a note). The headline gives the pooled observed r and the corrected
    Hunter–Schmidt mean with its credibility interval.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> print(miroir.linkage_corrected(study).headline)  # doctest: +ELLIPSIS
    Corrected linkage: 3 studies; observed r = 0.85 (random effects), true-score ρ = ... (Hunter-Schmidt corrected, 80% credibility [...])
    """

    kind = "linkage_corrected"
    title = "Corrected linkage"

    def _headline(self) -> str:
        rows = self._rows()
        by = {r.get("method"): r for r in rows if r.get("level") == "pooled"}
        n_studies = sum(1 for r in rows if r.get("level") == "study")
        text = f"{self.title}: {n_studies} stud{'y' if n_studies == 1 else 'ies'}"
        re_row, hs = by.get("random_effects"), by.get("hunter_schmidt_corrected")
        if re_row is not None and not _missing(re_row.get("estimate")):
            text += f"; observed r = {_fmt(re_row['estimate'], 2)} (random effects)"
        if hs is not None and not _missing(hs.get("estimate")):
            cred = self.options.get("credibility", 0.80)
            text += (f", true-score ρ = {_fmt(hs['estimate'], 2)} (Hunter-Schmidt corrected, "
                     f"{_fmt_pct(cred, 0)} credibility [{_fmt(hs.get('cr_low'), 2)}, "
                     f"{_fmt(hs.get('cr_high'), 2)}])")
        elif hs is not None:
            text += f"; corrected pool not computed ({self._note(hs) or 'undefined'})"
        return text

    def _is_significant(self, row: Row) -> bool:
        v = _number(row.get("r_corrected"))
        return v is not None and not math.isnan(v) and abs(v) > 1.0

    def _legend(self) -> str:
        return "* corrected r above 1 in absolute value (see the note)"
