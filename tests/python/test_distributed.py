"""miroir.distributed on a real dask.distributed LocalCluster (two worker processes, one per
module): the report of a partitioned Parquet dataset equals the single-machine report of the same
rows, whatever the partitioning, the layout, the order of the files, a worker lost mid-run; bad
partitions are refused with typed errors naming the file (issue 19)."""

from __future__ import annotations

import os
import random
import shutil
import threading
import time

import distributed
import polars as pl
import pytest

import miroir
import miroir.distributed as md
from _support import assert_frames_close, assert_reports_equal



@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def study():
    return miroir.synthetic_study(seed=0)  # the default study: 20 studies, 100,000 customers


@pytest.fixture(scope="module")
def expected(study):
    return miroir.report(study)


@pytest.mark.parametrize("partitions", [1, 3, 10, 64])
def test_the_report_of_any_partitioning_is_the_single_machine_report(client, study, expected, tmp_path, partitions):
    md.write_dataset(study, tmp_path, partitions=partitions, seed=partitions)
    got = md.report(tmp_path, client=client)
    assert_reports_equal(got, expected)


def test_a_hive_layout_by_study_and_shuffled_file_names(client, study, expected, tmp_path):
    md.write_dataset(study, tmp_path / "hive", by_study=True)
    assert_reports_equal(md.report(tmp_path / "hive", client=client), expected)
    # the same files under shuffled names: the order of the files does not change a result
    md.write_dataset(study, tmp_path / "flat", partitions=10, seed=7)
    names = sorted(os.listdir(tmp_path / "flat" / "customers"))
    shuffled = names[:]
    random.Random(3).shuffle(shuffled)
    for old, new in zip(names, shuffled):
        os.rename(tmp_path / "flat" / "customers" / old, tmp_path / "flat" / "customers" / f"x-{new}")
    got = md.report(tmp_path / "flat", client=client, tasks=7)
    assert_reports_equal(got, expected)


def test_the_bootstrap_follows_n_resamples_and_seed(client, study, tmp_path):
    md.write_dataset(study, tmp_path, partitions=4)
    for n, seed in [(0, 0), (199, 5)]:
        assert_reports_equal(md.report(tmp_path, client=client, n_resamples=n, seed=seed),
                             miroir.report(study, n_resamples=n, seed=seed))


def test_an_object_store_url(client, study, expected):
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    md.write_dataset(study, "/tmp/miroir-memory-src", partitions=3)
    try:
        for root, _, files in os.walk("/tmp/miroir-memory-src"):
            for f in files:
                rel = os.path.relpath(os.path.join(root, f), "/tmp/miroir-memory-src")
                fs.pipe(f"/ds/{rel}", open(os.path.join(root, f), "rb").read())
        # memory:// lives in one process: the workers of a process cluster cannot see it, so
        # the URL path runs on an in-process cluster here (the code path is the one of s3://)
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                      dashboard_address=None) as lc, distributed.Client(lc) as local:
            assert_reports_equal(md.report("memory://ds", client=local), expected)
    finally:
        shutil.rmtree("/tmp/miroir-memory-src", ignore_errors=True)
        fs.rm("/ds", recursive=True)


def test_an_empty_partition_changes_nothing(client, study, expected, tmp_path):
    md.write_dataset(study, tmp_path, partitions=3)
    study.customers.head(0).write_parquet(tmp_path / "customers" / "part-empty.parquet")
    assert_reports_equal(md.report(tmp_path, client=client), expected)


def test_a_dataset_without_mentions_has_no_moments(client, study, tmp_path):
    md.write_dataset(study, tmp_path, partitions=3)
    shutil.rmtree(tmp_path / "mentions")
    got = md.report(tmp_path, client=client, n_resamples=0)
    want = miroir.report(miroir.Study(study.employees, study.customers), n_resamples=0)
    assert got.moments is None and got.moment_effects is None
    assert_reports_equal(got, want)


def test_the_section_functions_are_the_report_s_sections(client, study, expected, tmp_path):
    md.write_dataset(study, tmp_path, partitions=2)
    for name in ("indicators", "linkage", "exposure_gap", "moments", "moment_effects"):
        got, want = getattr(md, name)(tmp_path, client=client), getattr(expected, name)
        assert type(got) is type(want), name
        assert_frames_close(got.table, want.table, name)


def test_a_corrupt_partition_is_a_file_error_naming_it(client, study, tmp_path):
    md.write_dataset(study, tmp_path, partitions=3)
    bad = tmp_path / "customers" / "part-1.parquet"
    bad.write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
    with pytest.raises(miroir.FileError, match="part-1.parquet") as e:
        md.report(tmp_path, client=client)
    assert e.value.file is None or "part-1.parquet" in e.value.file


