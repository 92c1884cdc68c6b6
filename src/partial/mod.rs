//! Mergeable partial results: the report of a dataset too large for one machine, computed part
//! by part (on a Dask cluster, `miroir.distributed`) and equal to the report of the whole.
//!
//! The unit of a partition is the **study**: ids are unique within a study and a mention's
//! respondent belongs to its study, so a part computed from every row of some studies holds
//! everything the checks need (duplicate ids and orphan mentions are refused by the same loader,
//! with the same errors, as on one machine). A part keeps two things per study, keyed by the
//! study's name:
//! - the **per-study rows** of each table, computed by the single-machine code on the part's
//!   study (so they equal the single-machine rows bit for bit);
//! - the **sufficient statistics** the pooled rows need (counts, sums and co-moments per unit or
//!   per group, per-level counts, sorted runs for the rank tests, theme × valence counts),
//!   small next to the rows they summarise.
//!
//! [`merge`](ReportPart::merge) is the union of the keyed maps: exact, associative and
//! commutative (a study in two parts is refused: it was split across partitions). The
//! finalisation reads the merged maps in study order and computes the pooled rows from the
//! sufficient statistics, so the result does not depend on how the studies were partitioned
//! nor in which order the parts were merged.
//!
//! Each section has its own module with the same three steps: `XPart::of(&study, &options)`
//! (a part of a study holding whole studies), `XPart::merge(self, other)` and
//! `XPart::finish(&self, &options)` (the rows the single-machine function returns on the union).

pub mod drivers;
pub mod frame;
pub mod gap;
pub mod indicators;
pub mod linkage;
pub mod load;
pub mod moments;
pub mod report;
pub mod summary;
pub mod units;

use crate::data::Study;
use crate::error::{MiroirError, Result};
use polars::prelude::*;
use std::collections::BTreeMap;

/// Serde for `Vec<(&'static str, f64)>` (a [`TestResult`](crate::stats::TestResult)'s extras):
/// names written as text, read back as the same `&'static str` (interned once per name).

pub mod static_names {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[(&'static str, f64)], s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(&'static str, f64)>, D::Error> {
        let v: Vec<(String, f64)> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|(k, x)| (intern(&k), x)).collect())
    }

    /// The `&'static str` of a name: the same one for every call with the same text (names
    /// come from a small fixed set, the columns and levels of the tables, so this holds a few
    /// dozen strings for the life of the process).
    pub fn intern(name: &str) -> &'static str {
        use std::collections::HashSet;
        use std::sync::{Mutex, OnceLock};
        static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
        let mut names = NAMES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = names.get(name) {
            return s;
        }
        let s: &'static str = Box::leak(name.to_owned().into_boxed_str());
        names.insert(s);
        s
    }

    /// Serde for one `&'static str` field (`#[serde(with = "crate::partial::static_names::one")]`).
    pub mod one {
        use serde::{Deserialize, Deserializer, Serializer};
        pub fn serialize<S: Serializer>(v: &&'static str, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(v)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
            let v = String::deserialize(d)?;
            Ok(super::intern(&v))
        }
    }
}

/// Weights divided by the largest of their study (as `frame::by_max` does over a table), and
/// the (smallest, largest) raw weight of each study.
pub(crate) fn by_study_max(raw: Option<&[f64]>, study_of: &[u32], n_studies: usize) -> (Option<Vec<f64>>, Option<Vec<(f64, f64)>>) {
    let Some(raw) = raw else { return (None, None) };
    let mut range = vec![(f64::INFINITY, 0.0_f64); n_studies];
    for (&w, &s) in raw.iter().zip(study_of) {
        let r = &mut range[s as usize];
        *r = (r.0.min(w), r.1.max(w));
    }
    let scaled = raw
        .iter()
        .zip(study_of)
        .map(|(&w, &s)| {
            let max = range[s as usize].1;
            if max > 0.0 && max != 1.0 { w / max } else { w }
        })
        .collect();
    (Some(scaled), Some(range))
}

