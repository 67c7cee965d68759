//! `episodes.csv`: one row per spell of a service below its desired count within the
//! measured window (from `metrics.warmup` to the end): when it started and ended, how long
//! it lasted, the fewest tasks RUNNING in it, and the change that began it. A row is
//! written when its spell ends; spells still open at the end follow, by service, with an
//! empty `endedAt`. The seconds of a service's rows add up to its `secondsBelowDesired`.

use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use des::SimTime;

use super::{Consumer, CsvFile, Sink, Start};
use crate::spells::{Spell, Spells};

pub const EPISODES_HEADER: [&str; 6] = [
    "serviceName",
    "startedAt",
    "endedAt",
    "seconds",
    "minRunning",
    "cause",
];

struct Episodes {
    file: CsvFile,
    spells: Spells,
    end: SimTime,
}

pub(super) fn make(sink: Sink, start: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(Episodes {
        file: CsvFile::new(sink, &EPISODES_HEADER)?,
        spells: Spells::new(start.cluster, SimTime(start.scenario.metrics.warmup_ms)),
        end: SimTime(start.scenario.duration_ms),
    }))
}

impl Episodes {
    fn row(&mut self, spell: &Spell, cluster: &Cluster) {
        let ended_at = spell.ended_at.unwrap_or(self.end);
        self.file.record(|row| {
            row.str(&cluster.service(spell.service).service_name);
            row.time(spell.started_at);
            row.opt_time(spell.ended_at);
            row.time(SimTime(ended_at.since(spell.started_at)));
            row.u64(spell.min_running.into());
            row.str(spell.cause.as_str());
        });
    }
}

impl Consumer for Episodes {
    fn record(&mut self, at: SimTime, _: u64, change: &Change<'_>, cluster: &Cluster) {
        if let Some(spell) = self.spells.record(at, change, cluster) {
            self.row(&spell, cluster);
        }
    }

    fn finish(mut self: Box<Self>, cluster: &Cluster) -> io::Result<()> {
        for spell in self.spells.finish(self.end) {
            self.row(&spell, cluster);
        }
        self.file.finish()
    }
}
