//! Fixture directories for the tests: a realistic run (two services, three
//! capacity providers, events of every marked kind) and sweeps, written in
//! the exact formats of the output contract.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use crate::chart::stats::estimate;

/// A fresh directory under the system temp dir, removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ecsim-chart-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        if let Err(error) = std::fs::create_dir_all(&path) {
            panic!("cannot create test directory {}: {error}", path.display());
        }
        TempDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    if let Err(error) = std::fs::write(dir.join(name), text) {
        panic!("cannot write fixture {name}: {error}");
    }
}

/// Text with markup characters, to check the report escapes it.
pub(crate) const SCENARIO_TEXT: &str =
    "[simulation]\nname = \"fixture\"\n# web <-> worker & \"batch\" jobs\nduration = \"2d\"\n";

pub(crate) const SERVICES: [&str; 2] = ["web", "worker"];

/// A run of `duration_s` with one row per `interval_s` per series.
///
/// The worker has no demand (so no latency rows) from 3 h to 4 h: its
/// latency line must break there.
pub(crate) fn write_run(dir: &Path, duration_s: u64, interval_s: u64) {
    write(dir, "scenario.toml", SCENARIO_TEXT);
    let summary = json!({
        "assumptions": {"fargate_provisioning_median_s": 40, "spot_notice_s": 120},
        "batch": {"nightly-report": {"completed": 2, "cost_per_job_usd": 0.031, "cost_usd": 0.062, "failed": 0, "jobs": 2, "wait_mean_s": 12.5, "wait_p95_s": 20, "wasted_task_hours": 0}},
        "catalog_date": "2026-01-15",
        "cost": {"by_provider": {"FARGATE": 12.5, "ec2-on-demand": 30.25, "ec2-spot": 9.125}, "by_service": {"web": 40.0, "worker": 10.0}, "reserved_unused_usd": 0, "total_usd": 51.875, "unallocated_usd": 1.875},
        "deployments": {"web": {"completed": 1, "count": 1, "max_s": 420, "stalled": 0, "total_s": 420}, "worker": {"completed": 0, "count": 0, "max_s": null, "stalled": 0, "total_s": 0}},
        "duration_s": duration_s,
        "ecsim_version": "0.1.0",
        "instances": {"instance_hours": {"FARGATE": 0, "ec2-on-demand": 96, "ec2-spot": 40}, "interrupted": 1, "launched": 9, "peak": 6},
        "latency": {"mean_ms": 61.2, "p50_ms": 48.0, "p95_ms": 140.5, "p99_ms": 231.25},
        "replication": 0,
        "requests": {"availability": 0.99953, "failed": 21000, "failed_downstream": 0, "failed_interrupted": 400, "failed_no_target": 0, "failed_shed": 20000, "failed_stale_endpoint": 600, "failed_timeout": 0, "served": 44000000, "total": 44021000},
        "scaling": {"actions": 4, "scale_in": 1, "scale_out": 3},
        "scenario": "fixture",
        "scenario_sha256": "0f1e2d",
        "seed": 42,
        "services": {
            "web": {"cost_usd": 40.0, "latency": {"mean_ms": 61.2, "p50_ms": 48.0, "p95_ms": 140.5, "p99_ms": 231.25},
                    "requests": {"availability": 0.99953, "failed": 21000, "failed_downstream": 0, "failed_interrupted": 400, "failed_no_target": 0, "failed_shed": 20000, "failed_stale_endpoint": 600, "failed_timeout": 0, "served": 44000000, "total": 44021000},
                    "scaling": {"actions": 3, "cpu_target_percent": 60, "scale_in": 1, "scale_out": 2},
                    "slo": {"availability": 0.999, "latency_p99_ms": 250, "violation_minutes": 14},
                    "tasks": {"interrupted": 1, "pending_task_minutes": 30.5, "started": 12}},
            "worker": {"cost_usd": 10.0, "latency": {"mean_ms": null, "p50_ms": null, "p95_ms": null, "p99_ms": null},
                    "requests": {"availability": null, "failed": 0, "failed_downstream": 0, "failed_interrupted": 0, "failed_no_target": 0, "failed_shed": 0, "failed_stale_endpoint": 0, "failed_timeout": 0, "served": 0, "total": 0},
                    "scaling": {"actions": 1, "cpu_target_percent": null, "scale_in": 0, "scale_out": 1},
                    "slo": {"availability": 0.999, "latency_p99_ms": null, "violation_minutes": 0},
                    "tasks": {"interrupted": 0, "pending_task_minutes": 0, "started": 3}}
        },
        "slo": {"violation_minutes": 14},
        "tasks": {"interrupted": 1, "killed_in_flight": 3, "pending_task_minutes": 30.5, "placement_failures": {"no_capacity": 2}, "started": 15, "task_hours": {"FARGATE": 20, "ec2-on-demand": 60, "ec2-spot": 30}},
        "warmup_s": 0
    });
    write(dir, "summary.json", &summary.to_string());

    let mut csv = String::from("time_s,scope,name,metric,value\n");
    let mut cumulative = 0.0;
    for t in (0..duration_s).step_by(interval_s as usize) {
        let hour = t as f64 / 3600.0;
        let web_demand = 200.0 + 150.0 * (std::f64::consts::TAU * (hour - 14.0) / 24.0).cos();
        let web_tasks = (web_demand / 50.0).ceil().max(2.0);
        let spot = if (5.5..9.0).contains(&(hour % 24.0)) { 1.0 } else { 2.0 };
        let on_demand = 2.0 + (web_tasks / 4.0).floor();
        let rates = [("FARGATE", 0.5), ("ec2-on-demand", 0.096 * on_demand), ("ec2-spot", 0.035 * spot)];
        let rate: f64 = rates.iter().map(|r| r.1).sum();
        cumulative += rate * interval_s as f64 / 3600.0;
        let cluster = [
            ("cost_usd_cumulative", cumulative),
            ("cost_usd_per_hour", rate),
            ("instances", on_demand + spot),
            ("tasks", web_tasks + 2.0),
            ("demand_rps", web_demand),
            ("served_rps", web_demand - 0.5),
            ("failed_rps", 0.5),
        ];
        for (metric, value) in cluster {
            let _ = writeln!(csv, "{t},cluster,prod,{metric},{value}");
        }
        for (provider, provider_rate) in rates {
            let (od, sp) = match provider {
                "ec2-on-demand" => (on_demand, 0.0),
                "ec2-spot" => (0.0, spot),
                _ => (0.0, 0.0),
            };
            for (metric, value) in [
                ("instances", od + sp),
                ("instances_on_demand", od),
                ("instances_spot", sp),
                ("tasks", 2.0),
                ("cpu_reservation_percent", 62.5),
                ("cost_usd_per_hour", provider_rate),
            ] {
                let _ = writeln!(csv, "{t},provider,{provider},{metric},{value}");
            }
        }
        // Two zones: tasks and instances split as evenly as they go.
        let all_tasks = web_tasks + 2.0;
        let all_instances = on_demand + spot;
        for (zone, share) in [("us-east-1a", 0.5f64), ("us-east-1b", 0.5)] {
            let first = zone == "us-east-1a";
            let half = |n: f64| if first { (n * share).ceil() } else { (n * share).floor() };
            let _ = writeln!(csv, "{t},zone,{zone},instances,{}", half(all_instances));
            let _ = writeln!(csv, "{t},zone,{zone},tasks_running,{}", half(all_tasks));
        }
        for service in SERVICES {
            let idle = service == "worker" && (3.0..4.0).contains(&hour);
            let demand = match service {
                "web" => web_demand,
                _ if idle => 0.0,
                _ => 20.0,
            };
            let tasks = if service == "web" { web_tasks } else { 2.0 };
            let mut rows = vec![
                ("desired", tasks),
                ("running", tasks),
                ("pending", if hour.fract() < 0.05 { 1.0 } else { 0.0 }),
                ("healthy", tasks),
                ("min_capacity", 2.0),
                ("max_capacity", 10.0),
                ("demand_rps", demand),
                ("served_rps", demand),
                ("failed_rps", 0.0),
                ("capacity_rps", tasks * 60.0),
                ("cpu_percent", 5.0 + 90.0 * demand / (tasks * 60.0)),
                ("memory_percent", 40.0),
                ("alarm_cpu60_high", 0.0),
            ];
            if !idle {
                rows.push(("requests_per_target", demand * 60.0 / tasks));
                rows.push(("latency_p50_ms", 40.0 + demand / tasks));
                rows.push(("latency_p99_ms", 120.0 + 2.0 * demand / tasks));
            }
            for (metric, value) in rows {
                let _ = writeln!(csv, "{t},service,{service},{metric},{value}");
            }
        }
    }
    write(dir, "timeseries.csv", &csv);

    let events = "time_s,kind,scope,name,detail\n\
        0.000,instance_active,instance,i-1,\"m5.large, us-east-1a\"\n\
        3600.000,scale_out,service,web,\"cpu60: 3 -> 5 (\"\"high\"\" alarm)\"\n\
        19800.250,spot_interruption,instance,i-3,ec2-spot\n\
        19800.250,task_interrupted,task,web/7,on i-3\n\
        25200.000,scale_out,service,web,5 -> 7\n\
        36000.000,scale_out,service,worker,1 -> 2\n\
        43200.000,deployment_start,service,web,revision 2\n\
        43620.000,deployment_complete,service,web,\n\
        72000.000,scale_in,service,web,7 -> 4\n\
        108000.000,az_outage_start,cluster,prod,us-east-1a\n\
        111600.000,az_outage_end,cluster,prod,us-east-1a\n";
    write(dir, "events.csv", events);
}

