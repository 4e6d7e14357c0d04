#!/usr/bin/env bash
# Submits a sweep as N shards to AWS Batch (an array job) or Kubernetes (an
# Indexed Job), after uploading its inputs to S3. Needs the AWS CLI (and
# kubectl for Kubernetes), credentials, and the image of deploy/Dockerfile
# pushed to a registry the engine can pull from. See deploy/README.md.
#
#   scripts/submit-sweep.sh batch      SWEEP_FILE SHARDS S3_PREFIX JOB_QUEUE [JOB_DEFINITION]
#   scripts/submit-sweep.sh kubernetes SWEEP_FILE SHARDS S3_PREFIX IMAGE [PARALLELISM]
#
# INPUTS_ROOT (environment, default: the sweep file's directory) is the
# directory uploaded as the inputs: it must hold the sweep file, its scenario
# and any trace the scenario reads, at the same relative paths.
# Results land in S3_PREFIX/results/shard-K/; merge them with
# scripts/merge-sweep.sh S3_PREFIX OUT_DIR.
set -euo pipefail
usage() { sed -n '7,8p' "$0" >&2; exit 2; }
[ "$#" -ge 5 ] || usage
engine="$1" sweep="$2" shards="$3" prefix="${4%/}"
case "$shards" in ''|*[!0-9]*) echo "SHARDS must be a whole number" >&2; exit 2;; esac
[ "$shards" -ge 1 ] && [ "$shards" -le 10000 ] || { echo "SHARDS must be from 1 to 10000" >&2; exit 2; }
root="${INPUTS_ROOT:-$(dirname "$sweep")}"
relative="$(realpath --relative-to="$root" "$sweep")"
case "$relative" in ../*) echo "$sweep is not under INPUTS_ROOT $root" >&2; exit 2;; esac
# Check the sweep here, before paying for machines.
ecsim validate "$sweep"
aws s3 sync --only-show-errors --exclude 'results/*' "$root" "$prefix/inputs"
name="ecsim-$(basename "$sweep" .toml | tr -c 'a-zA-Z0-9-\n' '-')-$(date -u +%Y%m%d%H%M%S)"
case "$engine" in
  batch)
    queue="$5" definition="${6:-ecsim-sweep-shard}"
    params="inputs=$prefix/inputs,results=$prefix/results,sweep=$relative,shards=$shards"
    if [ "$shards" -eq 1 ]; then
      # An array job has 2 to 10,000 children: one shard is a plain job told its index.
      aws batch submit-job --job-name "$name" --job-queue "$queue" --job-definition "$definition" \
        --parameters "$params" \
        --container-overrides 'environment=[{name=JOB_COMPLETION_INDEX,value=0}]'
    else
      aws batch submit-job --job-name "$name" --job-queue "$queue" --job-definition "$definition" \
        --parameters "$params" --array-properties "size=$shards"
    fi
    ;;
  kubernetes)
    image="$5" parallel="${6:-$shards}"
    here="$(cd "$(dirname "$0")/.." && pwd)"
    sed -e "s#NAME#$name#; s#IMAGE#$image#; s#INPUTS#$prefix/inputs#; s#RESULTS#$prefix/results#" \
        -e "s#SWEEP#$relative#; s#SHARDS#$shards#g; s#PARALLEL#$parallel#" \
        "$here/deploy/kubernetes/indexed-job.yaml" | kubectl apply -f -
    ;;
  *) usage ;;
esac
echo "submitted $name: $shards shards; results under $prefix/results/" >&2
