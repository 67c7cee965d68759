//! A service's `load` (constant, steps, daily curve or CSV trace, with optional noise), the
//! task definition's `simulation.requestsPerSecond` and memory model, and `autoScaling`
//! (Service Auto Scaling: minimum and maximum capacity, target tracking, step scaling and
//! scheduled actions; ECS.md §6.2).

use std::rc::Rc;

use cluster::autoscaling::{
    AdjustmentType, AutoScalingSpec, Comparison, ScalingMetric, ScheduledScalingAction,
    ScheduledWhen, StepAdjustment, StepScalingPolicy, TargetTrackingPolicy,
};
use cluster::load::{Interpolation, LoadCurve, LoadSpec, TaskLoadModel};
use cluster::spec::{Schedule, SchedulingStrategy, TaskDefinition};

use crate::error::{Loc, Origin};
use crate::node::{Node, Value};
use crate::read::{index_path, Cx, Fields};
use crate::validate::opt;

const COOLDOWN_DEFAULT_MS: u64 = 300_000;

/// `autoScaling` in the resolved view: every field in words.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AutoScalingView {
    min_capacity: u32,
    max_capacity: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    policies: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scheduled_actions: Vec<String>,
}

fn time(ms: u64) -> String {
    crate::resolved::duration(ms)
}

fn bound(bound: Option<f64>) -> String {
    bound.map_or(String::new(), |b| b.to_string())
}

