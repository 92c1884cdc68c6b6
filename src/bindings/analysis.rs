//! The mirror analyses: options in, tidy DataFrames out.
//!
//! Integer arguments go through [`super::stats::arg`] (typed errors, never `OverflowError`);
//! the analyses that run the uplift bootstrap (linkage, indicators, report) run through
//! [`interruptible`], so Ctrl-C stops them.

use super::data::PyStudy;
use super::frame::PyDataFrame;
use super::stats::{arg, interruptible};
use crate::analysis::{self, By, GapOptions, IndicatorOptions, LinkageOptions, MomentOptions, ReportOptions};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::str::FromStr;

#[allow(clippy::too_many_arguments)]
fn linkage_options(
    method: &str, by: Option<&str>, threshold: Option<f64>, top_share: f64, outcome: &str,
    n_resamples: usize, seed: u64, confidence: f64,
) -> PyResult<LinkageOptions> {
    let o = LinkageOptions {
        method: FromStr::from_str(method)?,
        outcome: FromStr::from_str(outcome)?,
        by: By::parse(by)?,
        threshold,
        top_share,
        n_resamples,
        seed,
        confidence,
    };
    o.check()?;
    Ok(o)
}

fn moment_options(alpha: f64, silence_rate: f64, min_mentions: u64, by: Option<&str>) -> PyResult<MomentOptions> {
    let o = MomentOptions { alpha, silence_rate, min_mentions, by: By::parse(by)? };
    o.check()?;
    Ok(o)
}

#[pyfunction]
// no defaults here: the Python layer passes every option, its defaults read from `analysis_defaults`
#[pyo3(signature = (study, method, by, threshold, top_share, outcome, n_resamples, seed, confidence))]
#[allow(clippy::too_many_arguments)]
fn linkage(
    py: Python<'_>, study: &PyStudy, method: &str, by: Option<&str>, threshold: Option<f64>, top_share: f64,
    outcome: &str, #[pyo3(from_py_with = arg::analysis_resamples)] n_resamples: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64, confidence: f64,
) -> PyResult<PyDataFrame> {
    let o = linkage_options(method, by, threshold, top_share, outcome, n_resamples, seed, confidence)?;
    Ok(PyDataFrame(interruptible(py, || analysis::linkage(&study.inner, &o))??))
}

#[pyfunction]
fn linkage_units(py: Python<'_>, study: &PyStudy) -> PyResult<PyDataFrame> {
    Ok(PyDataFrame(py.detach(|| analysis::unit_table(&study.inner))?))
}

#[pyfunction]
#[pyo3(signature = (study, by, covariates, confidence))]
fn exposure_gap(
    py: Python<'_>, study: &PyStudy, by: Option<&str>, covariates: Vec<String>, confidence: f64,
) -> PyResult<PyDataFrame> {
    let o = GapOptions { by: By::parse(by)?, covariates, confidence };
    Ok(PyDataFrame(py.detach(|| analysis::exposure_gap(&study.inner, &o))?))
}

#[pyfunction]
#[pyo3(signature = (study, alpha, silence_rate, min_mentions, by))]
fn moments(
    py: Python<'_>, study: &PyStudy, alpha: f64, silence_rate: f64,
    #[pyo3(from_py_with = arg::min_mentions)] min_mentions: u64, by: Option<&str>,
) -> PyResult<PyDataFrame> {
    let o = moment_options(alpha, silence_rate, min_mentions, by)?;
    Ok(PyDataFrame(py.detach(|| analysis::moments(&study.inner, &o))?))
}

#[pyfunction]
#[pyo3(signature = (study, alpha, silence_rate, min_mentions))]
fn moment_effects(
    py: Python<'_>, study: &PyStudy, alpha: f64, silence_rate: f64,
    #[pyo3(from_py_with = arg::min_mentions)] min_mentions: u64,
) -> PyResult<PyDataFrame> {
    let o = moment_options(alpha, silence_rate, min_mentions, None)?;
    Ok(PyDataFrame(py.detach(|| analysis::moment_effects(&study.inner, &o))?))
}

