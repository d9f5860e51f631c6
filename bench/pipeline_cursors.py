"""What keeping the pipeline's psycopg cursors saves (`kernel.pipeline`), in-process, PostgreSQL.

One process, one family per variant (tracked: the row and its messages; as shipped: with the
projection and the badge check). Blocks of --block activations alternate with the cursors kept on
the connection (as shipped) and made anew for every round trip (as before), so that whatever else
the machine does weighs on both alike. Prints, per variant, the median per block of the wall time
and of this process's CPU time per activation, with and without.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/pipeline_cursors.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import in_process_arguments, machine, other_load
from bench.inprocess import Receivers, families_on_a_database

DATABASE_NAME = "chorehub_bench_pipeline_cursors"
VARIANTS = ("tracked", "projections")


def keep_cursors(connection, keep: bool) -> None:
    # Without the attribute, `kernel.pipeline` makes its cursors anew and closes them after.
    if keep:
        connection.pipeline_cursors = []
    elif hasattr(connection, "pipeline_cursors"):
        del connection.pipeline_cursors


def run(families: dict, calls: int, warmup: int, block: int) -> dict:
    from django.db import connection

    from children.services import activate_task

    receivers = Receivers()
    figures = {(variant, keep): ([], []) for variant in VARIANTS for keep in (True, False)}
    for index in range((warmup + calls) // block):
        for variant in VARIANTS:
            owner, child, chore = families[variant]
            receivers.set(variant)
            for keep in (True, False) if index % 2 == 0 else (False, True):
                keep_cursors(connection, keep)
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(block):
                    activate_task(child=child, task=chore, by=owner)
                if index * block >= warmup:
                    walls, cpus = figures[variant, keep]
                    walls.append((time.perf_counter() - wall) * 1000 / block)
                    cpus.append((time.process_time() - cpu) * 1000 / block)
    keep_cursors(connection, True)
    receivers.set("projections")
    return figures


def main() -> None:
    args = in_process_arguments(__doc__.split("\n\n")[0], "pipeline_cursors.py")
    before = other_load()
    with families_on_a_database(args, DATABASE_NAME, VARIANTS) as families:
        figures = run(families, args.calls, args.warmup, args.block)
    print("\n=== The pipeline's cursors kept on the connection, or made anew ===")
    print(
        "reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python "
        f"bench/pipeline_cursors.py --calls {args.calls} --warmup {args.warmup} "
        f"--block {args.block}"
    )
    print(f"machine:    {machine()}")
    print(f"other load: before the run {before}; after it {other_load()}\n")
    print(f"  {'variant':<12} {'cursors':<8} {'wall ms':>8} {'CPU ms':>8}")
    for variant in VARIANTS:
        for keep in (False, True):
            walls, cpus = figures[variant, keep]
            label = "kept" if keep else "anew"
            print(
                f"  {variant:<12} {label:<8} {statistics.median(walls):>8.3f} "
                f"{statistics.median(cpus):>8.3f}"
            )


if __name__ == "__main__":
    main()
