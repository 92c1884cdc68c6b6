//! A Parquet file's structure checked before polars decodes it: what the decoders trust and a
//! corrupt byte can turn into an allocation of exabytes (which aborts the process: Rust cannot
//! unwind from a failed allocation) or into rows silently lost.
//!
//! The footer's row count must be the sum of its row groups'. For every column chunk of every
//! row group, the pages' headers are read (not their data):
//! a data page's value count must be at least 0 (an i32 read as a huge usize otherwise), and for
//! a flat column (no repetition) at most the row group's rows, the pages together must hold the
//! chunk's values, and the chunk's values must equal the row group's rows. A page cannot be
//! larger than the file.

use super::files::io_error;
use crate::error::Result;
use polars_buffer::Buffer;
use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
use polars_parquet::parquet::read::{get_page_iterator, read_metadata};
use std::io::Cursor;
use std::path::Path;

/// Refuses a Parquet file whose page headers or chunk counts cannot be those of a valid file.
pub(crate) fn check_parquet(path: &Path, bytes: &Buffer<u8>) -> Result<()> {
    let corrupt = |detail: String| io_error(path, format!("cannot read Parquet: the file is corrupt ({detail})"));
    let meta = read_metadata(&mut Cursor::new(bytes.as_ref())).map_err(|e| corrupt(e.to_string()))?;
    let group_rows: usize = meta.row_groups.iter().map(|rg| rg.num_rows()).sum();
    if group_rows != meta.num_rows {
        return Err(corrupt(format!("the footer announces {} rows, its row groups hold {group_rows}", meta.num_rows)));
    }
    let max_page = bytes.len();
    for (g, rg) in meta.row_groups.iter().enumerate() {
        let rows = rg.num_rows() as i64;
        for chunk in rg.parquet_columns() {
            let name = chunk.descriptor().path_in_schema.join(".");
            let flat = chunk.descriptor().descriptor.max_rep_level == 0;
            if flat && chunk.num_values() != rows {
                return Err(corrupt(format!(
                    "row group {g}, column '{name}': {} values for {rows} rows",
                    chunk.num_values()
                )));
            }
            let pages = get_page_iterator(chunk, Cursor::new(bytes.clone()), Vec::new(), max_page)
                .map_err(|e| corrupt(format!("row group {g}, column '{name}': {e}")))?;
            let mut seen: i64 = 0;
            for page in pages {
                let page = page.map_err(|e| corrupt(format!("row group {g}, column '{name}': {e}")))?;
                let CompressedPage::Data(data) = page else { continue };
                let (values, page_rows) = match data.header() {
                    DataPageHeader::V1(h) => (h.num_values, None),
                    DataPageHeader::V2(h) => (h.num_values, Some(h.num_rows)),
                };
                let bad_rows = page_rows.is_some_and(|r| r < 0 || i64::from(r) > rows);
                if values < 0 || (flat && i64::from(values) > rows) || bad_rows {
                    return Err(corrupt(format!(
                        "row group {g}, column '{name}': a page announces {values} values in a group of {rows} rows"
                    )));
                }
                seen += i64::from(values);
            }
            if seen < chunk.num_values() {
                return Err(corrupt(format!(
                    "row group {g}, column '{name}': the pages hold {seen} of the chunk's {} values",
                    chunk.num_values()
                )));
            }
        }
    }
    Ok(())
}

/// Refuses a decoded table whose columns do not all hold the rows the file's footer announces:
/// a corrupt page can decode into a shorter column without an error from the decoder.
pub(crate) fn check_decoded(path: &Path, df: &polars::prelude::DataFrame, rows: usize) -> Result<()> {
    match df.columns().iter().find(|c| c.len() != rows) {
        None if df.height() == rows || df.width() == 0 => Ok(()),
        found => {
            let (name, len) = found.map_or(("", df.height()), |c| (c.name().as_str(), c.len()));
            Err(io_error(
                path,
                format!(
                    "cannot read Parquet: the file is corrupt (column '{name}' decodes to {len} rows where the file announces {rows})"
                ),
            ))
        }
    }
}

