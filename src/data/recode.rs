//! Recoding answers by their labels before validation: a survey tool exports a Likert item as
//! its labels ("Tout à fait d'accord"), an SPSS file read with its value labels, or codes the
//! data model does not use (`1`/`2` for yes/no). `Schema(recode={"Q1": {"Tout à fait d'accord":
//! 5, ...}})` maps them, column by column, onto the values the data model reads.
//!
//! Matching: a cell's text, trimmed, equal to a key (then, failing that, equal ignoring case);
//! a number cell by its shortest decimal form (`1.0` is the key `"1"`). Cells without a key are
//! kept as they are, so validation still names a value nobody declared. The recoded column is
//! text; validation then reads it as the column's type (numbers, yes/no words, categories).

use super::schema::{RecodeTarget, Schema, Table};
use crate::error::Result;
use polars::prelude::*;
use std::collections::BTreeMap;

/// The shortest decimal text of a number (`5.0` -> `"5"`, `2.5` -> `"2.5"`).
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn target_text(t: &RecodeTarget) -> String {
    match t {
        RecodeTarget::Number(x) => number_text(*x),
        RecodeTarget::Text(s) => s.clone(),
    }
}

/// Recodes the columns of `df` that the schema names (by their canonical names, or an item's
/// name); returns, per column, how many cells were recoded.
pub(crate) fn apply_recodes(df: &mut DataFrame, table: Table, schema: &Schema) -> Result<Vec<(String, usize)>> {
    let mut counts = Vec::new();
    for (column, map) in schema.recodes() {
        if df.get_column_index(column).is_none() {
            continue;
        }
        let is_item = table == Table::Employees
            && schema.engagement_items().is_some_and(|items| items.columns.contains(column));
        if table.column(column).is_none() && !is_item {
            continue;
        }
        let exact: BTreeMap<&str, String> = map.iter().map(|(k, v)| (k.trim(), target_text(v))).collect();
        let folded: BTreeMap<String, String> = map.iter().map(|(k, v)| (k.trim().to_lowercase(), target_text(v))).collect();
        let look = |v: &str| -> Option<&String> {
            let t = v.trim();
            exact.get(t).or_else(|| folded.get(&t.to_lowercase()))
        };
        let s = df.column(column)?.as_materialized_series().clone();
        let text: StringChunked = if s.dtype().is_string() {
            s.str()?.clone()
        } else if s.dtype().is_primitive_numeric() {
            let f = s.cast(&DataType::Float64)?;
            f.f64()?.iter().map(|v| v.filter(|x| !x.is_nan()).map(number_text)).collect()
        } else if s.dtype().is_categorical() || s.dtype().is_enum() || s.dtype().is_bool() {
            s.cast(&DataType::String)?.str()?.clone()
        } else {
            continue;
        };
        let mut n = 0usize;
        let out: StringChunked = text
            .iter()
            .map(|v| {
                v.map(|x| match look(x) {
                    Some(t) => {
                        n += 1;
                        t.clone()
                    }
                    None => x.to_string(),
                })
            })
            .collect();
        df.with_column(out.with_name(column.as_str().into()).into_series().into_column())?;
        counts.push((column.clone(), n));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_codes_are_recoded_and_the_rest_kept() {
        let schema = Schema::builder()
            .recode("informed", "Tout à fait d'accord", RecodeTarget::Number(100.0))
            .recode("informed", "plutôt d'accord", RecodeTarget::Number(66.5))
            .recode("can_contribute", "1", RecodeTarget::Text("oui".into()))
            .recode("can_contribute", "2", RecodeTarget::Text("non".into()))
            .build()
            .unwrap();
        let mut df = df!(
            "informed" => [Some(" Tout à fait d'accord"), Some("PLUTÔT D'ACCORD"), Some("ne sait pas"), None],
            "can_contribute" => [Some(1.0), Some(2.0), None, Some(1.0)],
        )
        .unwrap();
        let counts = apply_recodes(&mut df, Table::Employees, &schema).unwrap();
        let informed: Vec<Option<&str>> = df.column("informed").unwrap().str().unwrap().iter().collect();
        assert_eq!(informed, [Some("100"), Some("66.5"), Some("ne sait pas"), None]);
        let cc: Vec<Option<&str>> = df.column("can_contribute").unwrap().str().unwrap().iter().collect();
        assert_eq!(cc, [Some("oui"), Some("non"), None, Some("oui")]);
        assert_eq!(counts, vec![("can_contribute".to_string(), 3), ("informed".to_string(), 2)]);
    }
}
