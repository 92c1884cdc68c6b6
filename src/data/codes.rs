//! Codes of validated tables as they are read, whole or slice by slice from a file: names coded
//! in order of first appearance, the coded mentions, and a respondents table's study and unit
//! codes, with the respondents that mentions name found as the rows go by.
//!
//! Ids are checked unique within a study with a 64-bit hash of (study, id) per respondent: equal
//! hashes are then confirmed on the ids themselves in a second pass ([`DuplicateFinder`]), so a
//! hash collision never produces a false error. Mentions are matched to respondents on the exact
//! (study, id) strings. A table in memory is coded as one slice, a file slice by slice: the same
//! code either way.

use super::columns::FastMap;
use super::schema::Table;
use crate::error::{MiroirError, Result, Rows};
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;

/// The hash of a mention's text that [`MentionIndex::text`](super::index::MentionIndex::text) holds (never 0).
pub fn text_hash(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x7465_7874).hash_one(text).max(1)
}

/// Codes of names in order of first appearance, owning the names (to code a table read in
/// slices); the last code is tried first, as tables are usually sorted.
#[derive(Default)]
pub(crate) struct NameCoder {
    map: FastMap<String, u32>,
    pub(crate) keys: Vec<String>,
    last: u32,
}

impl NameCoder {
    pub(crate) fn code(&mut self, name: &str) -> u32 {
        if self.keys.get(self.last as usize).is_some_and(|k| k == name) {
            return self.last;
        }
        let c = match self.map.get(name) {
            Some(&c) => c,
            None => {
                let c = self.keys.len() as u32;
                self.map.insert(name.to_string(), c);
                self.keys.push(name.to_string());
                c
            }
        };
        self.last = c;
        c
    }
}

/// Mentions coded as they are read (whole, or slice by slice from a file), before the index
/// renumbers studies and themes and resolves the respondents.
#[derive(Default)]
pub(crate) struct MentionCodes {
    pub(crate) studies: NameCoder,
    pub(crate) study: Vec<u32>,
    pub(crate) themes: NameCoder,
    pub(crate) theme: Vec<u32>,
    pub(crate) customer: Vec<bool>,
    pub(crate) positive: Vec<bool>,
    pub(crate) text: Vec<u64>,
    /// The respondent ids, end to end: row i's is `ids[ends[i - 1]..ends[i]]`.
    ids: String,
    ends: Vec<usize>,
}

impl MentionCodes {
    pub(crate) fn with_capacity(rows: usize) -> Self {
        MentionCodes {
            study: Vec::with_capacity(rows),
            theme: Vec::with_capacity(rows),
            customer: Vec::with_capacity(rows),
            positive: Vec::with_capacity(rows),
            text: Vec::with_capacity(rows),
            ends: Vec::with_capacity(rows),
            ..Default::default()
        }
    }

    /// Codes a validated mentions table (or slice) after the rows already coded.
    pub(crate) fn push(&mut self, df: &DataFrame) -> Result<()> {
        let n = df.height();
        let text = df.column("text").ok().map(|c| c.str()).transpose()?;
        self.study.reserve(n);
        self.ends.reserve(n);
        let cols = (df.column("study")?.str()?, df.column("side")?.str()?, df.column("respondent_id")?.str()?);
        for ((st, side), id) in cols.0.iter().zip(cols.1.iter()).zip(cols.2.iter()) {
            self.study.push(self.studies.code(st.unwrap_or_default()));
            self.customer.push(side != Some("employee"));
            self.ids.push_str(id.unwrap_or_default());
            self.ends.push(self.ids.len());
        }
        for t in df.column("theme")?.str()?.iter() {
            self.theme.push(self.themes.code(t.unwrap_or_default()));
        }
        self.positive.extend(df.column("valence")?.str()?.iter().map(|v| v == Some("positive")));
        match text {
            Some(t) => self.text.extend(t.iter().map(|v| v.map_or(0, text_hash))),
            None => self.text.extend(std::iter::repeat_n(0, n)),
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.study.len()
    }

    /// The respondent id of mention row `i`.
    pub(crate) fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.ids[start..self.ends[i]]
    }

    /// The study name of mention row `i`.
    pub(crate) fn study_name(&self, i: usize) -> &str {
        &self.studies.keys[self.study[i] as usize]
    }
}

