//! Deployments (ECS.md §4.3, §4.5, §4.9): starting one, the circuit breaker's count and
//! rollback, the service throttle, and retiring deployments whose tasks are gone.

use des::SimTime;

use super::{Cluster, Ctx};
use crate::change::{Change, ServiceMessage};
use crate::deployment::{
    circuit_breaker_threshold, Deployment, DeploymentCause, DeploymentId, DeploymentStatus,
    RolloutState,
};
use crate::ids::{ServiceId, TaskDefId, TaskId};

impl Cluster {
    /// A new PRIMARY deployment of `task_definition`; the previous PRIMARY becomes ACTIVE.
    /// A new task definition also lifts the throttle (ECS.md §4.9).
    pub(super) fn start_deployment(
        &mut self,
        id: ServiceId,
        task_definition: TaskDefId,
        cause: DeploymentCause,
        rollback_of: Option<DeploymentId>,
        ctx: &mut Ctx<'_>,
    ) {
        self.deployments_created += 1;
        let deployment_id = DeploymentId(self.deployments_created);
        let service = &mut self.services[id.index()];
        // A rollback goes back to the last COMPLETED deployment and takes over its tasks.
        let completed = service
            .deployments
            .iter()
            .rposition(|d| d.rollout_state == RolloutState::Completed);
        if let Some(previous) = service.deployments.last_mut() {
            previous.status = DeploymentStatus::Active;
        }
        if cause != DeploymentCause::ForceNewDeployment {
            service.start_failures = 0;
            service.throttled_until = SimTime::ZERO;
            service.throttle_reported = false;
        }
        service.steady = false;
        service.deployments.push(Deployment {
            id: deployment_id,
            task_definition,
            status: DeploymentStatus::Primary,
            rollout_state: RolloutState::InProgress,
            reason: match cause {
                DeploymentCause::Rollback => format!(
                    "ECS deployment circuit breaker: rolling back to the last completed deployment ({}).",
                    completed
                        .map(|index| service.deployments[index].id.to_string())
                        .unwrap_or_default()
                ),
                _ => "ECS deployment in progress.".to_string(),
            },
            cause,
            started_at: ctx.now,
            ended_at: None,
            rollback_of,
            failed_tasks: 0,
            any_running: false,
        });
        if let (DeploymentCause::Rollback, Some(completed)) = (cause, completed) {
            let new_index = self.services[id.index()].deployments.len() as u32 - 1;
            let adopted: Vec<TaskId> = self.services[id.index()]
                .tasks
                .values()
                .copied()
                .filter(|&task| self.tasks.get(task).deployment == Some(completed as u32))
                .collect();
            for task in adopted {
                self.tasks.get_mut(task).deployment = Some(new_index);
            }
        }
        let service = &self.services[id.index()];
        if let Some(previous) = service.deployments.iter().rev().nth(1) {
            self.emit(
                ctx,
                Change::DeploymentUpdated {
                    service,
                    deployment: previous,
                },
            );
        }
        self.emit(
            ctx,
            Change::DeploymentStarted {
                service,
                deployment: service.primary(),
            },
        );
        self.pass_now(id, ctx);
    }

    /// A service task reached RUNNING: the throttle's streak ends, and its deployment's
    /// circuit breaker moves to stage 2 (ECS.md §4.5).
    pub(super) fn task_reached_running(&mut self, id: TaskId, _ctx: &mut Ctx<'_>) {
        let task = self.tasks.get(id);
        let (Some(service), Some(deployment)) = (task.service, task.deployment) else {
            return;
        };
        let service = &mut self.services[service.index()];
        service.start_failures = 0;
        service.throttled_until = SimTime::ZERO;
        service.throttle_reported = false;
        service.deployments[deployment as usize].any_running = true;
    }

