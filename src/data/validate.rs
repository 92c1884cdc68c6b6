//! Validation, once, at load: every column is mapped, typed, range-checked and categorised here;
//! nothing downstream re-checks. Errors name the table, the column and the first offending rows.

use super::dropped::{drops_missing, Dropped};
use super::schema::{ColumnSpec, Kind, Range, Schema, Table};
use crate::error::{MiroirError, Result, Rows};
use polars::prelude::*;
use std::collections::HashSet;

/// Words accepted for yes/no columns exported as text (case-insensitive, trimmed).
const TRUE_WORDS: &[&str] = &["true", "yes", "y", "oui", "o", "1", "vrai"];
const FALSE_WORDS: &[&str] = &["false", "no", "n", "non", "0", "faux"];

/// Applies the schema's column mapping to one table. A mapped column that is absent is an error
/// naming both names.
pub(crate) fn apply_mapping(df: &mut DataFrame, table: Table, schema: &Schema) -> Result<()> {
    let given = names(df);
    for (source, target) in schema.rename(table) {
        if df.get_column_index(source).is_none() {
            return Err(MiroirError::MissingColumn {
                table: table.to_string(),
                column: source.to_string(),
                detail: format!("the schema maps it to '{target}'; columns present: {given}"),
            });
        }
        if source != target && df.get_column_index(target).is_some() {
            return Err(MiroirError::InvalidSchema {
                detail: format!(
                    "table '{table}': '{source}' is mapped to '{target}' but a column named \
                     '{target}' already exists"
                ),
            });
        }
        df.rename(source, target.into())?;
    }
    Ok(())
}

fn names(df: &DataFrame) -> String {
    df.get_column_names().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// The key columns, trimmed and put in Unicode NFC at validation so that a unit written
/// `"Agence "` or with a decomposed accent is the same unit as `"Agence"`.
const KEY_COLUMNS: [&str; 5] = ["study", "unit", "employee_id", "customer_id", "respondent_id"];

/// Turns a column into its canonical dtype, refusing what cannot be converted. Returns the
/// column and, for a key column, how many values were normalised (trimmed or put in NFC).
fn normalise(df: &DataFrame, table: Table, spec: &ColumnSpec, schema: &Schema) -> Result<(Column, usize)> {
    let mut s = df.column(spec.name)?.as_materialized_series().clone();
    // An all-empty column (a CSV reader calls it text) is a column of missing values.
    if s.dtype().is_string() && s.null_count() == s.len() {
        s = Series::full_null(s.name().clone(), s.len(), &DataType::Null);
    }
    let dtype = s.dtype().clone();
    let wrong = || MiroirError::WrongType {
        table: table.to_string(),
        column: spec.name.to_string(),
        expected: spec.kind.describe(),
        found: describe_dtype(&dtype),
    };
    let range_error = |rows: Rows, detail: &str| MiroirError::OutOfRange {
        table: table.to_string(),
        column: spec.name.to_string(),
        rows,
        detail: detail.to_string(),
    };
    let mut normalised = 0;
    let out: Series = match spec.kind {
        Kind::Str | Kind::Category(_) => {
            let text = if dtype.is_string() {
                s
            } else if dtype.is_categorical() || dtype.is_enum() || dtype.is_integer() || dtype == DataType::Null {
                s.cast(&DataType::String)?
            } else {
                return Err(wrong());
            };
            if KEY_COLUMNS.contains(&spec.name) {
                let (keys, n) = normalise_keys(text.str()?);
                normalised = n;
                keys.into_series()
            } else {
                text
            }
        }
        Kind::Bool => normalise_bool(&s, table, spec.name).map_err(|e| e.unwrap_or_else(wrong))?,
        Kind::Float => {
            let ca = numbers(&s, table, spec, &dtype).ok_or_else(wrong)??;
            // NaN means missing: store it as null so there is one notion of missing. An infinite
            // value is refused in every numeric column, whatever its range.
            let infinite = Rows::collect(ca.iter().enumerate().filter(|(_, v)| v.is_some_and(f64::is_infinite)).map(|(i, _)| i));
            if !infinite.is_empty() {
                return Err(range_error(infinite, "values must be finite numbers (inf found)"));
            }
            ca.apply(|v| v.filter(|x| !x.is_nan())).into_series()
        }
        Kind::Int => {
            if dtype.is_integer() {
                let out = s.cast(&DataType::Int64)?;
                if out.null_count() != s.null_count() {
                    let (given, cast) = (s.is_not_null(), out.is_null());
                    let lost = Rows::collect(
                        given.iter().zip(cast.iter()).enumerate().filter(|(_, (a, b))| *a == Some(true) && *b == Some(true)).map(|(i, _)| i),
                    );
                    return Err(range_error(lost, "values beyond the range of a 64-bit whole number"));
                }
                out
            } else if dtype == DataType::Null {
                s.cast(&DataType::Int64)?
            } else {
                let ca = numbers(&s, table, spec, &dtype).ok_or_else(wrong)??;
                const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole number below is exact
                let bad = Rows::collect(
                    ca.iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_some_and(|x| !x.is_nan() && (!x.is_finite() || x.fract() != 0.0 || x.abs() > LIMIT)))
                        .map(|(i, _)| i),
                );
                if !bad.is_empty() {
                    let example = ca.get(bad.first[0]).unwrap_or(f64::NAN);
                    return Err(range_error(bad, &format!("values must be finite whole numbers (e.g. {example})")));
                }
                ca.apply(|v| v.filter(|x| !x.is_nan())).into_series().cast(&DataType::Int64)?
            }
        }
    };
    let out = out.with_name(spec.name.into());
    check_missing(&out, table, spec, schema)?;
    check_values(&out, table, spec, schema)?;
    Ok((out.into_column(), normalised))
}

