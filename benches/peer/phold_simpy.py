"""PHOLD in SimPy, for comparison with ecsim's event queue (see compare.sh).

Same model and parameters as benches/peer/phold.rs: `lps` logical processes
start with `per_lp` events each; processing an event at time t schedules one
new event at t + LOOKAHEAD_MS + Exp(MEAN_MS), truncated to whole milliseconds,
for a uniformly random LP. Times are integers, as in ecsim. Python's own
generator supplies the draws, so the event sequence matches the Rust runs in
distribution, not draw for draw.

Two ways to write it:
  process    idiomatic SimPy: each event is a process that waits out its
             delay with `yield env.timeout(delay)` and then spawns the next.
  callbacks  the cheapest SimPy allows: a bare Timeout per event carrying its
             LP as the value, with a shared callback that schedules the next.

Prints one line per case in the format the Rust programs use.
"""

import argparse
import math
import random
import time

import simpy
from simpy.events import Timeout

MEAN_MS = 1e8
LOOKAHEAD_MS = 10_000_000
SEED = 9
CASES = [(1_000, 1), (1_000, 16), (100_000, 1), (100_000, 16)]


def run_processes(lps, per_lp, warm_up, events):
    """Idiomatic: one SimPy process per event."""
    env = simpy.Environment()
    timeout, process = env.timeout, env.process
    uniform, log = random.Random(SEED).random, math.log
    processed_per_lp = [0] * lps
    processed = 0
    stop_at, stop = 0, None

    def event_for(lp, delay):
        nonlocal processed
        yield timeout(delay)
        processed_per_lp[lp] += 1
        processed += 1
        if processed == stop_at:
            stop.succeed()
        delay = LOOKAHEAD_MS + int(-MEAN_MS * log(1.0 - uniform()))
        process(event_for(int(uniform() * lps), delay))

    for lp in range(lps):
        for _ in range(per_lp):
            process(event_for(lp, LOOKAHEAD_MS + int(-MEAN_MS * log(1.0 - uniform()))))

    def run_until_processed(count):
        nonlocal stop_at, stop
        stop_at, stop = count, env.event()
        env.run(until=stop)

    return time_runs(env, run_until_processed, warm_up, events)


def run_callbacks(lps, per_lp, warm_up, events):
    """Fastest: bare timeouts and one shared callback, no processes."""
    env = simpy.Environment()
    uniform, log = random.Random(SEED).random, math.log
    processed_per_lp = [0] * lps
    processed = 0
    stop_at, stop = 0, None

    def handle(event):
        nonlocal processed
        # `_value` rather than the `value` property: read-only, and about 7%
        # faster here, since this variant is meant as SimPy's best case.
        processed_per_lp[event._value] += 1
        processed += 1
        if processed == stop_at:
            stop.succeed()
        delay = LOOKAHEAD_MS + int(-MEAN_MS * log(1.0 - uniform()))
        Timeout(env, delay, int(uniform() * lps)).callbacks.append(handle)

    for lp in range(lps):
        for _ in range(per_lp):
            delay = LOOKAHEAD_MS + int(-MEAN_MS * log(1.0 - uniform()))
            Timeout(env, delay, lp).callbacks.append(handle)

    def run_until_processed(count):
        nonlocal stop_at, stop
        stop_at, stop = count, env.event()
        env.run(until=stop)

    return time_runs(env, run_until_processed, warm_up, events)


def time_runs(env, run_until_processed, warm_up, events):
    """Processes `warm_up` events untimed, then times `events` more."""
    run_until_processed(warm_up)
    start = time.perf_counter()
    run_until_processed(warm_up + events)
    return time.perf_counter() - start, env.now


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["process", "callbacks"], required=True)
    parser.add_argument("--events", type=int, default=200_000, help="events timed per case")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=100_000,
        help="events processed before timing (covers the whole population except at 1.6 M)",
    )
    args = parser.parse_args()
    if args.events < 1 or args.warm_up < 1:
        parser.error("--events and --warm-up must be at least 1")
    run = run_processes if args.variant == "process" else run_callbacks
    for lps, per_lp in CASES:
        seconds, clock_ms = run(lps, per_lp, args.warm_up, args.events)
        print(
            f"phold impl=simpy_{args.variant} lps={lps} per_lp={per_lp} events={args.events} "
            f"seconds={seconds:.6f} events_per_sec={args.events / seconds:.0f} clock_ms={clock_ms}",
            flush=True,
        )


if __name__ == "__main__":
    main()
