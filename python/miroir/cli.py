"""The ``miroir`` command.

``miroir demo``      generate the embedded synthetic study, validate it and summarise it.
``miroir synth``     write a synthetic study as Parquet files.
``miroir validate``  validate a study's files and summarise them (exit 2 when invalid).
``miroir report``    run every analysis on a study's files and print it (or write JSON, HTML).
``miroir reproduce`` recompute the published figures of a TOML spec (exit 1 when one fails).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _print_summary(study: object, title: str) -> None:
    import polars as pl

    from miroir.study import Study

    assert isinstance(study, Study)
    summary = study.summary()
    print(title)
    with pl.Config(tbl_rows=100, tbl_cols=20, tbl_hide_dataframe_shape=True,
                   float_precision=2, tbl_width_chars=120):
        print(summary)
    totals = (
        f"{summary.height} studies, {int(summary['units'].sum())} units, "
        f"{study.employees.height} employees, {study.customers.height} customers, "
        f"{0 if study.mentions is None else study.mentions.height} mentions"
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


def _cmd_demo(args: argparse.Namespace) -> int:
    import miroir

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed)
    elapsed = time.perf_counter() - start
    _print_summary(
        study,
        f"miroir {miroir.__version__} - synthetic mirror study (seed {args.seed}), "
        f"generated and validated in {elapsed:.2f} s\n",
    )
    start = time.perf_counter()
    report = study.report(seed=args.seed)
    _print_report(report)
    print(f"\nanalyses computed in {time.perf_counter() - start:.2f} s")
    if args.html is not None:
        _write_html(report, args.html, f"miroir demo - synthetic mirror study (seed {args.seed})")
    return EXIT_OK


def _cmd_synth(args: argparse.Namespace) -> int:
    import miroir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(args.studies, args.employees, args.customers, args.seed)
    out = study.write(args.out, format=args.format)
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
        if args.dir is not None:
            return miroir.load_study(args.dir)
        if args.employees is None or args.customers is None:
            raise miroir.InvalidArgumentError(
                "give a folder, or both --employees and --customers files"
            )
        return miroir.load_study(
            employees=args.employees, customers=args.customers, mentions=args.mentions
        )


def _write_html(report: object, path: Path, title: str, *, stream: TextIO | None = None) -> None:
    from miroir.html_report import write_html

    out = write_html(report, path, title=title)
    print(f"wrote {out}", file=sys.stdout if stream is None else stream)


def _report_title(args: argparse.Namespace) -> str:
    source = args.dir if args.dir is not None else args.employees
    name = Path(source).resolve().name if source is not None else "study"
    return f"miroir report - {name}"


def _cmd_report(args: argparse.Namespace) -> int:
    from miroir.study import Study

    study = _load(args)
    assert isinstance(study, Study)
    report = study.report(seed=args.seed)
    if args.json is not None:
        text = report.to_json()
        to_stdout = str(args.json) == "-"
        if to_stdout:
            print(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
            print(f"wrote {args.json}")
        if args.html is not None:
            # keep stdout pure JSON when the JSON goes there
            _write_html(report, args.html, _report_title(args),
                        stream=sys.stderr if to_stdout else None)
        return EXIT_OK
    _print_summary(study, "")
    _print_report(report)
    if args.html is not None:
        print()
        _write_html(report, args.html, _report_title(args))
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
        Path(args.junit).write_text(rep.to_junit(), encoding="utf-8")
    text = {"table": rep.to_text, "markdown": rep.to_markdown, "json": rep.to_json}[args.format]()
    sys.stdout.write(text)
    return EXIT_OK if rep.passed else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="miroir", description="Statistical engine for mirror studies."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def synth_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--studies", type=_positive, default=20, help="companies (default 20)")
        p.add_argument("--employees", type=_positive, default=20_000, help="default 20000")
        p.add_argument("--customers", type=_positive, default=100_000, help="default 100000")
        p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    demo = sub.add_parser("demo", help="run on the embedded synthetic study")
    synth_options(demo)
    demo.add_argument("--html", type=Path, metavar="FILE",
                      help="also write a self-contained HTML report (tables and charts) to FILE")
    demo.set_defaults(func=_cmd_demo)

    synth = sub.add_parser("synth", help="write a synthetic study to files")
    synth_options(synth)
    synth.add_argument("--out", type=Path, required=True, help="output folder")
    synth.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    synth.set_defaults(func=_cmd_synth)

    validate = sub.add_parser("validate", help="validate a study's files")
    validate.add_argument("dir", nargs="?", type=Path, help="folder with employees.*, customers.*")
    validate.add_argument("--employees", type=Path)
    validate.add_argument("--customers", type=Path)
    validate.add_argument("--mentions", type=Path)
    validate.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="run every analysis on a study's files")
    rep.add_argument("dir", nargs="?", type=Path, help="folder with employees.*, customers.*")
    rep.add_argument("--employees", type=Path)
    rep.add_argument("--customers", type=Path)
    rep.add_argument("--mentions", type=Path)
    rep.add_argument("--json", nargs="?", const="-", default=None,
                     help="write JSON to FILE (or stdout without FILE)")
    rep.add_argument("--html", type=Path, metavar="FILE",
                     help="write a self-contained HTML report (tables and charts, no network "
                     "needed to open it) to FILE")
    rep.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    rep.set_defaults(func=_cmd_report)

    from miroir.reproduce import BUILTIN_SPECS

    repro = sub.add_parser(
        "reproduce",
        help="recompute published figures from a TOML spec",
        description="Recompute the indicators of a spec from the raw data and check them "
        "against the published values. Exit 0 when all pass, 1 when one fails, 2 when the "
        "spec or the data is invalid.",
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
    parser = build_parser()
    args = parser.parse_args(argv)
    from miroir import MiroirError

    try:
        code: int = args.func(args)
    except MiroirError as e:
        print(f"miroir: error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_INVALID
    return code


if __name__ == "__main__":
    sys.exit(main())
