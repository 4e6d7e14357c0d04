//! The load forecaster of predictive scaling, as a pure function of the
//! hourly load history.
//!
//! AWS does not publish its forecasting model (docs/aws-facts.md §14), so the
//! model here is an assumption, documented in docs/model.md §9.7 and chosen to
//! be simple enough to check by hand:
//!
//! - `daily`: the mean of the same hour of the day over the days of history
//!   (at most 14);
//! - `seasonal` (the default): the mean of the same hour of the week over the
//!   weeks of history (at most 2) once a week of history covers the hour, the
//!   `daily` mean before that.
//!
//! So a load that repeats every day is forecast exactly after one day, and
//! one that repeats every week after one week.

/// Forecasts need at least this many hours of history (docs/aws-facts.md §14).
pub const MIN_HISTORY_HOURS: usize = 24;
/// Forecasts use at most the last 14 days (docs/aws-facts.md §14).
pub const MAX_HISTORY_HOURS: usize = 14 * 24;
/// Each forecast covers the next 48 hours (docs/aws-facts.md §14).
pub const HORIZON_HOURS: usize = 48;
/// A new forecast is made every 6 hours (docs/aws-facts.md §14).
pub const FORECAST_EVERY_HOURS: usize = 6;

const DAY: usize = 24;
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

/// The forecast of the load in hour `target` (hours since the start), made
/// with `history` = the mean load of each complete hour 0..history.len().
/// None with less than [`MIN_HISTORY_HOURS`] of history.
pub fn forecast_hour(history: &[f64], target: usize, forecaster: Forecaster) -> Option<f64> {
    let now = history.len();
    if now < MIN_HISTORY_HOURS || target < now {
        return None;
    }
    // The window of history the forecast may use: the last 14 days.
    let oldest = now.saturating_sub(MAX_HISTORY_HOURS);
    let same_phase = |period: usize| {
        let mut sum = 0.0;
        let mut n = 0u32;
        // target − k·period for k = 1, 2, …, newest first, while inside the window.
        let mut lag = period;
        while lag <= target && target - lag >= oldest {
            if target - lag < now {
                sum += history[target - lag];
                n += 1;
            }
            lag += period;
        }
        (n > 0).then(|| sum / f64::from(n))
    };
    match forecaster {
        Forecaster::Daily => same_phase(DAY),
        Forecaster::Seasonal => same_phase(WEEK).or_else(|| same_phase(DAY)),
    }
}

/// The forecasts of hours `now .. now + HORIZON_HOURS`, `now` = history.len().
pub fn forecast_horizon(history: &[f64], forecaster: Forecaster) -> Vec<f64> {
    let now = history.len();
    (now..now + HORIZON_HOURS).map_while(|h| forecast_hour(history, h, forecaster)).collect()
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
        assert_eq!(forecast_hour(&history, 23, Forecaster::Seasonal), None);
        assert!(forecast_horizon(&history, Forecaster::Seasonal).is_empty());
        let history: Vec<f64> = (0..24).map(daily).collect();
        assert_eq!(forecast_hour(&history, 24, Forecaster::Seasonal), Some(100.0));
    }

    #[test]
    fn a_daily_pattern_is_forecast_exactly_after_one_day() {
        let history: Vec<f64> = (0..24).map(daily).collect();
        let f = forecast_horizon(&history, Forecaster::Seasonal);
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
            let f = forecast_horizon(&history, forecaster);
            for (j, v) in f.iter().enumerate() {
                assert_eq!(*v, weekly(WEEK + j), "hour {}", WEEK + j);
            }
        }
        // The daily forecaster averages the week: hour 168 + 9 (Monday 09:00) from
        // seven 09:00s, five at 400 and two at 200: 2400 / 7.
        let d = forecast_hour(&history, WEEK + 9, Forecaster::Daily).unwrap();
        assert_eq!(d, 2400.0 / 7.0);
        // Before a week, seasonal is daily.
        let six_days: Vec<f64> = (0..6 * DAY).map(weekly).collect();
        // Hour 6·24 + 9 = Sunday 09:00: the mean of five 400s and one 200.
        assert_eq!(forecast_hour(&six_days, 6 * DAY + 9, Forecaster::Seasonal), Some(2200.0 / 6.0));
    }

    #[test]
    fn only_the_last_14_days_count_and_hours_ahead_use_older_days() {
        // 15 days: day 0 at 1000 every hour, days 1-14 at 10.
        let history: Vec<f64> = (0..15 * DAY).map(|h| if h < DAY { 1000.0 } else { 10.0 }).collect();
        // Day 0 is outside the 14-day window: every forecast is 10.
        assert!(forecast_horizon(&history, Forecaster::Daily).iter().all(|v| *v == 10.0));
        // At 30 h of history, hour 60 (12:00 on day 2): hour 36 is not known yet,
        // so only hour 12 counts.
        let history: Vec<f64> = (0..30).map(|h| h as f64).collect();
        assert_eq!(forecast_hour(&history, 60, Forecaster::Daily), Some(12.0));
        // Hour 40 (16:00 on day 1) has hour 16 only.
        assert_eq!(forecast_hour(&history, 40, Forecaster::Daily), Some(16.0));
    }

    #[test]
    fn capacity_is_the_load_over_the_target_rounded_up() {
        // 4 tasks at 90% CPU = 360% in total; at a 60% target: 360 / 60 = 6 tasks.
        assert_eq!(capacity_for(360.0, 60.0), 6);
        // 361% needs a seventh task.
        assert_eq!(capacity_for(361.0, 60.0), 7);
        assert_eq!(capacity_for(0.0, 60.0), 0);
    }
}
