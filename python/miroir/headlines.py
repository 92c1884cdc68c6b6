"""The headline sentences of a report, in English or French, read from its tables.

The Excel summary sheet and the PowerPoint slides print the same sentences; each comes from a
``headline.*`` message of the catalogue (:mod:`miroir.i18n`) filled with the report's figures,
formatted for the language. Nothing is recomputed: a sentence reads one or two rows of a table
(the pooled row of the linkage and of the exposure gap, the first driver per outcome).

>>> import miroir
>>> from miroir.headlines import headlines
>>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
>>> lines = headlines(miroir.report(study, n_resamples=0), "fr")
>>> print(lines["linkage"])
Les unités aux collaborateurs plus engagés ont des clients plus satisfaits : r = 0,85 [0,76 ; 0,90] sur 76 unités (p < 0,001). 90\u202f% des clients sont satisfaits là où l'engagement est élevé, contre 68\u202f% ailleurs
>>> print(lines["exposure_gap"])  # doctest: +ELLIPSIS
Les collaborateurs en contact client sont ... points moins engagés que les autres [...] (p < 0,001) ; jusqu'à ... points chez ...
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from miroir.i18n import (
    check_lang,
    format_number,
    format_percent,
    has,
    moment_action,
    moment_name,
    p_phrase,
    text,
    value_label,
)

from miroir.results import MOMENT_ORDER as MOMENTS

if TYPE_CHECKING:
    from miroir.results import Report

__all__ = ["driver_headlines", "headlines", "indicator_label", "indicator_value", "moment_summary", "report_line"]

#: Indicators whose estimate is in points (0-100) rather than a share.
POINT_INDICATORS = frozenset({"frontline_gap"})

Row = dict[str, Any]


def _pooled(table: pl.DataFrame) -> Row | None:
    """The pooled row of a table with a ``level`` column (else its last row)."""
    if table.height == 0:
        return None
    rows = table.to_dicts()
    return next((r for r in rows if r.get("level") == "pooled"), rows[-1])


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(n: Any, lang: str) -> str:
    return format_number(n, lang, decimals=0)


def report_line(report: Report, lang: str = "en") -> str:
    """``3 studies, 76 units, 1,500 employees and 6,000 customers``."""
    summary = report.summary
    n = summary.height
    studies = text("report.studies_one", lang) if n == 1 else text("report.studies_many", lang, n=_count(n, lang))

    def total(column: str) -> str:
        if column not in summary.columns or not summary[column].dtype.is_numeric():
            return format_number(None, lang)
        return _count(summary[column].sum(), lang)

    return text("headline.report", lang, studies=studies, units=_count(report.units.table.height, lang),
                employees=total("employees"), customers=total("customers"))


def indicator_label(row: Row, lang: str = "en") -> str:
    """The label of an indicator row: the catalogue's for a seed figure, else the table's."""
    key = f"indicator.{row.get('id')}"
    return text(key, lang) if has(key) else str(row.get("label") or row.get("id"))


def indicator_value(row: Row, lang: str = "en", column: str = "estimate") -> str:
    """An indicator's value in its unit: a share as a percentage, a gap in points."""
    if row.get("id") in POINT_INDICATORS:
        return format_number(row.get(column), lang, decimals=1)
    return format_percent(row.get(column), lang)


def _linkage(table: pl.DataFrame, lang: str) -> list[str]:
    row = _pooled(table)
    if row is None or not _finite(row.get("estimate")):
        return [text("headline.linkage_undefined", lang)]
    out = [text(
        "headline.linkage", lang, r=format_number(row["estimate"], lang, 2),
        low=format_number(row.get("ci_low"), lang, 2), high=format_number(row.get("ci_high"), lang, 2),
        units=_count(row.get("n_units"), lang), p=p_phrase(row.get("p_value"), lang),
    )]
    if _finite(row.get("share_satisfied_high")) and _finite(row.get("share_satisfied_rest")):
        out.append(text("headline.satisfied_high", lang, high=format_percent(row["share_satisfied_high"], lang, 0),
                        rest=format_percent(row["share_satisfied_rest"], lang, 0)))
    return out


