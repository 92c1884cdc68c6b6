"""The full-report benchmark: miroir against a pandas + scipy + statsmodels reference and a
polars floor, on synthetic studies of 100k, 1M and 10M customers.

    .venv/bin/python benchmarks/run_report_bench.py                       # 100k, 1M, 10M
    .venv/bin/python benchmarks/run_report_bench.py --sizes 100k,1m --check
    .venv/bin/python benchmarks/run_report_bench.py --data-dir /work/bench --markdown

For each size the study is generated once with ``miroir synth --customers N --employees N/5``
(mentions in the generator's default proportions) into ``<data-dir>/s100k``, ``s1m``, ``s10m``
(default ``benchmarks/data/``, git-ignored) and reused when present. Each implementation then
runs in a fresh Python subprocess, so that its peak resident memory is its own:

* ``miroir``: ``study = miroir.load_study(folder); miroir.report(study, n_resamples=0)`` (no
  bootstrap; with an extension that refuses 0 it falls back to 100 resamples and says so);
* ``bare``: ``floor_polars.bare_floor(folder)``, a polars lazy scan and the group-bys of the
  columns the report reads (no statistics, no check);
* ``floor``: ``floor_polars.validated_floor(folder)``, the same plus every check ``load_study``
  makes (the validated floor);
* ``reference``: ``reference_pandas.report(folder)``, pandas + scipy + statsmodels.

Time is ``time.perf_counter`` around load + analysis inside the child (interpreter start-up and
imports excluded); peak memory is the child's ``ru_maxrss`` at the end (imports included: about
60 MiB for polars + miroir, 150 MiB for pandas + scipy + statsmodels; the import footprint is
printed with ``--verbose``). ``--repeat K`` runs each child K times and keeps the fastest run
(and its peak memory), which is what a shared machine calls for.

``--check`` also compares the numbers: every table of miroir's report against the reference
(units, linkage per study and pooled, exposure gap, moments, moment effects, indicators,
summary), floats to a relative tolerance of 1e-9 (``--rtol``), labels and counts exactly. It
prints the largest relative difference per table and exits with status 1 naming the table,
column and row of every mismatch.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
IMPLEMENTATIONS = ("miroir", "bare", "floor", "reference")
FLOORS = ("bare", "floor")  # no report tables to dump or compare

# Columns compared by --check, per table: the keys that identify a row, then the values.
# Floats are compared to --rtol, everything else exactly; null and NaN count as equal.
CHECKED: dict[str, tuple[list[str], list[str]]] = {
    "summary": (["study"], ["sector", "units", "employees", "customers", "mentions",
                            "customer_facing_share", "mean_engagement", "share_satisfied"]),
    "units": (["study", "unit"], ["n_employees", "mean_engagement", "n_customers", "share_satisfied",
                                  "mean_satisfaction", "suppressed", "suppression"]),
    "linkage": (["level", "study"], [
        "n_units", "n_employees", "n_customers", "estimate", "p_value", "ci_low", "ci_high", "tau2",
        "i2", "q_p", "icc1", "icc2", "high_units", "share_satisfied_high", "share_satisfied_rest",
        "satisfied_diff", "satisfied_diff_ci_low", "satisfied_diff_ci_high", "satisfied_diff_p",
        "top_units", "engagement_top", "engagement_rest", "uplift", "uplift_ci_low", "uplift_ci_high"]),
    "exposure_gap": (["level", "study"], [
        "n_facing", "n_other", "mean_facing", "mean_other", "gap", "statistic", "df", "p_value",
        "ci_low", "ci_high", "hedges_g", "g_ci_low", "g_ci_high", "mw_statistic", "mw_p_value",
        "rank_biserial", "adjusted_gap", "adjusted_std_error", "adjusted_ci_low", "adjusted_ci_high",
        "adjusted_p_value", "largest", "suppressed"]),
    "moments": (["theme"], [
        "moment", "action", "p_value", "q_value", "customer_mentions", "customer_positive",
        "customer_negative", "customer_positive_share", "customer_axis", "customer_p",
        "employee_mentions", "employee_positive", "employee_negative", "employee_positive_share",
        "employees_mentioning", "employee_share", "employee_share_upper", "employee_axis",
        "employee_p", "customer_suppressed", "employee_suppressed", "customer_example",
        "employee_example", "note"]),
    "moment_effects": (["moment", "side"], [
        "outcome", "n_themes", "n_mentioning", "n_other", "mean_mentioning", "mean_other", "estimate",
        "statistic", "df", "p_value", "ci_low", "ci_high", "hedges_g", "q_value", "suppressed"]),
    "indicators": (["id"], ["estimate", "ci_low", "ci_high", "n"]),
}
# p-values below the smallest normal double: scipy returns 0 (underflow), miroir returns
# 2.2e-308 with a note (DESIGN.md: "p = 2e-24 must not print as 0"), and BH doubles it. Both
# mean "below 1e-305"; such pairs are counted apart, not as differences.
UNDERFLOW = 1e-305
# Bootstrap intervals: only comparable when miroir ran without bootstrap (both NaN).
BOOTSTRAP = {("linkage", "uplift_ci_low"), ("linkage", "uplift_ci_high"),
             ("indicators", "ci_low@top_cx_engagement_uplift"),
             ("indicators", "ci_high@top_cx_engagement_uplift")}


# ---------------------------------------------------------------------------------------------
# Child: one implementation, one folder
# ---------------------------------------------------------------------------------------------


def _rss_mib() -> float:
    """Current resident set size (Linux /proc), MiB."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return math.nan


