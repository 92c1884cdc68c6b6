//! Small helpers to read validated columns and to build tidy result tables.

use crate::data::Study;
use crate::error::{MiroirError, Result, Rows};
use polars::prelude::*;

pub use crate::data::columns::{floats, strs};

/// A validated yes/no column, nulls as None.
pub fn bools(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>> {
    Ok(df.column(name)?.bool()?.iter().collect())
}

/// Refuses a missing (null, NaN) or non-positive weight: it would silently drop a respondent.
fn check_weights(w: &[f64], table: &str, what: &str) -> Result<()> {
    let bad = Rows::collect(w.iter().enumerate().filter(|(_, v)| !(v.is_finite() && **v > 0.0)).map(|(i, _)| i));
    if bad.is_empty() {
        return Ok(());
    }
    Err(MiroirError::MissingValue {
        table: table.into(),
        column: "weight".into(),
        rows: bad,
        detail: format!("weighted {what} need a positive weight for every {}", if table == "employees" { "employee" } else { "customer" }),
    })
}

/// Weights divided by their maximum: every weighted estimator here is invariant to the scale
/// of the weights, and this keeps sums finite for weights near the limits of a double (1e308)
/// and makes equal weights exactly 1 (so they give the unweighted figures bit for bit).
fn by_max(mut w: Vec<f64>) -> Vec<f64> {
    let max = w.iter().fold(0.0_f64, |m, v| m.max(*v));
    if max > 0.0 && max != 1.0 {
        for v in &mut w {
            *v /= max;
        }
    }
    w
}

/// The employees' survey weights (column `weight`) divided by their maximum, `None` without the
/// column; a missing weight is a [`MiroirError::MissingValue`] naming table 'employees', column
/// 'weight', rows. `what` names the analysis in the message.
pub fn employee_weights(study: &Study, what: &str) -> Result<Option<Vec<f64>>> {
    let df = study.employee_columns();
    if df.get_column_index("weight").is_none() {
        return Ok(None);
    }
    let w = floats(df, "weight")?;
    check_weights(&w, "employees", what)?;
    Ok(Some(by_max(w)))
}

/// The customers' survey weights ([`Study::customer_weights`]) divided by their maximum, `None`
/// without the column; a missing weight is a [`MiroirError::MissingValue`] naming table
/// 'customers', column 'weight'.
pub fn customer_weights(study: &Study, what: &str) -> Result<Option<Vec<f64>>> {
    match study.customer_weights() {
        None => Ok(None),
        Some(w) => {
            check_weights(w, "customers", what)?;
            Ok(Some(by_max(w.to_vec())))
        }
    }
}

/// Dense codes 0..k of hashable keys, in order of first appearance (units, clusters).
pub fn dense_codes<K: std::hash::Hash + Eq>(keys: impl IntoIterator<Item = K>) -> Vec<usize> {
    let mut codes: crate::data::columns::FastMap<K, usize> = Default::default();
    keys.into_iter()
        .map(|k| {
            let next = codes.len();
            *codes.entry(k).or_insert(next)
        })
        .collect()
}

/// A row's notes joined by `; ` (None without any).
pub fn joined(notes: &[String]) -> Option<String> {
    if notes.is_empty() { None } else { Some(notes.join("; ")) }
}

/// Builds a DataFrame column by column, in order.
#[derive(Default)]
pub struct TableBuilder {
    columns: Vec<Column>,
}

/// Statistics keep NaN (with a note) so that "undefined" stays visible; the `opt_*` columns use
/// null for what is suppressed or not applicable.
impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn str<S: AsRef<str>>(mut self, name: &str, values: impl IntoIterator<Item = S>) -> Self {
        let v: Vec<String> = values.into_iter().map(|s| s.as_ref().to_string()).collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }
    pub fn opt_str(mut self, name: &str, values: impl IntoIterator<Item = Option<String>>) -> Self {
        let v: Vec<Option<String>> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }
    pub fn f64(mut self, name: &str, values: impl IntoIterator<Item = f64>) -> Self {
        let v: Vec<f64> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }
    /// Floats where `None` means suppressed or not applicable (stored as null).
    pub fn opt_f64(mut self, name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let v: Vec<Option<f64>> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }
    pub fn u64(mut self, name: &str, values: impl IntoIterator<Item = u64>) -> Self {
        let v: Vec<u64> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }
    pub fn opt_u64(mut self, name: &str, values: impl IntoIterator<Item = Option<u64>>) -> Self {
        let v: Vec<Option<u64>> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }
    pub fn bool(mut self, name: &str, values: impl IntoIterator<Item = bool>) -> Self {
        let v: Vec<bool> = values.into_iter().collect();
        self.columns.push(Column::new(name.into(), v));
        self
    }
    /// The `note` column: a row's notes joined by `; `, null when it has none.
    pub fn notes<'a>(self, name: &str, notes: impl IntoIterator<Item = &'a Vec<String>>) -> Self {
        self.opt_str(name, notes.into_iter().map(|n| joined(n)))
    }
    pub fn build(self) -> Result<DataFrame> {
        Ok(DataFrame::new_infer_height(self.columns)?)
    }
}