/// The axis key of the sweep fixtures.
pub(crate) const TARGET_AXIS: &str = "services[web].auto_scaling.target_tracking[cpu60].target_value";

/// Two variants × five CPU targets × four replications, metrics cost,
/// availability and p99. Configuration 9's replication 3 failed.
pub(crate) fn write_sweep(dir: &Path) {
    write(
        dir,
        "sweep.toml",
        "[sweep]\nname = \"target-vs-spot\"\nscenario = \"reference.toml\"\nreplications = 4\nmetrics = [\"cost.total_usd\", \"requests.availability\", \"latency.p99_ms\"]\n\n[[axes]]\nkey = \"services[web].auto_scaling.target_tracking[cpu60].target_value\"\nvalues = [40, 50, 60, 70, 80]\n\n[[variants]]\nname = \"spot-draining\"\n\n[[variants]]\nname = \"no-spot-draining\"\nset = { \"capacity_providers[ec2-spot].enable_spot_draining\" = false }\n",
    );
    write(dir, "scenario.toml", SCENARIO_TEXT);
    let variants = ["spot-draining", "no-spot-draining"];
    let targets = [40.0, 50.0, 60.0, 70.0, 80.0];
    let mut runs = format!(
        "configuration,variant,{TARGET_AXIS},replication,seed,status,error,cost.by_provider.FARGATE,cost.total_usd,latency.p99_ms,requests.availability\n"
    );
    let mut summary = format!("configuration,variant,{TARGET_AXIS},runs");
    for metric in ["cost.total_usd", "requests.availability", "latency.p99_ms"] {
        let _ = write!(summary, ",{metric}.mean,{metric}.sd,{metric}.ci95");
    }
    summary.push('\n');
    let mut configuration = 0;
    for (v, variant) in variants.iter().enumerate() {
        for target in targets {
            let mut columns: [Vec<f64>; 3] = Default::default();
            for replication in 0..4u64 {
                let seed = 42 + replication;
                if configuration == 9 && replication == 3 {
                    let _ = writeln!(
                        runs,
                        "{configuration},{variant},{target},{replication},{seed},error,\"placement failed: no capacity, retried 3 times\",,,,"
                    );
                    continue;
                }
                let r = replication as f64;
                let cost = 100.0 + (80.0 - target) * 1.5 + 6.0 * v as f64 + 0.5 * r;
                let availability = 0.9995 - (target - 40.0) * 0.00001 - 0.0002 * v as f64 + 0.00001 * r;
                let p99 = 100.0 + 2.0 * target + r;
                let _ = writeln!(
                    runs,
                    "{configuration},{variant},{target},{replication},{seed},ok,,{},{cost},{p99},{availability}",
                    cost / 10.0
                );
                columns[0].push(cost);
                columns[1].push(availability);
                columns[2].push(p99);
            }
            let _ = write!(summary, "{configuration},{variant},{target},{}", columns[0].len());
            for values in &columns {
                let e = estimate(values);
                let mean = e.map(|e| e.mean).unwrap_or(f64::NAN);
                let n = values.len() as f64;
                let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
                let ci = e.and_then(|e| e.ci95).unwrap_or(f64::NAN);
                let _ = write!(summary, ",{mean},{sd},{ci}");
            }
            summary.push('\n');
            configuration += 1;
        }
    }
    write(dir, "runs.csv", &runs);
    write(dir, "summary.csv", &summary);
}

