"""The ledger's row written with hand-written SQL, built once per process: one per points action,
and compiling the ORM's INSERT cost more than the round trip. The model's signals are sent as its
save sends them; the caller keeps the savepoint (a refusal undoes only the row)."""

from functools import cache

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save


def insert_row(row: Model) -> None:
    """INSERT a new `row` and set its pk (the fields' own preparation: `auto_now_add`, JSON)."""
    model = type(row)
    pre_save.send(sender=model, instance=row, raw=False, using=connection.alias, update_fields=None)
    fields = _insert_fields(model)
    values = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model), values)
        row.pk = cursor.fetchone()[0]
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
