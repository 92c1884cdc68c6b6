//! Reproduce published figures (DESIGN.md, "Reproduce"): a TOML spec lists indicators (a
//! statistic, its filters, the published value and a check); [`reproduce`] recomputes each one
//! from the raw data and says whether the published value still follows from them.
//!
//! - [`spec`]: the format, parsed and validated once (every error names the line and the key).
//! - [`load_data`]: the spec's data (files relative to the spec, a `--data` folder, or the
//!   synthetic generator), validated with the spec's schema.
//! - [`evaluate`]: one [`Reproduced`] row per indicator, in spec order. Bootstrap intervals are
//!   seeded (`[options] seed`), so the table is identical across runs and thread counts.
//!
//! A spec that does not fit the data (a filter naming an unknown study, a column absent from the
//! table) is a spec error; an indicator that cannot be computed on valid data (too few units, a
//! theme no longer coded) is a *failing* row with a note, not an error.

pub mod spec;

pub use spec::{parse_spec, Check, DataSource, Filter, GapLevel, IndicatorSpec, Options, Published, Side, Spec, Statistic};

use crate::analysis::exposure_gap::{gap_rows, GapOptions};
use crate::analysis::frame::{bools, floats, strs, TableBuilder};
use crate::analysis::indicators::{indicator_rows, published_inside_ci, Indicator, IndicatorOptions};
use crate::analysis::linkage::{linkage_rows, By, LinkageOptions, LinkageRow};
use crate::analysis::moments::{theme_rows, MomentOptions};
use crate::data::{load_study, Schema, Study, StudyPaths};
use crate::error::{MiroirError, Result};
use crate::stats::descriptive::{mean, variance};
use crate::stats::dist::t_ppf;
use crate::stats::proportions::{proportion_ci, weighted_proportion_ci};
use crate::synth;
use polars::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Reads and validates a spec file (relative data paths resolve against its folder).
pub fn read_spec(path: &Path) -> Result<Spec> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| MiroirError::Spec {
        path: shown.clone(),
        line: 0,
        key: String::new(),
        detail: format!("cannot read the spec: {e}"),
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse_spec(&text, &shown, base)
}

fn resolve(spec: &Spec, data_dir: Option<&Path>, p: &spec::SpecPath) -> PathBuf {
    let path = Path::new(&p.path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        data_dir.unwrap_or(&spec.base_dir).join(path)
    }
}

/// Loads the spec's data and validates it with the spec's schema. With `data_dir`, relative
/// paths of `[data]` resolve against that folder instead of the spec's; a spec with synthetic
/// data (or no `[data]`) then reads the folder's `employees.*`, `customers.*` and `mentions.*`.
pub fn load_data(spec: &Spec, data_dir: Option<&Path>) -> Result<Study> {
    let missing = |p: &spec::SpecPath, what: &str, path: &Path| {
        spec.error(p.line, p.key, format!("[data]: key '{}': no such {what}: {}", p.key, path.display()))
    };
    let paths = match (&spec.data, data_dir) {
        (None, None) => {
            return Err(spec.error(0, "data", "the spec has no [data] table (give one, or a data folder)".into()))
        }
        (None | Some(DataSource::Synthetic { .. }), Some(dir)) => StudyPaths::from_dir(dir)?,
        (Some(DataSource::Synthetic { config, line }), None) => {
            let synth = synth::model::generate(config).map_err(|e| {
                let detail = match e {
                    MiroirError::InvalidArgument { detail, .. } => detail,
                    other => other.to_string(),
                };
                spec.error(*line, "synthetic", format!("[data]: key 'synthetic': {detail}"))
            })?;
            let (e, c, m) = synth::to_frames(&synth)?;
            return Study::new(e, c, Some(m), spec.schema.clone());
        }
        (Some(DataSource::Dir(p)), _) => {
            let dir = resolve(spec, data_dir, p);
            if !dir.is_dir() {
                return Err(missing(p, "folder", &dir));
            }
            StudyPaths::from_dir(&dir).map_err(|e| spec.error(p.line, p.key, format!("[data]: key 'dir': {e}")))?
        }
        (Some(DataSource::Files { employees, customers, mentions }), _) => {
            let file = |p: &spec::SpecPath| {
                let f = resolve(spec, data_dir, p);
                if f.is_file() {
                    Ok(f)
                } else {
                    Err(missing(p, "file", &f))
                }
            };
            StudyPaths {
                employees: file(employees)?,
                customers: file(customers)?,
                mentions: mentions.as_ref().map(file).transpose()?,
            }
        }
    };
    load_study(&paths, spec.schema.clone())
}

