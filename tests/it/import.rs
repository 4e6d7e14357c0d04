//! `ecsim import aws`: the AWS CLI's own documentation examples import, the
//! synthetic export round-trips through validate and run, each field mapping
//! gives the value worked out by hand, and bad input gives a clear error or a
//! listed warning, never a panic or a half-written output.

use crate::common::ecsim;
use ecsim::import::{Imported, import_aws, write};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An export directory holding `files` (name, JSON).
fn export(name: &str, files: &[(&str, Value)]) -> PathBuf {
    let dir = fresh(name).join("export");
    std::fs::create_dir_all(&dir).unwrap();
    for (file, value) in files {
        std::fs::write(dir.join(file), serde_json::to_string_pretty(value).unwrap()).unwrap();
    }
    dir
}

fn imported(dir: &Path) -> Imported {
    match import_aws(dir) {
        Ok(i) => i,
        Err(e) => panic!("import failed:\n{e}"),
    }
}

fn errors(dir: &Path) -> Vec<String> {
    match import_aws(dir) {
        Ok(_) => panic!("the import should fail"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

fn parsed(i: &Imported) -> toml::Table {
    toml::from_str(&i.files.scenario).unwrap_or_else(|e| panic!("not TOML: {e}\n{}", i.files.scenario))
}

/// A value of the scenario by path: `services.0.desired_count`.
fn at<'a>(t: &'a toml::Table, path: &str) -> &'a toml::Value {
    let mut parts = path.split('.');
    let first = parts.next().unwrap();
    let mut v = t.get(first).unwrap_or_else(|| panic!("no {first} in {path}"));
    for p in parts {
        v = match p.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(p),
        }
        .unwrap_or_else(|| panic!("no {p} in {path}"));
    }
    v
}

fn has_warning(i: &Imported, text: &str) -> bool {
    i.report.warnings.iter().any(|w| w.contains(text))
}

// ---------------------------------------------------------------- building blocks

const ACCOUNT: &str = "111122223333";

fn cluster(providers: &[&str]) -> Value {
    json!({"clusters": [{
        "clusterArn": format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/prod"),
        "clusterName": "prod",
        "status": "ACTIVE",
        "capacityProviders": providers,
        "defaultCapacityProviderStrategy": []
    }], "failures": []})
}

fn task_def(family: &str, revision: u64, extra: Value) -> Value {
    let mut td = json!({
        "taskDefinitionArn": format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/{family}:{revision}"),
        "family": family,
        "revision": revision,
        "containerDefinitions": [{"name": family, "image": "x", "portMappings": []}],
        "cpu": "256",
        "memory": "512",
        "networkMode": "awsvpc"
    });
    merge(&mut td, extra);
    json!({ "taskDefinition": td })
}

fn service(name: &str, td: &str, extra: Value) -> Value {
    let mut s = json!({
        "serviceName": name,
        "serviceArn": format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:service/prod/{name}"),
        "clusterArn": format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/prod"),
        "taskDefinition": format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/{td}"),
        "desiredCount": 3,
        "launchType": "FARGATE",
        "loadBalancers": [],
        "serviceRegistries": [],
        "status": "ACTIVE"
    });
    merge(&mut s, extra);
    s
}

fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            if v.is_null() {
                b.remove(&k);
            } else {
                b.insert(k, v);
            }
        }
    }
}

fn services(list: Vec<Value>) -> Value {
    json!({ "services": list, "failures": [] })
}

fn asg_provider(name: &str, group: &str, extra: Value) -> Value {
    let mut asgp = json!({
        "autoScalingGroupArn": format!("arn:aws:autoscaling:eu-west-1:{ACCOUNT}:autoScalingGroup:0f0f:autoScalingGroupName/{group}"),
        "managedTerminationProtection": "DISABLED"
    });
    merge(&mut asgp, extra);
    json!({"name": name, "status": "ACTIVE", "autoScalingGroupProvider": asgp})
}

fn asg(name: &str, extra: Value) -> Value {
    let mut g = json!({
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": format!("arn:aws:autoscaling:eu-west-1:{ACCOUNT}:autoScalingGroup:0f0f:autoScalingGroupName/{name}"),
        "MinSize": 1, "MaxSize": 10, "DesiredCapacity": 2,
        "AvailabilityZones": ["eu-west-1a", "eu-west-1b"],
        "Instances": []
    });
    merge(&mut g, extra);
    g
}

// ---------------------------------------------------------------- AWS CLI examples

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/aws-cli-examples");

/// One of the documentation examples, parsed.
fn example(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{EXAMPLES}/{name}")).unwrap()).unwrap()
}

#[test]
fn the_aws_cli_documentation_examples_import_alone_and_together() {
    let mut names: Vec<String> = std::fs::read_dir(EXAMPLES)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 9, "{names:?}");
    for name in &names {
        let dir = fresh(&format!("example-{name}"));
        std::fs::copy(Path::new(EXAMPLES).join(name), dir.join(name)).unwrap();
        let i = imported(&dir);
        assert!(toml::from_str::<toml::Table>(&i.files.scenario).is_ok(), "{name}");
    }
    let all = imported(Path::new(EXAMPLES));
    let t = parsed(&all);
    // describe-clusters names the cluster and, by its ARN, the region.
    assert_eq!(at(&t, "cluster.name").as_str(), Some("default"));
    assert_eq!(at(&t, "region.name").as_str(), Some("us-west-2"));
    // The examples come from different clusters and accounts: what does not
    // fit together is a warning, each naming its file and JSON path.
    assert!(has_warning(
        &all,
        "describe-services.json: services[0].taskDefinition: service my-http-service uses task definition \
         arn:aws:ecs:us-west-2:123456789012:task-definition/amazon-ecs-sample:1, which is not in the export"
    ));
    assert!(has_warning(
        &all,
        "describe-scheduled-actions.json: ScheduledActions[0]: table/my-table (dynamodb, dynamodb:table:WriteCapacityUnits) is not an ECS service's desired count; skipped"
    ));
    assert!(has_warning(&all, "describe-scalable-targets.json: ScalableTargets[0]: service web-app is not imported"));
}

