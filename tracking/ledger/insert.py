"""The ledger's row written with hand-written SQL, built once per process: one per points action,
and compiling the ORM's INSERT cost more than the round trip. The row is written in a savepoint
of its own (a refusal undoes only the row), in one round trip with the reads its announcement
will need (`kernel.one_trip`). The model's signals are sent as its save sends them."""

from collections.abc import Callable, Sequence
from functools import cache

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

from kernel.one_trip import Statement, in_savepoint

# A read sent with the row, and what takes its rows.
Read = tuple[Statement, Callable[[list[tuple]], None]]


def insert_row(row: Model, *, reads: Sequence[Read] = ()) -> None:
    """INSERT a new `row` and set its pk (the fields' own preparation: `auto_now_add`, JSON).
    Raises DatabaseError, with nothing written, when the row is refused. `reads` run right after
    the INSERT, in its round trip, and each one's rows go to its callback; should one of them fail,
    the row is written alone and the reads are not answered (their callers read later)."""
    model = type(row)
    # Looked up once: each use of `django.db.connection` looks the connection up again.
    connection = connections[DEFAULT_DB_ALIAS]
    pre_save.send(sender=model, instance=row, raw=False, using=connection.alias, update_fields=None)
    fields = _insert_fields(model)
    insert = (
        _insert_sql(model),
        [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields],
    )
    try:
        results = in_savepoint([insert, *(statement for statement, _ in reads)])
    except DatabaseError:
        if not reads:
            raise
        results, reads = in_savepoint([insert]), ()
    row.pk = results[0][0][0]
    row._state.adding = False
    row._state.db = connection.alias
    for (_, answer), rows in zip(reads, results[1:], strict=True):
        answer(rows)
    post_save.send(
        sender=model,
        instance=row,
        created=True,
        raw=False,
        using=connection.alias,
        update_fields=None,
    )


@cache
def _insert_fields(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@cache
def _insert_sql(model: type[Model]) -> str:
    quote = connection.ops.quote_name
    fields = _insert_fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders}) "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
