"""One event, one rendering: the contract's fields of a TrackingEvent, as the audit line, the
stream's `tracking_event_created`, the CSV row, the error log, the dead-letter spool and the API
serializer all show them (each adds what only it needs)."""

from typing import Any

from kernel.events import iso_z
from tracking.models import TrackingEvent

EVENT_FIELDS = (
    "tracking_event_id",
    "user_id",
    "child_id",
    "entity_type",
    "entity_id",
    "action",
    "points_before",
    "points_after",
    "delta",
    "occurred_at",
)


def render_event(event: TrackingEvent) -> dict[str, Any]:
    """The contract's fields, in the contract's order; `occurred_at` in UTC ISO 8601 with `Z`.
    `tracking_event_id` is None for a row that was never written."""
    return {
        "tracking_event_id": event.pk,
        "user_id": event.user_id,
        "child_id": event.child_id,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "action": event.action,
        "points_before": event.points_before,
        "points_after": event.points_after,
        "delta": event.delta,
        "occurred_at": iso_z(event.occurred_at),
    }


def render_replayable(event: TrackingEvent) -> dict[str, Any]:
    """Everything needed to write the row again (the error log and the dead-letter spool): the
    contract's fields without the id it never got, its metadata, and what it reverses."""
    fields = render_event(event)
    del fields["tracking_event_id"]
    return {**fields, "metadata": dict(event.metadata), "reverses": event.reverses}
