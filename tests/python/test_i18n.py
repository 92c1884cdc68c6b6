"""The message catalogue and the number formatting of the deliverables (issue 17).

The catalogue is checked for completeness (both languages, no empty string, the same
placeholders, a header for every column of the default report), the moments against the Rust
taxonomy, and the number formatting against Babel's CLDR data (an independent implementation).
"""

from __future__ import annotations

import math
import random
import sys
from importlib import resources

import pytest

from _support import moment_texts
import miroir
from miroir import i18n
from miroir.results import MOMENT_ORDER

babel_numbers = pytest.importorskip("babel.numbers")
from babel import Locale  # noqa: E402
tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture(scope="module")
def default_report() -> miroir.Report:
    return miroir.report(miroir.synthetic_study(), n_resamples=0)


def raw_entries() -> dict[str, dict[str, object]]:
    """The catalogue's leaf tables read here with tomllib, not through miroir.i18n."""
    raw = tomllib.loads(resources.files("miroir").joinpath("catalogue.toml").read_text("utf-8"))
    out: dict[str, dict[str, object]] = {}

    def walk(prefix: str, table: dict[str, object]) -> None:
        strings = {k: v for k, v in table.items() if not isinstance(v, dict)}
        if strings:
            out[prefix] = strings
        for k, v in table.items():
            if isinstance(v, dict):
                walk(f"{prefix}.{k}" if prefix else k, v)

    walk("", raw)
    # the six moments' texts are stated once, by the Rust core (analysis/moments.rs)
    for key, fields in moment_texts().items():
        for field, entry in fields.items():
            out[f"moment.{key}.{field}"] = dict(entry)
    return out


# --- the catalogue ------------------------------------------------------------------------------


def test_every_key_has_both_languages_non_empty_with_the_same_placeholders():
    entries = raw_entries()
    assert len(entries) > 150
    for key, entry in entries.items():
        assert set(entry) == {"en", "fr"}, key
        for lang in ("en", "fr"):
            assert isinstance(entry[lang], str) and entry[lang].strip(), (key, lang)
        assert i18n.placeholders(str(entry["en"])) == i18n.placeholders(str(entry["fr"])), key
    assert sorted(entries) == i18n.keys()


def test_every_column_of_every_table_of_the_default_report_has_a_header(default_report):
    missing = [
        (name, column)
        for name, table in default_report.tables().items()
        for column in table.columns
        if not (i18n.has(f"column.{name}.{column}") or i18n.has(f"column.{column}"))
    ]
    assert missing == []
    for name in default_report.tables():
        for lang in i18n.LANGS:
            assert len(i18n.text(f"sheet.{name}", lang)) <= 31
            assert i18n.text(f"section.{name}", lang)


def _texts_of(tables, columns=("note", "notes", "method")):
    for name, table in tables.items():
        for column in (c for c in table.columns if c in columns):
            for value in table[column].drop_nulls().unique().to_list():
                yield name, column, value


def test_every_note_and_method_of_the_reports_and_waves_is_in_the_catalogue():
    """The notes the core writes in English (a method, a suppression, skipped resamples) all
    have a French wording: none is left as written in a French deliverable."""
    import warnings

    from miroir.html_report import translate_note

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coded = miroir.synthetic_study(studies=4, employees=600, customers=2_000, seed=2, verbatims=True)
        coded = coded.code(miroir.synthetic_codebook())
        one = miroir.synthetic_study(studies=1, employees=400, customers=1_500, seed=5)
        waves = miroir.synthetic_study(studies=2, employees=800, customers=3_000, seed=3, waves=2)
        tables = {}
        for i, study in enumerate((coded, one)):
            for name, table in miroir.report(study, n_resamples=199).tables().items():
                tables[f"{i}.{name}"] = table
        for n_resamples, design in ((0, "units"), (199, "units"), (0, "independent")):
            cmp = miroir.compare_waves(waves, "W1", "W2", n_resamples=n_resamples, design=design)
            tables.update({f"waves{n_resamples}{design}.{k}": getattr(cmp, k)
                           for k in ("changes", "paired", "units", "linkage", "indicators", "moments")})
    found = list(_texts_of(tables))
    assert len({v for _, _, v in found}) >= 5  # the test sees notes at all
    left = sorted({(n, c, v) for n, c, v in found if translate_note(v, "fr") == v})
    assert left == [], left


def test_moments_match_the_rust_taxonomy_and_its_actions(default_report):
    named = {k.split(".")[1] for k in i18n.keys() if k.startswith("moment.") and k.endswith(".name")}
    assert named == set(MOMENT_ORDER) | {"undetermined", "too_few_mentions"}
    with_action = {k.split(".")[1] for k in i18n.keys() if k.startswith("moment.") and k.endswith(".action")}
    assert with_action == set(MOMENT_ORDER)
    rows = default_report.moments.table.filter(default_report.moments.table["action"].is_not_null())
    seen = set()
    for moment, action in rows.select("moment", "action").iter_rows():
        assert i18n.text(f"moment.{moment}.action", "en") == action
        short = i18n.text(f"moment.{moment}.short_action", "en")
        assert action.startswith(short + ":")
        seen.add(moment)
    assert seen == set(MOMENT_ORDER)  # the default study has every moment
    assert i18n.moment_name("win_win", "fr") == "Le win win"
    assert i18n.moment_name("dead_end", "fr") == "L'impasse"


