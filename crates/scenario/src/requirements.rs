//! Requirements on a run's service figures, `SERVICE.FIGURE OP NUMBER` (`web.availability >=
//! 0.999`): `requirements:` in a scenario, and `--require` on the command line (which parses
//! them with `parse_requirement`). A failed requirement makes `ecsim run` exit with code 3.

use std::fmt;

use crate::error::nearest;
use crate::node::{Node, Value};
use crate::read::{index_path, Cx};

/// The figures a requirement may name: the columns of `services.csv` after `serviceName`, in
/// that order (a test in the `whatif` crate keeps the two lists equal).
pub const REQUIREMENT_FIGURES: &[&str] = &[
    "desiredCount",
    "availability",
    "minRunning",
    "secondsBelowDesired",
    "meanTimeToRecover",
    "tasksStarted",
    "tasksFailed",
    "placementFailures",
    "steadyAt",
    "meanHealthyTargets",
    "minHealthyTargets",
    "unservedRequests",
    "secondsSaturated",
    "costUsd",
    "costUsdPerMonth",
    "idleCostUsd",
];

/// The cluster's figures, named without a service (`costUsd <= 500`): the run's cost over
/// the measured window, extrapolated to a month of 730 hours, and its idle part. A service
/// has a `costUsd` too (its share); the other two are the cluster's only.
pub const CLUSTER_FIGURES: &[&str] = &["costUsd", "costUsdPerMonth", "idleCostUsd"];

/// Whether a service's row has `figure` (every figure but the cluster's own).
pub fn is_service_figure(figure: &str) -> bool {
    REQUIREMENT_FIGURES.contains(&figure)
        && !(CLUSTER_FIGURES.contains(&figure) && figure != "costUsd")
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Op {
    /// Every operator as written, two-character ones first (the order they are looked for).
    pub const ALL: [(Op, &'static str); 5] = [
        (Op::Ge, ">="),
        (Op::Le, "<="),
        (Op::Eq, "=="),
        (Op::Gt, ">"),
        (Op::Lt, "<"),
    ];

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "==",
        }
    }

    /// Whether `observed OP bound` holds.
    pub fn holds(self, observed: f64, bound: f64) -> bool {
        match self {
            Op::Ge => observed >= bound,
            Op::Gt => observed > bound,
            Op::Le => observed <= bound,
            Op::Lt => observed < bound,
            Op::Eq => observed == bound,
        }
    }
}

/// One requirement: `service.figure op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    pub service: String,
    /// One of `REQUIREMENT_FIGURES`.
    pub figure: &'static str,
    pub op: Op,
    pub value: f64,
    /// The number as written, for messages and files.
    pub value_text: String,
}

impl fmt::Display for Requirement {
    /// The canonical form: `web.availability >= 0.999`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.service.is_empty() {
            return write!(
                f,
                "{} {} {}",
                self.figure,
                self.op.symbol(),
                self.value_text
            );
        }
        write!(
            f,
            "{}.{} {} {}",
            self.service,
            self.figure,
            self.op.symbol(),
            self.value_text
        )
    }
}

/// What a requirement looks like, for messages.
pub const REQUIREMENT_EXPECTED: &str =
    "SERVICE.FIGURE OP NUMBER or CLUSTER_FIGURE OP NUMBER, e.g. web.availability>=0.999 or costUsd<=500, with OP one of >=, >, <=, <, ==";

/// The figures, for messages.
fn figures_list() -> String {
    REQUIREMENT_FIGURES.join(", ")
}

/// Parses `SERVICE.FIGURE OP NUMBER` (spaces allowed around the operator). The service name is
/// not checked here (see `check_service`); the message says what is wrong and what is allowed.
pub fn parse_requirement(text: &str) -> Result<Requirement, String> {
    let trimmed = text.trim();
    let found = trimmed.char_indices().find_map(|(at, _)| {
        Op::ALL
            .iter()
            .find(|(_, symbol)| trimmed[at..].starts_with(symbol))
            .map(|&(op, symbol)| (at, op, symbol))
    });
    let Some((at, op, symbol)) = found else {
        let hint = if trimmed.contains('=') {
            " (write == for equality)"
        } else {
            ""
        };
        return Err(format!(
            "no operator in {text:?}{hint}; expected {REQUIREMENT_EXPECTED}"
        ));
    };
    let left = trimmed[..at].trim();
    let right = trimmed[at + symbol.len()..].trim();
    let (service, figure) = figure_in(left, text)?;
    if right.starts_with(['<', '>', '=', '!']) {
        return Err(format!(
            "{text:?} has two operators; expected {REQUIREMENT_EXPECTED}"
        ));
    }
    let value = match right.parse::<f64>() {
        Ok(value) if value.is_finite() && !right.is_empty() => value,
        _ => {
            return Err(format!(
                "{right:?} in {text:?} is not a number; expected {REQUIREMENT_EXPECTED}"
            ))
        }
    };
    Ok(Requirement {
        service,
        figure,
        op,
        value,
        value_text: right.to_string(),
    })
}

