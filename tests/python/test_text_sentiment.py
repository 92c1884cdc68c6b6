"""miroir.text.sentiment: lexicon valence per text and per clause (Rust: src/text/sentiment.rs).

The references are the packages whose algorithms miroir reimplements (test dependencies only):

- English: ``vaderSentiment`` 3.3.2's ``SentimentIntensityAnalyzer.polarity_scores``. The package
  rounds what it returns (compound to 4 decimals, shares to 3); the comparison is made on its
  unrounded values, obtained by shadowing ``round`` in its module with the identity (its
  arithmetic is untouched), to 1e-12.
- French: ``textblob-fr`` 0.2.0's ``PatternAnalyzer().analyze(text)[0]`` (pattern's polarity),
  to 1e-12, on texts without a contrast word. miroir's one French rule that pattern lacks,
  VADER's contrast weighting (0.5 before the first ``mais``, 1.5 after), is checked against the
  reference too: for ``A mais B`` the expected score is ``(0.5 nA pA + 1.5 nB pB) / (0.5 nA +
  1.5 nB)``, with ``pA``, ``pB`` the package's polarities of the two parts and ``nA``, ``nB``
  their numbers of assessments (``textblob_fr.fr.sentiment(part).assessments``).

What cannot agree, and is therefore not in the corpora: pattern turns ``:c)`` and ``:o)`` into
one emoticon or another depending on Python's string hashing (miroir takes the longer one);
VADER's and pattern's handling of control characters (miroir skips such texts, see the bad-input
tests). English curly apostrophes are miroir's reading (``’`` as ``'``), checked against the
reference on the ASCII text.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator

import polars as pl
import pytest

import miroir
from miroir.text import Codebook, code
from miroir.text.sentiment import clauses, sentiment

vader_module = pytest.importorskip("vaderSentiment.vaderSentiment")
textblob_fr = pytest.importorskip("textblob_fr")
from textblob_fr import fr as textblob_fr_fr  # noqa: E402

TOL = 1e-12


@pytest.fixture(scope="module")
def vader() -> Iterator[object]:
    """The package's analyzer, returning unrounded scores."""
    had = "round" in vars(vader_module)
    saved = vars(vader_module).get("round")
    vader_module.round = lambda x, n=None: x  # type: ignore[attr-defined]
    try:
        yield vader_module.SentimentIntensityAnalyzer()
    finally:
        if had:
            vader_module.round = saved  # type: ignore[attr-defined]
        else:
            del vader_module.round  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pattern() -> object:
    return textblob_fr.PatternAnalyzer()


# -- English corpus ------------------------------------------------------------------------------

EN_HAND = [
    "VADER is smart, handsome, and funny.",
    "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "The book was good.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad at all",
    "Sentiment analysis has never been good.",
    "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.",
    "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.",
    "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!",
    "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.",
    "Without a doubt, an excellent idea.",
    "The staff were friendly but the wait was awful",
    "The advisor was great and the wait was short",
    "I waited for an hour, the service was terrible!!",
    "No problem at all, very helpful staff",
    "No help, no answer, nothing.",
    "I don't like the new branch, it's dirty and slow",
    "I didn't hate it, but I wouldn't go back",
    "The app is kind of useless but the advisor was AMAZING",
    "Is this a joke?? Nobody answered the phone???",
    "Really??? Four weeks to open an account?!",
    "Great. Just great. Another fee.",
    "the manager was extremely rude and the queue was insanely long",
    "Absolutely fantastic service, thank you so much!",
    "Slightly disappointing, somewhat slow, barely acceptable",
    "It was sort of ok I guess",
    "Hardly the best experience, but not the worst either",
    "😡😡😡 never again",
    "Love it ❤️ and the staff 👍",
    "Yeah right, as if they cared",
    "The new app is the bomb, seriously",
    "They were not unhelpful",
    "Not very good, not very bad",
    "I am NOT happy with the service",
    "GREAT service, TERRIBLE coffee",
    "ALL CAPS AND ANGRY ABOUT THE DELAY",
    "They never so much as apologized",
    "Good, but could be better.",
    "good good good but bad bad",
    "great but great",
    "love it but love it not",
    "",
    "!!!",
    "12345 67890",
    "no",
    "no no no",
    "no good",
    "not good at all, really not good",
    "The kiss of death for this branch",
    "A beating heart of the neighborhood",
    "I'd die for this bakery, it's to die for",
    "least helpful advisor ever",
    "very least helpful advisor ever",
]