/// One indicator, recomputed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Reproduced {
    pub id: String,
    pub label: String,
    pub statistic: String,
    pub published: Published,
    /// The estimate (NaN when it could not be computed; unused for moments).
    pub computed: f64,
    /// The moment of a theme (statistic `moment`).
    pub computed_text: Option<String>,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: u64,
    /// The check in words, e.g. `|computed - published| <= 0.02`.
    pub check: String,
    pub passed: bool,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// A computed value before the check.
#[derive(Debug, Clone)]
struct Computed {
    estimate: f64,
    ci_low: f64,
    ci_high: f64,
    n: u64,
    text: Option<String>,
    notes: Vec<String>,
}

impl Default for Computed {
    fn default() -> Self {
        Computed { estimate: f64::NAN, ci_low: f64::NAN, ci_high: f64::NAN, n: 0, text: None, notes: Vec::new() }
    }
}

impl Computed {
    fn note(detail: impl Into<String>) -> Self {
        Computed { notes: vec![detail.into()], ..Computed::default() }
    }
    fn from_test(r: &crate::stats::TestResult, n: u64) -> Self {
        Computed {
            estimate: r.estimate,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            n,
            text: None,
            notes: r.note.iter().cloned().collect(),
        }
    }
}

/// The filtered studies and the per-filter analyses, computed once each.
struct Cache<'a> {
    study: &'a Study,
    filtered: HashMap<Filter, std::result::Result<Study, String>>,
    seed: HashMap<Filter, std::result::Result<Vec<Indicator>, String>>,
}

/// The schema a filtered study is re-validated with: the same scales and thresholds, no column
/// mapping (the tables are already canonical) and no engagement items (already an index).
fn plain_schema(s: &Schema) -> Result<Schema> {
    let (lo, hi) = s.satisfaction_scale();
    Schema::builder()
        .satisfaction_scale(lo, hi)
        .satisfied_threshold(s.satisfied_threshold())
        .min_group_size(s.min_group_size())
        .min_text_group_size(s.min_text_group_size())
        .build()
}

fn mask(df: &DataFrame, keep: Vec<bool>) -> Result<DataFrame> {
    Ok(df.filter(&BooleanChunked::from_slice("keep".into(), &keep))?)
}

