//! Offered load: the entry request rate of a service at an instant.
//!
//! rate(t) = pattern(t) × noise(minute) × spikes(t). Noise is a lognormal
//! factor with median 1 drawn per minute from the service's own stream, so
//! it does not change when the tick or a scaling setting changes.

use crate::calendar::Calendar;
use crate::engine::SimTime;
use crate::rng::{RngStreams, Stream};
use crate::scenario::{RatePattern, Spike, Workload};

/// The pattern's rate at `t`, before noise and spikes.
pub fn pattern_rate(pattern: &RatePattern, t: SimTime, cal: &Calendar) -> f64 {
    match pattern {
        RatePattern::Constant(v) => *v,
        RatePattern::Diurnal { base, peak, peak_at_hours, tz } => {
            let h = cal.local_hour(t.as_millis(), tz);
            let phase = 2.0 * std::f64::consts::PI * (h - peak_at_hours) / 24.0;
            base + (peak - base) * (1.0 + libm::cos(phase)) / 2.0
        }
        RatePattern::Ramp { from, to, start, end } => {
            if t <= *start {
                *from
            } else if t >= *end {
                *to
            } else {
                let f = (t.as_millis() - start.as_millis()) as f64 / (end.as_millis() - start.as_millis()) as f64;
                from + (to - from) * f
            }
        }
        RatePattern::Trace(trace) => trace.rate_at(t.as_millis()),
    }
}

/// Product of the spike multipliers active at `t` (1 when none).
pub fn spike_factor(spikes: &[Spike], t: SimTime) -> f64 {
    spikes.iter().map(|s| one_spike(s, t)).product()
}

fn one_spike(s: &Spike, t: SimTime) -> f64 {
    let start = s.at.as_millis() as f64;
    let ramp = s.ramp.as_millis() as f64;
    let hold = s.hold.as_millis() as f64;
    let x = t.as_millis() as f64;
    let peak = s.multiplier;
    let level = if x < start || x >= start + 2.0 * ramp + hold {
        return 1.0;
    } else if x < start + ramp {
        (x - start) / ramp
    } else if x < start + ramp + hold {
        1.0
    } else {
        1.0 - (x - start - ramp - hold) / ramp
    };
    1.0 + (peak - 1.0) * level
}

/// The per-minute lognormal noise factor (median 1, log-sd `sigma`).
pub fn noise_factor(streams: &RngStreams, service: usize, minute: u64, sigma: f64) -> f64 {
    if sigma <= 0.0 {
        return 1.0;
    }
    streams.draws(Stream::Noise, service as u64, minute).lognormal(1.0, sigma)
}

/// The entry request rate of a service at `t`.
pub fn entry_rate(w: &Workload, service: usize, t: SimTime, cal: &Calendar, streams: &RngStreams) -> f64 {
    let base = pattern_rate(&w.rate, t, cal);
    if base <= 0.0 {
        return 0.0;
    }
    base * noise_factor(streams, service, t.minute_index(), w.noise_sigma) * spike_factor(&w.spikes, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{parse_instant, parse_time_zone};
    use crate::engine::SimDuration;

    fn cal() -> Calendar {
        Calendar::new(parse_instant("2026-03-02T00:00:00Z").unwrap())
    }

    #[test]
    fn diurnal_peaks_at_peak_at_local_time() {
        let tz = parse_time_zone("America/New_York").unwrap();
        let p = RatePattern::Diurnal { base: 150.0, peak: 900.0, peak_at_hours: 14.0, tz };
        // 14:00 EST = 19:00 UTC on 2026-03-02.
        let at_peak = pattern_rate(&p, SimTime::from_secs(19 * 3600), &cal());
        assert!((at_peak - 900.0).abs() < 1e-9);
        // 02:00 EST, twelve hours away: the trough.
        let trough = pattern_rate(&p, SimTime::from_secs(7 * 3600), &cal());
        assert!((trough - 150.0).abs() < 1e-9);
        // Six hours from the peak: halfway.
        let mid = pattern_rate(&p, SimTime::from_secs(13 * 3600), &cal());
        assert!((mid - 525.0).abs() < 1e-9);
    }

    #[test]
    fn spike_ramps_holds_and_returns() {
        let s = [Spike {
            at: SimTime::from_secs(600),
            multiplier: 5.0,
            ramp: SimDuration::from_secs(120),
            hold: SimDuration::from_secs(1200),
        }];
        assert_eq!(spike_factor(&s, SimTime::from_secs(599)), 1.0);
        assert_eq!(spike_factor(&s, SimTime::from_secs(660)), 3.0);
        assert_eq!(spike_factor(&s, SimTime::from_secs(720)), 5.0);
        assert_eq!(spike_factor(&s, SimTime::from_secs(1919)), 5.0);
        assert_eq!(spike_factor(&s, SimTime::from_secs(1980)), 3.0);
        assert_eq!(spike_factor(&s, SimTime::from_secs(2040)), 1.0);
    }

    #[test]
    fn noise_is_per_minute_and_median_one() {
        let st = RngStreams::new(9, 0);
        assert_eq!(noise_factor(&st, 0, 5, 0.1), noise_factor(&st, 0, 5, 0.1));
        let mut xs: Vec<f64> = (0..20_001).map(|m| noise_factor(&st, 0, m, 0.2)).collect();
        xs.sort_by(f64::total_cmp);
        assert!((xs[10_000] - 1.0).abs() < 0.01);
    }

    #[test]
    fn ramp_is_linear() {
        let p =
            RatePattern::Ramp { from: 10.0, to: 30.0, start: SimTime::from_secs(100), end: SimTime::from_secs(200) };
        assert_eq!(pattern_rate(&p, SimTime::from_secs(50), &cal()), 10.0);
        assert_eq!(pattern_rate(&p, SimTime::from_secs(150), &cal()), 20.0);
        assert_eq!(pattern_rate(&p, SimTime::from_secs(250), &cal()), 30.0);
    }
}
