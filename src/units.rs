//! Units that must not be mixed up: money, ECS CPU units, memory.
//!
//! Money is `f64` US dollars inside a newtype: per-second prices are not
//! whole micro-dollars, and sums are taken in a fixed order so results are
//! reproducible. CPU and memory are the integers ECS itself reserves.
//! Shares of a count (a percentage of tasks, a fraction of instances) round
//! up to a whole count through one function, [`ceil_count`].

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub, SubAssign};

/// US dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Usd(pub f64);

impl Usd {
    pub const ZERO: Usd = Usd(0.0);
    pub fn value(self) -> f64 {
        self.0
    }
}

impl Add for Usd {
    type Output = Usd;
    fn add(self, o: Usd) -> Usd {
        Usd(self.0 + o.0)
    }
}
impl AddAssign for Usd {
    fn add_assign(&mut self, o: Usd) {
        self.0 += o.0;
    }
}
impl Sub for Usd {
    type Output = Usd;
    fn sub(self, o: Usd) -> Usd {
        Usd(self.0 - o.0)
    }
}
impl Mul<f64> for Usd {
    type Output = Usd;
    fn mul(self, k: f64) -> Usd {
        Usd(self.0 * k)
    }
}
impl Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd::ZERO, |a, b| a + b)
    }
}
impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${:.2}", self.0)
    }
}

/// A price per hour of something (an instance, a vCPU, a GB).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct UsdPerHour(pub f64);

impl UsdPerHour {
    /// The cost of `seconds` at this rate.
    pub fn for_seconds(self, seconds: f64) -> Usd {
        Usd(self.0 * seconds / 3600.0)
    }
}

/// ECS CPU units: 1,024 per vCPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CpuUnits(pub u32);

/// Memory in MiB, as ECS reserves it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemMib(pub u32);

macro_rules! integer_unit_ops {
    ($t:ident) => {
        impl Add for $t {
            type Output = $t;
            fn add(self, o: $t) -> $t {
                $t(self.0 + o.0)
            }
        }
        impl Sub for $t {
            type Output = $t;
            /// Saturates at zero: reservations never go negative.
            fn sub(self, o: $t) -> $t {
                $t(self.0.saturating_sub(o.0))
            }
        }
        impl AddAssign for $t {
            fn add_assign(&mut self, o: $t) {
                self.0 += o.0;
            }
        }
        impl SubAssign for $t {
            fn sub_assign(&mut self, o: $t) {
                self.0 = self.0.saturating_sub(o.0);
            }
        }
    };
}
integer_unit_ops!(CpuUnits);
integer_unit_ops!(MemMib);

impl CpuUnits {
    pub fn vcpu(self) -> f64 {
        f64::from(self.0) / 1024.0
    }
}

impl MemMib {
    pub fn gib(self) -> f64 {
        f64::from(self.0) / 1024.0
    }
}

/// Tolerance below which a share is taken as the whole count under it.
const COUNT_EPSILON: f64 = 1e-9;

/// A share of a count (`x` = fraction × count, or count × percent / 100)
/// rounded up to a whole count, never below 0.
///
/// The share is lowered by 1e-9 before rounding up because the float product
/// can land a hair above the whole number it stands for: 7% of 100 instances
/// is 0.07 × 100 = 7.000000000000001, and a plain ceiling would take 8. Exact
/// products such as 0.5 × 4 = 2 stay 2, and a true fraction of a count (an
/// error far larger than 1e-9) still rounds up.
pub fn ceil_count(x: f64) -> u32 {
    (x - COUNT_EPSILON).ceil().max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_count_rounds_shares_up_but_not_float_error() {
        // 0.07 × 100 evaluates to 7.000000000000001: the epsilon keeps it at 7
        // (a plain ceiling would give 8).
        let seven_percent: f64 = 0.07 * 100.0;
        assert_eq!(seven_percent.ceil(), 8.0);
        assert_eq!(ceil_count(seven_percent), 7);
        // Exact: 0.5 × 4 = 2 with or without the epsilon.
        assert_eq!(ceil_count(0.5 * 4.0), 2);
        // A real fraction of a count rounds up: 25% of 6 = 1.5 -> 2.
        assert_eq!(ceil_count(0.25 * 6.0), 2);
        // Nothing is never negative.
        assert_eq!(ceil_count(0.0), 0);
    }

    #[test]
    fn price_for_seconds() {
        assert_eq!(UsdPerHour(0.096).for_seconds(3600.0), Usd(0.096));
        assert!((UsdPerHour(0.096).for_seconds(60.0).0 - 0.0016).abs() < 1e-15);
        assert_eq!(CpuUnits(512) - CpuUnits(1024), CpuUnits(0));
        assert_eq!(CpuUnits(2048).vcpu(), 2.0);
    }
}
