//! Sweeps split into shards (`ecsim sweep --shard K/N`) and merged back
//! (`ecsim sweep merge`): the merged files must be byte-identical to one
//! machine's, whatever the number of shards, their order or thread counts;
//! missing, duplicated and foreign shards are named; `--only-missing` runs
//! exactly what is missing; an interrupted shard keeps its finished rows.

use crate::common::{TempDir, ecsim};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const REFERENCE: &str = "scenarios/reference-sweep.toml";
const SMALL: &str = "tests/fixtures/small-sweep.toml";
/// The reference sweep's 320 runs made short: one hour after a 10-minute
/// warm-up, without the scripted events and the spike that fall later in the week.
const SHORT: [&str; 8] = [
    "--set",
    "simulation.duration=\"1h\"",
    "--set",
    "simulation.warmup=\"10m\"",
    "--set",
    "events=[]",
    "--set",
    "services[web].workload.spikes=[]",
];

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "ecsim failed: {}", stderr(&o));
    o
}

/// Every file directly in `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_file())
        .map(|entry| (entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).unwrap()))
        .collect()
}

fn sweep(file: &str, extra: &[&str], out: &Path) -> Output {
    let mut args = vec!["sweep", file, "--out", arg(out)];
    args.extend_from_slice(extra);
    ecsim(&args)
}

fn merge(dirs: &[&Path], out: &Path) -> Output {
    let mut args = vec!["sweep", "merge"];
    args.extend(dirs.iter().map(|dir| arg(dir)));
    args.extend(["--out", arg(out)]);
    ecsim(&args)
}

#[test]
fn shards_of_the_reference_sweep_merge_into_the_unsharded_files() {
    let t = TempDir::new("shards");
    let whole = t.join("whole");
    ok(sweep(REFERENCE, &[&SHORT[..], &["-j", "2"]].concat(), &whole));
    let expected = files(&whole);
    assert_eq!(expected.keys().collect::<Vec<_>>(), ["runs.csv", "scenario.toml", "summary.csv", "sweep.toml"]);
    // 5 targets × 4 weights × 2 variants × 8 replications, and the header.
    assert_eq!(String::from_utf8_lossy(&expected["runs.csv"]).lines().count(), 321);

    // Two shards divide the 320 runs evenly; seven do not (the first 320 mod 7 = 5
    // shards get one run more).
    for count in [2usize, 7] {
        let mut dirs = Vec::new();
        for index in 0..count {
            let dir = t.join(&format!("s{index}-of-{count}"));
            let shard = format!("{index}/{count}");
            ok(sweep(REFERENCE, &[&SHORT[..], &["--shard", &shard, "-j", "1"]].concat(), &dir));
            let manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("shard.json")).unwrap()).unwrap();
            // Round robin: 320 runs over `count` shards, the first 320 mod count get one more.
            let assigned = 320 / count + usize::from(index < 320 % count);
            assert_eq!(manifest["runs_assigned"], assigned, "{shard}");
            assert_eq!(manifest["runs_finished"], assigned, "{shard}");
            assert_eq!(manifest["complete"], true);
            assert_eq!(manifest["shard"], shard.as_str());
            dirs.push(dir);
        }
        // The order of the directories does not matter.
        dirs.reverse();
        let merged = t.join(&format!("merged-{count}"));
        let refs: Vec<&Path> = dirs.iter().map(|dir| dir.as_path()).collect();
        ok(merge(&refs, &merged));
        let got = files(&merged);
        assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{count} shards");
        for (name, bytes) in &expected {
            assert!(&got[name] == bytes, "{name} differs after merging {count} shards");
        }
    }
}

