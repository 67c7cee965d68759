//! The task group figures (`groups.csv`, `summary.json`'s `groups`): for each task group
//! that `runTasks[].arrivals` call into, its arrivals, the tasks they asked for, placed and
//! failed, and how long each placed task waited from its arrival to its placement.
//!
//! Measured over the scenario's window (`metrics.warmup` to the end), by arrival: an
//! arrival in the window counts with its tasks, whenever they are placed. A task's arrival
//! is its `created_at`, the time of its RunTask call (ECS's `createdAt`), and its wait ends
//! with its `TaskPlaced` record; a task placed at its call waited 0 s. Validation keeps an
//! arrivals group free of other tasks (other RunTask entries, scheduled tasks, services), so
//! every task and placement failure of the group is an arrival's.
//!
//! Percentiles are exact (nearest rank over every wait): waits are kept as a count per
//! distinct wait in milliseconds, so memory grows with the number of distinct waits, at
//! most one entry per task placed in the window and a single one while every wait is 0.

use std::collections::BTreeMap;

use cluster::change::Change;
use des::SimTime;
use scenario::Scenario;

use crate::report::GroupReport;

/// One group's counts over the window.
#[derive(Clone, Debug)]
struct GroupStats {
    name: String,
    arrivals: u64,
    requested: u64,
    placed: u64,
    failed: u64,
    /// Waits of the tasks placed, in milliseconds: how many waited each.
    waits: BTreeMap<u64, u64>,
    wait_total_ms: u128,
}

/// Follows the task groups with arrivals through the change records.
#[derive(Debug)]
pub struct GroupFigures {
    window_start: SimTime,
    /// Per `runTasks` entry, its group's slot in `groups`; `None` without arrivals.
    run_slot: Vec<Option<usize>>,
    /// Per model group id, its slot in `groups`, learnt from each group's first arrival.
    group_slot: Vec<Option<usize>>,
    /// In the order `runTasks` first names them.
    groups: Vec<GroupStats>,
}

impl GroupFigures {
    /// The groups of `scenario`'s arrivals, measured from `window_start`.
    pub fn new(scenario: &Scenario, window_start: SimTime) -> GroupFigures {
        let mut groups: Vec<GroupStats> = Vec::new();
        let run_slot = scenario
            .run_tasks
            .iter()
            .map(|run| {
                run.arrivals.as_ref()?;
                let slot = groups
                    .iter()
                    .position(|group| group.name == run.group)
                    .unwrap_or_else(|| {
                        groups.push(GroupStats {
                            name: run.group.clone(),
                            arrivals: 0,
                            requested: 0,
                            placed: 0,
                            failed: 0,
                            waits: BTreeMap::new(),
                            wait_total_ms: 0,
                        });
                        groups.len() - 1
                    });
                Some(slot)
            })
            .collect();
        GroupFigures {
            window_start,
            run_slot,
            group_slot: Vec::new(),
            groups,
        }
    }

    fn slot(&self, group: cluster::ids::GroupId) -> Option<usize> {
        self.group_slot.get(group.0 as usize).copied().flatten()
    }

    pub fn record(&mut self, at: SimTime, change: &Change<'_>) {
        if self.groups.is_empty() {
            return;
        }
        match *change {
            Change::TaskArrived {
                run, group, count, ..
            } => {
                let Some(slot) = self.run_slot[run as usize] else {
                    return;
                };
                let index = group.0 as usize;
                if self.group_slot.len() <= index {
                    self.group_slot.resize(index + 1, None);
                }
                self.group_slot[index] = Some(slot);
                if at >= self.window_start {
                    let stats = &mut self.groups[slot];
                    stats.arrivals += 1;
                    stats.requested += u64::from(count);
                }
            }
            Change::TaskPlaced { task } if task.service.is_none() => {
                let Some(slot) = self.slot(task.group) else {
                    return;
                };
                if task.created_at >= self.window_start {
                    let wait = at.since(task.created_at);
                    let stats = &mut self.groups[slot];
                    stats.placed += 1;
                    *stats.waits.entry(wait).or_insert(0) += 1;
                    stats.wait_total_ms += u128::from(wait);
                }
            }
            Change::PlacementFailed {
                group,
                service: None,
                count,
                ..
            } => {
                if let Some(slot) = self.slot(group) {
                    if at >= self.window_start {
                        self.groups[slot].failed += u64::from(count);
                    }
                }
            }
            _ => {}
        }
    }

    /// The figures at the end of the run, one row per group.
    pub fn report(&self) -> Vec<GroupReport> {
        self.groups
            .iter()
            .map(|stats| GroupReport {
                group: stats.name.clone(),
                arrivals: stats.arrivals,
                tasks_requested: stats.requested,
                tasks_placed: stats.placed,
                tasks_failed: stats.failed,
                tasks_waiting: stats.requested.saturating_sub(stats.placed + stats.failed),
                failed_fraction: (stats.requested > 0)
                    .then(|| stats.failed as f64 / stats.requested as f64),
                mean_wait: (stats.placed > 0).then(|| {
                    let n = u128::from(stats.placed);
                    SimTime(((stats.wait_total_ms + n / 2) / n) as u64)
                }),
                wait_p50: nearest_rank(&stats.waits, stats.placed, 50),
                wait_p95: nearest_rank(&stats.waits, stats.placed, 95),
                wait_p99: nearest_rank(&stats.waits, stats.placed, 99),
            })
            .collect()
    }
}

