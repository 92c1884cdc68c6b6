//! Lexicon valence of a text, per clause (issue 14, part 2): French and English lexicons embedded.
//!
//! # Two reference scorers, reimplemented
//! Each language is scored by a published lexicon algorithm, reimplemented here from its
//! description (no code of the packages is included) so that it agrees with the package to
//! 1e-12 on the same text (`tests/python/test_text_sentiment.py` checks it):
//!
//! - **English: VADER** (Hutto & Gilbert 2014; the `vaderSentiment` 3.3.2 package and its MIT
//!   lexicon, `lexicons/vader-lexicon.tsv`). The text is split on whitespace, each word stripped
//!   of ASCII punctuation at its ends (unless that leaves two characters or fewer: emoticons).
//!   Each lexicon word gets its valence `v`; it is raised by `C = 0.733` (in its direction) when
//!   written in capitals in a text that is not all capitals; each of the three words before it
//!   that is not a lexicon word adds a booster's `±0.293` (damped by 0.95 and 0.9 for the second
//!   and third, signed with `v`, `+C` when the booster is in capitals) and, when it is a negation
//!   (`not`, `never`, `n't`, ..., `no` within three words), multiplies `v` by `N = -0.74`; the
//!   package's idioms ("kind of", "the shit", "never so", "without doubt", "least") are applied
//!   as it applies them. After the first `but`, valences are multiplied by 1.5, before it by
//!   0.5. With `s = Σ v` raised by the emphasis of `!` (0.292 each, at most 4) and of `?` (two or
//!   three: 0.18 each, more: 0.96), the compound score is `s / sqrt(s² + 15)`; the shares
//!   `positive`, `negative`, `neutral` are the package's `pos`, `neg`, `neu` (unrounded). Emojis
//!   are replaced by their descriptions first (`lexicons/vader-emoji.tsv`).
//!   One quirk of the package is kept on purpose, to agree with it: its `but` rule finds a word's
//!   index by value, so when two valences are equal the first one is reweighted twice and the
//!   other not at all.
//! - **French: pattern** (De Smedt & Daelemans 2012; `textblob-fr` 0.2.0's `PatternAnalyzer`
//!   and its PDDL lexicon of adjectives, `lexicons/fr-sentiment.tsv`). The text is tokenised as
//!   pattern does (punctuation split from words, apostrophes split, abbreviations kept,
//!   emoticons and "(!)" merged); each lexicon word (also found without its accents à é è ê ï,
//!   as textblob-fr adds those forms) is an *assessment* with the lexicon's polarity `p`. An
//!   adverb of the lexicon (`très`, `trop`, `vraiment`, ...) multiplies the polarity of the
//!   next lexicon word by its intensity (clamped to [-1, 1]); a negation (`ne`, `pas`, `ni`,
//!   `non`, `rien`, `sans`, `aucun`, `jamais`) before it, across words of one letter, makes it
//!   `-0.5 p`; `!` multiplies the last polarity by 1.25 (clamped). The polarity of the text is
//!   the mean of its assessments, 0 when there is none.
//!
//! # miroir's additions
//! - **French contrast (`mais`)**: pattern has no rule for "mais"; miroir applies VADER's:
//!   assessments before the first `mais` / `cependant` / `pourtant` / `toutefois` /
//!   `néanmoins` weigh 0.5, those after it 1.5, and the score is the weighted mean
//!   `Σ wₖ pₖ / Σ wₖ`. Without such a word it is pattern's polarity exactly.
//! - **English apostrophes**: `’` and `ʼ` are read as `'` before VADER (which knows only
//!   `n't`), so "wasn’t good" is negated as "wasn't good" is.
//! - **Valence**: `positive` when the score is at least the threshold, `negative` when at most
//!   minus it, `neutral` between; thresholds 0.05 for English (the VADER authors' recommended
//!   cut on the compound score) and 0.1 for French (pattern's `positive()` threshold).
//! - **Clauses**: a text is cut into clauses where a sentence ends (`.` `;` `!` `?` `…`, a line
//!   break) and before a contrast word (`mais`, `cependant`, `pourtant`, `toutefois`,
//!   `néanmoins`, `sinon`, `but`, `however`, `although`, `though`, `yet`, `whereas`); a clause
//!   is cut into segments at the other breaks of [`super::normalize`] (commas, colons,
//!   brackets, quotes, dashes). Words come from [`super::normalize::words`] (with their
//!   character offsets in the raw text); a clause or segment runs from its first word to the
//!   next one's first word, so the clauses partition the text (trailing punctuation such as
//!   `!!!` belongs to the clause it ends). Each clause is scored on its own text (so a clause
//!   that opens with `but` has VADER's 1.5 weight on all its words; one that opens with `mais`
//!   is the plain mean of its words).
//! - **The valence of a span** (a codebook match): that of its segment when the segment is
//!   positive or negative on its own ("accueil agréable, attente interminable"), else that of
//!   its clause ("Accueil : parfait"), else neutral.
//!
//! # Bad input
//! [`check`] refuses, as a counted skip rather than a score, a missing or blank text
//! ([`Skip::Empty`]) and a text holding a control character other than the whitespace ones
//! (tab, line breaks, form feed, the separators U+001C–U+001F, U+0085), which is the mark of a
//! mis-decoded export (UTF-16 read as UTF-8 interleaves NULs): [`Skip::ControlCharacters`].
//! Long texts are scored (in time linear in their length).

