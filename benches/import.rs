//! `ecsim import aws` on a large generated export: 500 services on 20 EC2
//! capacity providers and Fargate, each with its task definition, target
//! group and attributes, scalable target and policies (step policies with
//! their alarms, scheduled actions), and one hour of one-minute metrics per
//! service (1,052 files). Two measures: `map` reads and maps the files into
//! the scenario, traces and observed.csv in memory (`import_aws`); `import`
//! does that and writes and validates them (`write`) where the previous
//! import wrote them, as a second import of the same cluster does (traces
//! that did not change are not rewritten; the first import also creates the
//! 500 trace files, a cost of the file system more than of ecsim).

use criterion::{Criterion, criterion_group, criterion_main};
use ecsim::import::{import_aws, write};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SERVICES: usize = 500;
const PROVIDERS: usize = 20;
const MINUTES: usize = 60;
const ACCOUNT: &str = "111122223333";
const TYPES: [&str; 4] = ["m5.large", "m6i.large", "m5a.large", "c5.xlarge"];

fn arn(service: &str, resource: &str) -> String {
    format!("arn:aws:{service}:us-east-1:{ACCOUNT}:{resource}")
}

fn save(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(v).expect("JSON")).expect("written");
}

fn tg_arn(i: usize) -> String {
    arn("elasticloadbalancing", &format!("targetgroup/svc-{i}/{i:016x}"))
}