def _exposure_gap(table: pl.DataFrame, lang: str) -> str:
    row = _pooled(table)
    if row is None or not _finite(row.get("gap")):
        return text("headline.exposure_gap_undefined", lang)
    gap = float(row["gap"])
    values = {
        "gap": format_number(abs(gap), lang, 1), "p": p_phrase(row.get("p_value"), lang),
        "low": format_number(row.get("ci_low"), lang, 1), "high": format_number(row.get("ci_high"), lang, 1),
    }
    if gap < 0:
        return text("headline.exposure_gap_more", lang, **values)
    largest = next((r for r in table.to_dicts() if r.get("largest")), row)
    return text("headline.exposure_gap_less", lang, **values,
                largest=format_number(largest.get("gap"), lang, 1), study=str(largest.get("study")))


def _alpha(result: Any) -> float:
    alpha = getattr(result, "options", {}).get("alpha", 0.05)
    return float(alpha) if _finite(alpha) else 0.05


def _below(value: Any, alpha: float) -> bool:
    return _finite(value) and float(value) < alpha


def _moments(report: Report, lang: str) -> str:
    assert report.moments is not None
    alpha = _alpha(report.moments)
    rows = report.moments.table.to_dicts()
    classified = sum(1 for r in rows if r.get("moment") in MOMENTS and _below(r.get("q_value"), alpha))
    undetermined = sum(1 for r in rows if r.get("moment") == "undetermined")
    return text("headline.moments", lang, themes=_count(len({r.get("theme") for r in rows}), lang),
                classified=_count(classified, lang), undetermined=_count(undetermined, lang),
                alpha=format_number(alpha, lang, 2))


def _moment_effects(report: Report, lang: str) -> str:
    assert report.moment_effects is not None
    alpha = _alpha(report.moment_effects)
    # a moment without a theme makes no comparison: its rows are not counted
    rows = [r for r in report.moment_effects.table.to_dicts() if (r.get("n_themes") or 0) > 0]
    significant = sum(1 for r in rows if _below(r.get("q_value"), alpha))
    return text("headline.moment_effects", lang, significant=_count(significant, lang),
                n=_count(len(rows), lang), alpha=format_number(alpha, lang, 2))


def driver_headlines(report: Report, lang: str = "en") -> dict[str, str]:
    """Per outcome of the drivers table, the sentence naming its first driver."""
    out: dict[str, str] = {}
    if report.drivers is None:
        return out
    by_outcome: dict[str, list[Row]] = {}
    for r in report.drivers.table.to_dicts():
        by_outcome.setdefault(str(r.get("outcome")), []).append(r)
    for outcome, rows in by_outcome.items():
        first = min(rows, key=lambda r: r["rank"] if _finite(r.get("rank")) else math.inf)
        label = first.get("label_fr") if lang == "fr" and first.get("label_fr") else first.get("label")
        out[outcome] = text("headline.drivers", lang, outcome=value_label("outcome", outcome, lang),
                            driver=str(label or first.get("driver")),
                            share=format_percent(first.get("share"), lang, 0))
    return out


def headlines(report: Report, lang: str = "en") -> dict[str, str]:
    """The headline of each section present in ``report``, by section name.

    Keys: ``report``, ``indicators``, ``linkage``, ``exposure_gap``, then ``moments``,
    ``moment_effects`` and ``drivers`` when the report has them. A section with two findings
    (the linkage and the satisfaction contrast; one driver per outcome) joins them with ``. ``.
    """
    check_lang(lang)
    out = {
        "report": report_line(report, lang),
        "indicators": text("headline.indicators", lang, n=_count(report.indicators.table.height, lang)),
        "linkage": ". ".join(_linkage(report.linkage.table, lang)),
        "exposure_gap": _exposure_gap(report.exposure_gap.table, lang),
    }
    if report.moments is not None:
        out["moments"] = _moments(report, lang)
    if report.moment_effects is not None:
        out["moment_effects"] = _moment_effects(report, lang)
    if report.drivers is not None and report.drivers.table.height:
        out["drivers"] = ". ".join(driver_headlines(report, lang).values())
    return out


def moment_summary(report: Report, lang: str = "en") -> list[tuple[str, str, list[str]]]:
    """Per moment of the matrix: its name, the seed's action and its classified themes."""
    themes: dict[str, list[str]] = {m: [] for m in MOMENTS}
    if report.moments is not None:
        alpha = _alpha(report.moments)
        for r in report.moments.table.to_dicts():
            if r.get("moment") in themes and _below(r.get("q_value"), alpha):
                themes[str(r["moment"])].append(str(r.get("theme")))
    return [(moment_name(m, lang), moment_action(m, lang) or "", themes[m]) for m in MOMENTS]
