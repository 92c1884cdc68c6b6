//! Reading the part of a partitioned dataset: the files that hold some studies, filtered to
//! those studies and validated together by the single-machine loader.
//!
//! A dataset is a set of files per table (`employees`, `customers`, `mentions`), each file
//! holding rows of any studies (a hive layout `customers/study=bank-01/part-0.parquet`, or files
//! that each mix several studies). [`file_studies`] lists the studies of a file (the planner
//! reads it first); [`load_part`] reads the files of some studies, keeps the rows of those
//! studies, and validates them with [`Study::new`]: the same checks and typed errors as one
//! machine (a duplicate id across two files is a duplicate id), the rows named in their file.
//! Rows without a study are kept by every part that reads their file, so that the validation
//! refuses them as it does on one machine.

use crate::data::schema::Table;
use crate::data::{is_parquet, read_parquet_column, read_table_bytes, read_table_for, Schema, Study};
use crate::error::{MiroirError, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// One file of a dataset: its name (a path, or the URL it was read from) and, when it was read
/// elsewhere (an object store), its bytes.
#[derive(Debug, Clone)]
pub struct PartFile {
    pub name: String,
    pub bytes: Option<Vec<u8>>,
    /// Columns the file's path gives (a hive layout's `study=bank-01/`), as text: added to the
    /// rows of a file that does not have them (a writer that partitions on a column leaves it
    /// out of the files).
    pub constants: Vec<(String, String)>,
}

impl PartFile {
    pub fn path(name: impl Into<String>) -> PartFile {
        PartFile { name: name.into(), bytes: None, constants: Vec::new() }
    }

    fn read(&self, table: Table, schema: &Schema) -> Result<DataFrame> {
        let path = Path::new(&self.name);
        let mut df = match &self.bytes {
            None => read_table_for(path, table, schema)?,
            Some(b) => read_table_bytes(path, b.clone(), table, schema)?,
        };
        for (k, v) in &self.constants {
            if df.get_column_index(k).is_none() {
                let c = Column::new(k.as_str().into(), vec![v.as_str(); df.height()]);
                df.with_column(c)?;
            }
        }
        Ok(df)
    }
}

/// The files of a part, per table (mentions optional: no file, no mentions).
#[derive(Debug, Clone, Default)]
pub struct PartFiles {
    pub employees: Vec<PartFile>,
    pub customers: Vec<PartFile>,
    pub mentions: Vec<PartFile>,
}

/// The name a file gives the study column (the schema's mapping), or the schema's constant.
enum StudyColumn<'a> {
    Column(&'a str),
    Constant(&'a str),
}

fn study_column(table: Table, schema: &Schema) -> StudyColumn<'_> {
    if let Some((source, _)) = schema.rename(table).find(|(_, target)| *target == "study") {
        return StudyColumn::Column(source);
    }
    match schema.constants().get("study") {
        Some(v) => StudyColumn::Constant(v),
        None => StudyColumn::Column("study"),
    }
}

/// The study of every row of a raw table (trimmed, NFC: as the validation names it); `None`
/// where the row has none.
fn study_values(df: &DataFrame, table: Table, schema: &Schema, file: &str) -> Result<Vec<Option<String>>> {
    use unicode_normalization::UnicodeNormalization;
    let name = match study_column(table, schema) {
        StudyColumn::Constant(v) => return Ok(vec![Some(v.trim().nfc().collect()); df.height()]),
        StudyColumn::Column(name) => name,
    };
    let Some(c) = df.column(name).ok() else {
        return Err(MiroirError::MissingColumn {
            table: table.to_string(),
            column: name.to_string(),
            detail: format!("in file '{file}'"),
        });
    };
    let s = c.as_materialized_series().cast(&DataType::String)?;
    Ok(s.str()?
        .iter()
        .map(|v| v.map(|v| v.trim().nfc().collect::<String>()).filter(|v| !v.is_empty()))
        .collect())
}

/// The studies of one file of `table`, with their row counts, sorted; rows without a study are
/// counted under `None` (first).
/// A Parquet file is not decoded: its study column only is read, or nothing but its number of
/// rows when the study comes from the schema or from the file's path (a hive layout).
pub fn file_studies(file: &PartFile, table: Table, schema: &Schema) -> Result<Vec<(Option<String>, u64)>> {
    let path = Path::new(&file.name);
    let df = if is_parquet(path) {
        match study_column(table, schema) {
            StudyColumn::Constant(_) => DataFrame::empty_with_height(read_parquet_column(path, file.bytes.clone(), None)?.0 as usize),
            StudyColumn::Column(name) => match read_parquet_column(path, file.bytes.clone(), Some(name))? {
                (_, Some(c)) => DataFrame::new_infer_height(vec![c])?,
                (rows, None) => match file.constants.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => DataFrame::new_infer_height(vec![Column::new(name.into(), vec![v.as_str(); rows as usize])])?,
                    None => DataFrame::empty_with_height(rows as usize),
                },
            },
        }
    } else {
        file.read(table, schema)?
    };
    let mut counts: BTreeMap<Option<String>, u64> = BTreeMap::new();
    for v in study_values(&df, table, schema, &file.name)? {
        *counts.entry(v).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}

/// Where each row of a stacked table came from: its file and its row in the file.
struct Origins {
    files: Vec<String>,
    /// `(file index, row in file)` of each stacked row.
    rows: Vec<(u32, u32)>,
}

/// The rows of `studies` (and the rows without a study) of every file of a table, stacked in
/// file order. Files must have the same columns (names and dtypes) as the first.
fn stack_table(files: &[PartFile], table: Table, studies: &HashSet<&str>, schema: &Schema) -> Result<(Option<DataFrame>, Origins)> {
    let mut out: Option<DataFrame> = None;
    let mut origins = Origins { files: Vec::new(), rows: Vec::new() };
    for (fi, f) in files.iter().enumerate() {
        let df = f.read(table, schema)?;
        let values = study_values(&df, table, schema, &f.name)?;
        let keep: Vec<bool> = values.iter().map(|v| v.as_deref().is_none_or(|s| studies.contains(s))).collect();
        let mask = BooleanChunked::from_slice("keep".into(), &keep);
        let df = df.filter(&mask)?;
        origins.files.push(f.name.clone());
        origins.rows.extend(keep.iter().enumerate().filter(|(_, k)| **k).map(|(r, _)| (fi as u32, r as u32)));
        match out.as_mut() {
            None => out = Some(df),
            Some(acc) => {
                let df = same_columns(acc, df, table, &files[0].name, &f.name)?;
                acc.vstack_mut(&df)?;
            }
        }
    }
    if let Some(df) = out.as_mut() {
        df.rechunk_mut();
    }
    Ok((out, origins))
}

/// The rows of a file with its columns in the order of the first file's of its table; a file
/// whose columns (names, dtypes) differ is refused.
fn same_columns(first: &DataFrame, df: DataFrame, table: Table, first_name: &str, name: &str) -> Result<DataFrame> {
    let a = first.schema();
    let b = df.schema();
    if a == b {
        return Ok(df);
    }
    let missing: Vec<&str> = a.iter_names().filter(|n| b.get(n).is_none()).map(|n| n.as_str()).collect();
    let extra: Vec<&str> = b.iter_names().filter(|n| a.get(n).is_none()).map(|n| n.as_str()).collect();
    let retyped: Vec<String> = a
        .iter()
        .filter_map(|(n, t)| b.get(n).filter(|u| *u != t).map(|u| format!("'{n}' is {u}, not {t}")))
        .collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing column(s) {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("extra column(s) {}", extra.join(", ")));
    }
    if !retyped.is_empty() {
        parts.push(retyped.join(", "));
    }
    if parts.is_empty() {
        return Ok(df.select(a.iter_names().cloned())?);
    }
    Err(MiroirError::Io {
        path: name.to_string(),
        detail: format!(
            "table '{table}': this partition's columns differ from those of '{first_name}': {}",
            parts.join("; ")
        ),
    })
}

