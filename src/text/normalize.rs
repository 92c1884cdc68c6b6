//! Normalisation of a verbatim into tokens that keep their place in the raw text.
//!
//! Each token carries its folded form (lowercase, accents removed: NFD then combining marks
//! dropped; `œ` → `oe`, `æ` → `ae`, `ß` → `ss`), its Snowball stem (stemmed from the lowercase
//! accented word, then folded), the character offsets `[start, end)` of the word in the raw text
//! (Python string indices: Unicode scalar values), and the clause it belongs to (punctuation and
//! `mais` / `but`-like conjunctions start a new clause, which bounds negation scope).
//!
//! Word boundaries: a word is a run of letters, digits and combining marks; everything else
//! separates words. French elisions are split and expanded (`l'accueil` → `le`, `accueil`;
//! `qu'il` → `que`, `il`; `n'est` → `ne`, `est`), and the English contraction `n't` becomes its
//! own token `not` (`isn't` → `is`, `not`).

use rust_stemmers::{Algorithm, Stemmer};
use strum::IntoEnumIterator;
use std::str::FromStr;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// The languages a codebook and the stemmer know; their names (`"fr"`, `"en"`) derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "lowercase")]
pub enum Language {
    Fr,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The tokenizer of this language.
    pub fn analyzer(self) -> Analyzer {
        Analyzer {
            language: self,
            stemmer: Stemmer::create(match self {
                Language::Fr => Algorithm::French,
                Language::En => Algorithm::English,
            }),
        }
    }
}

/// Words whose stems a thread remembers, per language, before it starts over.
const STEM_MEMO: usize = 1 << 18;

thread_local! {
    /// Folded word -> stem, English then French.
    static STEMS: std::cell::RefCell<[foldhash::HashMap<String, String>; 2]> = std::cell::RefCell::new(Default::default());
}

/// A language and its Snowball stemmer.
pub struct Analyzer {
    pub language: Language,
    stemmer: Stemmer,
}

impl Analyzer {
    /// The stem of a folded word (lowercase, accents removed): a word typed without its accents
    /// (`journee`, `indemnite`) has the stem of the word with them, so a pattern written either
    /// way finds both. French: a final plural `s` (not `ss`) of a word of more than 3 letters is
    /// dropped first, because Snowball's French stemmer removes it only when no other suffix
    /// goes (`conseillers` → `conseiller` but `conseiller` → `conseil`).
    fn stem(&self, folded: &str) -> String {
        let mut out = String::new();
        self.stem_into(folded, &mut out);
        out
    }

    /// Appends the stem of a folded word (see [`Analyzer::stem`]) to `out`.
    pub fn stem_into(&self, folded: &str, out: &mut String) {
        let french = self.language == Language::Fr;
        // a word's stem is a pure function of it: memoised per thread (verbatims repeat their
        // words; stemming is most of the cost of coding), the memo emptied when it grows large
        STEMS.with(|memo| {
            let mut memo = memo.borrow_mut();
            let table = &mut memo[usize::from(french)];
            if let Some(stem) = table.get(folded) {
                out.push_str(stem);
                return;
            }
            let word = if french && folded.chars().count() > 3 && folded.ends_with('s') && !folded.ends_with("ss") {
                &folded[..folded.len() - 1]
            } else {
                folded
            };
            let stem = self.stemmer.stem(word).into_owned();
            out.push_str(&stem);
            if table.len() >= STEM_MEMO {
                table.clear();
            }
            table.insert(folded.to_string(), stem);
        })
    }
}

/// A name (trimmed, any case) or one of its aliases (`french`, `français`, `francais`;
/// `english`, `anglais`). The refusal keeps its own wording (`unknown language 'x' (expected
/// 'fr' or 'en')`), not [`crate::stats::names::expected`]'s, which callers' messages quote; the
/// names it lists are derived.
impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.trim().to_lowercase();
        let name = match lower.as_str() {
            "french" | "français" | "francais" => "fr",
            "english" | "anglais" => "en",
            other => other,
        };
        crate::stats::names::parse::<Language>(name).map_err(|_| {
            let names: Vec<&str> = Language::iter().map(Language::as_str).collect();
            format!("unknown language '{lower}' (expected {})", crate::stats::names::one_of(&names))
        })
    }
}

/// One word of a verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lowercase, accents removed.
    pub folded: String,
    /// Snowball stem of the lowercase word, folded.
    pub stem: String,
    /// Offset of the first character in the raw text (in characters).
    pub start: usize,
    /// Offset one past the last character in the raw text (in characters).
    pub end: usize,
    /// Index of the clause the token belongs to (0, 1, ...).
    pub clause: usize,
}

