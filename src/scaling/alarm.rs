//! A CloudWatch metric alarm on a 60-second period, "M out of N" datapoints,
//! missing data treated as CloudWatch's default, `missing`.
//!
//! Source for every rule here: Amazon CloudWatch User Guide, "Using Amazon
//! CloudWatch alarms" (AlarmThatSendsEmail.html), sections "Evaluating an
//! alarm", "How alarm state is evaluated when data is missing" and "Avoiding
//! premature transitions to alarm state" (awsdocs/amazon-cloudwatch-user-guide,
//! doc_source/AlarmThatSendsEmail.md). In short:
//! - CloudWatch fetches more datapoints than N, the *evaluation range*.
//! - With at least N real datapoints in the range, the N most recent real ones
//!   decide: ALARM when at least M breach, otherwise OK.
//! - With none, the alarm goes to INSUFFICIENT_DATA.
//! - With fewer than N, every real one counts and missing ones never breach;
//!   but when every real datapoint breaches and the oldest one is at least M
//!   periods old, the alarm goes to ALARM anyway ("premature" rule); when every
//!   real datapoint breaches and the oldest is younger, the alarm cannot yet tell
//!   and is INSUFFICIENT_DATA (table row `- - - - X`, 2023 edition of the page).
//!
//! The same type serves the capacity provider's CapacityProviderReservation
//! alarms (1 of 1 above target, 15 of 15 below target).

use std::fmt;

/// Extra periods CloudWatch fetches beyond N, in case recent ones are missing.
///
/// ASSUMPTION: the guide gives the evaluation range only for N = 3 ("CloudWatch
/// retrieves the 5 most recent data points"); we take N + 2 for every N.
pub const EVALUATION_RANGE_EXTRA_PERIODS: usize = 2;

/// Longest alarm window: "The number of evaluation periods for an alarm
/// multiplied by the length of each evaluation period can't exceed one day"
/// (CloudWatch User Guide, "Common features of CloudWatch alarms"); 1440 × 60 s.
pub const MAX_EVALUATION_PERIODS: u32 = 1440;

/// PutMetricAlarm's ComparisonOperator values for static thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Comparison {
    GreaterThanOrEqualToThreshold,
    GreaterThanThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl Comparison {
    pub const ALL: [Comparison; 4] = [
        Comparison::GreaterThanOrEqualToThreshold,
        Comparison::GreaterThanThreshold,
        Comparison::LessThanThreshold,
        Comparison::LessThanOrEqualToThreshold,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.aws_name() == s)
    }

    pub fn aws_name(self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    /// The operator as a symbol, for one-line explanations.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => ">=",
            Comparison::GreaterThanThreshold => ">",
            Comparison::LessThanThreshold => "<",
            Comparison::LessThanOrEqualToThreshold => "<=",
        }
    }

    /// Whether the alarm fires on values above the threshold (scale-out side).
    pub fn is_upper(self) -> bool {
        matches!(self, Comparison::GreaterThanOrEqualToThreshold | Comparison::GreaterThanThreshold)
    }

    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => value >= threshold,
            Comparison::GreaterThanThreshold => value > threshold,
            Comparison::LessThanThreshold => value < threshold,
            Comparison::LessThanOrEqualToThreshold => value <= threshold,
        }
    }
}

/// The state of a metric alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    /// The code the time series uses: 0 OK, 1 ALARM, 2 INSUFFICIENT_DATA (docs/conventions.md).
    pub fn code(self) -> u8 {
        match self {
            AlarmState::Ok => 0,
            AlarmState::Alarm => 1,
            AlarmState::InsufficientData => 2,
        }
    }

    pub fn aws_name(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

/// What an alarm compares and over how many one-minute periods.
/// The value fed to the alarm is already the chosen statistic of the metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AlarmConfig {
    pub threshold: f64,
    pub comparison: Comparison,
    /// N: the most recent periods considered.
    pub evaluation_periods: u32,
    /// M: how many of them must breach.
    pub datapoints_to_alarm: u32,
}

