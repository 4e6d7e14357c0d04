//! Long horizons and interruptions: a year of the quickstart without drift,
//! and Ctrl-C leaving nothing behind.

use crate::assert_close;
use crate::common::{TempDir, fig, run_captured, scenario};
use std::process::Command;
use std::time::{Duration, Instant};

fn quickstart_for(duration: &str) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml")).unwrap();
    text.replace("duration = \"1d\"", &format!("duration = \"{duration}\""))
        + "\n[output]\ntimeseries_interval = \"1h\"\n"
}

#[test]
fn a_year_of_the_quickstart_adds_up_without_drift() {
    let (s, captured) = run_captured(&scenario(&quickstart_for("365d")));
    let demand = captured.series("cluster", "default", "demand_rps");
    assert_eq!(demand.len(), 365 * 24, "one row per hour");
    // Hourly means of per-minute rates, times an hour, add up to the run's offered requests.
    let offered: f64 = demand.iter().map(|(_, v)| v * 3600.0).sum();
    assert_close!(offered, fig(&s, "requests.total"), 1e-9);
    let served: f64 = captured.series("cluster", "default", "served_rps").iter().map(|(_, v)| v * 3600.0).sum();
    assert_close!(served, fig(&s, "requests.served"), 1e-9);
    let cumulative = captured.series("cluster", "default", "cost_usd_cumulative");
    assert_close!(cumulative.last().unwrap().1, fig(&s, "cost.total_usd"), 1e-9);
    assert!(cumulative.windows(2).all(|w| w[1].1 >= w[0].1), "cumulative cost never decreases");
    let per_hour: f64 = captured.series("cluster", "default", "cost_usd_per_hour").iter().map(|(_, v)| v).sum();
    assert_close!(per_hour, fig(&s, "cost.total_usd"), 1e-9);
}

#[test]
fn ctrl_c_stops_a_run_and_leaves_no_partial_files() {
    let dir = TempDir::new("sigint");
    let scenario_file = dir.join("long.toml");
    std::fs::write(
        &scenario_file,
        quickstart_for("3650d")
            .replace("[output]\ntimeseries_interval = \"1h\"", "[output]\ntimeseries_interval = \"1m\""),
    )
    .unwrap();
    let out = dir.join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        // Ten years minute by minute is over the default output limit: raised, as a user would.
        .args(["run", scenario_file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--max-output", "1TB"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is writing into its fresh directory (out.tmp-<pid>-<random>), then interrupt it.
    let started = Instant::now();
    let writing = || {
        std::fs::read_dir(dir.path()).unwrap().flatten().any(|e| {
            e.file_name().to_string_lossy().starts_with("out.tmp-")
                && std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some())
        })
    };
    while !writing() {
        assert!(started.elapsed() < Duration::from_secs(30), "the run never started writing");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing was kept; nothing was written to"));
    // Only the scenario file: no results, no fresh directory, no lock.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["long.toml"], "files left after Ctrl-C");
}