/// Study and unit codes of one table in order of first appearance, and the keys behind them.
pub(crate) struct SideCodes {
    pub(crate) studies: Vec<String>,
    pub(crate) study: Vec<u32>,
    pub(crate) units: Vec<(String, String)>,
    pub(crate) unit: Vec<u32>,
}

/// The error for ids repeated within a study: `rows` the repeats (sorted), the first of them
/// being (`id`, `study`).
pub(crate) fn duplicate_ids(table: &str, column: &str, rows: Vec<usize>, id: &str, study: &str) -> MiroirError {
    MiroirError::DuplicateId {
        table: table.into(),
        column: column.into(),
        rows: Rows::collect(rows),
        detail: format!("ids must be unique within a study ('{id}' repeats in study '{study}')"),
    }
}

/// The hash state of (study, id) keys: fixed, so that the second pass finds the hashes of the first.
fn key_state() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x6d69_726f_6972)
}

fn key_hash(state: &foldhash::fast::FixedState, study: &str, id: &str) -> u64 {
    state.hash_one((study, id))
}

/// The id column of a respondents table.
pub(crate) fn id_column(table: Table) -> &'static str {
    if table == Table::Employees { "employee_id" } else { "customer_id" }
}

/// What a coded respondents table gives the index: its codes, the (mention row, respondent row)
/// of every mention of this side found in it, and the first sector seen for each study name.
pub(crate) struct CodedSide {
    pub(crate) codes: SideCodes,
    pub(crate) found: Vec<(u32, u32)>,
    pub(crate) sectors: Vec<(String, String)>,
}

/// Codes a respondents table (employees or customers) from its validated slices, in row order:
/// studies and units in order of first appearance, the hash of each (study, id), and the rows of
/// the respondents of this side's mentions. A slice is coded in blocks of [`BLOCK_ROWS`] rows in
/// parallel, whatever the number of threads, and the blocks' codes are then joined in row order
/// (as if the rows had been coded one by one).
pub(crate) struct SideCoder<'m> {
    state: foldhash::fast::FixedState,
    requests: Requests<'m>,
    id_column: &'static str,
    units: UnitCoder,
    hashes: Vec<u64>,
    repeats: RepeatFilter,
    found: Vec<(u32, u32)>,
}

/// Rows per block of a slice coded in parallel: a fixed size, so that nothing depends on the
/// number of threads.
const BLOCK_ROWS: usize = 1 << 15;

/// Study and unit codes of a respondents table (or of a block of its rows) in order of first
/// appearance, and the first sector given for each study.
#[derive(Default)]
struct UnitCoder {
    studies: NameCoder,
    /// units coded per study: (study code, unit name) without building a key per row
    unit_of: Vec<NameCoder>,
    units: Vec<(String, String)>,
    unit_code: Vec<Vec<u32>>,
    study: Vec<u32>,
    unit: Vec<u32>,
    sectors: BTreeMap<String, String>,
    has_sector: Vec<bool>,
}

impl UnitCoder {
    /// Codes the study and unit of each row of a block, after the rows already coded.
    fn push(&mut self, st: &StringChunked, un: &StringChunked, sector: Option<&StringChunked>) {
        self.study.reserve(st.len());
        self.unit.reserve(st.len());
        let mut last: Option<(&str, &str, u32, u32)> = None;
        for (i, (s, u)) in st.iter().zip(un.iter()).enumerate() {
            let (s, u) = (s.unwrap_or_default(), u.unwrap_or_default());
            let (sc, uc) = match last {
                Some((ls, lu, sc, uc)) if ls == s && lu == u => (sc, uc),
                _ => self.code_unit(s, u),
            };
            last = Some((s, u, sc, uc));
            if sector.is_some() && !self.has_sector[sc as usize] {
                if let Some(sec) = sector.and_then(|c| c.get(i)) {
                    self.set_sector(sc, s, sec);
                }
            }
            self.study.push(sc);
            self.unit.push(uc);
        }
    }

    fn set_sector(&mut self, sc: u32, study: &str, sector: &str) {
        self.sectors.insert(study.to_string(), sector.to_string());
        self.has_sector[sc as usize] = true;
    }

