//! `ecsim sweep` and `ecsim merge`: every variant of a `--vary` grid on every seed, on many
//! threads, shards of it on a batch engine's array jobs, resumed after an interruption, and
//! the shards' folders merged into the files the whole sweep would have written.
//!
//! A sweep's folder holds `sweep.json` (the manifest: which sweep, which runs), `runs/` (one
//! record per finished run, `v<variant>-s<seed>.csv`, written under a temporary name and
//! renamed, so a half-written run is never read), then `runs.csv` and, when the folder holds
//! every run, `sweep.csv` and its page `sweep.html`, assembled from the records.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use scenario::Scenario;
use whatif::grid::{parse_vary, Grid, Vary};
use whatif::shard::{parse_shard, Shard, ShardSpec};
use whatif::sweep::{run_file_name, sweep_csv, Manifest, RunId, SweepSpec, Table};

use crate::failure::{self, create_dir, input, read_optional, write_atomic, Failure};

/// `--seeds SEEDS`, one value holding a list.
#[derive(Clone, Debug)]
pub struct Seeds(pub Vec<u64>);

pub fn parse_seeds(text: &str) -> Result<Seeds, String> {
    whatif::seeds::parse_seeds(text).map(Seeds)
}

pub const SWEEP_ABOUT: &str = "\
Run a scenario on every seed and every combination of --vary values; write runs.csv, \
sweep.csv and sweep.html.

Each --vary gives a YAML flow list of values for one --set path; several make a grid. \
Variants are numbered from 0 in odometer order: the last --vary changes fastest. Runs are \
numbered variant by variant, seeds in the order --seeds names them: run k is variant k / S \
on the (k mod S)-th seed, for S seeds. Each run is the scenario loaded with --set, then the \
variant's values, and run with its seed.

DIR/runs.csv: one row per (variant, seed, service): variant, seed, one column per varied \
path, serviceName, then every figure of services.csv, formatted as there.
DIR/sweep.csv: one row per (variant, service, figure): variant, the varied columns, \
serviceName, metric, n, mean, ci95Low, ci95High, min, max, where the interval is Student's \
t 95 % interval of the mean over the seeds where the figure has a value (none with one \
value; every statistic is empty when no seed has a value).
DIR/sweep.html: the same numbers as a page that opens offline in any browser: per service \
and figure, each variant's mean with its 95 % interval as a chart (variants along the x \
axis, labelled with their --vary values), and a table; the scenario, seeds and command at \
the top.
Files are byte-identical for any --jobs.

Scale-out: --shard I/N runs only the runs k with k mod N = I and writes their runs.csv and \
sweep.json; `ecsim merge` joins the shards' folders into the whole sweep's files, byte for \
byte. --shard auto/N takes I from SLURM_ARRAY_TASK_ID (Slurm job arrays), \
JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array \
jobs), the first one set, modulo N: any N consecutive array indices, such as Slurm's \
--array=0-3 or --array=1-4 for N = 4, cover every shard once.

Every finished run is recorded in DIR/runs/; --resume skips the runs recorded there (after \
checking that DIR holds the same sweep) and assembles the files from all of them.";

