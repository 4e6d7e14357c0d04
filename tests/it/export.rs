//! scripts/export-aws.sh against a fake `aws` (tests/fixtures/calibrate/export/aws)
//! first on PATH: the calls it makes (read-only verbs only), the files it
//! writes, that no environment variable or secret reaches them, and how the
//! metric queries are cut into get-metric-data calls. Skipped, saying so,
//! where bash is missing.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn have_bash() -> bool {
    let ok = Command::new("bash").arg("-c").arg("exit 0").status().is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: bash is not installed, so scripts/export-aws.sh cannot run");
    }
    ok
}

struct Export {
    dir: PathBuf,
    status: std::process::ExitStatus,
    stderr: String,
    /// Each call's arguments.
    calls: Vec<Vec<String>>,
}

impl Export {
    fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    fn files(&self) -> BTreeSet<String> {
        std::fs::read_dir(self.out())
            .map(|rd| rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    }

    fn json(&self, name: &str) -> Value {
        let text = std::fs::read_to_string(self.out().join(name)).unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}\n{text}"))
    }

    /// The query files the fake kept, in call order.
    fn metric_queries(&self) -> Vec<Vec<Value>> {
        (1..)
            .map(|k| self.dir.join(format!("queries-{k}.json")))
            .take_while(|p| p.is_file())
            .map(|p| serde_json::from_str::<Vec<Value>>(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    fn metric_calls(&self) -> Vec<&Vec<String>> {
        self.calls.iter().filter(|c| c[1] == "get-metric-data").collect()
    }
}

/// A JMESPath evaluator for the fake, when python3 has the jmespath module
/// (the real query is then applied to the task definition, secrets and all).
fn jmespath_helper(dir: &Path) -> Option<PathBuf> {
    let ok = Command::new("python3").args(["-c", "import jmespath"]).status().is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    let path = dir.join("jmespath");
    std::fs::write(
        &path,
        "#!/usr/bin/env bash\nexec python3 -c 'import json, sys, jmespath; print(json.dumps(jmespath.search(sys.argv[1], json.loads(sys.argv[2]))))' \"$@\"\n",
    )
    .unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    Some(path)
}

fn export(name: &str, args: &[&str], fail_verb: Option<&str>) -> Export {
    let dir = std::env::temp_dir().join(format!("ecsim-it-{}-export-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("calls.log");
    let fake = root().join("tests/fixtures/calibrate/export");
    let path = format!("{}:{}", fake.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/export-aws.sh"))
        .args(args)
        .arg("out")
        .current_dir(&dir)
        .env("PATH", path)
        .env("FAKE_AWS_LOG", &log)
        .env("FAKE_AWS_DIR", &dir)
        .env_remove("FAKE_AWS_FAIL")
        .env_remove("FAKE_AWS_JMESPATH");
    if let Some(helper) = jmespath_helper(&dir) {
        cmd.env("FAKE_AWS_JMESPATH", helper);
    } else {
        eprintln!("note: python3 jmespath missing; the fake applies the task definition allow-list by pattern");
    }
    if let Some(v) = fail_verb {
        cmd.env("FAKE_AWS_FAIL", v);
    }
    let output = cmd.output().expect("bash runs");
    let calls = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('\u{1f}').filter(|a| !a.is_empty()).map(str::to_string).collect())
        .collect();
    Export { dir, status: output.status, stderr: String::from_utf8_lossy(&output.stderr).into_owned(), calls }
}

fn value_after<'a>(call: &'a [String], flag: &str) -> Option<&'a str> {
    call.iter().position(|a| a == flag).and_then(|i| call.get(i + 1)).map(String::as_str)
}

#[test]
fn export_makes_read_only_calls_and_writes_one_file_per_call() {
    if !have_bash() {
        return;
    }
    let e = export("full", &["--cluster", "prod", "--region", "eu-west-1"], None);
    assert!(e.status.success(), "export failed: {}", e.stderr);
    // Only describe-, list- and get- verbs, every one in the region asked for and
    // with an explicit output format.
    for call in &e.calls {
        let verb = &call[1];
        assert!(
            ["describe-", "list-", "get-"].iter().any(|p| verb.starts_with(p)),
            "a call that is not read-only: {call:?}"
        );
        assert_eq!(value_after(call, "--region"), Some("eu-west-1"), "{call:?}");
        assert!(matches!(value_after(call, "--output"), Some("json" | "text")), "{call:?}");
    }
    let verbs: BTreeSet<String> = e.calls.iter().map(|c| format!("{} {}", c[0], c[1])).collect();
    let expected_verbs = [
        "application-autoscaling describe-scalable-targets",
        "application-autoscaling describe-scaling-policies",
        "application-autoscaling describe-scheduled-actions",
        "autoscaling describe-auto-scaling-groups",
        "cloudwatch describe-alarms",
        "cloudwatch get-metric-data",
        "ec2 describe-launch-template-versions",
        "ecs describe-capacity-providers",
        "ecs describe-clusters",
        "ecs describe-services",
        "ecs describe-task-definition",
        "ecs list-services",
        "elbv2 describe-target-group-attributes",
        "elbv2 describe-target-groups",
        "servicediscovery get-service",
    ];
    assert_eq!(verbs, expected_verbs.iter().map(|s| s.to_string()).collect());
    let describe_cluster = e.calls.iter().find(|c| c[1] == "describe-clusters").unwrap();
    assert_eq!(&describe_cluster[4..7], ["--include", "SETTINGS", "CONFIGURATIONS"]);
    // Twelve services: describe-services takes ten at a time.
    let batches: Vec<usize> = e
        .calls
        .iter()
        .filter(|c| c[1] == "describe-services" && value_after(c, "--output") == Some("json"))
        .map(|c| c.iter().filter(|a| a.contains(":service/prod/")).count())
        .collect();
    assert_eq!(batches, [10, 2]);
    // Application Auto Scaling: namespace ecs, ids service/CLUSTER/SERVICE.
    let targets = e.calls.iter().find(|c| c[1] == "describe-scalable-targets").unwrap();
    assert_eq!(value_after(targets, "--service-namespace"), Some("ecs"));
    assert_eq!(value_after(targets, "--resource-ids"), Some("service/prod/svc01"));
    assert_eq!(targets.iter().filter(|a| a.starts_with("service/prod/")).count(), 12);
    // The step policy's alarm is asked for by its whole name, spaces and all.
    let alarms = e.calls.iter().find(|c| c[1] == "describe-alarms").unwrap();
    assert_eq!(value_after(alarms, "--alarm-names"), Some("web high cpu"));

    let mut expected: BTreeSet<String> = [
        "alarms-1.json",
        "asgs-1.json",
        "capacity-providers.json",
        "cluster.json",
        "discovery-srv-abc.json",
        "launch-template-lt-0abc-3.json",
        "scalable-targets-1.json",
        "services-1.json",
        "services-2.json",
        "services-list.json",
        "target-groups-1.json",
        "taskdef-web-12.json",
        "tg-attributes-web.json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in 2..=12 {
        expected.insert(format!("taskdef-svc{n:02}-1.json"));
    }
    for n in 1..=12 {
        expected.insert(format!("scaling-policies-svc{n:02}.json"));
        expected.insert(format!("scheduled-actions-svc{n:02}.json"));
    }
    for n in 1..=10 {
        expected.insert(format!("metrics-{n}.json"));
    }
    // Nothing else: no temporary or query file is left behind.
    assert_eq!(e.files(), expected);
    // One file per JSON call (text calls only pick values out).
    let json_calls = e.calls.iter().filter(|c| value_after(c, "--output") == Some("json")).count();
    assert_eq!(json_calls, expected.len());

    // Nothing secret: the task definition keeps its sizes and ports but not its
    // environment or secrets, and the launch template no user data.
    for f in &expected {
        let text = std::fs::read_to_string(e.out().join(f)).unwrap();
        serde_json::from_str::<Value>(&text).unwrap_or_else(|err| panic!("{f} is not JSON: {err}"));
        for secret in
            ["hunter2", "DB_PASSWORD", "API_KEY", "secretsmanager", "UserData", "\"environment\"", "\"secrets\""]
        {
            assert!(!text.contains(secret), "{f} holds {secret}:\n{text}");
        }
    }
    let td = e.json("taskdef-web-12.json");
    assert_eq!(td["taskDefinition"]["cpu"], "512");
    assert_eq!(td["taskDefinition"]["revision"], 12);
    assert_eq!(td["taskDefinition"]["containerDefinitions"][0]["portMappings"][0]["containerPort"], 8080);
    assert_eq!(e.json("launch-template-lt-0abc-3.json")[0]["LaunchTemplateData"]["InstanceType"], "m7i.large");
    // The target group attributes carry the ARN they belong to.
    let attrs = e.json("tg-attributes-web.json");
    assert_eq!(
        attrs["TargetGroupArn"],
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
    );
    assert_eq!(attrs["Attributes"][0]["Value"], "30");

    // Metrics: Id <metric>_<n>, Label the service, the dimensions of each metric.
    let queries: Vec<Value> = e.metric_queries().into_iter().flatten().collect();
    assert_eq!(queries.len(), 12 * 4 + 1);
    let ids: BTreeSet<&str> = queries.iter().map(|q| q["Id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), queries.len(), "Ids are unique");
    let requests: Vec<&Value> = queries.iter().filter(|q| q["Id"].as_str().unwrap().starts_with("requests_")).collect();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["Label"], "svc01");
    let stat = &requests[0]["MetricStat"];
    assert_eq!(stat["Stat"], "Sum");
    assert_eq!(stat["Metric"]["MetricName"], "RequestCount");
    assert_eq!(stat["Metric"]["Dimensions"][0]["Value"], "targetgroup/web/0123456789abcdef");
    assert_eq!(stat["Metric"]["Dimensions"][1]["Value"], "app/front/fedcba9876543210");
    for (prefix, namespace, metric) in [
        ("cpu_", "AWS/ECS", "CPUUtilization"),
        ("memory_", "AWS/ECS", "MemoryUtilization"),
        ("running_", "ECS/ContainerInsights", "RunningTaskCount"),
        ("desired_", "ECS/ContainerInsights", "DesiredTaskCount"),
    ] {
        let of: Vec<&Value> = queries.iter().filter(|q| q["Id"].as_str().unwrap().starts_with(prefix)).collect();
        assert_eq!(of.len(), 12, "{prefix}");
        for q in of {
            let m = &q["MetricStat"];
            assert_eq!(
                (m["Metric"]["Namespace"].as_str(), m["Metric"]["MetricName"].as_str()),
                (Some(namespace), Some(metric))
            );
            assert_eq!(m["Stat"], "Average");
            assert_eq!(m["Metric"]["Dimensions"][0]["Value"], "prod");
            assert_eq!(m["Metric"]["Dimensions"][1]["Value"], q["Label"]);
        }
    }
    // Each metrics file answers its own queries.
    let m1 = e.json("metrics-1.json");
    assert_eq!(m1["MetricDataResults"][0]["Id"], "requests_0");
    assert_eq!(m1["MetricDataResults"][0]["Label"], "svc01");
}

/// Days, then (period, queries per call): 100,800 data points per call over
/// days × 86,400 / period points per metric, at most 500 metrics, for 49 queries.
#[test]
fn export_cuts_metric_queries_by_the_datapoint_limit() {
    if !have_bash() {
        return;
    }
    let cases: [(&str, u64, &[usize]); 4] = [
        // 14 days of 1-minute data: 20,160 points a metric, 100,800 / 20,160 = 5 a call.
        ("14", 60, &[5, 5, 5, 5, 5, 5, 5, 5, 5, 4]),
        // 3 days: 4,320 points, 23 a call (23 × 4,320 = 99,360; 24 would be 103,680).
        ("3", 60, &[23, 23, 3]),
        // 20 days: past the 15 days of 1-minute data, 5-minute: 5,760 points, 17 a call.
        ("20", 300, &[17, 17, 15]),
        // 100 days: past 63 days of 5-minute data, 1-hour: 2,400 points, 42 a call.
        ("100", 3600, &[42, 7]),
    ];
    // The four exports are independent and mostly wait on processes (the
    // script and the fake `aws`): run them at once, check them in order.
    let exports: Vec<Export> = std::thread::scope(|scope| {
        let running: Vec<_> = cases
            .iter()
            .map(|(days, _, _)| {
                scope.spawn(move || export(&format!("days-{days}"), &["--cluster", "prod", "--days", days], None))
            })
            .collect();
        running.into_iter().map(|handle| handle.join().expect("export thread")).collect()
    });
    for ((days, period, sizes), e) in cases.into_iter().zip(exports) {
        assert!(e.status.success(), "export failed: {}", e.stderr);
        let chunks = e.metric_queries();
        assert_eq!(chunks.iter().map(Vec::len).collect::<Vec<_>>(), sizes, "{days} days");
        for q in chunks.iter().flatten() {
            assert_eq!(q["MetricStat"]["Period"], period, "{days} days");
        }
        let days: i64 = days.parse().unwrap();
        for call in e.metric_calls() {
            assert!(value_after(call, "--region").is_none(), "no --region unless asked");
            let start: jiff::Timestamp = value_after(call, "--start-time").unwrap().parse().unwrap();
            let end: jiff::Timestamp = value_after(call, "--end-time").unwrap().parse().unwrap();
            assert_eq!(end.as_second() - start.as_second(), days * 86_400);
            assert_eq!(end.as_second() % 60, 0, "whole minutes");
            let points = (days * 86_400) as usize / period as usize;
            let n = chunks[0].len();
            assert!(n * points <= 100_800 && n <= 500);
        }
    }
}

#[test]
fn export_stops_at_a_refused_call_and_leaves_no_partial_file() {
    if !have_bash() {
        return;
    }
    let e = export("refused", &["--cluster", "prod"], Some("describe-services"));
    assert!(!e.status.success());
    assert!(e.stderr.contains("AccessDeniedException"), "{}", e.stderr);
    let files = e.files();
    assert!(files.contains("cluster.json") && files.contains("services-list.json"));
    assert!(!files.iter().any(|f| f.starts_with('.') || f.starts_with("services-1")), "{files:?}");
    assert!(e.calls.iter().all(|c| c[1] != "get-metric-data"));
}

#[test]
fn export_refuses_a_bad_command_line() {
    if !have_bash() {
        return;
    }
    for args in [&["--cluster", "prod", "--days", "0"][..], &["--cluster", "prod", "--days", "455"], &["--days", "3"]] {
        let e = export("bad-args", args, None);
        assert_eq!(e.status.code(), Some(2), "{args:?}: {}", e.stderr);
        assert!(e.calls.is_empty(), "{args:?}");
    }
}
