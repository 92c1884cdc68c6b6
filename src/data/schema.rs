//! The schema: how a client's export maps onto the canonical data model, and the scales,
//! thresholds and suppression limits the analyses use. Checked once, when built.

use crate::error::{MiroirError, Result};
use crate::stats::names;
use std::collections::BTreeMap;

/// The tables of a mirror study: the two respondent tables, the coded mentions, and the raw
/// verbatims that coding turns into mentions. Names (`employees`, ...) derived with strum.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::EnumIter, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum Table {
    Employees,
    Customers,
    Mentions,
    Verbatims,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Employees, Table::Customers, Table::Mentions, Table::Verbatims];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The table named `name`; an unknown name is an [`MiroirError::InvalidSchema`] listing the
    /// tables.
    pub fn parse(name: &str) -> Result<Table> {
        names::parse::<Table>(name).map_err(|_| {
            let all: Vec<&str> = Table::ALL.iter().map(|t| t.as_str()).collect();
            MiroirError::InvalidSchema { detail: format!("unknown table '{name}' (expected {})", names::one_of(&all)) }
        })
    }

    /// The canonical columns of this table.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Table::Employees => EMPLOYEE_COLUMNS,
            Table::Customers => CUSTOMER_COLUMNS,
            Table::Mentions => MENTION_COLUMNS,
            Table::Verbatims => VERBATIM_COLUMNS,
        }
    }

    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }
}

/// The logical type of a canonical column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text label or id (integers are accepted and turned into text).
    Str,
    /// yes/no (booleans, 0/1, or the words yes/no, true/false, oui/non).
    Bool,
    /// A real number (integers accepted).
    Float,
    /// A whole number.
    Int,
    /// One of a fixed list of words.
    Category(&'static [&'static str]),
}

impl Kind {
    pub fn describe(self) -> String {
        match self {
            Kind::Str => "text (str)".into(),
            Kind::Bool => "yes/no (bool)".into(),
            Kind::Float => "a number (f64)".into(),
            Kind::Int => "a whole number (i64)".into(),
            Kind::Category(values) => format!("one of {}", values.join(", ")),
        }
    }
}

/// Allowed values of a numeric column; the satisfaction range comes from the schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    Any,
    /// Inclusive bounds.
    Closed(f64, f64),
    /// Strictly positive and finite.
    Positive,
    /// Zero or more.
    NonNegative,
    /// The satisfaction scale declared in the schema.
    SatisfactionScale,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub range: Range,
}

const fn col(name: &'static str, kind: Kind, required: bool, range: Range) -> ColumnSpec {
    ColumnSpec { name, kind, required, range }
}

pub const ASKED_CATEGORIES: &[&str] = &["never", "yearly", "several_per_year", "rarely"];
pub const SIDES: &[&str] = &["customer", "employee"];
pub const VALENCES: &[&str] = &["positive", "negative"];
/// The open questions: employees' `best` / `most_frustrating` interaction with a customer (they
/// give the valence), customers' `comment` (valence from the text), `liked` / `disliked`.
pub const QUESTIONS: &[&str] = &["best", "most_frustrating", "comment", "liked", "disliked"];
/// The questions each side is asked, and the valence a question gives (`None`: from the text).
pub const SIDE_QUESTIONS: &[(&str, &str, Option<&str>)] = &[
    ("employee", "best", Some("positive")),
    ("employee", "most_frustrating", Some("negative")),
    ("customer", "comment", None),
    ("customer", "liked", Some("positive")),
    ("customer", "disliked", Some("negative")),
];
pub const LANGUAGES: &[&str] = &["fr", "en"];

pub const EMPLOYEE_COLUMNS: &[ColumnSpec] = &[
    col("study", Kind::Str, true, Range::Any),
    col("unit", Kind::Str, true, Range::Any),
    col("employee_id", Kind::Str, true, Range::Any),
    col("customer_facing", Kind::Bool, true, Range::Any),
    col("engagement", Kind::Float, true, Range::Closed(0.0, 100.0)),
    col("can_contribute", Kind::Bool, false, Range::Any),
    col("has_ideas", Kind::Bool, false, Range::Any),
    col("has_cost_ideas", Kind::Bool, false, Range::Any),
    col("asked_about_customers", Kind::Category(ASKED_CATEGORIES), false, Range::Any),
    col("tenure_months", Kind::Int, false, Range::NonNegative),
    col("trained_customer", Kind::Bool, false, Range::Any),
    col("informed", Kind::Float, false, Range::Closed(0.0, 100.0)),
    col("manager_support", Kind::Float, false, Range::Closed(0.0, 100.0)),
    col("weight", Kind::Float, false, Range::Positive),
    // Not in the core contract: the company's sector, shown by summaries when present.
    col("sector", Kind::Str, false, Range::Any),
];

