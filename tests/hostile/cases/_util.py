"""Helpers shared by the case modules (run in the child process only)."""

from __future__ import annotations

import math
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable

PARQUET_TABLES = ("employees", "customers", "mentions")


def report_tables(study: Any, n_resamples: int = 0, seed: int = 0, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The report's tables (polars), without the sections in ``skip``."""
    import miroir

    tables = miroir.report(study, n_resamples=n_resamples, seed=seed).tables()
    return {k: v for k, v in tables.items() if k not in skip}


def assert_same_tables(a: dict[str, Any], b: dict[str, Any], what: str = "report") -> None:
    assert set(a) == set(b), f"{what}: sections differ: {sorted(a)} vs {sorted(b)}"
    for name in a:
        assert a[name].equals(b[name]), f"{what}: table '{name}' differs"


def assert_frames_equal(a: Any, b: Any, what: str) -> None:
    assert a.columns == b.columns, f"{what}: columns differ: {a.columns} vs {b.columns}"
    assert a.height == b.height, f"{what}: {a.height} rows vs {b.height}"
    for col in a.columns:
        assert a[col].equals(b[col]), f"{what}: column '{col}' differs"


def close(a: float | None, b: float | None, rel: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def record_warnings(func: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Call ``func`` and return its result with the messages of every warning it emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func()
    return result, [str(w.message) for w in caught]


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def parquet_footer_length(path: Path) -> int:
    data = path.read_bytes()
    if len(data) < 12 or data[-4:] != b"PAR1":
        return 0
    return int.from_bytes(data[-8:-4], "little")


class SigintAfter:
    """Send SIGINT to this process ``delay`` seconds after start, from a helper thread; the
    time it was sent is ``sent_at`` (time.monotonic)."""

    def __init__(self, delay: float) -> None:
        import os
        import signal

        self.sent_at: float | None = None

        def fire() -> None:
            time.sleep(delay)
            self.sent_at = time.monotonic()
            os.kill(os.getpid(), signal.SIGINT)

        self.thread = threading.Thread(target=fire, daemon=True)
        self.thread.start()


def expect_interrupt(call: Callable[[], Any], *, delay: float = 0.7, limit: float = 2.0) -> str:
    """Run ``call`` while SIGINT arrives after ``delay`` s: it must raise KeyboardInterrupt
    within ``limit`` s of the signal (a later reaction is a hang)."""
    from harness import HangDetected

    timer = SigintAfter(delay)
    start = time.monotonic()
    try:
        call()
    except KeyboardInterrupt:
        now = time.monotonic()
        if timer.sent_at is None:
            raise AssertionError("KeyboardInterrupt before the signal was sent") from None
        latency = now - timer.sent_at
        if latency > limit:
            raise HangDetected(f"KeyboardInterrupt {latency:.1f} s after SIGINT (limit {limit:.0f} s)") from None
        raise KeyboardInterrupt(f"raised {latency:.2f} s after SIGINT") from None
    elapsed = time.monotonic() - start
    if timer.sent_at is None:
        raise AssertionError(f"the call finished in {elapsed:.2f} s, before the signal: make it longer")
    # The call ignored the signal and ran to its end; Python raises KeyboardInterrupt at the
    # next bytecode, but the call itself did not react.
    time.sleep(0.05)
    raise HangDetected(
        f"the call ignored SIGINT and ran {elapsed - delay:.1f} s after it to completion"
    )
