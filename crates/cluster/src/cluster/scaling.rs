//! Capacity over time: instances registering and terminating, Auto Scaling groups keeping
//! their desired capacity spread over working zones, and zone outages. The decisions are
//! `Capacity`'s; this file sequences them with the tasks they affect and the changes they
//! announce.

use des::SimTime;

use super::{Cluster, Ctx};
use crate::capacity::AsgAction;
use crate::change::Change;
use crate::event::{Event, Launch};
use crate::ids::{AsgId, InstanceId};
use crate::instance::{InstanceLoss, InstanceStatus};
use crate::spec::FaultKind;

impl Cluster {
    /// Fixed instances and each group's desired capacity register at time zero.
    pub(super) fn start_capacity(&mut self, queue: &mut des::Queue<Event>) {
        for index in 0..self.capacity.fixed_instance_count() {
            queue.schedule(
                SimTime::ZERO,
                Event::InstanceRegistered {
                    launch: Launch::Fixed(index as u32),
                },
            );
        }
        for (asg, zone) in self.capacity.initial_launches() {
            queue.schedule(
                SimTime::ZERO,
                Event::InstanceRegistered {
                    launch: Launch::AutoScaling {
                        asg,
                        zone,
                        rebalance: false,
                    },
                },
            );
        }
    }

    pub(super) fn register_instance(&mut self, launch: Launch, ctx: &mut Ctx<'_>) {
        let registration = match launch {
            Launch::Fixed(index) => self.capacity.fixed_registration(index),
            Launch::AutoScaling {
                asg,
                zone,
                rebalance,
            } => match self.capacity.asg_launch_arrived(asg, zone, rebalance) {
                Some(registration) => registration,
                None => {
                    // The zone went down while the instance was booting: the launch fails
                    // and the group tries again in a working zone.
                    self.emit(ctx, Change::InstanceLaunchFailed { asg, zone });
                    self.reconcile_asg(asg, ctx);
                    return;
                }
            },
        };
        let id = self.capacity.register(registration, ctx.now);
        self.emit(
            ctx,
            Change::InstanceRegistered {
                instance: self.capacity.instance(id),
            },
        );
        self.plan_instance_faults(id, ctx);
        match launch {
            Launch::AutoScaling {
                asg,
                rebalance: true,
                ..
            } => self.finish_rebalance(asg, ctx),
            Launch::AutoScaling { asg, .. } => self.reconcile_asg(asg, ctx),
            Launch::Fixed(_) => {}
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
        if self.capacity.instance(id).status == InstanceStatus::Inactive {
            return;
        }
        for key in self.capacity.take_instance_timers(id) {
            ctx.queue.cancel(key);
        }
        self.emit(
            ctx,
            Change::InstanceTerminated {
                instance: self.capacity.instance(id),
                loss,
            },
        );
        let reason: std::sync::Arc<str> = format!(
            "Host EC2 (instance {}) terminated",
            self.capacity.instance(id).ec2_instance_id
        )
        .into();
        for task in self.capacity.instance(id).tasks.clone() {
            self.stop_task_at_once(task, &reason, ctx);
        }
        self.capacity.deregister(id, loss, ctx.now);
        if let Some(asg) = self.capacity.instance(id).auto_scaling_group {
            self.reconcile_asg(asg, ctx);
        }
    }

    /// Launches replacements until the group's capacity is met, then rebalances zones
    /// (`Capacity::asg_next_action` decides).
    pub(super) fn reconcile_asg(&mut self, asg: AsgId, ctx: &mut Ctx<'_>) {
        loop {
            match self.capacity.asg_next_action(asg) {
                AsgAction::Wait => return,
                AsgAction::Launch {
                    zone,
                    rebalance: false,
                } => self.launch(asg, zone, false, ctx),
                AsgAction::Launch {
                    zone,
                    rebalance: true,
                } => {
                    // One rebalancing launch at a time: the next look is when it registers.
                    self.launch(asg, zone, true, ctx);
                    return;
                }
            }
        }
    }

    fn launch(&mut self, asg: AsgId, zone: crate::ids::ZoneId, rebalance: bool, ctx: &mut Ctx<'_>) {
        let delay_ms = self.capacity.asg_launch(asg, zone, rebalance);
        let at = ctx.now.plus_ms(delay_ms);
        self.emit(
            ctx,
            Change::InstanceLaunched {
                asg,
                zone,
                rebalance,
                registers_at: at,
            },
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
        match self.capacity.rebalance_victim(asg) {
            Some(victim) => self.terminate_instance(victim, InstanceLoss::AzRebalance, ctx),
            None => self.reconcile_asg(asg, ctx),
        }
    }

    /// Every instance in the zone is lost and nothing launches there until the outage ends.
    pub(super) fn start_zone_outage(&mut self, fault: u32, ctx: &mut Ctx<'_>) {
        let FaultKind::ZoneOutage { zone, duration_ms } = self.config.faults[fault as usize].kind
        else {
            unreachable!("ZoneOutageStarted is only scheduled for zoneOutage faults");
        };
        self.capacity.zone_outage_started(zone);
        self.emit(ctx, Change::ZoneOutageStarted { zone, duration_ms });
        ctx.queue.schedule(
            ctx.now.plus_ms(duration_ms),
            Event::ZoneOutageEnded { fault },
        );
        for id in self.capacity.live_in_zone(zone) {
            self.terminate_instance(id, InstanceLoss::ZoneOutage, ctx);
        }
    }

    pub(super) fn end_zone_outage(&mut self, fault: u32, ctx: &mut Ctx<'_>) {
        let FaultKind::ZoneOutage { zone, .. } = self.config.faults[fault as usize].kind else {
            unreachable!("ZoneOutageEnded is only scheduled for zoneOutage faults");
        };
        self.capacity.zone_outage_ended(zone);
        self.emit(ctx, Change::ZoneOutageEnded { zone });
        self.plan_next_zone_outage(fault, ctx);
        for asg in 0..self.capacity.auto_scaling_group_count() {
            self.reconcile_asg(AsgId(asg as u16), ctx);
        }
    }
}
