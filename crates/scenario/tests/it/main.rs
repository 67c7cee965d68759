//! Integration tests of the scenario loader: the real ECS JSON fixtures, the bad-scenario
//! corpus with exact error texts, `--set` overrides, the quickstart, quotas and outputs,
//! every scenario the repository ships, and garbage input.

mod bad;
mod fixtures;
mod fuzz;
mod overrides;
mod quotas;
mod scenarios;

use std::path::PathBuf;

/// A file under `tests/data/`.
fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Errors as text, with the data directory shortened to `tests/data/` so expected texts
/// do not depend on where the repository sits.
fn error_text(errors: &scenario::ScenarioErrors) -> String {
    let root = format!("{}/", PathBuf::from(env!("CARGO_MANIFEST_DIR")).display());
    errors.to_string().replace(&root, "")
}