EN_SUBJECTS = ["The advisor", "The staff", "Your app", "The branch"]
EN_PREDICATES = [
    "was good", "was not good", "wasn't good", "was very good", "was VERY good", "was extremely helpful",
    "was never helpful", "was kind of slow", "was slightly rude", "was rude", "was terrible", "was not terrible",
    "was the worst", "was great", "was GREAT", "was barely ok", "is a nightmare", "made me happy",
]
EN_ENDINGS = ["", ".", "!", "!!!", "??", " but the wait was awful.", " and the wait was short :)"]


def en_corpus() -> list[str]:
    made = [f"{s} {p}{e}" for s, p, e in itertools.product(EN_SUBJECTS, EN_PREDICATES, EN_ENDINGS)]
    # every 3rd combination keeps the corpus at a few hundred sentences
    return EN_HAND + made[::3]


# -- French corpus -------------------------------------------------------------------------------

FR_HAND = [
    "Accueil très agréable",
    "Accueil très agréable, attente interminable",
    "Le vendeur n'était pas aimable",
    "Le vendeur n’était pas aimable",
    "Personnel aimable et souriant !",
    "Personnel aimable et souriant !!!",
    "Conseiller vraiment pas compétent",
    "Conseiller vraiment désagréable",
    "C'est pas mal du tout",
    "Pas terrible...",
    "Jamais satisfait, jamais content",
    "Sans aucun doute le meilleur service",
    "Aucun problème, tout est parfait :)",
    "Une attente longue, très longue :(",
    "Service nul (!)",
    "Trop cher pour ce que c'est",
    "Trop lent, trop cher, trop compliqué",
    "Ni aimable ni efficace",
    "Non, ce n'est pas acceptable",
    "TRÈS BON ACCUEIL",
    "tres agreable, tres efficace",
    "L’accueil d’Hélène était parfait",
    "L'accueil de M. Dupont était excellent.",
    "Rendez-vous le 12/03 à 10h30 : rien à signaler",
    "Bon produit. Livraison rapide. Je recommande !",
    "Horrible.\n\nPlus jamais.",
    "Le conseiller est « super » et très disponible",
    "Satisfaite à 100 %",
    "Un peu déçu par le délai",
    "J'adore <3",
    "Déçue, déçue, déçue !",
    "Franchement génial, merci",
    "Pénible et interminable",
    "Rapide, efficace, agréable.",
    "Le personnel est profondément désagréable",
    "Vraiment très bien",
    "Pas très bon",
    "Pas vraiment bon",
    "Rien de bon",
    "Tout est parfaitement clair",
    "Délai beaucoup trop long",
    "C'était pas génial, pas nul non plus",
    "Bof... pas top",
    "Conseillère adorable ;) merci",
    "Site clair et facile, application compliquée",
    "Merci beaucoup !",
    "Hélas, toujours la même attente",
    "Le pire service de ma vie, honteux",
    "Accueil chaleureux... etc. etc.",
    "Très bon accueil.Très bonne écoute",
    "",
    "?",
    "123",
    "ok",
]

FR_SUBJECTS = ["L'accueil", "Le conseiller", "La conseillère", "Le service", "L'attente"]
FR_PREDICATES = [
    "était agréable", "n'était pas agréable", "était très agréable", "était trop long", "était vraiment nul",
    "était parfait", "était horrible", "était pas mal", "est jamais rapide", "était sans intérêt",
    "était rapide et efficace", "était médiocre", "était super", "était décevant", "était si lent",
]
FR_ENDINGS = ["", ".", " !", " !!!", "...", " :)", " :("]


def fr_corpus() -> list[str]:
    made = [f"{s} {p}{e}" for s, p, e in itertools.product(FR_SUBJECTS, FR_PREDICATES, FR_ENDINGS)]
    return FR_HAND + made[::3]


CONTRAST = ("mais", "cependant", "pourtant", "toutefois", "néanmoins", "neanmoins")


def has_contrast(text: str) -> bool:
    return any(w in CONTRAST for w in re.findall(r"\w+", text.lower()))


# -- agreement with the references ---------------------------------------------------------------


