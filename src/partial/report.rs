//! The whole report from parts: every section's part, merged together, finished together, as
//! [`analysis::report`](crate::analysis::report) runs them on one machine.

use super::drivers::DriverPart;
use super::gap::GapPart;
use super::indicators::IndicatorPart;
use super::linkage::LinkagePart;
use super::moments::MomentPart;
use super::summary::SummaryPart;
use super::units::UnitsPart;
use crate::analysis::linkage::By;
use crate::analysis::{indicators, LinkageOptions, Report, ReportOptions};
use crate::data::Study;
use crate::error::Result;
use std::collections::BTreeMap;

/// The part of the report of some studies.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportPart {
    summary: SummaryPart,
    units: UnitsPart,
    linkage: LinkagePart,
    gap: GapPart,
    indicators: IndicatorPart,
    /// The linkage and gap parts of the indicators' own options, when they are not the
    /// report's (on one machine the indicators then compute their inputs themselves).
    indicator_inputs: Option<(LinkagePart, GapPart)>,
    moments: MomentPart,
    drivers: DriverPart,
    /// The data-quality warnings of each part's validation, keyed by the part's first study.
    warnings: BTreeMap<String, Vec<String>>,
}

/// Whether the report's linkage and gap options are those the indicators need (then their
/// rows are shared, as [`analysis::report`](crate::analysis::report) does).
fn shares_inputs(o: &ReportOptions) -> bool {
    let (need_link, need_gap) = indicators::inputs_of(&o.indicators);
    LinkageOptions { by: By::Pooled, ..o.linkage.clone() } == need_link && o.gap == need_gap
}

impl ReportPart {
    /// The part of a study holding every row of its studies.
    pub fn of(study: &Study, o: &ReportOptions) -> Result<ReportPart> {
        let indicator_inputs = if shares_inputs(o) {
            None
        } else {
            let (need_link, need_gap) = indicators::inputs_of(&o.indicators);
            Some((LinkagePart::of(study, &need_link)?, GapPart::of(study, &need_gap)?))
        };
        let first = study.study_names()?.into_iter().next().unwrap_or_default();
        Ok(ReportPart {
            summary: SummaryPart::of(study)?,
            units: UnitsPart::of(study)?,
            linkage: LinkagePart::of(study, &o.linkage)?,
            gap: GapPart::of(study, &o.gap)?,
            indicators: IndicatorPart::of(study)?,
            indicator_inputs,
            moments: MomentPart::of(study, &o.moments)?,
            drivers: DriverPart::of(study, &o.drivers)?,
            warnings: BTreeMap::from([(first, study.warnings().to_vec())]),
        })
    }

    /// The union of two parts (a study in both is refused).
    pub fn merge(self, other: ReportPart) -> Result<ReportPart> {
        let indicator_inputs = match (self.indicator_inputs, other.indicator_inputs) {
            (Some((la, ga)), Some((lb, gb))) => Some((la.merge(lb)?, ga.merge(gb)?)),
            (None, None) => None,
            _ => {
                return Err(crate::error::MiroirError::InvalidArgument {
                    argument: "partial".into(),
                    detail: "the parts were computed with different report options".into(),
                })
            }
        };
        let mut warnings = self.warnings;
        super::union(&mut warnings, other.warnings)?;
        Ok(ReportPart {
            summary: self.summary.merge(other.summary)?,
            units: self.units.merge(other.units)?,
            linkage: self.linkage.merge(other.linkage)?,
            gap: self.gap.merge(other.gap)?,
            indicators: self.indicators.merge(other.indicators)?,
            indicator_inputs,
            moments: self.moments.merge(other.moments)?,
            drivers: self.drivers.merge(other.drivers)?,
            warnings,
        })
    }

