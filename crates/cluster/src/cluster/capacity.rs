//! Capacity: instances registering and terminating, Auto Scaling groups keeping their
//! desired capacity spread over working zones, and zone outages.

use std::collections::BTreeMap;

use des::SimTime;

use super::{Cluster, Ctx, Zone};
use crate::event::{Event, Launch};
use crate::ids::{AsgId, InstanceId, ZoneId};
use crate::instance::{
    ContainerInstance, InstanceLoss, InstanceStatus, ATTRIBUTE_CPU_ARCHITECTURE,
    ATTRIBUTE_INSTANCE_TYPE, ATTRIBUTE_OS_TYPE, ATTRIBUTE_ZONE, RESERVED_PORTS,
};
use crate::spec::{FaultKind, InstanceType};

impl Cluster {
    /// Fixed instances and each group's desired capacity register at time zero. A group
    /// spreads its capacity evenly over its zones, the first zones taking the remainder,
    /// as EC2 Auto Scaling balances a new group.
    pub(super) fn start_capacity(&mut self, queue: &mut des::Queue<Event>) {
        for index in 0..self.fixed_instances.len() {
            queue.schedule(
                SimTime::ZERO,
                Event::InstanceRegistered {
                    launch: Launch::Fixed(index as u32),
                },
            );
        }
        for (asg_index, asg) in self.asgs.iter_mut().enumerate() {
            let zones = &asg.spec.availability_zones;
            let per_zone = asg.desired_capacity / zones.len() as u32;
            let remainder = asg.desired_capacity as usize % zones.len();
            for (position, &zone) in zones.iter().enumerate() {
                let count = per_zone + u32::from(position < remainder);
                asg.launching[zone.index()] += count;
                for _ in 0..count {
                    queue.schedule(
                        SimTime::ZERO,
                        Event::InstanceRegistered {
                            launch: Launch::AutoScaling {
                                asg: AsgId(asg_index as u16),
                                zone,
                                rebalance: false,
                            },
                        },
                    );
                }
            }
        }
    }

