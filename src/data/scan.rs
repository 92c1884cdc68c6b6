//! Streaming validation of a customers Parquet file: the file is read in slices of
//! [`BATCH_ROWS`] rows, each slice is validated like an in-memory table, and only what the
//! analyses need is kept (study and unit codes, satisfaction, the rows of the customers that
//! mentions refer to). Peak memory is one slice plus 24 bytes per customer, whatever the file's
//! other columns, so a study larger than memory can be reported on.
//!
//! Ids are checked unique within a study with a 64-bit hash of (study, id) per customer: equal
//! hashes are then confirmed on the ids themselves in a second pass, so a hash collision never
//! produces a false error. Mentions are matched to customers on the exact (study, id) strings.

use super::columns::{fast_map, FastMap};
use super::index::{duplicate_ids, SideCodes};
use super::schema::{Schema, Table};
use super::validate::clean_table;
use crate::error::{MiroirError, Result};
use polars::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

/// Rows per slice of the streaming scan, by default.
pub const BATCH_ROWS: usize = 1 << 20;

/// Where a scanned study's customers live (to read them back on request).
#[derive(Debug, Clone)]
pub struct CustomerSource {
    pub path: PathBuf,
    pub rows: usize,
}

/// What the scan keeps of the customers.
pub(crate) struct ScannedCustomers {
    pub codes: SideCodes<'static>,
    pub satisfaction: Vec<f64>,
    pub found: Vec<(u32, u32)>,
    pub sectors: Vec<(String, String)>,
    pub source: CustomerSource,
}

fn scan(path: &Path) -> Result<LazyFrame> {
    let io = |detail: String| MiroirError::Io { path: path.display().to_string(), detail };
    let p = PlRefPath::try_from_path(path).map_err(|e| io(e.to_string()))?;
    LazyFrame::scan_parquet(p, ScanArgsParquet::default()).map_err(|e| io(format!("cannot read Parquet: {e}")))
}

