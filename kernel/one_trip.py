"""Statements in a savepoint of their own, in one round trip on PostgreSQL.

Tracking writes a few statements inside every action, each in a savepoint so that its failure
never fails the action. Through `transaction.atomic()` that is a SAVEPOINT, the statement and a
RELEASE, three round trips and three cursors. On PostgreSQL, inside a transaction, the three go
in one round trip instead, in libpq's pipeline mode with each statement prepared on the
connection (`kernel.pipeline`), after whatever the transaction has waiting (`kernel.commit_rider`).
While an execute wrapper is installed (`kernel.lazy_savepoint`'s open block, a test's), they go
through Django's cursor as one query string (the simple query protocol, which runs the statements
in order and stops at the first error), so that the wrapper sees them.
"""

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from psycopg.pq import TransactionStatus

from kernel.commit_rider import send_riders_now, take_leads
from kernel.pipeline import TUPLES_OK, Statement, send_in_savepoint

__all__ = ["Statement", "in_savepoint"]

# One name for every such savepoint: each is released in the round trip that made it, so none
# is ever open beside another of its name, and the same text lets psycopg reuse its parse of the
# query (it caches them by text; a numbered name made every one new).
NAME = '"one_trip"'
ROLLBACK = f"ROLLBACK TO SAVEPOINT {NAME}; RELEASE SAVEPOINT {NAME}"
UNDOABLE = (TransactionStatus.INERROR, TransactionStatus.INTRANS)


def in_savepoint(statements: Sequence[Statement]) -> list[list[tuple]]:
    """Run the statements in order in one savepoint and return each one's rows ([] for a statement
    that returns none). If one fails, the savepoint is rolled back (the transaction goes on as
    before it) and the DatabaseError is raised.

    One round trip on PostgreSQL inside a transaction; elsewhere (SQLite, or autocommit, where a
    savepoint needs a transaction of its own) one statement at a time in `transaction.atomic()`.
    A statement's SQL must hold one statement, with `%%` for a literal `%`.
    """
    # Looked up once: each use of `django.db.connection` looks the connection up again.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cursor:
            return [_run(cursor, sql, parameters) for sql, parameters in statements]
    if connection.execute_wrappers or not hasattr(connection, "riders"):
        return _in_one_query_string(connection, statements)
    connection.validate_no_broken_transaction()
    send_riders_now()  # what waits to be sent goes first: these statements may read it
    try:
        return send_in_savepoint(
            connection, statements, savepoint=NAME, leads=take_leads(connection)
        )
    except DatabaseError:
        # Failed on the server, or refused by psycopg after the SAVEPOINT went: undo what did go.
        if connection.connection.info.transaction_status in UNDOABLE:
            with connection.cursor() as cursor:
                cursor.execute(ROLLBACK)
        raise


def _in_one_query_string(connection: Any, statements: Sequence[Statement]) -> list[list[tuple]]:
    text = "; ".join(
        [f"SAVEPOINT {NAME}", *(sql for sql, _ in statements), f"RELEASE SAVEPOINT {NAME}"]
    )
    parameters = [value for _, values in statements for value in values]
    with connection.cursor() as cursor:
        try:
            cursor.execute(text, parameters)
        except DatabaseError:
            # A query string fails whole on the server; refused by psycopg, nothing of it went.
            if connection.connection.info.transaction_status == TransactionStatus.INERROR:
                cursor.execute(ROLLBACK)
            raise
        # psycopg's own cursor: `description` builds every column's details, which cost more
        # than the rows here.
        raw = cursor.cursor
        results = []
        for _ in statements:
            raw.nextset()
            results.append(raw.fetchall() if raw.pgresult.status == TUPLES_OK else [])
        return results


def _run(cursor: Any, sql: str, parameters: Sequence[Any]) -> list[tuple]:
    cursor.execute(sql, parameters)
    return cursor.fetchall() if cursor.description else []