/// Trims key values and puts them in Unicode NFC; the count of values that changed.
fn normalise_keys(ca: &StringChunked) -> (StringChunked, usize) {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    let needs = |v: &str| v.trim().len() != v.len() || (!v.is_ascii() && is_nfc_quick(v.chars()) != IsNormalized::Yes);
    let fix = |v: &str| -> String { v.trim().nfc().collect() };
    if !ca.iter().any(|v| v.is_some_and(needs)) {
        return (ca.clone(), 0);
    }
    let mut changed = 0;
    let out: StringChunked = ca
        .iter()
        .map(|v| {
            v.map(|v| {
                if needs(v) {
                    let fixed = fix(v);
                    changed += usize::from(fixed != v);
                    std::borrow::Cow::Owned(fixed)
                } else {
                    std::borrow::Cow::Borrowed(v)
                }
            })
        })
        .collect();
    (out.with_name(ca.name().clone()), changed)
}

/// A numeric column as floats: numbers (decimals included) cast, text parsed. `None` for a type
/// that cannot hold numbers; an error naming the first values that are not numbers.
fn numbers(s: &Series, table: Table, spec: &ColumnSpec, dtype: &DataType) -> Option<Result<Float64Chunked>> {
    if dtype.is_primitive_numeric() || dtype.is_decimal() || *dtype == DataType::Null {
        return Some(s.cast(&DataType::Float64).map_err(MiroirError::from).and_then(|f| Ok(f.f64()?.clone())));
    }
    if !dtype.is_string() {
        return None;
    }
    let ca = match s.str() {
        Ok(ca) => ca,
        Err(e) => return Some(Err(e.into())),
    };
    let parse = |v: &str| -> Option<f64> {
        let t = v.trim();
        if t.is_empty() {
            Some(f64::NAN)
        } else {
            t.parse::<f64>().ok()
        }
    };
    let bad = Rows::collect(ca.iter().enumerate().filter(|(_, v)| v.is_some_and(|x| parse(x).is_none())).map(|(i, _)| i));
    if !bad.is_empty() {
        let example = ca.get(bad.first[0]).unwrap_or_default();
        return Some(Err(MiroirError::WrongType {
            table: table.to_string(),
            column: spec.name.to_string(),
            expected: spec.kind.describe(),
            found: format!("text (str): '{example}' is not a number{}: {bad}", number_hint(example)),
        }));
    }
    Some(Ok(ca.iter().map(|v| v.and_then(parse)).collect::<Float64Chunked>().with_name(ca.name().clone())))
}

