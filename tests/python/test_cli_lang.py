"""``miroir --lang {en,fr}`` / ``MIROIR_LANG``: every line the command prints comes from the
message catalogue (``cli.*`` keys, and the deliverables' column headers and category values), in
English or French, French numbers formatted by :mod:`miroir.i18n` (``72,1 %``, ``1 234``,
``< 0,001``).

English output is what it always was (the other CLI tests assert on it; here ``reproduce``'s
table and Markdown are compared byte for byte with :class:`miroir.reproduce.Reproduction`'s).
French output is checked for French sentences and numbers, and for English catalogue texts
that would have leaked through.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import string
import sys
import warnings
from importlib import resources
from pathlib import Path

import pytest

import miroir
from miroir import cli, i18n
from miroir.reproduce import run
from miroir.text import Codebook, suggest_themes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

NNBSP = "\u202f"
DEMO = ["demo", "--studies", "2", "--employees", "600", "--customers", "2000", "--seed", "4"]
WAVES = ["demo", "--waves", "--studies", "2", "--employees", "800", "--customers", "3000", "--seed", "1"]
SPEC = """\
title = "small figures"

[options]
n_resamples = 199

[data]
synthetic = { studies = 2, employees = 600, customers = 2000, seed = 0 }

[[indicator]]
id = "can_contribute"
statistic = "can_contribute"
published = 0.72
tolerance = 0.5

[[indicator]]
id = "never_asked"
statistic = "never_asked"
published = 0.99
tolerance = 0.0001

[[indicator]]
id = "ideas"
statistic = "has_ideas"
published = 0.5
relative_tolerance = 0.5

[[indicator]]
id = "uplift"
statistic = "top_cx_engagement_uplift"
published = 5.0
above = true

[[indicator]]
id = "frontline_gap"
statistic = "frontline_gap"
published = 20
within_ci = true
"""

# polars' own words for missing values and booleans: a French table spells them out
POLARS_WORDS = re.compile(r"(?<![\w-])(null|NaN|true|false)(?![\w-])")
# a number with a decimal point (French writes a comma)
DECIMAL_POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
FRENCH_PERCENT = re.compile(rf"\d,\d{NNBSP}%")


@pytest.fixture(autouse=True)
def _no_lang_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.LANG_ENV, raising=False)


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small study with verbatims, and the synthetic codebook beside it."""
    root = tmp_path_factory.mktemp("cli_lang")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", miroir.DataQualityWarning)
        study = miroir.synthetic_study(studies=2, employees=600, customers=2_000, seed=4, verbatims=True)
    study.write(root / "study")
    (root / "book.toml").write_text(miroir._core.synthetic_codebook_toml(), encoding="utf-8")
    return root


def out_of(capsys: pytest.CaptureFixture[str], argv: list[str], status: int = 0) -> str:
    assert cli.main(argv) == status
    return capsys.readouterr().out


def untimed(text: str) -> str:
    """The output without its timings (``0.02 s`` / ``0,02 s``)."""
    return re.sub(r"\d+[.,]\d\d s\b", "T s", text)


@functools.cache
def templates() -> dict[str, dict[str, str]]:
    """Every catalogue message, placeholders unfilled: the file read here with tomllib, and the
    moments' texts (stated by the Rust core, without placeholders) through miroir.i18n."""
    raw = tomllib.loads(resources.files("miroir").joinpath("catalogue.toml").read_text("utf-8"))
    out: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict[str, object]) -> None:
        if "en" in table and "fr" in table:
            out[prefix] = {lang: str(table[lang]) for lang in i18n.LANGS}
        for k, v in table.items():
            if isinstance(v, dict):
                walk(f"{prefix}.{k}" if prefix else k, v)

    walk("", raw)
    for key in i18n.keys():
        if key.startswith("moment.") and key not in out:
            out[key] = {lang: i18n.text(key, lang) for lang in i18n.LANGS}
    return out