//!
//! # Code
//! [`vader`] (the English scorer), [`french`] (pattern's French scorer and tokeniser) and
//! [`clauses`] (clauses, segments and the valence of a span) hold the three parts; this module
//! holds the public types, the checks and the batches.

mod clauses;
mod french;
mod vader;

pub use clauses::{clauses, span_valence, span_valence_of, split_clauses};
pub use french::pattern_polarity;
pub use vader::{vader, VaderScores};

use super::normalize::{self, Language};
use crate::error::MiroirError;
use clauses::score_clauses;
use french::french;
use rayon::prelude::*;
use std::borrow::Cow;

/// Default half-width of the neutral band for English (VADER's compound score).
pub const DEFAULT_THRESHOLD_EN: f64 = 0.05;
/// Default half-width of the neutral band for French (pattern's polarity).
pub const DEFAULT_THRESHOLD_FR: f64 = 0.1;

// ------------------------------------------------------------------------------------------------
// Public types
// ------------------------------------------------------------------------------------------------

/// The valence a score means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Polarity {
    Positive,
    Negative,
    Neutral,
}

impl Polarity {
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Positive => "positive",
            Polarity::Negative => "negative",
            Polarity::Neutral => "neutral",
        }
    }
}

/// The neutral band of each language: a score `s` is positive when `s >= t` (and `s > 0`),
/// negative when `s <= -t` (and `s < 0`), neutral otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    en: f64,
    fr: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { en: DEFAULT_THRESHOLD_EN, fr: DEFAULT_THRESHOLD_FR }
    }
}

impl Thresholds {
    /// The defaults, or one threshold for both languages, checked: finite, in `[0, 1)`.
    pub fn new(threshold: Option<f64>) -> Result<Thresholds, MiroirError> {
        match threshold {
            None => Ok(Thresholds::default()),
            Some(t) if t.is_finite() && (0.0..1.0).contains(&t) => Ok(Thresholds { en: t, fr: t }),
            Some(t) => Err(MiroirError::InvalidArgument {
                argument: "threshold".into(),
                detail: format!("expected a number in [0, 1) (the half-width of the neutral band), got {t}"),
            }),
        }
    }

    pub fn of(&self, language: Language) -> f64 {
        match language {
            Language::En => self.en,
            Language::Fr => self.fr,
        }
    }

    pub fn polarity(&self, score: f64, language: Language) -> Polarity {
        let t = self.of(language);
        if score >= t && score > 0.0 {
            Polarity::Positive
        } else if score <= -t && score < 0.0 {
            Polarity::Negative
        } else {
            Polarity::Neutral
        }
    }
}

/// VADER's proportions of the text that are positive, negative and neutral (they sum to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shares {
    pub positive: f64,
    pub negative: f64,
    pub neutral: f64,
}

/// The valence of a text: `score` in [-1, 1] (English: VADER's compound; French: the
/// contrast-weighted mean polarity), and VADER's shares (English only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub score: f64,
    pub shares: Option<Shares>,
}

