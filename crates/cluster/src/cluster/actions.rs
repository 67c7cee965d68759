//! Control-plane calls at given times (`actions:`): UpdateService, draining and
//! re-activating instances, SetDesiredCapacity, StopTask.

use std::sync::Arc;

use super::{Cluster, Ctx};
use crate::change::{Change, DrainCause};
use crate::deployment::DeploymentCause;
use crate::ids::{InstanceId, ServiceId, TaskDefId, TaskId};
use crate::spec::{Action, DeploymentConfigurationUpdate};
use crate::task::StopCode;

impl Cluster {
    pub(super) fn apply_action(&mut self, index: u32, ctx: &mut Ctx<'_>) {
        match self.config.actions[index as usize].action.clone() {
            Action::UpdateService {
                service,
                task_definition,
                desired_count,
                force_new_deployment,
                deployment_configuration,
                health_check_grace_period_ms,
            } => self.update_service(
                service,
                task_definition,
                desired_count,
                force_new_deployment,
                deployment_configuration,
                health_check_grace_period_ms,
                ctx,
            ),
            Action::DrainInstances { target } => {
                for id in self.matching_live_instances(&target) {
                    self.drain(id, DrainCause::User, ctx);
                }
            }
            Action::ActivateInstances { target } => {
                for id in self.matching_live_instances(&target) {
                    self.activate(id, ctx);
                }
            }
            Action::SetDesiredCapacity {
                auto_scaling_group,
                desired_capacity,
            } => self.set_desired_capacity(auto_scaling_group, desired_capacity, ctx),
            Action::StopTask {
                target,
                count,
                reason,
            } => {
                let matching: Vec<TaskId> = self
                    .tasks
                    .live_in_creation_order()
                    .into_iter()
                    .filter(|task| task.last_status.is_active())
                    .map(|task| task.id)
                    .filter(|&id| self.task_matches(&target, id))
                    .collect();
                let victims = self.pick_victims(1 << 32 | u64::from(index), matching, count);
                let reason: Arc<str> =
                    Arc::from(reason.as_deref().unwrap_or("Task stopped by user"));
                for id in victims {
                    self.stop(id, StopCode::UserInitiated, Arc::clone(&reason), ctx);
                }
            }
        }
    }

    /// `UpdateService` (ECS.md §4.3): a new task definition or `forceNewDeployment` starts a
    /// deployment; a desired count alone scales the current one; the deployment
    /// configuration and grace period apply from the next pass.
    #[allow(clippy::too_many_arguments)]
    fn update_service(
        &mut self,
        id: ServiceId,
        task_definition: Option<TaskDefId>,
        desired_count: Option<u32>,
        force_new_deployment: bool,
        configuration: DeploymentConfigurationUpdate,
        grace_ms: Option<u64>,
        ctx: &mut Ctx<'_>,
    ) {
        let service = &mut self.services[id.index()];
        configuration.apply(&mut service.deployment_configuration);
        if configuration.maximum_percent.is_some() {
            service.limit_lowered_at = ctx.now;
        }
        if let Some(grace_ms) = grace_ms {
            service.health_check_grace_period_ms = grace_ms;
        }
        if let Some(desired) = desired_count {
            self.set_desired_count(id, desired, ctx);
        }
        let current = self.services[id.index()].task_definition();
        match task_definition {
            Some(new) if new != current => {
                self.start_deployment(id, new, DeploymentCause::NewTaskDefinition, None, ctx);
            }
            _ if force_new_deployment => {
                self.start_deployment(id, current, DeploymentCause::ForceNewDeployment, None, ctx);
            }
            _ => self.pass_now(id, ctx),
        }
    }

    /// `UpdateService`'s `desiredCount` (also Service Auto Scaling's): a REPLICA service's
    /// new desired count, told; whether it changed. The caller asks for the pass.
    pub(super) fn set_desired_count(
        &mut self,
        id: ServiceId,
        desired: u32,
        ctx: &mut Ctx<'_>,
    ) -> bool {
        let service = &mut self.services[id.index()];
        if desired == service.desired_count || service.is_daemon() {
            return false;
        }
        let from = service.desired_count;
        service.desired_count = desired;
        service.limit_lowered_at = ctx.now;
        service.steady = false;
        self.emit(
            ctx,
            Change::DesiredCountChanged {
                service: &self.services[id.index()],
                from,
            },
        );
        true
    }

    /// Live instances matching an action's filter, in id order.
    fn matching_live_instances(&self, target: &crate::spec::InstanceFilter) -> Vec<InstanceId> {
        self.capacity
            .live_instances()
            .filter(|instance| self.instance_matches(target, instance))
            .map(|instance| instance.id)
            .collect()
    }
}
