//! Writing results: atomic files, the CSV sinks for time series and events,
//! and flattening `summary.json` into dotted scalar figures.
//!
//! Every output is written to a temporary file in the same directory and
//! renamed into place, so a reader never sees half a file and an
//! interrupted run leaves nothing behind.

use crate::engine::SimTime;
use crate::fmt::{push_f64, push_u64};
use crate::model::record::Sink;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A temporary path beside `path`, unique to this process.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

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

/// One CSV output being written to a temporary file.
struct PendingFile {
    tmp: PathBuf,
    dest: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl PendingFile {
    fn create(dest: PathBuf, header: &str) -> Result<PendingFile, String> {
        let tmp = temp_path(&dest);
        let file = File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        let mut writer = BufWriter::with_capacity(1 << 16, file);
        writer.write_all(header.as_bytes()).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        Ok(PendingFile { tmp, dest, writer: Some(writer) })
    }

    fn commit(&mut self) -> Result<(), String> {
        let Some(mut w) = self.writer.take() else { return Ok(()) };
        w.flush().map_err(|e| format!("cannot write {}: {e}", self.tmp.display()))?;
        let file = w.into_inner().map_err(|e| format!("cannot write {}: {e}", self.tmp.display()))?;
        file.sync_all().map_err(|e| format!("cannot write {}: {e}", self.tmp.display()))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| format!("cannot write {}: {e}", self.dest.display()))
    }
}

impl Drop for PendingFile {
    /// An uncommitted file is removed: no partial results.
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
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
            self.error = Some(format!("cannot write {}: {e}", f.tmp.display()));
        }
    }
}

/// Quotes a CSV field when it needs it.
fn push_field(out: &mut String, field: &str) {
    // Bytes, not chars: the four are ASCII, which no multi-byte UTF-8 sequence contains.
    if field.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
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
        let _ = write!(self.line, "{time},{kind},{scope},");
        push_field(&mut self.line, name);
        self.line.push(',');
        // Written in place; quoted afterwards in the rare case it needs it.
        let start = self.line.len();
        let _ = self.line.write_fmt(detail);
        if self.line.as_bytes()[start..].iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
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
