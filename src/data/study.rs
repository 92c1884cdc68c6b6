//! A validated mirror study: the three canonical tables and the schema they were read with.

use super::schema::{Schema, Table};
use super::validate::{check_mentions, check_unique_ids, clean_table, count_by, one_sided_units};
use crate::error::Result;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// A validated mirror study. Built only through [`Study::new`] (or the loaders), so every
/// analysis can rely on canonical column names, dtypes, ranges and unique ids.
#[derive(Debug, Clone)]
pub struct Study {
    employees: DataFrame,
    customers: DataFrame,
    mentions: Option<DataFrame>,
    schema: Schema,
    warnings: Vec<String>,
    /// Likert item columns the engagement index was built from (kept for Cronbach's alpha).
    engagement_items: Option<Vec<Vec<f64>>>,
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
        let (emp, items) = clean_table(employees, Table::Employees, &schema)?;
        let (cus, _) = clean_table(customers, Table::Customers, &schema)?;
        check_unique_ids(&emp.df, Table::Employees, "employee_id")?;
        check_unique_ids(&cus.df, Table::Customers, "customer_id")?;
        let mut warnings = one_sided_units(&emp.df, &cus.df)?;
        let mentions = match mentions {
            None => None,
            Some(m) if m.height() == 0 && m.width() == 0 => None,
            Some(m) => {
                let mut m = m;
                if m.height() == 0 {
                    // An empty mentions table is allowed (no verbatim coded yet) but must still
                    // have the right columns; clean_table refuses empty tables, so check here.
                    super::validate::apply_mapping(&mut m, Table::Mentions, &schema)?;
                    warnings.push("the mentions table is empty: no moments can be computed".into());
                    None
                } else {
                    let (men, _) = clean_table(m, Table::Mentions, &schema)?;
                    check_mentions(&men.df, &emp.df, &cus.df)?;
                    Some(men.df)
                }
            }
        };
        Ok(Study {
            employees: emp.df,
            customers: cus.df,
            mentions,
            schema,
            warnings,
            engagement_items: items,
        })
    }

    pub fn employees(&self) -> &DataFrame {
        &self.employees
    }
    pub fn customers(&self) -> &DataFrame {
        &self.customers
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

    /// Study names, sorted.
    pub fn study_names(&self) -> Result<Vec<String>> {
        let mut set = BTreeSet::new();
        for df in [&self.employees, &self.customers] {
            for s in df.column("study")?.str()?.iter().map(Option::unwrap_or_default) {
                if !set.contains(s) {
                    set.insert(s.to_string());
                }
            }
        }
        Ok(set.into_iter().collect())
    }

    /// One row per study: sector (when known), units, employees, customers, mentions,
    /// share of customer-facing employees, mean engagement, share of satisfied customers.
    pub fn summary(&self) -> Result<DataFrame> {
        let studies = self.study_names()?;
        let emp_n = count_by(&self.employees, "study")?;
        let cus_n = count_by(&self.customers, "study")?;
        let men_n = match &self.mentions {
            Some(m) => count_by(m, "study")?,
            None => Default::default(),
        };
        let mut units: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut sector: BTreeMap<String, String> = BTreeMap::new();
        for df in [&self.employees, &self.customers] {
            let s = df.column("study")?.str()?;
            let u = df.column("unit")?.str()?;
            for (a, b) in s.iter().map(Option::unwrap_or_default).zip(u.iter().map(Option::unwrap_or_default)) {
                units.entry(a).or_default().insert(b);
            }
            if let Ok(sec) = df.column("sector") {
                for (a, b) in s.iter().map(Option::unwrap_or_default).zip(sec.str()?.iter()) {
                    if let Some(b) = b {
                        sector.entry(a.to_string()).or_insert_with(|| b.to_string());
                    }
                }
            }
        }
        let mut facing: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        let st = self.employees.column("study")?.str()?;
        let cf = self.employees.column("customer_facing")?.bool()?;
        let en = self.employees.column("engagement")?.f64()?;
        for ((a, b), e) in st.iter().map(Option::unwrap_or_default).zip(cf.iter().map(Option::unwrap_or_default)).zip(en.iter().map(Option::unwrap_or_default)) {
            let entry = facing.entry(a).or_insert((0.0, 0.0));
            entry.0 += f64::from(u8::from(b));
            entry.1 += e;
        }
        let threshold = self.schema.satisfied_threshold();
        let mut satisfied: BTreeMap<&str, f64> = BTreeMap::new();
        let st = self.customers.column("study")?.str()?;
        let sa = self.customers.column("satisfaction")?.f64()?;
        for (a, v) in st.iter().map(Option::unwrap_or_default).zip(sa.iter().map(Option::unwrap_or_default)) {
            *satisfied.entry(a).or_insert(0.0) += f64::from(u8::from(v >= threshold));
        }
        let get = |m: &std::collections::HashMap<String, usize>, s: &str| *m.get(s).unwrap_or(&0) as u64;
        let ratio = |num: f64, den: u64| if den == 0 { None } else { Some(num / den as f64) };
        let df = DataFrame::new_infer_height(vec![
            Column::new("study".into(), &studies),
            Column::new(
                "sector".into(),
                studies.iter().map(|s| sector.get(s).cloned()).collect::<Vec<Option<String>>>(),
            ),
            Column::new(
                "units".into(),
                studies.iter().map(|s| units.get(s.as_str()).map_or(0, |u| u.len() as u64)).collect::<Vec<u64>>(),
            ),
            Column::new("employees".into(), studies.iter().map(|s| get(&emp_n, s)).collect::<Vec<u64>>()),
            Column::new("customers".into(), studies.iter().map(|s| get(&cus_n, s)).collect::<Vec<u64>>()),
            Column::new("mentions".into(), studies.iter().map(|s| get(&men_n, s)).collect::<Vec<u64>>()),
            Column::new(
                "customer_facing_share".into(),
                studies
                    .iter()
                    .map(|s| facing.get(s.as_str()).and_then(|f| ratio(f.0, get(&emp_n, s))))
                    .collect::<Vec<Option<f64>>>(),
            ),
            Column::new(
                "mean_engagement".into(),
                studies
                    .iter()
                    .map(|s| facing.get(s.as_str()).and_then(|f| ratio(f.1, get(&emp_n, s))))
                    .collect::<Vec<Option<f64>>>(),
            ),
            Column::new(
                "share_satisfied".into(),
                studies
                    .iter()
                    .map(|s| satisfied.get(s.as_str()).and_then(|v| ratio(*v, get(&cus_n, s))))
                    .collect::<Vec<Option<f64>>>(),
            ),
        ])?;
        Ok(df)
    }
}