/// Appends the folded form of `c` (lowercase, no combining mark) to `out`.
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        match l {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            _ => decompose_canonical(l, |d| {
                if !is_combining_mark(d) {
                    out.push(d)
                }
            }),
        }
    }
}

/// `s` folded (lowercase, accents removed).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    s.chars().for_each(|c| fold_char(c, &mut out));
    out
}

/// French elided words and what they stand for (folded forms).
fn elision(word: &str) -> Option<&'static str> {
    Some(match word {
        "l" => "le",
        "d" => "de",
        "j" => "je",
        "qu" => "que",
        "n" => "ne",
        "s" => "se",
        "c" => "ce",
        "m" => "me",
        "t" => "te",
        "jusqu" => "jusque",
        "lorsqu" => "lorsque",
        "puisqu" => "puisque",
        "quoiqu" => "quoique",
        _ => return None,
    })
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘')
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Characters that end a clause.
fn is_clause_break(c: char) -> bool {
    matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '(' | ')' | '\n' | '\r' | '…' | '«' | '»' | '"' | '–' | '—')
}

/// Words that start a new clause (they are tokens of the new clause).
fn is_clause_word(folded: &str) -> bool {
    folded.len() <= 10 && matches!(folded, "mais" | "cependant" | "pourtant" | "toutefois" | "neanmoins" | "sinon" | "but" | "however" | "although" | "though" | "yet" | "whereas")
}

/// Splits `raw` into tokens (see the module documentation), stemmed in `analyzer`'s language.
pub fn tokenize(raw: &str, analyzer: &Analyzer) -> Vec<Token> {
    let mut tokens = words(raw);
    stem_words(&mut tokens, analyzer);
    tokens
}

/// The tokens of `raw` before stemming: the same words, offsets and clauses in every
/// language, each `stem` empty but those of expanded elisions and of `n't`, whose stem is their
/// folded form. Enough to tell the language ([`detect_language`]) and cut clauses; then
/// [`stem_words`] stems them in the language found, as [`tokenize`] would have.
pub fn words(raw: &str) -> Vec<Token> {
    if raw.is_ascii() {
        // a byte is a character: no decoding, and a word folds by lowercasing its bytes
        words_in(raw.as_bytes(), char::from, |from, to, out| {
            out.push_str(&raw[from..to]);
            out.make_ascii_lowercase();
        })
    } else {
        let chars: Vec<char> = raw.chars().collect();
        words_in(&chars, |c| c, |from, to, out| chars[from..to].iter().for_each(|c| fold_char(*c, out)))
    }
}