#[derive(Args)]
pub struct SweepArgs {
    /// The scenario file (YAML).
    scenario: PathBuf,
    /// Seeds: FIRST..LAST (both included, e.g. 1..20) or a list (1,4,9).
    #[arg(long, value_name = "SEEDS", value_parser = parse_seeds)]
    seeds: Seeds,
    /// Values for one --set path, as a YAML flow list, e.g. --vary
    /// 'services[0].desiredCount=[3, 6, 9]'; repeat for a grid.
    #[arg(long = "vary", value_name = "PATH=[V1, V2, ...]", value_parser = parse_vary)]
    vary: Vec<Vary>,
    /// Override one field of every variant before its --vary values, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    overrides: Vec<String>,
    /// Threads to run on [default: every core].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Run only shard I of N (the runs k with k mod N = I); auto/N takes I from the batch
    /// engine's array index.
    #[arg(long, value_name = "I/N|auto/N", value_parser = parse_shard)]
    shard: Option<ShardSpec>,
    /// Keep the runs already recorded in DIR/runs/ and run only the others.
    #[arg(long)]
    resume: bool,
    /// Show no progress bar (one is shown on stderr, when it is a terminal, once the runs
    /// have taken a second).
    #[arg(long)]
    quiet: bool,
    /// Output folder [default: results/<scenario name>-sweep/].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub const MERGE_ABOUT: &str = "\
Join the folders of a sharded sweep (ecsim sweep --shard I/N) into runs.csv, sweep.csv, \
sweep.html and sweep.json, byte-identical to the files of the same sweep run whole.

Every folder must hold the same sweep (ecsim version, scenario, seeds, --set, --vary), and \
together they must hold every run exactly once; otherwise nothing is written and the \
message names the missing or doubled runs.";

#[derive(Args)]
pub struct MergeArgs {
    /// The shards' output folders.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Where to write the merged files.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn sweep(args: SweepArgs) -> ExitCode {
    run_sweep(args).unwrap_or_else(Failure::exit)
}

pub fn merge(args: MergeArgs) -> ExitCode {
    run_merge(args).unwrap_or_else(Failure::exit)
}

/// `variant 3 (a=1, b=2)` for messages; empty without a grid.
fn variant_label(grid: &Grid, variant: usize) -> String {
    if grid.varies.is_empty() {
        String::new()
    } else {
        format!("variant {variant} ({})", grid.describe(variant))
    }
}

/// Every variant's scenario, and the fingerprint of their resolved texts.
fn load_variants(path: &Path, spec: &SweepSpec) -> Result<(Vec<Scenario>, String), Failure> {
    let scenarios = (0..spec.grid.variants())
        .map(|variant| {
            failure::load(
                path,
                &spec.overrides(variant),
                &variant_label(&spec.grid, variant),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let resolved: Vec<String> = scenarios.iter().map(scenario::resolved_yaml).collect();
    let hash = whatif::fingerprint(resolved.iter().map(String::as_bytes));
    Ok((scenarios, hash))
}

fn run_sweep(args: SweepArgs) -> Result<ExitCode, Failure> {
    let jobs = failure::jobs(args.jobs)?;
    let shard = args
        .shard
        .map(|spec| spec.resolve(|name| std::env::var(name).ok()))
        .transpose()
        .map_err(input)?;
    let spec = SweepSpec {
        scenario: args.scenario.display().to_string(),
        seeds: args.seeds.0,
        set: args.overrides,
        grid: Grid::new(args.vary).map_err(input)?,
    };
    eprintln!(
        "seeds={} scenario={}",
        whatif::seeds::seeds_text(&spec.seeds),
        spec.scenario
    );
    let (scenarios, hash) = load_variants(&args.scenario, &spec)?;
    let manifest = spec.manifest(&scenarios[0].name, &hash, shard);
    let out = args
        .out
        .unwrap_or_else(|| failure::default_out(&scenarios[0], "sweep"));
    let runs_dir = out.join("runs");
    create_dir(&out)?;
    prepare_folder(&out, &runs_dir, &manifest, args.resume)?;
    // The recorded runs, then the others on `jobs` threads, each recorded as it finishes.
    let mut results: Vec<Option<Vec<Vec<String>>>> = vec![None; spec.runs()];
    let mut pending = Vec::new();
    let mut resumed = 0;
    for &k in &manifest.held {
        let id = spec.run(k);
        let path = runs_dir.join(run_file_name(id));
        let record = if args.resume {
            read_optional(&path)?
        } else {
            None
        };
        match record.map(|bytes| read_record(&spec, id, &scenarios[id.variant], &bytes)) {
            Some(Ok(rows)) => {
                results[k] = Some(rows);
                resumed += 1;
            }
            Some(Err(why)) => {
                eprintln!("warning: {}: {why}; running it again", path.display());
                pending.push(k);
            }
            None => pending.push(k),
        }
    }
    print_plan(&spec, shard, &manifest, jobs, resumed, &out);
    let header = spec.header();
    let progress = crate::progress::RunsProgress::new(pending.len(), "sweep", args.quiet);
    let ran = whatif::run_parallel(
        jobs,
        pending.len(),
        |idx| {
            let id = spec.run(pending[idx]);
            let rows = whatif::run_figures(&scenarios[id.variant], id.seed);
            progress.run_done();
            rows
        },
        |idx, services| -> anyhow::Result<()> {
            let k = pending[idx];
            let rows = spec.rows(k, &services);
            let record = Table {
                header: header.clone(),
                rows,
            };
            write_atomic(&runs_dir, &run_file_name(spec.run(k)), &record.to_csv())?;
            results[k] = Some(record.rows);
            Ok(())
        },
    );
    progress.finish();
    ran?;
    let table = Table {
        header,
        rows: manifest
            .held
            .iter()
            .flat_map(|&k| results[k].take().expect("every held run is done"))
            .collect(),
    };
    write_atomic(&out, "runs.csv", &table.to_csv())?;
    if manifest.held.len() == spec.runs() {
        let summary = sweep_csv(&table, spec.grid.varies.len()).map_err(input)?;
        write_atomic(&out, "sweep.csv", &summary)?;
        write_page(&out, &manifest, &summary)?;
        print_summary(&summary, spec.grid.varies.len());
        println!(
            "\nresults in {}: runs.csv, sweep.csv, sweep.html, sweep.json, runs/",
            out.display()
        );
    } else {
        println!(
            "\nshard results in {}: runs.csv, sweep.json, runs/; join the shards with ecsim merge",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `sweep.html`, the page of the whole sweep `manifest` describes, from its
/// `sweep.csv` bytes.
fn write_page(out: &Path, manifest: &Manifest, summary: &[u8]) -> Result<(), Failure> {
    let page = whatif::html::sweep::sweep_page(manifest, summary).map_err(input)?;
    write_atomic(out, "sweep.html", &page)?;
    Ok(())
}

/// Checks a folder for `--resume` (it must hold the same sweep and shard) or clears it for
/// a fresh start, then writes the manifest and removes stale temporary records.
fn prepare_folder(
    out: &Path,
    runs_dir: &Path,
    manifest: &Manifest,
    resume: bool,
) -> Result<(), Failure> {
    let manifest_path = out.join("sweep.json");
    if resume {
        if let Some(bytes) = read_optional(&manifest_path)? {
            let old = Manifest::from_json(&bytes).map_err(|why| {
                input(format!(
                    "--resume: {} is not a sweep manifest ({why})",
                    manifest_path.display()
                ))
            })?;
            let same = old.same_sweep(manifest).and_then(|()| {
                if old.shard == manifest.shard {
                    Ok(())
                } else {
                    Err("the shard differs".to_string())
                }
            });
            same.map_err(|why| {
                input(format!(
                    "--resume: {} holds another sweep ({why}); give another --out, or drop --resume to start over",
                    out.display()
                ))
            })?;
        }
    } else if runs_dir.exists() {
        fs::remove_dir_all(runs_dir)
            .with_context(|| format!("removing the old {}", runs_dir.display()))?;
    }
    for name in ["runs.csv", "sweep.csv", "sweep.html"] {
        let path = out.join(name);
        if path.exists() {
            fs::remove_file(&path)
                .with_context(|| format!("removing the old {}", path.display()))?;
        }
    }
    write_atomic(out, "sweep.json", &manifest.to_json())?;
    create_dir(runs_dir)?;
    let entries =
        fs::read_dir(runs_dir).with_context(|| format!("reading {}", runs_dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", runs_dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".partial") {
            fs::remove_file(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// A run's record, if it is whole: this sweep's header and one row per service of its
/// variant, each naming the run.
fn read_record(
    spec: &SweepSpec,
    id: RunId,
    scenario: &Scenario,
    bytes: &[u8],
) -> Result<Vec<Vec<String>>, String> {
    let table = Table::parse(bytes)?;
    if table.header != spec.header() {
        return Err("its columns are not this sweep's".to_string());
    }
    let names_run =
        |row: &Vec<String>| row[0] == id.variant.to_string() && row[1] == id.seed.to_string();
    if table.rows.len() != scenario.services.len() || !table.rows.iter().all(names_run) {
        return Err("it does not hold this run's services".to_string());
    }
    Ok(table.rows)
}

fn print_plan(
    spec: &SweepSpec,
    shard: Option<Shard>,
    manifest: &Manifest,
    jobs: usize,
    resumed: usize,
    out: &Path,
) {
    let mut line = format!(
        "sweep: {} variant{} x {} seed{} = {} runs",
        spec.grid.variants(),
        if spec.grid.variants() == 1 { "" } else { "s" },
        spec.seeds.len(),
        if spec.seeds.len() == 1 { "" } else { "s" },
        spec.runs()
    );
    if let Some(shard) = shard {
        line.push_str(&format!(
            "; shard {shard} runs {} of them",
            manifest.held.len()
        ));
    }
    if resumed > 0 {
        line.push_str(&format!(
            "; {resumed} already recorded in {}",
            out.join("runs").display()
        ));
    }
    line.push_str(&format!(
        "; {jobs} thread{}",
        if jobs == 1 { "" } else { "s" }
    ));
    println!("{line}");
}

/// The most lines of the terminal's summary table.
const SUMMARY_LINES: usize = 40;

/// A short table from `sweep.csv`: availability and seconds below desired per variant and
/// service, mean and interval.
fn print_summary(summary: &[u8], n_paths: usize) {
    let Ok(table) = Table::parse(summary) else {
        return;
    };
    let (service, metric) = (n_paths + 1, n_paths + 2);
    let cell = |row: Option<&Vec<String>>| {
        let Some(row) = row else {
            return "-".to_string();
        };
        let (mean, low, high) = (&row[metric + 2], &row[metric + 3], &row[metric + 4]);
        if mean.is_empty() {
            "-".to_string()
        } else if low.is_empty() {
            mean.clone()
        } else {
            format!("{mean} [{low}, {high}]")
        }
    };
    let mut lines = vec![[
        "variant".to_string(),
        "service".to_string(),
        "availability (95% interval)".to_string(),
        "seconds below desired (95% interval)".to_string(),
    ]];
    let mut blocks = 0;
    let mut start = 0;
    while start < table.rows.len() {
        let key = |row: &Vec<String>| (row[0].clone(), row[service].clone());
        let first = key(&table.rows[start]);
        let end = table.rows[start..]
            .iter()
            .position(|row| key(row) != first)
            .map_or(table.rows.len(), |len| start + len);
        let block = &table.rows[start..end];
        start = end;
        blocks += 1;
        if lines.len() > SUMMARY_LINES {
            continue;
        }
        let find = |name: &str| block.iter().find(|row| row[metric] == name);
        let mut variant = block[0][0].clone();
        if n_paths > 0 {
            variant.push_str(&format!(" ({})", block[0][1..=n_paths].join(", ")));
        }
        lines.push([
            variant,
            block[0][service].clone(),
            cell(find("availability")),
            cell(find("secondsBelowDesired")),
        ]);
    }
    println!();
    let widths: Vec<usize> = (0..4)
        .map(|column| lines.iter().map(|row| row[column].len()).max().unwrap_or(0))
        .collect();
    let shown = lines.len() - 1;
    for row in lines {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
    if blocks > shown {
        println!("... and {} more in sweep.csv", blocks - shown);
    }
}

fn run_merge(args: MergeArgs) -> Result<ExitCode, Failure> {
    let mut pieces = Vec::new();
    for dir in &args.dirs {
        let manifest_path = dir.join("sweep.json");
        let bytes = read_optional(&manifest_path)?.ok_or_else(|| {
            input(format!(
                "{} has no sweep.json: it is not an output folder of ecsim sweep",
                dir.display()
            ))
        })?;
        let manifest = Manifest::from_json(&bytes).map_err(|why| {
            input(format!(
                "{} is not a sweep manifest ({why})",
                manifest_path.display()
            ))
        })?;
        let runs_path = dir.join("runs.csv");
        let bytes = read_optional(&runs_path)?.ok_or_else(|| {
            input(format!(
                "{} has no runs.csv: its sweep did not finish; run it again with --resume",
                dir.display()
            ))
        })?;
        let table =
            Table::parse(&bytes).map_err(|why| input(format!("{}: {why}", runs_path.display())))?;
        pieces.push((dir, manifest, table));
    }
    for (dir, manifest, _) in &pieces {
        manifest
            .spec()
            .map_err(|why| input(format!("{}: {why}", dir.join("sweep.json").display())))?;
    }
    let (first_dir, first, first_table) = &pieces[0];
    let spec = first
        .spec()
        .map_err(|why| input(format!("{}: {why}", first_dir.join("sweep.json").display())))?;
    let expected = spec.header();
    let fixed = 3 + spec.grid.varies.len();
    if first_table.header.len() < fixed || first_table.header[..fixed] != expected[..fixed] {
        return Err(input(format!(
            "{}: its columns are not variant, seed, the varied paths, serviceName, the figures",
            first_dir.join("runs.csv").display()
        )));
    }
    for (dir, manifest, table) in &pieces[1..] {
        first.same_sweep(manifest).map_err(|why| {
            input(format!(
                "{} and {} hold different sweeps: {why}",
                first_dir.display(),
                dir.display()
            ))
        })?;
        if table.header != first_table.header {
            return Err(input(format!(
                "{} and {} have different runs.csv columns",
                first_dir.display(),
                dir.display()
            )));
        }
    }
    // Each run's rows, and the folder they came from.
    let mut runs: Vec<Option<(usize, Vec<Vec<String>>)>> = vec![None; spec.runs()];
    for (piece, (dir, manifest, table)) in pieces.iter().enumerate() {
        let runs_path = dir.join("runs.csv");
        let mut seen = vec![false; spec.runs()];
        for (line, row) in table.rows.iter().enumerate() {
            let id = row[0]
                .parse()
                .ok()
                .zip(row[1].parse().ok())
                .map(|(variant, seed)| RunId { variant, seed });
            let k = id
                .and_then(|id| spec.run_number(id))
                .filter(|k| manifest.held.binary_search(k).is_ok())
                .ok_or_else(|| {
                    input(format!(
                        "{}: line {} (variant {:?}, seed {:?}) is not one of the runs its sweep.json holds",
                        runs_path.display(),
                        line + 2,
                        row[0],
                        row[1]
                    ))
                })?;
            seen[k] = true;
            match &mut runs[k] {
                Some((other, _)) if *other != piece => {
                    let id = spec.run(k);
                    return Err(input(format!(
                        "run {k} (variant {}, seed {}) is in both {} and {}",
                        id.variant,
                        id.seed,
                        pieces[*other].0.display(),
                        dir.display()
                    )));
                }
                Some((_, rows)) => rows.push(row.clone()),
                None => runs[k] = Some((piece, vec![row.clone()])),
            }
        }
        if let Some(&k) = manifest.held.iter().find(|&&k| !seen[k]) {
            let id = spec.run(k);
            return Err(input(format!(
                "{} lacks run {k} (variant {}, seed {}), which its shard holds; run the shard again with --resume",
                runs_path.display(),
                id.variant,
                id.seed
            )));
        }
    }
    let missing: Vec<usize> = (0..spec.runs()).filter(|&k| runs[k].is_none()).collect();
    if !missing.is_empty() {
        let shard_count = first.shard.map(|shard| shard.count);
        let named: Vec<String> = missing
            .iter()
            .take(5)
            .map(|&k| {
                let id = spec.run(k);
                match shard_count {
                    Some(count) => format!(
                        "run {k} (variant {}, seed {}; shard {}/{count})",
                        id.variant,
                        id.seed,
                        k % count
                    ),
                    None => format!("run {k} (variant {}, seed {})", id.variant, id.seed),
                }
            })
            .collect();
        let more = if missing.len() > named.len() {
            format!(" and {} more", missing.len() - named.len())
        } else {
            String::new()
        };
        return Err(input(format!(
            "{} of {} runs are in none of the folders: {}{more}",
            missing.len(),
            spec.runs(),
            named.join(", ")
        )));
    }
    let table = Table {
        header: first_table.header.clone(),
        rows: runs
            .into_iter()
            .flat_map(|run| run.expect("none missing").1)
            .collect(),
    };
    let summary = sweep_csv(&table, spec.grid.varies.len()).map_err(input)?;
    let merged = Manifest {
        shard: None,
        held: (0..spec.runs()).collect(),
        ..first.clone()
    };
    create_dir(&args.out)?;
    write_atomic(&args.out, "runs.csv", &table.to_csv())?;
    write_atomic(&args.out, "sweep.csv", &summary)?;
    write_page(&args.out, &merged, &summary)?;
    write_atomic(&args.out, "sweep.json", &merged.to_json())?;
    println!(
        "merged {} runs from {} folders into {}: runs.csv, sweep.csv, sweep.html, sweep.json",
        spec.runs(),
        pieces.len(),
        args.out.display()
    );
    print_summary(&summary, spec.grid.varies.len());
    Ok(ExitCode::SUCCESS)
}
