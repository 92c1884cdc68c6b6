//! Reading a CSV export as institutes have it: any of the usual separators, UTF-8 or a Windows
//! code page, decimal commas; keys always as text, a repeated header refused, errors in our words.
//!
//! Every option of [`CsvOptions`] left to `None` is detected from the file:
//!
//! - **Encoding.** A UTF-8 byte-order mark is stripped. Bytes that are valid UTF-8 are UTF-8.
//!   Otherwise the encoding is guessed by `chardetng` (on 256 KiB from the first line
//!   holding a byte above 127; a French or Western export comes out as windows-1252, which also
//!   reads latin-1) and the text transcoded to UTF-8 by `encoding_rs` before polars sees it.
//!   A UTF-16 file (byte-order mark `FF FE` / `FE FF`) is refused unless its encoding is
//!   declared. A declared label (`"cp1252"`, `"latin-1"`, `"utf-8"`: WHATWG labels, `_` read
//!   as `-`, `latin-1` as `latin1`) is used as given, except that bytes invalid in it are a
//!   [`MiroirError::Io`] naming the line, and a file declared in a one-byte code page that is in
//!   fact UTF-8 with accents is refused rather than read as mojibake (`Ã©` for `é`).
//!   An unknown label is a [`MiroirError::InvalidSchema`].
//! - **Separator**, among `,` `;` tab `|`: on the first 100 records (quote-aware), the
//!   candidates that give every record the same number of fields, more than one; of those the
//!   one giving the most fields (ties in the order `,` `;` tab `|`). When none is consistent
//!   (a ragged line among the first ones), the one giving the header the most fields, so that
//!   the ragged line is then named; a one-column file is read with `,`.
//! - **Decimal comma**, detected only with the `;` separator, when among the first
//!   10,000 records some field is a number written with a decimal comma (`7,5`, `-0,25`,
//!   `1 234,5`) and no field is a number written with a decimal point (`7.5`, `1.234`). With
//!   any other separator it must be declared.
//!
//! After polars has read the text, a column polars left as text (never a key column) whose
//! values are numbers in the file's convention becomes a number column (`i64` when no value has
//! a fraction, else `f64`):
//! - the decimal mark is `,` under the decimal comma, else `.`;
//! - thousands separators are accepted when the grouping is regular (1 to 3 digits, then groups
//!   of exactly 3, one separator throughout the value): a space, a non-breaking space (U+00A0),
//!   a narrow non-breaking space (U+202F) or a thin space (U+2009) in either convention, and `.`
//!   under the decimal comma only together with a decimal part (`1.234,5`; `1.234` alone is
//!   ambiguous and left as it is); `,` is never read as a thousands separator;
//! - `8/10`, `75 %`, `NA`, `inf`, `nan` are not numbers: a column holding some of them among a
//!   majority of numbers keeps its text, with only its numbers rewritten in decimal-point form,
//!   so that validation names the first value that is not a number and its row.
//!
//! As before:
//! - The key columns (study, unit, the ids, respondent_id: by the names the file gives them,
//!   before the schema's mapping) are read as text, so `0001` stays `0001` and a customer id
//!   written `0000007` on one side and `7` nowhere else still joins.
//! - A header naming a column twice is refused (polars would keep the first and rename the
//!   second `<name>_duplicated_0`, silently).
//! - A line with more or fewer fields than the header, or a quote never closed, is a
//!   [`MiroirError::Io`] naming the line (1-based, as an editor numbers it); CRLF line ends and
//!   quoted fields holding newlines are read as such.
//! - A column whose type polars' inference guessed from the first rows and that later holds
//!   something else is read as text; validation then names the value and the row.
//! - No polars message reaches the user with polars' advice about reader options miroir does
//!   not expose; where polars gives a byte offset, the line is named.

use super::files::{guarded, io_error};
use super::schema::CsvOptions;
use crate::error::{MiroirError, Result};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use polars::prelude::*;
use std::borrow::Cow;
use std::io::Cursor;
use std::path::Path;

