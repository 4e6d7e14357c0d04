#!/usr/bin/env python3
"""Writes scenarios/imported/export/: a SYNTHETIC AWS CLI export of a small
ECS cluster ("shop": one EC2 Auto Scaling group provider with mixed on-demand
and spot, FARGATE and FARGATE_SPOT; three services; target tracking on CPU
and on ALBRequestCountPerTarget, step scale-out and scale-in policies with
their alarms, a scheduled action) in the JSON shapes the AWS CLI prints, plus three days of one-minute
CloudWatch metrics with a daily pattern, named as docs/import.md says.

Nothing here comes from a real account: names, ARNs and figures are made up.
Deterministic (seeded random numbers, fixed dates): running it again writes
the same bytes. Python 3 standard library only.

    python3 scripts/make-synthetic-export.py [OUT_DIR]
"""

import json
import math
import os
import random
import sys
from datetime import datetime, timedelta, timezone

ACCOUNT = "111122223333"
REGION = "us-east-1"
CLUSTER = "shop"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
START = datetime(2026, 3, 2, tzinfo=timezone.utc)
DAYS = 3
CREATED = "2025-11-03T10:12:44.123000+00:00"
TG_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/shop-web/0123456789abcdef"
LB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/shop-alb/fedcba9876543210"
ASG_NAME = "shop-ecs-asg"
ASG_ARN = (
    f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:"
    f"5d0f8c2e-6f0a-4f3e-9a57-2f1f0e3b7c11:autoScalingGroupName/{ASG_NAME}"
)
SRV_ID = "srv-0a1b2c3d4e5f60718"
NS_ID = "ns-0f1e2d3c4b5a69788"


def arn(service, resource):
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def write(out_dir, name, doc, compact_lists=False):
    path = os.path.join(out_dir, name)
    text = json.dumps(doc, indent=4) + "\n"
    if compact_lists:
        # Keep the metric files small: Timestamps and Values on one line each.
        text = compact(doc)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def compact(doc):
    lines = ["{", '    "MetricDataResults": [']
    results = doc["MetricDataResults"]
    for i, r in enumerate(results):
        lines.append("        {")
        lines.append(f'            "Id": {json.dumps(r["Id"])},')
        lines.append(f'            "Label": {json.dumps(r["Label"])},')
        lines.append(f'            "Timestamps": {json.dumps(r["Timestamps"], separators=(",", ":"))},')
        lines.append(f'            "Values": {json.dumps(r["Values"], separators=(",", ":"))},')
        lines.append(f'            "StatusCode": {json.dumps(r["StatusCode"])}')
        lines.append("        }" + ("," if i + 1 < len(results) else ""))
    lines.append("    ],")
    lines.append('    "Messages": []')
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- ECS
def task_definition(family, revision, cpu, memory, network_mode, containers, arch=None, compat=("EC2",)):
    td = {
        "taskDefinitionArn": arn("ecs", f"task-definition/{family}:{revision}"),
        "containerDefinitions": containers,
        "family": family,
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{family}-task",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "networkMode": network_mode,
        "revision": revision,
        "volumes": [],
        "status": "ACTIVE",
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"] if "FARGATE" in compat else ["EC2"],
        "requiresCompatibilities": list(compat),
        "registeredAt": CREATED,
        "registeredBy": f"arn:aws:iam::{ACCOUNT}:role/deployer",
    }
    if cpu is not None:
        td["cpu"] = str(cpu)
    if memory is not None:
        td["memory"] = str(memory)
    if arch:
        td["runtimePlatform"] = {"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"}
    return {"taskDefinition": td, "tags": []}


def container(name, image, port=None, host_port=None, cpu=None, memory=None, reservation=None, env=None, secrets=None):
    c = {
        "name": name,
        "image": image,
        "portMappings": [],
        "essential": True,
        "environment": env or [],
        "mountPoints": [],
        "volumesFrom": [],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": f"/ecs/{name}", "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"},
        },
        "systemControls": [],
    }
    if port is not None:
        pm = {"containerPort": port, "protocol": "tcp"}
        if host_port is not None:
            pm["hostPort"] = host_port
        c["portMappings"].append(pm)
    if cpu is not None:
        c["cpu"] = cpu
    if memory is not None:
        c["memory"] = memory
    if reservation is not None:
        c["memoryReservation"] = reservation
    if secrets:
        c["secrets"] = secrets
    return c


