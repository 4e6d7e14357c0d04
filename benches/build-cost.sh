#!/usr/bin/env bash
# The cost of the README's two commands from a fresh clone: clones the committed HEAD into
# a temporary directory (so the target directory is empty; the crates come
# from Cargo's download cache, fetched on the first call), then runs
#   cargo run --release -- run scenarios/quickstart.toml
#   cargo test --release
# each under /usr/bin/time, and prints wall, user and system seconds for each
# and for both. CPU time (user + system) divided by the number of cores is
# what the wall time would be on an idle machine whose cores stay busy; on a
# shared machine only the CPU time means anything.
#
# Settings of the release profile are changed through Cargo's environment
# variables, so one script measures every choice without editing Cargo.toml:
#   benches/build-cost.sh                                   # release as committed
#   CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 benches/build-cost.sh
#   CARGO_PROFILE_RELEASE_LTO=thin benches/build-cost.sh
# Each call builds everything: minutes of CPU time.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "build-cost.sh: /usr/bin/time is required" >&2; exit 1; }
unset CARGO_TARGET_DIR
work="$(mktemp -d "${TMPDIR:-/tmp}/ecsim-build-cost.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone --quiet . "$work/ecsim"
cd "$work/ecsim"
env | grep '^CARGO_PROFILE_' | sort || echo "release profile as committed"

measure() { # label command...
    local label="$1"
    shift
    /usr/bin/time -f "%e %U %S" -o "$work/$label.time" "$@" >"$work/$label.out" 2>&1 || {
        tail -n 30 "$work/$label.out" >&2
        exit 1
    }
    awk -v l="$label" '{printf "%-5s wall %8.1f s   user %8.1f s   sys %6.1f s   user+sys %8.1f s\n", l, $1, $2, $3, $2 + $3}' \
        "$work/$label.time"
    cat "$work/$label.time" >>"$work/all.time"
}
measure run cargo run --release -- run scenarios/quickstart.toml
measure test cargo test --release
awk '{w += $1; c += $2 + $3} END {printf "both  wall %8.1f s   user+sys %8.1f s   (user+sys)/2 = %.1f s\n", w, c, c / 2}' \
    "$work/all.time"
