//! A validated mirror study: the three canonical tables and the schema they were read with.

use super::codes::{code_frame, confirm_unique, CodedSide, MentionCodes};
use super::dropped::{all_dropped, dropped_warning, Dropped};
use super::index::{DroppedKeys, StudyIndex};
use super::scan::{
    check_batch_rows, clean_frame, mentions_frame, read_back, scan_mentions, scan_respondents, visit_texts, Items,
    Normalised, ScannedSide, TableSource, BATCH_ROWS,
};
use super::schema::{Schema, Table};
use super::validate::{normalised_warnings, one_sided_units, CleanTable};
use crate::error::Result;
use polars::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A validated mirror study. Built only through [`Study::new`], [`Study::from_inputs`] (or the
/// loaders), so every analysis can rely on canonical column names, dtypes, ranges and unique ids.
#[derive(Debug, Clone)]
pub struct Study {
    employees: Stored,
    /// The employees' columns besides the keys the index codes (study, unit, employee_id,
    /// sector), in row order: what the analyses read.
    employee_columns: DataFrame,
    customers: Stored,
    /// Satisfaction of every customer, in row order (all the analyses need of the customers
    /// besides the index).
    satisfaction: Vec<f64>,
    /// Survey weight of every customer, in row order, when the customers table has a `weight`
    /// column (a missing weight kept as NaN: the weighted analyses refuse it, naming the rows).
    customer_weights: Option<Vec<f64>>,
    mentions: Option<Stored>,
    schema: Schema,
    warnings: Vec<String>,
    /// Likert item columns the engagement index was built from (kept for Cronbach's alpha).
    engagement_items: Option<Vec<Vec<f64>>>,
    /// Study and unit codes of every respondent, mentions resolved to their respondent.
    index: StudyIndex,
    /// Customers left out at validation for a missing satisfaction, per study code.
    customers_dropped: Vec<u64>,
}

/// A validated table: in memory, or (scanned from a Parquet file) read back on the first request
/// and kept.
#[derive(Debug, Clone)]
struct Stored {
    df: OnceLock<DataFrame>,
    source: Option<TableSource>,
    table: Table,
    /// Rows of the file left out when it is read back (sorted): the mentions of customers left
    /// out for a missing satisfaction.
    left_out: std::sync::Arc<[u32]>,
}

impl Stored {
    fn memory(df: DataFrame, table: Table) -> Stored {
        Stored { df: OnceLock::from(df), source: None, table, left_out: std::sync::Arc::from([]) }
    }
    fn file(source: TableSource, table: Table) -> Stored {
        Stored { df: OnceLock::new(), source: Some(source), table, left_out: std::sync::Arc::from([]) }
    }
    /// Leaves out `rows` (sorted) of the table: at once in memory, when read back for a file.
    fn leave_out(&mut self, rows: &[u32]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        match self.df.take() {
            Some(df) => {
                let keep = keep_mask(0, df.height(), rows);
                self.df = OnceLock::from(df.filter(&keep)?);
            }
            None => self.left_out = std::sync::Arc::from(rows),
        }
        Ok(())
    }
    fn get(&self, schema: &Schema) -> Result<&DataFrame> {
        if let Some(df) = self.df.get() {
            return Ok(df);
        }
        let source = self.source.as_ref().expect("a table not in memory has a source");
        let mut df = read_back(source, self.table, schema)?;
        if !self.left_out.is_empty() {
            df = df.filter(&keep_mask(0, df.height(), &self.left_out))?;
        }
        Ok(self.df.get_or_init(|| df))
    }
    fn in_memory(&self) -> bool {
        self.df.get().is_some()
    }
}

/// Which of the rows `offset..offset + len` are kept, `left_out` being the rows left out (sorted).
fn keep_mask(offset: usize, len: usize, left_out: &[u32]) -> BooleanChunked {
    let mut keep = vec![true; len];
    let from = left_out.partition_point(|&r| (r as usize) < offset);
    for &r in left_out[from..].iter().take_while(|&&r| (r as usize) < offset + len) {
        keep[r as usize - offset] = false;
    }
    BooleanChunked::from_slice("keep".into(), &keep)
}

/// A satisfaction scale that looks wrong for the data: every answer in the lower half of a wide
/// declared scale (all within 1–5 on 0–10: a 1–5 survey read on the default scale, where nobody
/// would reach the threshold of 7). Values above the maximum are refused at validation.
fn scale_warning(satisfaction: &[f64], (lo, hi): (f64, f64)) -> Option<String> {
    let (min, max) = satisfaction
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    if !(max.is_finite() && hi - lo >= 5.0 && satisfaction.len() >= 20) {
        return None;
    }
    (max <= lo + (hi - lo) / 2.0).then(|| {
        format!(
            "table 'customers', column 'satisfaction': every answer lies within [{min}, {max}] on the declared scale \
             [{lo}, {hi}]: if the survey used a shorter scale, declare it (satisfaction_scale in the Schema), or the \
             share satisfied and the linkage are computed on the wrong scale"
        )
    })
}

/// A table given to [`Study::from_inputs`].
#[derive(Debug, Clone)]
pub enum TableInput {
    /// A table in memory, validated whole.
    Frame(DataFrame),
    /// A Parquet file, validated by a streaming scan (see [`crate::data::scan`]): only what the
    /// analyses need is kept, and the table is read back if asked for.
    Parquet(PathBuf),
}

/// The key columns the index codes, left out of [`Study::employee_columns`] for a scanned table.
const EMPLOYEE_KEYS: [&str; 4] = ["study", "unit", "employee_id", "sector"];

/// The warning for a study without mentions.
const EMPTY_MENTIONS: &str = "the mentions table is empty: no moments can be computed";

/// What the mentions input became: codes, where the table lives, the empty-table warning and
/// the key values normalised.
type PreparedMentions = (Option<MentionCodes>, Option<Stored>, Option<String>, Normalised);

fn prepare_mentions(input: Option<TableInput>, schema: &Schema, batch_rows: usize) -> Result<PreparedMentions> {
    let empty = || Ok((None, None, Some(EMPTY_MENTIONS.into()), Vec::new()));
    match input {
        None => Ok((None, None, None, Vec::new())),
        Some(TableInput::Frame(m)) if m.height() == 0 && m.width() == 0 => Ok((None, None, None, Vec::new())),
        // An empty mentions table is allowed (no verbatim coded yet) but must still have the
        // right columns.
        Some(TableInput::Frame(m)) => match mentions_frame(m, schema)? {
            (Some(codes), Some(df), normalised) => {
                Ok((Some(codes), Some(Stored::memory(df, Table::Mentions)), None, normalised))
            }
            _ => empty(),
        },
        Some(TableInput::Parquet(path)) => match scan_mentions(&path, schema, batch_rows)? {
            (None, _, _) => empty(),
            (Some(codes), source, normalised) => {
                Ok((Some(codes), Some(Stored::file(source, Table::Mentions)), None, normalised))
            }
        },
    }
}

/// Gives the memory freed by a scan (its slices) back to the system, so that the analyses
/// that follow do not add their peak to it (glibc keeps freed blocks in per-thread arenas).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A respondents table after the first step of the load: validated whole in memory (as the one
/// slice of the loader), or a Parquet file, validated slice by slice in the second step.
enum Cleaned {
    Frame(CleanTable, Items),
    File(PathBuf),
}

fn clean_input(input: TableInput, table: Table, schema: &Schema) -> Result<Cleaned> {
    match input {
        TableInput::Frame(df) => clean_frame(df, table, schema).map(|(clean, items)| Cleaned::Frame(clean, items)),
        TableInput::Parquet(path) => Ok(Cleaned::File(path)),
    }
}

/// A respondents table after the second step of the load: coded, and stored.
struct Coded {
    coded: CodedSide,
    /// The (study, id) hashes that repeat in a table in memory, confirmed once every table is
    /// validated (those of a file are confirmed by its scan).
    suspects: HashSet<u64>,
    stored: Stored,
    /// Values changed at validation, per column.
    normalised: Normalised,
    /// The customers left out for a missing satisfaction.
    dropped: Dropped,
}

impl Coded {
    /// A table in memory, validated: coded as one slice.
    fn frame(clean: CleanTable, table: Table, mentions: Option<&MentionCodes>) -> Result<Coded> {
        let (coded, suspects) = code_frame(&clean.df, table, mentions)?;
        let stored = Stored::memory(clean.df, table);
        Ok(Coded { coded, suspects, stored, normalised: clean.normalised, dropped: clean.dropped })
    }
    /// A file, scanned.
    fn scanned(scan: ScannedSide, table: Table) -> Coded {
        let stored = Stored::file(scan.source, table);
        Coded { coded: scan.coded, suspects: HashSet::new(), stored, normalised: scan.normalised, dropped: scan.dropped }
    }
    /// Refuses ids repeated within a study of a table in memory (rows renumbered as in the
    /// customers table given, `dropped` being the customers left out).
    fn confirm_unique(&self, table: Table, dropped: &Dropped) -> Result<()> {
        let Some(df) = self.stored.df.get().filter(|_| !self.suspects.is_empty()) else { return Ok(()) };
        confirm_unique(df, table, &self.suspects).map_err(|e| dropped.renumber(e))
    }
}

/// The employees' columns the analyses read: the whole validated table in memory, or the
/// slices of a file without the keys the index codes.
enum EmployeeColumns {
    Whole(DataFrame),
    Slices(Vec<DataFrame>),
}

impl EmployeeColumns {
    fn stack(self) -> Result<DataFrame> {
        match self {
            EmployeeColumns::Whole(df) => Ok(df),
            EmployeeColumns::Slices(slices) => {
                let mut slices = slices.into_iter();
                let mut all = slices.next().expect("a scanned table has at least one slice");
                for df in slices {
                    all.vstack_mut_owned(df)?;
                }
                all.rechunk_mut();
                Ok(all)
            }
        }
    }
}

/// The second step for the employees: coded (a file validated as it is read), with the columns
/// the analyses read and the engagement items.
fn code_employees(
    input: Cleaned,
    schema: &Schema,
    mentions: Option<&MentionCodes>,
    batch_rows: usize,
) -> Result<(Coded, EmployeeColumns, Items)> {
    let path = match input {
        Cleaned::Frame(clean, items) => {
            let columns = EmployeeColumns::Whole(clean.df.clone());
            return Ok((Coded::frame(clean, Table::Employees, mentions)?, columns, items));
        }
        Cleaned::File(path) => path,
    };
    let (mut slices, mut items): (Vec<DataFrame>, Items) = (Vec::new(), None);
    let scan = scan_respondents(&path, Table::Employees, schema, mentions, batch_rows, &mut |df, slice_items, total| {
        if slices.is_empty() {
            slices.reserve(total.div_ceil(batch_rows));
        }
        let rest: Vec<Column> =
            df.columns().iter().filter(|c| !EMPLOYEE_KEYS.contains(&c.name().as_str())).cloned().collect();
        slices.push(DataFrame::new(df.height(), rest)?);
        if let Some(slice_items) = slice_items {
            let all = items.get_or_insert_with(|| vec![Vec::new(); slice_items.len()]);
            for (column, values) in all.iter_mut().zip(slice_items) {
                column.extend(values);
            }
        }
        Ok(())
    })?;
    Ok((Coded::scanned(scan, Table::Employees), EmployeeColumns::Slices(slices), items))
}

/// What the study keeps of the customers besides the index: satisfaction and survey weights,
/// in row order.
#[derive(Default)]
struct CustomerValues {
    satisfaction: Vec<f64>,
    weights: Option<Vec<f64>>,
}

impl CustomerValues {
    /// Keeps those of a validated slice after the rows kept (`total`: the table's rows).
    fn keep(&mut self, df: &DataFrame, total: usize) -> Result<()> {
        self.satisfaction.reserve(total.saturating_sub(self.satisfaction.len()));
        let sat = df.column("satisfaction")?.cast(&DataType::Float64)?;
        let offset = self.satisfaction.len();
        self.satisfaction.extend(sat.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)));
        if let Ok(w) = df.column("weight") {
            let w = w.cast(&DataType::Float64)?;
            let kept = self.weights.get_or_insert_with(|| vec![f64::NAN; offset]);
            kept.reserve(total.saturating_sub(kept.len()));
            kept.extend(w.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)));
        }
        Ok(())
    }
}

