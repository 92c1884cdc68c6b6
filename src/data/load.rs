//! Reading a study from CSV or Parquet files.

use super::schema::Schema;
use super::study::Study;
use crate::error::{MiroirError, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Reads one table from a `.csv` or `.parquet` file (by extension).
pub fn read_table(path: &Path) -> Result<DataFrame> {
    let io = |detail: String| MiroirError::Io { path: path.display().to_string(), detail };
    if !path.is_file() {
        return Err(io("no such file".into()));
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map_err(|e| io(format!("cannot read CSV: {e}"))),
        "parquet" | "pq" => {
            let file = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
            ParquetReader::new(file).finish().map_err(|e| io(format!("cannot read Parquet: {e}")))
        }
        other => Err(io(format!("unsupported file type '.{other}' (use .csv or .parquet)"))),
    }
}

/// Finds `<dir>/<name>.parquet` or `<dir>/<name>.csv`.
pub fn find_table(dir: &Path, name: &str) -> Option<PathBuf> {
    ["parquet", "csv", "pq"]
        .iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|p| p.is_file())
}

/// Paths of a study's files.
#[derive(Debug, Clone, Default)]
pub struct StudyPaths {
    pub employees: PathBuf,
    pub customers: PathBuf,
    pub mentions: Option<PathBuf>,
}

impl StudyPaths {
    /// `employees.*`, `customers.*` and (optional) `mentions.*` in a folder.
    pub fn from_dir(dir: &Path) -> Result<StudyPaths> {
        if !dir.is_dir() {
            return Err(MiroirError::Io { path: dir.display().to_string(), detail: "no such folder".into() });
        }
        let need = |name: &str| {
            find_table(dir, name).ok_or_else(|| MiroirError::Io {
                path: dir.display().to_string(),
                detail: format!("no {name}.parquet or {name}.csv in this folder"),
            })
        };
        Ok(StudyPaths {
            employees: need("employees")?,
            customers: need("customers")?,
            mentions: find_table(dir, "mentions"),
        })
    }
}

/// Reads and validates a study.
pub fn load_study(paths: &StudyPaths, schema: Schema) -> Result<Study> {
    let employees = read_table(&paths.employees)?;
    let customers = read_table(&paths.customers)?;
    let mentions = paths.mentions.as_deref().map(read_table).transpose()?;
    Study::new(employees, customers, mentions, schema)
}

/// Writes a table to `.parquet` or `.csv` (by extension).
pub fn write_table(df: &mut DataFrame, path: &Path) -> Result<()> {
    let io = |detail: String| MiroirError::Io { path: path.display().to_string(), detail };
    let file = std::fs::File::create(path).map_err(|e| io(e.to_string()))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => CsvWriter::new(file).finish(df).map_err(|e| io(e.to_string())),
        "parquet" | "pq" => ParquetWriter::new(file).finish(df).map(|_| ()).map_err(|e| io(e.to_string())),
        other => Err(io(format!("unsupported file type '.{other}' (use .csv or .parquet)"))),
    }
}
