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

use super::normalize::{self, Language, Token};
use crate::error::MiroirError;
use rayon::prelude::*;
use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The English lexicon: `token<TAB>mean valence` (see `lexicons/NOTICE-vader.txt`).
const VADER_LEXICON: &str = include_str!("lexicons/vader-lexicon.tsv");
/// Emojis and their descriptions (see `lexicons/NOTICE-vader.txt`).
const VADER_EMOJI: &str = include_str!("lexicons/vader-emoji.tsv");
/// The French lexicon: `form<TAB>pos<TAB>polarity<TAB>intensity` (see
/// `lexicons/NOTICE-fr-sentiment.txt`).
const FR_LEXICON: &str = include_str!("lexicons/fr-sentiment.tsv");

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
fn py_space(c: char) -> bool {
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

/// A text cut into clauses and segments (see the module documentation); a text without any
/// word is one clause.
pub fn split_clauses(text: &str) -> Vec<Clause> {
    clauses_of(text, &normalize::words(text), &byte_offsets(text))
}

/// Sentence punctuation: a clause ends there.
fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | ';' | '!' | '?' | '…' | '\n' | '\r')
}

/// Contrast words (folded): a clause starts there.
fn is_contrast_word(folded: &str) -> bool {
    matches!(
        folded,
        "mais" | "cependant" | "pourtant" | "toutefois" | "neanmoins" | "sinon" | "but" | "however" | "although" | "though" | "yet" | "whereas"
    )
}

/// The clauses of `text` from its tokens; `at`: its [`byte_offsets`].
fn clauses_of(text: &str, tokens: &[Token], at: &[usize]) -> Vec<Clause> {
    let n = at.len() - 1;
    let mut out: Vec<Clause> = Vec::new();
    let mut current = Clause { index: 0, start: 0, end: n, segments: Vec::new() };
    let mut segment_start = 0usize;
    for k in 1..tokens.len() {
        let (prev, tok) = (&tokens[k - 1], &tokens[k]);
        if tok.clause == prev.clause {
            continue;
        }
        let from = tok.start;
        current.segments.push((segment_start, from));
        segment_start = from;
        let strong = text[at[prev.end]..at[tok.start]].chars().any(is_sentence_end) || is_contrast_word(&tok.folded);
        if strong {
            current.end = from;
            let index = current.index + 1;
            out.push(std::mem::replace(&mut current, Clause { index, start: from, end: n, segments: Vec::new() }));
        }
    }
    current.segments.push((segment_start, n));
    current.end = n;
    out.push(current);
    out
}

/// Character offsets → byte offsets of `text` (one past the end included).
fn byte_offsets(text: &str) -> Vec<usize> {
    text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect()
}

/// The clauses of a text, each scored on its own text in `language`.
pub fn clauses(text: &str, language: Language) -> Vec<ScoredClause> {
    score_clauses(text, &normalize::words(text), language)
}

fn score_clauses(text: &str, tokens: &[Token], language: Language) -> Vec<ScoredClause> {
    let at = byte_offsets(text);
    clauses_of(text, tokens, &at)
        .into_iter()
        .map(|clause| {
            let score = score(&text[at[clause.start]..at[clause.end]], language);
            ScoredClause { clause, score }
        })
        .collect()
}

/// The valence of spans of one text, each given by the character offset of its first
/// character (see the module documentation); an offset past the end is taken as the last
/// character.
pub fn span_valence(text: &str, language: Language, offsets: &[usize], thresholds: &Thresholds) -> Vec<SpanValence> {
    span_valence_of(text, &normalize::words(text), language, offsets, thresholds)
}

