//! Codebook coding: every theme whose patterns match a verbatim, with the span in the raw text.
//!
//! A verbatim is tokenised ([`super::normalize::tokenize`]) in its language; two haystacks are
//! built from its tokens, the stems and the folded words, each token followed by a separator
//! byte. Phrase patterns (their stems, each followed by the separator) are searched in the first,
//! glob prefixes in the second, with aho-corasick's leftmost-longest semantics among the matches
//! that start at a token (an anchored search from each token, going on after the last token of
//! a match), and a phrase counts only within one clause (it does not run over a
//! comma or a full stop: "honestly, customers" is not "honest customer"). Matches of the two
//! searches that overlap are resolved the same way: the one covering more tokens wins, then the
//! leftmost. A theme is coded once per match; a match inside one of the theme's own exclusions
//! is not that theme. Exclusions are searched apart from the patterns, so that one theme's
//! exclusion never hides another theme's pattern inside it.
//!
//! Negation: a match is negated when a negator (`ne`/`n'`, `pas`, `jamais`, `sans`, `aucun`,
//! `ni`; `plus`, `rien`, `personne` after a `ne` of the clause; `not`/`n't`, `no`, `never`,
//! `without`, `nor`, `none`, `nothing`, `nobody`, `neither`) stands among the
//! [`NEGATION_WINDOW`] tokens before it in the same clause. A negated match of a theme that
//! carries a valence (`valence = "positive"` or `"negative"` in the codebook) does not code that
//! theme (it is reported as skipped); other themes are coded with `negated = true`.

use super::codebook::{Codebook, PatternKind};
use super::normalize::{read, Analyzer, Language, Token};
use super::sentiment::{self, span_valence_of, SpanValence, Thresholds};
use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};
use rayon::prelude::*;
use std::sync::Arc;

/// How many tokens before a match a negator may stand.
pub const NEGATION_WINDOW: usize = 3;

const SEP: char = '\u{1}';

/// Patterns (of one language, phrases or globs) up to which the automaton is a DFA.
const DFA_PATTERNS: usize = 5000;

/// One theme found in one verbatim.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Index of the verbatim in the input.
    pub row: usize,
    /// Index of the theme in the codebook.
    pub theme: usize,
    /// The pattern that fired, as written in the codebook (shared with the coder).
    pub rule: Arc<str>,
    /// Character offsets `[span_start, span_end)` in the raw text.
    pub span_start: usize,
    pub span_end: usize,
    pub negated: bool,
    /// The language the verbatim was coded in.
    pub language: Language,
    /// A negated match of a theme with a valence: reported, not coded.
    pub skipped: bool,
}

/// The automata of one language's patterns, or of its exclusions.
struct Search {
    phrases: Option<AhoCorasick>,
    /// For each phrase key: (theme, pattern text, exclusion) of the patterns that have it.
    phrase_rules: Vec<Vec<(usize, Arc<str>, bool)>>,
    globs: Option<AhoCorasick>,
    glob_rules: Vec<Vec<(usize, Arc<str>, bool)>>,
}

/// One language's automata: its patterns, and apart from them its exclusions.
struct Automata {
    analyzer: Analyzer,
    patterns: Search,
    exclusions: Search,
}

/// A codebook compiled for matching (build once, code many verbatims).
pub struct Coder {
    fr: Automata,
    en: Automata,
    valenced: Vec<bool>,
}

fn build(keys: &[String]) -> Option<AhoCorasick> {
    if keys.is_empty() {
        return None;
    }
    Some(
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            // a codebook's automaton is small: a DFA searches fastest (aho-corasick's automatic
            // choice keeps DFAs to 100 patterns or fewer)
            .kind((keys.len() <= DFA_PATTERNS).then_some(AhoCorasickKind::DFA))
            .build(keys)
            .expect("codebook automaton within aho-corasick's limits"),
    )
}