/// Adds `b`'s entries to `a`; a key in both is a study split across partitions, refused.
pub fn union<V>(a: &mut BTreeMap<String, V>, b: BTreeMap<String, V>) -> Result<()> {
    for (k, v) in b {
        if a.contains_key(&k) {
            return Err(split_study(&k));
        }
        a.insert(k, v);
    }
    Ok(())
}

/// The error for a study found in two parts.
pub fn split_study(study: &str) -> MiroirError {
    MiroirError::InvalidArgument {
        argument: "partitions".into(),
        detail: format!(
            "study '{study}' is in two partitions: a partition holds every row of its studies (miroir.distributed \
             groups the files by study)"
        ),
    }
}

/// Encodes a part as bytes (postcard: exact `f64`, NaN bits kept).
pub fn to_bytes<T: serde::Serialize>(part: &T) -> Result<Vec<u8>> {
    postcard::to_allocvec(part).map_err(|e| MiroirError::Polars(format!("cannot encode a partial result: {e}")))
}

/// Decodes a part written by [`to_bytes`] (of the same miroir version).
pub fn from_bytes<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    postcard::from_bytes(bytes).map_err(|e| MiroirError::InvalidArgument {
        argument: "partial".into(),
        detail: format!("not a partial result of this version of miroir ({e})"),
    })
}

/// The study of some studies of `study`: its validated tables filtered to `studies` and
/// validated again (the mentions follow their respondents). Used to cut a study into parts.
pub fn studies_of(study: &Study, studies: &[String]) -> Result<Study> {
    let names: std::collections::HashSet<&str> = studies.iter().map(String::as_str).collect();
    let keep = |df: &DataFrame| -> Result<DataFrame> {
        let mask: BooleanChunked =
            df.column("study")?.str()?.iter().map(|s| Some(s.is_some_and(|s| names.contains(s)))).collect();
        Ok(df.filter(&mask)?)
    };
    let mentions = match study.mentions()? {
        Some(m) => Some(keep(m)?),
        None => None,
    };
    Study::new(keep(study.employees()?)?, keep(study.customers()?)?, mentions, study.schema().clone())
}

/// Test support: the studies of `study` cut into `k` groups at random (seeded), each group a
/// study; and a merge of parts in a random tree (seeded), so that property tests can check that
/// the result depends neither on the partition nor on the merge order.
pub mod testing {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    /// `study` cut into `k` non-empty groups of whole studies (`k` at most the number of
    /// studies), assigned at random with `seed`.
    pub fn cut(study: &Study, k: usize, seed: u64) -> Result<Vec<Study>> {
        let mut names = study.study_names()?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        names.shuffle(&mut rng);
        let k = k.clamp(1, names.len());
        let mut groups: Vec<Vec<String>> = vec![Vec::new(); k];
        for (i, n) in names.into_iter().enumerate() {
            let g = if i < k { i } else { rng.random_range(0..k) };
            groups[g].push(n);
        }
        groups.iter().map(|g| studies_of(study, g)).collect()
    }