/// [`span_valence`] from the text's tokens (those of [`crate::text::normalize::words`] or
/// [`crate::text::normalize::tokenize`], in any language: clauses do not depend on stems).
pub fn span_valence_of(text: &str, tokens: &[Token], language: Language, offsets: &[usize], thresholds: &Thresholds) -> Vec<SpanValence> {
    let at = byte_offsets(text);
    let cut = clauses_of(text, tokens, &at);
    // the scores of the clauses and segments met so far (a text has few)
    let mut scores: Vec<((usize, usize), f64)> = Vec::new();
    let mut sc = |s: usize, e: usize| match scores.iter().find(|x| x.0 == (s, e)) {
        Some(x) => x.1,
        None => {
            let v = score(&text[at[s]..at[e]], language).score;
            scores.push(((s, e), v));
            v
        }
    };
    offsets
        .iter()
        .map(|&o| {
            let o = o.min(at.len().saturating_sub(2));
            let c = cut.iter().rposition(|c| c.start <= o).unwrap_or(0);
            let clause = &cut[c];
            let seg = clause.segments.iter().rev().find(|s| s.0 <= o).copied().unwrap_or((clause.start, clause.end));
            let seg_score = sc(seg.0, seg.1);
            let seg_polarity = thresholds.polarity(seg_score, language);
            let (scope, value, polarity) = if seg == (clause.start, clause.end) {
                (Scope::Clause, seg_score, seg_polarity)
            } else if seg_polarity != Polarity::Neutral {
                (Scope::Segment, seg_score, seg_polarity)
            } else {
                let v = sc(clause.start, clause.end);
                (Scope::Clause, v, thresholds.polarity(v, language))
            };
            SpanValence { clause: c, clause_start: clause.start, clause_end: clause.end, scope, score: value, polarity }
        })
        .collect()
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

// ------------------------------------------------------------------------------------------------
// VADER (English)
// ------------------------------------------------------------------------------------------------

const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
const C_INCR: f64 = 0.733;
const N_SCALAR: f64 = -0.74;

/// VADER's booster and dampener words (and its three two-word ones).
fn booster(w: &str) -> Option<f64> {
    Some(match w {
        "absolutely" | "amazingly" | "awfully" | "completely" | "considerable" | "considerably" | "decidedly" | "deeply"
        | "effing" | "enormous" | "enormously" | "entirely" | "especially" | "exceptional" | "exceptionally" | "extreme"
        | "extremely" | "fabulously" | "flipping" | "flippin" | "frackin" | "fracking" | "fricking" | "frickin"
        | "frigging" | "friggin" | "fully" | "fuckin" | "fucking" | "fuggin" | "fugging" | "greatly" | "hella" | "highly"
        | "hugely" | "incredible" | "incredibly" | "intensely" | "major" | "majorly" | "more" | "most" | "particularly"
        | "purely" | "quite" | "really" | "remarkably" | "so" | "substantially" | "thoroughly" | "total" | "totally"
        | "tremendous" | "tremendously" | "uber" | "unbelievably" | "unusually" | "utter" | "utterly" | "very" => B_INCR,
        "almost" | "barely" | "hardly" | "just enough" | "kind of" | "kinda" | "kindof" | "kind-of" | "less" | "little"
        | "marginal" | "marginally" | "occasional" | "occasionally" | "partly" | "scarce" | "scarcely" | "slight"
        | "slightly" | "somewhat" | "sort of" | "sorta" | "sortof" | "sort-of" => B_DECR,
        _ => return None,
    })
}

/// VADER's negations: the listed words, and any word holding `n't`.
fn vader_negated(w: &str) -> bool {
    matches!(
        w,
        "aint" | "arent" | "cannot" | "cant" | "couldnt" | "darent" | "didnt" | "doesnt" | "ain't" | "aren't" | "can't"
            | "couldn't" | "daren't" | "didn't" | "doesn't" | "dont" | "hadnt" | "hasnt" | "havent" | "isnt" | "mightnt"
            | "mustnt" | "neither" | "don't" | "hadn't" | "hasn't" | "haven't" | "isn't" | "mightn't" | "mustn't"
            | "neednt" | "needn't" | "never" | "none" | "nope" | "nor" | "not" | "nothing" | "nowhere" | "oughtnt"
            | "shant" | "shouldnt" | "uhuh" | "wasnt" | "werent" | "oughtn't" | "shan't" | "shouldn't" | "uh-uh"
            | "wasn't" | "weren't" | "without" | "wont" | "wouldnt" | "won't" | "wouldn't" | "rarely" | "seldom"
            | "despite"
    ) || w.contains("n't")
}

/// VADER's idioms that replace a valence.
fn special_case(seq: &str) -> Option<f64> {
    Some(match seq {
        "the shit" | "the bomb" | "to die for" => 3.0,
        "bad ass" | "badass" => 1.5,
        "bus stop" => 0.0,
        "yeah right" => -2.0,
        "kiss of death" => -1.5,
        "beating heart" => 3.5,
        _ => return None,
    })
}

struct VaderLexicon {
    words: HashMap<&'static str, f64>,
    emoji: HashMap<char, &'static str>,
}

fn vader_lexicon() -> &'static VaderLexicon {
    static LEXICON: OnceLock<VaderLexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let words = VADER_LEXICON
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(w, v)| (w, v.parse::<f64>().expect("the embedded VADER lexicon holds numbers")))
            .collect();
        let emoji = VADER_EMOJI
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter_map(|(e, d)| e.chars().next().map(|c| (c, d)))
            .collect();
        VaderLexicon { words, emoji }
    })
}

/// Python's `str.isupper`: at least one cased character, and no lowercase or titlecase one.
fn py_isupper(w: &str) -> bool {
    let mut cased = false;
    for c in w.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// Unicode's titlecase letters (general category Lt).
fn is_titlecase(c: char) -> bool {
    matches!(c, '\u{1c5}' | '\u{1c8}' | '\u{1cb}' | '\u{1f2}' | '\u{1f88}'..='\u{1f8f}' | '\u{1f98}'..='\u{1f9f}' | '\u{1fa8}'..='\u{1faf}' | '\u{1fbc}' | '\u{1fcc}' | '\u{1ffc}')
}

/// A whitespace-separated word without its leading and trailing ASCII punctuation, unless
/// that leaves two characters or fewer (an emoticon such as `:)` is kept whole).
fn strip_punctuation(w: &str) -> &str {
    let stripped = w.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().count() <= 2 {
        w
    } else {
        stripped
    }
}

/// VADER's scores of a text, unrounded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VaderScores {
    pub compound: f64,
    pub positive: f64,
    pub negative: f64,
    pub neutral: f64,
}

