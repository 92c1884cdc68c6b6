//! The raw (serde) structures of the spec: exactly the keys of the format, in the order the
//! messages list them (`unknown key 'x' (expected one of ...)` names a struct's fields in
//! declaration order). Either-or values are `untagged` enums; a value of neither form falls to an
//! `Other` variant and is refused by a `try_from` conversion with serde's own wording
//! (`invalid type: integer '3', expected ...`), still during deserialization, so that the error
//! keeps the value's span and its place among the other errors.

use super::Published;
use serde::de::Unexpected;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpec {
    pub title: Option<String>,
    pub options: Option<RawOptions>,
    pub data: Option<Spanned<RawData>>,
    pub schema: Option<Spanned<RawSchema>>,
    #[serde(default)]
    pub indicator: Vec<Spanned<RawIndicator>>,
}

/// A schema file (`schema.toml`): one `[schema]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSchemaFile {
    pub schema: Option<Spanned<RawSchema>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOptions {
    pub confidence: Option<Spanned<f64>>,
    pub ci_method: Option<Spanned<String>>,
    pub n_resamples: Option<Spanned<u64>>,
    pub seed: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawData {
    pub dir: Option<Spanned<String>>,
    pub employees: Option<Spanned<String>>,
    pub customers: Option<Spanned<String>>,
    pub mentions: Option<Spanned<String>>,
    pub synthetic: Option<Spanned<RawSynthetic>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSynthetic {
    pub studies: Option<usize>,
    pub employees: Option<usize>,
    pub customers: Option<usize>,
    pub seed: Option<u64>,
}

/// A column mapping (`source = "canonical"`), each side with its span.
pub(super) type RawMapping = BTreeMap<Spanned<String>, Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSchema {
    pub satisfaction_scale: Option<Spanned<Vec<f64>>>,
    pub satisfied_threshold: Option<Spanned<f64>>,
    pub min_group_size: Option<Spanned<usize>>,
    pub min_text_group_size: Option<Spanned<usize>>,
    pub engagement_items: Option<Spanned<Vec<String>>>,
    pub item_scale: Option<Spanned<Vec<f64>>>,
    pub employees: Option<RawMapping>,
    pub customers: Option<RawMapping>,
    pub mentions: Option<RawMapping>,
    pub verbatims: Option<RawMapping>,
    pub csv: Option<Spanned<RawCsv>>,
    pub missing_codes: Option<Spanned<RawMissingCodes>>,
    pub constants: Option<RawMapping>,
    pub item_scales: Option<BTreeMap<Spanned<String>, Spanned<Vec<f64>>>>,
    pub reverse_items: Option<Spanned<Vec<String>>>,
    pub min_items_answered: Option<Spanned<usize>>,
    pub missing_satisfaction: Option<Spanned<String>>,
    pub excel: Option<Spanned<RawExcel>>,
    pub recode: Option<BTreeMap<String, BTreeMap<String, RawCode>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExcel {
    pub sheet: RawSheet,
}

impl RawExcel {
    /// The keys serde requires, in declaration order (a missing one is the first absent).
    pub const REQUIRED: &'static [&'static str] = &["sheet"];
}

/// A sheet by name or by 0-based position.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawSheet {
    Index(usize),
    Name(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCsv {
    pub separator: Option<Spanned<String>>,
    pub encoding: Option<Spanned<String>>,
    pub decimal_comma: Option<bool>,
}

/// A missing code: a number or a text.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(super) enum RawCode {
    Number(f64),
    Text(String),
}

/// `missing_codes = [9, "NSP"]` (every column) or `missing_codes = { satisfaction = [99], "*" = [9] }`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawMissingCodes {
    All(Vec<RawCode>),
    ByColumn(BTreeMap<String, Vec<RawCode>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIndicator {
    pub id: Spanned<String>,
    pub label: Option<String>,
    pub statistic: Spanned<String>,
    pub published: Spanned<Published>,
    pub source: Option<String>,
    // checks
    pub tolerance: Option<Spanned<f64>>,
    pub relative_tolerance: Option<Spanned<f64>>,
    pub within_ci: Option<Spanned<bool>>,
    pub above: Option<Spanned<bool>>,
    pub below: Option<Spanned<bool>>,
    // filters
    pub filter: Option<Spanned<RawFilter>>,
    // parameters of the generic statistics
    pub table: Option<Spanned<String>>,
    pub column: Option<Spanned<String>>,
    pub equals: Option<Spanned<String>>,
    pub method: Option<Spanned<String>>,
    pub outcome: Option<Spanned<String>>,
    pub level: Option<Spanned<String>>,
    pub covariates: Option<Spanned<Vec<String>>>,
    pub top_share: Option<Spanned<f64>>,
    pub theme: Option<Spanned<String>>,
    pub alpha: Option<Spanned<f64>>,
    pub silence_rate: Option<Spanned<f64>>,
    pub min_mentions: Option<Spanned<u64>>,
}

impl RawIndicator {
    /// The keys serde requires, in declaration order (a missing one is the first absent).
    pub const REQUIRED: &'static [&'static str] = &["id", "statistic", "published"];
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilter {
    pub study: Option<Spanned<Names>>,
    pub unit: Option<Spanned<Names>>,
    pub customer_facing: Option<Spanned<bool>>,
}

/// A string or an array of strings.
#[derive(Deserialize)]
#[serde(try_from = "RawNames")]
pub(super) struct Names(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum RawNames {
    One(String),
    Many(Vec<String>),
    Other(toml::Value),
}

impl TryFrom<RawNames> for Names {
    type Error = String;
    fn try_from(raw: RawNames) -> Result<Names, String> {
        match raw {
            RawNames::One(s) => Ok(Names(vec![s])),
            RawNames::Many(v) => Ok(Names(v)),
            // an array with an element that is not a string: the element is refused, as a
            // sequence of strings refuses it
            RawNames::Other(toml::Value::Array(items)) => {
                let bad = items.iter().find(|v| !v.is_str()).map_or(Unexpected::Seq, unexpected);
                Err(invalid_type(bad, "a string"))
            }
            RawNames::Other(v) => Err(invalid_type(unexpected(&v), "a string or an array of strings")),
        }
    }
}

/// The published value as written: a number, a text, or neither (refused).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawPublished {
    Number(f64),
    Text(String),
    Other(toml::Value),
}

impl TryFrom<RawPublished> for Published {
    type Error = String;
    fn try_from(raw: RawPublished) -> Result<Published, String> {
        match raw {
            RawPublished::Number(x) => Ok(Published::Number(x)),
            RawPublished::Text(t) => Ok(Published::Text(t)),
            RawPublished::Other(v) => {
                Err(invalid_type(unexpected(&v), "a number (or, for statistic 'moment', the moment's name)"))
            }
        }
    }
}

/// serde's `invalid type: {unexpected}, expected {what}` (the text of `de::Error::invalid_type`).
fn invalid_type(unexpected: Unexpected<'_>, what: &str) -> String {
    format!("invalid type: {unexpected}, expected {what}")
}

/// How serde names a TOML value it did not expect (a datetime reaches a visitor as a map).
fn unexpected(v: &toml::Value) -> Unexpected<'_> {
    match v {
        toml::Value::String(s) => Unexpected::Str(s),
        toml::Value::Integer(i) => Unexpected::Signed(*i),
        toml::Value::Float(f) => Unexpected::Float(*f),
        toml::Value::Boolean(b) => Unexpected::Bool(*b),
        toml::Value::Array(_) => Unexpected::Seq,
        toml::Value::Table(_) | toml::Value::Datetime(_) => Unexpected::Map,
    }
}