fn read_slice(lf: &LazyFrame, path: &Path, offset: usize, len: usize) -> Result<DataFrame> {
    lf.clone()
        .slice(offset as i64, len as IdxSize)
        .collect()
        .map_err(|e| MiroirError::Io { path: path.display().to_string(), detail: format!("cannot read Parquet: {e}") })
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

/// Validates the customers file slice by slice. `requests` are the customer mentions:
/// (study, respondent id, mention row).
pub(crate) fn scan_customers(
    path: &Path,
    schema: &Schema,
    requests: &[(&str, &str, u32)],
    batch_rows: usize,
) -> Result<ScannedCustomers> {
    let batch_rows = batch_rows.max(1);
    let lf = scan(path)?;
    let total = read_slice(&lf.clone().select([len().alias("n")]), path, 0, 1)?
        .column("n")?
        .cast(&DataType::UInt64)?
        .u64()?
        .get(0)
        .unwrap_or(0) as usize;
    if total == 0 {
        // the in-memory checks give the message (missing columns first, then the empty table)
        clean_table(read_slice(&lf, path, 0, 0)?, Table::Customers, schema)?;
    }
    let state = foldhash::fast::FixedState::with_seed(0x6d69_726f_6972);
    let mut wanted: FastMap<u64, Vec<usize>> = fast_map(requests.len());
    // a bit filter (8 MiB) in front of the map: most customers mention nothing, and the filter's
    // words are prefetched ahead of the probes below
    const FILTER_BITS: u32 = 26;
    let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)];
    let slot = |h: u64| ((h >> (64 - FILTER_BITS)) as usize >> 6, h & 63);
    for (k, (s, id, _)) in requests.iter().enumerate() {
        let h = key_hash(&state, s, id);
        wanted.entry(h).or_default().push(k);
        let (w, b) = slot(h);
        filter[w] |= 1 << b;
    }
    let mut study_code: FastMap<String, u32> = Default::default();
    let mut unit_code: FastMap<(String, String), u32> = Default::default();
    let (mut studies, mut units) = (Vec::new(), Vec::new());
    let (mut study, mut unit) = (Vec::with_capacity(total), Vec::with_capacity(total));
    let mut satisfaction = Vec::with_capacity(total);
    let mut hashes: Vec<u64> = Vec::with_capacity(total);
    let mut found = Vec::new();
    let mut sectors: BTreeMap<String, String> = BTreeMap::new();
    let mut has_sector: Vec<bool> = Vec::new();
    let mut offset = 0;
    while offset < total {
        let len = batch_rows.min(total - offset);
        let raw = read_slice(&lf, path, offset, len)?;
        let (clean, _) = clean_table(raw, Table::Customers, schema).map_err(|e| in_file(e, offset, offset + len, total))?;
        let df = clean.df;
        let (st, un, ids) = (df.column("study")?.str()?, df.column("unit")?.str()?, df.column("customer_id")?.str()?);
        let sat = df.column("satisfaction")?.cast(&DataType::Float64)?;
        let sector = df.column("sector").ok().map(|c| c.str().cloned()).transpose()?;
        let mut last: Option<(&str, &str, u32, u32)> = None;
        let mut batch_ids: Vec<(&str, &str)> = Vec::with_capacity(len);
        for (i, ((s, u), id)) in st.iter().zip(un.iter()).zip(ids.iter()).enumerate() {
            let (s, u, id) = (s.unwrap_or_default(), u.unwrap_or_default(), id.unwrap_or_default());
            let (sc, uc) = match last {
                Some((ls, lu, sc, uc)) if ls == s && lu == u => (sc, uc),
                _ => {
                    let sc = *study_code.entry(s.to_string()).or_insert_with(|| {
                        studies.push(Cow::Owned(s.to_string()));
                        studies.len() as u32 - 1
                    });
                    let uc = *unit_code.entry((s.to_string(), u.to_string())).or_insert_with(|| {
                        units.push((Cow::Owned(s.to_string()), Cow::Owned(u.to_string())));
                        units.len() as u32 - 1
                    });
                    (sc, uc)
                }
            };
            last = Some((s, u, sc, uc));
            study.push(sc);
            unit.push(uc);
            hashes.push(key_hash(&state, s, id));
            batch_ids.push((s, id));
            if sector.is_some() && !has_sector.get(sc as usize).copied().unwrap_or(false) {
                if let Some(sec) = sector.as_ref().and_then(|c| c.get(i)) {
                    sectors.insert(s.to_string(), sec.to_string());
                    has_sector.resize(studies.len(), false);
                    has_sector[sc as usize] = true;
                }
            }
        }
        // The mentioned customers of this slice: probe the filter with the words a few rows ahead
        // already requested from memory (random probes otherwise wait on memory one at a time).
        let batch_hashes = &hashes[offset..];
        for (i, &h) in batch_hashes.iter().enumerate() {
            if let Some(&ahead) = batch_hashes.get(i + 16) {
                prefetch(&filter[slot(ahead).0]);
            }
            let (w, b) = slot(h);
            if filter[w] & (1 << b) == 0 {
                continue;
            }
            if let Some(ks) = wanted.get(&h) {
                let (s, id) = batch_ids[i];
                for &k in ks {
                    let (rs, rid, m) = requests[k];
                    if rs == s && rid == id {
                        found.push((m, (offset + i) as u32));
                    }
                }
            }
        }
        batch_ids.clear();
        satisfaction.extend(sat.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)));
        offset += len;
    }
    // A (study, id) repeated: equal hashes, confirmed on the strings in a second pass.
    let mut sorted = hashes;
    sorted.sort_unstable();
    let suspects: HashSet<u64> = sorted.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(sorted);
    if !suspects.is_empty() {
        duplicates(&lf, path, schema, total, batch_rows, &state, &suspects)?;
    }
    Ok(ScannedCustomers {
        codes: SideCodes { studies, study, units, unit },
        satisfaction,
        found,
        sectors: sectors.into_iter().collect(),
        source: CustomerSource { path: path.to_path_buf(), rows: total },
    })
}

/// The second pass over rows whose (study, id) hash repeats: a real repeat is a
/// [`MiroirError::DuplicateId`], as for a table in memory.
fn duplicates(
    lf: &LazyFrame,
    path: &Path,
    schema: &Schema,
    total: usize,
    batch_rows: usize,
    state: &foldhash::fast::FixedState,
    suspects: &HashSet<u64>,
) -> Result<()> {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut rows = Vec::new();
    let mut first: Option<(String, String)> = None;
    let mut offset = 0;
    while offset < total {
        let len = batch_rows.min(total - offset);
        let (clean, _) = clean_table(read_slice(lf, path, offset, len)?, Table::Customers, schema)?;
        let (st, ids) = (clean.df.column("study")?.str()?, clean.df.column("customer_id")?.str()?);
        for (i, (s, id)) in st.iter().zip(ids.iter()).enumerate() {
            let (s, id) = (s.unwrap_or_default(), id.unwrap_or_default());
            if suspects.contains(&key_hash(state, s, id)) && !seen.insert((s.to_string(), id.to_string())) {
                rows.push(offset + i);
                first.get_or_insert_with(|| (id.to_string(), s.to_string()));
            }
        }
        offset += len;
    }
    match first {
        None => Ok(()),
        Some((id, st)) => Err(duplicate_ids("customers", "customer_id", rows, &id, &st)),
    }
}

/// The customers table of a scanned study, read back and validated (for display or export).
pub(crate) fn read_customers(source: &CustomerSource, schema: &Schema) -> Result<DataFrame> {
    let lf = scan(&source.path)?;
    let raw = read_slice(&lf, &source.path, 0, source.rows)?;
    Ok(clean_table(raw, Table::Customers, schema)?.0.df)
}
