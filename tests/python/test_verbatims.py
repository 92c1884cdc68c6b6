"""The verbatims table in the data model (issue 14): validated against the respondents, read by
load_study, mapped by the schema, carried by filter and write, coded by Study.code.

The coded study is compared with the study built from the same mentions given by hand: the moments
are the same analysis of the same rows, so they must be equal, not close.
"""

from __future__ import annotations

import warnings

import polars as pl
import pytest

import miroir
from miroir.text import Codebook


@pytest.fixture
def verbatims() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "study": ["acme"] * 5,
            "side": ["employee", "employee", "customer", "customer", "customer"],
            "respondent_id": ["e1", "e1", "c1", "c3", "c5"],
            "question": ["best", "most_frustrating", "liked", "disliked", "comment"],
            "text": [
                "Un client m'a remercié pour mes conseils",
                "Les clients qui attendent au guichet",
                "Le conseiller était très aimable",
                "Une attente interminable",
                None,
            ],
        }
    )


BOOK = Codebook.from_dict(
    [
        {"id": "advice", "label": "advice", "fr": ["conseil*"], "en": ["advice"]},
        {"id": "wait", "label": "waiting time", "fr": ["attente", "attendent"], "en": ["wait"]},
        {"id": "friendly", "label": "friendly staff", "fr": ["aimable"], "en": ["friendly"]},
    ]
)


def test_a_valid_table_is_kept_with_canonical_columns(employees, customers, verbatims):
    study = miroir.Study(employees, customers, verbatims=verbatims)
    assert study.verbatims is not None
    assert study.verbatims.columns[:5] == ["study", "side", "respondent_id", "question", "text"]
    assert study.verbatims.height == 5
    assert miroir.Study(employees, customers).verbatims is None


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda v: v.drop("text"), miroir.MissingColumnError, ["'verbatims'", "'text'"]),
        (lambda v: v.drop("question"), miroir.MissingColumnError, ["'verbatims'", "'question'"]),
        (
            lambda v: v.with_columns(question=pl.Series(["best", "liked", "liked", "disliked", "comment"])),
            miroir.UnknownCategoryError,
            ["'verbatims'", "'question'", "'liked' is not a question of the employee side", "row index 1"],
        ),
        (
            lambda v: v.with_columns(question=pl.Series(["best", "worst", "liked", "disliked", "comment"])),
            miroir.UnknownCategoryError,
            ["'verbatims'", "'question'", "worst", "row index 1"],
        ),
        (
            lambda v: v.with_columns(question=pl.Series(["best", "best", "liked", "disliked", "comment"])),
            miroir.DuplicateIdError,
            ["'verbatims'", "'respondent_id'", "rows 0 and 1"],
        ),
        (
            lambda v: v.with_columns(respondent_id=pl.Series(["e1", "e1", "c1", "c9", "c5"])),
            miroir.OrphanMentionError,
            ["'verbatims'", "'respondent_id'", "customer 'c9'", "row index 3"],
        ),
        (
            lambda v: v.with_columns(side=pl.Series(["employee", "staff", "customer", "customer", "customer"])),
            miroir.UnknownCategoryError,
            ["'verbatims'", "'side'", "staff"],
        ),
        (
            lambda v: v.with_columns(respondent_id=pl.Series(["e1", None, "c1", "c3", "c5"])),
            miroir.MissingValueError,
            ["'verbatims'", "'respondent_id'", "row index 1"],
        ),
        (lambda v: v.head(0), miroir.EmptyTableError, ["'verbatims'"]),
        (
            lambda v: v.with_columns(language=pl.Series(["fr", "de", "fr", "fr", "fr"])),
            miroir.UnknownCategoryError,
            ["'verbatims'", "'language'", "de"],
        ),
    ],
    ids=["no-text", "no-question", "wrong-side", "unknown-question", "two-answers", "orphan", "side",
         "null-id", "empty", "language"],
)
def test_bad_verbatims_are_refused_naming_table_column_rows(employees, customers, verbatims, change, error, words):
    with pytest.raises(error) as info:
        miroir.Study(employees, customers, verbatims=change(verbatims))
    for w in words:
        assert w in str(info.value), (w, str(info.value))


@pytest.mark.filterwarnings("ignore:.*without a satisfaction answer left out")
def test_verbatims_of_customers_left_out_for_no_satisfaction_go_with_them(employees, customers, verbatims):
    cus = customers.with_columns(satisfaction=pl.Series([8.0, 6.0, None, 10.0, 3.0]))
    with pytest.warns(miroir.DataQualityWarning, match="1 customer verbatim"):
        study = miroir.Study(employees, cus, verbatims=verbatims)
    assert study.verbatims is not None
    assert "c3" not in study.verbatims["respondent_id"].to_list()


