//! Where a spec error is: byte offsets (toml spans) turned into a 1-based line and its context
//! (`indicator 'x'`, `indicator 'x', filter`, `[data]`, `top level`), and serde's errors placed by
//! their key path (`serde_path_to_error`) instead of by reading the toml crate's message.
//!
//! A deserialization error is classified from its path and the document: the last key of the
//! path is not a field of the struct it sits in → `unknown key 'k' (expected ...)` (the fields as
//! serde derives them, [`fields_of`]); the path names a struct whose table lacks a required key →
//! `missing key 'k'`; otherwise `key 'k': <serde's text>`, where `k` is the key written before
//! the value's span on its line (as for a TOML syntax error).

use super::raw::{RawCsv, RawData, RawExcel, RawFilter, RawIndicator, RawOptions, RawSchema, RawSchemaFile, RawSpec, RawSynthetic};
use crate::error::{MiroirError, Result};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;

/// The document a text is parsed into: a spec, or a schema file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Root {
    Spec,
    SchemaFile,
}

/// The source text, with what is needed to turn byte offsets into "line N, in indicator 'x'".
pub(super) struct Source<'a> {
    path: &'a str,
    text: &'a str,
    /// The text as a TOML table (None when it is not valid TOML).
    doc: Option<toml::Table>,
    /// The ids of the `[[indicator]]` tables in order (None when absent or not a string).
    ids: Vec<Option<String>>,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a str, text: &'a str) -> Self {
        let doc = text.parse::<toml::Table>().ok();
        let ids = doc
            .as_ref()
            .and_then(|t| t.get("indicator").and_then(|v| v.as_array()).cloned())
            .map(|a| a.iter().map(|v| v.get("id").and_then(|i| i.as_str()).map(String::from)).collect())
            .unwrap_or_default();
        Source { path, text, doc, ids }
    }

    pub fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
    }

    /// Where a line sits: `indicator 'x'`, `indicator 'x', filter`, `[data]`, or `top level`.
    fn context(&self, line: usize) -> String {
        let mut header: Option<(bool, String)> = None;
        let mut k = 0usize;
        for (i, l) in self.text.lines().enumerate() {
            if i + 1 > line {
                break;
            }
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix("[[") {
                let name = rest.split("]]").next().unwrap_or("").trim().to_string();
                if name == "indicator" {
                    k += 1;
                }
                header = Some((true, name));
            } else if let Some(rest) = t.strip_prefix('[') {
                let name = rest.split(']').next().unwrap_or("").trim().to_string();
                header = Some((false, name));
            }
        }
        let indicator = |k: usize| match self.ids.get(k.wrapping_sub(1)).cloned().flatten() {
            Some(id) => format!("indicator '{id}'"),
            None => format!("indicator #{k}"),
        };
        match header {
            None => "top level".into(),
            Some((true, name)) if name == "indicator" => indicator(k),
            Some((false, name)) if name.starts_with("indicator.") && k > 0 => {
                format!("{}, {}", indicator(k), &name["indicator.".len()..])
            }
            Some((_, name)) => format!("[{name}]"),
        }
    }

    /// The key whose value starts at `offset` (the last `key =` before it on its line): the
    /// location of a TOML syntax error, which has no key path.
    fn key_at(&self, offset: usize) -> String {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = &self.text[start..offset];
        let Some(eq) = before.rfind('=') else { return String::new() };
        let lhs = before[..eq].trim_end();
        let key = lhs.rsplit(|c: char| c.is_whitespace() || c == '{' || c == ',').next().unwrap_or("");
        key.trim_matches(|c| c == '"' || c == '\'').to_string()
    }

    pub fn err(&self, line: usize, key: &str, detail: String) -> MiroirError {
        MiroirError::Spec { path: self.path.to_string(), line, key: key.to_string(), detail }
    }

    /// An error about the value at `span`, in its context: `indicator 'x': key 'k': detail`.
    pub fn at(&self, span: Range<usize>, key: &str, detail: impl fmt::Display) -> MiroirError {
        let line = self.line(span.start);
        self.err(line, key, format!("{}: key '{key}': {detail}", self.context(line)))
    }

    /// The text as a TOML table, or the syntax error at its line.
    pub fn check_syntax(&self) -> Result<()> {
        match self.text.parse::<toml::Table>() {
            Ok(_) => Ok(()),
            Err(e) => Err(self.syntax_error(&e)),
        }
    }

    fn syntax_error(&self, e: &toml::de::Error) -> MiroirError {
        let msg = e.message().trim().to_string();
        let Some(span) = e.span() else {
            return self.err(0, "", format!("invalid spec: {msg}"));
        };
        let line = self.line(span.start);
        self.err(line, &self.key_at(span.start), format!("invalid TOML: {}", quote(&msg)))
    }

    /// The text deserialized as `T` (the raw structure of `root`), every error placed.
    ///
    /// A top-level table defined only through its sub-tables (`[schema.employees]` with no
    /// `[schema]`) has no span, which toml's `Spanned` refuses; its header is appended at the end
    /// of the text (TOML allows a super-table after its sub-tables), so every offset of the text
    /// as written stays where it was.
    pub fn deserialize<T: DeserializeOwned>(&self, root: Root) -> Result<T> {
        let text = match self.implicit_tables() {
            implicit if implicit.is_empty() => std::borrow::Cow::Borrowed(self.text),
            implicit => {
                let headers: String = implicit.iter().map(|k| format!("\n[{k}]")).collect();
                std::borrow::Cow::Owned(format!("{}{headers}\n", self.text))
            }
        };
        serde_path_to_error::deserialize(toml::Deserializer::new(&text)).map_err(|e| self.serde_error(&e, root))
    }

    /// The top-level tables of the document that no header, inline table or dotted key defines
    /// (only sub-tables do).
    fn implicit_tables(&self) -> Vec<String> {
        let Some(doc) = &self.doc else { return Vec::new() };
        let mut defined = std::collections::HashSet::new();
        for line in self.text.lines() {
            let l = line.trim();
            if let Some(inner) = l.strip_prefix('[').filter(|r| !r.starts_with('[')) {
                if let Some((name, _)) = inner.split_once(']') {
                    defined.insert(name.trim().to_string());
                }
            } else if let Some((key, _)) = l.split_once('=') {
                // `schema = { ... }` or `schema.csv.delimiter = ";"` at the top level
                defined.insert(key.split('.').next().unwrap_or("").trim().to_string());
            }
        }
        doc.iter()
            .filter(|(k, v)| v.is_table() && !defined.contains(k.as_str()))
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn serde_error(&self, e: &serde_path_to_error::Error<toml::de::Error>, root: Root) -> MiroirError {
        let inner = e.inner();
        let msg = inner.message().trim().to_string();
        let Some(span) = inner.span() else {
            return self.err(0, "", format!("invalid spec: {msg}"));
        };
        let line = self.line(span.start);
        let context = self.context(line);
        let path = key_path(e.path());
        if let Some((last, parent)) = path.split_last() {
            if let (Segment::Key(key), Some((fields, _))) = (last, raw_struct(root, parent)) {
                if !fields.contains(&key.as_str()) {
                    return self.err(line, key, format!("{context}: unknown key '{key}' ({})", expected(fields)));
                }
            }
        }
        if let (Some((_, required)), Some(toml::Value::Table(table))) = (raw_struct(root, &path), self.value_at(&path)) {
            if let Some(key) = required.iter().find(|k| !table.contains_key(**k)) {
                return self.err(line, key, format!("{context}: missing key '{key}'"));
            }
        }
        // the key as written before the value (also where serde cannot name it: a spanned map key)
        let key = self.key_at(span.start);
        self.err(line, &key, format!("{context}: key '{key}': {}", quote(&msg)))
    }

    /// The value of the document at a key path.
    fn value_at(&self, path: &[Segment]) -> Option<toml::Value> {
        let mut v = toml::Value::Table(self.doc.clone()?);
        for s in path.iter().filter(|s| **s != Segment::Spanned) {
            v = match (s, v) {
                (Segment::Key(k), toml::Value::Table(mut t)) => t.remove(k)?,
                (Segment::Index(i), toml::Value::Array(mut a)) if *i < a.len() => a.swap_remove(*i),
                _ => return None,
            };
        }
        Some(v)
    }
}