pub const CUSTOMER_COLUMNS: &[ColumnSpec] = &[
    col("study", Kind::Str, true, Range::Any),
    col("unit", Kind::Str, true, Range::Any),
    col("customer_id", Kind::Str, true, Range::Any),
    col("satisfaction", Kind::Float, true, Range::SatisfactionScale),
    col("nps", Kind::Int, false, Range::Closed(0.0, 10.0)),
    col("weight", Kind::Float, false, Range::Positive),
    col("sector", Kind::Str, false, Range::Any),
];

pub const MENTION_COLUMNS: &[ColumnSpec] = &[
    col("study", Kind::Str, true, Range::Any),
    col("side", Kind::Category(SIDES), true, Range::Any),
    col("respondent_id", Kind::Str, true, Range::Any),
    col("theme", Kind::Str, true, Range::Any),
    col("valence", Kind::Category(VALENCES), true, Range::Any),
    col("text", Kind::Str, false, Range::Any),
];

/// `text` is required as a column but may be empty or missing in a row (an unanswered open
/// question, counted by coding): checked by [`crate::data::verbatims::clean_verbatims`].
pub const VERBATIM_COLUMNS: &[ColumnSpec] = &[
    col("study", Kind::Str, true, Range::Any),
    col("side", Kind::Category(SIDES), true, Range::Any),
    col("respondent_id", Kind::Str, true, Range::Any),
    col("question", Kind::Category(QUESTIONS), true, Range::Any),
    col("text", Kind::Str, false, Range::Any),
    col("language", Kind::Category(LANGUAGES), false, Range::Any),
];

/// Engagement given as Likert items instead of an index column.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementItems {
    /// The item columns, by their names in the employees table (after mapping).
    pub columns: Vec<String>,
    /// The items' answer scale, e.g. (1, 5).
    pub scale: (f64, f64),
    /// Scales of the items whose scale differs from `scale` (item -> (low, high)).
    pub item_scales: BTreeMap<String, (f64, f64)>,
    /// Reverse-coded items: `low + high - x` before they enter the index.
    pub reverse: Vec<String>,
    /// `None`: every item must be answered; `Some(k)`: the index is the mean of the answered
    /// items (each rescaled to 0–100) for respondents who answered at least `k`.
    pub min_answered: Option<usize>,
}

impl EngagementItems {
    /// The scale of one item.
    pub fn scale_of(&self, item: &str) -> (f64, f64) {
        self.item_scales.get(item).copied().unwrap_or(self.scale)
    }
}

/// How a CSV export is read; `None` = detected from the file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvOptions {
    /// Field separator (one ASCII byte: `,` `;` tab `|`).
    pub separator: Option<u8>,
    /// Text encoding label (`utf-8`, `cp1252`, `latin-1`, ...: a WHATWG label).
    pub encoding: Option<String>,
    /// Numbers written with a decimal comma (`7,5`).
    pub decimal_comma: Option<bool>,
}

/// What a load does with a customer whose satisfaction is missing (blank, or a missing code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::EnumIter, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum MissingPolicy {
    /// The customer is left out of the study, counted in a data-quality warning and in the
    /// summary (their mentions with them).
    #[default]
    Drop,
    /// A [`MiroirError::MissingValue`] naming the rows.
    Refuse,
}

