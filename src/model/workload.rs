//! Offered load: the entry request rate of a service at an instant.
//!
//! rate(t) = pattern(t) × noise(minute) × spikes(t). Noise is a lognormal
//! factor with median 1 drawn per minute from the service's own stream, so
//! it does not change when the tick or a scaling setting changes.

use crate::calendar::{Calendar, weekday_from_monday};
use crate::engine::SimTime;
use crate::rng::{RngStreams, Stream};
use crate::scenario::{RatePattern, Spike, WeekCycle, Workload};
use jiff::tz::TimeZone;

/// The pattern's rate at `t`, before noise and spikes.
pub fn pattern_rate(pattern: &RatePattern, t: SimTime, cal: &Calendar) -> f64 {
    pattern_rate_in(pattern, t, |tz| cal.local_hour(t.as_millis(), tz))
}

/// [`pattern_rate`] with the local hour at `t` given by `local_hour` (which may
/// have it already: services in one time zone share it at each tick).
fn pattern_rate_in(pattern: &RatePattern, t: SimTime, local_hour: impl FnOnce(&TimeZone) -> f64) -> f64 {
    match pattern {
        RatePattern::Constant(v) => *v,
        RatePattern::Diurnal { base, peak, peak_at_hours, tz } => {
            let h = local_hour(tz);
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
        RatePattern::Peaks { base, peaks, tz } => {
            let h = local_hour(tz);
            base + peaks.iter().map(|p| p.height * bump(h - p.at_hours, p.width_hours)).sum::<f64>()
        }
        RatePattern::Trace(trace) => trace.rate_at(t.as_millis()),
    }
}

/// A raised-cosine bump of half-width `width` hours at `d` hours from its
/// centre on the 24-hour clock: 1 at the centre, ½ at width/2, 0 from width on.
/// With width = 12 h it is the single-peak diurnal curve's shape.
fn bump(d: f64, width: f64) -> f64 {
    // The shorter way round the clock, in [-12, 12).
    let mut d = d.rem_euclid(24.0);
    if d >= 12.0 {
        d -= 24.0;
    }
    if d.abs() >= width {
        return 0.0;
    }
    (1.0 + libm::cos(std::f64::consts::PI * d / width)) / 2.0
}

/// The local hour of each time zone the services' patterns read, found once
/// per tick for each zone rather than once per service (fifty services in four
/// zones asked the zone database fifty times a minute). Zones are shared by
/// IANA name, which names one set of rules in the bundled database, so a
/// shared hour is the hour each service would have found itself.
#[derive(Clone, Debug, Default)]
pub struct LocalHours {
    /// Per service, the slot of its pattern's zone (`None`: no local hour).
    slot_of: Vec<Option<usize>>,
    /// Per slot, the hour at `at` once found.
    hours: Vec<Option<f64>>,
    at: Option<SimTime>,
}

impl LocalHours {
    pub fn new<'a>(workloads: impl Iterator<Item = &'a Workload>) -> Self {
        // Each slot's IANA name; a zone without one has a slot of its own.
        let mut names: Vec<Option<&str>> = Vec::new();
        let slot_of = workloads
            .map(|w| {
                let name = w.time_zone()?.iana_name();
                Some(match names.iter().position(|&n| n.is_some() && n == name) {
                    Some(k) => k,
                    None => {
                        names.push(name);
                        names.len() - 1
                    }
                })
            })
            .collect();
        LocalHours { slot_of, hours: vec![None; names.len()], at: None }
    }

    /// The local hour at `t` in `tz`, the zone of service `service`'s pattern.
    pub fn hour(&mut self, service: usize, t: SimTime, tz: &TimeZone, cal: &Calendar) -> f64 {
        let Some(slot) = self.slot_of.get(service).copied().flatten() else {
            return cal.local_hour(t.as_millis(), tz);
        };
        if self.at != Some(t) {
            self.at = Some(t);
            self.hours.iter_mut().for_each(|h| *h = None);
        }
        *self.hours[slot].get_or_insert_with(|| cal.local_hour(t.as_millis(), tz))
    }
}

/// The weekday multiplier of the local date at `t` (Sunday's on a holiday).
pub fn week_factor(week: &WeekCycle, t: SimTime, cal: &Calendar) -> f64 {
    let day = cal.local_day(t.as_millis(), &week.tz);
    if week.holidays.binary_search(&day).is_ok() {
        return week.weekdays[6];
    }
    week.weekdays[weekday_from_monday(day)]
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
    entry_rate_in(w, service, t, cal, streams, |tz| cal.local_hour(t.as_millis(), tz))
}

