//! Capacity providers in motion (ECS.md §5.5): a task of a capacity provider strategy that
//! finds no room on its provider's group waits in PROVISIONING and is placed when room
//! appears; every minute managed scaling publishes `CapacityProviderReservation` for each
//! provider and moves its group's desired capacity by target tracking, through the Auto
//! Scaling group code of `scaling.rs`; managed termination protection keeps instances with
//! non-daemon tasks out of scale-in.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use des::SimTime;

use super::scheduler::{decide, Requester};
use super::{Cluster, Ctx};
use crate::capacity_provider::{
    instances_needed, reservation, target_tracking, CapacityProviderUser, ScalingDecision,
    WaitingTask,
};
use crate::change::Change;
use crate::event::Event;
use crate::ids::{AsgId, GroupId, InstanceId, ServiceId, TaskDefId};
use crate::instance::InstanceStatus;
use crate::placement::{PlacementRequest, PlacementView, Requirements};

impl Cluster {
    /// The first period of the capacity providers, if the cluster has any.
    pub(super) fn start_capacity_providers(&mut self, queue: &mut des::Queue<Event>) {
        if !self.capacity_providers.is_empty() {
            let at = SimTime(self.config.parameters.managed_scaling_interval_ms);
            queue.schedule(at, Event::CapacityProviderReservationDue);
        }
    }

    /// One period: waiting tasks are placed where there is room now, then each provider with
    /// managed scaling publishes its metric and acts on it.
    pub(super) fn capacity_provider_period(&mut self, ctx: &mut Ctx<'_>) {
        let at = ctx
            .now
            .plus_ms(self.config.parameters.managed_scaling_interval_ms);
        ctx.queue
            .schedule(at, Event::CapacityProviderReservationDue);
        self.place_waiting(None, ctx);
        for provider in 0..self.capacity_providers.specs().len() as u16 {
            if self
                .capacity_providers
                .spec(provider)
                .managed_scaling
                .is_some()
            {
                self.managed_scaling(provider, ctx);
            }
        }
    }

    /// The capacity provider user behind a requester, if it has a strategy.
    pub(super) fn provider_user(&self, requester: Requester) -> Option<CapacityProviderUser> {
        let user = match requester {
            Requester::Service(service, _) => CapacityProviderUser::Service(service),
            Requester::RunTask(index) => CapacityProviderUser::RunTask(index as u32),
            Requester::Scheduled(index) => CapacityProviderUser::Scheduled(index as u32),
        };
        self.capacity_providers.strategy(user).map(|_| user)
    }

    /// The tasks each item of the user's strategy has, for the split of the next ones: a
    /// service's active and waiting tasks; a RunTask call starts from none (each call is
    /// split on its own).
    pub(super) fn provider_counts(&self, user: CapacityProviderUser) -> Vec<u32> {
        let strategy = self
            .capacity_providers
            .strategy(user)
            .expect("a user with a strategy");
        let mut counts = vec![0; strategy.len()];
        let CapacityProviderUser::Service(service) = user else {
            return counts;
        };
        let item_of = |provider: u16| {
            strategy
                .iter()
                .position(|item| item.capacity_provider == provider)
        };
        for &id in self.services[service.index()].tasks.values() {
            let task = self.tasks.get(id);
            if let (true, Some(item)) = (
                task.last_status.is_active(),
                task.capacity_provider.and_then(item_of),
            ) {
                counts[item] += 1;
            }
        }
        for task in self.capacity_providers.waiting().values() {
            if task.user == user {
                counts[task.item] += 1;
            }
        }
        counts
    }