/// The second step for the customers: coded (a file validated as it is read), with their
/// satisfaction and weights.
fn code_customers(
    input: Cleaned,
    schema: &Schema,
    mentions: Option<&MentionCodes>,
    batch_rows: usize,
) -> Result<(Coded, CustomerValues)> {
    let mut values = CustomerValues::default();
    match input {
        Cleaned::Frame(clean, _) => {
            values.keep(&clean.df, clean.df.height())?;
            Ok((Coded::frame(clean, Table::Customers, mentions)?, values))
        }
        Cleaned::File(path) => {
            let scan = scan_respondents(&path, Table::Customers, schema, mentions, batch_rows, &mut |df, _, total| {
                values.keep(df, total)
            })?;
            Ok((Coded::scanned(scan, Table::Customers), values))
        }
    }
}

/// Customers left out at validation for a missing satisfaction, per study code.
fn dropped_per_study(index: &StudyIndex, dropped: &Dropped) -> Vec<u64> {
    let mut customers_dropped = vec![0u64; index.studies.len()];
    for (study, _) in &dropped.keys {
        if let Ok(s) = index.studies.binary_search(study) {
            customers_dropped[s] += 1;
        }
    }
    customers_dropped
}

impl Study {
    /// Validates raw tables against the schema (mapping, types, ranges, categories, unique ids,
    /// orphan mentions) and returns the study with its data-quality warnings.
    pub fn new(
        employees: DataFrame,
        customers: DataFrame,
        mentions: Option<DataFrame>,
        schema: Schema,
    ) -> Result<Study> {
        Study::from_inputs(
            TableInput::Frame(employees),
            TableInput::Frame(customers),
            mentions.map(TableInput::Frame),
            schema,
            BATCH_ROWS,
        )
    }

