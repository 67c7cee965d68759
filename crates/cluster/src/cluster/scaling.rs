//! Capacity over time: instances registering and terminating, Auto Scaling groups keeping
//! their desired capacity spread over working zones, and zone outages. The decisions are
//! `Capacity`'s; this file sequences them with the tasks they affect and the changes they
//! announce.

use std::sync::Arc;

use des::SimTime;

use super::{Cluster, Ctx};
use crate::capacity::AsgAction;
use crate::change::{Change, DrainCause};
use crate::event::{Event, Launch};
use crate::ids::{AsgId, InstanceId, ServiceId, TaskId};
use crate::instance::{InstanceLoss, InstanceStatus};
use crate::spec::FaultKind;
use crate::task::StopCode;

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
        // Daemon tasks are the first to launch on a new instance (ECS.md §4.1).
        self.daemon_passes(ctx);
        match launch {
            Launch::AutoScaling {
                asg,
                rebalance: true,
                ..
            } => self.finish_rebalance(asg, ctx),
            Launch::AutoScaling { asg, .. } => self.reconcile_asg(asg, ctx),
            Launch::Fixed(_) => {}
        }
        // Tasks waiting in PROVISIONING for this group's capacity (ECS.md §5.5).
        if let Launch::AutoScaling { asg, .. } = launch {
            self.place_waiting(Some(asg), ctx);
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
        let stop_code =
            (loss == InstanceLoss::SpotInterruption).then_some(StopCode::SpotInterruption);
        self.terminating_now = Some(id);
        for task in self.capacity.instance(id).tasks.clone() {
            self.stop_task_at_once(task, stop_code, &reason, ctx);
        }
        self.terminating_now = None;
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
        self.capacity_providers.note_launch(asg, ctx.now);
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
        self.refresh_scale_in_protection(asg);
        match self.capacity.rebalance_victim(asg) {
            Some(victim) => {
                self.explain_termination(asg, victim, true, ctx);
                self.group_terminates(victim, InstanceLoss::AzRebalance, ctx);
            }
            None => self.reconcile_asg(asg, ctx),
        }
    }

    /// Tells why the group chose `victim`, when the model explains.
    fn explain_termination(
        &mut self,
        asg: AsgId,
        victim: InstanceId,
        rebalance: bool,
        ctx: &mut Ctx<'_>,
    ) {
        if !self.config.explain {
            return;
        }
        let managed = self.capacity.auto_scaling_group(asg).managed_draining;
        let steps = self
            .capacity
            .explain_termination(asg, victim, rebalance, managed);
        self.emit(
            ctx,
            Change::TerminationExplained {
                asg,
                instance: self.capacity.instance(victim),
                steps: &steps,
            },
        );
    }

    /// The group terminates one of its instances (rebalancing or scale-in): at once, or
    /// with managed draining DRAINING first and terminated once its tasks are gone or
    /// `managedDrainingTimeout` passes.
    fn group_terminates(&mut self, victim: InstanceId, loss: InstanceLoss, ctx: &mut Ctx<'_>) {
        let asg = self.capacity.instance(victim).auto_scaling_group;
        let managed = asg.is_some_and(|asg| self.capacity.auto_scaling_group(asg).managed_draining);
        if !managed {
            self.terminate_instance(victim, loss, ctx);
            return;
        }
        self.capacity.mark_terminating(victim, loss);
        let at = ctx
            .now
            .plus_ms(self.config.parameters.managed_draining_timeout_ms);
        let key = ctx
            .queue
            .schedule(at, Event::DrainingTimedOut { instance: victim });
        self.capacity.add_instance_timer(victim, key);
        if self.capacity.instance(victim).status == InstanceStatus::Draining {
            self.draining_progress(victim, ctx);
        } else {
            self.drain(victim, DrainCause::ManagedDraining, ctx);
        }
    }

    /// `SetDesiredCapacity`: launches up to the new capacity, or terminates down to it.
    pub(super) fn set_desired_capacity(&mut self, asg: AsgId, desired: u32, ctx: &mut Ctx<'_>) {
        let from = self.capacity.desired_capacity(asg);
        self.capacity.set_desired_capacity(asg, desired);
        self.emit(
            ctx,
            Change::DesiredCapacityChanged {
                asg,
                from,
                to: desired,
            },
        );
        self.reconcile_asg(asg, ctx);
        self.refresh_scale_in_protection(asg);
        while let Some(victim) = self.capacity.termination_victim(asg) {
            self.explain_termination(asg, victim, false, ctx);
            self.group_terminates(victim, InstanceLoss::ScaleIn, ctx);
        }
    }

    /// The instance is DRAINING: no new tasks (ECS.md §5.2). Its services replace their
    /// tasks there within their deployment limits; standalone tasks run on.
    pub(super) fn drain(&mut self, id: InstanceId, cause: DrainCause, ctx: &mut Ctx<'_>) {
        let instance = self.capacity.instance(id);
        if instance.status != InstanceStatus::Active {
            return;
        }
        let connected = instance.agent_connected;
        self.capacity
            .set_state(id, InstanceStatus::Draining, connected);
        self.emit(
            ctx,
            Change::InstanceDraining {
                instance: self.capacity.instance(id),
                cause,
            },
        );
        self.services_on(id, ctx);
        self.draining_progress(id, ctx);
    }

    /// `UpdateContainerInstancesState` to ACTIVE: the instance takes tasks again.
    pub(super) fn activate(&mut self, id: InstanceId, ctx: &mut Ctx<'_>) {
        let instance = self.capacity.instance(id);
        if instance.status != InstanceStatus::Draining || instance.terminating.is_some() {
            return;
        }
        let connected = instance.agent_connected;
        self.capacity
            .set_state(id, InstanceStatus::Active, connected);
        self.emit(
            ctx,
            Change::InstanceActivated {
                instance: self.capacity.instance(id),
            },
        );
        self.daemon_passes(ctx);
    }

    /// Asks every service with tasks on the instance, and every DAEMON service, for a pass.
    fn services_on(&mut self, id: InstanceId, ctx: &mut Ctx<'_>) {
        let mut services: Vec<ServiceId> = self
            .capacity
            .instance(id)
            .tasks
            .iter()
            .filter_map(|&task| self.tasks.get(task).service)
            .chain(self.services.iter().filter(|s| s.is_daemon()).map(|s| s.id))
            .collect();
        services.sort_unstable();
        services.dedup();
        for service in services {
            self.request_pass(service, ctx);
        }
    }

    /// A DRAINING instance lost a task, or just started draining. Daemon tasks stop last,
    /// once nothing else runs there (ECS.md §4.1); an instance its group is terminating goes
    /// once it is empty.
    pub(super) fn draining_progress(&mut self, id: InstanceId, ctx: &mut Ctx<'_>) {
        let instance = self.capacity.instance(id);
        let daemon_only = instance.tasks.iter().all(|&task| {
            let task = self.tasks.get(task);
            !task.last_status.is_active()
                || task
                    .service
                    .is_some_and(|s| self.services[s.index()].is_daemon())
        });
        if daemon_only {
            let daemons: Vec<TaskId> = instance
                .tasks
                .iter()
                .copied()
                .filter(|&task| self.tasks.get(task).last_status.is_active())
                .collect();
            for task in daemons {
                let reason: Arc<str> = Arc::from("Container instance is draining");
                self.stop(task, StopCode::ServiceSchedulerInitiated, reason, ctx);
            }
        }
        // The group terminates a drained instance; EC2 reclaims a Spot one at the end of
        // its notice, whatever is left on it.
        let instance = self.capacity.instance(id);
        if let (true, Some(loss @ (InstanceLoss::ScaleIn | InstanceLoss::AzRebalance))) =
            (instance.tasks.is_empty(), instance.terminating)
        {
            self.terminate_instance(id, loss, ctx);
        }
    }

    /// Managed draining waited long enough: the group terminates the instance now.
    pub(super) fn draining_timed_out(&mut self, id: InstanceId, ctx: &mut Ctx<'_>) {
        if let Some(loss) = self.capacity.instance(id).terminating {
            self.terminate_instance(id, loss, ctx);
        }
    }

    /// EC2's two-minute notice (ECS.md §5.4): with Spot draining enabled on the group the
    /// instance is DRAINING at once; either way it is lost `spotNoticeTime` later.
    pub(super) fn spot_interruption_noticed(&mut self, id: InstanceId, ctx: &mut Ctx<'_>) {
        let instance = self.capacity.instance(id);
        if !instance.is_live() || instance.terminating == Some(InstanceLoss::SpotInterruption) {
            return;
        }
        let drains = instance
            .auto_scaling_group
            .is_some_and(|asg| self.capacity.auto_scaling_group(asg).spot_instance_draining);
        let lost_at = ctx.now.plus_ms(self.config.parameters.spot_notice_ms);
        self.capacity
            .mark_terminating(id, InstanceLoss::SpotInterruption);
        let key = ctx.queue.schedule(
            lost_at,
            Event::InstanceTerminated {
                instance: id,
                loss: InstanceLoss::SpotInterruption,
            },
        );
        self.capacity.add_instance_timer(id, key);
        self.emit(
            ctx,
            Change::SpotInterruptionNotice {
                instance: self.capacity.instance(id),
                lost_at,
            },
        );
        if drains {
            self.drain(id, DrainCause::SpotInterruption, ctx);
        }
    }

    /// The agent lost its connection: the instance takes no task, and its tasks are neither
    /// stopped nor replaced (ECS.md §5.3, A16).
    pub(super) fn agent_disconnected(&mut self, id: InstanceId, fault: u32, ctx: &mut Ctx<'_>) {
        let instance = self.capacity.instance(id);
        if !instance.is_live() || !instance.agent_connected {
            return;
        }
        let status = instance.status;
        self.capacity.set_state(id, status, false);
        self.emit(
            ctx,
            Change::AgentDisconnected {
                instance: self.capacity.instance(id),
            },
        );
        if let FaultKind::AgentDisconnect {
            duration_ms: Some(duration_ms),
            ..
        } = self.config.faults[fault as usize].kind
        {
            let key = ctx.queue.schedule(
                ctx.now.plus_ms(duration_ms),
                Event::AgentReconnected { instance: id },
            );
            self.capacity.add_instance_timer(id, key);
        }
    }

    pub(super) fn agent_reconnected(&mut self, id: InstanceId, ctx: &mut Ctx<'_>) {
        let instance = self.capacity.instance(id);
        if !instance.is_live() || instance.agent_connected {
            return;
        }
        let status = instance.status;
        self.capacity.set_state(id, status, true);
        self.emit(
            ctx,
            Change::AgentReconnected {
                instance: self.capacity.instance(id),
            },
        );
        self.daemon_passes(ctx);
    }

    /// Every instance in the zone is lost and nothing launches there until the outage ends.
    pub(super) fn start_zone_outage(&mut self, fault: u32, ctx: &mut Ctx<'_>) {
        let FaultKind::ZoneOutage { zone, duration_ms } = self.config.faults[fault as usize].kind
        else {
            unreachable!("ZoneOutageStarted is only scheduled for zoneOutage faults");
        };
        self.note_fault(fault, 1, ctx);
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