/// Names the file and the rows in it of an error about stacked rows.
fn locate(mut err: MiroirError, origins: &[(Table, Origins)]) -> MiroirError {
    if let Some((table, rows, detail)) = err.table_rows_mut() {
        let Some((_, o)) = origins.iter().find(|(t, _)| t.as_str() == table) else { return err };
        let at: Vec<(u32, u32)> = rows.first.iter().filter_map(|&r| o.rows.get(r).copied()).collect();
        if let Some(&(file, _)) = at.first() {
            rows.first = at.iter().take_while(|(f, _)| *f == file).map(|&(_, r)| r as usize).collect();
            detail.push_str(&format!(" (rows numbered in file '{}')", o.files[file as usize]));
        }
    }
    err
}

/// The validated study of `studies` read from `files` (the files that hold them): every row of
/// those studies, validated together as one machine would.
pub fn load_part(files: &PartFiles, studies: &[String], schema: &Schema) -> Result<Study> {
    let keep: HashSet<&str> = studies.iter().map(String::as_str).collect();
    let empty = |table: Table| MiroirError::EmptyTable {
        table: table.to_string(),
        detail: format!("no file of the dataset holds its rows for the studies {}", studies.join(", ")),
    };
    let (emp, emp_o) = stack_table(&files.employees, Table::Employees, &keep, schema)?;
    let (cus, cus_o) = stack_table(&files.customers, Table::Customers, &keep, schema)?;
    let (men, men_o) = stack_table(&files.mentions, Table::Mentions, &keep, schema)?;
    let emp = emp.ok_or_else(|| empty(Table::Employees))?;
    let cus = cus.ok_or_else(|| empty(Table::Customers))?;
    let origins = [(Table::Employees, emp_o), (Table::Customers, cus_o), (Table::Mentions, men_o)];
    Study::new(emp, cus, men, schema.clone()).map_err(|e| locate(e, &origins))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, df: &DataFrame) -> PartFile {
        let path = dir.join(name);
        crate::data::write_table(&mut df.clone(), &path).unwrap();
        PartFile::path(path.display().to_string())
    }

    fn tables() -> (DataFrame, DataFrame, DataFrame) {
        let emp = df!(
            "study" => ["a", "a", "b", "b"], "unit" => ["u1", "u2", "u1", "u1"],
            "employee_id" => ["e1", "e2", "e1", "e2"], "customer_facing" => [true, false, true, false],
            "engagement" => [50.0, 60.0, 70.0, 40.0],
        )
        .unwrap();
        let cus = df!(
            "study" => ["a", "a", "b", "b", "b"], "unit" => ["u1", "u2", "u1", "u1", "u1"],
            "customer_id" => ["c1", "c2", "c1", "c2", "c3"], "satisfaction" => [8.0, 3.0, 9.0, 7.0, 1.0],
        )
        .unwrap();
        let men = df!(
            "study" => ["a", "b"], "side" => ["customer", "employee"], "respondent_id" => ["c1", "e2"],
            "theme" => ["t", "t"], "valence" => ["positive", "negative"],
        )
        .unwrap();
        (emp, cus, men)
    }

    #[test]
    fn a_part_holds_every_row_of_its_studies_from_any_file() {
        let dir = tempdir();
        let (emp, cus, men) = tables();
        let files = PartFiles {
            employees: vec![write(&dir, "e0.parquet", &emp.slice(0, 3)), write(&dir, "e1.parquet", &emp.slice(3, 1))],
            customers: vec![write(&dir, "c0.csv", &cus)],
            mentions: vec![write(&dir, "m0.parquet", &men)],
        };
        let schema = Schema::default();
        let st = file_studies(&files.employees[0], Table::Employees, &schema).unwrap();
        assert_eq!(st, vec![(Some("a".into()), 2), (Some("b".into()), 1)]);
        let b = load_part(&files, &["b".into()], &schema).unwrap();
        assert_eq!(b.study_names().unwrap(), vec!["b".to_string()]);
        assert_eq!((b.index().emp_unit.len(), b.n_customers()), (2, 3));
        assert_eq!(b.mentions().unwrap().unwrap().height(), 1);
        // a duplicate id across two files is named in its file
        let dup = write(&dir, "e2.parquet", &emp.slice(2, 1));
        let mut twice = files.clone();
        twice.employees.push(dup);
        let err = load_part(&twice, &["b".into()], &schema).unwrap_err();
        assert!(matches!(err, MiroirError::DuplicateId { .. }), "{err}");
        assert!(err.to_string().contains("e2.parquet"), "{err}");
        // a partition with other columns is refused, naming it
        let other = write(&dir, "e3.parquet", &emp.slice(0, 1).drop("engagement").unwrap());
        let mut odd = files.clone();
        odd.employees.push(other);
        let err = load_part(&odd, &["a".into()], &schema).unwrap_err();
        assert!(err.to_string().contains("e3.parquet") && err.to_string().contains("missing column(s) engagement"), "{err}");
        // a hive layout: the study given by the path, not in the file
        let no_study = write(&dir, "e5.parquet", &emp.slice(2, 2).drop("study").unwrap());
        let hive = PartFile { constants: vec![("study".into(), "b".into())], ..no_study };
        assert_eq!(file_studies(&hive, Table::Employees, &schema).unwrap(), vec![(Some("b".into()), 2)]);
        let mut by_path = files.clone();
        by_path.employees = vec![write(&dir, "e6.parquet", &emp.slice(0, 2)), hive];
        let b2 = load_part(&by_path, &["b".into()], &schema).unwrap();
        assert_eq!(b2.summary().unwrap(), b.summary().unwrap());
        // a corrupt partition is an Io error naming it
        let bad = dir.join("e4.parquet");
        std::fs::write(&bad, b"PAR1 not a parquet file PAR1").unwrap();
        let mut corrupt = files.clone();
        corrupt.employees.push(PartFile::path(bad.display().to_string()));
        let err = load_part(&corrupt, &["a".into()], &schema).unwrap_err();
        assert!(matches!(err, MiroirError::Io { ref path, .. } if path.ends_with("e4.parquet")), "{err}");
        // listing reads the study column only (or nothing): the same counts from bytes, from a
        // CSV; a file without a study is refused naming it, a corrupt one too
        let bytes = std::fs::read(&files.employees[0].name).unwrap();
        let in_memory = PartFile { bytes: Some(bytes), ..files.employees[0].clone() };
        assert_eq!(file_studies(&in_memory, Table::Employees, &schema).unwrap(), st);
        let csv = file_studies(&files.customers[0], Table::Customers, &schema).unwrap();
        assert_eq!(csv, vec![(Some("a".into()), 2), (Some("b".into()), 3)]);
        let nowhere = write(&dir, "e7.parquet", &emp.drop("study").unwrap());
        let err = file_studies(&nowhere, Table::Employees, &schema).unwrap_err();
        assert!(matches!(err, MiroirError::MissingColumn { .. }) && err.to_string().contains("e7.parquet"), "{err}");
        let err = file_studies(&PartFile::path(bad.display().to_string()), Table::Employees, &schema).unwrap_err();
        assert!(matches!(err, MiroirError::Io { ref path, .. } if path.ends_with("e4.parquet")), "{err}");
    }

    fn tempdir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("miroir-partial-load-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
