#!/usr/bin/env bash
# Growth with scale: runs the large benchmark scenario at x1, x4 and x16
# services and capacity providers (instances grow with them) and at x4 the
# horizon, single-threaded, and prints wall time and peak memory for each.
# Time should grow no worse than linearly with the horizon and close to
# linearly with cluster size.
#
#   benches/scaling.sh            # all rows (x16 took 9.3 minutes and writes GBs of events)
#   SCALES="1 4" benches/scaling.sh
#   PROFILE=release benches/scaling.sh   # default: dist; the README's latest table used release
# The event logs of the larger variants pass ecsim's 2 GB output bound (its
# up-front estimate for x4 is 5.7 GB; x1 writes 284 MB), so the runs here
# raise it; they need that much free space under target/scaling.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "scaling.sh: python3 is required" >&2; exit 1; }
profile="${PROFILE:-dist}"
cargo build --profile "$profile" --bin ecsim --quiet
ecsim="${CARGO_TARGET_DIR:-target}/$profile/ecsim"
out="${CARGO_TARGET_DIR:-target}/scaling"
mkdir -p "$out"
scales="${SCALES:-1 4 16}"

run() { # label scale days
    local file="$out/large-x$2-d$3.toml"
    python3 benches/make_large.py --scale "$2" --days "$3" --out "$file"
    python3 - "$1" "$file" "$out/run-x$2-d$3" "$ecsim" <<'PY'
import resource, subprocess, sys, time
label, scenario, outdir, ecsim = sys.argv[1:5]
t0 = time.perf_counter()
subprocess.run([ecsim, "run", scenario, "--out", outdir, "--quiet", "--max-output", "40GB"], check=True)
wall = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
import json
s = json.load(open(outdir + "/summary.json"))
print(f"{label:<16} {wall:>8.2f} s {peak_mb:>9.0f} MB {s['instances']['peak']:>8} {s['tasks']['started']:>10}")
PY
}

printf "%-16s %10s %12s %8s %10s\n" "variant" "wall" "peak RSS" "peak inst" "tasks run"
for k in $scales; do
    run "x$k cluster" "$k" 30
done
run "x4 horizon" 1 120