struct VaderText<'a> {
    words: Vec<&'a str>,
    lower: Vec<&'a str>,
    caps: Vec<bool>,
    cap_differential: bool,
    lex: &'static VaderLexicon,
}

impl VaderText<'_> {
    fn known(&self, k: usize) -> bool {
        self.lex.words.contains_key(self.lower[k])
    }
    fn is(&self, k: usize, w: &str) -> bool {
        self.lower[k] == w
    }

    /// The valence of word `i` (0 for a word outside the lexicon).
    fn valence(&self, i: usize) -> f64 {
        let n = self.words.len();
        let Some(&lexical) = self.lex.words.get(self.lower[i]) else { return 0.0 };
        let mut v = lexical;
        // "no" before a lexicon word negates it rather than counting itself
        if self.is(i, "no") && i != n - 1 && self.known(i + 1) {
            v = 0.0;
        }
        if (i > 0 && self.is(i - 1, "no"))
            || (i > 1 && self.is(i - 2, "no"))
            || (i > 2 && self.is(i - 3, "no") && (self.is(i - 1, "or") || self.is(i - 1, "nor")))
        {
            v = lexical * N_SCALAR;
        }
        if self.caps[i] && self.cap_differential {
            if v > 0.0 {
                v += C_INCR;
            } else {
                v -= C_INCR;
            }
        }
        for start in 0..3 {
            if i > start && !self.known(i - start - 1) {
                let mut s = self.booster_scalar(i - start - 1, v);
                if start == 1 && s != 0.0 {
                    s *= 0.95;
                }
                if start == 2 && s != 0.0 {
                    s *= 0.9;
                }
                v += s;
                v = self.negation(v, start, i);
                if start == 2 {
                    v = self.idioms(v, i);
                }
            }
        }
        self.least(v, i)
    }

    fn booster_scalar(&self, k: usize, valence: f64) -> f64 {
        let Some(b) = booster(&self.lower[k]) else { return 0.0 };
        let mut s = if valence < 0.0 { -b } else { b };
        if self.caps[k] && self.cap_differential {
            if valence > 0.0 {
                s += C_INCR;
            } else {
                s -= C_INCR;
            }
        }
        s
    }

    fn negation(&self, v: f64, start: usize, i: usize) -> f64 {
        let so_this = |k: usize| self.is(k, "so") || self.is(k, "this");
        match start {
            0 if vader_negated(&self.lower[i - 1]) => v * N_SCALAR,
            1 => {
                if self.is(i - 2, "never") && so_this(i - 1) {
                    v * 1.25
                } else if self.is(i - 2, "without") && self.is(i - 1, "doubt") {
                    v
                } else if vader_negated(&self.lower[i - 2]) {
                    v * N_SCALAR
                } else {
                    v
                }
            }
            2 => {
                if (self.is(i - 3, "never") && so_this(i - 2)) || so_this(i - 1) {
                    v * 1.25
                } else if self.is(i - 3, "without") && (self.is(i - 2, "doubt") || self.is(i - 1, "doubt")) {
                    v
                } else if vader_negated(&self.lower[i - 3]) {
                    v * N_SCALAR
                } else {
                    v
                }
            }
            _ => v,
        }
    }

    /// Idioms around word `i` (`i >= 3`).
    fn idioms(&self, mut v: f64, i: usize) -> f64 {
        let l = &self.lower;
        let n = l.len();
        let onezero = format!("{} {}", l[i - 1], l[i]);
        let twoonezero = format!("{} {} {}", l[i - 2], l[i - 1], l[i]);
        let twoone = format!("{} {}", l[i - 2], l[i - 1]);
        let threetwoone = format!("{} {} {}", l[i - 3], l[i - 2], l[i - 1]);
        let threetwo = format!("{} {}", l[i - 3], l[i - 2]);
        if let Some(x) = [&onezero, &twoonezero, &twoone, &threetwoone, &threetwo].iter().find_map(|s| special_case(s)) {
            v = x;
        }
        if n - 1 > i {
            if let Some(x) = special_case(&format!("{} {}", l[i], l[i + 1])) {
                v = x;
            }
        }
        if n - 1 > i + 1 {
            if let Some(x) = special_case(&format!("{} {} {}", l[i], l[i + 1], l[i + 2])) {
                v = x;
            }
        }
        for g in [&threetwoone, &threetwo, &twoone] {
            if let Some(b) = booster(g) {
                v += b;
            }
        }
        v
    }

    fn least(&self, v: f64, i: usize) -> f64 {
        if i > 1 && !self.known(i - 1) && self.is(i - 1, "least") {
            if !self.is(i - 2, "at") && !self.is(i - 2, "very") {
                return v * N_SCALAR;
            }
            v
        } else if i > 0 && !self.known(i - 1) && self.is(i - 1, "least") {
            v * N_SCALAR
        } else {
            v
        }
    }
}

