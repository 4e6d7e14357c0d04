#!/usr/bin/env bash
# validate's speed in the number of services (issue 20: 100,000 services under
# 5 s in a release build): writes scenarios of N Fargate services, valid and
# with a bad value in every service, and prints validate's wall and CPU time
# for each. Time should grow linearly with N (each row about N/10,000 times
# the first).
#
#   benches/validate.sh                       # 10,000 to 100,000 services
#   SIZES="1000 10000" benches/validate.sh
#   ECSIM=target/quick/release/ecsim benches/validate.sh   # an already built binary
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "validate.sh: python3 is required" >&2; exit 1; }
if [ -z "${ECSIM:-}" ]; then
    cargo build --release --quiet --bin ecsim
    ECSIM="${CARGO_TARGET_DIR:-target}/release/ecsim"
fi
out="${CARGO_TARGET_DIR:-target}/validate-bench"
mkdir -p "$out"
printf '%-10s %-8s %10s %10s %6s\n' services kind wall_s cpu_s exit
for n in ${SIZES:-10000 20000 50000 100000}; do
    for kind in good bad; do
        python3 - "$n" "$kind" "$out/$kind-$n.toml" <<'PY'
import sys
n, kind, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
count = "1" if kind == "good" else '"x"'
with open(path, "w") as f:
    f.write('[simulation]\nname = "many"\nduration = "1h"\n[[capacity_providers]]\nname = "FARGATE"\nkind = "fargate"\n'
            '[[task_definitions]]\nfamily = "web"\ncpu = 256\nmemory = 512\nnetwork_mode = "awsvpc"\n')
    for i in range(n):
        f.write(f'[[services]]\nname = "s{i}"\ntask_definition = "web"\ndesired_count = {count}\n')
PY
        python3 - "$ECSIM" "$out/$kind-$n.toml" "$n" "$kind" <<'PY'
import resource, subprocess, sys, time
ecsim, path, n, kind = sys.argv[1:5]
t0 = time.perf_counter()
code = subprocess.run([ecsim, "validate", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{n:<10} {kind:<8} {wall:>10.2f} {usage.ru_utime + usage.ru_stime:>10.2f} {code:>6}")
PY
    done
done
