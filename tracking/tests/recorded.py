"""Reading back what tracking recorded: rows as the API shows them, raw columns, log lines."""

import json
from pathlib import Path

from tracking.models import TrackingEvent
from tracking.selectors import with_reversed_by
from tracking.serializers import TrackingEventSerializer

EVENT_COLUMNS = [field.attname for field in TrackingEvent._meta.concrete_fields]


def serialized_row(event_id: int) -> dict:
    """The event as the database holds it now, serialized as the API shows it."""
    event = with_reversed_by(TrackingEvent.objects.filter(pk=event_id)).get()
    return dict(TrackingEventSerializer(event).data)


def column_values(**filters) -> list[dict]:
    """Every column of the matching events, by id, for before/after comparisons."""
    return list(TrackingEvent.objects.filter(**filters).order_by("id").values(*EVENT_COLUMNS))


def log_lines(directory: Path, user_id: int) -> list[dict]:
    """The JSON lines of one user's current audit log file (not its backups)."""
    path = directory / f"tracking_user_{user_id}.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
