//! Predictive scaling policies: hourly load history, a forecast every 6 hours
//! for the next 48, and the capacity floor it sets in ForecastAndScale mode
//! (docs/model.md §9.7, docs/aws-facts.md §14).
//!
//! The policy sees each minute's load datapoint as it is published (the hourly
//! means it forecasts from are not moved by a minute of CloudWatch delay); the
//! scaler asks it for the floor at each evaluation and combines it with the
//! other policies (`scaler.rs`).

use super::forecast::MAX_HISTORY_HOURS;
use super::forecast::{FORECAST_EVERY_HOURS, Forecaster, HourClock, Slot, capacity_for, forecast_horizon};
use super::metrics::MinuteMetrics;
use super::predictive_metrics::PredictiveMetrics;
use crate::engine::{SimDuration, SimTime};

const MS_PER_HOUR: u64 = 3_600_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PredictiveMode {
    /// Forecasts are made and written out; capacity is left alone.
    ForecastOnly,
    /// The forecast capacity is the minimum capacity of each hour.
    ForecastAndScale,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxCapacityBreach {
    HonorMaxCapacity,
    /// The forecast may go above max, up to forecast × (1 + buffer / 100).
    IncreaseMaxCapacity,
}

/// One `[[services.auto_scaling.predictive]]` policy.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictiveConfig {
    pub name: String,
    /// A predefined pair, or custom scaling, load and capacity metrics.
    pub metrics: PredictiveMetrics,
    /// The scaling metric's target per task (percent, or requests per minute).
    pub target_value: f64,
    pub mode: PredictiveMode,
    /// The floor of an hour applies this long before the hour starts.
    pub scheduling_buffer: SimDuration,
    pub max_capacity_breach: MaxCapacityBreach,
    /// Percent above the forecast capacity the effective max may reach.
    pub max_capacity_buffer: u32,
    pub forecaster: Forecaster,
    /// The local clock "the same hour of the day / week" is read on.
    pub clock: HourClock,
}

/// Every problem with a predictive policy, each naming its field.
pub fn validate_predictive_config(c: &PredictiveConfig) -> Vec<String> {
    let mut problems = Vec::new();
    if !(c.target_value.is_finite() && c.target_value > 0.0) {
        problems.push(format!("target_value: {} must be a finite number more than 0", c.target_value));
    }
    if c.scheduling_buffer >= SimDuration::from_secs(3600) {
        problems.push(format!(
            "scheduling_buffer_time: {} s must be less than 3600 s (the forecast's one-hour interval)",
            c.scheduling_buffer.as_millis() / 1000
        ));
    }
    if c.max_capacity_buffer > 100 {
        problems.push(format!("max_capacity_buffer: {} is out of range; 0-100 (percent)", c.max_capacity_buffer));
    }
    problems
}

/// A policy's state: the hourly history, the latest forecast, the accuracy so far.
#[derive(Clone, Debug)]
pub struct PredictivePolicy {
    pub cfg: PredictiveConfig,
    /// Mean load of each complete hour since the start.
    history: Vec<f64>,
    /// The local slot of each hour of `history`.
    slots: Vec<Slot>,
    /// Custom metrics: each hour's Σ (scaling metric × capacity) and Σ load over
    /// its minutes that had all three (empty for a pair).
    relation: Vec<(f64, f64)>,
    hour_relation: (f64, f64),
    hour_sum: f64,
    hour_samples: u32,
    /// Capacity per unit of load, learnt when the forecast was made (1 for a pair).
    per_load: Option<f64>,
    /// Hour of `forecast[0]`.
    forecast_from: usize,
    /// Hourly load forecast, up to 48 hours.
    forecast: Vec<f64>,
    abs_pct_error_sum: f64,
    abs_error_sum: f64,
    actual_sum: f64,
    hours_compared: u64,
    forecasts_made: u64,
}

