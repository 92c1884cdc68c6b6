//! VADER (Hutto & Gilbert 2014), reimplemented from its description to agree with the
//! `vaderSentiment` 3.3.2 package to 1e-12 (see [`super`] for the rules).

use super::{py_space, Words};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The English lexicon: `token<TAB>mean valence` (see `lexicons/NOTICE-vader.txt`).
const VADER_LEXICON: &str = include_str!("../lexicons/vader-lexicon.tsv");
/// Emojis and their descriptions (see `lexicons/NOTICE-vader.txt`).
const VADER_EMOJI: &str = include_str!("../lexicons/vader-emoji.tsv");


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

pub(super) struct VaderLexicon {
    pub(super) words: HashMap<&'static str, f64>,
    pub(super) emoji: HashMap<char, &'static str>,
}

pub(super) fn vader_lexicon() -> &'static VaderLexicon {
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