    /// Validates a study whose tables are in memory or Parquet files. A Parquet table is
    /// validated slice by slice of `batch_rows` rows (see [`crate::data::scan`]) and only what
    /// the analyses need is kept, so that a study larger than memory can be reported on; a
    /// table in memory is the one slice of the same loader. Same checks and errors as
    /// [`Study::new`] (an error in a scanned table counts the offending rows read up to its
    /// slice, numbered in the file). `batch_rows` 0 is an
    /// [`MiroirError::InvalidArgument`](crate::error::MiroirError::InvalidArgument).
    pub fn from_inputs(
        employees: TableInput,
        customers: TableInput,
        mentions: Option<TableInput>,
        schema: Schema,
        batch_rows: usize,
    ) -> Result<Study> {
        check_batch_rows(batch_rows)?;
        // Tables in memory validated and the mentions coded first, in parallel (errors in table
        // order); then the respondents coded (files validated as they are scanned), looking for
        // the mentions' respondents.
        let ((emp, cus), men) = rayon::join(
            || {
                rayon::join(
                    || clean_input(employees, Table::Employees, &schema),
                    || clean_input(customers, Table::Customers, &schema),
                )
            },
            || prepare_mentions(mentions, &schema, batch_rows),
        );
        let (emp, cus) = (emp?, cus?);
        let (codes, mut mentions, mut empty_mentions, men_norm) = men?;
        let (emp, cus) = rayon::join(
            || code_employees(emp, &schema, codes.as_ref(), batch_rows),
            || code_customers(cus, &schema, codes.as_ref(), batch_rows),
        );
        let ((emp, employee_columns, items), (cus, values)) = (emp?, cus?);
        // customers left out for a missing satisfaction: none may remain
        let dropped = &cus.dropped;
        if cus.coded.codes.study.is_empty() && !dropped.is_empty() {
            return Err(all_dropped(dropped.len()));
        }
        // ids repeated in a table in memory: refused after the other checks of the tables
        emp.confirm_unique(Table::Employees, dropped)?;
        cus.confirm_unique(Table::Customers, dropped)?;
        let dropped_keys: DroppedKeys = dropped.keys.iter().cloned().collect();
        let n_mentions = codes.as_ref().map_or(0, |c| c.len());
        let (mut index, dropped_mentions) = StudyIndex::build_from(emp.coded, cus.coded, codes, &dropped_keys)?;
        if !dropped_mentions.is_empty() {
            if dropped_mentions.len() == n_mentions {
                // every mention left out: a study without mentions, as if the table were empty
                index.mentions = None;
                mentions = None;
                empty_mentions = Some(EMPTY_MENTIONS.into());
            } else if let Some(m) = mentions.as_mut() {
                m.leave_out(&dropped_mentions)?;
            }
        }
        let customers_dropped = dropped_per_study(&index, dropped);
        let mut warnings: Vec<String> = one_sided_units(&index);
        warnings.extend(dropped_warning(dropped.len(), dropped_mentions.len()));
        warnings.extend(empty_mentions);
        for (table, counts) in
            [(Table::Employees, &emp.normalised), (Table::Customers, &cus.normalised), (Table::Mentions, &men_norm)]
        {
            warnings.extend(normalised_warnings(table, counts, &schema));
        }
        let employee_columns = employee_columns.stack()?;
        if !emp.stored.in_memory() || !cus.stored.in_memory() || mentions.as_ref().is_some_and(|m| !m.in_memory()) {
            release_free_memory();
        }
        warnings.extend(scale_warning(&values.satisfaction, schema.satisfaction_scale()));
        Ok(Study {
            index,
            employees: emp.stored,
            employee_columns,
            customers: cus.stored,
            satisfaction: values.satisfaction,
            customer_weights: values.weights,
            mentions,
            schema,
            warnings,
            engagement_items: items,
            customers_dropped,
        })
    }

