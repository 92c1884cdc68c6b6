"""The hostile-input campaign's machinery: cases, expectations, the child process, the runner.

A *case* is a small function taking a :class:`Context` (paths of a shared small study, a private
scratch folder, helpers) and doing one hostile thing to miroir. It declares its *expected
outcome*:

- ``raises("FileError", "customers.csv", ("line 12", "row 10"), absent=("truncate_ragged",))``:
  the case must raise that exception (a ``miroir`` class, or a builtin such as
  ``"KeyboardInterrupt"``; a tuple of names means any of them), and the message must hold each
  needle (a tuple of needles: any one of them) and none of ``absent``;
- ``OK``: the case must return normally; its own ``assert`` statements are the check that makes
  a result *right* (a failed one is a silently wrong result, outcome ``wrong``);
- ``ok_or("DtypeError", "satisfaction")``: either is right (convert correctly or refuse), for
  behaviour the contract leaves open; never for a silently wrong result.

Every case runs in its own subprocess (``child.py``) with a timeout, so that a crash or a hang
is caught and reported as such. The outcome of a run is one of

========== ==============================================================================
typed      the expected exception, with the expected message
ok         returned normally and every assertion held
panic      a Rust panic reached Python (``PanicException``), or "panicked at" on stderr
crash      the process died: killed by a signal (SIGSEGV, SIGBUS, SIGABRT...) or no verdict
hang       no verdict within the timeout, or a case measured a reaction that came too late
untyped    another exception than expected (including a MiroirError of the wrong class),
           or the case's preparation on valid input failed (``with ctx.setup():``)
unclear    the expected exception class, but its message lacks what it must say
wrong      a silently wrong result: the call returned where it had to raise, or an
           assertion of the case failed
========== ==============================================================================

A case passes when its outcome is the expected one (``typed`` for ``raises``, ``ok`` for
``OK``, either for ``ok_or``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

HERE = Path(__file__).resolve().parent
CHILD = HERE / "child.py"

CATEGORIES = ("files", "corrupt", "types", "sizes", "api", "concurrency", "signals", "changing", "text")
SELFTEST = "selftest"  # cases checking the harness's own classification (cases/selftest.py)
OUTCOMES = ("typed", "ok", "panic", "crash", "hang", "untyped", "unclear", "wrong")
DEFAULT_TIMEOUT = 20.0

# The shared study every case starts from (written once per session, see prepare_data).
STUDY_ARGS = dict(studies=3, employees=600, customers=3000, seed=1)


# ---------------------------------------------------------------------------------------------
# Expectations


Needle = str | tuple[str, ...]


@dataclass(frozen=True)
class Raises:
    """The case must raise one of ``classes`` whose message holds every needle."""

    classes: tuple[str, ...]
    needles: tuple[Needle, ...] = ()
    absent: tuple[str, ...] = ()

    @property
    def outcomes(self) -> frozenset[str]:
        return frozenset({"typed"})

    def __str__(self) -> str:
        cls = " | ".join(self.classes)
        parts = [repr(n) if isinstance(n, str) else " or ".join(map(repr, n)) for n in self.needles]
        text = f"{cls}({', '.join(parts)})" if parts else cls
        if self.absent:
            text += f" without {', '.join(map(repr, self.absent))}"
        return text


@dataclass(frozen=True)
class Ok:
    """The case must return normally (its assertions hold)."""

    @property
    def outcomes(self) -> frozenset[str]:
        return frozenset({"ok"})

    def __str__(self) -> str:
        return "ok"


@dataclass(frozen=True)
class OkOr(Raises):
    """Either outcome is right: a correct result (the case's assertions hold) or the typed
    error. For behaviour the contract leaves open (convert or refuse), never for a silent
    wrong result."""

    @property
    def outcomes(self) -> frozenset[str]:
        return frozenset({"ok", "typed"})

    def __str__(self) -> str:
        return f"ok or {Raises.__str__(self)}"


OK = Ok()
Expectation = Raises | Ok

# polars' advice on its own reader options, which miroir does not expose: never in a message
POLARS_ADVICE = ("truncate_ragged_lines", "infer_schema_length", "ignore_errors", "schema_overrides")


def raises(classes: str | Sequence[str], *needles: Needle, absent: Sequence[str] = ()) -> Raises:
    names = (classes,) if isinstance(classes, str) else tuple(classes)
    return Raises(names, tuple(needles), tuple(absent))


def ok_or(classes: str | Sequence[str], *needles: Needle, absent: Sequence[str] = ()) -> OkOr:
    names = (classes,) if isinstance(classes, str) else tuple(classes)
    return OkOr(names, tuple(needles), tuple(absent))


def arg_error(argument: str, *needles: Needle) -> Raises:
    """A wrong-typed or out-of-domain argument: ``InvalidArgumentError`` (or, for a value of the
    wrong Python type, ``TypeError``) naming the argument."""
    return raises(("InvalidArgumentError", "TypeError"), argument, *needles)


class HangDetected(Exception):
    """Raised by a case that measured a reaction (e.g. to SIGINT) arriving too late."""


class UnclearMessage(Exception):
    """Raised by a case that checks an error message itself (e.g. inside a loop over modes):
    the expected class was raised, its message lacks what it must say. Outcome ``unclear``."""


class SetupFailed(Exception):
    """A case's preparation on valid input (``with ctx.setup():``) failed: the library refused
    or broke on good data, so the hostile step never ran. Outcome ``untyped`` (``panic`` if the
    preparation panicked): it must never pass as the expected error of the hostile step."""


# ---------------------------------------------------------------------------------------------
# Cases and their registry


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    func: Callable[["Context"], Any]
    expect: Expectation
    doc: str
    timeout: float = DEFAULT_TIMEOUT
    weight: float = 1.0  # rough cost, to start the long cases first

    @property
    def expected_outcomes(self) -> frozenset[str]:
        return self.expect.outcomes


REGISTRY: dict[str, Case] = {}


def case(
    category: str,
    expect: Expectation,
    *,
    name: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    weight: float = 1.0,
) -> Callable[[Callable[["Context"], Any]], Callable[["Context"], Any]]:
    """Register the decorated function as a case (its docstring is the one-line description)."""

    def register(func: Callable[["Context"], Any]) -> Callable[["Context"], Any]:
        add_case(name or func.__name__, category, func, expect, doc=func.__doc__ or "",
                 timeout=timeout, weight=weight)
        return func

    return register


def add_case(
    name: str,
    category: str,
    func: Callable[["Context"], Any],
    expect: Expectation,
    *,
    doc: str = "",
    timeout: float = DEFAULT_TIMEOUT,
    weight: float = 1.0,
) -> Case:
    if category not in CATEGORIES and category != SELFTEST:
        raise ValueError(f"case {name}: unknown category {category!r}")
    if name in REGISTRY:
        raise ValueError(f"case {name}: registered twice")
    doc = " ".join((doc or "").split())
    c = Case(name, category, func, expect, doc, timeout, weight)
    REGISTRY[name] = c
    return c


def load_cases(flips: int | None = None) -> dict[str, Case]:
    """Import every case module (once) and return the registry, in definition order.

    ``flips`` sets the number of seeded single-byte flips of the corrupt-Parquet sample (default
    ``HOSTILE_FLIPS`` from the environment, else 20); the child process receives the same value
    through the environment so that both sides agree on the case list."""
    if flips is not None:
        os.environ["HOSTILE_FLIPS"] = str(flips)
    if not REGISTRY:
        if str(HERE) not in sys.path:
            sys.path.insert(0, str(HERE))
        import cases  # noqa: F401  (registers on import)
    return REGISTRY


def campaign(flips: int | None = None) -> dict[str, Case]:
    """The campaign's cases (every case but the harness's self-tests), in definition order."""
    return {n: c for n, c in load_cases(flips).items() if c.category != SELFTEST}


def flip_count() -> int:
    return int(os.environ.get("HOSTILE_FLIPS", "20"))


# ---------------------------------------------------------------------------------------------
# The shared data, and the context a case runs with


def prepare_data(root: Path) -> Path:
    """Write the shared study once: ``root/parquet`` and ``root/csv`` (``miroir.Study.write``).
    Runs in a subprocess so that the parent (pytest, run.py) needs nothing of miroir."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    if (root / "ready").exists():
        return root
    for sub in ("parquet", "csv"):  # what an interrupted earlier preparation left
        shutil.rmtree(root / sub, ignore_errors=True)
    code = (
        "import sys, warnings, miroir\n"
        "warnings.simplefilter('ignore')\n"
        f"s = miroir.synthetic_study(**{STUDY_ARGS!r})\n"
        "s.write(sys.argv[1] + '/parquet')\n"
        "s.write(sys.argv[1] + '/csv', format='csv')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(root)], check=True, timeout=300)
    (root / "ready").write_text("ok\n")
    return root


class Context:
    """What a case gets: the shared study (read only), a private scratch folder, helpers."""

    def __init__(self, data: Path, work: Path) -> None:
        self.data = data
        self.work = work
        self.parquet = data / "parquet"  # employees/customers/mentions.parquet (never modify)
        self.csv = data / "csv"  # the same tables as CSV (never modify)
        self.notes: list[str] = []
        self._n = 0

    @contextlib.contextmanager
    def setup(self) -> Iterator[None]:
        """Mark a block as preparation on valid input (see :class:`SetupFailed`)."""
        try:
            yield
        except BaseException as e:  # noqa: BLE001
            raise SetupFailed(f"setup on valid input failed: {type(e).__name__}: {e}") from e

    def note(self, text: str) -> None:
        """Add a remark to the case's verdict (shown with its outcome, whatever it is)."""
        self.notes.append(text)

    # -- folders ----------------------------------------------------------------------------

    def folder(self, name: str | None = None) -> Path:
        """A fresh empty folder in the case's scratch space."""
        self._n += 1
        path = self.work / (name or f"d{self._n}")
        path.mkdir(parents=True)
        return path

    def copy(self, fmt: str = "parquet", name: str | None = None) -> Path:
        """A private copy of the shared study's folder (``"parquet"`` or ``"csv"``)."""
        import shutil

        src = self.parquet if fmt == "parquet" else self.csv
        dst = self.folder(name)
        for f in src.iterdir():
            shutil.copyfile(f, dst / f.name)
        return dst

    # -- tables -----------------------------------------------------------------------------

    def tables(self) -> tuple[Any, Any, Any]:
        """The shared study's (employees, customers, mentions) as polars DataFrames."""
        import polars as pl

        return tuple(pl.read_parquet(self.parquet / f"{t}.parquet")  # type: ignore[return-value]
                     for t in ("employees", "customers", "mentions"))

    def study(self, **options: Any) -> Any:
        """The shared study, loaded (a failure here is a :class:`SetupFailed`)."""
        import miroir

        with self.setup():
            return miroir.load_study(self.parquet, **options)

    def write(self, folder: Path, fmt: str = "parquet", **tables: Any) -> Path:
        """Write the shared study into ``folder`` with some tables replaced (a value of None
        leaves that table out)."""
        emp, cus, men = self.tables()
        base = {"employees": emp, "customers": cus, "mentions": men}
        base.update(tables)
        folder.mkdir(parents=True, exist_ok=True)
        for name, df in base.items():
            if df is None:
                continue
            if fmt == "parquet":
                df.write_parquet(folder / f"{name}.parquet")
            else:
                df.write_csv(folder / f"{name}.csv")
        return folder

    def with_tables(self, fmt: str = "parquet", **tables: Any) -> Path:
        return self.write(self.folder(), fmt, **tables)

    # -- CSV text -----------------------------------------------------------------------------

    def csv_lines(self, table: str) -> list[str]:
        return (self.csv / f"{table}.csv").read_text(encoding="utf-8").splitlines()

    def csv_with(self, **texts: str | bytes) -> Path:
        """A copy of the CSV study with some files replaced by the given text or bytes."""
        folder = self.copy("csv")
        for table, text in texts.items():
            path = folder / f"{table}.csv"
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return folder

    def set_csv_cell(self, table: str, row: int, column: str, value: str) -> str:
        """The table's CSV text with one cell replaced (``row`` = 0-based data row)."""
        lines = self.csv_lines(table)
        header = lines[0].split(",")
        j = header.index(column)
        cells = lines[row + 1].split(",")
        cells[j] = value
        lines[row + 1] = ",".join(cells)
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The child side: run one case and write a verdict


def _is_case_frame(filename: str) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(HERE)
    except (OSError, ValueError):
        return False


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    f = frames[-1]
    return f"{Path(f.filename).name}:{f.lineno} in {f.name}"


def _resolve(name: str) -> type:
    import builtins

    import miroir

    cls = getattr(miroir, name, None) or getattr(builtins, name, None)
    if not isinstance(cls, type):
        raise LookupError(f"unknown exception class {name!r}")
    return cls


def _needle_ok(message: str, needle: Needle) -> bool:
    options = (needle,) if isinstance(needle, str) else needle
    return any(n in message for n in options)


def judge(c: Case, result: Any = None, exc: BaseException | None = None) -> dict[str, Any]:
    """The verdict of a case from what it returned or raised (child side)."""
    verdict: dict[str, Any] = {"case": c.name}
    if exc is None:
        detail = "" if result is None else str(result)
        if "ok" in c.expect.outcomes:
            verdict.update(outcome="ok", detail=detail)
        else:
            verdict.update(outcome="wrong",
                           detail=f"returned where {c.expect} was expected" + (f": {detail}" if detail else ""))
        return verdict

    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    message = str(exc)
    if len(message) > 1500:
        message = message[:1500] + "..."
    verdict.update(raised=kind, message=message, where=_where(exc))
    short = type(exc).__name__
    if isinstance(exc, SetupFailed):
        cause = exc.__cause__
        panicked = cause is not None and type(cause).__name__ == "PanicException"
        verdict.update(outcome="panic" if panicked else "untyped", detail=message)
    elif short == "PanicException":
        verdict.update(outcome="panic", detail=f"PanicException: {message}")
    elif isinstance(exc, HangDetected):
        verdict.update(outcome="hang", detail=message)
    elif isinstance(exc, UnclearMessage):
        verdict.update(outcome="unclear", detail=message)
    elif isinstance(exc, AssertionError) and _assertion_from_case(exc):
        verdict.update(outcome="wrong", detail=message or f"assertion failed at {_where(exc)}")
    elif isinstance(c.expect, Raises):
        classes = tuple(_resolve(n) for n in c.expect.classes)
        if isinstance(exc, classes):
            missing = [n for n in c.expect.needles if not _needle_ok(message, n)]
            present = [a for a in c.expect.absent if a in message]
            if missing or present:
                what = []
                if missing:
                    what.append("lacks " + ", ".join(map(repr, missing)))
                if present:
                    what.append("has " + ", ".join(map(repr, present)))
                verdict.update(outcome="unclear", detail=f"{short}: message {' and '.join(what)}: {message}")
            else:
                verdict.update(outcome="typed", detail=f"{short}: {message}")
        else:
            verdict.update(outcome="untyped", detail=f"{short} (expected {c.expect}): {message}")
    else:
        verdict.update(outcome="untyped", detail=f"{short} (expected ok): {message}")
    return verdict


def _assertion_from_case(exc: BaseException) -> bool:
    """Whether an AssertionError comes from a case's own check (not from inside miroir)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and _is_case_frame(frames[-1].filename)


def child_main(argv: Sequence[str]) -> int:
    """``child.py CASE DATA WORK VERDICT``: run one case, write its verdict as JSON."""
    import faulthandler
    import warnings

    faulthandler.enable()
    name, data, work, out = argv
    cases = load_cases()
    c = cases[name]
    warnings.simplefilter("ignore")  # cases that check warnings record them themselves
    ctx = Context(Path(data), Path(work))
    start = time.monotonic()
    try:
        result = c.func(ctx)
    except BaseException as e:  # noqa: BLE001 - everything is a finding, even SystemExit
        verdict = judge(c, exc=e)
        verdict["traceback"] = "".join(traceback.format_exception(e))[-4000:]
    else:
        verdict = judge(c, result=result)
    if ctx.notes:
        verdict["detail"] = f"[{'; '.join(ctx.notes)}] {verdict.get('detail', '')}".strip()
    verdict["elapsed"] = round(time.monotonic() - start, 3)
    Path(out).write_text(json.dumps(verdict), encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------------
# The parent side: run cases in subprocesses, in parallel


@dataclass
class Result:
    case: Case
    outcome: str
    detail: str
    seconds: float
    returncode: int | None = None
    stderr: str = ""
    traceback: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome in self.case.expected_outcomes

    def explain(self) -> str:
        lines = [
            f"hostile case {self.case.name} [{self.case.category}]: {self.case.doc}",
            f"  expected: {self.case.expect}",
            f"  outcome:  {self.outcome} ({self.seconds:.1f} s)",
            f"  detail:   {self.detail}",
        ]
        if self.traceback and self.outcome in ("untyped", "wrong", "panic"):
            lines.append("  traceback (end):\n" + _indent(self.traceback[-1500:]))
        if self.stderr.strip() and self.outcome in ("panic", "crash", "hang", "untyped"):
            lines.append("  stderr (end):\n" + _indent(self.stderr[-1500:]))
        return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def run_case(c: Case, data: Path, scratch: Path, timeout: float | None = None) -> Result:
    """Run one case in a fresh interpreter and classify what happened."""
    # a neutral name: the message needles must come from miroir, never from the case's path
    work = Path(tempfile.mkdtemp(prefix="case-", dir=scratch))
    verdict_path = work / "verdict.json"
    case_dir = work / "case"
    case_dir.mkdir()
    env = dict(os.environ)
    env.setdefault("RUST_BACKTRACE", "0")
    env["PYTHONFAULTHANDLER"] = "1"
    limit = timeout if timeout is not None else c.timeout
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), c.name, str(data), str(case_dir), str(verdict_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        cwd=case_dir, env=env, start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=limit)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    seconds = time.monotonic() - start
    stderr = err.decode("utf-8", "replace")
    rc = proc.returncode
    verdict: dict[str, Any] | None = None
    if verdict_path.exists():
        try:
            verdict = json.loads(verdict_path.read_text(encoding="utf-8"))
        except ValueError:
            verdict = None
    panicked = "panicked at" in stderr
    tb = (verdict or {}).get("traceback", "")
    if timed_out:
        outcome, detail = "hang", f"no verdict after {limit:.0f} s (killed)"
    elif verdict is not None and verdict["outcome"] == "panic":
        outcome, detail = "panic", verdict["detail"]
    elif panicked:
        line = next((l for l in stderr.splitlines() if "panicked at" in l), "")
        nxt = stderr.split(line, 1)[-1].strip().splitlines()[:1] if line else []
        outcome = "panic"
        detail = f"{line.strip()} {nxt[0] if nxt else ''}".strip()
        if verdict is not None:
            detail += f" (then: {verdict['outcome']}: {verdict.get('detail', '')[:300]})"
    elif rc is not None and rc < 0:
        outcome, detail = "crash", f"killed by {_signal_name(rc)} (exit {rc})"
        tail = [l for l in stderr.strip().splitlines() if l.strip()][-1:]
        if tail:
            detail += f": {tail[0][:300]}"
    elif verdict is None:
        tail = [l for l in stderr.strip().splitlines() if l.strip()][-1:]
        outcome = "crash"
        detail = f"exited {rc} without a verdict" + (f": {tail[0][:300]}" if tail else "")
    else:
        outcome, detail = verdict["outcome"], verdict.get("detail", "")
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return Result(c, outcome, detail, seconds, rc, stderr[-4000:], tb)


def run_cases(
    cases: Iterable[Case],
    data: Path,
    *,
    workers: int = 2,
    scratch: Path | None = None,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Run the cases ``workers`` at a time (the costly ones first); results in input order."""
    todo = list(cases)
    scratch_dir = Path(tempfile.mkdtemp(prefix="miroir-hostile-")) if scratch is None else scratch
    scratch_dir.mkdir(parents=True, exist_ok=True)
    order = sorted(todo, key=lambda c: -c.weight)
    results: dict[str, Result] = {}
    before = _children_cpu()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(run_case, c, data, scratch_dir): c for c in order}
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            results[r.case.name] = r
            if progress is not None:
                progress(r)
    if scratch is None:
        import shutil

        shutil.rmtree(scratch_dir, ignore_errors=True)
    global LAST_CPU_SECONDS
    LAST_CPU_SECONDS = _children_cpu() - before
    return [results[c.name] for c in todo]


