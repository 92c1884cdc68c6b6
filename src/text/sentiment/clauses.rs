//! Clauses and segments of a text, and the valence of a span (see [`super`]): a text is cut
//! where a sentence ends and before a contrast word, a clause at the other breaks of
//! [`crate::text::normalize`].

use super::{score, Clause, Polarity, Scope, ScoredClause, SpanValence, Thresholds};
use crate::text::normalize::{self, Language, Token};

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

pub(super) fn score_clauses(text: &str, tokens: &[Token], language: Language) -> Vec<ScoredClause> {
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