def test_schema_maps_client_columns_and_recodes_question_codes(employees, customers, verbatims):
    client = verbatims.rename({"respondent_id": "resp", "question": "q", "text": "verbatim"}).with_columns(
        pl.col("q").replace({"best": "Q12", "most_frustrating": "Q13"})
    )
    schema = miroir.Schema(
        verbatims={"resp": "respondent_id", "q": "question", "verbatim": "text"},
        recode={"question": {"Q12": "best", "Q13": "most_frustrating"}},
    )
    study = miroir.Study(employees, customers, schema=schema, verbatims=client)
    assert study.verbatims is not None
    assert study.verbatims["question"].to_list() == verbatims["question"].to_list()
    # the mapping survives a schema written and read back (Study.write's schema.toml)
    assert "[schema.verbatims]" in schema.to_toml()


def test_load_study_reads_a_french_csv_of_verbatims_and_write_round_trips(tmp_path, employees, customers, verbatims):
    folder = tmp_path / "export"
    miroir.Study(employees, customers).write(folder)
    # a French export: semicolons, Windows-1252, accents
    text = "study;side;respondent_id;question;text\n" + "".join(
        f"{r['study']};{r['side']};{r['respondent_id']};{r['question']};{r['text'] or ''}\n"
        for r in verbatims.iter_rows(named=True)
    )
    (folder / "verbatims.csv").write_bytes(text.encode("cp1252"))
    study = miroir.load_study(folder)
    assert study.verbatims is not None
    assert study.verbatims["text"].to_list()[:4] == verbatims["text"].to_list()[:4]
    assert study.verbatims["text"][4] is None
    again = miroir.load_study(study.write(tmp_path / "again"))
    assert again.verbatims is not None
    assert again.verbatims.equals(study.verbatims)
    explicit = miroir.load_study(
        employees=folder / "employees.parquet", customers=folder / "customers.parquet",
        verbatims=folder / "verbatims.csv",
    )
    assert explicit.verbatims is not None and explicit.verbatims.equals(study.verbatims)


def test_filter_keeps_the_verbatims_of_the_kept_respondents(employees, customers, verbatims):
    study = miroir.Study(employees, customers, verbatims=verbatims)
    north = study.filter(pl.col("unit") == "north")
    assert north.verbatims is not None
    assert sorted(north.verbatims["respondent_id"].to_list()) == ["c1", "e1", "e1"]


def test_code_gives_the_moments_of_the_same_mentions_given_by_hand(employees, customers, verbatims):
    study = miroir.Study(employees, customers, verbatims=verbatims)
    coded = study.code(BOOK)
    assert coded.coding is not None
    got = coded.mentions
    assert got is not None
    assert got.select("side", "respondent_id", "theme", "valence").rows() == [
        ("employee", "e1", "advice", "positive"),
        ("employee", "e1", "waiting time", "negative"),
        ("customer", "c1", "advice", "positive"),
        ("customer", "c1", "friendly staff", "positive"),
        ("customer", "c3", "waiting time", "negative"),
    ]
    assert set(got["method"].unique()) == {"codebook"}
    hand = miroir.Study(employees, customers, got.select("study", "side", "respondent_id", "theme", "valence"))
    a = coded.moments(min_mentions=1).table
    b = hand.moments(min_mentions=1).table
    assert a.equals(b)
    # the coverage counts the empty comment, the uncoded list names it
    cov = coded.coding.coverage.filter(pl.col("question") == "comment")
    assert cov.select("verbatims", "coded", "empty").rows() == [(1, 0, 1)]
    assert coded.coding.uncoded.select("respondent_id", "reason").rows() == [("c5", "empty")]
    # the verbatims go along
    assert coded.verbatims is not None and coded.verbatims.equals(study.verbatims)


def test_code_can_keep_the_hand_coded_mentions(employees, customers, mentions, verbatims):
    study = miroir.Study(employees, customers, mentions, verbatims=verbatims)
    both = study.code(BOOK, keep_mentions=True)
    assert both.mentions is not None
    assert both.mentions.height == mentions.height + 5
    assert both.mentions.filter(pl.col("method") == "hand").height == mentions.height
    only = study.code(BOOK)
    assert only.mentions is not None and only.mentions.height == 5


def test_code_refuses_a_study_without_verbatims_and_a_non_codebook(employees, customers, verbatims):
    with pytest.raises(miroir.InvalidArgumentError, match="no verbatims"):
        miroir.Study(employees, customers).code(BOOK)
    with pytest.raises(miroir.InvalidArgumentError, match="codebook"):
        miroir.Study(employees, customers, verbatims=verbatims).code({"theme": []})  # type: ignore[arg-type]


