//! The linkage table ([`crate::analysis::linkage`]) by parts.
//!
//! A study's row depends on its study alone (its linkable units, the ICC of its employees, its
//! high-engagement units, its own uplift bootstrap): it is computed in [`LinkagePart::of`] by
//! the single-machine code and equals the whole's row bit for bit. The pooled row needs, per
//! study:
//! - its **linkable units** ([`Unit`]: counts, unit means, weight sums; one per unit), from
//!   which the pooled correlation, the high-engagement contrast (the union of the per-study
//!   high units, recomputed by the same function) and the top-share uplift with its unit
//!   bootstrap (the same units in the same order, so the same seeded draws) are recomputed
//!   exactly as on one machine;
//! - the **engagement moments of each unit** with employees ([`GroupMoments`]: `n`, mean and
//!   sum of squared deviations, linkable or not), from which the employee-level ICC(1)/ICC(2)
//!   is the one-way ANOVA of [`icc_from_groups`]: `SSW = Σ ss_u` in unit order (as on one
//!   machine), `SSB = Σ n_u (m_u - ȳ)²` with the grand mean `ȳ = Σ n_u m_u / N` (on one machine
//!   the two-pass mean of all values: the only figure that is not bit-equal, to ~1e-15);
//! - its row, whose correlation enters the random-effects meta-analysis of the pooled row.
//!
//! No per-employee or per-customer data: a part holds one [`Unit`] and one [`GroupMoments`]
//! per unit, and one row per study.

use super::units::same_schema;
use crate::analysis::linkage::{high_units, icc_of_groups, linkable_by_study, pooled_row, study_rows, By, LinkageOptions, LinkageRow};
use crate::analysis::units::{units, Unit};
use crate::data::Study;
use crate::error::Result;
use crate::stats::descriptive::check_finite;
use crate::stats::reliability::{group_moments, GroupMoments};
use std::collections::BTreeMap;

/// What the pooled row needs of one study, and its row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StudyLinkage {
    /// The study's row (`None` when it has no linkable unit: the table has no row for it).
    pub row: Option<LinkageRow>,
    /// Its linkable units, sorted by unit.
    pub linkable: Vec<Unit>,
    /// Engagement moments of each of its units with employees, sorted by unit.
    pub engagement: Vec<GroupMoments>,
    /// Why its engagement cannot enter the ICC (a value not finite; validation refuses it).
    pub engagement_error: Option<String>,
}

/// The linkage statistics of some whole studies, keyed by study.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LinkagePart {
    /// The options the rows were computed with (`by` aside: a part has every study's row).
    pub options: String,
    /// The schema's `min_group_size` (named in the error when no unit is linkable).
    pub min_group_size: usize,
    pub studies: BTreeMap<String, StudyLinkage>,
}

/// The options as a part records them (`by` aside).
fn fingerprint(o: &LinkageOptions) -> String {
    format!("{:?}", LinkageOptions { by: By::Study, ..o.clone() })
}

impl LinkagePart {
    /// The part of a study holding whole studies: the rows of its studies with options `o`,
    /// their linkable units and their units' engagement moments.
    pub fn of(study: &Study, o: &LinkageOptions) -> Result<LinkagePart> {
        o.check()?;
        let all_units = units(study)?;
        let mut rows: BTreeMap<String, LinkageRow> =
            study_rows(study, &all_units, o)?.into_iter().map(|r| (r.study.clone(), r)).collect();
        let mut linkable: BTreeMap<&str, Vec<&Unit>> = linkable_by_study(&all_units);
        let ix = study.index();
        let engagement = crate::analysis::frame::floats(study.employee_columns(), "engagement")?;
        let codes: Vec<usize> = ix.emp_unit.iter().map(|&u| u as usize).collect();
        let mut moments: Vec<Vec<GroupMoments>> = vec![Vec::new(); ix.studies.len()];
        for (code, m) in group_moments(&engagement, &codes) {
            moments[ix.units[code].study as usize].push(m);
        }
        let mut errors: Vec<Option<String>> = vec![None; ix.studies.len()];
        for (i, &s) in ix.emp_study.iter().enumerate() {
            if errors[s as usize].is_none() && check_finite("values", &engagement[i..=i]).is_err() {
                errors[s as usize] = Some(format!("engagement of study '{}' is not finite", ix.studies[s as usize]));
            }
        }
        let studies = ix
            .studies
            .iter()
            .zip(moments.into_iter().zip(errors))
            .map(|(name, (engagement, engagement_error))| {
                let entry = StudyLinkage {
                    row: rows.remove(name),
                    linkable: linkable.remove(name.as_str()).unwrap_or_default().into_iter().cloned().collect(),
                    engagement,
                    engagement_error,
                };
                (name.clone(), entry)
            })
            .collect();
        Ok(LinkagePart { options: fingerprint(o), min_group_size: study.schema().min_group_size(), studies })
    }

