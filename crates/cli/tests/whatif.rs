//! The what-if commands through the built binary: sweep rows equal runs made alone and do
//! not depend on --jobs, shards run as separate processes merge into the whole sweep,
//! --resume redoes only the missing runs, plan finds the fleet-sizing scenario's known answer,
//! compare pairs seeds, and requirements exit with code 3.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ARRAY_VARIABLES: [&str; 3] = [
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

/// The binary, with no batch engine's array index in its environment.
fn ecsim() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    for name in ARRAY_VARIABLES {
        command.env_remove(name);
    }
    command
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-whatif-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn fleet() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/fleet-sizing.yaml")
}

const VARY: &str = "cluster.autoScalingGroups[0].desiredCapacity=[4, 5]";

/// `ecsim sweep` of the fleet-sizing scenario: 2 variants x 3 seeds.
fn sweep(out: &Path, extra: &[&str]) -> Command {
    let mut command = ecsim();
    command
        .arg("sweep")
        .arg(fleet())
        .args([
            "--seeds",
            "1..3",
            "--set",
            "duration=2h",
            "--vary",
            VARY,
            "--out",
        ])
        .arg(out)
        .args(extra);
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("ecsim runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the command and checks that it exits with `code`; its stdout.
fn expect_code(command: &mut Command, code: i32) -> String {
    let output = run(command);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Runs the command expecting exit code 2; its stderr.
fn bad_input(command: &mut Command) -> String {
    let output = run(command);
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stderr)
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::Reader::from_reader(bytes)
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn sweep_rows_equal_runs_made_alone_on_any_number_of_threads() {
    let dir = temp_dir("jobs");
    let (one, four) = (dir.join("one"), dir.join("four"));
    let stdout = expect_code(&mut sweep(&one, &["--jobs", "1"]), 0);
    assert!(stdout.contains("2 variants x 3 seeds = 6 runs"), "{stdout}");
    expect_code(&mut sweep(&four, &["--jobs", "4"]), 0);
    for name in ["runs.csv", "sweep.csv", "sweep.html", "sweep.json"] {
        assert_eq!(read(&one.join(name)), read(&four.join(name)), "{name}");
    }
    let runs = read(&one.join("runs.csv"));
    let header = text(&runs).lines().next().unwrap().to_string();
    assert_eq!(
        header,
        format!(
            "variant,seed,cluster.autoScalingGroups[0].desiredCapacity,{}",
            sim::SERVICES_HEADER.join(",")
        )
    );
    let rows = csv_rows(&runs);
    assert_eq!(rows.len(), 6);
    for row in &rows {
        let overrides = [
            "duration=2h".to_string(),
            format!("cluster.autoScalingGroups[0].desiredCapacity={}", row[2]),
        ];
        let alone = scenario::load(&fleet(), &overrides).unwrap();
        let files = sim::run_to_memory(&alone, row[1].parse().unwrap());
        let (_, services) = files
            .iter()
            .find(|(name, _)| *name == "services.csv")
            .unwrap();
        assert_eq!(&row[3..], csv_rows(services)[0].as_slice(), "{row:?}");
    }
    let summary = text(&read(&one.join("sweep.csv")));
    assert!(summary.starts_with(
        "variant,cluster.autoScalingGroups[0].desiredCapacity,serviceName,metric,n,mean,ci95Low,ci95High,min,max\n"
    ));
    assert!(
        summary.contains("\n0,4,web,secondsBelowDesired,3,3600.000000,3600.000000,3600.000000,3600.000,3600.000\n"),
        "{summary}"
    );
    assert!(
        summary.contains("\n0,4,web,meanTimeToRecover,0,,,,,\n"),
        "a figure no seed has is empty: {summary}"
    );
    let partials: Vec<_> = fs::read_dir(&one)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert!(partials.is_empty(), "{partials:?}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shards_run_as_separate_processes_merge_into_the_whole_sweep() {
    let dir = temp_dir("shards");
    let whole = dir.join("whole");
    expect_code(&mut sweep(&whole, &[]), 0);
    // Three processes at once: one fixed shard, two taking their index from a batch engine.
    let shard = |index: usize| dir.join(format!("shard-{index}"));
    let mut first = sweep(&shard(0), &["--shard", "0/3"]);
    let mut second = sweep(&shard(1), &["--shard", "auto/3"]);
    second.env("JOB_COMPLETION_INDEX", "1");
    let mut third = sweep(&shard(2), &["--shard", "auto/3"]);
    // Slurm's --array=1-3 numbers from 1: index 5 is shard 5 mod 3 = 2.
    third.env("SLURM_ARRAY_TASK_ID", "5");
    let children: Vec<_> = [&mut first, &mut second, &mut third]
        .into_iter()
        .map(|command| {
            command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawns")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let held = |index: usize| csv_rows(&read(&shard(index).join("runs.csv"))).len();
    assert_eq!(
        (held(0), held(1), held(2)),
        (2, 2, 2),
        "runs k with k mod 3 = I"
    );
    assert!(
        !shard(0).join("sweep.csv").exists(),
        "a shard has no sweep.csv"
    );
    let merged = dir.join("merged");
    let mut merge = ecsim();
    merge
        .arg("merge")
        .args([shard(2), shard(0), shard(1)])
        .arg("--out")
        .arg(&merged);
    expect_code(&mut merge, 0);
    for name in ["runs.csv", "sweep.csv", "sweep.html"] {
        assert_eq!(read(&merged.join(name)), read(&whole.join(name)), "{name}");
    }
    // A missing shard, a shard given twice, a folder of another sweep: nothing is written.
    let mut missing = ecsim();
    missing
        .arg("merge")
        .args([shard(0), shard(1)])
        .args(["--out".as_ref(), dir.join("bad").as_os_str()]);
    let stderr = bad_input(&mut missing);
    assert!(
        stderr.contains(
            "2 of 6 runs are in none of the folders: run 2 (variant 0, seed 3; shard 2/3)"
        ),
        "{stderr}"
    );
    let mut twice = ecsim();
    twice
        .arg("merge")
        .args([shard(0), shard(1), shard(2), whole.clone()])
        .args(["--out".as_ref(), dir.join("bad").as_os_str()]);
    let stderr = bad_input(&mut twice);
    assert!(stderr.contains("is in both"), "{stderr}");
    let other = dir.join("other");
    let mut other_sweep = ecsim();
    other_sweep
        .arg("sweep")
        .arg(fleet())
        .args(["--seeds", "1..3", "--vary", VARY, "--shard", "2/3", "--out"])
        .arg(&other);
    expect_code(&mut other_sweep, 0);
    let mut mixed = ecsim();
    mixed
        .arg("merge")
        .args([shard(0), shard(1), other])
        .args(["--out".as_ref(), dir.join("bad").as_os_str()]);
    let stderr = bad_input(&mut mixed);
    assert!(stderr.contains("hold different sweeps"), "{stderr}");
    assert!(!dir.join("bad").exists());
    // auto/N outside a batch engine.
    let stderr = bad_input(&mut sweep(&dir.join("auto"), &["--shard", "auto/3"]));
    assert!(
        stderr.contains("no array index in the environment"),
        "{stderr}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resume_redoes_only_the_runs_not_recorded() {
    let dir = temp_dir("resume");
    let out = dir.join("sweep");
    expect_code(&mut sweep(&out, &[]), 0);
    let records = out.join("runs");
    let record = |name: &str| records.join(name);
    let before_runs = read(&out.join("runs.csv"));
    let deleted = ["v0-s1.csv", "v1-s3.csv"];
    let deleted_bytes: Vec<Vec<u8>> = deleted.iter().map(|name| read(&record(name))).collect();
    for name in deleted {
        fs::remove_file(record(name)).unwrap();
    }
    // A half-written record is never read, and a kept record is not run again: mark one.
    fs::write(record(".v0-s1.csv.partial"), "variant,seed\n0,1\n").unwrap();
    let kept = text(&read(&record("v0-s2.csv")));
    let marked = kept.replacen(",web,6,", ",web,777,", 1);
    assert_ne!(kept, marked);
    fs::write(record("v0-s2.csv"), &marked).unwrap();
    let stdout = expect_code(&mut sweep(&out, &["--resume"]), 0);
    assert!(stdout.contains("4 already recorded"), "{stdout}");
    for (name, bytes) in deleted.iter().zip(&deleted_bytes) {
        assert_eq!(&read(&record(name)), bytes, "{name} is run again, the same");
    }
    assert!(!record(".v0-s1.csv.partial").exists());
    let runs = text(&read(&out.join("runs.csv")));
    assert!(
        runs.contains(",web,777,"),
        "the kept record is used as it is"
    );
    assert_eq!(
        runs.replacen(",web,777,", ",web,6,", 1).as_bytes(),
        before_runs
    );
    // Another sweep in the same folder is refused; without --resume it starts over.
    let mut other = ecsim();
    other
        .arg("sweep")
        .arg(fleet())
        .args([
            "--seeds",
            "1..4",
            "--set",
            "duration=2h",
            "--vary",
            VARY,
            "--resume",
            "--out",
        ])
        .arg(&out);
    let stderr = bad_input(&mut other);
    assert!(
        stderr.contains("holds another sweep (the seeds differ)"),
        "{stderr}"
    );
    expect_code(&mut sweep(&out, &[]), 0);
    assert_eq!(read(&out.join("runs.csv")), before_runs);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plan_finds_the_smallest_fleet_that_survives_losing_a_zone() {
    let dir = temp_dir("plan");
    let plan = |range: &str, out: &Path| {
        let mut command = ecsim();
        command
            .arg("plan")
            .arg(fleet())
            .args(["--seeds", "1..2", "--vary"])
            .arg(format!(
                "cluster.autoScalingGroups[0].desiredCapacity={range}"
            ))
            .args(["--require", "web.secondsBelowDesired<=120", "--out"])
            .arg(out);
        command
    };
    let found = dir.join("found");
    let stdout = expect_code(&mut plan("3..12", &found), 0);
    assert!(
        stdout.contains("answer: cluster.autoScalingGroups[0].desiredCapacity=5"),
        "{stdout}"
    );
    assert!(stdout.contains("monotonic"), "{stdout}");
    let json: serde_json::Value = serde_json::from_slice(&read(&found.join("plan.json"))).unwrap();
    assert_eq!(json["answer"], 5);
    let tried: Vec<(i64, bool)> = json["tried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|trial| {
            (
                trial["value"].as_i64().unwrap(),
                trial["ok"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tried,
        [(12, true), (3, false), (7, true), (5, true), (4, false)]
    );
    let rows = csv_rows(&read(&found.join("plan.csv")));
    assert_eq!(rows.len(), 5 * 2, "one row per value, seed and requirement");
    assert_eq!(rows[0][..3], ["12", "1", "web.secondsBelowDesired <= 120"]);
    assert_eq!(rows[2][3..], ["7200.000", "false"]);
    let none = dir.join("none");
    let stdout = expect_code(&mut plan("2..4", &none), 3);
    assert!(stdout.contains("no answer"), "{stdout}");
    let json: serde_json::Value = serde_json::from_slice(&read(&none.join("plan.json"))).unwrap();
    assert!(json["answer"].is_null());
    // The low end passing is the answer.
    let stdout = expect_code(&mut plan("6..9", &dir.join("low")), 0);
    assert!(stdout.contains("desiredCapacity=6"), "{stdout}");
    let mut no_requirement = ecsim();
    no_requirement.arg("plan").arg(fleet()).args([
        "--vary",
        "cluster.autoScalingGroups[0].desiredCapacity=3..5",
    ]);
    assert!(bad_input(&mut no_requirement).contains("at least one requirement"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compare_pairs_the_seeds_and_says_which_is_better() {
    let dir = temp_dir("compare");
    let mut compare = ecsim();
    compare
        .arg("compare")
        .arg(fleet())
        .args(["--seeds", "1..3", "--jobs", "3", "--set", "duration=2h"])
        .args([
            "--set-other",
            "cluster.autoScalingGroups[0].desiredCapacity=4",
            "--out",
        ])
        .arg(&dir);
    let stdout = expect_code(&mut compare, 0);
    let line = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("secondsBelowDesired"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("base is better"), "{line}");
    assert!(line.contains("excludes zero"), "{line}");
    let rows = csv_rows(&read(&dir.join("compare.csv")));
    let below = rows
        .iter()
        .find(|row| row[1] == "secondsBelowDesired")
        .unwrap();
    assert_eq!(below[0], "web");
    assert_eq!(below[2], "3");
    assert_eq!(
        below[4], "3600.000000",
        "other (4 instances) is below for the last hour"
    );
    assert_eq!(below[8..], ["3", "0", "0"]);
    let mut neither = ecsim();
    neither
        .arg("compare")
        .arg(fleet())
        .args(["--seeds", "1..3"]);
    assert!(bad_input(&mut neither).contains("--set-other"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn requirements_on_one_run_exit_3_when_not_met() {
    let dir = temp_dir("require");
    let run_with = |extra: &[&str]| {
        let mut command = ecsim();
        command
            .arg("run")
            .arg(fleet())
            .args(["--outputs", "services", "--out"])
            .arg(&dir)
            .args(extra);
        command
    };
    let stdout = expect_code(
        &mut run_with(&[
            "--require",
            "web.secondsBelowDesired<=120",
            "--require",
            "web.minRunning >= 4",
        ]),
        0,
    );
    assert!(stdout.contains("every requirement met"), "{stdout}");
    let stdout = expect_code(
        &mut run_with(&[
            "--set",
            "cluster.autoScalingGroups[0].desiredCapacity=4",
            "--require",
            "web.secondsBelowDesired<=120",
        ]),
        3,
    );
    assert!(
        stdout.contains("FAILED  web.secondsBelowDesired <= 120 (observed 7200.000)"),
        "{stdout}"
    );
    let stderr = bad_input(&mut run_with(&["--require", "web.availabilty>=0.9"]));
    assert!(stderr.contains("did you mean availability?"), "{stderr}");
    let stderr = bad_input(&mut run_with(&["--require", "api.availability>=0.9"]));
    assert!(stderr.contains("unknown service \"api\""), "{stderr}");
    let stderr = bad_input(&mut run_with(&["--require", "web.availability=0.9"]));
    assert!(stderr.contains("write == for equality"), "{stderr}");
    // requirements: in the scenario file count too.
    let with_requirements = dir.join("with-requirements.yaml");
    let source = fs::read_to_string(fleet()).unwrap();
    fs::write(
        &with_requirements,
        format!("{source}\nrequirements: ['web.availability >= 0.9999']\n"),
    )
    .unwrap();
    let mut command = ecsim();
    command
        .arg("run")
        .arg(&with_requirements)
        .args(["--outputs", "services", "--out"])
        .arg(dir.join("out"));
    let stdout = expect_code(&mut command, 3);
    assert!(
        stdout.contains("FAILED  web.availability >= 0.9999"),
        "{stdout}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_sweep_input_exits_2() {
    let dir = temp_dir("bad-sweep");
    let bad = |args: &[&str]| {
        let mut command = ecsim();
        command
            .arg("sweep")
            .arg(fleet())
            .args(args)
            .arg("--out")
            .arg(&dir);
        bad_input(&mut command)
    };
    assert!(bad(&["--seeds", "5..1"]).contains("write 1..5"));
    assert!(bad(&["--seeds", "1..3", "--shard", "3/3"]).contains("from 0 to 2"));
    assert!(bad(&["--seeds", "1..3", "--vary", "x=3"]).contains("not a list"));
    assert!(bad(&["--seeds", "1..3", "--jobs", "0"]).contains("--jobs must be at least 1"));
    let stderr = bad(&[
        "--seeds",
        "1",
        "--vary",
        "cluster.autoScalingGroups[0].desiredCapacity=[2, -1]",
    ]);
    assert!(
        stderr.contains("variant 1 (cluster.autoScalingGroups[0].desiredCapacity=-1):"),
        "{stderr}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// Off a terminal (these tests, CI) a sweep draws no progress bar, with or without
/// `--quiet`, and its files are the same either way.
#[test]
fn sweeps_draw_no_progress_bar_off_a_terminal() {
    let dir = temp_dir("quiet");
    let (loud, quiet) = (dir.join("loud"), dir.join("quiet"));
    let outputs = [
        run(&mut sweep(&loud, &["--jobs", "2"])),
        run(&mut sweep(&quiet, &["--jobs", "2", "--quiet"])),
    ];
    for output in &outputs {
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(
            !text(&output.stderr).contains("runs ["),
            "{}",
            text(&output.stderr)
        );
    }
    assert_eq!(read(&loud.join("runs.csv")), read(&quiet.join("runs.csv")));
    for command in ["compare", "plan"] {
        let mut help = ecsim();
        let help = text(&run(help.args([command, "--help"])).stdout);
        assert!(help.contains("--quiet"), "{command} --help: {help}");
    }
}
