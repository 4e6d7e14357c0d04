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
    // Round 0 runs the 7 configurations once; the best third (3) get 3 replications (6 more,
    // 13 runs); the best of those is the one survivor, and the one run left in the budget of
    // 14 (a third of the sweep's 42) gives it a fourth replication.
    assert_eq!(chosen["runs"], 14);
    assert_eq!(chosen["full_grid_runs"], 42);
    assert_eq!(chosen["replications"], 4);
    assert_eq!(chosen["rounds"], 3);
    // Replications 0..3 of the full sweep are the search's (common random numbers), so
    // the objective is the mean of the sweep's first four runs of that configuration.
    let runs = std::fs::read_to_string(full.join("runs.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(runs.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let first_four: Vec<f64> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[at(TARGET)] == "70" && r[at("replication")].parse::<u32>().unwrap() < 4)
        .map(|r| r[at("cost.total_usd")].parse().unwrap())
        .collect();
    assert_eq!(first_four.len(), 4);
    let objective = chosen["objective"].as_f64().unwrap();
    assert!((objective - first_four.iter().sum::<f64>() / 4.0).abs() < 1e-12, "{objective} vs {first_four:?}");
    assert!(
        (objective - cost).abs() / cost < 0.05,
        "the 4-replication mean {objective} is near the 6-replication {cost}"
    );
    assert!(said.contains("best is configuration 4"), "{said}");

    // trials.csv: all 7 configurations tried; the chosen one is marked.
    let trials = std::fs::read_to_string(one.join("trials.csv")).unwrap();
    assert_eq!(trials.lines().count(), 8);
    assert_eq!(trials.lines().filter(|l| l.contains(",true,true,")).count(), 1);
    // best.toml runs as is, with the chosen target in it.
    let text = std::fs::read_to_string(one.join("best.toml")).unwrap();
    assert!(text.contains("target_value = 70"), "{text}");
    let again = dir.join("again");
    run_ok(&["run", one.join("best.toml").to_str().unwrap(), "--out", again.to_str().unwrap(), "-q"]);
}

#[test]
fn cheapest_meeting_slo_uses_a_third_of_the_full_sweeps_runs() {
    let dir = TempDir::new("optimize-cms");
    let out = dir.join("out");
    run_ok(&["optimize", "scenarios/cheapest-meeting-slo.toml", "--out", out.to_str().unwrap(), "-j", "2"]);
    let chosen = best(&out);
    // The search's choice: Fargate at a 70% target on 3 replications. Since
    // overloaded tasks fail health checks, the full sweep (5 replications)
    // puts that setting at a mean p99 of 234 ms and prefers Fargate at 60%:
    // the two no longer agree (see the scenario's header).
    assert_eq!(chosen["variant"], "fargate");
    assert_eq!(chosen["values"]["services[api].auto_scaling.target_tracking[cpu].target_value"], 70);
    assert_eq!(chosen["runs"], 15);
    assert_eq!(chosen["full_grid_runs"], 45);
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
