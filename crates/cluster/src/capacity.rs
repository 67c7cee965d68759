//! The capacity part of the model: Availability Zones, Auto Scaling groups and container
//! instances, with the one reserve/release pair through which an instance's resources change.
//!
//! Fields are private: registration, termination, `reserve` and `release` are the only doors,
//! and each keeps the placement indexes (`crate::index`) current as it goes.

use std::collections::{BTreeMap, BTreeSet};

use des::{EventKey, SimTime};

use crate::explain::{plural, Step, StepKind};
use crate::ids::{AsgId, InstanceId, TaskId, ZoneId};
use crate::index::{IndexPlan, PlacementIndex};
use crate::instance::{add_builtin_attributes, ContainerInstance, InstanceLoss, InstanceStatus};
use crate::placement::Requirements;
use crate::spec::{AutoScalingGroupSpec, FixedInstanceSpec, InstanceType, Protocol};

/// A zone's live state: down while any outage covers it.
#[derive(Debug)]
struct Zone {
    name: String,
    outages: u32,
}

/// An Auto Scaling group's live state.
#[derive(Debug)]
struct AutoScalingGroup {
    spec: AutoScalingGroupSpec,
    desired_capacity: u32,
    /// Live instances, in id order.
    instances: BTreeSet<InstanceId>,
    /// Live instances by zone index of the cluster.
    live: Vec<u32>,
    /// Launches under way, by zone index of the cluster.
    launching: Vec<u32>,
    /// Launches under way that only rebalance zones (capacity + 1 until they register).
    rebalancing: u32,
    /// Failed instances the group keeps because `ReplaceUnhealthy` is suspended: counted
    /// against the desired capacity, so nothing replaces them.
    held: u32,
    /// Live instances of the group marked to be terminated (`ContainerInstance::terminating`).
    terminating: u32,
    /// Instances with scale-in protection (managed termination protection, ECS.md §5.5):
    /// the group does not choose them to terminate.
    protected: BTreeSet<InstanceId>,
}

/// What a launch brings to registration.
pub(crate) struct Registration {
    pub ec2_instance_id: Option<String>,
    pub instance_type: InstanceType,
    pub zone: ZoneId,
    pub asg: Option<AsgId>,
    pub attributes: BTreeMap<String, String>,
    pub reserved_ports: Vec<u16>,
}

/// What the next step of an Auto Scaling group's reconciliation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AsgAction {
    /// Launch into this zone; `rebalance` when it only evens zones out.
    Launch { zone: ZoneId, rebalance: bool },
    /// Nothing to do now.
    Wait,
}

#[derive(Debug)]
pub struct Capacity {
    zones: Vec<Zone>,
    asgs: Vec<AutoScalingGroup>,
    fixed_instances: Vec<FixedInstanceSpec>,
    /// Every instance ever registered, by id. INACTIVE ones keep their record for names.
    instances: Vec<ContainerInstance>,
    /// Pending random-fault events per instance, cancelled when the instance goes.
    instance_timers: Vec<Vec<EventKey>>,
    /// Ids of ACTIVE instances with a connected agent, ascending: the placement candidates,
    /// and exactly the instances the placement indexes hold.
    active: Vec<InstanceId>,
    dynamic_port_range: (u16, u16),
    index: PlacementIndex,
    /// Live instances that are DRAINING.
    draining: u32,
    /// Live (ACTIVE or DRAINING) instances.
    live: u32,
}

