"""miroir.stats versus scipy.stats on the same inputs, timed in-process.

    .venv/bin/python benchmarks/bench_kernel.py            # 1M values, 9,999 x 1,000 bootstrap
    .venv/bin/python benchmarks/bench_kernel.py --quick    # 100k values, 1,999 x 1,000

Each figure is the best (minimum) of a few repetitions after one warm-up call: on a shared
machine other jobs only ever make a run slower. Before timing, the script checks that both
libraries give the same point estimates (and prints the two BCa intervals of the bootstrap,
which agree only within Monte Carlo error: the random streams differ). It then re-runs the
bootstrap in subprocesses with RAYON_NUM_THREADS=1 and 2 to show the parallel speed-up and to
assert that the interval does not depend on the number of threads.

Times include everything a user pays: for miroir the conversion of the numpy arrays into
polars Series, the call into Rust and the one-row result DataFrame; for scipy its own
validation and result object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy
import scipy.stats as ss

import miroir
import miroir.stats as ms
from miroir._frames import to_float_series


def best_ms(f: Callable[[], Any], reps: int) -> float:
    """Best wall time of ``reps`` calls (after one untimed warm-up), in milliseconds."""
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def threads() -> str:
    env = os.environ.get("RAYON_NUM_THREADS")
    return env if env else f"{len(os.sched_getaffinity(0))} (rayon default: one per CPU)"


def data(n: int, n_boot: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    y = 0.3 * x + rng.normal(size=n)
    a = rng.normal(size=n)
    b = rng.normal(size=n) + 0.01
    return {"x": x, "y": y, "a": a, "b": b, "xb": x[:n_boot].copy(), "yb": y[:n_boot].copy()}


def scipy_r(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    """The statistic an idiomatic scipy user passes to bootstrap(vectorized=True)."""
    return ss.pearsonr(x, y, axis=axis).statistic


def miroir_boot(d: dict[str, np.ndarray], n_resamples: int) -> Any:
    return ms.bootstrap_pearson(d["xb"], d["yb"], n_resamples=n_resamples, method="bca", seed=0)


def scipy_boot(d: dict[str, np.ndarray], n_resamples: int) -> Any:
    return ss.bootstrap(
        (d["xb"], d["yb"]),
        scipy_r,
        paired=True,
        vectorized=True,
        method="BCa",
        n_resamples=n_resamples,
        rng=np.random.default_rng(0),
    )


def close(a: float, b: float, rtol: float = 1e-9, atol: float = 0.0) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=atol))


def check_agreement(d: dict[str, np.ndarray], n_resamples: int) -> list[str]:
    """Same point estimates (and statistics) from both libraries; returns printable lines."""
    x, y, a, b = d["x"], d["y"], d["a"], d["b"]
    lines = []

    def one(name: str, mine: float, theirs: float, rtol: float = 1e-9) -> None:
        ok = close(mine, theirs, rtol)
        lines.append(f"| {name} | {mine:.12g} | {theirs:.12g} | {'ok' if ok else 'MISMATCH'} |")
        assert ok, f"{name}: miroir {mine!r} != scipy {theirs!r}"

    r = ms.pearson(x, y).row(0, named=True)
    s = ss.pearsonr(x, y)
    one("pearson r", r["estimate"], s.statistic)
    w = ms.welch_t(a, b).row(0, named=True)
    s = ss.ttest_ind(a, b, equal_var=False)
    one("welch_t t", w["statistic"], s.statistic)
    one("welch_t p", w["p_value"], s.pvalue, 1e-7)
    m = ms.mann_whitney(a, b).row(0, named=True)
    s = ss.mannwhitneyu(a, b)
    one("mann_whitney U", m["statistic"], s.statistic)
    one("mann_whitney p", m["p_value"], s.pvalue, 1e-7)
    sp = ms.spearman(x, y).row(0, named=True)
    one("spearman rho", sp["estimate"], ss.spearmanr(x, y).statistic)
    k = ms.kendall(x, y).row(0, named=True)
    one("kendall tau", k["estimate"], ss.kendalltau(x, y).statistic)
    bm = miroir_boot(d, n_resamples).row(0, named=True)
    bs = scipy_boot(d, n_resamples)
    one("bootstrap_pearson r", bm["estimate"], ss.pearsonr(d["xb"], d["yb"]).statistic)
    lines.append("")
    lines.append(f"BCa 95% interval of r ({n_resamples} resamples of {len(d['xb'])} pairs):")
    lines.append(f"  miroir  [{bm['ci_low']:.4f}, {bm['ci_high']:.4f}]  (seed 0, ChaCha8 streams)")
    lines.append(
        f"  scipy   [{bs.confidence_interval.low:.4f}, {bs.confidence_interval.high:.4f}]"
        "  (default_rng(0))"
    )
    lines.append(
        f"  bootstrap SE: miroir {bm['std_error']:.4f}, scipy {bs.standard_error:.4f}"
    )
    # different streams: the bounds agree within Monte Carlo error, not bit for bit
    for mine, theirs in ((bm["ci_low"], bs.confidence_interval.low), (bm["ci_high"], bs.confidence_interval.high)):
        assert abs(mine - theirs) < 0.5 * bs.standard_error, (mine, theirs)
    return lines


def bootstrap_child(n: int, n_boot: int, n_resamples: int, reps: int) -> None:
    """Subprocess mode: time the bootstrap under the inherited RAYON_NUM_THREADS, print JSON."""
    d = data(n, n_boot)
    t = best_ms(lambda: miroir_boot(d, n_resamples), reps)
    r = miroir_boot(d, n_resamples).row(0, named=True)
    print(json.dumps({"ms": t, "ci": [r["ci_low"].hex(), r["ci_high"].hex()], "low": r["ci_low"], "high": r["ci_high"]}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100k values, 1,999 resamples")
    ap.add_argument("--no-kendall", action="store_true", help="skip Kendall's tau")
    ap.add_argument(
        "--rounds", type=int, default=1, help="time the whole table this many times, keep each cell's best"
    )
    ap.add_argument("--bootstrap-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    n, n_boot, n_res = (100_000, 1_000, 1_999) if args.quick else (1_000_000, 1_000, 9_999)
    reps, slow_reps = (5, 3) if args.quick else (7, 3)
    if args.bootstrap_child:
        bootstrap_child(n, n_boot, n_res, reps)
        return

    d = data(n, n_boot)
    x, y, a, b, xb, yb = (d[k] for k in ("x", "y", "a", "b", "xb", "yb"))
    print(f"# miroir {miroir.__version__} vs scipy {scipy.__version__} (numpy {np.__version__})")
    print(
        f"machine: {os.cpu_count()} logical CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}; "
        f"miroir threads: {threads()}; Python {platform.python_version()}; "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    print(
        f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}; each time = best of {reps} runs "
        f"({slow_reps} for the slow ones) x {args.rounds} round(s)"
    )
    print()
    print("## Agreement (same inputs)")
    print()
    print("| quantity | miroir | scipy | |")
    print("|---|---:|---:|---|")
    for line in check_agreement(d, n_res):
        print(line)
    print()

    # (label, size, miroir call, scipy call, repetitions for miroir, for scipy)
    cases: list[tuple[str, str, Callable[[], Any], Callable[[], Any], int, int]] = [
        ("pearson / pearsonr", f"{n:,}", lambda: ms.pearson(x, y), lambda: ss.pearsonr(x, y), reps, reps),
        (
            "welch_t / ttest_ind(equal_var=False)",
            f"{n:,} + {n:,}",
            lambda: ms.welch_t(a, b),
            lambda: ss.ttest_ind(a, b, equal_var=False),
            reps,
            reps,
        ),
        (
            "mann_whitney / mannwhitneyu",
            f"{n:,} + {n:,}",
            lambda: ms.mann_whitney(a, b),
            lambda: ss.mannwhitneyu(a, b),
            slow_reps,
            slow_reps,
        ),
        ("spearman / spearmanr", f"{n:,}", lambda: ms.spearman(x, y), lambda: ss.spearmanr(x, y), slow_reps, slow_reps),
    ]
    if not args.no_kendall:
        cases.append(
            ("kendall / kendalltau", f"{n:,}", lambda: ms.kendall(x, y), lambda: ss.kendalltau(x, y), slow_reps, slow_reps)
        )
    cases.append(
        (
            "bootstrap_pearson BCa / bootstrap(paired, vectorized, BCa)",
            f"{n_res:,} x {n_boot:,} pairs",
            lambda: miroir_boot(d, n_res),
            lambda: scipy_boot(d, n_res),
            reps,
            slow_reps,
        )
    )
    # rounds: the whole table is timed `rounds` times, interleaved, keeping each cell's best
    best_m = {name: float("inf") for name, *_ in cases}
    best_s = dict(best_m)
    for _ in range(args.rounds):
        for name, _size, mine, theirs, km, ks in cases:
            best_m[name] = min(best_m[name], best_ms(mine, km))
            best_s[name] = min(best_s[name], best_ms(theirs, ks))
    print("## Time")
    print()
    print("| function (miroir / scipy) | n | miroir (ms) | scipy (ms) | scipy / miroir |")
    print("|---|---:|---:|---:|---:|")
    ratios = {}
    for name, size, *_ in cases:
        tm, ts = best_m[name], best_s[name]
        ratios[name] = ts / tm
        print(f"| {name} | {size} | {tm:.1f} | {ts:.1f} | {ts / tm:.1f}x |")
    print()

    # where the time of a miroir call goes: the numpy -> polars conversion is zero-copy
    conv = best_ms(lambda: (to_float_series(x, "x"), to_float_series(y, "y")), reps)
    tiny = best_ms(lambda: ms.pearson(x[:10], y[:10]), reps)
    print(f"overhead: numpy -> polars conversion of 2 x {n:,} values {conv:.2f} ms; "
          f"a pearson call on 10 values {tiny:.3f} ms (Python + binding + result DataFrame)")
    print()

    print("## Bootstrap threads (subprocesses, RAYON_NUM_THREADS)")
    print()
    print("| threads | bootstrap_pearson BCa (ms) | interval |")
    print("|---:|---:|---|")
    out: dict[int, dict[str, Any]] = {}
    for _ in range(args.rounds):
        for nt in (1, 2):
            env = dict(os.environ, RAYON_NUM_THREADS=str(nt))
            cmd = [sys.executable, __file__, "--bootstrap-child"] + (["--quick"] if args.quick else [])
            res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            got = json.loads(res.stdout.strip().splitlines()[-1])
            if nt in out:
                assert got["ci"] == out[nt]["ci"]
            if nt not in out or got["ms"] < out[nt]["ms"]:
                out[nt] = got
    for nt in (1, 2):
        print(f"| {nt} | {out[nt]['ms']:.1f} | [{out[nt]['low']:.6f}, {out[nt]['high']:.6f}] |")
    assert out[1]["ci"] == out[2]["ci"], f"interval depends on the thread count: {out}"
    print()
    print(f"parallel speed-up 1 -> 2 threads: {out[1]['ms'] / out[2]['ms']:.2f}x; intervals identical to the last bit")
    target = ratios[cases[-1][0]]
    print(f"bootstrap target (>= 20x faster than scipy): {'met' if target >= 20 else 'MISSED'} ({target:.1f}x)")


if __name__ == "__main__":
    main()