/// VADER's rule for `but`: valences before the first `but` × 0.5, after it × 1.5 — with the
/// package's lookup of each valence's index by value (the first equal one), kept to agree with it.
fn but_rule(lower: &[&str], s: &mut [f64]) {
    let Some(bi) = lower.iter().position(|w| *w == "but") else { return };
    // index sets of each non-zero value (a zero stays zero whatever its weight)
    let mut at: HashMap<u64, BTreeSet<usize>> = HashMap::new();
    for (j, v) in s.iter().enumerate() {
        if *v != 0.0 {
            at.entry(v.to_bits()).or_default().insert(j);
        }
    }
    for k in 0..s.len() {
        let v = s[k];
        if v == 0.0 {
            continue;
        }
        let Some(&si) = at.get(&v.to_bits()).and_then(|set| set.iter().next()) else { continue };
        let new = match si.cmp(&bi) {
            std::cmp::Ordering::Less => v * 0.5,
            std::cmp::Ordering::Greater => v * 1.5,
            std::cmp::Ordering::Equal => continue,
        };
        if let Some(set) = at.get_mut(&v.to_bits()) {
            set.remove(&si);
        }
        if new != 0.0 {
            at.entry(new.to_bits()).or_default().insert(si);
        }
        s[si] = new;
    }
}

/// VADER on `text` exactly as the `vaderSentiment` package scores it (unrounded).
pub fn vader(text: &str) -> VaderScores {
    let lex = vader_lexicon();
    let mut converted = String::with_capacity(text.len());
    let mut prev_space = true;
    for c in text.chars() {
        // the emoji table holds no ASCII character
        if let Some(d) = if c.is_ascii() { None } else { lex.emoji.get(&c) } {
            if !prev_space {
                converted.push(' ');
            }
            converted.push_str(d);
            prev_space = false;
        } else {
            converted.push(c);
            prev_space = c == ' ';
        }
    }
    let text = converted.trim_matches(py_space);
    let words: Vec<&str> = text.split(py_space).filter(|w| !w.is_empty()).map(strip_punctuation).collect();
    let mut held = Words { buf: String::with_capacity(text.len()), ends: Vec::with_capacity(words.len()) };
    words.iter().for_each(|w| held.push_lowercase(w));
    let lower = held.list();
    let caps: Vec<bool> = words.iter().map(|w| py_isupper(w)).collect();
    let upper = caps.iter().filter(|c| **c).count();
    let differential = words.len() - upper;
    let t = VaderText { cap_differential: differential > 0 && differential < words.len(), words, lower, caps, lex };
    let n = t.words.len();
    let mut sentiments = Vec::with_capacity(n);
    for i in 0..n {
        if booster(&t.lower[i]).is_some() || (i + 1 < n && t.is(i, "kind") && t.is(i + 1, "of")) {
            sentiments.push(0.0);
        } else {
            sentiments.push(t.valence(i));
        }
    }
    but_rule(&t.lower, &mut sentiments);
    if sentiments.is_empty() {
        return VaderScores { compound: 0.0, positive: 0.0, negative: 0.0, neutral: 0.0 };
    }
    let mut sum: f64 = sentiments.iter().fold(0.0, |a, x| a + x);
    let bangs = text.chars().filter(|c| *c == '!').count().min(4);
    let questions = text.chars().filter(|c| *c == '?').count();
    let qm = match questions {
        0 | 1 => 0.0,
        2 | 3 => questions as f64 * 0.18,
        _ => 0.96,
    };
    let emphasis = bangs as f64 * 0.292 + qm;
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    let compound = (sum / (sum * sum + 15.0).sqrt()).clamp(-1.0, 1.0);
    let (mut pos, mut neg, mut neu) = (0.0f64, 0.0f64, 0usize);
    for s in &sentiments {
        if *s > 0.0 {
            pos += s + 1.0;
        }
        if *s < 0.0 {
            neg += s - 1.0;
        }
        if *s == 0.0 {
            neu += 1;
        }
    }
    if pos > neg.abs() {
        pos += emphasis;
    } else if pos < neg.abs() {
        neg -= emphasis;
    }
    let total = pos + neg.abs() + neu as f64;
    VaderScores { compound, positive: (pos / total).abs(), negative: (neg / total).abs(), neutral: (neu as f64 / total).abs() }
}

