//! The load forecaster of predictive scaling, as a pure function of the
//! hourly load history.
//!
//! AWS does not publish its forecasting model (docs/aws-facts.md §14, §17), so
//! the model here is an assumption, documented in docs/model.md §9.7 and chosen
//! to be simple enough to check by hand:
//!
//! - `daily`: the mean of the same hour of the day over the days of history
//!   (at most 14);
//! - `seasonal` (the default): the mean of the same hour of the week over the
//!   weeks of history (at most 2) once a week of history covers the hour, the
//!   `daily` mean before that; with two whole weeks of history, each past hour
//!   is first moved forward by the week-over-week trend (the level change of
//!   the last week against the week before, per hour, times its lag).
//!
//! "The same hour" is read on the local clock of the workload's time zone
//! ([`Slot`]), so a pattern tied to local time keeps its hour across a
//! daylight-saving change. So a load that repeats every day is forecast
//! exactly after one day, one that repeats every week after one week, and one
//! that also grows linearly after two weeks.

use crate::calendar::Calendar;
use jiff::tz::TimeZone;

/// Forecasts need at least this many hours of history (docs/aws-facts.md §14).
pub const MIN_HISTORY_HOURS: usize = 24;
/// Forecasts use at most the last 14 days (docs/aws-facts.md §14).
pub const MAX_HISTORY_HOURS: usize = 14 * 24;
/// Each forecast covers the next 48 hours (docs/aws-facts.md §14).
pub const HORIZON_HOURS: usize = 48;
/// A new forecast is made every 6 hours (docs/aws-facts.md §14).
pub const FORECAST_EVERY_HOURS: usize = 6;

const WEEK: usize = 7 * 24;

/// How the hourly load is forecast (docs/model.md §9.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forecaster {
    /// Same hour of the week when a week of history has it, else same hour of the day.
    Seasonal,
    /// Same hour of the day only.
    Daily,
}

impl Forecaster {
    pub fn as_str(self) -> &'static str {
        match self {
            Forecaster::Seasonal => "seasonal",
            Forecaster::Daily => "daily",
        }
    }
}

/// Where an hour falls on the local clock: its local date (days since
/// 1970-01-01) and hour of the day, both read at the hour's first instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub day: i64,
    pub hour: u8,
}

/// The local clock the forecaster reads hours on: the run's start and a time
/// zone (the workload's, docs/model.md §9.7).
#[derive(Clone, Debug, PartialEq)]
pub struct HourClock {
    pub calendar: Calendar,
    pub tz: TimeZone,
}

impl HourClock {
    /// The slot of hour `hour` (hours since the start).
    pub fn slot(&self, hour: usize) -> Slot {
        let offset_ms = hour as u64 * 3_600_000;
        let day = self.calendar.local_day(offset_ms, &self.tz);
        // local_hour is in [0, 24): its floor is the clock's hour.
        let hour = self.calendar.local_hour(offset_ms, &self.tz).floor() as u8;
        Slot { day, hour: hour.min(23) }
    }
}

/// The week-over-week trend, in load per hour: (the last week's sum − the sum of
/// the week before) / WEEK², with two whole weeks of history; 0 before. Sums,
/// not means, so a load growing by exactly 1 an hour gives exactly 1, and a
/// load repeating every week (or day) gives exactly 0: the two sums add the
/// same numbers in the same order.
pub fn weekly_trend(history: &[f64]) -> f64 {
    let now = history.len();
    if now < 2 * WEEK {
        return 0.0;
    }
    let last: f64 = history[now - WEEK..now].iter().sum();
    let before: f64 = history[now - 2 * WEEK..now - WEEK].iter().sum();
    (last - before) / (WEEK * WEEK) as f64
}

