"""Where tracking's time goes in one activation, part by part (in-process, PostgreSQL).

`bench/inprocess.py` gives the ratio; this splits the tracked activation's time into what tracking
adds to it, each part timed around the function that does it (a wrapper of about a microsecond):

  - the row's round trip (`tracking.ledger.insert.insert_row`: the row and its messages' reads);
  - the announcement (`announce_row`: the receivers, the `tracking_event_created` message kept);
  - the messages' store (`store_and_deliver_on_commit`: on PostgreSQL only kept, to go with the
    COMMIT);
  - the COMMIT (the messages' statement with it), against the untracked COMMIT;
  - the commit hooks (the audit line, then the delivery to listeners), and the audit line alone;
  - and, across the whole call, this thread's CPU time and the time spent waiting for PostgreSQL
    (psycopg's `Connection.wait`, which every round trip goes through).

The untracked and tracked variants alternate in blocks of --block calls; the medians of each part
are printed, with what tracking adds to the whole call and how much of it the parts explain (the
rest is the receivers' Python: building the row and its messages, the field checks, the API's
rendering of the row).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/tracked_parts.py
"""

import functools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    in_process_arguments,
    machine,
    other_load,
)
from bench.inprocess import Receivers, families_on_a_database

DATABASE_NAME = "chorehub_bench_tracked_parts"
VARIANTS = ("untracked", "tracked")
WAITING = "waiting for PostgreSQL"
CPU = "this thread's CPU"


class Parts:
    """Each timed function's durations during the current call, summed per call."""

    def __init__(self) -> None:
        self.current: dict[str, float] = {}

    def time(self, owner: object, name: str, label: str) -> None:
        function = getattr(owner, name)

        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                self.current[label] = self.current.get(label, 0.0) + elapsed

        setattr(owner, name, timed)


def instrument(parts: Parts) -> None:
    import psycopg
    from django.db import connections
    from django.db.backends.base.base import BaseDatabaseWrapper

    from tracking.ledger import audit_log, receivers
    from tracking.live import store

    parts.time(receivers, "insert_row", "row's round trip")
    parts.time(receivers, "announce_row", "announcement")
    parts.time(store, "store_and_deliver_on_commit", "messages' store")
    parts.time(type(connections["default"]), "_commit", "COMMIT")
    parts.time(BaseDatabaseWrapper, "run_and_clear_commit_hooks", "commit hooks")
    parts.time(audit_log, "write_event", "  of which the audit line")
    parts.time(psycopg.Connection, "wait", WAITING)


def run(families: dict, calls: int, warmup: int, block: int) -> dict[str, list[dict]]:
    from children.services import activate_task

    parts = Parts()
    instrument(parts)
    receivers = Receivers()
    measured: dict[str, list[dict]] = {variant: [] for variant in VARIANTS}
    for index in range((warmup + calls) // block):
        for variant in VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS)):
            owner, child, chore = families[variant]
            receivers.set(variant)
            for _ in range(block):
                parts.current = {}
                started, cpu = time.perf_counter(), time.thread_time()
                activate_task(child=child, task=chore, by=owner)
                total = (time.perf_counter() - started) * 1000
                cpu = (time.thread_time() - cpu) * 1000
                if index * block >= warmup:
                    measured[variant].append({"call": total, CPU: cpu, **parts.current})
    receivers.set("projections")
    return measured


def median(calls: list[dict], part: str) -> float:
    return statistics.median(call.get(part, 0.0) for call in calls)


def report(args, measured: dict, before: str, after: str) -> None:
    untracked, tracked = measured["untracked"], measured["tracked"]
    print()
    print("=== Where tracking's time goes in one activation (in-process) ===")
    print(
        "reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python bench/tracked_parts.py "
        f"--calls {args.calls} --warmup {args.warmup} --block {args.block}"
    )
    print(f"machine:    {machine()}")
    print(f"other load: before the run {before}; after it {after}")
    print()
    print(f"  {'part (median ms)':<28} {'untracked':>10} {'tracked':>10} {'added':>8}")
    labels = ["row's round trip", "announcement", "messages' store", "COMMIT", "commit hooks"]
    explained = 0.0
    for label in [*labels, "  of which the audit line"]:
        base, with_tracking = median(untracked, label), median(tracked, label)
        if label in labels:
            explained += with_tracking - base
        print(f"  {label:<28} {base:>10.3f} {with_tracking:>10.3f} {with_tracking - base:>8.3f}")
    added = median(tracked, "call") - median(untracked, "call")
    print(
        f"  {'the whole call':<28} {median(untracked, 'call'):>10.3f} "
        f"{median(tracked, 'call'):>10.3f} {added:>8.3f}"
    )
    print()
    print(
        f"  tracking adds {added:.3f} ms at p50; the parts above explain {explained:.3f} ms, "
        f"the rest ({added - explained:.3f} ms) is the receivers' Python around them"
    )
    print()
    # The two overlap a little: psycopg reads the results inside `wait`.
    print(
        "  the whole call: CPU and waiting (medians, ms; psycopg's reading of results is in both)"
    )
    for label in (CPU, WAITING):
        base, with_tracking = median(untracked, label), median(tracked, label)
        print(f"  {label:<28} {base:>10.3f} {with_tracking:>10.3f} {with_tracking - base:>8.3f}")


def main() -> None:
    args = in_process_arguments(__doc__.split("\n\n")[0], "tracked_parts.py")
    before = other_load()
    with families_on_a_database(args, DATABASE_NAME, VARIANTS) as families:
        measured = run(families, args.calls, args.warmup, args.block)
        report(args, measured, before, other_load())


if __name__ == "__main__":
    main()