def test_hostile_texts_are_coded_or_counted_never_dropped(employees, customers):
    long_text = "Le conseiller " + "bla " * 24_990 + "attente"
    assert len(long_text) > 99_900
    v = pl.DataFrame(
        {
            "study": ["acme"] * 4,
            "side": ["customer"] * 4,
            "respondent_id": ["c1", "c2", "c3", "c4"],
            "question": ["liked", "liked", "disliked", "disliked"],
            "text": ["   \t ", "con\x00seil\x07ler \x1b[31m aimable", long_text, "The advice was good and the staff were friendly"],
        }
    )
    study = miroir.Study(employees, customers, verbatims=v)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coded = study.code(BOOK)
    assert coded.coding is not None
    seen = set(coded.coding.mentions["respondent_id"]) | set(coded.coding.uncoded["respondent_id"])
    assert seen == {"c1", "c2", "c3", "c4"}
    assert coded.coding.uncoded.filter(pl.col("respondent_id") == "c1")["reason"].to_list() == ["empty"]
    long_hits = coded.coding.mentions.filter(pl.col("respondent_id") == "c3")
    assert sorted(long_hits["theme_id"].to_list()) == ["advice", "wait"]
    # spans are offsets into the raw text
    row = long_hits.filter(pl.col("theme_id") == "wait").row(0, named=True)
    assert long_text[row["span_start"]:row["span_end"]] == "attente"
    english = coded.coding.mentions.filter(pl.col("respondent_id") == "c4")
    assert sorted(english["theme_id"].to_list()) == ["advice", "friendly"]


def test_the_code_command_writes_the_coded_study_and_its_coverage(tmp_path, employees, customers, verbatims, capsys):
    from miroir.cli import main

    miroir.Study(employees, customers, verbatims=verbatims).write(tmp_path / "in")
    book = tmp_path / "book.toml"
    book.write_text('[[theme]]\nid = "wait"\nlabel = "waiting time"\nfr = ["attente", "attendent"]\n', encoding="utf-8")
    assert main(["code", str(tmp_path / "in"), "--codebook", str(book), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "coded 5 verbatims with 1 themes" in printed
    again = miroir.load_study(tmp_path / "out")
    assert again.mentions is not None
    assert again.mentions.select("respondent_id", "theme", "rule").rows() == [
        ("e1", "waiting time", "attendent"), ("c3", "waiting time", "attente")]
    coverage = pl.read_csv(tmp_path / "out" / "coverage.csv")
    assert coverage["verbatims"].sum() == 5
    uncoded = pl.read_csv(tmp_path / "out" / "uncoded.csv")
    assert sorted(uncoded["respondent_id"].to_list()) == ["c1", "c5", "e1"]
    # a second run into the same folder is refused without --overwrite (exit 2, one line)
    assert main(["code", str(tmp_path / "in"), "--codebook", str(book), "--out", str(tmp_path / "out")]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_learned_valence_needs_answers_of_both_valences_and_a_two_label_model(employees, customers, verbatims):
    from miroir.text.classifier import Classifier

    study = miroir.Study(employees, customers, verbatims=verbatims)
    with pytest.raises(miroir.InsufficientDataError, match="20 answers of each valence"):
        study.code(BOOK, valence="learned")
    three = Classifier(language="fr", min_df=1).fit(["a b", "c d", "e f"], ["x", "y", "z"])
    with pytest.raises(miroir.InvalidArgumentError, match="'positive' and 'negative'"):
        study.code(BOOK, valence=three)
    with pytest.raises(miroir.InvalidArgumentError, match="'valence'"):
        study.code(BOOK, valence="vibes")
    model = Classifier(language="fr", min_df=1).fit(
        ["très bien", "parfait merci", "super accueil", "nul", "horrible attente", "très déçu"],
        ["positive"] * 3 + ["negative"] * 3)
    comment = verbatims.with_columns(text=pl.Series(["a", "b", "c", "d", "Une attente horrible"]))
    coded = miroir.Study(employees, customers, verbatims=comment).code(BOOK, valence=model)
    row = coded.coding.mentions.filter(pl.col("respondent_id") == "c5").row(0, named=True)
    assert (row["theme"], row["valence"], row["valence_source"]) == ("waiting time", "negative", "text")
    assert -1.0 <= row["valence_score"] < 0.0


def test_the_suggest_themes_command_clusters_what_the_codebook_leaves(tmp_path, capsys):
    from miroir.cli import main

    study = miroir.synthetic_study(studies=2, employees=600, customers=2_000, seed=4, verbatims=True)
    study.write(tmp_path / "in")
    book = tmp_path / "book.toml"
    book.write_text(miroir._core.synthetic_codebook_toml(), encoding="utf-8")
    out = tmp_path / "clusters.csv"
    argv = ["suggest-themes", str(tmp_path / "in"), "--codebook", str(book), "--k", "3", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "3 candidate themes for the verbatims the codebook leaves uncoded" in printed
    clusters = pl.read_csv(out)
    # only the uncoded verbatims, each in a cluster or with the reason it is not
    assert study.verbatims is not None
    uncoded = study.code(miroir.synthetic_codebook(), valence="learned").coding
    assert uncoded is not None
    assert clusters.height == uncoded.uncoded.filter(pl.col("reason") == "no theme").height
    assert main(["suggest-themes", str(tmp_path / "in" / "nowhere")]) == 2
