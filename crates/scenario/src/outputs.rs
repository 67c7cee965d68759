//! The files a run writes: `outputs:` in a scenario and `--outputs LIST` on the command
//! line name them by stem (`events`, ..., `summary`), or `all`.

use std::fmt;

use crate::error::{nearest, ErrorKind};
use crate::node::{Node, Value};
use crate::read::{index_path, Cx};

/// One output file of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Output {
    Events,
    Tasks,
    Instances,
    PlacementFailures,
    Deployments,
    Episodes,
    Services,
    /// `groups.csv`: the figures of task groups with arrivals; written only by a scenario
    /// that has some.
    Groups,
    Summary,
    Timeseries,
    Report,
}

impl Output {
    /// Every output, in the order runs list and write them.
    pub const ALL: [Output; 11] = [
        Output::Events,
        Output::Tasks,
        Output::Instances,
        Output::PlacementFailures,
        Output::Deployments,
        Output::Episodes,
        Output::Services,
        Output::Groups,
        Output::Summary,
        Output::Timeseries,
        Output::Report,
    ];

    /// The file's name: `events.csv`, ..., `summary.json`.
    pub fn file_name(self) -> &'static str {
        match self {
            Output::Events => "events.csv",
            Output::Tasks => "tasks.csv",
            Output::Instances => "instances.csv",
            Output::PlacementFailures => "placement_failures.csv",
            Output::Deployments => "deployments.csv",
            Output::Episodes => "episodes.csv",
            Output::Services => "services.csv",
            Output::Groups => "groups.csv",
            Output::Summary => "summary.json",
            Output::Timeseries => "timeseries.csv",
            Output::Report => "report.html",
        }
    }

    /// The name scenarios and `--outputs` use: the file's stem (`placement_failures`).
    pub fn name(self) -> &'static str {
        match self {
            Output::Events => "events",
            Output::Tasks => "tasks",
            Output::Instances => "instances",
            Output::PlacementFailures => "placement_failures",
            Output::Deployments => "deployments",
            Output::Episodes => "episodes",
            Output::Services => "services",
            Output::Groups => "groups",
            Output::Summary => "summary",
            Output::Timeseries => "timeseries",
            Output::Report => "report",
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an output list may hold, for messages.
fn allowed() -> String {
    let names: Vec<&str> = Output::ALL.iter().map(|output| output.name()).collect();
    format!("{} or all", names.join(", "))
}

/// One name (any case), or `all`.
fn lookup(name: &str) -> Option<&'static [Output]> {
    if name.eq_ignore_ascii_case("all") {
        return Some(&Output::ALL);
    }
    Output::ALL
        .iter()
        .position(|output| output.name().eq_ignore_ascii_case(name))
        .map(|idx| &Output::ALL[idx..=idx])
}

fn nearest_name(name: &str) -> Option<String> {
    nearest(
        name,
        Output::ALL
            .iter()
            .map(|output| output.name())
            .chain(["all"]),
    )
}

/// Sorted in `Output::ALL` order, each once.
fn normalized(mut outputs: Vec<Output>) -> Vec<Output> {
    outputs.sort();
    outputs.dedup();
    outputs
}

/// A comma-separated list such as `--outputs services,summary`: sorted in `Output::ALL`
/// order, each once. The error names the bad item and lists the allowed ones.
pub fn parse_outputs(list: &str) -> Result<Vec<Output>, String> {
    let mut outputs = Vec::new();
    for item in list
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        match lookup(item) {
            Some(found) => outputs.extend_from_slice(found),
            None => {
                let hint = nearest_name(item)
                    .map_or_else(String::new, |near| format!(" (did you mean {near}?)"));
                return Err(format!(
                    "unknown output {item:?}{hint}; expected a comma-separated list of {}",
                    allowed()
                ));
            }
        }
    }
    if outputs.is_empty() {
        return Err(format!(
            "no output named in {list:?}; expected a comma-separated list of {}",
            allowed()
        ));
    }
    Ok(normalized(outputs))
}

/// `outputs:` of a scenario: a non-empty list of names (a single name may stand alone).
/// Absent or null: every output.
pub(crate) fn outputs(cx: &mut Cx, node: Option<&Node>) -> Option<Vec<Output>> {
    let Some(node) = node else {
        return Some(Output::ALL.to_vec());
    };
    let expected = format!("a non-empty list of output names: {}", allowed());
    let items: Vec<(&Node, String)> = match &node.value {
        Value::Seq(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(idx, item)| (item, index_path("outputs", idx)))
            .collect(),
        Value::Scalar { .. } => vec![(node, "outputs".to_string())],
        Value::Seq(_) => {
            let found = "an empty list".to_string();
            cx.error(&node.loc, "outputs", ErrorKind::Invalid { expected, found });
            return None;
        }
        _ => {
            cx.invalid(node, "outputs", &expected);
            return None;
        }
    };
    let mut outputs = Vec::new();
    let mut ok = true;
    for (item, field) in items {
        let found = match &item.value {
            Value::Scalar { text, .. } => match lookup(text.trim()) {
                Some(found) => Some(found),
                None => {
                    match nearest_name(text.trim()) {
                        Some(_) => cx.unknown_name(
                            item,
                            &field,
                            "output",
                            text,
                            Output::ALL
                                .iter()
                                .map(|output| output.name())
                                .chain(["all"]),
                        ),
                        None => cx.invalid(item, &field, &format!("one of {}", allowed())),
                    }
                    None
                }
            },
            _ => {
                cx.invalid(item, &field, &format!("one of {}", allowed()));
                None
            }
        };
        match found {
            Some(found) => outputs.extend_from_slice(found),
            None => ok = false,
        }
    }
    ok.then(|| normalized(outputs))
}

#[cfg(test)]
mod tests {
    use super::{parse_outputs, Output};

    #[test]
    fn names_and_file_names_agree() {
        for output in Output::ALL {
            assert_eq!(
                output.file_name().split('.').next(),
                Some(output.name()),
                "{output:?}"
            );
        }
        let mut sorted = Output::ALL;
        sorted.sort();
        assert_eq!(sorted, Output::ALL, "ALL is in declaration order");
    }

    #[test]
    fn command_line_lists_are_sorted_and_deduplicated() {
        assert_eq!(
            parse_outputs("summary,services"),
            Ok(vec![Output::Services, Output::Summary])
        );
        assert_eq!(
            parse_outputs(" services , summary,services,"),
            Ok(vec![Output::Services, Output::Summary])
        );
        assert_eq!(parse_outputs("all"), Ok(Output::ALL.to_vec()));
        assert_eq!(parse_outputs("summary,ALL"), Ok(Output::ALL.to_vec()));
        assert_eq!(
            parse_outputs("placement_failures"),
            Ok(vec![Output::PlacementFailures])
        );
    }

    #[test]
    fn bad_command_line_lists_name_the_item_and_the_choices() {
        assert_eq!(
            parse_outputs("services,sumary"),
            Err(
                "unknown output \"sumary\" (did you mean summary?); expected a comma-separated \
                 list of events, tasks, instances, placement_failures, deployments, episodes, services, groups, summary, \
                 timeseries, report or all"
                    .to_string()
            )
        );
        assert_eq!(
            parse_outputs("graphs"),
            Err(
                "unknown output \"graphs\"; expected a comma-separated list of events, tasks, \
                 instances, placement_failures, deployments, episodes, services, groups, summary, timeseries, report or all"
                    .to_string()
            )
        );
        assert!(parse_outputs(" , ").is_err());
        assert!(parse_outputs("").is_err());
    }
}
