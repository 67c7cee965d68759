//! Smoke tests of the `ecsim` binary: the README's run command writes every output file
//! (and no partial one), and bad input exits with code 2 and a located message.

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
            "services.csv",
            "summary.json",
            "tasks.csv"
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
