"""What the ledger's row would cost riding on the COMMIT instead of in a round trip of its own
(issue 16, target 1): the upper bound of what a redesign that sends the row with the COMMIT
could save.

Raw psycopg (pipeline mode, every statement prepared) on the project's migrated tables, with the
ledger's own INSERT (`tracking.ledger.insert`), so that only the sending differs. Each variant
locks a child, updates its points and commits; the variants add the row:

  - no row:                 nothing more (the floor);
  - own round trip:         SAVEPOINT, the INSERT and RELEASE in a round trip of their own before
                            the COMMIT (how the ledger sends it);
  - on the commit:          the same three statements sent with the COMMIT;
  - on the commit, bare:    the INSERT alone with the COMMIT (no savepoint: the action would fail
                            with the row, which the contract does not allow; the floor of a row).

Interleaved in blocks (ABBA), after --warmup; prints each one's p50/p95 and what it adds to the
floor at p50.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/row_on_commit.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import against_base, in_process_arguments, machine, other_load
from bench.inprocess import families_on_a_database

DATABASE_NAME = "chorehub_bench_row_on_commit"
VARIANTS = ("no row", "own round trip", "on the commit", "on the commit, bare")
SAVEPOINT, RELEASE = 'SAVEPOINT "one_trip"', 'RELEASE SAVEPOINT "one_trip"'


def row_values(owner, child, chore, before: int) -> dict:
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    now = timezone.now()
    return {
        "user_id": owner.pk,
        "child_id": child.pk,
        "entity_type": "task",
        "entity_id": chore.pk,
        "action": "activated",
        "points_before": before,
        "points_after": before + chore.points,
        "delta": chore.points,
        "occurred_at": now,
        "created_at": now,
        "metadata": Jsonb({"entity_name": chore.name, "actor": {"type": "guardian"}}),
        "reverses": None,
    }


def activation(connection, family, insert: str, variant: str) -> None:
    from tracking.ledger.insert import _insert_fields
    from tracking.models import TrackingEvent

    owner, child, chore = family
    with connection.pipeline() as pipeline:
        cursor, row_cursor = connection.cursor(), connection.cursor()
        cursor.execute("SELECT points FROM children_child WHERE id = %s FOR UPDATE", [child.pk])
        pipeline.sync()
        before = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE children_child SET points = %s WHERE id = %s", [before + chore.points, child.pk]
        )
        pipeline.sync()
        values = row_values(owner, child, chore, before)
        parameters = [values[field.column] for field in _insert_fields(TrackingEvent)]
        if variant == "on the commit, bare":
            row_cursor.execute(insert, parameters)
        elif variant != "no row":
            cursor.execute(SAVEPOINT)
            row_cursor.execute(insert, parameters)
            cursor.execute(RELEASE)
            if variant == "own round trip":
                pipeline.sync()
                row_cursor.fetchone()
        connection.commit()
        if variant.startswith("on the commit"):
            row_cursor.fetchone()


def run(family, calls: int, warmup: int, block: int) -> dict[str, list[float]]:
    import psycopg
    from django.db import connection as django_connection

    from tracking.ledger.insert import _insert_sql
    from tracking.models import TrackingEvent

    settings = django_connection.settings_dict
    connection = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        prepare_threshold=0,
    )
    insert = _insert_sql(TrackingEvent)
    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for index in range((warmup + calls) // block):
        for variant in VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS)):
            for _ in range(block):
                started = time.perf_counter()
                activation(connection, family, insert, variant)
                if index * block >= warmup:
                    timings[variant].append((time.perf_counter() - started) * 1000)
    connection.close()
    return timings


def main() -> None:
    args = in_process_arguments(__doc__.split("\n\n")[0], "row_on_commit.py")
    before = other_load()
    with families_on_a_database(args, DATABASE_NAME, ("tracked",)) as families:
        timings = run(families["tracked"], args.calls, args.warmup, args.block)
    after = other_load()
    print()
    print("=== The ledger's row: its own round trip or riding on the COMMIT ===")
    print(
        "reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python bench/row_on_commit.py "
        f"--calls {args.calls} --warmup {args.warmup} --block {args.block}"
    )
    print(f"machine:    {machine()}")
    print(f"other load: before the run {before}; after it {after}")
    print()
    print(f"  {'variant':<22} {'p50 ms':>8} {'p95 ms':>8} {'adds at p50':>12}")
    figures = against_base(timings, "no row")
    floor = figures["no row"][0]
    for variant, (median, p95, _) in figures.items():
        print(f"  {variant:<22} {median:>8.3f} {p95:>8.3f} {median - floor:>11.3f}")
    saved = figures["own round trip"][0] - figures["on the commit"][0]
    print(f"\n  riding on the COMMIT saves {saved:.3f} ms at p50 against the row's own round trip")


if __name__ == "__main__":
    main()
