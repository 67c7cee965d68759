//! The run's levels as step functions: per service the tasks RUNNING, the desired count and
//! the tasks counted healthy; per zone the live instances and the CPU and memory they have
//! registered and their tasks reserve. Worked out from the change records alone (never from
//! periodic events), and told as `Level`s only when a value changed. `timeseries.csv` and
//! `report.html` each keep one `Levels`, fed the same records, so they agree.
//!
//! Rows at one instant are coalesced: a series touched several times at the same time is
//! told once, with its value after the last change at that time, and only if it differs
//! from the value told before. Within an instant, series come in the order the changes
//! first touched them, and the series one change touches in `(Series, key)` order.
//!
//! `healthy` is the count the service scheduler uses for `minimumHealthyPercent`
//! (`Task::is_healthy`, ECS.md §4.4): RUNNING, not found unhealthy by its health checks, past
//! the moment it counts as healthy (container health checks passed, or the healthy delay
//! after RUNNING when it has no checks and no load balancer) and, when registered with
//! target groups, its targets passed their initial checks. That moment has no event of its
//! own, so a task waiting for it is kept aside and counted when the next record (or the end
//! of the run) passes it, at its own time.

use std::collections::BTreeMap;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::ServiceId;
use cluster::instance::ContainerInstance;
use cluster::task::{Task, TaskStatus};
use des::SimTime;

/// One kind of level; its `key` is a service or a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Series {
    /// The service's tasks RUNNING (`runningCount`).
    Running,
    /// The service's desired count.
    Desired,
    /// The service's tasks counted healthy (see the module's documentation).
    Healthy,
    /// The zone's instances registered with the cluster (ACTIVE or DRAINING).
    Instances,
    /// CPU units the tasks on the zone's instances reserve (registered less remaining).
    ReservedCpu,
    /// MiB the tasks on the zone's instances reserve.
    ReservedMemory,
    /// CPU units the zone's instances register.
    RegisteredCpu,
    /// MiB the zone's instances register.
    RegisteredMemory,
}

impl Series {
    /// A service's series, in row order.
    pub(crate) const SERVICE: [Series; 3] = [Series::Running, Series::Desired, Series::Healthy];
    /// A zone's series, in row order.
    pub(crate) const ZONE: [Series; 5] = [
        Series::Instances,
        Series::ReservedCpu,
        Series::ReservedMemory,
        Series::RegisteredCpu,
        Series::RegisteredMemory,
    ];

    /// The `series` column of `timeseries.csv`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Series::Running => "running",
            Series::Desired => "desired",
            Series::Healthy => "healthy",
            Series::Instances => "instances",
            Series::ReservedCpu => "reservedCpu",
            Series::ReservedMemory => "reservedMemory",
            Series::RegisteredCpu => "registeredCpu",
            Series::RegisteredMemory => "registeredMemory",
        }
    }

    /// Its position among its service's or zone's series.
    pub(crate) fn offset(self) -> usize {
        match self {
            Series::Running | Series::Instances => 0,
            Series::Desired | Series::ReservedCpu => 1,
            Series::Healthy | Series::ReservedMemory => 2,
            Series::RegisteredCpu => 3,
            Series::RegisteredMemory => 4,
        }
    }

    /// Of a service (else of a zone).
    pub(crate) fn of_service(self) -> bool {
        self <= Series::Healthy
    }
}

/// A series' new value from `at` on: of service `key` (`ServiceId`) or zone `key` (`ZoneId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Level {
    pub(crate) at: SimTime,
    pub(crate) series: Series,
    pub(crate) key: usize,
    pub(crate) value: u64,
}

/// A set of live tasks, one bit per task slot (`TaskId`): a lookup per task change in a tree
/// of every healthy task was a tenth of writing the outputs. Slots, unlike task numbers, are
/// reused once a task is STOPPED, so the set grows with the live tasks, not with every task
/// ever created; a task's `TaskStopped` record clears its bits before its slot is reused.
#[derive(Debug, Default)]
struct TaskSet {
    words: Vec<u64>,
}

