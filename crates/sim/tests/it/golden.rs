//! Golden outputs: every `scenarios/*.yaml` (not the benchmarks in `scenarios/bench/`) runs with its own seed and each output file must
//! equal `scenarios/<name>.expected/<file>` byte for byte. Bless with
//! `UPDATE_EXPECT=1 cargo test -p sim --test it golden` and review the diff.

use std::fs;
use std::path::{Path, PathBuf};

pub fn scenario_files() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .expect("scenarios/ exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no scenarios found in {}",
        folder.display()
    );
    files
}

#[test]
fn every_scenario_matches_its_golden_outputs() {
    let bless = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut mismatches = Vec::new();
    for path in scenario_files() {
        let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        let expected_dir = path.with_extension("expected");
        for (name, bytes) in sim::run_to_memory(&scenario, scenario.seed) {
            let expected_path = expected_dir.join(name);
            if bless {
                fs::create_dir_all(&expected_dir).expect("create expected folder");
                fs::write(&expected_path, &bytes).expect("write golden file");
                continue;
            }
            let expected = fs::read(&expected_path).unwrap_or_default();
            if expected != bytes {
                mismatches.push(format!(
                    "{}: {} differs{} (seed={} scenario={})",
                    expected_dir.display(),
                    name,
                    first_difference(&expected, &bytes),
                    scenario.seed,
                    path.display()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "golden outputs differ; if the change is intended, run \
         UPDATE_EXPECT=1 cargo test -p sim --test it golden and review the diff:\n{}",
        mismatches.join("\n")
    );
}

fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    for (line, (want, got)) in expected.lines().zip(actual.lines()).enumerate() {
        if want != got {
            return format!(
                " at line {}:\n  expected: {want}\n  actual:   {got}",
                line + 1
            );
        }
    }
    format!(
        " in length: expected {} lines, got {}",
        expected.lines().count(),
        actual.lines().count()
    )
}