/// The floor a ForecastAndScale policy sets now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Floor {
    /// Hour (since the start) whose forecast sets it.
    pub hour: usize,
    pub load: f64,
    /// ceil(load / target), before min/max.
    pub capacity: u32,
}

impl PredictivePolicy {
    pub fn new(cfg: PredictiveConfig) -> Self {
        PredictivePolicy {
            cfg,
            history: Vec::new(),
            slots: Vec::new(),
            relation: Vec::new(),
            hour_relation: (0.0, 0.0),
            hour_sum: 0.0,
            hour_samples: 0,
            per_load: None,
            forecast_from: 0,
            forecast: Vec::new(),
            abs_pct_error_sum: 0.0,
            abs_error_sum: 0.0,
            actual_sum: 0.0,
            hours_compared: 0,
            forecasts_made: 0,
        }
    }

    /// The minute that ended at `now` published `m`. Closes an hour at every
    /// whole hour since the start; at every 6th, once 24 hours are known, makes
    /// a new forecast. Returns true when it did.
    pub fn observe(&mut self, now: SimTime, m: &MinuteMetrics) -> bool {
        if let Some(load) = self.cfg.metrics.load(m) {
            self.hour_sum += load;
            self.hour_samples += 1;
        }
        if let Some((scaled, load)) = self.cfg.metrics.relation(m) {
            self.hour_relation.0 += scaled;
            self.hour_relation.1 += load;
        }
        let ms = now.as_millis();
        if ms == 0 || !ms.is_multiple_of(MS_PER_HOUR) {
            return false;
        }
        let actual = if self.hour_samples > 0 { self.hour_sum / f64::from(self.hour_samples) } else { 0.0 };
        let hour = self.history.len();
        if let Some(predicted) = self.forecast_load(hour)
            && actual > 0.0
        {
            self.abs_pct_error_sum += (actual - predicted).abs() / actual;
            self.abs_error_sum += (actual - predicted).abs();
            self.actual_sum += actual;
            self.hours_compared += 1;
        }
        self.history.push(actual);
        self.slots.push(self.cfg.clock.slot(hour));
        if !self.cfg.metrics.is_pair() {
            self.relation.push(std::mem::take(&mut self.hour_relation));
        }
        self.hour_sum = 0.0;
        self.hour_samples = 0;
        let hours = self.history.len();
        if !hours.is_multiple_of(FORECAST_EVERY_HOURS) {
            return false;
        }
        let clock = &self.cfg.clock;
        let forecast = forecast_horizon(&self.history, &self.slots, |h| clock.slot(h), self.cfg.forecaster);
        if forecast.is_empty() {
            return false;
        }
        self.forecast_from = hours;
        self.forecast = forecast;
        self.per_load = self.learn_per_load();
        self.forecasts_made += 1;
        true
    }

    /// Scaling metric × capacity per unit of load: 1 for a pair (its load is the
    /// scaling metric summed over tasks); for custom metrics Σ (scaling metric ×
    /// capacity) / Σ load over the minutes of the window (the last 14 days)
    /// that had all three; None without such load.
    fn learn_per_load(&self) -> Option<f64> {
        if self.cfg.metrics.is_pair() {
            return Some(1.0);
        }
        let oldest = self.relation.len().saturating_sub(MAX_HISTORY_HOURS);
        let (scaled, load) = self.relation[oldest..].iter().fold((0.0, 0.0), |(s, l), (hs, hl)| (s + hs, l + hl));
        (load > 0.0 && scaled.is_finite()).then(|| scaled / load)
    }

    /// The capacity a forecast load needs: ceil(load × per_load / target).
    fn capacity(&self, load: f64) -> Option<u32> {
        // For a pair per_load is 1 and load × 1 is load exactly.
        self.per_load.map(|k| capacity_for(load * k, self.cfg.target_value))
    }

    /// The load forecast of `hour`, if the latest forecast covers it.
    pub fn forecast_load(&self, hour: usize) -> Option<f64> {
        hour.checked_sub(self.forecast_from).and_then(|j| self.forecast.get(j)).copied()
    }

