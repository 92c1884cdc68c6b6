"""Run the hostile campaign by hand, outside pytest.

    python tests/hostile/run.py                      # every case, 2 at a time
    python tests/hostile/run.py --category corrupt --flips 200
    python tests/hostile/run.py --case csv_ragged_line -v
    python tests/hostile/run.py --list
    python tests/hostile/run.py --markdown failing.md

Exit status 0 when every case has its expected outcome, 1 otherwise.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--category", action="append", choices=harness.CATEGORIES,
                   help="only this category (repeatable)")
    p.add_argument("--case", action="append", metavar="PATTERN", help="only cases matching this glob (repeatable)")
    p.add_argument("--flips", type=int, default=None,
                   help="single-byte flips of customers.parquet in the sample (default 20), each read "
                   "whole and streamed")
    p.add_argument("--workers", type=int, default=2, help="cases run at once (default 2)")
    p.add_argument("--timeout", type=float, default=None, help="override every case's timeout (s)")
    p.add_argument("--data", type=Path, default=None,
                   help="folder for the shared study (default: a temporary folder)")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--markdown", type=Path, default=None, help="also write the failing cases as a markdown table")
    p.add_argument("-v", "--verbose", action="store_true", help="explain every failing case in full")
    p.add_argument("--details", action="store_true", help="print the detail of every case, passing or not")
    args = p.parse_args(argv)

    cases = list(harness.campaign(flips=args.flips).values())
    if args.category:
        cases = [c for c in cases if c.category in args.category]
    if args.case:
        cases = [c for c in cases if any(fnmatch.fnmatch(c.name, pat) for pat in args.case)]
    if args.list:
        for c in cases:
            print(f"{c.category:<12} {c.name:<45} {c.expect}  -- {c.doc}")
        print(f"{len(cases)} cases")
        return 0
    if not cases:
        print("no case selected", file=sys.stderr)
        return 2
    import importlib.util

    if importlib.util.find_spec("miroir") is None:
        print(f"run.py: miroir is not importable by {sys.executable}: use the project's "
              ".venv/bin/python (./dev build installs it)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="miroir-hostile-") as tmp:
        data = harness.prepare_data(args.data or Path(tmp) / "data")
        if args.timeout is not None:
            cases = [harness.Case(c.name, c.category, c.func, c.expect, c.doc, args.timeout, c.weight) for c in cases]
        done = [0]

        def progress(r: harness.Result) -> None:
            done[0] += 1
            mark = "  " if r.passed else "!!"
            shown = f": {r.detail[:140]}" if not r.passed else f": {r.detail}" if args.details else ""
            print(f"{mark} [{done[0]:>3}/{len(cases)}] {r.outcome:<8} {r.case.name} ({r.seconds:.1f} s){shown}",
                  flush=True)

        start = time.monotonic()
        results = harness.run_cases(cases, data, workers=args.workers, scratch=Path(tmp) / "runs",
                                    progress=progress)
        elapsed = time.monotonic() - start
    print()
    if args.verbose:
        for r in results:
            if not r.passed:
                print(r.explain(), end="\n\n")
    print(harness.summary(results, elapsed, harness.LAST_CPU_SECONDS))
    if args.markdown is not None:
        args.markdown.write_text(harness.markdown_table(results) + "\n", encoding="utf-8")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
