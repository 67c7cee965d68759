//! The bad-scenario corpus: each `tests/data/bad/NAME.yaml` has its exact expected errors
//! in `NAME.expected` (file:line:col: field: message, one per line). Lines `# set: P=V` in
//! a scenario are passed as `--set` overrides. `UPDATE_EXPECT=1 cargo test -p scenario`
//! rewrites the expected files; review the diff.

use std::fs;

use crate::{data, error_text};

#[test]
fn bad_scenarios_give_the_expected_errors() {
    let dir = data("bad");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .expect("tests/data/bad exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "the corpus is there");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let source = fs::read_to_string(case).expect("readable case");
        let overrides: Vec<String> = source
            .lines()
            .filter_map(|line| line.strip_prefix("# set: "))
            .map(str::to_string)
            .collect();
        let got = match scenario::load(case, &overrides) {
            Ok(_) => "(loads without errors)".to_string(),
            Err(errors) => error_text(&errors),
        };
        let expected_path = case.with_extension("expected");
        if update {
            fs::write(&expected_path, format!("{got}\n")).expect("writable expected file");
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected.trim_end() != got {
            failures.push(format!(
                "{}:\n--- expected\n{}\n--- got\n{got}\n",
                case.display(),
                expected.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