/// Parses `SERVICE.FIGURE`, or a cluster figure alone (`costUsd`: service `""`), as
/// `--minimize` takes it; the message says what is wrong and what is allowed.
pub fn parse_figure(text: &str) -> Result<(String, &'static str), String> {
    figure_in(text, text)
}

/// `parse_figure` of `left`, a part of `text` (named in messages).
fn figure_in(left: &str, text: &str) -> Result<(String, &'static str), String> {
    let left = left.trim();
    let (service, figure) = match left.rsplit_once('.') {
        Some((service, figure)) => (service.trim(), figure.trim()),
        None if CLUSTER_FIGURES.contains(&left) => ("", left),
        None => {
            return Err(format!(
                "{left:?} in {text:?} is not SERVICE.FIGURE nor a cluster figure ({}); expected {REQUIREMENT_EXPECTED}",
                CLUSTER_FIGURES.join(", ")
            ))
        }
    };
    if service.is_empty() && left.contains('.') {
        return Err(format!(
            "no service before .{figure} in {text:?}; expected {REQUIREMENT_EXPECTED}"
        ));
    }
    let Some(figure) = REQUIREMENT_FIGURES
        .iter()
        .copied()
        .find(|known| *known == figure)
    else {
        let hint = nearest(figure, REQUIREMENT_FIGURES.iter().copied())
            .map_or_else(String::new, |near| format!(" (did you mean {near}?)"));
        return Err(format!(
            "unknown figure {figure:?} in {text:?}{hint}; FIGURE is one of {}",
            figures_list()
        ));
    };
    if !service.is_empty() && !is_service_figure(figure) {
        return Err(format!(
            "{figure} in {text:?} is the cluster's figure, not a service's: write it without a service"
        ));
    }
    Ok((service.to_string(), figure))
}

/// `Ok` when `requirement` names one of `services` (or is the cluster's); else the message, with the nearest name.
pub fn check_service<'a>(
    requirement: &Requirement,
    services: impl IntoIterator<Item = &'a str> + Clone,
) -> Result<(), String> {
    if requirement.service.is_empty()
        || services
            .clone()
            .into_iter()
            .any(|name| name == requirement.service)
    {
        return Ok(());
    }
    let names: Vec<&str> = services.into_iter().collect();
    let hint = nearest(&requirement.service, names.iter().copied())
        .map_or_else(String::new, |near| format!(" (did you mean {near}?)"));
    Err(format!(
        "unknown service {:?} in \"{requirement}\"{hint}; the scenario's services are: {}",
        requirement.service,
        names.join(", ")
    ))
}

