//! The capacity providers' and the cost's charts of `report.html`, from the same sources as
//! `timeseries.csv`, so the page and the file agree: per capacity provider its Auto Scaling
//! group's `desiredCapacity` and `inService` and its `capacityProviderReservation` against
//! its `targetCapacity` (`outputs::capacity::CapacityLevels`, ECS.md §5.5), and the
//! cluster's cost accumulating since the start of the run, `clusterCostUsd`, with its rate
//! `clusterCostRateUsdPerHour` (`cost::CostSeries`), drawn only when every instance has a
//! price. Memory stays bounded as for the other traces: step functions in `svg::Trace`,
//! the cumulative cost in `svg::Curve`.

use std::fmt::Write as _;

use cluster::change::Change;
use cluster::cluster::Cluster;
use des::SimTime;
use scenario::Scenario;

use super::page::{Page, DESIRED, RUNNING};
use super::svg::{clock, escape, usd, Chart, Curve, CurveLine, Line, Trace, YUnit};
use crate::cost::{CostRow, CostSeries};
use crate::outputs::capacity::{CapacityLevel, CapacityLevels};

/// A capacity provider as charted: its name, its group's name and its `targetCapacity`
/// (`None` with managed scaling DISABLED), drawn as a constant line.
struct Provider {
    name: String,
    group: String,
    target: Option<(u32, Trace)>,
}

/// The capacity providers' series, as `CapacityLevels` tells them to `timeseries.csv`.
pub(super) struct CapacityTraces {
    levels: CapacityLevels,
    /// Each series told so far: its name, its key and its trace.
    traces: Vec<(&'static str, String, Trace)>,
    providers: Vec<Provider>,
}

impl CapacityTraces {
    pub(super) fn new(cluster: &Cluster) -> CapacityTraces {
        let providers = cluster
            .capacity_providers()
            .specs()
            .iter()
            .map(|spec| Provider {
                name: spec.name.clone(),
                group: cluster
                    .auto_scaling_group_name(spec.auto_scaling_group)
                    .to_string(),
                target: spec.managed_scaling.map(|scaling| {
                    let mut line = Trace::default();
                    line.push(SimTime::ZERO, u64::from(scaling.target_capacity));
                    (scaling.target_capacity, line)
                }),
            })
            .collect();
        CapacityTraces {
            levels: CapacityLevels::new(cluster),
            traces: Vec::new(),
            providers,
        }
    }

    fn take(traces: &mut Vec<(&'static str, String, Trace)>, level: CapacityLevel<'_>) {
        let slot = match traces
            .iter()
            .position(|(series, key, _)| *series == level.series && key == level.key)
        {
            Some(slot) => slot,
            None => {
                traces.push((level.series, level.key.to_string(), Trace::default()));
                traces.len() - 1
            }
        };
        traces[slot].2.push(level.at, level.value);
    }

    pub(super) fn record(&mut self, at: SimTime, change: &Change<'_>) {
        let CapacityTraces { levels, traces, .. } = self;
        levels.record(at, change, &mut |level| Self::take(traces, level));
    }

    pub(super) fn finish(&mut self) {
        let CapacityTraces { levels, traces, .. } = self;
        levels.flush(&mut |level| Self::take(traces, level));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    fn trace(&self, series: &str, key: &str) -> Option<&Trace> {
        self.traces
            .iter()
            .find(|(s, k, _)| *s == series && k == key)
            .map(|(_, _, trace)| trace)
    }
}

/// The cost series, as `CostSeries` tells them to `timeseries.csv`: the cumulative cost in
/// micro-dollars and the cluster's rate in nano-dollars per hour.
pub(super) struct CostTraces {
    series: CostSeries,
    total: Curve,
    rate: Trace,
}

/// `12.345678` with `decimals` decimals at most, as a whole number of 10^-`decimals`.
fn scaled(text: &str, decimals: u32) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > decimals as usize {
        return None;
    }
    let fraction = format!("{fraction:0<width$}", width = decimals as usize);
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = if decimals == 0 {
        0
    } else {
        fraction.parse().ok()?
    };
    whole
        .checked_mul(10u64.pow(decimals))?
        .checked_add(fraction)
}

impl CostTraces {
    pub(super) fn new(scenario: &Scenario) -> CostTraces {
        CostTraces {
            series: CostSeries::new(scenario),
            total: Curve::default(),
            rate: Trace::default(),
        }
    }