    /// The (study, unit) codes of a row that does not repeat the previous row's study and unit.
    fn code_unit(&mut self, s: &str, u: &str) -> (u32, u32) {
        let sc = self.studies.code(s);
        if sc as usize == self.unit_of.len() {
            self.unit_of.push(NameCoder::default());
            self.unit_code.push(Vec::new());
            self.has_sector.push(false);
        }
        let local = self.unit_of[sc as usize].code(u) as usize;
        if local == self.unit_code[sc as usize].len() {
            self.unit_code[sc as usize].push(self.units.len() as u32);
            self.units.push((s.to_string(), u.to_string()));
        }
        (sc, self.unit_code[sc as usize][local])
    }
}

impl<'m> SideCoder<'m> {
    /// A coder for `table`, finding the respondents of `mentions`, with room for `rows` rows.
    pub(crate) fn new(table: Table, mentions: Option<&'m MentionCodes>, rows: usize) -> Self {
        let state = key_state();
        let units = UnitCoder { study: Vec::with_capacity(rows), unit: Vec::with_capacity(rows), ..Default::default() };
        SideCoder {
            requests: Requests::new(mentions, table == Table::Customers, &state),
            state,
            id_column: id_column(table),
            units,
            hashes: Vec::with_capacity(rows),
            repeats: RepeatFilter::new(rows),
            found: Vec::new(),
        }
    }

    /// Codes a validated slice, after the rows already coded.
    pub(crate) fn push(&mut self, df: &DataFrame) -> Result<()> {
        let (st, un, ids) = (df.column("study")?.str()?, df.column("unit")?.str()?, df.column(self.id_column)?.str()?);
        let sector = df.column("sector").ok().map(|c| c.str().cloned()).transpose()?;
        let start = self.hashes.len();
        self.hashes.resize(start + df.height(), 0);
        let (state, requests, units) = (&self.state, &self.requests, &mut self.units);
        let hashes = &mut self.hashes[start..];
        // the units in row order, while the hashes and the mentioned respondents are found in
        // blocks
        let ((), found) = rayon::join(
            || units.push(st, un, sector.as_ref()),
            || {
                hashes
                    .par_chunks_mut(BLOCK_ROWS)
                    .enumerate()
                    .map(|(b, hashes)| {
                        let (offset, len) = ((b * BLOCK_ROWS) as i64, hashes.len());
                        let (st, ids) = (st.slice(offset, len), ids.slice(offset, len));
                        hash_block(state, requests, &st, &ids, hashes, start + b * BLOCK_ROWS)
                    })
                    .collect::<Vec<_>>()
            },
        );
        self.found.extend(found.into_iter().flatten());
        self.repeats.push(&self.hashes[start..]);
        Ok(())
    }

    /// The codes, and the (study, id) hashes that repeat: the candidates for a
    /// [`DuplicateFinder`] (none, most of the time).
    pub(crate) fn finish(self) -> (CodedSide, HashSet<u64>) {
        let suspects = self.repeats.finish(&self.hashes);
        drop(self.hashes);
        let u = self.units;
        let codes = SideCodes { studies: u.studies.keys, study: u.study, units: u.units, unit: u.unit };
        (CodedSide { codes, found: self.found, sectors: u.sectors.into_iter().collect() }, suspects)
    }
}

/// The hashes that repeat among those of a table, without sorting them: a bit per hash value
/// range (8 to 16 per row) marks the values seen; a hash whose bit is already set may repeat
/// an earlier one, and those (a few per cent of the rows) are counted exactly at the end.
struct RepeatFilter {
    seen: Vec<u64>,
    bits: u32,
    /// The hashes that found their bit set, in row order.
    maybe: Vec<u64>,
}

impl RepeatFilter {
    /// A filter for about `rows` hashes (more only make it slower).
    fn new(rows: usize) -> Self {
        let bits = (usize::BITS - rows.leading_zeros() + 3).clamp(12, 40);
        RepeatFilter { seen: vec![0; 1 << (bits - 6)], bits, maybe: Vec::new() }
    }

    /// Marks the hashes of the next rows as seen, noting those whose bit was already set.
    fn push(&mut self, hashes: &[u64]) {
        for &h in hashes {
            let v = h >> (64 - self.bits);
            let (word, bit) = ((v >> 6) as usize, 1u64 << (v & 63));
            if self.seen[word] & bit != 0 {
                self.maybe.push(h);
            }
            self.seen[word] |= bit;
        }
    }

