"""Schemas, studies and results cross process boundaries (issue 19 part 3): pickled, and
unpickled equal, in this process and in a spawned one (what multiprocessing and Dask workers do)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pickle

import polars as pl
import pytest

import miroir

SCHEMA = miroir.Schema(
    employees={"id": "employee_id", "eng": "engagement"},
    customers={"cid": "customer_id"},
    verbatims={"resp": "respondent_id"},
    satisfaction_scale=(1.0, 5.0),
    satisfied_threshold=4.0,
    min_group_size=3,
    min_text_group_size=7,
    csv={"separator": ";", "decimal_comma": True},
    missing_codes={"satisfaction": [9]},
    constants={"study": "acme"},
    recode={"question": {"Q12": "best"}},
    missing_satisfaction="refuse",
)


def test_a_schema_pickles_with_every_setting():
    again = pickle.loads(pickle.dumps(SCHEMA))
    assert again.to_toml() == SCHEMA.to_toml()
    assert again.columns == SCHEMA.columns
    assert (again.satisfaction_scale, again.satisfied_threshold, again.min_group_size, again.min_text_group_size) == (
        (1.0, 5.0), 4.0, 3, 7)
    assert again.csv == SCHEMA.csv and again.missing_codes == SCHEMA.missing_codes
    assert again.recode == SCHEMA.recode and again.missing_satisfaction == "refuse"


@pytest.fixture(scope="module")
def study() -> miroir.Study:
    return miroir.synthetic_study(studies=3, employees=900, customers=4_000, seed=5)


def test_a_study_pickles_and_reports_the_same(study):
    again = pickle.loads(pickle.dumps(study))
    assert again.summary().equals(study.summary())
    assert again.employees.equals(study.employees) and again.customers.equals(study.customers)
    a, b = miroir.report(study, n_resamples=0), miroir.report(again, n_resamples=0)
    for name, table in a.tables().items():
        assert table.equals(b.tables()[name]), name


def test_verbatims_and_coding_go_along(employees, customers):
    from miroir.text import Codebook

    v = pl.DataFrame({"study": ["acme"], "side": ["customer"], "respondent_id": ["c1"],
                      "question": ["disliked"], "text": ["trop d'attente"]})
    coded = miroir.Study(employees, customers, verbatims=v).code(
        Codebook.from_dict([{"id": "wait", "label": "waiting", "fr": ["attente"]}]))
    again = pickle.loads(pickle.dumps(coded))
    assert again.verbatims is not None and again.verbatims.equals(v)
    assert again.coding is not None and again.coding.mentions.equals(coded.coding.mentions)
    assert again.mentions is not None and again.mentions.equals(coded.mentions)


def test_a_spawned_process_gets_the_same_study_and_sends_back_the_same_result(study):
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        # the study is pickled to the child, its result pickled back
        result = pool.submit(miroir.linkage, study).result(timeout=120)
    assert result.table.equals(miroir.linkage(study).table)


def test_every_result_and_the_report_pickle_with_the_same_tables_text_and_json(study):
    report = miroir.report(study, n_resamples=0)
    again = pickle.loads(pickle.dumps(report))
    assert type(again) is type(report)
    assert again.to_json() == report.to_json() and repr(again) == repr(report)
    results = [miroir.linkage(study, n_resamples=0), miroir.linkage_units(study), miroir.exposure_gap(study),
               miroir.moments(study), miroir.moment_effects(study), miroir.indicators(study, n_resamples=0),
               miroir.linkage_corrected(study), miroir.multilevel_gap(study)]
    for result in results:
        back = pickle.loads(pickle.dumps(result))
        assert type(back) is type(result)
        assert back.table.equals(result.table), type(result).__name__
        assert repr(back) == repr(result) and back._repr_html_() == result._repr_html_()