#[test]
fn the_documented_task_definition_maps_to_container_sums_and_never_writes_its_password() {
    // hello_world:8 has no task-level cpu or memory: cpu = 10 + 10 = 20 CPU
    // units, below ecsim's 128 (assumed 128); memory = 500 + 500 = 1000 MiB;
    // no networkMode: bridge; wordpress maps port 80 to host port 80.
    let td: Value = example("describe-task-definition.json");
    let capacity: Value = example("describe-capacity-providers.json");
    let asgs = json!({"AutoScalingGroups": [asg("MyAutoScalingGroup", json!({"LaunchTemplate": null, "MixedInstancesPolicy": {
        "LaunchTemplate": {"Overrides": [{"InstanceType": "m5.large"}]}}}))]});
    let svc = service(
        "hello",
        "hello_world:8",
        json!({
            "launchType": "EC2",
            "clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/default"
        }),
    );
    let dir = export(
        "hello",
        &[("td.json", td), ("cp.json", capacity), ("asg.json", asgs), ("services.json", services(vec![svc]))],
    );
    let i = imported(&dir);
    let t = parsed(&i);
    assert_eq!(at(&t, "task_definitions.0.family").as_str(), Some("hello_world"));
    assert_eq!(at(&t, "task_definitions.0.cpu").as_integer(), Some(128));
    assert_eq!(at(&t, "task_definitions.0.memory").as_integer(), Some(1000));
    assert_eq!(at(&t, "task_definitions.0.network_mode").as_str(), Some("bridge"));
    assert_eq!(at(&t, "task_definitions.0.port_mappings.0.container_port").as_integer(), Some(80));
    assert_eq!(at(&t, "task_definitions.0.port_mappings.0.host_port").as_integer(), Some(80));
    assert!(i.report.assumptions().iter().any(|a| a.starts_with(
        "task_definitions[].cpu: 20 CPU units is below ecsim's smallest task reservation: 128 (hello_world)"
    )));
    assert!(!i.files.scenario.contains("MYSQL_ROOT_PASSWORD") && !i.files.scenario.contains("password\""));
    assert!(i.report.unmodelled_settings().contains(
        &"describe-task-definition: taskDefinition.containerDefinitions[].environment (never read into the scenario) (hello_world)".to_string()
    ));
    // The documented capacity provider: managed scaling 100%, steps 1 to
    // 1000, termination protection on; launch type EC2 uses it.
    assert_eq!(at(&t, "capacity_providers.0.name").as_str(), Some("MyCapacityProvider"));
    assert_eq!(at(&t, "capacity_providers.0.managed_scaling.target_capacity").as_integer(), Some(100));
    assert_eq!(at(&t, "capacity_providers.0.managed_scaling.maximum_scaling_step_size").as_integer(), Some(1000));
    assert_eq!(at(&t, "capacity_providers.0.managed_termination_protection").as_str(), Some("ENABLED"));
    assert_eq!(
        at(&t, "services.0.capacity_provider_strategy.0.capacity_provider").as_str(),
        Some("MyCapacityProvider")
    );
    assert!(i.files.scenario.contains("# ASSUMED: launchType EC2"), "{}", i.files.scenario);
}

#[test]
fn the_documented_scaling_policies_need_their_alarms() {
    let policies: Value = example("describe-scaling-policies.json");
    let targets: Value = example("describe-scalable-targets.json");
    let svc = service("web-app", "web:1", json!({"clusterArn": "arn:aws:ecs:us-west-2:012345678910:cluster/default"}));
    let alarm = json!({"MetricAlarms": [{
        "AlarmName": "web-app-cpu-gt-75", "MetricName": "CPUUtilization", "Namespace": "AWS/ECS",
        "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 75.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Dimensions": [{"Name": "ClusterName", "Value": "default"}, {"Name": "ServiceName", "Value": "web-app"}]
    }]});
    let dir = export(
        "policies",
        &[
            ("p.json", policies),
            ("t.json", targets),
            ("a.json", alarm),
            ("s.json", services(vec![svc])),
            ("td.json", task_def("web", 1, json!({}))),
        ],
    );
    let i = imported(&dir);
    let t = parsed(&i);
    assert_eq!(at(&t, "services.0.auto_scaling.min_capacity").as_integer(), Some(1));
    assert_eq!(at(&t, "services.0.auto_scaling.max_capacity").as_integer(), Some(10));
    let step = at(&t, "services.0.auto_scaling.step_scaling.0");
    assert_eq!(step["name"].as_str(), Some("web-app-cpu-gt-75"));
    assert_eq!(step["metric"].as_str(), Some("ECSServiceAverageCPUUtilization"));
    assert_eq!(step["threshold"].as_integer(), Some(75));
    assert_eq!(step["adjustment_type"].as_str(), Some("PercentChangeInCapacity"));
    assert_eq!(step["cooldown"].as_str(), Some("60s"));
    assert_eq!(step["steps"][0]["lower"].as_integer(), Some(0));
    assert_eq!(step["steps"][0]["adjustment"].as_integer(), Some(200));
    assert!(has_warning(
        &i,
        "the alarm web-app-cpu-lt-25 of step policy web-app-cpu-lt-25 is not in the export (cloudwatch describe-alarms); policy skipped"
    ));
}

// ---------------------------------------------------------------- the synthetic export

const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/imported/export");

