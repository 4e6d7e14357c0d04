//! Replayed arrival-rate traces: a CSV with a time column (seconds from the
//! start, or RFC 3339 instants) and a rate column (requests per second).

use super::types::Trace;
use crate::calendar::{Calendar, parse_instant};
use crate::engine::SimDuration;
use std::path::Path;

/// The largest trace accepted: a year of one-second rows is 31.5 M; anything
/// bigger is a mistake or belongs in a coarser file.
const MAX_ROWS: usize = 40_000_000;

/// The largest trace file read, in bytes: 40 M rows of a time and a rate
/// fit in about 1 GB. Checked while reading, so a device or a pipe that
/// never ends (`/dev/zero`) is refused too.
pub const MAX_TRACE_BYTES: u64 = 1 << 30;

/// The longest line read: a row is a time and a few numbers.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The largest rate (or price) a trace may give once scaled, the bound of
/// every rate written in a scenario: beyond it sums over a long run stop
/// being finite.
pub const MAX_VALUE: f64 = 1.0e9;

/// A reader that fails once the file passes [`MAX_TRACE_BYTES`] or a line
/// passes [`MAX_LINE_BYTES`], before the CSV reader buffers it whole.
struct Bounded<R> {
    inner: R,
    read: u64,
    line: usize,
}

impl<R: std::io::Read> std::io::Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_TRACE_BYTES {
            return Err(std::io::Error::other(format!(
                "the file is larger than {MAX_TRACE_BYTES} bytes; aggregate it to a coarser step"
            )));
        }
        for &b in &buf[..n] {
            self.line = if b == b'\n' { 0 } else { self.line + 1 };
            if self.line > MAX_LINE_BYTES {
                return Err(std::io::Error::other(format!(
                    "a line is longer than {MAX_LINE_BYTES} bytes (is this a CSV file?)"
                )));
            }
        }
        Ok(n)
    }
}

/// Loads and checks a trace. Errors name the file and the CSV line.
pub fn load_trace(
    path: &Path,
    time_column: &str,
    value_column: &str,
    scale: f64,
    linear: bool,
    cal: &Calendar,
    horizon: SimDuration,
) -> Result<Trace, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read trace {shown}: {e}"))?;
    let bounded = Bounded { inner: std::io::BufReader::new(file), read: 0, line: 0 };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bounded);
    let headers = reader.headers().map_err(|e| format!("trace {shown}: {e}"))?.clone();
    let find = |name: &str| {
        let mut at = headers.iter().enumerate().filter(|(_, h)| *h == name).map(|(i, _)| i);
        match (at.next(), at.next()) {
            (Some(i), None) => Ok(i),
            (Some(i), Some(j)) => Err(format!(
                "trace {shown} has more than one column \"{name}\" (columns {} and {}); rename or remove one",
                i + 1,
                j + 1
            )),
            (None, _) => {
                let cols: Vec<&str> = headers.iter().collect();
                Err(format!("trace {shown} has no column \"{name}\" (columns: {})", cols.join(", ")))
            }
        }
    };
    let (ti, vi) = (find(time_column)?, find(value_column)?);
    let mut times: Vec<u64> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    let mut before_start: Option<f64> = None;
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| format!("trace {shown}, line {line}: {e}"))?;
        if times.len() >= MAX_ROWS {
            return Err(format!("trace {shown} has more than {MAX_ROWS} rows; aggregate it to a coarser step"));
        }
        let t_text = record.get(ti).unwrap_or("");
        let v_text = record.get(vi).unwrap_or("");
        let t_ms = if let Ok(secs) = t_text.parse::<f64>() {
            if !secs.is_finite() || secs < 0.0 {
                return Err(format!(
                    "trace {shown}, line {line}: time {t_text} must be a non-negative number of seconds"
                ));
            }
            SimDuration::from_secs_f64(secs).as_millis()
        } else {
            let ts = parse_instant(t_text).map_err(|_| {
                format!("trace {shown}, line {line}: time \"{t_text}\" is neither seconds from the start nor an RFC 3339 instant")
            })?;
            match cal.offset_of(ts) {
                Some(ms) => ms,
                // A row before the start only matters as the value in force at the start.
                None => {
                    if !times.is_empty() {
                        return Err(format!(
                            "trace {shown}, line {line}: times must increase strictly (this row is not after the previous one)"
                        ));
                    }
                    before_start = Some(parse_rate(v_text, scale, &shown, line)?);
                    continue;
                }
            }
        };
        let v = parse_rate(v_text, scale, &shown, line)?;
        if times.is_empty()
            && t_ms > 0
            && let Some(v0) = before_start.take()
        {
            times.push(0);
            values.push(v0);
        }
        if let Some(&prev) = times.last()
            && t_ms <= prev
        {
            return Err(format!(
                "trace {shown}, line {line}: times must increase strictly (this row is not after the previous one)"
            ));
        }
        times.push(t_ms);
        values.push(v);
    }
    if times.is_empty()
        && let Some(v0) = before_start
    {
        times.push(0);
        values.push(v0);
    }
    if times.is_empty() {
        return Err(format!("trace {shown} has no data rows"));
    }
    if times[0] > horizon.as_millis() {
        return Err(format!("trace {shown} starts after the end of the simulation"));
    }
    Ok(Trace { times, values, linear })
}