    /// The hashes that occur more than once in `hashes` (all the hashes pushed): each of them
    /// found its bit set on its second occurrence, so is among the `maybe`, whose occurrences
    /// are counted.
    fn finish(self, hashes: &[u64]) -> HashSet<u64> {
        drop(self.seen);
        if self.maybe.is_empty() {
            return HashSet::new();
        }
        let mut count: FastMap<u64, u32> = self.maybe.iter().map(|&h| (h, 0)).collect();
        // a second filter on other bits of the hash keeps most rows away from the map
        let bits = (usize::BITS - count.len().leading_zeros() + 6).clamp(12, 40);
        let mask = (1u64 << bits) - 1;
        let mut candidate = vec![0u64; 1 << (bits - 6)];
        for &h in count.keys() {
            candidate[((h & mask) >> 6) as usize] |= 1 << (h & 63);
        }
        for &h in hashes {
            if candidate[((h & mask) >> 6) as usize] & (1 << (h & 63)) != 0 {
                if let Some(c) = count.get_mut(&h) {
                    *c += 1;
                }
            }
        }
        count.into_iter().filter(|&(_, c)| c > 1).map(|(h, _)| h).collect()
    }
}

/// The (study, id) hashes of a block of rows (into `out`), and the (mention row, row) of the
/// mentioned respondents among them, `first` being the block's first row (rows numbered among
/// those kept: customers without satisfaction left out).
fn hash_block(
    state: &foldhash::fast::FixedState,
    requests: &Requests<'_>,
    st: &StringChunked,
    ids: &StringChunked,
    out: &mut [u64],
    first: usize,
) -> Vec<(u32, u32)> {
    for (h, (s, id)) in out.iter_mut().zip(st.iter().zip(ids.iter())) {
        *h = key_hash(state, s.unwrap_or_default(), id.unwrap_or_default());
    }
    let mut found = Vec::new();
    if requests.by_hash.is_empty() {
        return found;
    }
    // Probe the filter with the words a few rows ahead already requested from memory (random
    // probes otherwise wait on memory one at a time).
    for (i, (&h, (s, id))) in out.iter().zip(st.iter().zip(ids.iter())).enumerate() {
        if let Some(&ahead) = out.get(i + 16) {
            prefetch(&requests.filter[requests.slot(ahead).0]);
        }
        // then, for a respondent that may be mentioned, where its bucket starts, and the bucket
        if let Some(&ahead) = out.get(i + 8).filter(|&&h| requests.may_find(h)) {
            prefetch(&requests.start[requests.bucket(ahead)]);
        }
        if let Some(&ahead) = out.get(i + 4).filter(|&&h| requests.may_find(h)) {
            if let Some(entry) = requests.by_hash.get(requests.start[requests.bucket(ahead)] as usize) {
                prefetch(entry);
            }
        }
        requests.find(h, s.unwrap_or_default(), id.unwrap_or_default(), (first + i) as u32, &mut found);
    }
    found
}

/// The second pass over the rows whose (study, id) hash repeats: a real repeat is a
/// [`MiroirError::DuplicateId`]. Rows are numbered among those kept (customers without a
/// satisfaction left out); the caller renumbers them as in the table given.
pub(crate) struct DuplicateFinder<'s> {
    state: foldhash::fast::FixedState,
    suspects: &'s HashSet<u64>,
    table: Table,
    seen: HashSet<(String, String)>,
    rows: Vec<usize>,
    first: Option<(String, String)>,
    kept: usize,
}

impl<'s> DuplicateFinder<'s> {
    pub(crate) fn new(table: Table, suspects: &'s HashSet<u64>) -> Self {
        DuplicateFinder { state: key_state(), suspects, table, seen: HashSet::new(), rows: Vec::new(), first: None, kept: 0 }
    }

