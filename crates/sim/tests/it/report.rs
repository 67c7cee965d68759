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

/// The `<svg>` of the chart `id` in a page.
fn chart<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    html.split(&format!("<svg class=\"chart\" id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split("</svg>").next())
}

/// The `d` of each series path in a chart.
fn series(chart: &str) -> Vec<&str> {
    chart
        .split("<path class=\"series")
        .skip(1)
        .map(|rest| {
            let d = &rest[rest.find(" d=\"").expect("a path") + 4..];
            &d[..d.find('"').expect("closed")]
        })
        .collect()
}

/// An attribute of the first element in `svg` that has it.
fn attribute<'a>(svg: &'a str, name: &str) -> &'a str {
    let rest = &svg[svg.find(&format!(" {name}=\"")).expect(name) + name.len() + 3..];
    &rest[..rest.find('"').unwrap()]
}

fn report_html(files: &[(&'static str, Vec<u8>)]) -> String {
    files
        .iter()
        .find(|(name, _)| *name == "report.html")
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .expect("report.html")
}

/// `2.929600` as micro-dollars.
fn micro_usd(cell: &str) -> u64 {
    let (whole, fraction) = cell.split_once('.').expect("six decimals");
    assert_eq!(fraction.len(), 6, "{cell}");
    whole.parse::<u64>().unwrap() * 1_000_000 + fraction.parse::<u64>().unwrap()
}

/// With a capacity provider (ECS.md §5.5), the report charts its group's desired capacity
/// and instances in service, and its CapacityProviderReservation against its
/// targetCapacity; the cost accumulating is drawn through the points timeseries.csv writes
/// (`clusterCostUsd` from time zero, not summary.json's window), ending at its last value.
#[test]
fn capacity_providers_and_the_cost_are_charted_as_timeseries_has_them() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/capacity-providers.yaml");
    let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
    let files = outputs(&scenario, scenario.seed);
    let html = report_html(&files);
    let rows = csv_rows(&files, "timeseries.csv");
    assert!(html.contains("<a href=\"#capacity\">Capacity providers</a>"));
    assert!(html.contains("workers-cp (Auto Scaling group workers, targetCapacity 80)"));

    // The group's chart: in service and desired, both steps that move (8 -> 40 -> 12 tasks
    // make the group grow and shrink).
    let group = chart(&html, "chart-capacity-group-0").expect("the group's chart");
    let group_lines = series(group);
    assert_eq!(group_lines.len(), 2, "in service and desired capacity");
    assert!(group_lines
        .iter()
        .all(|d| d.starts_with('M') && d.contains('V')));
    assert!(group.contains("<title>workers: instances in service</title>"));
    assert!(group.contains("<title>workers: desired capacity</title>"));
    // The metric and a flat line at targetCapacity 80.
    let reservation =
        chart(&html, "chart-capacity-reservation-0").expect("the reservation's chart");
    let lines = series(reservation);
    assert_eq!(lines.len(), 2, "the metric and targetCapacity");
    assert!(lines[0].contains('V'), "the metric moves: {}", lines[0]);
    assert!(!lines[1].contains('V'), "the target is flat: {}", lines[1]);
    assert!(
        chart(&html, "chart-capacity-group-1").is_none(),
        "one provider"
    );
    // The steps are timeseries.csv's rows: a stroke per change to the value of its row
    // (the changes are minutes apart, a pixel column each). The chart is 150 high with
    // its plot from y 8 to 120, its scale 0 to 15 (13 instances at most).
    assert!(group.contains(">15</text>"), "the scale's top");
    let y = |value: u64| format!("{:.1}", 120.0 - 112.0 * value as f64 / 15.0);
    for (line, name) in group_lines.iter().zip(["inService", "desiredCapacity"]) {
        let values: Vec<u64> = rows
            .iter()
            .filter(|row| row.get("series") == name)
            .map(|row| row.get("value").parse().unwrap())
            .collect();
        assert!(values.len() > 2, "{name} moves: {values:?}");
        assert!(
            line.starts_with(&format!("M150.0,{}H", y(values[0]))),
            "{line}"
        );
        let strokes: Vec<&str> = line
            .split('V')
            .skip(1)
            .map(|rest| rest.split('H').next().unwrap())
            .collect();
        let expected: Vec<String> = values[1..].iter().map(|&v| y(v)).collect();
        assert_eq!(strokes, expected, "{name}: {line}");
    }

    // The cost: one piecewise-linear line through every clusterCostUsd row, ending at
    // the last, at the right edge; the rate a step line.
    let totals: Vec<(u64, u64)> = rows
        .iter()
        .filter(|row| row.get("series") == "clusterCostUsd")
        .map(|row| (row.time_ms("time").unwrap(), micro_usd(row.get("value"))))
        .collect();
    let &(last_ms, last) = totals.last().expect("clusterCostUsd rows");
    assert_eq!(last_ms, 4 * 3_600_000, "the cost at the end of the run");
    let cost = chart(&html, "chart-cost").expect("the cost chart");
    let lines = series(cost);
    assert_eq!(lines.len(), 1, "the cumulative cost");
    assert!(
        !lines[0].contains('H') && !lines[0].contains('V'),
        "not a step"
    );
    assert_eq!(lines[0].matches('L').count() + 1, totals.len());
    let end = lines[0].rsplit('L').next().unwrap();
    assert!(end.starts_with("1185.0,"), "ends at the right edge: {end}");
    assert_eq!(attribute(cost, "data-last-ms"), last_ms.to_string());
    assert_eq!(attribute(cost, "data-last"), last.to_string());
    // summary.json's costUsd covers the window from metrics.warmup; this one from zero.
    assert!(html.contains(&format!("{} by 04:00:00", usd(last))));
    let rate = chart(&html, "chart-cost-rate").expect("the rate chart");
    assert_eq!(series(rate).len(), 1);
    assert!(series(rate)[0].contains('V'));
}

/// `$2.9296`, as the page writes dollars.
fn usd(micro: u64) -> String {
    let fraction = format!("{:06}", micro % 1_000_000);
    let mut fraction = fraction.trim_end_matches('0').to_string();
    while !fraction.is_empty() && fraction.len() < 2 {
        fraction.push('0');
    }
    if fraction.is_empty() {
        format!("${}", micro / 1_000_000)
    } else {
        format!("${}.{fraction}", micro / 1_000_000)
    }
}

/// Without capacity providers no capacity chart; without a price for every instance no
/// cost chart (timeseries.csv has no cost series then either); every golden scenario has
/// the cost chart when its cost is known.
#[test]
fn capacity_and_cost_charts_appear_only_with_their_data() {
    for path in scenario_files() {
        let scenario = scenario::load(&path, &[]).unwrap_or_else(|errors| panic!("{errors}"));
        let files = outputs(&scenario, scenario.seed);
        let html = report_html(&files);
        let rows = csv_rows(&files, "timeseries.csv");
        let providers = scenario.cluster.capacity_providers.len();
        for index in 0..providers + 1 {
            assert_eq!(
                chart(&html, &format!("chart-capacity-group-{index}")).is_some(),
                index < providers,
                "{}: provider {index}",
                path.display()
            );
        }
        let costed = rows.iter().any(|row| row.get("series") == "clusterCostUsd");
        assert_eq!(
            chart(&html, "chart-cost").is_some(),
            costed,
            "{}",
            path.display()
        );
    }
    let unpriced = crate::support::scenario(
        "\
duration: 1h
cluster:
  availabilityZones: [a]
  instanceTypes: [{name: box, cpu: 2048, memory: 4096, enis: 3}]
  instances: [{instanceType: box, availabilityZone: a}]
",
    );
    let files = outputs(&unpriced, unpriced.seed);
    let html = report_html(&files);
    assert!(chart(&html, "chart-cost").is_none());
    assert!(!html.contains("href=\"#cost\""));
    assert!(!csv_rows(&files, "timeseries.csv")
        .iter()
        .any(|row| row.get("series").contains("Cost")));
}
