"""The words and numbers of the command's output, in ``--lang``: the catalogue's ``cli.*``
messages, numbers formatted by :mod:`miroir.i18n`, and tables translated cell by cell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl


def _t(key: str, lang: str, **values: Any) -> str:
    """The catalogue's message ``cli.<key>`` in ``lang``, its placeholders filled."""
    from miroir.i18n import text

    return text(f"cli.{key}", lang, **values)


def _num(x: object, lang: str, decimals: int) -> str:
    """A number with ``decimals`` decimals in ``lang`` (``1,234.57`` / ``1 234,57``)."""
    from miroir.i18n import format_number

    return format_number(x, lang, decimals)


def _count(n: object, lang: str) -> str:
    from miroir.i18n import format_count

    return format_count(n, lang)


def _note(message: str, lang: str) -> str:
    """A note or a warning of the core (written in English) in the catalogue's wording in
    ``lang``; as written when the catalogue does not know it."""
    if lang == "en":
        return message
    from miroir.html_report import translate_note

    return translate_note(message, lang)


def _table_config(lang: str, **options: Any) -> pl.Config:
    """polars' display options for a table; a translated table's columns are all text, so their
    types are not shown."""
    import polars as pl

    if lang != "en":
        options["tbl_hide_column_data_types"] = True
        # French words run longer: keep its headers and texts (an action) whole more often
        options["fmt_str_lengths"] = max(int(options.get("fmt_str_lengths", 32)), 80)
    return pl.Config(**options)


def _header(name: str, column: str, lang: str) -> str:
    """The header of ``column`` of the table ``name``: the deliverables' (``column.*``), else the
    command's own (``cli.column.*``), else the column's name."""
    from miroir.i18n import has, header

    if not (has(f"column.{name}.{column}") or has(f"column.{column}")) and has(f"cli.column.{column}"):
        return _t(f"column.{column}", lang)
    return header(name, column, lang)


def _cell(name: str, column: str, kind: str, row: dict[str, Any], lang: str, decimals: int) -> str:
    """One cell of a translated table (see :func:`_frame`)."""
    from miroir.excel_report import display_value
    from miroir.headlines import POINT_INDICATORS
    from miroir.i18n import MISSING, format_p, format_percent, has, moment_name

    value = display_value(name, column, row, lang)
    if value is None:
        return MISSING
    if isinstance(value, str):
        if column.startswith("moment_"):  # a wave's moment (moment_baseline, moment_current)
            return moment_name(value, lang)
        if column == "metric" and has(f"cli.metric.{value}"):
            return _t(f"metric.{value}", lang)
        if column == "study" and value == "all":  # the pooled row
            return _t("value.all", lang)
        return value
    if isinstance(value, bool):
        return _t("yes" if value else "no", lang)
    if not isinstance(value, (int, float)):
        return str(value)
    if kind == "share" and not (name == "indicators" and row.get("id") in POINT_INDICATORS):
        return format_percent(value, lang)
    if kind == "p":
        return format_p(value, lang)
    return _num(value, lang, 0 if kind == "int" else decimals)


def _frame(table: pl.DataFrame, name: str, lang: str, decimals: int) -> pl.DataFrame:
    """``table`` (the table ``name`` of a report, or a table of the command) as printed in
    ``lang``.

    In English it is unchanged: polars prints it as it always has. In French every cell is
    text: the headers from the catalogue, the category values, moment names and actions as in
    the Excel workbook (:func:`miroir.excel_report.display_value`), and the numbers formatted by
    :mod:`miroir.i18n` by kind (:func:`miroir.excel_report.cell_kind`): shares as percentages,
    p-values to three decimals (``< 0,001`` below), counts grouped, the others to ``decimals``
    (as in English); a missing value is ``—``.
    """
    if lang == "en":
        return table
    import polars as pl

    from miroir.excel_report import cell_kind

    rows = table.rows(named=True)
    out: dict[str, list[str]] = {}
    for column, dtype in table.schema.items():
        kind = cell_kind(name, column, dtype)
        title = _header(name, column, lang)
        if title in out:  # two columns under one header: told apart by their names
            title = f"{title} ({column})"
        out[title] = [_cell(name, column, kind, row, lang, decimals) for row in rows]
    return pl.DataFrame([pl.Series(title, cells, dtype=pl.String) for title, cells in out.items()])


def _totals(summary: pl.DataFrame, lang: str) -> str:
    """``2 studies, 30 units, ...`` from a study's summary (its tables are not read back)."""
    from miroir._study_base import summary_total

    return _t("totals", lang, studies=_count(summary.height, lang),
              **{c: _count(summary_total(summary, c), lang)
                 for c in ("units", "employees", "customers", "mentions")})
