//! Theme discovery: seeded spherical k-means on sparse TF-IDF rows, then per cluster its size,
//! its keywords by class-based TF-IDF and its most representative verbatims.
//!
//! **Why our own k-means.** linfa-clustering's k-means takes a dense matrix: a TF-IDF of 10,000
//! verbatims × 20,000 n-grams would take 1.6 GB as f64, for a matrix whose rows hold a few dozen
//! non-zeros. Here rows stay sparse (CSR) and only the `k` centroids are dense.
//!
//! **Spherical k-means** (Dhillon & Modha 2001, "Concept decompositions for large sparse text
//! data using clustering", Machine Learning 42): rows and centroids are unit vectors; a row goes
//! to the centroid of largest cosine `x·c` (ties: the lowest cluster), a centroid is the
//! normalised sum of its rows, and the objective is `Σᵢ (1 − xᵢ·c₍ᵢ₎)` (half the squared
//! Euclidean distance of unit vectors). Iterations stop when no row changes cluster, or after
//! `max_iter`. A cluster left empty takes the row least similar to its own centroid (among
//! clusters of more than one row; ties: the lowest row).
//!
//! **Initialisation**: greedy k-means++ (Arthur & Vassilvitskii 2007; the greedy variant with
//! `2 + ⌊ln k⌋` candidates per centre, as scikit-learn's `KMeans`): the first centre a uniform
//! row, each next one drawn with probability proportional to the squared distance
//! `2 − 2 x·c` to the nearest centre so far, the candidate that lowers the total the most kept.
//! Init `r` draws from ChaCha8 seeded with `seed` on stream `r`; of `n_init` runs the lowest
//! objective wins (ties: the first). Rows are scored in parallel, each on its own, and every sum
//! runs sequentially in row order: the result does not depend on the number of threads.
//!
//! **Keywords**: class-based TF-IDF (Grootendorst 2022, "BERTopic", arXiv:2203.05794): for term
//! `t` and cluster `c`, `tf(t, c) = count(t, c) / Σₜ count(t, c)` (its raw count in the
//! cluster's texts over all the cluster's term counts) and `w(t, c) = tf(t, c) · ln(1 + A / f(t))`,
//! `f(t)` the count of `t` in all clustered texts and `A` the mean number of term occurrences
//! per cluster. A keyword is shown by its most frequent written form, lowercase (a stem stands for
//! its inflections: `conseil` is shown `conseiller` when that form is the most common).
//!
//! **Confidentiality**: a cluster of fewer than `min_text_group_size` respondents (default 10,
//! the schema's threshold for verbatim text) is listed with its size, flagged `suppressed`, and
//! shows neither keywords nor verbatims.

use super::normalize::Language;
use super::tfidf::{analyze_lenient, Csr, DfBound, TermOptions, TextTerms, Tfidf, TfidfParams};
use crate::error::{MiroirError, Rows};
use crate::interrupt::{checkpoint, Checkpoint};
use crate::stats::resample::below;
use crate::stats::StatsError;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// Settings of the k-means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KMeansParams {
    pub k: usize,
    pub n_init: usize,
    pub max_iter: usize,
    pub seed: u64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams { k: 8, n_init: 10, max_iter: 300, seed: 0 }
    }
}

impl KMeansParams {
    pub fn check(&self) -> Result<(), MiroirError> {
        let bad = |argument: &str, detail: String| Err(MiroirError::InvalidArgument { argument: argument.into(), detail });
        if self.k == 0 {
            return bad("k", "must be at least 1".into());
        }
        if self.n_init == 0 || self.n_init > 1000 {
            return bad("n_init", format!("must lie in 1..=1000, got {}", self.n_init));
        }
        if self.max_iter == 0 {
            return bad("max_iter", "must be at least 1".into());
        }
        Ok(())
    }
}

/// A k-means partition.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeansFit {
    pub labels: Vec<u32>,
    /// Cosine of each row with its centroid.
    pub similarity: Vec<f64>,
    /// Feature-major: `centroids[j * k + c]`.
    pub centroids: Vec<f64>,
    /// `Σ (1 − similarity)`.
    pub inertia: f64,
    pub n_iter: usize,
    pub converged: bool,
}

