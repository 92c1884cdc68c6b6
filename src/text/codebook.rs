//! A codebook: themes with French and English patterns, parsed from TOML and checked once.
//!
//! ```toml
//! [[theme]]
//! id = "waiting"                     # unique, required
//! label = "Waiting time"             # defaults to the id
//! valence = "negative"               # optional: the polarity the patterns carry
//! fr = ["attente", "temps d'attente", "patient*"]
//! en = ["wait", "queue*"]
//! exclude_fr = ["salle d'attente"]   # phrases that are not this theme where they match
//! exclude_en = ["waiting room"]
//! examples = ["Une attente interminable au guichet"]
//! ```
//!
//! A pattern is a word or a multi-word phrase, matched on stems (so `conseiller` also finds
//! `conseillers`), or a glob: one word ending in `*`, matched as a prefix of the folded word
//! (`conseill*` finds `conseillère`). Errors are [`MiroirError::Spec`] with the file and the
//! line: unknown key, missing or empty id, duplicate id, empty pattern, a `*` elsewhere than at
//! the end of a single word, an unknown valence, a theme without any pattern, and — when the
//! codebook has examples — a glob that matches no word of any example.

use super::normalize::{fold, tokenize, Analyzer, Language};
use crate::error::MiroirError;
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;

/// The polarity a theme's patterns carry (`"accueil chaleureux"` is positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Valence {
    Positive,
    Negative,
}

impl Valence {
    pub fn as_str(self) -> &'static str {
        match self {
            Valence::Positive => "positive",
            Valence::Negative => "negative",
        }
    }
}

/// What a pattern matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternKind {
    /// Stems of one or more words, in order, adjacent.
    Phrase(Vec<String>),
    /// The folded prefix of one word.
    Glob(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// As written in the codebook (reported as the mention's `rule`).
    pub text: String,
    pub language: Language,
    pub kind: PatternKind,
    /// An exclusion: where it matches, the theme is not coded.
    pub exclude: bool,
    /// Line in the source (1-based; 0 when the codebook did not come from a file).
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub id: String,
    pub label: String,
    pub valence: Option<Valence>,
    pub patterns: Vec<Pattern>,
    pub examples: Vec<String>,
}

/// A validated codebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Codebook {
    /// Where it came from (file name, `<dict>`, ...), for messages.
    pub source: String,
    pub themes: Vec<Theme>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodebook {
    #[serde(default)]
    theme: Vec<RawTheme>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    id: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    valence: Option<Spanned<String>>,
    #[serde(default)]
    fr: Vec<Spanned<String>>,
    #[serde(default)]
    en: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_fr: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_en: Vec<Spanned<String>>,
    #[serde(default)]
    examples: Vec<Spanned<String>>,
}

struct Src<'a> {
    path: &'a str,
    text: &'a str,
}

impl Src<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
    }
    fn err(&self, offset: usize, key: &str, detail: String) -> MiroirError {
        MiroirError::Spec { path: self.path.to_string(), line: self.line(offset), key: key.to_string(), detail }
    }
    /// Line of the n-th `[[theme]]` header (for errors about a theme as a whole).
    fn theme_offset(&self, n: usize) -> usize {
        let mut seen = 0;
        let mut offset = 0;
        for l in self.text.split_inclusive('\n') {
            if l.trim_start().starts_with("[[theme]]") {
                if seen == n {
                    return offset;
                }
                seen += 1;
            }
            offset += l.len();
        }
        self.text.len()
    }
}

