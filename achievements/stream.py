"""The live events of badges: `badge_awarded` and `badge_revoked`, on the household's channel and
the child's (its paired devices), stored in the transaction and delivered after it commits (as
every live event, `tracking.live.channels`)."""

from typing import Any

from kernel.events import iso_z
from tracking.live.channels import publish_child_event
from tracking.models import Action, TrackingEvent

EVENT_NAMES = {Action.AWARDED: "badge_awarded", Action.REVOKED: "badge_revoked"}


def badge_payload(child: Any, event: TrackingEvent) -> dict[str, Any]:
    """What a badge event's stream message carries (documented by `BadgeEvent` in the schema)."""
    metadata = event.metadata
    return {
        "child_id": child.pk,
        "child_name": child.name,
        "badge_key": metadata["badge_key"],
        "name": metadata["name"],
        "criterion": metadata["criterion"],
        "description": metadata["description"],
        "period": metadata["period"],
        "period_start": metadata["period_start"],
        "tracking_event_id": event.pk,
        "occurred_at": iso_z(event.occurred_at),
    }


def publish_badge_event(child: Any, event: TrackingEvent) -> None:
    publish_child_event(child, EVENT_NAMES[event.action], badge_payload(child, event))