/// The toml crate quotes with backticks; the messages use single quotes.
fn quote(s: &str) -> String {
    s.replace('`', "'")
}

/// A step of a key path: a key, an array position, the value inside a spanned wrapper, or a key
/// serde could not name (a map key that is itself a spanned value).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    Spanned,
    Unknown,
}

/// The path of an error as serde walked it. The spanned wrappers' private key stays (as
/// [`Segment::Spanned`]): a struct inside one is visited only past it, which tells a field of
/// the struct from a key of a table the wrapper refused (a table with no span, e.g. `[schema]`
/// defined only by `[schema.csv]`). A datetime's private key stays a key: it reads as an unknown
/// key of the struct where a table was due.
fn key_path(path: &serde_path_to_error::Path) -> Vec<Segment> {
    path.iter()
        .map(|s| match s {
            serde_path_to_error::Segment::Map { key } if key.starts_with("$__serde_spanned_private") => Segment::Spanned,
            serde_path_to_error::Segment::Map { key } => Segment::Key(key.clone()),
            serde_path_to_error::Segment::Seq { index } => Segment::Index(*index),
            _ => Segment::Unknown,
        })
        .collect()
}

/// The fields and the required keys of the raw struct serde was visiting at a key path (None
/// when the path leads to a map, an array or a value).
fn raw_struct(root: Root, path: &[Segment]) -> Option<(&'static [&'static str], &'static [&'static str])> {
    let names: Vec<&str> = path
        .iter()
        .map(|s| match s {
            Segment::Key(k) => k.as_str(),
            Segment::Index(_) => "[]",
            Segment::Spanned => "$",
            Segment::Unknown => "?",
        })
        .collect();
    let none: &'static [&'static str] = &[];
    Some(match (root, names.as_slice()) {
        (Root::Spec, []) => (fields_of::<RawSpec>(), none),
        (Root::SchemaFile, []) => (fields_of::<RawSchemaFile>(), none),
        (Root::Spec, ["options"]) => (fields_of::<RawOptions>(), none),
        (Root::Spec, ["data", "$"]) => (fields_of::<RawData>(), none),
        (Root::Spec, ["data", "$", "synthetic", "$"]) => (fields_of::<RawSynthetic>(), none),
        (_, ["schema", "$"]) => (fields_of::<RawSchema>(), none),
        (_, ["schema", "$", "csv", "$"]) => (fields_of::<RawCsv>(), none),
        (_, ["schema", "$", "excel", "$"]) => (fields_of::<RawExcel>(), RawExcel::REQUIRED),
        (Root::Spec, ["indicator", "[]", "$"]) => (fields_of::<RawIndicator>(), RawIndicator::REQUIRED),
        (Root::Spec, ["indicator", "[]", "$", "filter", "$"]) => (fields_of::<RawFilter>(), none),
        _ => return None,
    })
}

