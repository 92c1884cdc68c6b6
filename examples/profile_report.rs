//! Times each step of a report on a study folder (Parquet or CSV), release build:
//! `cargo run --release --example profile_report -- DIR`. With `ONLY_REPORT=1`: load_study and
//! the report only (for peak memory; `STREAM=1` / `STREAM=0` force or refuse the streaming scan, `BATCH_ROWS`
//! sets its slice).
use miroir::analysis::{self, ReportOptions};
use miroir::data::{load_study, load_study_with, LoadOptions, Schema, Streaming, StudyPaths};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: profile_report DIR")?;
    let paths = StudyPaths::from_dir(dir.as_ref())?;
    if std::env::var_os("ONLY_REPORT").is_some() {
        // load_study (streaming for Parquet customers) and the report, nothing else: for peak memory
        let t = Instant::now();
        // STREAM=1 forces the streaming scan of the customers, STREAM=0 the in-memory path
        let streaming = match std::env::var("STREAM").as_deref() {
            Ok("1") => Streaming::Always,
            Ok("0") => Streaming::Never,
            _ => Streaming::Auto,
        };
        let mut options = LoadOptions { streaming, ..Default::default() };
        if let Some(b) = std::env::var("BATCH_ROWS").ok().and_then(|b| b.parse().ok()) {
            options.batch_rows = b;
        }
        let study = load_study_with(&paths, Schema::default(), &options)?;
        println!("load_study      {:>8.3} s (customers scanned: {})", t.elapsed().as_secs_f64(), study.is_scanned());
        let mut o = ReportOptions::default();
        o.linkage.n_resamples = 0;
        o.indicators.linkage.n_resamples = 0;
        o.drivers.n_resamples = 0; // as Python's report(n_resamples=0)
        let t = Instant::now();
        analysis::report(&study, &o)?;
        println!("report          {:>8.3} s", t.elapsed().as_secs_f64());
        return Ok(());
    }
    let t = Instant::now();
    let e = miroir::data::read_table(&paths.employees)?;
    let c = miroir::data::read_table(&paths.customers)?;
    let m = paths.mentions.as_deref().map(miroir::data::read_table).transpose()?;
    println!("read files      {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    drop(miroir::data::Study::new(e, c, m, Schema::default())?);
    println!("validate        {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let study = load_study(&StudyPaths::from_dir(dir.as_ref())?, Schema::default())?;
    println!("load+validate   {:>8.3} s", t.elapsed().as_secs_f64());
    let mut o = ReportOptions::default();
    o.linkage.n_resamples = 0;
    o.indicators.linkage.n_resamples = 0;
    o.drivers.n_resamples = 0; // as Python's report(n_resamples=0)
    let step = |name: &str, f: &dyn Fn() -> miroir::error::Result<()>| {
        let t = Instant::now();
        f().unwrap();
        println!("{name:<15} {:>8.3} s", t.elapsed().as_secs_f64());
    };
    step("summary", &|| study.summary().map(|_| ()));
    step("units", &|| analysis::unit_table(&study).map(|_| ()));
    step("indicators", &|| analysis::indicators(&study, &o.indicators).map(|_| ()));
    step("linkage", &|| analysis::linkage(&study, &o.linkage).map(|_| ()));
    step("exposure_gap", &|| analysis::exposure_gap(&study, &o.gap).map(|_| ()));
    step("moments", &|| analysis::moments(&study, &o.moments).map(|_| ()));
    step("moment_effects", &|| analysis::moment_effects(&study, &o.moments).map(|_| ()));
    step("report", &|| analysis::report(&study, &o).map(|_| ()));
    Ok(())
}
