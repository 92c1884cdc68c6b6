"""The distributed report on Apache Spark (optional): the same parts as
:mod:`miroir.distributed`, computed by Spark executors through ``mapInArrow``.

Needs ``pyspark`` (with ``pyarrow``) and a Java runtime; miroir must be installed on the
executors' Python (``PYSPARK_PYTHON``). Two inputs:

- a dataset (a folder, an fsspec URL or a mapping ``{table: paths}``, as
  :func:`miroir.distributed.dataset_files`): the executors list the studies of the files, the
  driver groups the studies into tasks (:func:`miroir.distributed.plan`), and each executor
  reads its task's files with miroir's Rust reader and returns the task's part;
- a mapping ``{"employees": df, "customers": df, "mentions": df}`` of Spark DataFrames (columns
  as the schema names them): each partition sends the rows of each study it holds, as Parquet
  bytes, to the executor of that study (a shuffle by study), which validates them and returns
  the study's part.

The parts come back to the driver, are merged there (they are small) and finished: the report
equals :func:`miroir.report` on the same rows (integers and texts exactly, numbers to 1e-12).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from miroir import _core
from miroir._defaults import REPORT as _REPORT
from miroir._frames import invalid_argument, invalid_argument_type
from miroir.distributed import TABLES, DatasetFile, Task, dataset_files, plan
from miroir.results.report import Report

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["report"]


def _merge_all(parts: list[bytes]) -> bytes:
    """Pairwise merges in a tree (the order never changes the result)."""
    while len(parts) > 1:
        nxt = [_core.merge_partials(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        parts = nxt + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0]


def _file_rows(schema_toml: str) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        schema = _core.Schema.from_toml_text(schema_toml)
        for b in batches:
            out: dict[str, list[Any]] = {"table": [], "url": [], "study": [], "rows": []}
            for table, url, constants in zip(*(b.column(i).to_pylist() for i in range(3))):
                f = DatasetFile(url, tuple(tuple(kv) for kv in json.loads(constants)))
                name, data, consts = f.read()
                for study, rows in _core.partial_file_studies(name, table, schema, data, consts):
                    out["table"].append(table)
                    out["url"].append(url)
                    out["study"].append(study)
                    out["rows"].append(rows)
            yield pa.RecordBatch.from_pydict(out)

    return run


def _task_parts(schema_toml: str, n_resamples: int, seed: int) -> Any:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        schema = _core.Schema.from_toml_text(schema_toml)
        for b in batches:
            parts = []
            for spec in b.column(0).to_pylist():
                t = json.loads(spec)
                read = {tb: [DatasetFile(u, tuple(tuple(kv) for kv in c)).read() for u, c in t["files"][tb]]
                        for tb in TABLES}
                parts.append(_core.partial_report(read["employees"], read["customers"], read["mentions"],
                                                  t["studies"], schema, n_resamples, seed))
            yield pa.RecordBatch.from_pydict({"part": parts}, schema=pa.schema([("part", pa.binary())]))

    return run


def _dataset_parts(spark: SparkSession, dataset: Any, schema: _core.Schema, n_resamples: int, seed: int,
                   tasks: int | None) -> list[bytes]:
    files = dataset_files(dataset)
    rows = [(t, f.url, json.dumps([list(kv) for kv in f.constants])) for t in TABLES for f in files[t]]
    listing_df = spark.createDataFrame(rows, "table string, url string, constants string")
    listing_df = listing_df.repartition(max(1, min(len(rows), spark.sparkContext.defaultParallelism)))
    listed = listing_df.mapInArrow(_file_rows(schema.to_toml()),
                                   "table string, url string, study string, rows long").collect()
    by_url = {f.url: f for t in TABLES for f in files[t]}
    studies_of: dict[str, list[tuple[DatasetFile, list[tuple[str | None, int]]]]] = {t: [] for t in TABLES}
    grouped: dict[tuple[str, str], list[tuple[str | None, int]]] = {}
    for r in listed:
        grouped.setdefault((r["table"], r["url"]), []).append((r["study"], r["rows"]))
    for (t, url), counts in sorted(grouped.items()):
        studies_of[t].append((by_url[url], counts))
    work: list[Task] = plan(studies_of, tasks, min_tasks=spark.sparkContext.defaultParallelism)
    specs = [(json.dumps({"studies": t.studies,
                          "files": {tb: [(f.url, [list(kv) for kv in f.constants]) for f in t.files.get(tb, [])]
                                    for tb in TABLES}}),) for t in work]
    task_df = spark.createDataFrame(specs, "spec string").repartition(len(specs))
    return [r["part"] for r in task_df.mapInArrow(_task_parts(schema.to_toml(), n_resamples, seed),
                                                  "part binary").collect()]


def _study_blobs(table: str, study_column: str | None, constant: str | None) -> Any:
    """Each partition's rows, one Parquet blob per study it holds."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
        import unicodedata

        got = list(batches)
        out_schema = pa.schema([("study", pa.string()), ("table", pa.string()), ("blob", pa.binary())])
        if not got:
            return
        whole = pa.Table.from_batches(got)
        if constant is not None:
            keys: list[Any] = [constant]
            groups = {constant: whole}
        else:
            assert study_column is not None
            col = pc.cast(whole.column(study_column), pa.string())
            keys = pc.unique(col).to_pylist()
            groups = {k: whole.filter(pc.is_null(col) if k is None else pc.equal(col, k)) for k in keys}
        studies, tables, blobs = [], [], []
        for k, part in groups.items():
            buf = io.BytesIO()
            pq.write_table(part, buf)
            studies.append("" if k is None else unicodedata.normalize("NFC", str(k).strip()))
            tables.append(table)
            blobs.append(buf.getvalue())
        yield pa.RecordBatch.from_pydict({"study": studies, "table": tables, "blob": blobs}, schema=out_schema)

    return run


