//! The `ecsim` command line: parses arguments, reads scenario files, writes result files
//! atomically and maps failures to exit codes (2 for bad input, 1 for I/O trouble).

mod compare;
mod explain;
mod failure;
mod init;
mod minimize;
mod output;
mod pages;
mod plan;
mod progress;
mod require;
mod sweep;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

const ABOUT: &str =
    "Deterministic discrete-event simulator of Amazon ECS clusters (EC2 launch type).";

const LONG_ABOUT: &str = "\
Deterministic discrete-event simulator of Amazon ECS clusters (EC2 launch type).

A scenario file (YAML) and a seed go in: container instances in Availability Zones and Auto
Scaling groups, capacity providers with managed scaling, task definitions, services that
keep their desired count behind load balancers and roll out new revisions (circuit breaker
included), a load on services and Service Auto Scaling (target tracking, step scaling,
scheduled actions), DAEMON services, RunTask calls, schedules and random arrivals,
control-plane actions at given times, faults (instance failures, task exits, zone outages,
Spot interruptions, agent disconnects), and what the instances cost. Days of simulated time
run in seconds; the same scenario, seed and version always give byte-identical files.

Start here:
  ecsim run                          run the built-in quickstart (3 zones, 6 instances, a web
                                     service, an instance failure and a one-hour zone outage)
  ecsim run scenarios/quickstart.yaml --seed 7 --out /tmp/qs
  ecsim run my.yaml --set services[0].desiredCount=9
  ecsim validate my.yaml             report every problem with its line and column
  ecsim validate my.yaml --resolved  show what each instance registers and each task reserves
  ecsim run --explain --out /tmp/qs  also write decisions.csv: why each task went where it did
  ecsim explain /tmp/qs t-000007     one task's story: why there, what happened, what replaced it
  ecsim run my.yaml --require 'web.availability>=0.999'   exit code 3 when not met

What-if questions over many runs:
  ecsim sweep my.yaml --seeds 1..20 --vary 'services[0].desiredCount=[3, 6]'
  ecsim compare base.yaml other.yaml --seeds 1..30        paired, on the same seeds
  ecsim plan my.yaml --vary 'cluster.autoScalingGroups[0].desiredCapacity=3..12' \\
      --require 'web.secondsBelowDesired<=120' --seeds 1..5
  ecsim plan my.yaml --vary 'cluster.autoScalingGroups[0].instanceType=[m5.large, c5.large]' \\
      --require 'web.availability>=0.999' --minimize costUsdPerMonth --seeds 1..5
  ecsim merge shard-0 shard-1 --out whole                 join a sweep's --shard folders

Outputs (in --out, default results/<scenario name>/): report.html (charts and a timeline;
open it in a browser, offline), events.csv (every change, in order), tasks.csv,
instances.csv, placement_failures.csv, deployments.csv, episodes.csv (each spell of a service
below its desired count, and what began it), services.csv, summary.json, timeseries.csv
(levels per service and zone as step functions); with runTasks arrivals, groups.csv (per
task group: arrivals, tasks placed and failed, waits); with --explain, decisions.csv (why
each task went where it did, each stop and termination).

