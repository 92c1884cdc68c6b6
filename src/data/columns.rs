//! Reading validated columns, and the fast hash map used to code and match respondents.

use crate::error::Result;
use polars::prelude::*;
use std::collections::HashMap;

/// A hash map with foldhash: keys here are ids and names from the data, not adversarial input,
/// and SipHash cost most of the time of coding large tables.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// An empty [`FastMap`] with room for `capacity` entries.
pub fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    HashMap::with_capacity_and_hasher(capacity, foldhash::fast::RandomState::default())
}

/// A validated text column as `&str`s (validation guarantees no nulls in required columns).
pub fn strs<'a>(df: &'a DataFrame, name: &str) -> Result<Vec<&'a str>> {
    Ok(df.column(name)?.str()?.iter().map(Option::unwrap_or_default).collect())
}

/// A validated numeric column as f64, nulls as NaN.
pub fn floats(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let s = df.column(name)?.cast(&DataType::Float64)?;
    Ok(s.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}
