//! Observed minute series of a real service (`OBSERVED.csv`), read strictly:
//! `ecsim calibrate` fits the CPU model to them and `ecsim run --observed`
//! compares a run with them.
//!
//! The file has the header `time,service,metric,value` and one row per
//! service, metric and minute; `time` is the start of the minute in RFC 3339
//! UTC (CloudWatch stamps a period with its start). Every problem is reported
//! with its line, all at once; a metric ecsim does not use is skipped with a
//! note, and so are the minutes missing inside a series (CloudWatch leaves a
//! period without data out), which the users of the series skip.

use jiff::Timestamp;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The metrics ecsim reads, with the largest value it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    RequestsPerSecond,
    CpuUtilizationPercent,
    RunningTasks,
    DesiredTasks,
}

impl Metric {
    pub const ALL: [Metric; 4] =
        [Metric::RequestsPerSecond, Metric::CpuUtilizationPercent, Metric::RunningTasks, Metric::DesiredTasks];

    pub const fn name(self) -> &'static str {
        match self {
            Metric::RequestsPerSecond => "requests_per_second",
            Metric::CpuUtilizationPercent => "cpu_utilization_percent",
            Metric::RunningTasks => "running_tasks",
            Metric::DesiredTasks => "desired_tasks",
        }
    }

    /// Bounds: a rate a scenario accepts (10⁹ requests/s); CPU up to 10,000%
    /// (a task on EC2 without a task-level CPU limit may use more than its
    /// reservation, so CloudWatch reports more than 100%); task counts up to
    /// 100,000 (Container Insights averages them over the minute, so they
    /// need not be whole).
    const fn max(self) -> f64 {
        match self {
            Metric::RequestsPerSecond => 1e9,
            Metric::CpuUtilizationPercent => 10_000.0,
            Metric::RunningTasks | Metric::DesiredTasks => 100_000.0,
        }
    }

    fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// One series: value by minute start.
pub type Series = BTreeMap<Timestamp, f64>;

/// Everything read: series by service and metric, and notes (ignored metrics, gaps).
#[derive(Debug, Default)]
pub struct Observed {
    pub series: BTreeMap<String, BTreeMap<Metric, Series>>,
    pub notes: Vec<String>,
}

impl Observed {
    pub fn get(&self, service: &str, metric: Metric) -> Option<&Series> {
        self.series.get(service).and_then(|m| m.get(&metric))
    }
}

/// Why the file was refused: every problem, each with its line.
#[derive(Debug, thiserror::Error)]
pub struct ObservedError {
    pub file: String,
    /// (line, message); line 0 = the file as a whole.
    pub problems: Vec<(u64, String)>,
}

/// At most this many problems are listed; the rest are counted.
const MAX_LISTED: usize = 30;

impl fmt::Display for ObservedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, (line, message)) in self.problems.iter().take(MAX_LISTED).enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            match line {
                0 => write!(f, "{}: {message}", self.file)?,
                l => write!(f, "{}:{l}: {message}", self.file)?,
            }
        }
        if self.problems.len() > MAX_LISTED {
            write!(f, "\n{}: and {} more problems", self.file, self.problems.len() - MAX_LISTED)?;
        }
        Ok(())
    }
}

pub const HEADER: &str = "time,service,metric,value";

/// Reads and checks an observed CSV file.
pub fn read(path: &Path) -> Result<Observed, ObservedError> {
    let file = path.display().to_string();
    let text = crate::scenario::read_text(path)
        .map_err(|message| ObservedError { file: file.clone(), problems: vec![(0, message)] })?;
    parse(&text, &file)
}

