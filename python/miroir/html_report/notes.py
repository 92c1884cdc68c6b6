"""The notes of the analyses in the HTML report: translated into the report's language and
gathered once into numbered footnotes."""

from __future__ import annotations

import html
import re

from miroir.i18n import moment_name, text, value_label


class _Notes:
    """The notes of the analyses, each once, numbered in order of first use."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.items: list[str] = []

    def refs(self, raw: object) -> str:
        """Footnote marks for a row's ``note`` (several notes joined by ``; ``)."""
        if raw is None or not str(raw).strip():
            return ""
        marks = []
        for part in dict.fromkeys(p.strip() for p in str(raw).split("; ") if p.strip()):
            note = translate_note(part, self.lang)
            if note not in self.items:
                self.items.append(note)
            n = self.items.index(note) + 1
            marks.append(f'<sup class="fn"><a href="#note-{n}">{n}</a></sup>')
        return " ".join(marks)

    def render(self) -> str:
        if not self.items:
            return ""
        out = ['<ol class="footnotes">']
        out.extend(f'<li id="note-{i}">{_e(note)}</li>' for i, note in enumerate(self.items, 1))
        out.append("</ol>")
        return "".join(out)


# The notes the Rust core writes (in English), matched to catalogue messages; a note that
# matches none is shown as written.
_NOTE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k) for p, k in (
        (r"^p-value below 2\.2e-308", "note.html.p_floor"),
        (r"^column '(?P<column>[^']+)' is absent from the (?P<table>\w+) table$",
         "note.html.column_absent"),
        (r"^interval treats customers as independent", "note.html.independent_customers"),
        (r"^uplift CI not computed \(n_resamples = 0\)$", "note.html.uplift_no_bootstrap"),
        (r"^share intervals and p_first not computed \(n_resamples = 0\)$",
         "note.html.shares_no_bootstrap"),
        (r"^pooled correlation is over all units, not a meta-analysis", "note.html.not_meta"),
        (r"^no theme classified as (?P<moment>\w+)$", "note.html.no_theme"),
        (r"^(?P<side>customer|employee) side suppressed: fewer than (?P<n>\d+) \w+ mention the "
         r"theme$", "note.html.side_suppressed"),
        (r"^no (?P<side>customer|employee) mentions$", "note.html.no_mentions"),
        (r"^(?P<n>\d+) units? left out \(a side without respondents, or suppressed for "
         r"confidentiality\)$", "note.html.units_left_out"),
        (r"^bootstrap interval only: no test statistic or p-value$", "note.html.bootstrap_only"),
        (r"^fewer than (?P<n>\d+) respondents on one side$", "note.html.fewer_respondents"),
        (r"^complementary: protects a small unit", "note.html.complementary"),
        (r"^Wilson score interval$", "method.html.wilson"),
        (r"^Clopper-Pearson exact interval$", "method.html.clopper_pearson"),
        (r"^mean engagement of the top (?P<k>\d+) of (?P<n>\d+) units by mean satisfaction / "
         r"the others - 1$", "method.html.uplift"),
        (r"^top-share uplift, unit bootstrap \(BCa\)$", "method.html.uplift_bootstrap"),
        (r"^top-share uplift$", "method.html.uplift_plain"),
        (r"^share satisfied among customers of top-tercile engagement units$",
         "method.html.satisfied_high"),
        (r"^largest per-study gap \(study (?P<study>'[^']+')\), Welch t interval$",
         "method.html.largest_gap"),
        (r"^Pearson correlation$", "method.html.pearson"),
        (r"^random-effects meta-analysis \(REML\) of (?P<k>\d+) per-study correlations$", "method.html.meta_reml"),
        (r"^suppressed: a group has fewer than (?P<n>\d+) respondents$", "note.html.group_suppressed"),
        (r"^(?P<k>\d+) of (?P<n>\d+) resamples skipped \(a driver did not vary in them\)$",
         "note.html.driver_resamples_skipped"),
        # the waves' notes (miroir.waves)
        (r"^unweighted \(the waves' weights are not used\)$", "note.html.waves_unweighted"),
        (r"^(?P<n>\d+) matched unit\(s\) not suppressed: no paired test$", "note.html.waves_no_paired_test"),
        (r"^(?P<n>\d+) matched units: too few for a correlation's change \(4 or more\)$",
         "note.html.waves_too_few_for_correlation"),
        (r"^(?P<n>\d+) resamples with a constant unit column skipped$", "note.html.waves_constant_resamples"),
        (r"^no interval \(n_resamples = 0\)$", "note.html.no_interval"),
        (r"^difference of means, variance stratified by unit, normal interval$", "method.html.waves_means_stratified"),
        (r"^difference of shares, variance stratified by unit, normal interval$",
         "method.html.waves_shares_stratified"),
        (r"^difference of Welch gaps, normal interval$", "method.html.waves_welch_gaps"),
        (r"^Welch t$", "method.html.welch_t"),
        (r"^Two-proportion z-test \(pooled\)$", "method.html.two_proportion_z"),
        (r"^Newcombe hybrid score interval$", "method.html.newcombe"),
    )
)


def translate_note(note: str, lang: str) -> str:
    """A text of the analyses (a note, a method, a reason for suppression; the Rust core
    writes them in English) in ``lang``, in the catalogue's wording; as written when the
    catalogue does not know it. Texts joined by ``; `` are translated part by part.

    >>> translate_note("no theme classified as dead_end", "fr")
    "aucun thème classé en L'impasse"
    >>> translate_note("something new", "fr")
    'something new'
    """
    if "; " in note:
        return "; ".join(translate_note(part, lang) for part in note.split("; "))
    for pattern, key in _NOTE_PATTERNS:
        found = pattern.match(note)
        if found is None:
            continue
        values = dict(found.groupdict())
        if "moment" in values:
            values["moment"] = moment_name(values["moment"], lang)
        if "side" in values:
            values["side"] = value_label("side", values["side"], lang)
        return text(key, lang, **values)
    return note


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)
