#!/usr/bin/env bash
# PHOLD on ecsim's event queue against SimPy (idiomatic processes and bare
# callbacks) and a bare std BinaryHeap loop, for 1,000 and 100,000 LPs with 1
# and 16 events per LP. Needs only the Rust toolchain and python3 with venv
# and pip: SimPy is installed from PyPI into a virtualenv under the cargo
# target directory. Prints a table of events per second and, for 1,000 LPs
# with 1 event each, how many times faster ecsim is:
#   ratio_simpy_process    ecsim / SimPy processes
#   ratio_simpy_callbacks  ecsim / SimPy callbacks
#   ratio_limit            ecsim / bare heap (1 would be the limit)
# and last `ratio: <ecsim / SimPy processes>`.
#
# Environment: PY_EVENTS (events timed per Python case, default 200000),
# PROFILE (the Cargo profile of the Rust builds, default `dist`, the one the
# README's figures use; `bench` builds faster and runs a little slower),
# CARGO_TARGET_DIR (honoured for the build and the virtualenv).
set -euo pipefail

cd "$(dirname "$0")/../.."
target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/phold-venv"
results="$target_dir/phold-results.txt"
py_events="${PY_EVENTS:-200000}"
simpy_version="4.1.1"
profile="${PROFILE:-dist}"

for tool in cargo python3; do
    command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required but not on PATH" >&2; exit 1; }
done

if ! "$venv/bin/python" -c "import simpy" 2>/dev/null; then
    echo "== installing simpy $simpy_version into $venv" >&2
    mkdir -p "$target_dir"
    python3 -m venv "$venv" || {
        echo "compare.sh: 'python3 -m venv' failed; install your distribution's venv package (e.g. python3-venv)" >&2
        exit 1
    }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "simpy==$simpy_version"
fi

echo "== building the Rust implementations ($profile profile)" >&2
cargo bench -p ecsim-benches --quiet --profile "$profile" --no-run --bench ecsim_phold --bench bare_heap

: >"$results"
echo "== ecsim" >&2
cargo bench -p ecsim-benches --quiet --profile "$profile" --bench ecsim_phold | tee -a "$results" >&2
echo "== bare BinaryHeap" >&2
cargo bench -p ecsim-benches --quiet --profile "$profile" --bench bare_heap | tee -a "$results" >&2
for variant in callbacks process; do
    echo "== SimPy $variant" >&2
    "$venv/bin/python" benches/peer/phold_simpy.py --variant "$variant" --events "$py_events" | tee -a "$results" >&2
done

python3 - "$results" <<'EOF'
import sys

runs = {}
for line in open(sys.argv[1]):
    if line.startswith("phold "):
        fields = dict(field.split("=", 1) for field in line.split()[1:])
        runs[(fields["impl"], int(fields["lps"]), int(fields["per_lp"]))] = fields

columns = [
    ("ecsim", "ecsim"),
    ("bare_heap", "bare heap"),
    ("simpy_callbacks", "SimPy callbacks"),
    ("simpy_process", "SimPy process"),
]
cases = sorted({(lps, per_lp) for (_, lps, per_lp) in runs})
missing = [(impl, *case) for impl, _ in columns for case in cases if (impl, *case) not in runs]
if missing:
    sys.exit(f"compare.sh: no result for {missing}")


def rate(impl, lps, per_lp):
    return float(runs[(impl, lps, per_lp)]["events_per_sec"])


print()
print("PHOLD, millions of events per second (lookahead 10^7 ms, mean 10^8 ms, integer ms times)")
print(f"{'LPs':>8} {'per LP':>6}" + "".join(f" {title:>15}" for _, title in columns))
for lps, per_lp in cases:
    cells = "".join(f" {rate(impl, lps, per_lp) / 1e6:>15.3f}" for impl, _ in columns)
    print(f"{lps:>8} {per_lp:>6}{cells}")
timed = ", ".join(f"{title} {int(runs[(impl, *cases[0])]['events']):,}" for impl, title in columns)
print(f"events timed per case: {timed}")

# Same draws, same FIFO tie rule: ecsim and the bare heap must end on the same clock.
for lps, per_lp in cases:
    ours, limit = runs[("ecsim", lps, per_lp)]["clock_ms"], runs[("bare_heap", lps, per_lp)]["clock_ms"]
    if ours != limit:
        sys.exit(f"compare.sh: ecsim and bare heap diverged at lps={lps} per_lp={per_lp}: {ours} != {limit} ms")
print("ecsim and bare heap processed identical event sequences (same final clock) in every case")

ecsim = rate("ecsim", 1000, 1)
print()
print(f"ratio_simpy_process: {ecsim / rate('simpy_process', 1000, 1):.2f}")
print(f"ratio_simpy_callbacks: {ecsim / rate('simpy_callbacks', 1000, 1):.2f}")
print(f"ratio_limit: {ecsim / rate('bare_heap', 1000, 1):.3f}")
print(f"ratio: {ecsim / rate('simpy_process', 1000, 1):.2f}")
EOF