impl MissingPolicy {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::str::FromStr for MissingPolicy {
    type Err = MiroirError;
    fn from_str(s: &str) -> Result<Self> {
        names::parse(s)
            .map_err(|detail| MiroirError::InvalidArgument { argument: "missing_satisfaction".into(), detail })
    }
}

/// What a recoded answer becomes: a number or a text (a yes/no word, a category).
#[derive(Debug, Clone, PartialEq)]
pub enum RecodeTarget {
    Number(f64),
    Text(String),
}

/// A code that stands for a missing answer (`9`, `99`, `"NSP"`, `"ne sait pas"`); shown as the
/// number (`9`) or the quoted text (`'NSP'`).
#[derive(Debug, Clone, PartialEq, strum::Display)]
pub enum MissingCode {
    #[strum(to_string = "{0}")]
    Number(f64),
    #[strum(to_string = "'{0}'")]
    Text(String),
}

impl MissingCode {
    /// Whether a text cell holds this code (trimmed; text codes compared case-insensitively).
    pub fn matches_text(&self, v: &str) -> bool {
        let t = v.trim();
        match self {
            MissingCode::Text(c) => t.eq_ignore_ascii_case(c.trim()) || t.to_lowercase() == c.trim().to_lowercase(),
            MissingCode::Number(x) => t.parse::<f64>().is_ok_and(|y| y == *x),
        }
    }
    /// Whether a number cell holds this code.
    pub fn matches_number(&self, v: f64) -> bool {
        matches!(self, MissingCode::Number(x) if *x == v)
    }
}

/// How a client's export maps onto the data model, with scales and limits. Build it with
/// [`Schema::builder`] or [`Schema::default`]; a built schema is always consistent.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    rename: BTreeMap<Table, BTreeMap<String, String>>,
    satisfaction_scale: (f64, f64),
    satisfied_threshold: f64,
    engagement_items: Option<EngagementItems>,
    min_group_size: usize,
    min_text_group_size: usize,
    csv: CsvOptions,
    /// Codes of a missing answer in every column (keys excepted).
    missing_codes: Vec<MissingCode>,
    /// Codes of a missing answer in one column (by its canonical name, or an item's name).
    column_missing_codes: BTreeMap<String, Vec<MissingCode>>,
    /// Columns given once for the whole file (`study = "banque-2024"` for a one-company export),
    /// added to every table of the data model that has such a column and lacks it.
    constants: BTreeMap<String, String>,
    missing_satisfaction: MissingPolicy,
    /// The sheet of a workbook that holds a table (`None`: the sheet named like the table, else
    /// like the file, else the first).
    excel_sheet: Option<super::excel::SheetChoice>,
    /// Answers recoded by their label, per column (canonical name or item name).
    recodes: BTreeMap<String, BTreeMap<String, RecodeTarget>>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema {
            rename: BTreeMap::new(),
            satisfaction_scale: (0.0, 10.0),
            satisfied_threshold: 7.0,
            engagement_items: None,
            min_group_size: 5,
            min_text_group_size: 10,
            csv: CsvOptions::default(),
            missing_codes: Vec::new(),
            column_missing_codes: BTreeMap::new(),
            constants: BTreeMap::new(),
            missing_satisfaction: MissingPolicy::default(),
            excel_sheet: None,
            recodes: BTreeMap::new(),
        }
    }
}

impl Schema {
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder {
            schema: Schema::default(),
            pending_items: EngagementItems {
                columns: Vec::new(),
                scale: (1.0, 5.0),
                item_scales: BTreeMap::new(),
                reverse: Vec::new(),
                min_answered: None,
            },
        }
    }

    /// Client column name -> canonical name, for one table.
    pub fn rename(&self, table: Table) -> impl Iterator<Item = (&str, &str)> {
        self.rename
            .get(&table)
            .into_iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    pub fn satisfaction_scale(&self) -> (f64, f64) {
        self.satisfaction_scale
    }
    /// A customer is satisfied when satisfaction >= this threshold.
    pub fn satisfied_threshold(&self) -> f64 {
        self.satisfied_threshold
    }
    pub fn engagement_items(&self) -> Option<&EngagementItems> {
        self.engagement_items.as_ref()
    }
    /// Groups below the study with fewer respondents are suppressed in every output.
    pub fn min_group_size(&self) -> usize {
        self.min_group_size
    }
    /// Verbatim text is shown only for groups of at least this many respondents.
    pub fn min_text_group_size(&self) -> usize {
        self.min_text_group_size
    }
    /// How CSV files are read.
    pub fn csv(&self) -> &CsvOptions {
        &self.csv
    }
    /// The codes of a missing answer in `column` (its own, then the global ones).
    pub fn missing_codes_for(&self, column: &str) -> Vec<&MissingCode> {
        self.column_missing_codes.get(column).into_iter().flatten().chain(&self.missing_codes).collect()
    }
    /// Global missing codes, and codes per column.
    pub fn missing_codes(&self) -> (&[MissingCode], &BTreeMap<String, Vec<MissingCode>>) {
        (&self.missing_codes, &self.column_missing_codes)
    }
    /// Constant columns (canonical name -> value).
    pub fn constants(&self) -> &BTreeMap<String, String> {
        &self.constants
    }
    /// What happens to customers without a satisfaction answer.
    pub fn missing_satisfaction(&self) -> MissingPolicy {
        self.missing_satisfaction
    }
    /// Answers recoded by their label: column -> (label -> value).
    pub fn recodes(&self) -> &BTreeMap<String, BTreeMap<String, RecodeTarget>> {
        &self.recodes
    }
    /// The sheet read from a workbook, when the schema names one.
    pub fn excel_sheet(&self) -> Option<&super::excel::SheetChoice> {
        self.excel_sheet.as_ref()
    }
}

