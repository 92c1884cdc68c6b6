//! The mirror analyses (DESIGN.md, "The analyses"): linkage, engagement gap by exposure, the six
//! moments, the published indicators, and the report that gathers them. Each returns a tidy
//! polars DataFrame with documented columns.

pub mod exposure_gap;
pub mod frame;
pub mod indicators;
pub mod linkage;
pub mod moments;
pub mod units;

use crate::data::Study;
use crate::error::Result;
use polars::prelude::DataFrame;

pub use exposure_gap::{exposure_gap, GapOptions};
pub use indicators::{indicators, IndicatorOptions};
pub use linkage::{linkage, By, CorrelationMethod, LinkageOptions, Outcome};
pub use moments::{moment_effects, moments, MomentOptions};
pub use units::unit_table;

/// Every table of a mirror-study report.
#[derive(Debug, Clone)]
pub struct Report {
    pub summary: DataFrame,
    pub indicators: DataFrame,
    pub linkage: DataFrame,
    pub units: DataFrame,
    pub exposure_gap: DataFrame,
    /// `None` when the study has no mentions.
    pub moments: Option<DataFrame>,
    pub moment_effects: Option<DataFrame>,
    pub warnings: Vec<String>,
}

/// Options of the whole report (each analysis' own options).
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub linkage: LinkageOptions,
    pub gap: GapOptions,
    pub moments: MomentOptions,
    pub indicators: IndicatorOptions,
}

/// Runs every analysis on a study.
pub fn report(study: &Study, o: &ReportOptions) -> Result<Report> {
    let (moments, moment_effects) = if study.mentions().is_some() {
        (Some(moments(study, &o.moments)?), Some(moment_effects(study, &o.moments)?))
    } else {
        (None, None)
    };
    Ok(Report {
        summary: study.summary()?,
        indicators: indicators(study, &o.indicators)?,
        linkage: linkage(study, &o.linkage)?,
        units: unit_table(study)?,
        exposure_gap: exposure_gap(study, &o.gap)?,
        moments,
        moment_effects,
        warnings: study.warnings().to_vec(),
    })
}
