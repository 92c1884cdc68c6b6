"""Report on a study larger than memory would allow eagerly: 100M customer rows (issue 7).

Builds a study of ``--factor`` x the customers of a generated study (default: the 10M-customer
study of ``run_report_bench.py``, 10 x -> 100M rows) by stacking copies of its customers file
with the ids of copies 1.. suffixed (copy 0 keeps its ids, so the mentions still resolve),
streamed to Parquet with polars' ``sink_parquet``; employees and mentions are the source study's.
Then, in a fresh process, times ``miroir.load_study(..., streaming=True)`` and
``miroir.report(study, n_resamples=0)`` and prints the peak resident memory.

    .venv/bin/python benchmarks/stream_large.py --source /work/bench/s10m --factor 10 --out /work/bench/s100m
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

CHILD = """
import resource, sys, time
import miroir
t0 = time.perf_counter()
study = miroir.load_study(sys.argv[1], streaming=True)
t1 = time.perf_counter()
report = miroir.report(study, n_resamples=0)
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
summary = report.summary
print(f"customers {int(summary['customers'].sum()):,}, employees {int(summary['employees'].sum()):,}, "
      f"mentions {int(summary['mentions'].sum()):,}, units {report.units.height:,}")
print(f"load_study (streaming) {t1 - t0:.1f} s, report {t2 - t1:.1f} s, peak RSS {peak:,.0f} MiB")
print(report.indicators.table.select("id", "estimate").to_dicts())
"""


def build(source: Path, out: Path, factor: int) -> None:
    import polars as pl

    out.mkdir(parents=True, exist_ok=True)
    for name in ("employees", "mentions"):
        shutil.copy(source / f"{name}.parquet", out / f"{name}.parquet")
    base = pl.scan_parquet(source / "customers.parquet")
    copies = [base] + [
        base.with_columns(pl.col("customer_id") + f"-r{k}") for k in range(1, factor)
    ]
    t = time.perf_counter()
    pl.concat(copies).sink_parquet(out / "customers.parquet", row_group_size=1 << 17)
    print(f"wrote {out / 'customers.parquet'} in {time.perf_counter() - t:.1f} s")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", type=Path, default=Path("benchmarks/data/s10m"))
    p.add_argument("--factor", type=int, default=10)
    p.add_argument("--out", type=Path, default=Path("benchmarks/data/s100m"))
    a = p.parse_args()
    if not (a.out / "customers.parquet").is_file():
        build(a.source, a.out, a.factor)
    return subprocess.run([sys.executable, "-c", CHILD, str(a.out)]).returncode


if __name__ == "__main__":
    sys.exit(main())