    /// Looks for repeats in a validated slice, after the rows already seen.
    pub(crate) fn push(&mut self, df: &DataFrame) -> Result<()> {
        let (st, ids) = (df.column("study")?.str()?, df.column(id_column(self.table))?.str()?);
        for (i, (s, id)) in st.iter().zip(ids.iter()).enumerate() {
            let (s, id) = (s.unwrap_or_default(), id.unwrap_or_default());
            if self.suspects.contains(&key_hash(&self.state, s, id)) && !self.seen.insert((s.to_string(), id.to_string())) {
                self.rows.push(self.kept + i);
                self.first.get_or_insert_with(|| (id.to_string(), s.to_string()));
            }
        }
        self.kept += df.height();
        Ok(())
    }

    /// The error naming the repeated rows, if any.
    pub(crate) fn finish(self) -> Result<()> {
        match self.first {
            None => Ok(()),
            Some((id, st)) => Err(duplicate_ids(self.table.as_str(), id_column(self.table), self.rows, &id, &st)),
        }
    }
}

/// Codes a validated respondents table in memory (one slice) and confirms its ids unique.
pub(crate) fn code_table(df: &DataFrame, table: Table, mentions: Option<&MentionCodes>) -> Result<CodedSide> {
    let (coded, suspects) = code_frame(df, table, mentions)?;
    confirm_unique(df, table, &suspects)?;
    Ok(coded)
}

/// Codes a validated respondents table in memory as one slice; the hashes to confirm with
/// [`confirm_unique`].
pub(crate) fn code_frame(df: &DataFrame, table: Table, mentions: Option<&MentionCodes>) -> Result<(CodedSide, HashSet<u64>)> {
    let mut coder = SideCoder::new(table, mentions, df.height());
    coder.push(df)?;
    Ok(coder.finish())
}

/// Refuses ids repeated within a study in a validated table in memory, among the rows whose
/// hash repeats.
pub(crate) fn confirm_unique(df: &DataFrame, table: Table, suspects: &HashSet<u64>) -> Result<()> {
    if suspects.is_empty() {
        return Ok(());
    }
    let mut finder = DuplicateFinder::new(table, suspects);
    finder.push(df)?;
    finder.finish()
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

/// The mentions of one side, to find among the respondents: keyed by the hash of (study, id),
/// with a bit filter in front (64 to 128 bits per mention, at most 8 MiB; most respondents are
/// mentioned by nothing).
struct Requests<'m> {
    mentions: Option<&'m MentionCodes>,
    /// (key hash, mention row), grouped by the first bits of the hash (`bucket_bits`), in the
    /// mentions' order within a group.
    by_hash: Vec<(u64, u32)>,
    /// `by_hash[start[b]..start[b + 1]]` are the entries whose hash begins with the bits `b`
    /// (a lookup costs two memory reads, where a binary search would cost twenty).
    start: Vec<u32>,
    bucket_bits: u32,
    filter: Vec<u64>,
    filter_bits: u32,
}

impl<'m> Requests<'m> {
    fn new(mentions: Option<&'m MentionCodes>, customer: bool, state: &foldhash::fast::FixedState) -> Self {
        let keyed: Vec<(u64, u32)> = match mentions {
            None => Vec::new(),
            Some(m) => (0..m.len())
                .into_par_iter()
                .filter(|&i| m.customer[i] == customer)
                .map(|i| (key_hash(state, m.study_name(i), m.id(i)), i as u32))
                .collect(),
        };
        // one to two buckets per entry
        let bucket_bits = (usize::BITS - keyed.len().leading_zeros()).clamp(1, 30);
        let bucket = |h: u64| (h >> (64 - bucket_bits)) as usize;
        let mut start = vec![0u32; (1 << bucket_bits) + 1];
        for &(h, _) in &keyed {
            start[bucket(h) + 1] += 1;
        }
        for b in 1..start.len() {
            start[b] += start[b - 1];
        }
        let mut next = start.clone();
        let mut by_hash = vec![(0u64, 0u32); keyed.len()];
        for &(h, i) in &keyed {
            let b = bucket(h);
            by_hash[next[b] as usize] = (h, i);
            next[b] += 1;
        }
        let filter_bits = (usize::BITS - keyed.len().leading_zeros() + 6).clamp(12, 26);
        let mut requests = Requests { mentions, by_hash, start, bucket_bits, filter: Vec::new(), filter_bits };
        if !keyed.is_empty() {
            requests.filter = vec![0u64; 1 << (filter_bits - 6)];
            for &(h, _) in &keyed {
                let (w, b) = requests.slot(h);
                requests.filter[w] |= 1 << b;
            }
        }
        requests
    }

