//! Resource limits decided before a run starts (docs/limits.md): the memory
//! and the size of the time series a scenario needs, estimated by
//! `model::budget`, against `--max-memory` and `--max-output`.

use super::Failure;
use crate::model::budget::{self, BYTES_PER_TASK, Estimate};
use crate::scenario::Scenario;
use crate::sweep::budget::{self as sweep_budget, Shape, SweepEstimate};
use std::fmt;
use std::str::FromStr;

/// Default `--max-memory`: a run larger than this is most likely a mistake
/// (20 million tasks at once), and would not fit a laptop.
pub const DEFAULT_MAX_MEMORY: Size = Size(4_000_000_000);
/// Default `--max-output`: about 50 million rows of time series, a year of
/// a hundred services minute by minute.
pub const DEFAULT_MAX_OUTPUT: Size = Size(2_000_000_000);
/// The largest `-j`: more threads than this only queue for the same cores.
pub const MAX_JOBS: usize = 256;

/// Refuses a `-j` above [`MAX_JOBS`].
pub fn check_jobs(jobs: Option<usize>) -> Result<(), Failure> {
    match jobs {
        Some(j) if j > MAX_JOBS => Err(Failure::Input(format!(
            "-j {j} is out of range; expected 1 to {MAX_JOBS} worker threads (0 or none: one per core)"
        ))),
        _ => Ok(()),
    }
}

/// Worker threads for `runs` runs: `-j` (0 or none: one per core), never
/// more than there are runs, which would only idle.
pub fn sweep_threads(jobs: Option<usize>, runs: usize) -> usize {
    let runs = runs.max(1);
    match jobs.unwrap_or(0) {
        0 => std::thread::available_parallelism().map_or(1, usize::from).min(runs),
        j => j.min(runs),
    }
}

/// A number of bytes, written `500MB`, `2GB`, `1.5TB`, `4GiB` or plain bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Size(pub u64);

impl FromStr for Size {
    type Err = String;
    fn from_str(text: &str) -> Result<Size, String> {
        let t = text.trim();
        let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "kb" => 1e3,
            "mb" => 1e6,
            "gb" => 1e9,
            "tb" => 1e12,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
            _ => return Err(format!("\"{text}\" is not a size; expected e.g. 500MB, 2GB, 1.5TB or 4GiB")),
        };
        match number.parse::<f64>() {
            Ok(n) if n.is_finite() && n * factor < 1e18 => Ok(Size((n * factor).ceil() as u64)),
            _ => Err(format!("\"{text}\" is not a size; expected e.g. 500MB, 2GB, 1.5TB or 4GiB (below 1000PB)")),
        }
    }
}

impl fmt::Display for Size {
    /// Two significant figures in decimal units ("53 GB", "1.2 MB").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0 as f64;
        let (value, unit) = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
            .into_iter()
            .find(|(scale, _)| b >= *scale)
            .map_or((b, "bytes"), |(scale, unit)| (b / scale, unit));
        if value >= 10.0 || unit == "bytes" { write!(f, "{value:.0} {unit}") } else { write!(f, "{value:.1} {unit}") }
    }
}

/// The smallest flag value, in whole units, that lets `need` through ("60GB").
fn flag_for(need: u64) -> String {
    let gb = need.div_ceil(1_000_000_000);
    if need >= 2_000_000_000 { format!("{gb}GB") } else { format!("{}MB", need.div_ceil(1_000_000)) }
}

