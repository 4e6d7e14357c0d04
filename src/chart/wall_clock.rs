//! Wall-clock labels for a run's time axis: the run's start instant and the
//! time zone of its workload (`summary.json`'s `start` and `timezone`) turn
//! seconds since the start into a weekday and a local time, because "Tue
//! 14:00" answers "what happened at the afternoon peak" and "37 h" does not.

use std::path::Path;

use anyhow::Context;
use jiff::civil::{self, Date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde_json::Value;

use crate::calendar::{parse_instant, parse_time_zone};

/// Local steps in hours that divide a day, tried in order.
const HOUR_STEPS: [i8; 5] = [1, 2, 3, 6, 12];
/// Steps in days, tried after the hours; weeks start on Monday.
const DAY_STEPS: [i64; 5] = [1, 2, 7, 14, 28];
const SECONDS_PER_DAY: f64 = 86400.0;

/// The run's clock: where seconds since the start fall in local time.
#[derive(Clone, Debug)]
pub(crate) struct WallClock {
    pub start: Timestamp,
    pub tz: TimeZone,
    /// The zone's IANA name, as the axis label shows it.
    pub tz_name: String,
}

impl WallClock {
    /// The clock of a run from `summary.json`; `None` for a directory written
    /// before runs recorded their start (the axis then counts from the start).
    pub(crate) fn from_summary(summary: &Value, path: &Path) -> anyhow::Result<Option<WallClock>> {
        let Some(start) = summary.get("start") else {
            return Ok(None);
        };
        let start = start
            .as_str()
            .with_context(|| format!("{}: `start` is {start}; expected an RFC 3339 instant", path.display()))?;
        let start = parse_instant(start).map_err(|e| anyhow::anyhow!("{}: `start`: {e}", path.display()))?;
        let tz_name = match summary.get("timezone") {
            None => "UTC",
            Some(name) => name.as_str().with_context(|| {
                format!("{}: `timezone` is {name}; expected an IANA time zone name", path.display())
            })?,
        };
        let tz = parse_time_zone(tz_name).map_err(|e| anyhow::anyhow!("{}: `timezone`: {e}", path.display()))?;
        Ok(Some(WallClock { start, tz, tz_name: tz_name.to_string() }))
    }

    fn zoned(&self, seconds: f64) -> Zoned {
        let instant = Timestamp::from_millisecond(self.start.as_millisecond() + (seconds * 1000.0).round() as i64)
            .unwrap_or(self.start);
        instant.to_zoned(self.tz.clone())
    }

    fn seconds_at(&self, local: civil::DateTime) -> Option<f64> {
        let instant = self.tz.to_ambiguous_timestamp(local).compatible().ok()?;
        Some((instant.as_millisecond() - self.start.as_millisecond()) as f64 / 1000.0)
    }

    /// "Mon 08:00": the local weekday and time `seconds` after the start.
    pub(crate) fn label(&self, seconds: f64) -> String {
        self.zoned(seconds).strftime("%a %H:%M").to_string()
    }

    /// "Mon 2 Mar": the local weekday and date, for day ticks.
    fn day_label(&self, seconds: f64) -> String {
        self.zoned(seconds).strftime("%a %-d %b").to_string()
    }

    /// "time in Europe/Berlin (start Mon 2 Mar 2026 00:00)".
    pub(crate) fn axis_label(&self) -> String {
        format!("time in {} (start {})", self.tz_name, self.zoned(0.0).strftime("%a %-d %b %Y %H:%M"))
    }

    /// At most `max_ticks` ticks in `[from_s, to_s]` (seconds since the
    /// start) at round local times: every 1, 2, 3, 6 or 12 hours from local
    /// midnight, or at local midnights every 1 or 2 days or 1, 2 or 4 weeks
    /// (Mondays). Each tick is (seconds, label). Across a change to or from
    /// daylight saving time a tick that does not exist locally moves to the
    /// next valid time, and a repeated one is drawn once.
    pub(crate) fn ticks(&self, from_s: f64, to_s: f64, max_ticks: usize) -> Vec<(f64, String)> {
        let span = to_s - from_s;
        if span.is_nan() || span <= 0.0 || max_ticks == 0 {
            return Vec::new();
        }
        let max = max_ticks as f64;
        let first_day = self.zoned(from_s).date().yesterday().unwrap_or(self.zoned(from_s).date());
        let last_day = self.zoned(to_s).date();
        let days =
            || std::iter::successors(Some(first_day), |d: &Date| d.tomorrow().ok()).take_while(move |d| *d <= last_day);
        let mut ticks: Vec<(f64, String)> = Vec::new();
        let mut push = |seconds: Option<f64>, day: bool| {
            if let Some(s) = seconds.filter(|s| (from_s..=to_s).contains(s))
                && ticks.last().is_none_or(|last| last.0 < s)
            {
                let label = if day { self.day_label(s) } else { self.label(s) };
                ticks.push((s, label));
            }
        };
        if let Some(&step) = HOUR_STEPS.iter().find(|&&h| span / (3600.0 * f64::from(h)) <= max) {
            for day in days() {
                for hour in (0..24).step_by(step as usize) {
                    push(self.seconds_at(day.at(hour, 0, 0, 0)), false);
                }
            }
            return ticks;
        }
        let weeks = span / (7.0 * SECONDS_PER_DAY);
        let step = DAY_STEPS
            .iter()
            .copied()
            .find(|&d| span / (SECONDS_PER_DAY * d as f64) <= max)
            .unwrap_or_else(|| 7 * (weeks / max).ceil() as i64);
        let epoch = civil::date(1970, 1, 1);
        for day in days() {
            let since_epoch = (day - epoch).get_days() as i64;
            // 1970-01-01 was a Thursday: + 3 makes Mondays multiples of 7.
            let index = if step % 7 == 0 { since_epoch + 3 } else { since_epoch };
            if index.rem_euclid(step) == 0 {
                push(self.seconds_at(day.at(0, 0, 0, 0)), true);
            }
        }
        ticks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(start: &str, tz: &str) -> WallClock {
        let start = parse_instant(start).unwrap_or_else(|e| panic!("{e}"));
        let tz_name = tz.to_string();
        WallClock { start, tz: parse_time_zone(tz).unwrap_or_else(|e| panic!("{e}")), tz_name }
    }

    #[test]
    fn hour_ticks_fall_on_round_local_times() {
        // 2026-03-02 is a Monday; 00:00 UTC is 01:00 in Berlin (CET, +1).
        let berlin = clock("2026-03-02T00:00:00Z", "Europe/Berlin");
        assert_eq!(berlin.label(0.0), "Mon 01:00");
        assert_eq!(berlin.axis_label(), "time in Europe/Berlin (start Mon 2 Mar 2026 01:00)");
        // Twelve hours in at most 8 ticks: 2-hour steps from local midnight.
        let ticks = berlin.ticks(0.0, 12.0 * 3600.0, 8);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["Mon 02:00", "Mon 04:00", "Mon 06:00", "Mon 08:00", "Mon 10:00", "Mon 12:00"]);
        // Local 02:00 is 1 h after the start.
        assert_eq!(ticks[0].0, 3600.0);
    }

    #[test]
    fn day_ticks_are_local_midnights_and_weeks_start_on_monday() {
        let utc = clock("2026-03-02T00:00:00Z", "UTC");
        let ticks = utc.ticks(0.0, 7.0 * SECONDS_PER_DAY, 8);
        assert_eq!(ticks.len(), 8);
        assert_eq!(ticks[1], (SECONDS_PER_DAY, "Tue 3 Mar".to_string()));
        // Sixty days in at most 8 ticks: 14-day steps, on Mondays.
        let ticks = utc.ticks(0.0, 60.0 * SECONDS_PER_DAY, 8);
        assert!(ticks.iter().all(|t| t.1.starts_with("Mon")), "{ticks:?}");
        assert_eq!(ticks[1].0 - ticks[0].0, 14.0 * SECONDS_PER_DAY);
    }

    #[test]
    fn daylight_saving_change_keeps_ticks_in_order() {
        // Berlin springs forward on 2026-03-29 at 02:00 (to 03:00): the
        // 02:00 tick becomes 03:00, which is drawn once.
        let berlin = clock("2026-03-28T23:00:00Z", "Europe/Berlin");
        let ticks = berlin.ticks(0.0, 6.0 * 3600.0, 8);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["Sun 00:00", "Sun 01:00", "Sun 03:00", "Sun 04:00", "Sun 05:00", "Sun 06:00", "Sun 07:00"]);
        // Sun 03:00 CEST is 01:00 UTC: two hours after the start.
        assert_eq!(ticks[2].0, 7200.0);
    }

    #[test]
    fn summary_without_a_start_has_no_clock() {
        let path = Path::new("summary.json");
        let none = WallClock::from_summary(&serde_json::json!({}), path).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(none.is_none());
        let bad = WallClock::from_summary(&serde_json::json!({"start": "2026", "timezone": "UTC"}), path);
        assert!(bad.err().is_some_and(|e| format!("{e:#}").contains("summary.json: `start`: invalid instant")));
        let bad =
            WallClock::from_summary(&serde_json::json!({"start": "2026-03-02T00:00:00Z", "timezone": "Mars"}), path);
        assert!(bad.err().is_some_and(|e| format!("{e:#}").contains("unknown time zone `Mars`")));
    }
}
