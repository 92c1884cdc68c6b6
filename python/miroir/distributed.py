"""The report of a partitioned dataset on a Dask cluster, equal to the single-machine report.

A dataset too large for one machine, or already stored as partitioned Parquet (local, or on an
object store behind an fsspec URL), is reported on by a ``dask.distributed`` cluster:

1. **Plan.** Each worker lists the studies of its files (it reads the study column; a hive
   layout ``customers/study=bank-01/part-0.parquet`` gives it from the path). The client groups
   the studies into tasks: the studies that share a file go together, so no file is read twice
   unless a layout mixes every study in every file and there are more workers than groups.
2. **Parts.** Each task reads its files with miroir's Rust reader on the worker (no pandas, no
   rows through the scheduler), keeps the rows of its studies, validates them with the
   single-machine loader (a duplicate id across two files is refused as on one machine, naming
   the file), and returns a *part*: the per-study rows of every table and the sufficient
   statistics of the pooled rows (counts, sums, co-moments per unit and group, sorted runs for
   the rank tests, theme counts), as bytes.
3. **Merge.** Parts are merged pairwise in a tree on the workers; a merge is the union of the
   parts' studies (exact, associative, commutative).
4. **Finish.** The client computes the pooled rows from the merged statistics, in study order,
   and the seeded bootstraps from the merged per-unit statistics: the report equals
   :func:`miroir.report` on the same data (integers exactly, numbers to 1e-12 relative),
   whatever the partitioning and the order of the files.

The unit of distribution is the study: one study's rows are read and validated by one worker.

Examples
--------
>>> import tempfile, miroir, miroir.distributed as md
>>> from distributed import Client, LocalCluster
>>> study = miroir.synthetic_study(studies=4, employees=800, customers=3_000, seed=2)
>>> root = tempfile.mkdtemp()
>>> md.write_dataset(study, root, partitions=3)            # employees/, customers/, mentions/
>>> with LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster, Client(cluster) as client:
...     rep = md.report(root, client=client, n_resamples=0)
>>> from polars.testing import assert_frame_equal
>>> one = miroir.report(study, n_resamples=0)
>>> for name, table in one.tables().items():               # equal to rounding
...     assert_frame_equal(rep.tables()[name], table, rel_tol=1e-12, abs_tol=1e-14)
>>> rep.linkage.table["n_units"].to_list() == one.linkage.table["n_units"].to_list()
True
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from miroir import _core
from miroir._defaults import REPORT as _REPORT
from miroir._frames import invalid_argument, invalid_argument_type
from miroir.results.report import Report

if TYPE_CHECKING:
    from distributed import Client

    from miroir.results.exposure_gap import ExposureGapResult
    from miroir.results.indicators import IndicatorsResult
    from miroir.results.linkage import LinkageResult
    from miroir.results.moment_effects import MomentEffectsResult
    from miroir.results.moments import MomentsResult

    from miroir.study import Study

TABLES = ("employees", "customers", "mentions")
_EXTENSIONS = (".parquet", ".pq", ".csv")
_HIVE = re.compile(r"^([^=/]+)=([^/]*)$")

__all__ = ["report", "indicators", "linkage", "exposure_gap", "moments", "moment_effects", "write_dataset",
           "DatasetFile", "dataset_files", "plan"]


@dataclass(frozen=True)
class DatasetFile:
    """One file of a dataset: where it is (a path or an fsspec URL) and the columns its path
    gives (a hive layout's ``study=bank-01/``)."""

    url: str
    constants: tuple[tuple[str, str], ...] = ()

    @property
    def local(self) -> bool:
        return "://" not in self.url or self.url.startswith("file://")

    def read(self) -> tuple[str, bytes | None, list[tuple[str, str]]]:
        """The file as the Rust reader takes it: a local path is read by Rust itself, a URL is
        fetched here (on the worker) with fsspec."""
        if self.local:
            return (self.url.removeprefix("file://"), None, list(self.constants))
        import fsspec

        with fsspec.open(self.url, "rb") as f:
            data = f.read()
        return (self.url, data, list(self.constants))


def _hive_constants(relative: str) -> tuple[tuple[str, str], ...]:
    parts = relative.split("/")[:-1]
    return tuple((m.group(1), m.group(2)) for p in parts if (m := _HIVE.match(p)))


def _list(root: str) -> tuple[Any, str, list[str]]:
    """The filesystem of ``root`` and the files under it (sorted)."""
    import fsspec

    fs, path = fsspec.core.url_to_fs(root)
    if fs.isfile(path):
        return fs, path, [path]
    return fs, path, sorted(p for p in fs.find(path) if p.lower().endswith(_EXTENSIONS))


def _url(fs: Any, path: str) -> str:
    url: str = fs.unstrip_protocol(path)
    return url.removeprefix("file://")


def dataset_files(dataset: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, list[DatasetFile]]:
    """The files of each table of a dataset.

    Parameters
    ----------
    dataset : path, fsspec URL, or mapping
        A folder (or URL) holding, for each of ``employees``, ``customers`` and (optional)
        ``mentions``, either a file ``<table>.parquet`` / ``.csv`` or a folder ``<table>/``
        of such files (any depth; hive segments ``key=value`` give columns); or a mapping
        ``{table: path or list of paths}``.

    Returns
    -------
    dict
        ``{table: [DatasetFile, ...]}``, sorted by URL (the order of the files never changes a
        result).
    """
    out: dict[str, list[DatasetFile]] = {t: [] for t in TABLES}
    if isinstance(dataset, Mapping):
        unknown = sorted(set(dataset) - set(TABLES))
        if unknown:
            raise invalid_argument("dataset", f"unknown table(s) {unknown}; expected {list(TABLES)}")
        for table, value in dataset.items():
            paths = [value] if isinstance(value, (str, os.PathLike)) else list(value)
            for p in paths:
                fs, base, files = _list(os.fspath(p))
                for f in files:
                    rel = posixpath.relpath(f, base) if f != base else posixpath.basename(f)
                    out[table].append(DatasetFile(_url(fs, f), _hive_constants(rel)))
    elif isinstance(dataset, (str, os.PathLike)):
        fs, base, files = _list(os.fspath(dataset))
        for f in files:
            rel = posixpath.relpath(f, base)
            head = rel.split("/")[0]
            stem = head.rsplit(".", 1)[0].lower() if "/" not in rel else head.lower()
            if stem in TABLES:
                out[stem].append(DatasetFile(_url(fs, f), _hive_constants(rel)))
    else:
        raise invalid_argument_type("dataset", f"expected a folder, a URL or a mapping {{table: paths}}, got {type(dataset).__name__}")
    for table in ("employees", "customers"):
        if not out[table]:
            raise _core.FileError(f"{os.fspath(dataset) if not isinstance(dataset, Mapping) else 'dataset'}: "
                                  f"no {table} file (a {table}.parquet or a {table}/ folder of Parquet or CSV files)")
    return {t: sorted(fs_, key=lambda f: f.url) for t, fs_ in out.items()}


# --- tasks run on the workers (module-level, so that they pickle by reference) ---


def _file_studies(file: DatasetFile, table: str, schema: _core.Schema) -> list[tuple[str | None, int]]:
    name, data, constants = file.read()
    return _core.partial_file_studies(name, table, schema, data, constants)


def _part(files: dict[str, list[DatasetFile]], studies: list[str], schema: _core.Schema,
          n_resamples: int, seed: int) -> bytes:
    read = {t: [f.read() for f in files[t]] for t in TABLES}
    return _core.partial_report(read["employees"], read["customers"], read["mentions"], studies, schema,
                                n_resamples, seed)


def _merge(a: bytes, b: bytes) -> bytes:
    return _core.merge_partials(a, b)


@dataclass
class Task:
    """The studies one task reports on and the files that hold them."""

    studies: list[str]
    files: dict[str, list[DatasetFile]] = field(default_factory=dict)
    rows: int = 0


def plan(studies_of: Mapping[str, Sequence[tuple[DatasetFile, Sequence[tuple[str | None, int]]]]],
         n_tasks: int | None = None, min_tasks: int = 1) -> list[Task]:
    """Groups the studies into tasks.

    Studies that share a file are kept together (connected through the files of any table), so
    that a file is read by one task. Without ``n_tasks``, each group is a task (a hive layout by
    study: one task per study), and when there are fewer groups than ``min_tasks`` (every file
    mixes all the studies) the largest groups are split by study: each of their tasks reads the
    group's files and keeps its own studies. With ``n_tasks``, groups are split the same way up
    to ``n_tasks`` and packed, largest first, into ``n_tasks`` tasks (the task with the fewest
    rows first). Files without any row are read by no task; rows without a study go with the
    tasks that read their file, where validation refuses them.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows: dict[str, int] = {}
    holders: dict[str, list[tuple[str, DatasetFile]]] = {}
    for table, entries in studies_of.items():
        for file, counts in entries:
            named = [s for s, _ in counts if s is not None]
            for s, n in counts:
                if s is not None:
                    rows[s] = rows.get(s, 0) + n
                    holders.setdefault(s, []).append((table, file))
            for s in named[1:]:
                parent[find(s)] = find(named[0])
            if named:
                find(named[0])
            elif counts:  # a file whose rows all lack a study: give it to the first group
                holders.setdefault("\0orphan", []).append((table, file))
    groups: dict[str, list[str]] = {}
    for s in sorted(rows):
        groups.setdefault(find(s), []).append(s)
    units = sorted(groups.values(), key=lambda g: (-sum(rows[s] for s in g), g))
    if n_tasks is None:
        n_tasks = max(len(units), min_tasks)
    while 0 < len(units) < n_tasks and any(len(g) > 1 for g in units):
        big = max((g for g in units if len(g) > 1), key=lambda g: sum(rows[s] for s in g))
        units.remove(big)
        half = sorted(big, key=lambda s: -rows[s])
        units += [sorted(half[0::2]), sorted(half[1::2])]
    tasks = [Task([]) for _ in range(min(n_tasks, len(units)) or 1)]
    for g in sorted(units, key=lambda g: (-sum(rows[s] for s in g), g)):
        t = min(tasks, key=lambda t: (t.rows, len(t.studies)))
        t.studies += g
        t.rows += sum(rows[s] for s in g)
    for t in tasks:
        t.studies.sort()
        seen: dict[str, dict[str, DatasetFile]] = {tb: {} for tb in TABLES}
        for s in t.studies:
            for table, f in holders.get(s, []):
                seen[table][f.url] = f
        if t is tasks[0]:
            for table, f in holders.get("\0orphan", []):
                seen[table][f.url] = f
        t.files = {tb: [seen[tb][u] for u in sorted(seen[tb])] for tb in TABLES}
    return [t for t in tasks if t.studies]


def _tree_merge(client: Client, futures: list[Any]) -> Any:
    while len(futures) > 1:
        nxt = [client.submit(_merge, futures[i], futures[i + 1], pure=False) for i in range(0, len(futures) - 1, 2)]
        if len(futures) % 2:
            nxt.append(futures[-1])
        futures = nxt
    return futures[0]


def report(
    dataset: str | os.PathLike[str] | Mapping[str, Any],
    *,
    schema: _core.Schema | None = None,
    client: Client | None = None,
    n_resamples: int = _REPORT["n_resamples"],
    seed: int = _REPORT["seed"],
    tasks: int | None = None,
    lang: str = "en",
) -> Report:
    """The report of a partitioned dataset, computed on a Dask cluster.

    Parameters
    ----------
    dataset : path, fsspec URL, or mapping
        See :func:`dataset_files`: ``employees``, ``customers`` and (optional) ``mentions``,
        each a file or a folder of Parquet or CSV files (a hive layout ``study=.../`` allowed).
    schema : Schema, optional
        The column mapping and scales, as for :func:`miroir.load_study` (default ``Schema()``).
    client : distributed.Client, optional
        The cluster to run on; without one, a ``LocalCluster`` of worker processes is started
        for the call and closed after it.
    n_resamples, seed : int
        As :func:`miroir.report`: the seeded bootstraps, computed once on the merged parts.
    tasks : int, optional
        How many part tasks. By default one per group of studies that share files (one per
        study in a hive layout by study), and at least twice the cluster's worker threads
        (groups split by study, each task then reading the group's files). Fewer tasks hold
        more studies each: a task holds its studies' rows in memory while it validates them.
    lang : {"en", "fr"}
        The language of the report's deliverables.

    Returns
    -------
    Report
        Equal to ``miroir.report(miroir.load_study(...), n_resamples=, seed=)`` on the same
        rows: integers and texts exactly, numbers to 1e-12 relative.

    Raises
    ------
    FileError
        A file that cannot be read (corrupt, not Parquet or CSV), named; a partition whose
        columns differ from the first file's of its table.
    DataError
        What :func:`miroir.load_study` refuses (duplicate ids, orphan mentions, values out of
        range ...), with the rows numbered in the file that holds them.
    """
    from miroir.i18n import check_lang

    check_lang(lang)
    schema = schema if schema is not None else _core.Schema()
    if not isinstance(schema, _core.Schema):
        raise invalid_argument_type("schema", f"expected a miroir.Schema, got {type(schema).__name__}")
    if client is None:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster) as c:
            return report(dataset, schema=schema, client=c, n_resamples=n_resamples, seed=seed, tasks=tasks,
                          lang=lang)
    files = dataset_files(dataset)
    listing = {
        t: client.map(_file_studies, files[t], [t] * len(files[t]), [schema] * len(files[t]), pure=False)
        for t in TABLES
    }
    studies_of = {t: list(zip(files[t], client.gather(listing[t]))) for t in TABLES}
    if tasks is not None and (not isinstance(tasks, int) or isinstance(tasks, bool) or tasks < 1):
        raise invalid_argument("tasks", f"expected a positive integer, got {tasks!r}")
    work = plan(studies_of, tasks, min_tasks=2 * max(1, sum(client.nthreads().values())))
    parts = [client.submit(_part, t.files, t.studies, schema, n_resamples, seed, pure=False) for t in work]
    merged = _tree_merge(client, parts).result()
    tables = _core.finish_report(merged, n_resamples, seed)
    return Report(tables, {"n_resamples": n_resamples, "seed": seed, "lang": lang})


def indicators(dataset: str | os.PathLike[str] | Mapping[str, Any], **options: Any) -> IndicatorsResult:
    """The indicators of :func:`report` (which computes every section; same arguments)."""
    return report(dataset, **options).indicators


def linkage(dataset: str | os.PathLike[str] | Mapping[str, Any], **options: Any) -> LinkageResult:
    """The linkage of :func:`report` (which computes every section; same arguments)."""
    return report(dataset, **options).linkage


def exposure_gap(dataset: str | os.PathLike[str] | Mapping[str, Any], **options: Any) -> ExposureGapResult:
    """The exposure gap of :func:`report` (which computes every section; same arguments)."""
    return report(dataset, **options).exposure_gap


def moments(dataset: str | os.PathLike[str] | Mapping[str, Any], **options: Any) -> MomentsResult | None:
    """The moments of :func:`report` (None without mentions; same arguments)."""
    return report(dataset, **options).moments


def moment_effects(dataset: str | os.PathLike[str] | Mapping[str, Any], **options: Any) -> MomentEffectsResult | None:
    """The moment effects of :func:`report` (None without mentions; same arguments)."""
    return report(dataset, **options).moment_effects


def write_dataset(study: Study, root: str | os.PathLike[str], *, partitions: int = 1, by_study: bool = False,
                  seed: int = 0) -> None:
    """Writes a study as a partitioned Parquet dataset (``employees/``, ``customers/``,
    ``mentions/`` folders of ``part-N.parquet`` files), for tests and examples.

    ``partitions`` files per table, rows dealt at random (``seed``) so that each file mixes
    studies; ``by_study=True`` writes a hive layout ``<table>/study=<name>/part-0.parquet``
    (the study column left out of the files, as partitioned writers do).
    """
    import numpy as np
    import polars as pl

    root = os.fspath(root)
    frames = {"employees": study.employees, "customers": study.customers, "mentions": study.mentions}
    for table, df in frames.items():
        if df is None or df.height == 0:
            continue
        os.makedirs(os.path.join(root, table), exist_ok=True)
        if by_study:
            for (name,), part in df.group_by("study", maintain_order=True):
                d = os.path.join(root, table, f"study={name}")
                os.makedirs(d, exist_ok=True)
                part.drop("study").write_parquet(os.path.join(d, "part-0.parquet"))
            continue
        rng = np.random.default_rng(seed)
        which = rng.integers(0, partitions, df.height)
        for p in range(partitions):
            df.filter(pl.Series(which == p)).write_parquet(os.path.join(root, table, f"part-{p}.parquet"))