    /// A service task failed to start: the next launch waits `throttleBase x 2^(n-1)`, at
    /// most `throttleMax`, and from the second failure in a row ECS reports the throttle
    /// (ECS.md §4.9, A9).
    pub(super) fn note_start_failure(&mut self, id: ServiceId, ctx: &mut Ctx<'_>) {
        let parameters = &self.config.parameters;
        let service = &mut self.services[id.index()];
        service.start_failures += 1;
        let doublings = (service.start_failures - 1).min(32);
        let delay = parameters
            .throttle_base_ms
            .saturating_mul(1u64 << doublings)
            .min(parameters.throttle_max_ms);
        service.throttled_until = ctx.now.plus_ms(delay);
        if service.start_failures >= 2 && !service.throttle_reported {
            service.throttle_reported = true;
            self.emit_message(id, ServiceMessage::Throttled, ctx);
        }
    }

    /// Counts a failed task of an IN_PROGRESS deployment for its circuit breaker: in stage
    /// 1 tasks that failed to start, in stage 2 failed health checks (ECS.md §4.5). At the
    /// threshold the deployment FAILED, and with `rollback` the last COMPLETED deployment is
    /// deployed again.
    pub(super) fn count_deployment_failure(
        &mut self,
        task: TaskId,
        failed_to_start: bool,
        ctx: &mut Ctx<'_>,
    ) {
        let task = self.tasks.get(task);
        let (Some(id), Some(index)) = (task.service, task.deployment) else {
            return;
        };
        let minimum = self.config.parameters.circuit_breaker_min_threshold;
        let service = &mut self.services[id.index()];
        let breaker = service.deployment_configuration.circuit_breaker;
        let desired = service.desired_count;
        let deployment = &mut service.deployments[index as usize];
        if !breaker.enable
            || deployment.rollout_state != RolloutState::InProgress
            || deployment.status != DeploymentStatus::Primary
            || deployment.any_running == failed_to_start
        {
            return;
        }
        deployment.failed_tasks += 1;
        if deployment.failed_tasks < circuit_breaker_threshold(desired, minimum) {
            return;
        }
        deployment.rollout_state = RolloutState::Failed;
        deployment.ended_at = Some(ctx.now);
        deployment.reason = if failed_to_start {
            "ECS deployment circuit breaker: tasks failed to start.".to_string()
        } else {
            "ECS deployment circuit breaker: tasks failed health checks.".to_string()
        };
        let failed_id = deployment.id;
        let service = &self.services[id.index()];
        let failed = &service.deployments[index as usize];
        self.emit(
            ctx,
            Change::DeploymentUpdated {
                service,
                deployment: failed,
            },
        );
        self.emit_message(
            id,
            ServiceMessage::DeploymentFailed { deployment: failed },
            ctx,
        );
        if !breaker.rollback {
            return;
        }
        let service = &self.services[id.index()];
        let Some(target) = service
            .deployments
            .iter()
            .rev()
            .find(|d| d.rollout_state == RolloutState::Completed)
        else {
            return;
        };
        let task_definition = target.task_definition;
        self.emit_message(id, ServiceMessage::RollingBack { to: target }, ctx);
        self.start_deployment(
            id,
            task_definition,
            DeploymentCause::Rollback,
            Some(failed_id),
            ctx,
        );
    }

    /// Older deployments whose tasks are all gone become INACTIVE.
    pub(super) fn retire_deployments(&mut self, id: ServiceId, ctx: &mut Ctx<'_>) {
        let service = &self.services[id.index()];
        if service.only_primary() {
            return;
        }
        let primary = service.deployments.len() - 1;
        let mut in_use = vec![false; service.deployments.len()];
        for &task in service.tasks.values() {
            if let Some(index) = self.tasks.get(task).deployment {
                in_use[index as usize] = true;
            }
        }
        for (index, in_use) in in_use.into_iter().enumerate().take(primary) {
            let service = &mut self.services[id.index()];
            let deployment = &mut service.deployments[index];
            if deployment.status == DeploymentStatus::Active && !in_use {
                deployment.status = DeploymentStatus::Inactive;
                if deployment.ended_at.is_none() {
                    deployment.ended_at = Some(ctx.now);
                }
                let service = &self.services[id.index()];
                self.emit(
                    ctx,
                    Change::DeploymentUpdated {
                        service,
                        deployment: &service.deployments[index],
                    },
                );
            }
        }
    }
}
