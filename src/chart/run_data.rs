//! Loads a run directory (`summary.json`, `timeseries.csv`, `events.csv`,
//! `scenario.toml`) into the values the run charts and report need.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::chart::csv_input;
use crate::chart::markers::{EventRecord, is_marked};
use crate::chart::wall_clock::WallClock;
use crate::scenario::duration::Offset;

/// What one run wrote, validated.
#[derive(Clone, Debug)]
pub(crate) struct RunData {
    /// The whole `summary.json`, for the report tables.
    pub summary: Value,
    pub scenario_name: String,
    pub duration_s: f64,
    /// Start of the run the summary leaves out (0 when there is none).
    pub warmup_s: f64,
    /// Per service: the targets drawn as reference lines.
    pub targets: BTreeMap<String, ServiceTargets>,
    pub series: TimeSeries,
    /// Only the event kinds that are marked on charts.
    pub events: Vec<EventRecord>,
    /// `scenario.toml`, when present.
    pub scenario_text: Option<String>,
    /// The run's wall clock, when `summary.json` records the start.
    pub clock: Option<WallClock>,
    /// The part of the run the charts draw, in seconds since the start
    /// (`[0, duration_s]` unless narrowed by [`RunData::narrow`]).
    pub window_s: (f64, f64),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ServiceTargets {
    pub cpu_target_percent: Option<f64>,
    pub latency_p99_slo_ms: Option<f64>,
}

/// One metric's rows: (time_s, value) in time order.
type Series = Vec<(u64, f64)>;
/// Metric name → series, for one entity.
type MetricMap = BTreeMap<String, Series>;

/// `timeseries.csv` by scope, entity name and metric, each series in time order.
#[derive(Clone, Debug, Default)]
pub(crate) struct TimeSeries {
    /// Length of one row's interval: the smallest gap between distinct times.
    pub interval_s: u64,
    by_scope: BTreeMap<String, BTreeMap<String, MetricMap>>,
}

impl TimeSeries {
    /// The series of one metric of one entity, empty when it never appears.
    pub(crate) fn get(&self, scope: &str, name: &str, metric: &str) -> &[(u64, f64)] {
        self.by_scope
            .get(scope)
            .and_then(|names| names.get(name))
            .and_then(|metrics| metrics.get(metric))
            .map_or(&[], Vec::as_slice)
    }