def deployment(td_arn, desired, launch_type=None, strategy=None):
    d = {
        "id": "ecs-svc/4729388821007123456",
        "status": "PRIMARY",
        "taskDefinition": td_arn,
        "desiredCount": desired,
        "pendingCount": 0,
        "runningCount": desired,
        "failedTasks": 0,
        "createdAt": CREATED,
        "updatedAt": CREATED,
        "rolloutState": "COMPLETED",
        "rolloutStateReason": "ECS deployment ecs-svc/4729388821007123456 completed.",
    }
    if launch_type:
        d["launchType"] = launch_type
    if strategy:
        d["capacityProviderStrategy"] = strategy
    return d


def deployment_configuration(minimum_healthy, circuit_breaker=False):
    return {
        "deploymentCircuitBreaker": {"enable": circuit_breaker, "rollback": circuit_breaker},
        "maximumPercent": 200,
        "minimumHealthyPercent": minimum_healthy,
        "alarms": {"alarmNames": [], "rollback": False, "enable": False},
    }


def service(name, td, desired, extra):
    td_arn = td["taskDefinition"]["taskDefinitionArn"]
    s = {
        "serviceArn": arn("ecs", f"service/{CLUSTER}/{name}"),
        "serviceName": name,
        "clusterArn": arn("ecs", f"cluster/{CLUSTER}"),
        "loadBalancers": [],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": desired,
        "pendingCount": 0,
        "taskDefinition": td_arn,
        "deploymentConfiguration": deployment_configuration(100),
        "deployments": [deployment(td_arn, desired, extra.get("launchType"), extra.get("capacityProviderStrategy"))],
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [
            {
                "id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                "createdAt": CREATED,
                "message": f"(service {name}) has reached a steady state.",
            }
        ],
        "createdAt": CREATED,
        "placementConstraints": [],
        "placementStrategy": [],
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{ACCOUNT}:role/deployer",
        "enableECSManagedTags": True,
        "propagateTags": "NONE",
        "enableExecuteCommand": False,
        "availabilityZoneRebalancing": "DISABLED",
    }
    s.update(extra)
    return s


