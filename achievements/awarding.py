"""Awarding and revoking a badge: each is one event appended to the child's history (`entity_type`
`badge`, delta 0) and one flip of its `BadgeAward`, in one savepoint, so that either both happen
or neither does.

The flips are conditional UPDATEs (`awarded` False → True; `revoke_event_id` null → set): of two
attempts to award one badge for one period, whatever the interleaving, one updates a row and the
other none, and the other's event is rolled back with its savepoint. Callers hold the child's lock
(`children.services.lock_child`), as every write on a child does.

Who is recorded as having acted *(choice)*: the household's owner (`user_id`), as for any action
no account made (the admin, a script); `metadata.actor` is `system`.
"""

from datetime import date
from typing import Any

from django.db import transaction

from achievements.catalog import Badge
from achievements.models import BadgeAward, Criterion
from achievements.stream import publish_badge_event
from households.selectors import owner_id_of
from tracking.ledger.zero_delta import append_zero_delta_event
from tracking.models import Action, EntityType, TrackingEvent


class AlreadyDecided(Exception):
    """The award or revocation was made meanwhile: roll back this attempt's event."""


def badge_metadata(badge: Badge, start: date | None) -> dict[str, Any]:
    """What a badge event says about its badge: enough to read it without the definition."""
    metadata: dict[str, Any] = {
        "entity_name": badge.name,
        "badge_key": badge.key,
        "name": badge.name,
        "criterion": badge.criterion,
        "description": badge.describe(),
        "threshold": badge.threshold,
        "period": badge.period,
        "period_start": start.isoformat() if start else None,
        "actor": "system",
        # What every event's metadata holds (no points move).
        "default_value": 0,
        "override_applied": False,
        "value": 0,
    }
    if badge.task_id is not None:
        metadata["task_id"] = badge.task_id
    if badge.criterion == Criterion.GOOD_RATIO:
        metadata["ratio_good"], metadata["ratio_not_good"] = badge.ratio_good, badge.ratio_not_good
    return metadata


def definition_id(badge: Badge) -> int | None:
    """The event's `entity_id`: the household's definition; None for a built-in badge."""
    prefix, _, number = badge.key.partition("_")
    return int(number) if prefix == "custom" and number.isdigit() else None


def award_filter(*, child_id: int, badge_key: str, start: date | None) -> dict[str, Any]:
    if start is None:
        return {"child_id": child_id, "badge_key": badge_key, "period_start__isnull": True}
    return {"child_id": child_id, "badge_key": badge_key, "period_start": start}


def award(*, child: Any, badge: Badge, start: date | None) -> TrackingEvent | None:
    """Award `badge` to a locked child for the period starting `start` (None: lifetime). Returns
    the `awarded` event; None when it was already awarded for that period (never twice)."""
    try:
        with transaction.atomic():
            BadgeAward.objects.bulk_create(
                [
                    BadgeAward(
                        child_id=child.pk,
                        badge_key=badge.key,
                        name=badge.name,
                        criterion=badge.criterion,
                        period=badge.period,
                        period_start=start,
                    )
                ],
                ignore_conflicts=True,
            )
            event = append_zero_delta_event(
                child=child,
                entity_type=EntityType.BADGE,
                entity_id=definition_id(badge),
                action=Action.AWARDED,
                metadata=badge_metadata(badge, start),
                user_id=owner_id_of(child.household_id),
            )
            flipped = BadgeAward.objects.filter(
                **award_filter(child_id=child.pk, badge_key=badge.key, start=start), awarded=False
            ).update(
                awarded=True,
                award_event_id=event.pk,
                awarded_at=event.occurred_at,
                name=badge.name,
            )
            if not flipped:
                raise AlreadyDecided
    except AlreadyDecided:
        return None
    publish_badge_event(child, event)
    return event


def revoke(*, child: Any, badge: Badge, start: date | None) -> TrackingEvent | None:
    """Revoke a standing award of `badge` for the period starting `start`: its criterion no
    longer holds. Returns the `revoked` event; None when nothing stood to revoke."""
    filters = award_filter(child_id=child.pk, badge_key=badge.key, start=start)
    try:
        with transaction.atomic():
            award_event_id = (
                BadgeAward.objects.filter(**filters, awarded=True, revoke_event_id__isnull=True)
                .values_list("award_event_id", flat=True)
                .first()
            )
            if award_event_id is None:
                raise AlreadyDecided
            event = append_zero_delta_event(
                child=child,
                entity_type=EntityType.BADGE,
                entity_id=definition_id(badge),
                action=Action.REVOKED,
                metadata={**badge_metadata(badge, start), "revokes": award_event_id},
                user_id=owner_id_of(child.household_id),
            )
            revoked = BadgeAward.objects.filter(
                **filters, awarded=True, revoke_event_id__isnull=True
            ).update(revoke_event_id=event.pk, revoked_at=event.occurred_at)
            if not revoked:
                raise AlreadyDecided
    except AlreadyDecided:
        return None
    publish_badge_event(child, event)
    return event
