"""Timings of the large inputs the tests check for correctness only (the tests hold no
wall-clock bound): the exact binomial test at n = 10 million and the lexicon sentiment of a
100,000-character verbatim.

    .venv/bin/python benchmarks/bench_sizes.py

Each figure is the best of a few calls after one warm-up call, in milliseconds. The former test
bounds were 2 s for the four binomial tests and 5 s for the long text (order-of-magnitude
guards: both take a few milliseconds to a few hundred on two cores).
"""

from __future__ import annotations


import miroir.stats as ms
from bench_kernel import best_ms  # benchmarks/ is the script's folder
from miroir.text import clauses, sentiment


def main() -> None:
    ks = [4_990_000, 5_000_000, 5_003_000, 5_010_000]
    binom = best_ms(lambda: [ms.binom_test(k, 10_000_000, p=0.5) for k in ks], 5)
    long = "Très bon accueil, attente interminable ! " * 2_500
    english = long.replace("Très bon accueil", "Great welcome").replace("attente interminable", "awful wait")
    text = best_ms(lambda: (sentiment([long], language="fr"), sentiment([english], language="en"), clauses([long])), 5)
    print("| what | input | best (ms) |")
    print("|---|---|---:|")
    print(f"| `binom_test`, 4 values of k | n = 10,000,000 | {binom:.1f} |")
    print(f"| `sentiment` fr + en, `clauses` | {len(long):,} characters | {text:.1f} |")


if __name__ == "__main__":
    main()