impl TaskSet {
    fn contains(&self, slot: usize) -> bool {
        let (word, bit) = (slot / 64, slot % 64);
        self.words.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    fn insert(&mut self, slot: usize) {
        let (word, bit) = (slot / 64, slot % 64);
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << bit;
    }

    fn remove(&mut self, slot: usize) {
        let (word, bit) = (slot / 64, slot % 64);
        if let Some(w) = self.words.get_mut(word) {
            *w &= !(1 << bit);
        }
    }
}

/// Follows the levels through the change records.
#[derive(Debug, Default)]
pub(crate) struct Levels {
    services: usize,
    /// Current values by slot: services' series first (`3 x service + offset`), then
    /// zones' (`5 x zone + offset`).
    values: Vec<u64>,
    /// The value last told, per slot; `None` before the first.
    told: Vec<Option<u64>>,
    /// The instant being gathered, its slots in the order first touched, and a mark per slot.
    now: SimTime,
    touched: Vec<usize>,
    marked: Vec<bool>,
    /// Slots the current change touches, sorted before joining `touched`.
    changed: Vec<usize>,
    /// Task slots counted healthy.
    healthy: TaskSet,
    /// Tasks that will count as healthy at a known time unless a record about them comes
    /// first: by (time, task number) with the service and the task's slot, and that time by
    /// task number.
    waiting: BTreeMap<(SimTime, u64), (ServiceId, usize)>,
    waiting_at: BTreeMap<u64, SimTime>,
    /// The slots of the tasks in `waiting_at`: most task changes are of tasks not waiting,
    /// and this answers them without a search.
    waiting_slots: TaskSet,
    /// Per instance ever registered: what its tasks reserve `[cpu, memory]`, as last seen.
    reserved: Vec<[u64; 2]>,
}

impl Levels {
    /// Every series of `cluster` (the model at time zero), each told at time zero whatever
    /// its value.
    pub(crate) fn new(cluster: &Cluster) -> Levels {
        let services = cluster.services().len();
        let slots = services * Series::SERVICE.len() + cluster.zone_count() * Series::ZONE.len();
        let mut levels = Levels {
            services,
            values: vec![0; slots],
            told: vec![None; slots],
            marked: vec![false; slots],
            ..Levels::default()
        };
        for service in cluster.services() {
            levels.sync_service(service.id, cluster);
        }
        for instance in cluster.instances().iter().filter(|i| i.is_live()) {
            levels.instance_joins(instance, 1);
            levels.sync_reserved(instance);
        }
        levels.changed.clear();
        for slot in 0..slots {
            levels.touch(slot);
        }
        levels
    }

    /// Hears one change; tells `out` every level that changed at instants now closed.
    pub(crate) fn record(
        &mut self,
        at: SimTime,
        change: &Change<'_>,
        cluster: &Cluster,
        out: &mut dyn FnMut(Level),
    ) {
        self.advance(at, out);
        self.apply(at, change, cluster);
        self.commit();
    }

    /// The slots the last change touched join the instant, in slot order.
    fn commit(&mut self) {
        let mut changed = std::mem::take(&mut self.changed);
        changed.sort_unstable();
        for &slot in &changed {
            self.touch(slot);
        }
        changed.clear();
        self.changed = changed;
    }

    /// The run ended at `end`: tells the levels still gathered, waiting tasks that count as
    /// healthy by then included.
    pub(crate) fn finish(&mut self, end: SimTime, out: &mut dyn FnMut(Level)) {
        self.advance(end.max(self.now), out);
        self.flush(out);
    }

    fn slot(&self, series: Series, key: usize) -> usize {
        if series.of_service() {
            key * Series::SERVICE.len() + series.offset()
        } else {
            self.services * Series::SERVICE.len() + key * Series::ZONE.len() + series.offset()
        }
    }

    fn series_of(&self, slot: usize) -> (Series, usize) {
        let service_slots = self.services * Series::SERVICE.len();
        if slot < service_slots {
            let n = Series::SERVICE.len();
            (Series::SERVICE[slot % n], slot / n)
        } else {
            let n = Series::ZONE.len();
            let slot = slot - service_slots;
            (Series::ZONE[slot % n], slot / n)
        }
    }

    fn touch(&mut self, slot: usize) {
        if !self.marked[slot] {
            self.marked[slot] = true;
            self.touched.push(slot);
        }
    }

    fn set(&mut self, series: Series, key: usize, value: u64) {
        let slot = self.slot(series, key);
        if self.values[slot] != value {
            self.values[slot] = value;
            self.changed.push(slot);
        }
    }

    fn add(&mut self, series: Series, key: usize, delta: i64) {
        let slot = self.slot(series, key);
        let value = self.values[slot]
            .checked_add_signed(delta)
            .expect("a level never goes below zero");
        self.set(series, key, value);
    }

    /// Closes the instants before `at`: tasks waiting to count as healthy up to `at` are
    /// counted at their own times.
    fn advance(&mut self, at: SimTime, out: &mut dyn FnMut(Level)) {
        while let Some((&(when, number), &(service, slot))) = self.waiting.first_key_value() {
            if when > at {
                break;
            }
            self.waiting.pop_first();
            self.waiting_at.remove(&number);
            self.waiting_slots.remove(slot);
            if when > self.now {
                self.flush(out);
                self.now = when;
            }
            self.healthy.insert(slot);
            self.add(Series::Healthy, service.index(), 1);
            self.commit();
        }
        if at > self.now {
            self.flush(out);
            self.now = at;
        }
    }

    /// Tells the gathered instant's changed levels.
    fn flush(&mut self, out: &mut dyn FnMut(Level)) {
        for slot in std::mem::take(&mut self.touched) {
            self.marked[slot] = false;
            let value = self.values[slot];
            if self.told[slot] != Some(value) {
                self.told[slot] = Some(value);
                let (series, key) = self.series_of(slot);
                out(Level {
                    at: self.now,
                    series,
                    key,
                    value,
                });
            }
        }
    }