def test_english_agrees_with_vader(vader: object) -> None:
    texts = en_corpus()
    assert len(texts) > 150
    got = sentiment(texts, language="en")
    assert got["skipped"].to_list() == [None if t.strip() else "empty" for t in texts]
    worst = 0.0
    for text, row in zip(texts, got.iter_rows(named=True)):
        if not text.strip():
            continue
        want = vader.polarity_scores(text)  # type: ignore[attr-defined]
        for ours, theirs in (("score", "compound"), ("positive", "pos"), ("negative", "neg"), ("neutral", "neu")):
            diff = abs(row[ours] - want[theirs])
            worst = max(worst, diff)
            assert diff <= TOL, (text, ours, row[ours], want[theirs])
    assert worst <= TOL
    # the corpus exercises both signs and the neutral band
    assert set(got["valence"].drop_nulls()) == {"positive", "negative", "neutral"}


def test_english_curly_apostrophes_read_as_ascii(vader: object) -> None:
    curly = ["It wasn’t good", "I don’t like the queue", "They weren’t rude, but I can’t say they helped"]
    got = sentiment(curly, language="en")["score"].to_list()
    for text, score in zip(curly, got):
        want = vader.polarity_scores(text.replace("’", "'"))["compound"]  # type: ignore[attr-defined]
        assert abs(score - want) <= TOL
    assert got[0] < 0  # negated, where VADER alone would read "wasn’t good" as good


def test_french_agrees_with_textblob_fr(pattern: object) -> None:
    texts = [t for t in fr_corpus() if not has_contrast(t)]
    assert len(texts) > 150
    got = sentiment(texts, language="fr")
    for text, row in zip(texts, got.iter_rows(named=True)):
        if not text.strip():
            assert row["skipped"] == "empty"
            continue
        want = pattern.analyze(text)[0]  # type: ignore[attr-defined]
        assert abs(row["score"] - want) <= TOL, (text, row["score"], want)
        assert row["positive"] is None and row["language"] == "fr"
    assert set(got["valence"].drop_nulls()) == {"positive", "negative", "neutral"}


FR_CONTRAST = [
    ("Accueil très agréable", " mais attente interminable"),
    ("Conseiller aimable", " mais pas très compétent"),
    ("Produit horrible", " mais livraison rapide"),
    ("Pas terrible", ", mais le personnel est adorable !"),
    ("Le conseiller est parfait", ", cependant le site est compliqué"),
    ("Rien à dire", ", pourtant tout était lent"),
    ("Rapide et efficace", ", toutefois un peu cher"),
    ("Très bien", " mais"),
    ("Service médiocre, personnel désagréable", " mais prix correct et accueil souriant"),
]


def test_french_mais_reweighting_against_the_reference_parts(pattern: object) -> None:
    texts = [a + b for a, b in FR_CONTRAST]
    got = sentiment(texts, language="fr")["score"].to_list()
    for (a, b), score in zip(FR_CONTRAST, got):
        na, nb = len(textblob_fr_fr.sentiment(a).assessments), len(textblob_fr_fr.sentiment(b).assessments)
        pa, pb = pattern.analyze(a)[0], pattern.analyze(b)[0]  # type: ignore[attr-defined]
        weight = 0.5 * na + 1.5 * nb
        want = (0.5 * na * pa + 1.5 * nb * pb) / weight if weight else 0.0
        assert abs(score - want) <= TOL, (a + b, score, want)
    # the issue's example: the waiting clause dominates the whole comment
    assert got[0] == pytest.approx(-0.125, abs=TOL)


# Word salads from a vocabulary that holds every rule's trigger (negations, boosters, idioms,
# capitals, punctuation, emoticons, emojis, elisions, abbreviations, line breaks), seeded: the
# rules' interactions in orders no sentence above has.
EN_WORDS = (
    "good bad great awful not no never without doubt so this very extremely kind of sort just enough least at "
    "but BUT GOOD BAD VERY I the service staff wait was is isn't wasn't don't cannot nor or the shit bomb bad ass "
    "yeah right kiss death to die for beating heart kinda slightly barely hardly love hate ok lol "
    ":) :( :D ;) <3 😁 😡 💘 👍 ❤️ - , . ! ? !! ??? ' \" (good) [bad] good! bad? nope despite rarely "
    "happy sad helpful useless friendly rude Nice NICE nIcE I'M"
).split()
FR_WORDS = (
    "bon|mauvais|très|tres|trop|vraiment|pas|ne|n'|n’|ni|non|rien|sans|aucun|jamais|plus|peu|absolument|"
    "agréable|agreable|aimable|nul|horrible|super|parfait|déçu|long|lent|rapide|efficace|bien|mal|"
    "l'|l’|L’|d’|qu’|QU’|c'est|accueil|attente|service|M.|etc.|Mr.|U.S.|T.|...|.|,|;|:|!|?|!!|(!)|( ! )|"
    ":)|:(|:-)|<3|♥|xD|:D|;)|8)|«|»|\"|“|”|‘|’|-|&|*|TRÈS|BON|AGRÉABLE|vraiment!|malheureusement|"
    "simplement|3.5|100%|\n|\n\n|\r\n"
).split("|")


