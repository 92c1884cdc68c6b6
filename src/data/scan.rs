//! Streaming validation of Parquet files: a file is read in slices of [`BATCH_ROWS`] rows, each
//! slice is validated like an in-memory table, and only what the analyses need is kept (study
//! and unit codes, the rows of the respondents that mentions refer to, and what the caller keeps
//! of each slice: satisfaction for the customers, the columns besides the keys for the
//! employees, codes for the mentions). Peak memory is one slice plus what is kept, whatever the
//! file's other columns, so a study larger than memory can be reported on.
//!
//! Ids are checked unique within a study with a 64-bit hash of (study, id) per respondent: equal
//! hashes are then confirmed on the ids themselves in a second pass, so a hash collision never
//! produces a false error. Mentions are matched to respondents on the exact (study, id) strings.

use super::files::{guarded, io_error, read_bytes, read_unchanged, FileBytes, Fingerprint};
use super::load::check_decoded;
use super::index::{duplicate_ids, MentionCodes, NameCoder, SideCodes};
use super::schema::{Schema, Table};
use super::validate::{apply_mapping, clean_table, Dropped};
use crate::error::{MiroirError, Result};
use polars::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

/// Rows per slice of the streaming scan, by default.
pub const BATCH_ROWS: usize = 1 << 19;

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

/// What the scan of a respondents table keeps besides what its caller takes of each slice.
pub(crate) struct ScannedSide {
    pub codes: SideCodes<'static>,
    /// (mention row, respondent row) of the mentions of this side.
    pub found: Vec<(u32, u32)>,
    /// First sector seen for each study name.
    pub sectors: Vec<(String, String)>,
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

#[inline]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and cannot fault.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((p as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

fn key_hash(state: &foldhash::fast::FixedState, study: &str, id: &str) -> u64 {
    state.hash_one((study, id))
}

fn total_rows(lf: &LazyFrame, path: &Path) -> Result<usize> {
    Ok(read_slice(&lf.clone().select([len().alias("n")]), path, 0, 1)?
        .column("n")?
        .cast(&DataType::UInt64)?
        .u64()?
        .get(0)
        .unwrap_or(0) as usize)
}

/// Calls `each(offset, slice)` on every slice of a table file of `total` rows, validated. An
/// empty file gets the in-memory checks' message (missing columns, then the empty
/// table).
#[allow(clippy::too_many_arguments)]
fn for_each_slice(
    lf: &LazyFrame,
    path: &Path,
    table: Table,
    schema: &Schema,
    batch_rows: usize,
    total: usize,
    mut normalised: Option<&mut Normalised>,
    mut dropped: Option<&mut Dropped>,
    each: &mut dyn FnMut(usize, DataFrame, Items) -> Result<()>,
) -> Result<()> {
    let batch_rows = batch_rows.max(1);
    if total == 0 {
        clean_table(read_slice(lf, path, 0, 0)?, table, schema)?;
    }
    let mut offset = 0;
    while offset < total {
        let len = batch_rows.min(total - offset);
        let raw = read_slice(lf, path, offset, len)?;
        check_decoded(path, &raw, len)?;
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
    if total == 0 {
        apply_mapping(&mut read_slice(&lf, path, 0, 0)?, Table::Mentions, schema)?;
        return Ok((None, source, Vec::new()));
    }
    let mut codes = MentionCodes::with_capacity(total);
    let mut normalised = Vec::new();
    for_each_slice(&lf, path, Table::Mentions, schema, batch_rows, total, Some(&mut normalised), None, &mut |_, df, _| {
        codes.push(&df)
    })?;
    Ok((Some(codes), source, normalised))
}

/// The mentions of one side, to find among the respondents: keyed by the hash of (study, id),
/// with a bit filter in front (8 MiB; most respondents are mentioned by nothing).
struct Requests<'m> {
    mentions: Option<&'m MentionCodes>,
    /// (key hash, mention row), sorted.
    by_hash: Vec<(u64, u32)>,
    /// `by_hash[start[b]..start[b + 1]]` are the entries whose hash begins with the bits `b`
    /// (a lookup costs two memory reads, where a binary search would cost twenty).
    start: Vec<u32>,
    bucket_bits: u32,
    filter: Vec<u64>,
}

const FILTER_BITS: u32 = 26;

fn slot(h: u64) -> (usize, u64) {
    ((h >> (64 - FILTER_BITS)) as usize >> 6, h & 63)
}

impl<'m> Requests<'m> {
    fn new(mentions: Option<&'m MentionCodes>, customer: bool, state: &foldhash::fast::FixedState) -> Self {
        let mut by_hash: Vec<(u64, u32)> = match mentions {
            None => Vec::new(),
            Some(m) => (0..m.len())
                .filter(|&i| m.customer[i] == customer)
                .map(|i| (key_hash(state, m.study_name(i), m.id(i)), i as u32))
                .collect(),
        };
        by_hash.sort_unstable();
        let mut filter = vec![0u64; if by_hash.is_empty() { 0 } else { 1 << (FILTER_BITS - 6) }];
        for &(h, _) in &by_hash {
            let (w, b) = slot(h);
            filter[w] |= 1 << b;
        }
        // one to two buckets per entry
        let bucket_bits = (usize::BITS - by_hash.len().leading_zeros()).clamp(1, 30);
        let mut start = vec![0u32; (1 << bucket_bits) + 1];
        for &(h, _) in &by_hash {
            start[(h >> (64 - bucket_bits)) as usize + 1] += 1;
        }
        for b in 1..start.len() {
            start[b] += start[b - 1];
        }
        Requests { mentions, by_hash, start, bucket_bits, filter }
    }