/// Parses observed CSV text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Observed, ObservedError> {
    let mut problems: Vec<(u64, String)> = Vec::new();
    let mut out = Observed::default();
    let mut ignored: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut seen_at: BTreeMap<(String, Metric, Timestamp), u64> = BTreeMap::new();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut header_seen = false;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                problems.push((line, format!("not valid CSV: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if !header_seen {
            header_seen = true;
            let got: Vec<&str> = record.iter().map(str::trim).collect();
            if got.join(",") != HEADER {
                problems.push((line, format!("the header is \"{}\"; expected \"{HEADER}\"", got.join(","))));
                break;
            }
            continue;
        }
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        if record.len() != 4 {
            problems.push((line, format!("{} fields; expected 4 ({HEADER})", record.len())));
            continue;
        }
        let (time, service, metric, value) = (record[0].trim(), record[1].trim(), record[2].trim(), record[3].trim());
        let time = match parse_minute(time) {
            Ok(t) => Some(t),
            Err(m) => {
                problems.push((line, m));
                None
            }
        };
        if service.is_empty() {
            problems.push((line, "the service is empty; expected an ECS service name".into()));
        }
        let Some(metric) = Metric::parse(metric) else {
            if metric.is_empty() {
                problems.push((line, "the metric is empty".into()));
            } else {
                ignored.entry(metric.to_string()).or_insert((line, 0)).1 += 1;
            }
            continue;
        };
        let value = match value.parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=metric.max()).contains(&v) => Some(v),
            Ok(v) => {
                problems
                    .push((line, format!("{} = {v} is out of range; allowed 0 to {}", metric.name(), metric.max())));
                None
            }
            Err(_) => {
                problems.push((line, format!("the value \"{value}\" is not a number ({} is a number)", metric.name())));
                None
            }
        };
        let (Some(time), Some(value)) = (time, value) else { continue };
        if service.is_empty() {
            continue;
        }
        if let Some(first) = seen_at.insert((service.to_string(), metric, time), line) {
            problems
                .push((line, format!("{service} {} at {time} is given twice (first on line {first})", metric.name())));
            continue;
        }
        out.series.entry(service.to_string()).or_default().entry(metric).or_default().insert(time, value);
    }
    if !header_seen {
        problems.push((0, format!("the file is empty; expected the header \"{HEADER}\" and rows")));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.0);
        return Err(ObservedError { file: file.to_string(), problems });
    }
    for (metric, (line, n)) in ignored {
        out.notes.push(format!(
            "{file}: metric \"{metric}\" ({n} rows, first on line {line}) is not used and was skipped; used: {}",
            Metric::ALL.map(Metric::name).join(", ")
        ));
    }
    for (service, metrics) in &out.series {
        for (metric, series) in metrics {
            if let Some(note) = gap_note(series) {
                out.notes.push(format!("{file}: {service} {}: {note}", metric.name()));
            }
        }
    }
    Ok(out)
}

/// An RFC 3339 UTC instant on a whole minute.
fn parse_minute(s: &str) -> Result<Timestamp, String> {
    let utc = s.ends_with('Z') || s.ends_with('z') || s.ends_with("+00:00");
    let t: Timestamp =
        s.parse().map_err(|_| format!("the time \"{s}\" is not an RFC 3339 instant (e.g. 2026-03-02T09:15:00Z)"))?;
    if !utc {
        return Err(format!("the time \"{s}\" is not in UTC; write it with Z (e.g. 2026-03-02T09:15:00Z)"));
    }
    if t.as_second().rem_euclid(60) != 0 || t.subsec_nanosecond() != 0 {
        return Err(format!("the time \"{s}\" is not the start of a minute; rows are per minute"));
    }
    Ok(t)
}

