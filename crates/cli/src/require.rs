//! `--require 'SERVICE.FIGURE OP NUMBER'` on `run` and `plan`, and the scenario's own
//! `requirements:`: parsed and checked against the scenario's services before anything runs
//! (a bad one is bad input, exit 2), printed after the run (a failed one: exit 3).

use std::process::ExitCode;

use scenario::{Requirement, Scenario};
use whatif::check::Check;

use crate::failure::{input, Failure};

/// The exit code of a run or plan whose requirements are not met.
pub const UNMET: u8 = 3;

/// The scenario's `requirements:`, then each `--require`, checked against its services.
pub fn requirements(texts: &[String], scenario: &Scenario) -> Result<Vec<Requirement>, Failure> {
    let mut requirements = scenario.requirements.clone();
    for text in texts {
        let requirement = scenario::parse_requirement(text)
            .and_then(|requirement| {
                let names = scenario
                    .services
                    .iter()
                    .map(|service| service.service_name.as_str());
                scenario::check_service(&requirement, names)?;
                Ok(requirement)
            })
            .map_err(|message| input(format!("--require {text:?}: {message}")))?;
        requirements.push(requirement);
    }
    Ok(requirements)
}

/// One line per check: `ok` or `FAILED`, the requirement, what was observed.
pub fn lines(checks: &[Check]) -> Vec<String> {
    checks
        .iter()
        .map(|check| {
            format!(
                "{:<6}  {} (observed {})",
                if check.ok { "ok" } else { "FAILED" },
                check.requirement,
                check.observed_text()
            )
        })
        .collect()
}

/// Prints the checks of one run; exit code 3 when any failed, else success.
pub fn report(checks: &[Check]) -> ExitCode {
    if checks.is_empty() {
        return ExitCode::SUCCESS;
    }
    println!("\nrequirements:");
    for line in lines(checks) {
        println!("  {line}");
    }
    let failed = checks.iter().filter(|check| !check.ok).count();
    if failed == 0 {
        println!("every requirement met");
        ExitCode::SUCCESS
    } else {
        println!("{failed} of {} requirements not met", checks.len());
        ExitCode::from(UNMET)
    }
}
