//! TF-IDF vectoriser with its own IDF and a vocabulary in a deterministic order.
//!
//! **Terms.** A verbatim is tokenised by [`super::normalize::tokenize`] (the analyzer the codebook
//! uses: case and accent folding, French elisions expanded, Snowball stems) in its language. The
//! terms of a text are the n-grams of its stems, `n` in `ngram_range` (default 1–2), an n-gram
//! being `n` consecutive tokens of one clause joined by one space (`"temp attent"`): a bigram never
//! spans a full stop, a comma or a `mais` / `but`. With `stop_words`, common function words (a
//! fixed list per language, matched on the folded word) are removed before the n-grams are formed,
//! so `"temps d'attente"` gives the bigram `"temp attent"`.
//!
//! **Vocabulary.** Every term of the training texts, sorted by code point (the order of Python's
//! `sorted`, so the columns are those of scikit-learn's `TfidfVectorizer` given the same
//! analyzer), then pruned: kept when its document frequency `df` satisfies
//! `min_df ≤ df ≤ max_df` (a count, or a proportion of the `n` training texts), then, with
//! `max_features = m`, the `m` terms of largest total count in the training texts (ties: the
//! earlier term in the sorted order), left in sorted order.
//!
//! **Weights.** For text `d` and term `t` of count `c > 0`:
//! `tf = 1 + ln c` (`sublinear_tf`, default) or `c`; `idf(t) = ln((1 + n) / (1 + df(t))) + 1`
//! (scikit-learn's `smooth_idf`), fitted once on the training texts and kept; `w = tf · idf`,
//! and each row divided by its Euclidean norm (`norm = "l2"`). A text with no term of the
//! vocabulary is a row of zeros. The same settings in scikit-learn:
//! `TfidfVectorizer(analyzer=<miroir's terms>, min_df=…, max_df=…, max_features=…,
//! sublinear_tf=True, smooth_idf=True, norm="l2")` — the tests check matrix and IDF to 1e-12.

use super::normalize::{read, stem_words, Analyzer, Language};
use crate::error::{MiroirError, Rows};
use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// A document-frequency bound: a number of texts, or a proportion of them (scikit-learn's int
/// and float `min_df` / `max_df`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DfBound {
    Count(u64),
    Proportion(f64),
}

impl DfBound {
    /// The bound as a number of documents out of `n` (a proportion is not rounded, as sklearn).
    fn documents(self, n: usize) -> f64 {
        match self {
            DfBound::Count(c) => c as f64,
            DfBound::Proportion(p) => p * n as f64,
        }
    }

    fn check(self, argument: &str) -> Result<(), MiroirError> {
        match self {
            DfBound::Proportion(p) if !(0.0..=1.0).contains(&p) => Err(MiroirError::InvalidArgument {
                argument: argument.into(),
                detail: format!("a proportion must lie in [0, 1], got {p}"),
            }),
            _ => Ok(()),
        }
    }
}

/// How texts become terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TermOptions {
    /// Smallest and largest n of the n-grams (inclusive).
    pub ngram_range: (usize, usize),
    /// Remove common function words before forming n-grams.
    pub stop_words: bool,
}

impl Default for TermOptions {
    fn default() -> Self {
        TermOptions { ngram_range: (1, 2), stop_words: false }
    }
}

impl TermOptions {
    pub fn check(&self) -> Result<(), MiroirError> {
        let (lo, hi) = self.ngram_range;
        if lo == 0 || hi < lo || hi > 5 {
            return Err(MiroirError::InvalidArgument {
                argument: "ngram_range".into(),
                detail: format!("expected 1 <= min_n <= max_n <= 5, got ({lo}, {hi})"),
            });
        }
        Ok(())
    }
}

/// Settings of the vectoriser.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TfidfParams {
    pub terms: TermOptions,
    pub min_df: DfBound,
    pub max_df: DfBound,
    pub max_features: Option<usize>,
    pub sublinear_tf: bool,
}

impl Default for TfidfParams {
    /// 1–2-grams, `min_df = 2`, `max_df = 1.0`, no feature limit, sublinear tf.
    fn default() -> Self {
        TfidfParams {
            terms: TermOptions::default(),
            min_df: DfBound::Count(2),
            max_df: DfBound::Proportion(1.0),
            max_features: None,
            sublinear_tf: true,
        }
    }
}