/// [`words`] over the characters of a text, `ch` telling each one, `fold` appending the
/// folded form of `chars[from..to]`.
fn words_in<C: Copy>(chars: &[C], ch: impl Fn(C) -> char, fold: impl Fn(usize, usize, &mut String)) -> Vec<Token> {
    let at = |k: usize| ch(chars[k]);
    let mut out = Words { tokens: Vec::with_capacity(chars.len() / 5 + 1), clause: 0, pending_break: false };
    let mut i = 0usize;
    while i < chars.len() {
        let c = at(i);
        if !is_word_char(c) {
            if is_clause_break(c) {
                out.pending_break = true;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_word_char(at(i)) {
            i += 1;
        }
        let mut folded = String::with_capacity(i - start + 2);
        fold(start, i, &mut folded);
        let next_is_word = |k: usize| k < chars.len() && is_word_char(at(k));
        if i < chars.len() && is_apostrophe(at(i)) && next_is_word(i + 1) {
            if let Some(full) = elision(&folded) {
                out.push(full.to_string(), full.to_string(), start, i + 1);
                i += 1;
                continue;
            }
            // English n't: "isn't" -> "is" + "not"
            if i - start > 1 && matches!(at(i - 1), 'n' | 'N') && matches!(at(i + 1), 't' | 'T') && !next_is_word(i + 2) {
                // the raw characters of the word without its final n (folding can change lengths)
                folded.pop();
                out.push(folded, String::new(), start, i - 1);
                out.push("not".to_string(), "not".to_string(), i - 1, i + 2);
                i += 2;
                continue;
            }
        }
        out.push(folded, String::new(), start, i);
    }
    out.tokens
}

/// The tokens of [`words`] as they are found, and the clause they are in.
struct Words {
    tokens: Vec<Token>,
    clause: usize,
    /// A clause break stands since the last token: the next token starts a new clause.
    pending_break: bool,
}

impl Words {
    fn push(&mut self, folded: String, stem: String, start: usize, end: usize) {
        if self.pending_break || (is_clause_word(&folded) && !self.tokens.is_empty()) {
            if !self.tokens.is_empty() {
                self.clause += 1;
            }
            self.pending_break = false;
        }
        self.tokens.push(Token { folded, stem, start, end, clause: self.clause });
    }
}

/// Stems the tokens of [`words`] that have no stem yet, in `analyzer`'s language.
pub fn stem_words(tokens: &mut [Token], analyzer: &Analyzer) {
    for t in tokens.iter_mut().filter(|t| t.stem.is_empty()) {
        t.stem = analyzer.stem(&t.folded);
    }
}

/// The words of a text ([`words`]) and the language it is read in: `language`, else the one
/// its function words tell ([`detect_language`]), French when nothing tells. What coding, the
/// term analyzers and the lexicon scorers all start from.
pub fn read(text: &str, language: Option<Language>) -> (Language, Vec<Token>) {
    let tokens = words(text);
    let language = language.unwrap_or_else(|| detect_language(&tokens).unwrap_or(Language::Fr));
    (language, tokens)
}

/// A guess at the language of a verbatim from its most common function words; `None` when
/// neither language has any (a text of names or numbers).
pub fn detect_language(tokens: &[Token]) -> Option<Language> {
    const FR: &[&str] = &[
        "le", "la", "les", "de", "des", "du", "un", "une", "et", "est", "je", "il", "elle", "nous", "vous", "pas", "ne",
        "tres", "avec", "pour", "sur", "dans", "que", "qui", "mais", "au", "aux", "mon", "ma", "mes", "ce", "cette", "sans",
    ];
    const EN: &[&str] = &[
        "the", "a", "an", "and", "is", "was", "i", "he", "she", "we", "you", "not", "very", "with", "for", "on", "in", "that",
        "which", "but", "my", "this", "of", "to", "it", "were", "are", "without", "no", "never", "any", "at", "all",
        "have", "had", "been", "so", "too", "our", "your", "they", "there",
    ];
    let (mut fr, mut en) = (0usize, 0usize);
    // no function word of either list is longer than 7 bytes
    for t in tokens.iter().filter(|t| t.folded.len() <= 7) {
        fr += usize::from(FR.contains(&t.folded.as_str()));
        en += usize::from(EN.contains(&t.folded.as_str()));
    }
    match (fr, en) {
        (0, 0) => None,
        (f, e) if e > f => Some(Language::En),
        _ => Some(Language::Fr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(raw: &str, lang: Language) -> Vec<(String, String, String)> {
        let chars: Vec<char> = raw.chars().collect();
        tokenize(raw, &lang.analyzer())
            .into_iter()
            .map(|t| (t.folded, t.stem, chars[t.start..t.end].iter().collect()))
            .collect()
    }

    #[test]
    fn folding_removes_case_and_accents() {
        assert_eq!(fold("Été À CŒUR ça"), "ete a coeur ca");
        // NFD input: e + combining acute
        assert_eq!(fold("e\u{301}te\u{301}"), "ete");
    }

    #[test]
    fn offsets_point_into_the_raw_text_with_elisions() {
        let w = words("L’accueil d'Hélène, très agréable", Language::Fr);
        let raw: Vec<&str> = w.iter().map(|x| x.2.as_str()).collect();
        assert_eq!(raw, ["L’", "accueil", "d'", "Hélène", "très", "agréable"]);
        assert_eq!(w[0].0, "le");
        assert_eq!(w[3].0, "helene");
        assert_eq!(w[5].0, "agreable");
    }

    #[test]
    fn stems_are_snowball_then_folded() {
        // a plural and its singular share a stem; accents are folded after stemming
        let w = words("conseillers conseiller attentes attente Agréables agréable", Language::Fr);
        assert_eq!(w[0].1, w[1].1);
        assert_eq!(w[2].1, w[3].1);
        assert_eq!(w[4].1, w[5].1);
        assert!(w[4].1.starts_with("agreabl"), "{}", w[4].1);
        let e = words("waiting waited", Language::En);
        assert_eq!(e[0].1, "wait");
        assert_eq!(e[1].1, "wait");
    }

    #[test]
    fn contractions_and_clauses() {
        let t = tokenize("The staff isn't friendly, but the price is fine", &Language::En.analyzer());
        let folded: Vec<&str> = t.iter().map(|x| x.folded.as_str()).collect();
        assert_eq!(folded, ["the", "staff", "is", "not", "friendly", "but", "the", "price", "is", "fine"]);
        assert_eq!(t[3].clause, 0);
        // the comma and "but" start one new clause, not two
        assert_eq!(t[5].clause, 1);
        assert_eq!(t[9].clause, 1);
        assert_eq!(detect_language(&t), Some(Language::En));
        let f = tokenize("accueil très agréable mais attente interminable", &Language::Fr.analyzer());
        assert_eq!(f[2].clause, 0);
        assert_eq!(f[3].clause, 1);
        assert_eq!(detect_language(&f), Some(Language::Fr));
    }
}
