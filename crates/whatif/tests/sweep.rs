//! A sweep of the fleet-sizing scenario through the library: each row equals the same run
//! made alone (its `services.csv` row), and the tables are the same bytes on 1 or 4 threads.

use std::path::{Path, PathBuf};

use whatif::grid::{parse_vary, Grid};
use whatif::sweep::{sweep_csv, SweepSpec, Table};

fn scenario_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/fleet-sizing.yaml")
}

fn spec() -> SweepSpec {
    SweepSpec {
        scenario: scenario_path().display().to_string(),
        seeds: vec![1, 2, 3],
        set: vec!["duration=2h".to_string()],
        grid: Grid::new(vec![parse_vary(
            "cluster.autoScalingGroups[0].desiredCapacity=[4, 5]",
        )
        .unwrap()])
        .unwrap(),
    }
}

/// `runs.csv` of the sweep computed on `jobs` threads.
fn runs_table(spec: &SweepSpec, jobs: usize) -> Table {
    let scenarios: Vec<_> = (0..spec.grid.variants())
        .map(|variant| scenario::load(&scenario_path(), &spec.overrides(variant)).unwrap())
        .collect();
    let runs = whatif::map_parallel(jobs, spec.runs(), |k| {
        let id = spec.run(k);
        whatif::run_figures(&scenarios[id.variant], id.seed)
    });
    Table {
        header: spec.header(),
        rows: runs
            .iter()
            .enumerate()
            .flat_map(|(k, services)| spec.rows(k, services))
            .collect(),
    }
}

#[test]
fn each_row_equals_the_same_run_made_alone() {
    let spec = spec();
    let table = runs_table(&spec, 2);
    assert_eq!(
        table.rows.len(),
        12,
        "2 variants x 3 seeds x (1 service and the cluster)"
    );
    for row in &table.rows {
        let overrides = [
            "duration=2h".to_string(),
            format!("cluster.autoScalingGroups[0].desiredCapacity={}", row[2]),
        ];
        let alone = scenario::load(&scenario_path(), &overrides).unwrap();
        let seed: u64 = row[1].parse().unwrap();
        let files = sim::run_to_memory(&alone, seed);
        let (_, services) = files
            .iter()
            .find(|(name, _)| *name == "services.csv")
            .unwrap();
        let services = Table::parse(services).unwrap();
        assert_eq!(services.header, sim::SERVICES_HEADER);
        let width = services.rows[0].len();
        if row[3].is_empty() {
            // The cluster's row: its costUsd is summary.json's, to the micro-dollar.
            let (_, summary) = files
                .iter()
                .find(|(name, _)| *name == "summary.json")
                .unwrap();
            let summary: serde_json::Value = serde_json::from_slice(summary).unwrap();
            let cost: f64 = row[3 + width - 1].parse().unwrap();
            assert_eq!(Some(cost), summary["costUsd"].as_f64());
            continue;
        }
        assert_eq!(
            &row[3..3 + width],
            services.rows[0].as_slice(),
            "variant {} seed {seed}",
            row[0]
        );
    }
}

#[test]
fn the_files_are_the_same_bytes_on_any_number_of_threads() {
    let spec = spec();
    let one = runs_table(&spec, 1);
    let four = runs_table(&spec, 4);
    assert_eq!(one.to_csv(), four.to_csv());
    assert_eq!(sweep_csv(&one, 1).unwrap(), sweep_csv(&four, 1).unwrap());
    // The variants differ: 4 instances cannot hold the service when a zone is lost.
    let below = |variant: &str| -> Vec<String> {
        one.rows
            .iter()
            .filter(|row| row[0] == variant && row[3] == "web")
            .map(|row| row[3 + 1 + whatif::figure_index("secondsBelowDesired").unwrap()].clone())
            .collect()
    };
    assert!(
        below("0").iter().all(|cell| cell == "3600.000"),
        "{:?}",
        below("0")
    );
    assert!(below("1")
        .iter()
        .all(|cell| cell.parse::<f64>().unwrap() < 120.0));
}