/// Why a text is not a number, when the reason is a common one.
fn number_hint(v: &str) -> &'static str {
    let t = v.trim();
    let lower = t.to_lowercase();
    if ["na", "n/a", "nsp", "null", "none", "-", "ne sait pas", "nr", "?"].contains(&lower.as_str()) {
        " (a missing answer must be an empty cell)"
    } else if t.contains(',') && t.replace(',', ".").parse::<f64>().is_ok() {
        " (a decimal comma: write the number with a decimal point)"
    } else if t.contains('/') {
        " (a score written with its scale: give the number alone)"
    } else if t.ends_with('%') {
        " (a percentage sign: give the number alone)"
    } else {
        ""
    }
}

fn describe_dtype(dtype: &DataType) -> String {
    if dtype.is_string() {
        "text (str)".into()
    } else {
        dtype.to_string()
    }
}

/// Booleans, 0/1 numbers, or yes/no words. `Err(None)` = wrong dtype (the caller words it).
fn normalise_bool(s: &Series, table: Table, column: &str) -> std::result::Result<Series, Option<MiroirError>> {
    let dtype = s.dtype();
    if dtype.is_bool() {
        return Ok(s.clone());
    }
    if *dtype == DataType::Null {
        return s.cast(&DataType::Boolean).map_err(|e| Some(e.into()));
    }
    let name = s.name().clone();
    if dtype.is_primitive_numeric() {
        let f = s.cast(&DataType::Float64).map_err(|e| Some(e.into()))?;
        let ca = f.f64().map_err(|e| Some(e.into()))?;
        let bad = Rows::collect(
            ca.iter()
                .enumerate()
                .filter(|(_, v)| v.is_some_and(|x| !x.is_nan() && x != 0.0 && x != 1.0))
                .map(|(i, _)| i),
        );
        if !bad.is_empty() {
            return Err(Some(MiroirError::OutOfRange {
                table: table.to_string(),
                column: column.to_string(),
                rows: bad,
                detail: "a yes/no column given as numbers must hold only 0 and 1".into(),
            }));
        }
        let out: BooleanChunked =
            ca.iter().map(|v| v.filter(|x| !x.is_nan()).map(|x| x == 1.0)).collect();
        return Ok(out.with_name(name).into_series());
    }
    if dtype.is_string() || dtype.is_categorical() || dtype.is_enum() {
        let st = s.cast(&DataType::String).map_err(|e| Some(e.into()))?;
        let ca = st.str().map_err(|e| Some(e.into()))?;
        let parse = |v: &str| {
            let w = v.trim().to_lowercase();
            if TRUE_WORDS.contains(&w.as_str()) {
                Some(true)
            } else if FALSE_WORDS.contains(&w.as_str()) {
                Some(false)
            } else {
                None
            }
        };
        let bad = Rows::collect(
            ca.iter()
                .enumerate()
                .filter(|(_, v)| v.is_some_and(|x| parse(x).is_none()))
                .map(|(i, _)| i),
        );
        if !bad.is_empty() {
            let example = ca.get(bad.first[0]).unwrap_or_default().to_string();
            return Err(Some(MiroirError::UnknownCategory {
                table: table.to_string(),
                column: column.to_string(),
                rows: bad,
                detail: format!(
                    "'{example}' is not a yes/no answer (accepted: true/false, yes/no, oui/non, 1/0)"
                ),
            }));
        }
        let out: BooleanChunked = ca.iter().map(|v| v.and_then(parse)).collect();
        return Ok(out.with_name(name).into_series());
    }
    Err(None)
}