    /// The mentions of the respondent in `row` (hash `h`, ids confirmed on the strings).
    fn find(&self, h: u64, study: &str, id: &str, row: u32, found: &mut Vec<(u32, u32)>) {
        let (w, b) = slot(h);
        if self.filter[w] & (1 << b) == 0 {
            return;
        }
        let Some(m) = self.mentions else { return };
        let b = (h >> (64 - self.bucket_bits)) as usize;
        let bucket = &self.by_hash[self.start[b] as usize..self.start[b + 1] as usize];
        for &(_, i) in bucket.iter().filter(|&&(k, _)| k == h) {
            if m.study_name(i as usize) == study && m.id(i as usize) == id {
                found.push((i, row));
            }
        }
    }
}

fn id_column(table: Table) -> &'static str {
    if table == Table::Employees { "employee_id" } else { "customer_id" }
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
    let state = foldhash::fast::FixedState::with_seed(0x6d69_726f_6972);
    let requests = Requests::new(mentions, table == Table::Customers, &state);
    let id_column = id_column(table);
    let mut studies = NameCoder::default();
    // units coded per study: (study code, unit name) without building a key per row
    let mut unit_of: Vec<NameCoder> = Vec::new();
    let mut units: Vec<(Cow<'static, str>, Cow<'static, str>)> = Vec::new();
    let mut unit_code: Vec<Vec<u32>> = Vec::new();
    let total = total_rows(&lf, path)?;
    let (mut study, mut unit) = (Vec::with_capacity(total), Vec::with_capacity(total));
    let mut hashes: Vec<u64> = Vec::with_capacity(total);
    let mut found = Vec::new();
    let mut sectors: BTreeMap<String, String> = BTreeMap::new();
    let mut has_sector: Vec<bool> = Vec::new();
    let mut each = |_offset: usize, df: DataFrame, items: Items| -> Result<()> {
        let (st, un, ids) = (df.column("study")?.str()?, df.column("unit")?.str()?, df.column(id_column)?.str()?);
        let sector = df.column("sector").ok().map(|c| c.str().cloned()).transpose()?;
        let start = hashes.len();
        let mut last: Option<(&str, &str, u32, u32)> = None;
        for (i, ((s, u), id)) in st.iter().zip(un.iter()).zip(ids.iter()).enumerate() {
            let (s, u, id) = (s.unwrap_or_default(), u.unwrap_or_default(), id.unwrap_or_default());
            let (sc, uc) = match last {
                Some((ls, lu, sc, uc)) if ls == s && lu == u => (sc, uc),
                _ => {
                    let sc = studies.code(s);
                    if sc as usize == unit_of.len() {
                        unit_of.push(NameCoder::default());
                        unit_code.push(Vec::new());
                        has_sector.push(false);
                    }
                    let local = unit_of[sc as usize].code(u) as usize;
                    if local == unit_code[sc as usize].len() {
                        unit_code[sc as usize].push(units.len() as u32);
                        units.push((Cow::Owned(s.to_string()), Cow::Owned(u.to_string())));
                    }
                    (sc, unit_code[sc as usize][local])
                }
            };
            last = Some((s, u, sc, uc));
            if sector.is_some() && !has_sector[sc as usize] {
                if let Some(sec) = sector.as_ref().and_then(|c| c.get(i)) {
                    sectors.insert(s.to_string(), sec.to_string());
                    has_sector[sc as usize] = true;
                }
            }
            study.push(sc);
            unit.push(uc);
            hashes.push(key_hash(&state, s, id));
        }
        // The mentioned respondents of this slice: probe the filter with the words a few rows
        // ahead already requested from memory (random probes otherwise wait on memory one at a time).
        if !requests.by_hash.is_empty() {
            let batch = &hashes[start..];
            for (i, (&h, (s, id))) in batch.iter().zip(st.iter().zip(ids.iter())).enumerate() {
                if let Some(&ahead) = batch.get(i + 16) {
                    prefetch(&requests.filter[slot(ahead).0]);
                }
                // rows numbered among those kept (customers without satisfaction left out)
                requests.find(h, s.unwrap_or_default(), id.unwrap_or_default(), (start + i) as u32, &mut found);
            }
        }
        keep(&df, items, total)
    };
    let mut normalised = Vec::new();
    let mut dropped = Dropped::default();
    for_each_slice(&lf, path, table, schema, batch_rows, total, Some(&mut normalised), Some(&mut dropped), &mut each)?;
    // A (study, id) repeated: equal hashes, confirmed on the strings in a second pass.
    let mut sorted = hashes;
    sorted.sort_unstable();
    let suspects: HashSet<u64> = sorted.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(sorted);
    let source = TableSource { path: path.to_path_buf(), rows: total, fingerprint };
    if !suspects.is_empty() {
        duplicates(&lf, &source, table, schema, batch_rows, &state, &suspects).map_err(|e| dropped.renumber(e))?;
    }
    Ok(ScannedSide {
        codes: SideCodes { studies: studies.keys.into_iter().map(Cow::Owned).collect(), study, units, unit },
        found,
        sectors: sectors.into_iter().collect(),
        source,
        normalised,
        dropped,
    })
}