def child(impl: str, folder: str, out: str, dump: str | None) -> None:
    sys.path.insert(0, str(HERE))
    note = None
    if impl == "miroir":
        import warnings

        import miroir

        warnings.simplefilter("ignore")  # DataQualityWarning (one-sided units) is expected

        def run() -> Any:
            nonlocal note
            study = miroir.load_study(folder)
            try:
                return miroir.report(study, n_resamples=0)
            except (miroir.InvalidArgumentError, ValueError) as e:
                if "n_resamples" not in str(e):
                    raise
                note = "n_resamples=0 refused by this build: ran with n_resamples=100 (bootstrap included)"
                return miroir.report(study, n_resamples=100)
    elif impl in FLOORS:
        import polars  # noqa: F401

        from floor_polars import bare_floor, validated_floor

        query = bare_floor if impl == "bare" else validated_floor

        def run() -> Any:
            return query(folder)
    elif impl == "reference":
        import reference_pandas

        # modules statsmodels' formula interface imports on first use: not part of the timing
        for name in ("patsy", "formulaic", "statsmodels.regression.linear_model"):
            try:
                __import__(name)
            except ImportError:
                pass

        def run() -> Any:
            return reference_pandas.report(folder)
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    rss_imports = _rss_mib()
    t0 = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    record = {"impl": impl, "seconds": seconds, "peak_mib": peak, "import_rss_mib": rss_imports,
              "note": note}
    if impl == "miroir":
        record["bootstrap"] = note is not None
    Path(out).write_text(json.dumps(record))
    if dump and impl not in FLOORS:
        import pickle

        if impl == "miroir":
            tables = result.tables() if callable(getattr(result, "tables", None)) else result.tables
            frames = {}
            for name, value in tables.items():
                value = getattr(value, "table", value)  # result objects forward to a .table
                if value is not None:
                    frames[name] = value.to_pandas()
        else:
            frames = result
        with open(dump, "wb") as fh:
            pickle.dump(frames, fh)


# ---------------------------------------------------------------------------------------------
# Parent: data, subprocesses, table
# ---------------------------------------------------------------------------------------------


def parse_size(text: str) -> tuple[str, int]:
    key = text.strip().lower()
    if key in SIZES:
        return key, SIZES[key]
    mult = {"k": 1_000, "m": 1_000_000}.get(key[-1:], 1)
    number = float(key[:-1]) if key[-1:] in "km" else float(key)
    n = int(number * mult)
    if n < 1000:
        raise argparse.ArgumentTypeError(f"size {text!r}: at least 1k customers")
    return key, n