/// Uniform in [0, 1) from the top 53 bits.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Cosines of every row with one row `r` (scattered into `dense`, cleared after).
fn sims_with_row(x: &Csr, r: usize, dense: &mut [f64]) -> Vec<f64> {
    let (idx, val) = x.row(r);
    idx.iter().zip(val).for_each(|(&j, &v)| dense[j as usize] = v);
    let d: &[f64] = dense;
    let out = (0..x.n_rows)
        .into_par_iter()
        .map(|i| {
            let (ii, vv) = x.row(i);
            ii.iter().zip(vv).map(|(&j, &v)| v * d[j as usize]).sum::<f64>()
        })
        .collect();
    idx.iter().for_each(|&j| dense[j as usize] = 0.0);
    out
}

/// Greedy k-means++ centres (row indices).
fn init_centres(x: &Csr, k: usize, rng: &mut ChaCha8Rng, cp: &Checkpoint) -> Result<Vec<usize>, StatsError> {
    let n = x.n_rows;
    let mut dense = vec![0.0; x.n_cols];
    let first = below(rng, n as u64) as usize;
    let mut centres = vec![first];
    let dist = |s: Vec<f64>| -> Vec<f64> { s.into_iter().map(|v| (2.0 - 2.0 * v).max(0.0)).collect() };
    let mut closest = dist(sims_with_row(x, first, &mut dense));
    let mut potential: f64 = closest.iter().sum();
    let trials = 2 + (k as f64).ln() as usize;
    while centres.len() < k {
        if cp.is_cancelled() {
            return Err(StatsError::Interrupted);
        }
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &d in &closest {
            acc += d;
            cumulative.push(acc);
        }
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let u = uniform(rng) * potential;
            let cand = cumulative.partition_point(|&c| c <= u).min(n - 1);
            let d = dist(sims_with_row(x, cand, &mut dense));
            let pot: f64 = closest.iter().zip(&d).map(|(a, b)| a.min(*b)).sum();
            if best.as_ref().is_none_or(|b| pot < b.0) {
                best = Some((pot, cand, d));
            }
        }
        let (pot, cand, d) = best.expect("at least two trials");
        closest.iter_mut().zip(&d).for_each(|(a, b)| *a = a.min(*b));
        potential = pot;
        centres.push(cand);
    }
    Ok(centres)
}

/// Cluster and cosine of every row given centroids (ties: the lowest cluster).
fn assign(x: &Csr, centroids: &[f64], k: usize) -> (Vec<u32>, Vec<f64>) {
    (0..x.n_rows)
        .into_par_iter()
        .map(|i| {
            let mut s = vec![0.0; k];
            let (idx, val) = x.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let c = &centroids[j as usize * k..(j as usize + 1) * k];
                s.iter_mut().zip(c).for_each(|(a, b)| *a += v * b);
            }
            let mut best = 0;
            for c in 1..k {
                if s[c] > s[best] {
                    best = c;
                }
            }
            (best as u32, s[best])
        })
        .unzip()
}

/// Normalised sums of the rows of each cluster.
fn centroids_of(x: &Csr, labels: &[u32], k: usize) -> Vec<f64> {
    let mut c = vec![0.0; x.n_cols * k];
    for (i, &l) in labels.iter().enumerate() {
        let (idx, val) = x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            c[j as usize * k + l as usize] += v;
        }
    }
    let mut norms = vec![0.0; k];
    for chunk in c.chunks(k) {
        norms.iter_mut().zip(chunk).for_each(|(a, b)| *a += b * b);
    }
    norms.iter_mut().for_each(|v| *v = v.sqrt());
    for chunk in c.chunks_mut(k) {
        chunk.iter_mut().zip(&norms).for_each(|(a, &nm)| {
            if nm > 0.0 {
                *a /= nm
            }
        });
    }
    c
}