/// Builds a [`Schema`]; [`SchemaBuilder::build`] checks everything once.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    schema: Schema,
    /// Item options given before or after `engagement_items` (merged at build).
    pending_items: EngagementItems,
}

impl SchemaBuilder {
    /// Maps the client's column `source` onto the canonical column `target` of `table`.
    pub fn map_column(mut self, table: Table, source: &str, target: &str) -> Self {
        self.schema
            .rename
            .entry(table)
            .or_default()
            .insert(source.to_string(), target.to_string());
        self
    }
    pub fn satisfaction_scale(mut self, low: f64, high: f64) -> Self {
        self.schema.satisfaction_scale = (low, high);
        self
    }
    pub fn satisfied_threshold(mut self, threshold: f64) -> Self {
        self.schema.satisfied_threshold = threshold;
        self
    }
    pub fn engagement_items(mut self, columns: Vec<String>, low: f64, high: f64) -> Self {
        self.schema.engagement_items = Some(EngagementItems {
            columns,
            scale: (low, high),
            item_scales: BTreeMap::new(),
            reverse: Vec::new(),
            min_answered: None,
        });
        self
    }
    /// Scale of one item when it differs from the items' scale (needs `engagement_items`).
    pub fn item_scale_of(mut self, item: &str, low: f64, high: f64) -> Self {
        self.pending_items.item_scales.insert(item.to_string(), (low, high));
        self
    }
    /// Reverse-coded items (needs `engagement_items`).
    pub fn reverse_items(mut self, items: Vec<String>) -> Self {
        self.pending_items.reverse = items;
        self
    }
    /// Respondents with at least `k` answered items get the mean of those (needs
    /// `engagement_items`).
    pub fn min_items_answered(mut self, k: usize) -> Self {
        self.pending_items.min_answered = Some(k);
        self
    }
    pub fn csv(mut self, csv: CsvOptions) -> Self {
        self.schema.csv = csv;
        self
    }
    /// Codes of a missing answer in every column (keys excepted).
    pub fn missing_codes(mut self, codes: Vec<MissingCode>) -> Self {
        self.schema.missing_codes = codes;
        self
    }
    /// Codes of a missing answer in one column.
    pub fn column_missing_codes(mut self, column: &str, codes: Vec<MissingCode>) -> Self {
        self.schema.column_missing_codes.insert(column.to_string(), codes);
        self
    }
    /// Recodes the answer `label` of `column` as `value` (before validation).
    pub fn recode(mut self, column: &str, label: &str, value: RecodeTarget) -> Self {
        self.schema.recodes.entry(column.to_string()).or_default().insert(label.to_string(), value);
        self
    }
    /// The sheet of every workbook read with this schema.
    pub fn excel_sheet(mut self, sheet: super::excel::SheetChoice) -> Self {
        self.schema.excel_sheet = Some(sheet);
        self
    }
    pub fn missing_satisfaction(mut self, policy: MissingPolicy) -> Self {
        self.schema.missing_satisfaction = policy;
        self
    }
    /// A column given once for the whole file.
    pub fn constant(mut self, column: &str, value: &str) -> Self {
        self.schema.constants.insert(column.to_string(), value.to_string());
        self
    }
    pub fn min_group_size(mut self, n: usize) -> Self {
        self.schema.min_group_size = n;
        self
    }
    pub fn min_text_group_size(mut self, n: usize) -> Self {
        self.schema.min_text_group_size = n;
        self
    }

    /// The schema, checked once: item options merged into the engagement items, then the
    /// mapping, the scales, the items, the CSV options, the recodes, the missing codes, the
    /// constants and the group sizes, each refused as an [`MiroirError::InvalidSchema`].
    pub fn build(self) -> Result<Schema> {
        let mut s = self.schema;
        merge_item_options(&mut s, self.pending_items)?;
        check_mapping(&s)?;
        check_scales(&s)?;
        if let Some(items) = &s.engagement_items {
            check_items(items)?;
        }
        check_csv(&s.csv)?;
        check_recodes(&s)?;
        check_missing_codes(&s)?;
        check_constants(&s)?;
        if s.min_group_size < 1 {
            return bad("min_group_size must be at least 1".into());
        }
        if s.min_text_group_size < 1 {
            return bad("min_text_group_size must be at least 1".into());
        }
        Ok(s)
    }
}