/// The `p`-th percentile by nearest rank of `n` values held as counts per value: the
/// smallest value with at least `ceil(p n / 100)` values at or below it; `None` for none.
fn nearest_rank(counts: &BTreeMap<u64, u64>, n: u64, p: u64) -> Option<SimTime> {
    if n == 0 {
        return None;
    }
    let rank = (u128::from(p) * u128::from(n)).div_ceil(100).max(1);
    let mut seen = 0u128;
    for (&value, &count) in counts {
        seen += u128::from(count);
        if seen >= rank {
            return Some(SimTime(value));
        }
    }
    counts.keys().next_back().map(|&value| SimTime(value))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use cluster::change::{Change, Observer};
    use cluster::cluster::Cluster;
    use cluster::ids::{GroupId, TaskDefId};
    use cluster::task::Task;
    use des::SimTime;

    use super::{nearest_rank, GroupFigures};

    /// A task of group `jobs` as a real run makes it, and its group id.
    struct FirstTask(Option<Task>);

    impl Observer for FirstTask {
        fn record(&mut self, _: SimTime, _: u64, change: &Change<'_>, _: &Cluster) {
            if let (None, Change::TaskPlaced { task }) = (&self.0, change) {
                self.0 = Some((*task).clone());
            }
        }
    }

    #[test]
    fn waits_run_from_arrival_to_placement_and_count_by_arrival() {
        // Placement on a fixed fleet is at the call, so these records are made by hand from
        // a real task: what a run that keeps tasks waiting for capacity would tell.
        let scenario = scenario::load_str(
            "duration: 1h
cluster:
  availabilityZones: [a]
  instances: [{instanceType: m5.large, availabilityZone: a}]
taskDefinitions:
  - {family: job, containerDefinitions: [{name: job, memory: 256}]}
runTasks:
  - {taskDefinition: job, group: jobs, arrivals: {poisson: {mean: 1m}}}
metrics: {warmup: 50s}
",
            Path::new("g.yaml"),
            &[],
        )
        .expect("valid");
        let mut first = FirstTask(None);
        crate::simulate(&scenario, 1, &mut first, &mut |_, _| {});
        let model = first.0.expect("a task was placed");
        let group: GroupId = model.group;
        let task = |created_s: u64| Task {
            created_at: SimTime::from_secs(created_s),
            ..model.clone()
        };
        let arrived = |count| Change::TaskArrived {
            run: 0,
            arrival: 0,
            group,
            count,
        };
        let mut figures = GroupFigures::new(&scenario, SimTime::from_secs(50));
        let at = SimTime::from_secs;
        // Before the window: neither the arrival nor its task placed later counts.
        figures.record(at(10), &arrived(1));
        let early = task(10);
        figures.record(at(60), &Change::TaskPlaced { task: &early });
        // In it: three tasks, placed at once, after 30 s, and never.
        figures.record(at(100), &arrived(3));
        let (now, later) = (task(100), task(100));
        figures.record(at(100), &Change::TaskPlaced { task: &now });
        figures.record(at(130), &Change::TaskPlaced { task: &later });
        // And two that fail.
        figures.record(at(200), &arrived(2));
        figures.record(
            at(200),
            &Change::PlacementFailed {
                group,
                service: None,
                task_definition: TaskDefId(0),
                reason: "RESOURCE:CPU",
                count: 2,
            },
        );
        let report = figures.report();
        assert_eq!(report.len(), 1);
        let jobs = &report[0];
        assert_eq!(jobs.group, "jobs");
        assert_eq!(
            (
                jobs.arrivals,
                jobs.tasks_requested,
                jobs.tasks_placed,
                jobs.tasks_failed,
                jobs.tasks_waiting
            ),
            (2, 5, 2, 2, 1)
        );
        assert_eq!(jobs.failed_fraction, Some(0.4));
        assert_eq!(jobs.mean_wait, Some(SimTime::from_secs(15)));
        assert_eq!(jobs.wait_p50, Some(SimTime::ZERO));
        assert_eq!(jobs.wait_p95, Some(SimTime::from_secs(30)));
        assert_eq!(jobs.wait_p99, Some(SimTime::from_secs(30)));
    }

    fn counts(values: &[u64]) -> BTreeMap<u64, u64> {
        let mut counts = BTreeMap::new();
        for &value in values {
            *counts.entry(value).or_insert(0) += 1;
        }
        counts
    }

    /// The definition itself, on a sorted list.
    fn by_sorting(values: &[u64], p: u64) -> u64 {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
        sorted[rank - 1]
    }

    #[test]
    fn nearest_rank_of_known_lists() {
        // 1..=100: the p-th percentile is p.
        let hundred: Vec<u64> = (1..=100).collect();
        for p in [1, 50, 95, 99, 100] {
            assert_eq!(nearest_rank(&counts(&hundred), 100, p), Some(SimTime(p)));
        }
        // Five values: ranks ceil(2.5) = 3, ceil(4.75) = 5, ceil(4.95) = 5.
        let five = [40, 10, 30, 20, 50];
        assert_eq!(nearest_rank(&counts(&five), 5, 50), Some(SimTime(30)));
        assert_eq!(nearest_rank(&counts(&five), 5, 95), Some(SimTime(50)));
        assert_eq!(nearest_rank(&counts(&[7]), 1, 99), Some(SimTime(7)));
        assert_eq!(nearest_rank(&BTreeMap::new(), 0, 50), None);
    }

    #[test]
    fn nearest_rank_equals_sorting_with_repeats() {
        // Many equal values (waits are mostly 0 s), in a pattern that is not sorted.
        let values: Vec<u64> = (0..997u64).map(|i| (i * 7919) % 13 / 4 * 250).collect();
        for p in [1, 25, 50, 90, 95, 99, 100] {
            assert_eq!(
                nearest_rank(&counts(&values), values.len() as u64, p),
                Some(SimTime(by_sorting(&values, p))),
                "p{p}"
            );
        }
    }
}