def salads(words: list[str], n: int, seed: int, glue: list[str]) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randint(1, 12))) for _ in range(n)]


def test_seeded_word_salads_agree_with_both_references(vader: object, pattern: object) -> None:
    en = salads(EN_WORDS, 400, 1, [" "])
    for text, row in zip(en, sentiment(en, language="en").iter_rows(named=True)):
        want = vader.polarity_scores(text)  # type: ignore[attr-defined]
        assert abs(row["score"] - want["compound"]) <= TOL, (text, row["score"], want)
        assert abs(row["neutral"] - want["neu"]) <= TOL, (text, row["neutral"], want)
    fr = salads(FR_WORDS, 400, 2, [" ", " ", "", "\t"])
    for text, row in zip(fr, sentiment(fr, language="fr").iter_rows(named=True)):
        if row["skipped"] is None:
            want = pattern.analyze(text)[0]  # type: ignore[attr-defined]
            assert abs(row["score"] - want) <= TOL, (text, row["score"], want)


# -- clauses -------------------------------------------------------------------------------------


def test_clauses_of_the_issue_example() -> None:
    text = "accueil très agréable mais attente interminable"
    c = clauses([text])
    assert c.select("clause", "text", "valence").rows() == [
        (0, "accueil très agréable ", "positive"),
        (1, "mais attente interminable", "negative"),
    ]
    en = clauses(["The welcome was lovely but the wait was awful"], language="en")
    assert en["valence"].to_list() == ["positive", "negative"]


def test_clauses_partition_the_raw_text_and_slice_it() -> None:
    texts = [
        "Très bien ! Mais l’attente… interminable ; et le conseiller, PARFAIT.",
        "😡 Never again. However the coffee was good",
        "Line one\nline two, cependant rien",
        "RAS",
        None,
    ]
    c = clauses(texts)
    for row, text in enumerate(texts):
        mine = c.filter(pl.col("row") == row).sort("clause")
        if text is None:
            assert mine.height == 0
            continue
        assert mine["span_start"][0] == 0 and mine["span_end"][-1] == len(text)
        assert mine["span_start"].to_list()[1:] == mine["span_end"].to_list()[:-1]
        assert "".join(mine["text"]) == text
        assert all(text[s:e] == t for s, e, t in mine.select("span_start", "span_end", "text").rows())
        assert mine["clause"].to_list() == list(range(mine.height))
    first = c.filter(pl.col("row") == 0)["text"].to_list()
    assert first == ["Très bien ! ", "Mais l’attente… ", "interminable ; ", "et le conseiller, PARFAIT."]
    assert c.filter(pl.col("row") == 1)["language"].unique().to_list() == ["en"]


