//! The output contract: every CSV file a run writes begins with the columns the scenario and
//! output contract (`SCENARIO.md`, "Output files": "columns (at least, in this order)")
//! lists for it, in that order; ecsim's own columns come after them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The contract, beside the repository as the project's shared folder (tests may read it).
fn contract() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/SCENARIO.md");
    std::fs::read_to_string(path).ok()
}

/// `(file, columns)` of each CSV row of the contract's output table.
fn contract_columns(text: &str) -> Vec<(String, Vec<String>)> {
    let table = text
        .split("## Output files")
        .nth(1)
        .expect("the contract has an output files section");
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | `file` | one row per | columns |
            let file = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            if !file.ends_with(".csv") {
                return None;
            }
            let columns = cells.get(3)?.split(" (at least)").next()?;
            let columns = columns
                .split(',')
                .map(|column| column.trim().to_string())
                .collect();
            Some((file.to_string(), columns))
        })
        .collect()
}

fn run_quickstart(out: &PathBuf) {
    let output = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["run", "--quiet", "--explain", "--seed", "5", "--out"])
        .arg(out)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_csv_file_begins_with_the_contract_columns_in_order() {
    let Some(text) = contract() else {
        eprintln!("skipped: the shared SCENARIO.md is not beside the repository");
        return;
    };
    let files = contract_columns(&text);
    assert!(files.len() >= 9, "the contract's table was read: {files:?}");
    let out = std::env::temp_dir().join(format!("ecsim-contract-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    run_quickstart(&out);
    for (file, columns) in files {
        let written = std::fs::read_to_string(out.join(&file))
            .unwrap_or_else(|error| panic!("{file} is written: {error}"));
        let header: Vec<&str> = written.lines().next().unwrap_or("").split(',').collect();
        assert!(
            header.len() >= columns.len() && header[..columns.len()] == columns[..],
            "{file} begins with the contract's columns {columns:?}, not {header:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
