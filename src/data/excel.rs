//! Reading a spreadsheet export (`.xlsx`, `.xlsm`, `.xls`, `.ods`) with calamine: one sheet, its
//! first row the header, keys as text, errors in our words.
//!
//! - The sheet: the one chosen ([`SheetChoice`]), else the sheet named like the table
//!   (`employees`, whatever its case), else the first one.
//! - The header is the first row of the sheet's used range. A name given twice, or an empty name
//!   above a column that holds values, is refused.
//! - The key columns (study, unit, the ids, respondent_id: by the names the file gives them) are
//!   read as text: a text cell `0001` stays `0001`, a number cell 7 becomes `7`.
//! - The other columns are typed from their cells: numbers → Float64, yes/no cells → Boolean,
//!   text → String, empty cells → null. A column mixing kinds (numbers and text, numbers and
//!   booleans) is read as text, so that validation names the value and the row. Dates and times
//!   are written as ISO 8601 text (`2024-03-01`, `2024-03-01T08:30:00`).
//! - A cell holding a formula error (`#DIV/0!`, `#N/A`, ...) is a [`MiroirError::Io`] naming the
//!   file, the sheet, the column and the cell (`C12`): its value is not known, and reading it
//!   as missing would hide it.
//! - Fully empty rows at the end of the used range (formatted but blank) are dropped; a blank
//!   row between data rows is kept, as a row of nulls, so that row numbers stay those of the
//!   sheet (row index `i` is sheet row `i + 2`).

use super::files::{guarded, io_error};
use crate::error::{MiroirError, Result};
use calamine::{Data, Ods, Range, Reader, Xls, Xlsx};
use polars::prelude::*;
use std::io::Cursor;
use std::path::Path;

/// Which sheet of a workbook holds a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetChoice {
    /// The sheet of this name (exact, then whatever the case).
    Name(String),
    /// The sheet at this 0-based position.
    Index(usize),
}

/// The spreadsheet extensions miroir reads.
pub(crate) const EXCEL_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Reads one sheet of a workbook held in memory; `text_columns` (names as in the header) are
/// read as text when present. Without a `sheet`, the sheet named like the file (`employees` for
/// `employees.xlsx`) is read if there is one, else the first sheet.
pub(crate) fn read_excel(path: &Path, bytes: &[u8], text_columns: &[String], sheet: Option<&SheetChoice>) -> Result<DataFrame> {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    read_excel_table(path, bytes, text_columns, sheet, stem.as_deref())
}

/// As [`read_excel`], the default sheet being the one named `table` when given (a workbook
/// holding the three tables as three sheets), else the one named like the file.
pub(crate) fn read_excel_table(
    path: &Path,
    bytes: &[u8],
    text_columns: &[String],
    sheet: Option<&SheetChoice>,
    table: Option<&str>,
) -> Result<DataFrame> {
    guarded(path, "Excel", || {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let mut book = open(path, &ext, bytes)?;
        let names = book.sheet_names();
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let name = pick_sheet(&names, sheet, table, stem.as_deref()).map_err(|detail| io_error(path, detail))?;
        let range = book
            .worksheet_range(&name)
            .map_err(|e| io_error(path, format!("cannot read sheet '{name}': {}", gist(&e.to_string()))))?;
        frame(&range, text_columns).map_err(|e| match e {
            SheetError::Polars(e) => MiroirError::from(e),
            SheetError::Detail(detail) => io_error(path, format!("sheet '{name}': {detail}")),
        })
    })
}

/// The workbook, by the file's extension.
fn open<'a>(path: &Path, ext: &str, bytes: &'a [u8]) -> Result<Book<'a>> {
    let what = if ext == "ods" { "OpenDocument spreadsheet" } else { "Excel" };
    let fail = |e: String| {
        io_error(path, format!("cannot read {what}: the file is corrupt or not a .{ext} workbook ({})", gist(&e)))
    };
    let cursor = Cursor::new(bytes);
    Ok(match ext {
        "xls" => Book::Xls(Xls::new(cursor).map_err(|e| fail(e.to_string()))?),
        "ods" => Book::Ods(Ods::new(cursor).map_err(|e| fail(e.to_string()))?),
        _ => Book::Xlsx(Xlsx::new(cursor).map_err(|e| fail(e.to_string()))?),
    })
}

