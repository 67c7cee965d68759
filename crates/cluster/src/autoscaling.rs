//! Service Auto Scaling (Application Auto Scaling for an ECS service, ECS.md §6.2): the
//! scalable target's policies as the scenario gives them, the CloudWatch alarms they own,
//! and the arithmetic of one decision. The model's side (the per-minute datapoints, the
//! cooldowns, the desired count) is in `cluster/autoscaling.rs`.
//!
//! What AWS leaves open (A20) is a field with a default: 3 datapoints of 1 minute above the
//! target to scale out, 15 below 90 % of it to scale in.

use crate::cron::Schedule;

/// The metrics a policy may track (ECS.md §6.1, §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScalingMetric {
    /// `ECSServiceAverageCPUUtilization`, percent.
    Cpu,
    /// `ECSServiceAverageMemoryUtilization`, percent.
    Memory,
    /// `ALBRequestCountPerTarget`: requests per minute per healthy target.
    AlbRequestCountPerTarget,
}

impl ScalingMetric {
    pub const NAMES: [&'static str; 3] = [
        "ECSServiceAverageCPUUtilization",
        "ECSServiceAverageMemoryUtilization",
        "ALBRequestCountPerTarget",
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A target tracking policy (`TargetTrackingScalingPolicyConfiguration`).
#[derive(Clone, Debug, PartialEq)]
pub struct TargetTrackingPolicy {
    pub policy_name: String,
    pub metric: ScalingMetric,
    pub target: f64,
    /// Default 300 s each (ECS.md §6.2).
    pub scale_out_cooldown_ms: u64,
    pub scale_in_cooldown_ms: u64,
    pub disable_scale_in: bool,
    /// The high alarm: this many consecutive 1-minute datapoints above `target` (A20: 3).
    pub scale_out_datapoints: u32,
    /// The low alarm: this many consecutive datapoints below `scale_in_threshold_percent`
    /// of `target` (A20: 15 below 90 %).
    pub scale_in_datapoints: u32,
    pub scale_in_threshold_percent: f64,
}

/// How a step scaling policy's alarm compares the metric with its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    GreaterThanOrEqualToThreshold,
    GreaterThanThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl Comparison {
    pub const NAMES: [&'static str; 4] = [
        "GreaterThanOrEqualToThreshold",
        "GreaterThanThreshold",
        "LessThanThreshold",
        "LessThanOrEqualToThreshold",
    ];

    pub fn breached(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => value >= threshold,
            Comparison::GreaterThanThreshold => value > threshold,
            Comparison::LessThanThreshold => value < threshold,
            Comparison::LessThanOrEqualToThreshold => value <= threshold,
        }
    }

    fn above(self) -> bool {
        matches!(
            self,
            Comparison::GreaterThanOrEqualToThreshold | Comparison::GreaterThanThreshold
        )
    }
}

/// `AdjustmentType` of a step scaling policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdjustmentType {
    ChangeInCapacity,
    PercentChangeInCapacity,
    ExactCapacity,
}

impl AdjustmentType {
    pub const NAMES: [&'static str; 3] = [
        "ChangeInCapacity",
        "PercentChangeInCapacity",
        "ExactCapacity",
    ];
}

/// One `StepAdjustment`: bounds relative to the alarm threshold (`None` = unbounded).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepAdjustment {
    pub lower_bound: Option<f64>,
    pub upper_bound: Option<f64>,
    pub scaling_adjustment: i64,
}

/// A step scaling policy (`StepScalingPolicyConfiguration` and the alarm that triggers it).
#[derive(Clone, Debug, PartialEq)]
pub struct StepScalingPolicy {
    pub policy_name: String,
    pub metric: ScalingMetric,
    pub threshold: f64,
    pub comparison: Comparison,
    /// Consecutive 1-minute datapoints that must breach (`EvaluationPeriods`, default 1).
    pub datapoints: u32,
    pub adjustment_type: AdjustmentType,
    pub step_adjustments: Vec<StepAdjustment>,
    /// For `PercentChangeInCapacity`: the least number of tasks to change by.
    pub min_adjustment_magnitude: Option<u32>,
    /// Default 300 s.
    pub cooldown_ms: u64,
}

impl StepScalingPolicy {
    /// The adjustment whose interval holds `value` (the metric less the threshold): above
    /// the threshold lower bounds are inclusive and upper ones exclusive, below it the
    /// reverse, as Application Auto Scaling reads them.
    pub fn adjustment_for(&self, value: f64) -> Option<i64> {
        let delta = value - self.threshold;
        let above = self.comparison.above();
        self.step_adjustments
            .iter()
            .find(|step| {
                let lower_ok =
                    step.lower_bound.is_none_or(
                        |lower| {
                            if above {
                                delta >= lower
                            } else {
                                delta > lower
                            }
                        },
                    );
                let upper_ok =
                    step.upper_bound.is_none_or(
                        |upper| {
                            if above {
                                delta < upper
                            } else {
                                delta <= upper
                            }
                        },
                    );
                lower_ok && upper_ok
            })
            .map(|step| step.scaling_adjustment)
    }