/// The forecast of the load in hour `target` (hours since the start), made
/// with `history` = the mean load of each complete hour 0..history.len(),
/// `slots[i]` the local slot of hour i and `target_slot` that of `target`.
/// None with less than [`MIN_HISTORY_HOURS`] of history.
pub fn forecast_hour(
    history: &[f64],
    slots: &[Slot],
    target: usize,
    target_slot: Slot,
    forecaster: Forecaster,
) -> Option<f64> {
    let now = history.len();
    if now < MIN_HISTORY_HOURS || target < now || slots.len() < now {
        return None;
    }
    // The window of history the forecast may use: the last 14 days.
    let oldest = now.saturating_sub(MAX_HISTORY_HOURS);
    let trend = match forecaster {
        Forecaster::Seasonal => weekly_trend(history),
        Forecaster::Daily => 0.0,
    };
    // The mean of the hours at the target's local hour of the day, a positive
    // multiple of `days` local days before it, newest first, each moved forward
    // by the trend times its lag in hours.
    let same_phase = |days: i64| {
        let mut sum = 0.0;
        let mut n = 0u32;
        for i in (oldest..now).rev() {
            let back = target_slot.day - slots[i].day;
            if slots[i].hour == target_slot.hour && back > 0 && back % days == 0 {
                sum += history[i] + trend * (target - i) as f64;
                n += 1;
            }
        }
        (n > 0).then(|| (sum / f64::from(n)).max(0.0))
    };
    match forecaster {
        Forecaster::Daily => same_phase(1),
        Forecaster::Seasonal => same_phase(7).or_else(|| same_phase(1)),
    }
}

/// The forecasts of hours `now .. now + HORIZON_HOURS`, `now` = history.len(),
/// `slot(h)` the local slot of hour h.
pub fn forecast_horizon(
    history: &[f64],
    slots: &[Slot],
    slot: impl Fn(usize) -> Slot,
    forecaster: Forecaster,
) -> Vec<f64> {
    let now = history.len();
    (now..now + HORIZON_HOURS).map_while(|h| forecast_hour(history, slots, h, slot(h), forecaster)).collect()
}

