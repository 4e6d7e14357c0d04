//! Simulated time: integer milliseconds since the scenario's start.
//!
//! Integers keep event ordering exact and runs reproducible; conversion to
//! seconds as `f64` happens only at the edges (workload maths, reports).
//!
//! ```
//! use ecsim::engine::{SimDuration, SimTime};
//! let t = SimTime::ZERO + SimDuration::from_secs(90);
//! assert_eq!(t.as_millis(), 90_000);
//! assert_eq!(t.minute_index(), 1);
//! ```

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant of simulated time, in milliseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// A span of simulated time, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

pub const MS_PER_SECOND: u64 = 1_000;
pub const MS_PER_MINUTE: u64 = 60 * MS_PER_SECOND;
pub const MS_PER_HOUR: u64 = 60 * MS_PER_MINUTE;
pub const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_millis(ms: u64) -> Self {
        SimTime(ms)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimTime(s * MS_PER_SECOND)
    }
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MS_PER_SECOND as f64
    }
    /// Index of the minute this instant falls in (minute 0 is [0 s, 60 s)).
    pub const fn minute_index(self) -> u64 {
        self.0 / MS_PER_MINUTE
    }
    /// The start of minute `index`.
    pub const fn from_minute(index: u64) -> Self {
        SimTime(index * MS_PER_MINUTE)
    }
    /// Time elapsed since `earlier`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * MS_PER_SECOND)
    }
    pub const fn from_minutes(m: u64) -> Self {
        SimDuration(m * MS_PER_MINUTE)
    }
    pub const fn from_hours(h: u64) -> Self {
        SimDuration(h * MS_PER_HOUR)
    }
    /// Rounds to the nearest millisecond; negative and NaN inputs give zero.
    pub fn from_secs_f64(s: f64) -> Self {
        if s.is_nan() || s <= 0.0 {
            return SimDuration(0);
        }
        let ms = (s * MS_PER_SECOND as f64).round();
        SimDuration(if ms >= u64::MAX as f64 { u64::MAX } else { ms as u64 })
    }
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MS_PER_SECOND as f64
    }
    /// Whole seconds, ties to even: what `{:.0}` prints of `as_secs_f64`
    /// (a tie is exactly representable), without float formatting's cost.
    pub const fn as_secs_rounded(self) -> u64 {
        let (secs, ms) = (self.0 / MS_PER_SECOND, self.0 % MS_PER_SECOND);
        secs + (ms > MS_PER_SECOND / 2 || (ms == MS_PER_SECOND / 2 && secs % 2 == 1)) as u64
    }
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / MS_PER_HOUR as f64
    }
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
    pub fn saturating_mul(self, n: u64) -> Self {
        SimDuration(self.0.saturating_mul(n))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    /// Panics in debug builds if `rhs` is later; use `saturating_since` when unsure.
    fn sub(self, rhs: SimTime) -> SimDuration {
        debug_assert!(self.0 >= rhs.0, "negative duration {} - {}", self.0, rhs.0);
        SimDuration(self.0.saturating_sub(rhs.0))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl fmt::Display for SimTime {
    /// Seconds with millisecond precision, as `events.csv` writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}", self.0 / MS_PER_SECOND, self.0 % MS_PER_SECOND)
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        if ms.is_multiple_of(MS_PER_DAY) && ms > 0 {
            write!(f, "{}d", ms / MS_PER_DAY)
        } else if ms.is_multiple_of(MS_PER_HOUR) && ms > 0 {
            write!(f, "{}h", ms / MS_PER_HOUR)
        } else if ms.is_multiple_of(MS_PER_MINUTE) && ms > 0 {
            write!(f, "{}m", ms / MS_PER_MINUTE)
        } else if ms.is_multiple_of(MS_PER_SECOND) {
            write!(f, "{}s", ms / MS_PER_SECOND)
        } else {
            write!(f, "{}ms", ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ties go to the even second (0.5 s → 0, 1.5 s → 2, 2.5 s → 2), as Rust's
    /// `{:.0}` rounds; every millisecond of the first hour agrees with it.
    #[test]
    fn rounded_seconds_print_what_float_formatting_prints() {
        let cases = [(0, 0), (499, 0), (500, 0), (501, 1), (1_500, 2), (2_500, 2), (3_500, 4), (80_000, 80)];
        for (ms, secs) in cases {
            assert_eq!(SimDuration::from_millis(ms).as_secs_rounded(), secs, "{ms} ms");
        }
        for ms in 0..3_600_000 {
            let d = SimDuration::from_millis(ms);
            assert_eq!(d.as_secs_rounded().to_string(), format!("{:.0}", d.as_secs_f64()), "{ms} ms");
        }
    }

    #[test]
    fn arithmetic_and_display() {
        let t = SimTime::from_secs(61) + SimDuration::from_millis(5);
        assert_eq!(t.to_string(), "61.005");
        assert_eq!(t.minute_index(), 1);
        assert_eq!(SimDuration::from_minutes(90).to_string(), "90m");
        assert_eq!(SimDuration::from_hours(48).to_string(), "2d");
        assert_eq!(SimDuration::from_millis(1500).to_string(), "1500ms");
        assert_eq!(SimTime::from_secs(10).saturating_since(SimTime::from_secs(20)), SimDuration::ZERO);
    }

    #[test]
    fn from_secs_f64_rounds_and_clamps() {
        assert_eq!(SimDuration::from_secs_f64(0.0015).as_millis(), 2);
        assert_eq!(SimDuration::from_secs_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration::ZERO);
    }
}
