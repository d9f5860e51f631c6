"""The incremental projection: each tracking row, as it is written, is added to its child's
`ChildDay` rows and `ChildTotals`, in the transaction that wrote it, with a few queries (the
child's totals and calendar in one locked read, which goes in the row's own round trip when the
ledger writes the row for an action, one UPSERT per day touched, one update of the totals; a
reversal reads its original by id). What it stores always equals a rebuild from the
history (`insights.rebuild`): both classify events through `insights.classify`.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Q

from children.models import Child
from insights.calendar import HouseholdCalendar
from insights.classify import Effect, own_effect, reversal_effects
from insights.models import COUNTERS, ChildDay, ChildTotals, StreakChoice
from insights.projection_sql import (
    day_statement,
    locked_totals_query,
    save_totals_sql,
    totals_from,
    totals_values,
)
from insights.streaks import COUNTS, StreakState, day_kind, streak_state
from kernel.commit_rider import ride_on_commit, rides
from kernel.lazy_savepoint import lazy_savepoint
from kernel.pipeline import Statement
from tracking.models import TrackingEvent

ORIGINAL_FIELDS = ("child_id", "entity_type", "entity_id", "action", "delta", "occurred_at")
STREAK_FIELDS = ("streak_chores", "pauses")
NOT_SAVED = (
    "the projection of child %s was not saved (%s): `manage.py rebuild_projections` repairs it"
)
TOTALS_READ = "insights.totals"  # the locked read, made with the row (`read_with_row`)


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    """What applying a row did: the child's totals as saved (locked for the rest of the
    transaction) and the household days whose figures the row changed (none for a request, a
    claim, a badge)."""

    totals: ChildTotals
    days: list[date]


def apply_recorded(row: TrackingEvent) -> Applied | None:
    """Apply a row just written (the `event_recorded` receiver), in a savepoint: a failure rolls
    back only the projection (the rebuild repairs it), never the action. The savepoint goes with
    the projection's first statement (`kernel.lazy_savepoint`).

    A write whose result the projection does not need (see `_apply_effects`) is given to
    `kernel.commit_rider` once the block succeeded: it goes with the COMMIT, in a savepoint of its
    own, or before anything the transaction sends first (a read of the days sees it)."""
    deferred: list[Statement] = []
    with lazy_savepoint():
        applied = apply(row, deferred if rides() else None)
    for statement in deferred:
        ride_on_commit(statement, partial(_saved_at_commit, row.child_id))
    return applied


def _saved_at_commit(child_id: int, result: list[tuple] | DatabaseError) -> None:
    if isinstance(result, DatabaseError):
        logger.error(NOT_SAVED, child_id, result)


def apply(row: TrackingEvent, deferred: list[Statement] | None = None) -> Applied | None:
    """Add one written row to its child's projections. None when the child no longer exists
    (nothing to project).

    A child without totals yet has never been projected (a new child, or history written before
    this feature or by the bulk path): its projections are then rebuilt from its whole history,
    this row included, instead.
    """
    read = getattr(row, "read_with_row", {}).get(TOTALS_READ)
    totals = totals_from(read[0]) if read else _locked_totals(row.child_id)
    if totals is None:
        from insights.rebuild import rebuild_child  # the rebuild builds on this module

        child = Child.objects.select_related("household").filter(pk=row.child_id).first()
        if child is None:
            return None
        rebuild_child(child)
        totals = _locked_totals(row.child_id)
        day = HouseholdCalendar.of(totals.child.household).day_of(row.occurred_at)
        return Applied(totals, [day])
    calendar = HouseholdCalendar.of(totals.child.household)
    effects = _effects(row, totals, calendar)
    if effects:
        _apply_effects(totals, effects, deferred)
    return Applied(totals, sorted({e.day for e in effects if any(e.counters.values())}))


def streak_tasks_of(child_id: int) -> frozenset[int] | None:
    """The chores that count for a child's streak; None when every chore counts."""
    tasks = frozenset(
        StreakChoice.tasks.through.objects.filter(streakchoice__child_id=child_id).values_list(
            "task_id", flat=True
        )
    )
    return tasks or None


def _locked_totals(child_id: int) -> ChildTotals | None:
    """The child's totals with its child and household (the calendar), and whether the guardians
    chose the streak's chores (`has_streak_choice`), locked: of two rows applied for one child at
    once (a repair beside an action), the second waits.

    One hand-written query (`insights.projection_sql`)."""
    sql, _ = locked_totals_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [child_id])
        row = cursor.fetchone()
    return None if row is None else totals_from(row)


def read_with_row(sender: type, *, event: Any, **_: Any) -> dict[str, Any]:
    """The `reading_with_row` receiver: the locked read goes in the row's round trip (one round
    trip less per action), right where `apply` would make it, after the row's INSERT."""
    return {TOTALS_READ: (locked_totals_query()[0], [event.child_id])}


def _effects(row: TrackingEvent, totals: ChildTotals, calendar: HouseholdCalendar) -> list[Effect]:
    if row.action == "reversed":
        original = (
            TrackingEvent.objects.filter(pk=row.reverses, child_id=row.child_id)
            .only(*ORIGINAL_FIELDS, "metadata")
            .first()
        )
        streak_tasks = _streak_tasks_for(original, totals)
        return reversal_effects(row, original, calendar, streak_tasks)
    effect = own_effect(row, calendar, _streak_tasks_for(row, totals))
    return [] if effect is None else [effect]


