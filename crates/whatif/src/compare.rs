//! Paired comparison of two scenarios on the same seeds. Keyed random streams make them
//! common random numbers: both see the same failures and workload draws, so the difference
//! other − base on each seed measures the change, not the luck, and its Student's t interval
//! is much narrower than two separate intervals would be.
//!
//! Which way is better: higher `availability`, `minRunning`, `meanHealthyTargets` and
//! `minHealthyTargets`; lower `secondsBelowDesired`, `meanTimeToRecover`, `tasksFailed`,
//! `placementFailures` and `steadyAt` (reaching the desired count sooner). `desiredCount` and
//! `tasksStarted` are neutral: more starts can mean more replacements or simply more work, so
//! the difference is reported without a verdict (as is any figure added later until it is
//! listed here).

use crate::stats::{fixed6, summarize, Summary};
use crate::sweep::Table;
use crate::{figure_names, ServiceRow};

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    Neither,
}

/// The direction of `figure` (see the module's documentation).
pub fn better(figure: &str) -> Better {
    match figure {
        "availability" | "minRunning" | "meanHealthyTargets" | "minHealthyTargets" => {
            Better::Higher
        }
        "secondsBelowDesired"
        | "meanTimeToRecover"
        | "tasksFailed"
        | "placementFailures"
        | "steadyAt" => Better::Lower,
        _ => Better::Neither,
    }
}

/// One (service, figure) compared over the seeds where both runs have a value.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    pub service: String,
    pub metric: String,
    pub n: usize,
    /// Means over those seeds; `None` when n is 0.
    pub base: Option<f64>,
    pub other: Option<f64>,
    /// The paired differences other − base.
    pub diff: Option<Summary>,
    /// Seeds where other − base is above, below and at zero.
    pub other_higher: usize,
    pub other_lower: usize,
    pub ties: usize,
}

/// The comparison, and the services only one side has (not compared).
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub rows: Vec<CompareRow>,
    pub only_base: Vec<String>,
    pub only_other: Vec<String>,
}

/// Compares `base[i]` with `other[i]` (the runs of seed i), service by service in base's
/// order, figure by figure.
pub fn compare(base: &[Vec<ServiceRow>], other: &[Vec<ServiceRow>]) -> Comparison {
    assert_eq!(base.len(), other.len(), "one pair of runs per seed");
    let names = |runs: &[Vec<ServiceRow>]| -> Vec<String> {
        runs.first().map_or_else(Vec::new, |rows| {
            rows.iter().map(|row| row.service.clone()).collect()
        })
    };
    let (base_names, other_names) = (names(base), names(other));
    let mut rows = Vec::new();
    for service in base_names.iter().filter(|name| other_names.contains(name)) {
        for (column, metric) in figure_names().iter().enumerate() {
            let pairs: Vec<(f64, f64)> = base
                .iter()
                .zip(other)
                .filter_map(|(base_run, other_run)| {
                    let value = |run: &[ServiceRow]| {
                        run.iter()
                            .find(|row| row.service == *service)
                            .and_then(|row| row.cells[column].parse::<f64>().ok())
                    };
                    Some((value(base_run)?, value(other_run)?))
                })
                .collect();
            let diffs: Vec<f64> = pairs.iter().map(|(b, o)| o - b).collect();
            let mean = |values: Vec<f64>| summarize(&values).map(|summary| summary.mean);
            rows.push(CompareRow {
                service: service.clone(),
                metric: metric.to_string(),
                n: pairs.len(),
                base: mean(pairs.iter().map(|(b, _)| *b).collect()),
                other: mean(pairs.iter().map(|(_, o)| *o).collect()),
                diff: summarize(&diffs),
                other_higher: diffs.iter().filter(|&&d| d > 0.0).count(),
                other_lower: diffs.iter().filter(|&&d| d < 0.0).count(),
                ties: diffs.iter().filter(|&&d| d == 0.0).count(),
            });
        }
    }
    Comparison {
        rows,
        only_base: base_names
            .iter()
            .filter(|name| !other_names.contains(name))
            .cloned()
            .collect(),
        only_other: other_names
            .iter()
            .filter(|name| !base_names.contains(name))
            .cloned()
            .collect(),
    }
}

