//! A placement strategy of your own, run on the built-in quickstart (docs/guide-benchmarker.md):
//! `cargo run -p sim --example custom_strategy`. `FewestTasks` prefers the instances with the
//! fewest tasks of any service or family, where ECS's `spread(instanceId)` counts only the
//! task's own group.

use std::collections::BTreeMap;
use std::path::Path;

use cluster::change::{Change, Observer};
use cluster::cluster::{Cluster, Ctx};
use cluster::ids::InstanceId;
use cluster::placement::{PlacementRequest, PlacementStrategy, PlacementView, StrategyKind};
use des::{Queue, SimTime};

/// Lower scores win: the number of live tasks on the instance, of any group.
#[derive(Debug)]
struct FewestTasks;

impl PlacementStrategy for FewestTasks {
    fn kind(&self) -> StrategyKind<'_> {
        // Not one the ordered indexes know: every decision of this chain is a plain scan.
        StrategyKind::Custom
    }

    fn score(
        &self,
        _request: &PlacementRequest<'_>,
        view: &PlacementView<'_>,
        instances: &[InstanceId],
        scores: &mut [i64],
    ) {
        for (score, &id) in scores.iter_mut().zip(instances) {
            *score = i64::try_from(view.instance(id).tasks.len()).unwrap_or(i64::MAX);
        }
    }
}

/// Counts the tasks placed on each instance, by EC2 instance id.
#[derive(Default)]
struct Placements(BTreeMap<String, u32>);

impl Observer for Placements {
    fn record(&mut self, _at: SimTime, _seq: u64, change: &Change<'_>, cluster: &Cluster) {
        if let Change::TaskPlaced { task } = change {
            let instance = &cluster.instances()[task.instance.index()];
            *self.0.entry(instance.ec2_instance_id.clone()).or_default() += 1;
        }
    }
}

/// Runs the quickstart on its own seed, the web service placing with `strategies` when
/// given (else ECS's default), and returns the tasks placed per instance.
fn run(strategies: Option<Vec<Box<dyn PlacementStrategy>>>) -> BTreeMap<String, u32> {
    let scenario = scenario::load_str(scenario::QUICKSTART, Path::new("quickstart.yaml"), &[])
        .expect("the built-in quickstart is valid");
    let mut setup = sim::setup(&scenario, scenario.seed);
    if let Some(strategies) = strategies {
        // The web service has one task definition, so one placement.
        setup.services[0].1[0].1.strategies = strategies;
    }
    let mut cluster = Cluster::new(setup);
    let mut queue = Queue::new();
    cluster.start(&mut queue);
    let mut placements = Placements::default();
    let end = SimTime(scenario.duration_ms);
    let mut seq = 0;
    while queue.peek_time().is_some_and(|at| at <= end) {
        let (now, _, event) = queue.pop().expect("peeked");
        let mut ctx = Ctx {
            now,
            seq,
            queue: &mut queue,
            observer: &mut placements,
        };
        cluster.handle(event, &mut ctx);
        seq += 1;
    }
    placements.0
}

fn main() {
    println!("tasks placed per instance over the quickstart's two days:");
    let fewest_tasks: Vec<Box<dyn PlacementStrategy>> = vec![Box::new(FewestTasks)];
    println!("default chain: {:?}", run(None));
    println!("FewestTasks:   {:?}", run(Some(fewest_tasks)));
}