    /// The forecast of the hour the minute ending at `now` falls in, as
    /// (load, capacity): what the time series shows.
    pub fn forecast_now(&self, now: SimTime) -> Option<(f64, Option<u32>)> {
        let hour = (now.as_millis().saturating_sub(1) / MS_PER_HOUR) as usize;
        self.forecast_load(hour).map(|l| (l, self.capacity(l)))
    }

    /// The capacity floor at `now`: the forecast capacity of the hour starting
    /// within `scheduling_buffer` from now (or already started), in
    /// ForecastAndScale mode only.
    pub fn floor(&self, now: SimTime) -> Option<Floor> {
        if self.cfg.mode != PredictiveMode::ForecastAndScale {
            return None;
        }
        let hour = ((now.as_millis() + self.cfg.scheduling_buffer.as_millis()) / MS_PER_HOUR) as usize;
        let load = self.forecast_load(hour)?;
        Some(Floor { hour, load, capacity: self.capacity(load)? })
    }

    /// The highest capacity this policy may set when the floor is `capacity`
    /// and the scalable target's max is `max`.
    pub fn effective_max(&self, capacity: u32, max: u32) -> u32 {
        match self.cfg.max_capacity_breach {
            MaxCapacityBreach::HonorMaxCapacity => max,
            MaxCapacityBreach::IncreaseMaxCapacity => {
                // ceil(capacity × (100 + buffer) / 100) in integers: 50 × 1.1 in floating
                // point is 55.000000000000007, which would round up to 56.
                let percent = 100 + u64::from(self.cfg.max_capacity_buffer);
                let raised = (u64::from(capacity) * percent).div_ceil(100);
                max.max(u32::try_from(raised).unwrap_or(u32::MAX))
            }
        }
    }

    /// Mean absolute percentage error of the hourly load forecast so far (hours
    /// with zero load are left out), and how many hours it covers.
    pub fn accuracy(&self) -> (Option<f64>, u64) {
        let mape = (self.hours_compared > 0).then(|| 100.0 * self.abs_pct_error_sum / self.hours_compared as f64);
        (mape, self.hours_compared)
    }

    /// The absolute errors over the actual loads, summed over the same hours
    /// (weighted by load, so quiet hours with tiny loads do not dominate as
    /// they do the MAPE).
    pub fn weighted_error(&self) -> Option<f64> {
        (self.actual_sum > 0.0).then(|| 100.0 * self.abs_error_sum / self.actual_sum)
    }

