//! Reading a CSV export: keys always as text, a repeated header refused, errors in our words.
//!
//! - The key columns (study, unit, the ids, respondent_id: by the names the file gives them,
//!   before the schema's mapping) are read as text, so `0001` stays `0001` and a customer id
//!   written `0000007` on one side and `7` nowhere else still joins.
//! - A header naming a column twice is refused (polars would keep the first and rename the
//!   second `<name>_duplicated_0`, silently).
//! - A line with more or fewer fields than the header is a [`MiroirError::Io`] naming the line
//!   (1-based, as an editor numbers it); polars' advice about reader options miroir does not
//!   expose is not passed on.
//! - A column whose type polars' inference guessed from the first rows and that later holds
//!   something else is read as text; validation then names the value and the row.

use super::files::{guarded, io_error};
use crate::error::{MiroirError, Result};
use polars::prelude::*;
use std::io::Cursor;
use std::path::Path;

/// Rows polars looks at to infer a column's type.
const INFER_ROWS: usize = 10_000;

/// Reads CSV bytes; `text_columns` (names as in the file) are read as text when present.
pub(crate) fn read_csv(path: &Path, bytes: &[u8], text_columns: &[String]) -> Result<DataFrame> {
    guarded(path, "CSV", || {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(io_error(path, "cannot read CSV: the file is UTF-16 text: save it as UTF-8"));
        }
        // polars pads a line with too few fields with nulls, silently: a cut or shifted line
        // must be an error, whatever the rest of the file.
        if let Some(detail) = ragged_line(bytes) {
            return Err(io_error(path, format!("cannot read CSV: {detail}")));
        }
        let header = header(path, bytes)?;
        let mut overwrite = polars::prelude::Schema::with_capacity(text_columns.len());
        for name in text_columns.iter().filter(|n| header.iter().any(|h| h == *n)) {
            overwrite.insert(name.as_str().into(), DataType::String);
        }
        let read = |infer: usize, overwrite: Option<SchemaRef>| {
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(infer))
                .with_schema_overwrite(overwrite)
                .into_reader_with_file_handle(Cursor::new(bytes))
                .finish()
        };
        match read(INFER_ROWS, (!overwrite.is_empty()).then(|| Arc::new(overwrite))) {
            Ok(df) => Ok(df),
            Err(first) => {
                // A type guessed from the first rows that later rows break: read every column as
                // text and let validation judge the values (it names the value and the row).
                read(0, None).map_err(|_| io_error(path, format!("cannot read CSV: {}", polars_gist(&first))))
            }
        }
    })
}

/// The column names of the header, refusing an empty file and a repeated name.
fn header(path: &Path, bytes: &[u8]) -> Result<Vec<String>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(io_error(path, "the file is empty (a CSV table needs a header line)"));
    }
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_n_rows(Some(0))
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| match ragged_line(bytes) {
            Some(detail) => io_error(path, format!("cannot read CSV: {detail}")),
            None => io_error(path, format!("cannot read the CSV header: {}", polars_gist(&e))),
        })?;
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    for (i, name) in names.iter().enumerate() {
        if let Some((base, _)) = name.rsplit_once("_duplicated_") {
            if let Some(j) = names.iter().position(|n| n == base) {
                return Err(MiroirError::Io {
                    path: path.display().to_string(),
                    detail: format!(
                        "the header names column '{base}' twice (columns {} and {}): rename or drop one",
                        j + 1,
                        i + 1
                    ),
                });
            }
        }
    }
    Ok(names)
}

/// The first line of a polars error, without its advice about reader options.
fn polars_gist(e: &PolarsError) -> String {
    let text = e.to_string();
    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("unreadable file");
    first.replace("in 'Schema'", "in the header").trim_end_matches(['.', ':']).to_string()
}

/// The first record whose number of fields differs from the header's (quote-aware, `,`
/// separator, `"` quotes), as "line N has K fields where the header has H".
fn ragged_line(bytes: &[u8]) -> Option<String> {
    let (mut fields, mut in_quotes, mut line, mut record_line) = (1usize, false, 1usize, 1usize);
    let mut header: Option<usize> = None;
    let mut empty = true;
    let mut finish = |fields: usize, empty: bool, record_line: usize| -> Option<String> {
        if empty && fields == 1 {
            return None; // a blank line
        }
        match header {
            None => {
                header = Some(fields);
                None
            }
            Some(h) if h != fields => Some(format!(
                "line {record_line} has {fields} field{} where the header has {h} (check the separator and the quotes)",
                if fields == 1 { "" } else { "s" }
            )),
            Some(_) => None,
        }
    };
    for &b in bytes {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                empty = false;
            }
            b',' if !in_quotes => {
                fields += 1;
                empty = false;
            }
            b'\n' => {
                line += 1;
                if !in_quotes {
                    if let Some(msg) = finish(fields, empty, record_line) {
                        return Some(msg);
                    }
                    (fields, empty, record_line) = (1, true, line);
                }
            }
            b'\r' => {}
            _ => empty = false,
        }
    }
    finish(fields, empty, record_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, keys: &[&str]) -> Result<DataFrame> {
        let keys: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        read_csv(Path::new("t.csv"), text.as_bytes(), &keys)
    }

    #[test]
    fn keys_keep_their_leading_zeros() {
        let df = read("id,x\n0001,1\n0002,2\n", &["id", "absent"]).unwrap();
        let ids: Vec<_> = df.column("id").unwrap().str().unwrap().iter().flatten().collect();
        assert_eq!(ids, ["0001", "0002"]);
        assert!(df.column("x").unwrap().dtype().is_integer());
    }

    #[test]
    fn a_repeated_header_is_refused() {
        let e = read("id,engagement,engagement\n1,2,3\n", &[]).unwrap_err().to_string();
        assert!(e.contains("names column 'engagement' twice (columns 2 and 3)"), "{e}");
    }

    #[test]
    fn a_ragged_line_is_named() {
        let e = read("a,b\n1,2\n\"x,\ny\",3\n4,5,6\n", &[]).unwrap_err().to_string();
        assert!(e.contains("line 5 has 3 fields where the header has 2"), "{e}");
        assert!(!e.contains("truncate_ragged_lines"), "{e}");
    }

    #[test]
    fn a_type_broken_after_the_inferred_rows_is_read_as_text() {
        let mut text = String::from("a,b\n");
        for i in 0..INFER_ROWS + 5 {
            text.push_str(&format!("{i},{}\n", if i == INFER_ROWS + 2 { "NA".to_string() } else { i.to_string() }));
        }
        let df = read(&text, &[]).unwrap();
        assert!(df.column("b").unwrap().dtype().is_string());
        assert_eq!(df.height(), INFER_ROWS + 5);
    }

    #[test]
    fn a_line_cut_short_is_named() {
        let e = read("a,b,c\n1,2,3\n4,5", &[]).unwrap_err().to_string();
        assert!(e.contains("line 3 has 2 fields where the header has 3"), "{e}");
        let e = read("\u{feff}a,b\n1,2\n", &[]);
        assert!(e.is_ok(), "a UTF-8 byte-order mark is fine: {e:?}");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("a,b\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let e = read_csv(Path::new("t.csv"), &utf16, &[]).unwrap_err().to_string();
        assert!(e.contains("the file is UTF-16 text"), "{e}");
    }

    #[test]
    fn an_empty_file_is_a_file_error() {
        assert!(read("", &[]).unwrap_err().to_string().contains("the file is empty"));
        assert!(read(" \n", &[]).unwrap_err().to_string().contains("the file is empty"));
    }
}