    /// The report of the union of the parts' studies, with the options the parts were
    /// computed with.
    pub fn finish(&self, o: &ReportOptions) -> Result<Report> {
        use crate::analysis::{exposure_gap, linkage};
        let (moments, moment_effects) = if self.moments.has_mentions() {
            let (m, e) = self.moments.finish(&o.moments)?;
            (Some(m), Some(e))
        } else {
            (None, None)
        };
        let link = self.linkage.finish(&o.linkage)?;
        let gaps = self.gap.finish(&o.gap)?;
        let ind_rows = match &self.indicator_inputs {
            None => self.indicators.finish(&o.indicators, &link[link.len() - 1], &gaps)?,
            Some((l, g)) => {
                let (need_link, need_gap) = indicators::inputs_of(&o.indicators);
                let l = l.finish(&need_link)?;
                self.indicators.finish(&o.indicators, &l[l.len() - 1], &g.finish(&need_gap)?)?
            }
        };
        let mut warnings: Vec<String> = self.warnings.values().flatten().cloned().collect();
        let (drivers, driver_warnings) = self.drivers.finish(&o.drivers)?;
        warnings.extend(driver_warnings);
        Ok(Report {
            summary: self.summary.finish()?,
            indicators: indicators::indicator_table(&ind_rows)?,
            linkage: linkage::linkage_table(&link)?,
            units: self.units.table()?,
            exposure_gap: exposure_gap::gap_table(&gaps)?,
            moments,
            moment_effects,
            drivers,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::report;
    use crate::partial::testing::{assert_frames_close, cut, merge_randomly, round_trip, sample_study, sample_weighted_study};

    fn assert_reports_close(got: &Report, want: &Report, what: &str) {
        let tables = |r: &Report| {
            [
                ("summary", Some(r.summary.clone())),
                ("indicators", Some(r.indicators.clone())),
                ("linkage", Some(r.linkage.clone())),
                ("units", Some(r.units.clone())),
                ("exposure_gap", Some(r.exposure_gap.clone())),
                ("moments", r.moments.clone()),
                ("moment_effects", r.moment_effects.clone()),
                ("drivers", r.drivers.clone()),
            ]
        };
        for ((name, g), (_, w)) in tables(got).into_iter().zip(tables(want)) {
            match (g, w) {
                (Some(g), Some(w)) => assert_frames_close(&g, &w, &format!("{what} {name}")),
                (g, w) => assert!(g.is_none() && w.is_none(), "{what} {name}: one side only"),
            }
        }
        assert_eq!(got.warnings, want.warnings, "{what} warnings");
    }

    #[test]
    fn the_report_of_parts_is_the_report_of_the_whole() {
        for (name, study) in [("unweighted", sample_study(11).unwrap()), ("weighted", sample_weighted_study(11).unwrap())] {
            for o in [ReportOptions::with_resamples(0, 0), ReportOptions::with_resamples(199, 5)] {
                let want = report(&study, &o).unwrap();
                for (k, seed) in [(1, 1), (4, 2), (7, 3)] {
                    let parts: Vec<ReportPart> = cut(&study, k, seed)
                        .unwrap()
                        .iter()
                        .map(|s| round_trip(&ReportPart::of(s, &o).unwrap()).unwrap())
                        .collect();
                    let got = merge_randomly(parts, seed, ReportPart::merge).unwrap().finish(&o).unwrap();
                    assert_reports_close(&got, &want, &format!("{name} k={k} n_resamples={}", o.linkage.n_resamples));
                }
            }
        }
    }

    #[test]
    fn options_that_differ_between_the_indicators_and_the_report() {
        // the report's gap adjusted for tenure: the indicators compute their own inputs
        let study = sample_study(12).unwrap();
        let mut o = ReportOptions::with_resamples(0, 0);
        o.gap.covariates = vec!["tenure_months".into()];
        assert!(!shares_inputs(&o));
        let want = report(&study, &o).unwrap();
        let parts: Vec<ReportPart> = cut(&study, 3, 4).unwrap().iter().map(|s| ReportPart::of(s, &o).unwrap()).collect();
        let got = merge_randomly(parts, 4, ReportPart::merge).unwrap().finish(&o).unwrap();
        assert_reports_close(&got, &want, "gap adjusted for tenure");
        // parts of different options are refused
        let a = ReportPart::of(&crate::partial::studies_of(&study, &study.study_names().unwrap()[..1]).unwrap(), &o).unwrap();
        let b = ReportPart::of(
            &crate::partial::studies_of(&study, &study.study_names().unwrap()[1..2]).unwrap(),
            &ReportOptions::default(),
        )
        .unwrap();
        let e = a.merge(b).unwrap_err().to_string();
        assert!(e.contains("different report options"), "{e}");
    }
}