impl TfidfParams {
    /// Checks the settings once, before any work.
    pub fn check(&self) -> Result<(), MiroirError> {
        self.terms.check()?;
        self.min_df.check("min_df")?;
        self.max_df.check("max_df")?;
        if self.max_features == Some(0) {
            return Err(MiroirError::InvalidArgument { argument: "max_features".into(), detail: "must be at least 1".into() });
        }
        Ok(())
    }
}

/// A sparse matrix in compressed sparse row form; column indices increase within a row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Csr {
    pub n_rows: usize,
    pub n_cols: usize,
    /// Row `i` holds entries `indptr[i]..indptr[i + 1]`.
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f64>,
}

impl Csr {
    /// Column indices and values of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.data[a..b])
    }

    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// The rows `rows`, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> Csr {
        let mut out = Csr { n_rows: rows.len(), n_cols: self.n_cols, indptr: vec![0], ..Csr::default() };
        for &r in rows {
            let (idx, val) = self.row(r);
            out.indices.extend_from_slice(idx);
            out.data.extend_from_slice(val);
            out.indptr.push(out.indices.len());
        }
        out
    }

    /// The same matrix by columns: `(colptr, rows, values)`, rows increasing within a column.
    pub fn to_csc(&self) -> Csc {
        let mut colptr = vec![0usize; self.n_cols + 1];
        for &j in &self.indices {
            colptr[j as usize + 1] += 1;
        }
        for j in 0..self.n_cols {
            colptr[j + 1] += colptr[j];
        }
        let mut next = colptr.clone();
        let mut rows = vec![0u32; self.nnz()];
        let mut values = vec![0.0; self.nnz()];
        for i in 0..self.n_rows {
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let p = next[j as usize];
                rows[p] = i as u32;
                values[p] = v;
                next[j as usize] += 1;
            }
        }
        Csc { n_rows: self.n_rows, n_cols: self.n_cols, colptr, rows, values }
    }
}

/// A sparse matrix by columns (see [`Csr::to_csc`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Csc {
    pub n_rows: usize,
    pub n_cols: usize,
    pub colptr: Vec<usize>,
    pub rows: Vec<u32>,
    pub values: Vec<f64>,
}

/// Function words removed with `stop_words` (folded forms): articles, pronouns, prepositions,
/// conjunctions, auxiliaries and negation particles.
const STOP_FR: &[&str] = &[
    "a", "afin", "ai", "aie", "aient", "ainsi", "alors", "as", "au", "aucun", "aucune", "aupres", "aussi",
    "autre", "aux", "avaient", "avais", "avait", "avant", "avec", "avez", "avions", "avoir", "avons", "ayant",
    "c", "ca", "car", "ce", "ceci", "cela", "celle", "celles", "celui", "cependant", "ces", "cet", "cette",
    "ceux", "chaque", "chez", "comme", "d", "dans", "de", "deja", "des", "donc", "dont", "du", "elle", "elles",
    "en", "encore", "entre", "est", "et", "etaient", "etais", "etait", "ete", "etes", "etre", "eu", "eux", "fait",
    "fois", "fut", "il", "ils", "j", "je", "jusque", "l", "la", "le", "les", "leur", "leurs", "lors", "lorsque",
    "lui", "m", "ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne", "ni", "nos", "notre", "nous", "on",
    "ont", "ou", "par", "parce", "pas", "peu", "plus", "pour", "pourtant", "puis", "qu", "quand", "que", "quel",
    "quelle", "quelles", "quels", "qui", "quoi", "s", "sa", "sans", "se", "sera", "ses", "si", "sinon", "son",
    "sont", "sous", "suis", "sur", "t", "ta", "te", "tes", "toi", "ton", "tous", "tout", "toute", "toutes",
    "tres", "trop", "tu", "un", "une", "vers", "vos", "votre", "vous", "y",
];

const STOP_EN: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because",
    "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "each", "even",
    "ever", "for", "from", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "i", "if",
    "in", "into", "is", "it", "its", "just", "me", "more", "most", "my", "never", "no", "nor", "not", "now", "of",
    "on", "once", "only", "or", "other", "our", "out", "over", "own", "same", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "without", "would", "you", "your",
];

fn is_stop(folded: &str, language: Language) -> bool {
    let list = match language {
        Language::Fr => STOP_FR,
        Language::En => STOP_EN,
    };
    list.binary_search(&folded).is_ok()
}

/// The French and English analyzers, built once.
pub struct Analyzers {
    fr: Analyzer,
    en: Analyzer,
}