impl Coder {
    pub fn new(book: &Codebook) -> Coder {
        let compile = |language: Language, exclusions: bool| {
            let (mut pk, mut pr): (Vec<String>, Vec<Vec<(usize, Arc<str>, bool)>>) = (Vec::new(), Vec::new());
            let (mut gk, mut gr): (Vec<String>, Vec<Vec<(usize, Arc<str>, bool)>>) = (Vec::new(), Vec::new());
            for (ti, t) in book.themes.iter().enumerate() {
                for p in t.patterns.iter().filter(|p| p.language == language && p.exclude == exclusions) {
                    let (keys, rules, key) = match &p.kind {
                        PatternKind::Phrase(stems) => {
                            (&mut pk, &mut pr, stems.iter().map(|s| format!("{s}{SEP}")).collect::<String>())
                        }
                        PatternKind::Glob(prefix) => (&mut gk, &mut gr, prefix.clone()),
                    };
                    // the same key for several themes: one automaton pattern, several rules
                    match keys.iter().position(|k| *k == key) {
                        Some(i) => rules[i].push((ti, Arc::from(p.text.as_str()), p.exclude)),
                        None => {
                            keys.push(key);
                            rules.push(vec![(ti, Arc::from(p.text.as_str()), p.exclude)]);
                        }
                    }
                }
            }
            Search { phrases: build(&pk), phrase_rules: pr, globs: build(&gk), glob_rules: gr }
        };
        let automata = |language: Language| Automata {
            analyzer: language.analyzer(),
            patterns: compile(language, false),
            exclusions: compile(language, true),
        };
        Coder {
            fr: automata(Language::Fr),
            en: automata(Language::En),
            valenced: book.themes.iter().map(|t| t.valence.is_some()).collect(),
        }
    }

    /// Codes one verbatim; `language` None: detected from its function words (French when
    /// nothing tells).
    pub fn code_one(&self, row: usize, text: &str, language: Option<Language>) -> Vec<Match> {
        let (language, tokens) = read(text, language);
        self.code_tokens(row, &tokens, language)
    }

    fn automata(&self, language: Language) -> &Automata {
        if language == Language::Fr {
            &self.fr
        } else {
            &self.en
        }
    }

    /// Codes one verbatim from its tokens in `language` ([`read`], or those of
    /// [`super::normalize::tokenize`]: a token without a stem is stemmed here).
    pub fn code_tokens<'a>(&'a self, row: usize, tokens: &[Token], language: Language) -> Vec<Match> {
        let a = self.automata(language);
        if tokens.is_empty() {
            return Vec::new();
        }
        // the two haystacks: each token's stem (phrases) or folded word (globs), then SEP
        let haystack = |stemmed: bool| {
            let mut hay = String::with_capacity(tokens.iter().map(|t| t.folded.len() + 1).sum());
            let mut starts = Vec::with_capacity(tokens.len());
            for t in tokens {
                starts.push(hay.len());
                match stemmed {
                    true if t.stem.is_empty() => a.analyzer.stem_into(&t.folded, &mut hay),
                    true => hay.push_str(&t.stem),
                    false => hay.push_str(&t.folded),
                }
                hay.push(SEP);
            }
            (hay, starts)
        };
        let stems = haystack(true);
        let folded = haystack(false);
        // leftmost-longest, non-overlapping, among the matches that start at a token: from each
        // token the longest pattern anchored there, the search going on after its last token
        let search = |ac: &Option<AhoCorasick>, (hay, starts): &(String, Vec<usize>), glob: bool| {
            let Some(ac) = ac else { return Vec::new() };
            let mut out = Vec::new();
            let mut first = 0;
            while first < tokens.len() {
                let input = Input::new(hay.as_str()).range(starts[first]..).anchored(Anchored::Yes);
                let Some(m) = ac.find(input) else {
                    first += 1;
                    continue;
                };
                let last = if glob { first } else { starts.partition_point(|&s| s < m.end()) - 1 };
                // a phrase does not run over a clause break
                if tokens[first].clause == tokens[last].clause {
                    out.push((first, last - first + 1, m.pattern().as_usize()));
                }
                first = last + 1;
            }
            out
        };
        // (first token, token count, rules) of one search's matches
        let hits = |s: &'a Search| -> Vec<(usize, usize, &'a Vec<(usize, Arc<str>, bool)>)> {
            let phrases = search(&s.phrases, &stems, false).into_iter().map(|(f, l, p)| (f, l, &s.phrase_rules[p]));
            let globs = search(&s.globs, &folded, true).into_iter().map(|(f, l, p)| (f, l, &s.glob_rules[p]));
            phrases.chain(globs).collect()
        };
        let mut found = hits(&a.patterns);
        // exclusions are spans where their theme is not coded, whatever wins the overlap
        let excluded: Vec<(usize, usize, usize)> = hits(&a.exclusions)
            .into_iter()
            .flat_map(|(first, len, rules)| rules.iter().map(move |(theme, _, _)| (*theme, first, first + len)))
            .collect();
        // overlapping matches: more tokens first, then leftmost
        found.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let mut taken = vec![false; tokens.len()];
        let mut kept: Vec<(usize, usize, &Vec<(usize, Arc<str>, bool)>)> = Vec::new();
        for (first, len, rules) in found {
            if taken[first..first + len].iter().any(|t| *t) {
                continue;
            }
            taken[first..first + len].iter_mut().for_each(|t| *t = true);
            kept.push((first, len, rules));
        }
        kept.sort_by_key(|k| k.0);
        let mut out = Vec::new();
        for (first, len, rules) in kept {
            let negated = negated(tokens, first);
            for (theme, rule, _) in rules.iter() {
                if excluded.iter().any(|&(t, s, e)| t == *theme && first >= s && first + len <= e) {
                    continue;
                }
                out.push(Match {
                    row,
                    theme: *theme,
                    rule: rule.clone(),
                    span_start: tokens[first].start,
                    span_end: tokens[first + len - 1].end,
                    negated,
                    language,
                    skipped: negated && self.valenced[*theme],
                });
            }
        }
        out
    }
}

