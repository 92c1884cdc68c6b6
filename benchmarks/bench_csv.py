"""Reading an institute's CSV export vs a plain one (issue 15, item 1).

    .venv/bin/python benchmarks/bench_csv.py                 # 1,000,000 customers
    .venv/bin/python benchmarks/bench_csv.py --rows 200000 --rounds 5

One customers table (study, unit, customer_id, satisfaction, nps, ...), from
``miroir.synthetic_study``, with an accented unit name on every row ("Agence Évry ..."), so that
the whole file has to be transcoded, written twice:

* ``plain.csv``: UTF-8, ``,`` separator, decimal points, LF (what ``Study.write`` writes);
* ``export.csv``: windows-1252 (latin-1), ``;`` separator, decimal commas on the float columns,
  CRLF (what a French Excel or SPSS export looks like).

Both are read by the Rust reader, ``miroir._core.read_table`` (separator, encoding and decimal
comma detected on the export), best of ``--rounds`` after one untimed warm-up; the two frames
read are checked equal first. Prints the times and their ratio (target: at most 1.5x).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

import miroir
from miroir import _core


def best(f, rounds: int) -> float:
    f()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    study = miroir.synthetic_study(studies=20, employees=max(args.rows // 5, 1_000), customers=args.rows, seed=1)
    customers = study.customers.with_columns(("Agence Évry " + pl.col("unit")).alias("unit"))
    floats = [c for c, t in customers.schema.items() if t.is_float()]
    with tempfile.TemporaryDirectory() as tmp:
        plain, export = Path(tmp) / "plain.csv", Path(tmp) / "export.csv"
        customers.write_csv(plain)
        text = pl.read_csv(plain, infer_schema_length=0).with_columns(
            pl.col(c).str.replace(".", ",", literal=True) for c in floats
        ).write_csv(separator=";", line_terminator="\r\n")
        export.write_bytes(text.encode("cp1252"))

        a, b = _core.read_table(str(plain)), _core.read_table(str(export))
        assert a.equals(b), (a.schema, b.schema)
        t_plain = best(lambda: _core.read_table(str(plain)), args.rounds)
        t_export = best(lambda: _core.read_table(str(export)), args.rounds)
        mb = plain.stat().st_size / 1e6, export.stat().st_size / 1e6

    print(f"customers: {args.rows:,} rows, columns {list(customers.columns)}, float columns {floats}")
    print(f"plain  UTF-8 ',' decimal point, LF     {mb[0]:7.1f} MB  {t_plain * 1e3:8.1f} ms")
    print(f"export cp1252 ';' decimal comma, CRLF  {mb[1]:7.1f} MB  {t_export * 1e3:8.1f} ms")
    print(f"ratio export / plain: {t_export / t_plain:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