/// A load in words: `steps 0.000 s: 200, 1800.000 s: 800; noise cv 0.05`.
pub(crate) fn load_words(load: &LoadSpec) -> String {
    let points = |points: &[(u64, f64)]| {
        points
            .iter()
            .map(|&(at, value)| format!("{}: {value}", time(at)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let curve = match &load.requests_per_second {
        LoadCurve::Constant(value) => format!("{value} requests/s"),
        LoadCurve::Steps(steps) => format!("steps {}", points(steps)),
        LoadCurve::Daily {
            trough,
            peak,
            peak_hour,
        } => format!(
            "daily from {trough} to {peak} requests/s, peak at {peak_hour} h UTC, held per minute"
        ),
        LoadCurve::Trace {
            points: trace,
            interpolation,
        } => format!(
            "trace ({}) {}",
            match interpolation {
                Interpolation::Linear => "linear, held per minute",
                Interpolation::Step => "step",
            },
            points(trace)
        ),
    };
    if load.noise_cv > 0.0 {
        format!("{curve}; noise cv {} per minute", load.noise_cv)
    } else {
        curve
    }
}

pub(crate) fn auto_scaling_view(spec: &AutoScalingSpec) -> AutoScalingView {
    let mut policies: Vec<String> = spec
        .target_tracking
        .iter()
        .map(|p| {
            format!(
                "targetTracking {}: {} at {}; out after {} datapoints above (cooldown {}), {} after {} datapoints below {} % of the target (cooldown {})",
                p.policy_name,
                p.metric.name(),
                p.target,
                p.scale_out_datapoints,
                time(p.scale_out_cooldown_ms),
                if p.disable_scale_in { "never in" } else { "in" },
                p.scale_in_datapoints,
                p.scale_in_threshold_percent,
                time(p.scale_in_cooldown_ms)
            )
        })
        .collect();
    policies.extend(spec.step_scaling.iter().map(|p| {
        let steps: Vec<String> = p
            .step_adjustments
            .iter()
            .map(|step| {
                format!(
                    "[{}, {}): {:+}",
                    bound(step.lower_bound),
                    bound(step.upper_bound),
                    step.scaling_adjustment
                )
            })
            .collect();
        format!(
            "stepScaling {}: {} {} {} for {} datapoints; {} {}{} (cooldown {})",
            p.policy_name,
            p.metric.name(),
            Comparison::NAMES[p.comparison as usize],
            p.threshold,
            p.datapoints,
            AdjustmentType::NAMES[p.adjustment_type as usize],
            steps.join(" "),
            p.min_adjustment_magnitude
                .map_or(String::new(), |m| format!(", at least {m}")),
            time(p.cooldown_ms)
        )
    }));
    AutoScalingView {
        min_capacity: spec.min_capacity,
        max_capacity: spec.max_capacity,
        policies,
        scheduled_actions: spec
            .scheduled_actions
            .iter()
            .map(|action| {
                let when = match &action.when {
                    ScheduledWhen::At(at) => format!("at {}", time(*at)),
                    ScheduledWhen::Schedule(schedule) => schedule.to_string(),
                };
                let capacity =
                    |c: Option<u32>| c.map_or("unchanged".to_string(), |c| c.to_string());
                format!(
                    "{} {when}: minCapacity {}, maxCapacity {}",
                    action.name,
                    capacity(action.min_capacity),
                    capacity(action.max_capacity)
                )
            })
            .collect(),
    }
}

/// A number >= 0.
fn non_negative(cx: &mut Cx, node: &Node, field: &str) -> Option<f64> {
    let value = cx.number(node, field, "a number >= 0")?;
    if value < 0.0 {
        cx.invalid(node, field, "a number >= 0");
        return None;
    }
    Some(value)
}

/// A number > 0.
fn positive(cx: &mut Cx, node: &Node, field: &str) -> Option<f64> {
    let value = cx.number(node, field, "a number > 0")?;
    if value <= 0.0 {
        cx.invalid(node, field, "a number > 0");
        return None;
    }
    Some(value)
}

/// `simulation.requestsPerSecond`, `memoryUtilizationIdle`, `memoryUtilizationAtFullCpu`.
pub(crate) fn task_load_model(
    cx: &mut Cx,
    simulation: &Fields<'_>,
) -> Option<Option<TaskLoadModel>> {
    let rps = opt(cx, simulation, "requestsPerSecond", positive);
    let idle = opt(cx, simulation, "memoryUtilizationIdle", non_negative)
        .unwrap_or(Some(TaskLoadModel::DEFAULT_MEMORY_IDLE_PERCENT));
    let full = opt(cx, simulation, "memoryUtilizationAtFullCpu", non_negative)
        .unwrap_or(Some(TaskLoadModel::DEFAULT_MEMORY_FULL_PERCENT));
    let (idle, full) = (idle?, full?);
    match rps {
        None => Some(None),
        Some(rps) => Some(Some(TaskLoadModel {
            requests_per_second: rps?,
            memory_idle_percent: idle,
            memory_full_percent: full,
        })),
    }
}

pub(crate) const LOAD_KEYS: &[&str] = &["requestsPerSecond", "noise"];

const LOAD_EXPECTED: &str = "a number of requests per second, or one of {steps: [{at, value}]}, \
     {daily: {trough, peak, peakHour}}, {trace: FILE} or {trace: {file: FILE, interpolation: linear|step}}";

/// `load:` of a service whose task definition is `definition`.
pub(crate) fn load(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    definition: Option<&TaskDefinition>,
) -> Option<LoadSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, LOAD_KEYS, &[]);
    let curve = fields
        .required(cx, "requestsPerSecond", LOAD_EXPECTED)
        .and_then(|node| curve(cx, node, &fields.path_of("requestsPerSecond")));
    let noise_cv = match fields.get("noise") {
        None => Some(0.0),
        Some(node) => {
            let field = fields.path_of("noise");
            cx.fields(node, &field).and_then(|noise| {
                noise.finish(cx, &["cv"], &[]);
                noise
                    .required(cx, "cv", "a coefficient of variation >= 0, e.g. 0.1")
                    .and_then(|node| non_negative(cx, node, &noise.path_of("cv")))
            })
        }
    };
    if let Some(definition) = definition {
        if definition.workload.load.is_none() {
            cx.rule(
                &node.loc,
                path,
                format!(
                    "a service with load needs simulation.requestsPerSecond on its task definition {}",
                    definition.name()
                ),
            );
            return None;
        }
    }
    Some(LoadSpec {
        requests_per_second: curve?,
        noise_cv: noise_cv?,
    })
}

fn curve(cx: &mut Cx, node: &Node, path: &str) -> Option<LoadCurve> {
    if let Value::Scalar { .. } = node.value {
        return non_negative(cx, node, path).map(LoadCurve::Constant);
    }
    let Some(entries) = node.entries().filter(|entries| entries.len() == 1) else {
        cx.invalid(node, path, LOAD_EXPECTED);
        return None;
    };
    let entry = &entries[0];
    let field = format!("{path}.{}", entry.key);
    match entry.key.as_str() {
        "steps" => {
            let items = cx.seq(&entry.value, &field)?;
            let mut steps = Vec::new();
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let item_path = index_path(&field, i);
                let Some(step) = cx.fields(item, &item_path) else {
                    ok = false;
                    continue;
                };
                step.finish(cx, &["at", "value"], &[]);
                let at = step
                    .required(cx, "at", "a duration")
                    .and_then(|node| cx.duration_ms(node, &step.path_of("at")));
                let value = step
                    .required(cx, "value", "requests per second")
                    .and_then(|node| non_negative(cx, node, &step.path_of("value")));
                match (at, value) {
                    (Some(at), Some(value)) => {
                        if steps.last().is_some_and(|&(last, _)| last >= at) {
                            cx.rule(
                                &item.loc,
                                &item_path,
                                "steps must be in increasing order of at".to_string(),
                            );
                            ok = false;
                        }
                        steps.push((at, value));
                    }
                    _ => ok = false,
                }
            }
            ok.then_some(LoadCurve::Steps(steps))
        }
        "daily" => {
            let daily = cx.fields(&entry.value, &field)?;
            daily.finish(cx, &["trough", "peak", "peakHour"], &[]);
            let trough = daily
                .required(cx, "trough", "requests per second")
                .and_then(|node| non_negative(cx, node, &daily.path_of("trough")));
            let peak = daily
                .required(cx, "peak", "requests per second")
                .and_then(|node| non_negative(cx, node, &daily.path_of("peak")));
            let peak_hour = daily
                .required(cx, "peakHour", "an hour of the day, 0 to 24 (UTC)")
                .and_then(|node| {
                    let field = daily.path_of("peakHour");
                    let hour = cx.number(node, &field, "an hour of the day, 0 to 24 (UTC)")?;
                    if !(0.0..=24.0).contains(&hour) {
                        cx.invalid(node, &field, "an hour of the day, 0 to 24 (UTC)");
                        return None;
                    }
                    Some(hour)
                });
            Some(LoadCurve::Daily {
                trough: trough?,
                peak: peak?,
                peak_hour: peak_hour?,
            })
        }
        "trace" => {
            let (file_node, interpolation) = match &entry.value.value {
                Value::Scalar { .. } => (&entry.value, Some(Interpolation::Linear)),
                _ => {
                    let trace = cx.fields(&entry.value, &field)?;
                    trace.finish(cx, &["file", "interpolation"], &[]);
                    let interpolation = opt(cx, &trace, "interpolation", |cx, node, field| {
                        cx.choice(node, field, &["linear", "step"]).map(|i| {
                            if i == 0 {
                                Interpolation::Linear
                            } else {
                                Interpolation::Step
                            }
                        })
                    })
                    .unwrap_or(Some(Interpolation::Linear));
                    let file = trace.required(cx, "file", "a CSV file of time,value")?;
                    (file, interpolation)
                }
            };
            let points = trace_file(cx, file_node, &field);
            Some(LoadCurve::Trace {
                points: points?,
                interpolation: interpolation?,
            })
        }
        _ => {
            cx.invalid(node, path, LOAD_EXPECTED);
            None
        }
    }
}