/// `requirements:` of a scenario: a list of strings, each checked against the services
/// (`None` when a service did not validate, so names cannot be checked). Absent: none.
pub(crate) fn requirements(
    cx: &mut Cx,
    node: Option<&Node>,
    services: Option<&[&str]>,
) -> Option<Vec<Requirement>> {
    let Some(node) = node else {
        return Some(Vec::new());
    };
    let items = cx.seq(node, "requirements")?;
    let mut requirements = Vec::new();
    let mut ok = true;
    for (idx, item) in items.iter().enumerate() {
        let field = index_path("requirements", idx);
        let Value::Scalar { text, .. } = &item.value else {
            cx.invalid(item, &field, &format!("a string: {REQUIREMENT_EXPECTED}"));
            ok = false;
            continue;
        };
        let checked = parse_requirement(text).and_then(|requirement| {
            if let Some(services) = services {
                check_service(&requirement, services.iter().copied())?;
            }
            Ok(requirement)
        });
        match checked {
            Ok(requirement) => requirements.push(requirement),
            Err(message) => {
                cx.rule(&item.loc, &field, message);
                ok = false;
            }
        }
    }
    ok.then_some(requirements)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{check_service, parse_requirement, Op};

    const SCENARIO: &str = "\
duration: 1h
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - family: web
    containerDefinitions: [{name: app, image: x, memory: 128}]
services:
  - {serviceName: web, taskDefinition: web, desiredCount: 1}
";

    #[test]
    fn scenario_requirements_load_and_bad_ones_are_located() {
        let text =
            format!("{SCENARIO}requirements: [web.availability >= 0.99, 'web.minRunning==1']\n");
        let scenario = crate::load_str(&text, Path::new("s.yaml"), &[]).unwrap();
        let texts: Vec<String> = scenario
            .requirements
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(texts, ["web.availability >= 0.99", "web.minRunning == 1"]);
        let text = format!(
            "{SCENARIO}requirements:\n  - web.availabilty>=0.9\n  - wbe.minRunning>=1\n  - [1]\n"
        );
        let errors = crate::load_str(&text, Path::new("s.yaml"), &[])
            .unwrap_err()
            .to_string();
        let lines: Vec<&str> = errors.lines().collect();
        assert_eq!(lines.len(), 3, "{errors}");
        assert!(
            lines[0].starts_with(
                "s.yaml:11:5: requirements[0]: unknown figure \"availabilty\" in \"web.availabilty>=0.9\" (did you mean availability?); FIGURE is one of desiredCount, availability,"
            ),
            "{errors}"
        );
        assert_eq!(
            lines[1],
            "s.yaml:12:5: requirements[1]: unknown service \"wbe\" in \"wbe.minRunning >= 1\" (did you mean web?); the scenario's services are: web"
        );
        assert!(
            lines[2].starts_with("s.yaml:13:5: requirements[2]: expected a string"),
            "{errors}"
        );
        assert!(scenario_without_requirements_has_none());
    }

    fn scenario_without_requirements_has_none() -> bool {
        crate::load_str(SCENARIO, Path::new("s.yaml"), &[])
            .unwrap()
            .requirements
            .is_empty()
    }

    #[test]
    fn requirements_parse_with_or_without_spaces() {
        let requirement = parse_requirement("web.availability>=0.999").unwrap();
        assert_eq!(requirement.service, "web");
        assert_eq!(requirement.figure, "availability");
        assert_eq!(requirement.op, Op::Ge);
        assert_eq!(requirement.value, 0.999);
        assert_eq!(requirement.to_string(), "web.availability >= 0.999");
        let requirement = parse_requirement("  api-v2.secondsBelowDesired  <  120 ").unwrap();
        assert_eq!(requirement.to_string(), "api-v2.secondsBelowDesired < 120");
        for (text, op) in [
            ("a.minRunning>1", Op::Gt),
            ("a.minRunning<=1", Op::Le),
            ("a.minRunning<1", Op::Lt),
            ("a.minRunning==1", Op::Eq),
        ] {
            assert_eq!(parse_requirement(text).unwrap().op, op, "{text}");
        }
        assert!(Op::Ge.holds(1.0, 1.0) && !Op::Gt.holds(1.0, 1.0));
        assert!(Op::Le.holds(1.0, 1.0) && !Op::Lt.holds(1.0, 1.0));
        assert!(Op::Eq.holds(6.0, 6.0) && !Op::Eq.holds(6.0, 5.0));
    }

    #[test]
    fn bad_requirements_say_what_is_allowed() {
        let message = parse_requirement("web.availabilty>=0.9").unwrap_err();
        assert!(
            message.contains("unknown figure \"availabilty\""),
            "{message}"
        );
        assert!(message.contains("did you mean availability?"), "{message}");
        assert!(
            message.contains("minRunning, secondsBelowDesired"),
            "{message}"
        );
        let message = parse_requirement("web.availability=0.9").unwrap_err();
        assert!(message.contains("write == for equality"), "{message}");
        assert!(message.contains(">=, >, <=, <, =="), "{message}");
        let message = parse_requirement("availability>=0.9").unwrap_err();
        assert!(message.contains("not SERVICE.FIGURE"), "{message}");
        let message = parse_requirement("web.availability>=high").unwrap_err();
        assert!(message.contains("\"high\" in"), "{message}");
        assert!(parse_requirement("web.availability>=").is_err());
        assert!(parse_requirement("web.availability>=>1").is_err());
        assert!(parse_requirement(".availability>=1").is_err());
        assert!(parse_requirement("web.availability>=inf").is_err());
    }

    #[test]
    fn cluster_figures_are_named_without_a_service() {
        let requirement = parse_requirement("costUsd<=500").unwrap();
        assert_eq!(
            (requirement.service.as_str(), requirement.figure),
            ("", "costUsd")
        );
        assert_eq!(requirement.to_string(), "costUsd <= 500");
        assert!(
            check_service(&requirement, ["web"]).is_ok(),
            "the cluster's"
        );
        let share = parse_requirement("web.costUsd < 2.5").unwrap();
        assert_eq!((share.service.as_str(), share.figure), ("web", "costUsd"));
        for text in ["idleCostUsd>=0", "costUsdPerMonth<1000"] {
            assert_eq!(parse_requirement(text).unwrap().service, "", "{text}");
        }
        let message = parse_requirement("web.idleCostUsd<=1").unwrap_err();
        assert!(
            message.contains("the cluster's figure, not a service's"),
            "{message}"
        );
        let message = parse_requirement("availability>=0.9").unwrap_err();
        assert!(
            message.contains("nor a cluster figure (costUsd, costUsdPerMonth, idleCostUsd)"),
            "{message}"
        );
        assert_eq!(
            super::parse_figure("costUsd").unwrap(),
            (String::new(), "costUsd")
        );
        assert!(super::parse_figure("web.minRunning").is_ok());
        assert!(super::parse_figure("minRunning").is_err());
    }

    #[test]
    fn services_are_checked_with_a_suggestion() {
        let requirement = parse_requirement("wbe.minRunning>=3").unwrap();
        assert!(check_service(&requirement, ["web", "api"]).is_err());
        let message = check_service(&requirement, ["web", "api"]).unwrap_err();
        assert!(message.contains("did you mean web?"), "{message}");
        assert!(message.contains("services are: web, api"), "{message}");
        let requirement = parse_requirement("api.minRunning>=3").unwrap();
        assert!(check_service(&requirement, ["web", "api"]).is_ok());
    }
}
