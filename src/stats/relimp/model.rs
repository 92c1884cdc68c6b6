//! The model: the outcome, the predictors (units: a column or a group of columns) and the
//! columns kept in every submodel.

use crate::stats::error::{StatsError, StatsResult};
use std::collections::HashMap;

/// A predictor: one column, or a group of columns treated as one (a set of dummies).
#[derive(Debug, Clone, PartialEq)]
pub struct Predictor {
    pub name: String,
    pub columns: Vec<String>,
}

/// Outcome, predictors (units) and the columns kept in every submodel.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub y: String,
    pub predictors: Vec<Predictor>,
    pub always: Vec<String>,
}

impl Model {
    /// The model of `y` on the columns `x`, with `groups` (name, columns) treated as single
    /// predictors and `always` kept in every submodel.
    ///
    /// Order of the predictors: as in `x`, a group taking the place of its first column listed
    /// in `x` (the other columns of the group listed in `x` are absorbed into it); groups none of
    /// whose columns is in `x` come after, in the order given.
    ///
    /// Errors (invalid argument): no predictor, the outcome among the predictors (or in `always`),
    /// a column listed twice (in `x`, in two groups, in a group and `always`, in `x` and
    /// `always`), an empty group, a group named like another predictor.
    pub fn new(y: &str, x: &[&str], groups: &[(&str, &[&str])], always: &[&str]) -> StatsResult<Model> {
        let mut member: HashMap<&str, usize> = HashMap::new();
        for (g, (gname, cols)) in groups.iter().enumerate() {
            if cols.is_empty() {
                return Err(StatsError::argument("groups", format!("group '{gname}' has no column")));
            }
            for c in cols.iter() {
                if *c == y {
                    return Err(StatsError::argument(
                        "groups",
                        format!("the outcome '{y}' is also listed as a predictor (in group '{gname}')"),
                    ));
                }
                if let Some(other) = member.insert(c, g) {
                    return Err(StatsError::argument(
                        "groups",
                        format!("column '{c}' is listed twice (in groups '{}' and '{gname}')", groups[other].0),
                    ));
                }
            }
        }
        let mut predictors: Vec<Predictor> = Vec::new();
        let mut placed = vec![false; groups.len()];
        let mut seen: Vec<&str> = Vec::new();
        for c in x {
            if *c == y {
                return Err(StatsError::argument("x", format!("the outcome '{y}' is also listed as a predictor")));
            }
            if seen.contains(c) {
                return Err(StatsError::argument("x", format!("column '{c}' is listed twice")));
            }
            seen.push(c);
            match member.get(c) {
                Some(&g) => {
                    if !placed[g] {
                        placed[g] = true;
                        predictors.push(group_predictor(groups[g]));
                    }
                }
                None => predictors.push(Predictor { name: c.to_string(), columns: vec![c.to_string()] }),
            }
        }
        for (g, done) in placed.iter().enumerate() {
            if !done {
                predictors.push(group_predictor(groups[g]));
            }
        }
        if predictors.is_empty() {
            return Err(StatsError::argument("x", "no predictor: give at least one column"));
        }
        let names: Vec<String> = predictors.iter().map(|p| p.name.clone()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(StatsError::argument("groups", format!("the name '{n}' is used by two predictors")));
            }
        }
        let all: Vec<&str> = predictors.iter().flat_map(|p| p.columns.iter().map(String::as_str)).collect();
        let mut kept: Vec<String> = Vec::new();
        for a in always {
            if *a == y {
                return Err(StatsError::argument("always", format!("the outcome '{y}' is also listed in always")));
            }
            if all.contains(a) {
                return Err(StatsError::argument(
                    "always",
                    format!("column '{a}' is both a predictor and a column kept in every submodel"),
                ));
            }
            if kept.iter().any(|k| k == a) {
                return Err(StatsError::argument("always", format!("column '{a}' is listed twice")));
            }
            kept.push(a.to_string());
        }
        Ok(Model { y: y.to_string(), predictors, always: kept })
    }

    /// Number of predictors (units).
    pub fn len(&self) -> usize {
        self.predictors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.predictors.is_empty()
    }
}

fn group_predictor((name, cols): (&str, &[&str])) -> Predictor {
    Predictor { name: name.to_string(), columns: cols.iter().map(|c| c.to_string()).collect() }
}