    pub(super) fn register_instance(&mut self, launch: Launch, ctx: &mut Ctx<'_>) {
        let registration = match launch {
            Launch::Fixed(index) => {
                let spec = &self.fixed_instances[index as usize];
                Registration {
                    ec2_instance_id: spec.instance_id.clone(),
                    instance_type: spec.instance_type.clone(),
                    zone: spec.availability_zone,
                    asg: None,
                    attributes: spec.attributes.clone(),
                }
            }
            Launch::AutoScaling {
                asg,
                zone,
                rebalance,
            } => {
                let group = &mut self.asgs[asg.index()];
                group.launching[zone.index()] -= 1;
                if rebalance {
                    group.rebalancing -= 1;
                }
                if self.zones[zone.index()].outages > 0 {
                    // The zone went down while the instance was booting: the launch fails
                    // and the group tries again in a working zone.
                    ctx.observer.change(
                        ctx.now,
                        ctx.seq,
                        "InstanceLaunchFailed",
                        &group.spec.name,
                        format_args!("zone {} is down", self.zones[zone.index()].name),
                    );
                    self.reconcile_asg(asg, ctx);
                    return;
                }
                Registration {
                    ec2_instance_id: None,
                    instance_type: group.spec.instance_type.clone(),
                    zone,
                    asg: Some(asg),
                    attributes: group.spec.attributes.clone(),
                }
            }
        };
        let (zone, asg) = (registration.zone, registration.asg);
        let id = InstanceId(self.instances.len() as u32);
        let instance = new_instance(id, registration, &self.zones, ctx.now);
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "InstanceRegistered",
            &instance.ec2_instance_id,
            format_args!(
                "{} in {}, {} CPU units, {} MiB",
                instance.instance_type.name,
                self.zones[zone.index()].name,
                instance.remaining_cpu_units,
                instance.remaining_memory_mib
            ),
        );
        self.instances.push(instance);
        self.instance_timers.push(Vec::new());
        self.active.push(id);
        self.plan_instance_faults(id, ctx);
        if let Launch::AutoScaling {
            asg,
            rebalance: true,
            ..
        } = launch
        {
            self.asgs[asg.index()].instances.push(id);
            self.finish_rebalance(asg, ctx);
        } else if let Some(asg) = asg {
            self.asgs[asg.index()].instances.push(id);
            self.reconcile_asg(asg, ctx);
        }
    }

    /// The instance is gone: its tasks stop at once (ECS.md §5.3), it leaves the cluster,
    /// and its Auto Scaling group, if any, launches a replacement.
    pub(super) fn terminate_instance(
        &mut self,
        id: InstanceId,
        loss: InstanceLoss,
        ctx: &mut Ctx<'_>,
    ) {
        if self.instances[id.index()].status == InstanceStatus::Inactive {
            return;
        }
        for key in std::mem::take(&mut self.instance_timers[id.index()]) {
            ctx.queue.cancel(key);
        }
        let ec2_id = self.instances[id.index()].ec2_instance_id.clone();
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "InstanceTerminated",
            &ec2_id,
            format_args!("{}", loss.as_str()),
        );
        let reason = format!("Host EC2 (instance {ec2_id}) terminated");
        for task in self.instances[id.index()].tasks.clone() {
            self.stop_task_at_once(task, &reason, ctx);
        }
        let instance = &mut self.instances[id.index()];
        instance.status = InstanceStatus::Inactive;
        instance.deregistered_at = Some(ctx.now);
        instance.loss = Some(loss);
        if let Ok(position) = self.active.binary_search(&id) {
            self.active.remove(position);
        }
        ctx.observer
            .instance_deregistered(self, &self.instances[id.index()]);
        if let Some(asg) = self.instances[id.index()].auto_scaling_group {
            self.asgs[asg.index()]
                .instances
                .retain(|&other| other != id);
            self.reconcile_asg(asg, ctx);
        }
    }

    /// Launches replacements until live plus launching instances reach the desired
    /// capacity, each into the working zone with the fewest of the group's instances
    /// (EC2 Auto Scaling keeps zones balanced). When every zone is down it waits for one
    /// to come back. With capacity met, it rebalances zones that differ by more than one.
    pub(super) fn reconcile_asg(&mut self, asg: AsgId, ctx: &mut Ctx<'_>) {
        loop {
            let counts = self.asg_zone_counts(asg);
            let group = &self.asgs[asg.index()];
            let live = group.instances.len() as u32;
            let launching: u32 = group.launching.iter().sum::<u32>() - group.rebalancing;
            let working = group
                .spec
                .availability_zones
                .iter()
                .copied()
                .filter(|zone| self.zones[zone.index()].outages == 0);
            let Some(fewest) = working.clone().min_by_key(|zone| (counts[zone], *zone)) else {
                return;
            };
            if live + launching < group.desired_capacity {
                self.launch(asg, fewest, false, ctx);
                continue;
            }
            let most = working.max_by_key(|zone| (counts[zone], std::cmp::Reverse(*zone)));
            let imbalanced = most.is_some_and(|most| counts[&most] > counts[&fewest] + 1);
            if imbalanced && group.rebalancing == 0 && launching == 0 {
                // AZRebalance launches first and terminates once the new one is in.
                self.launch(asg, fewest, true, ctx);
            }
            return;
        }
    }

    fn launch(&mut self, asg: AsgId, zone: ZoneId, rebalance: bool, ctx: &mut Ctx<'_>) {
        let group = &mut self.asgs[asg.index()];
        group.launching[zone.index()] += 1;
        group.rebalancing += u32::from(rebalance);
        let at = ctx.now.plus_ms(group.spec.replacement_delay_ms);
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "InstanceLaunched",
            &group.spec.name,
            format_args!(
                "{} into {}{}, registers at {at}",
                group.spec.instance_type.name,
                self.zones[zone.index()].name,
                if rebalance { " to rebalance zones" } else { "" }
            ),
        );
        ctx.queue.schedule(
            at,
            Event::InstanceRegistered {
                launch: Launch::AutoScaling {
                    asg,
                    zone,
                    rebalance,
                },
            },
        );
    }

    /// The rebalancing launch is in: terminate the oldest instance of the most crowded
    /// working zone, if the zones are still uneven.
    fn finish_rebalance(&mut self, asg: AsgId, ctx: &mut Ctx<'_>) {
        let counts = self.asg_zone_counts(asg);
        let group = &self.asgs[asg.index()];
        let live = group.instances.len() as u32;
        if live > group.desired_capacity {
            let most = group
                .spec
                .availability_zones
                .iter()
                .copied()
                .filter(|zone| self.zones[zone.index()].outages == 0)
                .max_by_key(|zone| (counts[zone], std::cmp::Reverse(*zone)));
            let victim = most.and_then(|zone| {
                group
                    .instances
                    .iter()
                    .copied()
                    .find(|&id| self.instances[id.index()].availability_zone == zone)
            });
            if let Some(victim) = victim {
                self.terminate_instance(victim, InstanceLoss::AzRebalance, ctx);
                return;
            }
        }
        self.reconcile_asg(asg, ctx);
    }

    /// Live plus launching instances of the group, per zone.
    fn asg_zone_counts(&self, asg: AsgId) -> BTreeMap<ZoneId, u32> {
        let group = &self.asgs[asg.index()];
        let mut counts: BTreeMap<ZoneId, u32> = group
            .spec
            .availability_zones
            .iter()
            .map(|&zone| (zone, group.launching[zone.index()]))
            .collect();
        for &id in &group.instances {
            *counts
                .entry(self.instances[id.index()].availability_zone)
                .or_default() += 1;
        }
        counts
    }

    /// Every instance in the zone is lost and nothing launches there until the outage ends.
    pub(super) fn start_zone_outage(&mut self, fault: u32, ctx: &mut Ctx<'_>) {
        let FaultKind::ZoneOutage { zone, duration_ms } = self.faults[fault as usize].kind else {
            unreachable!("ZoneOutageStarted is only scheduled for zoneOutage faults");
        };
        self.zones[zone.index()].outages += 1;
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "ZoneOutageStarted",
            &self.zones[zone.index()].name,
            format_args!("for {} s", duration_ms / 1000),
        );
        ctx.queue.schedule(
            ctx.now.plus_ms(duration_ms),
            Event::ZoneOutageEnded { fault },
        );
        let victims: Vec<InstanceId> = self.active_in_zone(zone).collect();
        for id in victims {
            self.terminate_instance(id, InstanceLoss::ZoneOutage, ctx);
        }
    }

    pub(super) fn end_zone_outage(&mut self, fault: u32, ctx: &mut Ctx<'_>) {
        let FaultKind::ZoneOutage { zone, .. } = self.faults[fault as usize].kind else {
            unreachable!("ZoneOutageEnded is only scheduled for zoneOutage faults");
        };
        self.zones[zone.index()].outages -= 1;
        ctx.observer.change(
            ctx.now,
            ctx.seq,
            "ZoneOutageEnded",
            &self.zones[zone.index()].name,
            format_args!("launches allowed again"),
        );
        self.plan_next_zone_outage(fault, ctx);
        for asg in 0..self.asgs.len() {
            self.reconcile_asg(AsgId(asg as u16), ctx);
        }
    }

    /// Live (not INACTIVE) instances in a zone, in id order.
    fn active_in_zone(&self, zone: ZoneId) -> impl Iterator<Item = InstanceId> + '_ {
        self.instances
            .iter()
            .filter(move |instance| {
                instance.status != InstanceStatus::Inactive && instance.availability_zone == zone
            })
            .map(|instance| instance.id)
    }
}

/// What a launch brings to registration.
struct Registration {
    ec2_instance_id: Option<String>,
    instance_type: InstanceType,
    zone: ZoneId,
    asg: Option<AsgId>,
    attributes: BTreeMap<String, String>,
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
    } = registration;
    attributes.insert(ATTRIBUTE_ZONE.to_string(), zones[zone.index()].name.clone());
    attributes.insert(
        ATTRIBUTE_INSTANCE_TYPE.to_string(),
        instance_type.name.clone(),
    );
    attributes.insert(ATTRIBUTE_OS_TYPE.to_string(), "linux".to_string());
    attributes.insert(
        ATTRIBUTE_CPU_ARCHITECTURE.to_string(),
        instance_type.cpu_architecture.clone(),
    );
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
        registered_at: now,
        deregistered_at: None,
        loss: None,
        attributes,
        ports_tcp: RESERVED_PORTS.to_vec(),
        ports_udp: Vec::new(),
        reserved_port_count: RESERVED_PORTS.len(),
        tasks: Vec::new(),
        running_tasks_count: 0,
    }
}