/// Gives every empty cluster the row least similar to its centroid among clusters of 2+ rows.
fn fill_empty(labels: &mut [u32], sims: &mut [f64], k: usize) {
    let mut counts = vec![0usize; k];
    labels.iter().for_each(|&l| counts[l as usize] += 1);
    for c in 0..k {
        if counts[c] > 0 {
            continue;
        }
        let mut pick: Option<usize> = None;
        for i in 0..labels.len() {
            if counts[labels[i] as usize] > 1 && pick.is_none_or(|p| sims[i] < sims[p]) {
                pick = Some(i);
            }
        }
        if let Some(i) = pick {
            counts[labels[i] as usize] -= 1;
            counts[c] += 1;
            labels[i] = c as u32;
            sims[i] = 1.0;
        }
    }
}

/// Number of distinct rows (as sparse vectors, bit for bit).
fn distinct_rows(x: &Csr) -> usize {
    let mut seen: HashSet<(Vec<u32>, Vec<u64>)> = HashSet::new();
    for i in 0..x.n_rows {
        let (idx, val) = x.row(i);
        seen.insert((idx.to_vec(), val.iter().map(|v| v.to_bits()).collect()));
    }
    seen.len()
}

/// Spherical k-means of unit rows (see the module documentation). A zero row is an error.
pub fn spherical_kmeans(x: &Csr, params: &KMeansParams) -> Result<KMeansFit, MiroirError> {
    params.check()?;
    let (n, k) = (x.n_rows, params.k);
    let zero = Rows::collect((0..n).filter(|&i| x.row(i).0.is_empty()));
    if !zero.is_empty() {
        return Err(MiroirError::InvalidArgument { argument: "x".into(), detail: format!("rows without any term: {zero}") });
    }
    if k > n {
        return Err(MiroirError::InvalidArgument { argument: "k".into(), detail: format!("k = {k} clusters for only {n} texts") });
    }
    let distinct = distinct_rows(x);
    if k > distinct {
        return Err(MiroirError::InvalidArgument {
            argument: "k".into(),
            detail: format!("k = {k} clusters but the {n} texts give only {distinct} distinct TF-IDF rows"),
        });
    }
    let cp = checkpoint();
    let base = ChaCha8Rng::seed_from_u64(params.seed);
    let mut best: Option<KMeansFit> = None;
    for r in 0..params.n_init {
        let mut rng = crate::stats::resample::stream(&base, r as u64);
        let centres = init_centres(x, k, &mut rng, &cp)?;
        let mut centroids = vec![0.0; x.n_cols * k];
        for (c, &row) in centres.iter().enumerate() {
            let (idx, val) = x.row(row);
            idx.iter().zip(val).for_each(|(&j, &v)| centroids[j as usize * k + c] = v);
        }
        let (mut labels, mut sims) = assign(x, &centroids, k);
        let mut converged = false;
        let mut n_iter = 0;
        while n_iter < params.max_iter {
            if cp.is_cancelled() {
                return Err(StatsError::Interrupted.into());
            }
            n_iter += 1;
            fill_empty(&mut labels, &mut sims, k);
            centroids = centroids_of(x, &labels, k);
            let (new_labels, new_sims) = assign(x, &centroids, k);
            let same = new_labels == labels;
            labels = new_labels;
            sims = new_sims;
            if same {
                converged = true;
                break;
            }
        }
        if !converged {
            // the partition of the last assignment, with its own centroids
            fill_empty(&mut labels, &mut sims, k);
            centroids = centroids_of(x, &labels, k);
            sims = (0..n)
                .map(|i| {
                    let (idx, val) = x.row(i);
                    idx.iter().zip(val).map(|(&j, &v)| v * centroids[j as usize * k + labels[i] as usize]).sum()
                })
                .collect();
        }
        let inertia: f64 = sims.iter().map(|s| 1.0 - s).sum();
        if best.as_ref().is_none_or(|b| inertia < b.inertia) {
            best = Some(KMeansFit { labels, similarity: sims, centroids, inertia, n_iter, converged });
        }
    }
    Ok(best.expect("n_init >= 1"))
}

// ---- theme discovery ------------------------------------------------------------------------

