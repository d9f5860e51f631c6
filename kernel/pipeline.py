"""Statements in a savepoint, sent in one round trip in libpq's pipeline mode, each statement
prepared on the connection.

Django's cursor sends a query string with its values written in (psycopg's client-side cursor,
the simple query protocol), so PostgreSQL plans every statement anew on every action. Here each
statement goes with the extended protocol and is prepared once per connection
(`DATABASE_PREPARE_THRESHOLD`; `off` sends it unprepared): measured with raw psycopg, the
tracking row's round trip costs 0.24 ms less this way (docs/benchmarks.md).

The round trip goes through psycopg's libpq binding (`psycopg.pq`) rather than psycopg's
`Connection.pipeline()` and cursors: the query and its values are adapted by psycopg
(`PostgresQuery`, the connection's adapters), the results read with psycopg's generators and
loaded by its `Transformer`, but no cursor or pipeline object is built per statement. That
Python costs more than the statements' own work here: 0.18 against 0.03 ms of CPU for a
savepoint, an INSERT, two reads and the release (docs/benchmarks.md). The prepared statements'
names are kept per psycopg connection (`Prepared`): a new one starts with none.
"""

import contextlib
import itertools
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import psycopg
from django.db import DatabaseError
from psycopg import errors
from psycopg._queries import PostgresQuery
from psycopg.abc import PQGen
from psycopg.adapt import Transformer
from psycopg.generators import fetch_many, send
from psycopg.pq import ExecStatus, TransactionStatus

Statement = tuple[str, Sequence[Any]]  # SQL with %s placeholders, and its parameters

TUPLES_OK = ExecStatus.TUPLES_OK
FATAL_ERROR = ExecStatus.FATAL_ERROR
# The project's statements are a few dozen; a bound all the same, as psycopg's own cache has.
MAX_PREPARED = 200


@dataclass
class Prepared:
    """The statements prepared on one psycopg connection, by query and parameter types. A
    prepared statement belongs to the session: the names are kept per psycopg connection (a
    Django connection may be handed another one by the pool, and another Django connection this
    one), numbered by it so that none is ever prepared twice on it."""

    names: dict[tuple[bytes, tuple[int, ...]], bytes] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))


# Dropped with its psycopg connection.
_prepared: "weakref.WeakKeyDictionary[psycopg.Connection, Prepared]" = weakref.WeakKeyDictionary()


def prepared_on(raw: psycopg.Connection) -> Prepared:
    prepared = _prepared.get(raw)
    if prepared is None:
        prepared = _prepared[raw] = Prepared()
    return prepared


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
    started = time.monotonic()
    answered: list[list[tuple]] = []
    try:
        with connection.wrap_database_errors:
            trip = _Trip(connection)
            try:
                refused = trip.queue(groups, savepoint, leads, commit)
            finally:
                answered, failed = trip.send()  # what was queued goes, even before an error
            failed = refused if failed is None else failed
            if failed is not None:
                raise failed
    except DatabaseError as error:
        return answered, error
    finally:
        if connection.queries_logged:
            _log(connection, leads, groups, savepoint, commit, time.monotonic() - started)
    return answered, None


