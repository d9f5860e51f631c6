"""The rebuild: every child's projections recomputed from the tracking history alone, compared
with what is stored (a difference is a bug of the incremental projection), then stored.

One transaction per child, which starts by locking the child (`lock_child`, as every action
does): an action on that child waits for its rebuild, and one on another child runs alongside.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models.fields.json import KeyTextTransform
from tqdm import tqdm

from children.models import Child
from children.services import lock_child
from insights.calendar import HouseholdCalendar
from insights.classify import Counters, own_effect, reversal_effects
from insights.models import COUNTERS, DAY_COUNTERS, ChildDay, ChildTotals
from insights.projection import streak_tasks_of
from insights.streaks import StreakState, day_kind, streak_state
from kernel.errors import NotFound
from tracking.models import REVERSIBLE_ACTIONS, TrackingEvent

CHUNK = 5000
EVENT_FIELDS = ("id", "entity_type", "entity_id", "action", "delta", "occurred_at", "reverses")
STREAK_TOTALS = ("current_streak", "best_streak", "last_streak_day")


@dataclass
class Projection:
    """A child's projections as the history says they are."""

    days: dict[date, Counters] = field(default_factory=dict)
    lifetime: Counters = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    streak: StreakState = field(default_factory=StreakState)


def rebuild(
    child_ids: Iterable[int] | None = None,
    household_id: int | None = None,
    *,
    progress: bool = False,
) -> list[str]:
    """Recompute the projections of the chosen children (all by default; those of
    `child_ids` and/or of the household `household_id`) from their history, store them, and
    return every difference found with what was stored, one line each (none expected)."""
    children = Child.objects.select_related("household").order_by("pk")
    if child_ids is not None:
        children = children.filter(pk__in=list(child_ids))
    if household_id is not None:
        children = children.filter(household_id=household_id)
    children = list(children)
    differences: list[str] = []
    for child in tqdm(children, unit=" children", disable=not progress or len(children) < 2):
        differences.extend(rebuild_child(child, progress=progress and len(children) == 1))
    return differences


def rebuild_child(child: Child, *, progress: bool = False) -> list[str]:
    """Rebuild one child's projections (see `rebuild`); the differences found."""
    with transaction.atomic():
        try:
            child = lock_child(child.pk)
        except NotFound:
            return []  # deleted meanwhile: its projections went with it
        calendar = HouseholdCalendar.of(child.household)
        projected = project_history(
            events_of(child.pk, progress=progress), calendar, streak_tasks_of(child.pk)
        )
        differences = compare(child.pk, projected)
        store(child.pk, projected)
    return differences


def events_of(child_id: int, *, progress: bool = False) -> Iterator[Any]:
    """A child's events, in chain order, with only what classification reads."""
    events = TrackingEvent.objects.filter(child_id=child_id)
    rows = (
        events.annotate(pause_day=KeyTextTransform("day", "metadata"))
        .order_by("occurred_at", "created_at", "id")
        .values_list(*EVENT_FIELDS, "pause_day", named=True)
    )
    total = events.count() if progress else None
    yield from tqdm(
        rows.iterator(chunk_size=CHUNK),
        total=total,
        unit=" events",
        disable=not progress or (total or 0) < CHUNK,
    )


def project_history(
    events: Iterable[Any], calendar: HouseholdCalendar, streak_tasks: frozenset[int] | None
) -> Projection:
    """What a child's history adds up to: its days, its lifetime, its streak."""
    projection = Projection()
    days: dict[date, Counters] = defaultdict(lambda: dict.fromkeys(DAY_COUNTERS, 0))
    reversible: dict[int, Any] = {}
    reversals = []
    for event in events:
        if event.action == "reversed":
            reversals.append(event)  # after every original is known, whatever the order
            continue
        if event.action in REVERSIBLE_ACTIONS:
            reversible[event.id] = event
        effect = own_effect(event, calendar, streak_tasks)
        if effect is not None:
            _add(days, projection.lifetime, effect.day, effect.counters)
    for reversal in reversals:
        original = reversible.get(reversal.reverses)
        for effect in reversal_effects(reversal, original, calendar, streak_tasks):
            _add(days, projection.lifetime, effect.day, effect.counters)
    projection.days = {day: counters for day, counters in days.items() if any(counters.values())}
    projection.streak = streak_state(
        (day, day_kind(counters["streak_chores"], counters["pauses"]))
        for day, counters in sorted(projection.days.items())
    )
    return projection


def _add(days: dict[date, Counters], lifetime: Counters, day: date, counters: Counters) -> None:
    for name, value in counters.items():
        days[day][name] += value
        if name in lifetime:
            lifetime[name] += value


def stored(child_id: int) -> Projection | None:
    """A child's projections as stored (all-zero days are no days); None when the child was
    never projected (no totals: history written by the bulk path, or before this feature)."""
    projection = Projection()
    for row in ChildDay.objects.filter(child_id=child_id).values("day", *DAY_COUNTERS):
        counters = {name: row[name] for name in DAY_COUNTERS}
        if any(counters.values()):
            projection.days[row["day"]] = counters
    totals = ChildTotals.objects.filter(child_id=child_id).values(*COUNTERS, *STREAK_TOTALS)
    if not totals:
        return None
    for row in totals:
        projection.lifetime = {name: row[name] for name in COUNTERS}
        projection.streak = StreakState(
            run=row["current_streak"], best=row["best_streak"], last_day=row["last_streak_day"]
        )
    return projection


def compare(child_id: int, projected: Projection) -> list[str]:
    """Every difference between what is stored and what the history says, one line each (none
    for a child never projected: nothing was stored to disagree)."""
    current = stored(child_id)
    if current is None:
        return []
    differences = []
    for day in sorted(current.days.keys() | projected.days.keys()):
        zero = dict.fromkeys(DAY_COUNTERS, 0)
        was, should = current.days.get(day, zero), projected.days.get(day, zero)
        differences.extend(
            f"child {child_id}, day {day}, {name}: stored {was[name]}, history says {should[name]}"
            for name in DAY_COUNTERS
            if was[name] != should[name]
        )
    differences.extend(
        f"child {child_id}, lifetime {name}: stored {current.lifetime[name]}, "
        f"history says {projected.lifetime[name]}"
        for name in COUNTERS
        if current.lifetime[name] != projected.lifetime[name]
    )
    if current.streak != projected.streak:
        differences.append(
            f"child {child_id}, streak: stored {current.streak}, history says {projected.streak}"
        )
    return differences


def store(child_id: int, projection: Projection) -> None:
    """Replace a child's stored projections with `projection`."""
    ChildDay.objects.filter(child_id=child_id).delete()
    ChildDay.objects.bulk_create(
        [
            ChildDay(child_id=child_id, day=day, **counters)
            for day, counters in projection.days.items()
        ],
        batch_size=CHUNK,
    )
    streak = projection.streak
    ChildTotals.objects.update_or_create(
        child_id=child_id,
        defaults={
            **projection.lifetime,
            "current_streak": streak.run,
            "best_streak": streak.best,
            "last_streak_day": streak.last_day,
        },
    )