/// Rows polars looks at to infer a column's type (and records looked at for a decimal comma).
const INFER_ROWS: usize = 10_000;
/// The separators detected, in the order that breaks a tie.
const SEPARATORS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Records looked at to detect the separator.
const SEPARATOR_RECORDS: usize = 100;
/// Bytes given to the encoding detector, from the first line holding a byte above 127.
const ENCODING_WINDOW: usize = 256 << 10;
/// Values of a text column looked at before deciding whether it holds numbers.
const NUMBER_SAMPLE: usize = 1_000;
const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Reads CSV bytes; `text_columns` (names as in the file) are read as text when present;
/// `options` left to `None` are detected (see the module's documentation).
pub(crate) fn read_csv(path: &Path, bytes: &[u8], text_columns: &[String], options: &CsvOptions) -> Result<DataFrame> {
    guarded(path, "CSV", || {
        let text = decode(path, bytes, options.encoding.as_deref())?;
        let text: &[u8] = &text;
        let separator = options.separator.unwrap_or_else(|| detect_separator(text));
        // polars pads a line with too few fields with nulls, silently: a cut or shifted line
        // must be an error, whatever the rest of the file.
        if let Some(detail) = ragged_line(text, separator) {
            return Err(io_error(path, format!("cannot read CSV: {detail}")));
        }
        let header = header(path, text, separator)?;
        let decimal_comma = options.decimal_comma.unwrap_or_else(|| detect_decimal_comma(text, separator));
        let mut overwrite = polars::prelude::Schema::with_capacity(text_columns.len());
        for name in text_columns.iter().filter(|n| header.iter().any(|h| h == *n)) {
            overwrite.insert(name.as_str().into(), DataType::String);
        }
        let read = |infer: usize, overwrite: Option<SchemaRef>| {
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(infer))
                .with_schema_overwrite(overwrite)
                // polars' own decimal-comma parsing (`7,5`, fast) needs another separator than `,`;
                // the rest (thousands, quoted `"7,5"` in a `,` file) is left to the pass below
                .map_parse_options(|p| p.with_separator(separator).with_decimal_comma(decimal_comma && separator != b','))
                .into_reader_with_file_handle(Cursor::new(text))
                .finish()
        };
        let df = match read(INFER_ROWS, (!overwrite.is_empty()).then(|| Arc::new(overwrite))) {
            Ok(df) => df,
            // A type guessed from the first rows that later rows break: read every column as
            // text and let validation judge the values (it names the value and the row).
            Err(first) => read(0, None)
                .map_err(|_| io_error(path, format!("cannot read CSV: {}", polars_gist(&first, text))))?,
        };
        numbers_in_text_columns(path, df, text_columns, decimal_comma)
    })
}

// ---------------------------------------------------------------------------------------------
// Encoding.

/// The encoding a label names: WHATWG labels, with `_` read as `-` and `latin-1` as `latin1`.
fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().to_ascii_lowercase();
    [l.clone(), l.replace('_', "-"), l.replace(['_', '-'], "")]
        .iter()
        .find_map(|candidate| Encoding::for_label_no_replacement(candidate.as_bytes()))
}

/// The file's text as UTF-8 (without a byte-order mark), by the declared encoding or detected.
fn decode<'a>(path: &Path, bytes: &'a [u8], label: Option<&str>) -> Result<Cow<'a, [u8]>> {
    if let Some(label) = label {
        let encoding = encoding_for_label(label).ok_or_else(|| MiroirError::InvalidSchema {
            detail: format!(
                "{}: csv encoding '{label}' is not a known encoding (use a name such as 'utf-8', 'cp1252', 'latin-1', 'iso-8859-15')",
                path.display()
            ),
        })?;
        return decode_as(path, bytes, encoding, true);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(io_error(
            path,
            "cannot read CSV: the file is UTF-16 text: save it as UTF-8 (or declare its encoding 'utf-16')",
        ));
    }
    if bytes.starts_with(UTF8_BOM) {
        // a byte-order mark says UTF-8: an invalid sequence after it is an error, not a guess
        return decode_as(path, bytes, UTF_8, false);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(Cow::Borrowed(bytes));
    }
    let guess = guess_encoding(bytes);
    match decode_as(path, bytes, guess, false) {
        Err(_) if guess != WINDOWS_1252 => decode_as(path, bytes, WINDOWS_1252, false),
        other => other,
    }
}

/// The legacy encoding `chardetng` guesses for bytes that are not UTF-8.
fn guess_encoding(bytes: &[u8]) -> &'static Encoding {
    let first = Encoding::ascii_valid_up_to(bytes);
    let start = bytes[..first].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let window = &bytes[start..bytes.len().min(start + ENCODING_WINDOW)];
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(window, true);
    detector.guess(None, false)
}

