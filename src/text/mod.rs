//! Verbatim coding: raw answers to open questions turned into theme mentions.
//!
//! - [`normalize`]: folding (case, accents), French elisions, word boundaries, Snowball stems,
//!   each token keeping its character offsets in the raw text.
//! - [`codebook`]: themes and their French / English patterns, parsed from TOML and checked once.
//! - [`coding`]: leftmost-longest matching of a codebook on verbatims, with negation scope.
//! - [`sentiment`]: lexicon valence of a text, per clause (French and English lexicons embedded).
//! - [`tfidf`]: a TF-IDF vectoriser with its own IDF and a vocabulary in a deterministic order.
//! - [`classifier`]: multinomial / one-vs-rest logistic regression on sparse TF-IDF rows.
//! - [`cluster`]: seeded spherical k-means on sparse rows, for theme discovery.
//!
//! It sits beside `analysis`: it turns verbatims into mentions and knows nothing of moments.

pub mod classifier;
pub mod cluster;
pub mod codebook;
pub mod coding;
pub mod normalize;
pub mod sentiment;
pub mod tfidf;

pub use codebook::{Codebook, Theme, Valence};
pub use coding::{code_texts, Coded, Coder, Match, Mention};
pub use normalize::Language;
