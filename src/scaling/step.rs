//! Step scaling policies: the policy's own alarm, the step chosen by how far
//! the metric is past the threshold, and the adjustment it applies.
//!
//! Sources: Application Auto Scaling User Guide "Step scaling policies"
//! (application-auto-scaling-step-scaling-policies.html: percent rounding, the
//! threshold-50 example); API StepAdjustment (bounds and their rules),
//! API StepScalingPolicyConfiguration (AdjustmentType, MinAdjustmentMagnitude,
//! MetricAggregationType, Cooldown), all under
//! docs.aws.amazon.com/autoscaling/application/; summarised in docs/aws-facts.md §6.4.
//! CloudWatch re-invokes an Auto Scaling action "once per minute that the
//! alarm remains in the new state" (CloudWatch User Guide, AlarmThatSendsEmail),
//! so a policy acts at every evaluation while its alarm is in ALARM.

use super::alarm::{Alarm, AlarmConfig, AlarmState, Comparison};
use super::cooldown::Cooldowns;
use super::metrics::{Datapoint, MinuteMetrics, ServiceMetric, Statistic};
use super::vote::{Direction, Proposal, Vote};
use crate::engine::{SimDuration, SimTime};

/// How a step's adjustment is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdjustmentType {
    ChangeInCapacity,
    PercentChangeInCapacity,
    ExactCapacity,
}

impl AdjustmentType {
    pub const ALL: [AdjustmentType; 3] =
        [AdjustmentType::ChangeInCapacity, AdjustmentType::PercentChangeInCapacity, AdjustmentType::ExactCapacity];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.aws_name() == s)
    }

    pub fn aws_name(self) -> &'static str {
        match self {
            AdjustmentType::ChangeInCapacity => "ChangeInCapacity",
            AdjustmentType::PercentChangeInCapacity => "PercentChangeInCapacity",
            AdjustmentType::ExactCapacity => "ExactCapacity",
        }
    }
}

/// One step: bounds relative to the alarm threshold (`None` = infinite).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepAdjustment {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub adjustment: i64,
}

/// One step scaling policy and its alarm, as the scenario loader resolves it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepScalingConfig {
    pub name: String,
    pub metric: ServiceMetric,
    /// The alarm's statistic.
    pub statistic: Statistic,
    pub comparison: Comparison,
    pub threshold: f64,
    pub evaluation_periods: u32,
    /// CloudWatch's default when absent is `evaluation_periods`.
    pub datapoints_to_alarm: u32,
    pub adjustment_type: AdjustmentType,
    pub min_adjustment_magnitude: Option<u32>,
    /// The loader fills an absent cooldown with `scaling::DEFAULT_COOLDOWN`.
    pub cooldown: SimDuration,
    /// Average (AWS's default), Minimum or Maximum.
    pub metric_aggregation_type: Statistic,
    pub steps: Vec<StepAdjustment>,
}

impl StepScalingConfig {
    pub fn alarm(&self) -> AlarmConfig {
        AlarmConfig {
            threshold: self.threshold,
            comparison: self.comparison,
            evaluation_periods: self.evaluation_periods,
            datapoints_to_alarm: self.datapoints_to_alarm,
        }
    }
}

