//! Hostile files from Rust (issue 12): whatever the bytes, a table, a typed error naming the
//! file, table, column and rows, never a panic; keys kept as written; normalised keys said.

use miroir::data::{load_study, load_study_with, LoadOptions, Schema, Streaming, Study, StudyPaths};
use miroir::MiroirError;
use polars::prelude::*;
use std::path::{Path, PathBuf};

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("miroir-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const EMPLOYEES: &str = "study,unit,employee_id,customer_facing,engagement\n\
    s,0001,0001,true,50\ns,0001,0002,false,60\ns,0002,0003,true,70\n";
const CUSTOMERS: &str = "study,unit,customer_id,satisfaction\ns,0001,0000007,8\ns,0002,0000008,6\n";
const MENTIONS: &str = "study,side,respondent_id,theme,valence\ns,customer,0000007,welcome,positive\n";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn load(dir: &Path) -> Result<Study, MiroirError> {
    load_study(&StudyPaths::from_dir(dir)?, Schema::default())
}

#[test]
fn csv_keys_keep_their_leading_zeros_and_join() {
    let dir = folder("zeros");
    write(&dir, &[("employees.csv", EMPLOYEES), ("customers.csv", CUSTOMERS), ("mentions.csv", MENTIONS)]);
    let s = load(&dir).unwrap();
    let ids: Vec<String> =
        s.customers().unwrap().column("customer_id").unwrap().str().unwrap().iter().map(|v| v.unwrap_or_default().to_string()).collect();
    assert_eq!(ids, ["0000007", "0000008"]);
    let units: Vec<String> =
        s.employees().unwrap().column("unit").unwrap().str().unwrap().iter().map(|v| v.unwrap_or_default().to_string()).collect();
    assert_eq!(units, ["0001", "0001", "0002"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_files_for_one_table_are_refused_and_case_does_not_matter() {
    let dir = folder("ambiguous");
    write(&dir, &[("EMPLOYEES.CSV", EMPLOYEES), ("Customers.csv", CUSTOMERS)]);
    assert!(load(&dir).is_ok(), "upper-case file names are found");
    let mut df = CsvReadOptions::default()
        .try_into_reader_with_file_path(Some(dir.join("EMPLOYEES.CSV")))
        .unwrap()
        .finish()
        .unwrap();
    miroir::data::write_table(&mut df, &dir.join("employees.parquet")).unwrap();
    let e = load(&dir).unwrap_err();
    assert!(matches!(e, MiroirError::Io { .. }), "{e}");
    assert!(e.to_string().contains("2 files for the employees table (EMPLOYEES.CSV, employees.parquet)"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn keys_are_trimmed_and_put_in_nfc_with_a_warning() {
    let dir = folder("nfc");
    // "Agence é" as one code point in the employees, as e + combining accent with a trailing space
    // in the customers
    let e = "study,unit,employee_id,customer_facing,engagement\ns,Agence \u{e9},1,true,50\ns,Agence \u{e9},2,false,60\n";
    let c = "study,unit,customer_id,satisfaction\ns,Agence e\u{301} ,1,8\ns,Agence \u{e9},2,6\n";
    write(&dir, &[("employees.csv", e), ("customers.csv", c)]);
    let s = load(&dir).unwrap();
    assert_eq!(s.index().units.len(), 1, "one unit, not two");
    assert!(s.warnings().iter().any(|w| w.contains("table 'customers', column 'unit': 1 value(s) normalised")), "{:?}", s.warnings());
    assert!(!s.warnings().iter().any(|w| w.contains("one side")), "{:?}", s.warnings());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn values_that_are_not_numbers_are_shown_with_their_row() {
    let dir = folder("text-numbers");
    for (value, hint) in [
        ("NA", "'NA' is not a number (a missing answer must be an empty cell)"),
        ("\"7,5\"", "'7,5' is not a number (a decimal comma"),
        ("8/10", "'8/10' is not a number (a score written with its scale"),
        ("75 %", "'75 %' is not a number (a percentage sign"),
    ] {
        let c = format!("study,unit,customer_id,satisfaction\ns,a,1,8\ns,b,2,{value}\n");
        write(&dir, &[("employees.csv", EMPLOYEES), ("customers.csv", &c)]);
        let e = load(&dir).unwrap_err();
        assert!(matches!(e, MiroirError::WrongType { .. }), "{e}");
        let text = e.to_string();
        assert!(text.contains("table 'customers', column 'satisfaction'") && text.contains(hint), "{text}");
        assert!(text.contains("1 row (first at row index 1)"), "{text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn empty_and_infinite_numeric_columns_follow_one_rule() {
    let dir = folder("numeric");
    // an optional all-empty yes/no and numeric column is a column of missing answers
    let e = "study,unit,employee_id,customer_facing,engagement,trained_customer,informed\n\
        s,0001,1,true,50,,\ns,0001,2,false,60,,\n";
    write(&dir, &[("employees.csv", e), ("customers.csv", CUSTOMERS)]);
    let s = load(&dir).unwrap();
    assert_eq!(s.employees().unwrap().column("trained_customer").unwrap().null_count(), 2);
    // tenure of inf or 1e300 is refused like engagement inf, not made missing
    for bad in ["inf", "-inf", "1e300"] {
        let e = format!("study,unit,employee_id,customer_facing,engagement,tenure_months\ns,0001,1,true,50,3\ns,0001,2,false,60,{bad}\n");
        write(&dir, &[("employees.csv", &e)]);
        let err = load(&dir).unwrap_err();
        assert!(matches!(err, MiroirError::OutOfRange { ref column, .. } if column == "tenure_months"), "{bad}: {err}");
    }
    let e = "study,unit,employee_id,customer_facing,engagement,informed\ns,0001,1,true,50,inf\n";
    write(&dir, &[("employees.csv", e)]);
    assert!(matches!(load(&dir).unwrap_err(), MiroirError::OutOfRange { ref column, .. } if column == "informed"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn decimal_and_int128_columns_are_read() {
    let c = df!(
        "study" => ["s", "s"], "unit" => ["1", "2"], "customer_id" => ["1", "2"],
        "satisfaction" => [8.25, 6.5],
    )
    .unwrap();
    let mut c = c.lazy().with_column(col("satisfaction").cast(DataType::Decimal(6, 2))).collect().unwrap();
    c.with_column(Column::new("siret".into(), [10_i128.pow(19), 10_i128.pow(19) + 1])).unwrap();
    let e = CsvReadOptions::default().into_reader_with_file_handle(std::io::Cursor::new(EMPLOYEES)).finish().unwrap();
    let e = e.lazy().with_column(col("unit").cast(DataType::String)).collect().unwrap();
    let mut e = e;
    e.with_column(Column::new("big_id".into(), [1_i128, 2, 3]).cast(&DataType::Int128).unwrap()).unwrap();
    e.with_column(Column::new("employee_id".into(), [10_i128.pow(19), 2, 3])).unwrap();
    let s = Study::new(e, c, None, Schema::default()).unwrap();
    let ids = s.employees().unwrap().column("employee_id").unwrap().str().unwrap().get(0).map(String::from);
    assert_eq!(ids.as_deref(), Some("10000000000000000000"));
    let sat: Vec<f64> = s.satisfaction().to_vec();
    assert_eq!(sat, [8.25, 6.5]);
}

#[test]
fn a_repeated_header_and_a_ragged_line_are_file_errors() {
    let dir = folder("header");
    let e = "study,unit,employee_id,customer_facing,engagement,engagement\ns,0001,1,true,50,60\n";
    write(&dir, &[("employees.csv", e), ("customers.csv", CUSTOMERS)]);
    let err = load(&dir).unwrap_err().to_string();
    assert!(err.contains("employees.csv: the header names column 'engagement' twice (columns 5 and 6)"), "{err}");
    let e = "study,unit,employee_id,customer_facing,engagement\ns,0001,1,true,50\ns,0001,2,true,50,7\n";
    write(&dir, &[("employees.csv", e)]);
    let err = load(&dir).unwrap_err().to_string();
    assert!(err.contains("employees.csv: cannot read CSV: line 3 has 6 fields where the header has 5"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A small study's customers as Parquet bytes.
fn parquet_study(dir: &Path) -> Vec<u8> {
    let mut e = CsvReadOptions::default().into_reader_with_file_handle(std::io::Cursor::new(EMPLOYEES)).finish().unwrap();
    let rows = 300;
    let mut c = df!(
        "study" => vec!["s"; rows],
        "unit" => (0..rows).map(|i| if i % 2 == 0 { "1" } else { "2" }).collect::<Vec<_>>(),
        "customer_id" => (0..rows).map(|i| format!("c{i}")).collect::<Vec<_>>(),
        "satisfaction" => (0..rows).map(|i| (i % 11) as f64).collect::<Vec<_>>(),
    )
    .unwrap();
    e = e.lazy().with_column(col("unit").cast(DataType::String)).collect().unwrap();
    miroir::data::write_table(&mut e, &dir.join("employees.parquet")).unwrap();
    miroir::data::write_table(&mut c, &dir.join("customers.parquet")).unwrap();
    std::fs::read(dir.join("customers.parquet")).unwrap()
}

#[test]
fn flipped_bytes_in_parquet_never_panic() {
    let dir = folder("flips");
    let good = parquet_study(&dir);
    let paths = StudyPaths::from_dir(&dir).unwrap();
    let reference = load_study(&paths, Schema::default()).unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut outcomes = [0usize; 2];
    for k in 0..60 {
        // every byte of the footer region and a seeded sample of the rest
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = if k < 20 { good.len() - 1 - k } else { (state % good.len() as u64) as usize };
        let mut bad = good.clone();
        bad[at] ^= 0xFF;
        std::fs::write(dir.join("customers.parquet"), &bad).unwrap();
        for streaming in [Streaming::Never, Streaming::Always] {
            let o = LoadOptions { streaming, batch_rows: 64 };
            let result = std::panic::catch_unwind(|| load_study_with(&paths, Schema::default(), &o));
            match result {
                Err(_) => panic!("byte {at} ({streaming:?}): a panic escaped"),
                Ok(Ok(s)) => {
                    // a harmless flip: the study loads and is valid (maybe with other values)
                    assert_eq!(s.n_customers(), reference.n_customers(), "byte {at}");
                    outcomes[0] += 1;
                }
                Ok(Err(e)) => {
                    assert!(
                        matches!(e, MiroirError::Io { .. } | MiroirError::OutOfRange { .. } | MiroirError::WrongType { .. } | MiroirError::MissingValue { .. } | MiroirError::MissingColumn { .. } | MiroirError::DuplicateId { .. }),
                        "byte {at}: {e}"
                    );
                    outcomes[1] += 1;
                }
            }
        }
    }
    assert!(outcomes[1] > 0, "some flips must be detected: {outcomes:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_streamed_file_changed_after_the_load_is_refused() {
    let dir = folder("changed");
    let good = parquet_study(&dir);
    let paths = StudyPaths::from_dir(&dir).unwrap();
    let o = LoadOptions { streaming: Streaming::Always, batch_rows: 64 };
    let s = load_study_with(&paths, Schema::default(), &o).unwrap();
    // same number of rows, other values: the row count alone would not see it
    let mut c = df!(
        "study" => vec!["s"; 300],
        "unit" => (0..300).map(|i| if i % 2 == 0 { "1" } else { "2" }).collect::<Vec<_>>(),
        "customer_id" => (0..300).map(|i| format!("c{i}")).collect::<Vec<_>>(),
        "satisfaction" => vec![0.0; 300],
    )
    .unwrap();
    miroir::data::write_table(&mut c, &dir.join("customers.parquet")).unwrap();
    assert_ne!(std::fs::read(dir.join("customers.parquet")).unwrap(), good);
    let e = s.customers().unwrap_err();
    assert!(matches!(e, MiroirError::Io { .. }) && e.to_string().contains("changed since the study was loaded"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unreadable_paths_say_why() {
    let dir = folder("paths");
    std::fs::create_dir_all(dir.join("customers.csv")).unwrap();
    write(&dir, &[("employees.csv", EMPLOYEES)]);
    let e = load(&dir).unwrap_err().to_string();
    assert!(e.contains("customers.csv: is a folder, not a file"), "{e}");
    std::fs::remove_dir_all(dir.join("customers.csv")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("loop.csv"), dir.join("customers.csv")).unwrap();
        std::os::unix::fs::symlink(dir.join("customers.csv"), dir.join("loop.csv")).unwrap();
        let e = load(&dir).unwrap_err().to_string();
        assert!(e.contains("customers.csv: cannot open:") && !e.contains("no such file"), "{e}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