    /// The validated employees table. For a study scanned from Parquet
    /// ([`Study::from_inputs`]) it is read back from the file on the first call (and kept).
    pub fn employees(&self) -> Result<&DataFrame> {
        self.employees.get(&self.schema)
    }
    /// The validated employees' columns the analyses read, in row order: all of them for a
    /// table in memory; for a scanned one, all but the keys the index codes (study, unit,
    /// employee_id, sector).
    pub fn employee_columns(&self) -> &DataFrame {
        &self.employee_columns
    }
    /// The validated customers table, read back from its file on the first call for a scanned
    /// study (and kept).
    pub fn customers(&self) -> Result<&DataFrame> {
        self.customers.get(&self.schema)
    }

    /// Whether the customers were validated by a streaming scan and are not held in memory.
    pub fn is_scanned(&self) -> bool {
        !self.customers.in_memory()
    }

    /// Number of customers.
    pub fn n_customers(&self) -> usize {
        self.satisfaction.len()
    }

    /// Satisfaction of every customer, in row order.
    pub fn satisfaction(&self) -> &[f64] {
        &self.satisfaction
    }

    /// Survey weight of every customer, in row order, when the customers table has a `weight`
    /// column (kept by the streaming scan as by the in-memory table). A missing weight is NaN
    /// here; the weighted analyses refuse it (`MissingValue` naming table 'customers', column
    /// 'weight' and the rows), see `analysis::frame::customer_weights`.
    pub fn customer_weights(&self) -> Option<&[f64]> {
        self.customer_weights.as_deref()
    }
    /// Whether the study has mentions (a non-empty mentions table).
    pub fn has_mentions(&self) -> bool {
        self.mentions.is_some()
    }
    /// The validated mentions table, if the study has one (read back from its file on the
    /// first call for a scanned study, and kept).
    pub fn mentions(&self) -> Result<Option<&DataFrame>> {
        self.mentions.as_ref().map(|m| m.get(&self.schema)).transpose()
    }
    /// Calls `each(first row, texts)` on the mentions' `text` column: once with the whole
    /// column in memory, slice by slice from the file of a scanned study; not at all without
    /// mentions or texts.
    pub fn visit_mention_texts(&self, each: &mut dyn FnMut(usize, &StringChunked) -> Result<()>) -> Result<()> {
        let Some(m) = &self.mentions else { return Ok(()) };
        match (m.df.get(), &m.source) {
            (Some(df), _) => match df.column("text") {
                Ok(t) => each(0, t.str()?),
                Err(_) => Ok(()),
            },
            (None, Some(source)) if m.left_out.is_empty() => visit_texts(source, &self.schema, BATCH_ROWS, each),
            (None, Some(source)) => {
                // rows numbered among those kept: the mentions left out are skipped
                let left_out = &m.left_out;
                visit_texts(source, &self.schema, BATCH_ROWS, &mut |offset, texts| {
                    let before = left_out.partition_point(|&r| (r as usize) < offset);
                    let kept = texts.filter(&keep_mask(offset, texts.len(), left_out))?;
                    each(offset - before, &kept)
                })
            }
            (None, None) => unreachable!("a table not in memory has a source"),
        }
    }
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
    /// Customers left out at validation for a missing satisfaction (`missing_satisfaction =
    /// "drop"`), in all studies.
    pub fn customers_dropped(&self) -> u64 {
        self.customers_dropped.iter().sum()
    }
    /// Data-quality warnings found at validation (units on one side only, ...).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
    /// The engagement item columns, when engagement was computed from items.
    pub fn engagement_items(&self) -> Option<&[Vec<f64>]> {
        self.engagement_items.as_deref()
    }