/// One theme coded in one verbatim: its first match (in text order), how many times the theme
/// matched there, and, for a verbatim whose valence comes from its text, the valence of the
/// first match's span ([`span_valence_of`]; None for a text the scorer skips, see
/// [`sentiment::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub first: Match,
    pub matches: usize,
    pub valence: Option<SpanValence>,
}

/// What [`code_texts`] finds: the mentions, by verbatim then by position in the text, and the
/// negated matches of themes with a valence, which are not coded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coded {
    pub mentions: Vec<Mention>,
    pub skipped: Vec<Match>,
}

/// Verbatims coded per rayon task.
const CHUNK: usize = 1024;

/// Codes `texts` (None: a missing text, nothing found), each in `languages[i]` (None or
/// missing: detected), in one pass per verbatim: its words are cut, its language told, its
/// stems found and its matches gathered per theme once; where `text_valence[i]`, the clauses
/// that give its mentions their valence are scored from the same words. In parallel; the
/// result does not depend on the number of threads.
pub fn code_texts(coder: &Coder, texts: &[Option<&str>], languages: &[Option<Language>], text_valence: &[bool], thresholds: &Thresholds) -> Coded {
    let parts: Vec<Coded> = texts
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut out = Coded::default();
            for (k, text) in chunk.iter().enumerate() {
                let row = c * CHUNK + k;
                let Some(text) = text else { continue };
                let (language, tokens) = read(text, languages.get(row).copied().flatten());
                let at = out.mentions.len();
                for m in coder.code_tokens(row, &tokens, language) {
                    if m.skipped {
                        out.skipped.push(m);
                    } else if let Some(seen) = out.mentions[at..].iter_mut().find(|x| x.first.theme == m.theme) {
                        seen.matches += 1;
                    } else {
                        out.mentions.push(Mention { first: m, matches: 1, valence: None });
                    }
                }
                if out.mentions.len() > at && text_valence.get(row).copied().unwrap_or(false) {
                    if let Ok(text) = sentiment::check(Some(text)) {
                        let offsets: Vec<usize> = out.mentions[at..].iter().map(|x| x.first.span_start).collect();
                        let found = span_valence_of(text, &tokens, language, &offsets, thresholds);
                        out.mentions[at..].iter_mut().zip(found).for_each(|(x, v)| x.valence = Some(v));
                    }
                }
            }
            out
        })
        .collect();
    let mut all = Coded {
        mentions: Vec::with_capacity(parts.iter().map(|p| p.mentions.len()).sum()),
        skipped: Vec::with_capacity(parts.iter().map(|p| p.skipped.len()).sum()),
    };
    for p in parts {
        all.mentions.extend(p.mentions);
        all.skipped.extend(p.skipped);
    }
    all
}

