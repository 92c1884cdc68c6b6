//! Synthetic mirror studies: the generative model ([`model`]) and its conversion into a
//! validated [`Study`] with the canonical columns.

pub mod model;
pub mod themes;
mod themes_data;
pub mod verbatims;

use crate::data::{Schema, Study};
use crate::error::{MiroirError, Result};
use model::{SynthConfig, Synthetic};
use polars::prelude::*;

/// Generates a synthetic study and validates it like any other.
///
/// Long generations poll [`crate::interrupt::checkpoint`] between their phases: cancelled, the
/// call returns [`StatsError::Interrupted`](crate::stats::StatsError::Interrupted).
pub fn synthetic_study(cfg: &SynthConfig) -> Result<Study> {
    Ok(generate_study(cfg, None)?.0)
}

/// The synthetic study of `cfg` with its raw verbatims ([`verbatims::to_frames`]: the
/// verbatims table and the truth, one row per true code), generated once.
pub fn synthetic_study_with_verbatims(cfg: &SynthConfig, p: &verbatims::VerbatimParams) -> Result<(Study, DataFrame, DataFrame)> {
    let (study, v) = generate_study(cfg, Some(p))?;
    let (v, truth) = v.expect("verbatims were asked for");
    Ok((study, v, truth))
}

type Verbatims = Option<(DataFrame, DataFrame)>;

fn generate_study(cfg: &SynthConfig, verbatim_params: Option<&verbatims::VerbatimParams>) -> Result<(Study, Verbatims)> {
    let checkpoint = crate::interrupt::checkpoint();
    let stop = || checkpoint.check().map_err(|_| MiroirError::Stats(crate::stats::StatsError::Interrupted));
    let synth = model::generate_for(cfg, "synthetic_study")?;
    stop()?;
    let raw = match verbatim_params {
        None => None,
        Some(p) => {
            let v = verbatims::verbatims(&synth, cfg, p);
            stop()?;
            Some(verbatims::to_frames(&synth, &v)?)
        }
    };
    let (employees, customers, mentions) = to_frames(&synth)?;
    drop(synth);
    stop()?;
    Ok((Study::new(employees, customers, Some(mentions), Schema::default())?, raw))
}

/// Employee and customer ids: the study name, a letter and a zero-padded row number.
fn ids(prefix: char, units: &[u32], synth: &Synthetic) -> Vec<String> {
    let width = units.len().to_string().len().max(6);
    units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let study = &synth.studies[synth.units[*u as usize].study as usize].name;
            format!("{study}-{prefix}{i:0width$}")
        })
        .collect()
}

/// The three canonical tables of a generated study (the unit attributes `sector` and `region`
/// on both respondent tables).
pub fn to_frames(synth: &Synthetic) -> Result<(DataFrame, DataFrame, DataFrame)> {
    let study_of = |u: &u32| synth.studies[synth.units[*u as usize].study as usize].name.as_str();
    let sector_of = |u: &u32| synth.studies[synth.units[*u as usize].study as usize].sector.as_str();
    let unit_of = |u: &u32| synth.units[*u as usize].name.as_str();
    let region_of = |u: &u32| synth.units[*u as usize].region;

    let e = &synth.employees;
    let employee_ids = ids('E', &e.unit, synth);
    let employees = DataFrame::new_infer_height(vec![
        Column::new("study".into(), e.unit.iter().map(study_of).collect::<Vec<&str>>()),
        Column::new("unit".into(), e.unit.iter().map(unit_of).collect::<Vec<&str>>()),
        Column::new("employee_id".into(), &employee_ids),
        Column::new("customer_facing".into(), &e.customer_facing),
        Column::new("engagement".into(), &e.engagement),
        Column::new("can_contribute".into(), &e.can_contribute),
        Column::new("has_ideas".into(), &e.has_ideas),
        Column::new("has_cost_ideas".into(), &e.has_cost_ideas),
        Column::new(
            "asked_about_customers".into(),
            e.asked_about_customers.iter().map(|a| a.as_str()).collect::<Vec<&str>>(),
        ),
        Column::new("tenure_months".into(), &e.tenure_months),
        Column::new("trained_customer".into(), &e.trained_customer),
        Column::new("informed".into(), &e.informed),
        Column::new("manager_support".into(), &e.manager_support),
        Column::new("sector".into(), e.unit.iter().map(sector_of).collect::<Vec<&str>>()),
        Column::new("region".into(), e.unit.iter().map(region_of).collect::<Vec<&str>>()),
    ])?;

    let c = &synth.customers;
    let customer_ids = ids('C', &c.unit, synth);
    let customers = DataFrame::new_infer_height(vec![
        Column::new("study".into(), c.unit.iter().map(study_of).collect::<Vec<&str>>()),
        Column::new("unit".into(), c.unit.iter().map(unit_of).collect::<Vec<&str>>()),
        Column::new("customer_id".into(), &customer_ids),
        Column::new("satisfaction".into(), &c.satisfaction),
        Column::new("nps".into(), &c.nps),
        Column::new("sector".into(), c.unit.iter().map(sector_of).collect::<Vec<&str>>()),
        Column::new("region".into(), c.unit.iter().map(region_of).collect::<Vec<&str>>()),
    ])?;

    let m = &synth.mentions;
    let n = m.side.len();
    let mut study = Vec::with_capacity(n);
    let mut side = Vec::with_capacity(n);
    let mut respondent = Vec::with_capacity(n);
    for i in 0..n {
        let r = m.respondent[i] as usize;
        let (unit, id, sd) = if m.side[i] == 0 {
            (&c.unit[r], &customer_ids[r], "customer")
        } else {
            (&e.unit[r], &employee_ids[r], "employee")
        };
        study.push(study_of(unit));
        side.push(sd);
        respondent.push(id.as_str());
    }
    let mentions = DataFrame::new_infer_height(vec![
        Column::new("study".into(), study),
        Column::new("side".into(), side),
        Column::new("respondent_id".into(), respondent),
        Column::new(
            "theme".into(),
            m.theme.iter().map(|t| synth.themes[*t as usize].name.as_str()).collect::<Vec<&str>>(),
        ),
        Column::new(
            "valence".into(),
            m.positive.iter().map(|p| if *p { "positive" } else { "negative" }).collect::<Vec<&str>>(),
        ),
        Column::new(
            "text".into(),
            (0..n)
                .map(|i| themes::text(m.text[i]))
                .collect::<Vec<&str>>(),
        ),
    ])?;
    Ok((employees, customers, mentions))
}
