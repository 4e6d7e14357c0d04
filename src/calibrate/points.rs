//! The (per-task request rate, CPU %) points of one service, one per minute,
//! and why the other minutes were left out.

use crate::observed::{Metric, Observed};

/// CPU at or above this is at the cap (the model caps a task at 100%, and a
/// saturated task sheds requests, so CPU no longer follows them).
pub const SATURATED_CPU_PERCENT: f64 = 99.5;

/// Minutes left out, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Excluded {
    /// CPU observed but requests or running tasks (this minute or the one
    /// before) missing.
    pub incomplete: usize,
    /// No running task.
    pub no_task: usize,
    /// Running tasks differ from the minute before: tasks started or stopped
    /// during the minute, so the count does not say how many shared its requests.
    pub tasks_changed: usize,
    /// CPU at the cap.
    pub saturated: usize,
}

#[derive(Debug, Default)]
pub struct Points {
    /// (requests per second per running task, CPU utilization %).
    pub xy: Vec<(f64, f64)>,
    pub excluded: Excluded,
}

/// One point per minute that has CPU, requests and running tasks, the same
/// running count as the minute before, and CPU below the cap.
pub fn cpu_points(obs: &Observed, service: &str) -> Points {
    let mut out = Points::default();
    let (Some(cpu), Some(rps), Some(running)) = (
        obs.get(service, Metric::CpuUtilizationPercent),
        obs.get(service, Metric::RequestsPerSecond),
        obs.get(service, Metric::RunningTasks),
    ) else {
        return out;
    };
    for (&t, &y) in cpu {
        let before = jiff::Timestamp::from_second(t.as_second() - 60).ok().and_then(|p| running.get(&p));
        let (Some(&r), Some(&n), Some(&n_before)) = (rps.get(&t), running.get(&t), before) else {
            out.excluded.incomplete += 1;
            continue;
        };
        if n <= 0.0 {
            out.excluded.no_task += 1;
        } else if n != n_before {
            out.excluded.tasks_changed += 1;
        } else if y >= SATURATED_CPU_PERCENT {
            out.excluded.saturated += 1;
        } else {
            out.xy.push((r / n, y));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_minute_is_used_or_excluded_for_one_reason() {
        let rows = [
            // 00:00 has no minute before it: incomplete.
            ("00:00", 100.0, 2.0, 30.0),
            ("00:01", 100.0, 2.0, 30.0), // used: 50 requests/s a task
            ("00:02", 90.0, 3.0, 25.0),  // 2 → 3 tasks: changed
            ("00:03", 90.0, 3.0, 25.0),  // used: 30
            ("00:04", 0.0, 0.0, 0.0),    // no task (the CPU row is a placeholder)
            ("00:05", 600.0, 0.0, 0.0),  // no task, and 0 → 0 unchanged
            ("00:06", 900.0, 0.0, 99.9), // no task comes first
        ];
        let mut text = String::from("time,service,metric,value\n");
        for (t, r, n, c) in rows {
            for (m, v) in [("requests_per_second", r), ("running_tasks", n), ("cpu_utilization_percent", c)] {
                text.push_str(&format!("2026-03-02T{t}:00Z,web,{m},{v}\n"));
            }
        }
        text.push_str("2026-03-02T00:07:00Z,web,running_tasks,2\n2026-03-02T00:08:00Z,web,running_tasks,2\n");
        text.push_str(
            "2026-03-02T00:08:00Z,web,requests_per_second,500\n2026-03-02T00:08:00Z,web,cpu_utilization_percent,99.5\n",
        );
        text.push_str("2026-03-02T00:09:00Z,web,cpu_utilization_percent,40\n");
        let obs = crate::observed::parse(&text, "o.csv").unwrap();
        let p = cpu_points(&obs, "web");
        assert_eq!(p.xy, [(50.0, 30.0), (30.0, 25.0)]);
        // 00:00 and 00:09 (no requests, no running) incomplete; 00:04–00:06 no task;
        // 00:02 changed; 00:08 saturated.
        assert_eq!(p.excluded, Excluded { incomplete: 2, no_task: 3, tasks_changed: 1, saturated: 1 });
        assert!(cpu_points(&obs, "api").xy.is_empty());
    }
}
