//! The published indicators ([`crate::analysis::indicators`]) by parts.
//!
//! Three of the eight figures come from other sections: the uplift and the satisfaction of the
//! high-engagement units from the pooled linkage row ([`super::linkage`]), the front-line gap
//! from the per-study exposure-gap rows; [`IndicatorPart::finish`] takes them as the report
//! does. The five others are shares of the employees' answers ([`SHARES`]), pooled over the
//! studies, whose sufficient statistics per study are, for each share:
//! - without weights, the number of answers `n` and of hits `k`: the interval of
//!   [`proportion_ci`]`(Σk, Σn)` is the single-machine one bit for bit;
//! - with employee weights, also the largest weight of the answers `M_s` and the sums of the
//!   weights divided by it, `Σu`, `Σu²`, `Σu·hit` (`u = w / M_s`). Rescaled to the overall
//!   largest weight `M = max M_s` (`Σ_s (M_s/M)·Σu`, `Σ_s (M_s/M)²·Σu²`, ...) they are the sums
//!   of [`weighted_proportion_ci`](crate::stats::proportions::weighted_proportion_ci), summed
//!   in another order (within 1e-15 relative); the share and its interval on Kish's effective
//!   n then come from [`weighted_proportion_of_sums`], the function the single-machine path
//!   ends with.
//!
//! A part holds six numbers per share and study (no per-employee data). A column absent from
//! every study is absent (the figure says so); one present in some studies only counts their
//! answers (the others have none), as a table stacked with missing columns as nulls would.

use crate::analysis::exposure_gap::GapRow;
use crate::analysis::indicators::{absent, answers, figures, share_figure, Indicator, IndicatorOptions, SHARES};
use crate::analysis::frame::{employee_weights, floats};
use crate::analysis::linkage::LinkageRow;
use crate::data::Study;
use crate::error::Result;
use crate::stats::proportions::{proportion_ci, weighted_proportion_of_sums};
use std::collections::BTreeMap;

/// The answers of one share in one study.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct ShareSums {
    /// Employees who answered, and who answered yes.
    pub n: u64,
    pub k: u64,
    /// With weights: the largest weight of the answers `M`, and `Σu`, `Σu²`, `Σu·hit` for
    /// `u = w / M` (0 without weights or answers).
    pub w_max: f64,
    pub sw: f64,
    pub sw2: f64,
    pub sk: f64,
}

/// The shares of one study, and whether its tables have weights.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StudyShares {
    /// One entry per [`SHARES`] figure, `None` when its column is absent.
    pub shares: Vec<Option<ShareSums>>,
    pub employee_weights: bool,
    pub customer_weights: bool,
}

/// The answers of some whole studies to the shares of the indicators, keyed by study.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IndicatorPart {
    pub studies: BTreeMap<String, StudyShares>,
}

impl IndicatorPart {
    /// The part of a study holding whole studies (the options only enter the finalisation).
    /// Missing employee weights are refused as on one machine (rows numbered in the part).
    pub fn of(study: &Study) -> Result<IndicatorPart> {
        let df = study.employee_columns();
        let ix = study.index();
        let weighted = employee_weights(study, "indicators")?.is_some();
        let w = if weighted { Some(floats(df, "weight")?) } else { None };
        let n_studies = ix.studies.len();
        let mut per_study: Vec<Vec<Option<ShareSums>>> = vec![Vec::new(); n_studies];
        for &(_, column, answer) in &SHARES {
            let Some(x) = answers(df, column, answer)? else {
                per_study.iter_mut().for_each(|s| s.push(None));
                continue;
            };
            let mut sums = vec![ShareSums::default(); n_studies];
            if let Some(w) = &w {
                for (i, &s) in ix.emp_study.iter().enumerate() {
                    if x[i].is_some() {
                        sums[s as usize].w_max = sums[s as usize].w_max.max(w[i]);
                    }
                }
            }
            for (i, &s) in ix.emp_study.iter().enumerate() {
                let Some(hit) = x[i] else { continue };
                let t = &mut sums[s as usize];
                t.n += 1;
                t.k += u64::from(hit);
                if let Some(w) = &w {
                    let u = w[i] / t.w_max;
                    t.sw += u;
                    t.sw2 += u * u;
                    if hit {
                        t.sk += u;
                    }
                }
            }
            per_study.iter_mut().zip(sums).for_each(|(s, t)| s.push(Some(t)));
        }
        let customer_weights = study.customer_weights().is_some();
        let studies = ix
            .studies
            .iter()
            .zip(per_study)
            .map(|(name, shares)| {
                (name.clone(), StudyShares { shares, employee_weights: weighted, customer_weights })
            })
            .collect();
        Ok(IndicatorPart { studies })
    }

