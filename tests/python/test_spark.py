"""miroir.spark on a local[2] Spark session (issue 19, part 4): the report of a dataset and of
Spark DataFrames equals the single-machine report.

Runs only where pyspark and a Java runtime are installed (neither is a test requirement: a JVM
is a Debian package, ``apt-get install default-jre-headless``, and ``pip install pyspark``);
elsewhere the module is skipped, and pytest reports it as skipped, not passed.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

import miroir
import miroir.distributed as md

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark)")
if shutil.which("java") is None:
    pytest.skip("no Java runtime (apt-get install default-jre-headless)", allow_module_level=True)

import miroir.spark as ms  # noqa: E402
from _support import assert_reports_equal  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors run this interpreter (miroir installed)
    s = (SparkSession.builder.master("local[2]").appName("miroir-tests")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def study():
    return miroir.synthetic_study(studies=5, employees=2_000, customers=8_000, seed=6)


def test_the_report_of_a_dataset_on_spark(spark, study, tmp_path):
    md.write_dataset(study, tmp_path, partitions=4, seed=1)
    assert_reports_equal(ms.report(tmp_path, spark=spark, n_resamples=199, seed=3),
                         miroir.report(study, n_resamples=199, seed=3))


def test_the_report_of_spark_dataframes(spark, study):
    frames = {t: spark.createDataFrame(getattr(study, t).to_arrow()) for t in ("employees", "customers", "mentions")}
    frames = {t: df.repartition(3) for t, df in frames.items()}
    assert_reports_equal(ms.report(frames, spark=spark), miroir.report(study))


def test_a_duplicate_across_spark_partitions_is_refused(spark, study):
    import polars as pl

    cus = pl.concat([study.customers, study.customers.head(1)])
    frames = {"employees": spark.createDataFrame(study.employees.to_arrow()),
              "customers": spark.createDataFrame(cus.to_arrow()).repartition(3)}
    with pytest.raises(Exception, match="customer_id"):
        ms.report(frames, spark=spark)