impl Capacity {
    pub(crate) fn new(
        zones: Vec<String>,
        asgs: Vec<AutoScalingGroupSpec>,
        fixed_instances: Vec<FixedInstanceSpec>,
        dynamic_port_range: (u16, u16),
        plan: IndexPlan,
    ) -> Capacity {
        let zone_count = zones.len();
        Capacity {
            zones: zones
                .into_iter()
                .map(|name| Zone { name, outages: 0 })
                .collect(),
            asgs: asgs
                .into_iter()
                .map(|spec| AutoScalingGroup {
                    desired_capacity: spec.desired_capacity,
                    spec,
                    instances: BTreeSet::new(),
                    live: vec![0; zone_count],
                    launching: vec![0; zone_count],
                    rebalancing: 0,
                    held: 0,
                    terminating: 0,
                    protected: BTreeSet::new(),
                })
                .collect(),
            fixed_instances,
            instances: Vec::new(),
            instance_timers: Vec::new(),
            active: Vec::new(),
            dynamic_port_range,
            index: PlacementIndex::new(plan, zone_count),
            draining: 0,
            live: 0,
        }
    }

    // ---- reading ----

    pub fn zone_name(&self, zone: ZoneId) -> &str {
        &self.zones[zone.index()].name
    }

    /// Whether an outage has the zone down now.
    pub fn zone_is_down(&self, zone: ZoneId) -> bool {
        self.zones[zone.index()].outages > 0
    }

    pub fn zone_count(&self) -> usize {
        self.zones.len()
    }

    pub fn instance(&self, id: InstanceId) -> &ContainerInstance {
        &self.instances[id.index()]
    }

    /// Every instance ever registered, in id order.
    pub fn instances(&self) -> &[ContainerInstance] {
        &self.instances
    }

    /// Ids of ACTIVE instances (placement candidates), ascending.
    pub fn active_ids(&self) -> &[InstanceId] {
        &self.active
    }

    /// ACTIVE instances, in id order.
    pub fn active_instances(&self) -> impl Iterator<Item = &ContainerInstance> {
        self.active.iter().map(|&id| &self.instances[id.index()])
    }

    pub fn auto_scaling_group_name(&self, id: AsgId) -> &str {
        &self.asgs[id.index()].spec.name
    }

    pub fn auto_scaling_group_count(&self) -> usize {
        self.asgs.len()
    }

    /// The ephemeral range dynamic host ports come from, inclusive.
    pub fn dynamic_port_range(&self) -> (u16, u16) {
        self.dynamic_port_range
    }

    /// The ordered indexes placement narrows candidates with.
    pub fn index(&self) -> &PlacementIndex {
        &self.index
    }

    pub(crate) fn fixed_instance_count(&self) -> usize {
        self.fixed_instances.len()
    }

    /// Live (ACTIVE or DRAINING) instances in a zone, in id order.
    pub(crate) fn live_in_zone(&self, zone: ZoneId) -> Vec<InstanceId> {
        self.instances
            .iter()
            .filter(|instance| instance.is_live() && instance.availability_zone == zone)
            .map(|instance| instance.id)
            .collect()
    }

    /// Live (ACTIVE or DRAINING) instances, in id order.
    pub fn live_instances(&self) -> impl Iterator<Item = &ContainerInstance> {
        self.instances.iter().filter(|instance| instance.is_live())
    }

    /// Live instances that take no task (DRAINING, or an agent disconnected): they may
    /// still host tasks that count for `spread`.
    pub fn idle_live_count(&self) -> u32 {
        self.live - self.active.len() as u32
    }

    /// How many live instances are DRAINING.
    pub fn draining_count(&self) -> u32 {
        self.draining
    }

    pub fn auto_scaling_group(&self, asg: AsgId) -> &AutoScalingGroupSpec {
        &self.asgs[asg.index()].spec
    }

    pub fn auto_scaling_group_id(&self, name: &str) -> Option<AsgId> {
        self.asgs
            .iter()
            .position(|group| group.spec.name == name)
            .map(|index| AsgId(index as u16))
    }

    pub fn desired_capacity(&self, asg: AsgId) -> u32 {
        self.asgs[asg.index()].desired_capacity
    }

