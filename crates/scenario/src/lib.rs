//! Scenario files (YAML, and the ECS JSON they point to with `file:`) to one validated
//! `Scenario` of `cluster::spec` model types. The only crate that knows YAML and JSON.
//!
//! The pipeline: text -> located tree (`load`, `aws_json`) -> `--set` overrides
//! (`overrides`) -> validation into model types (`validate`, `task_definition`,
//! `target_groups`, `service`, `actions`, `faults`), which collects every problem with its
//! file, line and column. Past this boundary nothing re-checks; `warnings` names what is
//! valid but cannot work, and `resolved` writes the result back as YAML.

use std::path::Path;
use std::rc::Rc;

mod actions;
mod arrivals;
mod autoscaling;
mod aws_json;
mod capacity_providers;
mod catalogue;
mod duration;
mod error;
mod faults;
mod load;
mod node;
mod outputs;
mod overrides;
pub mod pricing;
mod quotas;
mod read;
mod requirements;
mod resolved;
mod schema;
mod service;
mod sources;
mod target_groups;
mod task_definition;
mod validate;
mod warnings;

pub use error::{ErrorKind, Loc, Origin, ScenarioError, ScenarioErrors};
pub use outputs::{parse_outputs, Output};
pub use quotas::{Quotas, QUOTA_MAX};
pub use requirements::{
    check_service, is_service_figure, parse_figure, parse_requirement, Op, Requirement,
    CLUSTER_FIGURES, REQUIREMENT_EXPECTED, REQUIREMENT_FIGURES,
};
pub use resolved::{resolved_hash, resolved_yaml};
pub use schema::json_schema;
pub use sources::{Source, Sources};
pub use warnings::{warnings, Warning};

/// The scenario the quickstart documentation runs.
pub const QUICKSTART: &str = include_str!("../../../scenarios/quickstart.yaml");

/// One validated scenario. Indexes are ids: `task_definitions[i]` is `TaskDefId(i)`,
/// `services[i]` is `ServiceId(i)`, `cluster.availability_zones[i]` is `ZoneId(i)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub duration_ms: u64,
    pub cluster: cluster::spec::ClusterSpec,
    /// `cluster.region` and what each Auto Scaling group's and fixed instance's instances
    /// cost (`pricing.rs`); the model never reads it, the run's cost figures do.
    pub pricing: pricing::Pricing,
    pub parameters: cluster::spec::Parameters,
    pub task_definitions: Vec<cluster::spec::TaskDefinition>,
    pub services: Vec<cluster::spec::ServiceSpec>,
    pub run_tasks: Vec<cluster::spec::RunTaskSpec>,
    pub scheduled_tasks: Vec<cluster::spec::ScheduledTaskSpec>,
    /// `targetGroups`, and every target group a service names without describing it
    /// (ELB's defaults); `LoadBalancerSpec::target_group` indexes this list.
    pub target_groups: Vec<cluster::spec::TargetGroupSpec>,
    pub actions: Vec<cluster::spec::ActionSpec>,
    pub faults: Vec<cluster::spec::FaultSpec>,
    /// `parameters.quotas`: the limits this scenario was validated against.
    pub quotas: Quotas,
    /// `outputs`: the files a run writes, in `Output::ALL` order (default: all of them).
    pub outputs: Vec<Output>,
    /// `requirements`: what a run must achieve (`ecsim run` exits with code 3 otherwise).
    pub requirements: Vec<Requirement>,
    /// `metrics`: how the run's figures are measured.
    pub metrics: Metrics,
    /// The `--set PATH=VALUE` overrides applied when loading, in order: the run's summary
    /// records them.
    pub overrides: Vec<String>,
    /// Where each mapping and field was written, for warnings.
    pub sources: Sources,
}

/// `metrics`: every figure is measured over one window, from `warmup` to the end of the
/// run, the same whatever the run does.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Metrics {
    /// Start of the measured window, in milliseconds since the start; below `duration_ms`.
    /// Default 0: the initial rollout is measured like any other time.
    pub warmup_ms: u64,
}

/// Reads and validates the scenario at `path`, after applying `--set PATH=VALUE`
/// `overrides`. A file that cannot be read is an error naming it.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioErrors> {
    match std::fs::read_to_string(path) {
        Ok(source) => load_str(&source, path, overrides),
        Err(error) => Err(ScenarioErrors {
            errors: vec![ScenarioError {
                file: path.to_path_buf(),
                loc: None,
                field: String::new(),
                kind: ErrorKind::Io {
                    message: format!("cannot read the file: {error}"),
                },
            }],
        }),
    }
}

/// Validates scenario text. `origin` names the file in errors, and `file:` paths are
/// relative to its directory.
pub fn load_str(
    source: &str,
    origin: &Path,
    overrides: &[String],
) -> Result<Scenario, ScenarioErrors> {
    let mut cx = read::Cx::new(origin);
    let file_origin = Origin::File(Rc::new(origin.to_path_buf()));
    let mut root = match load::parse_yaml(source, &file_origin) {
        Ok(root) => root,
        Err(error) => {
            cx.error(
                &error.loc,
                "",
                ErrorKind::Syntax {
                    message: error.message,
                },
            );
            return Err(ScenarioErrors { errors: cx.errors });
        }
    };
    overrides::apply(&mut cx, &mut root, overrides);
    let scenario = validate::scenario(&mut cx, &root);
    match scenario {
        Some(mut scenario) if cx.errors.is_empty() => {
            anchor_query_dates(&mut scenario);
            scenario.overrides = overrides.to_vec();
            scenario.sources = cx.sources;
            Ok(scenario)
        }
        _ => {
            // In reading order: overrides first, then each file top to bottom.
            cx.errors.sort_by_key(ScenarioError::reading_order);
            Err(ScenarioErrors { errors: cx.errors })
        }
    }
}

/// Makes the UTC dates of every `memberOf` expression (`registeredAt < 2026-02-01`)
/// relative to the run's start, `parameters.startTime`: the same clock scheduled tasks use.
fn anchor_query_dates(scenario: &mut Scenario) {
    let start = scenario.parameters.start_time_unix_s;
    let constraints = scenario
        .task_definitions
        .iter_mut()
        .flat_map(|definition| definition.placement_constraints.iter_mut())
        .chain(
            scenario
                .services
                .iter_mut()
                .flat_map(|service| service.placement.constraints.iter_mut()),
        )
        .chain(
            scenario
                .run_tasks
                .iter_mut()
                .flat_map(|run| run.placement.constraints.iter_mut()),
        )
        .chain(
            scenario
                .scheduled_tasks
                .iter_mut()
                .flat_map(|scheduled| scheduled.placement.constraints.iter_mut()),
        );
    for constraint in constraints {
        if let cluster::spec::ConstraintSpec::MemberOf(expression) = constraint {
            expression.anchor(start);
        }
    }
}
