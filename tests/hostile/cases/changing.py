"""Files changing during and after a load.

During: a background thread rewrites customers.* in place in a loop (truncate, then write: what
`cp new.csv customers.csv` does), alternating two versions A and B, while load_study runs again
and again. Each load must give a FileError or exactly version A or exactly B (never a mix,
never SIGBUS from a memory-mapped file shrinking under the reader).

After: a streamed study reads its tables back from the files; if a file changed since the load
it must refuse (FileError), not show new values next to analyses of the old ones."""

from __future__ import annotations

import os
import threading
import time

from harness import OK, case, ok_or, raises

DURATION = 3.0  # seconds of loads against the rewriting thread


def _m():
    import miroir

    return miroir


def _versions(ctx):
    """Versions A (the shared customers) and B (satisfaction mirrored, 10 - s)."""
    import polars as pl

    emp, cus, men = ctx.tables()
    return cus, cus.with_columns(satisfaction=10.0 - pl.col("satisfaction"))


def _bytes_of(df, fmt: str) -> bytes:
    import io

    buf = io.BytesIO()
    df.write_parquet(buf) if fmt == "parquet" else df.write_csv(buf)
    return buf.getvalue()


def _race(ctx, fmt: str, streaming: bool, replace: str = "in_place"):
    """Load while another thread rewrites customers.<fmt>; check every load."""
    import polars as pl

    m = _m()
    a, b = _versions(ctx)
    folder = ctx.copy(fmt)
    path = folder / f"customers.{fmt}"
    blobs = [_bytes_of(a, fmt), _bytes_of(b, fmt)]
    sat = {0: a["satisfaction"].to_list(), 1: b["satisfaction"].to_list()}
    stop = threading.Event()
    writes = [0]

    def rewrite():
        i = 0
        while not stop.is_set():
            data = blobs[i % 2]
            if replace == "in_place":
                with open(path, "r+b" if path.exists() else "wb") as f:
                    f.truncate(0)
                    f.flush()
                    for k in range(0, len(data), 4096):
                        f.write(data[k:k + 4096])
                    f.truncate(len(data))
            else:  # atomic: write aside, rename over
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(data)
                os.replace(tmp, path)
            writes[0] += 1
            i += 1
            time.sleep(0.002 * (i % 7))  # some loads fall between two rewrites

    with ctx.setup():  # the control: this mode loads the file when nothing changes it
        first = m.load_study(folder, streaming=streaming) if fmt == "parquet" else m.load_study(folder)
        assert first.customers["satisfaction"].to_list() == sat[0]
    t = threading.Thread(target=rewrite, daemon=True)
    t.start()
    loads = errors = 0
    deadline = time.monotonic() + DURATION
    try:
        while time.monotonic() < deadline:
            try:
                s = m.load_study(folder, streaming=streaming) if fmt == "parquet" else m.load_study(folder)
                got = s.customers["satisfaction"].to_list()
            except m.FileError:
                errors += 1
                continue
            except (m.SchemaError, m.DataError) as e:
                # a half-written file that still parses (e.g. a CSV cut after a line) may be
                # refused as data; it must still name the table
                assert "customers" in str(e), f"a refusal that names no table: {e}"
                errors += 1
                continue
            loads += 1
            assert got == sat[0] or got == sat[1], "a load mixing versions A and B, or other values"
    finally:
        stop.set()
        t.join()
    ctx.note(f"{loads} correct loads, {errors} refusals, {writes[0]} rewrites")
    assert loads + errors > 0


@case("changing", OK, weight=5, timeout=30)
def rewritten_during_load_parquet(ctx):
    """customers.parquet truncated and rewritten in a loop while loaded whole: FileError or a
    correct load each time, never SIGBUS."""
    _race(ctx, "parquet", False)


@case("changing", OK, weight=5, timeout=30)
def rewritten_during_load_parquet_streaming(ctx):
    """The same, streamed: FileError or a correct load, never a panic ('range end index')."""
    _race(ctx, "parquet", True)


@case("changing", OK, weight=5, timeout=30)
def rewritten_during_load_csv(ctx):
    """customers.csv truncated and rewritten in a loop while loaded: FileError or a correct load."""
    _race(ctx, "csv", False)


@case("changing", OK, weight=5, timeout=30)
def replaced_atomically_during_load(ctx):
    """customers.parquet replaced by rename (os.replace) in a loop while loaded: version A or B."""
    _race(ctx, "parquet", True, replace="atomic")


# -- after a streamed load ------------------------------------------------------------------------


def _streamed(ctx):
    m = _m()
    folder = ctx.copy("parquet")
    with ctx.setup():
        return m, folder, m.load_study(folder, streaming=True)


@case("changing", raises("FileError", "customers.parquet", "changed"))
def customers_rewritten_after_streamed_load(ctx):
    """Streamed study, then customers.parquet rewritten with the same row count and other
    values: study.customers is a FileError (the analyses used the old values)."""
    m, folder, s = _streamed(ctx)
    a, b = _versions(ctx)
    time.sleep(0.01)
    b.write_parquet(folder / "customers.parquet")
    got = s.customers
    assert got["satisfaction"].to_list() == a["satisfaction"].to_list(), "study.customers shows the new file"


