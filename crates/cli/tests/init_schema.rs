//! `ecsim init` writes starters that validate and run, and never overwrites; `ecsim schema`
//! prints the scenario crate's schema as JSON.

use std::path::PathBuf;
use std::process::Command;

fn ecsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ecsim"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-init-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn init_list_names_every_starter() {
    let out = ecsim().args(["init", "--list"]).output().expect("ecsim");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    for name in ["teacher", "planner", "benchmarker"] {
        assert!(text.contains(name), "{text}");
    }
}

#[test]
fn every_starter_validates_and_runs() {
    let dir = temp_dir("all");
    for name in ["teacher", "planner", "benchmarker"] {
        let status = ecsim()
            .args(["init", name, "--dir"])
            .arg(&dir)
            .status()
            .expect("ecsim");
        assert!(status.success(), "{name}");
        let path = dir.join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path).expect("written");
        assert!(text.starts_with('#'), "{name} starts with a comment");
        assert!(text.contains("# yaml-language-server: $schema=./ecsim.schema.json"));
        assert!(!text.contains("../shared"));
        let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        assert!(scenario::warnings(&scenario).is_empty(), "{name} warns");
        let files = sim::run_to_memory(&scenario, 1);
        let summary = files
            .iter()
            .find(|(file, _)| *file == "summary.json")
            .expect("summary.json");
        let summary: serde_json::Value = serde_json::from_slice(&summary.1).expect("JSON");
        assert!(
            summary["events"].as_u64().unwrap_or(0) > 0,
            "{name}: {summary}"
        );
    }
    assert!(dir.join("teacher.yaml").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_comments_name_the_commands_to_run() {
    let dir = temp_dir("comments");
    for name in ["teacher", "planner", "benchmarker"] {
        ecsim()
            .args(["init", name, "--dir"])
            .arg(&dir)
            .status()
            .expect("ecsim");
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(format!("{name}.yaml"))).unwrap();
    assert!(read("planner").contains("ecsim plan planner.yaml"));
    assert!(read("benchmarker").contains("ecsim compare benchmarker.yaml"));
    assert!(read("benchmarker").contains("--set-other"));
    assert!(read("teacher").contains("report.html"));
    assert!(read("teacher").contains("events.csv"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_defaults_to_teacher_and_refuses_to_overwrite() {
    let dir = temp_dir("overwrite");
    let first = ecsim()
        .args(["init", "--dir"])
        .arg(&dir)
        .output()
        .expect("ecsim");
    assert!(first.status.success());
    let path = dir.join("teacher.yaml");
    std::fs::write(&path, "mine\n").expect("write");
    let second = ecsim()
        .args(["init", "--dir"])
        .arg(&dir)
        .output()
        .expect("ecsim");
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8(second.stderr).expect("utf-8");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");
    let unknown = ecsim()
        .args(["init", "nobody", "--dir"])
        .arg(&dir)
        .output()
        .expect("ecsim");
    assert_eq!(unknown.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn schema_prints_the_scenario_schema() {
    let out = ecsim().arg("schema").output().expect("ecsim");
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed, scenario::json_schema());
    assert_eq!(
        printed["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}
