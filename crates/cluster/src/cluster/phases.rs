//! Zero-length lifecycle phases, applied in the event that began them: a task's next phase
//! (`eniAttachTime`, `startupTime`, its runtime, the deregistration delay, `shutdownTime`)
//! that lasts 0 ms is not a queue event of its own but a "due now" entry, applied at the end
//! of the same `Cluster::handle`, in the order the entries were made (ECS.md §3: a task
//! placed with no startup time is RUNNING at once; no other event at that instant sees it
//! PENDING).
//!
//! Why a list drained at the end of the event, and not a direct call: the phase begins in
//! the middle of loops (a scheduler pass placing many tasks, an instance's termination
//! stopping many, a deployment step), whose counts and plans must not change under them.
//! Applied after the event's own work, in FIFO order, each entry does exactly what its
//! queue event did when it fired next, with the same seq as the event that began it.

use super::{Cluster, Ctx};
use crate::event::Event;
use crate::ids::TaskId;

/// The task a lifecycle phase's event is about; only these events are ever due now.
fn phase_task(event: &Event) -> TaskId {
    match *event {
        Event::TaskProvisioned { task }
        | Event::TaskStarted { task }
        | Event::TaskExited { task, .. }
        | Event::TaskDeregistered { task }
        | Event::TaskStopped { task } => task,
        _ => unreachable!("only a task's lifecycle phases are due now, not {event:?}"),
    }
}

impl Cluster {
    /// Begins a phase of task `id` lasting `length_ms`, which ends with `event`: a queue
    /// event `length_ms` from now, kept among the task's timers; or, when the phase has no
    /// length, an entry due now, applied before this event ends.
    pub(super) fn begin_phase(
        &mut self,
        id: TaskId,
        length_ms: u64,
        event: Event,
        ctx: &mut Ctx<'_>,
    ) {
        debug_assert_eq!(
            phase_task(&event),
            id,
            "a phase ends with its own task's event"
        );
        if length_ms == 0 {
            self.due_tokens += 1;
            self.tasks.get_mut(id).phase_due_now = Some(self.due_tokens);
            self.due_now.push_back((event, self.due_tokens));
        } else {
            let key = ctx.queue.schedule(ctx.now.plus_ms(length_ms), event);
            self.tasks.get_mut(id).timers.push(key);
        }
    }

    /// Cancels everything pending about task `id`: its queue events and its phase due now,
    /// if any (the task stops for another reason before the phase ended, as a queue event
    /// not yet popped would have been cancelled). The list entry stays, stale: its token is
    /// no longer the task's, so that a mass stop (a service scaled in with no shutdown
    /// time) costs O(1) per task rather than a search of the list each.
    pub(super) fn cancel_timers(&mut self, id: TaskId, ctx: &mut Ctx<'_>) {
        let task = self.tasks.get_mut(id);
        for key in std::mem::take(&mut task.timers) {
            ctx.queue.cancel(key);
        }
        task.phase_due_now = None;
    }

    /// Applies the phases due now, oldest first, each as its queue event would have been
    /// applied; one may make another due (a task started with no runtime exits at once).
    /// An entry whose phase was cancelled since is skipped: its token is no longer its
    /// task's (the task has no phase due, or a later one of its own, or is gone and its
    /// slot empty or another task's). Every task's lifecycle is finite and passes are
    /// always queue events, so this ends.
    pub(super) fn apply_due_now(&mut self, ctx: &mut Ctx<'_>) {
        while let Some((event, token)) = self.due_now.pop_front() {
            let id = phase_task(&event);
            let due = self
                .tasks
                .get_live(id)
                .is_some_and(|task| task.phase_due_now == Some(token));
            if due {
                self.tasks.get_mut(id).phase_due_now = None;
                self.apply(event, ctx);
            }
        }
    }

    /// Whether task `id` has a phase due now (never once it is STOPPED, nor between events).
    pub(super) fn has_phase_due_now(&self, id: TaskId) -> bool {
        self.tasks.get(id).phase_due_now.is_some()
    }

    /// Panics unless no phase is due (between events) and no task rests in a phase of no
    /// length: each was applied in the event that began it.
    pub(super) fn check_phases(&self) {
        assert!(
            self.due_now.is_empty(),
            "phases due now left after the event: {:?}",
            self.due_now
        );
        for task in self.tasks.iter() {
            assert!(
                task.phase_due_now.is_none(),
                "{} is marked due now between events",
                task.name()
            );
            assert_ne!(
                self.phase_length_ms(task.id),
                Some(0),
                "{} rests in a zero-length phase ({})",
                task.name(),
                task.last_status.as_str()
            );
        }
    }
}