LAST_CPU_SECONDS: float | None = None  # CPU time (user + system) of the last run_cases' processes


def _children_cpu() -> float:
    import resource

    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


# ---------------------------------------------------------------------------------------------
# Reporting


def summary(results: Sequence[Result], seconds: float | None = None, cpu: float | None = None) -> str:
    counts = Counter(r.outcome for r in results)
    failed = [r for r in results if not r.passed]
    head = f"hostile campaign: {len(results)} cases, {len(results) - len(failed)} as expected, {len(failed)} not"
    if seconds is not None:
        head += f" ({seconds:.0f} s" + (f", {cpu:.0f} s of CPU" if cpu is not None else "") + ")"
    lines = [head, "  outcomes: " + ", ".join(f"{o} {counts[o]}" for o in OUTCOMES if counts[o])]
    per_cat = Counter(r.case.category for r in results)
    bad_cat = Counter(r.case.category for r in failed)
    lines.append("  per category (cases/failing): " + ", ".join(
        f"{cat} {per_cat[cat]}/{bad_cat[cat]}" for cat in CATEGORIES if per_cat[cat]))
    bad = Counter(r.outcome for r in failed)
    if failed:
        lines.append("  failing by outcome: " + ", ".join(f"{o} {bad[o]}" for o in OUTCOMES if bad[o]))
        width = max(len(r.case.name) for r in failed)
        for r in sorted(failed, key=lambda r: (OUTCOMES.index(r.outcome), r.case.category, r.case.name)):
            lines.append(f"  {r.outcome:<8} {r.case.name:<{width}}  {r.detail[:160]}")
    return "\n".join(lines)


def markdown_table(results: Sequence[Result]) -> str:
    failed = [r for r in results if not r.passed]
    out = ["| case | category | observed | expected | description | detail |", "|---|---|---|---|---|---|"]
    def cell(text: object, limit: int = 200) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")[:limit]

    for r in sorted(failed, key=lambda r: (r.case.category, r.case.name)):
        out.append(f"| `{r.case.name}` | {r.case.category} | {r.outcome} | {cell(r.case.expect)} | "
                   f"{cell(r.case.doc, 400)} | {cell(r.detail)} |")
    return "\n".join(out)