    fn take(total: &mut Curve, rate: &mut Trace, row: &CostRow<'_>) {
        match row.series {
            "clusterCostUsd" => {
                if let Some(micro) = scaled(&row.value, 6) {
                    total.push(row.at, micro);
                }
            }
            "clusterCostRateUsdPerHour" => {
                if let Some(nano) = scaled(&row.value, 9) {
                    rate.push(row.at, nano);
                }
            }
            _ => {}
        }
    }

    pub(super) fn record(&mut self, at: SimTime, change: &Change<'_>, cluster: &Cluster) {
        let CostTraces {
            series,
            total,
            rate,
        } = self;
        series.record(at, change, cluster, &mut |row| {
            Self::take(total, rate, &row)
        });
    }

    /// The rows still gathered, and with `end` (the run finished) the cost at the end.
    pub(super) fn finish(&mut self, end: Option<SimTime>) {
        let CostTraces {
            series,
            total,
            rate,
        } = self;
        series.finish(&mut |row| Self::take(total, rate, &row));
        if let Some(end) = end {
            series.finish_run(end, &mut |row| Self::take(total, rate, &row));
        }
    }

    /// Whether the cost is known: `CostSeries` tells nothing when some instance has no
    /// price.
    pub(super) fn is_known(&self) -> bool {
        self.total.last().is_some()
    }
}

const IN_SERVICE: &str = RUNNING;
const RESERVATION: &str = "#D55E00";

impl Page<'_> {
    /// Per capacity provider: its group's desired capacity and instances in service, and
    /// its `CapacityProviderReservation` against its `targetCapacity`.
    pub(super) fn capacity_providers(&self, page: &mut String) {
        let capacity = &self.html.capacity;
        if capacity.is_empty() {
            return;
        }
        page.push_str(
            "<section id=\"capacity\">\n<h2>Capacity providers</h2>\n<p class=\"hint\">Per capacity \
             provider: its Auto Scaling group's desired capacity and the group's instances in service \
             (registered with the cluster); below, the CapacityProviderReservation metric (percent: the \
             instances the tasks need, in service or PROVISIONING, over those in the group), with the \
             provider's targetCapacity, which managed scaling moves the desired capacity to reach. \
             timeseries.csv has them as desiredCapacity, inService and capacityProviderReservation.</p>\n\
             <ul class=\"legend\"><li><span class=\"key\" style=\"border-color:#0072B2\"></span>in service</li>\
             <li><span class=\"key dashed\" style=\"border-color:#000000\"></span>desired capacity</li>\
             <li><span class=\"key\" style=\"border-color:#D55E00\"></span>CapacityProviderReservation</li>\
             <li><span class=\"key dashed\" style=\"border-color:#D55E00\"></span>targetCapacity</li>\
             <li><span class=\"key dotted\"></span>fault or instance lost</li></ul>\n",
        );
        let axis = &self.whole;
        let marks = self.fault_times(axis);
        let empty = Trace::default();
        for (index, provider) in capacity.providers.iter().enumerate() {
            let (name, group) = (provider.name.as_str(), provider.group.as_str());
            let trace = |series| capacity.trace(series, group).unwrap_or(&empty);
            let instances = Chart {
                id: format!("chart-capacity-group-{index}"),
                title: format!(
                    "Auto Scaling group {group}: desired capacity and instances in service from {} to {}",
                    clock(axis.start_ms),
                    clock(axis.end_ms)
                ),
                y_label: "instances",
                height: 150.0,
                lines: vec![
                    Line {
                        trace: trace("inService"),
                        colour: IN_SERVICE,
                        dashed: false,
                        width: 2.5,
                        label: format!("{group}: instances in service"),
                    },
                    Line {
                        trace: trace("desiredCapacity"),
                        colour: DESIRED,
                        dashed: true,
                        width: 1.5,
                        label: format!("{group}: desired capacity"),
                    },
                ],
                curves: Vec::new(),
                y_unit: YUnit::Count,
                bands: self.outage_bands(axis),
                marks: &marks,
            }
            .svg(axis);
            let mut lines = vec![Line {
                trace: capacity
                    .trace("capacityProviderReservation", name)
                    .unwrap_or(&empty),
                colour: RESERVATION,
                dashed: false,
                width: 2.0,
                label: format!("{name}: CapacityProviderReservation"),
            }];
            if let Some((target, line)) = &provider.target {
                lines.push(Line {
                    trace: line,
                    colour: RESERVATION,
                    dashed: true,
                    width: 1.2,
                    label: format!("{name}: targetCapacity {target}"),
                });
            }
            let reservation = Chart {
                id: format!("chart-capacity-reservation-{index}"),
                title: format!(
                    "Capacity provider {name}: CapacityProviderReservation and targetCapacity, percent"
                ),
                y_label: "%",
                height: 120.0,
                lines,
                curves: Vec::new(),
                y_unit: YUnit::Count,
                bands: Vec::new(),
                marks: &marks,
            }
            .svg(axis);
            let target = match &provider.target {
                Some((target, _)) => format!("targetCapacity {target}"),
                None => "managed scaling DISABLED".to_string(),
            };
            let _ = writeln!(
                page,
                "<h3>{} (Auto Scaling group {}, {})</h3>\n{instances}\n{reservation}",
                escape(name),
                escape(group),
                escape(&target)
            );
        }
        page.push_str("</section>\n");
    }

