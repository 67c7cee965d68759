//! Smoke tests of the `ecsim` binary: the README's run command writes every output file
//! (and no partial one), bad input exits with code 2 and a located message, and warnings
//! are located while no progress bar reaches a stderr that is not a terminal.

use std::path::PathBuf;
use std::process::Command;

fn ecsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ecsim"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn run_without_a_file_writes_the_quickstart_results() {
    let out = temp_dir("run");
    let output = ecsim()
        .args(["run", "--seed", "3", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("availability"),
        "summary table printed: {stdout}"
    );
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("output folder")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "deployments.csv",
            "episodes.csv",
            "events.csv",
            "instances.csv",
            "placement_failures.csv",
            "report.html",
            "services.csv",
            "summary.json",
            "tasks.csv",
            "timeseries.csv"
        ]
    );
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(
        summary.contains("\"seed\": 3"),
        "--seed overrides the scenario's seed"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn bad_input_exits_2_with_file_line_and_column() {
    let dir = temp_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.yaml");
    std::fs::write(&path, "name: bad\nduration: 1h\nservics: []\n").unwrap();
    let output = ecsim().arg("validate").arg(&path).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:3:1: servics: unknown field; did you mean services?",
            path.display()
        )),
        "{stderr}"
    );
    let output = ecsim()
        .args(["run", "--set", "duration=-1"])
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "a bad --set on the quickstart is bad input"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A run warns first, with file, line and column, about tasks that can never be placed, and
/// writes no progress bar where stderr is not a terminal (CI, these tests), `--quiet` or
/// not; its summary names the `--set` applied.
#[test]
fn run_warns_and_shows_no_progress_off_a_terminal() {
    let dir = temp_dir("warn");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.yaml");
    std::fs::write(
        &path,
        "name: big
duration: 1h
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - {family: web, containerDefinitions: [{name: app, cpu: 256, memory: 512}]}
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 1}
",
    )
    .unwrap();
    let set = "taskDefinitions[0].containerDefinitions[0].cpu=4096";
    let warning = format!(
        "warning: {}:9:40: services[0].taskDefinition: web:1's tasks reserve 4096 CPU units \
         and 512 MiB, more than any instance service web may use has (registered: m5.large \
         2048 CPU units, 7987 MiB, 3 ENIs): they can never be placed",
        path.display()
    );
    let output = ecsim()
        .args(["validate", "--set", set])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("{warning}\n")
    );
    for quiet in [false, true] {
        let out = dir.join(format!("out-{quiet}"));
        let mut command = ecsim();
        command
            .arg("run")
            .arg(&path)
            .args(["--set", set, "--out"])
            .arg(&out);
        if quiet {
            command.arg("--quiet");
        }
        let output = command.output().expect("runs");
        assert!(output.status.success());
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("seed=1 scenario={}\n{warning}\n", path.display()),
            "the seed line and the warning, nothing else (quiet: {quiet})"
        );
        let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
        assert!(
            summary.contains(&format!("\"overrides\": [\n    \"{set}\"\n  ]")),
            "{summary}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
