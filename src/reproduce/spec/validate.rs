//! The raw spec turned into a validated [`Spec`](super::Spec): options, data source, and each
//! indicator's statistic, published value, check and filter. Every refusal names the line and
//! the key of the value refused; the defaults are the analyses' own ([`LinkageOptions`],
//! [`MomentOptions`]).

use super::location::Source;
use super::raw::{RawData, RawIndicator, RawOptions};
use super::{Check, DataSource, Filter, GapLevel, IndicatorSpec, Options, Published, Side, SpecPath, Statistic, GENERIC_STATISTICS};
use crate::analysis::indicators::SEED_FIGURES;
use crate::analysis::linkage::LinkageOptions;
use crate::analysis::moments::MomentOptions;
use crate::error::{MiroirError, Result};
use crate::stats::proportions::ProportionMethod;
use crate::synth::model::SynthConfig;
use std::ops::Range;
use std::str::FromStr;
use toml::Spanned;

pub(super) fn options(src: &Source, raw: Option<RawOptions>) -> Result<Options> {
    let mut o = Options::default();
    let Some(raw) = raw else { return Ok(o) };
    if let Some(c) = raw.confidence {
        let v = *c.get_ref();
        if !(v > 0.0 && v < 1.0) {
            return Err(src.at(c.span(), "confidence", format!("must lie strictly between 0 and 1, got {v}")));
        }
        o.confidence = v;
    }
    if let Some(m) = raw.ci_method {
        o.ci_method = ProportionMethod::from_str(m.get_ref()).map_err(|e| src.at(m.span(), "ci_method", e))?;
    }
    if let Some(n) = raw.n_resamples {
        let max = crate::stats::resample::MAX_RESAMPLES as u64;
        if !(100..=max).contains(n.get_ref()) {
            return Err(src.at(n.span(), "n_resamples", format!("must lie between 100 and {max}, got {}", n.get_ref())));
        }
        o.n_resamples = *n.get_ref() as usize;
    }
    if let Some(s) = raw.seed {
        o.seed = *s.get_ref();
    }
    Ok(o)
}

fn spec_path(src: &Source, key: &'static str, v: Spanned<String>) -> Result<SpecPath> {
    if v.get_ref().trim().is_empty() {
        return Err(src.at(v.span(), key, "the path is empty"));
    }
    Ok(SpecPath { key, line: src.line(v.span().start), path: v.into_inner() })
}

pub(super) fn data_source(src: &Source, raw: Spanned<RawData>) -> Result<DataSource> {
    let line = src.line(raw.span().start);
    let d = raw.into_inner();
    let forms = [d.dir.is_some(), d.employees.is_some() || d.customers.is_some() || d.mentions.is_some(), d.synthetic.is_some()];
    let bad = |detail: &str| Err(src.err(line, "data", format!("[data]: {detail}")));
    match forms.iter().filter(|f| **f).count() {
        0 => return bad("give `dir`, or `employees` and `customers` files, or `synthetic = { ... }`"),
        1 => {}
        _ => return bad("give only one of `dir`, the `employees`/`customers` files, or `synthetic`"),
    }
    if let Some(dir) = d.dir {
        return Ok(DataSource::Dir(spec_path(src, "dir", dir)?));
    }
    if let Some(s) = d.synthetic {
        let line = src.line(s.span().start);
        let span = s.span();
        let s = s.into_inner();
        let def = SynthConfig::default();
        let config = SynthConfig {
            studies: s.studies.unwrap_or(def.studies),
            employees: s.employees.unwrap_or(def.employees),
            customers: s.customers.unwrap_or(def.customers),
            seed: s.seed.unwrap_or(def.seed),
            wave: 0,
        };
        if config.studies == 0 || config.employees == 0 || config.customers == 0 {
            return Err(src.at(span, "synthetic", "studies, employees and customers must be positive"));
        }
        return Ok(DataSource::Synthetic { config, line });
    }
    let (Some(e), Some(c)) = (d.employees, d.customers) else {
        return bad("give both `employees` and `customers` files");
    };
    Ok(DataSource::Files {
        employees: spec_path(src, "employees", e)?,
        customers: spec_path(src, "customers", c)?,
        mentions: d.mentions.map(|m| spec_path(src, "mentions", m)).transpose()?,
    })
}

