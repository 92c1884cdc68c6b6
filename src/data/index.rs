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
}

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
    let per_study: Vec<(Vec<usize>, Vec<(u32, u32)>)> = by_study
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

/// The customers as the index receives them: the validated table, or what a streaming scan of
/// the file kept (codes, and the rows of the mentioned customers; ids already checked unique).
pub(crate) enum CustomerSide<'a> {
    Frame(&'a DataFrame),
    Scanned {
        codes: SideCodes<'static>,
        /// (mention row, customer row) of every customer mention found in the file.
        found: Vec<(u32, u32)>,
        /// First sector seen for each study name.
        sectors: Vec<(String, String)>,
    },
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

fn code_studies(df: &DataFrame) -> Result<(Vec<&str>, Vec<u32>)> {
    let mut sc: Coder<&str> = Coder::new();
    let codes = df.column("study")?.str()?.iter().map(|s| sc.code(s.unwrap_or_default())).collect();
    Ok((sc.keys, codes))
}

impl StudyIndex {
    /// Builds the codes of validated tables; refuses duplicate ids within a study
    /// ([`MiroirError::DuplicateId`]) and mentions without their respondent
    /// ([`MiroirError::OrphanMention`]).
    pub fn build(employees: &DataFrame, customers: &DataFrame, mentions: Option<&DataFrame>) -> Result<StudyIndex> {
        Self::build_from(employees, CustomerSide::Frame(customers), mentions)
    }

    pub(crate) fn build_from(
        employees: &DataFrame,
        customers: CustomerSide<'_>,
        mentions: Option<&DataFrame>,
    ) -> Result<StudyIndex> {
        // Each table coded on its own (in parallel), in order of first appearance; then the
        // codes are renumbered in the sorted order of the names, common to all tables.
        let (customers, scanned) = match customers {
            CustomerSide::Frame(df) => (Some(df), None),
            CustomerSide::Scanned { codes, found, sectors } => (None, Some((codes, found, sectors))),
        };
        let ((e, c), m) = rayon::join(
            || rayon::join(|| code_side(employees), || customers.map(code_side).transpose()),
            || match mentions {
                Some(m) => code_studies(m),
                None => Ok((Vec::new(), Vec::new())),
            },
        );
        let (c, found, scanned_sectors) = match (c?, scanned) {
            (Some(c), _) => (c, None, Vec::new()),
            (None, Some((codes, found, sectors))) => (codes, Some(found), sectors),
            (None, None) => unreachable!("customers are a frame or a scan"),
        };
        let (e, (m_keys, m_sp)) = (e?, m?);
        let mut names: Vec<&str> =
            e.studies.iter().chain(&c.studies).map(|s| s.as_ref()).chain(m_keys.iter().copied()).collect();
        names.sort_unstable();
        names.dedup();
        let studies: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let study_code: FastMap<&str, u32> = names.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();
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
        let recode = |codes: &[u32], remap: &[u32]| -> Vec<u32> { codes.par_iter().map(|&p| remap[p as usize]).collect() };
        let study_remap = |keys: &mut dyn Iterator<Item = &str>| -> Vec<u32> { keys.map(|k| study_code[k]).collect() };
        let unit_remap = |keys: &[(std::borrow::Cow<str>, std::borrow::Cow<str>)]| -> Vec<u32> {
            keys.iter().map(|(s, u)| unit_code[&(s.as_ref(), u.as_ref())]).collect()
        };
        let emp_study = recode(&e.study, &study_remap(&mut e.studies.iter().map(|s| s.as_ref())));
        let cus_study = recode(&c.study, &study_remap(&mut c.studies.iter().map(|s| s.as_ref())));
        let men_study = recode(&m_sp, &study_remap(&mut m_keys.iter().copied()));
        let emp_unit = recode(&e.unit, &unit_remap(&e.units));
        let cus_unit = recode(&c.unit, &unit_remap(&c.units));
        let m_st: Vec<&str> = men_study.iter().map(|&s| names[s as usize]).collect();

        // Ids: unique within a study; each mention resolved to its respondent's row.
        let n_studies = studies.len();
        let (side, resp) = match mentions {
            Some(m) => (strs(m, "side")?, strs(m, "respondent_id")?),
            None => (Vec::new(), Vec::new()),
        };
        let mut e_req: Vec<Vec<(u32, &str)>> = vec![Vec::new(); n_studies];
        let mut c_req: Vec<Vec<(u32, &str)>> = vec![Vec::new(); n_studies];
        for i in 0..side.len() {
            let req = if side[i] == "employee" { &mut e_req } else { &mut c_req };
            req[men_study[i] as usize].push((i as u32, resp[i]));
        }
        let mut respondent = vec![u32::MAX; side.len()];
        let mut tables = vec![("employees", "employee_id", employees, &emp_study, &e_req)];
        if let Some(df) = customers {
            tables.push(("customers", "customer_id", df, &cus_study, &c_req));
        }
        for (m, r) in found.into_iter().flatten() {
            respondent[m as usize] = r;
        }
        for (table, column, df, study_codes, req) in tables {
            let ids = strs(df, column)?;
            let (duplicates, found) = resolve_ids(&ids, &rows_by_study(study_codes, n_studies), req);
            if let Some(&first) = duplicates.first() {
                let study = &studies[study_codes[first] as usize];
                return Err(duplicate_ids(table, column, duplicates, ids[first], study));
            }
            for (m, r) in found.into_iter().flatten() {
                respondent[m as usize] = r;
            }
        }
        let orphans: Vec<usize> = (0..respondent.len()).filter(|&i| respondent[i] == u32::MAX).collect();
        if let Some(&i) = orphans.first() {
            return Err(MiroirError::OrphanMention {
                table: "mentions".into(),
                column: "respondent_id".into(),
                rows: Rows::collect(orphans.iter().copied()),
                detail: format!(
                    "respondents not found in the employees / customers tables (e.g. {} '{}' of study '{}')",
                    side[i], resp[i], m_st[i]
                ),
            });
        }

        let mentions = match mentions {
            None => None,
            Some(m) => {
                let mut tc: Coder<&str> = Coder::new();
                let provisional: Vec<u32> = strs(m, "theme")?.into_iter().map(|t| tc.code(t)).collect();
                let t_remap = sorted_remap(&tc.keys);
                let mut themes = vec![String::new(); tc.keys.len()];
                for (p, k) in tc.keys.iter().enumerate() {
                    themes[t_remap[p] as usize] = k.to_string();
                }
                Some(MentionIndex {
                    themes,
                    theme: provisional.iter().map(|&p| t_remap[p as usize]).collect(),
                    study: men_study,
                    customer: side.iter().map(|s| *s != "employee").collect(),
                    positive: strs(m, "valence")?.iter().map(|v| *v == "positive").collect(),
                    respondent,
                })
            }
        };
        let mut sectors: Vec<Option<String>> = vec![None; studies.len()];
        let mut first_sector = |df: &DataFrame, codes: &[u32]| -> Result<()> {
            if let Ok(sec) = df.column("sector") {
                for (&s, v) in codes.iter().zip(sec.str()?.iter()) {
                    if let (None, Some(v)) = (&sectors[s as usize], v) {
                        sectors[s as usize] = Some(v.to_string());
                    }
                }
            }
            Ok(())
        };
        first_sector(employees, &emp_study)?;
        if let Some(df) = customers {
            first_sector(df, &cus_study)?;
        }
        for (study, sector) in scanned_sectors {
            if let Some(&s) = study_code.get(study.as_str()) {
                sectors[s as usize].get_or_insert(sector);
            }
        }
        Ok(StudyIndex { studies, units, emp_unit, cus_unit, emp_study, cus_study, mentions, sectors })
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
