//! The loader of a table, slice by slice: a Parquet file is read in slices of [`BATCH_ROWS`]
//! rows, a table in memory is one slice, and each slice is validated
//! ([`super::validate::clean_table`]) and coded ([`super::codes`]) by the same code. Only what
//! the analyses need is kept (study and unit codes, the rows of the respondents that mentions
//! refer to, and what the caller keeps of each slice: satisfaction for the customers, the
//! columns besides the keys for the employees, codes for the mentions). Peak memory for a file
//! is one slice plus what is kept, whatever the file's other columns, so a study larger than
//! memory can be reported on.

use super::codes::{CodedSide, DuplicateFinder, MentionCodes, SideCoder};
use super::dropped::Dropped;
use super::files::{guarded, io_error, read_bytes, read_unchanged, FileBytes, Fingerprint};
use super::parquet_check::check_decoded;
use super::schema::{Schema, Table};
use super::validate::{apply_mapping, clean_table, CleanTable};
use crate::error::{MiroirError, Result};
use polars::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Rows per slice of the streaming scan, by default.
pub const BATCH_ROWS: usize = 1 << 19;

/// A slice of the streaming scan holds at least one row.
pub(crate) fn check_batch_rows(batch_rows: usize) -> Result<()> {
    if batch_rows == 0 {
        return Err(MiroirError::InvalidArgument { argument: "batch_rows".into(), detail: "must be at least 1".into() });
    }
    Ok(())
}

/// The engagement item columns of a slice of employees, when the schema builds engagement from
/// items.
pub(crate) type Items = Option<Vec<Vec<f64>>>;

/// What a caller keeps of each validated slice of a respondents file: `(slice, items, rows of
/// the file)`.
pub(crate) type KeepSlice<'a> = dyn FnMut(&DataFrame, Items, usize) -> Result<()> + 'a;

/// Where a scanned table lives (to read it back on request), and what the file held when it
/// was validated: a file changed since is refused when read again.
#[derive(Debug, Clone)]
pub struct TableSource {
    pub path: PathBuf,
    pub rows: usize,
    pub fingerprint: Fingerprint,
}

/// What the scan of a respondents file keeps besides what its caller takes of each slice.
pub(crate) struct ScannedSide {
    pub coded: CodedSide,
    pub source: TableSource,
    /// Key values normalised at validation (see [`super::validate`]), per column.
    pub normalised: Normalised,
    /// The customers left out for a missing satisfaction (rows numbered in the file).
    pub dropped: Dropped,
}

/// Values changed at validation, per column, added up over the slices: key values normalised
/// (key columns), answers given as a missing code turned into missing ones (other columns).
pub(crate) type Normalised = Vec<(String, usize)>;

fn add_normalised(total: &mut Normalised, slice: &[(String, usize)]) {
    for (column, n) in slice {
        match total.iter_mut().find(|(c, _)| c == column) {
            Some((_, m)) => *m += n,
            None => total.push((column.clone(), *n)),
        }
    }
}

/// A lazy scan of a Parquet file's bytes, read whole (compressed) into memory first: a memory
/// map would turn a file truncated during the scan into `SIGBUS` (see [`super::files`]).
fn scan_bytes(path: &Path, file: FileBytes) -> Result<(LazyFrame, Fingerprint)> {
    let fingerprint = file.fingerprint;
    let bytes = polars_buffer::Buffer::from_vec(file.bytes);
    let lf = guarded(path, "Parquet", || {
        super::parquet_check::check_parquet(path, &bytes)?;
        let sources = ScanSources::Buffers(Arc::from([bytes.clone()]));
        let mut args = ScanArgsParquet::default();
        args.hive_options.enabled = Some(false); // one file, no partitions in its path
        args.glob = false;
        LazyFrame::scan_parquet_sources(sources, args)
            .map_err(|e| io_error(path, format!("cannot read Parquet: {e}")))
    })?;
    Ok((lf, fingerprint))
}

fn scan(path: &Path) -> Result<(LazyFrame, Fingerprint)> {
    scan_bytes(path, read_bytes(path)?)
}

/// The scan of a file read back after the load, refused if the file changed since.
fn scan_unchanged(source: &TableSource) -> Result<LazyFrame> {
    Ok(scan_bytes(&source.path, read_unchanged(&source.path, source.fingerprint)?)?.0)
}

fn read_slice(lf: &LazyFrame, path: &Path, offset: usize, len: usize) -> Result<DataFrame> {
    guarded(path, "Parquet", || {
        lf.clone()
            .slice(offset as i64, len as IdxSize)
            .collect()
            .map_err(|e| io_error(path, format!("cannot read Parquet: {e}")))
    })
}

