"""Statements in a savepoint, sent in psycopg's pipeline mode: one round trip, each statement
prepared on the connection.

Django's cursor sends a query string with its values written in (psycopg's client-side cursor,
the simple query protocol), so PostgreSQL plans every statement anew on every action. Here each
statement goes with the extended protocol and is prepared once per connection
(`DATABASE_PREPARE_THRESHOLD`; `off` sends it unprepared): measured with raw psycopg, the
tracking row's round trip costs 0.24 ms less this way (docs/benchmarks.md).

The psycopg cursors are kept on the connection and used again by every round trip (a cursor
made anew costs more than the statement's own work in Python, and one given the same query
string again keeps its adaptation): one for the savepoints, the leads and the COMMIT, one per
statement.
"""

import time
from collections.abc import Sequence
from functools import cache
from typing import Any

import psycopg
from django.db import DatabaseError
from psycopg.pq import ExecStatus

Statement = tuple[str, Sequence[Any]]  # SQL with %s placeholders, and its parameters

TUPLES_OK = ExecStatus.TUPLES_OK
COMMAND_OK = ExecStatus.COMMAND_OK


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
    answered, error = _send(connection, [statements], savepoint, leads, commit)
    if error is not None:
        raise error
    return answered


def send_each_in_savepoint(
    connection: Any,
    statements: Sequence[Statement],
    *,
    savepoint: str,
    leads: Sequence[str] = (),
    commit: bool = False,
) -> tuple[list[list[tuple]], DatabaseError | None]:
    """The leads, then each statement in a savepoint of its own (`SAVEPOINT`, the statement,
    `RELEASE SAVEPOINT`), then `COMMIT` if asked, in one round trip, each statement prepared.

    Returns the rows of the statements that ran, in order, and None; or, when one failed (on the
    server, or refused by psycopg), the rows of those before it and the error. The server runs
    nothing after an error, so the statements after the failed one did not run; a COMMIT that
    failed shows as an error with every statement's rows. The caller rolls back what it must."""
    groups = [[statement] for statement in statements]
    return _send(connection, groups, savepoint, leads, commit)


def _send(
    connection: Any,
    groups: Sequence[Sequence[Statement]],
    savepoint: str,
    leads: Sequence[str],
    commit: bool,
) -> tuple[list[list[tuple]], DatabaseError | None]:
    """The leads, each group in a savepoint, the COMMIT if asked, in one pipeline; the rows of
    the statements up to the first that failed, and its error (None if none failed)."""
    raw = connection.connection
    count = sum(len(group) for group in groups)
    command, *cursors = _cursors(connection, raw, 1 + count)
    begin, release = _savepoint_commands(savepoint)
    started = time.monotonic()
    sent = 0  # the statements whose execute began (it forgets the cursor's earlier result)
    try:
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
            return _rows_until_failed(cursors[:sent]), error
        return _rows_until_failed(cursors), None
    finally:
        if not hasattr(connection, "pipeline_cursors"):
            for cursor in (command, *cursors):
                cursor.close()
        if connection.queries_logged:
            _log(connection, leads, groups, savepoint, commit, time.monotonic() - started)


def _cursors(connection: Any, raw: psycopg.Connection, count: int) -> list[psycopg.Cursor]:
    """`count` cursors of the raw connection: those kept on the connection (the project's
    backend, `kernel.postgresql`), made as needed; else new ones, which the caller closes."""
    kept = getattr(connection, "pipeline_cursors", None)
    if kept is None:
        return [psycopg.Cursor(raw) for _ in range(count)]
    if kept and kept[0].connection is not raw:  # a new connection (or one from the pool)
        kept.clear()
    kept.extend(psycopg.Cursor(raw) for _ in range(count - len(kept)))
    return kept[:count]


@cache
def _savepoint_commands(savepoint: str) -> tuple[str, str]:
    # The same text each time: a cursor given the same query object keeps its adaptation.
    return f"SAVEPOINT {savepoint}", f"RELEASE SAVEPOINT {savepoint}"


def _rows_until_failed(cursors: Sequence[psycopg.Cursor]) -> list[list[tuple]]:
    """The rows of each cursor, up to the first that got no result (it failed or never ran). The
    result's status, not `description`: that builds every column's details, which cost more than
    the rows here."""
    answered = []
    for cursor in cursors:
        result = cursor.pgresult
        if result is None or result.status not in (TUPLES_OK, COMMAND_OK):
            break
        answered.append(cursor.fetchall() if result.status == TUPLES_OK else [])
    return answered


def _log(
    connection: Any,
    leads: Sequence[str],
    groups: Sequence[Sequence[Statement]],
    savepoint: str,
    commit: bool,
    duration: float,
) -> None:
    """What was sent, as one entry in the debug query log (where Django's cursor logs): the
    leads, then each group of statements in the savepoint, then the COMMIT."""
    with psycopg.ClientCursor(connection.connection) as interpolating:
        shown = [
            [
                f"SAVEPOINT {savepoint}",
                *(interpolating.mogrify(sql, parameters) for sql, parameters in group),
                f"RELEASE SAVEPOINT {savepoint}",
            ]
            for group in groups
        ]
    text = "; ".join(
        [*leads, *(part for group in shown for part in group), *(["COMMIT"] if commit else [])]
    )
    connection.queries_log.append({"sql": text, "time": f"{duration:.3f}"})
