"""Signals: SIGINT (Ctrl-C) during a long call must raise KeyboardInterrupt within 2 s, leave
the interpreter usable, and end the CLI promptly. Each case sends the signal to its own
process (it runs in a subprocess of its own)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from harness import OK, HangDetected, case, raises

from ._util import expect_interrupt

LONG_X = [float(i % 97) for i in range(2000)]
LONG_Y = [float((i * 31) % 89) + 0.01 * i for i in range(2000)]
INTERRUPTED = raises("KeyboardInterrupt")


def _ms():
    import miroir.stats as ms

    return ms


@case("signals", INTERRUPTED, timeout=15, weight=3)
def sigint_during_permutation(ctx):
    """SIGINT during permutation_pearson(n = 2000, n_resamples=5*10**6): KeyboardInterrupt
    within 2 s."""
    expect_interrupt(lambda: _ms().permutation_pearson(LONG_X, LONG_Y, n_resamples=5 * 10**6))


@case("signals", INTERRUPTED, timeout=15, weight=3)
def sigint_during_bootstrap(ctx):
    """SIGINT during bootstrap_pearson(n = 2000, n_resamples=3*10**6): KeyboardInterrupt within 2 s."""
    expect_interrupt(lambda: _ms().bootstrap_pearson(LONG_X, LONG_Y, n_resamples=3 * 10**6))


@case("signals", INTERRUPTED, timeout=15, weight=3)
def sigint_during_cluster_bootstrap(ctx):
    """SIGINT during a cluster bootstrap (n_resamples=2*10**6): KeyboardInterrupt within 2 s."""
    groups = [f"g{i % 50}" for i in range(len(LONG_X))]
    expect_interrupt(lambda: _ms().bootstrap_pearson(LONG_X, LONG_Y, n_resamples=2 * 10**6, clusters=groups))


@case("signals", INTERRUPTED, timeout=15, weight=3)
def sigint_during_linkage_bootstrap(ctx):
    """SIGINT during linkage(..., n_resamples=3*10**6) of a study: KeyboardInterrupt within 2 s."""
    import miroir

    s = ctx.study()
    expect_interrupt(lambda: miroir.linkage(s, n_resamples=3 * 10**6))


@case("signals", INTERRUPTED, timeout=15, weight=3)
def sigint_during_synthetic_study(ctx):
    """SIGINT during synthetic_study(customers=4 million), several seconds of Rust: KeyboardInterrupt
    within 2 s."""
    import miroir

    expect_interrupt(lambda: miroir.synthetic_study(studies=20, employees=800_000, customers=4_000_000), delay=0.5)


@case("signals", OK, timeout=15, weight=3)
def sigint_then_interpreter_still_works(ctx):
    """After a KeyboardInterrupt in a bootstrap, the next calls give the same results as in a
    fresh process (no poisoned pool, no lock held)."""
    import miroir

    ms = _ms()
    want = ms.bootstrap_pearson(LONG_X[:200], LONG_Y[:200], n_resamples=999, seed=2)
    try:
        expect_interrupt(lambda: ms.bootstrap_pearson(LONG_X, LONG_Y, n_resamples=3 * 10**6))
    except KeyboardInterrupt:
        pass
    got = ms.bootstrap_pearson(LONG_X[:200], LONG_Y[:200], n_resamples=999, seed=2)
    assert got.equals(want), "the bootstrap after an interrupt differs"
    s = ctx.study()
    miroir.report(s, n_resamples=199)


@case("signals", OK, timeout=20, weight=4)
def sigint_to_cli(ctx):
    """SIGINT to `miroir demo` on a large synthetic study: the process ends within 2 s, with
    exit 130 (or killed by SIGINT), no panic and no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "miroir.cli", "demo", "--studies", "20", "--employees", "800000",
         "--customers", "4000000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    if proc.poll() is not None:
        raise AssertionError(f"the demo ended before the signal (exit {proc.returncode}): make it larger")
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise HangDetected("`miroir demo` still running 10 s after SIGINT") from None
    took = time.monotonic() - sent
    if took > 2:
        raise HangDetected(f"`miroir demo` ended {took:.1f} s after SIGINT (limit 2 s)")
    assert proc.returncode in (130, -signal.SIGINT), f"exit {proc.returncode}"
    assert "panicked" not in err, err[-300:]
    assert "Traceback" not in err, "a traceback on Ctrl-C"