/// The rows of a study that a filter keeps, validated again as a study.
fn filter_study(study: &Study, f: &Filter) -> Result<Study> {
    let inside = |set: &[String], v: &str| set.is_empty() || set.iter().any(|s| s == v);
    let e = study.employees()?;
    let (es, eu) = (strs(e, "study")?, strs(e, "unit")?);
    let cf = bools(e, "customer_facing")?;
    let keep_e: Vec<bool> = (0..e.height())
        .map(|i| inside(&f.studies, es[i]) && inside(&f.units, eu[i]) && f.customer_facing.is_none_or(|v| cf[i] == Some(v)))
        .collect();
    let c = study.customers()?;
    let (cs, cu) = (strs(c, "study")?, strs(c, "unit")?);
    let keep_c: Vec<bool> = (0..c.height()).map(|i| inside(&f.studies, cs[i]) && inside(&f.units, cu[i])).collect();
    let mentions = match study.mentions()? {
        None => None,
        Some(m) => {
            let (ms, side, who) = (strs(m, "study")?, strs(m, "side")?, strs(m, "respondent_id")?);
            let by_respondent = !f.units.is_empty() || f.customer_facing.is_some();
            let kept = |df: &DataFrame, keep: &[bool], id: &str| -> Result<HashSet<(String, String)>> {
                let (s, i) = (strs(df, "study")?, strs(df, id)?);
                Ok((0..df.height()).filter(|&r| keep[r]).map(|r| (s[r].to_string(), i[r].to_string())).collect())
            };
            let (ke, kc) = if by_respondent {
                (kept(e, &keep_e, "employee_id")?, kept(c, &keep_c, "customer_id")?)
            } else {
                Default::default()
            };
            let keep_m: Vec<bool> = (0..m.height())
                .map(|r| {
                    inside(&f.studies, ms[r])
                        && (!by_respondent || {
                            let key = (ms[r].to_string(), who[r].to_string());
                            if side[r] == "employee" { ke.contains(&key) } else { kc.contains(&key) }
                        })
                })
                .collect();
            Some(mask(m, keep_m)?)
        }
    };
    Study::new(mask(e, keep_e)?, mask(c, keep_c)?, mentions, plain_schema(study.schema())?)
}

impl<'a> Cache<'a> {
    fn new(study: &'a Study) -> Self {
        Cache { study, filtered: HashMap::new(), seed: HashMap::new() }
    }

    /// The study a filter leaves (`Err` = a note: the filter leaves an empty or invalid study).
    fn study(&mut self, f: &Filter) -> std::result::Result<&Study, String> {
        if f.is_empty() {
            return Ok(self.study);
        }
        let key = Filter { line: 0, ..f.clone() };
        let study = self.study;
        let entry = self
            .filtered
            .entry(key)
            .or_insert_with(|| filter_study(study, f).map_err(|e| format!("the filter leaves no usable data: {e}")));
        entry.as_ref().map_err(Clone::clone)
    }
}

/// The pooled linkage with the spec's options (`top_share`: the indicator's, else the
/// linkage's default).
fn linkage_options(o: &Options, top_share: Option<f64>) -> LinkageOptions {
    let d = LinkageOptions::default();
    LinkageOptions {
        by: By::Pooled,
        top_share: top_share.unwrap_or(d.top_share),
        n_resamples: o.n_resamples,
        seed: o.seed,
        confidence: o.confidence,
        ..d
    }
}

fn pooled_linkage(study: &Study, o: &LinkageOptions) -> Result<LinkageRow> {
    let mut rows = linkage_rows(study, o)?;
    rows.pop().ok_or_else(|| MiroirError::Polars("linkage returned no pooled row".into()))
}

/// A (possibly weighted) share with its interval; `None` = missing answer (left out).
fn share(x: &[Option<bool>], w: Option<&[f64]>, o: &Options) -> Result<Computed> {
    let rows: Vec<usize> = (0..x.len()).filter(|&r| x[r].is_some()).collect();
    if rows.is_empty() {
        return Ok(Computed::note("no answers"));
    }
    let k = rows.iter().filter(|&&r| x[r] == Some(true)).count() as u64;
    let n = rows.len() as u64;
    match w {
        None => {
            let r = proportion_ci(k, n, o.ci_method, o.confidence)?;
            Ok(Computed { n, ..Computed::from_test(&r, n) })
        }
        Some(w) => {
            if rows.iter().any(|&r| !(w[r].is_finite() && w[r] > 0.0)) {
                return Ok(Computed::note("a weight is missing or not positive"));
            }
            let hits: Vec<bool> = rows.iter().map(|&r| x[r] == Some(true)).collect();
            let ww: Vec<f64> = rows.iter().map(|&r| w[r]).collect();
            // normalised weights: the share and Kish's n do not overflow (1e160) or underflow
            let r = weighted_proportion_ci(&hits, &ww, o.ci_method, o.confidence)?;
            let mut c = Computed::from_test(&r, n);
            c.notes.push(format!("weighted; interval on Kish's effective n = {:.1}", r.get("n_eff").unwrap_or(f64::NAN)));
            Ok(c)
        }
    }
}

