"""The ledger's row, written so that a failure undoes only the row (the action still commits), in
one round trip on PostgreSQL: one call of `chorehub_insert_row`, whose exception block is the
savepoint (migration 0006), rather than SAVEPOINT, the ORM's INSERT and RELEASE. Elsewhere
(SQLite, whose round trips are in-process) a savepoint around the ORM's save."""

import datetime
import decimal
import json
from functools import cache
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from psycopg.types.json import Jsonb


def insert_alone(row: Model) -> None:
    """Insert `row` (its pk is set) in a savepoint of its own; raises DatabaseError when the
    database refuses it, having written nothing."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            row.save()
        return
    model = type(row)
    # The model's signals as its save sends them (none is connected in production).
    pre_save.send(sender=model, instance=row, raw=False, using=connection.alias, update_fields=None)
    fields = _insert_fields(model)
    values = {field.column: _as_json(field.pre_save(row, True)) for field in fields}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT chorehub_insert_row(%s::regclass, %s, %s)",
            [model._meta.db_table, [field.column for field in fields], Jsonb(values)],
        )
        # Django has psycopg return jsonb as its text.
        result = json.loads(cursor.fetchone()[0])
    if "error" in result:
        # As the driver would have raised it: a constraint's refusal (SQLSTATE class 23) is an
        # IntegrityError.
        refusal = IntegrityError if result["state"].startswith("23") else DatabaseError
        raise refusal(f"{result['error']} (SQLSTATE {result['state']})")
    row.pk = result["id"]
    row._state.adding = False
    row._state.db = connection.alias
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


def _as_json(value: Any) -> Any:
    """A value as `jsonb_populate_record` reads it back into its column's type (timestamps with
    their microseconds and offset)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