fn check_missing(s: &Series, table: Table, spec: &ColumnSpec, schema: &Schema) -> Result<()> {
    if spec.required && s.null_count() > 0 {
        if drops_missing(table, spec.name, schema) {
            return Ok(());
        }
        let detail = if table == Table::Customers && spec.name == "satisfaction" {
            "required values are missing (null, NaN or a missing code); missing_satisfaction=\"drop\" would leave \
             these customers (and their mentions) out of the study"
                .to_string()
        } else {
            "required values are missing (null or NaN)".to_string()
        };
        let rows = Rows::collect(
            s.is_null().iter().enumerate().filter(|(_, v)| *v == Some(true)).map(|(i, _)| i),
        );
        return Err(MiroirError::MissingValue {
            table: table.to_string(),
            column: spec.name.to_string(),
            rows,
            detail,
        });
    }
    Ok(())
}

fn check_values(s: &Series, table: Table, spec: &ColumnSpec, schema: &Schema) -> Result<()> {
    let err_range = |rows: Rows, detail: String| MiroirError::OutOfRange {
        table: table.to_string(),
        column: spec.name.to_string(),
        rows,
        detail,
    };
    if let Kind::Category(allowed) = spec.kind {
        let ca = s.str()?;
        let bad = Rows::collect(
            ca.iter()
                .enumerate()
                .filter(|(_, v)| v.is_some_and(|x| !allowed.contains(&x)))
                .map(|(i, _)| i),
        );
        if !bad.is_empty() {
            let example = ca.get(bad.first[0]).unwrap_or_default().to_string();
            return Err(MiroirError::UnknownCategory {
                table: table.to_string(),
                column: spec.name.to_string(),
                rows: bad,
                detail: format!("'{example}' is not one of {}", allowed.join(", ")),
            });
        }
        return Ok(());
    }
    if !matches!(spec.kind, Kind::Float | Kind::Int) {
        return Ok(());
    }
    let f = s.cast(&DataType::Float64)?;
    let ca = f.f64()?;
    let (test, detail): (Box<dyn Fn(f64) -> bool>, String) = match spec.range {
        Range::Any => return Ok(()),
        Range::Closed(lo, hi) => (Box::new(move |x| x >= lo && x <= hi), format!("values outside [{lo}, {hi}]")),
        Range::Positive => (Box::new(|x: f64| x > 0.0 && x.is_finite()), "values must be positive and finite".into()),
        Range::NonNegative => (Box::new(|x: f64| x >= 0.0 && x.is_finite()), "values must be zero or more".into()),
        Range::SatisfactionScale => {
            let (lo, hi) = schema.satisfaction_scale();
            (
                Box::new(move |x| x >= lo && x <= hi),
                format!("values outside the satisfaction scale [{lo}, {hi}] (set it in the Schema)"),
            )
        }
    };
    let bad = Rows::collect(
        ca.iter().enumerate().filter(|(_, v)| v.is_some_and(|x| !test(x))).map(|(i, _)| i),
    );
    if !bad.is_empty() {
        let example = ca.get(bad.first[0]).unwrap_or(f64::NAN);
        return Err(err_range(bad, format!("{detail} (e.g. {example})")));
    }
    Ok(())
}

