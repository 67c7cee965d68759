//! Writing a run's files: each goes to a temporary name in the output folder and is
//! renamed only after the whole run succeeded, so an interrupted run leaves no file that
//! looks complete.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use des::SimTime;
use scenario::Scenario;
use sim::{Report, Sink};

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

/// The files written after the run, from its report (`groups.csv` only when the scenario
/// has arrivals).
const FROM_REPORT: [&str; 3] = ["services.csv", "groups.csv", "summary.json"];

fn partial(out: &Path, name: &str) -> PathBuf {
    out.join(format!(".{name}.partial"))
}

fn create(out: &Path, name: &str) -> Result<BufWriter<File>> {
    let path = partial(out, name);
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 16, file))
}

/// Every output file name, streamed ones first.
pub fn all_outputs() -> Vec<&'static str> {
    sim::CONSUMERS
        .iter()
        .map(|&(name, _)| name)
        .chain(FROM_REPORT)
        .collect()
}

/// Runs the scenario writing the files named in `outputs` (all when it lists every one)
/// into `out`, telling `progress` the simulated time reached now and then. Files of this
/// tool that the run does not write are removed from `out`, so a folder never mixes two
/// runs.
pub fn run_to_folder(
    scenario: &Scenario,
    seed: u64,
    out: &Path,
    outputs: &[&str],
    progress: &mut dyn FnMut(SimTime),
) -> Result<Report> {
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut sinks: Vec<(&str, Sink)> = Vec::new();
    for &(name, _) in &sim::CONSUMERS {
        if outputs.contains(&name) {
            sinks.push((name, Box::new(create(out, name)?)));
        }
    }
    let report = sim::run_with_progress(scenario, seed, sinks, progress)?;
    let mut written: Vec<&str> = sim::CONSUMERS
        .iter()
        .map(|&(name, _)| name)
        .filter(|name| outputs.contains(name))
        .collect();
    for name in FROM_REPORT {
        if !outputs.contains(&name) || (name == "groups.csv" && report.groups.is_empty()) {
            continue;
        }
        let mut file = create(out, name)?;
        match name {
            "services.csv" => report.write_services_csv(&mut file)?,
            "groups.csv" => report.write_groups_csv(&mut file)?,
            _ => report.write_summary_json(&mut file)?,
        }
        file.flush()?;
        written.push(name);
    }
    for name in all_outputs() {
        let target = out.join(name);
        if written.contains(&name) {
            fs::rename(partial(out, name), &target)
                .with_context(|| format!("renaming into {}", target.display()))?;
        } else if target.exists() {
            fs::remove_file(&target)
                .with_context(|| format!("removing the stale {}", target.display()))?;
        }
    }
    Ok(report)
}