Documentation, in the repository: README.md (the scenario format, with a complete example)
and docs/, indexed by docs/README.md. Guides: docs/guide-planner.md (sizing a fleet),
docs/guide-benchmarker.md (comparing placement strategies), docs/guide-teacher.md (how a
service heals, from the quickstart's files). How each behaviour follows Amazon ECS, with the
sources: docs/ecs-behaviour.md. Starter scenarios: ecsim init --list.";

#[derive(Parser)]
#[command(name = "ecsim", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its result files.
    #[command(long_about = "Run a scenario and write its result files.\n\n\
        Without SCENARIO, runs the quickstart built into the binary. Prints a table per \
        service (desired count, availability, time below desired, mean time to recover, \
        placement failures) and writes events.csv, tasks.csv, instances.csv, \
        placement_failures.csv, deployments.csv, episodes.csv, services.csv, summary.json, \
        timeseries.csv and report.html (one self-contained page to open in a browser). \
        Figures are measured from the scenario's metrics.warmup (default 0s) to the end. \
        Warnings about tasks that can never be placed are printed first. Files are written under \
        temporary names and renamed when complete, so an interrupted run never leaves a \
        result that looks whole.")]
    Run {
        /// The scenario file (YAML). Omit it to run the built-in quickstart.
        scenario: Option<PathBuf>,
        /// Master seed; overrides the scenario's `seed`.
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder [default: results/<scenario name>/].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override one field before validation: PATH in dots and [index], VALUE in YAML,
        /// e.g. --set 'services[0].placementStrategy=[{type: binpack, field: memory}]'.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        overrides: Vec<String>,
        /// Which files to write, comma-separated: events, tasks, instances,
        /// placement_failures, deployments, episodes, services, summary, timeseries, report,
        /// or all [default: the scenario's `outputs:`, else all]. Files of this tool that the
        /// run does not write are removed from the output folder.
        #[arg(long, value_name = "LIST", value_parser = parse_outputs)]
        outputs: Option<OutputList>,
        /// A requirement on the run's figures: SERVICE.FIGURE OP NUMBER, OP one of `>=`, `>`,
        /// `<=`, `<`, `==`, FIGURE a column of services.csv, e.g. 'web.availability>=0.999';
        /// the cluster's costUsd, costUsdPerMonth and idleCostUsd without a service, e.g.
        /// 'costUsd<=500'. Repeatable; checked with the scenario's requirements:; exit code 3 when one fails.
        #[arg(long = "require", value_name = "SERVICE.FIGURE OP NUMBER")]
        require: Vec<String>,
        /// Show no progress bar (one is shown on stderr when it is a terminal, for runs
        /// longer than a second).
        #[arg(long)]
        quiet: bool,
        /// Also write decisions.csv: every placement (each step of the chain, the
        /// candidates before and after it, and why), every task the scheduler chose to
        /// stop and every instance an Auto Scaling group chose to terminate. Runs without
        /// it spend nothing on explanations.
        #[arg(long)]
        explain: bool,
    },
    /// Tell one task's story from a run's output folder.
    #[command(long_about = "Tell one task's story from a run's output folder.\n\n\
        Reads OUTDIR's tasks.csv and events.csv (and decisions.csv, written by `ecsim run \
        --explain`, if present) and tells, in sentences: why the task was placed where it \
        was, what happened to it (its states with their times, its stop code and reason, its \
        exit code) and which task of its service replaced it: the first placed after it began to \
        stop, not already replacing a task that began to stop before it. Times read as `1d 02:00:00` \
        (days, then the clock). Exits with code 2 for an unknown task or a folder without \
        outputs.")]
    Explain {
        /// The output folder of a run (`ecsim run --out OUTDIR`).
        #[arg(value_name = "OUTDIR")]
        out: PathBuf,
        /// The task, as tasks.csv names it (`t-000007`; `7` will do).
        #[arg(value_name = "TASK_ID")]
        task: String,
    },
    /// Check a scenario and report every problem with its line and column.
    #[command(
        long_about = "Check a scenario and report every problem with its line and column.\n\n\
        With --resolved, also print the scenario as the simulator understands it, in YAML: \
        every default filled in, what each instance type registers (CPU units, MiB, ENIs) and \
        what each task definition reserves, so you can see why a task will or will not fit."
    )]
    Validate {
        scenario: PathBuf,
        /// Overrides, as for `run`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        overrides: Vec<String>,
        /// Print the resolved scenario (defaults, registered resources, reservations).
        #[arg(long)]
        resolved: bool,
    },
    /// Run a scenario over seeds and --vary values: runs.csv, sweep.csv (means, 95 %
    /// intervals) and sweep.html (their charts).
    #[command(long_about = sweep::SWEEP_ABOUT)]
    Sweep(sweep::SweepArgs),
    /// Join the folders of a sharded sweep into the whole sweep's files.
    #[command(long_about = sweep::MERGE_ABOUT)]
    Merge(sweep::MergeArgs),
    /// Compare two scenarios on the same seeds (paired): compare.csv, compare.html and a
    /// verdict per figure.
    #[command(long_about = compare::COMPARE_ABOUT)]
    Compare(compare::CompareArgs),
    /// Find the smallest value of one path that meets every requirement on every seed
    /// (assuming the requirements are monotonic in it).
    #[command(long_about = plan::PLAN_ABOUT)]
    Plan(plan::PlanArgs),
    /// Print a JSON Schema (draft 2020-12) of the scenario format, for YAML editors.
    #[command(
        long_about = "Print a JSON Schema (draft 2020-12) of the scenario format, for \
        YAML editors: completion and errors while typing. Unknown keys are rejected, as \
        `validate` does. Save it next to your scenarios with `ecsim schema > \
        ecsim.schema.json` and start a scenario with the line \
        `# yaml-language-server: $schema=./ecsim.schema.json`. `validate` remains the full \
        check (names, references, cross-field rules)."
    )]
    Schema,
    /// Write a commented starter scenario (teacher, planner or benchmarker).
    #[command(
        long_about = "Write a commented starter scenario into the current folder (or \
        --dir): NAME.yaml, never over an existing file (exit code 1). teacher (the default): \
        a small service that heals after an instance failure; planner: a fleet and a zone \
        loss, with the `ecsim plan` line that sizes it; benchmarker: one workload and the \
        `ecsim compare --set-other` line that compares two placement strategies."
    )]
    Init {
        /// The starter: teacher, planner or benchmarker [default: teacher].
        name: Option<String>,
        /// The folder to write into [default: the current folder].
        #[arg(long)]
        dir: Option<PathBuf>,
        /// List the starters and exit.
        #[arg(long)]
        list: bool,
    },
}

