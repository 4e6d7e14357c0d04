//! Writing results: whole directories and whole files, the CSV sinks for
//! time series and events, and flattening `summary.json` into dotted scalar
//! figures.
//!
//! A run or sweep writes into a fresh directory that replaces the previous
//! results as a whole ([`commit`]); single files are written to an exclusive
//! temporary beside them and renamed into place ([`atomic`]), so a reader
//! never sees half a file and an interrupted run leaves nothing behind.

pub mod atomic;
pub mod commit;
pub mod lock;

pub use atomic::{TempFile, replace_file, write_atomically};

/// A fresh directory for one unit test, removed with its contents on drop.
#[cfg(test)]
pub(crate) struct Scratch(pub(crate) PathBuf);

#[cfg(test)]
impl Scratch {
    pub(crate) fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ecsim-report-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

#[cfg(test)]
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
pub use commit::{CommitError, Staged, child};

use crate::engine::SimTime;
use crate::fmt::{push_f64, push_secs_millis, push_u64};
use crate::model::record::Sink;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// `summary.json` text: pretty, keys sorted, trailing newline.
pub fn summary_text(summary: &Value) -> String {
    let mut s = serde_json::to_string_pretty(summary).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// Every scalar figure of a summary with a dotted name; null stays None,
/// booleans become 0/1, strings are left out.
pub fn flatten(summary: &Value) -> BTreeMap<String, Option<f64>> {
    let mut out = BTreeMap::new();
    fn walk(prefix: &str, v: &Value, out: &mut BTreeMap<String, Option<f64>>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&key, v, out);
                }
            }
            Value::Number(n) => {
                out.insert(prefix.to_string(), n.as_f64());
            }
            Value::Null => {
                out.insert(prefix.to_string(), None);
            }
            Value::Bool(b) => {
                out.insert(prefix.to_string(), Some(if *b { 1.0 } else { 0.0 }));
            }
            Value::String(_) | Value::Array(_) => {}
        }
    }
    walk("", summary, &mut out);
    out.remove("assumptions");
    out.retain(|k, _| !k.starts_with("assumptions."));
    out
}

/// One CSV output being written to a temporary file; dropped uncommitted,
/// the temporary is removed: no partial results.
struct PendingFile {
    dest: PathBuf,
    temp: Option<TempFile>,
    writer: Option<BufWriter<File>>,
}

impl PendingFile {
    fn create(dest: PathBuf, header: &str) -> Result<PendingFile, String> {
        let mut temp = TempFile::create(&dest, "").map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
        let file = temp.take_file().ok_or_else(|| format!("cannot create {}", dest.display()))?;
        let mut writer = BufWriter::with_capacity(1 << 16, file);
        writer.write_all(header.as_bytes()).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
        Ok(PendingFile { dest, temp: Some(temp), writer: Some(writer) })
    }

    /// Flushes the file and renames it into place (once; later calls do nothing).
    fn commit(&mut self) -> Result<(), String> {
        let (Some(mut w), Some(temp)) = (self.writer.take(), self.temp.take()) else { return Ok(()) };
        let at = |e: std::io::Error| format!("cannot write {}: {e}", self.dest.display());
        w.flush().map_err(at)?;
        let file = w.into_inner().map_err(|e| at(e.into_error()))?;
        file.sync_all().map_err(at)?;
        drop(file);
        temp.persist().map_err(at)
    }
}

/// Writes `timeseries.csv` and `events.csv` into a run directory.
pub struct CsvSink {
    timeseries: Option<PendingFile>,
    events: Option<PendingFile>,
    error: Option<String>,
    line: String,
}

impl CsvSink {
    pub fn create(dir: &Path, timeseries: bool, events: bool) -> Result<CsvSink, String> {
        let ts = if timeseries {
            Some(PendingFile::create(dir.join("timeseries.csv"), "time_s,scope,name,metric,value\n")?)
        } else {
            None
        };
        let ev = if events {
            Some(PendingFile::create(dir.join("events.csv"), "time_s,kind,scope,name,detail\n")?)
        } else {
            None
        };
        Ok(CsvSink { timeseries: ts, events: ev, error: None, line: String::with_capacity(256) })
    }

    /// Finishes both files; the first write error of the run, if any, is returned instead.
    pub fn commit(&mut self) -> Result<(), String> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(f) = self.timeseries.as_mut() {
            f.commit()?;
        }
        if let Some(f) = self.events.as_mut() {
            f.commit()?;
        }
        Ok(())
    }

    fn write(&mut self, events: bool) {
        let target = if events { self.events.as_mut() } else { self.timeseries.as_mut() };
        if let Some(f) = target
            && let Some(w) = f.writer.as_mut()
            && let Err(e) = w.write_all(self.line.as_bytes())
            && self.error.is_none()
        {
            self.error = Some(format!("cannot write {}: {e}", f.dest.display()));
        }
    }
}