/// The minutes missing between a series' first and last, said once per series.
fn gap_note(series: &Series) -> Option<String> {
    let (first, last) = (series.keys().next()?, series.keys().next_back()?);
    let span = (last.as_second() - first.as_second()) / 60 + 1;
    let missing = span - series.len() as i64;
    if missing <= 0 {
        return None;
    }
    let first_gap = series
        .keys()
        .zip(series.keys().skip(1))
        .find(|(a, b)| b.as_second() - a.as_second() > 60)
        .map(|(a, _)| Timestamp::from_second(a.as_second() + 60).map(|t| t.to_string()).unwrap_or_default())
        .unwrap_or_default();
    Some(format!("{missing} of {span} minutes missing (the first at {first_gap}); they are skipped"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(u64, String)> {
        parse(text, "o.csv").expect_err("refused").problems
    }

    #[test]
    fn reads_series_by_service_and_metric() {
        let o = parse(
            "time,service,metric,value\n2026-03-02T00:00:00Z,web,cpu_utilization_percent,41.5\n2026-03-02T00:01:00Z,web,cpu_utilization_percent,40\n2026-03-02T00:00:00Z,web,running_tasks,3\n",
            "o.csv",
        )
        .unwrap();
        let cpu = o.get("web", Metric::CpuUtilizationPercent).unwrap();
        assert_eq!(cpu.values().copied().collect::<Vec<_>>(), [41.5, 40.0]);
        assert_eq!(o.get("web", Metric::RunningTasks).unwrap().len(), 1);
        assert!(o.get("web", Metric::DesiredTasks).is_none());
        assert!(o.notes.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let p = problems(
            "time,service,metric,value\n\
             2026-03-02T00:00:00Z,web,cpu_utilization_percent,abc\n\
             2026-03-02T00:00:30Z,web,cpu_utilization_percent,1\n\
             2026-03-02T01:00:00+02:00,web,cpu_utilization_percent,1\n\
             2026-03-02T00:02:00Z,web,requests_per_second,-1\n\
             2026-03-02T00:03:00Z,web,running_tasks,2\n\
             2026-03-02T00:03:00Z,web,running_tasks,3\n\
             2026-03-02T00:04:00Z,web\n\
             yesterday,web,desired_tasks,1\n",
        );
        let lines: Vec<u64> = p.iter().map(|x| x.0).collect();
        assert_eq!(lines, [2, 3, 4, 5, 7, 8, 9], "{p:?}");
        assert!(p[0].1.contains("\"abc\" is not a number"));
        assert!(p[1].1.contains("not the start of a minute"));
        assert!(p[2].1.contains("not in UTC"));
        assert!(p[3].1.contains("requests_per_second = -1 is out of range; allowed 0 to 1000000000"));
        assert!(p[4].1.contains("given twice (first on line 6)"));
        assert!(p[5].1.contains("2 fields; expected 4"));
        assert!(p[6].1.contains("not an RFC 3339 instant"));
        let text =
            parse("time,service,metric,value\nx,web,cpu_utilization_percent,1\n", "o.csv").unwrap_err().to_string();
        assert_eq!(text, "o.csv:2: the time \"x\" is not an RFC 3339 instant (e.g. 2026-03-02T09:15:00Z)");
    }

    #[test]
    fn a_wrong_header_or_an_empty_file_is_refused() {
        assert_eq!(
            problems("time,svc,metric,value\n")[0],
            (1, "the header is \"time,svc,metric,value\"; expected \"time,service,metric,value\"".into())
        );
        assert_eq!(problems("")[0].0, 0);
    }

    #[test]
    fn unused_metrics_and_gaps_are_noted() {
        let o = parse(
            "time,service,metric,value\n\
             2026-03-02T00:00:00Z,web,memory_utilization_percent,50\n\
             2026-03-02T00:00:00Z,web,requests_per_second,10\n\
             2026-03-02T00:03:00Z,web,requests_per_second,10\n\
             2026-03-02T00:04:00Z,web,requests_per_second,10\n",
            "o.csv",
        )
        .unwrap();
        assert_eq!(o.notes.len(), 2, "{:?}", o.notes);
        assert!(o.notes[0].contains("\"memory_utilization_percent\" (1 rows, first on line 2) is not used"));
        // 00:00 to 00:04 is 5 minutes, 3 present: 00:01 and 00:02 missing.
        assert!(
            o.notes[1].contains("web requests_per_second: 2 of 5 minutes missing (the first at 2026-03-02T00:01:00Z)")
        );
    }
}