/// A CSV of `time,value` rows (a header line is allowed), relative to the scenario; times in
/// seconds or durations, increasing.
fn trace_file(cx: &mut Cx, node: &Node, field: &str) -> Option<Vec<(u64, f64)>> {
    let relative = cx.string(node, field)?;
    let (path, text) = cx.read_beside(node, field, &relative)?;
    let origin = Origin::File(Rc::new(path.clone()));
    let mut points: Vec<(u64, f64)> = Vec::new();
    let mut ok = true;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let loc = Loc {
            origin: origin.clone(),
            line: n + 1,
            column: 1,
        };
        let mut cells = line.split(',').map(str::trim);
        let (time, value) = (cells.next().unwrap_or(""), cells.next());
        let parsed = des::time::parse_duration_ms(time).zip(
            value
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0),
        );
        match parsed {
            Some((at, value)) if cells.next().is_none() => {
                if points.last().is_some_and(|&(last, _)| last >= at) {
                    cx.rule(
                        &loc,
                        field,
                        format!("{}: times must increase", path.display()),
                    );
                    ok = false;
                }
                points.push((at, value));
            }
            _ if points.is_empty() && n == first_line(&text) => {} // a header
            _ => {
                cx.rule(
                    &loc,
                    field,
                    format!(
                        "{}: expected time,value (a duration or seconds, then requests per second >= 0), found {line:?}",
                        path.display()
                    ),
                );
                ok = false;
            }
        }
    }
    if ok && points.is_empty() {
        cx.rule(
            &node.loc,
            field,
            format!("{} has no time,value row", path.display()),
        );
        return None;
    }
    ok.then_some(points)
}