/// Whether a CSV field must be quoted. Bytes, not chars: the four are ASCII,
/// which no multi-byte UTF-8 sequence contains. A fold rather than `any`: the
/// answer is almost always no, and a loop without an early exit vectorises.
fn needs_quotes(field: &[u8]) -> bool {
    field.iter().fold(false, |quote, &b| quote | matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// Quotes a CSV field when it needs it.
fn push_field(out: &mut String, field: &str) {
    if needs_quotes(field.as_bytes()) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

impl Sink for CsvSink {
    fn wants_rows(&self) -> bool {
        self.timeseries.is_some()
    }
    fn wants_events(&self) -> bool {
        self.events.is_some()
    }
    fn row(&mut self, time_s: u64, scope: &str, name: &str, metric: &str, value: f64) {
        self.line.clear();
        push_u64(&mut self.line, time_s);
        self.line.push(',');
        self.line.push_str(scope);
        self.line.push(',');
        push_field(&mut self.line, name);
        self.line.push(',');
        self.line.push_str(metric);
        self.line.push(',');
        push_f64(&mut self.line, value);
        self.line.push('\n');
        self.write(false);
    }
    fn event(&mut self, time: SimTime, kind: &str, scope: &str, name: &str, detail: fmt::Arguments<'_>) {
        use fmt::Write as _;
        self.line.clear();
        push_secs_millis(&mut self.line, time.as_millis());
        for field in [",", kind, ",", scope, ","] {
            self.line.push_str(field);
        }
        push_field(&mut self.line, name);
        self.line.push(',');
        // Written in place; quoted afterwards in the rare case it needs it.
        let start = self.line.len();
        match detail.as_str() {
            Some(text) => self.line.push_str(text),
            None => {
                let _ = self.line.write_fmt(detail);
            }
        }
        if needs_quotes(&self.line.as_bytes()[start..]) {
            let detail = self.line.split_off(start);
            push_field(&mut self.line, &detail);
        }
        self.line.push('\n');
        self.write(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_names_figures_with_dots() {
        let v: Value = serde_json::json!({"cost": {"total_usd": 1.5, "by_provider": {"FARGATE": 1.5}}, "latency": {"p99_ms": null}, "scenario": "x", "assumptions": {"a": "b"}});
        let f = flatten(&v);
        assert_eq!(f.get("cost.total_usd"), Some(&Some(1.5)));
        assert_eq!(f.get("cost.by_provider.FARGATE"), Some(&Some(1.5)));
        assert_eq!(f.get("latency.p99_ms"), Some(&None));
        assert!(!f.contains_key("scenario"));
        assert!(!f.keys().any(|k| k.starts_with("assumptions")));
    }

    /// The time column is written without the formatter, in `SimTime`'s own digits.
    #[test]
    fn event_times_print_as_sim_time_displays_them() {
        for ms in [0, 7, 999, 1_000, 80_000, 10_050, 2_592_000_000, u64::MAX] {
            let mut s = String::new();
            push_secs_millis(&mut s, ms);
            assert_eq!(s, crate::engine::SimTime::from_millis(ms).to_string());
        }
    }

    #[test]
    fn each_of_the_four_bytes_anywhere_in_a_long_field_needs_quotes() {
        let plain = "task 123 failed its load balancer health checks under load: out of rotation";
        assert!(!needs_quotes(plain.as_bytes()));
        for special in [b',', b'"', b'\n', b'\r'] {
            for at in [0, 1, 31, 32, plain.len() - 1] {
                let mut field = plain.as_bytes().to_vec();
                field[at] = special;
                assert!(needs_quotes(&field), "{special} at {at}");
            }
        }
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        let mut s = String::new();
        push_field(&mut s, "a,b \"c\"");
        assert_eq!(s, "\"a,b \"\"c\"\"\"");
    }

    #[test]
    fn uncommitted_files_leave_nothing() {
        let dir = std::env::temp_dir().join(format!("ecsim-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        {
            let mut sink = CsvSink::create(&dir, true, true).unwrap();
            sink.row(0, "cluster", "prod", "tasks", 3.0);
        }
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
        let mut sink = CsvSink::create(&dir, true, false).unwrap();
        sink.row(60, "service", "web", "desired", 4.0);
        sink.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("timeseries.csv")).unwrap(),
            "time_s,scope,name,metric,value\n60,service,web,desired,4\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
