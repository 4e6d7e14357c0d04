//! A linear f64 axis whose ticks we choose ourselves.
//!
//! plotters' own `with_key_points` wrapper around an f64 range cannot be used
//! in a chart in 0.3.7 (it lacks a value formatter), so this small coordinate
//! type maps values linearly and reports exactly the ticks from `ticks.rs`.

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TickedAxis {
    low: f64,
    high: f64,
    ticks: Vec<f64>,
}

impl TickedAxis {
    pub(crate) fn new(low: f64, high: f64, ticks: Vec<f64>) -> TickedAxis {
        TickedAxis { low, high, ticks }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.high - self.low;
        if span == 0.0 || !span.is_finite() {
            return (limit.0 + limit.1) / 2;
        }
        // Far-off values are clamped so that the pixel arithmetic cannot overflow.
        let fraction = ((value - self.low) / span).clamp(-4.0, 5.0);
        let fraction = if fraction.is_nan() { 0.0 } else { fraction };
        limit.0 + (f64::from(limit.1 - limit.0) * fraction).round() as i32
    }

    /// Bold points are our ticks; no light (minor) grid lines.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.low..self.high
    }
}

/// Only used when a chart has no label formatter of its own; ours always do.
impl ValueFormatter<f64> for TickedAxis {
    fn format(value: &f64) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_linearly_in_both_pixel_directions() {
        let axis = TickedAxis::new(0.0, 10.0, vec![0.0, 5.0, 10.0]);
        assert_eq!(axis.map(&2.5, (100, 500)), 200);
        // y axes run from the bottom pixel up.
        assert_eq!(axis.map(&2.5, (500, 100)), 400);
        assert_eq!(axis.map(&1e300, (0, 100)), 500);
    }
}