/// Decodes `bytes` as `encoding` (a byte-order mark of that encoding dropped), naming the line
/// of the first byte that is not valid in it.
fn decode_as<'a>(path: &Path, bytes: &'a [u8], encoding: &'static Encoding, declared: bool) -> Result<Cow<'a, [u8]>> {
    let name = encoding.name();
    let body = match Encoding::for_bom(bytes) {
        Some((bom, len)) if bom == encoding => &bytes[len..],
        Some((bom, _)) if declared => {
            return Err(io_error(
                path,
                format!(
                    "cannot read CSV: the file is declared {name} but starts with a {} byte-order mark: declare '{}' or leave the encoding to detection",
                    bom.name(),
                    bom.name().to_ascii_lowercase()
                ),
            ));
        }
        _ => bytes,
    };
    if encoding == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(_) => Ok(Cow::Borrowed(body)),
            Err(e) => Err(io_error(
                path,
                format!(
                    "cannot read CSV: line {} is not valid UTF-8 (byte 0x{:02X}): declare the file's encoding (e.g. 'cp1252'){}",
                    line_of(body, e.valid_up_to()),
                    body[e.valid_up_to()],
                    if declared { " or leave it to detection" } else { "" }
                ),
            )),
        };
    }
    if declared && encoding.is_single_byte() && !body.is_ascii() && std::str::from_utf8(body).is_ok() {
        // what a one-byte code page makes of UTF-8 accents is mojibake ("Ã©" for "é")
        let at = Encoding::ascii_valid_up_to(body);
        return Err(io_error(
            path,
            format!(
                "cannot read CSV: the file is declared {name} but is UTF-8 text (line {} would read as mojibake, 'Ã©' for 'é'): declare 'utf-8' or leave the encoding to detection",
                line_of(body, at)
            ),
        ));
    }
    match transcode(encoding, body) {
        Some(text) => Ok(text),
        None => {
            let at = first_malformed(encoding, body);
            Err(io_error(
                path,
                format!(
                    "cannot read CSV: line {} is not valid {name}{}",
                    line_of(body, at),
                    if declared { ": declare the file's encoding or leave it to detection" } else { "" }
                ),
            ))
        }
    }
}

/// `bytes` decoded from `encoding` to UTF-8; `None` if some bytes are not valid in it. A
/// one-byte encoding is stateless, so a large file is decoded in slices on several threads.
fn transcode<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Option<Cow<'a, [u8]>> {
    const SLICE: usize = 4 << 20;
    if !encoding.is_single_byte() || bytes.len() < 2 * SLICE || Encoding::ascii_valid_up_to(bytes) == bytes.len() {
        return match encoding.decode_without_bom_handling_and_without_replacement(bytes)? {
            Cow::Borrowed(s) => Some(Cow::Borrowed(s.as_bytes())),
            Cow::Owned(s) => Some(Cow::Owned(s.into_bytes())),
        };
    }
    use rayon::prelude::*;
    let parts: Vec<Option<Cow<'a, str>>> =
        bytes.par_chunks(SLICE).map(|c| encoding.decode_without_bom_handling_and_without_replacement(c)).collect();
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.as_ref().map_or(0, |p| p.len())).sum());
    for part in parts {
        out.extend_from_slice(part?.as_bytes());
    }
    Some(Cow::Owned(out))
}

/// The offset of the first byte sequence `encoding` cannot decode.
fn first_malformed(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![0u8; decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 4 + 16)];
    let (result, read, _) = decoder.decode_to_utf8_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => read.saturating_sub(bad as usize + after as usize),
        _ => read,
    }
}

