//! `ecsim plan`: the smallest integer value of one `--set` path for which every requirement
//! holds on every seed, found by checking both ends of the range and halving it, under the
//! stated monotonicity assumption; `plan.json` and `plan.csv` hold the evidence.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use whatif::check::check;
use whatif::grid::{parse_range, Range};
use whatif::plan::{plan_csv, plan_json, search, PlanSpec, Trial};

use crate::failure::{self, create_dir, input, write_atomic, Failure};
use crate::require::{self, UNMET};
use crate::sweep::{parse_seeds, Seeds};

pub const PLAN_ABOUT: &str = "\
Find the smallest whole value of one --set path, in LOW..HIGH, for which every requirement \
holds on every seed.

Requirements are --require 'SERVICE.FIGURE OP NUMBER' (repeatable; OP one of >=, >, <=, <, \
==; FIGURE a column of services.csv) and the scenario's own requirements:. A figure with no \
value (meanTimeToRecover without a recovery, steadyAt never reached) fails any requirement \
on it.

Assumption: the requirements are monotonic in the value (once they all hold at a value, \
they hold at every larger one), as they are for capacity. So plan runs HIGH first (if it \
fails, there is no answer: exit code 3), then LOW (if it passes, LOW is the answer), then \
halves the range between a failing and a passing value. Values it does not run are \
inferred from that assumption; the output says which were run.

Prints the answer and the evidence; DIR/plan.json holds the question, the answer (null when \
none) and each value tried with its verdict, DIR/plan.csv one row per value, seed and \
requirement (value, seed, requirement, observed, ok). Exit code 0 with an answer, 3 \
without, 2 for bad input.";

#[derive(Args)]
pub struct PlanArgs {
    /// The scenario file (YAML).
    scenario: PathBuf,
    /// The path to search and its range, both ends included, e.g. --vary
    /// 'cluster.autoScalingGroups[0].desiredCapacity=3..12'.
    #[arg(long, value_name = "PATH=LOW..HIGH", value_parser = parse_range)]
    vary: Range,
    /// A requirement every seed must meet, e.g. 'web.secondsBelowDesired<=120'; repeatable.
    #[arg(long = "require", value_name = "SERVICE.FIGURE OP NUMBER")]
    require: Vec<String>,
    /// Seeds: FIRST..LAST (both included) or a list [default: the scenario's seed].
    #[arg(long, value_name = "SEEDS", value_parser = parse_seeds)]
    seeds: Option<Seeds>,
    /// Override one field before the searched value, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    overrides: Vec<String>,
    /// Threads to run on [default: every core].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Show no progress bar (one is shown on stderr, when it is a terminal, once the runs
    /// have taken a second).
    #[arg(long)]
    quiet: bool,
    /// Output folder [default: results/<scenario name>-plan/].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: PlanArgs) -> ExitCode {
    run_plan(args).unwrap_or_else(Failure::exit)
}

fn overrides_at(args: &PlanArgs, value: i64) -> Vec<String> {
    let mut overrides = args.overrides.clone();
    overrides.push(format!("{}={value}", args.vary.path));
    overrides
}

