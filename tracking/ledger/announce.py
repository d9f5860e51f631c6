"""How a written row is announced, the same way by every writer (the ledger's receiver, the rows
that are their own action, `repair_tracking`): `event_recorded` (the projections follow the row
and may add fields to its message), the row's `tracking_event_created` message, then
`event_published` (what appends rows of its own, the badges, after this row's message)."""

from typing import Any

from tracking.live import channels
from tracking.models import TrackingEvent
from tracking.signals import event_published, event_recorded


def announce_row(
    row: TrackingEvent, *, child: Any, household_id: int | None, publish: bool = True
) -> None:
    """Announce a row written in the current transaction. `publish=False`: no stream message
    (a row written back long after its action)."""
    extra: dict[str, Any] = {}
    for _, response in event_recorded.send_robust(sender=TrackingEvent, row=row, child=child):
        if isinstance(response, dict):
            extra.update(response)
    if publish:
        channels.publish_tracking_event(row, household_id=household_id, extra=extra)
    event_published.send_robust(sender=TrackingEvent, row=row, child=child)