def ecs_files(out):
    write(out, "describe-clusters.json", {
        "clusters": [{
            "clusterArn": arn("ecs", f"cluster/{CLUSTER}"),
            "clusterName": CLUSTER,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 4,
            "runningTasksCount": 12,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["shop-ec2", "FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        }],
        "failures": [],
    })
    write(out, "describe-capacity-providers.json", {
        "capacityProviders": [
            {
                "capacityProviderArn": arn("ecs", "capacity-provider/shop-ec2"),
                "name": "shop-ec2",
                "status": "ACTIVE",
                "autoScalingGroupProvider": {
                    "autoScalingGroupArn": ASG_ARN,
                    "managedScaling": {
                        "status": "ENABLED",
                        "targetCapacity": 90,
                        "minimumScalingStepSize": 1,
                        "maximumScalingStepSize": 10,
                        "instanceWarmupPeriod": 180,
                    },
                    "managedTerminationProtection": "ENABLED",
                    "managedDraining": "ENABLED",
                },
                "updateStatus": "UPDATE_COMPLETE",
                "tags": [],
            },
            {"capacityProviderArn": arn("ecs", "capacity-provider/FARGATE"), "name": "FARGATE", "status": "ACTIVE", "tags": []},
            {"capacityProviderArn": arn("ecs", "capacity-provider/FARGATE_SPOT"), "name": "FARGATE_SPOT", "status": "ACTIVE", "tags": []},
        ]
    })
    web_td = task_definition(
        "web", 7, 512, 1024, "awsvpc",
        [container("web", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1.42.0", port=8080, host_port=8080,
                   env=[{"name": "LOG_LEVEL", "value": "info"}])],
        arch="X86_64", compat=("FARGATE",),
    )
    api_td = task_definition(
        "api", 12, None, None, "bridge",
        [
            container("api", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:3.1.0", port=9000, host_port=0, cpu=256,
                      memory=512, env=[{"name": "DB_HOST", "value": "db.internal.example"}],
                      secrets=[{"name": "DB_PASSWORD", "valueFrom": arn("secretsmanager", "secret:shop/db-AbCdEf")}]),
            container("log-router", "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable", reservation=64),
        ],
    )
    worker_td = task_definition(
        "worker", 3, 1024, 2048, "awsvpc",
        [container("worker", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/worker:0.9.1")],
        arch="ARM64", compat=("FARGATE",),
    )
    api_td["taskDefinition"]["containerDefinitions"][0]["stopTimeout"] = 45
    for name, td in [("web", web_td), ("api", api_td), ("worker", worker_td)]:
        write(out, f"describe-task-definition-{name}.json", td)
    awsvpc = {"awsvpcConfiguration": {"subnets": ["subnet-0aa11", "subnet-0bb22", "subnet-0cc33"],
                                      "securityGroups": ["sg-0123abcd"], "assignPublicIp": "DISABLED"}}
    web_strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 2},
                    {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}]
    services = [
        service("web", web_td, 6, {
            "capacityProviderStrategy": web_strategy,
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "loadBalancers": [{"targetGroupArn": TG_ARN, "containerName": "web", "containerPort": 8080}],
            "healthCheckGracePeriodSeconds": 60,
            "networkConfiguration": awsvpc,
            "deploymentConfiguration": deployment_configuration(100, circuit_breaker=True),
        }),
        service("api", api_td, 4, {
            "capacityProviderStrategy": [{"capacityProvider": "shop-ec2", "weight": 1, "base": 0}],
            "serviceRegistries": [{"registryArn": arn("servicediscovery", f"service/{SRV_ID}"),
                                   "containerName": "api", "containerPort": 9000}],
            "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                                  {"type": "binpack", "field": "memory"}],
            "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m*"}],
            "deploymentConfiguration": deployment_configuration(50),
        }),
        service("worker", worker_td, 2, {
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "networkConfiguration": awsvpc,
        }),
    ]
    write(out, "describe-services.json", {"services": services, "failures": []})
    return services


# ---------------------------------------------------------------- EC2 Auto Scaling
def ec2_files(out):
    types = ["m5.large", "m6i.large", "m5a.large"]
    instances = []
    for i in range(4):
        instances.append({
            "InstanceId": f"i-0{i}a1b2c3d4e5f6a7b",
            "InstanceType": types[i % 3],
            "AvailabilityZone": ZONES[i % 3],
            "LifecycleState": "InService",
            "HealthStatus": "Healthy",
            "LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0", "LaunchTemplateName": "shop-ecs", "Version": "3"},
            "ProtectedFromScaleIn": True,
        })
    write(out, "describe-auto-scaling-groups.json", {"AutoScalingGroups": [{
        "AutoScalingGroupName": ASG_NAME,
        "AutoScalingGroupARN": ASG_ARN,
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateId": "lt-0123456789abcdef0",
                                                "LaunchTemplateName": "shop-ecs", "Version": "$Latest"},
                "Overrides": [{"InstanceType": t} for t in types],
            },
            "InstancesDistribution": {
                "OnDemandAllocationStrategy": "prioritized",
                "OnDemandBaseCapacity": 1,
                "OnDemandPercentageAboveBaseCapacity": 50,
                "SpotAllocationStrategy": "price-capacity-optimized",
            },
        },
        "MinSize": 2,
        "MaxSize": 20,
        "DesiredCapacity": 4,
        "DefaultCooldown": 300,
        "AvailabilityZones": ZONES,
        "LoadBalancerNames": [],
        "TargetGroupARNs": [],
        "HealthCheckType": "EC2",
        "HealthCheckGracePeriod": 0,
        "Instances": instances,
        "CreatedTime": "2025-11-03T10:05:12.412000+00:00",
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": "subnet-0aa11,subnet-0bb22,subnet-0cc33",
        "EnabledMetrics": [],
        "Tags": [{"ResourceId": ASG_NAME, "ResourceType": "auto-scaling-group", "Key": "AmazonECSManaged",
                  "Value": "", "PropagateAtLaunch": True}],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": True,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "CapacityRebalance": True,
        "TrafficSources": [],
    }]})
    write(out, "describe-launch-template-versions.json", {"LaunchTemplateVersions": [{
        "LaunchTemplateId": "lt-0123456789abcdef0",
        "LaunchTemplateName": "shop-ecs",
        "VersionNumber": 3,
        "CreateTime": "2025-11-03T10:01:02+00:00",
        "CreatedBy": f"arn:aws:iam::{ACCOUNT}:role/deployer",
        "DefaultVersion": True,
        "LaunchTemplateData": {
            "IamInstanceProfile": {"Name": "ecsInstanceRole"},
            "ImageId": "ami-0abcdef1234567890",
            "InstanceType": "m5.large",
            "SecurityGroupIds": ["sg-0123abcd"],
            "UserData": "IyEvYmluL2Jhc2gKZWNobyBFQ1NfQ0xVU1RFUj1zaG9wID4+IC9ldGMvZWNzL2Vjcy5jb25maWcK",
        },
    }]})


