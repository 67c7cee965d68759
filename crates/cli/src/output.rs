//! Writing a run's files: each goes to a temporary name in the output folder and is
//! renamed only after the whole run succeeded, so an interrupted run leaves no file that
//! looks complete.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use scenario::Scenario;
use sim::{Report, Writers};

/// The default output folder for a scenario name: letters, digits, `-`, `_` and `.` kept,
/// anything else replaced by `-`.
pub fn folder_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.trim_matches('.').is_empty() {
        "scenario".to_string()
    } else {
        cleaned
    }
}

const STREAMED: [&str; 4] = [
    "events.csv",
    "tasks.csv",
    "instances.csv",
    "placement_failures.csv",
];

fn partial(out: &Path, name: &str) -> PathBuf {
    out.join(format!(".{name}.partial"))
}

fn create(out: &Path, name: &str) -> Result<Box<dyn Write>> {
    let path = partial(out, name);
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    Ok(Box::new(BufWriter::with_capacity(1 << 16, file)))
}

pub fn run_to_folder(scenario: &Scenario, seed: u64, out: &Path) -> Result<Report> {
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let writers = Writers {
        events: create(out, STREAMED[0])?,
        tasks: create(out, STREAMED[1])?,
        instances: create(out, STREAMED[2])?,
        placement_failures: create(out, STREAMED[3])?,
    };
    let report = sim::run(scenario, seed, writers)?;
    let mut services = BufWriter::new(
        File::create(partial(out, "services.csv")).context("creating services.csv")?,
    );
    report.write_services_csv(&mut services)?;
    services.flush()?;
    let mut summary = BufWriter::new(
        File::create(partial(out, "summary.json")).context("creating summary.json")?,
    );
    report.write_summary_json(&mut summary)?;
    summary.flush()?;
    for name in STREAMED.iter().chain(&["services.csv", "summary.json"]) {
        let target = out.join(name);
        fs::rename(partial(out, name), &target)
            .with_context(|| format!("renaming into {}", target.display()))?;
    }
    Ok(report)
}
