"""What the stream store's unread indexes cost an action (PostgreSQL): the statement that stores an
action's messages (two on one channel, as an activation sends them) and its COMMIT, against the
tables as migration 0006 leaves them (`lean`) and against copies with django-eventstream's own
indexes (`library`), side by side in one run, in blocks of --block transactions (ABBA).

Creates (and drops) a database of its own on the server DATABASE_URL names; the copies live in a
schema of their own, chosen by `search_path`, so both variants send the same SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/stream_store_indexes.py
"""

import importlib
import json
import statistics
import sys
import tempfile
import time
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

DATABASE_NAME = "chorehub_bench_stream_indexes"
VARIANTS = ("lean", "library")
SEARCH_PATH = {"lean": "public", "library": "library, public"}
TABLES = ("django_eventstream_event", "django_eventstream_eventcounter")


def library_copies() -> None:
    """The store's tables again in schema `library`, with the indexes the migration dropped."""
    from django.db import connection

    lean = importlib.import_module("tracking.migrations.0006_stream_store_lean_indexes")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA library")
        for table in TABLES:
            cursor.execute(f"CREATE TABLE library.{table} (LIKE public.{table} INCLUDING ALL)")
        for index, table, column, opclass in lean.UNREAD:
            cursor.execute(f'CREATE INDEX "{index}" ON library.{table} ("{column}"{opclass})')


def store_messages(channel: str) -> None:
    """One action's messages, stored as `_store_together` stores them, and the COMMIT."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tracking.live.store import _store_together_sql

    now = timezone.now()
    text = json.dumps('{"tracking_event_id": 1}')  # JSON text, JSON-encoded once more
    messages = [("tracking_event_created", text, 1), ("points_changed", text, 2)]
    parameters = [channel, 2, now, now, now]
    for kind, data, rank in messages:
        parameters += [channel, kind, data, rank]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_store_together_sql(1, len(messages)), parameters)


def run(calls: int, warmup: int, block: int) -> dict[str, list[float]]:
    from django.db import connection

    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for index in range((warmup + calls) // block):
        for variant in VARIANTS if index % 2 == 0 else tuple(reversed(VARIANTS)):
            with connection.cursor() as cursor:
                cursor.execute(f"SET search_path TO {SEARCH_PATH[variant]}")
            for _ in range(block):
                started = time.perf_counter()
                store_messages(f"household-{index % 50}")
                if index * block >= warmup:
                    timings[variant].append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    args = in_process_arguments(__doc__.split("\n\n")[0], "stream_store_indexes.py")
    before = other_load()
    with (
        tempfile.TemporaryDirectory(prefix="bench-stream-indexes-") as folder,
        bench_database(args.database_url, DATABASE_NAME) as url,
    ):
        env = server_env(url, Path(folder) / "logs")
        migrate(env)
        setup_django(env)
        library_copies()
        timings = run(args.calls, args.warmup, args.block)
    print()
    print("=== The stream store's indexes: an action's messages and its COMMIT ===")
    print(
        f"reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python "
        f"bench/stream_store_indexes.py --calls {args.calls} --warmup {args.warmup} "
        f"--block {args.block}"
    )
    print(f"machine:    {machine()}")
    print(f"other load: before the run {before}; after it {other_load()}")
    print()
    print(f"  {'indexes':<10} {'p50 ms':>8} {'p95 ms':>8} {'ratio p50':>10}")
    for variant, (median, p95, ratio) in against_base(timings, "lean").items():
        print(f"  {variant:<10} {median:>8.3f} {p95:>8.3f} {ratio:>9.2f}x")
    saved = statistics.median(timings["library"]) - statistics.median(timings["lean"])
    print(f"\n  the unread indexes cost {saved:.3f} ms per action at p50")


if __name__ == "__main__":
    main()
