"""Statements in a savepoint, sent in psycopg's pipeline mode: one round trip, each statement
prepared on the connection.

Django's cursor sends a query string with its values written in (psycopg's client-side cursor,
the simple query protocol), so PostgreSQL plans every statement anew on every action. Here each
statement goes with the extended protocol and is prepared once per connection
(`DATABASE_PREPARE_THRESHOLD`; `off` sends it unprepared): measured with raw psycopg, the
tracking row's round trip costs 0.24 ms less this way (docs/benchmarks.md).
"""

import time
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus

Statement = tuple[str, Sequence[Any]]  # SQL with %s placeholders, and its parameters

TUPLES_OK = ExecStatus.TUPLES_OK


def send_in_savepoint(
    connection: Any,
    statements: Sequence[Statement],
    *,
    savepoint: str,
    leads: Sequence[str] = (),
    commit: bool = False,
) -> list[list[tuple]]:
    """The leads, `SAVEPOINT`, the statements, `RELEASE SAVEPOINT` (and `COMMIT`) in one round
    trip; each statement's rows, in order ([] for one that returns none). Raises the first
    error, as Django's cursor would: the caller rolls back what it must (the transaction status
    says whether anything failed on the server)."""
    raw = connection.connection
    cursors = [psycopg.Cursor(raw) for _ in statements]
    started = time.monotonic()
    try:
        with connection.wrap_database_errors:
            with raw.pipeline():
                for lead in leads:
                    raw.execute(lead)
                raw.execute(f"SAVEPOINT {savepoint}")
                for cursor, (sql, parameters) in zip(cursors, statements, strict=True):
                    cursor.execute(sql, parameters, prepare=True)
                raw.execute(f"RELEASE SAVEPOINT {savepoint}")
                if commit:
                    raw.commit()
            # The result's status, not `description`: that builds every column's details, which
            # cost more than the rows here.
            return [
                cursor.fetchall() if cursor.pgresult.status == TUPLES_OK else []
                for cursor in cursors
            ]
    finally:
        for cursor in cursors:
            cursor.close()
        if connection.queries_logged:
            _log(connection, leads, statements, savepoint, commit, time.monotonic() - started)


def _log(
    connection: Any,
    leads: Sequence[str],
    statements: Sequence[Statement],
    savepoint: str,
    commit: bool,
    duration: float,
) -> None:
    """What was sent, as one entry in the debug query log (where Django's cursor logs)."""
    with psycopg.ClientCursor(connection.connection) as interpolating:
        shown = [interpolating.mogrify(sql, parameters) for sql, parameters in statements]
    text = "; ".join(
        [
            *leads,
            f"SAVEPOINT {savepoint}",
            *shown,
            f"RELEASE SAVEPOINT {savepoint}",
            *(["COMMIT"] if commit else []),
        ]
    )
    connection.queries_log.append({"sql": text, "time": f"{duration:.3f}"})
