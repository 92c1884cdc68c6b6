"""The ``miroir`` command.

``miroir demo``      generate the embedded synthetic study, validate it and summarise it.
``miroir synth``     write a synthetic study as Parquet files.
``miroir validate``  validate a study's files and summarise them (exit 2 when invalid).
``miroir report``    run every analysis on a study's files and print it (or write JSON, and the
                     deliverables: HTML, Excel, PowerPoint, in English or French).
``miroir reproduce`` recompute the published figures of a TOML spec (exit 1 when one fails).
``miroir code``      code a study's verbatims with a codebook and write the coded study.
``miroir suggest-themes`` candidate themes for the verbatims a codebook leaves uncoded.

Exit status (the same for every command, listed by ``miroir --help``):

- 0: success (``reproduce``: every indicator reproduced);
- 1: ``reproduce`` only: an indicator failed its check;
- 2: invalid input: the data, the spec, a file or an argument (a :class:`miroir.MiroirError`,
  or a usage error), with a one-line ``miroir: error: ...`` on stderr;
- 3: internal error: any other exception (a bug in miroir, including a Rust panic), with a
  one-line ``miroir: internal error: ...`` on stderr; the traceback is printed only when the
  environment variable ``MIROIR_DEBUG`` is set (to anything but ``0``);
- 130: interrupted (Ctrl-C), quietly;
- 141: the reader of the output went away (``miroir report --json | head``), quietly.

A crash is therefore never read as a failed figure by CI.

Language: what the command prints (its sentences, the tables' headers and category values,
``reproduce``'s table) is in English or French, from the message catalogue (``catalogue.toml``,
keys ``cli.*`` and the deliverables' column headers), French numbers formatted by
:mod:`miroir.i18n` (``72,1 %``, ``1 234``, ``< 0,001``): ``--lang {en,fr}``, before or after
the command, else the environment variable ``MIROIR_LANG``, else English. The deliverables
(``--html``, ``--xlsx``, ``--pptx``) are written in the same language. JSON and JUnit XML are
machine formats and stay as they are; so do the texts of miroir's core (its error messages, and
its notes and warnings the catalogue does not know), shown as written.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import polars as pl

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

#: The environment variable giving the language when ``--lang`` is not given.
LANG_ENV = "MIROIR_LANG"

_EPILOG = """exit status:
  0    success (reproduce: every indicator reproduced)
  1    reproduce: an indicator failed its check
  2    invalid input: the data, the spec, a file or an argument ("miroir: error: ...")
  3    internal error, a bug in miroir ("miroir: internal error: ..."); set MIROIR_DEBUG=1
       for the traceback
  130  interrupted (Ctrl-C)
  141  the output's reader went away (broken pipe)

environment:
  MIROIR_LANG   en or fr: the language of the output and of the deliverables when --lang is
                not given (default en)
  MIROIR_DEBUG  set to 1 to print the traceback of an internal error