/// Tasks needed to hold a load at the target: ceil(load / target), at least 0.
/// `load` is the metric's total over tasks (e.g. the sum of the tasks' CPU
/// percentages), `target` its wanted value per task.
pub fn capacity_for(load: f64, target: f64) -> u32 {
    // NaN fails both comparisons and gives 0 too.
    if load.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        || target.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
    {
        return 0;
    }
    let tasks = (load / target).ceil();
    if tasks >= f64::from(u32::MAX) { u32::MAX } else { tasks as u32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: usize = 24;

    /// Hours on a clock without daylight saving, from midnight at the start.
    fn utc(h: usize) -> Slot {
        Slot { day: (h / DAY) as i64, hour: (h % DAY) as u8 }
    }

    fn hour(history: &[f64], target: usize, f: Forecaster) -> Option<f64> {
        let slots: Vec<Slot> = (0..history.len()).map(utc).collect();
        forecast_hour(history, &slots, target, utc(target), f)
    }

    fn horizon(history: &[f64], f: Forecaster) -> Vec<f64> {
        let slots: Vec<Slot> = (0..history.len()).map(utc).collect();
        forecast_horizon(history, &slots, utc, f)
    }

    /// A day: 100 at night, 400 from 08:00 to 18:00.
    fn daily(h: usize) -> f64 {
        if (8..18).contains(&(h % 24)) { 400.0 } else { 100.0 }
    }

    /// A week: the daily shape, halved on days 5 and 6 (the weekend).
    fn weekly(h: usize) -> f64 {
        if h % WEEK >= 5 * DAY { daily(h) / 2.0 } else { daily(h) }
    }

    #[test]
    fn no_forecast_before_24_hours_of_history() {
        let history: Vec<f64> = (0..23).map(daily).collect();
        assert_eq!(hour(&history, 23, Forecaster::Seasonal), None);
        assert!(horizon(&history, Forecaster::Seasonal).is_empty());
        let history: Vec<f64> = (0..24).map(daily).collect();
        assert_eq!(hour(&history, 24, Forecaster::Seasonal), Some(100.0));
    }

    #[test]
    fn a_daily_pattern_is_forecast_exactly_after_one_day() {
        let history: Vec<f64> = (0..24).map(daily).collect();
        let f = horizon(&history, Forecaster::Seasonal);
        assert_eq!(f.len(), 48);
        // Hour 24 + 9 = 09:00 on day 2 → 400; hour 47 = 23:00 → 100; and on into day 3.
        for (j, v) in f.iter().enumerate() {
            assert_eq!(*v, daily(24 + j), "hour {}", 24 + j);
        }
    }

    #[test]
    fn a_weekly_pattern_is_forecast_exactly_after_one_week() {
        let history: Vec<f64> = (0..WEEK).map(weekly).collect();
        for forecaster in [Forecaster::Seasonal] {
            let f = horizon(&history, forecaster);
            for (j, v) in f.iter().enumerate() {
                assert_eq!(*v, weekly(WEEK + j), "hour {}", WEEK + j);
            }
        }
        // The daily forecaster averages the week: hour 168 + 9 (Monday 09:00) from
        // seven 09:00s, five at 400 and two at 200: 2400 / 7.
        let d = hour(&history, WEEK + 9, Forecaster::Daily).unwrap();
        assert_eq!(d, 2400.0 / 7.0);
        // Before a week, seasonal is daily.
        let six_days: Vec<f64> = (0..6 * DAY).map(weekly).collect();
        // Hour 6·24 + 9 = Sunday 09:00: the mean of five 400s and one 200.
        assert_eq!(hour(&six_days, 6 * DAY + 9, Forecaster::Seasonal), Some(2200.0 / 6.0));
    }

    #[test]
    fn only_the_last_14_days_count_and_hours_ahead_use_older_days() {
        // 15 days: day 0 at 1000 every hour, days 1-14 at 10.
        let history: Vec<f64> = (0..15 * DAY).map(|h| if h < DAY { 1000.0 } else { 10.0 }).collect();
        // Day 0 is outside the 14-day window: every forecast is 10.
        assert!(horizon(&history, Forecaster::Daily).iter().all(|v| *v == 10.0));
        // At 30 h of history, hour 60 (12:00 on day 2): hour 36 is not known yet,
        // so only hour 12 counts.
        let history: Vec<f64> = (0..30).map(|h| h as f64).collect();
        assert_eq!(hour(&history, 60, Forecaster::Daily), Some(12.0));
        // Hour 40 (16:00 on day 1) has hour 16 only.
        assert_eq!(hour(&history, 40, Forecaster::Daily), Some(16.0));
    }

    #[test]
    fn capacity_is_the_load_over_the_target_rounded_up() {
        // 4 tasks at 90% CPU = 360% in total; at a 60% target: 360 / 60 = 6 tasks.
        assert_eq!(capacity_for(360.0, 60.0), 6);
        // 361% needs a seventh task.
        assert_eq!(capacity_for(361.0, 60.0), 7);
        assert_eq!(capacity_for(0.0, 60.0), 0);
    }
    #[test]
    fn a_linear_trend_is_forecast_exactly_after_two_weeks() {
        // The daily shape plus 1 per hour: x(h) = daily(h) + h.
        let grow = |h: usize| daily(h) + h as f64;
        let history: Vec<f64> = (0..2 * WEEK).map(grow).collect();
        // Last week's sum − the week before's: the daily parts cancel, and the
        // linear parts differ by 168 for each of 168 hours: 168² / 168² = 1 per hour.
        assert_eq!(weekly_trend(&history), 1.0);
        // Hour 345 (09:00 on day 14): hours 177 (400 + 177 = 577, 168 back) and 9
        // (400 + 9 = 409, 336 back) moved forward: (577 + 168 + 409 + 336) / 2 = 745
        // = daily(345) + 345.
        assert_eq!(hour(&history, 345, Forecaster::Seasonal), Some(745.0));
        for (j, v) in horizon(&history, Forecaster::Seasonal).iter().enumerate() {
            assert_eq!(*v, grow(2 * WEEK + j), "hour {}", 2 * WEEK + j);
        }
        // Without the trend the same hour is the mean of the weeks seen: (577 + 409) / 2.
        assert_eq!(hour(&history, 345, Forecaster::Daily).map(|v| v < 745.0 - 100.0), Some(true));
        let flat: Vec<f64> = (0..2 * WEEK).map(weekly).collect();
        // A pure weekly pattern has no trend, and two weeks forecast it exactly.
        assert_eq!(weekly_trend(&flat), 0.0);
        for (j, v) in horizon(&flat, Forecaster::Seasonal).iter().enumerate() {
            assert_eq!(*v, weekly(2 * WEEK + j), "hour {}", 2 * WEEK + j);
        }
        // Less than two weeks: no trend.
        assert_eq!(weekly_trend(&history[..2 * WEEK - 1]), 0.0);
    }

    #[test]
    fn a_falling_trend_never_forecasts_below_zero() {
        // 400 falling by 2 an hour for two weeks: the trend is −2 per hour, and hour
        // 336 + 47 is forecast at 400 − 2 × 383 < 0 → 0.
        let history: Vec<f64> = (0..2 * WEEK).map(|h| (400.0 - 2.0 * h as f64).max(0.0)).collect();
        let f = horizon(&history, Forecaster::Seasonal);
        assert!(f.iter().all(|v| *v >= 0.0));
    }

    /// New York's clock from `start`.
    fn new_york(start: &str) -> HourClock {
        HourClock {
            calendar: Calendar::new(start.parse().unwrap()),
            tz: crate::calendar::parse_time_zone("America/New_York").unwrap(),
        }
    }

    /// 400 from 08:00 to 18:00 local time on weekdays, 100 otherwise, halved at weekends.
    fn local_load(s: Slot) -> f64 {
        let busy = if (8..18).contains(&s.hour) { 400.0 } else { 100.0 };
        if crate::calendar::weekday_from_monday(s.day) >= 5 { busy / 2.0 } else { busy }
    }

    #[test]
    fn the_same_local_hour_across_a_daylight_saving_change() {
        // Monday 2 March 2026 00:00 EST = 05:00Z. New York moves to EDT on Sunday 8 March
        // at 02:00 EST, so the week of history is 167 hours long and hour 167 is
        // Monday 9 March 00:00 EDT.
        let clock = new_york("2026-03-02T05:00:00Z");
        assert_eq!(clock.slot(167).hour, 0);
        assert_eq!(clock.slot(167).day - clock.slot(0).day, 7);
        let history: Vec<f64> = (0..167).map(|h| local_load(clock.slot(h))).collect();
        let slots: Vec<Slot> = (0..167).map(|h| clock.slot(h)).collect();
        // Hour 175 is Monday 08:00 EDT (12:00Z): a week earlier at 08:00 EST, hour 8, at 400.
        let monday_8 = forecast_hour(&history, &slots, 175, clock.slot(175), Forecaster::Seasonal);
        assert_eq!((clock.slot(175).hour, monday_8), (8, Some(400.0)));
        // Every hour of the 48 is the same local hour a week before.
        let f = forecast_horizon(&history, &slots, |h| clock.slot(h), Forecaster::Seasonal);
        assert_eq!(f.len(), 48);
        for (j, v) in f.iter().enumerate() {
            assert_eq!(*v, local_load(clock.slot(167 + j)), "hour {}", 167 + j);
        }
        // Counting hours from the start instead (168 hours back) puts Monday 08:00 EDT on
        // Monday 07:00 EST: 100, an hour late for the morning.
        let counted: Vec<Slot> = (0..167).map(utc).collect();
        assert_eq!(forecast_hour(&history, &counted, 175, utc(175), Forecaster::Seasonal), Some(100.0));
    }

    #[test]
    fn a_fall_back_day_keeps_the_local_hours() {
        // Saturday 31 October 2026 00:00 EDT = 04:00Z; on Sunday 1 November 01:00 happens
        // twice (EDT, then EST) and the day has 25 hours.
        let clock = new_york("2026-10-31T04:00:00Z");
        let history: Vec<f64> = (0..24).map(|h| local_load(clock.slot(h))).collect();
        let slots: Vec<Slot> = (0..24).map(|h| clock.slot(h)).collect();
        // Hours 25 and 26 are both 01:00 on Sunday, so hour 33 (not 32) is 08:00 EST.
        assert_eq!((clock.slot(25), clock.slot(26).hour, clock.slot(33).hour), (clock.slot(26), 1, 8));
        let f = forecast_horizon(&history, &slots, |h| clock.slot(h), Forecaster::Daily);
        // Saturday's 08:00 (200, a weekend day) is Sunday's forecast from 08:00 EST, hour 33;
        // 07:00 EST, hour 32, is Saturday's 07:00 (50).
        assert_eq!(f[33 - 24], 200.0);
        assert_eq!(f[32 - 24], 50.0);
        // Both 01:00s are forecast from Saturday's one 01:00.
        assert_eq!((f[25 - 24], f[26 - 24]), (50.0, 50.0));
    }
}