/// The index of the first non-empty line.
fn first_line(text: &str) -> usize {
    text.lines()
        .position(|line| !line.trim().is_empty() && !line.trim().starts_with('#'))
        .unwrap_or(0)
}

pub(crate) const AUTO_SCALING_KEYS: &[&str] = &[
    "minCapacity",
    "maxCapacity",
    "targetTracking",
    "stepScaling",
    "scheduledActions",
];

const TARGET_TRACKING_KEYS: &[&str] = &[
    "policyName",
    "metric",
    "target",
    "scaleOutCooldown",
    "scaleInCooldown",
    "disableScaleIn",
    "scaleOutDatapoints",
    "scaleInDatapoints",
    "scaleInThresholdPercent",
];

const STEP_SCALING_KEYS: &[&str] = &[
    "policyName",
    "metric",
    "threshold",
    "comparisonOperator",
    "evaluationPeriods",
    "adjustmentType",
    "stepAdjustments",
    "minAdjustmentMagnitude",
    "cooldown",
];

const SCHEDULED_ACTION_KEYS: &[&str] = &[
    "scheduledActionName",
    "at",
    "schedule",
    "minCapacity",
    "maxCapacity",
];

/// What `autoScaling` checks against its service.
pub(crate) struct ServiceContext {
    pub strategy: Option<SchedulingStrategy>,
    pub load_balanced: bool,
    pub max_tasks: u32,
}