@case("changing", raises("FileError", "customers.parquet"))
def customers_rewritten_mtime_restored(ctx):
    """The same rewrite (other values, same row count), modification time put back (cp -p,
    rsync -t): still refused (the bytes differ from those validated)."""
    m, folder, s = _streamed(ctx)
    path = folder / "customers.parquet"
    st = path.stat()
    a, b = _versions(ctx)
    b.write_parquet(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    ctx.note(f"size {st.st_size} -> {path.stat().st_size} bytes, mtime restored")
    got = s.customers
    assert got["satisfaction"].to_list() == a["satisfaction"].to_list(), "study.customers shows the new file"


@case("changing", raises("FileError", "customers.parquet"))
def customers_same_size_edit_mtime_restored(ctx):
    """Streamed study whose customers.parquet (plain, uncompressed) then has one satisfaction
    changed in place, 9.0 -> 3.0: same size, same mtime, still a valid file. study.customers
    refuses it (the bytes differ from those validated), never shows the edited value."""
    import struct

    import pyarrow.parquet as pq

    m = _m()
    a, _ = _versions(ctx)
    folder = ctx.copy("parquet")
    path = folder / "customers.parquet"
    pq.write_table(a.to_arrow(), path, use_dictionary=False, compression="none", write_statistics=False)
    with ctx.setup():
        s = m.load_study(folder, streaming=True)
    st = path.stat()
    data = path.read_bytes()
    old = struct.pack("<d", 9.0)
    at = data.index(old)
    path.write_bytes(data[:at] + struct.pack("<d", 3.0) + data[at + 8:])
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    got = s.customers
    assert got["satisfaction"].to_list() == a["satisfaction"].to_list(), "study.customers shows the edited file"


@case("changing", raises("FileError", "mentions.parquet"))
def mentions_rewritten_after_streamed_load(ctx):
    """Streamed study, then mentions.parquet rewritten (same rows, other texts): report()
    refuses (its verbatims are read back from the file), or at least study.mentions does."""
    import polars as pl

    m, folder, s = _streamed(ctx)
    emp, cus, men = ctx.tables()
    men.with_columns(text=pl.lit("REWRITTEN")).write_parquet(folder / "mentions.parquet")
    rep = m.report(s, n_resamples=0)
    shown = [t for t in rep.moments.table["customer_example"].to_list() if t]
    assert "REWRITTEN" not in shown, "the report quotes the rewritten file"
    s.mentions  # noqa: B018 - must refuse
    raise AssertionError("study.mentions read a changed file back")


@case("changing", raises("FileError", "employees.parquet"))
def employees_rewritten_after_streamed_load(ctx):
    """Streamed study, then employees.parquet rewritten (same rows): study.employees refuses."""
    import polars as pl

    m, folder, s = _streamed(ctx)
    emp, cus, men = ctx.tables()
    emp.with_columns(engagement=100.0 - pl.col("engagement")).write_parquet(folder / "employees.parquet")
    s.employees  # noqa: B018


@case("changing", raises("FileError", "customers.parquet"))
def customers_deleted_after_streamed_load(ctx):
    """Streamed study, then customers.parquet deleted: study.customers is a FileError naming it."""
    m, folder, s = _streamed(ctx)
    (folder / "customers.parquet").unlink()
    s.customers  # noqa: B018


@case("changing", raises("FileError", "customers.parquet"))
def customers_truncated_after_streamed_load(ctx):
    """Streamed study, then customers.parquet cut to half its bytes: FileError."""
    m, folder, s = _streamed(ctx)
    path = folder / "customers.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    s.customers  # noqa: B018


@case("changing", ok_or("FileError", "customers.parquet"))
def customers_touched_after_streamed_load(ctx):
    """Streamed study, then customers.parquet touched (new mtime, same bytes): the same table
    read back, or a FileError."""
    m, folder, s = _streamed(ctx)
    path = folder / "customers.parquet"
    later = time.time() + 5
    os.utime(path, (later, later))
    a, _ = _versions(ctx)
    assert s.customers.equals(a)


@case("changing", ok_or("FileError", "customers.parquet"))
def report_after_customers_changed(ctx):
    """Streamed study, then customers.parquet rewritten: report() is the report of the loaded
    data (it holds what it needs) or a FileError, never a mix."""
    from ._util import assert_same_tables, report_tables

    m, folder, s = _streamed(ctx)
    with ctx.setup():
        want = report_tables(m.load_study(ctx.parquet))
    _, b = _versions(ctx)
    b.write_parquet(folder / "customers.parquet")
    assert_same_tables(report_tables(s), want, "report after the change")


@case("changing", OK)
def in_memory_study_after_files_changed(ctx):
    """A study read whole, then its files rewritten and deleted: the study is unchanged (it
    holds its tables) and reports as before."""
    from ._util import assert_same_tables, report_tables

    m = _m()
    folder = ctx.copy("parquet")
    with ctx.setup():
        s = m.load_study(folder, streaming=False)
        want = report_tables(s)
    a, b = _versions(ctx)
    b.write_parquet(folder / "customers.parquet")
    (folder / "mentions.parquet").unlink()
    assert s.customers.equals(a)
    assert_same_tables(report_tables(s), want)