    /// The task could not be placed on its provider's group: it is created and waits in
    /// PROVISIONING, unless `maxProvisioningTasks` are waiting already. Returns its number.
    pub(super) fn wait_for_capacity(
        &mut self,
        task_definition: TaskDefId,
        group: GroupId,
        requester: Requester,
        item: usize,
        reason: &'static str,
        ctx: &mut Ctx<'_>,
    ) -> Option<u64> {
        let max = self.config.parameters.max_provisioning_tasks;
        if self.capacity_providers.waiting().len() >= max as usize {
            return None;
        }
        let user = self
            .provider_user(requester)
            .expect("a user with a strategy");
        let capacity_provider =
            self.capacity_providers.strategy(user).expect("a strategy")[item].capacity_provider;
        if !self
            .config
            .parameters
            .capacity_provider_waits_without_scaling
            && !self.provider_can_grow(capacity_provider)
        {
            return None;
        }
        let number = self.tasks.take_number();
        let deployment = match requester {
            Requester::Service(_, deployment) => Some(deployment),
            _ => None,
        };
        self.capacity_providers.add_waiting(WaitingTask {
            number,
            task_definition,
            group,
            user,
            deployment,
            item,
            capacity_provider,
            created_at: ctx.now,
        });
        self.emit(
            ctx,
            Change::TaskProvisioning {
                task: &self.capacity_providers.waiting()[&number],
                reason,
            },
        );
        Some(number)
    }

    /// Whether the provider's group can still grow: managed scaling below `maxSize`, or
    /// launches under way.
    fn provider_can_grow(&self, provider: u16) -> bool {
        let spec = self.capacity_providers.spec(provider);
        let asg = spec.auto_scaling_group;
        let below_max =
            self.capacity.desired_capacity(asg) < self.capacity.auto_scaling_group(asg).max_size;
        (spec.managed_scaling.is_some() && below_max) || self.capacity.asg_launching(asg) > 0
    }

    /// Places the tasks waiting in PROVISIONING (all, or those of providers using `asg`) in
    /// creation order, each through the normal placement with its user's strategies and
    /// constraints on its provider's group. Once one of a kind does not fit, the later ones
    /// of that kind are not tried again until the next look.
    pub(super) fn place_waiting(&mut self, asg: Option<AsgId>, ctx: &mut Ctx<'_>) {
        if self.capacity_providers.waiting().is_empty() {
            return;
        }
        let numbers: Vec<u64> = self
            .capacity_providers
            .waiting()
            .values()
            .filter(|task| {
                asg.is_none_or(|asg| {
                    self.capacity_providers
                        .spec(task.capacity_provider)
                        .auto_scaling_group
                        == asg
                })
            })
            .map(|task| task.number)
            .collect();
        let mut failed: BTreeSet<(CapacityProviderUser, TaskDefId, usize)> = BTreeSet::new();
        let mut services: BTreeSet<ServiceId> = BTreeSet::new();
        for number in numbers {
            let waiting = self.capacity_providers.waiting()[&number].clone();
            let kind = (waiting.user, waiting.task_definition, waiting.item);
            if failed.contains(&kind) {
                continue;
            }
            let definition = waiting.task_definition;
            let request = PlacementRequest {
                task_definition: &self.config.task_definitions[definition.index()],
                requirements: &self.config.requirements[definition.index()],
                group: waiting.group,
                service: match waiting.user {
                    CapacityProviderUser::Service(service) => Some(service),
                    _ => None,
                },
            };
            let placement =
                self.capacity_providers
                    .placement(waiting.user, definition, waiting.item);
            let view = PlacementView::new(
                &self.capacity,
                &self.tasks,
                self.config.parameters.tie_break,
            );
            let (decision, steps) = decide(
                &view,
                &request,
                placement,
                &mut self.scheduler.rng,
                self.config.explain,
            );
            match decision {
                Ok(instance) => {
                    self.capacity_providers.remove_waiting(number);
                    let service = match waiting.user {
                        CapacityProviderUser::Service(service) => {
                            services.insert(service);
                            Some((service, waiting.deployment.expect("a service deployment")))
                        }
                        _ => None,
                    };
                    let task = self.start_task_as(
                        definition,
                        waiting.group,
                        service,
                        instance,
                        Some((
                            waiting.capacity_provider,
                            Some((number, waiting.created_at)),
                        )),
                        ctx,
                    );
                    if let Some(steps) = steps {
                        self.emit(
                            ctx,
                            Change::PlacementExplained {
                                group: waiting.group,
                                service: service.map(|(service, _)| service),
                                task: Some(self.tasks.get(task)),
                                instance: Some(instance),
                                steps: &steps,
                            },
                        );
                    }
                }
                Err(_) => {
                    failed.insert(kind);
                }
            }
        }
        for service in services {
            self.request_pass(service, ctx);
        }
    }

