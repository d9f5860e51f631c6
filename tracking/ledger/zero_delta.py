"""History records that move no points and are their own action (issue 15): a paused day, a badge
awarded or revoked. The row is the whole action, so, like a reversal, a row that cannot be written
refuses the action (HistoryUnavailable) instead of going to the dead-letter spool."""

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from kernel.commit_hooks import after_commit
from kernel.errors import HistoryUnavailable
from tracking.ledger import audit_log
from tracking.ledger.announce import announce_row
from tracking.ledger.receivers import HISTORY_NOT_WRITTEN, as_json
from tracking.ledger.render import render_replayable
from tracking.models import TrackingEvent

logger = logging.getLogger(__name__)

NOT_WRITTEN = "history record refused: its tracking event could not be written; event: %s"


def append_zero_delta_event(
    *,
    child: Any,
    entity_type: str,
    action: str,
    metadata: dict[str, Any],
    user_id: int | None,
    entity_id: int | None = None,
    occurred_at: datetime | None = None,
) -> TrackingEvent:
    """Append one event that moves no points to a child's chain (its points before and after are
    the child's points now), in the caller's transaction, on a child it locked with
    `children.services.lock_child`. Then, as for every row: its audit line and
    `tracking_event_created` after the commit, announced now (`tracking.ledger.announce`).

    `metadata` gets the child's name first. Raises HistoryUnavailable when the row cannot be
    written (the caller's transaction then rolls back).
    """
    row = TrackingEvent(
        user_id=user_id,
        child_id=child.pk,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        points_before=child.points,
        points_after=child.points,
        delta=0,
        occurred_at=occurred_at or timezone.now(),
        metadata={"child_name": child.name, **metadata},
    )
    try:
        row.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            row.save()
    except (ValidationError, DatabaseError) as error:
        logger.exception(NOT_WRITTEN, as_json(render_replayable(row)))
        raise HistoryUnavailable(HISTORY_NOT_WRITTEN) from error
    after_commit(audit_log.write_event, row)
    announce_row(row, child=child, household_id=child.household_id)
    return row
