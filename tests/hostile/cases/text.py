"""Raw verbatims (issue 14): hostile verbatims files and texts, broken codebooks. A verbatim is
coded, or counted and listed (empty, no theme), or refused with the table, column and rows;
never dropped without a trace, never a panic."""

from __future__ import annotations

from harness import OK, case, raises

BOOK = """
[[theme]]
id = "wait"
label = "waiting time"
fr = ["attente", "attendre"]
en = ["wait", "waiting"]

[[theme]]
id = "advice"
label = "advice"
fr = ["conseil*"]
en = ["advice", "advisor"]
"""


def _miroir():
    import miroir

    return miroir


def _verbatims(ctx, n: int = 40, texts=None):
    """Verbatims of the shared study's first ``n`` customers (question ``comment``)."""
    import polars as pl

    _, cus, _ = ctx.tables()
    head = cus.head(n)
    texts = texts if texts is not None else ["Une attente interminable, conseiller absent"] * head.height
    return pl.DataFrame({
        "study": head["study"], "side": ["customer"] * head.height,
        "respondent_id": head["customer_id"], "question": ["comment"] * head.height,
        "text": texts[: head.height],
    })


def _coded(ctx, texts):
    """The shared study with these customer comments, coded with BOOK: (study, coding)."""
    m = _miroir()
    from miroir.text import Codebook

    v = _verbatims(ctx, len(texts), texts)
    with ctx.setup():
        emp, cus, men = ctx.tables()
    study = m.Study(emp, cus, men, verbatims=v)
    coded = study.code(Codebook.from_toml(BOOK))
    return coded, coded.coding, v