impl Default for Analyzers {
    fn default() -> Self {
        Analyzers { fr: Language::Fr.analyzer(), en: Language::En.analyzer() }
    }
}

/// The terms of one text, with the `(stem, word)` pairs of its unigrams when asked (the word as
/// written, lowercase; for the keywords of theme discovery).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextTerms {
    pub terms: Vec<String>,
    pub surfaces: Vec<(String, String)>,
    /// The language the text was read in.
    pub language: Option<Language>,
    /// Number of words (before stop words are removed).
    pub n_tokens: usize,
}

impl Analyzers {
    /// The terms of `text` read in `language` (None: detected from its function words, French
    /// when nothing tells, as codebook coding).
    pub fn terms(&self, text: &str, language: Option<Language>, opts: &TermOptions, surfaces: bool) -> TextTerms {
        let (language, mut tokens) = read(text, language);
        stem_words(&mut tokens, if language == Language::Fr { &self.fr } else { &self.en });
        let kept: Vec<_> = tokens.iter().filter(|t| !(opts.stop_words && is_stop(&t.folded, language))).collect();
        let (lo, hi) = opts.ngram_range;
        let mut out = TextTerms { language: Some(language), n_tokens: tokens.len(), ..TextTerms::default() };
        if surfaces {
            let chars: Vec<char> = text.chars().collect();
            out.surfaces = kept
                .iter()
                .map(|t| {
                    let raw: String = chars[t.start..t.end].iter().collect::<String>().to_lowercase().nfc().collect();
                    // an elision or a contraction stands for another word: shown folded
                    let word = if super::normalize::fold(&raw) == t.folded { raw } else { t.folded.clone() };
                    (t.stem.clone(), word)
                })
                .collect();
        }
        for n in lo..=hi {
            if n == 1 {
                out.terms.extend(kept.iter().map(|t| t.stem.clone()));
                continue;
            }
            for w in kept.windows(n) {
                if w.iter().all(|t| t.clause == w[0].clause) {
                    let mut s = String::with_capacity(w.iter().map(|t| t.stem.len() + 1).sum());
                    for (k, t) in w.iter().enumerate() {
                        if k > 0 {
                            s.push(' ');
                        }
                        s.push_str(&t.stem);
                    }
                    out.terms.push(s);
                }
            }
        }
        out
    }
}

/// Texts as given (null for a missing one), checked: a null, blank or wordless text is an
/// invalid-argument error naming `argument` and the rows.
pub fn analyze(
    texts: &[Option<&str>],
    languages: &[Option<Language>],
    opts: &TermOptions,
    surfaces: bool,
    argument: &str,
) -> Result<Vec<TextTerms>, MiroirError> {
    let out = analyze_lenient(texts, languages, opts, surfaces, argument)?;
    let empty = Rows::collect(out.iter().enumerate().filter(|(_, t)| t.is_none()).map(|(i, _)| i));
    if !empty.is_empty() {
        return Err(MiroirError::InvalidArgument {
            argument: argument.into(),
            detail: format!("empty, blank or wordless texts: {empty}; drop them or give them words"),
        });
    }
    Ok(out.into_iter().map(|t| t.unwrap_or_default()).collect())
}

/// As [`analyze`], with `None` for a null, blank or wordless text instead of an error (a text
/// of stop words only has words but no term: `Some`, with no term).
pub fn analyze_lenient(
    texts: &[Option<&str>],
    languages: &[Option<Language>],
    opts: &TermOptions,
    surfaces: bool,
    argument: &str,
) -> Result<Vec<Option<TextTerms>>, MiroirError> {
    opts.check()?;
    if languages.len() != texts.len() {
        return Err(MiroirError::InvalidArgument {
            argument: "languages".into(),
            detail: format!("{} languages for {} {argument}", languages.len(), texts.len()),
        });
    }
    let analyzers = Analyzers::default();
    Ok(texts
        .par_iter()
        .zip(languages.par_iter())
        .map(|(t, l)| {
            let t = (*t)?;
            let terms = analyzers.terms(t, *l, opts, surfaces);
            (terms.n_tokens > 0).then_some(terms)
        })
        .collect())
}

/// A fitted vectoriser: vocabulary (sorted), IDF, and the settings it was fitted with.
#[derive(Debug, Clone, PartialEq)]
pub struct Tfidf {
    pub params: TfidfParams,
    pub vocabulary: Vec<String>,
    pub idf: Vec<f64>,
    /// Number of training texts.
    pub n_docs: usize,
    index: HashMap<String, u32>,
}