/// Settings of [`suggest_themes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThemeParams {
    pub kmeans: KMeansParams,
    pub language: Option<Language>,
    pub tfidf: TfidfParams,
    pub n_keywords: usize,
    pub n_examples: usize,
    pub min_text_group_size: usize,
}

impl Default for ThemeParams {
    /// 1–2-grams without function words, `min_df = 2`, `max_df = 0.95`; 8 keywords and 3
    /// verbatims per theme; the schema's `min_text_group_size`.
    fn default() -> Self {
        ThemeParams {
            kmeans: KMeansParams::default(),
            language: None,
            tfidf: TfidfParams {
                terms: TermOptions { ngram_range: (1, 2), stop_words: true },
                min_df: DfBound::Count(2),
                max_df: DfBound::Proportion(0.95),
                max_features: None,
                sublinear_tf: true,
            },
            n_keywords: 8,
            n_examples: 3,
            min_text_group_size: crate::data::schema::Schema::default().min_text_group_size(),
        }
    }
}

impl ThemeParams {
    pub fn check(&self) -> Result<(), MiroirError> {
        self.kmeans.check()?;
        self.tfidf.check()?;
        if self.n_keywords == 0 {
            return Err(MiroirError::InvalidArgument { argument: "n_keywords".into(), detail: "must be at least 1".into() });
        }
        if self.min_text_group_size == 0 {
            return Err(MiroirError::InvalidArgument { argument: "min_text_group_size".into(), detail: "must be at least 1".into() });
        }
        Ok(())
    }
}

/// One suggested theme (a cluster).
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestedTheme {
    /// 0 for the largest cluster, then by decreasing size (ties: the cluster of the earliest row).
    pub cluster: u32,
    pub size: usize,
    pub respondents: usize,
    /// Mean cosine of its texts with its centroid.
    pub cohesion: f64,
    pub suppressed: bool,
    /// Keywords as written (lowercase; empty when suppressed) and as the model's terms.
    pub keywords: Vec<String>,
    pub terms: Vec<String>,
    /// Rows of its most representative texts (empty when suppressed).
    pub examples: Vec<usize>,
}

/// Where one text went: a cluster, or why none.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub cluster: Option<u32>,
    pub similarity: Option<f64>,
    /// `empty` (null, blank or no word) or `no term` (no term of the vocabulary).
    pub reason: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThemeSuggestions {
    pub themes: Vec<SuggestedTheme>,
    pub assignments: Vec<Assignment>,
    pub inertia: f64,
    pub n_iter: usize,
    pub converged: bool,
}

/// The inputs refused before any work: no text, or respondents that do not match the texts.
fn check_texts(n: usize, respondents: Option<&[Option<&str>]>) -> Result<(), MiroirError> {
    if n == 0 {
        return Err(MiroirError::EmptyTable { table: "texts".into(), detail: "no text to find themes in".into() });
    }
    if let Some(r) = respondents {
        if r.len() != n {
            return Err(MiroirError::InvalidArgument { argument: "respondents".into(), detail: format!("{} respondents for {n} texts", r.len()) });
        }
        let missing = Rows::collect(r.iter().enumerate().filter(|(_, v)| v.is_none()).map(|(i, _)| i));
        if !missing.is_empty() {
            return Err(MiroirError::InvalidArgument { argument: "respondents".into(), detail: format!("missing respondent ids: {missing}") });
        }
    }
    Ok(())
}

/// The k-means labels with the clusters renumbered by decreasing size, ties by their earliest
/// row.
fn renumbered(labels: &[u32], k: usize) -> Vec<u32> {
    let mut size = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (p, &l) in labels.iter().enumerate() {
        size[l as usize] += 1;
        first[l as usize] = first[l as usize].min(p);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| size[b].cmp(&size[a]).then(first[a].cmp(&first[b])));
    let mut new_id = vec![0u32; k];
    for (new, &old) in order.iter().enumerate() {
        new_id[old] = new as u32;
    }
    labels.iter().map(|&l| new_id[l as usize]).collect()
}