/// [`entry_rate`] with the local hour of the pattern's time zone at `t` from
/// `local_hour` (the same value `cal.local_hour` gives: see [`LocalHours`]).
pub fn entry_rate_in(
    w: &Workload,
    service: usize,
    t: SimTime,
    cal: &Calendar,
    streams: &RngStreams,
    local_hour: impl FnOnce(&TimeZone) -> f64,
) -> f64 {
    let mut base = pattern_rate_in(&w.rate, t, local_hour);
    if let Some(week) = &w.week {
        base *= week_factor(week, t, cal);
    }
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
    use crate::scenario::DiurnalPeak as DiurnalPeakT;

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

    fn ny() -> jiff::tz::TimeZone {
        parse_time_zone("America/New_York").unwrap()
    }

    /// Seconds from the test calendar's start (Monday 2026-03-02T00:00Z) to `utc`.
    fn at(utc: &str) -> SimTime {
        let off = cal().offset_of(parse_instant(utc).unwrap()).unwrap();
        SimTime::from_millis(off)
    }

    fn week(holidays: Vec<i64>) -> WeekCycle {
        WeekCycle { weekdays: [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.25], holidays, tz: ny() }
    }

    #[test]
    fn weekday_follows_the_local_date_across_dst() {
        let w = week(Vec::new());
        // Friday 2026-03-06 23:30 EST (UTC-5) = 2026-03-07T04:30Z: Friday's 1.
        assert_eq!(week_factor(&w, at("2026-03-07T04:30:00Z"), &cal()), 1.0);
        // Saturday 00:30 EST = 05:30Z: Saturday's 0.5.
        assert_eq!(week_factor(&w, at("2026-03-07T05:30:00Z"), &cal()), 0.5);
        // 2026-03-08T04:30Z is Sunday in UTC but Saturday 23:30 EST in New York.
        assert_eq!(week_factor(&w, at("2026-03-08T04:30:00Z"), &cal()), 0.5);
        // Sunday 00:30 EST = 05:30Z: 0.25.
        assert_eq!(week_factor(&w, at("2026-03-08T05:30:00Z"), &cal()), 0.25);
        // Clocks go forward at 02:00 EST that Sunday, so Sunday ends at 00:00 EDT
        // (UTC-4) = 2026-03-09T04:00Z: 03:30Z is still Sunday, 04:30Z Monday.
        assert_eq!(week_factor(&w, at("2026-03-09T03:30:00Z"), &cal()), 0.25);
        assert_eq!(week_factor(&w, at("2026-03-09T04:30:00Z"), &cal()), 1.0);
    }

    #[test]
    fn a_holiday_takes_sundays_multiplier() {
        // Wednesday 2026-03-04 is day 20516 since 1970-01-01 (56 years with 14
        // leap days = 20454 days to 2026-01-01, then 31 + 28 + 3).
        assert_eq!(crate::calendar::parse_date("2026-03-04"), Ok(20_516));
        let w = week(vec![20_516]);
        // Wednesday 12:00 EST = 17:00Z: Sunday's 0.25, not Wednesday's 1.
        assert_eq!(week_factor(&w, at("2026-03-04T17:00:00Z"), &cal()), 0.25);
        // Tuesday 23:59 EST = 04:59Z on the 4th is not the holiday.
        assert_eq!(week_factor(&w, at("2026-03-04T04:59:00Z"), &cal()), 1.0);
    }

    /// A workload of this rate pattern and nothing else (no noise, spikes or week).
    fn workload(rate: RatePattern) -> Workload {
        Workload {
            rate,
            week: None,
            noise_sigma: 0.0,
            spikes: Vec::new(),
            cpu_per_request_s: 0.0,
            request_timeout_s: 60.0,
            baseline_cpu_percent: 0.0,
            memory_base_mib: 0.0,
            memory_per_inflight_mib: 0.0,
            slo: None,
        }
    }

    #[test]
    fn weekday_multiplies_the_diurnal_rate() {
        let rate = RatePattern::Diurnal { base: 150.0, peak: 900.0, peak_at_hours: 14.0, tz: ny() };
        let w = Workload { week: Some(week(Vec::new())), ..workload(rate) };
        let st = RngStreams::new(1, 0);
        // Saturday 14:00 EST = 2026-03-07T19:00Z: the peak 900 × Saturday's 0.5.
        assert_eq!(entry_rate(&w, 0, at("2026-03-07T19:00:00Z"), &cal(), &st), 450.0);
        // Friday 14:00 EST: 900 × 1.
        assert_eq!(entry_rate(&w, 0, at("2026-03-06T19:00:00Z"), &cal(), &st), 900.0);
    }

    #[test]
    fn two_peaks_add_raised_cosine_bumps_above_base() {
        let peaks = vec![
            DiurnalPeakT { at_hours: 9.0, height: 600.0, width_hours: 2.0 },
            DiurnalPeakT { at_hours: 15.0, height: 400.0, width_hours: 3.0 },
        ];
        let p = RatePattern::Peaks { base: 100.0, peaks, tz: ny() };
        let r = |utc: &str| pattern_rate(&p, at(utc), &cal());
        // 09:00 EST (14:00Z): 100 + 600; the 15:00 peak is 6 h away, past its 3 h.
        assert_eq!(r("2026-03-02T14:00:00Z"), 700.0);
        // 10:00 EST: 1 h = half the 2 h width from 09:00: 600 × (1 + cos(π/2))/2 = 300.
        assert!((r("2026-03-02T15:00:00Z") - 400.0).abs() < 1e-9);
        // 11:00 EST: 2 h from 09:00 (its width) and 4 h from 15:00: base only.
        assert_eq!(r("2026-03-02T16:00:00Z"), 100.0);
        // 13:00 EST: 2 h before 15:00: 400 × (1 + cos(2π/3))/2 = 400 × 0.25 = 100.
        assert!((r("2026-03-02T18:00:00Z") - 200.0).abs() < 1e-9);
        // 15:00 EST: 100 + 400.
        assert_eq!(r("2026-03-02T20:00:00Z"), 500.0);
    }

    #[test]
    fn one_peak_of_width_12h_is_the_single_peak_curve() {
        let single = RatePattern::Diurnal { base: 150.0, peak: 900.0, peak_at_hours: 14.0, tz: ny() };
        let peaks = vec![DiurnalPeakT { at_hours: 14.0, height: 750.0, width_hours: 12.0 }];
        let several = RatePattern::Peaks { base: 150.0, peaks, tz: ny() };
        for minute in (0..24 * 60).step_by(17) {
            let t = SimTime::from_secs(minute * 60);
            let (a, b) = (pattern_rate(&single, t, &cal()), pattern_rate(&several, t, &cal()));
            assert!((a - b).abs() < 1e-9, "minute {minute}: {a} vs {b}");
        }
    }

    #[test]
    fn services_of_one_zone_share_its_local_hour() {
        let diurnal = |tz: &str| RatePattern::Diurnal {
            base: 1.0,
            peak: 2.0,
            peak_at_hours: 12.0,
            tz: parse_time_zone(tz).unwrap(),
        };
        let w = [
            workload(diurnal("America/New_York")),
            workload(RatePattern::Constant(5.0)),
            workload(diurnal("Europe/London")),
            workload(diurnal("America/New_York")),
        ];
        let mut hours = LocalHours::new(w.iter());
        assert_eq!(hours.slot_of, vec![Some(0), None, Some(1), Some(0)]);
        // Every 20 minutes over the night New York's clocks go forward (2026-03-08, 07:00Z):
        // each service's hour, asked in turn at each instant, is the one the calendar gives it.
        let cal = cal();
        for k in 0..36 {
            let t = at("2026-03-08T01:00:00Z") + SimDuration::from_secs(k * 1200);
            for (i, w) in w.iter().enumerate() {
                let Some(tz) = w.time_zone() else { continue };
                assert_eq!(hours.hour(i, t, tz, &cal).to_bits(), cal.local_hour(t.as_millis(), tz).to_bits());
            }
        }
        // 06:30Z is 01:30 EST; 07:30Z is 03:30 EDT.
        let ny = w[0].time_zone().unwrap();
        assert_eq!(hours.hour(3, at("2026-03-08T06:30:00Z"), ny, &cal), 1.5);
        assert_eq!(hours.hour(0, at("2026-03-08T07:30:00Z"), ny, &cal), 3.5);
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
