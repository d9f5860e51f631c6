"""Writing back the events of the dead-letter spool that the history is missing.

In chain order (child, then `occurred_at`), one transaction each, and idempotently: an event
already in the history (same child, action, entity, points and `occurred_at`, to the microsecond)
is left alone, so a second run changes nothing. Each row written back also gets its audit line,
and is announced (`tracking.ledger.announce`: the projections apply it, the badges follow).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from kernel.api import MAX_ID
from kernel.commit_hooks import after_commit
from tracking.ledger import audit_log
from tracking.ledger.announce import announce_row
from tracking.models import TrackingEvent


@dataclass
class RepairReport:
    spooled: int = 0
    inserted: int = 0
    present: int = 0
    unreadable: list[int] = field(default_factory=list)  # spool line numbers
    refused: list[str] = field(default_factory=list)  # what the database said, per event

    @property
    def failed(self) -> bool:
        return bool(self.unreadable or self.refused)


def in_chain_order(
    lines: Iterable[tuple[int, dict[str, Any] | None]], report: RepairReport
) -> list[dict[str, Any]]:
    """The readable events, sorted as their chains read; unreadable lines go to the report."""
    events = []
    for number, event in lines:
        if event is None or not _sortable(event):
            report.unreadable.append(number)
            continue
        events.append(event)
    report.spooled = len(events) + len(report.unreadable)
    return sorted(events, key=lambda e: (e["child_id"], e["occurred_at"]))


def _sortable(event: dict[str, Any]) -> bool:
    """What the sort and the owners' lookup read is of its type and range (the rest is checked
    event by event, as it is written back): a spool line edited by hand must not stop the others."""

    def is_id(value: Any) -> bool:
        # In the API's range: past 64 bits SQLite's driver cannot bind the users' lookup.
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID

    return (
        is_id(event.get("child_id"))
        and isinstance(event.get("occurred_at"), str)
        and (event.get("user_id") is None or is_id(event.get("user_id")))
    )


def repair(events: list[dict[str, Any]], report: RepairReport) -> Iterator[dict[str, Any]]:
    """Write back each missing event; yields each one when done, for a progress bar."""
    existing_users = set(
        get_user_model()
        .objects.filter(pk__in={e.get("user_id") for e in events})
        .values_list("pk", flat=True)
    )
    for event in events:
        try:
            row = _row(event, existing_users)
            with transaction.atomic():
                if _already_recorded(row):
                    report.present += 1
                else:
                    row.save()
                    report.inserted += 1
                    # The user the event is about, though its row may no longer name them.
                    after_commit(audit_log.write_event, row, event.get("user_id"))
                    # The projections follow the row written back (in this transaction).
                    announce_row(row, child=None, household_id=None, publish=False)
        except (ValidationError, DatabaseError, KeyError, TypeError, ValueError) as error:
            report.refused.append(
                f"child {event.get('child_id')} at {event.get('occurred_at')}: {error}"
            )
        yield event


def _row(event: dict[str, Any], existing_users: set[int]) -> TrackingEvent:
    before, after = int(event["points_before"]), int(event["points_after"])
    user_id = event.get("user_id")
    row = TrackingEvent(
        # A user deleted since the action: null, as the deletion would have made it.
        user_id=user_id if user_id in existing_users else None,
        child_id=event["child_id"],
        entity_type=event["entity_type"],
        entity_id=event.get("entity_id"),
        action=event["action"],
        points_before=before,
        points_after=after,
        delta=after - before,
        occurred_at=datetime.fromisoformat(event["occurred_at"]),
        metadata=event.get("metadata") or {},
        reverses=event.get("reverses"),
    )
    row.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    return row


def _already_recorded(row: TrackingEvent) -> bool:
    return TrackingEvent.objects.filter(
        child_id=row.child_id,
        occurred_at=row.occurred_at,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        points_before=row.points_before,
        points_after=row.points_after,
    ).exists()
