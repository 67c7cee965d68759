//! Random task arrivals (`runTasks[].arrivals`): each arrival is one RunTask call, made
//! through `run_task` like any other, so it places, fails and (with capacity providers)
//! waits exactly as RunTask does. A RunTask entry has at most one arrival pending: each
//! arrival schedules the next.
//!
//! A Poisson process draws each gap from its own keyed stream, `Stream::Arrivals` keyed by
//! (entry, arrival number): the n-th arrival comes at the same time whatever the placement
//! strategy or anything else did ("common random numbers").

use des::{rng, Distribution, Queue, SimTime, Stream};

use super::{Cluster, Ctx};
use crate::change::Change;
use crate::event::Event;
use crate::spec::{ArrivalProcess, Arrivals};

impl Cluster {
    /// Schedules arrival number `arrival` of `runTasks[run]`, the one after an arrival at
    /// `after` (or the first, from time zero), unless the process has no more.
    pub(super) fn plan_arrival(
        &self,
        run: u32,
        arrivals: &Arrivals,
        arrival: u32,
        after: SimTime,
        queue: &mut Queue<Event>,
    ) {
        if let Some(at) = next_arrival(self.config.seed, run, arrivals, arrival, after) {
            queue.schedule(at, Event::TaskArrived { run, arrival });
        }
    }

    /// An arrival of `runTasks[run]`: one RunTask call of the entry's `count` tasks, then
    /// the next arrival is planned.
    pub(super) fn task_arrived(&mut self, run: u32, arrival: u32, ctx: &mut Ctx<'_>) {
        let spec = &self.scheduler.run_tasks[run as usize].0;
        let count = spec.count;
        let group = self.tasks.intern_group(&spec.group);
        self.emit(
            ctx,
            Change::TaskArrived {
                run,
                arrival,
                group,
                count,
            },
        );
        self.run_task(run, ctx);
        let Some(next) = arrival.checked_add(1) else {
            return;
        };
        let arrivals = self.scheduler.run_tasks[run as usize]
            .0
            .arrivals
            .as_ref()
            .expect("only entries with arrivals schedule TaskArrived");
        self.plan_arrival(run, arrivals, next, ctx.now, ctx.queue);
    }
}

/// When arrival number `arrival` of `runTasks[run]` comes, the previous one having come at
/// `after` (ignored for the first), or `None` when there is none by `until`.
pub fn next_arrival(
    seed: u64,
    run: u32,
    arrivals: &Arrivals,
    arrival: u32,
    after: SimTime,
) -> Option<SimTime> {
    let at = match &arrivals.process {
        ArrivalProcess::Poisson { mean_ms, start_ms } => {
            let from = if arrival == 0 { *start_ms } else { after.0 };
            from.checked_add(poisson_gap_ms(seed, run, arrival, *mean_ms))?
        }
        ArrivalProcess::Trace { times_ms, .. } => *times_ms.get(arrival as usize)?,
    };
    match arrivals.until_ms {
        Some(until) if at > until => None,
        _ => Some(SimTime(at)),
    }
}

/// The gap before arrival number `arrival` of a Poisson process with mean gap `mean_ms`:
/// exponential, from the stream keyed by (entry, arrival number).
pub fn poisson_gap_ms(seed: u64, run: u32, arrival: u32, mean_ms: u64) -> u64 {
    let mut stream = rng::stream(seed, Stream::Arrivals, [u64::from(run), u64::from(arrival)]);
    Distribution::Exponential { mean_ms }.sample(&mut stream)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use des::SimTime;

    use super::{next_arrival, poisson_gap_ms};
    use crate::spec::{ArrivalProcess, Arrivals};

    #[test]
    fn poisson_gaps_have_their_mean() {
        // 20,000 exponential gaps of mean 60 s: the sample mean's standard deviation is
        // 60 s / sqrt(20,000) = 0.42 s, so it lies within 60 s +- 2.5 s (6 sigma) on any
        // seed; and their variance is that of an exponential, mean squared (within 10 %).
        let mean_ms = 60_000u64;
        for seed in [1u64, 2, 3] {
            let gaps: Vec<f64> = (0..20_000)
                .map(|arrival| poisson_gap_ms(seed, 0, arrival, mean_ms) as f64)
                .collect();
            let n = gaps.len() as f64;
            let mean = gaps.iter().sum::<f64>() / n;
            let variance = gaps.iter().map(|g| (g - mean) * (g - mean)).sum::<f64>() / (n - 1.0);
            assert!(
                (mean - 60_000.0).abs() < 2_500.0,
                "seed {seed}: mean gap {mean} ms, expected 60000 +- 2500"
            );
            let expected = 60_000.0f64 * 60_000.0;
            assert!(
                (variance / expected - 1.0).abs() < 0.1,
                "seed {seed}: variance {variance}, expected about {expected}"
            );
        }
    }

    #[test]
    fn arrivals_are_keyed_by_entry_and_number() {
        assert_eq!(
            poisson_gap_ms(7, 1, 5, 60_000),
            poisson_gap_ms(7, 1, 5, 60_000)
        );
        assert_ne!(
            poisson_gap_ms(7, 1, 5, 60_000),
            poisson_gap_ms(7, 2, 5, 60_000)
        );
        assert_ne!(
            poisson_gap_ms(7, 1, 5, 60_000),
            poisson_gap_ms(7, 1, 6, 60_000)
        );
        assert_ne!(
            poisson_gap_ms(7, 1, 5, 60_000),
            poisson_gap_ms(8, 1, 5, 60_000)
        );
    }

    #[test]
    fn the_first_arrival_counts_from_start_and_none_comes_after_until() {
        let arrivals = Arrivals {
            process: ArrivalProcess::Poisson {
                mean_ms: 60_000,
                start_ms: 3_600_000,
            },
            until_ms: Some(7_200_000),
        };
        let first = next_arrival(1, 0, &arrivals, 0, SimTime::ZERO).expect("one");
        assert_eq!(first.0, 3_600_000 + poisson_gap_ms(1, 0, 0, 60_000));
        let second = next_arrival(1, 0, &arrivals, 1, first).expect("two");
        assert_eq!(second.0, first.0 + poisson_gap_ms(1, 0, 1, 60_000));
        assert_eq!(
            next_arrival(1, 0, &arrivals, 9, SimTime(7_200_000)),
            None,
            "any gap from until passes it"
        );
    }

    #[test]
    fn a_trace_arrives_at_its_times_up_to_until() {
        let arrivals = Arrivals {
            process: ArrivalProcess::Trace {
                file: "t.csv".to_string(),
                times_ms: Arc::from(vec![0, 1_500, 1_500, 90_000]),
            },
            until_ms: Some(60_000),
        };
        let at = |n| next_arrival(1, 0, &arrivals, n, SimTime::ZERO).map(|t| t.0);
        assert_eq!(
            (at(0), at(1), at(2), at(3), at(4)),
            (Some(0), Some(1_500), Some(1_500), None, None)
        );
    }
}