def _study_part(schema_toml: str, n_resamples: int, seed: int) -> Any:
    def run(group: pa.Table) -> pa.Table:
        import pyarrow as pa

        schema = _core.Schema.from_toml_text(schema_toml)
        d = group.to_pydict()
        files: dict[str, list[tuple[str, bytes | None, list[tuple[str, str]]]]] = {t: [] for t in TABLES}
        for i, (table, blob) in enumerate(zip(d["table"], d["blob"])):
            files[table].append((f"spark:{table}/blob-{i}.parquet", blob, []))
        study = d["study"][0]
        part = _core.partial_report(files["employees"], files["customers"], files["mentions"], [study], schema,
                                    n_resamples, seed)
        return pa.table({"part": pa.array([part], pa.binary())})

    return run


def _frame_parts(frames: Mapping[str, DataFrame], schema: _core.Schema, n_resamples: int, seed: int) -> list[bytes]:
    unknown = sorted(set(frames) - set(TABLES))
    if unknown or not {"employees", "customers"} <= set(frames):
        raise invalid_argument("data", f"expected DataFrames for employees, customers (and mentions); got {sorted(frames)}")
    blobs = None
    for table, df in frames.items():
        mapped = {target: source for source, target in schema.columns.get(table, {}).items()}
        constant = schema.constants.get("study")
        column = mapped.get("study", "study") if constant is None else None
        part = df.mapInArrow(_study_blobs(table, column, constant), "study string, table string, blob binary")
        blobs = part if blobs is None else blobs.unionByName(part)
    assert blobs is not None
    out = blobs.groupBy("study").applyInArrow(_study_part(schema.to_toml(), n_resamples, seed), "part binary")
    return [r["part"] for r in out.collect()]


def report(
    data: Any,
    *,
    spark: SparkSession | None = None,
    schema: _core.Schema | None = None,
    n_resamples: int = _REPORT["n_resamples"],
    seed: int = _REPORT["seed"],
    tasks: int | None = None,
    lang: str = "en",
) -> Report:
    """The report of a dataset or of Spark DataFrames, computed by Spark executors.

    Parameters
    ----------
    data : dataset or mapping of Spark DataFrames
        A folder, an fsspec URL or a mapping ``{table: paths}`` (see
        :func:`miroir.distributed.dataset_files`), or ``{"employees": df, "customers": df,
        "mentions": df}`` (``mentions`` optional).
    spark : SparkSession, optional
        Default: the active session (``SparkSession.builder.getOrCreate()``).
    schema, n_resamples, seed, tasks, lang
        As :func:`miroir.distributed.report`.

    Returns
    -------
    Report
        Equal to :func:`miroir.report` on the same rows.
    """
    from miroir.i18n import check_lang

    check_lang(lang)
    schema = schema if schema is not None else _core.Schema()
    if not isinstance(schema, _core.Schema):
        raise invalid_argument_type("schema", f"expected a miroir.Schema, got {type(schema).__name__}")
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
    if isinstance(data, Mapping) and data and all(hasattr(v, "mapInArrow") for v in data.values()):
        parts = _frame_parts(data, schema, n_resamples, seed)
    elif isinstance(data, (str, os.PathLike, Mapping)):
        parts = _dataset_parts(spark, data, schema, n_resamples, seed, tasks)
    else:
        raise invalid_argument_type("data", f"expected a dataset folder, URL or mapping, or a mapping of Spark DataFrames, got {type(data).__name__}")
    if not parts:
        raise _core.EmptyTableError("table 'customers' is empty: the dataset holds no study")
    tables = _core.finish_report(_merge_all(sorted(parts)), n_resamples, seed)
    return Report(tables, {"n_resamples": n_resamples, "seed": seed, "lang": lang})
