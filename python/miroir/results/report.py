"""The :class:`Report` of :func:`miroir.report`: all the analyses of a study, and the study summary displayed like them."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import polars as pl

from miroir._frames import invalid_argument, invalid_argument_type, InvalidArgumentTypeError, to_polars_frame
from miroir.results._display import _STYLE, _Column, _html_list, _key_render
from miroir.results._format import _column_total, _fmt_pct
from miroir.results._json import _json_default, json_rows
from miroir.results.base import Result, _options_dict
from miroir.results.drivers import DriversResult
from miroir.results.exposure_gap import ExposureGapResult
from miroir.results.indicators import IndicatorsResult
from miroir.results.linkage import LinkageResult
from miroir.results.moment_effects import MomentEffectsResult
from miroir.results.moments import MomentsResult
from miroir.results.units import UnitsResult


R = TypeVar("R", bound=Result)


class _SummaryView(Result):
    """The study summary (a plain DataFrame in :class:`Report`), displayed like the results."""

    kind = "summary"
    title = "Studies"

    def _headline(self) -> str:
        t = self.table
        parts = [f"{self.title}: {t.height:,}"]
        for column, label in (("units", "units"), ("employees", "employees"), ("customers", "customers")):
            if column in t.columns:
                parts.append(f"{_column_total(t, column)} {label}")
        return ", ".join(parts)

    def _columns(self) -> list[_Column]:
        columns = super()._columns()
        out: list[_Column] = []
        for c in columns:
            if "share" in c.key:
                out.append(_Column(c.header.replace("_", " "), c.key, _key_render(c.key, _fmt_pct), side="never"))
            else:
                out.append(_Column(c.header.replace("_", " "), c.key, c.render, c.numeric, side="never"))
        return out


class Report:
    """All the analyses of a study, as returned by :func:`miroir.report`.

    Parameters
    ----------
    tables : mapping
        ``summary, indicators, linkage, units, exposure_gap, moments, moment_effects, drivers``
        (polars or pandas DataFrames, or result objects; ``moments``, ``moment_effects`` and
        ``drivers`` may be None) and ``warnings`` (a list of strings).

    Attributes
    ----------
    summary : polars.DataFrame
        One row per study (:meth:`miroir.Study.summary`).
    indicators : IndicatorsResult
    linkage : LinkageResult
    units : UnitsResult
    exposure_gap : ExposureGapResult
    moments : MomentsResult or None
        None when the study has no coded mentions.
    moment_effects : MomentEffectsResult or None
        None when the study has no coded mentions.
    drivers : DriversResult or None
        The drivers of engagement (employee level) then of the share satisfied (unit level),
        in one table (:func:`miroir.drivers`); None when the employees table has none of the
        seeds' driver columns.
    warnings : list of str
        The data-quality warnings of the study.

    Notes
    -----
    Each result behaves like its polars table (``report.indicators.select(...)``) and holds it in
    ``.table``; :meth:`tables` gives all the tables as polars DataFrames. ``repr`` lists every
    section's headline; in Jupyter the report shows as HTML, section by section.

    Examples
    --------
    >>> import miroir
    >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
    >>> report = miroir.report(study)
    >>> sorted(report.tables())
    ['drivers', 'exposure_gap', 'indicators', 'linkage', 'moment_effects', 'moments', 'summary', 'units']
    >>> report.linkage.table.equals(report.tables()["linkage"])
    True
    >>> print(report)
    miroir report: 3 studies, 76 units, 1,500 employees, 6,000 customers
      Indicators: 8 figures; 6 published values inside their 95% CI, 2 outside ...
      Linkage: unit engagement vs share satisfied, 3 studies, 76 units; pooled r = 0.85 ...
      Units: 76 units in 3 studies; none suppressed
      Exposure gap: customer-facing employees 12.5 points less engaged than the others ...
      Moments: 27 themes; 13 classified at q < 0.05 ...
      Moment effects: 12 comparisons (6 moments, customers and employees); 7 with q < 0.05; ...
      Drivers of engagement (employee level, 4 drivers, within-study R² = 0.04): first ...
    Tables: report.tables() (polars), report.to_json(); each section's .table
    """

    TABLES = ("summary", "indicators", "linkage", "units", "exposure_gap", "moments", "moment_effects",
              "drivers")
    #: For a report cut by segments (``report(study, by="region")``): the published segment
    #: groups with their suppression (:func:`miroir.segments.protect_segments`); None otherwise.
    segment_groups: pl.DataFrame | None = None
    RESULTS: ClassVar[dict[str, type[Result]]] = {
        "indicators": IndicatorsResult,
        "linkage": LinkageResult,
        "units": UnitsResult,
        "exposure_gap": ExposureGapResult,
        "moments": MomentsResult,
        "moment_effects": MomentEffectsResult,
        "drivers": DriversResult,
    }

    summary: pl.DataFrame
    indicators: IndicatorsResult
    linkage: LinkageResult
    units: UnitsResult
    exposure_gap: ExposureGapResult
    moments: MomentsResult | None
    moment_effects: MomentEffectsResult | None
    drivers: DriversResult | None
    warnings: list[str]

    def __init__(self, tables: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> None:
        opts = _options_dict(options)
        if not isinstance(tables, Mapping):
            raise invalid_argument_type(
                "tables", f"expected a mapping of table names to tables, got "
                f"{type(tables).__name__}"
            )
        missing = [
            name for name in ("summary", "indicators", "linkage", "units", "exposure_gap")
            if tables.get(name) is None
        ]
        if missing:
            raise invalid_argument(
                "tables", f"no {', '.join(repr(m) for m in missing)} "
                f"(a report needs {', '.join(self.TABLES)}; moments, moment_effects and "
                "drivers may be None)"
            )
        warnings = tables.get("warnings") or []
        if isinstance(warnings, (str, bytes)) or not isinstance(warnings, Iterable):
            raise invalid_argument_type(
                "tables", "'warnings' must be a list of strings, got "
                f"{type(warnings).__name__}"
            )
        summary = tables["summary"]
        self.summary = summary.table if isinstance(summary, Result) else to_polars_frame(summary, "summary")
        self.indicators = _wrap(IndicatorsResult, tables["indicators"], opts)
        self.linkage = _wrap(LinkageResult, tables["linkage"], opts)
        self.units = _wrap(UnitsResult, tables["units"], opts)
        self.exposure_gap = _wrap(ExposureGapResult, tables["exposure_gap"], opts)
        moments = tables.get("moments")
        effects = tables.get("moment_effects")
        self.moments = None if moments is None else _wrap(MomentsResult, moments, opts)
        self.moment_effects = None if effects is None else _wrap(MomentEffectsResult, effects, opts)
        drivers = tables.get("drivers")
        self.drivers = None if drivers is None else _wrap(DriversResult, drivers, opts)
        self.warnings = [str(w) for w in warnings]

    def results(self) -> dict[str, Result]:
        """The result objects by name (``moments``, ``moment_effects`` and ``drivers`` left out
        when None).

        Returns
        -------
        dict of str to Result
        """
        out: dict[str, Result | None] = {
            "indicators": self.indicators,
            "linkage": self.linkage,
            "units": self.units,
            "exposure_gap": self.exposure_gap,
            "moments": self.moments,
            "moment_effects": self.moment_effects,
            "drivers": self.drivers,
        }
        return {k: v for k, v in out.items() if v is not None}

    def tables(self) -> dict[str, pl.DataFrame]:
        """The non-empty tables by name, as polars DataFrames (``summary`` first).

        Returns
        -------
        dict of str to polars.DataFrame
        """
        out = {"summary": self.summary}
        out.update({name: res.table for name, res in self.results().items()})
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain Python data (lists of row dicts per table, and ``warnings``), the values as
        computed (NaN and infinities included; :meth:`to_json` writes them as null).

        Returns
        -------
        dict
        """
        data: dict[str, Any] = {name: df.to_dicts() for name, df in self.tables().items()}
        data["warnings"] = list(self.warnings)
        return data

    def to_json(self) -> str:
        """The report as JSON: always valid JSON (RFC 8259), whatever the values.

        A number that is not finite is written as null: NaN (undefined; the row's ``note``
        says why), and an infinity (``uplift`` when the others' mean engagement is 0), which
        the row's ``note`` then reports (``uplift is infinite: +inf, written as null (JSON has
        no infinity)``); a table without a ``note`` column gets one in that case.

        Returns
        -------
        str
        """
        data: dict[str, Any] = {
            name: json_rows(df.iter_rows(named=True)) for name, df in self.tables().items()
        }
        data["warnings"] = list(self.warnings)
        return json.dumps(
            data, indent=1, ensure_ascii=False, allow_nan=False, default=_json_default
        )

    @property
    def lang(self) -> str:
        """The language of the deliverables by default: ``report(study, lang=...)`` ("en")."""
        return str(self.indicators.options.get("lang", "en"))

    def to_excel(self, path: str | os.PathLike[str], lang: str | None = None, *, published: bool = False) -> None:
        """Write the report as an Excel workbook (:func:`miroir.excel_report.write_excel`).

        A key-figures sheet first (headlines, published figures, the six moments with their
        action), then one sheet per table of :meth:`tables`, headers in ``lang``. Needs
        xlsxwriter (``pip install 'miroir[deliverables]'``).

        Parameters
        ----------
        path : str or path-like
            The ``.xlsx`` file (replaced if it exists; its folder must exist).
        lang : {"en", "fr"}, optional
            Default: the report's :attr:`lang`.

        Examples
        --------
        >>> import pathlib, tempfile, openpyxl, miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "rapport.xlsx"
        >>> miroir.report(study, n_resamples=0).to_excel(path, lang="fr")
        >>> openpyxl.load_workbook(path).sheetnames[:4]
        ['Chiffres clés', 'Études', 'Indicateurs', 'Lien engagement-satisfaction']
        """
        from miroir.excel_report import write_excel

        write_excel(self, path, lang=self.lang if lang is None else lang, published=published)

    def to_pptx(self, path: str | os.PathLike[str], lang: str | None = None) -> None:
        """Write the report as a PowerPoint deck (:func:`miroir.pptx_report.write_pptx`).

        A title slide, the published figures, one slide per analysis with its headline and
        chart (200 dpi), the mirror matrix, the six moments with their actions and verbatims.
        Needs python-pptx and matplotlib (``pip install 'miroir[deliverables]'``).

        ``path`` is the ``.pptx`` file and ``lang`` its language, as for :meth:`to_excel`.

        Examples
        --------
        >>> import pathlib, tempfile, pptx, miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "report.pptx"
        >>> miroir.report(study, n_resamples=0).to_pptx(path)
        >>> [s.shapes.title.text for s in pptx.Presentation(str(path)).slides][:4]
        ['Mirror study report', 'Published figures', 'Employee engagement and customer satisfaction', 'Engagement of customer-facing employees']
        """
        from miroir.pptx_report import write_pptx

        write_pptx(self, path, lang=self.lang if lang is None else lang)

    def to_html(self, path: str | os.PathLike[str], lang: str | None = None, *, title: str | None = None,
                published: Any = None, charts: bool = True) -> None:
        """Write the report as one self-contained HTML page (:func:`miroir.html_report.write_html`).

        The key figures and the six moments with their actions first, the verbatims per
        moment, then each analysis with its chart and table, in ``lang``. The recomputed
        indicators are compared with published figures only when ``published`` is given
        (``True``: the seed article's, as in the indicators table; a mapping of indicator id to
        value; a :func:`miroir.reproduce.run` result). Charts need matplotlib.

        Parameters
        ----------
        path, lang
            The ``.html`` file (replaced if it exists) and its language, as for :meth:`to_excel`.
        title : str, optional
        published : None, bool, mapping or Reproduction
        charts : bool

        Examples
        --------
        >>> import pathlib, tempfile, miroir
        >>> study = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "rapport.html"
        >>> miroir.report(study, n_resamples=0).to_html(path, lang="fr", charts=False)
        >>> '<html lang="fr">' in path.read_text(encoding="utf-8")
        True
        """
        from miroir.html_report import write_html

        write_html(self, path, lang=self.lang if lang is None else lang, title=title, published=published,
                   charts=charts)

    @property
    def headline(self) -> str:
        """One line: studies, units and respondents (and the cuts of a report by segment)."""
        s = self.summary
        if "segment" in s.columns:
            cuts = s.select("segment_column", "segment").unique(maintain_order=True)
            by = ", ".join(f"{c} ({n} segments)" for c, n in
                           cuts.group_by("segment_column", maintain_order=True).len().iter_rows())
            n = s["study"].n_unique()
            return f"miroir report by segment: {by}; {n:,} stud{'y' if n == 1 else 'ies'}"
        parts = [f"{s.height:,} stud{'y' if s.height == 1 else 'ies'}", f"{self.units.table.height:,} units"]
        for column in ("employees", "customers"):
            if column in s.columns:
                parts.append(f"{_column_total(s, column)} {column}")
        return "miroir report: " + ", ".join(parts)

    def __repr__(self) -> str:
        lines = [self.headline]
        lines.extend(f"  {res.headline}" for res in self.results().values())
        if self.moments is None:
            lines.append("  Moments: no coded mentions")
        if self.warnings:
            n = len(self.warnings)
            lines.append(f"  {n} data-quality warning{'s' if n > 1 else ''} (report.warnings)")
        lines.append("Tables: report.tables() (polars), report.to_json(); each section's .table")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The report as self-contained HTML: headline, studies, then each section."""
        esc = html.escape
        out = [_STYLE, '<div class="miroir-report">', f"<h3>{esc(self.headline)}</h3>"]
        out.append(_SummaryView(self.summary)._html_body())
        for name, res in self.results().items():
            out.append(f'<h4 id="miroir-{esc(name)}">{esc(res.title)}</h4>')
            out.append(res._html_body())
        if self.warnings:
            warnings = _html_list("ul", "miroir-warnings", self.warnings)
            out.extend(["<h4>Data-quality warnings</h4>" + warnings[0], *warnings[1:]])
        out.append("</div>")
        return "\n".join(out)


def _wrap(cls: type[R], value: Any, options: Mapping[str, Any]) -> R:
    if isinstance(value, cls):
        return value
    if isinstance(value, Result):
        return cls(value.table, value.options)
    return cls(value, options)
