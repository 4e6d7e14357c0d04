//! Hostile conditions for the outputs: names that try to leave the output
//! directory, symbolic links planted where ecsim writes, Ctrl-C and SIGTERM
//! in the middle of a re-run, two runs into one directory, a re-run that
//! writes fewer files, and a write that fails. In every case the previous
//! complete result must stay byte-identical and nothing may be written
//! outside the output directory.

use crate::common::{TempDir, ecsim};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ECSIM: &str = env!("CARGO_BIN_EXE_ecsim");

fn quickstart_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml")
}

/// The quickstart scenario with `duration` and extra TOML appended.
fn quickstart(duration: &str, extra: &str) -> String {
    let text = std::fs::read_to_string(quickstart_path()).unwrap();
    text.replace("duration = \"1d\"", &format!("duration = \"{duration}\"")) + extra
}

const NO_SERIES: &str = "\n[output]\ntimeseries = false\nevents = false\n";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "ecsim failed: {}", stderr(&o));
    o
}

/// Every file under `dir` (links read as links) with its bytes, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(root, &path, out);
            } else if kind.is_symlink() {
                out.insert(rel, std::fs::read_link(&path).unwrap().into_os_string().into_encoded_bytes());
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The sorted names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Every path under `dir` whose last component is `name`.
fn find(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_name() == name {
            found.push(path.clone());
        }
        if entry.file_type().unwrap().is_dir() {
            found.extend(find(&path, name));
        }
    }
    found
}

/// ecsim run from `cwd` (where a default `results/` directory would go).
fn ecsim_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(ECSIM).args(args).current_dir(cwd).output().unwrap()
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A sweep file over the quickstart scenario (absolute path) with the given name,
/// replications and variant names.
fn sweep_text(name: &str, replications: u32, variants: &[&str]) -> String {
    let mut text =
        format!("[sweep]\nname = {name:?}\nscenario = {:?}\nreplications = {replications}\n", arg(&quickstart_path()));
    for v in variants {
        text.push_str(&format!("\n[[variants]]\nname = {v:?}\n"));
    }
    text
}

