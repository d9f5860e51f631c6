"""Django's PostgreSQL backend, with statements that ride on the transaction's COMMIT
(`kernel.commit_rider`). Everything else is Django's: `DATABASE_URL`'s postgres:// selects it in
settings, and `connection.vendor` stays "postgresql"."""

from django.db.backends.postgresql import base

from kernel.commit_rider import Rider, commit_with, send_riders


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.riders: list[Rider] = []

    def _cursor(self, name=None):
        # Whatever the transaction sends next comes after the riders (a read of what they wrote,
        # a savepoint's rollback that must undo them).
        if self.riders:
            send_riders(self, super()._cursor)
        return super()._cursor(name)

    def _commit(self):
        if len(self.riders) == 1 and self.connection is not None:
            return commit_with(self, self.riders.pop(), super()._cursor, super()._commit)
        if self.riders:
            send_riders(self, super()._cursor)
        return super()._commit()

    def _rollback(self):
        self.riders.clear()  # rolled back with the rest; their commit hooks go with them
        return super()._rollback()

    def _close(self):
        self.riders.clear()
        return super()._close()