/// A (possibly weighted) mean with its t interval (weighted: on Kish's effective n).
fn mean_ci(x: &[f64], w: Option<&[f64]>, o: &Options) -> Computed {
    let rows: Vec<usize> = (0..x.len()).filter(|&r| x[r].is_finite()).collect();
    let n = rows.len() as u64;
    if n < 2 {
        return Computed { n, ..Computed::note(format!("a mean with a CI needs at least 2 values, got {n}")) };
    }
    let v: Vec<f64> = rows.iter().map(|&r| x[r]).collect();
    let (m, se, df, note) = match w {
        None => {
            let m = mean(&v);
            (m, (variance(&v, 1) / n as f64).sqrt(), n as f64 - 1.0, None)
        }
        Some(w) => {
            let ww: Vec<f64> = rows.iter().map(|&r| w[r]).collect();
            if ww.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
                return Computed { n, ..Computed::note("a weight is missing or not positive") };
            }
            // divided by the largest weight: Σw and Σw² neither overflow nor underflow, and
            // the weighted mean and Kish's n do not depend on the scale
            let top = ww.iter().fold(0.0_f64, |a, w| a.max(*w));
            let ww: Vec<f64> = ww.iter().map(|w| w / top).collect();
            let sw: f64 = ww.iter().sum();
            let n_eff = sw * sw / ww.iter().map(|w| w * w).sum::<f64>();
            let m = v.iter().zip(&ww).map(|(x, w)| w * x).sum::<f64>() / sw;
            let var = v.iter().zip(&ww).map(|(x, w)| w * (x - m) * (x - m)).sum::<f64>() / sw * n_eff / (n_eff - 1.0);
            (m, (var / n_eff).sqrt(), n_eff - 1.0, Some(format!("weighted; t interval on Kish's effective n = {n_eff:.1}")))
        }
    };
    let half = t_ppf(0.5 + o.confidence / 2.0, df) * se;
    Computed { estimate: m, ci_low: m - half, ci_high: m + half, n, text: None, notes: note.into_iter().collect() }
}

fn table(study: &Study, side: Side) -> Result<&DataFrame> {
    match side {
        Side::Employees => study.employees(),
        Side::Customers => study.customers(),
    }
}

fn weights(df: &DataFrame) -> Result<Option<Vec<f64>>> {
    if df.get_column_index("weight").is_none() {
        return Ok(None);
    }
    Ok(Some(floats(df, "weight")?))
}

