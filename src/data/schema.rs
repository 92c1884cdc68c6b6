//! The schema: how a client's export maps onto the canonical data model, and the scales,
//! thresholds and suppression limits the analyses use. Checked once, when built.

use crate::error::{MiroirError, Result};
use std::collections::BTreeMap;
use std::fmt;

/// The three tables of a mirror study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Employees,
    Customers,
    Mentions,
}

impl Table {
    pub const ALL: [Table; 3] = [Table::Employees, Table::Customers, Table::Mentions];

    pub fn as_str(self) -> &'static str {
        match self {
            Table::Employees => "employees",
            Table::Customers => "customers",
            Table::Mentions => "mentions",
        }
    }

    pub fn parse(name: &str) -> Result<Table> {
        match name {
            "employees" => Ok(Table::Employees),
            "customers" => Ok(Table::Customers),
            "mentions" => Ok(Table::Mentions),
            other => Err(MiroirError::InvalidSchema {
                detail: format!(
                    "unknown table '{other}' (expected 'employees', 'customers' or 'mentions')"
                ),
            }),
        }
    }

    /// The canonical columns of this table.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Table::Employees => EMPLOYEE_COLUMNS,
            Table::Customers => CUSTOMER_COLUMNS,
            Table::Mentions => MENTION_COLUMNS,
        }
    }

    pub fn column(self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns().iter().find(|c| c.name == name)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

/// Engagement given as Likert items instead of an index column.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementItems {
    /// The item columns, by their names in the employees table (after mapping).
    pub columns: Vec<String>,
    /// The items' answer scale, e.g. (1, 5).
    pub scale: (f64, f64),
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
        }
    }
}

impl Schema {
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder { schema: Schema::default() }
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
}

/// Builds a [`Schema`]; [`SchemaBuilder::build`] checks everything once.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    schema: Schema,
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
        self.schema.engagement_items = Some(EngagementItems { columns, scale: (low, high) });
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

    pub fn build(self) -> Result<Schema> {
        let s = self.schema;
        let bad = |detail: String| Err(MiroirError::InvalidSchema { detail });
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
        if let Some(items) = &s.engagement_items {
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
        }
        if s.min_group_size < 1 {
            return bad("min_group_size must be at least 1".into());
        }
        if s.min_text_group_size < 1 {
            return bad("min_text_group_size must be at least 1".into());
        }
        Ok(s)
    }
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
    fn threshold_outside_scale_is_refused() {
        let e = Schema::builder().satisfaction_scale(1.0, 5.0).build().unwrap_err();
        assert!(e.to_string().contains("satisfied_threshold"), "{e}");
    }
}
