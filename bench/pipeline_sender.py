"""What sending the pipeline through psycopg's libpq binding saves (`kernel.pipeline`), against
psycopg's own `Connection.pipeline()` and cursors (as before), in-process, PostgreSQL.

One process, one family per variant (untracked: tracking's receivers disconnected; tracked: the
row and its messages; as shipped: with the projection and the badge check). For the tracked
variants, blocks of --block activations alternate between the two senders, so that whatever else
the machine does weighs on both alike; the untracked blocks sit between them. Prints, per
variant and sender, the median per block of the wall time and of this process's CPU time per
activation, and the tracked variants' ratio to untracked.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/pipeline_sender.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import in_process_arguments, machine, other_load
from bench.inprocess import Receivers, families_on_a_database

DATABASE_NAME = "chorehub_bench_pipeline_sender"
VARIANTS = ("untracked", "tracked", "projections")
SENDERS = ("libpq", "psycopg")


def psycopg_sender():
    """The sender before this change (51397f4's `kernel.pipeline._send`): psycopg's pipeline,
    one kept cursor for the commands and one per statement, each statement prepared."""
    import psycopg
    from django.db import DatabaseError
    from psycopg.pq import ExecStatus

    kept: list = []

    def rows_until_failed(cursors):
        answered = []
        for cursor in cursors:
            result = cursor.pgresult
            if result is None or result.status not in (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK):
                break
            answered.append(cursor.fetchall() if result.status == ExecStatus.TUPLES_OK else [])
        return answered

    def send(connection, groups, savepoint, leads, commit):
        raw = connection.connection
        count = 1 + sum(len(group) for group in groups)
        if kept and kept[0].connection is not raw:
            kept.clear()
        kept.extend(psycopg.Cursor(raw) for _ in range(count - len(kept)))
        command, *cursors = kept[:count]
        begin, release = f"SAVEPOINT {savepoint}", f"RELEASE SAVEPOINT {savepoint}"
        sent = 0
        try:
            with connection.wrap_database_errors, raw.pipeline():
                for lead in leads:
                    command.execute(lead)
                for group in groups:
                    command.execute(begin)
                    for sql, parameters in group:
                        sent += 1
                        cursors[sent - 1].execute(sql, parameters, prepare=True)
                    command.execute(release)
                if commit:
                    raw.commit()
        except DatabaseError as error:
            return rows_until_failed(cursors[:sent]), error
        return rows_until_failed(cursors), None

    return send


def run(families: dict, calls: int, warmup: int, block: int) -> dict:
    from children.services import activate_task
    from kernel import pipeline

    senders = {"libpq": pipeline._send, "psycopg": psycopg_sender()}
    receivers = Receivers()
    figures = {(variant, sender): ([], []) for variant in VARIANTS for sender in SENDERS}
    for index in range((warmup + calls) // block):
        for variant in VARIANTS:
            owner, child, chore = families[variant]
            receivers.set(variant)
            for sender in SENDERS if index % 2 == 0 else tuple(reversed(SENDERS)):
                if variant == "untracked" and sender != "libpq":
                    continue  # it sends nothing through the pipeline
                pipeline._send = senders[sender]
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(block):
                    activate_task(child=child, task=chore, by=owner)
                if index * block >= warmup:
                    walls, cpus = figures[variant, sender]
                    walls.append((time.perf_counter() - wall) * 1000 / block)
                    cpus.append((time.process_time() - cpu) * 1000 / block)
    pipeline._send = senders["libpq"]
    receivers.set("projections")
    return figures


def main() -> None:
    args = in_process_arguments(__doc__.split("\n\n")[0], "pipeline_sender.py")
    before = other_load()
    with families_on_a_database(args, DATABASE_NAME, VARIANTS) as families:
        figures = run(families, args.calls, args.warmup, args.block)
    print("\n=== The pipeline sent through psycopg's libpq binding, or psycopg's pipeline ===")
    print(
        "reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python "
        f"bench/pipeline_sender.py --calls {args.calls} --warmup {args.warmup} "
        f"--block {args.block}"
    )
    print(f"machine:    {machine()}")
    print(f"other load: before the run {before}; after it {other_load()}\n")
    base = statistics.median(figures["untracked", "libpq"][0])
    print(f"  {'variant':<12} {'sender':<8} {'wall ms':>8} {'CPU ms':>8} {'vs untracked':>13}")
    for variant in VARIANTS:
        for sender in SENDERS:
            walls, cpus = figures[variant, sender]
            if not walls:
                continue
            wall = statistics.median(walls)
            print(
                f"  {variant:<12} {sender:<8} {wall:>8.3f} {statistics.median(cpus):>8.3f} "
                f"{wall / base:>12.2f}x"
            )


if __name__ == "__main__":
    main()