# ---------------------------------------------------------------- load balancing, Cloud Map
def elb_files(out):
    write(out, "describe-target-groups.json", {"TargetGroups": [{
        "TargetGroupArn": TG_ARN,
        "TargetGroupName": "shop-web",
        "Protocol": "HTTP",
        "Port": 8080,
        "VpcId": "vpc-0a1b2c3d",
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/healthz",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [LB_ARN],
        "TargetType": "ip",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }]})
    attributes = [
        ("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "1"),
        ("stickiness.enabled", "false"),
        ("deregistration_delay.timeout_seconds", "30"),
        ("stickiness.type", "lb_cookie"),
        ("stickiness.lb_cookie.duration_seconds", "86400"),
        ("slow_start.duration_seconds", "0"),
        ("load_balancing.algorithm.type", "round_robin"),
        ("load_balancing.cross_zone.enabled", "use_load_balancer_configuration"),
    ]
    # describe-target-group-attributes does not name its target group: the
    # export adds TargetGroupArn next to Attributes (docs/import.md).
    write(out, "describe-target-group-attributes-shop-web.json", {
        "TargetGroupArn": TG_ARN,
        "Attributes": [{"Key": k, "Value": v} for k, v in attributes],
    })
    write(out, "get-service-api.json", {"Service": {
        "Id": SRV_ID,
        "Arn": arn("servicediscovery", f"service/{SRV_ID}"),
        "Name": "api",
        "NamespaceId": NS_ID,
        "DnsConfig": {"NamespaceId": NS_ID, "RoutingPolicy": "MULTIVALUE",
                      "DnsRecords": [{"Type": "A", "TTL": 10}]},
        "Type": "DNS_HTTP",
        "HealthCheckCustomConfig": {"FailureThreshold": 1},
        "CreateDate": CREATED,
        "CreatorRequestId": "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c",
    }})


# ---------------------------------------------------------------- Application Auto Scaling, alarms
def policy_arn(svc, name):
    return (f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:7e9b1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e:"
            f"resource/ecs/service/{CLUSTER}/{svc}:policyName/{name}")


def policy_head(svc, name, kind):
    return {
        "PolicyARN": policy_arn(svc, name),
        "PolicyName": name,
        "ServiceNamespace": "ecs",
        "ResourceId": f"service/{CLUSTER}/{svc}",
        "ScalableDimension": "ecs:service:DesiredCount",
        "PolicyType": kind,
    }


def alarm_ref(name):
    return {"AlarmName": name, "AlarmARN": arn("cloudwatch", f"alarm:{name}")}


def scaling_files(out):
    targets = []
    for svc, lo, hi in [("web", 2, 40), ("api", 2, 20)]:
        targets.append({
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{CLUSTER}/{svc}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": lo,
            "MaxCapacity": hi,
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": CREATED,
            "SuspendedState": {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False,
                               "ScheduledScalingSuspended": False},
            "ScalableTargetARN": arn("application-autoscaling", f"scalable-target/0ec5{svc}a1b2c3d4e5f6a7b8c9d0e1f2"),
        })
    write(out, "describe-scalable-targets.json", {"ScalableTargets": targets})

    def tracking(svc, name, target, metric, out_cd, in_cd, label=None):
        spec = {"PredefinedMetricType": metric}
        if label:
            spec["ResourceLabel"] = label
        tt = f"TargetTracking-service/{CLUSTER}/{svc}"
        return {
            **policy_head(svc, name, "TargetTrackingScaling"),
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": target,
                "PredefinedMetricSpecification": spec,
                "ScaleOutCooldown": out_cd,
                "ScaleInCooldown": in_cd,
                "DisableScaleIn": False,
            },
            "Alarms": [alarm_ref(f"{tt}-AlarmHigh-{name}"), alarm_ref(f"{tt}-AlarmLow-{name}")],
            "CreationTime": CREATED,
        }

    def step(svc, name, adjustments, cooldown):
        return {
            **policy_head(svc, name, "StepScaling"),
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": adjustments,
                "Cooldown": cooldown,
                "MetricAggregationType": "Average",
            },
            "Alarms": [alarm_ref(name)],
            "CreationTime": CREATED,
        }

    label = "app/shop-alb/fedcba9876543210/targetgroup/shop-web/0123456789abcdef"
    write(out, "describe-scaling-policies.json", {"ScalingPolicies": [
        tracking("web", "web-cpu60", 60.0, "ECSServiceAverageCPUUtilization", 60, 300),
        tracking("web", "web-requests", web_request_target(), "ALBRequestCountPerTarget", 60, 300, label),
        step("api", "api-cpu-high", [
            {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 15.0, "ScalingAdjustment": 1},
            {"MetricIntervalLowerBound": 15.0, "ScalingAdjustment": 3},
        ], 120),
        # The scale-in half a team pairs with the scale-out policy: without it
        # the service never shrinks, while the metrics below follow the load
        # down every night.
        step("api", "api-cpu-low", [
            {"MetricIntervalUpperBound": 0.0, "ScalingAdjustment": -1},
        ], 300),
    ]})
    write(out, "describe-scheduled-actions.json", {"ScheduledActions": [{
        "ScheduledActionName": "web-business-hours",
        "ScheduledActionARN": (f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scheduledAction:1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d:"
                               f"resource/ecs/service/{CLUSTER}/web:scheduledActionName/web-business-hours"),
        "ServiceNamespace": "ecs",
        "Schedule": "cron(0 8 ? * MON-FRI *)",
        "Timezone": "America/New_York",
        "ResourceId": f"service/{CLUSTER}/web",
        "ScalableDimension": "ecs:service:DesiredCount",
        "ScalableTargetAction": {"MinCapacity": 4, "MaxCapacity": 40},
        "CreationTime": CREATED,
    }]})
    def cpu_alarm(name, description, reason, periods, datapoints, threshold, comparison):
        return {
            "AlarmName": name,
            "AlarmArn": arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": CREATED,
            "ActionsEnabled": True,
            "OKActions": [],
            "AlarmActions": [policy_arn("api", name)],
            "InsufficientDataActions": [],
            "StateValue": "OK",
            "StateReason": reason,
            "StateUpdatedTimestamp": "2026-03-04T21:14:00.000000+00:00",
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/ECS",
            "Statistic": "Average",
            "Dimensions": [{"Name": "ClusterName", "Value": CLUSTER}, {"Name": "ServiceName", "Value": "api"}],
            "Period": 60,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": datapoints,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "TreatMissingData": "missing",
            "StateTransitionedTimestamp": "2026-03-04T21:14:00.000000+00:00",
        }

    write(out, "describe-alarms.json", {"MetricAlarms": [
        cpu_alarm("api-cpu-high", "api CPU above 70%: add tasks",
                  "Threshold Crossed: 2 out of the last 3 datapoints were not greater than or equal to the threshold (70.0).",
                  3, 2, 70.0, "GreaterThanOrEqualToThreshold"),
        cpu_alarm("api-cpu-low", "api CPU at or below 40%: remove a task",
                  "Threshold Crossed: 5 datapoints were not less than or equal to the threshold (40.0).",
                  5, 5, 40.0, "LessThanOrEqualToThreshold"),
    ], "CompositeAlarms": []})


