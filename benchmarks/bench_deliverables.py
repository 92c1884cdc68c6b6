"""The client deliverables on top of a report (issue 17's target): HTML, Excel and PowerPoint
in French for a 1M-customer study, beyond the report itself.

    .venv/bin/python benchmarks/bench_deliverables.py            # 1M customers, 200k employees
    .venv/bin/python benchmarks/bench_deliverables.py --quick    # 100k customers

In-process, one run each after an untimed warm-up of every writer on a small study (matplotlib's
first figure and font cache are paid there, as in a long-running CLI job they are paid once).
The target: the three files together in under 5 s beyond ``miroir.report``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import miroir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100k customers")
    args = parser.parse_args()
    customers = 100_000 if args.quick else 1_000_000
    warnings.simplefilter("ignore", miroir.DataQualityWarning)
    out = Path(tempfile.mkdtemp(prefix="miroir-deliverables-"))

    small = miroir.report(miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1), lang="fr")
    small.to_html(out / "warm.html")
    small.to_excel(out / "warm.xlsx")
    small.to_pptx(out / "warm.pptx")

    study = miroir.synthetic_study(studies=20, employees=customers // 5, customers=customers, seed=0)
    start = time.perf_counter()
    report = miroir.report(study, lang="fr")
    t_report = time.perf_counter() - start
    print(f"report of {customers:,} customers: {t_report:.2f} s")
    total = 0.0
    for name, write in (("rapport.html", report.to_html), ("rapport.xlsx", report.to_excel),
                        ("rapport.pptx", report.to_pptx)):
        start = time.perf_counter()
        write(out / name)
        elapsed = time.perf_counter() - start
        total += elapsed
        print(f"  {name:<14} {elapsed:6.2f} s  {(out / name).stat().st_size:>12,} bytes")
    print(f"the three deliverables: {total:.2f} s beyond the report (target < 5 s)")


if __name__ == "__main__":
    main()