    /// Study and unit codes, and the mentions resolved to their respondents.
    pub fn index(&self) -> &StudyIndex {
        &self.index
    }

    /// Study names, sorted.
    pub fn study_names(&self) -> Result<Vec<String>> {
        Ok(self.index.studies.clone())
    }

    /// One row per study: sector (when known), units, employees, customers, mentions,
    /// share of customer-facing employees, mean engagement, share of satisfied customers, and
    /// the customers left out at validation for a missing satisfaction (`customers_dropped`).
    pub fn summary(&self) -> Result<DataFrame> {
        let ix = &self.index;
        let n = ix.studies.len();
        let count = |codes: &[u32]| {
            let mut out = vec![0u64; n];
            for &s in codes {
                out[s as usize] += 1;
            }
            out
        };
        let (emp_n, cus_n) = (count(&ix.emp_study), count(&ix.cus_study));
        let men_n = ix.mentions.as_ref().map_or(vec![0; n], |m| count(&m.study));
        // a study's units: those with a respondent on either side (units are sorted by study)
        let mut units = vec![0u64; n];
        for u in &ix.units {
            units[u.study as usize] += 1;
        }
        let sector = ix.sectors.clone();
        let (mut facing, mut engagement) = (vec![0.0; n], vec![0.0; n]);
        let cf = self.employee_columns.column("customer_facing")?.bool()?;
        let en = self.employee_columns.column("engagement")?.f64()?;
        for ((&s, b), e) in ix.emp_study.iter().zip(cf.iter()).zip(en.iter()) {
            facing[s as usize] += f64::from(u8::from(b.unwrap_or_default()));
            engagement[s as usize] += e.unwrap_or_default();
        }
        let threshold = self.schema.satisfied_threshold();
        let mut satisfied = vec![0.0; n];
        for (&s, &v) in ix.cus_study.iter().zip(&self.satisfaction) {
            satisfied[s as usize] += f64::from(u8::from(v >= threshold));
        }
        let ratio = |num: &[f64], den: &[u64]| -> Vec<Option<f64>> {
            num.iter().zip(den).map(|(a, &d)| (d > 0).then(|| a / d as f64)).collect()
        };
        let df = DataFrame::new_infer_height(vec![
            Column::new("study".into(), &ix.studies),
            Column::new("sector".into(), sector),
            Column::new("units".into(), units),
            Column::new("employees".into(), &emp_n),
            Column::new("customers".into(), &cus_n),
            Column::new("mentions".into(), men_n),
            Column::new("customer_facing_share".into(), ratio(&facing, &emp_n)),
            Column::new("mean_engagement".into(), ratio(&engagement, &emp_n)),
            Column::new("share_satisfied".into(), ratio(&satisfied, &cus_n)),
            Column::new("customers_dropped".into(), &self.customers_dropped),
        ])?;
        let Some(items) = self.engagement_items.as_deref() else { return Ok(df) };
        // Cronbach's alpha of the engagement items per study, on the complete cases (listwise:
        // employees who answered every item; reverse-coded items already reversed), with their count
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, &st) in ix.emp_study.iter().enumerate() {
            if items.iter().all(|c| c[i].is_finite()) {
                rows[st as usize].push(i);
            }
        }
        let (mut alpha, mut complete) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for r in &rows {
            complete.push(r.len() as u64);
            let cols: Vec<Vec<f64>> = items.iter().map(|c| r.iter().map(|&i| c[i]).collect()).collect();
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            alpha.push(
                crate::stats::reliability::cronbach_alpha(&refs, 0.95)
                    .ok()
                    .map(|t| t.estimate)
                    .filter(|a| a.is_finite()),
            );
        }
        let mut df = df;
        df.with_column(Column::new("engagement_alpha".into(), alpha))?;
        df.with_column(Column::new("alpha_complete_cases".into(), complete))?;
        Ok(df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::schema::MissingPolicy;
    use crate::error::MiroirError;

    fn tables(sat: [Option<f64>; 4]) -> (DataFrame, DataFrame, DataFrame) {
        let emp = df!(
            "study" => ["s", "s"], "unit" => ["a", "b"], "employee_id" => ["e1", "e2"],
            "customer_facing" => [true, false], "engagement" => [50.0, 60.0],
        )
        .unwrap();
        let cus = df!(
            "study" => ["s"; 4], "unit" => ["a", "a", "b", "b"], "customer_id" => ["c1", "c2", "c3", "c4"],
            "satisfaction" => sat,
        )
        .unwrap();
        let men = df!(
            "study" => ["s"; 4], "side" => ["customer", "customer", "employee", "customer"],
            "respondent_id" => ["c2", "c1", "e1", "c2"], "theme" => ["only_c2", "t", "t", "t"],
            "valence" => ["positive", "negative", "positive", "negative"],
        )
        .unwrap();
        (emp, cus, men)
    }

    #[test]
    fn missing_satisfaction_drops_the_customer_and_their_mentions() {
        let (emp, cus, men) = tables([Some(8.0), None, Some(f64::NAN), Some(3.0)]);
        let s = Study::new(emp, cus, Some(men), Schema::default()).unwrap();
        assert_eq!(s.satisfaction(), &[8.0, 3.0]);
        assert_eq!(s.customers_dropped(), 2);
        let m = s.index().mentions.as_ref().unwrap();
        assert_eq!(m.respondent, vec![0, 0]); // c1 (customer row 0), e1 (employee row 0)
        assert_eq!(m.themes, vec!["t".to_string()]); // the theme of c2 alone is gone
        assert_eq!(s.mentions().unwrap().unwrap().height(), 2);
        assert!(s.warnings().iter().any(|w| w.contains("2 customer(s) without a satisfaction answer left out, and their 2 mention(s)")));
        let summary = s.summary().unwrap();
        assert_eq!(summary.column("customers_dropped").unwrap().u64().unwrap().get(0), Some(2));
    }

    #[test]
    fn refuse_and_all_dropped_are_typed_errors() {
        let (emp, cus, men) = tables([Some(8.0), None, Some(5.0), Some(3.0)]);
        let refuse = Schema::builder().missing_satisfaction(MissingPolicy::Refuse).build();
        let err = Study::new(emp.clone(), cus, Some(men.clone()), refuse.unwrap()).unwrap_err();
        assert!(matches!(err, MiroirError::MissingValue { ref column, .. } if column == "satisfaction"), "{err}");
        let (_, none, _) = tables([None; 4]);
        let err = Study::new(emp, none, Some(men), Schema::default()).unwrap_err();
        assert!(matches!(err, MiroirError::EmptyTable { .. }), "{err}");
    }
}