impl AlarmConfig {
    /// Problems with the shape, each naming its field.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.threshold.is_finite() {
            problems.push(format!("threshold: {} is not a finite number", self.threshold));
        }
        if self.evaluation_periods == 0 || self.evaluation_periods > MAX_EVALUATION_PERIODS {
            problems.push(format!(
                "evaluation_periods: {} is outside 1..={MAX_EVALUATION_PERIODS} (one-minute periods, at most one day)",
                self.evaluation_periods
            ));
        }
        if self.datapoints_to_alarm == 0 || self.datapoints_to_alarm > self.evaluation_periods {
            problems.push(format!(
                "datapoints_to_alarm: {} must be between 1 and evaluation_periods ({})",
                self.datapoints_to_alarm, self.evaluation_periods
            ));
        }
        problems
    }

    /// "GreaterThanThreshold 60 for 3 of 3 datapoints", for explanations.
    pub fn describe(&self) -> String {
        format!(
            "{} {} for {} of {} datapoints",
            self.comparison.symbol(),
            self.threshold,
            self.datapoints_to_alarm,
            self.evaluation_periods
        )
    }
}

/// One period of the evaluation range: its value, and how it was judged when
/// it came in (a missing datapoint never breaches).
#[derive(Clone, Copy, Debug)]
struct Slot {
    value: f64,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Missing,
    Ok,
    Breaching,
}

/// A metric alarm fed one datapoint per period.
#[derive(Clone, Debug)]
pub struct Alarm {
    cfg: AlarmConfig,
    /// The evaluation range as a ring of N + 2 slots: the datapoint `age`
    /// periods old (0 = newest) is at `(newest + age) % slots.len()`, for ages
    /// below `len`. Each datapoint is judged once, as it enters (every alarm is
    /// fed every minute: the queue and the judging at each evaluation were a
    /// hot spot of large runs).
    slots: Box<[Slot]>,
    newest: usize,
    len: usize,
    /// Real datapoints in the range, kept as they enter and leave (an alarm is
    /// evaluated every minute; recounting the range each time was a hot spot).
    real: usize,
    /// Breaching datapoints in the range, kept the same way.
    breaching: usize,
    state: AlarmState,
}

impl Alarm {
    /// A new alarm starts in INSUFFICIENT_DATA ("the alarm has just started").
    pub fn new(cfg: AlarmConfig) -> Self {
        let capacity = cfg.evaluation_periods as usize + EVALUATION_RANGE_EXTRA_PERIODS;
        Alarm {
            cfg,
            slots: vec![Slot { value: 0.0, kind: Kind::Missing }; capacity].into_boxed_slice(),
            newest: 0,
            len: 0,
            real: 0,
            breaching: 0,
            state: AlarmState::InsufficientData,
        }
    }

    pub fn config(&self) -> &AlarmConfig {
        &self.cfg
    }

    /// Records one period's datapoint (`None` when missing) and re-evaluates.
    pub fn observe(&mut self, value: Option<f64>) -> AlarmState {
        // A NaN can never be compared to a threshold; CloudWatch would not hold it.
        let slot = match value.filter(|v| !v.is_nan()) {
            None => Slot { value: 0.0, kind: Kind::Missing },
            Some(v) if self.breaches(v) => Slot { value: v, kind: Kind::Breaching },
            Some(v) => Slot { value: v, kind: Kind::Ok },
        };
        let cap = self.slots.len();
        // The new datapoint takes the slot one before the newest: the oldest's, once full.
        self.newest = if self.newest == 0 { cap - 1 } else { self.newest - 1 };
        if self.len == cap {
            let oldest = self.slots[self.newest].kind;
            self.count(oldest, -1);
        } else {
            self.len += 1;
        }
        self.slots[self.newest] = slot;
        self.count(slot.kind, 1);
        self.state = self.evaluate();
        self.state
    }

