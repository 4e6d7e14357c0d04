//! Axis ranges, tick positions and tick labels.
//!
//! plotters picks ticks from a pixel budget and prints floats with its own
//! precision; computing them here gives round steps (1, 2, 5 × 10^k, or hour
//! multiples on time axes) and labels with exactly the decimals the step needs.

/// Most ticks an axis gets: readable at 1200 × 700 with 13 px labels.
pub(crate) const MAX_TICKS: usize = 10;

/// The axis range covering `values` and `include`, padded by 5% of the span
/// on each side except where the extreme is itself an included value (so a
/// count axis starts exactly at 0). `(0, 1)` when there is nothing to show.
pub(crate) fn padded_range(values: &[f64], include: &[f64]) -> (f64, f64) {
    let finite = values.iter().chain(include).copied().filter(|v| v.is_finite());
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in finite {
        low = low.min(v);
        high = high.max(v);
    }
    if low > high {
        return (0.0, 1.0);
    }
    let span = high - low;
    let pad = if span > 1e-12 * high.abs().max(low.abs()).max(1e-300) {
        0.05 * span
    } else if high != 0.0 {
        0.05 * high.abs()
    } else {
        1.0
    };
    let pinned = |v: f64| include.contains(&v);
    if span == 0.0 {
        return if pinned(low) { (low, low + pad) } else { (low - pad, high + pad) };
    }
    let low = if pinned(low) { low } else { low - pad };
    let high = if pinned(high) { high } else { high + pad };
    (low, high)
}

/// The top for a y axis whose data has rare spikes far above the rest, or
/// `None` when every value fits well enough.
///
/// Typical values are the 98th percentile; the top is 1.5 times that, and
/// at least twice `reference` (an SLO, which must stay well inside the
/// plot), rounded up to a round number (`round_up`). Spikes that reach less
/// than 1.25 times that top are shown whole instead.
pub(crate) fn spike_cap(values: &[f64], reference: Option<f64>) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let highest = *sorted.last()?;
    let typical = sorted[(sorted.len() - 1) * 98 / 100];
    let top = round_up((1.5 * typical).max(2.0 * reference.unwrap_or(0.0)));
    (top > 0.0 && highest > 1.25 * top).then_some(top)
}

/// The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k that is at least
/// `value` (positive), so that a capped axis ends on a round number.
pub(crate) fn round_up(value: f64) -> f64 {
    if !(value.is_finite() && value > 0.0) {
        return value;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= value * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

/// Ticks at the smallest round step (1, 2 or 5 × 10^k) giving at most
/// `max_ticks` ticks in `[low, high]`, with that step.
pub(crate) fn nice_ticks(low: f64, high: f64, max_ticks: usize) -> (Vec<f64>, f64) {
    let span = high - low;
    if !(span.is_finite() && span > 0.0) || max_ticks == 0 {
        return (vec![low], 1.0);
    }
    let magnitude = 10f64.powf((span / max_ticks as f64).log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0, 20.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| span / step <= max_ticks as f64)
        .unwrap_or(span);
    (ticks_at(low, high, step), step)
}

/// Like `nice_ticks`, but never a step below 1: for counts, where 2.5
/// tasks would be a meaningless label.
pub(crate) fn whole_number_ticks(low: f64, high: f64, max_ticks: usize) -> (Vec<f64>, f64) {
    match nice_ticks(low, high, max_ticks) {
        (_, step) if step < 1.0 => (ticks_at(low, high, 1.0), 1.0),
        ticks => ticks,
    }
}

/// Ticks for a time axis in hours (`in_days = false`) or days: multiples of
/// whole hours that divide a day, or of days and weeks, before round numbers.
pub(crate) fn time_ticks(low: f64, high: f64, in_days: bool, max_ticks: usize) -> (Vec<f64>, f64) {
    let candidates: &[f64] =
        if in_days { &[0.25, 0.5, 1.0, 2.0, 7.0, 14.0, 28.0] } else { &[0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0] };
    let span = high - low;
    match candidates.iter().find(|&&step| span / step <= max_ticks as f64) {
        Some(&step) if span > 0.0 => (ticks_at(low, high, step), step),
        _ => nice_ticks(low, high, max_ticks),
    }
}

/// Multiples of `step` inside `[low, high]`, computed as k × step so that
/// rounding errors do not accumulate.
fn ticks_at(low: f64, high: f64, step: f64) -> Vec<f64> {
    let first = (low / step - 1e-9).ceil() as i64;
    let last = (high / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            if v == 0.0 { 0.0 } else { v }
        })
        .collect()
}

/// How tick labels of one axis print: a common divisor with its suffix
/// (k, M) and the decimals the step needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TickFormat {
    divisor: f64,
    suffix: &'static str,
    decimals: usize,
}