fn parse_in<T: FromStr<Err = MiroirError>>(src: &Source, key: &str, v: &Spanned<String>) -> Result<T> {
    T::from_str(v.get_ref()).map_err(|e| match e {
        MiroirError::InvalidArgument { detail, .. } => src.at(v.span(), key, detail),
        other => src.at(v.span(), key, other),
    })
}

fn fraction(src: &Source, key: &str, v: &Option<Spanned<f64>>, default: f64, hi: f64) -> Result<f64> {
    match v {
        None => Ok(default),
        Some(v) => {
            let x = *v.get_ref();
            if x > 0.0 && x < hi {
                Ok(x)
            } else {
                Err(src.at(v.span(), key, format!("must lie strictly between 0 and {hi}, got {x}")))
            }
        }
    }
}

fn side(src: &Source, v: &Option<Spanned<String>>) -> Result<Side> {
    match v {
        None => Ok(Side::Employees),
        Some(v) => match v.get_ref().as_str() {
            "employees" => Ok(Side::Employees),
            "customers" => Ok(Side::Customers),
            other => Err(src.at(v.span(), "table", format!("expected 'employees' or 'customers', got '{other}'"))),
        },
    }
}

pub(super) fn indicator(src: &Source, r: RawIndicator, line: usize) -> Result<IndicatorSpec> {
    let id = r.id.get_ref().clone();
    if id.trim().is_empty() {
        return Err(src.at(r.id.span(), "id", "the id is empty"));
    }
    let ctx = format!("indicator '{id}'");
    let name = r.statistic.get_ref().as_str();
    let seed = SEED_FIGURES.iter().find(|f| f.0 == name);
    let statistic = statistic(src, &r, line, &ctx)?;
    let is_moment = matches!(statistic, Statistic::Moment { .. });
    let published = published(src, &r.published, name, is_moment)?;
    let check = check(src, &r, is_moment, line, &ctx)?;
    let filter = match r.filter {
        Some(f) => filter(src, f)?,
        None => Filter::default(),
    };
    let label = r.label.unwrap_or_else(|| {
        seed.map_or_else(|| id.clone(), |f| f.1.to_string())
    });
    Ok(IndicatorSpec {
        id,
        label,
        statistic_name: name.to_string(),
        statistic,
        published,
        check,
        filter,
        source: r.source,
        line,
    })
}

/// Refuses a parameter key the statistic does not take.
fn check_parameters(src: &Source, r: &RawIndicator, name: &str, allowed: &[&str]) -> Result<()> {
    let params: [(&str, Option<Range<usize>>); 12] = [
        ("table", r.table.as_ref().map(|v| v.span())),
        ("column", r.column.as_ref().map(|v| v.span())),
        ("equals", r.equals.as_ref().map(|v| v.span())),
        ("method", r.method.as_ref().map(|v| v.span())),
        ("outcome", r.outcome.as_ref().map(|v| v.span())),
        ("level", r.level.as_ref().map(|v| v.span())),
        ("covariates", r.covariates.as_ref().map(|v| v.span())),
        ("top_share", r.top_share.as_ref().map(|v| v.span())),
        ("theme", r.theme.as_ref().map(|v| v.span())),
        ("alpha", r.alpha.as_ref().map(|v| v.span())),
        ("silence_rate", r.silence_rate.as_ref().map(|v| v.span())),
        ("min_mentions", r.min_mentions.as_ref().map(|v| v.span())),
    ];
    for (key, span) in &params {
        if let Some(span) = span {
            if !allowed.contains(key) {
                let takes = if allowed.is_empty() {
                    "it takes no parameter".to_string()
                } else {
                    format!("its parameters: {}", allowed.join(", "))
                };
                return Err(src.at(span.clone(), key, format!("does not apply to statistic '{name}' ({takes})")));
            }
        }
    }
    Ok(())
}