# ---------------------------------------------------------------- metrics
# (service, index, base rps, peak rps, peak hour UTC, vCPU-seconds per request,
#  task vCPU, task memory MiB, memory at rest MiB, min tasks, max tasks)
LOADS = [
    ("web", 0, 150.0, 900.0, 18.0, 0.004, 0.5, 1024, 380.0, 2, 40),
    ("api", 1, 200.0, 1200.0, 18.5, 0.0015, 0.25, 576, 260.0, 2, 20),
    ("worker", 2, 2.0, 8.0, 3.0, 0.05, 1.0, 2048, 700.0, 2, 2),
]


# The CPU target the series below follow (series_for sizes every service to it).
CPU_TARGET = 0.6


def web_request_target():
    """ALBRequestCountPerTarget target for web, derived from LOADS so that
    the CPU policy is the one that binds, as the web series show.

    At CPU_TARGET a web task serves vcpu * 0.6 / work = 0.5 * 0.6 / 0.004 =
    75 requests/s, i.e. 4,500 requests per target per minute. A request
    target T asks for rps * 60 / T tasks and the CPU policy for rps / 75, so
    the request policy would bind for any T below 4,500. The target is set so
    that it binds only if CPU reached 80% (4,500 * 0.8 / 0.6 = 6,000): a
    guard against a slowdown that leaves CPU low, never the one in charge here.
    """
    _, _, _, _, _, work, vcpu, *_ = LOADS[0]
    per_minute_at_target = vcpu * CPU_TARGET / work * 60
    return round(per_minute_at_target * 0.8 / CPU_TARGET, 1)