/// Every problem with one policy, each naming its field under `step_scaling[<name>]`.
///
/// The step rules are API StepAdjustment's: no overlap and no gap; at most one
/// null lower and one null upper bound, a negative lower bound needs a step
/// with a null lower bound and a positive upper bound one with a null upper
/// bound; not both bounds null in one step; upper above lower; ExactCapacity
/// non-negative. AWS does not require scale-out steps on Greater* alarms or
/// negative adjustments on Less* alarms, so neither is checked.
pub fn validate_step_config(c: &StepScalingConfig) -> Vec<String> {
    let at = format!("step_scaling[{}]", c.name);
    let mut problems: Vec<String> = Vec::new();
    if c.name.is_empty() {
        problems.push("step_scaling: a policy has an empty name".to_string());
    }
    problems.extend(c.alarm().validate().into_iter().map(|p| format!("{at}.{p}")));
    if !c.metric_aggregation_type.is_metric_aggregation_type() {
        problems.push(format!(
            "{at}.metric_aggregation_type: {} is not allowed; use Average, Minimum or Maximum",
            c.metric_aggregation_type.aws_name()
        ));
    }
    match c.min_adjustment_magnitude {
        Some(_) if c.adjustment_type != AdjustmentType::PercentChangeInCapacity => problems.push(format!(
            "{at}.min_adjustment_magnitude: only valid with adjustment_type PercentChangeInCapacity, not {}",
            c.adjustment_type.aws_name()
        )),
        Some(0) => problems.push(format!("{at}.min_adjustment_magnitude: must be at least 1")),
        _ => {}
    }
    if c.steps.is_empty() {
        problems.push(format!("{at}.steps: at least one step is required"));
        return problems;
    }
    for (i, s) in c.steps.iter().enumerate() {
        let step = format!("{at}.steps[{i}]");
        for (field, bound) in [("lower", s.lower), ("upper", s.upper)] {
            if bound.is_some_and(|b| !b.is_finite()) {
                problems.push(format!("{step}.{field}: must be a finite number (leave it out for infinity)"));
            }
        }
        match (s.lower, s.upper) {
            (None, None) => problems.push(format!("{step}: lower and upper can't both be absent")),
            (Some(lo), Some(up)) if lo >= up => {
                problems.push(format!("{step}: upper ({up}) must be greater than lower ({lo})"))
            }
            _ => {}
        }
        if c.adjustment_type == AdjustmentType::ExactCapacity && s.adjustment < 0 {
            problems.push(format!(
                "{step}.adjustment: {} is negative; ExactCapacity needs a task count of 0 or more",
                s.adjustment
            ));
        }
    }
    let null_lower = c.steps.iter().filter(|s| s.lower.is_none()).count();
    let null_upper = c.steps.iter().filter(|s| s.upper.is_none()).count();
    if null_lower > 1 {
        problems.push(format!("{at}.steps: {null_lower} steps have no lower bound; at most one may"));
    }
    if null_upper > 1 {
        problems.push(format!("{at}.steps: {null_upper} steps have no upper bound; at most one may"));
    }
    if null_lower == 0 && c.steps.iter().any(|s| s.lower.is_some_and(|l| l < 0.0)) {
        problems.push(format!("{at}.steps: a negative lower bound needs a step without lower bound"));
    }
    if null_upper == 0 && c.steps.iter().any(|s| s.upper.is_some_and(|u| u > 0.0)) {
        problems.push(format!("{at}.steps: a positive upper bound needs a step without upper bound"));
    }
    // Overlaps and gaps: order by lower bound (absent = −∞) and check each seam.
    let mut order: Vec<usize> = (0..c.steps.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| c.steps[i].lower.unwrap_or(f64::NEG_INFINITY);
        key(a).total_cmp(&key(b)).then(a.cmp(&b))
    });
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (sa, sb) = (&c.steps[a], &c.steps[b]);
        match (sa.upper, sb.lower) {
            (None, _) => problems.push(format!("{at}.steps: steps[{a}] has no upper bound, so it overlaps steps[{b}]")),
            (Some(_), None) => {} // a second null lower bound, reported above
            (Some(up), Some(lo)) if up < lo => {
                problems.push(format!("{at}.steps: gap between steps[{a}] (upper {up}) and steps[{b}] (lower {lo})"))
            }
            (Some(up), Some(lo)) if up > lo => {
                problems.push(format!("{at}.steps: steps[{a}] (upper {up}) overlaps steps[{b}] (lower {lo})"))
            }
            _ => {}
        }
    }
    problems
}