    /// The metrics of one entity, sorted.
    pub(crate) fn metrics(&self, scope: &str, name: &str) -> Vec<String> {
        self.by_scope
            .get(scope)
            .and_then(|names| names.get(name))
            .map(|metrics| metrics.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The entity names seen under `scope`, sorted.
    pub(crate) fn names(&self, scope: &str) -> Vec<String> {
        self.by_scope.get(scope).map(|names| names.keys().cloned().collect()).unwrap_or_default()
    }
}

pub(crate) const SUMMARY_FILE: &str = "summary.json";
pub(crate) const TIMESERIES_FILE: &str = "timeseries.csv";
pub(crate) const EVENTS_FILE: &str = "events.csv";
pub(crate) const SCENARIO_FILE: &str = "scenario.toml";

impl RunData {
    pub(crate) fn load(dir: &Path) -> anyhow::Result<RunData> {
        let summary_path = dir.join(SUMMARY_FILE);
        let text = std::fs::read_to_string(&summary_path)
            .with_context(|| format!("cannot read {}", summary_path.display()))?;
        let summary: Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", summary_path.display()))?;
        if !summary.is_object() {
            bail!("{} must hold a JSON object", summary_path.display());
        }
        let scenario_name = summary
            .get("scenario")
            .and_then(Value::as_str)
            .with_context(|| format!("{} has no string `scenario`", summary_path.display()))?
            .to_string();
        let duration_s = summary
            .get("duration_s")
            .and_then(Value::as_f64)
            .filter(|d| d.is_finite() && *d > 0.0)
            .with_context(|| format!("{} has no positive number `duration_s`", summary_path.display()))?;
        let warmup_s = match summary.get("warmup_s") {
            None | Some(Value::Null) => 0.0,
            Some(value) => value.as_f64().filter(|w| w.is_finite() && *w >= 0.0).with_context(|| {
                format!("{}: `warmup_s` is {value}; expected a number of seconds, 0 or more", summary_path.display())
            })?,
        };
        let targets = service_targets(&summary, &summary_path)?;
        let series = read_timeseries(&dir.join(TIMESERIES_FILE))?;
        let events = read_events(&dir.join(EVENTS_FILE))?;
        let scenario_path = dir.join(SCENARIO_FILE);
        let scenario_text = if scenario_path.exists() {
            Some(
                std::fs::read_to_string(&scenario_path)
                    .with_context(|| format!("cannot read {}", scenario_path.display()))?,
            )
        } else {
            None
        };
        let clock = WallClock::from_summary(&summary, &summary_path)?;
        Ok(RunData {
            summary,
            scenario_name,
            duration_s,
            warmup_s,
            targets,
            series,
            events,
            scenario_text,
            clock,
            window_s: (0.0, duration_s),
        })
    }

    /// Draws only `window` of the run: each end an offset since the start
    /// ("2d 08:00", "36h") or an instant (which needs the recorded start).
    pub(crate) fn narrow(&mut self, window: &TimeWindow) -> anyhow::Result<()> {
        let seconds = |offset: &Offset, flag: &str| -> anyhow::Result<f64> {
            match offset {
                Offset::After(after) => Ok(after.as_secs_f64()),
                Offset::Instant(instant) => {
                    let Some(clock) = &self.clock else {
                        bail!(
                            "{flag} {instant}: this run's summary.json records no `start`, so only offsets such as \"2d 08:00\" can be used"
                        );
                    };
                    Ok((instant.as_millisecond() - clock.start.as_millisecond()) as f64 / 1000.0)
                }
            }
        };
        let from = window.from.as_ref().map_or(Ok(0.0), |f| seconds(f, "--from"))?;
        let to = window.to.as_ref().map_or(Ok(self.duration_s), |t| seconds(t, "--to"))?;
        if !(0.0..self.duration_s).contains(&from) {
            bail!("--from is {from} s after the start; expected a time inside the run (0 to {} s)", self.duration_s);
        }
        if !(to > from && to <= self.duration_s) {
            bail!(
                "--to is {to} s after the start; expected a time after --from ({from} s) and at most the run's end ({} s)",
                self.duration_s
            );
        }
        self.window_s = (from, to);
        Ok(())
    }
}

/// The part of a run to chart (`ecsim chart --from/--to`); `None` ends are
/// the run's start and end.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeWindow {
    pub from: Option<Offset>,
    pub to: Option<Offset>,
}

impl TimeWindow {
    /// Whether the window is the whole run.
    pub fn is_whole_run(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// `services.<name>.scaling.cpu_target_percent` and
/// `services.<name>.slo.latency_p99_ms`, each a number or null.
fn service_targets(summary: &Value, path: &Path) -> anyhow::Result<BTreeMap<String, ServiceTargets>> {
    let Some(services) = summary.get("services") else {
        return Ok(BTreeMap::new());
    };
    let services = services.as_object().with_context(|| format!("{}: `services` must be an object", path.display()))?;
    let mut targets = BTreeMap::new();
    for (name, service) in services {
        let number_at = |section: &str, key: &str| -> anyhow::Result<Option<f64>> {
            match service.get(section).and_then(|s| s.get(key)) {
                None | Some(Value::Null) => Ok(None),
                Some(value) => value.as_f64().map(Some).with_context(|| {
                    format!(
                        "{}: `services.{name}.{section}.{key}` is {value}; expected a number or null",
                        path.display()
                    )
                }),
            }
        };
        targets.insert(
            name.clone(),
            ServiceTargets {
                cpu_target_percent: number_at("scaling", "cpu_target_percent")?,
                latency_p99_slo_ms: number_at("slo", "latency_p99_ms")?,
            },
        );
    }
    Ok(targets)
}

fn read_timeseries(path: &Path) -> anyhow::Result<TimeSeries> {
    let mut reader = csv_input::open(path)?;
    let header = csv_input::header(&mut reader, path)?;
    csv_input::expect_header(&header, &["time_s", "scope", "name", "metric", "value"], path)?;
    let mut series = TimeSeries::default();
    let mut times = BTreeSet::new();
    for record in csv_input::records(&mut reader, path) {
        let record = record?;
        let line = csv_input::line_of(&record);
        let time_s = csv_input::integer(&record[0], path, line, "time_s")?;
        let value = csv_input::number(&record[4], path, line, "value")?;
        times.insert(time_s);
        let names = series.by_scope.entry(record[1].to_string()).or_default();
        let metrics = match names.get_mut(&record[2]) {
            Some(metrics) => metrics,
            None => names.entry(record[2].to_string()).or_default(),
        };
        match metrics.get_mut(&record[3]) {
            Some(points) => points.push((time_s, value)),
            None => {
                metrics.insert(record[3].to_string(), vec![(time_s, value)]);
            }
        }
    }
    for metrics in series.by_scope.values_mut().flat_map(BTreeMap::values_mut) {
        for points in metrics.values_mut() {
            points.sort_by_key(|p| p.0);
        }
    }
    let times: Vec<u64> = times.into_iter().collect();
    series.interval_s = times.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(60);
    Ok(series)
}

fn read_events(path: &Path) -> anyhow::Result<Vec<EventRecord>> {
    let mut reader = csv_input::open(path)?;
    let header = csv_input::header(&mut reader, path)?;
    csv_input::expect_header(&header, &["time_s", "kind", "scope", "name", "detail"], path)?;
    let mut events = Vec::new();
    for record in csv_input::records(&mut reader, path) {
        let record = record?;
        if !is_marked(&record[1]) {
            continue;
        }
        let line = csv_input::line_of(&record);
        events.push(EventRecord {
            time_s: csv_input::number(&record[0], path, line, "time_s")?,
            kind: record[1].to_string(),
            scope: record[2].to_string(),
            name: record[3].to_string(),
        });
    }
    Ok(events)
}
