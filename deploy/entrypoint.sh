#!/bin/sh
# Runs one shard of a sweep inside a container and uploads its rows.
#
#   ecsim-shard S3_INPUTS S3_RESULTS SWEEP_FILE SHARD_COUNT [ecsim sweep options...]
#
# S3_INPUTS   s3://bucket/prefix holding the sweep file, its scenario and any
#             traces, laid out as on the machine that submitted the job
# S3_RESULTS  s3://bucket/prefix; this shard writes S3_RESULTS/shard-K/
# SWEEP_FILE  the sweep file's path relative to S3_INPUTS
# SHARD_COUNT N; K comes from AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array
#             jobs) or JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)
#
# The shard's directory is uploaded even when ecsim stops early (an
# interrupted shard keeps its finished rows and says so in shard.json), and
# the container exits with ecsim's exit code, so the engine retries or reports
# a failed shard.
set -u
if [ "$#" -lt 4 ]; then
  echo "usage: ecsim-shard S3_INPUTS S3_RESULTS SWEEP_FILE SHARD_COUNT [ecsim sweep options...]" >&2
  exit 2
fi
inputs="$1"; results="$2"; sweep="$3"; count="$4"; shift 4
index="${AWS_BATCH_JOB_ARRAY_INDEX:-${JOB_COMPLETION_INDEX:-}}"
if [ -z "$index" ]; then
  echo "ecsim-shard: neither AWS_BATCH_JOB_ARRAY_INDEX nor JOB_COMPLETION_INDEX is set" >&2
  exit 2
fi
work="$(mktemp -d)"
aws s3 cp --recursive --only-show-errors "$inputs" "$work/inputs" || exit 3
ecsim sweep "$work/inputs/$sweep" --shard "auto/$count" --out "$work/shard-$index" "$@"
status=$?
if [ -d "$work/shard-$index" ]; then
  aws s3 cp --recursive --only-show-errors "$work/shard-$index" "$results/shard-$index" || exit 3
fi
exit "$status"
