"""A savepoint that costs no round trip of its own when it can: `transaction.atomic()` for a block
that must never fail what surrounds it, but on PostgreSQL its SAVEPOINT goes with the block's first
statement, and a block that sends none sends no SAVEPOINT and no RELEASE either.

Inside every action, insights' projection and the badge check each run in a savepoint of their
own; through `atomic()` that is two more round trips each, and the badge check often sends one
statement or none. Here the SAVEPOINT rides on the first statement (one query string, which
psycopg's client-side cursor sends with the simple query protocol), and the RELEASE, only if
the SAVEPOINT was sent, goes in front of the transaction's next statement or with its COMMIT
(`kernel.commit_rider.lead_next`): a RELEASE cannot fail on its own, so it needs no answer.

What `atomic()` does on an error, this does too: the savepoint is rolled back (if it was sent),
the commit hooks registered inside are dropped, `needs_rollback` is cleared, and the error goes
on. SQLite, autocommit, and a block inside another such block use `transaction.atomic()`.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from psycopg import ServerCursor

from kernel.commit_rider import lead_next, take_leads

NAME = '"lazy_savepoint"'


class _Pending:
    """The SAVEPOINT of the open block, until a statement carries it."""

    def __init__(self) -> None:
        self.sent = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: dict) -> Any:
        if self.sent:
            return execute(sql, params, many, context)
        self.sent = True  # from here on the savepoint may exist, even if the statement fails
        cursor = context["cursor"]
        if many or isinstance(cursor.cursor, ServerCursor):
            # executemany and a server-side cursor's DECLARE take one statement: send it alone.
            leads = take_leads(context["connection"])
            with context["connection"].connection.cursor() as alone:
                alone.execute("; ".join([*leads, f"SAVEPOINT {NAME}"]))
            return execute(sql, params, many, context)
        result = execute(f"SAVEPOINT {NAME}; {sql}", params, many, context)
        cursor.cursor.nextset()  # past the SAVEPOINT's result, to the statement's
        return result


@contextlib.contextmanager
def lazy_savepoint() -> Iterator[None]:
    connection = connections[DEFAULT_DB_ALIAS]
    if (
        connection.vendor != "postgresql"
        or not connection.in_atomic_block
        or any(isinstance(wrapper, _Pending) for wrapper in connection.execute_wrappers)
    ):
        with transaction.atomic():
            yield
        return
    pending = _Pending()
    hooks = len(connection.run_on_commit)
    needed_rollback = connection.needs_rollback
    try:
        with connection.execute_wrapper(pending):
            yield
    except BaseException:
        # An ORM write that failed marked the transaction for rollback; the savepoint is what
        # rolls back, as it is for `atomic()`.
        connection.needs_rollback = needed_rollback
        if pending.sent:
            with connection.cursor() as cursor:
                cursor.execute(f"ROLLBACK TO SAVEPOINT {NAME}; RELEASE SAVEPOINT {NAME}")
        del connection.run_on_commit[hooks:]
        raise
    if pending.sent and not lead_next(f"RELEASE SAVEPOINT {NAME}"):
        with connection.cursor() as cursor:
            cursor.execute(f"RELEASE SAVEPOINT {NAME}")
