"""The statements the projection sends, hand-written, their SQL built once per process: they
run inside every action, and compiling the equivalent querysets cost more than all of the
projection's round trips together (see docs/insights.md, "Performance")."""

from functools import cache
from typing import Any

from django.db import connection

from children.models import Child
from households.models import Household
from insights.classify import Effect
from insights.models import DAY_COUNTERS, ChildDay, ChildTotals, StreakChoice
from kernel.pipeline import Statement


@cache
def locked_totals_query() -> tuple[str, list[tuple[type, list[str]]]]:
    """The SQL, and the model and field names of each part of its rows."""
    quote = connection.ops.quote_name

    def columns(model: type, alias: str) -> str:
        return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)

    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
    shapes = [
        (model, [field.attname for field in model._meta.concrete_fields])
        for model in (ChildTotals, Child, Household)
    ]
    sql = (
        f"SELECT {columns(ChildTotals, 't')}, {columns(Child, 'c')}, {columns(Household, 'h')}, "
        f"EXISTS (SELECT 1 FROM {quote(StreakChoice._meta.db_table)} s WHERE s.child_id = c.id) "
        f"FROM {quote(ChildTotals._meta.db_table)} t "
        f"JOIN {quote(Child._meta.db_table)} c ON c.id = t.child_id "
        f"JOIN {quote(Household._meta.db_table)} h ON h.id = c.household_id "
        f"WHERE t.child_id = %s{lock}"
    )
    return sql, shapes


def totals_from(row: tuple) -> ChildTotals:
    """The totals, with their child and household, from a row of `locked_totals_query`."""
    _, shapes = locked_totals_query()
    instances = []
    for model, names in shapes:
        instances.append(model.from_db(connection.alias, names, row[: len(names)]))
        row = row[len(names) :]
    totals, child, household = instances
    child.household = household
    totals.child = child
    totals.has_streak_choice = bool(row[0])
    return totals


def day_statement(totals: ChildTotals, effect: Effect, saving: tuple[str, ...]) -> Statement:
    """The day's UPSERT for `effect`, with the totals' update of `saving` in a data-modifying
    WITH (PostgreSQL) when there are fields to save."""
    values = [effect.counters.get(name, 0) for name in DAY_COUNTERS]
    sql, parameters = add_to_day_sql(), [totals.child_id, effect.day.isoformat(), *values]
    if saving:
        update, fields = save_totals_sql(saving)
        sql = f"WITH day AS ({sql}), totals AS ({update}) SELECT streak_chores, pauses FROM day"
        parameters += totals_values(totals, fields)
    return sql, parameters


def totals_values(totals: ChildTotals, fields: list[Any]) -> list[Any]:
    """The parameters of `save_totals_sql`'s UPDATE."""
    values = [
        field.get_db_prep_save(getattr(totals, field.attname), connection) for field in fields
    ]
    return [*values, totals.pk]


@cache
def add_to_day_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(ChildDay._meta.db_table)
    quoted = [quote(name) for name in DAY_COUNTERS]
    increments = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in quoted)
    placeholders = ", ".join(["%s"] * (len(quoted) + 2))
    return (
        f"INSERT INTO {table} (child_id, day, {', '.join(quoted)}) VALUES ({placeholders}) "
        f"ON CONFLICT (child_id, day) DO UPDATE SET {increments} "
        f"RETURNING streak_chores, pauses"
    )


@cache
def save_totals_sql(fields: tuple[str, ...]) -> tuple[str, list[Any]]:
    quote = connection.ops.quote_name
    model_fields = [ChildTotals._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    sql = f"UPDATE {quote(ChildTotals._meta.db_table)} SET {assignments} WHERE id = %s"
    return sql, model_fields
