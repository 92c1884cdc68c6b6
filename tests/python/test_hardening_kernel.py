"""Hardening of the statistical kernel and its bindings (issue 12): sizes, signals, integers,
weights, OLS designs.

1. Every size argument is bounded with a typed error before anything is allocated:
   ``n_resamples=10**12`` used to abort the interpreter ("memory allocation of 8000000000000
   bytes failed"); a 2x2 table of 10**12 counts would have asked for terabytes.
2. Long calls release the GIL and stop on Ctrl-C: SIGINT during a 10-million-resample bootstrap
   or permutation test (or a report running the uplift bootstrap) gives KeyboardInterrupt
   within 2 s of the signal, measured in a subprocess; a call on another Python thread is not
   cancelled with it and its result is unchanged.
3. Integer arguments: negative, huge (2**70, 2**200), float or bool values are
   InvalidArgumentError naming the argument, never OverflowError.
4. Weights are normalised before use: equal weights of 1e160, 1e-170 or 1e308 give the same
   estimate and interval as weights of 1.
5. OLS refuses the outcome among its predictors and a predictor listed twice.

The cases that crashed or hung the interpreter run in subprocesses with a timeout, so a
regression fails the test instead of the test session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable

import polars as pl
import pytest

import miroir
import miroir.stats as ms
from miroir import _core

ROOT = Path(__file__).resolve().parents[2]
X20 = list(range(20))
Y20 = [v * v for v in X20]


def run_isolated(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs `code` in a fresh interpreter (so an abort or a hang cannot take pytest with it)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=600, customers=3000, seed=1)


@pytest.fixture(scope="module")
def folder(study: miroir.Study, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(study.write(tmp_path_factory.mktemp("hardening") / "d"))


# -- 1. sizes --------------------------------------------------------------------------------------


def test_bounds_are_exported_and_documented() -> None:
    assert ms.MAX_RESAMPLES == 10_000_000 and ms.MAX_COUNT == 2**53 and ms.MAX_FISHER_TOTAL == 10_000_000
    for f in (ms.bootstrap_pearson, ms.permutation_pearson):
        assert f.__doc__ is not None and "10,000,000" in f.__doc__ and "KeyboardInterrupt" in f.__doc__
    for f in (ms.proportion_ci, ms.binom_test, ms.two_proportions):
        assert f.__doc__ is not None and "2**53" in f.__doc__
    assert ms.fisher_exact.__doc__ is not None and "10,000,000" in ms.fisher_exact.__doc__


def test_huge_sizes_are_typed_errors_not_aborts() -> None:
    # the reproductions of the issue, in a subprocess: an abort there is a failed test here
    proc = run_isolated("""
        import miroir, miroir.stats as ms
        x, y = list(range(20)), [v * v for v in range(20)]
        s = miroir.synthetic_study(studies=3, employees=600, customers=3000, seed=1)
        calls = {
            "bootstrap": lambda: ms.bootstrap_pearson(x, y, n_resamples=10**12),
            "bootstrap_max_plus_1": lambda: ms.bootstrap_pearson(x, y, n_resamples=ms.MAX_RESAMPLES + 1),
            "permutation": lambda: ms.permutation_pearson(x, y, n_resamples=10**12),
            "linkage": lambda: miroir.linkage(s, n_resamples=10**12),
            "indicators": lambda: miroir.indicators(s, n_resamples=10**12),
            "report": lambda: miroir.report(s, n_resamples=10**12),
            "fisher": lambda: ms.fisher_exact([[10**12, 1], [1, 10**12]]),
            "fisher_total": lambda: ms.fisher_exact([[5_000_000, 5_000_000], [1, 0]]),
            "proportion": lambda: ms.proportion_ci(1, 2**60),
            "synthetic": lambda: miroir.synthetic_study(customers=2**40),
        }
        for name, call in calls.items():
            try:
                call()
                print(name, "no error")
            except Exception as e:
                print(name, type(e).__name__, str(e).replace("\\n", " "))
    """)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert len(lines) == 10, proc.stdout
    for name, message in lines.items():
        assert message.startswith("InvalidArgumentError"), (name, message)
    for name in ("bootstrap", "bootstrap_max_plus_1", "permutation", "linkage", "indicators", "report"):
        assert "'n_resamples'" in lines[name] and "10000000" in lines[name], lines[name]
    assert "'table'" in lines["fisher"] and "'table'" in lines["fisher_total"]
    assert "'n'" in lines["proportion"] and "'customers'" in lines["synthetic"]


def test_the_bounds_themselves_are_accepted() -> None:
    r = ms.permutation_pearson(X20[:6], Y20[:6], n_resamples=ms.MAX_RESAMPLES)  # exact: 6! pairings
    assert r["n_resamples"][0] == 720
    r = ms.fisher_exact([[ms.MAX_FISHER_TOTAL - 3, 1], [1, 1]])
    assert 0 <= r["p_value"][0] <= 1
    r = ms.proportion_ci(2**52, ms.MAX_COUNT)
    assert r["estimate"][0] == 0.5 and r["ci_low"][0] < 0.5 < r["ci_high"][0]


# -- 2. signals ------------------------------------------------------------------------------------

SIGINT_CHILD = """
import sys, time
import numpy as np
import miroir, miroir.stats as ms
rng = np.random.default_rng(0)
x = rng.normal(size=2000)
y = x + rng.normal(size=2000)
what = sys.argv[1]
if what == "report":
    s = miroir.synthetic_study(studies=3, employees=600, customers=3000, seed=1)
    call = lambda: miroir.report(s, n_resamples=10_000_000)