fn indicator_options(ci_method: &str, confidence: f64, n_resamples: usize, seed: u64) -> PyResult<IndicatorOptions> {
    let o = IndicatorOptions {
        // the kernel's parser (aliases included) decides; its error is named as the caller names it
        ci_method: FromStr::from_str(ci_method).map_err(|e| match e {
            crate::stats::StatsError::InvalidArgument { reason, .. } => {
                crate::MiroirError::InvalidArgument { argument: "ci_method".into(), detail: reason }
            }
            other => crate::MiroirError::Stats(other),
        })?,
        confidence,
        linkage: LinkageOptions { n_resamples, seed, confidence, ..IndicatorOptions::default().linkage },
    };
    // the uplift's bootstrap options checked as the linkage checks them (confidence, resamples)
    o.linkage.check()?;
    Ok(o)
}

#[pyfunction]
#[pyo3(signature = (study, ci_method, confidence, n_resamples, seed))]
fn indicators(
    py: Python<'_>, study: &PyStudy, ci_method: &str, confidence: f64,
    #[pyo3(from_py_with = arg::analysis_resamples)] n_resamples: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
) -> PyResult<PyDataFrame> {
    let o = indicator_options(ci_method, confidence, n_resamples, seed)?;
    Ok(PyDataFrame(interruptible(py, || analysis::indicators(&study.inner, &o))??))
}

/// Every table of the report, as a dict of DataFrames (`moments` and `moment_effects` are None
/// without mentions).
#[pyfunction]
#[pyo3(signature = (study, n_resamples, seed))]
fn report<'py>(
    py: Python<'py>, study: &PyStudy, #[pyo3(from_py_with = arg::analysis_resamples)] n_resamples: usize,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let o = ReportOptions::with_resamples(n_resamples, seed);
    o.linkage.check()?;
    let r = interruptible(py, || analysis::report(&study.inner, &o))??;
    report_dict(py, r)
}

/// A report as the dict of DataFrames Python's `Report` is built from.
pub(super) fn report_dict(py: Python<'_>, r: analysis::Report) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("summary", PyDataFrame(r.summary))?;
    d.set_item("indicators", PyDataFrame(r.indicators))?;
    d.set_item("linkage", PyDataFrame(r.linkage))?;
    d.set_item("units", PyDataFrame(r.units))?;
    d.set_item("exposure_gap", PyDataFrame(r.exposure_gap))?;
    d.set_item("moments", r.moments.map(PyDataFrame))?;
    d.set_item("moment_effects", r.moment_effects.map(PyDataFrame))?;
    d.set_item("drivers", r.drivers.map(PyDataFrame))?;
    d.set_item("warnings", r.warnings)?;
    Ok(d)
}

/// `by` as the Python functions spell it: `"study"`, or `None` for the pooled row only.
fn by_name(by: By) -> Option<&'static str> {
    match by {
        By::Study => Some("study"),
        By::Pooled => None,
    }
}