def _streak_tasks_for(event: Any, totals: ChildTotals) -> Collection[int] | None:
    """The streak's chores, read only for a chore's activation (the one event it changes), and
    only when the guardians chose some (the choice itself was read with the totals)."""
    if event is None or (event.entity_type, event.action) != ("task", "activated"):
        return None
    if not totals.has_streak_choice:
        return None
    return streak_tasks_of(totals.child_id)


def _apply_effects(
    totals: ChildTotals, effects: list[Effect], deferred: list[Statement] | None = None
) -> None:
    """Add each effect to its day and to the lifetime, and follow the streak. On PostgreSQL the
    lifetime's counters are saved with the first day's UPSERT, in one statement; when that
    statement's result (the day's streak counters) cannot change the streak, it goes to
    `deferred` (if given) instead of being sent."""
    counted: set[str] = set()
    for effect in effects:
        for name in COUNTERS:
            if effect.counters.get(name):
                setattr(totals, name, getattr(totals, name) + effect.counters[name])
                counted.add(name)
    with_day = tuple(sorted(counted)) if connection.vendor == "postgresql" else ()
    if deferred is not None and len(effects) == 1 and not _may_change_streak(totals, effects[0]):
        deferred.append(day_statement(totals, effects[0], with_day))
        return
    changed = counted.difference(with_day)
    recompute_streak = False
    for index, effect in enumerate(effects):
        after = _add_to_day(totals, effect, with_day if index == 0 else ())
        if any(effect.counters.get(name) for name in STREAK_FIELDS):
            before = {name: after[name] - effect.counters.get(name, 0) for name in STREAK_FIELDS}
            extended = _extend_streak(totals, effect.day, before, after)
            if extended is None:
                recompute_streak = True
            else:
                changed.update(extended)
    if recompute_streak:
        state = stored_streak_state(totals.child_id)
        totals.current_streak, totals.best_streak = state.run, state.best
        totals.last_streak_day = state.last_day
        changed.update(("current_streak", "best_streak", "last_streak_day"))
    if changed:
        _save_totals(totals, tuple(sorted(changed)))


def _may_change_streak(totals: ChildTotals, effect: Effect) -> bool:
    """Whether the effect can change the streak: not when it leaves the day's streak counters
    alone, nor when it adds chores to the latest day that counts (`last_streak_day` counts, and
    more chores without a pause keep it counting: `_extend_streak` would change nothing)."""
    chores, pauses = (effect.counters.get(name, 0) for name in STREAK_FIELDS)
    if not chores and not pauses:
        return False
    return not (effect.day == totals.last_streak_day and chores > 0 and pauses == 0)


def _extend_streak(
    totals: ChildTotals, day: date, before: dict[str, int], after: dict[str, int]
) -> set[str] | None:
    """Update the streak state for one day whose kind may have changed, without reading other
    days when possible; None when the whole state must be recomputed."""
    old, new = day_kind(**before), day_kind(**after)
    last = totals.last_streak_day
    if old == new:
        return set()
    if last is not None and day <= last:
        return None  # a change inside the history: runs may split or join
    if COUNTS not in (old, new):
        return set()  # a pause after the latest counting day: read-time only
    if new != COUNTS:
        return None
    # A new latest counting day: the run goes on if every day between was paused.
    gap = 0 if last is None else (day - last).days - 1
    joined = last is not None and (gap == 0 or _paused_days(totals.child_id, last, day) == gap)
    totals.current_streak = totals.current_streak + 1 if joined else 1
    totals.best_streak = max(totals.best_streak, totals.current_streak)
    totals.last_streak_day = day
    return {"current_streak", "best_streak", "last_streak_day"}


def paused_days_between(child_id: int, first: date, last: date) -> int:
    """How many days from `first` to `last` (inclusive) are paused."""
    if last < first:
        return 0
    return ChildDay.objects.filter(
        child_id=child_id, day__gte=first, day__lte=last, pauses__gt=0
    ).count()


def _paused_days(child_id: int, after: date, before: date) -> int:
    return paused_days_between(child_id, after + timedelta(days=1), before - timedelta(days=1))


def stored_streak_state(child_id: int) -> StreakState:
    """The streak state from a child's stored days (those that count or bridge)."""
    days = (
        ChildDay.objects.filter(child_id=child_id)
        .filter(Q(streak_chores__gt=0) | Q(pauses__gt=0))
        .order_by("day")
        .values_list("day", "streak_chores", "pauses")
    )
    return streak_state((day, day_kind(chores, pauses)) for day, chores, pauses in days)


def _add_to_day(
    totals: ChildTotals, effect: Effect, saving: tuple[str, ...] = ()
) -> dict[str, int]:
    """Add an effect's counters to a child's day in one UPSERT (the row is created on the day's
    first event), and save the totals' fields `saving` in the same statement; returns the day's
    streak counters after it."""
    with connection.cursor() as cursor:
        cursor.execute(*day_statement(totals, effect, saving))
        streak_chores, pauses = cursor.fetchone()
    return {"streak_chores": streak_chores, "pauses": pauses}


def _save_totals(totals: ChildTotals, fields: tuple[str, ...]) -> None:
    """`totals.save(update_fields=fields)`, without compiling the UPDATE on every action."""
    sql, model_fields = save_totals_sql(fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, totals_values(totals, model_fields))