#[test]
fn merge_names_missing_runs_and_only_missing_runs_exactly_those() {
    let t = TempDir::new("missing");
    let whole = t.join("whole");
    ok(sweep(SMALL, &["-j", "1"], &whole));
    // 2 targets × 2 variants × 3 replications = 12 runs; shard 1 of 3 is lost.
    let (s0, s2) = (t.join("s0"), t.join("s2"));
    ok(sweep(SMALL, &["--shard", "0/3"], &s0));
    ok(sweep(SMALL, &["--shard", "2/3"], &s2));
    let merged = t.join("merged");
    let o = merge(&[&s0, &s2], &merged);
    assert_eq!(o.status.code(), Some(1));
    // Shard 1 of 3 holds positions 1, 4, 7, 10: (configuration, replication)
    // (0, 1), (1, 1), (2, 1), (3, 1).
    let expected_message = "error: 4 of 12 runs are missing: configuration 0 replication 1, configuration 1 \
                            replication 1, configuration 2 replication 1, configuration 3 replication 1";
    assert!(stderr(&o).starts_with(expected_message), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("--only-missing {} --only-missing {}", arg(&s0), arg(&s2))));
    assert!(!merged.exists(), "a merge with runs missing wrote {}", merged.display());

    let rest = t.join("rest");
    ok(sweep(SMALL, &["--only-missing", arg(&s0), "--only-missing", arg(&s2)], &rest));
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(rest.join("shard.json")).unwrap()).unwrap();
    assert_eq!(manifest["runs_assigned"], 4);
    assert_eq!(manifest["skipped_as_done"], 8);
    assert_eq!(manifest["shard"], serde_json::Value::Null);
    ok(merge(&[&s2, &rest, &s0], &merged));
    assert_eq!(files(&merged), files(&whole));

    // The same directory twice is a duplicate, named.
    let o = merge(&[&s0, &s0], &t.join("twice"));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("configuration 0 replication 0 is in both {} and {}", arg(&s0), arg(&s0))),
        "{}",
        stderr(&o)
    );
    // A shard of another sweep (the base changed by --set) is refused.
    let other = t.join("other");
    ok(sweep(SMALL, &["--shard", "1/3", "--set", "simulation.seed=7"], &other));
    let o = merge(&[&s0, &other, &s2], &t.join("mixed"));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "{} and {} are not shards of the same sweep (base scenario differs",
            arg(&s0),
            arg(&other)
        )),
        "{}",
        stderr(&o)
    );
    // A copy edited after the shard ran is refused.
    std::fs::write(s2.join("sweep.toml"), "edited").unwrap();
    let o = merge(&[&s2, &s0], &t.join("edited"));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the file differs from the one the shard ran"), "{}", stderr(&o));
}

#[test]
fn the_shard_index_comes_from_aws_batch_or_kubernetes() {
    let t = TempDir::new("auto");
    let expected = t.join("explicit");
    ok(sweep(SMALL, &["--shard", "1/2"], &expected));
    for variable in ["AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"] {
        let dir = t.join(variable);
        let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
            .args(["sweep", SMALL, "--shard", "auto/2", "--out", arg(&dir)])
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
            .env_remove("JOB_COMPLETION_INDEX")
            .env(variable, "1")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        ok(o);
        assert_eq!(files(&dir), files(&expected), "{variable}");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["sweep", SMALL, "--shard", "auto/2", "--out", arg(&t.join("none"))])
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .env_remove("JOB_COMPLETION_INDEX")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim_end(),
        "error: --shard auto/2: neither AWS_BATCH_JOB_ARRAY_INDEX nor JOB_COMPLETION_INDEX is set"
    );
    let o = sweep(SMALL, &["--shard", "2/2"], &t.join("bad"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).trim_end(), "error: --shard \"2/2\": K must be below N (2)");
}

