//! The tasks part of the model: live tasks in a slab whose slots are reused once a task is
//! STOPPED and written out, and the per-group counts of active tasks that `spread` and
//! `distinctInstance` read.
//!
//! Memory grows with the tasks alive at once, not with the tasks ever created: a `TaskId` is
//! a slot, valid from placement until STOPPED; the task's number (`t-000042`) is its place
//! in creation order and never reused.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{GroupId, InstanceId, TaskId, ZoneId};
use crate::task::Task;

/// Tasks of one task group that are PROVISIONING, PENDING or RUNNING, by instance and zone.
#[derive(Debug)]
pub struct Group {
    pub name: String,
    per_instance: BTreeMap<InstanceId, u32>,
    /// The same counts, ordered by (count, zone, instance): `spread` on `instanceId` finds
    /// the least-loaded hosts of the group, in a zone or anywhere, here.
    by_count: BTreeSet<(u32, ZoneId, InstanceId)>,
    per_zone: Vec<u32>,
    /// Instances hosting the group, per zone.
    hosts_per_zone: Vec<u32>,
    /// Tasks ever started in the group; the next one's ordinal.
    launched: u32,
}

#[derive(Debug)]
pub struct Tasks {
    slots: Vec<Option<Task>>,
    /// Free slots, reused last-freed first.
    free: Vec<TaskId>,
    live: usize,
    /// Tasks ever created: the next task's number less one.
    created: u64,
    groups: Vec<Group>,
    group_ids: BTreeMap<String, GroupId>,
    zone_count: usize,
}

impl Tasks {
    pub(crate) fn new(zone_count: usize) -> Tasks {
        Tasks {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            created: 0,
            groups: Vec::new(),
            group_ids: BTreeMap::new(),
            zone_count,
        }
    }

    /// A live task. Panics on a slot that holds none: ids are valid until STOPPED.
    pub fn get(&self, id: TaskId) -> &Task {
        self.slots[id.index()]
            .as_ref()
            .expect("a task id is used only while the task is live")
    }

    /// The live task in slot `id`, if any (a slot is empty once its task is STOPPED, until
    /// it is reused).
    pub(crate) fn get_live(&self, id: TaskId) -> Option<&Task> {
        self.slots.get(id.index()).and_then(Option::as_ref)
    }

    pub(crate) fn get_mut(&mut self, id: TaskId) -> &mut Task {
        self.slots[id.index()]
            .as_mut()
            .expect("a task id is used only while the task is live")
    }

    /// Tasks not yet STOPPED and written out.
    pub fn live_count(&self) -> usize {
        self.live
    }

    /// Tasks ever created.
    pub fn created_count(&self) -> u64 {
        self.created
    }

    /// Live tasks in creation order (the order of their numbers).
    pub fn live_in_creation_order(&self) -> Vec<&Task> {
        let mut tasks: Vec<&Task> = self.slots.iter().flatten().collect();
        tasks.sort_unstable_by_key(|task| task.number);
        tasks
    }

    /// The next task's slot and number; `insert` must follow.
    pub(crate) fn next_slot(&self) -> (TaskId, u64) {
        let id = self
            .free
            .last()
            .copied()
            .unwrap_or(TaskId(self.slots.len() as u32));
        (id, self.created + 1)
    }

    pub(crate) fn insert(&mut self, task: Task) {
        let id = task.id;
        if task.number == self.created + 1 {
            self.created += 1;
        } else {
            // A task that waited in PROVISIONING took its number when it was created.
            assert!(task.number <= self.created, "tasks are numbered in order");
        }
        self.live += 1;
        if self.free.last() == Some(&id) {
            self.free.pop();
            self.slots[id.index()] = Some(task);
        } else {
            assert_eq!(id.index(), self.slots.len(), "insert follows next_slot");
            self.slots.push(Some(task));
        }
    }

    /// A number for a task created now that is placed later (a capacity provider's task
    /// waiting in PROVISIONING, ECS.md §5.5): its place in creation order.
    pub(crate) fn take_number(&mut self) -> u64 {
        self.created += 1;
        self.created
    }

    /// The task is STOPPED and written out: its slot is free for the next one.
    pub(crate) fn remove(&mut self, id: TaskId) -> Task {
        let task = self.slots[id.index()]
            .take()
            .expect("a task is removed once");
        self.free.push(id);
        self.live -= 1;
        task
    }