    /// The group's live instances (in service), in id order.
    pub fn asg_instances(&self, asg: AsgId) -> impl Iterator<Item = InstanceId> + '_ {
        self.asgs[asg.index()].instances.iter().copied()
    }

    /// Launches of the group under way.
    pub fn asg_launching(&self, asg: AsgId) -> u32 {
        self.asgs[asg.index()].launching.iter().sum()
    }

    /// Whether the instance has scale-in protection.
    pub fn scale_in_protected(&self, asg: AsgId, id: InstanceId) -> bool {
        self.asgs[asg.index()].protected.contains(&id)
    }

    /// Sets which of the group's instances have scale-in protection.
    pub(crate) fn set_scale_in_protection(&mut self, asg: AsgId, protected: BTreeSet<InstanceId>) {
        self.asgs[asg.index()].protected = protected;
    }

    // ---- instances ----

    /// What fixed instance number `index` registers with.
    pub(crate) fn fixed_registration(&self, index: u32) -> Registration {
        let spec = &self.fixed_instances[index as usize];
        Registration {
            ec2_instance_id: spec.instance_id.clone(),
            instance_type: spec.instance_type.clone(),
            zone: spec.availability_zone,
            asg: None,
            attributes: spec.attributes.clone(),
            reserved_ports: spec.reserved_ports.clone(),
        }
    }

    /// An Auto Scaling launch arrived: `None` if its zone went down while it booted (the
    /// launch failed), else what it registers with.
    pub(crate) fn asg_launch_arrived(
        &mut self,
        asg: AsgId,
        zone: ZoneId,
        rebalance: bool,
    ) -> Option<Registration> {
        let group = &mut self.asgs[asg.index()];
        group.launching[zone.index()] -= 1;
        if rebalance {
            group.rebalancing -= 1;
        }
        if self.zones[zone.index()].outages > 0 {
            return None;
        }
        Some(Registration {
            ec2_instance_id: None,
            instance_type: group.spec.instance_type.clone(),
            zone,
            asg: Some(asg),
            attributes: group.spec.attributes.clone(),
            reserved_ports: group.spec.reserved_ports.clone(),
        })
    }

    /// Registers an instance: ACTIVE, every resource free, in every index.
    pub(crate) fn register(&mut self, registration: Registration, now: SimTime) -> InstanceId {
        let id = InstanceId(self.instances.len() as u32);
        let instance = new_instance(id, registration, &self.zones, now);
        self.index.insert(&instance);
        if let Some(asg) = instance.auto_scaling_group {
            let group = &mut self.asgs[asg.index()];
            group.instances.insert(id);
            group.live[instance.availability_zone.index()] += 1;
        }
        self.instances.push(instance);
        self.instance_timers.push(Vec::new());
        self.active.push(id);
        self.live += 1;
        id
    }

    pub(crate) fn add_instance_timer(&mut self, id: InstanceId, key: EventKey) {
        self.instance_timers[id.index()].push(key);
    }

    pub(crate) fn take_instance_timers(&mut self, id: InstanceId) -> Vec<EventKey> {
        std::mem::take(&mut self.instance_timers[id.index()])
    }

    /// The instance leaves the cluster. Its tasks must already be STOPPED.
    pub(crate) fn deregister(&mut self, id: InstanceId, loss: InstanceLoss, now: SimTime) {
        let instance = &mut self.instances[id.index()];
        assert!(
            instance.tasks.is_empty(),
            "{} leaves with tasks on it",
            instance.ec2_instance_id
        );
        if instance.takes_tasks() {
            self.index.remove(instance);
            if let Ok(position) = self.active.binary_search(&id) {
                self.active.remove(position);
            }
        }
        if instance.status == InstanceStatus::Draining {
            self.draining -= 1;
        }
        self.live -= 1;
        instance.status = InstanceStatus::Inactive;
        instance.deregistered_at = Some(now);
        instance.loss = Some(loss);
        if let Some(asg) = instance.auto_scaling_group {
            let group = &mut self.asgs[asg.index()];
            group.instances.remove(&id);
            group.live[instance.availability_zone.index()] -= 1;
            group.terminating -= u32::from(instance.terminating.is_some());
            let failed = !matches!(loss, InstanceLoss::AzRebalance | InstanceLoss::ScaleIn);
            if failed && group.spec.suspended_processes.replace_unhealthy {
                group.held += 1;
            }
        }
    }

    /// Sets an instance's status or agent connection; it leaves or rejoins the placement
    /// candidates (the ACTIVE list and every index) as `takes_tasks` says.
    pub(crate) fn set_state(
        &mut self,
        id: InstanceId,
        status: InstanceStatus,
        agent_connected: bool,
    ) {
        let instance = &mut self.instances[id.index()];
        assert!(instance.is_live(), "only live instances change state");
        let was = instance.takes_tasks();
        if instance.status == InstanceStatus::Draining {
            self.draining -= 1;
        }
        if status == InstanceStatus::Draining {
            self.draining += 1;
        }
        instance.status = status;
        instance.agent_connected = agent_connected;
        let now = instance.takes_tasks();
        if was && !now {
            self.index.remove(instance);
            if let Ok(position) = self.active.binary_search(&id) {
                self.active.remove(position);
            }
        } else if !was && now {
            self.index.insert(instance);
            let position = self.active.binary_search(&id).unwrap_or_else(|p| p);
            self.active.insert(position, id);
        }
    }

    /// The instance will be terminated soon (managed draining, a Spot notice).
    pub(crate) fn mark_terminating(&mut self, id: InstanceId, loss: InstanceLoss) {
        let instance = &mut self.instances[id.index()];
        if instance.terminating.is_none() {
            if let Some(asg) = instance.auto_scaling_group {
                self.asgs[asg.index()].terminating += 1;
            }
        }
        instance.terminating = Some(loss);
    }

    // ---- resources: the one reserve/release pair ----

    /// Reserves what `task` needs on `id` (ECS.md A19: from placement until STOPPED) and
    /// returns the host ports it holds, static then dynamic. The instance must be ACTIVE
    /// and have room (`placement::first_shortfall`).
    pub(crate) fn reserve(
        &mut self,
        id: InstanceId,
        task: TaskId,
        needs: &Requirements,
    ) -> Vec<(Protocol, u16)> {
        let (first, last) = self.dynamic_port_range;
        let instance = &mut self.instances[id.index()];
        assert!(
            instance.takes_tasks(),
            "tasks start only on ACTIVE instances with a connected agent"
        );
        // Callers place first; reserving what does not fit is a bug. Debug builds (and so
        // every test) check the whole fit; release builds still never let the arithmetic
        // below wrap.
        debug_assert_eq!(
            crate::placement::first_shortfall(needs, instance, (first, last)),
            None,
            "the task does not fit on {}",
            instance.ec2_instance_id
        );
        let before = instance.remaining();
        let overcommitted = "a task was started on an instance without room for it";
        instance.remaining_cpu_units = instance
            .remaining_cpu_units
            .checked_sub(needs.cpu_units)
            .expect(overcommitted);
        instance.remaining_memory_mib = instance
            .remaining_memory_mib
            .checked_sub(needs.memory_mib)
            .expect(overcommitted);
        if needs.eni {
            instance.remaining_enis = instance.remaining_enis.checked_sub(1).expect(overcommitted);
        }
        let mut host_ports = needs.static_host_ports.clone();
        instance.reserved_port_count += host_ports.len();
        for &(protocol, port) in &needs.static_host_ports {
            insert_port(instance.ports_mut(protocol), port);
        }
        for (protocol, count) in [
            (Protocol::Tcp, needs.dynamic_tcp_ports),
            (Protocol::Udp, needs.dynamic_udp_ports),
        ] {
            for _ in 0..count {
                // The lowest free port of the ephemeral range: deterministic, and what a
                // fresh kernel hands out first.
                let ports = instance.ports_mut(protocol);
                let port = (first..=last)
                    .find(|port| ports.binary_search(port).is_err())
                    .expect("placement checked a free dynamic port");
                insert_port(ports, port);
                host_ports.push((protocol, port));
            }
        }
        instance.tasks.push(task);
        instance.running_tasks_count += 1;
        self.index.update(before, instance);
        host_ports
    }

    /// The task left PROVISIONING/PENDING/RUNNING: `runningTasksCount` drops, resources stay
    /// reserved until `release`.
    pub(crate) fn task_deactivated(&mut self, id: InstanceId) {
        self.instances[id.index()].running_tasks_count -= 1;
    }

    /// Gives back what `reserve` took, at STOPPED.
    pub(crate) fn release(
        &mut self,
        id: InstanceId,
        task: TaskId,
        needs: &Requirements,
        host_ports: &[(Protocol, u16)],
    ) {
        let instance = &mut self.instances[id.index()];
        let before = instance.remaining();
        instance.remaining_cpu_units += needs.cpu_units;
        instance.remaining_memory_mib += needs.memory_mib;
        if needs.eni {
            instance.remaining_enis += 1;
        }
        for &(protocol, port) in host_ports {
            let ports = instance.ports_mut(protocol);
            if let Ok(position) = ports.binary_search(&port) {
                ports.remove(position);
            }
        }
        instance.reserved_port_count -= needs.static_host_ports.len();
        // Tasks are few per instance; keeping them in creation order keeps every
        // iteration over an instance's tasks deterministic.
        if let Some(position) = instance.tasks.iter().position(|&other| other == task) {
            instance.tasks.remove(position);
        }
        if instance.takes_tasks() {
            self.index.update(before, instance);
        }
    }

    // ---- Auto Scaling groups and zones ----

    /// Fixed instance count, and per group the launches of its initial capacity spread
    /// evenly over its zones (the first zones take the remainder), as EC2 Auto Scaling
    /// balances a new group. The launches are counted as under way.
    pub(crate) fn initial_launches(&mut self) -> Vec<(AsgId, ZoneId)> {
        let mut launches = Vec::new();
        for (asg_index, asg) in self.asgs.iter_mut().enumerate() {
            let zones = &asg.spec.availability_zones;
            let per_zone = asg.desired_capacity / zones.len() as u32;
            let remainder = asg.desired_capacity as usize % zones.len();
            for (position, &zone) in zones.iter().enumerate() {
                let count = per_zone + u32::from(position < remainder);
                asg.launching[zone.index()] += count;
                for _ in 0..count {
                    launches.push((AsgId(asg_index as u16), zone));
                }
            }
        }
        launches
    }

    /// What the group should do next: launch until live plus launching instances reach the
    /// desired capacity, each into the working zone with the fewest of the group's
    /// instances; with capacity met, rebalance zones that differ by more than one (one
    /// rebalancing launch at a time). When every zone is down it waits.
    pub(crate) fn asg_next_action(&self, asg: AsgId) -> AsgAction {
        let counts = self.asg_zone_counts(asg);
        let group = &self.asgs[asg.index()];
        let suspended = group.spec.suspended_processes;
        if suspended.launch {
            return AsgAction::Wait;
        }
        let live = group.instances.len() as u32 + group.held;
        let launching: u32 = group.launching.iter().sum::<u32>() - group.rebalancing;
        let working = group
            .spec
            .availability_zones
            .iter()
            .copied()
            .filter(|zone| self.zones[zone.index()].outages == 0);
        let Some(fewest) = working.clone().min_by_key(|zone| (counts[zone], *zone)) else {
            return AsgAction::Wait;
        };
        if live + launching < group.desired_capacity {
            return AsgAction::Launch {
                zone: fewest,
                rebalance: false,
            };
        }
        let most = working.max_by_key(|zone| (counts[zone], std::cmp::Reverse(*zone)));
        let imbalanced = most.is_some_and(|most| counts[&most] > counts[&fewest] + 1);
        // No rebalancing while the group still drains an instance it is terminating: that
        // instance still counts in its zone until it goes.
        let rebalances = !suspended.az_rebalance && !suspended.terminate && group.terminating == 0;
        if imbalanced && rebalances && group.rebalancing == 0 && launching == 0 {
            // AZRebalance launches first and terminates once the new one is in.
            return AsgAction::Launch {
                zone: fewest,
                rebalance: true,
            };
        }
        AsgAction::Wait
    }

    /// Counts a launch as under way; returns the group's replacement delay.
    pub(crate) fn asg_launch(&mut self, asg: AsgId, zone: ZoneId, rebalance: bool) -> u64 {
        let group = &mut self.asgs[asg.index()];
        group.launching[zone.index()] += 1;
        group.rebalancing += u32::from(rebalance);
        group.spec.replacement_delay_ms
    }

    pub fn asg_instance_type(&self, asg: AsgId) -> &InstanceType {
        &self.asgs[asg.index()].spec.instance_type
    }

    /// After a rebalancing launch registered: the oldest instance of the most crowded
    /// working zone, if the group is over its desired capacity.
    pub(crate) fn rebalance_victim(&self, asg: AsgId) -> Option<InstanceId> {
        self.termination_victim(asg)
    }

    /// The instance the group terminates when it has more than its desired capacity: the
    /// oldest instance of its most crowded working zone, not already being terminated.
    /// `None` when the group is within its capacity or `Terminate` is suspended.
    pub(crate) fn termination_victim(&self, asg: AsgId) -> Option<InstanceId> {
        let group = &self.asgs[asg.index()];
        if group.spec.suspended_processes.terminate
            || group.instances.len() as u32 - group.terminating <= group.desired_capacity
        {
            return None;
        }
        let mut counts = self.asg_zone_counts(asg);
        if group.terminating > 0 {
            for id in &group.instances {
                let instance = &self.instances[id.index()];
                if instance.terminating.is_some() {
                    *counts.entry(instance.availability_zone).or_default() -= 1;
                }
            }
        }
        // Instances with scale-in protection are never chosen: only zones with another.
        let eligible = |id: &InstanceId, zone: ZoneId| {
            let instance = &self.instances[id.index()];
            instance.availability_zone == zone
                && instance.terminating.is_none()
                && !group.protected.contains(id)
        };
        let most = group
            .spec
            .availability_zones
            .iter()
            .copied()
            .filter(|zone| self.zones[zone.index()].outages == 0)
            .filter(|&zone| {
                group.protected.is_empty() || group.instances.iter().any(|id| eligible(id, zone))
            })
            .max_by_key(|zone| (counts[zone], std::cmp::Reverse(*zone)))?;
        group
            .instances
            .iter()
            .copied()
            .find(|id| eligible(id, most))
    }

    /// Why `termination_victim` chose `victim`, step by step (for `decisions.csv`): the
    /// group is over its desired capacity, the most crowded working zone, the oldest
    /// instance there, and what terminating it does. `rebalance`: after a rebalancing
    /// launch; `managed`: the group drains it first.
    #[cold]
    #[inline(never)]
    pub(crate) fn explain_termination(
        &self,
        asg: AsgId,
        victim: InstanceId,
        rebalance: bool,
        managed: bool,
    ) -> Vec<Step> {
        let group = &self.asgs[asg.index()];
        let name = &group.spec.name;
        let instance = |id: &InstanceId| &self.instances[id.index()];
        let total = group.instances.len();
        let staying: Vec<InstanceId> = group
            .instances
            .iter()
            .copied()
            .filter(|id| instance(id).terminating.is_none())
            .collect();
        let cause = if rebalance {
            "AZRebalance: the launch into the zone with the fewest instances registered, so"
        } else {
            "scale-in:"
        };
        let mut steps = vec![Step::new(
            StepKind::Capacity,
            total,
            staying.len(),
            format!(
                "{cause} {name} has {} ({} already terminating) for a desired capacity of {}: one goes",
                plural(total as u64, "instance"),
                total - staying.len(),
                group.desired_capacity
            ),
        )];
        let mut counts = self.asg_zone_counts(asg);
        for id in &group.instances {
            if instance(id).terminating.is_some() {
                *counts.entry(instance(id).availability_zone).or_default() -= 1;
            }
        }
        let victim_zone = instance(&victim).availability_zone;
        let zones: Vec<String> = group
            .spec
            .availability_zones
            .iter()
            .map(|zone| {
                let down = if self.zones[zone.index()].outages > 0 {
                    ", down"
                } else {
                    ""
                };
                format!("{} {}{down}", self.zones[zone.index()].name, counts[zone])
            })
            .collect();
        let working: Vec<InstanceId> = staying
            .iter()
            .copied()
            .filter(|id| self.zones[instance(id).availability_zone.index()].outages == 0)
            .collect();
        let in_zone: Vec<InstanceId> = working
            .iter()
            .copied()
            .filter(|id| instance(id).availability_zone == victim_zone)
            .collect();
        steps.push(Step::new(
            StepKind::Zone,
            working.len(),
            in_zone.len(),
            format!(
                "the working zone with the most instances, launches under way included ({}; ties to the first listed): {}",
                zones.join(", "),
                self.zones[victim_zone.index()].name
            ),
        ));
        let tasks = |id: &InstanceId| plural(instance(id).tasks.len() as u64, "task");
        let chosen = instance(&victim);
        let others: Vec<String> = in_zone
            .iter()
            .filter(|&&id| id != victim)
            .map(|id| {
                format!(
                    "{} (registered at {}, {})",
                    instance(id).ec2_instance_id,
                    instance(id).registered_at,
                    tasks(id)
                )
            })
            .collect();
        let mut detail = if group.protected.is_empty() {
            format!(
                "the oldest instance of the zone, whatever runs on it: {} (registered at {}, {})",
                chosen.ec2_instance_id,
                chosen.registered_at,
                tasks(&victim)
            )
        } else {
            // Managed termination protection (ECS.md §5.5): only unprotected ones may go.
            format!(
                "the oldest instance of the zone without scale-in protection ({} protected for their tasks): {} (registered at {}, {})",
                plural(group.protected.len() as u64, "instance"),
                chosen.ec2_instance_id,
                chosen.registered_at,
                tasks(&victim)
            )
        };
        if !others.is_empty() {
            detail.push_str(&format!("; also there: {}", others.join(", ")));
        }
        steps.push(Step::new(StepKind::Instance, in_zone.len(), 1, detail));
        let outcome = if managed {
            format!(
                "{}: managed draining, DRAINING first and terminated once its {} are stopped",
                chosen.ec2_instance_id,
                tasks(&victim)
            )
        } else {
            format!(
                "{}: terminated now, its {} stop with it",
                chosen.ec2_instance_id,
                tasks(&victim)
            )
        };
        steps.push(Step::new(StepKind::Terminated, 1, 1, outcome));
        steps
    }

    /// `SetDesiredCapacity`.
    pub(crate) fn set_desired_capacity(&mut self, asg: AsgId, desired_capacity: u32) {
        self.asgs[asg.index()].desired_capacity = desired_capacity;
    }

    /// Live plus launching instances of the group, per zone.
    fn asg_zone_counts(&self, asg: AsgId) -> BTreeMap<ZoneId, u32> {
        let group = &self.asgs[asg.index()];
        group
            .spec
            .availability_zones
            .iter()
            .map(|&zone| {
                (
                    zone,
                    group.live[zone.index()] + group.launching[zone.index()],
                )
            })
            .collect()
    }

    pub(crate) fn zone_outage_started(&mut self, zone: ZoneId) {
        self.zones[zone.index()].outages += 1;
    }

    pub(crate) fn zone_outage_ended(&mut self, zone: ZoneId) {
        self.zones[zone.index()].outages -= 1;
    }

    /// For `check_invariants`: the ACTIVE list and every index, recomputed from the
    /// instances themselves.
    pub(crate) fn check_indexes(&self) {
        let active: Vec<InstanceId> = self
            .instances
            .iter()
            .filter(|instance| instance.takes_tasks())
            .map(|instance| instance.id)
            .collect();
        assert_eq!(active, self.active, "the ACTIVE list is off");
        let draining = self
            .instances
            .iter()
            .filter(|instance| instance.status == InstanceStatus::Draining)
            .count() as u32;
        assert_eq!(draining, self.draining, "the DRAINING count is off");
        let live = self.instances.iter().filter(|i| i.is_live()).count() as u32;
        assert_eq!(live, self.live, "the live count is off");
        let mut live = vec![vec![0u32; self.zones.len()]; self.asgs.len()];
        let mut members = vec![BTreeSet::new(); self.asgs.len()];
        for instance in self.live_instances() {
            if let Some(asg) = instance.auto_scaling_group {
                live[asg.index()][instance.availability_zone.index()] += 1;
                members[asg.index()].insert(instance.id);
            }
        }
        for (index, group) in self.asgs.iter().enumerate() {
            let terminating = group
                .instances
                .iter()
                .filter(|id| self.instances[id.index()].terminating.is_some())
                .count() as u32;
            assert_eq!(
                terminating, group.terminating,
                "{}: the count of instances being terminated is off",
                group.spec.name
            );
            assert_eq!(
                live[index], group.live,
                "{}: live counts per zone are off",
                group.spec.name
            );
            assert_eq!(
                members[index], group.instances,
                "{}: its instances are off",
                group.spec.name
            );
        }
        self.index.check(&self.instances);
    }
}