/// Whether a negator stands among the [`NEGATION_WINDOW`] tokens before `first`, in its clause.
fn negated(tokens: &[Token], first: usize) -> bool {
    let clause = tokens[first].clause;
    let lo = first.saturating_sub(NEGATION_WINDOW);
    let ne_before = |k: usize| tokens[..k].iter().rev().take_while(|t| t.clause == clause).any(|t| t.folded == "ne");
    (lo..first).any(|k| {
        let t = &tokens[k];
        t.clause == clause
            && match t.folded.as_str() {
                "ne" | "pas" | "jamais" | "sans" | "aucun" | "aucune" | "ni" | "nullement" | "not" | "no" | "never"
                | "without" | "nor" | "none" | "nothing" | "nobody" | "neither" | "cannot" => true,
                "plus" | "rien" | "personne" | "guere" => ne_before(k),
                _ => false,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Codebook {
        Codebook::from_toml(
            r#"
[[theme]]
id = "wait"
fr = ["attente", "attendre", "temps d'attente"]
en = ["wait", "queue"]
exclude_fr = ["salle d'attente"]

[[theme]]
id = "friendly"
valence = "positive"
fr = ["aimable", "accueil chaleureux"]
en = ["friendly"]

[[theme]]
id = "advisor"
fr = ["conseill*", "même conseiller"]
en = ["advisor", "adviser"]

[[theme]]
id = "phone_wait"
fr = ["temps d'attente au téléphone"]
"#,
            "t.toml",
        )
        .unwrap()
    }

    fn code(text: &str, lang: Language) -> Vec<(String, String, bool, bool)> {
        let b = book();
        let chars: Vec<char> = text.chars().collect();
        Coder::new(&b)
            .code_one(0, text, Some(lang))
            .into_iter()
            .map(|m| (b.themes[m.theme].id.clone(), chars[m.span_start..m.span_end].iter().collect(), m.negated, m.skipped))
            .collect()
    }

    #[test]
    fn spans_point_at_the_raw_text() {
        let got = code("Très long TEMPS D’ATTENTE, mais une conseillère très AIMABLE.", Language::Fr);
        assert_eq!(
            got,
            [
                ("wait".into(), "TEMPS D’ATTENTE".into(), false, false),
                ("advisor".into(), "conseillère".into(), false, false),
                ("friendly".into(), "AIMABLE".into(), false, false),
            ]
        );
    }

    #[test]
    fn longest_match_wins_and_exclusions_hold() {
        let got = code("Le temps d'attente au telephone est long", Language::Fr);
        assert_eq!(got, [("phone_wait".into(), "temps d'attente au telephone".into(), false, false)]);
        assert!(code("Propre salle d'attente", Language::Fr).is_empty());
        // stems: plural and conjugated forms
        let got = code("Les attentes; il faut attendre", Language::Fr);
        assert_eq!(got.iter().map(|g| g.1.as_str()).collect::<Vec<_>>(), ["attentes", "attendre"]);
    }

    #[test]
    fn negation_scope() {
        // a negated positive theme is not coded, and is reported as skipped
        assert_eq!(code("Le vendeur n'était pas aimable", Language::Fr), [("friendly".into(), "aimable".into(), true, true)]);
        assert_eq!(code("The staff wasn't friendly", Language::En), [("friendly".into(), "friendly".into(), true, true)]);
        // a theme without valence stays coded, negated
        assert_eq!(code("Sans attente", Language::Fr), [("wait".into(), "attente".into(), true, false)]);
        // the clause ends the scope
        assert_eq!(code("Pas de parking, mais personnel aimable", Language::Fr)[0].2, false);
        // "plus" negates only after "ne": "plus aimable" alone is a comparison
        assert_eq!(code("Vendeur plus aimable", Language::Fr)[0].2, false);
        assert_eq!(code("Il n'est plus aimable", Language::Fr)[0].2, true);
        assert_eq!(code("No queue at all", Language::En)[0].2, true);
    }

    #[test]
    fn detected_language_and_empty_text() {
        let b = book();
        let c = Coder::new(&b);
        let m = c.code_one(3, "The advisor was great and the wait was short", None);
        assert_eq!(m.len(), 2);
        assert!(m.iter().all(|x| x.language == Language::En && x.row == 3));
        assert!(c.code_one(0, "   ", None).is_empty());
    }

    fn code_with(toml: &str, text: &str, lang: Language) -> Vec<(String, String)> {
        let b = Codebook::from_toml(toml, "t.toml").unwrap();
        let chars: Vec<char> = text.chars().collect();
        Coder::new(&b)
            .code_one(0, text, Some(lang))
            .into_iter()
            .map(|m| (b.themes[m.theme].id.clone(), chars[m.span_start..m.span_end].iter().collect()))
            .collect()
    }

    #[test]
    fn words_typed_without_accents_match_patterns_written_with_them() {
        let toml = "[[theme]]\nid = \"day\"\nfr = [\"journée\", \"indemnité\"]\n";
        assert_eq!(code_with(toml, "une journee perdue", Language::Fr), [("day".into(), "journee".into())]);
        assert_eq!(code_with(toml, "l'indemnite", Language::Fr), [("day".into(), "indemnite".into())]);
        assert_eq!(code_with(toml, "des JOURNÉES", Language::Fr), [("day".into(), "JOURNÉES".into())]);
    }

    #[test]
    fn an_exclusion_of_one_theme_does_not_hide_another_themes_pattern() {
        let toml = r#"
[[theme]]
id = "billing"
fr = ["facture"]
exclude_fr = ["réglé du premier coup"]

[[theme]]
id = "repair"
fr = ["premier coup"]
"#;
        assert_eq!(
            code_with(toml, "Problème réglé du premier coup", Language::Fr),
            [("repair".into(), "premier coup".into())]
        );
    }

    #[test]
    fn code_texts_gathers_matches_per_theme_and_scores_only_where_asked() {
        let b = book();
        let coder = Coder::new(&b);
        let texts = [
            Some("Attente, encore de l'attente, mais conseiller aimable"),
            None,
            Some("Le vendeur n'était pas aimable"),
            Some("Attente interminable"),
        ];
        let langs = [Some(Language::Fr), None, Some(Language::Fr), None];
        let coded = code_texts(&coder, &texts, &langs, &[true, true, true, false], &Thresholds::default());
        let seen: Vec<(usize, &str, usize, bool)> = coded
            .mentions
            .iter()
            .map(|m| (m.first.row, b.themes[m.first.theme].id.as_str(), m.matches, m.valence.is_some()))
            .collect();
        assert_eq!(seen, [(0, "wait", 2, true), (0, "advisor", 1, true), (0, "friendly", 1, true), (3, "wait", 1, false)]);
        // the first match's span, and the valence of the clause it is in
        assert_eq!(coded.mentions[0].first.span_start, 0);
        assert_eq!(coded.mentions[2].valence.unwrap().polarity, sentiment::Polarity::Positive);
        assert_eq!(coded.skipped.len(), 1);
        assert_eq!((coded.skipped[0].row, b.themes[coded.skipped[0].theme].id.as_str()), (2, "friendly"));
        // one verbatim at a time gives the same matches
        let one: Vec<Match> = coder.code_one(0, texts[0].unwrap(), Some(Language::Fr));
        assert_eq!(one.len(), 4);
    }

    #[test]
    fn a_pattern_found_inside_a_word_hides_no_match_after_it() {
        // "porter mes" ends inside "transporter mes": not a match, and not one that keeps
        // "mes achats", which starts at a word, from being found
        let toml = "[[theme]]\nid = \"carry\"\nfr = [\"porter mes\"]\n\n[[theme]]\nid = \"shopping\"\nfr = [\"mes achats\"]\n";
        assert_eq!(
            code_with(toml, "Aucune aide pour transporter mes achats", Language::Fr),
            [("shopping".into(), "mes achats".into())]
        );
        assert_eq!(code_with(toml, "pour porter mes achats", Language::Fr), [("carry".into(), "porter mes".into())]);
    }

    #[test]
    fn a_phrase_does_not_run_over_a_comma_or_a_full_stop() {
        let toml = "[[theme]]\nid = \"honest\"\nen = [\"honest customer\"]\n";
        assert!(code_with(toml, "Honestly, customers were many", Language::En).is_empty());
        assert!(code_with(toml, "He was honest. Customers agree", Language::En).is_empty());
        assert_eq!(code_with(toml, "an honest customer", Language::En), [("honest".into(), "honest customer".into())]);
    }
}
