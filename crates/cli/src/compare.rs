//! `ecsim compare`: two scenarios (or one and the same with `--set-other` overrides) on the
//! same seeds, the paired differences in `compare.csv`, drawn in `compare.html`, and, in
//! words, which is better on each figure.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use whatif::compare::{compare, compare_csv, figures_won, services, verdict, Winner};
use whatif::html::compare::{compare_page, CompareSpec};

use crate::failure::{self, create_dir, input, write_atomic, Failure};
use crate::sweep::{parse_seeds, Seeds};

pub const COMPARE_ABOUT: &str = "\
Run two scenarios on the same seeds and compare them figure by figure.

OTHER is OTHER.yaml, or BASE.yaml with the --set-other overrides (then OTHER.yaml may be \
omitted); --set applies to both. Because every random draw is keyed by seed, purpose and \
entity, both runs of a seed see the same instance failures and the same workload draws \
(common random numbers), so the paired difference other - base on each seed measures the \
change rather than luck.

DIR/compare.csv: per (service, figure): serviceName, metric, n (seeds where both have a \
value), base and other (their means), meanDiff (mean of other - base), ci95Low, ci95High \
(Student's t 95 % interval of that mean), otherHigher, otherLower, ties (seeds where the \
difference is above, below and at zero).
DIR/compare.html: the same numbers as a page that opens offline in any browser: per service, \
each figure's paired difference with its 95 % interval as a chart around zero, coloured by \
the side it favours, and a table; the two sides, seeds and command at the top.

The terminal says which is better on each figure: higher is better for availability, \
minRunning, meanHealthyTargets and minHealthyTargets; lower is better for \
secondsBelowDesired, meanTimeToRecover, tasksFailed, placementFailures and steadyAt; \
desiredCount and tasksStarted are reported without a verdict. A difference is settled when \
its 95 % interval excludes zero.";

#[derive(Args)]
pub struct CompareArgs {
    /// The base scenario (YAML).
    #[arg(value_name = "BASE.yaml")]
    base: PathBuf,
    /// The other scenario; omit it to compare BASE with BASE plus --set-other.
    #[arg(value_name = "OTHER.yaml")]
    other: Option<PathBuf>,
    /// Seeds: FIRST..LAST (both included, e.g. 1..30) or a list (1,4,9).
    #[arg(long, value_name = "SEEDS", value_parser = parse_seeds)]
    seeds: Seeds,
    /// Override one field of both scenarios.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    overrides: Vec<String>,
    /// Override one field of the other scenario only (after --set).
    #[arg(long = "set-other", value_name = "PATH=VALUE")]
    set_other: Vec<String>,
    /// Threads to run on [default: every core].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Show no progress bar (one is shown on stderr, when it is a terminal, once the runs
    /// have taken a second).
    #[arg(long)]
    quiet: bool,
    /// Output folder [default: results/<base scenario name>-compare/].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: CompareArgs) -> ExitCode {
    run_compare(args).unwrap_or_else(Failure::exit)
}

fn run_compare(args: CompareArgs) -> Result<ExitCode, Failure> {
    let jobs = failure::jobs(args.jobs)?;
    if args.other.is_none() && args.set_other.is_empty() {
        return Err(input(
            "compare needs OTHER.yaml, or --set-other PATH=VALUE to derive it from BASE.yaml",
        ));
    }
    let base = failure::load(&args.base, &args.overrides, "BASE")?;
    let other_path = args.other.as_ref().unwrap_or(&args.base);
    let mut other_overrides = args.overrides.clone();
    other_overrides.extend(args.set_other.iter().cloned());
    let other = failure::load(other_path, &other_overrides, "OTHER")?;
    let seeds = args.seeds.0;
    eprintln!(
        "seeds={} base={} other={}",
        whatif::seeds::seeds_text(&seeds),
        args.base.display(),
        other_path.display()
    );
    let progress = crate::progress::RunsProgress::new(2 * seeds.len(), "compare", args.quiet);
    let runs = whatif::map_parallel(jobs, 2 * seeds.len(), |idx| {
        let scenario = if idx % 2 == 0 { &base } else { &other };
        let rows = whatif::run_figures(scenario, seeds[idx / 2]);
        progress.run_done();
        rows
    });
    progress.finish();
    let (base_runs, other_runs): (Vec<_>, Vec<_>) = runs
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .unzip();
    let comparison = compare(&base_runs, &other_runs);
    let out = args
        .out
        .unwrap_or_else(|| failure::default_out(&base, "compare"));
    create_dir(&out)?;
    write_atomic(&out, "compare.csv", &compare_csv(&comparison))?;
    let spec = CompareSpec {
        base: args.base.display().to_string(),
        other: args.other.as_ref().map(|path| path.display().to_string()),
        base_name: base.name.clone(),
        other_name: other.name.clone(),
        seeds: seeds.clone(),
        set: args.overrides.clone(),
        set_other: args.set_other.clone(),
    };
    write_atomic(&out, "compare.html", &compare_page(&spec, &comparison))?;
    println!(
        "compare on {} seed{} ({}), paired: both runs of a seed see the same failures and workload draws",
        seeds.len(),
        if seeds.len() == 1 { "" } else { "s" },
        whatif::seeds::seeds_text(&seeds)
    );
    println!("  base:  {}", describe(&args.base, &args.overrides));
    println!("  other: {}", describe(other_path, &other_overrides));
    for name in &comparison.only_base {
        println!("service {name} is only in base: not compared");
    }
    for name in &comparison.only_other {
        println!("service {name} is only in other: not compared");
    }
    let width = whatif::figure_names()
        .iter()
        .map(|name| name.len())
        .max()
        .unwrap_or(0);
    let mut service = "";
    for row in &comparison.rows {
        if row.n == 0 {
            continue;
        }
        if row.service != service {
            service = &row.service;
            println!("\n{service} (other - base):");
        }
        println!("  {:<width$}  {}", row.metric, verdict(row));
    }
    println!();
    print_tally(&comparison);
    println!("\nresults in {}: compare.csv, compare.html", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Per service, the figures each side wins (95 % interval excluding zero) and those the seeds
/// leave open.
fn print_tally(comparison: &whatif::compare::Comparison) {
    for service in services(comparison) {
        let figures = |wanted: Winner| -> String {
            let names = figures_won(comparison, service, wanted);
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        };
        println!(
            "{service}: other is better on {}; base is better on {}; not settled by these seeds: {}",
            figures(Winner::Other),
            figures(Winner::Base),
            figures(Winner::Unsettled)
        );
    }
}

/// `path` and its overrides, for the terminal.
fn describe(path: &std::path::Path, overrides: &[String]) -> String {
    let mut text = path.display().to_string();
    for set in overrides {
        text.push_str(&format!(" --set '{set}'"));
    }
    text
}