def study_folder(data_dir: Path, key: str, customers: int) -> Path:
    """``<data-dir>/s<key>``, generated with ``miroir synth`` unless already there."""
    folder = data_dir / f"s{key}"
    if all((folder / f"{t}.parquet").is_file() for t in ("employees", "customers", "mentions")):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    script = Path(sys.executable).with_name("miroir")
    cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "miroir.cli"]
    cmd += ["synth", "--customers", str(customers), "--employees", str(customers // 5),
            "--out", str(folder)]
    print(f"generating {folder}: {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    print(f"  generated in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


def run_child(impl: str, folder: Path, threads: int | None, dump: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if threads:
        for var in ("POLARS_MAX_THREADS", "RAYON_NUM_THREADS", "OMP_NUM_THREADS",
                    "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", impl, str(folder), str(out)]
        if dump is not None:
            cmd += ["--dump", str(dump)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"{impl} failed on {folder} (exit {proc.returncode})")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# --check
# ---------------------------------------------------------------------------------------------


def _missing(v: Any) -> bool:
    import pandas as pd

    return v is None or v is pd.NA or v is pd.NaT or (_number(v) and math.isnan(float(v)))


def _number(v: Any) -> bool:
    import numpy as np

    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def compare(mine: dict[str, Any], ref: dict[str, Any], rtol: float,
            bootstrap: bool) -> tuple[dict[str, tuple[float, str]], list[str], list[str]]:
    """Largest relative difference per table (and where), the mismatches (table, column, row)
    and the pairs of underflowed p-values."""
    worst: dict[str, tuple[float, str]] = {}
    problems: list[str] = []
    underflow: list[str] = []
    for table, (keys, columns) in CHECKED.items():
        a, b = mine.get(table), ref.get(table)
        if a is None or b is None:
            if (a is None) != (b is None):
                problems.append(f"{table}: present in {'reference' if a is None else 'miroir'} only")
            continue
        a = a.reset_index(drop=True).astype(object)
        b = b.reset_index(drop=True).astype(object)
        key_a = [tuple(r) for r in a[keys].itertuples(index=False)]
        key_b = [tuple(r) for r in b[keys].itertuples(index=False)]
        if key_a != key_b:
            set_a, set_b = set(key_a), set(key_b)
            only_a = [k for k in key_a if k not in set_b][:3]
            only_b = [k for k in key_b if k not in set_a][:3]
            problems.append(f"{table}: rows differ (miroir only {only_a}, reference only {only_b}, "
                            f"or a different order)")
            continue
        worst[table] = (0.0, "")
        for col in columns:
            if col not in a.columns or col not in b.columns:
                problems.append(f"{table}.{col}: missing in {'miroir' if col not in a.columns else 'reference'}")
                continue
            for i, (x, y) in enumerate(zip(a[col], b[col])):
                row = "/".join(str(k) for k in key_a[i])
                if bootstrap and ((table, col) in BOOTSTRAP or (table, f"{col}@{row}") in BOOTSTRAP):
                    continue
                if _missing(x) or _missing(y):
                    if not (_missing(x) and _missing(y)):
                        problems.append(f"{table}.{col} [{row}]: miroir {x!r} vs reference {y!r}")
                    continue
                if _number(x) and _number(y):
                    x, y = float(x), float(y)
                    if x == y:
                        continue
                    if math.isinf(x) or math.isinf(y):
                        problems.append(f"{table}.{col} [{row}]: miroir {x!r} vs reference {y!r}")
                        continue
                    if max(abs(x), abs(y)) <= UNDERFLOW:
                        underflow.append(f"{table}.{col} [{row}]")
                        continue
                    rel = abs(x - y) / max(abs(x), abs(y))
                    if rel > worst[table][0]:
                        worst[table] = (rel, f"{col} [{row}]")
                    if rel > rtol:
                        problems.append(f"{table}.{col} [{row}]: miroir {x!r} vs reference {y!r} "
                                        f"(relative difference {rel:.2e})")
                elif x != y:
                    problems.append(f"{table}.{col} [{row}]: miroir {x!r} vs reference {y!r}")
    return worst, problems, underflow


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if a > 0 and b > 0 else "-"


def print_table(rows: list[dict[str, Any]], markdown: bool) -> None:
    head = ["customers", "employees", "miroir (s)", "bare floor (s)", "validated floor (s)", "reference (s)",
            "miroir / validated floor", "reference / miroir", "miroir peak (MiB)", "bare floor peak (MiB)",
            "validated floor peak (MiB)", "reference peak (MiB)"]
    body = []
    for r in rows:
        t = {k: r[k]["seconds"] if k in r else math.nan for k in IMPLEMENTATIONS}
        m = {k: r[k]["peak_mib"] if k in r else math.nan for k in IMPLEMENTATIONS}
        body.append([f"{r['customers']:,}", f"{r['customers'] // 5:,}",
                     *(f"{t[k]:.2f}" if not math.isnan(t[k]) else "-" for k in IMPLEMENTATIONS),
                     _ratio(t["miroir"], t["floor"]), _ratio(t["reference"], t["miroir"]),
                     *(f"{m[k]:,.0f}" if not math.isnan(m[k]) else "-" for k in IMPLEMENTATIONS)])
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---:" for _ in head) + "|")
        for line in body:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(line[i]) for line in body)) for i, h in enumerate(head)]
        print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
        for line in body:
            print("  ".join(c.rjust(w) for c, w in zip(line, widths)))


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    return (f"{cpu}, {len(os.sched_getaffinity(0))} CPUs, load average {load:.2f}, "
            f"Python {platform.python_version()}")


