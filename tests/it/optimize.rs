//! `ecsim optimize`: the search finds what the exhaustive sweep finds, with a
//! third of its runs, the same bytes at any `-j`, and clear words when
//! nothing is feasible or the file is wrong.

use crate::common::{TempDir, ecsim};
use std::path::{Path, PathBuf};

const TARGET: &str = "services[web].auto_scaling.target_tracking[cpu50].target_value";

/// The small grid: the quickstart over 12 hours, its CPU target at 30..90 by
/// 10 (7 configurations), 6 replications: 42 runs for the full sweep.
fn grid(kind: &str) -> String {
    let quickstart = format!("{}/scenarios/quickstart.toml", env!("CARGO_MANIFEST_DIR"));
    format!(
        "[{kind}]\nname = \"small\"\nscenario = \"{quickstart}\"\nreplications = 6\n\
         [[axes]]\nkey = \"{TARGET}\"\nrange = [30, 90]\nstep = 10\n\
         [[variants]]\nname = \"short\"\nset = {{ \"simulation.duration\" = \"12h\" }}\n"
    )
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

fn optimize_file(dir: &TempDir, head: &str) -> PathBuf {
    write(
        dir,
        "optimize.toml",
        &grid("optimize").replacen("replications = 6\n", &format!("replications = 6\n{head}"), 1),
    )
}

fn run_ok(args: &[&str]) -> String {
    let o = ecsim(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn best(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("best.json")).unwrap()).unwrap()
}

/// The exhaustive answer from a sweep's summary.csv: the least mean `cost`
/// among configurations whose mean `slo.violation_minutes` is at most 0.
fn exhaustive_answer(summary: &Path) -> (String, f64) {
    let mut reader = csv::Reader::from_path(summary).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (target, cost, slo) = (column(TARGET), column("cost.total_usd.mean"), column("slo.violation_minutes.mean"));
    let mut best: Option<(String, f64)> = None;
    for record in reader.records() {
        let record = record.unwrap();
        let (value, minutes) = (record[cost].parse::<f64>().unwrap(), record[slo].parse::<f64>().unwrap());
        if minutes <= 0.0 && best.as_ref().is_none_or(|(_, b)| value < *b) {
            best = Some((record[target].to_string(), value));
        }
    }
    best.unwrap()
}

#[test]
fn the_search_finds_the_exhaustive_answer_with_a_third_of_the_runs_at_any_thread_count() {
    let dir = TempDir::new("optimize-small");
    let sweep = write(
        &dir,
        "sweep.toml",
        &grid("sweep").replacen(
            "replications = 6\n",
            "replications = 6\nmetrics = [\"cost.total_usd\", \"slo.violation_minutes\"]\n",
            1,
        ),
    );
    let full = dir.join("full");
    run_ok(&["sweep", sweep.to_str().unwrap(), "--out", full.to_str().unwrap(), "-j", "2"]);
    // Over 6 replications of 12 hours the SLO is never missed up to a 70% target, and
    // missed from 80% on: the cheapest with no violation minute is 70%.
    let (target, cost) = exhaustive_answer(&full.join("summary.csv"));
    assert_eq!(target, "70");

    let file = optimize_file(
        &dir,
        "minimize = \"cost.total_usd\"\nsubject_to = [\"slo.violation_minutes <= 0\"]\nbudget = 14\n",
    );
    let (one, two) = (dir.join("j1"), dir.join("j2"));
    run_ok(&["optimize", file.to_str().unwrap(), "--out", one.to_str().unwrap(), "-j", "1"]);
    let said = run_ok(&["optimize", file.to_str().unwrap(), "--out", two.to_str().unwrap(), "-j", "2"]);
    for name in ["best.json", "best.toml", "trials.csv", "charts/optimize-trials.svg"] {
        assert!(std::fs::read(one.join(name)).unwrap() == std::fs::read(two.join(name)).unwrap(), "{name} differs");
    }
    let chosen = best(&one);
    assert_eq!(chosen["values"][TARGET], 70);
    assert_eq!(chosen["feasible"], true);
    assert_eq!(chosen["resolved"], true);
    // Round 0 runs the 7 configurations once. 80% and 90% have SLO minutes on their first
    // replication: SLO minutes cannot be negative, so their mean over 6 is above 0 whatever
    // the other 5 give (certainly infeasible, exact). The race then takes the cheapest open
    // one, 70%, and doubles its replications: 2, 4, 6 (no SLO minute: settled). 30..60% are
    // clearly dearer than 70% on one replication. 7 + 5 = 12 runs, under a third of the
    // sweep's 42 (14 before the exact rule: 80% and 90% took 2 each).
    assert_eq!(chosen["runs"], 12);
    assert_eq!(chosen["full_grid_runs"], 42);
    assert_eq!(chosen["replications"], 6);
    assert_eq!(chosen["rounds"], 4);
    // The choice has every replication, the sweep's own (common random numbers): its
    // figures are the sweep's means, to the last digit.
    assert_eq!(chosen["objective"].as_f64().unwrap(), cost);
    assert!(said.contains("best is configuration 4"), "{said}");

    // trials.csv: all 7 configurations tried, each with where it stood; the chosen one is marked.
    let trials = std::fs::read_to_string(one.join("trials.csv")).unwrap();
    let statuses: Vec<&str> = trials.lines().skip(1).map(|l| l.split(',').nth(5).unwrap()).collect();
    assert_eq!(
        statuses,
        [
            "clearly_dearer",
            "clearly_dearer",
            "clearly_dearer",
            "clearly_dearer",
            "settled",
            "certainly_infeasible",
            "certainly_infeasible"
        ]
    );
    assert_eq!(trials.lines().filter(|l| l.contains(",true,true,")).count(), 1);
    // The chart names its points by their values, not by number.
    let svg = std::fs::read_to_string(one.join("charts/optimize-trials.svg")).unwrap();
    assert!(svg.contains("labelled target_value") && !svg.contains(">c4<"), "labels");
    // best.toml is the quickstart as written (its comments too), with the chosen target.
    let text = std::fs::read_to_string(one.join("best.toml")).unwrap();
    let quickstart =
        std::fs::read_to_string(format!("{}/scenarios/quickstart.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let comment = quickstart.lines().find(|l| l.trim_start().starts_with('#') && l.len() > 20).unwrap();
    assert!(text.contains(comment), "{comment:?} lost:\n{text}");
    assert!(text.contains("target_value = 70"), "{text}");
    // It runs as is and gives best.json's figures: replication 0 of the choice.
    let again = dir.join("again");
    run_ok(&["run", one.join("best.toml").to_str().unwrap(), "--out", again.to_str().unwrap(), "-q"]);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.join("summary.json")).unwrap()).unwrap();
    let first = first_run(&full.join("runs.csv"), "70", "cost.total_usd");
    assert_eq!(summary["cost"]["total_usd"].as_f64().unwrap(), first);
}

/// `metric` of replication 0 of the configuration whose target is `target`, from a sweep's runs.csv.
fn first_run(runs: &Path, target: &str, metric: &str) -> f64 {
    let mut reader = csv::Reader::from_path(runs).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let record = reader
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[at(TARGET)] == target && &r[at("replication")] == "0")
        .unwrap();
    record[at(metric)].parse().unwrap()
}

