#!/usr/bin/env bash
# Regenerates results/examples/: for every scenario in scenarios/, its
# summary.json and PNG charts; for every sweep, its summary.csv and PNG charts;
# for every optimisation, its best.json, trials.csv and chart;
# for the imported example (name: imported), scenarios/imported/calibrated.toml
# and its calibration report and replay against observed metrics.
# The time series and event logs are left out to keep the repository small
# (run a scenario yourself to get them). Outputs are deterministic, so running
# this again reproduces the committed files byte for byte.
#
#   results/regenerate.sh            # everything (a few minutes on 2 cores)
#   results/regenerate.sh quickstart # only the named scenarios or sweeps
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
ecsim=target/release/ecsim
out=results/examples
work="$(mktemp -d "${TMPDIR:-/tmp}/ecsim-examples.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ ! -f scenarios/traces/bank-calls.csv ]; then
    scenarios/traces/fetch-bank-calls.sh >/dev/null
fi

wanted() { [ $# -eq 0 ] && return 0; local n; for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }
names=("$@")

for file in scenarios/*.toml; do
    name="$(basename "$file" .toml)"
    if [ ${#names[@]} -gt 0 ] && ! wanted "$name"; then continue; fi
    dest="$out/$name"
    rm -rf "$dest"
    mkdir -p "$dest/charts"
    if grep -q '^\[optimize\]' "$file"; then
        "$ecsim" optimize "$file" --out "$work/$name" -j 2 2>/dev/null
        cp "$work/$name/best.json" "$work/$name/trials.csv" "$dest/"
    elif grep -q '^\[sweep\]' "$file"; then
        "$ecsim" sweep "$file" --out "$work/$name" -j 2 --charts --format png 2>/dev/null
        cp "$work/$name/summary.csv" "$dest/"
    else
        "$ecsim" run "$file" --out "$work/$name" --charts --format png --quiet
        cp "$work/$name/summary.json" "$dest/"
    fi
    cp "$work/$name"/charts/*.png "$dest/charts/"
    echo "$dest"
done

# The imported example: the synthetic AWS export (scenarios/imported/export)
# through import, calibrate and a replay against its own metrics. It works in
# $work, so observed.csv (3 MB, not committed) stays out of the repository,
# and from inside it, so the reports name files relative to it.
if [ ${#names[@]} -eq 0 ] || wanted imported; then
    dest="$out/imported"
    rm -rf "$dest"
    mkdir -p "$dest/charts" "$work/imported"
    bin="$(cd "$(dirname "$ecsim")" && pwd)/$(basename "$ecsim")"
    "$ecsim" import aws scenarios/imported/export --out "$work/imported/imported.toml" >/dev/null
    (
        cd "$work/imported"
        "$bin" calibrate imported.toml observed.csv --out calibrated >/dev/null 2>&1
        "$bin" run calibrated/scenario.toml --observed observed.csv --out run --charts --format png --quiet
    )
    # The copy beside imported.toml reads its traces from there, as the original does.
    sed 's|"\.\./traces/|"traces/|' "$work/imported/calibrated/scenario.toml" > scenarios/imported/calibrated.toml
    cp "$work/imported/calibrated/calibration.json" "$work/imported/run/summary.json" \
        "$work/imported/run/observed-vs-simulated.json" "$dest/"
    cp "$work/imported/run/charts/"*.png "$dest/charts/"
    echo "$dest"
fi
