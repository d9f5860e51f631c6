"""The chore tallies `task_count` badges read (`TaskTally`): how many activations of a chore stand
per household day of a child. Kept for the chores a household's badges name: one UPSERT when such
a chore is activated or its activation reversed, and recounted from the history when a badge
starts counting a chore, when the calendar changes, and by the rebuild."""

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from functools import cache

from django.db import connection

from achievements.models import TaskTally
from insights.calendar import HouseholdCalendar
from tracking.models import TrackingEvent

Tallies = dict[tuple[int, date], int]  # (task id, day) → activations that stand


def add_to_tally(*, child_id: int, task_id: int, day: date, count: int) -> None:
    """Add `count` (1, or -1 for a reversal) to a chore's tally of one day, in one UPSERT."""
    with connection.cursor() as cursor:
        cursor.execute(_add_to_tally_sql(), [child_id, task_id, day.isoformat(), count])


@cache
def _add_to_tally_sql() -> str:
    table = connection.ops.quote_name(TaskTally._meta.db_table)
    return (
        f"INSERT INTO {table} (child_id, task_id, day, count) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (child_id, task_id, day) DO UPDATE SET count = {table}.count + excluded.count"
    )


def tallies_from_history(
    child_id: int, task_ids: Collection[int], calendar: HouseholdCalendar
) -> Tallies:
    """A child's tallies of these chores as its history says (zero days left out)."""
    if not task_ids:
        return {}
    rows = (
        TrackingEvent.objects.filter(
            child_id=child_id,
            entity_type="task",
            entity_id__in=list(task_ids),
            action__in=("activated", "reversed"),
        )
        .order_by("occurred_at", "created_at", "id")
        .values_list("id", "entity_id", "action", "occurred_at", "reverses")
    )
    activated: dict[int, tuple[int, date]] = {}
    reversed_ids: list[int] = []
    tallies: Tallies = defaultdict(int)
    for event_id, task_id, action, occurred_at, reverses in rows.iterator():
        if action == "activated":
            key = (task_id, calendar.day_of(occurred_at))
            activated[event_id] = key
            tallies[key] += 1
        else:
            reversed_ids.append(reverses)
    for original_id in reversed_ids:  # whatever their order, once every original is known
        key = activated.get(original_id)
        if key is not None:
            tallies[key] -= 1
    return {key: count for key, count in tallies.items() if count}


def stored_tallies(child_id: int, task_ids: Collection[int]) -> Tallies:
    rows = TaskTally.objects.filter(child_id=child_id, task_id__in=list(task_ids)).exclude(count=0)
    return {
        (task_id, day): count for task_id, day, count in rows.values_list("task_id", "day", "count")
    }


def store_tallies(child_id: int, task_ids: Collection[int], tallies: Tallies) -> None:
    """Replace a child's tallies of these chores (and drop those of chores no badge counts)."""
    TaskTally.objects.filter(child_id=child_id).exclude(task_id__in=list(task_ids)).delete()
    TaskTally.objects.filter(child_id=child_id, task_id__in=list(task_ids)).delete()
    TaskTally.objects.bulk_create(
        [
            TaskTally(child_id=child_id, task_id=task_id, day=day, count=count)
            for (task_id, day), count in tallies.items()
        ]
    )


def recount(child_id: int, task_ids: Collection[int], calendar: HouseholdCalendar) -> None:
    """Count these chores again from the child's history, and store that."""
    store_tallies(child_id, task_ids, tallies_from_history(child_id, task_ids, calendar))