/// Checks what a spec says about the data against the data (the full study): filter names and
/// columns. These are spec errors (exit 2), not failing indicators.
fn check_against_data(spec: &Spec, study: &Study) -> Result<()> {
    let studies: BTreeSet<String> = study.study_names()?.into_iter().collect();
    let mut units: BTreeSet<&str> = BTreeSet::new();
    for df in [study.employees()?, study.customers()?] {
        units.extend(strs(df, "unit")?);
    }
    let list = |set: Vec<&str>| {
        let shown: Vec<&str> = set.iter().take(10).copied().collect();
        let more = if set.len() > 10 { format!(", ... ({} in all)", set.len()) } else { String::new() };
        format!("{}{more}", shown.join(", "))
    };
    for ind in &spec.indicators {
        let ctx = format!("indicator '{}'", ind.id);
        for s in &ind.filter.studies {
            if !studies.contains(s) {
                let known = list(studies.iter().map(String::as_str).collect());
                return Err(spec.error(ind.filter.line, "filter", format!("{ctx}: key 'filter': unknown study '{s}' (studies: {known})")));
            }
        }
        for u in &ind.filter.units {
            if !units.contains(u.as_str()) {
                let known = list(units.iter().copied().collect());
                return Err(spec.error(ind.filter.line, "filter", format!("{ctx}: key 'filter': unknown unit '{u}' (units: {known})")));
            }
        }
        let (side, column, equals, line) = match &ind.statistic {
            Statistic::Share { side, column, equals, line } => (*side, column, equals.is_some(), *line),
            Statistic::Mean { side, column, line } => (*side, column, false, *line),
            _ => continue,
        };
        let df = table(study, side)?;
        let Ok(col) = df.column(column) else {
            let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
            return Err(spec.error(
                line,
                "column",
                format!("{ctx}: key 'column': no column '{column}' in the {} table (columns: {})", side.as_str(), names.join(", ")),
            ));
        };
        let dtype = col.dtype();
        let fits = match (&ind.statistic, equals) {
            (Statistic::Share { .. }, false) => dtype == &DataType::Boolean,
            (Statistic::Share { .. }, true) => dtype == &DataType::String,
            _ => dtype.is_primitive_numeric(),
        };
        if !fits {
            let want = match (&ind.statistic, equals) {
                (Statistic::Share { .. }, false) => "a yes/no (boolean) column; for a text column give `equals = \"value\"`",
                (Statistic::Share { .. }, true) => "a text column with `equals`",
                _ => "a numeric column",
            };
            return Err(spec.error(
                line,
                "column",
                format!("{ctx}: key 'column': '{column}' has type {dtype}; statistic '{}' needs {want}", ind.statistic_name),
            ));
        }
    }
    Ok(())
}

