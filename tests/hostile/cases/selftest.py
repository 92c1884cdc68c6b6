"""Self-tests of the harness: cases whose outcome is known in advance (a crash, a panic, a
hang...), run by test_hostile.py::test_harness_classifies_every_outcome. Not part of the
campaign (category ``selftest``)."""

from __future__ import annotations

import os
import sys
import time

from harness import OK, SELFTEST, case, raises

# expected outcome of each self-test, checked by the test
EXPECTED: dict[str, str] = {}


def _selftest(outcome: str, expect, timeout: float = 20.0):
    def register(func):
        EXPECTED[func.__name__] = outcome
        return case(SELFTEST, expect, timeout=timeout)(func)

    return register


class PanicException(BaseException):
    """Stands for pyo3_runtime.PanicException (a BaseException of that name)."""


@_selftest("typed", raises("FileError", "x.csv"))
def selftest_typed(ctx):
    import miroir

    raise miroir.FileError("x.csv: unreadable")


@_selftest("unclear", raises("FileError", "x.csv"))
def selftest_unclear(ctx):
    import miroir

    raise miroir.FileError("unreadable")


@_selftest("unclear", raises("FileError", absent=("truncate_ragged_lines",)))
def selftest_unclear_advice(ctx):
    import miroir

    raise miroir.FileError("x.csv: set truncate_ragged_lines=true")


@_selftest("untyped", raises("FileError"))
def selftest_untyped_builtin(ctx):
    raise ValueError("not a miroir error")


@_selftest("untyped", raises("FileError"))
def selftest_untyped_wrong_class(ctx):
    import miroir

    raise miroir.DataError("a MiroirError of another class")


@_selftest("untyped", raises("FileError"))
def selftest_setup_failure_is_not_the_expected_error(ctx):
    import miroir

    with ctx.setup():
        raise miroir.FileError("the preparation failed with the class the hostile step expects")


@_selftest("wrong", raises("FileError"))
def selftest_wrong_returned(ctx):
    return "a result"


@_selftest("wrong", OK)
def selftest_wrong_assertion(ctx):
    assert 1 + 1 == 3, "silently wrong"


@_selftest("ok", OK)
def selftest_ok(ctx):
    assert ctx.parquet.joinpath("customers.parquet").exists()


@_selftest("panic", OK)
def selftest_panic_exception(ctx):
    raise PanicException("called `Option::unwrap()` on a `None` value")


@_selftest("panic", OK)
def selftest_panic_on_stderr(ctx):
    sys.stderr.write("thread '<unnamed>' panicked at src/data/scan.rs:1:1:\nboom\n")


@_selftest("crash", OK)
def selftest_crash_abort(ctx):
    os.abort()


@_selftest("crash", OK)
def selftest_crash_segfault(ctx):
    import ctypes

    ctypes.string_at(0)


@_selftest("crash", OK)
def selftest_exit_without_verdict(ctx):
    os._exit(3)


@_selftest("hang", OK, timeout=2.0)
def selftest_hang(ctx):
    time.sleep(60)
