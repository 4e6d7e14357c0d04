//! Helpers shared by the integration tests.

use ecsim::engine::SimTime;
use ecsim::model::record::NullSink;
use ecsim::model::{RunOptions, Simulation, simulate};
use ecsim::scenario::{Scenario, load_str};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Parses scenario text (relative paths start in tests/fixtures).
pub fn scenario(text: &str) -> Scenario {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    match load_str(text, "test.toml", &base) {
        Ok(s) => s,
        Err(d) => panic!("scenario does not load:\n{d}"),
    }
}

pub fn opts() -> RunOptions {
    RunOptions { check_invariants: true, ..RunOptions::default() }
}

/// Runs a scenario (replication 0) with invariant checks and returns summary.json.
pub fn run(sc: &Scenario) -> Value {
    match simulate(sc, 0, opts(), Box::new(NullSink)) {
        Ok(o) => o.summary,
        Err(e) => panic!("run failed: {e}"),
    }
}

/// A simulation stopped at `t` seconds, for inspecting the world.
pub fn world_at(sc: &Scenario, t_s: u64) -> Simulation<'_> {
    let mut sim = Simulation::new(sc, 0, opts(), Box::new(NullSink));
    if let Err(e) = sim.run_until(SimTime::from_secs(t_s)) {
        panic!("run failed: {e}");
    }
    sim
}

/// A figure of summary.json by dotted path.
pub fn fig(v: &Value, path: &str) -> f64 {
    let mut cur = v;
    for k in path.split('.') {
        cur = cur.get(k).unwrap_or_else(|| panic!("no figure {path} (stuck at {k})"));
    }
    cur.as_f64().unwrap_or_else(|| panic!("{path} is not a number: {cur}"))
}

pub fn close(actual: f64, expected: f64, rel: f64) -> bool {
    (actual - expected).abs() <= rel * expected.abs().max(1e-12)
}

#[macro_export]
macro_rules! assert_close {
    ($actual:expr, $expected:expr, $rel:expr) => {{
        let (a, e): (f64, f64) = ($actual, $expected);
        assert!(
            $crate::common::close(a, e, $rel),
            "{} = {a}, expected {e} (relative tolerance {})",
            stringify!($actual),
            $rel
        );
    }};
}

/// `[simulation]` + one zone-per-letter region, ready to append providers and services to.
pub fn header(duration: &str, zones: &[&str]) -> String {
    let zones: Vec<String> = zones.iter().map(|z| format!("\"us-east-1{z}\"")).collect();
    format!(
        "[simulation]\nname = \"t\"\nstart = \"2026-03-02T00:00:00Z\"\nduration = \"{duration}\"\nseed = 1\n\n[region]\nname = \"us-east-1\"\navailability_zones = [{}]\n\n",
        zones.join(", ")
    )
}

/// Rows and events kept in memory.
#[derive(Default, Clone)]
pub struct Captured {
    pub rows: Vec<(u64, String, String, String, f64)>,
    pub events: Vec<(f64, String, String, String, String)>,
}

struct CaptureSink(std::sync::Arc<std::sync::Mutex<Captured>>);

impl ecsim::model::record::Sink for CaptureSink {
    fn wants_rows(&self) -> bool {
        true
    }
    fn wants_events(&self) -> bool {
        true
    }
    fn row(&mut self, time_s: u64, scope: &str, name: &str, metric: &str, value: f64) {
        self.0.lock().unwrap().rows.push((time_s, scope.into(), name.into(), metric.into(), value));
    }
    fn event(&mut self, time: SimTime, kind: &str, scope: &str, name: &str, detail: std::fmt::Arguments<'_>) {
        self.0.lock().unwrap().events.push((
            time.as_secs_f64(),
            kind.into(),
            scope.into(),
            name.into(),
            detail.to_string(),
        ));
    }
}

/// Runs a scenario keeping its time series and events.
pub fn run_captured(sc: &Scenario) -> (Value, Captured) {
    let shared = std::sync::Arc::new(std::sync::Mutex::new(Captured::default()));
    let out =
        simulate(sc, 0, opts(), Box::new(CaptureSink(shared.clone()))).unwrap_or_else(|e| panic!("run failed: {e}"));
    let captured = shared.lock().unwrap().clone();
    (out.summary, captured)
}

impl Captured {
    /// A series as (time_s, value) pairs.
    pub fn series(&self, scope: &str, name: &str, metric: &str) -> Vec<(u64, f64)> {
        self.rows.iter().filter(|r| r.1 == scope && r.2 == name && r.3 == metric).map(|r| (r.0, r.4)).collect()
    }
}

/// Runs the built `ecsim` binary from the repository root.
pub fn ecsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ecsim runs")
}

/// A fresh, empty directory under the system's temporary directory, removed with
/// everything in it when dropped, so also when a test fails. The name holds the
/// process id and a per-process counter, so tests running in parallel (or two
/// test binaries at once) never share one.
pub struct TempDir(PathBuf);

impl TempDir {
    /// `name` only helps a reader find the directory of a test that hangs.
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ecsim-it-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    /// The path as a command-line argument.
    pub fn arg(&self) -> &str {
        self.0.to_str().unwrap_or_else(|| panic!("{} is not UTF-8", self.0.display()))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