/// The 1-based line (as an editor numbers it) of byte `offset`.
fn line_of(text: &[u8], offset: usize) -> usize {
    text[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

// ---------------------------------------------------------------------------------------------
// Records, separator, decimal comma.

/// Calls `record` with the raw fields (quotes kept) of each non-blank record of `text` split on
/// `separator` outside `"` quotes, until it returns false.
fn for_each_record<'a>(text: &'a [u8], separator: u8, mut record: impl FnMut(&[&'a [u8]]) -> bool) {
    let mut fields: Vec<&'a [u8]> = Vec::new();
    let (mut start, mut in_quotes) = (0usize, false);
    let mut end_record = |fields: &mut Vec<&'a [u8]>| -> bool {
        let blank = fields.len() == 1 && fields[0].is_empty();
        let go_on = blank || record(fields);
        fields.clear();
        go_on
    };
    for (i, &b) in text.iter().enumerate() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && b == separator {
            fields.push(&text[start..i]);
            start = i + 1;
        } else if !in_quotes && b == b'\n' {
            let end = if i > start && text[i - 1] == b'\r' { i - 1 } else { i };
            fields.push(&text[start..end]);
            start = i + 1;
            if !end_record(&mut fields) {
                return;
            }
        }
    }
    if start < text.len() || !fields.is_empty() {
        let rest = &text[start..];
        fields.push(rest.strip_suffix(b"\r").unwrap_or(rest));
        end_record(&mut fields);
    }
}

/// The number of fields of each of the first `n` records with `separator`.
fn field_counts(text: &[u8], separator: u8, n: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    for_each_record(text, separator, |fields| {
        counts.push(fields.len());
        counts.len() < n
    });
    counts
}

/// The separator among `,` `;` tab `|` that gives the first records one number (> 1) of fields.
fn detect_separator(text: &[u8]) -> u8 {
    let counts: Vec<(u8, Vec<usize>)> =
        SEPARATORS.iter().map(|&s| (s, field_counts(text, s, SEPARATOR_RECORDS))).collect();
    let header = |c: &[usize]| c.first().copied().unwrap_or(0);
    let best = |candidates: Vec<&(u8, Vec<usize>)>| {
        // the most fields; among equals, the first in SEPARATORS' order
        candidates.into_iter().rev().max_by_key(|(_, c)| header(c)).map(|(s, _)| *s)
    };
    let consistent: Vec<_> =
        counts.iter().filter(|(_, c)| header(c) > 1 && c.iter().all(|&n| n == header(c))).collect();
    if let Some(s) = best(consistent) {
        return s;
    }
    best(counts.iter().filter(|(_, c)| header(c) > 1).collect()).unwrap_or(b',')
}

/// A field without its surrounding quotes and spaces.
fn unquoted(field: &[u8]) -> &[u8] {
    let f = field.trim_ascii();
    if f.len() >= 2 && f[0] == b'"' && f[f.len() - 1] == b'"' {
        &f[1..f.len() - 1]
    } else {
        f
    }
}

/// Whether numbers are written with a decimal comma: the `;` separator, some field of the first
/// records a number with a decimal comma, and none a number with a decimal point.
fn detect_decimal_comma(text: &[u8], separator: u8) -> bool {
    if separator != b';' {
        return false;
    }
    let (mut comma, mut point, mut records) = (0usize, 0usize, 0usize);
    let mut buf = String::new();
    for_each_record(text, separator, |fields| {
        records += 1;
        if records > 1 {
            for f in fields.iter().filter_map(|f| std::str::from_utf8(unquoted(f)).ok()) {
                if f.contains(',') && number(f, true, &mut buf).is_some() {
                    comma += 1;
                } else if f.contains('.') && number(f, false, &mut buf).is_some() {
                    point += 1;
                }
            }
        }
        point == 0 && records <= INFER_ROWS
    });
    comma > 0 && point == 0
}

// ---------------------------------------------------------------------------------------------
// Numbers written as text.

/// What [`number`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Number {
    /// No fraction, no exponent.
    integer: bool,
    /// The decimal-point form differs from the text (decimal comma, grouping, spaces).
    changed: bool,
}

/// The thousands separator starting `b`, and its length in bytes.
fn group_separator(b: &[u8], decimal_comma: bool) -> Option<usize> {
    match b {
        [b' ', ..] => Some(1),
        [b'.', ..] if decimal_comma => Some(1),
        [0xC2, 0xA0, ..] => Some(2),                          // U+00A0 no-break space
        [0xE2, 0x80, 0xAF, ..] | [0xE2, 0x80, 0x89, ..] => Some(3), // U+202F, U+2009
        _ => None,
    }
}

/// Whether `v` is a number in the file's convention (see the module's documentation); its
/// decimal-point form (`-1234.5`) is left in `out`.
fn number(v: &str, decimal_comma: bool, out: &mut String) -> Option<Number> {
    out.clear();
    let t = v.trim();
    let b = t.as_bytes();
    let digits = |i: usize| b[i.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        out.push(b[0] as char);
        i = 1;
    }
    let lead = digits(i);
    if lead == 0 {
        return None;
    }
    out.push_str(&t[i..i + lead]);
    i += lead;
    let (mut separator, mut groups): (Option<&[u8]>, usize) = (None, 0);
    while let Some(len) = group_separator(&b[i..], decimal_comma) {
        let s = &b[i..i + len];
        if separator.is_some_and(|p| p != s) || digits(i + len) != 3 {
            return None;
        }
        separator = Some(s);
        groups += 1;
        out.push_str(&t[i + len..i + len + 3]);
        i += len + 3;
    }
    if groups > 0 && lead > 3 {
        return None;
    }
    let mark = if decimal_comma { b',' } else { b'.' };
    let mut fraction = false;
    if b.get(i) == Some(&mark) {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        out.push('.');
        out.push_str(&t[i + 1..i + 1 + n]);
        i += 1 + n;
        fraction = true;
    }
    let mut exponent = false;
    if groups == 0 && matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let n = digits(j);
        if n == 0 {
            return None;
        }
        out.push_str(&t[i..j + n]);
        i = j + n;
        exponent = true;
    }
    if i != b.len() || (separator == Some(b".") && !fraction) {
        return None; // trailing text; or `1.234`, thousands or a decimal point
    }
    Some(Number { integer: !fraction && !exponent, changed: out.as_str() != v })
}