#[test]
fn the_synthetic_export_imports_to_the_committed_scenario_which_validates_and_runs() {
    let out = fresh("synthetic").join("imported.toml");
    let o = ecsim(&["import", "aws", SYNTHETIC, "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("3 services, 3 capacity providers, 3 task definitions"), "{stdout}");
    assert!(stdout.contains("warnings (0):"), "{stdout}");
    assert!(stdout.contains("the scenario validates"), "{stdout}");
    // The committed scenario and traces are this import's output.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/imported");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(root.join("imported.toml")).unwrap());
    for svc in ["web", "api", "worker"] {
        let rel = format!("traces/{svc}.csv");
        let dir = out.parent().unwrap();
        assert_eq!(std::fs::read(dir.join(&rel)).unwrap(), std::fs::read(root.join(&rel)).unwrap(), "{rel}");
    }
    let observed = std::fs::read_to_string(out.parent().unwrap().join("observed.csv")).unwrap();
    // 3 services x 5 metrics x 3 days x 1,440 minutes, plus the header.
    assert_eq!(observed.lines().count(), 3 * 5 * 4320 + 1);
    assert!(observed.starts_with("time,service,metric,value\n2026-03-02T00:00:00Z,api,cpu_utilization_percent,"));
    let o = ecsim(&["validate", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let results = out.parent().unwrap().join("results");
    let o = ecsim(&["run", out.to_str().unwrap(), "--out", results.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(results.join("summary.json")).unwrap()).unwrap();
    assert!(summary["requests"]["total"].as_f64().unwrap() > 0.0, "{summary}");
    // No staging directory is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_synthetic_export_maps_every_documented_field() {
    let i = imported(Path::new(SYNTHETIC));
    let t = parsed(&i);
    let text = &i.files.scenario;
    // Simulation span: 2026-03-02T00:00 to 2026-03-04T23:59, 3 x 1,440 minutes.
    assert_eq!(at(&t, "simulation.start").as_str(), Some("2026-03-02T00:00:00Z"));
    assert_eq!(at(&t, "simulation.duration").as_str(), Some("3d"));
    // The mixed group: base 1 on-demand, then 50% on-demand, spot by price-capacity-optimized.
    let cp = at(&t, "capacity_providers.0");
    assert_eq!(cp["lifecycle"].as_str(), Some("mixed"));
    assert_eq!(cp["on_demand_base_capacity"].as_integer(), Some(1));
    assert_eq!(cp["on_demand_percentage_above_base_capacity"].as_integer(), Some(50));
    assert_eq!(cp["allocation_strategy"].as_str(), Some("price-capacity-optimized"));
    assert_eq!(cp["instance_types"].as_array().unwrap().len(), 3);
    assert_eq!(
        (cp["min_size"].as_integer(), cp["max_size"].as_integer(), cp["desired_capacity"].as_integer()),
        (Some(2), Some(20), Some(4))
    );
    assert_eq!(cp["managed_scaling"]["instance_warmup_period"].as_str(), Some("180s"));
    assert_eq!(cp["managed_draining"].as_str(), Some("ENABLED"));
    // Every imported value names its source field.
    assert!(
        text.contains(
            "desired_count = 6                  # describe-services: services[0].desiredCount (describe-services.json)"
        ),
        "{text}"
    );
    assert!(text.contains("deregistration_delay = \"30s\"   # describe-target-group-attributes: Attributes[2].Value (describe-target-group-attributes-shop-web.json)"));
    // The api task definition has no task-level size: 256 CPU units from the
    // api container (the log router has none); memory 512 + a 64 MiB
    // reservation = 576.
    assert_eq!(at(&t, "task_definitions.0.family").as_str(), Some("api"));
    assert_eq!(at(&t, "task_definitions.0.cpu").as_integer(), Some(256));
    assert_eq!(at(&t, "task_definitions.0.memory").as_integer(), Some(576));
    assert_eq!(at(&t, "task_definitions.0.stop_timeout").as_str(), Some("45s"));
    assert_eq!(at(&t, "task_definitions.2.cpu_architecture").as_str(), Some("arm64"));
    // Environment values and secrets never reach the scenario.
    assert!(!text.contains("db.internal.example") && !text.contains("secretsmanager") && !text.contains("LOG_LEVEL"));
    // Services.
    assert_eq!(at(&t, "services.0.capacity_provider_strategy.0.base").as_integer(), Some(2));
    assert_eq!(at(&t, "services.0.capacity_provider_strategy.1.weight").as_integer(), Some(3));
    assert_eq!(at(&t, "services.0.health_check_grace_period").as_str(), Some("60s"));
    assert_eq!(at(&t, "services.0.load_balancer.kind").as_str(), Some("alb"));
    assert_eq!(at(&t, "services.0.load_balancer.health_check_interval").as_str(), Some("15s"));
    assert_eq!(
        at(&t, "services.0.auto_scaling.target_tracking.1.predefined_metric").as_str(),
        Some("ALBRequestCountPerTarget")
    );
    // 6,000 = the 4,500 requests/target/minute a web task serves at 60% CPU,
    // scaled to 80% CPU (scripts/make-synthetic-export.py, web_request_target).
    assert_eq!(at(&t, "services.0.auto_scaling.target_tracking.1.target_value").as_integer(), Some(6000));
    assert_eq!(at(&t, "services.0.auto_scaling.scheduled.0.timezone").as_str(), Some("America/New_York"));
    assert_eq!(at(&t, "services.1.deployment_configuration.minimum_healthy_percent").as_integer(), Some(50));
    assert_eq!(at(&t, "services.1.placement_strategy.1.field").as_str(), Some("memory"));
    assert_eq!(at(&t, "services.1.service_discovery.dns_ttl").as_str(), Some("10s"));
    assert_eq!(at(&t, "services.1.auto_scaling.step_scaling.0.datapoints_to_alarm").as_integer(), Some(2));
    // The scale-in step policy takes its low-CPU alarm (the second one).
    assert_eq!(
        at(&t, "services.1.auto_scaling.step_scaling.1.comparison").as_str(),
        Some("LessThanOrEqualToThreshold")
    );
    assert_eq!(at(&t, "services.1.auto_scaling.step_scaling.1.threshold").as_integer(), Some(40));
    assert_eq!(at(&t, "services.1.auto_scaling.step_scaling.1.steps.0.adjustment").as_integer(), Some(-1));
    assert_eq!(at(&t, "services.2.capacity_provider_strategy.0.capacity_provider").as_str(), Some("FARGATE"));
    assert_eq!(at(&t, "services.2.workload.rate.trace").as_str(), Some("traces/worker.csv"));
    // Settings ecsim does not model are listed by name.
    let unmodelled = i.report.unmodelled_settings();
    assert!(
        unmodelled
            .contains(&"describe-auto-scaling-groups: AutoScalingGroups[].CapacityRebalance (shop-ec2)".to_string()),
        "{unmodelled:?}"
    );
    assert!(
        unmodelled.contains(
            &"describe-services: services[].deploymentConfiguration.deploymentCircuitBreaker (web)".to_string()
        )
    );
    // The same export gives the same bytes.
    assert_eq!(imported(Path::new(SYNTHETIC)).files.scenario, i.files.scenario);
}

// ---------------------------------------------------------------- exact mappings

/// A small EC2 export: one group behind one provider, one service on it.
fn ec2_export(name: &str, group: Value, provider_extra: Value, extra_files: Vec<(&str, Value)>) -> PathBuf {
    let mut files = vec![
        ("cluster.json", cluster(&["ec2"])),
        ("cp.json", json!({"capacityProviders": [asg_provider("ec2", "grp", provider_extra)]})),
        ("asg.json", json!({"AutoScalingGroups": [group]})),
        ("td.json", task_def("app", 1, json!({"networkMode": "bridge"}))),
        (
            "services.json",
            services(vec![service(
                "app",
                "app:1",
                json!({"launchType": null,
            "capacityProviderStrategy": [{"capacityProvider": "ec2", "base": 1, "weight": 2}]}),
            )]),
        ),
    ];
    files.extend(extra_files);
    export(name, &files)
}

#[test]
fn a_spot_only_group_and_its_strategy() {
    // OnDemandBaseCapacity 0 and OnDemandPercentageAboveBaseCapacity 0: all spot.
    let group = asg(
        "grp",
        json!({"MixedInstancesPolicy": {
        "LaunchTemplate": {"Overrides": [{"InstanceType": "c5.large"}, {"InstanceType": "c6i.large"}]},
        "InstancesDistribution": {"OnDemandBaseCapacity": 0, "OnDemandPercentageAboveBaseCapacity": 0,
                                  "SpotAllocationStrategy": "capacity-optimized-prioritized"}}}),
    );
    let i = imported(&ec2_export(
        "spot",
        group,
        json!({"managedScaling": {"status": "ENABLED", "targetCapacity": 75,
        "minimumScalingStepSize": 2, "maximumScalingStepSize": 20}}),
        vec![],
    ));
    let t = parsed(&i);
    let cp = at(&t, "capacity_providers.0");
    assert_eq!(cp["lifecycle"].as_str(), Some("spot"));
    assert_eq!(
        cp["instance_types"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(),
        ["c5.large", "c6i.large"]
    );
    assert!(cp.get("on_demand_base_capacity").is_none());
    // capacity-optimized-prioritized has no ecsim equivalent: capacity-optimized, assumed.
    assert_eq!(cp["allocation_strategy"].as_str(), Some("capacity-optimized"));
    assert!(
        i.report
            .assumptions()
            .iter()
            .any(|a| a.starts_with("capacity_providers[].allocation_strategy: capacity-optimized-prioritized"))
    );
    assert_eq!(cp["managed_scaling"]["target_capacity"].as_integer(), Some(75));
    assert_eq!(cp["managed_scaling"]["minimum_scaling_step_size"].as_integer(), Some(2));
    assert_eq!(
        (cp["min_size"].as_integer(), cp["max_size"].as_integer(), cp["desired_capacity"].as_integer()),
        (Some(1), Some(10), Some(2))
    );
    assert_eq!(at(&t, "region.availability_zones").as_array().unwrap().len(), 2);
    assert_eq!(at(&t, "region.name").as_str(), Some("eu-west-1"));
    let item = at(&t, "services.0.capacity_provider_strategy.0");
    assert_eq!((item["base"].as_integer(), item["weight"].as_integer()), (Some(1), Some(2)));
}

#[test]
fn a_group_without_overrides_takes_the_latest_launch_template_version() {
    let spec = json!({"LaunchTemplateId": "lt-1", "LaunchTemplateName": "tpl", "Version": "$Latest"});
    let group = asg("grp", json!({"LaunchTemplate": spec}));
    let versions = json!({"LaunchTemplateVersions": [
        {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "tpl", "VersionNumber": 1, "DefaultVersion": true,
         "LaunchTemplateData": {"InstanceType": "m5.large"}},
        {"LaunchTemplateId": "lt-1", "LaunchTemplateName": "tpl", "VersionNumber": 2, "DefaultVersion": false,
         "LaunchTemplateData": {"InstanceType": "r5.large", "InstanceMarketOptions": {"MarketType": "spot"}}}
    ]});
    let i = imported(&ec2_export("template", group, json!({}), vec![("lt.json", versions)]));
    let t = parsed(&i);
    let cp = at(&t, "capacity_providers.0");
    assert_eq!(cp["instance_types"].as_array().unwrap()[0].as_str(), Some("r5.large"));
    assert_eq!(cp["lifecycle"].as_str(), Some("spot"));
    // No managedScaling: the group stays at its desired capacity (no table).
    assert!(cp.get("managed_scaling").is_none());
    assert!(i.files.scenario.contains(
        "# describe-launch-template-versions: LaunchTemplateVersions[1].LaunchTemplateData.InstanceType (lt.json)\n"
    ));
}

#[test]
fn types_outside_the_catalog_are_left_out_with_a_warning() {
    let group = asg(
        "grp",
        json!({"MixedInstancesPolicy": {"LaunchTemplate": {"Overrides": [
        {"InstanceType": "x9z.huge"}, {"InstanceType": "m5.large"}]}}}),
    );
    let i = imported(&ec2_export("catalog", group, json!({}), vec![]));
    assert!(has_warning(&i, "instance type x9z.huge of provider ec2 is not in ecsim's catalog"));
    // An all-on-demand mixed policy: percentage 100 (the default).
    assert_eq!(at(&parsed(&i), "capacity_providers.0.lifecycle").as_str(), Some("on-demand"));
}

#[test]
fn launch_types_deployment_limits_and_placement() {
    let group =
        asg("grp", json!({"MixedInstancesPolicy": {"LaunchTemplate": {"Overrides": [{"InstanceType": "m5.large"}]}}}));
    let svc = service(
        "app",
        "app:1",
        json!({
            "launchType": "EC2",
            "deploymentConfiguration": {"maximumPercent": 250, "minimumHealthyPercent": 0},
            "healthCheckGracePeriodSeconds": 120,
            "placementStrategy": [{"type": "random"}],
            "placementConstraints": [{"type": "distinctInstance"}, {"type": "memberOf", "expression": "task:group == x"}]
        }),
    );
    let td = task_def(
        "app",
        1,
        json!({"networkMode": "bridge",
        "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.availability-zone in [eu-west-1a]"}]}),
    );
    let dir = export(
        "launch",
        &[
            ("cluster.json", cluster(&["ec2", "ec2b"])),
            (
                "cp.json",
                json!({"capacityProviders": [asg_provider("ec2", "grp", json!({})), asg_provider("ec2b", "grp", json!({}))]}),
            ),
            ("asg.json", json!({"AutoScalingGroups": [group]})),
            ("td.json", td),
            ("services.json", services(vec![svc])),
        ],
    );
    let i = imported(&dir);
    let t = parsed(&i);
    // launchType EC2: every EC2 provider with weight 1 (assumed).
    let strategy = at(&t, "services.0.capacity_provider_strategy").as_array().unwrap();
    assert_eq!(strategy.len(), 2);
    assert_eq!(
        (strategy[1]["capacity_provider"].as_str(), strategy[1]["weight"].as_integer()),
        (Some("ec2b"), Some(1))
    );
    // maximumPercent 250 is above ecsim's 200 (assumed 200); 0 is in range.
    assert_eq!(at(&t, "services.0.deployment_configuration.maximum_percent").as_integer(), Some(200));
    assert_eq!(at(&t, "services.0.deployment_configuration.minimum_healthy_percent").as_integer(), Some(0));
    assert!(i.report.assumptions().iter().any(|a| a.starts_with(
        "services[].deployment_configuration.maximum_percent: maximumPercent 250 is outside ecsim's range 100-200: 200"
    )));
    assert_eq!(at(&t, "services.0.health_check_grace_period").as_str(), Some("120s"));
    assert_eq!(at(&t, "services.0.placement_strategy.0.type").as_str(), Some("random"));
    // task:group is not modelled: that constraint is left out and listed;
    // the task definition's own constraint joins the service's.
    let constraints = at(&t, "services.0.placement_constraints").as_array().unwrap();
    assert_eq!(constraints.len(), 2);
    assert_eq!(constraints[1]["expression"].as_str(), Some("attribute:ecs.availability-zone in [eu-west-1a]"));
    assert!(has_warning(&i, "ecsim cannot read the memberOf expression"));
}

#[test]
fn an_nlb_target_group_with_its_wrapped_attributes_and_a_cloud_map_ttl() {
    let tg_arn = format!("arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/app/abc");
    let svc = service(
        "app",
        "app:1",
        json!({
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "app", "containerPort": 80}],
            "serviceRegistries": [{"registryArn": format!("arn:aws:servicediscovery:eu-west-1:{ACCOUNT}:service/srv-1")}]
        }),
    );
    let dir = export(
        "nlb",
        &[
            ("cluster.json", cluster(&["FARGATE"])),
            ("td.json", task_def("app", 1, json!({}))),
            ("services.json", services(vec![svc])),
            (
                "tg.json",
                json!({"TargetGroups": [{"TargetGroupArn": tg_arn, "TargetGroupName": "app", "Protocol": "TCP",
            "HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 3,
            "HealthCheckTimeoutSeconds": 10}]}),
            ),
            (
                "attrs.json",
                json!({"TargetGroupArn": tg_arn, "Attributes": [
            {"Key": "deregistration_delay.timeout_seconds", "Value": "45"},
            {"Key": "slow_start.duration_seconds", "Value": "30"}]}),
            ),
            (
                "sd.json",
                json!({"Service": {"Id": "srv-1", "Arn": format!("arn:aws:servicediscovery:eu-west-1:{ACCOUNT}:service/srv-1"),
            "DnsConfig": {"DnsRecords": [{"Type": "SRV", "TTL": 15}]}}}),
            ),
        ],
    );
    let i = imported(&dir);
    let t = parsed(&i);
    let lb = at(&t, "services.0.load_balancer");
    assert_eq!(lb["kind"].as_str(), Some("nlb"));
    assert_eq!(lb["deregistration_delay"].as_str(), Some("45s"));
    assert_eq!(lb["health_check_interval"].as_str(), Some("10s"));
    assert_eq!((lb["healthy_threshold"].as_integer(), lb["unhealthy_threshold"].as_integer()), (Some(3), Some(3)));
    assert_eq!(at(&t, "services.0.service_discovery.dns_ttl").as_str(), Some("15s"));
    let unmodelled = i.report.unmodelled_settings();
    assert!(
        unmodelled.contains(&"describe-target-group-attributes: slow_start.duration_seconds (app)".to_string()),
        "{unmodelled:?}"
    );
    assert!(unmodelled.contains(&"describe-target-groups: TargetGroups[].HealthCheckTimeoutSeconds (app)".to_string()));
    // launchType FARGATE brings in the FARGATE provider.
    assert_eq!(at(&t, "capacity_providers.0.kind").as_str(), Some("fargate"));
}

#[test]
fn scaling_policies_customized_metrics_long_alarm_periods_and_schedules() {
    let resource = "service/prod/app";
    let base = |name: &str, kind: &str| {
        json!({"PolicyName": name, "ServiceNamespace": "ecs", "ResourceId": resource,
        "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": kind})
    };
    let mut custom_cpu = base("custom-cpu", "TargetTrackingScaling");
    merge(
        &mut custom_cpu,
        json!({"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 55.5,
        "CustomizedMetricSpecification": {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization", "Statistic": "Average",
            "Dimensions": [{"Name": "ServiceName", "Value": "app"}]}}}),
    );
    let mut custom_queue = base("queue-depth", "TargetTrackingScaling");
    merge(
        &mut custom_queue,
        json!({"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 100.0,
        "CustomizedMetricSpecification": {"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible", "Statistic": "Average"}}}),
    );
    let mut step = base("mem.high", "StepScaling");
    merge(
        &mut step,
        json!({"StepScalingPolicyConfiguration": {"AdjustmentType": "PercentChangeInCapacity",
        "MinAdjustmentMagnitude": 2, "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 50}]},
        "Alarms": [{"AlarmName": "mem-high"}]}),
    );
    let alarm = json!({"AlarmName": "mem-high", "Namespace": "AWS/ECS", "MetricName": "MemoryUtilization", "Statistic": "Maximum",
        "Period": 300, "EvaluationPeriods": 2, "DatapointsToAlarm": 1, "Threshold": 80.0, "ComparisonOperator": "GreaterThanThreshold"});
    let dir = export(
        "policies-exact",
        &[
            ("cluster.json", cluster(&["FARGATE"])),
            ("td.json", task_def("app", 1, json!({}))),
            ("services.json", services(vec![service("app", "app:1", json!({}))])),
            (
                "targets.json",
                json!({"ScalableTargets": [{"ServiceNamespace": "ecs", "ResourceId": resource,
            "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 9},
            {"ServiceNamespace": "ecs", "ResourceId": "service/other/app", "ScalableDimension": "ecs:service:DesiredCount",
             "MinCapacity": 1, "MaxCapacity": 2}]}),
            ),
            ("policies.json", json!({"ScalingPolicies": [custom_cpu, custom_queue, step]})),
            ("alarms.json", json!({"MetricAlarms": [alarm], "CompositeAlarms": []})),
            (
                "actions.json",
                json!({"ScheduledActions": [{"ScheduledActionName": "night", "ServiceNamespace": "ecs",
            "ResourceId": resource, "ScalableDimension": "ecs:service:DesiredCount", "Schedule": "at(2026-03-03T22:00:00)",
            "ScalableTargetAction": {"MaxCapacity": 3}, "EndTime": "2026-12-31T00:00:00+00:00"}]}),
            ),
        ],
    );
    let i = imported(&dir);
    let t = parsed(&i);
    // A customized AWS/ECS CPUUtilization Average is the predefined CPU metric.
    let tt = at(&t, "services.0.auto_scaling.target_tracking").as_array().unwrap();
    assert_eq!(tt.len(), 1);
    assert_eq!(tt[0]["predefined_metric"].as_str(), Some("ECSServiceAverageCPUUtilization"));
    assert_eq!(tt[0]["target_value"].as_float(), Some(55.5));
    // An SQS queue metric is not modelled: reported, policy skipped.
    assert!(i.report.unmodelled_settings().iter().any(|u| u.starts_with(
        "describe-scaling-policies: CustomizedMetricSpecification AWS/SQS ApproximateNumberOfMessagesVisible (Average)"
    )));
    // Step policy: "mem.high" becomes "mem-high" (no dots in names); a 300 s
    // alarm period is five one-minute periods: 2 x 5 = 10 to evaluate, 1 x 5 = 5 to alarm.
    let st = at(&t, "services.0.auto_scaling.step_scaling.0");
    assert_eq!(st["name"].as_str(), Some("mem-high"));
    assert_eq!(st["metric"].as_str(), Some("ECSServiceAverageMemoryUtilization"));
    assert_eq!(st["statistic"].as_str(), Some("Maximum"));
    assert_eq!(st["comparison"].as_str(), Some("GreaterThanThreshold"));
    assert_eq!(st["evaluation_periods"].as_integer(), Some(10));
    assert_eq!(st["datapoints_to_alarm"].as_integer(), Some(5));
    assert_eq!(st["min_adjustment_magnitude"].as_integer(), Some(2));
    // The scheduled action: no Timezone (UTC), only a maximum; EndTime is listed.
    let sa = at(&t, "services.0.auto_scaling.scheduled.0");
    assert_eq!(sa["schedule"].as_str(), Some("at(2026-03-03T22:00:00)"));
    assert_eq!(sa["max_capacity"].as_integer(), Some(3));
    assert!(sa.get("min_capacity").is_none() && sa.get("timezone").is_none());
    assert!(
        i.report
            .unmodelled_settings()
            .iter()
            .any(|u| u.starts_with("describe-scheduled-actions: ScheduledActions[].EndTime"))
    );
    // Another cluster's target is a warning naming both clusters.
    assert!(has_warning(
        &i,
        "service/other/app belongs to cluster \"other\", not to cluster \"prod\" of this export; skipped"
    ));
}

fn metric(id: &str, label: &str, times: &[&str], values: Value) -> Value {
    json!({"Id": id, "Label": label, "Timestamps": times, "Values": values, "StatusCode": "Complete"})
}

fn metric_export(name: &str, results: Vec<Value>) -> PathBuf {
    let svc = service("app", "app:1", json!({"desiredCount": 9}));
    export(
        name,
        &[
            ("cluster.json", cluster(&["FARGATE"])),
            ("td.json", task_def("app", 1, json!({"cpu": "512", "memory": "1024"}))),
            ("services.json", services(vec![svc])),
            ("metrics.json", json!({"MetricDataResults": results, "Messages": []})),
        ],
    )
}

const T0: &str = "2026-03-02T10:01:00+00:00";
const T1: &str = "2026-03-02T10:00:00Z";

#[test]
fn metrics_become_a_trace_observed_rows_and_a_work_estimate() {
    // Newest first, as CloudWatch returns them; one timestamp as epoch seconds.
    let dir = metric_export(
        "metrics",
        vec![
            metric("requests_0", "app", &[T0, T1], json!([6000.0, 3000.0])),
            metric("cpu_0", "app", &[T0, T1], json!([50.0, 25.0])),
            metric("running_0", "app", &[T0, T1], json!([4.0, 4.0])),
            metric("memory_0", "app", &[T0, T1], json!([40.0, 30.0])),
            json!({"Id": "desired_0", "Label": "app", "Timestamps": [1_772_445_660_i64, 1_772_445_600_i64], "Values": [4.0, 4.0]}),
        ],
    );
    let i = imported(&dir);
    let t = parsed(&i);
    assert_eq!(at(&t, "simulation.start").as_str(), Some("2026-03-02T10:00:00Z"));
    assert_eq!(at(&t, "simulation.duration").as_str(), Some("2m"));
    // 3,000 and 6,000 requests a minute: 50 and 100 per second.
    assert_eq!(i.files.traces, vec![("traces/app.csv".to_string(), "time_s,rps\n0,50\n60,100\n".to_string())]);
    // Each minute: 25% (then 50%) of 0.5 vCPU x 4 tasks / 50 (then 100)
    // requests per second = 0.01 s: 10 ms. Memory: the median of 30% and
    // 40% of 1,024 MiB = 35% = 358.4, rounded to 358.
    assert_eq!(at(&t, "services.0.workload.cpu_per_request").as_str(), Some("10ms"));
    assert_eq!(at(&t, "services.0.workload.memory_base_mib").as_integer(), Some(358));
    assert_eq!(
        i.files.observed.as_deref(),
        Some(
            "time,service,metric,value\n\
             2026-03-02T10:00:00Z,app,cpu_utilization_percent,25\n\
             2026-03-02T10:00:00Z,app,desired_tasks,4\n\
             2026-03-02T10:00:00Z,app,memory_utilization_percent,30\n\
             2026-03-02T10:00:00Z,app,requests_per_second,50\n\
             2026-03-02T10:00:00Z,app,running_tasks,4\n\
             2026-03-02T10:01:00Z,app,cpu_utilization_percent,50\n\
             2026-03-02T10:01:00Z,app,desired_tasks,4\n\
             2026-03-02T10:01:00Z,app,memory_utilization_percent,40\n\
             2026-03-02T10:01:00Z,app,requests_per_second,100\n\
             2026-03-02T10:01:00Z,app,running_tasks,4\n"
        )
    );
}

#[test]
fn metric_gaps_and_repeated_datapoints_are_warnings() {
    let dir = metric_export(
        "gaps",
        vec![
            metric("requests_0", "app", &["2026-03-02T10:00:00Z", "2026-03-02T10:03:00Z"], json!([60.0, 120.0])),
            metric(
                "cpu_0",
                "app",
                &[T1, T1, "2026-03-02T10:01:00Z", "2026-03-02T10:02:00Z", "2026-03-02T10:03:00Z"],
                json!([5.0, 5.0, 5.0, 5.0, 5.0]),
            ),
            metric("latency_0", "app", &[T1], json!([1.0])),
            metric("cpu_1", "ghost", &[T1], json!([1.0])),
        ],
    );
    let i = imported(&dir);
    assert!(
        has_warning(&i, "app requests_per_second: 2 of 4 minutes have no value (the first at 2026-03-02T10:01:00Z)"),
        "{:?}",
        i.report.warnings
    );
    assert!(has_warning(&i, "app cpu_utilization_percent: 1 datapoints appear twice with the same value"));
    assert!(has_warning(&i, "metrics.json: MetricDataResults[2]: Id latency_0 is not <metric>_<n>"));
    assert!(has_warning(&i, "Label ghost is not an imported service"));
    // The trace holds 1 request per second until 10:03.
    assert_eq!(i.files.traces[0].1, "time_s,rps\n0,1\n180,2\n");
}

// ---------------------------------------------------------------- bad input

#[test]
fn conflicting_duplicates_non_numbers_and_odd_timestamps_are_errors_with_paths() {
    let dir = metric_export(
        "bad-metrics",
        vec![
            metric("requests_0", "app", &[T1, T1], json!([60.0, 61.0])),
            metric("cpu_0", "app", &[T1, T0], json!([5.0, "n/a"])),
            metric("memory_0", "app", &["2026-03-02T10:00:30Z"], json!([5.0])),
            metric("running_0", "app", &[T1], json!([1.0, 2.0])),
            metric("desired_0", "app", &[T1], json!([-1.0])),
        ],
    );
    let e = errors(&dir);
    let file = dir.join("metrics.json").display().to_string();
    let expected = [
        format!("{file}: MetricDataResults[1].Values[1]: expected a number, found the string \"n/a\""),
        format!(
            "{file}: MetricDataResults[2].Timestamps[0]: 2026-03-02T10:00:30Z is not on a whole minute; the export asks for Period = 60"
        ),
        format!("{file}: MetricDataResults[3]: 1 Timestamps but 2 Values; they must pair up"),
        format!("{file}: MetricDataResults[4].Values[0]: -1 is negative; every metric of the export is at least 0"),
        format!(
            "{file}: MetricDataResults[0].Values[1]: a second, different value 61 for app requests_per_second at 2026-03-02T10:00:00Z (the first is 60)"
        ),
    ];
    assert_eq!(e, expected);
}

#[test]
fn five_minute_data_is_refused_not_read_as_minutes_with_gaps() {
    // Past 15 days CloudWatch keeps only 300 s data: a sum over five minutes read
    // as one minute's would give five times the request rate, so it is an error.
    let dir = metric_export(
        "five-minute",
        vec![metric(
            "requests_0",
            "app",
            &["2026-03-02T10:00:00Z", "2026-03-02T10:05:00Z", "2026-03-02T10:10:00Z"],
            json!([300.0, 300.0, 300.0]),
        )],
    );
    assert_eq!(
        errors(&dir),
        [
            "get-metric-data: MetricDataResults[0] (metrics.json): Timestamps: app requests_per_second: no two datapoints of \
             any series are less than 300 s apart; ecsim imports one-minute data (Period = 60), which CloudWatch keeps \
             for 15 days: export 14 days or fewer"
        ]
    );
}

#[test]
fn malformed_json_is_an_error_with_line_and_column_and_nothing_is_written() {
    let dir = fresh("malformed").join("export");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("services.json"), "{\n  \"services\": [\n    {\"serviceName\": \"a\",,}\n  ]\n}\n")
        .unwrap();
    std::fs::write(dir.join("ec2.json"), "{\"Reservations\": []}").unwrap();
    let out = dir.parent().unwrap().join("out.toml");
    let o = ecsim(&["import", "aws", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let file = dir.join("services.json").display().to_string();
    assert!(stderr.contains(&format!("{file}:3:25: not valid JSON: key must be a string")), "{stderr}");
    assert!(stderr.contains("error: the import found 1 error(s); nothing was written"), "{stderr}");
    assert!(!out.exists());
    assert!(std::fs::read_dir(dir.parent().unwrap()).unwrap().count() == 1, "only the export directory remains");
}

#[test]
fn another_clusters_service_is_an_error_naming_both_clusters() {
    let mut svc = service("app", "app:1", json!({}));
    svc["clusterArn"] = json!(format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/staging"));
    let dir = export(
        "other-cluster",
        &[
            ("cluster.json", cluster(&["FARGATE"])),
            ("td.json", task_def("app", 1, json!({}))),
            ("services.json", services(vec![svc])),
        ],
    );
    let e = errors(&dir);
    let file = dir.join("services.json").display().to_string();
    let clusters = dir.join("cluster.json").display().to_string();
    assert_eq!(
        e,
        vec![format!(
            "{file}: services[0].clusterArn: names cluster \"staging\", but this export is of cluster \"prod\" \
         (from describe-clusters: clusters[0].clusterName (cluster.json)); export one cluster per directory"
        )]
    );
    assert!(!clusters.is_empty());
}

#[test]
fn missing_fields_and_wrong_types_name_their_json_path() {
    let mut svc = service("app", "app:1", json!({}));
    svc.as_object_mut().unwrap().remove("desiredCount");
    let dir = export(
        "missing",
        &[
            ("cluster.json", cluster(&["FARGATE"])),
            ("td.json", task_def("app", 1, json!({"memory": null, "containerDefinitions": [{"name": "c"}]}))),
            ("services.json", services(vec![svc])),
            ("targets.json", json!({"ScalableTargets": 5})),
        ],
    );
    let e = errors(&dir);
    let at = |f: &str| dir.join(f).display().to_string();
    assert_eq!(
        e,
        vec![
            format!("{}: ScalableTargets: expected an array, found the number 5", at("targets.json")),
            format!(
                "{}: services[0].desiredCount: missing; describe-services writes it (a whole number)",
                at("services.json")
            ),
        ]
    );
    // With the service fixed, the task definition's missing memory is next.
    let dir = export(
        "missing-memory",
        &[
            ("cluster.json", cluster(&["FARGATE"])),
            ("td.json", task_def("app", 1, json!({"memory": null, "containerDefinitions": [{"name": "c"}]}))),
            ("services.json", services(vec![service("app", "app:1", json!({}))])),
        ],
    );
    assert_eq!(
        errors(&dir),
        vec![format!(
            "{}: taskDefinition.containerDefinitions[0]: the task definition has no task-level memory, and this container has neither memory nor memoryReservation",
            dir.join("td.json").display()
        )]
    );
}

#[test]
fn an_absent_task_definition_an_unknown_file_and_an_empty_directory() {
    let dir = export(
        "absent",
        &[
            ("cluster.json", cluster(&["FARGATE"])),
            ("services.json", services(vec![service("app", "app:4", json!({}))])),
            ("list.json", json!({"serviceArns": []})),
            ("instances.json", json!({"Reservations": []})),
        ],
    );
    let i = imported(&dir);
    assert!(has_warning(
        &i,
        "services.json: services[0].taskDefinition: service app uses task definition arn:aws:ecs:eu-west-1:111122223333:task-definition/app:4, which is not in the export (ecs describe-task-definition --task-definition app:4); service skipped"
    ));
    assert!(has_warning(
        &i,
        "instances.json: skipped: not the output of a command the import reads (top-level keys: Reservations)"
    ));
    assert!(has_warning(&i, "list.json: skipped: list-services output only names the services"));
    let other = export("only-other", &[("instances.json", json!({"Reservations": []}))]);
    assert_eq!(
        errors(&other),
        vec![format!(
            "{}: nothing to import: no file holds the output of a command the import reads (see docs/import.md)",
            other.display()
        )]
    );
    let empty = fresh("empty");
    assert_eq!(
        errors(&empty),
        vec![format!("{}: no *.json file; save the AWS CLI output there first (see docs/import.md)", empty.display())]
    );
    let o = ecsim(&["import", "aws", "/nonexistent/ecsim-export"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/ecsim-export: cannot read the export directory"));
}

#[test]
fn outputs_are_written_next_to_the_scenario() {
    let i = imported(&metric_export("written", vec![metric("requests_0", "app", &[T1], json!([60.0]))]));
    let out = fresh("written-out").join("sub").join("mine.toml");
    let w = write(&i.files, &out).unwrap();
    assert_eq!(w.validation, Ok(()));
    assert!(out.is_file() && out.parent().unwrap().join("traces/app.csv").is_file());
    assert!(out.parent().unwrap().join("observed.csv").is_file());
    assert_eq!(ecsim::import::default_out(Path::new("a/b/export")), Path::new("a/b/imported.toml"));
}