elif what == "linkage":
    s = miroir.synthetic_study(studies=3, employees=600, customers=3000, seed=1)
    call = lambda: miroir.linkage(s, n_resamples=10_000_000)
elif what == "bootstrap":
    call = lambda: ms.bootstrap_pearson(x, y, n_resamples=10_000_000)
elif what == "bootstrap_clusters":
    call = lambda: ms.bootstrap_pearson(x, y, n_resamples=10_000_000, clusters=np.arange(2000) % 50)
else:
    call = lambda: ms.permutation_pearson(x, y, n_resamples=10_000_000)
print("started", flush=True)
t0 = time.monotonic()
try:
    call()
    print("finished", flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt after", round(time.monotonic() - t0, 2), flush=True)
    sys.exit(3)
"""


@pytest.mark.parametrize("what", ["permutation", "bootstrap", "bootstrap_clusters", "linkage", "report"])
def test_sigint_stops_a_long_call_within_2_seconds(what: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SIGINT_CHILD, what],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        time.sleep(1.0)  # well inside the call: 10 million resamples take minutes
        assert proc.poll() is None, "the call ended before the signal"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        latency = time.monotonic() - sent
        out, err = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 3, (proc.returncode, out, err)
    assert "KeyboardInterrupt" in out, (out, err)
    assert latency < 2.0, f"{what}: exited {latency:.2f} s after SIGINT"


def test_sigint_does_not_cancel_a_call_on_another_thread() -> None:
    # the main thread's call is interrupted; the other thread's bootstrap, running at the same
    # time, completes with the same result as an undisturbed run
    proc = run_isolated("""
        import threading, time
        import numpy as np
        import miroir.stats as ms
        rng = np.random.default_rng(1)
        x = rng.normal(size=1000)
        y = x + rng.normal(size=1000)
        out = {}
        def background():
            out["r"] = ms.bootstrap_pearson(x, y, n_resamples=1_000_000, seed=5, method="percentile")
            out["end"] = time.monotonic()
        t = threading.Thread(target=background)
        t.start()
        import signal, os
        threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            ms.permutation_pearson(x, y, n_resamples=10_000_000)
            print("main finished")
        except KeyboardInterrupt:
            interrupted = time.monotonic()
            print("main interrupted")
        t.join()
        print("background ran past the signal", out["end"] > interrupted)
        ref = ms.bootstrap_pearson(x, y, n_resamples=1_000_000, seed=5, method="percentile")
        print("same result", str(out["r"].rows()) == str(ref.rows()))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:3] == [
        "main interrupted", "background ran past the signal True", "same result True"
    ], proc.stdout


def test_resampling_is_identical_for_any_number_of_threads() -> None:
    code = """
        import numpy as np, miroir.stats as ms
        rng = np.random.default_rng(2)
        x = rng.normal(size=300); y = x + rng.normal(size=300)
        print(ms.bootstrap_pearson(x, y, n_resamples=20_000, seed=3).rows())
        print(ms.bootstrap_pearson(x, y, n_resamples=5_000, seed=3, clusters=np.arange(300) % 17).rows())
        print(ms.permutation_pearson(x, y, n_resamples=20_000, seed=3).rows())
    """
    outs = []
    for threads in (1, 2):
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                              capture_output=True, text=True, timeout=120, env=env)
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1]