/// `compare.csv`: `serviceName, metric, n, base, other, meanDiff, ci95Low, ci95High,
/// otherHigher, otherLower, ties`; numbers with six decimals, empty where there is no value.
pub fn compare_csv(comparison: &Comparison) -> Vec<u8> {
    let header = [
        "serviceName",
        "metric",
        "n",
        "base",
        "other",
        "meanDiff",
        "ci95Low",
        "ci95High",
        "otherHigher",
        "otherLower",
        "ties",
    ]
    .map(str::to_string)
    .to_vec();
    let number = |x: Option<f64>| x.map(fixed6).unwrap_or_default();
    let rows = comparison
        .rows
        .iter()
        .map(|row| {
            let interval = row.diff.as_ref().and_then(|diff| diff.ci95);
            vec![
                row.service.clone(),
                row.metric.clone(),
                row.n.to_string(),
                number(row.base),
                number(row.other),
                number(row.diff.as_ref().map(|diff| diff.mean)),
                number(interval.map(|(low, _)| low)),
                number(interval.map(|(_, high)| high)),
                row.other_higher.to_string(),
                row.other_lower.to_string(),
                row.ties.to_string(),
            ]
        })
        .collect();
    Table { header, rows }.to_csv()
}

/// Which side a row favours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Winner {
    /// Other is better and the 95 % interval excludes zero.
    Other,
    /// Base is better and the 95 % interval excludes zero.
    Base,
    /// A difference the interval does not settle (or one seed only).
    Unsettled,
    /// No difference on any seed, or no value.
    Same,
    /// A figure with no better direction.
    Neutral,
}

/// Which side `row` favours, knowing which way is better for its figure.
pub fn winner(row: &CompareRow) -> Winner {
    let Some(diff) = &row.diff else {
        return Winner::Same;
    };
    if row.other_higher == 0 && row.other_lower == 0 {
        return Winner::Same;
    }
    let settled = diff.ci95.is_some_and(|(low, high)| low > 0.0 || high < 0.0);
    let other_better = match better(&row.metric) {
        Better::Neither => return Winner::Neutral,
        Better::Higher => diff.mean > 0.0,
        Better::Lower => diff.mean < 0.0,
    };
    match (settled, other_better) {
        (false, _) => Winner::Unsettled,
        (true, true) => Winner::Other,
        (true, false) => Winner::Base,
    }
}

/// The services compared, in the order of the rows.
pub fn services(comparison: &Comparison) -> Vec<&str> {
    let mut services: Vec<&str> = Vec::new();
    for row in &comparison.rows {
        if !services.contains(&row.service.as_str()) {
            services.push(&row.service);
        }
    }
    services
}

/// The figures of `service` that `wanted` describes (won by other, by base, unsettled...).
pub fn figures_won<'a>(comparison: &'a Comparison, service: &str, wanted: Winner) -> Vec<&'a str> {
    comparison
        .rows
        .iter()
        .filter(|row| row.service == service && winner(row) == wanted)
        .map(|row| row.metric.as_str())
        .collect()
}

/// A signed number for sentences: `+1.5`, `-0.000123`, trailing zeros dropped.
pub fn signed(x: f64) -> String {
    let text = fixed6(x);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let text = if text == "-0" { "0" } else { text };
    if text.starts_with('-') || text == "0" {
        text.to_string()
    } else {
        format!("+{text}")
    }
}

