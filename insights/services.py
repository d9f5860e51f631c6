"""Writes of the insights app: a guardian pauses a child's day, or chooses which chores count for
its streak. A pause is history (a `pause` `paused` event, undone with the usual reversal); the
streak's chores are a setting, and changing them rebuilds that child's projections."""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from children.models import Child, Task
from children.services import lock_child
from insights.calendar import HouseholdCalendar
from insights.models import StreakChoice
from insights.rebuild import rebuild_child
from insights.signals import streak_tasks_changed
from kernel.errors import InvalidAction, StateConflict
from kernel.referenced import keep_all_referenced
from tracking.ledger.zero_delta import append_zero_delta_event
from tracking.models import Action, EntityType, TrackingEvent

PAUSE_HORIZON_DAYS = 366
PAUSE_TOO_FAR = "A pause must be within {days} days of today ({today}) in the household's calendar."
ALREADY_PAUSED = (
    "{day} is already paused for child '{child}' (event {event_id}); reverse that event to undo it."
)
PAUSE_NAME = "Paused day"
NOT_A_CHORE = "Only chores count for a streak; {names} (id {ids}) are penalties."


def record_pause(
    *, child: Child, day: date, reason: str, by: AbstractBaseUser
) -> tuple[Child, TrackingEvent]:
    """Pause one household day of a child's streak (a holiday, an illness): the day neither breaks
    nor extends it. Appends a `pause` `paused` event (no points move); reverse that event to undo
    the pause. Returns the child and the event.

    Raises InvalidAction for a day more than a year from today, StateConflict when the day is
    already paused (by a pause not reversed).
    """
    with transaction.atomic():
        child = lock_child(child.pk)
        today = HouseholdCalendar.of(child.household).today()
        if abs((day - today).days) > PAUSE_HORIZON_DAYS:
            raise InvalidAction(
                PAUSE_TOO_FAR.format(days=PAUSE_HORIZON_DAYS, today=today), field="day"
            )
        standing = standing_pause(child_id=child.pk, day=day)
        if standing is not None:
            raise StateConflict(
                ALREADY_PAUSED.format(day=day.isoformat(), child=child.name, event_id=standing)
            )
        event = append_zero_delta_event(
            child=child,
            entity_type=EntityType.PAUSE,
            action=Action.PAUSED,
            user_id=by.pk,
            metadata={
                "entity_name": PAUSE_NAME,
                "day": day.isoformat(),
                "reason": reason,
                "actor": "guardian",
                "default_value": 0,
                "override_applied": False,
                "value": 0,
            },
        )
    return child, event


def standing_pause(*, child_id: int, day: date) -> int | None:
    """The id of the pause of `day` that stands (was not reversed), read from the history."""
    reversed_ids = TrackingEvent.objects.filter(
        child_id=child_id, action=Action.REVERSED, entity_type=EntityType.PAUSE
    ).values("reverses")
    return (
        TrackingEvent.objects.filter(
            child_id=child_id, action=Action.PAUSED, metadata__day=day.isoformat()
        )
        .exclude(pk__in=reversed_ids)
        .values_list("pk", flat=True)
        .first()
    )


def set_streak_tasks(*, child: Child, tasks: Iterable[Task]) -> list[int]:
    """Choose the chores that count for a child's streak (none: every chore counts), then rebuild
    the child's projections: which past days count changes with the choice, and what is built on
    the streak follows (`streak_tasks_changed`). Returns the chosen ids, sorted.

    Raises InvalidAction when one of them is a penalty.
    """
    tasks = list(tasks)
    penalties = [task for task in tasks if not task.is_good]
    if penalties:
        raise InvalidAction(
            NOT_A_CHORE.format(
                names=", ".join(f"'{task.name}'" for task in penalties),
                ids=", ".join(str(task.pk) for task in penalties),
            ),
            field="task_ids",
        )
    with transaction.atomic():
        child = lock_child(child.pk)
        keep_all_referenced(Task, [task.pk for task in tasks], field="task_ids")
        if tasks:
            choice, _ = StreakChoice.objects.get_or_create(child=child)
            choice.tasks.set(tasks)
        else:
            StreakChoice.objects.filter(child=child).delete()
        rebuild_child(child)
        streak_tasks_changed.send(sender=StreakChoice, child_id=child.pk)
    return sorted(task.pk for task in tasks)


def children_choosing(task: Task) -> list[int]:
    """The children whose streak choice names this task, by id."""
    chosen = StreakChoice.tasks.through.objects.filter(task_id=task.pk)
    return sorted(chosen.values_list("streakchoice__child_id", flat=True))


def rebuild_after_task_deletion(child_ids: list[int]) -> None:
    """A deleted task left these children's streak choices (the cascade): do what changing the
    choice does. A choice left empty goes, as choosing none does (every chore counts again)."""
    StreakChoice.objects.filter(child_id__in=child_ids, tasks=None).delete()
    for child in Child.objects.filter(pk__in=child_ids).order_by("pk"):
        rebuild_child(child)
        streak_tasks_changed.send(sender=StreakChoice, child_id=child.pk)


def streak_task_ids(child: Child) -> list[int]:
    """The chores chosen for a child's streak, sorted; empty when every chore counts."""
    return sorted(
        StreakChoice.tasks.through.objects.filter(streakchoice__child_id=child.pk).values_list(
            "task_id", flat=True
        )
    )
