"""The badges' part of `manage.py rebuild_projections`: what the history says of each child's
badges, compared with what is stored, then stored. Runs after insights rebuilt the child's days
and totals, so the criteria are read on figures that equal the history.

For each child, under its lock:
1. the chore tallies (`TaskTally`) of the chores its household's badges count, recounted from
   the history;
2. its `BadgeAward` rows, rebuilt from its badge events (`awarded`, `revoked`): the history is the
   record of what was awarded. The events themselves are checked too: never two awards, nor two
   revocations, of one badge for one period, and no revocation without an award;
3. the criteria: every badge that should stand (its criterion holds over the period, and, for a
   badge that waits for its period's end, the period is over) was awarded for that period, and no
   award stands whose criterion is false. A difference here is fixed by appending the missing
   award or revocation, as the check after an action would have. (A revoked badge may have a
   criterion that holds again: it is never awarded twice for one period.)

Every difference is returned, one line each; none is expected. This compares the end state: the
check after each action is held to it after every step by the property-based tests.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction

from achievements.catalog import Badge, badges_of_household
from achievements.measures import counted_tasks
from achievements.memo import memo
from achievements.models import BadgeAward
from achievements.settle import settle
from achievements.standing import verdicts_of_child
from achievements.tallies import Tallies, store_tallies, stored_tallies, tallies_from_history
from children.models import Child
from children.services import lock_child
from insights.calendar import HouseholdCalendar
from kernel.errors import NotFound
from tracking.models import Action, EntityType, TrackingEvent

AWARD_FIELDS = ("name", "criterion", "period", "award_event_id", "revoke_event_id")


def rebuild_badges(
    child_ids: Iterable[int] | None = None,
    household_id: int | None = None,
    *,
    store: bool = True,
) -> list[str]:
    """Rebuild the badges of the chosen children (all by default): the differences found, then
    (`store`) the rebuilt state stored. With `store` False nothing is written: a check."""
    children = Child.objects.order_by("pk")
    if child_ids is not None:
        children = children.filter(pk__in=list(child_ids))
    if household_id is not None:
        children = children.filter(household_id=household_id)
    differences: list[str] = []
    for child_id in children.values_list("pk", flat=True):
        if store:
            differences += rebuild_child_badges(child_id)
        else:
            differences += compare_child(child_id).differences
    return differences


@dataclass
class Comparison:
    """What the history says of a child's badges, and where what is stored differs."""

    child: Any
    calendar: HouseholdCalendar
    badges: list[Badge]
    tallies: Tallies
    awards: dict[tuple, dict[str, Any]]
    differences: list[str] = field(default_factory=list)


def compare_child(child_id: int, child: Any = None, *, criteria: bool = True) -> Comparison:
    """Steps 1 to 3 of the module's docstring (3 only with `criteria`), without writing."""
    child = child or Child.objects.select_related("household").get(pk=child_id)
    calendar = HouseholdCalendar.of(child.household)
    badges = badges_of_household(child.household_id)
    task_ids = counted_tasks(badges)
    tallies = tallies_from_history(child_id, task_ids, calendar)
    awards, problems = awards_from_history(child_id)
    comparison = Comparison(child, calendar, badges, tallies, awards)
    comparison.differences = [
        *compare_tallies(child_id, stored_tallies(child_id, task_ids), tallies),
        *problems,
        *compare_awards(child_id, awards),
        *(compare_criteria(child_id, badges, calendar, awards) if criteria else ()),
    ]
    return comparison


def rebuild_child_badges(child_id: int, *, first_projection: bool = False) -> list[str]:
    """Compare a child's badges with its history (under its lock), then store what the history
    says: its tallies and awards rewritten, and the awards and revocations its criteria call for
    appended. Returns the differences found.

    `first_projection`: the child's history was never projected before this rebuild (written
    before issue 15, or by the bulk path): nothing was there to decide its badges, so what its
    criteria call for is awarded without being reported, as insights reports nothing for it."""
    with transaction.atomic():
        try:
            child = lock_child(child_id)
        except NotFound:
            return []
        comparison = compare_child(child_id, child, criteria=not first_projection)
        memo.forget(child_id)  # its awards are rewritten
        store_tallies(child_id, counted_tasks(comparison.badges), comparison.tallies)
        store_awards(child_id, comparison.awards)
        verdicts = verdicts_of_child(child_id, comparison.badges, comparison.calendar)
        settle(child, verdicts, include_unmet=True, all_awards=True)
    return comparison.differences


