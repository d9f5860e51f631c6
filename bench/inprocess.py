"""What tracking costs an action in-process (PostgreSQL): `children.services.activate_task`, with
tracking's receivers connected and disconnected, side by side in one run.

Creates (and drops) a database of its own on the server DATABASE_URL names, migrates it, and makes
one family per variant (an owner, a child, a chore). Then --calls activations per variant, one at
a time in this process (no HTTP), interleaved in blocks of --block (ABBA), after --warmup:

  - untracked:   the ledger's and the stream's receivers of the points signals disconnected
                 (no row, no audit line, no stream message, so no projection either);
  - tracked:     the row, its audit line and the stream messages, insights' projection
                 disconnected (what tracking did before issue 15);
  - projections: the project as it ships (the row's projection, its figures and the badges too).

Prints p50/p95 of each, the ratios to untracked at p50 and the SQL statements one activation
sends in each variant (counted with Django's CaptureQueriesContext).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/inprocess.py \\
        --calls 3000
"""

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    against_base,
    bench_database,
    in_process_arguments,
    machine,
    migrate,
    other_load,
    server_env,
    setup_django,
)

DATABASE_NAME = "chorehub_bench_inprocess"
VARIANTS = ("untracked", "tracked", "projections")


class Receivers:
    """Connect the receivers a variant wants, disconnect the others."""

    def __init__(self) -> None:
        from bench.untracked import projection_receivers
        from children import signals as children_signals
        from tracking.points_actions import on_points_changed

        self.points = ((children_signals.task_activated, on_points_changed, "tracking.points"),)
        self.projection = projection_receivers()

    def set(self, variant: str) -> None:
        for signal, receiver, uid in self.points:
            signal.disconnect(dispatch_uid=uid)
            if variant != "untracked":
                signal.connect(receiver, dispatch_uid=uid)
        for signal, receiver, uid in self.projection:
            signal.disconnect(dispatch_uid=uid)
            if variant == "projections":
                signal.connect(receiver, dispatch_uid=uid)


def make_family(variant: str):
    from testsupport.factories import ChildFactory, TaskFactory, UserFactory

    owner = UserFactory(username=f"inprocess-{variant}")
    child = ChildFactory(owner=owner, name=f"{variant} child")
    chore = TaskFactory(owner=owner, points=5)
    child.tasks.add(chore)
    return owner, child, chore


def run(families: dict, calls: int, warmup: int, block: int) -> dict[str, list[float]]:
    from children.services import activate_task

    receivers = Receivers()
    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    rounds = (warmup + calls) // block
    for index in range(rounds):
        order = VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS))
        for variant in order:
            owner, child, chore = families[variant]
            receivers.set(variant)
            for _ in range(block):
                started = time.perf_counter()
                activate_task(child=child, task=chore, by=owner)
                elapsed = time.perf_counter() - started
                if index * block >= warmup:
                    timings[variant].append(elapsed * 1000)
    receivers.set("projections")
    return timings


def statements(families: dict) -> dict[str, list[str]]:
    """The SQL one activation sends in each variant (its first words)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from children.services import activate_task

    receivers = Receivers()
    sent = {}
    for variant in VARIANTS:
        owner, child, chore = families[variant]
        receivers.set(variant)
        with CaptureQueriesContext(connection) as captured:
            activate_task(child=child, task=chore, by=owner)
        sent[variant] = [" ".join(query["sql"].split()[:3]) for query in captured.captured_queries]
    receivers.set("projections")
    return sent


@contextlib.contextmanager
def families_on_a_database(args, name: str, variants: tuple[str, ...]) -> Iterator[dict]:
    """A database of the benchmark's own (created, migrated, dropped), Django set up on it in this
    process with its logs in a temporary folder, and one family per variant."""
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder,
        bench_database(args.database_url, name) as url,
    ):
        env = server_env(url, Path(folder) / "logs")
        os.environ["CHOREHUB_LOG_DIR"] = env["CHOREHUB_LOG_DIR"]
        migrate(env)
        setup_django(env)
        try:
            yield {variant: make_family(variant) for variant in variants}
        finally:
            from django.db import connections

            connections.close_all()


def main() -> None:
    args = in_process_arguments(__doc__.split("\n\n")[0], "inprocess.py")
    before = other_load()
    with families_on_a_database(args, DATABASE_NAME, VARIANTS) as families:
        timings = run(families, args.calls, args.warmup, args.block)
        sent = statements(families)
        report(args, timings, sent, before, other_load())


def report(args, timings: dict, sent: dict, before: str, after: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print()
    print("=== Tracking's cost in-process: children.services.activate_task ===")
    print(
        f"reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python bench/inprocess.py "
        f"--calls {args.calls} --warmup {args.warmup} --block {args.block}"
    )
    print(f"machine:    {machine()}")
    print(f"database:   PostgreSQL {pg_version}")
    print(f"other load: before the run {before}; after it {after}")
    print()
    print(f"  {'variant':<12} {'p50 ms':>8} {'p95 ms':>8} {'ratio p50':>10} {'queries sent':>13}")
    for variant, (median, p95, ratio) in against_base(timings, "untracked").items():
        print(f"  {variant:<12} {median:>8.3f} {p95:>8.3f} {ratio:>9.2f}x {len(sent[variant]):>13}")
    for variant in VARIANTS:
        print(f"\n  {variant}: " + "; ".join(sent[variant]))


if __name__ == "__main__":
    main()
