//! The answers a run report opens with, in sentences: what the run cost and
//! on which provider, how available it was, which service broke its SLO the
//! most, and which scaling moved each service how far; for a sweep, the
//! cheapest, most available and fastest configurations.

use serde_json::Value;

use crate::chart::html::format_number;
use crate::chart::pareto_chart::point_label;
use crate::chart::run_data::RunData;
use crate::chart::sweep_charts::configuration_estimates;
use crate::chart::sweep_data::{COST_METRIC, SweepData};

fn at<'a>(summary: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(summary, |value, key| value.get(key))
}

fn number(summary: &Value, path: &str) -> Option<f64> {
    at(summary, path).and_then(Value::as_f64)
}

/// "1 time", "3 times".
fn times(count: f64) -> String {
    if count == 1.0 { "1 time".to_string() } else { format!("{} times", format_number(count)) }
}

/// "2 days", "90 minutes", "36 hours": a length of time for a sentence.
pub(crate) fn duration_phrase(seconds: f64) -> String {
    if seconds >= 2.0 * 86400.0 && seconds % 86400.0 == 0.0 {
        format!("{} days", format_number(seconds / 86400.0))
    } else if seconds >= 2.0 * 3600.0 {
        format!("{} hours", format_number(seconds / 3600.0))
    } else {
        format!("{} minutes", format_number(seconds / 60.0))
    }
}

/// The sentences, in order: cost, availability, SLO, scaling.
pub(crate) fn run_answers(run: &RunData) -> Vec<String> {
    let mut answers = vec![cost_answer(run), availability_answer(run), slo_answer(run)];
    answers.extend(scaling_answers(run));
    answers.retain(|a| !a.is_empty());
    answers
}

fn cost_answer(run: &RunData) -> String {
    let summary = &run.summary;
    let Some(total) = number(summary, "cost.total_usd") else {
        return String::new();
    };
    let mut providers: Vec<(String, f64)> = at(summary, "cost.by_provider")
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_f64()?))).filter(|p| p.1 > 0.0).collect())
        .unwrap_or_default();
    // Dearest first; equal costs in name order (the map's).
    providers.sort_by(|a, b| b.1.total_cmp(&a.1));
    let parts: Vec<String> = providers
        .iter()
        .map(|(name, usd)| {
            let share = if total > 0.0 { format!(" ({:.0}%)", 100.0 * usd / total) } else { String::new() };
            format!("{name} {usd:.2} USD{share}")
        })
        .collect();
    let over = duration_phrase((run.duration_s - run.warmup_s).max(0.0));
    let warmup = if run.warmup_s > 0.0 { " after the warm-up" } else { "" };
    let by = if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) };
    format!("The run cost {total:.2} USD over {over}{warmup}{by}.")
}

fn availability_answer(run: &RunData) -> String {
    let summary = &run.summary;
    match number(summary, "requests.availability") {
        Some(availability) => format!(
            "Availability was {:.3}%: {} of {} requests from outside failed.",
            100.0 * availability,
            format_number(number(summary, "requests.failed").unwrap_or(0.0).round()),
            format_number(number(summary, "requests.total").unwrap_or(0.0).round())
        ),
        None => "No request was offered from outside.".to_string(),
    }
}

/// The worst service as `summary.json` names it, or (for runs made before
/// it did) the one with the most violation minutes.
fn worst_service(run: &RunData) -> Option<(String, f64)> {
    let minutes = |name: &str| number(&run.summary, &format!("services.{name}.slo.violation_minutes"));
    if let Some(name) = at(&run.summary, "slo.worst_service").and_then(Value::as_str) {
        return (!name.is_empty()).then(|| (name.to_string(), minutes(name).unwrap_or(0.0)));
    }
    let services = at(&run.summary, "services").and_then(Value::as_object)?;
    let mut worst: Option<(String, f64)> = None;
    for name in services.keys() {
        let m = minutes(name).unwrap_or(0.0);
        if m > worst.as_ref().map_or(0.0, |w| w.1) {
            worst = Some((name.clone(), m));
        }
    }
    worst
}

fn slo_answer(run: &RunData) -> String {
    let minutes = number(&run.summary, "slo.violation_minutes").unwrap_or(0.0);
    match worst_service(run) {
        Some((name, worst)) if minutes > 0.0 => format!(
            "Some service broke its SLO in {} minutes; the worst was {name}, in {} minutes.",
            format_number(minutes),
            format_number(worst)
        ),
        _ => "No service broke its SLO.".to_string(),
    }
}