/// serde's list of the expected fields (`expected 'a'`, `expected 'a' or 'b'`, `expected one of
/// 'a', 'b', 'c'`; `there are no fields`), quoted as the messages quote.
fn expected(fields: &[&str]) -> String {
    let q: Vec<String> = fields.iter().map(|f| format!("'{f}'")).collect();
    match q.as_slice() {
        [] => "there are no fields".into(),
        [a] => format!("expected {a}"),
        [a, b] => format!("expected {a} or {b}"),
        _ => format!("expected one of {}", q.join(", ")),
    }
}

/// The field names serde derives for the struct `T`, in declaration order: read from a
/// deserializer that only records what `deserialize_struct` is given.
pub(super) fn fields_of<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> std::result::Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("fields recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_keys_are_those_serde_requires() {
        // an empty table lacks exactly the required keys: serde names the first one
        let e = toml::from_str::<RawIndicator>("").err().unwrap();
        assert_eq!(e.message(), format!("missing field `{}`", RawIndicator::REQUIRED[0]));
        let e = toml::from_str::<RawIndicator>("id = 'a'\nstatistic = 's'\n").err().unwrap();
        assert_eq!(e.message(), "missing field `published`");
        let e = toml::from_str::<RawExcel>("").err().unwrap();
        assert_eq!(e.message(), "missing field `sheet`");
        assert!(toml::from_str::<RawIndicator>("id = 'a'\nstatistic = 's'\npublished = 1\n").is_ok());
        assert_eq!(fields_of::<RawFilter>(), ["study", "unit", "customer_facing"]);
        assert_eq!(expected(fields_of::<RawExcel>()), "expected 'sheet'");
    }
}