/// Counts of the distinct terms of one text, sorted by term.
fn counts(terms: &[String]) -> Vec<(&str, u32)> {
    let mut sorted: Vec<&str> = terms.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut out: Vec<(&str, u32)> = Vec::with_capacity(sorted.len());
    for t in sorted {
        match out.last_mut() {
            Some((last, c)) if *last == t => *c += 1,
            _ => out.push((t, 1)),
        }
    }
    out
}

impl Tfidf {
    /// Fits the vocabulary and the IDF on the terms of the training texts and returns the
    /// vectoriser with the TF-IDF matrix of those texts.
    pub fn fit_transform(docs: &[&[String]], params: &TfidfParams) -> Result<(Tfidf, Csr), MiroirError> {
        params.check()?;
        let n = docs.len();
        if n == 0 {
            return Err(MiroirError::EmptyTable { table: "texts".into(), detail: "no text to fit the vocabulary on".into() });
        }
        let per_doc: Vec<Vec<(&str, u32)>> = docs.par_iter().map(|d| counts(d)).collect();
        let (lo, hi) = (params.min_df.documents(n), params.max_df.documents(n));
        if hi < lo {
            return Err(MiroirError::InvalidArgument {
                argument: "max_df".into(),
                detail: format!("max_df keeps terms in at most {hi} texts, fewer than min_df's {lo}"),
            });
        }
        // document frequency and total count of every term (integer sums: any order gives the same)
        let mut stats: HashMap<&str, (u64, u64)> = HashMap::with_capacity(per_doc.iter().map(Vec::len).sum::<usize>() / 2 + 16);
        for doc in &per_doc {
            for &(t, c) in doc {
                let e = stats.entry(t).or_insert((0, 0));
                e.0 += 1;
                e.1 += u64::from(c);
            }
        }
        // pruned by document frequency, then sorted (the order of the kept terms is the same)
        let mut kept: Vec<(&str, u64, u64)> = stats
            .into_iter()
            .filter(|&(_, (df, _))| (df as f64) >= lo && (df as f64) <= hi)
            .map(|(t, (df, tf))| (t, df, tf))
            .collect();
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if let Some(m) = params.max_features {
            if kept.len() > m {
                let mut order: Vec<usize> = (0..kept.len()).collect();
                order.sort_by(|&a, &b| kept[b].2.cmp(&kept[a].2).then(a.cmp(&b)));
                let mut chosen: Vec<usize> = order[..m].to_vec();
                chosen.sort_unstable();
                kept = chosen.into_iter().map(|i| kept[i]).collect();
            }
        }
        if kept.is_empty() {
            return Err(MiroirError::InsufficientData {
                detail: format!(
                    "texts: no term is left in the vocabulary of {n} texts after pruning (min_df = {lo}, max_df = {hi}); \
                     lower min_df or give more texts"
                ),
            });
        }
        let n1 = n as f64 + 1.0;
        let vocabulary: Vec<String> = kept.iter().map(|k| k.0.to_string()).collect();
        let idf: Vec<f64> = kept.iter().map(|&(_, df, _)| (n1 / (df as f64 + 1.0)).ln() + 1.0).collect();
        let index: HashMap<String, u32> = vocabulary.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
        let model = Tfidf { params: *params, vocabulary, idf, n_docs: n, index };
        let rows: Vec<Vec<(u32, f64)>> = per_doc
            .par_iter()
            .map(|doc| model.weights(doc.iter().filter_map(|&(t, c)| model.index.get(t).map(|&j| (j, c)))))
            .collect();
        let matrix = model.assemble(rows);
        Ok((model, matrix))
    }

    /// Rebuilds a fitted vectoriser from its parts (a saved model), checked: the vocabulary
    /// sorted without duplicates, one finite IDF of at least 1 per term.
    pub fn from_parts(params: TfidfParams, vocabulary: Vec<String>, idf: Vec<f64>, n_docs: usize) -> Result<Tfidf, String> {
        params.check().map_err(|e| e.to_string())?;
        if vocabulary.is_empty() || vocabulary.len() != idf.len() {
            return Err(format!("{} terms for {} IDF values", vocabulary.len(), idf.len()));
        }
        if let Some(w) = vocabulary.windows(2).position(|w| w[0] >= w[1]) {
            return Err(format!("vocabulary not sorted or with duplicates at term {}", w + 1));
        }
        if let Some(i) = idf.iter().position(|v| !v.is_finite() || *v < 1.0) {
            return Err(format!("invalid IDF value {} for term {i}", idf[i]));
        }
        let index = vocabulary.iter().enumerate().map(|(i, t)| (t.clone(), i as u32)).collect();
        Ok(Tfidf { params, vocabulary, idf, n_docs, index })
    }