# -- 3. integers -----------------------------------------------------------------------------------

BAD_INTS: list[Any] = [-1, 2**70, -(2**70), 2**200, 1.5, 10.0, True, "5"]


def integer_calls(study: miroir.Study, folder: Path) -> dict[str, Callable[[Any], object]]:
    """One call per integer argument of the public API (the argument named by the key)."""
    return {
        "min_group_size": lambda v: miroir.Schema(min_group_size=v),
        "min_text_group_size": lambda v: miroir.Schema(min_text_group_size=v),
        "batch_rows": lambda v: miroir.load_study(folder, batch_rows=v),
        "n_resamples/report": lambda v: miroir.report(study, n_resamples=v),
        "seed/report": lambda v: miroir.report(study, n_resamples=0, seed=v),
        "n_resamples/linkage": lambda v: miroir.linkage(study, n_resamples=v),
        "seed/linkage": lambda v: miroir.linkage(study, seed=v),
        "n_resamples/indicators": lambda v: miroir.indicators(study, n_resamples=v),
        "seed/indicators": lambda v: miroir.indicators(study, seed=v),
        "min_mentions/moments": lambda v: miroir.moments(study, min_mentions=v),
        "min_mentions/moment_effects": lambda v: miroir.moment_effects(study, min_mentions=v),
        "n_resamples/bootstrap": lambda v: ms.bootstrap_pearson(X20, Y20, n_resamples=v),
        "seed/bootstrap": lambda v: ms.bootstrap_pearson(X20, Y20, n_resamples=100, seed=v),
        "n_resamples/permutation": lambda v: ms.permutation_pearson(X20, Y20, n_resamples=v),
        "seed/permutation": lambda v: ms.permutation_pearson(X20, Y20, n_resamples=100, seed=v),
        "k/proportion_ci": lambda v: ms.proportion_ci(v, 10),
        "n/proportion_ci": lambda v: ms.proportion_ci(1, v),
        "k/binom_test": lambda v: ms.binom_test(v, 10),
        "n/binom_test": lambda v: ms.binom_test(1, v),
        "k1": lambda v: ms.two_proportions(v, 10, 3, 10),
        "n1": lambda v: ms.two_proportions(1, v, 3, 10),
        "k2": lambda v: ms.two_proportions(1, 10, v, 10),
        "n2": lambda v: ms.two_proportions(1, 10, 3, v),
        "table": lambda v: ms.fisher_exact([[10, v], [5, 8]]),
        "studies": lambda v: miroir.synthetic_study(studies=v),
        "employees": lambda v: miroir.synthetic_study(employees=v),
        "customers": lambda v: miroir.synthetic_study(customers=v),
        "seed/synthetic_study": lambda v: miroir.synthetic_study(studies=1, employees=30, customers=60, seed=v),
    }


def test_the_issue_examples_are_invalid_argument_errors(folder: Path, study: miroir.Study) -> None:
    examples: list[tuple[str, Callable[[], object]]] = [
        ("min_group_size", lambda: miroir.Schema(min_group_size=-1)),
        ("batch_rows", lambda: miroir.load_study(folder, batch_rows=-1)),
        ("n_resamples", lambda: miroir.report(study, n_resamples=-1)),
        ("seed", lambda: ms.bootstrap_pearson(range(20), Y20, seed=-1)),
        ("table", lambda: ms.fisher_exact([[10, -3], [5, 8]])),
        ("k", lambda: ms.proportion_ci(-1, 10)),
    ]
    for name, call in examples:
        with pytest.raises(miroir.InvalidArgumentError, match=f"'{name}'"):
            call()


def test_every_integer_argument_refuses_bad_values_by_name(folder: Path, study: miroir.Study) -> None:
    for key, call in integer_calls(study, folder).items():
        name = key.split("/")[0]
        for bad in BAD_INTS:
            if name == "table" and (isinstance(bad, (bool, str)) or bad == 10.0):
                # the table goes through numpy (arrays of counts): True, "5" and 10.0 are counts
                continue
            with pytest.raises(miroir.InvalidArgumentError, match=f"'{name}'") as info:
                call(bad)
            assert not isinstance(info.value, OverflowError), (key, bad)


