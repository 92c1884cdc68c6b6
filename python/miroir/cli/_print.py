"""What the commands print: a study's summary, a report's tables, a comparison of waves and the
coding step of the demo."""

from __future__ import annotations

import time
import warnings
from typing import Any

from miroir.cli._text import _count, _frame, _note, _num, _t, _table_config, _totals


def _print_summary(study: object, title: str, lang: str = "en") -> None:
    from miroir.study import Study

    assert isinstance(study, Study)
    summary = study.summary()
    print(title)
    with _table_config(lang, tbl_rows=100, tbl_cols=20, tbl_hide_dataframe_shape=True,
                       float_precision=2, tbl_width_chars=120):
        print(_frame(summary, "summary", lang, 2))
    # counts from the summary: a streamed study's tables would be read back from its files
    print(_totals(summary, lang))
    if study.warnings:
        print("\n" + _t("warnings.title", lang))
        for w in study.warnings:
            print(f"  - {_note(str(w), lang)}")
    else:
        print(_t("warnings.none", lang))


def _print_report(report: object, lang: str = "en") -> None:
    import polars as pl

    from miroir.analysis import Report

    assert isinstance(report, Report)
    cfg = dict(tbl_rows=60, tbl_cols=30, tbl_hide_dataframe_shape=True, float_precision=3,
               tbl_width_chars=160, fmt_str_lengths=60, tbl_hide_column_data_types=True)
    with _table_config(lang, **cfg):
        print("\n== " + _t("report.indicators", lang))
        print(_frame(report.indicators.select("id", "estimate", "ci_low", "ci_high", "n", "published"),
                     "indicators", lang, 3))
        print("\n== " + _t("report.exposure_gap", lang))
        print(_frame(report.exposure_gap.select(
            "study", "n_facing", "n_other", "gap", "ci_low", "ci_high", "p_value", "hedges_g",
            "adjusted_gap", "largest"), "exposure_gap", lang, 3))
        print("\n== " + _t("report.linkage", lang))
        print(_frame(report.linkage.select(
            "study", "n_units", "estimate", "ci_low", "ci_high", "p_value", "icc1", "icc2",
            "share_satisfied_high", "share_satisfied_rest", "uplift"), "linkage", lang, 3))
        if report.moments is not None:
            print("\n== " + _t("report.moments", lang))
            print(_frame(report.moments.filter(pl.col("moment") != "too_few_mentions").sort(
                "moment", "q_value").select(
                "theme", "moment", "customer_axis", "employee_axis", "q_value", "action"), "moments", lang, 3))
        if report.moment_effects is not None:
            print("\n== " + _t("report.moment_effects", lang))
            print(_frame(report.moment_effects.select(
                "moment", "side", "n_themes", "n_mentioning", "estimate", "hedges_g", "q_value"),
                "moment_effects", lang, 3))
        if report.drivers is not None:
            print("\n== " + _t("report.drivers", lang))
            print(_frame(report.drivers.sort("outcome", "rank").select(
                "outcome", "level", "driver", "beta_std", "ci_low", "ci_high", "p_value", "share",
                "share_ci_low", "share_ci_high", "rank", "p_first", "r2"), "drivers", lang, 3))


def _print_waves(cmp: object, by: str, lang: str = "en") -> None:
    import polars as pl

    from miroir.waves import WavesComparison

    assert isinstance(cmp, WavesComparison)
    cfg = dict(tbl_rows=60, tbl_cols=30, tbl_hide_dataframe_shape=True, float_precision=3,
               tbl_width_chars=160, fmt_str_lengths=60, tbl_hide_column_data_types=True)
    with _table_config(lang, **cfg):
        print("\n== " + _t("waves.change", lang, baseline=cmp.baseline, current=cmp.current, by=by))
        print(_frame(cmp.changes.filter(pl.col("level") == "pooled").select(
            "segment", "metric", "baseline", "current", "change", "ci_low", "ci_high", "p_value"),
            "waves", lang, 3))
        print(_frame(cmp.paired.filter(pl.col("level") == "pooled").select(
            "segment", "metric", "n_units", "change", "ci_low", "ci_high", "p_value", "wilcoxon_p_value"),
            "waves", lang, 3))
        print("\n== " + _t("waves.linkage", lang))
        print(_frame(cmp.linkage.filter(pl.col("level") == "pooled").select(
            "segment", "n_units", "r_baseline", "r_current", "change", "ci_low", "ci_high"),
            "linkage", lang, 3))


def _print_coding(study: Any, lang: str = "en") -> None:
    """The coding step on the synthetic verbatims: the synthetic codebook's coverage, its
    agreement with the true codes (the study's mentions, from which the verbatims were
    written), and how many themes land in the same moment from the coded text."""
    import polars as pl

    import miroir
    from miroir.i18n import format_percent
    from miroir.stats import agreement

    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", miroir.DataQualityWarning)
        coded = study.code(miroir.synthetic_codebook(), valence="learned")
    elapsed = time.perf_counter() - start
    coding = coded.coding
    cov = coding.coverage.group_by("side", "question").agg(pl.col("verbatims", "coded", "empty").sum()).sort(
        "side", "question").with_columns((pl.col("coded") / pl.col("verbatims")).alias("share_coded"))
    keys = ["study", "side", "respondent_id"]
    truth = study.mentions.select(*keys, "theme", "valence")
    scores = agreement(coding.mentions.select(*keys, "theme"), truth.select(*keys, "theme"), on=keys)
    macro = scores.filter(pl.col("average") == "macro").row(0, named=True)
    pairs = coding.mentions.join(truth, on=[*keys, "theme"], how="inner", suffix="_true")
    valenced = pairs.filter(pl.col("valence").is_not_null())
    right = valenced.filter(pl.col("valence") == pl.col("valence_true")).height
    print("\n== " + _t("coding.title", lang, answers=_num(study.verbatims.height, lang, 0),
                       themes=_count(len(miroir.synthetic_codebook()), lang), seconds=_num(elapsed, lang, 2)))
    with _table_config(lang, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True, float_precision=3):
        print(_frame(cov.select("side", "question", "verbatims", "coded", "share_coded", "empty"), "coverage", lang, 3))
    print(_t("coding.agreement", lang, f1=_num(macro["f1"], lang, 3), precision=_num(macro["precision"], lang, 3),
             recall=_num(macro["recall"], lang, 3), right=_num(right, lang, 0), found=_num(valenced.height, lang, 0),
             share=format_percent(right / max(valenced.height, 1), lang, 1),
             without=_num(pairs.height - valenced.height, lang, 0)))
    same = coded.moments().table.join(study.moments().table, on="theme", suffix="_true")
    agree = same.filter(pl.col("moment") == pl.col("moment_true")).height
    print(_t("coding.moments", lang, agree=_count(agree, lang), total=_count(same.height, lang)))
    for w in caught:
        print(_t("note", lang, message=_note(str(w.message), lang)))
