"""Concurrency: four Python threads on one study at once. Results must be identical to a
sequential run (same bytes), with no deadlock, panic or crash."""

from __future__ import annotations

import threading

from harness import OK, case

THREADS = 4


def _m():
    import miroir

    return miroir


def _parallel(funcs):
    """Run the callables in threads released together; their results (or re-raise the first error)."""
    barrier = threading.Barrier(len(funcs))
    results = [None] * len(funcs)
    errors: list[BaseException] = []

    def work(i, f):
        try:
            barrier.wait()
            results[i] = f()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i, f)) for i, f in enumerate(funcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def _same(a, b, what):
    from ._util import assert_same_tables

    if isinstance(a, dict):
        assert_same_tables(a, b, what)
    else:
        assert a.equals(b), f"{what}: differs from the sequential run"


@case("concurrency", OK, weight=4)
def four_threads_report(ctx):
    """4 threads run miroir.report (with the bootstrap) on one study at once: each result
    identical to the sequential one."""
    m = _m()
    s = ctx.study()
    want = m.report(s, n_resamples=499, seed=3).tables()
    got = _parallel([lambda: m.report(s, n_resamples=499, seed=3).tables()] * THREADS)
    for i, g in enumerate(got):
        _same(g, want, f"thread {i} report")


@case("concurrency", OK, weight=3)
def four_threads_different_analyses(ctx):
    """linkage, exposure_gap, moments and indicators in 4 threads at once: each equal to its
    sequential result."""
    m = _m()
    s = ctx.study()
    calls = [lambda: m.linkage(s, n_resamples=499).table, lambda: m.exposure_gap(s, covariates=["tenure_months"]).table,
             lambda: m.moments(s).table, lambda: m.indicators(s, n_resamples=499).table]
    want = [c() for c in calls]
    for round_ in range(3):
        got = _parallel(calls)
        for i, (g, w) in enumerate(zip(got, want)):
            _same(g, w, f"round {round_} analysis {i}")


@case("concurrency", OK, weight=3)
def four_threads_load_one_folder(ctx):
    """4 threads load the same folder at once (in memory and streamed, twice each): the same
    study every time."""
    from ._util import report_tables

    m = _m()
    want = report_tables(m.load_study(ctx.parquet))
    calls = [lambda: report_tables(m.load_study(ctx.parquet)),
             lambda: report_tables(m.load_study(ctx.parquet, streaming=True, batch_rows=500))] * 2
    for i, g in enumerate(_parallel(calls)):
        _same(g, want, f"load {i}")


@case("concurrency", OK, weight=3)
def four_threads_on_a_streamed_study(ctx):
    """A streamed study: 2 threads read its tables back while 2 run the report."""
    m = _m()
    s = m.load_study(ctx.parquet, streaming=True, batch_rows=700)
    whole = m.load_study(ctx.parquet)
    want_rep = m.report(whole, n_resamples=199).tables()
    got = _parallel([lambda: s.customers, lambda: s.mentions,
                     lambda: m.report(s, n_resamples=199).tables(), lambda: m.report(s, n_resamples=199).tables()])
    _same(got[0], whole.customers, "customers read back")
    _same(got[1], whole.mentions, "mentions read back")
    _same(got[2], want_rep, "report 1")
    _same(got[3], want_rep, "report 2")


@case("concurrency", OK, weight=2)
def four_threads_kernel_bootstrap(ctx):
    """4 threads run the seeded, parallel bootstrap at once: identical intervals."""
    import miroir.stats as ms

    x = [float(i % 17) for i in range(400)]
    y = [float((i * 7) % 23) + 0.1 * i for i in range(400)]
    want = ms.bootstrap_pearson(x, y, n_resamples=4999, seed=11)
    for i, g in enumerate(_parallel([lambda: ms.bootstrap_pearson(x, y, n_resamples=4999, seed=11)] * THREADS)):
        _same(g, want, f"bootstrap thread {i}")


@case("concurrency", OK, weight=2)
def threads_and_gil_release(ctx):
    """A long Rust call (a bootstrap) in one thread does not freeze the others: a pure-Python
    thread keeps running while it computes."""
    import time

    import miroir.stats as ms

    x = [float(i % 31) for i in range(3000)]
    y = [float((i * 13) % 29) for i in range(3000)]
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    t = threading.Thread(target=ticker)
    t.start()
    start = time.monotonic()
    ms.bootstrap_pearson(x, y, n_resamples=60_000, seed=1)
    took = time.monotonic() - start
    stop.set()
    t.join()
    during = [a for a in ticks if start <= a <= start + took]
    gaps = [b - a for a, b in zip(during, during[1:])]
    if took > 0.5:
        assert during and max(gaps or [took]) < 0.5, \
            f"the bootstrap held the GIL: {len(during)} ticks in {took:.2f} s, largest gap {max(gaps or [took]):.2f} s"