def english_fragments(prefixes: tuple[str, ...] = ("",), min_length: int = 8) -> set[str]:
    """The literal parts (between placeholders) of the catalogue's English texts under
    ``prefixes`` that the French text does not share: of ``min_length`` characters or more and
    with a space, or of 12 or more (a single short word may be French too: ``mentions``)."""
    out: set[str] = set()
    for key, entry in templates().items():
        if not key.startswith(prefixes):
            continue
        en, fr = entry["en"], entry["fr"]
        if en == fr:
            continue
        for literal, *_ in string.Formatter().parse(en):
            part = literal.strip()
            if (len(part) >= 12 or len(part) >= min_length and " " in part) and part not in fr:
                out.add(part)
    return out


def leaks(output: str, fragments: set[str]) -> list[str]:
    return sorted(f for f in fragments if f in output)


# --- the catalogue section --------------------------------------------------------------------


def test_every_message_the_command_uses_is_in_the_catalogue_in_both_languages() -> None:
    import importlib

    # the command's messages, and reproduce's table and Markdown (built in miroir.reproduce)
    modules = (cli, importlib.import_module("miroir.reproduce"))
    files = [f for m in modules for f in (sorted(Path(str(m.__file__)).parent.glob("*.py"))
                                          if Path(str(m.__file__)).name == "__init__.py" else [Path(str(m.__file__))])]
    source = "".join(f.read_text(encoding="utf-8") for f in files)
    used = set(re.findall(r'_t\(\s*"([a-z_.]+)"', source))
    assert len(used) > 40
    missing = [k for k in sorted(used) if not i18n.has(f"cli.{k}")]
    assert missing == []
    # the keys built from a value: their families exist
    for family in ("cli.reproduce.checks.", "cli.column.", "cli.metric."):
        assert any(k.startswith(family) for k in i18n.keys()), family
    ours = {k: v for k, v in templates().items() if k.startswith("cli.")}
    assert len(ours) > 90
    for key, entry in ours.items():
        assert i18n.placeholders(entry["en"]) == i18n.placeholders(entry["fr"]), key


