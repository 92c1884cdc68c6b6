//! The data model from Rust, without Python: each bad-input class gives its own error variant,
//! naming the table, the column and the first offending rows.

use miroir::data::{Schema, Study, Table};
use miroir::MiroirError;
use polars::prelude::*;

fn employees() -> DataFrame {
    df!(
        "study" => ["acme", "acme", "acme", "acme"],
        "unit" => ["north", "north", "south", "south"],
        "employee_id" => ["e1", "e2", "e3", "e4"],
        "customer_facing" => [true, false, true, false],
        "engagement" => [55.0, 70.0, 48.0, 66.0],
    )
    .unwrap()
}

fn customers() -> DataFrame {
    df!(
        "study" => ["acme", "acme", "acme"],
        "unit" => ["north", "south", "south"],
        "customer_id" => ["c1", "c2", "c3"],
        "satisfaction" => [8.0, 6.0, 9.0],
    )
    .unwrap()
}

fn mentions() -> DataFrame {
    df!(
        "study" => ["acme", "acme"],
        "side" => ["customer", "employee"],
        "respondent_id" => ["c1", "e2"],
        "theme" => ["same advisor", "same advisor"],
        "valence" => ["positive", "negative"],
    )
    .unwrap()
}

fn study(e: DataFrame, c: DataFrame, m: Option<DataFrame>) -> Result<Study, MiroirError> {
    Study::new(e, c, m, Schema::default())
}

#[test]
fn valid_study_has_canonical_dtypes() {
    let s = study(employees(), customers(), Some(mentions())).unwrap();
    assert_eq!(s.employees().unwrap().column("customer_facing").unwrap().dtype(), &DataType::Boolean);
    assert_eq!(s.customers().unwrap().column("satisfaction").unwrap().dtype(), &DataType::Float64);
    assert!(s.warnings().is_empty());
    let summary = s.summary().unwrap();
    assert_eq!(summary.height(), 1);
}

#[test]
fn missing_column() {
    let e = employees().drop("engagement").unwrap();
    let err = study(e, customers(), None).unwrap_err();
    assert!(matches!(err, MiroirError::MissingColumn { ref column, .. } if column == "engagement"), "{err}");
    assert!(err.to_string().starts_with("table 'employees': missing required column 'engagement'"));
}

#[test]
fn wrong_type() {
    let mut e = employees();
    e.with_column(Column::new("engagement".into(), ["a", "b", "c", "d"])).unwrap();
    let err = study(e, customers(), None).unwrap_err();
    assert!(matches!(err, MiroirError::WrongType { .. }), "{err}");
    assert!(err.to_string().contains("column 'engagement': expected a number (f64), found text (str)"), "{err}");
}

#[test]
fn out_of_range_lists_rows() {
    let mut c = customers();
    c.with_column(Column::new("satisfaction".into(), [8.0, 12.0, -1.0])).unwrap();
    let err = study(employees(), c, None).unwrap_err();
    match &err {
        MiroirError::OutOfRange { table, column, rows, .. } => {
            assert_eq!((table.as_str(), column.as_str()), ("customers", "satisfaction"));
            assert_eq!(rows.first, vec![1, 2]);
            assert_eq!(rows.total, 2);
        }
        other => panic!("expected OutOfRange, got {other}"),
    }
}

#[test]
fn duplicate_id() {
    let mut e = employees();
    e.with_column(Column::new("employee_id".into(), ["e1", "e2", "e1", "e4"])).unwrap();
    let err = study(e, customers(), None).unwrap_err();
    assert!(matches!(err, MiroirError::DuplicateId { ref rows, .. } if rows.first == vec![2]), "{err}");
}

#[test]
fn unknown_category() {
    let mut m = mentions();
    m.with_column(Column::new("valence".into(), ["positive", "meh"])).unwrap();
    let err = study(employees(), customers(), Some(m)).unwrap_err();
    assert!(matches!(err, MiroirError::UnknownCategory { ref column, .. } if column == "valence"), "{err}");
}

#[test]
fn orphan_mention() {
    let mut m = mentions();
    m.with_column(Column::new("respondent_id".into(), ["c1", "e99"])).unwrap();
    let err = study(employees(), customers(), Some(m)).unwrap_err();
    assert!(matches!(err, MiroirError::OrphanMention { ref rows, .. } if rows.first == vec![1]), "{err}");
}

#[test]
fn empty_table() {
    let c = customers().head(Some(0));
    let err = study(employees(), c, None).unwrap_err();
    assert!(matches!(err, MiroirError::EmptyTable { ref table, .. } if table == "customers"), "{err}");
}

#[test]
fn missing_value() {
    let mut e = employees();
    e.with_column(Column::new("engagement".into(), [Some(55.0), None, Some(f64::NAN), Some(66.0)])).unwrap();
    let err = study(e, customers(), None).unwrap_err();
    assert!(matches!(err, MiroirError::MissingValue { ref rows, .. } if rows.first == vec![1, 2]), "{err}");
}

#[test]
fn one_sided_units_are_a_warning() {
    let mut c = customers();
    c.with_column(Column::new("unit".into(), ["north", "south", "east"])).unwrap();
    let s = study(employees(), c, None).unwrap();
    assert_eq!(s.warnings().len(), 1);
    assert!(s.warnings()[0].contains("acme/east"), "{:?}", s.warnings());
}

#[test]
fn mapping_renames_client_columns() {
    let mut e = employees();
    e.rename("engagement", "ENG".into()).unwrap();
    let schema = Schema::builder().map_column(Table::Employees, "ENG", "engagement").build().unwrap();
    let s = Study::new(e, customers(), None, schema).unwrap();
    assert!(s.employees().unwrap().column("engagement").is_ok());
}

/// The study above written as Parquet files in a fresh folder.
fn parquet_folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("miroir-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (table, mut df) in [("employees", employees()), ("customers", customers()), ("mentions", mentions())] {
        miroir::data::write_table(&mut df, &dir.join(format!("{table}.parquet"))).unwrap();
    }
    dir
}

#[test]
fn a_streamed_study_equals_the_study_in_memory() {
    use miroir::data::{load_study_with, LoadOptions, Streaming, StudyPaths};
    let dir = parquet_folder("stream");
    let paths = StudyPaths::from_dir(&dir).unwrap();
    // one row per slice: every unit, id and mention crosses slices
    let o = LoadOptions { streaming: Streaming::Always, batch_rows: 1 };
    let streamed = load_study_with(&paths, Schema::default(), &o).unwrap();
    let whole = study(employees(), customers(), Some(mentions())).unwrap();
    assert!(streamed.is_scanned() && !whole.is_scanned());
    assert!(streamed.summary().unwrap().equals_missing(&whole.summary().unwrap()));
    assert_eq!(streamed.index().mentions.as_ref().unwrap().respondent, whole.index().mentions.as_ref().unwrap().respondent);
    // the key columns are not held; the tables are read back whole
    assert!(streamed.employee_columns().column("employee_id").is_err());
    assert!(streamed.employees().unwrap().equals(whole.employees().unwrap()));
    assert!(streamed.customers().unwrap().equals(whole.customers().unwrap()));
    assert!(streamed.mentions().unwrap().unwrap().equals(whole.mentions().unwrap().unwrap()));

    let zero = LoadOptions { streaming: Streaming::Always, batch_rows: 0 };
    let err = load_study_with(&paths, Schema::default(), &zero).unwrap_err();
    assert!(matches!(err, MiroirError::InvalidArgument { ref argument, .. } if argument == "batch_rows"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