    /// The capacity the adjustment asks for, from `current` tasks.
    pub fn new_capacity(&self, current: u32, adjustment: i64) -> i64 {
        let current = i64::from(current);
        match self.adjustment_type {
            AdjustmentType::ChangeInCapacity => current + adjustment,
            AdjustmentType::ExactCapacity => adjustment,
            AdjustmentType::PercentChangeInCapacity => {
                // Application Auto Scaling: a change between -1 and 1 is 1 task that way;
                // beyond, rounded towards zero; at least MinAdjustmentMagnitude.
                let exact = current as f64 * adjustment as f64 / 100.0;
                let mut change = if exact > 0.0 && exact < 1.0 {
                    1
                } else if exact < 0.0 && exact > -1.0 {
                    -1
                } else {
                    exact.trunc() as i64
                };
                if let Some(magnitude) = self.min_adjustment_magnitude {
                    let magnitude = i64::from(magnitude);
                    if change != 0 && change.abs() < magnitude {
                        change = change.signum() * magnitude;
                    }
                }
                current + change
            }
        }
    }
}

/// When a scheduled action runs: once, or on an EventBridge-style schedule.
#[derive(Clone, Debug, PartialEq)]
pub enum ScheduledWhen {
    At(u64),
    Schedule(Schedule),
}

/// A scheduled action (`PutScheduledAction`): new minimum and/or maximum capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledScalingAction {
    pub name: String,
    pub when: ScheduledWhen,
    pub min_capacity: Option<u32>,
    pub max_capacity: Option<u32>,
}

/// `autoScaling:` on a service: the scalable target and its policies.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoScalingSpec {
    pub min_capacity: u32,
    pub max_capacity: u32,
    pub target_tracking: Vec<TargetTrackingPolicy>,
    pub step_scaling: Vec<StepScalingPolicy>,
    pub scheduled_actions: Vec<ScheduledScalingAction>,
}

impl AutoScalingSpec {
    /// Whether any policy tracks `metric`.
    pub fn uses(&self, metric: ScalingMetric) -> bool {
        self.target_tracking.iter().any(|p| p.metric == metric)
            || self.step_scaling.iter().any(|p| p.metric == metric)
    }
}

/// Target tracking's proportional count: `ceil(running x metric / target)`, the tasks that
/// bring the average back to the target (ECS.md §6.2: rounding is conservative, up).
pub fn proportional(running: u32, metric: f64, target: f64) -> i64 {
    let exact = f64::from(running) * metric / target;
    // A hair under a whole number is that number: 3 x 80 / 80 must not become 4.
    let rounded = libm::ceil(exact - 1e-9);
    rounded.max(0.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(adjustment_type: AdjustmentType, comparison: Comparison) -> StepScalingPolicy {
        StepScalingPolicy {
            policy_name: "p".to_string(),
            metric: ScalingMetric::Cpu,
            threshold: 70.0,
            comparison,
            datapoints: 1,
            adjustment_type,
            step_adjustments: vec![
                StepAdjustment {
                    lower_bound: Some(0.0),
                    upper_bound: Some(15.0),
                    scaling_adjustment: 1,
                },
                StepAdjustment {
                    lower_bound: Some(15.0),
                    upper_bound: None,
                    scaling_adjustment: 3,
                },
            ],
            min_adjustment_magnitude: None,
            cooldown_ms: 300_000,
        }
    }

    #[test]
    fn step_intervals_are_relative_to_the_threshold() {
        let policy = step(
            AdjustmentType::ChangeInCapacity,
            Comparison::GreaterThanOrEqualToThreshold,
        );
        assert_eq!(policy.adjustment_for(70.0), Some(1));
        assert_eq!(policy.adjustment_for(84.9), Some(1));
        assert_eq!(policy.adjustment_for(85.0), Some(3));
        assert_eq!(policy.adjustment_for(69.0), None);
        assert_eq!(policy.new_capacity(4, 3), 7);
    }

    #[test]
    fn percent_changes_round_towards_zero_but_move_at_least_one() {
        let mut policy = step(
            AdjustmentType::PercentChangeInCapacity,
            Comparison::GreaterThanThreshold,
        );
        assert_eq!(policy.new_capacity(3, 10), 4, "0.3 of a task is one task");
        assert_eq!(policy.new_capacity(15, 10), 16, "1.5 rounds down to 1");
        assert_eq!(policy.new_capacity(15, -10), 14);
        policy.min_adjustment_magnitude = Some(2);
        assert_eq!(policy.new_capacity(15, 10), 17);
        let exact = step(AdjustmentType::ExactCapacity, Comparison::LessThanThreshold);
        assert_eq!(exact.new_capacity(15, 4), 4);
    }

    #[test]
    fn proportional_rounds_up_but_not_exact_ratios() {
        assert_eq!(proportional(3, 80.0, 80.0), 3);
        assert_eq!(proportional(4, 100.0, 50.0), 8);
        assert_eq!(proportional(10, 40.0, 50.0), 8);
        assert_eq!(proportional(10, 41.0, 50.0), 9);
    }
}
