//! The mirror analyses (DESIGN.md, "The analyses"): linkage, engagement gap by exposure, the six
//! moments, the published indicators, and the report that gathers them. Each returns a tidy
//! polars DataFrame with documented columns.

pub mod drivers;
pub mod exposure_gap;
pub mod frame;
pub mod indicators;
pub mod linkage;
pub mod linkage_corrected;
pub mod moments;
pub mod multilevel_gap;
pub mod units;

use crate::data::Study;
use crate::error::Result;
use polars::prelude::DataFrame;

pub use drivers::{drivers, DriverOptions};
pub use exposure_gap::{exposure_gap, GapOptions};
pub use indicators::{indicators, IndicatorOptions};
pub use linkage::{linkage, By, CorrelationMethod, LinkageOptions, Outcome};
pub use linkage_corrected::{linkage_corrected, CorrectedLinkageOptions};
pub use moments::{moment_effects, moments, MomentOptions};
pub use multilevel_gap::{multilevel_gap, MultilevelGapOptions};
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
    /// The drivers of engagement (employee level) then of the share satisfied (unit level);
    /// `None` when the employees table has none of the drivers' columns.
    pub drivers: Option<DataFrame>,
    pub warnings: Vec<String>,
}

/// Options of the whole report (each analysis' own options).
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub linkage: LinkageOptions,
    pub gap: GapOptions,
    pub moments: MomentOptions,
    pub indicators: IndicatorOptions,
    /// Options of the drivers section (its `outcome` and `level` are set by the report).
    pub drivers: DriverOptions,
}

impl ReportOptions {
    /// The default options with the bootstraps of the linkage uplift (and the indicator that
    /// reports it) and of the drivers' shares set to `n_resamples` draws from `seed`: the
    /// options of Python's `report(study, n_resamples=, seed=)`.
    pub fn with_resamples(n_resamples: usize, seed: u64) -> ReportOptions {
        let d = ReportOptions::default();
        ReportOptions {
            linkage: LinkageOptions { n_resamples, seed, ..d.linkage },
            indicators: IndicatorOptions { linkage: LinkageOptions { n_resamples, seed, ..d.indicators.linkage }, ..d.indicators },
            drivers: DriverOptions { n_resamples, seed, ..d.drivers },
            ..d
        }
    }
}

/// Runs every analysis on a study.
pub fn report(study: &Study, o: &ReportOptions) -> Result<Report> {
    let (moments, moment_effects) = if study.has_mentions() {
        // the pooled theme rows serve both tables (computed once)
        let pooled = MomentOptions { by: By::Pooled, ..o.moments.clone() };
        let rows = moments::theme_rows(study, &pooled)?;
        let table = if o.moments.by == By::Pooled {
            moments::moments_table(study, &o.moments, &rows)?
        } else {
            moments(study, &o.moments)?
        };
        (Some(table), Some(moments::moment_effects_from(study, &rows)?))
    } else {
        (None, None)
    };
    // The indicators reuse the pooled linkage row and the per-study gaps when the report's
    // options are the ones the indicators need (the default), instead of computing them twice.
    let link = linkage::linkage_rows(study, &o.linkage)?;
    let gaps = exposure_gap::gap_rows(study, &o.gap)?;
    let (need_link, need_gap) = indicators::inputs_of(&o.indicators);
    let same_link = LinkageOptions { by: By::Pooled, ..o.linkage.clone() } == need_link;
    let same_gap = o.gap == need_gap;
    let ind_rows = if same_link && same_gap {
        indicators::indicator_rows_from(study, &o.indicators, &link[link.len() - 1], &gaps)?
    } else {
        indicators::indicator_rows(study, &o.indicators)?
    };
    let mut warnings = study.warnings().to_vec();
    let drivers = report_drivers(study, &o.drivers, &mut warnings)?;
    Ok(Report {
        summary: study.summary()?,
        indicators: indicators::indicator_table(&ind_rows)?,
        linkage: linkage::linkage_table(&link)?,
        units: unit_table(study)?,
        exposure_gap: exposure_gap::gap_table(&gaps)?,
        moments,
        moment_effects,
        drivers,
        warnings,
    })
}

/// The report's drivers section ([`drivers::report_section`]); none when the study has no
/// driver column.
fn report_drivers(study: &Study, o: &DriverOptions, warnings: &mut Vec<String>) -> Result<Option<DataFrame>> {
    if o.drivers.is_none() && drivers::available_drivers(study).is_empty() {
        return Ok(None);
    }
    drivers::report_section(o, warnings, |opts| drivers(study, opts))
}
