//! `ecsim plan --minimize FIGURE`: every variant of the `--vary` grid on every seed, and the
//! one meeting every requirement on every seed with the lowest mean FIGURE
//! (`whatif::minimize`); `plan.json` and `plan.csv` hold the evidence.

use std::process::ExitCode;

use whatif::check::check;
use whatif::grid::{parse_range, parse_vary, Grid, Vary, MAX_VARIANTS};
use whatif::minimize::{choose, minimize_csv, minimize_json, Candidate, MinimizeSpec, SeedResult};

use crate::failure::{self, input, Failure};
use crate::plan::{
    print_evidence, print_verdict, requirements_and_seeds, write_evidence, PlanArgs,
};
use crate::require::{self, UNMET};

/// `PATH=[V1, V2, ...]`, or `PATH=LOW..HIGH` as the list of its whole numbers.
fn vary(text: &str) -> Result<Vary, String> {
    if let Ok(range) = parse_range(text) {
        let count = i128::from(range.high) - i128::from(range.low) + 1;
        if count > MAX_VARIANTS as i128 {
            return Err(format!("--vary {text:?}: more than {MAX_VARIANTS} values"));
        }
        return Ok(Vary {
            path: range.path,
            values: (range.low..=range.high).map(|v| v.to_string()).collect(),
        });
    }
    parse_vary(text).map_err(|why| format!("{why}, or PATH=LOW..HIGH"))
}

pub(crate) fn run_minimize(args: &PlanArgs, figure: &str) -> Result<ExitCode, Failure> {
    let jobs = failure::jobs(args.jobs)?;
    let (service, figure) =
        scenario::parse_figure(figure).map_err(|why| input(format!("--minimize: {why}")))?;
    let varies = args
        .vary
        .iter()
        .map(|text| vary(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(input)?;
    let grid = Grid::new(varies).map_err(input)?;
    // Every variant must load, and every requirement name one of its services.
    let mut scenarios = Vec::with_capacity(grid.variants());
    let mut requirements = Vec::new();
    for variant in 0..grid.variants() {
        let mut overrides = args.overrides.clone();
        overrides.extend(grid.overrides(variant));
        let label = format!("at {}", grid.describe(variant));
        let scenario = failure::load(&args.scenario, &overrides, &label)?;
        requirements = require::requirements(&args.require, &scenario)?;
        if !service.is_empty() && !scenario.services.iter().any(|s| s.service_name == service) {
            return Err(input(format!(
                "--minimize {service}.{figure}: no service {service:?} {label}"
            )));
        }
        scenarios.push(scenario);
    }
    let seeds = requirements_and_seeds(args, &requirements, &scenarios[0])?;
    let spec = MinimizeSpec {
        scenario: args.scenario.display().to_string(),
        grid,
        service,
        figure,
        seeds: seeds.clone(),
        set: args.overrides.clone(),
        requirements,
    };
    let seeds_text = whatif::seeds::seeds_text(&seeds);
    eprintln!("seeds={seeds_text} scenario={}", spec.scenario);
    println!(
        "plan: the variant of {} with the lowest mean {} such that on every seed ({seeds_text}):",
        spec.grid.paths().join(" x "),
        spec.figure_text(),
    );
    for requirement in &spec.requirements {
        println!("  {requirement}");
    }
    println!("Rule: {}.\n", whatif::minimize::RULE);
    let runs = spec.grid.variants() * seeds.len();
    let progress = crate::progress::RunsProgress::new(runs, "variants", args.quiet);
    let rows = whatif::map_parallel(jobs, runs, |idx| {
        let rows = whatif::run_figures(&scenarios[idx / seeds.len()], seeds[idx % seeds.len()]);
        progress.run_done();
        rows
    });
    progress.finish();
    let candidates: Vec<Candidate> = (0..spec.grid.variants())
        .map(|variant| Candidate {
            variant,
            seeds: seeds
                .iter()
                .enumerate()
                .map(|(at, &seed)| {
                    let rows = &rows[variant * seeds.len() + at];
                    SeedResult {
                        seed,
                        checks: check(&spec.requirements, rows),
                        value: spec.cell(rows),
                    }
                })
                .collect(),
        })
        .collect();
    for candidate in &candidates {
        let seeds: Vec<_> = candidate
            .seeds
            .iter()
            .map(|seed| (seed.seed, seed.checks.clone()))
            .collect();
        let mean = candidate
            .mean()
            .map_or_else(|| "none".to_string(), whatif::stats::fixed6);
        print_verdict(
            &format!(
                "{} [{}] mean {mean}",
                candidate.variant,
                spec.grid.values(candidate.variant).join(", ")
            ),
            candidate.ok(),
            candidate.seeds_met(),
            &seeds,
        );
    }
    let answer = choose(&candidates);
    let out = write_evidence(
        args,
        &scenarios[0],
        &minimize_json(&spec, &candidates, answer),
        &minimize_csv(&spec, &candidates),
    )?;
    // plan.html shows a one-parameter search: a page left by one in this folder would not
    // be this run's.
    let page = out.join("plan.html");
    if page.exists() {
        std::fs::remove_file(&page)
            .map_err(|error| anyhow::anyhow!("removing the stale {}: {error}", page.display()))?;
    }
    println!();
    let code = match answer {
        Some(idx) => {
            let chosen = &candidates[idx];
            println!(
                "answer: variant {}: {} (every requirement met on every seed; mean {} {}; {} of {} variants meet every requirement)",
                chosen.variant,
                spec.grid.describe(chosen.variant),
                spec.figure_text(),
                chosen.mean().map_or_else(String::new, whatif::stats::fixed6),
                candidates.iter().filter(|c| c.ok()).count(),
                candidates.len()
            );
            ExitCode::SUCCESS
        }
        None => {
            println!(
                "no answer: no variant meets every requirement on every seed with a value of {}",
                spec.figure_text()
            );
            ExitCode::from(UNMET)
        }
    };
    print_evidence(&out);
    Ok(code)
}
