"""The localised headline sentences (``miroir.headlines``) count what the tables hold."""

from __future__ import annotations

import polars as pl
import pytest

import miroir
from miroir.headlines import headlines
from miroir.i18n import text
from miroir.results import Report


@pytest.fixture(scope="module")
def report() -> Report:
    return miroir.report(miroir.synthetic_study(studies=3, employees=1_500, customers=6_000, seed=1), n_resamples=0)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_moment_effects_headline_counts_only_the_comparisons_made(report: Report, lang: str) -> None:
    effects = report.moment_effects
    assert effects is not None
    # two moments emptied: their rows stay in the table (no theme, no test) but are no comparison
    empty = effects.table["moment"].unique(maintain_order=True).head(2)
    emptied = effects.table.with_columns(
        n_themes=pl.when(pl.col("moment").is_in(empty.implode())).then(0).otherwise(pl.col("n_themes")),
        q_value=pl.when(pl.col("moment").is_in(empty.implode())).then(None).otherwise(pl.col("q_value")),
    )
    tables = {**report.tables(), "moment_effects": emptied}
    made = emptied.filter(pl.col("n_themes") > 0)
    significant = made.filter(pl.col("q_value") < 0.05).height
    line = headlines(Report(tables), lang)["moment_effects"]
    alpha = "0.05" if lang == "en" else "0,05"
    assert line == text("headline.moment_effects", lang, significant=str(significant), n=str(made.height),
                        alpha=alpha)
    assert made.height < emptied.height
