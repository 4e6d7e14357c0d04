//! `ecsim calibrate` and `ecsim run --observed` end to end, on the built
//! binary: a run's own minutes, written as observed.csv, give back the
//! scenario's true cpu_per_request and baseline, and replay against
//! themselves with no error.

use crate::common::ecsim;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-it-{}-calibrate-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One Fargate service, 4 tasks of 0.5 vCPU, no auto scaling, a diurnal load
/// with noise (so the per-task rate spans 10 to 75 requests/s), and a manual
/// scale to 6 tasks at 14:00 (so some minutes see tasks start). True values:
/// cpu_per_request 5 ms, baseline 4%: cpu% = 4 + 100 × 0.005 / 0.5 × λ = 4 + λ.
const SCENARIO: &str = r#"# Round trip of ecsim calibrate.
[simulation]
name = "roundtrip"
start = "2026-03-02T00:00:00Z"
duration = "1d"
seed = 3

[[capacity_providers]]
name = "FARGATE"
kind = "fargate"

[[task_definitions]]
family = "web"
cpu = 512
memory = 1024
network_mode = "awsvpc"

[[services]]
name = "web"
task_definition = "web"
desired_count = 4

[services.workload]
rate = { pattern = "diurnal", base = 40, peak = 300, peak_at = "14:00", noise = 0.1 }
# What one request costs.
cpu_per_request = "5ms"   # measured by hand
baseline_cpu_percent = 4

[[events]]
at = "14:00"
kind = "set_desired_count"
service = "web"
desired_count = 6
"#;

/// The run's own minutes as observed.csv: the time series' service rows under
/// the names CloudWatch's metrics take (docs/calibration.md).
fn observed_from_run(dir: &Path) -> String {
    observed_from_run_with(dir, |_, _, v| Some(v))
}

/// The same, with `change(minute, metric, value)` altering or dropping values.
fn observed_from_run_with(dir: &Path, change: impl Fn(u64, &str, f64) -> Option<f64>) -> String {
    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let start: jiff::Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let mut out = String::from("time,service,metric,value\n");
    for line in ts.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let metric = match f[3] {
            "demand_rps" => "requests_per_second",
            "cpu_percent" => "cpu_utilization_percent",
            "running" => "running_tasks",
            "desired" => "desired_tasks",
            _ => continue,
        };
        if f[1] != "service" {
            continue;
        }
        let time_s: u64 = f[0].parse().unwrap();
        let Some(value) = change(time_s / 60, metric, f[4].parse().unwrap()) else { continue };
        let t = start + jiff::SignedDuration::from_secs(time_s as i64);
        writeln!(out, "{t},{},{metric},{value}", f[2]).unwrap();
    }
    out
}

