//! Seeded property tests ("fuzzing") of the readers and the spec parser (issue 12): whatever the
//! bytes, the frame or the TOML text, a call returns `Ok` or a typed error that names the file or
//! the table — never a panic.
//!
//! - `csv_*`: arbitrary bytes and structured mutations of a valid study's CSV files (bytes
//!   inserted, deleted, replaced; lines duplicated, dropped, swapped; separators and quotes added
//!   and removed; invalid UTF-8, NUL, very long fields, CRLF and lone CR, a BOM, odd tokens in a
//!   field), loaded with `load_study` and read alone with `read_table`.
//! - `parquet_*`: a small valid study written as Parquet (uncompressed with small pages, and as
//!   `write_table` writes it), then single and multi-byte flips, zeroed and copied runs,
//!   truncations and appended garbage; loaded in memory and streamed (small `batch_rows`), and
//!   read alone. A study that loads has the original number of rows, and both paths agree; a
//!   frame read holds together. Each case runs in a child process (the test binary itself), so
//!   that an abort or a hang fails the case, with its input, instead of killing the run;
//!   `parquet_known_corruptions` keeps the corruptions found so far.
//! - `frames_*`: random dtypes for the canonical columns (text, categoricals, booleans, integers of
//!   every width up to 128 bits, floats with NaN / inf / huge values, decimals, temporal, binary,
//!   nested, all-null) given to `Study::new`.
//! - `spec_*`: arbitrary text and mutations of the shipped spec `seed-kpam.toml` given to
//!   `parse_spec`; every error is a `MiroirError::Spec` naming the file and a line of the text.
//!
//! Cases per property: `MIROIR_FUZZ_CASES` (default [`DEFAULT_CASES`]), from the fixed seed
//! `MIROIR_FUZZ_SEED` (default [`DEFAULT_SEED`]), so a CI run is reproducible. Nothing is written
//! into the tree (failure persistence is off); a failure prints the shrunk input. A longer run:
//!
//! ```text
//! MIROIR_FUZZ_CASES=100000 cargo test --release --test fuzz_readers
//! MIROIR_FUZZ_CASES=20000 MIROIR_FUZZ_SEED=7 cargo test --release --test fuzz_readers spec_
//! ```
//!
//! `MIROIR_FUZZ_IN_PROCESS=1` checks the Parquet cases in the test process (faster; a crash
//! then ends the run).

use miroir::data::schema::{CUSTOMER_COLUMNS, EMPLOYEE_COLUMNS, MENTION_COLUMNS};
use miroir::data::{load_study, load_study_with, read_table, LoadOptions, Schema, Streaming, Study, StudyPaths};
use miroir::reproduce::parse_spec;
use miroir::MiroirError;
use polars::prelude::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config as ProptestConfig, RngSeed, TestCaseError, TestRunner};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Cases per property when `MIROIR_FUZZ_CASES` is not set: the whole file runs in a few seconds.
const DEFAULT_CASES: u32 = 128;
/// The seed when `MIROIR_FUZZ_SEED` is not set.
const DEFAULT_SEED: u64 = 0x6d69_726f_6972;

fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().replace('_', "").parse().ok())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: env_number("MIROIR_FUZZ_CASES").unwrap_or(DEFAULT_CASES),
        rng_seed: RngSeed::Fixed(env_number("MIROIR_FUZZ_SEED").unwrap_or(DEFAULT_SEED)),
        failure_persistence: None,
        // shrinking a failure re-runs loads: bound it so a failing CI job still ends
        max_shrink_time: 120_000,
        ..ProptestConfig::default()
    }
}

/// Runs a property on `cases` inputs of `strategy` and fails the test with the shrunk input.
/// The failure is printed before the panic: miroir's decoder guard (src/data/files.rs) keeps
/// the message of a panic raised while another thread decodes a file, and the test harness
/// would then show no reason.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let config = config();
    let cases = config.cases;
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, test) {
        eprintln!("{name} ({cases} cases): {e}");
        panic!("{name}: a property failed (the reason and the shrunk input are printed above)");
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers: panics, temp folders, messages.

fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

/// Runs `f`; a panic becomes `Err(message)`.
fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_text(&*p))
}

/// Bytes shown in a failure message: escaped, and cut when long.
fn shown(bytes: &[u8]) -> String {
    const MAX: usize = 3000;
    let text = bytes[..bytes.len().min(MAX)].escape_ascii().to_string();
    if bytes.len() > MAX {
        format!("b\"{text}\" ... ({} bytes in all)", bytes.len())
    } else {
        format!("b\"{text}\"")
    }
}

static FOLDERS: AtomicUsize = AtomicUsize::new(0);

/// A fresh folder under the system temp dir, removed when dropped (also when a case fails).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let k = FOLDERS.fetch_add(1, Ordering::SeqCst);
        // no table name in the folder's name: a message naming a table must name it itself
        let dir = std::env::temp_dir().join(format!("miroir-fuzz-{}-{k}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temp folder");
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether an error of a study load names one of the study's tables (`table 'customers'`) or
/// files (`.../customers.csv`); a column such as `asked_about_customers` does not count.
fn names_a_table(e: &MiroirError) -> bool {
    let m = e.to_string();
    ["employees", "customers", "mentions"].iter().any(|t| {
        m.contains(&format!("'{t}'"))
            || [".csv", ".parquet"].iter().any(|ext| m.contains(&format!("{}{t}{ext}", std::path::MAIN_SEPARATOR)))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Employees,
    Customers,
    Mentions,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Employees => "employees",
            Which::Customers => "customers",
            Which::Mentions => "mentions",
        }
    }
}

fn which() -> impl Strategy<Value = Which> {
    prop_oneof![2 => Just(Which::Customers), 2 => Just(Which::Employees), 1 => Just(Which::Mentions)]
}

// ---------------------------------------------------------------------------------------------
// CSV.

const EMPLOYEES_CSV: &str = "\
study,unit,employee_id,customer_facing,engagement,can_contribute,has_ideas,has_cost_ideas,asked_about_customers,tenure_months,trained_customer,informed,manager_support,weight,sector
s1,0001,e01,true,72.5,true,false,true,never,12,true,60,55.5,1.0,retail
s1,0001,e02,false,40,false,true,false,yearly,3,false,45.25,70,0.5,retail
s1,0002,e03,true,88,true,true,true,several_per_year,120,true,90,80,2,retail
s1,0002,e04,true,65.75,,false,,rarely,,false,,62,1.5,retail
s2,A\u{e9},e01,false,50,true,,false,never,7,,33,,1,bank
s2,A\u{e9},e02,true,0,false,true,true,yearly,0,true,100,100,1,bank
";

const CUSTOMERS_CSV: &str = "\
study,unit,customer_id,satisfaction,nps,weight,sector
s1,0001,c0001,8,9,1,retail
s1,0001,c0002,6.5,7,0.75,retail
s1,0002,c0003,9,10,1.25,retail
s1,0002,c0004,3,2,1,retail
s2,A\u{e9},c0001,7,8,1,bank
s2,A\u{e9},c0002,10,10,2,bank
";

const MENTIONS_CSV: &str = "\
study,side,respondent_id,theme,valence,text
s1,customer,c0001,welcome,positive,\"friendly, quick\"
s1,employee,e02,tools,negative,the tools are slow
s2,customer,c0002,price,negative,
";

fn base_csv(which: Which) -> &'static str {
    match which {
        Which::Employees => EMPLOYEES_CSV,
        Which::Customers => CUSTOMERS_CSV,
        Which::Mentions => MENTIONS_CSV,
    }
}

