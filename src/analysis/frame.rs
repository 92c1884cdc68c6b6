//! Small helpers to read validated columns and to build tidy result tables.

use crate::error::Result;
use polars::prelude::*;

pub use crate::data::columns::{floats, strs};

/// A validated yes/no column, nulls as None.
pub fn bools(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>> {
    Ok(df.column(name)?.bool()?.iter().collect())
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
    pub fn build(self) -> Result<DataFrame> {
        Ok(DataFrame::new_infer_height(self.columns)?)
    }
}