/// `autoScaling:` of a service.
pub(crate) fn auto_scaling(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    service: &ServiceContext,
) -> Option<AutoScalingSpec> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, AUTO_SCALING_KEYS, &[]);
    if service.strategy == Some(SchedulingStrategy::Daemon) {
        cx.rule(
            &node.loc,
            path,
            "a DAEMON service cannot scale: it runs one task per instance".to_string(),
        );
        return None;
    }
    let capacity = |cx: &mut Cx, key: &str| {
        fields
            .required(cx, key, "a whole number of tasks >= 0")
            .and_then(|node| cx.u32(node, &fields.path_of(key), 0, service.max_tasks))
    };
    let min_capacity = capacity(cx, "minCapacity");
    let max_capacity = capacity(cx, "maxCapacity");
    if let (Some(min), Some(max)) = (min_capacity, max_capacity) {
        if min > max {
            let loc = fields.key_loc("maxCapacity").unwrap_or(&node.loc).clone();
            cx.rule(
                &loc,
                &fields.path_of("maxCapacity"),
                format!("maxCapacity {max} is below minCapacity {min}"),
            );
        }
    }
    let target_tracking = list(cx, &fields, "targetTracking", |cx, node, path| {
        target_tracking(cx, node, path, service)
    });
    let step_scaling = list(cx, &fields, "stepScaling", |cx, node, path| {
        step_scaling(cx, node, path, service)
    });
    let scheduled_actions = list(cx, &fields, "scheduledActions", scheduled_action);
    let (min, max) = (min_capacity?, max_capacity?);
    if min > max {
        return None;
    }
    Some(AutoScalingSpec {
        min_capacity: min,
        max_capacity: max,
        target_tracking: target_tracking?,
        step_scaling: step_scaling?,
        scheduled_actions: scheduled_actions?,
    })
}

/// An optional list of `key`, each read by `read`.
fn list<T>(
    cx: &mut Cx,
    fields: &Fields<'_>,
    key: &str,
    mut read: impl FnMut(&mut Cx, &Node, &str) -> Option<T>,
) -> Option<Vec<T>> {
    let Some(node) = fields.get(key) else {
        return Some(Vec::new());
    };
    let field = fields.path_of(key);
    let items = cx.seq(node, &field)?;
    let mut out = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        match read(cx, item, &index_path(&field, i)) {
            Some(value) => out.push(value),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn metric(cx: &mut Cx, fields: &Fields<'_>, service: &ServiceContext) -> Option<ScalingMetric> {
    let node = fields.required(
        cx,
        "metric",
        &format!("one of {}", ScalingMetric::NAMES.join(", ")),
    )?;
    let field = fields.path_of("metric");
    let metric = match cx.choice(node, &field, &ScalingMetric::NAMES)? {
        0 => ScalingMetric::Cpu,
        1 => ScalingMetric::Memory,
        _ => ScalingMetric::AlbRequestCountPerTarget,
    };
    if metric == ScalingMetric::AlbRequestCountPerTarget && !service.load_balanced {
        cx.rule(
            &node.loc,
            &field,
            "ALBRequestCountPerTarget needs the service to have loadBalancers".to_string(),
        );
        return None;
    }
    Some(metric)
}

fn count(cx: &mut Cx, fields: &Fields<'_>, key: &str, default: u32) -> Option<u32> {
    opt(cx, fields, key, |cx, node, field| {
        cx.u32(node, field, 1, 1440)
    })
    .unwrap_or(Some(default))
}

fn cooldown(cx: &mut Cx, fields: &Fields<'_>, key: &str) -> Option<u64> {
    opt(cx, fields, key, Cx::duration_ms).unwrap_or(Some(COOLDOWN_DEFAULT_MS))
}

fn target_tracking(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    service: &ServiceContext,
) -> Option<TargetTrackingPolicy> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, TARGET_TRACKING_KEYS, &[]);
    let metric = metric(cx, &fields, service);
    let target = fields
        .required(cx, "target", "the metric's target value, > 0")
        .and_then(|node| positive(cx, node, &fields.path_of("target")));
    let policy_name = opt(cx, &fields, "policyName", Cx::name);
    let scale_out_cooldown_ms = cooldown(cx, &fields, "scaleOutCooldown");
    let scale_in_cooldown_ms = cooldown(cx, &fields, "scaleInCooldown");
    let disable_scale_in = opt(cx, &fields, "disableScaleIn", Cx::bool).unwrap_or(Some(false));
    let scale_out_datapoints = count(cx, &fields, "scaleOutDatapoints", 3);
    let scale_in_datapoints = count(cx, &fields, "scaleInDatapoints", 15);
    let scale_in_threshold_percent =
        opt(cx, &fields, "scaleInThresholdPercent", |cx, node, field| {
            let value = positive(cx, node, field)?;
            if value > 100.0 {
                cx.invalid(node, field, "a percentage of the target, > 0 and <= 100");
                return None;
            }
            Some(value)
        })
        .unwrap_or(Some(90.0));
    let metric = metric?;
    Some(TargetTrackingPolicy {
        policy_name: match policy_name {
            Some(name) => name?,
            None => format!("{}-target-tracking", metric.name()),
        },
        metric,
        target: target?,
        scale_out_cooldown_ms: scale_out_cooldown_ms?,
        scale_in_cooldown_ms: scale_in_cooldown_ms?,
        disable_scale_in: disable_scale_in?,
        scale_out_datapoints: scale_out_datapoints?,
        scale_in_datapoints: scale_in_datapoints?,
        scale_in_threshold_percent: scale_in_threshold_percent?,
    })
}

