//! `--set PATH=VALUE` overrides, and the quickstart scenario.

use cluster::spec::{Resource, StrategySpec};

use crate::error_text;

fn sets(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

#[test]
fn quickstart_loads() {
    let scenario = scenario::load_str(
        scenario::QUICKSTART,
        std::path::Path::new("scenarios/quickstart.yaml"),
        &[],
    )
    .unwrap_or_else(|errors| panic!("{errors}"));
    assert!(!scenario.services.is_empty());
    assert!(scenario.duration_ms > 0);
}

#[test]
fn overrides_replace_and_add_values() {
    let overrides = sets(&[
        "services[0].placementStrategy=[{type: binpack, field: memory}]",
        "cluster.autoScalingGroups[0].desiredCapacity=9",
        "seed=7",
        "parameters.tieBreak=stable",
        "duration=3h",
    ]);
    let scenario = scenario::load_str(
        scenario::QUICKSTART,
        std::path::Path::new("quickstart.yaml"),
        &overrides,
    )
    .unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(
        scenario.services[0].placement.strategies,
        vec![StrategySpec::Binpack(Resource::Memory)]
    );
    assert_eq!(scenario.cluster.auto_scaling_groups[0].desired_capacity, 9);
    assert_eq!(scenario.seed, 7);
    assert_eq!(
        scenario.parameters.tie_break,
        cluster::spec::TieBreak::Stable
    );
    assert_eq!(scenario.duration_ms, 3 * 3_600_000);
}

#[track_caller]
fn check_error(set: &str, expected: &str) {
    let errors = scenario::load_str(
        scenario::QUICKSTART,
        std::path::Path::new("q.yaml"),
        &sets(&[set]),
    )
    .expect_err("the override is refused");
    assert_eq!(error_text(&errors), expected);
}

#[test]
fn bad_overrides_name_the_override() {
    check_error(
        "services[0].desiredCount=-3",
        r#"q.yaml: --set services[0].desiredCount: services[0].desiredCount: expected a whole number >= 0, found "-3""#,
    );
    check_error(
        "services[0].desiredCont=3",
        "q.yaml: --set services[0].desiredCont: services[0].desiredCont: unknown field; did you mean desiredCount?",
    );
    check_error("services[3].desiredCount=1", "q.yaml: --set services[3].desiredCount: services[3] does not exist: services has 1 entries");
    check_error(
        "servics[0].desiredCount=1",
        "q.yaml: --set servics[0].desiredCount: servics does not exist, so it has no [index]",
    );
    check_error(
        "services..x=1",
        r#"q.yaml: --set services..x: bad PATH "services..x": expected names joined by dots, with [index] after a list, e.g. services[0].desiredCount"#,
    );
    check_error(
        "seed",
        r#"q.yaml: --set seed: expected PATH=VALUE, found "seed""#,
    );
    check_error("seed=[1", "q.yaml: --set seed: VALUE is not valid YAML: while parsing a flow sequence, expected ',' or ']'");
    check_error(
        "name.x=1",
        "q.yaml: --set name.x: name is not a mapping, so it has no field x",
    );
}