@case("text", OK)
def verbatims_file_in_windows_1252(ctx):
    """A verbatims.csv written by Excel in Windows-1252 (accents, semicolons): read as text."""
    m = _miroir()
    v = _verbatims(ctx, 5, ["Très bien reçu, conseillère à l'écoute"] * 5)
    folder = ctx.copy("parquet")
    lines = ["study;side;respondent_id;question;text"] + [";".join(r) for r in v.iter_rows()]
    (folder / "verbatims.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    s = m.load_study(folder)
    assert s.verbatims is not None and s.verbatims["text"][0] == "Très bien reçu, conseillère à l'écoute", \
        s.verbatims["text"][0] if s.verbatims is not None else None


@case("text", OK)
def verbatims_file_with_invalid_utf8_bytes(ctx):
    """A verbatims.csv with bytes that are not UTF-8 in one answer: read (transcoded), every row kept."""
    m = _miroir()
    v = _verbatims(ctx, 4, ["ok"] * 4)
    folder = ctx.copy("parquet")
    rows = [",".join(r).encode() for r in v.iter_rows()]
    rows[2] = rows[2][:-2] + b"\xff\xfe attente \xe9"
    (folder / "verbatims.csv").write_bytes(b"study,side,respondent_id,question,text\n" + b"\n".join(rows) + b"\n")
    s = m.load_study(folder)
    assert s.verbatims is not None and s.verbatims.height == 4, s.verbatims


@case("text", raises("OrphanMentionError", "verbatims", "respondent_id", "row index 3"))
def verbatim_of_a_respondent_who_does_not_exist(ctx):
    """A verbatim whose customer is not in the customers table: refused, naming the row."""
    import polars as pl

    m = _miroir()
    v = _verbatims(ctx, 6).with_row_index("i").with_columns(
        pl.when(pl.col("i") == 3).then(pl.lit("nobody")).otherwise(pl.col("respondent_id")).alias("respondent_id")
    ).drop("i")
    emp, cus, men = ctx.tables()
    m.Study(emp, cus, men, verbatims=v)


@case("text", raises("UnknownCategoryError", "verbatims", "question", "row index 0"))
def employee_answer_to_a_customer_question(ctx):
    """An employee verbatim filed under the customers' 'comment' question: refused."""
    import polars as pl

    m = _miroir()
    emp, cus, men = ctx.tables()
    v = pl.DataFrame({"study": emp["study"].head(1), "side": ["employee"], "respondent_id": emp["employee_id"].head(1),
                      "question": ["comment"], "text": ["x"]})
    m.Study(emp, cus, men, verbatims=v)


@case("text", OK)
def empty_and_whitespace_texts_are_counted_not_dropped(ctx):
    """Empty, blank, tab-only and missing answers: listed as uncoded ('empty') and counted."""
    texts = ["", "   ", "\t\n", None, "attente"]
    _, coding, v = _coded(ctx, texts)
    empty = coding.uncoded.filter(coding.uncoded["reason"] == "empty").height
    assert empty == 4, coding.uncoded
    assert int(coding.coverage["empty"].sum()) == 4 and int(coding.coverage["verbatims"].sum()) == 5


@case("text", OK)
def control_characters_and_escape_sequences(ctx):
    """NUL, BEL, ESC and a BOM inside texts: coded on the words around them."""
    texts = ["\ufeffattente\x00 trop longue", "\x1b\x00conseiller\x1b\x7f", "\x07\x08\x0b"]
    _, coding, _ = _coded(ctx, texts)
    got = sorted(coding.mentions["theme_id"].to_list())
    assert got == ["advice", "wait"], got
    assert coding.uncoded.height == 1


@case("text", OK)
def a_100000_character_text(ctx):
    """One answer of 100,000 characters: coded, the spans pointing into the raw text."""
    text = "conseiller " + "blabla " * 14_284 + "attente"
    assert len(text) >= 100_000
    _, coding, _ = _coded(ctx, [text])
    row = coding.mentions.filter(coding.mentions["theme_id"] == "wait").row(0, named=True)
    assert text[row["span_start"]:row["span_end"]] == "attente", row


@case("text", OK)
def texts_in_another_language(ctx):
    """German and Chinese answers: nothing matched, listed as uncoded ('no theme'), none dropped."""
    texts = ["Die Wartezeit war viel zu lang", "等待时间太长了", "attente"]
    _, coding, _ = _coded(ctx, texts)
    assert coding.mentions.height == 1 and coding.uncoded.height == 2, (coding.mentions, coding.uncoded)
    assert set(coding.uncoded["reason"]) == {"no theme"}


@case("text", raises("SpecError", "codebook.toml:3", "unknwon"))
def codebook_with_an_unknown_key(ctx):
    """A typo in a codebook key: SpecError with the file and the line."""
    from miroir.text import Codebook

    path = ctx.folder() / "codebook.toml"
    path.write_text('[[theme]]\nid = "wait"\nunknwon = ["x"]\nfr = ["attente"]\n', encoding="utf-8")
    Codebook.from_toml(path)


@case("text", raises("SpecError", "codebook.toml", "duplicate"))
def codebook_with_a_duplicate_id(ctx):
    """Two themes with one id: SpecError."""
    from miroir.text import Codebook

    path = ctx.folder() / "codebook.toml"
    path.write_text('[[theme]]\nid = "wait"\nfr = ["attente"]\n\n[[theme]]\nid = "wait"\nfr = ["queue"]\n',
                    encoding="utf-8")
    Codebook.from_toml(path)


@case("text", raises("FileError", "codebook.toml"))
def codebook_that_is_not_utf8(ctx):
    """A codebook saved in Latin-1: FileError naming the file (not a decoding traceback)."""
    from miroir.text import Codebook

    path = ctx.folder() / "codebook.toml"
    path.write_bytes('[[theme]]\nid = "attente"\nfr = ["délai"]\n'.encode("latin-1"))
    Codebook.from_toml(path)


@case("text", raises("InvalidArgumentError", "verbatims"))
def coding_a_study_without_verbatims(ctx):
    """Study.code on a study that has no verbatims table: a clear refusal."""
    from miroir.text import Codebook

    ctx.study().code(Codebook.from_toml(BOOK))