impl Codebook {
    /// Parses and checks a TOML codebook; `path` names it in messages.
    pub fn from_toml(text: &str, path: &str) -> Result<Codebook, MiroirError> {
        let src = Src { path, text };
        let raw: RawCodebook = toml::from_str(text).map_err(|e| {
            let msg = e.message().trim().replace('`', "'");
            let offset = e.span().map_or(0, |s| s.start);
            let key = msg.strip_prefix("unknown field '").and_then(|r| r.split('\'').next()).unwrap_or("").to_string();
            let detail = if key.is_empty() { format!("invalid codebook: {msg}") } else { format!("unknown key '{key}' ({msg})") };
            if e.span().is_none() {
                MiroirError::Spec { path: path.to_string(), line: 0, key, detail }
            } else {
                src.err(offset, &key, detail)
            }
        })?;
        if raw.theme.is_empty() {
            return Err(MiroirError::Spec {
                path: path.into(),
                line: 0,
                key: "theme".into(),
                detail: "the codebook has no [[theme]]".into(),
            });
        }
        let fr = Language::Fr.analyzer();
        let en = Language::En.analyzer();
        let mut themes = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (n, t) in raw.theme.into_iter().enumerate() {
            let Some(id) = t.id else {
                return Err(src.err(src.theme_offset(n), "id", format!("theme #{} has no 'id'", n + 1)));
            };
            let id_text = id.get_ref().trim().to_string();
            if id_text.is_empty() {
                return Err(src.err(id.span().start, "id", "a theme id cannot be empty".into()));
            }
            if let Some(first) = ids.get(&id_text) {
                return Err(src.err(
                    id.span().start,
                    "id",
                    format!("duplicate theme id '{id_text}' (first defined on line {first})"),
                ));
            }
            ids.insert(id_text.clone(), src.line(id.span().start));
            let valence = match &t.valence {
                None => None,
                Some(v) => Some(match v.get_ref().as_str() {
                    "positive" => Valence::Positive,
                    "negative" => Valence::Negative,
                    other => {
                        return Err(src.err(
                            v.span().start,
                            "valence",
                            format!("theme '{id_text}': valence must be 'positive' or 'negative', got '{other}'"),
                        ))
                    }
                }),
            };
            let mut patterns = Vec::new();
            for (key, list, language, exclude) in [
                ("fr", &t.fr, Language::Fr, false),
                ("en", &t.en, Language::En, false),
                ("exclude_fr", &t.exclude_fr, Language::Fr, true),
                ("exclude_en", &t.exclude_en, Language::En, true),
            ] {
                for p in list {
                    let analyzer = if language == Language::Fr { &fr } else { &en };
                    let kind = pattern_kind(p.get_ref(), analyzer)
                        .map_err(|d| src.err(p.span().start, key, format!("theme '{id_text}': pattern '{}': {d}", p.get_ref())))?;
                    patterns.push(Pattern { text: p.get_ref().clone(), language, kind, exclude, line: src.line(p.span().start) });
                }
            }
            if !patterns.iter().any(|p| !p.exclude) {
                return Err(src.err(id.span().start, "id", format!("theme '{id_text}' has no pattern (give 'fr' or 'en')")));
            }
            let examples: Vec<(String, usize)> = t.examples.iter().map(|e| (e.get_ref().clone(), src.line(e.span().start))).collect();
            let label = t.label.map(|l| l.into_inner()).filter(|l| !l.trim().is_empty()).unwrap_or_else(|| id_text.clone());
            themes.push((Theme { id: id_text, label, valence, patterns, examples: examples.iter().map(|e| e.0.clone()).collect() }, examples));
        }
        // globs checked against the words of every example of the codebook
        let example_words: Vec<String> = themes
            .iter()
            .flat_map(|(_, ex)| ex.iter())
            .flat_map(|(e, _)| tokenize(e, &fr).into_iter().map(|t| t.folded))
            .collect();
        if !example_words.is_empty() {
            for (theme, _) in &themes {
                for p in &theme.patterns {
                    if let PatternKind::Glob(prefix) = &p.kind {
                        if !example_words.iter().any(|w| w.starts_with(prefix.as_str())) {
                            return Err(MiroirError::Spec {
                                path: path.into(),
                                line: p.line,
                                key: if p.exclude { format!("exclude_{}", p.language) } else { p.language.to_string() },
                                detail: format!(
                                    "theme '{}': glob '{}' matches no word of the codebook's examples",
                                    theme.id, p.text
                                ),
                            });
                        }
                    }
                }
            }
        }
        Ok(Codebook { source: path.to_string(), themes: themes.into_iter().map(|(t, _)| t).collect() })
    }
}

