//! pattern's French scorer (De Smedt & Daelemans 2012, as `textblob-fr` 0.2.0's
//! `PatternAnalyzer` runs it), reimplemented to agree with it to 1e-12, with miroir's contrast
//! weighting (see [`super`]): the lexicon, pattern's tokeniser and the assessments.

use super::{py_space, Words};
use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The French lexicon: `form<TAB>pos<TAB>polarity<TAB>intensity` (see
/// `lexicons/NOTICE-fr-sentiment.txt`).
const FR_LEXICON: &str = include_str!("../lexicons/fr-sentiment.tsv");


/// A word of the French lexicon: polarity and intensity averaged over its senses, then over
/// its parts of speech; `modifier` when one of them is an adverb (`RB`).
#[derive(Debug, Clone, Copy)]
pub(super) struct FrEntry {
    pub(super) polarity: f64,
    pub(super) intensity: f64,
    pub(super) modifier: bool,
}

/// A part of speech and the (polarity, intensity) of each of its senses.
type Senses<'a> = (&'a str, Vec<(f64, f64)>);

pub(super) fn fr_lexicon() -> &'static HashMap<String, FrEntry> {
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

/// `text` with its elisions (`l’`, `qu’`, ...) marked as pattern marks them (`&rsquo; `).
fn mark_all_elisions(text: &str) -> Cow<'_, str> {
    const LOWER: &[&str] = &["l", "c", "d", "j", "m", "n", "qu", "s", "t", "jusqu", "lorsqu", "puisqu"];
    const UPPER: &[&str] = &["L", "C", "D", "J", "M", "N", "QU", "S", "T", "JUSQU", "LORSQU", "PUISQU"];
    if text.contains('’') {
        Cow::Owned(mark_elisions(&mark_elisions(text, LOWER, "&rsquo; "), UPPER, "&RSQUO; "))
    } else {
        Cow::Borrowed(text)
    }
}

/// Quotes and apostrophes spaced; \r\n as \n; two line breaks or more end a sentence
/// ([`EOS`]). The characters between two of those are copied as one run.
fn space_quotes(s: &str) -> String {
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
    marked
}

/// The whitespace-separated words of `marked` with their leading and trailing punctuation split
/// off as tokens (a final period kept on an abbreviation, `...` one token).
fn split_punctuation(marked: &str) -> Vec<&str> {
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
    tokens
}

/// Sentences `[start, end)` of the tokens: they end at ... . ! ? (and what closes them).
fn sentences(tokens: &[&str]) -> Vec<(usize, usize)> {
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
    bounds
}

/// pattern's French tokens of a text, lowercase: elisions marked, quotes spaced, punctuation
/// split, then each sentence (its [`EOS`] marks dropped) with its sarcasm marks and emoticons
/// joined again.
pub(super) fn french_words(text: &str) -> Words {
    let s = mark_all_elisions(text);
    let marked = space_quotes(&s);
    let tokens = split_punctuation(&marked);
    let mut words = Words { buf: String::with_capacity(marked.len()), ends: Vec::with_capacity(tokens.len()) };
    let mut joined = String::new();
    for (a, b) in sentences(&tokens) {
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
pub(super) fn french(text: &str, contrast: bool) -> f64 {
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
