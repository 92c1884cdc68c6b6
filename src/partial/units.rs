//! The unit table ([`crate::analysis::units`]) by parts.
//!
//! Every figure of a unit is computed from the unit's own respondents, and suppression,
//! complementary suppression included, is decided within a study (DESIGN.md,
//! "Confidentiality"): the units of a part holding whole studies are those of the whole, bit
//! for bit. A part keeps the units of each of its studies (one [`Unit`] per unit, the rows of
//! the unit table); the merge is the union by study, the finalisation their concatenation in
//! study order — the order of [`units`] (sorted by study then unit).

use crate::analysis::units::{unit_table_from, units, Unit};
use crate::data::Study;
use crate::error::{MiroirError, Result};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// The units of some whole studies, keyed by study.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UnitsPart {
    /// The schema's `min_group_size` (named in the suppression reason).
    pub min_group_size: usize,
    /// Each study's units, sorted by unit, suppression applied.
    pub studies: BTreeMap<String, Vec<Unit>>,
}

impl UnitsPart {
    /// The part of a study holding whole studies: [`units`] of it, by study (a study without
    /// any unit, if there were one, is kept with none, so that a study split across two parts
    /// is still refused).
    pub fn of(study: &Study) -> Result<UnitsPart> {
        let mut studies: BTreeMap<String, Vec<Unit>> =
            study.study_names()?.into_iter().map(|s| (s, Vec::new())).collect();
        for u in units(study)? {
            studies.entry(u.study.clone()).or_default().push(u);
        }
        Ok(UnitsPart { min_group_size: study.schema().min_group_size(), studies })
    }

    /// The union of two parts (a study in both is refused).
    pub fn merge(mut self, other: UnitsPart) -> Result<UnitsPart> {
        same_schema("min_group_size", &self.min_group_size, &other.min_group_size)?;
        super::union(&mut self.studies, other.studies)?;
        Ok(self)
    }

    /// The units of [`units`] on the union of the parts' studies: sorted by study then unit.
    pub fn finish(&self) -> Result<Vec<Unit>> {
        Ok(self.studies.values().flatten().cloned().collect())
    }

    /// The unit table of [`crate::analysis::unit_table`] on the union of the parts' studies.
    pub fn table(&self) -> Result<DataFrame> {
        unit_table_from(&self.finish()?, self.min_group_size)
    }
}

/// Refuses two parts whose `what` differ: they were computed with different schemas or options.
pub(crate) fn same_schema<T: PartialEq + std::fmt::Debug>(what: &str, a: &T, b: &T) -> Result<()> {
    if a == b {
        return Ok(());
    }
    Err(MiroirError::InvalidArgument {
        argument: "partitions".into(),
        detail: format!(
            "parts computed with different {what} ({a:?} and {b:?}): every partition must be computed with the same \
             schema and options"
        ),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::unit_table;
    use crate::analysis::units::Suppression;
    use crate::partial::testing::{cut, merge_randomly, round_trip, sample_study, sample_weighted_study};
    use crate::partial::to_bytes;

    fn part_of(study: &Study, k: usize, seed: u64) -> UnitsPart {
        let parts: Vec<UnitsPart> =
            cut(study, k, seed).unwrap().iter().map(|s| round_trip(&UnitsPart::of(s).unwrap()).unwrap()).collect();
        merge_randomly(parts, seed ^ 0xa5, UnitsPart::merge).unwrap()
    }

    /// `study` with the schema's `min_group_size` set to `k` (more units suppressed).
    pub(crate) fn with_min_group_size(study: &Study, k: usize) -> Study {
        let schema = crate::data::Schema::builder().min_group_size(k).build().unwrap();
        let (e, c) = (study.employees().unwrap().clone(), study.customers().unwrap().clone());
        Study::new(e, c, study.mentions().unwrap().cloned(), schema).unwrap()
    }

    #[test]
    fn the_units_of_the_parts_are_the_units_of_the_whole() {
        let studies = [
            sample_study(1).unwrap(),
            with_min_group_size(&sample_study(2).unwrap(), 12),
            with_min_group_size(&sample_weighted_study(3).unwrap(), 9),
        ];
        let (mut small, mut complementary) = (0, 0);
        for (seed, whole) in (1..).zip(&studies) {
            let expected = units(whole).unwrap();
            small += expected.iter().filter(|u| u.suppression == Suppression::Small).count();
            complementary += expected.iter().filter(|u| u.suppression == Suppression::Complementary).count();
            let table = unit_table(whole).unwrap();
            for k in [1, 2, 3, 7] {
                for cut_seed in [seed, seed + 10] {
                    let part = part_of(whole, k, cut_seed);
                    let got = part.finish().unwrap();
                    assert_eq!(got.len(), expected.len());
                    let weighted = got[0].weighted_employees;
                    for (a, b) in got.iter().zip(&expected) {
                        if weighted {
                            // weights divided by the largest of the table: that of the part here
                            same_unit(a, b);
                        } else {
                            // bit for bit, NaN included
                            assert_eq!(to_bytes(a).unwrap(), to_bytes(b).unwrap(), "{a:?} vs {b:?}");
                        }
                    }
                    if !weighted {
                        assert!(part.table().unwrap().equals_missing(&table), "k = {k}");
                    }
                }
            }
        }
        assert!(small > 10 && complementary >= 2, "{small} small, {complementary} complementary units");
    }

    /// Counts and suppression exactly, unit figures within 1e-12.
    fn same_unit(a: &Unit, b: &Unit) {
        let key = |u: &Unit| (u.study.clone(), u.unit.clone(), u.n_employees, u.n_customers, u.n_satisfied, u.suppression);
        assert_eq!(key(a), key(b));
        for (x, y) in [
            (a.mean_engagement, b.mean_engagement),
            (a.mean_satisfaction, b.mean_satisfaction),
            (a.share_satisfied(), b.share_satisfied()),
        ] {
            assert!(crate::partial::testing::close(x, y, 1e-12), "{}: {x} vs {y}", a.unit);
        }
    }

    #[test]
    fn a_study_in_two_parts_is_refused() {
        let whole = sample_study(4).unwrap();
        let a = UnitsPart::of(&whole).unwrap();
        let b = UnitsPart::of(&cut(&whole, 3, 4).unwrap()[1]).unwrap();
        let e = a.merge(b).unwrap_err().to_string();
        assert!(e.contains("is in two partitions"), "{e}");
    }
}