/// Why a text is not scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skip {
    /// Missing, empty or whitespace only.
    Empty,
    /// Holds a control character other than whitespace (a mis-decoded export).
    ControlCharacters,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Empty => "empty",
            Skip::ControlCharacters => "control characters",
        }
    }
}

/// A clause of a text: character offsets `[start, end)` in the raw text, and its segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub index: usize,
    pub start: usize,
    pub end: usize,
    /// `[start, end)` of each segment, in order; they partition the clause.
    pub segments: Vec<(usize, usize)>,
}

/// A clause and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredClause {
    pub clause: Clause,
    pub score: Score,
}

/// Where the valence of a span came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Segment,
    Clause,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Segment => "segment",
            Scope::Clause => "clause",
        }
    }
}

/// The valence given to a span of a text (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanValence {
    /// Index of the clause holding the span's first character.
    pub clause: usize,
    pub clause_start: usize,
    pub clause_end: usize,
    /// The segment's score when the segment is not neutral, else the clause's.
    pub scope: Scope,
    pub score: f64,
    pub polarity: Polarity,
}

// ------------------------------------------------------------------------------------------------
// Entry points
// ------------------------------------------------------------------------------------------------

/// Python's `str.isspace` (Unicode White_Space plus the separators U+001C–U+001F), which both
/// reference packages split on.
pub(super) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The text, or why it is not scored (see [`Skip`]).
pub fn check(text: Option<&str>) -> Result<&str, Skip> {
    let Some(text) = text else { return Err(Skip::Empty) };
    if text.is_ascii() {
        // ASCII: controls are below 0x20 and 0x7f; whitespace is 0x09-0x0d, 0x1c-0x20
        let space = |b: u8| matches!(b, 0x09..=0x0d | 0x1c..=0x20);
        if text.bytes().any(|b| (b < 0x20 || b == 0x7f) && !space(b)) {
            return Err(Skip::ControlCharacters);
        }
        return if text.bytes().all(space) { Err(Skip::Empty) } else { Ok(text) };
    }
    let mut blank = true;
    for c in text.chars() {
        let space = py_space(c);
        if c.is_control() && !space {
            return Err(Skip::ControlCharacters);
        }
        blank &= space;
    }
    if blank {
        return Err(Skip::Empty);
    }
    Ok(text)
}

/// The language a text is scored in: the one given, else the one its function words tell
/// ([`normalize::read`], as the codebook coder does), French when nothing tells.
pub fn language_of(text: &str, given: Option<Language>) -> Language {
    given.unwrap_or_else(|| normalize::read(text, None).0)
}


/// The valence of a whole text in `language` (see the module documentation).
pub fn score(text: &str, language: Language) -> Score {
    match language {
        Language::En => {
            let t: Cow<str> = if text.contains(['’', 'ʼ']) {
                Cow::Owned(text.chars().map(|c| if matches!(c, '’' | 'ʼ') { '\'' } else { c }).collect())
            } else {
                Cow::Borrowed(text)
            };
            let v = vader(&t);
            Score {
                score: v.compound,
                shares: Some(Shares { positive: v.positive, negative: v.negative, neutral: v.neutral }),
            }
        }
        Language::Fr => Score { score: french(text, true), shares: None },
    }
}

// ------------------------------------------------------------------------------------------------
// Batches (what the Python layer calls; rayon, results in input order)
// ------------------------------------------------------------------------------------------------

/// One text's outcome: the language it was scored in (None when skipped before a language
/// could be told) and its score, or why it was skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSentiment {
    pub language: Option<Language>,
    pub outcome: Result<Score, Skip>,
}

/// Scores texts; `languages[i]` None (or missing): detected.
pub fn score_texts(texts: &[Option<&str>], languages: &[Option<Language>]) -> Vec<TextSentiment> {
    texts
        .par_iter()
        .enumerate()
        .map(|(row, t)| {
            let given = languages.get(row).copied().flatten();
            match check(*t) {
                Ok(t) => {
                    let language = language_of(t, given);
                    TextSentiment { language: Some(language), outcome: Ok(score(t, language)) }
                }
                Err(skip) => TextSentiment { language: given, outcome: Err(skip) },
            }
        })
        .collect()
}

