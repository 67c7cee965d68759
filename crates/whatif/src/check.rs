//! Requirements (`SERVICE.FIGURE OP NUMBER`) checked against one run's figures. A figure
//! with no value (a `meanTimeToRecover` without a closed episode, a `steadyAt` never
//! reached, healthy targets without a load balancer) fails every requirement on it.

use scenario::Requirement;

use crate::ServiceRow;

/// One requirement against one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub requirement: Requirement,
    /// The figure's cell as `services.csv` writes it; `None` when it has no value (or the
    /// run has no such service).
    pub observed: Option<String>,
    pub ok: bool,
}

impl Check {
    /// The observed value for messages: the cell, or `none`.
    pub fn observed_text(&self) -> &str {
        self.observed.as_deref().unwrap_or("none")
    }
}

/// Checks every requirement against the run's `rows`, in the order given.
pub fn check(requirements: &[Requirement], rows: &[ServiceRow]) -> Vec<Check> {
    requirements
        .iter()
        .map(|requirement| {
            let observed = rows
                .iter()
                .find(|row| row.service == requirement.service)
                .and_then(|row| row.cell(requirement.figure))
                .map(str::to_string);
            let ok = observed
                .as_deref()
                .and_then(|cell| cell.parse::<f64>().ok())
                .is_some_and(|value| requirement.op.holds(value, requirement.value));
            Check {
                requirement: requirement.clone(),
                observed,
                ok,
            }
        })
        .collect()
}

/// Whether every check holds.
pub fn all_ok(checks: &[Check]) -> bool {
    checks.iter().all(|check| check.ok)
}

#[cfg(test)]
mod tests {
    use scenario::parse_requirement;

    use super::{all_ok, check};
    use crate::{figure_names, ServiceRow};

    fn row(service: &str, pairs: &[(&str, &str)]) -> ServiceRow {
        let cells = figure_names()
            .iter()
            .map(|name| {
                pairs
                    .iter()
                    .find(|(figure, _)| figure == name)
                    .map_or_else(String::new, |(_, cell)| cell.to_string())
            })
            .collect();
        ServiceRow {
            service: service.to_string(),
            cells,
        }
    }

    /// The checks of `texts` on `rows`; the first and third hold, the others fail.
    fn checked(texts: &[&str], rows: &[ServiceRow]) -> Vec<super::Check> {
        let requirements: Vec<_> = texts
            .iter()
            .map(|text| parse_requirement(text).unwrap())
            .collect();
        let checks = check(&requirements, rows);
        let oks: Vec<bool> = checks.iter().map(|check| check.ok).collect();
        assert_eq!(oks, [true, false, true, false], "{texts:?}");
        checks
    }

    #[test]
    fn requirements_hold_or_fail_on_the_cells() {
        let rows = [
            row("web", &[("availability", "0.999500"), ("minRunning", "5")]),
            row("api", &[("availability", "1.000000")]),
        ];
        let checks = checked(
            &[
                "web.availability>=0.999",
                "web.minRunning>=6",
                "api.availability==1",
                "web.meanTimeToRecover<=60",
            ],
            &rows,
        );
        assert_eq!(checks[1].observed_text(), "5");
        assert_eq!(checks[3].observed, None, "an empty figure fails");
        assert_eq!(checks[3].observed_text(), "none");
        assert!(!all_ok(&checks));
        assert!(all_ok(&checks[..1]));
        // The cluster's figures are in the row with an empty name.
        let rows = [
            row("web", &[("costUsd", "1.500000")]),
            row("", &[("costUsd", "2.880000"), ("idleCostUsd", "1.380000")]),
        ];
        let checks = checked(
            &[
                "costUsd<=3",
                "costUsd<=2",
                "web.costUsd<=2",
                "idleCostUsd<1",
            ],
            &rows,
        );
        assert_eq!(checks[0].observed_text(), "2.880000");
    }
}