fn insert_port(ports: &mut Vec<u16>, port: u16) {
    let position = ports.binary_search(&port).unwrap_or_else(|p| p);
    ports.insert(position, port);
}

impl ContainerInstance {
    fn ports_mut(&mut self, protocol: Protocol) -> &mut Vec<u16> {
        match protocol {
            Protocol::Tcp => &mut self.ports_tcp,
            Protocol::Udp => &mut self.ports_udp,
        }
    }
}

fn new_instance(
    id: InstanceId,
    registration: Registration,
    zones: &[Zone],
    now: SimTime,
) -> ContainerInstance {
    let Registration {
        ec2_instance_id,
        instance_type,
        zone,
        asg,
        mut attributes,
        mut reserved_ports,
    } = registration;
    reserved_ports.sort_unstable();
    reserved_ports.dedup();
    add_builtin_attributes(&mut attributes, &zones[zone.index()].name, &instance_type);
    ContainerInstance {
        id,
        // Generated ids use EC2's original 8-hex-digit form, numbered by registration.
        ec2_instance_id: ec2_instance_id.unwrap_or_else(|| format!("i-{:08x}", id.0 + 1)),
        remaining_cpu_units: instance_type.cpu_units,
        remaining_memory_mib: instance_type.memory_mib,
        remaining_enis: instance_type.enis.saturating_sub(1),
        instance_type,
        availability_zone: zone,
        auto_scaling_group: asg,
        status: InstanceStatus::Active,
        agent_connected: true,
        terminating: None,
        registered_at: now,
        deregistered_at: None,
        loss: None,
        attributes,
        reserved_port_count: reserved_ports.len(),
        ports_tcp: reserved_ports.clone(),
        reserved_ports,
        ports_udp: Vec::new(),
        tasks: Vec::new(),
        running_tasks_count: 0,
    }
}