/// `--outputs LIST`, one value holding a list.
#[derive(Clone, Debug)]
struct OutputList(Vec<scenario::Output>);

/// `--outputs LIST`, checked by the scenario crate's own rules.
fn parse_outputs(list: &str) -> Result<OutputList, String> {
    scenario::parse_outputs(list).map(OutputList)
}

/// The built-in quickstart's name in messages.
const QUICKSTART_ORIGIN: &str = "quickstart.yaml (built in)";

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Run {
            scenario,
            seed,
            out,
            overrides,
            outputs,
            require,
            quiet,
            explain,
        } => run(
            scenario.as_deref(),
            seed,
            out,
            &overrides,
            outputs,
            &require,
            quiet,
            explain,
        ),
        Command::Explain { out, task } => explain_task(&out, &task),
        Command::Validate {
            scenario,
            overrides,
            resolved,
        } => validate(&scenario, &overrides, resolved),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Merge(args) => sweep::merge(args),
        Command::Compare(args) => compare::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Schema => {
            println!("{:#}", scenario::json_schema());
            ExitCode::SUCCESS
        }
        Command::Init { list: true, .. } => init::list(),
        Command::Init { name, dir, .. } => init::init(name.as_deref(), dir.as_deref()),
    }
}

fn load(path: Option<&Path>, overrides: &[String]) -> Result<scenario::Scenario, ExitCode> {
    let loaded = match path {
        Some(path) => scenario::load(path, overrides),
        None => scenario::load_str(
            scenario::QUICKSTART,
            Path::new(QUICKSTART_ORIGIN),
            overrides,
        ),
    };
    loaded.map_err(|errors| {
        eprintln!("{errors}");
        ExitCode::from(2)
    })
}

/// `warning: FILE:LINE:COL: FIELD: message` on stderr, for each thing in the scenario that
/// cannot work.
fn print_warnings(scenario: &scenario::Scenario) {
    for warning in scenario::warnings(scenario) {
        eprintln!("warning: {warning}");
    }
}

fn validate(path: &Path, overrides: &[String], resolved: bool) -> ExitCode {
    match load(Some(path), overrides) {
        Ok(scenario) => {
            if resolved {
                print!("{}", scenario::resolved_yaml(&scenario));
            }
            print_warnings(&scenario);
            println!(
                "{}: valid ({} task definitions, {} services, {} RunTask entries, {} faults)",
                path.display(),
                scenario.task_definitions.len(),
                scenario.services.len(),
                scenario.run_tasks.len(),
                scenario.faults.len()
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn explain_task(out: &Path, task: &str) -> ExitCode {
    match explain::story(out, task) {
        Ok(story) => {
            print!("{story}");
            ExitCode::SUCCESS
        }
        Err(explain::ExplainError::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(explain::ExplainError::Io(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn run(
    path: Option<&Path>,
    seed: Option<u64>,
    out: Option<PathBuf>,
    overrides: &[String],
    outputs: Option<OutputList>,
    require: &[String],
    quiet: bool,
    explain: bool,
) -> ExitCode {
    let scenario = match load(path, overrides) {
        Ok(scenario) => scenario,
        Err(code) => return code,
    };
    let requirements = match require::requirements(require, &scenario) {
        Ok(requirements) => requirements,
        Err(failure) => return failure.exit(),
    };
    let seed = seed.unwrap_or(scenario.seed);
    let out = out.unwrap_or_else(|| Path::new("results").join(output::folder_name(&scenario.name)));
    let origin = path.map_or(QUICKSTART_ORIGIN.to_string(), |p| p.display().to_string());
    eprintln!("seed={seed} scenario={origin}");
    print_warnings(&scenario);
    // Wall-clock time is measured here only, for the terminal; it never reaches a file.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let mut outputs: Vec<&str> = outputs
        .as_ref()
        .map_or(&scenario.outputs, |list| &list.0)
        .iter()
        .map(|output| output.file_name())
        .collect();
    if explain {
        outputs.push(sim::DECISIONS);
    }
    let mut progress = progress::Progress::new(des::SimTime(scenario.duration_ms), quiet);
    let result = output::run_to_folder(&scenario, seed, &out, &outputs, &mut |now| {
        progress.update(now)
    })
    .with_context(|| format!("writing results to {}", out.display()));
    progress.finish();
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(1);
        }
    };
    let wall = started.elapsed().as_secs_f64();
    println!("{}", scenario.name);
    if !scenario.description.is_empty() {
        println!("{}", scenario.description);
    }
    println!();
    print!("{}", report.table());
    println!(
        "\n{} events, {} simulated seconds in {:.3} s of wall time; results in {}",
        report.events,
        report.simulated,
        wall,
        out.display()
    );
    let checks = whatif::check::check(&requirements, &whatif::service_rows(&report));
    require::report(&checks)
}
