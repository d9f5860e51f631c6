"""The ledger's bulk path, for demo data and imports (`demo.bulk_history`): events appended with
`bulk_create`, in batches. No receiver runs: no audit log lines and no stream messages. The
caller writes whole, consistent chains (each event starts where the previous one ended) and sets
each child's points to its last event's `points_after` (`children.bulk.set_points_from_history`);
`verify_tracking` proves it afterwards."""

from collections.abc import Iterable

from tracking.models import TrackingEvent

BATCH = 2000


def append_events(events: Iterable[TrackingEvent]) -> list[TrackingEvent]:
    return TrackingEvent.objects.bulk_create(events, batch_size=BATCH)
