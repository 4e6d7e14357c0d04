//! The real binary: exit codes, error messages, outputs, determinism.

use crate::common::{TempDir, ecsim};
use std::path::Path;
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn quickstart_runs_and_writes_the_three_outputs() {
    let out = TempDir::new("quickstart");
    let o = ecsim(&["run", "scenarios/quickstart.toml", "--out", out.arg(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["summary.json", "timeseries.csv", "events.csv", "scenario.toml"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(ts.starts_with("time_s,scope,name,metric,value\n"));
    let ev = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(ev.starts_with("time_s,kind,scope,name,detail\n"));
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Without --quiet the short summary is the command's output, on stdout.
    let o = ecsim(&["run", "scenarios/quickstart.toml", "--out", out.arg()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("quickstart (seed 7, 1d, replication 0)\n  cost           $"), "{text}");
    assert!(text.contains("  results        "), "{text}");
}

#[test]
fn same_scenario_and_seed_give_byte_identical_outputs() {
    let (a, b) = (TempDir::new("det-a"), TempDir::new("det-b"));
    for dir in [&a, &b] {
        let o = ecsim(&["run", "scenarios/reference.toml", "--out", dir.arg(), "--quiet"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in ["summary.json", "timeseries.csv", "events.csv"] {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between two runs");
    }
    // The summary keys the output contract promises, overall and per service.
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("summary.json")).unwrap()).unwrap();
    let at = |path: &str| path.split('.').try_fold(&summary, |v, k| v.get(k)).cloned();
    assert_eq!(at("scenario").and_then(|v| v.as_str().map(String::from)).as_deref(), Some("reference"));
    let mut numbers: Vec<String> = [
        "seed",
        "duration_s",
        "cost.total_usd",
        "requests.total",
        "requests.served",
        "requests.failed",
        "requests.availability",
        "latency.p50_ms",
        "latency.p95_ms",
        "latency.p99_ms",
        "slo.violation_minutes",
        "tasks.started",
        "tasks.interrupted",
        "tasks.killed_in_flight",
        "tasks.pending_task_minutes",
        "instances.launched",
        "instances.interrupted",
        "instances.peak",
        "scaling.actions",
        "requests.failed_interrupted",
        "requests.failed_stale_endpoint",
    ]
    .map(String::from)
    .to_vec();
    for p in ["FARGATE", "FARGATE_SPOT", "ec2-on-demand", "ec2-spot", "ec2-mixed"] {
        numbers.push(format!("cost.by_provider.{p}"));
        numbers.push(format!("tasks.task_hours.{p}"));
    }
    for p in ["ec2-on-demand", "ec2-spot", "ec2-mixed"] {
        numbers.push(format!("instances.instance_hours.{p}"));
    }
    for s in ["web", "api", "admin"] {
        numbers.push(format!("cost.by_service.{s}"));
        for k in [
            "requests.total",
            "requests.served",
            "requests.failed",
            "requests.availability",
            "latency.p50_ms",
            "latency.p95_ms",
            "latency.p99_ms",
            "tasks.started",
            "tasks.interrupted",
            "tasks.pending_task_minutes",
        ] {
            numbers.push(format!("services.{s}.{k}"));
        }
    }
    numbers.push("services.web.tasks.task_hours.FARGATE".into());
    numbers.push("services.api.tasks.task_hours.ec2-spot".into());
    let missing: Vec<&String> = numbers.iter().filter(|k| !at(k).is_some_and(|v| v.is_number())).collect();
    assert!(missing.is_empty(), "summary.json lacks these figures: {missing:?}");
}

#[test]
fn invalid_scenario_exits_1_naming_the_place() {
    let dir = TempDir::new("bad");
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "[simulation]\nduration = \"1d\"\n[[services]]\nname = \"web\"\ntask_definition = \"web\"\ndesird_count = 2\n",
    )
    .unwrap();
    let o = ecsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.toml:6:1"), "{err}");
    assert!(err.contains("did you mean `desired_count`?"), "{err}");
    let o = ecsim(&["run", file.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.join("out").exists(), "no output directory for an invalid scenario");
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let mut args = vec!["validate".to_string()];
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    // The real call-centre trace is fetched by a script, never committed: without it the
    // scenarios that replay it must fail on exactly the missing trace.
    const REPLAY_THE_TRACE: [&str; 2] = ["real-traffic.toml", "real-traffic-predictive.toml"];
    let trace_fetched = scenarios.join("traces/bank-calls.csv").is_file();
    for e in std::fs::read_dir(&scenarios).unwrap() {
        let p = e.unwrap().path();
        let replays = REPLAY_THE_TRACE.iter().any(|name| p.ends_with(name));
        if p.extension().is_some_and(|x| x == "toml") && (trace_fetched || !replays) {
            args.push(p.display().to_string());
        }
    }
    // The reference scenario and its sweep are among them, whatever else is shipped.
    for reference in ["reference.toml", "reference-sweep.toml"] {
        let path = scenarios.join(reference).display().to_string();
        assert!(args.contains(&path), "scenarios/{reference} is missing");
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = ecsim(&refs);
    assert!(o.status.success(), "{}", stderr(&o));
    if !trace_fetched {
        for name in REPLAY_THE_TRACE {
            let o = ecsim(&["validate", scenarios.join(name).to_str().unwrap()]);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1));
            assert!(err.contains("cannot read trace") && err.contains("bank-calls.csv"), "{err}");
            assert_eq!(err.lines().filter(|l| l.contains(&format!("{name}:"))).count(), 1, "{err}");
        }
    }
}

#[test]
fn catalog_lists_instance_types_and_fargate() {
    let o = ecsim(&["catalog"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("m5.large") && text.contains("m7g.large"), "{text}");
}
