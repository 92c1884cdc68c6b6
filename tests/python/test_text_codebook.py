"""miroir.text: codebook coding of verbatims (Rust: src/text).

What can fail here: every span must slice the raw text at the words matched (with accents,
capitals, curly apostrophes and NFD input, where byte and character offsets differ); elisions,
stems, globs, exclusions, longest match and negation in French and English; valence from the
question for employees and for customers' liked / disliked, and from the clause of the match for
customers' comments; coverage and the uncoded list; codebook errors with file, line and key.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import polars as pl
import pytest

import miroir
from miroir.text import Codebook, code

BOOK = """
[[theme]]
id = "wait"
label = "Waiting time"
fr = ["attente", "attendre", "temps d'attente"]
en = ["wait", "queue"]
exclude_fr = ["salle d'attente"]
exclude_en = ["waiting room"]

[[theme]]
id = "friendly"
label = "Friendly staff"
valence = "positive"
fr = ["aimable", "accueil chaleureux"]
en = ["friendly", "warm welcome"]

[[theme]]
id = "advisor"
label = "Same advisor throughout"
fr = ["conseill*", "même interlocuteur"]
en = ["advis*"]

[[theme]]
id = "phone_wait"
label = "Waiting on the phone"
fr = ["temps d'attente au téléphone"]
en = ["on hold"]
"""


@pytest.fixture(scope="module")
def book() -> Codebook:
    return Codebook.from_toml(BOOK)


def verbatims(rows: list[tuple[str, str, str, str]], language: list[str | None] | None = None) -> pl.DataFrame:
    df = pl.DataFrame(rows, schema=["side", "respondent_id", "question", "text"], orient="row").with_columns(
        pl.lit("acme").alias("study")
    )
    if language is not None:
        df = df.with_columns(pl.Series("language", language, dtype=pl.String))
    return df


def found(c: miroir.text.Coding) -> list[tuple[str, str, str]]:
    """(respondent, theme id, the raw text under the span) per mention."""
    return [
        (r["respondent_id"], r["theme_id"], r["text"][r["span_start"] : r["span_end"]])
        for r in c.mentions.iter_rows(named=True)
    ]


def test_spans_slice_the_raw_text(book: Codebook) -> None:
    nfd = unicodedata.normalize("NFD", "Le même interlocuteur, très AIMABLE")
    v = verbatims(
        [
            ("customer", "c1", "comment", "Très long TEMPS D’ATTENTE 😡, mais une conseillère très AIMABLE."),
            ("customer", "c2", "comment", nfd),
            ("customer", "c3", "comment", "Le temps d'attente au téléphone : 40 minutes !"),
        ]
    )
    got = found(code(v, book))
    assert got == [
        ("c1", "wait", "TEMPS D’ATTENTE"),
        ("c1", "advisor", "conseillère"),
        ("c1", "friendly", "AIMABLE"),
        ("c2", "advisor", unicodedata.normalize("NFD", "même interlocuteur")),
        ("c2", "friendly", "AIMABLE"),
        ("c3", "phone_wait", "temps d'attente au téléphone"),
    ]
    m = code(v, book).mentions
    assert set(m["method"]) == {"codebook"} and set(m["confidence"]) == {1.0}
    assert m.filter(pl.col("theme_id") == "advisor")["rule"].to_list() == ["conseill*", "même interlocuteur"]


def test_stems_elisions_exclusions_in_french_and_english(book: Codebook) -> None:
    v = verbatims(
        [
            ("customer", "f1", "comment", "Les attentes sont longues, il faut attendre"),
            ("customer", "f2", "comment", "Une salle d'attente propre"),
            ("customer", "f3", "comment", "Pas d'accueil chaleureux"),
            ("customer", "e1", "comment", "We waited in a long queue; the advisers were friendly"),
            ("customer", "e2", "comment", "A clean waiting room"),
            ("customer", "e3", "comment", "I was on hold for an hour"),
        ],
        language=["fr", "fr", "fr", "en", "en", "en"],
    )
    c = code(v, book)
    got = found(c)
    assert ("f1", "wait", "attentes") in got and ("f1", "wait", "attendre") not in got  # one row per theme
    assert c.mentions.filter(pl.col("respondent_id") == "f1")["matches"].to_list() == [2]
    assert not [g for g in got if g[0] in ("f2", "e2")]  # exclusions
    assert [g for g in got if g[0] == "e1"] == [("e1", "wait", "waited"), ("e1", "advisor", "advisers"), ("e1", "friendly", "friendly")]
    assert [g for g in got if g[0] == "e3"] == [("e3", "phone_wait", "on hold")]
    # "Pas d'accueil chaleureux": a negated positive theme is skipped, and reported
    assert c.skipped.select("respondent_id", "theme_id").rows() == [("f3", "friendly")]
    assert set(c.uncoded["respondent_id"]) == {"f2", "f3", "e2"}


def test_negation_scope(book: Codebook) -> None:
    v = verbatims(
        [
            ("customer", "n1", "comment", "Le vendeur n'était pas aimable"),
            ("customer", "n2", "comment", "The staff wasn't friendly"),
            ("customer", "n3", "comment", "Sans attente"),
            ("customer", "n4", "comment", "Pas de parking, mais personnel aimable"),
            ("customer", "n5", "comment", "Vendeur plus aimable qu'avant"),
            ("customer", "n6", "comment", "Il n'est plus aimable"),
            ("customer", "n7", "comment", "Never any queue"),
        ]
    )
    c = code(v, book)
    assert sorted(c.skipped["respondent_id"]) == ["n1", "n2", "n6"]
    m = {r["respondent_id"]: r for r in c.mentions.iter_rows(named=True)}
    assert m["n3"]["negated"] and m["n3"]["theme_id"] == "wait"
    assert m["n7"]["negated"] and m["n7"]["language"] == "en"
    assert not m["n4"]["negated"] and not m["n5"]["negated"]


def test_valence_from_the_question_and_coverage(book: Codebook) -> None:
    v = verbatims(
        [
            ("employee", "e1", "best", "Un client ravi de son conseiller"),
            ("employee", "e2", "most_frustrating", "L'attente des clients, et un conseiller aimable qui n'a rien pu faire"),
            ("customer", "c1", "liked", "l'attente était courte"),
            ("customer", "c2", "disliked", "aimable mais lent"),
            ("customer", "c3", "comment", "Accueil chaleureux"),
            ("customer", "c4", "comment", "   "),
            ("customer", "c5", "comment", "RAS"),
        ]
    )
    c = code(v, book)
    val = {(r["respondent_id"], r["theme_id"]): (r["valence"], r["valence_source"]) for r in c.mentions.iter_rows(named=True)}
    assert val[("e1", "advisor")] == ("positive", "question")
    # employees' valence comes from the question, even for a theme that declares one
    assert val[("e2", "friendly")] == ("negative", "question")
    assert val[("e2", "wait")] == ("negative", "question")
    assert val[("c1", "wait")] == ("positive", "question")
    assert val[("c2", "friendly")] == ("negative", "question")
    assert val[("c3", "friendly")] == ("positive", "text")
    cov = {(r["side"], r["question"]): r for r in c.coverage.iter_rows(named=True)}
    assert cov[("customer", "comment")]["verbatims"] == 3
    assert cov[("customer", "comment")]["coded"] == 1
    assert cov[("customer", "comment")]["empty"] == 1
    assert cov[("customer", "comment")]["share_coded"] == pytest.approx(1 / 3)
    assert cov[("employee", "best")]["share_coded"] == 1.0
    assert c.uncoded.select("respondent_id", "reason").sort("respondent_id").rows() == [("c4", "empty"), ("c5", "no theme")]
    # every verbatim is either coded or listed as uncoded
    assert c.coverage["coded"].sum() + c.uncoded.height == v.height
    # the mentions table has the data model's columns first
    assert c.mentions.columns[:6] == ["study", "side", "respondent_id", "theme", "valence", "text"]


def test_bad_verbatims_are_typed_errors(book: Codebook) -> None:
    v = verbatims([("employee", "e1", "comment", "x")])
    with pytest.raises(miroir.UnknownCategoryError, match="question.*row index 0"):
        code(v, book)
    with pytest.raises(miroir.MissingColumnError, match="'text'"):
        code(v.drop("text"), book)
    with pytest.raises(miroir.InvalidArgumentError, match="language.*row 0"):
        code(verbatims([("customer", "c", "comment", "x")], language=["de"]), book)
    with pytest.raises(miroir.InvalidArgumentError, match="codebook"):
        code(v, "not a codebook")  # type: ignore[arg-type]


def spec_error(text: str) -> str:
    with pytest.raises(miroir.SpecError) as e:
        Codebook.from_toml(text)
    return str(e.value)


def test_codebook_errors_name_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "book.toml"
    path.write_text('[[theme]]\nid = "a"\nfr = ["x"]\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(miroir.SpecError, match=r"book\.toml:4: unknown key 'colour'"):
        Codebook.from_toml(path)
    assert "<codebook>:6: duplicate theme id 'a' (first defined on line 2)" in spec_error(
        '[[theme]]\nid = "a"\nfr = ["x"]\n\n[[theme]]\nid = "a"\nfr = ["y"]\n'
    )
    assert ":4: theme 'a': pattern '  ': empty pattern" in spec_error('[[theme]]\nid = "a"\nfr = ["ok",\n  "  "]\n')
    assert ":3: theme 'a': pattern 'wa*it'" in spec_error('[[theme]]\nid = "a"\nen = ["wa*it"]\n')
    assert ":3: theme 'a': glob 'guich*' matches no word" in spec_error(
        '[[theme]]\nid = "a"\nfr = ["conseil*", "guich*"]\nexamples = ["Un conseiller aimable"]\n'
    )
    assert "no pattern" in spec_error('[[theme]]\nid = "a"\nlabel = "A"\n')
    with pytest.raises(miroir.FileError):
        Codebook.from_toml(tmp_path / "missing.toml")


def test_codebook_from_dict_and_table_agree_with_toml(book: Codebook) -> None:
    as_dict = Codebook.from_dict(
        [
            {"id": "wait", "label": "Waiting time", "fr": ["attente", "attendre", "temps d'attente"], "en": ["wait", "queue"],
             "exclude_fr": ["salle d'attente"], "exclude_en": ["waiting room"]},
            {"id": "friendly", "label": "Friendly staff", "valence": "positive", "fr": ["aimable", "accueil chaleureux"],
             "en": ["friendly", "warm welcome"]},
            {"id": "advisor", "label": "Same advisor throughout", "fr": ["conseill*", "même interlocuteur"], "en": ["advis*"]},
            {"id": "phone_wait", "label": "Waiting on the phone", "fr": ["temps d'attente au téléphone"], "en": ["on hold"]},
        ]
    )
    assert as_dict.themes.equals(book.themes)
    table = book.patterns.join(book.themes.rename({"id": "theme"}), on="theme")
    as_table = Codebook.from_table(table)
    assert as_table.themes.equals(book.themes)
    assert as_table.patterns.drop("line").equals(book.patterns.drop("line"))
    v = verbatims([("customer", "c1", "comment", "Longue attente, conseiller aimable")])
    assert code(v, as_dict).mentions.equals(code(v, book).mentions)
    with pytest.raises(miroir.SpecError, match="theme 'x': unknown key 'colour'"):
        Codebook.from_dict([{"id": "x", "fr": ["a"], "colour": "red"}])
    with pytest.raises(miroir.SpecError, match="empty pattern"):
        Codebook.from_dict([{"id": "x", "fr": [""]}])


def test_comment_valence_comes_from_the_clause_of_the_match(book: Codebook) -> None:
    v = verbatims(
        [
            ("customer", "c1", "comment", "Accueil chaleureux mais attente interminable"),
            ("customer", "c2", "comment", "Attente : RAS"),
            ("customer", "c3", "comment", "Personnel aimable et horrible"),
            ("customer", "c4", "comment", "The advisors were friendly but the queue was awful"),
            ("customer", "c5", "disliked", "Accueil chaleureux, attente parfaite"),
        ]
    )
    m = code(v, book).mentions
    got = {
        (r["respondent_id"], r["theme_id"]): (r["valence"], r["valence_source"], r["valence_score"])
        for r in m.iter_rows(named=True)
    }
    # the example: one positive and one negative mention from one comment
    assert got[("c1", "friendly")][:2] == ("positive", "text")
    assert got[("c1", "wait")][:2] == ("negative", "text")
    assert got[("c1", "wait")][2] == pytest.approx(-0.5)
    # a neutral clause, a theme without valence: no valence
    assert got[("c2", "wait")] == (None, None, 0.0)
    # a neutral clause ("aimable" 0.9 and "horrible" -1.0 averaged, within the French band of
    # 0.1): the theme's declared valence
    assert got[("c3", "friendly")][:2] == ("positive", "text")
    assert abs(got[("c3", "friendly")][2]) < 0.1
    assert got[("c4", "advisor")][:2] == ("positive", "text")
    assert got[("c4", "wait")][:2] == ("negative", "text")
    # liked / disliked: the question, whatever the text says
    assert got[("c5", "friendly")] == ("negative", "question", None)
    assert got[("c5", "wait")] == ("negative", "question", None)