    fn apply(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        match *change {
            Change::InstanceRegistered { instance } => {
                self.instance_joins(instance, 1);
                self.sync_reserved(instance);
            }
            Change::InstanceTerminated { instance, .. } => self.instance_joins(instance, -1),
            Change::TaskPlaced { task } | Change::TaskStopped { task } => {
                self.sync_reserved(cluster.instance(task.instance));
                self.sync_task(at, task, cluster);
            }
            Change::TaskPending { task }
            | Change::TaskActivating { task }
            | Change::TaskRunning { task }
            | Change::TargetHealthy { task }
            | Change::TaskUnhealthy { task, .. }
            | Change::ContainerExited { task, .. }
            | Change::TaskDeactivating { task, .. }
            | Change::TaskStopping { task }
            | Change::TaskDeprovisioning { task } => self.sync_task(at, task, cluster),
            Change::DesiredCountChanged { service, .. }
            | Change::ServiceSchedulerPass { service, .. } => {
                self.sync_service(service.id, cluster)
            }
            _ => {}
        }
    }

    /// An instance registered (`sign` 1) or left (-1): its zone's count and registered
    /// resources.
    fn instance_joins(&mut self, instance: &ContainerInstance, sign: i64) {
        let zone = instance.availability_zone.index();
        let kind = &instance.instance_type;
        self.add(Series::Instances, zone, sign);
        self.add(
            Series::RegisteredCpu,
            zone,
            sign * i64::from(kind.cpu_units),
        );
        self.add(
            Series::RegisteredMemory,
            zone,
            sign * i64::from(kind.memory_mib),
        );
    }

    /// What the instance's tasks reserve now, into its zone's totals.
    fn sync_reserved(&mut self, instance: &ContainerInstance) {
        let index = instance.id.index();
        if self.reserved.len() <= index {
            self.reserved.resize(index + 1, [0, 0]);
        }
        let kind = &instance.instance_type;
        let now = [
            u64::from(kind.cpu_units.saturating_sub(instance.remaining_cpu_units)),
            u64::from(
                kind.memory_mib
                    .saturating_sub(instance.remaining_memory_mib),
            ),
        ];
        let before = std::mem::replace(&mut self.reserved[index], now);
        let zone = instance.availability_zone.index();
        for (series, (now, before)) in [Series::ReservedCpu, Series::ReservedMemory]
            .into_iter()
            .zip(now.into_iter().zip(before))
        {
            if now != before {
                self.add(series, zone, now as i64 - before as i64);
            }
        }
    }

    fn sync_service(&mut self, service: ServiceId, cluster: &Cluster) {
        let model = cluster.service(service);
        self.set(
            Series::Running,
            service.index(),
            u64::from(model.running_count),
        );
        self.set(
            Series::Desired,
            service.index(),
            u64::from(model.desired_count),
        );
    }

    /// A service task changed: whether it counts as healthy now, or will at a known time.
    fn sync_task(&mut self, at: SimTime, task: &Task, cluster: &Cluster) {
        let Some(service) = task.service else { return };
        let slot = task.id.index();
        if self.waiting_slots.contains(slot) {
            self.waiting_slots.remove(slot);
            if let Some(when) = self.waiting_at.remove(&task.number) {
                self.waiting.remove(&(when, task.number));
            }
        }
        let healthy = task.is_healthy(at);
        let counted = self.healthy.contains(slot);
        if healthy && !counted {
            self.healthy.insert(slot);
            self.add(Series::Healthy, service.index(), 1);
        } else if !healthy && counted {
            self.healthy.remove(slot);
            self.add(Series::Healthy, service.index(), -1);
        }
        if !healthy
            && task.last_status == TaskStatus::Running
            && !task.health.unhealthy
            && (!task.registered || task.health.target_healthy)
        {
            if let Some(when) = task.health.healthy_at.filter(|&when| when > at) {
                self.waiting.insert((when, task.number), (service, slot));
                self.waiting_at.insert(task.number, when);
                self.waiting_slots.insert(slot);
            }
        }
        debug_assert!(
            task.last_status != TaskStatus::Stopped
                || !(self.healthy.contains(slot) || self.waiting_slots.contains(slot)),
            "a STOPPED task's slot is clear before it is reused"
        );
        self.sync_service(service, cluster);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_names_and_slots_round_trip() {
        let levels = Levels {
            services: 2,
            ..Levels::default()
        };
        for key in 0..2 {
            for series in Series::SERVICE {
                assert_eq!(levels.series_of(levels.slot(series, key)), (series, key));
            }
        }
        for key in 0..3 {
            for series in Series::ZONE {
                assert_eq!(levels.series_of(levels.slot(series, key)), (series, key));
            }
        }
        assert_eq!(Series::ReservedCpu.name(), "reservedCpu");
    }

    #[test]
    fn a_task_set_holds_what_was_inserted_and_not_removed() {
        let mut set = TaskSet::default();
        let numbers = [1, 63, 64, 65, 127, 128, 1000, 70_000];
        for n in numbers {
            assert!(!set.contains(n));
            set.insert(n);
        }
        for n in 0..71_000 {
            assert_eq!(set.contains(n), numbers.contains(&n), "{n}");
        }
        set.remove(64);
        set.remove(2_000_000);
        assert!(!set.contains(64) && set.contains(63) && set.contains(65));
    }
}