def series_for(load, minutes):
    name, idx, base, peak, peak_h, work, vcpu, mem, rest, lo, hi = load
    rng = random.Random(1000 + idx)
    out = {"requests": [], "cpu": [], "memory": [], "running": [], "desired": []}
    tasks = lo
    for m in range(minutes):
        hour = (m / 60.0) % 24.0
        rps = base + (peak - base) * (1 + math.cos(2 * math.pi * (hour - peak_h) / 24.0)) / 2
        rps *= 1 + 0.06 * (rng.random() - 0.5)
        # A desired count that follows the load with a 60% CPU target.
        want = max(lo, min(hi, math.ceil(rps * work / (vcpu * CPU_TARGET))))
        if want > tasks or (want < tasks and m % 15 == 0):
            tasks = want if want > tasks else max(want, tasks - 1)
        cpu = 100.0 * rps * work / (tasks * vcpu) + 2.0 * rng.random()
        memory = 100.0 * (rest + 0.5 * rps * work * 10 / tasks) / mem
        out["requests"].append(round(rps * 60))
        out["cpu"].append(round(cpu, 1))
        out["memory"].append(round(memory, 1))
        out["running"].append(float(tasks))
        out["desired"].append(float(tasks))
    return out


def metric_files(out):
    minutes = DAYS * 1440
    data = {load[0]: series_for(load, minutes) for load in LOADS}
    for day in range(DAYS):
        results = []
        first = day * 1440
        # get-metric-data returns the newest datapoint first (TimestampDescending).
        order = list(range(first + 1439, first - 1, -1))
        stamps = [(START + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%S+00:00") for m in order]
        for name, idx, *_ in LOADS:
            for metric in ["requests", "cpu", "memory", "running", "desired"]:
                values = data[name][metric]
                results.append({
                    "Id": f"{metric}_{idx}",
                    "Label": name,
                    "Timestamps": stamps,
                    "Values": [values[m] for m in order],
                    "StatusCode": "Complete",
                })
        date = (START + timedelta(days=day)).strftime("%Y-%m-%d")
        write(out, f"get-metric-data-{date}.json", {"MetricDataResults": results, "Messages": []}, compact_lists=True)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "scenarios", "imported", "export")
    os.makedirs(out, exist_ok=True)
    ecs_files(out)
    ec2_files(out)
    elb_files(out)
    scaling_files(out)
    metric_files(out)


if __name__ == "__main__":
    main()
