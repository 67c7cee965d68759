//! Helpers shared by the integration tests: load a scenario from text, run it, and read
//! the output CSVs back as rows.

use std::path::Path;

use cluster::change::Discard;
use cluster::cluster::Cluster;
use scenario::Scenario;

#[track_caller]
pub fn scenario(yaml: &str) -> Scenario {
    match scenario::load_str(yaml, Path::new("test.yaml"), &[]) {
        Ok(scenario) => scenario,
        Err(errors) => panic!("test scenario does not load:\n{errors}"),
    }
}

/// Runs to the end with invariants checked after every event; returns the final model.
pub fn run_checked(scenario: &Scenario, seed: u64) -> Cluster {
    let mut last = des::SimTime::ZERO;
    let (cluster, _) = sim::simulate(scenario, seed, &mut Discard, &mut |now, cluster| {
        assert!(
            last <= now,
            "time went back: {last} then {now} (seed={seed})"
        );
        last = now;
        cluster.check_invariants();
    });
    cluster
}

/// The output files of a run, by name.
pub fn outputs(scenario: &Scenario, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    sim::run_to_memory(scenario, seed)
}

/// One output CSV as rows of (header -> value) maps, in file order.
pub fn csv_rows(files: &[(&'static str, Vec<u8>)], name: &str) -> Vec<Row> {
    let bytes = &files
        .iter()
        .find(|(file, _)| *file == name)
        .expect("file exists")
        .1;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|record| Row {
            headers: headers.clone(),
            values: record
                .expect("valid row")
                .iter()
                .map(String::from)
                .collect(),
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Row {
    headers: Vec<String>,
    values: Vec<String>,
}

impl Row {
    #[track_caller]
    pub fn get(&self, column: &str) -> &str {
        let index = self
            .headers
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        &self.values[index]
    }

    /// A time column in milliseconds; `None` when empty.
    pub fn time_ms(&self, column: &str) -> Option<u64> {
        let value = self.get(column);
        (!value.is_empty()).then(|| {
            let (secs, millis) = value.split_once('.').expect("seconds with decimals");
            secs.parse::<u64>().unwrap() * 1000 + millis.parse::<u64>().unwrap()
        })
    }
}
