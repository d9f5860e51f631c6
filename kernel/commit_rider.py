"""Statements that ride on the transaction's COMMIT, with no round trip of their own.

Tracking stores an action's stream messages last, in a savepoint of their own (their failure must
never fail the action), and nothing in the action reads them afterwards: they can go with the
COMMIT, in one round trip (the server runs them in order and skips what follows an error). A
statement given to `ride_on_commit` is sent:

- with the COMMIT: `SAVEPOINT; the statement; RELEASE SAVEPOINT; COMMIT`, in libpq's pipeline
  mode (one round trip; the statement prepared on the connection, `DATABASE_PREPARE_THRESHOLD`),
  with the other statements waiting for the COMMIT, each in its own savepoint before it;
- or alone in its savepoint, just before anything else the transaction sends first (which may
  read what it writes, or roll back a savepoint around it);
- or never, if the transaction rolls back.

Its answer gets the statement's rows, or the DatabaseError that undid it: then its savepoint is
rolled back and the transaction goes on. This needs the project's PostgreSQL backend
(`kernel.postgresql`) and an open transaction; elsewhere `ride_on_commit` returns False, and the
caller sends the statement itself.

A lead (`lead_next`) is smaller: a statement with no answer that cannot fail on its own (a
savepoint's RELEASE), sent in front of whatever the transaction sends next, in the same query
string, or with the COMMIT.
"""

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from psycopg.pq import ExecStatus, TransactionStatus

from kernel.pipeline import Statement, send_each_in_savepoint

logger = logging.getLogger(__name__)

NAME = '"rider"'
ROLLBACK = f"ROLLBACK TO SAVEPOINT {NAME}; RELEASE SAVEPOINT {NAME}"

Answer = Callable[[list[tuple] | DatabaseError], None]


@dataclass(frozen=True)
class Rider:
    statement: Statement
    answer: Answer


def rides() -> bool:
    """Whether a statement given to `ride_on_commit` now would ride (PostgreSQL, in a
    transaction)."""
    connection = connections[DEFAULT_DB_ALIAS]
    return getattr(connection, "riders", None) is not None and connection.in_atomic_block


def ride_on_commit(statement: Statement, answer: Answer) -> bool:
    """Send the statement with the transaction's COMMIT (or before anything sent after it), and
    give its rows or its error to `answer`. False, with nothing kept, outside a transaction or
    on another backend."""
    connection = connections[DEFAULT_DB_ALIAS]
    riders = getattr(connection, "riders", None)
    if riders is None or not connection.in_atomic_block:
        return False
    riders.append(Rider(statement, answer))
    return True


def lead_next(sql: str) -> bool:
    """Send `sql` in front of the transaction's next statement (or its COMMIT). False, with
    nothing kept, outside a transaction or on another backend."""
    connection = connections[DEFAULT_DB_ALIAS]
    leads = getattr(connection, "leads", None)
    if leads is None or not connection.in_atomic_block:
        return False
    leads.append(sql)
    return True


def take_leads(connection: Any) -> list[str]:
    """The leads waiting to go in front of the next statement, for a caller that sends one
    without Django's cursor; none once the transaction has failed (what rolls it back undoes
    what they would have released)."""
    leads = getattr(connection, "leads", None)
    if not leads:
        return []
    connection.leads = []
    return [] if _aborted(connection) else leads


def send_riders_now() -> None:
    """Send the statements still waiting, now (for a commit hook run without a commit, as the
    tests' `captureOnCommitCallbacks` runs them)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if getattr(connection, "riders", None):
        connection.cursor().close()  # the backend sends them before any cursor


def send_riders(connection: Any, make_cursor: Callable[[], Any]) -> None:
    """Each waiting statement alone in its savepoint, one round trip each."""
    riders, connection.riders = connection.riders, []
    for rider in riders:
        if _aborted(connection):
            _answer(rider, DatabaseError("the transaction failed before the statement was sent"))
            continue
        sql, parameters = rider.statement
        with _unwrapped(connection), make_cursor() as cursor:
            try:
                cursor.execute(f"SAVEPOINT {NAME}; {sql}; RELEASE SAVEPOINT {NAME}", parameters)
            except DatabaseError as error:
                if _aborted(connection):  # else psycopg refused it before sending anything
                    cursor.execute(ROLLBACK)
                _answer(rider, error)
                continue
            rows = _rows(cursor)
        _answer(rider, rows)


def commit_with(
    connection: Any, riders: list[Rider], make_cursor: Callable[[], Any], commit: Callable[[], None]
) -> None:
    """COMMIT, with the statements (each in its savepoint, the leads in front) before it in the
    same round trip. Should one fail, its savepoint alone is rolled back, and those after it go
    with the COMMIT again; should the COMMIT fail, the error is the commit's, as it would be
    without riders, and no statement is answered."""
    if not riders and not connection.leads:
        return commit()
    if _aborted(connection):
        connection.leads = []
        for rider in riders:
            _answer(rider, DatabaseError("the transaction failed before the statement was sent"))
        return commit()
    if not riders:  # leads only: they go in front of the COMMIT (the backend's cursor)
        with _unwrapped(connection), make_cursor() as cursor:
            cursor.execute("COMMIT")
        return None
    while riders:
        answered, error = send_each_in_savepoint(
            connection,
            [rider.statement for rider in riders],
            savepoint=NAME,
            leads=take_leads(connection),
            commit=True,
        )
        status = connection.connection.info.transaction_status
        if error is not None and (status == TransactionStatus.IDLE or len(answered) == len(riders)):
            raise error  # the COMMIT failed: the transaction is gone, the riders with it
        for rider, rows in zip(riders[: len(answered)], answered, strict=True):
            _answer(rider, rows)
        if error is None:
            return None
        if status == TransactionStatus.INERROR:
            with _unwrapped(connection), make_cursor() as cursor:
                cursor.execute(ROLLBACK)
        # else psycopg refused the statement before sending it: its savepoint holds nothing
        failed = len(answered)
        _answer(riders[failed], error)
        riders = riders[failed + 1 :]
    return commit()


def _aborted(connection: Any) -> bool:
    return connection.connection.info.transaction_status == TransactionStatus.INERROR


@contextlib.contextmanager
def _unwrapped(connection: Any) -> Iterator[None]:
    """Without the connection's execute wrappers: a rider belongs to no savepoint that a wrapper
    opens around the statement that happens to follow it (`kernel.lazy_savepoint`)."""
    wrappers = connection.execute_wrappers
    connection.execute_wrappers = []
    try:
        yield
    finally:
        connection.execute_wrappers = wrappers


def _rows(cursor: Any) -> list[tuple]:
    raw = cursor.cursor  # psycopg's own: the statement's result is the one after the SAVEPOINT's
    raw.nextset()
    return raw.fetchall() if raw.pgresult.status == ExecStatus.TUPLES_OK else []


def _answer(rider: Rider, result: list[tuple] | DatabaseError) -> None:
    # Runs inside the commit: an answer that raises must not look like a failed commit.
    try:
        rider.answer(result)
    except Exception:
        logger.exception("the answer to a statement sent with the commit failed")
