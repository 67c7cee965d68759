//! Scenarios that once broke an invariant (found by swarm testing, minimised by hand): each
//! runs with `check_invariants` after every event over a few seeds.

use std::fs;
use std::path::Path;

use crate::support::run_checked;

#[test]
fn every_regression_scenario_keeps_the_invariants() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/regressions");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("regressions folder")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        for seed in 0..5 {
            eprintln!("{} seed={seed}", path.display());
            run_checked(&scenario, seed);
        }
    }
}
