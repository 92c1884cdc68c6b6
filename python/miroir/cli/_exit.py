"""How the command ends: its exit statuses, one line on stderr for an error, Ctrl-C within a
second, and quietly when the reader of the output goes away."""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


def _debug() -> bool:
    return os.environ.get("MIROIR_DEBUG", "") not in ("", "0")


def _report_error(e: BaseException) -> int:
    """One line on stderr for an error; the exit status says whose fault it is."""
    core = sys.modules.get("miroir._core")
    invalid = core is not None and isinstance(e, core.MiroirError)
    # an invalid input's message is the user's to read whole (a spec error may quote lines);
    # an internal error's (a panic's may hold a backtrace) is kept to one line
    try:
        text = str(e)
    except Exception:  # noqa: BLE001 - an exception whose message cannot be formatted
        text = "(message unavailable)"
    message = text if invalid else " ".join(text.split())
    kind = "error" if invalid else "internal error"
    try:
        print(f"miroir: {kind}: {type(e).__name__}: {message}", file=sys.stderr)
        if _debug():
            traceback.print_exception(e, file=sys.stderr)
        elif not invalid:
            print("miroir: run with MIROIR_DEBUG=1 for the traceback", file=sys.stderr)
    except OSError:  # stderr itself is gone
        pass
    return EXIT_INVALID if invalid else EXIT_INTERNAL


class _InterruptWatchdog:
    """After Ctrl-C, give the command ``grace`` seconds to stop by ``KeyboardInterrupt``, then
    end the process with exit status 130: a long computation that does not look at signals
    must not hold the terminal.

    Python runs its SIGINT handler only between bytecodes of the main thread, so a call into
    the extension defers it until the call returns; the C-level handler still writes the
    signal's number to the wakeup file descriptor, which a thread watches. Where that cannot
    be set up (main() called from another thread, no non-blocking pipes), nothing is done.
    """

    def __init__(self, grace: float = 1.0) -> None:
        self.grace = grace
        self._done = threading.Event()
        self._fds: tuple[int, int] | None = None
        self._old_fd = -1
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _InterruptWatchdog:
        try:
            read, write = os.pipe()
        except OSError:
            return self
        try:
            os.set_blocking(write, False)
            self._old_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        except (ValueError, OSError, AttributeError):  # not the main thread, or no such pipes
            os.close(read)
            os.close(write)
            return self
        self._fds = (read, write)
        self._thread = threading.Thread(
            target=self._watch, args=(read,), name="miroir-interrupt-watchdog", daemon=True
        )
        self._thread.start()
        return self

    def _watch(self, read: int) -> None:
        while True:
            try:
                data = os.read(read, 64)
            except OSError:
                return
            if not data:  # the pipe was closed: the command is over
                return
            if signal.SIGINT in data:
                if not self._done.wait(self.grace):
                    os._exit(EXIT_INTERRUPTED)
                return

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._fds is None:
            return
        read, write = self._fds
        self._fds = None
        try:
            signal.set_wakeup_fd(self._old_fd)
        except (ValueError, OSError):
            pass
        os.close(write)
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if self._thread is None or not self._thread.is_alive():
            os.close(read)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of the closed pipe
    does not print an error on exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