/// Row indices of an error found in a slice, moved to the file's numbering; the count covers
/// the rows read so far.
fn in_file(mut e: MiroirError, offset: usize, read: usize, total: usize) -> MiroirError {
    if let Some((rows, detail)) = e.rows_mut() {
        for r in &mut rows.first {
            *r += offset;
        }
        if read < total {
            detail.push_str(&format!(" (counted in the first {read} of {total} rows)"));
        }
    }
    e
}

fn total_rows(lf: &LazyFrame, path: &Path) -> Result<usize> {
    Ok(read_slice(&lf.clone().select([len().alias("n")]), path, 0, 1)?
        .column("n")?
        .cast(&DataType::UInt64)?
        .u64()?
        .get(0)
        .unwrap_or(0) as usize)
}

/// Where the slices of a table come from.
enum Slices<'a> {
    /// A table in memory: one slice, the whole table (taken when read).
    Frame(Option<DataFrame>),
    /// A Parquet file read in slices of `batch_rows` rows, each checked to hold the rows asked.
    File { lf: &'a LazyFrame, path: &'a Path, batch_rows: usize },
}

impl Slices<'_> {
    /// Rows per slice for a table of `total` rows.
    fn batch_rows(&self, total: usize) -> usize {
        match self {
            Slices::Frame(_) => total.max(1),
            Slices::File { batch_rows, .. } => (*batch_rows).max(1),
        }
    }
    fn read(&mut self, offset: usize, len: usize) -> Result<DataFrame> {
        match self {
            Slices::Frame(df) => Ok(df.take().expect("a table in memory is read once, whole")),
            Slices::File { lf, path, .. } => {
                let raw = read_slice(lf, path, offset, len)?;
                check_decoded(path, &raw, len)?;
                Ok(raw)
            }
        }
    }
}

/// Calls `each(offset, slice, items)` on every slice of a table of `total` rows, validated, and
/// adds up what each slice normalised and dropped. An empty table gets the in-memory checks'
/// message (missing columns, then the empty table). An error found in a slice of a file names
/// its rows in the file.
fn for_each_slice(
    mut slices: Slices<'_>,
    table: Table,
    schema: &Schema,
    total: usize,
    mut normalised: Option<&mut Normalised>,
    mut dropped: Option<&mut Dropped>,
    each: &mut dyn FnMut(usize, DataFrame, Items) -> Result<()>,
) -> Result<()> {
    let batch_rows = slices.batch_rows(total);
    if total == 0 {
        clean_table(slices.read(0, 0)?, table, schema)?;
    }
    let mut offset = 0;
    while offset < total {
        let len = batch_rows.min(total - offset);
        let raw = slices.read(offset, len)?;
        let (clean, items) = clean_table(raw, table, schema).map_err(|e| in_file(e, offset, offset + len, total))?;
        if let Some(n) = normalised.as_deref_mut() {
            add_normalised(n, &clean.normalised);
        }
        if let Some(d) = dropped.as_deref_mut() {
            d.extend(clean.dropped, offset);
        }
        each(offset, clean.df, items)?;
        offset += len;
    }
    Ok(())
}

/// Validates a respondents table in memory, as the one slice of the loader.
pub(crate) fn clean_frame(df: DataFrame, table: Table, schema: &Schema) -> Result<(CleanTable, Items)> {
    let total = df.height();
    let (mut normalised, mut dropped, mut out) = (Vec::new(), Dropped::default(), None);
    for_each_slice(Slices::Frame(Some(df)), table, schema, total, Some(&mut normalised), Some(&mut dropped), &mut |_, df, items| {
        out = Some((df, items));
        Ok(())
    })?;
    let (df, items) = out.expect("a table in memory is one slice");
    Ok((CleanTable { df, normalised, dropped }, items))
}

/// Validates a mentions table slice by slice and codes it, handing each validated slice to
/// `keep`. `None` for an empty table (allowed: no verbatim coded yet), whose columns are still
/// checked.
fn code_mentions(
    mut slices: Slices<'_>,
    total: usize,
    schema: &Schema,
    keep: &mut dyn FnMut(DataFrame),
) -> Result<(Option<MentionCodes>, Normalised)> {
    if total == 0 {
        apply_mapping(&mut slices.read(0, 0)?, Table::Mentions, schema)?;
        return Ok((None, Vec::new()));
    }
    let mut codes = MentionCodes::with_capacity(total);
    let mut normalised = Vec::new();
    for_each_slice(slices, Table::Mentions, schema, total, Some(&mut normalised), None, &mut |_, df, _| {
        codes.push(&df)?;
        keep(df);
        Ok(())
    })?;
    Ok((Some(codes), normalised))
}

