//! Times each section's part of a report and weighs it, on a study folder (Parquet or CSV),
//! release build: `cargo run --release --example profile_parts -- DIR`. The study is loaded in
//! memory as one part holding every study (the costs of `miroir.distributed`'s parts, summed).
//! `REPEAT=N ONLY=moments|drivers`: one section's part (or the report's) N times, for `perf record`.
use miroir::analysis::{self, ReportOptions};
use miroir::data::{load_study_with, LoadOptions, Schema, Streaming, StudyPaths};
use miroir::partial::{self, drivers::DriverPart, gap::GapPart, indicators::IndicatorPart, linkage::LinkagePart};
use miroir::partial::{moments::MomentPart, report::ReportPart, summary::SummaryPart, units::UnitsPart};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: profile_parts DIR")?;
    let paths = StudyPaths::from_dir(dir.as_ref())?;
    let t = Instant::now();
    let options = LoadOptions { streaming: Streaming::Never, ..Default::default() };
    let study = load_study_with(&paths, Schema::default(), &options)?;
    println!("load (in memory)  {:>8.3} s", t.elapsed().as_secs_f64());
    let o = ReportOptions::with_resamples(0, 0);
    if let Some(n) = std::env::var("REPEAT").ok().and_then(|n| n.parse::<usize>().ok()) {
        // one section's part `n` times (for a profiler)
        let only = std::env::var("ONLY").unwrap_or_default();
        for _ in 0..n {
            match only.as_str() {
                "moments" => drop(MomentPart::of(&study, &o.moments)?),
                "drivers" => drop(DriverPart::of(&study, &o.drivers)?),
                _ => drop(ReportPart::of(&study, &o)?),
            }
        }
        return Ok(());
    }
    fn step<T: serde::Serialize>(name: &str, f: impl FnOnce() -> miroir::error::Result<T>) -> miroir::error::Result<T> {
        let t = Instant::now();
        let part = f()?;
        let s = t.elapsed().as_secs_f64();
        let bytes = partial::to_bytes(&part)?.len();
        println!("{name:<17} {s:>8.3} s {:>12} bytes", bytes);
        Ok(part)
    }
    step("summary", || SummaryPart::of(&study))?;
    step("units", || UnitsPart::of(&study))?;
    step("linkage", || LinkagePart::of(&study, &o.linkage))?;
    step("exposure_gap", || GapPart::of(&study, &o.gap))?;
    step("indicators", || IndicatorPart::of(&study))?;
    step("moments", || MomentPart::of(&study, &o.moments))?;
    step("drivers", || DriverPart::of(&study, &o.drivers))?;
    let part = step("report part", || ReportPart::of(&study, &o))?;
    let t = Instant::now();
    let r = part.finish(&o)?;
    println!("finish            {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let one = analysis::report(&study, &o)?;
    println!("single report     {:>8.3} s", t.elapsed().as_secs_f64());
    drop((r, one));
    Ok(())
}