    pub fn state(&self) -> AlarmState {
        self.state
    }

    /// The datapoint `age` periods old (0 = newest; `age` below `len`).
    fn slot(&self, age: usize) -> Slot {
        let i = self.newest + age;
        self.slots[if i >= self.slots.len() { i - self.slots.len() } else { i }]
    }

    /// The most recent real datapoint in the evaluation range, the value a
    /// policy acts on when the alarm is in ALARM.
    pub fn latest(&self) -> Option<f64> {
        (0..self.len).map(|age| self.slot(age)).find(|s| s.kind != Kind::Missing).map(|s| s.value)
    }

    fn breaches(&self, value: f64) -> bool {
        self.cfg.comparison.breaches(value, self.cfg.threshold)
    }

    /// Adds (`delta` 1) or removes (-1) a datapoint from the running counts.
    fn count(&mut self, kind: Kind, delta: isize) {
        if kind == Kind::Missing {
            return;
        }
        self.real = self.real.wrapping_add_signed(delta);
        if kind == Kind::Breaching {
            self.breaching = self.breaching.wrapping_add_signed(delta);
        }
    }

    fn evaluate(&self) -> AlarmState {
        let n = self.cfg.evaluation_periods as usize;
        let m = self.cfg.datapoints_to_alarm as usize;
        let (real, breaching_all) = (self.real, self.breaching);
        if real == 0 {
            return AlarmState::InsufficientData;
        }
        if real >= n {
            // The N most recent real datapoints decide: leave out the oldest real - N
            // (at most the range's extra periods), found from the old end.
            let mut beyond_n = real - n;
            let mut breaching_first_n = breaching_all;
            let mut age = self.len;
            while beyond_n > 0 && age > 0 {
                age -= 1;
                match self.slot(age).kind {
                    Kind::Missing => continue,
                    Kind::Breaching => breaching_first_n -= 1,
                    Kind::Ok => {}
                }
                beyond_n -= 1;
            }
            return if breaching_first_n >= m { AlarmState::Alarm } else { AlarmState::Ok };
        }
        if breaching_all >= m {
            return AlarmState::Alarm;
        }
        if breaching_all < real {
            // A real non-breaching datapoint: missing ones never make up the M.
            return AlarmState::Ok;
        }
        // Age in periods (0 = newest) of the oldest real datapoint.
        let oldest_age = (0..self.len).rev().find(|&age| self.slot(age).kind != Kind::Missing).unwrap_or(0);
        if oldest_age + 1 >= m { AlarmState::Alarm } else { AlarmState::InsufficientData }
    }

