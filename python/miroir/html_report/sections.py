"""The sections of the HTML report on each analysis: indicators, exposure gap, linkage, the
mirror matrix's table, moment effects, drivers, studies and units."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from miroir.html_report._base import _Col, _finite, _moment_rank, _PageBase
from miroir.html_report.notes import _e, translate_note
from miroir.i18n import header, moment_action, moment_name, text, value_label
from miroir.results._format import MISSING, check_lang, format_ci, format_number, format_p, format_percent
from miroir.results import MOMENT_ORDER as MOMENTS
from miroir import _core


class _Sections(_PageBase):
    def indicator_value(self, row: dict[str, Any], column: str = "estimate") -> str:
        from miroir.headlines import indicator_value

        return _e(indicator_value(row, self.lang, column))

    def indicator_ci(self, row: dict[str, Any]) -> str:
        from miroir.headlines import POINT_INDICATORS

        if row.get("id") in POINT_INDICATORS:
            return self.ci(row.get("ci_low"), row.get("ci_high"), 1)
        return _e(format_ci(row.get("ci_low"), row.get("ci_high"), self.lang, 1, percent=True))

    @staticmethod
    def inside(row: dict[str, Any], value: float) -> bool | None:
        lo, hi = _finite(row.get("ci_low")), _finite(row.get("ci_high"))
        if lo is None or hi is None:
            return None
        return _core.published_inside_ci(value, lo, hi)

    # --- indicators -------------------------------------------------------------------------------

    def indicator_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(computed indicators, indicators left out because their inputs are absent)."""
        table = self.t["indicators"]
        if table is None:
            return [], []
        shown, absent = [], []
        for r in table.iter_rows(named=True):
            note = str(r.get("note") or "")
            if _finite(r.get("estimate")) is None and (r.get("n") in (0, None) or "absent" in note):
                absent.append(r)
            else:
                shown.append(r)
        return shown, absent

    def indicators(self) -> str:
        from miroir.headlines import indicator_label

        shown, absent = self.indicator_rows()
        out = [f'<p class="note">{self.tx("html.indicators_intro")}'
               + (" " + self.tx("html.published_source") if self.published is not None else "")
               + "</p>"]
        columns = [
            _Col(text("column.id", self.lang), lambda r: _e(indicator_label(r, self.lang)),
                 num=False, key=True),
            _Col(text("column.html.estimate", self.lang), self.indicator_value),
            _Col(text("html.ci", self.lang), self.indicator_ci),
            self.col("indicators", "n", "count"),
        ]
        if self.published is not None:
            values = self.published

            def published(r: dict[str, Any]) -> str:
                value = values.get(str(r.get("id")))
                return MISSING if value is None else self.indicator_value({**r, "published": value},
                                                                          "published")

            def inside(r: dict[str, Any]) -> str:
                value = values.get(str(r.get("id")))
                verdict = None if value is None else self.inside(r, value)
                if verdict is None:
                    return MISSING
                return self.tx("html.inside_ci") if verdict else (
                    f'<span class="fail">{self.tx("html.outside_ci")}</span>')

            columns += [_Col(text("column.published", self.lang), published),
                        _Col(text("column.html.inside", self.lang), inside, num=False)]
        columns += [_Col(text("column.method", self.lang),
                         lambda r: _e(translate_note(str(r.get("method") or MISSING), self.lang)),
                         num=False), self.notes_col()]
        out.append(self.table(shown, columns))
        if absent:
            labels = "; ".join(indicator_label(r, self.lang) for r in absent)
            out.append(f'<p class="note">{self.tx("html.indicators_left_out", labels=labels)}</p>')
        return "".join(out)

    # --- analyses --------------------------------------------------------------------------------

    def headline(self, key: str) -> str:
        try:
            from miroir.headlines import headlines
            from miroir.results import Report
        except ImportError:  # pragma: no cover
            return ""
        if not isinstance(self.report, Report):
            return ""
        line = headlines(self.report, self.lang).get(key)
        return f"<p><b>{_e(line)}.</b></p>" if line else ""

    def study_col(self) -> _Col:
        pooled = text("chart.gap.all_studies", self.lang)
        return _Col(text("column.study", self.lang),
                    lambda r: _e(pooled if r.get("level") == "pooled" else r.get("study")),
                    num=False, key=True)

    def exposure_gap(self) -> str:
        gap = self.t["exposure_gap"]
        if gap is None:
            return ""
        largest = self.tx("html.largest")
        columns = [
            self.study_col(),
            self.col("exposure_gap", "n_facing", "count"), self.col("exposure_gap", "n_other", "count"),
            self.col("exposure_gap", "mean_facing", "points"),
            self.col("exposure_gap", "mean_other", "points"),
            self.col("exposure_gap", "gap", "points"),
            self.ci_col("column.html.ci_points", "ci_low", "ci_high", 1),
            self.col("exposure_gap", "p_value", "p"),
            self.col("exposure_gap", "hedges_g", "r"),
            self.ci_col("column.html.ci_g", "g_ci_low", "g_ci_high", 2),
            self.col("exposure_gap", "adjusted_gap", "points"),
            self.ci_col("column.html.ci_adjusted", "adjusted_ci_low", "adjusted_ci_high", 1),
            _Col(text("column.largest", self.lang),
                 lambda r: largest if r.get("largest") is True else "", num=False),
            self.notes_col(),
        ]
        return "".join([self.headline("exposure_gap"), f'<p class="note">{self.tx("html.gap_intro")}</p>',
                        self.chart("exposure_gap_chart", "html.caption.exposure_gap", gap),
                        self.table(gap.to_dicts(), columns)])

    def linkage(self) -> str:
        link, units = self.t["linkage"], self.t["units"]
        if link is None:
            return ""
        columns = [
            self.study_col(),
            self.col("linkage", "n_units", "count"), self.col("linkage", "n_employees", "count"),
            self.col("linkage", "n_customers", "count"), self.col("linkage", "estimate", "r"),
            self.ci_col("column.html.ci_r", "ci_low", "ci_high", 2),
            self.col("linkage", "p_value", "p"),
            self.col("linkage", "tau2", "num"), self.col("linkage", "i2", "points"),
            self.col("linkage", "icc1", "r"), self.col("linkage", "icc2", "r"),
            self.col("linkage", "share_satisfied_high", "pct"),
            self.col("linkage", "share_satisfied_rest", "pct"),
            self.ci_col("column.html.ci_diff", "satisfied_diff_ci_low", "satisfied_diff_ci_high",
                        1, scale=100.0),
            self.col("linkage", "uplift", "pct"),
            _Col(text("column.html.ci_uplift", self.lang),
                 lambda r: _e(format_ci(r.get("uplift_ci_low"), r.get("uplift_ci_high"), self.lang,
                                        1, percent=True))),
            self.notes_col(),
        ]
        out = [self.headline("linkage"), f'<p class="note">{self.tx("html.linkage_intro")}</p>']
        if units is not None:
            out.append(self.chart("linkage_scatter", "html.caption.scatter", units, link))
        out.append(self.chart("forest_plot", "html.caption.forest", link))
        out.append(self.table(link.to_dicts(), columns))
        return "".join(out)

    def mirror_matrix(self, moments: pl.DataFrame) -> str:
        rows = sorted(moments.to_dicts(), key=lambda r: (_moment_rank(r.get("moment")),
                                                          str(r.get("theme"))))

        def side(name: str, flag: str, kind: str) -> Callable[[dict[str, Any]], str]:
            def cell(r: dict[str, Any]) -> str:
                if r.get(flag) is True:
                    return self.tx("html.suppressed")
                return self.pct(r.get(name)) if kind == "pct" else self.count(r.get(name))
            return cell

        columns = [
            self.col("moments", "theme", "text", key=True),
            self.col("moments", "moment", "moment"),
            self.col("moments", "q_value", "p"),
            _Col(text("column.customer_mentions", self.lang),
                 side("customer_mentions", "customer_suppressed", "count")),
            _Col(text("column.html.customers_positive", self.lang),
                 side("customer_positive_share", "customer_suppressed", "pct")),
            self.col("moments", "customer_axis", "axis"),
            _Col(text("column.employee_share", self.lang),
                 side("employee_share", "employee_suppressed", "pct")),
            _Col(text("column.html.employees_positive", self.lang),
                 side("employee_positive_share", "employee_suppressed", "pct")),
            self.col("moments", "employee_axis", "axis"),
            _Col(text("column.html.short_action", self.lang),
                 lambda r: _e(moment_action(r.get("moment"), self.lang, short=True) or MISSING),
                 num=False),
            self.notes_col(),
        ]
        return "".join([self.headline("moments"),
                        self.chart("mirror_matrix", "html.caption.matrix", moments),
                        self.table(rows, columns)])

    @staticmethod
    def effects_rows(effects: pl.DataFrame | None) -> list[dict[str, Any]]:
        if effects is None:
            return []
        return [r for r in effects.iter_rows(named=True)
                if (r.get("n_themes") or 0) > 0
                and not str(r.get("note") or "").startswith("no theme classified")]

    def moment_effects(self, effects: pl.DataFrame | None, rows: list[dict[str, Any]]) -> str:
        assert effects is not None
        empty = [m for m in MOMENTS if m in set(effects["moment"].to_list())
                 and not any(r.get("moment") == m for r in rows)]
        columns = [
            self.col("moment_effects", "moment", "moment", key=True),
            self.col("moment_effects", "side", "side", key=True),
            self.col("moment_effects", "outcome", "outcome"),
            self.col("moment_effects", "n_themes", "count"),
            self.col("moment_effects", "n_mentioning", "count"),
            self.col("moment_effects", "n_other", "count"),
            self.col("moment_effects", "mean_mentioning", "r"),
            self.col("moment_effects", "mean_other", "r"),
            self.col("moment_effects", "estimate", "r"),
            self.ci_col("column.html.ci_difference", "ci_low", "ci_high", 2),
            self.col("moment_effects", "hedges_g", "r"),
            self.col("moment_effects", "q_value", "p"),
            self.notes_col(),
        ]
        out = [self.headline("moment_effects"), f'<p class="note">{self.tx("html.effects_intro")}</p>',
               self.table(rows, columns)]
        if empty:
            names = ", ".join(moment_name(m, self.lang) for m in empty)
            out.append(f'<p class="note">{self.tx("html.effects_left_out", moments=names)}</p>')
        return "".join(out)

    def drivers(self, drivers: pl.DataFrame) -> str:
        out = [self.headline("drivers"), f'<p class="note">{self.tx("html.drivers_intro")}</p>']
        for outcome in drivers["outcome"].unique(maintain_order=True).to_list():
            out.append(self.chart("drivers_chart", "html.caption.drivers",
                                  drivers.filter(pl.col("outcome") == outcome),
                                  outcome=value_label("outcome", outcome, self.lang).capitalize()))

        def label(r: dict[str, Any]) -> str:
            name = r.get("label_fr") if self.lang == "fr" and r.get("label_fr") else r.get("label")
            return _e(name or r.get("driver"))

        columns = [
            self.col("drivers", "outcome", "outcome", key=True),
            _Col(text("column.driver", self.lang), label, num=False, key=True),
            self.col("drivers", "level", "level"),
            self.col("drivers", "n", "count"), self.col("drivers", "n_units", "count"),
            self.col("drivers", "r2", "r"), self.col("drivers", "beta_std", "r"),
            self.ci_col("column.html.ci_beta", "ci_low", "ci_high", 2),
            self.col("drivers", "p_value", "p"), self.col("drivers", "share", "pct"),
            _Col(text("column.html.ci_percent", self.lang),
                 lambda r: _e(format_ci(r.get("share_ci_low"), r.get("share_ci_high"), self.lang,
                                        0, percent=True))),
            self.col("drivers", "rank", "count"), self.col("drivers", "p_first", "pct"),
            self.notes_col(),
        ]
        out.append(self.table(drivers.to_dicts(), columns))
        return "".join(out)

    def summary(self) -> str:
        summary = self.t["summary"]
        if summary is None:
            return ""
        kinds = {"study": "text", "sector": "text", "units": "count", "employees": "count",
                 "customers": "count", "mentions": "count", "customer_facing_share": "pct",
                 "mean_engagement": "points", "share_satisfied": "pct",
                 "customers_dropped": "count"}
        columns = []
        for name in summary.columns:
            if name == "customers_dropped" and not (summary[name].fill_null(0) != 0).any():
                continue  # nobody dropped: a column of zeros says nothing
            kind = kinds.get(name)
            if kind is None:
                dtype = summary[name].dtype
                kind = "num" if dtype.is_numeric() else "text"
            columns.append(self.col("summary", name, kind, key=name == "study"))
        return self.table(summary.to_dicts(), columns)

    def units(self) -> str:
        units = self.t["units"]
        assert units is not None
        n_sup = int(units["suppressed"].fill_null(False).sum()) if "suppressed" in units.columns else 0
        columns = [
            self.col("units", "study", "text", key=True), self.col("units", "unit", "text", key=True),
            self.col("units", "n_employees", "count"),
            self.col("units", "mean_engagement", "points"),
            self.col("units", "n_customers", "count"),
            self.col("units", "share_satisfied", "pct"),
            self.col("units", "mean_satisfaction", "r"),
            _Col(text("column.html.status", self.lang),
                 lambda r: self.tx("html.suppressed_reason",
                                   reason=translate_note(str(r.get("suppression") or ""), self.lang))
                 if r.get("suppressed") is True else "", num=False),
        ]
        return "".join([
            f'<p class="note">{self.tx("html.units_intro", n=format_number(units.height, self.lang, 0), suppressed=format_number(n_sup, self.lang, 0))}</p>',
            f"<details><summary>{self.tx('html.show_units')}</summary>",
            self.table(units.to_dicts(), columns), "</details>"])
