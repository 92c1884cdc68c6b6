//! Verbatim coding: raw answers to open questions turned into theme mentions.
//!
//! - [`normalize`]: folding (case, accents), French elisions, word boundaries, Snowball stems,
//!   each token keeping its character offsets in the raw text.
//! - [`codebook`]: themes and their French / English patterns, parsed from TOML and checked once.
//! - [`coding`]: leftmost-longest matching of a codebook on verbatims, with negation scope.
//!
//! It sits beside `analysis`: it turns verbatims into mentions and knows nothing of moments.

pub mod codebook;
pub mod coding;
pub mod normalize;

pub use codebook::{Codebook, Theme, Valence};
pub use coding::{Coder, Match};
pub use normalize::Language;
