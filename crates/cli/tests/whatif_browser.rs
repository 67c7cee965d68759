//! `sweep.html`, `compare.html` and `plan.html` in a real browser: a small sweep, comparison
//! and plan of the fleet-sizing scenario, written by the binary as a user runs them, open in
//! headless Chromium (Debian's `chromium` package) from a file, offline, with no script
//! error; the pages' script ran to its end (`data-rendered="yes"`), and the charts hold one
//! mark per number of the CSV files: a dot per (variant, figure) with a value in
//! `sweep.csv`, per (service, figure) with a value in `compare.csv`, per (value, seed,
//! requirement) with a figure in `plan.csv`. A page whose script throws is caught the same
//! way, so the check can fail.
//!
//! Chromium must be installed: `apt-get install -y chromium` (`.ci/run` does it when it is
//! missing).

mod browser;

use std::path::{Path, PathBuf};
use std::process::Command;

use browser::{open_rendered, temp_dir};

fn fleet() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/fleet-sizing.yaml")
}

/// Runs ecsim with `args`, expecting success.
fn ecsim(args: &[&str], out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(args)
        .arg("--out")
        .arg(out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .output()
        .expect("ecsim runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CSV file's header and rows.
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).expect("the CSV file is written");
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|column| column == name).unwrap()
}

/// The sweep of the fleet-sizing scenario over three fleet sizes, two hours (the zone is lost
/// at one hour), three seeds; `extra` arguments after.
fn sweep(out: &Path, extra: &[&str]) {
    let scenario = fleet();
    let mut args = vec![
        "sweep",
        scenario.to_str().unwrap(),
        "--seeds",
        "1..3",
        "--set",
        "duration=2h",
        "--vary",
        "cluster.autoScalingGroups[0].desiredCapacity=[4, 6, 5]",
        "--quiet",
    ];
    args.extend(extra);
    ecsim(&args, out);
}