    /// The union of two parts (a study in both is refused, as are parts computed with other
    /// options or another `min_group_size`).
    pub fn merge(mut self, other: LinkagePart) -> Result<LinkagePart> {
        same_schema("linkage options", &self.options, &other.options)?;
        same_schema("min_group_size", &self.min_group_size, &other.min_group_size)?;
        super::union(&mut self.studies, other.studies)?;
        Ok(self)
    }

    /// The rows of [`crate::analysis::linkage::linkage_rows`] on the union of the parts'
    /// studies: per-study rows (when `o.by` is `Study`) then the pooled row. `o` must be the
    /// options the parts were computed with (`by` aside).
    pub fn finish(&self, o: &LinkageOptions) -> Result<Vec<LinkageRow>> {
        o.check()?;
        same_schema("linkage options", &self.options, &fingerprint(o))?;
        let rows: Vec<LinkageRow> = self.studies.values().filter_map(|s| s.row.clone()).collect();
        let (mut pooled_units, mut pooled_high, mut groups) = (Vec::new(), Vec::new(), Vec::new());
        for s in self.studies.values() {
            let us: Vec<&Unit> = s.linkable.iter().collect();
            pooled_high.extend(high_units(&us, o.threshold));
            pooled_units.extend(us);
            groups.extend_from_slice(&s.engagement);
        }
        let icc = match self.studies.values().find_map(|s| s.engagement_error.as_ref()) {
            Some(e) => (f64::NAN, f64::NAN, Some(format!("ICC: {e}"))),
            None => icc_of_groups(&groups),
        };
        let pooled = pooled_row(&rows, &pooled_units, &pooled_high, icc, self.min_group_size, o)?;
        Ok(o.by.rows(rows, pooled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::linkage::{linkage_rows, CorrelationMethod, Outcome};
    use crate::partial::testing::{close, cut, merge_randomly, round_trip, sample_study, sample_weighted_study};
    use crate::partial::to_bytes;
    use crate::partial::units::tests::with_min_group_size;
    use crate::stats::TestResult;

    fn finish_by_parts(whole: &Study, k: usize, seed: u64, o: &LinkageOptions) -> Result<Vec<LinkageRow>> {
        let parts: Vec<LinkagePart> = cut(whole, k, seed)?
            .iter()
            .map(|s| round_trip(&LinkagePart::of(s, o)?))
            .collect::<Result<_>>()?;
        merge_randomly(parts, seed.wrapping_mul(31), LinkagePart::merge)?.finish(o)
    }

    fn same_result(what: &str, a: &TestResult, b: &TestResult) {
        for (x, y, f) in [
            (a.estimate, b.estimate, "estimate"),
            (a.statistic, b.statistic, "statistic"),
            (a.df, b.df, "df"),
            (a.p_value, b.p_value, "p_value"),
            (a.ci_low, b.ci_low, "ci_low"),
            (a.ci_high, b.ci_high, "ci_high"),
        ] {
            assert!(close(x, y, 1e-12), "{what}.{f}: {x} vs {y}");
        }
        assert_eq!((a.n, &a.method, a.alternative, &a.note), (b.n, &b.method, b.alternative, &b.note), "{what}");
        assert_eq!(a.extra.len(), b.extra.len(), "{what}");
        for ((ka, xa), (kb, xb)) in a.extra.iter().zip(&b.extra) {
            assert!(ka == kb && close(*xa, *xb, 1e-12), "{what}.{ka}: {xa} vs {kb} {xb}");
        }
    }

    /// Counts and texts exactly, numbers within 1e-12 relative.
    pub(crate) fn same_row(a: &LinkageRow, b: &LinkageRow) {
        let counts = |r: &LinkageRow| {
            (r.level, r.study.clone(), r.n_units, r.n_employees, r.n_customers, r.high_units, r.high_customers)
        };
        assert_eq!(counts(a), counts(b));
        assert_eq!((a.high_satisfied, a.top_units, &a.notes), (b.high_satisfied, b.top_units, &b.notes));
        for (x, y, f) in [
            (a.icc1, b.icc1, "icc1"),
            (a.icc2, b.icc2, "icc2"),
            (a.share_high, b.share_high, "share_high"),
            (a.share_rest, b.share_rest, "share_rest"),
            (a.engagement_top, b.engagement_top, "engagement_top"),
            (a.engagement_rest, b.engagement_rest, "engagement_rest"),
        ] {
            assert!(close(x, y, 1e-12), "{} {f}: {x} vs {y}", a.study);
        }
        for (x, y, f) in [(a.tau2, b.tau2, "tau2"), (a.i2, b.i2, "i2"), (a.q_p, b.q_p, "q_p")] {
            assert_eq!(x.is_some(), y.is_some(), "{f}");
            assert!(close(x.unwrap_or(0.0), y.unwrap_or(0.0), 1e-12), "{f}: {x:?} vs {y:?}");
        }
        same_result("correlation", &a.correlation, &b.correlation);
        same_result("contrast", &a.contrast, &b.contrast);
        same_result("uplift", &a.uplift, &b.uplift);
    }

    /// Per-study rows bit for bit, the pooled row within 1e-12. With weights, the per-study rows
    /// within 1e-12 too: the weights are divided by the largest of the table (`frame::by_max`),
    /// that of the part here, which rounds the unit means differently (bit for bit with 1 part).
    fn check(whole: &Study, o: &LinkageOptions, ks: &[usize], seeds: &[u64]) {
        let expected = linkage_rows(whole, o).unwrap();
        let weighted = whole.employee_columns().get_column_index("weight").is_some() || whole.customer_weights().is_some();
        for &k in ks {
            for &seed in seeds {
                let got = finish_by_parts(whole, k, seed, o).unwrap();
                assert_eq!(got.len(), expected.len(), "k = {k}");
                let (last, rest) = got.split_last().unwrap();
                for (a, b) in rest.iter().zip(&expected) {
                    if weighted && k > 1 {
                        same_row(a, b);
                    } else {
                        assert_eq!(to_bytes(a).unwrap(), to_bytes(b).unwrap(), "study {}, k = {k}", b.study);
                    }
                }
                same_row(last, expected.last().unwrap());
            }
        }
    }

    #[test]
    fn studies_with_few_or_no_linkable_units() {
        // min_group_size 25 leaves studies with fewer than 4 linkable units (out of the
        // meta-analysis), 40 studies without any (no row)
        let (mut few, mut none) = (false, false);
        for (k_min, seed) in [(25, 8), (40, 9)] {
            let whole = with_min_group_size(&sample_study(seed).unwrap(), k_min);
            let o = LinkageOptions { n_resamples: 120, ..Default::default() };
            let rows = linkage_rows(&whole, &o).unwrap();
            few |= rows.iter().any(|r| r.n_units < 4);
            none |= rows.len() < 8;
            check(&whole, &o, &[1, 3, 7], &[8]);
        }
        assert!(few && none);
    }

    #[test]
    fn default_options_give_the_single_machine_rows() {
        let whole = sample_study(1).unwrap();
        check(&whole, &LinkageOptions { n_resamples: 199, ..Default::default() }, &[1, 2, 3, 7], &[1, 2]);
    }

    #[test]
    fn methods_outcomes_thresholds_and_weights() {
        let plain = sample_study(2).unwrap();
        let weighted = sample_weighted_study(3).unwrap();
        let variants = [
            LinkageOptions { n_resamples: 0, by: By::Pooled, ..Default::default() },
            LinkageOptions {
                method: CorrelationMethod::Spearman,
                outcome: Outcome::MeanSatisfaction,
                threshold: Some(55.0),
                top_share: 0.2,
                n_resamples: 100,
                seed: 7,
                confidence: 0.9,
                by: By::Study,
            },
            LinkageOptions { method: CorrelationMethod::Kendall, n_resamples: 0, ..Default::default() },
        ];
        for o in &variants {
            check(&plain, o, &[2, 7], &[3]);
            check(&weighted, o, &[1, 3], &[4]);
        }
        check(&weighted, &LinkageOptions { n_resamples: 150, seed: 11, ..Default::default() }, &[2, 7], &[5]);
    }

    #[test]
    fn refusals_are_those_of_one_machine() {
        let whole = sample_study(6).unwrap();
        let o = LinkageOptions { n_resamples: 0, ..Default::default() };
        // a study in two parts
        let a = LinkagePart::of(&whole, &o).unwrap();
        let b = LinkagePart::of(&cut(&whole, 2, 6).unwrap()[0], &o).unwrap();
        assert!(a.clone().merge(b).unwrap_err().to_string().contains("is in two partitions"));
        // parts or a finish with other options
        let c = LinkagePart::of(&cut(&whole, 2, 6).unwrap()[0], &LinkageOptions { seed: 1, ..o.clone() }).unwrap();
        let d = LinkagePart::of(&cut(&whole, 2, 6).unwrap()[1], &o).unwrap();
        assert!(c.merge(d).unwrap_err().to_string().contains("different linkage options"));
        assert!(a.finish(&LinkageOptions { top_share: 0.1, ..o.clone() }).is_err());
        // `by` is the finish's choice
        assert_eq!(a.finish(&LinkageOptions { by: By::Pooled, ..o.clone() }).unwrap().len(), 1);
        // invalid options: the same error
        let bad = LinkageOptions { top_share: 1.5, ..o.clone() };
        assert_eq!(
            LinkagePart::of(&whole, &bad).unwrap_err().to_string(),
            linkage_rows(&whole, &bad).unwrap_err().to_string()
        );
        // no linkable unit: the same InsufficientData error
        let strict = with_min_group_size(&whole, 100_000);
        assert_eq!(
            finish_by_parts(&strict, 3, 6, &o).unwrap_err().to_string(),
            linkage_rows(&strict, &o).unwrap_err().to_string()
        );
    }
}