/// Refuses `sc` when one replication would need more memory than
/// `max_memory`, or all of `replications` would write more time series than
/// `max_output`. `what` names the run in the message ("this run").
pub fn check(sc: &Scenario, replications: u32, max_memory: Size, max_output: Size) -> Result<Estimate, Failure> {
    let e = budget::estimate(sc);
    if e.memory_bytes > max_memory.0 {
        return Err(Failure::Input(format!(
            "this run would need about {} of memory ({} tasks at once × {BYTES_PER_TASK} bytes, {} instances, \
             and the program); the limit is {max_memory}: raise it with --max-memory {}, or run fewer tasks",
            Size(e.memory_bytes),
            e.tasks,
            e.instances,
            flag_for(e.memory_bytes)
        )));
    }
    let reps = u64::from(replications);
    let written = e.timeseries_bytes.saturating_add(e.events_bytes).saturating_mul(reps);
    if written > max_output.0 {
        let mut parts = Vec::new();
        let mut advice = Vec::new();
        if e.rows > 0 {
            parts.push(format!(
                "{} of time series: {} rows of about {} bytes, {} series × {} intervals",
                Size(e.timeseries_bytes.saturating_mul(reps)),
                e.rows.saturating_mul(reps),
                e.timeseries_bytes / e.rows.max(1),
                e.series,
                e.rows / e.series.max(1),
            ));
            advice.push("set output.timeseries = false (or a longer output.timeseries_interval)");
        }
        if e.events > 0 {
            parts.push(format!(
                "{} of events: about {} events of about {} bytes",
                Size(e.events_bytes.saturating_mul(reps)),
                e.events.saturating_mul(reps),
                e.events_bytes / e.events.max(1),
            ));
            advice.push("set output.events = false");
        }
        let reps = if replications == 1 { String::new() } else { format!(", for {replications} replications") };
        return Err(Failure::Input(format!(
            "this run would write about {} ({}{reps}); the limit is {max_output}: raise it with --max-output {}, or {}",
            Size(written),
            parts.join("; "),
            flag_for(written),
            advice.join(", or ")
        )));
    }
    Ok(e)
}

/// Refuses a sweep of `shape` (`what`: "sweep", "shard", "search", "merge")
/// whose estimate (`sweep::budget`) is over `max_memory` or `max_output`.
pub fn check_sweep(what: &str, shape: &Shape, max_memory: Size, max_output: Size) -> Result<SweepEstimate, Failure> {
    let e = sweep_budget::estimate(shape);
    let columns = shape.figures + shape.axis_columns + 6;
    if e.memory_bytes > max_memory.0 {
        let threads = if shape.threads == 0 {
            String::new()
        } else {
            format!(", {} thread(s) each running up to {}", shape.threads, Size(shape.largest_run))
        };
        return Err(Failure::Input(format!(
            "this {what} would need about {} of memory ({} of figures held until runs.csv is written: {} runs × \
             {} figures × {} bytes; {} of tables built in memory{threads}); the limit is {max_memory}: \
             raise it with --max-memory {}, or run fewer configurations or replications",
            Size(e.memory_bytes),
            Size(e.held_bytes),
            shape.runs,
            shape.figures,
            sweep_budget::BYTES_PER_FIGURE,
            Size(e.table_bytes),
            flag_for(e.memory_bytes)
        )));
    }
    if e.output_bytes > max_output.0 {
        let kept = if shape.kept_bytes > 0 {
            format!("; {} of every run's time series and events (--keep-runs)", Size(shape.kept_bytes))
        } else {
            String::new()
        };
        return Err(Failure::Input(format!(
            "this {what} would write about {} ({} of runs.csv and summary.csv: {} runs × {columns} columns of about \
             {} bytes{kept}); the limit is {max_output}: raise it with --max-output {}, or run fewer configurations \
             or replications{}",
            Size(e.output_bytes),
            Size(e.table_bytes),
            shape.runs,
            sweep_budget::BYTES_PER_CELL,
            flag_for(e.output_bytes),
            if shape.kept_bytes > 0 { " (or without --keep-runs)" } else { "" }
        )));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!("2GB".parse::<Size>(), Ok(Size(2_000_000_000)));
        assert_eq!("1.5 TB".parse::<Size>(), Ok(Size(1_500_000_000_000)));
        assert_eq!("4GiB".parse::<Size>(), Ok(Size(4 * 1024 * 1024 * 1024)));
        assert_eq!("512".parse::<Size>(), Ok(Size(512)));
        assert!("lots".parse::<Size>().is_err());
        assert!("-1GB".parse::<Size>().is_err());
        assert!("1e30".parse::<Size>().is_err());
        assert_eq!(Size(53_400_000_000).to_string(), "53 GB");
        assert_eq!(Size(1_250_000).to_string(), "1.2 MB");
        assert_eq!(Size(999).to_string(), "999 bytes");
        assert_eq!(flag_for(53_400_000_000), "54GB");
        assert_eq!(flag_for(1_200_000_000), "1200MB");
    }
}
