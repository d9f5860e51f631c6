"""Reads of the children app, always scoped to the caller's household."""

from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from children.models import Child, Claim, Task, TaskOverride

# What a child's pending reward requests hold: the sum of their stored costs. `reward_requests`
# (with its `status` and `cost`) is the rewards app's relation on Child, read by name, as
# `reward_ids` reads `rewards`: this app never imports the rewards app.
HELD_POINTS = Coalesce(Sum("reward_requests__cost", filter=Q(reward_requests__status="pending")), 0)


def children_for(user: AbstractBaseUser) -> QuerySet[Child]:
    """A household's children (the caller's) with their assignments and the points their pending
    requests hold (`held_points`), ready to serialize without N+1 queries. (`rewards` is the
    rewards app's relation on Child, prefetched by name.)"""
    return (
        Child.objects.filter(household__memberships__user_id=user.pk)
        .prefetch_related("tasks", "rewards")
        .annotate(held_points=HELD_POINTS)
        .order_by("id")
    )


def household_children(user: AbstractBaseUser) -> QuerySet[Child]:
    """A household's children (the caller's), the rows alone: for the actions, whose services read
    the child again under its lock, so that what `children_for` prefetches would be thrown away."""
    return Child.objects.filter(household__memberships__user_id=user.pk)


def held_points(child: Child) -> int:
    """The points a child's pending reward requests hold: the annotation of `children_for` when
    the child came from it, else one query (on a child locked by an action, that is the state
    the action sees)."""
    annotated = getattr(child, "held_points", None)
    if annotated is not None:
        return annotated
    sql, parameters = held_points_statement(child)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]


def held_points_statement(child: Child) -> tuple[str, list]:
    """The read of `held_points`, to send with another statement (`kernel.one_trip`); its one row
    goes to `keep_held_points`."""
    return _held_points_sql(), [child.pk, "pending"]


def keep_held_points(child: Child, rows: list[tuple]) -> None:
    """Keep the answer of `held_points_statement` on the child, where `held_points` finds it (read
    in the action's transaction, after its writes: the state the action left)."""
    child.held_points = rows[0][0]


@cache
def _held_points_sql() -> str:
    """`HELD_POINTS` for one child, hand-written and built once per process: it is read for every
    points action's message, and compiling the ORM's aggregate cost more than the read."""
    relation = Child._meta.get_field("reward_requests")
    requests = relation.related_model._meta
    quote = connection.ops.quote_name
    return (
        f"SELECT COALESCE(SUM({quote(requests.get_field('cost').column)}), 0) "
        f"FROM {quote(requests.db_table)} WHERE {quote(relation.field.column)} = %s "
        f"AND {quote(requests.get_field('status').column)} = %s"
    )


def available_points(child: Child) -> int:
    """What a child can still ask for or spend: its points minus what its pending requests hold,
    never below 0 (a penalty may take points below what is held)."""
    return max(0, child.points - held_points(child))


def tasks_for(user: AbstractBaseUser) -> QuerySet[Task]:
    """The caller's household's chores and penalties."""
    return Task.objects.filter(household__memberships__user_id=user.pk).order_by("id")


# A pending claim's value: the child's override of the chore, else the chore's points.
VALUE_NOW = Coalesce(
    Subquery(
        TaskOverride.objects.filter(child=OuterRef("child_id"), task=OuterRef("task_id")).values(
            "points"
        )[:1]
    ),
    F("task__points"),
)


def claims_for(user: AbstractBaseUser) -> QuerySet[Claim]:
    """Claims of the caller's household's children, oldest first, with their chore and its value
    now (`value_now`), ready to serialize without N+1 queries."""
    return (
        Claim.objects.filter(child__household__memberships__user_id=user.pk)
        .select_related("task")
        .annotate(value_now=VALUE_NOW)
        .order_by("id")
    )


def claim_points(claim: Claim) -> int:
    """What a claim is worth: once decided, the value stored then; while pending, the chore's
    value for the child now (the annotation of `claims_for`, else one query)."""
    if claim.points is not None:
        return claim.points
    annotated = getattr(claim, "value_now", None)
    if annotated is not None:
        return annotated
    return (
        Claim.objects.filter(pk=claim.pk)
        .annotate(value_now=VALUE_NOW)
        .values_list("value_now", flat=True)
        .first()
        or claim.task.points
    )