/// The second pass over rows whose (study, id) hash repeats: a real repeat is a
/// [`MiroirError::DuplicateId`], as for a table in memory.
fn duplicates(
    lf: &LazyFrame,
    source: &TableSource,
    table: Table,
    schema: &Schema,
    batch_rows: usize,
    state: &foldhash::fast::FixedState,
    suspects: &HashSet<u64>,
) -> Result<()> {
    let id_column = id_column(table);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut rows = Vec::new();
    let mut first: Option<(String, String)> = None;
    // rows numbered among those kept (as the in-memory index does), renumbered by the caller
    let mut kept = 0;
    for_each_slice(lf, &source.path, table, schema, batch_rows, source.rows, None, None, &mut |_, df, _| {
        let (st, ids) = (df.column("study")?.str()?, df.column(id_column)?.str()?);
        for (i, (s, id)) in st.iter().zip(ids.iter()).enumerate() {
            let (s, id) = (s.unwrap_or_default(), id.unwrap_or_default());
            if suspects.contains(&key_hash(state, s, id)) && !seen.insert((s.to_string(), id.to_string())) {
                rows.push(kept + i);
                first.get_or_insert_with(|| (id.to_string(), s.to_string()));
            }
        }
        kept += df.height();
        Ok(())
    })?;
    match first {
        None => Ok(()),
        Some((id, st)) => Err(duplicate_ids(table.as_str(), id_column, rows, &id, &st)),
    }
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