    /// Before a service's pass: its waiting tasks of an older deployment, and those beyond
    /// what its desired count still needs (the newest first), are stopped; the others count
    /// towards its tasks.
    pub(super) fn trim_provisioning(&mut self, id: ServiceId, ctx: &mut Ctx<'_>) {
        if self.capacity_providers.waiting_of_service(id) == 0 {
            return;
        }
        let user = CapacityProviderUser::Service(id);
        let service = &self.services[id.index()];
        let primary = service.deployments.len() as u32 - 1;
        let reason: Arc<str> = Arc::from(format!(
            "Scaling activity initiated by (deployment {})",
            service.primary().id
        ));
        let current = service
            .tasks
            .values()
            .map(|&task| self.tasks.get(task))
            .filter(|task| {
                task.last_status.is_active()
                    && task.deployment == Some(primary)
                    && !task.health.unhealthy
                    && self.capacity.instance(task.instance).status == InstanceStatus::Active
            })
            .count() as u32;
        let mut keep = service.desired_count.saturating_sub(current);
        let mut stopped = Vec::new();
        for task in self.capacity_providers.waiting().values() {
            if task.user != user {
                continue;
            }
            if task.deployment == Some(primary) && keep > 0 {
                keep -= 1;
            } else {
                stopped.push(task.number);
            }
        }
        // The oldest are kept: the newest go first.
        for number in stopped {
            let task = self.capacity_providers.remove_waiting(number);
            self.emit(
                ctx,
                Change::ProvisioningTaskStopped {
                    task: &task,
                    reason: &reason,
                },
            );
        }
    }

    /// Managed termination protection (ECS.md §5.5): while a provider of the group has it
    /// enabled, the group's instances with non-daemon tasks are protected from scale-in.
    pub(super) fn refresh_scale_in_protection(&mut self, asg: AsgId) {
        let protects = self.capacity_providers.of_group(asg).any(|provider| {
            self.capacity_providers
                .spec(provider)
                .managed_termination_protection
        });
        if !protects {
            return;
        }
        let protected: BTreeSet<InstanceId> = self
            .capacity
            .asg_instances(asg)
            .filter(|&id| self.has_non_daemon_tasks(id))
            .collect();
        self.capacity.set_scale_in_protection(asg, protected);
    }

    fn has_non_daemon_tasks(&self, id: InstanceId) -> bool {
        self.capacity.instance(id).tasks.iter().any(|&task| {
            !self
                .tasks
                .get(task)
                .service
                .is_some_and(|service| self.services[service.index()].is_daemon())
        })
    }

    /// `N` and `M` of a provider (ECS.md §5.5): its group's instances in service (not being
    /// terminated), and the instances needed: those running non-daemon tasks plus those a
    /// binpack of its waiting tasks onto empty instances of the group's type needs.
    pub fn capacity_provider_reservation(&self, provider: u16) -> (u32, u32) {
        let spec = self.capacity_providers.spec(provider);
        let asg = spec.auto_scaling_group;
        let mut instances = 0;
        let mut needed = 0;
        for id in self.capacity.asg_instances(asg) {
            if self.capacity.instance(id).terminating.is_some() {
                continue;
            }
            instances += 1;
            needed += u32::from(self.has_non_daemon_tasks(id));
        }
        let mut groups: BTreeMap<TaskDefId, u32> = BTreeMap::new();
        for task in self.capacity_providers.waiting().values() {
            if task.capacity_provider == provider {
                *groups.entry(task.task_definition).or_default() += 1;
            }
        }
        if !groups.is_empty() {
            let groups: Vec<(&Requirements, u32)> = groups
                .into_iter()
                .map(|(definition, count)| (&self.config.requirements[definition.index()], count))
                .collect();
            let group = self.capacity.auto_scaling_group(asg);
            let (more, _) = instances_needed(
                &groups,
                &group.instance_type,
                &group.reserved_ports,
                self.capacity.dynamic_port_range(),
            );
            needed += more;
        }
        (instances, needed)
    }