/// The analyses' default options, `{analysis: {option: value}}`, from the core's `Default`s (one
/// home for each default): the Python signatures, the result objects and the report read them.
#[pyfunction]
fn analysis_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    let section = |name: &str, items: Vec<(&str, Bound<'_, PyAny>)>| -> PyResult<()> {
        let d = PyDict::new(py);
        for (k, v) in items {
            d.set_item(k, v)?;
        }
        out.set_item(name, d)
    };
    macro_rules! items {
        ($($k:literal => $v:expr),* $(,)?) => {
            vec![$(($k, pyo3::IntoPyObjectExt::into_bound_py_any($v, py)?)),*]
        };
    }
    let l = LinkageOptions::default();
    section("linkage", items![
        "method" => l.method.to_string(), "by" => by_name(l.by), "threshold" => l.threshold,
        "top_share" => l.top_share, "outcome" => l.outcome.to_string(), "n_resamples" => l.n_resamples,
        "seed" => l.seed, "confidence" => l.confidence,
    ])?;
    let i = IndicatorOptions::default();
    section("indicators", items![
        "ci_method" => i.ci_method.to_string(), "confidence" => i.confidence,
        "n_resamples" => i.linkage.n_resamples, "seed" => i.linkage.seed,
    ])?;
    let g = GapOptions::default();
    section("exposure_gap", items!["by" => by_name(g.by), "covariates" => g.covariates, "confidence" => g.confidence])?;
    let m = MomentOptions::default();
    section("moments", items![
        "alpha" => m.alpha, "silence_rate" => m.silence_rate, "min_mentions" => m.min_mentions, "by" => by_name(m.by),
    ])?;
    let d = analysis::DriverOptions::default();
    section("drivers", items![
        "outcome" => d.outcome.to_string(), "drivers" => d.drivers, "controls" => d.controls,
        "level" => d.level.map(|v| v.to_string()), "adjust_for_study" => d.adjust_for_study,
        "n_resamples" => d.n_resamples, "seed" => d.seed, "confidence" => d.confidence,
    ])?;
    let c = analysis::CorrectedLinkageOptions::default();
    section("linkage_corrected", items![
        "outcome" => c.outcome.to_string(), "confidence" => c.confidence, "credibility" => c.credibility,
    ])?;
    let mg = analysis::MultilevelGapOptions::default();
    section("multilevel_gap", items!["by" => by_name(mg.by), "confidence" => mg.confidence])?;
    let r = ReportOptions::default();
    section("report", items!["n_resamples" => r.linkage.n_resamples, "seed" => r.linkage.seed])?;
    Ok(out)
}

/// Whether a published value lies inside its CI, up to rounding; `None` when any is NaN (the one
/// judgement, [`crate::analysis::indicators::published_inside_ci`], that reproduce uses too).
#[pyfunction]
fn published_inside_ci(published: f64, ci_low: f64, ci_high: f64) -> Option<bool> {
    crate::analysis::indicators::published_inside_ci(published, ci_low, ci_high)
}

/// A moment's key, its two axes, and its name, action and short action per language.
type MomentRow = (&'static str, &'static str, &'static str, Vec<(&'static str, &'static str, &'static str, &'static str)>);

/// The six moments in the seed's order (`crate::analysis::moments::Moment`): key, customer
/// axis, employee axis, and `(lang, name, action, short action)` for English and French.
#[pyfunction]
fn moment_taxonomy() -> Vec<MomentRow> {
    use crate::analysis::moments::Moment;
    Moment::ALL
        .into_iter()
        .map(|m| {
            let (customer, employee) = m.axes();
            let texts = ["en", "fr"]
                .into_iter()
                .filter_map(|lang| m.text(lang).map(|t| (lang, t.name, t.action, t.short_action)))
                .collect();
            (m.key(), customer, employee, texts)
        })
        .collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),*) => {$( m.add_function(wrap_pyfunction!($f, m)?)?; )*};
    }
    add!(moment_taxonomy, analysis_defaults, published_inside_ci);
    add!(linkage, linkage_units, exposure_gap, moments, moment_effects, indicators, report);
    add!(linkage_corrected, multilevel_gap);
    Ok(())
}

#[pyfunction]
#[pyo3(signature = (study, outcome, confidence, credibility))]
fn linkage_corrected(
    py: Python<'_>, study: &PyStudy, outcome: &str, confidence: f64, credibility: f64,
) -> PyResult<PyDataFrame> {
    let o = analysis::CorrectedLinkageOptions { outcome: FromStr::from_str(outcome)?, confidence, credibility };
    o.check()?;
    Ok(PyDataFrame(py.detach(|| analysis::linkage_corrected(&study.inner, &o))?))
}

#[pyfunction]
#[pyo3(signature = (study, by, confidence))]
fn multilevel_gap(py: Python<'_>, study: &PyStudy, by: Option<&str>, confidence: f64) -> PyResult<PyDataFrame> {
    let o = analysis::MultilevelGapOptions { by: By::parse(by)?, confidence };
    o.check()?;
    Ok(PyDataFrame(py.detach(|| analysis::multilevel_gap(&study.inner, &o))?))
}
