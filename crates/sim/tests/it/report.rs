//! `report.html` marks what `deployments.csv` lists: a mark in the service's row for every
//! deployment after the service's first (ECS.md §4.2: an UpdateService with a new task
//! definition, a forced deployment, a rollback) and one for every deployment that FAILED
//! (§4.5, the circuit breaker), on every golden scenario.

use crate::golden::scenario_files;
use crate::support::{csv_rows, outputs};

fn count(html: &str, class: &str) -> usize {
    html.matches(&format!("class=\"mark {class}\"")).count()
}

#[test]
fn deployments_are_marked_in_the_overview() {
    let mut failed_somewhere = false;
    for path in scenario_files() {
        let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        let files = outputs(&scenario, scenario.seed);
        let deployments = csv_rows(&files, "deployments.csv");
        // Each service's first deployment begins with it; the others are marked.
        let services: std::collections::BTreeSet<&str> = deployments
            .iter()
            .map(|row| row.get("serviceName"))
            .collect();
        let later = deployments.len() - services.len();
        let failed = deployments
            .iter()
            .filter(|row| row.get("rolloutState") == "FAILED")
            .count();
        failed_somewhere |= failed > 0;
        let html = files
            .iter()
            .find(|(name, _)| *name == "report.html")
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .expect("report.html");
        // The overview of the whole run (the closer look draws a part of it again).
        let overview = html
            .split("id=\"chart-overview\"")
            .nth(1)
            .and_then(|rest| rest.split("</svg>").next())
            .expect("the overview chart");
        assert_eq!(
            count(overview, "deployment"),
            later,
            "{}: one mark per deployment after the service's creation",
            path.display()
        );
        assert_eq!(
            count(overview, "deployment-failed"),
            failed,
            "{}: one mark per failed deployment",
            path.display()
        );
    }
    assert!(
        failed_somewhere,
        "some golden scenario has a failed deployment"
    );
}