enum Book<'a> {
    Xlsx(Xlsx<Cursor<&'a [u8]>>),
    Xls(Xls<Cursor<&'a [u8]>>),
    Ods(Ods<Cursor<&'a [u8]>>),
}

impl Book<'_> {
    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
            Book::Ods(b) => b.sheet_names(),
        }
    }

    fn worksheet_range(&mut self, name: &str) -> std::result::Result<Range<Data>, String> {
        match self {
            Book::Xlsx(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Xls(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Ods(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
        }
    }
}

/// The first line of a decoder's message.
fn gist(text: &str) -> String {
    text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("unreadable file").to_string()
}

/// The name of the sheet to read, or why none can be.
fn pick_sheet(names: &[String], choice: Option<&SheetChoice>, table: Option<&str>, stem: Option<&str>) -> std::result::Result<String, String> {
    let listed = || names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    if names.is_empty() {
        return Err("the workbook has no sheet".into());
    }
    let by_name = |wanted: &str| -> Option<String> {
        names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.trim().to_lowercase() == wanted.trim().to_lowercase()))
            .cloned()
    };
    match choice {
        Some(SheetChoice::Name(wanted)) => by_name(wanted).ok_or_else(|| format!("no sheet named '{wanted}' (the sheets are {})", listed())),
        Some(SheetChoice::Index(i)) => names.get(*i).cloned().ok_or_else(|| {
            format!("no sheet at index {i} (0-based): the workbook has {} sheet{} ({})", names.len(), if names.len() == 1 { "" } else { "s" }, listed())
        }),
        None => Ok(table.and_then(by_name).or_else(|| stem.and_then(by_name)).unwrap_or_else(|| names[0].clone())),
    }
}

enum SheetError {
    Polars(PolarsError),
    Detail(String),
}

impl From<PolarsError> for SheetError {
    fn from(e: PolarsError) -> Self {
        SheetError::Polars(e)
    }
}

/// The sheet reference of a cell, from 0-based absolute row and column: (0, 0) is `A1`.
pub(crate) fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col as u64 + 1;
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        letters.push((b'A' + r) as char);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row as u64 + 1)
}

/// A number as text: a whole number without its decimals (7.0 → `7`), others in the shortest
/// form that reads back to the same value.
pub(crate) fn number_text(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A date or time cell as ISO 8601 text: `2024-03-01`, `2024-03-01T08:30:00`, with milliseconds
/// when there are; a duration as `PT12H30M0S`.
fn datetime_text(dt: &calamine::ExcelDateTime) -> String {
    if dt.is_duration() {
        let ms = (dt.as_f64() * 86_400_000.0).round() as i64;
        let sign = if ms < 0 { "-" } else { "" };
        let ms = ms.unsigned_abs();
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        return if milli == 0 { format!("{sign}PT{h}H{m}M{s}S") } else { format!("{sign}PT{h}H{m}M{s}.{milli:03}S") };
    }
    let (y, mo, d, h, mi, s, milli) = dt.to_ymd_hms_milli();
    let date = format!("{y:04}-{mo:02}-{d:02}");
    match (h, mi, s, milli) {
        (0, 0, 0, 0) => date,
        (_, _, _, 0) => format!("{date}T{h:02}:{mi:02}:{s:02}"),
        _ => format!("{date}T{h:02}:{mi:02}:{s:02}.{milli:03}"),
    }
}

/// A cell as text (key columns, and columns mixing kinds); `None` for an empty cell.
fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) if s.trim().is_empty() => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(x) => Some(number_text(*x)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) => Some(datetime_text(dt)),
    }
}

/// What a column's cells hold, to type it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Empty,
    Number,
    Bool,
    Text,
}

fn kind_of<'a>(cells: impl Iterator<Item = &'a Data>) -> ColumnKind {
    let (mut number, mut boolean) = (false, false);
    for cell in cells {
        match cell {
            Data::Empty | Data::Error(_) => {}
            Data::String(s) if s.trim().is_empty() => {}
            Data::Int(_) | Data::Float(_) => number = true,
            Data::Bool(_) => boolean = true,
            _ => return ColumnKind::Text,
        }
    }
    match (number, boolean) {
        (true, true) => ColumnKind::Text,
        (true, false) => ColumnKind::Number,
        (false, true) => ColumnKind::Bool,
        (false, false) => ColumnKind::Empty,
    }
}

