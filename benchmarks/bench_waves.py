"""Comparing two barometer waves against the price of two reports (issue 18's target).

    .venv/bin/python benchmarks/bench_waves.py            # two waves of 1M customers, 200k employees
    .venv/bin/python benchmarks/bench_waves.py --quick    # 100k customers

One run each, after one untimed warm-up of each call on a small barometer. Timed, in-process, on
the same two waves of ``synthetic_study(studies=20, ..., waves=2)``:

1. ``miroir.report(wave)`` for both waves (the reference: what a barometer team runs today);
2. ``miroir.compare_waves(waves, "W1", "W2")`` (respondent-level changes per study and pooled,
   paired unit tests, the linkage change with its 1,999-resample bootstrap, both waves' moments);
3. ``miroir.compare_waves(..., by="region")`` (the same per region, with the cross-cut
   confidentiality check).

Both reports and the comparisons use their default resamples (1,999). The ratio printed is
comparison time / time of the two reports; the target is below 2.
"""

from __future__ import annotations

import argparse
import time
import warnings

import miroir


def timed(label: str, call) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = call()
    elapsed = time.perf_counter() - start
    print(f"  {label:<48} {elapsed:8.2f} s")
    return elapsed, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100k customers per wave")
    args = parser.parse_args()
    customers = 100_000 if args.quick else 1_000_000
    employees = customers // 5
    warnings.simplefilter("ignore", miroir.DataQualityWarning)

    small = miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1, waves=2)
    for w in small.values():
        miroir.report(w)
    miroir.compare_waves(small, "W1", "W2")
    miroir.compare_waves(small, "W1", "W2", by="region")

    start = time.perf_counter()
    waves = miroir.synthetic_study(studies=20, employees=employees, customers=customers, seed=0, waves=2)
    print(f"two waves of {customers:,} customers and {employees:,} employees generated in "
          f"{time.perf_counter() - start:.1f} s")
    t_reports = sum(timed(f"report({label})", lambda w=w: miroir.report(w))[0] for label, w in waves.items())
    print(f"  {'two reports':<48} {t_reports:8.2f} s")
    t_cmp, cmp = timed("compare_waves(W1, W2)", lambda: miroir.compare_waves(waves, "W1", "W2"))
    t_reg, _ = timed("compare_waves(W1, W2, by='region')",
                     lambda: miroir.compare_waves(waves, "W1", "W2", by="region"))
    print(f"ratio compare_waves / two reports: {t_cmp / t_reports:.2f}  (by region: {t_reg / t_reports:.2f})")
    print(getattr(cmp, "headline", ""))


if __name__ == "__main__":
    main()