#[test]
fn an_interrupted_shard_keeps_its_finished_rows_and_says_so() {
    let t = TempDir::new("interrupted-shard");
    // 2,000 one-day runs of the quickstart on one thread: minutes of work.
    let quickstart = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    let long = t.join("long.toml");
    std::fs::write(
        &long,
        format!("[sweep]\nname = \"long\"\nscenario = {:?}\nreplications = 2000\n", arg(&quickstart)),
    )
    .unwrap();
    let out = t.join("shard");
    let child = Command::new(env!("CARGO_BIN_EXE_ecsim"))
        .args(["sweep", arg(&long), "--shard", "0/2", "--out", arg(&out), "-j", "1"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = t.join("shard.lock");
    let started = Instant::now();
    let mut locked_at = None;
    while locked_at.is_none_or(|at: Instant| at.elapsed() < Duration::from_secs(1)) {
        assert!(started.elapsed() < Duration::from_secs(60), "the shard never started");
        if locked_at.is_none() && lock.exists() {
            locked_at = Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("shard.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["runs_assigned"], 1000);
    let finished = manifest["runs_finished"].as_u64().unwrap();
    assert!(finished < 1000);
    let rows = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    // Every kept row is a finished run: no "interrupted" error rows.
    assert_eq!(rows.lines().count() as u64, finished + 1);
    assert!(!rows.contains(",error,interrupted"));
    assert!(stderr(&o).contains("did not finish; the finished rows are in"), "{}", stderr(&o));
    // The merge names what is missing: the other shard's 1,000 and this one's rest.
    let o = merge(&[&out], &t.join("merged"));
    assert_eq!(o.status.code(), Some(1));
    let missing = 2000 - finished;
    assert!(stderr(&o).starts_with(&format!("error: {missing} of 2000 runs are missing")), "{}", stderr(&o));
}

/// A stand-in for the AWS CLI's `aws s3 cp --recursive` and `aws s3 sync`:
/// `s3://bucket/key` is `$FAKE_S3/bucket/key` on the local disk.
const FAKE_AWS: &str = r#"#!/bin/sh
[ "$1" = s3 ] || { echo "fake aws: only s3" >&2; exit 9; }
shift 2
while [ "$#" -gt 2 ]; do shift; done
map() { case "$1" in s3://*) echo "$FAKE_S3/${1#s3://}";; *) echo "$1";; esac; }
from="$(map "$1")"; to="$(map "$2")"
mkdir -p "$to" && cp -R "$from/." "$to/"
"#;

#[test]
fn the_container_entrypoint_and_merge_script_run_a_sweep_end_to_end() {
    let t = TempDir::new("entrypoint");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = t.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let aws = bin.join("aws");
    std::fs::write(&aws, FAKE_AWS).unwrap();
    assert!(Command::new("chmod").args(["+x", arg(&aws)]).status().unwrap().success());
    // The inputs as scripts/submit-sweep.sh uploads them: the sweep and its scenario.
    let inputs = t.join("s3/bucket/sweeps/inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::copy(root.join("scenarios/quickstart.toml"), inputs.join("quickstart.toml")).unwrap();
    let sweep = std::fs::read_to_string(root.join(SMALL))
        .unwrap()
        .replace("../../scenarios/quickstart.toml", "quickstart.toml");
    std::fs::write(inputs.join("small.toml"), sweep).unwrap();
    let ecsim_dir = Path::new(env!("CARGO_BIN_EXE_ecsim")).parent().unwrap();
    let path = format!("{}:{}:{}", arg(&bin), arg(ecsim_dir), std::env::var("PATH").unwrap_or_default());
    let script = |name: &str, args: &[&str], index: Option<usize>| {
        let mut command = Command::new(root.join(name));
        command.args(args).env("PATH", &path).env("FAKE_S3", t.join("s3")).env("TMPDIR", t.path());
        command.env_remove("AWS_BATCH_JOB_ARRAY_INDEX").env_remove("JOB_COMPLETION_INDEX");
        if let Some(index) = index {
            command.env("AWS_BATCH_JOB_ARRAY_INDEX", index.to_string());
        }
        command.output().unwrap()
    };
    for index in 0..3 {
        let args = ["s3://bucket/sweeps/inputs", "s3://bucket/sweeps/results", "small.toml", "3", "-j", "1"];
        ok(script("deploy/entrypoint.sh", &args, Some(index)));
    }
    let merged = t.join("merged");
    ok(script("scripts/merge-sweep.sh", &["s3://bucket/sweeps", arg(&merged)], None));
    let whole = t.join("whole");
    ok(ecsim(&["sweep", arg(&inputs.join("small.toml")), "--out", arg(&whole)]));
    assert_eq!(files(&merged), files(&whole));
    // Without an index the entrypoint refuses before doing anything.
    let o = script("deploy/entrypoint.sh", &["s3://b/i", "s3://b/r", "small.toml", "3"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("neither AWS_BATCH_JOB_ARRAY_INDEX nor JOB_COMPLETION_INDEX is set"));
}

/// Builds deploy/Dockerfile where a Docker daemon answers; says it skipped
/// otherwise (CI and the development machine have the client only).
#[test]
fn the_docker_image_builds_where_docker_is_available() {
    let answers = Command::new("docker").arg("info").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !answers.is_ok_and(|status| status.success()) {
        eprintln!("skipped: no Docker daemon answers `docker info`; deploy/Dockerfile was not built");
        return;
    }
    let tag = format!("ecsim-test:{}", std::process::id());
    let root = env!("CARGO_MANIFEST_DIR");
    ok(Command::new("docker")
        .args(["build", "-f", "deploy/Dockerfile", "-t", &tag, "."])
        .current_dir(root)
        .output()
        .unwrap());
    let o =
        ok(Command::new("docker").args(["run", "--rm", "--entrypoint", "ecsim", &tag, "--version"]).output().unwrap());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ecsim "));
    let o = ok(Command::new("docker").args(["run", "--rm", "--entrypoint", "id", &tag, "-u"]).output().unwrap());
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "10001", "the image must not run as root");
    let _ = Command::new("docker").args(["rmi", &tag]).output();
}

/// An optimisation is a sequence of rounds, each chosen from the last one's
/// figures: it says so instead of accepting `--shard`.
#[test]
fn optimize_says_it_cannot_be_sharded() {
    let o = ecsim(&["optimize", "scenarios/cheapest-meeting-slo.toml", "--shard", "0/2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: ecsim optimize cannot be split into shards"), "{}", stderr(&o));
}