def versions() -> str:
    out = []
    for name in ("miroir", "polars", "pandas", "scipy", "statsmodels", "pyarrow"):
        code = f"import {name}; print({name}.__version__)"
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        out.append(f"{name} {res.stdout.strip() or '?'}")
    return ", ".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100k,1m,10m",
                   help="comma-separated customer counts: 100k, 1m, 10m (or e.g. 250k); default all three")
    p.add_argument("--data-dir", type=Path, default=HERE / "data",
                   help="where the studies live, as s100k/, s1m/, s10m/ (default benchmarks/data)")
    p.add_argument("--threads", type=int, default=None,
                   help="POLARS_MAX_THREADS, RAYON_NUM_THREADS (and the BLAS/OpenMP variables) in the children")
    p.add_argument("--only", default=",".join(IMPLEMENTATIONS),
                   help="comma-separated implementations to run (default miroir,bare,floor,reference)")
    p.add_argument("--repeat", type=int, default=1, help="runs per implementation, best kept (default 1)")
    p.add_argument("--check", action="store_true", help="compare miroir's tables with the reference's")
    p.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance of --check (default 1e-9)")
    p.add_argument("--markdown", action="store_true", help="print the result table as Markdown")
    p.add_argument("--json", type=Path, default=None, help="also write the measurements as JSON")
    p.add_argument("--verbose", action="store_true", help="print each run as it finishes")
    p.add_argument("--child", nargs=3, metavar=("IMPL", "FOLDER", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--dump", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        impl, folder, out = args.child
        child(impl, folder, out, args.dump)
        return 0

    only = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := set(only) - set(IMPLEMENTATIONS):
        p.error(f"--only: unknown implementation(s) {sorted(unknown)}")
    if args.check and not {"miroir", "reference"} <= set(only):
        p.error("--check needs both miroir and reference in --only")
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    print(f"machine: {machine()}")
    print(f"versions: {versions()}")
    print(f"threads: {args.threads or 'library defaults'}; best of {args.repeat} run(s) per cell\n", flush=True)

    rows: list[dict[str, Any]] = []
    failed = False
    notes: set[str] = set()
    workdir = Path(tempfile.mkdtemp(prefix="miroir-bench-"))
    try:
        for key, customers in sizes:
            folder = study_folder(args.data_dir, key, customers)
            row: dict[str, Any] = {"size": key, "customers": customers, "folder": str(folder)}
            dumps: dict[str, Path] = {}
            for impl in only:
                best = None
                for rep in range(args.repeat):
                    dump = workdir / f"{key}-{impl}.pkl" if args.check and rep == 0 and impl not in FLOORS else None
                    rec = run_child(impl, folder, args.threads, dump)
                    if dump is not None:
                        dumps[impl] = dump
                    if args.verbose:
                        print(f"  {key} {impl:9s} {rec['seconds']:8.3f} s  peak {rec['peak_mib']:8.0f} MiB"
                              f"  (after imports {rec['import_rss_mib']:.0f} MiB)", flush=True)
                    if rec.get("note"):
                        notes.add(rec["note"])
                    if best is None or rec["seconds"] < best["seconds"]:
                        best = rec
                row[impl] = best
            rows.append(row)
            if args.check:
                import pickle

                with open(dumps["miroir"], "rb") as fh:
                    mine = pickle.load(fh)
                with open(dumps["reference"], "rb") as fh:
                    ref = pickle.load(fh)
                bootstrap = bool(row["miroir"].get("bootstrap"))
                worst, problems, underflow = compare(mine, ref, args.rtol, bootstrap)
                row["check"] = {"max_relative_difference": {t: w[0] for t, w in worst.items()},
                                "where": {t: w[1] for t, w in worst.items()}, "mismatches": problems,
                                "underflow": underflow}
                print(f"check {key}: largest relative difference per table (tolerance {args.rtol:g})")
                for table, (rel, where) in worst.items():
                    print(f"  {table:15s} {rel:.1e}  {where}")
                if underflow:
                    print(f"  {len(underflow)} value(s) below 1e-305 on both sides (scipy 0, miroir "
                          f"2.2e-308 by design), e.g. {underflow[0]}")
                if bootstrap:
                    print("  (uplift bootstrap intervals not compared: miroir ran with a bootstrap)")
                if problems:
                    failed = True
                    print(f"  {len(problems)} mismatch(es):")
                    for line in problems[:50]:
                        print(f"    {line}")
                    if len(problems) > 50:
                        print(f"    ... {len(problems) - 50} more")
                else:
                    print("  all tables agree")
                print(flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print_table(rows, args.markdown)
    for n in sorted(notes):
        print(f"\nnote: miroir {n}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "threads": args.threads,
                                         "repeat": args.repeat, "rows": rows}, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