def test_a_partition_with_another_schema_is_refused_naming_it(client, study, tmp_path):
    md.write_dataset(study, tmp_path, partitions=3)
    p = tmp_path / "employees" / "part-2.parquet"
    pl.read_parquet(p).drop("engagement").write_parquet(p)
    with pytest.raises(miroir.FileError, match=r"part-2\.parquet.*missing column\(s\) engagement"):
        md.report(tmp_path, client=client)


def test_an_id_in_two_partitions_is_a_duplicate_naming_the_file(client, study, tmp_path):
    md.write_dataset(study, tmp_path, partitions=3)
    extra = study.customers.head(1)
    extra.write_parquet(tmp_path / "customers" / "part-9.parquet")
    with pytest.raises(miroir.DuplicateIdError, match="part-9.parquet") as e:
        md.report(tmp_path, client=client)
    assert e.value.table == "customers" and e.value.column == "customer_id"


def test_an_orphan_mention_is_refused(client, study, tmp_path):
    md.write_dataset(study, tmp_path, partitions=3)
    m = study.mentions.head(1).with_columns(pl.lit("nobody").alias("respondent_id"))
    m.write_parquet(tmp_path / "mentions" / "part-9.parquet")
    with pytest.raises(miroir.OrphanMentionError, match="part-9.parquet"):
        md.report(tmp_path, client=client)


def test_a_worker_lost_mid_run_is_replaced_and_the_result_is_the_same(study, expected, tmp_path):
    md.write_dataset(study, tmp_path, partitions=10)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as lc, distributed.Client(lc) as c:
        out: dict[str, object] = {}

        def run() -> None:
            try:
                out["report"] = md.report(tmp_path, client=c, tasks=20)
            except BaseException as e:  # noqa: BLE001 - reported below
                out["error"] = e

        t = threading.Thread(target=run)
        t.start()
        killed = False
        deadline = time.monotonic() + 60
        while t.is_alive() and time.monotonic() < deadline and not killed:
            busy = [w for w, tasks in c.processing().items() if any("_part" in k for k in map(str, tasks))]
            if busy:
                nanny = [n for n in lc.workers.values() if n.worker_address == busy[0]]
                if nanny and nanny[0].process is not None and nanny[0].process.process is not None:
                    nanny[0].process.process.kill()  # the worker process dies mid-task
                    killed = True
            time.sleep(0.02)
        t.join(120)
        assert killed, "no worker was found busy with a part"
        assert "error" not in out, out.get("error")
        assert_reports_equal(out["report"], expected)


def test_without_a_client_a_local_cluster_is_started_and_closed(study, tmp_path):
    small = miroir.synthetic_study(studies=3, employees=900, customers=3_000, seed=4)
    md.write_dataset(small, tmp_path, partitions=2)
    assert_reports_equal(md.report(tmp_path, n_resamples=0), miroir.report(small, n_resamples=0))


def test_the_plan_keeps_studies_that_share_a_file_together():
    f = [md.DatasetFile(f"f{i}") for i in range(4)]
    listing = {
        "employees": [(f[0], [("a", 5), ("b", 5)]), (f[1], [("c", 9)]), (f[2], [])],
        "customers": [(f[3], [("d", 1), (None, 2)])],
        "mentions": [],
    }
    tasks = md.plan(listing)
    assert sorted(t.studies for t in tasks) == [["a", "b"], ["c"], ["d"]]
    by = {tuple(t.studies): t for t in tasks}
    assert [x.url for x in by[("a", "b")].files["employees"]] == ["f0"]
    assert by[("d",)].files["customers"] == [f[3]]
    # a file that mixes every study: split by study when there are more tasks than groups
    mixed = {"employees": [(f[0], [("a", 3), ("b", 2), ("c", 1)])], "customers": [], "mentions": []}
    split = md.plan(mixed, min_tasks=2)
    assert sorted(sum((t.studies for t in split), [])) == ["a", "b", "c"] and len(split) == 2
    assert md.plan(mixed, 1)[0].studies == ["a", "b", "c"]


def test_bad_arguments_are_refused(client, tmp_path):
    with pytest.raises(miroir.FileError, match="no employees file"):
        md.report(tmp_path, client=client)
    with pytest.raises(miroir.InvalidArgumentError, match="'dataset'"):
        md.dataset_files({"staff": "x"})
    with pytest.raises(miroir.InvalidArgumentTypeError):
        md.report(3, client=client)  # type: ignore[arg-type]