    pub fn forecasts_made(&self) -> u64 {
        self.forecasts_made
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::scaling::Datapoint;
    use crate::scaling::MetricPair;

    fn cfg(mode: PredictiveMode, buffer_s: u64) -> PredictiveConfig {
        PredictiveConfig {
            name: "forecast".into(),
            metrics: PredictiveMetrics::Pair(MetricPair::Cpu),
            target_value: 50.0,
            mode,
            scheduling_buffer: SimDuration::from_secs(buffer_s),
            max_capacity_breach: MaxCapacityBreach::HonorMaxCapacity,
            max_capacity_buffer: 0,
            forecaster: Forecaster::Seasonal,
            clock: HourClock { calendar: Calendar::new(jiff::Timestamp::UNIX_EPOCH), tz: jiff::tz::TimeZone::UTC },
        }
    }

    /// Total CPU (percent summed over tasks) of minute `k`: 100 at night, 500
    /// from 08:00 to 18:00 (hours since the start).
    fn load(k: u64) -> f64 {
        if (8..18).contains(&(k / 60 % 24)) { 500.0 } else { 100.0 }
    }

    fn feed(p: &mut PredictivePolicy, minutes: std::ops::RangeInclusive<u64>) {
        for k in minutes {
            let m = MinuteMetrics {
                cpu: Some(Datapoint { sum: load(k - 1), ..Datapoint::single(0.0) }),
                ..Default::default()
            };
            p.observe(SimTime::from_minute(k), &m);
        }
    }

    #[test]
    fn first_forecast_after_24_hours_then_every_6() {
        let mut p = PredictivePolicy::new(cfg(PredictiveMode::ForecastAndScale, 300));
        feed(&mut p, 1..=24 * 60 - 1);
        assert_eq!(p.forecasts_made(), 0);
        assert_eq!(p.floor(SimTime::from_minute(24 * 60 - 1)), None);
        feed(&mut p, 24 * 60..=24 * 60);
        assert_eq!(p.forecasts_made(), 1);
        feed(&mut p, 24 * 60 + 1..=30 * 60);
        assert_eq!(p.forecasts_made(), 2);
    }

    #[test]
    fn the_floor_of_an_hour_starts_the_buffer_before_it() {
        let mut p = PredictivePolicy::new(cfg(PredictiveMode::ForecastAndScale, 300));
        feed(&mut p, 1..=24 * 60);
        // Hour 32 = 08:00 on day 2 is forecast at 500 → ceil(500 / 50) = 10 tasks;
        // hour 31 at 100 → 2 tasks. With a 300 s buffer the 10 applies from 07:55.
        let at = |h: u64, m: u64| SimTime::from_minute(h * 60 + m);
        assert_eq!(p.floor(at(31, 54)).map(|f| (f.hour, f.capacity)), Some((31, 2)));
        assert_eq!(p.floor(at(31, 55)).map(|f| (f.hour, f.capacity)), Some((32, 10)));
        assert_eq!(p.floor(at(31, 55)).unwrap().load, 500.0);
        // Without a buffer, from 08:00.
        let mut q = PredictivePolicy::new(cfg(PredictiveMode::ForecastAndScale, 0));
        feed(&mut q, 1..=24 * 60);
        assert_eq!(q.floor(at(31, 59)).map(|f| f.capacity), Some(2));
        assert_eq!(q.floor(at(32, 0)).map(|f| f.capacity), Some(10));
    }

    #[test]
    fn forecast_only_sets_no_floor_but_forecasts() {
        let mut p = PredictivePolicy::new(cfg(PredictiveMode::ForecastOnly, 300));
        feed(&mut p, 1..=24 * 60);
        assert_eq!(p.floor(SimTime::from_minute(32 * 60)), None);
        // The minute ending at 08:01 on day 2 lies in hour 32: forecast 500, 10 tasks.
        assert_eq!(p.forecast_now(SimTime::from_minute(32 * 60 + 1)), Some((500.0, Some(10))));
    }

    #[test]
    fn accuracy_compares_each_forecast_hour_with_what_happened() {
        let mut p = PredictivePolicy::new(cfg(PredictiveMode::ForecastOnly, 0));
        // A pure daily pattern: every forecast hour is exact, so the error is 0 over
        // the 24 hours of day 2.
        feed(&mut p, 1..=48 * 60);
        assert_eq!(p.accuracy(), (Some(0.0), 24));
        // Hour 48 (00:00 on day 3) is forecast at 100; make it 200:
        // |200 − 100| / 200 = 50%.
        for k in 48 * 60 + 1..=49 * 60 {
            let m =
                MinuteMetrics { cpu: Some(Datapoint { sum: 200.0, ..Datapoint::single(0.0) }), ..Default::default() };
            p.observe(SimTime::from_minute(k), &m);
        }
        // 25 hours: 24 at 0% and one at 50% → 2%.
        assert_eq!(p.accuracy(), (Some(2.0), 25));
        // Weighted: the one error of 100 over the day's actual loads (14 hours at
        // 100, 10 at 500) plus hour 48's 200: 100 / 6600.
        assert_eq!(p.weighted_error(), Some(100.0 * 100.0 / 6600.0));
    }

    #[test]
    fn increase_max_capacity_lets_the_forecast_pass_max_by_the_buffer() {
        let mut c = cfg(PredictiveMode::ForecastAndScale, 0);
        c.max_capacity_breach = MaxCapacityBreach::IncreaseMaxCapacity;
        c.max_capacity_buffer = 10;
        // The API's example: forecast 50, max 40, buffer 10% → effective max 55.
        assert_eq!(PredictivePolicy::new(c.clone()).effective_max(50, 40), 55);
        c.max_capacity_breach = MaxCapacityBreach::HonorMaxCapacity;
        assert_eq!(PredictivePolicy::new(c).effective_max(50, 40), 40);
    }

    /// A scaler with a 60% CPU target tracking policy and `mode`, min 1, max 40,
    /// after a day of the daily load (hour 32, 08:00 on day 2, is forecast at
    /// 500 → 10 tasks).
    fn scaler_after_a_day(mode: PredictiveMode) -> crate::scaling::ServiceScaler {
        use crate::scaling::{AutoScalingConfig, ServiceMetric, ServiceScaler, TargetTrackingConfig};
        let cpu60 = TargetTrackingConfig {
            name: "cpu60".into(),
            metric: ServiceMetric::CpuUtilization,
            target_value: 60.0,
            scale_out_cooldown: SimDuration::from_secs(300),
            scale_in_cooldown: SimDuration::from_secs(300),
            disable_scale_in: false,
        };
        let cfg = AutoScalingConfig {
            min_capacity: 1,
            max_capacity: 40,
            target_tracking: vec![cpu60],
            step_scaling: vec![],
            predictive: vec![cfg(mode, 0)],
        };
        let mut sc = ServiceScaler::new(cfg);
        for k in 1..=24 * 60 {
            let m = MinuteMetrics {
                cpu: Some(Datapoint { sum: load(k - 1), ..Datapoint::single(0.0) }),
                ..Default::default()
            };
            sc.observe_load(SimTime::from_minute(k), &m);
        }
        sc
    }

    #[test]
    fn the_forecast_floor_wins_when_it_is_higher() {
        let mut sc = scaler_after_a_day(PredictiveMode::ForecastAndScale);
        // 08:00 on day 2, 4 tasks at 90%: target tracking has no alarm yet; the
        // forecast's 10 tasks apply at once.
        let d = sc.on_minute(SimTime::from_minute(32 * 60), &MinuteMetrics::cpu_only(90.0), 4, 4, false).unwrap();
        assert_eq!((d.policy.as_str(), d.new_desired), ("forecast", 10));
        assert_eq!(sc.floors_set().map(|(n, f)| (n, f.capacity)).collect::<Vec<_>>(), [("forecast", 10)]);
    }

    #[test]
    fn target_tracking_wins_when_it_asks_for_more() {
        let mut sc = scaler_after_a_day(PredictiveMode::ForecastAndScale);
        let hot = MinuteMetrics::cpu_only(90.0);
        // 12 running at 90%: the floor of 10 is below desired 12, so nothing until the
        // high alarm's third datapoint: ceil(12 × 90 / 60) = 18 > 10.
        for k in 0..2 {
            assert!(sc.on_minute(SimTime::from_minute(32 * 60 + k), &hot, 12, 12, false).is_none());
        }
        let d = sc.on_minute(SimTime::from_minute(32 * 60 + 2), &hot, 12, 12, false).unwrap();
        assert_eq!((d.policy.as_str(), d.new_desired), ("cpu60", 18));
    }

    #[test]
    fn scale_in_stops_at_the_forecast_floor() {
        let mut sc = scaler_after_a_day(PredictiveMode::ForecastAndScale);
        let cold = MinuteMetrics::cpu_only(10.0);
        // 16 running at 10%: after 15 low datapoints target tracking asks for
        // ceil(16 × 10 / 60) = 3; the floor of hour 32 (10 tasks) stops it at 10.
        let mut last = None;
        for k in 0..15 {
            last = sc.on_minute(SimTime::from_minute(32 * 60 + k), &cold, 16, 16, false);
            if k < 14 {
                assert!(last.is_none(), "minute {k}");
            }
        }
        let d = last.unwrap();
        assert_eq!((d.policy.as_str(), d.new_desired), ("cpu60", 10));
        // Without the floor (ForecastOnly) the same minutes scale in to 3.
        let mut only = scaler_after_a_day(PredictiveMode::ForecastOnly);
        let mut last = None;
        for k in 0..15 {
            last = only.on_minute(SimTime::from_minute(32 * 60 + k), &cold, 16, 16, false);
        }
        assert_eq!(last.unwrap().new_desired, 3);
    }

    #[test]
    fn forecast_only_never_acts() {
        let mut sc = scaler_after_a_day(PredictiveMode::ForecastOnly);
        assert!(sc.on_minute(SimTime::from_minute(32 * 60), &MinuteMetrics::cpu_only(50.0), 4, 4, false).is_none());
        assert_eq!(sc.floors_set().count(), 0);
        assert_eq!(sc.predictive()[0].forecast_now(SimTime::from_minute(32 * 60 + 1)), Some((500.0, Some(10))));
    }

    #[test]
    fn custom_metrics_learn_the_capacity_per_unit_of_load() {
        use crate::scaling::{CustomMetric, PredictiveMetrics};
        let mut c = cfg(PredictiveMode::ForecastAndScale, 0);
        // Load: requests per minute at the load balancer; scaling: average CPU, target 50.
        c.metrics = PredictiveMetrics::custom(CustomMetric::CpuAverage, CustomMetric::RequestCount, None);
        let mut p = PredictivePolicy::new(c);
        // Night: 400 requests a minute on 4 tasks at 25%; day (08:00-18:00): 2,000 on
        // 10 tasks at 50%. CPU × tasks per request: 100 / 400 = 500 / 2000 = 0.25.
        for k in 1..=24 * 60 {
            let day = (8..18).contains(&((k - 1) / 60 % 24));
            let (requests, tasks, cpu) = if day { (2000.0, 10.0, 50.0) } else { (400.0, 4.0, 25.0) };
            let m = MinuteMetrics {
                cpu: Some(Datapoint::single(cpu)),
                request_count: Some(Datapoint::single(requests)),
                running_tasks: Some(tasks),
                ..Default::default()
            };
            p.observe(SimTime::from_minute(k), &m);
        }
        // Hour 32 (08:00 on day 2): 2000 × 0.25 / 50 = 10 tasks; hour 31: 400 × 0.25 / 50 = 2.
        let floor = |h: u64| p.floor(SimTime::from_minute(h * 60)).map(|f| (f.load, f.capacity));
        assert_eq!(floor(32), Some((2000.0, 10)));
        assert_eq!(floor(31), Some((400.0, 2)));
        // With no minute of load (no requests yet), no capacity can be derived: no floor.
        let mut c = cfg(PredictiveMode::ForecastAndScale, 0);
        c.metrics = PredictiveMetrics::custom(CustomMetric::CpuAverage, CustomMetric::RequestCount, None);
        let mut idle = PredictivePolicy::new(c);
        for k in 1..=24 * 60 {
            let m = MinuteMetrics { cpu: Some(Datapoint::single(0.0)), running_tasks: Some(2.0), ..Default::default() };
            idle.observe(SimTime::from_minute(k), &m);
        }
        assert_eq!(idle.forecasts_made(), 1);
        assert_eq!(idle.floor(SimTime::from_minute(30 * 60)), None);
        assert_eq!(idle.forecast_now(SimTime::from_minute(30 * 60)), Some((0.0, None)));
    }

    #[test]
    fn validation_names_each_field() {
        let mut c = cfg(PredictiveMode::ForecastAndScale, 3600);
        c.target_value = 0.0;
        c.max_capacity_buffer = 101;
        let p = validate_predictive_config(&c);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("target_value"));
        assert!(p[1].starts_with("scheduling_buffer_time"));
        assert!(p[2].starts_with("max_capacity_buffer"));
    }
}