/// A pattern's normalised form, or why it is invalid.
fn pattern_kind(text: &str, analyzer: &Analyzer) -> Result<PatternKind, String> {
    let trimmed = text.trim();
    if trimmed.contains('*') {
        let Some(prefix) = trimmed.strip_suffix('*') else {
            return Err("a glob is one word ending in '*'".into());
        };
        let words = tokenize(prefix, analyzer);
        if words.len() != 1 || prefix.contains('*') || words[0].end != prefix.chars().count() {
            return Err("a glob is one word ending in '*' (no '*' inside, no phrase)".into());
        }
        return Ok(PatternKind::Glob(fold(&words[0].folded)));
    }
    let stems: Vec<String> = tokenize(trimmed, analyzer).into_iter().map(|t| t.stem).collect();
    if stems.is_empty() {
        return Err("empty pattern (no word in it)".into());
    }
    Ok(PatternKind::Phrase(stems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_err(text: &str) -> (usize, String, String) {
        match Codebook::from_toml(text, "book.toml") {
            Err(MiroirError::Spec { path, line, key, detail }) => {
                assert_eq!(path, "book.toml");
                (line, key, detail)
            }
            other => panic!("expected a spec error, got {other:?}"),
        }
    }

    #[test]
    fn parses_themes_and_patterns() {
        let book = Codebook::from_toml(
            "[[theme]]\nid = \"wait\"\nvalence = \"negative\"\nfr = [\"temps d'attente\", \"patient*\"]\nen = [\"queue\"]\n",
            "b.toml",
        )
        .unwrap();
        let t = &book.themes[0];
        assert_eq!(t.label, "wait");
        assert_eq!(t.valence, Some(Valence::Negative));
        assert_eq!(t.patterns[0].kind, PatternKind::Phrase(vec!["temp".into(), "de".into(), "attent".into()]));
        assert_eq!(t.patterns[1].kind, PatternKind::Glob("patient".into()));
        assert_eq!(t.patterns[1].line, 4);
    }

    #[test]
    fn errors_carry_file_line_and_key() {
        let (line, key, detail) = spec_err("[[theme]]\nid = \"a\"\nfr = [\"x\"]\ncolour = \"red\"\n");
        assert_eq!((line, key.as_str()), (4, "colour"));
        assert!(detail.contains("unknown key 'colour'"), "{detail}");
        let (line, _, detail) = spec_err("[[theme]]\nid = \"a\"\nfr = [\"x\"]\n\n[[theme]]\nid = \"a\"\nfr = [\"y\"]\n");
        assert_eq!(line, 6);
        assert!(detail.contains("duplicate theme id 'a' (first defined on line 2)"), "{detail}");
        let (line, key, detail) = spec_err("[[theme]]\nid = \"a\"\nfr = [\"ok\",\n  \"  ' \"]\n");
        assert_eq!((line, key.as_str()), (4, "fr"));
        assert!(detail.contains("empty pattern"), "{detail}");
        let (line, _, detail) = spec_err("[[theme]]\nid = \"a\"\nen = [\"wa*it\"]\n");
        assert_eq!(line, 3);
        assert!(detail.contains("glob"), "{detail}");
        let (line, key, _) = spec_err("[[theme]]\nid = \"a\"\nfr = [\"x\"]\n[[theme]]\nlabel = \"b\"\nfr = [\"y\"]\n");
        assert_eq!((line, key.as_str()), (4, "id"));
        let (line, key, detail) = spec_err(
            "[[theme]]\nid = \"a\"\nfr = [\"conseil*\", \"guich*\"]\nexamples = [\"Un conseiller aimable\"]\n",
        );
        assert_eq!((line, key.as_str()), (3, "fr"));
        assert!(detail.contains("glob 'guich*' matches no word"), "{detail}");
        let (line, _, _) = spec_err("[[theme]]\nid = \"a\"\nvalence = \"good\"\nfr = [\"x\"]\n");
        assert_eq!(line, 3);
    }
}