def test_lang_option_before_or_after_the_command_and_the_environment(
        study_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = str(study_dir / "study")
    english = out_of(capsys, ["report", folder])
    french = out_of(capsys, ["report", folder, "--lang", "fr"])
    assert french != english
    assert out_of(capsys, ["--lang", "fr", "report", folder]) == french
    monkeypatch.setenv(cli.LANG_ENV, "fr")
    assert out_of(capsys, ["report", folder]) == french
    assert out_of(capsys, ["report", folder, "--lang", "en"]) == english  # the option wins
    assert out_of(capsys, ["--lang", "en", "report", folder]) == english
    monkeypatch.setenv(cli.LANG_ENV, "")
    assert out_of(capsys, ["report", folder]) == english


def test_a_bad_environment_language_is_a_usage_error(study_dir: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.LANG_ENV, "de")
    with pytest.raises(SystemExit) as info:
        cli.main(["validate", str(study_dir / "study")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "miroir: error: environment variable MIROIR_LANG: invalid choice: 'de'" in err
    # --lang given: the variable is not read
    assert cli.main(["validate", str(study_dir / "study"), "--lang", "en"]) == 0


def test_help_documents_lang_and_the_environment_variable() -> None:
    parser = cli.build_parser()
    text = parser.format_help()
    assert "--lang {en,fr}" in text and "MIROIR_LANG" in text
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert len(sub.choices) == 7
    for name, command in sub.choices.items():
        helped = command.format_help()
        assert "--lang {en,fr}" in helped and "MIROIR_LANG" in helped, name


# --- the demo ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_outputs() -> dict[str, str]:
    import contextlib
    import io

    out = {}
    for lang in ("en", "fr"):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert cli.main(["--lang", lang, *DEMO]) == 0
        out[lang] = buffer.getvalue()
    return out


def test_demo_in_french_has_the_french_sentences_and_numbers(demo_outputs: dict[str, str]) -> None:
    fr = demo_outputs["fr"]
    for key in ("warnings.none", "report.indicators", "report.exposure_gap", "report.linkage",
                "report.moments", "report.moment_effects", "report.drivers"):
        assert i18n.text(f"cli.{key}", "fr") in fr, key
    assert fr.startswith(f"miroir {miroir.__version__} - étude miroir synthétique (graine 4), "
                         "générée et validée en ")
    assert re.search(r"^analyses calculées en \d+,\d\d s$", fr, re.M)
    assert re.search(r"^== Codage des verbatims \(892 réponses, en français et en anglais\)", fr, re.M)
    assert re.search(r"^accord avec les vrais codes : macro-F1 des thèmes \d,\d{3} \(précision \d,\d{3}, "
                     r"rappel \d,\d{3}\) ; valence juste pour \d+ des \d+ thèmes trouvés "
                     rf"\(\d+,\d{NNBSP}%\)", fr, re.M)
    # the totals, grouped the French way; the English ones are not
    assert f"études : 2, unités : 30, collaborateurs : 600, clients : 2{NNBSP}000, mentions : 853" in fr
    assert "2 studies, 30 units, 600 employees, 2000 customers, 853 mentions" in demo_outputs["en"]
    # tables: French headers, moment names and actions, values; numbers with a decimal comma
    for header in ("Étude", "Estimation", "IC bas", "Valeur publiée", "g de Hedges", "Corrélation (r)",
                   "Action recommandée", "Codés (%)"):
        assert header in fr, header
    assert i18n.moment_name("win_win", "fr") in fr and "la déployer : faire" in fr
    assert "ensemble" in fr and "collaborateurs" in fr and " oui " in fr
    assert FRENCH_PERCENT.search(fr) and "< 0,001" in fr
    assert DECIMAL_POINT.findall(fr.replace(miroir.__version__, "")) == []
    assert POLARS_WORDS.findall(fr) == []
    assert DECIMAL_POINT.findall(demo_outputs["en"])  # and the check can see one


def test_demo_in_french_leaks_no_english_catalogue_text(demo_outputs: dict[str, str]) -> None:
    fragments = english_fragments()
    assert len(fragments) > 300
    assert leaks(demo_outputs["fr"], fragments) == []
    # the same check finds the English texts in the English output
    found = leaks(demo_outputs["en"], english_fragments(("cli.",)))
    assert "Data quality: no warnings." in found and "analyses computed in" in found
    # the table headers are translated: no raw column name is left
    for column in ("share_coded", "n_facing", "hedges_g", "adjusted_gap", "customer_axis", "q_value",
                   "n_mentioning", "beta_std", "share_ci_low", "p_first", "ci_low", "published"):
        assert column not in demo_outputs["fr"], column
        assert column in demo_outputs["en"], column


def test_demo_waves_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    fr = out_of(capsys, [*WAVES, "--lang", "fr"])
    assert fr.startswith(f"miroir {miroir.__version__} - baromètre synthétique (graine 1) : deux vagues")
    assert "\nVagues W1 -> W2 : " in fr
    assert "== Évolution W1 -> W2 par region, toutes études confondues" in fr
    assert i18n.text("cli.waves.linkage", "fr") in fr and i18n.text("cli.waves.moved", "fr") in fr
    assert re.search(r"^comparaisons calculées en \d+,\d\d s$", fr, re.M)
    nord = [line for line in fr.splitlines() if line.startswith("│ Nord") and "engagement moyen" in line]
    assert len(nord) == 2  # respondents, then matched units
    change = nord[0].split("┆")[4].strip()
    assert re.fullmatch(r"\d+,\d{3}", change) and 5 < float(change.replace(",", ".")) < 11
    assert "Vague de référence" in fr and "p (Wilcoxon)" in fr and "r, vague actuelle" in fr
    assert "mean_engagement" not in fr and "share_satisfied" not in fr
    assert POLARS_WORDS.findall(fr) == []
    assert DECIMAL_POINT.findall(fr.replace(miroir.__version__, "")) == []
    assert leaks(fr, english_fragments()) == []


# --- validate, synth, report, code, suggest-themes ------------------------------------------------


def test_validate_and_synth_in_both_languages(study_dir: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(study_dir / "study")
    fr = out_of(capsys, ["validate", folder, "--lang", "fr"])
    assert fr.startswith("étude valide\n") and "Qualité des données : aucune alerte." in fr
    en = out_of(capsys, ["validate", folder])
    assert en.startswith("valid study\n") and "Data quality: no warnings." in en
    assert "│ str " in en and "│ str " not in fr  # a translated table's types are all text: not shown

    argv = ["synth", "--studies", "2", "--employees", "300", "--customers", "1000"]
    en = out_of(capsys, [*argv, "--out", str(tmp_path / "en")])
    fr = out_of(capsys, ["--lang", "fr", *argv, "--out", str(tmp_path / "fr")])
    study = miroir.load_study(tmp_path / "en")
    assert en == f"wrote {study!r} to {tmp_path / 'en'}\n"
    assert fr == (f"étude écrite dans {tmp_path / 'fr'} (études : 2, unités : 15, collaborateurs : 300, "
                  f"clients : 1{NNBSP}000, mentions : 396)\n")


def test_report_in_french(study_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fr = out_of(capsys, ["report", str(study_dir / "study"), "--lang", "fr"])
    assert i18n.text("cli.report.indicators", "fr") in fr and "Indicateur" in fr
    assert FRENCH_PERCENT.search(fr) and POLARS_WORDS.findall(fr) == [] and DECIMAL_POINT.findall(fr) == []
    assert leaks(fr, english_fragments()) == []
    # the deliverables' lines, and JSON is a machine format: the same in both languages
    xlsx = tmp_path / "r.xlsx"
    fr = out_of(capsys, ["report", str(study_dir / "study"), "--lang", "fr", "--xlsx", str(xlsx)])
    assert fr.endswith("\n" + i18n.text("cli.wrote", "fr", path=xlsx) + "\n")
    a = out_of(capsys, ["report", str(study_dir / "study"), "--json", "--lang", "fr"])
    b = out_of(capsys, ["report", str(study_dir / "study"), "--json"])
    assert a == b and json.loads(a)


def test_code_in_both_languages(study_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book_path = study_dir / "book.toml"
    argv = ["code", str(study_dir / "study"), "--codebook", str(book_path)]
    en = out_of(capsys, [*argv, "--out", str(tmp_path / "en")])
    fr = out_of(capsys, [*argv, "--out", str(tmp_path / "fr"), "--lang", "fr"])
    book = Codebook.from_toml(book_path)
    assert en.startswith(f"coded 892 verbatims with {len(book)} themes ({book!r}) in ")
    assert en.rstrip().endswith(f"wrote the coded study to {tmp_path / 'en'} (mentions with their audit columns; "
                                "coverage.csv, uncoded.csv, skipped.csv beside)")
    first = fr.splitlines()[0]
    assert re.fullmatch(r"892 verbatims codés avec 30 thèmes "
                        rf"\(codebook de 30 thèmes, {re.escape(str(book_path))}\) "
                        r"en \d+,\d\d s : \d+ mentions", first), first
    assert "Codés (%)" in fr and "Population" in fr and FRENCH_PERCENT.search(fr)
    assert f"étude codée écrite dans {tmp_path / 'fr'} (mentions avec leurs colonnes d'audit" in fr
    assert ("\nremarque : " in fr) == ("\nnote: " in en)
    # the core's notes are shown as written (in English when the catalogue does not know them)
    ours = "\n".join(line for line in fr.splitlines() if not line.startswith("remarque : "))
    assert leaks(ours, english_fragments(("cli.", "column.", "value."))) == []
    assert POLARS_WORDS.findall(fr) == []


def test_suggest_themes_in_both_languages(study_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book_path = study_dir / "book.toml"
    argv = ["suggest-themes", str(study_dir / "study"), "--codebook", str(book_path), "--k", "3"]
    en = out_of(capsys, argv)
    fr = out_of(capsys, [*argv, "--lang", "fr", "--out", str(tmp_path / "c.csv")])
    study = miroir.load_study(study_dir / "study")
    assert study.verbatims is not None
    found = suggest_themes(study.verbatims, k=3, codebook=Codebook.from_toml(book_path), seed=0,
                           min_text_group_size=study.schema.min_text_group_size)
    assert en.startswith(f"{found!r}: 3 candidate themes for the verbatims the codebook leaves uncoded (seed 0)\n")
    shown = found.themes.filter(~found.themes["suppressed"]).height
    clustered = int(found.assignments["cluster"].is_not_null().sum())
    assert fr.startswith(f"3 thèmes candidats pour les verbatims que le codebook laisse sans code (graine 0) : "
                         f"3 groupes dont {shown} affichés, {clustered} textes regroupés "
                         f"sur {found.assignments.height}\n")
    for header in ("Groupe", "Textes", "Répondants", "Cohésion", "Masqué", "Mots-clés", "Verbatim typique"):
        assert header in fr, header
    assert re.search(r"┆ \d,\d\d +┆ (oui|non) +┆", fr)
    assert fr.endswith(f"groupe de chaque verbatim écrit dans {tmp_path / 'c.csv'}\n")
    assert POLARS_WORDS.findall(fr) == []
    assert leaks(fr, english_fragments(("cli.", "column.", "value."))) == []


def test_the_commands_own_errors_in_french(study_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["reproduce", "--lang", "fr"]) == 2
    assert capsys.readouterr().err == (
        "miroir: error: InvalidArgumentError: argument 'spec' invalide : indiquez un fichier de spécification "
        "ou --builtin NOM (l'un des deux)\n")
    assert cli.main(["reproduce"]) == 2
    assert "give a spec file or --builtin NAME (one of them)" in capsys.readouterr().err
    argv = ["report", str(study_dir / "study"), "--by", "region", "--xlsx", "x.xlsx"]
    assert cli.main([*argv, "--lang", "fr"]) == 2
    assert "les livrables HTML, Excel et PowerPoint portent sur l'étude entière" in capsys.readouterr().err


# --- reproduce ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli_lang_spec") / "figures.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_reproduce_in_english_is_the_reproductions_own_text(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rep = run(spec)
    assert not rep.passed and rep.failed_ids == ["never_asked", "uplift"]
    assert out_of(capsys, ["reproduce", str(spec)], 1) == rep.to_text()
    assert out_of(capsys, ["reproduce", str(spec), "--format", "markdown"], 1) == rep.to_markdown()
    assert out_of(capsys, ["reproduce", str(spec), "--format", "json", "--lang", "fr"], 1) == rep.to_json()


def test_reproduce_in_french(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = out_of(capsys, ["reproduce", str(spec), "--lang", "fr"], 1)
    lines = text.splitlines()
    assert lines[0] == f"miroir reproduce : small figures ({spec})"
    assert lines[2].split() == ["id", "publié", "calculé", "IC", "n", "contrôle"]
    failing = [line for line in lines if line.startswith("ÉCHEC")]
    assert [line.split()[1] for line in failing] == ["never_asked", "uplift"]
    assert re.search(r"0,99 +0,51 +\[0,\d{4} ; 0,\d{4}\] +600 +\|calculé - publié\| <= 0,0001$", failing[0])
    assert "|calculé - publié| <= 0,5 x |publié|" in text
    assert "publié dans l'IC à 95 %" in text and "calculé > publié" in text
    assert "Remarques sur les indicateurs en échec :" in text
    assert "  uplift : intervalle bootstrap seulement" in text  # the core's note, in the catalogue's French
    assert lines[-1] == "indicateurs en ÉCHEC : 2 sur 5 (never_asked, uplift)"
    for english in ("PASS", "FAIL", "computed", "published", "indicators", "bootstrap interval only"):
        assert english not in text, english
    assert DECIMAL_POINT.findall(text) == []

    md = out_of(capsys, ["reproduce", str(spec), "--lang", "fr", "--format", "markdown"], 1)
    assert md.startswith("### ❌ miroir reproduce : small figures\n\n**indicateurs en ÉCHEC : 2 sur 5")
    assert "| | id | publié | calculé | IC | n | contrôle | source |" in md
    assert "| ❌ **ÉCHEC** | `never_asked` | 0,99 | 0,51 |" in md and "| ✅ réussi | `can_contribute` |" in md
    assert "\\|calculé - publié\\| <= 0,0001" in md
    assert all(line.replace("\\|", "").count("|") == 9 for line in md.splitlines() if line.startswith("| "))
    assert leaks(text + md, english_fragments(("cli.", "note."))) == []


@pytest.mark.parametrize(("shown", "expected"), [
    ("0.7215", "0,7215"), ("20", "20"), ("19.31", "19,31"), ("12345", f"12{NNBSP}345"),
    ("-0.5", "-0,5"), ("1e-09", "1e-09"), ("1.235e+05", "1,235e+05"), ("inf", "inf"), ("invalid", "invalid"),
])
def test_numbers_as_written_get_the_french_decimal_mark(shown: str, expected: str) -> None:
    from miroir.results._format import localize_decimal as _decimal

    assert _decimal(shown, "fr") == expected
    assert _decimal(shown, "en") == shown