#[test]
fn names_that_would_leave_the_output_directory_are_refused() {
    let t = TempDir::new("escape");
    // Run from a/b/c, so a name climbing three levels would land in t itself.
    let cwd = t.join("a/b/c");
    std::fs::create_dir_all(&cwd).unwrap();
    let absolute = t.join("absolute");
    let cases: [(&str, String, Vec<&str>, &str); 4] = [
        (
            "variant.toml",
            sweep_text("v", 1, &["../../../escaped"]),
            vec!["--keep-runs", "--out", "out"],
            "variants[0].name: \"../../../escaped\" cannot be a directory name",
        ),
        ("name.toml", sweep_text("../../../escaped", 1, &[]), vec![], "sweep.name: \"../../../escaped\" cannot be"),
        (
            "absolute.toml",
            sweep_text(arg(&absolute), 1, &[arg(&absolute)]),
            vec!["--keep-runs"],
            &format!("variants[0].name: \"{}\" cannot be a directory name", absolute.display()),
        ),
        (
            "scenario.toml",
            quickstart("1d", "").replace("name = \"quickstart\"", "name = \"../../../escaped\""),
            vec![],
            "simulation.name: \"../../../escaped\" cannot be a directory name",
        ),
    ];
    for (file, text, extra, expected) in &cases {
        let path = cwd.join(file);
        std::fs::write(&path, text).unwrap();
        let command = if *file == "scenario.toml" { "run" } else { "sweep" };
        let mut args = vec![command, arg(&path)];
        args.extend(extra);
        let o = ecsim_in(&cwd, &args);
        assert_eq!(o.status.code(), Some(1), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{file}: {}", stderr(&o));
        // validate says the same, through the same check.
        let o = ecsim_in(&cwd, &["validate", arg(&path)]);
        assert_eq!(o.status.code(), Some(1), "validate {file}");
        assert!(stderr(&o).contains(expected), "validate {file}: {}", stderr(&o));
    }
    assert!(find(t.path(), "escaped").is_empty(), "{:?}", find(t.path(), "escaped"));
    assert!(!absolute.exists());
    // Nothing was written anywhere: only the input files.
    assert_eq!(names(&cwd), ["absolute.toml", "name.toml", "scenario.toml", "variant.toml"]);
}

#[cfg(unix)]
#[test]
fn planted_symlinks_are_never_followed() {
    use std::os::unix::fs::symlink;
    let t = TempDir::new("symlinks");
    let victim_file = t.join("victim.txt");
    let victim_dir = t.join("victim");
    std::fs::write(&victim_file, "precious").unwrap();
    std::fs::create_dir(&victim_dir).unwrap();
    std::fs::write(victim_dir.join("summary.json"), "precious").unwrap();
    let scenario = t.join("q.toml");
    std::fs::write(&scenario, quickstart("1d", "")).unwrap();
    let out = t.join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", arg(&scenario), "--out", arg(&out), "--quiet"];
        args.extend(extra);
        ecsim(&args)
    };
    let victims = || (std::fs::read(&victim_file).unwrap(), snapshot(&victim_dir));
    let before = victims();

    // The lock's name: refused, not followed, not removed.
    symlink(&victim_file, t.join("out.lock")).unwrap();
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("out.lock exists but is not a regular file"), "{}", stderr(&o));
    assert!(!out.exists());
    std::fs::remove_file(t.join("out.lock")).unwrap();

    // The output directory itself: replaced by the new results, the target untouched.
    symlink(&victim_dir, &out).unwrap();
    ok(run(&[]));
    assert!(std::fs::symlink_metadata(&out).unwrap().is_dir());

    // Every file of the previous results a link: the re-run and `ecsim chart` replace them.
    for name in ["summary.json", "timeseries.csv", "events.csv", "scenario.toml", "report.html"] {
        let _ = std::fs::remove_file(out.join(name));
        symlink(&victim_file, out.join(name)).unwrap();
    }
    symlink(&victim_dir, out.join("charts")).unwrap();
    ok(run(&["--charts", "--format", "svg"]));
    for name in ["report.html", "charts"] {
        std::fs::remove_file(out.join(name)).or_else(|_| std::fs::remove_dir_all(out.join(name))).unwrap();
        symlink(if name == "charts" { &victim_dir } else { &victim_file }, out.join(name)).unwrap();
    }
    ok(ecsim(&["chart", arg(&out), "--format", "svg"]));
    assert!(std::fs::symlink_metadata(out.join("charts")).unwrap().is_dir());
    assert!(std::fs::symlink_metadata(out.join("report.html")).unwrap().is_file());

    // A kept run directory of a sweep a link: replaced with the rest.
    let sweep = t.join("s.toml");
    std::fs::write(&sweep, sweep_text("s", 1, &["base"])).unwrap();
    let sweep_out = t.join("sweep-out");
    ok(ecsim(&["sweep", arg(&sweep), "--out", arg(&sweep_out), "--keep-runs"]));
    let kept = sweep_out.join("runs/base");
    std::fs::remove_dir_all(&kept).unwrap();
    symlink(&victim_dir, &kept).unwrap();
    ok(ecsim(&["sweep", arg(&sweep), "--out", arg(&sweep_out), "--keep-runs"]));
    assert!(std::fs::symlink_metadata(&kept).unwrap().is_dir());

    assert!(victims() == before, "a planted link was followed");
    assert_eq!(names(t.path()), ["out", "q.toml", "s.toml", "sweep-out", "victim", "victim.txt"]);
}

