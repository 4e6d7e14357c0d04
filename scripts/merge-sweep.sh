#!/usr/bin/env bash
# Downloads the shard directories of a sweep run on AWS Batch or Kubernetes
# and merges them into one results directory, byte-identical to a sweep run
# on one machine.
#
#   scripts/merge-sweep.sh S3_PREFIX OUT_DIR [ecsim sweep merge options...]
#
# When runs are missing (a shard failed or was interrupted), ecsim names them
# and prints the `--only-missing` command that runs only those.
set -euo pipefail
[ "$#" -ge 2 ] || { sed -n '6p' "$0" >&2; exit 2; }
prefix="${1%/}" out="$2"; shift 2
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
aws s3 sync --only-show-errors "$prefix/results" "$download"
shopt -s nullglob
shards=("$download"/shard-*)
[ "${#shards[@]}" -gt 0 ] || { echo "no shard-* directories under $prefix/results" >&2; exit 1; }
ecsim sweep merge "${shards[@]}" --out "$out" "$@"