/// A schema refused, with the reason.
fn bad<T>(detail: String) -> Result<T> {
    Err(MiroirError::InvalidSchema { detail })
}

/// The key columns: never recoded, never missing.
const KEYS: [&str; 5] = ["study", "unit", "employee_id", "customer_id", "respondent_id"];

/// The item options given to the builder (scales, reverse items, minimum answered) become those
/// of the engagement items; without items, they are refused.
fn merge_item_options(s: &mut Schema, pending: EngagementItems) -> Result<()> {
    let has_item_options = !pending.item_scales.is_empty() || !pending.reverse.is_empty() || pending.min_answered.is_some();
    match s.engagement_items.as_mut() {
        Some(items) => {
            items.item_scales = pending.item_scales;
            items.reverse = pending.reverse;
            items.min_answered = pending.min_answered;
        }
        None if has_item_options => {
            return bad("item_scales, reverse_items and min_items_answered need engagement_items".into());
        }
        None => {}
    }
    Ok(())
}

/// Every mapped column names a column of the data model, and no two map onto the same one.
fn check_mapping(s: &Schema) -> Result<()> {
    for (table, map) in &s.rename {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (source, target) in map {
            if table.column(target).is_none() {
                let known: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
                return bad(format!(
                    "table '{table}': '{source}' is mapped to '{target}', which is not a \
                     column of the data model (known: {})",
                    known.join(", ")
                ));
            }
            if let Some(other) = seen.insert(target, source) {
                return bad(format!(
                    "table '{table}': both '{other}' and '{source}' are mapped to '{target}'"
                ));
            }
        }
    }
    Ok(())
}

/// The satisfaction scale is an interval and the threshold lies in it.
fn check_scales(s: &Schema) -> Result<()> {
    let (lo, hi) = s.satisfaction_scale;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return bad(format!("satisfaction_scale must be (low, high) with low < high, got ({lo}, {hi})"));
    }
    let t = s.satisfied_threshold;
    if !(t.is_finite() && t > lo && t <= hi) {
        return bad(format!(
            "satisfied_threshold must lie in ({lo}, {hi}] (the satisfaction scale), got {t}"
        ));
    }
    Ok(())
}

/// At least two distinct items on an interval scale; item scales, reverse items and the
/// minimum answered consistent with them.
fn check_items(items: &EngagementItems) -> Result<()> {
    if items.columns.len() < 2 {
        return bad(format!(
            "engagement_items needs at least 2 item columns, got {}",
            items.columns.len()
        ));
    }
    let (a, b) = items.scale;
    if !(a.is_finite() && b.is_finite() && a < b) {
        return bad(format!("item_scale must be (low, high) with low < high, got ({a}, {b})"));
    }
    let mut sorted = items.columns.clone();
    sorted.sort();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return bad(format!("engagement item column '{}' is listed twice", w[0]));
    }
    for (item, (a, b)) in &items.item_scales {
        if !items.columns.contains(item) {
            return bad(format!("item_scales names '{item}', which is not one of the engagement_items"));
        }
        if !(a.is_finite() && b.is_finite() && a < b) {
            return bad(format!("item_scales['{item}'] must be (low, high) with low < high, got ({a}, {b})"));
        }
    }
    for item in &items.reverse {
        if !items.columns.contains(item) {
            return bad(format!("reverse_items names '{item}', which is not one of the engagement_items"));
        }
    }
    if let Some(k) = items.min_answered {
        if k < 1 || k > items.columns.len() {
            return bad(format!(
                "min_items_answered must lie between 1 and the number of items ({}), got {k}",
                items.columns.len()
            ));
        }
    }
    Ok(())
}

/// A CSV separator miroir reads, and an encoding label it knows.
fn check_csv(csv: &CsvOptions) -> Result<()> {
    if let Some(sep) = csv.separator {
        if !matches!(sep, b',' | b';' | b'\t' | b'|') {
            return bad(format!(
                "csv separator must be one of ',' ';' '\\t' '|', got {:?}",
                sep as char
            ));
        }
    }
    if let Some(enc) = &csv.encoding {
        let label = enc.trim().replace('_', "-");
        let label = if label.eq_ignore_ascii_case("latin-1") { "latin1".to_string() } else { label };
        if encoding_rs::Encoding::for_label_no_replacement(label.as_bytes()).is_none() {
            return bad(format!(
                "csv encoding '{enc}' is not a known encoding (e.g. 'utf-8', 'cp1252', 'latin-1', 'iso-8859-15')"
            ));
        }
    }
    Ok(())
}

