//! `--set` on `run` and `sweep`, and `ecsim diff` with `--fail-if`, through
//! the real binary.
//!
//! The run pair: the quickstart as it is (A) and with
//! `--set spot.fargate.discount=0.6` (B). The discount only prices
//! FARGATE_SPOT (the simulation, with the same seed and streams, is the
//! same): a billed FARGATE_SPOT hour costs the on-demand price × (1 − discount),
//! so in B it costs (1 − 0.6) / (1 − 0.7) = 4/3 of A's, FARGATE_SPOT's cost
//! rises by a third, and only the cost figures that include it change.

use crate::common::{TempDir, ecsim};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const DISCOUNT: &str = "spot.fargate.discount=0.6";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(out: &TempDir, set: &[&str]) {
    let mut args = vec!["run", "scenarios/quickstart.toml", "--out", out.arg(), "--quiet"];
    for s in set {
        args.extend(["--set", s]);
    }
    let o = ecsim(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn number(v: &Value, path: &str) -> f64 {
    let found = path.split('.').fold(v, |v, k| &v[k]);
    found.as_f64().unwrap_or_else(|| panic!("{path} is not a number: {found}"))
}

fn diff(a: &TempDir, b: &TempDir, more: &[&str]) -> Output {
    let mut args = vec!["diff", a.arg(), b.arg()];
    args.extend(more);
    ecsim(&args)
}

/// diff.csv rows as (metric, [a, b, change, relative_change]).
fn csv_rows(dir: &TempDir) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(dir.join("diff.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("metric,a,b,change,relative_change"));
    lines
        .map(|line| {
            let mut cells = line.split(',').map(str::to_string);
            (cells.next().unwrap(), cells.collect())
        })
        .collect()
}

/// Within a few units in the last place: the figures are sums of many
/// floating-point terms, and the ratio 4/3 is exact only in real numbers.
fn same(actual: f64, expected: f64) {
    assert!((actual - expected).abs() <= 1e-12 * expected.abs(), "{actual} != {expected}");
}

#[test]
fn a_run_against_itself_lists_nothing_and_passes() {
    let (a, out) = (TempDir::new("self"), TempDir::new("self-out"));
    run(&a, &[]);
    let o = diff(
        &a,
        &a,
        &["--out", out.arg(), "--fail-if", "cost.total_usd > +0%", "--fail-if", "slo.violation_minutes > 0"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("\nno figure differs ("), "{stdout}");
    assert!(!stdout.contains("provenance that differs"), "{stdout}");
    assert!(stdout.contains("--fail-if cost.total_usd > +0%: does not hold (change +0.00%)"), "{stdout}");
    assert_eq!(std::fs::read_to_string(out.join("diff.csv")).unwrap(), "metric,a,b,change,relative_change\n");
}

#[test]
fn set_changes_the_scenario_and_diff_gives_the_exact_change() {
    let (a, b, out) = (TempDir::new("base"), TempDir::new("discount"), TempDir::new("diff-out"));
    run(&a, &[]);
    run(&b, &[DISCOUNT]);

    // The written scenario is the overridden document, and says so on top.
    let written = std::fs::read_to_string(b.join("scenario.toml")).unwrap();
    assert!(written.starts_with("# quickstart.toml with overrides from the command line"), "{written}");
    assert!(written.contains(&format!("#   --set {DISCOUNT}\n")), "{written}");
    let doc: toml::Table = written.parse().unwrap();
    assert_eq!(doc["spot"]["fargate"]["discount"].as_float(), Some(0.6));
    // Without --set the copy is the file itself.
    assert_eq!(
        std::fs::read_to_string(a.join("scenario.toml")).unwrap(),
        std::fs::read_to_string("scenarios/quickstart.toml").unwrap()
    );

    let (sa, sb) = (summary(a.path()), summary(b.path()));
    assert_eq!(sb["overrides"], serde_json::json!([DISCOUNT]));
    assert!(sa.get("overrides").is_none());
    // The same simulation (equal task-hours), FARGATE_SPOT priced 4/3 as high.
    let spot_a = number(&sa, "cost.by_provider.FARGATE_SPOT");
    assert_eq!(number(&sa, "tasks.task_hours.FARGATE_SPOT"), number(&sb, "tasks.task_hours.FARGATE_SPOT"));
    same(number(&sb, "cost.by_provider.FARGATE_SPOT"), spot_a * 4.0 / 3.0);
    assert_eq!(number(&sa, "cost.by_provider.FARGATE"), number(&sb, "cost.by_provider.FARGATE"));

    let o = diff(&a, &b, &["--out", out.arg()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    let overrides = stdout.lines().find(|l| l.starts_with("  overrides ")).unwrap_or_default();
    assert!(overrides.contains(" (none) ") && overrides.ends_with(&format!(" ->  {DISCOUNT}")), "{stdout}");
    assert!(stdout.contains("\n7 of "), "{stdout}");

    // Exactly the cost figures that include FARGATE_SPOT change, each by a
    // third of A's FARGATE_SPOT cost (the monthly figure scaled to 730 hours),
    // and FARGATE_SPOT's own cost by +1/3.
    let rows = csv_rows(&out);
    let mut metrics: Vec<&str> = rows.iter().map(|(m, _)| m.as_str()).collect();
    metrics.sort_unstable();
    assert_eq!(
        metrics,
        [
            "cost.by_item.compute",
            "cost.by_provider.FARGATE_SPOT",
            "cost.by_service.web",
            "cost.monthly_usd",
            "cost.total_usd",
            "services.web.cost_by_item.compute",
            "services.web.cost_usd"
        ]
    );
    let row_of = |m: &str| rows.iter().position(|(name, _)| name == m).unwrap();
    let cell = |row: usize, column: usize| rows[row].1[column].parse::<f64>().unwrap();
    for (row, (name, _)) in rows.iter().enumerate() {
        if name != "cost.monthly_usd" {
            same(cell(row, 2), spot_a / 3.0);
        }
        assert_eq!(cell(row, 2), cell(row, 1) - cell(row, 0));
        assert_eq!(cell(row, 3), (cell(row, 1) - cell(row, 0)) / cell(row, 0));
    }
    same(cell(row_of("cost.by_provider.FARGATE_SPOT"), 3), 1.0 / 3.0);
    let total = row_of("cost.total_usd");
    assert_eq!(cell(total, 0), number(&sa, "cost.total_usd"));
    assert_eq!(cell(total, 1), number(&sb, "cost.total_usd"));
}

#[test]
fn fail_if_exits_4_when_a_condition_holds_and_0_otherwise() {
    let (a, b) = (TempDir::new("gate-a"), TempDir::new("gate-b"));
    run(&a, &[]);
    run(&b, &[DISCOUNT]);
    // Worked from the quickstart (seed 7): FARGATE_SPOT costs $0.46379 in A,
    // so the total rises by a third of it, $0.15460, from $2.16350: +7.146%.
    // Availability is 1 in both (every request served): change 0.
    let total_a = number(&summary(a.path()), "cost.total_usd");
    let change = number(&summary(a.path()), "cost.by_provider.FARGATE_SPOT") / 3.0;
    assert_eq!(format!("{change:.5} {total_a:.5} {:.5}", change / total_a), "0.15460 2.16350 0.07146");

    let gate = |conditions: &[&str]| {
        let args: Vec<&str> = conditions.iter().flat_map(|c| ["--fail-if", *c]).collect();
        diff(&a, &b, &args)
    };
    // Relative: +7.15% is above +5%, not above +8%.
    let o = gate(&["cost.total_usd > +5%", "requests.availability < -0.001"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("--fail-if cost.total_usd > +5%: HOLDS (change +7.15%)"), "{stdout}");
    assert!(stdout.contains("--fail-if requests.availability < -0.001: does not hold (change 0)"), "{stdout}");
    assert_eq!(text(&o.stderr), "fail-if: 1 of 2 --fail-if condition(s) hold: cost.total_usd > +5% (change +7.15%)\n");
    let o = gate(&["cost.total_usd > +8%", "requests.availability < -0.001"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Absolute: +$0.1546 is above 0.15, not above 0.16.
    assert_eq!(gate(&["cost.total_usd > 0.15"]).status.code(), Some(4));
    assert_eq!(gate(&["cost.total_usd > 0.16"]).status.code(), Some(0));
    // A decrease from B to A: the same gate the other way round.
    let o = diff(&b, &a, &["--fail-if", "cost.total_usd < -0.15"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
}

#[test]
fn fail_if_on_an_unknown_or_provenance_metric_is_an_input_error() {
    let a = TempDir::new("unknown");
    run(&a, &[]);
    let o = diff(&a, &a, &["--fail-if", "cost.totl_usd > +5%"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "error: --fail-if `cost.totl_usd > +5%`: `cost.totl_usd` is missing from both runs; did you mean `cost.total_usd`?\n"
    );
    assert!(o.stdout.is_empty(), "nothing is printed before the conditions are checked");
    let o = diff(&a, &a, &["--fail-if", "seed > 0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("`seed` is provenance"), "{}", text(&o.stderr));
    let o = diff(&a, &a, &["--fail-if", "cost.total_usd == 0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("no comparison operator"), "{}", text(&o.stderr));
}

#[test]
fn runs_of_different_scenarios_and_one_sided_figures_are_said() {
    let dir = TempDir::new("crafted");
    let write = |name: &str, v: Value| {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(dir.join(name).join("summary.json"), v.to_string()).unwrap();
    };
    write(
        "a",
        serde_json::json!({"scenario": "one", "cost": {"total_usd": 1.0}, "services": {"web": {"cost_usd": 1.0}}}),
    );
    write(
        "b",
        serde_json::json!({"scenario": "two", "cost": {"total_usd": 1.0}, "services": {"api": {"cost_usd": 1.0}}}),
    );
    let o = ecsim(&["diff", dir.join("a").to_str().unwrap(), dir.join("b").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("note: A and B are runs of different scenarios (one and two)"), "{stdout}");
    assert!(stdout.contains("no figure differs (1 compared)\nonly in A (1):\n  services.web.cost_usd\nonly in B (1):\n  services.api.cost_usd\n"), "{stdout}");
    // Not a run directory: said, with what to pass.
    let o = ecsim(&["diff", dir.arg(), dir.join("b").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("has no summary.json; expected a run directory"), "{}", text(&o.stderr));
}

#[test]
fn set_errors_name_the_override_and_suggest() {
    let out = TempDir::new("bad-set");
    let target = out.join("never");
    let run_with =
        |set: &str| ecsim(&["run", "scenarios/quickstart.toml", "--out", target.to_str().unwrap(), "--set", set]);
    let o = run_with("services[wbe].desired_count=6");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "error: scenarios/quickstart.toml: --set `services[wbe].desired_count=6`: at `[wbe]`: no element of \
         `services` is named `wbe`; names: `web`; did you mean `web`?\n"
    );
    let o = run_with("services[web].desird_count=6");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).ends_with("did you mean `desired_count`?\n"), "{}", text(&o.stderr));
    let o = run_with("simulation.duration=2h");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "error: scenarios/quickstart.toml: --set `simulation.duration=2h`: `2h` is not a TOML value; quote a \
         string: `simulation.duration=\"2h\"` (in a shell, inside single quotes: 'simulation.duration=\"2h\"')\n"
    );
    // A well-formed value the scenario rejects: every check still runs.
    let o = run_with("services[web].auto_scaling.max_capacity=1");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "error: scenarios/quickstart.toml: services[web].auto_scaling.min_capacity: min_capacity 2 is greater than \
         max_capacity 1\n"
    );
    assert!(!target.exists(), "nothing is written");
}

#[test]
fn set_keeps_the_files_own_problems_at_their_line() {
    let dir = TempDir::new("own-problem");
    let file = dir.join("bad.toml");
    let quickstart = std::fs::read_to_string("scenarios/quickstart.toml").unwrap();
    std::fs::write(&file, quickstart.replace("min_capacity = 2", "min_capacity = 40")).unwrap();
    let line = quickstart.lines().position(|l| l == "min_capacity = 2").unwrap() + 1;
    let o = ecsim(&["run", file.to_str().unwrap(), "--set", DISCOUNT]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        format!(
            "error: {}:{line}:1: services[web].auto_scaling.min_capacity: min_capacity 40 is greater than max_capacity 30\n",
            file.display()
        )
    );
}

#[test]
fn set_on_a_sweep_changes_the_base_scenario_under_the_axes() {
    let dir = TempDir::new("sweep-set");
    let sweep = dir.join("sweep.toml");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    std::fs::write(
        &sweep,
        format!(
            "[sweep]\nname = \"s\"\nscenario = \"{}\"\n[[axes]]\nkey = \"services[web].auto_scaling.target_tracking[cpu50].target_value\"\nvalues = [40, 70]\n",
            scenario.display()
        ),
    )
    .unwrap();
    let (plain, set) = (dir.join("plain"), dir.join("set"));
    for (out, extra) in [(&plain, None), (&set, Some(DISCOUNT))] {
        let mut args = vec!["sweep", sweep.to_str().unwrap(), "--out", out.to_str().unwrap(), "-j", "2", "--keep-runs"];
        if let Some(s) = extra {
            args.extend(["--set", s]);
        }
        let o = ecsim(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let read = |dir: &Path| {
        csv::Reader::from_path(dir.join("runs.csv"))
            .unwrap()
            .into_deserialize::<std::collections::BTreeMap<String, String>>()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    let (rows_plain, rows_set) = (read(&plain), read(&set));
    assert_eq!(rows_plain.len(), 2);
    let axis = "services[web].auto_scaling.target_tracking[cpu50].target_value";
    for (p, s) in rows_plain.iter().zip(&rows_set) {
        // The axis still applies on top of the override...
        assert_eq!(p[axis], s[axis]);
        // ...and in every configuration FARGATE_SPOT costs 4/3 as much.
        let cost =
            |r: &std::collections::BTreeMap<String, String>| r["cost.by_provider.FARGATE_SPOT"].parse::<f64>().unwrap();
        same(cost(s), cost(p) * 4.0 / 3.0);
        assert_eq!(p["tasks.task_hours.FARGATE_SPOT"], s["tasks.task_hours.FARGATE_SPOT"]);
    }
    let copy = std::fs::read_to_string(set.join("scenario.toml")).unwrap();
    assert!(copy.contains(&format!("#   --set {DISCOUNT}\n")), "{copy}");
    let kept = summary(&set.join("runs/base/0/0"));
    assert_eq!(kept["overrides"], serde_json::json!([DISCOUNT]));
    // A --set on the swept key would never show: refused.
    let o = ecsim(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        dir.join("never").to_str().unwrap(),
        "--set",
        &format!("{axis}=50"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("axes[0] of the sweep sets the same key"), "{}", text(&o.stderr));
}

#[test]
fn charts_overlay_both_runs_and_draw_their_difference() {
    let (a, b, out) = (TempDir::new("chart-a"), TempDir::new("chart-b"), TempDir::new("chart-out"));
    run(&a, &[]);
    run(&b, &[DISCOUNT]);
    let o = diff(&a, &b, &["--out", out.arg(), "--charts"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut files: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    // The quickstart's cluster is `default`; no request failed in either run,
    // so there is no failed-requests chart.
    let stems = ["diff-cost-default", "diff-service-web-latency", "diff-service-web-tasks"];
    let expected: Vec<String> = stems.iter().flat_map(|s| [format!("{s}.png"), format!("{s}.svg")]).collect();
    assert_eq!(files, expected);
    let svg = std::fs::read_to_string(out.join("charts/diff-cost-default.svg")).unwrap();
    assert!(svg.contains("B − A"), "the difference panel is drawn");
    // --charts needs a directory to write to.
    assert_eq!(diff(&a, &b, &["--charts"]).status.code(), Some(2));
}
