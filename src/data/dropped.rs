//! Customers left out at validation for a missing satisfaction (`missing_satisfaction =
//! "drop"`): who they are, their rows in the table given, and the warning or error that names
//! them.

use super::schema::{MissingPolicy, Schema, Table};
use crate::error::MiroirError;

/// Whether a missing value in `column` of `table` leaves the respondent out (the schema's
/// `missing_satisfaction = "drop"`) rather than refusing the table. Only the customers'
/// satisfaction has this policy.
pub(crate) fn drops_missing(table: Table, column: &str, schema: &Schema) -> bool {
    table == Table::Customers && column == "satisfaction" && schema.missing_satisfaction() == MissingPolicy::Drop
}

/// Customers left out at validation for a missing satisfaction.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dropped {
    /// (study, customer_id) of each, in row order.
    pub keys: Vec<(String, String)>,
    /// Their rows in the table given (sorted).
    pub rows: Vec<usize>,
}

impl Dropped {
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    /// Adds those of a slice starting at row `offset` of the table.
    pub(crate) fn extend(&mut self, slice: Dropped, offset: usize) {
        self.keys.extend(slice.keys);
        self.rows.extend(slice.rows.into_iter().map(|r| r + offset));
    }
    /// The row in the table given of row `kept` among the rows kept.
    pub(crate) fn given_row(&self, kept: usize) -> usize {
        // the k-th kept row is k plus the dropped rows before it
        let mut row = kept;
        for &d in &self.rows {
            if d <= row {
                row += 1;
            } else {
                break;
            }
        }
        row
    }
    /// An error naming rows among those kept of the customers, renumbered as in the table given.
    pub(crate) fn renumber(&self, mut e: MiroirError) -> MiroirError {
        if self.rows.is_empty() {
            return e;
        }
        if let MiroirError::DuplicateId { table, rows, .. } = &mut e {
            if table == "customers" {
                for r in &mut rows.first {
                    *r = self.given_row(*r);
                }
            }
        }
        e
    }
}

/// The data-quality warning for customers left out for a missing satisfaction (none if none).
pub(crate) fn dropped_warning(customers: usize, mentions: usize) -> Option<String> {
    (customers > 0).then(|| {
        let theirs = if mentions > 0 { format!(", and their {mentions} mention(s)") } else { String::new() };
        format!(
            "table 'customers', column 'satisfaction': {customers} customer(s) without a satisfaction answer left out{theirs} \
             (missing_satisfaction = \"drop\")"
        )
    })
}

/// The error for a study whose every customer was left out for a missing satisfaction.
pub(crate) fn all_dropped(customers: usize) -> MiroirError {
    MiroirError::EmptyTable {
        table: "customers".into(),
        detail: format!(
            "all {customers} customer(s) lack a satisfaction answer and were left out (missing_satisfaction = \"drop\"): \
             a study needs at least one respondent on each side"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::Dropped;

    #[test]
    fn kept_rows_map_back_to_the_rows_given() {
        let d = Dropped { keys: vec![Default::default(); 3], rows: vec![0, 2, 3] };
        // rows given 0..6, kept: 1, 4, 5
        assert_eq!([0, 1, 2].map(|k| d.given_row(k)), [1, 4, 5]);
        assert_eq!(Dropped::default().given_row(7), 7);
    }
}