/// Recodes name a column of the data model or an item (not a key), with non-empty labels and
/// finite numbers.
fn check_recodes(s: &Schema) -> Result<()> {
    for (column, map) in &s.recodes {
        if KEYS.contains(&column.as_str()) {
            return bad(format!("recode: '{column}' is a key column; keys are not recoded"));
        }
        let is_item = s.engagement_items.as_ref().is_some_and(|i| i.columns.contains(column));
        if !is_item && !Table::ALL.iter().any(|t| t.column(column).is_some()) {
            return bad(format!("recode: '{column}' is neither a column of the data model nor an engagement item"));
        }
        for (label, value) in map {
            if label.trim().is_empty() {
                return bad(format!("recode: '{column}' recodes an empty label (an empty cell is a missing answer)"));
            }
            if let RecodeTarget::Number(x) = value {
                if !x.is_finite() {
                    return bad(format!("recode: '{column}': '{label}' is recoded to {x}, not a finite number"));
                }
            }
        }
    }
    Ok(())
}

/// Missing codes: not for a key, not an empty list, finite numbers and non-empty texts.
fn check_missing_codes(s: &Schema) -> Result<()> {
    for (column, codes) in &s.column_missing_codes {
        if KEYS.contains(&column.as_str()) {
            return bad(format!("missing_codes: '{column}' is a key column; a key cannot be missing"));
        }
        if codes.is_empty() {
            return bad(format!("missing_codes for '{column}' is an empty list"));
        }
    }
    for code in s.missing_codes.iter().chain(s.column_missing_codes.values().flatten()) {
        match code {
            MissingCode::Number(x) if !x.is_finite() => return bad(format!("missing code {x} is not a finite number")),
            MissingCode::Text(t) if t.trim().is_empty() => {
                return bad("missing code '' (an empty cell is already a missing answer)".into())
            }
            _ => {}
        }
    }
    Ok(())
}

/// Constants name a column of the data model and give it a value.
fn check_constants(s: &Schema) -> Result<()> {
    for (column, value) in &s.constants {
        if !Table::ALL.iter().any(|t| t.column(column).is_some()) {
            return bad(format!("constants: '{column}' is not a column of the data model"));
        }
        if value.trim().is_empty() {
            return bad(format!("constants: '{column}' is given an empty value"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_is_valid() {
        let s = Schema::builder().build().unwrap();
        assert_eq!(s.satisfaction_scale(), (0.0, 10.0));
        assert_eq!(s.satisfied_threshold(), 7.0);
        assert_eq!(s.min_group_size(), 5);
    }

    #[test]
    fn unknown_target_is_refused_with_its_name() {
        let e = Schema::builder()
            .map_column(Table::Employees, "ENG", "engagment")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("'engagment'"), "{e}");
    }

    #[test]
    fn enum_names_and_their_refusals() {
        assert_eq!(Table::parse("customers").unwrap(), Table::Customers);
        assert_eq!(Table::Verbatims.to_string(), "verbatims");
        assert_eq!(
            Table::parse("clients").unwrap_err().to_string(),
            MiroirError::InvalidSchema {
                detail: "unknown table 'clients' (expected 'employees', 'customers', 'mentions' or 'verbatims')".into()
            }
            .to_string()
        );
        assert_eq!("refuse".parse::<MissingPolicy>().unwrap(), MissingPolicy::Refuse);
        assert_eq!(MissingPolicy::Drop.as_str(), "drop");
        let e = "keep".parse::<MissingPolicy>().unwrap_err();
        assert!(
            matches!(&e, MiroirError::InvalidArgument { argument, detail }
                if argument == "missing_satisfaction" && detail == "expected 'drop' or 'refuse', got 'keep'"),
            "{e}"
        );
        assert_eq!(MissingCode::Number(99.0).to_string(), "99");
        assert_eq!(MissingCode::Number(9.5).to_string(), "9.5");
        assert_eq!(MissingCode::Text("NSP".into()).to_string(), "'NSP'");
    }

    #[test]
    fn threshold_outside_scale_is_refused() {
        let e = Schema::builder().satisfaction_scale(1.0, 5.0).build().unwrap_err();
        assert!(e.to_string().contains("satisfied_threshold"), "{e}");
    }
}