/// Builds the engagement index from Likert items: mean of the items rescaled to 0–100.
/// Returns the index and the item columns (for Cronbach's alpha).
fn engagement_from_items(df: &DataFrame, schema: &Schema) -> Result<Option<(Column, Vec<Vec<f64>>)>> {
    let Some(items) = schema.engagement_items() else { return Ok(None) };
    let table = Table::Employees;
    if df.get_column_index("engagement").is_some() {
        return Err(MiroirError::InvalidSchema {
            detail: "employees: engagement is given both as a column and as items; drop one".into(),
        });
    }
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(items.columns.len());
    for name in &items.columns {
        if df.get_column_index(name).is_none() {
            return Err(MiroirError::MissingColumn {
                table: table.to_string(),
                column: name.clone(),
                detail: format!("declared as an engagement item; columns present: {}", names(df)),
            });
        }
        let s = df.column(name)?.as_materialized_series();
        let f = if s.dtype().is_primitive_numeric() || *s.dtype() == DataType::Null {
            s.cast(&DataType::Float64)?
        } else if s.dtype().is_string() {
            // a text column of numbers (a CSV column that held a missing code such as "NSP")
            let text = s.str()?;
            let parsed: Float64Chunked = text
                .iter()
                .map(|v| v.and_then(|x| if x.trim().is_empty() { None } else { Some(x.trim().parse::<f64>().unwrap_or(f64::INFINITY)) }))
                .collect();
            let bad = Rows::collect(parsed.iter().enumerate().filter(|(_, v)| v.is_some_and(f64::is_infinite)).map(|(i, _)| i));
            if !bad.is_empty() {
                let example = text.get(bad.first[0]).unwrap_or_default();
                return Err(MiroirError::WrongType {
                    table: table.to_string(),
                    column: name.clone(),
                    expected: "a number (engagement item)".into(),
                    found: format!("text (str): '{example}' is not a number{}: {bad}", number_hint(example)),
                });
            }
            parsed.with_name(name.as_str().into()).into_series()
        } else {
            return Err(MiroirError::WrongType {
                table: table.to_string(),
                column: name.clone(),
                expected: "a number (engagement item)".into(),
                found: describe_dtype(s.dtype()),
            });
        };
        let ca = f.f64()?;
        if items.min_answered.is_none() {
            let missing = Rows::collect(
                ca.iter().enumerate().filter(|(_, v)| v.is_none_or(|x| x.is_nan())).map(|(i, _)| i),
            );
            if !missing.is_empty() {
                return Err(MiroirError::MissingValue {
                    table: table.to_string(),
                    column: name.clone(),
                    rows: missing,
                    detail: "engagement items must be answered (or set min_items_answered in the Schema: the \
                             index is then the mean of the answered items)"
                        .into(),
                });
            }
        }
        let (lo, hi) = items.scale_of(name);
        let col: Vec<f64> = ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        let bad = Rows::collect(col.iter().enumerate().filter(|(_, x)| **x < lo || **x > hi).map(|(i, _)| i));
        if !bad.is_empty() {
            return Err(MiroirError::OutOfRange {
                table: table.to_string(),
                column: name.clone(),
                rows: bad,
                detail: format!("item values outside the item scale [{lo}, {hi}]"),
            });
        }
        // reverse-coded items enter the index as low + high - x
        let col = if items.reverse.contains(name) { col.iter().map(|x| lo + hi - x).collect() } else { col };
        values.push(col);
    }
    let n = df.height();
    let scales: Vec<(f64, f64)> = items.columns.iter().map(|c| items.scale_of(c)).collect();
    let need = items.min_answered.unwrap_or(values.len());
    let mut too_few = Vec::new();
    let index: Vec<f64> = (0..n)
        .map(|i| {
            // each answered item rescaled to 0-100, then averaged over the answered items
            let (sum, k) = values.iter().zip(&scales).fold((0.0, 0usize), |(s, k), (c, (lo, hi))| {
                if c[i].is_nan() {
                    (s, k)
                } else {
                    (s + (c[i] - lo) / (hi - lo) * 100.0, k + 1)
                }
            });
            if k < need {
                too_few.push(i);
                f64::NAN
            } else {
                sum / k as f64
            }
        })
        .collect();
    if !too_few.is_empty() {
        return Err(MiroirError::MissingValue {
            table: table.to_string(),
            column: "engagement".into(),
            rows: Rows::collect(too_few),
            detail: format!(
                "fewer than min_items_answered = {need} of the {} engagement items answered: drop these respondents or lower min_items_answered",
                values.len()
            ),
        });
    }
    Ok(Some((Column::new("engagement".into(), index), values)))
}