// ------------------------------------------------------------------------------------------------
// pattern (French)
// ------------------------------------------------------------------------------------------------

/// A word of the French lexicon: polarity and intensity averaged over its senses, then over
/// its parts of speech; `modifier` when one of them is an adverb (`RB`).
#[derive(Debug, Clone, Copy)]
struct FrEntry {
    polarity: f64,
    intensity: f64,
    modifier: bool,
}

/// A part of speech and the (polarity, intensity) of each of its senses.
type Senses<'a> = (&'a str, Vec<(f64, f64)>);

fn fr_lexicon() -> &'static HashMap<String, FrEntry> {
    static LEXICON: OnceLock<HashMap<String, FrEntry>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        // form -> [(pos, [(polarity, intensity)])], forms and tags in the order of the file
        let mut order: Vec<&str> = Vec::new();
        let mut senses: HashMap<&str, Vec<Senses>> = HashMap::new();
        for line in FR_LEXICON.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let [form, pos, p, i] = f[..] else { continue };
            let num = |s: &str| s.parse::<f64>().expect("the embedded French lexicon holds numbers");
            let tags = senses.entry(form).or_insert_with(|| {
                order.push(form);
                Vec::new()
            });
            match tags.iter_mut().find(|t| t.0 == pos) {
                Some(t) => t.1.push((num(p), num(i))),
                None => tags.push((pos, vec![(num(p), num(i))])),
            }
        }
        let mean = |xs: &mut dyn Iterator<Item = f64>| {
            let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
            s / n.max(1) as f64
        };
        let mut table: HashMap<String, FrEntry> = HashMap::new();
        for form in &order {
            let tags = &senses[form];
            let per_tag: Vec<(f64, f64)> =
                tags.iter().map(|(_, v)| (mean(&mut v.iter().map(|x| x.0)), mean(&mut v.iter().map(|x| x.1)))).collect();
            table.insert(
                form.to_string(),
                FrEntry {
                    polarity: mean(&mut per_tag.iter().map(|x| x.0)),
                    intensity: mean(&mut per_tag.iter().map(|x| x.1)),
                    modifier: tags.iter().any(|t| t.0 == "RB"),
                },
            );
        }
        // textblob-fr also files each form under its spelling without à é è ê ï (unless it
        // ends with one of them), with the accented form's averages
        for form in &order {
            if form.ends_with(['à', 'è', 'é', 'ê', 'ï']) {
                continue;
            }
            let plain: String =
                form.chars().map(|c| match c { 'à' => 'a', 'é' | 'è' | 'ê' => 'e', 'ï' => 'i', c => c }).collect();
            if plain != *form {
                let src = table[*form];
                let e = table.entry(plain).or_insert(FrEntry { modifier: false, ..src });
                e.polarity = src.polarity;
                e.intensity = src.intensity;
                e.modifier |= src.modifier;
            }
        }
        table
    })
}

/// pattern's punctuation marks, as a string (an emoticon inside it is not one).
const FR_PUNCTUATION: &str = ".,;:!?()[]{}`''\"@#$^&*+-|=~_";
const EOS: &str = "END-OF-SENTENCE";

/// pattern's emoticons and their polarity.
const EMOTICONS: &[(f64, &[&str])] = &[
    (1.0, &["<3", "♥"]),
    (1.0, &[">:D", ":-D", ":D", "=-D", "=D", "X-D", "x-D", "XD", "xD", "8-D"]),
    (0.75, &[">:P", ":-P", ":P", ":-p", ":p", ":-b", ":b", ":c)", ":o)", ":^)"]),
    (0.5, &[">:)", ":-)", ":)", "=)", "=]", ":]", ":}", ":>", ":3", "8)", "8-)"]),
    (0.25, &[">;]", ";-)", ";)", ";-]", ";]", ";D", ";^)", "*-)", "*)"]),
    (0.05, &[">:o", ":-O", ":O", ":o", ":-o", "o_O", "o.O", "°O°", "°o°"]),
    (-0.25, &[">:/", ":-/", ":/", ":\\", ">:\\", ":-.", ":-s", ":s", ":S", ":-S", ">.>"]),
    (-0.75, &[">:[", ":-(", ":(", "=(", ":-[", ":[", ":{", ":-<", ":c", ":-c", "=/"]),
    (-1.0, &[":'(", ":'''(", ";'("]),
];

/// pattern's French abbreviations (a final period is not split from them).
const FR_ABBREVIATIONS: &[&str] = &[
    "av.", "boul.", "C.-B.", "c.-à-d.", "ex.", "éd.", "fig.", "I.-P.-E.", "J.-C.", "Ltee.", "Ltée.", "M.", "Me.", "Mlle.",
    "Mlles.", "MM.", "N.-B.", "N.-É.", "p.", "S.B.E.", "Ste.", "T.-N.", "t.a.b.",
];

