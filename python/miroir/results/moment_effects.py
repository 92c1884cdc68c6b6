"""The result object of :func:`miroir.moment_effects`: per moment and side, those who mention its themes against the others."""

from __future__ import annotations

from miroir.results._display import TEXT_MARK, _Column, _key_render
from miroir.results._format import (
    Row,
    _dec,
    _fmt,
    _fmt_int,
    _fmt_p,
    _fmt_text,
    _number,
    _two,
    _with_ci,
)
from miroir.results.base import Result, _below


class MomentEffectsResult(Result):
    """Result of :func:`miroir.moment_effects`: per moment and side, those who mention its
    themes against the others (difference = mentioning - other).

    A row is marked when its Benjamini-Hochberg ``q_value`` is below the call's ``alpha``.
    Groups under ``min_group_size`` show as ``suppressed``.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> effects = miroir.moment_effects(study)
    >>> effects.headline
    'Moment effects: 12 comparisons (6 moments, customers and employees); 7 with q < 0.05; none suppressed'
    >>> effects.significant_rows().sum() == effects.filter(effects["q_value"] < 0.05).height
    True
    """

    kind = "moment_effects"
    title = "Moment effects"

    def _alpha(self) -> float:
        alpha = _number(self.options.get("alpha", 0.05))
        return 0.05 if alpha is None else alpha

    def _headline(self) -> str:
        rows = self._rows()
        moments = len({r.get("moment") for r in rows})
        marked = sum(1 for r in rows if self._is_significant(r))
        hidden = sum(1 for r in rows if self._is_suppressed(r))
        return (
            f"{self.title}: {len(rows):,} comparisons ({moments} moments, customers and employees); "
            f"{marked:,} with q < {self._alpha():g}; "
            + (f"{hidden:,} suppressed" if hidden else "none suppressed")
        )

    def _legend(self) -> str:
        return f"{TEXT_MARK} q < {self._alpha():g} (Welch t, Benjamini-Hochberg)"

    def _is_significant(self, row: Row) -> bool:
        return _below(row.get("q_value"), self._alpha())

    def _columns(self) -> list[_Column]:
        def decimals(row: Row) -> int:
            return 1 if row.get("outcome") == "engagement" else 2

        def mean(row: Row) -> str:
            d = decimals(row)
            return f"{_fmt(row['mean_mentioning'], d)} / {_fmt(row.get('mean_other'), d)}"

        def difference(row: Row) -> str:
            d = decimals(row)
            return _with_ci(
                _fmt(row["estimate"], d, signed=True), row.get("ci_low"), row.get("ci_high"),
                _dec(d, signed=True),
            )

        return [
            _Column("moment", "moment", _key_render("moment", _fmt_text), numeric=False, side="never"),
            _Column("side", "side", _key_render("side", _fmt_text), numeric=False, side="never"),
            _Column("outcome", "outcome", _key_render("outcome", _fmt_text), numeric=False, side="never"),
            _Column(
                "n mentioning / other", "n_mentioning",
                lambda r: f"{_fmt_int(r['n_mentioning'])} / {_fmt_int(r.get('n_other'))}", side="never",
            ),
            _Column("mean mentioning / other", "mean_mentioning", mean),
            _Column("difference [95% CI]", "estimate", difference),
            _Column("Hedges g", "hedges_g", _key_render("hedges_g", _two)),
            _Column("p", "p_value", _key_render("p_value", _fmt_p)),
            _Column("q", "q_value", _key_render("q_value", _fmt_p)),
        ]