/// The clustered texts: their rows in the input, their cluster (renumbered) and similarity.
struct Clustered<'a> {
    analysed: &'a [Option<TextTerms>],
    tfidf: &'a Tfidf,
    /// Input row of each clustered text.
    rows: Vec<usize>,
    labels: Vec<u32>,
    similarity: Vec<f64>,
    k: usize,
}

impl Clustered<'_> {
    fn terms(&self, row: usize) -> &TextTerms {
        self.analysed[row].as_ref().expect("clustered rows have words")
    }
}

/// Class-based TF-IDF on raw counts of vocabulary terms: `counts[j * k + c]` of term `j` in
/// cluster `c`, each term's total `f[j]`, each cluster's total, and the mean total per cluster.
struct ClassTerms {
    counts: Vec<u64>,
    f: Vec<u64>,
    per_cluster: Vec<u64>,
    a_mean: f64,
}

fn class_terms(c: &Clustered<'_>) -> ClassTerms {
    let (k, nv) = (c.k, c.tfidf.vocabulary.len());
    let mut counts = vec![0u64; nv * k];
    for (p, &row) in c.rows.iter().enumerate() {
        let cl = c.labels[p] as usize;
        for t in &c.terms(row).terms {
            if let Some(j) = c.tfidf.column(t) {
                counts[j * k + cl] += 1;
            }
        }
    }
    let f: Vec<u64> = counts.chunks(k).map(|c| c.iter().sum()).collect();
    let mut per_cluster = vec![0u64; k];
    for chunk in counts.chunks(k) {
        per_cluster.iter_mut().zip(chunk).for_each(|(a, b)| *a += b);
    }
    let a_mean = f.iter().sum::<u64>() as f64 / k as f64;
    ClassTerms { counts, f, per_cluster, a_mean }
}

/// Most frequent word form of each stem (ties: the first in code point order).
fn word_forms<'a>(c: &'a Clustered<'_>) -> HashMap<&'a str, HashMap<&'a str, usize>> {
    let mut forms: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for &row in &c.rows {
        for (stem, word) in &c.terms(row).surfaces {
            *forms.entry(stem.as_str()).or_default().entry(word.as_str()).or_default() += 1;
        }
    }
    forms
}

