//! `report.html` in a real browser: the quickstart's report opens in headless Chromium
//! (Debian's `chromium` package) from a file, offline, with no script error; its script ran
//! to the end (`data-rendered="yes"` on the body) and drew the timeline; every chart has its
//! series. A page whose script throws is caught the same way, so the check can fail.
//!
//! Chromium must be installed: `apt-get install -y chromium` (`.ci/run` does it when it is
//! missing).

mod browser;

use std::path::{Path, PathBuf};
use std::process::Command;

use browser::temp_dir;

/// The quickstart's report, written by the binary as a user runs it.
fn quickstart_report(dir: &Path) -> PathBuf {
    report_of(dir, &[])
}

/// The report of `ecsim run ARGS --out DIR/out`.
fn report_of(dir: &Path, args: &[&str]) -> PathBuf {
    let out = dir.join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .arg("run")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("ecsim runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out.join("report.html")
}

#[test]
fn the_quickstart_report_renders_in_chromium_without_script_errors() {
    let dir = temp_dir("quickstart");
    let report = quickstart_report(&dir);
    let dom = browser::open_rendered(&report, &dir.join("profile"));
    // Every chart drew its series: step paths with more than a start and an end.
    let charts = dom.matches("<svg class=\"chart\"").count();
    assert!(charts >= 8, "{charts} charts");
    let series: Vec<&str> = dom
        .split("<path class=\"series\" d=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').expect("closed")])
        .collect();
    assert!(
        series.len() >= 3 + 3 + 6 + 6,
        "{} series paths",
        series.len()
    );
    assert!(
        series.iter().all(|d| d.starts_with('M') && d.contains('H')),
        "a series path is not a step function: {series:?}"
    );
    let stepping = series.iter().filter(|d| d.contains('V')).count();
    assert!(stepping >= 12, "{stepping} series paths step: {series:?}");
    // The overview has the outage of us-west-2b and the instances lost in it.
    assert!(dom.contains("us-west-2b out from 1d 00:00:00 to 1d 01:00:00"));
    assert!(dom.contains("class=\"mark loss\""));
    assert!(dom.contains("class=\"spell\""));
    // The script drew the timeline at the middle of the outage: us-west-2b is down, the
    // other zones hold the service's tasks; the cursor is in every chart.
    assert!(
        dom.contains("<h3>At 1d 00:30:00</h3>"),
        "timeline not drawn"
    );
    assert_eq!(dom.matches("class=\"zone\"").count(), 2, "two zones up");
    assert_eq!(
        dom.matches("class=\"zone down\"").count(),
        1,
        "one zone out"
    );
    assert!(dom.contains("6 running of 6 desired"));
    assert!(dom.matches("class=\"task running\"").count() >= 6);
    assert_eq!(
        dom.matches("visibility=\"visible\"").count(),
        charts,
        "a cursor in every chart"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// With a capacity provider (ECS.md §5.5): its group's chart (in service, desired
/// capacity), its CapacityProviderReservation with targetCapacity, and the cost
/// accumulating with its rate, each with a cursor the script moved.
#[test]
fn the_capacity_providers_report_renders_its_capacity_and_cost_charts() {
    let dir = temp_dir("capacity-providers");
    let report = report_of(&dir, &["scenarios/capacity-providers.yaml"]);
    let dom = browser::open_rendered(&report, &dir.join("profile"));
    for (id, paths) in [
        ("chart-capacity-group-0", 2),
        ("chart-capacity-reservation-0", 2),
        ("chart-cost", 1),
        ("chart-cost-rate", 1),
    ] {
        let chart = dom
            .split(&format!("id=\"{id}\""))
            .nth(1)
            .and_then(|rest| rest.split("</svg>").next())
            .unwrap_or_else(|| panic!("no {id}"));
        assert_eq!(chart.matches("<path class=\"series").count(), paths, "{id}");
        assert!(chart.contains("visibility=\"visible\""), "{id}: the cursor");
    }
    assert!(dom.contains("class=\"series curve\""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_script_error_in_the_report_is_caught() {
    let dir = temp_dir("broken");
    let report = quickstart_report(&dir);
    let html = std::fs::read_to_string(&report).expect("report.html written");
    let broken = dir.join("broken.html");
    let marker = "setMoment(data.start);";
    assert!(html.contains(marker), "the script sets the first moment");
    std::fs::write(
        &broken,
        html.replace(marker, "setMoment(data.start); noSuchFunction();"),
    )
    .unwrap();
    browser::assert_error_caught(&broken, &dir.join("profile"));
    std::fs::remove_dir_all(&dir).unwrap();
}
