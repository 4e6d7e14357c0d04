#!/usr/bin/env bash
# Exports one ECS cluster's configuration and recent CloudWatch metrics as the
# JSON of read-only AWS CLI v2 calls, one file per call, for `ecsim import aws`.
#
# Usage:  scripts/export-aws.sh --cluster NAME [--region R] [--days N] OUTDIR
#   --cluster  the ECS cluster (name or ARN)
#   --region   AWS region (default: the CLI's own configuration)
#   --days     days of metrics, ending now (default 14)
#
# Needs bash and AWS CLI v2, nothing else (no jq): values are picked out of
# answers with the CLI's own --query (JMESPath). Every call is a describe-,
# list- or get- call; the IAM policy it needs is in docs/export.md, with what
# each file holds.
#
# Nothing secret is written: task definitions keep an allow-list of fields
# (no `environment`, `secrets`, `environmentFiles`, `command`, credentials or
# log options); launch template versions keep only the instance type and
# instance requirements (no user data).
#
# Metrics (docs/import.md, "Metrics"): each query's Id is `<metric>_<n>`
# (requests, cpu, memory, running, desired) and its Label the ECS service
# name. The period is the finest CloudWatch still holds for the whole window:
# one-minute data is kept 15 days, five-minute 63 days, one-hour 455 days
# (GetMetricData API reference,
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html);
# a day is kept in hand, so 60 s up to 14 days, 300 s up to 62, 3600 s up to 454.
# One call returns at most 500 metrics and 100,800 data points (same page), so
# the queries go in chunks of min(500, 100800 / points per metric).
set -euo pipefail

usage() {
    echo "usage: $0 --cluster NAME [--region R] [--days N] OUTDIR" >&2
    exit 2
}