fn step_scaling(
    cx: &mut Cx,
    node: &Node,
    path: &str,
    service: &ServiceContext,
) -> Option<StepScalingPolicy> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, STEP_SCALING_KEYS, &[]);
    let metric = metric(cx, &fields, service);
    let threshold = fields
        .required(cx, "threshold", "the alarm's threshold, a number")
        .and_then(|node| cx.number(node, &fields.path_of("threshold"), "a number"));
    let comparison = fields
        .required(
            cx,
            "comparisonOperator",
            &format!("one of {}", Comparison::NAMES.join(", ")),
        )
        .and_then(|node| {
            cx.choice(
                node,
                &fields.path_of("comparisonOperator"),
                &Comparison::NAMES,
            )
        })
        .map(|i| match i {
            0 => Comparison::GreaterThanOrEqualToThreshold,
            1 => Comparison::GreaterThanThreshold,
            2 => Comparison::LessThanThreshold,
            _ => Comparison::LessThanOrEqualToThreshold,
        });
    let datapoints = count(cx, &fields, "evaluationPeriods", 1);
    let adjustment_type = fields
        .required(
            cx,
            "adjustmentType",
            &format!("one of {}", AdjustmentType::NAMES.join(", ")),
        )
        .and_then(|node| {
            cx.choice(
                node,
                &fields.path_of("adjustmentType"),
                &AdjustmentType::NAMES,
            )
        })
        .map(|i| match i {
            0 => AdjustmentType::ChangeInCapacity,
            1 => AdjustmentType::PercentChangeInCapacity,
            _ => AdjustmentType::ExactCapacity,
        });
    let step_adjustments =
        match fields.required(cx, "stepAdjustments", "a list of step adjustments") {
            None => None,
            Some(node) => {
                let field = fields.path_of("stepAdjustments");
                let items = cx.seq(node, &field).unwrap_or_default();
                if items.is_empty() {
                    cx.invalid(node, &field, "at least one step adjustment");
                }
                let mut steps = Vec::new();
                let mut ok = !items.is_empty();
                for (i, item) in items.iter().enumerate() {
                    match step_adjustment(cx, item, &index_path(&field, i)) {
                        Some(step) => steps.push(step),
                        None => ok = false,
                    }
                }
                ok.then_some(steps)
            }
        };
    let min_adjustment_magnitude = opt(cx, &fields, "minAdjustmentMagnitude", |cx, node, field| {
        cx.u32(node, field, 1, u32::MAX)
    });
    let cooldown_ms = cooldown(cx, &fields, "cooldown");
    let policy_name = opt(cx, &fields, "policyName", Cx::name);
    let metric = metric?;
    Some(StepScalingPolicy {
        policy_name: match policy_name {
            Some(name) => name?,
            None => format!("{}-step-scaling", metric.name()),
        },
        metric,
        threshold: threshold?,
        comparison: comparison?,
        datapoints: datapoints?,
        adjustment_type: adjustment_type?,
        step_adjustments: step_adjustments?,
        min_adjustment_magnitude: min_adjustment_magnitude.map_or(Some(None), |m| m.map(Some))?,
        cooldown_ms: cooldown_ms?,
    })
}