/// A validated table: canonical columns first (in data-model order), extra columns kept after.
pub(crate) struct CleanTable {
    pub df: DataFrame,
    /// Values changed, per column: key values normalised (trimmed, NFC) in key columns,
    /// answers given as a missing code (the schema's `missing_codes`) made missing elsewhere.
    pub normalised: Vec<(String, usize)>,
    /// The customers left out for a missing satisfaction (`missing_satisfaction = "drop"`);
    /// none for other tables.
    pub dropped: Dropped,
}

pub(crate) fn clean_table(mut df: DataFrame, table: Table, schema: &Schema) -> Result<(CleanTable, Option<Vec<Vec<f64>>>)> {
    // the names as the table gives them (before the mapping), for a missing column's message
    let given = schema.rename(table).next().is_some().then(|| names(&df));
    apply_mapping(&mut df, table, schema)?;
    add_constants(&mut df, table, schema)?;
    super::recode::apply_recodes(&mut df, table, schema)?;
    let mut normalised: Vec<(String, usize)> = Vec::new();
    // answers given as a missing code become missing, before any type check
    let item_names: Vec<String> = match (table, schema.engagement_items()) {
        (Table::Employees, Some(items)) => items.columns.clone(),
        _ => Vec::new(),
    };
    let coded: Vec<String> = table
        .columns()
        .iter()
        .map(|c| c.name.to_string())
        .chain(item_names)
        .filter(|c| df.get_column_index(c).is_some() && !schema.missing_codes_for(c).is_empty())
        .collect();
    for name in coded {
        let (s, n) = apply_missing_codes(df.column(&name)?.as_materialized_series(), &name, schema)?;
        if n > 0 {
            df.with_column(s.into_column())?;
            normalised.push((name, n));
        }
    }
    let mut items = None;
    if table == Table::Employees {
        if let Some((col, values)) = engagement_from_items(&df, schema)? {
            df.with_column(col)?;
            items = Some(values);
        }
    }
    for spec in table.columns().iter().filter(|c| c.required) {
        if df.get_column_index(spec.name).is_none() {
            return Err(MiroirError::MissingColumn {
                table: table.to_string(),
                column: spec.name.to_string(),
                detail: format!(
                    "columns present: {}; map a client column onto it with the Schema",
                    given.unwrap_or_else(|| names(&df))
                ),
            });
        }
    }
    if df.height() == 0 {
        return Err(MiroirError::EmptyTable {
            table: table.to_string(),
            detail: "a study needs at least one respondent on each side".into(),
        });
    }
    let mut canonical = Vec::new();
    for spec in table.columns() {
        if df.get_column_index(spec.name).is_some() {
            let (column, n) = normalise(&df, table, spec, schema)?;
            canonical.push(column);
            if n > 0 {
                normalised.push((spec.name.to_string(), n));
            }
        }
    }
    let known: HashSet<&str> = table.columns().iter().map(|c| c.name).collect();
    for c in df.columns() {
        if !known.contains(c.name().as_str()) {
            canonical.push(c.clone());
        }
    }
    let mut df = DataFrame::new(df.height(), canonical)?;
    let mut dropped = Dropped::default();
    // Customers without a satisfaction answer are left out (after every other check, so that
    // the rows of an error are those of the table given). The table may end up empty: the
    // caller refuses a study without customers (a file is cleaned slice by slice).
    if drops_missing(table, "satisfaction", schema) && df.column("satisfaction")?.null_count() > 0 {
        let missing = df.column("satisfaction")?.is_null();
        let lost = df.filter(&missing)?;
        let (st, ids) = (lost.column("study")?.str()?, lost.column("customer_id")?.str()?);
        dropped.keys = st
            .iter()
            .zip(ids.iter())
            .map(|(s, id)| (s.unwrap_or_default().to_string(), id.unwrap_or_default().to_string()))
            .collect();
        dropped.rows = missing.iter().enumerate().filter(|(_, v)| *v == Some(true)).map(|(i, _)| i).collect();
        df = df.filter(&!&missing)?;
    }
    Ok((CleanTable { df, normalised, dropped }, items))
}

