//! Explanations of the model's choices, for `decisions.csv`: where a task is placed, which
//! task is stopped, which instance is terminated, each as a list of `Step`s (what the step
//! looked at, the candidates before and after it, and why).
//!
//! Nothing here runs unless the model explains (`ClusterSetup::explain`). A placement is
//! explained by running it again through the reference scan (`placement::scan`) with a
//! recording trace and a copy of the placement stream taken before the real decision: the
//! real decision's draws are untouched, and the caller asserts both chose the same.

use des::SimRng;

use crate::ids::InstanceId;
use crate::instance::{ContainerInstance, ATTRIBUTE_ZONE, MAX_RESERVED_PORTS};
use crate::placement::{
    scan, Placement, PlacementFailure, PlacementRequest, PlacementStrategy, PlacementView,
    Requirements, ScanTrace, Skip, StrategyKind, Unplaced,
};
use crate::spec::{Protocol, Resource, TieBreak};

/// One step of an explained decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    /// Candidates (instances, or tasks for a stop) before the step.
    pub before: usize,
    /// Candidates left after it.
    pub after: usize,
    /// Why, in words: `binpack(memory): kept 3 of 6 instances with 512 MiB left (the least)`.
    pub detail: String,
}

impl Step {
    pub fn new(kind: StepKind, before: usize, after: usize, detail: impl Into<String>) -> Step {
        Step {
            kind,
            before,
            after,
            detail: detail.into(),
        }
    }
}

/// What a step is: the `step` column of `decisions.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Placement: the ACTIVE instances with room for the task.
    Resources,
    /// Placement: one placement constraint.
    Constraint,
    /// Placement or scale-in: one strategy of the chain.
    Strategy,
    /// Placement or scale-in: the last tie between equals.
    TieBreak,
    /// Placement: the outcome, an instance.
    Placed,
    /// Placement: the outcome, no instance (ECS's reason).
    Failed,
    /// A DAEMON service's choice: one task per eligible instance.
    Daemon,
    /// A stop: the scheduler pass's reason to stop tasks of this kind.
    Plan,
    /// A stop: the outcome.
    Stopped,
    /// A termination: the group has more instances than its desired capacity.
    Capacity,
    /// A termination: the zone it takes an instance from.
    Zone,
    /// A termination: the instance within the zone.
    Instance,
    /// A termination: the outcome.
    Terminated,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Resources => "resources",
            StepKind::Constraint => "constraint",
            StepKind::Strategy => "strategy",
            StepKind::TieBreak => "tieBreak",
            StepKind::Placed => "placed",
            StepKind::Failed => "failed",
            StepKind::Daemon => "daemon",
            StepKind::Plan => "plan",
            StepKind::Stopped => "stopped",
            StepKind::Capacity => "capacity",
            StepKind::Zone => "zone",
            StepKind::Instance => "instance",
            StepKind::Terminated => "terminated",
        }
    }
}

/// A strategy as the scenario names it: `binpack(memory)`, `spread(instanceId)`,
/// `spread(attribute:ecs.availability-zone)`, `random`; a custom one by its `Debug`.
pub fn strategy_name(strategy: &dyn PlacementStrategy) -> String {
    match strategy.kind() {
        StrategyKind::Binpack(Resource::Cpu) => "binpack(cpu)".to_string(),
        StrategyKind::Binpack(Resource::Memory) => "binpack(memory)".to_string(),
        StrategyKind::SpreadInstanceId => "spread(instanceId)".to_string(),
        StrategyKind::SpreadAttribute(name) => format!("spread(attribute:{name})"),
        StrategyKind::Random => "random".to_string(),
        StrategyKind::Custom => format!("{strategy:?}"),
    }
}

/// `1 task`, `3 tasks`.
pub(crate) fn plural(count: impl Into<u64>, word: &str) -> String {
    let count = count.into();
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// What the task needs: `512 CPU units, 1024 MiB, host port 80/tcp, 1 dynamic host port`.
pub(crate) fn needs_text(needs: &Requirements) -> String {
    let mut text = format!("{} CPU units, {} MiB", needs.cpu_units, needs.memory_mib);
    for &(protocol, port) in &needs.static_host_ports {
        text.push_str(&format!(", host port {port}/{}", protocol_name(protocol)));
    }
    let dynamic = needs.dynamic_tcp_ports + needs.dynamic_udp_ports;
    if dynamic > 0 {
        text.push_str(&format!(
            ", {}",
            plural(dynamic as u64, "dynamic host port")
        ));
    }
    if needs.eni {
        text.push_str(", an ENI attachment point");
    }
    text
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
    }
}