    /// The evaluation range, newest first (`None` = missing), for tests.
    #[cfg(test)]
    fn range(&self) -> Vec<Option<f64>> {
        (0..self.len).map(|age| self.slot(age)).map(|s| (s.kind != Kind::Missing).then_some(s.value)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(m: u32, n: u32) -> Alarm {
        Alarm::new(AlarmConfig {
            threshold: 50.0,
            comparison: Comparison::GreaterThanThreshold,
            evaluation_periods: n,
            datapoints_to_alarm: m,
        })
    }

    /// Feeds a row written as in the guide's tables (oldest first, newest on the
    /// right): `0` non-breaching, `X` breaching, `-` missing.
    fn state_after(m: u32, n: u32, row: &str) -> AlarmState {
        let mut a = alarm(m, n);
        let mut state = a.state();
        for c in row.chars().filter(|c| !c.is_whitespace()) {
            let v = match c {
                '0' => Some(10.0),
                'X' => Some(90.0),
                _ => None,
            };
            state = a.observe(v);
        }
        state
    }

    #[test]
    fn guide_table_three_of_three_missing_column() {
        use AlarmState::*;
        // Current guide, first table (evaluation range 5), column MISSING.
        assert_eq!(state_after(3, 3, "0 - X - X"), Ok);
        assert_eq!(state_after(3, 3, "0 - - - -"), Ok);
        assert_eq!(state_after(3, 3, "- - - - -"), InsufficientData);
        assert_eq!(state_after(3, 3, "0 X X - X"), Alarm);
        assert_eq!(state_after(3, 3, "- - X - -"), Alarm);
        // 2023 edition rows that the current page no longer shows.
        assert_eq!(state_after(3, 3, "- - - - X"), InsufficientData);
        assert_eq!(state_after(3, 3, "X - - - -"), Alarm);
    }

    #[test]
    fn guide_table_two_of_three_missing_column() {
        use AlarmState::*;
        assert_eq!(state_after(2, 3, "0 - X - X"), Alarm);
        assert_eq!(state_after(2, 3, "0 0 X 0 X"), Alarm);
        assert_eq!(state_after(2, 3, "0 - X - -"), Ok);
        assert_eq!(state_after(2, 3, "- - - - 0"), Ok);
        assert_eq!(state_after(2, 3, "- - - X -"), Alarm);
        assert_eq!(state_after(2, 3, "- - - - X"), InsufficientData);
    }

    #[test]
    fn guide_figure_three_of_three() {
        // "Evaluating an alarm" figure: threshold 3, 3 of 3; ALARM from period 5,
        // OK at period 6, a lone breach at period 9 leaves it OK.
        let mut a = Alarm::new(AlarmConfig {
            threshold: 3.0,
            comparison: Comparison::GreaterThanThreshold,
            evaluation_periods: 3,
            datapoints_to_alarm: 3,
        });
        let values = [1.0, 2.0, 4.0, 5.0, 4.5, 2.0, 1.0, 2.0, 4.0, 2.0];
        let states: Vec<AlarmState> = values.iter().map(|v| a.observe(Some(*v))).collect();
        let (ok, alarm) = (AlarmState::Ok, AlarmState::Alarm);
        assert_eq!(
            states,
            vec![ok, ok, ok, ok, alarm, ok, ok, ok, ok, ok],
            "period 5 is the third breaching one in a row"
        );
    }

    #[test]
    fn starts_insufficient_and_needs_n_datapoints_of_a_new_metric() {
        let mut a = alarm(3, 3);
        assert_eq!(a.state(), AlarmState::InsufficientData);
        assert_eq!(a.latest(), None);
        assert_eq!(a.observe(Some(90.0)), AlarmState::InsufficientData);
        assert_eq!(a.observe(Some(90.0)), AlarmState::InsufficientData);
        assert_eq!(a.observe(Some(95.0)), AlarmState::Alarm);
        assert_eq!(a.latest(), Some(95.0));
        // Data stops: the last real points keep being re-evaluated, then age out.
        assert_eq!(a.observe(None), AlarmState::Alarm);
        assert_eq!(a.latest(), Some(95.0));
        for _ in 0..4 {
            a.observe(None);
        }
        assert_eq!(a.state(), AlarmState::InsufficientData);
        assert_eq!(a.latest(), None);
        assert_eq!(a.state().code(), 2);
    }

    /// The two M-of-N shapes the capacity provider alarms use, on a bare alarm;
    /// `tests/it/capacity.rs` checks the alarms the simulation itself builds.
    #[test]
    fn one_of_one_and_fifteen_of_fifteen_alarms() {
        // CPR high alarm: 1 of 1 above target 100 fires on the first datapoint.
        let mut high = Alarm::new(AlarmConfig {
            threshold: 100.0,
            comparison: Comparison::GreaterThanThreshold,
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
        });
        assert_eq!(high.observe(Some(150.0)), AlarmState::Alarm);
        assert_eq!(high.observe(Some(100.0)), AlarmState::Ok);
        // CPR low alarm: 15 of 15 below target; the 15th low datapoint fires it.
        let mut low = Alarm::new(AlarmConfig {
            threshold: 100.0,
            comparison: Comparison::LessThanThreshold,
            evaluation_periods: 15,
            datapoints_to_alarm: 15,
        });
        for minute in 1..=14 {
            assert_ne!(low.observe(Some(50.0)), AlarmState::Alarm, "minute {minute}");
        }
        assert_eq!(low.observe(Some(50.0)), AlarmState::Alarm);
        assert_eq!(low.observe(Some(100.0)), AlarmState::Ok);
    }

    /// The state recounted from the whole range, as the alarm did before it kept counts.
    fn recounted_state(a: &Alarm) -> AlarmState {
        let (n, m) = (a.cfg.evaluation_periods as usize, a.cfg.datapoints_to_alarm as usize);
        let real: Vec<(usize, bool)> =
            a.range().iter().enumerate().filter_map(|(age, v)| v.map(|v| (age, a.breaches(v)))).collect();
        let breaching = real.iter().filter(|r| r.1).count();
        match real.last() {
            None => AlarmState::InsufficientData,
            Some(_) if real.len() >= n => {
                if real.iter().take(n).filter(|r| r.1).count() >= m {
                    AlarmState::Alarm
                } else {
                    AlarmState::Ok
                }
            }
            Some(_) if breaching >= m => AlarmState::Alarm,
            Some(_) if breaching < real.len() => AlarmState::Ok,
            Some(&(oldest_age, _)) if oldest_age + 1 >= m => AlarmState::Alarm,
            Some(_) => AlarmState::InsufficientData,
        }
    }

    #[test]
    fn kept_counts_match_a_recount() {
        let mut seed = 12345u64;
        for (m, n) in [(1, 1), (2, 3), (3, 3), (3, 5), (15, 15)] {
            let mut a = alarm(m, n);
            // The range as a plain queue, newest first, as the alarm kept it before its ring.
            let mut queue = std::collections::VecDeque::new();
            for _ in 0..2000 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let v = match seed >> 61 {
                    0 | 1 => None,
                    2 => Some(f64::NAN),
                    k => Some(if k % 2 == 0 { 10.0 } else { 90.0 + f64::from((seed >> 40) as u8) }),
                };
                queue.push_front(v.filter(|v| !v.is_nan()));
                queue.truncate(n as usize + EVALUATION_RANGE_EXTRA_PERIODS);
                assert_eq!(a.observe(v), recounted_state(&a), "{m} of {n}");
                assert_eq!(a.range(), Vec::from(queue.clone()), "{m} of {n}");
                assert_eq!(a.latest(), queue.iter().flatten().next().copied(), "{m} of {n}");
            }
        }
    }

    #[test]
    fn comparisons_at_the_threshold() {
        assert!(Comparison::GreaterThanOrEqualToThreshold.breaches(70.0, 70.0));
        assert!(!Comparison::GreaterThanThreshold.breaches(70.0, 70.0));
        assert!(!Comparison::LessThanThreshold.breaches(25.0, 25.0));
        assert!(Comparison::LessThanOrEqualToThreshold.breaches(25.0, 25.0));
        for c in Comparison::ALL {
            assert_eq!(Comparison::parse(c.aws_name()), Some(c));
        }
    }

    #[test]
    fn validation_names_fields() {
        let bad = AlarmConfig {
            threshold: f64::INFINITY,
            comparison: Comparison::LessThanThreshold,
            evaluation_periods: 2,
            datapoints_to_alarm: 3,
        };
        let problems = bad.validate();
        assert_eq!(problems.len(), 2);
        assert!(problems[0].starts_with("threshold:"));
        assert!(problems[1].starts_with("datapoints_to_alarm: 3"));
        let too_long = AlarmConfig { threshold: 1.0, evaluation_periods: 1441, datapoints_to_alarm: 1, ..bad };
        assert!(too_long.validate()[0].starts_with("evaluation_periods: 1441"));
    }
}