fn step_adjustment(cx: &mut Cx, node: &Node, path: &str) -> Option<StepAdjustment> {
    let fields = cx.fields(node, path)?;
    fields.finish(
        cx,
        &[
            "metricIntervalLowerBound",
            "metricIntervalUpperBound",
            "scalingAdjustment",
        ],
        &[],
    );
    let bound = |cx: &mut Cx, key: &str| {
        opt(cx, &fields, key, |cx, node, field| {
            cx.number(node, field, "a number")
        })
        .map_or(Some(None), |b| b.map(Some))
    };
    let lower = bound(cx, "metricIntervalLowerBound");
    let upper = bound(cx, "metricIntervalUpperBound");
    let adjustment = fields
        .required(
            cx,
            "scalingAdjustment",
            "a whole number (negative scales in)",
        )
        .and_then(|node| {
            cx.int(
                node,
                &fields.path_of("scalingAdjustment"),
                -1_000_000,
                1_000_000,
            )
        });
    let (lower, upper) = (lower?, upper?);
    if let (Some(lower), Some(upper)) = (lower, upper) {
        if lower >= upper {
            cx.rule(
                &node.loc,
                path,
                "metricIntervalLowerBound must be below metricIntervalUpperBound".to_string(),
            );
            return None;
        }
    }
    Some(StepAdjustment {
        lower_bound: lower,
        upper_bound: upper,
        scaling_adjustment: adjustment?,
    })
}

fn scheduled_action(cx: &mut Cx, node: &Node, path: &str) -> Option<ScheduledScalingAction> {
    let fields = cx.fields(node, path)?;
    fields.finish(cx, SCHEDULED_ACTION_KEYS, &[]);
    let name = opt(cx, &fields, "scheduledActionName", Cx::name);
    let when = match (fields.get("at"), fields.get("schedule")) {
        (Some(at), None) => cx
            .duration_ms(at, &fields.path_of("at"))
            .map(ScheduledWhen::At),
        (None, Some(schedule)) => {
            let field = fields.path_of("schedule");
            match &schedule.value {
                Value::Scalar { text, .. } => match Schedule::parse(text) {
                    Ok(schedule) => Some(ScheduledWhen::Schedule(schedule)),
                    Err(message) => {
                        cx.rule(&schedule.loc, &field, message);
                        None
                    }
                },
                _ => {
                    cx.invalid(schedule, &field, "rate(1 day) or cron(0 8 * * ? *)");
                    None
                }
            }
        }
        _ => {
            cx.rule(
                &node.loc,
                path,
                "a scheduled action needs exactly one of at (a time) or schedule (rate(...) or cron(...))"
                    .to_string(),
            );
            None
        }
    };
    let capacity = |cx: &mut Cx, key: &str| {
        opt(cx, &fields, key, |cx, node, field| {
            cx.u32(node, field, 0, u32::MAX)
        })
        .map_or(Some(None), |c| c.map(Some))
    };
    let min_capacity = capacity(cx, "minCapacity");
    let max_capacity = capacity(cx, "maxCapacity");
    let (min_capacity, max_capacity) = (min_capacity?, max_capacity?);
    if min_capacity.is_none() && max_capacity.is_none() {
        cx.rule(
            &node.loc,
            path,
            "a scheduled action sets minCapacity, maxCapacity or both".to_string(),
        );
        return None;
    }
    if let (Some(min), Some(max)) = (min_capacity, max_capacity) {
        if min > max {
            cx.rule(
                &node.loc,
                path,
                format!("maxCapacity {max} is below minCapacity {min}"),
            );
            return None;
        }
    }
    let when = when?;
    Some(ScheduledScalingAction {
        name: match name {
            Some(name) => name?,
            None => path.to_string(),
        },
        when,
        min_capacity,
        max_capacity,
    })
}
