//! Integer codes of a validated study, built once when the study is validated.
//!
//! Every analysis groups respondents by study and unit and resolves each mention to its
//! respondent. Doing that with string keys in every analysis cost most of a report's time on
//! large studies; here it is done once, from the codes taken as the tables are read
//! ([`super::codes`], where the same pass checks that ids are unique within a study and finds
//! each mention's respondent), and a mention without its respondent is refused.
//! Codes are dense and follow the sorted order of the names (`studies[code]`, `units[code]`), so
//! results do not depend on row order.

pub use super::codes::text_hash;
use super::codes::{code_table, CodedSide, MentionCodes, SideCodes};
use super::schema::Table;
use crate::error::{MiroirError, Result, Rows};
use polars::prelude::*;
use rayon::prelude::*;

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
        let e = code_table(employees, Table::Employees, codes.as_ref())?;
        let c = code_table(customers, Table::Customers, codes.as_ref())?;
        Ok(Self::build_from(e, c, codes, &DroppedKeys::default())?.0)
    }

    /// As [`StudyIndex::build`], from coded tables (ids already checked unique). A customer
    /// mention whose respondent is not found but is one of `dropped` (customers left out for a
    /// missing satisfaction) is left out with them instead of being an orphan: the rows of the
    /// mentions left out (numbered in the mentions table given) are returned with the index,
    /// whose mentions are those kept, in order.
    pub(crate) fn build_from(
        employees: CodedSide,
        customers: CodedSide,
        mentions: Option<MentionCodes>,
        dropped: &DroppedKeys,
    ) -> Result<(StudyIndex, Vec<u32>)> {
        // Each table was coded on its own, in order of first appearance; the codes are
        // renumbered in the sorted order of the names, common to all tables.
        let no_mentions = MentionCodes::default();
        let m = mentions.as_ref().unwrap_or(&no_mentions);
        let (mut e, mut c) = (employees.codes, customers.codes);
        let studies = sorted_studies(&e, &c, m);
        let units = sorted_units(&e, &c, &studies);
        let remaps = [
            study_remap(&studies, e.studies.iter().map(String::as_str)),
            study_remap(&studies, c.studies.iter().map(String::as_str)),
            study_remap(&studies, m.studies.keys.iter().map(String::as_str)),
            unit_remap(&studies, &units, &e.units),
            unit_remap(&studies, &units, &c.units),
        ];
        let mut men_study = mentions.as_ref().map(|m| m.study.clone()).unwrap_or_default();
        recode(&mut e.study, &remaps[0]);
        recode(&mut c.study, &remaps[1]);
        recode(&mut men_study, &remaps[2]);
        recode(&mut e.unit, &remaps[3]);
        recode(&mut c.unit, &remaps[4]);
        let (emp_study, cus_study, emp_unit, cus_unit) = (e.study, c.study, e.unit, c.unit);
        let found = employees.found.into_iter().chain(customers.found);
        let (respondent, left_out, dropped_rows) = resolve_respondents(m, found, dropped)?;
        let mentions = mentions.map(|m| mention_index(m, men_study, respondent, &left_out, !dropped_rows.is_empty()));
        let sectors = first_sectors(&studies, employees.sectors, customers.sectors);
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

/// Renumbers codes in place (the code vectors are the largest thing the index holds).
fn recode(codes: &mut [u32], remap: &[u32]) {
    codes.par_iter_mut().for_each(|p| *p = remap[*p as usize]);
}

/// The study names of both tables and the mentions, sorted, each once.
fn sorted_studies(e: &SideCodes, c: &SideCodes, m: &MentionCodes) -> Vec<String> {
    let mut names: Vec<&str> =
        e.studies.iter().chain(&c.studies).map(String::as_str).chain(m.studies.keys.iter().map(String::as_str)).collect();
    names.sort_unstable();
    names.dedup();
    names.iter().map(|s| s.to_string()).collect()
}

/// The code of study `name` among the sorted `studies`.
fn study_code(studies: &[String], name: &str) -> u32 {
    studies.binary_search_by(|s| s.as_str().cmp(name)).expect("every study is named") as u32
}

/// The units of both tables, sorted by study then name, each once.
fn sorted_units(e: &SideCodes, c: &SideCodes, studies: &[String]) -> Vec<UnitKey> {
    let mut unit_keys: Vec<(&str, &str)> = e.units.iter().chain(&c.units).map(|(s, u)| (s.as_str(), u.as_str())).collect();
    unit_keys.sort_unstable();
    unit_keys.dedup();
    unit_keys.iter().map(|(s, u)| UnitKey { study: study_code(studies, s), name: u.to_string() }).collect()
}

/// The final code of each provisional study code.
fn study_remap<'k>(studies: &[String], keys: impl Iterator<Item = &'k str>) -> Vec<u32> {
    keys.map(|k| study_code(studies, k)).collect()
}

/// The final code of each provisional unit code.
fn unit_remap(studies: &[String], units: &[UnitKey], keys: &[(String, String)]) -> Vec<u32> {
    keys.iter()
        .map(|(s, u)| {
            let key = (study_code(studies, s), u.as_str());
            units.binary_search_by(|k| (k.study, k.name.as_str()).cmp(&key)).expect("every unit is coded") as u32
        })
        .collect()
}

/// Each mention's respondent row (from the rows `found` in the respondents tables): a customer
/// mention of a customer left out (`dropped`) is left out too, any other mention without its
/// respondent is a [`MiroirError::OrphanMention`]. Returns the respondents, which mentions are
/// left out, and their rows.
fn resolve_respondents(
    m: &MentionCodes,
    found: impl Iterator<Item = (u32, u32)>,
    dropped: &DroppedKeys,
) -> Result<(Vec<u32>, Vec<bool>, Vec<u32>)> {
    let mut respondent = vec![u32::MAX; m.len()];
    for (row, r) in found {
        respondent[row as usize] = r;
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
    Ok((respondent, left_out, dropped_rows))
}

/// The mentions kept (`left_out` marks the others, when `any_left_out`), with their studies
/// renumbered (`study`), their `respondent`s, and their themes coded in sorted order.
fn mention_index(mut m: MentionCodes, study: Vec<u32>, respondent: Vec<u32>, left_out: &[bool], any_left_out: bool) -> MentionIndex {
    let (mut study, mut respondent) = (study, respondent);
    let mut theme_keys = m.themes.keys;
    if any_left_out {
        fn keep<T: Copy>(v: &mut Vec<T>, left_out: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                !left_out[i - 1]
            });
        }
        keep(&mut m.theme, left_out);
        keep(&mut study, left_out);
        keep(&mut m.customer, left_out);
        keep(&mut m.positive, left_out);
        keep(&mut respondent, left_out);
        keep(&mut m.text, left_out);
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
}

/// The first sector given for each study: employees first, then customers.
fn first_sectors(studies: &[String], employees: Vec<(String, String)>, customers: Vec<(String, String)>) -> Vec<Option<String>> {
    let mut sectors: Vec<Option<String>> = vec![None; studies.len()];
    for (study, sector) in employees.into_iter().chain(customers) {
        if let Ok(s) = studies.binary_search(&study) {
            sectors[s].get_or_insert(sector);
        }
    }
    sectors
}