    /// The TF-IDF rows of texts given by their terms (terms outside the vocabulary ignored).
    pub fn transform(&self, docs: &[&[String]]) -> Csr {
        let rows: Vec<Vec<(u32, f64)>> = docs
            .par_iter()
            .map(|d| self.weights(counts(d).into_iter().filter_map(|(t, c)| self.index.get(t).map(|&j| (j, c)))))
            .collect();
        self.assemble(rows)
    }

    /// Column of a term, if in the vocabulary.
    pub fn column(&self, term: &str) -> Option<usize> {
        self.index.get(term).map(|&j| j as usize)
    }

    /// One row: `(column, count)` pairs → normalised weights, sorted by column.
    fn weights(&self, pairs: impl Iterator<Item = (u32, u32)>) -> Vec<(u32, f64)> {
        let mut row: Vec<(u32, f64)> = pairs
            .map(|(j, c)| {
                let tf = if self.params.sublinear_tf { (c as f64).ln() + 1.0 } else { c as f64 };
                (j, tf * self.idf[j as usize])
            })
            .collect();
        row.sort_unstable_by_key(|e| e.0);
        let norm = row.iter().map(|e| e.1 * e.1).sum::<f64>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|e| e.1 /= norm);
        }
        row
    }

    fn assemble(&self, rows: Vec<Vec<(u32, f64)>>) -> Csr {
        let nnz = rows.iter().map(Vec::len).sum();
        let mut m = Csr { n_rows: rows.len(), n_cols: self.vocabulary.len(), indptr: Vec::with_capacity(rows.len() + 1), indices: Vec::with_capacity(nnz), data: Vec::with_capacity(nnz) };
        m.indptr.push(0);
        for r in rows {
            for (j, v) in r {
                m.indices.push(j);
                m.data.push(v);
            }
            m.indptr.push(m.indices.len());
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn terms_of(texts: &[&str], opts: TermOptions) -> Vec<Vec<String>> {
        let t: Vec<Option<&str>> = texts.iter().map(|s| Some(*s)).collect();
        analyze(&t, &vec![Some(Language::Fr); t.len()], &opts, false, "texts").unwrap().into_iter().map(|x| x.terms).collect()
    }

    #[test]
    fn stop_lists_are_sorted_for_binary_search() {
        assert!(STOP_FR.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_EN.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ngrams_stay_within_a_clause() {
        let t = terms_of(&["Longue attente. Conseiller aimable"], TermOptions::default());
        assert_eq!(t[0], ["longu", "attent", "conseil", "aimabl", "longu attent", "conseil aimabl"]);
        let s = terms_of(&["Le temps d'attente"], TermOptions { ngram_range: (2, 2), stop_words: true });
        assert_eq!(s[0], ["temp attent"]);
    }

    #[test]
    fn idf_and_weights_follow_the_smooth_sublinear_formulas() {
        let docs = terms_of(&["attente attente longue", "attente", "conseiller aimable"], TermOptions { ngram_range: (1, 1), stop_words: false });
        let refs: Vec<&[String]> = docs.iter().map(Vec::as_slice).collect();
        let params = TfidfParams { min_df: DfBound::Count(1), ..TfidfParams::default() };
        let (m, x) = Tfidf::fit_transform(&refs, &params).unwrap();
        assert_eq!(m.vocabulary, ["aimabl", "attent", "conseil", "longu"]);
        // df(attent) = 2 of n = 3
        assert_abs_diff_eq!(m.idf[1], (4.0f64 / 3.0).ln() + 1.0, epsilon = 1e-15);
        assert_abs_diff_eq!(m.idf[0], 2.0f64.ln() + 1.0, epsilon = 1e-15);
        let (idx, val) = x.row(0);
        assert_eq!(idx, [1, 3]);
        let a = (1.0 + 2.0f64.ln()) * m.idf[1];
        let b = m.idf[3];
        let norm = (a * a + b * b).sqrt();
        assert_abs_diff_eq!(val[0], a / norm, epsilon = 1e-15);
        assert_abs_diff_eq!(val[1], b / norm, epsilon = 1e-15);
        // unknown terms are ignored; a text without known term is a zero row
        let new = terms_of(&["attente inconnue", "rien"], TermOptions { ngram_range: (1, 1), stop_words: false });
        let nr: Vec<&[String]> = new.iter().map(Vec::as_slice).collect();
        let y = m.transform(&nr);
        assert_eq!(y.row(0), (&[1u32][..], &[1.0][..]));
        assert_eq!(y.row(1).0.len(), 0);
        let csc = x.to_csc();
        assert_eq!(csc.colptr, [0, 1, 3, 4, 5]);
        assert_eq!(csc.rows, [2, 0, 1, 2, 0]);
    }

    #[test]
    fn pruning_by_df_and_max_features() {
        let docs = terms_of(&["a b c", "a b", "a d d d"], TermOptions { ngram_range: (1, 1), stop_words: false });
        let refs: Vec<&[String]> = docs.iter().map(Vec::as_slice).collect();
        let p = TfidfParams { min_df: DfBound::Count(2), ..TfidfParams::default() };
        assert_eq!(Tfidf::fit_transform(&refs, &p).unwrap().0.vocabulary, ["a", "b"]);
        let p = TfidfParams { min_df: DfBound::Count(1), max_df: DfBound::Proportion(0.9), ..TfidfParams::default() };
        assert_eq!(Tfidf::fit_transform(&refs, &p).unwrap().0.vocabulary, ["b", "c", "d"]);
        // by total count: d (3), a (3), then b (2) before c (1); kept in sorted order
        let p = TfidfParams { min_df: DfBound::Count(1), max_features: Some(3), ..TfidfParams::default() };
        assert_eq!(Tfidf::fit_transform(&refs, &p).unwrap().0.vocabulary, ["a", "b", "d"]);
        let p = TfidfParams { min_df: DfBound::Count(4), ..TfidfParams::default() };
        assert!(matches!(Tfidf::fit_transform(&refs, &p), Err(MiroirError::InvalidArgument { argument, .. }) if argument == "max_df"));
        let p = TfidfParams { min_df: DfBound::Count(3), max_df: DfBound::Count(3), ..TfidfParams::default() };
        assert_eq!(Tfidf::fit_transform(&refs, &p).unwrap().0.vocabulary, ["a"]);
        let p = TfidfParams { min_df: DfBound::Count(2), max_df: DfBound::Count(2), ..TfidfParams::default() };
        assert_eq!(Tfidf::fit_transform(&refs, &p).unwrap().0.vocabulary, ["b"]);
        let p = TfidfParams { min_df: DfBound::Count(2), ..TfidfParams::default() };
        let lone = terms_of(&["x", "y"], TermOptions { ngram_range: (1, 1), stop_words: false });
        let lr: Vec<&[String]> = lone.iter().map(Vec::as_slice).collect();
        assert!(matches!(Tfidf::fit_transform(&lr, &p), Err(MiroirError::InsufficientData { .. })));
        assert!(matches!(Tfidf::fit_transform(&[], &p), Err(MiroirError::EmptyTable { .. })));
        let bad = TfidfParams { min_df: DfBound::Proportion(1.5), ..TfidfParams::default() };
        assert!(matches!(bad.check(), Err(MiroirError::InvalidArgument { argument, .. }) if argument == "min_df"));
    }

    #[test]
    fn empty_texts_are_named_by_row() {
        let t = [Some("bon accueil"), None, Some("  "), Some("?!")];
        let err = analyze(&t, &[None; 4], &TermOptions::default(), false, "texts").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("'texts'") && msg.contains("3 rows (first at row index 1, 2, 3)"), "{msg}");
        let lenient = analyze_lenient(&t, &[None; 4], &TermOptions::default(), false, "texts").unwrap();
        assert!(lenient[0].is_some() && lenient[1..].iter().all(Option::is_none));
    }

    #[test]
    fn from_parts_checks_what_a_file_could_break() {
        let p = TfidfParams::default();
        assert!(Tfidf::from_parts(p, vec!["a".into(), "b".into()], vec![1.0, 2.0], 3).is_ok());
        assert!(Tfidf::from_parts(p, vec!["b".into(), "a".into()], vec![1.0, 2.0], 3).is_err());
        assert!(Tfidf::from_parts(p, vec!["a".into()], vec![f64::NAN], 3).is_err());
        assert!(Tfidf::from_parts(p, vec!["a".into()], vec![1.0, 1.0], 3).is_err());
    }
}