/// Waits until `ready` holds (at most 60 s), then sends `signal` to `child`
/// and returns its output.
fn signal_when(mut child: Child, signal: &str, ready: impl Fn() -> bool) -> Output {
    let started = Instant::now();
    while !ready() {
        if started.elapsed() > Duration::from_secs(60) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("the command never reached the point to interrupt: {}", stderr(&child.wait_with_output().unwrap()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    child.wait_with_output().unwrap()
}

/// Names beside the output directory other than the output and its partial results.
fn leftovers(parent: &Path, keep: &[&str]) -> Vec<String> {
    names(parent).into_iter().filter(|n| !keep.contains(&n.as_str())).collect()
}

#[test]
fn an_interrupted_rerun_leaves_the_previous_result_byte_identical() {
    let t = TempDir::new("interrupt");
    let out = t.join("out");
    let partial = t.join("out.partial");
    // A long sweep: 2000 one-day runs on one thread, minutes of work.
    let long_sweep = t.join("long.toml");
    std::fs::write(&long_sweep, sweep_text("long", 2000, &[])).unwrap();
    let scenario = t.join("q.toml");
    std::fs::write(&scenario, quickstart("1d", NO_SERIES)).unwrap();
    let inputs = ["long.toml", "q.toml"];

    for signal in ["-INT", "-TERM"] {
        // A complete sweep result, then a long sweep into the same directory, stopped.
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(&partial);
        ok(ecsim(&["sweep", "tests/fixtures/small-sweep.toml", "--out", arg(&out), "-j", "1"]));
        let complete = snapshot(&out);
        let child = Command::new(ECSIM)
            .args(["sweep", arg(&long_sweep), "--out", arg(&out), "-j", "1"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lock = t.join("out.lock");
        let locked_at = std::cell::Cell::new(None);
        let o = signal_when(child, signal, || {
            // A second after it took the lock: some runs finished, most did not.
            let at = locked_at.get().or_else(|| lock.exists().then(Instant::now));
            locked_at.set(at);
            at.is_some_and(|at| at.elapsed() > Duration::from_secs(1))
        });
        assert_eq!(o.status.code(), Some(130), "{signal}: {}", stderr(&o));
        assert!(snapshot(&out) == complete, "{signal}: the previous sweep result changed");
        assert!(stderr(&o).contains("of 2000 runs did not finish"), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("the previous results in {} are unchanged", out.display())),
            "{}",
            stderr(&o)
        );
        if partial.exists() {
            assert!(stderr(&o).contains(&format!("finished runs are in {}", partial.display())), "{}", stderr(&o));
            // Finished rows, and the runs cut short marked as such.
            let runs = std::fs::read_to_string(partial.join("runs.csv")).unwrap();
            let finished = runs.lines().filter(|l| l.contains(",ok,")).count();
            let cut_short = runs.lines().filter(|l| l.contains(",error,interrupted,")).count();
            assert!(finished > 0 && finished < 2000, "{finished} finished rows");
            assert_eq!(finished + cut_short, runs.lines().count() - 1, "{runs}");
        } else {
            assert!(stderr(&o).contains("nothing was kept"), "{}", stderr(&o));
        }
        assert_eq!(leftovers(t.path(), &inputs), ["out", "out.partial"][..if partial.exists() { 2 } else { 1 }]);

        // A complete run of 2 replications, then one of 2000 into the same directory, stopped.
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(&partial);
        ok(ecsim(&["run", arg(&scenario), "--out", arg(&out), "--replications", "2", "--quiet"]));
        let complete = snapshot(&out);
        let child = Command::new(ECSIM)
            .args(["run", arg(&scenario), "--out", arg(&out), "--replications", "2000", "--quiet"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = signal_when(child, signal, || {
            // Stop it once three replications are complete, in the middle of later ones.
            std::fs::read_dir(t.path()).unwrap().flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with("out.tmp-")
                    && e.path().join("replication-3").join("summary.json").exists()
            })
        });
        assert_eq!(o.status.code(), Some(130), "{signal}: {}", stderr(&o));
        assert!(snapshot(&out) == complete, "{signal}: the previous run result changed");
        assert!(
            stderr(&o).contains(&format!("finished replication(s) are in {}", partial.display())),
            "{}",
            stderr(&o)
        );
        // Only finished replications, each whole; no summary.csv of a part.
        let kept = names(&partial);
        assert!(kept.len() >= 4 && kept.len() < 2000, "{kept:?}");
        for rep in 0..kept.len() {
            let dir = partial.join(format!("replication-{rep}"));
            assert_eq!(names(&dir), ["scenario.toml", "summary.json"], "{}", dir.display());
        }
        assert_eq!(leftovers(t.path(), &inputs), ["out", "out.partial"]);
    }
}

#[test]
fn two_runs_into_one_directory_end_with_one_runs_files() {
    let t = TempDir::new("concurrent");
    let scenario = t.join("q.toml");
    // Long enough (a few seconds in a debug build) for the two to overlap.
    std::fs::write(&scenario, quickstart("20d", "\n[output]\ntimeseries_interval = \"1h\"\n")).unwrap();
    let reference = |seed: &str| {
        let dir = t.join(&format!("seed-{seed}"));
        ok(ecsim(&["run", arg(&scenario), "--out", arg(&dir), "--seed", seed, "--quiet"]));
        snapshot(&dir)
    };
    let (a, b) = (reference("1"), reference("2"));
    assert!(a != b);
    let out = t.join("out");
    for round in 0..2 {
        let _ = std::fs::remove_dir_all(&out);
        let spawn = |seed: &str| {
            Command::new(ECSIM)
                .args(["run", arg(&scenario), "--out", arg(&out), "--seed", seed, "--quiet"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = (spawn("1"), spawn("2"));
        let outcomes = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
        for o in &outcomes {
            match o.status.code() {
                Some(0) => {}
                Some(3) => assert!(stderr(o).contains("is being written by another ecsim"), "{}", stderr(o)),
                other => panic!("round {round}: exit {other:?}: {}", stderr(o)),
            }
        }
        assert!(outcomes.iter().any(|o| o.status.success()), "round {round}: neither run completed");
        let result = snapshot(&out);
        assert!(result == a || result == b, "round {round}: the directory mixes the two runs' files");
        assert_eq!(leftovers(t.path(), &["q.toml", "seed-1", "seed-2"]), ["out"], "round {round}");
    }
}

#[test]
fn a_rerun_with_fewer_outputs_leaves_no_stale_files() {
    let t = TempDir::new("fewer");
    let full = t.join("full.toml");
    let bare = t.join("bare.toml");
    std::fs::write(&full, quickstart("1d", "")).unwrap();
    std::fs::write(&bare, quickstart("1d", NO_SERIES)).unwrap();
    let out = t.join("out");
    ok(ecsim(&["run", arg(&full), "--out", arg(&out), "--charts", "--format", "svg", "--quiet"]));
    assert_eq!(names(&out), ["charts", "events.csv", "report.html", "scenario.toml", "summary.json", "timeseries.csv"]);
    ok(ecsim(&["run", arg(&bare), "--out", arg(&out), "--quiet"]));
    assert_eq!(names(&out), ["scenario.toml", "summary.json"]);

    ok(ecsim(&["run", arg(&bare), "--out", arg(&out), "--replications", "3", "--quiet"]));
    assert_eq!(names(&out), ["replication-0", "replication-1", "replication-2", "summary.csv"]);
    ok(ecsim(&["run", arg(&bare), "--out", arg(&out), "--replications", "2", "--quiet"]));
    assert_eq!(names(&out), ["replication-0", "replication-1", "summary.csv"]);

    let sweep = t.join("s.toml");
    std::fs::write(&sweep, sweep_text("s", 1, &[])).unwrap();
    ok(ecsim(&["sweep", arg(&sweep), "--out", arg(&out), "--keep-runs", "--charts", "--format", "svg"]));
    assert_eq!(
        names(&out),
        ["charts", "report.html", "runs", "runs.csv", "scenario.toml", "summary.csv", "sweep.toml"]
    );
    ok(ecsim(&["sweep", arg(&sweep), "--out", arg(&out)]));
    assert_eq!(names(&out), ["runs.csv", "scenario.toml", "summary.csv", "sweep.toml"]);
    assert_eq!(names(t.path()), ["bare.toml", "full.toml", "out", "s.toml"]);
}

#[test]
fn a_write_that_fails_leaves_the_previous_result_and_nothing_else() {
    let t = TempDir::new("unwritable");
    let scenario = t.join("q.toml");
    std::fs::write(&scenario, quickstart("1d", NO_SERIES)).unwrap();
    let out = t.join("out");
    ok(ecsim(&["run", arg(&scenario), "--out", arg(&out), "--quiet"]));
    let complete = snapshot(&out);
    let summary_len = complete[Path::new("summary.json")].len();
    let scenario_len = complete[Path::new("scenario.toml")].len();
    // A file size limit of 6 blocks of 512 bytes (sh's unit) lets scenario.toml
    // through and stops summary.json, the last file written: a disk that fills
    // up at the end, which even root cannot write past.
    assert!(scenario_len < 3072 && summary_len > 3072, "{scenario_len} {summary_len}");
    let o = Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 6; exec \"$@\"", "sh", ECSIM, "run", arg(&scenario), "--out", arg(&out)])
        .args(["--seed", "99", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let message = stderr(&o);
    assert!(message.contains("summary.json") && message.contains("File too large"), "{message}");
    assert!(message.contains(&format!("nothing was kept; the previous results in {} are unchanged", out.display())));
    assert!(snapshot(&out) == complete, "the previous result changed");
    assert_eq!(names(t.path()), ["out", "q.toml"]);

    // A read-only parent directory: nothing can be created beside the output.
    // (root writes there anyway, so this half runs for other users only.)
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let parent = t.join("read-only");
        let out = parent.join("out");
        ok(ecsim(&["run", arg(&scenario), "--out", arg(&out), "--quiet"]));
        let complete = snapshot(&out);
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(parent.join("probe"), "").is_err() {
            let o = ecsim(&["run", arg(&scenario), "--out", arg(&out), "--seed", "99", "--quiet"]);
            assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
            assert!(stderr(&o).contains("cannot create the lock file"), "{}", stderr(&o));
            assert!(snapshot(&out) == complete);
            assert_eq!(names(&parent), ["out"]);
        }
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A scenario of `n` Fargate services of `tasks` tasks each; `count` is the
/// TOML text of each `desired_count`.
fn many_services(n: usize, count: &str) -> String {
    let mut text = String::from(
        "[simulation]\nname = \"many\"\nduration = \"1h\"\n[[capacity_providers]]\nname = \"FARGATE\"\nkind = \"fargate\"\n\
         [[task_definitions]]\nfamily = \"web\"\ncpu = 256\nmemory = 512\nnetwork_mode = \"awsvpc\"\n",
    );
    for i in 0..n {
        text.push_str(&format!("[[services]]\nname = \"s{i}\"\ntask_definition = \"web\"\ndesired_count = {count}\n"));
    }
    text
}

/// `validate` answers for 10,000 services, broken or not (finding the key
/// around each error once scanned every key of the file, and 10,000 broken
/// services took minutes). How long it takes is a benchmark's question, not
/// a test's: docs/limits.md has the measured figures.
#[test]
fn validate_answers_for_ten_thousand_services() {
    let t = TempDir::new("linear");
    for (name, count, code) in [("good.toml", "1", 0), ("broken.toml", "\"x\"", 1)] {
        let path = t.join(name);
        std::fs::write(&path, many_services(10_000, count)).unwrap();
        let o = ecsim(&["validate", arg(&path)]);
        assert_eq!(o.status.code(), Some(code), "{name}: {}", &stderr(&o)[..stderr(&o).len().min(500)]);
    }
}

/// Runs too big for the machine or the disk are refused before they start,
/// with the estimate and the flag that raises the limit; `validate` warns.
#[test]
fn runs_over_the_resource_limits_are_refused_up_front() {
    let t = TempDir::new("limits");
    // 100 years of the quickstart minute by minute: 28 series × 52,560,000
    // minutes of rows about 48 bytes long, some 71 GB; and events
    // (docs/limits.md): 876,000 hours × (0.5 × 30 task slots + 6 × 1
    // policy) = 18,396,000 events of 10 + 4 characters of time, 35 of kind,
    // scope and separators, 12 of the longest name ("FARGATE_SPOT") and 160
    // of detail: 221 bytes, 4.1 GB.
    let century = t.join("century.toml");
    std::fs::write(&century, quickstart("36500d", "")).unwrap();
    let o = ecsim(&["run", arg(&century), "--out", arg(&t.join("out"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "this run would write about 76 GB (71 GB of time series: 1471680000 rows of about 48 bytes, \
             28 series × 52560000 intervals; 4.1 GB of events: about 18396000 events of about 221 bytes); \
             the limit is 2.0 GB: raise it with --max-output 76GB, \
             or set output.timeseries = false (or a longer output.timeseries_interval), or set output.events = false"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!t.join("out").exists());
    let o = ok(ecsim(&["validate", arg(&century)]));
    assert!(stderr(&o).contains("warning: ") && stderr(&o).contains("--max-output 76GB"), "{}", stderr(&o));
    // Events alone count too: a year without time series, 8,760 × 21 = 183,960 events of 219 bytes.
    let year = t.join("year.toml");
    std::fs::write(&year, quickstart("365d", "\n[output]\ntimeseries = false\n")).unwrap();
    let o = ecsim(&["run", arg(&year), "--out", arg(&t.join("out")), "--max-output", "10MB"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "this run would write about 40 MB (40 MB of events: about 183960 events of about 219 bytes); \
             the limit is 10 MB: raise it with --max-output 41MB, or set output.events = false"
        ),
        "{}",
        stderr(&o)
    );

    // 4,000 services of 5,000 tasks: 20 million tasks × 300 bytes.
    let crowd = t.join("crowd.toml");
    std::fs::write(&crowd, many_services(4_000, "5000")).unwrap();
    let o = ecsim(&["run", arg(&crowd), "--out", arg(&t.join("out"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "this run would need about 6.0 GB of memory (20000000 tasks at once × 300 bytes, 0 instances, \
             and the program); the limit is 4.0 GB: raise it with --max-memory 7GB"
        ),
        "{}",
        stderr(&o)
    );

    // The flag moves the limit both ways: one day of the quickstart (1.9 MB
    // estimated: 1.8 MB of time series, 109 kB of events) is refused under 1MB and runs under 3MB.
    let day = t.join("day.toml");
    std::fs::write(&day, quickstart("1d", "")).unwrap();
    let o = ecsim(&["run", "-q", arg(&day), "--out", arg(&t.join("day")), "--max-output", "1MB"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("the limit is 1.0 MB: raise it with --max-output 2MB"), "{}", stderr(&o));
    ok(ecsim(&["run", "-q", arg(&day), "--out", arg(&t.join("day")), "--max-output", "3MB"]));
    let o = ecsim(&["run", "-q", arg(&day), "--out", arg(&t.join("day")), "--max-output", "lots"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `-j` beyond the documented maximum is refused at once (it used to spawn
/// 100,000 threads and never finish); within it, no more threads than runs.
#[test]
fn sweep_jobs_are_bounded() {
    let t = TempDir::new("jobs");
    let sweep = t.join("sweep.toml");
    std::fs::write(&sweep, sweep_text("jobs", 1, &[])).unwrap();
    let o = ecsim(&["sweep", arg(&sweep), "-j", "100000", "--out", arg(&t.join("out"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("-j 100000 is out of range; expected 1 to 256 worker threads"), "{}", stderr(&o));
    ok(ecsim(&["sweep", arg(&sweep), "-j", "256", "--out", arg(&t.join("out"))]));
}

/// Messages of the command line: no SLO line when no SLO is set; an output
/// path inside a file is an input error (exit 1) that says so, for `run` and
/// `diff`; `diff --out` replaces its directory whole and leaves a directory
/// of someone else's files alone.
#[test]
fn command_line_messages_say_what_is_wrong() {
    let t = TempDir::new("messages");
    let no_slo = t.join("no-slo.toml");
    std::fs::write(&no_slo, quickstart("1h", NO_SERIES).replace("slo = {", "# slo = {")).unwrap();
    let o = ok(ecsim(&["run", arg(&no_slo), "--out", arg(&t.join("a"))]));
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(stdout.contains("  SLO            none set (services[].workload.slo)\n"), "{stdout}");
    assert!(!stdout.contains("violation minutes"), "{stdout}");
    let with_slo = t.join("slo.toml");
    std::fs::write(&with_slo, quickstart("1h", NO_SERIES)).unwrap();
    let o = ok(ecsim(&["run", arg(&with_slo), "--out", arg(&t.join("b"))]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("violation minutes"));

    let file = t.join("a-file");
    std::fs::write(&file, "mine").unwrap();
    let inside = file.join("x");
    for args in [
        vec!["run", "-q", arg(&with_slo), "--out", arg(&inside)],
        vec!["diff", arg(&t.join("a")), arg(&t.join("b")), "--out", arg(&inside)],
    ] {
        let o = ecsim(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let expected = format!(
            "{} cannot be an output directory: {} is a file, not a directory",
            inside.display(),
            file.display()
        );
        assert!(stderr(&o).contains(&expected), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");

    let diff = t.join("diff");
    ok(ecsim(&["diff", arg(&t.join("a")), arg(&t.join("b")), "--out", arg(&diff)]));
    assert_eq!(names(&diff), ["diff.csv"]);
    let beside = names(&t.join("."));
    assert!(beside.iter().all(|n| !n.contains(".tmp-")), "{beside:?}");
    std::fs::write(diff.join("notes.txt"), "mine").unwrap();
    let o = ecsim(&["diff", arg(&t.join("a")), arg(&t.join("b")), "--out", arg(&diff)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds `notes.txt`, which ecsim does not write"), "{}", stderr(&o));
    assert_eq!(names(&diff), ["diff.csv", "notes.txt"]);
}

/// The flag value a limit message suggests ("raise it with --max-memory 36MB").
fn suggested(message: &str, flag: &str) -> String {
    let after = message.split(&format!("raise it with {flag} ")).nth(1).unwrap_or_else(|| panic!("{message}"));
    after.split([',', ' ']).next().unwrap().to_string()
}

/// `sweep`, `sweep --shard`, `optimize` and `sweep merge` estimate their
/// memory and output before anything runs (docs/limits.md: the rows they
/// hold and write, the threads' runs, the kept runs' files) and refuse past
/// `--max-memory` / `--max-output` with the estimate; the value the message
/// suggests lets the same command through. The arithmetic is checked by hand
/// in `sweep::budget`'s unit test.
#[test]
fn sweeps_over_the_resource_limits_are_refused_up_front() {
    let t = TempDir::new("sweep-limits");
    let sweep = t.join("sweep.toml");
    let text = sweep_text("limits", 2, &[]) + "[[axes]]\nkey = \"simulation.seed\"\nvalues = [1, 2]\n";
    std::fs::write(&sweep, text.replace("[sweep]\n", "[sweep]\nmetrics = [\"cost.total_usd\"]\n")).unwrap();
    let short = ["--set", "simulation.duration=\"1h\""];
    let out = t.join("out");
    let refused = |args: &[&str], start: &str| -> String {
        let o = ecsim(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let message = stderr(&o);
        assert!(message.starts_with(&format!("error: {start}")), "{args:?}: {message}");
        assert!(!out.exists(), "nothing is written when refused");
        message
    };
    let mut args = vec!["sweep", arg(&sweep), "--out", arg(&out), "-j", "1"];
    args.extend(short);
    let memory = [&args[..], &["--max-memory", "1MB"]].concat();
    let message = refused(&memory, "this sweep would need about ");
    assert!(message.contains("4 runs × ") && message.contains("1 thread(s) each running up to"), "{message}");
    let output = [&args[..], &["--keep-runs", "--max-output", "1kB"]].concat();
    let message = refused(&output, "this sweep would write about ");
    assert!(message.contains("of every run's time series and events (--keep-runs)"), "{message}");
    let flag = suggested(&message, "--max-output");
    ok(ecsim(&[&args[..], &["--keep-runs", "--max-output", &flag]].concat()));

    // A shard estimates its share; the merge, every run of the sweep.
    let shard = t.join("shard");
    let mut shard_args = vec!["sweep", arg(&sweep), "--shard", "0/1", "--out", arg(&shard)];
    shard_args.extend(short);
    let o = ecsim(&[&shard_args[..], &["--max-output", "100"]].concat());
    assert!(stderr(&o).contains("error: this shard would write about "), "{}", stderr(&o));
    ok(ecsim(&shard_args));
    let merged = t.join("merged");
    let o = ecsim(&["sweep", "merge", arg(&shard), "--out", arg(&merged), "--max-memory", "1MB"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error: this merge would need about "), "{}", stderr(&o));
    assert!(!merged.exists());
    ok(ecsim(&["sweep", "merge", arg(&shard), "--out", arg(&merged)]));

    let optimize = t.join("optimize.toml");
    let text = sweep_text("search", 2, &[]).replace("[sweep]", "[optimize]")
        + "minimize = \"cost.total_usd\"\nbudget = 4\n[[axes]]\nkey = \"simulation.seed\"\nvalues = [1, 2]\n";
    std::fs::write(&optimize, text).unwrap();
    let searched = t.join("searched");
    let o = ecsim(&["optimize", arg(&optimize), "--out", arg(&searched), "--max-memory", "1MB"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error: this search would need about "), "{}", stderr(&o));
    assert!(!searched.exists());
}