/// Writes the export into `dir`.
fn generate(dir: &Path) {
    let providers: Vec<String> = (0..PROVIDERS).map(|p| format!("ec2-{p}")).collect();
    let mut attached = providers.clone();
    attached.extend(["FARGATE".to_string(), "FARGATE_SPOT".to_string()]);
    save(
        dir,
        "clusters.json",
        &json!({"clusters": [{
        "clusterArn": arn("ecs", "cluster/big"), "clusterName": "big", "status": "ACTIVE",
        "capacityProviders": attached, "defaultCapacityProviderStrategy": []}], "failures": []}),
    );
    let cps: Vec<Value> = providers
        .iter()
        .map(|p| {
            json!({"name": p, "status": "ACTIVE", "autoScalingGroupProvider": {
            "autoScalingGroupArn": arn("autoscaling", &format!("autoScalingGroup:0:autoScalingGroupName/{p}-asg")),
            "managedScaling": {"status": "ENABLED", "targetCapacity": 90, "minimumScalingStepSize": 1,
                               "maximumScalingStepSize": 10, "instanceWarmupPeriod": 180},
            "managedTerminationProtection": "ENABLED", "managedDraining": "ENABLED"}})
        })
        .collect();
    save(dir, "capacity-providers.json", &json!({ "capacityProviders": cps }));
    let groups: Vec<Value> = providers
        .iter()
        .enumerate()
        .map(|(i, p)| json!({
            "AutoScalingGroupName": format!("{p}-asg"),
            "AutoScalingGroupARN": arn("autoscaling", &format!("autoScalingGroup:0:autoScalingGroupName/{p}-asg")),
            "MixedInstancesPolicy": {
                "LaunchTemplate": {"Overrides": [{"InstanceType": TYPES[i % 3]}, {"InstanceType": TYPES[(i + 1) % 3]}]},
                "InstancesDistribution": {"OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 25,
                                          "SpotAllocationStrategy": "price-capacity-optimized", "OnDemandAllocationStrategy": "prioritized"}},
            "MinSize": 2, "MaxSize": 200, "DesiredCapacity": 10,
            "AvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"], "Instances": []}))
        .collect();
    save(dir, "asgs.json", &json!({ "AutoScalingGroups": groups }));
    let mut groups_tg = Vec::new();
    let (mut targets, mut policies, mut alarms, mut actions) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut page = Vec::new();
    for i in 0..SERVICES {
        let name = format!("svc-{i}");
        let fargate = i % 2 == 1;
        let td = json!({"taskDefinition": {
            "taskDefinitionArn": arn("ecs", &format!("task-definition/{name}:3")), "family": name, "revision": 3,
            "cpu": if fargate { "512" } else { "256" }, "memory": "1024",
            "networkMode": if fargate { "awsvpc" } else { "bridge" },
            "containerDefinitions": [{"name": "app", "image": "x", "essential": true,
                "portMappings": [{"containerPort": 8080, "hostPort": if fargate { 8080 } else { 0 }}],
                "environment": [{"name": "MODE", "value": "prod"}]}]}});
        save(dir, &format!("td-{name}.json"), &td);
        let mut s = json!({
            "serviceName": name, "clusterArn": arn("ecs", "cluster/big"),
            "serviceArn": arn("ecs", &format!("service/big/{name}")),
            "taskDefinition": arn("ecs", &format!("task-definition/{name}:3")),
            "desiredCount": 4, "status": "ACTIVE", "schedulingStrategy": "REPLICA",
            "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 50},
            "loadBalancers": [], "serviceRegistries": [], "healthCheckGracePeriodSeconds": 30});
        s["capacityProviderStrategy"] = if fargate {
            json!([{"capacityProvider": "FARGATE", "base": 1, "weight": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 2}])
        } else {
            let (a, b) = (i % PROVIDERS, (i + 1) % PROVIDERS);
            s["placementStrategy"] = json!([{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "binpack", "field": "memory"}]);
            json!([{"capacityProvider": providers[a], "weight": 1}, {"capacityProvider": providers[b], "weight": 1}])
        };
        if i % 2 == 0 {
            s["loadBalancers"] = json!([{"targetGroupArn": tg_arn(i), "containerName": "app", "containerPort": 8080}]);
            groups_tg.push(json!({"TargetGroupArn": tg_arn(i), "TargetGroupName": name, "Protocol": "HTTP",
                "HealthCheckIntervalSeconds": 15, "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 2}));
            save(
                dir,
                &format!("tg-attributes-{name}.json"),
                &json!({"TargetGroupArn": tg_arn(i),
                "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "60"}]}),
            );
        }
        page.push(s);
        if page.len() == 10 {
            save(dir, &format!("services-{:03}.json", i / 10), &json!({"services": page, "failures": []}));
            page = Vec::new();
        }
        let resource = format!("service/big/{name}");
        targets.push(
            json!({"ServiceNamespace": "ecs", "ResourceId": resource, "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 2, "MaxCapacity": 50}),
        );
        policies.push(json!({"PolicyName": format!("{name}-cpu"), "ServiceNamespace": "ecs", "ResourceId": resource,
            "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 60.0, "ScaleOutCooldown": 60, "ScaleInCooldown": 300,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}));
        if i % 5 == 0 {
            let alarm = format!("{name}-mem-high");
            policies.push(json!({"PolicyName": alarm, "ServiceNamespace": "ecs", "ResourceId": resource,
                "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "StepScaling",
                "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity", "Cooldown": 120,
                    "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 2}]},
                "Alarms": [{"AlarmName": alarm}]}));
            alarms.push(json!({"AlarmName": alarm, "Namespace": "AWS/ECS", "MetricName": "MemoryUtilization",
                "Statistic": "Average", "Period": 60, "EvaluationPeriods": 3, "Threshold": 80.0,
                "ComparisonOperator": "GreaterThanThreshold"}));
        }
        if i % 10 == 0 {
            actions.push(json!({"ScheduledActionName": format!("{name}-morning"), "ServiceNamespace": "ecs",
                "ResourceId": resource, "ScalableDimension": "ecs:service:DesiredCount",
                "Schedule": "cron(0 8 ? * MON-FRI *)", "Timezone": "Europe/Paris",
                "ScalableTargetAction": {"MinCapacity": 4, "MaxCapacity": 50}}));
        }
    }
    save(dir, "target-groups.json", &json!({ "TargetGroups": groups_tg }));
    save(dir, "scalable-targets.json", &json!({ "ScalableTargets": targets }));
    save(dir, "scaling-policies.json", &json!({ "ScalingPolicies": policies }));
    save(dir, "alarms.json", &json!({ "MetricAlarms": alarms, "CompositeAlarms": [] }));
    save(dir, "scheduled-actions.json", &json!({ "ScheduledActions": actions }));
    let stamps: Vec<String> =
        (0..MINUTES).map(|m| format!("2026-03-02T{:02}:{:02}:00+00:00", m / 60, m % 60)).collect();
    let mut results = Vec::new();
    for i in 0..SERVICES {
        for (metric, base) in
            [("requests", 6000.0), ("cpu", 40.0), ("memory", 30.0), ("running", 4.0), ("desired", 4.0)]
        {
            let values: Vec<f64> = (0..MINUTES).map(|m| base * (1.0 + ((m + i) % 7) as f64 / 20.0)).collect();
            results.push(json!({"Id": format!("{metric}_{i}"), "Label": format!("svc-{i}"),
                "Timestamps": stamps, "Values": values, "StatusCode": "Complete"}));
        }
    }
    save(dir, "metrics.json", &json!({"MetricDataResults": results, "Messages": []}));
}

fn import_large(c: &mut Criterion) {
    let root: PathBuf = std::env::temp_dir().join(format!("ecsim-bench-import-{}", std::process::id()));
    let export = root.join("export");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&export).expect("temp dir");
    generate(&export);
    let out = root.join("imported.toml");
    // A check outside the timing: the import maps everything and validates.
    let imported = import_aws(&export).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((imported.services, imported.capacity_providers), (SERVICES, PROVIDERS + 2));
    let written = write(&imported.files, &out).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written.validation, Ok(()), "the generated scenario validates");
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("map_500_services_20_providers", |b| b.iter(|| import_aws(&export).expect("imports")));
    group.bench_function("import_500_services_20_providers", |b| {
        b.iter(|| {
            let imported = import_aws(&export).expect("imports");
            write(&imported.files, &out).expect("writes")
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, import_large);
criterion_main!(benches);