/// Text put into a field or at a byte position.
const TOKENS: &[&str] = &[
    "", " ", "  s1  ", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-400", "-0", "0", "100", "100.0001",
    "101", "-1", "1.5", "7,5", "8/10", "75 %", "0x10", "true", "false", "TRUE", "yes", "1", "null", "NULL", "NA", "N/A",
    "\"", "\"\"", "\"a,b\"", "\"a\nb\"", "\"unterminated", "'", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "340282366920938463463374607431768211456", "00000000000000000000001", "1e19", "é", "e\u{301}",
    "\u{feff}", "\u{200b}", "\u{fffd}", "customer", "employee", "positive", "never", "\t", ";", "|", "\\", "\r", "\n",
    "\r\n", ",,", "s1,0001", "study", "engagement", "satisfaction", "customer_id",
];

#[derive(Debug, Clone)]
enum CsvEdit {
    /// Insert bytes at a position.
    Insert(Index, Vec<u8>),
    /// Delete up to `n` bytes from a position.
    Delete(Index, usize),
    /// Replace the byte at a position.
    Replace(Index, u8),
    DuplicateLine(Index),
    DeleteLine(Index),
    SwapLines(Index, Index),
    /// Insert a separator at a position.
    AddSeparator(Index),
    /// Remove the n-th separator.
    RemoveSeparator(Index),
    /// Insert a quote at a position.
    AddQuote(Index),
    /// Remove the n-th quote.
    RemoveQuote(Index),
    /// Put the field around a position in quotes.
    QuoteField(Index),
    /// Replace the field around a position by a token.
    Token(Index, &'static str),
    /// An invalid UTF-8 sequence at a position.
    InvalidUtf8(Index, &'static [u8]),
    Nul(Index),
    /// A field of `len` copies of a byte at a position.
    LongField(Index, usize, u8),
    /// Every `\n` becomes `\r\n`.
    Crlf,
    /// One `\n` becomes a lone `\r`.
    LoneCr(Index),
    /// A byte-order mark at the start.
    Bom,
    /// The file cut at a position.
    Truncate(Index),
    /// The header line alone, or the data without a header.
    DropHeaderOrBody(bool),
}

const INVALID_UTF8: &[&[u8]] = &[b"\xff", b"\xc3", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80"];

fn csv_edit() -> impl Strategy<Value = CsvEdit> {
    prop_oneof![
        1 => (any::<Index>(), vec(any::<u8>(), 1..8)).prop_map(|(i, b)| CsvEdit::Insert(i, b)),
        1 => (any::<Index>(), 1usize..12).prop_map(|(i, n)| CsvEdit::Delete(i, n)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| CsvEdit::Replace(i, b)),
        1 => any::<Index>().prop_map(CsvEdit::DuplicateLine),
        1 => any::<Index>().prop_map(CsvEdit::DeleteLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| CsvEdit::SwapLines(a, b)),
        1 => any::<Index>().prop_map(CsvEdit::AddSeparator),
        1 => any::<Index>().prop_map(CsvEdit::RemoveSeparator),
        1 => any::<Index>().prop_map(CsvEdit::AddQuote),
        1 => any::<Index>().prop_map(CsvEdit::RemoveQuote),
        1 => any::<Index>().prop_map(CsvEdit::QuoteField),
        3 => (any::<Index>(), select(TOKENS)).prop_map(|(i, t)| CsvEdit::Token(i, t)),
        1 => (any::<Index>(), select(INVALID_UTF8)).prop_map(|(i, b)| CsvEdit::InvalidUtf8(i, b)),
        1 => any::<Index>().prop_map(CsvEdit::Nul),
        1 => (any::<Index>(), prop_oneof![3 => 1000usize..5000, 2 => 60_000usize..70_000, 1 => Just(1 << 18)], select(&b"x9,\"\n \xff"[..]))
            .prop_map(|(i, n, b)| CsvEdit::LongField(i, n, b)),
        1 => Just(CsvEdit::Crlf),
        1 => any::<Index>().prop_map(CsvEdit::LoneCr),
        1 => Just(CsvEdit::Bom),
        1 => any::<Index>().prop_map(CsvEdit::Truncate),
        1 => any::<bool>().prop_map(CsvEdit::DropHeaderOrBody),
    ]
}

/// Start and end of the lines of `b` (each end past its `\n`, if any).
fn line_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, c) in b.iter().enumerate() {
        if *c == b'\n' {
            spans.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < b.len() {
        spans.push((start, b.len()));
    }
    spans
}

/// The field around position `at`: between the separators or line ends before and after it.
fn field_span(b: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(b.len());
    let stop = |c: &u8| matches!(*c, b',' | b'\n' | b'\r');
    let start = b[..at].iter().rposition(stop).map_or(0, |i| i + 1);
    let end = b[at..].iter().position(stop).map_or(b.len(), |i| at + i);
    (start, end.max(start))
}

fn nth_of(b: &[u8], byte: u8, i: &Index) -> Option<usize> {
    let all: Vec<usize> = b.iter().enumerate().filter(|(_, c)| **c == byte).map(|(k, _)| k).collect();
    (!all.is_empty()).then(|| all[i.index(all.len())])
}

fn apply_csv(mut b: Vec<u8>, edits: &[CsvEdit]) -> Vec<u8> {
    for edit in edits {
        let pos = |i: &Index, b: &Vec<u8>| i.index(b.len() + 1);
        match edit {
            CsvEdit::Insert(i, bytes) => {
                let at = pos(i, &b);
                b.splice(at..at, bytes.iter().copied());
            }
            CsvEdit::Delete(i, n) => {
                let at = pos(i, &b).min(b.len());
                let end = (at + n).min(b.len());
                b.drain(at..end);
            }
            CsvEdit::Replace(i, byte) => {
                if !b.is_empty() {
                    let at = i.index(b.len());
                    b[at] = *byte;
                }
            }
            CsvEdit::DuplicateLine(i) | CsvEdit::DeleteLine(i) => {
                let lines = line_spans(&b);
                if !lines.is_empty() {
                    let (s, e) = lines[i.index(lines.len())];
                    if matches!(edit, CsvEdit::DuplicateLine(_)) {
                        let mut line = b[s..e].to_vec();
                        if line.last() != Some(&b'\n') {
                            line.insert(0, b'\n');
                        }
                        b.splice(e..e, line);
                    } else {
                        b.drain(s..e);
                    }
                }
            }
            CsvEdit::SwapLines(x, y) => {
                let lines = line_spans(&b);
                if lines.len() > 1 {
                    let mut parts: Vec<Vec<u8>> = lines.iter().map(|(s, e)| b[*s..*e].to_vec()).collect();
                    parts.swap(x.index(lines.len()), y.index(lines.len()));
                    b = parts.concat();
                }
            }
            CsvEdit::AddSeparator(i) => {
                let at = pos(i, &b);
                b.insert(at, b',');
            }
            CsvEdit::RemoveSeparator(i) => {
                if let Some(at) = nth_of(&b, b',', i) {
                    b.remove(at);
                }
            }
            CsvEdit::AddQuote(i) => {
                let at = pos(i, &b);
                b.insert(at, b'"');
            }
            CsvEdit::RemoveQuote(i) => {
                if let Some(at) = nth_of(&b, b'"', i) {
                    b.remove(at);
                }
            }
            CsvEdit::QuoteField(i) => {
                let (s, e) = field_span(&b, pos(i, &b));
                b.insert(e, b'"');
                b.insert(s, b'"');
            }
            CsvEdit::Token(i, token) => {
                let (s, e) = field_span(&b, pos(i, &b));
                b.splice(s..e, token.bytes());
            }
            CsvEdit::InvalidUtf8(i, bytes) => {
                let at = pos(i, &b);
                b.splice(at..at, bytes.iter().copied());
            }
            CsvEdit::Nul(i) => {
                let at = pos(i, &b);
                b.insert(at, 0);
            }
            CsvEdit::LongField(i, n, byte) => {
                let (s, e) = field_span(&b, pos(i, &b));
                b.splice(s..e, std::iter::repeat_n(*byte, *n));
            }
            CsvEdit::Crlf => {
                let mut out = Vec::with_capacity(b.len() + 16);
                for c in &b {
                    if *c == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(*c);
                }
                b = out;
            }
            CsvEdit::LoneCr(i) => {
                if let Some(at) = nth_of(&b, b'\n', i) {
                    b[at] = b'\r';
                }
            }
            CsvEdit::Bom => {
                b.splice(0..0, [0xEF, 0xBB, 0xBF]);
            }
            CsvEdit::Truncate(i) => {
                let at = pos(i, &b).min(b.len());
                b.truncate(at);
            }
            CsvEdit::DropHeaderOrBody(header_only) => {
                let lines = line_spans(&b);
                if let Some(&(_, e)) = lines.first() {
                    if *header_only {
                        b.truncate(e);
                    } else {
                        b.drain(..e);
                    }
                }
            }
        }
    }
    b
}

/// Bytes for a CSV file: arbitrary, from a CSV-like alphabet, or a valid header over noise.
fn csv_noise() -> impl Strategy<Value = Vec<u8>> {
    const ALPHABET: &[u8] = b",,,,\"\"\n\n\r ;\tabs1e0123456789.-+\x00\xff\xc3\xa9";
    prop_oneof![
        vec(any::<u8>(), 0..2048),
        vec(select(ALPHABET), 0..2048),
        (select(&[EMPLOYEES_CSV, CUSTOMERS_CSV, MENTIONS_CSV][..]), vec(select(ALPHABET), 0..1024)).prop_map(|(base, tail)| {
            let header = base.lines().next().unwrap_or("");
            let mut b = format!("{header}\n").into_bytes();
            b.extend(tail);
            b
        }),
    ]
}

/// A study folder with the valid CSV files, `bytes` written as `which`'s file.
fn csv_folder(which: Which, bytes: &[u8]) -> TempDir {
    let dir = TempDir::new();
    for w in [Which::Employees, Which::Customers, Which::Mentions] {
        let content = if w == which { bytes } else { base_csv(w).as_bytes() };
        std::fs::write(dir.path().join(format!("{}.csv", w.name())), content).expect("write a CSV file");
    }
    dir
}

/// `load_study` and `read_table` on a study whose `which` file holds `bytes`: no panic, and an
/// error names the file or a table.
fn check_csv(which: Which, bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = csv_folder(which, bytes);
    let file = dir.path().join(format!("{}.csv", which.name()));
    let loaded = no_panic(|| StudyPaths::from_dir(dir.path()).and_then(|p| load_study(&p, Schema::default())));
    match loaded {
        Err(panic) => prop_assert!(false, "load_study panicked: {panic}\n{}.csv = {}", which.name(), shown(bytes)),
        Ok(Err(e)) => prop_assert!(names_a_table(&e), "the error names no file or table: {e}\n{}.csv = {}", which.name(), shown(bytes)),
        Ok(Ok(study)) => {
            // what the analyses read back must not panic either
            let after = no_panic(|| (study.summary().map(|s| s.height()), study.employees().map(|e| e.height())));
            prop_assert!(after.is_ok(), "summary of a loaded study panicked: {}\n{}.csv = {}", after.unwrap_err(), which.name(), shown(bytes));
        }
    }
    match no_panic(|| read_table(&file)) {
        Err(panic) => prop_assert!(false, "read_table panicked: {panic}\n{}.csv = {}", which.name(), shown(bytes)),
        Ok(Err(e)) => {
            let m = e.to_string();
            prop_assert!(m.contains(&file.display().to_string()), "read_table's error does not name the file: {m}\nbytes = {}", shown(bytes));
        }
        Ok(Ok(_)) => {}
    }
    Ok(())
}

#[test]
fn csv_base_study_loads() {
    // the mutations start from a valid study (else they would only test the first error)
    let dir = csv_folder(Which::Customers, CUSTOMERS_CSV.as_bytes());
    let s = load_study(&StudyPaths::from_dir(dir.path()).unwrap(), Schema::default()).unwrap();
    assert_eq!(s.n_customers(), 6);
    assert!(s.has_mentions());
}

#[test]
fn csv_arbitrary_bytes_never_panic() {
    fuzz("csv_arbitrary_bytes_never_panic", (which(), csv_noise()), |(which, bytes)| check_csv(which, &bytes));
}

#[test]
fn csv_mutations_never_panic() {
    fuzz("csv_mutations_never_panic", (which(), vec(csv_edit(), 1..6)), |(which, edits)| {
        check_csv(which, &apply_csv(base_csv(which).as_bytes().to_vec(), &edits))
    });
}

// ---------------------------------------------------------------------------------------------
// Parquet.

const PQ_EMPLOYEES: usize = 60;
const PQ_CUSTOMERS: usize = 240;
const PQ_MENTIONS: usize = 40;

/// The valid study's tables as frames.
fn pq_frames() -> [DataFrame; 3] {
    let ne = PQ_EMPLOYEES;
    let unit = |i: usize| format!("u{}", i % 3);
    let employees = df!(
        "study" => vec!["s"; ne],
        "unit" => (0..ne).map(unit).collect::<Vec<_>>(),
        "employee_id" => (0..ne).map(|i| format!("e{i}")).collect::<Vec<_>>(),
        "customer_facing" => (0..ne).map(|i| i % 3 != 0).collect::<Vec<_>>(),
        "engagement" => (0..ne).map(|i| (i * 37 % 101) as f64).collect::<Vec<_>>(),
        "has_ideas" => (0..ne).map(|i| (i % 5 != 0).then_some(i % 2 == 0)).collect::<Vec<_>>(),
        "asked_about_customers" => (0..ne).map(|i| ["never", "yearly", "several_per_year", "rarely"][i % 4]).collect::<Vec<_>>(),
        "tenure_months" => (0..ne).map(|i| (i * 7) as i64).collect::<Vec<_>>(),
    )
    .unwrap();
    let nc = PQ_CUSTOMERS;
    let customers = df!(
        "study" => vec!["s"; nc],
        "unit" => (0..nc).map(unit).collect::<Vec<_>>(),
        "customer_id" => (0..nc).map(|i| format!("c{i:04}")).collect::<Vec<_>>(),
        "satisfaction" => (0..nc).map(|i| (i % 11) as f64).collect::<Vec<_>>(),
        "nps" => (0..nc).map(|i| (i % 7 != 0).then_some((i % 11) as i64)).collect::<Vec<_>>(),
        "weight" => (0..nc).map(|i| 0.5 + (i % 4) as f64 / 4.0).collect::<Vec<_>>(),
    )
    .unwrap();
    let nm = PQ_MENTIONS;
    let mentions = df!(
        "study" => vec!["s"; nm],
        "side" => (0..nm).map(|i| if i % 2 == 0 { "customer" } else { "employee" }).collect::<Vec<_>>(),
        "respondent_id" => (0..nm).map(|i| if i % 2 == 0 { format!("c{i:04}") } else { format!("e{i}") }).collect::<Vec<_>>(),
        "theme" => (0..nm).map(|i| ["welcome", "price", "tools"][i % 3]).collect::<Vec<_>>(),
        "valence" => (0..nm).map(|i| if i % 3 == 0 { "negative" } else { "positive" }).collect::<Vec<_>>(),
        "text" => (0..nm).map(|i| format!("mention number {i}")).collect::<Vec<_>>(),
    )
    .unwrap();
    [employees, customers, mentions]
}

/// The valid study as Parquet bytes (employees, customers, mentions), in two layouts:
/// uncompressed with small row groups and pages (corruption reaches the decoders directly), and
/// as [`miroir::data::write_table`] writes it (the default compression).
fn pq_fixture(layout: usize) -> &'static [Vec<u8>; 3] {
    static FIXTURES: OnceLock<[[Vec<u8>; 3]; 2]> = OnceLock::new();
    let all = FIXTURES.get_or_init(|| {
        let small = pq_frames().map(|mut df| {
            let mut buf = Vec::new();
            ParquetWriter::new(&mut buf)
                .with_compression(ParquetCompression::Uncompressed)
                .with_row_group_size(Some(64))
                .with_data_page_size(Some(256))
                .with_statistics(StatisticsOptions::full())
                .finish(&mut df)
                .unwrap();
            buf
        });
        let dir = TempDir::new();
        let default = pq_frames().map(|mut df| {
            let path = dir.path().join("t.parquet");
            miroir::data::write_table(&mut df, &path).unwrap();
            std::fs::read(&path).unwrap()
        });
        [small, default]
    });
    &all[layout]
}

#[derive(Debug, Clone)]
enum PqEdit {
    /// XOR the byte at a position with a non-zero mask.
    Flip(Index, u8),
    /// XOR a byte in the last 2 KiB (the footer, the metadata) with a non-zero mask.
    FlipTail(usize, u8),
    /// Set a byte to a value.
    Set(Index, u8),
    /// Zero a run of bytes.
    Zero(Index, usize),
    /// Copy a run of bytes over another place (repeated page headers, lengths, ...).
    Copy(Index, Index, usize),
    Truncate(Index),
    Append(Vec<u8>),
}

fn pq_edit() -> impl Strategy<Value = PqEdit> {
    prop_oneof![
        4 => (any::<Index>(), 1u8..=255).prop_map(|(i, m)| PqEdit::Flip(i, m)),
        3 => (0usize..2048, 1u8..=255).prop_map(|(o, m)| PqEdit::FlipTail(o, m)),
        1 => (any::<Index>(), select(&[0u8, 1, 0x7f, 0x80, 0xff][..])).prop_map(|(i, v)| PqEdit::Set(i, v)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| PqEdit::Zero(i, n)),
        1 => (any::<Index>(), any::<Index>(), 1usize..64).prop_map(|(a, b, n)| PqEdit::Copy(a, b, n)),
        1 => any::<Index>().prop_map(PqEdit::Truncate),
        1 => vec(any::<u8>(), 1..64).prop_map(PqEdit::Append),
    ]
}

/// Applies the edits; returns the bytes and the edits with concrete offsets (for a failure
/// message that reproduces without proptest).
fn apply_pq(mut b: Vec<u8>, edits: &[PqEdit]) -> (Vec<u8>, String) {
    let mut done = Vec::new();
    for edit in edits {
        if b.is_empty() {
            break;
        }
        let n = b.len();
        match edit {
            PqEdit::Flip(i, m) => {
                let at = i.index(n);
                b[at] ^= m;
                done.push(format!("b[{at}] ^= {m:#04x}"));
            }
            PqEdit::FlipTail(o, m) => {
                let at = n - 1 - o % n;
                b[at] ^= m;
                done.push(format!("b[{at}] ^= {m:#04x}"));
            }
            PqEdit::Set(i, v) => {
                let at = i.index(n);
                b[at] = *v;
                done.push(format!("b[{at}] = {v:#04x}"));
            }
            PqEdit::Zero(i, len) => {
                let at = i.index(n);
                let end = (at + len).min(n);
                b[at..end].fill(0);
                done.push(format!("b[{at}..{end}].fill(0)"));
            }
            PqEdit::Copy(from, to, len) => {
                let (from, to) = (from.index(n), to.index(n));
                let len = (*len).min(n - from).min(n - to);
                b.copy_within(from..from + len, to);
                done.push(format!("b.copy_within({from}..{}, {to})", from + len));
            }
            PqEdit::Truncate(i) => {
                let at = i.index(n);
                b.truncate(at);
                done.push(format!("b.truncate({at})"));
            }
            PqEdit::Append(tail) => {
                b.extend_from_slice(tail);
                done.push(format!("b.extend_from_slice(&{tail:?})"));
            }
        }
    }
    (b, done.join("; "))
}

/// Whether every column of a frame has the frame's height (a decoder may build a frame that
/// does not hold together from corrupt bytes).
fn consistent(df: &DataFrame) -> bool {
    df.columns().iter().all(|c| c.len() == df.height())
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// The checks of one corrupt study, in the folder `dir` (`changed`: the file that was edited):
/// loaded in memory and streamed, and `changed` read alone. Runs in a child process
/// ([`parquet_case_in_child`]).
fn check_parquet_dir(dir: &Path, changed: Which) -> Result<(), String> {
    let paths = StudyPaths::from_dir(dir).map_err(|e| format!("the study's files are not found: {e}"))?;
    let mut satisfaction: Vec<Vec<u64>> = Vec::new();
    for (streaming, batch_rows) in [(Streaming::Never, 64), (Streaming::Always, 7), (Streaming::Always, 64)] {
        let o = LoadOptions { streaming, batch_rows };
        let how = format!("load_study_with({streaming:?}, batch_rows {batch_rows})");
        match no_panic(|| load_study_with(&paths, Schema::default(), &o)) {
            Err(panic) => return Err(format!("{how} panicked: {panic}")),
            Ok(Err(e)) => ensure!(names_a_table(&e), "{how}: the error names no file or table: {e}"),
            Ok(Ok(s)) => {
                ensure!(s.n_customers() == PQ_CUSTOMERS, "{how}: {} customers loaded of {PQ_CUSTOMERS}", s.n_customers());
                let ne = s.employee_columns().height();
                ensure!(ne == PQ_EMPLOYEES, "{how}: {ne} employees loaded of {PQ_EMPLOYEES}");
                // a streamed study reads its tables back from the (unchanged) files
                match no_panic(|| (s.customers().map(|c| c.height()), s.employees().map(|e| e.height()))) {
                    Err(panic) => return Err(format!("{how}: reading the loaded study back panicked: {panic}")),
                    Ok((c, e)) => {
                        ensure!(matches!(c, Ok(PQ_CUSTOMERS)), "{how}: customers read back: {c:?}");
                        ensure!(matches!(e, Ok(PQ_EMPLOYEES)), "{how}: employees read back: {e:?}");
                    }
                }
                satisfaction.push(s.satisfaction().iter().map(|x| x.to_bits()).collect());
            }
        }
    }
    ensure!(satisfaction.windows(2).all(|w| w[0] == w[1]), "the in-memory and streamed loads disagree on satisfaction");
    let file = dir.join(format!("{}.parquet", changed.name()));
    match no_panic(|| read_table(&file)) {
        Err(panic) => return Err(format!("read_table panicked: {panic}")),
        Ok(Err(e)) => {
            let m = e.to_string();
            ensure!(m.contains(&file.display().to_string()), "read_table: the error does not name the file: {m}");
        }
        Ok(Ok(df)) => {
            let rows = [PQ_EMPLOYEES, PQ_CUSTOMERS, PQ_MENTIONS][changed as usize];
            ensure!(df.height() == rows, "read_table: {} rows of {rows}, no error", df.height());
            ensure!(consistent(&df), "read_table: a frame whose columns have other heights than the frame: {:?}", column_heights(&df));
        }
    }
    Ok(())
}

fn column_heights(df: &DataFrame) -> Vec<(String, usize)> {
    df.columns().iter().map(|c| (c.name().to_string(), c.len())).collect()
}

const CHILD_DIR: &str = "MIROIR_FUZZ_CHILD_DIR";
const CHILD_TABLE: &str = "MIROIR_FUZZ_CHILD_TABLE";
const CHILD_RESULT: &str = "MIROIR-FUZZ-RESULT: ";
/// A case taking longer than this is a hang.
const CHILD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Not a test of its own: the child process of [`check_parquet`], which checks the study in
/// `MIROIR_FUZZ_CHILD_DIR` and prints the result (does nothing when the variable is not set).
#[test]
fn parquet_case_in_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else { return };
    let table = std::env::var(CHILD_TABLE).unwrap_or_default();
    let changed = [Which::Employees, Which::Customers, Which::Mentions].into_iter().find(|w| w.name() == table).unwrap_or(Which::Customers);
    let result = match check_parquet_dir(Path::new(&dir), changed) {
        Ok(()) => "ok".to_string(),
        Err(m) => m.replace('\n', "\\n"),
    };
    println!("\n{CHILD_RESULT}{result}");
}

/// Writes the study of `files` (employees, customers, mentions) and checks it in a child process
/// (the test binary itself, running [`parquet_case_in_child`]), so that a crash (an abort on a
/// huge allocation, a signal) or a hang fails this case instead of killing the whole run.
/// `MIROIR_FUZZ_IN_PROCESS=1` checks in this process instead (faster, for a debugger).
fn check_parquet(files: &[Vec<u8>; 3], changed: Which, edits: &str) -> Result<(), TestCaseError> {
    let dir = TempDir::new();
    for (w, bytes) in [Which::Employees, Which::Customers, Which::Mentions].into_iter().zip(files) {
        std::fs::write(dir.path().join(format!("{}.parquet", w.name())), bytes).expect("write a Parquet file");
    }
    let case = format!("{}.parquet edited ({edits})", changed.name());
    if std::env::var("MIROIR_FUZZ_IN_PROCESS").is_ok_and(|v| v == "1") {
        return check_parquet_dir(dir.path(), changed).map_err(|m| TestCaseError::fail(format!("{case}: {m}")));
    }
    let logs = TempDir::new();
    let (out, err) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let mut child = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["parquet_case_in_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir.path())
        .env(CHILD_TABLE, changed.name())
        .env("RUST_BACKTRACE", "0")
        .stdout(std::fs::File::create(&out).expect("a log file"))
        .stderr(std::fs::File::create(&err).expect("a log file"))
        .spawn()
        .expect("start the child process");
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break Some(status);
        }
        if start.elapsed() > CHILD_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    let stdout = std::fs::read_to_string(&out).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    let tail: String = stderr.lines().filter(|l| !l.trim().is_empty()).take(6).collect::<Vec<_>>().join(" | ");
    let Some(status) = status else {
        return Err(TestCaseError::fail(format!("{case}: a hang (no result within {CHILD_TIMEOUT:?})")));
    };
    match stdout.lines().find_map(|l| l.split_once(CHILD_RESULT).map(|(_, r)| r)) {
        Some("ok") => Ok(()),
        Some(m) => Err(TestCaseError::fail(format!("{case}: {m}"))),
        None => {
            #[cfg(unix)]
            let how = {
                use std::os::unix::process::ExitStatusExt;
                status.signal().map_or_else(|| format!("{status}"), |s| format!("signal {s}"))
            };
            #[cfg(not(unix))]
            let how = format!("{status}");
            Err(TestCaseError::fail(format!("{case}: a crash ({how}): {tail}")))
        }
    }
}

#[test]
fn parquet_base_study_loads() {
    for layout in 0..2 {
        let files = pq_fixture(layout).clone();
        let dir = TempDir::new();
        for (name, bytes) in ["employees", "customers", "mentions"].iter().zip(&files) {
            std::fs::write(dir.path().join(format!("{name}.parquet")), bytes).unwrap();
        }
        let paths = StudyPaths::from_dir(dir.path()).unwrap();
        for streaming in [Streaming::Never, Streaming::Always] {
            let s = load_study_with(&paths, Schema::default(), &LoadOptions { streaming, batch_rows: 7 }).unwrap();
            assert_eq!(s.n_customers(), PQ_CUSTOMERS);
        }
    }
}

/// Corruptions the properties found (issue 12), kept as regression cases: (layout, file, byte,
/// mask). The offsets are those of the fixture as polars 0.55 writes it; after a polars upgrade
/// they may land elsewhere (the properties keep looking).
const KNOWN_PARQUET_CORRUPTIONS: &[(usize, Which, usize, u8)] = &[
    // an abort (not a panic): "memory allocation of 2305843009213693944 bytes failed" while
    // decoding a page's validity (a page header's value count read as a huge number)
    (0, Which::Customers, 30, 0x01),
    (0, Which::Customers, 65, 0x01),
    (1, Which::Customers, 39, 0x01),
    (0, Which::Employees, 30, 0x01),
    (0, Which::Mentions, 30, 0x01),
    // a frame whose columns have other heights (a column of 0 values in a frame of 240 rows);
    // the load then fails with an untyped "internal data error: lengths don't match"
    (0, Which::Customers, 49, 0x01),
    (1, Which::Customers, 1845, 0x01),
    (1, Which::Customers, 1637, 0x01),
    // rows silently lost: 176 or 48 of 240 customers read and loaded, no error
    (0, Which::Customers, 11981, 0x01),
    (1, Which::Customers, 1897, 0x01),
    (1, Which::Customers, 1896, 0x80),
    // an untyped MiroirError::Polars
    (0, Which::Employees, 1868, 0xff),
    // the footer announces fewer rows than the columns hold: refused in memory, but a streamed
    // load keeps the announced 176 of 240 customers (52 of 60 employees) without an error
    (0, Which::Customers, 11123, 0x01),
    (1, Which::Customers, 1491, 0x01),
    (0, Which::Employees, 3313, 0x10),
    (1, Which::Employees, 2056, 0x10),
];

#[test]
fn parquet_known_corruptions() {
    let mut failures = Vec::new();
    for &(layout, which, at, mask) in KNOWN_PARQUET_CORRUPTIONS {
        let mut files = pq_fixture(layout).clone();
        let k = which as usize;
        if at >= files[k].len() {
            continue;
        }
        files[k][at] ^= mask;
        if let Err(e) = check_parquet(&files, which, &format!("layout {layout}, b[{at}] ^= {mask:#04x}")) {
            failures.push(e.to_string());
        }
    }
    assert!(failures.is_empty(), "{} of {} known corruptions fail:\n{}", failures.len(), KNOWN_PARQUET_CORRUPTIONS.len(), failures.join("\n"));
}

#[test]
fn parquet_corruptions_never_panic() {
    let changed = prop_oneof![3 => Just(Which::Customers), 1 => Just(Which::Employees), 1 => Just(Which::Mentions)];
    fuzz("parquet_corruptions_never_panic", (0usize..2, changed, vec(pq_edit(), 1..4)), |(layout, changed, edits)| {
        let mut files = pq_fixture(layout).clone();
        let k = changed as usize;
        let (bytes, done) = apply_pq(files[k].clone(), &edits);
        files[k] = bytes;
        check_parquet(&files, changed, &format!("layout {layout}, {done}"))
    });
}

#[test]
fn parquet_single_byte_flips_never_panic() {
    fuzz("parquet_single_byte_flips_never_panic", (0usize..2, any::<Index>(), 1u8..=255), |(layout, at, mask)| {
        let mut files = pq_fixture(layout).clone();
        let k = Which::Customers as usize;
        let at = at.index(files[k].len());
        files[k][at] ^= mask;
        check_parquet(&files, Which::Customers, &format!("layout {layout}, b[{at}] ^= {mask:#04x}"))
    });
}

// ---------------------------------------------------------------------------------------------
// DataFrames of any dtype.

#[derive(Debug, Clone, Copy)]
enum Dt {
    Str,
    Cat,
    Bool,
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    F16,
    F32,
    F64,
    Decimal(usize, usize),
    Date,
    Datetime,
    Duration,
    Time,
    Binary,
    Null,
    ListF64,
    ArrayF64,
    Struct,
}

fn dt() -> impl Strategy<Value = Dt> {
    prop_oneof![
        3 => Just(Dt::Str),
        1 => Just(Dt::Cat),
        2 => Just(Dt::Bool),
        1 => Just(Dt::I8),
        1 => Just(Dt::I16),
        1 => Just(Dt::I32),
        2 => Just(Dt::I64),
        2 => Just(Dt::I128),
        1 => Just(Dt::U8),
        1 => Just(Dt::U16),
        1 => Just(Dt::U32),
        1 => Just(Dt::U64),
        1 => Just(Dt::U128),
        1 => Just(Dt::F16),
        1 => Just(Dt::F32),
        3 => Just(Dt::F64),
        2 => (1usize..=38).prop_flat_map(|p| (Just(p), 0..=p)).prop_map(|(p, s)| Dt::Decimal(p, s)),
        1 => Just(Dt::Date),
        1 => Just(Dt::Datetime),
        1 => Just(Dt::Duration),
        1 => Just(Dt::Time),
        1 => Just(Dt::Binary),
        1 => Just(Dt::Null),
        1 => Just(Dt::ListF64),
        1 => Just(Dt::ArrayF64),
        1 => Just(Dt::Struct),
    ]
}

const INTS: &[i128] = &[
    0, 1, -1, 2, 3, 7, 10, 11, 50, 99, 100, 101, 127, -128, 255, 256, 32767, -32768, 65535, 2147483647, -2147483648,
    4294967295, i64::MAX as i128, i64::MIN as i128, u64::MAX as i128, 10_000_000_000_000_000_000, i128::MAX, i128::MIN,
];
const FLOATS: &[f64] = &[
    0.0, -0.0, 1.0, 0.5, 7.5, 10.0, 50.0, 99.99, 100.0, 100.000001, -1.0, -1e-300, f64::NAN, -f64::NAN, f64::INFINITY,
    f64::NEG_INFINITY, 1e300, -1e300, 1e160, 1e-170, f64::MAX, f64::MIN, f64::MIN_POSITIVE, 5e-324, 1e19, 9007199254740993.0,
];
const STRS: &[&str] = &[
    "s", "s1", "t", "u1", "u2", "0001", "1", "", " ", " s ", "A\u{e9}", "Ae\u{301}", "true", "false", "yes", "never", "yearly",
    "rarely", "several_per_year", "customer", "employee", "positive", "negative", "50", "8", "NaN", "inf", "\0", "\u{feff}",
    "\u{fffd}", "e01", "c0001", "\"", ",", "\n", "null",
];

#[derive(Debug, Clone)]
enum ColGen {
    /// Valid values for the column, so that validation goes on to the next one.
    Natural,
    /// A dtype and palette picks (None: a null).
    Typed(Dt, Vec<Option<u8>>),
}

#[derive(Debug, Clone)]
struct TableGen {
    rows: usize,
    /// Every canonical column (None: absent), then extra columns.
    columns: Vec<(String, Option<ColGen>)>,
}

/// A column: of random dtype and values with probability `wild`, else valid.
fn col_gen(rows: usize, wild: f64) -> impl Strategy<Value = ColGen> {
    let typed = (dt(), vec(proptest::option::weighted(0.85, any::<u8>()), rows)).prop_map(|(d, c)| ColGen::Typed(d, c));
    proptest::option::weighted(wild, typed).prop_map(|c| c.unwrap_or(ColGen::Natural))
}

fn table_gen(names: Vec<(&'static str, bool)>) -> impl Strategy<Value = TableGen> {
    // mostly valid tables reach the checks after the first column (joins, keys, the index);
    // wild ones stop at the first
    (0usize..9, select(&[0.02, 0.1, 0.4][..])).prop_flat_map(move |(rows, wild)| {
        let canonical: Vec<_> = names
            .iter()
            .map(|(name, required)| {
                let present = if *required { 0.98 } else { 0.4 };
                (Just(name.to_string()), proptest::option::weighted(present, col_gen(rows, wild)))
            })
            .collect();
        let extra = vec(
            (select(&["extra", "Engagement", "engagement_duplicated_0", "", "id", "weight "][..]).prop_map(String::from), col_gen(rows, wild).prop_map(Some)),
            0..2,
        );
        (canonical, extra).prop_map(move |(mut columns, extra)| {
            for (name, c) in extra {
                if !columns.iter().any(|(n, _)| *n == name) {
                    columns.push((name, c));
                }
            }
            TableGen { rows, columns }
        })
    })
}

fn names_of(columns: &[miroir::data::schema::ColumnSpec]) -> Vec<(&'static str, bool)> {
    columns.iter().map(|c| (c.name, c.required)).collect()
}

fn cast(s: Series, dtype: &DataType) -> Series {
    s.cast_with_options(dtype, polars::chunked_array::cast::CastOptions::NonStrict).unwrap_or_else(|e| panic!("test-side cast to {dtype:?}: {e}"))
}

fn ints(name: &str, cells: &[Option<u8>]) -> Series {
    Series::new(name.into(), cells.iter().map(|c| c.map(|k| INTS[k as usize % INTS.len()])).collect::<Vec<_>>())
}

fn floats(name: &str, cells: &[Option<u8>]) -> Series {
    Series::new(name.into(), cells.iter().map(|c| c.map(|k| FLOATS[k as usize % FLOATS.len()])).collect::<Vec<_>>())
}

fn strs(name: &str, cells: &[Option<u8>]) -> Series {
    Series::new(name.into(), cells.iter().map(|c| c.map(|k| STRS[k as usize % STRS.len()].to_string())).collect::<Vec<_>>())
}

/// A column of `dt` (built outside the property's guard: a panic here is the test's own).
fn typed(name: &str, dt: Dt, cells: &[Option<u8>]) -> Series {
    let wrap = |f: fn(i128) -> i128| {
        Series::new(name.into(), cells.iter().map(|c| c.map(|k| f(INTS[k as usize % INTS.len()]))).collect::<Vec<_>>())
    };
    match dt {
        Dt::Str => strs(name, cells),
        Dt::Cat => cast(strs(name, cells), &DataType::from_categories(Categories::global())),
        Dt::Bool => Series::new(name.into(), cells.iter().map(|c| c.map(|k| k % 2 == 0)).collect::<Vec<_>>()),
        Dt::I8 => cast(wrap(|v| v as i8 as i128), &DataType::Int8),
        Dt::I16 => cast(wrap(|v| v as i16 as i128), &DataType::Int16),
        Dt::I32 => cast(wrap(|v| v as i32 as i128), &DataType::Int32),
        Dt::I64 => cast(wrap(|v| v as i64 as i128), &DataType::Int64),
        Dt::I128 => ints(name, cells),
        Dt::U8 => cast(wrap(|v| v as u8 as i128), &DataType::UInt8),
        Dt::U16 => cast(wrap(|v| v as u16 as i128), &DataType::UInt16),
        Dt::U32 => cast(wrap(|v| v as u32 as i128), &DataType::UInt32),
        Dt::U64 => cast(wrap(|v| v as u64 as i128), &DataType::UInt64),
        Dt::U128 => Series::new(
            name.into(),
            cells.iter().map(|c| c.map(|k| INTS[k as usize % INTS.len()] as u128)).collect::<Vec<_>>(),
        ),
        Dt::F16 => cast(floats(name, cells), &DataType::Float16),
        Dt::F32 => cast(floats(name, cells), &DataType::Float32),
        Dt::F64 => floats(name, cells),
        Dt::Decimal(p, s) => {
            // mantissas that fit the precision (the largest, the smallest, zero, ...)
            let limit = 10_i128.pow(p as u32);
            let m: Vec<Option<i128>> = cells
                .iter()
                .map(|c| c.map(|k| match k % 4 {
                    0 => limit - 1,
                    1 => -(limit - 1),
                    _ => INTS[k as usize % INTS.len()] % limit,
                }))
                .collect();
            Int128Chunked::from_iter_options(name.into(), m.into_iter()).into_decimal(p, s).unwrap().into_series()
        }
        Dt::Date => cast(wrap(|v| v as i32 as i128), &DataType::Date),
        Dt::Datetime => cast(wrap(|v| v as i64 as i128), &DataType::Datetime(TimeUnit::Milliseconds, None)),
        Dt::Duration => cast(wrap(|v| v as i64 as i128), &DataType::Duration(TimeUnit::Microseconds)),
        Dt::Time => cast(wrap(|v| v.rem_euclid(86_400_000_000_000)), &DataType::Time),
        Dt::Binary => Series::new(
            name.into(),
            cells.iter().map(|c| c.map(|k| STRS[k as usize % STRS.len()].as_bytes().to_vec())).collect::<Vec<_>>(),
        ),
        Dt::Null => Series::full_null(name.into(), cells.len(), &DataType::Null),
        Dt::ListF64 | Dt::ArrayF64 => {
            let lists: Vec<Series> = cells
                .iter()
                .map(|c| Series::new("".into(), [FLOATS[c.unwrap_or(0) as usize % FLOATS.len()]]))
                .collect();
            let s = if lists.is_empty() {
                Series::new_empty(name.into(), &DataType::List(Box::new(DataType::Float64)))
            } else {
                Series::new(name.into(), lists)
            };
            match dt {
                Dt::ArrayF64 => cast(s, &DataType::Array(Box::new(DataType::Float64), 1)),
                _ => s,
            }
        }
        Dt::Struct => {
            let fields = [floats("x", cells), strs("y", cells)];
            StructChunked::from_series(name.into(), cells.len(), fields.iter()).unwrap().into_series()
        }
    }
}

/// Valid values for a canonical column, row `i` of `rows` (ids unique, mentions pointing to
/// respondents that exist in a natural customers table).
fn natural(name: &str, rows: usize, table: Which) -> Series {
    let n = name.into();
    let range = 0..rows;
    match name {
        "study" => Series::new(n, range.map(|_| "s").collect::<Vec<_>>()),
        "unit" => Series::new(n, range.map(|i| ["u1", "u2"][i % 2]).collect::<Vec<_>>()),
        "employee_id" => Series::new(n, range.map(|i| format!("e{i}")).collect::<Vec<_>>()),
        "customer_id" => Series::new(n, range.map(|i| format!("c{i}")).collect::<Vec<_>>()),
        "respondent_id" => Series::new(n, range.map(|i| format!("c{}", i % 2)).collect::<Vec<_>>()),
        "customer_facing" | "can_contribute" | "has_ideas" | "has_cost_ideas" | "trained_customer" => {
            Series::new(n, range.map(|i| i % 3 != 1).collect::<Vec<_>>())
        }
        "engagement" | "informed" | "manager_support" => Series::new(n, range.map(|i| (i * 37 % 101) as f64).collect::<Vec<_>>()),
        "satisfaction" => Series::new(n, range.map(|i| (i % 11) as f64).collect::<Vec<_>>()),
        "nps" => Series::new(n, range.map(|i| (i % 11) as i64).collect::<Vec<_>>()),
        "tenure_months" => Series::new(n, range.map(|i| (i * 5) as i64).collect::<Vec<_>>()),
        "weight" => Series::new(n, range.map(|i| 0.5 + i as f64).collect::<Vec<_>>()),
        "asked_about_customers" => Series::new(n, range.map(|i| ["never", "yearly", "several_per_year", "rarely"][i % 4]).collect::<Vec<_>>()),
        "side" => Series::new(n, range.map(|_| "customer").collect::<Vec<_>>()),
        "valence" => Series::new(n, range.map(|i| ["positive", "negative"][i % 2]).collect::<Vec<_>>()),
        "theme" => Series::new(n, range.map(|i| ["welcome", "price"][i % 2]).collect::<Vec<_>>()),
        _ => {
            let _ = table;
            Series::new(n, range.map(|i| format!("x{i}")).collect::<Vec<_>>())
        }
    }
}

fn frame(t: &TableGen, table: Which) -> DataFrame {
    let columns: Vec<Column> = t
        .columns
        .iter()
        .filter_map(|(name, c)| {
            c.as_ref().map(|c| match c {
                ColGen::Natural => natural(name, t.rows, table),
                ColGen::Typed(d, cells) => typed(name, *d, cells),
            })
        })
        .map(Column::from)
        .collect();
    DataFrame::new(t.rows, columns).expect("test-side frame")
}

fn dtypes(df: &DataFrame) -> String {
    df.columns().iter().map(|c| format!("{}: {:?}", c.name(), c.dtype())).collect::<Vec<_>>().join(", ")
}

#[test]
fn frames_of_any_dtype_never_panic() {
    let tables = (
        table_gen(names_of(EMPLOYEE_COLUMNS)),
        table_gen(names_of(CUSTOMER_COLUMNS)),
        proptest::option::of(table_gen(names_of(MENTION_COLUMNS))),
    );
    fuzz("frames_of_any_dtype_never_panic", tables, |(e, c, m)| {
        let (e, c, m) = (frame(&e, Which::Employees), frame(&c, Which::Customers), m.map(|m| frame(&m, Which::Mentions)));
        let what = format!(
            "employees [{}]\ncustomers [{}]\nmentions [{}]",
            dtypes(&e),
            dtypes(&c),
            m.as_ref().map(dtypes).unwrap_or_else(|| "none".into())
        );
        match no_panic(|| Study::new(e, c, m, Schema::default())) {
            Err(panic) => prop_assert!(false, "Study::new panicked: {panic}\n{what}"),
            Ok(Err(err)) => prop_assert!(names_a_table(&err), "the error names no table: {err}\n{what}"),
            Ok(Ok(s)) => {
                let after = no_panic(|| (s.summary().map(|d| d.height()), s.study_names().map(|n| n.len())));
                prop_assert!(after.is_ok(), "a valid study's summary panicked: {}\n{what}", after.unwrap_err());
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// The spec parser.

const SEED_SPEC: &str = include_str!("../python/miroir/specs/seed-kpam.toml");
const SPEC_PATH: &str = "fuzz-spec.toml";

/// Values put on the right of a `=`.
const SPEC_VALUES: &[&str] = &[
    "nan", "+nan", "inf", "-inf", "1e999", "-0.0", "0", "1", "-1", "2", "0.5", "0.999999", "1.0", "20", "1999", "0x10",
    "99999999999999999999", "-9223372036854775808", "18446744073709551615", "18446744073709551616", "\"\"", "\"x\"",
    "\"share\"", "\"mean\"", "\"moment\"", "\"correlation\"", "\"engagement_gap\"", "\"top_share_uplift\"",
    "\"share_satisfied\"", "\"wilson\"", "\"employees\"", "\"customers\"", "\"unit\"", "\"study\"", "\"spearman\"",
    "\"has_ideas\"", "\"engagement\"", "\"é\"", "\"\\u0000\"", "\"\\uD800\"", "[]", "[1, 2]", "[0, 10]", "[10, 0]", "[1, 1]",
    "[\"a\", \"b\"]", "[[1]]", "{}", "{ studies = 0 }", "{ studies = 1, employees = 1, customers = 1 }",
    "{ studies = 99999999999, employees = 1 }", "true", "false", "1979-05-27", "1979-05-27T07:32:00Z", "'''a\nb'''",
    "\"\"\"\nx\"\"\"", "'lit'", "\"a\" # comment", "", "=", "\"unterminated",
];

/// Keys put on the left of a `=`.
const SPEC_KEYS: &[&str] = &[
    "id", "statistic", "label", "published", "tolerance", "relative_tolerance", "within_ci", "above", "below", "source",
    "filter", "table", "column", "equals", "method", "outcome", "level", "covariates", "top_share", "theme", "alpha",
    "silence_rate", "min_mentions", "confidence", "ci_method", "n_resamples", "seed", "synthetic", "dir", "employees",
    "customers", "mentions", "satisfaction_scale", "satisfied_threshold", "min_group_size", "min_text_group_size",
    "engagement_items", "item_scale", "study", "unit", "customer_facing", "title", "x", "\"quoted key\"", "a.b", "é",
];

/// Whole lines or blocks inserted into the spec.
const SPEC_BLOCKS: &[&str] = &[
    "[[indicator]]",
    "[[indicator]]\nid = \"g\"\nstatistic = \"share\"\ntable = \"employees\"\ncolumn = \"has_ideas\"\nequals = \"true\"\npublished = 0.5\ntolerance = 0.1",
    "[[indicator]]\nid = \"m\"\nstatistic = \"moment\"\ntheme = \"welcome\"\nalpha = 0.05\nsilence_rate = 0.5\npublished = 0.1\nwithin_ci = true",
    "[[indicator]]\nid = \"c\"\nstatistic = \"correlation\"\nmethod = \"spearman\"\noutcome = \"satisfaction\"\npublished = { low = 0.1, high = 0.9 }",
    "[indicator.filter]\nstudy = [\"s1\", \"s2\"]\nunit = \"u\"\ncustomer_facing = true",
    "[schema]\nsatisfaction_scale = [0, 10]\nsatisfied_threshold = 7\nmin_group_size = 5\nengagement_items = [\"q1\", \"q2\"]\nitem_scale = [1, 5]",
    "[schema.employees]\nENG = \"engagement\"\nID = \"employee_id\"",
    "[schema.customers]\nsat = \"satisfaction\"\nsat2 = \"satisfaction\"",
    "[data]\ndir = \"wave=2024\"\nemployees = \"e.csv\"\ncustomers = \"/abs/c.parquet\"\nmentions = \"../m.csv\"",
    "[data]\nsynthetic = { studies = 2, employees = 100, customers = 500, seed = 3 }",
    "[options]\nconfidence = 1.0",
    "[options]",
    "[data]",
    "[[options]]",
    "indicator = 3",
    "indicator = []",
    "[indicator]",
    "title = 3",
    "[a.b.c]\nd = 1",
    "# a comment \u{e9}",
    "\u{feff}",
    "\r",
    "\0",
];

#[derive(Debug, Clone)]
enum SpecEdit {
    /// Replace the value of the n-th `key = value` line.
    Value(Index, &'static str),
    /// Replace the key of the n-th `key = value` line.
    Key(Index, &'static str),
    /// Insert a block before the n-th line.
    Block(Index, &'static str),
    DuplicateLine(Index),
    DeleteLine(Index),
    SwapLines(Index, Index),
    /// Insert a character at the n-th character.
    Char(Index, char),
    /// Delete characters from the n-th one.
    Delete(Index, usize),
    /// Cut the text at the n-th character.
    Truncate(Index),
    /// Every `\n` becomes `\r\n`.
    Crlf,
}

fn spec_edit() -> impl Strategy<Value = SpecEdit> {
    prop_oneof![
        4 => (any::<Index>(), select(SPEC_VALUES)).prop_map(|(i, v)| SpecEdit::Value(i, v)),
        2 => (any::<Index>(), select(SPEC_KEYS)).prop_map(|(i, k)| SpecEdit::Key(i, k)),
        2 => (any::<Index>(), select(SPEC_BLOCKS)).prop_map(|(i, b)| SpecEdit::Block(i, b)),
        1 => any::<Index>().prop_map(SpecEdit::DuplicateLine),
        1 => any::<Index>().prop_map(SpecEdit::DeleteLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| SpecEdit::SwapLines(a, b)),
        2 => (any::<Index>(), prop_oneof![select(&['"', '\'', '[', ']', '=', '\n', '#', '{', '}', ',', '.', '\\', '\r', '\0', 'é'][..]), any::<char>()])
            .prop_map(|(i, c)| SpecEdit::Char(i, c)),
        1 => (any::<Index>(), 1usize..40).prop_map(|(i, n)| SpecEdit::Delete(i, n)),
        1 => any::<Index>().prop_map(SpecEdit::Truncate),
        1 => Just(SpecEdit::Crlf),
    ]
}

fn apply_spec(text: &str, edits: &[SpecEdit]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
    for edit in edits {
        let assignments: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.contains('=')).map(|(k, _)| k).collect();
        match edit {
            SpecEdit::Value(i, v) | SpecEdit::Key(i, v) => {
                if assignments.is_empty() {
                    continue;
                }
                let k = assignments[i.index(assignments.len())];
                let (lhs, rhs) = lines[k].split_once('=').map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or_default();
                lines[k] = match edit {
                    SpecEdit::Value(..) => format!("{lhs}= {v}"),
                    _ => format!("{v} ={rhs}"),
                };
            }
            SpecEdit::Block(i, block) => {
                let at = i.index(lines.len() + 1);
                lines.splice(at..at, block.split('\n').map(String::from));
            }
            SpecEdit::DuplicateLine(i) => {
                let k = i.index(lines.len());
                let line = lines[k].clone();
                lines.insert(k, line);
            }
            SpecEdit::DeleteLine(i) => {
                if lines.len() > 1 {
                    lines.remove(i.index(lines.len()));
                }
            }
            SpecEdit::SwapLines(a, b) => {
                let n = lines.len();
                lines.swap(a.index(n), b.index(n));
            }
            SpecEdit::Char(..) | SpecEdit::Delete(..) | SpecEdit::Truncate(_) | SpecEdit::Crlf => {
                let mut chars: Vec<char> = lines.join("\n").chars().collect();
                match edit {
                    SpecEdit::Char(i, c) => {
                        let at = i.index(chars.len() + 1);
                        chars.insert(at, *c);
                    }
                    SpecEdit::Delete(i, n) => {
                        let at = i.index(chars.len() + 1).min(chars.len());
                        let end = (at + n).min(chars.len());
                        chars.drain(at..end);
                    }
                    SpecEdit::Truncate(i) => chars.truncate(i.index(chars.len() + 1)),
                    _ => {
                        chars = chars.into_iter().flat_map(|c| if c == '\n' { vec!['\r', '\n'] } else { vec![c] }).collect();
                    }
                }
                lines = chars.into_iter().collect::<String>().split('\n').map(String::from).collect();
            }
        }
    }
    lines.join("\n")
}

/// Text from TOML-like pieces.
fn toml_noise() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        select(SPEC_KEYS),
        select(SPEC_VALUES),
        select(SPEC_BLOCKS),
        select(&["\n", " = ", "[", "]", "[[", "]]", "\"", "'", ",", ".", "#", "{", "}", "\r\n", "\t", "indicator", "\\"][..]),
    ];
    vec(piece, 0..60).prop_map(|p| p.concat())
}

/// `parse_spec` on `text`: no panic; an error is a `Spec` error naming the file and a line of
/// the text (0: unknown).
fn check_spec(text: &str) -> Result<(), TestCaseError> {
    let base = std::env::temp_dir();
    match no_panic(|| parse_spec(text, SPEC_PATH, base)) {
        Err(panic) => prop_assert!(false, "parse_spec panicked: {panic}\ntext = {text:?}"),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            let message = e.to_string();
            match &e {
                MiroirError::Spec { path, line, .. } => {
                    prop_assert_eq!(path.as_str(), SPEC_PATH);
                    prop_assert!(message.starts_with(SPEC_PATH), "the message does not start with the file: {message}");
                    // a line past the end of the text points nowhere (the text may end with a line
                    // without its newline, and a CR counts as no line break)
                    let lines = text.split('\n').count();
                    prop_assert!(*line <= lines, "line {line} of a text of {lines} lines: {message}\ntext = {text:?}");
                }
                other => prop_assert!(false, "not a Spec error: {other:?}\ntext = {text:?}"),
            }
        }
    }
    Ok(())
}

#[test]
fn spec_shipped_spec_parses() {
    let spec = parse_spec(SEED_SPEC, SPEC_PATH, std::env::temp_dir()).unwrap();
    assert_eq!(spec.indicators.len(), 8);
}

#[test]
fn spec_arbitrary_text_never_panics() {
    let text = prop_oneof![vec(any::<char>(), 0..400).prop_map(String::from_iter), toml_noise()];
    fuzz("spec_arbitrary_text_never_panics", text, |text| check_spec(&text));
}

#[test]
fn spec_mutations_never_panic() {
    fuzz("spec_mutations_never_panic", vec(spec_edit(), 1..6), |edits| check_spec(&apply_spec(SEED_SPEC, &edits)));
}
