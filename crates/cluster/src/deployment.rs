//! Service deployments as data (ECS.md §4.2-§4.5): which task definition each rolls out,
//! its status and rollout state, and the circuit breaker's count.

use std::fmt;

use des::SimTime;

use crate::ids::TaskDefId;

/// A deployment's id, `ecs-svc/0000000000000000001`: its number in the run, in creation
/// order over all services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeploymentId(pub u64);

impl fmt::Display for DeploymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ecs-svc/{:019}", self.0)
    }
}

/// `status` of a deployment: the newest is PRIMARY, older ones ACTIVE until their tasks
/// are gone, then INACTIVE (ECS.md §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentStatus {
    Primary,
    Active,
    Inactive,
}

impl DeploymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentStatus::Primary => "PRIMARY",
            DeploymentStatus::Active => "ACTIVE",
            DeploymentStatus::Inactive => "INACTIVE",
        }
    }
}

/// `rolloutState` (ECS.md §4.3, §4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
}

impl RolloutState {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Completed => "COMPLETED",
            RolloutState::Failed => "FAILED",
        }
    }
}

/// Why a deployment began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentCause {
    /// CreateService.
    ServiceCreated,
    /// UpdateService with a new task definition.
    NewTaskDefinition,
    /// UpdateService with `forceNewDeployment`.
    ForceNewDeployment,
    /// The circuit breaker rolled back to the last COMPLETED deployment.
    Rollback,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub id: DeploymentId,
    pub task_definition: TaskDefId,
    pub status: DeploymentStatus,
    pub rollout_state: RolloutState,
    /// `rolloutStateReason`, in ECS's words.
    pub reason: String,
    pub cause: DeploymentCause,
    pub started_at: SimTime,
    /// When it reached COMPLETED or FAILED.
    pub ended_at: Option<SimTime>,
    /// The deployment this one rolls back (circuit breaker).
    pub rollback_of: Option<DeploymentId>,
    /// The circuit breaker's failure count (ECS.md §4.5).
    pub failed_tasks: u32,
    /// Stage 2 of the circuit breaker: a task of this deployment reached RUNNING.
    pub any_running: bool,
}

impl Deployment {
    pub fn is_failed(&self) -> bool {
        self.rollout_state == RolloutState::Failed
    }
}

/// The circuit breaker's threshold: `clamp(ceil(desired / 2), minimum, 200)` (ECS.md §4.5).
pub fn circuit_breaker_threshold(desired_count: u32, minimum: u32) -> u32 {
    desired_count.div_ceil(2).clamp(minimum, 200.max(minimum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_like_ecs() {
        assert_eq!(DeploymentId(7).to_string(), "ecs-svc/0000000000000000007");
    }

    /// ECS.md §4.5: desired 1 -> the minimum, 25 -> 13 (rounded up), 400 and 800 -> 200.
    #[test]
    fn threshold_follows_the_documented_table() {
        assert_eq!(circuit_breaker_threshold(1, 10), 10);
        assert_eq!(circuit_breaker_threshold(25, 10), 13);
        assert_eq!(circuit_breaker_threshold(400, 10), 200);
        assert_eq!(circuit_breaker_threshold(800, 10), 200);
        assert_eq!(circuit_breaker_threshold(1, 3), 3);
        assert_eq!(circuit_breaker_threshold(4, 3), 3);
        assert_eq!(circuit_breaker_threshold(8, 3), 4);
    }
}