/// The data-quality warnings for values changed at validation (per table, column): key values
/// normalised, and answers coded as missing.
pub(crate) fn normalised_warnings(table: Table, counts: &[(String, usize)], schema: &Schema) -> Vec<String> {
    counts
        .iter()
        .map(|(column, n)| {
            if KEY_COLUMNS.contains(&column.as_str()) {
                format!(
                    "table '{table}', column '{column}': {n} value(s) normalised (surrounding spaces removed, Unicode NFC) so that equal names match"
                )
            } else {
                let codes: Vec<String> = schema.missing_codes_for(column).iter().map(|c| c.to_string()).collect();
                format!(
                    "table '{table}', column '{column}': {n} answer(s) given as a missing code ({}) counted as missing",
                    codes.join(", ")
                )
            }
        })
        .collect()
}

/// Answers equal to one of the schema's missing codes for `column` become nulls; the count.
fn apply_missing_codes(s: &Series, column: &str, schema: &Schema) -> Result<(Series, usize)> {
    let codes = schema.missing_codes_for(column);
    if codes.is_empty() || KEY_COLUMNS.contains(&column) {
        return Ok((s.clone(), 0));
    }
    let dtype = s.dtype().clone();
    let hit: BooleanChunked = if dtype.is_string() {
        s.str()?.iter().map(|v| Some(v.is_some_and(|x| codes.iter().any(|c| c.matches_text(x))))).collect()
    } else if dtype.is_primitive_numeric() {
        let f = s.cast(&DataType::Float64)?;
        f.f64()?.iter().map(|v| Some(v.is_some_and(|x| codes.iter().any(|c| c.matches_number(x))))).collect()
    } else if dtype.is_categorical() || dtype.is_enum() {
        let t = s.cast(&DataType::String)?;
        t.str()?.iter().map(|v| Some(v.is_some_and(|x| codes.iter().any(|c| c.matches_text(x))))).collect()
    } else {
        return Ok((s.clone(), 0));
    };
    let n = hit.sum().unwrap_or(0) as usize;
    if n == 0 {
        return Ok((s.clone(), 0));
    }
    let nulls = Series::full_null(s.name().clone(), s.len(), &dtype);
    let out = nulls.zip_with(&hit, s)?;
    Ok((out, n))
}

/// Adds the schema's constant columns that the table lacks (e.g. `study` for a one-company
/// export); a constant for a column the file already has is refused (which one is meant?).
fn add_constants(df: &mut DataFrame, table: Table, schema: &Schema) -> Result<()> {
    for (column, value) in schema.constants() {
        if table.column(column).is_none() {
            continue;
        }
        if df.get_column_index(column).is_some() {
            return Err(MiroirError::InvalidSchema {
                detail: format!(
                    "table '{table}': the schema gives '{column}' the constant value '{value}' but the file has a '{column}' column; drop one"
                ),
            });
        }
        let col = Column::new(column.as_str().into(), vec![value.as_str(); df.height()]);
        df.with_column(col)?;
    }
    Ok(())
}

/// Units present on one side only: a warning, not an error (they cannot enter the linkage).
pub(crate) fn one_sided_units(index: &super::index::StudyIndex) -> Vec<String> {
    let (n_emp, n_cus) = index.unit_counts();
    let mut warnings = Vec::new();
    let name = |u: usize| format!("{}/{}", index.studies[index.units[u].study as usize], index.units[u].name);
    for (only, other, label) in [
        (&n_emp, &n_cus, "have employees but no customers"),
        (&n_cus, &n_emp, "have customers but no employees"),
    ] {
        let set: Vec<usize> = (0..index.units.len()).filter(|&u| only[u] > 0 && other[u] == 0).collect();
        if set.is_empty() {
            continue;
        }
        let shown: Vec<String> = set.iter().take(10).map(|&u| name(u)).collect();
        let more = if set.len() > 10 { format!(", ... ({} in all)", set.len()) } else { String::new() };
        warnings.push(format!(
            "{} unit(s) {label} and cannot enter the linkage: {}{more}",
            set.len(),
            shown.join(", ")
        ));
    }
    warnings
}