/// The statistic with its parameters (defaults: the analyses' own).
fn statistic(src: &Source, r: &RawIndicator, line: usize, ctx: &str) -> Result<Statistic> {
    let name = r.statistic.get_ref().as_str();
    let seed = SEED_FIGURES.iter().find(|f| f.0 == name);
    let generic = GENERIC_STATISTICS.iter().find(|g| g.0 == name);
    if seed.is_none() && generic.is_none() {
        return Err(src.at(
            r.statistic.span(),
            "statistic",
            format!("unknown statistic '{name}' (expected one of {})", super::statistic_names().join(", ")),
        ));
    }
    check_parameters(src, r, name, generic.map_or(&[], |g| g.1))?;
    let need = |key: &str, v: &Option<Spanned<String>>| -> Result<(String, usize)> {
        match v {
            Some(v) if !v.get_ref().is_empty() => Ok((v.get_ref().clone(), src.line(v.span().start))),
            Some(v) => Err(src.at(v.span(), key, "must not be empty")),
            None => Err(src.err(line, key, format!("{ctx}: statistic '{name}' needs key '{key}'"))),
        }
    };
    let linkage = LinkageOptions::default();
    Ok(match (seed, name) {
        (Some(f), _) => Statistic::Seed(f.0),
        (None, "share") => {
            let (column, line) = need("column", &r.column)?;
            let equals = r.equals.as_ref().map(|v| v.get_ref().clone());
            Statistic::Share { side: side(src, &r.table)?, column, equals, line }
        }
        (None, "mean") => {
            let (column, line) = need("column", &r.column)?;
            Statistic::Mean { side: side(src, &r.table)?, column, line }
        }
        (None, "share_satisfied") => Statistic::ShareSatisfied,
        (None, "correlation") => Statistic::Correlation {
            method: r.method.as_ref().map_or(Ok(linkage.method), |v| parse_in(src, "method", v))?,
            outcome: r.outcome.as_ref().map_or(Ok(linkage.outcome), |v| parse_in(src, "outcome", v))?,
        },
        (None, "engagement_gap") => engagement_gap(src, r)?,
        (None, "top_share_uplift") => {
            Statistic::TopShareUplift { top_share: fraction(src, "top_share", &r.top_share, linkage.top_share, 1.0)? }
        }
        (None, "moment") => {
            let (theme, _) = need("theme", &r.theme)?;
            let mo = MomentOptions::default();
            let min_mentions = match &r.min_mentions {
                Some(v) if *v.get_ref() == 0 => return Err(src.at(v.span(), "min_mentions", "must be at least 1")),
                Some(v) => *v.get_ref(),
                None => mo.min_mentions,
            };
            Statistic::Moment {
                theme,
                alpha: fraction(src, "alpha", &r.alpha, mo.alpha, 0.5)?,
                silence_rate: fraction(src, "silence_rate", &r.silence_rate, mo.silence_rate, 1.0)?,
                min_mentions,
            }
        }
        _ => unreachable!("statistic names are checked above"),
    })
}

fn engagement_gap(src: &Source, r: &RawIndicator) -> Result<Statistic> {
    let level = match &r.level {
        None => GapLevel::Pooled,
        Some(v) => match v.get_ref().as_str() {
            "pooled" => GapLevel::Pooled,
            "largest" => GapLevel::Largest,
            "adjusted" => GapLevel::Adjusted,
            other => {
                return Err(src.at(v.span(), "level", format!("expected 'pooled', 'largest' or 'adjusted', got '{other}'")))
            }
        },
    };
    if let (Some(c), false) = (&r.covariates, level == GapLevel::Adjusted) {
        return Err(src.at(c.span(), "covariates", "only applies with level = \"adjusted\""));
    }
    let covariates = r.covariates.as_ref().map(|c| c.get_ref().clone()).unwrap_or_default();
    Ok(Statistic::EngagementGap { level, covariates })
}