    /// The cluster's cost since the start of the run, and its rate; nothing when unknown.
    pub(super) fn cost(&self, page: &mut String) {
        let cost = &self.html.cost;
        let Some((last_ms, last)) = cost.total.last() else {
            return;
        };
        let axis = &self.whole;
        let _ = writeln!(
            page,
            "<section id=\"cost\">\n<h2>Cost</h2>\n<p class=\"hint\">What the cluster's instances cost \
             since the start of the run (not only the window of the figures above): {} by {} \
             (timeseries.csv: clusterCostUsd). The cost grows at the rate held, so the line is \
             exact at each change of the rate and straight between. Below, the rate in dollars \
             per hour (clusterCostRateUsdPerHour), which changes as instances register and \
             terminate.</p>",
            usd(last, 6),
            clock(last_ms)
        );
        let marks = self.fault_times(axis);
        let total = Chart {
            id: "chart-cost".to_string(),
            title: format!(
                "The cluster's cost accumulated since the start of the run, in dollars: {} by {}",
                usd(last, 6),
                clock(last_ms)
            ),
            y_label: "USD",
            height: 160.0,
            lines: Vec::new(),
            curves: vec![CurveLine {
                curve: &cost.total,
                colour: RUNNING,
                width: 2.5,
                label: format!(
                    "cost since 00:00:00: {} by {}",
                    usd(last, 6),
                    clock(last_ms)
                ),
            }],
            y_unit: YUnit::MicroUsd,
            bands: Vec::new(),
            marks: &marks,
        }
        .svg(axis);
        let rate = Chart {
            id: "chart-cost-rate".to_string(),
            title: "The cluster's cost rate, dollars per hour".to_string(),
            y_label: "USD/h",
            height: 120.0,
            lines: vec![Line {
                trace: &cost.rate,
                colour: DESIRED,
                dashed: false,
                width: 1.5,
                label: "cost rate, dollars per hour".to_string(),
            }],
            curves: Vec::new(),
            y_unit: YUnit::NanoUsd,
            bands: Vec::new(),
            marks: &marks,
        }
        .svg(axis);
        let _ = writeln!(page, "{total}\n{rate}\n</section>");
    }
}

#[cfg(test)]
mod tests {
    use super::scaled;

    #[test]
    fn written_amounts_read_back_exactly() {
        assert_eq!(scaled("12.345678", 6), Some(12_345_678));
        assert_eq!(scaled("0", 6), Some(0));
        assert_eq!(scaled("0.192", 9), Some(192_000_000));
        assert_eq!(scaled("3", 9), Some(3_000_000_000));
        assert_eq!(scaled("0.1234567", 6), None);
        assert_eq!(scaled("x", 6), None);
    }
}
