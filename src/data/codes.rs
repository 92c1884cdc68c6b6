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
/// the respondents of this side's mentions.
pub(crate) struct SideCoder<'m> {
    state: foldhash::fast::FixedState,
    requests: Requests<'m>,
    id_column: &'static str,
    studies: NameCoder,
    /// units coded per study: (study code, unit name) without building a key per row
    unit_of: Vec<NameCoder>,
    units: Vec<(String, String)>,
    unit_code: Vec<Vec<u32>>,
    study: Vec<u32>,
    unit: Vec<u32>,
    hashes: Vec<u64>,
    found: Vec<(u32, u32)>,
    sectors: BTreeMap<String, String>,
    has_sector: Vec<bool>,
}

impl<'m> SideCoder<'m> {
    /// A coder for `table`, finding the respondents of `mentions`, with room for `rows` rows.
    pub(crate) fn new(table: Table, mentions: Option<&'m MentionCodes>, rows: usize) -> Self {
        let state = key_state();
        SideCoder {
            requests: Requests::new(mentions, table == Table::Customers, &state),
            state,
            id_column: id_column(table),
            studies: NameCoder::default(),
            unit_of: Vec::new(),
            units: Vec::new(),
            unit_code: Vec::new(),
            study: Vec::with_capacity(rows),
            unit: Vec::with_capacity(rows),
            hashes: Vec::with_capacity(rows),
            found: Vec::new(),
            sectors: BTreeMap::new(),
            has_sector: Vec::new(),
        }
    }

    /// Codes a validated slice, after the rows already coded.
    pub(crate) fn push(&mut self, df: &DataFrame) -> Result<()> {
        let (st, un, ids) = (df.column("study")?.str()?, df.column("unit")?.str()?, df.column(self.id_column)?.str()?);
        let sector = df.column("sector").ok().map(|c| c.str().cloned()).transpose()?;
        let start = self.hashes.len();
        let mut last: Option<(&str, &str, u32, u32)> = None;
        for (i, ((s, u), id)) in st.iter().zip(un.iter()).zip(ids.iter()).enumerate() {
            let (s, u, id) = (s.unwrap_or_default(), u.unwrap_or_default(), id.unwrap_or_default());
            let (sc, uc) = match last {
                Some((ls, lu, sc, uc)) if ls == s && lu == u => (sc, uc),
                _ => self.code_unit(s, u),
            };
            last = Some((s, u, sc, uc));
            if sector.is_some() && !self.has_sector[sc as usize] {
                if let Some(sec) = sector.as_ref().and_then(|c| c.get(i)) {
                    self.sectors.insert(s.to_string(), sec.to_string());
                    self.has_sector[sc as usize] = true;
                }
            }
            self.study.push(sc);
            self.unit.push(uc);
            self.hashes.push(key_hash(&self.state, s, id));
        }
        // The mentioned respondents of this slice: probe the filter with the words a few rows
        // ahead already requested from memory (random probes otherwise wait on memory one at a time).
        if !self.requests.by_hash.is_empty() {
            let batch = &self.hashes[start..];
            for (i, (&h, (s, id))) in batch.iter().zip(st.iter().zip(ids.iter())).enumerate() {
                if let Some(&ahead) = batch.get(i + 16) {
                    prefetch(&self.requests.filter[slot(ahead).0]);
                }
                // rows numbered among those kept (customers without satisfaction left out)
                self.requests.find(h, s.unwrap_or_default(), id.unwrap_or_default(), (start + i) as u32, &mut self.found);
            }
        }
        Ok(())
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

    /// The codes, and the (study, id) hashes that repeat: the candidates for a
    /// [`DuplicateFinder`] (none, most of the time).
    pub(crate) fn finish(self) -> (CodedSide, HashSet<u64>) {
        let mut sorted = self.hashes;
        sorted.sort_unstable();
        let suspects: HashSet<u64> = sorted.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        drop(sorted);
        let codes = SideCodes { studies: self.studies.keys, study: self.study, units: self.units, unit: self.unit };
        (CodedSide { codes, found: self.found, sectors: self.sectors.into_iter().collect() }, suspects)
    }
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
