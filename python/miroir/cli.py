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
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_EPILOG = """exit status:
  0    success (reproduce: every indicator reproduced)
  1    reproduce: an indicator failed its check
  2    invalid input: the data, the spec, a file or an argument ("miroir: error: ...")
  3    internal error, a bug in miroir ("miroir: internal error: ..."); set MIROIR_DEBUG=1
       for the traceback
  130  interrupted (Ctrl-C)
  141  the output's reader went away (broken pipe)
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


def _print_summary(study: object, title: str) -> None:
    import polars as pl

    from miroir.study import Study, summary_total

    assert isinstance(study, Study)
    summary = study.summary()
    print(title)
    with pl.Config(tbl_rows=100, tbl_cols=20, tbl_hide_dataframe_shape=True,
                   float_precision=2, tbl_width_chars=120):
        print(summary)
    # counts from the summary: a streamed study's tables would be read back from its files
    totals = (
        f"{summary.height} studies, {summary_total(summary, 'units')} units, "
        f"{summary_total(summary, 'employees')} employees, "
        f"{summary_total(summary, 'customers')} customers, "
        f"{summary_total(summary, 'mentions')} mentions"
    )
    print(totals)
    if study.warnings:
        print("\nData-quality warnings:")
        for w in study.warnings:
            print(f"  - {w}")
    else:
        print("Data quality: no warnings.")


def _print_report(report: object) -> None:
    import polars as pl

    from miroir.analysis import Report

    assert isinstance(report, Report)
    cfg = dict(tbl_rows=60, tbl_cols=30, tbl_hide_dataframe_shape=True, float_precision=3,
               tbl_width_chars=160, fmt_str_lengths=60, tbl_hide_column_data_types=True)
    with pl.Config(**cfg):  # type: ignore[arg-type]
        print("\n== Published figures, recomputed (estimate with 95% CI)")
        print(report.indicators.select("id", "estimate", "ci_low", "ci_high", "n", "published"))
        print("\n== Engagement gap of customer-facing employees (points, other - customer-facing)")
        print(report.exposure_gap.select(
            "study", "n_facing", "n_other", "gap", "ci_low", "ci_high", "p_value", "hedges_g",
            "adjusted_gap", "largest"))
        print("\n== Linkage: unit engagement vs share of satisfied customers")
        print(report.linkage.select(
            "study", "n_units", "estimate", "ci_low", "ci_high", "p_value", "icc1", "icc2",
            "share_satisfied_high", "share_satisfied_rest", "uplift"))
        if report.moments is not None:
            print("\n== Six moments (mirror matrix)")
            print(report.moments.filter(pl.col("moment") != "too_few_mentions").sort(
                "moment", "q_value").select(
                "theme", "moment", "customer_axis", "employee_axis", "q_value", "action"))
        if report.moment_effects is not None:
            print("\n== Satisfaction and engagement of those who mention each moment")
            print(report.moment_effects.select(
                "moment", "side", "n_themes", "n_mentioning", "estimate", "hedges_g", "q_value"))
        if report.drivers is not None:
            print("\n== What drives engagement (employees) and share satisfied (units): "
                  "standardised effect, share of R² (LMG) with its cluster-bootstrap interval")
            print(report.drivers.sort("outcome", "rank").select(
                "outcome", "level", "driver", "beta_std", "ci_low", "ci_high", "p_value", "share",
                "share_ci_low", "share_ci_high", "rank", "p_first", "r2"))


def _print_waves(cmp: object, by: str) -> None:
    import polars as pl

    from miroir.waves import WavesComparison

    assert isinstance(cmp, WavesComparison)
    cfg = dict(tbl_rows=60, tbl_cols=30, tbl_hide_dataframe_shape=True, float_precision=3,
               tbl_width_chars=160, fmt_str_lengths=60, tbl_hide_column_data_types=True)
    with pl.Config(**cfg):  # type: ignore[arg-type]
        print(f"\n== Change {cmp.baseline} -> {cmp.current} by {by}, pooled over the studies "
              "(respondents: variance stratified by unit; units: paired t and Wilcoxon)")
        print(cmp.changes.filter(pl.col("level") == "pooled").select(
            "segment", "metric", "baseline", "current", "change", "ci_low", "ci_high", "p_value"))
        print(cmp.paired.filter(pl.col("level") == "pooled").select(
            "segment", "metric", "n_units", "change", "ci_low", "ci_high", "p_value", "wilcoxon_p_value"))
        print("\n== Change of the unit linkage r (matched units, seeded bootstrap)")
        print(cmp.linkage.filter(pl.col("level") == "pooled").select(
            "segment", "n_units", "r_baseline", "r_current", "change", "ci_low", "ci_high"))


def _cmd_demo_waves(args: argparse.Namespace) -> int:
    import polars as pl

    import miroir

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        waves = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed, waves=2)
        print(f"miroir {miroir.__version__} - synthetic barometer (seed {args.seed}): two waves of the same "
              f"companies, generated in {time.perf_counter() - start:.2f} s; planted: region Nord +8 "
              "engagement points, one theme from pain to win_win")
        start = time.perf_counter()
        by_region = miroir.compare_waves(waves, "W1", "W2", by="region", seed=args.seed, n_resamples=999)
        whole = miroir.compare_waves(waves, "W1", "W2", seed=args.seed, n_resamples=999)
    print(whole.headline)
    _print_waves(by_region, "region")
    if whole.moments is not None:
        with pl.Config(tbl_rows=30, tbl_hide_dataframe_shape=True, tbl_width_chars=160, fmt_str_lengths=60,
                       tbl_hide_column_data_types=True, float_precision=4):
            print("\n== Themes that changed cell in the mirror matrix (significant in both waves)")
            print(whole.moments.filter(pl.col("changed_cell")).select(
                "theme", "moment_baseline", "q_value_baseline", "moment_current", "q_value_current"))
    print(f"\ncomparisons computed in {time.perf_counter() - start:.2f} s")
    return EXIT_OK


def _print_coding(study: Any) -> None:
    """The coding step on the synthetic verbatims: the synthetic codebook's coverage, its
    agreement with the true codes (the study's mentions, from which the verbatims were
    written), and how many themes land in the same moment from the coded text."""
    import polars as pl

    import miroir
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
    print(f"\n== Coding the verbatims ({study.verbatims.height:,} answers, French and English) with the "
          f"synthetic codebook ({len(miroir.synthetic_codebook())} themes; comments' valence learned from the "
          f"liked/disliked and best/most frustrating answers), in {elapsed:.2f} s")
    with pl.Config(tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, float_precision=3):
        print(cov.select("side", "question", "verbatims", "coded", "share_coded", "empty"))
    print(f"agreement with the true codes: theme macro-F1 {macro['f1']:.3f} (precision {macro['precision']:.3f}, "
          f"recall {macro['recall']:.3f}); valence right for {right:,} of {valenced.height:,} themes found "
          f"({right / max(valenced.height, 1):.1%}), {pairs.height - valenced.height:,} without a valence")
    same = coded.moments().table.join(study.moments().table, on="theme", suffix="_true")
    agree = same.filter(pl.col("moment") == pl.col("moment_true")).height
    print(f"moments from the coded text: {agree} of {same.height} themes in the same cell as from the true codes")
    for w in caught:
        print(f"note: {w.message}")


def _cmd_demo(args: argparse.Namespace) -> int:
    import miroir

    if args.waves:
        return _cmd_demo_waves(args)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed, verbatims=True)
    elapsed = time.perf_counter() - start
    _print_summary(
        study,
        f"miroir {miroir.__version__} - synthetic mirror study (seed {args.seed}), "
        f"generated and validated in {elapsed:.2f} s\n",
    )
    _print_coding(study)
    start = time.perf_counter()
    report = study.report(seed=args.seed)
    _print_report(report)
    print(f"\nanalyses computed in {time.perf_counter() - start:.2f} s")
    if args.html or args.xlsx or args.pptx:
        _write_deliverables(report, args, f"miroir demo - synthetic mirror study (seed {args.seed})")
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
    print(f"wrote {study!r} to {out}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    study = _load(args)
    _print_summary(study, "valid study\n")
    return EXIT_OK


def _load(args: argparse.Namespace) -> object:
    import miroir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        schema = getattr(args, "schema", None)
        if args.dir is not None:
            return miroir.load_study(args.dir, schema=schema)
        if args.employees is None or args.customers is None:
            raise miroir.InvalidArgumentError(
                "give a folder, or both --employees and --customers files"
            )
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
        raise _file_error(path, e) from None
    print(f"wrote {out}", file=sys.stdout if stream is None else stream)


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
            raise _file_error(path, e) from None
        print(f"wrote {path}", file=out)


def _file_error(path: object, e: OSError) -> Exception:
    from miroir import FileError

    return FileError(f"{path}: cannot write the file: {e.strerror or e}")


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise _file_error(path, e) from None


def _report_title(args: argparse.Namespace) -> str:
    source = args.dir if args.dir is not None else args.employees
    if source is None:
        return "miroir report - study"
    try:
        name = Path(source).resolve().name
    except (OSError, RuntimeError):  # a symlink loop
        name = Path(source).name
    name = name or "study"
    return f"miroir report - {name}"


def _cmd_report(args: argparse.Namespace) -> int:
    from miroir.study import Study

    import miroir

    study = _load(args)
    assert isinstance(study, Study)
    if args.by and (args.html or args.xlsx or args.pptx):
        raise miroir.InvalidArgumentError(
            "invalid argument '--by': the HTML, Excel and PowerPoint deliverables are written for the whole "
            "study; a report by segment goes to the terminal or to --json"
        )
    report = miroir.report(study, seed=args.seed, by=args.by or None)
    if args.json is not None:
        text = report.to_json()
        to_stdout = str(args.json) == "-"
        if to_stdout:
            print(text)
        else:
            _write_text(Path(args.json), text)
            print(f"wrote {args.json}")
        # keep stdout pure JSON when the JSON goes there
        _write_deliverables(report, args, _report_title(args), stream=sys.stderr if to_stdout else None)
        return EXIT_OK
    _print_summary(study, "")
    _print_report(report)
    if args.html or args.xlsx or args.pptx:
        print()
        _write_deliverables(report, args, _report_title(args))
    return EXIT_OK


def _cmd_code(args: argparse.Namespace) -> int:
    import polars as pl

    import miroir
    from miroir.study import Study
    from miroir.text import Codebook

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
            raise miroir.FileError(f"{target}: the file exists (pass --overwrite to replace it)")
        try:
            table.write_csv(target)
        except OSError as e:
            raise _file_error(target, e) from None
    n_verbatims = 0 if study.verbatims is None else study.verbatims.height
    print(f"coded {n_verbatims:,} verbatims with {len(book)} themes ({book!r}) in {elapsed:.2f} s: "
          f"{coding.mentions.height:,} mentions")
    with pl.Config(tbl_rows=40, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                   float_precision=3, tbl_width_chars=140):
        print(coding.coverage)
    for w in caught:
        print(f"note: {w.message}")
    print(f"wrote the coded study to {out} (mentions with their audit columns; coverage.csv, "
          "uncoded.csv, skipped.csv beside)")
    return EXIT_OK


def _cmd_suggest_themes(args: argparse.Namespace) -> int:
    import polars as pl

    import miroir
    from miroir.study import Study
    from miroir.text import Codebook, suggest_themes

    study = _load(args)
    assert isinstance(study, Study)
    if study.verbatims is None:
        raise miroir.InvalidArgumentError(
            "invalid argument 'DATA': the study has no verbatims table (a verbatims.* file beside the tables, "
            "or --verbatims FILE)")
    book = None if args.codebook is None else Codebook.from_toml(args.codebook)
    found = suggest_themes(study.verbatims, k=args.k, codebook=book, seed=args.seed,
                           min_text_group_size=study.schema.min_text_group_size)
    what = "the verbatims the codebook leaves uncoded" if book is not None else "all the verbatims"
    print(f"{found!r}: {args.k} candidate themes for {what} (seed {args.seed})")
    table = found.themes.select(
        "cluster", "size", "respondents", "cohesion", "suppressed",
        pl.col("keywords").list.head(6).list.join(", ").alias("keywords"),
        pl.col("examples").list.first().alias("example"))
    with pl.Config(tbl_rows=100, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True,
                   float_precision=2, tbl_width_chars=160, fmt_str_lengths=70):
        print(table)
    if args.out is not None:
        try:
            found.assignments.write_csv(args.out)
        except OSError as e:
            raise _file_error(args.out, e) from None
        print(f"wrote each verbatim's cluster to {args.out}")
    return EXIT_OK


def _cmd_reproduce(args: argparse.Namespace) -> int:
    import miroir
    from miroir.reproduce import builtin_spec, run

    if (args.spec is None) == (args.builtin is None):
        raise miroir.InvalidArgumentError(
            "invalid argument 'spec': give a spec file or --builtin NAME (one of them)"
        )
    if args.spec is not None:
        rep = run(args.spec, data=args.data)
    else:
        rep = run(builtin_spec(args.builtin), data=args.data, name=f"builtin:{args.builtin}")
    if args.junit is not None:
        _write_text(Path(args.junit), rep.to_junit())
    text = {"table": rep.to_text, "markdown": rep.to_markdown, "json": rep.to_json}[args.format]()
    sys.stdout.write(text)
    return EXIT_OK if rep.passed else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="miroir", description="Statistical engine for mirror studies.", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def deliverable_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--html", type=Path, metavar="FILE",
                       help="write a self-contained HTML report (tables and charts, no network needed to open "
                       "it) to FILE")
        p.add_argument("--xlsx", type=Path, metavar="FILE", help="write the Excel workbook to FILE")
        p.add_argument("--pptx", type=Path, metavar="FILE", help="write the PowerPoint deck to FILE")
        p.add_argument("--lang", choices=["en", "fr"], default="en",
                       help="language of the HTML, Excel and PowerPoint files (default en)")

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
    synth.set_defaults(func=_cmd_synth)

    validate = sub.add_parser("validate", help="validate a study's files")
    data_options(validate)
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
    code: int = args.func(args)
    return code


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