impl TickFormat {
    pub(crate) fn new(ticks: &[f64], step: f64) -> TickFormat {
        let largest = ticks.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let (divisor, suffix) = if largest >= 1e6 {
            (1e6, "M")
        } else if largest >= 1e4 {
            (1e3, "k")
        } else {
            (1.0, "")
        };
        TickFormat { divisor, suffix, decimals: decimals_for(step / divisor) }
    }

    pub(crate) fn format(&self, value: f64) -> String {
        if value == 0.0 && !self.suffix.is_empty() {
            // "0k" reads oddly; zero is zero in any unit.
            return "0".to_string();
        }
        let scaled = value / self.divisor;
        let text = format!("{:.*}", self.decimals, scaled);
        // "-0" reads as a different number from "0".
        let text = if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
            text.trim_start_matches('-').to_string()
        } else {
            text
        };
        format!("{text}{}", self.suffix)
    }
}

/// Fewest decimals that print every multiple of `step` exactly (at most 9).
fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    (0..=9)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() <= 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_axis_starts_at_zero_and_pads_the_top() {
        assert_eq!(padded_range(&[2.0, 12.0], &[0.0]), (0.0, 12.6));
        assert_eq!(padded_range(&[], &[]), (0.0, 1.0));
        assert_eq!(padded_range(&[5.0], &[]), (4.75, 5.25));
        assert_eq!(padded_range(&[0.0], &[0.0]), (0.0, 1.0));
    }

    #[test]
    fn nice_ticks_use_round_steps() {
        assert_eq!(nice_ticks(0.0, 12.6, 10), (vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0], 2.0));
        let (ticks, step) = nice_ticks(0.9985, 1.0001, 10);
        assert!((step - 0.0002).abs() < 1e-15);
        assert_eq!(ticks.len(), 8);
        assert!((ticks[0] - 0.9986).abs() < 1e-12);
    }

    #[test]
    fn count_ticks_are_whole_numbers() {
        assert_eq!(whole_number_ticks(0.0, 3.15, 10), (vec![0.0, 1.0, 2.0, 3.0], 1.0));
        assert_eq!(whole_number_ticks(0.0, 42.0, 10).1, 5.0);
    }

    #[test]
    fn time_ticks_prefer_fractions_of_a_day() {
        assert_eq!(time_ticks(0.0, 48.0, false, 10).1, 6.0);
        assert_eq!(time_ticks(0.0, 10.0, true, 10).1, 1.0);
        assert_eq!(time_ticks(0.0, 365.0, true, 10).1, 50.0);
    }

    #[test]
    fn labels_carry_the_decimals_of_the_step() {
        let format = TickFormat::new(&[0.9986, 0.9988], 0.0002);
        assert_eq!(format.format(0.9986), "0.9986");
        let format = TickFormat::new(&[0.0, 20000.0, 40000.0], 20000.0);
        assert_eq!(format.format(40000.0), "40k");
        assert_eq!(format.format(0.0), "0");
        let format = TickFormat::new(&[0.0, 0.25, 0.5], 0.25);
        assert_eq!(format.format(0.25), "0.25");
        assert_eq!(format.format(-0.0001), "0.00");
        let format = TickFormat::new(&[0.0, 1.5e6, 3e6], 1.5e6);
        assert_eq!(format.format(1.5e6), "1.5M");
    }

    #[test]
    fn rare_spikes_cap_the_axis_at_a_round_number() {
        // 98 values at 100 ms and two spikes at 18 s: 1.5 × 100 = 150, but
        // the SLO of 250 ms needs twice itself, 500.
        let mut values = vec![100.0; 98];
        values.extend([18000.0, 17000.0]);
        assert_eq!(spike_cap(&values, Some(250.0)), Some(500.0));
        // Without an SLO, 150 is already round.
        assert_eq!(spike_cap(&values, None), Some(150.0));
        // A highest value within 1.25 times the top is drawn whole:
        // 98th percentile 160 → 240 → 250; 300 ≤ 312.5.
        let mut values = vec![160.0; 98];
        values.extend([300.0, 300.0]);
        assert_eq!(spike_cap(&values, None), None);
        assert_eq!(spike_cap(&[], Some(250.0)), None);
        assert_eq!(spike_cap(&[0.0, 0.0], None), None);
    }

    #[test]
    fn round_up_picks_the_next_round_number() {
        assert_eq!(round_up(150.0), 150.0);
        assert_eq!(round_up(253.2), 300.0);
        assert!((round_up(0.0042) - 0.005).abs() < 1e-15);
        assert_eq!(round_up(8100.0), 10000.0);
    }
}
