//! Checking figure names (`sweep.metrics`, an optimize file's `minimize` and
//! `subject_to`) before anything runs, against the figures a run of the
//! scenario reports, with a did-you-mean for a near miss.
//!
//! Which figures a run reports follows from the scenario's structure (its
//! services, providers and SLOs), not from what happens in it, so a one-minute
//! probe run of the base scenario lists them all ([`probe`]).

use std::collections::BTreeSet;
use std::path::Path;

use super::spec::locate;
use crate::engine::SimDuration;
use crate::model::record::NullSink;
use crate::model::{RunOptions, simulate};
use crate::report::flatten;
use crate::scenario::Scenario;
use crate::scenario::diag::did_you_mean;

/// The flattened figure names of a run of `sc`, from a short run of it;
/// `None` when the probe fails (the real runs will say why).
pub fn probe(sc: &Scenario) -> Option<BTreeSet<String>> {
    let mut short = sc.clone();
    short.duration = SimDuration::from_secs(60).max(short.tick);
    short.warmup = SimDuration::ZERO;
    let opts = RunOptions { check_invariants: false, cancel: None, progress: None };
    let run = std::panic::catch_unwind(|| simulate(&short, 0, opts, Box::new(NullSink)));
    let outcome = run.ok()?.ok()?;
    Some(flatten(&outcome.summary).into_keys().collect())
}

/// `what` (e.g. `sweep.metrics[2]`) names no figure in `known`: the message,
/// with the closest name when it is a likely typo, else a few names that
/// share its first part.
pub fn unknown_figure(what: &str, name: &str, known: &BTreeSet<String>) -> Option<String> {
    if known.contains(name) {
        return None;
    }
    let hint = match did_you_mean(name, known.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None => {
            let head = name.split('.').next().unwrap_or(name);
            let same: Vec<&str> =
                known.iter().map(String::as_str).filter(|k| k.split('.').next() == Some(head)).take(8).collect();
            if same.is_empty() {
                "the columns of a sweep's runs.csv, or summary.json of a run, list the figures".to_string()
            } else {
                format!("figures under `{head}`: {}", same.join(", "))
            }
        }
    };
    Some(format!("{what} `{name}` is not a figure this scenario reports; {hint}"))
}

/// Every `(what, name)` pair whose name is not in `known`, one line each as
/// `FILE:LINE:COLUMN: message`, the place being where the quoted name first
/// appears in `text` (the sweep or optimize file).
pub fn check(file: &Path, text: &str, names: &[(String, String)], known: &BTreeSet<String>) -> Result<(), String> {
    let problems: Vec<String> = names
        .iter()
        .filter_map(|(what, name)| {
            let message = unknown_figure(what, name, known)?;
            let quoted = format!("\"{name}\"");
            // Quoted alone (a metric) or first in a quoted constraint ("name <= 200").
            let offset =
                text.find(&quoted).map(|at| at + 1).or_else(|| text.find(&format!("\"{name} ")).map(|at| at + 1));
            let place = offset.map(|offset| locate(text, offset));
            let at = place.map(|(line, column)| format!(":{line}:{column}")).unwrap_or_default();
            Some(format!("\n  {}{at}: {message}", file.display()))
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!("{}: {} unknown figure name(s):{}", file.display(), problems.len(), problems.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_gets_the_closest_name_and_a_far_one_the_family() {
        let known: BTreeSet<String> =
            ["cost.total_usd", "cost.ec2_usd", "latency.p99_ms"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unknown_figure("m", "cost.total_usd", &known), None);
        assert_eq!(
            unknown_figure("sweep.metrics[0]", "cost.totl_usd", &known).unwrap(),
            "sweep.metrics[0] `cost.totl_usd` is not a figure this scenario reports; did you mean `cost.total_usd`?"
        );
        assert_eq!(
            unknown_figure("minimize", "cost.everything_in_euros", &known).unwrap(),
            "minimize `cost.everything_in_euros` is not a figure this scenario reports; figures under `cost`: \
             cost.ec2_usd, cost.total_usd"
        );
    }
}