/// The clauses of texts: `(row, language, clause)`, in input order (`languages` as in
/// [`score_texts`]); skipped texts (see [`check`]) have none.
pub fn clauses_of_texts(texts: &[Option<&str>], languages: &[Option<Language>]) -> Vec<(usize, Language, ScoredClause)> {
    texts
        .par_iter()
        .enumerate()
        .flat_map_iter(|(row, t)| {
            let found: Vec<(usize, Language, ScoredClause)> = match check(*t) {
                Ok(t) => {
                    // one tokenisation for the language and the clauses
                    let (language, tokens) = normalize::read(t, languages.get(row).copied().flatten());
                    score_clauses(t, &tokens, language).into_iter().map(|c| (row, language, c)).collect()
                }
                Err(_) => Vec::new(),
            };
            found
        })
        .collect()
}

/// Words, lowercase, held in one buffer.
#[derive(Default)]
struct Words {
    pub(super) buf: String,
    pub(super) ends: Vec<usize>,
}

impl Words {
    pub(super) fn push_lowercase(&mut self, w: &str) {
        if w.is_ascii() {
            let from = self.buf.len();
            self.buf.push_str(w);
            self.buf[from..].make_ascii_lowercase();
        } else {
            self.buf.push_str(&w.to_lowercase());
        }
        self.ends.push(self.buf.len());
    }

