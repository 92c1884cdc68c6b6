//! The summary table from parts: one row per study, computed by [`Study::summary`] on each part.

use super::frame::Frame;
use crate::data::Study;
use crate::error::Result;
use polars::prelude::*;
use std::collections::BTreeMap;

/// The summary rows of a part's studies, keyed by study.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SummaryPart {
    rows: BTreeMap<String, Frame>,
}

impl SummaryPart {
    pub fn of(study: &Study) -> Result<SummaryPart> {
        let df = study.summary()?;
        let names = df.column("study")?.str()?.clone();
        let mut rows = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            let name = name.expect("a validated study has a name").to_string();
            rows.insert(name, Frame::from_df(&df.slice(i as i64, 1))?);
        }
        Ok(SummaryPart { rows })
    }

    pub fn merge(mut self, other: SummaryPart) -> Result<SummaryPart> {
        super::union(&mut self.rows, other.rows)?;
        Ok(self)
    }

    /// Studies of the part, sorted.
    pub fn studies(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(String::as_str)
    }

    /// The summary of the union. The engagement items' columns (alpha) are there when every
    /// part has them (the same schema reads every part).
    pub fn finish(&self) -> Result<DataFrame> {
        Ok(Frame::stack(self.rows.values())?.expect("a part holds at least one study"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cut, merge_randomly, round_trip, sample_study};
    use super::*;

    #[test]
    fn the_summary_of_parts_is_the_summary_of_the_whole() {
        let whole = sample_study(3).unwrap();
        let expected = whole.summary().unwrap();
        for (k, seed) in [(1, 0), (2, 1), (3, 2), (7, 3)] {
            let parts: Vec<SummaryPart> = cut(&whole, k, seed)
                .unwrap()
                .iter()
                .map(|s| round_trip(&SummaryPart::of(s).unwrap()).unwrap())
                .collect();
            let merged = merge_randomly(parts, seed, SummaryPart::merge).unwrap();
            assert!(merged.finish().unwrap().equals_missing(&expected), "k = {k}");
        }
        let one = SummaryPart::of(&whole).unwrap();
        let err = one.clone().merge(one).unwrap_err();
        assert!(err.to_string().contains("is in two partitions"), "{err}");
    }
}
