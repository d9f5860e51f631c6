"""Rows that a write refers to (a task, a reward) kept in place until the write commits.

On PostgreSQL Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: a row inserted with a
reference to a task or reward that a concurrent `DELETE` removes fails only at COMMIT, an
IntegrityError (a 500) after the action was computed. So a write that adds such a row (a claim, a
request, an override, an assignment) first locks the row it refers to, with `keep_referenced`,
and a deletion first locks the row it deletes, with `lock_for_deletion`. Whichever locks first
wins: a deletion that comes second waits, and its cascade then sees the committed rows; a write
that comes second waits, then finds the row gone and answers as for an id that never existed.

The write's lock is FOR KEY SHARE, the lock PostgreSQL's own foreign-key check takes at COMMIT,
taken at the start instead: it conflicts with a deletion's FOR UPDATE only, not with other writes
referring to the same row nor with an edit of it, so it adds no waiting and no lock cycle between
writes (a badge's creation locks the task and then each child, a claim the child and then the
task). Django's `select_for_update` has no FOR KEY SHARE, hence the SQL. SQLite runs one writing
transaction at a time, so the race does not exist there: the row is only looked up.
"""

from collections.abc import Iterable

from django.db import connection, models

from kernel.errors import InvalidAction

DOES_NOT_EXIST = "{kind} {id} does not exist."
UNKNOWN_IDS = "Unknown {kind} id(s): {ids}."


def keep_referenced(entity: models.Model, *, field: str, kind: str | None = None) -> None:
    """Lock the row of `entity`, which the caller's transaction is about to refer to, until it
    commits. Call it after the child's lock (`lock_child`), when there is one.

    Raises InvalidAction on `field` (the 400 its serializer gives for an unknown id; `kind` names
    the entity in it, by default its model's name) when the row is gone: a deletion committed
    after the view found it.
    """
    if _lock_existing(type(entity), [entity.pk]):
        return
    kind = kind or str(entity._meta.verbose_name).capitalize()
    raise InvalidAction(DOES_NOT_EXIST.format(kind=kind, id=entity.pk), field=field)


def keep_all_referenced(model: type[models.Model], ids: Iterable[int], *, field: str) -> None:
    """`keep_referenced` for a list of ids (an assignment).

    Raises InvalidAction on `field` naming the ids whose rows are gone.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return
    found = _lock_existing(model, wanted)
    if missing := [pk for pk in wanted if pk not in found]:
        kind = str(model._meta.verbose_name)
        raise InvalidAction(
            UNKNOWN_IDS.format(kind=kind, ids=", ".join(map(str, missing))), field=field
        )


def lock_for_deletion(entity: models.Model) -> bool:
    """Lock the row of `entity` before deleting it (and what its deletion cascades to), in the
    caller's transaction. False when it is already gone (another deletion committed first)."""
    return (
        type(entity)
        ._default_manager.select_for_update()
        .filter(pk=entity.pk)
        .values_list("pk", flat=True)
        .first()
        is not None
    )


def _lock_existing(model: type[models.Model], ids: list[int]) -> set[int]:
    """Lock the rows of `model` with these ids FOR KEY SHARE, in id order; the ids found."""
    if connection.vendor != "postgresql":
        return set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
    # The names are the model's, quoted; only the ids are parameters.
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk} FROM {table} WHERE {pk} = ANY(%s) ORDER BY {pk} FOR KEY SHARE", [ids]
        )
        return {row[0] for row in cursor.fetchall()}
