//! Integration tests of the scenario loader: the real ECS JSON fixtures, the bad-scenario
//! corpus with exact error texts, `--set` overrides, the quickstart, quotas and outputs,
//! the lifecycle's fields (parameters, cluster, task definitions, services and target
//! groups, faults, actions), every scenario the repository ships, and garbage input.

mod actions;
mod bad;
mod contract;
mod faults;
mod fixtures;
mod fuzz;
mod lifecycle;
mod overrides;
mod quotas;
mod reference;
mod scenarios;
mod scheduled;
mod services;
mod warnings;

use std::path::{Path, PathBuf};

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

/// Validates scenario text named `s.yaml`; the errors as text, one per line.
fn load_text(text: &str) -> Result<scenario::Scenario, String> {
    scenario::load_str(text, Path::new("s.yaml"), &[]).map_err(|errors| error_text(&errors))
}

/// A valid scenario's warnings, as `ecsim` prints them after `warning: `.
fn warnings_of(scenario: &scenario::Scenario) -> Vec<String> {
    scenario::warnings(scenario)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Scenario text that must validate.
fn loads(text: &str) -> scenario::Scenario {
    load_text(text).unwrap_or_else(|errors| panic!("{errors}"))
}

/// Scenario text that must not validate: its errors, one per line.
fn fails(text: &str) -> String {
    match load_text(text) {
        Ok(_) => panic!("validates, but should not:\n{text}"),
        Err(errors) => errors,
    }
}
