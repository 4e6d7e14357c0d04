//! Log axes for figures whose values span more than two decades, where a
//! linear axis would press all but the largest values against zero.

use crate::fmt::fmt_f64;

/// Values whose largest is more than this many times the smallest get a log axis.
const DECADES_RATIO: f64 = 100.0;

/// Whether `values` (all finite and above zero) span more than two decades.
/// Any zero or negative value keeps the axis linear: it has no logarithm.
pub(crate) fn needs_log(values: &[f64]) -> bool {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() || finite.iter().any(|v| *v <= 0.0) {
        return false;
    }
    let low = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let high = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    high > DECADES_RATIO * low
}

/// Ticks for a log axis over `[low, high]` (positions in log10): 1, 2 and 5
/// times each power of ten when the range spans at most three decades, the
/// powers of ten alone beyond. Labels show the values, not their logarithms.
pub(crate) fn log_ticks(low: f64, high: f64) -> Vec<(f64, String)> {
    let first = low.floor() as i32;
    let last = high.ceil() as i32;
    let multiples: &[f64] = if high - low <= 3.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
    let mut ticks = Vec::new();
    for exponent in first..=last {
        for multiple in multiples {
            let value = multiple * 10f64.powi(exponent);
            let position = value.log10();
            if position >= low - 1e-9 && position <= high + 1e-9 {
                ticks.push((position, fmt_f64(value)));
            }
        }
    }
    ticks
}

/// A mean and its 95% CI half-width moved to log10: the CI's upper side,
/// which stays defined however wide the interval (its lower end may be at
/// or below zero), drawn on both sides.
pub(crate) fn log_point(value: f64, ci: Option<f64>) -> (f64, Option<f64>) {
    (value.log10(), ci.map(|ci| (1.0 + ci.abs() / value).log10()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_decades_are_the_threshold() {
        assert!(!needs_log(&[1.0, 100.0]));
        assert!(needs_log(&[1.0, 100.5]));
        assert!(!needs_log(&[0.0, 1000.0]));
        assert!(!needs_log(&[]));
    }

    #[test]
    fn ticks_at_round_values() {
        // log10 of 40 ms to 20 000 ms: 1.602 to 4.301, 2.7 decades.
        let ticks = log_ticks(40f64.log10(), 20000f64.log10());
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["50", "100", "200", "500", "1000", "2000", "5000", "10000", "20000"]);
        assert!((ticks[1].0 - 2.0).abs() < 1e-12);
        // Five decades: powers of ten only.
        let labels: Vec<String> = log_ticks(0.0, 5.0).into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["1", "10", "100", "1000", "10000", "100000"]);
        // 100 ± 900 moves to 2 ± log10(10) = 2 ± 1.
        assert_eq!(log_point(100.0, Some(900.0)), (2.0, Some(1.0)));
    }
}