fn compute(ind: &IndicatorSpec, o: &Options, cache: &mut Cache) -> Result<Computed> {
    if let Statistic::Seed(id) = ind.statistic {
        let key = Filter { line: 0, ..ind.filter.clone() };
        if !cache.seed.contains_key(&key) {
            let rows = match cache.study(&ind.filter) {
                Err(note) => Err(note),
                Ok(study) => {
                    let io = IndicatorOptions {
                        ci_method: o.ci_method,
                        confidence: o.confidence,
                        linkage: linkage_options(o, None),
                    };
                    indicator_rows(study, &io).map_err(|e| e.to_string())
                }
            };
            cache.seed.insert(key.clone(), rows);
        }
        return Ok(match &cache.seed[&key] {
            Err(note) => Computed::note(note.clone()),
            Ok(rows) => match rows.iter().find(|r| r.id == id) {
                None => Computed::note(format!("indicator '{id}' missing from the indicators")),
                Some(r) => Computed {
                    estimate: r.estimate,
                    ci_low: r.ci_low,
                    ci_high: r.ci_high,
                    n: r.n,
                    text: None,
                    notes: r.note.iter().cloned().collect(),
                },
            },
        });
    }
    let study = match cache.study(&ind.filter) {
        Ok(s) => s,
        Err(note) => return Ok(Computed::note(note)),
    };
    match &ind.statistic {
        Statistic::Seed(_) => unreachable!("handled above"),
        Statistic::Share { side, column, equals, .. } => {
            let df = table(study, *side)?;
            let x: Vec<Option<bool>> = match equals {
                None => bools(df, column)?,
                Some(v) => df.column(column)?.str()?.iter().map(|s| s.map(|s| s == v)).collect(),
            };
            share(&x, weights(df)?.as_deref(), o)
        }
        Statistic::Mean { side, column, .. } => {
            let df = table(study, *side)?;
            Ok(mean_ci(&floats(df, column)?, weights(df)?.as_deref(), o))
        }
        Statistic::ShareSatisfied => {
            let df = study.customers()?;
            let t = study.schema().satisfied_threshold();
            let x: Vec<Option<bool>> =
                floats(df, "satisfaction")?.iter().map(|v| v.is_finite().then_some(*v >= t)).collect();
            share(&x, weights(df)?.as_deref(), o)
        }
        Statistic::Correlation { method, outcome } => {
            let lo = LinkageOptions { method: *method, outcome: *outcome, ..linkage_options(o, None) };
            let row = pooled_linkage(study, &lo)?;
            let mut c = Computed::from_test(&row.correlation, row.n_units);
            c.notes = row.notes;
            Ok(c)
        }
        Statistic::TopShareUplift { top_share } => {
            let row = pooled_linkage(study, &linkage_options(o, Some(*top_share)))?;
            let mut c = Computed::from_test(&row.uplift, row.n_units);
            c.notes.insert(0, format!("top {} of {} units by mean satisfaction", row.top_units, row.n_units));
            Ok(c)
        }
        Statistic::EngagementGap { level, covariates } => {
            let go = GapOptions { by: By::Study, covariates: covariates.clone(), confidence: o.confidence };
            let rows = gap_rows(study, &go)?;
            let pooled = rows.last().ok_or_else(|| MiroirError::Polars("gap returned no pooled row".into()))?;
            Ok(match level {
                GapLevel::Pooled => {
                    let mut c = Computed::from_test(&pooled.welch, pooled.n_facing + pooled.n_other);
                    c.notes.extend(pooled.notes.iter().cloned());
                    c
                }
                GapLevel::Largest => match rows.iter().find(|r| r.largest) {
                    Some(r) => {
                        let mut c = Computed::from_test(&r.welch, r.n_facing + r.n_other);
                        c.notes.insert(0, format!("study '{}'", r.study));
                        c
                    }
                    None => Computed::note("no study has both customer-facing and other employees"),
                },
                GapLevel::Adjusted => match &pooled.adjusted {
                    Some(r) => Computed::from_test(r, r.n),
                    None => Computed::note(format!("no adjusted gap: {}", pooled.notes.join("; "))),
                },
            })
        }
        Statistic::Moment { theme, alpha, silence_rate, min_mentions } => {
            if !study.has_mentions() {
                return Ok(Computed::note("the data have no mentions"));
            }
            let mo = MomentOptions { alpha: *alpha, silence_rate: *silence_rate, min_mentions: *min_mentions, by: By::Pooled };
            let rows = theme_rows(study, &mo)?;
            Ok(match rows.iter().find(|r| &r.theme == theme) {
                None => Computed::note(format!("theme '{theme}' is not among the {} coded themes", rows.len())),
                Some(r) => Computed {
                    n: r.customer_mentions,
                    text: Some(r.moment.to_string()),
                    notes: vec![format!(
                        "customers {}, employees {}, q = {:.3e}",
                        r.customer_axis, r.employee_axis, r.q_value
                    )],
                    ..Computed::default()
                },
            })
        }
    }
}

/// A percentage without a spurious fraction (95, not 95.00000000000001).
fn percent(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round())
    } else {
        format!("{p}")
    }
}

/// The check in words and whether it passes. Comparisons allow 1e-12 (relative) for rounding,
/// so that a tolerance of 0.02 accepts 0.74 against 0.72.
fn judge(check: Check, published: &Published, c: &Computed, confidence: f64) -> (String, bool) {
    let slack = |p: f64| 1e-12 * p.abs().max(1.0);
    match (check, published) {
        (Check::Equals, Published::Text(m)) => ("computed == published".into(), c.text.as_deref() == Some(m.as_str())),
        (_, Published::Text(_)) | (Check::Equals, _) => ("invalid".into(), false),
        (check, Published::Number(p)) => {
            let p = *p;
            let x = c.estimate;
            match check {
                Check::Tolerance(t) => (format!("|computed - published| <= {t:?}"), (x - p).abs() <= t + slack(p)),
                Check::RelativeTolerance(r) => {
                    (format!("|computed - published| <= {r:?} x |published|"), (x - p).abs() <= r * p.abs() + slack(p))
                }
                Check::WithinCi => (
                    format!("published in {}% CI", percent(confidence)),
                    published_inside_ci(p, c.ci_low, c.ci_high).unwrap_or(false),
                ),
                Check::Above => ("computed > published".into(), x > p),
                Check::Below => ("computed < published".into(), x < p),
                Check::Equals => unreachable!(),
            }
        }
    }
}