def test_text_fills_placeholders_in_both_languages():
    assert i18n.text("report.studies_many", "en", n="20") == "20 studies"
    assert i18n.text("report.studies_many", "fr", n="20") == "20 études"
    assert i18n.text("moment.blindness.name") == "Blindness"


@pytest.mark.parametrize("lang", ["de", "EN", "", None, 1])
def test_unknown_language_is_a_typed_error_naming_it(lang):
    with pytest.raises(miroir.InvalidArgumentError, match="lang") as err:
        i18n.text("report.title", lang)
    assert repr(lang) in str(err.value)
    for call in (lambda: i18n.format_number(1.0, lang), lambda: i18n.format_percent(0.5, lang),
                 lambda: i18n.format_p(0.5, lang)):
        with pytest.raises(miroir.InvalidArgumentError, match="not a supported language"):
            call()


def test_unknown_key_and_missing_value_are_typed_errors():
    with pytest.raises(miroir.InvalidArgumentError, match="'no.such.key'"):
        i18n.text("no.such.key", "fr")
    with pytest.raises(miroir.InvalidArgumentError, match="'n'"):
        i18n.text("report.studies_many", "en")


# --- numbers, against Babel (CLDR) -----------------------------------------------------------------


def babel_decimal(x: float, lang: str, decimals: int) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return babel_numbers.format_decimal(x, format=pattern, locale=lang)


def babel_percent(x: float, lang: str, decimals: int) -> str:
    """CLDR's own percent pattern of the locale, with ``decimals`` fraction digits."""
    pattern = babel_numbers.parse_pattern(Locale.parse(lang).percent_formats[None].pattern)
    pattern.frac_prec = (decimals, decimals)
    return pattern.apply(x, Locale.parse(lang))


def sample(seed: int) -> list[float]:
    rng = random.Random(seed)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-4, 9) for _ in range(400)]
    # decimal ties: CLDR rounds the decimal form half to even
    values += [2.675, 0.125, 0.0125, 1234.5, -72.15, 0.7215, 0.5, 1_000_000.0, 999.9995]
    return values


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_format_number_agrees_with_babel(lang, decimals):
    for x in sample(decimals):
        ours = i18n.format_number(x, lang, decimals=decimals)
        theirs = babel_decimal(x, lang, decimals)
        if theirs.lstrip("-").strip("0,.\u202f") == "":
            theirs = theirs.lstrip("-")  # Babel writes -0.00; we write no sign on zero
        assert ours == theirs, (x, decimals)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_format_percent_agrees_with_babel(lang, decimals):
    for x in sample(10 + decimals):
        share = x / 10 ** 6
        theirs = babel_percent(share, lang, decimals)
        if theirs.lstrip("-").strip("0,.%\u202f\u00a0") == "":
            theirs = theirs.lstrip("-")
        # our one deviation from CLDR: a narrow no-break space before % (CLDR: U+00A0)
        assert i18n.format_percent(share, lang, decimals) == theirs.replace(NBSP, NNBSP), share


def test_french_and_english_forms():
    assert i18n.format_percent(0.721, "en") == "72.1%"
    assert i18n.format_percent(0.721, "fr") == "72,1\u202f%"
    assert i18n.format_number(1234567.5, "fr", 1) == "1\u202f234\u202f567,5"
    assert i18n.format_number(1234567.5, "en", 1) == "1,234,567.5"
    assert i18n.format_number(0.135, "en", 1, signed=True) == "+0.1"
    assert i18n.format_number(-0.0004, "en", 3) == "0.000"  # no "-0.000"
    assert i18n.format_number(7.864, "fr") == "7,86"  # decimals by magnitude
    assert i18n.format_number(43.61, "en") == "43.6"
    assert i18n.format_number(1e300, "en", 0).count(",") == 100


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, -math.inf, "text"])
def test_missing_values_are_a_dash(missing):
    for lang in i18n.LANGS:
        assert i18n.format_number(missing, lang) == "—"
        assert i18n.format_percent(missing, lang) == "—"
        assert i18n.format_p(missing, lang) == "—"


def test_p_values_below_display_precision():
    assert i18n.format_p(2.2250738585072014e-308, "en") == "< 0.001"
    assert i18n.format_p(2e-24, "fr") == "< 0,001"
    assert i18n.format_p(0.000999, "en") == "< 0.001"
    assert i18n.format_p(0.001, "en") == "0.001"
    assert i18n.format_p(0.0421, "fr") == "0,042"
    assert i18n.format_p(1.0, "en") == "1.000"
    assert i18n.p_phrase(1e-9, "en") == "p < 0.001"
    assert i18n.p_phrase(0.5, "fr") == "p = 0,500"