def compare_tallies(child_id: int, stored: Tallies, rebuilt: Tallies) -> list[str]:
    return [
        f"child {child_id}, chore {task_id} on {day}: stored {stored.get((task_id, day), 0)} "
        f"activations, history says {rebuilt.get((task_id, day), 0)}"
        for task_id, day in sorted(stored.keys() | rebuilt.keys())
        if stored.get((task_id, day), 0) != rebuilt.get((task_id, day), 0)
    ]


def compare_criteria(
    child_id: int,
    badges: list[Badge],
    calendar: HouseholdCalendar,
    awards: dict[tuple, dict[str, Any]],
) -> list[str]:
    """Step 3: what the criteria call for, against the awards the history made."""
    differences = []
    verdicts = verdicts_of_child(child_id, badges, calendar, awarded=awards.keys())
    for (badge_key, start), (_, should_stand) in sorted(verdicts.items(), key=_by_period):
        award = awards.get((badge_key, start))
        where = f"child {child_id}, badge {badge_key} ({start or 'lifetime'})"
        if should_stand and award is None:
            differences.append(f"{where}: should have been awarded by its criterion")
        elif not should_stand and award is not None and award["revoke_event_id"] is None:
            differences.append(
                f"{where}: stands, but its criterion no longer holds: should have been revoked"
            )
    return differences


def awards_from_history(child_id: int) -> tuple[dict[tuple, dict[str, Any]], list[str]]:
    """(badge key, period start) → the award its badge events make, and what is wrong with those
    events (a second award or revocation, a revocation without an award)."""
    events = (
        TrackingEvent.objects.filter(child_id=child_id, entity_type=EntityType.BADGE)
        .order_by("occurred_at", "created_at", "id")
        .values_list("id", "action", "occurred_at", "metadata")
    )
    awards: dict[tuple, dict[str, Any]] = {}
    problems: list[str] = []
    for event_id, action, occurred_at, metadata in events.iterator():
        start = _date(metadata.get("period_start"))
        key = (metadata.get("badge_key"), start)
        where = f"child {child_id}, badge {key[0]} ({start or 'lifetime'})"
        award = awards.get(key)
        if action == Action.AWARDED:
            if award is not None:
                problems.append(
                    f"{where}: awarded twice (events {award['award_event_id']}, {event_id})"
                )
                continue
            awards[key] = _award_row(metadata, event_id, occurred_at)
        elif award is None:
            problems.append(f"{where}: revoked (event {event_id}) but never awarded")
        elif award["revoke_event_id"] is not None:
            problems.append(
                f"{where}: revoked twice (events {award['revoke_event_id']}, {event_id})"
            )
        else:
            award.update(revoke_event_id=event_id, revoked_at=occurred_at)
    return awards, problems


def compare_awards(child_id: int, rebuilt: dict[tuple, dict[str, Any]]) -> list[str]:
    """Step 2: the stored awards against those the badge events make."""
    differences = []
    stored = {
        (row["badge_key"], row["period_start"]): row
        for row in BadgeAward.objects.filter(child_id=child_id, awarded=True).values(
            "badge_key", "period_start", *AWARD_FIELDS
        )
    }
    for key in sorted(stored.keys() | rebuilt.keys(), key=lambda k: (k[1] or date.min, k[0])):
        where = f"child {child_id}, badge {key[0]} ({key[1] or 'lifetime'})"
        was, should = stored.get(key), rebuilt.get(key)
        if was is None:
            differences.append(
                f"{where}: not stored, history says awarded (event {should['award_event_id']})"
            )
        elif should is None:
            differences.append(f"{where}: stored as awarded, history has no award")
        else:
            differences.extend(
                f"{where}, {name}: stored {was[name]}, history says {should[name]}"
                for name in ("award_event_id", "revoke_event_id")
                if was[name] != should[name]
            )
    return differences


def store_awards(child_id: int, rebuilt: dict[tuple, dict[str, Any]]) -> None:
    BadgeAward.objects.filter(child_id=child_id).delete()
    BadgeAward.objects.bulk_create(
        [
            BadgeAward(child_id=child_id, badge_key=key, period_start=start, awarded=True, **row)
            for (key, start), row in rebuilt.items()
        ]
    )


def _by_period(item: tuple) -> tuple:
    (badge_key, start), _ = item
    return (start or date.min, badge_key)


def _award_row(metadata: dict[str, Any], event_id: int, occurred_at: datetime) -> dict[str, Any]:
    return {
        "name": metadata.get("name", ""),
        "criterion": metadata.get("criterion", ""),
        "period": metadata.get("period", ""),
        "award_event_id": event_id,
        "awarded_at": occurred_at,
        "revoke_event_id": None,
        "revoked_at": None,
    }


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