    pub(super) fn list(&self) -> Vec<&str> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&e| {
                let w = &self.buf[start..e];
                start = e;
                w
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::french::{fr_lexicon, french_words};
    use super::vader::vader_lexicon;
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn lexicons_are_embedded_and_parsed() {
        let v = vader_lexicon();
        assert!(v.words.len() > 7000, "{}", v.words.len());
        assert_eq!(v.words.get("good"), Some(&1.9));
        assert_eq!(v.emoji.get(&'😁'), Some(&"beaming face with smiling eyes"));
        // `vader` looks up only non-ASCII characters
        assert!(v.emoji.keys().all(|c| !c.is_ascii()));
        let f = fr_lexicon();
        assert!(f.len() > 5100, "{}", f.len());
        let agreable = f["agréable"];
        assert_eq!((agreable.polarity, agreable.intensity, agreable.modifier), (0.7, 1.0, false));
        // accent-free forms, and a word with two parts of speech averaged
        assert_eq!(f["agreable"].polarity, 0.7);
        let peu = f["peu"];
        assert_abs_diff_eq!(peu.polarity, -0.04, epsilon = 1e-15);
        assert_abs_diff_eq!(peu.intensity, 0.75, epsilon = 1e-15);
        assert!(peu.modifier && f["très"].modifier && f["tres"].modifier);
    }

    // Reference values: vaderSentiment 3.3.2 `polarity_scores` with rounding switched off,
    // textblob-fr 0.2.0 `PatternAnalyzer().analyze(text)[0]`.
    #[test]
    fn vader_agrees_with_the_package() {
        let cases: &[(&str, f64)] = &[
            ("VADER is smart, handsome, and funny.", 0.8316320352807864),
            ("VADER is VERY SMART, handsome, and FUNNY!!!", 0.9342086844920943),
            ("The plot was good, but the characters are uncompelling and the dialog is not great.", -0.7041689565994302),
            ("At least it isn't a horrible book.", 0.43102002306105164),
            ("Today only kinda sux! But I'll get by, lol", 0.5249142208642265),
            ("Not bad at all", 0.43102002306105164),
            ("Catch utf-8 emoji such as 💘 and 💋 and 😁", 0.875),
            ("", 0.0),
        ];
        for (text, want) in cases {
            assert_abs_diff_eq!(vader(text).compound, *want, epsilon = 1e-12);
        }
        let s = vader("The book was good.");
        assert_abs_diff_eq!(s.positive + s.negative + s.neutral, 1.0, epsilon = 1e-12);
    }

    #[test]
    fn pattern_agrees_with_the_package() {
        let cases: &[(&str, f64)] = &[
            ("Accueil très agréable mais attente interminable", 0.25),
            ("Le vendeur n'était pas aimable", -0.45),
            ("c'est pas terrible!!", 0.5),
            ("", 0.0),
        ];
        for (text, want) in cases {
            assert_abs_diff_eq!(pattern_polarity(text), *want, epsilon = 1e-12);
        }
        let held = french_words("L’accueil d’Hélène (!) :) fin... ok. M. Dupont");
        let w = held.list();
        assert_eq!(w, ["l&rsquo", ";", "accueil", "d’", "hélène", "(!)", ":)", "fin", "...", "ok", ".", "m.", "dupont"]);
    }

    #[test]
    fn mais_reweights_french_and_but_english() {
        // (0.5 × 1.0 + 1.5 × -0.5) / (0.5 + 1.5)
        let s = score("Accueil très agréable mais attente interminable", Language::Fr).score;
        assert_abs_diff_eq!(s, -0.125, epsilon = 1e-15);
        assert!(score("The food was good but the service was awful", Language::En).score < 0.0);
        // curly apostrophes are English apostrophes
        assert_eq!(score("It wasn’t good", Language::En), score("It wasn't good", Language::En));
    }

    #[test]
    fn clauses_partition_the_text() {
        let text = "Accueil très agréable, mais attente interminable !!! Sinon RAS";
        let c = split_clauses(text);
        let chars: Vec<char> = text.chars().collect();
        let parts: Vec<String> = c.iter().map(|c| chars[c.start..c.end].iter().collect()).collect();
        assert_eq!(parts, ["Accueil très agréable, ", "mais attente interminable !!! ", "Sinon RAS"]);
        assert_eq!(c.iter().map(|c| c.index).collect::<Vec<_>>(), [0, 1, 2]);
        // a comma cuts segments, not clauses
        let c = split_clauses("Accueil agréable, attente interminable.");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].segments, [(0, 18), (18, 39)]);
        // no word: one clause
        assert_eq!(split_clauses("!!! 😡"), [Clause { index: 0, start: 0, end: 5, segments: vec![(0, 5)] }]);
        let scored = clauses("accueil très agréable mais attente interminable", Language::Fr);
        let valences: Vec<Polarity> = scored.iter().map(|c| Thresholds::default().polarity(c.score.score, Language::Fr)).collect();
        assert_eq!(valences, [Polarity::Positive, Polarity::Negative]);
    }

    #[test]
    fn span_valence_narrows_to_the_segment() {
        let t = Thresholds::default();
        let text = "Accueil agréable, attente interminable. Accueil : parfait";
        let v = span_valence(text, Language::Fr, &[0, 18, 40], &t);
        assert_eq!(v.iter().map(|v| v.polarity).collect::<Vec<_>>(), [Polarity::Positive, Polarity::Negative, Polarity::Positive]);
        assert_eq!(v.iter().map(|v| v.scope).collect::<Vec<_>>(), [Scope::Segment, Scope::Segment, Scope::Clause]);
        assert_eq!((v[2].clause, v[2].clause_start, v[2].clause_end), (1, 40, 57));
        // offsets past the end do not panic
        assert_eq!(span_valence("bien", Language::Fr, &[99], &t).len(), 1);
        assert!(span_valence("", Language::Fr, &[0], &t).len() == 1);
    }

    #[test]
    fn bad_input_is_a_skip_or_a_score() {
        assert_eq!(check(None), Err(Skip::Empty));
        assert_eq!(check(Some(" \t\n\u{a0}")), Err(Skip::Empty));
        assert_eq!(check(Some("b\0o\0n")), Err(Skip::ControlCharacters));
        assert_eq!(check(Some("bon\x0bproduit")), Ok("bon\x0bproduit"));
        let long = "Très bon accueil, mais une attente interminable ! ".repeat(2_000);
        assert!(long.chars().count() >= 100_000);
        // a long text is scored whole (its time is the benchmarks' business, not a test's)
        let fr = score(&long, Language::Fr);
        let en = score(&long.replace("mais", "but"), Language::En);
        assert!(fr.score.is_finite() && en.score.is_finite());
        assert_eq!(clauses(&long, Language::Fr).len(), 4_000);
        assert!(Thresholds::new(Some(1.0)).is_err() && Thresholds::new(Some(f64::NAN)).is_err());
        let r = score_texts(&[Some("Super"), None, Some("\u{7}")], &[None, Some(Language::En), None]);
        assert_eq!(r[0].language, Some(Language::Fr));
        assert_eq!((r[1].language, r[1].outcome), (Some(Language::En), Err(Skip::Empty)));
        assert_eq!(r[2].outcome, Err(Skip::ControlCharacters));
    }
}
