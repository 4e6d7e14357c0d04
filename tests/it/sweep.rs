//! `ecsim sweep`: outputs, thread-count independence, common random numbers, errors.

use crate::common::ecsim;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn sweep(jobs: &str, name: &str) -> PathBuf {
    let dir = out_dir(name);
    let o = ecsim(&["sweep", "tests/fixtures/small-sweep.toml", "--out", dir.to_str().unwrap(), "-j", jobs]);
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
    for f in ["runs.csv", "summary.csv"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between -j 1 and -j 2"
        );
    }
    let runs = rows(&a);
    // 2 axis values × 2 variants × 3 replications.
    assert_eq!(runs.len(), 12);
    assert!(runs.iter().all(|r| r["status"] == "ok"));
    let summary = std::fs::read_to_string(a.join("summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    assert!(header.contains("cost.total_usd.mean,cost.total_usd.sd,cost.total_usd.ci95"), "{header}");
}

#[test]
fn common_random_numbers_keep_what_a_variant_does_not_change() {
    let runs = rows(&sweep("2", "crn"));
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
    let dir = out_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
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