    /// One datapoint of managed scaling for the provider: publish the metric, and move the
    /// group's desired capacity as target tracking says.
    fn managed_scaling(&mut self, provider: u16, ctx: &mut Ctx<'_>) {
        let spec = self.capacity_providers.spec(provider).clone();
        let scaling = spec.managed_scaling.expect("managed scaling is enabled");
        let asg = spec.auto_scaling_group;
        let (instances, needed) = self.capacity_provider_reservation(provider);
        let value = reservation(instances, needed);
        if self.capacity_providers.publish(provider, value) {
            self.emit(
                ctx,
                Change::CapacityProviderReservation {
                    capacity_provider: provider,
                    reservation: value,
                    instances,
                    needed,
                },
            );
        }
        let group = self.capacity.auto_scaling_group(asg);
        let bounds = (group.min_size, group.max_size);
        let desired = self.capacity.desired_capacity(asg);
        let warming_up = self.capacity.asg_launching(asg) > 0
            || self
                .capacity_providers
                .warming_up(asg, scaling.instance_warmup_period_ms, ctx.now);
        let parameters = &self.config.parameters;
        let (from_zero, datapoints) = (
            parameters.managed_scaling_from_zero,
            parameters.managed_scaling_scale_in_datapoints,
        );
        let mut low = *self.capacity_providers.low_datapoints_mut(provider);
        let decision = target_tracking(
            &scaling, instances, needed, desired, bounds, from_zero, warming_up, &mut low,
            datapoints,
        );
        *self.capacity_providers.low_datapoints_mut(provider) = low;
        let to = match decision {
            ScalingDecision::ScaleOut(to) => to,
            ScalingDecision::ScaleIn(to) => {
                // With managed termination protection only unprotected instances can go:
                // the desired capacity stays above the protected ones.
                self.refresh_scale_in_protection(asg);
                let protected = self
                    .capacity
                    .asg_instances(asg)
                    .filter(|&id| {
                        self.capacity.scale_in_protected(asg, id)
                            && self.capacity.instance(id).terminating.is_none()
                    })
                    .count() as u32;
                to.max(protected)
            }
            ScalingDecision::WarmingUp | ScalingDecision::None => return,
        };
        if to == desired {
            return;
        }
        self.emit(
            ctx,
            Change::ManagedScaling {
                capacity_provider: provider,
                reservation: value,
                from: desired,
                to,
            },
        );
        self.set_desired_capacity(asg, to, ctx);
    }

    /// For `check_invariants`: waiting tasks are counted right, and every task of a
    /// capacity provider runs on an instance of its provider's group.
    pub(super) fn check_capacity_providers(&self) {
        self.capacity_providers
            .check(self.config.parameters.max_provisioning_tasks);
        for task in self.tasks.iter() {
            if let Some(provider) = task.capacity_provider {
                let asg = self.capacity_providers.spec(provider).auto_scaling_group;
                assert_eq!(
                    self.capacity.instance(task.instance).auto_scaling_group,
                    Some(asg),
                    "{} of capacity provider {} is not on an instance of its group",
                    task.name(),
                    self.capacity_providers.spec(provider).name
                );
            }
            if let Some(user) = task.service.map(CapacityProviderUser::Service) {
                assert_eq!(
                    self.capacity_providers.strategy(user).is_some(),
                    task.capacity_provider.is_some(),
                    "{}: a task has a capacity provider exactly when its service has a strategy",
                    task.name()
                );
            }
        }
        for task in self.capacity_providers.waiting().values() {
            if let CapacityProviderUser::Service(service) = task.user {
                assert!(
                    !self.services[service.index()]
                        .tasks
                        .contains_key(&task.number),
                    "t-{:06} is both waiting and placed",
                    task.number
                );
            }
        }
    }
}