/// Turns the text columns (keys excepted) that hold numbers into number columns.
fn numbers_in_text_columns(path: &Path, mut df: DataFrame, text_columns: &[String], decimal_comma: bool) -> Result<DataFrame> {
    let names: Vec<PlSmallStr> = df
        .columns()
        .iter()
        .filter(|c| c.dtype().is_string() && !text_columns.iter().any(|k| k == c.name().as_str()))
        .map(|c| c.name().clone())
        .collect();
    let internal = |e: PolarsError| io_error(path, format!("cannot read CSV: {}", polars_gist(&e, &[])));
    for name in names {
        let column = df.column(&name).map_err(internal)?;
        let converted = match column.str() {
            Ok(ca) => numbers_in_text(ca, decimal_comma),
            Err(_) => None,
        };
        if let Some(series) = converted {
            df.with_column(series.with_name(name).into_column()).map_err(internal)?;
        }
    }
    Ok(df)
}

/// A text column as numbers when all its values are numbers; with its numbers in decimal-point
/// form when most are (validation then names the others); `None` when it is left as it is.
fn numbers_in_text(ca: &StringChunked, decimal_comma: bool) -> Option<Series> {
    let mut buf = String::new();
    let (mut seen, mut numeric) = (0usize, 0usize);
    for v in ca.iter().flatten().take(NUMBER_SAMPLE) {
        seen += 1;
        numeric += number(v, decimal_comma, &mut buf).is_some() as usize;
    }
    if seen == 0 || numeric * 2 <= seen {
        return None;
    }
    let (mut floats, mut ints) = (Vec::with_capacity(ca.len()), Vec::with_capacity(ca.len()));
    let (mut all, mut integer, mut changed) = (true, true, false);
    for v in ca.iter() {
        let Some(v) = v else {
            floats.push(None);
            ints.push(None);
            continue;
        };
        match number(v, decimal_comma, &mut buf).and_then(|n| buf.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| (n, f))) {
            Some((n, f)) => {
                changed |= n.changed;
                floats.push(Some(f));
                if integer {
                    match buf.parse::<i64>() {
                        Ok(i) if n.integer => ints.push(Some(i)),
                        _ => integer = false,
                    }
                }
            }
            None => {
                all = false;
                break;
            }
        }
    }
    if all {
        return Some(if integer {
            Int64Chunked::from_iter(ints).into_series()
        } else {
            Float64Chunked::from_iter(floats).into_series()
        });
    }
    // some values are not numbers: rewrite the numbers only if some are in another form
    let mut rewritten = false;
    let out: StringChunked = ca
        .iter()
        .map(|v| {
            v.map(|v| match number(v, decimal_comma, &mut buf) {
                Some(n) if n.changed => {
                    rewritten = true;
                    buf.clone()
                }
                _ => v.to_string(),
            })
        })
        .collect();
    (rewritten || changed).then(|| out.into_series())
}

// ---------------------------------------------------------------------------------------------
// Header, polars' errors, ragged lines.