/// The table of a sheet's used range: header, typed columns, errors named by cell.
fn frame(range: &Range<Data>, text_columns: &[String]) -> std::result::Result<DataFrame, SheetError> {
    let Some((top, left)) = range.start() else {
        return Err(SheetError::Detail("the sheet is empty (a table needs a header row)".into()));
    };
    let (height, width) = range.get_size();
    static EMPTY: Data = Data::Empty;
    let at = |r: usize, c: usize| range.get((r, c)).unwrap_or(&EMPTY);
    let cell = |r: usize, c: usize| cell_ref(top + r as u32, left + c as u32);
    // The first error cell, row by row, wherever it is: its value is unknown.
    for (r, row) in range.rows().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if let Data::Error(e) = value {
                let column = if r == 0 { None } else { cell_text(at(0, c)) };
                let named = column.map_or_else(|| "the header".to_string(), |n| format!("column '{n}'"));
                return Err(SheetError::Detail(format!(
                    "{named}, cell {}: the cell holds the error {e}: fix the formula or clear the cell (miroir does not read an error as missing)",
                    cell(r, c)
                )));
            }
        }
    }
    // Data rows: drop trailing rows that hold nothing.
    let mut rows = height.saturating_sub(1);
    while rows > 0 && (0..width).all(|c| cell_text(at(rows, c)).is_none()) {
        rows -= 1;
    }
    // Kept header names, with the range column each is in.
    let mut names: Vec<(String, usize)> = Vec::with_capacity(width);
    let mut columns: Vec<Column> = Vec::with_capacity(width);
    for c in 0..width {
        let values = || (1..=rows).map(move |r| at(r, c));
        let name = match cell_text(at(0, c)) {
            Some(name) => name,
            None if values().all(|v| cell_text(v).is_none()) => continue, // a blank column
            None => {
                return Err(SheetError::Detail(format!(
                    "the header cell {} is empty above a column that holds values: name the column",
                    cell(0, c)
                )))
            }
        };
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
            return Err(SheetError::Detail(format!(
                "the header names column '{name}' twice (cells {} and {}): rename or drop one",
                cell(0, *first),
                cell(0, c)
            )));
        }
        let kind = if text_columns.iter().any(|k| *k == name) { ColumnKind::Text } else { kind_of(values()) };
        let col = match kind {
            ColumnKind::Number => {
                let ca: Float64Chunked = values()
                    .map(|v| match v {
                        Data::Int(i) => Some(*i as f64),
                        Data::Float(x) => Some(*x),
                        _ => None,
                    })
                    .collect();
                ca.with_name(name.as_str().into()).into_column()
            }
            ColumnKind::Bool => {
                let ca: BooleanChunked = values().map(|v| if let Data::Bool(b) = v { Some(*b) } else { None }).collect();
                ca.with_name(name.as_str().into()).into_column()
            }
            ColumnKind::Text | ColumnKind::Empty => {
                let ca: StringChunked = values().map(cell_text).collect();
                ca.with_name(name.as_str().into()).into_column()
            }
        };
        names.push((name, c));
        columns.push(col);
    }
    if names.is_empty() {
        return Err(SheetError::Detail("the header row is empty (a table needs named columns)".into()));
    }
    Ok(DataFrame::new(rows, columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_are_spreadsheet_ones() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(11, 2), "C12");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(4, 27), "AB5");
        assert_eq!(cell_ref(0, 701), "ZZ1");
        assert_eq!(cell_ref(0, 702), "AAA1");
    }

    #[test]
    fn whole_numbers_lose_their_decimals() {
        assert_eq!(number_text(7.0), "7");
        assert_eq!(number_text(-12.0), "-12");
        assert_eq!(number_text(7.5), "7.5");
        assert_eq!(number_text(0.1), "0.1");
        assert_eq!(number_text(1e20), "100000000000000000000");
    }

    fn sheet(rows: Vec<Vec<Data>>) -> Range<Data> {
        let h = rows.len() as u32;
        let w = rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
        let mut range = Range::new((0, 0), (h - 1, w - 1));
        for (r, row) in rows.into_iter().enumerate() {
            for (c, v) in row.into_iter().enumerate() {
                range.set_value((r as u32, c as u32), v);
            }
        }
        range
    }

    fn s(v: &str) -> Data {
        Data::String(v.into())
    }

    fn detail(e: SheetError) -> String {
        match e {
            SheetError::Detail(d) => d,
            SheetError::Polars(e) => panic!("polars error {e}"),
        }
    }

    #[test]
    fn columns_are_typed_from_their_cells() {
        let range = sheet(vec![
            vec![s("id"), s("x"), s("ok"), s("mixed"), s("blank"), s("when")],
            vec![s("0001"), Data::Float(1.5), Data::Bool(true), Data::Float(3.0), Data::Empty, s("a")],
            vec![Data::Float(7.0), Data::Int(2), Data::Empty, s("n/a"), Data::Empty, s("b")],
            vec![Data::Empty, Data::Empty, Data::Empty, Data::Empty, Data::Empty, Data::Empty],
        ]);
        let df = frame(&range, &["id".to_string()]).ok().unwrap();
        assert_eq!(df.height(), 2, "the trailing blank row is dropped");
        let ids: Vec<_> = df.column("id").unwrap().str().unwrap().iter().collect();
        assert_eq!(ids, [Some("0001"), Some("7")]);
        assert_eq!(df.column("x").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.column("ok").unwrap().dtype(), &DataType::Boolean);
        let mixed: Vec<_> = df.column("mixed").unwrap().str().unwrap().iter().collect();
        assert_eq!(mixed, [Some("3"), Some("n/a")]);
        assert!(df.column("blank").unwrap().dtype().is_string());
        assert_eq!(df.column("blank").unwrap().null_count(), 2);
    }

    #[test]
    fn bad_headers_and_error_cells_are_named() {
        let twice = sheet(vec![vec![s("a"), s("b"), s("a")], vec![Data::Int(1), Data::Int(2), Data::Int(3)]]);
        let e = detail(frame(&twice, &[]).err().unwrap());
        assert!(e.contains("names column 'a' twice (cells A1 and C1)"), "{e}");
        let empty = sheet(vec![vec![s("a"), Data::Empty], vec![Data::Int(1), Data::Int(2)]]);
        let e = detail(frame(&empty, &[]).err().unwrap());
        assert!(e.contains("header cell B1 is empty"), "{e}");
        let error = sheet(vec![
            vec![s("a"), s("b"), s("c")],
            vec![Data::Int(1), Data::Int(2), Data::Error(calamine::CellErrorType::Div0)],
        ]);
        let e = detail(frame(&error, &[]).err().unwrap());
        assert!(e.contains("column 'c', cell C2: the cell holds the error #DIV/0!"), "{e}");
    }

    #[test]
    fn the_sheet_is_chosen_by_name_index_or_table() {
        let names: Vec<String> = ["Notes", "Employees", "customers"].iter().map(|s| s.to_string()).collect();
        assert_eq!(pick_sheet(&names, None, Some("employees"), None).unwrap(), "Employees");
        assert_eq!(pick_sheet(&names, None, None, Some("customers")).unwrap(), "customers");
        assert_eq!(pick_sheet(&names, None, None, Some("export")).unwrap(), "Notes");
        assert_eq!(pick_sheet(&names, Some(&SheetChoice::Index(2)), None, None).unwrap(), "customers");
        let e = pick_sheet(&names, Some(&SheetChoice::Index(3)), None, None).unwrap_err();
        assert!(e.contains("no sheet at index 3 (0-based): the workbook has 3 sheets"), "{e}");
        let e = pick_sheet(&names, Some(&SheetChoice::Name("mentions".into())), None, None).unwrap_err();
        assert!(e.contains("no sheet named 'mentions' (the sheets are 'Notes', 'Employees', 'customers')"), "{e}");
    }

    #[test]
    fn corrupt_bytes_are_a_file_error() {
        for name in ["t.xlsx", "t.xls", "t.ods"] {
            let e = read_excel(Path::new(name), b"not a workbook", &[], None).unwrap_err();
            assert!(matches!(e, MiroirError::Io { .. }), "{e:?}");
            assert!(e.to_string().contains("the file is corrupt or not a"), "{e}");
        }
    }
}