#[test]
fn the_sweep_page_draws_every_mean_and_interval_in_chromium() {
    let dir = temp_dir("sweep");
    let out = dir.join("sweep");
    sweep(&out, &[]);
    let dom = open_rendered(&out.join("sweep.html"), &dir.join("profile"));
    // sweep.csv: one row per (variant, service, figure); a dot for each with a mean, a
    // whisker for each with an interval that is not a point, a chart for each figure
    // with a value in some variant.
    let (header, rows) = csv(&out.join("sweep.csv"));
    let (mean, low) = (column(&header, "mean"), column(&header, "ci95Low"));
    let metric = column(&header, "metric");
    let with_mean = rows.iter().filter(|row| !row[mean].is_empty()).count();
    let with_interval = rows.iter().filter(|row| !row[low].is_empty()).count();
    let mut figures: Vec<&str> = rows
        .iter()
        .filter(|row| !row[mean].is_empty())
        .map(|row| row[metric].as_str())
        .collect();
    figures.sort_unstable();
    figures.dedup();
    assert_eq!(
        rows.len(),
        3 * sim::SERVICES_HEADER[1..].len(),
        "3 variants"
    );
    assert!(figures.len() >= 8, "{figures:?}");
    assert_eq!(
        dom.matches("<svg class=\"plot\"").count(),
        figures.len(),
        "a chart per figure with a value"
    );
    assert_eq!(
        dom.matches("<circle class=\"mean\"").count(),
        with_mean,
        "a dot per (variant, figure) with a value"
    );
    assert_eq!(
        dom.matches("<line class=\"ci\"").count(),
        with_interval,
        "a whisker per (variant, figure) with an interval"
    );
    // One numeric path varied: the means of each chart joined in the order of the values,
    // the axis labelled with them (so no table of variants is needed at the top), each
    // variant a row of the service's table.
    assert_eq!(
        dom.matches("<polyline class=\"trend\"").count(),
        figures.len()
    );
    assert!(dom.contains("cluster.autoScalingGroups[0].desiredCapacity</text>"));
    assert!(dom.contains("--vary 'cluster.autoScalingGroups[0].desiredCapacity=[4, 6, 5]'"));
    assert!(!dom.contains("id=\"variants\""));
    assert_eq!(dom.matches("<tr data-key=\"v2\"").count(), 1);
    // Pointing at a variant picks it out in every chart and table: a copy of the page that
    // moves the pointer onto variant 1's mark in the first chart.
    let html = std::fs::read_to_string(out.join("sweep.html")).unwrap();
    let pointed = dir.join("pointed.html");
    std::fs::write(
        &pointed,
        html.replace(
            "</body>",
            "<script>document.querySelector('g[data-key=\"v1\"]')\
             .dispatchEvent(new MouseEvent('mouseenter'));</script></body>",
        ),
    )
    .unwrap();
    let dom = open_rendered(&pointed, &dir.join("profile"));
    assert_eq!(
        dom.matches("<g class=\"variant hot\" data-key=\"v1\"")
            .count(),
        figures.len(),
        "variant 1 in every chart"
    );
    assert_eq!(dom.matches("<tr data-key=\"v1\" class=\"hot\"").count(), 1);
    assert_eq!(
        dom.matches(" hot\"").count() + dom.matches("class=\"hot\"").count(),
        figures.len() + 1
    );
    // The page of a sweep run in shards and merged is the same page.
    let shards: Vec<PathBuf> = (0..2).map(|i| dir.join(format!("shard-{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        sweep(shard, &["--shard", &format!("{i}/2")]);
        assert!(!shard.join("sweep.html").exists(), "a shard has no page");
    }
    let merged = dir.join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|shard| shard.to_str().unwrap()));
    ecsim(&args, &merged);
    assert_eq!(
        std::fs::read(merged.join("sweep.html")).unwrap(),
        std::fs::read(out.join("sweep.html")).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_compare_page_draws_every_difference_in_chromium() {
    let dir = temp_dir("compare");
    let out = dir.join("compare");
    let scenario = fleet();
    ecsim(
        &[
            "compare",
            scenario.to_str().unwrap(),
            "--seeds",
            "1..3",
            "--set",
            "duration=2h",
            "--set",
            "cluster.autoScalingGroups[0].desiredCapacity=4",
            "--set-other",
            "cluster.autoScalingGroups[0].desiredCapacity=6",
            "--quiet",
        ],
        &out,
    );
    let dom = open_rendered(&out.join("compare.html"), &dir.join("profile"));
    let (header, rows) = csv(&out.join("compare.csv"));
    let (n, low, high) = (
        column(&header, "n"),
        column(&header, "ci95Low"),
        column(&header, "ci95High"),
    );
    let compared: Vec<&Vec<String>> = rows.iter().filter(|row| row[n] != "0").collect();
    assert!(compared.len() >= 8, "{} figures compared", compared.len());
    assert_eq!(
        dom.matches("<circle class=\"mean\"").count(),
        compared.len(),
        "a dot per figure with a value"
    );
    let with_interval = compared.iter().filter(|row| !row[low].is_empty()).count();
    assert_eq!(dom.matches("<line class=\"ci\"").count(), with_interval);
    // With four instances the lost zone leaves the service short until the end; with six,
    // the replacements fit: the seconds below desired fall on every seed and the interval
    // of the difference lies below zero, so the page says other is better on it, green.
    let below = rows
        .iter()
        .find(|row| row[1] == "secondsBelowDesired")
        .unwrap();
    assert!(
        below[high].parse::<f64>().unwrap() < 0.0,
        "the interval excludes zero: {below:?}"
    );
    let start = dom
        .find("<title>secondsBelowDesired:")
        .expect("its row is drawn");
    let row = &dom[start..start + dom[start..].find("</g>").unwrap()];
    assert!(row.contains(">other is better<"), "{row}");
    assert!(row.contains("fill=\"#009E73\""), "{row}");
    assert!(dom.contains("Other is better on <b>"), "the tally");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_plan_page_draws_every_observation_in_chromium() {
    let dir = temp_dir("plan");
    let out = dir.join("plan");
    let scenario = fleet();
    ecsim(
        &[
            "plan",
            scenario.to_str().unwrap(),
            "--seeds",
            "1..2",
            "--set",
            "duration=2h",
            "--vary",
            "cluster.autoScalingGroups[0].desiredCapacity=3..8",
            "--require",
            "web.secondsBelowDesired<=120",
            "--require",
            "web.availability>=0.99",
            "--quiet",
        ],
        &out,
    );
    let dom = open_rendered(&out.join("plan.html"), &dir.join("profile"));
    // plan.csv: one row per (value, seed, requirement); a dot for each with a figure, green
    // where the requirement held, a chart per requirement with its bound, the answer marked.
    let (header, rows) = csv(&out.join("plan.csv"));
    let (observed, ok) = (column(&header, "observed"), column(&header, "ok"));
    let drawn: Vec<&Vec<String>> = rows
        .iter()
        .filter(|row| !row[observed].is_empty())
        .collect();
    assert!(drawn.len() >= 8, "{} observations", drawn.len());
    assert_eq!(dom.matches("<circle class=\"mean\"").count(), drawn.len());
    let met = drawn.iter().filter(|row| row[ok] == "true").count();
    assert_eq!(dom.matches("fill=\"#009E73\" fill-opacity").count(), met);
    assert_eq!(
        dom.matches("<svg class=\"plot\"").count(),
        2,
        "two requirements"
    );
    assert_eq!(dom.matches("class=\"bound\"").count(), 2);
    assert_eq!(dom.matches("class=\"answer\" x1").count(), 2);
    assert!(dom.contains(">answer: cluster.autoScalingGroups[0].desiredCapacity=5</p>"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_script_error_in_a_what_if_page_is_caught() {
    let dir = temp_dir("whatif-broken");
    let out = dir.join("sweep");
    sweep(&out, &[]);
    let html = std::fs::read_to_string(out.join("sweep.html")).unwrap();
    let marker = "document.body.setAttribute('data-rendered', 'yes');";
    assert!(html.contains(marker), "the script marks the page rendered");
    let broken = dir.join("broken.html");
    std::fs::write(
        &broken,
        html.replace(marker, &format!("noSuchFunction(); {marker}")),
    )
    .unwrap();
    browser::assert_error_caught(&broken, &dir.join("profile"));
    std::fs::remove_dir_all(&dir).unwrap();
}