/// The index of the step that applies when the aggregated metric is
/// `value`. Above the threshold a step's lower bound is inclusive and its upper
/// bound exclusive; below it, the other way round (API StepAdjustment). At the
/// threshold itself the side is the alarm's: Greater* alarms read it as above.
pub fn select_step(steps: &[StepAdjustment], value: f64, threshold: f64, comparison: Comparison) -> Option<usize> {
    let diff = value - threshold;
    let above = diff > 0.0 || (diff == 0.0 && comparison.is_upper());
    steps.iter().position(|s| {
        let lower = s.lower.unwrap_or(f64::NEG_INFINITY);
        let upper = s.upper.unwrap_or(f64::INFINITY);
        if above { lower <= diff && diff < upper } else { lower < diff && diff <= upper }
    })
}

/// The whole-task change of a PercentChangeInCapacity step: above 1 rounds down
/// (12.7 → 12), between 0 and 1 becomes 1, between −1 and 0 becomes −1, below
/// −1 rounds toward zero (−6.67 → −6). A positive percent of 0 tasks adds 1,
/// as "between 0 and 1" does. Integer maths keeps it exact.
pub fn percent_change(current: u32, percent: i64) -> i64 {
    let hundredths = i128::from(current) * i128::from(percent);
    let whole = hundredths / 100; // truncates toward zero
    let change = match percent.signum() {
        1 => whole.max(1),
        -1 => whole.min(-1),
        _ => 0,
    };
    change.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// MinAdjustmentMagnitude: a change smaller than `magnitude` grows to it, keeping its sign.
pub fn with_min_magnitude(change: i64, magnitude: Option<u32>) -> i64 {
    match magnitude {
        Some(m) if change.unsigned_abs() < u64::from(m) => change.signum() * i64::from(m),
        _ => change,
    }
}

/// The capacity a step asks for from `current` tasks, with a one-line account of the maths.
pub fn adjusted_capacity(
    kind: AdjustmentType,
    current: u32,
    adjustment: i64,
    min_magnitude: Option<u32>,
) -> (u32, String) {
    let to_u32 = |v: i64| v.clamp(0, i64::from(u32::MAX)) as u32;
    match kind {
        AdjustmentType::ExactCapacity => {
            let c = to_u32(adjustment);
            (c, format!("exact capacity {c}"))
        }
        AdjustmentType::ChangeInCapacity => {
            let c = to_u32(i64::from(current) + adjustment);
            (c, format!("{current} {adjustment:+} = {c}"))
        }
        AdjustmentType::PercentChangeInCapacity => {
            let raw = percent_change(current, adjustment);
            let change = with_min_magnitude(raw, min_magnitude);
            let c = to_u32(i64::from(current) + change);
            let exact = f64::from(current) * adjustment as f64 / 100.0;
            let mut maths = format!("{adjustment:+}% of {current} = {exact} → {raw:+}");
            if change != raw {
                maths.push_str(&format!(", min magnitude {} → {change:+}", min_magnitude.unwrap_or(0)));
            }
            maths.push_str(&format!(", {current} {change:+} = {c}"));
            (c, maths)
        }
    }
}

fn describe_bounds(s: &StepAdjustment, above: bool) -> String {
    let lower = s.lower.map_or("-inf".to_string(), |v| v.to_string());
    let upper = s.upper.map_or("+inf".to_string(), |v| v.to_string());
    if above { format!("[{lower}, {upper})") } else { format!("({lower}, {upper}]") }
}

/// A step policy with its alarm and cooldowns.
#[derive(Clone, Debug)]
pub(crate) struct StepPolicy {
    pub(crate) cfg: StepScalingConfig,
    alarm: Alarm,
    /// The latest real datapoint; the alarm is in ALARM only while one is in its range.
    last_datapoint: Option<Datapoint>,
    pub(crate) cooldowns: Cooldowns,
}

impl StepPolicy {
    pub(crate) fn new(cfg: StepScalingConfig) -> Self {
        let alarm = Alarm::new(cfg.alarm());
        StepPolicy { cfg, alarm, last_datapoint: None, cooldowns: Cooldowns::default() }
    }

    pub(crate) fn observe(&mut self, metrics: &MinuteMetrics) {
        let dp = metrics.get(self.cfg.metric);
        self.alarm.observe(dp.map(|d| d.get(self.cfg.statistic)));
        if dp.is_some() {
            self.last_datapoint = dp;
        }
    }

    pub(crate) fn alarm_state(&self) -> AlarmState {
        self.alarm.state()
    }

    /// What this policy wants at an evaluation, before clamping and combining.
    ///
    /// ASSUMPTION: the step is chosen from the latest datapoint reduced with
    /// MetricAggregationType (AWS does not say which datapoints it aggregates).
    pub(crate) fn vote(&self, now: SimTime, running: u32, desired: u32) -> Vote {
        let c = &self.cfg;
        if self.alarm.state() != AlarmState::Alarm {
            return Vote::Hold;
        }
        let Some(dp) = self.last_datapoint else {
            return Vote::Hold;
        };
        let value = dp.get(c.metric_aggregation_type);
        let Some(index) = select_step(&c.steps, value, c.threshold, c.comparison) else {
            return Vote::Hold;
        };
        let step = c.steps[index];
        let direction = match c.adjustment_type {
            AdjustmentType::ExactCapacity => match (step.adjustment.max(0) as u64).cmp(&u64::from(desired)) {
                std::cmp::Ordering::Greater => Direction::Out,
                std::cmp::Ordering::Less => Direction::In,
                std::cmp::Ordering::Equal => return Vote::Hold,
            },
            _ => match step.adjustment.signum() {
                1 => Direction::Out,
                -1 => Direction::In,
                _ => return Vote::Hold,
            },
        };
        let diff = value - c.threshold;
        let above = diff > 0.0 || (diff == 0.0 && c.comparison.is_upper());
        let head = format!(
            "{}: alarm {} {} {} in ALARM; {} {} is threshold {:+}, step {}",
            c.name,
            c.metric.aws_name(),
            c.statistic.aws_name(),
            self.alarm.config().describe(),
            c.metric_aggregation_type.aws_name(),
            super::Shown(value),
            super::Shown(diff),
            describe_bounds(&step, above),
        );
        match direction {
            Direction::Out => {
                let basis = self.cooldowns.scale_out_basis(now, running);
                let (capacity, maths) =
                    adjusted_capacity(c.adjustment_type, basis.running, step.adjustment, c.min_adjustment_magnitude);
                let mut explanation = format!("{head}: {maths}");
                if let (Some(must_exceed), Some(until)) = (basis.must_exceed, basis.until) {
                    explanation.push_str(&format!(
                        " (cooldown until {until} s: counted from the running count at the last scale-out, which set {must_exceed})"
                    ));
                    if capacity <= must_exceed {
                        return Vote::Blocked(explanation);
                    }
                }
                Vote::Act(Proposal {
                    direction,
                    capacity,
                    metric_value: value,
                    threshold: c.threshold,
                    explanation,
                    basis: Some(basis),
                })
            }
            Direction::In => {
                let (capacity, maths) =
                    adjusted_capacity(c.adjustment_type, running, step.adjustment, c.min_adjustment_magnitude);
                let explanation = format!("{head}: {maths}");
                if let Some(until) = self.cooldowns.scale_in_blocked_until(now) {
                    return Vote::Blocked(format!("{explanation} (cooldown until {until} s)"));
                }
                Vote::Act(Proposal {
                    direction,
                    capacity,
                    metric_value: value,
                    threshold: c.threshold,
                    explanation,
                    basis: None,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(lower: Option<f64>, upper: Option<f64>, adjustment: i64) -> StepAdjustment {
        StepAdjustment { lower, upper, adjustment }
    }

    /// The guide's example policies (threshold 50, PercentChangeInCapacity).
    fn doc_scale_out_steps() -> Vec<StepAdjustment> {
        vec![step(Some(0.0), Some(10.0), 0), step(Some(10.0), Some(20.0), 10), step(Some(20.0), None, 30)]
    }
    fn doc_scale_in_steps() -> Vec<StepAdjustment> {
        vec![step(Some(-10.0), Some(0.0), 0), step(Some(-20.0), Some(-10.0), -10), step(None, Some(-20.0), -30)]
    }

    fn cpu_policy(name: &str, comparison: Comparison, threshold: f64, steps: Vec<StepAdjustment>) -> StepScalingConfig {
        StepScalingConfig {
            name: name.into(),
            metric: ServiceMetric::CpuUtilization,
            statistic: Statistic::Average,
            comparison,
            threshold,
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            adjustment_type: AdjustmentType::PercentChangeInCapacity,
            min_adjustment_magnitude: None,
            cooldown: SimDuration::from_secs(300),
            metric_aggregation_type: Statistic::Average,
            steps,
        }
    }

    #[test]
    fn guide_example_step_selection_and_percent_maths() {
        let out = doc_scale_out_steps();
        let inn = doc_scale_in_steps();
        let ge = Comparison::GreaterThanOrEqualToThreshold;
        let le = Comparison::LessThanOrEqualToThreshold;
        // 60 → +10% of 10 = 1 → 11; 70 → +30% of 11 = 3.3 → 3 → 14;
        // 40 → -10% of 14 = -1.4 → -1 → 13; 30 → -30% of 13 = -3.9 → -3 → 10.
        let i = select_step(&out, 60.0, 50.0, ge).expect("60 is in a step");
        assert_eq!(out[i].adjustment, 10);
        assert_eq!(adjusted_capacity(AdjustmentType::PercentChangeInCapacity, 10, 10, None).0, 11);
        let i = select_step(&out, 70.0, 50.0, ge).expect("70 is in a step");
        assert_eq!(out[i].adjustment, 30);
        assert_eq!(adjusted_capacity(AdjustmentType::PercentChangeInCapacity, 11, 30, None).0, 14);
        let i = select_step(&inn, 40.0, 50.0, le).expect("40 is in a step");
        assert_eq!(inn[i].adjustment, -10);
        assert_eq!(adjusted_capacity(AdjustmentType::PercentChangeInCapacity, 14, -10, None).0, 13);
        let i = select_step(&inn, 30.0, 50.0, le).expect("30 is in a step");
        assert_eq!(inn[i].adjustment, -30);
        assert_eq!(adjusted_capacity(AdjustmentType::PercentChangeInCapacity, 13, -30, None).0, 10);
    }

    #[test]
    fn step_selection_at_exact_bounds() {
        let out = doc_scale_out_steps();
        let inn = doc_scale_in_steps();
        let ge = Comparison::GreaterThanOrEqualToThreshold;
        let lt = Comparison::LessThanThreshold;
        // Above the threshold: lower inclusive, upper exclusive.
        assert_eq!(select_step(&out, 50.0, 50.0, ge), Some(0)); // diff 0 ∈ [0, 10)
        assert_eq!(select_step(&out, 60.0, 50.0, ge), Some(1)); // diff 10 ∈ [10, 20), not [0, 10)
        assert_eq!(select_step(&out, 70.0, 50.0, ge), Some(2)); // diff 20 ∈ [20, inf)
        assert_eq!(select_step(&out, 49.0, 50.0, ge), None); // below every scale-out step
        // Below the threshold: lower exclusive, upper inclusive.
        assert_eq!(select_step(&inn, 50.0, 50.0, lt), Some(0)); // diff 0 ∈ (-10, 0]
        assert_eq!(select_step(&inn, 40.0, 50.0, lt), Some(1)); // diff -10 ∈ (-20, -10]
        assert_eq!(select_step(&inn, 30.0, 50.0, lt), Some(2)); // diff -20 ∈ (-inf, -20]
        assert_eq!(select_step(&inn, 29.5, 50.0, lt), Some(2));
    }

    #[test]
    fn percent_rounding_cases() {
        assert_eq!(percent_change(127, 10), 12); // 12.7 → 12
        assert_eq!(percent_change(4, 10), 1); // 0.4 → 1
        assert_eq!(percent_change(4, -10), -1); // -0.4 → -1
        assert_eq!(percent_change(23, -29), -6); // -6.67 → -6
        assert_eq!(percent_change(10, 10), 1); // exactly 1
        assert_eq!(percent_change(10, -10), -1); // exactly -1
        assert_eq!(percent_change(0, 50), 1); // from zero, as "between 0 and 1"
        assert_eq!(percent_change(10, 0), 0);
        // MinAdjustmentMagnitude: +25% of 4 = 1 → 2 (API StepScalingPolicyConfiguration's ECS example).
        assert_eq!(with_min_magnitude(percent_change(4, 25), Some(2)), 2);
        assert_eq!(with_min_magnitude(percent_change(4, -25), Some(2)), -2);
        assert_eq!(with_min_magnitude(percent_change(40, 25), Some(2)), 10);
        assert_eq!(adjusted_capacity(AdjustmentType::PercentChangeInCapacity, 4, 25, Some(2)).0, 6);
        assert_eq!(
            adjusted_capacity(AdjustmentType::PercentChangeInCapacity, 6, 20, Some(2)).1,
            "+20% of 6 = 1.2 → +1, min magnitude 2 → +2, 6 +2 = 8"
        );
    }

    #[test]
    fn change_and_exact_capacity() {
        assert_eq!(adjusted_capacity(AdjustmentType::ChangeInCapacity, 10, 3, None).0, 13);
        assert_eq!(adjusted_capacity(AdjustmentType::ChangeInCapacity, 1, -3, None).0, 0);
        assert_eq!(adjusted_capacity(AdjustmentType::ExactCapacity, 10, 4, None).0, 4);
    }

    #[test]
    fn reference_policies_are_valid() {
        let mut out = cpu_policy(
            "cpu-steps",
            Comparison::GreaterThanOrEqualToThreshold,
            70.0,
            vec![step(Some(0.0), Some(15.0), 20), step(Some(15.0), None, 50)],
        );
        out.evaluation_periods = 2;
        out.datapoints_to_alarm = 2;
        out.min_adjustment_magnitude = Some(2);
        assert_eq!(validate_step_config(&out), Vec::<String>::new());
        let mut inn = cpu_policy("cpu-scale-in", Comparison::LessThanThreshold, 25.0, vec![step(None, Some(0.0), -1)]);
        inn.adjustment_type = AdjustmentType::ChangeInCapacity;
        assert_eq!(validate_step_config(&inn), Vec::<String>::new());
        let doc_out = cpu_policy("out", Comparison::GreaterThanOrEqualToThreshold, 50.0, doc_scale_out_steps());
        assert!(validate_step_config(&doc_out).is_empty());
        let doc_in = cpu_policy("in", Comparison::LessThanOrEqualToThreshold, 50.0, doc_scale_in_steps());
        assert!(validate_step_config(&doc_in).is_empty());
    }

    #[test]
    fn invalid_steps_are_reported_by_field() {
        let ge = Comparison::GreaterThanOrEqualToThreshold;
        let gap = cpu_policy("p", ge, 70.0, vec![step(Some(0.0), Some(10.0), 1), step(Some(15.0), None, 2)]);
        assert_eq!(
            validate_step_config(&gap),
            vec!["step_scaling[p].steps: gap between steps[0] (upper 10) and steps[1] (lower 15)".to_string()]
        );
        let overlap = cpu_policy("p", ge, 70.0, vec![step(Some(5.0), None, 2), step(Some(0.0), Some(10.0), 1)]);
        assert_eq!(
            validate_step_config(&overlap),
            vec!["step_scaling[p].steps: steps[1] (upper 10) overlaps steps[0] (lower 5)".to_string()]
        );
        let two_open = cpu_policy("p", ge, 70.0, vec![step(Some(0.0), None, 1), step(Some(10.0), None, 2)]);
        let problems = validate_step_config(&two_open);
        assert!(problems.contains(&"step_scaling[p].steps: 2 steps have no upper bound; at most one may".to_string()));
        assert!(
            problems
                .contains(&"step_scaling[p].steps: steps[0] has no upper bound, so it overlaps steps[1]".to_string())
        );
        let unbounded = cpu_policy("p", ge, 70.0, vec![step(None, None, 1)]);
        assert_eq!(
            validate_step_config(&unbounded),
            vec!["step_scaling[p].steps[0]: lower and upper can't both be absent".to_string()]
        );
        let no_null_upper = cpu_policy("p", ge, 70.0, vec![step(Some(0.0), Some(10.0), 1)]);
        assert_eq!(
            validate_step_config(&no_null_upper),
            vec!["step_scaling[p].steps: a positive upper bound needs a step without upper bound".to_string()]
        );
        let no_null_lower =
            cpu_policy("p", Comparison::LessThanThreshold, 30.0, vec![step(Some(-10.0), Some(0.0), -1)]);
        assert_eq!(
            validate_step_config(&no_null_lower),
            vec!["step_scaling[p].steps: a negative lower bound needs a step without lower bound".to_string()]
        );
        let mut magnitude = cpu_policy("p", ge, 70.0, vec![step(Some(0.0), None, 1)]);
        magnitude.adjustment_type = AdjustmentType::ChangeInCapacity;
        magnitude.min_adjustment_magnitude = Some(2);
        magnitude.metric_aggregation_type = Statistic::Sum;
        magnitude.datapoints_to_alarm = 2;
        assert_eq!(
            validate_step_config(&magnitude),
            vec![
                "step_scaling[p].datapoints_to_alarm: 2 must be between 1 and evaluation_periods (1)".to_string(),
                "step_scaling[p].metric_aggregation_type: Sum is not allowed; use Average, Minimum or Maximum".to_string(),
                "step_scaling[p].min_adjustment_magnitude: only valid with adjustment_type PercentChangeInCapacity, not ChangeInCapacity".to_string(),
            ]
        );
        let mut exact = cpu_policy("p", ge, 70.0, vec![step(Some(0.0), None, -1)]);
        exact.adjustment_type = AdjustmentType::ExactCapacity;
        assert_eq!(
            validate_step_config(&exact),
            vec![
                "step_scaling[p].steps[0].adjustment: -1 is negative; ExactCapacity needs a task count of 0 or more"
                    .to_string()
            ]
        );
        let empty = cpu_policy("p", ge, 70.0, vec![]);
        assert_eq!(
            validate_step_config(&empty),
            vec!["step_scaling[p].steps: at least one step is required".to_string()]
        );
    }

    #[test]
    fn policy_acts_every_minute_in_alarm_and_uses_the_aggregation_type() {
        let mut c = cpu_policy(
            "p",
            Comparison::GreaterThanOrEqualToThreshold,
            70.0,
            vec![step(Some(0.0), Some(15.0), 1), step(Some(15.0), None, 3)],
        );
        c.adjustment_type = AdjustmentType::ChangeInCapacity;
        c.metric_aggregation_type = Statistic::Maximum;
        c.cooldown = SimDuration::ZERO;
        let mut p = StepPolicy::new(c);
        // Average 75 breaches 70; the Maximum 95 (threshold +25) picks the +3 step.
        let dp = Datapoint::from_samples(&[55.0, 75.0, 95.0]).expect("samples");
        p.observe(&MinuteMetrics { cpu: Some(dp), ..Default::default() });
        match p.vote(SimTime::from_minute(1), 3, 3) {
            Vote::Act(prop) => {
                assert_eq!((prop.direction, prop.capacity, prop.metric_value), (Direction::Out, 6, 95.0))
            }
            other => panic!("expected a scale-out, got {other:?}"),
        }
        // Missing minute: the alarm keeps ALARM on the last real datapoint and acts again.
        p.observe(&MinuteMetrics::default());
        assert_eq!(p.alarm_state(), AlarmState::Alarm);
        assert!(matches!(p.vote(SimTime::from_minute(2), 6, 6), Vote::Act(_)));
    }
}
