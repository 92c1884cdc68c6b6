"""The commands: ``demo``, ``synth``, ``validate``, ``report``, ``code``, ``suggest-themes`` and
``reproduce`` (see :mod:`miroir.cli`), each taking the parsed arguments and returning the exit
status."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any, TextIO

from miroir.cli._exit import EXIT_FAILED, EXIT_OK
from miroir.cli._print import _print_coding, _print_report, _print_summary, _print_waves
from miroir.cli._text import _count, _frame, _note, _num, _t, _table_config, _totals
from miroir._folder import OVERWRITE


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


def _cmd_synth(args: argparse.Namespace) -> int:
    import miroir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed)
    token = OVERWRITE.set("--overwrite")
    try:
        out = study.write(args.out, format=args.format, overwrite=args.overwrite)
    finally:
        OVERWRITE.reset(token)
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
    token = OVERWRITE.set("--overwrite")
    try:
        out = coded.write(args.out, overwrite=args.overwrite)
    finally:
        OVERWRITE.reset(token)
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
