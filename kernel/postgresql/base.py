"""Django's PostgreSQL backend, with statements that ride on the transaction's COMMIT or in front
of its next statement (`kernel.commit_rider`). Everything else is Django's: a postgres://
`DATABASE_URL` selects it in settings, and `connection.vendor` stays "postgresql"."""

from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper
from psycopg import ServerCursor

from kernel.commit_rider import Rider, commit_with, send_riders, take_leads


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.riders: list[Rider] = []
        self.leads: list[str] = []

    def make_cursor(self, cursor):
        return LeadingCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return LeadingCursorDebugWrapper(cursor, self)

    def _cursor(self, name=None):
        # Whatever the transaction sends next comes after the riders (a read of what they wrote,
        # a savepoint's rollback that must undo them).
        if self.riders:
            send_riders(self, super()._cursor)
        return super()._cursor(name)

    def _commit(self):
        if self.connection is None or not (self.riders or self.leads):
            return super()._commit()
        riders, self.riders = self.riders, []
        return commit_with(self, riders, super()._cursor, super()._commit)

    def _rollback(self):
        # Rolled back with the rest; the riders' commit hooks go with them.
        self.riders.clear()
        self.leads.clear()
        return super()._rollback()

    def _close(self):
        self.riders.clear()
        self.leads.clear()
        return super()._close()


class Leading:
    """The connection's leads go in front of the statement, in its query string (after what the
    execute wrappers put there: they run first); for a statement that must go alone (a server-side
    cursor's DECLARE, executemany), just before it."""

    def _execute(self, sql, params, *ignored):
        leads = take_leads(self.db) if self.db.leads else ()
        if not leads:
            return super()._execute(sql, params, *ignored)
        if isinstance(self.cursor, ServerCursor):
            self._send_alone(leads)
            return super()._execute(sql, params, *ignored)
        result = super()._execute("; ".join([*leads, sql]), params, *ignored)
        for _ in leads:
            self.cursor.nextset()  # past each lead's result, to the statement's
        return result

    def _executemany(self, sql, param_list, *ignored):
        if self.db.leads:
            self._send_alone(take_leads(self.db))
        return super()._executemany(sql, param_list, *ignored)

    def _send_alone(self, leads):
        if leads:
            with self.db.wrap_database_errors, self.db.connection.cursor() as alone:
                alone.execute("; ".join(leads))


class LeadingCursorWrapper(Leading, CursorWrapper):
    pass


class LeadingCursorDebugWrapper(Leading, base.CursorDebugWrapper):
    pass