/// Validates a mentions table in memory (one slice) and codes it: the codes, the validated
/// table and the values normalised; `None`s for an empty table, whose columns are still checked.
pub(crate) fn mentions_frame(df: DataFrame, schema: &Schema) -> Result<(Option<MentionCodes>, Option<DataFrame>, Normalised)> {
    let total = df.height();
    let mut clean = None;
    let (codes, normalised) = code_mentions(Slices::Frame(Some(df)), total, schema, &mut |df| clean = Some(df))?;
    Ok((codes, clean, normalised))
}

/// Validates a mentions file slice by slice and codes it. `None` for an empty table (allowed:
/// no verbatim coded yet), whose columns are still checked.
pub(crate) fn scan_mentions(
    path: &Path,
    schema: &Schema,
    batch_rows: usize,
) -> Result<(Option<MentionCodes>, TableSource, Normalised)> {
    let (lf, fingerprint) = scan(path)?;
    let total = total_rows(&lf, path)?;
    let source = TableSource { path: path.to_path_buf(), rows: total, fingerprint };
    let slices = Slices::File { lf: &lf, path, batch_rows };
    let (codes, normalised) = code_mentions(slices, total, schema, &mut |_| {})?;
    Ok((codes, source, normalised))
}

/// Validates a respondents file (employees or customers) slice by slice: codes studies and
/// units, checks ids unique within a study, finds the respondents of `mentions` of this side,
/// and hands each validated slice to `keep` (with the table's rows, to reserve room) for what
/// the caller holds of it.
pub(crate) fn scan_respondents(
    path: &Path,
    table: Table,
    schema: &Schema,
    mentions: Option<&MentionCodes>,
    batch_rows: usize,
    keep: &mut KeepSlice<'_>,
) -> Result<ScannedSide> {
    let (lf, fingerprint) = scan(path)?;
    let total = total_rows(&lf, path)?;
    let mut coder = SideCoder::new(table, mentions, total);
    let mut normalised = Vec::new();
    let mut dropped = Dropped::default();
    let slices = Slices::File { lf: &lf, path, batch_rows };
    for_each_slice(slices, table, schema, total, Some(&mut normalised), Some(&mut dropped), &mut |_, df, items| {
        coder.push(&df)?;
        keep(&df, items, total)
    })?;
    let (coded, suspects) = coder.finish();
    let source = TableSource { path: path.to_path_buf(), rows: total, fingerprint };
    if !suspects.is_empty() {
        duplicates(&lf, &source, table, schema, batch_rows, &suspects).map_err(|e| dropped.renumber(e))?;
    }
    Ok(ScannedSide { coded, source, normalised, dropped })
}

/// The second pass over rows whose (study, id) hash repeats: a real repeat is a
/// [`MiroirError::DuplicateId`], as for a table in memory.
fn duplicates(
    lf: &LazyFrame,
    source: &TableSource,
    table: Table,
    schema: &Schema,
    batch_rows: usize,
    suspects: &HashSet<u64>,
) -> Result<()> {
    // rows numbered among those kept (as for a table in memory), renumbered by the caller
    let mut finder = DuplicateFinder::new(table, suspects);
    let slices = Slices::File { lf, path: &source.path, batch_rows };
    for_each_slice(slices, table, schema, source.rows, None, None, &mut |_, df, _| finder.push(&df))?;
    finder.finish()
}

/// A scanned table read back whole and validated (for display or export).
pub(crate) fn read_back(source: &TableSource, table: Table, schema: &Schema) -> Result<DataFrame> {
    let lf = scan_unchanged(source)?;
    let raw = read_slice(&lf, &source.path, 0, source.rows)?;
    check_decoded(&source.path, &raw, source.rows)?;
    Ok(clean_table(raw, table, schema)?.0.df)
}

/// Calls `each(offset, texts)` on the `text` column of a mentions file, slice by slice (nothing
/// if the file has no such column).
pub(crate) fn visit_texts(
    source: &TableSource,
    schema: &Schema,
    batch_rows: usize,
    each: &mut dyn FnMut(usize, &StringChunked) -> Result<()>,
) -> Result<()> {
    let raw = schema.rename(Table::Mentions).find(|(_, target)| *target == "text").map_or("text", |(s, _)| s).to_string();
    let lf = scan_unchanged(source)?;
    let has = guarded(&source.path, "Parquet", || {
        lf.clone().collect_schema().map_err(|e| io_error(&source.path, format!("cannot read Parquet: {e}")))
    })?
    .contains(&raw);
    if !has {
        return Ok(());
    }
    let lf = lf.select([col(raw.as_str()).cast(DataType::String)]);
    let mut offset = 0;
    while offset < source.rows {
        let len = batch_rows.max(1).min(source.rows - offset);
        let df = read_slice(&lf, &source.path, offset, len)?;
        each(offset, df.columns()[0].str()?)?;
        offset += len;
    }
    Ok(())
}