/// One sentence on which side is better on this row, and how sure the seeds make it.
pub fn verdict(row: &CompareRow) -> String {
    let Some(diff) = &row.diff else {
        return "no value on any seed".to_string();
    };
    let counts = format!(
        "other higher on {}, lower on {}, tied on {} of {} seeds",
        row.other_higher, row.other_lower, row.ties, row.n
    );
    if row.other_higher == 0 && row.other_lower == 0 {
        return match row.n {
            1 => "the same on the one seed".to_string(),
            n => format!("the same on all {n} seeds"),
        };
    }
    let change = signed(diff.mean);
    let (interval, sure) = match diff.ci95 {
        Some((low, high)) => {
            let excludes = low > 0.0 || high < 0.0;
            let words = if excludes {
                "excludes zero"
            } else {
                "includes zero"
            };
            (
                format!("95% interval [{}, {}] {words}", signed(low), signed(high)),
                Some(excludes),
            )
        }
        None => ("one seed: no interval".to_string(), None),
    };
    let direction = match better(&row.metric) {
        Better::Higher => Some(diff.mean > 0.0),
        Better::Lower => Some(diff.mean < 0.0),
        Better::Neither => None,
    };
    let headline = match (direction, sure) {
        (None, _) => {
            if diff.mean == 0.0 {
                "other is the same on average (neither way is better)".to_string()
            } else if diff.mean > 0.0 {
                format!(
                    "other is higher by {} (neither way is better)",
                    &change[1..]
                )
            } else {
                format!("other is lower by {} (neither way is better)", &change[1..])
            }
        }
        (Some(_), _) if diff.mean == 0.0 => "no difference on average".to_string(),
        (Some(true), Some(true)) => format!("other is better ({change})"),
        (Some(false), Some(true)) => format!("base is better (other {change})"),
        (Some(true), _) => format!("other looks better ({change}) but the seeds do not settle it"),
        (Some(false), _) => {
            format!("base looks better (other {change}) but the seeds do not settle it")
        }
    };
    format!("{headline}; {interval}; {counts}")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{better, compare, compare_csv, signed, verdict, winner, Better, Winner};
    use crate::{figure_names, ServiceRow};

    /// One run of a service `web` with these cells of availability and seconds below
    /// desired, and a desired count of 6.
    pub(crate) fn run(availability: &str, below: &str) -> Vec<ServiceRow> {
        let cells = figure_names()
            .iter()
            .map(|name| match *name {
                "availability" => availability.to_string(),
                "secondsBelowDesired" => below.to_string(),
                "desiredCount" => "6".to_string(),
                _ => String::new(),
            })
            .collect();
        vec![ServiceRow {
            service: "web".into(),
            cells,
        }]
    }

    #[test]
    fn paired_differences_per_seed() {
        let base = [
            run("0.9", "100.000"),
            run("0.8", "200.000"),
            run("0.95", "50.000"),
        ];
        let other = [
            run("0.95", "90.000"),
            run("0.9", "150.000"),
            run("0.97", "50.000"),
        ];
        let comparison = compare(&base, &other);
        let text = String::from_utf8(compare_csv(&comparison)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "serviceName,metric,n,base,other,meanDiff,ci95Low,ci95High,otherHigher,otherLower,ties"
        );
        assert_eq!(
            lines[1],
            "web,desiredCount,3,6.000000,6.000000,0.000000,0.000000,0.000000,0,0,3"
        );
        // Differences 0.05, 0.1, 0.02: mean 0.056667, s 0.040415, t(0.975, 2) 4.302653.
        assert_eq!(
            lines[2],
            "web,availability,3,0.883333,0.940000,0.056667,-0.043729,0.157062,3,0,0"
        );
        assert_eq!(
            lines[4],
            "web,secondsBelowDesired,3,116.666667,96.666667,-20.000000,-85.724106,45.724106,0,2,1"
        );
        assert_eq!(lines[5], "web,meanTimeToRecover,0,,,,,,0,0,0");
        let availability = &comparison.rows[1];
        assert!(verdict(availability).starts_with("other looks better (+0.056667) but the seeds do not settle it; 95% interval [-0.043729, +0.157062] includes zero; other higher on 3, lower on 0, tied on 0 of 3 seeds"), "{}", verdict(availability));
        assert_eq!(verdict(&comparison.rows[0]), "the same on all 3 seeds");
        let winners: Vec<Winner> = comparison.rows.iter().take(4).map(winner).collect();
        assert_eq!(
            winners,
            [
                Winner::Same,
                Winner::Unsettled,
                Winner::Same,
                Winner::Unsettled
            ]
        );
        assert_eq!(verdict(&comparison.rows[4]), "no value on any seed");
    }

    #[test]
    fn clear_differences_name_the_better_side() {
        let base = [run("0.9", "100.000"), run("0.9", "110.000")];
        let other = [run("0.8", "10.000"), run("0.81", "12.000")];
        let comparison = compare(&base, &other);
        let availability = verdict(&comparison.rows[1]);
        assert!(
            availability.starts_with("base is better (other -0.095)"),
            "{availability}"
        );
        assert!(availability.contains("excludes zero"), "{availability}");
        let below = verdict(&comparison.rows[3]);
        assert!(below.starts_with("other is better (-94)"), "{below}");
        assert_eq!(winner(&comparison.rows[1]), Winner::Base);
        assert_eq!(winner(&comparison.rows[3]), Winner::Other);
    }

    #[test]
    fn directions_and_signs() {
        assert_eq!(better("availability"), Better::Higher);
        assert_eq!(better("meanTimeToRecover"), Better::Lower);
        assert_eq!(better("tasksStarted"), Better::Neither);
        assert_eq!(signed(0.5), "+0.5");
        assert_eq!(signed(-2.0), "-2");
        assert_eq!(signed(-0.0000001), "0");
        assert_eq!(signed(0.0), "0");
    }
}