def test_a_comment_mention_takes_the_valence_of_its_clause() -> None:
    book = Codebook.from_dict([
        {"id": "welcome", "label": "Welcome", "fr": ["accueil"], "en": ["welcome"]},
        {"id": "wait", "label": "Waiting", "fr": ["attente"], "en": ["wait"]},
        {"id": "price", "label": "Price", "valence": "negative", "fr": ["prix"], "en": ["price"]},
    ])
    v = pl.DataFrame({
        "study": "acme", "side": ["customer", "customer", "customer", "employee"],
        "respondent_id": ["c1", "c2", "c3", "e1"], "question": ["comment", "comment", "comment", "best"],
        "text": [
            "accueil très agréable mais attente interminable",
            "The welcome was lovely but the wait was awful. The price",
            "Accueil : parfait. Le prix",
            "L'attente des clients était horrible",
        ],
    })
    m = code(v, book).mentions
    got = {(r["respondent_id"], r["theme_id"]): (r["valence"], r["valence_source"]) for r in m.iter_rows(named=True)}
    assert got[("c1", "welcome")] == ("positive", "text")
    assert got[("c1", "wait")] == ("negative", "text")
    assert got[("c2", "welcome")] == ("positive", "text")
    assert got[("c2", "wait")] == ("negative", "text")
    # a neutral clause: the theme's declared valence
    assert got[("c2", "price")] == ("negative", "text")
    # the segment "Accueil : " is neutral, its clause is not
    assert got[("c3", "welcome")] == ("positive", "text")
    # employees: from the question, whatever the text says
    assert got[("e1", "wait")] == ("positive", "question")
    scores = dict(zip(m["respondent_id"] + ":" + m["theme_id"], m["valence_score"]))
    assert scores["c1:wait"] == pytest.approx(-0.5) and scores["e1:wait"] is None


# -- bad input -----------------------------------------------------------------------------------


def test_blank_and_control_characters_are_counted_skips() -> None:
    texts = ["", "   \t\n", None, "bon\x00 produit", "b\x00o\x00n", "Très bon\x0bproduit", "\u200b"]
    got = sentiment(texts)
    assert got.height == len(texts)
    assert got["skipped"].to_list() == [
        "empty", "empty", "empty", "control characters", "control characters", None, None,
    ]
    assert got.filter(pl.col("skipped").is_not_null())["score"].null_count() == 5
    assert got["score"].is_nan().sum() == 0
    # a vertical tab is whitespace, as in both references
    assert got["score"][5] == sentiment(["Très bon produit"])["score"][0]
    assert clauses(texts)["row"].unique().sort().to_list() == [5, 6]


def test_a_100000_character_text_is_scored() -> None:
    long = "Très bon accueil, attente interminable ! " * 2_500
    assert len(long) >= 100_000
    fr = sentiment([long], language="fr")
    en = sentiment([long.replace("Très bon accueil", "Great welcome").replace("attente interminable", "awful wait")], language="en")
    c = clauses([long])
    assert fr["score"][0] == pytest.approx(textblob_fr.PatternAnalyzer().analyze(long)[0], abs=TOL)
    assert -1 <= en["score"][0] <= 1 and c.height == 2_500


def test_wrong_arguments_are_typed_errors() -> None:
    with pytest.raises(miroir.InvalidArgumentError, match="'language'.*'de'"):
        sentiment(["Bon"], language="de")
    with pytest.raises(miroir.InvalidArgumentError, match="'language'.*row 1"):
        sentiment(["Bon", "Good"], language=["fr", "klingon"])
    with pytest.raises(miroir.InvalidArgumentError, match="2 languages for 1 texts"):
        sentiment(["Bon"], language=["fr", "en"])
    with pytest.raises(TypeError, match="'texts': row 1: expected a text or None, got int"):
        sentiment(["Bon", 3])
    with pytest.raises(miroir.InvalidArgumentError, match="wrap a single text in a list"):
        sentiment("Bon produit")
    with pytest.raises(miroir.InvalidArgumentError, match="'texts'.*Int64"):
        sentiment(pl.Series([1, 2]))
    with pytest.raises(miroir.InvalidArgumentError, match="'texts': row 1: not valid Unicode"):
        sentiment(["ok", "a\ud800b"])
    with pytest.raises(miroir.InvalidArgumentError, match="'threshold'"):
        sentiment(["Bon"], threshold=1.5)
    with pytest.raises(miroir.InvalidArgumentError, match="'threshold'"):
        clauses(["Bon"], threshold=float("nan"))


def test_series_inputs_languages_and_thresholds() -> None:
    pd = pytest.importorskip("pandas")
    texts = ["Très bon accueil", "Very good welcome", "Accueil correct"]
    from_pandas = sentiment(pd.Series(texts))
    assert from_pandas.drop("text").equals(sentiment(pl.Series(texts)).drop("text"))
    assert from_pandas["language"].to_list() == ["fr", "en", "fr"]
    mixed = sentiment(texts, language=["fr", None, "fr"])
    assert mixed["language"].to_list() == ["fr", "en", "fr"]
    wide = sentiment(["Un peu déçu"], threshold=0.0)["valence"][0]
    assert wide == "negative"