    /// Every live task, in slot order (for invariants; not an order anything decides by).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Task> {
        self.slots.iter().flatten()
    }

    // ---- task groups ----

    pub(crate) fn intern_group(&mut self, name: &str) -> GroupId {
        if let Some(&id) = self.group_ids.get(name) {
            return id;
        }
        let id = GroupId(self.groups.len() as u32);
        self.groups.push(Group {
            name: name.to_string(),
            per_instance: BTreeMap::new(),
            by_count: BTreeSet::new(),
            per_zone: vec![0; self.zone_count],
            hosts_per_zone: vec![0; self.zone_count],
            launched: 0,
        });
        self.group_ids.insert(name.to_string(), id);
        id
    }

    pub fn group_name(&self, id: GroupId) -> &str {
        &self.groups[id.index()].name
    }

    /// The group named `name` (`service:web`, `family:batch`...), if any task ever used it.
    pub fn group_id(&self, name: &str) -> Option<GroupId> {
        self.group_ids.get(name).copied()
    }

    /// Active tasks of `group` on `instance`.
    pub fn group_tasks_on(&self, group: GroupId, instance: InstanceId) -> u32 {
        self.groups[group.index()]
            .per_instance
            .get(&instance)
            .copied()
            .unwrap_or(0)
    }

    /// Active tasks of `group` in `zone`.
    pub fn group_tasks_in_zone(&self, group: GroupId, zone: ZoneId) -> u32 {
        self.groups[group.index()].per_zone[zone.index()]
    }

    /// Instances hosting active tasks of `group`, with their counts, in id order.
    pub fn group_instances(&self, group: GroupId) -> impl Iterator<Item = (InstanceId, u32)> + '_ {
        self.groups[group.index()]
            .per_instance
            .iter()
            .map(|(&instance, &count)| (instance, count))
    }

    /// Instances hosting active tasks of `group`, by ascending (count, zone, id), from
    /// `from` on.
    pub fn group_hosts_by_count(
        &self,
        group: GroupId,
        from: (u32, ZoneId, InstanceId),
    ) -> impl DoubleEndedIterator<Item = (u32, ZoneId, InstanceId)> + '_ {
        self.groups[group.index()].by_count.range(from..).copied()
    }

    /// How many distinct instances in `zone` host active tasks of `group`.
    pub fn group_hosts_in_zone(&self, group: GroupId, zone: ZoneId) -> u32 {
        self.groups[group.index()].hosts_per_zone[zone.index()]
    }

    /// How many distinct instances host active tasks of `group`.
    pub fn group_instance_count(&self, group: GroupId) -> usize {
        self.groups[group.index()].per_instance.len()
    }

    /// A task of `group` became active on `instance`; returns its ordinal in the group.
    pub(crate) fn group_enter(
        &mut self,
        group: GroupId,
        instance: InstanceId,
        zone: ZoneId,
    ) -> u32 {
        let group = &mut self.groups[group.index()];
        let count = group.per_instance.entry(instance).or_default();
        if *count == 0 {
            group.hosts_per_zone[zone.index()] += 1;
        } else {
            group.by_count.remove(&(*count, zone, instance));
        }
        *count += 1;
        group.by_count.insert((*count, zone, instance));
        group.per_zone[zone.index()] += 1;
        group.launched += 1;
        group.launched - 1
    }

    /// A task of `group` on `instance` stopped being active.
    pub(crate) fn group_leave(&mut self, group: GroupId, instance: InstanceId, zone: ZoneId) {
        let group = &mut self.groups[group.index()];
        let count = group
            .per_instance
            .get_mut(&instance)
            .expect("an active task is counted on its instance");
        group.by_count.remove(&(*count, zone, instance));
        *count -= 1;
        if *count == 0 {
            group.per_instance.remove(&instance);
            group.hosts_per_zone[zone.index()] -= 1;
        } else {
            group.by_count.insert((*count, zone, instance));
        }
        group.per_zone[zone.index()] -= 1;
    }

    /// For `check_invariants`: the group counts recomputed from the live tasks.
    pub(crate) fn check_groups(&self) {
        let mut per_instance = vec![BTreeMap::<InstanceId, u32>::new(); self.groups.len()];
        let mut per_zone = vec![vec![0u32; self.zone_count]; self.groups.len()];
        let mut zone_of = BTreeMap::new();
        for task in self.iter().filter(|task| task.last_status.is_active()) {
            zone_of.insert(task.instance, task.availability_zone);
            *per_instance[task.group.index()]
                .entry(task.instance)
                .or_default() += 1;
            per_zone[task.group.index()][task.availability_zone.index()] += 1;
        }
        for (index, group) in self.groups.iter().enumerate() {
            assert_eq!(
                group.per_instance, per_instance[index],
                "{}: per-instance counts are off",
                group.name
            );
            let by_count: BTreeSet<(u32, ZoneId, InstanceId)> = per_instance[index]
                .iter()
                .map(|(&instance, &count)| (count, zone_of[&instance], instance))
                .collect();
            assert_eq!(
                group.by_count, by_count,
                "{}: counts by size are off",
                group.name
            );
            let mut hosts = vec![0u32; self.zone_count];
            for instance in per_instance[index].keys() {
                hosts[zone_of[instance].index()] += 1;
            }
            assert_eq!(
                group.hosts_per_zone, hosts,
                "{}: hosts per zone are off",
                group.name
            );
            assert_eq!(
                group.per_zone, per_zone[index],
                "{}: per-zone counts are off",
                group.name
            );
        }
        assert_eq!(self.iter().count(), self.live, "the live count is off");
        let free: std::collections::BTreeSet<TaskId> = self.free.iter().copied().collect();
        for (slot, task) in self.slots.iter().enumerate() {
            let id = TaskId(slot as u32);
            match task {
                Some(task) => assert_eq!(task.id, id, "a task sits in another's slot"),
                None => assert!(free.contains(&id), "an empty slot is not free"),
            }
        }
    }
}
