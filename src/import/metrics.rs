//! CloudWatch `get-metric-data` results named as docs/import.md says (`Id` =
//! `<metric>_<n>`, `Label` = the service), gathered into one series per
//! service and metric, checked (whole minutes, no conflicting duplicates, no
//! non-numeric values; gaps are warned about), and written as workload traces
//! and `observed.csv`.

use super::error::{Errors, ImportError};
use super::export::Export;
use super::json::{Node, describe};
use super::kind::Kind;
use super::report::Report;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// The one-minute period the convention asks for.
pub const PERIOD_S: i64 = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    Requests,
    Cpu,
    Memory,
    Running,
    Desired,
}

impl Metric {
    /// The metric an Id names: `<metric>_<digits>`.
    pub fn from_id(id: &str) -> Option<Metric> {
        let (prefix, n) = id.rsplit_once('_')?;
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(match prefix {
            "requests" => Metric::Requests,
            "cpu" => Metric::Cpu,
            "memory" => Metric::Memory,
            "running" => Metric::Running,
            "desired" => Metric::Desired,
            _ => return None,
        })
    }

    /// The name in `observed.csv`.
    pub fn observed_name(self) -> &'static str {
        match self {
            Metric::Requests => "requests_per_second",
            Metric::Cpu => "cpu_utilization_percent",
            Metric::Memory => "memory_utilization_percent",
            Metric::Running => "running_tasks",
            Metric::Desired => "desired_tasks",
        }
    }

    /// The value in `observed.csv` of a CloudWatch datapoint: requests are a
    /// Sum per minute, the rest are as CloudWatch gives them.
    pub fn observed_value(self, v: f64) -> f64 {
        if self == Metric::Requests { v / PERIOD_S as f64 } else { v }
    }
}

/// One service's values of one metric, by minute (epoch seconds), sorted.
#[derive(Debug, Default)]
pub struct Series {
    pub points: Vec<(i64, f64)>,
    /// `get-metric-data: MetricDataResults[3] (file)` of each result read.
    pub sources: Vec<String>,
}

impl Series {
    /// The value at minute `t`, if there is one.
    pub fn at(&self, t: i64) -> Option<f64> {
        self.points.binary_search_by_key(&t, |p| p.0).ok().map(|i| self.points[i].1)
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    /// (service name as in `Label`, metric) -> series.
    pub series: BTreeMap<(String, Metric), Series>,
}

impl Metrics {
    /// The first and last minute with a value (epoch seconds).
    pub fn span(&self) -> Option<(i64, i64)> {
        let first = self.series.values().filter_map(|s| s.points.first()).map(|p| p.0).min()?;
        let last = self.series.values().filter_map(|s| s.points.last()).map(|p| p.0).max()?;
        Some((first, last))
    }