/// A figure of best.json's `metrics` as written. The text is compared, not a value parsed by
/// serde_json, whose default float parser is not always correctly rounded (it read
/// 104.67792922001233 as 104.67792922001232).
fn metric_text(out: &Path, metric: &str) -> String {
    let text = std::fs::read_to_string(out.join("best.json")).unwrap();
    let metrics = &text[text.find("\"metrics\": {").unwrap()..];
    let start = metrics.find(&format!("\"{metric}\": ")).unwrap() + metric.len() + 4;
    metrics[start..].split([',', '\n']).next().unwrap().trim().to_string()
}

/// The full sweep of an optimize file's grid: the same scenario, axes, variants and
/// replications, under `[sweep]`, with the objective and constrained figures as metrics.
fn sweep_of(optimize: &str, scenario_dir: &str, metrics: &str) -> String {
    optimize
        .lines()
        .filter(|line| !["minimize", "subject_to", "budget"].iter().any(|key| line.starts_with(key)))
        .map(|line| match line {
            "[optimize]" => format!("[sweep]\nmetrics = {metrics}"),
            _ if line.starts_with("scenario = \"") => {
                line.replacen("scenario = \"", &format!("scenario = \"{scenario_dir}/"), 1)
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The shipped question on its full grid (39 configurations × 10 replications: the sweep is
/// 390 runs, about 10 s of CPU in a release build and ten times that in a debug one, so it
/// runs where CI runs, `cargo test --release`).
#[test]
#[cfg_attr(debug_assertions, ignore = "slow in a debug build (390 + 115 runs); CI runs it with --release")]
fn cheapest_meeting_slo_finds_the_full_sweeps_answer_with_under_a_third_of_its_runs() {
    let dir = TempDir::new("optimize-cms");
    let (out, full) = (dir.join("out"), dir.join("full"));
    let shipped = "scenarios/cheapest-meeting-slo.toml";
    run_ok(&["optimize", shipped, "--out", out.to_str().unwrap(), "-j", "2"]);
    let scenarios = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(shipped).unwrap();
    let sweep = write(&dir, "sweep.toml", &sweep_of(&text, &scenarios, "[\"cost.total_usd\", \"latency.p99_ms\"]"));
    run_ok(&["sweep", sweep.to_str().unwrap(), "--out", full.to_str().unwrap(), "-j", "2"]);
    // The sweep's answer: the least mean cost among configurations whose mean run p99 is at most 200 ms.
    let mut reader = csv::Reader::from_path(full.join("summary.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let key = "services[api].auto_scaling.target_tracking[cpu].target_value";
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 39);
    let number = |row: &csv::StringRecord, name: &str| row[at(name)].parse::<f64>().unwrap();
    let answer = rows
        .iter()
        .filter(|row| number(row, "latency.p99_ms.mean") <= 200.0)
        .min_by(|a, b| number(a, "cost.total_usd.mean").total_cmp(&number(b, "cost.total_usd.mean")))
        .unwrap();
    let chosen = best(&out);
    assert_eq!(chosen["variant"], &answer[at("variant")]);
    assert_eq!(chosen["values"][key].to_string(), &answer[at(key)]);
    // Same replications, same seeds: best.json's figures are the sweep's means exactly, to the
    // last written digit.
    for metric in ["cost.total_usd", "latency.p99_ms"] {
        assert_eq!(metric_text(&out, metric), &answer[at(&format!("{metric}.mean"))], "{metric}");
    }
    // Fargate at 55% (the scenario's header), resolved within the budget of a third of the sweep.
    assert_eq!((chosen["variant"].as_str(), chosen["values"][key].as_i64()), (Some("fargate"), Some(55)));
    assert_eq!(chosen["resolved"], true);
    assert_eq!(chosen["full_grid_runs"], 390);
    let runs = chosen["runs"].as_u64().unwrap();
    assert!(3 * runs <= 390, "{runs} runs: more than a third of the sweep");
    // 39 (round 0), then: Fargate 55%, 60% and 70% to all 10 (settled: 3 · 9); Fargate 65% and
    // EC2 60% to 8 (certainly over: their p99 sums pass 10 · 200 ms; 2 · 7); EC2 75% to 8 and
    // EC2 65% and 70% to 4 (clearly over at the t bound: 7 + 2 · 3); EC2 55% to 4 (clearly
    // dearer: 3); Fargate 75% to 4 (certainly over: 3); EC2 80% to 2 (clearly over: 1); EC2 and
    // EC2-spare25 85-90% and Fargate 80-90% to 2 (certainly over: 7 · 1) = 39 + 68 = 107; the 22
    // other dearer configurations stay at one replication.
    assert_eq!(runs, 107);
    let trials = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    let count = |status: &str| trials.lines().filter(|l| l.split(',').nth(5) == Some(status)).count();
    assert_eq!(
        [count("settled"), count("certainly_infeasible"), count("clearly_infeasible"), count("clearly_dearer")],
        [3, 10, 4, 22]
    );
}

#[test]
fn when_nothing_is_feasible_it_says_which_constraint_binds_and_how_close_the_best_came() {
    let dir = TempDir::new("optimize-infeasible");
    let file =
        optimize_file(&dir, "minimize = \"cost.total_usd\"\nsubject_to = [\"cost.total_usd <= 0.5\"]\nbudget = 7\n");
    let out = dir.join("out");
    let said = run_ok(&["optimize", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    // The cheapest is the 90% target (cost 0.6165 on the sweep's mean; replication 0 here).
    assert!(said.contains("no configuration met every constraint; the closest is configuration 6"), "{said}");
    assert!(said.contains("cost.total_usd <= 0.5 binds"), "{said}");
    let chosen = best(&out);
    assert_eq!(chosen["feasible"], false);
    assert_eq!(chosen["binding"], "cost.total_usd <= 0.5");
    assert_eq!(chosen["runs"], 7);
}

#[test]
fn figure_names_are_checked_before_anything_runs_and_set_applies() {
    let dir = TempDir::new("optimize-names");
    let file =
        optimize_file(&dir, "minimize = \"cost.totl_usd\"\nsubject_to = [\"latency.p99ms <= 200\"]\nbudget = 7\n");
    let out = dir.join("out");
    let o = ecsim(&["optimize", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "optimize.minimize `cost.totl_usd` is not a figure this scenario reports; did you mean `cost.total_usd`?"
        ),
        "{err}"
    );
    assert!(err.contains(":6:16: optimize.subject_to[0] `latency.p99ms`"), "{err}");
    assert!(!out.exists());

    // A scenario given to optimize names the command it needs.
    let o = ecsim(&["optimize", "scenarios/quickstart.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is a scenario, not an optimize file; use `ecsim run"));

    // --set changes the base scenario before the variants: a seed of 7 is in best.toml.
    let file = optimize_file(&dir, "minimize = \"cost.total_usd\"\nbudget = 7\n");
    run_ok(&["optimize", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "simulation.seed=7"]);
    let text = std::fs::read_to_string(out.join("best.toml")).unwrap();
    assert!(text.contains("seed = 7"), "{text}");
}