/// "at Tue 14:00" on a wall clock, "14.5 hours after the start" without.
fn when(run: &RunData, seconds: f64) -> String {
    match &run.clock {
        Some(clock) => format!("at {}", clock.label(seconds)),
        None => format!("{} hours after the start", format_number((seconds / 3600.0 * 10.0).round() / 10.0)),
    }
}

/// Per service that scaled: how often, and from how few to how many tasks
/// it was asked to run (the scaling that mattered is the one that reached
/// the peak); then tasks that found no room at the start.
fn scaling_answers(run: &RunData) -> Vec<String> {
    let mut answers = Vec::new();
    let services = at(&run.summary, "services").and_then(Value::as_object).cloned().unwrap_or_default();
    for name in services.keys() {
        let actions = number(&run.summary, &format!("services.{name}.scaling.actions")).unwrap_or(0.0);
        if actions == 0.0 {
            continue;
        }
        let out = number(&run.summary, &format!("services.{name}.scaling.scale_out")).unwrap_or(0.0);
        let scale_in = number(&run.summary, &format!("services.{name}.scaling.scale_in")).unwrap_or(0.0);
        let desired = run.series.get("service", name, "desired");
        let counted: Vec<&(u64, f64)> = desired.iter().filter(|p| p.0 as f64 >= run.warmup_s).collect();
        let range = match (
            counted.iter().map(|p| p.1).reduce(f64::min),
            counted.iter().copied().reduce(|a, b| if b.1 > a.1 { b } else { a }),
        ) {
            (Some(low), Some(_)) if counted.iter().all(|p| p.1 == low) => {
                format!("; it was asked for {} tasks throughout", format_number(low))
            }
            (Some(low), Some(&(peak_at, high))) => format!(
                "; it was asked for {} to {} tasks, the most first {}",
                format_number(low),
                format_number(high),
                when(run, peak_at as f64)
            ),
            _ => String::new(),
        };
        answers.push(format!("{name} scaled out {} and in {}{range}.", times(out), times(scale_in)));
    }
    if answers.is_empty() {
        answers.push("No service scaled.".to_string());
    }
    let unplaced = number(&run.summary, "tasks.unplaced_at_start").unwrap_or(0.0);
    if unplaced > 0.0 {
        answers.push(format!(
            "{} tasks could not be placed at the start (see placement_failed in events.csv).",
            format_number(unplaced)
        ));
    }
    answers
}

/// The sentences a sweep report opens with: its size, then the cheapest
/// configuration and the best by availability and by p99 latency (means
/// over replications), each named by its axis values and variant.
pub(crate) fn sweep_answers(sweep: &SweepData) -> Vec<String> {
    let replications = sweep.runs.iter().map(|r| r.replication + 1).max().unwrap_or(0);
    let mut answers = vec![format!(
        "{} configurations, {} replications each: {} runs succeeded, {} failed.",
        sweep.configurations.len(),
        replications,
        sweep.runs.len(),
        sweep.failed_runs.len()
    )];
    let several = sweep.variants().len() > 1;
    let best = |metric: &str, lowest: bool| -> Option<(String, f64)> {
        let estimates = configuration_estimates(sweep, metric);
        let mut best: Option<(usize, f64)> = None;
        for (index, estimate) in estimates.iter().enumerate() {
            let Some(mean) = estimate.map(|e| e.mean) else { continue };
            let better = best.is_none_or(|(_, b)| if lowest { mean < b } else { mean > b });
            if better {
                best = Some((index, mean));
            }
        }
        best.map(|(index, mean)| (point_label(&sweep.configurations[index], several), mean))
    };
    let phrases = [
        (COST_METRIC, true, "The cheapest configuration was", " USD"),
        ("requests.availability", false, "The most available was", ""),
        ("latency.p99_ms", true, "The lowest p99 latency was", " ms"),
    ];
    for (metric, lowest, phrase, unit) in phrases {
        if let Some((label, mean)) = best(metric, lowest) {
            answers.push(format!("{phrase} {label}, at {}{unit}.", format_number(mean)));
        }
    }
    answers
}