class _Trip:
    """One round trip: commands queued in libpq's pipeline, then one sync, then the results."""

    def __init__(self, connection: Any) -> None:
        self.raw = raw = connection.connection
        self.pgconn = raw.pgconn
        # psycopg's threshold `None` (`DATABASE_PREPARE_THRESHOLD=off`): nothing prepared.
        self.prepared = None if raw.prepare_threshold is None else prepared_on(raw)
        self.transformer = Transformer(raw)
        # What each result answers, in order: None for a command, a statement's index, or the
        # key of a statement being prepared.
        self.expected: list[Any] = []
        self.statements = 0

    def queue(
        self,
        groups: Sequence[Sequence[Statement]],
        savepoint: str,
        leads: Sequence[str],
        commit: bool,
    ) -> psycopg.Error | None:
        """Queue everything, up to a statement psycopg refuses (returned: what went before it
        is still sent, as psycopg's own pipeline would)."""
        self.pgconn.enter_pipeline_mode()
        if self.pgconn.transaction_status == TransactionStatus.IDLE and not self.raw.autocommit:
            self._command(self.raw._get_tx_start_command())  # as psycopg starts a transaction
        for lead in leads:
            self._command(lead.encode())
        begin, release = _savepoint_commands(savepoint)
        for group in groups:
            self._command(begin)
            for sql, parameters in group:
                try:
                    self._statement(sql, parameters)
                except psycopg.Error as refusal:
                    return refusal
            self._command(release)
        if commit:
            self._command(b"COMMIT")
        return None

    def send(self) -> tuple[list[list[tuple]], psycopg.Error | None]:
        """Sync, then read every result: the rows of the statements up to the first failure, and
        its error."""
        pgconn = self.pgconn
        answered: list[list[tuple]] = []
        failed: psycopg.Error | None = None
        try:
            pgconn.pipeline_sync()
            results = self.raw.wait(_results(pgconn, len(self.expected)))
        except BaseException:
            # The connection failed mid-way: leave the pipeline if libpq still can.
            with contextlib.suppress(psycopg.Error):
                pgconn.exit_pipeline_mode()
            raise
        pgconn.exit_pipeline_mode()
        for expected, result in zip(self.expected, results, strict=True):
            if failed is not None:
                self._forget(expected)
            elif result.status == FATAL_ERROR:
                failed = errors.error_from_result(result, encoding=self.raw.info.encoding)
                self._forget(expected)
            elif isinstance(expected, int):
                answered.append(self._rows(result))
        return answered, failed

    def _command(self, sql: bytes) -> None:
        self.pgconn.send_query_params(sql, None)
        self.expected.append(None)

    def _statement(self, sql: str, parameters: Sequence[Any]) -> None:
        query = PostgresQuery(self.transformer)
        query.convert(sql, parameters)  # raises psycopg's error for a value it cannot adapt
        name = self._prepared_name(query)
        if name is None:
            self.pgconn.send_query_params(query.query, query.params, query.types, query.formats)
        else:
            self.pgconn.send_query_prepared(name, query.params, query.formats)
        self.expected.append(self.statements)
        self.statements += 1

    def _prepared_name(self, query: PostgresQuery) -> bytes | None:
        """The statement's name on the connection, prepared first if it is new; None to send it
        unprepared."""
        if self.prepared is None:
            return None
        key = (query.query, query.types)
        name = self.prepared.names.get(key)
        if name is None and len(self.prepared.names) < MAX_PREPARED:
            name = self.prepared.names[key] = b"chorehub_%d" % next(self.prepared.counter)
            self.pgconn.send_prepare(name, query.query, query.types)
            self.expected.append(key)
        return name

    def _forget(self, expected: Any) -> None:
        # A statement whose PREPARE failed or never ran is not prepared: next time it is again.
        if isinstance(expected, tuple) and self.prepared is not None:
            self.prepared.names.pop(expected, None)

    def _rows(self, result: Any) -> list[tuple]:
        if result.status != TUPLES_OK:
            return []
        self.transformer.set_pgresult(result)
        return self.transformer.load_rows(0, result.ntuples, tuple)


def _results(pgconn: Any, count: int) -> PQGen[list[Any]]:
    """Flush what was queued, then the last result of each of `count` commands, and the sync's."""
    yield from send(pgconn)
    results = []
    for _ in range(count):
        results.append((yield from fetch_many(pgconn))[-1])
    yield from fetch_many(pgconn)  # the sync's own result
    return results


@cache
def _savepoint_commands(savepoint: str) -> tuple[bytes, bytes]:
    return f"SAVEPOINT {savepoint}".encode(), f"RELEASE SAVEPOINT {savepoint}".encode()


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
