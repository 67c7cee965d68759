//! `timeseries.csv`: the run's levels as tidy step functions, `time, series, key, value`,
//! one row each time a value changes (`levels.rs` says how each is followed and what
//! `healthy` counts). Per service (`key` its name): `running`, `desired`, `healthy`; per
//! zone (`key` its name): `instances`, `reservedCpu`, `reservedMemory` (what tasks reserve,
//! in CPU units and MiB) and `registeredCpu`, `registeredMemory` (what the instances
//! register). Every series has a row at time zero; a value holds until its next row. Rows
//! are in time order; within a time, in the order the changes touched them, except that the
//! cost series come first and a loaded service's series next. The cost series
//! (`cost::CostSeries`: `costRateUsdPerHour` per Auto Scaling group and fixed instance,
//! `clusterCostRateUsdPerHour` and the cumulative `clusterCostUsd`) are left out when some
//! instance has no price. A service with `load` or `autoScaling` also has `load` (requests
//! per second), `cpuUtilization` and `memoryUtilization` (percent, empty with no task
//! RUNNING) (`load_levels.rs`). An Auto Scaling group a capacity provider uses has
//! `desiredCapacity` and `inService`, the provider `capacityProviderReservation`
//! (`capacity.rs`).

use std::io;

use cluster::change::Change;
use cluster::cluster::Cluster;
use cluster::ids::{ServiceId, ZoneId};
use des::SimTime;

use super::capacity::{CapacityLevel, CapacityLevels};
use super::levels::{Level, Levels};
use super::load_levels::{LoadLevel, LoadLevels};
use super::{Consumer, CsvFile, Sink, Start};
use crate::cost::{CostRow, CostSeries};
use crate::report::Report;

pub const TIMESERIES_HEADER: [&str; 4] = ["time", "series", "key", "value"];

struct Timeseries {
    file: CsvFile,
    levels: Levels,
    cost: CostSeries,
    load: LoadLevels,
    /// Auto Scaling groups of capacity providers, and the providers' metric.
    capacity: CapacityLevels,
}

pub(super) fn make(sink: Sink, start: &Start<'_>) -> io::Result<Box<dyn Consumer>> {
    Ok(Box::new(Timeseries {
        file: CsvFile::new(sink, &TIMESERIES_HEADER)?,
        levels: Levels::new(start.cluster),
        cost: CostSeries::new(start.scenario),
        load: LoadLevels::new(start.cluster),
        capacity: CapacityLevels::new(start.cluster),
    }))
}

fn capacity_row(file: &mut CsvFile, level: CapacityLevel<'_>) {
    file.record(|fields| {
        fields.time(level.at);
        fields.str(level.series);
        fields.str(level.key);
        fields.u64(level.value);
    });
}

fn cost_row(file: &mut CsvFile, row: &CostRow<'_>) {
    file.record(|fields| {
        fields.time(row.at);
        fields.str(row.series);
        fields.str(row.key);
        fields.str(&row.value);
    });
}

fn row(file: &mut CsvFile, level: &Level, cluster: &Cluster) {
    let key = if level.series.of_service() {
        cluster
            .service(ServiceId(level.key as u32))
            .service_name
            .as_str()
    } else {
        cluster.zone_name(ZoneId(level.key as u16))
    };
    file.record(|fields| {
        fields.time(level.at);
        fields.str(level.series.name());
        fields.str(key);
        fields.u64(level.value);
    });
}

fn load_row(file: &mut CsvFile, level: &LoadLevel<'_>, cluster: &Cluster) {
    file.record(|fields| {
        fields.time(level.at);
        fields.str(level.series);
        fields.str(&cluster.service(level.service).service_name);
        fields.str(level.value);
    });
}

impl Consumer for Timeseries {
    /// The cost and load levels of an instant are told before the others of that instant.
    fn record(&mut self, at: SimTime, _: u64, change: &Change<'_>, cluster: &Cluster) {
        let Timeseries {
            file,
            levels,
            cost,
            load,
            capacity,
        } = self;
        cost.record(at, change, cluster, &mut |row| cost_row(file, &row));
        load.record(at, change, cluster, &mut |level| {
            load_row(file, &level, cluster)
        });
        capacity.record(at, change, &mut |level| capacity_row(file, level));
        levels.record(at, change, cluster, &mut |level| row(file, &level, cluster));
    }

    /// Without the end of the run: the levels up to the last change.
    fn finish(self: Box<Self>, cluster: &Cluster) -> io::Result<()> {
        self.finish_at(None, cluster)
    }

    /// Tasks that count as healthy by the end of the run are in, and the cost up to it.
    fn finish_run(self: Box<Self>, cluster: &Cluster, report: &Report) -> io::Result<()> {
        self.finish_at(Some(report.simulated), cluster)
    }
}

impl Timeseries {
    /// Writes the levels still gathered, up to the run's end when it is known, and closes
    /// the file.
    fn finish_at(mut self: Box<Self>, end: Option<SimTime>, cluster: &Cluster) -> io::Result<()> {
        let Timeseries {
            file,
            levels,
            cost,
            load,
            capacity,
        } = &mut *self;
        cost.finish(&mut |row| cost_row(file, &row));
        load.flush(&mut |level| load_row(file, &level, cluster));
        capacity.flush(&mut |level| capacity_row(file, level));
        levels.finish(end.unwrap_or(SimTime::ZERO), &mut |level| {
            row(file, &level, cluster)
        });
        if let Some(end) = end {
            cost.finish_run(end, &mut |row| cost_row(file, &row));
        }
        self.file.finish()
    }
}