/// A row's value times the trace's scale, within `0..=MAX_VALUE`.
fn parse_rate(text: &str, scale: f64, shown: &std::path::Display<'_>, line: usize) -> Result<f64, String> {
    let v: f64 = text.parse().map_err(|_| format!("trace {shown}, line {line}: rate \"{text}\" is not a number"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("trace {shown}, line {line}: rate {text} must be a non-negative finite number"));
    }
    let scaled = v * scale;
    if scaled > MAX_VALUE {
        let times = if scale == 1.0 { String::new() } else { format!(" times scale {}", crate::fmt::fmt_f64(scale)) };
        return Err(format!(
            "trace {shown}, line {line}: rate {text}{times} is out of range; a trace value, scaled, may be at most {}",
            crate::fmt::fmt_f64(MAX_VALUE)
        ));
    }
    Ok(scaled)
}

impl Trace {
    /// The rate at `t_ms`: before the first row the first value, after the
    /// last the last value; between rows held (step) or interpolated (linear).
    pub fn rate_at(&self, t_ms: u64) -> f64 {
        let i = self.times.partition_point(|&t| t <= t_ms);
        if i == 0 {
            return self.values[0];
        }
        if i == self.times.len() || !self.linear {
            return self.values[i - 1];
        }
        let (t0, t1) = (self.times[i - 1] as f64, self.times[i] as f64);
        let (v0, v1) = (self.values[i - 1], self.values[i]);
        v0 + (v1 - v0) * (t_ms as f64 - t0) / (t1 - t0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_instant;

    fn write(name: &str, body: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ecsim-trace-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.csv");
        std::fs::write(&p, body).unwrap();
        p
    }

    fn cal() -> Calendar {
        Calendar::new(parse_instant("2026-03-02T00:00:00Z").unwrap())
    }

    fn load(p: &Path, linear: bool) -> Result<Trace, String> {
        load_trace(p, "time_s", "rps", 2.0, linear, &cal(), SimDuration::from_hours(48))
    }

    #[test]
    fn step_and_linear() {
        let p = write("ok", "time_s,rps\n0,2\n100,6\n");
        let step = load(&p, false).unwrap();
        assert_eq!(step.rate_at(50_000), 4.0);
        assert_eq!(step.rate_at(100_000), 12.0);
        assert_eq!(step.rate_at(900_000), 12.0);
        let lin = load(&p, true).unwrap();
        assert_eq!(lin.rate_at(50_000), 8.0);
    }

    #[test]
    fn rfc3339_times() {
        let p = write("rfc", "time_s,rps\n2026-03-02T00:00:00Z,1\n2026-03-02T01:00:00Z,3\n");
        let t = load(&p, false).unwrap();
        assert_eq!(t.times, vec![0, 3_600_000]);
    }

    #[test]
    fn rows_before_the_start_give_the_opening_value() {
        let p = write("before", "time_s,rps\n2026-03-01T23:00:00Z,5\n2026-03-01T23:30:00Z,7\n2026-03-02T01:00:00Z,3\n");
        let t = load(&p, false).unwrap();
        assert_eq!(t.times, vec![0, 3_600_000]);
        assert_eq!(t.values, vec![14.0, 6.0]);
    }

    #[test]
    fn bad_traces_are_refused_with_the_line() {
        let missing = load(Path::new("/nonexistent/trace.csv"), false).unwrap_err();
        assert!(missing.contains("cannot read trace"), "{missing}");
        assert!(load(&write("empty", "time_s,rps\n"), false).unwrap_err().contains("no data rows"));
        assert!(load(&write("unsorted", "time_s,rps\n10,1\n5,1\n"), false).unwrap_err().contains("line 3"));
        assert!(load(&write("nan", "time_s,rps\n0,abc\n"), false).unwrap_err().contains("not a number"));
        assert!(load(&write("neg", "time_s,rps\n0,-1\n"), false).unwrap_err().contains("non-negative"));
        assert!(load(&write("col", "t,rps\n0,1\n"), false).unwrap_err().contains("no column \"time_s\""));
    }
}