/// The column names of the header, refusing an empty file and a repeated name.
fn header(path: &Path, text: &[u8], separator: u8) -> Result<Vec<String>> {
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(io_error(path, "the file is empty (a CSV table needs a header line)"));
    }
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_n_rows(Some(0))
        .with_infer_schema_length(Some(0))
        .map_parse_options(|p| p.with_separator(separator))
        .into_reader_with_file_handle(Cursor::new(text))
        .finish()
        .map_err(|e| match ragged_line(text, separator) {
            Some(detail) => io_error(path, format!("cannot read CSV: {detail}")),
            None => io_error(path, format!("cannot read the CSV header: {}", polars_gist(&e, text))),
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

/// Words of polars' advice about reader options miroir does not expose.
const POLARS_ADVICE: [&str; 6] =
    ["truncate_ragged_lines", "infer_schema_length", "schema_overrides", "ignore_errors", "null_values", "chema"];

/// The first line of a polars error in our words: without its advice about reader options, and
/// with the line (of `text`) where polars gives a byte offset.
fn polars_gist(e: &PolarsError, text: &[u8]) -> String {
    let full = e.to_string();
    let first = full.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("unreadable file");
    let mut gist = first.replace("in 'Schema'", "in the header").trim_end_matches(['.', ':']).to_string();
    if POLARS_ADVICE.iter().any(|w| gist.contains(w)) {
        gist = "the file is not a well-formed CSV table".into();
    }
    let offset = full.split_once("offset in the file is ").and_then(|(_, rest)| {
        rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|d| d.parse::<usize>().ok())
    });
    match offset {
        Some(offset) if !text.is_empty() => format!("line {}: {gist}", line_of(text, offset)),
        _ => gist,
    }
}

/// The first record whose number of fields differs from the header's (quote-aware, `"`
/// quotes), as "line N has K fields where the header has H"; or a quote never closed.
fn ragged_line(text: &[u8], separator: u8) -> Option<String> {
    let (mut fields, mut in_quotes, mut line, mut record_line, mut quote_line) = (1usize, false, 1usize, 1usize, 1usize);
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
    for &b in text {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                if in_quotes {
                    quote_line = line;
                }
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
            b if b == separator && !in_quotes => {
                fields += 1;
                empty = false;
            }
            _ => empty = false,
        }
    }
    if in_quotes {
        return Some(format!("line {quote_line} opens a quoted field that is never closed (a '\"' is missing)"));
    }
    finish(fields, empty, record_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_with(bytes: &[u8], keys: &[&str], options: &CsvOptions) -> Result<DataFrame> {
        let keys: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        read_csv(Path::new("t.csv"), bytes, &keys, options)
    }

    fn read(text: &str, keys: &[&str]) -> Result<DataFrame> {
        read_with(text.as_bytes(), keys, &CsvOptions::default())
    }

    fn strs(df: &DataFrame, name: &str) -> Vec<String> {
        df.column(name).unwrap().str().unwrap().iter().map(|v| v.unwrap_or("<null>").to_string()).collect()
    }

    fn floats(df: &DataFrame, name: &str) -> Vec<f64> {
        df.column(name).unwrap().f64().unwrap().iter().map(|v| v.unwrap_or(f64::NAN)).collect()
    }

    fn ints(df: &DataFrame, name: &str) -> Vec<i64> {
        df.column(name).unwrap().i64().unwrap().iter().map(|v| v.unwrap_or(i64::MIN)).collect()
    }

    #[test]
    fn keys_keep_their_leading_zeros() {
        let df = read("id,x\n0001,1\n0002,2\n", &["id", "absent"]).unwrap();
        assert_eq!(strs(&df, "id"), ["0001", "0002"]);
        assert!(df.column("x").unwrap().dtype().is_integer());
        let df = read("id;x\n0001;1,5\n0002;2\n", &["id"]).unwrap();
        assert_eq!(strs(&df, "id"), ["0001", "0002"]);
        assert_eq!(floats(&df, "x"), [1.5, 2.0]);
    }

    #[test]
    fn a_repeated_header_is_refused() {
        let e = read("id,engagement,engagement\n1,2,3\n", &[]).unwrap_err().to_string();
        assert!(e.contains("names column 'engagement' twice (columns 2 and 3)"), "{e}");
        let e = read("id;engagement;engagement\n1;2;3\n", &[]).unwrap_err().to_string();
        assert!(e.contains("names column 'engagement' twice (columns 2 and 3)"), "{e}");
    }

    #[test]
    fn a_ragged_line_is_named() {
        let e = read("a,b\n1,2\n\"x,\ny\",3\n4,5,6\n", &[]).unwrap_err().to_string();
        assert!(e.contains("line 5 has 3 fields where the header has 2"), "{e}");
        assert!(!e.contains("truncate_ragged_lines"), "{e}");
        // the same with semicolons: the separator is still found, the line still named
        let e = read("a;b\n1;2\n\"x;\ny\";3\n4;5;6\n", &[]).unwrap_err().to_string();
        assert!(e.contains("line 5 has 3 fields where the header has 2"), "{e}");
        let e = read("a\tb\r\n1\t2\r\n3\r\n", &[]).unwrap_err().to_string();
        assert!(e.contains("line 3 has 1 field where the header has 2"), "{e}");
        let e = read("a,b\n1,\"x\n2,3\n", &[]).unwrap_err().to_string();
        assert!(e.contains("line 2 opens a quoted field that is never closed"), "{e}");
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
        // the columns that are all numbers are numbers again
        assert!(df.column("a").unwrap().dtype().is_integer());
    }

    #[test]
    fn a_line_cut_short_is_named() {
        let e = read("a,b,c\n1,2,3\n4,5", &[]).unwrap_err().to_string();
        assert!(e.contains("line 3 has 2 fields where the header has 3"), "{e}");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("a,b\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let e = read_with(&utf16, &[], &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.contains("the file is UTF-16 text"), "{e}");
        let declared = CsvOptions { encoding: Some("utf-16".into()), ..Default::default() };
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("a,b\n1,2\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(read_with(&utf16, &[], &declared).unwrap().height(), 1);
    }

    #[test]
    fn an_empty_file_is_a_file_error() {
        assert!(read("", &[]).unwrap_err().to_string().contains("the file is empty"));
        assert!(read(" \n", &[]).unwrap_err().to_string().contains("the file is empty"));
    }

    #[test]
    fn the_separator_is_detected() {
        assert_eq!(detect_separator(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_separator(b"a;b;c\n1;2,5;3\n4;5;6\n"), b';');
        assert_eq!(detect_separator(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(detect_separator(b"a|b\r\n1|2\r\n"), b'|');
        // separators inside quotes do not count
        assert_eq!(detect_separator(b"a;b\n\"x,y,z\";2\n\"p,q\";3\n"), b';');
        assert_eq!(detect_separator(b"a,b\n\"x;y\",2\n"), b',');
        // a single column; a ragged line among the first: the header decides
        assert_eq!(detect_separator(b"a\n1\n"), b',');
        assert_eq!(detect_separator(b"a;b;c\n1;2\n"), b';');
        // declared: the semicolons are then data
        let df = read_with(b"a,b\nx;y,1\n", &[], &CsvOptions { separator: Some(b','), ..Default::default() }).unwrap();
        assert_eq!(strs(&df, "a"), ["x;y"]);
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let df = read("\u{feff}study;x\ns1;1\n", &["study"]).unwrap();
        assert_eq!(df.get_column_names()[0].as_str(), "study");
        let e = read_with(b"\xEF\xBB\xBFa,b\n\xE9,1\n", &[], &CsvOptions::default()).unwrap_err().to_string();
        assert!(e.contains("line 2 is not valid UTF-8 (byte 0xE9)"), "{e}");
    }

    #[test]
    fn cp1252_is_detected_and_declared() {
        let bytes = b"unit;x\n\xC9vry;1\n\x80uro caf\xE9;2\n";
        let df = read_with(bytes, &["unit"], &CsvOptions::default()).unwrap();
        assert_eq!(strs(&df, "unit"), ["Évry", "€uro café"]);
        for label in ["cp1252", "windows-1252", "latin-1", "latin1", "ISO-8859-1", "iso_8859_1"] {
            let o = CsvOptions { encoding: Some(label.into()), ..Default::default() };
            assert_eq!(strs(&read_with(bytes, &["unit"], &o).unwrap(), "unit"), ["Évry", "€uro café"], "{label}");
        }
        // a wrong declaration is named, with the line
        let o = CsvOptions { encoding: Some("utf-8".into()), ..Default::default() };
        let e = read_with(bytes, &[], &o).unwrap_err();
        assert!(matches!(e, MiroirError::Io { .. }));
        assert!(e.to_string().contains("t.csv: cannot read CSV: line 2 is not valid UTF-8 (byte 0xC9)"), "{e}");
        let o = CsvOptions { encoding: Some("cp1252".into()), ..Default::default() };
        let e = read_with("unit\nÉvry\n".as_bytes(), &[], &o).unwrap_err().to_string();
        assert!(e.contains("declared windows-1252 but is UTF-8 text (line 2"), "{e}");
        // plain ASCII is the same in every declared encoding
        assert_eq!(read_with(b"a\nx\n", &[], &o).unwrap().height(), 1);
        let o = CsvOptions { encoding: Some("klingon".into()), ..Default::default() };
        let e = read_with(b"a\nx\n", &[], &o).unwrap_err();
        assert!(matches!(e, MiroirError::InvalidSchema { .. }), "{e:?}");
        assert!(e.to_string().contains("csv encoding 'klingon' is not a known encoding"), "{e}");
    }

    #[test]
    fn numbers_with_a_decimal_comma() {
        let df = read("a;b;c\n7,5;1;x\n8;2;y\n-0,25;3;z\n", &[]).unwrap();
        assert_eq!(floats(&df, "a"), [7.5, 8.0, -0.25]);
        assert_eq!(ints(&df, "b"), [1, 2, 3]);
        assert!(detect_decimal_comma(b"a;b\n7,5;1\n", b';'));
        // not detected: a decimal point elsewhere, another separator, no comma number
        assert!(!detect_decimal_comma(b"a;b\n7,5;1.5\n", b';'));
        assert!(!detect_decimal_comma(b"a;b\n7,5;1.234\n", b';'));
        assert!(!detect_decimal_comma(b"a\tb\n7,5\t1\n", b'\t'));
        assert!(!detect_decimal_comma(b"a;b\nx,y;1\n", b';'));
        let df = read("a;b\n7,5;1.5\n", &[]).unwrap();
        assert_eq!(strs(&df, "a"), ["7,5"]);
        // declared with a tab
        let o = CsvOptions { decimal_comma: Some(true), ..Default::default() };
        let df = read_with(b"a\tb\n7,5\t1\n\"8,25\"\t2\n", &[], &o).unwrap();
        assert_eq!(floats(&df, "a"), [7.5, 8.25]);
        // declared off: the commas stay text
        let o = CsvOptions { decimal_comma: Some(false), ..Default::default() };
        assert_eq!(strs(&read_with(b"a;b\n7,5;1\n", &[], &o).unwrap(), "a"), ["7,5"]);
    }

    #[test]
    fn thousands_separators_when_unambiguous() {
        let mut b = String::new();
        let text = "a;b;c\n1 234;1.234,5;1\u{a0}000\n12;3,25;2\u{202f}500\n-1 000 000;0,5;7\u{2009}000\n";
        let df = read(text, &[]).unwrap();
        assert_eq!(ints(&df, "a"), [1234, 12, -1_000_000]);
        assert_eq!(floats(&df, "b"), [1234.5, 3.25, 0.5]);
        assert_eq!(ints(&df, "c"), [1000, 2500, 7000]);
        // with a decimal point too, spaces only
        assert_eq!(number("1 234.5", false, &mut b).map(|n| n.integer), Some(false));
        assert_eq!(b, "1234.5");
        for bad in ["1.234", "12 34", "1234 567", "1 234.567,5", "1 234\u{a0}567", "7.5", ",5", "7,"] {
            assert_eq!(number(bad, true, &mut b), None, "{bad}");
        }
        for bad in ["1,234", "1.234,5", "12 34", ".5", "inf", "NaN", "1e", "", "-"] {
            assert_eq!(number(bad, false, &mut b), None, "{bad}");
        }
        assert_eq!(number(" +7,5e2 ", true, &mut b), Some(Number { integer: false, changed: true }));
        assert_eq!(b, "+7.5e2");
        assert_eq!(number("42", true, &mut b), Some(Number { integer: true, changed: false }));
    }

    #[test]
    fn scores_percentages_and_na_stay_text() {
        for odd in ["8/10", "75 %", "75%", "NA", "n/a", "nan"] {
            let text = format!("s;x\n7,5;1\n{odd};2\n6;3\n");
            let df = read(&text, &[]).unwrap();
            assert_eq!(strs(&df, "s"), ["7.5", odd, "6"], "{odd}");
        }
        let df = read("s,x\n7.5,1\n8/10,2\n6,3\n", &[]).unwrap();
        assert_eq!(strs(&df, "s"), ["7.5", "8/10", "6"]);
        // a text column is not touched
        let df = read("t;x\nbonjour;1\n7,5;2\nsalut;3\n", &[]).unwrap();
        assert_eq!(strs(&df, "t"), ["bonjour", "7,5", "salut"]);
    }

    #[test]
    fn crlf_and_quoted_newlines() {
        let df = read("a;t\r\n1;\"x\r\ny;\"\"z\"\"\"\r\n2;w\r\n", &[]).unwrap();
        assert_eq!(df.height(), 2);
        assert_eq!(strs(&df, "t"), ["x\r\ny;\"z\"", "w"]);
        let df = read("a;t\n1,5;\"x\ny\"\n2;w\n", &[]).unwrap();
        assert_eq!(strs(&df, "t"), ["x\ny", "w"]);
        assert_eq!(floats(&df, "a"), [1.5, 2.0]);
    }

    #[test]
    fn polars_messages_in_our_words() {
        let e = PolarsError::ComputeError(
            "found more fields than defined in 'Schema'\n\nConsider setting 'truncate_ragged_lines=true'.".into(),
        );
        assert_eq!(polars_gist(&e, b"a\n"), "found more fields than defined in the header");
        let e = PolarsError::ComputeError(
            "could not parse `x` as dtype `i64` at column 'b' (column number 2)\n\nThe current offset in the file is 8 bytes.\n\nYou might want to try:\n- increasing `infer_schema_length`".into(),
        );
        assert_eq!(polars_gist(&e, b"a,b\n1,2\nx,3\n"), "line 3: could not parse `x` as dtype `i64` at column 'b' (column number 2)");
        let e = PolarsError::ComputeError("set infer_schema_length to more".into());
        assert_eq!(polars_gist(&e, b""), "the file is not a well-formed CSV table");
    }
}