fn is_abbreviation(t: &str) -> bool {
    if FR_ABBREVIATIONS.contains(&t) {
        return true;
    }
    let c: Vec<char> = t.chars().collect();
    // a letter and a period ("T."), letters and periods alternating ("U.S."), a capital and
    // consonants then any character ("Mr.")
    let alternating = !c.is_empty() && c.len() % 2 == 0 && c.chunks(2).all(|p| p[0].is_ascii_alphabetic() && p[1] == '.');
    let consonants = c.len() >= 3
        && c[0].is_ascii_uppercase()
        && c[1..c.len() - 1].iter().all(|x| "bcdfghjklmnpqrstvwxz|".contains(*x));
    alternating || consonants
}

/// One of pattern's punctuation marks (`.,;:!?()[]{}`'"@#$^&*+-|=~_`).
fn is_fr_punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ',' | ';' | ':' | '!' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '`' | '\'' | '"' | '@' | '#' | '$' | '^'
            | '&' | '*' | '+' | '-' | '|' | '=' | '~' | '_'
    )
}

/// `s` with each `X’` (X one of `alternatives`) written `X` + `with`.
fn mark_elisions(s: &str, alternatives: &[&str], with: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let hit = alternatives.iter().find(|a| rest.starts_with(**a) && rest[a.len()..].starts_with('’'));
        match hit {
            Some(a) => {
                out.push_str(a);
                out.push_str(with);
                rest = &rest[a.len() + '’'.len_utf8()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Replaces `( ! )` (spaces optional) by `(!)`, pattern's sarcasm mark.
fn merge_sarcasm(s: &str) -> Cow<'_, str> {
    if !s.contains('(') {
        return Cow::Borrowed(s);
    }
    let c: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    while k < c.len() {
        if c[k] == '(' {
            let mut q = k + 1;
            if c.get(q) == Some(&' ') && c.get(q + 1) == Some(&'!') {
                q += 1;
            }
            if c.get(q) == Some(&'!') {
                q += 1;
                if c.get(q) == Some(&' ') && c.get(q + 1) == Some(&')') {
                    q += 1;
                }
                if c.get(q) == Some(&')') {
                    out.push_str("(!)");
                    k = q + 1;
                    continue;
                }
            }
        }
        out.push(c[k]);
        k += 1;
    }
    Cow::Owned(out)
}

/// Emoticons written with spaces between their characters (as punctuation splitting leaves
/// them) joined again, where followed by a space or the end. Of two emoticons that match at the
/// same place (`:c` and `:c)`), the longer wins (pattern's choice there depends on Python's
/// string hashing).
fn merge_emoticons(s: &str) -> Cow<'_, str> {
    // the emoticons by first character, longest first
    static FORMS: OnceLock<HashMap<char, Vec<Vec<char>>>> = OnceLock::new();
    let forms = FORMS.get_or_init(|| {
        let mut by: HashMap<char, Vec<Vec<char>>> = HashMap::new();
        for f in EMOTICONS.iter().flat_map(|(_, e)| e.iter()) {
            let f: Vec<char> = f.chars().collect();
            by.entry(f[0]).or_default().push(f);
        }
        by.values_mut().for_each(|v| v.sort_by_key(|x| std::cmp::Reverse(x.len())));
        by
    });
    // the ASCII characters that start an emoticon
    static ASCII_FIRST: OnceLock<[bool; 128]> = OnceLock::new();
    let ascii_first = ASCII_FIRST.get_or_init(|| {
        let mut first = [false; 128];
        forms.keys().filter(|c| c.is_ascii()).for_each(|c| first[*c as usize] = true);
        first
    });
    let starts = |c: char| if c.is_ascii() { ascii_first[c as usize] } else { forms.contains_key(&c) };
    // only a match spread over several tokens changes the text
    if !s.contains(' ') || !s.chars().any(starts) {
        return Cow::Borrowed(s);
    }
    let c: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    'scan: while k < c.len() {
        for f in forms.get(&c[k]).map(Vec::as_slice).unwrap_or_default() {
            let mut q = k;
            let mut ok = true;
            for (m, ch) in f.iter().enumerate() {
                if m > 0 && c.get(q) == Some(&' ') && c.get(q + 1) == Some(ch) {
                    q += 1;
                }
                if c.get(q) == Some(ch) {
                    q += 1;
                } else {
                    ok = false;
                    break;
                }
            }
            if ok && (q == c.len() || py_space(c[q])) {
                out.extend(f.iter());
                if q < c.len() {
                    out.push(c[q]);
                    q += 1;
                }
                k = q;
                continue 'scan;
            }
        }
        out.push(c[k]);
        k += 1;
    }
    Cow::Owned(out)
}

/// Words, lowercase, held in one buffer.
#[derive(Default)]
struct Words {
    buf: String,
    ends: Vec<usize>,
}

impl Words {
    fn push_lowercase(&mut self, w: &str) {
        if w.is_ascii() {
            let from = self.buf.len();
            self.buf.push_str(w);
            self.buf[from..].make_ascii_lowercase();
        } else {
            self.buf.push_str(&w.to_lowercase());
        }
        self.ends.push(self.buf.len());
    }

    fn list(&self) -> Vec<&str> {
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

/// pattern's French tokens of a text, lowercase.
fn french_words(text: &str) -> Words {
    const LOWER: &[&str] = &["l", "c", "d", "j", "m", "n", "qu", "s", "t", "jusqu", "lorsqu", "puisqu"];
    const UPPER: &[&str] = &["L", "C", "D", "J", "M", "N", "QU", "S", "T", "JUSQU", "LORSQU", "PUISQU"];
    let marked_elisions;
    let s: &str = if text.contains('’') {
        marked_elisions = mark_elisions(&mark_elisions(text, LOWER, "&rsquo; "), UPPER, "&RSQUO; ");
        &marked_elisions
    } else {
        text
    };
    // quotes and apostrophes spaced; \r\n as \n; two line breaks or more end a sentence. The
    // characters between two of those are copied as one run.
    let mut marked = String::with_capacity(s.len() + 16);
    let mut breaks = 0usize;
    let mut run = 0usize;
    let flush_breaks = |marked: &mut String, breaks: &mut usize| {
        match *breaks {
            0 => {}
            1 => marked.push('\n'),
            _ => {
                marked.push(' ');
                marked.push_str(EOS);
                marked.push(' ');
            }
        }
        *breaks = 0;
    };
    let mut chars = s.char_indices().peekable();
    while let Some((b, c)) = chars.next() {
        match c {
            '\r' if chars.peek().is_some_and(|(_, n)| *n == '\n') => {}
            '\n' => breaks += 1,
            '“' | '”' | '‘' | '’' | '\'' | '"' => {
                marked.push_str(&s[run..b]);
                flush_breaks(&mut marked, &mut breaks);
                marked.push(' ');
                marked.push(c);
                marked.push(' ');
            }
            _ => {
                if breaks > 0 {
                    flush_breaks(&mut marked, &mut breaks);
                }
                continue; // the run goes on
            }
        }
        // a character handled alone: the run before it is copied, the next one starts after it
        if run < b && !matches!(c, '“' | '”' | '‘' | '’' | '\'' | '"') {
            marked.push_str(&s[run..b]);
        }
        run = b + c.len_utf8();
    }
    marked.push_str(&s[run..]);
    flush_breaks(&mut marked, &mut breaks);
    let lead = |c: char| c != '.' && is_fr_punctuation(c);
    let mut tokens: Vec<&str> = Vec::new();
    let mut tail: Vec<&str> = Vec::new();
    for w in marked.split(py_space).filter(|w| !w.is_empty()) {
        let mut t: &str = w;
        while let Some(c) = t.chars().next().filter(|c| lead(*c)) {
            tokens.push(&t[..c.len_utf8()]);
            t = &t[c.len_utf8()..];
        }
        tail.clear();
        while let Some(last) = t.chars().last().filter(|c| is_fr_punctuation(*c)) {
            if lead(last) {
                tail.push(&t[t.len() - last.len_utf8()..]);
                t = &t[..t.len() - last.len_utf8()];
            }
            if t.ends_with("...") {
                tail.push("...");
                t = t[..t.len() - 3].trim_end_matches('.');
            }
            if t.ends_with('.') {
                if is_abbreviation(t) {
                    break;
                }
                tail.push(".");
                t = &t[..t.len() - 1];
            }
        }
        if !t.is_empty() {
            tokens.push(t);
        }
        tokens.extend(tail.iter().rev());
    }
    // sentences: they end at ... . ! ? (and what closes them); EOS marks are dropped
    let ends = |t: &str| matches!(t, "..." | "." | "!" | "?" | EOS);
    let closes = |t: &str| matches!(t, "..." | "." | "!" | "?" | ")" | "'" | "\"" | "”" | "’" | EOS);
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let (mut i, mut j) = (0usize, 0usize);
    while j < tokens.len() {
        if ends(tokens[j]) {
            while j < tokens.len() && closes(tokens[j]) {
                j += 1;
            }
            bounds.push((i, j));
            i = j;
        }
        j += 1;
    }
    bounds.push((i.min(tokens.len()), tokens.len()));
    let mut words = Words { buf: String::with_capacity(marked.len()), ends: Vec::with_capacity(tokens.len()) };
    let mut joined = String::new();
    for (a, b) in bounds {
        joined.clear();
        for t in tokens[a..b].iter().filter(|t| **t != EOS) {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(t);
        }
        if joined.is_empty() {
            continue;
        }
        let sarcasm = merge_sarcasm(&joined);
        let mut merged = merge_emoticons(&sarcasm);
        if merged.contains("&rsquo ;") {
            merged = Cow::Owned(merged.replace("&rsquo ;", "’"));
        }
        merged.split(py_space).filter(|w| !w.is_empty()).for_each(|w| words.push_lowercase(w));
    }
    words
}

fn fr_negation(w: &str) -> bool {
    matches!(w, "n'" | "ne" | "ni" | "non" | "pas" | "rien" | "sans" | "aucun" | "jamais")
}

fn fr_contrast(w: &str) -> bool {
    matches!(w, "mais" | "cependant" | "pourtant" | "toutefois" | "néanmoins" | "neanmoins")
}

/// The polarity of an emoticon token, as pattern recognises them.
fn emoticon(w: &str) -> Option<f64> {
    if w.chars().count() > 5 || w.chars().all(char::is_alphabetic) || FR_PUNCTUATION.contains(w) {
        return None;
    }
    EMOTICONS.iter().find(|(_, forms)| forms.iter().any(|f| f.to_lowercase() == w)).map(|(p, _)| *p)
}

/// One of pattern's assessments: a lexicon word, with the modifier or negation before it.
struct Assessment {
    polarity: f64,
    intensity: f64,
    negated: bool,
    /// Index of the word that opened it.
    at: usize,
}

fn assessments(words: &[&str]) -> Vec<Assessment> {
    let lex = fr_lexicon();
    let clamp = |x: f64| x.clamp(-1.0, 1.0);
    let mut a: Vec<Assessment> = Vec::new();
    let mut modifier: Option<&str> = None;
    let mut negation: Option<&str> = None;
    for (k, w) in words.iter().enumerate() {
        let w: &str = w;
        if let Some(e) = lex.get(w) {
            match (modifier, a.last_mut()) {
                (Some(_), Some(last)) => {
                    last.polarity = clamp(e.polarity * last.intensity);
                    last.intensity = e.intensity;
                }
                _ => a.push(Assessment { polarity: e.polarity, intensity: e.intensity, negated: false, at: k }),
            }
            if negation.is_some() {
                if let Some(last) = a.last_mut() {
                    last.intensity = 1.0 / last.intensity;
                    last.negated = true;
                }
            }
            modifier = e.modifier.then_some(w);
            negation = fr_negation(w).then_some(w);
        } else {
            if fr_negation(w) {
                negation = Some(w);
            } else if negation.is_some() && w.trim_matches('\'').chars().count() > 1 {
                negation = None;
            }
            if negation.is_some() && modifier.is_some_and(|m| m.ends_with("ment")) {
                if let Some(last) = a.last_mut() {
                    last.negated = true;
                }
                negation = None;
            } else if modifier.is_some() && w.chars().count() > 2 {
                modifier = None;
            }
            if w == "!" {
                if let Some(last) = a.last_mut() {
                    last.polarity = clamp(last.polarity * 1.25);
                }
            }
            if w == "(!)" {
                a.push(Assessment { polarity: 0.0, intensity: 1.0, negated: false, at: k });
            }
            if let Some(p) = emoticon(w) {
                a.push(Assessment { polarity: p, intensity: 1.0, negated: false, at: k });
            }
        }
    }
    a
}

/// pattern's polarity of a French text, as textblob-fr's `PatternAnalyzer` gives it.
pub fn pattern_polarity(text: &str) -> f64 {
    french(text, false)
}

/// The mean polarity of the assessments; with `contrast`, weighted 0.5 before the first
/// contrast word and 1.5 after it.
fn french(text: &str, contrast: bool) -> f64 {
    let held = french_words(text);
    let words = held.list();
    let pivot = if contrast { words.iter().position(|w| fr_contrast(w)) } else { None };
    let (mut s, mut n) = (0.0f64, 0.0f64);
    for x in assessments(&words) {
        let w = match pivot {
            Some(c) if x.at < c => 0.5,
            Some(c) if x.at > c => 1.5,
            _ => 1.0,
        };
        let p = if x.negated { x.polarity * -0.5 } else { x.polarity };
        s += w * p;
        n += w;
    }
    if n == 0.0 {
        0.0
    } else {
        s / n
    }
}

#[cfg(test)]
mod tests {
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
        let started = std::time::Instant::now();
        let fr = score(&long, Language::Fr);
        let en = score(&long.replace("mais", "but"), Language::En);
        assert!(fr.score.is_finite() && en.score.is_finite());
        assert_eq!(clauses(&long, Language::Fr).len(), 4_000);
        assert!(started.elapsed().as_secs_f64() < 10.0);
        assert!(Thresholds::new(Some(1.0)).is_err() && Thresholds::new(Some(f64::NAN)).is_err());
        let r = score_texts(&[Some("Super"), None, Some("\u{7}")], &[None, Some(Language::En), None]);
        assert_eq!(r[0].language, Some(Language::Fr));
        assert_eq!((r[1].language, r[1].outcome), (Some(Language::En), Err(Skip::Empty)));
        assert_eq!(r[2].outcome, Err(Skip::ControlCharacters));
    }
}
