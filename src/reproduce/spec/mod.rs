//! The reproduce spec: a TOML file of published figures, parsed and validated once.
//!
//! Parsing goes through serde with `deny_unknown_fields` and [`toml::Spanned`] values, so every
//! error — TOML syntax, unknown key, wrong type, unknown statistic, a check that does not fit —
//! becomes a [`MiroirError::Spec`] naming the file, the 1-based line and the key, e.g.
//! `spec.toml:14: indicator 'can_contribute': unknown key 'tolerence' (expected one of ...)`.
//! The format itself is documented in README.md ("Reproducing published figures").
//!
//! - [`raw`]: the serde structures, exactly the keys of the format;
//! - [`location`]: byte offsets and key paths turned into the file's line, key and context;
//! - [`validate`]: the raw options, data, indicators and checks turned into a [`Spec`];
//! - [`schema`]: the `[schema]` table, both ways ([`parse_schema_file`], [`schema_to_toml`]).

mod location;
mod raw;
mod schema;
mod validate;

pub use schema::{parse_schema_file, schema_to_toml};

use crate::analysis::indicators::{IndicatorOptions, SEED_FIGURES};
use crate::analysis::{CorrelationMethod, LinkageOptions, Outcome};
use crate::data::Schema;
use crate::error::{MiroirError, Result};
use crate::stats::proportions::ProportionMethod;
use crate::synth::model::SynthConfig;
use location::{Root, Source};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The generic statistics and the parameter keys each one takes (the eight seed figures take
/// none).
pub const GENERIC_STATISTICS: [(&str, &[&str]); 7] = [
    ("share", &["table", "column", "equals"]),
    ("mean", &["table", "column"]),
    ("share_satisfied", &[]),
    ("correlation", &["method", "outcome"]),
    ("engagement_gap", &["level", "covariates"]),
    ("top_share_uplift", &["top_share"]),
    ("moment", &["theme", "alpha", "silence_rate", "min_mentions"]),
];

/// Every statistic name a spec may use: the seed figures, then the generic ones.
pub fn statistic_names() -> Vec<&'static str> {
    SEED_FIGURES.iter().map(|f| f.0).chain(GENERIC_STATISTICS.iter().map(|g| g.0)).collect()
}

/// The published value: a number, or a moment's name for `statistic = "moment"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "raw::RawPublished")]
pub enum Published {
    Number(f64),
    Text(String),
}

/// Global options of the computation.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub confidence: f64,
    pub ci_method: ProportionMethod,
    pub n_resamples: usize,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        // the analyses' own defaults: the indicators' interval, the linkage's bootstrap
        let (i, l) = (IndicatorOptions::default(), LinkageOptions::default());
        Options { confidence: i.confidence, ci_method: i.ci_method, n_resamples: l.n_resamples, seed: l.seed }
    }
}

/// A path given in the spec, with the line of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecPath {
    pub key: &'static str,
    pub path: String,
    pub line: usize,
}

/// Where the data come from.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSource {
    /// A folder with `employees.*`, `customers.*` and optionally `mentions.*`.
    Dir(SpecPath),
    Files { employees: SpecPath, customers: SpecPath, mentions: Option<SpecPath> },
    /// The synthetic generator (line of the `synthetic` key).
    Synthetic { config: SynthConfig, line: usize },
}

/// Which rows an indicator is computed on. Empty = all rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub studies: Vec<String>,
    pub units: Vec<String>,
    /// Filters employees only (customers have no such column).
    pub customer_facing: Option<bool>,
    /// Line of the `filter` key (0 when absent).
    pub line: usize,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.studies.is_empty() && self.units.is_empty() && self.customer_facing.is_none()
    }
}

/// Which employees' or customers' table a generic statistic reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Employees,
    Customers,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Employees => "employees",
            Side::Customers => "customers",
        }
    }
}

/// Which engagement gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapLevel {
    /// All employees of the (filtered) data: Welch CI.
    Pooled,
    /// The largest per-study gap ("up to N points").
    Largest,
    /// OLS with study fixed effects (and covariates), cluster-robust by unit.
    Adjusted,
}

/// A statistic with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Statistic {
    /// One of the eight figures of `miroir.indicators` (its id).
    Seed(&'static str),
    Share { side: Side, column: String, equals: Option<String>, line: usize },
    Mean { side: Side, column: String, line: usize },
    ShareSatisfied,
    Correlation { method: CorrelationMethod, outcome: Outcome },
    EngagementGap { level: GapLevel, covariates: Vec<String> },
    TopShareUplift { top_share: f64 },
    Moment { theme: String, alpha: f64, silence_rate: f64, min_mentions: u64 },
}

/// How the computed value is compared with the published one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// `|computed - published| <= t`.
    Tolerance(f64),
    /// `|computed - published| <= r · |published|`.
    RelativeTolerance(f64),
    /// `ci_low <= published <= ci_high`.
    WithinCi,
    /// `computed > published` ("more than half").
    Above,
    /// `computed < published`.
    Below,
    /// The moment equals the published one.
    Equals,
}

/// One indicator of the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorSpec {
    pub id: String,
    pub label: String,
    pub statistic_name: String,
    pub statistic: Statistic,
    pub published: Published,
    pub check: Check,
    pub filter: Filter,
    pub source: Option<String>,
    /// Line of the indicator's `[[indicator]]` header.
    pub line: usize,
}

/// A validated spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file name shown in messages (or `<spec>` for TOML text).
    pub path: String,
    /// Folder relative data paths are resolved against (the spec file's folder).
    pub base_dir: PathBuf,
    pub title: Option<String>,
    pub options: Options,
    pub data: Option<DataSource>,
    pub schema: Schema,
    pub indicators: Vec<IndicatorSpec>,
}

impl Spec {
    /// A spec error at a line, naming a key.
    pub fn error(&self, line: usize, key: &str, detail: String) -> MiroirError {
        MiroirError::Spec { path: self.path.clone(), line, key: key.to_string(), detail }
    }
}

/// Parses and validates a spec. `path` is only used in messages; `base_dir` is where relative
/// data paths are resolved.
pub fn parse_spec(text: &str, path: &str, base_dir: PathBuf) -> Result<Spec> {
    let src = Source::new(path, text);
    src.check_syntax()?;
    let raw: raw::RawSpec = src.deserialize(Root::Spec)?;

    let options = validate::options(&src, raw.options)?;
    let data = raw.data.map(|d| validate::data_source(&src, d)).transpose()?;
    let schema = schema::schema(&src, raw.schema, matches!(data, Some(DataSource::Synthetic { .. })))?;
    if raw.indicator.is_empty() {
        return Err(src.err(0, "indicator", "the spec has no [[indicator]] table".into()));
    }
    let mut seen = BTreeSet::new();
    let mut indicators = Vec::new();
    for ind in raw.indicator {
        let span = ind.span();
        let line = src.line(span.start);
        let ind = ind.into_inner();
        if !seen.insert(ind.id.get_ref().clone()) {
            return Err(src.at(ind.id.span(), "id", format!("duplicate id '{}'", ind.id.get_ref())));
        }
        indicators.push(validate::indicator(&src, ind, line)?);
    }
    Ok(Spec {
        path: path.to_string(),
        base_dir,
        title: raw.title,
        options,
        data,
        schema,
        indicators,
    })
}

