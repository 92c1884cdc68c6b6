"""Corrupt bytes: a seeded sample of single-byte flips of the small customers.parquet (and a few
of employees.parquet and mentions.parquet), truncations, footers that lie, and broken CSV.

Each flip case reads the flipped file whole, then streamed. A flipped byte may be harmless
(Parquet has no mandatory checksum): the study must then load and equal the original, or differ
only in values that pass validation; a flip that makes the data invalid (a renamed required
column, a value out of range, a repeated id) is a typed SchemaError / DataError; anything the
reader cannot decode is a FileError naming the file. Both paths must agree (same table, or the
same error class). Never a panic, a crash or a hang.
"""

from __future__ import annotations

import random
from pathlib import Path

from harness import OK, add_case, case, flip_count, ok_or, raises

from ._util import flip_byte, parquet_footer_length

FLIP_SEED = 20_240_612
# offsets of issue 12 (in the customers.parquet of the same study written by the same polars)
ISSUE_OFFSETS = (468, 5128, 6724)
REQUIRED_CUSTOMER_COLUMNS = ("study", "unit", "customer_id", "satisfaction")


def flip_offsets(path: Path, n: int, seed: int = FLIP_SEED) -> list[tuple[int, str]]:
    """``n`` distinct offsets of ``path``, seeded, stratified by region: the leading magic and
    first page header, the footer (Thrift metadata, its length and the trailing magic), and
    the data pages in between."""
    size = path.stat().st_size
    footer = parquet_footer_length(path)
    foot_start = max(0, size - footer - 8)
    regions = {
        "head": range(0, min(64, foot_start)),
        "footer": range(foot_start, size),
        "data": range(min(64, foot_start), foot_start),
    }
    k_head = max(1, n // 8)
    k_foot = max(1, n // 3)
    want = {"head": k_head, "footer": k_foot, "data": n - k_head - k_foot}
    rng = random.Random(seed)
    chosen: list[tuple[int, str]] = []
    for name, region in regions.items():
        k = min(want[name], len(region))
        chosen += [(o, name) for o in rng.sample(region, k)]
    return sorted(chosen)


def _region(path: Path, offset: int) -> str:
    size = path.stat().st_size
    foot_start = size - parquet_footer_length(path) - 8
    return "head" if offset < 64 else "footer" if offset >= foot_start else "data"


def check_harmless(ctx, study, table: str = "customers") -> str:
    """A corrupt file that loaded: same shape as the original; values may differ only where
    they still pass validation; the analyses run. Returns what differs."""
    import miroir
    import polars as pl

    orig = pl.read_parquet(ctx.parquet / f"{table}.parquet")
    got = getattr(study, table)
    assert got is not None, f"{table} vanished"
    assert got.height == orig.height, f"{table}: {got.height} rows loaded, the file had {orig.height}"
    assert got.width == orig.width, f"{table}: {got.width} columns loaded, the file had {orig.width}"
    changed = 0
    renamed = []
    for a, b in zip(got.columns, orig.columns):
        if a != b:
            assert b not in REQUIRED_CUSTOMER_COLUMNS, f"required column '{b}' loaded as '{a}'"
            renamed.append(f"column '{b}' read as '{a}'")
        x = got[a].cast(pl.String, strict=False)
        y = orig[b].cast(pl.String, strict=False)
        changed += int(((x != y) | (x.is_null() != y.is_null())).fill_null(True).sum())
    if table == "customers":
        sat = got["satisfaction"]
        lo, hi = study.schema.satisfaction_scale
        assert sat.null_count() == 0 and sat.min() >= lo and sat.max() <= hi, "invalid satisfaction loaded"
        assert got["customer_id"].n_unique() == got.height, "duplicate customer ids loaded"
    miroir.linkage(study, n_resamples=0)
    return ", ".join([f"loaded, {changed} cell(s) differ", *renamed])


MODES = ((False, "read whole"), (True, "streamed"))


def load_both_ways(ctx, folder, table: str, *, may_load: bool) -> None:
    """Load ``folder`` read whole, then streamed. Each load must be a typed refusal naming the
    file or the table (FileError; SchemaError / DataError for a file that decodes to invalid
    data) or, when ``may_load``, a correct load (check_harmless). Anything else propagates:
    untyped, panic or crash; a refusal that names neither is ``unclear``."""
    import miroir

    from harness import UnclearMessage

    needles = (f"{table}.parquet", f"table '{table}'")
    refusals = (miroir.FileError, miroir.SchemaError, miroir.DataError) if may_load else (miroir.FileError,)
    seen = []
    for streaming, mode in MODES:
        ctx.note(f"{mode}: ...")  # completed below; left as is if the load panics or crashes
        try:
            study = miroir.load_study(folder, streaming=streaming)
        except refusals as e:
            if not any(n in str(e) for n in needles):
                raise UnclearMessage(f"{mode}: {type(e).__name__} naming neither {needles[0]} nor the "
                                     f"table: {e}") from None
            ctx.notes[-1] = f"{mode}: {type(e).__name__}"
            seen.append(type(e).__name__)
            continue
        assert may_load, f"{mode}: a {table}.parquet that cannot be valid was loaded"
        ctx.notes[-1] = f"{mode}: {check_harmless(ctx, study, table)}"
        seen.append(getattr(study, table))
        if streaming:
            miroir.report(study, n_resamples=0)  # reads the verbatims back from the files
    # the two paths promise the same checks and the same typed errors (README, Speed)
    whole, streamed = seen
    if isinstance(whole, str) or isinstance(streamed, str):
        assert whole == streamed, f"read whole: {_shown(whole)}, streamed: {_shown(streamed)}"
    else:
        assert whole.equals(streamed), "the two paths loaded different tables from the same bytes"


def _shown(x) -> str:
    return x if isinstance(x, str) else "loaded"


def _flip_case(index: int | None, offset: int | None, table: str = "customers"):
    def run(ctx):
        folder = ctx.copy("parquet")
        path = folder / f"{table}.parquet"
        if index is not None:
            offsets = flip_offsets(ctx.parquet / f"{table}.parquet", flip_count() if table == "customers" else 2,
                                   seed=FLIP_SEED + (0 if table == "customers" else len(table)))
            if index >= len(offsets):
                ctx.note("file too small for this flip")
                return None
            off, region = offsets[index]
        else:
            assert offset is not None
            off = offset
            if off >= path.stat().st_size:
                ctx.note(f"offset {off} beyond the file")
                return None
            region = _region(path, off)
        flip_byte(path, off)
        ctx.note(f"byte {off} of {path.stat().st_size} ({region}) ^= 0xFF")
        load_both_ways(ctx, folder, table, may_load=True)

    return run


FLIP_DOC = ("read whole, then streamed: each a FileError (or, if it decodes to invalid data, a "
            "SchemaError / DataError) naming it, or a correct load")


def _register_flips() -> None:
    for i in range(flip_count()):
        add_case(f"flip_customers_{i:02d}", "corrupt", _flip_case(i, None), OK,
                 doc=f"seeded single-byte flip #{i} of customers.parquet, {FLIP_DOC}")
    for off in ISSUE_OFFSETS:
        add_case(f"flip_customers_at_{off}", "corrupt", _flip_case(None, off), OK,
                 doc=f"issue 12's flip at byte {off} of customers.parquet, {FLIP_DOC}")
    for table in ("employees", "mentions"):
        for i in range(2):
            add_case(f"flip_{table}_{i}", "corrupt", _flip_case(i, None, table), OK,
                     doc=f"seeded single-byte flip #{i} of {table}.parquet, {FLIP_DOC}")


_register_flips()


# -- truncations and lying footers --------------------------------------------------------------


def _rewrite(ctx, transform, streaming: bool):
    import miroir

    folder = ctx.copy("parquet")
    path = folder / "customers.parquet"
    path.write_bytes(transform(path.read_bytes()))
    return miroir.load_study(folder, streaming=streaming)


def _footer_len(data: bytes) -> int:
    return int.from_bytes(data[-8:-4], "little")


TRUNCATIONS = {
    "truncated_half": ("cut to half its size", lambda b: b[: len(b) // 2]),
    "truncated_footer": ("its last 8 bytes (footer length, magic) cut", lambda b: b[:-8]),
    "footer_length_huge": ("footer length set to 4 GiB", lambda b: b[:-8] + (0xFFFFFFF0).to_bytes(4, "little") + b"PAR1"),
    "footer_length_zero": ("footer length set to 0", lambda b: b[:-8] + bytes(4) + b"PAR1"),
    "data_pages_removed": ("the data pages cut out, footer kept", lambda b: b[:4] + b[-(_footer_len(b) + 8):]),
    "magic_only_at_both_ends": ("'PAR1PAR1'", lambda b: b"PAR1PAR1"),
    "zero_bytes": ("0 bytes (a failed download)", lambda b: b""),
}


def _truncation_case(transform):
    def run(ctx):
        folder = ctx.copy("parquet")
        path = folder / "customers.parquet"
        path.write_bytes(transform(path.read_bytes()))
        load_both_ways(ctx, folder, "customers", may_load=False)

    return run


for _name, (_what, _fn) in TRUNCATIONS.items():
    add_case(f"parquet_{_name}", "corrupt", _truncation_case(_fn), OK,
             doc=f"customers.parquet with {_what}, read whole then streamed: FileError naming it each time")


@case("corrupt", ok_or("FileError", "customers.parquet"))
def parquet_file_doubled(ctx):
    """customers.parquet written twice end to end (a botched append): FileError, or read as
    the original (the footer's offsets point into the first copy)."""
    import polars as pl

    study = _rewrite(ctx, lambda b: b + b, False)
    orig = pl.read_parquet(ctx.parquet / "customers.parquet")
    assert study.customers.equals(orig), "a doubled file loaded as a different table"


@case("corrupt", raises("EmptyTableError", "customers"))
def parquet_no_rows(ctx):
    """A valid customers.parquet with the columns and no row: EmptyTableError."""
    import miroir

    emp, cus, men = ctx.tables()
    miroir.load_study(ctx.with_tables("parquet", customers=cus.head(0)))


@case("corrupt", raises("EmptyTableError", "customers"))
def parquet_no_rows_streaming(ctx):
    """The same, streamed: EmptyTableError."""
    import miroir

    emp, cus, men = ctx.tables()
    miroir.load_study(ctx.with_tables("parquet", customers=cus.head(0)), streaming=True)


@case("corrupt", raises(("FileError", "MissingValueError"), "customers", ("line 3001", "line 3000", "row 2999", "row index 2999")))
def csv_truncated_mid_line(ctx):
    """customers.csv cut in the middle of its last line (a copy interrupted): refused naming
    the line (or the row with the missing value)."""
    text = (ctx.csv / "customers.csv").read_text(encoding="utf-8").rstrip("\n")
    cut = text.rfind(",", 0, text.rfind(",")) + 1  # after the second-to-last comma of the file
    import miroir

    miroir.load_study(ctx.csv_with(customers=text[:cut]))


@case("corrupt", raises("FileError", "mentions.csv"))
def csv_truncated_inside_quotes(ctx):
    """mentions.csv cut inside a quoted text: FileError naming it."""
    text = (ctx.csv / "mentions.csv").read_text(encoding="utf-8")
    start = text.find(',"', len(text) // 2)  # a quoted text field opening after the middle
    assert start > 0, "setup: no quoted text in mentions.csv"
    import miroir

    miroir.load_study(ctx.csv_with(mentions=text[: start + 6]))