    pub fn get(&self, service: &str, metric: Metric) -> Option<&Series> {
        self.series.get(&(service.to_string(), metric))
    }
}

/// A datapoint as read: minute, value, and where it was read.
type Point = (i64, f64, Loc);

/// Where a datapoint was read, to name it in a duplicate's error.
#[derive(Clone, Copy)]
struct Loc {
    result: u32,
    index: u32,
}

/// Reads every `get-metric-data` file of the export.
pub fn read(export: &Export<'_>, report: &mut Report, errors: &mut Errors) -> Metrics {
    let mut raw: BTreeMap<(String, Metric), Vec<Point>> = BTreeMap::new();
    let mut results: Vec<(String, String)> = Vec::new();
    let mut metrics = Metrics::default();
    // Every result of a call repeats the same timestamps: parse each once.
    let mut parsed: HashMap<String, Option<i64>> = HashMap::new();
    for r in export.items(Kind::MetricData) {
        let (Some(id), Some(label)) = (errors.keep(r.req_str("Id")), errors.keep(r.req_str("Label"))) else { continue };
        let Some(metric) = Metric::from_id(id) else {
            report.warn_at(r, format!("Id {id} is not <metric>_<n> with a metric of docs/import.md (requests, cpu, memory, running, desired); skipped"));
            continue;
        };
        match r.opt_str("StatusCode") {
            Ok(Some("Complete")) | Ok(None) => {}
            Ok(Some(status)) => {
                report.warn_at(r, format!("StatusCode {status}: CloudWatch did not return all of {id} ({label})"))
            }
            Err(e) => errors.push(e),
        }
        let loc = results.len() as u32;
        results.push((r.doc.label.clone(), r.path.clone()));
        let key = (label.to_string(), metric);
        metrics.series.entry(key.clone()).or_default().sources.push(r.source());
        let points = raw.entry(key).or_default();
        if let Err(e) = read_points(r, loc, points, &mut parsed) {
            errors.push(e);
        }
    }
    for (key, mut points) in raw {
        points.sort_by_key(|p| p.0);
        let series = metrics.series.get_mut(&key).expect("created with its points");
        let mut repeated = 0;
        for p in points {
            match series.points.last() {
                Some(&(t, v)) if t == p.0 => {
                    if v.to_bits() != p.1.to_bits() {
                        let (file, path) = &results[p.2.result as usize];
                        errors.push(ImportError::Invalid {
                            file: file.clone(),
                            path: format!("{path}.Values[{}]", p.2.index),
                            message: format!(
                                "a second, different value {} for {} {} at {} (the first is {v})",
                                p.1,
                                key.0,
                                key.1.observed_name(),
                                instant(t)
                            ),
                        });
                    }
                    repeated += 1;
                }
                _ => series.points.push((p.0, p.1)),
            }
        }
        if repeated > 0 {
            report.warn(format!(
                "{}: {} {}: {repeated} datapoints appear twice with the same value; each is used once",
                series.sources.join(", "),
                key.0,
                key.1.observed_name()
            ));
        }
    }
    if let Some(e) = coarser_than_a_minute(&metrics) {
        errors.push(e);
    }
    warn_gaps(&metrics, report);
    metrics
}

/// Every query of one `get-metric-data` export has the same period, so the
/// closest two datapoints of any series show it. Coarser data (300 s or
/// 3600 s, all CloudWatch keeps past 15 days) would be read as minutes with
/// gaps and its sums as one minute's: an error rather than wrong rates.
fn coarser_than_a_minute(metrics: &Metrics) -> Option<ImportError> {
    let closest = |s: &Series| s.points.windows(2).map(|w| w[1].0 - w[0].0).min();
    let step = metrics.series.values().filter_map(closest).min()?;
    if step <= PERIOD_S {
        return None;
    }
    let ((service, metric), series) = metrics.series.iter().find(|(_, s)| closest(s).is_some())?;
    Some(ImportError::Invalid {
        file: series.sources.join(", "),
        path: "Timestamps".to_string(),
        message: format!(
            "{service} {}: no two datapoints of any series are less than {step} s apart; ecsim imports \
             one-minute data (Period = 60), which CloudWatch keeps for 15 days: export 14 days or fewer",
            metric.observed_name()
        ),
    })
}

/// The datapoints of one result, checked.
fn read_points(
    r: &Node<'_>,
    result: u32,
    out: &mut Vec<Point>,
    parsed: &mut HashMap<String, Option<i64>>,
) -> Result<(), ImportError> {
    let times = r.need("Timestamps", "an array")?;
    let values = r.need("Values", "an array")?;
    let (Some(ts), Some(vs)) = (times.value.as_array(), values.value.as_array()) else {
        return Err(if times.value.is_array() { values.items().err() } else { times.items().err() }
            .unwrap_or_else(|| r.invalid("Timestamps and Values must be arrays")));
    };
    if ts.len() != vs.len() {
        return Err(r.invalid(format!("{} Timestamps but {} Values; they must pair up", ts.len(), vs.len())));
    }
    out.reserve(ts.len());
    for (i, (t, v)) in ts.iter().zip(vs).enumerate() {
        let at = |what: &str| format!("{}.{what}[{i}]", r.path);
        let invalid = |path: String, message: String| ImportError::Invalid { file: r.doc.label.clone(), path, message };
        let secs = match t {
            serde_json::Value::String(s) => match parsed.get(s.as_str()) {
                Some(&secs) => secs,
                None => {
                    let secs =
                        s.parse::<Timestamp>().ok().filter(|ts| ts.subsec_nanosecond() == 0).map(|ts| ts.as_second());
                    parsed.insert(s.clone(), secs);
                    secs
                }
            },
            serde_json::Value::Number(n) => {
                n.as_f64().filter(|f| f.fract() == 0.0 && Timestamp::from_second(*f as i64).is_ok()).map(|f| f as i64)
            }
            _ => None,
        };
        let Some(secs) = secs else {
            return Err(invalid(
                at("Timestamps"),
                format!("expected an RFC 3339 instant or epoch seconds, found {}", describe(t)),
            ));
        };
        if secs.rem_euclid(PERIOD_S) != 0 {
            return Err(invalid(
                at("Timestamps"),
                format!("{} is not on a whole minute; the export asks for Period = 60", instant(secs)),
            ));
        }
        let Some(value) = v.as_f64() else {
            return Err(invalid(at("Values"), format!("expected a number, found {}", describe(v))));
        };
        if value < 0.0 {
            return Err(invalid(
                at("Values"),
                format!("{value} is negative; every metric of the export is at least 0"),
            ));
        }
        out.push((secs, value, Loc { result, index: i as u32 }));
    }
    Ok(())
}

/// Warns about every series that misses minutes of the export's span.
fn warn_gaps(metrics: &Metrics, report: &mut Report) {
    let Some((first, last)) = metrics.span() else { return };
    let expected = ((last - first) / PERIOD_S + 1) as usize;
    for ((service, metric), s) in &metrics.series {
        if s.points.len() >= expected {
            continue;
        }
        let first_missing = first_missing_from(s, first);
        report.warn(format!(
            "{}: {service} {}: {} of {expected} minutes have no value (the first at {}); a trace holds the last value across a gap",
            s.sources.join(", "),
            metric.observed_name(),
            expected - s.points.len(),
            instant(first_missing)
        ));
    }
}

/// The first minute from `first` on that the series lacks.
fn first_missing_from(s: &Series, first: i64) -> i64 {
    let mut t = first;
    for p in &s.points {
        if p.0 != t {
            return t;
        }
        t += PERIOD_S;
    }
    t
}

/// RFC 3339 UTC, as `observed.csv` writes time.
pub fn instant(epoch_s: i64) -> String {
    Timestamp::from_second(epoch_s).map_or_else(|_| epoch_s.to_string(), |t| t.to_string())
}

/// A workload trace: `time_s,rps`, seconds from the simulation start.
pub fn trace_csv(requests: &Series, start: i64) -> String {
    let mut out = String::with_capacity(requests.points.len() * 16 + 16);
    out.push_str("time_s,rps\n");
    for &(t, v) in &requests.points {
        let _ = writeln!(out, "{},{}", t - start, Metric::Requests.observed_value(v));
    }
    out
}

/// `observed.csv`: `time,service,metric,value`, sorted by time, service and
/// metric, for the services in `names` (Label -> scenario name).
pub fn observed_csv(metrics: &Metrics, names: &BTreeMap<String, String>) -> String {
    // Rows keyed by numbers that sort as the names do: the services' rank
    // by scenario name, the metrics' rank by observed name.
    let mut services: Vec<&str> = names.values().map(String::as_str).collect();
    services.sort_unstable();
    let mut metric_names: Vec<&str> = ALL.iter().map(|m| m.observed_name()).collect();
    metric_names.sort_unstable();
    let mut rows: Vec<(i64, u32, u8, f64)> = Vec::new();
    for ((label, metric), s) in &metrics.series {
        let Some(service) = names.get(label) else { continue };
        let si = services.binary_search(&service.as_str()).unwrap_or(0) as u32;
        let mi = metric_names.binary_search(&metric.observed_name()).unwrap_or(0) as u8;
        rows.extend(s.points.iter().map(|&(t, v)| (t, si, mi, metric.observed_value(v))));
    }
    // Keys are unique (one point per series and minute), so any sort gives one order.
    rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
    let mut out = String::with_capacity(rows.len() * 56 + 32);
    out.push_str("time,service,metric,value\n");
    let mut shown = (i64::MIN, String::new());
    for (t, si, mi, v) in rows {
        if t != shown.0 {
            shown = (t, instant(t));
        }
        out.push_str(&shown.1);
        out.push(',');
        out.push_str(services[si as usize]);
        out.push(',');
        out.push_str(metric_names[mi as usize]);
        let _ = writeln!(out, ",{v}");
    }
    out
}

const ALL: [Metric; 5] = [Metric::Requests, Metric::Cpu, Metric::Memory, Metric::Running, Metric::Desired];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_metric_by_prefix() {
        assert_eq!(Metric::from_id("requests_0"), Some(Metric::Requests));
        assert_eq!(Metric::from_id("cpu_12"), Some(Metric::Cpu));
        assert_eq!(Metric::from_id("desired_3"), Some(Metric::Desired));
        assert_eq!(Metric::from_id("cpu"), None);
        assert_eq!(Metric::from_id("cpu_x"), None);
        assert_eq!(Metric::from_id("latency_1"), None);
    }

    #[test]
    fn requests_per_minute_become_requests_per_second() {
        // 7,200 requests in a minute are 7200 / 60 = 120 per second.
        let s = Series { points: vec![(1_772_409_600, 7200.0), (1_772_409_660, 90.0)], sources: vec![] };
        assert_eq!(trace_csv(&s, 1_772_409_600), "time_s,rps\n0,120\n60,1.5\n");
        assert_eq!(instant(1_772_409_600), "2026-03-02T00:00:00Z");
    }
}
