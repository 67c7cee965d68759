//! Smoke tests of the `ecsim` binary: the README's run command writes every output file
//! (and no partial one), bad input exits with code 2 and a located message, warnings
//! are located while no progress bar reaches a stderr that is not a terminal, and `ecsim
//! explain` tells a task's story.

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

fn stdout_of(args: &[&str], out: &std::path::Path) -> String {
    let output = ecsim().args(args).arg(out).output().expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn explain_tells_a_quickstart_tasks_story() {
    let out = temp_dir("explain");
    stdout_of(&["run", "--explain", "--out"], &out);
    assert!(
        out.join("decisions.csv").exists(),
        "--explain writes decisions.csv"
    );
    let story = |task: &str| {
        let output = ecsim()
            .arg("explain")
            .arg(&out)
            .arg(task)
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // The replacement of the task lost with i-00000002 at 2 h, itself lost when the
    // group rebalanced zones after the outage.
    let told = story("t-000007");
    for sentence in [
        "t-000007 is a task of service web, task definition web:1.",
        "It was placed at 0d 02:00:10 on i-00000001 in us-west-2a.",
        "How the placement chose it, step by step:",
        "  1. resources: 5 of 5 ACTIVE instances have room for 512 CPU units, 512 MiB, 1 dynamic host port.",
        "  2. strategy: spread(attribute:ecs.availability-zone): kept 1 of 5 instances in us-west-2a, running 1 task of service:web (the fewest).",
        "RUNNING, 21.340 s after it was placed.",
        "  1d 01:04:00      Its instance i-00000001 was terminated (azRebalance).",
        "  1d 01:04:00      STOPPED: Host EC2 (instance i-00000001) terminated.",
        "Why its Auto Scaling group terminated i-00000001, step by step:",
        "  3. instance: the oldest instance of the zone, whatever runs on it: i-00000001 (registered at 0.000, 2 tasks)",
        "stop code none (ECS gives none when the host goes), stopped reason \"Host EC2 (instance i-00000001) terminated\", no exit code",
        // t-000003 stopped with it and went first: t-000012 replaced that one.
        "It began to stop at 1d 01:04:00. Its replacement: t-000013, placed at 1d 01:04:10 (10 s later) on i-00000008 in us-west-2a, the first task of service web placed after that which did not already replace another",
    ] {
        assert!(told.contains(sentence), "missing {sentence:?} in:\n{told}");
    }
    // A nightly RunTask task: a clean exit, never replaced; `9` stands for t-000009.
    let told = story("9");
    for sentence in [
        "t-000009 is a standalone task (RunTask) of group family:nightly-report, task definition nightly-report:1.",
        "  1. resources: 5 of 6 ACTIVE instances have room for 1024 CPU units, 2048 MiB (1 too little CPU).",
        "  2. strategy: random: a uniform pick among the 5 candidates ends the chain.",
        "STOPPED: EssentialContainerExited: Essential container in task exited (exit code 0).",
        "exit code 0 (a clean exit)",
        "Nothing: ECS never replaces a standalone task (RunTask).",
    ] {
        assert!(told.contains(sentence), "missing {sentence:?} in:\n{told}");
    }

    // Without --explain the story says what events.csv says, and the old decisions.csv
    // is gone.
    stdout_of(&["run", "--out"], &out);
    assert!(!out.join("decisions.csv").exists());
    let told = story("t-000007");
    for sentence in [
        "The service scheduler started it in a pass: \"(service web) has started 1 tasks: (task t-000007).\"",
        "run again with `ecsim run --explain`",
    ] {
        assert!(told.contains(sentence), "missing {sentence:?} in:\n{told}");
    }

    // An unknown task, a folder without outputs: bad input.
    let output = ecsim()
        .arg("explain")
        .arg(&out)
        .arg("t-999999")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no task t-999999 in"));
    let empty = temp_dir("explain-empty");
    std::fs::create_dir_all(&empty).unwrap();
    let output = ecsim()
        .arg("explain")
        .arg(&empty)
        .arg("t-000001")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("has no tasks.csv"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&empty).unwrap();
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

#[test]
fn arrivals_write_groups_csv_and_a_run_without_them_removes_it() {
    let out = temp_dir("groups");
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/batch-arrivals.yaml"
    );
    let output = ecsim()
        .args(["run", scenario, "--outputs", "groups,summary", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("failed fraction"), "groups table: {stdout}");
    let groups = std::fs::read_to_string(out.join("groups.csv")).expect("groups.csv");
    assert!(groups.starts_with("group,arrivals,tasksRequested,tasksPlaced,tasksFailed"));
    assert!(groups.contains("\nrender,"), "{groups}");
    // The quickstart has no arrivals: no groups.csv, and the stale one goes.
    let output = ecsim()
        .args(["run", "--outputs", "groups,summary", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert!(
        !out.join("groups.csv").exists(),
        "a stale groups.csv is removed"
    );
    assert!(out.join("summary.json").exists());
    std::fs::remove_dir_all(&out).unwrap();
}

/// A capacity provider's task that never got an instance has a row in tasks.csv (the
/// contract: every task ever created) and `ecsim explain` tells why it has no instance.
#[test]
fn explain_tells_of_a_task_that_waited_in_provisioning() {
    let out = temp_dir("waiting");
    std::fs::create_dir_all(&out).unwrap();
    let scenario = out.join("waiting.yaml");
    std::fs::write(
        &scenario,
        "name: waiting
duration: 1h
cluster:
  availabilityZones: [a, b]
  autoScalingGroups:
    - {name: g, instanceType: m5.large, desiredCapacity: 1, minSize: 1, maxSize: 1}
  capacityProviders:
    - {name: cp, autoScalingGroup: g, managedScaling: {status: ENABLED}}
taskDefinitions:
  - family: huge
    containerDefinitions: [{name: app, image: h, cpu: 4096, memory: 512}]
runTasks:
  - {taskDefinition: huge, at: 5m, capacityProviderStrategy: [{capacityProvider: cp, weight: 1}]}
",
    )
    .unwrap();
    let results = out.join("results");
    let run = ecsim()
        .args(["run", "--quiet", "--out"])
        .arg(&results)
        .arg(&scenario)
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let tasks = std::fs::read_to_string(results.join("tasks.csv")).unwrap();
    assert!(
        tasks.contains("t-000001,family:huge,,huge:1,,,300.000,,,PROVISIONING,"),
        "{tasks}"
    );
    let explain = ecsim()
        .arg("explain")
        .arg(&results)
        .arg("t-000001")
        .output()
        .expect("runs");
    let story = String::from_utf8_lossy(&explain.stdout);
    assert!(explain.status.success(), "{story}");
    assert!(story.contains("Why it has no instance"), "{story}");
    assert!(
        story.contains("It was never placed: created at 0d 00:05:00"),
        "{story}"
    );
    assert!(!story.contains(" on  in "), "{story}");
}
