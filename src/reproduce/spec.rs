//! The reproduce spec: a TOML file of published figures, parsed and validated once.
//!
//! Parsing goes through serde with `deny_unknown_fields` and [`toml::Spanned`] values, so every
//! error — TOML syntax, unknown key, wrong type, unknown statistic, a check that does not fit —
//! becomes a [`MiroirError::Spec`] naming the file, the 1-based line and the key, e.g.
//! `spec.toml:14: indicator 'can_contribute': unknown key 'tolerence' (expected one of ...)`.
//! The format itself is documented in README.md ("Reproducing published figures").

use crate::analysis::indicators::SEED_FIGURES;
use crate::analysis::{CorrelationMethod, Outcome};
use crate::data::{Schema, Table};
use crate::error::{MiroirError, Result};
use crate::stats::proportions::ProportionMethod;
use crate::synth::model::SynthConfig;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;
use toml::Spanned;

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

// ---------------------------------------------------------------------------------------------
// Raw (serde) structures: exactly the keys of the format.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    title: Option<String>,
    options: Option<RawOptions>,
    data: Option<Spanned<RawData>>,
    schema: Option<Spanned<RawSchema>>,
    #[serde(default)]
    indicator: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOptions {
    confidence: Option<Spanned<f64>>,
    ci_method: Option<Spanned<String>>,
    n_resamples: Option<Spanned<u64>>,
    seed: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    dir: Option<Spanned<String>>,
    employees: Option<Spanned<String>>,
    customers: Option<Spanned<String>>,
    mentions: Option<Spanned<String>>,
    synthetic: Option<Spanned<RawSynthetic>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynthetic {
    studies: Option<usize>,
    employees: Option<usize>,
    customers: Option<usize>,
    seed: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    satisfaction_scale: Option<Spanned<Vec<f64>>>,
    satisfied_threshold: Option<Spanned<f64>>,
    min_group_size: Option<Spanned<usize>>,
    min_text_group_size: Option<Spanned<usize>>,
    engagement_items: Option<Spanned<Vec<String>>>,
    item_scale: Option<Spanned<Vec<f64>>>,
    employees: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    customers: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    mentions: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    verbatims: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    csv: Option<Spanned<RawCsv>>,
    missing_codes: Option<Spanned<RawMissingCodes>>,
    constants: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    item_scales: Option<BTreeMap<Spanned<String>, Spanned<Vec<f64>>>>,
    reverse_items: Option<Spanned<Vec<String>>>,
    min_items_answered: Option<Spanned<usize>>,
    missing_satisfaction: Option<Spanned<String>>,
    excel: Option<Spanned<RawExcel>>,
    recode: Option<BTreeMap<String, BTreeMap<String, RawCode>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExcel {
    sheet: RawSheet,
}

/// A sheet by name or by 0-based position.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawSheet {
    Index(usize),
    Name(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCsv {
    separator: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    decimal_comma: Option<bool>,
}

/// A missing code: a number or a text.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum RawCode {
    Number(f64),
    Text(String),
}

/// `missing_codes = [9, "NSP"]` (every column) or `missing_codes = { satisfaction = [99], "*" = [9] }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawMissingCodes {
    All(Vec<RawCode>),
    ByColumn(BTreeMap<String, Vec<RawCode>>),
}

fn missing_code(c: &RawCode) -> crate::data::schema::MissingCode {
    match c {
        RawCode::Number(x) => crate::data::schema::MissingCode::Number(*x),
        RawCode::Text(t) => crate::data::schema::MissingCode::Text(t.clone()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    label: Option<String>,
    statistic: Spanned<String>,
    published: Spanned<Published>,
    source: Option<String>,
    // checks
    tolerance: Option<Spanned<f64>>,
    relative_tolerance: Option<Spanned<f64>>,
    within_ci: Option<Spanned<bool>>,
    above: Option<Spanned<bool>>,
    below: Option<Spanned<bool>>,
    // filters
    filter: Option<Spanned<RawFilter>>,
    // parameters of the generic statistics
    table: Option<Spanned<String>>,
    column: Option<Spanned<String>>,
    equals: Option<Spanned<String>>,
    method: Option<Spanned<String>>,
    outcome: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
    covariates: Option<Spanned<Vec<String>>>,
    top_share: Option<Spanned<f64>>,
    theme: Option<Spanned<String>>,
    alpha: Option<Spanned<f64>>,
    silence_rate: Option<Spanned<f64>>,
    min_mentions: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    study: Option<Spanned<Names>>,
    unit: Option<Spanned<Names>>,
    customer_facing: Option<Spanned<bool>>,
}

/// A string or an array of strings.
struct Names(Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Names, E> {
                Ok(Names(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Names, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Names(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The published value: a number, or a moment's name for `statistic = "moment"`.
#[derive(Debug, Clone, PartialEq)]
pub enum Published {
    Number(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for Published {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Published;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number (or, for statistic 'moment', the moment's name)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Published, E> {
                Ok(Published::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Published, E> {
                Ok(Published::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Published, E> {
                Ok(Published::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Published, E> {
                Ok(Published::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------------
// The validated spec.

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
        Options { confidence: 0.95, ci_method: ProportionMethod::Wilson, n_resamples: 1999, seed: 0 }
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

// ---------------------------------------------------------------------------------------------
// Locating errors in the source text.

/// The source text, with what is needed to turn byte offsets into "line N, in indicator 'x'".
struct Source<'a> {
    path: &'a str,
    text: &'a str,
    /// The ids of the `[[indicator]]` tables in order (None when absent or not a string).
    ids: Vec<Option<String>>,
}

impl<'a> Source<'a> {
    fn new(path: &'a str, text: &'a str) -> Self {
        let ids = text
            .parse::<toml::Table>()
            .ok()
            .and_then(|t| t.get("indicator").and_then(|v| v.as_array()).cloned())
            .map(|a| a.iter().map(|v| v.get("id").and_then(|i| i.as_str()).map(String::from)).collect())
            .unwrap_or_default();
        Source { path, text, ids }
    }

    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
    }

    /// Where a line sits: `indicator 'x'`, `indicator 'x', filter`, `[data]`, or `top level`.
    fn context(&self, line: usize) -> String {
        let mut header: Option<(bool, String)> = None;
        let mut k = 0usize;
        for (i, l) in self.text.lines().enumerate() {
            if i + 1 > line {
                break;
            }
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix("[[") {
                let name = rest.split("]]").next().unwrap_or("").trim().to_string();
                if name == "indicator" {
                    k += 1;
                }
                header = Some((true, name));
            } else if let Some(rest) = t.strip_prefix('[') {
                let name = rest.split(']').next().unwrap_or("").trim().to_string();
                header = Some((false, name));
            }
        }
        let indicator = |k: usize| match self.ids.get(k.wrapping_sub(1)).cloned().flatten() {
            Some(id) => format!("indicator '{id}'"),
            None => format!("indicator #{k}"),
        };
        match header {
            None => "top level".into(),
            Some((true, name)) if name == "indicator" => indicator(k),
            Some((false, name)) if name.starts_with("indicator.") && k > 0 => {
                format!("{}, {}", indicator(k), &name["indicator.".len()..])
            }
            Some((_, name)) => format!("[{name}]"),
        }
    }

    /// The key whose value starts at `offset` (the last `key =` before it on its line).
    fn key_at(&self, offset: usize) -> String {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = &self.text[start..offset];
        let Some(eq) = before.rfind('=') else { return String::new() };
        let lhs = before[..eq].trim_end();
        let key = lhs.rsplit(|c: char| c.is_whitespace() || c == '{' || c == ',').next().unwrap_or("");
        key.trim_matches(|c| c == '"' || c == '\'').to_string()
    }

    fn err(&self, line: usize, key: &str, detail: String) -> MiroirError {
        MiroirError::Spec { path: self.path.to_string(), line, key: key.to_string(), detail }
    }

    /// An error about the value at `span`, in its context: `indicator 'x': key 'k': detail`.
    fn at(&self, span: Range<usize>, key: &str, detail: impl fmt::Display) -> MiroirError {
        let line = self.line(span.start);
        self.err(line, key, format!("{}: key '{key}': {detail}", self.context(line)))
    }

    fn toml_error(&self, e: &toml::de::Error, syntax: bool) -> MiroirError {
        let msg = e.message().trim().to_string();
        let Some(span) = e.span() else {
            return self.err(0, "", format!("invalid spec: {msg}"));
        };
        let line = self.line(span.start);
        let context = self.context(line);
        let quote = |s: &str| s.replace('`', "'");
        if syntax {
            return self.err(line, &self.key_at(span.start), format!("invalid TOML: {}", quote(&msg)));
        }
        if let Some(rest) = msg.strip_prefix("unknown field `") {
            let key = rest.split('`').next().unwrap_or("").to_string();
            let expected = rest.split_once(", ").map(|(_, e)| quote(e)).unwrap_or_default();
            let detail = if expected.is_empty() {
                format!("{context}: unknown key '{key}'")
            } else {
                format!("{context}: unknown key '{key}' ({expected})")
            };
            return self.err(line, &key, detail);
        }
        if let Some(rest) = msg.strip_prefix("missing field `") {
            let key = rest.split('`').next().unwrap_or("").to_string();
            return self.err(line, &key, format!("{context}: missing key '{key}'"));
        }
        let key = self.key_at(span.start);
        self.err(line, &key, format!("{context}: key '{key}': {}", quote(&msg)))
    }
}

// ---------------------------------------------------------------------------------------------
// Validation.

/// Parses and validates a spec. `path` is only used in messages; `base_dir` is where relative
/// data paths are resolved.
/// A schema file (`schema.toml`, written by `Study.write` beside the tables, or given with
/// `--schema`): a `[schema]` table in the format of a reproduce spec's `[schema]`; errors name
/// the file, the line and the key.
pub fn parse_schema_file(text: &str, path: &str) -> Result<Schema> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawSchemaFile {
        schema: Option<Spanned<RawSchema>>,
    }
    let src = Source::new(path, text);
    let raw: RawSchemaFile = toml::from_str(text).map_err(|e| src.toml_error(&e, false))?;
    if raw.schema.is_none() {
        return Err(src.err(1, "schema", "a schema file needs a [schema] table".into()));
    }
    schema(&src, raw.schema, false)
}

/// The `[schema]` table of a schema (every setting that differs from the defaults, and the
/// scales always), readable by [`parse_schema_file`] and as a spec's `[schema]`.
pub fn schema_to_toml(schema: &Schema) -> String {
    use toml::Value;
    let mut t = toml::Table::new();
    let pair = |(a, b): (f64, f64)| Value::Array(vec![Value::Float(a), Value::Float(b)]);
    t.insert("satisfaction_scale".into(), pair(schema.satisfaction_scale()));
    t.insert("satisfied_threshold".into(), Value::Float(schema.satisfied_threshold()));
    t.insert("min_group_size".into(), Value::Integer(schema.min_group_size() as i64));
    t.insert("min_text_group_size".into(), Value::Integer(schema.min_text_group_size() as i64));
    if let Some(items) = schema.engagement_items() {
        t.insert("engagement_items".into(), Value::Array(items.columns.iter().cloned().map(Value::String).collect()));
        t.insert("item_scale".into(), pair(items.scale));
        if !items.item_scales.is_empty() {
            t.insert(
                "item_scales".into(),
                Value::Table(items.item_scales.iter().map(|(k, v)| (k.clone(), pair(*v))).collect()),
            );
        }
        if !items.reverse.is_empty() {
            t.insert("reverse_items".into(), Value::Array(items.reverse.iter().cloned().map(Value::String).collect()));
        }
        if let Some(k) = items.min_answered {
            t.insert("min_items_answered".into(), Value::Integer(k as i64));
        }
    }
    for table in Table::ALL {
        let m: toml::Table = schema.rename(table).map(|(a, b)| (a.to_string(), Value::String(b.to_string()))).collect();
        if !m.is_empty() {
            t.insert(table.as_str().into(), Value::Table(m));
        }
    }
    let csv = schema.csv();
    let mut c = toml::Table::new();
    if let Some(sep) = csv.separator {
        c.insert("separator".into(), Value::String((sep as char).to_string()));
    }
    if let Some(e) = &csv.encoding {
        c.insert("encoding".into(), Value::String(e.clone()));
    }
    if let Some(d) = csv.decimal_comma {
        c.insert("decimal_comma".into(), Value::Boolean(d));
    }
    if !c.is_empty() {
        t.insert("csv".into(), Value::Table(c));
    }
    let code = |c: &crate::data::schema::MissingCode| match c {
        crate::data::schema::MissingCode::Number(x) => Value::Float(*x),
        crate::data::schema::MissingCode::Text(s) => Value::String(s.clone()),
    };
    let (global, by) = schema.missing_codes();
    if !global.is_empty() || !by.is_empty() {
        let mut m = toml::Table::new();
        if !global.is_empty() {
            m.insert("*".into(), Value::Array(global.iter().map(code).collect()));
        }
        for (k, v) in by {
            m.insert(k.clone(), Value::Array(v.iter().map(code).collect()));
        }
        t.insert("missing_codes".into(), Value::Table(m));
    }
    if !schema.recodes().is_empty() {
        let mut r = toml::Table::new();
        for (column, labels) in schema.recodes() {
            let m: toml::Table = labels
                .iter()
                .map(|(label, v)| {
                    let v = match v {
                        crate::data::schema::RecodeTarget::Number(x) => Value::Float(*x),
                        crate::data::schema::RecodeTarget::Text(t) => Value::String(t.clone()),
                    };
                    (label.clone(), v)
                })
                .collect();
            r.insert(column.clone(), Value::Table(m));
        }
        t.insert("recode".into(), Value::Table(r));
    }
    if let Some(sheet) = schema.excel_sheet() {
        let mut e = toml::Table::new();
        e.insert(
            "sheet".into(),
            match sheet {
                crate::data::SheetChoice::Name(n) => Value::String(n.clone()),
                crate::data::SheetChoice::Index(i) => Value::Integer(*i as i64),
            },
        );
        t.insert("excel".into(), Value::Table(e));
    }
    if schema.missing_satisfaction() != crate::data::schema::MissingPolicy::default() {
        t.insert("missing_satisfaction".into(), Value::String(schema.missing_satisfaction().as_str().into()));
    }
    if !schema.constants().is_empty() {
        t.insert(
            "constants".into(),
            Value::Table(schema.constants().iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()),
        );
    }
    let mut doc = toml::Table::new();
    doc.insert("schema".into(), Value::Table(t));
    toml::to_string(&doc).unwrap_or_default()
}

pub fn parse_spec(text: &str, path: &str, base_dir: PathBuf) -> Result<Spec> {
    let src = Source::new(path, text);
    if let Err(e) = text.parse::<toml::Table>() {
        return Err(src.toml_error(&e, true));
    }
    let raw: RawSpec = toml::from_str(text).map_err(|e| src.toml_error(&e, false))?;

    let options = options(&src, raw.options)?;
    let data = raw.data.map(|d| data_source(&src, d)).transpose()?;
    let schema = schema(&src, raw.schema, matches!(data, Some(DataSource::Synthetic { .. })))?;
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
        indicators.push(indicator(&src, ind, line)?);
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

fn options(src: &Source, raw: Option<RawOptions>) -> Result<Options> {
    let mut o = Options::default();
    let Some(raw) = raw else { return Ok(o) };
    if let Some(c) = raw.confidence {
        let v = *c.get_ref();
        if !(v > 0.0 && v < 1.0) {
            return Err(src.at(c.span(), "confidence", format!("must lie strictly between 0 and 1, got {v}")));
        }
        o.confidence = v;
    }
    if let Some(m) = raw.ci_method {
        o.ci_method = ProportionMethod::from_str(m.get_ref()).map_err(|e| src.at(m.span(), "ci_method", e))?;
    }
    if let Some(n) = raw.n_resamples {
        let max = crate::stats::resample::MAX_RESAMPLES as u64;
        if !(100..=max).contains(n.get_ref()) {
            return Err(src.at(n.span(), "n_resamples", format!("must lie between 100 and {max}, got {}", n.get_ref())));
        }
        o.n_resamples = *n.get_ref() as usize;
    }
    if let Some(s) = raw.seed {
        o.seed = *s.get_ref();
    }
    Ok(o)
}

fn spec_path(src: &Source, key: &'static str, v: Spanned<String>) -> Result<SpecPath> {
    if v.get_ref().trim().is_empty() {
        return Err(src.at(v.span(), key, "the path is empty"));
    }
    Ok(SpecPath { key, line: src.line(v.span().start), path: v.into_inner() })
}

fn data_source(src: &Source, raw: Spanned<RawData>) -> Result<DataSource> {
    let line = src.line(raw.span().start);
    let d = raw.into_inner();
    let forms = [d.dir.is_some(), d.employees.is_some() || d.customers.is_some() || d.mentions.is_some(), d.synthetic.is_some()];
    let bad = |detail: &str| Err(src.err(line, "data", format!("[data]: {detail}")));
    match forms.iter().filter(|f| **f).count() {
        0 => return bad("give `dir`, or `employees` and `customers` files, or `synthetic = { ... }`"),
        1 => {}
        _ => return bad("give only one of `dir`, the `employees`/`customers` files, or `synthetic`"),
    }
    if let Some(dir) = d.dir {
        return Ok(DataSource::Dir(spec_path(src, "dir", dir)?));
    }
    if let Some(s) = d.synthetic {
        let line = src.line(s.span().start);
        let span = s.span();
        let s = s.into_inner();
        let def = SynthConfig::default();
        let config = SynthConfig {
            studies: s.studies.unwrap_or(def.studies),
            employees: s.employees.unwrap_or(def.employees),
            customers: s.customers.unwrap_or(def.customers),
            seed: s.seed.unwrap_or(def.seed),
            wave: 0,
        };
        if config.studies == 0 || config.employees == 0 || config.customers == 0 {
            return Err(src.at(span, "synthetic", "studies, employees and customers must be positive"));
        }
        return Ok(DataSource::Synthetic { config, line });
    }
    let (Some(e), Some(c)) = (d.employees, d.customers) else {
        return bad("give both `employees` and `customers` files");
    };
    Ok(DataSource::Files {
        employees: spec_path(src, "employees", e)?,
        customers: spec_path(src, "customers", c)?,
        mentions: d.mentions.map(|m| spec_path(src, "mentions", m)).transpose()?,
    })
}

fn pair(src: &Source, key: &str, v: &Spanned<Vec<f64>>) -> Result<(f64, f64)> {
    match v.get_ref().as_slice() {
        [a, b] => Ok((*a, *b)),
        other => Err(src.at(v.span(), key, format!("expected [low, high], got {} values", other.len()))),
    }
}

fn schema(src: &Source, raw: Option<Spanned<RawSchema>>, synthetic: bool) -> Result<Schema> {
    let Some(raw) = raw else { return Ok(Schema::default()) };
    let line = src.line(raw.span().start);
    let s = raw.into_inner();
    let mut b = Schema::builder();
    for (table, map) in [
        (Table::Employees, &s.employees),
        (Table::Customers, &s.customers),
        (Table::Mentions, &s.mentions),
        (Table::Verbatims, &s.verbatims),
    ] {
        let Some(map) = map else { continue };
        for (source, target) in map {
            if synthetic {
                return Err(src.at(source.span(), source.get_ref(), "column mappings apply to data files, not to synthetic data"));
            }
            if table.column(target.get_ref()).is_none() {
                let known: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
                return Err(src.at(
                    target.span(),
                    source.get_ref(),
                    format!("'{}' is not a column of the {table} table (known: {})", target.get_ref(), known.join(", ")),
                ));
            }
            b = b.map_column(table, source.get_ref(), target.get_ref());
        }
    }
    let mut key_line = line;
    let mut key = "schema";
    if let Some(v) = &s.satisfaction_scale {
        let (lo, hi) = pair(src, "satisfaction_scale", v)?;
        b = b.satisfaction_scale(lo, hi);
        (key, key_line) = ("satisfaction_scale", src.line(v.span().start));
    }
    if let Some(v) = &s.satisfied_threshold {
        b = b.satisfied_threshold(*v.get_ref());
        (key, key_line) = ("satisfied_threshold", src.line(v.span().start));
    }
    if let Some(v) = &s.min_group_size {
        b = b.min_group_size(*v.get_ref());
    }
    if let Some(v) = &s.min_text_group_size {
        b = b.min_text_group_size(*v.get_ref());
    }
    if let Some(v) = &s.csv {
        let raw = v.get_ref();
        let mut o = crate::data::schema::CsvOptions::default();
        if let Some(sep) = &raw.separator {
            let t = sep.get_ref();
            let t = if t == "\\t" { "\t" } else { t.as_str() };
            if t.len() != 1 {
                return Err(src.at(sep.span(), "separator", format!("must be one character, got {:?}", sep.get_ref())));
            }
            o.separator = Some(t.as_bytes()[0]);
        }
        o.encoding = raw.encoding.as_ref().map(|e| e.get_ref().clone());
        o.decimal_comma = raw.decimal_comma;
        b = b.csv(o);
        (key, key_line) = ("csv", src.line(v.span().start));
    }
    if let Some(v) = &s.missing_codes {
        match v.get_ref() {
            RawMissingCodes::All(codes) => b = b.missing_codes(codes.iter().map(missing_code).collect()),
            RawMissingCodes::ByColumn(map) => {
                for (column, codes) in map {
                    let codes = codes.iter().map(missing_code).collect();
                    b = if column == "*" { b.missing_codes(codes) } else { b.column_missing_codes(column, codes) };
                }
            }
        }
        (key, key_line) = ("missing_codes", src.line(v.span().start));
    }
    if let Some(map) = &s.constants {
        for (column, value) in map {
            b = b.constant(column.get_ref(), value.get_ref());
            (key, key_line) = ("constants", src.line(column.span().start));
        }
    }
    if let Some(map) = &s.item_scales {
        for (item, scale) in map {
            let (lo, hi) = pair(src, "item_scales", scale)?;
            b = b.item_scale_of(item.get_ref(), lo, hi);
            (key, key_line) = ("item_scales", src.line(item.span().start));
        }
    }
    if let Some(v) = &s.reverse_items {
        b = b.reverse_items(v.get_ref().clone());
        (key, key_line) = ("reverse_items", src.line(v.span().start));
    }
    if let Some(map) = &s.recode {
        for (column, labels) in map {
            for (label, value) in labels {
                let target = match value {
                    RawCode::Number(x) => crate::data::schema::RecodeTarget::Number(*x),
                    RawCode::Text(t) => crate::data::schema::RecodeTarget::Text(t.clone()),
                };
                b = b.recode(column, label, target);
            }
        }
    }
    if let Some(v) = &s.excel {
        b = b.excel_sheet(match &v.get_ref().sheet {
            RawSheet::Index(i) => crate::data::SheetChoice::Index(*i),
            RawSheet::Name(n) => crate::data::SheetChoice::Name(n.clone()),
        });
    }
    if let Some(v) = &s.missing_satisfaction {
        let policy = v.get_ref().parse().map_err(|e: MiroirError| match e {
            MiroirError::InvalidArgument { detail, .. } => src.at(v.span(), "missing_satisfaction", detail),
            other => other,
        })?;
        b = b.missing_satisfaction(policy);
    }
    if let Some(v) = &s.min_items_answered {
        b = b.min_items_answered(*v.get_ref());
        (key, key_line) = ("min_items_answered", src.line(v.span().start));
    }
    match (&s.engagement_items, &s.item_scale) {
        (Some(items), Some(scale)) => {
            let (lo, hi) = pair(src, "item_scale", scale)?;
            b = b.engagement_items(items.get_ref().clone(), lo, hi);
            if key == "schema" {
                (key, key_line) = ("engagement_items", src.line(items.span().start));
            }
        }
        (None, None) => {}
        (Some(v), None) => return Err(src.at(v.span(), "engagement_items", "needs `item_scale = [low, high]`")),
        (None, Some(v)) => return Err(src.at(v.span(), "item_scale", "needs `engagement_items = [...]`")),
    }
    b.build().map_err(|e| {
        let detail = match e {
            MiroirError::InvalidSchema { detail } => detail,
            other => other.to_string(),
        };
        src.err(key_line, key, format!("[schema]: {detail}"))
    })
}

fn parse_in<T: FromStr<Err = MiroirError>>(src: &Source, key: &str, v: &Spanned<String>) -> Result<T> {
    T::from_str(v.get_ref()).map_err(|e| match e {
        MiroirError::InvalidArgument { detail, .. } => src.at(v.span(), key, detail),
        other => src.at(v.span(), key, other),
    })
}

fn fraction(src: &Source, key: &str, v: &Option<Spanned<f64>>, default: f64, hi: f64) -> Result<f64> {
    match v {
        None => Ok(default),
        Some(v) => {
            let x = *v.get_ref();
            if x > 0.0 && x < hi {
                Ok(x)
            } else {
                Err(src.at(v.span(), key, format!("must lie strictly between 0 and {hi}, got {x}")))
            }
        }
    }
}

fn side(src: &Source, v: &Option<Spanned<String>>) -> Result<Side> {
    match v {
        None => Ok(Side::Employees),
        Some(v) => match v.get_ref().as_str() {
            "employees" => Ok(Side::Employees),
            "customers" => Ok(Side::Customers),
            other => Err(src.at(v.span(), "table", format!("expected 'employees' or 'customers', got '{other}'"))),
        },
    }
}

fn indicator(src: &Source, r: RawIndicator, line: usize) -> Result<IndicatorSpec> {
    let id = r.id.get_ref().clone();
    if id.trim().is_empty() {
        return Err(src.at(r.id.span(), "id", "the id is empty"));
    }
    let ctx = format!("indicator '{id}'");
    let name = r.statistic.get_ref().as_str();
    let seed = SEED_FIGURES.iter().find(|f| f.0 == name);
    let generic = GENERIC_STATISTICS.iter().find(|g| g.0 == name);
    if seed.is_none() && generic.is_none() {
        return Err(src.at(
            r.statistic.span(),
            "statistic",
            format!("unknown statistic '{name}' (expected one of {})", statistic_names().join(", ")),
        ));
    }
    let allowed: &[&str] = generic.map_or(&[], |g| g.1);
    let params: [(&str, Option<Range<usize>>); 12] = [
        ("table", r.table.as_ref().map(|v| v.span())),
        ("column", r.column.as_ref().map(|v| v.span())),
        ("equals", r.equals.as_ref().map(|v| v.span())),
        ("method", r.method.as_ref().map(|v| v.span())),
        ("outcome", r.outcome.as_ref().map(|v| v.span())),
        ("level", r.level.as_ref().map(|v| v.span())),
        ("covariates", r.covariates.as_ref().map(|v| v.span())),
        ("top_share", r.top_share.as_ref().map(|v| v.span())),
        ("theme", r.theme.as_ref().map(|v| v.span())),
        ("alpha", r.alpha.as_ref().map(|v| v.span())),
        ("silence_rate", r.silence_rate.as_ref().map(|v| v.span())),
        ("min_mentions", r.min_mentions.as_ref().map(|v| v.span())),
    ];
    for (key, span) in &params {
        if let Some(span) = span {
            if !allowed.contains(key) {
                let takes = if allowed.is_empty() {
                    "it takes no parameter".to_string()
                } else {
                    format!("its parameters: {}", allowed.join(", "))
                };
                return Err(src.at(span.clone(), key, format!("does not apply to statistic '{name}' ({takes})")));
            }
        }
    }
    let need = |key: &str, v: &Option<Spanned<String>>| -> Result<(String, usize)> {
        match v {
            Some(v) if !v.get_ref().is_empty() => Ok((v.get_ref().clone(), src.line(v.span().start))),
            Some(v) => Err(src.at(v.span(), key, "must not be empty")),
            None => Err(src.err(line, key, format!("{ctx}: statistic '{name}' needs key '{key}'"))),
        }
    };
    let statistic = match (seed, name) {
        (Some(f), _) => Statistic::Seed(f.0),
        (None, "share") => {
            let (column, line) = need("column", &r.column)?;
            Statistic::Share { side: side(src, &r.table)?, column, equals: r.equals.map(Spanned::into_inner), line }
        }
        (None, "mean") => {
            let (column, line) = need("column", &r.column)?;
            Statistic::Mean { side: side(src, &r.table)?, column, line }
        }
        (None, "share_satisfied") => Statistic::ShareSatisfied,
        (None, "correlation") => Statistic::Correlation {
            method: r.method.as_ref().map_or(Ok(CorrelationMethod::Pearson), |v| parse_in(src, "method", v))?,
            outcome: r.outcome.as_ref().map_or(Ok(Outcome::ShareSatisfied), |v| parse_in(src, "outcome", v))?,
        },
        (None, "engagement_gap") => {
            let level = match &r.level {
                None => GapLevel::Pooled,
                Some(v) => match v.get_ref().as_str() {
                    "pooled" => GapLevel::Pooled,
                    "largest" => GapLevel::Largest,
                    "adjusted" => GapLevel::Adjusted,
                    other => {
                        return Err(src.at(
                            v.span(),
                            "level",
                            format!("expected 'pooled', 'largest' or 'adjusted', got '{other}'"),
                        ))
                    }
                },
            };
            if let (Some(c), false) = (&r.covariates, level == GapLevel::Adjusted) {
                return Err(src.at(c.span(), "covariates", "only applies with level = \"adjusted\""));
            }
            Statistic::EngagementGap { level, covariates: r.covariates.map(Spanned::into_inner).unwrap_or_default() }
        }
        (None, "top_share_uplift") => {
            Statistic::TopShareUplift { top_share: fraction(src, "top_share", &r.top_share, 0.08, 1.0)? }
        }
        (None, "moment") => {
            let (theme, _) = need("theme", &r.theme)?;
            let min_mentions = match &r.min_mentions {
                Some(v) if *v.get_ref() == 0 => return Err(src.at(v.span(), "min_mentions", "must be at least 1")),
                Some(v) => *v.get_ref(),
                None => 10,
            };
            Statistic::Moment {
                theme,
                alpha: fraction(src, "alpha", &r.alpha, 0.05, 0.5)?,
                silence_rate: fraction(src, "silence_rate", &r.silence_rate, 0.02, 1.0)?,
                min_mentions,
            }
        }
        _ => unreachable!("statistic names are checked above"),
    };

    // The published value and the check.
    let is_moment = matches!(statistic, Statistic::Moment { .. });
    let published = r.published.get_ref().clone();
    match (&published, is_moment) {
        (Published::Number(x), false) if !x.is_finite() => {
            return Err(src.at(r.published.span(), "published", "must be a finite number"))
        }
        (Published::Number(_), false) | (Published::Text(_), true) => {}
        (Published::Text(_), false) => {
            return Err(src.at(r.published.span(), "published", format!("statistic '{name}' needs a number")))
        }
        (Published::Number(_), true) => {
            return Err(src.at(r.published.span(), "published", "statistic 'moment' needs the moment's name, e.g. \"pain\""))
        }
    }
    if let Published::Text(m) = &published {
        use crate::analysis::moments::Moment;
        let known: Vec<&str> =
            Moment::ALL.iter().map(|m| m.key()).chain([Moment::UNDETERMINED, Moment::TOO_FEW_MENTIONS]).collect();
        if !known.contains(&m.as_str()) {
            return Err(src.at(r.published.span(), "published", format!("unknown moment '{m}' (expected one of {})", known.join(", "))));
        }
    }
    let mut checks: Vec<(&str, Range<usize>, Check)> = Vec::new();
    if let Some(t) = &r.tolerance {
        checks.push(("tolerance", t.span(), Check::Tolerance(*t.get_ref())));
    }
    if let Some(t) = &r.relative_tolerance {
        checks.push(("relative_tolerance", t.span(), Check::RelativeTolerance(*t.get_ref())));
    }
    for (key, v, c) in [("within_ci", &r.within_ci, Check::WithinCi), ("above", &r.above, Check::Above), ("below", &r.below, Check::Below)] {
        if let Some(v) = v {
            if !*v.get_ref() {
                return Err(src.at(v.span(), key, "only `true` is meaningful; remove the key to drop the check"));
            }
            checks.push((key, v.span(), c));
        }
    }
    const CHECK_KEYS: &str = "tolerance, relative_tolerance, within_ci, above, below";
    let check = if is_moment {
        if let Some((key, span, _)) = checks.first() {
            return Err(src.at(span.clone(), key, "statistic 'moment' is checked by equality and takes no check key"));
        }
        Check::Equals
    } else {
        match checks.as_slice() {
            [] => return Err(src.err(line, "tolerance", format!("{ctx}: no check: give one of {CHECK_KEYS}"))),
            [(key, span, c)] => {
                if let Check::Tolerance(t) | Check::RelativeTolerance(t) = c {
                    if !(t.is_finite() && *t >= 0.0) {
                        return Err(src.at(span.clone(), key, format!("must be a finite number >= 0, got {t}")));
                    }
                }
                *c
            }
            [_, (key, span, _), ..] => {
                return Err(src.at(span.clone(), key, format!("give only one check among {CHECK_KEYS}")))
            }
        }
    };

    let mut filter = Filter::default();
    if let Some(f) = r.filter {
        filter.line = src.line(f.span().start);
        let f = f.into_inner();
        for (key, v, out) in [("study", f.study, &mut filter.studies), ("unit", f.unit, &mut filter.units)] {
            if let Some(v) = v {
                if v.get_ref().0.is_empty() || v.get_ref().0.iter().any(|s| s.is_empty()) {
                    return Err(src.at(v.span(), key, "names must not be empty"));
                }
                let mut names = v.into_inner().0;
                names.sort();
                names.dedup();
                *out = names;
            }
        }
        filter.customer_facing = f.customer_facing.map(Spanned::into_inner);
    }

    let label = r.label.unwrap_or_else(|| {
        seed.map_or_else(|| id.clone(), |f| f.1.to_string())
    });
    Ok(IndicatorSpec {
        id,
        label,
        statistic_name: name.to_string(),
        statistic,
        published,
        check,
        filter,
        source: r.source,
        line,
    })
}