/// A term (stems joined by spaces) as written: each stem's most frequent word form.
fn display(forms: &HashMap<&str, HashMap<&str, usize>>, term: &str) -> String {
    term.split(' ')
        .map(|stem| {
            forms
                .get(stem)
                .and_then(|m| m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(w, _)| w.to_string()))
                .unwrap_or_else(|| stem.to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cluster `cl`'s description: size, respondents, cohesion, and unless suppressed its keywords
/// (highest class-based TF-IDF) and its most representative distinct texts.
fn describe(
    c: &Clustered<'_>,
    ct: &ClassTerms,
    forms: &HashMap<&str, HashMap<&str, usize>>,
    cl: usize,
    respondents: Option<&[Option<&str>]>,
    params: &ThemeParams,
) -> SuggestedTheme {
    let (k, nv) = (c.k, c.tfidf.vocabulary.len());
    let members: Vec<usize> = (0..c.rows.len()).filter(|&p| c.labels[p] as usize == cl).collect();
    let who: usize = match respondents {
        Some(r) => members.iter().map(|&p| r[c.rows[p]].unwrap_or_default()).collect::<HashSet<_>>().len(),
        None => members.len(),
    };
    let cohesion = members.iter().map(|&p| c.similarity[p]).sum::<f64>() / members.len().max(1) as f64;
    let suppressed = who < params.min_text_group_size;
    let (mut keywords, mut terms, mut examples) = (Vec::new(), Vec::new(), Vec::new());
    if !suppressed {
        let total = ct.per_cluster[cl].max(1) as f64;
        let mut scored: Vec<(f64, usize)> = (0..nv)
            .filter(|&j| ct.counts[j * k + cl] > 0)
            .map(|j| (ct.counts[j * k + cl] as f64 / total * (1.0 + ct.a_mean / ct.f[j] as f64).ln(), j))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, j) in scored.iter().take(params.n_keywords) {
            terms.push(c.tfidf.vocabulary[j].clone());
            keywords.push(display(forms, &c.tfidf.vocabulary[j]));
        }
        let mut by_sim = members.clone();
        by_sim.sort_by(|&a, &b| c.similarity[b].total_cmp(&c.similarity[a]).then(a.cmp(&b)));
        let mut seen = HashSet::new();
        for p in by_sim {
            if examples.len() >= params.n_examples {
                break;
            }
            if seen.insert(c.terms(c.rows[p]).terms.join("\u{1}")) {
                examples.push(c.rows[p]);
            }
        }
    }
    SuggestedTheme { cluster: cl as u32, size: members.len(), respondents: who, cohesion, suppressed, keywords, terms, examples }
}

/// Clusters the texts and describes each cluster (see the module documentation). `respondents`:
/// who wrote each text (for the confidentiality threshold); None: one respondent per text.
pub fn suggest_themes(
    texts: &[Option<&str>],
    languages: &[Option<Language>],
    respondents: Option<&[Option<&str>]>,
    params: &ThemeParams,
) -> Result<ThemeSuggestions, MiroirError> {
    params.check()?;
    let n = texts.len();
    check_texts(n, respondents)?;
    let langs: Vec<Option<Language>> = languages.iter().map(|l| l.or(params.language)).collect();
    let analysed = analyze_lenient(texts, &langs, &params.tfidf.terms, true, "texts")?;
    let with_words: Vec<usize> = (0..n).filter(|&i| analysed[i].is_some()).collect();
    if with_words.is_empty() {
        return Err(MiroirError::InsufficientData { detail: format!("texts: none of the {n} texts has a word") });
    }
    let docs: Vec<&[String]> = with_words.iter().map(|&i| analysed[i].as_ref().map_or(&[][..], |t| t.terms.as_slice())).collect();
    let (tfidf, x_all) = Tfidf::fit_transform(&docs, &params.tfidf)?;
    // rows with at least one term of the vocabulary are clustered
    let local: Vec<usize> = (0..x_all.n_rows).filter(|&r| !x_all.row(r).0.is_empty()).collect();
    let rows: Vec<usize> = local.iter().map(|&r| with_words[r]).collect();
    let k = params.kmeans.k;
    if k > rows.len() {
        return Err(MiroirError::InvalidArgument {
            argument: "k".into(),
            detail: format!("k = {k} themes but only {} of the {n} texts have terms to cluster", rows.len()),
        });
    }
    let x = x_all.select_rows(&local);
    let fit = spherical_kmeans(&x, &params.kmeans)?;
    let labels = renumbered(&fit.labels, k);

    let mut assignments: Vec<Assignment> = (0..n)
        .map(|i| Assignment { cluster: None, similarity: None, reason: Some(if analysed[i].is_none() { "empty" } else { "no term" }) })
        .collect();
    for (p, &row) in rows.iter().enumerate() {
        assignments[row] = Assignment { cluster: Some(labels[p]), similarity: Some(fit.similarity[p]), reason: None };
    }
    let clustered = Clustered { analysed: &analysed, tfidf: &tfidf, rows, labels, similarity: fit.similarity, k };
    let ct = class_terms(&clustered);
    let forms = word_forms(&clustered);
    let themes = (0..k).map(|cl| describe(&clustered, &ct, &forms, cl, respondents, params)).collect();
    Ok(ThemeSuggestions { themes, assignments, inertia: fit.inertia, n_iter: fit.n_iter, converged: fit.converged })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(n_per: usize) -> Vec<String> {
        let groups: [&[&str]; 3] = [
            &["attente interminable au guichet", "longue attente à l'agence", "trop d'attente au téléphone", "file d'attente énorme"],
            &["conseillère très aimable", "conseiller aimable et souriant", "un conseiller à l'écoute", "conseillère souriante et aimable"],
            &["frais bancaires trop chers", "des frais cachés sur le compte", "les frais augmentent", "frais de tenue de compte chers"],
        ];
        let mut out = Vec::new();
        for i in 0..n_per {
            for g in groups {
                out.push(g[i % g.len()].to_string());
            }
        }
        out
    }

    #[test]
    fn well_separated_groups_are_found_whatever_the_threads() {
        let t = texts(12);
        let refs: Vec<Option<&str>> = t.iter().map(|s| Some(s.as_str())).collect();
        let params = ThemeParams { kmeans: KMeansParams { k: 3, ..KMeansParams::default() }, language: Some(Language::Fr), ..ThemeParams::default() };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| suggest_themes(&refs, &[None; 36], None, &params).unwrap())
        };
        let s = run(2);
        assert_eq!(s, run(1));
        assert_eq!(s.themes.iter().map(|t| t.size).collect::<Vec<_>>(), [12, 12, 12]);
        // each group is one cluster
        for g in 0..3 {
            let c: HashSet<_> = (0..12).map(|i| s.assignments[i * 3 + g].cluster).collect();
            assert_eq!(c.len(), 1);
        }
        let top: Vec<&str> = (0..3).map(|g| s.themes[s.assignments[g].cluster.unwrap() as usize].keywords[0].as_str()).collect();
        assert_eq!(top, ["attente", "aimable", "frais"], "{:?}", s.themes);
        // keywords are shown as written (accents kept), most frequent form of the stem
        assert!(s.themes.iter().any(|t| t.keywords.iter().any(|k| k == "conseillère")), "{:?}", s.themes);
        assert!(s.themes.iter().all(|t| t.examples.len() == 3 && !t.suppressed));
    }

    #[test]
    fn small_groups_are_suppressed_and_empty_texts_reported() {
        let mut t = texts(4);
        t.push("".into());
        t.push("le la les".into());
        let refs: Vec<Option<&str>> = t.iter().map(|s| Some(s.as_str())).chain([None]).collect();
        let params = ThemeParams { kmeans: KMeansParams { k: 3, ..KMeansParams::default() }, ..ThemeParams::default() };
        let s = suggest_themes(&refs, &vec![None; refs.len()], None, &params).unwrap();
        assert!(s.themes.iter().all(|t| t.suppressed && t.keywords.is_empty() && t.examples.is_empty() && t.size == 4));
        let reasons: Vec<_> = s.assignments[12..].iter().map(|a| a.reason).collect();
        assert_eq!(reasons, [Some("empty"), Some("no term"), Some("empty")]);
        let lower = ThemeParams { min_text_group_size: 4, ..params };
        assert!(suggest_themes(&refs, &vec![None; refs.len()], None, &lower).unwrap().themes.iter().all(|t| !t.suppressed));
        // respondents: one person wrote a whole group
        let names: Vec<String> = (0..refs.len()).map(|i| if i % 3 == 0 { "same".to_string() } else { format!("r{i}") }).collect();
        let who2: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
        let s = suggest_themes(&refs, &vec![None; refs.len()], Some(&who2), &lower).unwrap();
        assert_eq!(s.themes.iter().filter(|t| t.suppressed).count(), 1);
    }

    #[test]
    fn bad_k_is_an_error() {
        let t = texts(2);
        let refs: Vec<Option<&str>> = t.iter().map(|s| Some(s.as_str())).collect();
        let params = ThemeParams { kmeans: KMeansParams { k: 7, ..KMeansParams::default() }, ..ThemeParams::default() };
        let err = suggest_themes(&refs, &[None; 6], None, &params).unwrap_err();
        assert!(matches!(&err, MiroirError::InvalidArgument { argument, .. } if argument == "k"), "{err}");
        let zero = ThemeParams { kmeans: KMeansParams { k: 0, ..KMeansParams::default() }, ..ThemeParams::default() };
        assert!(zero.check().is_err());
        // duplicates: fewer distinct rows than k
        let same: Vec<Option<&str>> = vec![Some("attente longue"); 5];
        let mut p = ThemeParams { kmeans: KMeansParams { k: 2, ..KMeansParams::default() }, ..ThemeParams::default() };
        p.tfidf.max_df = DfBound::Proportion(1.0);
        let err = suggest_themes(&same, &[None; 5], None, &p).unwrap_err();
        assert!(err.to_string().contains("distinct"), "{err}");
    }
}
