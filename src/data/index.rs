//! Integer codes of a validated study, built once when the study is validated.
//!
//! Every analysis groups respondents by study and unit and resolves each mention to its
//! respondent. Doing that with string keys in every analysis cost most of a report's time on
//! large studies; here it is done once, with a fast hash and per-study parallelism, and the same
//! pass checks that ids are unique within a study and that every mention has its respondent.
//! Codes are dense and follow the sorted order of the names (`studies[code]`, `units[code]`), so
//! results do not depend on row order.

use super::columns::{fast_map, strs, FastMap};
use crate::error::{MiroirError, Result, Rows};
use polars::prelude::*;
use rayon::prelude::*;
use std::hash::Hash;

/// A unit: its study's code and its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnitKey {
    pub study: u32,
    pub name: String,
}

/// The coded mentions: one entry per mention row.
#[derive(Debug, Clone)]
pub struct MentionIndex {
    /// Theme names, sorted; `theme[i]` indexes it.
    pub themes: Vec<String>,
    pub theme: Vec<u32>,
    pub study: Vec<u32>,
    /// `true` for a customer's mention, `false` for an employee's.
    pub customer: Vec<bool>,
    pub positive: Vec<bool>,
    /// Row of the respondent in the customers (customer mention) or employees table.
    pub respondent: Vec<u32>,
    /// A 64-bit hash of each mention's text ([`text_hash`]), 0 without text: the example
    /// verbatims are counted on these and confirmed on the texts.
    pub text: Vec<u64>,
}

/// The hash of a mention's text that [`MentionIndex::text`] holds (never 0).
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
    themes: NameCoder,
    theme: Vec<u32>,
    pub(crate) customer: Vec<bool>,
    positive: Vec<bool>,
    text: Vec<u64>,
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

/// (study, customer_id) of the customers left out at validation for a missing satisfaction.
pub(crate) type DroppedKeys = std::collections::HashSet<(String, String)>;

/// Study and unit codes of every respondent, and the coded mentions.
#[derive(Debug, Clone)]
pub struct StudyIndex {
    /// Study names, sorted (both tables and the mentions together).
    pub studies: Vec<String>,
    /// Units, sorted by study then name; the units of a study are contiguous.
    pub units: Vec<UnitKey>,
    pub emp_unit: Vec<u32>,
    pub cus_unit: Vec<u32>,
    pub emp_study: Vec<u32>,
    pub cus_study: Vec<u32>,
    pub mentions: Option<MentionIndex>,
    /// The first sector given for each study (employees first, then customers), if any.
    pub sectors: Vec<Option<String>>,
}

/// Provisional codes in order of first appearance, with a one-entry cache for runs of equal keys
/// (tables are usually sorted by study and unit, so most rows skip the hash).
struct Coder<K> {
    map: FastMap<K, u32>,
    keys: Vec<K>,
    last: Option<(K, u32)>,
}

impl<K: Hash + Eq + Copy> Coder<K> {
    fn new() -> Self {
        Coder { map: fast_map(64), keys: Vec::new(), last: None }
    }
    fn code(&mut self, key: K) -> u32 {
        if let Some((k, c)) = self.last {
            if k == key {
                return c;
            }
        }
        let next = self.keys.len() as u32;
        let c = *self.map.entry(key).or_insert_with(|| next);
        if c == next {
            self.keys.push(key);
        }
        self.last = Some((key, c));
        c
    }
}

/// Sorted order of provisional codes: `remap[provisional] = final`.
fn sorted_remap<K: Ord>(keys: &[K]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut remap = vec![0u32; keys.len()];
    for (rank, &i) in order.iter().enumerate() {
        remap[i] = rank as u32;
    }
    remap
}

/// Rows of each study (study codes 0..n).
fn rows_by_study(study: &[u32], n: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); n];
    for (i, &s) in study.iter().enumerate() {
        out[s as usize].push(i as u32);
    }
    out
}