cluster=""
region=""
days=14
outdir=""
while (($# > 0)); do
    case "$1" in
        --cluster) (($# >= 2)) || usage; cluster=$2; shift 2 ;;
        --region) (($# >= 2)) || usage; region=$2; shift 2 ;;
        --days) (($# >= 2)) || usage; days=$2; shift 2 ;;
        -h | --help) usage ;;
        -*) echo "unknown option $1" >&2; usage ;;
        *) [[ -z $outdir ]] || usage; outdir=$1; shift ;;
    esac
done
[[ -n $cluster && -n $outdir ]] || usage
if ! [[ $days =~ ^[1-9][0-9]*$ ]] || ((days > 454)); then
    echo "--days must be a whole number from 1 to 454 (CloudWatch keeps one-hour data 455 days), not '$days'" >&2
    exit 2
fi
if ((days <= 14)); then
    period=60
elif ((days <= 62)); then
    period=300
else
    period=3600
fi
if ((period != 60)); then
    echo "warning: $days days need $period-second data (one-minute data is kept 15 days); ecsim import aws reads only one-minute data and will refuse these metrics: use --days 14 or fewer for an import" >&2
fi

mkdir -p "$outdir"
region_args=()
[[ -z $region ]] || region_args=(--region "$region")

# Every call goes through these two. `saved FILE ARGS...` writes the call's JSON
# to OUTDIR/FILE through a temporary file, so a failed call leaves nothing.
tmp=""
query_file=""
trap 'rm -f -- ${tmp:+"$tmp"} ${query_file:+"$query_file"}' EXIT
saved() {
    local file=$1
    shift
    tmp="$outdir/.$file.tmp"
    aws "$@" "${region_args[@]}" --output json >"$tmp"
    mv -f -- "$tmp" "$outdir/$file"
    tmp=""
    echo "  $file" >&2
}
# `words ARGS...` prints the call's --query answer as text, one word per line
# (tabs and newlines separate words; "None" is JMESPath's null).
words() {
    local out w
    out=$(aws "$@" "${region_args[@]}" --output text)
    local IFS=$'\t\n'
    set -f
    for w in $out; do
        [[ $w == None ]] || printf '%s\n' "$w"
    done
    set +f
}
# `read_words NAME ARGS...` reads the words into the array NAME.
read_words() {
    local name=$1 list
    shift
    list=$(words "$@")
    if [[ -z $list ]]; then
        mapfile -t "$name" </dev/null
    else
        mapfile -t "$name" <<<"$list"
    fi
}
# A JSON string (names here hold no control characters).
json_str() {
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

echo "exporting cluster $cluster into $outdir" >&2

# Cluster, capacity providers and their Auto Scaling groups.
saved cluster.json ecs describe-clusters --clusters "$cluster" --include SETTINGS CONFIGURATIONS
read_words cluster_name ecs describe-clusters --clusters "$cluster" --query 'clusters[0].clusterName'
[[ ${#cluster_name[@]} == 1 ]] || { echo "cluster $cluster not found" >&2; exit 1; }
cluster=${cluster_name[0]}
read_words insights ecs describe-clusters --clusters "$cluster" --include SETTINGS \
    --query "clusters[0].settings[?name=='containerInsights'].value | [0]"
read_words providers ecs describe-clusters --clusters "$cluster" --query 'clusters[0].capacityProviders'
if ((${#providers[@]} > 0)); then
    saved capacity-providers.json ecs describe-capacity-providers --capacity-providers "${providers[@]}"
    read_words asg_arns ecs describe-capacity-providers --capacity-providers "${providers[@]}" \
        --query 'capacityProviders[].autoScalingGroupProvider.autoScalingGroupArn'
    asgs=()
    declare -A seen_template=()
    for arn in "${asg_arns[@]}"; do asgs+=("${arn##*autoScalingGroupName/}"); done
    for ((i = 0; i < ${#asgs[@]}; i += 50)); do
        batch=("${asgs[@]:i:50}")
        n=$((i / 50 + 1))
        saved "asgs-$n.json" autoscaling describe-auto-scaling-groups --auto-scaling-group-names "${batch[@]}"
        read_words templates autoscaling describe-auto-scaling-groups --auto-scaling-group-names "${batch[@]}" \
            --query "AutoScalingGroups[].[LaunchTemplate, MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification][][].join('|', [LaunchTemplateId, Version || '\$Default'])"
        for t in "${templates[@]}"; do
            [[ -z ${seen_template[$t]:-} ]] || continue
            seen_template[$t]=1
            saved "launch-template-${t%%|*}-${t##*|}.json" ec2 describe-launch-template-versions \
                --launch-template-id "${t%%|*}" --versions "${t##*|}" \
                --query 'LaunchTemplateVersions[].{LaunchTemplateId: LaunchTemplateId, LaunchTemplateName: LaunchTemplateName, VersionNumber: VersionNumber, LaunchTemplateData: {InstanceType: LaunchTemplateData.InstanceType, InstanceRequirements: LaunchTemplateData.InstanceRequirements}}'
        done
    done
fi

# Services, ten per describe-services call (the API's limit).
saved services-list.json ecs list-services --cluster "$cluster"
read_words service_arns ecs list-services --cluster "$cluster" --query 'serviceArns'
services=()
declare -A task_def_of=() target_groups_of=() registries_of=()
for ((i = 0; i < ${#service_arns[@]}; i += 10)); do
    batch=("${service_arns[@]:i:10}")
    n=$((i / 10 + 1))
    saved "services-$n.json" ecs describe-services --cluster "$cluster" --services "${batch[@]}"
    read_words rows ecs describe-services --cluster "$cluster" --services "${batch[@]}" \
        --query "services[].join('|', [serviceName, taskDefinition, join(' ', loadBalancers[].targetGroupArn || \`[]\`), join(' ', serviceRegistries[].registryArn || \`[]\`)])"
    for row in "${rows[@]}"; do
        IFS='|' read -r name td tgs regs <<<"$row"
        services+=("$name")
        task_def_of[$name]=$td
        target_groups_of[$name]=$tgs
        registries_of[$name]=$regs
    done
done

# Task definitions: an allow-list of fields, so environment and secrets never leave AWS.
declare -A seen_task_def=()
for name in "${services[@]}"; do
    td=${task_def_of[$name]}
    [[ -z ${seen_task_def[$td]:-} ]] || continue
    seen_task_def[$td]=1
    family_rev=${td##*/}
    saved "taskdef-${family_rev%:*}-${family_rev##*:}.json" ecs describe-task-definition --task-definition "$td" \
        --query 'taskDefinition.{taskDefinition: {taskDefinitionArn: taskDefinitionArn, family: family, revision: revision, cpu: cpu, memory: memory, networkMode: networkMode, requiresCompatibilities: requiresCompatibilities, runtimePlatform: runtimePlatform, placementConstraints: placementConstraints, containerDefinitions: containerDefinitions[].{name: name, image: image, cpu: cpu, memory: memory, memoryReservation: memoryReservation, essential: essential, portMappings: portMappings, startTimeout: startTimeout, stopTimeout: stopTimeout, healthCheck: healthCheck.{interval: interval, timeout: timeout, retries: retries, startPeriod: startPeriod}}}}'
done

# Service Auto Scaling: targets (50 resource ids per call), policies and scheduled actions per service.
resource_ids=()
for name in "${services[@]}"; do resource_ids+=("service/$cluster/$name"); done
for ((i = 0; i < ${#resource_ids[@]}; i += 50)); do
    n=$((i / 50 + 1))
    saved "scalable-targets-$n.json" application-autoscaling describe-scalable-targets --service-namespace ecs \
        --resource-ids "${resource_ids[@]:i:50}"
done
alarm_names=()
for name in "${services[@]}"; do
    id="service/$cluster/$name"
    saved "scaling-policies-$name.json" application-autoscaling describe-scaling-policies --service-namespace ecs \
        --resource-id "$id"
    read_words alarms application-autoscaling describe-scaling-policies --service-namespace ecs --resource-id "$id" \
        --query "ScalingPolicies[?PolicyType=='StepScaling'].Alarms[].AlarmName"
    alarm_names+=("${alarms[@]}")
    saved "scheduled-actions-$name.json" application-autoscaling describe-scheduled-actions --service-namespace ecs \
        --resource-id "$id"
done
# The step scaling policies' alarms, 100 names per call (the API's limit).
for ((i = 0; i < ${#alarm_names[@]}; i += 100)); do
    n=$((i / 100 + 1))
    saved "alarms-$n.json" cloudwatch describe-alarms --alarm-names "${alarm_names[@]:i:100}"
done

# Load balancer target groups (20 per call) and their attributes (deregistration delay).
tg_arns=()
declare -A seen_tg=() lb_of=()
for name in "${services[@]}"; do
    for tg in ${target_groups_of[$name]}; do
        [[ -z ${seen_tg[$tg]:-} ]] || continue
        seen_tg[$tg]=1
        tg_arns+=("$tg")
    done
done
for ((i = 0; i < ${#tg_arns[@]}; i += 20)); do
    batch=("${tg_arns[@]:i:20}")
    n=$((i / 20 + 1))
    saved "target-groups-$n.json" elbv2 describe-target-groups --target-group-arns "${batch[@]}"
    read_words rows elbv2 describe-target-groups --target-group-arns "${batch[@]}" \
        --query "TargetGroups[].join('|', [TargetGroupArn, LoadBalancerArns[0] || '-'])"
    for row in "${rows[@]}"; do lb_of[${row%%|*}]=${row##*|}; done
done
for tg in "${tg_arns[@]}"; do
    # The answer does not name its target group: the ARN is added as a top-level
    # key (docs/import.md, "Target group attributes").
    tg_name=${tg#*:targetgroup/}
    file="tg-attributes-${tg_name%%/*}.json"
    tmp="$outdir/.$file.tmp"
    answer=$(aws elbv2 describe-target-group-attributes --target-group-arn "$tg" "${region_args[@]}" --output json)
    printf '{\n    "TargetGroupArn": %s,%s\n' "$(json_str "$tg")" "${answer#*\{}" >"$tmp"
    mv -f -- "$tmp" "$outdir/$file"
    tmp=""
    echo "  $file" >&2
done

# Cloud Map services (DNS TTL).
for name in "${services[@]}"; do
    for reg in ${registries_of[$name]}; do
        saved "discovery-${reg##*/}.json" servicediscovery get-service --id "${reg##*/}"
    done
done

# Metrics. One query per (service, metric); Id `<metric>_<k>`, Label the service.
queries=()
add_query() { # metric namespace name stat service dimension-json
    queries+=("{\"Id\": \"$1_${#queries[@]}\", \"Label\": $(json_str "$5"), \"MetricStat\": {\"Metric\": {\"Namespace\": \"$2\", \"MetricName\": \"$3\", \"Dimensions\": [$6]}, \"Period\": $period, \"Stat\": \"$4\"}, \"ReturnData\": true}")
}
for name in "${services[@]}"; do
    ecs_dims="{\"Name\": \"ClusterName\", \"Value\": $(json_str "$cluster")}, {\"Name\": \"ServiceName\", \"Value\": $(json_str "$name")}"
    for tg in ${target_groups_of[$name]}; do
        lb=${lb_of[$tg]:--}
        [[ $lb != - ]] || continue
        # Dimension values are the ARN suffixes: targetgroup/NAME/ID and app/NAME/ID.
        add_query requests AWS/ApplicationELB RequestCount Sum "$name" \
            "{\"Name\": \"TargetGroup\", \"Value\": $(json_str "targetgroup/${tg#*:targetgroup/}")}, {\"Name\": \"LoadBalancer\", \"Value\": $(json_str "${lb#*:loadbalancer/}")}"
    done
    add_query cpu AWS/ECS CPUUtilization Average "$name" "$ecs_dims"
    add_query memory AWS/ECS MemoryUtilization Average "$name" "$ecs_dims"
    if [[ ${insights[0]:-disabled} == enabled || ${insights[0]:-disabled} == enhanced ]]; then
        add_query running ECS/ContainerInsights RunningTaskCount Average "$name" "$ecs_dims"
        add_query desired ECS/ContainerInsights DesiredTaskCount Average "$name" "$ecs_dims"
    fi
done
now=$(printf '%(%s)T' -1)
end_epoch=$((now / 60 * 60))
start_epoch=$((end_epoch - days * 86400))
end=$(TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T' "$end_epoch")
start=$(TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T' "$start_epoch")
points=$((days * 86400 / period))
per_call=$((100800 / points))
((per_call <= 500)) || per_call=500
for ((i = 0; i < ${#queries[@]}; i += per_call)); do
    n=$((i / per_call + 1))
    query_file="$outdir/.metric-queries-$n.json"
    chunk=("${queries[@]:i:per_call}")
    {
        printf '[\n'
        for ((k = 0; k < ${#chunk[@]}; k++)); do
            printf '  %s%s\n' "${chunk[k]}" "$( ((k + 1 < ${#chunk[@]})) && echo ,)"
        done
        printf ']\n'
    } >"$query_file"
    saved "metrics-$n.json" cloudwatch get-metric-data --metric-data-queries "file://$query_file" \
        --start-time "$start" --end-time "$end" --scan-by TimestampAscending
    rm -f -- "$query_file"
    query_file=""
done
echo "done: ${#services[@]} services, ${#queries[@]} metric series from $start to $end ($period s)" >&2
