//! The `[schema]` table of a spec or a schema file: validated into a [`Schema`] (every error at
//! its line and key), and written back ([`schema_to_toml`]).

use super::location::{Root, Source};
use super::raw::{RawCode, RawCsv, RawMissingCodes, RawSchema, RawSchemaFile, RawSheet};
use crate::data::schema::{CsvOptions, MissingCode, RecodeTarget};
use crate::data::{Schema, SchemaBuilder, Table};
use crate::error::{MiroirError, Result};
use toml::Spanned;

fn pair(src: &Source, key: &str, v: &Spanned<Vec<f64>>) -> Result<(f64, f64)> {
    match v.get_ref().as_slice() {
        [a, b] => Ok((*a, *b)),
        other => Err(src.at(v.span(), key, format!("expected [low, high], got {} values", other.len()))),
    }
}

/// The `[schema]` table as a [`Schema`] (the default without one). A builder error is shown at
/// the line of the last key set that bears on it (the engagement items unless a later key set).
pub(super) fn schema(src: &Source, raw: Option<Spanned<RawSchema>>, synthetic: bool) -> Result<Schema> {
    let Some(raw) = raw else { return Ok(Schema::default()) };
    let line = src.line(raw.span().start);
    let s = raw.into_inner();
    let b = map_columns(src, Schema::builder(), &s, synthetic)?;
    let (b, key, key_line) = settings(src, b, &s, ("schema", line))?;
    b.build().map_err(|e| {
        let detail = match e {
            MiroirError::InvalidSchema { detail } => detail,
            other => other.to_string(),
        };
        src.err(key_line, key, format!("[schema]: {detail}"))
    })
}

/// The column mappings of the four tables (`[schema.employees]`, ...): data files only.
fn map_columns(src: &Source, mut b: SchemaBuilder, s: &RawSchema, synthetic: bool) -> Result<SchemaBuilder> {
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
    Ok(b)
}

/// `[schema.csv]` as the loader's CSV options.
fn csv_options(src: &Source, raw: &RawCsv) -> Result<CsvOptions> {
    let mut o = CsvOptions::default();
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
    Ok(o)
}

/// Every setting of `[schema]` but the column mappings, in the order they are applied; also the
/// key (and its line) a builder error is shown at, starting from `at`.
fn settings<'k>(
    src: &Source,
    mut b: SchemaBuilder,
    s: &RawSchema,
    at: (&'k str, usize),
) -> Result<(SchemaBuilder, &'k str, usize)> {
    let (mut key, mut key_line) = at;
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
        b = b.csv(csv_options(src, v.get_ref())?);
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
                    RawCode::Number(x) => RecodeTarget::Number(*x),
                    RawCode::Text(t) => RecodeTarget::Text(t.clone()),
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
    Ok((b, key, key_line))
}

fn missing_code(c: &RawCode) -> MissingCode {
    match c {
        RawCode::Number(x) => MissingCode::Number(*x),
        RawCode::Text(t) => MissingCode::Text(t.clone()),
    }
}

/// A schema file (`schema.toml`, written by `Study.write` beside the tables, or given with
/// `--schema`): a `[schema]` table in the format of a reproduce spec's `[schema]`; errors name
/// the file, the line and the key.
pub fn parse_schema_file(text: &str, path: &str) -> Result<Schema> {
    let src = Source::new(path, text);
    let raw: RawSchemaFile = src.deserialize(Root::SchemaFile)?;
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