"""


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**64:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to 2^64 - 1, got {text}"
        )
    return value


# --- the words and numbers of the output, in --lang --------------------------------------------


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
    from miroir.study import summary_total

    return _t("totals", lang, studies=_count(summary.height, lang),
              **{c: _count(summary_total(summary, c), lang)
                 for c in ("units", "employees", "customers", "mentions")})


# --- the commands ---------------------------------------------------------------------------


def _print_summary(study: object, title: str, lang: str = "en") -> None:
    from miroir.study import Study

    assert isinstance(study, Study)
    summary = study.summary()
    print(title)
    with _table_config(lang, tbl_rows=100, tbl_cols=20, tbl_hide_dataframe_shape=True,
                       float_precision=2, tbl_width_chars=120):
        print(_frame(summary, "summary", lang, 2))
    # counts from the summary: a streamed study's tables would be read back from its files
    print(_totals(summary, lang))
    if study.warnings:
        print("\n" + _t("warnings.title", lang))
        for w in study.warnings:
            print(f"  - {_note(str(w), lang)}")
    else:
        print(_t("warnings.none", lang))


def _print_report(report: object, lang: str = "en") -> None:
    import polars as pl

    from miroir.analysis import Report

    assert isinstance(report, Report)
    cfg = dict(tbl_rows=60, tbl_cols=30, tbl_hide_dataframe_shape=True, float_precision=3,
               tbl_width_chars=160, fmt_str_lengths=60, tbl_hide_column_data_types=True)
    with _table_config(lang, **cfg):
        print("\n== " + _t("report.indicators", lang))
        print(_frame(report.indicators.select("id", "estimate", "ci_low", "ci_high", "n", "published"),
                     "indicators", lang, 3))
        print("\n== " + _t("report.exposure_gap", lang))
        print(_frame(report.exposure_gap.select(
            "study", "n_facing", "n_other", "gap", "ci_low", "ci_high", "p_value", "hedges_g",
            "adjusted_gap", "largest"), "exposure_gap", lang, 3))
        print("\n== " + _t("report.linkage", lang))
        print(_frame(report.linkage.select(
            "study", "n_units", "estimate", "ci_low", "ci_high", "p_value", "icc1", "icc2",
            "share_satisfied_high", "share_satisfied_rest", "uplift"), "linkage", lang, 3))
        if report.moments is not None:
            print("\n== " + _t("report.moments", lang))
            print(_frame(report.moments.filter(pl.col("moment") != "too_few_mentions").sort(
                "moment", "q_value").select(
                "theme", "moment", "customer_axis", "employee_axis", "q_value", "action"), "moments", lang, 3))
        if report.moment_effects is not None:
            print("\n== " + _t("report.moment_effects", lang))
            print(_frame(report.moment_effects.select(
                "moment", "side", "n_themes", "n_mentioning", "estimate", "hedges_g", "q_value"),
                "moment_effects", lang, 3))
        if report.drivers is not None:
            print("\n== " + _t("report.drivers", lang))
            print(_frame(report.drivers.sort("outcome", "rank").select(
                "outcome", "level", "driver", "beta_std", "ci_low", "ci_high", "p_value", "share",
                "share_ci_low", "share_ci_high", "rank", "p_first", "r2"), "drivers", lang, 3))


def _print_waves(cmp: object, by: str, lang: str = "en") -> None:
    import polars as pl

    from miroir.waves import WavesComparison

    assert isinstance(cmp, WavesComparison)
    cfg = dict(tbl_rows=60, tbl_cols=30, tbl_hide_dataframe_shape=True, float_precision=3,
               tbl_width_chars=160, fmt_str_lengths=60, tbl_hide_column_data_types=True)
    with _table_config(lang, **cfg):
        print("\n== " + _t("waves.change", lang, baseline=cmp.baseline, current=cmp.current, by=by))
        print(_frame(cmp.changes.filter(pl.col("level") == "pooled").select(
            "segment", "metric", "baseline", "current", "change", "ci_low", "ci_high", "p_value"),
            "waves", lang, 3))
        print(_frame(cmp.paired.filter(pl.col("level") == "pooled").select(
            "segment", "metric", "n_units", "change", "ci_low", "ci_high", "p_value", "wilcoxon_p_value"),
            "waves", lang, 3))
        print("\n== " + _t("waves.linkage", lang))
        print(_frame(cmp.linkage.filter(pl.col("level") == "pooled").select(
            "segment", "n_units", "r_baseline", "r_current", "change", "ci_low", "ci_high"),
            "linkage", lang, 3))


def _cmd_demo_waves(args: argparse.Namespace) -> int:
    import polars as pl

    import miroir

    lang = args.lang
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        waves = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed, waves=2)
        print(_t("waves.title", lang, version=miroir.__version__, seed=args.seed,
                 seconds=_num(time.perf_counter() - start, lang, 2)))
        start = time.perf_counter()
        by_region = miroir.compare_waves(waves, "W1", "W2", by="region", seed=args.seed, n_resamples=999)
        whole = miroir.compare_waves(waves, "W1", "W2", seed=args.seed, n_resamples=999)
    print(whole.headline_in(lang))
    _print_waves(by_region, "region", lang)
    if whole.moments is not None:
        with _table_config(lang, tbl_rows=30, tbl_hide_dataframe_shape=True, tbl_width_chars=160,
                           fmt_str_lengths=60, tbl_hide_column_data_types=True, float_precision=4):
            print("\n== " + _t("waves.moved", lang))
            print(_frame(whole.moments.filter(pl.col("changed_cell")).select(
                "theme", "moment_baseline", "q_value_baseline", "moment_current", "q_value_current"),
                "moments", lang, 4))
    print("\n" + _t("waves.time", lang, seconds=_num(time.perf_counter() - start, lang, 2)))
    return EXIT_OK


def _print_coding(study: Any, lang: str = "en") -> None:
    """The coding step on the synthetic verbatims: the synthetic codebook's coverage, its
    agreement with the true codes (the study's mentions, from which the verbatims were
    written), and how many themes land in the same moment from the coded text."""
    import polars as pl

    import miroir
    from miroir.i18n import format_percent
    from miroir.stats import agreement

    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", miroir.DataQualityWarning)
        coded = study.code(miroir.synthetic_codebook(), valence="learned")
    elapsed = time.perf_counter() - start
    coding = coded.coding
    cov = coding.coverage.group_by("side", "question").agg(pl.col("verbatims", "coded", "empty").sum()).sort(
        "side", "question").with_columns((pl.col("coded") / pl.col("verbatims")).alias("share_coded"))
    keys = ["study", "side", "respondent_id"]
    truth = study.mentions.select(*keys, "theme", "valence")
    scores = agreement(coding.mentions.select(*keys, "theme"), truth.select(*keys, "theme"), on=keys)
    macro = scores.filter(pl.col("average") == "macro").row(0, named=True)
    pairs = coding.mentions.join(truth, on=[*keys, "theme"], how="inner", suffix="_true")
    valenced = pairs.filter(pl.col("valence").is_not_null())
    right = valenced.filter(pl.col("valence") == pl.col("valence_true")).height
    print("\n== " + _t("coding.title", lang, answers=_num(study.verbatims.height, lang, 0),
                       themes=_count(len(miroir.synthetic_codebook()), lang), seconds=_num(elapsed, lang, 2)))
    with _table_config(lang, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, float_precision=3):
        print(_frame(cov.select("side", "question", "verbatims", "coded", "share_coded", "empty"), "coverage", lang, 3))
    print(_t("coding.agreement", lang, f1=_num(macro["f1"], lang, 3), precision=_num(macro["precision"], lang, 3),
             recall=_num(macro["recall"], lang, 3), right=_num(right, lang, 0), found=_num(valenced.height, lang, 0),
             share=format_percent(right / max(valenced.height, 1), lang, 1),
             without=_num(pairs.height - valenced.height, lang, 0)))
    same = coded.moments().table.join(study.moments().table, on="theme", suffix="_true")
    agree = same.filter(pl.col("moment") == pl.col("moment_true")).height
    print(_t("coding.moments", lang, agree=_count(agree, lang), total=_count(same.height, lang)))
    for w in caught:
        print(_t("note", lang, message=_note(str(w.message), lang)))


def _cmd_demo(args: argparse.Namespace) -> int:
    import miroir

    if args.waves:
        return _cmd_demo_waves(args)
    lang = args.lang
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed, verbatims=True)
    elapsed = time.perf_counter() - start
    title = _t("demo.title", lang, version=miroir.__version__, seed=args.seed, seconds=_num(elapsed, lang, 2))
    _print_summary(study, title + "\n", lang)
    _print_coding(study, lang)
    start = time.perf_counter()
    report = study.report(seed=args.seed)
    _print_report(report, lang)
    print("\n" + _t("demo.analyses_time", lang, seconds=_num(time.perf_counter() - start, lang, 2)))
    if args.html or args.xlsx or args.pptx:
        _write_deliverables(report, args, _t("demo.deliverable_title", lang, seed=args.seed))
    return EXIT_OK


def _cmd_synth(args: argparse.Namespace) -> int:
    import miroir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed)
    try:
        out = study.write(args.out, format=args.format, overwrite=args.overwrite)
    except miroir.FileError as e:
        raise miroir.FileError(str(e).replace("pass overwrite=True", "pass --overwrite")) from None
    # the counts of the study's repr, from its summary
    print(_t("synth.wrote", args.lang, totals=_totals(study.summary(), args.lang), out=out))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    study = _load(args)
    _print_summary(study, _t("validate.title", args.lang) + "\n", args.lang)
    return EXIT_OK


def _load(args: argparse.Namespace) -> object:
    import miroir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        schema = getattr(args, "schema", None)
        if args.dir is not None:
            return miroir.load_study(args.dir, schema=schema)
        if args.employees is None or args.customers is None:
            raise miroir.InvalidArgumentError(_t("error.no_files", getattr(args, "lang", "en")))
        return miroir.load_study(
            employees=args.employees, customers=args.customers, mentions=args.mentions,
            verbatims=getattr(args, "verbatims", None), schema=schema,
        )


def _write_html(report: object, path: Path, title: str, *, stream: TextIO | None = None,
                lang: str = "en") -> None:
    from miroir.html_report import write_html

    try:
        out = write_html(report, path, title=title, lang=lang)
    except OSError as e:
        raise _file_error(path, e, lang) from None
    print(_t("wrote", lang, path=out), file=sys.stdout if stream is None else stream)


def _write_deliverables(report: Any, args: argparse.Namespace, title: str, *,
                        stream: TextIO | None = None) -> None:
    """The HTML, Excel and PowerPoint files asked for (``--html``, ``--xlsx``, ``--pptx``), in
    ``--lang``."""
    out = sys.stdout if stream is None else stream
    if args.html is not None:
        _write_html(report, args.html, title, stream=out, lang=args.lang)
    for path, write in ((args.xlsx, report.to_excel), (args.pptx, report.to_pptx)):
        if path is None:
            continue
        try:
            write(path, lang=args.lang)
        except OSError as e:
            raise _file_error(path, e, args.lang) from None
        print(_t("wrote", args.lang, path=path), file=out)


def _file_error(path: object, e: OSError, lang: str = "en") -> Exception:
    from miroir import FileError

    return FileError(_t("error.cannot_write", lang, path=path, reason=e.strerror or e))


def _write_text(path: Path, text: str, lang: str = "en") -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise _file_error(path, e, lang) from None


def _report_title(args: argparse.Namespace) -> str:
    lang = args.lang
    source = args.dir if args.dir is not None else args.employees
    if source is None:
        return _t("report.title", lang, name=_t("report.unnamed", lang))
    try:
        name = Path(source).resolve().name
    except (OSError, RuntimeError):  # a symlink loop
        name = Path(source).name
    return _t("report.title", lang, name=name or _t("report.unnamed", lang))


def _cmd_report(args: argparse.Namespace) -> int:
    from miroir.study import Study

    import miroir

    lang = args.lang
    study = _load(args)
    assert isinstance(study, Study)
    if args.by and (args.html or args.xlsx or args.pptx):
        raise miroir.InvalidArgumentError(_t("error.by_with_deliverables", lang))
    report = miroir.report(study, seed=args.seed, by=args.by or None)
    if args.json is not None:
        text = report.to_json()
        to_stdout = str(args.json) == "-"
        if to_stdout:
            print(text)
        else:
            _write_text(Path(args.json), text, lang)
            print(_t("wrote", lang, path=args.json))
        # keep stdout pure JSON when the JSON goes there
        _write_deliverables(report, args, _report_title(args), stream=sys.stderr if to_stdout else None)
        return EXIT_OK
    _print_summary(study, "", lang)
    _print_report(report, lang)
    if args.html or args.xlsx or args.pptx:
        print()
        _write_deliverables(report, args, _report_title(args))
    return EXIT_OK


def _cmd_code(args: argparse.Namespace) -> int:
    import miroir
    from miroir.study import Study
    from miroir.text import Codebook

    lang = args.lang
    study = _load(args)
    assert isinstance(study, Study)
    book = Codebook.from_toml(args.codebook)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", miroir.DataQualityWarning)
        coded = study.code(book, language=args.language, valence=args.valence, keep_mentions=args.keep_mentions)
    elapsed = time.perf_counter() - start
    coding = coded.coding
    assert coding is not None
    try:
        out = coded.write(args.out, overwrite=args.overwrite)
    except miroir.FileError as e:
        raise miroir.FileError(str(e).replace("pass overwrite=True", "pass --overwrite")) from None
    for name, table in (("coverage", coding.coverage), ("uncoded", coding.uncoded), ("skipped", coding.skipped)):
        target = out / f"{name}.csv"
        if target.exists() and not args.overwrite:
            raise miroir.FileError(_t("error.file_exists", lang, path=target))
        try:
            table.write_csv(target)
        except OSError as e:
            raise _file_error(target, e, lang) from None
    n_verbatims = 0 if study.verbatims is None else study.verbatims.height
    # the codebook as its repr shows it (its source is the path it was read from)
    codebook = _t("code.codebook", lang, themes=_count(len(book), lang), source=str(args.codebook))
    print(_t("code.done", lang, verbatims=_num(n_verbatims, lang, 0), themes=_count(len(book), lang),
             codebook=codebook, seconds=_num(elapsed, lang, 2), mentions=_num(coding.mentions.height, lang, 0)))
    with _table_config(lang, tbl_rows=40, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                       float_precision=3, tbl_width_chars=140):
        print(_frame(coding.coverage, "coverage", lang, 3))
    for w in caught:
        print(_t("note", lang, message=_note(str(w.message), lang)))
    print(_t("code.wrote", lang, out=out))
    return EXIT_OK


def _cmd_suggest_themes(args: argparse.Namespace) -> int:
    import polars as pl

    import miroir
    from miroir.study import Study
    from miroir.text import Codebook, suggest_themes

    lang = args.lang
    study = _load(args)
    assert isinstance(study, Study)
    if study.verbatims is None:
        raise miroir.InvalidArgumentError(_t("error.no_verbatims", lang))
    book = None if args.codebook is None else Codebook.from_toml(args.codebook)
    found = suggest_themes(study.verbatims, k=args.k, codebook=book, seed=args.seed,
                           min_text_group_size=study.schema.min_text_group_size)
    what = _t("themes.uncoded" if book is not None else "themes.all", lang)
    # the counts of the suggestions' repr
    suggestions = _t("themes.suggestions", lang, themes=_count(found.themes.height, lang),
                     shown=_count(found.themes.filter(~pl.col("suppressed")).height, lang),
                     clustered=_count(int(found.assignments["cluster"].is_not_null().sum()), lang),
                     texts=_count(found.assignments.height, lang))
    print(_t("themes.found", lang, suggestions=suggestions, k=_count(args.k, lang), what=what, seed=args.seed))
    table = found.themes.select(
        "cluster", "size", "respondents", "cohesion", "suppressed",
        pl.col("keywords").list.head(6).list.join(", ").alias("keywords"),
        pl.col("examples").list.first().alias("example"))
    with _table_config(lang, tbl_rows=100, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                       float_precision=2, tbl_width_chars=160, fmt_str_lengths=70):
        print(_frame(table, "themes", lang, 2))
    if args.out is not None:
        try:
            found.assignments.write_csv(args.out)
        except OSError as e:
            raise _file_error(args.out, e, lang) from None
        print(_t("themes.wrote", lang, path=args.out))
    return EXIT_OK


def _cmd_reproduce(args: argparse.Namespace) -> int:
    import miroir
    from miroir.reproduce import builtin_spec, run

    lang = args.lang
    if (args.spec is None) == (args.builtin is None):
        raise miroir.InvalidArgumentError(_t("error.spec_or_builtin", lang))
    if args.spec is not None:
        rep = run(args.spec, data=args.data)
    else:
        rep = run(builtin_spec(args.builtin), data=args.data, name=f"builtin:{args.builtin}")
    if args.junit is not None:
        _write_text(Path(args.junit), rep.to_junit(), lang)
    if args.format == "json":  # a machine format: the same in every language
        text = rep.to_json()
    elif args.format == "markdown":
        text = rep.to_markdown(lang)
    else:
        text = rep.to_text(lang)
    sys.stdout.write(text)
    return EXIT_OK if rep.passed else EXIT_FAILED


# --- the parser -------------------------------------------------------------------------------


def _lang_help(deliverables: bool) -> str:
    what = "the output and of the HTML, Excel and PowerPoint files" if deliverables else "the output"
    return f"language of {what}: en or fr (default: ${LANG_ENV} if set, else en)"


def build_parser() -> argparse.ArgumentParser:
    from miroir.i18n import LANGS

    parser = argparse.ArgumentParser(
        prog="miroir", description="Statistical engine for mirror studies.", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # --lang before the command (miroir --lang fr demo) or after it (miroir demo --lang fr); a
    # command's own default is left out so that it does not override the global one
    parser.add_argument("--lang", choices=LANGS, default=None, help=_lang_help(True))
    sub = parser.add_subparsers(dest="command", required=True)

    def lang_option(p: argparse.ArgumentParser, deliverables: bool = False) -> None:
        p.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=_lang_help(deliverables))

    def deliverable_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--html", type=Path, metavar="FILE",
                       help="write a self-contained HTML report (tables and charts, no network needed to open "
                       "it) to FILE")
        p.add_argument("--xlsx", type=Path, metavar="FILE", help="write the Excel workbook to FILE")
        p.add_argument("--pptx", type=Path, metavar="FILE", help="write the PowerPoint deck to FILE")
        lang_option(p, deliverables=True)

    def synth_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--studies", type=_positive, default=20, help="companies (default 20)")
        p.add_argument("--employees", type=_positive, default=20_000, help="default 20000")
        p.add_argument("--customers", type=_positive, default=100_000, help="default 100000")
        p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")

    def data_options(p: argparse.ArgumentParser, folder: str = "folder with employees.*, customers.*") -> None:
        """Where a study's files are: a folder, or the files one by one, and its schema."""
        p.add_argument("dir", nargs="?", type=Path, help=folder)
        p.add_argument("--employees", type=Path)
        p.add_argument("--customers", type=Path)
        p.add_argument("--mentions", type=Path)
        p.add_argument("--verbatims", type=Path)
        p.add_argument("--schema", type=Path, metavar="FILE.toml",
                       help="schema file ([schema] table; default: the folder's schema.toml)")

    demo = sub.add_parser("demo", help="run on the embedded synthetic study")
    synth_options(demo)
    deliverable_options(demo)
    demo.add_argument("--waves", action="store_true",
                      help="a two-wave barometer instead: the comparison of the waves, by region")
    demo.set_defaults(func=_cmd_demo)

    synth = sub.add_parser("synth", help="write a synthetic study to files")
    synth_options(synth)
    synth.add_argument("--out", type=Path, required=True, help="output folder")
    synth.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    synth.add_argument("--overwrite", action="store_true",
                       help="replace the study's files already in the output folder")
    lang_option(synth)
    synth.set_defaults(func=_cmd_synth)

    validate = sub.add_parser("validate", help="validate a study's files")
    data_options(validate)
    lang_option(validate)
    validate.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="run every analysis on a study's files")
    data_options(rep)
    rep.add_argument("--json", nargs="?", const="-", default=None,
                     help="write JSON to FILE (or stdout without FILE)")
    deliverable_options(rep)
    rep.add_argument("--by", action="append", metavar="COLUMN",
                     help="a report per segment of COLUMN (a unit attribute; repeat for cuts published together)")
    rep.add_argument("--seed", type=_seed, default=0, help="bootstrap seed (default 0)")
    rep.set_defaults(func=_cmd_report)

    code = sub.add_parser(
        "code", help="code a study's verbatims with a codebook",
        description="Code the verbatims of a study (verbatims.* beside the tables, or --verbatims) "
        "with a codebook (TOML [[theme]] tables) and write the coded study to --out: its mentions "
        "with their audit columns (rule, span_start, span_end, ...), and coverage.csv, "
        "uncoded.csv and skipped.csv.",
    )
    data_options(code, "folder with employees.*, customers.*, verbatims.*")
    code.add_argument("--codebook", type=Path, required=True, metavar="FILE.toml", help="the codebook")
    code.add_argument("--out", type=Path, required=True, help="output folder")
    code.add_argument("--language", choices=["fr", "en"], default=None,
                      help="language of every verbatim (default: the language column, else detected)")
    code.add_argument("--valence", choices=["lexicon", "learned"], default="lexicon",
                      help="valence of customer comments: the lexicons (default), or learned from the study's "
                      "own liked/disliked and best/most frustrating answers")
    code.add_argument("--keep-mentions", action="store_true",
                      help="add the coded mentions to the study's hand-coded ones instead of replacing them")
    code.add_argument("--overwrite", action="store_true", help="replace files already in the output folder")
    lang_option(code)
    code.set_defaults(func=_cmd_code)

    themes = sub.add_parser(
        "suggest-themes", help="candidate themes for the verbatims a codebook does not cover",
        description="Cluster a study's verbatims (those a codebook leaves uncoded, with --codebook) into "
        "candidate themes: size, keywords, a typical verbatim; clusters of fewer respondents than the "
        "schema's min_text_group_size show their size only.",
    )
    data_options(themes, "folder with employees.*, customers.*, verbatims.*")
    themes.add_argument("--codebook", type=Path, metavar="FILE.toml", help="cluster only what it leaves uncoded")
    themes.add_argument("--k", type=_positive, default=8, help="number of candidate themes (default 8)")
    themes.add_argument("--seed", type=_seed, default=0, help="k-means seed (default 0)")
    themes.add_argument("--out", type=Path, metavar="FILE.csv", help="also write each verbatim's cluster")
    lang_option(themes)
    themes.set_defaults(func=_cmd_suggest_themes)

    from miroir.reproduce import BUILTIN_SPECS

    repro = sub.add_parser(
        "reproduce",
        help="recompute published figures from a TOML spec",
        description="Recompute the indicators of a spec from the raw data and check them "
        "against the published values. Exit 0 when all pass, 1 when one fails, 2 when the "
        "spec or the data is invalid, 3 on an internal error.",
    )
    repro.add_argument("spec", nargs="?", type=Path, help="the TOML spec")
    repro.add_argument("--builtin", choices=BUILTIN_SPECS, help="a spec shipped with miroir")
    repro.add_argument("--data", type=Path, metavar="DIR",
                       help="resolve the spec's data paths against DIR (a synthetic spec reads "
                       "DIR's employees.*, customers.*, mentions.*)")
    repro.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML to FILE")
    repro.add_argument("--format", choices=["table", "markdown", "json"], default="table",
                       help="output format (default table; markdown suits a CI job summary)")
    lang_option(repro)
    repro.set_defaults(func=_cmd_reproduce)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (see the module docstring)."""
    try:
        with _InterruptWatchdog():
            code = _main(argv)
            sys.stdout.flush()  # a closed pipe shows here rather than at interpreter exit
        return code
    except SystemExit:  # argparse: --help (0) and usage errors (2)
        raise
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except BaseException as e:  # noqa: BLE001 - a Rust panic is a BaseException
        return _report_error(e)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.lang = _lang(parser, getattr(args, "lang", None))
    code: int = args.func(args)
    return code


def _lang(parser: argparse.ArgumentParser, given: str | None) -> str:
    """The language of the output: ``--lang``, else ``$MIROIR_LANG`` (``en`` or ``fr``, in any
    case), else ``en``; another value of the variable is a usage error (exit 2)."""
    from miroir.i18n import LANGS

    if given is not None:
        return given
    raw = os.environ.get(LANG_ENV, "").strip()
    if not raw:
        return "en"
    if raw.lower() not in LANGS:
        parser.error(f"environment variable {LANG_ENV}: invalid choice: {raw!r} "
                     f"(choose from {', '.join(repr(x) for x in LANGS)})")
    return raw.lower()


def _debug() -> bool:
    return os.environ.get("MIROIR_DEBUG", "") not in ("", "0")


def _report_error(e: BaseException) -> int:
    """One line on stderr for an error; the exit status says whose fault it is."""
    core = sys.modules.get("miroir._core")
    invalid = core is not None and isinstance(e, core.MiroirError)
    # an invalid input's message is the user's to read whole (a spec error may quote lines);
    # an internal error's (a panic's may hold a backtrace) is kept to one line
    try:
        text = str(e)
    except Exception:  # noqa: BLE001 - an exception whose message cannot be formatted
        text = "(message unavailable)"
    message = text if invalid else " ".join(text.split())
    kind = "error" if invalid else "internal error"
    try:
        print(f"miroir: {kind}: {type(e).__name__}: {message}", file=sys.stderr)
        if _debug():
            traceback.print_exception(e, file=sys.stderr)
        elif not invalid:
            print("miroir: run with MIROIR_DEBUG=1 for the traceback", file=sys.stderr)
    except OSError:  # stderr itself is gone
        pass
    return EXIT_INVALID if invalid else EXIT_INTERNAL


class _InterruptWatchdog:
    """After Ctrl-C, give the command ``grace`` seconds to stop by ``KeyboardInterrupt``, then
    end the process with exit status 130: a long computation that does not look at signals
    must not hold the terminal.

    Python runs its SIGINT handler only between bytecodes of the main thread, so a call into
    the extension defers it until the call returns; the C-level handler still writes the
    signal's number to the wakeup file descriptor, which a thread watches. Where that cannot
    be set up (main() called from another thread, no non-blocking pipes), nothing is done.
    """

    def __init__(self, grace: float = 1.0) -> None:
        self.grace = grace
        self._done = threading.Event()
        self._fds: tuple[int, int] | None = None
        self._old_fd = -1
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _InterruptWatchdog:
        try:
            read, write = os.pipe()
        except OSError:
            return self
        try:
            os.set_blocking(write, False)
            self._old_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        except (ValueError, OSError, AttributeError):  # not the main thread, or no such pipes
            os.close(read)
            os.close(write)
            return self
        self._fds = (read, write)
        self._thread = threading.Thread(
            target=self._watch, args=(read,), name="miroir-interrupt-watchdog", daemon=True
        )
        self._thread.start()
        return self

    def _watch(self, read: int) -> None:
        while True:
            try:
                data = os.read(read, 64)
            except OSError:
                return
            if not data:  # the pipe was closed: the command is over
                return
            if signal.SIGINT in data:
                if not self._done.wait(self.grace):
                    os._exit(EXIT_INTERRUPTED)
                return

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._fds is None:
            return
        read, write = self._fds
        self._fds = None
        try:
            signal.set_wakeup_fd(self._old_fd)
        except (ValueError, OSError):
            pass
        os.close(write)
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if self._thread is None or not self._thread.is_alive():
            os.close(read)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of the closed pipe
    does not print an error on exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
