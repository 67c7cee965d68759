//! Cost in the command line (docs/cost.md, docs/whatif.md): `--require 'costUsd<=N'` on
//! `run`, and `plan --minimize costUsd`, which picks the cheapest variant of a grid that
//! meets every requirement on every seed, checked against every variant's own runs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn ecsim() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecsim"));
    // A batch engine's array index would make a sweep a shard.
    for name in [
        "SLURM_ARRAY_TASK_ID",
        "JOB_COMPLETION_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX",
    ] {
        command.env_remove(name);
    }
    command
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-cost-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn fleet() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/fleet-sizing.yaml")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn expect_code(command: &mut Command, code: i32) -> Output {
    let output = command.output().expect("ecsim runs");
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

#[test]
fn run_checks_a_requirement_on_the_clusters_cost() {
    let dir = temp_dir("require");
    let run = |bound: &str| {
        let mut command = ecsim();
        command
            .arg("run")
            .arg(fleet())
            .args(["--require", &format!("costUsd<={bound}"), "--out"])
            .arg(&dir);
        command
    };
    let output = expect_code(&mut run("500"), 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("ok      costUsd <= 500 (observed "),
        "{stdout}"
    );
    let output = expect_code(&mut run("0.5"), 3);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("FAILED  costUsd <= 0.5 (observed "),
        "{stdout}"
    );
    let output = expect_code(
        ecsim()
            .arg("run")
            .arg(fleet())
            .args(["--require", "web.idleCostUsd<=1", "--out"])
            .arg(&dir),
        2,
    );
    assert!(
        text(&output.stderr).contains("the cluster's figure, not a service's"),
        "{}",
        text(&output.stderr)
    );
    fs::remove_dir_all(&dir).unwrap();
}

const TYPES: &str = "cluster.autoScalingGroups[0].instanceType=[m5.large, m6g.large, c5.xlarge]";
const COUNTS: &str = "cluster.autoScalingGroups[0].desiredCapacity=4..6";

#[test]
fn plan_minimize_picks_the_cheapest_variant_that_meets_every_requirement() {
    let dir = temp_dir("minimize");
    let output = expect_code(
        ecsim()
            .arg("plan")
            .arg(fleet())
            .args(["--seeds", "1..2", "--vary", TYPES, "--vary", COUNTS])
            .args([
                "--require",
                "web.secondsBelowDesired<=120",
                "--minimize",
                "costUsd",
            ])
            .args(["--jobs", "2", "--quiet", "--out"])
            .arg(&dir),
        0,
    );
    let stdout = text(&output.stdout);
    let plan: Value = serde_json::from_slice(&fs::read(dir.join("plan.json")).unwrap()).unwrap();
    let variants = plan["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 9, "3 types x 3 counts");
    // Each variant on its own: every seed run alone, its checks and cost as `run` has them.
    let mut cheapest: Option<(f64, usize)> = None;
    for (idx, variant) in variants.iter().enumerate() {
        let set: Vec<String> = variant["set"]
            .as_array()
            .unwrap()
            .iter()
            .map(|value| value.as_str().unwrap().to_string())
            .collect();
        let loaded = scenario::load(&fleet(), &set).unwrap();
        let mut ok = true;
        let mut total = 0.0;
        for seed in [1, 2] {
            let report = sim::run(&loaded, seed, Vec::new()).unwrap();
            ok &= report.services[0].seconds_below_desired.as_ms() <= 120_000;
            total += report.cost.cost_usd.unwrap().micro() as f64 / 1e6;
        }
        let mean = total / 2.0;
        assert_eq!(variant["ok"].as_bool(), Some(ok), "{variant}");
        assert_eq!(
            variant["mean"].as_str(),
            Some(format!("{mean:.6}").as_str()),
            "{variant}"
        );
        if ok && cheapest.is_none_or(|(lowest, _)| mean < lowest) {
            cheapest = Some((mean, idx));
        }
    }
    let (_, answer) = cheapest.expect("some variant meets the requirement");
    assert_eq!(
        plan["answer"]["variant"].as_u64(),
        Some(answer as u64),
        "{stdout}"
    );
    assert!(
        variants.iter().any(|variant| variant["ok"] == false),
        "the grid has variants that fail: the requirement matters"
    );
    // A failing variant is cheaper than the answer: cost alone would pick it.
    let answer_mean: f64 = plan["answer"]["mean"].as_str().unwrap().parse().unwrap();
    assert!(variants.iter().any(|variant| {
        variant["ok"] == false
            && variant["mean"].as_str().unwrap().parse::<f64>().unwrap() < answer_mean
    }));
    assert!(stdout.contains("answer: variant "), "{stdout}");
    let csv = text(&fs::read(dir.join("plan.csv")).unwrap());
    assert!(csv.starts_with(
        "variant,cluster.autoScalingGroups[0].instanceType,cluster.autoScalingGroups[0].desiredCapacity,seed,requirement,observed,ok\n"
    ));
    assert!(csv.contains(",minimize costUsd,"), "{csv}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plan_without_minimize_searches_one_range_as_before() {
    let dir = temp_dir("range");
    let output = expect_code(
        ecsim()
            .arg("plan")
            .arg(fleet())
            .args(["--vary", TYPES, "--vary", COUNTS])
            .args(["--require", "web.secondsBelowDesired<=120", "--out"])
            .arg(&dir),
        2,
    );
    assert!(
        text(&output.stderr).contains("several --vary make a grid, which needs --minimize FIGURE"),
        "{}",
        text(&output.stderr)
    );
    let output = expect_code(
        ecsim()
            .arg("plan")
            .arg(fleet())
            .args([
                "--vary",
                COUNTS,
                "--require",
                "web.secondsBelowDesired<=120",
                "--quiet",
                "--out",
            ])
            .arg(&dir),
        0,
    );
    assert!(
        text(&output.stdout).contains("answer: cluster.autoScalingGroups[0].desiredCapacity=5"),
        "{}",
        text(&output.stdout)
    );
    fs::remove_dir_all(&dir).unwrap();
}