/// One variant, a numeric and a categorical axis (2 × 2), two replications,
/// and only availability as a metric, so cost comes from runs.csv.
/// Costs (replication 0, 1): c0 (50, binpack) 10, 12; c1 (50, spread) 14, 15;
/// c2 (70, binpack) 8, 9; c3 (70, spread) 11, 13.
pub(crate) fn write_two_axis_sweep(dir: &Path) {
    let placement = "capacity_providers[ec2-on-demand].placement";
    let configurations = [
        (50, "binpack", [10.0, 12.0]),
        (50, "spread", [14.0, 15.0]),
        (70, "binpack", [8.0, 9.0]),
        (70, "spread", [11.0, 13.0]),
    ];
    let mut runs = format!(
        "configuration,variant,{TARGET_AXIS},{placement},replication,seed,status,error,cost.total_usd,requests.availability\n"
    );
    let mut summary = format!(
        "configuration,variant,{TARGET_AXIS},{placement},runs,requests.availability.mean,requests.availability.sd,requests.availability.ci95\n"
    );
    for (index, (target, strategy, costs)) in configurations.iter().enumerate() {
        for (replication, cost) in costs.iter().enumerate() {
            let _ =
                writeln!(runs, "{index},base,{target},{strategy},{replication},{},ok,,{cost},0.999", 7 + replication);
        }
        let _ = writeln!(summary, "{index},base,{target},{strategy},2,0.999,0,0");
    }
    write(dir, "runs.csv", &runs);
    write(dir, "summary.csv", &summary);
}
