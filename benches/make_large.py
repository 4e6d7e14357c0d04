#!/usr/bin/env python3
"""Writes the large benchmark scenario (scenarios/bench/large.toml) or a scaled copy.

    benches/make_large.py [--scale K] [--days D] [--out FILE]

K multiplies the services and the capacity providers (each ASG is repeated K
times, so instances grow with K too); D is the horizon in days. With the
defaults (K = 1, D = 30) it reproduces scenarios/bench/large.toml exactly.
"""
import argparse
import random
import sys

HEADER = '''# Performance benchmark: a large cluster for a month.
#
# 30 days, 50 services with diurnal and spiky load, target tracking and step
# policies; three ASG capacity providers (on-demand, spot, mixed Graviton)
# reaching about 1,000 instances and 10,000 tasks at peak, plus FARGATE and
# FARGATE_SPOT; spot interruptions and reclaims, a deployment and an AZ outage.
# Time series hourly, event log on.
#
# Run:   cargo run --release -- run scenarios/bench/large.toml --out /tmp/large
# Goals (single thread, release build): under 2 s wall, under 300 MB peak
# memory. benches/scaling.sh measures it and its x4 / x16 / x4-horizon variants.
# Written by benches/make_large.py (regular structure); regenerate rather than edit.
'''


def asg_providers(k):
    out = []
    for copy in range(k):
        suffix = "" if copy == 0 else f"-{copy}"
        out.append(f'''[[capacity_providers]]
name = "ec2-od{suffix}"
kind = "ec2"
instance_types = ["m5.xlarge", "m6i.xlarge"]
lifecycle = "on-demand"
min_size = 60
max_size = 800
launch_time = {{ dist = "lognormal", median = "90s", p95 = "3m" }}
managed_termination_protection = "ENABLED"
[capacity_providers.managed_scaling]
target_capacity = 90
maximum_scaling_step_size = 100

[[capacity_providers]]
name = "ec2-spot{suffix}"
kind = "ec2"
instance_types = ["m5.xlarge", "m5a.xlarge", "m6i.xlarge", "c5.xlarge"]
lifecycle = "spot"
allocation_strategy = "price-capacity-optimized"
min_size = 0
max_size = 800
enable_spot_draining = true
launch_time = {{ dist = "lognormal", median = "100s", p95 = "4m" }}
[capacity_providers.managed_scaling]
target_capacity = 100
maximum_scaling_step_size = 100

[[capacity_providers]]
name = "ec2-graviton{suffix}"
kind = "ec2"
instance_types = ["m6g.xlarge", "m7g.xlarge"]
lifecycle = "mixed"
on_demand_base_capacity = 10
on_demand_percentage_above_base_capacity = 30
min_size = 10
max_size = 400
launch_time = "2m"
[capacity_providers.managed_scaling]
target_capacity = 100
maximum_scaling_step_size = 50
''')
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    if a.scale < 1 or a.days < 1:
        sys.exit("make_large.py: --scale and --days must be at least 1")
    random.seed(7)
    out = [HEADER]
    w = out.append
    w(f'''[simulation]
name = "large"
start = "2026-03-02T00:00:00Z"
duration = "{a.days}d"
seed = 11
tick = "1m"

[output]
timeseries_interval = "1h"

[spot]
interruption_frequency = "5-10%"
launch_failure_probability = 0.01
[[spot.reclaim_events]]
rate_per_month = 1
fraction = 0.2
[spot.fargate]
interruption_frequency = "5-10%"
''')
    w(asg_providers(a.scale))
    w('''[[capacity_providers]]
name = "FARGATE"
kind = "fargate"

[[capacity_providers]]
name = "FARGATE_SPOT"
kind = "fargate_spot"
''')
    for cpu, mem in [(256, 512), (512, 1024), (1024, 2048)]:
        w(f'''[[task_definitions]]
family = "ec2-{cpu}"
cpu = {cpu}
memory = {mem}
network_mode = "bridge"
port_mappings = [{{ container_port = 8080, host_port = 0 }}]
startup_time = {{ dist = "lognormal", median = "10s", p95 = "30s" }}

[[task_definitions]]
family = "fg-{cpu}"
cpu = {cpu}
memory = {mem}
network_mode = "awsvpc"
startup_time = {{ dist = "lognormal", median = "15s", p95 = "40s" }}
''')
    w('''[[task_definitions]]
family = "ec2-512-v2"
cpu = 512
memory = 1024
network_mode = "bridge"
port_mappings = [{ container_port = 8080, host_port = 0 }]
startup_time = "12s"
''')
    zones = ["America/New_York", "Europe/London", "Asia/Tokyo", "America/Los_Angeles"]
    for k in range(50 * a.scale):
        copy = k // 50
        suffix = "" if copy == 0 else f"-{copy}"
        j = k % 50
        cpu = random.choice([256, 512, 512, 1024])
        ec2 = j < 32
        fam = f"ec2-{cpu}" if ec2 else f"fg-{cpu}"
        mu = (cpu / 1024) / 0.005  # requests/s per task at 5 ms each
        peak_tasks = random.randint(120, 260) if ec2 else random.randint(60, 120)
        peak = round(peak_tasks * mu * 0.6)
        base = round(peak * random.uniform(0.15, 0.35))
        desired = max(2, round(base / (mu * 0.6)))
        w(f'''[[services]]
name = "svc{k:02d}"
task_definition = "{fam}"
desired_count = {desired}''')
        if ec2:
            if j % 3 == 0:
                w(f'capacity_provider_strategy = [{{ capacity_provider = "ec2-od{suffix}", base = 4, weight = 1 }}, {{ capacity_provider = "ec2-spot{suffix}", weight = 2 }}]')
            elif j % 3 == 1:
                w(f'capacity_provider_strategy = [{{ capacity_provider = "ec2-od{suffix}", weight = 1 }}]')
            else:
                w(f'capacity_provider_strategy = [{{ capacity_provider = "ec2-graviton{suffix}", weight = 1 }}]')
            w(random.choice(['placement_strategy = [{ type = "spread", field = "attribute:ecs.availability-zone" }, { type = "binpack", field = "memory" }]',
                             'placement_strategy = [{ type = "binpack", field = "cpu" }]', '']))
        else:
            w('capacity_provider_strategy = [{ capacity_provider = "FARGATE", base = 2, weight = 1 }, { capacity_provider = "FARGATE_SPOT", weight = 1 }]')
        w(f'''[services.deployment_configuration]
minimum_healthy_percent = 100
maximum_percent = 200
[services.load_balancer]
deregistration_delay = "{random.choice([30, 60, 120])}s"
health_check_interval = "10s"
healthy_threshold = 3
[services.workload]
rate = {{ pattern = "diurnal", base = {base}, peak = {peak}, peak_at = "{random.randint(10, 20)}:00", timezone = "{random.choice(zones)}", noise = 0.05 }}''')
        if j % 5 == 0:
            w(f'spikes = [{{ at = "{random.randint(1, max(1, a.days - 2))}d {random.randint(0, 23):02d}:00", multiplier = 3, ramp = "5m", hold = "30m" }}]')
        w(f'''cpu_per_request = "5ms"
request_timeout = "30s"
baseline_cpu_percent = 3
slo = {{ latency_p99 = "300ms" }}
[services.auto_scaling]
min_capacity = 2
max_capacity = {peak_tasks * 2}''')
        if j % 4 != 3:
            w('''[[services.auto_scaling.target_tracking]]
name = "cpu"
predefined_metric = "ECSServiceAverageCPUUtilization"
target_value = 60
scale_out_cooldown = "120s"
scale_in_cooldown = "300s"
''')
        else:
            w('''[[services.auto_scaling.step_scaling]]
name = "out"
metric = "ECSServiceAverageCPUUtilization"
comparison = "GreaterThanOrEqualToThreshold"
threshold = 70
evaluation_periods = 2
adjustment_type = "PercentChangeInCapacity"
min_adjustment_magnitude = 2
cooldown = "120s"
steps = [{ lower = 0, upper = 15, adjustment = 20 }, { lower = 15, adjustment = 50 }]
[[services.auto_scaling.step_scaling]]
name = "in"
metric = "ECSServiceAverageCPUUtilization"
comparison = "LessThanThreshold"
threshold = 35
evaluation_periods = 10
adjustment_type = "PercentChangeInCapacity"
cooldown = "300s"
steps = [{ upper = 0, adjustment = -10 }]
''')
    w(f'''[[events]]
at = "{a.days // 3}d 15:00"
kind = "deploy"
service = "svc01"
task_definition = "ec2-512-v2"

[[events]]
at = "{(2 * a.days) // 3}d 14:00"
kind = "az_outage"
zone = "us-east-1b"
duration = "1h"
''')
    text = "\n".join(out)
    if a.out == "-":
        sys.stdout.write(text)
    else:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