/// Recomputes every indicator of the spec on a study, in spec order.
pub fn evaluate(spec: &Spec, study: &Study) -> Result<Vec<Reproduced>> {
    check_against_data(spec, study)?;
    let mut cache = Cache::new(study);
    let mut out = Vec::with_capacity(spec.indicators.len());
    for ind in &spec.indicators {
        let c = match compute(ind, &spec.options, &mut cache) {
            Ok(c) => c,
            Err(e @ MiroirError::Spec { .. }) => return Err(e),
            Err(e) => Computed::note(e.to_string()),
        };
        let (check, passed) = judge(ind.check, &ind.published, &c, spec.options.confidence);
        let computable = c.estimate.is_finite() || c.text.is_some();
        let mut notes = c.notes.clone();
        if !computable && notes.is_empty() {
            notes.push("could not be computed".into());
        }
        out.push(Reproduced {
            id: ind.id.clone(),
            label: ind.label.clone(),
            statistic: ind.statistic_name.clone(),
            published: ind.published.clone(),
            computed: c.estimate,
            computed_text: c.text,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            n: c.n,
            check,
            passed: passed && computable,
            source: ind.source.clone(),
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        });
    }
    Ok(out)
}

/// The reproduce table: `id, label, statistic, published, published_text, computed,
/// computed_text, ci_low, ci_high, n, check, passed, source, note` (numbers null for moments,
/// texts null for numeric statistics).
pub fn table_of(rows: &[Reproduced]) -> Result<DataFrame> {
    let num = |p: &Published| match p {
        Published::Number(x) => Some(*x),
        Published::Text(_) => None,
    };
    let text = |p: &Published| match p {
        Published::Number(_) => None,
        Published::Text(t) => Some(t.clone()),
    };
    let moment = |r: &Reproduced| r.computed_text.is_some() || matches!(r.published, Published::Text(_));
    let opt = |r: &Reproduced, v: f64| if moment(r) { None } else { Some(v) };
    TableBuilder::new()
        .str("id", rows.iter().map(|r| &r.id))
        .str("label", rows.iter().map(|r| &r.label))
        .str("statistic", rows.iter().map(|r| &r.statistic))
        .opt_f64("published", rows.iter().map(|r| num(&r.published)))
        .opt_str("published_text", rows.iter().map(|r| text(&r.published)))
        .opt_f64("computed", rows.iter().map(|r| opt(r, r.computed)))
        .opt_str("computed_text", rows.iter().map(|r| r.computed_text.clone()))
        .opt_f64("ci_low", rows.iter().map(|r| opt(r, r.ci_low)))
        .opt_f64("ci_high", rows.iter().map(|r| opt(r, r.ci_high)))
        .u64("n", rows.iter().map(|r| r.n))
        .str("check", rows.iter().map(|r| &r.check))
        .bool("passed", rows.iter().map(|r| r.passed))
        .opt_str("source", rows.iter().map(|r| r.source.clone()))
        .opt_str("note", rows.iter().map(|r| r.note.clone()))
        .build()
}

/// Loads the data (unless `study` is given, which replaces the spec's `[data]`), recomputes
/// every indicator and returns the table.
pub fn reproduce(spec: &Spec, study: Option<&Study>, data_dir: Option<&Path>) -> Result<DataFrame> {
    let owned;
    let study = match study {
        Some(s) => s,
        None => {
            owned = load_data(spec, data_dir)?;
            &owned
        }
    };
    table_of(&evaluate(spec, study)?)
}

#[cfg(test)]
mod tests;
