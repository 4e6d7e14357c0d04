//! `ecsim sweep`: outputs, thread-count independence, common random numbers, errors.

use crate::common::{TempDir, ecsim};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn sweep(jobs: &str, name: &str) -> TempDir {
    let dir = TempDir::new(name);
    let o = ecsim(&["sweep", "tests/fixtures/small-sweep.toml", "--out", dir.arg(), "-j", jobs]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

/// runs.csv as rows of column -> value.
fn rows(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

#[test]
fn one_and_two_threads_write_identical_files() {
    let (a, b) = (sweep("1", "j1"), sweep("2", "j2"));
    let (a, b) = (a.path(), b.path());
    for f in ["runs.csv", "summary.csv"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between -j 1 and -j 2"
        );
    }
    let runs = rows(a);
    // 2 axis values × 2 variants × 3 replications.
    assert_eq!(runs.len(), 12);
    assert!(runs.iter().all(|r| r["status"] == "ok"));
    let summary = std::fs::read_to_string(a.join("summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    assert!(header.contains("cost.total_usd.mean,cost.total_usd.sd,cost.total_usd.ci95"), "{header}");
}

#[test]
fn common_random_numbers_keep_what_a_variant_does_not_change() {
    let runs = rows(sweep("2", "crn").path());
    let key = |r: &BTreeMap<String, String>| {
        (r["services[web].auto_scaling.target_tracking[cpu50].target_value"].clone(), r["replication"].clone())
    };
    type Row = BTreeMap<String, String>;
    let mut by_variant: BTreeMap<String, BTreeMap<(String, String), Row>> = BTreeMap::new();
    for r in &runs {
        by_variant.entry(r["variant"].clone()).or_default().insert(key(r), r.clone());
    }
    let base = &by_variant["base"];
    let other = &by_variant["unused-ec2-spot-discount"];
    // The EC2 spot discount cannot change a Fargate-only scenario.
    for (k, r) in base {
        let o = &other[k];
        for (col, v) in r {
            if !["configuration", "variant"].contains(&col.as_str()) {
                assert_eq!(v, &o[col], "{col} differs for {k:?}");
            }
        }
    }
    // A different scaling target does not change the offered workload: same replication, same requests.
    for rep in ["0", "1", "2"] {
        let totals: Vec<&String> = base.iter().filter(|(k, _)| k.1 == rep).map(|(_, r)| &r["requests.total"]).collect();
        assert!(totals.windows(2).all(|w| w[0] == w[1]), "offered requests differ across targets: {totals:?}");
    }
    // But it does change the outcome.
    let costs: Vec<&String> = base.iter().filter(|(k, _)| k.1 == "0").map(|(_, r)| &r["cost.total_usd"]).collect();
    assert_ne!(costs[0], costs[1]);
}

#[test]
fn an_unknown_key_is_an_error_naming_the_variant_before_anything_runs() {
    let dir = TempDir::new("bad");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small-sweep.toml"),
    )
    .unwrap()
    .replace("spot.discount", "spot.discont")
    .replace("../../scenarios/quickstart.toml", &format!("{}/scenarios/quickstart.toml", env!("CARGO_MANIFEST_DIR")));
    let file = dir.join("bad-sweep.toml");
    std::fs::write(&file, text).unwrap();
    let o = ecsim(&["sweep", file.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("discont") && err.contains("unused-ec2-spot-discount"), "{err}");
    assert!(!dir.join("out").join("runs.csv").exists());
}

/// The small sweep's text with its `[[variants]]` replaced by `variants` and
/// `metrics` by `metrics`, written to a fresh directory; returns (dir, file).
fn custom_sweep(name: &str, metrics: &str, variants: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(name);
    let quickstart = format!("{}/scenarios/quickstart.toml", env!("CARGO_MANIFEST_DIR"));
    let text = format!(
        "[sweep]\nname = \"{name}\"\nscenario = \"{quickstart}\"\nreplications = 2\nmetrics = {metrics}\n\n\
         [[variants]]\nname = \"base\"\n\n{variants}"
    );
    let file = dir.join("sweep.toml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

#[test]
fn a_rejected_variant_value_fails_its_runs_and_the_others_are_written() {
    // min_capacity 500 has the right type but is above max_capacity 30: that variant's runs
    // fail with the reason; the base variant's still run, and the sweep exits non-zero.
    let variants = "[[variants]]\nname = \"too-high\"\nset = { \"services[web].auto_scaling.min_capacity\" = 500 }\n";
    let (dir, file) = custom_sweep("rejected", "[\"cost.total_usd\"]", variants);
    let out = dir.join("out");
    let o = ecsim(&["sweep", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "-j", "2"]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("configuration 1 (variant \"too-high\") will not run"), "{err}");
    assert!(err.contains("2 of 4 runs failed"), "{err}");
    let runs = rows(&out);
    let status: Vec<(&str, &str)> = runs.iter().map(|r| (r["variant"].as_str(), r["status"].as_str())).collect();
    assert_eq!(status, [("base", "ok"), ("base", "ok"), ("too-high", "error"), ("too-high", "error")]);
    assert!(runs[2]["error"].contains("min_capacity 500 is greater than max_capacity 30"), "{:?}", runs[2]);
    assert!(!runs[0]["cost.total_usd"].is_empty());
    assert!(out.join("summary.csv").is_file());
}

#[test]
fn a_value_of_the_wrong_type_stops_the_sweep_before_anything_runs() {
    let variants = "[[variants]]\nname = \"words\"\nset = { \"services[web].desired_count\" = \"many\" }\n";
    let (dir, file) = custom_sweep("wrong-type", "[\"cost.total_usd\"]", variants);
    let out = dir.join("out");
    let o = ecsim(&["sweep", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("services[web].desired_count: invalid type: string \"many\""), "{err}");
    assert!(err.contains("variant \"words\""), "{err}");
    assert!(!out.exists());
}

#[test]
fn runs_csv_column_names_are_unique() {
    let dir = sweep("1", "unique");
    let dir = dir.path();
    let mut r = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let unique: std::collections::BTreeSet<&String> = headers.iter().collect();
    assert_eq!(unique.len(), headers.len(), "repeated columns in {headers:?}");
    assert_eq!(headers.iter().filter(|h| *h == "replication" || *h == "seed").count(), 2);
}

#[test]
fn a_misspelt_metric_is_refused_before_anything_runs_with_a_suggestion() {
    let (dir, file) = custom_sweep("bad-metric", "[\"cost.total_usd\", \"cost.totl_usd\"]", "");
    let out = dir.join("out");
    let o = ecsim(&["sweep", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    // Line 5 is `metrics = [...]`; the second name's text starts at column 31.
    let expected = format!(
        "{}:5:31: sweep.metrics[1] `cost.totl_usd` is not a figure this scenario reports; did you mean `cost.total_usd`?",
        file.display()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(!out.exists());
    // `validate` says the same, without running the sweep.
    let o = ecsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(&expected));
}

#[test]
fn each_command_names_the_command_a_file_of_another_kind_needs() {
    let o = ecsim(&["run", "tests/fixtures/small-sweep.toml", "--out", "/nonexistent/x"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "error: tests/fixtures/small-sweep.toml is a sweep file (it has a [sweep] table), not a scenario; \
         use `ecsim sweep tests/fixtures/small-sweep.toml`"
    );
    let o = ecsim(&["sweep", "scenarios/quickstart.toml", "--out", "/nonexistent/x"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "error: scenarios/quickstart.toml is a scenario, not a sweep file; use `ecsim run scenarios/quickstart.toml`"
    );
}

/// A two-hour sweep of the reference scenario (three services) with `axes`.
fn reference_sweep(name: &str, axes: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(name);
    let reference = format!("{}/scenarios/reference.toml", env!("CARGO_MANIFEST_DIR"));
    let text = format!(
        "[sweep]\nname = \"{name}\"\nscenario = \"{reference}\"\nmetrics = [\"cost.total_usd\"]\n\n\
         [[variants]]\nname = \"short\"\nset = {{ \"simulation.duration\" = \"2h\", \"events\" = [] }}\n\n{axes}"
    );
    let file = dir.join("sweep.toml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

#[test]
fn linked_axes_move_together_and_a_wildcard_sets_every_service() {
    let axes = "[[axes]]\nkeys = [\"services[web].desired_count\", \"services[api].desired_count\"]\n\
                values = [[2, 3], [4, 6]]\n\n\
                [[axes]]\nkey = \"services[*].deployment_configuration.minimum_healthy_percent\"\nvalues = [50, 100]\n";
    let (dir, file) = reference_sweep("linked", axes);
    let out = dir.join("out");
    let o = ecsim(&["sweep", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "-j", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Two rows × two values: four configurations, not 2 × 2 × 2.
    let cells: Vec<(String, String, String)> = rows(&out)
        .iter()
        .map(|r| {
            let get = |k: &str| r.get(k).cloned().unwrap_or_else(|| panic!("no column {k} in {r:?}"));
            (
                get("services[web].desired_count"),
                get("services[api].desired_count"),
                get("services[*].deployment_configuration.minimum_healthy_percent"),
            )
        })
        .collect();
    let owned = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(cells, [owned("2", "3", "50"), owned("2", "3", "100"), owned("4", "6", "50"), owned("4", "6", "100")]);
}

#[test]
fn a_linked_axis_row_of_the_wrong_width_is_refused_at_its_line() {
    let axes = "[[axes]]\nkeys = [\"services[web].desired_count\", \"services[api].desired_count\"]\n\
                values = [[2, 3], [4]]\n";
    let (_dir, file) = reference_sweep("linked-bad", axes);
    let o = ecsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "sweep.toml:12:10: axes[0] (`services[web].desired_count`, `services[api].desired_count`): \
             values[1] is [4]; with 2 linked keys each value is a row of 2 values, one per key"
        ),
        "{err}"
    );
}

#[test]
fn the_offered_load_is_exactly_the_same_whatever_a_target_changes() {
    // The reference scenario, replication 4, at CPU targets 60 and 70 (a pair of the reference
    // sweep that once differed in the last digit): tasks, events and the integration pieces all
    // differ, yet the offered requests agree to the last bit, since they are added once per
    // clock interval, not per piece.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let base = std::fs::read_to_string(dir.join("reference.toml")).unwrap();
    let totals: Vec<(u64, u64, u64)> = ["60", "70"]
        .iter()
        .map(|target| {
            let text = base.replacen("target_value = 60", &format!("target_value = {target}"), 1);
            let sc = ecsim::scenario::load_str(&text, "reference.toml", &dir).unwrap_or_else(|d| panic!("{d}"));
            let opts = crate::common::opts();
            let s = ecsim::model::simulate(&sc, 4, opts, Box::new(ecsim::model::record::NullSink)).unwrap().summary;
            let f = |k: &str| crate::common::fig(&s, k).to_bits();
            (f("requests.total"), f("services.web.requests.total"), f("cost.total_usd"))
        })
        .collect();
    assert!(totals[0].0 == totals[1].0 && totals[0].1 == totals[1].1, "{totals:?}");
    assert!(totals[0].2 != totals[1].2, "the targets do change the outcome");
}

#[test]
fn an_invalid_base_scenario_stops_the_sweep_before_anything_runs() {
    let dir = TempDir::new("bad-base");
    let quickstart =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml")).unwrap();
    std::fs::write(dir.join("base.toml"), quickstart.replace("max_capacity = 30", "max_capacity = 1")).unwrap();
    std::fs::write(dir.join("sweep.toml"), "[sweep]\nname = \"b\"\nscenario = \"base.toml\"\n").unwrap();
    let out = dir.join("out");
    let o = ecsim(&["sweep", dir.join("sweep.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("services[web].auto_scaling.min_capacity: min_capacity 2 is greater than max_capacity 1"),
        "{err}"
    );
    assert!(!out.exists());
}