    /// Merges `parts` pairwise in a random order (seeded) until one is left.
    pub fn merge_randomly<T>(mut parts: Vec<T>, seed: u64, merge: impl Fn(T, T) -> Result<T>) -> Result<T> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        assert!(!parts.is_empty(), "no part to merge");
        while parts.len() > 1 {
            parts.shuffle(&mut rng);
            let a = parts.pop().expect("two parts");
            let b = parts.pop().expect("two parts");
            parts.push(if rng.random_bool(0.5) { merge(a, b)? } else { merge(b, a)? });
        }
        Ok(parts.pop().expect("one part"))
    }

    /// Encodes and decodes a part, as crossing a process boundary does.
    pub fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(part: &T) -> Result<T> {
        from_bytes(&to_bytes(part)?)
    }

    /// Whether `a` and `b` agree to `rel` relative (both NaN, or equal infinities, agree).
    pub fn close(a: f64, b: f64, rel: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= rel * a.abs().max(b.abs())
    }

    /// The relative condition number of a t test's two-sided p-value in its statistic,
    /// `|t · d ln p/dt|` (at least 1): far in the tail (p = 1e-32 at t = 15) a relative change
    /// `δ` of t moves p by about `t²δ`, so p agrees to `1e-12·κ` when t agrees to 1e-12. (The
    /// single-machine adjusted gap on the same rows in reverse order moves p by 2e-12: rounding
    /// noise alone.) 1 when `t` or `df` is not finite.
    pub fn p_condition(t: f64, df: f64) -> f64 {
        let t = t.abs();
        if !(t.is_finite() && df.is_finite() && t > 0.0) {
            return 1.0;
        }
        let lnp = |t: f64| (2.0 * crate::stats::dist::t_sf(t, df)).ln();
        let h = 1e-6 * t;
        ((lnp(t + h) - lnp(t)) / h * t).abs().max(1.0)
    }

    /// Equal tables: texts and integers exactly, numbers to 1e-12 relative or 1e-14 of their
    /// column's scale (a slope near zero); a column `<x>p_value` to 1e-12 times its condition
    /// number: [`p_condition`] with the columns `<x>statistic` and `<x>df`, else `-2 ln p` (the
    /// condition number of a normal tail, `t²`, which bounds that of a t tail).
    pub fn assert_frames_close(got: &DataFrame, want: &DataFrame, what: &str) {
        assert_eq!(got.get_column_names(), want.get_column_names(), "{what}");
        assert_eq!(got.height(), want.height(), "{what}");
        let floats = |df: &DataFrame, name: &str| -> Option<Vec<Option<f64>>> {
            df.column(name).ok().and_then(|c| c.f64().ok().map(|c| c.iter().collect()))
        };
        for c in want.columns() {
            let g = got.column(c.name()).unwrap();
            if c.dtype() == &DataType::Float64 {
                let (a, b) = (g.f64().unwrap(), c.f64().unwrap());
                let scale = b.iter().flatten().fold(0.0_f64, |m, v| m.max(v.abs()));
                let prefix = c.name().strip_suffix("p_value");
                let tests = prefix.and_then(|x| Some((floats(want, &format!("{x}statistic"))?, floats(want, &format!("{x}df"))?)));
                for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                    let kappa = match (&tests, prefix, y) {
                        (Some((t, df)), _, _) => p_condition(t[i].unwrap_or(f64::NAN), df[i].unwrap_or(f64::NAN)),
                        (None, Some(_), Some(p)) if p > 0.0 && p < 1.0 => (-2.0 * p.ln()).max(1.0),
                        _ => 1.0,
                    };
                    let ok = match (x, y) {
                        (Some(x), Some(y)) => close(x, y, 1e-12 * kappa) || (x - y).abs() <= 1e-14 * scale,
                        (x, y) => x.is_none() && y.is_none(),
                    };
                    assert!(ok, "{what} {}: {x:?} vs {y:?}", c.name());
                }
            } else {
                assert!(g.equals_missing(c), "{what} {}: {g:?} vs {c:?}", c.name());
            }
        }
    }

    /// A study with several studies, units and mentions, for the property tests (the default
    /// synthetic study at a small size).
    pub fn sample_study(seed: u64) -> Result<Study> {
        let cfg = crate::synth::model::SynthConfig {
            studies: 7,
            employees: 2_800,
            customers: 11_000,
            seed,
            ..Default::default()
        };
        crate::synth::synthetic_study(&cfg)
    }

    /// [`sample_study`] with survey weights on both sides (`weight`, drawn in [0.5, 2) from
    /// `seed`), for the weighted paths.
    pub fn sample_weighted_study(seed: u64) -> Result<Study> {
        let s = sample_study(seed)?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let mut weighted = |df: &DataFrame| -> Result<DataFrame> {
            let w: Vec<f64> = (0..df.height()).map(|_| rng.random_range(0.5..2.0)).collect();
            let mut df = df.clone();
            df.with_column(Column::new("weight".into(), w))?;
            Ok(df)
        };
        let (e, c) = (weighted(s.employees()?)?, weighted(s.customers()?)?);
        Study::new(e, c, s.mentions()?.cloned(), s.schema().clone())
    }
}