/// The published value: a finite number, or for a moment one of the moments' names.
fn published(src: &Source, v: &Spanned<Published>, name: &str, is_moment: bool) -> Result<Published> {
    let published = v.get_ref().clone();
    match (&published, is_moment) {
        (Published::Number(x), false) if !x.is_finite() => {
            return Err(src.at(v.span(), "published", "must be a finite number"))
        }
        (Published::Number(_), false) | (Published::Text(_), true) => {}
        (Published::Text(_), false) => {
            return Err(src.at(v.span(), "published", format!("statistic '{name}' needs a number")))
        }
        (Published::Number(_), true) => {
            return Err(src.at(v.span(), "published", "statistic 'moment' needs the moment's name, e.g. \"pain\""))
        }
    }
    if let Published::Text(m) = &published {
        use crate::analysis::moments::Moment;
        let known: Vec<&str> =
            Moment::ALL.iter().map(|m| m.key()).chain([Moment::UNDETERMINED, Moment::TOO_FEW_MENTIONS]).collect();
        if !known.contains(&m.as_str()) {
            return Err(src.at(v.span(), "published", format!("unknown moment '{m}' (expected one of {})", known.join(", "))));
        }
    }
    Ok(published)
}

/// The one check of a numeric statistic (a moment is checked by equality and takes none).
fn check(src: &Source, r: &RawIndicator, is_moment: bool, line: usize, ctx: &str) -> Result<Check> {
    let mut checks: Vec<(&str, Range<usize>, Check)> = Vec::new();
    if let Some(t) = &r.tolerance {
        checks.push(("tolerance", t.span(), Check::Tolerance(*t.get_ref())));
    }
    if let Some(t) = &r.relative_tolerance {
        checks.push(("relative_tolerance", t.span(), Check::RelativeTolerance(*t.get_ref())));
    }
    for (key, v, c) in [("within_ci", &r.within_ci, Check::WithinCi), ("above", &r.above, Check::Above), ("below", &r.below, Check::Below)] {
        if let Some(v) = v {
            if !*v.get_ref() {
                return Err(src.at(v.span(), key, "only `true` is meaningful; remove the key to drop the check"));
            }
            checks.push((key, v.span(), c));
        }
    }
    const CHECK_KEYS: &str = "tolerance, relative_tolerance, within_ci, above, below";
    if is_moment {
        if let Some((key, span, _)) = checks.first() {
            return Err(src.at(span.clone(), key, "statistic 'moment' is checked by equality and takes no check key"));
        }
        return Ok(Check::Equals);
    }
    match checks.as_slice() {
        [] => Err(src.err(line, "tolerance", format!("{ctx}: no check: give one of {CHECK_KEYS}"))),
        [(key, span, c)] => {
            if let Check::Tolerance(t) | Check::RelativeTolerance(t) = c {
                if !(t.is_finite() && *t >= 0.0) {
                    return Err(src.at(span.clone(), key, format!("must be a finite number >= 0, got {t}")));
                }
            }
            Ok(*c)
        }
        [_, (key, span, _), ..] => Err(src.at(span.clone(), key, format!("give only one check among {CHECK_KEYS}"))),
    }
}

/// The rows an indicator is computed on (names sorted, duplicates dropped).
fn filter(src: &Source, f: Spanned<super::raw::RawFilter>) -> Result<Filter> {
    let mut filter = Filter { line: src.line(f.span().start), ..Filter::default() };
    let f = f.into_inner();
    for (key, v, out) in [("study", f.study, &mut filter.studies), ("unit", f.unit, &mut filter.units)] {
        if let Some(v) = v {
            if v.get_ref().0.is_empty() || v.get_ref().0.iter().any(|s| s.is_empty()) {
                return Err(src.at(v.span(), key, "names must not be empty"));
            }
            let mut names = v.into_inner().0;
            names.sort();
            names.dedup();
            *out = names;
        }
    }
    filter.customer_facing = f.customer_facing.map(Spanned::into_inner);
    Ok(filter)
}
