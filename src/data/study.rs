//! A validated mirror study: the three canonical tables and the schema they were read with.

use super::schema::{Schema, Table};
use super::index::{CustomerSide, StudyIndex};
use super::scan::{read_customers, scan_customers, CustomerSource};
use super::validate::{clean_table, one_sided_units};
use crate::error::Result;
use polars::prelude::*;

/// A validated mirror study. Built only through [`Study::new`] (or the loaders), so every
/// analysis can rely on canonical column names, dtypes, ranges and unique ids.
#[derive(Debug, Clone)]
pub struct Study {
    employees: DataFrame,
    /// The validated customers, or (for a study scanned from Parquet) where to read them back;
    /// read back once on request.
    customers: std::sync::OnceLock<DataFrame>,
    customer_source: Option<CustomerSource>,
    /// Satisfaction of every customer, in row order (all the analyses need of the customers
    /// besides the index).
    satisfaction: Vec<f64>,
    mentions: Option<DataFrame>,
    schema: Schema,
    warnings: Vec<String>,
    /// Likert item columns the engagement index was built from (kept for Cronbach's alpha).
    engagement_items: Option<Vec<Vec<f64>>>,
    /// Study and unit codes of every respondent, mentions resolved to their respondent.
    index: StudyIndex,
}

/// The validated mentions (None when absent or empty) and, for an empty table, the warning.
fn clean_mentions(m: Option<DataFrame>, schema: &Schema) -> Result<(Option<DataFrame>, Option<String>)> {
    match m {
        None => Ok((None, None)),
        Some(m) if m.height() == 0 && m.width() == 0 => Ok((None, None)),
        Some(mut m) if m.height() == 0 => {
            // An empty mentions table is allowed (no verbatim coded yet) but must still have the
            // right columns; clean_table refuses empty tables, so check here.
            super::validate::apply_mapping(&mut m, Table::Mentions, schema)?;
            Ok((None, Some("the mentions table is empty: no moments can be computed".into())))
        }
        Some(m) => Ok((Some(clean_table(m, Table::Mentions, schema)?.0.df), None)),
    }
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
        // The three tables are checked in parallel; errors are reported in table order.
        let ((emp, cus), men) = rayon::join(
            || {
                rayon::join(
                    || clean_table(employees, Table::Employees, &schema),
                    || clean_table(customers, Table::Customers, &schema),
                )
            },
            || clean_mentions(mentions, &schema),
        );
        let (emp, items) = emp?;
        let (cus, _) = cus?;
        let (mentions, empty_mentions) = men?;
        let mut warnings: Vec<String> = empty_mentions.into_iter().collect();
        let index = StudyIndex::build(&emp.df, &cus.df, mentions.as_ref())?;
        warnings.splice(0..0, one_sided_units(&index));
        let satisfaction = super::columns::floats(&cus.df, "satisfaction")?;
        Ok(Study {
            index,
            employees: emp.df,
            customers: std::sync::OnceLock::from(cus.df),
            customer_source: None,
            satisfaction,
            mentions,
            schema,
            warnings,
            engagement_items: items,
        })
    }

    /// Validates a study whose customers are a Parquet file, without holding them in memory:
    /// the file is validated slice by slice (see [`crate::data::scan`]) and only the codes and
    /// satisfaction of each customer are kept. Same checks and errors as [`Study::new`] (an error
    /// in the customers counts the offending rows read up to its slice).
    pub fn from_scan(
        employees: DataFrame,
        customers: &std::path::Path,
        mentions: Option<DataFrame>,
        schema: Schema,
        batch_rows: usize,
    ) -> Result<Study> {
        let (emp, men) = rayon::join(
            || clean_table(employees, Table::Employees, &schema),
            || clean_mentions(mentions, &schema),
        );
        let (emp, items) = emp?;
        let (mentions, empty_mentions) = men?;
        let requests: Vec<(&str, &str, u32)> = match &mentions {
            None => Vec::new(),
            Some(m) => {
                let (st, side, resp) = (m.column("study")?.str()?, m.column("side")?.str()?, m.column("respondent_id")?.str()?);
                st.iter()
                    .zip(side.iter())
                    .zip(resp.iter())
                    .enumerate()
                    .filter(|(_, ((_, sd), _))| *sd == Some("customer"))
                    .map(|(i, ((s, _), r))| (s.unwrap_or_default(), r.unwrap_or_default(), i as u32))
                    .collect()
            }
        };
        let scanned = scan_customers(customers, &schema, &requests, batch_rows)?;
        drop(requests);
        let index = StudyIndex::build_from(
            &emp.df,
            CustomerSide::Scanned { codes: scanned.codes, found: scanned.found, sectors: scanned.sectors },
            mentions.as_ref(),
        )?;
        let mut warnings: Vec<String> = empty_mentions.into_iter().collect();
        warnings.splice(0..0, one_sided_units(&index));
        Ok(Study {
            index,
            employees: emp.df,
            customers: std::sync::OnceLock::new(),
            customer_source: Some(scanned.source),
            satisfaction: scanned.satisfaction,
            mentions,
            schema,
            warnings,
            engagement_items: items,
        })
    }

    pub fn employees(&self) -> &DataFrame {
        &self.employees
    }
    /// The validated customers table. For a study scanned from Parquet ([`Study::from_scan`])
    /// it is read back from the file on the first call (and kept).
    pub fn customers(&self) -> Result<&DataFrame> {
        if let Some(df) = self.customers.get() {
            return Ok(df);
        }
        let source = self.customer_source.as_ref().expect("a study without customers in memory has a source");
        let df = read_customers(source, &self.schema)?;
        Ok(self.customers.get_or_init(|| df))
    }

    /// Whether the customers were validated by a streaming scan and are not held in memory.
    pub fn is_scanned(&self) -> bool {
        self.customer_source.is_some() && self.customers.get().is_none()
    }

    /// Number of customers.
    pub fn n_customers(&self) -> usize {
        self.satisfaction.len()
    }

    /// Satisfaction of every customer, in row order.
    pub fn satisfaction(&self) -> &[f64] {
        &self.satisfaction
    }
    /// The coded mentions, if the study has any.
    pub fn mentions(&self) -> Option<&DataFrame> {
        self.mentions.as_ref()
    }
    pub fn schema(&self) -> &Schema {
        &self.schema
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
    /// share of customer-facing employees, mean engagement, share of satisfied customers.
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
        let cf = self.employees.column("customer_facing")?.bool()?;
        let en = self.employees.column("engagement")?.f64()?;
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
        ])?;
        Ok(df)
    }
}
