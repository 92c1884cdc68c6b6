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
import sys
from collections.abc import Sequence
from pathlib import Path

from miroir.cli._exit import EXIT_BROKEN_PIPE as EXIT_BROKEN_PIPE
from miroir.cli._exit import EXIT_FAILED as EXIT_FAILED
from miroir.cli._exit import EXIT_INTERNAL as EXIT_INTERNAL
from miroir.cli._exit import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from miroir.cli._exit import EXIT_INVALID as EXIT_INVALID
from miroir.cli._exit import EXIT_OK as EXIT_OK
from miroir.cli._exit import _drop_stdout
from miroir.cli._exit import _InterruptWatchdog as _InterruptWatchdog
from miroir.cli._exit import _report_error
from miroir.cli._print import _print_summary as _print_summary
from miroir.cli.commands import _cmd_code as _cmd_code
from miroir.cli.commands import _cmd_demo as _cmd_demo
from miroir.cli.commands import _cmd_reproduce as _cmd_reproduce
from miroir.cli.commands import _cmd_report as _cmd_report
from miroir.cli.commands import _cmd_suggest_themes as _cmd_suggest_themes
from miroir.cli.commands import _cmd_synth as _cmd_synth
from miroir.cli.commands import _cmd_validate as _cmd_validate

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


# --- the parser (the commands are looked up here when it is built) ------------------------------


def _lang_help(deliverables: bool) -> str:
    what = "the output and of the HTML, Excel and PowerPoint files" if deliverables else "the output"
    return f"language of {what}: en or fr (default: ${LANG_ENV} if set, else en)"


def _lang_option(p: argparse.ArgumentParser, deliverables: bool = False) -> None:
    from miroir.i18n import LANGS

    p.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=_lang_help(deliverables))


def _deliverable_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--html", type=Path, metavar="FILE",
                   help="write a self-contained HTML report (tables and charts, no network needed to open "
                   "it) to FILE")
    p.add_argument("--xlsx", type=Path, metavar="FILE", help="write the Excel workbook to FILE")
    p.add_argument("--pptx", type=Path, metavar="FILE", help="write the PowerPoint deck to FILE")
    _lang_option(p, deliverables=True)


def _synth_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--studies", type=_positive, default=20, help="companies (default 20)")
    p.add_argument("--employees", type=_positive, default=20_000, help="default 20000")
    p.add_argument("--customers", type=_positive, default=100_000, help="default 100000")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")


def _data_options(p: argparse.ArgumentParser, folder: str = "folder with employees.*, customers.*") -> None:
    """Where a study's files are: a folder, or the files one by one, and its schema."""
    p.add_argument("dir", nargs="?", type=Path, help=folder)
    p.add_argument("--employees", type=Path)
    p.add_argument("--customers", type=Path)
    p.add_argument("--mentions", type=Path)
    p.add_argument("--verbatims", type=Path)
    p.add_argument("--schema", type=Path, metavar="FILE.toml",
                   help="schema file ([schema] table; default: the folder's schema.toml)")


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
    _add_study_commands(sub)
    _add_text_commands(sub)
    _add_reproduce(sub)
    return parser


def _add_study_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``demo``, ``synth``, ``validate`` and ``report``."""
    demo = sub.add_parser("demo", help="run on the embedded synthetic study")
    _synth_options(demo)
    _deliverable_options(demo)
    demo.add_argument("--waves", action="store_true",
                      help="a two-wave barometer instead: the comparison of the waves, by region")
    demo.set_defaults(func=_cmd_demo)

    synth = sub.add_parser("synth", help="write a synthetic study to files")
    _synth_options(synth)
    synth.add_argument("--out", type=Path, required=True, help="output folder")
    synth.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    synth.add_argument("--overwrite", action="store_true",
                       help="replace the study's files already in the output folder")
    _lang_option(synth)
    synth.set_defaults(func=_cmd_synth)

    validate = sub.add_parser("validate", help="validate a study's files")
    _data_options(validate)
    _lang_option(validate)
    validate.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="run every analysis on a study's files")
    _data_options(rep)
    rep.add_argument("--json", nargs="?", const="-", default=None,
                     help="write JSON to FILE (or stdout without FILE)")
    _deliverable_options(rep)
    rep.add_argument("--by", action="append", metavar="COLUMN",
                     help="a report per segment of COLUMN (a unit attribute; repeat for cuts published together)")
    rep.add_argument("--seed", type=_seed, default=0, help="bootstrap seed (default 0)")
    rep.set_defaults(func=_cmd_report)


def _add_text_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``code`` and ``suggest-themes``."""
    code = sub.add_parser(
        "code", help="code a study's verbatims with a codebook",
        description="Code the verbatims of a study (verbatims.* beside the tables, or --verbatims) "
        "with a codebook (TOML [[theme]] tables) and write the coded study to --out: its mentions "
        "with their audit columns (rule, span_start, span_end, ...), and coverage.csv, "
        "uncoded.csv and skipped.csv.",
    )
    _data_options(code, "folder with employees.*, customers.*, verbatims.*")
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
    _lang_option(code)
    code.set_defaults(func=_cmd_code)

    themes = sub.add_parser(
        "suggest-themes", help="candidate themes for the verbatims a codebook does not cover",
        description="Cluster a study's verbatims (those a codebook leaves uncoded, with --codebook) into "
        "candidate themes: size, keywords, a typical verbatim; clusters of fewer respondents than the "
        "schema's min_text_group_size show their size only.",
    )
    _data_options(themes, "folder with employees.*, customers.*, verbatims.*")
    themes.add_argument("--codebook", type=Path, metavar="FILE.toml", help="cluster only what it leaves uncoded")
    themes.add_argument("--k", type=_positive, default=8, help="number of candidate themes (default 8)")
    themes.add_argument("--seed", type=_seed, default=0, help="k-means seed (default 0)")
    themes.add_argument("--out", type=Path, metavar="FILE.csv", help="also write each verbatim's cluster")
    _lang_option(themes)
    themes.set_defaults(func=_cmd_suggest_themes)


def _add_reproduce(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``reproduce``."""
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
    _lang_option(repro)
    repro.set_defaults(func=_cmd_reproduce)


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