fn run_plan(args: PlanArgs) -> Result<ExitCode, Failure> {
    let jobs = failure::jobs(args.jobs)?;
    let range = &args.vary;
    let at_high = format!("at {}={}", range.path, range.high);
    let top = failure::load(&args.scenario, &overrides_at(&args, range.high), &at_high)?;
    let requirements = require::requirements(&args.require, &top)?;
    if requirements.is_empty() {
        return Err(input(
            "plan needs at least one requirement: --require 'SERVICE.FIGURE OP NUMBER', or requirements: in the scenario",
        ));
    }
    let seeds = args
        .seeds
        .as_ref()
        .map_or_else(|| vec![top.seed], |seeds| seeds.0.clone());
    let spec = PlanSpec {
        scenario: args.scenario.display().to_string(),
        path: range.path.clone(),
        low: range.low,
        high: range.high,
        seeds: seeds.clone(),
        set: args.overrides.clone(),
        requirements,
    };
    eprintln!(
        "seeds={} scenario={}",
        whatif::seeds::seeds_text(&seeds),
        spec.scenario
    );
    println!(
        "plan: the smallest {} in {}..{} such that on every seed ({}):",
        spec.path,
        spec.low,
        spec.high,
        whatif::seeds::seeds_text(&seeds)
    );
    for requirement in &spec.requirements {
        println!("  {requirement}");
    }
    println!("Assumption: {}.\n", whatif::plan::MONOTONIC);
    let plan = search(range.low, range.high, |value| -> Result<Trial, Failure> {
        let label = format!("at {}={value}", range.path);
        let scenario = failure::load(&args.scenario, &overrides_at(&args, value), &label)?;
        // The value may rename services: every requirement must still name one.
        require::requirements(&args.require, &scenario)?;
        let progress = crate::progress::RunsProgress::new(seeds.len(), &label, args.quiet);
        let runs = whatif::map_parallel(jobs, seeds.len(), |idx| {
            let rows = whatif::run_figures(&scenario, seeds[idx]);
            progress.run_done();
            rows
        });
        progress.finish();
        let trial = Trial {
            value,
            seeds: seeds
                .iter()
                .zip(&runs)
                .map(|(&seed, rows)| (seed, check(&spec.requirements, rows)))
                .collect(),
        };
        print_trial(&trial);
        Ok(trial)
    })?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| failure::default_out(&top, "plan"));
    create_dir(&out)?;
    write_atomic(&out, "plan.json", &plan_json(&spec, &plan))?;
    write_atomic(&out, "plan.csv", &plan_csv(&plan))?;
    crate::pages::write_plan_page(&out)?;
    let mut tried: Vec<i64> = plan.tried.iter().map(|trial| trial.value).collect();
    tried.sort_unstable();
    let tried: Vec<String> = tried.iter().map(ToString::to_string).collect();
    println!();
    let code = match plan.answer {
        Some(answer) => {
            let below = if answer > spec.low {
                format!("; {} fails", answer - 1)
            } else {
                String::new()
            };
            println!(
                "answer: {}={answer} (every requirement met on every seed at {answer}{below}; values run: {})",
                spec.path,
                tried.join(", ")
            );
            ExitCode::SUCCESS
        }
        None => {
            println!(
                "no answer: even {}={} fails a requirement, so no value in {}..{} meets them all",
                spec.path, spec.high, spec.low, spec.high
            );
            ExitCode::from(UNMET)
        }
    };
    println!(
        "evidence in {} and {}",
        out.join("plan.json").display(),
        out.join("plan.csv").display()
    );
    Ok(code)
}

/// One line per value tried, with its first failures.
fn print_trial(trial: &Trial) {
    if trial.ok() {
        println!(
            "  {:>6}  ok     every requirement met on {} of {} seeds",
            trial.value,
            trial.seeds_met(),
            trial.seeds.len()
        );
        return;
    }
    // Per failed requirement, the first seeds that failed it.
    let mut failures: Vec<(String, Vec<String>)> = Vec::new();
    for (seed, checks) in &trial.seeds {
        for check in checks.iter().filter(|check| !check.ok) {
            let requirement = check.requirement.to_string();
            let seen = format!("{} on seed {seed}", check.observed_text());
            match failures.iter_mut().find(|(text, _)| *text == requirement) {
                Some((_, seeds)) => seeds.push(seen),
                None => failures.push((requirement, vec![seen])),
            }
        }
    }
    let failures: Vec<String> = failures
        .into_iter()
        .map(|(requirement, seen)| {
            let more = if seen.len() > 2 {
                format!(" and {} more", seen.len() - 2)
            } else {
                String::new()
            };
            format!(
                "{requirement}: observed {}{more}",
                seen[..seen.len().min(2)].join(", ")
            )
        })
        .collect();
    println!(
        "  {:>6}  fails  met on {} of {} seeds; {}",
        trial.value,
        trial.seeds_met(),
        trial.seeds.len(),
        failures.join("; ")
    );
}
