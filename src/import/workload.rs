//! A service's load from its metrics: the requests trace, and first
//! estimates of the work per request and the memory at rest, which
//! `ecsim calibrate` refines against `observed.csv`.

use super::document::{Origin, Table, tv_num, tv_str};
use super::metrics::{Metric, Metrics, PERIOD_S, Series, trace_csv};
use super::report::Report;

/// Work per request when the metrics cannot say: a guess, reported as one.
const DEFAULT_CPU_PER_REQUEST: &str = "10ms";

/// What the workload needs to know of its service.
pub struct ServiceFacts<'s> {
    pub aws_name: &'s str,
    pub name: &'s str,
    pub task_cpu_units: f64,
    pub task_memory_mib: f64,
    pub desired_count: f64,
}

/// The `[services.workload]` table and the trace file (name, CSV) of a
/// service with a requests metric; `None` without one.
pub fn workload(
    metrics: &Metrics,
    start: i64,
    facts: &ServiceFacts<'_>,
    report: &mut Report,
) -> Option<(Table, (String, String))> {
    let requests = metrics.get(facts.aws_name, Metric::Requests)?;
    if requests.points.is_empty() {
        return None;
    }
    let mut t = Table::default();
    match cpu_per_request(metrics, requests, facts) {
        Some((secs, n)) => {
            let why = format!(
                "estimated from the metrics: the median over {n} minutes of CPUUtilization x task CPU x running \
                 tasks / requests per second (all work counted as per-request work)"
            );
            t.set(
                "cpu_per_request",
                tv_str(&millis(secs)),
                report.assume("services[].workload.cpu_per_request", facts.name, why),
            );
        }
        None => {
            let why = format!("no CPU metric to estimate it from: {DEFAULT_CPU_PER_REQUEST}");
            t.set(
                "cpu_per_request",
                tv_str(DEFAULT_CPU_PER_REQUEST),
                report.assume("services[].workload.cpu_per_request", facts.name, why),
            );
        }
    }
    if let Some(memory) = metrics.get(facts.aws_name, Metric::Memory)
        && let Some(pct) = median(memory.points.iter().map(|p| p.1).collect())
    {
        let mib = (pct / 100.0 * facts.task_memory_mib).round();
        let why = "estimated from the metrics: the median MemoryUtilization x task memory, all of it at rest";
        t.set("memory_base_mib", tv_num(mib), report.assume("services[].workload.memory_base_mib", facts.name, why));
    }
    let file = format!("traces/{}.csv", facts.name);
    let mut rate = Table::default();
    rate.set(
        "trace",
        tv_str(&file),
        Origin::Derived(format!("the requests per minute / {PERIOD_S} of {}", requests.sources.join(", "))),
    );
    t.table("rate", rate);
    let csv = trace_csv(requests, start);
    Some((t, (file, csv)))
}

/// The median, over the minutes with requests, of the vCPU-seconds each
/// request took; with the number of minutes.
fn cpu_per_request(metrics: &Metrics, requests: &Series, facts: &ServiceFacts<'_>) -> Option<(f64, usize)> {
    let cpu = metrics.get(facts.aws_name, Metric::Cpu)?;
    let running = metrics.get(facts.aws_name, Metric::Running).or_else(|| metrics.get(facts.aws_name, Metric::Desired));
    let vcpu = facts.task_cpu_units / 1024.0;
    let samples: Vec<f64> = requests
        .points
        .iter()
        .filter_map(|&(t, count)| {
            let rps = Metric::Requests.observed_value(count);
            let tasks = running.map_or(Some(facts.desired_count), |s| s.at(t))?;
            let used = cpu.at(t)? / 100.0 * vcpu * tasks;
            (rps > 0.0 && used > 0.0).then_some(used / rps)
        })
        .collect();
    let n = samples.len();
    median(samples).map(|m| (m, n))
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 })
}

/// Seconds as a duration in milliseconds with three decimals at most
/// (`0.0042` -> `"4.2ms"`), never below the format's smallest, 0.001 ms.
fn millis(secs: f64) -> String {
    let text = format!("{:.3}", (secs * 1000.0).max(0.001));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_per_request_is_cpu_share_times_task_vcpu_times_tasks_over_rate() {
        // 50% of a 512-unit (0.5 vCPU) task x 4 tasks = 1 vCPU busy, serving
        // 6,000 requests a minute = 100 per second: 1 / 100 = 0.01 s = 10 ms.
        let mut m = Metrics::default();
        let t0 = 1_772_409_600;
        let put = |m: &mut Metrics, metric, v| {
            m.series.insert(("web".into(), metric), Series { points: vec![(t0, v)], sources: vec!["s".into()] });
        };
        put(&mut m, Metric::Requests, 6000.0);
        put(&mut m, Metric::Cpu, 50.0);
        put(&mut m, Metric::Running, 4.0);
        let facts = ServiceFacts {
            aws_name: "web",
            name: "web",
            task_cpu_units: 512.0,
            task_memory_mib: 1024.0,
            desired_count: 9.0,
        };
        let (secs, n) = cpu_per_request(&m, m.get("web", Metric::Requests).unwrap(), &facts).unwrap();
        assert_eq!((millis(secs), n), ("10ms".to_string(), 1));
    }

    #[test]
    fn medians_and_millis() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(millis(0.0042), "4.2ms");
        assert_eq!(millis(0.0), "0.001ms");
    }
}