    /// The word and bit of hash `h` in the filter.
    fn slot(&self, h: u64) -> (usize, u64) {
        ((h >> (64 - self.filter_bits)) as usize >> 6, h & 63)
    }

    /// Whether the filter lets hash `h` through (a mention may have it).
    fn may_find(&self, h: u64) -> bool {
        let (w, b) = self.slot(h);
        self.filter[w] & (1 << b) != 0
    }

    /// The bucket of hash `h` in `start`.
    fn bucket(&self, h: u64) -> usize {
        (h >> (64 - self.bucket_bits)) as usize
    }

    /// The mentions of the respondent in `row` (hash `h`, ids confirmed on the strings).
    fn find(&self, h: u64, study: &str, id: &str, row: u32, found: &mut Vec<(u32, u32)>) {
        if !self.may_find(h) {
            return;
        }
        let Some(m) = self.mentions else { return };
        let b = self.bucket(h);
        let bucket = &self.by_hash[self.start[b] as usize..self.start[b + 1] as usize];
        for &(_, i) in bucket.iter().filter(|&&(k, _)| k == h) {
            if m.study_name(i as usize) == study && m.id(i as usize) == id {
                found.push((i, row));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repeat_filter_finds_exactly_the_hashes_that_repeat() {
        // a filter far too small for its rows: most bits collide, only true repeats are kept
        let hashes: Vec<u64> = (0..5000u64).map(|i| (i % 3000).wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
        let mut filter = RepeatFilter::new(10);
        filter.push(&hashes[..1234]);
        filter.push(&hashes[1234..]);
        let expected: HashSet<u64> = (0..2000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
        assert_eq!(filter.finish(&hashes), expected);
        assert!(RepeatFilter::new(0).finish(&[]).is_empty());
    }

    #[test]
    fn blocks_of_a_slice_are_coded_as_its_rows_in_order() {
        // more rows than a block: mentions found, repeats and first sectors across blocks
        let n = BLOCK_ROWS * 2 + 17;
        let study: Vec<String> = (0..n).map(|i| format!("s{}", (i / 1000) % 3)).collect();
        let unit: Vec<String> = (0..n).map(|i| format!("u{}", i % 7)).collect();
        let mut id: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        id[n - 1] = id[5].clone();
        let study_5 = study[5].clone();
        let mut study_last = study.clone();
        study_last[n - 1] = study_5;
        let sector: Vec<Option<String>> = (0..n).map(|i| (i > BLOCK_ROWS + 3).then(|| format!("x{i}"))).collect();
        let df = df!("study" => &study_last, "unit" => &unit, "customer_id" => &id, "sector" => &sector).unwrap();
        let mentioned = [3usize, BLOCK_ROWS + 1, n - 2];
        let mut codes = MentionCodes::default();
        let m = df!(
            "study" => mentioned.iter().map(|&r| study_last[r].clone()).collect::<Vec<_>>(),
            "side" => ["customer"; 3],
            "respondent_id" => mentioned.iter().map(|&r| id[r].clone()).collect::<Vec<_>>(),
            "theme" => ["t"; 3],
            "valence" => ["positive"; 3]
        )
        .unwrap();
        codes.push(&m).unwrap();
        let (coded, suspects) = code_frame(&df, Table::Customers, Some(&codes)).unwrap();
        assert_eq!(coded.found, vec![(0, 3), (1, BLOCK_ROWS as u32 + 1), (2, n as u32 - 2)]);
        assert_eq!(suspects.len(), 1);
        assert_eq!(coded.codes.studies, ["s0", "s1", "s2"]);
        assert_eq!(coded.codes.units.len(), 21);
        let first = |s: &str| (0..n).find(|&i| study_last[i] == s && sector[i].is_some()).map(|i| sector[i].clone().unwrap());
        let expected: Vec<(String, String)> =
            ["s0", "s1", "s2"].iter().filter_map(|s| first(s).map(|x| (s.to_string(), x))).collect();
        assert_eq!(coded.sectors, expected);
        let err = confirm_unique(&df, Table::Customers, &suspects).unwrap_err().to_string();
        assert!(err.contains("'c5' repeats in study 's0'"), "{err}");
    }
}