def test_numpy_integers_and_upper_limits(folder: Path, study: miroir.Study) -> None:
    import numpy as np

    r = ms.bootstrap_pearson(X20, Y20, n_resamples=np.int64(200), seed=np.uint64(2**64 - 1))
    assert r["n_resamples"][0] == 200
    assert ms.proportion_ci(np.int32(3), np.int64(10))["estimate"][0] == 0.3
    assert miroir.Schema(min_group_size=np.int64(7)).min_group_size == 7
    # the largest seed is valid everywhere; one more is not
    assert miroir.report(study, n_resamples=0, seed=2**64 - 1).linkage.height > 0
    with pytest.raises(miroir.InvalidArgumentError, match="'seed'"):
        miroir.report(study, n_resamples=0, seed=2**64)
    # batch_rows=None is the default; a positive value is fine
    assert isinstance(miroir.load_study(folder, batch_rows=1000), miroir.Study)


def test_other_number_arguments_are_typed_errors() -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="'scale_points'"):
        ms.rwg([1, 2, 3, 4], ["a", "a", "b", "b"], scale_points=2**2000)  # type: ignore[arg-type]
    with pytest.raises(miroir.InvalidArgumentError, match="'table'"):
        ms.chi2_independence([[2**2000, 1], [1, 1]])
    for bad in (float("nan"), float("inf")):
        with pytest.raises(miroir.InvalidArgumentError, match="'table'"):
            ms.fisher_exact([[10, bad], [5, 8]])


# -- 4. weights ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1e160, 1e-170, 1e308, 5e-324])
def test_equal_weights_of_any_scale_give_the_unit_weight_figures(study: miroir.Study, scale: float) -> None:
    def weighted(w: float) -> pl.DataFrame:
        s = miroir.Study(study.employees.with_columns(weight=pl.lit(w)), study.customers, study.mentions)
        return miroir.indicators(s, n_resamples=0).table

    base = weighted(1.0)
    scaled = weighted(scale)
    shares = base.filter(pl.col("method").str.starts_with("weighted share"))
    assert shares.height == 5  # can_contribute, has_ideas, has_cost_ideas, asked_yearly, never_asked
    cols = ["id", "estimate", "ci_low", "ci_high", "n", "method"]
    assert str(scaled.select(cols).rows()) == str(base.select(cols).rows())  # str: NaN == NaN
    # and equal weights give exactly the unweighted interval
    plain = miroir.indicators(study, n_resamples=0).table.filter(pl.col("id") == "can_contribute")
    row = base.filter(pl.col("id") == "can_contribute")
    assert row.select("estimate", "ci_low", "ci_high").rows() == plain.select("estimate", "ci_low", "ci_high").rows()
    assert row["ci_low"][0] > 0.5  # the bug computed this interval on n = 1: [0.207, 1.000]


def test_weighted_pearson_is_scale_free() -> None:
    x = [1.0, 2.0, 3.5, 4.0, 6.0, 7.5]
    y = [2.0, 1.0, 4.0, 3.0, 6.5, 7.0]
    base = ms.weighted_pearson(x, y, [1.0] * 6)
    for scale in (1e308, 1e-300):
        r = ms.weighted_pearson(x, y, [scale] * 6)
        assert r.select("estimate", "p_value", "ci_low", "ci_high").rows() == base.select(
            "estimate", "p_value", "ci_low", "ci_high").rows()


# -- 5. OLS ----------------------------------------------------------------------------------------


def test_ols_refuses_the_outcome_among_the_predictors() -> None:
    df = pl.DataFrame({"y": [1.0, 2.0, 3.0, 5.0, 4.0, 6.0], "a": [1.0, 3.0, 2.0, 5.0, 4.0, 4.5]})
    with pytest.raises(miroir.InvalidArgumentError, match="outcome 'y'"):
        ms.ols(df, y="y", x=["y", "a"])
    with pytest.raises(miroir.InvalidArgumentError, match="'a' listed more than once"):
        ms.ols(df, y="y", x=["a", "a"])
    # a copy of the outcome under another name is refused by the kernel
    with pytest.raises(miroir.MiroirError, match="identical to the outcome"):
        ms.ols(df.with_columns(copy=pl.col("y")), y="y", x=["a", "copy"])
    # a single column name given as a string is one predictor, not its characters
    one = ms.ols(df, y="y", x="a")
    assert one["term"].to_list() == ["(Intercept)", "a"]
    ok = ms.ols(df, y="y", x=["a"])
    assert 0 < ok["r2"][0] < 1
