//! The crate's one error type. Each variant maps to one Python exception class
//! (`src/bindings/errors.rs`); every message names the table, the column and, for value errors,
//! the first offending rows.

use crate::stats::StatsError;
use std::fmt;

/// How many offending rows a message lists.
pub const ROWS_SHOWN: usize = 5;

/// Rows that failed a check: the first few (0-based row indices) and how many in all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rows {
    pub first: Vec<usize>,
    pub total: usize,
}

impl Rows {
    /// Collects the first [`ROWS_SHOWN`] indices and the count from an iterator of row indices.
    pub fn collect(iter: impl IntoIterator<Item = usize>) -> Rows {
        let mut rows = Rows::default();
        for i in iter {
            if rows.first.len() < ROWS_SHOWN {
                rows.first.push(i);
            }
            rows.total += 1;
        }
        rows
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl fmt::Display for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<String> = self.first.iter().map(|r| r.to_string()).collect();
        let word = if self.total == 1 { "row" } else { "rows" };
        write!(f, "{} {word} (first at row index {}", self.total, list.join(", "))?;
        if self.total > self.first.len() {
            write!(f, ", ...")?;
        }
        write!(f, ")")
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MiroirError {
    /// A required column is absent (after the schema's column mapping).
    #[error("table '{table}': missing required column '{column}'{}", hint(.detail))]
    MissingColumn { table: String, column: String, detail: String },

    /// A column has a type that cannot hold what the data model says.
    #[error("table '{table}', column '{column}': expected {expected}, found {found}")]
    WrongType { table: String, column: String, expected: String, found: String },

    /// A required value is missing (null / NaN).
    #[error("table '{table}', column '{column}': {detail}: {rows}")]
    MissingValue { table: String, column: String, rows: Rows, detail: String },

    /// A value lies outside the declared range.
    #[error("table '{table}', column '{column}': {detail}: {rows}")]
    OutOfRange { table: String, column: String, rows: Rows, detail: String },

    /// An id that must be unique (within its study) appears twice.
    #[error("table '{table}', column '{column}': {detail}: {rows}")]
    DuplicateId { table: String, column: String, rows: Rows, detail: String },

    /// A value outside the allowed categories.
    #[error("table '{table}', column '{column}': {detail}: {rows}")]
    UnknownCategory { table: String, column: String, rows: Rows, detail: String },

    /// A mention whose respondent is not in the employees / customers table.
    #[error("table '{table}', column '{column}': {detail}: {rows}")]
    OrphanMention { table: String, column: String, rows: Rows, detail: String },

    /// Valid data that hold too little for an analysis (no unit with both sides above the
    /// suppression threshold, ...).
    #[error("{detail}")]
    InsufficientData { detail: String },

    /// A table with no rows where rows are needed.
    #[error("table '{table}' is empty{}", hint(.detail))]
    EmptyTable { table: String, detail: String },

    /// The schema object itself is inconsistent (unknown column role, bad scale, ...).
    #[error("invalid schema: {detail}")]
    InvalidSchema { detail: String },

    /// An argument of a call is invalid whatever the data.
    #[error("invalid argument '{argument}': {detail}")]
    InvalidArgument { argument: String, detail: String },

    /// The statistical kernel could not compute a statistic.
    #[error("{0}")]
    Stats(#[from] StatsError),

    /// A file could not be read or written.
    #[error("{path}: {detail}")]
    Io { path: String, detail: String },

    /// An error from polars that no check of ours anticipated.
    #[error("internal data error: {0}")]
    Polars(String),

    /// A reproduce spec is invalid: the message names the file, the line (1-based; 0 when
    /// unknown) and the key.
    #[error("{}", spec_message(.path, *.line, .detail))]
    Spec { path: String, line: usize, key: String, detail: String },
}

impl MiroirError {
    /// The offending rows and the detail of an error about rows of a table (missing, out of
    /// range, duplicate, unknown category, orphan mention); `None` for the others.
    pub fn rows_mut(&mut self) -> Option<(&mut Rows, &mut String)> {
        self.table_rows_mut().map(|(_, rows, detail)| (rows, detail))
    }

    /// [`rows_mut`](Self::rows_mut) with the table the rows are in.
    pub fn table_rows_mut(&mut self) -> Option<(&str, &mut Rows, &mut String)> {
        match self {
            MiroirError::MissingValue { table, rows, detail, .. }
            | MiroirError::OutOfRange { table, rows, detail, .. }
            | MiroirError::DuplicateId { table, rows, detail, .. }
            | MiroirError::UnknownCategory { table, rows, detail, .. }
            | MiroirError::OrphanMention { table, rows, detail, .. } => Some((table.as_str(), rows, detail)),
            _ => None,
        }
    }
}

fn spec_message(path: &str, line: usize, detail: &str) -> String {
    if line == 0 {
        format!("{path}: {detail}")
    } else {
        format!("{path}:{line}: {detail}")
    }
}

fn hint(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl From<polars::prelude::PolarsError> for MiroirError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        MiroirError::Polars(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, MiroirError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_table_column_and_rows() {
        let e = MiroirError::OutOfRange {
            table: "employees".into(),
            column: "engagement".into(),
            rows: Rows::collect([3, 8, 9, 10, 11, 12, 40]),
            detail: "values outside [0, 100]".into(),
        };
        assert_eq!(
            e.to_string(),
            "table 'employees', column 'engagement': values outside [0, 100]: \
             7 rows (first at row index 3, 8, 9, 10, 11, ...)"
        );
    }
}