fn run_roundtrip(dir: &Path) -> PathBuf {
    let scenario = dir.join("roundtrip.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.join("run");
    let o = ecsim(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let observed = dir.join("observed.csv");
    std::fs::write(&observed, observed_from_run(&out)).unwrap();
    observed
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs `ecsim calibrate SCENARIO OBSERVED --out OUT`, which must succeed
/// and write OUT/scenario.toml and OUT/calibration.json only; returns the
/// report and what it printed.
fn calibrate(scenario: &Path, observed: &Path, out: &Path) -> (Value, String) {
    let arg = |p: &Path| p.to_str().unwrap().to_string();
    let o = ecsim(&["calibrate", &arg(scenario), &arg(observed), "--out", &arg(out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names: Vec<String> =
        std::fs::read_dir(out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["calibration.json", "scenario.toml"]);
    (read_json(&out.join("calibration.json")), String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn calibration_gives_back_the_true_cpu_per_request() {
    let dir = temp_dir("roundtrip");
    let observed = run_roundtrip(&dir);
    // A copy with wrong values.
    let wrong = dir.join("wrong.toml");
    let wrong_text = SCENARIO
        .replace("cpu_per_request = \"5ms\"", "cpu_per_request = \"9ms\"")
        .replace("baseline_cpu_percent = 4", "baseline_cpu_percent = 0");
    std::fs::write(&wrong, &wrong_text).unwrap();
    let calibrated_dir = dir.join("calibrated");
    let (r, _) = calibrate(&wrong, &observed, &calibrated_dir);
    let calibrated = calibrated_dir.join("scenario.toml");
    let web = &r["services"]["web"];
    let cpr = web["cpu_per_request_ms"].as_f64().unwrap();
    let baseline = web["baseline_cpu_percent"].as_f64().unwrap();
    assert!((cpr - 5.0).abs() <= 0.02 * 5.0, "cpu_per_request {cpr} ms, expected 5 ms within 2%\n{r:#}");
    assert!((baseline - 4.0).abs() <= 0.2, "baseline {baseline}%, expected 4%\n{r:#}");
    assert_eq!(web["flagged"], false);
    assert!(web["r2"].as_f64().unwrap() > 0.99, "{r:#}");
    // The minutes in which tasks started are left out, the rest used.
    assert!(web["points_excluded"]["tasks_changed"].as_u64().unwrap() >= 1, "{r:#}");
    assert!(web["points_used"].as_u64().unwrap() > 1300, "{r:#}");
    assert!(web["cpu_per_request_ms_se"].as_f64().unwrap() < 0.01 * cpr, "{r:#}");
    assert_eq!(web["previous_cpu_per_request_ms"], 9.0);
    // The calibrated copy: the fitted values, the user's comments kept, and valid.
    let text = std::fs::read_to_string(&calibrated).unwrap();
    assert!(text.contains("# What one request costs.\n# ecsim calibrate: ± "), "{text}");
    assert!(text.contains("was \"9ms\"\ncpu_per_request = \"5"), "{text}");
    assert!(text.contains("ms\"   # measured by hand\n"), "{text}");
    assert!(text.contains("# Round trip of ecsim calibrate.\n"), "{text}");
    let o = ecsim(&["validate", calibrated.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sc = ecsim::scenario::load(&calibrated).unwrap();
    assert!((sc.services[0].workload.cpu_per_request_s - 0.005).abs() <= 0.0001);
    // The scenario itself is never overwritten: neither as --out, nor inside the directory replaced.
    let (wrong_arg, observed_arg) = (wrong.to_str().unwrap(), observed.to_str().unwrap());
    for out in [wrong_arg, dir.to_str().unwrap()] {
        let o = ecsim(&["calibrate", wrong_arg, observed_arg, "--out", out]);
        assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(std::fs::read_to_string(&wrong).unwrap(), wrong_text);
    // The report is in the directory, never a separate file that could be left behind.
    let o = ecsim(&["calibrate", wrong_arg, observed_arg, "--out", "elsewhere", "--report", "r.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("elsewhere/calibration.json"));
}

/// A re-calibration replaces the directory whole: a failed one (a bad
/// observed file) leaves the previous scenario and fit byte-identical, and a
/// foreign file in the directory stops it before anything is replaced.
#[test]
fn a_calibration_is_committed_whole() {
    let dir = temp_dir("whole");
    let observed = run_roundtrip(&dir);
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.join("calibrated");
    calibrate(&scenario, &observed, &out);
    let before =
        (std::fs::read(out.join("scenario.toml")).unwrap(), std::fs::read(out.join("calibration.json")).unwrap());
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "time,service,metric,value\n2026-03-02T00:00:00Z,web,cpu_utilization_percent,high\n").unwrap();
    let o = ecsim(&["calibrate", scenario.to_str().unwrap(), bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let after =
        (std::fs::read(out.join("scenario.toml")).unwrap(), std::fs::read(out.join("calibration.json")).unwrap());
    assert!(before == after, "the previous calibration is untouched");
    let beside: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(beside.iter().all(|n| !n.contains(".tmp-") && !n.ends_with(".lock")), "{beside:?}");
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o =
        ecsim(&["calibrate", scenario.to_str().unwrap(), observed.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds `notes.txt`, which ecsim does not write"));
    assert_eq!(std::fs::read(out.join("scenario.toml")).unwrap(), before.0);
}

/// Real minutes are not all on the line: one in 20 has a CPU spike to 95%
/// (a pause, a cron job in the container), and one in 7 is missing. The
/// median of slopes still gives cpu_per_request within 2%; R² drops with the
/// spikes but stays above 0.5.
#[test]
fn calibration_is_robust_to_outliers_and_missing_minutes() {
    let dir = temp_dir("robust");
    run_roundtrip(&dir);
    let noisy = observed_from_run_with(&dir.join("run"), |minute, metric, v| match (minute % 7, minute % 20, metric) {
        (0, _, _) => None,
        (_, 3, "cpu_utilization_percent") => Some(95.0),
        _ => Some(v),
    });
    std::fs::write(dir.join("noisy.csv"), noisy).unwrap();
    let wrong = dir.join("wrong.toml");
    std::fs::write(&wrong, SCENARIO.replace("cpu_per_request = \"5ms\"", "cpu_per_request = \"2ms\"")).unwrap();
    let (r, _) = calibrate(&wrong, &dir.join("noisy.csv"), &dir.join("calibrated"));
    let web = &r["services"]["web"];
    let cpr = web["cpu_per_request_ms"].as_f64().unwrap();
    assert!((cpr - 5.0).abs() <= 0.02 * 5.0, "cpu_per_request {cpr} ms, expected 5 ms within 2%\n{r:#}");
    assert!((web["baseline_cpu_percent"].as_f64().unwrap() - 4.0).abs() <= 0.5, "{r:#}");
    let r2 = web["r2"].as_f64().unwrap();
    assert!((0.5..0.99).contains(&r2), "{r:#}");
    assert_eq!(web["flagged"], false);
    // A missing minute also removes the next one (no running count before it).
    assert!(web["points_excluded"]["incomplete"].as_u64().unwrap() > 1440 / 7, "{r:#}");
}

/// CPU that ignores requests (it cycles 20, 35, 50, 65, 80% whatever the load):
/// R² far below 0.5, so the service is flagged and keeps its values.
#[test]
fn a_service_whose_cpu_does_not_follow_requests_is_flagged() {
    let dir = temp_dir("flagged");
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let mut csv = String::from("time,service,metric,value\n");
    let start: jiff::Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    for m in 0..120i64 {
        let t = start + jiff::SignedDuration::from_secs(m * 60);
        let rps = 40.0 + (m % 17) as f64 * 10.0;
        let cpu = 20.0 + (m % 5) as f64 * 15.0;
        writeln!(
            csv,
            "{t},web,requests_per_second,{rps}\n{t},web,running_tasks,4\n{t},web,cpu_utilization_percent,{cpu}"
        )
        .unwrap();
    }
    std::fs::write(dir.join("o.csv"), csv).unwrap();
    let out = dir.join("out");
    let (report, stdout) = calibrate(&scenario, &dir.join("o.csv"), &out);
    assert!(stdout.contains("FLAGGED"), "{stdout}");
    let web = &report["services"]["web"];
    assert_eq!(web["flagged"], true);
    assert!(web["r2"].as_f64().unwrap() < 0.5);
    assert!(web["messages"][0].as_str().unwrap().starts_with("CPU does not follow requests: R² = "), "{web}");
    // 120 minutes, the first without a minute before it.
    assert_eq!(web["points_used"], 119);
    // Kept: the calibrated copy is the scenario unchanged.
    assert_eq!(std::fs::read_to_string(out.join("scenario.toml")).unwrap(), SCENARIO);
}

#[test]
fn bad_observed_files_are_refused_with_their_line() {
    let dir = temp_dir("bad");
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "time,service,metric,value\n2026-03-02T00:00:00Z,web,cpu_utilization_percent,high\n").unwrap();
    let out = dir.join("out");
    let o = ecsim(&["calibrate", scenario.to_str().unwrap(), bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("bad.csv:2: the value \"high\" is not a number"), "{stderr}");
    assert!(!out.exists(), "nothing written");
    let o = ecsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--observed",
        bad.to_str().unwrap(),
        "--out",
        dir.join("r").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.join("r").join("summary.json").exists(), "the run does not start");
}

/// A run replayed against its own minutes: every error is exactly 0 and the
/// scale counts agree (one scale-out: the manual 4 → 6 at 14:00).
#[test]
fn a_run_replayed_against_its_own_minutes_has_no_error() {
    let dir = temp_dir("replay");
    let observed = run_roundtrip(&dir);
    let out = dir.join("replay");
    let o = ecsim(&[
        "run",
        dir.join("roundtrip.toml").to_str().unwrap(),
        "--observed",
        observed.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--charts",
        "--format",
        "svg",
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = read_json(&out.join("observed-vs-simulated.json"));
    let web = &r["services"]["web"];
    for m in ["running_tasks", "desired_tasks", "cpu_utilization_percent"] {
        assert_eq!(web[m]["minutes"], 1440, "{m}: {r:#}");
        assert_eq!(web[m]["mae"], 0.0, "{m}");
        assert_eq!(web[m]["mape_percent"], 0.0, "{m}");
    }
    assert_eq!(web["scale_outs"], serde_json::json!({"observed": 1, "simulated": 1}));
    assert_eq!(web["scale_ins"], serde_json::json!({"observed": 0, "simulated": 0}));
    assert!(out.join("charts/replay-web.svg").is_file());
}