/// Why `instance` cannot take the task, for its first shortfall: `has 256 MiB left, the
/// task needs 512`.
pub(crate) fn shortfall_text(
    failure: PlacementFailure,
    needs: &Requirements,
    instance: &ContainerInstance,
) -> String {
    match failure {
        PlacementFailure::Cpu => format!(
            "has {} CPU units left, the task needs {}",
            instance.remaining_cpu_units, needs.cpu_units
        ),
        PlacementFailure::Memory => format!(
            "has {} MiB left, the task needs {}",
            instance.remaining_memory_mib, needs.memory_mib
        ),
        PlacementFailure::Ports => {
            let taken: Vec<String> = needs
                .static_host_ports
                .iter()
                .filter(|&&(protocol, port)| instance.port_in_use(protocol, port))
                .map(|&(protocol, port)| format!("{port}/{}", protocol_name(protocol)))
                .collect();
            if !taken.is_empty() {
                format!("already uses host port {}", taken.join(", "))
            } else if instance.reserved_port_count + needs.static_host_ports.len()
                > MAX_RESERVED_PORTS
            {
                format!(
                    "has {} reserved ports, at most {MAX_RESERVED_PORTS}",
                    instance.reserved_port_count
                )
            } else {
                "has no free host port in the dynamic range".to_string()
            }
        }
        PlacementFailure::Eni => "has no free ENI attachment point".to_string(),
        PlacementFailure::NoInstance => "takes no task".to_string(),
        PlacementFailure::Constraint(reason) => format!("fails the {reason}"),
    }
}

/// Runs the reference scan with a recorder: the decision (which must be the real one when
/// `rng` is a copy of the stream the real decision drew from) and its steps, the outcome
/// (`placed` or `failed`) last.
pub fn explain_placement(
    view: &PlacementView<'_>,
    request: &PlacementRequest<'_>,
    placement: &Placement,
    rng: &mut SimRng,
) -> (Result<InstanceId, Unplaced>, Vec<Step>) {
    let mut recorder = Recorder {
        view,
        request,
        placement,
        short: [0; 4],
        random_strategy: false,
        steps: Vec::new(),
    };
    let decision = scan(view, request, placement, rng, &mut recorder);
    let mut steps = recorder.steps;
    match decision {
        Ok(instance) => {
            let chosen = view.instance(instance);
            steps.push(Step::new(
                StepKind::Placed,
                1,
                1,
                format!(
                    "on {} in {}, which had {} CPU units and {} MiB left",
                    chosen.ec2_instance_id,
                    view.zone_name(chosen.availability_zone),
                    chosen.remaining_cpu_units,
                    chosen.remaining_memory_mib
                ),
            ));
        }
        Err(unplaced) => {
            let reason = unplaced.failure.reason();
            let detail = match (unplaced.failure, unplaced.closest) {
                (PlacementFailure::Constraint(_), Some(closest)) => {
                    let constraint = unplaced
                        .constraint
                        .map(|index| placement.constraints[index].describe())
                        .unwrap_or_default();
                    format!(
                        "{reason}: {constraint} rules out every instance with room; the closest matching instance is {}",
                        view.instance(closest).ec2_instance_id
                    )
                }
                (failure, Some(closest)) => format!(
                    "{reason}: no ACTIVE instance has room; the closest matching instance, {}, {}",
                    view.instance(closest).ec2_instance_id,
                    shortfall_text(failure, request.requirements, view.instance(closest))
                ),
                (_, None) => format!("{reason}: no ACTIVE instance with a connected agent"),
            };
            steps.push(Step::new(StepKind::Failed, 0, 0, detail));
        }
    }
    (decision, steps)
}

/// Records each step of the scan in words.
struct Recorder<'a> {
    view: &'a PlacementView<'a>,
    request: &'a PlacementRequest<'a>,
    placement: &'a Placement,
    /// ACTIVE instances short of CPU, memory, ports, an ENI.
    short: [usize; 4],
    /// Whether a `random` strategy made the pick uniform.
    random_strategy: bool,
    steps: Vec<Step>,
}

impl Recorder<'_> {
    fn group(&self) -> &str {
        self.view.group_name(self.request.group)
    }

    /// The distinct values of the attribute among `instances`: zone names in zone order,
    /// other values sorted (`(none)` for instances without it).
    fn values(&self, name: &str, instances: &[InstanceId]) -> String {
        let mut values: Vec<(u16, String)> = instances
            .iter()
            .map(|&id| {
                let instance = self.view.instance(id);
                if name == ATTRIBUTE_ZONE {
                    (
                        instance.availability_zone.0,
                        self.view.zone_name(instance.availability_zone).to_string(),
                    )
                } else {
                    (0, instance.attribute(name).unwrap_or("(none)").to_string())
                }
            })
            .collect();
        values.sort();
        values.dedup();
        let names: Vec<String> = values.into_iter().map(|(_, value)| value).collect();
        names.join(", ")
    }
}