    /// The union of two parts (a study in both is refused).
    pub fn merge(mut self, other: IndicatorPart) -> Result<IndicatorPart> {
        super::union(&mut self.studies, other.studies)?;
        Ok(self)
    }

    /// The eight figures of [`crate::analysis::indicators::indicator_rows_from`] on the union of
    /// the parts' studies, from the pooled linkage row and the per-study gap rows computed with
    /// the options of [`crate::analysis::indicators::inputs_of`]`(o)`.
    pub fn finish(&self, o: &IndicatorOptions, pooled_link: &LinkageRow, gaps: &[GapRow]) -> Result<Vec<Indicator>> {
        let weighted = self.studies.values().any(|s| s.employee_weights);
        let customer_weighted = self.studies.values().any(|s| s.customer_weights);
        let share_of = |j: usize| -> Result<Indicator> {
            let (i, column, _) = SHARES[j];
            let sums: Vec<&ShareSums> = self.studies.values().filter_map(|s| s.shares[j].as_ref()).collect();
            if sums.is_empty() {
                return Ok(absent(i, column));
            }
            let n: u64 = sums.iter().map(|t| t.n).sum();
            share_figure(i, n, || {
                if !weighted {
                    let k: u64 = sums.iter().map(|t| t.k).sum();
                    return proportion_ci(k, n, o.ci_method, o.confidence);
                }
                let answered: Vec<&&ShareSums> = sums.iter().filter(|t| t.n > 0).collect();
                let w_max = answered.iter().fold(0.0_f64, |m, t| m.max(t.w_max));
                let (mut sw, mut sw2, mut sk) = (0.0, 0.0, 0.0);
                for t in answered {
                    let r = t.w_max / w_max;
                    sw += r * t.sw;
                    sw2 += r * r * t.sw2;
                    sk += r * t.sk;
                }
                weighted_proportion_of_sums(n, sw, sw2, sk, o.ci_method, o.confidence)
            })
        };
        figures(share_of, o, pooled_link, gaps, customer_weighted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::exposure_gap::gap_rows;
    use crate::analysis::indicators::{indicator_rows, indicator_rows_from, inputs_of};
    use crate::analysis::linkage::linkage_rows;
    use crate::partial::linkage::LinkagePart;
    use crate::partial::testing::{close, cut, merge_randomly, round_trip, sample_study, sample_weighted_study};
    use crate::stats::proportions::ProportionMethod;
    use polars::prelude::*;

    fn part_of(whole: &Study, k: usize, seed: u64) -> IndicatorPart {
        let parts: Vec<IndicatorPart> =
            cut(whole, k, seed).unwrap().iter().map(|s| round_trip(&IndicatorPart::of(s).unwrap()).unwrap()).collect();
        merge_randomly(parts, seed ^ 0x1d, IndicatorPart::merge).unwrap()
    }

    /// Counts and texts exactly; numbers bit for bit when `exact`, else within 1e-12.
    fn same(got: &[Indicator], expected: &[Indicator], exact: bool) {
        assert_eq!(got.len(), expected.len());
        for (a, b) in got.iter().zip(expected) {
            assert_eq!((a.id, a.n, &a.method, &a.note, a.published), (b.id, b.n, &b.method, &b.note, b.published));
            for (x, y) in [(a.estimate, b.estimate), (a.ci_low, b.ci_low), (a.ci_high, b.ci_high)] {
                let ok = if exact { x.to_bits() == y.to_bits() } else { close(x, y, 1e-12) };
                assert!(ok, "{}: {x} vs {y}", a.id);
            }
        }
    }

    fn check(whole: &Study, o: &IndicatorOptions, exact: bool) {
        let (need_link, need_gap) = inputs_of(o);
        let link = linkage_rows(whole, &need_link).unwrap();
        let gaps = gap_rows(whole, &need_gap).unwrap();
        let expected = indicator_rows_from(whole, o, link.last().unwrap(), &gaps).unwrap();
        assert!(expected.iter().all(|i| i.note.as_deref() != Some("no answers")));
        for k in [1, 2, 3, 7] {
            for seed in [1, 2] {
                let got = part_of(whole, k, seed).finish(o, link.last().unwrap(), &gaps).unwrap();
                same(&got, &expected, exact);
            }
        }
    }

    fn options(ci_method: ProportionMethod, confidence: f64) -> IndicatorOptions {
        let mut o = IndicatorOptions { ci_method, confidence, ..Default::default() };
        o.linkage.n_resamples = 0;
        o
    }

    #[test]
    fn unweighted_shares_are_the_single_machine_ones_bit_for_bit() {
        let whole = sample_study(1).unwrap();
        check(&whole, &options(ProportionMethod::Wilson, 0.95), true);
        check(&whole, &options(ProportionMethod::ClopperPearson, 0.9), true);
    }

    #[test]
    fn weighted_shares_agree_to_1e_12() {
        let whole = sample_weighted_study(2).unwrap();
        check(&whole, &options(ProportionMethod::Wilson, 0.95), false);
        check(&whole, &options(ProportionMethod::ClopperPearson, 0.99), false);
    }

    #[test]
    fn with_the_pooled_row_of_the_linkage_part_the_figures_are_those_of_one_machine() {
        let whole = sample_weighted_study(3).unwrap();
        let o = IndicatorOptions { linkage: crate::analysis::linkage::LinkageOptions { n_resamples: 199, ..Default::default() }, ..Default::default() };
        let (need_link, need_gap) = inputs_of(&o);
        let gaps = gap_rows(&whole, &need_gap).unwrap();
        let expected = indicator_rows(&whole, &o).unwrap();
        let parts = cut(&whole, 3, 3).unwrap();
        let link = parts.iter().map(|s| LinkagePart::of(s, &need_link).unwrap()).reduce(|a, b| a.merge(b).unwrap()).unwrap();
        let pooled = link.finish(&need_link).unwrap().pop().unwrap();
        let ind = parts.iter().map(|s| IndicatorPart::of(s).unwrap()).reduce(|a, b| a.merge(b).unwrap()).unwrap();
        same(&ind.finish(&o, &pooled, &gaps).unwrap(), &expected, false);
    }

    #[test]
    fn absent_columns_and_missing_answers() {
        let whole = sample_study(4).unwrap();
        let mut e = whole.employees().unwrap().clone();
        // no can_contribute column; has_ideas missing for a whole study
        let _ = e.drop_in_place("can_contribute").unwrap();
        let first = whole.study_names().unwrap()[0].clone();
        let in_first: BooleanChunked = e.column("study").unwrap().str().unwrap().iter().map(|s| Some(s == Some(first.as_str()))).collect();
        let ideas = e.column("has_ideas").unwrap().bool().unwrap().clone();
        let nulled: BooleanChunked = ideas.iter().zip(in_first.iter()).map(|(v, f)| if f == Some(true) { None } else { v }).collect();
        e.with_column(nulled.into_series().with_name("has_ideas".into()).into_column()).unwrap();
        let s = Study::new(e, whole.customers().unwrap().clone(), whole.mentions().unwrap().cloned(), whole.schema().clone()).unwrap();
        let o = options(ProportionMethod::Wilson, 0.95);
        let (need_link, need_gap) = inputs_of(&o);
        let link = linkage_rows(&s, &need_link).unwrap();
        let gaps = gap_rows(&s, &need_gap).unwrap();
        let expected = indicator_rows_from(&s, &o, link.last().unwrap(), &gaps).unwrap();
        assert_eq!(expected[0].note.as_deref(), Some("column 'can_contribute' is absent from the employees table"));
        for k in [1, 3, 7] {
            same(&part_of(&s, k, 5).finish(&o, link.last().unwrap(), &gaps).unwrap(), &expected, true);
        }
        // a study in two parts
        let a = IndicatorPart::of(&s).unwrap();
        let b = IndicatorPart::of(&cut(&s, 2, 1).unwrap()[0]).unwrap();
        assert!(a.merge(b).unwrap_err().to_string().contains("is in two partitions"));
    }
}