/// Study by study (in parallel): the ids of the study's rows, and the resolution of its
/// (mention row, id) requests. Returns the rows repeating an earlier (study, id), sorted, and
/// per study the (mention row, row found or `u32::MAX`) of each request.
fn resolve_ids(
    ids: &[&str],
    by_study: &[Vec<u32>],
    requests: &[Vec<(u32, &str)>],
) -> (Vec<usize>, Vec<Vec<(u32, u32)>>) {
    type Resolved = (Vec<usize>, Vec<(u32, u32)>);
    let per_study: Vec<Resolved> = by_study
        .par_iter()
        .zip(requests.par_iter())
        .map(|(rows, reqs)| {
            let mut map: FastMap<&str, u32> = fast_map(rows.len());
            let mut dups = Vec::new();
            for &r in rows {
                if map.insert(ids[r as usize], r).is_some() {
                    dups.push(r as usize);
                }
            }
            let found = reqs.iter().map(|&(m, id)| (m, map.get(id).copied().unwrap_or(u32::MAX))).collect();
            (dups, found)
        })
        .collect();
    let mut duplicates = Vec::new();
    let mut found = Vec::new();
    for (d, f) in per_study {
        duplicates.extend(d);
        found.push(f);
    }
    duplicates.sort_unstable();
    (duplicates, found)
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

/// A respondents table as the index receives it: the validated table, or what a streaming scan
/// of the file kept (codes, and the rows of the mentioned respondents; ids already checked
/// unique).
pub(crate) enum Side<'a> {
    Frame(&'a DataFrame),
    Scanned {
        codes: SideCodes<'static>,
        /// (mention row, respondent row) of every mention of this side found in the file.
        found: Vec<(u32, u32)>,
        /// First sector seen for each study name.
        sectors: Vec<(String, String)>,
    },
}

/// What [`Side::Scanned`] carries.
type Scanned = (SideCodes<'static>, Vec<(u32, u32)>, Vec<(String, String)>);

impl<'a> Side<'a> {
    fn split(self) -> (Option<&'a DataFrame>, Option<Scanned>) {
        match self {
            Side::Frame(df) => (Some(df), None),
            Side::Scanned { codes, found, sectors } => (None, Some((codes, found, sectors))),
        }
    }
}

/// Study and unit codes of one table in order of first appearance, and the keys behind them.
pub(crate) struct SideCodes<'a> {
    pub(crate) studies: Vec<std::borrow::Cow<'a, str>>,
    pub(crate) study: Vec<u32>,
    pub(crate) units: Vec<(std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    pub(crate) unit: Vec<u32>,
}

fn code_side(df: &DataFrame) -> Result<SideCodes<'_>> {
    let (st, un) = (df.column("study")?.str()?, df.column("unit")?.str()?);
    let (mut sc, mut uc): (Coder<&str>, Coder<(&str, &str)>) = (Coder::new(), Coder::new());
    let (mut study, mut unit) = (Vec::with_capacity(df.height()), Vec::with_capacity(df.height()));
    for (s, u) in st.iter().zip(un.iter()) {
        let (s, u) = (s.unwrap_or_default(), u.unwrap_or_default());
        study.push(sc.code(s));
        unit.push(uc.code((s, u)));
    }
    Ok(SideCodes {
        studies: sc.keys.into_iter().map(Into::into).collect(),
        study,
        units: uc.keys.into_iter().map(|(s, u)| (s.into(), u.into())).collect(),
        unit,
    })
}

impl StudyIndex {
    /// Builds the codes of validated tables; refuses duplicate ids within a study
    /// ([`MiroirError::DuplicateId`]) and mentions without their respondent
    /// ([`MiroirError::OrphanMention`]).
    pub fn build(employees: &DataFrame, customers: &DataFrame, mentions: Option<&DataFrame>) -> Result<StudyIndex> {
        let codes = match mentions {
            None => None,
            Some(m) => {
                let mut codes = MentionCodes::default();
                codes.push(m)?;
                Some(codes)
            }
        };
        Ok(Self::build_from(Side::Frame(employees), Side::Frame(customers), codes, &DroppedKeys::default())?.0)
    }

    /// As [`StudyIndex::build`], from tables in memory or scanned. A customer mention whose
    /// respondent is not found but is one of `dropped` (customers left out for a missing
    /// satisfaction) is left out with them instead of being an orphan: the rows of the mentions
    /// left out (numbered in the mentions table given) are returned with the index, whose
    /// mentions are those kept, in order.
    pub(crate) fn build_from<'a>(
        employees: Side<'a>,
        customers: Side<'a>,
        mentions: Option<MentionCodes>,
        dropped: &DroppedKeys,
    ) -> Result<(StudyIndex, Vec<u32>)> {
        // Each table coded on its own (in parallel), in order of first appearance; then the
        // codes are renumbered in the sorted order of the names, common to all tables.
        let ((e_df, e_scan), (c_df, c_scan)) = (employees.split(), customers.split());
        let (e, c) = rayon::join(|| e_df.map(code_side).transpose(), || c_df.map(code_side).transpose());
        let mut found: Vec<(u32, u32)> = Vec::new();
        let mut take = |coded: Option<SideCodes<'a>>, scan: Option<Scanned>| match (coded, scan) {
            (Some(c), _) => (c, Vec::new()),
            (None, Some((codes, f, sectors))) => {
                found.extend(f);
                (codes, sectors)
            }
            (None, None) => unreachable!("a side is a frame or a scan"),
        };
        let ((mut e, e_sectors), (mut c, c_sectors)) = (take(e?, e_scan), take(c?, c_scan));
        let no_mentions = MentionCodes::default();
        let m = mentions.as_ref().unwrap_or(&no_mentions);
        let mut names: Vec<&str> = e
            .studies
            .iter()
            .chain(&c.studies)
            .map(|s| s.as_ref())
            .chain(m.studies.keys.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        let studies: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let study_code: FastMap<&str, u32> = studies.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect();
        let mut unit_keys: Vec<(&str, &str)> =
            e.units.iter().chain(&c.units).map(|(s, u)| (s.as_ref(), u.as_ref())).collect();
        unit_keys.sort_unstable();
        unit_keys.dedup();
        let units: Vec<UnitKey> = unit_keys
            .iter()
            .map(|(s, u)| UnitKey { study: study_code[s], name: u.to_string() })
            .collect();
        let unit_code: FastMap<(&str, &str), u32> =
            unit_keys.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect();
        // renumbered in place (the code vectors are the largest thing the index holds)
        let recode = |codes: &mut Vec<u32>, remap: &[u32]| codes.par_iter_mut().for_each(|p| *p = remap[*p as usize]);
        let study_remap = |keys: &mut dyn Iterator<Item = &str>| -> Vec<u32> { keys.map(|k| study_code[k]).collect() };
        let unit_remap = |keys: &[(std::borrow::Cow<str>, std::borrow::Cow<str>)]| -> Vec<u32> {
            keys.iter().map(|(s, u)| unit_code[&(s.as_ref(), u.as_ref())]).collect()
        };
        let remaps = [
            study_remap(&mut e.studies.iter().map(|s| s.as_ref())),
            study_remap(&mut c.studies.iter().map(|s| s.as_ref())),
            study_remap(&mut m.studies.keys.iter().map(String::as_str)),
            unit_remap(&e.units),
            unit_remap(&c.units),
        ];
        let mut men_study = mentions.as_ref().map(|m| m.study.clone()).unwrap_or_default();
        recode(&mut e.study, &remaps[0]);
        recode(&mut c.study, &remaps[1]);
        recode(&mut men_study, &remaps[2]);
        recode(&mut e.unit, &remaps[3]);
        recode(&mut c.unit, &remaps[4]);
        let (emp_study, cus_study, emp_unit, cus_unit) = (e.study, c.study, e.unit, c.unit);

        // Ids: unique within a study; each mention resolved to its respondent's row.
        let n_studies = studies.len();
        let mut respondent = vec![u32::MAX; m.len()];
        for (row, r) in found {
            respondent[row as usize] = r;
        }
        for (table, column, df, study_codes, customer) in [
            ("employees", "employee_id", e_df, &emp_study, false),
            ("customers", "customer_id", c_df, &cus_study, true),
        ] {
            let Some(df) = df else { continue };
            let mut req: Vec<Vec<(u32, &str)>> = vec![Vec::new(); n_studies];
            for i in (0..m.len()).filter(|&i| m.customer[i] == customer) {
                req[men_study[i] as usize].push((i as u32, m.id(i)));
            }
            let ids = strs(df, column)?;
            let (duplicates, found) = resolve_ids(&ids, &rows_by_study(study_codes, n_studies), &req);
            if let Some(&first) = duplicates.first() {
                let study = &studies[study_codes[first] as usize];
                return Err(duplicate_ids(table, column, duplicates, ids[first], study));
            }
            for (row, r) in found.into_iter().flatten() {
                respondent[row as usize] = r;
            }
        }
        // the mentions of customers left out go with them
        let mut left_out = vec![false; respondent.len()];
        let mut dropped_rows: Vec<u32> = Vec::new();
        if !dropped.is_empty() {
            for i in (0..respondent.len()).filter(|&i| respondent[i] == u32::MAX && m.customer[i]) {
                if dropped.contains(&(m.study_name(i).to_string(), m.id(i).to_string())) {
                    left_out[i] = true;
                    dropped_rows.push(i as u32);
                }
            }
        }
        let orphans: Vec<usize> = (0..respondent.len()).filter(|&i| respondent[i] == u32::MAX && !left_out[i]).collect();
        if let Some(&i) = orphans.first() {
            let side = if m.customer[i] { "customer" } else { "employee" };
            return Err(MiroirError::OrphanMention {
                table: "mentions".into(),
                column: "respondent_id".into(),
                rows: Rows::collect(orphans.iter().copied()),
                detail: format!(
                    "respondents not found in the employees / customers tables (e.g. {side} '{}' of study '{}')",
                    m.id(i),
                    m.study_name(i)
                ),
            });
        }

        let mentions = mentions.map(|mut m| {
            let mut study = men_study;
            let mut respondent = respondent;
            let mut theme_keys = m.themes.keys;
            if !dropped_rows.is_empty() {
                fn keep<T: Copy>(v: &mut Vec<T>, left_out: &[bool]) {
                    let mut i = 0;
                    v.retain(|_| {
                        i += 1;
                        !left_out[i - 1]
                    });
                }
                keep(&mut m.theme, &left_out);
                keep(&mut study, &left_out);
                keep(&mut m.customer, &left_out);
                keep(&mut m.positive, &left_out);
                keep(&mut respondent, &left_out);
                keep(&mut m.text, &left_out);
                // themes named only by mentions left out are no themes of the study
                let mut used = vec![false; theme_keys.len()];
                for &t in &m.theme {
                    used[t as usize] = true;
                }
                if used.iter().any(|u| !u) {
                    let mut new_code = vec![u32::MAX; theme_keys.len()];
                    let mut kept = Vec::new();
                    for (p, k) in theme_keys.into_iter().enumerate() {
                        if used[p] {
                            new_code[p] = kept.len() as u32;
                            kept.push(k);
                        }
                    }
                    theme_keys = kept;
                    recode(&mut m.theme, &new_code);
                }
            }
            let t_remap = sorted_remap(&theme_keys);
            let mut themes = vec![String::new(); theme_keys.len()];
            for (p, k) in theme_keys.into_iter().enumerate() {
                themes[t_remap[p] as usize] = k;
            }
            let mut theme = m.theme;
            recode(&mut theme, &t_remap);
            MentionIndex { themes, theme, study, customer: m.customer, positive: m.positive, respondent, text: m.text }
        });
        let mut sectors: Vec<Option<String>> = vec![None; studies.len()];
        // the first sector given for a study: employees first, then customers
        for (df, codes, scanned) in [(e_df, &emp_study, e_sectors), (c_df, &cus_study, c_sectors)] {
            if let Some(sec) = df.and_then(|df| df.column("sector").ok()) {
                for (&s, v) in codes.iter().zip(sec.str()?.iter()) {
                    if let (None, Some(v)) = (&sectors[s as usize], v) {
                        sectors[s as usize] = Some(v.to_string());
                    }
                }
            }
            for (study, sector) in scanned {
                if let Some(&s) = study_code.get(study.as_str()) {
                    sectors[s as usize].get_or_insert(sector);
                }
            }
        }
        Ok((StudyIndex { studies, units, emp_unit, cus_unit, emp_study, cus_study, mentions, sectors }, dropped_rows))
    }

    /// Range of unit codes of each study (units are sorted by study).
    pub fn study_units(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = vec![0..0; self.studies.len()];
        let mut start = 0;
        while start < self.units.len() {
            let s = self.units[start].study;
            let mut end = start;
            while end < self.units.len() && self.units[end].study == s {
                end += 1;
            }
            out[s as usize] = start..end;
            start = end;
        }
        out
    }

    /// Respondents per unit on each side: (employees, customers).
    pub fn unit_counts(&self) -> (Vec<u64>, Vec<u64>) {
        let count = |codes: &[u32]| {
            let mut n = vec![0u64; self.units.len()];
            for &u in codes {
                n[u as usize] += 1;
            }
            n
        };
        (count(&self.emp_unit), count(&self.cus_unit))
    }
}