impl ScanTrace for Recorder<'_> {
    const SKIPPED: bool = true;

    fn shortfall(&mut self, _instance: InstanceId, shortfall: PlacementFailure) {
        let slot = match shortfall {
            PlacementFailure::Cpu => 0,
            PlacementFailure::Memory => 1,
            PlacementFailure::Ports => 2,
            PlacementFailure::Eni => 3,
            PlacementFailure::NoInstance | PlacementFailure::Constraint(_) => return,
        };
        self.short[slot] += 1;
    }

    fn resources(&mut self, active: usize, candidates: &[InstanceId]) {
        let mut detail = if active == 0 {
            "no ACTIVE instance with a connected agent".to_string()
        } else {
            format!(
                "{} of {} ACTIVE instances have room for {}",
                candidates.len(),
                active,
                needs_text(self.request.requirements)
            )
        };
        let lacking: Vec<String> = ["CPU", "memory", "ports", "an ENI"]
            .iter()
            .zip(self.short)
            .filter(|(_, count)| *count > 0)
            .map(|(what, count)| format!("{count} too little {what}"))
            .collect();
        if !lacking.is_empty() {
            detail.push_str(&format!(" ({})", lacking.join(", ")));
        }
        let idle = self.view.idle_live_count();
        if idle > 0 {
            detail.push_str(&format!(
                "; {} DRAINING or with a disconnected agent take no task",
                plural(idle, "instance")
            ));
        }
        self.steps.push(Step::new(
            StepKind::Resources,
            active,
            candidates.len(),
            detail,
        ));
    }

    fn constraint(&mut self, index: usize, before: usize, kept: &[InstanceId]) {
        let name = self.placement.constraints[index].describe();
        let detail = if kept.is_empty() {
            format!("{name}: rules out all {before} instances with room")
        } else {
            format!("{name}: kept {} of {before} instances", kept.len())
        };
        self.steps
            .push(Step::new(StepKind::Constraint, before, kept.len(), detail));
    }

    fn strategy(&mut self, index: usize, before: usize, kept: &[InstanceId], best: i64) {
        let strategy = &*self.placement.strategies[index];
        let name = strategy_name(strategy);
        let after = kept.len();
        let instances = if before == 1 { "instance" } else { "instances" };
        let detail = match strategy.kind() {
            StrategyKind::Binpack(Resource::Cpu) => format!(
                "{name}: kept {after} of {before} {instances} with {best} CPU units left after placing (the least)"
            ),
            StrategyKind::Binpack(Resource::Memory) => format!(
                "{name}: kept {after} of {before} {instances} with {best} MiB left after placing (the least)"
            ),
            StrategyKind::SpreadInstanceId => format!(
                "{name}: kept {after} of {before} {instances} running {} of {} (the fewest)",
                plural(best as u64, "task"),
                self.group()
            ),
            StrategyKind::SpreadAttribute(attribute) => {
                let values = self.values(attribute, kept);
                let place = if attribute == ATTRIBUTE_ZONE {
                    format!("in {values}")
                } else {
                    format!("with {attribute} {values}")
                };
                format!(
                    "{name}: kept {after} of {before} {instances} {place}, running {} of {} (the fewest)",
                    plural(best as u64, "task"),
                    self.group()
                )
            }
            StrategyKind::Random | StrategyKind::Custom => format!(
                "{name}: kept {after} of {before} {instances} with the best score, {best}"
            ),
        };
        self.steps
            .push(Step::new(StepKind::Strategy, before, after, detail));
    }

    fn random(&mut self, _index: usize, candidates: usize) {
        self.random_strategy = true;
        self.steps.push(Step::new(
            StepKind::Strategy,
            candidates,
            candidates,
            format!("random: a uniform pick among the {candidates} candidates ends the chain"),
        ));
    }

    fn skipped(&mut self, index: usize, candidates: usize, why: Skip) {
        let name = strategy_name(&*self.placement.strategies[index]);
        let detail = match why {
            Skip::OneLeft => format!("{name}: not needed, one candidate left"),
            Skip::AfterRandom => format!("{name}: not applied, random ended the chain"),
        };
        self.steps.push(Step::new(
            StepKind::Strategy,
            candidates,
            candidates,
            detail,
        ));
    }

    fn pick(&mut self, candidates: &[InstanceId], pool: usize, uniform: bool, chosen: InstanceId) {
        let id = &self.view.instance(chosen).ec2_instance_id;
        let n = candidates.len();
        let detail = if n == 1 {
            format!("one candidate left: {id}")
        } else if !uniform {
            format!("tieBreak stable: the lowest instance id of {n}: {id}")
        } else {
            let cause = if self.random_strategy {
                "the random strategy"
            } else if self.view.tie_break() == TieBreak::Random {
                "tieBreak random"
            } else {
                "random"
            };
            format!(
                "uniform among {n} candidates ({cause}), drawn from a pool of {}: {id}",
                plural(pool as u64, "equally scored instance")
            )
        };
        self.steps.push(Step::new(StepKind::TieBreak, n, 1, detail));
    }
}
